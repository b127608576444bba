//! `--format html`: one self-contained page for a product owner, who should
//! get three answers in ten seconds: should it graduate (the pressure
//! verdict with the signals behind it), how ready is it (score, grade,
//! level, and how much of the checklist the score rests on), and what it
//! costs to get there (the cheapest path to the next level and to
//! `--fail-under`, and the plan's weeks with their effort). The detail an
//! engineer needs (debt, checks, waivers, warnings) follows.
//!
//! Inline CSS, no SVG text (it shrank to 6 px on a phone), a
//! Content-Security-Policy that forbids every network request, readable
//! without JavaScript (a few lines sort and filter the debt table), dark
//! mode, a phone layout where tables become cards (nothing wider than the
//! screen), and a print stylesheet. askama renders it: templates are checked
//! at compile time and every `{{ value }}` is HTML-escaped, which is what a
//! page full of repository-derived strings needs. The page reads the report
//! and phrases it; it computes no plan and no path of its own.

use askama::Template;

use super::Report;
use crate::plan::PlanWeek;

/// Text with its code spans apart, so a fix's `` `npm test` `` shows as
/// code and not with its backticks. Both parts are escaped by the template.
struct Rich(Vec<(bool, String)>);

impl Rich {
    /// Split at single-backtick code spans; an unmatched backtick is text.
    fn new(s: &str) -> Rich {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find('`') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('`') else { break };
            if open > 0 {
                parts.push((false, rest[..open].to_string()));
            }
            if close > 0 {
                parts.push((true, after[..close].to_string()));
            }
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push((false, rest.to_string()));
        }
        Rich(parts)
    }
}

struct PillarRow {
    id: &'static str,
    /// `None`: nothing of the pillar could be evaluated; drawn as such, not
    /// as a zero.
    score: Option<u32>,
    class: &'static str,
    note: String,
    delta: String,
}

struct PlanItemView {
    title: String,
    places: usize,
    fix: Rich,
    effort: &'static str,
}

struct WeekView {
    week: u8,
    title: &'static str,
    effort: String,
    items: Vec<PlanItemView>,
}

struct DebtRow {
    priority: u32,
    rule: String,
    new: bool,
    location: String,
    impact: u8,
    risk: u8,
    effort: u8,
    message: Rich,
    fix: Rich,
    /// "waiver expired …" when a lapsed waiver covered it.
    waiver: Option<String>,
}

/// One waiver as the page lists it.
struct WaiverRow {
    status: &'static str,
    /// Has a problem (`waiver-hygiene` reports it).
    troubled: bool,
    rule: String,
    location: String,
    scope: String,
    reason: Rich,
    owner: String,
    expires: String,
    problems: String,
}

struct CheckView {
    id: String,
    title: String,
    status: &'static str,
    skip_reason: Option<String>,
    evidence: Vec<(String, String)>,
}

struct SignalView {
    id: &'static str,
    value: String,
    threshold: String,
    /// `over`, `under` or `unknown`.
    state: &'static str,
    note: String,
}

/// One way forward, as the report states it: the next level, or
/// `--fail-under`.
struct PathView {
    /// "Level 1 · guarded", "--fail-under 70".
    goal: String,
    /// "about 1 day · 7 fixes", "met (72)", "no score to hold to it …".
    summary: String,
    fixes: Vec<String>,
    /// Checks the next level also needs decided.
    unknown: Vec<String>,
}

fn fixes_word(n: usize) -> String {
    format!("{n} fix{}", if n == 1 { "" } else { "es" })
}

/// The next level and the target, from `report.level.next` and
/// `report.target`: phrased here, computed by the plan.
fn paths(report: &Report) -> Vec<PathView> {
    let mut out = Vec::new();
    if let Some(next) = &report.level.next {
        let mut summary = vec![next.effort_text.clone(), fixes_word(next.fixes.len())];
        if !next.unknown.is_empty() {
            summary.push(format!("{} to decide", next.unknown.len()));
        }
        out.push(PathView {
            goal: format!("Level {} · {}", next.level, next.name),
            summary: summary.join(" · "),
            fixes: next.fixes.clone(),
            unknown: next.unknown.clone(),
        });
    }
    if let Some(t) = &report.target {
        let summary = match (report.score, t.met) {
            (None, _) => format!(
                "no score to hold to it ({})",
                report.unscored.as_deref().unwrap_or("no app found")
            ),
            (Some(s), true) => format!("met ({s})"),
            (Some(s), false) => format!(
                "{} · {} · {s} → {}",
                t.effort_text,
                fixes_word(t.fixes.len()),
                t.score_after.unwrap_or(s)
            ),
        };
        out.push(PathView {
            goal: format!("--fail-under {}", t.fail_under),
            summary,
            fixes: if t.met { Vec::new() } else { t.fixes.clone() },
            unknown: Vec::new(),
        });
    }
    out
}

/// One app of `report.apps` (shown when there are several).
struct AppRow {
    path: String,
    /// `41`, or `no score`.
    score: String,
    grade: &'static str,
    /// `1 guarded`.
    level: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    grade: &'static str,
    grade_class: &'static str,
    /// `graduate`, `watch`, `keep-as-prototype`, `not-assessed`, `none`.
    verdict_class: &'static str,
    verdict_headline: String,
    verdict_reasons: Vec<String>,
    signals: Vec<SignalView>,
    /// The way to the next level and to `--fail-under`, as the report says.
    paths: Vec<PathView>,
    /// The next level's effort in words, the headline of "what it costs".
    cost: String,
    delta_text: String,
    pillars: Vec<PillarRow>,
    weeks: Vec<WeekView>,
    apps: Vec<AppRow>,
    debt: Vec<DebtRow>,
    fixed: Vec<String>,
    checks: Vec<CheckView>,
    /// "64, 51 without 3 waivers" when the waivers change the score.
    waiver_effect: Option<String>,
    waivers: Vec<WaiverRow>,
}

/// The waivers, phrased for the page.
fn waiver_rows(report: &Report) -> Vec<WaiverRow> {
    let or_dash =
        |s: Option<&crate::safe_text::SafeText>| s.map_or("–".to_string(), |s| s.to_string());
    report
        .waivers
        .iter()
        .map(|w| WaiverRow {
            status: w.status.id(),
            troubled: !w.problems.is_empty(),
            rule: w.rule.to_string(),
            location: w.location(),
            scope: w.scope.to_string(),
            reason: Rich::new(
                w.reason
                    .as_ref()
                    .map_or("(no reason given)", |r| r.as_str()),
            ),
            owner: or_dash(w.owner.as_ref()),
            expires: or_dash(w.expires.as_ref()),
            problems: w
                .problems
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect()
}

fn bar_class(score: u32) -> &'static str {
    match score {
        75.. => "bar-good",
        50..=74 => "bar-warn",
        _ => "bar-bad",
    }
}

fn verdict_headline(verdict: &str) -> &'static str {
    match verdict {
        "graduate" => "Yes: graduate it",
        "watch" => "Watch it: pressure is building",
        "keep-as-prototype" => "Not yet: it can stay a prototype",
        _ => "Not assessed",
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

fn weeks(plan: &[PlanWeek]) -> Vec<WeekView> {
    plan.iter()
        .map(|w| WeekView {
            week: w.week,
            title: w.title,
            effort: w.effort_text.clone(),
            items: w
                .items
                .iter()
                .map(|i| PlanItemView {
                    title: i.title.clone(),
                    places: i.sites,
                    fix: Rich::new(&i.remediation),
                    effort: i.effort_text,
                })
                .collect(),
        })
        .collect()
}

pub fn render(report: &Report) -> String {
    let pillars = report
        .pillars
        .iter()
        .map(|p| {
            let delta = report
                .baseline
                .as_ref()
                .and_then(|b| b.pillars.iter().find(|d| d.id == p.id))
                .and_then(|d| match (d.before, d.after) {
                    (Some(b), Some(a)) if a != b => Some(format!("{:+}", a as i64 - b as i64)),
                    _ => None,
                })
                .unwrap_or_default();
            PillarRow {
                id: p.id,
                score: p.score,
                class: bar_class(p.score.unwrap_or(0)),
                note: if p.score.is_some() {
                    format!("{} of {} checks evaluated", p.evaluated, p.total)
                } else if p.total == 0 {
                    "no checks yet".to_string()
                } else {
                    "not evaluated: none of its checks applied or could be told".to_string()
                },
                delta,
            }
        })
        .collect();
    let debt = report
        .debt
        .iter()
        .map(|d| DebtRow {
            priority: d.priority,
            rule: d.rule.clone(),
            new: report
                .baseline
                .as_ref()
                .is_some_and(|b| b.is_new(&d.fingerprint)),
            location: d.location(),
            impact: d.impact,
            risk: d.risk,
            effort: d.effort,
            message: Rich::new(&d.message),
            fix: Rich::new(&d.remediation),
            waiver: d.waiver.as_ref().map(|w| w.to_string()),
        })
        .collect();
    let checks = report
        .checks
        .iter()
        .map(|c| CheckView {
            id: c.id.clone(),
            title: c.title.clone(),
            status: c.status.id(),
            skip_reason: c.skip_reason.as_ref().map(|s| s.to_string()),
            evidence: c
                .evidence
                .iter()
                .map(|e| {
                    let loc = match (&e.path, e.line) {
                        (Some(p), Some(l)) => format!("{p}:{l}"),
                        (Some(p), None) => p.to_string(),
                        _ => String::new(),
                    };
                    (loc, e.note.to_string())
                })
                .collect(),
        })
        .collect();
    let (verdict_class, verdict_headline, verdict_reasons, signals) = match &report.pressure {
        Some(p) => (
            match p.verdict {
                "graduate" => "graduate",
                "watch" => "watch",
                "keep-as-prototype" => "keep-as-prototype",
                _ => "not-assessed",
            },
            verdict_headline(p.verdict).to_string(),
            p.reasons.iter().map(|r| r.to_string()).collect(),
            p.signals
                .iter()
                .map(|s| SignalView {
                    id: s.id,
                    value: s.value.map_or("unknown".to_string(), number),
                    threshold: number(s.threshold),
                    state: match s.over {
                        Some(true) => "over",
                        Some(false) => "under",
                        None => "unknown",
                    },
                    note: s.note.to_string(),
                })
                .collect(),
        ),
        None => (
            "none",
            "Not assessed".to_string(),
            vec!["Graduation pressure was not measured for this report.".to_string()],
            Vec::new(),
        ),
    };
    let cost = match (&report.level.next, &report.target) {
        (Some(next), _) if !next.fixes.is_empty() => next.effort_text.clone(),
        (_, Some(t)) if !t.met && !t.fixes.is_empty() => t.effort_text.clone(),
        (None, _) if report.score.is_some() => "nothing: top level reached".to_string(),
        _ => "see below".to_string(),
    };
    let page = Page {
        r: report,
        grade: report.grade.unwrap_or("n/a"),
        grade_class: report.grade.unwrap_or("none"),
        verdict_class,
        verdict_headline,
        verdict_reasons,
        signals,
        paths: paths(report),
        cost,
        delta_text: report
            .baseline
            .as_ref()
            .and_then(|b| b.score_delta)
            .map(|d| format!("{d:+}"))
            .unwrap_or_default(),
        pillars,
        weeks: weeks(&report.plan),
        apps: if report.apps.len() > 1 {
            report
                .apps
                .iter()
                .map(|a| AppRow {
                    path: a.path.to_string(),
                    score: a.score.map_or("no score".into(), |s| s.to_string()),
                    grade: a.grade.unwrap_or("n/a"),
                    level: format!("{} {}", a.level.current, a.level.name),
                })
                .collect()
        } else {
            Vec::new()
        },
        debt,
        fixed: report
            .baseline
            .as_ref()
            .map(|b| {
                b.fixed
                    .iter()
                    .map(|f| format!("{} {}", f.rule, f.location()))
                    .collect()
            })
            .unwrap_or_default(),
        checks,
        waiver_effect: report.waiver_effect.as_ref().and_then(|e| e.sentence()),
        waivers: waiver_rows(report),
    };
    // The template is checked at compile time and writes into a String;
    // askama fails only when a Display impl does, and none here does.
    page.render().unwrap_or_else(|_| {
        "<!DOCTYPE html><title>graduate</title><p>The report page could not be rendered; \
         use --format json or text.</p>"
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::{Rich, render};

    use crate::report::scanned_fixture as scanned;

    /// A pillar with nothing evaluated is drawn as such, not as a zero bar;
    /// the apps table appears only with several apps; a fix's code spans are
    /// code, without their backticks.
    #[test]
    fn not_evaluated_pillars_apps_and_code_in_fixes() {
        let mut r = scanned("express-prototype");
        assert!(!render(&r).contains("data-testid=\"apps\""));
        r.pillars[0].score = None;
        let id = r.pillars[0].id;
        let mut web = r.apps[0].clone();
        web.path = "web".into();
        web.root = "web".into();
        web.score = Some(41);
        web.grade = Some("D");
        r.apps.push(web);
        let html = render(&r);
        assert!(
            html.contains(&format!("aria-label=\"{id} not evaluated\"")),
            "{html}"
        );
        assert!(!html.contains(&format!("aria-label=\"{id} 0 of 100\"")));
        let apps = &html[html.find("data-testid=\"apps\"").expect("apps table")..];
        assert!(
            apps.contains("<code>web</code>") && apps.contains(">41<"),
            "{apps}"
        );
        // env-gitignored's fix: "Add `.env` (and `.env.*` with …".
        assert!(
            html.contains("Add <code>.env</code> (and <code>.env.*</code>"),
            "{html}"
        );
        assert!(!html.contains("`.env`"));
    }

    #[test]
    fn code_spans_split_from_text() {
        let r = Rich::new("Add `.env` to the root .gitignore (`* @org/team`).");
        assert_eq!(
            r.0,
            vec![
                (false, "Add ".to_string()),
                (true, ".env".to_string()),
                (false, " to the root .gitignore (".to_string()),
                (true, "* @org/team".to_string()),
                (false, ").".to_string()),
            ]
        );
        // An unmatched backtick stays text.
        assert_eq!(Rich::new("a ` b").0, vec![(false, "a ` b".to_string())]);
    }
}
