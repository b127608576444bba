//! CI pipelines: which jobs run on which triggers, and the commands they run.
//!
//! GitHub Actions workflows are parsed as YAML with locations, so that the
//! evidence for `ci-runs-tests` points at the very `run:` line. Other CI
//! systems run on every push by default; until they get a parser of their
//! own they are read line by line as one job triggered on push.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One pipeline definition file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiPipeline {
    pub path: String,
    /// `github-actions`, `gitlab-ci`, `circleci`, …
    pub system: &'static str,
    /// Events that start the pipeline: `push`, `pull_request`, `workflow_dispatch` …
    pub triggers: Vec<String>,
    pub jobs: Vec<CiJob>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiJob {
    pub name: String,
    pub line: u32,
    pub steps: Vec<CiStep>,
}

/// A shell command a job runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CiStep {
    pub line: u32,
    pub command: String,
}

impl CiPipeline {
    /// Triggered by code changes (push, pull request, merge queue), not only
    /// by hand or on a schedule.
    pub fn runs_on_changes(&self) -> bool {
        self.triggers.iter().any(|t| {
            matches!(
                t.as_str(),
                "push" | "pull_request" | "pull_request_target" | "merge_group"
            )
        })
    }
}

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
}

#[derive(Deserialize)]
struct Step {
    run: Option<Spanned<String>>,
}

/// Parse one CI file. `Ok(None)` for a file that defines no pipeline
/// (a composite action's metadata, an empty file).
pub fn parse(path: &str, text: &str) -> Result<Option<CiPipeline>, String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if path.starts_with(".github/workflows/") {
        return github_actions(path, text).map(Some);
    }
    let system = match name {
        ".gitlab-ci.yml" => "gitlab-ci",
        "config.yml" => "circleci",
        ".travis.yml" => "travis",
        "azure-pipelines.yml" => "azure-pipelines",
        "bitbucket-pipelines.yml" => "bitbucket-pipelines",
        "Jenkinsfile" => "jenkins",
        ".drone.yml" => "drone",
        ".woodpecker.yml" => "woodpecker",
        _ if path.starts_with(".buildkite/") => "buildkite",
        _ => return Ok(None),
    };
    let steps = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| CiStep {
            line: i as u32 + 1,
            command: l.trim().trim_start_matches("- ").to_string(),
        })
        .collect();
    Ok(Some(CiPipeline {
        path: path.to_string(),
        system,
        triggers: vec!["push".into()],
        jobs: vec![CiJob {
            name: "pipeline".into(),
            line: 1,
            steps,
        }],
    }))
}

fn github_actions(path: &str, text: &str) -> Result<CiPipeline, String> {
    let wf: Workflow = serde_saphyr::from_str(text)
        .map_err(|e| format!("invalid workflow YAML: {}", first_line(&e.to_string())))?;
    let triggers = match wf.on {
        Some(serde_json::Value::String(s)) => vec![s],
        Some(serde_json::Value::Array(a)) => a
            .into_iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let mut jobs: Vec<CiJob> = wf
        .jobs
        .into_iter()
        .map(|(name, job)| CiJob {
            name,
            line: job.referenced.line() as u32,
            steps: job
                .value
                .steps
                .into_iter()
                .filter_map(|s| s.run)
                .map(|run| CiStep {
                    // A block scalar (`run: |`) is located at its indicator;
                    // its first command is on the next line.
                    line: {
                        let at = run.referenced.line() as u32;
                        at + u32::from(text_line(text, at).trim_end().ends_with(['|', '>']))
                    },
                    command: run.value,
                })
                .collect(),
        })
        .collect();
    jobs.sort_by_key(|j| j.line);
    Ok(CiPipeline {
        path: path.to_string(),
        system: "github-actions",
        triggers,
        jobs,
    })
}

fn text_line(text: &str, line: u32) -> &str {
    text.lines()
        .nth(line.saturating_sub(1) as usize)
        .unwrap_or("")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// A test runner recognised in a shell command, with the words that matched.
/// `npm test`-style commands are reported as `package-script` so the caller
/// can resolve them against package.json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCommand {
    Runner(&'static str),
    PackageScript,
}

/// Recognise a command that runs a test suite.
pub fn test_command(command: &str) -> Option<TestCommand> {
    const RUNNERS: &[(&str, &str)] = &[
        ("pytest", "pytest"),
        ("python -m unittest", "unittest"),
        ("python3 -m unittest", "unittest"),
        ("tox", "tox"),
        ("nox", "nox"),
        ("go test", "go test"),
        ("gotestsum", "go test"),
        ("cargo test", "cargo test"),
        ("cargo nextest", "cargo nextest"),
        ("jest", "jest"),
        ("vitest", "vitest"),
        ("mocha", "mocha"),
        ("ava", "ava"),
        ("node --test", "node --test"),
        ("playwright test", "playwright"),
        ("make test", "make test"),
        ("make check", "make check"),
        ("just test", "just test"),
        ("mvn test", "maven"),
        ("mvn verify", "maven"),
        ("gradle test", "gradle"),
        ("./gradlew test", "gradle"),
        ("dotnet test", "dotnet test"),
    ];
    for line in command.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let joined = words.join(" ");
        for (needle, name) in RUNNERS {
            if contains_words(&joined, needle) {
                return Some(TestCommand::Runner(name));
            }
        }
        for pm in ["npm", "yarn", "pnpm", "bun"] {
            for i in 0..words.len() {
                if words[i] != pm {
                    continue;
                }
                let rest = &words[i + 1..];
                let script = match rest {
                    ["test", ..] | ["t", ..] => "test",
                    ["run", s, ..] | ["run-script", s, ..] => s,
                    [s, ..] if pm != "npm" => s,
                    _ => continue,
                };
                if script.starts_with("test") {
                    return Some(TestCommand::PackageScript);
                }
            }
        }
    }
    None
}

/// Whole-word containment: `needle` appears bounded by non-word characters.
fn contains_words(haystack: &str, needle: &str) -> bool {
    let bytes = haystack.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    haystack.match_indices(needle).any(|(i, _)| {
        let before = i == 0 || !word(bytes[i - 1]);
        let end = i + needle.len();
        let after = end == bytes.len() || !word(bytes[end]);
        before && after
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_triggers_jobs_and_run_lines() {
        let text = "name: ci\non:\n  push:\n    branches: [main]\n  pull_request:\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n      - run: |\n          npm test\n";
        let p = parse(".github/workflows/ci.yml", text).unwrap().unwrap();
        assert_eq!(p.triggers, vec!["pull_request", "push"]);
        assert!(p.runs_on_changes());
        assert_eq!(p.jobs[0].name, "test");
        assert_eq!(p.jobs[0].line, 8);
        assert_eq!(p.jobs[0].steps[0].line, 11);
        assert_eq!(p.jobs[0].steps[1].line, 13);
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
    fn broken_yaml_is_an_error() {
        assert!(parse(".github/workflows/x.yml", "on: [push\njobs: {").is_err());
    }

    #[test]
    fn recognises_test_commands() {
        assert_eq!(
            test_command("python -m pytest -q"),
            Some(TestCommand::Runner("pytest"))
        );
        assert_eq!(
            test_command("go test ./..."),
            Some(TestCommand::Runner("go test"))
        );
        assert_eq!(test_command("npm test"), Some(TestCommand::PackageScript));
        assert_eq!(
            test_command("yarn test:unit"),
            Some(TestCommand::PackageScript)
        );
        assert_eq!(test_command("npm run build"), None);
        assert_eq!(test_command("pip install pytest-cov"), None);
        assert_eq!(test_command("echo attest"), None);
    }
}
