//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning. One rule per
//! check of the report (with its documentation as help), one result per debt
//! item with a location; a missing practice is anchored to the file that
//! should hold the fix. Partial fingerprints keep alerts stable across
//! commits.
//!
//! Findings a waiver hides are results too, with `suppressions[]` (`kind`
//! inSource for an inline allow, external for the configuration; the
//! waiver's reason as `justification`; status accepted), so code scanning
//! shows them as dismissed with the reason. A finding whose waiver expired
//! carries a rejected suppression naming it.
//!
//! Scores, priorities and levels come from the report, so `.graduate.toml`
//! overrides reach code scanning as they reach every other format; only the
//! rules' static documentation (why, how to fix) is looked up by id.

use serde_json::{Value, json};

use super::Report;
use crate::rules;

/// Code-scanning level from priority (1–125).
pub fn level(priority: u32) -> &'static str {
    match priority {
        75.. => "error",
        30..=74 => "warning",
        _ => "note",
    }
}

pub fn render(report: &Report) -> String {
    let driver_rules: Vec<Value> = report
        .checks
        .iter()
        .map(|c| {
            let mut rule = json!({
                "id": c.id,
                "shortDescription": { "text": c.title },
                "defaultConfiguration": { "level": level(c.priority) },
                "properties": {
                    "tags": ["production-readiness", c.pillar],
                    "precision": "high",
                    "impact": c.impact, "risk": c.risk, "effort": c.effort, "week": c.week,
                    "priority": c.priority,
                },
            });
            if let Some(m) = rules::find(&c.id).map(|r| &r.meta) {
                rule["fullDescription"] =
                    json!({ "text": m.why.split_whitespace().collect::<Vec<_>>().join(" ") });
                rule["help"] = json!({
                    "text": m.remediation.split_whitespace().collect::<Vec<_>>().join(" "),
                    "markdown": crate::docs::rule_markdown(m),
                });
            }
            // SARIF wants `name` omitted when it only restates the id.
            let name = pascal(&c.id);
            if !name.eq_ignore_ascii_case(&c.id) {
                rule["name"] = json!(name);
            }
            rule
        })
        .collect();
    // Code scanning filters by these: the apps a finding is debt of.
    let all_apps: Vec<&str> = report.apps.iter().map(|a| a.root.as_str()).collect();
    let mut results: Vec<Value> = report
        .debt
        .iter()
        .map(|d| {
            let apps: Vec<&str> = if d.apps.is_empty() {
                all_apps.clone()
            } else {
                d.apps.iter().map(|a| a.as_str()).collect()
            };
            let uri = uri_path(
                d.path
                    .as_deref()
                    .or(d.anchor.as_deref())
                    .unwrap_or("README.md"),
            );
            let region = json!({ "startLine": d.line.unwrap_or(1) });
            let message = if d.path.is_none() {
                format!(
                    "{} (repository-wide: {}) Fix: {}",
                    d.message, report.root, d.remediation
                )
            } else {
                format!("{} Fix: {}", d.message, d.remediation)
            };
            json!({
                "ruleId": d.rule,
                "ruleIndex": report.checks.iter().position(|c| c.id == d.rule).unwrap_or(0),
                "level": level(d.priority),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri, "uriBaseId": "%SRCROOT%" },
                        "region": region,
                    }
                }],
                "partialFingerprints": { "graduateFingerprint/v2": d.fingerprint },
                "properties": {
                    "priority": d.priority, "impact": d.impact, "risk": d.risk,
                    "effort": d.effort, "week": d.week, "apps": apps,
                },
            })
        })
        .collect();
    for (d, r) in report.debt.iter().zip(results.iter_mut()) {
        if let Some(lapsed) = expired_suppression(report, d) {
            r["suppressions"] = json!([lapsed]);
        }
    }
    results.extend(suppressed_results(report));
    let mut run = json!({
        "tool": { "driver": {
            "name": "graduate",
            "semanticVersion": report.tool.version,
            "rules": driver_rules,
        }},
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {
            "score": report.score,
            "grade": report.grade,
            // How much the score rests on: the evaluated share (percent).
            "coverage": report.coverage.percent,
            "checksEvaluated": report.coverage.evaluated,
            "checksUnknown": report.coverage.unknown,
            "checksNotApplicable": report.coverage.not_applicable,
        },
    });
    if let Some(commit) = &report.commit {
        run["properties"]["commit"] = json!(commit);
    }
    // One upload per app folder: code scanning keeps each folder's results
    // apart by this category instead of one replacing the other. A whole-
    // repository scan keeps the default category it always had.
    if let Some(folder) = &report.subfolder {
        run["automationDetails"] = json!({ "id": format!("graduate/{folder}/") });
    }
    waiver_properties(report, &mut run);
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("SARIF serialises");
    out.push('\n');
    out
}

/// The score without the waivers, and the gates, as run properties.
fn waiver_properties(report: &Report, run: &mut Value) {
    if let Some(e) = &report.waiver_effect {
        run["properties"]["scoreWithWaivers"] = json!(e.score_with);
        run["properties"]["scoreWithoutWaivers"] = json!(e.score_without);
        run["properties"]["waiversIgnored"] = json!(e.ignored);
    }
    if !report.gates.is_empty() {
        run["properties"]["gates"] = json!(
            report
                .gates
                .iter()
                .map(|g| json!({ "gate": g.gate, "passed": g.passed, "message": g.message }))
                .collect::<Vec<_>>()
        );
    }
}

/// Results for the findings the waivers hide, each with its suppression.
fn suppressed_results(report: &Report) -> Vec<Value> {
    report
        .suppressions
        .iter()
        .map(|s| {
            let mut justification = s.reason.to_string();
            if let Some(o) = &s.owner {
                justification.push_str(&format!(" (owner {o})"));
            }
            if let Some(e) = &s.expires {
                justification.push_str(&format!(" (until {e})"));
            }
            let mut result = json!({
                "ruleId": s.rule,
                "level": level(s.priority),
                "message": { "text": format!("{} (waived at {})", s.message, s.waiver) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri_path(&s.path), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": s.line.max(1) },
                    }
                }],
                "suppressions": [{
                    "kind": s.kind.sarif_kind(),
                    "status": "accepted",
                    "justification": justification,
                }],
                "properties": { "priority": s.priority, "waiver": s.waiver },
            });
            if !s.fingerprint.is_empty() {
                result["partialFingerprints"] = json!({ "graduateFingerprint/v2": s.fingerprint });
            }
            // A disabled rule has no entry in `driver.rules`.
            if let Some(i) = report.checks.iter().position(|c| c.id == s.rule.as_str()) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect()
}

/// A rejected suppression for a finding whose waiver expired.
fn expired_suppression(report: &Report, d: &super::DebtItem) -> Option<Value> {
    let note = d.waiver.as_deref()?;
    let w = report
        .waivers
        .iter()
        .find(|w| note.ends_with(&format!("({})", w.location())))?;
    let reason = w.reason.as_deref().unwrap_or("(no reason given)");
    Some(json!({
        "kind": w.source.sarif_kind(),
        "status": "rejected",
        "justification": format!("{note}; it said: {reason}"),
    }))
}

/// `outbound-timeout` → `OutboundTimeout`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// A repository path as a relative URI reference: every byte outside RFC
/// 3986's unreserved set and `/` percent-encoded, so `a b#c?.ts` or `100%.js`
/// stay one path (code scanning would otherwise cut at `#` or `?`).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_path("src/api.ts"), "src/api.ts");
        assert_eq!(uri_path("a b#c?.ts"), "a%20b%23c%3F.ts");
        assert_eq!(uri_path("100%.js"), "100%25.js");
        assert_eq!(uri_path("ünï.py"), "%C3%BCn%C3%AF.py");
    }

    #[test]
    fn levels_and_names() {
        assert_eq!(super::level(125), "error");
        assert_eq!(super::level(36), "warning");
        assert_eq!(super::level(12), "note");
        assert_eq!(super::pascal("outbound-timeout"), "OutboundTimeout");
    }
}
