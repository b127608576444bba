//! `metrics-exported`: the app exports application metrics (Prometheus
//! client, OpenTelemetry metrics, StatsD), used in code rather than only
//! declared. not applicable when the repository holds no production source.

use crate::facts::{Facts, PracticeKind};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let used: Vec<_> = facts
        .practices
        .iter()
        .filter(|p| p.kind == PracticeKind::Metrics)
        .map(|p| Evidence::at(&p.location, format!("{} used", p.lib)))
        .collect();
    if !used.is_empty() {
        return Outcome::pass(used);
    }
    if !facts.has_source() {
        return Outcome::not_applicable("no production source code");
    }
    Outcome::fail(
        Finding::missing("no metrics exporter (Prometheus, OpenTelemetry metrics, StatsD) in code"),
        Vec::new(),
    )
}
