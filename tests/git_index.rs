//! `.git/index` as git itself writes it (versions 2 and 4), compared with
//! `git ls-files`; and env-file-committed judged by the index. Skipped when
//! no git binary is installed.

mod common;

use std::path::Path;
use std::process::Command;

use common::{check, graduate};

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn index_matches_git_ls_files_and_decides_committed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    if git(root, &["init", "-q"]).is_none() {
        eprintln!("git not installed: skipped");
        return;
    }
    for (path, text) in [
        ("src/app.js", "module.exports = 1;\n"),
        ("api/.env.production", "API_TOKEN=local\n"),
        ("api/.env.example", "API_TOKEN=changeme\n"),
        ("a/very/deep/directory/with/a/long/name/file.txt", "x\n"),
        (".env", "SESSION_SECRET=local\n"),
    ] {
        std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
        std::fs::write(root.join(path), text).unwrap();
    }
    // Committed first, ignored later: still tracked. The root .env is
    // ignored and never added: not committed.
    git(root, &["add", "src", "api", "a"]).unwrap();
    std::fs::write(root.join(".gitignore"), ".env*\n!.env.example\n").unwrap();
    git(root, &["add", ".gitignore"]).unwrap();
    for version in ["2", "4"] {
        git(root, &["update-index", "--index-version", version]).unwrap();
        let want: Vec<String> = git(root, &["ls-files"])
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let got = graduate::facts::git_index::tracked_paths(root)
            .unwrap()
            .unwrap();
        assert_eq!(got, want, "index version {version}");
    }
    let out = graduate()
        .args(["scan", root.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = check(&report, "env-file-committed");
    assert_eq!(c["status"], "fail");
    let debt: Vec<&serde_json::Value> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "env-file-committed")
        .collect();
    assert_eq!(debt.len(), 1, "{debt:?}");
    assert_eq!(debt[0]["path"], "api/.env.production");
}
