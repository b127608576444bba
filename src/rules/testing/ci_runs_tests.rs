//! `ci-runs-tests`: a CI job triggered by push or pull request runs the test
//! suite. `npm test`-style commands are followed into package.json, and
//! npm's placeholder test script (`echo "Error: no test specified" && exit 1`)
//! does not count. A pipeline only run by hand or on a schedule does not count,
//! and the evidence says so.

use crate::facts::ci::{TestCommand, test_command};
use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

/// Whether a `npm test`-style command runs a real test script.
fn package_script_runs_tests(facts: &Facts) -> Option<String> {
    facts
        .manifests
        .iter()
        .filter_map(|m| m.script("test"))
        .find(|s| !s.command.contains("no test specified"))
        .map(|s| s.command.clone())
}

pub fn check(facts: &Facts) -> Outcome {
    if facts.pipelines.is_empty() {
        return Outcome::fail(
            Finding::missing("no CI pipeline found (.github/workflows, .gitlab-ci.yml, …)"),
            Vec::new(),
        );
    }
    let mut not_triggered = Vec::new();
    let mut placeholder = Vec::new();
    for p in &facts.pipelines {
        for job in &p.jobs {
            for step in &job.steps {
                let Some(cmd) = test_command(&step.command) else {
                    continue;
                };
                let loc = Location::new(&p.path, step.line);
                let runner = match cmd {
                    TestCommand::Runner(r) => r.to_string(),
                    TestCommand::PackageScript => match package_script_runs_tests(facts) {
                        Some(script) => format!("package script `{script}`"),
                        None => {
                            placeholder.push(Evidence::at(
                                &loc,
                                "runs `npm test`, but package.json has no real test script",
                            ));
                            continue;
                        }
                    },
                };
                if p.runs_on_changes() {
                    return Outcome::pass(vec![Evidence::at(
                        &loc,
                        format!(
                            "{} job `{}` runs {runner} on {}",
                            p.system,
                            job.name,
                            p.triggers.join(", ")
                        ),
                    )]);
                }
                not_triggered.push(Evidence::at(
                    &loc,
                    format!(
                        "job `{}` runs {runner}, but only on {}",
                        job.name,
                        if p.triggers.is_empty() {
                            "no trigger".to_string()
                        } else {
                            p.triggers.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    let mut evidence = not_triggered;
    evidence.extend(placeholder);
    let message = if evidence.is_empty() {
        "CI exists but no job runs the test suite".to_string()
    } else {
        "tests are in CI but never run on push or pull request".to_string()
    };
    let finding = match evidence.first() {
        Some(Evidence {
            path: Some(p),
            line: Some(l),
            ..
        }) => Finding::at(&Location::new(p, *l), message),
        _ => Finding::missing(message),
    };
    if evidence.is_empty() {
        evidence = facts
            .pipelines
            .iter()
            .map(|p| {
                Evidence::file(
                    &p.path,
                    format!("{} pipeline with no test command", p.system),
                )
            })
            .collect();
    }
    Outcome::fail(finding, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ci;
    use crate::rules::Status;

    fn with(path: &str, yaml: &str) -> Facts {
        Facts {
            pipelines: vec![ci::parse(path, yaml).unwrap().unwrap()],
            ..Facts::default()
        }
    }

    #[test]
    fn push_triggered_pytest_passes() {
        let f = with(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  t:\n    steps:\n      - run: pytest -q\n",
        );
        let out = check(&f);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].line, Some(5));
    }

    #[test]
    fn dispatch_only_fails_with_evidence() {
        let f = with(
            ".github/workflows/ci.yml",
            "on: workflow_dispatch\njobs:\n  t:\n    steps:\n      - run: go test ./...\n",
        );
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("only on workflow_dispatch"));
    }

    #[test]
    fn npm_placeholder_script_does_not_count() {
        let mut f = with(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  t:\n    steps:\n      - run: npm test\n",
        );
        f.manifests.push(
            crate::facts::manifests::parse(
                "package.json",
                crate::inventory::ManifestKind::PackageJson,
                r#"{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}"#,
            )
            .unwrap(),
        );
        assert_eq!(check(&f).status, Status::Fail);
    }
}
