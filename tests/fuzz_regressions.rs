//! Every input the fuzzers (fuzz/) or the hostile-input work found to crash,
//! hang or exhaust memory, replayed through `graduate::fuzzing` on stable
//! Rust, so an ordinary `cargo test` keeps them fixed without a nightly
//! toolchain. A panic fails the test with the file's name; a stack overflow
//! or an abort takes the test binary down, which fails it too.

use std::path::Path;

#[test]
fn every_regression_input_is_read_without_a_crash() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
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
    assert!(
        replayed >= 3,
        "the regression inputs are there ({replayed})"
    );
}
