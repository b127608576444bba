//! CI steps that deploy: a platform's CLI (`gcloud run deploy`, `fly
//! deploy`, `kubectl apply`, `helm upgrade` …) or a deploy action
//! (`google-github-actions/deploy-cloudrun`, `superfly/flyctl-actions` …).
//!
//! They exist to tell two repositories apart that hold no deployment
//! configuration: one whose app is deployed by CI with settings kept on the
//! platform or in the command line (graduate cannot see its health check,
//! scaling or budget: *unknown*), and one that shows no deployment at all
//! (nothing declares them: *fail*). Without this fact the first would be
//! failed for what it keeps elsewhere, or the second excused for what it
//! lacks. Commands are followed into scripts and make targets like the test
//! commands are, so `make deploy` counts.

use serde::Serialize;

use crate::facts::commands::{expand, segments, words};
use crate::facts::{Facts, Location, ci};

/// One CI step that deploys the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiDeploy {
    pub location: Location,
    /// The platform, in words: "Cloud Run", "Fly.io", "Kubernetes" …
    pub platform: &'static str,
    /// What the step runs: the command or the action.
    pub how: String,
}

/// Command prefixes (as words) that deploy, and the platform they deploy to.
const COMMANDS: &[(&[&str], &str)] = &[
    (&["gcloud", "run", "deploy"], "Cloud Run"),
    (&["gcloud", "run", "services", "replace"], "Cloud Run"),
    (&["gcloud", "app", "deploy"], "App Engine"),
    (&["gcloud", "functions", "deploy"], "Cloud Functions"),
    (&["kubectl", "apply"], "Kubernetes"),
    (&["kubectl", "set", "image"], "Kubernetes"),
    (&["kubectl", "rollout", "restart"], "Kubernetes"),
    (&["helm", "upgrade"], "Helm"),
    (&["helm", "install"], "Helm"),
    (&["aws", "ecs", "update-service"], "Amazon ECS"),
    (&["aws", "lambda", "update-function-code"], "AWS Lambda"),
    (&["aws", "apprunner"], "AWS App Runner"),
    (&["eb", "deploy"], "Elastic Beanstalk"),
    (&["az", "webapp"], "Azure App Service"),
    (&["az", "containerapp"], "Azure Container Apps"),
    (&["fly", "deploy"], "Fly.io"),
    (&["flyctl", "deploy"], "Fly.io"),
    (&["heroku", "container:release"], "Heroku"),
    (&["git", "push", "heroku"], "Heroku"),
    (&["railway", "up"], "Railway"),
    (&["vercel", "deploy"], "Vercel"),
    (&["vercel", "--prod"], "Vercel"),
    (&["netlify", "deploy"], "Netlify"),
    (&["serverless", "deploy"], "Serverless Framework"),
    (&["sls", "deploy"], "Serverless Framework"),
    (&["cdk", "deploy"], "AWS CDK"),
    (&["doctl", "apps"], "DigitalOcean App Platform"),
];

/// `uses:` action prefixes that deploy.
const ACTIONS: &[(&str, &str)] = &[
    ("google-github-actions/deploy-cloudrun", "Cloud Run"),
    ("google-github-actions/deploy-appengine", "App Engine"),
    (
        "google-github-actions/deploy-cloud-functions",
        "Cloud Functions",
    ),
    (
        "aws-actions/amazon-ecs-deploy-task-definition",
        "Amazon ECS",
    ),
    ("azure/webapps-deploy", "Azure App Service"),
    ("azure/container-apps-deploy-action", "Azure Container Apps"),
    ("azure/k8s-deploy", "Kubernetes"),
    ("superfly/flyctl-actions", "Fly.io"),
    ("akhileshns/heroku-deploy", "Heroku"),
    ("amondnet/vercel-action", "Vercel"),
    ("nwtgck/actions-netlify", "Netlify"),
    ("serverless/github-action", "Serverless Framework"),
    ("digitalocean/app_action", "DigitalOcean App Platform"),
];

/// The platform a command line deploys to, if it deploys.
fn platform_of(command: &str) -> Option<&'static str> {
    segments(command).iter().find_map(|seg| {
        let w = words(seg);
        // `npx vercel deploy`, `bunx fly deploy`: the runner is not the tool.
        let w = match w.first().map(String::as_str) {
            Some("npx" | "bunx" | "pnpx" | "sudo") => &w[1..],
            _ => &w[..],
        };
        COMMANDS
            .iter()
            .find(|(prefix, _)| {
                w.len() >= prefix.len() && w.iter().zip(*prefix).all(|(a, b)| a == b)
            })
            .map(|(_, platform)| *platform)
    })
}

fn action_platform(uses: &str) -> Option<&'static str> {
    let lower = uses.to_ascii_lowercase();
    ACTIONS
        .iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
        .map(|(_, platform)| *platform)
}

/// Every CI step that deploys, whatever its trigger (deploys run on a tag,
/// a push to main or by hand).
pub fn find(facts: &Facts) -> Vec<CiDeploy> {
    let mut out: Vec<CiDeploy> = Vec::new();
    for rs in ci::run_steps(&facts.pipelines) {
        let found = match &rs.step.uses {
            Some(uses) => action_platform(uses).map(|p| (p, uses.clone())),
            None => platform_of(&rs.step.command)
                .map(|p| (p, rs.step.command.clone()))
                .or_else(|| {
                    expand(facts, &rs.step.command, rs.step.cwd.as_deref())
                        .into_iter()
                        .find_map(|leaf| platform_of(&leaf.text).map(|p| (p, leaf.text)))
                }),
        };
        if let Some((platform, how)) = found
            && !out.iter().any(|d| d.location == rs.location)
        {
            let how = how.lines().next().unwrap_or("").trim().to_string();
            out.push(CiDeploy {
                location: rs.location.clone(),
                platform,
                how,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(files: &[(&str, &str)]) -> Facts {
        let mut f = Facts::default();
        for (path, text) in files {
            if path.ends_with("Makefile") {
                f.tasks.extend(crate::facts::tasks::parse(path, text));
            } else {
                f.pipelines.extend(ci::parse(path, text).unwrap());
            }
        }
        f
    }

    #[test]
    fn cli_and_action_deploys_are_found_with_their_line() {
        let f = with(&[(
            ".github/workflows/deploy.yml",
            "on:\n  push:\n    tags: ['v*']\njobs:\n  d:\n    steps:\n      - uses: actions/checkout@v4\n      - run: gcloud run deploy api --image gcr.io/x/api --region eu\n      - uses: superfly/flyctl-actions/setup-flyctl@master\n",
        )]);
        let found = find(&f);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].platform, "Cloud Run");
        assert_eq!(found[0].location.line, 8);
        assert_eq!(found[1].platform, "Fly.io");
    }

    #[test]
    fn make_targets_are_followed_and_builds_are_not_deploys() {
        let f = with(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  d:\n    steps:\n      - run: make deploy\n      - run: docker build -t x .\n      - run: kubectl get pods\n",
            ),
            ("Makefile", "deploy:\n\tnpx vercel deploy --prod\n"),
        ]);
        let found = find(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].platform, "Vercel");
        assert_eq!(found[0].how, "npx vercel deploy --prod");
    }
}
