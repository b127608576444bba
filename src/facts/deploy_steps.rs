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

use std::sync::LazyLock;

use serde::Serialize;

use crate::facts::commands::{core, expand, segments, words};
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

/// `rules/deploy-steps.toml`: deploy commands and deploy actions.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    command: Vec<CommandRow>,
    action: Vec<ActionRow>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandRow {
    words: Vec<String>,
    platform: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionRow {
    uses: String,
    platform: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut t: Table = toml::from_str(include_str!("../../rules/deploy-steps.toml"))
        .unwrap_or_else(|e| panic!("rules/deploy-steps.toml: {e}"));
    for a in &mut t.action {
        a.uses.make_ascii_lowercase();
    }
    t
});

/// The platform a command line deploys to, if it deploys: its first
/// segment whose command, once wrappers (`npx`, `sudo` …) are peeled off,
/// starts with a row's words.
fn platform_of(command: &str) -> Option<&'static str> {
    segments(command).iter().find_map(|seg| {
        let all = words(seg);
        let (w, _) = core(&all);
        TABLE
            .command
            .iter()
            .find(|row| w.len() >= row.words.len() && w.iter().zip(&row.words).all(|(a, b)| a == b))
            .map(|row| row.platform.as_str())
    })
}

fn action_platform(uses: &str) -> Option<&'static str> {
    let lower = uses.to_ascii_lowercase();
    TABLE
        .action
        .iter()
        .find(|row| lower.starts_with(&row.uses))
        .map(|row| row.platform.as_str())
}

/// Every CI step that deploys, whatever its trigger (deploys run on a tag,
/// a push to main or by hand).
pub fn find(facts: &Facts) -> Vec<CiDeploy> {
    let mut out: Vec<CiDeploy> = Vec::new();
    // A step reached twice (two callers of one reusable workflow) is read
    // once: the same step in the same folder deploys the same way (novu:
    // 15 ms of a 330 ms scan, on one thread, expanding steps again).
    let steps = ci::run_steps(&facts.pipelines);
    let mut seen: std::collections::HashSet<(&crate::facts::Location, Option<&str>)> =
        std::collections::HashSet::new();
    for rs in &steps {
        if !seen.insert((&rs.location, rs.step.cwd.as_deref())) {
            continue;
        }
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

    /// Every row of rules/deploy-steps.toml, as a step of a GitHub Actions
    /// job: each `match` deploys to the row's platform, each `no_match`
    /// deploys nowhere.
    #[test]
    fn every_deploy_row_example_classifies() {
        let step = |kind: &str, text: &str| {
            let line = match kind {
                "run" => format!("      - run: {text}\n"),
                _ => format!("      - uses: {text}\n"),
            };
            let f = with(&[(
                ".github/workflows/deploy.yml",
                &format!("on: [push]\njobs:\n  d:\n    steps:\n{line}"),
            )]);
            find(&f).first().map(|d| d.platform)
        };
        let mut failures = Vec::new();
        let rows = TABLE
            .command
            .iter()
            .map(|r| ("run", &r.platform, &r.matches, &r.no_match))
            .chain(
                TABLE
                    .action
                    .iter()
                    .map(|r| ("uses", &r.platform, &r.matches, &r.no_match)),
            );
        for (kind, platform, matches, no_match) in rows {
            assert!(!matches.is_empty() && !no_match.is_empty(), "{platform}");
            for m in matches {
                let got = step(kind, m);
                if got != Some(platform.as_str()) {
                    failures.push(format!("{m:?} gave {got:?}, want {platform}"));
                }
            }
            for n in no_match {
                if let Some(got) = step(kind, n) {
                    failures.push(format!("{n:?} gave {got}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
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

    /// A reusable workflow's deploy step reached from two callers is one
    /// deploy, at the step's own line, found through the Makefile it runs.
    #[test]
    fn a_step_reached_twice_is_one_deploy() {
        let f = with(&[
            (
                ".github/workflows/release.yml",
                "on: [push]\njobs:\n  eu:\n    uses: ./.github/workflows/ship.yml\n  us:\n    uses: ./.github/workflows/ship.yml\n",
            ),
            (
                ".github/workflows/ship.yml",
                "on: [workflow_call]\njobs:\n  ship:\n    steps:\n      - run: make deploy\n",
            ),
            ("Makefile", "deploy:\n\tflyctl deploy --remote-only\n"),
        ]);
        let steps = ci::run_steps(&f.pipelines).len();
        assert!(steps >= 2, "the step is reached from both callers: {steps}");
        let found = find(&f);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].platform, "Fly.io");
        assert_eq!(
            found[0].location.path.as_str(),
            ".github/workflows/ship.yml"
        );
        assert_eq!(found[0].location.line, 5);
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
