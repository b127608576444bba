//! `--format html`: one self-contained page for a product owner. Inline CSS
//! and SVG, a Content-Security-Policy that forbids every network request,
//! readable without JavaScript (a few lines sort and filter the table), dark
//! mode and a print stylesheet. askama renders it: templates are checked at
//! compile time and every `{{ value }}` is HTML-escaped by default, which is
//! what a page full of repository-derived strings needs.

use askama::Template;

use super::Report;
use crate::rules;

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
    verdict: String,
    delta_text: String,
    chart_height: u32,
    pillars: Vec<PillarBar>,
    weeks: Vec<WeekPlan>,
    debt: Vec<DebtRow>,
    fixed: Vec<String>,
    checks: Vec<CheckView>,
}

const WEEK_TITLES: [&str; 5] = [
    "guardrails: health, uptime, secrets",
    "tests and CI",
    "observability",
    "resilience and cost",
    "operations",
];

/// Effort in words a non-engineer can plan with.
pub fn effort_words(effort: u8) -> &'static str {
    match effort {
        1 => "under an hour",
        2 => "a few hours",
        3 => "about a day",
        4 => "a few days",
        _ => "weeks",
    }
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
    let weeks = (0u8..5)
        .map(|week| {
            // One sentence per rule, not per site: "Fix 5 places: …".
            let mut items: Vec<PlanItem> = Vec::new();
            let mut seen: Vec<&str> = Vec::new();
            for d in report.debt.iter().filter(|d| d.week == week) {
                if seen.contains(&d.rule.as_str()) {
                    continue;
                }
                seen.push(&d.rule);
                let sites = report.debt.iter().filter(|x| x.rule == d.rule).count();
                let title = rules::find(&d.rule).map_or(d.rule.clone(), |r| r.meta.title.clone());
                let sentence = if sites > 1 {
                    format!("{title}: {sites} places to fix. {}", d.remediation)
                } else {
                    format!("{title}: {}", d.remediation)
                };
                items.push(PlanItem {
                    sentence,
                    effort: effort_words(d.effort),
                });
            }
            WeekPlan {
                week,
                title: WEEK_TITLES[week as usize],
                items,
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
            message: d.message.to_string(),
            fix: d.remediation.to_string(),
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
        verdict: match &report.pressure {
            Some(p) => format!("Verdict: {}", p.verdict.replace('-', " ")),
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
    };
    page.render().expect("the report template renders")
}
