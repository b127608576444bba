//! The report: one value that every renderer reads (renderers never look at
//! facts). Its JSON form is the versioned contract in docs/report-format.md.

pub mod baseline;
pub mod html;
pub mod json;
pub mod markdown;
mod pretty_json;
pub mod sarif;
pub mod text;
pub mod timestamp;

use serde::Serialize;

use crate::facts::Warning;
use crate::rules::{Evidence, Status};
use crate::safe_text::SafeText;
use crate::walk::WalkStats;

/// 2: check status `skip` became `not-applicable` or `unknown`; the score
/// can be null (no app found). Fields are only added within a version.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// For a scan of a folder inside a repository (`graduate scan api/`):
    /// that folder, repository-relative. Every path in the report is
    /// repository-relative either way; the apps are the folder's.
    pub subfolder: Option<SafeText>,
    /// What to call the repository: the name of its `origin` remote (from
    /// `.git/config`, when the scan root is the work tree's top), else the
    /// scanned folder's own name. `root` is `.` when the Action scans.
    pub name: SafeText,
    pub commit: Option<String>,
    /// When the scan ran, RFC 3339 UTC (honours `SOURCE_DATE_EPOCH`).
    pub scanned_at: String,
    /// Base URL for links to files (`…/blob/<commit>/`), when known.
    pub source_url: Option<String>,
    /// `null` when there is nothing to score (no app found, see `unscored`).
    pub score: Option<u32>,
    pub grade: Option<&'static str>,
    /// Why there is no score: "no app found (…)"; `null` when scored.
    pub unscored: Option<SafeText>,
    pub level: Level,
    pub coverage: Coverage,
    pub pillars: Vec<PillarScore>,
    pub checks: Vec<Check>,
    pub debt: Vec<DebtItem>,
    pub signoff: Vec<Gate>,
    /// The four-week refactor plan: each failing rule once, in its week.
    pub plan: Vec<crate::plan::PlanWeek>,
    /// With `--fail-under N` (or `fail-under` in the config): whether the
    /// score meets it and, if not, the cheapest fixes that do.
    pub target: Option<crate::plan::Target>,
    /// Graduation pressure: verdict, signals with thresholds, hotspots.
    pub pressure: Option<crate::pressure::Pressure>,
    /// The apps scored, each on its own facts: one at `.` for a single-app
    /// repository, none when no app was found. With one app the top-level
    /// fields are that app's; with several they are the roll-up.
    pub apps: Vec<AppSummary>,
    /// Workspace members that are libraries: listed, not scored.
    pub libraries: Vec<Library>,
    /// With several apps: how the top-level fields roll them up.
    pub rollup: Option<RollUp>,
    /// Findings hidden by a waiver in force, each with the waiver's reason.
    pub suppressions: Vec<Suppression>,
    /// Every waiver (inline, config, `disable`, `[secrets] allow`) with its
    /// status: what is waived, where, why, by whom, until when.
    pub waivers: Vec<crate::waivers::WaiverEntry>,
    /// The score with and without the waivers; `null` when there are none.
    pub waiver_effect: Option<crate::waivers::WaiverEffect>,
    /// The pull-request gates this run was held to (`--fail-under`,
    /// `--fail-on-new`, `--fail-on-drop`) and their verdicts.
    pub gates: Vec<baseline::GateResult>,
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

/// One app of the repository, scored on the facts under its root plus the
/// repository-wide facts that apply to it (docs/scoring.md, "Apps").
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AppSummary {
    /// The app's root, repository-relative (`.` for the whole repository);
    /// the same as `root`, kept from the first form of schema 2.
    pub path: SafeText,
    /// The app's root, repository-relative: `.`, `api`, `apps/web`.
    pub root: SafeText,
    /// Its folder's name (`.` for the repository root). Manifest package
    /// names are not read for it yet.
    pub name: SafeText,
    /// Languages and frameworks: `node`, `express`, `python`, `next` …
    pub stack: Vec<String>,
    /// What makes it an app rather than a library: a server dependency, a
    /// worker, a Dockerfile, a deployment naming it.
    pub signals: Vec<SafeText>,
    /// `null` only when no check of the app could be evaluated.
    pub score: Option<u32>,
    pub grade: Option<&'static str>,
    pub unscored: Option<SafeText>,
    pub level: Level,
    pub coverage: Coverage,
    pub pillars: Vec<PillarScore>,
    pub checks: Vec<Check>,
    pub debt: Vec<DebtItem>,
    pub signoff: Vec<Gate>,
    /// With `--fail-under N`: whether this app meets it and how.
    pub target: Option<crate::plan::Target>,
}

/// A workspace member with no server, worker or deployment signal: listed,
/// not scored (its code counts toward the apps that use it only through
/// their own facts).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Library {
    pub root: SafeText,
    pub name: SafeText,
    pub stack: Vec<String>,
    /// The manifest that declares it.
    pub manifest: SafeText,
}

/// How the top-level score, level and checks of a repository with several
/// apps are made from its apps (docs/scoring.md, "Roll-up").
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RollUp {
    /// Number of apps scored.
    pub apps: usize,
    /// The rule, in words: "lowest app score (api); level of the lowest app".
    pub rule: String,
    /// The root of the app that sets the score (the weakest).
    pub weakest: Option<SafeText>,
}

impl Report {
    /// The way to the next level and to `--fail-under`, one plain sentence
    /// each (text and HTML; Markdown marks up its own).
    pub fn next_steps(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(next) = &self.level.next {
            let mut todo = Vec::new();
            if !next.fixes.is_empty() {
                todo.push(format!(
                    "fix {} ({})",
                    next.fixes.join(", "),
                    next.effort_text
                ));
            }
            if !next.unknown.is_empty() {
                todo.push(format!("decide {} (unknown)", next.unknown.join(", ")));
            }
            out.push(format!(
                "Next: level {} {} — {}",
                next.level,
                next.name,
                todo.join("; ")
            ));
        }
        if let Some(t) = &self.target {
            out.push(match (self.score, t.met) {
                (None, _) => format!(
                    "--fail-under {}: no score to hold to it ({})",
                    t.fail_under,
                    self.unscored.as_deref().unwrap_or("no app found")
                ),
                (Some(s), true) => format!("--fail-under {}: met ({s})", t.fail_under),
                (Some(s), false) => format!(
                    "To reach --fail-under {} (now {s}): fix {} ({}) → {}",
                    t.fail_under,
                    t.fixes.join(", "),
                    t.effort_text,
                    t.score_after.unwrap_or(s)
                ),
            });
        }
        out
    }

    /// The per-app summary of a repository with several apps or with
    /// libraries (none for a single app: its standing is the report's).
    pub fn app_rows(&self) -> Vec<AppRow> {
        if self.apps.len() < 2 && self.libraries.is_empty() {
            return Vec::new();
        }
        self.apps
            .iter()
            .map(|a| AppRow {
                root: a.root.to_string(),
                stack: a.stack.join(", "),
                score: match (a.score, a.grade) {
                    (Some(s), Some(g)) => format!("{s}/100 {g}"),
                    _ => "no score".into(),
                },
                level: format!("{} {}", a.level.current, a.level.name),
                coverage: a.coverage.percent.map_or("n/a".into(), |p| format!("{p}%")),
                next: a.level.next.as_ref().map_or(String::new(), |n| {
                    if n.fixes.is_empty() {
                        format!("decide {} (unknown)", n.unknown.join(", "))
                    } else {
                        format!("fix {} ({})", n.fixes.join(", "), n.effort_text)
                    }
                }),
            })
            .collect()
    }

    /// `36/100`, or `no score` when there is none.
    pub fn score_text(&self) -> String {
        match self.score {
            Some(s) => format!("{s}/100"),
            None => "no score".to_string(),
        }
    }
}

/// One line of the per-app table (text, Markdown, HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRow {
    pub root: String,
    pub stack: String,
    pub score: String,
    pub level: String,
    pub coverage: String,
    /// The way to the app's next level, in words.
    pub next: String,
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
    /// Failing checks of the current level's week, cheapest first (by
    /// effort, then priority): all of them are needed.
    pub fixes: Vec<String>,
    /// Sum of the fixes' effort points.
    pub effort: u32,
    /// Their total effort in words ("about 5 hours").
    pub effort_text: String,
    /// Checks of that week that are unknown: the next level also needs
    /// them decided (the file that does not parse fixed, the deployment
    /// shown) and passing. Empty when there are none.
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Coverage {
    /// Checks that could be evaluated (pass or fail).
    pub evaluated: usize,
    /// Checks that ran but were not evaluated: `not_applicable + unknown`.
    pub skipped: usize,
    /// Nothing to check (no outbound calls, no HTTP server …).
    pub not_applicable: usize,
    /// Could not tell (a file that does not parse, a framework graduate
    /// cannot read, a deployment configured outside the repository).
    pub unknown: usize,
    /// Catalogue rules that have no detection yet.
    pub pending: Vec<&'static str>,
    /// Catalogue rules not disabled by configuration.
    pub total: usize,
    /// How much the score rests on: the evaluated share of the weight
    /// (impact × risk) of the checks that apply (evaluated + unknown), in
    /// percent; `null` when nothing applies.
    pub percent: Option<u32>,
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
    /// Why the check is not applicable or unknown (absent otherwise).
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
    /// Stable across line shifts and identical code inserted elsewhere:
    /// rule, path, enclosing code and occurrence, hashed
    /// (docs/report-format.md).
    pub fingerprint: String,
    /// The same without the path: finds the item again after a rename.
    pub content_fingerprint: String,
    /// The fingerprint of reports before content fingerprints, to read old
    /// baselines; not serialised.
    #[serde(skip)]
    pub legacy_fingerprint: String,
    /// Set when a waiver covered this finding but has expired: "waiver
    /// expired 2020-01-01 (src/api.go:12)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<SafeText>,
    /// For a finding with no location: the file that should hold the fix
    /// (code-scanning tools need a file to annotate).
    pub anchor: Option<SafeText>,
    /// Changes in 90 days when the file is a churn hotspot; its risk was
    /// raised by one for that.
    pub hotspot: Option<u32>,
    /// In the roll-up of several apps: the roots of the apps it is debt of
    /// (a missing runbook is every app's); absent with one app.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<SafeText>,
}

impl DebtItem {
    /// `path:line`, `path`, or for a missing practice `(repository)` (the
    /// app's root in the roll-up of several apps).
    pub fn location(&self) -> String {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => format!("{p}:{l}"),
            (Some(p), None) => p.to_string(),
            // In the roll-up of several apps: whose practice is missing.
            _ if self.apps.len() == 1 => format!("(app {})", self.apps[0]),
            _ if !self.apps.is_empty() => format!(
                "(apps {})",
                self.apps
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => "(repository)".to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Gate {
    pub gate: &'static str,
    pub passed: bool,
    pub status: GateStatus,
    pub reason: SafeText,
}

/// A sign-off gate passes only on evaluated passes: a member check that is
/// not applicable or unknown leaves it `unknown`, never passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    Pass,
    Fail,
    Unknown,
}

impl GateStatus {
    pub fn id(self) -> &'static str {
        match self {
            GateStatus::Pass => "pass",
            GateStatus::Fail => "fail",
            GateStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for GateStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A finding a waiver in force hides.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Suppression {
    pub rule: SafeText,
    pub path: SafeText,
    pub line: u32,
    /// The hidden finding.
    pub message: SafeText,
    /// The waiver's reason ("(no reason given)" when it has none).
    pub reason: SafeText,
    /// Where the waiver is written: inline, config, disable, secrets-allow.
    pub kind: crate::waivers::Source,
    pub owner: Option<SafeText>,
    pub expires: Option<SafeText>,
    /// The waiver's `path:line`.
    pub waiver: SafeText,
    /// The hidden finding's fingerprint.
    pub fingerprint: String,
    pub priority: u32,
}

/// The report of a scan of `fixtures/<fixture>` on one thread, for the
/// renderers' unit tests.
#[cfg(test)]
pub(crate) fn scanned_fixture(fixture: &str) -> Report {
    crate::scan::run(&crate::scan::ScanOptions {
        path: std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(fixture),
        config: None,
        threads: 1,
        history: false,
        fail_under: None,
        waivers: true,
    })
    .expect("the fixture scans")
    .report
}
