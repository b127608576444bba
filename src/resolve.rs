//! Resolve: the stage between facts and rules. Facts are what each file
//! says; some answers need several files at once — which tests a CI job
//! really runs once its `npm test` is followed into package.json and a
//! Makefile, whether `.gitignore` keeps `api/.env` out, which lockfile
//! covers a workspace member, whether the app serves HTTP. Those are
//! derived here, once per scan, into [`Derived`]; rules read facts and
//! derived facts and never derive themselves (`tests/architecture.rs`
//! fails if a rule imports the walker, the inventory or a derivation
//! helper). Every derived item keeps the path it is about, so an app's
//! share is a filter (`apps::view`), not a second derivation.

use std::collections::BTreeMap;

use crate::facts::ci::run_steps_bounded;
use crate::facts::commands::{Resolved, expand_bounded, segments, test_runner, words};
use crate::facts::gitignore::{GitIgnore, Matchers, Verdict};
use crate::facts::manifests::Manifest;
use crate::facts::{Facts, Location};
use crate::inventory::ManifestKind;
use crate::inventory::dir_of;

/// Everything derived from several facts at once.
#[derive(Debug, Default, Clone)]
pub struct Derived {
    /// Every CI step as it runs, its commands followed to their leaves.
    pub ci_runs: Vec<CiRun>,
    /// The CI workflows call each other deeper than the bound.
    pub ci_cut: bool,
    /// Scheduled CI jobs that request the health route: uptime checks.
    pub uptime_checks: Vec<UptimeCheck>,
    /// The lock state of each manifest that declares dependencies.
    pub lockfiles: Vec<LockState>,
    /// `.gitignore`'s verdict on `<dir>/.env`, for each directory judged.
    pub env_probes: Vec<EnvProbe>,
    /// Why the app serves HTTP: routes found, server frameworks declared.
    pub http: Vec<HttpSignal>,
    /// Env files committed: tracked in git's index in a work tree, present
    /// elsewhere (presence is all there is without an index).
    pub committed_env: Vec<EnvCommit>,
}

/// A committed env file, and whether its name says template.
#[derive(Debug, Clone)]
pub struct EnvCommit {
    pub path: String,
    pub template: bool,
}

/// One CI step, resolved.
#[derive(Debug, Clone)]
pub struct CiRun {
    /// The pipeline whose triggers start it.
    pub pipeline: String,
    pub system: &'static str,
    pub job: String,
    /// Where the step is written.
    pub location: Location,
    pub triggers: Vec<String>,
    /// Started by a push or a pull/merge request.
    pub on_changes: bool,
    pub matrix: bool,
    /// How the step was reached (reusable workflows, includes).
    pub via: Vec<String>,
    pub uses: Option<String>,
    pub command: String,
    pub cwd: Option<String>,
    /// The step's commands followed through scripts, targets and recipes.
    pub leaves: Vec<Resolved>,
    /// The expansion hit its bound: the leaves are a part.
    pub cut: bool,
    /// The tests it runs.
    pub tests: Tests,
    /// The directories it points at (working directory, `cd X`,
    /// `--prefix X`, `-w X`, the files its scripts live in); empty when it
    /// names none, and then it is about the repository as a whole.
    pub dirs: Vec<String>,
}

/// The test runner a CI step starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tests {
    /// A runner, with the hops that led to it.
    Runs { runner: String, hops: Vec<String> },
    /// A command that says "test" but reaches no runner (npm's placeholder).
    Placeholder(String),
    /// Nothing to do with tests.
    None,
}

/// A scheduled job requesting the health route.
#[derive(Debug, Clone)]
pub struct UptimeCheck {
    pub location: Location,
    pub system: &'static str,
    pub job: String,
    pub dirs: Vec<String>,
}

/// A manifest and its lockfile.
#[derive(Debug, Clone)]
pub struct LockState {
    pub manifest: String,
    /// `Ok(note)` when locked; `Err((note, message))` when not.
    pub state: Result<String, (String, String)>,
}

/// `.gitignore` on `<dir>/.env`.
#[derive(Debug, Clone)]
pub struct EnvProbe {
    pub dir: String,
    pub probe: String,
    pub verdict: Verdict,
    /// The directory holds an env file.
    pub env_file: bool,
    /// `env-gitignored` judges it: the scanned root (the repository's or
    /// the app's) and every directory holding an env file.
    pub judged: bool,
}

/// A sign that code serves HTTP.
#[derive(Debug, Clone)]
pub struct HttpSignal {
    /// The route's file or the manifest declaring the framework.
    pub path: String,
    /// The server framework declared, when that is the signal.
    pub package: Option<&'static str>,
}

/// Server frameworks, by package name in their ecosystem's manifest, and
/// whether graduate reads their routes (`rules/frameworks.toml`).
pub fn server_packages() -> impl Iterator<Item = (&'static str, bool)> {
    crate::facts::code::frameworks::server_packages()
}

impl Derived {
    /// The app serves HTTP: a route was found or a framework declared.
    pub fn serves_http(&self) -> bool {
        !self.http.is_empty()
    }
}

/// `path` is `root` or inside it (`root` without a trailing slash).
pub fn under(path: &str, root: &str) -> bool {
    root == "."
        || root.is_empty()
        || path == root
        || (path.len() > root.len()
            && path.starts_with(root)
            && path.as_bytes()[root.len()] == b'/')
}

/// Derive everything, once. `facts` are the whole repository's.
pub fn run(facts: &Facts) -> Derived {
    let (ci_runs, ci_cut) = ci_runs(facts);
    let uptime_checks = uptime_checks(&ci_runs);
    Derived {
        uptime_checks,
        ci_runs,
        ci_cut,
        lockfiles: lockfiles(facts),
        env_probes: env_probes(facts),
        http: http(facts),
        committed_env: committed_env(facts),
    }
}

/// `.env.example`, `example.env`, `env-example-*` …: placeholders expected.
pub fn is_env_template(path: &str) -> bool {
    crate::inventory::is_env_template(&crate::inventory::file_name(path).to_ascii_lowercase())
}

fn committed_env(facts: &Facts) -> Vec<EnvCommit> {
    let paths: Vec<&str> = match &facts.tracked_env_files {
        Some(tracked) => tracked.iter().map(String::as_str).collect(),
        None => facts.env_files.iter().map(|e| e.path.as_str()).collect(),
    };
    paths
        .into_iter()
        .map(|p| EnvCommit {
            path: p.to_string(),
            template: is_env_template(p),
        })
        .collect()
}

/// `facts` with their derived facts filled in (tests and the fuzz target
/// build facts by hand).
pub fn resolved(facts: &Facts) -> Facts {
    let mut f = facts.clone();
    f.derived = run(facts);
    f
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `./web/` → `web`; `.` and empty → none.
fn clean_dir(d: &str) -> Option<String> {
    let d = d.trim().trim_matches(['"', '\'']);
    let d = d.trim_start_matches("./").trim_end_matches('/');
    (!d.is_empty() && d != "." && !d.contains("${{") && !d.starts_with('$')).then(|| d.to_string())
}

fn ci_runs(facts: &Facts) -> (Vec<CiRun>, bool) {
    let (steps, cut) = run_steps_bounded(&facts.pipelines);
    // A step reached twice (two callers of one reusable workflow) is
    // expanded once.
    let mut expanded: BTreeMap<(Location, Option<String>), (Vec<Resolved>, bool)> = BTreeMap::new();
    let mut out = Vec::with_capacity(steps.len());
    for rs in &steps {
        let (leaves, cut) = if rs.step.command.is_empty() {
            (Vec::new(), false)
        } else {
            expanded
                .entry((rs.location.clone(), rs.step.cwd.clone()))
                .or_insert_with(|| expand_bounded(facts, &rs.step.command, rs.step.cwd.as_deref()))
                .clone()
        };
        let tests = tests_of(
            rs.origin.system,
            rs.step.uses.as_deref(),
            &rs.step.command,
            &leaves,
        );
        let mut dirs = dirs_of(rs.step.cwd.as_deref(), &rs.step.command, &leaves);
        // `working-directory: ${{ matrix.app }}` runs in each matrix entry.
        if let Some(key) = rs.step.cwd.as_deref().and_then(matrix_key)
            && let Some((_, values)) = rs.job.matrix_values.iter().find(|(k, _)| *k == key)
        {
            dirs.extend(values.iter().filter_map(|v| clean_dir(v)));
            dirs.sort();
            dirs.dedup();
        }
        // A step that names no folder, in a pipeline that runs only when
        // `api/**` changes, is the API's.
        if dirs.is_empty() {
            dirs = rs
                .origin
                .paths
                .iter()
                .filter_map(|p| {
                    let fixed = p.split(['*', '?', '[', '{']).next().unwrap_or("");
                    let dir = if fixed.ends_with('/') {
                        fixed
                    } else {
                        dir_of(fixed)
                    };
                    clean_dir(dir)
                })
                .collect();
            dirs.sort();
            dirs.dedup();
        }
        out.push(CiRun {
            pipeline: rs.origin.path.clone(),
            system: rs.origin.system,
            job: rs.job.name.clone(),
            location: rs.location.clone(),
            triggers: rs.triggers.clone(),
            on_changes: rs.on_changes(),
            matrix: rs.matrix,
            via: rs.via.clone(),
            uses: rs.step.uses.clone(),
            command: rs.step.command.clone(),
            cwd: rs.step.cwd.clone(),
            leaves,
            cut,
            tests,
            dirs,
        });
    }
    (out, cut)
}

/// `app` of a working directory that is `${{ matrix.app }}` (alone).
fn matrix_key(cwd: &str) -> Option<&str> {
    let inner = cwd.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let key = inner.strip_prefix("matrix.")?;
    key.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        .then_some(key)
}

/// The test runner a step starts, with the hops that led to it.
fn tests_of(system: &str, uses: Option<&str>, command: &str, leaves: &[Resolved]) -> Tests {
    if let Some(uses) = uses {
        // CircleCI orb jobs and steps such as `node/test`, `python/test`.
        if system == "circleci" && uses.ends_with("/test") {
            return Tests::Runs {
                runner: format!("orb job `{uses}`"),
                hops: Vec::new(),
            };
        }
        return Tests::None;
    }
    if let Some(leaf) = leaves.iter().find(|l| test_runner(&l.text).is_some()) {
        return Tests::Runs {
            runner: test_runner(&leaf.text).unwrap_or_default().to_string(),
            hops: leaf.via.clone(),
        };
    }
    // A command that says "test" but resolves to no runner: the placeholder
    // script, a missing make target, an echo. Only delegations count (`npm
    // test`, `make check`, `yarn test:ci`): a shell loop variable named
    // `test` or `cargo hack check` do not.
    let says_test = segments(command).iter().any(|seg| {
        let w = words(seg);
        let delegates = w.first().is_some_and(|h| {
            matches!(
                h.as_str(),
                "npm" | "yarn" | "pnpm" | "bun" | "make" | "just" | "turbo" | "nx"
            )
        });
        delegates
            && w[1..].iter().any(|x| {
                x.starts_with("test")
                    || x.ends_with(":test")
                    || (x == "check" && matches!(w[0].as_str(), "make" | "just"))
            })
    });
    if says_test {
        let resolved: Vec<&str> = leaves.iter().map(|l| l.text.as_str()).collect();
        let first = command.lines().next().unwrap_or("").trim();
        return Tests::Placeholder(format!(
            "`{first}` resolves to `{}`: no test runner",
            resolved.join("; ")
        ));
    }
    Tests::None
}

/// The directories a step points at: its working directory, `cd X`,
/// `--prefix X` / `-C X` / `--cwd X`, `-w X` / `--workspace X` / `--filter
/// X` (npm/yarn/pnpm workspaces, by folder), and the folders of the scripts
/// and Makefiles its commands were followed into.
fn dirs_of(cwd: Option<&str>, command: &str, leaves: &[Resolved]) -> Vec<String> {
    let mut dirs: Vec<String> = cwd.and_then(clean_dir).into_iter().collect();
    for seg in segments(command) {
        let w = words(&seg);
        let mut i = 0;
        while i < w.len() {
            let x = w[i].as_str();
            let value = |i: usize| w.get(i + 1).map(String::as_str);
            let named = match x {
                "cd" | "pushd" if i == 0 => value(i),
                "--prefix" | "-C" | "--cwd" | "--dir" | "-w" | "--workspace" | "--filter"
                | "--manifest-path" => value(i),
                _ => x
                    .strip_prefix("--prefix=")
                    .or_else(|| x.strip_prefix("--workspace="))
                    .or_else(|| x.strip_prefix("--filter="))
                    .or_else(|| x.strip_prefix("--manifest-path=")),
            };
            if let Some(d) = named {
                let d = d
                    .trim_end_matches("/Cargo.toml")
                    .trim_end_matches("Cargo.toml");
                if let Some(d) = clean_dir(d).filter(|d| !d.starts_with('-') && !d.starts_with('@'))
                {
                    dirs.push(join(cwd.and_then(clean_dir).as_deref().unwrap_or(""), &d));
                }
            }
            i += 1;
        }
    }
    for leaf in leaves {
        // "api/Makefile:3 target `ci`": the hop's file says where it runs.
        if let Some(first) = leaf.via.first()
            && let Some((file, _)) = first.split_once(':')
            && let Some(d) = clean_dir(dir_of(file))
        {
            dirs.push(d);
        }
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

/// A URL naming a health route: a path segment that is one of the health
/// route names of `rules/libraries.toml` (`https://api.example.com/healthz`).
fn requests_health_route(url: &str) -> bool {
    let names = crate::facts::code::practices::health_names();
    url.split(['/', '?', '#'])
        .skip(1)
        .any(|seg| names.iter().any(|n| n == seg))
}

/// A scheduled CI job that requests the health route is an uptime check.
fn uptime_checks(runs: &[CiRun]) -> Vec<UptimeCheck> {
    runs.iter()
        .filter(|r| r.triggers.iter().any(|t| t == "schedule"))
        .filter(|r| {
            segments(&r.command).iter().any(|s| {
                let w = words(s);
                w.first()
                    .is_some_and(|h| matches!(h.as_str(), "curl" | "wget" | "http" | "https"))
                    && w.iter().any(|x| requests_health_route(x))
            })
        })
        .map(|r| UptimeCheck {
            location: r.location.clone(),
            system: r.system,
            job: r.job.clone(),
            dirs: r.dirs.clone(),
        })
        .collect()
}

/// The lockfile names a manifest accepts, and whether a workspace root
/// above it may hold them (`rules/lockfiles.toml`). A pyproject that names
/// its tool accepts only that tool's lockfile.
fn wanted(m: &Manifest) -> (Vec<&'static str>, bool) {
    let Some(row) = crate::inventory::lock_row(m.kind) else {
        return (Vec::new(), false);
    };
    if let Some(lock) = m.lock.tool.and_then(|t| row.tool.get(t)) {
        return (vec![lock.as_str()], row.upward);
    }
    (
        row.lockfiles.iter().map(String::as_str).collect(),
        row.upward,
    )
}

fn find_lock(facts: &Facts, m: &Manifest) -> Option<String> {
    let (names, upward) = wanted(m);
    let own = dir_of(&m.path).to_string();
    let mut dir = own.clone();
    loop {
        for n in &names {
            let p = join(&dir, n);
            if facts.has_file(&p) {
                return Some(p);
            }
        }
        // A uv workspace member's dependencies are locked in the
        // workspace root's uv.lock (`[tool.uv.workspace]`), above it.
        if dir != own && m.kind == ManifestKind::Pyproject && names.contains(&"uv.lock") {
            let p = join(&dir, "uv.lock");
            if facts.has_file(&p) {
                return Some(p);
            }
        }
        if dir.is_empty() {
            return None;
        }
        if !upward && m.kind != ManifestKind::Pyproject {
            return None;
        }
        dir = dir_of(&dir).to_string();
    }
}

/// A Cargo package with no binary target: a library.
fn is_library_crate(facts: &Facts, m: &Manifest) -> bool {
    let dir = dir_of(&m.path);
    let main = join(dir, "src/main.rs");
    let bins = join(dir, "src/bin/");
    let has_bin = |f: &crate::facts::FileRecord| f.path == main || f.path.starts_with(&bins);
    // A virtual workspace is an app when any of its crates is.
    let member_bin = |f: &crate::facts::FileRecord| {
        m.lock.workspace && f.path.starts_with(&join(dir, "")) && f.path.ends_with("/src/main.rs")
    };
    !m.lock.declares_bin && !facts.files.iter().any(|f| has_bin(f) || member_bin(f))
}

/// Each manifest's lockfile: in its own directory, or for npm/yarn/pnpm/bun
/// and Cargo in a workspace root above it; pinned requirements are their
/// own lock; a library crate needs none. A lockfile missing because
/// `.gitignore` ignores it is named with the line.
fn lockfiles(facts: &Facts) -> Vec<LockState> {
    let mut out = Vec::new();
    let mut ignores = Matchers::new(&facts.gitignores);
    // Only a pattern naming a lock file or using a wildcard can ignore one
    // (a directory pattern would have hidden the manifest too).
    let relevant: Vec<&GitIgnore> = facts
        .gitignores
        .iter()
        .filter(|g| {
            g.lines
                .iter()
                .any(|l| l.contains("lock") || l.contains(['*', '?', '[']))
        })
        .collect();
    for m in &facts.manifests {
        let dir = dir_of(&m.path);
        if m.deps.is_empty() && !m.lock.workspace {
            continue;
        }
        let locked = |note: String| LockState {
            manifest: m.path.clone(),
            state: Ok(note),
        };
        if m.kind == ManifestKind::Requirements && m.lock.pinned {
            out.push(locked("pinned requirements: the file is the lock".into()));
            continue;
        }
        if let Some(lock) = find_lock(facts, m) {
            out.push(locked(format!("locked by {lock}")));
            continue;
        }
        // Pinned requirements next to a pyproject lock it for deployment.
        if matches!(m.kind, ManifestKind::Pyproject | ManifestKind::Requirements)
            && let Some(r) = facts.manifests.iter().find(|r| {
                r.kind == ManifestKind::Requirements && r.lock.pinned && dir_of(&r.path) == dir
            })
        {
            out.push(locked(format!("locked by pinned {}", r.path)));
            continue;
        }
        if m.kind == ManifestKind::CargoToml && is_library_crate(facts, m) {
            out.push(locked("library crate: Cargo.lock is optional".into()));
            continue;
        }
        let (names, _) = wanted(m);
        // Only a relevant .gitignore at or above this manifest governs it.
        let may_ignore = relevant.iter().any(|g| g.governs(&m.path));
        let candidates: &[&str] = if may_ignore { &names } else { &[] };
        let ignored = candidates
            .iter()
            .find_map(|n| match ignores.verdict(&join(dir, n)) {
                Verdict::Ignored(at) => Some((n, at)),
                _ => None,
            });
        let state = match ignored {
            Some((n, at)) => (
                format!("{n} is git-ignored on purpose ({}:{})", at.path, at.line),
                format!(
                    "{} has no committed lockfile: {n} is git-ignored at {}:{}",
                    m.path, at.path, at.line
                ),
            ),
            None => (
                format!("no lockfile ({})", names.join(", ")),
                format!("{} has no committed lockfile", m.path),
            ),
        };
        out.push(LockState {
            manifest: m.path.clone(),
            state: Err(state),
        });
    }
    out
}

/// `.gitignore` on `<dir>/.env` for the root, every directory holding an
/// env file, and every manifest's directory (an app's root, when the app
/// is scored alone). Real gitignore semantics (nested files, negations,
/// directory patterns) come from the `ignore` crate's matcher.
fn env_probes(facts: &Facts) -> Vec<EnvProbe> {
    let env_dirs: std::collections::BTreeSet<&str> =
        facts.env_files.iter().map(|e| dir_of(&e.path)).collect();
    let mut dirs = env_dirs.clone();
    dirs.insert("");
    for m in &facts.manifests {
        dirs.insert(dir_of(&m.path));
    }
    // Java apps: graduate reads no Maven or Gradle dependencies, but the
    // folder is an app's root all the same.
    for f in &facts.files {
        let name = crate::inventory::file_name(&f.path);
        if matches!(name, "pom.xml" | "build.gradle" | "build.gradle.kts") {
            dirs.insert(dir_of(&f.path));
        }
    }
    let mut ignores = Matchers::new(&facts.gitignores);
    dirs.into_iter()
        .map(|dir| {
            let probe = join(dir, ".env");
            let env_file = env_dirs.contains(dir);
            EnvProbe {
                dir: dir.to_string(),
                verdict: ignores.verdict(&probe),
                probe,
                env_file,
                judged: dir.is_empty() || env_file,
            }
        })
        .collect()
}

/// Routes found and server frameworks declared.
fn http(facts: &Facts) -> Vec<HttpSignal> {
    let mut out: Vec<HttpSignal> = facts
        .routes
        .iter()
        .map(|r| HttpSignal {
            path: r.location.path.clone(),
            package: None,
        })
        .collect();
    // Most manifests declare no server package: one lookup per dependency
    // says so, before the table's order is followed.
    for m in &facts.manifests {
        if !m
            .deps
            .iter()
            .any(|d| crate::facts::code::frameworks::is_server_package(&d.name))
        {
            continue;
        }
        for (p, _) in server_packages() {
            if m.deps.iter().any(|d| d.name == p) {
                out.push(HttpSignal {
                    path: m.path.clone(),
                    package: Some(p),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(via: &[&str]) -> Resolved {
        Resolved {
            text: "pytest".into(),
            via: via.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Where a CI step points: its working directory, `cd`, the package
    /// managers' folder flags, and the files its scripts were found in.
    #[test]
    fn a_step_points_at_the_folders_it_names() {
        assert_eq!(dirs_of(Some("./web/"), "npm test", &[]), ["web"]);
        assert_eq!(dirs_of(None, "cd api && pytest", &[]), ["api"]);
        assert_eq!(
            dirs_of(None, "npm test --prefix services/api", &[]),
            ["services/api"]
        );
        assert_eq!(dirs_of(None, "npm -w apps/web run test", &[]), ["apps/web"]);
        assert_eq!(
            dirs_of(None, "npm test --workspace=apps/web", &[]),
            ["apps/web"]
        );
        assert_eq!(
            dirs_of(
                None,
                "cargo test --manifest-path crates/api/Cargo.toml",
                &[]
            ),
            ["crates/api"]
        );
        // `pnpm --filter @acme/web` names a package, not a folder.
        assert!(dirs_of(None, "pnpm --filter @acme/web test", &[]).is_empty());
        assert_eq!(
            dirs_of(None, "make ci", &[leaf(&["api/Makefile:3 target `ci`"])]),
            ["api"]
        );
        // Relative to the working directory.
        assert_eq!(
            dirs_of(Some("services"), "cd api && pytest", &[]),
            ["services", "services/api"]
        );
        // A root job names no folder: it is about the whole repository.
        assert!(dirs_of(None, "npm test", &[]).is_empty());
        assert!(dirs_of(Some("${{ matrix.app }}"), "npm test", &[]).is_empty());
    }

    /// A workflow filtered to `api/**` tests the API, even when its steps
    /// name no folder.
    #[test]
    fn a_path_filter_attributes_the_pipeline() {
        let text = "on:\n  push:\n    paths: ['api/**', '!api/docs/**']\n  pull_request:\n    paths: ['api/**']\njobs:\n  t:\n    steps:\n      - run: pytest\n";
        let p = crate::facts::ci::parse(".github/workflows/api.yml", text)
            .unwrap()
            .unwrap();
        assert_eq!(p.paths, ["api/**"]);
        let facts = Facts {
            pipelines: vec![p],
            ..Facts::default()
        };
        let d = run(&facts);
        assert_eq!(d.ci_runs.len(), 1);
        assert_eq!(d.ci_runs[0].dirs, ["api"]);
        // Any unfiltered change trigger runs it for every change.
        let open = "on:\n  push:\n    paths: ['api/**']\n  pull_request:\njobs:\n  t:\n    steps:\n      - run: pytest\n";
        let p = crate::facts::ci::parse(".github/workflows/ci.yml", open)
            .unwrap()
            .unwrap();
        assert!(p.paths.is_empty());
    }

    /// One job over a matrix of folders tests each of them.
    #[test]
    fn a_matrix_of_folders_attributes_each() {
        let text = "on: [push]\njobs:\n  t:\n    strategy:\n      matrix:\n        app: [api, web]\n        node: [20]\n    defaults:\n      run:\n        working-directory: ${{ matrix.app }}\n    steps:\n      - run: npm test\n";
        let p = crate::facts::ci::parse(".github/workflows/ci.yml", text)
            .unwrap()
            .unwrap();
        let d = run(&Facts {
            pipelines: vec![p],
            ..Facts::default()
        });
        assert_eq!(d.ci_runs[0].dirs, ["api", "web"]);
        assert_eq!(matrix_key("${{ matrix.app }}"), Some("app"));
        assert_eq!(matrix_key("apps/${{ matrix.app }}"), None);
    }
}
