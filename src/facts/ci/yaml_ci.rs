//! CircleCI, Travis, Azure Pipelines, Bitbucket Pipelines, Buildkite, Drone
//! and Woodpecker: read from a generic YAML value (anchors and merge keys
//! resolved by the parser), lines found again in the text. Each reader knows
//! only what its system needs to answer "which commands run on which events".

use serde_json::{Map, Value};

use super::{
    CiJob, CiPipeline, CiStep, PipelineKind, find_line, find_next, key_line, strings, yaml_error,
};
use crate::facts::line_index::LineIndex;

fn load(what: &str, text: &str) -> Result<Value, String> {
    crate::facts::yaml::from_str(text).map_err(|e| yaml_error(what, &e))
}

fn pipeline(path: &str, system: &'static str, triggers: &[&str], jobs: Vec<CiJob>) -> CiPipeline {
    CiPipeline {
        path: path.to_string(),
        system,
        kind: PipelineKind::Pipeline,
        triggers: triggers.iter().map(|s| s.to_string()).collect(),
        includes: Vec::new(),
        paths: Vec::new(),
        jobs,
    }
}

fn job(name: &str, line: u32, steps: Vec<CiStep>) -> CiJob {
    CiJob {
        name: name.to_string(),
        line,
        triggers: None,
        matrix_values: Vec::new(),
        matrix: false,
        calls: None,
        steps,
    }
}

/// Steps in document order: each searched from the one before.
fn run_steps(lines: &LineIndex, commands: Vec<String>, from: u32) -> Vec<CiStep> {
    let mut cursor = from;
    commands
        .into_iter()
        .map(|c| CiStep::run(find_next(lines, &c, &mut cursor), c))
        .collect()
}

/// CircleCI: jobs with `run:` steps, started by workflows. A job only in
/// workflows with a `schedule` trigger runs on a schedule; orb jobs and
/// steps (`node/test`, `python/test`) are kept as `uses:`.
pub(super) fn circleci(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let root = load("CircleCI config", text)?;
    let lines = &LineIndex::new(text);
    let empty = Map::new();
    let jobs_def = root
        .get("jobs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    // job name → (scheduled only?, matrix?) over every workflow that lists it.
    let mut refs: Vec<(String, bool, bool, u32)> = Vec::new();
    if let Some(wfs) = root.get("workflows").and_then(Value::as_object) {
        for (wf_name, wf) in wfs {
            let Some(list) = wf.get("jobs").and_then(Value::as_array) else {
                continue;
            };
            let scheduled = wf
                .get("triggers")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|x| x.get("schedule").is_some()));
            let wf_line = key_line(lines, wf_name, 1);
            for entry in list {
                let (name, matrix) = match entry {
                    Value::String(s) => (s.clone(), false),
                    Value::Object(o) => match o.iter().next() {
                        Some((k, v)) => (k.clone(), v.get("matrix").is_some()),
                        None => continue,
                    },
                    _ => continue,
                };
                refs.push((name, scheduled, matrix, wf_line));
            }
        }
    }
    let mut jobs = Vec::new();
    for (name, def) in jobs_def {
        let line = key_line(lines, name, 1);
        let steps = def
            .get("steps")
            .and_then(Value::as_array)
            .map(|s| circle_steps(lines, s, line))
            .unwrap_or_default();
        let mine: Vec<_> = refs.iter().filter(|r| &r.0 == name).collect();
        let mut j = job(name, line, steps);
        j.matrix = mine.iter().any(|r| r.2) || def.get("parallelism").is_some();
        j.triggers = if mine.is_empty() {
            // CircleCI 2.0 without workflows runs the job named `build`.
            (refs.is_empty() && name != "build").then(Vec::new)
        } else if mine.iter().all(|r| r.1) {
            Some(vec!["schedule".into()])
        } else {
            None
        };
        jobs.push(j);
    }
    // Orb jobs listed in a workflow (`- node/test`) run the orb's own steps.
    for (name, scheduled, matrix, wf_line) in &refs {
        if name.contains('/') && !jobs_def.contains_key(name) {
            let line = find_line(lines, name, *wf_line);
            let mut j = job(
                name,
                line,
                vec![CiStep {
                    line,
                    command: String::new(),
                    uses: Some(name.clone()),
                    cwd: None,
                }],
            );
            j.matrix = *matrix;
            j.triggers = scheduled.then(|| vec!["schedule".into()]);
            jobs.push(j);
        }
    }
    jobs.sort_by_key(|j| j.line);
    Ok(Some(pipeline(
        path,
        "circleci",
        &["push", "pull_request"],
        jobs,
    )))
}

fn circle_steps(lines: &LineIndex, steps: &[Value], from: u32) -> Vec<CiStep> {
    let mut cursor = from;
    let mut out = Vec::new();
    for s in steps {
        match s {
            Value::String(orb) if orb.contains('/') => out.push(CiStep {
                line: find_next(lines, orb, &mut cursor),
                command: String::new(),
                uses: Some(orb.clone()),
                cwd: None,
            }),
            Value::Object(o) => {
                if let Some(run) = o.get("run") {
                    let cmd = match run {
                        Value::String(s) => Some(s.clone()),
                        v => v.get("command").and_then(Value::as_str).map(String::from),
                    };
                    let cwd = run
                        .get("working_directory")
                        .and_then(Value::as_str)
                        .map(String::from);
                    if let Some(cmd) = cmd {
                        let mut st = CiStep::run(find_next(lines, &cmd, &mut cursor), cmd);
                        st.cwd = cwd;
                        out.push(st);
                    }
                } else if let Some((k, _)) = o.iter().next()
                    && k.contains('/')
                {
                    out.push(CiStep {
                        line: find_next(lines, k, &mut cursor),
                        command: String::new(),
                        uses: Some(k.clone()),
                        cwd: None,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// Travis builds every push and pull request. With no `script:` it runs the
/// language's default (`go test -v ./...`, `npm test`, `cargo test`).
pub(super) fn travis(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let root = load("Travis", text)?;
    let lines = &LineIndex::new(text);
    let language = root
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("ruby")
        .to_string();
    let matrix = ["go", "node_js", "python", "rust", "jdk", "os", "env"]
        .iter()
        .any(|k| {
            root.get(*k)
                .is_some_and(|v| v.as_array().is_some_and(|a| a.len() > 1))
        })
        || root.get("matrix").is_some()
        || root.pointer("/jobs/include").is_some();
    let mut jobs = Vec::new();
    let script_line = key_line(lines, "script", 1);
    let mut main = match root.get("script") {
        Some(s) => job(
            "script",
            script_line,
            run_steps(lines, strings(s), script_line),
        ),
        None => {
            let default = match language.as_str() {
                "go" => "go test -v ./...",
                "node_js" => "npm test",
                "rust" => "cargo test --verbose",
                "ruby" => "rake",
                _ => "",
            };
            let line = key_line(lines, "language", 1);
            let steps = if default.is_empty() {
                Vec::new()
            } else {
                vec![CiStep::run(line, default)]
            };
            job(&format!("default {language} script"), line, steps)
        }
    };
    main.matrix = matrix;
    jobs.push(main);
    let mut cursor = 1;
    for key in ["/jobs/include", "/matrix/include"] {
        for (i, inc) in root
            .pointer(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(s) = inc.get("script") {
                let name = inc
                    .get("name")
                    .or_else(|| inc.get("stage"))
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("include {}", i + 1), String::from);
                let first = strings(s).first().cloned().unwrap_or_default();
                let line = find_next(lines, &first, &mut cursor);
                jobs.push(job(&name, line, run_steps(lines, strings(s), line)));
            }
        }
    }
    Ok(Some(pipeline(
        path,
        "travis",
        &["push", "pull_request"],
        jobs,
    )))
}

/// Azure Pipelines: `trigger: none` turns off push builds, `pr: none` pull
/// request builds; `schedules:` add scheduled runs. Every `script:`/`bash:`/
/// `pwsh:`/`powershell:` step belongs to the nearest enclosing `job:`.
pub(super) fn azure(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let root = load("Azure Pipelines", text)?;
    let lines = &LineIndex::new(text);
    let none = |k: &str| root.get(k).and_then(Value::as_str) == Some("none");
    let mut triggers = Vec::new();
    if !none("trigger") {
        triggers.push("push");
    }
    if !none("pr") {
        triggers.push("pull_request");
    }
    if root.get("schedules").is_some() {
        triggers.push("schedule");
    }
    let mut jobs = Vec::new();
    azure_collect(lines, &root, "pipeline", &mut jobs);
    jobs.retain(|j| !j.steps.is_empty());
    jobs.sort_by_key(|j| j.line);
    Ok(Some(pipeline(path, "azure-pipelines", &triggers, jobs)))
}

fn azure_collect(lines: &LineIndex, v: &Value, current: &str, jobs: &mut Vec<CiJob>) {
    match v {
        Value::Object(o) => {
            let name = o
                .get("job")
                .or_else(|| o.get("deployment"))
                .and_then(Value::as_str);
            if let Some(name) = name {
                let line = find_line(lines, &format!("job: {name}"), 1);
                let mut j = job(name, line, Vec::new());
                j.matrix = o.get("strategy").and_then(|s| s.get("matrix")).is_some();
                jobs.push(j);
                for child in o.values() {
                    azure_collect(lines, child, name, jobs);
                }
                return;
            }
            for key in ["script", "bash", "pwsh", "powershell"] {
                if let Some(Value::String(cmd)) = o.get(key) {
                    // The current job is the last one pushed: search from the end.
                    if !jobs.iter().rev().any(|j| j.name == current) {
                        jobs.push(job(current, 1, Vec::new()));
                    }
                    let j = jobs.iter_mut().rev().find(|j| j.name == current).unwrap();
                    let from = j.line;
                    j.steps
                        .push(CiStep::run(find_line(lines, cmd, from), cmd.clone()));
                }
            }
            for (k, child) in o {
                if !matches!(k.as_str(), "script" | "bash" | "pwsh" | "powershell") {
                    azure_collect(lines, child, current, jobs);
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|c| azure_collect(lines, c, current, jobs)),
        _ => {}
    }
}

/// Bitbucket: `default` and `branches` run on push, `pull-requests` on pull
/// requests, `custom` only by hand, `tags` on tags.
pub(super) fn bitbucket(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let root = load("Bitbucket Pipelines", text)?;
    let lines = &LineIndex::new(text);
    let mut jobs = Vec::new();
    let Some(pipes) = root.get("pipelines").and_then(Value::as_object) else {
        return Ok(Some(pipeline(path, "bitbucket-pipelines", &["push"], jobs)));
    };
    for (section, body) in pipes {
        let trigger = match section.as_str() {
            "default" | "branches" => "push",
            "pull-requests" => "pull_request",
            "tags" | "bookmarks" => "tag",
            _ => "manual",
        };
        let groups: Vec<(String, &Value)> = match body {
            Value::Array(_) => vec![(section.clone(), body)],
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| (format!("{section} {k}"), v))
                .collect(),
            _ => continue,
        };
        for (name, steps) in groups {
            let line = key_line(lines, section, 1);
            let mut commands = Vec::new();
            let mut matrix = false;
            bitbucket_scripts(steps, &mut commands, &mut matrix);
            let mut j = job(&name, line, run_steps(lines, commands, line));
            j.triggers = Some(vec![trigger.to_string()]);
            j.matrix = matrix;
            jobs.push(j);
        }
    }
    jobs.sort_by_key(|j| j.line);
    Ok(Some(pipeline(path, "bitbucket-pipelines", &["push"], jobs)))
}

fn bitbucket_scripts(v: &Value, out: &mut Vec<String>, matrix: &mut bool) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| bitbucket_scripts(x, out, matrix)),
        Value::Object(o) => {
            if o.contains_key("parallel") {
                *matrix = true;
            }
            if let Some(s) = o.get("script") {
                out.extend(strings(s));
            }
            for (k, child) in o {
                if k != "script" {
                    bitbucket_scripts(child, out, matrix);
                }
            }
        }
        _ => {}
    }
}

/// Buildkite: `command:`/`commands:` steps, possibly in `group:`s; pipelines
/// are started by pushes (and pull requests, per pipeline settings).
pub(super) fn buildkite(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let root = load("Buildkite", text)?;
    let lines = &LineIndex::new(text);
    let mut jobs = Vec::new();
    let steps = root.get("steps").unwrap_or(&Value::Null);
    buildkite_steps(lines, steps, &mut jobs, &mut 1);
    Ok(Some(pipeline(
        path,
        "buildkite",
        &["push", "pull_request"],
        jobs,
    )))
}

fn buildkite_steps(lines: &LineIndex, steps: &Value, jobs: &mut Vec<CiJob>, cursor: &mut u32) {
    for s in steps.as_array().into_iter().flatten() {
        if let Some(inner) = s.get("steps") {
            buildkite_steps(lines, inner, jobs, cursor);
            continue;
        }
        let commands: Vec<String> = ["command", "commands"]
            .iter()
            .filter_map(|k| s.get(*k))
            .flat_map(strings)
            .collect();
        if commands.is_empty() {
            continue;
        }
        let label = s
            .get("label")
            .or_else(|| s.get("key"))
            .and_then(Value::as_str)
            .unwrap_or("step");
        let line = find_next(lines, &commands[0], cursor);
        let mut j = job(label, line, run_steps(lines, commands, line));
        j.matrix = s.get("matrix").is_some() || s.get("parallelism").is_some();
        jobs.push(j);
    }
}

/// Drone and Woodpecker: possibly several YAML documents (one per
/// pipeline); steps with `commands:`, narrowed by `when: event:` and the
/// pipeline's `trigger: event:` (Drone) or `when:` (Woodpecker).
pub(super) fn drone(
    path: &str,
    text: &str,
    system: &'static str,
) -> Result<Option<CiPipeline>, String> {
    let docs: Vec<Value> =
        crate::facts::yaml::from_multiple(text).map_err(|e| yaml_error(system, &e))?;
    let lines = &LineIndex::new(text);
    let mut jobs = Vec::new();
    let mut all_triggers: Vec<String> = Vec::new();
    for doc in &docs {
        let pipeline_events = doc
            .pointer("/trigger/event")
            .or_else(|| doc.pointer("/when/event"))
            .map(events);
        let explicit = pipeline_events.is_some();
        let default = vec!["push".to_string(), "pull_request".to_string()];
        let pipe_triggers = pipeline_events.unwrap_or(default);
        all_triggers.extend(pipe_triggers.iter().cloned());
        let steps: Vec<(String, &Value)> = match doc.get("steps").or_else(|| doc.get("pipeline")) {
            Some(Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let name = s
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("step {}", i + 1), String::from);
                    (name, s)
                })
                .collect(),
            Some(Value::Object(o)) => o.iter().map(|(k, v)| (k.clone(), v)).collect(),
            _ => Vec::new(),
        };
        let mut cursor = 1;
        for (name, step) in steps {
            let commands = step.get("commands").map(strings).unwrap_or_default();
            if commands.is_empty() {
                continue;
            }
            let line = key_line(lines, "commands", find_next(lines, &name, &mut cursor));
            let mut j = job(&name, line, run_steps(lines, commands, line));
            let step_events = step.pointer("/when/event").map(events);
            j.triggers = Some(match step_events {
                Some(ev) if explicit => ev
                    .into_iter()
                    .filter(|e| pipe_triggers.contains(e))
                    .collect(),
                Some(ev) => ev,
                None => pipe_triggers.clone(),
            });
            j.matrix = doc.get("matrix").is_some();
            jobs.push(j);
        }
    }
    all_triggers.sort();
    all_triggers.dedup();
    let t: Vec<&str> = all_triggers.iter().map(String::as_str).collect();
    Ok(Some(pipeline(path, system, &t, jobs)))
}

fn events(v: &Value) -> Vec<String> {
    let list = match v {
        Value::Object(o) => o.get("include").map(strings).unwrap_or_default(),
        v => strings(v),
    };
    list.into_iter()
        .map(|e| match e.as_str() {
            "pull_request" | "pull-request" => "pull_request".to_string(),
            "cron" => "schedule".to_string(),
            "custom" | "promote" | "rollback" | "manual" => "manual".to_string(),
            "tag" => "tag".to_string(),
            _ => "push".to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn circleci_workflows_and_schedules() {
        let text = "version: 2.1\norbs:\n  node: circleci/node@5\njobs:\n  test:\n    steps:\n      - checkout\n      - run: npm test\n  nightly:\n    steps:\n      - run:\n          command: pytest\nworkflows:\n  main:\n    jobs:\n      - test\n      - node/test\n  cron:\n    triggers:\n      - schedule:\n          cron: '0 0 * * *'\n    jobs:\n      - nightly\n";
        let p = parse(".circleci/config.yml", text).unwrap().unwrap();
        let test = p.jobs.iter().find(|j| j.name == "test").unwrap();
        assert_eq!(test.steps[0].line, 8);
        assert!(p.job_triggers(test).iter().any(|t| t == "push"));
        let nightly = p.jobs.iter().find(|j| j.name == "nightly").unwrap();
        assert_eq!(p.job_triggers(nightly), ["schedule"]);
        assert!(
            p.jobs
                .iter()
                .any(|j| j.steps[0].uses.as_deref() == Some("node/test"))
        );
    }

    #[test]
    fn travis_default_script_and_matrix() {
        let p = parse(".travis.yml", "language: go\ngo:\n  - 1.7\n  - tip\n")
            .unwrap()
            .unwrap();
        assert_eq!(p.jobs[0].steps[0].command, "go test -v ./...");
        assert!(p.jobs[0].matrix);
    }

    #[test]
    fn azure_trigger_none_and_jobs() {
        let text = "trigger: none\npr: none\nschedules:\n  - cron: '0 0 * * *'\njobs:\n  - job: test\n    steps:\n      - script: pytest\n";
        let p = parse("azure-pipelines.yml", text).unwrap().unwrap();
        assert_eq!(p.triggers, vec!["schedule"]);
        assert_eq!(p.jobs[0].name, "test");
        assert_eq!(p.jobs[0].steps[0].line, 8);
    }

    #[test]
    fn bitbucket_sections() {
        let text = "pipelines:\n  custom:\n    nightly:\n      - step:\n          script:\n            - go test ./...\n  pull-requests:\n    '**':\n      - step:\n          script:\n            - npm test\n";
        let p = parse("bitbucket-pipelines.yml", text).unwrap().unwrap();
        let custom = p
            .jobs
            .iter()
            .find(|j| j.name.starts_with("custom"))
            .unwrap();
        assert_eq!(p.job_triggers(custom), ["manual"]);
        let pr = p.jobs.iter().find(|j| j.name.starts_with("pull")).unwrap();
        assert_eq!(p.job_triggers(pr), ["pull_request"]);
        assert_eq!(pr.steps[0].line, 11);
    }

    #[test]
    fn buildkite_groups() {
        let text = "steps:\n  - group: tests\n    steps:\n      - label: unit\n        command: cargo test\n  - wait\n";
        let p = parse(".buildkite/pipeline.yml", text).unwrap().unwrap();
        assert_eq!(p.jobs[0].name, "unit");
        assert_eq!(p.jobs[0].steps[0].line, 5);
    }

    #[test]
    fn drone_multi_document_and_events() {
        let text = "kind: pipeline\nname: a\nsteps:\n  - name: test\n    commands:\n      - go test ./...\n    when:\n      event: [cron]\n---\nkind: pipeline\nname: b\ntrigger:\n  event: [pull_request]\nsteps:\n  - name: unit\n    commands:\n      - pytest\n";
        let p = parse(".drone.yml", text).unwrap().unwrap();
        assert_eq!(p.jobs.len(), 2);
        assert_eq!(p.job_triggers(&p.jobs[0]), ["schedule"]);
        assert_eq!(p.job_triggers(&p.jobs[1]), ["pull_request"]);
        assert_eq!(p.jobs[1].steps[0].line, 17);
        let w = parse(
            ".woodpecker.yml",
            "steps:\n  test:\n    image: golang\n    commands:\n      - go test ./...\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(w.jobs[0].name, "test");
    }
}
