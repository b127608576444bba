//! `coverage-threshold`: coverage is measured in CI **and** a threshold can
//! fail the build. Measured is not enforced: an upload to Coveralls, `jest
//! --coverage` or `c8` without `--check-coverage` fail with "measured, not
//! enforced". A threshold in a config file counts only when CI runs the tool
//! that reads it (jest's `coverageThreshold` needs a jest run that measures,
//! codecov.yml needs an upload). The threshold is reported; under 60% it
//! passes with a note. Not passing with a CI file that does not parse is
//! `unknown`: the broken file may be the one that enforces it.

use crate::facts::Facts;
use crate::facts::commands::{
    CoverageRun, coverage_action, coverage_run, go_shell_gate, test_runner,
};
use crate::rules::{Evidence, Finding, Outcome};

/// The usual bar for critical paths; lower thresholds pass with a note.
const USUAL_BAR: f64 = 60.0;

/// Runner → the config family whose `measures` switch applies to it.
fn runner_family(runner: &str) -> Option<&'static str> {
    match runner {
        "jest" => Some("jest"),
        "vitest" => Some("vitest"),
        "pytest" => Some("python"),
        _ => None,
    }
}

fn percent(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}%")
    } else {
        format!("{v}%")
    }
}

pub fn check(facts: &Facts) -> Outcome {
    let outcome = evaluate(facts);
    match crate::rules::unread_ci(facts) {
        Some(why) if outcome.status == crate::rules::Status::Fail => outcome.into_unknown(why),
        _ => outcome,
    }
}

fn evaluate(facts: &Facts) -> Outcome {
    if !facts.has_source() {
        return Outcome::not_applicable("no source code to measure");
    }
    // Coverage runs in CI jobs triggered by changes.
    let mut runs: Vec<(Evidence, CoverageRun)> = Vec::new();
    for rs in facts.derived.ci_runs.iter().filter(|r| r.on_changes) {
        let at = |what: String| {
            Evidence::at(
                &rs.location,
                format!("{} job `{}`: {what}", rs.system, rs.job),
            )
        };
        if let Some(c) = rs.uses.as_deref().and_then(coverage_action) {
            runs.push((at(c.tool.to_string()), c));
            continue;
        }
        if let Some(t) = go_shell_gate(&rs.command) {
            let c = CoverageRun {
                tool: "go tool cover gate",
                family: "go",
                threshold: Some(t),
            };
            runs.push((at("go tool cover with a threshold check".into()), c));
            continue;
        }
        for leaf in &rs.leaves {
            if let Some(c) = coverage_run(&leaf.text) {
                runs.push((at(format!("`{}`", leaf.text)), c));
            } else if let Some(family) = test_runner(&leaf.text).and_then(runner_family)
                && let Some(g) = facts
                    .coverage_gates
                    .iter()
                    .find(|g| g.family == family && g.measures)
            {
                // `collectCoverage: true`, pytest `addopts = --cov`: the bare
                // runner measures.
                let c = CoverageRun {
                    tool: "configured",
                    family,
                    threshold: None,
                };
                runs.push((
                    at(format!(
                        "`{}` measures ({} at {}:{})",
                        leaf.text, g.tool, g.location.path, g.location.line
                    )),
                    c,
                ));
            }
        }
    }
    // Enforced: a run with its own threshold, or a config gate whose family runs.
    let mut enforced: Vec<(Evidence, f64, Option<Evidence>)> = Vec::new();
    let mut relative: Vec<Evidence> = Vec::new();
    for (ev, run) in &runs {
        if let Some(t) = run.threshold {
            enforced.push((ev.clone(), t, None));
        }
        for g in facts
            .coverage_gates
            .iter()
            .filter(|g| g.family == run.family && g.enforcing)
        {
            let gate_ev = Evidence::at(&g.location, g.tool.clone());
            match g.threshold {
                Some(t) => enforced.push((ev.clone(), t, Some(gate_ev))),
                None if !g.measures => relative.push(gate_ev),
                None => {}
            }
        }
    }
    if let Some((run_ev, t, gate_ev)) = enforced.iter().max_by(|a, b| a.1.total_cmp(&b.1)).cloned()
    {
        let mut evidence = Vec::new();
        let note = if t < USUAL_BAR {
            format!(
                "threshold {} enforced — below the usual {}% bar",
                percent(t),
                USUAL_BAR
            )
        } else {
            format!("threshold {} enforced", percent(t))
        };
        match gate_ev {
            Some(g) => {
                evidence.push(Evidence {
                    note: format!("{note} ({})", g.note).into(),
                    ..g
                });
                evidence.push(run_ev);
            }
            None => evidence.push(Evidence {
                note: format!("{note}; {}", run_ev.note).into(),
                ..run_ev
            }),
        }
        return Outcome::pass(evidence);
    }
    if let Some(g) = relative.first() {
        let mut evidence = vec![Evidence {
            note: format!(
                "{} enforced (relative to the base branch, no absolute value)",
                g.note
            )
            .into(),
            ..g.clone()
        }];
        evidence.extend(runs.iter().map(|(e, _)| e.clone()).take(1));
        return Outcome::pass(evidence);
    }
    let mut evidence: Vec<Evidence> = runs
        .iter()
        .map(|(e, r)| Evidence {
            note: format!("{} — measured, not enforced ({})", e.note, r.tool).into(),
            ..e.clone()
        })
        .collect();
    for g in &facts.coverage_gates {
        if g.enforcing && (g.threshold.is_some() || !g.measures) {
            let value = g
                .threshold
                .map(|t| format!(" {}", percent(t)))
                .unwrap_or_default();
            evidence.push(Evidence::at(
                &g.location,
                format!(
                    "{}{value}, but CI never runs the tool that reads it",
                    g.tool
                ),
            ));
        } else if !g.enforcing {
            evidence.push(Evidence::at(
                &g.location,
                format!("{} is informational: it cannot fail the build", g.tool),
            ));
        }
    }
    let message = if !runs.is_empty() {
        "coverage is measured in CI, not enforced: no threshold can fail the build"
    } else if !facts.coverage_gates.is_empty() {
        "a coverage threshold is configured, but CI does not run coverage"
    } else {
        "coverage is not measured in CI"
    };
    Outcome::fail(Finding::missing(message), evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::{ci, coverage};
    use crate::inventory::Lang;
    use crate::rules::Status;

    fn with(workflow_run: &str, configs: &[(&str, &str)]) -> Facts {
        let mut f = Facts {
            languages: vec![Lang::Python],
            ..Facts::default()
        };
        let wf = format!("on: [push]\njobs:\n  t:\n    steps:\n      - run: {workflow_run}\n");
        f.pipelines
            .extend(ci::parse(".github/workflows/ci.yml", &wf).unwrap());
        for (p, t) in configs {
            f.coverage_gates.extend(coverage::extract(p, t));
        }
        f
    }

    #[test]
    fn broken_ci_file_makes_a_missing_gate_unknown() {
        let mut f = with("npx jest --coverage", &[]);
        assert_eq!(check(&f).status, Status::Fail);
        f.unparsed_ci.push(".gitlab-ci.yml".into());
        assert_eq!(check(&f).status, Status::Unknown);
        let mut enforced = with("pytest --cov=app --cov-fail-under=80", &[]);
        enforced.unparsed_ci.push(".gitlab-ci.yml".into());
        assert_eq!(check(&enforced).status, Status::Pass);
    }

    #[test]
    fn flag_threshold_passes_and_reports_value() {
        let out = check(&with("pytest --cov=app --cov-fail-under=80", &[]));
        assert_eq!(out.status, Status::Pass);
        assert!(out.evidence[0].note.starts_with("threshold 80% enforced"));
    }

    #[test]
    fn low_threshold_passes_with_note() {
        let out = check(&with(
            "pytest --cov=app",
            &[("setup.cfg", "[coverage:report]\nfail_under = 40\n")],
        ));
        assert_eq!(out.status, Status::Pass);
        assert!(out.evidence[0].note.contains("below the usual 60% bar"));
        assert_eq!(out.evidence[0].path.as_deref(), Some("setup.cfg"));
    }

    #[test]
    fn measured_is_not_enforced() {
        let out = check(&with("npx jest --coverage", &[]));
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("measured, not enforced"));
    }

    #[test]
    fn config_threshold_without_ci_run_fails() {
        let out = check(&with(
            "npx jest",
            &[(
                "package.json",
                r#"{"jest":{"coverageThreshold":{"global":{"lines":80}}}}"#,
            )],
        ));
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("CI never runs"));
    }

    #[test]
    fn collect_coverage_config_makes_bare_jest_measure() {
        let out = check(&with(
            "npx jest --ci",
            &[(
                "jest.config.js",
                "module.exports = {\n  collectCoverage: true,\n  coverageThreshold: { global: { lines: 70 } },\n};\n",
            )],
        ));
        assert_eq!(out.status, Status::Pass, "{:?}", out.evidence);
    }
}
