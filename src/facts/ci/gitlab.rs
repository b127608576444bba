//! GitLab CI: jobs are the top-level keys that are not keywords; hidden jobs
//! (`.template`) only matter through `extends:`. A job with no `rules:` or
//! `only:` runs in every pipeline, which includes branch pushes. `rules:` are
//! read for the pipeline sources they name (`merge_request_event`,
//! `schedule`, `web` …): a job whose every rule names `schedule` runs only on
//! a schedule. `include: local` files are recorded so their jobs inherit
//! this pipeline's triggers.

use serde_json::{Map, Value};

use super::{CiJob, CiPipeline, CiStep, PipelineKind, find_line, key_line, strings, yaml_error};
use crate::facts::line_index::LineIndex;

const KEYWORDS: &[&str] = &[
    "image",
    "services",
    "stages",
    "types",
    "before_script",
    "after_script",
    "variables",
    "cache",
    "include",
    "default",
    "workflow",
    "spec",
];

pub(super) fn parse(
    path: &str,
    text: &str,
    kind: PipelineKind,
) -> Result<Option<CiPipeline>, String> {
    let root: Value =
        crate::facts::yaml::from_str(text).map_err(|e| yaml_error("GitLab CI", &e))?;
    let Value::Object(root) = root else {
        return Ok(None);
    };
    let includes = root.get("include").map(local_includes).unwrap_or_default();
    let triggers = root
        .get("workflow")
        .and_then(|w| w.get("rules"))
        .and_then(rules_triggers)
        .unwrap_or_else(default_triggers);
    let default_before: Vec<String> = root
        .get("default")
        .and_then(|d| d.get("before_script"))
        .or_else(|| root.get("before_script"))
        .map(strings)
        .unwrap_or_default();
    let lines = LineIndex::new(text);
    let mut jobs = Vec::new();
    for (name, job) in &root {
        if KEYWORDS.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        let Value::Object(job) = job else { continue };
        let line = key_line(&lines, name, 1);
        let merged = with_extends(&root, job, 0);
        let mut commands = merged
            .get("before_script")
            .map(strings)
            .unwrap_or_else(|| default_before.clone());
        commands.extend(merged.get("script").map(strings).unwrap_or_default());
        if commands.is_empty() && merged.get("trigger").is_none() {
            continue;
        }
        let steps = commands
            .into_iter()
            .map(|c| CiStep::run(find_line(&lines, &c, line), c))
            .collect();
        jobs.push(CiJob {
            name: name.clone(),
            line,
            triggers: job_triggers(&merged),
            matrix_values: Vec::new(),
            matrix: merged
                .get("parallel")
                .and_then(|p| p.get("matrix"))
                .is_some(),
            calls: None,
            steps,
        });
    }
    jobs.sort_by_key(|j| j.line);
    Ok(Some(CiPipeline {
        path: path.to_string(),
        system: "gitlab-ci",
        kind,
        triggers,
        includes,
        paths: Vec::new(),
        jobs,
    }))
}

/// `include: 'ci/test.yml'`, `include: [{local: ci/test.yml}, …]`. Remote,
/// project and template includes cannot be read statically.
fn local_includes(v: &Value) -> Vec<String> {
    let one = |v: &Value| -> Option<String> {
        let s = match v {
            Value::String(s) if !s.starts_with("http") => s.as_str(),
            Value::Object(o) => o.get("local")?.as_str()?,
            _ => return None,
        };
        Some(s.trim_start_matches('/').to_string())
    };
    match v {
        Value::Array(a) => a.iter().filter_map(one).collect(),
        v => one(v).into_iter().collect(),
    }
}

/// A job's keys with those of the templates it `extends:` (one chain, bounded).
fn with_extends(
    root: &Map<String, Value>,
    job: &Map<String, Value>,
    depth: u8,
) -> Map<String, Value> {
    let mut merged = Map::new();
    if depth < 4 {
        for parent in job.get("extends").map(strings).unwrap_or_default() {
            if let Some(Value::Object(p)) = root.get(&parent) {
                merged.extend(with_extends(root, p, depth + 1));
            }
        }
    }
    merged.extend(job.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged
}

/// Without rules a job runs in branch pipelines (push), scheduled and
/// manually started ones alike.
fn default_triggers() -> Vec<String> {
    vec!["push".into(), "schedule".into(), "manual".into()]
}

fn job_triggers(job: &Map<String, Value>) -> Option<Vec<String>> {
    if job.get("when").and_then(Value::as_str) == Some("manual") {
        return Some(vec!["manual".into()]);
    }
    if let Some(rules) = job.get("rules") {
        return rules_triggers(rules);
    }
    if let Some(only) = job.get("only") {
        let refs = match only {
            Value::Object(o) => o.get("refs").map(strings).unwrap_or_default(),
            v => strings(v),
        };
        let mut t: Vec<String> = refs.iter().map(|r| only_ref(r).to_string()).collect();
        t.sort();
        t.dedup();
        return (!t.is_empty()).then_some(t);
    }
    if let Some(except) = job.get("except") {
        let refs = strings(except);
        let t: Vec<String> = default_triggers()
            .into_iter()
            .filter(|d| !refs.iter().any(|r| only_ref(r) == d))
            .collect();
        return Some(t);
    }
    None
}

fn only_ref(r: &str) -> &'static str {
    match r {
        "merge_requests" | "external_pull_requests" => "merge_request",
        "schedules" => "schedule",
        "web" | "api" | "triggers" | "pipelines" | "chat" => "manual",
        "tags" => "tag",
        _ => "push",
    }
}

/// The pipeline sources a list of `rules:` lets a job run in.
fn rules_triggers(rules: &Value) -> Option<Vec<String>> {
    let Value::Array(rules) = rules else {
        return None;
    };
    let mut out = Vec::new();
    for rule in rules {
        if rule.get("when").and_then(Value::as_str) == Some("never") {
            continue;
        }
        if rule.get("when").and_then(Value::as_str) == Some("manual") {
            out.push("manual");
            continue;
        }
        let Some(cond) = rule.get("if").and_then(Value::as_str) else {
            // `rules: - changes:` or an unconditional rule: every pipeline.
            out.push("push");
            continue;
        };
        if cond.contains("!=") {
            // `$CI_PIPELINE_SOURCE != "schedule"`: everything but one source.
            out.push("push");
            continue;
        }
        let mut named = false;
        for (needle, trigger) in [
            ("merge_request_event", "merge_request"),
            ("external_pull_request_event", "merge_request"),
            ("\"schedule\"", "schedule"),
            ("'schedule'", "schedule"),
            ("\"web\"", "manual"),
            ("\"api\"", "manual"),
            ("\"trigger\"", "manual"),
            ("\"push\"", "push"),
            ("'push'", "push"),
            ("CI_COMMIT_BRANCH", "push"),
            ("CI_COMMIT_REF_NAME", "push"),
            ("CI_DEFAULT_BRANCH", "push"),
            ("CI_MERGE_REQUEST_", "merge_request"),
            ("CI_COMMIT_TAG", "tag"),
        ] {
            if cond.contains(needle) {
                out.push(trigger);
                named = true;
            }
        }
        if !named {
            out.push("push");
        }
    }
    let mut out: Vec<String> = out.into_iter().map(String::from).collect();
    out.sort();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse as parse_ci;
    use super::*;

    fn p(text: &str) -> CiPipeline {
        parse_ci(".gitlab-ci.yml", text).unwrap().unwrap()
    }

    #[test]
    fn jobs_scripts_and_default_triggers() {
        let pl = p(
            "stages: [test]\ninclude:\n  - local: ci/lint.yml\n  - template: X.yml\n.base:\n  image: node\n  before_script:\n    - npm ci\nunit:\n  extends: .base\n  script:\n    - npm test\n",
        );
        assert_eq!(pl.includes, vec!["ci/lint.yml"]);
        assert_eq!(pl.jobs.len(), 1);
        let job = &pl.jobs[0];
        assert_eq!(job.name, "unit");
        assert_eq!(job.line, 9);
        assert_eq!(job.steps[1].command, "npm test");
        assert_eq!(job.steps[1].line, 12);
        assert!(pl.job_triggers(job).iter().any(|t| t == "push"));
    }

    #[test]
    fn rules_and_only() {
        let pl = p(
            "mr:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n  script: pytest\nnightly:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"schedule\"\n  script: pytest\nold:\n  only: [schedules]\n  script: pytest\nhand:\n  when: manual\n  script: pytest\n",
        );
        let t = |n: &str| {
            pl.job_triggers(pl.jobs.iter().find(|j| j.name == n).unwrap())
                .to_vec()
        };
        assert_eq!(t("mr"), vec!["merge_request"]);
        assert_eq!(t("nightly"), vec!["schedule"]);
        assert_eq!(t("old"), vec!["schedule"]);
        assert_eq!(t("hand"), vec!["manual"]);
    }
}
