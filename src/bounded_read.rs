//! Reading one file of the scanned tree, safely: a regular file only, never
//! through a symlink, never blocking, never more than a cap.
//!
//! A committed `.graduate.toml -> /proc/self/environ` would put the runner's
//! environment into an error message; `.gitignore -> /dev/zero` would read
//! gigabytes; a FIFO named `.git/HEAD` would block the scan forever. The walk
//! already skips symlinks and special files it meets, but some files are
//! opened by name (config, ignore files, git metadata): they all come here.
//! The file is opened with `O_NOFOLLOW | O_NONBLOCK` and checked again on the
//! open handle, so a swap between the check and the open cannot fool it.

use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not found")]
    NotFound,
    #[error("a symbolic link (not followed)")]
    Symlink,
    #[error("not a regular file")]
    NotRegular,
    #[error("larger than {max} bytes")]
    TooLarge { max: u64 },
    #[error("{0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::NotFound {
            ReadError::NotFound
        } else {
            ReadError::Io(e)
        }
    }
}

/// The bytes of the regular file at `path`, at most `max` of them (a larger
/// file is an error, not a silent truncation).
pub fn regular_file(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Err(ReadError::Symlink);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    let file = open_nofollow(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge { max });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after the check (`/proc` files report 0 bytes).
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(bytes)
}

/// [`regular_file`] for a file the walk met as a regular file (its directory
/// entry said so, no symlink): the name is not checked again before the
/// open, where `O_NOFOLLOW` still refuses a link swapped in since and the
/// check on the open handle anything but a regular file. The read stops at
/// the size the handle reported, which saves the end-of-file probe; a file
/// growing under the scan is read as it was. Two of the six system calls per
/// file of [`regular_file`], on every file of the tree.
///
/// The bytes replace the contents of `buf`: a walker thread reads every
/// file into the same buffer, whose pages stay mapped, where a fresh
/// allocation per file cost a `malloc`, a `free` and, for the larger files,
/// the kernel's zeroing of new pages.
pub fn walked_file_into(path: &Path, max: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    let file = open_nofollow(path).map_err(|e| {
        if refused_link(&e) {
            ReadError::Symlink
        } else {
            ReadError::from(e)
        }
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge { max });
    }
    buf.reserve(meta.len() as usize);
    file.take(meta.len()).read_to_end(buf)?;
    Ok(())
}

/// [`regular_file`] as text, lossily decoded, with a leading BOM dropped.
pub fn regular_text(path: &Path, max: u64) -> Result<String, ReadError> {
    let bytes = regular_file(path, max)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(unix)]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// `O_NOFOLLOW` met a symlink.
#[cfg(unix)]
fn refused_link(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn refused_link(_: &std::io::Error) -> bool {
    false
}

#[cfg(not(unix))]
fn open_nofollow(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn refuses_links_devices_fifos_and_big_files() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(regular_file(&link, 10), Err(ReadError::Symlink)));
        assert!(matches!(
            regular_file(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular)
        ));
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(matches!(
                regular_file(&fifo, 10),
                Err(ReadError::NotRegular)
            ));
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 100]).unwrap();
        assert!(matches!(
            regular_file(&big, 10),
            Err(ReadError::TooLarge { max: 10 })
        ));
        assert_eq!(regular_file(&big, 100).unwrap().len(), 100);
        std::fs::write(&big, "\u{feff}{}").unwrap();
        assert_eq!(regular_text(&big, 100).unwrap(), "{}");
        assert!(matches!(
            regular_file(&dir.path().join("missing"), 10),
            Err(ReadError::NotFound)
        ));
    }

    /// The walk's read into a reused buffer: the file's bytes and nothing
    /// of the previous, longer file; a link, a device or a file over the
    /// bound is refused with the buffer left empty.
    #[test]
    fn walked_file_replaces_the_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let (long, short) = (dir.path().join("long"), dir.path().join("short"));
        std::fs::write(&long, "0123456789").unwrap();
        std::fs::write(&short, "ab").unwrap();
        let mut buf = Vec::new();
        walked_file_into(&long, 100, &mut buf).unwrap();
        assert_eq!(buf, b"0123456789");
        walked_file_into(&short, 100, &mut buf).unwrap();
        assert_eq!(buf, b"ab");
        assert!(matches!(
            walked_file_into(&long, 5, &mut buf),
            Err(ReadError::TooLarge { max: 5 })
        ));
        assert!(buf.is_empty());
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&short, &link).unwrap();
        assert!(matches!(
            walked_file_into(&link, 100, &mut buf),
            Err(ReadError::Symlink)
        ));
        assert!(matches!(
            walked_file_into(Path::new("/dev/null"), 100, &mut buf),
            Err(ReadError::NotRegular)
        ));
    }
}
