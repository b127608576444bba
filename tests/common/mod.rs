//! Shared by the integration tests: the binary, run from the crate root.

#![allow(dead_code)]

pub mod hostile_calls;
pub mod secrets_corpus;

use assert_cmd::Command;
use serde_json::Value;

pub fn graduate() -> Command {
    let mut cmd = Command::cargo_bin("graduate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// The run exited 0; its stderr is the failure message otherwise.
pub fn assert_ok(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The check with this id in a JSON report.
pub fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

/// `graduate scan fixtures/NAME --format json --no-git`: the JSON report of
/// a scan that must succeed.
pub fn scan_fixture(name: &str) -> Value {
    scan_json(&format!("fixtures/{name}"))
}

/// `graduate scan PATH --format json --no-git`, which must succeed.
fn scan_json(path: &str) -> Value {
    let out = graduate()
        .args(["scan", path, "--format", "json", "--no-git"])
        .output()
        .unwrap();
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The (path, line) of every site `rule` reports in a JSON report, sorted.
pub fn rule_sites(report: &Value, rule: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule && d["path"].is_string())
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A copy of a fixture to change without touching the original.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Scan a repository made of `files` (path, text), written to a temporary
/// folder, without history; the JSON report.
pub fn scan_files<P: AsRef<str>, T: AsRef<str>>(files: impl IntoIterator<Item = (P, T)>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let full = dir.path().join(path.as_ref());
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text.as_ref()).unwrap();
    }
    scan_json(dir.path().to_str().unwrap())
}
