//! docs/report.schema.json: generated from the report's Rust types, current,
//! printed by `graduate schema`, and true of every fixture's report.

mod common;

use std::path::Path;

use common::{assert_ok, graduate};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn committed() -> String {
    std::fs::read_to_string(Path::new(ROOT).join("docs/report.schema.json")).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&committed()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_the_types_generate() {
    assert!(
        committed() == graduate::schema::render(),
        "docs/report.schema.json is stale: the report's types changed. Regenerate it with\n  \
         cargo run -- schema > docs/report.schema.json"
    );
}

#[test]
fn graduate_schema_prints_it() {
    let out = graduate().arg("schema").output().unwrap();
    assert_ok(&out);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed());
}

#[test]
fn every_fixtures_report_is_valid_with_and_without_a_baseline() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    let mut fixtures: Vec<_> = std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10);
    for fixture in fixtures {
        let name = fixture.file_name().unwrap().to_string_lossy().to_string();
        let first = dir.path().join(format!("{name}.json"));
        let out = graduate()
            .arg("scan")
            .arg(&fixture)
            .args(["--format", "json", "--quiet", "--output"])
            .arg(&first)
            .output()
            .unwrap();
        assert_ok(&out);
        // The report against itself as the baseline fills `baseline`.
        let out = graduate()
            .arg("scan")
            .arg(&fixture)
            .args(["--format", "json", "--quiet", "--baseline"])
            .arg(&first)
            .output()
            .unwrap();
        assert_ok(&out);
        let with_baseline: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(with_baseline["baseline"].is_object());
        let plain: Value = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
        for report in [plain, with_baseline] {
            let errs = errors(&validator, &report);
            assert!(errs.is_empty(), "{name}: {errs:#?}");
        }
    }
}

#[test]
fn the_schema_rejects_a_report_that_breaks_the_contract() {
    let validator = validator();
    let out = graduate()
        .args(["scan", "fixtures/go-service", "--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert_ok(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(errors(&validator, &report).is_empty());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut r = report.clone();
        edit(&mut r);
        !errors(&validator, &r).is_empty()
    };
    assert!(broken(&|r| r["score"] = json!("high")));
    assert!(broken(&|r| {
        r.as_object_mut().unwrap().remove("checks");
    }));
    assert!(broken(&|r| r["checks"][0]["status"] = json!("maybe")));
    assert!(broken(&|r| r["debt"][0]["line"] = json!(-3)));
    assert!(broken(&|r| r["scopes"][0]["scope"] = json!("mainframe")));
    assert!(broken(&|r| r["pressure"]["signals"] = json!({})));
}
