//! `--format json`: the report contract, pretty-printed.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).expect("report serialises");
    out.push('\n');
    out
}
