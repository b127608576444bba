//! `--format html`: one self-contained page for a product owner. Inline CSS
//! and SVG, a Content-Security-Policy that forbids every network request,
//! readable without JavaScript (a few lines sort and filter the table), dark
//! mode and a print stylesheet. askama renders it: templates are checked at
//! compile time and every `{{ value }}` is HTML-escaped by default, which is
//! what a page full of repository-derived strings needs.

use askama::Template;

use super::Report;

struct PillarBar {
    id: &'static str,
    y: u32,
    width: u32,
    class: &'static str,
    label: String,
    delta: String,
}

struct PlanItem {
    sentence: String,
    effort: &'static str,
}

struct WeekPlan {
    week: u8,
    title: &'static str,
    items: Vec<PlanItem>,
}

struct DebtRow {
    priority: u32,
    rule: String,
    new: bool,
    location: String,
    impact: u8,
    risk: u8,
    effort: u8,
    message: String,
    fix: String,
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
    reason: String,
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

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    r: &'a Report,
    grade: &'static str,
    grade_class: &'static str,
    /// The way to the next level and to `--fail-under`.
    steps: Vec<String>,
    verdict: String,
    delta_text: String,
    chart_height: u32,
    pillars: Vec<PillarBar>,
    weeks: Vec<WeekPlan>,
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
            reason: w
                .reason
                .as_ref()
                .map_or("(no reason given)".to_string(), |r| r.to_string()),
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

pub fn render(report: &Report) -> String {
    let pillars = report
        .pillars
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let delta = report
                .baseline
                .as_ref()
                .and_then(|b| b.pillars.iter().find(|d| d.id == p.id))
                .and_then(|d| match (d.before, d.after) {
                    (Some(b), Some(a)) if a != b => Some(format!("{:+}", a as i64 - b as i64)),
                    _ => None,
                })
                .unwrap_or_default();
            PillarBar {
                id: p.id,
                y: i as u32 * 30,
                width: p.score.map_or(0, |s| s * 5),
                class: bar_class(p.score.unwrap_or(0)),
                label: p.score.map_or("n/a".into(), |s| s.to_string()),
                delta,
            }
        })
        .collect::<Vec<_>>();
    // The plan is the report's; the page only phrases it.
    let weeks = report
        .plan
        .iter()
        .map(|w| WeekPlan {
            week: w.week,
            title: w.title,
            items: w
                .items
                .iter()
                .map(|i| PlanItem {
                    sentence: if i.sites > 1 {
                        format!("{}: {} places to fix. {}", i.title, i.sites, i.remediation)
                    } else {
                        format!("{}: {}", i.title, i.remediation)
                    },
                    effort: i.effort_text,
                })
                .collect(),
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
            message: d.message.to_string(),
            fix: d.remediation.to_string(),
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
    let page = Page {
        r: report,
        grade: report.grade.unwrap_or("n/a"),
        grade_class: report.grade.unwrap_or("none"),
        steps: report.next_steps(),
        verdict: match &report.pressure {
            Some(p) => format!("Verdict: {}", p.verdict_words()),
            None => "graduation pressure not assessed".to_string(),
        },
        delta_text: report
            .baseline
            .as_ref()
            .and_then(|b| b.score_delta)
            .map(|d| format!("{d:+}"))
            .unwrap_or_default(),
        chart_height: report.pillars.len() as u32 * 30,
        pillars,
        weeks,
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
    page.render().expect("the report template renders")
}
