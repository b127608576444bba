//! `budget-alerts`: a budget or cost alert exists as code — AWS, GCP or
//! Azure budget resources, a billing alarm on `EstimatedCharges`, a cost
//! anomaly subscription, Pulumi budgets — or cost is estimated on every
//! change (an Infracost config or an `infracost` CI step). Budgets usually
//! live at the account level; a repository that deploys an app but holds no
//! budget fails with a pointer to where one would go. So does one with no
//! deployment configuration at all: hiding the deployment must not score
//! better than showing it (docs/scoring.md). When CI deploys the app with a
//! platform's CLI or action and nothing else is in the repository, the
//! account behind it is out of sight and the check is `unknown`.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome, deployed_elsewhere};

pub fn check(facts: &Facts) -> Outcome {
    let d = &facts.deploy;
    let mut evidence: Vec<Evidence> = d
        .budgets
        .iter()
        .map(|b| Evidence::at(&b.location, b.kind.clone()))
        .collect();
    for r in &facts.derived.ci_runs {
        let uses = r.uses.as_deref().unwrap_or("");
        let infracost = uses.starts_with("infracost/")
            || r.command.split_whitespace().any(|w| w == "infracost");
        if infracost {
            evidence.push(Evidence::at(
                &r.location,
                format!("{} job `{}` runs Infracost", r.system, r.job),
            ));
        }
    }
    if !evidence.is_empty() {
        return Outcome::pass(evidence);
    }
    // A Dockerfile is an image, not where it runs or who pays for it.
    if d.targets.iter().all(|t| t.platform == "docker")
        && let Some(why) = deployed_elsewhere(facts, "its account's budget")
    {
        return Outcome::unknown(why);
    }
    let Some(first) = d.targets.first() else {
        return Outcome::fail(
            Finding::missing(
                "no budget or cost alert is defined as code (and no deployment configuration says where the app is billed)",
            ),
            Vec::new(),
        );
    };
    let platforms: Vec<&str> = {
        let mut p: Vec<&str> = d.targets.iter().map(|t| t.platform).collect();
        p.sort();
        p.dedup();
        p
    };
    Outcome::fail(
        Finding::missing(format!(
            "the app is deployed ({}) but no budget or cost alert is defined as code",
            platforms.join(", ")
        )),
        vec![Evidence::file(
            &first.location.path,
            "deployment config without a budget alongside it",
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::deploy;
    use crate::rules::Status;

    #[test]
    fn terraform_budget_passes_bare_dockerfile_fails() {
        let mut f = Facts::default();
        f.deploy
            .extend(deploy::extract("Dockerfile", "FROM x\n", &mut Vec::new()));
        assert_eq!(check(&f).status, Status::Fail);
        f.deploy.extend(deploy::extract(
            "infra/budget.tf",
            "resource \"google_billing_budget\" \"b\" {\n}\n",
            &mut Vec::new(),
        ));
        let out = check(&f);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].line, Some(1));
        assert_eq!(check(&Facts::default()).status, Status::Fail);
        let mut deployed = Facts::default();
        deployed
            .ci_deploys
            .push(crate::facts::deploy_steps::CiDeploy {
                location: crate::facts::Location::new(".github/workflows/deploy.yml", 9),
                platform: "Fly.io",
                how: "flyctl deploy".into(),
            });
        assert_eq!(check(&deployed).status, Status::Unknown);
    }
}
