//! Work spread over a few threads with its results in the input's order.
//!
//! The scan runs on `--threads` threads after the walk too: apps are scored
//! and their views built side by side, and a long report is rendered in
//! pieces. Each of those must give the same report whichever thread was
//! faster, so every result goes back to its item's position.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `each` over `items` on up to `threads` threads, the results in the
/// items' order (the report must not depend on which thread was faster).
/// Items are handed out one at a time: apps differ in size by orders of
/// magnitude, so fixed chunks would leave a thread idle.
pub fn in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    each: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(each).collect();
    }
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, each(item)));
        }
    };
    let parts: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(take)).collect();
        let mut parts = vec![take()];
        for h in helpers {
            // A rule that panics is a bug: it ends the run as it would
            // have on one thread.
            parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        parts
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    for (i, r) in parts.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn work_spread_over_threads_comes_back_in_order() {
        // Uneven items (as apps are): the late ones finish first on the
        // other thread, and must still come back in place.
        let items: Vec<u64> = (0..200)
            .map(|i| if i % 7 == 0 { 20_000 } else { 10 })
            .collect();
        let slow_square = |n: &u64| (0..*n).fold(*n, |acc, x| acc.wrapping_add(x % 3)) * 2;
        let serial: Vec<u64> = items.iter().map(slow_square).collect();
        for threads in [1, 2, 3, 8, 500] {
            assert_eq!(
                in_order(&items, threads, slow_square),
                serial,
                "{threads} threads"
            );
        }
        assert!(in_order(&Vec::<u64>::new(), 2, slow_square).is_empty());
    }
}
