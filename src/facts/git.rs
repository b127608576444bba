//! Git history facts for graduation pressure: commits in a bounded window
//! (author, time, subject, files touched).
//!
//! Read in-process with `gix` rather than by running `git`: the scanned
//! repository is hostile, and git honours the repository's own `config`
//! (signing programs, fsmonitor, ssh commands for lazy fetches in partial
//! clones) in ways no list of `-c` overrides is sure to close. `gix` is
//! opened on the verified git directory from [`git_dir::locate`], isolated
//! (no system, global or environment configuration), never discovers, never
//! runs a program, never fetches and never writes. Before it reads anything
//! the object store is checked to hold only regular files
//! ([`git_dir::verify_store`]). A commit whose objects are missing (a
//! partial clone) makes the whole history unknown, with the reason.
//!
//! The window matches `git log --no-merges --since --until -- <root>`:
//! commits by commit time, newest first, merges left out, and for a
//! subfolder scan only commits that touch it, with paths relative to it.

use super::git_dir::{self, Location, Repository};

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

/// Read the last [`WINDOW_DAYS`] days before `now` (epoch seconds) from the
/// repository [`git_dir::locate`] found.
pub fn read(location: &Location, now: i64) -> History {
    let repo = match location {
        Location::Repository(r) => r,
        Location::NotARepository => return History::Unknown("not a git repository".into()),
        Location::Refused(why) => return History::Unknown(why.clone()),
    };
    if let Err(why) = git_dir::verify_store(repo) {
        return History::Unknown(why);
    }
    if std::fs::symlink_metadata(repo.common_dir.join("shallow")).is_ok_and(|m| m.len() > 0) {
        return History::Unknown(
            "shallow clone: history is incomplete (fetch with fetch-depth: 0)".into(),
        );
    }
    // gix is built for SHA-1 only: SHA-256 repositories are still rare and
    // the second hash would cost another set of crates.
    if git_dir::uses_sha256(repo) {
        return History::Unknown("SHA-256 repository: history is not read".into());
    }
    match walk(repo, now) {
        Ok(h) => h,
        Err(Failure::NoCommits) => History::Unknown("no commits yet".into()),
        Err(Failure::Missing(what)) if git_dir::is_partial_clone(repo) => {
            History::Unknown(format!(
                "partial clone: history objects are missing ({what}) and are never fetched \
                 (clone without --filter to measure history)"
            ))
        }
        Err(Failure::Missing(what)) => History::Unknown(format!("git history unreadable: {what}")),
        Err(Failure::Other(e)) => History::Unknown(format!("git history unreadable: {e}")),
    }
}

enum Failure {
    NoCommits,
    /// An object could not be read: missing from a partial clone, or damaged.
    Missing(String),
    Other(String),
}

fn open(repo: &Repository) -> Result<gix::Repository, Failure> {
    let options = gix::open::Options::isolated().open_path_as_is(true);
    let mut r =
        gix::open_opts(&repo.git_dir, options).map_err(|e| Failure::Other(e.to_string()))?;
    r.object_cache_size_if_unset(4 * 1024 * 1024);
    Ok(r)
}

fn walk(repo: &Repository, now: i64) -> Result<History, Failure> {
    let r = open(repo)?;
    let head = r.head_id().map_err(|_| Failure::NoCommits)?.detach();
    let since = now - WINDOW_DAYS * 86_400;
    let missing = |what: &str, e: &dyn std::fmt::Display| Failure::Missing(format!("{what}: {e}"));
    let commits_walk = r
        .rev_walk([head])
        .sorting(gix::revision::walk::Sorting::ByCommitTimeCutoff {
            order: gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
            seconds: since,
        })
        .all()
        .map_err(|e| missing("commit", &e))?;
    let prefix: Vec<&str> = repo.prefix.split('/').filter(|c| !c.is_empty()).collect();
    let mut state = gix::diff::tree::State::default();
    let mut commits = Vec::new();
    for info in commits_walk {
        let info = info.map_err(|e| missing("commit", &e))?;
        if info.parent_ids.len() > 1 {
            continue;
        }
        let commit = info.object().map_err(|e| missing("commit", &e))?;
        let time = match info.commit_time {
            Some(t) => t,
            None => {
                commit
                    .time()
                    .map_err(|e| Failure::Other(e.to_string()))?
                    .seconds
            }
        };
        if time > now || time < since {
            continue;
        }
        let tree = subtree(
            &r,
            commit.tree_id().map_err(|e| missing("tree", &e))?.detach(),
            &prefix,
        )?;
        let parent_tree = match info.parent_ids.first() {
            Some(p) => {
                let parent = r.find_commit(*p).map_err(|e| missing("commit", &e))?;
                let id = parent.tree_id().map_err(|e| missing("tree", &e))?.detach();
                subtree(&r, id, &prefix)?
            }
            None => None,
        };
        // `-- <root>`: a commit that leaves the scanned folder as it was is
        // not in its history.
        if tree == parent_tree {
            continue;
        }
        let files = changed_files(&r, parent_tree, tree, &mut state)?;
        let author = commit.author().map_err(|e| Failure::Other(e.to_string()))?;
        let message = commit
            .message()
            .map_err(|e| Failure::Other(e.to_string()))?;
        commits.push(Commit {
            time: author.seconds(),
            author: author.email.to_string().trim().to_ascii_lowercase(),
            subject: message.summary().to_string(),
            files,
        });
        if commits.len() > MAX_COMMITS {
            break;
        }
    }
    let truncated = commits.len() > MAX_COMMITS;
    commits.truncate(MAX_COMMITS);
    Ok(History::Known { commits, truncated })
}

/// The tree at `prefix` inside `tree`, `None` when there is none.
fn subtree(
    r: &gix::Repository,
    tree: gix::ObjectId,
    prefix: &[&str],
) -> Result<Option<gix::ObjectId>, Failure> {
    if prefix.is_empty() {
        return Ok(Some(tree));
    }
    let tree = r
        .find_tree(tree)
        .map_err(|e| Failure::Missing(format!("tree: {e}")))?;
    let entry = tree
        .lookup_entry(prefix.iter().copied())
        .map_err(|e| Failure::Missing(format!("tree: {e}")))?;
    Ok(entry.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
}

/// Paths of files (not folders) that differ between two trees, sorted.
fn changed_files(
    r: &gix::Repository,
    old: Option<gix::ObjectId>,
    new: Option<gix::ObjectId>,
    state: &mut gix::diff::tree::State,
) -> Result<Vec<String>, Failure> {
    let load = |id: Option<gix::ObjectId>| -> Result<Vec<u8>, Failure> {
        match id {
            Some(id) => Ok(r
                .find_tree(id)
                .map_err(|e| Failure::Missing(format!("tree: {e}")))?
                .detach()
                .data),
            None => Ok(Vec::new()),
        }
    };
    let (old, new) = (load(old)?, load(new)?);
    let kind = r.object_hash();
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        gix::objs::TreeRefIter::from_bytes(&old, kind),
        gix::objs::TreeRefIter::from_bytes(&new, kind),
        state,
        &r.objects,
        &mut recorder,
    )
    .map_err(|e| Failure::Missing(format!("tree: {e}")))?;
    use gix::diff::tree::recorder::Change;
    let mut files: Vec<String> = recorder
        .records
        .into_iter()
        .filter_map(|c| match c {
            Change::Addition {
                entry_mode, path, ..
            }
            | Change::Deletion {
                entry_mode, path, ..
            } => entry_mode.is_no_tree().then_some(path),
            Change::Modification {
                previous_entry_mode,
                entry_mode,
                path,
                ..
            } => (entry_mode.is_no_tree() || previous_entry_mode.is_no_tree()).then_some(path),
        })
        .map(|p| String::from_utf8_lossy(&p).into_owned())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_directory_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert!(matches!(
            read(&git_dir::locate(&root), 1_800_000_000),
            History::Unknown(_)
        ));
    }
}
