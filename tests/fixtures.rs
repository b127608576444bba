//! The binary on the fixture apps: text and JSON snapshots, and one row per
//! rule naming a fixture where it passes and one where it fails.

use serde_json::Value;

mod common;

use common::{check, graduate};

fn scan_json(fixture: &str) -> Value {
    common::scan_fixture(fixture)
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
    "monorepo-two-pipelines",
    "node-resilient",
    "koa-orders",
    "next-storefront",
    "three-apps",
    "secret-lookalikes",
    "waiver-ledger",
    "waiver-kept",
    "python-vendored-lib",
];

/// rule → (fixture where it passes, fixture where it fails).
const RULE_TABLE: &[(&str, &str, &str)] = &[
    ("tests-present", "fastapi-service", "express-prototype"),
    (
        "lockfile-committed",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    ("ci-runs-tests", "axum-service", "go-service"),
    (
        "coverage-threshold",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    // koa-orders' only /health route is a stub upstream in its tests.
    ("health-endpoint", "go-service", "koa-orders"),
    ("otel-tracing", "axum-service", "go-service"),
    (
        "deploy-health-probe",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    ("outbound-timeout", "fastapi-service", "axum-service"),
    ("retry-backoff", "fastapi-service", "express-prototype"),
    ("hardcoded-secret", "fastapi-service", "express-prototype"),
    (
        "insecure-default-secret",
        "fastapi-service",
        "express-prototype",
    ),
    ("env-file-committed", "fastapi-service", "express-prototype"),
    ("env-gitignored", "fastapi-service", "express-prototype"),
    (
        "dependency-updates",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    ("runbook", "fastapi-service", "axum-service"),
    ("slo-defined", "fastapi-service", "monorepo-two-pipelines"),
    (
        "alerting-rules",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    ("codeowners", "fastapi-service", "monorepo-two-pipelines"),
    (
        "postmortem-template",
        "fastapi-service",
        "express-prototype",
    ),
    ("feature-flags", "fastapi-service", "express-prototype"),
    (
        "autoscaling-bounds",
        "fastapi-service",
        "monorepo-two-pipelines",
    ),
    ("budget-alerts", "fastapi-service", "monorepo-two-pipelines"),
    ("retry-storm", "fastapi-service", "node-resilient"),
    ("circuit-breaker", "node-resilient", "fastapi-service"),
    ("inbound-rate-limit", "node-resilient", "express-prototype"),
    ("graceful-shutdown", "fastapi-service", "go-service"),
    ("metrics-exported", "fastapi-service", "go-service"),
    ("structured-logging", "node-resilient", "express-prototype"),
    ("pii-in-logs", "go-service", "node-resilient"),
    ("waiver-hygiene", "waiver-kept", "waiver-ledger"),
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

/// (path, line, note) of a check's evidence.
fn evidence(report: &Value, rule: &str) -> Vec<(String, u64, String)> {
    check(report, rule)["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or("").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["note"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The cases the code rules must get right, end to end: each names the
/// fixture file and line where the scanner must read it one way.
#[test]
fn tricky_code_cases() {
    let note_at = |fixture: &str, rule: &str, path: &str, line: u64| -> String {
        let report = scan_json(fixture);
        evidence(&report, rule)
            .into_iter()
            .find(|(p, l, _)| p == path && *l == line)
            .map(|(_, _, n)| n)
            .unwrap_or_else(|| panic!("{fixture}: no {rule} evidence at {path}:{line}"))
    };
    // A Go client with a Timeout, declared in one file and used via
    // client.Do in another file of the package.
    let n = note_at("go-service", "outbound-timeout", "pricing.go", 16);
    assert!(
        n.contains("upstream.go:11, configured with a timeout"),
        "{n}"
    );
    // http.DefaultClient.Do on a request whose context has a deadline.
    let n = note_at("go-service", "outbound-timeout", "pricing.go", 35);
    assert!(n.contains("context deadline"), "{n}");
    // A reqwest client built with a timeout in main.rs, kept in the axum
    // state and called from a handler module.
    let n = note_at("axum-service", "outbound-timeout", "src/rates.rs", 24);
    assert!(
        n.contains("src/main.rs:86, configured with a timeout"),
        "{n}"
    );
    // A route registered on a router nested under a prefix.
    let n = note_at("axum-service", "health-endpoint", "src/main.rs", 70);
    assert!(n.contains("/ops/healthz"), "{n}");
    // An httpx client with timeout=None, used in another function.
    let n = note_at("flask-minimal", "outbound-timeout", "app.py", 47);
    assert!(n.contains("timeout=None"), "{n}");
    // A configured got instance used in another function; the bare export
    // in the same file has no timeout; ky's default is a bound.
    let koa = scan_json("koa-orders");
    let outbound: Vec<(String, u64)> = koa["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "outbound-timeout")
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(outbound, [("src/shipping.ts".to_string(), 16)]);
    let n = note_at("koa-orders", "outbound-timeout", "src/shipping.ts", 11);
    assert!(n.contains("configured at line 5 with a timeout"), "{n}");
    // A health route only in a test file does not count.
    assert_eq!(status(&koa, "health-endpoint"), "fail");
    assert!(
        evidence(&koa, "health-endpoint")
            .iter()
            .all(|(p, _, _)| !p.starts_with("test/")),
        "a test stub's route is not the app's"
    );
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
            .args([
                "scan",
                &format!("fixtures/{fixture}"),
                "--color",
                "never",
                "--no-git",
            ])
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

fn scan_dir_json(dir: &std::path::Path) -> Value {
    let out = graduate()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json", "--no-git"])
        .output()
        .unwrap();
    common::assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Hiding evidence must never pay: go-service with a plain Dockerfile (no
/// HEALTHCHECK, nothing about scaling or budgets) shows a deployment that
/// checks nothing, and scores exactly what it scores with its deployment
/// out of sight. The old rules skipped the deploy checks without the
/// Dockerfile and failed them with it (40 against 37).
#[test]
fn a_plain_dockerfile_neither_raises_nor_lowers_the_score() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("go-service");
    common::copy_dir(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/go-service")),
        &app,
    );
    let hidden = scan_dir_json(&app);
    std::fs::write(
        app.join("Dockerfile"),
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM gcr.io/distroless/base\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
    )
    .unwrap();
    let shown = scan_dir_json(&app);
    assert_eq!(shown["score"], hidden["score"]);
    for rule in ["deploy-health-probe", "autoscaling-bounds", "budget-alerts"] {
        assert_eq!(status(&hidden, rule), "fail", "{rule} without a Dockerfile");
        assert_eq!(
            status(&shown, rule),
            "fail",
            "{rule} with a plain Dockerfile"
        );
    }
    // No other check changes status either.
    for c in shown["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert_eq!(c["status"], check(&hidden, id)["status"], "{id}");
    }
}

#[test]
fn json_follows_the_contract() {
    let r = scan_json("express-prototype");
    assert_eq!(r["schema_version"], 2);
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

/// Every output format the binary has, with stdout and stderr together.
const FORMATS: &[&str] = &["text", "json", "markdown", "sarif", "html"];

fn all_output(root: &str, format: &str) -> String {
    // The terminal report lists every finding with --all only.
    let all: &[&str] = if format == "text" { &["--all"] } else { &[] };
    let out = graduate()
        .args(["scan", root, "--color", "never", "--format", format])
        .args(all)
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn secrets_never_appear_whole() {
    let secrets = [
        "AKIAQ3EGRS7XZ2LMN4PB",
        "sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f",
        "Pr0dPassw0rd9",
        "f7Kq9XzR2mLp4VbN8tYw3HsD6jGc1aEu",
        "superSecret",
    ];
    for format in FORMATS {
        let all = all_output("fixtures/express-prototype", format);
        for s in secrets {
            assert!(!all.contains(s), "{format} output leaks {}…", &s[..4]);
        }
        // A PR comment is public: it shows no character of a secret, only
        // the provider and the fingerprint.
        let redacted = if *format == "markdown" {
            "aws-access-key-id \\[redacted\\] (fingerprint d62d4e2c9a0e769e)"
        } else {
            "AKIA…(20 chars)"
        };
        assert!(all.contains(redacted), "{format}: redacted form shown");
    }
}

/// Every positive of the secrets corpus, each in a file of its own under
/// its own path, scanned in every format: no output holds a value whole,
/// and nearly every value was reported (so the check is not vacuous).
#[test]
fn corpus_secrets_never_appear_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut values = Vec::new();
    for (i, case) in common::secrets_corpus::corpus()
        .into_iter()
        .filter(|c| c.positive)
        .enumerate()
    {
        let path = dir.path().join(format!("case{i}")).join(&case.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &case.text).unwrap();
        values.extend(case.secrets);
    }
    let root = dir.path().to_str().unwrap();
    let report: Value = serde_json::from_str(&all_output(root, "json")).unwrap();
    let found = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "hardcoded-secret")
        .count();
    assert!(
        found * 10 >= values.len() * 9,
        "only {found} of {} corpus secrets reported",
        values.len()
    );
    for format in FORMATS {
        let all = all_output(root, format);
        for v in &values {
            // Whole values, and any 12-character window of the secret part
            // past the 4 characters redaction may show.
            assert!(
                !all.contains(v.as_str()),
                "{format} output leaks a value whole"
            );
            let chars: Vec<char> = v.chars().collect();
            for w in chars.windows(12).skip(4) {
                let w: String = w.iter().collect();
                if w.chars().all(|c| c.is_ascii_alphanumeric()) && !all_common(&w) {
                    assert!(!all.contains(&w), "{format} output leaks part of a value");
                }
            }
        }
    }
}

/// Windows of a PEM header or a URL scheme are not secret material.
fn all_common(w: &str) -> bool {
    ["PRIVATE", "BEGIN", "KEY", "http", "hooks", "slack"]
        .iter()
        .any(|p| w.contains(p))
}

/// Issue "findings a developer trusts (1)": where code runs decides what the
/// server rules read, and which secret-shaped values are listed.
#[test]
fn scopes_decide_sites_and_secrets() {
    let report = scan_json("next-storefront");
    let sites = |rule: &str| -> Vec<(String, u64, String)> {
        report["debt"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                (
                    d["path"].as_str().unwrap_or("").to_string(),
                    d["line"].as_u64().unwrap_or(0),
                    d["scope"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    // Only the route handler's call: not the client component, not the
    // component it imports, not the seeding script, not the example.
    assert_eq!(
        sites("outbound-timeout"),
        vec![(
            "app/api/checkout/route.ts".to_string(),
            8,
            "server".to_string()
        )]
    );
    // The server component and the module only the route imports are read
    // as server code, and pass.
    let ev = evidence(&report, "outbound-timeout");
    assert!(
        ev.iter()
            .any(|(p, l, _)| p == "app/orders/page.tsx" && *l == 3)
    );
    assert!(ev.iter().any(|(p, l, _)| p == "lib/payments.ts" && *l == 3));
    assert!(
        !ev.iter()
            .any(|(p, _, _)| p.starts_with("components/") || p.starts_with("scripts/"))
    );
    // The browser's console.log is not the server's logging (a client
    // component, and the effect and click handler of a page the server
    // renders), nor is a script run by hand through `npm run admin:refund`;
    // the route's customer e-mail is.
    assert_eq!(
        sites("pii-in-logs"),
        vec![(
            "app/api/checkout/route.ts".to_string(),
            12,
            "server".to_string()
        )]
    );
    // A dev script's SIGTERM handler does not drain the server.
    assert_ne!(check(&report, "graceful-shutdown")["status"], "pass");
    // Fake keys in tests and examples, a locale string and a CI service
    // database password are not listed; what was left out is said.
    assert_eq!(check(&report, "hardcoded-secret")["status"], "pass");
    let notes: Vec<String> = evidence(&report, "hardcoded-secret")
        .into_iter()
        .map(|e| e.2)
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("not listed")
            && n.contains("test files")
            && n.contains("example files")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("ci-service-database")),
        "{notes:?}"
    );
    let browser = scope_row(&report, "browser");
    assert_eq!(browser["files"], 2);
    assert_eq!(browser["code_left_out"], 2);
}

/// A folder of copies of the project's own Python dependencies, put on
/// `sys.path` by the service, is vendored: the libraries' calls, logs and
/// test keys are not the service's findings; the service's own call is.
/// Nor is the page script its template loads (no package.json, no module).
#[test]
fn vendored_python_packages_and_page_scripts_are_not_the_service() {
    let report = scan_json("python-vendored-lib");
    let debt_paths: Vec<(&str, &str)> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| Some((d["rule"].as_str()?, d["path"].as_str()?)))
        .collect();
    assert!(
        debt_paths
            .iter()
            .all(|(_, p)| !p.starts_with("lib/") && !p.starts_with("data/")),
        "{debt_paths:?}"
    );
    let browser = scope_row(&report, "browser");
    assert_eq!(browser["files"], 1);
    assert_eq!(
        evidence(&report, "outbound-timeout")
            .into_iter()
            .map(|(p, l, _)| (p, l))
            .collect::<Vec<_>>(),
        vec![("server.py".to_string(), 23)]
    );
    assert_ne!(check(&report, "pii-in-logs")["status"], "fail");
    assert_eq!(check(&report, "health-endpoint")["status"], "pass");
    let vendored = scope_row(&report, "vendored");
    assert_eq!(vendored["files"], 5);
    let notes: Vec<String> = evidence(&report, "hardcoded-secret")
        .into_iter()
        .map(|e| e.2)
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("1 in vendored files")),
        "{notes:?}"
    );
}

/// The `scopes` row of a JSON report for one scope.
fn scope_row<'a>(report: &'a Value, scope: &str) -> &'a Value {
    report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == scope)
        .unwrap_or_else(|| panic!("no {scope} row: {}", report["scopes"]))
}

/// The app rooted at `root` in a JSON report.
fn app<'a>(report: &'a Value, root: &str) -> &'a Value {
    report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["root"] == root)
        .unwrap_or_else(|| panic!("no app {root}"))
}

fn roots(report: &Value) -> Vec<&str> {
    report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["root"].as_str().unwrap())
        .collect()
}

/// The web app's `npm test` is npm's placeholder; the API's `make ci` runs
/// pytest. Scored as one repository, the API's tests passed tests-in-ci
/// for both; scored apart, the web app fails it and the API passes.
#[test]
fn monorepo_apps_are_scored_apart() {
    let r = scan_json("monorepo-two-pipelines");
    assert_eq!(roots(&r), ["api", "web"]);
    let (api, web) = (app(&r, "api"), app(&r, "web"));
    assert_eq!(status(api, "ci-runs-tests"), "pass");
    assert_eq!(status(web, "ci-runs-tests"), "fail");
    let web_ci = check(web, "ci-runs-tests");
    assert!(
        web_ci["evidence"][0]["note"]
            .as_str()
            .unwrap()
            .contains("no test runner"),
        "{web_ci}"
    );
    // Each app's evidence comes from its own pipeline.
    let api_ci = check(api, "ci-runs-tests");
    assert!(
        api_ci["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["path"] == ".github/workflows/api.yml")
    );
    let gate = |a: &Value| {
        a["signoff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["gate"] == "tests-in-ci")
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(gate(api), "pass");
    assert_eq!(gate(web), "fail");
    // The roll-up: a check is as good as its worst app, the score is the
    // weakest app's, the level the lowest.
    assert_eq!(gate(&r), "fail");
    assert_eq!(status(&r, "ci-runs-tests"), "fail");
    let lowest = [api, web]
        .iter()
        .map(|a| a["score"].as_u64().unwrap())
        .min();
    assert_eq!(r["score"].as_u64(), lowest);
    assert_eq!(r["rollup"]["apps"], 2);
    assert_eq!(r["rollup"]["weakest"], "web");
    // The root compose file builds the API: its deployment, not the web app's.
    let cites_compose = |a: &Value| {
        check(a, "deploy-health-probe")["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == "docker-compose.yml")
    };
    assert!(cites_compose(api));
    assert!(!cites_compose(web));
    // Each app's code is its own: the API's routes are not the web app's.
    assert!(
        check(api, "health-endpoint")["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["path"].as_str().unwrap().starts_with("api/"))
    );
}

/// An Express API tested by the root CI, a Celery worker whose tests no
/// job runs, a Next.js app without tests: three apps, three standings.
#[test]
fn three_apps_are_scored_apart() {
    let r = scan_json("three-apps");
    assert_eq!(roots(&r), ["api", "web", "worker"]);
    let (api, web, worker) = (app(&r, "api"), app(&r, "web"), app(&r, "worker"));
    assert_eq!(api["stack"], serde_json::json!(["express", "javascript"]));
    assert_eq!(worker["stack"], serde_json::json!(["celery", "python"]));
    assert_eq!(web["stack"], serde_json::json!(["next", "typescript"]));
    assert_eq!(status(api, "ci-runs-tests"), "pass");
    assert_eq!(status(worker, "ci-runs-tests"), "fail");
    assert_eq!(status(web, "ci-runs-tests"), "fail");
    assert_eq!(status(api, "tests-present"), "pass");
    assert_eq!(status(worker, "tests-present"), "pass");
    assert_eq!(status(web, "tests-present"), "fail");
    // A worker serves no HTTP: nothing to probe.
    assert_eq!(status(worker, "health-endpoint"), "not-applicable");
    assert_eq!(status(api, "health-endpoint"), "pass");
    // The worker's call without a timeout is the worker's debt alone.
    assert_eq!(status(worker, "outbound-timeout"), "fail");
    assert_eq!(status(api, "outbound-timeout"), "not-applicable");
    // The root .gitignore covers every app.
    for a in [api, web, worker] {
        assert_eq!(status(a, "env-gitignored"), "pass", "{}", a["root"]);
    }
    let scores: Vec<u64> = [api, web, worker]
        .iter()
        .map(|a| a["score"].as_u64().unwrap())
        .collect();
    assert!(scores[0] > scores[1] && scores[0] > scores[2], "{scores:?}");
    assert_eq!(r["score"].as_u64(), scores.iter().min().copied());
}

/// A repository of one app keeps reading as before: one app at `.`, whose
/// standing is the top-level one.
#[test]
fn a_single_app_repository_is_one_app_at_the_root() {
    let r = scan_json("fastapi-service");
    assert_eq!(roots(&r), ["."]);
    assert_eq!(r["apps"][0]["score"], r["score"]);
    assert_eq!(r["apps"][0]["checks"], r["checks"]);
    assert!(r["rollup"].is_null());
    let empty = scan_json("empty-repo");
    assert!(roots(&empty).is_empty());
}

/// Issue 13's classes of secret look-alikes, each in the fixture once: none
/// is listed, each is said to be excluded with its reason, and the one real
/// credential (a webhook HMAC key in a CI workflow, a name the old credential
/// vocabulary did not know) is.
#[test]
fn secret_lookalikes_are_excluded_and_the_real_key_is_found() {
    let report = scan_json("secret-lookalikes");
    let sites: Vec<(String, u64)> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "hardcoded-secret")
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(sites, vec![(".github/workflows/ci.yml".to_string(), 7)]);
    let notes: Vec<String> = evidence(&report, "hardcoded-secret")
        .into_iter()
        .map(|e| e.2)
        .collect();
    for id in [
        "uuid",
        "regular-expression",
        "supabase-anon-key",
        "placeholder-reference",
        "commented-template-line",
        "expired-example-jwt",
    ] {
        assert!(notes.iter().any(|n| n.contains(id)), "{id}: {notes:?}");
    }
}

/// `--fail-under` holds every app to the target: the roll-up's way there is
/// each app's cheapest set, named by app, and the score after it is the
/// lowest app's then.
#[test]
fn the_target_holds_every_app() {
    let out = graduate()
        .args([
            "scan",
            "fixtures/three-apps",
            "--format",
            "json",
            "--no-git",
        ])
        .args(["--fail-under", "50"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "below the target");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &r["target"];
    assert_eq!(t["met"], false);
    let fixes: Vec<&str> = t["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        fixes
            .iter()
            .all(|f| f.starts_with("web: ") || f.starts_with("worker: ")),
        "{fixes:?}"
    );
    for root in ["web", "worker"] {
        let own = &app(&r, root)["target"];
        assert_eq!(own["met"], false);
        for f in own["fixes"].as_array().unwrap() {
            assert!(fixes.contains(&format!("{root}: {}", f.as_str().unwrap()).as_str()));
        }
    }
    assert_eq!(app(&r, "api")["target"]["met"], true);
    let after: Vec<u64> = ["api", "web", "worker"]
        .iter()
        .map(|a| {
            let t = &app(&r, a)["target"];
            if t["met"] == true {
                app(&r, a)["score"].as_u64().unwrap()
            } else {
                t["score_after"].as_u64().unwrap()
            }
        })
        .collect();
    assert_eq!(t["score_after"].as_u64(), after.iter().min().copied());
    assert!(t["score_after"].as_u64().unwrap() >= 50);
}

/// Text and Markdown (the PR comment) show each app's score, level and way
/// to its next level, HTML its score and level; a single app adds no table.
#[test]
fn every_format_shows_the_apps() {
    let r = scan_json("three-apps");
    let render = |fixture: &str, format: &str| {
        let out = graduate()
            .args([
                "scan",
                &format!("fixtures/{fixture}"),
                "--format",
                format,
                "--no-git",
            ])
            .output()
            .unwrap();
        common::assert_ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    for (format, marker) in [
        ("text", "  Apps       3"),
        ("markdown", "| app | score | level |"),
        ("html", "data-testid=\"apps\""),
    ] {
        let page = render("three-apps", format);
        assert!(page.contains(marker), "{format}");
        for root in ["api", "web", "worker"] {
            let a = app(&r, root);
            if format == "html" {
                // The page's table: score, grade and level cells in one row.
                let row = page
                    .lines()
                    .find(|l| l.contains(&format!("<code>{root}</code>")))
                    .unwrap_or_else(|| panic!("html: no row for {root}"));
                let level = format!(
                    "{} {}",
                    a["level"]["current"],
                    a["level"]["name"].as_str().unwrap()
                );
                assert!(row.contains(&format!(">{}<", a["score"])), "{row}");
                assert!(row.contains(&level), "{row}");
                continue;
            }
            let score = format!("{}/100 {}", a["score"], a["grade"].as_str().unwrap());
            let line = page
                .lines()
                .find(|l| l.contains(root) && l.contains(&score))
                .unwrap_or_else(|| panic!("{format}: no line for {root} with {score}"));
            let next = a["level"]["next"]["fixes"][0].as_str().unwrap();
            let around: String = page
                .lines()
                .skip_while(|l| *l != line)
                .take(4)
                .collect::<Vec<_>>()
                .join("\n");
            assert!(around.contains(next), "{format} {root}: {around}");
        }
        let single = render("fastapi-service", format);
        assert!(!single.contains(marker), "{format}");
    }
}

/// A config waiver for one app's finding is used, not stale: the other
/// apps, where it matches nothing, do not report it as unused.
#[test]
fn a_waiver_for_one_app_is_not_unused_in_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("three-apps");
    common::copy_dir(std::path::Path::new("fixtures/three-apps"), &root);
    std::fs::write(
        root.join(".graduate.toml"),
        "[[waivers]]\nrule = \"outbound-timeout\"\npath = \"worker/**\"\n\
         reason = \"the payment provider answers or the task times out in Celery\"\n\
         owner = \"@billing\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap();
    let r = scan_dir_json(&root);
    let waivers = r["waivers"].as_array().unwrap();
    assert_eq!(waivers.len(), 1, "{waivers:?}");
    assert_eq!(waivers[0]["status"], "active");
    for root in ["api", "web", "worker"] {
        let hygiene = check(app(&r, root), "waiver-hygiene");
        assert_ne!(hygiene["status"], "fail", "{root}: {hygiene}");
    }
    assert_eq!(status(app(&r, "worker"), "outbound-timeout"), "pass");
    assert_eq!(status(app(&r, "web"), "outbound-timeout"), "fail");
}

/// Each app is told the tools of its own stack: a Node app gets jest and
/// opossum, never pytest or pybreaker; a Python app the reverse; a Go app
/// `go test` and gobreaker (`[fix_for]` in rules/*.toml).
#[test]
fn fixes_fit_the_apps_stack() {
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "express-prototype",
            &["jest", "opossum", "pino"],
            &["pytest", "pybreaker", "gobreaker", "structlog", "go test"],
        ),
        (
            "flask-minimal",
            &["pytest", "pybreaker", "structlog"],
            &["jest", "opossum", "npm", "gobreaker", "go test"],
        ),
        (
            "go-service",
            &["go test", "gobreaker", "slog"],
            &["pytest", "jest", "opossum", "pybreaker", "npm"],
        ),
    ];
    for (fixture, told, not_told) in cases {
        let out = graduate()
            .args(["scan", "--no-git", "-q", "--format", "json"])
            .arg(format!("fixtures/{fixture}"))
            .output()
            .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut fixes: Vec<&str> = r["debt"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["remediation"].as_str().unwrap())
            .collect();
        for w in r["plan"].as_array().unwrap() {
            for i in w["items"].as_array().unwrap() {
                fixes.push(i["remediation"].as_str().unwrap());
            }
        }
        let all = fixes.join("\n");
        for tool in told {
            assert!(all.contains(tool), "{fixture} is not told {tool}:\n{all}");
        }
        for tool in not_told {
            assert!(!all.contains(tool), "{fixture} is told {tool}:\n{all}");
        }
    }
}
