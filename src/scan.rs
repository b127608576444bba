//! One scan, end to end: root → config → walk (with per-file fact extraction)
//! → merged facts → rules → report. Read-only throughout.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::ScanError;
use crate::facts::Facts;
use crate::report::Report;
use crate::{score, walk};

pub struct ScanOptions {
    pub path: PathBuf,
    pub config: Option<PathBuf>,
    pub threads: usize,
    /// Read git history for graduation pressure.
    pub history: bool,
    /// `--fail-under N`: the report says how to reach it (the config's
    /// `fail-under` applies when this is `None`).
    pub fail_under: Option<u8>,
}

pub struct ScanResult {
    pub report: Report,
    pub config: Config,
    /// Every walked file with its scope and the reason (`--explain-scope`).
    pub files: Vec<crate::facts::FileRecord>,
}

pub fn run(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let root = walk::resolve_root(&opts.path)?;
    let config = Config::load(opts.config.as_deref(), &root)?;
    let ignores = walk::ignore_set(&config.ignore)?;
    // Tracked files first: `.gitignore` hides only untracked ones.
    let (tracked, index_warning) = match crate::facts::git_index::tracked_paths(&root) {
        Ok(tracked) => (tracked, None),
        Err(message) => (
            None,
            Some(crate::facts::Warning::new(
                ".git/index",
                format!("{message}; env files judged by presence"),
            )),
        ),
    };
    let out = walk::walk(
        &root,
        &ignores,
        tracked.clone(),
        opts.threads,
        crate::facts::extract,
    );
    let mut facts = Facts::merge(out.files, out.facts);
    facts.warnings.extend(out.warnings);
    facts.warnings.extend(index_warning);
    facts.tracked_env_files = tracked.map(|paths| {
        paths
            .into_iter()
            .filter(|p| {
                let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
                crate::inventory::is_env_file(&name)
            })
            .collect()
    });
    facts.warnings.extend(expansion_warnings(&facts));
    facts.ci_deploys = crate::facts::deploy_steps::find(&facts);
    facts.warnings.sort();
    let now = crate::report::timestamp::now_epoch();
    facts.history = if opts.history {
        crate::facts::git::read(&root, now)
    } else {
        crate::facts::git::History::Unknown("history disabled (--no-git)".into())
    };
    let report = score::build(
        display_root(&opts.path),
        git_commit(&root),
        now,
        &facts,
        &config,
        out.stats,
        opts.fail_under.or(config.fail_under),
    );
    Ok(ScanResult {
        report,
        config,
        files: facts.files,
    })
}

/// CI steps and scripts whose expansion hit its bound: the checks that read
/// them saw only part of what runs, and the report says so.
fn expansion_warnings(facts: &Facts) -> Vec<crate::facts::Warning> {
    use crate::facts::{Warning, ci, commands};
    let (steps, cut) = ci::run_steps_bounded(&facts.pipelines);
    let mut out = Vec::new();
    if cut {
        out.push(Warning::new(
            "",
            format!(
                "CI workflows call each other more than {} steps deep; the rest was not read",
                ci::MAX_RUN_STEPS
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for rs in &steps {
        if rs.step.command.is_empty() || !seen.insert((rs.location.clone(), rs.step.cwd.clone())) {
            continue;
        }
        if commands::expand_bounded(facts, &rs.step.command, rs.step.cwd.as_deref()).1 {
            out.push(Warning::new(
                rs.location.path.as_str(),
                format!(
                    "line {}: the scripts this step runs expand to more than {} commands; \
                     the rest was not read",
                    rs.location.line,
                    commands::MAX_SEGMENTS
                ),
            ));
        }
    }
    out
}

/// The root as the user typed it (no absolute paths of their machine).
fn display_root(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let trimmed = s.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        trimmed.to_string()
    }
}

/// HEAD's commit id, read from `.git` without running git.
pub fn git_commit(root: &Path) -> Option<String> {
    let git = root.join(".git");
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return is_sha(head).then(|| head.to_string());
    };
    if let Ok(id) = std::fs::read_to_string(git.join(reference)) {
        let id = id.trim();
        return is_sha(id).then(|| id.to_string());
    }
    let packed = std::fs::read_to_string(git.join("packed-refs")).ok()?;
    packed.lines().find_map(|l| {
        let (id, name) = l.split_once(' ')?;
        (name == reference && is_sha(id)).then(|| id.to_string())
    })
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}
