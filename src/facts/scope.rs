//! Where each source file runs: the [`Scope`] fact, decided once when the
//! facts are merged, with its reason.
//!
//! The path settles most files ([`inventory::path_scope`]: tests, examples,
//! scripts, vendored and generated code, configuration). Python, Go and Rust
//! sources left over run in the service. JavaScript and TypeScript need the
//! package around them: a Vite/React package ships to browsers, an Express
//! one serves, and meta-frameworks split one package by file convention
//! (Next.js `route.ts` and `pages/api/` on the server, `middleware.ts` at the
//! edge, `"use client"` modules in the browser; SvelteKit `+page.server.ts`;
//! Nuxt `server/`; Remix `*.server.ts`). A module that only browser code
//! imports is browser code, one that only server code imports is server
//! code. What none of this settles stays [`Scope::Unknown`]: server rules
//! still read it, and findings there say so, instead of guessing.

use std::collections::BTreeMap;

// Keyed by the tree's paths: seeded foldhash, as elsewhere (hostile input
// must not choose colliding keys; SipHash, std's default, was most of the
// hashing in assigning 20k files their scopes).
use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::FileRecord;
use super::manifests::Manifest;
use crate::inventory::{self, FileKind, Lang, ManifestKind, Scope};

/// What a JS/TS file says about itself, read with its text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScopeHints {
    /// A leading `"use client"` or `"use server"` directive.
    pub directive: Option<Directive>,
    /// Relative module specifiers it imports (`./lib/db`).
    pub imports: Vec<String>,
    /// Exports a server-side data function (`getServerSideProps`,
    /// `getStaticProps`, `getInitialProps`, a Remix `loader`/`action`).
    pub server_data: bool,
    /// Uses what only a client component can: React state and effect hooks,
    /// data hooks, event handlers.
    pub client_features: bool,
    /// Reads browser globals (`document.`, `window.location`, `navigator.`,
    /// `localStorage`).
    pub browser_globals: bool,
    /// Loads or defines a module (`import`, `require(`, `export`,
    /// `module.exports`), or names a server runtime (`Deno.`, `Bun.`):
    /// a file with none of these is a page's script ([`js_scope`]).
    pub module: bool,
    /// A Go file's imports and whether it serves ([`go_hints`]).
    pub go: Option<GoHints>,
    /// A `go.mod`'s module path, to resolve the project's own imports.
    pub go_module: Option<String>,
    /// A Dockerfile's `HEALTHCHECK CMD` scripts: the paths the script may
    /// have in the repository, with the Dockerfile line ([`dockerfile_hints`]).
    pub probes: Vec<(Vec<String>, u32)>,
    /// The last folder name of each path a Python file adds to `sys.path`
    /// (`sys.path.insert(0, os.path.join(here, "lib"))` → `lib`):
    /// [`python_hints`].
    pub sys_paths: Vec<String>,
}

/// What a Go file says about where it runs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GoHints {
    pub imports: Vec<String>,
    /// Starts or serves a server: `ListenAndServe`, `.Serve(`,
    /// `net.Listen(`, or a server framework imported (`server` rows of
    /// rules/scopes.toml with `ecosystem = "go"`).
    pub serves: bool,
    /// Imports a subcommand parser (`cli` rows, `ecosystem = "go"`).
    pub cli: bool,
    /// Defines a command (`&cobra.Command{`, `&cli.Command{`) and registers
    /// none: one subcommand's file, not the root that all of them share
    /// (which wires the server's dependencies too).
    pub subcommand: bool,
    /// Declares `package main`: a program of the repository.
    pub main: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    UseClient,
    UseServer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mark {
    Server,
    Frontend,
    /// A command-line argument parser (Rust): a client binary.
    Cli,
    Nextjs,
    Nuxt,
    Sveltekit,
    Remix,
    Astro,
}

#[derive(Deserialize)]
struct Row {
    package: String,
    marks: Mark,
    #[serde(default = "npm")]
    ecosystem: String,
}

fn npm() -> String {
    "npm".into()
}

#[derive(Deserialize)]
struct Table {
    row: Vec<Row>,
    #[serde(default)]
    tooling_script: Vec<ToolingScript>,
    marker: Vec<Marker>,
    mixed_package: MixedPackage,
}

/// In a package with both a server framework and a UI library, the folders
/// that say which side a module is on (`[mixed_package]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MixedPackage {
    browser_folders: Vec<String>,
    server_folders: Vec<String>,
}

/// Words in a file's code that say where it runs (`[[marker]]`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    kind: MarkerKind,
    words: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum MarkerKind {
    ClientFeature,
    BrowserGlobal,
    ServerData,
    GoServes,
    GoRegistersCommands,
    DrivesBrowser,
}

/// Every marker word with its kind, in table order.
static MARKER_WORDS: LazyLock<Vec<(&'static str, MarkerKind)>> = LazyLock::new(|| {
    TABLE
        .marker
        .iter()
        .flat_map(|m| m.words.iter().map(move |w| (w.as_str(), m.kind)))
        .collect()
});

/// The marker kinds whose words a text holds, as bits (`1 << kind`).
/// A short text (most files of a tree are a few hundred bytes) takes one
/// pass of an automaton over every word, where the setup of a vectorised
/// search cost several times the pass; a long one takes [`markers_in_long`].
fn markers_in(text: &str) -> u32 {
    if text.len() <= SHORT_TEXT {
        return markers_in_short(text);
    }
    markers_in_long(text).unwrap_or_else(|| markers_in_short(text))
}

/// [`markers_in`] by one automaton pass, overlapping: every occurrence of
/// every word.
fn markers_in_short(text: &str) -> u32 {
    static AC: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(MARKER_WORDS.iter().map(|(w, _)| w))
            .expect("marker words are literals")
    });
    AC.find_overlapping_iter(text).fold(0, |bits, m| {
        bits | 1 << MARKER_WORDS[m.pattern().as_usize()].1 as u32
    })
}

/// [`markers_in`] for a long text: a vectorised search of all the words
/// at once (Teddy) finds the next place where one starts, and every word is
/// compared there, so words that overlap or start together are all seen.
/// A quarter of the time of a vectorised search per word on documenso's
/// long JS/TS files, and a third of an automaton pass's. `None` when the
/// table outgrows the packed searcher (it takes up to 64 words).
fn markers_in_long(text: &str) -> Option<u32> {
    // The searcher, and the bits of every kind (the search stops once each
    // kind is seen).
    static PACKED: LazyLock<Option<(aho_corasick::packed::Searcher, u32)>> = LazyLock::new(|| {
        let mut b = aho_corasick::packed::Config::new().builder();
        for (w, _) in MARKER_WORDS.iter() {
            b.add(w);
        }
        let all = MARKER_WORDS
            .iter()
            .fold(0u32, |b, (_, k)| b | 1 << *k as u32);
        Some((b.build()?, all))
    });
    let (searcher, all) = PACKED.as_ref()?;
    let all = *all;
    let bytes = text.as_bytes();
    let mut bits = 0u32;
    let mut from = 0;
    while bits != all
        && let Some(m) = searcher.find_in(bytes, aho_corasick::Span::from(from..bytes.len()))
    {
        for (w, k) in MARKER_WORDS.iter() {
            if bytes[m.start()..].starts_with(w.as_bytes()) {
                bits |= 1 << *k as u32;
            }
        }
        from = m.start() + 1;
    }
    Some(bits)
}

/// Texts up to this many bytes take [`markers_in_short`].
const SHORT_TEXT: usize = 1024;

/// Whether `text` holds one of the words of the `kind` markers.
fn has_marker(text: &str, kind: MarkerKind) -> bool {
    // One searcher per word, built once: memchr's vectorised search is
    // faster than `str::contains` on the long files this path reads.
    static FINDERS: LazyLock<Vec<(MarkerKind, memchr::memmem::Finder<'static>)>> =
        LazyLock::new(|| {
            TABLE
                .marker
                .iter()
                .flat_map(|m| {
                    m.words
                        .iter()
                        .map(move |w| (m.kind, memchr::memmem::Finder::new(w.as_bytes())))
                })
                .collect()
        });
    FINDERS
        .iter()
        .filter(|(k, _)| *k == kind)
        .any(|(_, f)| f.find(text.as_bytes()).is_some())
}

/// A package script run by hand, named by the first word of its name.
#[derive(Deserialize)]
struct ToolingScript {
    word: String,
}

const TABLE_SRC: &str = include_str!("../../rules/scopes.toml");

static TABLE: LazyLock<Table> =
    LazyLock::new(|| toml::from_str(TABLE_SRC).expect("rules/scopes.toml parses"));

static MARKS: LazyLock<HashMap<String, Mark>> = LazyLock::new(|| {
    TABLE
        .row
        .iter()
        .filter(|r| r.ecosystem == "npm")
        .map(|r| (r.package.clone(), r.marks))
        .collect()
});

static CARGO_MARKS: LazyLock<HashMap<String, Mark>> = LazyLock::new(|| {
    TABLE
        .row
        .iter()
        .filter(|r| r.ecosystem == "cargo")
        .map(|r| (r.package.clone(), r.marks))
        .collect()
});

/// Rust crates that are command-line clients: a crate with an argument
/// parser and no server framework, and library crates that only such
/// crates depend on (by directory name, the usual workspace layout).
/// Returns each client crate's directory with its reason.
fn rust_client_crates(manifests: &[Manifest]) -> Vec<(String, String)> {
    let crates: Vec<(&Manifest, &str, Option<Mark>)> = manifests
        .iter()
        .filter(|m| m.kind == ManifestKind::CargoToml)
        .map(|m| {
            let dir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
            let marks: Vec<Mark> = m
                .deps
                .iter()
                .filter(|d| !d.dev)
                .filter_map(|d| CARGO_MARKS.get(&d.name).copied())
                .collect();
            let mark = if marks.contains(&Mark::Server) {
                Some(Mark::Server)
            } else if marks.contains(&Mark::Cli) {
                Some(Mark::Cli)
            } else {
                None
            };
            (m, dir, mark)
        })
        .collect();
    let name_of = |dir: &str| crate::inventory::file_name(dir).to_string();
    let mut out = Vec::new();
    for (m, dir, mark) in &crates {
        if dir.is_empty() {
            continue;
        }
        match mark {
            Some(Mark::Cli) => out.push((
                dir.to_string(),
                format!(
                    "command-line client crate ({} has an argument parser and no server framework)",
                    m.path
                ),
            )),
            None => {
                let name = name_of(dir);
                let users: Vec<&Option<Mark>> = crates
                    .iter()
                    .filter(|(other, _, _)| other.deps.iter().any(|d| d.name == name))
                    .map(|(_, _, k)| k)
                    .collect();
                if !users.is_empty() && users.iter().all(|k| **k == Some(Mark::Cli)) {
                    out.push((
                        dir.to_string(),
                        format!("library crate `{name}` used only by command-line client crates"),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// What a package.json says about the code under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    Meta(Mark),
    Frontend,
    Server,
    /// A server framework and a UI library in one package.
    Mixed,
    /// Node code with no UI library: scripts, workers, servers.
    Node,
}

fn stack(m: &Manifest) -> (Stack, String) {
    let marks: Vec<(Mark, &str)> = m
        .deps
        .iter()
        .filter_map(|d| MARKS.get(&d.name).map(|k| (*k, d.name.as_str())))
        .collect();
    let find = |pred: fn(Mark) -> bool| marks.iter().find(|(k, _)| pred(*k)).map(|(_, n)| *n);
    if let Some((k, n)) = marks
        .iter()
        .find(|(k, _)| !matches!(k, Mark::Server | Mark::Frontend | Mark::Cli))
    {
        return (Stack::Meta(*k), format!("`{n}` app in {}", m.path));
    }
    match (find(|k| k == Mark::Server), find(|k| k == Mark::Frontend)) {
        (Some(s), Some(f)) => (Stack::Mixed, format!("{} has `{s}` and `{f}`", m.path)),
        (Some(s), None) => (Stack::Server, format!("{} depends on `{s}`", m.path)),
        (None, Some(f)) => (
            Stack::Frontend,
            format!(
                "front-end package: {} depends on `{f}` and no server framework",
                m.path
            ),
        ),
        (None, None) => (
            Stack::Node,
            format!("Node package {} with no UI library", m.path),
        ),
    }
}

/// Read a JS/TS file's directive and relative imports.
pub fn hints(text: &str) -> ScopeHints {
    // Every marker kind in one pass ([`markers_in`]).
    let bits = markers_in(text);
    let has = |kind: MarkerKind| bits & 1 << kind as u32 != 0;
    ScopeHints {
        directive: directive(text),
        imports: relative_imports(text),
        server_data: has(MarkerKind::ServerData),
        client_features: has(MarkerKind::ClientFeature),
        // A server file driving a headless browser (Playwright, Puppeteer)
        // names browser globals only in the callbacks it sends the page.
        browser_globals: has(MarkerKind::BrowserGlobal) && !has(MarkerKind::DrivesBrowser),
        module: loads_modules(text),
        ..ScopeHints::default()
    }
}

/// Whether a JS/TS text loads or defines a module, or names a server
/// runtime: one pass that stops at the first word, near the top of nearly
/// every module.
fn loads_modules(text: &str) -> bool {
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new([
            "import",
            "require(",
            "export",
            "module.exports",
            "Deno.",
            "Bun.",
        ])
        .expect("module words")
    });
    WORDS.is_match(text)
}

/// What a Python file says about the tree: the folders it puts on
/// `sys.path` (`sys.path.insert(…)`, `sys.path.append(…)`,
/// `site.addsitedir(…)`), by the last string literal of the call's line.
/// `None` for the many files that touch neither.
pub fn python_hints(text: &str) -> Option<ScopeHints> {
    static FINDERS: LazyLock<[memchr::memmem::Finder<'static>; 2]> = LazyLock::new(|| {
        [
            memchr::memmem::Finder::new("sys.path."),
            memchr::memmem::Finder::new("addsitedir("),
        ]
    });
    if !FINDERS.iter().any(|f| f.find(text.as_bytes()).is_some()) {
        return None;
    }
    let sys_paths: Vec<String> = text
        .lines()
        .filter(|l| {
            ["sys.path.insert(", "sys.path.append(", "addsitedir("]
                .iter()
                .any(|call| l.contains(call))
        })
        .filter_map(last_literal_folder)
        .collect();
    (!sys_paths.is_empty()).then(|| ScopeHints {
        sys_paths,
        ..ScopeHints::default()
    })
}

/// The last folder name of a line's last quoted string (`'./lib/'` → `lib`).
fn last_literal_folder(line: &str) -> Option<String> {
    let end = line.rfind(['"', '\''])?;
    let quote = line.as_bytes()[end] as char;
    let start = line[..end].rfind(quote)?;
    let folder = line[start + 1..end]
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|f| !f.is_empty() && *f != "." && *f != "..")?;
    Some(folder.to_string())
}

/// Folders that hold copies of the project's own Python dependencies, with
/// the reason: the `[vendored_python]` rule of rules/folders.toml.
fn vendored_python(
    files: &[FileRecord],
    manifests: &[Manifest],
    hints: &BTreeMap<String, ScopeHints>,
) -> Vec<(String, String)> {
    let table = &inventory::folders().vendored_python;
    let python: Vec<(&str, HashSet<String>)> = manifests
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                ManifestKind::Requirements | ManifestKind::Pyproject | ManifestKind::Pipfile
            )
        })
        .map(|m| {
            let names = m.deps.iter().map(|d| import_name(&d.name, table)).collect();
            (inventory::dir_of(&m.path), names)
        })
        .collect();
    if python.is_empty() {
        return Vec::new();
    }
    let manifest_dirs: HashSet<&str> = manifests
        .iter()
        .map(|m| inventory::dir_of(&m.path))
        .collect();
    // Folder → the packages (`NAME/__init__.py`) and modules (`NAME.py`) it
    // holds, in lower case.
    let mut held: HashMap<&str, Vec<String>> = HashMap::new();
    for f in files {
        if f.kind != FileKind::Source(Lang::Python) {
            continue;
        }
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        let (folder, member) = if name == "__init__.py" {
            if manifest_dirs.contains(dir) {
                continue;
            }
            match dir.rsplit_once('/') {
                Some((parent, package)) => (parent, package),
                None => continue,
            }
        } else {
            match name.strip_suffix(".py") {
                Some(module) if !dir.is_empty() => (dir, module),
                _ => continue,
            }
        };
        held.entry(folder)
            .or_default()
            .push(member.to_ascii_lowercase());
    }
    let on_sys_path: HashSet<&str> = hints
        .values()
        .flat_map(|h| h.sys_paths.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for (folder, mut members) in held {
        let last = inventory::file_name(folder);
        if manifest_dirs.contains(folder)
            || !(table.folder_names.iter().any(|n| n == last) || on_sys_path.contains(last))
        {
            continue;
        }
        members.sort_unstable();
        members.dedup();
        let declared: Vec<&String> = members
            .iter()
            .filter(|m| {
                python.iter().any(|(dir, names)| {
                    (dir.is_empty() || folder.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
                        && names.contains(m.as_str())
                })
            })
            .collect();
        if declared.len() >= table.min_packages {
            let named: Vec<&str> = declared.iter().take(3).map(|s| s.as_str()).collect();
            out.push((
                folder.to_string(),
                format!(
                    "`{folder}/` holds copies of {} of the project's declared Python dependencies ({}{})",
                    declared.len(),
                    named.join(", "),
                    if declared.len() > 3 { ", …" } else { "" }
                ),
            ));
        }
    }
    // The deepest folder first: it decides for the paths below it.
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    out
}

/// A Python distribution's import name, as `[vendored_python]` says.
fn import_name(dist: &str, table: &inventory::VendoredPython) -> String {
    let lower = dist.to_ascii_lowercase();
    if let Some((_, import)) = table.import_names.iter().find(|(d, _)| *d == lower) {
        return import.clone();
    }
    let name = lower.strip_prefix("python-").unwrap_or(&lower);
    name.replace(['-', '.'], "_")
}

static GO_MARKS: LazyLock<Vec<(String, Mark)>> = LazyLock::new(|| {
    TABLE
        .row
        .iter()
        .filter(|r| r.ecosystem == "go")
        .map(|r| (r.package.clone(), r.marks))
        .collect()
});

/// Read a Go file's imports, and whether it serves or parses subcommands.
pub fn go_hints(text: &str) -> ScopeHints {
    let mut imports = Vec::new();
    let mut in_block = false;
    let mut package = false;
    let mut in_comment = false;
    for line in text.lines() {
        // Go's imports come after the package clause and before every
        // other declaration: the first top-level `func`, `type`, `var` or
        // `const` after the clause ends them (a Go service's files are
        // mostly declarations, read line by line for nothing). Not inside
        // a block comment: a licence header's code example, or a cgo
        // preamble's `const char *…` before `import "C"`.
        if package && !in_block && !in_comment && top_level_declaration(line) {
            break;
        }
        in_comment = match (line.rfind("/*"), line.rfind("*/")) {
            (Some(open), close) => close.is_none_or(|c| c < open),
            (None, Some(_)) => false,
            (None, None) => in_comment,
        };
        let t = line.trim();
        package |= t.starts_with("package ");
        if in_block {
            if t.starts_with(')') {
                in_block = false;
                continue;
            }
        } else if t == "import (" || t.starts_with("import (") {
            in_block = true;
            continue;
        } else if !t.starts_with("import ") {
            continue;
        }
        // `alias "path"`, `"path"`, `import "path"`.
        if let Some((_, rest)) = t.split_once('"')
            && let Some((path, _)) = rest.split_once('"')
        {
            imports.push(path.to_string());
        }
    }
    // The package or one below it (`github.com/spf13/cobra/doc`), compared
    // in place: a `format!` of `{p}/` per import and table row was most of
    // this function's cost.
    let marked = |want: Mark| {
        imports.iter().any(|i| {
            GO_MARKS.iter().any(|(p, m)| {
                *m == want
                    && i.strip_prefix(p.as_str())
                        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            })
        })
    };
    // The standard library's ways to accept connections, or a server
    // framework's import.
    let serves = has_marker(text, MarkerKind::GoServes) || marked(Mark::Server);
    let cli = marked(Mark::Cli);
    // cobra and urfave/cli define a command as a `Command{…}` literal; the
    // root registers the others (`AddCommand(`, `Commands:`).
    let subcommand =
        cli && text.contains("Command{") && !has_marker(text, MarkerKind::GoRegistersCommands);
    // `package main` is the first line that is not a comment; a build
    // constraint or a licence header may come before it.
    let main = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("package "))
        .is_some_and(|l| {
            l["package ".len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                == Some("main")
        });
    ScopeHints {
        go: Some(GoHints {
            serves,
            cli,
            subcommand,
            main,
            imports,
        }),
        ..ScopeHints::default()
    }
}

/// A line that starts a top-level Go declaration other than an import, as
/// gofmt writes one (at the start of the line; a comment's indented code
/// example is not one).
fn top_level_declaration(line: &str) -> bool {
    ["func", "type", "var", "const"].iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|r| r.starts_with([' ', '\t', '(']))
    })
}

/// A `go.mod`'s module path.
pub fn go_mod_hints(text: &str) -> ScopeHints {
    ScopeHints {
        go_module: text.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("module")?;
            rest.starts_with([' ', '\t'])
                .then(|| rest.trim().trim_matches('"').to_string())
        }),
        ..ScopeHints::default()
    }
}

/// Go packages that are command-line client code: a package imported only
/// by non-serving subcommand files (each defines one command and registers
/// none) of a CLI whose own package also holds a serving subcommand (ntfy's `client/`, used by `cmd/publish.go` and
/// `cmd/subscribe.go` while `cmd/serve.go` starts the server), and packages
/// imported only by such client packages. Conservative: a package that
/// serves, or that any serving file imports (directly or through a package
/// that serves), stays in the service; so does everything of a CLI with no
/// serving subcommand (a worker binary is the service).
/// Returns each client package's directory with its reason.
fn go_client_packages(
    files: &[FileRecord],
    hints: &BTreeMap<String, ScopeHints>,
) -> HashMap<String, String> {
    // Most services have no subcommand parser at all: nothing to decide,
    // and no list of every Go file to build.
    if !hints
        .values()
        .any(|h| h.go.as_ref().is_some_and(|g| g.subcommand))
    {
        return HashMap::new();
    }
    let dir_of = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let modules: Vec<(String, &str)> = hints
        .iter()
        .filter_map(|(p, h)| Some((dir_of(p), h.go_module.as_deref()?)))
        .collect();
    // Non-test Go files: (path, directory, hints).
    let go: Vec<(&str, String, &GoHints)> = files
        .iter()
        .filter(|f| f.kind == FileKind::Source(Lang::Go) && !f.is_test)
        .filter_map(|f| {
            Some((
                f.path.as_str(),
                dir_of(&f.path),
                hints.get(&f.path)?.go.as_ref()?,
            ))
        })
        .collect();
    // Most services have no subcommand parser at all: nothing to decide.
    if modules.is_empty() || !go.iter().any(|(_, _, h)| h.subcommand) {
        return HashMap::new();
    }
    let dirs: HashSet<&str> = go.iter().map(|(_, d, _)| d.as_str()).collect();
    let resolve = |import: &str| go_import_dir(&modules, &dirs, import);
    let imports: Vec<Vec<String>> = go
        .iter()
        .map(|(_, _, h)| h.imports.iter().filter_map(|i| resolve(i)).collect())
        .collect();
    // Packages that serve: a file of theirs serves, or imports one that does.
    let mut serving: HashSet<String> = go
        .iter()
        .filter(|(_, _, h)| h.serves)
        .map(|(_, d, _)| d.clone())
        .collect();
    loop {
        let before = serving.len();
        for (i, (_, d, _)) in go.iter().enumerate() {
            if imports[i].iter().any(|t| serving.contains(t)) {
                serving.insert(d.clone());
            }
        }
        if serving.len() == before {
            break;
        }
    }
    let file_serves = |i: usize| go[i].2.serves || imports[i].iter().any(|t| serving.contains(t));
    // A CLI package with a serving subcommand: a file parses subcommands
    // and one of its files starts the server.
    let mut importers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, targets) in imports.iter().enumerate() {
        for t in targets {
            importers.entry(t.as_str()).or_default().push(i);
        }
    }
    let cli_dirs: HashSet<&str> = go
        .iter()
        .filter(|(_, _, h)| h.cli)
        .map(|(_, d, _)| d.as_str())
        .collect();
    let serving_file_dirs: HashSet<&str> = (0..go.len())
        .filter(|&i| file_serves(i))
        .map(|i| go[i].1.as_str())
        .collect();
    let cli_with_server = |dir: &str| cli_dirs.contains(dir) && serving_file_dirs.contains(dir);
    let mut out: HashMap<String, String> = HashMap::new();
    loop {
        let mut changed = false;
        for dir in &dirs {
            if out.contains_key(*dir) || serving.contains(*dir) {
                continue;
            }
            let users: Vec<usize> = importers
                .get(*dir)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| go[i].1 != *dir)
                .collect();
            if users.is_empty() {
                continue;
            }
            let by_subcommands = users
                .iter()
                .all(|&i| go[i].2.subcommand && !file_serves(i) && cli_with_server(&go[i].1));
            let by_clients = users.iter().all(|&i| out.contains_key(&go[i].1));
            let names = users
                .iter()
                .map(|&i| go[i].0)
                .collect::<Vec<_>>()
                .join(", ");
            let why = if by_clients {
                format!("Go package imported only by command-line client packages ({names})")
            } else if by_subcommands {
                format!(
                    "Go package imported only by command-line subcommands that do not start the server ({names})"
                )
            } else {
                continue;
            };
            out.insert(dir.to_string(), why);
            changed = true;
        }
        if !changed {
            break;
        }
    }
    out
}

/// The folder of the repository's Go package that `import` names: its
/// path under the `go.mod` (at `modules`' folder) that declares the module,
/// when that folder holds Go files (`dirs`); `None` for other modules'.
fn go_import_dir(modules: &[(String, &str)], dirs: &HashSet<&str>, import: &str) -> Option<String> {
    modules.iter().find_map(|(mdir, module)| {
        let rest = if import == *module {
            ""
        } else {
            import.strip_prefix(module)?.strip_prefix('/')?
        };
        let dir = match (mdir.is_empty(), rest.is_empty()) {
            (true, _) => rest.to_string(),
            (false, true) => mdir.clone(),
            (false, false) => format!("{mdir}/{rest}"),
        };
        dirs.contains(dir.as_str()).then_some(dir)
    })
}

/// Go packages that no program of the repository imports: a client library
/// shipped for other programs (miniflux's `client/`, which only an
/// integration test uses), whose calls are not the service's. Reached means
/// imported, directly or through other packages, by a non-test file of a
/// `package main` whose path the service may run (not an example, a test or
/// a tool folder); the project's imports are resolved exactly, by the module
/// paths of its `go.mod` files. Nothing is decided for a tree with no such
/// `main`, no `go.mod`, or a Go file whose imports were not read (too large
/// to read): a package might then be reached unseen.
/// Returns each unreached package's directory with its reason.
fn go_library_packages(
    files: &[FileRecord],
    hints: &BTreeMap<String, ScopeHints>,
) -> HashMap<String, String> {
    let dir_of = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let go: Vec<&FileRecord> = files
        .iter()
        .filter(|f| f.kind == FileKind::Source(Lang::Go) && !f.is_test)
        .filter(|f| inventory::path_scope(&f.path, f.kind).is_none())
        .collect();
    let mut read: Vec<(String, &GoHints)> = Vec::with_capacity(go.len());
    for f in &go {
        match hints.get(&f.path).and_then(|h| h.go.as_ref()) {
            Some(h) => read.push((dir_of(&f.path), h)),
            None => return HashMap::new(),
        }
    }
    if !read.iter().any(|(_, h)| h.main) {
        return HashMap::new();
    }
    let modules: Vec<(String, &str)> = hints
        .iter()
        .filter_map(|(p, h)| Some((dir_of(p), h.go_module.as_deref()?)))
        .collect();
    if modules.is_empty() {
        return HashMap::new();
    }
    let dirs: HashSet<&str> = read.iter().map(|(d, _)| d.as_str()).collect();
    let resolve = |import: &str| go_import_dir(&modules, &dirs, import);
    let mut by_dir: HashMap<&str, Vec<&GoHints>> = HashMap::new();
    for (d, h) in &read {
        by_dir.entry(d.as_str()).or_default().push(h);
    }
    // Walk the imports from every program; each package is visited once.
    let mut reached: HashSet<String> = read
        .iter()
        .filter(|(_, h)| h.main)
        .map(|(d, _)| d.clone())
        .collect();
    let mut todo: Vec<String> = reached.iter().cloned().collect();
    while let Some(dir) = todo.pop() {
        for h in by_dir.get(dir.as_str()).into_iter().flatten() {
            for target in h.imports.iter().filter_map(|i| resolve(i)) {
                if reached.insert(target.clone()) {
                    todo.push(target);
                }
            }
        }
    }
    dirs.iter()
        .filter(|d| !reached.contains(**d))
        .map(|d| {
            (
                d.to_string(),
                "Go package that no program (`package main`) of the repository imports: a library for other programs".to_string(),
            )
        })
        .collect()
}

/// A Dockerfile's `HEALTHCHECK CMD` scripts. Docker runs the command in the
/// image (`WORKDIR`), so the script's repository path is found through the
/// `COPY` that put it there (`COPY docker/fetchstatus.py /opt/app/`), or
/// beside the Dockerfile, or from the root.
pub fn dockerfile_hints(path: &str, text: &str) -> ScopeHints {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let copies: Vec<&str> = text
        .lines()
        .filter_map(|l| {
            let t = l.trim();
            let rest = t.strip_prefix("COPY ").or_else(|| t.strip_prefix("ADD "))?;
            let words: Vec<&str> = rest
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            // Every word but the destination is a source.
            Some(words[..words.len().saturating_sub(1)].to_vec())
        })
        .flatten()
        .collect();
    let mut probes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if !t.to_ascii_uppercase().starts_with("HEALTHCHECK ") {
            continue;
        }
        let Some((_, cmd)) = t.split_once(" CMD ") else {
            continue;
        };
        for w in cmd.split([' ', ',', '[', ']', '"', '\'']) {
            // A script file of the interpreters a probe is written for.
            let script = [".py", ".js", ".mjs", ".ts", ".sh", ".rb"]
                .iter()
                .any(|e| w.ends_with(e));
            if !script || w.contains("..") {
                continue;
            }
            let rel = w.trim_start_matches("./");
            let base = crate::inventory::file_name(rel);
            let mut candidates: Vec<String> = Vec::new();
            for src in &copies {
                let src = src.trim_start_matches("./");
                if src.rsplit('/').next() == Some(base) {
                    candidates.push(src.to_string());
                    if !dir.is_empty() {
                        candidates.push(format!("{dir}/{src}"));
                    }
                }
            }
            if !dir.is_empty() {
                candidates.push(format!("{dir}/{rel}"));
            }
            candidates.push(rel.to_string());
            probes.push((candidates, i as u32 + 1));
        }
    }
    ScopeHints {
        probes,
        ..ScopeHints::default()
    }
}

/// Source files a Dockerfile `HEALTHCHECK` runs: path → reason.
fn probe_scripts(
    files: &[FileRecord],
    hints: &BTreeMap<String, ScopeHints>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    // Most trees have no HEALTHCHECK script: no set of every source path.
    if hints.values().all(|h| h.probes.is_empty()) {
        return out;
    }
    let known: HashSet<&str> = files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::Source(_)))
        .map(|f| f.path.as_str())
        .collect();
    for (dockerfile, h) in hints {
        for (candidates, line) in &h.probes {
            if let Some(p) = candidates.iter().find(|c| known.contains(c.as_str())) {
                out.entry(p.clone()).or_insert_with(|| {
                    format!(
                        "probe script run by the HEALTHCHECK at {dockerfile}:{line}; Docker bounds it with the check's timeout"
                    )
                });
            }
        }
    }
    out
}

fn directive(text: &str) -> Option<Directive> {
    // The directive must be the first statement; comments may precede it.
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    for (word, d) in [
        ("use client", Directive::UseClient),
        ("use server", Directive::UseServer),
    ] {
        for q in ['"', '\''] {
            if rest.starts_with(q)
                && rest[1..].starts_with(word)
                && rest[1 + word.len()..].starts_with(q)
            {
                return Some(d);
            }
        }
    }
    None
}

// ASCII `\b` and `\w` (crate::facts::pattern): with Unicode ones the lazy
// DFA gives up on any non-ASCII text (translated UI strings) and the search
// falls back to a far slower engine. Module specifiers are ASCII.
static IMPORT: LazyLock<regex::Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}/[^'"\n]*|[@~]/[^'"\n]*|@[\w.-]+/[\w.-]+/[^'"\n]*)['"]"#,
    )
});

fn relative_imports(text: &str) -> Vec<String> {
    // The specifier is between the match's first quote (the words before
    // it hold none) and its last character, the closing quote: read from
    // the match, not from a capture group, which costs a slower engine
    // after the lazy DFA for every import of every JS/TS file.
    let mut out: Vec<String> = IMPORT
        .find_iter(text)
        .filter_map(|m| {
            let s = m.as_str();
            let open = s.find(['\'', '"'])?;
            s.get(open + 1..s.len() - 1).map(str::to_string)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The package.json files of a tree, found by their directory: a monorepo
/// holds thousands of packages, and every JavaScript file asks which one
/// governs it, so the answer walks the file's own few ancestors instead of
/// every package.
struct Packages<'a> {
    all: Vec<(&'a Manifest, Stack, String)>,
    /// Directory (`""` at the root) to the index in `all` of the manifest
    /// that governs it: the longest path there, the later one on a tie.
    by_dir: HashMap<&'a str, usize>,
}

impl<'a> Packages<'a> {
    fn new(all: Vec<(&'a Manifest, Stack, String)>) -> Packages<'a> {
        let mut by_dir: HashMap<&'a str, usize> = HashMap::new();
        for (i, (m, _, _)) in all.iter().enumerate() {
            let dir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
            let slot = by_dir.entry(dir).or_insert(i);
            if all[*slot].0.path.len() <= m.path.len() {
                *slot = i;
            }
        }
        Packages { all, by_dir }
    }

    /// The deepest package.json whose directory holds `path`.
    fn governing(&self, path: &str) -> Option<&(&'a Manifest, Stack, String)> {
        path.rmatch_indices('/')
            .map(|(i, _)| &path[..i])
            .chain(std::iter::once(""))
            .find_map(|dir| self.by_dir.get(dir))
            .map(|&i| &self.all[i])
    }
}

/// `path` relative to its package directory.
fn in_package<'a>(path: &'a str, m: &Manifest) -> &'a str {
    let dir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
    if dir.is_empty() {
        path
    } else {
        path.strip_prefix(dir)
            .map_or(path, |p| p.trim_start_matches('/'))
    }
}

fn segments(p: &str) -> impl Iterator<Item = &str> {
    let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
    dir.split('/').filter(|s| !s.is_empty())
}

fn stem(p: &str) -> &str {
    let name = crate::inventory::file_name(p);
    name.split('.').next().unwrap_or(name)
}

/// The scope a meta-framework's file conventions give, if any.
fn by_convention(mark: Mark, rel: &str, data_fn: bool) -> Option<(Scope, &'static str)> {
    let name = crate::inventory::file_name(rel);
    let has_dir = |d: &str| segments(rel).any(|s| s == d);
    let server_name = name.contains(".server.");
    match mark {
        Mark::Nextjs => {
            let under_app = has_dir("app");
            let top = rel.trim_start_matches("src/");
            if under_app && stem(rel) == "route" {
                Some((Scope::Server, "Next.js route handler (app/**/route)"))
            } else if top.starts_with("pages/api/") {
                Some((Scope::Server, "Next.js API route (pages/api/)"))
            } else if !top.contains('/') && stem(top) == "middleware" {
                Some((Scope::Edge, "Next.js middleware"))
            } else if !top.contains('/') && stem(top) == "instrumentation" {
                Some((Scope::Server, "Next.js instrumentation hook"))
            } else if under_app
                && matches!(
                    stem(rel),
                    "page" | "layout" | "template" | "loading" | "error" | "not-found" | "default"
                )
            {
                Some((
                    Scope::Server,
                    "Next.js server component (no \"use client\")",
                ))
            } else if server_name || has_dir("server") {
                Some((Scope::Server, "server-only module by name"))
            } else if has_dir("client") {
                Some((Scope::Browser, "a `client/` folder of a Next.js app"))
            } else if top.starts_with("pages/") && !data_fn {
                Some((
                    Scope::Browser,
                    "Next.js page with no getServerSideProps/getStaticProps: a client bundle",
                ))
            } else {
                None
            }
        }
        Mark::Nuxt => Some(if rel.starts_with("server/") {
            (Scope::Server, "Nuxt server/ directory")
        } else {
            (Scope::Browser, "Nuxt app code outside server/")
        }),
        Mark::Sveltekit => {
            if server_name || name.starts_with("+server.") || has_dir("server") {
                Some((
                    Scope::Server,
                    "SvelteKit server module (+*.server, +server, lib/server)",
                ))
            } else {
                None
            }
        }
        Mark::Remix => {
            if server_name {
                Some((Scope::Server, "Remix server module (*.server.*)"))
            } else if name.contains(".client.") {
                Some((Scope::Browser, "Remix client module (*.client.*)"))
            } else {
                None
            }
        }
        Mark::Astro => {
            if rel.trim_start_matches("src/").starts_with("pages/api/") {
                Some((Scope::Server, "Astro API endpoint"))
            } else {
                None
            }
        }
        Mark::Server | Mark::Frontend | Mark::Cli => None,
    }
}

/// Client-only by what the file uses, unless it also exports server data
/// functions (a pages-router page or a Remix route module runs on both).
fn client_only(hints: Option<&ScopeHints>) -> bool {
    hints.is_some_and(|h| (h.client_features || h.browser_globals) && !h.server_data)
}

/// A React hook module (`hooks/`, `useCart.ts`): hooks run only in client
/// components, never in a server component or route handler.
fn react_hook(rel: &str) -> bool {
    let name = crate::inventory::file_name(rel);
    let is_hook_name = name
        .strip_prefix("use")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_uppercase()));
    is_hook_name || segments(rel).any(|s| s == "hooks")
}

/// The reason a module gets from its folder's name alone; see [`server_folder`].
const SERVER_FOLDER: &str = "a `server/` or `server-only/` folder";

/// A `server/` or `server-only/` folder. The name is a strong hint, not
/// proof: a module there that only browser code imports is a browser module
/// (a `limits/client.ts` fetch helper that only a React provider calls).
fn server_folder(rel: &str) -> bool {
    segments(rel).any(|s| s == "server-only" || s == "server")
}

/// A JS/TS file's scope from its package and its own text.
fn js_scope(path: &str, hints: Option<&ScopeHints>, packages: &Packages) -> (Scope, String) {
    match hints.and_then(|h| h.directive) {
        Some(Directive::UseClient) => return (Scope::Browser, "\"use client\" directive".into()),
        Some(Directive::UseServer) => {
            return (
                Scope::Server,
                "\"use server\" directive (server actions)".into(),
            );
        }
        None => {}
    }
    let Some((m, stack, why)) = packages.governing(path) else {
        // A page's script beside a Python, Go or Rust service's templates
        // (`static/js/app.js`, `data/interfaces/default/js/script.js`): no
        // package builds it, and it neither loads nor defines a module, as
        // every Node program does. (Browser globals alone do not say it:
        // a subfolder scanned without its package.json holds server code
        // that builds DOM with jsdom or writes `window.location` into HTML.)
        if path.ends_with(".js") && hints.is_some_and(|h| !h.module) {
            return (
                Scope::Browser,
                "no package.json governs it and it loads no module (a page script run by a `<script>` tag)"
                    .into(),
            );
        }
        return (Scope::Unknown, "no package.json governs it".into());
    };
    let rel = in_package(path, m);
    let jsx = path.ends_with(".jsx") || path.ends_with(".tsx");
    // `server-only/` (the `server-only` package's convention) and `server/`
    // folders say where they run, whatever the package holds; but a module
    // that uses hooks or browser globals is a client module wherever it sits
    // (seen: a React context provider under `ee/server-only/limits/`).
    if server_folder(rel) && !client_only(hints) {
        return (Scope::Server, format!("{SERVER_FOLDER} ({why})"));
    }
    match stack {
        Stack::Meta(mark) => {
            match by_convention(*mark, rel, hints.is_some_and(|h| h.server_data)) {
                Some((scope, reason)) => (scope, format!("{reason}; {why}")),
                None if react_hook(rel) => (
                    Scope::Browser,
                    format!("React hook (client components only); {why}"),
                ),
                None if client_only(hints) => (
                    Scope::Browser,
                    format!(
                        "uses client-only features (hooks, event handlers, browser globals); {why}"
                    ),
                ),
                None => (
                    Scope::Unknown,
                    format!("{why}: runs where its importers run"),
                ),
            }
        }
        Stack::Frontend => (Scope::Browser, why.clone()),
        Stack::Node if jsx || client_only(hints) => (
            Scope::Browser,
            format!(
                "UI module (JSX, hooks or browser globals) in a package with no server framework ({why})"
            ),
        ),
        Stack::Server | Stack::Node => (Scope::Server, why.clone()),
        Stack::Mixed => {
            let dir = |names: &[String]| segments(rel).any(|s| names.iter().any(|n| n == s));
            if jsx
                || react_hook(rel)
                || client_only(hints)
                || dir(&TABLE.mixed_package.browser_folders)
            {
                (
                    Scope::Browser,
                    format!("UI module in a mixed package ({why})"),
                )
            } else if dir(&TABLE.mixed_package.server_folders) {
                (
                    Scope::Server,
                    format!("server folder in a mixed package ({why})"),
                )
            } else {
                (
                    Scope::Unknown,
                    format!("{why}: runs where its importers run"),
                )
            }
        }
    }
}

/// Resolve a relative specifier from `from` to a walked file. `@/x` and
/// `~/x` are the usual tsconfig path aliases for the package root or its
/// `src/`: tried from each enclosing folder, nearest first.
fn resolve(from: &str, spec: &str, known: &Modules) -> Option<usize> {
    if let Some(rest) = spec.strip_prefix("@/").or_else(|| spec.strip_prefix("~/")) {
        let mut dir = from.rsplit_once('/').map(|(d, _)| d);
        while let Some(d) = dir {
            for base in [format!("{d}/{rest}"), format!("{d}/src/{rest}")] {
                if let Some(i) = known.resolve_path(&base) {
                    return Some(i);
                }
            }
            dir = d.rsplit_once('/').map(|(p, _)| p);
        }
        return [rest.to_string(), format!("src/{rest}")]
            .iter()
            .find_map(|b| known.resolve_path(b));
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for p in spec.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    known.resolve_path(&parts.join("/"))
}

/// `@scope/pkg/sub/path` to a file of the workspace package whose folder is
/// named `pkg`; `None` when no such package, or several, hold the file.
fn resolve_workspace(spec: &str, workspace: &[(String, String)], known: &Modules) -> Option<usize> {
    let rest = spec.strip_prefix('@')?;
    let mut parts = rest.splitn(3, '/');
    let (_scope, pkg, sub) = (parts.next()?, parts.next()?, parts.next()?);
    let mut found = workspace
        .iter()
        .filter(|(last, _)| last == pkg)
        .filter_map(|(_, dir)| {
            known
                .resolve_path(&format!("{dir}/{sub}"))
                .or_else(|| known.resolve_path(&format!("{dir}/src/{sub}")))
        });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The walked files by path, and by the module paths an import can name
/// them with: `lib/db` reaches `lib/db.ts` and `lib/db/index.ts`. Built once
/// per scan, so resolving an import is two hash lookups instead of thirteen
/// candidate strings built and looked up (every import of every JS/TS file
/// goes through here, on the main thread).
struct Modules<'a> {
    files: HashMap<&'a str, usize>,
    /// Module path to the file it resolves to: of several candidates, the
    /// one with the lowest rank (`EXT` order, then `index.EXT` in that order).
    stems: HashMap<&'a str, (usize, usize)>,
}

/// Extensions an import may leave out, in the order they are tried.
const EXT: [&str; 6] = ["ts", "tsx", "js", "jsx", "mjs", "cjs"];

impl<'a> Modules<'a> {
    fn new(files: &'a [FileRecord]) -> Self {
        let mut stems: HashMap<&str, (usize, usize)> = HashMap::new();
        let mut offer = |stem: &'a str, rank: usize, i: usize| {
            let best = stems.entry(stem).or_insert((rank, i));
            if rank < best.0 {
                *best = (rank, i);
            }
        };
        for (i, f) in files.iter().enumerate() {
            let path = f.path.as_str();
            let Some((k, stem)) = EXT.iter().enumerate().find_map(|(k, e)| {
                path.strip_suffix(e)
                    .and_then(|s| s.strip_suffix('.'))
                    .map(|s| (k, s))
            }) else {
                continue;
            };
            offer(stem, k, i);
            if let Some(dir) = stem.strip_suffix("/index") {
                offer(dir, EXT.len() + k, i);
            }
        }
        Modules {
            files: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.path.as_str(), i))
                .collect(),
            stems,
        }
    }

    /// A module path without extension to a walked file: the path itself,
    /// else `path.EXT`, else `path/index.EXT`.
    fn resolve_path(&self, base: &str) -> Option<usize> {
        let base = base
            .strip_suffix(".js")
            .or_else(|| base.strip_suffix(".mjs"))
            .unwrap_or(base);
        self.files
            .get(base)
            .or_else(|| self.stems.get(base).map(|(_, i)| i))
            .copied()
    }
}

/// Files per piece of work when scopes are decided on several threads.
const ASSIGN_CHUNK: usize = 2048;

/// Decide the scope of every file, on up to `threads` threads. `hints` are
/// the JS/TS files' own.
pub fn assign(
    files: &mut [FileRecord],
    manifests: &[Manifest],
    hints: &BTreeMap<String, ScopeHints>,
    threads: usize,
) {
    let packages = Packages::new(
        manifests
            .iter()
            .filter(|m| m.kind == ManifestKind::PackageJson)
            .map(|m| {
                let (s, why) = stack(m);
                (m, s, why)
            })
            .collect(),
    );
    let clients = rust_client_crates(manifests);
    let by_hand = script_entries(manifests);
    let go_clients = go_client_packages(files, hints);
    let go_libraries = go_library_packages(files, hints);
    let probes = probe_scripts(files, hints);
    let vendored = vendored_python(files, manifests, hints);
    // The one reason most files get, written once per language rather than
    // formatted for each of the tree's files.
    let why_of = |lang: Lang| format!("{lang:?} source outside test, example and tool folders");
    let outside: Vec<(Lang, String)> = [
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Python,
        Lang::Go,
        Lang::Rust,
    ]
    .into_iter()
    .map(|lang| (lang, why_of(lang)))
    .collect();
    let source_reason = |lang: Lang| -> String {
        outside
            .iter()
            .find(|(l, _)| *l == lang)
            .map_or_else(|| why_of(lang), |(_, why)| why.clone())
    };
    let decide = |f: &FileRecord| -> (Scope, String) {
        let copied = vendored.iter().find(|(folder, _)| {
            f.path
                .strip_prefix(folder.as_str())
                .is_some_and(|r| r.starts_with('/'))
        });
        match inventory::path_scope(&f.path, f.kind) {
            _ if let Some((_, why)) = copied => (Scope::Vendored, why.clone()),
            Some(decided) => decided,
            None if let Some(why) = probes.get(f.path.as_str()) => (Scope::DevTooling, why.clone()),
            None if f.kind == FileKind::Source(Lang::Go)
                && let Some(why) =
                    go_clients.get(f.path.rsplit_once('/').map_or("", |(d, _)| d)) =>
            {
                (Scope::DevTooling, why.clone())
            }
            None if f.kind == FileKind::Source(Lang::Go)
                && let Some(why) =
                    go_libraries.get(f.path.rsplit_once('/').map_or("", |(d, _)| d)) =>
            {
                (Scope::DevTooling, why.clone())
            }
            None if let Some(script) = by_hand.get(f.path.as_str()) => (
                Scope::DevTooling,
                format!("run by hand through the package script `{script}`"),
            ),
            None => match f.kind {
                FileKind::Source(Lang::JavaScript | Lang::TypeScript) => {
                    js_scope(&f.path, hints.get(&f.path), &packages)
                }
                FileKind::Source(Lang::Rust)
                    if let Some((_, why)) = clients
                        .iter()
                        .filter(|(dir, _)| f.path.starts_with(&format!("{dir}/")))
                        .max_by_key(|(dir, _)| dir.len()) =>
                {
                    (Scope::DevTooling, why.clone())
                }
                FileKind::Source(lang) => (Scope::Server, source_reason(lang)),
                _ => (Scope::Config, "configuration".into()),
            },
        }
    };
    // Each file is decided on its own from the indexes above: a monorepo's
    // 20k files are decided side by side, in chunks, on the merge's threads
    // (one thread spent 15 ms here on 20k files).
    let chunks: Vec<&[FileRecord]> = files.chunks(ASSIGN_CHUNK).collect();
    let decided = crate::in_order::in_order(&chunks, threads, |chunk| {
        chunk.iter().map(decide).collect::<Vec<_>>()
    });
    for (f, (scope, reason)) in files.iter_mut().zip(decided.into_iter().flatten()) {
        f.scope = scope;
        f.scope_reason = reason;
    }
    // Workspace packages by the last segment of their folder: a scoped
    // import `@acme/lib/upload/put-file` with a subpath reaches
    // `packages/lib/upload/put-file.ts` (or its `src/`).
    let workspace: Vec<(String, String)> = packages
        .all
        .iter()
        .filter_map(|(m, _, _)| {
            let dir = m.path.rsplit_once('/')?.0;
            let last = dir.rsplit('/').next()?;
            Some((last.to_string(), dir.to_string()))
        })
        .collect();
    propagate_through_imports(files, hints, &workspace);
}

/// Source files that a package script runs directly (`ts-node
/// ./admin/remove-user.ts`, `python scripts/seed.py`) when the script's name
/// says it is run by hand (`admin:remove-user`, `seed`, `db:backup`: the
/// words are `tooling_script` rows of rules/scopes.toml). A one-off admin
/// script's `console.log(email)` prints to the operator's terminal, not the
/// service's logs. A file that a server script (`start`) also runs is not
/// taken. Returns path → script name.
fn script_entries(manifests: &[Manifest]) -> HashMap<String, String> {
    const SOURCE: [&str; 8] = [".ts", ".js", ".mjs", ".cjs", ".mts", ".cts", ".tsx", ".py"];
    let mut tooling: HashMap<String, String> = HashMap::new();
    let mut other: Vec<String> = Vec::new();
    for m in manifests
        .iter()
        .filter(|m| m.kind == ManifestKind::PackageJson)
    {
        let dir = m.path.rsplit_once('/').map_or("", |(d, _)| d);
        let first = |name: &str| {
            name.split([':', '-', '_', '.'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        for script in &m.scripts {
            let hand = TABLE
                .tooling_script
                .iter()
                .any(|t| t.word == first(&script.name));
            let files = script.command.split_whitespace().filter_map(|w| {
                let w = w.trim_matches(|c| c == '"' || c == '\'');
                if !SOURCE.iter().any(|e| w.ends_with(e)) || w.contains("..") || w.starts_with('/')
                {
                    return None;
                }
                let w = w.trim_start_matches("./");
                Some(if dir.is_empty() {
                    w.to_string()
                } else {
                    format!("{dir}/{w}")
                })
            });
            for f in files {
                if hand {
                    tooling.entry(f).or_insert_with(|| script.name.clone());
                } else {
                    other.push(f);
                }
            }
        }
    }
    for f in other {
        tooling.remove(&f);
    }
    tooling
}

/// An undecided module imported only by browser code is browser code, one
/// imported only by tooling is tooling, and
/// one imported only by server code is server code (a Next.js `lib/db.ts`
/// used by route handlers, a `components/Chart.tsx` used by client pages).
fn propagate_through_imports(
    files: &mut [FileRecord],
    hints: &BTreeMap<String, ScopeHints>,
    workspace: &[(String, String)],
) {
    let known = Modules::new(files);
    let mut importers: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    for (path, h) in hints {
        let Some(&from) = known.files.get(path.as_str()) else {
            continue;
        };
        for spec in &h.imports {
            if let Some(to) =
                resolve(path, spec, &known).or_else(|| resolve_workspace(spec, workspace, &known))
                && to != from
            {
                importers[to].push(from);
            }
        }
    }
    // A module placed on the server by its folder's name alone may still be
    // settled as browser code by its importers.
    let mut by_folder: Vec<bool> = files
        .iter()
        .map(|f| f.scope == Scope::Server && f.scope_reason.starts_with(SERVER_FOLDER))
        .collect();
    // Each round settles at least one module or stops; a chain of N modules
    // takes N rounds, so the bound is generous.
    for _ in 0..32 {
        let mut changed = false;
        for i in 0..files.len() {
            if !(files[i].scope == Scope::Unknown || by_folder[i]) || importers[i].is_empty() {
                continue;
            }
            let scopes: Vec<Scope> = importers[i].iter().map(|&j| files[j].scope).collect();
            if by_folder[i] && !scopes.iter().all(|s| *s == Scope::Browser) {
                continue;
            }
            let folder = std::mem::replace(&mut by_folder[i], false);
            let verdict = if scopes.iter().all(|s| *s == Scope::Browser) {
                Some(Scope::Browser)
            } else if scopes
                .iter()
                .all(|s| matches!(s, Scope::Server | Scope::Edge))
            {
                Some(Scope::Server)
            } else if scopes.iter().all(|s| *s == Scope::DevTooling) {
                // Helpers of one-off scripts (`admin/connect-to-dal.ts`).
                Some(Scope::DevTooling)
            } else {
                None
            };
            if let Some(scope) = verdict {
                let first = &files[importers[i][0]].path;
                let n = importers[i].len();
                files[i].scope_reason = format!(
                    "imported only by {} code ({first}{}){}",
                    scope.id(),
                    if n > 1 {
                        format!(" and {} more", n - 1)
                    } else {
                        String::new()
                    },
                    if folder {
                        ", whatever its `server` folder says"
                    } else {
                        ""
                    }
                );
                files[i].scope = scope;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `[mixed_package]` of rules/scopes.toml: in a package with a server
    /// framework and a UI library, a plain module is placed by its folder.
    #[test]
    fn mixed_package_folders() {
        let got = scopes(
            &[
                "shop/src/components/price.js",
                "shop/src/routes/orders.js",
                "shop/src/lib/money.js",
            ],
            &[manifest("shop/package.json", &["express", "react"])],
            &[],
        );
        assert_eq!(got, vec![Scope::Browser, Scope::Server, Scope::Unknown]);
    }

    /// The specifiers read from the matches are the pattern's group, for
    /// every import form.
    #[test]
    fn relative_imports_are_the_quoted_specifiers() {
        let text = "import a from './a';\nimport {b} from\"../b/c\";\nconst c = require( '@/lib/c' );\n\
            const d = await import ( \"~/d\" );\nimport '@acme/ui/button';\nimport e from 'react';\n\
            export * from './e'\nconst f = require('./f\"g');\nimport x from './a';\n";
        let by_group: Vec<String> = {
            let mut v: Vec<String> = IMPORT
                .captures_iter(text)
                .map(|c| c[1].to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(relative_imports(text), by_group);
        assert_eq!(
            by_group,
            [
                "../b/c",
                "./a",
                "./e",
                "./f",
                "@/lib/c",
                "@acme/ui/button",
                "~/d"
            ]
        );
    }

    /// The one-pass reading of a short file says what the word-by-word
    /// search says, for every kind and every example of rules/scopes.toml;
    /// and a file's hints do not change when it grows past the short size.
    #[test]
    fn short_and_long_files_read_the_same_markers() {
        let kinds = [
            MarkerKind::ClientFeature,
            MarkerKind::BrowserGlobal,
            MarkerKind::ServerData,
            MarkerKind::GoServes,
            MarkerKind::GoRegistersCommands,
            MarkerKind::DrivesBrowser,
        ];
        let texts: Vec<&String> = TABLE
            .marker
            .iter()
            .flat_map(|m| m.matches.iter().chain(&m.no_match))
            .collect();
        assert!(texts.len() >= 10);
        let mut seen = 0;
        for t in texts {
            assert!(t.len() <= SHORT_TEXT, "{t:?}");
            let bits = markers_in_short(t);
            for kind in kinds {
                let word_by_word = has_marker(t, kind);
                assert_eq!(
                    bits & 1 << kind as u32 != 0,
                    word_by_word,
                    "{kind:?}: {t:?}"
                );
                seen += usize::from(word_by_word);
            }
            let long = format!("{t}\n{}", "\n".repeat(SHORT_TEXT));
            assert_eq!(markers_in_long(&long), Some(bits), "{t:?}");
            let (a, b) = (hints(t), hints(&long));
            assert_eq!(
                (a.server_data, a.client_features, a.browser_globals),
                (b.server_data, b.client_features, b.browser_globals),
                "{t:?}"
            );
        }
        assert!(seen > 0);
        // Each word alone in a long text, and all of them run together
        // (where one word's end is the next one's start): the long search
        // finds every kind the automaton does.
        let pad = " ".repeat(SHORT_TEXT);
        let together: String = MARKER_WORDS.iter().map(|(w, _)| *w).collect();
        for t in MARKER_WORDS
            .iter()
            .map(|(w, _)| format!("{pad}{w}{pad}"))
            .chain([format!("{pad}{together}"), pad.clone()])
        {
            assert_eq!(markers_in_long(&t), Some(markers_in_short(&t)), "{t:?}");
        }
    }

    /// The import lines end at the first top-level declaration after the
    /// package clause; a licence header's code before the clause and an
    /// indented `func` in a comment do not end them.
    #[test]
    fn go_imports_are_read_up_to_the_first_declaration() {
        let text = "/*\nfunc Example() {}\n*/\npackage main\n\n// Usage:\n//\tfunc x()\n\
                    import \"github.com/spf13/cobra\"\n\nimport (\n\tlog \"github.com/sirupsen/logrus\"\n\
                    \tfunc_ \"example.com/func\"\n)\n\nvar x = 1\n\nimport \"example.com/late\"\n";
        let g = go_hints(text).go.unwrap();
        assert_eq!(
            g.imports,
            [
                "github.com/spf13/cobra",
                "github.com/sirupsen/logrus",
                "example.com/func"
            ]
        );
        assert!(g.cli && g.main);
        // A cgo preamble's C declarations sit in a comment before `import "C"`.
        let cgo = "package main

/*
#include <stdlib.h>
const char *name = \"x\";
                   type_t f(void);
*/
import \"C\"

import \"github.com/spf13/cobra\"

func main() {}
";
        assert_eq!(
            go_hints(cgo).go.unwrap().imports,
            ["C", "github.com/spf13/cobra"]
        );
        for decl in [
            "func main() {",
            "type T struct{}",
            "const (",
            "var(",
            "func (s *S) M() {",
        ] {
            assert!(top_level_declaration(decl), "{decl}");
        }
        for other in [
            "\tfunc x()",
            "function()",
            "types := 1",
            "// func x()",
            "variable",
        ] {
            assert!(!top_level_declaration(other), "{other}");
        }
    }

    /// Every `[[marker]]` row of rules/scopes.toml: each `match` file sets
    /// the row's marker and each `no_match` file does not.
    #[test]
    fn every_marker_row_example_is_read() {
        let set = |kind: MarkerKind, text: &str| -> bool {
            let h = hints(text);
            let g = go_hints(text).go.unwrap();
            match kind {
                MarkerKind::ClientFeature => h.client_features,
                MarkerKind::BrowserGlobal => h.browser_globals,
                MarkerKind::ServerData => h.server_data,
                MarkerKind::GoServes => g.serves,
                // A file that registers subcommands is not one subcommand.
                MarkerKind::GoRegistersCommands => g.cli && !g.subcommand,
                // Its browser globals stop counting: the examples use some.
                MarkerKind::DrivesBrowser => !h.browser_globals,
            }
        };
        let mut failures = Vec::new();
        assert!(TABLE.marker.len() >= 5);
        for m in &TABLE.marker {
            assert!(
                !m.matches.is_empty() && !m.no_match.is_empty(),
                "{:?}",
                m.kind
            );
            for (want, texts) in [(true, &m.matches), (false, &m.no_match)] {
                for t in texts {
                    if set(m.kind, t) != want {
                        failures.push(format!("{:?}: {t:?}", m.kind));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
    use crate::facts::manifests::{Dependency, LockHint};

    fn manifest(path: &str, deps: &[&str]) -> Manifest {
        Manifest {
            path: path.into(),
            kind: ManifestKind::PackageJson,
            deps: deps
                .iter()
                .map(|d| Dependency {
                    name: d.to_string(),
                    line: 1,
                    dev: false,
                    indirect: false,
                })
                .collect(),
            scripts: Vec::new(),
            lock: LockHint::default(),
        }
    }

    fn record(path: &str) -> FileRecord {
        FileRecord {
            path: path.into(),
            kind: inventory::classify(path),
            is_test: inventory::is_test_path(path),
            lines: 0,
            scope: Scope::Unknown,
            scope_reason: String::new(),
        }
    }

    fn scopes(paths: &[&str], manifests: &[Manifest], texts: &[(&str, &str)]) -> Vec<Scope> {
        let mut files: Vec<FileRecord> = paths.iter().map(|p| record(p)).collect();
        let hints = texts
            .iter()
            .map(|(p, t)| (p.to_string(), hints(t)))
            .collect();
        assign(&mut files, manifests, &hints, 2);
        files.iter().map(|f| f.scope).collect()
    }

    /// Every `[[vendored_python.example]]` of rules/folders.toml, through the
    /// real manifest parser, `sys.path` reader and scope assignment.
    #[test]
    fn vendored_python_examples() {
        use crate::facts::manifests;
        let table = &inventory::folders().vendored_python;
        assert!(table.example.iter().any(|e| e.vendored.is_empty()));
        for ex in &table.example {
            let mut found = vec![
                manifests::parse(
                    "requirements.txt",
                    ManifestKind::Requirements,
                    &ex.requirements.join("\n"),
                )
                .unwrap(),
            ];
            for p in ex.paths.iter().filter(|p| p.ends_with("pyproject.toml")) {
                let text = format!("[project]\nname = \"{}\"\n", stem(p));
                found.push(manifests::parse(p, ManifestKind::Pyproject, &text).unwrap());
            }
            let mut files: Vec<FileRecord> = ex.paths.iter().map(|p| record(p)).collect();
            let hints: BTreeMap<String, ScopeHints> = ex
                .sys_path
                .iter()
                .map(|folder| {
                    let text = format!(
                        "import os, sys\nsys.path.insert(0, os.path.join(HERE, '{folder}'))\n"
                    );
                    ("boot.py".to_string(), python_hints(&text).unwrap())
                })
                .collect();
            assign(&mut files, &found, &hints, 2);
            for f in &files {
                let expected = ex
                    .vendored
                    .iter()
                    .any(|v| f.path.starts_with(&format!("{v}/")));
                assert_eq!(
                    f.scope == Scope::Vendored,
                    expected,
                    "{}: {:?} ({})",
                    f.path,
                    f.scope,
                    f.scope_reason
                );
            }
        }
    }

    #[test]
    fn sys_path_folders_are_the_last_literal_of_the_call() {
        let hints = python_hints(
            "import site, sys\n\
             sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))\n\
             sys.path.append(\"./deps/\")\n\
             site.addsitedir(os.path.join(ROOT, 'vendor', \"py\"))\n\
             print(sys.path)\n\
             sys.path.insert(0, here)\n",
        )
        .unwrap();
        assert_eq!(hints.sys_paths, ["lib", "deps", "py"]);
        assert_eq!(python_hints("import sys\nprint(sys.argv)\n"), None);
    }

    #[test]
    fn a_script_no_package_builds_and_that_loads_no_module_is_a_page_script() {
        let page =
            "$(function () {\n  fetch('/api/stats').then(render);\n  console.log('ready');\n});\n";
        let texts = [
            ("data/interfaces/js/stats.js", page),
            ("data/interfaces/js/stats.ts", page),
            (
                "jobs/seed.js",
                "const fs = require('fs');\nfetch(process.argv[2]);\n",
            ),
            (
                "edge/handler.js",
                "export default { fetch(req) { return fetch(req); } };\n",
            ),
            (
                "serve.js",
                "Bun.serve({ fetch(req) { return new Response('ok'); } });\n",
            ),
            ("pkg/app/poll.js", page),
        ];
        let paths: Vec<&str> = texts.iter().map(|(p, _)| *p).collect();
        let got = scopes(
            &paths,
            &[manifest("pkg/package.json", &["express"])],
            &texts,
        );
        assert_eq!(
            got,
            [
                Scope::Browser,
                // Only `.js`: a TypeScript file is always built by something.
                Scope::Unknown,
                Scope::Unknown,
                Scope::Unknown,
                Scope::Unknown,
                // A package governs it: its stack decides, not this rule.
                Scope::Server,
            ]
        );
    }

    #[test]
    fn every_table_row_classifies_its_package() {
        for (package, mark) in MARKS.iter() {
            let (stack, why) = stack(&manifest("package.json", &[package]));
            let expected = match mark {
                Mark::Server => Stack::Server,
                Mark::Frontend => Stack::Frontend,
                m => Stack::Meta(*m),
            };
            assert_eq!(stack, expected, "{package}");
            assert!(why.contains(package.as_str()), "{why}");
        }
    }

    #[test]
    fn files_run_by_hand_through_package_scripts_are_tooling() {
        use crate::facts::manifests::Script;
        let with_scripts = |scripts: &[(&str, &str)]| {
            // A Next.js package leaves `ops/` undecided: scripts decide it.
            let mut m = manifest("apps/api/package.json", &["next"]);
            m.scripts = scripts
                .iter()
                .map(|(name, command)| Script {
                    name: name.to_string(),
                    command: command.to_string(),
                    line: 1,
                })
                .collect();
            m
        };
        let paths = [
            "apps/api/ops/task.ts",
            "apps/api/ops/connect.ts",
            "apps/api/src/main.ts",
        ];
        let texts = [
            (
                "apps/api/ops/task.ts",
                "import { connect } from './connect';\n",
            ),
            ("apps/api/src/main.ts", "export const x = 1;\n"),
        ];
        for row in &TABLE.tooling_script {
            let name = format!("{}:remove-user", row.word);
            let m = with_scripts(&[
                (&name, "cross-env X=1 ts-node --transpileOnly ./ops/task.ts"),
                ("start", "nest start"),
            ]);
            let got = scopes(&paths, &[m], &texts);
            assert_eq!(got[0], Scope::DevTooling, "{name}");
            assert_eq!(got[1], Scope::DevTooling, "helper of {name}");
        }
        // In a server package the script is still a tool; its helper keeps
        // the package's verdict (an import graph can miss an importer).
        let mut m = with_scripts(&[("admin:x", "ts-node ./ops/task.ts")]);
        m.deps = manifest("p", &["@nestjs/core"]).deps;
        let got = scopes(&paths, &[m], &texts);
        assert_eq!(got, vec![Scope::DevTooling, Scope::Server, Scope::Server]);
        // The same file run by a server script is not a one-off.
        let m = with_scripts(&[
            ("admin:remove-user", "ts-node ./ops/task.ts"),
            ("start:worker", "node ops/task.ts"),
        ]);
        let got = scopes(&paths, &[m], &texts);
        assert_ne!(got[0], Scope::DevTooling);
        // A script name that is not a tooling word changes nothing.
        let m = with_scripts(&[("sync", "ts-node ./ops/task.ts")]);
        assert_ne!(scopes(&paths, &[m], &texts)[0], Scope::DevTooling);
    }

    #[test]
    fn nextjs_conventions_directives_and_imports() {
        let next = manifest("web/package.json", &["next", "react"]);
        let got = scopes(
            &[
                "web/app/api/users/route.ts",
                "web/pages/api/hook.ts",
                "web/middleware.ts",
                "web/app/dashboard/page.tsx",
                "web/components/Chart.tsx",
                "web/components/Button.tsx",
                "web/lib/db.ts",
                "web/lib/shared.ts",
                "web/lib/orphan.ts",
            ],
            &[next],
            &[
                (
                    "web/app/api/users/route.ts",
                    "import { db } from '../../../lib/db';\n",
                ),
                (
                    "web/components/Chart.tsx",
                    "'use client';\nimport Button from './Button'\nimport s from '../lib/shared'",
                ),
                (
                    "web/app/dashboard/page.tsx",
                    "import { q } from '../../lib/shared.js'\n",
                ),
                (
                    "web/components/Button.tsx",
                    "// a button\nexport default function B() {}\n",
                ),
            ],
        );
        assert_eq!(
            got,
            vec![
                Scope::Server,
                Scope::Server,
                Scope::Edge,
                Scope::Server,
                Scope::Browser,
                Scope::Browser,
                Scope::Server,
                // Imported from both sides: cannot tell.
                Scope::Unknown,
                Scope::Unknown,
            ]
        );
    }

    #[test]
    fn packages_and_paths_decide_the_rest() {
        let got = scopes(
            &[
                "web/src/api.ts",
                "api/src/app.ts",
                "worker/main.py",
                "scripts/seed.ts",
                "examples/basic/main.go",
                "src/locales/en.json",
                "api/src/app.test.ts",
                "loose.js",
            ],
            &[
                manifest("web/package.json", &["react", "vite"]),
                manifest("api/package.json", &["express"]),
            ],
            &[],
        );
        assert_eq!(
            got,
            vec![
                Scope::Browser,
                Scope::Server,
                Scope::Server,
                Scope::DevTooling,
                Scope::Example,
                Scope::Docs,
                Scope::Test,
                Scope::Unknown,
            ]
        );
    }

    #[test]
    fn directives_after_comments_only() {
        assert_eq!(
            directive("/* x */\n// y\n\"use client\";\n"),
            Some(Directive::UseClient)
        );
        assert_eq!(directive("'use server'\n"), Some(Directive::UseServer));
        assert_eq!(directive("import x from 'y';\n'use client';\n"), None);
        assert_eq!(directive("'use clientele'"), None);
    }

    #[test]
    fn rust_client_crates_and_their_libraries() {
        let cargo = |path: &str, deps: &[&str]| Manifest {
            kind: ManifestKind::CargoToml,
            ..manifest(path, deps)
        };
        let got = scopes(
            &[
                "crates/cli/src/main.rs",
                "crates/client/src/sync.rs",
                "crates/server/src/main.rs",
                "crates/common/src/lib.rs",
            ],
            &[
                cargo("crates/cli/Cargo.toml", &["clap", "client", "common"]),
                cargo("crates/client/Cargo.toml", &["reqwest", "common"]),
                cargo("crates/server/Cargo.toml", &["axum", "clap", "common"]),
                cargo("crates/common/Cargo.toml", &["serde"]),
            ],
            &[],
        );
        assert_eq!(
            got,
            vec![
                Scope::DevTooling,
                Scope::DevTooling,
                Scope::Server,
                Scope::Server
            ]
        );
    }

    /// Scopes of `paths` with hints read by `read` from `texts`.
    fn scopes_with(paths: &[&str], texts: &[(&str, ScopeHints)]) -> Vec<(Scope, String)> {
        let mut files: Vec<FileRecord> = paths.iter().map(|p| record(p)).collect();
        let hints = texts
            .iter()
            .map(|(p, h)| (p.to_string(), h.clone()))
            .collect();
        assign(&mut files, &[], &hints, 2);
        files
            .into_iter()
            .map(|f| (f.scope, f.scope_reason))
            .collect()
    }

    /// A table package marks a file that imports it or a package below it,
    /// not one whose path merely starts with the same letters.
    #[test]
    fn go_marks_by_package_path() {
        let cli = |import: &str| {
            let text = format!("package x\n\nimport (\n\t\"{import}\"\n)\n");
            go_hints(&text).go.unwrap().cli
        };
        assert!(cli("github.com/spf13/cobra"));
        assert!(cli("github.com/urfave/cli/v2"));
        assert!(!cli("github.com/spf13/cobra-extras"));
        assert!(!cli("github.com/urfave/climate"));
    }

    #[test]
    fn go_cli_client_packages_and_their_libraries() {
        let go = |imports: &[&str], body: &str| {
            let list: String = imports.iter().map(|i| format!("\t\"{i}\"\n")).collect();
            go_hints(&format!("package x\n\nimport (\n{list})\n\n{body}\n"))
        };
        let files = [
            "go.mod",
            "main.go",
            "cmd/serve.go",
            "cmd/publish.go",
            "client/client.go",
            "wire/wire.go",
            "server/server.go",
            "util/util.go",
            "cmd/app.go",
            "deps/deps.go",
        ];
        let texts = vec![
            (
                "go.mod",
                go_mod_hints("module example.com/bell/v2\n\ngo 1.22\n"),
            ),
            (
                "main.go",
                go(&["example.com/bell/v2/cmd"], "func main() { cmd.Run() }"),
            ),
            (
                "cmd/serve.go",
                go(
                    &[
                        "github.com/urfave/cli/v2",
                        "example.com/bell/v2/server",
                        "example.com/bell/v2/util",
                    ],
                    "var cmdServe = &cli.Command{Action: func() { server.New().Run() }}",
                ),
            ),
            (
                "cmd/publish.go",
                go(
                    &[
                        "github.com/urfave/cli/v2",
                        "example.com/bell/v2/client",
                        "example.com/bell/v2/util",
                    ],
                    "var cmdPublish = &cli.Command{Action: func() { client.New().Publish() }}",
                ),
            ),
            (
                "client/client.go",
                go(&["net/http", "example.com/bell/v2/wire"], ""),
            ),
            ("wire/wire.go", go(&["encoding/json"], "")),
            (
                "server/server.go",
                go(
                    &["net/http", "example.com/bell/v2/util"],
                    "func (s *S) Run() { http.ListenAndServe(s.addr, s) }",
                ),
            ),
            ("util/util.go", go(&["strings"], "")),
            // The root command wires what every subcommand, serve
            // included, gets: not a client subcommand.
            (
                "cmd/app.go",
                go(
                    &["github.com/urfave/cli/v2", "example.com/bell/v2/deps"],
                    "var app = &cli.App{Commands: []*cli.Command{cmdServe, cmdPublish}, Before: deps.Init}",
                ),
            ),
            ("deps/deps.go", go(&["database/sql"], "")),
        ];
        let got = scopes_with(&files, &texts);
        let scopes: Vec<Scope> = got.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            scopes[1..],
            [
                Scope::Server,
                Scope::Server,
                Scope::Server,
                Scope::DevTooling,
                Scope::DevTooling,
                Scope::Server,
                // Imported by the serving subcommand too.
                Scope::Server,
                Scope::Server,
                // Imported only by the root command.
                Scope::Server,
            ]
        );
        assert!(got[4].1.contains("cmd/publish.go"), "{}", got[4].1);
        assert!(got[5].1.contains("client/client.go"), "{}", got[5].1);
        // The same CLI with no serving subcommand (a worker binary): its
        // packages are the service.
        let texts: Vec<(&str, ScopeHints)> = texts
            .into_iter()
            .filter(|(p, _)| *p != "cmd/serve.go")
            .collect();
        let got = scopes_with(&files, &texts);
        assert_eq!(got[4].0, Scope::Server);
        // A serving file that imports the client package keeps it served.
        let mut texts = texts;
        texts.push((
            "cmd/serve.go",
            go(
                &["github.com/urfave/cli/v2", "example.com/bell/v2/client"],
                "func serve() { http.ListenAndServe(\":80\", nil) }",
            ),
        ));
        let got = scopes_with(&files, &texts);
        assert_eq!(got[4].0, Scope::Server);
    }

    #[test]
    fn go_packages_no_program_imports_are_libraries() {
        let go = |package: &str, imports: &[&str]| {
            let list: String = imports.iter().map(|i| format!("\t\"{i}\"\n")).collect();
            go_hints(&format!("// Licence.\n{package}\n\nimport (\n{list})\n"))
        };
        let files = [
            "go.mod",
            "main.go",
            "internal/api/api.go",
            "internal/store/store.go",
            "client/client.go",
            "examples/demo/main.go",
            "sdk/sdk.go",
        ];
        let texts = vec![
            ("go.mod", go_mod_hints("module example.com/ledger/v2\n")),
            (
                "main.go",
                go(
                    "package main // import \"example.com/ledger/v2\"",
                    &["example.com/ledger/v2/internal/api"],
                ),
            ),
            (
                "internal/api/api.go",
                go(
                    "package api",
                    &["net/http", "example.com/ledger/v2/internal/store"],
                ),
            ),
            (
                "internal/store/store.go",
                go("package store", &["database/sql"]),
            ),
            ("client/client.go", go("package client", &["net/http"])),
            // An example program does not make what it imports the service.
            (
                "examples/demo/main.go",
                go("package main", &["example.com/ledger/v2/sdk"]),
            ),
            ("sdk/sdk.go", go("package sdk", &["net/http"])),
        ];
        let got = scopes_with(&files, &texts);
        let scopes: Vec<Scope> = got.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            scopes[1..],
            [
                Scope::Server,
                Scope::Server,
                // Reached through `internal/api`.
                Scope::Server,
                Scope::DevTooling,
                Scope::Example,
                Scope::DevTooling,
            ]
        );
        assert!(got[4].1.contains("no program"), "{}", got[4].1);
        // A Go file whose imports were not read (too large): what it
        // imports is unknown, so nothing is decided.
        let unread: Vec<(&str, ScopeHints)> = texts
            .iter()
            .filter(|(p, _)| *p != "internal/store/store.go")
            .cloned()
            .collect();
        let got = scopes_with(&files, &unread);
        assert_eq!(got[4].0, Scope::Server);
        // No program at all (a library repository): nothing is decided.
        let library: Vec<(&str, ScopeHints)> = texts
            .iter()
            .filter(|(p, _)| !p.ends_with("main.go"))
            .cloned()
            .collect();
        let got = scopes_with(&files, &library);
        assert_eq!(got[4].0, Scope::Server);
    }

    #[test]
    fn dockerfile_healthcheck_scripts_are_probes() {
        let files = [
            "docker/Dockerfile",
            "docker/fetchstatus.py",
            "app/views.py",
            "probe.py",
        ];
        let dockerfile = "FROM python:3.12\nWORKDIR /opt/app\nCOPY . /opt/app/\nCOPY docker/fetchstatus.py /opt/app/\nHEALTHCHECK --interval=60s CMD ./fetchstatus.py\n";
        let got = scopes_with(
            &files,
            &[(
                "docker/Dockerfile",
                dockerfile_hints("docker/Dockerfile", dockerfile),
            )],
        );
        assert_eq!(got[1].0, Scope::DevTooling);
        assert!(got[1].1.contains("docker/Dockerfile:5"), "{}", got[1].1);
        assert_eq!(got[2].0, Scope::Server);
        assert_eq!(got[3].0, Scope::Server);
        // Exec form, path from the root; a check that runs curl names no file.
        let got = scopes_with(
            &files,
            &[(
                "Dockerfile",
                dockerfile_hints(
                    "Dockerfile",
                    "HEALTHCHECK CMD [\"python\", \"probe.py\"]\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
                ),
            )],
        );
        assert_eq!(got[3].0, Scope::DevTooling);
        assert_eq!(got[1].0, Scope::Server);
    }

    #[test]
    fn path_aliases_and_react_hooks() {
        let next = manifest("apps/web/package.json", &["next", "react"]);
        let got = scopes(
            &[
                "apps/web/components/Feed.tsx",
                "apps/web/lib/client/api.ts",
                "apps/web/hooks/store/links.ts",
                "apps/web/lib/useDebounce.ts",
            ],
            &[next],
            &[(
                "apps/web/components/Feed.tsx",
                "'use client';\nimport { get } from '@/lib/client/api';\n",
            )],
        );
        assert_eq!(
            got,
            vec![
                Scope::Browser,
                Scope::Browser,
                Scope::Browser,
                Scope::Browser
            ]
        );
    }

    /// A `server-only/` folder holding a React provider (hooks) and the
    /// fetch helper only that provider imports: both run in the browser.
    /// A module of the same folder that a route loader imports too, and one
    /// nothing imports, stay on the server.
    #[test]
    fn a_server_folder_yields_to_client_code_and_browser_importers() {
        let remix = manifest("package.json", &["@remix-run/node", "react"]);
        let got = scopes(
            &[
                "ee/server-only/limits/provider.tsx",
                "ee/server-only/limits/client.ts",
                "ee/server-only/limits/quota.ts",
                "ee/server-only/limits/stripe.ts",
                "app/routes/billing.tsx",
            ],
            &[remix],
            &[
                (
                    "ee/server-only/limits/provider.tsx",
                    "import { useState } from 'react';\nimport { getLimits } from './client';\nimport { quota } from './quota';\nexport const LimitsProvider = () => { const [l] = useState(null); return l; };\n",
                ),
                (
                    "ee/server-only/limits/client.ts",
                    "export const getLimits = () => fetch(u);\n",
                ),
                (
                    "ee/server-only/limits/quota.ts",
                    "export const quota = 3;\n",
                ),
                (
                    "ee/server-only/limits/stripe.ts",
                    "export const charge = () => fetch(u);\n",
                ),
                (
                    "app/routes/billing.tsx",
                    "import { quota } from '../../ee/server-only/limits/quota';\nexport async function loader() { return quota; }\n",
                ),
            ],
        );
        assert_eq!(
            got,
            vec![
                Scope::Browser,
                Scope::Browser,
                Scope::Server,
                Scope::Server,
                Scope::Unknown
            ]
        );
    }
}
