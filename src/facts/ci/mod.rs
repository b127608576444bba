//! CI pipelines: which jobs run on which triggers, and the commands they run.
//!
//! Every CI system is reduced to the same plain shape — a pipeline with
//! triggers, jobs (each with optional triggers of its own, a matrix flag, a
//! local reusable workflow it calls) and steps (a shell command or a `uses:`
//! reference) — so that `ci-runs-tests` and `coverage-threshold` read one
//! model whatever the system. Each system has its own reader:
//!
//! * [`github`]: workflows, reusable workflows and composite actions, with
//!   exact lines from `Spanned`;
//! * [`gitlab`]: `.gitlab-ci.yml`, local `include:` fragments, `extends:`,
//!   `rules:`/`only:`/`except:`;
//! * [`yaml_ci`]: CircleCI, Travis, Azure Pipelines, Bitbucket, Buildkite,
//!   Drone and Woodpecker, read from a generic YAML value;
//! * [`jenkins`]: a Jenkinsfile read as text (`sh '…'` steps in stages).
//!
//! Triggers are normalised across systems to `push`, `pull_request`,
//! `merge_request`, `tag`, `schedule`, `manual` and `workflow_call`; GitHub
//! event names are kept as written. What a command *runs* (following npm
//! scripts, make targets, compose services) is decided later, in
//! [`crate::facts::commands`], once every file has been read.

mod github;
mod gitlab;
mod jenkins;
mod yaml_ci;

use serde::Serialize;

use crate::facts::Location;
use crate::facts::line_index::LineIndex;

/// What a CI file is, beyond "a pipeline".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PipelineKind {
    /// Runs on its own triggers.
    Pipeline,
    /// A GitHub Actions composite action (`.github/actions/*/action.yml`):
    /// runs only as a step of a job that uses it.
    CompositeAction,
    /// A GitLab CI file pulled in by a local `include:`: its jobs run on the
    /// including pipeline's triggers.
    Fragment,
}

/// One pipeline definition file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiPipeline {
    pub path: String,
    /// `github-actions`, `gitlab-ci`, `circleci`, …
    pub system: &'static str,
    pub kind: PipelineKind,
    /// Events that start the pipeline: `push`, `pull_request`, `workflow_dispatch` …
    pub triggers: Vec<String>,
    /// Local files this pipeline includes (GitLab `include: local`).
    pub includes: Vec<String>,
    /// Path filters of its change triggers (GitHub `on.push.paths`): the
    /// folders whose changes start it; empty when any change does.
    pub paths: Vec<String>,
    pub jobs: Vec<CiJob>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiJob {
    pub name: String,
    pub line: u32,
    /// Triggers narrowed by the job itself (GitLab `rules:`/`only:`,
    /// Bitbucket sections, Drone `when:`); `None` means the pipeline's.
    pub triggers: Option<Vec<String>>,
    /// A matrix job (GitHub `strategy.matrix`, GitLab `parallel: matrix`, …).
    pub matrix: bool,
    /// The matrix's string values by key (GitHub `strategy.matrix.app:
    /// [api, web]`): a step whose working directory is `${{ matrix.app }}`
    /// runs in each of them.
    pub matrix_values: Vec<(String, Vec<String>)>,
    /// A reusable workflow of the same repository that this job calls
    /// (`jobs.<id>.uses: ./.github/workflows/test.yml`).
    pub calls: Option<String>,
    pub steps: Vec<CiStep>,
}

/// A shell command a job runs, or an action/orb it uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiStep {
    pub line: u32,
    /// The shell command; empty for a `uses:` step.
    pub command: String,
    /// `uses:` reference (`./.github/actions/test`, `codecov/codecov-action@v4`,
    /// a CircleCI orb job `node/test`).
    pub uses: Option<String>,
    /// Directory the command runs in, relative to the repository root.
    pub cwd: Option<String>,
}

impl CiStep {
    pub fn run(line: u32, command: impl Into<String>) -> Self {
        CiStep {
            line,
            command: command.into(),
            uses: None,
            cwd: None,
        }
    }
}

/// Triggers that mean "on code changes": push, pull/merge request, merge queue.
pub fn is_change_trigger(t: &str) -> bool {
    matches!(
        t,
        "push" | "pull_request" | "pull_request_target" | "merge_group" | "merge_request"
    )
}

impl CiPipeline {
    /// Triggered by code changes (push, pull request, merge queue), not only
    /// by hand or on a schedule.
    pub fn runs_on_changes(&self) -> bool {
        self.triggers.iter().any(|t| is_change_trigger(t))
    }

    /// The triggers a job really runs on.
    pub fn job_triggers<'a>(&'a self, job: &'a CiJob) -> &'a [String] {
        job.triggers.as_deref().unwrap_or(&self.triggers)
    }
}

/// A step as it runs: with the triggers of the pipeline that started it,
/// after following reusable workflows, composite actions and GitLab includes.
#[derive(Debug, Clone)]
pub struct RunStep<'a> {
    /// The pipeline whose triggers started it.
    pub origin: &'a CiPipeline,
    /// The job that runs the step (in the called workflow, if any).
    pub job: &'a CiJob,
    pub step: &'a CiStep,
    /// Where the step is written.
    pub location: Location,
    pub triggers: Vec<String>,
    /// A matrix job anywhere on the way.
    pub matrix: bool,
    /// How the step was reached: "calls .github/workflows/test.yml" …
    pub via: Vec<String>,
}

impl RunStep<'_> {
    pub fn on_changes(&self) -> bool {
        self.triggers.iter().any(|t| is_change_trigger(t))
    }
}

/// How deep calls/uses/includes are followed.
const MAX_NESTING: usize = 4;

/// Every step of every pipeline, with the triggers it really runs on.
/// Composite actions and GitLab fragments only run through their users;
/// reusable workflows run on their callers' triggers (and their own).
pub fn run_steps(pipelines: &[CiPipeline]) -> Vec<RunStep<'_>> {
    run_steps_bounded(pipelines).0
}

/// Steps listed at most, whatever the shape of the workflows.
pub const MAX_RUN_STEPS: usize = 50_000;

/// [`run_steps`], and whether the list was cut at [`MAX_RUN_STEPS`]. A job
/// reached again from the same pipeline (sixty callers of one reusable
/// workflow, five levels deep) is walked once: its steps are the same.
pub fn run_steps_bounded(pipelines: &[CiPipeline]) -> (Vec<RunStep<'_>>, bool) {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in pipelines
        .iter()
        .filter(|p| p.kind == PipelineKind::Pipeline)
    {
        for job in &p.jobs {
            let triggers = p.job_triggers(job).to_vec();
            walk_job(
                pipelines,
                p,
                p,
                job,
                &triggers,
                job.matrix,
                &[],
                0,
                &mut (&mut out, &mut seen),
            );
        }
        for inc in &p.includes {
            include(
                pipelines,
                p,
                inc,
                &p.triggers,
                &[],
                0,
                &mut (&mut out, &mut seen),
            );
        }
    }
    let cut = out.len() >= MAX_RUN_STEPS;
    (out, cut)
}

/// Where walked steps go, and the jobs already walked per pipeline.
type Sink<'s, 'a> = (
    &'s mut Vec<RunStep<'a>>,
    &'s mut std::collections::HashSet<(usize, usize)>,
);

fn include<'a>(
    all: &'a [CiPipeline],
    origin: &'a CiPipeline,
    path: &str,
    _triggers: &[String],
    via: &[String],
    depth: usize,
    out: &mut Sink<'_, 'a>,
) {
    let Some(frag) = all.iter().find(|f| f.path == path) else {
        return;
    };
    if depth >= MAX_NESTING {
        return;
    }
    let mut v = via.to_vec();
    v.push(format!("included from {}", origin.path));
    for job in &frag.jobs {
        let t = frag.job_triggers(job).to_vec();
        walk_job(all, origin, frag, job, &t, job.matrix, &v, depth + 1, out);
    }
    for inc in &frag.includes {
        include(all, origin, inc, &frag.triggers, &v, depth + 1, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_job<'a>(
    all: &'a [CiPipeline],
    origin: &'a CiPipeline,
    file: &'a CiPipeline,
    job: &'a CiJob,
    triggers: &[String],
    matrix: bool,
    via: &[String],
    depth: usize,
    out: &mut Sink<'_, 'a>,
) {
    if depth > MAX_NESTING || out.0.len() >= MAX_RUN_STEPS {
        return;
    }
    // The origin and the job, by address: the facts outlive the walk.
    let key = (
        origin as *const CiPipeline as usize,
        job as *const CiJob as usize,
    );
    if !out.1.insert(key) {
        return;
    }
    if let Some(callee) = job
        .calls
        .as_deref()
        .and_then(|c| all.iter().find(|p| p.path == c))
    {
        let mut v = via.to_vec();
        v.push(format!(
            "{}:{} job `{}` calls {}",
            file.path, job.line, job.name, callee.path
        ));
        for j in &callee.jobs {
            walk_job(
                all,
                origin,
                callee,
                j,
                triggers,
                matrix || j.matrix,
                &v,
                depth + 1,
                out,
            );
        }
    }
    for step in &job.steps {
        out.0.push(RunStep {
            origin,
            job,
            step,
            location: Location::new(&file.path, step.line),
            triggers: triggers.to_vec(),
            matrix,
            via: via.to_vec(),
        });
        let Some(local) = step.uses.as_deref().and_then(|u| u.strip_prefix("./")) else {
            continue;
        };
        let dir = local.trim_end_matches('/');
        let action = all.iter().find(|p| {
            p.kind == PipelineKind::CompositeAction
                && (p.path == format!("{dir}/action.yml") || p.path == format!("{dir}/action.yaml"))
        });
        if let Some(action) = action {
            let mut v = via.to_vec();
            v.push(format!("{}:{} uses {}", file.path, step.line, action.path));
            for j in &action.jobs {
                walk_job(all, origin, action, j, triggers, matrix, &v, depth + 1, out);
            }
        }
    }
}

/// Parse one CI file. `Ok(None)` for a file that defines no pipeline
/// (an action whose metadata is not a composite one, an empty file).
pub fn parse(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let name = crate::inventory::file_name(path);
    if path.starts_with(".github/workflows/") {
        return github::workflow(path, text).map(Some);
    }
    if path.starts_with(".github/actions/") {
        return github::composite_action(path, text);
    }
    if text.trim().is_empty() {
        return Ok(None);
    }
    match name {
        ".gitlab-ci.yml" | ".gitlab-ci.yaml" => gitlab::parse(path, text, PipelineKind::Pipeline),
        "Jenkinsfile" => Ok(Some(jenkins::parse(path, text))),
        _ if path.starts_with(".circleci/") => yaml_ci::circleci(path, text),
        ".travis.yml" => yaml_ci::travis(path, text),
        "azure-pipelines.yml" | "azure-pipelines.yaml" => yaml_ci::azure(path, text),
        "bitbucket-pipelines.yml" => yaml_ci::bitbucket(path, text),
        ".drone.yml" => yaml_ci::drone(path, text, "drone"),
        _ if name.starts_with(".woodpecker") || path.starts_with(".woodpecker/") => {
            yaml_ci::drone(path, text, "woodpecker")
        }
        _ if path.starts_with(".buildkite/") => yaml_ci::buildkite(path, text),
        _ if is_gitlab_fragment(path, text) => gitlab::parse(path, text, PipelineKind::Fragment),
        _ => Ok(None),
    }
}

/// A YAML file that looks like a GitLab CI fragment (`ci/test.yml` pulled in
/// by `include: local`): a top-level job with a `script:`. Checked on plain
/// config files, so it must be cheap and strict.
pub fn is_gitlab_fragment(path: &str, text: &str) -> bool {
    let yaml = path.ends_with(".yml") || path.ends_with(".yaml");
    yaml && (path.starts_with(".gitlab/") || path.contains("gitlab-ci") || path.starts_with("ci/"))
        && text.lines().any(|l| {
            let t = l.trim_start();
            (t.starts_with("script:") || t.starts_with("extends:")) && l.len() - t.len() == 2
        })
}

/// Line finder for the readers that go through a generic YAML value: the
/// first line at or after `from` whose text contains `needle`'s first line.
pub(crate) fn find_line(lines: &LineIndex, needle: &str, from: u32) -> u32 {
    let first = needle
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if first.is_empty() {
        return from.max(1);
    }
    lines.find(first, from).unwrap_or(from.max(1))
}

/// [`find_line`] for the next item of a list read in document order: from
/// the previous item's line (`cursor`, moved to this one), else (an item
/// out of order, say through an alias) from the top.
pub(crate) fn find_next(lines: &LineIndex, needle: &str, cursor: &mut u32) -> u32 {
    let first = needle.lines().map(str::trim).find(|l| !l.is_empty());
    match first.and_then(|f| lines.find(f, *cursor)) {
        Some(line) => {
            *cursor = line;
            line
        }
        None => find_line(lines, needle, 1),
    }
}

/// Line of a top-level or nested mapping key `key:` at or after `from`.
pub(crate) fn key_line(lines: &LineIndex, key: &str, from: u32) -> u32 {
    lines.key(key, from).unwrap_or(from.max(1))
}

/// The strings of a YAML value that is a string or a (nested) list of them.
pub(crate) fn strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

pub(crate) fn yaml_error(what: &str, e: &serde_saphyr::Error) -> String {
    format!("invalid {what} YAML: {}", first_line(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_keys_and_commands() {
        let text = LineIndex::new("a:\n  script:\n    - npm ci\n    - npm test\n");
        assert_eq!(key_line(&text, "script", 1), 2);
        assert_eq!(find_line(&text, "npm test", 2), 4);
        assert_eq!(find_line(&text, "npm ci", 4), 4, "not found: from");
    }

    #[test]
    fn gitlab_fragment_needs_a_job_with_script() {
        assert!(is_gitlab_fragment(
            "ci/test.yml",
            "unit:\n  script:\n    - pytest\n"
        ));
        assert!(!is_gitlab_fragment("ci/values.yml", "replicas: 2\n"));
        assert!(!is_gitlab_fragment("deploy/x.yml", "unit:\n  script: x\n"));
    }
}
