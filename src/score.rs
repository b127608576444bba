//! Evaluation: rule outcomes → checks, debt, scores, sign-off, level.
//! The formula is documented with a worked example in docs/scoring.md:
//!
//! * priority = impact × risk × (6 − effort), 1–125;
//! * score = Σ weight × pass_fraction / Σ weight over evaluated checks,
//!   weight = impact × risk; not-applicable and unknown checks are left out;
//! * coverage = evaluated weight / weight of the checks that apply;
//! * a gate passes only when every member check passes (evaluated);
//! * level N = no check of plan week < N fails or is unknown: an unknown
//!   can never raise a level, and not applicable neither helps nor blocks.

use crate::config::Config;
use crate::facts::{Facts, Warning};
use crate::report::{
    AppSummary, Check, Coverage, DebtItem, Gate, GateStatus, Level, NextLevel, PillarScore, Report,
    SCHEMA_VERSION, Suppression, Tool,
};
use crate::rules::{self, Outcome, Pillar, Status};
use crate::safe_text::SafeText;
use crate::walk::WalkStats;

pub fn priority(impact: u8, risk: u8, effort: u8) -> u32 {
    impact as u32 * risk as u32 * (6 - effort.clamp(1, 5)) as u32
}

pub fn grade(score: u32) -> &'static str {
    match score {
        90.. => "A",
        75..=89 => "B",
        60..=74 => "C",
        40..=59 => "D",
        _ => "F",
    }
}

const LEVEL_NAMES: [&str; 6] = [
    "prototype",
    "guarded",
    "tested",
    "observable",
    "resilient",
    "production-ready",
];

/// The six sign-off gates and the checks each needs.
const GATES: &[(&str, &[&str])] = &[
    ("tests-in-ci", &["tests-present", "ci-runs-tests"]),
    (
        "health-and-uptime",
        &["health-endpoint", "deploy-health-probe"],
    ),
    ("otel-traces", &["otel-tracing"]),
    ("slo-error-budget", &["slo-defined"]),
    ("runbook-escalation", &["runbook"]),
    ("cost-guardrails", &["autoscaling-bounds", "budget-alerts"]),
];

/// Run every enabled rule on the facts and apply inline suppressions.
/// Returns the outcomes, the suppressions applied, and warnings about
/// suppressions that matched nothing.
pub fn evaluate(
    facts: &Facts,
    config: &Config,
) -> (
    Vec<(&'static rules::Rule, Outcome)>,
    Vec<Suppression>,
    Vec<Warning>,
) {
    let mut suppressions = Vec::new();
    let mut used_fingerprints = std::collections::BTreeSet::new();
    // Rules are independent reads of the facts: run them on two threads
    // (a large monorepo spends real time in the per-manifest rules).
    let enabled: Vec<&'static rules::Rule> = rules::all()
        .iter()
        .filter(|r| config.enabled(&r.meta.id))
        .collect();
    let half = enabled.len().div_ceil(2);
    let (first, second) = enabled.split_at(half);
    let mut outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let other = s.spawn(|| second.iter().map(|r| r.run(facts)).collect::<Vec<_>>());
        let mut mine: Vec<Outcome> = first.iter().map(|r| r.run(facts)).collect();
        mine.extend(other.join().expect("a rule panicked"));
        mine
    });
    let results: Vec<_> = enabled
        .iter()
        .zip(outcomes.drain(..))
        .map(|(rule, outcome)| {
            let rule: &'static rules::Rule = rule;
            let mut outcome = outcome;
            let before = outcome.findings.len();
            outcome.findings.retain(|f| {
                let Some(loc) = &f.location else { return true };
                match facts.allowed(&rule.meta.id, loc) {
                    Some(allow) => {
                        suppressions.push(Suppression {
                            rule: rule.meta.id.clone().into(),
                            path: loc.path.clone().into(),
                            line: loc.line,
                            reason: allow.reason.clone().into(),
                        });
                        false
                    }
                    None => match &f.fingerprint {
                        Some(fp) if config.secret_allowed(fp) => {
                            used_fingerprints.insert(fp.to_ascii_lowercase());
                            suppressions.push(Suppression {
                                rule: rule.meta.id.clone().into(),
                                path: loc.path.clone().into(),
                                line: loc.line,
                                reason: format!(
                                    "fingerprint {fp} allowlisted in {}",
                                    crate::config::FILE_NAME
                                )
                                .into(),
                            });
                            false
                        }
                        _ => true,
                    },
                }
            });
            let suppressed = before - outcome.findings.len();
            if suppressed > 0 {
                if let Some(clean) = outcome.clean_sites.as_mut() {
                    *clean += suppressed;
                }
                if outcome.findings.is_empty() {
                    outcome.status = Status::Pass;
                }
            }
            (rule, outcome)
        })
        .collect();
    // An allowlist entry that matches nothing is stale: the secret was
    // removed (good) or the entry was mistyped (bad); either way, say so.
    let unused = config
        .secrets
        .allow
        .iter()
        .filter(|fp| !used_fingerprints.contains(&fp.to_ascii_lowercase()))
        .map(|fp| Warning {
            path: crate::config::FILE_NAME.into(),
            message: format!(
                "unused secrets allowlist entry {fp}: no finding has this fingerprint"
            )
            .into(),
        })
        .collect();
    (results, suppressions, unused)
}

/// One app as the report names it, and the facts it is scored on (`None`:
/// the whole repository's facts, for a single-app repository).
pub struct AppInput {
    pub root: String,
    pub name: String,
    pub stack: Vec<String>,
    pub signals: Vec<String>,
    pub facts: Option<Facts>,
}

/// What a scan found: the apps to score and the libraries to list.
#[derive(Default)]
pub struct Apps {
    pub apps: Vec<AppInput>,
    pub libraries: Vec<crate::report::Library>,
    /// Why there is no app, when the apps were narrowed to a folder that
    /// holds none.
    pub none_in: Option<String>,
}

impl Apps {
    /// The apps of a subfolder scan: those inside `folder`, or else the one
    /// holding it (`api/src` is the API's); libraries inside it.
    pub fn within(mut self, folder: Option<&str>) -> Apps {
        let Some(folder) = folder else { return self };
        let root_of = |a: &AppInput| {
            if a.root == "." {
                String::new()
            } else {
                a.root.clone()
            }
        };
        let inside = |a: &AppInput| {
            let r = root_of(a);
            !r.is_empty() && crate::resolve::under(&r, folder)
        };
        if self.apps.iter().any(inside) {
            self.apps.retain(inside);
        } else {
            let holder = self
                .apps
                .iter()
                .map(root_of)
                .filter(|r| crate::resolve::under(folder, r))
                .max_by_key(|r| r.len());
            self.apps.retain(|a| Some(root_of(a)) == holder);
        }
        self.libraries
            .retain(|l| crate::resolve::under(l.root.as_str(), folder));
        if self.apps.is_empty() {
            self.none_in = Some(format!("no app found in {folder}"));
        }
        self
    }
}

/// The evaluation of one app (or of the whole root when it holds none).
struct Evaluation {
    score: Option<u32>,
    unscored: Option<String>,
    level: Level,
    coverage: Coverage,
    pillars: Vec<PillarScore>,
    checks: Vec<Check>,
    debt: Vec<DebtItem>,
    signoff: Vec<Gate>,
    target: Option<crate::plan::Target>,
    suppressions: Vec<Suppression>,
    unused_allows: Vec<Warning>,
}

/// Build the report. `facts` are the whole repository's; each app of `apps`
/// is scored on its own facts, and with several apps the top-level fields
/// roll them up (docs/scoring.md, "Roll-up"). `fail_under` is the target
/// score the run holds the apps to, if any: the report says how to reach it.
#[allow(clippy::too_many_arguments)]
pub fn build(
    root: String,
    commit: Option<String>,
    now: i64,
    facts: &Facts,
    apps: Apps,
    config: &Config,
    stats: WalkStats,
    fail_under: Option<u8>,
) -> Report {
    let mut pressure = crate::pressure::evaluate(facts, &facts.history, &config.pressure, now);
    let mut evaluated_apps: Vec<(AppInput, Evaluation)> = apps
        .apps
        .into_iter()
        .map(|app| {
            let e = evaluate_app(
                app.facts.as_ref().unwrap_or(facts),
                config,
                fail_under,
                &mut pressure.hotspots,
            );
            (app, e)
        })
        .collect();
    let top = match evaluated_apps.len() {
        // No app: the root is evaluated as before, and left unscored.
        0 => {
            let mut e = evaluate_app(facts, config, fail_under, &mut pressure.hotspots);
            let why = apps
                .none_in
                .clone()
                .or_else(|| no_app(facts))
                .unwrap_or_else(|| "no app found".to_string());
            unscore(&mut e, why);
            e
        }
        1 => clone_evaluation(&evaluated_apps[0].1),
        _ => roll_up(&evaluated_apps, config, fail_under),
    };
    let rollup = (evaluated_apps.len() > 1).then(|| {
        let weakest = weakest(&evaluated_apps);
        crate::report::RollUp {
            apps: evaluated_apps.len(),
            rule: ROLLUP_RULE.to_string(),
            weakest: weakest.map(|i| SafeText::new(&evaluated_apps[i].0.root)),
        }
    });
    let app_summaries = evaluated_apps
        .drain(..)
        .map(|(app, e)| AppSummary {
            path: SafeText::new(&app.root),
            root: SafeText::new(&app.root),
            name: SafeText::new(&app.name),
            stack: app.stack,
            signals: app.signals.iter().map(|s| SafeText::new(s)).collect(),
            score: e.score,
            grade: e.score.map(grade),
            unscored: e.unscored.map(SafeText::from),
            level: e.level,
            coverage: e.coverage,
            pillars: e.pillars,
            checks: e.checks,
            debt: e.debt,
            signoff: e.signoff,
            target: e.target,
        })
        .collect();
    let Evaluation {
        score,
        unscored,
        level,
        coverage,
        pillars,
        checks,
        debt,
        signoff,
        target,
        suppressions,
        unused_allows,
    } = top;
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "graduate",
            version: env!("CARGO_PKG_VERSION"),
        },
        root: root.into(),
        subfolder: None,
        commit,
        scanned_at: crate::report::timestamp::rfc3339(now),
        source_url: None,
        score,
        grade: score.map(grade),
        unscored: unscored.map(SafeText::from),
        level,
        coverage,
        pillars,
        signoff,
        plan: crate::plan::weeks(&checks, &debt),
        target,
        debt,
        apps: app_summaries,
        libraries: apps.libraries,
        rollup,
        checks,
        pressure: Some(pressure),
        suppressions,
        warnings: {
            let mut w = facts.warnings.clone();
            w.extend(unused_allows);
            w.sort();
            w.dedup();
            w
        },
        stats,
        scopes: scope_counts(facts),
        baseline: None,
    }
}

/// The roll-up rule, as the report states it (docs/scoring.md).
pub const ROLLUP_RULE: &str = "score and grade of the weakest app (lowest score); level of the \
     lowest app; a check is as good as its worst app (fail, then unknown, then pass); a gate \
     passes when it passes for every app; debt is every app's, once";

/// The app that sets the roll-up: the lowest score, then the lowest level.
fn weakest(apps: &[(AppInput, Evaluation)]) -> Option<usize> {
    apps.iter()
        .enumerate()
        .filter(|(_, (_, e))| e.score.is_some())
        .min_by_key(|(_, (_, e))| (e.score, e.level.current))
        .map(|(i, _)| i)
}

fn clone_evaluation(e: &Evaluation) -> Evaluation {
    Evaluation {
        score: e.score,
        unscored: e.unscored.clone(),
        level: e.level.clone(),
        coverage: e.coverage.clone(),
        pillars: e.pillars.clone(),
        checks: e.checks.clone(),
        debt: e.debt.clone(),
        signoff: e.signoff.clone(),
        target: e.target.clone(),
        suppressions: e.suppressions.clone(),
        unused_allows: e.unused_allows.clone(),
    }
}

/// Status order for the roll-up: the worst app decides a check.
fn badness(s: Status) -> u8 {
    match s {
        Status::Fail => 3,
        Status::Unknown => 2,
        Status::Pass => 1,
        Status::NotApplicable => 0,
    }
}

/// The repository's standing from its apps' (the rule is [`ROLLUP_RULE`]).
fn roll_up(apps: &[(AppInput, Evaluation)], config: &Config, fail_under: Option<u8>) -> Evaluation {
    let mut checks: Vec<Check> = Vec::new();
    for (_, e) in apps {
        for c in &e.checks {
            match checks.iter_mut().find(|r| r.id == c.id) {
                None => checks.push(c.clone()),
                Some(r) => {
                    let worse = badness(c.status) > badness(r.status)
                        || (c.status == r.status && c.pass_fraction < r.pass_fraction);
                    if worse {
                        *r = c.clone();
                    }
                }
            }
        }
    }
    let mut debt: Vec<DebtItem> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = Default::default();
    for (a, e) in apps {
        for d in &e.debt {
            let i = *seen.entry(d.fingerprint.clone()).or_insert_with(|| {
                debt.push(d.clone());
                debt.len() - 1
            });
            debt[i].apps.push(SafeText::new(&a.root));
        }
    }
    sort_debt(&mut debt);
    let mut suppressions: Vec<Suppression> = Vec::new();
    let mut unused_allows: Vec<Warning> = Vec::new();
    for (_, e) in apps {
        for s in &e.suppressions {
            if !suppressions
                .iter()
                .any(|x| x.path == s.path && x.line == s.line && x.rule == s.rule)
            {
                suppressions.push(s.clone());
            }
        }
        unused_allows.extend(e.unused_allows.iter().cloned());
    }
    let w = weakest(apps);
    let score = w.and_then(|i| apps[i].1.score);
    let lowest = apps
        .iter()
        .min_by_key(|(_, e)| (e.level.current, e.score))
        .map(|(_, e)| e.level.clone())
        .unwrap_or_else(|| level(&[]));
    let signoff = GATES
        .iter()
        .map(|(gate, _)| {
            let of: Vec<&Gate> = apps
                .iter()
                .filter_map(|(_, e)| e.signoff.iter().find(|g| g.gate == *gate))
                .collect();
            let status = of
                .iter()
                .map(|g| g.status)
                .max_by_key(|s| match s {
                    GateStatus::Fail => 2,
                    GateStatus::Unknown => 1,
                    GateStatus::Pass => 0,
                })
                .unwrap_or(GateStatus::Unknown);
            let reason = apps
                .iter()
                .filter_map(|(a, e)| {
                    let g = e.signoff.iter().find(|g| g.gate == *gate)?;
                    (g.status != GateStatus::Pass).then(|| format!("{}: {}", a.root, g.reason))
                })
                .collect::<Vec<_>>()
                .join("; ");
            Gate {
                gate,
                passed: status == GateStatus::Pass,
                status,
                reason: if reason.is_empty() {
                    "passes for every app".into()
                } else {
                    reason.into()
                },
            }
        })
        .collect();
    let pillars = Pillar::ALL
        .iter()
        .map(|p| {
            let of: Vec<&Check> = checks.iter().filter(|c| c.pillar == p.id()).collect();
            PillarScore {
                id: p.id(),
                score: weighted_score(of.iter().copied()),
                evaluated: of.iter().filter(|c| c.status.evaluated()).count(),
                total: of.len(),
            }
        })
        .collect();
    let coverage = coverage_block(&checks, config, false);
    // The weakest app's way to the target is the repository's first step;
    // every app below it must get there.
    // Every app must reach the target: the roll-up's fixes are each app's
    // cheapest set, and the score after them is the lowest app's then.
    let target = fail_under.map(|t| {
        let mut fixes = Vec::new();
        let mut efforts = Vec::new();
        let mut after: Option<u32> = None;
        let mut all_met = true;
        for (a, e) in apps {
            let Some(tg) = &e.target else { continue };
            let app_after = if tg.met { e.score } else { tg.score_after };
            after = match (after, app_after) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            if tg.met {
                continue;
            }
            all_met = false;
            for f in &tg.fixes {
                fixes.push(format!("{}: {f}", a.root));
                efforts.extend(e.checks.iter().filter(|c| c.id == *f).map(|c| c.effort));
            }
        }
        crate::plan::Target {
            fail_under: t as u32,
            met: all_met && score.is_some(),
            fixes,
            effort: efforts.iter().map(|e| *e as u32).sum(),
            effort_text: crate::plan::total_effort_words(efforts.iter().copied()),
            score_after: after,
        }
    });
    Evaluation {
        score,
        unscored: score
            .is_none()
            .then(|| "no app could be scored".to_string()),
        level: lowest,
        coverage,
        pillars,
        checks,
        debt,
        signoff,
        target,
        suppressions,
        unused_allows,
    }
}

fn unscore(e: &mut Evaluation, why: String) {
    e.score = None;
    e.unscored = Some(why);
    for p in &mut e.pillars {
        p.score = None;
    }
    e.level = Level {
        current: 0,
        name: LEVEL_NAMES[0],
        next: None,
    };
    e.coverage.percent = None;
    e.target = e
        .target
        .as_ref()
        .map(|t| crate::plan::target(&e.checks, None, t.fail_under));
}

fn sort_debt(debt: &mut [DebtItem]) {
    debt.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.week.cmp(&b.week))
            .then(a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
    });
}

fn coverage_block(checks: &[Check], config: &Config, unscored: bool) -> Coverage {
    let evaluated = checks.iter().filter(|c| c.status.evaluated()).count();
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    Coverage {
        evaluated,
        skipped: checks.len() - evaluated,
        not_applicable: count(Status::NotApplicable),
        unknown: count(Status::Unknown),
        pending: rules::CATALOGUE
            .iter()
            .copied()
            .filter(|id| rules::find(id).is_none() && config.enabled(id))
            .collect(),
        total: rules::CATALOGUE
            .iter()
            .filter(|id| config.enabled(id))
            .count(),
        // Nothing is scored, so the score rests on nothing.
        percent: if unscored {
            None
        } else {
            coverage_percent(checks)
        },
    }
}

/// Evaluate one app's facts: rules, checks, debt, score, level, gates.
fn evaluate_app(
    facts: &Facts,
    config: &Config,
    fail_under: Option<u8>,
    hotspots: &mut [crate::pressure::Hotspot],
) -> Evaluation {
    let (results, suppressions, unused_allows) = evaluate(facts, config);
    let mut checks = Vec::new();
    let mut debt = Vec::new();
    for (rule, outcome) in &results {
        let meta = &rule.meta;
        let (impact, risk, effort) = config.scores(meta);
        for f in &outcome.findings {
            let scope = f
                .location
                .as_ref()
                .and_then(|l| facts.scope_of(&l.path))
                .map(|s| s.0);
            // A site outside the rule's scopes is not its business (a
            // browser bundle's call is not a server rule's failing site).
            if scope.is_some_and(|s| !meta.scopes.contains(&s)) {
                continue;
            }
            let risk = f.risk.unwrap_or(risk);
            debt.push(DebtItem {
                apps: Vec::new(),
                rule: meta.id.clone(),
                path: f.location.as_ref().map(|l| SafeText::new(&l.path)),
                line: f.location.as_ref().map(|l| l.line),
                message: f.message.clone().into(),
                remediation: f.fix.clone().unwrap_or_else(|| meta.fix.clone()).into(),
                impact,
                risk,
                effort,
                priority: priority(impact, risk, effort),
                week: meta.week,
                scope,
                fingerprint: String::new(),
                hotspot: None,
                anchor: f
                    .location
                    .is_none()
                    .then(|| SafeText::new(&anchor(&meta.id, facts))),
            });
        }
        checks.push(Check {
            id: meta.id.clone(),
            pillar: meta.pillar.id(),
            title: meta.title.clone(),
            status: outcome.status,
            impact,
            risk,
            effort,
            priority: priority(impact, risk, effort),
            week: meta.week,
            pass_fraction: (outcome.pass_fraction() * 1000.0).round() / 1000.0,
            skip_reason: outcome.reason.as_deref().map(SafeText::new),
            evidence: outcome.evidence.clone(),
        });
    }
    fingerprint(&mut debt);
    // Debt in a churn hotspot is riskier: it sits where changes happen.
    for d in debt.iter_mut() {
        if let Some(h) = hotspots
            .iter_mut()
            .find(|h| Some(&h.path) == d.path.as_ref())
        {
            if !h.debt.contains(&d.rule) {
                h.debt.push(d.rule.clone());
            }
            d.hotspot = Some(h.changes);
            d.risk = (d.risk + 1).min(5);
            d.priority = priority(d.impact, d.risk, d.effort);
        }
    }
    sort_debt(&mut debt);
    let score = weighted_score(checks.iter());
    let pillars: Vec<PillarScore> = Pillar::ALL
        .iter()
        .map(|p| {
            let of: Vec<&Check> = checks.iter().filter(|c| c.pillar == p.id()).collect();
            PillarScore {
                id: p.id(),
                score: weighted_score(of.iter().copied()),
                evaluated: of.iter().filter(|c| c.status.evaluated()).count(),
                total: of.len(),
            }
        })
        .collect();
    // No app, no score: a scored app of which no check could be evaluated
    // has nothing to rest a number on.
    let mut e = Evaluation {
        score,
        unscored: None,
        level: level(&checks),
        coverage: coverage_block(&checks, config, false),
        pillars,
        signoff: signoff(&checks),
        target: fail_under.map(|t| crate::plan::target(&checks, score, t as u32)),
        checks,
        debt,
        suppressions,
        unused_allows,
    };
    if score.is_none() {
        unscore(
            &mut e,
            "no check could be evaluated (all are not applicable or unknown)".into(),
        );
    }
    e
}

/// Why the scanned root holds no app, if it holds none: no production
/// source code in a language graduate reads and no dependency manifest
/// (parsed or not). Docs, CI files or a lone Dockerfile are not an app.
pub(crate) fn no_app(facts: &Facts) -> Option<String> {
    if facts.has_source() || !facts.manifests.is_empty() || !facts.unparsed_manifests.is_empty() {
        return None;
    }
    Some(if facts.files.is_empty() {
        "no app found: the folder holds no files".to_string()
    } else {
        format!(
            "no app found: {} file(s), but no source code in a language graduate reads \
             (JavaScript, TypeScript, Python, Go, Rust) and no dependency manifest",
            facts.files.len()
        )
    })
}

/// Files per scope, and the source files whose code was left out of the
/// service's facts (the inventory behind every code rule).
fn scope_counts(facts: &Facts) -> Vec<crate::report::ScopeCount> {
    let mut files: std::collections::BTreeMap<crate::inventory::Scope, usize> = Default::default();
    for f in &facts.files {
        *files.entry(f.scope).or_default() += 1;
    }
    files
        .into_iter()
        .map(|(scope, n)| crate::report::ScopeCount {
            scope,
            files: n,
            code_left_out: facts.scoped_out.get(&scope).copied().unwrap_or(0),
        })
        .collect()
}

/// Fingerprints that survive line shifts: the same rule, file and message,
/// numbered by order of appearance when a file holds several alike.
fn fingerprint(debt: &mut [DebtItem]) {
    use sha2::{Digest, Sha256};
    let mut seen: std::collections::HashMap<(String, Option<SafeText>, SafeText), usize> =
        std::collections::HashMap::new();
    for d in debt.iter_mut() {
        let n = seen
            .entry((d.rule.clone(), d.path.clone(), d.message.clone()))
            .or_insert(0);
        let digest = Sha256::digest(format!(
            "{}\0{}\0{}\0{}",
            d.rule,
            d.path.as_deref().unwrap_or(""),
            d.message,
            n
        ));
        *n += 1;
        d.fingerprint = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    }
}

/// Where a missing practice should be fixed: the CI directory for CI rules,
/// otherwise the app's manifest, otherwise its README.
fn anchor(rule: &str, facts: &Facts) -> String {
    if (rule.starts_with("ci-") || rule == "coverage-threshold")
        && let Some(p) = facts.pipelines.first()
    {
        return p.path.clone();
    }
    facts
        .manifests
        .first()
        .map(|m| m.path.clone())
        .or_else(|| {
            facts
                .files
                .iter()
                .find(|f| f.path.eq_ignore_ascii_case("README.md"))
                .map(|f| f.path.clone())
        })
        .unwrap_or_else(|| "README.md".to_string())
}

fn weighted_score<'a>(checks: impl Iterator<Item = &'a Check>) -> Option<u32> {
    let (mut got, mut total) = (0.0, 0.0);
    for c in checks.filter(|c| c.status.evaluated()) {
        let w = c.impact as f64 * c.risk as f64;
        got += w * c.pass_fraction;
        total += w;
    }
    (total > 0.0).then(|| (100.0 * got / total).round() as u32)
}

/// The evaluated share of the weight of the checks that apply, in percent.
fn coverage_percent(checks: &[Check]) -> Option<u32> {
    let weight = |c: &&Check| c.impact as f64 * c.risk as f64;
    let applies: f64 = checks
        .iter()
        .filter(|c| c.status != Status::NotApplicable)
        .map(|c| weight(&c))
        .sum();
    let evaluated: f64 = checks
        .iter()
        .filter(|c| c.status.evaluated())
        .map(|c| weight(&c))
        .sum();
    (applies > 0.0).then(|| (100.0 * evaluated / applies).round() as u32)
}

/// A check that holds the app below the level after its week: failing, or
/// unknown (an unknown never raises a level).
fn blocks(c: &Check) -> bool {
    matches!(c.status, Status::Fail | Status::Unknown)
}

fn level(checks: &[Check]) -> Level {
    let current = checks
        .iter()
        .filter(|c| blocks(c))
        .map(|c| c.week)
        .min()
        .unwrap_or(5);
    let next = (current < 5).then(|| {
        let fixes = crate::plan::in_order(
            checks
                .iter()
                .filter(|c| c.status == Status::Fail && c.week == current)
                .collect(),
        );
        NextLevel {
            level: current + 1,
            name: LEVEL_NAMES[current as usize + 1],
            effort: fixes.iter().map(|c| c.effort as u32).sum(),
            effort_text: crate::plan::total_effort_words(fixes.iter().map(|c| c.effort)),
            fixes: fixes.iter().map(|c| c.id.clone()).collect(),
            unknown: checks
                .iter()
                .filter(|c| c.status == Status::Unknown && c.week == current)
                .map(|c| c.id.clone())
                .collect(),
        }
    });
    Level {
        current,
        name: LEVEL_NAMES[current as usize],
        next,
    }
}

fn signoff(checks: &[Check]) -> Vec<Gate> {
    GATES
        .iter()
        .map(|(gate, members)| {
            let mut failed = Vec::new();
            let mut unknown = Vec::new();
            for id in *members {
                match checks.iter().find(|c| c.id == *id) {
                    Some(c) if c.status == Status::Pass => {}
                    Some(c) if c.status == Status::Fail => failed.push(*id),
                    Some(c) => unknown.push(format!("{id} {}", c.status.id())),
                    None => unknown.push(format!("{id} not evaluated")),
                }
            }
            let (status, reason) = if !failed.is_empty() {
                (GateStatus::Fail, format!("failing: {}", failed.join(", ")))
            } else if !unknown.is_empty() {
                (GateStatus::Unknown, unknown.join(", "))
            } else {
                (GateStatus::Pass, format!("passing: {}", members.join(", ")))
            };
            Gate {
                gate,
                passed: status == GateStatus::Pass,
                status,
                reason: reason.into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, status: Status, impact: u8, risk: u8, week: u8, fraction: f64) -> Check {
        Check {
            id: id.into(),
            pillar: "testing",
            title: String::new(),
            status,
            impact,
            risk,
            effort: 2,
            priority: priority(impact, risk, 2),
            week,
            pass_fraction: fraction,
            skip_reason: None,
            evidence: vec![],
        }
    }

    #[test]
    fn priority_turns_effort_into_ease() {
        assert_eq!(priority(5, 5, 1), 125);
        assert_eq!(priority(1, 1, 5), 1);
        assert_eq!(priority(4, 3, 2), 48);
    }

    #[test]
    fn skipped_checks_leave_the_score_alone() {
        let a = [
            check("a", Status::Pass, 5, 5, 0, 1.0),
            check("b", Status::Fail, 5, 5, 1, 0.5),
        ];
        assert_eq!(weighted_score(a.iter()), Some(75));
        let mut b = a.to_vec();
        b.push(check("c", Status::NotApplicable, 5, 5, 1, 0.0));
        b.push(check("d", Status::Unknown, 5, 5, 1, 0.0));
        assert_eq!(weighted_score(b.iter()), Some(75));
        assert_eq!(weighted_score([].iter()), None);
    }

    #[test]
    fn level_is_first_failing_week() {
        let checks = [
            check("a", Status::Pass, 5, 5, 0, 1.0),
            check("b", Status::Fail, 5, 5, 2, 0.0),
            check("c", Status::Fail, 5, 5, 3, 0.0),
        ];
        let l = level(&checks);
        assert_eq!(l.current, 2);
        assert_eq!(l.next.unwrap().fixes, vec!["b"]);
        assert_eq!(level(&checks[..1]).current, 5);
    }

    #[test]
    fn gates_unknown_when_not_evaluated() {
        let g = signoff(&[check("otel-tracing", Status::Pass, 4, 3, 2, 1.0)]);
        let otel = g.iter().find(|g| g.gate == "otel-traces").unwrap();
        assert!(otel.passed);
        let slo = g.iter().find(|g| g.gate == "slo-error-budget").unwrap();
        assert_eq!(slo.status, GateStatus::Unknown);
        assert!(!slo.passed);
    }

    /// A gate member that is unknown or not applicable is not passed: the
    /// gate is unknown, whatever the other member says.
    #[test]
    fn gates_pass_only_on_evaluated_passes() {
        for other in [Status::Unknown, Status::NotApplicable] {
            let g = signoff(&[
                check("health-endpoint", other, 4, 4, 0, 0.0),
                check("deploy-health-probe", Status::Pass, 4, 4, 0, 1.0),
            ]);
            let health = g.iter().find(|g| g.gate == "health-and-uptime").unwrap();
            assert_eq!(health.status, GateStatus::Unknown, "{other:?}");
            assert!(!health.passed);
            assert!(
                health.reason.contains("health-endpoint"),
                "{}",
                health.reason
            );
        }
        let g = signoff(&[
            check("health-endpoint", Status::Unknown, 4, 4, 0, 0.0),
            check("deploy-health-probe", Status::Fail, 4, 4, 0, 0.0),
        ]);
        let health = g.iter().find(|g| g.gate == "health-and-uptime").unwrap();
        assert_eq!(health.status, GateStatus::Fail);
    }

    /// An unknown check holds the level like a failing one, so it can never
    /// raise a level; a not-applicable one neither helps nor blocks.
    #[test]
    fn unknowns_never_raise_a_level() {
        let mut checks = vec![
            check("a", Status::Pass, 5, 5, 0, 1.0),
            check("b", Status::Fail, 5, 5, 2, 0.0),
        ];
        assert_eq!(level(&checks).current, 2);
        checks.push(check("c", Status::Unknown, 5, 5, 1, 0.0));
        let l = level(&checks);
        assert_eq!(l.current, 1);
        let next = l.next.unwrap();
        assert!(next.fixes.is_empty());
        assert_eq!(next.unknown, vec!["c"]);
        checks.pop();
        checks.push(check("c", Status::NotApplicable, 5, 5, 1, 0.0));
        assert_eq!(level(&checks).current, 2);
    }

    #[test]
    fn coverage_is_the_evaluated_share_of_the_weight_that_applies() {
        let checks = [
            check("a", Status::Pass, 5, 5, 0, 1.0),
            check("b", Status::Fail, 5, 3, 1, 0.0),
            check("c", Status::Unknown, 2, 5, 1, 0.0),
            check("d", Status::NotApplicable, 5, 5, 3, 0.0),
        ];
        // (25 + 15) of (25 + 15 + 10) = 80%; the not-applicable one is out.
        assert_eq!(coverage_percent(&checks), Some(80));
        assert_eq!(coverage_percent(&checks[3..]), None);
        assert_eq!(coverage_percent(&checks[..2]), Some(100));
    }

    /// No app, no score: facts with no source and no manifest give a null
    /// score and grade, level 0 with no next step, no app and no pillar
    /// scores; one manifest is enough to be scored.
    #[test]
    fn no_app_no_score() {
        let config = Config::default();
        let r = build(
            ".".into(),
            None,
            0,
            &Facts::default(),
            crate::apps::discover(&Facts::default()),
            &config,
            Default::default(),
            Some(10),
        );
        assert_eq!(r.score, None);
        assert_eq!(r.grade, None);
        assert!(r.unscored.as_deref().unwrap().starts_with("no app found"));
        assert_eq!(r.level.current, 0);
        assert!(r.level.next.is_none());
        assert!(r.apps.is_empty());
        assert!(r.pillars.iter().all(|p| p.score.is_none()));
        let target = r.target.unwrap();
        assert!(!target.met);
        assert!(target.fixes.is_empty());
        let mut facts = Facts::default();
        facts.manifests.push(
            crate::facts::manifests::parse(
                "go.mod",
                crate::inventory::ManifestKind::GoMod,
                "module x\n",
            )
            .unwrap(),
        );
        let r = build(
            ".".into(),
            None,
            0,
            &facts,
            crate::apps::discover(&facts),
            &config,
            Default::default(),
            None,
        );
        assert!(r.score.is_some());
        assert!(r.unscored.is_none());
        assert_eq!(r.apps.len(), 1);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(100), "A");
        assert_eq!(grade(75), "B");
        assert_eq!(grade(39), "F");
    }
}
