//! The fuzz corpus and every input that once crashed, hung or exhausted
//! memory, replayed through `graduate::fuzzing` on stable Rust: CI runs the
//! fuzzers' findings in every `cargo test` without a nightly toolchain.
//! A panic fails the test with the file's name; a stack overflow or an
//! abort takes the test binary down, which fails it too.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TARGETS: [&str; 2] = ["extract_any", "scan_facts"];

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn run(target: &str, data: &[u8]) {
    match target {
        "extract_any" => graduate::fuzzing::extract_any(data),
        _ => {
            graduate::fuzzing::scan_facts(data);
        }
    }
}

/// Replays every input of `kind` for both targets; names the ones that
/// panicked or took longer than `slow` (a debug build, on a shared machine).
fn replay(kind: &str, slow: Duration) {
    let mut failed = Vec::new();
    let mut count = 0;
    for target in TARGETS {
        for path in inputs(kind, target) {
            let data = std::fs::read(&path).unwrap();
            let started = Instant::now();
            if std::panic::catch_unwind(|| run(target, &data)).is_err() {
                failed.push(format!("{} panicked", path.display()));
            } else if started.elapsed() > slow {
                failed.push(format!("{} took {:?}", path.display(), started.elapsed()));
            }
            count += 1;
        }
    }
    assert!(count > 0, "no inputs under fuzz/{kind}");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn every_regression_input_runs_to_the_end() {
    replay("regressions", Duration::from_secs(20));
}

#[test]
fn the_corpus_runs_to_the_end() {
    replay("corpus", Duration::from_secs(20));
}
