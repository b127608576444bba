//! `graduate scan api/` inside a repository: the folder's app is scored
//! with the repository's context (root CI, root files, the commit), exactly
//! as the whole repository's scan scores it, and every path it writes is
//! repository-relative — also in a `git worktree` checkout. Skipped when no
//! git binary is installed (graduate itself never runs git).

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{copy_dir, graduate};

fn git(dir: &Path, args: &[&str]) -> Option<()> {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

fn scan(path: &Path, format: &str) -> String {
    let out = graduate()
        .args([
            "scan",
            path.to_str().unwrap(),
            "--format",
            format,
            "--no-git",
        ])
        .output()
        .unwrap();
    common::assert_ok(&out);
    String::from_utf8(out.stdout).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&scan(path, "json")).unwrap()
}

/// The fixture as a committed repository; `None` without git.
fn repository(fixture: &str, at: &Path) -> Option<()> {
    copy_dir(&Path::new("fixtures").join(fixture), at);
    git(at, &["init", "-q"])?;
    git(at, &["add", "-A"])?;
    git(at, &["commit", "-qm", "init"])
}

fn app<'a>(report: &'a Value, root: &str) -> &'a Value {
    report["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["root"] == root)
        .unwrap_or_else(|| panic!("no app {root} in {}", report["apps"]))
}

/// Everything about one app that the scan decides.
fn standing(app: &Value) -> Value {
    let mut a = app.clone();
    a.as_object_mut().unwrap().remove("path");
    a
}

fn check_folder_scan(repo: &Path, whole: &Value, folder: &str) {
    let sub = json(&repo.join(folder));
    assert_eq!(sub["subfolder"], folder);
    assert!(sub["commit"].is_string(), "the commit of the repository");
    assert_eq!(sub["commit"], whole["commit"]);
    let apps = sub["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "{:?}", sub["apps"]);
    assert_eq!(standing(&apps[0]), standing(app(whole, folder)));
    // The top level is that app's.
    assert_eq!(sub["score"], app(whole, folder)["score"]);
    assert_eq!(sub["checks"], app(whole, folder)["checks"]);
    // Every path is repository-relative and names a file that exists.
    let sarif: Value = serde_json::from_str(&scan(&repo.join(folder), "sarif")).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(
        run["automationDetails"]["id"],
        format!("graduate/{folder}/")
    );
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%");
        let uri = loc["uri"].as_str().unwrap();
        assert!(
            repo.join(uri).is_file() || uri == "README.md",
            "{uri} does not resolve from the repository root"
        );
        assert_eq!(r["properties"]["apps"], serde_json::json!([folder]));
    }
    for d in sub["debt"].as_array().unwrap() {
        if let Some(p) = d["path"].as_str() {
            assert!(repo.join(p).is_file(), "{p}");
        }
    }
}

#[test]
fn an_app_folder_scans_as_in_the_whole_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    if repository("monorepo-two-pipelines", &repo).is_none() {
        eprintln!("git not installed: skipped");
        return;
    }
    let whole = json(&repo);
    assert!(whole["commit"].is_string());
    for folder in ["api", "web"] {
        check_folder_scan(&repo, &whole, folder);
    }
    // The API's CI is at the root: found from the folder.
    let api = json(&repo.join("api"));
    let ci = api["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ci-runs-tests")
        .unwrap();
    assert_eq!(ci["status"], "pass", "{ci}");
    // A folder inside an app is that app.
    let inner = json(&repo.join("api/app"));
    assert_eq!(standing(app(&inner, "api")), standing(app(&whole, "api")));
}

#[test]
fn a_worktree_checkout_has_the_same_context() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    if repository("three-apps", &repo).is_none() {
        eprintln!("git not installed: skipped");
        return;
    }
    let wt = dir.path().join("wt");
    git(&repo, &["worktree", "add", "-q", wt.to_str().unwrap()]).unwrap();
    let whole = json(&wt);
    assert!(whole["commit"].is_string());
    assert_eq!(whole["commit"], json(&repo)["commit"]);
    for folder in ["api", "worker", "web"] {
        check_folder_scan(&wt, &whole, folder);
    }
}

#[test]
fn a_folder_without_an_app_has_no_score() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    if repository("three-apps", &repo).is_none() {
        eprintln!("git not installed: skipped");
        return;
    }
    let r = json(&repo.join(".github"));
    assert!(r["score"].is_null());
    assert!(r["apps"].as_array().unwrap().is_empty());
    assert_eq!(r["unscored"], "no app found in .github");
}
