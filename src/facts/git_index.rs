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

use std::path::Path;

use super::git_dir::{self, Location, ReadError, cap};

/// Why the index could not be used.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("malformed git index: {0}")]
    Malformed(&'static str),
}

/// Paths tracked by git (stage 0 and conflict stages alike), or `None` when
/// `root` is not the top of a verified work tree. An unreadable or malformed
/// index is an error, reported as a warning by the caller.
pub fn tracked_paths(root: &Path) -> Result<Option<Vec<String>>, IndexError> {
    tracked_in(&git_dir::locate(root))
}

/// [`tracked_paths`] for a repository already located.
pub fn tracked_in(location: &Location) -> Result<Option<Vec<String>>, IndexError> {
    let Location::Repository(repo) = location else {
        return Ok(None);
    };
    // A subfolder scan judges env files by presence, as it always has: the
    // index holds repository paths and the report holds root-relative ones.
    if !repo.prefix.is_empty() {
        return Ok(None);
    }
    let bytes = match git_dir::read_regular(&repo.git_dir.join("index"), cap::INDEX) {
        Ok(b) => b,
        // A fresh repository has no index until the first `git add`.
        Err(ReadError::Missing(_)) => return Ok(Some(Vec::new())),
        Err(e) => return Err(e.into()),
    };
    let hash_len = if git_dir::uses_sha256(repo) { 32 } else { 20 };
    parse(&bytes, hash_len).map(Some)
}

/// Bounds on what one index may expand to. A version-4 entry stores only
/// the bytes its path does not share with the previous one, so a 100 MB
/// crafted index could otherwise describe terabytes of paths.
const MAX_PATH: usize = 16 * 1024;
const MAX_PATH_BYTES: usize = 256 * 1024 * 1024;

/// A bounds-checked reader over the index bytes: every step is a checked
/// `get`, so crafted counts and lengths end in an error, never a panic.
struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip(&mut self, n: usize) -> Result<(), IndexError> {
        self.take(n).map(|_| ())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(IndexError::Malformed("entry past the end"))?;
        let s = self
            .b
            .get(self.pos..end)
            .ok_or(IndexError::Malformed("truncated entry"))?;
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, IndexError> {
        Ok(self.take(1)?[0])
    }

    fn be32(&mut self) -> Result<u32, IndexError> {
        let s = self.take(4)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// Bytes up to the next NUL, consuming the NUL.
    fn nul_terminated(&mut self) -> Result<&'a [u8], IndexError> {
        let rest = self.b.get(self.pos..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|c| *c == 0)
            .ok_or(IndexError::Malformed("unterminated path"))?;
        let s = self.take(len)?;
        self.skip(1)?;
        Ok(s)
    }
}

/// Entry paths of an index file whose object ids are `hash_len` bytes.
pub fn parse(b: &[u8], hash_len: usize) -> Result<Vec<String>, IndexError> {
    let bad = IndexError::Malformed;
    let mut c = Cursor { b, pos: 0 };
    if c.take(4).map_err(|_| bad("no DIRC signature"))? != b"DIRC" {
        return Err(bad("no DIRC signature"));
    }
    let version = c.be32().map_err(|_| bad("truncated header"))?;
    if !(2..=4).contains(&version) {
        return Err(bad("unsupported version"));
    }
    let count = c.be32().map_err(|_| bad("truncated header"))?;
    // No capacity from the untrusted count: each entry takes at least 62
    // bytes, so a short file with a huge count fails at its first missing
    // entry, having allocated nothing.
    let mut paths: Vec<String> = Vec::new();
    let mut previous: Vec<u8> = Vec::new();
    let mut total = 0usize;
    for _ in 0..count {
        let start = c.pos;
        // ctime, mtime (8 bytes each), dev, ino, mode, uid, gid, size (4
        // each), the object id, then 16 bits of flags.
        c.skip(40)?;
        c.skip(hash_len)?;
        let f = c.take(2)?;
        let flags = u16::from_be_bytes([f[0], f[1]]);
        if version >= 3 && flags & 0x4000 != 0 {
            c.skip(2)?;
        }
        let path = if version == 4 {
            // Prefix compression: drop N bytes of the previous path, append
            // the NUL-terminated rest. N is a big-endian varint with an
            // offset per continuation byte; it can never exceed the
            // previous path, which keeps it far from overflowing.
            let mut byte = c.byte()?;
            let mut strip = (byte & 0x7f) as usize;
            while byte & 0x80 != 0 {
                if strip > previous.len() {
                    return Err(bad("bad prefix length"));
                }
                byte = c.byte()?;
                strip = ((strip + 1) << 7) | (byte & 0x7f) as usize;
            }
            let keep = previous
                .len()
                .checked_sub(strip)
                .ok_or(bad("bad prefix length"))?;
            let rest = c.nul_terminated()?;
            let mut p = Vec::with_capacity(keep.saturating_add(rest.len()).min(MAX_PATH));
            p.extend_from_slice(&previous[..keep]);
            p.extend_from_slice(rest);
            p
        } else {
            let p = c.nul_terminated()?.to_vec();
            // 1–8 NULs pad the entry to a multiple of 8 bytes; the NUL
            // just read is the first of them.
            let unpadded = c.pos - start - 1;
            let padded = (unpadded / 8 + 1) * 8;
            c.pos = start;
            c.skip(padded)?;
            p
        };
        if path.len() > MAX_PATH {
            return Err(bad("path too long"));
        }
        total = total.saturating_add(path.len());
        if total > MAX_PATH_BYTES {
            return Err(bad("paths too large"));
        }
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
    fn crafted_counts_and_lengths_are_errors_not_panics() {
        // A v4 prefix length whose varint climbs to usize::MAX and then asks
        // for one more step: `strip + 1` overflowed here before.
        let mut e = vec![0u8; 40 + 20];
        e.extend_from_slice(&0u16.to_be_bytes());
        e.extend_from_slice(&[0xfe; 9]);
        e.extend_from_slice(&[0xff, 0x00]);
        e.extend_from_slice(b"x\0");
        let b = index(4, &[entry(4, "a", Some(0)), e]);
        assert!(matches!(parse(&b, 20), Err(IndexError::Malformed(_))));
        // A header claiming four billion entries over a 12-byte file.
        let mut b = b"DIRC".to_vec();
        b.extend_from_slice(&2u32.to_be_bytes());
        b.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(parse(&b, 20), Err(IndexError::Malformed(_))));
        // An object id length that runs past the end of memory.
        let b = index(2, &[entry(2, ".env", None)]);
        assert!(parse(&b, usize::MAX - 8).is_err());
    }

    #[test]
    fn prefix_compression_cannot_expand_without_bound() {
        // Every entry keeps the whole previous path and adds 1,000 bytes:
        // 40 entries would make 800 KB of paths out of 44 KB of index.
        let chunk = "a".repeat(1000);
        let entries: Vec<Vec<u8>> = (0..40).map(|_| entry(4, &chunk, Some(0))).collect();
        let b = index(4, &entries);
        assert!(matches!(
            parse(&b, 20),
            Err(IndexError::Malformed("path too long"))
        ));
    }

    #[test]
    fn no_git_dir_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(tracked_paths(dir.path()).unwrap(), None);
    }
}
