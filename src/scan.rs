//! One scan, end to end: root → config → walk (with per-file fact extraction)
//! → merged facts → rules → report. Read-only throughout.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::ScanError;
use crate::facts::{Facts, git_dir};
use crate::report::Report;
use crate::safe_text::SafeText;
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
    /// Apply the waivers (`--no-waivers` turns this off: auditor mode).
    pub waivers: bool,
}

pub struct ScanResult {
    pub report: Report,
    pub config: Config,
    /// Every walked file with its scope and the reason (`--explain-scope`).
    pub files: Vec<crate::facts::FileRecord>,
}

pub fn run(opts: &ScanOptions) -> Result<ScanResult, ScanError> {
    let asked = walk::resolve_root(&opts.path)?;
    // Found and verified once; history, the index and HEAD all read from it.
    // A folder inside a repository (`graduate scan api/`) is scanned with
    // the repository's context: the whole work tree is read (its root CI,
    // `.gitignore`, runbook and commit apply to the folder's app), every
    // path is repository-relative, and the report keeps the apps of that
    // folder, each exactly as the whole repository's scan scores it.
    // A folder under `fixtures/`, `examples/`, `testdata/` … is no app of
    // the repository (discovery skips those): it is scanned on its own, as
    // a sample is meant to be read.
    // Graduation pressure still reads the folder's own history (the
    // commits that touched it), as it always has.
    let located = git_dir::locate(&asked);
    let (root, repository, subfolder) = match &located {
        git_dir::Location::Repository(repo)
            if !repo.prefix.is_empty() && !crate::apps::outside_apps(&repo.prefix) =>
        {
            let top = git_dir::Repository {
                prefix: String::new(),
                ..repo.clone()
            };
            (
                top.work_tree.clone(),
                git_dir::Location::Repository(top),
                Some(repo.prefix.clone()),
            )
        }
        other => (asked, other.clone(), None),
    };
    let config = Config::load(opts.config.as_deref(), &root)?;
    let ignores = walk::ignore_set(&config.ignore)?;
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
    let mut facts = Facts::merge_on(out.files, out.facts, opts.threads);
    facts.warnings.extend(out.warnings);
    facts.warnings.extend(early_warnings);
    facts.tracked_env_files = tracked.map(|paths| {
        paths
            .into_iter()
            .filter(|p| crate::inventory::is_env_path(p))
            .collect()
    });
    let commit = match &repository {
        // A folder scanned on its own (a fixture, an example) has paths
        // that are not the repository's: its commit would mislead.
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
        crate::facts::git::read(&located, now)
    } else {
        crate::facts::git::History::Unknown("history disabled (--no-git)".into())
    };
    // The folder's history names files from the folder; the report's paths
    // are the repository's (hotspots are matched against debt by path).
    if let (Some(prefix), crate::facts::git::History::Known { commits, .. }) =
        (&subfolder, &mut facts.history)
    {
        for c in commits.iter_mut() {
            for f in c.files.iter_mut() {
                *f = format!("{prefix}/{f}");
            }
        }
    }
    let mut report = score::build(
        display_root(&opts.path),
        commit,
        now,
        &facts,
        crate::apps::discover_on(&facts, opts.threads).within(subfolder.as_deref()),
        &config,
        out.stats,
        opts.fail_under.or(config.fail_under),
        opts.waivers,
        opts.threads,
    );
    report.subfolder = subfolder.map(SafeText::from);
    report.name = repository_name(&root, &repository).into();
    Ok(ScanResult {
        report,
        config,
        files: facts.files,
    })
}

/// What to call the scanned repository (the page title, the terminal
/// header): the Action scans `.`, which names nothing. At the top of a work
/// tree, the `origin` remote's last path segment (`…/acme/billing.git` →
/// `billing`) when `.git/config` says it and it is a plain name; otherwise
/// the scanned folder's own name (a CI checkout folder is the repository's
/// name too). Git is never run: the config is read as the other git files
/// are, bounded and without following links.
fn repository_name(root: &Path, repository: &git_dir::Location) -> String {
    let folder = || {
        root.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| root.to_string_lossy().into_owned())
    };
    let git_dir::Location::Repository(repo) = repository else {
        return folder();
    };
    if !repo.prefix.is_empty() {
        return folder();
    }
    git_dir::read_text(&repo.common_dir.join("config"), git_dir::cap::CONFIG)
        .ok()
        .and_then(|config| origin_name(&config))
        .unwrap_or_else(folder)
}

/// The repository name in the `url` of `[remote "origin"]` of a git config,
/// when it is a plain name (letters, digits, `.`, `_`, `-`).
fn origin_name(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(char::is_whitespace, "") == "[remote\"origin\"]";
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if !in_origin || !key.trim().eq_ignore_ascii_case("url") {
            continue;
        }
        let url = value.trim().trim_matches('"').trim_end_matches('/');
        let last = url.rsplit(['/', ':']).next()?;
        let name = last.strip_suffix(".git").unwrap_or(last);
        let plain = !name.is_empty()
            && name.len() <= 100
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        return plain.then(|| name.to_string());
    }
    None
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

#[cfg(test)]
mod tests {
    use super::origin_name;

    #[test]
    fn the_origin_remote_names_the_repository() {
        let config = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:x/other.git\n\
                      [remote \"origin\"]\n\turl = https://github.com/acme/billing-api.git\n";
        assert_eq!(origin_name(config).as_deref(), Some("billing-api"));
        assert_eq!(
            origin_name("[remote \"origin\"]\nurl = git@host:team/app\n").as_deref(),
            Some("app")
        );
        // Nothing plain to show: the caller falls back to the folder name.
        assert_eq!(
            origin_name("[remote \"origin\"]\nurl = /srv/<b>x</b>\n"),
            None
        );
        assert_eq!(origin_name("[remote \"upstream\"]\nurl = a/b\n"), None);
    }
}
