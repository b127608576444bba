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
use crate::facts::Facts;
use crate::in_order::in_order;
use crate::report::{
    AppSummary, Check, Coverage, DebtItem, Gate, GateStatus, Level, NextLevel, PillarScore, Report,
    SCHEMA_VERSION, Suppression, Tool,
};
use crate::rules::{self, Evidence, Outcome, Pillar, Status};
use crate::safe_text::SafeText;
use crate::waivers::{
    Scope as WaiverScope, Source as WaiverSource, Status as WaiverStatus, Waiver, WaiverEffect,
    WaiverEntry,
};
use crate::walk::WalkStats;
// The maps below are never iterated, so their order cannot reach the report;
// a monorepo's roll-up makes hundreds of thousands of lookups in them, where
// SipHash (the std default) cost more than the lookups themselves. Their keys
// hold the repository's paths and messages (fingerprints, evidence), so the
// hash is seeded per process (foldhash): an unseeded one (FxHash) would let a
// hostile tree choose colliding keys and make every insert linear.
use foldhash::{HashMap, HashSet};

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

/// The rules' outcomes with and without the waivers, and the waivers.
pub struct Evaluation {
    /// Outcomes with the waivers in force applied (`waiver-hygiene`
    /// included); rules a `disable` in force turns off are left out.
    pub waived: Vec<(&'static rules::Rule, Outcome)>,
    /// Every rule's outcome as if nothing were waived (`--no-waivers`).
    /// Empty when no waiver is declared: the outcomes are then `waived`'s
    /// but for `waiver-hygiene`'s ([`Evaluation::without_waivers`]).
    pub unwaived: Vec<(&'static rules::Rule, Outcome)>,
    /// The findings the waivers in force hide.
    pub suppressions: Vec<Suppression>,
    pub waivers: Vec<WaiverEntry>,
}

const HYGIENE: &str = "waiver-hygiene";

/// `waiver-hygiene`'s outcome when the waivers are not applied.
const NOT_APPLIED: &str = "--no-waivers: waivers are not applied";

impl Evaluation {
    /// The outcomes as if nothing were waived: `unwaived`, or when no waiver
    /// is declared (`unwaived` is empty), `waived` with `waiver-hygiene` not
    /// applicable, as `unwaived` would hold it.
    fn without_waivers(
        waived: Vec<(&'static rules::Rule, Outcome)>,
        unwaived: Vec<(&'static rules::Rule, Outcome)>,
    ) -> Vec<(&'static rules::Rule, Outcome)> {
        if !unwaived.is_empty() {
            return unwaived;
        }
        waived
            .into_iter()
            .map(|(rule, outcome)| {
                if rule.meta.id == HYGIENE {
                    (rule, Outcome::not_applicable(NOT_APPLIED))
                } else {
                    (rule, outcome)
                }
            })
            .collect()
    }
}

/// Run every rule on the facts, give each finding its identity, then apply
/// the waivers (docs/waivers.md): a waiver in force hides what it covers, an
/// expired one hides nothing and marks what it would have hidden, and every
/// waiver's problems become `waiver-hygiene` findings. `today` is the scan
/// date, `YYYY-MM-DD`.
pub fn evaluate(facts: &Facts, config: &Config, today: &str) -> Evaluation {
    evaluate_with(facts, config, today, &[], RULE_THREADS)
}

/// [`evaluate`] for one app of several: a waiver that matches nothing in
/// this app but is used by another (`used_elsewhere`, by path and line) is
/// not unused (a config waiver for `services/web/**` is no problem of the
/// API's).
fn evaluate_with(
    facts: &Facts,
    config: &Config,
    today: &str,
    used_elsewhere: &[(String, u32)],
    threads: usize,
) -> Evaluation {
    // Rules are independent reads of the facts: a lone app runs them on two
    // threads (a large monorepo spends real time in the per-manifest rules);
    // apps scored side by side run theirs on their own thread.
    let runnable: Vec<&'static rules::Rule> = rules::all()
        .iter()
        .filter(|r| r.meta.id != HYGIENE)
        .collect();
    let mut outcomes: Vec<Outcome> = in_order(&runnable, threads, |r| r.run(facts));
    let mut unwaived: Vec<(&'static rules::Rule, Outcome)> = runnable
        .iter()
        .copied()
        .zip(outcomes.drain(..))
        .map(|(rule, mut outcome)| {
            identify(&rule.meta.id, &mut outcome.findings, facts);
            (rule, outcome)
        })
        .collect();
    let declared = declared_waivers(facts, config);
    let known = |w: &Waiver| rules::CATALOGUE.contains(&w.rule.as_str());
    let expired: Vec<bool> = declared.iter().map(|w| w.expired(today)).collect();
    let mut hides = vec![0usize; declared.len()];
    let mut used = vec![false; declared.len()];
    let mut suppressions = Vec::new();
    let mut waived = Vec::new();
    // Nothing can cover a finding when no waiver is declared (most scans,
    // and every app of a monorepo without waivers): the outcomes are the
    // same with the waivers, and are moved, not copied with every finding
    // and piece of evidence (`unwaived` is left empty; see its doc).
    let none_declared = declared.is_empty();
    if none_declared {
        waived = std::mem::take(&mut unwaived);
    }
    for (rule, raw) in &unwaived {
        let id = rule.meta.id.as_str();
        let (impact, risk, effort) = config.scores(&rule.meta);
        let suppress = |f: &rules::Finding, w: &Waiver| {
            let loc = f.location.as_ref()?;
            Some(Suppression {
                rule: id.into(),
                path: loc.path.clone().into(),
                line: loc.line,
                message: f.message.clone().into(),
                reason: w
                    .reason
                    .clone()
                    .unwrap_or_else(|| "(no reason given)".into())
                    .into(),
                kind: w.source,
                owner: w.owner.as_deref().map(SafeText::new),
                expires: w.expires.as_deref().map(SafeText::new),
                waiver: format!("{}:{}", w.path, w.line).into(),
                fingerprint: f
                    .identity
                    .as_ref()
                    .map(|i| i.fingerprint.clone())
                    .unwrap_or_default(),
                priority: priority(impact, f.risk.unwrap_or(risk), effort),
            })
        };
        let disabled_by = declared
            .iter()
            .enumerate()
            .filter(|(_, w)| w.disables() && w.rule == id)
            .map(|(i, _)| i)
            .collect::<Vec<_>>();
        if let Some(&i) = disabled_by.iter().find(|i| !expired[**i]) {
            hides[i] += raw.findings.len();
            used[i] = matches!(raw.status, Status::Fail | Status::Unknown);
            suppressions.extend(
                raw.findings
                    .iter()
                    .filter_map(|f| suppress(f, &declared[i])),
            );
            continue;
        }
        let mut outcome = raw.clone();
        let before = outcome.findings.len();
        let mut kept = Vec::new();
        for mut f in std::mem::take(&mut outcome.findings) {
            let loc = f.location.as_ref().map(|l| (l.path.as_str(), l.line));
            let mut fps: Vec<&str> = Vec::new();
            if let Some(i) = &f.identity {
                fps.push(&i.fingerprint);
                fps.push(&i.content);
            }
            if let Some(secret) = &f.fingerprint {
                fps.push(secret);
            }
            let covering: Vec<usize> = declared
                .iter()
                .enumerate()
                .filter(|(_, w)| !w.disables() && w.covers(id, loc, &fps))
                .map(|(i, _)| i)
                .collect();
            match covering.iter().find(|i| !expired[**i]) {
                Some(&i) => {
                    hides[i] += 1;
                    used[i] = true;
                    suppressions.extend(suppress(&f, &declared[i]));
                }
                None => {
                    if let Some(&i) = covering.first() {
                        f.waiver_note = Some(lapsed(&declared[i]));
                    }
                    kept.push(f);
                }
            }
        }
        // A `disable` past its date: the rule is back, and says why.
        if let Some(&i) = disabled_by.first() {
            for f in &mut kept {
                f.waiver_note.get_or_insert_with(|| lapsed(&declared[i]));
            }
        }
        outcome.findings = kept;
        let suppressed = before - outcome.findings.len();
        if suppressed > 0 {
            if let Some(clean) = outcome.clean_sites.as_mut() {
                *clean += suppressed;
            }
            if outcome.findings.is_empty() {
                outcome.status = Status::Pass;
            }
        }
        waived.push((*rule, outcome));
    }
    let waivers: Vec<WaiverEntry> = declared
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let mut problems: Vec<SafeText> = Vec::new();
            let status = if !known(w) {
                problems.push(
                    match crate::catalogue::closest_id(&w.rule) {
                        Some(id) => format!("unknown rule `{}` (did you mean `{id}`?)", w.rule),
                        None => format!("unknown rule `{}`", w.rule),
                    }
                    .into(),
                );
                WaiverStatus::UnknownRule
            } else if expired[i] {
                problems.push(
                    format!(
                        "expired {}: what it hid is reported again",
                        w.expires.as_deref().unwrap_or("")
                    )
                    .into(),
                );
                WaiverStatus::Expired
            } else if !used[i]
                && !used_elsewhere
                    .iter()
                    .any(|(p, l)| *p == w.path && *l == w.line)
            {
                problems.push(if w.disables() {
                    "turns off a rule that has nothing to report".into()
                } else {
                    "matches no finding".into()
                });
                WaiverStatus::Unused
            } else {
                WaiverStatus::Active
            };
            if w.reason.is_none() {
                problems.insert(0, "no reason given".into());
            }
            WaiverEntry {
                rule: w.rule.as_str().into(),
                source: w.source,
                path: w.path.as_str().into(),
                line: w.line,
                scope: w.scope.describe().into(),
                reason: w.reason.as_deref().map(SafeText::new),
                owner: w.owner.as_deref().map(SafeText::new),
                expires: w.expires.as_deref().map(SafeText::new),
                created: None,
                status,
                hides: hides[i],
                problems,
            }
        })
        .collect();
    if let Some(hygiene) = rules::find(HYGIENE) {
        let mut outcome = rules::judge_waivers(&waivers);
        identify(HYGIENE, &mut outcome.findings, facts);
        waived.push((hygiene, outcome));
        if !none_declared {
            unwaived.push((hygiene, Outcome::not_applicable(NOT_APPLIED)));
        }
    }
    Evaluation {
        waived,
        unwaived,
        suppressions,
        waivers,
    }
}

/// "waiver expired 2020-01-01 (src/a.go:3)".
fn lapsed(w: &Waiver) -> String {
    let what = if w.source == WaiverSource::Disable {
        "`disable`"
    } else {
        "waiver"
    };
    format!(
        "{what} expired {} ({}:{})",
        w.expires.as_deref().unwrap_or("?"),
        w.path,
        w.line
    )
}

/// The configuration's waivers, then the inline ones in path order.
fn declared_waivers(facts: &Facts, config: &Config) -> Vec<Waiver> {
    let mut out = config.waivers();
    out.extend(facts.allows.iter().map(|a| Waiver {
        rule: a.rule.clone(),
        scope: WaiverScope::Site {
            path: a.location.path.clone(),
            line: a.location.line,
        },
        reason: a.reason.clone(),
        owner: a.owner.clone(),
        expires: a.expires.clone(),
        source: WaiverSource::Inline,
        path: a.location.path.clone(),
        line: a.location.line,
    }));
    out
}

/// Content fingerprints (docs/report-format.md): rule, path, the enclosing
/// code's hash (the message without its digits where the site's code is not
/// known, as for a missing practice: "3 outbound call(s), no retry policy"
/// stays the same finding when a fourth call is added) and the occurrence
/// among findings alike; and the same without the path, which finds a
/// finding again after a rename.
fn identify(rule: &str, findings: &mut [rules::Finding], facts: &Facts) {
    // Worked out over the borrowed findings, then stored: a key borrows the
    // finding's path instead of copying it.
    let identities: Vec<rules::Identity> = {
        // Keyed by the repository's paths and messages: seeded foldhash, as
        // hostile input must not choose colliding keys (FxHash is fixed).
        let mut seen: foldhash::HashMap<(&str, String), usize> = Default::default();
        findings
            .iter()
            .map(|f| {
                let context = match f.location.as_ref().and_then(|l| facts.context(l)) {
                    Some(h) => format!("c{h:016x}"),
                    None => {
                        // The message without its ASCII digits, copied a run
                        // at a time between them (a digit is one byte and a
                        // character boundary), not character by character.
                        let mut m = String::with_capacity(f.message.len() + 1);
                        m.push('m');
                        let mut rest = f.message.as_str();
                        while let Some(i) = rest.bytes().position(|b| b.is_ascii_digit()) {
                            m.push_str(&rest[..i]);
                            rest = &rest[i + 1..];
                        }
                        m.push_str(rest);
                        m
                    }
                };
                let path = f.location.as_ref().map_or("", |l| l.path.as_str());
                let key = (path, context);
                let n = seen.get(&key).copied().unwrap_or(0);
                let context = key.1.as_str();
                let nth = n.to_string();
                let identity = rules::Identity {
                    fingerprint: short_hash(&["2", rule, path, context, &nth]),
                    content: short_hash(&["2", rule, context, &nth]),
                };
                seen.insert(key, n + 1);
                identity
            })
            .collect()
    };
    for (f, identity) in findings.iter_mut().zip(identities) {
        f.identity = Some(identity);
    }
}

/// 8 bytes of SHA-256 in hex, the length every report shows, of the parts
/// joined by NUL bytes (fed to the hash one by one: a finding's message can
/// be long, and it was copied into a joined string for each hash).
fn short_hash(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"\0");
        }
        hasher.update(part.as_bytes());
    }
    let mut out = String::with_capacity(16);
    for b in &hasher.finalize()[..8] {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
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
struct AppEval {
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
    /// The score with the waivers in force and as if nothing were waived.
    score_with: Option<u32>,
    score_without: Option<u32>,
    waivers: Vec<WaiverEntry>,
    /// The rules this app has debt of in each churn hotspot (by index), in
    /// the order found; the pressure's hotspots list them once scoring ends.
    hotspot_debt: Vec<HotspotMark>,
    /// The app's root, name and signals as the report shows them.
    texts: AppTexts,
}

/// An app's own texts, cleaned where the app is scored: cleaned one by one
/// after the scoring, a thousand apps' roots and signals were 9 ms of
/// serial time (each is new text: the cleaning memo cannot help).
#[derive(Default)]
struct AppTexts {
    root: SafeText,
    name: SafeText,
    signals: Vec<SafeText>,
}

impl AppTexts {
    fn of(app: &AppInput) -> Self {
        AppTexts {
            root: SafeText::new(&app.root),
            name: SafeText::new(&app.name),
            signals: app.signals.iter().map(|s| SafeText::new(s)).collect(),
        }
    }
}

/// A churn hotspot (its index in the pressure's list) and a rule with debt
/// in that file.
type HotspotMark = (usize, String);

/// Threads for one app's rules; apps scored side by side get one each.
const RULE_THREADS: usize = 2;

/// Build the report. `facts` are the whole repository's; each app of `apps`
/// is scored on its own facts, and with several apps the top-level fields
/// roll them up (docs/scoring.md, "Roll-up"). `fail_under` is the target
/// score the run holds the apps to, if any: the report says how to reach it.
/// `threads` (at least 1) score apps side by side, or split one app's rules.
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
    apply_waivers: bool,
    threads: usize,
) -> Report {
    let threads = threads.max(1);
    let scanned_at = crate::report::timestamp::rfc3339(now);
    let today = &scanned_at[..10];
    let mut pressure = crate::pressure::evaluate(facts, &facts.history, &config.pressure, now);
    // Apps are scored side by side, each on its own thread's share: on a
    // monorepo of a thousand apps this is most of the work after the walk.
    // What an app's debt adds to the churn hotspots is applied afterwards,
    // in app order, so the report does not depend on the threads.
    let rule_threads = if apps.apps.len() > 1 {
        1
    } else {
        RULE_THREADS.min(threads)
    };
    let score_all = |inputs: &[&AppInput], used: &[(String, u32)]| {
        in_order(inputs, threads, |app| AppEval {
            texts: AppTexts::of(app),
            ..evaluate_app(
                app.facts.as_ref().unwrap_or(facts),
                config,
                fail_under,
                &pressure.hotspots,
                today,
                apply_waivers,
                used,
                rule_threads,
            )
        })
    };
    let inputs: Vec<&AppInput> = apps.apps.iter().collect();
    let mut evaluations = score_all(&inputs, &[]);
    let mut marks: Vec<HotspotMark> = evaluations
        .iter_mut()
        .flat_map(|e| std::mem::take(&mut e.hotspot_debt))
        .collect();
    // A waiver one app uses is not unused in another: evaluate again the
    // apps that call it unused (only config waivers can span apps).
    if evaluations.len() > 1 {
        let used: Vec<(String, u32)> = evaluations
            .iter()
            .flat_map(|e| &e.waivers)
            .filter(|w| w.status != WaiverStatus::Unused)
            .map(|w| (w.path.to_string(), w.line))
            .collect();
        let stale: Vec<usize> = evaluations
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.waivers.iter().any(|w| {
                    w.status == WaiverStatus::Unused
                        && used.iter().any(|(p, l)| *p == *w.path && *l == w.line)
                })
            })
            .map(|(i, _)| i)
            .collect();
        let again: Vec<&AppInput> = stale.iter().map(|&i| inputs[i]).collect();
        for (i, mut e) in stale.into_iter().zip(score_all(&again, &used)) {
            marks.append(&mut e.hotspot_debt);
            evaluations[i] = e;
        }
    }
    let mut evaluated_apps: Vec<(AppInput, AppEval)> =
        apps.apps.into_iter().zip(evaluations).collect();
    // The apps' views are read no more. Freed one by one as the summaries
    // are made, a thousand views were serial time after the scoring; on a
    // thread of their own they go while the roll-up runs.
    let views: Vec<Facts> = evaluated_apps
        .iter_mut()
        .filter_map(|(a, _)| a.facts.take())
        .collect();
    let top = std::thread::scope(|s| {
        if threads > 1 && views.len() > 1 {
            s.spawn(move || drop(views));
        } else {
            drop(views);
        }
        match evaluated_apps.len() {
            // No app: the root is evaluated as before, and left unscored.
            0 => {
                let mut e = evaluate_app(
                    facts,
                    config,
                    fail_under,
                    &pressure.hotspots,
                    today,
                    apply_waivers,
                    &[],
                    RULE_THREADS,
                );
                marks.append(&mut e.hotspot_debt);
                let why = apps
                    .none_in
                    .clone()
                    .or_else(|| no_app(facts))
                    .unwrap_or_else(|| "no app found".to_string());
                unscore(&mut e, why);
                e
            }
            1 => clone_evaluation(&evaluated_apps[0].1),
            _ => roll_up(&evaluated_apps, fail_under, threads),
        }
    });
    for (h, rule) in marks {
        let debt = &mut pressure.hotspots[h].debt;
        if !debt.contains(&rule) {
            debt.push(rule);
        }
    }
    let rollup = (evaluated_apps.len() > 1).then(|| {
        let weakest = weakest(&evaluated_apps);
        crate::report::RollUp {
            apps: evaluated_apps.len(),
            rule: ROLLUP_RULE.to_string(),
            weakest: weakest.map(|i| evaluated_apps[i].1.texts.root.clone()),
        }
    });
    let app_summaries = evaluated_apps
        .drain(..)
        .map(|(app, e)| {
            let AppTexts {
                root,
                name,
                signals,
            } = e.texts;
            AppSummary {
                path: root.clone(),
                root,
                name,
                stack: app.stack,
                signals,
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
            }
        })
        .collect();
    let AppEval {
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
        score_with,
        score_without,
        waivers,
        hotspot_debt: _,
        texts: _,
    } = top;
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "graduate",
            version: env!("CARGO_PKG_VERSION"),
        },
        name: folder_name(&root).into(),
        root: root.into(),
        subfolder: None,
        commit,
        scanned_at: scanned_at.clone(),
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
        waiver_effect: (!waivers.is_empty()).then(|| WaiverEffect {
            score_with: score.and(score_with),
            score_without: score.and(score_without),
            active: waivers
                .iter()
                .filter(|w| {
                    w.hides > 0 && matches!(w.status, WaiverStatus::Active | WaiverStatus::Ignored)
                })
                .count(),
            ignored: !apply_waivers,
        }),
        waivers,
        gates: Vec::new(),
        warnings: facts.warnings.clone(),
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
fn weakest(apps: &[(AppInput, AppEval)]) -> Option<usize> {
    apps.iter()
        .enumerate()
        .filter(|(_, (_, e))| e.score.is_some())
        .min_by_key(|(_, (_, e))| (e.score, e.level.current))
        .map(|(i, _)| i)
}

fn clone_evaluation(e: &AppEval) -> AppEval {
    AppEval {
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
        score_with: e.score_with,
        score_without: e.score_without,
        waivers: e.waivers.clone(),
        hotspot_debt: Vec::new(),
        texts: AppTexts::default(),
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
/// `threads` above 1 merge the checks and the debt side by side.
fn roll_up(apps: &[(AppInput, AppEval)], fail_under: Option<u8>, threads: usize) -> AppEval {
    // The checks (with every app's evidence) and the debt are independent
    // merges of the same apps, each about half of the roll-up's time on
    // 1,250 apps, and the roll-up is serial: on two threads they run side
    // by side. Each is a pure function of `apps`, so the report is the
    // same whichever finishes first.
    let (checks, debt) = if threads > 1 {
        std::thread::scope(|s| {
            let debt = s.spawn(|| rolled_debt(apps));
            let checks = rolled_checks(apps);
            // A panic is a bug: it ends the run as it would on one thread.
            let debt = debt.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (checks, debt)
        })
    } else {
        (rolled_checks(apps), rolled_debt(apps))
    };
    let mut suppressions: Vec<Suppression> = Vec::new();
    let mut suppressed: HashSet<(&SafeText, u32, &SafeText)> = HashSet::default();
    for (_, e) in apps {
        for s in &e.suppressions {
            if suppressed.insert((&s.path, s.line, &s.rule)) {
                suppressions.push(s.clone());
            }
        }
    }
    // A waiver is evaluated with each app: it hides what it hides in all of
    // them, and is unused only when no app uses it.
    let mut waivers: Vec<WaiverEntry> = Vec::new();
    for (_, e) in apps {
        for w in &e.waivers {
            match waivers.iter_mut().find(|x| {
                x.rule == w.rule && x.path == w.path && x.line == w.line && x.scope == w.scope
            }) {
                None => waivers.push(w.clone()),
                Some(x) => {
                    x.hides += w.hides;
                    if x.status == WaiverStatus::Unused && w.status != WaiverStatus::Unused {
                        x.status = w.status;
                        x.problems = w.problems.clone();
                    }
                }
            }
        }
    }
    let lowest_of = |f: fn(&AppEval) -> Option<u32>| apps.iter().filter_map(|(_, e)| f(e)).min();
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
    let coverage = coverage_block(&checks, false);
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
    AppEval {
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
        score_with: lowest_of(|e| e.score_with),
        score_without: lowest_of(|e| e.score_without),
        waivers,
        hotspot_debt: Vec::new(),
        texts: AppTexts::default(),
    }
}

/// Every app's checks merged into the repository's: a check is as good as
/// its worst app, and holds every app's evidence once.
fn rolled_checks(apps: &[(AppInput, AppEval)]) -> Vec<Check> {
    // A thousand apps each bring the same checks and much the same
    // evidence: every merge below is a hash lookup, not a scan of what the
    // roll-up holds so far.
    let mut checks: Vec<Check> = Vec::new();
    let mut by_id: HashMap<&str, usize> = HashMap::default();
    let mut evidence_of: Vec<HashSet<&Evidence>> = Vec::new();
    // Each check's set is sized for every app's evidence up front: growing
    // it re-hashed everything it held (a third of the roll-up's time on
    // 1,250 apps).
    let mut evidence_total: HashMap<&str, usize> = HashMap::default();
    for (_, e) in apps {
        for c in &e.checks {
            *evidence_total.entry(c.id.as_str()).or_default() += c.evidence.len();
        }
    }
    for (_, e) in apps {
        for c in &e.checks {
            match by_id.get(c.id.as_str()) {
                None => {
                    by_id.insert(&c.id, checks.len());
                    let mut set = HashSet::with_capacity_and_hasher(
                        evidence_total.get(c.id.as_str()).copied().unwrap_or(0),
                        Default::default(),
                    );
                    set.extend(c.evidence.iter());
                    evidence_of.push(set);
                    checks.push(c.clone());
                }
                Some(&i) => {
                    let r = &mut checks[i];
                    let worse = badness(c.status) > badness(r.status)
                        || (c.status == r.status && c.pass_fraction < r.pass_fraction);
                    // The evidence is every app's: what proved or failed it
                    // anywhere stays visible.
                    let mut evidence = std::mem::take(&mut r.evidence);
                    for e in &c.evidence {
                        if evidence_of[i].insert(e) {
                            evidence.push(e.clone());
                        }
                    }
                    if worse {
                        *r = Check {
                            evidence: Vec::new(),
                            skip_reason: c.skip_reason.clone(),
                            id: c.id.clone(),
                            title: c.title.clone(),
                            ..*c
                        };
                    }
                    r.evidence = evidence;
                }
            }
        }
    }
    checks
}

/// Every app's debt once (by fingerprint), with the apps it is in, in
/// report order.
fn rolled_debt(apps: &[(AppInput, AppEval)]) -> Vec<DebtItem> {
    let all_debt = apps.iter().map(|(_, e)| e.debt.len()).sum();
    let mut debt: Vec<DebtItem> = Vec::with_capacity(all_debt);
    let mut seen: HashMap<&str, usize> =
        HashMap::with_capacity_and_hasher(all_debt, Default::default());
    for (_, e) in apps {
        let root = &e.texts.root;
        for d in &e.debt {
            let i = *seen.entry(&d.fingerprint).or_insert_with(|| {
                debt.push(d.clone());
                debt.len() - 1
            });
            debt[i].apps.push(root.clone());
        }
    }
    sort_debt(&mut debt);
    debt
}

fn unscore(e: &mut AppEval, why: String) {
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

/// Each catalogue id's position, and whether it is pending (has no rule
/// yet), worked out once per process: the coverage block of every app
/// asked the registry about every catalogue id.
struct CatalogueIndex {
    at: HashMap<&'static str, usize>,
    pending: Vec<bool>,
}

static CATALOGUE_INDEX: std::sync::LazyLock<CatalogueIndex> =
    std::sync::LazyLock::new(|| CatalogueIndex {
        at: rules::CATALOGUE
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect(),
        pending: rules::CATALOGUE
            .iter()
            .map(|id| rules::find(id).is_none())
            .collect(),
    });

fn coverage_block(checks: &[Check], unscored: bool) -> Coverage {
    let evaluated = checks.iter().filter(|c| c.status.evaluated()).count();
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    Coverage {
        evaluated,
        skipped: checks.len() - evaluated,
        not_applicable: count(Status::NotApplicable),
        unknown: count(Status::Unknown),
        pending: CATALOGUE_INDEX
            .pending
            .iter()
            .enumerate()
            .filter(|(_, pending)| **pending)
            .map(|(i, _)| rules::CATALOGUE[i])
            .collect(),
        total: {
            // The catalogue's rules that are pending or were checked: the
            // catalogue is indexed once, not searched per check per app.
            let mut checked = vec![false; rules::CATALOGUE.len()];
            for c in checks {
                if let Some(&i) = CATALOGUE_INDEX.at.get(c.id.as_str()) {
                    checked[i] = true;
                }
            }
            checked
                .iter()
                .zip(&CATALOGUE_INDEX.pending)
                .filter(|(checked, pending)| **checked || **pending)
                .count()
        },
        // Nothing is scored, so the score rests on nothing.
        percent: if unscored {
            None
        } else {
            coverage_percent(checks)
        },
    }
}

/// Evaluate one app's facts: rules, waivers, checks, debt, score, level,
/// gates. `today` is the scan date (waiver expiry).
#[allow(clippy::too_many_arguments)]
fn evaluate_app(
    facts: &Facts,
    config: &Config,
    fail_under: Option<u8>,
    hotspots: &[crate::pressure::Hotspot],
    today: &str,
    apply_waivers: bool,
    used_elsewhere: &[(String, u32)],
    rule_threads: usize,
) -> AppEval {
    let Evaluation {
        waived,
        unwaived,
        suppressions,
        mut waivers,
    } = evaluate_with(facts, config, today, used_elsewhere, rule_threads);
    let score_with = outcomes_score(&waived, config);
    let (results, score_without, suppressions) = if apply_waivers {
        let score_without = if unwaived.is_empty() {
            // No waiver declared: the same outcomes but waiver-hygiene's,
            // which is not applicable either way and weighs nothing.
            score_with
        } else {
            outcomes_score(&unwaived, config)
        };
        (waived, score_without, suppressions)
    } else {
        for w in &mut waivers {
            w.status = WaiverStatus::Ignored;
        }
        let unwaived = Evaluation::without_waivers(waived, unwaived);
        let score_without = outcomes_score(&unwaived, config);
        (unwaived, score_without, Vec::new())
    };
    let app_stack = main_stack(facts);
    let mut checks = Vec::new();
    let mut debt = Vec::new();
    // The outcomes are this app's own: their evidence moves into the checks
    // and their findings into the debt, where a copy of each was made.
    for (rule, mut outcome) in results {
        let meta = &rule.meta;
        let (impact, risk, effort) = config.scores(meta);
        checks.push(check_of(rule, &mut outcome, config));
        for f in outcome.findings {
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
            let identity = f.identity.unwrap_or_default();
            debt.push(DebtItem {
                apps: Vec::new(),
                rule: meta.id.clone(),
                path: f.location.as_ref().map(|l| SafeText::new(&l.path)),
                line: f.location.as_ref().map(|l| l.line),
                message: SafeText::new(&f.message),
                remediation: SafeText::new(f.fix.as_deref().unwrap_or_else(|| {
                    let file = f.location.as_ref().and_then(|l| file_stack(facts, &l.path));
                    meta.fix_for(file.or(app_stack))
                })),
                impact,
                risk,
                effort,
                priority: priority(impact, risk, effort),
                week: meta.week,
                scope,
                fingerprint: identity.fingerprint,
                content_fingerprint: identity.content,
                legacy_fingerprint: String::new(),
                waiver: f.waiver_note.as_deref().map(SafeText::new),
                hotspot: None,
                anchor: f
                    .location
                    .is_none()
                    .then(|| SafeText::new(&anchor(&meta.id, facts))),
            });
        }
    }
    legacy_occurrences(&mut debt);
    // Debt in a churn hotspot is riskier: it sits where changes happen.
    let mut hotspot_debt = Vec::new();
    for d in debt.iter_mut() {
        if let Some((i, h)) = hotspots
            .iter()
            .enumerate()
            .find(|(_, h)| Some(&h.path) == d.path.as_ref())
        {
            hotspot_debt.push((i, d.rule.clone()));
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
    // An app of which no check could be evaluated has nothing to rest a
    // number on.
    let mut e = AppEval {
        score,
        unscored: None,
        level: level(&checks),
        coverage: coverage_block(&checks, false),
        pillars,
        signoff: signoff(&checks),
        target: fail_under.map(|t| crate::plan::target(&checks, score, t as u32)),
        checks,
        debt,
        suppressions,
        score_with,
        score_without,
        waivers,
        hotspot_debt,
        texts: AppTexts::default(),
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

/// The fingerprints of reports before content fingerprints hash rule, path,
/// message and the order of appearance among the app's items alike, in the
/// order the rules found them (before the debt is sorted). Only that order
/// is kept here, as `legacy_fingerprint` (never serialised): the hash is
/// taken by [`legacy_fingerprint`] when a baseline written by an older
/// graduate is read (report/baseline.rs). Hashing every item of every scan
/// for the rare old baseline cost a SHA-256 per finding.
fn legacy_occurrences(debt: &mut [DebtItem]) {
    // Items alike share their rule, and a rule's items sit together here
    // (in rule order): only a rule with two items or more has any to count.
    let mut start = 0;
    while start < debt.len() {
        let end = start
            + debt[start..]
                .iter()
                .take_while(|d| d.rule == debt[start].rule)
                .count();
        let run = &mut debt[start..end];
        let nth: Vec<usize> = if run.len() == 1 {
            vec![0]
        } else {
            let mut seen: HashMap<(Option<&str>, &str), usize> = HashMap::default();
            run.iter()
                .map(|d| {
                    let n = seen.entry((d.path.as_deref(), &d.message)).or_insert(0);
                    *n += 1;
                    *n - 1
                })
                .collect()
        };
        for (d, n) in run.iter_mut().zip(nth) {
            d.legacy_fingerprint = n.to_string();
        }
        start = end;
    }
}

/// The fingerprint an older graduate gave this debt item (see
/// [`legacy_occurrences`]); `None` for an item the evaluation did not make.
pub(crate) fn legacy_fingerprint(d: &DebtItem) -> Option<String> {
    (!d.legacy_fingerprint.is_empty()).then(|| {
        short_hash(&[
            &d.rule,
            d.path.as_deref().unwrap_or(""),
            &d.message,
            &d.legacy_fingerprint,
        ])
    })
}

/// A rule's outcome as a check of the report; its evidence moves into the
/// check.
fn check_of(rule: &rules::Rule, outcome: &mut Outcome, config: &Config) -> Check {
    let meta = &rule.meta;
    let (impact, risk, effort) = config.scores(meta);
    Check {
        id: meta.id.clone(),
        pillar: meta.pillar.id(),
        title: meta.title.clone(),
        status: outcome.status,
        impact,
        risk,
        effort,
        priority: priority(impact, risk, effort),
        week: meta.week,
        pass_fraction: rounded_fraction(outcome),
        skip_reason: outcome.reason.as_deref().map(SafeText::new),
        evidence: std::mem::take(&mut outcome.evidence),
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
    weighted(checks.map(|c| (c.status, c.impact, c.risk, c.pass_fraction)))
}

/// The score the rules' outcomes would make as checks ([`check_of`]), without
/// building the checks: the score with and without the waivers needs only
/// the weights, not each check's evidence.
fn outcomes_score(outcomes: &[(&'static rules::Rule, Outcome)], config: &Config) -> Option<u32> {
    weighted(outcomes.iter().map(|(rule, outcome)| {
        let (impact, risk, _) = config.scores(&rule.meta);
        (outcome.status, impact, risk, rounded_fraction(outcome))
    }))
}

/// Σ weight × pass fraction / Σ weight over the evaluated (status, impact,
/// risk, pass fraction) of some checks.
fn weighted(checks: impl Iterator<Item = (Status, u8, u8, f64)>) -> Option<u32> {
    let (mut got, mut total) = (0.0, 0.0);
    for (_, impact, risk, pass_fraction) in checks.filter(|c| c.0.evaluated()) {
        let w = impact as f64 * risk as f64;
        got += w * pass_fraction;
        total += w;
    }
    (total > 0.0).then(|| (100.0 * got / total).round() as u32)
}

/// A check's pass fraction as the report states it, to three decimals.
fn rounded_fraction(outcome: &Outcome) -> f64 {
    (outcome.pass_fraction() * 1000.0).round() / 1000.0
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

/// The last component of a displayed root (`fixtures/go-service` →
/// `go-service`); the scan replaces it with the resolved name.
fn folder_name(root: &str) -> String {
    root.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or(root)
        .to_string()
}

/// The stack of a walked source file.
fn file_stack(facts: &Facts, path: &str) -> Option<rules::Stack> {
    let i = facts
        .files
        .binary_search_by(|f| f.path.as_str().cmp(path))
        .ok()?;
    match facts.files[i].kind {
        crate::inventory::FileKind::Source(lang) => Some(rules::Stack::of(lang)),
        _ => None,
    }
}

/// The app's stack: the one most of its service source files are written
/// in (a Next.js app with one Python script is a Node app).
fn main_stack(facts: &Facts) -> Option<rules::Stack> {
    let mut counts = std::collections::BTreeMap::new();
    for f in facts.files.iter().filter(|f| f.scope.in_service()) {
        if let crate::inventory::FileKind::Source(lang) = f.kind {
            *counts.entry(rules::Stack::of(lang)).or_insert(0usize) += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(stack, n)| (n, std::cmp::Reverse(stack)))
        .map(|(stack, _)| stack)
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
            true,
            2,
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
            true,
            2,
        );
        assert!(r.score.is_some());
        assert!(r.unscored.is_none());
        assert_eq!(r.apps.len(), 1);
    }

    /// The roll-up merges the checks and the debt on two threads: the
    /// report of a repository of several apps is the same as on one.
    #[test]
    fn a_monorepo_rolls_up_the_same_on_one_thread_and_two() {
        let report = |threads| {
            let mut r = crate::scan::run(&crate::scan::ScanOptions {
                path: concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/three-apps").into(),
                config: None,
                threads,
                history: false,
                fail_under: Some(90),
                waivers: true,
            })
            .unwrap()
            .report;
            r.scanned_at.clear();
            serde_json::to_string(&r).unwrap()
        };
        let one = report(1);
        let parsed: serde_json::Value = serde_json::from_str(&one).unwrap();
        // A real roll-up: several apps, and debt found in more than one.
        assert!(parsed["apps"].as_array().unwrap().len() >= 3);
        assert!(
            parsed["debt"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| { d["apps"].as_array().is_some_and(|a| a.len() > 1) })
        );
        assert_eq!(report(2), one);
    }

    #[test]
    fn grades() {
        assert_eq!(grade(100), "A");
        assert_eq!(grade(75), "B");
        assert_eq!(grade(39), "F");
    }

    fn call(line: u32) -> crate::facts::OutboundCall {
        crate::facts::OutboundCall {
            location: crate::facts::Location::new("api.go", line),
            client: "net/http",
            timeout: crate::facts::TimeoutState::Missing,
            note: "http.Get".into(),
        }
    }

    fn allow(
        line: u32,
        rule: &str,
        reason: Option<&str>,
        expires: Option<&str>,
    ) -> crate::facts::InlineAllow {
        crate::facts::InlineAllow {
            location: crate::facts::Location::new("api.go", line),
            rule: rule.into(),
            reason: reason.map(str::to_string),
            owner: None,
            expires: expires.map(str::to_string),
        }
    }

    /// Waivers on hand-built facts: one in force hides its call (and the
    /// site counts as clean), an expired one hides nothing and marks the
    /// call, an unused and an unknown-rule one hide nothing; each problem
    /// is a waiver-hygiene finding at the waiver's line.
    #[test]
    fn waivers_hide_lapse_and_are_judged() {
        let facts = Facts {
            languages: vec![crate::inventory::Lang::Go],
            outbound: vec![call(3), call(7), call(11)],
            allows: vec![
                allow(
                    2,
                    "outbound-timeout",
                    Some("vendor deadline"),
                    Some("2099-01-01"),
                ),
                allow(
                    6,
                    "outbound-timeout",
                    Some("old excuse"),
                    Some("2020-01-01"),
                ),
                allow(20, "retry-storm", None, None),
                allow(21, "outbund-timeout", Some("typo"), None),
            ],
            ..Facts::default()
        };
        let e = evaluate(&facts, &Config::default(), "2026-11-30");
        let timeout = e
            .waived
            .iter()
            .find(|(r, _)| r.meta.id == "outbound-timeout")
            .map(|(_, o)| o)
            .unwrap();
        let lines: Vec<(u32, Option<&str>)> = timeout
            .findings
            .iter()
            .map(|f| (f.location.as_ref().unwrap().line, f.waiver_note.as_deref()))
            .collect();
        assert_eq!(
            lines,
            [
                (7, Some("waiver expired 2020-01-01 (api.go:6)")),
                (11, None)
            ]
        );
        assert_eq!(timeout.clean_sites, Some(1));
        assert_eq!(e.suppressions.len(), 1);
        assert_eq!(e.suppressions[0].line, 3);
        let status: Vec<WaiverStatus> = e.waivers.iter().map(|w| w.status).collect();
        assert_eq!(
            status,
            [
                WaiverStatus::Active,
                WaiverStatus::Expired,
                WaiverStatus::Unused,
                WaiverStatus::UnknownRule
            ]
        );
        assert!(e.waivers[3].problems[0].contains("did you mean `outbound-timeout`"));
        assert!(
            e.waivers[2]
                .problems
                .iter()
                .any(|p| p.as_str() == "no reason given")
        );
        let hygiene = e
            .waived
            .iter()
            .find(|(r, _)| r.meta.id == HYGIENE)
            .map(|(_, o)| o)
            .unwrap();
        let at: Vec<u32> = hygiene
            .findings
            .iter()
            .map(|f| f.location.as_ref().unwrap().line)
            .collect();
        assert_eq!(at, [6, 20, 21]);
        // Without waivers every call is a finding, and nothing is judged.
        let raw = e
            .unwaived
            .iter()
            .find(|(r, _)| r.meta.id == "outbound-timeout")
            .unwrap();
        assert_eq!(raw.1.findings.len(), 3);
    }

    /// Identity is given before waivers apply: a waived call does not
    /// renumber the alike calls after it.
    #[test]
    fn fingerprints_do_not_depend_on_what_is_waived() {
        let mut facts = Facts {
            languages: vec![crate::inventory::Lang::Go],
            outbound: vec![call(3), call(7)],
            ..Facts::default()
        };
        let fp = |facts: &Facts| {
            evaluate(facts, &Config::default(), "2026-11-30")
                .waived
                .iter()
                .find(|(r, _)| r.meta.id == "outbound-timeout")
                .and_then(|(_, o)| o.findings.last().and_then(|f| f.identity.clone()))
                .unwrap()
        };
        let before = fp(&facts);
        facts
            .allows
            .push(allow(2, "outbound-timeout", Some("why"), None));
        assert_eq!(fp(&facts), before);
    }

    #[test]
    fn short_hash_is_the_hash_of_the_parts_joined_by_nul() {
        use sha2::{Digest, Sha256};
        for parts in [
            &["2", "outbound-timeout", "api/a.py", "c00ff", "0"][..],
            &["2", "runbook", "", "m no runbook", "12"][..],
            &["only"][..],
            &["", ""][..],
        ] {
            let whole: String = Sha256::digest(parts.join("\0"))[..8]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(super::short_hash(parts), whole, "{parts:?}");
        }
    }
}
