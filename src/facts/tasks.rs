//! Task runners a CI step delegates to: Makefile targets, justfile recipes
//! and shell scripts. CI often says only `make test` or `./scripts/test.sh`;
//! whether that runs a test suite is in these files, so their recipes are
//! kept as plain commands with lines for [`crate::facts::commands`] to follow.
//! Make and just are read as text: variables are not expanded, except that
//! `$(MAKE)` is read as `make`.

use serde::Serialize;

/// One target, recipe or script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub file: String,
    /// `make`, `just` or `script`.
    pub runner: &'static str,
    pub name: String,
    pub line: u32,
    /// The first target of a Makefile / first recipe of a justfile: what a
    /// bare `make` or `just` runs.
    pub default: bool,
    /// Prerequisites (make) or dependencies (just), run before the body.
    pub deps: Vec<String>,
    /// (line, command) of the body.
    pub commands: Vec<(u32, String)>,
}

/// Whether a file name is a task file this module reads.
pub fn task_runner(name: &str) -> Option<&'static str> {
    match name {
        "Makefile" | "makefile" | "GNUmakefile" => Some("make"),
        "justfile" | "Justfile" | ".justfile" => Some("just"),
        _ if name.ends_with(".mk") => Some("make"),
        _ if name.ends_with(".sh") => Some("script"),
        _ => None,
    }
}

/// An extensionless file in a `scripts/` or `script/` folder: the
/// "scripts to rule them all" convention (`script/test`, `scripts/ci`), run
/// as `./scripts/test` or `poetry run ./scripts/test`. Read as a shell
/// script only when it starts with a `#!` line for a shell.
pub fn is_extensionless_script(rel: &str) -> bool {
    let mut parts = rel.rsplit('/');
    let name = parts.next().unwrap_or(rel);
    let dir = parts.next().unwrap_or("");
    matches!(dir, "scripts" | "script") && !name.contains('.') && !name.is_empty()
}

fn shell_shebang(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with("#!")
        && ["sh", "bash", "zsh", "dash", "ksh"].iter().any(|s| {
            first
                .split(|c: char| c == '/' || c.is_whitespace())
                .any(|w| w == *s)
        })
}

pub fn parse(path: &str, text: &str) -> Vec<Task> {
    let name = crate::inventory::file_name(path);
    match task_runner(name) {
        Some("make") => makefile(path, text),
        Some("just") => justfile(path, text),
        Some(_) => vec![script(path, text)],
        None if is_extensionless_script(path) && shell_shebang(text) => vec![script(path, text)],
        None => Vec::new(),
    }
}

/// Logical lines: backslash continuations joined, numbered by their first line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (line, mut acc) = pending.take().unwrap_or((i as u32 + 1, String::new()));
        if !acc.is_empty() {
            acc.push(' ');
            acc.push_str(raw.trim_start());
        } else {
            acc.push_str(raw);
        }
        if let Some(stripped) = acc.strip_suffix('\\') {
            pending = Some((line, stripped.trim_end().to_string()));
        } else {
            out.push((line, acc));
        }
    }
    out.extend(pending);
    out
}

fn makefile(path: &str, text: &str) -> Vec<Task> {
    let mut tasks: Vec<Task> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (line, l) in logical_lines(text) {
        if let Some(body) = l.strip_prefix('\t') {
            let cmd = body
                .trim()
                .trim_start_matches(['@', '-', '+'])
                .replace("$(MAKE)", "make")
                .replace("${MAKE}", "make");
            if cmd.is_empty() || cmd.starts_with('#') {
                continue;
            }
            for &t in &current {
                tasks[t].commands.push((line, cmd.clone()));
            }
            continue;
        }
        let t = l.trim_end();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        current.clear();
        let Some((targets, rest)) = t.split_once(':') else {
            continue;
        };
        // `X := y`, `X ::= y`, conditionals and includes are not rules.
        if rest.starts_with('=')
            || rest.starts_with(":=")
            || targets.contains('=')
            || targets.contains('%')
            || targets.starts_with(['\t', ' '])
            || targets.contains("$(")
        {
            continue;
        }
        let (deps, inline) = match rest.split_once(';') {
            Some((d, c)) => (d, Some(c.trim())),
            None => (rest.trim_start_matches(':'), None),
        };
        for target in targets.split_whitespace() {
            if target.starts_with('.') {
                continue;
            }
            let default = !tasks.iter().any(|t| t.default);
            tasks.push(Task {
                file: path.to_string(),
                runner: "make",
                name: target.to_string(),
                line,
                default,
                deps: deps.split_whitespace().map(String::from).collect(),
                commands: inline
                    .filter(|c| !c.is_empty())
                    .map(|c| vec![(line, c.replace("$(MAKE)", "make"))])
                    .unwrap_or_default(),
            });
            current.push(tasks.len() - 1);
        }
    }
    tasks
}

fn justfile(path: &str, text: &str) -> Vec<Task> {
    let mut tasks: Vec<Task> = Vec::new();
    let mut in_recipe = false;
    for (line, l) in logical_lines(text) {
        if l.starts_with([' ', '\t']) {
            let cmd = l.trim().trim_start_matches(['@', '-']);
            if in_recipe && !cmd.is_empty() && !cmd.starts_with('#') {
                let t = tasks.last_mut().unwrap();
                t.commands.push((line, cmd.to_string()));
            }
            continue;
        }
        in_recipe = false;
        let t = l.trim_end();
        if t.is_empty()
            || t.starts_with('#')
            || t.starts_with('[')
            || t.starts_with("set ")
            || t.starts_with("alias ")
            || t.starts_with("export ")
            || t.starts_with("import ")
            || t.starts_with("mod ")
            || t.contains(":=")
        {
            continue;
        }
        let Some((head, deps)) = t.split_once(':') else {
            continue;
        };
        let Some(name) = head.trim_start_matches('@').split_whitespace().next() else {
            continue;
        };
        let default = tasks.is_empty();
        tasks.push(Task {
            file: path.to_string(),
            runner: "just",
            name: name.to_string(),
            line,
            default,
            deps: deps
                .split_whitespace()
                .filter(|d| !d.starts_with('(') && !d.contains('='))
                .map(String::from)
                .collect(),
            commands: Vec::new(),
        });
        in_recipe = true;
    }
    tasks
}

fn script(path: &str, text: &str) -> Task {
    Task {
        file: path.to_string(),
        runner: "script",
        name: path.to_string(),
        line: 1,
        default: true,
        deps: Vec::new(),
        commands: logical_lines(text)
            .into_iter()
            .filter(|(_, l)| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
            .map(|(n, l)| (n, l.trim().to_string()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makefile_targets_deps_and_recipes() {
        let text = "GO ?= go\n.PHONY: test\nall: build\n\nbuild:\n\t$(GO) build ./...\n\ntest: lint\n\t@go test \\\n\t  -race ./...\nci: ; $(MAKE) test\nVERSION := 1\n";
        let t = parse("Makefile", text);
        let names: Vec<&str> = t.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, vec!["all", "build", "test", "ci"]);
        assert!(t[0].default);
        let test = &t[2];
        assert_eq!(test.deps, vec!["lint"]);
        assert_eq!(test.commands, vec![(9, "go test -race ./...".to_string())]);
        assert_eq!(t[3].commands[0].1, "make test");
    }

    #[test]
    fn justfile_recipes() {
        let text = "set dotenv-load\nport := \"8000\"\n\ndefault: test\n\n# run tests\ntest *args: build\n    cargo test {{args}}\n\n@build:\n    cargo build\n";
        let t = parse("justfile", text);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].name, "default");
        assert_eq!(t[0].deps, vec!["test"]);
        assert_eq!(t[1].name, "test");
        assert_eq!(t[1].deps, vec!["build"]);
        assert_eq!(t[1].commands, vec![(8, "cargo test {{args}}".to_string())]);
    }
}
