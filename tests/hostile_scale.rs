//! One function of thousands of outbound calls (issue 14; DESIGN, "one bad
//! file costs one warning"): a file that makes extraction quadratic costs
//! the run minutes, not a warning. The fixes index or memoise per function
//! what was searched per call site; these tests check that the answers did
//! not change with it. Speed itself is measured as ratios (n = 2,000 against
//! n = 20,000 with the release binary: the ignored `write_hostile_trees`),
//! never asserted against a clock.

use std::collections::BTreeMap;

use serde_json::Value;

mod common;

use common::hostile_calls::{self, LANGS, Lang};

/// Debt items per rule in the generated file, and each item's line text.
fn findings(lang: Lang, kind: &str, n: usize) -> (BTreeMap<String, usize>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let files = hostile_calls::tree(lang, kind, n);
    hostile_calls::write(dir.path(), &files);
    let out = common::graduate()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--no-git"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["warnings"], serde_json::json!([]), "{lang:?} {kind}");
    let path = hostile_calls::path(lang);
    let text = &files[0].1;
    let lines: Vec<&str> = text.lines().collect();
    let mut per_rule = BTreeMap::new();
    let mut sites = Vec::new();
    for d in report["debt"].as_array().unwrap() {
        if d["path"] != path {
            continue;
        }
        *per_rule
            .entry(d["rule"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        if d["rule"] == "outbound-timeout" {
            let line = d["line"].as_u64().unwrap() as usize;
            sites.push(lines[line - 1].trim().to_string());
        }
    }
    (per_rule, sites)
}

#[test]
fn each_added_call_adds_the_same_findings_at_its_own_line() {
    // A site judged from a memo of its function (its deadline, its
    // retries), located through the line index, gets the answer the
    // function gets at any size: 30 more calls add exactly the findings the
    // previous 30 did, and every outbound-timeout finding sits on a line
    // that holds a call.
    let mut grew = 0;
    for lang in LANGS {
        for kind in hostile_calls::kinds(lang).into_iter().chain(["mix"]) {
            // `mix` writes whole rounds of every kind.
            let n = if kind == "mix" {
                5 * hostile_calls::kinds(lang).len()
            } else {
                30
            };
            let (a, _) = findings(lang, kind, n);
            let (b, _) = findings(lang, kind, 2 * n);
            let (c, sites) = findings(lang, kind, 3 * n);
            for rule in a.keys().chain(b.keys()).chain(c.keys()) {
                let at = |m: &BTreeMap<String, usize>| *m.get(rule).unwrap_or(&0) as i64;
                assert_eq!(
                    at(&b) - at(&a),
                    at(&c) - at(&b),
                    "{lang:?} {kind}: {rule} at n, 2n, 3n: {a:?} {b:?} {c:?}"
                );
                if rule == "outbound-timeout" && at(&c) > at(&b) {
                    grew += 1;
                }
            }
            for s in sites {
                assert!(s.contains('('), "{lang:?} {kind}: finding on `{s}`");
            }
        }
    }
    // Most kinds are unbounded calls: the test would pass vacuously if none
    // were reported.
    assert!(grew >= 15, "{grew} kinds grew outbound-timeout findings");
}

#[test]
#[ignore = "writes the timing trees; run with HOSTILE_OUT=dir"]
fn write_hostile_trees() {
    // HOSTILE_OUT=/tmp/h cargo test --release --test hostile_scale -- --ignored
    // then time `graduate scan $HOSTILE_OUT/n2000/go-sdk --format json`
    // against n20000.
    let out = std::path::PathBuf::from(std::env::var("HOSTILE_OUT").expect("HOSTILE_OUT"));
    for n in [2_000, 20_000] {
        for lang in LANGS {
            for kind in hostile_calls::kinds(lang).into_iter().chain(["mix"]) {
                let tag = format!("{lang:?}-{kind}").to_lowercase();
                let dir = out.join(format!("n{n}")).join(tag);
                let files = hostile_calls::tree(lang, kind, n);
                assert!(files[0].1.len() < 1 << 20, "{lang:?} {kind} over 1 MiB");
                hostile_calls::write(&dir, &files);
            }
        }
    }
}
