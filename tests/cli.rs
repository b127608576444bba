//! Exit codes, colour, configuration errors and bad input.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

mod common;

use common::{check, graduate};

fn json_of(dir: &Path) -> (Value, String) {
    let out = graduate()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    common::assert_ok(&out);
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn fail_under_sets_exit_code_one() {
    graduate()
        .args(["scan", "fixtures/express-prototype", "--fail-under", "50"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("below --fail-under 50"));
    graduate()
        .args(["scan", "fixtures/fastapi-service", "--fail-under", "90"])
        .assert()
        .code(0);
}

#[test]
fn usage_errors_exit_two() {
    graduate()
        .args(["scan", "fixtures/does-not-exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("fixtures/does-not-exist"));
    graduate()
        .args(["scan", "fixtures/express-prototype", "--format", "yaml"])
        .assert()
        .code(2);
    graduate()
        .args(["scan", "fixtures/express-prototype", "--fail-under", "101"])
        .assert()
        .code(2);
    graduate()
        .args(["scan", "Cargo.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a directory"));
    graduate()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2);
}

#[test]
fn config_errors_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        ("fail_under = 10\n", "fail_under"),
        ("disable = [\"not-a-rule\"]\n", "not-a-rule"),
        ("[rules.runbook]\nrisk = 0\n", "rules.runbook.risk"),
        ("[rules.runbook]\nseverity = 3\n", "severity"),
    ] {
        fs::write(dir.path().join(".graduate.toml"), text).unwrap();
        graduate()
            .arg("scan")
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains(key));
    }
    graduate()
        .args([
            "scan",
            "fixtures/empty-repo",
            "--config",
            "no/such/file.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.toml"));
}

#[test]
fn config_disables_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("graduate.toml"),
        "disable = [\"runbook\"]\nfail-under = 99\n[rules.hardcoded-secret]\neffort = 5\n",
    )
    .unwrap();
    let out = graduate()
        .args([
            "scan",
            "fixtures/express-prototype",
            "--format",
            "json",
            "--config",
        ])
        .arg(dir.path().join("graduate.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "fail-under from config applies");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = r["checks"].as_array().unwrap();
    assert!(checks.iter().all(|c| c["id"] != "runbook"));
    let secret = checks
        .iter()
        .find(|c| c["id"] == "hardcoded-secret")
        .unwrap();
    assert_eq!(secret["effort"], 5);
    assert_eq!(secret["priority"], 25);
}

#[test]
fn colour_follows_flag() {
    graduate()
        .args(["scan", "fixtures/go-service", "--color", "always"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
    graduate()
        .args(["scan", "fixtures/go-service"])
        .env("NO_COLOR", "1")
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn colour_follows_the_conventions_in_a_pipe() {
    let coloured = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut cmd = graduate();
        cmd.args(["scan", "fixtures/go-service"]).args(extra);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        common::assert_ok(&out);
        String::from_utf8_lossy(&out.stdout).contains("\u{1b}[")
    };
    assert!(!coloured(&[], &[]), "a pipe gets no colour");
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(
        !coloured(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]),
        "NO_COLOR wins"
    );
    assert!(
        !coloured(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]),
        "the flag wins"
    );
    assert!(coloured(&[("NO_COLOR", "1")], &["--color", "always"]));
}

/// Runs graduate on a pseudo-terminal (util-linux `script`), where colour
/// depends on the terminal.
#[cfg(target_os = "linux")]
fn coloured_on_a_terminal(term: &str, no_color: Option<&str>) -> bool {
    let bin = Path::new(env!("CARGO_BIN_EXE_graduate"));
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec"])
        .arg(format!("'{}' scan fixtures/go-service", bin.display()))
        .arg("/dev/null")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", term)
        // CI=true (as CI sets it) makes anstream colour a dumb terminal:
        // this test is about a user's terminal.
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().expect("util-linux `script` runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).contains("\u{1b}[")
}

#[cfg(target_os = "linux")]
#[test]
fn colour_follows_the_conventions_on_a_terminal() {
    assert!(coloured_on_a_terminal("xterm-256color", None));
    assert!(!coloured_on_a_terminal("dumb", None), "TERM=dumb");
    assert!(
        !coloured_on_a_terminal("xterm-256color", Some("1")),
        "NO_COLOR"
    );
    assert!(
        coloured_on_a_terminal("xterm-256color", Some("")),
        "an empty NO_COLOR is unset"
    );
}

#[test]
fn broken_manifests_and_yaml_warn_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join(".github/workflows")).unwrap();
    fs::write(root.join("package.json"), "{ \"name\": ").unwrap();
    fs::write(root.join("pyproject.toml"), "[project\nname = ").unwrap();
    fs::write(root.join(".github/workflows/ci.yml"), "on: [push\njobs: {").unwrap();
    fs::write(root.join("app.py"), "from flask import Flask\napp = Flask(__name__)\n@app.get('/healthz')\ndef h(): return 'ok'\n").unwrap();
    let (r, stderr) = json_of(root);
    let warned: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    for path in ["package.json", "pyproject.toml", ".github/workflows/ci.yml"] {
        assert!(warned.contains(&path), "no warning for {path}: {warned:?}");
        assert!(
            stderr.contains(&format!("warning: {path}")),
            "stderr names {path}"
        );
    }
    let health = check(&r, "health-endpoint");
    assert_eq!(health["status"], "pass", "the rest of the scan went on");
}

#[test]
fn quiet_drops_the_warnings_and_keeps_the_report_the_verdict_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    fs::write(
        dir.path().join(".github/workflows/ci.yml"),
        "on: [push\njobs: {",
    )
    .unwrap();
    // An app, so there is a score to hold to the threshold.
    fs::write(
        dir.path().join("app.py"),
        "from flask import Flask\napp = Flask(__name__)\n",
    )
    .unwrap();
    let loud = graduate()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("warning: .github/workflows/ci.yml"));
    let out = graduate()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--quiet", "--fail-under", "100"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(stderr.contains("below --fail-under 100"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["warnings"].as_array().unwrap().len(),
        1,
        "the report keeps it"
    );
    graduate()
        .args(["scan", "-q", "fixtures/does-not-exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot scan fixtures/does-not-exist",
        ));
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("keys.js"),
        "const k = 'AKIAQ3EGRS7XZ2LMN4PB';\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path(), root.join("escape")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("keys.js"), root.join("keys.js")).unwrap();
    fs::create_dir(root.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop/again")).unwrap();
    let (r, _) = json_of(root);
    let secret = check(&r, "hardcoded-secret");
    assert_eq!(
        secret["status"], "pass",
        "nothing outside the root was read"
    );
    assert_eq!(r["stats"]["skipped_symlinks"], 3);
}

#[test]
fn binary_and_invalid_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("blob.js"), b"\x00\x01\x02binary\x00").unwrap();
    fs::write(
        root.join("latin1.py"),
        b"# caf\xe9\nimport requests\nrequests.get(u)\n",
    )
    .unwrap();
    fs::write(root.join("big.json"), vec![b' '; 2 * 1024 * 1024]).unwrap();
    let (r, _) = json_of(root);
    assert_eq!(r["stats"]["skipped_binary"], 1);
    assert_eq!(r["stats"]["skipped_large"], 1);
    let w = &r["warnings"][0];
    assert_eq!(w["path"], "latin1.py");
    assert!(w["message"].as_str().unwrap().contains("UTF-8"));
    let timeout = check(&r, "outbound-timeout");
    assert_eq!(
        timeout["status"], "fail",
        "the lossy file was still scanned"
    );
    assert_eq!(timeout["evidence"][0]["line"], 3);
}

/// A source file over the size bound is not read, and says so: a code
/// check that would pass on the files read is unknown instead, naming it
/// (it passed before, on the small file alone). A large data file is only
/// counted.
#[test]
fn too_large_source_makes_code_checks_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("main.go"),
        "package main\n\nimport (\n\t\"net/http\"\n\t\"time\"\n)\n\nvar c = &http.Client{Timeout: 5 * time.Second}\n\nfunc f() { c.Get(\"https://api.example.com\") }\n",
    )
    .unwrap();
    let (r, _) = json_of(root);
    assert_eq!(check(&r, "outbound-timeout")["status"], "pass");
    let big = "package main\n\n".to_string() + &"// generated\n".repeat(100_000);
    fs::write(root.join("tables.go"), big).unwrap();
    fs::write(root.join("data.json"), vec![b' '; 2 * 1024 * 1024]).unwrap();
    let (r, _) = json_of(root);
    assert_eq!(r["stats"]["skipped_large"], 2);
    let timeout = check(&r, "outbound-timeout");
    assert_eq!(timeout["status"], "unknown");
    assert!(
        timeout["skip_reason"]
            .as_str()
            .unwrap()
            .contains("tables.go"),
        "{timeout}"
    );
    let warned: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    assert_eq!(warned, ["tables.go"], "only the file a rule needed warns");
}

/// No app, no score: an empty folder and fixtures/empty-repo (a .gitkeep)
/// have a null score and grade, level 0, no app, and fail any --fail-under
/// with a message that says there is no score. (They scored 62 and 58, and
/// passed --fail-under 50.)
#[test]
fn no_app_no_score() {
    let dir = tempfile::tempdir().unwrap();
    for root in [dir.path(), Path::new("fixtures/empty-repo")] {
        let (r, _) = json_of(root);
        assert!(r["score"].is_null(), "{root:?}: {}", r["score"]);
        assert!(r["grade"].is_null());
        assert!(
            r["unscored"].as_str().unwrap().starts_with("no app found"),
            "{}",
            r["unscored"]
        );
        assert_eq!(r["level"]["current"], 0);
        assert!(r["level"]["next"].is_null());
        assert_eq!(r["apps"].as_array().unwrap().len(), 0);
        assert!(
            r["pillars"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["score"].is_null())
        );
        graduate()
            .arg("scan")
            .arg(root)
            .args(["--fail-under", "10"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "there is no score to hold to --fail-under 10: no app found",
            ))
            .stdout(predicate::str::contains("no score"));
        // Every format says so.
        for (format, says) in [
            ("markdown", "**no score**"),
            ("html", "data-testid=\"unscored\"><b>no app found"),
            ("sarif", "\"score\": null"),
        ] {
            graduate()
                .arg("scan")
                .arg(root)
                .args(["--format", format])
                .assert()
                .success()
                .stdout(predicate::str::contains(says));
        }
    }
    // One source file is an app, scored.
    std::fs::write(dir.path().join("main.go"), "package main\nfunc main() {}\n").unwrap();
    let (r, _) = json_of(dir.path());
    assert!(r["score"].is_u64());
    assert_eq!(r["apps"][0]["path"], ".");
}

#[test]
fn empty_repository_gives_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = json_of(dir.path());
    assert_eq!(r["stats"]["files_seen"], 0);
    let not_applicable = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "not-applicable")
        .count();
    assert!(not_applicable >= 4, "checks with nothing to check");
}

fn tree_state(root: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = walkdir(root)
        .into_iter()
        .map(|p| {
            let m = fs::symlink_metadata(&p).unwrap();
            (p.display().to_string(), m.len(), m.modified().unwrap())
        })
        .collect();
    out.sort();
    out
}

fn walkdir(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![root.to_path_buf()];
    let mut i = 0;
    while i < out.len() {
        let p = out[i].clone();
        if fs::symlink_metadata(&p).unwrap().is_dir() {
            for e in fs::read_dir(&p).unwrap() {
                out.push(e.unwrap().path());
            }
        }
        i += 1;
    }
    out
}

#[test]
fn the_scanned_tree_is_never_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/express-prototype");
    let before = tree_state(&root);
    graduate()
        .args(["scan", "fixtures/express-prototype", "--format", "json"])
        .assert()
        .success();
    graduate()
        .args(["scan", "fixtures/express-prototype"])
        .assert()
        .success();
    assert_eq!(before, tree_state(&root));
}

#[test]
fn inline_allow_suppresses_and_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("app.js"),
        "// graduate:allow hardcoded-secret sandbox key, revoked\nconst k = 'AKIAQ3EGRS7XZ2LMN4PB';\n",
    )
    .unwrap();
    let (r, _) = json_of(dir.path());
    let secret = check(&r, "hardcoded-secret");
    assert_eq!(secret["status"], "pass");
    assert_eq!(r["suppressions"][0]["reason"], "sandbox key, revoked");
    assert_eq!(r["suppressions"][0]["line"], 2);
}

#[test]
fn fingerprint_allowlist_suppresses_and_unused_entries_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("app.js"),
        "const k = 'AKIAQ3EGRS7XZ2LMN4PB';\n",
    )
    .unwrap();
    let (r, _) = json_of(dir.path());
    let fp = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "hardcoded-secret")
        .map(|d| {
            let m = d["message"].as_str().unwrap();
            m[m.find("fingerprint ").unwrap() + 12..][..16].to_string()
        })
        .unwrap();
    fs::write(
        dir.path().join(".graduate.toml"),
        format!("[secrets]\nallow = [\"{fp}\", \"00112233445566ff\"]\n"),
    )
    .unwrap();
    let (r, _) = json_of(dir.path());
    assert_eq!(check(&r, "hardcoded-secret")["status"], "pass");
    let s = &r["suppressions"][0];
    assert_eq!(s["kind"], "secrets-allow");
    assert_eq!(s["waiver"], ".graduate.toml:2");
    assert_eq!(s["path"], "app.js");
    // The used entry has no reason, the other matches nothing: both are
    // waiver-hygiene findings at the config line, not stderr warnings.
    let hygiene: Vec<String> = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "waiver-hygiene")
        .map(|d| {
            format!(
                "{}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["message"]
            )
        })
        .collect();
    assert_eq!(hygiene.len(), 2, "{hygiene:?}");
    assert!(
        hygiene.iter().all(|h| h.starts_with(".graduate.toml:2 ")),
        "{hygiene:?}"
    );
    assert!(
        hygiene
            .iter()
            .any(|h| h.contains("00112233445566ff") && h.contains("matches no finding")),
        "{hygiene:?}"
    );
    assert!(
        hygiene
            .iter()
            .any(|h| h.contains(&fp) && h.contains("no reason given")),
        "{hygiene:?}"
    );
    assert!(r["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn rules_and_explain() {
    let out = graduate().arg("rules").output().unwrap();
    common::assert_ok(&out);
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "over 80 columns: {line}");
    }
    // Grouped: the pillar's heading, then its rules indented under it.
    let resilience = text.find("\nresilience\n").expect("a resilience heading");
    let security = text.find("\nsecurity\n").unwrap();
    let timeout = text.find("  outbound-timeout ").unwrap();
    assert!(resilience < timeout && timeout < security, "{text}");

    let out = graduate()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    common::assert_ok(&out);
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 30);
    let timeout = rules
        .iter()
        .find(|r| r["id"] == "outbound-timeout")
        .unwrap();
    assert_eq!(timeout["pillar"], "resilience");
    assert_eq!(timeout["per_site"], true);
    assert_eq!(timeout["priority"], 125);
    graduate()
        .args(["rules", "--format", "yaml"])
        .assert()
        .code(2);

    // For the terminal: the Markdown read, not shown (no `##`, no table
    // rules, no `**`), wrapped to the width.
    let out = graduate()
        .args(["explain", "outbound-timeout"])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    common::assert_ok(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains("\nHow to fix it\n"), "{page}");
    assert!(page.contains("http.Get"), "{page}");
    for markup in ["## ", "|---", "**"] {
        assert!(!page.contains(markup), "{markup} in\n{page}");
    }
    for line in page.lines().filter(|l| !l.starts_with("    ")) {
        assert!(line.chars().count() <= 60, "over 60 columns: {line}");
    }
    // The source, as in docs/rules/.
    graduate()
        .args(["explain", "outbound-timeout", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## How to fix it"));
}

#[test]
fn explain_suggests_the_closest_rule_on_a_typo() {
    graduate()
        .args(["explain", "outbound-timout"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `outbound-timeout`?"));
    graduate()
        .args(["explain", "HARDCODED_SECRET"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `hardcoded-secret`?"));
    let out = graduate().args(["explain", "kubernetes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown rule `kubernetes`"), "{stderr}");
    assert!(
        !stderr.contains("did you mean"),
        "nothing is close: {stderr}"
    );
}

#[test]
fn a_missing_path_is_reported_once() {
    for args in [
        &["scan", "fixtures/does-not-exist"][..],
        &["scan", "fixtures/does-not-exist", "--format", "json"],
        &["comment", "fixtures/does-not-exist", "--dry-run"],
    ] {
        let out = graduate().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert_eq!(stderr.matches("does-not-exist").count(), 1, "{stderr}");
        assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn broken_ci_and_deploy_yaml_warn_and_never_pass_silently() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("k8s")).unwrap();
    fs::write(root.join("main.go"), "package main\nfunc main() {}\n").unwrap();
    fs::write(root.join(".gitlab-ci.yml"), "test:\n  script: [go test\n").unwrap();
    fs::write(
        root.join("docker-compose.yml"),
        "services:\n  api: {build: .\n",
    )
    .unwrap();
    fs::write(root.join("fly.toml"), "app = \n").unwrap();
    // Broken Kubernetes YAML: a warning, then probes read as text.
    fs::write(
        root.join("k8s/api.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nspec: [\n        readinessProbe:\n",
    )
    .unwrap();
    // Valid multi-document YAML with an anchor and a merge key.
    fs::write(
        root.join("k8s/hpa.yaml"),
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: &m\n  name: api\nspec:\n  maxReplicas: 6\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  <<: *m\nspec:\n  maxReplicas: 3\n",
    )
    .unwrap();
    // A huge generated manifest is counted and skipped, not parsed.
    let big = "apiVersion: v1\nkind: ConfigMap\n".to_string() + &"# x\n".repeat(300_000);
    fs::write(root.join("k8s/generated.yaml"), big).unwrap();
    let (r, _) = json_of(root);
    let warned: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap())
        .collect();
    for path in [
        ".gitlab-ci.yml",
        "docker-compose.yml",
        "fly.toml",
        "k8s/api.yaml",
    ] {
        assert!(warned.contains(&path), "no warning for {path}: {warned:?}");
    }
    // The only CI file does not parse: whether it runs the tests is unknown,
    // not failed, and the reason names the file.
    let ci = check(&r, "ci-runs-tests");
    assert_eq!(ci["status"], "unknown");
    assert!(
        ci["skip_reason"]
            .as_str()
            .unwrap()
            .contains(".gitlab-ci.yml"),
        "{ci}"
    );
    assert_eq!(check(&r, "coverage-threshold")["status"], "unknown");
    // The score does not rest on them, and coverage says so.
    assert_eq!(r["coverage"]["unknown"], 2);
    assert!(r["coverage"]["percent"].as_u64().unwrap() < 100);
    // Week 1 holds an unknown: the level cannot pass it.
    assert!(r["level"]["current"].as_u64().unwrap() <= 1);
    assert_eq!(check(&r, "deploy-health-probe")["status"], "pass");
    let bounds = check(&r, "autoscaling-bounds");
    assert_eq!(bounds["status"], "pass");
    assert_eq!(bounds["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(r["stats"]["skipped_large"], 1);
}

/// Runs bash's completion function the way bash does on TAB: the words so
/// far, the index of the one being completed.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let cword = words.len() - 1;
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={cword}; _graduate graduate '{}' '{}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn completions_come_from_the_command_line_definition() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("graduate.bash");
    let out = graduate().args(["completions", "bash"]).output().unwrap();
    common::assert_ok(&out);
    fs::write(&script, &out.stdout).unwrap();
    assert_eq!(
        bash_completes(&script, &["graduate", "sc"]),
        ["scan", "schema"]
    );
    assert_eq!(
        bash_completes(&script, &["graduate", "scan", "--fail"]),
        ["--fail-under", "--fail-on-new", "--fail-on-drop"]
    );
    let formats = bash_completes(&script, &["graduate", "scan", "--format", ""]);
    assert_eq!(formats, ["text", "json", "markdown", "sarif", "html"]);
    assert!(
        !bash_completes(&script, &["graduate", ""]).contains(&"docs".to_string()),
        "hidden"
    );
    for (shell, marker) in [
        ("zsh", "#compdef graduate"),
        ("fish", "complete -c graduate"),
        ("elvish", "edit:completion:arg-completer[graduate]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        graduate()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker).and(predicate::str::contains("fail-under")));
    }
    graduate().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_pages_come_from_the_command_line_definition() {
    let out = graduate().arg("man").output().unwrap();
    common::assert_ok(&out);
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH graduate 1"), "{page}");
    assert!(page.contains("graduate\\-scan(1)"));
    assert!(
        !page.contains("graduate\\-help(1)"),
        "no page exists for help"
    );
    assert!(
        !page.contains("graduate\\-docs"),
        "hidden commands stay hidden"
    );
    let dir = tempfile::tempdir().unwrap();
    graduate()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    let mut pages: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "graduate-comment.1",
            "graduate-completions.1",
            "graduate-explain.1",
            "graduate-man.1",
            "graduate-rules.1",
            "graduate-scan.1",
            "graduate-schema.1",
            "graduate.1"
        ]
    );
    let scan = fs::read_to_string(dir.path().join("graduate-scan.1")).unwrap();
    assert!(scan.contains("\\-\\-fail\\-under"));
    assert!(scan.contains("Exit with status 1 when the score is below N"));
}

#[test]
fn the_pre_commit_hook_runs_a_whole_repository_scan() {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    let hooks: Value = serde_saphyr::from_str(&text).unwrap();
    let hook = &hooks[0];
    assert_eq!(hook["id"], "graduate");
    assert_eq!(hook["language"], "rust", "pre-commit builds it with cargo");
    assert_eq!(
        hook["pass_filenames"], false,
        "readiness is the tree's, not the staged files'"
    );
    assert_eq!(hook["always_run"], true);
    // pre-commit runs `entry + args`, in the repository's root.
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    assert_eq!(entry[0], "graduate");
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("graduate")
            .unwrap()
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/go-service"))
            .args(&entry[1..])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    common::assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Readiness"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\u{1b}["));
    assert_eq!(run(&["--fail-under", "100"]).status.code(), Some(1));
}

/// A copy of express-prototype with a source file three directories of
/// wide characters deep (a path of 200 columns with no space to break at).
fn wide_path_repo(root: &Path) -> String {
    common::copy_dir(Path::new("fixtures/express-prototype"), root);
    let rel = format!(
        "src/{}/{}/{}.js",
        "服务".repeat(30),
        "上传".repeat(30),
        "客户端".repeat(20)
    );
    fs::create_dir_all(root.join(&rel).parent().unwrap()).unwrap();
    fs::write(
        root.join(&rel),
        "const axios = require('axios');\nexports.a = () => axios.get('https://api.example.com/a');\n",
    )
    .unwrap();
    rel
}

fn terminal(dir: &Path, columns: Option<usize>, all: bool) -> String {
    let mut cmd = graduate();
    cmd.args(["scan", "--no-git", "-q"])
        .arg(dir)
        .env_remove("COLUMNS");
    if let Some(c) = columns {
        cmd.env("COLUMNS", c.to_string());
    }
    if all {
        cmd.arg("--all");
    }
    let out = cmd.output().unwrap();
    common::assert_ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

/// Every line fits the width in terminal columns, a wide (CJK) path
/// included: it is shortened in the middle and keeps its file name's end
/// and `:line`. Without COLUMNS and without a terminal the width is 80.
#[test]
fn the_terminal_report_fits_its_width_with_wide_paths() {
    use unicode_width::UnicodeWidthStr;
    let tmp = tempfile::tempdir().unwrap();
    let rel = wide_path_repo(tmp.path());
    for (columns, width) in [(Some(40), 40), (Some(64), 64), (Some(100), 100), (None, 80)] {
        for all in [false, true] {
            let text = terminal(tmp.path(), columns, all);
            for line in text.lines() {
                assert!(
                    line.width() <= width,
                    "{} columns > {width} (COLUMNS={columns:?}, all={all}):\n{line}",
                    line.width()
                );
            }
            if all {
                assert!(
                    text.contains("客户端.js:2"),
                    "file name and line kept:\n{text}"
                );
                assert!(!text.contains(&rel), "the 200-column path is shortened");
            }
        }
    }
}

/// Compact by default: findings grouped by rule with their count, about a
/// screen; `--all` lists every finding with its location.
#[test]
fn compact_by_default_every_finding_with_all() {
    let dir = Path::new("fixtures/express-prototype");
    let compact = terminal(dir, Some(80), false);
    let all = terminal(dir, Some(80), true);
    let lines = compact.lines().count();
    assert!(lines <= 60, "{lines} lines:\n{compact}");
    assert!(compact.contains("outbound-timeout ×6"), "{compact}");
    assert!(compact.contains("hardcoded-secret ×5"), "{compact}");
    assert_eq!(
        compact.matches("  outbound-timeout").count(),
        1,
        "{compact}"
    );
    assert!(compact.contains("--all shows every finding"), "{compact}");
    let out = graduate()
        .args(["scan", "--no-git", "-q", "--format", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    for d in report["debt"].as_array().unwrap() {
        if let (Some(p), Some(l)) = (d["path"].as_str(), d["line"].as_u64()) {
            assert!(all.contains(&format!("{p}:{l}")), "{p}:{l} missing:\n{all}");
        }
    }
    assert!(all.lines().count() > 2 * lines);
}
