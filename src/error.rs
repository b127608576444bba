//! Typed errors of the walk and configuration layers; `anyhow` takes over at the edge.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    // The io error is the source, which `{:#}` prints; naming it here too
    // printed it twice ("cannot scan x: No such file…: No such file…").
    #[error("cannot scan {path}")]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot scan {0}: not a directory")]
    NotADirectory(PathBuf),
    #[error("invalid ignore glob `{pattern}`: {message}")]
    Glob { pattern: String, message: String },
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
}
