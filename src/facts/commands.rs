//! What a CI command ends up running.
//!
//! Pipelines rarely name the test runner: they say `npm test`, `make check`,
//! `just ci`, `./scripts/test.sh` or `docker compose run api`, and the runner
//! is one or more hops away, in package.json, a Makefile, a justfile, a shell
//! script or a compose service's `command:`. [`expand`] follows those hops
//! (bounded, cycle-safe) over the merged facts and returns every leaf command
//! with the chain that led to it, so evidence can say "`make ci` → Makefile:12
//! target `test` → `go test ./...`". [`test_runner`] and [`coverage_run`]
//! then classify a leaf. npm's placeholder (`echo "Error: no test specified"
//! && exit 1`) simply resolves to no runner.

use crate::facts::Facts;
use crate::facts::manifests::Manifest;
use crate::inventory::{ManifestKind, dir_of, file_name};

/// How many hops a command is followed (script → target → script …).
const MAX_DEPTH: usize = 8;

/// Simple commands read per expansion, whatever the shape of the scripts.
/// Each script, target or recipe is expanded once per call (a second
/// reference adds nothing new), so real repositories stay far below this;
/// it bounds what a hostile `package.json` can make the scan do.
pub const MAX_SEGMENTS: usize = 20_000;

/// One leaf command and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub text: String,
    /// Hops from the CI command to this leaf, e.g. "package.json:6 script `test`".
    pub via: Vec<String>,
}

/// Expand a shell command (possibly multi-line) run in `cwd` (repository-
/// relative, `None` = root) into its leaf commands.
pub fn expand(facts: &Facts, command: &str, cwd: Option<&str>) -> Vec<Resolved> {
    expand_bounded(facts, command, cwd).0
}

/// [`expand`], and whether the expansion was cut at [`MAX_SEGMENTS`].
pub fn expand_bounded(facts: &Facts, command: &str, cwd: Option<&str>) -> (Vec<Resolved>, bool) {
    let mut out = Vec::new();
    let mut x = Expander {
        facts,
        stack: Vec::new(),
        done: std::collections::HashSet::new(),
        segments: 0,
        cut: false,
    };
    x.text(command, cwd.unwrap_or(""), &[], &mut out);
    (out, x.cut)
}

struct Expander<'a> {
    facts: &'a Facts,
    /// Keys of the scripts/targets being expanded, against cycles.
    stack: Vec<String>,
    /// Keys already expanded in this call: a script called from ten places
    /// is read once (without this, ten calls over nine levels are 10⁹ leaves).
    done: std::collections::HashSet<String>,
    segments: usize,
    cut: bool,
}

/// Split a shell text into simple commands: lines (with `\` continuations
/// joined), then `&&`, `||`, `;` and `|` — outside quotes only, so
/// `echo "tests disabled; pytest --cov-fail-under=80"` is one `echo`, not an
/// `echo` and a `pytest`. A `#` that starts a word outside quotes starts a
/// comment.
pub fn segments(text: &str) -> Vec<String> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let mut cur = String::new();
        let mut quote: Option<char> = None;
        let mut chars = line.chars().peekable();
        fn push(cur: &mut String, out: &mut Vec<String>) {
            let seg = cur.trim();
            if !seg.is_empty() {
                out.push(seg.to_string());
            }
            cur.clear();
        }
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some('\''), '\'') => quote = None,
                (Some('\''), _) => {}
                (_, '\\') => {
                    // An escaped character is literal, in double quotes too.
                    cur.push(c);
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                    continue;
                }
                (Some('"'), '"') => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if cur.is_empty() || cur.ends_with(char::is_whitespace) => break,
                (None, ';') => {
                    push(&mut cur, &mut out);
                    continue;
                }
                (None, '&') if chars.peek() == Some(&'&') => {
                    chars.next();
                    push(&mut cur, &mut out);
                    continue;
                }
                (None, '|') => {
                    if chars.peek() == Some(&'|') {
                        chars.next();
                    }
                    push(&mut cur, &mut out);
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        push(&mut cur, &mut out);
    }
    out
}

/// The words of a simple command as a POSIX shell reads them (quotes
/// group and are removed: `echo "a; pytest"` is two words). Text the
/// shell itself could not read (an unclosed quote) falls back to blanks.
pub fn words(segment: &str) -> Vec<String> {
    shlex::split(segment).unwrap_or_else(|| {
        segment
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .filter(|w| !w.is_empty())
            .collect()
    })
}

/// Words joined back into a command that [`words`] and [`segments`] read
/// the same way. Only a word that would not survive that is quoted (blanks,
/// quotes, backslashes, separators), so evidence still reads
/// `pytest --cov=app`, not `pytest '--cov=app'`.
pub fn join_words<S: AsRef<str>>(w: &[S]) -> String {
    w.iter()
        .map(|x| {
            let x = x.as_ref();
            let plain = !x.is_empty()
                && !x.starts_with('#')
                && !x.contains(|c: char| {
                    c.is_whitespace()
                        || matches!(
                            c,
                            '\'' | '"' | '\\' | ';' | '&' | '|' | '<' | '>' | '(' | ')' | '`'
                        )
                });
            if plain {
                std::borrow::Cow::Borrowed(x)
            } else {
                // Only a NUL cannot be quoted; it cannot reach a shell either.
                shlex::try_quote(x).unwrap_or(std::borrow::Cow::Borrowed(x))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_assignment(w: &str) -> bool {
    w.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty()
            && !k.starts_with('-')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn join_dir(cwd: &str, dir: &str) -> String {
    let mut parts: Vec<&str> = if dir.starts_with('/') {
        Vec::new()
    } else {
        cwd.split('/').filter(|s| !s.is_empty()).collect()
    };
    for p in dir.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            // `$GITHUB_WORKSPACE`, `~`: the checkout root.
            _ if p.starts_with('$') || p == "~" => parts.clear(),
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn in_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// What the head of a simple command delegates to.
enum Hop {
    Leaf,
    /// Package scripts: (dir override, script name, every workspace?).
    Script(Option<String>, String, bool),
    Make(Option<String>, Option<String>, Vec<String>),
    Just(Option<String>, Vec<String>),
    Compose(Vec<String>, Vec<String>, Vec<String>),
    ScriptFile(String),
    /// `docker exec|run`: (container or image, command).
    Container(String, Vec<String>),
}

impl Expander<'_> {
    fn text(&mut self, text: &str, cwd: &str, via: &[String], out: &mut Vec<Resolved>) {
        let mut cwd = cwd.to_string();
        for seg in segments(text) {
            self.segments += 1;
            if self.segments > MAX_SEGMENTS {
                self.cut = true;
                return;
            }
            let mut w = words(&seg);
            while w
                .first()
                .is_some_and(|h| is_assignment(h) || h == "env" || h == "exec" || h == "time")
            {
                w.remove(0);
            }
            if w.is_empty() {
                continue;
            }
            if w[0] == "cd" {
                cwd = join_dir(&cwd, w.get(1).map_or("", String::as_str));
                continue;
            }
            // A wrapper in front of a hop (`c8 npm run test:run`, `poetry
            // run ./scripts/test`, `npx turbo run test`): follow the hop and
            // keep the wrapper in front of each leaf, so `c8` still measures
            // what the script runs.
            let (inner, _) = core(&w);
            if !inner.is_empty()
                && inner.len() < w.len()
                && !matches!(hop(inner), Hop::Leaf)
                && self.stack.len() < MAX_DEPTH
            {
                let prefix = join_words(&w[..w.len() - inner.len()]);
                let mut sub = Vec::new();
                self.text(&join_words(inner), &cwd, via, &mut sub);
                out.extend(sub.into_iter().map(|r| Resolved {
                    text: format!("{prefix} {}", r.text),
                    via: r.via,
                }));
                continue;
            }
            if self.stack.len() >= MAX_DEPTH {
                out.push(Resolved {
                    text: join_words(&w),
                    via: via.to_vec(),
                });
                continue;
            }
            match hop(&w) {
                Hop::Leaf => out.push(Resolved {
                    text: join_words(&w),
                    via: via.to_vec(),
                }),
                Hop::Script(dir, name, all) => {
                    let dir = dir.map_or(cwd.clone(), |d| join_dir(&cwd, &d));
                    if !self.script(&dir, &name, all, &w, via, out) {
                        out.push(Resolved {
                            text: join_words(&w),
                            via: via.to_vec(),
                        });
                    }
                }
                Hop::Make(dir, file, targets) => {
                    let dir = dir.map_or(cwd.clone(), |d| join_dir(&cwd, &d));
                    self.make(&dir, file.as_deref(), &targets, &w, via, out);
                }
                Hop::Just(dir, recipes) => {
                    let dir = dir.map_or(cwd.clone(), |d| join_dir(&cwd, &d));
                    self.just(&dir, &recipes, &w, via, out);
                }
                Hop::Compose(files, services, cmd) => {
                    self.compose(&cwd, &files, &services, &cmd, &w, via, out)
                }
                Hop::Container(name, cmd) => {
                    let mut v = via.to_vec();
                    v.push(format!("container `{name}`"));
                    // A hop like any other: `docker exec a docker exec a …`
                    // 40,000 times in one script recursed that deep, copying
                    // the rest of the line at each level (23 GB).
                    self.stack.push(format!("container `{name}`"));
                    self.text(&join_words(&cmd), &cwd, &v, out);
                    self.stack.pop();
                }
                Hop::ScriptFile(path) => {
                    let path = join_dir(&cwd, &path);
                    self.script_file(&path, &w, via, out);
                }
            }
        }
    }

    fn enter(&mut self, key: String) -> bool {
        if self.stack.contains(&key) || self.done.contains(&key) {
            return false;
        }
        self.stack.push(key);
        true
    }

    fn leave(&mut self) {
        if let Some(key) = self.stack.pop() {
            self.done.insert(key);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn script(
        &mut self,
        dir: &str,
        name: &str,
        all: bool,
        w: &[String],
        via: &[String],
        out: &mut Vec<Resolved>,
    ) -> bool {
        let manifests: Vec<&Manifest> = self
            .facts
            .manifests
            .iter()
            .filter(|m| m.kind == ManifestKind::PackageJson && m.script(name).is_some())
            .collect();
        let here = in_dir(dir, "package.json");
        let chosen: Vec<&Manifest> = if all {
            manifests
        } else if let Some(m) = manifests.iter().find(|m| m.path == here) {
            vec![*m]
        } else if let Some(m) = manifests.iter().find(|m| m.path == "package.json") {
            vec![*m]
        } else {
            // A monorepo whose CI runs in a directory we could not see
            // (a `cd` in a script): any package that has the script.
            manifests.into_iter().take(1).collect()
        };
        if chosen.is_empty() {
            // `yarn jest`, `pnpm vitest run`: not a script, the binary.
            if let Some(bin_at) = w.iter().position(|x| x == name)
                && !matches!(name, "test" | "t")
                && matches!(w[0].as_str(), "yarn" | "pnpm" | "bun")
            {
                out.push(Resolved {
                    text: join_words(&w[bin_at..]),
                    via: via.to_vec(),
                });
                return true;
            }
            return false;
        }
        for m in chosen {
            let s = m.script(name).expect("filtered on script");
            if !self.enter(format!("{}#{}", m.path, name)) {
                continue;
            }
            let mut v = via.to_vec();
            v.push(format!("{}:{} script `{}`", m.path, s.line, s.name));
            let body = s.command.clone();
            self.text(&body, dir_of(&m.path), &v, out);
            self.leave();
        }
        true
    }

    fn make(
        &mut self,
        dir: &str,
        file: Option<&str>,
        targets: &[String],
        w: &[String],
        via: &[String],
        out: &mut Vec<Resolved>,
    ) {
        let files: Vec<String> = match file {
            Some(f) => vec![join_dir(dir, f)],
            None => ["GNUmakefile", "makefile", "Makefile"]
                .iter()
                .map(|n| in_dir(dir, n))
                .collect(),
        };
        let tasks: Vec<_> = self
            .facts
            .tasks
            .iter()
            .filter(|t| t.runner == "make" && files.contains(&t.file))
            .collect();
        if tasks.is_empty() {
            out.push(Resolved {
                text: join_words(w),
                via: via.to_vec(),
            });
            return;
        }
        let wanted: Vec<String> = if targets.is_empty() {
            tasks
                .iter()
                .filter(|t| t.default)
                .map(|t| t.name.clone())
                .collect()
        } else {
            targets.to_vec()
        };
        for target in wanted {
            let Some(t) = tasks.iter().find(|t| t.name == target).copied() else {
                out.push(Resolved {
                    text: format!("make {target}"),
                    via: via.to_vec(),
                });
                continue;
            };
            if !self.enter(format!("{}#{}", t.file, t.name)) {
                continue;
            }
            let mut v = via.to_vec();
            v.push(format!("{}:{} target `{}`", t.file, t.line, t.name));
            let deps = t.deps.clone();
            if !deps.is_empty() {
                self.make(dir, file, &deps, w, &v, out);
            }
            for (_, cmd) in t.commands.clone() {
                self.text(&cmd, dir, &v, out);
            }
            self.leave();
        }
    }

    fn just(
        &mut self,
        dir: &str,
        recipes: &[String],
        w: &[String],
        via: &[String],
        out: &mut Vec<Resolved>,
    ) {
        // just looks for its justfile in the directory and its parents.
        let mut d = dir.to_string();
        let tasks = loop {
            let found: Vec<_> = self
                .facts
                .tasks
                .iter()
                .filter(|t| t.runner == "just" && dir_of(&t.file) == d)
                .collect();
            if !found.is_empty() || d.is_empty() {
                break found;
            }
            d = dir_of(&d).to_string();
        };
        if tasks.is_empty() {
            out.push(Resolved {
                text: join_words(w),
                via: via.to_vec(),
            });
            return;
        }
        let wanted: Vec<String> = match recipes.first() {
            Some(r) => vec![r.clone()],
            None => tasks
                .iter()
                .filter(|t| t.default)
                .map(|t| t.name.clone())
                .collect(),
        };
        for name in wanted {
            let Some(t) = tasks.iter().find(|t| t.name == name).copied() else {
                continue;
            };
            if !self.enter(format!("{}#{}", t.file, t.name)) {
                continue;
            }
            let mut v = via.to_vec();
            v.push(format!("{}:{} recipe `{}`", t.file, t.line, t.name));
            for dep in t.deps.clone() {
                self.just(dir, &[dep], w, &v, out);
            }
            for (_, cmd) in t.commands.clone() {
                self.text(&cmd, &d, &v, out);
            }
            self.leave();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn compose(
        &mut self,
        cwd: &str,
        files: &[String],
        services: &[String],
        cmd: &[String],
        w: &[String],
        via: &[String],
        out: &mut Vec<Resolved>,
    ) {
        let files: Vec<String> = if files.is_empty() {
            [
                "compose.yaml",
                "compose.yml",
                "docker-compose.yml",
                "docker-compose.yaml",
            ]
            .iter()
            .map(|n| in_dir(cwd, n))
            .collect()
        } else {
            files.iter().map(|f| join_dir(cwd, f)).collect()
        };
        let known: Vec<_> = self
            .facts
            .deploy
            .compose_services
            .iter()
            .filter(|s| files.contains(&s.file))
            .collect();
        let mut v = via.to_vec();
        if !cmd.is_empty() {
            // `docker compose run api pytest`: the command is given here.
            if let Some(s) = services.first() {
                v.push(format!("compose service `{s}`"));
            }
            let c = join_words(cmd);
            self.text(&c, cwd, &v, out);
            return;
        }
        let chosen: Vec<_> = known
            .iter()
            .filter(|s| services.is_empty() || services.contains(&s.name))
            .collect();
        if chosen.is_empty() {
            out.push(Resolved {
                text: join_words(w),
                via: via.to_vec(),
            });
            return;
        }
        for s in chosen {
            let Some(command) = &s.command else { continue };
            if !self.enter(format!("{}#{}", s.file, s.name)) {
                continue;
            }
            let mut v = via.to_vec();
            v.push(format!("{}:{} service `{}`", s.file, s.line, s.name));
            let c = command.clone();
            self.text(&c, dir_of(&s.file), &v, out);
            self.leave();
        }
    }

    fn script_file(&mut self, path: &str, w: &[String], via: &[String], out: &mut Vec<Resolved>) {
        let Some(t) = self
            .facts
            .tasks
            .iter()
            .find(|t| t.runner == "script" && t.file == path)
        else {
            out.push(Resolved {
                text: join_words(w),
                via: via.to_vec(),
            });
            return;
        };
        if !self.enter(t.file.clone()) {
            return;
        }
        let mut v = via.to_vec();
        v.push(format!("{} script", t.file));
        for (_, cmd) in t.commands.clone() {
            self.text(&cmd, dir_of(path), &v, out);
        }
        self.leave();
    }
}

/// Options that take a value, per tool, so the value is not read as a target.
fn takes_value(tool: &str, opt: &str) -> bool {
    match tool {
        "make" => matches!(
            opt,
            "-C" | "-f" | "-j" | "--directory" | "--file" | "-I" | "-o" | "-W"
        ),
        "just" => matches!(
            opt,
            "-f" | "--justfile" | "-d" | "--working-directory" | "--set"
        ),
        "compose" => matches!(
            opt,
            "-f" | "--file"
                | "-p"
                | "--project-name"
                | "--profile"
                | "--env-file"
                | "-e"
                | "--env"
                | "-w"
                | "--workdir"
                | "-u"
                | "--user"
                | "--entrypoint"
                | "--name"
                | "-v"
                | "--volume"
                | "-l"
                | "--label"
                | "--exit-code-from"
                | "--scale"
                | "--project-directory"
                | "--timeout"
                | "-t"
        ),
        _ => matches!(
            opt,
            "--prefix" | "-C" | "--cwd" | "--dir" | "-w" | "--workspace" | "--filter" | "-F"
        ),
    }
}

fn hop(w: &[String]) -> Hop {
    let head = file_name(&w[0]);
    match head {
        "npm" | "yarn" | "pnpm" | "bun" => package_hop(head, w),
        "npx" | "bunx" | "pnpx" => Hop::Leaf,
        "turbo" | "lerna" | "nx" => {
            // `turbo run test`, `lerna run test`, `nx run-many -t test`:
            // the script of that name in every workspace.
            let rest: Vec<&str> = w[1..].iter().map(String::as_str).collect();
            let name = match rest.as_slice() {
                ["run", name, ..] if head != "nx" => Some(*name),
                ["run-many", more @ ..] | ["affected", more @ ..] => more
                    .iter()
                    .position(|x| *x == "-t" || *x == "--target")
                    .and_then(|i| more.get(i + 1).copied())
                    .or_else(|| more.iter().find_map(|x| x.strip_prefix("--target="))),
                [name, ..] if head != "lerna" && !name.starts_with('-') => Some(*name),
                _ => None,
            };
            match name {
                Some(n) => Hop::Script(None, n.to_string(), true),
                None => Hop::Leaf,
            }
        }
        "make" | "gmake" => {
            let (mut dir, mut file, mut targets) = (None, None, Vec::new());
            let mut i = 1;
            while i < w.len() {
                let a = w[i].as_str();
                if takes_value("make", a) {
                    match a {
                        "-C" | "--directory" => dir = w.get(i + 1).cloned(),
                        "-f" | "--file" => file = w.get(i + 1).cloned(),
                        _ => {}
                    }
                    i += 2;
                    continue;
                }
                if let Some(d) = a.strip_prefix("--directory=") {
                    dir = Some(d.to_string());
                } else if !a.starts_with('-') && !is_assignment(a) {
                    targets.push(a.to_string());
                }
                i += 1;
            }
            Hop::Make(dir, file, targets)
        }
        "just" => {
            let (mut dir, mut recipes) = (None, Vec::new());
            let mut i = 1;
            while i < w.len() {
                let a = w[i].as_str();
                if takes_value("just", a) {
                    if matches!(a, "-d" | "--working-directory") {
                        dir = w.get(i + 1).cloned();
                    }
                    i += 2;
                    continue;
                }
                if !a.starts_with('-') {
                    recipes.push(a.to_string());
                }
                i += 1;
            }
            Hop::Just(dir, recipes)
        }
        "docker" if w.get(1).is_some_and(|x| x == "compose") => compose_hop(&w[2..]),
        // `docker exec app python -m pytest`, `docker run --rm img npm test`:
        // the command after the container/image is what runs.
        "docker" | "podman" if w.get(1).is_some_and(|x| x == "exec" || x == "run") => {
            let mut i = 2;
            while i < w.len() && w[i].starts_with('-') {
                let valued = takes_value("compose", &w[i])
                    || matches!(w[i].as_str(), "-p" | "--publish" | "--network" | "--mount");
                i += if valued && !w[i].contains('=') { 2 } else { 1 };
            }
            match w.get(i) {
                Some(name) if w.len() > i + 1 => Hop::Container(name.clone(), w[i + 1..].to_vec()),
                _ => Hop::Leaf,
            }
        }
        "docker-compose" => compose_hop(&w[1..]),
        "bash" | "sh" | "zsh" if w.get(1).is_some_and(|x| x.ends_with(".sh")) => {
            Hop::ScriptFile(w[1].clone())
        }
        _ if w[0].ends_with(".sh") => Hop::ScriptFile(w[0].clone()),
        // `./scripts/test`: an extensionless script run by its path.
        _ if w[0].contains('/')
            && crate::facts::tasks::is_extensionless_script(&w[0].replace("./", "")) =>
        {
            Hop::ScriptFile(w[0].clone())
        }
        _ => Hop::Leaf,
    }
}

fn package_hop(pm: &str, w: &[String]) -> Hop {
    let mut dir = None;
    let mut all = false;
    let mut rest: Vec<&str> = Vec::new();
    let mut i = 1;
    while i < w.len() {
        let a = w[i].as_str();
        if matches!(a, "--prefix" | "-C" | "--cwd" | "--dir") {
            dir = w.get(i + 1).cloned();
            i += 2;
            continue;
        }
        if let Some(d) = a
            .strip_prefix("--prefix=")
            .or_else(|| a.strip_prefix("--cwd="))
        {
            dir = Some(d.to_string());
        } else if matches!(a, "-w" | "--workspace" | "--filter" | "-F") {
            all = true;
            i += 2;
            continue;
        } else if matches!(a, "--workspaces" | "-ws" | "-r" | "--recursive") {
            all = true;
        } else if !a.starts_with('-') {
            rest.push(a);
        }
        i += 1;
    }
    let script = match (pm, rest.as_slice()) {
        (_, ["test" | "t" | "tst", ..]) if pm != "bun" => "test",
        ("bun", ["test", ..]) => return Hop::Leaf,
        (_, ["run" | "run-script" | "rum" | "urn", name, ..]) => name,
        ("yarn", ["workspaces", "run", name, ..]) => {
            all = true;
            name
        }
        ("yarn", ["workspace", _, name, ..]) => {
            all = true;
            name
        }
        (_, ["exec" | "dlx" | "x", ..]) => return Hop::Leaf,
        (_, ["start", ..]) => "start",
        ("npm", _) => return Hop::Leaf,
        (_, [name, ..])
            if !matches!(
                *name,
                "install" | "i" | "add" | "ci" | "build" | "pack" | "publish" | "audit"
            ) =>
        {
            name
        }
        ("pnpm" | "yarn" | "bun", ["build", ..]) => "build",
        _ => return Hop::Leaf,
    };
    Hop::Script(dir, script.to_string(), all)
}

fn compose_hop(w: &[String]) -> Hop {
    let mut files = Vec::new();
    let mut i = 0;
    // Global options before the subcommand.
    while i < w.len() && w[i].starts_with('-') {
        if matches!(w[i].as_str(), "-f" | "--file") {
            if let Some(f) = w.get(i + 1) {
                files.push(f.clone());
            }
            i += 2;
        } else if takes_value("compose", &w[i]) {
            i += 2;
        } else {
            i += 1;
        }
    }
    let Some(sub) = w.get(i).map(String::as_str) else {
        return Hop::Leaf;
    };
    i += 1;
    let mut services = Vec::new();
    let mut cmd = Vec::new();
    let mut exit_from = None;
    while i < w.len() {
        let a = w[i].as_str();
        if a.starts_with('-') && cmd.is_empty() && (sub == "up" || services.is_empty()) {
            if a == "--exit-code-from" {
                exit_from = w.get(i + 1).cloned();
            }
            if let Some(s) = a.strip_prefix("--exit-code-from=") {
                exit_from = Some(s.to_string());
            }
            i += if takes_value("compose", a) { 2 } else { 1 };
            continue;
        }
        match sub {
            "up" => services.push(a.to_string()),
            "run" | "exec" if services.is_empty() => services.push(a.to_string()),
            "run" | "exec" => cmd.push(a.to_string()),
            _ => return Hop::Leaf,
        }
        i += 1;
    }
    if !matches!(sub, "up" | "run" | "exec") {
        return Hop::Leaf;
    }
    if let Some(s) = exit_from {
        services = vec![s];
    }
    Hop::Compose(files, services, cmd)
}

/// One row of `rules/command-wrappers.toml`: a program that runs another
/// command, and how to find where that command starts.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperRow {
    commands: Vec<String>,
    #[serde(default)]
    after: Vec<String>,
    #[serde(default)]
    fixed_args: usize,
    #[serde(default)]
    flags: bool,
    #[serde(default)]
    valued_flags: Vec<String>,
    #[serde(default)]
    terminator: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    coverage: bool,
    #[cfg_attr(not(test), allow(dead_code))]
    examples: Vec<WrapperExample>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperExample {
    #[cfg_attr(not(test), allow(dead_code))]
    line: String,
    #[cfg_attr(not(test), allow(dead_code))]
    core: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WrapperTable {
    wrapper: Vec<WrapperRow>,
}

static WRAPPERS: std::sync::LazyLock<WrapperTable> = std::sync::LazyLock::new(|| {
    toml::from_str(include_str!("../../rules/command-wrappers.toml"))
        .unwrap_or_else(|e| panic!("rules/command-wrappers.toml: {e}"))
});

impl WrapperRow {
    /// How many words of `w` (which starts with this wrapper) are the
    /// wrapper's own; 0 when the row does not apply.
    fn skip(&self, w: &[String]) -> usize {
        let next = w.get(1).map(String::as_str);
        let mut k = 1;
        if !self.after.is_empty() {
            if !next.is_some_and(|n| self.after.iter().any(|a| a == n)) {
                return 0;
            }
            k += 1;
        }
        k += self.fixed_args;
        if let Some(until) = &self.until {
            return w.iter().position(|x| x == until).map_or(k, |p| p + 1);
        }
        if self.flags {
            while let Some(a) = w.get(k) {
                if self.terminator.as_deref() == Some(a.as_str()) {
                    k += 1;
                    break;
                }
                if !a.starts_with('-') {
                    break;
                }
                k += if !a.contains('=') && self.valued_flags.contains(a) {
                    2
                } else {
                    1
                };
            }
        }
        k
    }
}

/// The words of a leaf command with its wrappers (the rows of
/// `rules/command-wrappers.toml`: `env`, `npx`, `poetry run`, `python -m`,
/// `nyc`, `coverage run -m` …) removed, and the coverage wrappers that were
/// seen.
pub(crate) fn core(w: &[String]) -> (&[String], Vec<&'static str>) {
    let mut w = w;
    let mut wrappers = Vec::new();
    // A wrapper of a wrapper of … : hostile input cannot loop for long.
    for _ in 0..16 {
        let Some(h) = w.first() else { break };
        let head = file_name(h);
        let skip = if is_assignment(h) {
            1
        } else {
            let row = WRAPPERS.wrapper.iter().find_map(|r| {
                let name = r.commands.iter().find(|c| *c == head)?;
                let k = r.skip(w);
                (k > 0).then_some((r, name, k))
            });
            match row {
                Some((r, name, k)) => {
                    if r.coverage {
                        wrappers.push(name.as_str());
                    }
                    k
                }
                None => 0,
            }
        };
        if skip == 0 || skip > w.len() {
            break;
        }
        w = &w[skip..];
    }
    (w, wrappers)
}

/// One row of `rules/test-runners.toml`: a program and the conditions on
/// its arguments under which it runs tests.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunnerRow {
    commands: Vec<String>,
    runner: String,
    #[serde(default)]
    toolchain: bool,
    #[serde(default)]
    script: Option<String>,
    #[serde(default)]
    subcommand: Option<Vec<String>>,
    #[serde(default)]
    not_subcommand: Vec<String>,
    #[serde(default)]
    subcommand_prefix: Option<String>,
    #[serde(default)]
    any_argument: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

impl RunnerRow {
    /// Whether the arguments after the program fit the row.
    fn fits(&self, args: &[String]) -> bool {
        let mut args = args;
        if self.toolchain && args.first().is_some_and(|a| a.starts_with('+')) {
            args = &args[1..];
        }
        if !self.any_argument.is_empty() && !args.iter().any(|a| self.any_argument.contains(a)) {
            return false;
        }
        if let Some(script) = &self.script {
            match args.first() {
                Some(a) if a.ends_with(script.as_str()) => args = &args[1..],
                _ => return false,
            }
        }
        let sub = args.first().map(String::as_str).unwrap_or("");
        self.subcommand
            .as_ref()
            .is_none_or(|s| s.iter().any(|x| x == sub))
            && !self.not_subcommand.iter().any(|x| x == sub)
            && self
                .subcommand_prefix
                .as_deref()
                .is_none_or(|p| sub.starts_with(p))
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunnerTable {
    runner: Vec<RunnerRow>,
    coverage: Vec<CoverageRow>,
}

static TABLE: std::sync::LazyLock<RunnerTable> = std::sync::LazyLock::new(|| {
    toml::from_str(include_str!("../../rules/test-runners.toml"))
        .unwrap_or_else(|e| panic!("rules/test-runners.toml: {e}"))
});

/// The test runner a leaf command starts, if any: the first row of
/// `rules/test-runners.toml` that fits the command left after wrappers.
pub fn test_runner(leaf: &str) -> Option<&'static str> {
    let all = words(leaf);
    let (w, _) = core(&all);
    let head = file_name(w.first()?);
    TABLE
        .runner
        .iter()
        .find(|r| r.commands.iter().any(|c| c == head) && r.fits(&w[1..]))
        .map(|r| r.runner.as_str())
}

/// Coverage measured by a leaf command, with the threshold it enforces.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRun {
    /// `pytest-cov`, `nyc`, `jest`, `go test -cover`, `codecov upload` …
    pub tool: &'static str,
    /// Which config-file thresholds apply to it (see `facts::coverage`).
    pub family: &'static str,
    /// A threshold that fails the command, in percent.
    pub threshold: Option<f64>,
}

fn flag_value(w: &[String], names: &[&str]) -> Option<f64> {
    for (i, a) in w.iter().enumerate() {
        for n in names {
            if let Some(v) = a.strip_prefix(n).and_then(|r| r.strip_prefix('=')) {
                return v.trim_end_matches('%').parse().ok();
            }
            if a == n {
                return w.get(i + 1)?.trim_end_matches('%').parse().ok();
            }
        }
    }
    None
}

/// One row of `[[coverage]]` in `rules/test-runners.toml`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageRow {
    tool: String,
    family: String,
    #[serde(default)]
    wrapper: Option<String>,
    #[serde(default)]
    runner: Option<String>,
    #[serde(default)]
    commands: Vec<String>,
    #[serde(default)]
    subcommand: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    flag_prefix: Vec<String>,
    #[serde(default)]
    threshold: Vec<String>,
    #[serde(default)]
    check: Vec<String>,
    #[serde(default)]
    hundred: Option<String>,
    #[serde(default)]
    default: Option<f64>,
    #[serde(default)]
    threshold_from: Option<ThresholdFrom>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(default)]
    expect: Option<f64>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

/// Thresholds written as structured arguments, read by code.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ThresholdFrom {
    /// `--coverageThreshold='{"global":{"lines":80}}'`: the lowest number.
    JestJson,
    /// `--coverage.thresholds.lines=80` (`…thresholds.100=true` is 100).
    VitestKeys,
}

/// The coverage a leaf command measures, if any: the first `[[coverage]]`
/// row of `rules/test-runners.toml` that fits it.
pub fn coverage_run(leaf: &str) -> Option<CoverageRun> {
    let all = words(leaf);
    let (w, wrappers) = core(&all);
    // `--flag` or `--flag=value`.
    let has = |p: &str| {
        all.iter()
            .any(|x| x == p || x.strip_prefix(p).is_some_and(|r| r.starts_with('=')))
    };
    let head = w.first().map(|h| file_name(h)).unwrap_or("");
    let a1 = w.get(1).map(String::as_str).unwrap_or("");
    let runner = test_runner(leaf);
    let row = TABLE.coverage.iter().find(|r| {
        r.wrapper.as_deref().is_none_or(|x| wrappers.contains(&x))
            && r.runner.as_deref().is_none_or(|x| runner == Some(x))
            && (r.commands.is_empty() || r.commands.iter().any(|c| c == head))
            && (r.subcommand.is_empty() || r.subcommand.iter().any(|c| c == a1))
            && (r.flags.is_empty() && r.flag_prefix.is_empty()
                || r.flags.iter().any(|f| has(f))
                || all
                    .iter()
                    .any(|x| r.flag_prefix.iter().any(|p| x.starts_with(p.as_str()))))
    })?;
    // A wrapper's own flags come before the command it wraps, so they are
    // read from the whole line; a tool's from the command itself.
    let args: &[String] = if row.wrapper.is_some() { &all } else { w };
    let lowest = || {
        row.threshold
            .iter()
            .filter_map(|f| flag_value(args, &[f.as_str()]))
            .reduce(f64::min)
    };
    let threshold = match row.threshold_from {
        Some(ThresholdFrom::JestJson) => all
            .iter()
            .position(|x| x.starts_with("--coverageThreshold"))
            .and_then(|i| regex_number(&all[i..].join(" "))),
        Some(ThresholdFrom::VitestKeys) => all.iter().find_map(|x| {
            let (k, v) = x.split_once('=')?;
            k.starts_with("--coverage.thresholds.")
                .then(|| {
                    if k.ends_with(".100") {
                        Some(100.0)
                    } else {
                        v.parse().ok()
                    }
                })
                .flatten()
        }),
        None if row.check.is_empty() => lowest(),
        None if !row.check.iter().any(|f| has(f)) => None,
        None if row
            .hundred
            .as_deref()
            .is_some_and(|h| all.iter().any(|x| x == h)) =>
        {
            Some(100.0)
        }
        None => lowest().or(row.default),
    };
    Some(CoverageRun {
        tool: &row.tool,
        family: &row.family,
        threshold,
    })
}

/// Coverage from an action used by a step (`codecov/codecov-action@v4`).
pub fn coverage_action(uses: &str) -> Option<CoverageRun> {
    let name = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
    let (tool, family) = match name.as_str() {
        "codecov/codecov-action" => ("codecov upload", "codecov"),
        "coverallsapp/github-action" => ("coveralls upload", "coveralls"),
        "vladopajic/go-test-coverage" => ("go-test-coverage", "go-test-coverage"),
        _ => return None,
    };
    Some(CoverageRun {
        tool,
        family,
        threshold: None,
    })
}

/// A hand-written Go gate in one step: `go tool cover -func` piped into a
/// comparison (`if [ "$total" -lt 80 ]`, `(( $(echo "$c < 75" | bc) ))`).
pub fn go_shell_gate(step: &str) -> Option<f64> {
    if !step.contains("go tool cover") {
        return None;
    }
    static BOUND: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::facts::pattern::regex(
            r#"(?:-lt|-le|<=?|(?i:threshold|min_coverage|coverage_min)\w*\s*[:=])\s*["']?(\d{1,3}(?:\.\d+)?)"#,
        )
    });
    BOUND.captures(step)?.get(1)?.as_str().parse().ok()
}

fn regex_number(s: &str) -> Option<f64> {
    static METRIC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::facts::pattern::regex(
            r#""(?:lines|statements|branches|functions)"\s*:\s*(\d+(?:\.\d+)?)"#,
        )
    });
    METRIC
        .captures_iter(s)
        .filter_map(|c| c.get(1)?.as_str().parse().ok())
        .reduce(f64::min)
}

#[cfg(test)]
mod tests {

    /// Every row of rules/command-wrappers.toml: each example line, split
    /// as the shell reads it, leaves exactly its `core` once the wrappers
    /// are peeled off; each `no_match` line is left as it is.
    #[test]
    fn every_wrapper_row_example_peels_to_its_core() {
        let mut failures = Vec::new();
        for row in &WRAPPERS.wrapper {
            assert!(
                !row.examples.is_empty() && !row.no_match.is_empty(),
                "rules/command-wrappers.toml: {:?} needs examples and no_match",
                row.commands
            );
            for ex in &row.examples {
                let all = words(&ex.line);
                let got = join_words(core(&all).0);
                if got != ex.core {
                    failures.push(format!("{:?} gave {got:?}, want {:?}", ex.line, ex.core));
                }
            }
            for line in &row.no_match {
                let all = words(line);
                if core(&all).0.len() != all.len() {
                    failures.push(format!("{line:?} was peeled"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The coverage wrappers are named: `c8` measures what it runs.
        let all = words("c8 --lines=80 npm run test:run");
        assert_eq!(core(&all).1, vec!["c8"]);
    }

    /// Every `[[coverage]]` row of rules/test-runners.toml: each `match`
    /// command measures with that tool (the first enforcing the row's
    /// `expect` threshold); each `no_match` command measures nothing.
    #[test]
    fn every_coverage_row_example_classifies() {
        let mut failures = Vec::new();
        for row in TABLE.coverage.iter() {
            assert!(
                !row.matches.is_empty() && !row.no_match.is_empty(),
                "rules/test-runners.toml: {} needs match and no_match",
                row.tool
            );
            for (i, c) in row.matches.iter().enumerate() {
                let got = coverage_run(c);
                let ok = got.as_ref().is_some_and(|g| {
                    g.tool == row.tool
                        && g.family == row.family
                        && (i > 0 || g.threshold == row.expect)
                });
                if !ok {
                    failures.push(format!("{}: {c:?} gave {got:?}", row.tool));
                }
            }
            for c in &row.no_match {
                if let Some(got) = coverage_run(c) {
                    failures.push(format!("{}: {c:?} gave {got:?}", row.tool));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Every row of rules/test-runners.toml: each `match` command, through
    /// the splitter and wrapper stripping, starts that row's runner; each
    /// `no_match` command starts none.
    #[test]
    fn every_test_runner_row_example_classifies() {
        let mut failures = Vec::new();
        for row in TABLE.runner.iter() {
            assert!(
                !row.matches.is_empty() && !row.no_match.is_empty(),
                "rules/test-runners.toml: {} needs match and no_match",
                row.runner
            );
            for (want, cmds) in [
                (Some(row.runner.as_str()), &row.matches),
                (None, &row.no_match),
            ] {
                for c in cmds {
                    let got = test_runner(c);
                    if got != want {
                        failures.push(format!("{}: {c:?} gave {got:?}", row.runner));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    use super::*;
    use crate::facts::manifests;
    use crate::facts::tasks;

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.manifests.push(
            manifests::parse(
                "package.json",
                ManifestKind::PackageJson,
                r#"{"scripts":{"test":"npm run unit && npm run lint","unit":"jest --ci","lint":"eslint ."}}"#,
            )
            .unwrap(),
        );
        f.manifests.push(
            manifests::parse(
                "web/package.json",
                ManifestKind::PackageJson,
                r#"{"scripts":{"test":"echo \"Error: no test specified\" && exit 1"}}"#,
            )
            .unwrap(),
        );
        f.tasks.extend(tasks::parse(
            "Makefile",
            "ci: lint test\nlint:\n\tgolangci-lint run\ntest:\n\tgo test ./...\n",
        ));
        f.tasks.extend(tasks::parse(
            "justfile",
            "check:\n    cargo test --locked\n",
        ));
        f.tasks.extend(tasks::parse(
            "scripts/test.sh",
            "#!/bin/sh\nset -e\npytest -q\n",
        ));
        f
    }

    fn leaves(f: &Facts, cmd: &str, cwd: Option<&str>) -> Vec<String> {
        expand(f, cmd, cwd).into_iter().map(|r| r.text).collect()
    }

    #[test]
    fn follows_package_scripts_recursively() {
        let f = facts();
        let r = expand(&f, "npm ci && npm test", None);
        let texts: Vec<&str> = r.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, vec!["npm ci", "jest --ci", "eslint ."]);
        assert_eq!(r[1].via.len(), 2);
        assert!(r[1].via[0].starts_with("package.json:1 script `test`"));
        assert_eq!(test_runner(&r[1].text), Some("jest"));
    }

    #[test]
    fn nested_containers_stop_at_the_hop_limit() {
        // Each `docker exec a` used to recurse without counting, copying
        // the rest of the line: 40,000 of them took 23 GB.
        let f = facts();
        let cmd = format!("{}jest", "docker exec a ".repeat(40_000));
        let r = expand(&f, &cmd, None);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].via.len(), MAX_DEPTH);
        assert!(r[0].text.starts_with("docker exec a docker exec a"));
        // Two levels are followed as before.
        assert_eq!(
            leaves(&f, "docker exec a docker exec b jest", None),
            ["jest"]
        );
    }

    /// A sceptical user's step: the runner named inside an `echo`'s quotes
    /// runs nothing. Split on blanks and separators, it read as `pytest
    /// --cov-fail-under=80` and passed two checks.
    #[test]
    fn quoted_separators_and_words_stay_quoted() {
        let f = facts();
        let l = leaves(
            &f,
            "echo \"tests disabled; pytest --cov-fail-under=80\"",
            None,
        );
        assert_eq!(l.len(), 1, "{l:?}");
        assert_eq!(test_runner(&l[0]), None);
        assert_eq!(coverage_run(&l[0]), None);
        // The same words unquoted are two commands, the second a gate.
        let l = leaves(&f, "echo tests disabled; pytest --cov-fail-under=80", None);
        assert_eq!(test_runner(&l[1]), Some("pytest"));
        assert_eq!(coverage_run(&l[1]).unwrap().threshold, Some(80.0));
        assert_eq!(
            segments("a 'b && c' && d \"e | f\" | g # h; i\n# j\nk\\;l"),
            ["a 'b && c'", "d \"e | f\"", "g", "k\\;l"]
        );
        assert_eq!(
            words("pytest -k 'not slow' --cov"),
            ["pytest", "-k", "not slow", "--cov"]
        );
        // A leaf keeps its quoting, so reading it again gives the same words.
        let l = leaves(&f, "docker exec app pytest -k 'not slow'", None);
        assert_eq!(words(&l[0]), ["pytest", "-k", "not slow"]);
    }

    /// Wrappers in front of a hop are kept on its leaves; `./scripts/test`
    /// is followed into the extensionless script; tsx runs node's runner.
    #[test]
    fn wrappers_around_hops_and_extensionless_scripts() {
        let mut f = facts();
        f.manifests.push(
            manifests::parse(
                "ui/package.json",
                ManifestKind::PackageJson,
                r#"{"scripts":{"test:run":"vitest run","test":"tsx --test src/**/*.test.ts"}}"#,
            )
            .unwrap(),
        );
        f.tasks.extend(tasks::parse(
            "scripts/test",
            "#!/usr/bin/env bash\nset -euo pipefail\npytest --cov=app -q\n",
        ));
        let l = leaves(&f, "c8 --check-coverage npm run test:run", Some("ui"));
        assert_eq!(l, ["c8 --check-coverage vitest run"]);
        assert_eq!(test_runner(&l[0]), Some("vitest"));
        assert_eq!(coverage_run(&l[0]).unwrap().threshold, Some(90.0));
        let l = leaves(&f, "poetry run ./scripts/test", None);
        assert_eq!(
            l,
            [
                "poetry run set -euo pipefail",
                "poetry run pytest --cov=app -q"
            ]
        );
        assert_eq!(test_runner(&l[1]), Some("pytest"));
        let l = leaves(&f, "npm test", Some("ui"));
        assert_eq!(test_runner(&l[0]), Some("node --test"));
        // A shebang-less or non-shell file in scripts/ is not a script.
        assert!(tasks::parse("scripts/data", "a,b\n1,2\n").is_empty());
        assert!(tasks::parse("scripts/tool", "#!/usr/bin/env python3\nprint(1)\n").is_empty());
    }

    #[test]
    fn placeholder_script_resolves_to_no_runner() {
        let f = facts();
        let l = leaves(&f, "npm test", Some("web"));
        assert!(l.iter().all(|x| test_runner(x).is_none()), "{l:?}");
    }

    #[test]
    fn follows_make_just_and_scripts() {
        let f = facts();
        assert_eq!(
            leaves(&f, "make ci", None),
            vec!["golangci-lint run", "go test ./..."]
        );
        assert_eq!(leaves(&f, "just check", None), vec!["cargo test --locked"]);
        let l = leaves(&f, "docker exec -e CI=1 app python -m pytest .", None);
        assert_eq!(l, vec!["python -m pytest ."]);
        let l = leaves(&f, "docker run --rm -v $PWD:/src img npm test", None);
        assert_eq!(l, vec!["jest --ci", "eslint ."]);
        assert_eq!(
            leaves(&f, "./scripts/test.sh", None),
            vec!["set -e", "pytest -q"]
        );
        assert_eq!(
            leaves(&f, "cd scripts && bash test.sh", None),
            vec!["set -e", "pytest -q"]
        );
    }

    #[test]
    fn runners_behind_wrappers() {
        assert_eq!(test_runner("poetry run pytest -x"), Some("pytest"));
        assert_eq!(test_runner("python -m pytest"), Some("pytest"));
        assert_eq!(test_runner("CI=true npx jest"), Some("jest"));
        assert_eq!(test_runner("nyc --reporter lcov mocha"), Some("mocha"));
        assert_eq!(test_runner("coverage run -m pytest"), Some("pytest"));
        assert_eq!(test_runner("pip install pytest"), None);
        assert_eq!(test_runner("echo \"no test\""), None);
        assert_eq!(test_runner("go vet ./..."), None);
        assert_eq!(test_runner("cargo +nightly test"), Some("cargo test"));
    }

    #[test]
    fn coverage_thresholds_from_flags() {
        let c = coverage_run("pytest --cov=app --cov-fail-under=85").unwrap();
        assert_eq!((c.family, c.threshold), ("python", Some(85.0)));
        let c = coverage_run("nyc --check-coverage --lines 70 mocha").unwrap();
        assert_eq!(c.threshold, Some(70.0));
        let c = coverage_run("c8 --check-coverage node --test").unwrap();
        assert_eq!(c.threshold, Some(90.0));
        assert_eq!(coverage_run("c8 node --test").unwrap().threshold, None);
        assert_eq!(coverage_run("jest --coverage").unwrap().threshold, None);
        let c = coverage_run("cargo llvm-cov --fail-under-lines 80").unwrap();
        assert_eq!(c.threshold, Some(80.0));
        let c = coverage_run("cargo tarpaulin --fail-under 65").unwrap();
        assert_eq!(c.threshold, Some(65.0));
        let c =
            coverage_run("vitest run --coverage.enabled --coverage.thresholds.lines=75").unwrap();
        assert_eq!(c.threshold, Some(75.0));
        assert!(coverage_run("go test ./...").is_none());
        assert_eq!(
            coverage_run("go test -coverprofile=c.out ./...")
                .unwrap()
                .family,
            "go"
        );
        assert_eq!(
            go_shell_gate(
                "go tool cover -func=c.out | tail -1\nif [ \"$total\" -lt 80 ]; then exit 1; fi"
            ),
            Some(80.0)
        );
    }
}
