//! `ci-runs-tests`: a CI job triggered by push or pull/merge request runs the
//! test suite. Commands are followed to the runner — package.json scripts,
//! make targets, just recipes, shell scripts, compose services — and jobs are
//! followed into reusable workflows, composite actions and GitLab includes,
//! so the evidence names the system, the file:line of the step and the chain.
//! npm's placeholder test script resolves to no runner and does not count; a
//! job only run by hand or on a schedule does not count, and the evidence
//! says so. A CI file that does not parse makes the check `unknown` unless
//! another pipeline already proves it: the broken file may be the one that
//! runs the tests.

use crate::facts::{Facts, Location};
use crate::resolve::{CiRun, Tests};
use crate::rules::{Evidence, Finding, Outcome, unread_ci};

fn chain(rs: &CiRun, hops: &[String]) -> String {
    let all: Vec<&str> = rs.via.iter().chain(hops).map(String::as_str).collect();
    if all.is_empty() {
        String::new()
    } else {
        format!(" (via {})", all.join(" → "))
    }
}

pub fn check(facts: &Facts) -> Outcome {
    let outcome = evaluate(facts);
    match unread_ci(facts) {
        Some(why) if outcome.status == crate::rules::Status::Fail => outcome.into_unknown(why),
        _ => outcome,
    }
}

fn evaluate(facts: &Facts) -> Outcome {
    if facts.pipelines.is_empty() {
        return Outcome::fail(
            Finding::missing("no CI pipeline found (.github/workflows, .gitlab-ci.yml, …)"),
            Vec::new(),
        );
    }
    let mut passing = Vec::new();
    let mut not_triggered = Vec::new();
    let mut no_runner = Vec::new();
    for rs in &facts.derived.ci_runs {
        let (runner, hops) = match &rs.tests {
            Tests::Runs { runner, hops } => (runner, hops),
            Tests::Placeholder(why) => {
                no_runner.push(Evidence::at(
                    &rs.location,
                    format!("{} job `{}`: {why}", rs.system, rs.job),
                ));
                continue;
            }
            Tests::None => continue,
        };
        let matrix = if rs.matrix { " (matrix)" } else { "" };
        if rs.on_changes {
            // One piece of evidence per pipeline is enough to prove it.
            if !passing
                .iter()
                .any(|(origin, _): &(String, Evidence)| *origin == rs.pipeline)
            {
                passing.push((
                    rs.pipeline.clone(),
                    Evidence::at(
                        &rs.location,
                        format!(
                            "{} job `{}`{matrix} runs {runner} on {}{}",
                            rs.system,
                            rs.job,
                            rs.triggers.join(", "),
                            chain(rs, hops)
                        ),
                    ),
                ));
            }
            continue;
        }
        let when = if rs.triggers.is_empty() {
            "no trigger".to_string()
        } else {
            rs.triggers.join(", ")
        };
        not_triggered.push(Evidence::at(
            &rs.location,
            format!(
                "{} job `{}` runs {runner}, but only on {when}{}",
                rs.system,
                rs.job,
                chain(rs, hops)
            ),
        ));
    }
    if !passing.is_empty() {
        let mut evidence: Vec<Evidence> = passing.into_iter().map(|(_, e)| e).collect();
        // Pipelines that do not test are worth knowing in a monorepo.
        evidence.extend(not_triggered);
        evidence.extend(no_runner);
        return Outcome::pass(evidence);
    }
    let mut evidence = not_triggered;
    let message = if evidence.is_empty() {
        "CI exists but no job runs the test suite".to_string()
    } else {
        "tests are in CI but never run on push or pull request".to_string()
    };
    evidence.extend(no_runner);
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

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::{ci, manifests, tasks};
    use crate::inventory::ManifestKind;
    use crate::rules::Status;

    fn with(files: &[(&str, &str)]) -> Facts {
        let mut f = Facts::default();
        for (path, text) in files {
            if *path == "package.json" {
                f.manifests
                    .push(manifests::parse(path, ManifestKind::PackageJson, text).unwrap());
            } else if path.ends_with("Makefile") {
                f.tasks.extend(tasks::parse(path, text));
            } else if path.contains("compose") {
                f.deploy
                    .extend(crate::facts::deploy::extract(path, text, &mut Vec::new()));
            } else {
                f.pipelines.extend(ci::parse(path, text).unwrap());
            }
        }
        f
    }

    #[test]
    fn push_triggered_pytest_passes() {
        let f = with(&[(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  t:\n    steps:\n      - run: pytest -q\n",
        )]);
        let out = check(&f);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].line, Some(5));
        assert!(
            out.evidence[0]
                .note
                .starts_with("github-actions job `t` runs pytest on push")
        );
    }

    #[test]
    fn dispatch_only_fails_with_evidence() {
        let f = with(&[(
            ".github/workflows/ci.yml",
            "on: workflow_dispatch\njobs:\n  t:\n    steps:\n      - run: go test ./...\n",
        )]);
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("only on workflow_dispatch"));
    }

    #[test]
    fn npm_placeholder_script_does_not_count() {
        let f = with(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    steps:\n      - run: npm test\n",
            ),
            (
                "package.json",
                r#"{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}"#,
            ),
        ]);
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(
            out.evidence[0].note.contains("no test runner"),
            "{:?}",
            out.evidence
        );
    }

    #[test]
    fn reusable_workflow_runs_on_callers_triggers() {
        let f = with(&[
            (
                ".github/workflows/ci.yml",
                "on: [pull_request]\njobs:\n  tests:\n    uses: ./.github/workflows/test.yml\n",
            ),
            (
                ".github/workflows/test.yml",
                "on: workflow_call\njobs:\n  unit:\n    steps:\n      - run: make test\n",
            ),
            ("Makefile", "test:\n\tgo test ./...\n"),
        ]);
        let out = check(&f);
        assert_eq!(out.status, Status::Pass, "{:?}", out.evidence);
        let note = &out.evidence[0].note;
        assert_eq!(
            out.evidence[0].path.as_deref(),
            Some(".github/workflows/test.yml")
        );
        assert!(note.contains("runs go test on pull_request"), "{note}");
        assert!(note.contains("calls .github/workflows/test.yml"), "{note}");
        assert!(note.contains("Makefile:1 target `test`"), "{note}");
    }

    #[test]
    fn composite_action_and_compose_service() {
        let f = with(&[
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  t:\n    steps:\n      - uses: ./.github/actions/test\n",
            ),
            (
                ".github/actions/test/action.yml",
                "runs:\n  using: composite\n  steps:\n    - run: docker compose run --rm tests\n      shell: bash\n",
            ),
            (
                "docker-compose.yml",
                "services:\n  tests:\n    build: .\n    command: python -m pytest\n",
            ),
        ]);
        let out = check(&f);
        assert_eq!(out.status, Status::Pass, "{:?}", out.evidence);
        assert!(out.evidence[0].note.contains("service `tests`"));
    }

    #[test]
    fn broken_workflow_is_unknown_unless_another_proves_it() {
        let mut f = with(&[(
            ".github/workflows/lint.yml",
            "on: [push]\njobs:\n  l:\n    steps:\n      - run: npm run lint\n",
        )]);
        assert_eq!(check(&f).status, Status::Fail);
        f.unparsed_ci.push(".github/workflows/test.yml".into());
        let out = check(&f);
        assert_eq!(out.status, Status::Unknown);
        assert!(
            out.reason
                .as_deref()
                .is_some_and(|r| r.contains(".github/workflows/test.yml")),
            "{out:?}"
        );
        // Nothing else parsed: unknown, not "no CI pipeline found".
        let mut only_broken = Facts::default();
        only_broken.unparsed_ci.push(".gitlab-ci.yml".into());
        assert_eq!(check(&only_broken).status, Status::Unknown);
        // A pipeline that does run the tests still proves it.
        let mut passing = with(&[(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  t:\n    steps:\n      - run: pytest\n",
        )]);
        passing
            .unparsed_ci
            .push(".github/workflows/broken.yml".into());
        assert_eq!(check(&passing).status, Status::Pass);
    }

    #[test]
    fn gitlab_include_and_matrix() {
        let f = with(&[
            (".gitlab-ci.yml", "include:\n  - local: ci/test.yml\n"),
            (
                "ci/test.yml",
                "unit:\n  parallel:\n    matrix:\n      - PY: ['3.11', '3.12']\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n  script:\n    - tox\n",
            ),
        ]);
        let out = check(&f);
        assert_eq!(out.status, Status::Pass, "{:?}", out.evidence);
        assert!(
            out.evidence[0]
                .note
                .contains("(matrix) runs tox on merge_request")
        );
    }
}
