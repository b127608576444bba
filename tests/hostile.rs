//! The scanned tree is hostile (SECURITY.md). Each test builds one attack in
//! a temporary directory, runs the real binary on it, and checks the promise:
//! nothing outside the root reaches the output, no secret is printed whole in
//! any format, no output line can act as a GitHub Actions workflow command or
//! a terminal escape, the tree is left byte-identical, and the run ends with
//! 0, 1 or a clear 2 within a time bound.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::graduate;

const FORMATS: [&str; 5] = ["text", "json", "markdown", "sarif", "html"];
const BOUND: Duration = Duration::from_secs(60);

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// Every entry under `root` (symlinks and FIFOs not followed or opened):
/// kind, length, content of regular files, modification time.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (String, Vec<u8>, Option<SystemTime>)> {
    fn visit(dir: &Path, out: &mut BTreeMap<PathBuf, (String, Vec<u8>, Option<SystemTime>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            let ft = meta.file_type();
            let (kind, bytes) = if ft.is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                (
                    "link".to_string(),
                    target.to_string_lossy().as_bytes().to_vec(),
                )
            } else if ft.is_file() {
                ("file".to_string(), std::fs::read(e.path()).unwrap())
            } else if ft.is_dir() {
                visit(&e.path(), out);
                ("dir".to_string(), Vec::new())
            } else {
                ("special".to_string(), Vec::new())
            };
            out.insert(e.path(), (kind, bytes, meta.modified().ok()));
        }
    }
    let mut out = BTreeMap::new();
    visit(root, &mut out);
    out
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn scan(root: &Path, args: &[&str]) -> Run {
    let out = graduate()
        .arg("scan")
        .arg(root)
        .args(["--no-git", "--color", "always"])
        .args(args)
        .timeout(BOUND)
        .output()
        .unwrap();
    Run {
        code: out
            .status
            .code()
            .expect("the run ended on its own, within the bound"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Scan in every format; check the tree is untouched and hand back the runs.
fn scan_all_formats(root: &Path) -> Vec<(&'static str, Run)> {
    let before = snapshot(root);
    let runs = FORMATS
        .iter()
        .map(|f| (*f, scan(root, &["--format", f])))
        .collect();
    assert_eq!(before, snapshot(root), "the scan changed the tree");
    runs
}

/// No line a workflow command, no raw control character but our own colours.
fn assert_inert(format: &str, stream: &str) {
    for line in stream.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "{format}: a workflow command line: {line:?}"
        );
        assert!(
            !line.contains("##["),
            "{format}: a v1 workflow command: {line:?}"
        );
        // Our colours are SGR sequences (`ESC [ … m`); nothing else may escape.
        let mut rest = line;
        while let Some(i) = rest.find('\u{1b}') {
            let after = &rest[i + 1..];
            let sgr = after.starts_with('[')
                && after[1..].find('m').is_some_and(|m| {
                    after[1..1 + m]
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b';')
                });
            assert!(sgr, "{format}: a raw escape sequence: {line:?}");
            rest = after;
        }
        assert!(
            !line
                .chars()
                .any(|c| c.is_control() && c != '\u{1b}' && c != '\t'),
            "{format}: a raw control character: {line:?}"
        );
    }
}

#[test]
fn config_linked_out_of_the_root_is_never_read() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "passwd",
        "root:x:0:0:CANARY-PASSWD-LINE:/root:/bin/bash\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "package.json", "{\"name\":\"x\"}\n");
    for (target, canary) in [
        (outside.path().join("passwd"), "CANARY-PASSWD-LINE"),
        (
            PathBuf::from("/proc/self/environ"),
            "canary-environment-value-7f3e",
        ),
    ] {
        let _ = std::fs::remove_file(root.join(".graduate.toml"));
        std::os::unix::fs::symlink(&target, root.join(".graduate.toml")).unwrap();
        let out = graduate()
            .arg("scan")
            .arg(root)
            .arg("--no-git")
            .env("GRADUATE_TEST_CANARY", "canary-environment-value-7f3e")
            .timeout(BOUND)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(canary), "{target:?} leaked: {all}");
        assert_eq!(
            out.status.code(),
            Some(2),
            "a linked config is a config error"
        );
        assert!(all.contains("symbolic link"), "{all}");
    }
}

#[test]
fn secrets_in_any_evidence_are_redacted_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        "{\"name\":\"api\",\"scripts\":{\"test\":\"jest --coverage\"},\"devDependencies\":{\"jest\":\"29\"}}\n",
    );
    write(root, "src/app.test.js", "test('x', () => {});\n");
    write(
        root,
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\njobs:\n  e2e-sk_live_4eC39HqLyjWDarjtT1zdp7dc:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest --cov=app --cov-fail-under=80 --db postgres://app:Sup3rS3cretPw9@db/app\n",
    );
    write(root, "test_app.py", "def test_x():\n    pass\n");
    // The same values in a step that only the coverage and test rules read.
    write(
        root,
        ".github/workflows/unit.yml",
        "on: [pull_request]\njobs:\n  unit:\n    runs-on: ubuntu-latest\n    steps:\n      - run: DATABASE_URL=postgres://app:Sup3rS3cretPw9@db/app npm test -- --coverageThreshold=80 --api-key=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
    );
    for (format, run) in scan_all_formats(root) {
        assert!(run.code == 0 || run.code == 1, "{format}: {}", run.stderr);
        for secret in ["Sup3rS3cretPw9", "4eC39HqLyjWDarjtT1zdp7dc"] {
            assert!(!run.stdout.contains(secret), "{format} printed {secret}");
            assert!(!run.stderr.contains(secret), "{format} printed {secret}");
        }
    }
}

#[test]
fn a_config_value_is_never_echoed_in_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".graduate.toml",
        "fail-under = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"\n",
    );
    let run = scan(root, &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".graduate.toml"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("4eC39HqLyjWDarjtT1zdp7dc"),
        "{}",
        run.stderr
    );
    write(root, ".graduate.toml", "[pressure]\ncontributors = nan\n");
    let run = scan(root, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("pressure.contributors"),
        "{}",
        run.stderr
    );
}

/// `levels` levels of ten scripts, each calling all ten of the next level;
/// the last level runs jest.
fn fanned_out_scripts(levels: usize) -> String {
    let mut scripts = vec!["\"test\": \"npm run l0s0\"".to_string()];
    for level in 0..levels {
        for i in 0..10 {
            let body = if level + 1 == levels {
                "jest".to_string()
            } else {
                (0..10)
                    .map(|j| format!("npm run l{}s{j}", level + 1))
                    .collect::<Vec<_>>()
                    .join(" && ")
            };
            scripts.push(format!("\"l{level}s{i}\": \"{body}\""));
        }
    }
    format!("{{\"name\":\"x\",\"scripts\":{{{}}}}}\n", scripts.join(","))
}

#[test]
fn fan_out_of_scripts_and_workflows_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Ten scripts over nine levels: 10⁹ paths without memoisation (the
    // 1.4 KB file that once took the scan past 7 GB).
    write(root, "package.json", &fanned_out_scripts(9));
    // Reusable workflows: sixty jobs per level, five levels.
    for level in 0..5 {
        let mut text = String::from(if level == 0 {
            "on: [push]\njobs:\n"
        } else {
            "on: [workflow_call]\njobs:\n"
        });
        for j in 0..60 {
            if level == 4 {
                text.push_str(&format!(
                    "  j{j}:\n    runs-on: x\n    steps:\n      - run: npm test\n"
                ));
            } else {
                text.push_str(&format!(
                    "  j{j}:\n    uses: ./.github/workflows/w{}.yml\n",
                    level + 1
                ));
            }
        }
        write(root, &format!(".github/workflows/w{level}.yml"), &text);
    }
    let run = scan(root, &["--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap();

    // Memoisation loses no leaf: within the hop bound, jest is still found
    // through every level and every reusable workflow.
    write(root, "package.json", &fanned_out_scripts(6));
    write(root, "src/app.test.js", "test('x', () => {});\n");
    let run = scan(root, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(common::check(&report, "ci-runs-tests")["status"], "pass");
}

#[test]
fn special_and_linked_ignore_files_cost_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "package.json", "{\"name\":\"x\"}\n");
    write(root, "src/app.js", "console.log('hi')\n");
    std::os::unix::fs::symlink("/dev/zero", root.join(".gitignore")).unwrap();
    std::fs::create_dir_all(root.join("src/sub")).unwrap();
    let fifos = mkfifo(&root.join(".ignore")) && mkfifo(&root.join("src/.gitignore"));
    for (format, run) in scan_all_formats(root) {
        assert!(run.code == 0 || run.code == 1, "{format}: {}", run.stderr);
        assert!(
            run.stderr.contains(".gitignore"),
            "{format}: {}",
            run.stderr
        );
    }
    if fifos {
        let _ = std::fs::remove_file(root.join(".graduate.toml"));
        assert!(mkfifo(&root.join(".graduate.toml")));
        let run = scan(root, &[]);
        assert_eq!(
            run.code, 2,
            "a FIFO config is a config error: {}",
            run.stderr
        );
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    }
}

#[test]
fn file_names_cannot_inject_commands_or_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        "{\"name\":\"x\",\"dependencies\":{\"express\":\"4\"}}\n",
    );
    let key = "const stripe = require('stripe')('sk_live_4eC39HqLyjWDarjtT1zdp7dc');\n";
    for name in [
        "x\n::error file=app.js::INJECTED\n.js",
        "y\n##[error]INJECTED.js",
        "\u{1b}]0;pwned\u{7}\u{1b}[2J.js",
        "rtl\u{202e}sj.txt.js",
        "::add-mask::z.js",
    ] {
        write(root, &format!("src/{name}"), key);
    }
    for (format, run) in scan_all_formats(root) {
        assert!(run.code == 0 || run.code == 1, "{format}: {}", run.stderr);
        assert_inert(format, &run.stdout);
        assert_inert(format, &run.stderr);
        assert!(!run.stdout.contains("4eC39HqLyjWDarjtT1zdp7dc"), "{format}");
    }
}

#[test]
fn gitignore_and_ignore_files_cannot_hide_a_tracked_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "git {args:?}");
    };
    write(root, "package.json", "{\"name\":\"x\"}\n");
    write(
        root,
        "config/keys.js",
        "module.exports = { stripe: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' };\n",
    );
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    // Ignored after it was committed, and a ripgrep-style `.ignore` for all.
    write(root, ".gitignore", "config/\n");
    write(root, ".ignore", "*\n");
    let run = scan(root, &["--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "hardcoded-secret" && d["path"] == "config/keys.js");
    assert!(found, "the tracked key was hidden: {}", run.stdout);
    // An untracked ignored file stays out, as in git.
    write(
        root,
        "config/local.js",
        "module.exports = { stripe: 'sk_live_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2' };\n",
    );
    let run = scan(root, &["--format", "json"]);
    assert!(!run.stdout.contains("config/local.js"), "{}", run.stdout);
}

#[test]
fn thread_counts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "100000", "-1"] {
        let run = scan(dir.path(), &["--threads", bad]);
        assert_eq!(run.code, 2, "--threads {bad}");
    }
    assert!(matches!(scan(dir.path(), &["--threads", "4"]).code, 0 | 1));
}

#[test]
fn a_byte_order_mark_does_not_break_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        "\u{feff}{\"name\":\"x\",\"dependencies\":{\"express\":\"4\"}}\n",
    );
    let run = scan(root, &["--format", "json"]);
    assert!(!run.stderr.contains("package.json"), "{}", run.stderr);
    // Parsed: the manifest is judged (it has no lockfile).
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lock = common::check(&report, "lockfile-committed");
    assert_eq!(lock["status"], "fail", "{lock}");
    assert!(lock.to_string().contains("package.json"), "{lock}");
}
