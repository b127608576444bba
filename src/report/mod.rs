//! The report: one value that every renderer reads (renderers never look at
//! facts). Its JSON form is the versioned contract in docs/report-format.md.

pub mod baseline;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;
pub mod timestamp;

use serde::Serialize;

use crate::facts::Warning;
use crate::rules::{Evidence, Status};
use crate::safe_text::SafeText;
use crate::walk::WalkStats;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub root: SafeText,
    pub commit: Option<String>,
    /// When the scan ran, RFC 3339 UTC (honours `SOURCE_DATE_EPOCH`).
    pub scanned_at: String,
    /// Base URL for links to files (`…/blob/<commit>/`), when known.
    pub source_url: Option<String>,
    pub score: u32,
    pub grade: &'static str,
    pub level: Level,
    pub coverage: Coverage,
    pub pillars: Vec<PillarScore>,
    pub checks: Vec<Check>,
    pub debt: Vec<DebtItem>,
    pub signoff: Vec<Gate>,
    /// Graduation pressure: verdict, signals with thresholds, hotspots.
    pub pressure: Option<crate::pressure::Pressure>,
    /// The apps scored; today the scanned root is one app (`"."`).
    pub apps: Vec<AppSummary>,
    pub suppressions: Vec<Suppression>,
    pub warnings: Vec<Warning>,
    pub stats: WalkStats,
    /// Walked files per scope (where their code runs).
    pub scopes: Vec<ScopeCount>,
    /// The change against `--baseline OLD.json`, when given.
    pub baseline: Option<baseline::BaselineDiff>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ScopeCount {
    pub scope: crate::inventory::Scope,
    pub files: usize,
    /// Source files of this scope whose code facts the server rules do not
    /// read (browser bundles, examples, tools).
    pub code_left_out: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AppSummary {
    pub path: SafeText,
    pub score: u32,
    pub grade: &'static str,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Level {
    /// 0 (prototype) … 5 (production-ready).
    pub current: u8,
    pub name: &'static str,
    /// The cheapest fixes (by effort) that reach the next level.
    pub next: Option<NextLevel>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NextLevel {
    pub level: u8,
    pub name: &'static str,
    pub fixes: Vec<String>,
    /// Sum of the fixes' effort points.
    pub effort: u32,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Coverage {
    /// Checks that could be evaluated (pass or fail).
    pub evaluated: usize,
    /// Checks that ran but could not apply (`skip`).
    pub skipped: usize,
    /// Catalogue rules that have no detection yet.
    pub pending: Vec<&'static str>,
    /// Catalogue rules not disabled by configuration.
    pub total: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PillarScore {
    pub id: &'static str,
    /// `null` when no check of the pillar could be evaluated.
    pub score: Option<u32>,
    pub evaluated: usize,
    pub total: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub id: String,
    pub pillar: &'static str,
    pub title: String,
    pub status: Status,
    pub impact: u8,
    pub risk: u8,
    pub effort: u8,
    pub priority: u32,
    pub week: u8,
    /// Share of the check passed (per-site rules pass in proportion).
    pub pass_fraction: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<SafeText>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DebtItem {
    pub rule: String,
    pub path: Option<SafeText>,
    pub line: Option<u32>,
    pub message: SafeText,
    pub remediation: SafeText,
    pub impact: u8,
    pub risk: u8,
    pub effort: u8,
    pub priority: u32,
    pub week: u8,
    /// Where the site's code runs (`server`, `browser`, `test` …), for a
    /// finding at a walked file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::inventory::Scope>,
    /// Stable across line shifts: rule, path, message and occurrence, hashed.
    pub fingerprint: String,
    /// For a finding with no location: the file that should hold the fix
    /// (code-scanning tools need a file to annotate).
    pub anchor: Option<SafeText>,
    /// Changes in 90 days when the file is a churn hotspot; its risk was
    /// raised by one for that.
    pub hotspot: Option<u32>,
}

impl DebtItem {
    /// `path:line`, `path`, or `(repository)` for a missing practice.
    pub fn location(&self) -> String {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.to_string(),
            _ => "(repository)".to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Gate {
    pub gate: &'static str,
    pub passed: bool,
    /// pass / fail / unknown (a member check was not evaluated).
    pub status: &'static str,
    pub reason: SafeText,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Suppression {
    pub rule: SafeText,
    pub path: SafeText,
    pub line: u32,
    pub reason: SafeText,
}
