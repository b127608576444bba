//! Git history facts for graduation pressure: commits in a bounded window
//! (author, time, subject, files touched). Read with the `git` binary rather
//! than a Rust git library: it is on every CI runner, walks large histories
//! fast, and keeps the build lean. It is run read-only and hardened so that
//! a scanned repository's own config cannot make it run anything: no pager,
//! no external diff, no textconv, no fsmonitor, no prompts.

use std::path::Path;
use std::process::Command;

/// One commit in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub time: i64,
    pub author: String,
    pub subject: String,
    /// Files touched, relative to the scanned root.
    pub files: Vec<String>,
}

/// The history window, or why it is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    Known {
        /// Newest first.
        commits: Vec<Commit>,
        /// The walk hit the commit bound before the window's start.
        truncated: bool,
    },
    Unknown(String),
}

/// At most this many commits are read, whatever the window.
pub const MAX_COMMITS: usize = 5_000;
/// Days of history read (the longest window any signal needs).
pub const WINDOW_DAYS: i64 = 90;

fn git(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(root)
        .args([
            "--no-pager",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "diff.external=",
            "-c",
            "core.quotePath=false",
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// Read the last [`WINDOW_DAYS`] days before `now` (epoch seconds).
pub fn read(root: &Path, now: i64) -> History {
    let inside = git(root)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output();
    match inside {
        Err(e) => return History::Unknown(format!("git is not available: {e}")),
        Ok(o) if !o.status.success() => {
            return History::Unknown("not a git repository".into());
        }
        Ok(_) => {}
    }
    if let Ok(o) = git(root)
        .args(["rev-parse", "--is-shallow-repository"])
        .output()
        && String::from_utf8_lossy(&o.stdout).trim() == "true"
    {
        return History::Unknown(
            "shallow clone: history is incomplete (fetch with fetch-depth: 0)".into(),
        );
    }
    let since = now - WINDOW_DAYS * 86_400;
    let out = git(root)
        .args([
            "log",
            "--no-merges",
            "--no-textconv",
            "--no-ext-diff",
            "--relative",
            "--name-only",
            "--format=%x1e%at%x09%ae%x09%s",
        ])
        .arg(format!("--since={since}"))
        .arg(format!("--until={now}"))
        .arg(format!("--max-count={}", MAX_COMMITS + 1))
        .args(["--", "."])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let first = err.lines().next().unwrap_or("").trim();
            // A repository with no commit yet has no history to judge.
            return History::Unknown(if first.contains("does not have any commits") {
                "no commits yet".into()
            } else {
                format!("git log failed: {first}")
            });
        }
        Err(e) => return History::Unknown(format!("git log failed: {e}")),
    };
    let mut commits = parse_log(&String::from_utf8_lossy(&out.stdout));
    let truncated = commits.len() > MAX_COMMITS;
    commits.truncate(MAX_COMMITS);
    History::Known { commits, truncated }
}

fn parse_log(text: &str) -> Vec<Commit> {
    text.split('\x1e')
        .filter(|r| !r.trim().is_empty())
        .filter_map(|record| {
            let mut lines = record.lines();
            let head = lines.next()?;
            let mut parts = head.splitn(3, '\t');
            let time = parts.next()?.trim().parse().ok()?;
            let author = parts.next()?.to_ascii_lowercase();
            let subject = parts.next().unwrap_or("").to_string();
            let files = lines
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect();
            Some(Commit {
                time,
                author,
                subject,
                files,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records() {
        let log = "\x1e1700000000\tA@x.io\tfix: crash\n\nsrc/a.js\nREADME.md\n\x1e1699990000\tb@x.io\tinit\n\nsrc/a.js\n";
        let c = parse_log(log);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].author, "a@x.io");
        assert_eq!(c[0].files, vec!["src/a.js", "README.md"]);
        assert_eq!(c[1].subject, "init");
    }

    #[test]
    fn a_plain_directory_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(dir.path(), 1_800_000_000),
            History::Unknown(_)
        ));
    }
}
