//! Which files git tracks, read from `.git/index` without running git.
//!
//! "Committed" for an env file means tracked: a `.env` that sits in the
//! working tree but is untracked (and usually ignored) is a developer's local
//! file, not a leak, and a `.env` that is tracked *and* listed in
//! `.gitignore` (committed first, ignored later: a common mistake) is still
//! in every clone. The walk cannot tell these apart, because it honours
//! `.gitignore`; the index can. Reading it directly keeps the scan free of
//! subprocesses and of a git installation. Formats 2, 3 and 4 are read
//! (see git's `Documentation/gitformat-index.txt`); extensions after the
//! entries are not needed.

use std::path::{Path, PathBuf};

/// The git directory of a work tree: `.git/`, or the directory a `.git` file
/// points at (worktrees and submodules).
fn git_dir(root: &Path) -> Option<PathBuf> {
    let dot_git = root.join(".git");
    let meta = std::fs::symlink_metadata(&dot_git).ok()?;
    if meta.is_dir() {
        return Some(dot_git);
    }
    let text = std::fs::read_to_string(&dot_git).ok()?;
    let target = text.trim().strip_prefix("gitdir:")?.trim();
    Some(root.join(target))
}

/// Paths tracked by git (stage 0 and conflict stages alike), or `None` when
/// the root is not a git work tree. An unreadable or malformed index is an
/// error, reported as a warning by the caller.
pub fn tracked_paths(root: &Path) -> Result<Option<Vec<String>>, String> {
    let Some(dir) = git_dir(root) else {
        return Ok(None);
    };
    let bytes = match std::fs::read(dir.join("index")) {
        Ok(b) => b,
        // A fresh repository has no index until the first `git add`.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Vec::new())),
        Err(e) => return Err(format!("cannot read git index: {e}")),
    };
    let sha256 = std::fs::read_to_string(dir.join("config"))
        .is_ok_and(|c| c.replace(' ', "").contains("objectformat=sha256"));
    parse(&bytes, if sha256 { 32 } else { 20 }).map(Some)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Entry paths of an index file whose object ids are `hash_len` bytes.
pub fn parse(b: &[u8], hash_len: usize) -> Result<Vec<String>, String> {
    let bad = |what: &str| format!("malformed git index: {what}");
    if b.get(..4) != Some(b"DIRC") {
        return Err(bad("no DIRC signature"));
    }
    let version = be32(b, 4).ok_or_else(|| bad("truncated header"))?;
    if !(2..=4).contains(&version) {
        return Err(bad(&format!("unsupported version {version}")));
    }
    let count = be32(b, 8).ok_or_else(|| bad("truncated header"))? as usize;
    let mut paths: Vec<String> = Vec::with_capacity(count.min(1 << 20));
    let mut pos = 12;
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = pos;
        // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4 each).
        pos += 40 + hash_len;
        let flags = u16::from_be_bytes(
            b.get(pos..pos + 2)
                .ok_or_else(|| bad("truncated entry"))?
                .try_into()
                .unwrap(),
        );
        pos += 2;
        if version >= 3 && flags & 0x4000 != 0 {
            pos += 2;
        }
        let path = if version == 4 {
            // Prefix compression: drop N bytes of the previous path, append
            // the NUL-terminated rest.
            let mut byte = *b.get(pos).ok_or_else(|| bad("truncated entry"))?;
            pos += 1;
            let mut strip = (byte & 0x7f) as usize;
            while byte & 0x80 != 0 {
                byte = *b.get(pos).ok_or_else(|| bad("truncated entry"))?;
                pos += 1;
                strip = ((strip + 1) << 7) | (byte & 0x7f) as usize;
            }
            let rest_len = b
                .get(pos..)
                .and_then(|r| r.iter().position(|c| *c == 0))
                .ok_or_else(|| bad("unterminated path"))?;
            let keep = previous
                .len()
                .checked_sub(strip)
                .ok_or_else(|| bad("bad prefix length"))?;
            let mut p = previous[..keep].to_vec();
            p.extend_from_slice(&b[pos..pos + rest_len]);
            pos += rest_len + 1;
            p
        } else {
            let len = b
                .get(pos..)
                .and_then(|r| r.iter().position(|c| *c == 0))
                .ok_or_else(|| bad("unterminated path"))?;
            let p = b[pos..pos + len].to_vec();
            // 1–8 NULs pad the entry to a multiple of 8 bytes.
            pos = start + (pos - start + len + 8) / 8 * 8;
            p
        };
        let text = String::from_utf8_lossy(&path).into_owned();
        if paths.last() != Some(&text) {
            paths.push(text);
        }
        previous = path;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One index entry as git writes it, with zeroed stat data.
    fn entry(version: u32, path: &str, strip: Option<u8>) -> Vec<u8> {
        let mut e = vec![0u8; 40 + 20];
        e.extend_from_slice(&(path.len().min(0xfff) as u16).to_be_bytes());
        match strip {
            Some(n) => {
                e.push(n);
                e.extend_from_slice(path.as_bytes());
                e.push(0);
            }
            None => {
                e.extend_from_slice(path.as_bytes());
                let len = e.len();
                e.resize((len + 8) / 8 * 8, 0);
            }
        }
        assert!(version == 4 || strip.is_none());
        e
    }

    fn index(version: u32, entries: &[Vec<u8>]) -> Vec<u8> {
        let mut b = b"DIRC".to_vec();
        b.extend_from_slice(&version.to_be_bytes());
        b.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for e in entries {
            b.extend_from_slice(e);
        }
        b.extend_from_slice(&[0u8; 20]); // trailing checksum, not read
        b
    }

    #[test]
    fn reads_v2_entries() {
        let b = index(
            2,
            &[
                entry(2, ".env", None),
                entry(2, "api/.env.production", None),
                entry(2, "src/app.js", None),
            ],
        );
        assert_eq!(
            parse(&b, 20).unwrap(),
            vec![".env", "api/.env.production", "src/app.js"]
        );
    }

    #[test]
    fn reads_v4_prefix_compressed_entries() {
        // api/.env, then api/.env.local (strip 0, add ".local"), then
        // src/x.js (strip all 14 bytes).
        let b = index(
            4,
            &[
                entry(4, "api/.env", Some(0)),
                entry(4, ".local", Some(0)),
                entry(4, "src/x.js", Some(14)),
            ],
        );
        assert_eq!(
            parse(&b, 20).unwrap(),
            vec!["api/.env", "api/.env.local", "src/x.js"]
        );
    }

    #[test]
    fn malformed_index_is_an_error() {
        assert!(parse(b"nope", 20).is_err());
        let mut b = index(2, &[entry(2, ".env", None)]);
        b.truncate(30);
        assert!(parse(&b, 20).is_err());
    }

    #[test]
    fn no_git_dir_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(tracked_paths(dir.path()).unwrap(), None);
    }
}
