//! Repository hygiene: dependency-update bots, code owners, alert rules and
//! SLO definitions kept as code. (`.gitignore` files are their own facts:
//! `facts::gitignore`.)
//!
//! These are recognised by content, not only by name: a Prometheus rule
//! file can be called anything, an SLO can be an OpenSLO, Sloth, Pyrra or
//! slo-generator document, a Terraform resource or a page of prose with
//! targets in it. Each reader is a cheap line scan; YAML is not parsed here
//! because the shapes differ per tool and only their markers matter.

use serde::Serialize;

use crate::facts::Location;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct HygieneFacts {
    pub dependency_updates: Vec<Marker>,
    pub codeowners: Vec<Marker>,
    pub alert_rules: Vec<Marker>,
    pub slos: Vec<Marker>,
}

impl HygieneFacts {
    pub fn extend(&mut self, o: HygieneFacts) {
        super::move_all(&mut self.dependency_updates, o.dependency_updates);
        super::move_all(&mut self.codeowners, o.codeowners);
        super::move_all(&mut self.alert_rules, o.alert_rules);
        super::move_all(&mut self.slos, o.slos);
    }
}

/// One thing found, with what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marker {
    pub location: Location,
    pub note: String,
}

fn mark(path: &str, line: u32, note: impl Into<String>) -> Marker {
    Marker {
        location: Location::new(path, line),
        note: note.into(),
    }
}

fn first_line(text: &str, pred: impl Fn(&str) -> bool) -> Option<u32> {
    text.lines().position(pred).map(|i| i as u32 + 1)
}

/// Names read by [`extract`] whatever their kind.
pub fn is_hygiene_file(path: &str) -> bool {
    let name = crate::inventory::file_name(path);
    matches!(
        name,
        "CODEOWNERS" | ".renovaterc" | ".renovaterc.json" | "renovate.json" | "renovate.json5"
    ) || path == ".github/dependabot.yml"
        || path == ".github/dependabot.yaml"
}

pub fn extract(path: &str, text: &str) -> HygieneFacts {
    let mut h = HygieneFacts::default();
    let name = crate::inventory::file_name(path);
    let lower = name.to_ascii_lowercase();
    if name == "CODEOWNERS" {
        // GitHub reads .github/, the root and docs/; GitLab also .gitlab/.
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        if matches!(dir, "" | ".github" | "docs" | ".gitlab") {
            let rules: Vec<u32> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| {
                    let t = l.trim();
                    !t.is_empty() && !t.starts_with('#') && !t.starts_with('[') && t.contains('@')
                })
                .map(|(i, _)| i as u32 + 1)
                .collect();
            if let Some(first) = rules.first() {
                h.codeowners.push(mark(
                    path,
                    *first,
                    format!("CODEOWNERS with {} ownership rule(s)", rules.len()),
                ));
            }
        }
        return h;
    }
    if path == ".github/dependabot.yml" || path == ".github/dependabot.yaml" {
        // Parsed as YAML: `updates: []`, or entries only in comments,
        // update nothing.
        let ecosystems: Vec<String> = crate::facts::yaml::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|d| {
                d.get("updates")?.as_array().map(|u| {
                    u.iter()
                        .filter_map(|e| e.get("package-ecosystem")?.as_str())
                        .map(str::to_string)
                        .collect()
                })
            })
            .unwrap_or_default();
        if !ecosystems.is_empty() {
            let line = first_line(text, |l| {
                l.trim_start()
                    .trim_start_matches("- ")
                    .starts_with("package-ecosystem")
            })
            .unwrap_or(1);
            h.dependency_updates.push(mark(
                path,
                line,
                format!("Dependabot for {}", ecosystems.join(", ")),
            ));
        }
        return h;
    }
    if lower.starts_with("renovate.json") || lower.starts_with(".renovaterc") {
        h.dependency_updates.push(mark(path, 1, "Renovate config"));
        return h;
    }
    if name == "package.json" {
        if let Some(line) = first_line(text, |l| l.trim_start().starts_with("\"renovate\"")) {
            h.dependency_updates
                .push(mark(path, line, "Renovate config in package.json"));
        }
        return h;
    }
    if lower.ends_with(".tf") {
        terraform(path, text, &mut h);
        return h;
    }
    if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        yaml(path, text, &mut h);
    }
    if lower.ends_with(".json")
        && text.contains("\"query\"")
        && (text.contains("\"metric alert\"")
            || text.contains("\"query alert\"")
            || text.contains("\"log alert\"")
            || text.contains("\"service check\""))
    {
        h.alert_rules.push(mark(
            path,
            first_line(text, |l| l.contains("alert\"")).unwrap_or(1),
            "Datadog monitor (JSON)",
        ));
    }
    h
}

fn yaml(path: &str, text: &str, h: &mut HygieneFacts) {
    // A line that starts with `p` holds it: one substring search of the
    // text rules out most markers, where each was a pass over every line
    // of every YAML file (a dozen of them per file).
    let has_line = |p: &str| {
        if !text.contains(p) {
            return None;
        }
        first_line(text, |l| {
            l.trim_start().trim_start_matches("- ").starts_with(p)
        })
    };
    // SLO specifications.
    for (marker, note) in [
        ("apiVersion: openslo/", "OpenSLO"),
        ("apiVersion: sloth.slok.dev/", "Sloth SLO"),
        ("apiVersion: pyrra.dev/", "Pyrra ServiceLevelObjective"),
        ("apiVersion: sre.google.com/", "slo-generator SLO"),
    ] {
        if let Some(line) = has_line(marker) {
            h.slos.push(mark(path, line, note));
        }
    }
    if text.contains("slos:")
        && (text.contains("version: \"prometheus/v1\"") || text.contains("version: prometheus/v1"))
    {
        h.slos
            .push(mark(path, has_line("slos:").unwrap_or(1), "Sloth SLO"));
    }
    if has_line("slo_name:").is_some() && has_line("goal:").is_some() {
        h.slos.push(mark(
            path,
            has_line("slo_name:").unwrap_or(1),
            "slo-generator SLO",
        ));
    }
    // Prometheus recording rules named like SLIs: `record: sli:…`,
    // `record: slo:sli_error:ratio_rate5m`, `…:error_budget…`.
    if text.contains("record:")
        && let Some(line) = first_line(text, |l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix("record:").is_some_and(|r| {
                let r = r.to_ascii_lowercase();
                r.contains("sli") || r.contains("slo") || r.contains("error_budget")
            })
        })
    {
        h.slos
            .push(mark(path, line, "Prometheus recording rule for an SLI"));
    }
    // Alert rules.
    let alert = has_line("alert:");
    if let Some(line) = alert.filter(|_| text.contains("expr:")) {
        let note = if text.contains("kind: PrometheusRule") {
            "PrometheusRule alerts"
        } else {
            "Prometheus alerting rules"
        };
        h.alert_rules.push(mark(path, line, note));
    } else if has_line("receivers:").is_some() && has_line("route:").is_some() {
        h.alert_rules.push(mark(
            path,
            has_line("route:").unwrap_or(1),
            "Alertmanager routing",
        ));
    } else if text.contains("apiVersion: 1")
        && has_line("condition:").is_some()
        && has_line("rules:").is_some()
    {
        h.alert_rules.push(mark(
            path,
            has_line("condition:").unwrap_or(1),
            "Grafana alert provisioning",
        ));
    } else if text.contains("apiVersion: 1") && has_line("contactPoints:").is_some() {
        h.alert_rules.push(mark(
            path,
            has_line("contactPoints:").unwrap_or(1),
            "Grafana contact points",
        ));
    }
}

fn terraform(path: &str, text: &str, h: &mut HygieneFacts) {
    for (i, l) in text.lines().enumerate() {
        let Some(rest) = l.trim_start().strip_prefix("resource \"") else {
            continue;
        };
        let Some(ty) = rest.split('"').next() else {
            continue;
        };
        let line = i as u32 + 1;
        match ty {
            "datadog_monitor"
            | "google_monitoring_alert_policy"
            | "azurerm_monitor_metric_alert"
            | "azurerm_monitor_scheduled_query_rules_alert_v2"
            | "grafana_rule_group"
            | "newrelic_alert_condition"
            | "newrelic_nrql_alert_condition"
            | "aws_cloudwatch_metric_alarm"
            | "aws_cloudwatch_composite_alarm"
            | "opsgenie_alert_policy" => {
                h.alert_rules
                    .push(mark(path, line, format!("terraform {ty}")))
            }
            "google_monitoring_slo"
            | "datadog_service_level_objective"
            | "newrelic_service_level"
            | "grafana_slo"
            | "dynatrace_slo" => h.slos.push(mark(path, line, format!("terraform {ty}"))),
            _ => {}
        }
    }
}

/// Objectives stated in an SLO file or document: "99.9% availability",
/// "p95 < 250 ms", an OpenSLO/Sloth `target: 0.999`. At most five, in order.
pub fn slo_objectives(text: &str) -> Vec<String> {
    use std::sync::LazyLock;
    static PERCENT: LazyLock<regex::Regex> = LazyLock::new(|| {
        crate::facts::pattern::regex(
            r"(?i)\b(9\d(?:\.\d+)?)\s?%(?:[^.\n]{0,40}?\b(availability|success|uptime|latency|requests|error))?",
        )
    });
    static LATENCY: LazyLock<regex::Regex> = LazyLock::new(|| {
        crate::facts::pattern::regex(
            r"(?i)\b(p(?:50|90|95|99|99\.9))\b[^\n\d]{0,20}?(?:<=?|under|below|less than|within)\s*(\d+)\s*(ms|s)\b",
        )
    });
    static TARGET: LazyLock<regex::Regex> = LazyLock::new(|| {
        crate::facts::pattern::regex(
            r"(?m)^\s*(?:target|objective|goal)\s*:\s*(0\.\d+|9\d(?:\.\d+)?)\s*$",
        )
    });
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) && out.len() < 5 {
            out.push(s);
        }
    };
    for c in TARGET.captures_iter(text) {
        let v: f64 = c[1].parse().unwrap_or(0.0);
        let pct = if v < 1.0 { v * 100.0 } else { v };
        push(format!("{}% target", (pct * 1000.0).round() / 1000.0));
    }
    for c in PERCENT.captures_iter(text) {
        match c.get(2) {
            Some(what) => push(format!("{}% {}", &c[1], what.as_str().to_ascii_lowercase())),
            None => push(format!("{}%", &c[1])),
        }
    }
    for c in LATENCY.captures_iter(text) {
        push(format!(
            "{} < {} {}",
            c[1].to_ascii_lowercase(),
            &c[2],
            &c[3]
        ));
    }
    out
}

/// A document with SLO targets: it names an SLO (or SLI), an error budget,
/// and gives a percentage target such as 99.9%. Kept deliberately simple.
pub fn slo_document(path: &str, text: &str) -> Option<Marker> {
    let lower = text.to_ascii_lowercase();
    let names_slo = lower.contains("slo")
        && (lower.contains("service level objective")
            || lower.contains(" slo ")
            || lower.contains("slo:")
            || lower.contains("slos")
            || lower.contains("# slo"));
    if !(names_slo && lower.contains("error budget")) {
        return None;
    }
    static TARGET: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| crate::facts::pattern::regex(r"\b9\d(?:\.\d+)?\s?%"));
    let line = text.lines().position(|l| TARGET.is_match(l))? as u32 + 1;
    Some(mark(
        path,
        line,
        "document with SLO targets and an error budget",
    ))
}

#[cfg(test)]
mod objective_tests {
    #[test]
    fn objectives_are_reported() {
        assert_eq!(
            super::slo_objectives(
                "Availability: 99.9% of requests succeed.\nLatency: p95 under 250 ms.\n"
            ),
            vec!["99.9% requests", "p95 < 250 ms"]
        );
        assert_eq!(
            super::slo_objectives("spec:\n  target: 0.995\n"),
            vec!["99.5% target"]
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_rules_and_slos() {
        let text = "groups:\n  - name: api\n    rules:\n      - record: slo:sli_error:ratio_rate5m\n        expr: sum(rate(x[5m]))\n      - alert: HighErrorRate\n        expr: x > 0.01\n";
        let h = extract("monitoring/rules.yml", text);
        assert_eq!(h.alert_rules[0].location.line, 6);
        assert_eq!(h.slos[0].location.line, 4);
        let h = extract("slo/api.yaml", "apiVersion: openslo/v1\nkind: SLO\n");
        assert_eq!(h.slos[0].note, "OpenSLO");
    }

    #[test]
    fn codeowners_locations() {
        assert_eq!(
            extract(".github/CODEOWNERS", "# owners\n* @acme/team\n").codeowners[0]
                .location
                .line,
            2
        );
        assert!(extract("src/CODEOWNERS", "* @x\n").codeowners.is_empty());
        assert!(
            extract("CODEOWNERS", "# nobody yet\n")
                .codeowners
                .is_empty()
        );
    }

    #[test]
    fn slo_document_needs_targets() {
        assert!(slo_document("docs/slo.md", "# SLOs\nAvailability SLO: 99.9% of requests succeed.\nError budget: 43 minutes a month.\n").is_some());
        assert!(slo_document("README.md", "We should define SLOs some day.\n").is_none());
    }
}
