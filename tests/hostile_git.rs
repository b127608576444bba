//! Scanning a hostile repository: every case is built in a temp dir the
//! way an attacker would commit or shape it, then the built binary scans it
//! under a time and memory bound. Each asserts the promises of the threat
//! model: the payload's marker file is never created, the tree (its `.git`
//! included) is byte-identical before and after, content from outside the
//! root never reaches the output, and the run ends with 0 or 1.
//!
//! `git` builds the repositories; the scan itself must never need it.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Seconds a scan may take before it counts as hung.
const TIME_BOUND: &str = "40";
/// Virtual memory a scan may map, in KiB (reading `/dev/zero` would blow it).
const MEMORY_BOUND_KIB: &str = "3145728";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=dev",
            "-c",
            "user.email=dev@x.io",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "protocol.file.allow=always",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository with `n` commits touching `app.py` and one other file.
fn repo_with_commits(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q"]);
    for i in 0..n {
        std::fs::write(dir.join("app.py"), format!("print({i})\n")).unwrap();
        std::fs::write(dir.join(format!("f{i}.txt")), "x\n").unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", &format!("change {i}")]);
    }
}

/// A script that, if anything ever runs it, leaves `marker` behind.
fn payload(at: &Path, marker: &Path) {
    std::fs::write(
        at,
        format!("#!/bin/sh\ntouch '{}'\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(at, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Rewrite HEAD's commit with a `gpgsig` header, so that `log.showSignature`
/// makes git call `gpg.program` on it.
fn sign_head(dir: &Path) {
    let raw = git(dir, &["cat-file", "commit", "HEAD"]);
    let (headers, message) = raw.split_once("\n\n").unwrap();
    let signed = format!(
        "{headers}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\n{message}\n"
    );
    let file = dir.join("signed-commit.txt");
    std::fs::write(&file, signed).unwrap();
    let id = git(
        dir,
        &["hash-object", "-t", "commit", "-w", file.to_str().unwrap()],
    );
    std::fs::remove_file(&file).unwrap();
    git(dir, &["update-ref", "HEAD", &id]);
}

/// Everything under `root` as it is on disk, not following symlinks and
/// never opening a special file: content and mtime of files, mtime of
/// folders (a file created or removed changes its folder's), link targets.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        let ft = m.file_type();
        let mtime = format!("{}.{}", m.mtime(), m.mtime_nsec());
        let entry = if ft.is_symlink() {
            format!("link {:?}", std::fs::read_link(&p).unwrap())
        } else if ft.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            format!("dir {mtime}")
        } else if ft.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            format!("file {mtime} {} {:?}", bytes.len(), hash(&bytes))
        } else {
            format!("special {mtime} {:o}", m.mode())
        };
        out.insert(p, entry);
    }
    out
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The built binary on `path`, under the time and memory bound; `timeout`
/// kills the whole process group, so a `git` child it spawned dies with it.
fn scan(path: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_BOUND_KIB}; exec timeout -s KILL {TIME_BOUND} \"$@\""
        ))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_graduate"))
        .arg("scan")
        .arg(path)
        .args(["--format", "json"])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

/// The promises every case shares; returns the JSON report.
fn assert_safe(out: &Output, marker: &Path, canaries: &[&str]) -> Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?} (137 = killed at the time bound): {stderr}",
        out.status
    );
    assert!(
        !marker.exists(),
        "the payload ran: {} exists",
        marker.display()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for canary in canaries {
        assert!(
            !stdout.contains(canary) && !stderr.contains(canary),
            "out-of-root content {canary} in the output"
        );
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

struct Case {
    _dir: tempfile::TempDir,
    base: PathBuf,
    marker: PathBuf,
}

fn case() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let marker = base.join("PWNED");
    Case {
        _dir: dir,
        base,
        marker,
    }
}

#[test]
fn a_bare_shaped_folder_scanned_directly_runs_nothing() {
    let c = case();
    let root = c.base.join("repo");
    repo_with_commits(&root, 1);
    // A folder committed in the repository, laid out as a bare repository
    // whose config names a signing program, with a signed commit to show.
    let evil = root.join("evil");
    std::fs::create_dir(&evil).unwrap();
    git(&evil, &["init", "-q", "--bare", "."]);
    let work = c.base.join("work");
    repo_with_commits(&work, 1);
    sign_head(&work);
    git(
        &work,
        &["push", "-q", evil.to_str().unwrap(), "HEAD:refs/heads/main"],
    );
    payload(&evil.join("pwn.sh"), &c.marker);
    let pwn = evil.join("pwn.sh");
    let pwn = pwn.to_str().unwrap();
    for (key, value) in [
        ("log.showSignature", "true"),
        ("gpg.program", pwn),
        ("core.fsmonitor", pwn),
        ("core.sshCommand", pwn),
        ("core.pager", pwn),
        ("diff.external", pwn),
    ] {
        git(&evil, &["config", key, value]);
    }
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "add a folder"]);
    let before = snapshot(&root);
    let out = scan(&evil, &[]);
    let r = assert_safe(&out, &c.marker, &[]);
    assert_eq!(snapshot(&root), before, "the tree changed");
    // The history read is the enclosing repository's, limited to the folder:
    // the one commit that added it.
    assert_eq!(r["pressure"]["commits_read"], 1, "{}", r["pressure"]);
}

#[test]
fn the_repositorys_own_config_runs_nothing() {
    let c = case();
    let root = c.base.join("repo");
    repo_with_commits(&root, 2);
    sign_head(&root);
    let pwn = c.base.join("pwn.sh");
    payload(&pwn, &c.marker);
    let hooks = root.join(".git/evil-hooks");
    std::fs::create_dir(&hooks).unwrap();
    for hook in [
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "pre-auto-gc",
    ] {
        payload(&hooks.join(hook), &c.marker);
    }
    let pwn = pwn.to_str().unwrap();
    for (key, value) in [
        ("log.showSignature", "true"),
        ("gpg.program", pwn),
        ("gpg.ssh.program", pwn),
        ("core.fsmonitor", pwn),
        ("core.hooksPath", hooks.to_str().unwrap()),
        ("core.pager", pwn),
        ("core.sshCommand", pwn),
        ("diff.external", pwn),
    ] {
        git(&root, &["config", key, value]);
    }
    let before = snapshot(&root);
    let out = scan(&root, &[]);
    let r = assert_safe(&out, &c.marker, &[]);
    assert_eq!(snapshot(&root), before, "the tree changed");
    assert_eq!(r["pressure"]["commits_read"], 2, "{}", r["pressure"]);
}

#[test]
fn a_partial_clone_is_never_fetched_from() {
    let c = case();
    let origin = c.base.join("origin");
    repo_with_commits(&origin, 4);
    git(&origin, &["config", "uploadpack.allowFilter", "true"]);
    let clone = c.base.join("clone");
    git(
        &c.base,
        &[
            "clone",
            "-q",
            "--filter=tree:0",
            "--no-local",
            &format!("file://{}", origin.display()),
            clone.to_str().unwrap(),
        ],
    );
    // The remote now sits behind an ssh command from the repository's config.
    let pwn = c.base.join("pwn.sh");
    payload(&pwn, &c.marker);
    git(&clone, &["config", "remote.origin.url", "ssh://x/y"]);
    git(
        &clone,
        &["config", "core.sshCommand", pwn.to_str().unwrap()],
    );
    let before = snapshot(&clone);
    let out = scan(&clone, &[]);
    let r = assert_safe(&out, &c.marker, &[]);
    assert_eq!(
        snapshot(&clone),
        before,
        "the clone changed (a fetch wrote into .git?)"
    );
    let why = r["pressure"]["history_unknown"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("partial clone"), "{}", r["pressure"]);
}

/// A repository outside the root, whose HEAD id and author are canaries:
/// neither may appear in a scan of the root.
fn outside_repository(base: &Path) -> (PathBuf, String) {
    let outside = base.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    git(&outside, &["init", "-q"]);
    std::fs::write(outside.join("a.py"), "x = 1\n").unwrap();
    git(&outside, &["add", "-A"]);
    git(
        &outside,
        &[
            "-c",
            "user.email=canary-4f1d9@outside.example",
            "commit",
            "-q",
            "-m",
            "outside",
        ],
    );
    let head = git(&outside, &["rev-parse", "HEAD"]);
    (outside, head)
}

#[test]
fn a_dot_git_symlink_out_of_the_root_is_not_followed() {
    let c = case();
    let (outside, head) = outside_repository(&c.base);
    let root = c.base.join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("main.py"), "print(1)\n").unwrap();
    std::os::unix::fs::symlink(outside.join(".git"), root.join(".git")).unwrap();
    let before = (snapshot(&root), snapshot(&outside));
    let out = scan(&root, &[]);
    let r = assert_safe(&out, &c.marker, &[&head, "canary-4f1d9"]);
    assert_eq!((snapshot(&root), snapshot(&outside)), before);
    assert_eq!(r["commit"], Value::Null);
    assert_eq!(
        r["pressure"]["commits_read"],
        Value::Null,
        "{}",
        r["pressure"]
    );
}

#[test]
fn a_gitfile_out_of_the_root_is_not_followed() {
    let c = case();
    let (outside, head) = outside_repository(&c.base);
    let root = c.base.join("root");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("main.py"), "print(1)\n").unwrap();
    std::fs::write(
        root.join(".git"),
        format!("gitdir: {}\n", outside.join(".git").display()),
    )
    .unwrap();
    let before = (snapshot(&root), snapshot(&outside));
    let out = scan(&root, &[]);
    let r = assert_safe(&out, &c.marker, &[&head, "canary-4f1d9"]);
    assert_eq!((snapshot(&root), snapshot(&outside)), before);
    assert_eq!(r["commit"], Value::Null);
    assert_eq!(
        r["pressure"]["commits_read"],
        Value::Null,
        "{}",
        r["pressure"]
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not followed"));
}

#[test]
fn a_git_worktree_is_read_and_a_forged_one_is_not() {
    let c = case();
    let main = c.base.join("main");
    repo_with_commits(&main, 3);
    let wt = c.base.join("wt");
    git(
        &main,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    let head = git(&wt, &["rev-parse", "HEAD"]);
    let before = (snapshot(&wt), snapshot(&main));
    let out = scan(&wt, &[]);
    let r = assert_safe(&out, &c.marker, &[]);
    assert_eq!((snapshot(&wt), snapshot(&main)), before);
    assert_eq!(r["commit"], head.as_str(), "a worktree reports its commit");
    assert_eq!(r["pressure"]["commits_read"], 3, "{}", r["pressure"]);

    // A checkout whose gitfile names an admin directory laid out like a
    // worktree's, but whose `gitdir` points back at some other checkout.
    let forged_admin = main.join(".git/worktrees/forged");
    std::fs::create_dir_all(&forged_admin).unwrap();
    std::fs::write(forged_admin.join("HEAD"), format!("{head}\n")).unwrap();
    std::fs::write(forged_admin.join("commondir"), "../..\n").unwrap();
    std::fs::write(
        forged_admin.join("gitdir"),
        format!("{}\n", wt.join(".git").display()),
    )
    .unwrap();
    let forged = c.base.join("forged");
    std::fs::create_dir(&forged).unwrap();
    std::fs::write(forged.join("main.py"), "print(1)\n").unwrap();
    std::fs::write(
        forged.join(".git"),
        format!("gitdir: {}\n", forged_admin.display()),
    )
    .unwrap();
    let out = scan(&forged, &[]);
    let r = assert_safe(&out, &c.marker, &[&head]);
    assert_eq!(r["commit"], Value::Null);
    assert_eq!(
        r["pressure"]["commits_read"],
        Value::Null,
        "{}",
        r["pressure"]
    );
}

#[test]
fn a_submodule_is_read_through_its_gitfile() {
    let c = case();
    let lib = c.base.join("lib");
    repo_with_commits(&lib, 2);
    let main = c.base.join("main");
    repo_with_commits(&main, 1);
    git(
        &main,
        &["submodule", "add", "-q", lib.to_str().unwrap(), "sub"],
    );
    let sub = main.join("sub");
    assert!(
        sub.join(".git").is_file(),
        "a submodule's .git is a gitfile"
    );
    let head = git(&sub, &["rev-parse", "HEAD"]);
    let before = snapshot(&main);
    let out = scan(&sub, &[]);
    let r = assert_safe(&out, &c.marker, &[]);
    assert_eq!(snapshot(&main), before);
    assert_eq!(r["commit"], head.as_str());
    assert_eq!(r["pressure"]["commits_read"], 2, "{}", r["pressure"]);
}

/// The largest resident set of any child this test process has waited for
/// (the scans, and the small `git` commands that build the cases).
fn peak_child_rss_kib() -> i64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage only writes the struct it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) };
    assert_eq!(rc, 0);
    // SAFETY: initialised by the successful call above.
    unsafe { usage.assume_init() }.ru_maxrss
}

/// Replace `rel` (inside `.git`) with a link to /dev/zero or a FIFO.
fn make_special(path: &Path, fifo: bool) {
    if path.exists() {
        std::fs::remove_file(path).unwrap();
    }
    if fifo {
        let ok = Command::new("mkfifo").arg(path).status().unwrap();
        assert!(ok.success());
    } else {
        std::os::unix::fs::symlink("/dev/zero", path).unwrap();
    }
}

#[test]
fn special_files_in_dot_git_end_in_bounded_time() {
    // Every combination runs, and all that fail are reported together.
    let mut failures = Vec::new();
    for rel in ["HEAD", "index", "refs/heads/main", "packed-refs", "config"] {
        for fifo in [false, true] {
            let c = case();
            let root = c.base.join("repo");
            repo_with_commits(&root, 2);
            if rel == "packed-refs" {
                git(&root, &["pack-refs", "--all"]);
            }
            make_special(&root.join(".git").join(rel), fifo);
            let before = snapshot(&root);
            let out = scan(&root, &[]);
            let kind = if fifo { "FIFO" } else { "/dev/zero link" };
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            if !matches!(out.status.code(), Some(0 | 1)) {
                failures.push(format!(
                    ".git/{rel} as a {kind}: exit {:?}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ));
            } else if snapshot(&root) != before {
                failures.push(format!(".git/{rel} as a {kind}: the tree changed"));
            } else if !said.contains("not a regular file") {
                failures.push(format!(".git/{rel} as a {kind}: no warning names it"));
            }
        }
    }
    // Reading /dev/zero until the memory bound would show as a child of
    // gigabytes; real scans of these small trees stay far below.
    let peak_mib = peak_child_rss_kib() / 1024;
    if peak_mib > 1024 {
        failures.push(format!("a scan peaked at {peak_mib} MiB resident"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
