//! One scan, end to end: root → config → walk (with per-file fact extraction)
//! → merged facts → rules → report. Read-only throughout.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::ScanError;
use crate::facts::{Facts, git_dir};
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
    // Found and verified once; history, the index and HEAD all read from it.
    let repository = git_dir::locate(&root);
    let mut early_warnings = Vec::new();
    if let git_dir::Location::Refused(why) = &repository {
        early_warnings.push(crate::facts::Warning::new(
            ".git",
            format!("{why}; git facts unavailable"),
        ));
    }
    // Tracked files first: `.gitignore` hides only untracked ones.
    let tracked = match crate::facts::git_index::tracked_in(&repository) {
        Ok(tracked) => tracked,
        Err(e) => {
            early_warnings.push(crate::facts::Warning::new(
                ".git/index",
                format!("{e}; env files judged by presence"),
            ));
            None
        }
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
    facts.warnings.extend(early_warnings);
    facts.tracked_env_files = tracked.map(|paths| {
        paths
            .into_iter()
            .filter(|p| {
                let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
                crate::inventory::is_env_file(&name)
            })
            .collect()
    });
    let commit = match &repository {
        // The commit of a subfolder scan stays unreported, as before: its
        // paths are not repository paths yet.
        git_dir::Location::Repository(repo) if repo.prefix.is_empty() => git_dir::head_commit(repo)
            .unwrap_or_else(|e| {
                facts.warnings.push(crate::facts::Warning::new(
                    ".git/HEAD",
                    format!("{e}; commit unknown"),
                ));
                None
            }),
        _ => None,
    };
    facts.ci_deploys = crate::facts::deploy_steps::find(&facts);
    // The resolve stage: what several facts say together, derived once.
    facts.derived = crate::resolve::run(&facts);
    facts.warnings.extend(expansion_warnings(&facts));
    facts.warnings.sort();
    let now = crate::report::timestamp::now_epoch();
    facts.history = if opts.history {
        crate::facts::git::read(&repository, now)
    } else {
        crate::facts::git::History::Unknown("history disabled (--no-git)".into())
    };
    let report = score::build(
        display_root(&opts.path),
        commit,
        now,
        &facts,
        crate::apps::discover(&facts),
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
    let mut out = Vec::new();
    if facts.derived.ci_cut {
        out.push(Warning::new(
            "",
            format!(
                "CI workflows call each other more than {} steps deep; the rest was not read",
                ci::MAX_RUN_STEPS
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for rs in &facts.derived.ci_runs {
        if rs.command.is_empty() || !seen.insert((rs.location.clone(), rs.cwd.clone())) {
            continue;
        }
        if rs.cut {
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
