//! `--baseline OLD.json`: the change against a previous JSON report, and the
//! pull-request gates that read it (`--fail-on-new`, `--fail-on-drop`).
//!
//! Debt is matched by content fingerprint (docs/report-format.md): first by
//! `fingerprint` (rule, path, enclosing code, occurrence), then what is left
//! by `content_fingerprint` (the same without the path), so an item that
//! moved lines, or whose file was renamed, is neither new nor fixed. A
//! baseline written before content fingerprints has no
//! `content_fingerprint`; its items are matched by the old fingerprint
//! (rule, path, message, occurrence), which every item can still give (each
//! keeps its occurrence; the hash is taken only for such a baseline), so an
//! upgrade does not turn every finding new.

use std::collections::{HashMap, HashSet};
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
    /// Absent in reports before content fingerprints.
    #[serde(default)]
    content_fingerprint: Option<String>,
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
    let pairs = match_debt(old, new);
    let matched_new: HashSet<usize> = pairs.iter().map(|(j, _)| *j).collect();
    let matched_old: HashSet<usize> = pairs.iter().map(|(_, i)| *i).collect();
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
            .enumerate()
            .filter(|(j, _)| !matched_new.contains(j))
            .map(|(_, d)| SafeText::new(&d.fingerprint))
            .collect(),
        fixed: old
            .debt
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched_old.contains(i))
            .map(|(_, d)| d)
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

/// Pairs (new item, old item) of the same finding: by fingerprint (or, for
/// an old-format baseline, by the legacy fingerprint), then the rest by
/// content fingerprint (renamed files). Each old item matches once, so two
/// alike findings where the baseline had one leave exactly one new.
fn match_debt(old: &OldReport, new: &Report) -> Vec<(usize, usize)> {
    let mut by_fp: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_legacy: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_content: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in old.debt.iter().enumerate().rev() {
        match &d.content_fingerprint {
            Some(c) => {
                by_fp.entry(&d.fingerprint).or_default().push(i);
                by_content.entry(c).or_default().push(i);
            }
            None => by_legacy.entry(&d.fingerprint).or_default().push(i),
        }
    }
    let mut taken = vec![false; old.debt.len()];
    let take = |map: &mut HashMap<&str, Vec<usize>>, key: &str, taken: &mut Vec<bool>| {
        let list = map.get_mut(key)?;
        while let Some(i) = list.pop() {
            if !taken[i] {
                taken[i] = true;
                return Some(i);
            }
        }
        None
    };
    let mut pairs = Vec::new();
    let mut left = Vec::new();
    for (j, d) in new.debt.iter().enumerate() {
        // The legacy fingerprint is hashed here, and only for an old-format
        // baseline (score::legacy_fingerprint).
        let hit = take(&mut by_fp, &d.fingerprint, &mut taken).or_else(|| {
            if by_legacy.is_empty() {
                return None;
            }
            let legacy = crate::score::legacy_fingerprint(d)?;
            take(&mut by_legacy, &legacy, &mut taken)
        });
        match hit {
            Some(i) => pairs.push((j, i)),
            None => left.push(j),
        }
    }
    for j in left {
        if let Some(i) = take(
            &mut by_content,
            &new.debt[j].content_fingerprint,
            &mut taken,
        ) {
            pairs.push((j, i));
        }
    }
    pairs
}

/// One pull-request gate and its verdict, for the exit code, standard
/// error and the PR comment.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GateResult {
    /// `fail-under`, `fail-on-new` or `fail-on-drop`.
    pub gate: &'static str,
    pub passed: bool,
    /// "2 findings are not in the baseline", "score fell by 7 (limit 5)".
    pub message: SafeText,
    /// The findings that tripped it: `rule at path:line — message`.
    pub findings: Vec<SafeText>,
}

/// The gates `--fail-on-new` and `--fail-on-drop N` against the baseline
/// diff; `None` gates are not asked for.
pub fn gates(report: &Report, fail_on_new: bool, fail_on_drop: Option<u32>) -> Vec<GateResult> {
    let Some(diff) = &report.baseline else {
        return Vec::new();
    };
    let new_items: Vec<SafeText> = report
        .debt
        .iter()
        .filter(|d| diff.is_new(&d.fingerprint))
        .map(|d| format!("{} at {} — {}", d.rule, d.location(), d.message).into())
        .collect();
    let mut out = Vec::new();
    if fail_on_new {
        let n = new_items.len();
        out.push(GateResult {
            gate: "fail-on-new",
            passed: n == 0,
            message: match n {
                0 => "no finding is new against the baseline".into(),
                1 => "1 finding is not in the baseline".into(),
                n => format!("{n} findings are not in the baseline").into(),
            },
            findings: new_items.clone(),
        });
    }
    if let Some(limit) = fail_on_drop {
        let (passed, message) = match (diff.score_before, report.score) {
            (Some(before), Some(after)) => {
                let drop = before as i64 - after as i64;
                (
                    drop <= limit as i64,
                    if drop > 0 {
                        format!("score fell by {drop}, from {before} to {after} (limit {limit})")
                    } else {
                        format!("score did not fall ({before} → {after}, limit {limit})")
                    },
                )
            }
            (Some(before), None) => (
                false,
                format!("score fell from {before} to none (no app scored; limit {limit})"),
            ),
            (None, _) => (true, "the baseline has no score to fall from".to_string()),
        };
        out.push(GateResult {
            gate: "fail-on-drop",
            passed,
            message: message.into(),
            findings: if passed { Vec::new() } else { new_items },
        });
    }
    out
}
