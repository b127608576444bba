//! Work spread over a few threads with its results in the input's order.
//!
//! The scan runs on `--threads` threads after the walk too: apps are scored
//! and their views built side by side, and a long report is rendered in
//! pieces. Each of those must give the same report whichever thread was
//! faster, so every result goes back to its item's position.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

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

/// `each` over `items` on up to `threads` threads (the calling one among
/// them), each result handed to `sink` on the calling thread in the items'
/// order as soon as it and those before it are done: a long report is
/// written while its later pieces are still being rendered, and no piece is
/// kept longer than it takes to write it. The first error of `sink` stops
/// the work (no item is started after it) and is returned.
pub fn each_in_order<T: Sync, R: Send, E>(
    items: &[T],
    threads: usize,
    each: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().try_for_each(|item| sink(each(item)));
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let take = || {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        items.get(i).map(|item| (i, each(item)))
    };
    let (done_tx, done_rx) = mpsc::channel::<(usize, R)>();
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                let done_tx = done_tx.clone();
                s.spawn(move || {
                    while let Some(result) = take() {
                        if done_tx.send(result).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(done_tx);
        // Results that came before their turn, and the next one due.
        let mut early: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
        let mut due = 0;
        let mut arrived = |(i, r): (usize, R)| -> Result<(), E> {
            early[i] = Some(r);
            while let Some(r) = early.get_mut(due).and_then(Option::take) {
                due += 1;
                sink(r)?;
            }
            Ok(())
        };
        let mut drive = || -> Result<(), E> {
            // This thread works too, and passes on what the others finished
            // between its own items.
            while let Some(result) = take() {
                arrived(result)?;
                while let Ok(result) = done_rx.try_recv() {
                    arrived(result)?;
                }
            }
            // Every sender gone before the last result: a helper panicked,
            // and its join below ends the run as one thread would have.
            while let Ok(result) = done_rx.recv() {
                arrived(result)?;
            }
            Ok(())
        };
        let outcome = drive();
        stop.store(true, Ordering::Relaxed);
        drop(done_rx);
        for h in helpers {
            // A rule that panics is a bug: it ends the run as it would
            // have on one thread.
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
        outcome
    })
}

#[cfg(test)]
mod tests {
    use super::{each_in_order, in_order};

    /// Uneven items (as apps are): the late ones finish first on the other
    /// thread, and must still come back in place.
    fn uneven_items() -> Vec<u64> {
        (0..200)
            .map(|i| if i % 7 == 0 { 20_000 } else { 10 })
            .collect()
    }

    fn slow_square(n: &u64) -> u64 {
        (0..*n).fold(*n, |acc, x| acc.wrapping_add(x % 3)) * 2
    }

    #[test]
    fn work_spread_over_threads_comes_back_in_order() {
        let items = uneven_items();
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

    #[test]
    fn results_reach_the_sink_in_order_and_an_error_stops_the_work() {
        let items = uneven_items();
        let serial: Vec<u64> = items.iter().map(slow_square).collect();
        for threads in [1, 2, 3, 8, 500] {
            let mut got = Vec::new();
            let done = each_in_order(&items, threads, slow_square, |r| {
                got.push(r);
                Ok::<(), ()>(())
            });
            assert_eq!((done, &got), (Ok(()), &serial), "{threads} threads");
        }
        // A sink that fails (a closed pipe) at the 10th result: nothing more
        // is handed to it, and the error comes back.
        for threads in [1, 2, 3] {
            let mut got = Vec::new();
            let done = each_in_order(&items, threads, slow_square, |r| {
                if got.len() == 10 {
                    return Err("closed");
                }
                got.push(r);
                Ok(())
            });
            assert_eq!(done, Err("closed"), "{threads} threads");
            assert_eq!(got, serial[..10], "{threads} threads");
        }
        let none = each_in_order(&Vec::<u64>::new(), 2, slow_square, |_| Err(()));
        assert_eq!(none, Ok(()));
    }
}
