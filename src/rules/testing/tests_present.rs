//! `tests-present`: automated tests exist — test functions in test files
//! (`*_test.go`, `test_*.py`, `*.test.ts`, `tests/`) or inline `#[test]`s.
//! A test directory with no test in it does not count.

use std::collections::BTreeMap;

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() && facts.tests.is_empty() {
        return Outcome::not_applicable("no source code found");
    }
    if facts.tests.is_empty() {
        return Outcome::fail(Finding::missing("no automated tests found"), Vec::new());
    }
    // One evidence line per test file: its first test, and the count.
    let mut per_file: BTreeMap<&str, (u32, usize, &str)> = BTreeMap::new();
    for t in &facts.tests {
        let e =
            per_file
                .entry(t.location.path.as_str())
                .or_insert((t.location.line, 0, t.framework));
        e.1 += 1;
    }
    let evidence = per_file
        .into_iter()
        .take(10)
        .map(|(path, (line, n, fw))| Evidence {
            path: Some(path.into()),
            line: Some(line),
            note: format!("{n} test{} ({fw})", if n == 1 { "" } else { "s" }).into(),
        })
        .collect();
    Outcome::pass(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Location, TestMarker};
    use crate::rules::Status;

    #[test]
    fn passes_with_a_test_and_fails_without() {
        let mut facts = Facts::default();
        facts.languages.push(crate::inventory::Lang::Go);
        assert_eq!(check(&facts).status, Status::Fail);
        facts.tests.push(TestMarker {
            location: Location::new("a_test.go", 3),
            framework: "go test",
        });
        let out = check(&facts);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].line, Some(3));
    }
}
