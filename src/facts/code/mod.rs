//! Code facts: HTTP routes, outbound HTTP calls, retries, OpenTelemetry
//! initialisation and test markers, each with its location.
//!
//! A file is parsed once, and only when a prefilter says a rule may need it
//! (`syntax.rs`): the tree gives exact comment and string-literal ranges, so
//! patterns never match inside a comment, a docstring or an error message.
//! Per-language patterns then find call sites, and balanced-bracket scanning
//! reads their arguments and bodies. Test code contributes only test markers,
//! read lexically without parsing: a health route or an HTTP call in a test
//! file says nothing about production, and a test file that our grammar
//! cannot read still holds tests.

mod browser;
pub mod callers;
pub mod client_defaults;
mod clients;
#[cfg(test)]
mod examples;
pub mod frameworks;
mod go;
pub mod go_fields;
pub mod go_types;
mod javascript;
mod lexer;
pub mod nesting;
pub mod practices;
mod python;
mod retry_calls;
mod run_loops;
mod rust;
pub mod shapes;
pub mod syntax;
mod temporal;
mod triggers;

use serde::Serialize;

use super::Location;
use crate::inventory::Lang;

pub use clients::{
    Examples as ClientExamples, examples as client_examples, fix as client_fix,
    names as table_clients,
};
pub use lexer::Source;
pub use practices::{PiiLog, Practice, PracticeKind};

/// An HTTP route the app serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRoute {
    pub location: Location,
    pub framework: &'static str,
    pub method: Option<String>,
    pub route: String,
}

impl HttpRoute {
    /// Health, readiness and liveness routes, under any prefix.
    pub fn is_health(&self) -> bool {
        is_health_route(&self.route)
    }
}

/// Last path segment names a health/readiness/liveness endpoint.
pub fn is_health_route(route: &str) -> bool {
    if route == GRPC_HEALTH {
        return true;
    }
    let path = route
        .split_whitespace()
        .last()
        .unwrap_or(route)
        .trim_end_matches('/');
    let last = crate::inventory::file_name(path).to_ascii_lowercase();
    // The names are data: rules/libraries.toml `[health]`.
    practices::health_names().contains(&last)
}

/// Whether an outbound call is bounded in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeoutState {
    /// A timeout is set at the call or on the client it goes through.
    Explicit,
    /// The client's own default bounds it (e.g. httpx: 5 s).
    ClientDefault(&'static str),
    /// Nothing bounds it (Go `http.Get`, `reqwest::get`, axios, fetch).
    Missing,
    /// Explicitly disabled (`timeout=None`).
    Disabled,
    /// Only the client's own default bounds it, and that default is
    /// measured in minutes (aiohttp's 5 min, the OpenAI SDK's 10 min): a
    /// request path still hangs long enough to exhaust its workers.
    TooLong(&'static str),
}

impl TimeoutState {
    pub fn is_bounded(&self) -> bool {
        matches!(
            self,
            TimeoutState::Explicit | TimeoutState::ClientDefault(_)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboundCall {
    pub location: Location,
    /// `axios`, `fetch`, `requests`, `httpx`, `net/http`, `reqwest` …
    pub client: &'static str,
    pub timeout: TimeoutState,
    /// What was seen, for the evidence: "axios.get, no timeout".
    pub note: String,
}

/// How a retry waits between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backoff {
    None,
    Constant,
    Exponential,
}

/// A retry policy or hand-written retry loop around outbound calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetrySite {
    pub location: Location,
    /// `tenacity`, `axios-retry`, `loop` …
    pub mechanism: &'static str,
    pub backoff: Backoff,
    pub jitter: bool,
    pub bounded: bool,
    /// A hand-written loop that calls out only through the project's own
    /// functions (`fetchWithProxy(url, …)` imported from another module):
    /// the first and last line of its body. Which of those functions make
    /// HTTP calls is known only once every module is read, so the loop is a
    /// retry site only if a resolved outbound call lies in these lines
    /// ([`standing_retries`]).
    #[serde(skip)]
    pub through: Option<(u32, u32)>,
}

/// The retry sites that retry an outbound call: all of them, except a loop
/// that calls out through project functions ([`RetrySite::through`]), which
/// needs one of the service's outbound sites (direct or resolved through a
/// wrapper) inside its body. The outbound lines are indexed once, so a tree
/// of many such loops and many calls costs a lookup per loop.
pub fn standing_retries<'a>(
    retries: &'a [RetrySite],
    outbound: &[OutboundCall],
) -> Vec<&'a RetrySite> {
    if retries.iter().all(|r| r.through.is_none()) {
        return retries.iter().collect();
    }
    let mut lines: std::collections::HashMap<&str, Vec<u32>> = std::collections::HashMap::new();
    for c in outbound {
        lines
            .entry(c.location.path.as_str())
            .or_default()
            .push(c.location.line);
    }
    for l in lines.values_mut() {
        l.sort_unstable();
    }
    retries
        .iter()
        .filter(|r| {
            let Some((first, last)) = r.through else {
                return true;
            };
            lines.get(r.location.path.as_str()).is_some_and(|l| {
                let i = l.partition_point(|&x| x < first);
                l.get(i).is_some_and(|&x| x <= last)
            })
        })
        .collect()
}

impl RetrySite {
    pub fn is_safe(&self) -> bool {
        self.backoff == Backoff::Exponential && self.jitter && self.bounded
    }

    /// "no backoff, no jitter" — what is missing, for messages.
    pub fn gaps(&self) -> String {
        let mut gaps = Vec::new();
        match self.backoff {
            Backoff::None => gaps.push("no delay between attempts"),
            Backoff::Constant => gaps.push("constant delay (no exponential backoff)"),
            Backoff::Exponential => {}
        }
        if !self.jitter {
            gaps.push("no jitter");
        }
        if !self.bounded {
            gaps.push("no bound on attempts");
        }
        gaps.join(", ")
    }
}

/// Where OpenTelemetry tracing is initialised (or its launcher used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtelInit {
    pub location: Location,
    pub how: &'static str,
}

/// A test function or test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestMarker {
    pub location: Location,
    pub framework: &'static str,
}

/// Everything one source file contributed.
#[derive(Debug, Default, Clone)]
pub struct CodeFacts {
    pub routes: Vec<HttpRoute>,
    pub outbound: Vec<OutboundCall>,
    pub retries: Vec<RetrySite>,
    pub otel_inits: Vec<OtelInit>,
    pub tests: Vec<TestMarker>,
    pub practices: Vec<Practice>,
    pub pii_logs: Vec<PiiLog>,
    /// HTTP client instances this module exports (an axios instance made in
    /// `lib/http.js` and imported elsewhere).
    pub exported_clients: Vec<ExportedClient>,
    /// Calls through a client imported from another module of the app,
    /// resolved against the exporting module when facts are merged.
    pub imported_calls: Vec<ImportedCall>,
    /// Go: client-typed struct fields, what fills them and the constructor
    /// calls that pass clients (`go_fields.rs`), joined per package at merge.
    pub go_fields: Vec<go_fields::Fact>,
    /// Go: struct declarations, value-writing methods and the values log
    /// calls write whole (`go_types.rs`), joined across packages at merge.
    pub go_types: Vec<go_types::Fact>,
    /// Process-wide client defaults this file sets (`axios.defaults.timeout`).
    pub client_defaults: Vec<client_defaults::ClientDefault>,
    /// Unbounded calls whose caller may bound them, with the function they
    /// sit in (`check_api` holding a bare `reqwest::get`).
    pub caller_boundable: Vec<callers::Enclosed>,
    /// Functions this file calls under a deadline of its own
    /// (`tokio::time::timeout(d, healthcheck::check_api(…))`).
    pub timed_calls: Vec<callers::Timed>,
    /// Functions of this file that wrap or hand out an HTTP client
    /// (`safeFetch`, `get_http_client`), and the calls this file makes to
    /// such functions; merging joins them (`shapes.rs`).
    pub providers: Vec<shapes::Provider>,
    pub shape_calls: Vec<shapes::ShapeCall>,
    /// The file has syntax errors: the message, for a warning. Such a file
    /// contributes no other code facts, and the code rules skip rather than
    /// pass while it is unread.
    pub unparsed: Option<String>,
}

/// A client instance a module exports: `export default axios.create({...})`,
/// `module.exports = api`, `export const api = axios.create(...)`; in Go a
/// package-level `var api = &http.Client{...}` or a struct field set to one,
/// in Rust a `reqwest::Client` bound or stored in a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedClient {
    pub location: Location,
    pub client: &'static str,
    /// `None` for the default export (`export default`, `module.exports =`).
    pub export: Option<String>,
    pub timeout: TimeoutState,
}

/// `api.get(…)` where `api` was imported from a relative module, or a Go or
/// Rust call through a client field or variable defined elsewhere in the
/// same package or crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCall {
    pub location: Location,
    /// How the call reads: `api.get`.
    pub call: String,
    pub link: Link,
    /// `None` for a default import (`import api from`, `const api = require(`).
    pub export: Option<String>,
}

/// How an imported call names the place its client comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A JavaScript import specifier as written: `./lib/http`.
    Module(String),
    /// Any file of the same Go package (directory) or Rust crate: the
    /// scope, and the client the name must be.
    Package { scope: String, client: &'static str },
    /// A Go package of the project imported by path
    /// (`github.com/acme/app/pkg/jsonclient`): a function of it that builds
    /// or wraps a client (`jsonclient.NewClient()`, `jsonclient.Post(…)`).
    GoImport(String),
}

/// `key` appears as an object key (`key:`, or shorthand `{ key }` /
/// `{ key, … }`) and, with `assign`, as a keyword argument (`key=`): not
/// as part of a longer name or a member (`cfg.key`).
pub(crate) fn names_key(text: &str, key: &str, assign: bool) -> bool {
    text.match_indices(key).any(|(i, _)| {
        let before = text[..i].chars().last();
        let after = text[i + key.len()..].trim_start().chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && (matches!(after, Some(':' | ',' | '}')) || assign && after == Some('='))
    })
}

/// The key rule tables use for a language: `js` (JavaScript and
/// TypeScript), `py`, `go`, `rs`.
pub(crate) fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::JavaScript | Lang::TypeScript => "js",
        Lang::Python => "py",
        Lang::Go => "go",
        Lang::Rust => "rs",
    }
}

/// One automaton over a rule table's needles for one language, and the row
/// each needle belongs to. The automaton is built the first time a file of
/// its language asks: a Python service never pays for the JavaScript one.
pub(crate) struct NeedleSet {
    table: &'static str,
    kind: aho_corasick::MatchKind,
    needles: Vec<&'static str>,
    ac: std::sync::OnceLock<aho_corasick::AhoCorasick>,
    pub row_of: Vec<usize>,
}

impl NeedleSet {
    /// A DFA: each set is built once per scan (about a millisecond for the
    /// JavaScript needles) but searched over every parsed file, and on
    /// documenso's 718 parsed files it searches the library and client
    /// needles in about a third of a contiguous NFA's time (bare module
    /// names such as `ai` or `got` match thousands of times).
    pub fn ac(&self) -> &aho_corasick::AhoCorasick {
        self.ac.get_or_init(|| {
            aho_corasick::AhoCorasick::builder()
                .match_kind(self.kind)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(&self.needles)
                .unwrap_or_else(|e| panic!("{}: {e}", self.table))
        })
    }
}

/// A [`NeedleSet`] per language key, from each row's language and needles.
pub(crate) fn needle_sets<T>(
    table: &'static str,
    rows: &'static [T],
    lang: impl Fn(&T) -> &str,
    needles: impl Fn(&'static T) -> &'static [String],
    kind: aho_corasick::MatchKind,
) -> Vec<(&'static str, NeedleSet)> {
    for row in rows {
        assert!(
            matches!(lang(row), "js" | "py" | "go" | "rs"),
            "{table}: unknown lang {}",
            lang(row)
        );
    }
    ["js", "py", "go", "rs"]
        .into_iter()
        .map(|key| {
            let mut all = Vec::new();
            let mut row_of = Vec::new();
            for (i, row) in rows.iter().enumerate().filter(|(_, r)| lang(r) == key) {
                for n in needles(row) {
                    all.push(n.as_str());
                    row_of.push(i);
                }
            }
            let set = NeedleSet {
                table,
                kind,
                needles: all,
                ac: std::sync::OnceLock::new(),
                row_of,
            };
            (key, set)
        })
        .collect()
}

#[cfg(test)]
impl CodeFacts {
    /// Each outbound call's line and timeout, in order: what the
    /// extractors' unit tests compare.
    pub(crate) fn line_timeouts(&self) -> Vec<(u32, TimeoutState)> {
        self.outbound
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect()
    }
}

/// The package a file belongs to, for [`Link::Package`]: a Go package is its
/// directory; a Rust crate is everything under the same `src/`.
pub fn package_scope(path: &str, lang: Lang) -> String {
    scope_of(path, lang).to_string()
}

/// [`package_scope`] borrowed from the path it is a prefix of.
fn scope_of(path: &str, lang: Lang) -> &str {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    match lang {
        Lang::Rust => match path.rfind("src/") {
            Some(i) if i == 0 || path.as_bytes()[i - 1] == b'/' => &path[..i],
            _ => dir,
        },
        _ => dir,
    }
}

/// Resolve calls through imported clients against the modules that export
/// them. A call whose module or export cannot be found stays unknown, and so
/// does a name that several clients of the package share with different
/// timeouts: it is not reported rather than guessed.
pub fn resolve_imported(calls: &[ImportedCall], exports: &[ExportedClient]) -> Vec<OutboundCall> {
    // Each export's package as a Rust crate and as a Go package, read once:
    // every package-linked call is compared with every export, and reading
    // the scope per pair (a search for `src/` and a new string each time)
    // was 1% of a scan of 1,250 small apps.
    let scopes: Vec<[&str; 2]> = exports
        .iter()
        .map(|e| {
            let path = e.location.path.as_str();
            [scope_of(path, Lang::Rust), scope_of(path, Lang::Go)]
        })
        .collect();
    let scope_at = |i: usize, lang: Lang| scopes[i][usize::from(lang != Lang::Rust)];
    calls
        .iter()
        .filter_map(|c| {
            let found: Vec<&ExportedClient> = match &c.link {
                Link::Module(spec) => {
                    let dir = c.location.path.rsplit_once('/').map_or("", |(d, _)| d);
                    let base = normalize(dir, spec)?;
                    let candidates = [
                        base.clone(),
                        format!("{base}.js"),
                        format!("{base}.ts"),
                        format!("{base}.mjs"),
                        format!("{base}.cjs"),
                        format!("{base}/index.js"),
                        format!("{base}/index.ts"),
                    ];
                    exports
                        .iter()
                        .filter(|e| candidates.contains(&e.location.path) && e.export == c.export)
                        .take(1)
                        .collect()
                }
                Link::Package { scope, client } => {
                    let lang = if *client == "reqwest" {
                        Lang::Rust
                    } else {
                        Lang::Go
                    };
                    exports
                        .iter()
                        .enumerate()
                        .filter(|&(i, e)| {
                            // A named client of another file; for a client
                            // parameter (no name), any client the package
                            // builds, this file included.
                            e.client == *client
                                && e.export == c.export
                                && (c.export.is_none()
                                    || e.location.path != c.location.path
                                    // A Go field filled in the file that
                                    // calls it (`h.hc = …` in `NewHandler`):
                                    // the file's own clients never reach
                                    // here, only `go_fields` exports do.
                                    || *client == "net/http")
                                && scope_at(i, lang) == scope.as_str()
                        })
                        .map(|(_, e)| e)
                        .collect()
                }
                Link::GoImport(import) => exports
                    .iter()
                    .enumerate()
                    .filter(|&(i, e)| {
                        let dir = scope_at(i, Lang::Go);
                        e.client == "net/http"
                            && e.export == c.export
                            && !dir.is_empty()
                            && (*import == dir
                                || import
                                    .strip_suffix(dir)
                                    .is_some_and(|head| head.ends_with('/')))
                    })
                    .map(|(_, e)| e)
                    .collect(),
            };
            let e = *found.first()?;
            if found.iter().any(|o| o.timeout != e.timeout) {
                return None;
            }
            let at = format!("{}:{}", e.location.path, e.location.line);
            let what = match &c.link {
                Link::Module(_) => format!("the {} instance of {at}", e.client),
                Link::Package { .. } => format!("the {} client of {at}", e.client),
                Link::GoImport(_) => format!("the {} client built at {at}", e.client),
            };
            let note = match &e.timeout {
                TimeoutState::Explicit => {
                    format!("{} through {what}, configured with a timeout", c.call)
                }
                TimeoutState::ClientDefault(d) => {
                    format!("{} through {what}: its default applies ({d})", c.call)
                }
                _ => format!("{} through {what}, created without a timeout", c.call),
            };
            Some(OutboundCall {
                location: c.location.clone(),
                client: e.client,
                timeout: e.timeout.clone(),
                note,
            })
        })
        .collect()
}

/// `dir` joined with a relative specifier, `.`/`..` folded; `None` for a
/// package import (`axios`, `@scope/x`) or a path leaving the root.
fn normalize(dir: &str, spec: &str) -> Option<String> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in spec.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Extract the code facts of one source file.
pub fn extract(path: &str, lang: Lang, is_test: bool, text: &str) -> CodeFacts {
    let mut facts = CodeFacts::default();
    if is_test {
        // Test markers are read lexically: no parse needed.
        let src = Source::new(path, lang, text);
        match lang {
            Lang::JavaScript | Lang::TypeScript => javascript::extract(&src, true, &mut facts),
            Lang::Python => python::extract(&src, true, &mut facts),
            Lang::Go => go::extract(&src, true, &mut facts),
            Lang::Rust => rust::extract(&src, true, &mut facts),
        }
        return facts;
    }
    if runs_outside_service(path, lang) {
        return facts;
    }
    if matches!(lang, Lang::JavaScript | Lang::TypeScript) {
        // Next.js, SvelteKit, Nuxt and Remix file routes come from the
        // path alone.
        javascript::file_route(path, text, &mut facts);
        frameworks::file_route(path, text, &mut facts);
    }
    facts.client_defaults = client_defaults::scan(path, lang, text);
    if lang == Lang::Go {
        // Every file's types, parsed or not: the type of a logged value is
        // often declared in a package that logs nothing.
        facts.go_types = go_types::declarations(path, text);
    }
    if !syntax::wanted(lang, text) || is_generated(text) {
        return facts;
    }
    // The lexer reads most files exactly (comments, strings, balanced
    // brackets) at a fraction of a parse; a file it is unsure of (unbalanced
    // brackets, an unclosed string, a regex literal, template interpolation)
    // goes to the real parser, which reads it or reports it as broken.
    let lexed = lexer::lex(text, lang);
    let src = if lexed.certain {
        Source::lexed(path, lang, lexed)
    } else {
        match syntax::parse(path, lang, text, lexed.max_depth) {
            syntax::Parse::Parsed(tree) => Source::parsed(path, lang, text, tree),
            syntax::Parse::Failed(message) => {
                facts.unparsed = Some(message);
                return facts;
            }
            syntax::Parse::NotNeeded => return facts,
        }
    };
    grpc_health(&src, &mut facts);
    match lang {
        Lang::JavaScript | Lang::TypeScript => javascript::extract(&src, is_test, &mut facts),
        Lang::Python => python::extract(&src, is_test, &mut facts),
        Lang::Go => go::extract(&src, is_test, &mut facts),
        Lang::Rust => rust::extract(&src, is_test, &mut facts),
    }
    frameworks::extract(&src, &mut facts);
    clients::extract(&src, &mut facts);
    shapes::extract(&src, &mut facts);
    callers::extract(&src, &mut facts);
    practices::extract(&src, &mut facts);
    browser::drop_browser_only(&src, &mut facts);
    facts
}

/// A non-test file whose path alone puts it outside the service (vendored
/// pdf.js under `static/`, a `scripts/` tool, an example): merging keeps
/// none of its code facts ([`crate::facts::Facts::merge`] keeps only test
/// markers of such files, and only Rust finds test markers outside test
/// files), so reading its code would be wasted — on calibre-web the vendored
/// browser bundles were 43% of the scan, in tree-sitter. Its scope hints,
/// secrets and flag imports are read apart from the code facts, as before.
fn runs_outside_service(path: &str, lang: Lang) -> bool {
    lang != Lang::Rust
        && crate::inventory::path_scope_only(path, crate::inventory::FileKind::Source(lang))
            .is_some_and(|scope| !scope.in_service())
}

/// Generated code (`// Code generated … DO NOT EDIT.`, `@generated`) is
/// not the app's own: an OpenAPI client generated for the tests says
/// nothing about how production calls out.
fn is_generated(text: &str) -> bool {
    let mut end = text.len().min(600);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    (head.contains("Code generated") && head.contains("DO NOT EDIT")) || head.contains("@generated")
}

/// gRPC services expose health through the standard `grpc.health.v1.Health`
/// service rather than an HTTP route; probes (`grpc_health_probe`, k8s grpc
/// probes) use it the same way. The needles are `rules/triggers.toml`'s.
fn grpc_health(src: &Source, facts: &mut CodeFacts) {
    if !src.code.contains("ealth") {
        return;
    }
    if let Some(i) = triggers::grpc_health_needles()
        .iter()
        .filter_map(|n| src.find(n))
        .min()
    {
        facts.routes.push(HttpRoute {
            location: src.loc(i),
            framework: "grpc",
            method: None,
            route: GRPC_HEALTH.to_string(),
        });
    }
}

/// The route name recorded for a gRPC health service.
pub const GRPC_HEALTH: &str = "grpc.health.v1.Health";

/// OpenTelemetry auto-instrumentation launchers used from a deploy file,
/// Procfile or package.json script (no code init needed then).
/// The launchers are the `[[launcher]]` rows of `rules/libraries.toml`.
pub fn otel_launcher(path: &str, text: &str) -> Option<OtelInit> {
    practices::launchers().iter().find_map(|l| {
        text.lines()
            .position(|line| line.contains(l.needle.as_str()))
            .map(|i| OtelInit {
                location: Location::new(path, i as u32 + 1),
                how: l.how.as_str(),
            })
    })
}

/// Shared reading of a hand-written retry loop body: how it waits and whether
/// the wait grows and is randomised. Words are language-neutral enough
/// (`sleep`, `Sleep`, `setTimeout`, `delay`) for all four languages.
pub(crate) fn classify_loop_wait(body: &str) -> (Backoff, bool) {
    let lower = body.to_ascii_lowercase();
    // Waiting as long as the server's Retry-After says is the pacing HTTP
    // defines for 429 and 503: the server spreads its clients out.
    if ["retry_after", "retry-after", "retryafter"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return (Backoff::Exponential, true);
    }
    let waits = [
        "sleep",
        "settimeout",
        "delay(",
        "wait(",
        // A project's own sleep helper: `await timer(5000)`, `await pause(ms)`.
        "await timer(",
        "await pause(",
        "backoff",
        "throttle(wait",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if !waits {
        return (Backoff::None, false);
    }
    let grows = [
        "**",
        "<<",
        "pow(",
        "* 2",
        "*2",
        "*= 2",
        "*=2",
        "exponential",
        "backoff",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let jitter = ["random", "rand.", "rand::", "jitter", "fastrand"]
        .iter()
        .any(|w| lower.contains(w));
    (
        if grows {
            Backoff::Exponential
        } else {
            Backoff::Constant
        },
        jitter,
    )
}

/// The words that say a loop retries, as whole identifiers or identifier
/// parts (`attempts`, `max_retries`, `retryCount`, `MaxTries`), never inside
/// another word: "tries" in `entries`, "attempt" in `reattempted` is fine
/// either way, but `countries` and `entries` are not retries. The words are
/// `[retry] words` of rules/triggers.toml.
pub(crate) fn has_retry_word(body: &str) -> bool {
    let bytes = body.as_bytes();
    let lower = body.to_ascii_lowercase();
    triggers::TABLE.retry.words.iter().any(|w| {
        lower.match_indices(w).any(|(i, _)| {
            let first_upper = bytes[i].is_ascii_uppercase();
            let before_ok = i == 0 || {
                let b = bytes[i - 1];
                !b.is_ascii_alphanumeric() || (first_upper && b.is_ascii_lowercase())
            };
            let after = bytes.get(i + w.len());
            let after_ok = after.is_none_or(|b| !b.is_ascii_lowercase());
            before_ok && after_ok
        })
    })
}

/// Receivers that are HTTP clients by name: `session.get`, `self.client.post`,
/// `httpClient.Do`, `this.http.request`. A `.get(` on a dict, a config or a
/// cache is not a request. The names are `[retry] http_receivers` of
/// rules/triggers.toml.
///
/// `marker` appears in `body` as an HTTP call. A marker that starts with a
/// `.` is a method: its receiver (the identifier before the dot) must name
/// an HTTP client.
pub(crate) fn calls_http(body: &str, marker: &str) -> bool {
    if !marker.starts_with('.') {
        return body.contains(marker);
    }
    body.match_indices(marker).any(|(i, _)| {
        let recv_start = body[..i]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .map_or(0, |p| p + 1);
        let recv = body[recv_start..i].to_ascii_lowercase();
        recv == "hc"
            || recv == "s" && marker == ".send()"
            || triggers::TABLE
                .retry
                .http_receivers
                .iter()
                .any(|r| recv.contains(r.as_str()))
    })
}

/// A loop head found by a language module.
pub(crate) struct LoopHead {
    pub start: usize,
    /// Body as (start, end) offsets.
    pub body: (usize, usize),
    /// Bounded by its own condition (a count, a comparison, a finite range).
    pub bounded: bool,
    /// Iterates over a collection rather than counting attempts.
    pub iterates: bool,
}

/// Hand-written retry loops around outbound calls, in all four languages: a loop whose body handles an error and calls out (or calls
/// a same-file function that does).
pub(crate) fn retry_loops(src: &Source, facts: &mut CodeFacts, call_markers: &[&str]) {
    // The same retry written without a loop: a function calling itself.
    retry_calls::recursive_retries(src, facts, |t| {
        call_markers.iter().any(|m| calls_http(t, m))
    });
    let code = &src.code;
    let brace = |heads: Vec<(usize, usize, bool, bool)>| -> Vec<LoopHead> {
        heads
            .into_iter()
            .filter_map(|(start, open, bounded, iterates)| {
                Some(LoopHead {
                    start,
                    body: (open, src.matching(open)?),
                    bounded,
                    iterates,
                })
            })
            .collect()
    };
    let heads = match src.lang {
        Lang::Go => brace(go::loop_heads(src)),
        Lang::Rust => brace(rust::loop_heads(src)),
        Lang::Python => python::loop_heads(src),
        Lang::JavaScript | Lang::TypeScript => brace(
            javascript::LOOP_HEAD
                .captures_iter(code)
                .map(|c| {
                    let m = c.get(0).unwrap();
                    let cond = c["cond"].trim();
                    // `for (const x of xs)`, `for (k in o)`, `i < items.length`.
                    let iterates =
                        cond.contains(" of ") || cond.contains(" in ") || cond.contains(".length");
                    (
                        m.start(),
                        m.end() - 1,
                        cond.contains(['<', '>']) || iterates,
                        iterates,
                    )
                })
                .collect(),
        ),
    };
    // Rust's inline test module is not production code.
    let end = src.prod_end();
    let heads: Vec<LoopHead> = heads.into_iter().filter(|h| h.start < end).collect();
    if heads.is_empty() {
        return;
    }
    // The loop bodies by start, each with its place among the heads: a
    // loop's inner loops are the bodies starting inside it, found by a
    // binary search rather than by reading every body of the file once per
    // loop (loops x loops: 20,000 retry loops in one function took seconds).
    let mut bodies: Vec<(usize, usize, usize)> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| (h.body.0, h.body.1, i))
        .collect();
    bodies.sort_unstable();
    // Helpers of this file that call out, so a loop around `fetch()` counts.
    let functions = src.functions();
    let callers: Vec<String> = functions
        .iter()
        .filter(|(_, s, e)| *s < end && call_markers.iter().any(|m| calls_http(&code[*s..*e], m)))
        .map(|(n, _, _)| format!("{n}("))
        .collect();
    for LoopHead {
        start,
        body: (open, close),
        mut bounded,
        iterates,
    } in heads
    {
        let body = &code[open..close];
        // What the loop itself says, its inner loops' bodies blanked (in
        // the heads' order, as they were found).
        let first = bodies.partition_point(|&(s, _, _)| s <= open);
        let mut inner: Vec<(usize, usize, usize)> = bodies[first..]
            .iter()
            .take_while(|&&(s, _, _)| s < close)
            .filter(|&&(_, e, _)| e <= close)
            .copied()
            .collect();
        inner.sort_unstable_by_key(|&(_, _, i)| i);
        let nested: Vec<(usize, usize)> = inner
            .iter()
            .map(|&(s, e, _)| (s - open, e - open))
            .collect();
        let own = run_loops::own_body(body, &nested);
        // `while not exit.is_set():`, `while running`, `for !stopped`: the
        // service's own work loop, which calls out each round; not a retry.
        let head = code[start..open].to_ascii_lowercase();
        if [
            "is_set()", "running", "stop", "shutdown", "exit", "alive", "done()",
        ]
        .iter()
        .any(|w| head.contains(w))
        {
            continue;
        }
        let retry_words = has_retry_word(body);
        // `for url in urls` / `for (const u of items)` walks a collection:
        // a batch, not a retry, unless the body says otherwise (itself: the
        // `attempts` of a status poll nested in it are that loop's).
        // A word inside a log message ("failed, retrying..") is not the
        // loop saying it retries: string literals are blanked for this test.
        if iterates && {
            let mut quiet: Vec<(usize, usize)> = nested.clone();
            quiet.extend(
                src.strings_within(open, close)
                    .map(|r| (r.start - open, r.end - open)),
            );
            !has_retry_word(&run_loops::own_body(body, &quiet))
        } {
            continue;
        }
        // A run loop parked on its work each turn, and a walk that moves to
        // a new target each turn and stops at the first error, call out and
        // handle errors without retrying anything.
        let calls_on_line = |l: &str| {
            call_markers.iter().any(|m| calls_http(l, m))
                || callers.iter().any(|c| l.contains(c.as_str()))
        };
        if run_loops::blocks_each_turn(body, src.lang)
            || run_loops::walks_until_error(body, &own, calls_on_line)
        {
            continue;
        }
        let handles_error = run_loops::handles_error(body);
        let calls_out = call_markers.iter().any(|m| calls_http(body, m))
            || callers.iter().any(|c| body.contains(c.as_str()));
        // `while (attempts < 3) { const res = await fetch(u); if (res.ok) break; await sleep(5000) }`
        // retries on status rather than on error.
        // `for retry in range(20): r = post(…); if r.status_code == 200:
        // return` leaves by `return` on success: the same retry.
        let status_retry = (body.contains("break") || run_loops::leaves_by_return(body))
            && classify_loop_wait(body).0 != Backoff::None;
        if !(handles_error || status_retry) {
            continue;
        }
        // With no error path, a loop that waits for a resource to be ready
        // (it re-reads the resource each turn, or stops on a state the
        // response reports) is a poll: a success that says "not yet" brings
        // the next check, not a failure.
        if !handles_error && run_loops::polls_until_ready(body, calls_on_line) {
            continue;
        }
        let mut through = None;
        if !calls_out {
            // `for attempt in range(3):` says it in the head.
            let retry_words = retry_words || has_retry_word(&code[start..open]);
            // `withRetry(fn)`: a helper that calls the function it is given
            // again after a failure is a retry site whatever `fn` does, and
            // its own waits and bound are what every caller gets.
            // A helper that retries only a data conflict (a unique-key
            // race, a deadlock: `if (!(err instanceof UniqueConstraintError))
            // throw err`) runs the work again against a healthy database;
            // it retries no failing dependency.
            let helper = retry_words
                && handles_error
                && calls_parameter(src, functions, start, body)
                && !retries_a_conflict(body);
            if !helper {
                // `fetchWithProxy(url, …)`, a function of another module:
                // whether it calls out is settled once every module is read.
                // The loop must say it retries; its body must then hold an
                // outbound site ([`standing_retries`]).
                if !retry_words {
                    continue;
                }
                through = Some((src.loc(open).line, src.loc(close).line));
            }
        }
        if !bounded {
            bounded = retry_words
                && ["throw", "return Err", "return err", "break", "raise"]
                    .iter()
                    .any(|w| body.contains(w))
                && (body.contains(['>', '<']) || body.contains("== 0"));
        }
        let (backoff, jitter) = classify_loop_wait(body);
        facts.retries.push(RetrySite {
            location: src.loc(start),
            mechanism: "loop",
            backoff,
            jitter,
            bounded,
            through,
        });
    }
}

/// The error a loop retries on is named as a conflict over data rather than
/// a failure of the thing called: a unique-key violation, an integrity
/// error, a deadlock or serialization failure, an optimistic-lock clash.
fn retries_a_conflict(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    [
        "uniqueconstraint",
        "unique constraint",
        "unique_violation",
        "uniqueviolation",
        "integrityerror",
        "deadlock",
        "serializationfailure",
        "serialization_failure",
        "optimisticlock",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// The loop at `start` calls, as `name(…)` (not a method `.name(`), a
/// parameter of the function it sits in: `async function withRetry(fn, opts)
/// { for (;;) { try { return await fn() } … } }`, `def retry(call, tries=3)`.
fn calls_parameter(
    src: &Source,
    functions: &[(String, usize, usize)],
    start: usize,
    body: &str,
) -> bool {
    let code = &src.code;
    let Some((name, s, _)) = shapes::innermost_function(functions, start) else {
        return false;
    };
    // The header runs from the function's name to its body.
    let Some(head_start) = code[..*s].rfind(name.as_str()) else {
        return false;
    };
    shapes::params(&code[head_start..*s]).iter().any(|p| {
        body.match_indices(p.as_str()).any(|(i, _)| {
            let before = body[..i].chars().next_back();
            let after = body[i + p.len()..].trim_start();
            before.is_none_or(|b| !(b.is_alphanumeric() || b == '_' || b == '$' || b == '.'))
                && after.starts_with('(')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_clients_resolve_across_modules() {
        let lib = extract(
            "src/lib/http.js",
            Lang::JavaScript,
            false,
            "const axios = require('axios');\nconst api = axios.create({ timeout: 2000 });\nmodule.exports = api;\nexport const raw = axios.create({});\n",
        );
        assert_eq!(lib.exported_clients.len(), 2);
        let user = extract(
            "src/routes/orders.js",
            Lang::JavaScript,
            false,
            "const api = require('../lib/http');\nimport { raw as plain } from '../lib/http';\nasync function f() {\n  await api.get('/a');\n  await plain.post('/b');\n  await other.get('/c');\n}\n",
        );
        assert_eq!(user.imported_calls.len(), 2);
        let calls = resolve_imported(&user.imported_calls, &lib.exported_clients);
        let states: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(
            states,
            vec![(4, TimeoutState::Explicit), (5, TimeoutState::Missing)]
        );
        assert_eq!(normalize("src/routes", "../../../x"), None);
        assert_eq!(normalize("src", "axios"), None);
    }

    #[test]
    fn health_routes_under_any_prefix() {
        for r in [
            "/health",
            "/api/v1/healthz",
            "GET /readyz",
            "/_health/",
            "/ping",
        ] {
            assert!(is_health_route(r), "{r}");
        }
        for r in ["/", "/orders", "/healthy-recipes", "/api/users/:id"] {
            assert!(!is_health_route(r), "{r}");
        }
    }

    #[test]
    fn a_retry_helper_calls_the_function_it_is_given() {
        let js = extract(
            "src/retry.js",
            Lang::JavaScript,
            false,
            "const axios = require('axios');\nasync function withRetry(op, { tries = 4 } = {}) {\n  let attempt = 0;\n  for (;;) {\n    try {\n      return await op();\n    } catch (e) {\n      if (attempt >= tries) throw e;\n      await sleep(200 * 2 ** attempt);\n      attempt++;\n    }\n  }\n}\n",
        );
        assert_eq!(js.retries.len(), 1, "{:?}", js.retries);
        let r = &js.retries[0];
        assert_eq!(r.location.line, 4);
        assert_eq!(
            (r.backoff, r.jitter, r.bounded),
            (Backoff::Exponential, false, true)
        );
        assert_eq!(r.through, None);
        let py = extract(
            "app/retry.py",
            Lang::Python,
            false,
            "import requests\n\ndef retrying(call, attempts=3):\n    for attempt in range(attempts):\n        try:\n            return call()\n        except Exception:\n            continue\n",
        );
        assert_eq!(py.retries.len(), 1, "{:?}", py.retries);
        assert_eq!(py.retries[0].backoff, Backoff::None);
        // A visitor called once per item, failures logged: no retry.
        let walk = extract(
            "src/each.js",
            Lang::JavaScript,
            false,
            "const axios = require('axios');\nfunction each(items, visit) {\n  for (let i = 0; i < n; i++) {\n    try { visit(items[i]) } catch (e) { log(e) }\n  }\n}\n",
        );
        assert!(walk.retries.is_empty(), "{:?}", walk.retries);
    }

    #[test]
    fn a_retry_through_a_project_function_waits_for_its_outbound_call() {
        let f = extract(
            "src/hooks.js",
            Lang::JavaScript,
            false,
            "import { post } from './net';\nconst axios = require('axios');\nasync function deliver(u) {\n  let attempt = 0;\n  while (attempt < 3) {\n    try { return await post(u) } catch (e) { attempt++ }\n  }\n}\n",
        );
        assert_eq!(f.retries.len(), 1, "{:?}", f.retries);
        assert_eq!(f.retries[0].through, Some((5, 7)));
    }

    #[test]
    fn loop_wait_classification() {
        assert_eq!(
            classify_loop_wait("try { x() } catch {}"),
            (Backoff::None, false)
        );
        assert_eq!(
            classify_loop_wait("time.sleep(1)"),
            (Backoff::Constant, false)
        );
        assert_eq!(
            classify_loop_wait("time.Sleep(time.Duration(1<<attempt) * base)"),
            (Backoff::Exponential, false)
        );
        assert_eq!(
            classify_loop_wait("await sleep(2 ** i * 100 + Math.random() * 50)"),
            (Backoff::Exponential, true)
        );
        assert_eq!(
            classify_loop_wait("await timer(5000);\nreturn this.fetch(url, n + 1)"),
            (Backoff::Constant, false)
        );
        // rxjs's `timer(…)` builds an Observable: not awaited, no wait.
        assert_eq!(
            classify_loop_wait("return timer(5000).pipe(map(() => fetch(url)))"),
            (Backoff::None, false)
        );
    }

    #[test]
    fn a_file_outside_the_service_by_its_path_is_not_read_for_code() {
        // A vendored browser bundle that calls out, and one that the parser
        // would reject: neither is read, so neither costs a parse.
        let calls =
            "const axios = require('axios');\nasync function f() { await axios.get(url); }\n";
        let broken =
            "const axios = require('axios');\nconst re = /[/;\nfunction f( { axios.get(url) \n";
        for path in [
            "cps/static/js/libs/pdf.js",
            "scripts/seed.js",
            "vendor/lib/http.py",
        ] {
            let lang = if path.ends_with(".py") {
                Lang::Python
            } else {
                Lang::JavaScript
            };
            let text = if lang == Lang::Python {
                "import requests\nrequests.get(url)\n"
            } else {
                calls
            };
            let f = extract(path, lang, false, text);
            assert!(f.outbound.is_empty(), "{path}: {:?}", f.outbound);
            assert!(f.client_defaults.is_empty() && f.routes.is_empty());
            assert!(
                extract(path, lang, false, broken).unparsed.is_none(),
                "{path}"
            );
        }
        // The same code where the service runs it is read.
        assert_eq!(
            extract("cps/api.js", Lang::JavaScript, false, calls)
                .outbound
                .len(),
            1
        );
        assert_eq!(
            extract(
                "cps/api.py",
                Lang::Python,
                false,
                "import requests\nrequests.get(url)\n"
            )
            .outbound
            .len(),
            1
        );
        assert!(
            extract("cps/api.js", Lang::JavaScript, false, broken)
                .unparsed
                .is_some()
        );
        // Rust still is: its test markers count wherever the file sits.
        let rs = extract(
            "examples/demo.rs",
            Lang::Rust,
            false,
            "#[test]\nfn t() {}\n",
        );
        assert_eq!(rs.tests.len(), 1);
    }
}
