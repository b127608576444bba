//! The plan: what to fix in which week of the four-week refactor plan, and
//! the cheapest way to a target score, in words a product owner can plan
//! with. Built once, from the checks and the debt, into the report value:
//! every format shows the same plan and no renderer rebuilds it (renderers
//! read the report, nothing else).
//!
//! "Cheapest" counts hours, not effort points: five fixes of under an hour
//! cost less than one of two weeks, though both add up to five points. Ties
//! go to the set with the higher total priority.

use serde::Serialize;

use crate::report::{Check, DebtItem};
use crate::rules::Status;
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
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PlanWeek {
    pub week: u8,
    pub title: &'static str,
    /// One item per failing rule, highest priority first.
    pub items: Vec<PlanItem>,
    /// Sum of the items' effort points.
    pub effort: u32,
    /// The week's total effort in words ("about 2 days"; "nothing to do"),
    /// added up in hours as for the next level and the target.
    pub effort_text: String,
}

/// One rule to fix, however many sites it has.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
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

/// `--fail-under N` (or `fail-under` in the config) and how to meet it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Target {
    pub fail_under: u32,
    /// The score is at or above it. `false` when there is no score.
    pub met: bool,
    /// When not met: the cheapest failing checks whose fixing reaches it,
    /// cheapest first (by effort, then priority). Empty when met or when
    /// there is no score to raise.
    pub fixes: Vec<String>,
    /// Sum of the fixes' effort points.
    pub effort: u32,
    /// Their total effort in words ("about 5 hours").
    pub effort_text: String,
    /// The score once they are fixed (the rest unchanged); `null` when there
    /// is no score.
    pub score_after: Option<u32>,
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

/// Fixes ordered for doing: cheapest first, then the more urgent.
pub fn in_order(mut fixes: Vec<&Check>) -> Vec<&Check> {
    fixes.sort_by_key(|c| (c.effort, std::cmp::Reverse(c.priority)));
    fixes
}

/// The score formula of docs/scoring.md, on sums already made.
fn score_of(got: f64, total: f64) -> u32 {
    (100.0 * got / total).round() as u32
}

/// How to reach `fail_under` from `score` (`None`: no app, no score).
pub fn target(checks: &[Check], score: Option<u32>, fail_under: u32) -> Target {
    let unmet = |score_after| Target {
        fail_under,
        met: false,
        fixes: Vec::new(),
        effort: 0,
        effort_text: total_effort_words([]),
        score_after,
    };
    let Some(score) = score else {
        return unmet(None);
    };
    if score >= fail_under {
        return Target {
            met: true,
            ..unmet(Some(score))
        };
    }
    let Some(fixes) = cheapest_to(checks, fail_under) else {
        return unmet(Some(score));
    };
    let (got, total) = sums(checks);
    let gained: f64 = fixes.iter().map(|c| gain(c)).sum();
    let fixes = in_order(fixes);
    Target {
        fail_under,
        met: false,
        effort: fixes.iter().map(|c| c.effort as u32).sum(),
        effort_text: total_effort_words(fixes.iter().map(|c| c.effort)),
        fixes: fixes.iter().map(|c| c.id.clone()).collect(),
        score_after: Some(score_of(got + gained, total)),
    }
}

fn weight(c: &Check) -> f64 {
    c.impact as f64 * c.risk as f64
}

/// What fixing a failing check adds to the score's numerator.
fn gain(c: &Check) -> f64 {
    weight(c) * (1.0 - c.pass_fraction)
}

/// Σ weight × pass fraction and Σ weight over the evaluated checks.
fn sums(checks: &[Check]) -> (f64, f64) {
    checks
        .iter()
        .filter(|c| c.status.evaluated())
        .fold((0.0, 0.0), |(g, t), c| {
            (g + weight(c) * c.pass_fraction, t + weight(c))
        })
}

/// The failing checks whose fixing reaches `fail_under` at the least total
/// hours, ties to the higher total priority; `None` when even fixing all of
/// them does not (nothing is evaluated). A 0/1 knapsack over hours that
/// keeps, per total, the sets no other set beats on both gain and priority.
fn cheapest_to(checks: &[Check], fail_under: u32) -> Option<Vec<&Check>> {
    let (got, total) = sums(checks);
    if total == 0.0 {
        return None;
    }
    let failing: Vec<&Check> = checks
        .iter()
        .filter(|c| c.status == Status::Fail && gain(c) > 0.0)
        .collect();
    // Bit sets of the failing checks: at most 64 (the catalogue has 29).
    let failing = &failing[..failing.len().min(64)];
    let max: usize = failing.iter().map(|c| hours(c.effort) as usize).sum();
    // frontier[h]: (gain, priority, set) of the sets costing exactly h hours.
    let mut frontier: Vec<Vec<(f64, u32, u64)>> = vec![Vec::new(); max + 1];
    frontier[0].push((0.0, 0, 0));
    for (i, c) in failing.iter().enumerate() {
        let h = hours(c.effort) as usize;
        for from in (0..=max - h).rev() {
            if frontier[from].is_empty() {
                continue;
            }
            let grown: Vec<(f64, u32, u64)> = frontier[from]
                .iter()
                .map(|&(g, p, set)| (g + gain(c), p + c.priority, set | 1 << i))
                .collect();
            let to = &mut frontier[from + h];
            to.extend(grown);
            pareto(to);
        }
    }
    frontier.iter().find_map(|sets| {
        sets.iter()
            .filter(|(g, _, _)| score_of(got + g, total) >= fail_under)
            .max_by_key(|(_, p, _)| *p)
            .map(|&(_, _, set)| {
                failing
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| set & (1 << i) != 0)
                    .map(|(_, c)| *c)
                    .collect()
            })
    })
}

/// Keep the sets that no other set beats on both gain and priority.
fn pareto(sets: &mut Vec<(f64, u32, u64)>) {
    sets.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut best_priority = None;
    sets.retain(|&(_, p, _)| {
        let keep = best_priority.is_none_or(|b| p > b);
        if keep {
            best_priority = Some(p);
        }
        keep
    });
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
                effort: items.iter().map(|i| u32::from(i.effort)).sum(),
                effort_text: total_effort_words(items.iter().map(|i| i.effort)),
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
            apps: Vec::new(),
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
            content_fingerprint: String::new(),
            legacy_fingerprint: String::new(),
            waiver: None,
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
        // Week totals add each rule's hours once, however many its sites.
        assert_eq!(
            (plan[1].effort, plan[1].effort_text.as_str()),
            (2, "about 4 hours")
        );
        assert_eq!(
            (plan[3].effort, plan[3].effort_text.as_str()),
            (1, "under an hour")
        );
        assert_eq!(plan[0].effort_text, "nothing to do");
        assert_eq!(plan[4].title, "operations");
    }

    fn check(id: &str, status: Status, impact: u8, effort: u8, fraction: f64) -> Check {
        Check {
            id: id.into(),
            pillar: "testing",
            title: String::new(),
            status,
            impact,
            risk: 5,
            effort,
            priority: crate::score::priority(impact, 5, effort),
            week: 1,
            pass_fraction: fraction,
            skip_reason: None,
            evidence: vec![],
        }
    }

    /// Weights 25 (pass), 25, 20, 15, 10, 5 (fail), 25 (unknown):
    /// score = 25 / 100 = 25.
    fn sample() -> Vec<Check> {
        vec![
            check("done", Status::Pass, 5, 1, 1.0),
            check("big-slow", Status::Fail, 5, 5, 0.0),
            check("mid", Status::Fail, 4, 2, 0.0),
            check("small-a", Status::Fail, 3, 1, 0.0),
            check("small-b", Status::Fail, 2, 1, 0.0),
            check("tiny", Status::Fail, 1, 1, 0.0),
            check("unread", Status::Unknown, 5, 1, 0.0),
        ]
    }

    #[test]
    fn cheapest_by_hours_not_by_points() {
        // 50 needs 25 more: big-slow alone (80 hours) or small-a + small-b
        // (2 hours, gain exactly 25). Points would tie them (5 against 2+…).
        let t = target(&sample(), Some(25), 50);
        assert!(!t.met);
        assert_eq!(t.fixes, vec!["small-a", "small-b"]);
        assert_eq!(t.score_after, Some(50));
        assert_eq!(t.effort, 2);
        assert_eq!(t.effort_text, "about 2 hours");
    }

    #[test]
    fn equal_hours_go_to_the_higher_priority() {
        // 35 needs 9.5 more (the score rounds): small-a (gain 15) and
        // small-b (gain 10) each reach it in one hour; small-a has the
        // higher priority and wins the tie.
        let t = target(&sample(), Some(25), 35);
        assert_eq!(t.fixes, vec!["small-a"]);
        assert_eq!(t.score_after, Some(40));
    }

    #[test]
    fn met_unreachable_and_unscored_targets() {
        let t = target(&sample(), Some(25), 20);
        assert!(t.met);
        assert!(t.fixes.is_empty());
        // Fixing everything reaches 100: any target is reachable.
        let t = target(&sample(), Some(25), 100);
        assert_eq!(t.score_after, Some(100));
        assert_eq!(t.fixes.len(), 5);
        assert_eq!(t.fixes[0], "small-a", "cheapest first, then priority");
        assert_eq!(t.fixes.last().unwrap(), "big-slow");
        let t = target(&sample(), None, 10);
        assert!(!t.met);
        assert_eq!(t.score_after, None);
        assert!(t.fixes.is_empty());
    }

    /// The search agrees with trying every subset on a set small enough to
    /// enumerate.
    #[test]
    fn knapsack_matches_brute_force() {
        let checks = sample();
        let (got, total) = sums(&checks);
        let failing: Vec<&Check> = checks.iter().filter(|c| c.status == Status::Fail).collect();
        for goal in 26..=100 {
            let mut best: Option<(u32, std::cmp::Reverse<u32>)> = None;
            for set in 0u32..(1 << failing.len()) {
                let chosen: Vec<&&Check> = failing
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| set & (1 << i) != 0)
                    .map(|(_, c)| c)
                    .collect();
                let g: f64 = chosen.iter().map(|c| gain(c)).sum();
                if score_of(got + g, total) < goal {
                    continue;
                }
                let key = (
                    chosen.iter().map(|c| hours(c.effort)).sum::<u32>(),
                    std::cmp::Reverse(chosen.iter().map(|c| c.priority).sum::<u32>()),
                );
                best = Some(best.map_or(key, |b| b.min(key)));
            }
            let found = cheapest_to(&checks, goal).unwrap();
            let key = (
                found.iter().map(|c| hours(c.effort)).sum::<u32>(),
                std::cmp::Reverse(found.iter().map(|c| c.priority).sum::<u32>()),
            );
            assert_eq!(Some(key), best, "goal {goal}");
        }
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
