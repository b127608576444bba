//! Every input the fuzzers (fuzz/) or the hostile-input work found to crash,
//! hang or exhaust memory, replayed through `graduate::fuzzing` on stable
//! Rust, so an ordinary `cargo test` keeps them fixed without a nightly
//! toolchain. A panic fails the test with the file's name; a stack overflow
//! or an abort takes the test binary down, which fails it too.

use std::path::Path;

#[test]
fn every_regression_input_is_read_without_a_crash() {
    let replayed = replay("fuzz/regressions");
    assert!(
        replayed >= 3,
        "the regression inputs are there ({replayed})"
    );
}

/// The fuzzers' minimised corpus: what they reached is kept reachable
/// without a crash by every change, on stable.
#[test]
fn every_corpus_input_is_read_without_a_crash() {
    let replayed = replay("fuzz/corpus");
    assert!(replayed >= 1000, "the corpus is there ({replayed})");
}

/// Runs every file under `dir/<target>/` through its target; returns how
/// many ran.
fn replay(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut replayed = 0;
    for target in std::fs::read_dir(&root).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let mut inputs: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        inputs.sort();
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let ok = std::panic::catch_unwind(|| match name.as_str() {
                "scan_facts" => {
                    graduate::fuzzing::scan_facts(&data);
                }
                _ => graduate::fuzzing::extract_any(&data),
            });
            assert!(ok.is_ok(), "{} panicked", input.display());
            replayed += 1;
        }
    }
    replayed
}
