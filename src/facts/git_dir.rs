//! Finding the git directory of a scan root, and reading files from it, when
//! the tree *and* its `.git` are hostile.
//!
//! A pull request controls every byte of the checkout, so git's own
//! discovery is the wrong model: git would take a committed folder laid out
//! as a bare repository for a repository and honour its `config` (signing
//! programs, fsmonitor, ssh commands), and it follows a `.git` symlink or a
//! `gitdir:` file wherever it points. Here a repository is accepted only in
//! the shapes a real checkout has, each verified rather than trusted:
//!
//! - `<root>/.git` as a real directory (never a symlink, never a bare-shaped
//!   folder of the tree: the root itself is never opened as a repository);
//! - for a subfolder scan (`graduate scan api/`), the enclosing work tree's
//!   `.git`, found by walking *up* from the root, on the same file system and
//!   owned by the owner of the root (git's `safe.directory` idea: a `/tmp/.git`
//!   planted by another user is not ours);
//! - a `gitdir:` file of a `git worktree` checkout, accepted only when the
//!   admin directory's `gitdir` file points back at this very `.git` file and
//!   its `commondir` is the real `.git` directory holding it (git validates a
//!   worktree the same way);
//! - a `gitdir:` file of a submodule, pointing into `.git/modules/` of an
//!   enclosing work tree.
//!
//! Everything else (a gitfile into the tree or anywhere else, `commondir` in
//! a `.git` directory, borrowed objects through `alternates`) is refused with
//! a reason. Files are read only when they are regular files, opened without
//! following symlinks and without blocking on a FIFO, re-checked on the open
//! handle, and capped in size: a `HEAD` linked to `/dev/zero` costs one
//! warning, not the run.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// Size caps for the files read from a git directory. Real ones are far
/// smaller: a ref is 41 bytes, a large monorepo's index tens of MiB.
pub mod cap {
    /// `HEAD`, a loose ref, a `gitdir:` file, `commondir`, `gitdir`.
    pub const POINTER: u64 = 4 * 1024;
    /// `config` (only scanned for the object format).
    pub const CONFIG: u64 = 1024 * 1024;
    /// `packed-refs`.
    pub const PACKED_REFS: u64 = 32 * 1024 * 1024;
    /// `index`.
    pub const INDEX: u64 = 128 * 1024 * 1024;
    /// `shallow`: one object id per line.
    pub const SHALLOW: u64 = 16 * 1024 * 1024;
}

/// Why a file of a git directory was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0} does not exist")]
    Missing(String),
    #[error("{0} is not a regular file (a symlink, FIFO or device): not read")]
    NotRegular(String),
    #[error("{name} is larger than {cap} bytes: not read")]
    TooLarge { name: String, cap: u64 },
    #[error("cannot read {name}: {source}")]
    Io {
        name: String,
        source: std::io::Error,
    },
}

/// A verified repository for a scan root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The work tree's private git directory: `HEAD` and `index` live here
    /// (`.git`, or `.git/worktrees/<name>` of the main checkout).
    pub git_dir: PathBuf,
    /// Where objects, refs, `packed-refs` and `config` live; the same as
    /// `git_dir` except for a linked worktree.
    pub common_dir: PathBuf,
    /// The top of the work tree (the folder holding `.git`).
    pub work_tree: PathBuf,
    /// The scan root relative to the work tree, `/`-separated; empty when
    /// the root is the top of the work tree.
    pub prefix: String,
}

/// What [`locate`] found for a scan root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Repository(Repository),
    /// No `.git` at the root or above it.
    NotARepository,
    /// A `.git` was there but is not accepted; the reason says why.
    Refused(String),
}

/// The repository of `root` (a canonical directory), verified as described
/// in the module comment. Never discovers a repository inside the tree.
pub fn locate(root: &Path) -> Location {
    let Ok(root_meta) = std::fs::metadata(root) else {
        return Location::NotARepository;
    };
    for dir in root.ancestors() {
        if dir != root {
            // Like git without GIT_DISCOVERY_ACROSS_FILESYSTEM: a mount is a
            // boundary.
            match std::fs::metadata(dir) {
                Ok(m) if same_device(&m, &root_meta) => {}
                _ => return Location::NotARepository,
            }
        }
        let dot_git = dir.join(".git");
        let meta = match std::fs::symlink_metadata(&dot_git) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Location::Refused(format!("cannot inspect .git: {e}")),
        };
        let prefix = prefix_of(root, dir);
        let ft = meta.file_type();
        if ft.is_symlink() {
            return Location::Refused(".git is a symlink: not followed".into());
        }
        if ft.is_dir() {
            if !looks_like_git_dir(&dot_git, true) {
                let head = dot_git.join("HEAD");
                if std::fs::symlink_metadata(&head).is_ok_and(|m| !m.is_file()) {
                    return Location::Refused(
                        ReadError::NotRegular(display_name(&head)).to_string(),
                    );
                }
                // An empty or half-made `.git` folder: git keeps looking up.
                continue;
            }
            if dir != root && !same_owner(&meta, &root_meta) {
                return Location::Refused(
                    "the enclosing repository's .git belongs to another user: not read".into(),
                );
            }
            if exists(&dot_git.join("commondir")) {
                return Location::Refused(
                    ".git/commondir points to another repository: not followed".into(),
                );
            }
            return Location::Repository(Repository {
                git_dir: dot_git.clone(),
                common_dir: dot_git,
                work_tree: dir.to_path_buf(),
                prefix,
            });
        }
        if ft.is_file() {
            return match gitfile(root, &root_meta, dir, &dot_git) {
                Ok((git_dir, common_dir)) => Location::Repository(Repository {
                    git_dir,
                    common_dir,
                    work_tree: dir.to_path_buf(),
                    prefix,
                }),
                Err(why) => Location::Refused(why),
            };
        }
        return Location::Refused(".git is neither a directory nor a regular file".into());
    }
    Location::NotARepository
}

/// Follow a `gitdir:` file at `dot_git`, accepting only a verified worktree
/// or submodule; returns (private git dir, common dir).
fn gitfile(
    root: &Path,
    root_meta: &Metadata,
    dir: &Path,
    dot_git: &Path,
) -> Result<(PathBuf, PathBuf), String> {
    let text = read_text(dot_git, cap::POINTER).map_err(|e| e.to_string())?;
    let target = text
        .trim_end_matches(['\n', '\r'])
        .strip_prefix("gitdir:")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(".git is a file but not a `gitdir:` pointer")?;
    let target = dir
        .join(target)
        .canonicalize()
        .map_err(|_| "the `gitdir:` in .git points to nothing".to_string())?;
    if target.starts_with(root) {
        return Err("the `gitdir:` in .git points inside the scanned tree: not used".into());
    }
    if !is_real_dir(&target) || !same_owner_path(&target, root_meta) {
        return Err("the `gitdir:` in .git does not point to a repository: not followed".into());
    }
    // A linked worktree: `<main>/.git/worktrees/<name>`, whose `gitdir`
    // names this `.git` file and whose `commondir` is `<main>/.git`.
    if let Some(admin_parent) = target.parent()
        && admin_parent.file_name() == Some("worktrees".as_ref())
        && let Some(main_git) = admin_parent.parent()
    {
        return worktree(&target, main_git, dot_git, root_meta).map(|c| (target.clone(), c));
    }
    // A submodule: `<super>/.git/modules/<name>[/modules/<name>…]`, where
    // `<super>` is a work tree enclosing this one.
    if let Some(super_git) = modules_owner(&target)
        && let Some(super_tree) = super_git.parent()
        && dir.starts_with(super_tree)
        && dir != super_tree
        && is_real_dir(&super_git)
        && looks_like_git_dir(&super_git, true)
        && looks_like_git_dir(&target, true)
        && !exists(&target.join("commondir"))
    {
        return Ok((target.clone(), target));
    }
    Err(
        "the `gitdir:` in .git points outside the scanned tree, to neither a verified \
         worktree nor a submodule: not followed"
            .into(),
    )
}

/// Verify a worktree admin directory the way git does; returns the common
/// directory.
fn worktree(
    admin: &Path,
    main_git: &Path,
    dot_git: &Path,
    root_meta: &Metadata,
) -> Result<PathBuf, String> {
    let forged = || {
        "the `gitdir:` in .git names a worktree that does not point back at it: not followed"
            .to_string()
    };
    let back = read_text(&admin.join("gitdir"), cap::POINTER).map_err(|_| forged())?;
    let back = admin
        .join(back.trim_end_matches(['\n', '\r']))
        .canonicalize()
        .map_err(|_| forged())?;
    let here = dot_git.canonicalize().map_err(|_| forged())?;
    if back != here {
        return Err(forged());
    }
    let common = read_text(&admin.join("commondir"), cap::POINTER).map_err(|_| forged())?;
    let common = admin
        .join(common.trim_end_matches(['\n', '\r']))
        .canonicalize()
        .map_err(|_| forged())?;
    // Never a bare main repository: the common directory is a checkout's
    // own `.git` directory.
    if common != main_git
        || common.file_name() != Some(".git".as_ref())
        || !is_real_dir(&common)
        || !looks_like_git_dir(&common, true)
        || !looks_like_git_dir(admin, false)
        || !same_owner_path(&common, root_meta)
    {
        return Err(
            "the worktree named in .git does not belong to a checkout's .git directory: \
             not followed"
                .into(),
        );
    }
    Ok(common)
}

/// `<super>/.git` when `path` lies in `<super>/.git/modules/`.
fn modules_owner(path: &Path) -> Option<PathBuf> {
    let mut candidate = path.parent();
    while let Some(p) = candidate {
        if p.file_name() == Some("modules".as_ref())
            && let Some(git) = p.parent()
            && git.file_name() == Some(".git".as_ref())
        {
            return Some(git.to_path_buf());
        }
        candidate = p.parent();
    }
    None
}

/// A git directory has `HEAD`; a full one (not a worktree's admin directory)
/// also has `objects/` and `refs/`, all real, none a symlink.
fn looks_like_git_dir(dir: &Path, full: bool) -> bool {
    let file = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
    let folder = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_dir());
    file("HEAD") && (!full || (folder("objects") && folder("refs")))
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

fn prefix_of(root: &Path, top: &Path) -> String {
    root.strip_prefix(top)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

#[cfg(unix)]
fn same_device(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev()
}

#[cfg(not(unix))]
fn same_device(_: &Metadata, _: &Metadata) -> bool {
    true
}

#[cfg(unix)]
fn same_owner(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.uid() == b.uid()
}

#[cfg(not(unix))]
fn same_owner(_: &Metadata, _: &Metadata) -> bool {
    true
}

fn same_owner_path(path: &Path, root_meta: &Metadata) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| same_owner(&m, root_meta))
}

/// The bytes of `path` if it is a regular file of at most `cap` bytes.
///
/// Checked before opening (`symlink_metadata`), opened without following a
/// symlink and without blocking on a FIFO, and checked again on the handle,
/// so a file swapped in between is caught too; the read itself stops at the
/// cap whatever the size claimed.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    use crate::bounded_read::{ReadError as Bounded, regular_file};
    let name = display_name(path);
    regular_file(path, cap).map_err(|e| match e {
        Bounded::NotFound => ReadError::Missing(name),
        Bounded::Symlink | Bounded::NotRegular => ReadError::NotRegular(name),
        Bounded::TooLarge { max } => ReadError::TooLarge { name, cap: max },
        Bounded::Io(source) => ReadError::Io { name, source },
    })
}

/// [`read_regular`] as text (lossy: git files are ASCII, anything else is
/// judged by the caller).
pub fn read_text(path: &Path, cap: u64) -> Result<String, ReadError> {
    read_regular(path, cap).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn check_regular(meta: &Metadata, name: &str, cap: u64) -> Result<(), ReadError> {
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(name.to_string()));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            name: name.to_string(),
            cap,
        });
    }
    Ok(())
}

/// `.git/HEAD`-style names for messages: the runner's absolute paths stay
/// out of the report.
fn display_name(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.iter().rev() {
        let c = c.to_string_lossy().into_owned();
        let stop = c == ".git";
        parts.push(c);
        if stop || parts.len() == 3 {
            break;
        }
    }
    parts.reverse();
    parts.join("/")
}

/// Check, before anything else reads the repository's object store, that
/// the files a history walk touches are plain: the named files regular and
/// within their caps, `objects/` and `refs/` made only of real directories
/// and regular files (a FIFO loose object would block a reader forever, a
/// symlinked pack would read another repository), and no borrowed objects.
pub fn verify_store(repo: &Repository) -> Result<(), String> {
    if exists(&repo.common_dir.join("objects/info/alternates")) {
        return Err(
            "the repository borrows objects from another one (objects/info/alternates): \
             not followed"
                .into(),
        );
    }
    for dir in [&repo.git_dir, &repo.common_dir] {
        for (name, limit) in [
            ("HEAD", cap::POINTER),
            ("commondir", cap::POINTER),
            ("gitdir", cap::POINTER),
            ("config", cap::CONFIG),
            ("config.worktree", cap::CONFIG),
            ("packed-refs", cap::PACKED_REFS),
            ("shallow", cap::SHALLOW),
        ] {
            let path = dir.join(name);
            match std::fs::symlink_metadata(&path) {
                Ok(m) => {
                    check_regular(&m, &display_name(&path), limit).map_err(|e| e.to_string())?
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot inspect {}: {e}", display_name(&path))),
            }
        }
        for sub in ["objects", "refs"] {
            let path = dir.join(sub);
            if exists(&path) {
                plain_tree(
                    &path,
                    if sub == "refs" {
                        cap::POINTER
                    } else {
                        u64::MAX
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// Every entry under `dir` is a real directory or a regular file of at most
/// `limit` bytes.
fn plain_tree(dir: &Path, limit: u64) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Err(format!(
            "{} is not a directory: not read",
            display_name(dir)
        ));
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot list {}: {e}", display_name(&d)))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {}: {e}", display_name(&d)))?;
            let path = entry.path();
            let ft = entry
                .file_type()
                .map_err(|e| format!("cannot inspect {}: {e}", display_name(&path)))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() {
                if limit != u64::MAX {
                    let m = entry.metadata().map_err(|e| e.to_string())?;
                    check_regular(&m, &display_name(&path), limit).map_err(|e| e.to_string())?;
                }
            } else {
                return Err(ReadError::NotRegular(display_name(&path)).to_string());
            }
        }
    }
    Ok(())
}

/// The repository uses SHA-256 object ids (`extensions.objectFormat`). An
/// unreadable config counts as the default, SHA-1.
pub fn uses_sha256(repo: &Repository) -> bool {
    read_text(&repo.common_dir.join("config"), cap::CONFIG).is_ok_and(|c| {
        c.replace([' ', '\t'], "")
            .to_ascii_lowercase()
            .contains("objectformat=sha256")
    })
}

/// A partial clone (`--filter`): its config names a promisor remote or a
/// filter, or a pack came from a promisor. Objects may be missing by design.
pub fn is_partial_clone(repo: &Repository) -> bool {
    let config = read_text(&repo.common_dir.join("config"), cap::CONFIG)
        .map(|c| c.to_ascii_lowercase())
        .unwrap_or_default();
    config.contains("promisor") || config.contains("partialclone") || {
        std::fs::read_dir(repo.common_dir.join("objects/pack")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".promisor"))
        })
    }
}

/// HEAD's commit id, read without running git: `HEAD`, then the loose ref
/// it names, then `packed-refs`. `Ok(None)` for an unborn branch or an id
/// that is not one; `Err` when a file could not be read safely.
pub fn head_commit(repo: &Repository) -> Result<Option<String>, ReadError> {
    let head = read_text(&repo.git_dir.join("HEAD"), cap::POINTER)?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return Ok(is_sha(head).then(|| head.to_string()));
    };
    // A ref name is a relative path of plain components under refs/: never
    // `..`, never absolute (a hostile HEAD could name `../../etc/x`).
    if !reference.starts_with("refs/")
        || reference
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
        || reference.contains('\\')
    {
        return Ok(None);
    }
    // Per-worktree refs (bisect, worktree-local) live in the private dir;
    // branches and tags in the common one.
    for dir in [&repo.git_dir, &repo.common_dir] {
        match read_text(&dir.join(reference), cap::POINTER) {
            Ok(id) => {
                let id = id.trim();
                return Ok(is_sha(id).then(|| id.to_string()));
            }
            Err(ReadError::Missing(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let packed = match read_text(&repo.common_dir.join("packed-refs"), cap::PACKED_REFS) {
        Ok(p) => p,
        Err(ReadError::Missing(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(packed.lines().find_map(|l| {
        let (id, name) = l.split_once(' ')?;
        (name == reference && is_sha(id)).then(|| id.to_string())
    }))
}

fn is_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_dir(at: &Path) {
        std::fs::create_dir_all(at.join("objects")).unwrap();
        std::fs::create_dir_all(at.join("refs/heads")).unwrap();
        std::fs::write(at.join("HEAD"), "ref: refs/heads/main\n").unwrap();
    }

    fn canon(p: &Path) -> PathBuf {
        p.canonicalize().unwrap()
    }

    #[test]
    fn a_plain_folder_is_not_a_repository() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(locate(&canon(t.path())), Location::NotARepository);
    }

    #[test]
    fn the_root_is_never_opened_as_a_bare_repository() {
        // The folder itself has HEAD, objects/, refs/: a bare repository to
        // git, a folder of files here.
        let t = tempfile::tempdir().unwrap();
        git_dir(t.path());
        assert_eq!(locate(&canon(t.path())), Location::NotARepository);
    }

    #[test]
    fn a_subfolder_finds_the_enclosing_work_tree_with_its_prefix() {
        let t = tempfile::tempdir().unwrap();
        let top = canon(t.path());
        git_dir(&top.join(".git"));
        std::fs::create_dir_all(top.join("services/api")).unwrap();
        let Location::Repository(r) = locate(&top.join("services/api")) else {
            panic!("not found");
        };
        assert_eq!(r.work_tree, top);
        assert_eq!(r.prefix, "services/api");
        assert_eq!(r.git_dir, top.join(".git"));
    }

    #[test]
    fn a_dot_git_symlink_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        git_dir(&elsewhere.path().join(".git"));
        let root = canon(t.path());
        std::os::unix::fs::symlink(elsewhere.path().join(".git"), root.join(".git")).unwrap();
        assert!(matches!(locate(&root), Location::Refused(_)));
    }

    #[test]
    fn a_gitfile_into_the_tree_or_an_unverified_folder_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let root = canon(t.path());
        git_dir(&root.join("inner"));
        std::fs::write(root.join(".git"), "gitdir: inner\n").unwrap();
        assert!(matches!(locate(&root), Location::Refused(m) if m.contains("inside")));
        let out = tempfile::tempdir().unwrap();
        git_dir(out.path());
        std::fs::write(
            root.join(".git"),
            format!("gitdir: {}\n", out.path().display()),
        )
        .unwrap();
        assert!(matches!(locate(&root), Location::Refused(_)));
    }

    #[test]
    fn a_worktree_is_accepted_only_when_it_points_back() {
        let t = tempfile::tempdir().unwrap();
        let base = canon(t.path());
        let main_git = base.join("main/.git");
        git_dir(&main_git);
        let admin = main_git.join("worktrees/wt");
        std::fs::create_dir_all(&admin).unwrap();
        std::fs::write(admin.join("HEAD"), "ref: refs/heads/wt\n").unwrap();
        std::fs::write(admin.join("commondir"), "../..\n").unwrap();
        let wt = base.join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        std::fs::write(wt.join(".git"), format!("gitdir: {}\n", admin.display())).unwrap();
        // No back link yet: refused.
        std::fs::write(
            admin.join("gitdir"),
            format!("{}\n", base.join("x/.git").display()),
        )
        .unwrap();
        assert!(matches!(locate(&wt), Location::Refused(m) if m.contains("point back")));
        std::fs::write(
            admin.join("gitdir"),
            format!("{}\n", wt.join(".git").display()),
        )
        .unwrap();
        let Location::Repository(r) = locate(&wt) else {
            panic!("refused");
        };
        assert_eq!(r.git_dir, admin);
        assert_eq!(r.common_dir, main_git);
        // A bare main repository (common dir not named .git) is refused.
        let bare = base.join("bare.git");
        std::fs::rename(&main_git, &bare).unwrap();
        std::fs::write(
            wt.join(".git"),
            format!("gitdir: {}\n", bare.join("worktrees/wt").display()),
        )
        .unwrap();
        assert!(matches!(locate(&wt), Location::Refused(_)));
    }

    #[test]
    fn special_files_are_not_read() {
        let t = tempfile::tempdir().unwrap();
        let link = t.path().join("HEAD");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_regular(&link, cap::POINTER),
            Err(ReadError::NotRegular(_))
        ));
        let big = t.path().join("index");
        std::fs::write(&big, vec![b'x'; 5000]).unwrap();
        assert!(matches!(
            read_regular(&big, cap::POINTER),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            read_regular(&t.path().join("none"), 10),
            Err(ReadError::Missing(_))
        ));
    }

    #[test]
    fn head_follows_loose_then_packed_refs_and_never_leaves_refs() {
        let t = tempfile::tempdir().unwrap();
        let g = canon(t.path()).join(".git");
        git_dir(&g);
        let repo = Repository {
            git_dir: g.clone(),
            common_dir: g.clone(),
            work_tree: canon(t.path()),
            prefix: String::new(),
        };
        let id = "a".repeat(40);
        std::fs::write(
            g.join("packed-refs"),
            format!("# pack\n{id} refs/heads/main\n"),
        )
        .unwrap();
        assert_eq!(head_commit(&repo).unwrap(), Some(id.clone()));
        let loose = "b".repeat(40);
        std::fs::write(g.join("refs/heads/main"), format!("{loose}\n")).unwrap();
        assert_eq!(head_commit(&repo).unwrap(), Some(loose));
        std::fs::write(g.join("HEAD"), "ref: refs/../../outside\n").unwrap();
        assert_eq!(head_commit(&repo).unwrap(), None);
    }
}
