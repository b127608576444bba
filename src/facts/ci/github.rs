//! GitHub Actions: workflows (including reusable ones, `on: workflow_call`)
//! and composite actions under `.github/actions/`. Parsed with locations so
//! evidence points at the very `run:` line.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::{CiJob, CiPipeline, CiStep, PipelineKind, yaml_error};

#[derive(Deserialize)]
struct Workflow {
    #[serde(rename = "on", alias = "true")]
    on: Option<serde_json::Value>,
    #[serde(default)]
    jobs: BTreeMap<String, Spanned<Job>>,
}

#[derive(Deserialize)]
struct Job {
    #[serde(default)]
    steps: Vec<Step>,
    /// A reusable workflow: `./.github/workflows/x.yml` or `org/repo/...@ref`.
    uses: Option<String>,
    strategy: Option<Strategy>,
    defaults: Option<Defaults>,
}

#[derive(Deserialize)]
struct Strategy {
    matrix: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Defaults {
    run: Option<RunDefaults>,
}

#[derive(Deserialize)]
struct RunDefaults {
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

#[derive(Deserialize)]
struct Step {
    run: Option<Spanned<String>>,
    uses: Option<Spanned<String>>,
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

#[derive(Deserialize)]
struct Action {
    runs: Option<ActionRuns>,
}

#[derive(Deserialize)]
struct ActionRuns {
    using: Option<String>,
    #[serde(default)]
    steps: Vec<Step>,
}

pub(super) fn workflow(path: &str, text: &str) -> Result<CiPipeline, String> {
    let wf: Workflow = crate::facts::yaml::from_str(text)
        .map_err(|e| yaml_error("GitHub Actions workflow", &e))?;
    let paths = change_paths(wf.on.as_ref());
    let triggers = match wf.on {
        Some(serde_json::Value::String(s)) => vec![s],
        Some(serde_json::Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    // Indexed once: a workflow of thousands of steps must not rescan the
    // file from the top for each one.
    let lines: Vec<&str> = text.lines().collect();
    let mut jobs: Vec<CiJob> = wf
        .jobs
        .into_iter()
        .map(|(name, job)| {
            let line = job.referenced.line() as u32;
            let job = job.value;
            let cwd = job
                .defaults
                .and_then(|d| d.run)
                .and_then(|r| r.working_directory);
            let matrix = job.strategy.as_ref().and_then(|s| s.matrix.as_ref());
            let matrix_values = match matrix {
                Some(serde_json::Value::Object(o)) => o
                    .iter()
                    .filter_map(|(k, v)| {
                        let values: Vec<String> = v
                            .as_array()?
                            .iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect();
                        (!values.is_empty()).then(|| (k.clone(), values))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            CiJob {
                name,
                line,
                triggers: None,
                matrix: matrix.is_some_and(|m| !m.is_null()),
                matrix_values,
                // Only a workflow of this repository can be followed; a
                // remote one (`org/repo/.github/workflows/x.yml@v1`) is opaque.
                calls: job
                    .uses
                    .as_deref()
                    .and_then(|u| u.strip_prefix("./"))
                    .map(|u| u.split('@').next().unwrap_or(u).to_string()),
                steps: steps(&lines, job.steps, cwd.as_deref()),
            }
        })
        .collect();
    jobs.sort_by_key(|j| j.line);
    Ok(CiPipeline {
        path: path.to_string(),
        system: "github-actions",
        kind: PipelineKind::Pipeline,
        triggers,
        includes: Vec::new(),
        paths,
        jobs,
    })
}

/// The `paths:` filters of the change triggers (push, pull request): a
/// workflow that runs only when `api/**` changes is the API's. Empty when
/// any change trigger runs on every path.
fn change_paths(on: Option<&serde_json::Value>) -> Vec<String> {
    let Some(serde_json::Value::Object(o)) = on else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (event, spec) in o {
        if !super::is_change_trigger(event) {
            continue;
        }
        let listed: Vec<String> = spec
            .get("paths")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter(|p| !p.starts_with('!'))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        if listed.is_empty() {
            return Vec::new();
        }
        out.extend(listed);
    }
    out.sort();
    out.dedup();
    out
}

/// A composite action's steps run inside whichever job uses the action, so
/// a `uses: ./.github/actions/test` step in a push-triggered job runs them.
pub(super) fn composite_action(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let name = crate::inventory::file_name(path);
    if name != "action.yml" && name != "action.yaml" {
        return Ok(None);
    }
    let action: Action =
        crate::facts::yaml::from_str(text).map_err(|e| yaml_error("GitHub action metadata", &e))?;
    let Some(runs) = action.runs else {
        return Ok(None);
    };
    if runs.using.as_deref() != Some("composite") {
        return Ok(None);
    }
    Ok(Some(CiPipeline {
        path: path.to_string(),
        system: "github-actions",
        kind: PipelineKind::CompositeAction,
        triggers: Vec::new(),
        includes: Vec::new(),
        paths: Vec::new(),
        jobs: vec![CiJob {
            name: "composite".into(),
            line: 1,
            triggers: None,
            matrix_values: Vec::new(),
            matrix: false,
            calls: None,
            steps: steps(&text.lines().collect::<Vec<_>>(), runs.steps, None),
        }],
    }))
}

fn steps(lines: &[&str], steps: Vec<Step>, job_cwd: Option<&str>) -> Vec<CiStep> {
    steps
        .into_iter()
        .filter_map(|s| {
            let cwd = s
                .working_directory
                .or_else(|| job_cwd.map(String::from))
                .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string());
            if let Some(run) = s.run {
                // A block scalar (`run: |`) is located at its indicator;
                // its first command is on the next line.
                let at = run.referenced.line() as u32;
                let head = lines.get(at.saturating_sub(1) as usize).unwrap_or(&"");
                let line = at + u32::from(head.trim_end().ends_with(['|', '>']));
                return Some(CiStep {
                    line,
                    command: run.value,
                    uses: None,
                    cwd,
                });
            }
            s.uses.map(|u| CiStep {
                line: u.referenced.line() as u32,
                command: String::new(),
                uses: Some(u.value),
                cwd,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn parses_triggers_jobs_and_run_lines() {
        let text = "name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: |\n          npm test\n";
        let p = parse(".github/workflows/ci.yml", text).unwrap().unwrap();
        assert_eq!(p.triggers, vec!["pull_request", "push"]);
        assert!(p.runs_on_changes());
        assert_eq!(p.jobs[0].name, "test");
        assert_eq!(p.jobs[0].line, 8);
        assert_eq!(
            p.jobs[0].steps[0].uses.as_deref(),
            Some("actions/checkout@v4")
        );
        assert_eq!(p.jobs[0].steps[1].line, 11);
        assert_eq!(p.jobs[0].steps[2].line, 13);
    }

    #[test]
    fn dispatch_only_is_not_on_changes() {
        let p = parse(
            ".github/workflows/t.yml",
            "on: workflow_dispatch\njobs:\n  t:\n    steps:\n      - run: go test ./...\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.triggers, vec!["workflow_dispatch"]);
        assert!(!p.runs_on_changes());
    }

    #[test]
    fn reusable_call_matrix_and_working_directory() {
        let text = "on: [push]\njobs:\n  call:\n    uses: ./.github/workflows/test.yml\n  unit:\n    strategy:\n      matrix:\n        node: [18, 20]\n    defaults:\n      run:\n        working-directory: ./web\n    steps:\n      - run: npm test\n";
        let p = parse(".github/workflows/ci.yml", text).unwrap().unwrap();
        assert_eq!(
            p.jobs[0].calls.as_deref(),
            Some(".github/workflows/test.yml")
        );
        assert!(p.jobs[1].matrix);
        assert_eq!(p.jobs[1].steps[0].cwd.as_deref(), Some("web"));
    }

    #[test]
    fn composite_action_steps() {
        let text = "name: t\nruns:\n  using: composite\n  steps:\n    - run: cargo test\n      shell: bash\n";
        let p = parse(".github/actions/test/action.yml", text)
            .unwrap()
            .unwrap();
        assert_eq!(p.kind, super::PipelineKind::CompositeAction);
        assert_eq!(p.jobs[0].steps[0].command, "cargo test");
        let js = "runs:\n  using: node20\n  main: index.js\n";
        assert!(parse(".github/actions/x/action.yml", js).unwrap().is_none());
    }

    #[test]
    fn anchors_and_merge_keys() {
        let text =
            "on: [push]\njobs:\n  a: &base\n    steps:\n      - run: pytest\n  b:\n    <<: *base\n";
        let p = parse(".github/workflows/ci.yml", text).unwrap().unwrap();
        assert_eq!(p.jobs.len(), 2);
        assert!(p.jobs.iter().all(|j| j.steps[0].command == "pytest"));
    }

    #[test]
    fn broken_yaml_is_an_error() {
        assert!(parse(".github/workflows/x.yml", "on: [push\njobs: {").is_err());
    }
}
