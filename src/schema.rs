//! The JSON Schema of the `--format json` report, generated from the Rust
//! types that serialise it. schemars reads the same serde attributes
//! (`skip_serializing_if`, `rename_all`, `transparent`) and the same doc
//! comments, so the schema describes what the renderer writes rather than
//! what someone remembered to update: `graduate schema` prints it,
//! `docs/report.schema.json` is a copy, and `tests/schema.rs` validates every
//! fixture's report against it and fails when the copy is stale.
//!
//! It is the schema of what graduate *writes* (schemars' serialize contract):
//! a field that is always written is required, and `null` is allowed only
//! where an `Option` is written as `null`. Unknown fields are allowed, so a
//! consumer of `schema_version` 1 keeps validating reports that add fields.

use schemars::generate::SchemaSettings;

use crate::report::{Report, SCHEMA_VERSION};

/// The schema as a JSON value (draft 2020-12).
pub fn report_schema() -> serde_json::Value {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Report>();
    schema.insert("title".into(), "graduate report".into());
    schema.insert(
        "description".into(),
        format!(
            "A `graduate scan --format json` report, schema_version {SCHEMA_VERSION}. \
             Generated from graduate's Rust types by `graduate schema`; see docs/report-format.md."
        )
        .into(),
    );
    schema.to_value()
}

/// Pretty-printed, with a final newline: the text of docs/report.schema.json.
pub fn render() -> String {
    // A `Value` has string keys only: serialising it cannot fail.
    let mut out = serde_json::to_string_pretty(&report_schema()).expect("a JSON value serialises");
    out.push('\n');
    out
}
