//! The binary on the fixture apps: text and JSON snapshots, and one row per
//! rule naming a fixture where it passes and one where it fails.

use serde_json::Value;

mod common;

use common::{check, graduate};

fn scan_json(fixture: &str) -> Value {
    let out = graduate()
        .args(["scan", &format!("fixtures/{fixture}"), "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status(report: &Value, rule: &str) -> String {
    check(report, rule)["status"].as_str().unwrap().to_string()
}

const FIXTURES: &[&str] = &[
    "express-prototype",
    "fastapi-service",
    "go-service",
    "axum-service",
    "flask-minimal",
    "empty-repo",
    "node-resilient",
];

/// rule → (fixture where it passes, fixture where it fails).
const RULE_TABLE: &[(&str, &str, &str)] = &[
    ("tests-present", "fastapi-service", "express-prototype"),
    ("ci-runs-tests", "axum-service", "go-service"),
    ("health-endpoint", "go-service", "express-prototype"),
    ("otel-tracing", "axum-service", "go-service"),
    ("outbound-timeout", "fastapi-service", "axum-service"),
    ("retry-backoff", "fastapi-service", "express-prototype"),
    ("hardcoded-secret", "fastapi-service", "express-prototype"),
    ("env-file-committed", "fastapi-service", "express-prototype"),
    ("runbook", "fastapi-service", "axum-service"),
    ("retry-storm", "fastapi-service", "node-resilient"),
    ("circuit-breaker", "node-resilient", "fastapi-service"),
    ("inbound-rate-limit", "node-resilient", "express-prototype"),
    ("graceful-shutdown", "fastapi-service", "go-service"),
    ("metrics-exported", "fastapi-service", "go-service"),
    ("structured-logging", "node-resilient", "express-prototype"),
    ("pii-in-logs", "go-service", "node-resilient"),
];

#[test]
fn every_rule_passes_on_one_fixture_and_fails_on_another() {
    let reports: std::collections::HashMap<&str, Value> =
        FIXTURES.iter().map(|f| (*f, scan_json(f))).collect();
    for (rule, pass, fail) in RULE_TABLE {
        assert_eq!(status(&reports[pass], rule), "pass", "{rule} on {pass}");
        assert_eq!(status(&reports[fail], rule), "fail", "{rule} on {fail}");
    }
}

#[test]
fn rule_table_covers_every_registered_rule() {
    for rule in graduate::rules::all() {
        assert!(
            RULE_TABLE.iter().any(|(id, _, _)| *id == rule.meta.id),
            "rule {} has no pass/fail fixture row",
            rule.meta.id
        );
    }
}

#[test]
fn text_reports() {
    for fixture in FIXTURES {
        let out = graduate()
            .args(["scan", &format!("fixtures/{fixture}"), "--color", "never"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "over 80 columns: {line}");
        }
        insta::with_settings!({
            filters => vec![(r"graduate \d+\.\d+\.\d+", "graduate [VERSION]")],
            snapshot_suffix => *fixture,
        }, {
            insta::assert_snapshot!("text", text);
        });
    }
}

#[test]
fn json_reports() {
    for fixture in FIXTURES {
        let report = scan_json(fixture);
        insta::with_settings!({ snapshot_suffix => *fixture }, {
            insta::assert_json_snapshot!("json", report, {
                ".tool.version" => "[version]",
                ".commit" => "[commit]",
                ".scanned_at" => "[time]",
            });
        });
    }
}

#[test]
fn json_follows_the_contract() {
    let r = scan_json("express-prototype");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "graduate");
    for key in [
        "root", "commit", "score", "grade", "pillars", "checks", "debt", "signoff", "pressure",
    ] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    let debt = r["debt"].as_array().unwrap();
    let priorities: Vec<u64> = debt
        .iter()
        .map(|d| d["priority"].as_u64().unwrap())
        .collect();
    assert!(
        priorities.windows(2).all(|w| w[0] >= w[1]),
        "debt sorted by priority"
    );
    for d in debt {
        let (i, rk, e) = (
            d["impact"].as_u64().unwrap(),
            d["risk"].as_u64().unwrap(),
            d["effort"].as_u64().unwrap(),
        );
        assert_eq!(d["priority"].as_u64().unwrap(), i * rk * (6 - e));
    }
    // Per-site findings name path:line.
    assert!(
        debt.iter()
            .filter(|d| d["rule"] == "outbound-timeout")
            .all(|d| d["line"].is_u64())
    );
}

#[test]
fn secrets_never_appear_whole() {
    let secrets = [
        "AKIAQ3EGRS7XZ2LMN4PB",
        "sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f",
        "Pr0dPassw0rd9",
        "f7Kq9XzR2mLp4VbN8tYw3HsD6jGc1aEu",
    ];
    for format in ["text", "json", "markdown", "sarif", "html"] {
        let out = graduate()
            .args([
                "scan",
                "fixtures/express-prototype",
                "--color",
                "never",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for s in secrets {
            assert!(!all.contains(s), "{format} output leaks {}…", &s[..4]);
        }
        assert!(
            all.contains("AKIA…(20 chars)"),
            "{format}: redacted form shown"
        );
    }
}
