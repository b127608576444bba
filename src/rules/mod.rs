//! Rules: one small module per rule, each reading facts and returning an
//! [`Outcome`]. A rule's metadata (title, why, remediation, impact/risk/effort,
//! week, examples) lives in `rules/<pillar>/<id>.toml` at the repository root,
//! embedded at build time; the registry below pairs each TOML with its code,
//! so a rule without detection cannot be registered.

mod cost;
mod meta;
mod observability;
mod operations;
mod resilience;
mod security;
mod testing;

use serde::Serialize;

use crate::safe_text::SafeText;

use crate::facts::{Facts, Location};

pub use meta::{Pillar, RuleMeta, Stack};
pub use operations::waiver_hygiene::judge as judge_waivers;

/// The four outcomes of a check (docs/scoring.md). Only `pass` and `fail`
/// are evaluated; the other two carry their reason and count neither in the
/// score nor towards a gate or a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// Nothing to check: the app itself lacks what the rule is about (no
    /// outbound calls, no HTTP server, no source code).
    NotApplicable,
    /// Could not tell: graduate saw something it cannot read (a file that
    /// does not parse, a framework it does not know, a deployment whose
    /// configuration lives outside the repository).
    Unknown,
}

impl Status {
    /// Pass or fail: the check says something about the app.
    pub fn evaluated(self) -> bool {
        matches!(self, Status::Pass | Status::Fail)
    }

    pub fn id(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
            Status::Unknown => "unknown",
        }
    }
}

/// What proved a check's status: a route, an SDK init line, a bad call site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
pub struct Evidence {
    pub path: Option<SafeText>,
    pub line: Option<u32>,
    /// Quotes repository text (a CI step, a call): cleaned on construction.
    pub note: SafeText,
}

impl Evidence {
    pub fn at(loc: &Location, note: impl Into<SafeText>) -> Self {
        Evidence {
            path: Some(SafeText::new(&loc.path)),
            line: Some(loc.line),
            note: note.into(),
        }
    }

    pub fn file(path: &str, note: impl Into<SafeText>) -> Self {
        Evidence {
            path: Some(SafeText::new(path)),
            line: None,
            note: note.into(),
        }
    }

    pub fn note(note: impl Into<SafeText>) -> Self {
        Evidence {
            path: None,
            line: None,
            note: note.into(),
        }
    }
}

/// One piece of debt a rule found: a bad site, or a missing practice
/// (no location, or the file that should hold the fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub location: Option<Location>,
    pub message: String,
    /// Risk lowered for this site (e.g. a credential in test code).
    pub risk: Option<u8>,
    /// A fix specific to this site (e.g. the client's own timeout option);
    /// the rule's one-line fix otherwise.
    pub fix: Option<String>,
    /// Fingerprint of the secret behind a finding, for the config allowlist.
    pub fingerprint: Option<String>,
    /// Its identity across commits, set by the evaluation before waivers
    /// apply (so occurrence numbers do not depend on what is waived).
    pub identity: Option<Identity>,
    /// Set when a waiver covers it but is out of force (expired): the
    /// finding is back, and says which waiver lapsed.
    pub waiver_note: Option<String>,
}

/// A finding's fingerprints (docs/report-format.md, "Fingerprints").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Rule, path, enclosing-code hash (or message), occurrence.
    pub fingerprint: String,
    /// The same without the path: matches a finding in a renamed file.
    pub content: String,
}

impl Finding {
    pub fn at(loc: &Location, message: impl Into<String>) -> Self {
        Finding {
            location: Some(loc.clone()),
            message: message.into(),
            risk: None,
            fix: None,
            fingerprint: None,
            identity: None,
            waiver_note: None,
        }
    }

    pub fn missing(message: impl Into<String>) -> Self {
        Finding {
            location: None,
            message: message.into(),
            risk: None,
            fix: None,
            fingerprint: None,
            identity: None,
            waiver_note: None,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The result of one rule on one app.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub evidence: Vec<Evidence>,
    pub findings: Vec<Finding>,
    /// Per-site rules: number of clean sites (bad sites are the findings).
    /// `None` for whole-repository rules, which pass or fail as one.
    pub clean_sites: Option<usize>,
    /// Whole-app rules that pass in part (a runbook with 3 of 4 parts).
    pub partial: Option<f64>,
    /// Why a check is not applicable or unknown.
    pub reason: Option<String>,
}

impl Outcome {
    pub fn pass(evidence: Vec<Evidence>) -> Self {
        Outcome {
            status: Status::Pass,
            evidence,
            findings: Vec::new(),
            clean_sites: None,
            partial: None,
            reason: None,
        }
    }

    pub fn fail(finding: Finding, evidence: Vec<Evidence>) -> Self {
        Outcome {
            status: Status::Fail,
            evidence,
            findings: vec![finding],
            clean_sites: None,
            partial: None,
            reason: None,
        }
    }

    /// Nothing to check: the app has none of what the rule is about.
    pub fn not_applicable(reason: impl Into<String>) -> Self {
        Outcome {
            status: Status::NotApplicable,
            evidence: Vec::new(),
            findings: Vec::new(),
            clean_sites: None,
            partial: None,
            reason: Some(reason.into()),
        }
    }

    /// Could not tell: something the rule needs could not be read.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Outcome {
            status: Status::Unknown,
            evidence: Vec::new(),
            findings: Vec::new(),
            clean_sites: None,
            partial: None,
            reason: Some(reason.into()),
        }
    }

    /// This outcome turned unknown for `reason`, keeping what it found as
    /// evidence (a failing site stays visible, but no longer decides).
    pub fn into_unknown(self, reason: impl Into<String>) -> Self {
        Outcome {
            evidence: self.evidence,
            ..Outcome::unknown(reason)
        }
    }

    /// A per-site result: passes when no site is bad.
    pub fn sites(clean: Vec<Evidence>, bad: Vec<(Evidence, Finding)>) -> Self {
        let clean_sites = clean.len();
        let (mut evidence, findings): (Vec<_>, Vec<_>) = bad.into_iter().unzip();
        evidence.extend(clean);
        Outcome {
            status: if findings.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            },
            evidence,
            findings,
            clean_sites: Some(clean_sites),
            partial: None,
            reason: None,
        }
    }

    /// Share of the check that passes: 1 or 0, or clean / all sites.
    pub fn pass_fraction(&self) -> f64 {
        match (self.status, self.clean_sites) {
            (Status::Pass, _) => 1.0,
            (Status::NotApplicable | Status::Unknown, _) => 0.0,
            (Status::Fail, Some(clean)) => clean as f64 / (clean + self.findings.len()) as f64,
            (Status::Fail, None) => self.partial.unwrap_or(0.0),
        }
    }
}

/// A rule: its metadata and its detection.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: fn(&Facts) -> Outcome,
}

/// Rules that read facts from parsed source code.
const CODE_RULES: &[&str] = &[
    "health-endpoint",
    "otel-tracing",
    "outbound-timeout",
    "retry-backoff",
    "retry-storm",
    "circuit-breaker",
    "inbound-rate-limit",
    "graceful-shutdown",
    "metrics-exported",
    "structured-logging",
    "pii-in-logs",
];

impl Rule {
    /// Run the detection, then account for source files that were not
    /// read: what they hold is unknown, so a code rule may not `pass` on
    /// their account (a per-site rule with only clean sites becomes
    /// `unknown` naming the files; so does a practice found nowhere else,
    /// when a file did not parse). A failure found in the files that were
    /// read stands. A file over the size bound leaves an absent practice a
    /// fail: it is generated code or data, and an unread file must not turn
    /// a fail into a skip that raises the score.
    pub fn run(&self, facts: &Facts) -> Outcome {
        let outcome = (self.check)(facts);
        if !CODE_RULES.contains(&self.meta.id.as_str()) {
            return outcome;
        }
        let per_site_pass = outcome.status == Status::Pass && outcome.clean_sites.is_some();
        let absent =
            outcome.status == Status::Fail && outcome.findings.iter().all(|f| f.location.is_none());
        // A file that does not parse can hold anything; one over the size
        // bound is generated code or data: it can hide bad sites, not a
        // practice (docs/scoring.md).
        let unread: Vec<String> = if per_site_pass {
            facts
                .unparsed
                .iter()
                .chain(&facts.unread_large)
                .cloned()
                .collect()
        } else if absent {
            facts.unparsed.clone()
        } else {
            Vec::new()
        };
        if unread.is_empty() {
            return outcome;
        }
        Outcome::unknown(format!(
            "{} source file(s) could not be read (they do not parse, or are too large), \
             so this cannot be decided: {}",
            unread.len(),
            some_paths(&unread)
        ))
    }
}

/// Why a CI check that found nothing passing cannot say `fail`: a CI file
/// did not parse, and it may be the one that does it.
pub(crate) fn unread_ci(facts: &Facts) -> Option<String> {
    (!facts.unparsed_ci.is_empty()).then(|| {
        format!(
            "{} CI file(s) could not be read (they do not parse, or are too large), \
             so what they run cannot be told: {}",
            facts.unparsed_ci.len(),
            some_paths(&facts.unparsed_ci)
        )
    })
}

/// Why a deployment check that found nothing in the repository cannot say
/// `fail`: CI deploys the app with a platform's CLI or action, so what the
/// rule looks for is configured on the platform or in the command line.
pub(crate) fn deployed_elsewhere(facts: &Facts, what: &str) -> Option<String> {
    let d = facts.ci_deploys.first()?;
    Some(format!(
        "CI deploys to {} (`{}` at {}:{}); {what} is configured outside the repository",
        d.platform, d.how, d.location.path, d.location.line
    ))
}

/// The first few of a list of paths, for a reason that names them.
pub(crate) fn some_paths(paths: &[String]) -> String {
    let mut names: Vec<&str> = paths.iter().take(3).map(String::as_str).collect();
    if paths.len() > 3 {
        names.push("…");
    }
    names.join(", ")
}

macro_rules! registry {
    ($($pillar:ident / $file:literal => $module:ident),* $(,)?) => {
        /// (TOML source, path under `rules/`, detection) for every rule.
        const REGISTRY: &[(&str, &str, fn(&Facts) -> Outcome)] = &[
            $((
                include_str!(concat!("../../rules/", stringify!($pillar), "/", $file, ".toml")),
                concat!(stringify!($pillar), "/", $file, ".toml"),
                $pillar::$module::check,
            )),*
        ];
    };
}

registry! {
    testing / "tests-present" => tests_present,
    testing / "ci-runs-tests" => ci_runs_tests,
    testing / "coverage-threshold" => coverage_threshold,
    testing / "lockfile-committed" => lockfile_committed,
    observability / "health-endpoint" => health_endpoint,
    observability / "otel-tracing" => otel_tracing,
    observability / "deploy-health-probe" => deploy_health_probe,
    resilience / "outbound-timeout" => outbound_timeout,
    resilience / "retry-backoff" => retry_backoff,
    resilience / "retry-storm" => retry_storm,
    resilience / "circuit-breaker" => circuit_breaker,
    resilience / "inbound-rate-limit" => inbound_rate_limit,
    resilience / "graceful-shutdown" => graceful_shutdown,
    observability / "metrics-exported" => metrics_exported,
    observability / "structured-logging" => structured_logging,
    security / "pii-in-logs" => pii_in_logs,
    security / "hardcoded-secret" => hardcoded_secret,
    security / "insecure-default-secret" => insecure_default_secret,
    security / "env-file-committed" => env_file_committed,
    security / "env-gitignored" => env_gitignored,
    security / "dependency-updates" => dependency_updates,
    operations / "runbook" => runbook,
    operations / "slo-defined" => slo_defined,
    operations / "alerting-rules" => alerting_rules,
    operations / "codeowners" => codeowners,
    operations / "postmortem-template" => postmortem_template,
    operations / "feature-flags" => feature_flags,
    operations / "waiver-hygiene" => waiver_hygiene,
    cost / "autoscaling-bounds" => autoscaling_bounds,
    cost / "budget-alerts" => budget_alerts,
}

/// The whole catalogue of DESIGN.md. Rules not registered yet are reported
/// as pending in the coverage block: never counted as passed or failed.
pub const CATALOGUE: &[&str] = &[
    "tests-present",
    "ci-runs-tests",
    "coverage-threshold",
    "lockfile-committed",
    "health-endpoint",
    "deploy-health-probe",
    "otel-tracing",
    "metrics-exported",
    "structured-logging",
    "outbound-timeout",
    "retry-backoff",
    "retry-storm",
    "circuit-breaker",
    "inbound-rate-limit",
    "graceful-shutdown",
    "hardcoded-secret",
    "insecure-default-secret",
    "env-file-committed",
    "env-gitignored",
    "pii-in-logs",
    "dependency-updates",
    "runbook",
    "slo-defined",
    "alerting-rules",
    "postmortem-template",
    "feature-flags",
    "codeowners",
    "waiver-hygiene",
    "autoscaling-bounds",
    "budget-alerts",
];

/// Every registered rule, metadata parsed and validated once.
pub fn all() -> &'static [Rule] {
    static RULES: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(|| {
        REGISTRY
            .iter()
            .map(|(src, path, check)| Rule {
                meta: RuleMeta::parse(src, path).unwrap_or_else(|e| panic!("rules/{path}: {e}")),
                check: *check,
            })
            .collect()
    });
    &RULES
}

pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.meta.id == id)
}

/// Paths (under `rules/`) of every registered TOML.
pub fn registered_paths() -> Vec<&'static str> {
    REGISTRY.iter().map(|(_, p, _)| *p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{OutboundCall, TimeoutState};

    fn with_calls(timeout: TimeoutState) -> Facts {
        Facts {
            languages: vec![crate::inventory::Lang::Go],
            outbound: vec![OutboundCall {
                location: Location::new("api.go", 3),
                client: "net/http",
                timeout,
                note: "client.Get".into(),
            }],
            ..Facts::default()
        }
    }

    /// A source file that does not parse can hold anything: a clean per-site
    /// result and an absent practice both become unknown. One over the size
    /// bound can hide bad sites only: the clean result becomes unknown, the
    /// absent practice stays a fail (so an unread file never raises the
    /// score). A failing site found elsewhere stands in both cases.
    #[test]
    fn unread_source_files_make_code_rules_unknown_without_raising_the_score() {
        let timeout = find("outbound-timeout").unwrap();
        let metrics = find("metrics-exported").unwrap();
        for (unparsed, large) in [(true, false), (false, true)] {
            let mut clean = with_calls(TimeoutState::Explicit);
            let mut bad = with_calls(TimeoutState::Missing);
            for f in [&mut clean, &mut bad] {
                if unparsed {
                    f.unparsed.push("broken.go".into());
                }
                if large {
                    f.unread_large.push("tables.go".into());
                }
            }
            assert_eq!(timeout.run(&clean).status, Status::Unknown);
            assert_eq!(timeout.run(&bad).status, Status::Fail);
            let absent = metrics.run(&clean);
            let want = if unparsed {
                Status::Unknown
            } else {
                Status::Fail
            };
            assert_eq!(absent.status, want, "unparsed {unparsed}, large {large}");
        }
        let read = with_calls(TimeoutState::Explicit);
        assert_eq!(timeout.run(&read).status, Status::Pass);
        assert_eq!(metrics.run(&read).status, Status::Fail);
    }
}
