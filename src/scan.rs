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
}

pub struct ScanResult {
    pub report: Report,
    pub config: Config,
}

pub fn run(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let root = walk::resolve_root(&opts.path)?;
    let config = Config::load(opts.config.as_deref(), &root)?;
    let ignores = walk::ignore_set(&config.ignore)?;
    let out = walk::walk(&root, &ignores, opts.threads, crate::facts::extract);
    let mut facts = Facts::merge(out.files, out.facts);
    facts.warnings.extend(out.warnings);
    // Found and verified once; history, the index and HEAD all read from it.
    let repository = git_dir::locate(&root);
    if let git_dir::Location::Refused(why) = &repository {
        facts.warnings.push(crate::facts::Warning {
            path: ".git".into(),
            message: format!("{why}; git facts unavailable"),
        });
    }
    match crate::facts::git_index::tracked_in(&repository) {
        Ok(tracked) => {
            facts.tracked_env_files = tracked.map(|paths| {
                paths
                    .into_iter()
                    .filter(|p| {
                        let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
                        crate::inventory::is_env_file(&name)
                    })
                    .collect()
            })
        }
        Err(e) => facts.warnings.push(crate::facts::Warning {
            path: ".git/index".into(),
            message: format!("{e}; env files judged by presence"),
        }),
    }
    let commit = match &repository {
        // The commit of a subfolder scan stays unreported, as before: its
        // paths are not repository paths yet.
        git_dir::Location::Repository(repo) if repo.prefix.is_empty() => git_dir::head_commit(repo)
            .unwrap_or_else(|e| {
                facts.warnings.push(crate::facts::Warning {
                    path: ".git/HEAD".into(),
                    message: format!("{e}; commit unknown"),
                });
                None
            }),
        _ => None,
    };
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
        &config,
        out.stats,
    );
    Ok(ScanResult { report, config })
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
