//! Graduation pressure: should this prototype be treated as a product?
//! Each signal shows its measured value and the threshold it is compared
//! with (thresholds from `[pressure]` in .graduate.toml, defaults and their
//! rationale in docs/pressure.md). A signal that cannot be measured (no git,
//! a shallow clone) is `null` and "unknown", never zero.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::facts::Facts;
use crate::facts::git::{History, WINDOW_DAYS};
use crate::inventory::FileKind;
use crate::safe_text::SafeText;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct Thresholds {
    pub contributors: f64,
    pub commits_per_week: f64,
    pub growth_percent: f64,
    pub fixes_per_week: f64,
    pub integrations: f64,
    pub personal_data_kinds: f64,
    /// Changes in 90 days that make a file a churn hotspot.
    pub hotspot_changes: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            contributors: 3.0,
            commits_per_week: 5.0,
            growth_percent: 25.0,
            fixes_per_week: 1.0,
            integrations: 3.0,
            personal_data_kinds: 1.0,
            hotspot_changes: 5,
        }
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Signal {
    pub id: &'static str,
    /// Measured value; `null` when unknown.
    pub value: Option<f64>,
    pub threshold: f64,
    /// `true` when value ≥ threshold; `null` when unknown.
    pub over: Option<bool>,
    pub note: SafeText,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Hotspot {
    pub path: SafeText,
    /// Commits touching the file in the window.
    pub changes: u32,
    pub lines: u32,
    /// changes × (1 + log10(lines + 1)): churn weighed by size.
    pub score: f64,
    /// Rules with debt in this file.
    pub debt: Vec<String>,
}

impl Pressure {
    /// The verdict in words: "keep as prototype", "not assessed" …
    pub fn verdict_words(&self) -> String {
        self.verdict.replace('-', " ")
    }

    /// Every signal with its value against its threshold, in one line:
    /// "contributors 2/3 · commits-per-week ?/5 …" (`?` when unknown, `▲`
    /// after a signal over its threshold).
    pub fn signals_line(&self) -> String {
        self.signals
            .iter()
            .map(|s| {
                let value = s.value.map_or("?".to_string(), |v| v.to_string());
                let over = if s.over == Some(true) { " ▲" } else { "" };
                format!("{} {value}/{}{over}", s.id, s.threshold)
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Pressure {
    /// `graduate`, `watch`, `keep-as-prototype`, or `not-assessed` when the
    /// history is unknown and the code signals alone show no pressure (a
    /// prototype cannot be called one without its history).
    pub verdict: &'static str,
    /// One sentence per signal over its threshold (or why it is unknown).
    pub reasons: Vec<SafeText>,
    pub signals: Vec<Signal>,
    pub hotspots: Vec<Hotspot>,
    /// Commits read in the window, or null when history is unknown.
    pub commits_read: Option<usize>,
    pub window_days: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_unknown: Option<SafeText>,
}

/// Commits in the last 30 days below which growth is not a signal.
const MIN_GROWTH_COMMITS: f64 = 8.0;

/// Third-party SDK packages and the integration each is, from
/// `rules/integrations.toml`.
#[derive(serde::Deserialize)]
struct SdkTable {
    sdk: Vec<Sdk>,
}

#[derive(serde::Deserialize)]
struct Sdk {
    package: String,
    name: String,
}

static SDKS: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
    let t: SdkTable = toml::from_str(include_str!("../rules/integrations.toml"))
        .unwrap_or_else(|e| panic!("rules/integrations.toml: {e}"));
    t.sdk.into_iter().map(|s| (s.package, s.name)).collect()
});

pub fn evaluate(facts: &Facts, history: &History, t: &Thresholds, now: i64) -> Pressure {
    let mut signals = Vec::new();
    let mut hotspots = Vec::new();
    let (commits_read, history_unknown) = match history {
        History::Known { commits, truncated } => {
            let days = |d: i64| now - d * 86_400;
            let weeks = WINDOW_DAYS as f64 / 7.0;
            let authors = |from: i64, to: i64| -> BTreeSet<&str> {
                commits
                    .iter()
                    .filter(|c| c.time > from && c.time <= to)
                    .map(|c| c.author.as_str())
                    .collect()
            };
            let contributors = authors(days(90), now).len() as f64;
            let recent = authors(days(45), now).len() as i64;
            let earlier = authors(days(90), days(45)).len() as i64;
            signals.push(signal(
                "contributors",
                Some(contributors),
                t.contributors,
                format!(
                    "distinct authors in {WINDOW_DAYS} days; trend {:+} (last 45 days vs the 45 before)",
                    recent - earlier
                ),
            ));
            let per_week = commits.len() as f64 / weeks;
            signals.push(signal(
                "commits-per-week",
                Some(round1(per_week)),
                t.commits_per_week,
                format!(
                    "{} non-merge commits in {WINDOW_DAYS} days{}",
                    commits.len(),
                    if *truncated { " (bounded walk)" } else { "" }
                ),
            ));
            let last = commits.iter().filter(|c| c.time > days(30)).count() as f64;
            let before = commits
                .iter()
                .filter(|c| c.time > days(60) && c.time <= days(30))
                .count() as f64;
            let growth = if before == 0.0 {
                if last > 0.0 { 100.0 } else { 0.0 }
            } else {
                (last - before) / before * 100.0
            };
            let mut g = signal(
                "growth-percent",
                Some(round1(growth)),
                t.growth_percent,
                format!("commits in the last 30 days ({last}) against the 30 before ({before})"),
            );
            // A handful of commits is no trend: 1 after 0 is not "100% growth".
            if last < MIN_GROWTH_COMMITS {
                g.over = Some(false);
                g.note = format!("{}; too few commits to call it growth", g.note).into();
            }
            signals.push(g);
            let fixes = commits.iter().filter(|c| is_fix(&c.subject)).count();
            signals.push(signal(
                "fixes-per-week",
                Some(round1(fixes as f64 / weeks)),
                t.fixes_per_week,
                format!("{fixes} fix/hotfix/revert commits in {WINDOW_DAYS} days"),
            ));
            hotspots = churn(facts, commits, t.hotspot_changes);
            (Some(commits.len()), None)
        }
        History::Unknown(why) => {
            for (id, th) in [
                ("contributors", t.contributors),
                ("commits-per-week", t.commits_per_week),
                ("growth-percent", t.growth_percent),
                ("fixes-per-week", t.fixes_per_week),
            ] {
                signals.push(signal(id, None, th, format!("unknown: {why}")));
            }
            (None, Some(why.clone()))
        }
    };
    // Integration surface: distinct external hosts plus third-party SDKs.
    let mut surface: BTreeMap<String, String> = BTreeMap::new();
    for h in &facts.external_hosts {
        surface
            .entry(h.host.clone())
            .or_insert_with(|| format!("{}:{}", h.location.path, h.location.line));
    }
    for m in &facts.manifests {
        for d in m.deps.iter().filter(|d| !d.dev) {
            if let Some((_, name)) = SDKS.iter().find(|(pkg, _)| *pkg == d.name) {
                surface
                    .entry(name.to_string())
                    .or_insert_with(|| format!("{}:{}", m.path, d.line));
            }
        }
    }
    signals.push(signal(
        "integrations",
        Some(surface.len() as f64),
        t.integrations,
        if surface.is_empty() {
            "no external host or third-party SDK found".into()
        } else {
            surface
                .iter()
                .take(6)
                .map(|(k, at)| format!("{k} ({at})"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    let kinds: BTreeMap<&str, String> = facts
        .pii_fields
        .iter()
        .map(|f| (f.kind, format!("{}:{}", f.location.path, f.location.line)))
        .rev()
        .collect();
    signals.push(signal(
        "personal-data",
        Some(kinds.len() as f64),
        t.personal_data_kinds,
        if kinds.is_empty() {
            "no personal-data field found in models or schemas".into()
        } else {
            kinds
                .iter()
                .map(|(k, at)| format!("{k} ({at})"))
                .collect::<Vec<_>>()
                .join(", ")
        },
    ));
    let over: Vec<&Signal> = signals.iter().filter(|s| s.over == Some(true)).collect();
    // Without history, "keep as prototype" would claim what was not
    // measured: the code signals can show pressure, never its absence.
    let verdict = match (over.len(), &history_unknown) {
        (3.., _) => "graduate",
        (1..=2, _) => "watch",
        (_, Some(_)) => "not-assessed",
        _ => "keep-as-prototype",
    };
    let mut reasons: Vec<String> = over.iter().map(|s| reason(s)).collect();
    if let Some(why) = &history_unknown {
        reasons.push(if over.is_empty() {
            format!(
                "Not assessed: the history signals are unknown ({why}), and the code signals \
                 alone show no pressure."
            )
        } else {
            format!(
                "History signals are unknown ({why}), so the verdict rests on the code alone: \
                 at least this."
            )
        });
    }
    if over.is_empty() && history_unknown.is_none() {
        reasons.push("No signal reaches its threshold: a prototype can stay a prototype.".into());
    }
    Pressure {
        verdict,
        reasons: reasons.into_iter().map(SafeText::from).collect(),
        signals,
        hotspots,
        commits_read,
        window_days: WINDOW_DAYS,
        history_unknown: history_unknown.map(SafeText::from),
    }
}

fn signal(id: &'static str, value: Option<f64>, threshold: f64, note: String) -> Signal {
    Signal {
        id,
        value,
        threshold,
        over: value.map(|v| v >= threshold),
        note: note.into(),
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn reason(s: &Signal) -> String {
    let v = s.value.unwrap_or(0.0);
    match s.id {
        "contributors" => format!(
            "{v} people committed in 90 days (threshold {}): more than one head holds this app.",
            s.threshold
        ),
        "commits-per-week" => format!(
            "{v} commits a week (threshold {}): it changes often.",
            s.threshold
        ),
        "growth-percent" => format!(
            "Commit rate grew {v}% month over month (threshold {}%).",
            s.threshold
        ),
        "fixes-per-week" => format!(
            "{v} fix or hotfix commits a week (threshold {}): production is already hurting.",
            s.threshold
        ),
        "integrations" => format!(
            "It talks to {v} external services (threshold {}): each is a way to fail.",
            s.threshold
        ),
        "personal-data" => format!(
            "It stores {v} kind(s) of personal data (threshold {}): a breach would matter.",
            s.threshold
        ),
        _ => format!("{} is {v} (threshold {}).", s.id, s.threshold),
    }
}

/// Conventional-commit fix types and the words teams use.
fn is_fix(subject: &str) -> bool {
    let s = subject.trim().to_ascii_lowercase();
    let conventional = ["fix", "hotfix", "revert", "bugfix"].iter().any(|t| {
        s.strip_prefix(t).is_some_and(|rest| {
            rest.starts_with(':') || rest.starts_with('(') || rest.starts_with("!:")
        })
    });
    conventional
        || s.starts_with("revert \"")
        || s.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| matches!(w, "hotfix" | "bugfix" | "fixes" | "fixed" | "fix"))
}

fn churn(facts: &Facts, commits: &[crate::facts::git::Commit], min_changes: u32) -> Vec<Hotspot> {
    let mut changes: HashMap<&str, u32> = HashMap::new();
    for c in commits {
        for f in &c.files {
            *changes.entry(f.as_str()).or_default() += 1;
        }
    }
    let mut spots: Vec<Hotspot> = facts
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Source(_)) && !f.is_test)
        .filter_map(|f| {
            let n = *changes.get(f.path.as_str())?;
            (n >= min_changes).then(|| Hotspot {
                path: f.path.clone().into(),
                changes: n,
                lines: f.lines,
                score: round1(n as f64 * (1.0 + (f.lines as f64 + 1.0).log10())),
                debt: Vec::new(),
            })
        })
        .collect();
    spots.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.path.cmp(&b.path)));
    spots.truncate(10);
    spots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_subjects() {
        for s in [
            "fix: crash",
            "fix(api): x",
            "hotfix login",
            "Revert \"feat: y\"",
            "fixes #12",
            "feat!: x; fixed z",
        ] {
            assert!(is_fix(s), "{s}");
        }
        for s in ["feat: add prefix", "refactor fixtures", "suffix handling"] {
            assert!(!is_fix(s), "{s}");
        }
    }
}
