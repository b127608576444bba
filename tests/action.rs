//! The GitHub Action (`action.yml`), run here the way the runner runs a
//! composite action: `${{ }}` expressions in `run:`, `env:`, `with:` and
//! `if:` evaluated against a fake `inputs`/`github`/`runner`/`steps` context,
//! each `run:` script handed to `bash --noprofile --norc -eo pipefail` with
//! its own GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, `uses:` steps
//! recorded with their evaluated `with:` but not run. The binary is this
//! build of graduate (on PATH, or served as a release by a local mock
//! server); the GitHub API is a local mock too. Nothing touches the network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const MARKER: &str = "<!-- graduate:report -->";
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn action() -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("action.yml is YAML")
}

fn steps() -> Vec<Value> {
    action()["runs"]["steps"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------
// Expressions: the subset of GitHub's expression language the action uses.
// Anything else panics, so a new construct in action.yml fails here loudly
// instead of being read wrongly.

#[derive(Debug, Clone, PartialEq)]
enum V {
    Null,
    Bool(bool),
    Str(String),
}

impl V {
    fn truthy(&self) -> bool {
        match self {
            V::Null => false,
            V::Bool(b) => *b,
            V::Str(s) => !s.is_empty(),
        }
    }
    fn text(&self) -> String {
        match self {
            V::Null => String::new(),
            V::Bool(b) => b.to_string(),
            V::Str(s) => s.clone(),
        }
    }
    /// GitHub compares strings ignoring case; null and '' both coerce to 0.
    fn loose_eq(&self, other: &V) -> bool {
        match (self, other) {
            (V::Str(a), V::Str(b)) => a.eq_ignore_ascii_case(b),
            (V::Null, V::Str(s)) | (V::Str(s), V::Null) => s.is_empty(),
            (V::Bool(b), V::Str(s)) | (V::Str(s), V::Bool(b)) => {
                s.eq_ignore_ascii_case(&b.to_string())
            }
            (a, b) => a == b,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct StepResult {
    outputs: BTreeMap<String, String>,
    outcome: String,
}

struct Ctx<'a> {
    inputs: &'a BTreeMap<String, String>,
    github: &'a Value,
    runner: &'a BTreeMap<&'static str, String>,
    steps: &'a BTreeMap<String, StepResult>,
    failed: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Ident(String),
    Op(&'static str),
}

fn tokens(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < b.len(), "unterminated string in `{src}`");
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                let ch = src[i..].chars().next().unwrap();
                s.push(ch);
                i += ch.len_utf8();
            }
            out.push(Tok::Str(s));
        } else if let Some(op) = ["==", "!=", "&&", "||", "!", "(", ")"]
            .into_iter()
            .find(|op| src[i..].starts_with(op))
        {
            out.push(Tok::Op(op));
            i += op.len();
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_.-".contains(&b[i])) {
                i += 1;
            }
            out.push(Tok::Ident(src[start..i].to_string()));
        } else {
            panic!("unsupported character `{c}` in expression `{src}`");
        }
    }
    out
}

struct Parser<'c, 'a> {
    toks: Vec<Tok>,
    at: usize,
    ctx: &'c Ctx<'a>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn eat(&mut self, op: &str) -> bool {
        if self.peek() == Some(&Tok::Op(leak(op))) {
            self.at += 1;
            true
        } else {
            false
        }
    }
    fn or(&mut self) -> V {
        let mut v = self.and();
        while self.eat("||") {
            let rhs = self.and();
            if !v.truthy() {
                v = rhs;
            }
        }
        v
    }
    fn and(&mut self) -> V {
        let mut v = self.unary();
        while self.eat("&&") {
            let rhs = self.unary();
            if v.truthy() {
                v = rhs;
            }
        }
        v
    }
    fn unary(&mut self) -> V {
        if self.eat("!") {
            return V::Bool(!self.unary().truthy());
        }
        let lhs = self.primary();
        if self.eat("==") {
            return V::Bool(lhs.loose_eq(&self.primary()));
        }
        if self.eat("!=") {
            return V::Bool(!lhs.loose_eq(&self.primary()));
        }
        lhs
    }
    fn primary(&mut self) -> V {
        let tok = self.toks.get(self.at).cloned();
        self.at += 1;
        match tok {
            Some(Tok::Op("(")) => {
                let v = self.or();
                assert!(self.eat(")"), "missing `)`");
                v
            }
            Some(Tok::Str(s)) => V::Str(s),
            Some(Tok::Ident(name)) if self.eat("(") => {
                assert!(
                    self.eat(")"),
                    "functions with arguments are not supported: {name}"
                );
                match name.as_str() {
                    "always" => V::Bool(true),
                    "success" => V::Bool(!self.ctx.failed),
                    "failure" => V::Bool(self.ctx.failed),
                    "cancelled" => V::Bool(false),
                    other => panic!("unsupported function {other}()"),
                }
            }
            Some(Tok::Ident(name)) => lookup(&name, self.ctx),
            other => panic!("unexpected token {other:?}"),
        }
    }
}

fn leak(s: &str) -> &'static str {
    ["==", "!=", "&&", "||", "!", "(", ")"]
        .into_iter()
        .find(|op| *op == s)
        .unwrap()
}

fn lookup(name: &str, ctx: &Ctx) -> V {
    match name {
        "true" => return V::Bool(true),
        "false" => return V::Bool(false),
        "null" => return V::Null,
        _ => {}
    }
    let (context, rest) = name.split_once('.').unwrap_or((name, ""));
    match context {
        "inputs" => V::Str(
            ctx.inputs
                .get(rest)
                .unwrap_or_else(|| panic!("undeclared input `{rest}`"))
                .clone(),
        ),
        "runner" => V::Str(ctx.runner[rest].clone()),
        "github" => {
            let mut v = ctx.github;
            for part in rest.split('.') {
                v = &v[part];
            }
            match v {
                Value::Null => V::Null,
                Value::String(s) => V::Str(s.clone()),
                Value::Bool(b) => V::Bool(*b),
                other => V::Str(other.to_string()),
            }
        }
        "steps" => {
            let mut parts = rest.splitn(3, '.');
            let (id, field, key) = (parts.next().unwrap(), parts.next().unwrap(), parts.next());
            let Some(step) = ctx.steps.get(id) else {
                return V::Null;
            };
            match (field, key) {
                ("outputs", Some(key)) => step.outputs.get(key).cloned().map_or(V::Null, V::Str),
                ("outcome", None) => V::Str(step.outcome.clone()),
                _ => panic!("unsupported `{name}`"),
            }
        }
        other => panic!("unsupported context `{other}`"),
    }
}

fn eval(expr: &str, ctx: &Ctx) -> V {
    let mut p = Parser {
        toks: tokens(expr),
        at: 0,
        ctx,
    };
    let v = p.or();
    assert!(p.at == p.toks.len(), "trailing tokens in `{expr}`");
    v
}

/// Replaces every `${{ … }}` with its value, as the runner does before a
/// script or an `env:` value is used.
fn interpolate(text: &str, ctx: &Ctx) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed ${{") + start;
        out.push_str(&eval(&rest[start + 3..end], ctx).text());
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// An `if:` is an expression with or without its `${{ }}`.
fn condition(step: &Value, ctx: &Ctx) -> bool {
    match step["if"].as_str() {
        None => !ctx.failed,
        Some(cond) => {
            let c = cond.trim();
            let c = c
                .strip_prefix("${{")
                .and_then(|c| c.strip_suffix("}}"))
                .unwrap_or(c);
            // A status function anywhere lifts the implicit success().
            let status = ["always()", "failure()", "cancelled()", "success()"]
                .iter()
                .any(|f| c.contains(f));
            (status || !ctx.failed) && eval(c, ctx).truthy()
        }
    }
}

// ---------------------------------------------------------------------------
// The runner.

struct Run {
    inputs: Vec<(&'static str, String)>,
    event_name: &'static str,
    event: Value,
    /// A `graduate` of this version on PATH (the cheapest install).
    graduate_on_path: bool,
    /// Extra executables put first on PATH (a fake cargo).
    tools: Vec<(&'static str, String)>,
    server_url: String,
    api_url: String,
    /// GITHUB_ACTION_PATH; the repository itself unless a test lays out
    /// `…/_actions/OWNER/NAME/REF`.
    action_path: PathBuf,
}

impl Run {
    fn new(inputs: &[(&'static str, &str)]) -> Run {
        Run {
            inputs: inputs.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            event_name: "push",
            event: json!({ "sender": { "login": "dev-alex" } }),
            graduate_on_path: true,
            tools: Vec::new(),
            // Closed ports: any request the test did not plan for fails
            // at once, locally.
            server_url: "http://127.0.0.1:9".into(),
            api_url: "http://127.0.0.1:9".into(),
            action_path: PathBuf::from(ROOT),
        }
    }
}

#[derive(Debug)]
struct Outcome {
    /// The exit code of the first failing step, else 0.
    code: i32,
    outputs: BTreeMap<String, String>,
    steps: BTreeMap<String, StepResult>,
    /// Names of the steps that ran (`uses:` steps included).
    ran: Vec<String>,
    /// `uses:` steps that ran, with their evaluated `with:`.
    uses: Vec<(String, BTreeMap<String, String>)>,
    summary: String,
    stdout: String,
    stderr: String,
    workspace: tempfile::TempDir,
    runner_temp: PathBuf,
    /// Runner temp, the event payload, the tools on PATH.
    _home: tempfile::TempDir,
}

impl Outcome {
    fn file(&self, name: &str) -> PathBuf {
        self.workspace.path().join(name)
    }
}

fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// PATH without any directory that holds a `graduate` (a developer's
/// ~/.cargo/bin), so that only what the test puts there is found.
fn clean_path() -> Vec<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|d| !d.join("graduate").exists())
        .collect()
}

fn run_action(run: Run) -> Outcome {
    let action = action();
    let workspace = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let runner_temp = home.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let event_path = home.path().join("event.json");
    std::fs::write(&event_path, run.event.to_string()).unwrap();

    let mut path = clean_path();
    let tools = home.path().join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    if run.graduate_on_path {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_graduate"), tools.join("graduate")).unwrap();
    }
    for (name, script) in &run.tools {
        let p = tools.join(name);
        std::fs::write(&p, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.insert(0, tools.clone());
    let path = std::env::join_paths(path).unwrap();

    let runner: BTreeMap<&'static str, String> = [
        ("temp", runner_temp.display().to_string()),
        ("os", "Linux".to_string()),
        (
            "arch",
            if cfg!(target_arch = "aarch64") {
                "ARM64"
            } else {
                "X64"
            }
            .to_string(),
        ),
    ]
    .into();
    let github = json!({
        "event_name": run.event_name,
        "event": run.event,
        "repository": "acme/orders",
        "token": "ghs_SyntheticActionsToken0123456789ab",
        "server_url": run.server_url,
        "api_url": run.api_url,
        "action_path": run.action_path.display().to_string(),
        "workspace": workspace.path().display().to_string(),
    });

    let mut steps: BTreeMap<String, StepResult> = BTreeMap::new();
    // Inputs: the given ones, else the declared default (itself an expression).
    let mut inputs = BTreeMap::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        let empty = BTreeMap::new();
        let ctx = Ctx {
            inputs: &empty,
            github: &github,
            runner: &runner,
            steps: &steps,
            failed: false,
        };
        let given = run.inputs.iter().find(|(k, _)| k == name);
        let value = match given {
            Some((_, v)) => v.clone(),
            None => interpolate(spec["default"].as_str().unwrap_or(""), &ctx),
        };
        inputs.insert(name.clone(), value);
    }
    for (k, _) in &run.inputs {
        assert!(inputs.contains_key(*k), "the action has no input `{k}`");
    }

    let mut failed = false;
    let mut code = 0;
    let (mut ran, mut uses) = (Vec::new(), Vec::new());
    let (mut summary, mut stdout, mut stderr) = (String::new(), String::new(), String::new());
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let name = step["name"].as_str().unwrap().to_string();
        let id = step["id"]
            .as_str()
            .map_or_else(|| format!("__{i}"), String::from);
        let ctx = Ctx {
            inputs: &inputs,
            github: &github,
            runner: &runner,
            steps: &steps,
            failed,
        };
        if !condition(step, &ctx) {
            steps.insert(
                id,
                StepResult {
                    outcome: "skipped".into(),
                    ..Default::default()
                },
            );
            continue;
        }
        ran.push(name.clone());
        if let Some(action_ref) = step["uses"].as_str() {
            let with = step["with"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), interpolate(v.as_str().unwrap(), &ctx)))
                        .collect()
                })
                .unwrap_or_default();
            uses.push((action_ref.to_string(), with));
            steps.insert(
                id,
                StepResult {
                    outcome: "success".into(),
                    ..Default::default()
                },
            );
            continue;
        }
        assert_eq!(step["shell"], "bash", "step `{name}`");
        let script = interpolate(step["run"].as_str().unwrap(), &ctx);
        let dir = home.path().join(format!("step-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (output_file, summary_file) = (dir.join("output"), dir.join("summary"));
        std::fs::write(&output_file, "").unwrap();
        std::fs::write(&summary_file, "").unwrap();
        let script_file = dir.join("script.sh");
        std::fs::write(&script_file, &script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(workspace.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", home.path())
            .env("LANG", "C.UTF-8")
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace.path())
            .env("GITHUB_ACTION_PATH", &run.action_path)
            .env("GITHUB_EVENT_NAME", run.event_name)
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_REPOSITORY", "acme/orders")
            .env("GITHUB_SERVER_URL", &run.server_url)
            .env("GITHUB_API_URL", &run.api_url)
            .env("GITHUB_SHA", "9c1d6f0a3b2e4d5c6b7a8f9e0d1c2b3a4f5e6d7c")
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env("RUNNER_TEMP", &runner_temp)
            .env("RUNNER_OS", &runner["os"])
            .env("RUNNER_ARCH", &runner["arch"]);
        if let Some(env) = step["env"].as_object() {
            for (k, v) in env {
                cmd.env(k, interpolate(v.as_str().unwrap(), &ctx));
            }
        }
        let out = cmd.output().unwrap();
        stdout.push_str(&String::from_utf8_lossy(&out.stdout));
        stderr.push_str(&String::from_utf8_lossy(&out.stderr));
        summary.push_str(&std::fs::read_to_string(&summary_file).unwrap());
        let status = out.status.code().unwrap_or(-1);
        if status != 0 && !failed {
            failed = true;
            code = status;
        }
        steps.insert(
            id,
            StepResult {
                outputs: parse_outputs(&std::fs::read_to_string(&output_file).unwrap()),
                outcome: if status == 0 { "success" } else { "failure" }.into(),
            },
        );
    }
    let ctx = Ctx {
        inputs: &inputs,
        github: &github,
        runner: &runner,
        steps: &steps,
        failed,
    };
    let outputs = action["outputs"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), interpolate(v["value"].as_str().unwrap(), &ctx)))
        .collect();
    Outcome {
        code,
        outputs,
        steps,
        ran,
        uses,
        summary,
        stdout,
        stderr,
        workspace,
        runner_temp,
        _home: home,
    }
}

fn fixture(name: &str) -> String {
    format!("{ROOT}/fixtures/{name}")
}

/// A copy of a fixture with a broken workflow file: one warning per scan.
fn with_a_warning(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .arg("-R")
        .arg(format!("{ROOT}/fixtures/{name}/."))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(workflows.join("broken.yml"), "on: [push\njobs: {\n").unwrap();
    dir
}

fn pull_request(head_repo: Option<&str>, sender: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/data/pull_request_event.json"))
        .unwrap();
    let mut event: Value = serde_json::from_str(&text).unwrap();
    event["pull_request"]["head"]["repo"] = match head_repo {
        Some(r) => json!({ "full_name": r }),
        None => Value::Null,
    };
    event["sender"]["login"] = json!(sender);
    event
}

fn report_of(out: &Outcome) -> Value {
    let json = std::fs::read_to_string(out.file(&out.outputs["report-json"])).unwrap();
    serde_json::from_str(&json).unwrap()
}

// ---------------------------------------------------------------------------

#[test]
fn inputs_reach_run_scripts_only_through_env() {
    for step in steps() {
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "step `{}` pastes an expression into its script: pass it through env:",
                step["name"]
            );
            assert_eq!(step["shell"], "bash");
        }
    }
}

#[test]
fn a_push_writes_the_reports_and_outputs_and_gates_on_the_score() {
    let tree = with_a_warning("express-prototype");
    let app = tree.path().display().to_string();
    let out = run_action(Run::new(&[("path", app.as_str())]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let report = report_of(&out);
    assert_eq!(out.outputs["score"], report["score"].to_string());
    assert_eq!(out.outputs["grade"], report["grade"].as_str().unwrap());
    assert_eq!(out.outputs["level"], report["level"]["current"].to_string());
    assert_eq!(out.outputs["report-json"], "graduate.json");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(out.file(&out.outputs["report-sarif"])).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let html = std::fs::read_to_string(out.file(&out.outputs["report-html"])).unwrap();
    assert!(html.to_ascii_lowercase().starts_with("<!doctype html>"));
    // Not a pull request: the report goes to the job summary, no comment.
    assert!(out.summary.starts_with(MARKER), "{}", out.summary);
    assert!(!out.ran.iter().any(|s| s.contains("Comment")));
    assert!(out.uses.iter().all(|(u, _)| !u.contains("upload-sarif")));
    // The broken workflow is reported by the first scan only.
    assert_eq!(report["warnings"].as_array().unwrap().len(), 1);
    assert_eq!(
        out.stderr.matches("broken.yml").count(),
        1,
        "{}",
        out.stderr
    );

    let score: u32 = out.outputs["score"].parse().unwrap();
    let at = run_action(Run::new(&[
        ("path", app.as_str()),
        ("fail-under", score.to_string().as_str()),
    ]));
    assert_eq!(at.code, 0, "a score equal to fail-under passes");
    let above = run_action(Run::new(&[
        ("path", app.as_str()),
        ("fail-under", (score + 1).to_string().as_str()),
    ]));
    assert_eq!(above.code, 1, "{}", above.stderr);
    assert!(above.stderr.contains("below --fail-under"));
    assert_eq!(
        above.outputs["score"],
        score.to_string(),
        "outputs are set before the gate"
    );
}

#[test]
fn hostile_inputs_are_data_never_code() {
    let app = fixture("go-service");
    let assert_not_pwned = |out: &Outcome| {
        for dir in [
            out.workspace.path(),
            Path::new(ROOT),
            out.runner_temp.as_path(),
        ] {
            assert!(
                !dir.join("pwned").exists(),
                "an input ran as code in {}",
                dir.display()
            );
        }
    };
    for (input, value) in [
        ("path", "$(touch pwned)"),
        ("baseline", "`touch pwned`"),
        ("fail-under", "50; touch pwned"),
        ("fail-under", "$(touch pwned)"),
    ] {
        let mut inputs = vec![("path", app.as_str())];
        if input == "path" {
            inputs.clear();
        }
        inputs.push((input, value));
        let out = run_action(Run::new(&inputs));
        assert_not_pwned(&out);
        assert_eq!(out.code, 2, "{input}={value}: {}", out.stderr);
    }

    let out = run_action(Run::new(&[
        ("path", app.as_str()),
        ("json", "r$(touch pwned).json"),
        ("sarif", "s`touch pwned`.sarif"),
        ("html", "h;touch pwned;.html"),
        ("upload-sarif", "true"),
        ("sarif-category", "$(touch pwned)"),
    ]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_not_pwned(&out);
    assert_eq!(out.outputs["report-json"], "r$(touch pwned).json");
    for name in [
        "r$(touch pwned).json",
        "s`touch pwned`.sarif",
        "h;touch pwned;.html",
    ] {
        assert!(out.file(name).is_file(), "{name} was not written as named");
    }
    let (_, with) = out
        .uses
        .iter()
        .find(|(u, _)| u.starts_with("github/codeql-action/upload-sarif@"))
        .expect("upload-sarif: true uploads");
    assert_eq!(with["sarif_file"], "s`touch pwned`.sarif");
    assert_eq!(with["category"], "$(touch pwned)");

    // A line break would add lines to $GITHUB_OUTPUT (`score=100`).
    let out = run_action(Run::new(&[
        ("path", app.as_str()),
        ("json", "r.json\nscore=100"),
    ]));
    assert_eq!(out.code, 2);
    assert_ne!(out.outputs["score"], "100");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fork_pull_request_writes_the_summary_warns_once_and_exits_by_the_gate() {
    // Any request to the API would fail the test: a read-only token must
    // not even try.
    let api = MockServer::start().await;
    let app = fixture("go-service");
    let run = |extra: &[(&'static str, &str)], event: Value| {
        let mut inputs = vec![("path", app.as_str()), ("upload-sarif", "true")];
        inputs.extend_from_slice(extra);
        let mut run = Run::new(&inputs);
        run.event_name = "pull_request";
        run.event = event;
        run.api_url = api.uri();
        run_action(run)
    };
    let out =
        tokio::task::block_in_place(|| run(&[], pull_request(Some("stranger/orders"), "stranger")));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.summary.starts_with(MARKER), "{}", out.summary);
    assert_eq!(out.stdout.matches("::warning").count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("fork"));
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    assert_eq!(out.steps["scan"].outputs["read-only"], "true");
    assert!(
        out.uses.iter().all(|(u, _)| !u.contains("upload-sarif")),
        "a read-only token cannot upload SARIF"
    );

    // Below the threshold: 1, the gate's code, not 2.
    let below = tokio::task::block_in_place(|| {
        run(
            &[("fail-under", "100")],
            pull_request(Some("stranger/orders"), "stranger"),
        )
    });
    assert_eq!(below.code, 1, "{}", below.stderr);
    assert_eq!(below.stdout.matches("::warning").count(), 1);

    // A deleted fork (head.repo null) and a Dependabot run: read-only too.
    for event in [
        pull_request(None, "stranger"),
        pull_request(Some("acme/orders"), "dependabot[bot]"),
    ] {
        let out = tokio::task::block_in_place(|| run(&[], event));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout.matches("::warning").count(), 1);
        assert!(out.summary.starts_with(MARKER));
    }
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_request_from_the_repository_gets_the_comment_and_the_upload() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "message": "Resource not accessible by integration" })),
        )
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&api)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({ "id": 7, "body": MARKER, "user": { "login": "github-actions[bot]" } }),
        ))
        .expect(1)
        .mount(&api)
        .await;
    let app = fixture("go-service");
    let mut run = Run::new(&[("path", app.as_str()), ("upload-sarif", "true")]);
    run.event_name = "pull_request";
    run.event = pull_request(Some("acme/orders"), "dev-alex");
    run.api_url = api.uri();
    let out = tokio::task::block_in_place(|| run_action(run));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("::warning"));
    let reqs = api.received_requests().await.unwrap();
    let post = reqs.iter().find(|r| r.method.as_str() == "POST").unwrap();
    assert_eq!(
        post.headers.get("authorization").unwrap().to_str().unwrap(),
        "Bearer ghs_SyntheticActionsToken0123456789ab",
        "the token input defaults to github.token"
    );
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert!(body["body"].as_str().unwrap().starts_with(MARKER));
    let (_, with) = out
        .uses
        .iter()
        .find(|(u, _)| u.contains("upload-sarif"))
        .expect("SARIF is uploaded when asked");
    assert_eq!(with["sarif_file"], "graduate.sarif");
    assert_eq!(with["category"], "graduate");
}

/// `…/_actions/acme/graduate/v<version>` with the action's Cargo files, as
/// the runner checks out a released action.
fn released_checkout(home: &Path) -> (PathBuf, String) {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let dir = home.join(format!("_actions/acme/graduate/v{version}"));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["Cargo.toml", "Cargo.lock", "action.yml"] {
        std::fs::copy(Path::new(ROOT).join(f), dir.join(f)).unwrap();
    }
    (dir, version)
}

fn target() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "aarch64-unknown-linux-gnu"
    } else {
        "x86_64-unknown-linux-gnu"
    }
}

/// graduate-<target>.tar.gz with the binary at its root, and its SHA-256,
/// as upload-rust-binary-action lays them out. The "binary" is a script
/// that runs this build (a debug build is too large to pack in a test).
fn release_archive(dir: &Path) -> (Vec<u8>, String) {
    let stage = dir.join("stage");
    std::fs::create_dir_all(&stage).unwrap();
    let exe = stage.join("graduate");
    std::fs::write(
        &exe,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_graduate")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    let archive = dir.join("a.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(&stage)
        .arg("graduate")
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&archive).unwrap();
    use sha2::Digest;
    let hash = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    (bytes, hash)
}

async fn serve_release(server: &MockServer, version: &str, archive: Vec<u8>, sums: String) {
    let base = format!("/acme/graduate/releases/download/v{version}");
    Mock::given(method("GET"))
        .and(path(format!("{base}/graduate-{}.tar.gz", target())))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(archive))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{base}/graduate-{}.sha256", target())))
        .respond_with(ResponseTemplate::new(200).set_body_string(sums))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_binary_of_the_actions_version_is_installed_when_its_checksum_matches() {
    let home = tempfile::tempdir().unwrap();
    let (action_path, version) = released_checkout(home.path());
    let (archive, hash) = release_archive(home.path());
    let server = MockServer::start().await;
    let sums = format!("{hash}  graduate-{}.tar.gz\n", target());
    serve_release(&server, &version, archive, sums).await;
    let mut run = Run::new(&[("path", fixture("go-service").as_str())]);
    run.graduate_on_path = false;
    run.server_url = server.uri();
    run.action_path = action_path;
    let out = tokio::task::block_in_place(|| run_action(run));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.steps["install"].outputs["installed"], "true");
    assert!(out.stdout.contains("checksum verified"));
    assert!(
        !out.ran.iter().any(|s| s.contains("source")),
        "{:?}",
        out.ran
    );
    assert!(
        out.uses
            .iter()
            .all(|(u, _)| !u.starts_with("actions/cache"))
    );
    assert!(
        out.runner_temp
            .join("graduate-action/bin/graduate")
            .is_file()
    );
    assert!(!out.outputs["score"].is_empty());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_release_whose_checksum_does_not_match_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let (action_path, version) = released_checkout(home.path());
    let (archive, _) = release_archive(home.path());
    let server = MockServer::start().await;
    let sums = format!("{}  graduate-{}.tar.gz\n", "0".repeat(64), target());
    serve_release(&server, &version, archive, sums).await;
    let mut run = Run::new(&[("path", fixture("go-service").as_str())]);
    run.graduate_on_path = false;
    run.server_url = server.uri();
    run.action_path = action_path;
    let out = tokio::task::block_in_place(|| run_action(run));
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("::error title=graduate::"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("checksum"));
    assert_eq!(
        out.ran,
        vec!["Install graduate".to_string()],
        "nothing runs after a bad download"
    );
    assert!(
        !out.runner_temp
            .join("graduate-action/bin/graduate")
            .exists()
    );
}

/// Stands in for cargo: logs its arguments and target directory and
/// "builds" by copying this test's binary where cargo would put it.
fn fake_cargo(log: &Path) -> String {
    format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" \"$CARGO_TARGET_DIR\" >> '{}'\nmkdir -p \"$CARGO_TARGET_DIR/release\"\ncp '{}' \"$CARGO_TARGET_DIR/release/graduate\"\n",
        log.display(),
        env!("CARGO_BIN_EXE_graduate")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_release_it_builds_from_source_with_a_cache_keyed_on_the_lock_file() {
    let home = tempfile::tempdir().unwrap();
    let (action_path, _) = released_checkout(home.path());
    let server = MockServer::start().await; // answers 404 to everything
    let log = home.path().join("cargo.log");
    let mut run = Run::new(&[("path", fixture("go-service").as_str())]);
    run.graduate_on_path = false;
    run.server_url = server.uri();
    run.action_path = action_path.clone();
    run.tools = vec![("cargo", fake_cargo(&log))];
    let out = tokio::task::block_in_place(|| run_action(run));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.steps["install"].outputs["installed"], "false");
    use sha2::Digest;
    let lock_hash =
        sha2::Sha256::digest(std::fs::read(Path::new(ROOT).join("Cargo.lock")).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
    let (_, cache) = out
        .uses
        .iter()
        .find(|(u, _)| u.starts_with("actions/cache@"))
        .expect("the source build is cached");
    assert!(cache["key"].ends_with(&lock_hash), "{}", cache["key"]);
    let target_dir = out.runner_temp.join("graduate-target");
    assert!(cache["path"].contains(&target_dir.display().to_string()));
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        logged,
        format!(
            "build --release --locked --manifest-path {}/Cargo.toml\n{}\n",
            action_path.display(),
            target_dir.display()
        )
    );
    assert!(!out.outputs["score"].is_empty());

    // from-source: true builds even with graduate of this version on PATH.
    let log2 = home.path().join("cargo2.log");
    let mut run = Run::new(&[
        ("path", fixture("go-service").as_str()),
        ("from-source", "true"),
    ]);
    run.tools = vec![("cargo", fake_cargo(&log2))];
    let out = tokio::task::block_in_place(|| run_action(run));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.steps["install"].outputs["installed"], "false");
    assert!(log2.exists(), "cargo was not run");
}

#[test]
fn a_graduate_of_the_actions_version_on_path_is_used_as_is() {
    let out = run_action(Run::new(&[("path", fixture("go-service").as_str())]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.steps["install"].outputs["installed"], "true");
    assert!(out.stdout.contains("found on PATH"));
    assert!(
        out.uses
            .iter()
            .all(|(u, _)| !u.starts_with("actions/cache"))
    );
}

#[test]
fn the_release_workflow_publishes_what_the_action_downloads() {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join(".github/workflows/release.yml")).unwrap();
    let release: Value = serde_saphyr::from_str(&text).unwrap();
    let job = &release["jobs"]["upload-assets"];
    let released: std::collections::BTreeSet<String> = job["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    let install = steps().into_iter().find(|s| s["id"] == "install").unwrap();
    let script = install["run"].as_str().unwrap();
    let downloaded: std::collections::BTreeSet<String> = script
        .lines()
        .filter_map(|l| l.split_once(") target=")?.1.strip_suffix(" ;;"))
        .map(String::from)
        .collect();
    assert_eq!(released, downloaded);
    assert_eq!(
        released.len(),
        5,
        "Linux x86_64/arm64, macOS x86_64/arm64, Windows"
    );
    // The names both sides use: upload-rust-binary-action's `$bin-$target`
    // archive, `.sha256` beside it, under the tag v<version>.
    let upload = job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("taiki-e/upload-rust-binary-action@"))
        })
        .unwrap();
    assert_eq!(upload["with"]["bin"], "graduate");
    assert_eq!(upload["with"]["archive"], "$bin-$target");
    assert_eq!(upload["with"]["checksum"], "sha256");
    // The shipped binary is the stripped dist profile.
    assert_eq!(upload["with"]["profile"], "dist");
    let manifest: toml::Table = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let dist = &manifest["profile"]["dist"];
    assert_eq!(dist["inherits"].as_str(), Some("release"));
    assert_eq!(dist["strip"].as_bool(), Some(true));
    for name in [
        "archive=\"graduate-$target.tar.gz\"",
        "archive=\"graduate-$target.zip\"",
        "sums=\"graduate-$target.sha256\"",
        "/releases/download/v$version\"",
    ] {
        assert!(script.contains(name), "the action no longer uses {name}");
    }
    assert!(
        text.contains("\"$TAG\" != \"v$version\""),
        "the tag must be v<Cargo version>"
    );
}

#[test]
fn baseline_gates_and_auditor_mode_come_from_inputs() {
    let app = fixture("waiver-ledger");
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let first = run_action(Run::new(&[("path", app.as_str())]));
    assert_eq!(first.code, 0, "{}", first.stderr);
    std::fs::copy(first.file(&first.outputs["report-json"]), &base).unwrap();
    let base = base.display().to_string();
    let same = run_action(Run::new(&[
        ("path", app.as_str()),
        ("baseline", base.as_str()),
        ("fail-on-new", "true"),
        ("fail-on-drop", "0"),
    ]));
    assert_eq!(
        same.code, 0,
        "nothing new, nothing dropped: {}",
        same.stderr
    );
    // Auditor mode brings the waived findings back and lowers the score.
    let audit = run_action(Run::new(&[
        ("path", app.as_str()),
        ("baseline", base.as_str()),
        ("no-waivers", "true"),
        ("fail-on-new", "true"),
    ]));
    assert_eq!(audit.code, 1, "{}", audit.stderr);
    assert!(
        audit.stderr.contains("--fail-on-new failed"),
        "{}",
        audit.stderr
    );
    assert!(report_of(&audit)["waivers"][0]["status"] == "ignored");
    assert!(
        audit.summary.contains("Gate `fail-on-new` failed"),
        "{}",
        audit.summary
    );
    let drop = run_action(Run::new(&[
        ("path", app.as_str()),
        ("baseline", base.as_str()),
        ("no-waivers", "true"),
        ("fail-on-drop", "1"),
    ]));
    assert_eq!(drop.code, 1, "{}", drop.stderr);
    assert!(
        drop.stderr.contains("--fail-on-drop failed: score fell by"),
        "{}",
        drop.stderr
    );
    for (input, value) in [("fail-on-drop", "$(touch pwned)"), ("fail-on-new", "true")] {
        let out = run_action(Run::new(&[("path", app.as_str()), (input, value)]));
        assert_eq!(
            out.code, 2,
            "{input}={value} without a baseline: {}",
            out.stderr
        );
        assert!(!out.workspace.path().join("pwned").exists());
    }
}
