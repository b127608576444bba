//! fixtures/retry-shapes: a made-up cross-posting service whose loops and
//! policies look like retries, one class each, with a real retry of the same
//! shape beside every look-alike. The test pins exactly which sites
//! `retry-storm` reports:
//!
//! - walks are not retries: a paged listing that follows `cursor.next`
//!   (its inner loop over the page's items swallows an item's error, which
//!   is that loop's business), a redirect walk resolving each `Location`
//!   against the last target (`pages.ts:9`, `pages.ts:51`); the same listing
//!   that waits and asks for a failed page again is reported
//!   (`pages.ts:32`);
//! - iteration over pieces is not a retry: one PUT per chunk whose only
//!   `catch` is a fallback for an unreadable error body (`uploads.ts:9`),
//!   one POST per attachment with a status poll nested in it; a chunk sent
//!   again after a failure is reported (`uploads.ts:52`);
//! - retry by recursion: a client method that waits and calls itself with
//!   `attempt + 1` is reported at that call (`client.ts:27`); a method that
//!   walks pages by calling itself with the next cursor is not;
//! - Temporal activity policies: a constant 90 s interval (`backoffCoefficient:
//!   1`, `publish.ts:10`) and an activity on Temporal's default policy, which
//!   never gives up (`publish.ts:18`), are reported; `maximumAttempts: 1`
//!   (retries off) is not.

mod common;

fn storm_sites() -> Vec<(String, u64)> {
    common::rule_sites(&common::scan_fixture("retry-shapes"), "retry-storm")
}

#[test]
fn each_retry_shape_is_reported_and_its_look_alike_is_not() {
    let want: Vec<(String, u64)> = [
        ("src/client.ts", 27),
        ("src/pages.ts", 32),
        ("src/uploads.ts", 52),
        ("src/workflows/publish.ts", 10),
        ("src/workflows/publish.ts", 18),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), *l))
    .collect();
    assert_eq!(storm_sites(), want);
}
