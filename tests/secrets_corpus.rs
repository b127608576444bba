//! Precision and recall of the secret scan on a synthetic corpus
//! (tests/secrets-corpus/cases.tsv, written by generate.py next to it: keys
//! of the right shapes with valid checksums, never real ones).
//!
//! Floors, and why: precision ≥ 0.95 because a secret scanner lives or dies
//! by its false alarms (one in twenty is where users start adding blanket
//! ignores), and the negatives here are the common look-alikes of a service
//! repository, placeholders, env reads, hashes, lock-file integrity strings,
//! made-up `ghp_…` examples, so a miss is a real regression. Recall ≥ 0.90
//! because every positive is a format the scanner claims to know, in a file
//! where it turns up in practice; the margin leaves room for a deliberate
//! trade of a corner case for precision, never for a provider to go dark
//! (every provider kind has at least one case, and a whole kind missing
//! would cost more than the margin).

use graduate::facts::secrets;
use graduate::inventory;

mod common;

use common::secrets_corpus::corpus;

#[test]
fn precision_and_recall_on_the_corpus() {
    let cases = corpus();
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for c in &cases {
        let found = secrets::scan(
            &c.path,
            inventory::classify(&c.path),
            inventory::is_test_path(&c.path),
            &c.text,
        );
        let hit = !found.candidates.is_empty();
        match (c.positive, hit) {
            (true, true) => tp += 1,
            (true, false) => {
                fn_ += 1;
                misses.push(format!("missed: cases.tsv:{} ({})", c.line, c.path));
            }
            (false, true) => {
                fp += 1;
                misses.push(format!(
                    "false alarm: cases.tsv:{} ({}) as {}",
                    c.line, c.path, found.candidates[0].kind
                ));
            }
            (false, false) => tn += 1,
        }
    }
    assert!(
        cases
            .iter()
            .filter(|c| c.positive)
            .all(|c| !c.secrets.is_empty())
    );
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    // Case numbers only: never a value, even a synthetic one.
    println!(
        "secrets corpus: {} cases, tp {tp} fp {fp} fn {fn_} tn {tn}, precision {precision:.3}, recall {recall:.3}",
        cases.len()
    );
    for m in &misses {
        println!("  {m}");
    }
    assert!(
        precision >= 0.95,
        "precision {precision:.3} < 0.95: {misses:?}"
    );
    assert!(recall >= 0.90, "recall {recall:.3} < 0.90: {misses:?}");
}
