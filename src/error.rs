//! Typed errors of the walk and configuration layers; `anyhow` takes over at the edge.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("cannot scan {path}: {source}")]
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
