//! `deploy-health-probe`: the deployment checks the app's health — a
//! Kubernetes probe, a Dockerfile `HEALTHCHECK`, a compose healthcheck on the
//! app's own service, fly/render/App Engine health config, a load-balancer
//! health check — or a synthetic check watches it from outside (Checkly,
//! Datadog or Grafana synthetics, a cloud uptime check, a scheduled workflow
//! that curls the health route). A healthcheck on the database's container
//! says the database is up, not the app: it is named in the evidence and
//! does not count.
//!
//! With no deployment configuration in the repository the check fails:
//! nothing declares a health check, and a repository that hides its
//! deployment must not score better than one that shows a deployment
//! without a probe (docs/scoring.md). It is `unknown` only when CI deploys
//! the app with a platform's CLI or action and the repository holds no
//! deployment of its own beyond a Dockerfile (an image, not where it runs):
//! then the health check lives on the platform.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome, deployed_elsewhere};

/// Scheduled CI jobs that request the health route (the resolve stage
/// finds them).
fn scheduled_health_curls(facts: &Facts) -> Vec<Evidence> {
    facts
        .derived
        .uptime_checks
        .iter()
        .map(|u| {
            Evidence::at(
                &u.location,
                format!(
                    "scheduled {} job `{}` requests the health route",
                    u.system, u.job
                ),
            )
        })
        .collect()
}

pub fn check(facts: &Facts) -> Outcome {
    let d = &facts.deploy;
    let mut evidence: Vec<Evidence> = d
        .probes
        .iter()
        .filter(|p| !p.dependency)
        .map(|p| {
            let on = if p.target.is_empty() {
                String::new()
            } else {
                format!(" on `{}`", p.target)
            };
            Evidence::at(&p.location, format!("{}{on}", p.kind))
        })
        .collect();
    evidence.extend(scheduled_health_curls(facts));
    if !evidence.is_empty() {
        // A repository with a chart, raw manifests and overlays repeats
        // every probe three times; a sample proves the point.
        const SHOWN: usize = 8;
        if evidence.len() > SHOWN {
            let more = evidence.len() - SHOWN;
            evidence.truncate(SHOWN);
            evidence.push(Evidence::note(format!("… and {more} more health checks")));
        }
        return Outcome::pass(evidence);
    }
    let dependency: Vec<Evidence> = d
        .probes
        .iter()
        .filter(|p| p.dependency)
        .map(|p| {
            Evidence::at(
                &p.location,
                format!(
                    "{} on `{}` checks a dependency, not the app",
                    p.kind, p.target
                ),
            )
        })
        .collect();
    // Where the app runs; Terraform/Pulumi describe infrastructure that may
    // or may not run it, and prove nothing by lacking a probe.
    let runtimes: Vec<_> = d
        .targets
        .iter()
        .filter(|t| !matches!(t.platform, "terraform" | "pulumi"))
        .collect();
    let image_only = runtimes.iter().all(|t| t.platform == "docker");
    if image_only
        && dependency.is_empty()
        && let Some(why) = deployed_elsewhere(facts, "the health check")
    {
        let mut out = Outcome::unknown(why);
        out.evidence = runtimes
            .iter()
            .map(|t| Evidence::file(&t.location.path, "image without HEALTHCHECK"))
            .collect();
        return out;
    }
    if runtimes.is_empty() && dependency.is_empty() {
        return Outcome::fail(
            Finding::missing(
                "no deployment configuration in the repository declares a health check for the app",
            ),
            Vec::new(),
        );
    }
    let mut evidence = dependency;
    let mut seen = Vec::new();
    for t in &runtimes {
        if !seen.contains(&&t.location.path) {
            seen.push(&t.location.path);
            evidence.push(Evidence::file(
                &t.location.path,
                format!("{} deployment with no health check", t.platform),
            ));
        }
    }
    let finding = match runtimes.first() {
        Some(t) => Finding::at(
            &t.location,
            format!(
                "the {} deployment never checks the app's health",
                t.platform
            ),
        ),
        None => Finding::missing("no deployment health check for the app"),
    };
    Outcome::fail(finding, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::{ci, deploy};
    use crate::rules::Status;

    fn with(files: &[(&str, &str)]) -> Facts {
        let mut f = Facts::default();
        for (p, t) in files {
            if p.starts_with(".github") {
                f.pipelines.extend(ci::parse(p, t).unwrap());
            } else {
                f.deploy.extend(deploy::extract(p, t, &mut Vec::new()));
            }
        }
        f
    }

    #[test]
    fn database_healthcheck_is_not_the_apps() {
        let out = check(&with(&[(
            "docker-compose.yml",
            "services:\n  api:\n    build: .\n  db:\n    image: postgres:16\n    healthcheck:\n      test: pg_isready\n",
        )]));
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("checks a dependency"));
    }

    #[test]
    fn scheduled_curl_is_an_uptime_check() {
        let out = check(&with(&[(
            ".github/workflows/uptime.yml",
            "on:\n  schedule:\n    - cron: '*/5 * * * *'\njobs:\n  ping:\n    steps:\n      - run: curl -fsS https://api.example.com/healthz\n",
        )]));
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].line, Some(7));
        // A route is a health route by a whole path segment named in
        // rules/libraries.toml `[health]`: `/statuses` is an API listing.
        let out = check(&with(&[(
            ".github/workflows/sync.yml",
            "on:\n  schedule:\n    - cron: '0 * * * *'\njobs:\n  sync:\n    steps:\n      - run: curl -fsS https://api.example.com/statuses?since=1h\n",
        )]));
        assert_eq!(out.status, Status::Fail, "{:?}", out.evidence);
    }

    #[test]
    fn nothing_deployed_fails_like_a_dockerfile_without_healthcheck() {
        let none = check(&Facts::default());
        let image = check(&with(&[(
            "Dockerfile",
            "FROM golang:1.22\nCMD [\"/app\"]\n",
        )]));
        assert_eq!(none.status, Status::Fail);
        assert_eq!(image.status, Status::Fail);
    }

    #[test]
    fn ci_deploy_without_config_is_unknown() {
        let mut f = with(&[("Dockerfile", "FROM golang:1.22\n")]);
        f.ci_deploys.push(crate::facts::deploy_steps::CiDeploy {
            location: crate::facts::Location::new(".github/workflows/deploy.yml", 9),
            platform: "Cloud Run",
            how: "gcloud run deploy api".into(),
        });
        let out = check(&f);
        assert_eq!(out.status, Status::Unknown);
        assert!(out.reason.unwrap().contains("Cloud Run"));
        // A Kubernetes manifest in the repository is the deployment: judged.
        f.deploy.extend(deploy::extract(
            "k8s/api.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n",
            &mut Vec::new(),
        ));
        assert_eq!(check(&f).status, Status::Fail);
    }
}
