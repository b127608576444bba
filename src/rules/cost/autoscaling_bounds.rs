//! `autoscaling-bounds`, per site: every resource that adds instances on
//! demand declares a maximum — an HPA's `maxReplicas`, a KEDA
//! `maxReplicaCount`, Knative/Cloud Run max-scale, App Engine
//! `max_instances`, render `maxInstances`, a Lambda's reserved concurrency,
//! an autoscaling group's `max_size`. A serverless function without
//! `reservedConcurrency` scales with whatever traffic (or retry storm)
//! arrives, and so does the bill. Fixed-size deployments (fly machines,
//! render `numInstances`, Kubernetes replicas without an autoscaler) are
//! bounded by construction.
//!
//! A repository that says nothing about scaling (no deployment config, or
//! only a Dockerfile or compose file, which run anywhere) fails: nothing in
//! it bounds the instances, and hiding the deployment must not score better
//! than showing one without a maximum (docs/scoring.md). It is `unknown`
//! when CI deploys the app with a platform's CLI or action: the platform
//! holds the scaling settings.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome, deployed_elsewhere};

/// Platforms whose manifests are the scaling decision even without an
/// autoscaler: a fixed replica count.
const FIXED_BY_MANIFEST: &[&str] = &["kubernetes", "kustomize", "helm"];

pub fn check(facts: &Facts) -> Outcome {
    let d = &facts.deploy;
    let clean: Vec<Evidence> = d
        .scaling
        .iter()
        .filter_map(|s| {
            let max = s.max.as_ref()?;
            Some(Evidence::at(&s.location, format!("{}: max {max}", s.note)))
        })
        .collect();
    let mut bad: Vec<(Evidence, Finding)> = d
        .scaling
        .iter()
        .filter(|s| s.max.is_none())
        .map(|s| {
            (
                Evidence::at(&s.location, format!("{}: no maximum", s.note)),
                Finding::at(
                    &s.location,
                    format!(
                        "{} ({}) scales without a declared maximum",
                        s.note, s.platform
                    ),
                ),
            )
        })
        .collect();
    // Platforms that autoscale but whose config had nothing to say at all.
    for t in d.targets.iter().filter(|t| t.autoscales) {
        if !d.scaling.iter().any(|s| s.location.path == t.location.path) {
            bad.push((
                Evidence::file(
                    &t.location.path,
                    format!("{} scales on demand; no limit declared", t.platform),
                ),
                Finding::at(
                    &t.location,
                    format!("{} scales on demand with no declared maximum", t.platform),
                ),
            ));
        }
    }
    if clean.is_empty() && bad.is_empty() {
        let fixed: Vec<&str> = d
            .targets
            .iter()
            .filter(|t| FIXED_BY_MANIFEST.contains(&t.platform))
            .map(|t| t.location.path.as_str())
            .collect();
        if let Some(path) = fixed.first() {
            return Outcome::pass(vec![Evidence::file(
                path,
                "fixed replica count: no autoscaler, so no unbounded scaling",
            )]);
        }
        if let Some(why) = deployed_elsewhere(facts, "scaling") {
            return Outcome::unknown(why);
        }
        let (message, evidence) = match d.targets.first() {
            None => (
                "no deployment configuration in the repository bounds how many instances run",
                Vec::new(),
            ),
            Some(t) => (
                "the deployment files do not say how many instances run: no maximum is declared",
                vec![Evidence::file(
                    &t.location.path,
                    format!("{} does not declare how the app scales", t.platform),
                )],
            ),
        };
        return Outcome::fail(Finding::missing(message), evidence);
    }
    Outcome::sites(clean, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::deploy;
    use crate::rules::Status;

    fn with(path: &str, text: &str) -> Facts {
        let mut f = Facts::default();
        f.deploy
            .extend(deploy::extract(path, text, &mut Vec::new()));
        f
    }

    #[test]
    fn serverless_function_without_reserved_concurrency_fails() {
        let out = check(&with(
            "serverless.yml",
            "functions:\n  api:\n    handler: h.api\n  cron:\n    handler: h.c\n    reservedConcurrency: 1\n",
        ));
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.clean_sites, Some(1));
    }

    #[test]
    fn hpa_passes_dockerfile_fails_like_nothing() {
        let out = check(&with(
            "k8s/hpa.yaml",
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\nspec:\n  maxReplicas: 5\n",
        ));
        assert_eq!(out.status, Status::Pass);
        assert!(out.evidence[0].note.contains("max 5"));
        assert_eq!(check(&with("Dockerfile", "FROM x\n")).status, Status::Fail);
        assert_eq!(check(&Facts::default()).status, Status::Fail);
        let mut deployed = with("Dockerfile", "FROM x\n");
        deployed
            .ci_deploys
            .push(crate::facts::deploy_steps::CiDeploy {
                location: crate::facts::Location::new(".github/workflows/deploy.yml", 9),
                platform: "Cloud Run",
                how: "gcloud run deploy api".into(),
            });
        assert_eq!(check(&deployed).status, Status::Unknown);
    }

    #[test]
    fn netlify_without_limits_fails() {
        let out = check(&with(
            "netlify.toml",
            "[build]\ncommand = \"npm run build\"\n",
        ));
        assert_eq!(out.status, Status::Fail);
    }
}
