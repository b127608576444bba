//! `alerting-rules`: alerts are defined as code — Prometheus alerting rules
//! (plain rule files or a PrometheusRule), Alertmanager routing, Grafana
//! alert provisioning, Datadog monitors (JSON or Terraform), CloudWatch
//! alarms, GCP alert policies, Azure metric alerts, New Relic conditions.
//! Alerts clicked together in a UI are invisible to review and lost with the
//! account; alerts in the repository change with the code they watch.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() {
        return Outcome::not_applicable("no application code to alert on");
    }
    let evidence: Vec<Evidence> = facts
        .hygiene
        .alert_rules
        .iter()
        .map(|m| Evidence::at(&m.location, m.note.clone()))
        .collect();
    if evidence.is_empty() {
        return Outcome::fail(
            Finding::missing("no alert rules defined as code"),
            Vec::new(),
        );
    }
    Outcome::pass(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::hygiene;
    use crate::inventory::Lang;
    use crate::rules::Status;

    #[test]
    fn terraform_monitor_passes() {
        let mut f = Facts {
            languages: vec![Lang::Python],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.hygiene.extend(hygiene::extract(
            "infra/alerts.tf",
            "resource \"datadog_monitor\" \"errors\" {\n}\n",
        ));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
