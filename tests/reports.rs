//! Markdown, SARIF and HTML renderers over the same fixtures, and the
//! baseline diff. Output is pinned with SOURCE_DATE_EPOCH for snapshots.

mod common;

use std::fs;
use std::path::Path;

use common::graduate;
use serde_json::Value;

const EPOCH: &str = "1795000000";

fn render(args: &[&str]) -> String {
    // Fixtures live inside this repository's git history, which moves:
    // snapshots leave history out.
    let out = graduate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(args)
        .arg("--no-git")
        .output()
        .unwrap();
    common::assert_ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

fn version_filter() -> Vec<(&'static str, &'static str)> {
    vec![(r"graduate \d+\.\d+\.\d+", "graduate [VERSION]")]
}

#[test]
fn markdown_snapshot_and_commonmark() {
    let md = render(&[
        "scan",
        "fixtures/express-prototype",
        "--format",
        "markdown",
        "--repo-url",
        "https://github.com/acme/orders",
    ]);
    assert!(md.starts_with("<!-- graduate:report -->"));
    assert!(md.lines().count() <= 60, "{} lines", md.lines().count());
    // Renders as GitHub would: tables, links to path#Lline, a <details> block.
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(&md, opts));
    assert_eq!(html.matches("<table>").count(), 2, "pillar and debt tables");
    assert!(html.contains("href=\"https://github.com/acme/orders/blob/HEAD/src/payments.js#L11\""));
    assert!(html.contains("<details>"));
    insta::assert_snapshot!("markdown", md);
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("sarif-2.1.0.json")).expect("schema parses");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for fixture in [
        "express-prototype",
        "fastapi-service",
        "go-service",
        "axum-service",
        "empty-repo",
        "waiver-ledger",
    ] {
        let sarif: Value = serde_json::from_str(&render(&[
            "scan",
            &format!("fixtures/{fixture}"),
            "--format",
            "sarif",
        ]))
        .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{fixture}: {errors:#?}");
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            let loc = &result["locations"][0]["physicalLocation"];
            assert!(
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| !u.is_empty())
            );
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
            assert!(result["partialFingerprints"]["graduateFingerprint/v2"].is_string());
        }
    }
    // Waived findings are results with a suppression that says why: an
    // inline allow in the source, a config entry outside it; an expired
    // waiver is a rejected suppression on a finding that is back.
    let sarif: Value = serde_json::from_str(&render(&[
        "scan",
        "fixtures/waiver-ledger",
        "--format",
        "sarif",
    ]))
    .unwrap();
    let suppressions: Vec<(String, String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["suppressions"].as_array())
        .flatten()
        .map(|s| {
            (
                s["kind"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
                s["justification"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |kind: &str, status: &str, why: &str| {
        suppressions
            .iter()
            .any(|(k, s, j)| k == kind && s == status && j.contains(why))
    };
    assert!(
        has(
            "inSource",
            "accepted",
            "regions proxy enforces a 2 s deadline"
        ),
        "{suppressions:?}"
    );
    assert!(
        has("inSource", "accepted", "(no reason given)"),
        "{suppressions:?}"
    );
    assert!(
        has("external", "accepted", "the one log line is the fatal exit"),
        "{suppressions:?}"
    );
    assert_eq!(
        suppressions
            .iter()
            .filter(|(_, s, j)| s == "rejected" && j.contains("expired 2020-01-01"))
            .count(),
        2,
        "{suppressions:?}"
    );
    let sarif = render(&["scan", "fixtures/go-service", "--format", "sarif"]);
    insta::with_settings!({ filters => vec![(r#""semanticVersion": "[^"]+""#, r#""semanticVersion": "[VERSION]""#)] }, {
        insta::assert_snapshot!("sarif", sarif);
    });
}

/// SARIF takes impact, risk, effort, priority and level from the report, so
/// a configured override reaches code scanning (it recomputed them from the
/// rule registry and showed outbound-timeout as an `error` of priority 125).
#[test]
fn sarif_follows_configured_scores() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("graduate.toml");
    fs::write(
        &config,
        "disable = [\"runbook\"]\n[rules.outbound-timeout]\nimpact = 1\nrisk = 2\neffort = 5\n",
    )
    .unwrap();
    let out = graduate()
        .args([
            "scan",
            "fixtures/go-service",
            "--format",
            "sarif",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    common::assert_ok(&out);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules.iter().all(|r| r["id"] != "runbook"),
        "disabled rule listed"
    );
    let (index, rule) = rules
        .iter()
        .enumerate()
        .find(|(_, r)| r["id"] == "outbound-timeout")
        .unwrap();
    assert_eq!(rule["properties"]["impact"], 1);
    assert_eq!(rule["properties"]["risk"], 2);
    assert_eq!(rule["properties"]["effort"], 5);
    assert_eq!(rule["properties"]["priority"], 2);
    assert_eq!(rule["defaultConfiguration"]["level"], "note");
    assert!(
        rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("outbound-timeout")
    );
    let results: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "outbound-timeout")
        .collect();
    assert!(!results.is_empty());
    for r in results {
        assert_eq!(r["ruleIndex"], index);
        assert_eq!(r["level"], "note");
        assert_eq!(r["properties"]["priority"], 2);
    }
}

/// The plan is part of the report: JSON carries it, and the HTML, text and
/// Markdown show the same items (the HTML built its own before).
#[test]
fn the_plan_is_in_the_report_and_every_format_shows_it() {
    let json: Value = serde_json::from_str(&render(&[
        "scan",
        "fixtures/go-service",
        "--format",
        "json",
    ]))
    .unwrap();
    let plan = json["plan"].as_array().unwrap();
    assert_eq!(plan.len(), 5);
    let week3 = &plan[3];
    assert_eq!(week3["title"], "resilience and cost");
    let timeout = week3["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["rule"] == "outbound-timeout")
        .unwrap();
    assert_eq!(timeout["effort_text"], "under an hour");
    let sites = json["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "outbound-timeout")
        .count();
    assert_eq!(timeout["sites"], sites);
    let text = render(&["scan", "fixtures/go-service", "--format", "text"]);
    assert!(text.contains("Week 3 · resilience and cost"), "{text}");
    let md = render(&["scan", "fixtures/go-service", "--format", "markdown"]);
    // Each week with its total effort, as the report states it.
    assert!(
        md.contains(&format!(
            "**Week 3** · resilience and cost · {}: `outbound-timeout`",
            week3["effort_text"].as_str().unwrap()
        )),
        "{md}"
    );
    let html = render(&["scan", "fixtures/go-service", "--format", "html"]);
    assert!(html.contains("Week 3 · resilience and cost"));
    assert!(html.contains(timeout["title"].as_str().unwrap()));
}

/// With `--fail-under 70` unmet, every format names the cheapest fixes that
/// reach it and the path to the next level, with the effort in words; the
/// JSON's promised score is what its own checks give once those are fixed.
#[test]
fn the_path_to_the_next_level_and_to_fail_under_is_in_every_format() {
    let run = |format: &str| {
        let out = graduate()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args([
                "scan",
                "fixtures/go-service",
                "--no-git",
                "--fail-under",
                "70",
            ])
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "below the target");
        String::from_utf8(out.stdout).unwrap()
    };
    let r: Value = serde_json::from_str(&run("json")).unwrap();
    let t = &r["target"];
    assert_eq!(t["fail_under"], 70);
    assert_eq!(t["met"], false);
    let fixes: Vec<&str> = t["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(!fixes.is_empty());
    // Recompute the score with those checks passing.
    let (mut got, mut total) = (0.0, 0.0);
    for c in r["checks"].as_array().unwrap() {
        if !matches!(c["status"].as_str().unwrap(), "pass" | "fail") {
            continue;
        }
        let w = c["impact"].as_f64().unwrap() * c["risk"].as_f64().unwrap();
        let fraction = if fixes.contains(&c["id"].as_str().unwrap()) {
            1.0
        } else {
            c["pass_fraction"].as_f64().unwrap()
        };
        got += w * fraction;
        total += w;
    }
    let after = (100.0 * got / total).round() as u64;
    assert_eq!(t["score_after"].as_u64().unwrap(), after);
    assert!(after >= 70);
    let next = &r["level"]["next"];
    assert!(!next["fixes"].as_array().unwrap().is_empty());
    let words = next["effort_text"].as_str().unwrap();
    assert!(
        words.starts_with("about") || words == "under an hour",
        "{words}"
    );
    let score = r["score"].as_u64().unwrap();
    let sentence = format!(
        "To reach --fail-under 70 (now {score}): fix {}",
        fixes.join(", ")
    );
    let text = run("text").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains(&sentence), "{text}");
    assert!(
        text.contains(&format!("Next: level {}", next["level"])),
        "{text}"
    );
    let md = run("markdown");
    assert!(md.contains("**To reach `--fail-under 70`**"), "{md}");
    assert!(
        md.contains(&format!("* **Next: level {}", next["level"])),
        "{md}"
    );
    let html = run("html");
    let steps = &html[html.find("data-testid=\"next-steps\"").expect("next steps")..];
    let steps = &steps[..steps.find("</ul>").unwrap()];
    assert!(steps.contains("<b>--fail-under 70</b>"), "{steps}");
    assert!(
        steps.contains(&format!("<b>Level {} · ", next["level"])),
        "{steps}"
    );
    assert!(steps.contains(&format!(" → {after}")), "{steps}");
    for fix in &fixes {
        assert!(
            steps.contains(&format!("<code>{fix}</code>")),
            "{fix}: {steps}"
        );
    }
}

#[test]
fn html_snapshot() {
    let html = render(&["scan", "fixtures/go-service", "--format", "html"]);
    insta::with_settings!({ filters => version_filter() }, {
        insta::assert_snapshot!("html", html);
    });
}

#[test]
fn html_escapes_everything_from_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("src")).unwrap();
    fs::write(
        root.join("src").join("<script>alert(1)<.js"),
        "const express = require('express');\nconst app = express();\napp.get('/<img src=x onerror=alert(2)></style>/health', h);\naxios.get('https://x.example/</style><script>alert(3)</script>');\n",
    )
    .unwrap();
    fs::write(
        root.join("src/\"><img src=x onerror=alert(4)>.py"),
        "import requests\nrequests.get(u)\n",
    )
    .unwrap();
    let out = graduate()
        .arg("scan")
        .arg(root)
        .args(["--format", "html"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;.js"),
        "the file name is shown, escaped"
    );
    assert!(
        html.contains("onerror=alert(2)&#62;&#60;/style&#62;/health"),
        "the route is shown, escaped"
    );
    assert!(
        html.contains("&#34;&#62;&#60;img src=x onerror=alert(4)&#62;.py"),
        "quotes escaped"
    );
    for bad in [
        "<script>alert",
        "<img src=x",
        "onerror=alert(2)>",
        "\"><img",
    ] {
        assert!(!html.contains(bad), "unescaped {bad:?}");
    }
    assert_eq!(
        html.matches("</style>").count(),
        1,
        "only the stylesheet closes a style"
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the page's own script"
    );
    // No external requests: nothing is loaded from anywhere.
    for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(attr), "external reference {attr}");
    }
}

#[test]
fn output_flag_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    let stdout = render(&[
        "scan",
        "fixtures/go-service",
        "--format",
        "html",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert!(stdout.is_empty());
    assert!(
        fs::read_to_string(&file)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn output_dash_is_standard_output_and_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "text"] {
        let out = graduate()
            .current_dir(dir.path())
            .args(["scan", "--format", format, "--output", "-", "--no-git"])
            .arg(fs::canonicalize("fixtures/go-service").unwrap())
            .output()
            .unwrap();
        common::assert_ok(&out);
        assert!(!out.stdout.is_empty(), "{format}: nothing on stdout");
        assert!(
            !dir.path().join("-").exists(),
            "{format}: a file named `-` was written"
        );
    }
}

#[test]
fn baseline_shows_new_and_fixed_and_ignores_line_shifts() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    common::copy_dir(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/go-service")),
        &app,
    );
    let base = dir.path().join("base.json");
    graduate()
        .arg("scan")
        .arg(&app)
        .args(["--format", "json", "-o"])
        .arg(&base)
        .assert()
        .success();
    // Shift every line of upstream.go, add a new unbounded call, and fix CI.
    let upstream = fs::read_to_string(app.join("upstream.go")).unwrap();
    let shifted = upstream.replacen("package main\n", "package main\n\n// moved\n", 1)
        + "\nfunc ping() { http.Post(\"https://ping.example.com\", \"text/plain\", nil) }\n";
    fs::write(app.join("upstream.go"), shifted).unwrap();
    fs::write(
        app.join(".github/workflows/ci.yml"),
        "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
    )
    .unwrap();
    let out = graduate()
        .arg("scan")
        .arg(&app)
        .args(["--format", "json", "--baseline"])
        .arg(&base)
        .output()
        .unwrap();
    common::assert_ok(&out);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let b = &r["baseline"];
    let new: Vec<&Value> = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| b["new"].as_array().unwrap().contains(&d["fingerprint"]))
        .collect();
    assert_eq!(new.len(), 1, "only the http.Post is new: {new:#?}");
    assert!(new[0]["message"].as_str().unwrap().contains("http.Post"));
    let fixed = b["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1, "{fixed:#?}");
    assert_eq!(fixed[0]["rule"], "ci-runs-tests");
    assert_eq!(
        b["score_delta"].as_i64().unwrap(),
        r["score"].as_i64().unwrap() - b["score_before"].as_i64().unwrap()
    );
    // Every renderer shows the change.
    let md = String::from_utf8(
        graduate()
            .arg("scan")
            .arg(&app)
            .args(["--format", "markdown", "--baseline"])
            .arg(&base)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(md.contains("1 new · 1 fixed"), "{md}");
    assert!(md.contains("🆕"));
}

#[test]
fn bad_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("old.json");
    fs::write(&f, "{\"schema_version\": 7, \"score\": 1}").unwrap();
    graduate()
        .args(["scan", "fixtures/go-service", "--baseline"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("schema_version 7"));
}

/// Headless Chromium renders two reports: the score is visible, the console
/// has no errors and the CSP refused nothing (no network request was tried).
/// `.ci/run` installs Debian's chromium; without it the test fails under CI
/// and is skipped (with a message) on a developer machine.
#[test]
fn html_renders_in_headless_chromium() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium");
        eprintln!("chromium not installed: skipping the browser check");
        return;
    };
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"));
    for fixture in ["express-prototype", "fastapi-service"] {
        let page = shots.join(format!("{fixture}.html"));
        render(&[
            "scan",
            &format!("fixtures/{fixture}"),
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ]);
        let profile = tempfile::tempdir().unwrap();
        let common = |cmd: &mut std::process::Command| {
            cmd.args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()));
        };
        let mut dump = std::process::Command::new(chromium);
        common(&mut dump);
        let out = dump
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&out.stdout);
        let log = String::from_utf8_lossy(&out.stderr);
        let score = render(&["scan", &format!("fixtures/{fixture}"), "--format", "json"]);
        let score: Value = serde_json::from_str(&score).unwrap();
        assert!(
            dom.contains(&format!("data-testid=\"score\">{}<small>", score["score"])),
            "{fixture}: score not in the rendered DOM"
        );
        let console_errors: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("CONSOLE") || l.contains("Refused to") || l.contains("Uncaught"))
            .collect();
        assert!(console_errors.is_empty(), "{fixture}: {console_errors:#?}");
        let mut shot = std::process::Command::new(chromium);
        common(&mut shot);
        let png = shots.join(format!("{fixture}.png"));
        let status = shot
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1200,2200")
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        assert!(status.status.success());
        assert!(
            fs::metadata(&png).unwrap().len() > 10_000,
            "a real screenshot"
        );
    }
}
