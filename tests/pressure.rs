//! Graduation pressure on git repositories the test scripts itself: commits
//! with chosen authors, dates and subjects, so every figure is exact.

mod common;

use std::path::Path;
use std::process::Command;

use common::graduate;
use serde_json::Value;

const NOW: i64 = 1_795_000_000;
const DAY: i64 = 86_400;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

fn commit(dir: &Path, author: &str, days_ago: i64, subject: &str, file: &str, line: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(line);
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    git(dir, &["add", "-A"]);
    let date = format!("@{} +0000", NOW - days_ago * DAY);
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            &format!("user.email={author}"),
            "-c",
            "user.name=dev",
            "commit",
            "-q",
            "-m",
            subject,
        ])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    common::assert_ok(&ok);
}

fn scan(dir: &Path) -> Value {
    let out = graduate()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .env("SOURCE_DATE_EPOCH", NOW.to_string())
        .output()
        .unwrap();
    common::assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn signal<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["pressure"]["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

fn scripted_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    commit(
        dir,
        "old@x.io",
        100,
        "initial import",
        "README.md",
        "# orders",
    );
    commit(
        dir,
        "c@x.io",
        70,
        "feat: models",
        "app/models.py",
        "class User:\n    email: str",
    );
    commit(
        dir,
        "c@x.io",
        70,
        "chore: deps",
        "requirements.txt",
        "flask==3.0.3\ntwilio==9.0.0",
    );
    for i in 0..5 {
        let subject = if i == 0 {
            "fix: crash on empty cart"
        } else {
            "feat: checkout step"
        };
        commit(
            dir,
            "b@x.io",
            50,
            subject,
            "app/checkout.py",
            &format!("STEP_{i} = {i}"),
        );
    }
    let app = "from flask import Flask\napp = Flask(__name__)\nSTRIPE = 'https://api.stripe.com/v1'\nSLACK = 'https://hooks.slack.com/services/x'\n@app.route('/orders')\ndef orders(): return 'ok'";
    for i in 0..10 {
        let (subject, line) = match i {
            0 => ("feat: orders api", app.to_string()),
            3 => ("hotfix: orders 500", format!("# change {i}")),
            6 => ("Revert \"feat: cache\"", format!("# change {i}")),
            _ => ("feat: orders", format!("# change {i}")),
        };
        commit(dir, "a@x.io", 20 - i, subject, "app/main.py", &line);
    }
}

#[test]
fn figures_from_a_scripted_history_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    scripted_repo(root);
    let r = scan(root);
    let p = &r["pressure"];
    // 17 commits in 90 days: a×10 (1–20 days ago), b×5 (50), c×2 (70); the
    // import 100 days ago is outside the window.
    assert_eq!(p["commits_read"], 17);
    assert_eq!(signal(&r, "contributors")["value"], 3.0);
    assert!(
        signal(&r, "contributors")["note"]
            .as_str()
            .unwrap()
            .contains("trend -1")
    );
    assert_eq!(signal(&r, "commits-per-week")["value"], 1.3); // 17 / (90/7)
    assert_eq!(signal(&r, "growth-percent")["value"], 100.0); // 10 vs 5
    assert_eq!(signal(&r, "growth-percent")["over"], true);
    assert_eq!(signal(&r, "fixes-per-week")["value"], 0.2); // 3 / (90/7)
    assert_eq!(signal(&r, "integrations")["value"], 3.0); // stripe, slack hosts + twilio SDK
    assert_eq!(signal(&r, "personal-data")["value"], 1.0); // email
    assert_eq!(p["verdict"], "graduate");
    // contributors (3 ≥ 3), growth, integrations, personal data.
    assert_eq!(p["reasons"].as_array().unwrap().len(), 4);
    // app/main.py changed 10 times: the hotspot, and its debt is riskier.
    let hot = &p["hotspots"][0];
    assert_eq!(hot["path"], "app/main.py");
    assert_eq!(hot["changes"], 10);
    let health = r["debt"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "health-endpoint")
        .unwrap();
    assert_eq!(health["path"], "app/main.py");
    assert_eq!(health["hotspot"], 10);
    assert_eq!(health["risk"], 5, "risk 4 raised by one in a hotspot");
    assert!(
        hot["debt"]
            .as_array()
            .unwrap()
            .contains(&Value::from("health-endpoint"))
    );
}

#[test]
fn shallow_clone_and_no_git_are_unknown_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    std::fs::create_dir(&origin).unwrap();
    scripted_repo(&origin);
    let shallow = dir.path().join("shallow");
    let ok = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", origin.display()))
        .arg(&shallow)
        .output()
        .unwrap();
    common::assert_ok(&ok);
    let r = scan(&shallow);
    assert!(
        r["pressure"]["history_unknown"]
            .as_str()
            .unwrap()
            .contains("shallow")
    );
    assert_eq!(signal(&r, "contributors")["value"], Value::Null);
    assert_eq!(signal(&r, "contributors")["over"], Value::Null);
    // The code signals are still measured, and what they show stands as
    // a lower bound of the verdict.
    assert_eq!(signal(&r, "integrations")["value"], 3.0);
    assert_eq!(r["pressure"]["verdict"], "watch");
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("main.go"), "package main\n").unwrap();
    let r = scan(plain.path());
    assert_eq!(r["pressure"]["history_unknown"], "not a git repository");
    // Nothing over and no history: not assessed (it said "keep as
    // prototype" without having looked), and every format says why.
    assert_eq!(r["pressure"]["verdict"], "not-assessed");
    assert!(
        r["pressure"]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("Not assessed: the history signals are unknown (not a git repository)")
    );
    let render = |format: &str| {
        let out = common::graduate()
            .arg("scan")
            .arg(plain.path())
            .args(["--format", format])
            .output()
            .unwrap();
        common::assert_ok(&out);
        String::from_utf8(out.stdout).unwrap()
    };
    let text = render("text");
    assert!(
        text.contains("Pressure   not assessed — history unknown"),
        "{text}"
    );
    assert!(text.contains("contributors ?/3"), "{text}");
    let md = render("markdown");
    assert!(
        md.contains("**Graduation pressure: not assessed** (0 of 6 signals over threshold; history unknown: not a git repository): contributors ?/3 · "),
        "{md}"
    );
    let html = render("html");
    // The verdict card: the verdict, why, and every signal with its value.
    let card = &html[html.find("data-testid=\"verdict\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("<p class=\"big\">Not assessed</p>"), "{card}");
    assert!(card.contains("not a git repository"), "{card}");
    for id in [
        "contributors",
        "fixes-per-week",
        "integrations",
        "personal-data",
    ] {
        assert!(card.contains(&format!("<span>{id}</span>")), "{id}: {card}");
    }
    assert!(card.contains("unknown / 3"), "{card}");
    // And the detail table, with what each signal measures.
    assert!(html.contains("<td data-label=\"signal\"><code>contributors</code></td>"));
}

#[test]
fn thresholds_come_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    scripted_repo(root);
    std::fs::write(
        root.join(".graduate.toml"),
        "[pressure]\nintegrations = 10\npersonal-data-kinds = 5\n",
    )
    .unwrap();
    let r = scan(root);
    assert_eq!(signal(&r, "integrations")["threshold"], 10.0);
    assert_eq!(r["pressure"]["verdict"], "watch");
}
