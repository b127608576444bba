//! Every rule's documented examples (`[example]` in rules/<pillar>/*.toml,
//! shown by `graduate explain` and the docs), scanned as a user would scan
//! them: each is written to its path in an otherwise empty repository
//! holding the example's context files, and the rule must fail on the
//! `fail` example and pass on the `pass` one. A documented example that
//! does not do what it says (the runbook's once lacked a recovery section
//! and failed) fails here.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

mod common;

#[derive(Deserialize)]
struct Rule {
    id: String,
    example: Example,
}

#[derive(Deserialize)]
struct Example {
    fail: String,
    pass: String,
    fail_path: Option<String>,
    pass_path: Option<String>,
    fail_files: Option<BTreeMap<String, String>>,
    pass_files: Option<BTreeMap<String, String>>,
    #[serde(default)]
    context: BTreeMap<String, String>,
}

fn scan(files: &BTreeMap<String, String>) -> Value {
    common::scan_files(files)
}

#[test]
fn every_rule_example_does_what_it_says() {
    let mut rules = Vec::new();
    for pillar in std::fs::read_dir("rules").unwrap() {
        let pillar = pillar.unwrap().path();
        if !pillar.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&pillar).unwrap() {
            let f = f.unwrap().path();
            let rule: Rule = toml::from_str(&std::fs::read_to_string(&f).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            rules.push(rule);
        }
    }
    assert!(rules.len() >= 29, "{} rules", rules.len());
    let mut failures = Vec::new();
    for rule in &rules {
        let ex = &rule.example;
        for (want, text, path, files) in [
            ("fail", &ex.fail, &ex.fail_path, &ex.fail_files),
            ("pass", &ex.pass, &ex.pass_path, &ex.pass_files),
        ] {
            let mut all = ex.context.clone();
            match (path, files) {
                (Some(p), None) => {
                    all.insert(p.clone(), text.clone());
                }
                (None, Some(files)) => all.extend(files.clone()),
                _ => panic!(
                    "{}: the {want} example needs exactly one of {want}_path or {want}_files",
                    rule.id
                ),
            }
            let report = scan(&all);
            let check = common::check(&report, &rule.id);
            if check["status"] != want {
                failures.push(format!(
                    "{} {want} example: {} — {}",
                    rule.id,
                    check["status"],
                    check["message"].as_str().unwrap_or("")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
