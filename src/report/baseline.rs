//! `--baseline OLD.json`: the change against a previous JSON report. Debt is
//! matched by fingerprint (rule, path, message, occurrence), so an item that
//! only moved lines is neither new nor fixed.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Report, SCHEMA_VERSION};
use crate::safe_text::SafeText;

#[derive(Debug, Deserialize)]
pub struct OldReport {
    schema_version: u32,
    commit: Option<String>,
    /// `null` in a report of a repository with no app.
    score: Option<u32>,
    #[serde(default)]
    pillars: Vec<OldPillar>,
    #[serde(default)]
    debt: Vec<OldDebt>,
}

#[derive(Debug, Deserialize)]
struct OldPillar {
    id: String,
    score: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
struct OldDebt {
    rule: String,
    path: Option<String>,
    line: Option<u32>,
    message: String,
    priority: u32,
    fingerprint: String,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct BaselineDiff {
    pub commit: Option<SafeText>,
    /// `null` when either report has no score (no app found).
    pub score_before: Option<u32>,
    pub score_delta: Option<i64>,
    pub pillars: Vec<PillarDelta>,
    /// Fingerprints of debt items not in the baseline.
    pub new: Vec<SafeText>,
    /// Baseline debt items that are gone.
    pub fixed: Vec<FixedItem>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PillarDelta {
    pub id: SafeText,
    pub before: Option<u32>,
    pub after: Option<u32>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FixedItem {
    pub rule: SafeText,
    pub path: Option<SafeText>,
    pub line: Option<u32>,
    pub message: SafeText,
    pub priority: u32,
}

impl FixedItem {
    pub fn location(&self) -> String {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.to_string(),
            _ => "(repository)".to_string(),
        }
    }
}

impl BaselineDiff {
    pub fn is_new(&self, fingerprint: &str) -> bool {
        self.new.iter().any(|f| f == fingerprint)
    }
}

pub fn load(path: &Path) -> Result<OldReport, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    let old: OldReport = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a graduate JSON report: {e}", path.display()))?;
    // Version 1 differs only in check statuses, which a baseline does not read.
    if !(1..=SCHEMA_VERSION).contains(&old.schema_version) {
        return Err(format!(
            "{}: baseline has schema_version {}, this graduate reads 1 to {SCHEMA_VERSION}",
            path.display(),
            old.schema_version
        ));
    }
    Ok(old)
}

pub fn diff(old: &OldReport, new: &Report) -> BaselineDiff {
    let before: HashSet<&str> = old.debt.iter().map(|d| d.fingerprint.as_str()).collect();
    let after: HashSet<&str> = new.debt.iter().map(|d| d.fingerprint.as_str()).collect();
    BaselineDiff {
        commit: old.commit.as_deref().map(SafeText::new),
        score_before: old.score,
        score_delta: old
            .score
            .zip(new.score)
            .map(|(before, after)| after as i64 - before as i64),
        pillars: new
            .pillars
            .iter()
            .map(|p| PillarDelta {
                id: p.id.to_string().into(),
                before: old
                    .pillars
                    .iter()
                    .find(|o| o.id == p.id)
                    .and_then(|o| o.score),
                after: p.score,
            })
            .collect(),
        new: new
            .debt
            .iter()
            .filter(|d| !before.contains(d.fingerprint.as_str()))
            .map(|d| SafeText::new(&d.fingerprint))
            .collect(),
        fixed: old
            .debt
            .iter()
            .filter(|d| !after.contains(d.fingerprint.as_str()))
            .map(|d| FixedItem {
                rule: d.rule.clone().into(),
                path: d.path.as_deref().map(SafeText::new),
                line: d.line,
                message: d.message.clone().into(),
                priority: d.priority,
            })
            .collect(),
    }
}
