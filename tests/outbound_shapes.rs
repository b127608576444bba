//! fixtures/outbound-shapes: one made-up service holding each shape of
//! outbound call and retry loop that issue 14 names, bounded and not. The
//! test pins exactly which sites `outbound-timeout` and `retry-storm` report,
//! so each class has a failing case (listed) and a passing one (absent):
//!
//! - a project client package: `quick.Post` through `NewClient()` on
//!   `http.DefaultClient` and `hookclient.Post` through its shared client are
//!   reported; `careful.Post` through `NewPatient()` (5 s) and the wrapper's
//!   own `c.hc.Post` are not;
//! - a Go caller's `context.WithTimeout` passed as `ctx` bounds `load`; of two
//!   functions each with a local `client`, only the bare one is reported;
//! - slack-go built with defaults is reported;
//! - a Rust `reqwest::get` under the caller's `tokio::time::timeout` is not,
//!   the one without is;
//! - OpenAI's 600 s default is reported at risk 3, an AI SDK call without an
//!   abort signal at full risk, the one with a signal not at all; an S3 client
//!   used only to presign is no site; MeiliSearch with `timeout` is bounded;
//! - the retry storms are the three-attempt, no-delay loop around a helper
//!   with a multi-line `def` header, and the `tries_left` loop around a helper
//!   that posts through the project's own pycurl wrapper (`curl.post`);
//!   walking feed entries, batching targets, a cache read, the start-up wait
//!   for the database, a worker parked on its event, a queue consumer, a Go
//!   `select` on a work channel and a walk up a reply chain that stops at the
//!   first error are not retries;
//! - client code is out of scope: `pushclient`, a Go package imported only by
//!   the `push` subcommand of a cobra CLI whose `serve` subcommand is the
//!   server, has an unbounded `http.Post` and a reconnect loop, neither
//!   reported; `internal/feeds`, imported by `push` and by `serve`, stays
//!   in the service (feeds.go:39 is reported). The script the Dockerfile's
//!   `HEALTHCHECK` runs (`docker/alive.py`, an `urlopen` without timeout) is
//!   a probe bounded by Docker, not reported.

use serde_json::Value;

mod common;

fn scan() -> Value {
    let out = common::graduate()
        .args([
            "scan",
            "fixtures/outbound-shapes",
            "--format",
            "json",
            "--no-git",
        ])
        .output()
        .unwrap();
    common::assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sites(report: &Value, rule: &str) -> Vec<(String, u64, u64)> {
    let mut out: Vec<(String, u64, u64)> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule && d["path"].is_string())
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["risk"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_outbound_shape_is_read_where_its_timeout_is_decided() {
    let report = scan();
    let got = sites(&report, "outbound-timeout");
    let want: Vec<(String, u64, u64)> = [
        ("internal/alerts/pager.go", 11, 5),
        ("internal/alerts/pager.go", 18, 5),
        ("internal/feeds/feeds.go", 39, 5),
        ("internal/notify/slack.go", 6, 5),
        ("probe/src/probe.rs", 7, 5),
        ("worker/src/summarise.ts", 4, 3),
        ("worker/src/summarise.ts", 7, 5),
    ]
    .iter()
    .map(|(p, l, r)| (p.to_string(), *l, *r))
    .collect();
    assert_eq!(got, want);
    let evidence = common::check(&report, "outbound-timeout")["evidence"].to_string();
    for bounded in [
        "careful.Post through the net/http client built at internal/hookclient/hookclient.go:29, configured with a timeout",
        "its caller bounds `load` with a caller's context deadline",
        "its caller bounds `ping` with tokio::time::timeout at probe/src/main.rs:8",
        "new MeiliSearch with a timeout",
    ] {
        assert!(evidence.contains(bounded), "{bounded}\n{evidence}");
    }
    assert!(
        !evidence.contains("files.ts"),
        "presign-only S3 client counted"
    );
    assert!(
        !evidence.contains("hookclient.go:38"),
        "wrapper line counted"
    );
}

#[test]
fn only_the_real_retry_is_a_storm() {
    let report = scan();
    assert_eq!(
        sites(&report, "retry-storm"),
        vec![
            ("jobs/deliveries.py".to_string(), 77, 4),
            ("jobs/sync.py".to_string(), 21, 4)
        ]
    );
}
