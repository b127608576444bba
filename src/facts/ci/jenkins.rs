//! Jenkinsfile, read as text: Groovy is not parsed, but declarative and
//! scripted pipelines both spell shell steps as `sh '…'`, `sh "…"`,
//! `sh '''…'''` or `sh(script: '…')` (`bat`/`powershell` on Windows agents),
//! inside `stage('Name')` blocks. Multibranch jobs build every push and pull
//! request; a `triggers { cron(…) }` block adds a schedule, it does not
//! remove push builds.

use super::{CiJob, CiPipeline, CiStep, PipelineKind};

pub(super) fn parse(path: &str, text: &str) -> CiPipeline {
    let lines: Vec<&str> = text.lines().collect();
    let mut jobs: Vec<CiJob> = vec![CiJob {
        name: "pipeline".into(),
        line: 1,
        triggers: None,
        matrix_values: Vec::new(),
        matrix: false,
        calls: None,
        steps: Vec::new(),
    }];
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        let lineno = i as u32 + 1;
        if let Some(name) = stage_name(t) {
            jobs.push(CiJob {
                name,
                line: lineno,
                triggers: None,
                matrix_values: Vec::new(),
                matrix: false,
                calls: None,
                steps: Vec::new(),
            });
        }
        if t.starts_with("matrix") && t.ends_with('{') {
            jobs.last_mut().unwrap().matrix = true;
        }
        if let Some((cmd, consumed)) = shell_step(&lines, i) {
            jobs.last_mut().unwrap().steps.push(CiStep::run(
                lineno + u32::from(consumed > 0 && cmd_starts_next(t)),
                cmd,
            ));
            i += consumed;
        }
        i += 1;
    }
    jobs.retain(|j| !j.steps.is_empty());
    let mut triggers = vec!["push".to_string(), "pull_request".to_string()];
    if text.contains("cron(") {
        triggers.push("schedule".into());
    }
    CiPipeline {
        path: path.to_string(),
        system: "jenkins",
        kind: PipelineKind::Pipeline,
        triggers,
        includes: Vec::new(),
        paths: Vec::new(),
        jobs,
    }
}

fn cmd_starts_next(t: &str) -> bool {
    t.ends_with("'''") || t.ends_with("\"\"\"")
}

/// The text after `sh`/`bat`/… and its `(script:` where a shell step starts
/// on this line, also mid-line (`steps { sh 'make' }`).
fn step_start(t: &str) -> Option<&str> {
    for k in ["sh", "bat", "powershell", "pwsh"] {
        for (at, _) in t.match_indices(k) {
            if at > 0 && t.as_bytes()[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let rest = t[at + k.len()..].trim_start();
            let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
            let rest = rest
                .strip_prefix("script:")
                .map(str::trim_start)
                .unwrap_or(rest);
            if rest.starts_with(['\'', '"']) {
                return Some(rest);
            }
        }
    }
    None
}

fn stage_name(t: &str) -> Option<String> {
    let rest = t.strip_prefix("stage")?.trim_start();
    let rest = rest.strip_prefix('(')?.trim_start();
    let q = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = rest[1..].find(q)?;
    Some(rest[1..1 + end].to_string())
}

/// A shell step starting on `lines[i]`: its command and how many extra lines
/// a triple-quoted body consumed.
fn shell_step(lines: &[&str], i: usize) -> Option<(String, usize)> {
    let t = lines[i].trim();
    let rest = step_start(t)?;
    for q in ["'''", "\"\"\""] {
        if let Some(body) = rest.strip_prefix(q) {
            if let Some(end) = body.find(q) {
                return Some((body[..end].to_string(), 0));
            }
            let mut cmd = vec![body.to_string()];
            for (k, l) in lines.iter().enumerate().skip(i + 1) {
                if let Some(end) = l.find(q) {
                    cmd.push(l[..end].to_string());
                    let text = cmd.join("\n").trim().to_string();
                    return Some((text, k - i));
                }
                cmd.push(l.to_string());
            }
            return None;
        }
    }
    let q = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let end = rest[1..].find(q)?;
    Some((rest[1..1 + end].to_string(), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_and_shell_steps() {
        let text = "pipeline {\n  agent any\n  stages {\n    stage('Build') {\n      steps { sh 'npm ci' }\n    }\n    stage(\"Test\") {\n      steps {\n        sh '''\n          npm test\n        '''\n        sh(script: \"go test ./...\")\n      }\n    }\n  }\n}\n";
        let p = parse("Jenkinsfile", text);
        assert_eq!(p.jobs.len(), 2, "{:?}", p.jobs);
        assert_eq!(p.jobs[0].steps[0].command, "npm ci");
        let test = &p.jobs[1];
        assert_eq!(test.name, "Test");
        assert_eq!(test.steps[0].command, "npm test");
        assert_eq!(test.steps[0].line, 10);
        assert_eq!(test.steps[1].command, "go test ./...");
        assert_eq!(test.steps[1].line, 12);
    }
}
