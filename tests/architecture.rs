//! The stages stay stages: rules read facts and derived facts, never derive
//! themselves (src/resolve.rs does, once per scan, so an app's share is a
//! filter and not a re-run), and renderers read the report value only.
//! These tests read the source text, so a shortcut added later fails here
//! rather than in a review.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The production part of a source file: its unit tests may build facts
/// from files (they use the inventory to classify test paths).
fn production(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// What a rule module may not name: the walker and the inventory (a rule
/// does not classify files), the derivation helpers (command expansion, CI
/// step flattening, `.gitignore` evaluation) and other rules' modules.
const FORBIDDEN_IN_RULES: &[&str] = &[
    "crate::walk",
    "inventory::",
    "crate::inventory",
    "expand",
    "expand_bounded",
    "run_steps",
    "run_steps_bounded",
    "Matchers",
    ".verdict(",
    "crate::resolve::run",
    "resolve::resolved",
    "crate::rules::testing::",
    "crate::rules::observability::",
    "crate::rules::resilience::",
    "crate::rules::security::",
    "crate::rules::operations::",
    "crate::rules::cost::",
    "super::super::",
];

fn violations(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let text = production(f);
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if mentions(code, word) {
                    out.push(format!(
                        "{}:{}: `{word}` in `{}`",
                        f.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    out
}

/// `word` in `code`: a bare identifier as a whole word (`expand` in
/// `use commands::{expand, test_runner}`, not in `expanded`), anything
/// else as a substring.
fn mentions(code: &str, word: &str) -> bool {
    if !word.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return code.contains(word);
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(word).any(|(i, _)| {
        let before = code[..i].chars().next_back().is_none_or(|c| !ident(c));
        let after = code[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !ident(c));
        before && after
    })
}

#[test]
fn rules_read_only_facts_and_derived_facts() {
    let mut files = Vec::new();
    rust_files(Path::new("src/rules"), &mut files);
    assert!(
        files.len() > 29,
        "every rule module is read: {}",
        files.len()
    );
    let found = violations(&files, FORBIDDEN_IN_RULES);
    assert!(
        found.is_empty(),
        "rules derive facts themselves (move it to src/resolve.rs):\n{}",
        found.join("\n")
    );
}

/// The check itself catches what it is for: the helpers rules used before
/// the resolve stage existed.
#[test]
fn the_check_catches_a_rule_that_derives() {
    let dir = std::env::temp_dir().join(format!("graduate-arch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rule = dir.join("rule.rs");
    std::fs::write(
        &rule,
        "use crate::facts::commands::{expand, test_runner};\n\
         use crate::rules::observability::health_endpoint::serves_http;\n\
         fn f() { let m = Matchers::new(&facts.gitignores); }\n\
         #[cfg(test)]\nmod tests { use crate::inventory::classify; }\n",
    )
    .unwrap();
    let found = violations(std::slice::from_ref(&rule), FORBIDDEN_IN_RULES);
    std::fs::remove_dir_all(&dir).unwrap();
    // Three lines, not the test module's inventory import.
    assert_eq!(found.len(), 3, "{found:#?}");
}

/// Renderers read the report: no facts, no configuration, no registry
/// priorities, no plan of their own.
#[test]
fn renderers_read_only_the_report() {
    let files: Vec<PathBuf> = ["html", "text", "markdown", "sarif", "json"]
        .iter()
        .map(|r| PathBuf::from(format!("src/report/{r}.rs")))
        .collect();
    let found = violations(
        &files,
        &[
            "crate::facts",
            "crate::config",
            "plan::weeks",
            "plan::target",
            "score::",
            "config.scores",
            "meta.impact",
            "meta.risk",
            "meta.effort",
        ],
    );
    assert!(found.is_empty(), "{}", found.join("\n"));
}
