//! Accountable waivers and pull-request gates (docs/waivers.md): the
//! waiver-ledger fixture holds six inline allows and a config, one of each
//! kind a report must account for; the gates' exit codes and messages; and
//! content fingerprints across an inserted call and a renamed file.

mod common;

use std::fs;
use std::path::Path;

use common::{assert_ok, check, graduate};
use serde_json::Value;

const LEDGER: &str = "fixtures/waiver-ledger";

fn run(args: &[&str]) -> std::process::Output {
    graduate()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args(args)
        .arg("--no-git")
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = run(&all);
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `path:line message` of every waiver-hygiene finding.
fn hygiene(r: &Value) -> Vec<String> {
    r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "waiver-hygiene")
        .map(|d| {
            format!(
                "{}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn the_ledger_accounts_for_every_waiver() {
    let r = json(&["scan", LEDGER]);
    let found = hygiene(&r);
    let expect = [
        (".graduate.toml:2 ", "`disable` of runbook: no reason given"),
        (
            ".graduate.toml:2 ",
            "`disable` of slo-defined: no reason given",
        ),
        (".graduate.toml:5 ", "00112233445566ff): matches no finding"),
        ("rates.go:8 ", "no reason given"),
        ("rates.go:13 ", "expired 2020-01-01"),
        ("rates.go:18 ", "expired 2020-01-01"),
        (
            "rates.go:23 ",
            "retry-storm (site rates.go:23): matches no finding",
        ),
        ("rates.go:28 ", "unknown rule `no-such-rule`"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for (at, what) in expect {
        assert!(
            found.iter().any(|f| f.starts_with(at) && f.contains(what)),
            "no finding {at}{what} in {found:#?}"
        );
    }
    // The reasoned, current allow and the config waiver are in order.
    assert!(!found.iter().any(|f| f.starts_with("rates.go:33 ")));
    assert_eq!(check(&r, "waiver-hygiene")["status"], "fail");
    for d in r["debt"].as_array().unwrap() {
        assert_eq!(
            d["rule"] == "waiver-hygiene",
            d["impact"] == 1,
            "severity low: {d}"
        );
    }
    // What the expired allows hid is back, marked; what the others hide is
    // not in the debt but in the suppressions.
    let timeouts: Vec<(u64, Option<&str>)> = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "outbound-timeout")
        .map(|d| (d["line"].as_u64().unwrap(), d["waiver"].as_str()))
        .collect();
    assert_eq!(
        timeouts,
        [
            (14, Some("waiver expired 2020-01-01 (rates.go:13)")),
            (19, Some("waiver expired 2020-01-01 (rates.go:18)")),
            (24, None),
            (29, None),
        ]
    );
    let mut hidden: Vec<String> = r["suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}:{} {}",
                s["path"].as_str().unwrap(),
                s["line"],
                s["kind"]
            )
        })
        .collect();
    hidden.sort();
    assert_eq!(
        hidden,
        [
            "main.go:14 \"config\"",
            "rates.go:34 \"inline\"",
            "rates.go:9 \"inline\""
        ]
    );
    // The disabled rules are not checks; every waiver is listed with its
    // owner and date as written.
    assert!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "runbook")
    );
    let owners: Vec<&str> = r["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["owner"].as_str())
        .collect();
    assert_eq!(owners, ["@erin", "@dave", "@alice", "@bob", "@carol"]);
}

#[test]
fn no_waivers_scores_as_if_nothing_were_waived() {
    let with = json(&["scan", LEDGER]);
    let without = json(&["scan", LEDGER, "--no-waivers"]);
    let (a, b) = (
        with["score"].as_u64().unwrap(),
        without["score"].as_u64().unwrap(),
    );
    assert!(b < a, "{b} < {a}");
    assert_eq!(with["waiver_effect"]["score_without"], b);
    assert_eq!(without["waiver_effect"]["score_with"], a);
    assert!(without["suppressions"].as_array().unwrap().is_empty());
    assert!(
        without["waivers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["status"] == "ignored")
    );
    // Auditor mode runs the disabled rules and shows what every allow hid.
    assert_eq!(check(&without, "runbook")["status"], "fail");
    assert_eq!(
        check(&without, "waiver-hygiene")["status"],
        "not-applicable"
    );
    let timeouts = without["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "outbound-timeout")
        .count();
    assert_eq!(timeouts, 6);
    // Both numbers in every format.
    let n = with["waiver_effect"]["active"].as_u64().unwrap();
    let both = format!("{a}, {b} without {n} waivers");
    for format in ["text", "markdown", "html"] {
        let out = run(&["scan", LEDGER, "--format", format]);
        assert_ok(&out);
        assert!(text(&out).0.contains(&both), "{format} lacks {both:?}");
    }
    let sarif: Value =
        serde_json::from_slice(&run(&["scan", LEDGER, "--format", "sarif"]).stdout).unwrap();
    let props = &sarif["runs"][0]["properties"];
    assert_eq!(
        (
            props["score"].as_u64(),
            props["scoreWithoutWaivers"].as_u64()
        ),
        (Some(a), Some(b))
    );
}

#[test]
fn every_format_lists_the_waivers() {
    let why = [
        "calendar API answers from a CDN",
        "fee service is on the same host",
        "there is no retry loop here any more",
        "the regions proxy enforces a 2 s deadline",
        "the one log line is the fatal exit",
        "rotated sandbox key, kept in a fixture",
    ];
    for format in ["text", "json", "markdown", "html", "sarif"] {
        let out = run(&["scan", LEDGER, "--format", format]);
        assert_ok(&out);
        let body = text(&out).0;
        for w in why {
            // SARIF lists the waivers that hide or lapsed on a finding.
            if format == "sarif" && (w.contains("retry") || w.contains("rotated")) {
                continue;
            }
            assert!(body.contains(w), "{format} does not list the waiver {w:?}");
        }
        if !matches!(format, "sarif" | "json") {
            for at in ["rates.go:8", "rates.go:28", ".graduate.toml:2"] {
                assert!(
                    body.contains(at),
                    "{format} does not list the waiver at {at}"
                );
            }
        }
    }
}

/// A throwaway copy of a fixture to edit.
fn copy(fixture: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture),
        dir.path(),
    );
    dir
}

#[test]
fn fail_on_drop_and_fail_on_new_exit_one_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("base.json");
    fs::write(&baseline, run(&["scan", LEDGER, "--format", "json"]).stdout).unwrap();
    let b = baseline.to_str().unwrap();
    // Nothing changed: both gates pass.
    let out = run(&[
        "scan",
        LEDGER,
        "--baseline",
        b,
        "--fail-on-new",
        "--fail-on-drop",
        "0",
    ]);
    assert_ok(&out);
    assert!(
        text(&out)
            .0
            .contains("no finding is new against the baseline")
    );
    // Dropping the waivers drops the score by 6 and brings findings back.
    let out = run(&[
        "scan",
        LEDGER,
        "--no-waivers",
        "--baseline",
        b,
        "--fail-on-drop",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (_, err) = text(&out);
    assert!(
        err.contains("--fail-on-drop failed: score fell by 6, from 32 to 26 (limit 5)"),
        "{err}"
    );
    let out = run(&[
        "scan",
        LEDGER,
        "--no-waivers",
        "--baseline",
        b,
        "--fail-on-drop",
        "6",
    ]);
    assert_ok(&out);
    let out = run(&[
        "scan",
        LEDGER,
        "--no-waivers",
        "--baseline",
        b,
        "--fail-on-new",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let (_, err) = text(&out);
    assert!(
        err.contains("--fail-on-new failed: 5 findings are not in the baseline"),
        "{err}"
    );
    assert!(err.contains("outbound-timeout at rates.go:9"), "{err}");
    assert!(err.contains("runbook at (repository)"), "{err}");
    // The PR comment names the failed gate and what tripped it.
    let out = graduate()
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .args([
            "comment",
            "--dry-run",
            "--no-git",
            LEDGER,
            "--no-waivers",
            "--baseline",
            b,
            "--fail-on-new",
        ])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = text(&out).0;
    assert!(
        md.contains("❌ **Gate `fail-on-new` failed**: 5 findings are not in the baseline"),
        "{md}"
    );
    assert!(md.contains("  - outbound-timeout at rates.go:9"), "{md}");
    // A gate without a baseline is a usage error, from the flag or the config.
    let out = run(&["scan", LEDGER, "--fail-on-new"]);
    assert_eq!(out.status.code(), Some(2));
    let copy = copy(LEDGER);
    let config = copy.path().join(".graduate.toml");
    let mut toml = fs::read_to_string(&config).unwrap();
    toml.insert_str(0, "fail-on-new = true\n");
    fs::write(&config, toml).unwrap();
    let out = run(&["scan", copy.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("need --baseline"), "{}", text(&out).1);
    let out = run(&["scan", copy.path().to_str().unwrap(), "--baseline", b]);
    assert_ok(&out);
    let out = run(&[
        "scan",
        copy.path().to_str().unwrap(),
        "--no-waivers",
        "--baseline",
        b,
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the config's fail-on-new applies"
    );
}

const CALLS: &str = "package main\n\nimport \"net/http\"\n\n\
func loadRates(u string) {\n\thttp.Get(u)\n}\n\n\
func loadFees(u string) {\n\thttp.Get(u)\n}\n";

/// New fingerprints (with their lines) and fixed count against `baseline`.
fn diff(root: &Path, baseline: &Path) -> (Vec<(String, u64)>, usize) {
    let r = json(&[
        "scan",
        root.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    let b = &r["baseline"];
    let new: Vec<(String, u64)> = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| b["new"].as_array().unwrap().contains(&d["fingerprint"]))
        .map(|d| {
            (
                format!(
                    "{} {}",
                    d["rule"].as_str().unwrap(),
                    d["path"].as_str().unwrap_or("")
                ),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    (new, b["fixed"].as_array().unwrap().len())
}

fn calls_app() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    fs::create_dir(&app).unwrap();
    fs::write(app.join("go.mod"), "module example.com/calls\n\ngo 1.22\n").unwrap();
    fs::write(app.join("calls.go"), CALLS).unwrap();
    let baseline = dir.path().join("base.json");
    fs::write(
        &baseline,
        run(&["scan", app.to_str().unwrap(), "--format", "json"]).stdout,
    )
    .unwrap();
    (dir, baseline)
}

/// An identical call inserted in a new function above the old ones is the
/// one new finding; the untouched calls below keep their identity (by
/// rule, path, message and occurrence the inserted call took the first
/// old one's fingerprint and the last was marked new).
#[test]
fn an_inserted_identical_call_is_exactly_one_new_finding() {
    let (dir, baseline) = calls_app();
    let app = dir.path().join("app");
    assert_eq!(diff(&app, &baseline), (vec![], 0));
    let inserted = CALLS.replace(
        "func loadRates",
        "func loadTaxes(u string) {\n\thttp.Get(u)\n}\n\nfunc loadRates",
    );
    fs::write(app.join("calls.go"), inserted).unwrap();
    let (new, fixed) = diff(&app, &baseline);
    assert_eq!(new, [("outbound-timeout calls.go".to_string(), 6)]);
    assert_eq!(fixed, 0);
}

/// A renamed file with the same content: nothing new, nothing fixed.
#[test]
fn a_renamed_file_keeps_its_findings() {
    let (dir, baseline) = calls_app();
    let app = dir.path().join("app");
    fs::rename(app.join("calls.go"), app.join("client.go")).unwrap();
    assert_eq!(diff(&app, &baseline), (vec![], 0));
    // Moved lines as well as a new name.
    let shifted = format!("// Package main calls the rates service.\n{CALLS}");
    fs::write(app.join("client.go"), shifted).unwrap();
    assert_eq!(diff(&app, &baseline), (vec![], 0));
}

/// A baseline written before content fingerprints (by graduate at commit
/// 036bf06, over fixtures/go-service) still matches: nothing new, nothing
/// fixed.
#[test]
fn an_old_baseline_is_still_read() {
    let r = json(&[
        "scan",
        "fixtures/go-service",
        "--baseline",
        "tests/data/baseline-before-content-fingerprints.json",
    ]);
    let old: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/baseline-before-content-fingerprints.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(old["debt"][0].get("content_fingerprint").is_none());
    assert_eq!(
        r["baseline"]["new"].as_array().unwrap().len(),
        0,
        "{}",
        r["baseline"]
    );
    assert_eq!(r["baseline"]["fixed"].as_array().unwrap().len(), 0);
}

/// A Go HTTP server with a route: what makes a folder with a `go.mod` an app.
const SERVER: &str = "package main\n\nimport \"net/http\"\n\n\
func main() {\n\thttp.HandleFunc(\"/healthz\", func(w http.ResponseWriter, r *http.Request) {})\n\
\thttp.ListenAndServe(\":8080\", nil)\n}\n";

/// Two apps side by side, each with the calls of [`CALLS`]: in a repository
/// of several apps each app's findings are identified by their enclosing
/// code as a lone app's are, so an identical call inserted above the old
/// ones in one app is the one new finding, at its own line. (Identified by
/// their message only, the inserted call took the first old call's
/// fingerprint and the last old call was reported new.)
#[test]
fn an_inserted_identical_call_in_one_of_two_apps_is_exactly_one_new_finding() {
    let repo = tempfile::tempdir().unwrap();
    for app in ["rates", "fees"] {
        let root = repo.path().join(app);
        fs::create_dir(&root).unwrap();
        fs::write(
            root.join("go.mod"),
            format!("module example.com/{app}\n\ngo 1.22\n"),
        )
        .unwrap();
        fs::write(root.join("main.go"), SERVER).unwrap();
        fs::write(root.join("calls.go"), CALLS).unwrap();
    }
    let report = json(&["scan", repo.path().to_str().unwrap()]);
    assert_eq!(report["apps"].as_array().unwrap().len(), 2, "two apps");
    let elsewhere = tempfile::tempdir().unwrap();
    let baseline = elsewhere.path().join("base.json");
    fs::write(&baseline, serde_json::to_vec(&report).unwrap()).unwrap();
    assert_eq!(diff(repo.path(), &baseline), (vec![], 0));
    let inserted = CALLS.replace(
        "func loadRates",
        "func loadTaxes(u string) {\n\thttp.Get(u)\n}\n\nfunc loadRates",
    );
    fs::write(repo.path().join("rates/calls.go"), inserted).unwrap();
    let (new, fixed) = diff(repo.path(), &baseline);
    assert_eq!(new, [("outbound-timeout rates/calls.go".to_string(), 6)]);
    assert_eq!(fixed, 0);
}
