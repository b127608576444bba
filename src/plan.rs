//! The plan: what to fix in which week of the four-week refactor plan, and
//! in words a product owner can plan with. Built once, from the checks and
//! the debt, into the report value: every format shows the same plan and no
//! renderer rebuilds it (renderers read the report, nothing else).

use serde::Serialize;

use crate::report::{Check, DebtItem};
use crate::safe_text::SafeText;

/// What each plan week is for (docs/scoring.md, "Plan weeks and levels").
pub const WEEK_TITLES: [&str; 5] = [
    "guardrails: health, uptime, secrets",
    "tests and CI",
    "observability",
    "resilience and cost",
    "operations",
];

/// One week of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanWeek {
    pub week: u8,
    pub title: &'static str,
    /// One item per failing rule, highest priority first.
    pub items: Vec<PlanItem>,
}

/// One rule to fix, however many sites it has.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub rule: String,
    /// What passing means (the check's title).
    pub title: String,
    /// Debt items of the rule: places to fix.
    pub sites: usize,
    /// The fix of its highest-priority site.
    pub remediation: SafeText,
    pub effort: u8,
    /// The effort in words: "under an hour" … "weeks".
    pub effort_text: &'static str,
    /// Its highest-priority site's priority.
    pub priority: u32,
}

/// Effort points (1–5) in words a non-engineer can plan with.
pub fn effort_words(effort: u8) -> &'static str {
    match effort {
        ..=1 => "under an hour",
        2 => "a few hours",
        3 => "about a day",
        4 => "a few days",
        _ => "weeks",
    }
}

/// Working hours behind each effort point: the middle of what
/// [`effort_words`] says (an hour, half a day, a day, three days, two weeks).
fn hours(effort: u8) -> u32 {
    match effort {
        ..=1 => 1,
        2 => 4,
        3 => 8,
        4 => 24,
        _ => 80,
    }
}

/// The total effort of several fixes in plain words: their hours added up
/// (docs/scoring.md), then said in hours, days (of eight hours) or weeks (of
/// five days).
pub fn total_effort_words(efforts: impl IntoIterator<Item = u8>) -> String {
    let total: u32 = efforts.into_iter().map(hours).sum();
    let about = |n: u32, unit: &str| format!("about {n} {unit}{}", if n == 1 { "" } else { "s" });
    match total {
        0 => "nothing to do".to_string(),
        1 => "under an hour".to_string(),
        2..=7 => about(total, "hour"),
        8..=39 => about((total + 4) / 8, "day"),
        _ => about((total + 20) / 40, "week"),
    }
}

/// The four-week plan (weeks 0–4): each failing rule once, in its week, with
/// the number of places to fix. `debt` is in priority order.
pub fn weeks(checks: &[Check], debt: &[DebtItem]) -> Vec<PlanWeek> {
    (0u8..5)
        .map(|week| {
            let mut items: Vec<PlanItem> = Vec::new();
            for d in debt.iter().filter(|d| d.week == week) {
                if let Some(item) = items.iter_mut().find(|i| i.rule == d.rule) {
                    item.sites += 1;
                    continue;
                }
                let title = checks
                    .iter()
                    .find(|c| c.id == d.rule)
                    .map_or_else(|| d.rule.clone(), |c| c.title.clone());
                items.push(PlanItem {
                    rule: d.rule.clone(),
                    title,
                    sites: 1,
                    remediation: d.remediation.clone(),
                    effort: d.effort,
                    effort_text: effort_words(d.effort),
                    priority: d.priority,
                });
            }
            PlanWeek {
                week,
                title: WEEK_TITLES[week as usize],
                items,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn debt(rule: &str, week: u8, effort: u8, priority: u32) -> DebtItem {
        DebtItem {
            rule: rule.into(),
            path: None,
            line: None,
            message: "m".into(),
            remediation: format!("fix {rule}").into(),
            impact: 3,
            risk: 3,
            effort,
            priority,
            week,
            scope: None,
            fingerprint: String::new(),
            anchor: None,
            hotspot: None,
        }
    }

    #[test]
    fn one_item_per_rule_in_its_week_with_its_sites() {
        let d = [
            debt("outbound-timeout", 3, 1, 125),
            debt("ci-runs-tests", 1, 2, 80),
            debt("outbound-timeout", 3, 1, 100),
            debt("runbook", 4, 2, 36),
        ];
        let plan = weeks(&[], &d);
        assert_eq!(plan.len(), 5);
        assert!(plan[0].items.is_empty());
        assert_eq!(plan[1].items[0].rule, "ci-runs-tests");
        assert_eq!(plan[3].items.len(), 1);
        assert_eq!(plan[3].items[0].sites, 2);
        assert_eq!(plan[3].items[0].priority, 125);
        assert_eq!(plan[3].items[0].effort_text, "under an hour");
        assert_eq!(plan[4].title, "operations");
    }

    #[test]
    fn total_effort_in_words() {
        assert_eq!(total_effort_words([]), "nothing to do");
        assert_eq!(total_effort_words([1]), "under an hour");
        assert_eq!(total_effort_words([1, 1]), "about 2 hours");
        assert_eq!(total_effort_words([2, 1]), "about 5 hours");
        assert_eq!(total_effort_words([3]), "about 1 day");
        assert_eq!(total_effort_words([2, 2, 3, 3]), "about 3 days");
        assert_eq!(total_effort_words([4, 4]), "about 1 week");
        assert_eq!(total_effort_words([5]), "about 2 weeks");
    }
}
