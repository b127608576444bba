//! Python: Flask/FastAPI/Starlette/Django routes, requests/httpx/aiohttp/urllib
//! call sites, tenacity/backoff/urllib3 retries and loops, OTel providers.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    Backoff, CodeFacts, HttpRoute, OtelInit, OutboundCall, RetrySite, Source, TestMarker,
    TimeoutState,
};

fn re(p: &str) -> Regex {
    crate::facts::pattern::regex(p)
}

static DECORATOR_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?m)^[ \t]*@(?P<recv>\w+)\.(?P<method>get|post|put|patch|delete|head|options|route|api_route|websocket)\(\s*(?:path\s*=\s*)?[rf]?['"](?P<path>[^'"]*)['"]"#,
    )
});
static ROUTER_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?P<name>\w+)\s*=\s*(?:APIRouter|Blueprint)\((?P<args>[^)]*)\)"#));
static PREFIX_ARG: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:url_)?prefix\s*=\s*['"](?P<p>[^'"]*)['"]"#));
static DJANGO_PATH: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\b(?:re_)?path\(\s*r?['"]\^?(?P<path>[^'"$]*)\$?['"]"#));
static STARLETTE_ROUTE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\bRoute\(\s*['"](?P<path>/[^'"]*)['"]"#));
/// A client library's module-level helpers: `requests.get(…)`,
/// `httpx.stream(…)`, and aiohttp's one-shot `aiohttp.request(…)`, which
/// opens a `ClientSession` of its own with the session's defaults.
static MODULE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<module>requests|httpx)\.(?P<method>get|post|put|patch|delete|head|options|request|stream)\(|\b(?P<amodule>aiohttp)\.(?P<amethod>request)\(",
    )
});
static CLIENT_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<name>[\w.]+)[ \t]*(?::[ \t]*[\w.\[\]| \t]+)?=\s*(?P<ctor>requests\.Session|requests\.session|httpx\.AsyncClient|httpx\.Client|aiohttp\.ClientSession)\(",
    )
});
static CLIENT_WITH: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?P<ctor>requests\.Session|httpx\.AsyncClient|httpx\.Client|aiohttp\.ClientSession)\(")
});
static INSTANCE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<recv>[\w.]+)\.(?P<method>get|post|put|patch|delete|head|options|request|stream|send)\(",
    )
});
/// urllib3's `Retry` under the names requests re-exports:
/// `from requests.adapters import HTTPAdapter, Retry` (requests imports it
/// into that module), `requests.adapters.Retry(…)`, and the vendored alias
/// `requests.packages.urllib3` (which holds "urllib3" already).
static RETRY_VIA_REQUESTS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t]*from[ \t]+requests\.adapters[ \t]+import[ \t]+(?:\([^)]*\bRetry\b[^)]*\)|[^\n]*\bRetry\b)|\brequests\.adapters\.Retry\(",
    )
});
static URLOPEN: LazyLock<Regex> = LazyLock::new(|| re(r"\burlopen\("));
static LOOP_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*(?:for\s+\w+\s+in\s+(?P<iter>[^:\n]+)|while\s+(?P<cond>[^:\n]+)):")
});
static TEST_DEF: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^[ \t]*(?:async\s+)?def\s+test_\w*\(|^class\s+\w+\(.*TestCase\)"));

#[derive(Clone, Copy)]
struct Client {
    ctor: &'static str,
    timeout: TimeoutState3,
}

#[derive(Clone, Copy, PartialEq)]
enum TimeoutState3 {
    Set,
    Default,
    Disabled,
}

pub fn extract(src: &Source, is_test: bool, facts: &mut CodeFacts) {
    let code = &src.code;
    if is_test {
        // conftest.py holds fixtures, which pytest never collects as tests.
        if src.path.ends_with("conftest.py") {
            return;
        }
        for m in TEST_DEF.find_iter(code) {
            let off = m.start() + m.as_str().len() - m.as_str().trim_start().len();
            facts.tests.push(TestMarker {
                location: src.loc(off),
                framework: "pytest",
            });
        }
        return;
    }
    routes(src, facts);
    outbound(src, facts);
    retries(src, facts);
    if code.contains("set_tracer_provider(") || code.contains("configure_azure_monitor(") {
        let i = code
            .find("set_tracer_provider(")
            .or_else(|| code.find("configure_azure_monitor("))
            .unwrap();
        facts.otel_inits.push(OtelInit {
            location: src.loc(i),
            how: "TracerProvider set as global",
        });
    }
}

fn routes(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    let framework = if code.contains("fastapi") || code.contains("APIRouter") {
        "fastapi"
    } else if code.contains("flask") || code.contains("Blueprint") {
        "flask"
    } else if code.contains("starlette") {
        "starlette"
    } else if code.contains("django") {
        "django"
    } else {
        return;
    };
    let prefixes: HashMap<String, String> = ROUTER_PREFIX
        .captures_iter(code)
        .filter_map(|c| {
            let p = PREFIX_ARG.captures(&c["args"])?;
            Some((c["name"].to_string(), p["p"].to_string()))
        })
        .collect();
    for c in src.captures(&DECORATOR_ROUTE) {
        let prefix = prefixes.get(&c["recv"]).map_or("", String::as_str);
        let method = &c["method"];
        facts.routes.push(HttpRoute {
            location: src
                .loc(c.get(0).unwrap().start() + c.get(0).unwrap().as_str().find('@').unwrap_or(0)),
            framework,
            method: (!matches!(method, "route" | "api_route")).then(|| method.to_ascii_uppercase()),
            route: format!("{prefix}{}", &c["path"]),
        });
    }
    if framework == "django" && src.path.ends_with("urls.py") {
        for c in src.captures(&DJANGO_PATH) {
            facts.routes.push(HttpRoute {
                location: src.loc(c.get(0).unwrap().start()),
                framework,
                method: None,
                route: format!("/{}", &c["path"]),
            });
        }
    }
    for c in src.captures(&STARLETTE_ROUTE) {
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method: None,
            route: c["path"].to_string(),
        });
    }
}

/// Reads a `timeout=` keyword argument.
fn timeout_kw(args: &str) -> Option<TimeoutState3> {
    let i = args.find("timeout")?;
    let before = args[..i].chars().last();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let rest = args[i + "timeout".len()..].trim_start();
    let value = rest.strip_prefix('=')?.trim_start();
    if value.starts_with("None") {
        Some(TimeoutState3::Disabled)
    } else {
        Some(TimeoutState3::Set)
    }
}

/// The file's HTTP clients by the name they are bound to (`session`,
/// `self._http`, a `with … as s:` target), and the clients kept as class
/// attributes ([`ClassClients`]).
fn clients(src: &Source) -> (HashMap<String, Client>, ClassClients) {
    let code = &src.code;
    let mut out = HashMap::new();
    let mut members: Vec<(usize, String, Client)> = Vec::new();
    for c in src.captures(&CLIENT_ASSIGN) {
        let args = src.inside(c.get(0).unwrap().end() - 1);
        let client = Client {
            ctor: ctor_name(&c["ctor"]),
            timeout: timeout_kw(args).unwrap_or(TimeoutState3::Default),
        };
        let name = c.name("name").unwrap();
        out.insert(name.as_str().to_string(), client);
        members.push((name.start(), name.as_str().to_string(), client));
    }
    // `from requests import Session` then `self.session = Session()`: the
    // class imported bare is the same client.
    for (local, ctor) in bare_client_imports(code) {
        let Some(assign) = crate::facts::pattern::try_regex(&format!(
            r"(?P<name>[\w.]+)[ \t]*(?::[ \t]*[\w.\[\]| \t]+)?=\s*{}\(",
            regex::escape(&local)
        )) else {
            continue;
        };
        for c in src.captures(&assign) {
            let m = c.get(0).unwrap();
            // `requests.Session(` was read above; `x = mySession(` is not it.
            let head = &code[..m.end() - 1 - local.len()];
            if head.ends_with(|ch: char| ch.is_alphanumeric() || ch == '_' || ch == '.') {
                continue;
            }
            let client = Client {
                ctor: ctor_name(ctor),
                timeout: timeout_kw(src.inside(m.end() - 1)).unwrap_or(TimeoutState3::Default),
            };
            let name = c.name("name").unwrap();
            out.insert(name.as_str().to_string(), client);
            members.push((name.start(), name.as_str().to_string(), client));
        }
    }
    // `with httpx.Client(...) as client:` / `async with aiohttp.ClientSession() as s:`
    for c in src.captures(&CLIENT_WITH) {
        let open = c.get(0).unwrap().end() - 1;
        let Some(close) = src.matching(open) else {
            continue;
        };
        if let Some(name) = with_target(&code[close + 1..]) {
            let timeout = timeout_kw(&code[open + 1..close]).unwrap_or(TimeoutState3::Default);
            out.insert(
                name,
                Client {
                    ctor: ctor_name(&c["ctor"]),
                    timeout,
                },
            );
        }
    }
    let classes = ClassClients::new(src, &members);
    // `with self.session as session:` hands a kept client to a local name.
    if !classes.attrs.is_empty() {
        for c in src.captures(&WITH_ALIAS) {
            let recv = c.name("recv").unwrap();
            let found = classes
                .lookup(&recv.as_str().replace(' ', ""), recv.start())
                .or_else(|| out.get(recv.as_str()).copied());
            if let Some(client) = found {
                out.entry(c["name"].to_string()).or_insert(client);
            }
        }
    }
    (out, classes)
}

static FROM_CLIENT_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t]*from[ \t]+(?P<module>requests|httpx|aiohttp)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n]*)",
    )
});

/// Client classes imported by name from their module (`from requests import
/// Session`, `from httpx import AsyncClient as Http`): the local name and
/// the constructor it stands for.
fn bare_client_imports(code: &str) -> Vec<(String, &'static str)> {
    if !code.contains("import") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in FROM_CLIENT_IMPORT.captures_iter(code) {
        let names =
            c["names"].trim_matches(|ch: char| ch == '(' || ch == ')' || ch.is_whitespace());
        for item in names.split(',') {
            let mut words = item.split_whitespace();
            let Some(class) = words.next() else {
                continue;
            };
            let local = match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => alias,
                _ => class,
            };
            let ctor = match (&c["module"], class) {
                ("requests", "Session") => "requests.Session",
                ("httpx", "Client") => "httpx.Client",
                ("httpx", "AsyncClient") => "httpx.AsyncClient",
                ("aiohttp", "ClientSession") => "aiohttp.ClientSession",
                _ => continue,
            };
            out.push((local.to_string(), ctor));
        }
    }
    out
}

/// The name bound by ` as NAME:` after a `with` item.
fn with_target(after: &str) -> Option<String> {
    let rest = after.trim_start().strip_prefix("as ")?;
    let name: String = rest
        .trim_start()
        .chars()
        .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

static WITH_ALIAS: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bwith\s+(?P<recv>[\w.]+)\s+as\s+(?P<name>\w+)\s*:"));
static CLASS_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*class[ \t]+(?P<name>\w+)[ \t]*(?:\((?P<bases>[^)]*)\))?[ \t]*:")
});

/// A class of the file: its name, the classes it names as bases, its body
/// and the indentation of the statements directly in that body.
pub(super) struct Class {
    pub name: String,
    pub bases: Vec<String>,
    pub body: (usize, usize),
    pub level: usize,
}

/// The classes the file defines, in order.
pub(super) fn classes(src: &Source) -> Vec<Class> {
    let code = &src.code;
    src.captures(&CLASS_HEAD)
        .map(|c| {
            let m = c.get(0).unwrap();
            let body = src.indented_block(m.start());
            let level = code[body.0..body.1]
                .lines()
                .find(|l| !l.trim().is_empty())
                .map_or(usize::MAX, |l| l.len() - l.trim_start().len());
            Class {
                name: c["name"].to_string(),
                bases: c.name("bases").map_or_else(Vec::new, |b| {
                    b.as_str()
                        .split(',')
                        .map(|b| b.trim().rsplit('.').next().unwrap_or("").to_string())
                        .filter(|b| !b.is_empty())
                        .collect()
                }),
                body,
                level,
            }
        })
        .collect()
}

/// Clients kept on a class. Metadata providers, API wrappers and scrapers
/// often build one session for the class (`session = requests.Session()`
/// in the class body, `self.session = …` in `__init__`, `cls.session` in a
/// class method) and call it from every method as `self.session.get(…)`;
/// the call is judged by that construction, looked up in the class around
/// the call, then its bases defined in the same file.
struct ClassClients {
    classes: Vec<Class>,
    attrs: HashMap<(String, String), Client>,
}

impl ClassClients {
    fn new(src: &Source, members: &[(usize, String, Client)]) -> Self {
        let mut out = ClassClients {
            classes: Vec::new(),
            attrs: HashMap::new(),
        };
        if members.is_empty() || !src.code.contains("class") {
            return out;
        }
        let code = &src.code;
        out.classes = classes(src);
        if out.classes.is_empty() {
            return out;
        }
        for (at, name, client) in members {
            let key = match name.split_once('.') {
                // `session = requests.Session()` directly in a class body.
                None => {
                    let line_start = code[..*at].rfind('\n').map_or(0, |i| i + 1);
                    let indent = at - line_start;
                    match out.innermost(*at) {
                        Some(class)
                            if class.level == indent && code[line_start..*at].trim().is_empty() =>
                        {
                            (class.name.clone(), name.clone())
                        }
                        _ => continue,
                    }
                }
                Some((owner, attr)) if !attr.contains('.') => {
                    let Some(class) = out.owner(owner, *at) else {
                        continue;
                    };
                    (class.to_string(), attr.to_string())
                }
                Some(_) => continue,
            };
            out.attrs.insert(key, *client);
        }
        out
    }

    /// The innermost class whose body holds `at`.
    fn innermost(&self, at: usize) -> Option<&Class> {
        self.classes
            .iter()
            .filter(|c| (c.body.0..c.body.1).contains(&at))
            .min_by_key(|c| c.body.1 - c.body.0)
    }

    /// The class `self.`/`cls.` refer to at `at`, or a class of this file
    /// named directly (`Douban.session`).
    fn owner(&self, owner: &str, at: usize) -> Option<&str> {
        if owner == "self" || owner == "cls" {
            self.innermost(at).map(|c| c.name.as_str())
        } else {
            self.classes
                .iter()
                .find(|c| c.name == owner)
                .map(|c| c.name.as_str())
        }
    }

    /// The client a receiver such as `self.session` names at `at`.
    fn lookup(&self, recv: &str, at: usize) -> Option<Client> {
        if self.attrs.is_empty() {
            return None;
        }
        let (owner, attr) = recv.split_once('.')?;
        if attr.contains('.') {
            return None;
        }
        let mut class = self.owner(owner, at)?.to_string();
        // A subclass defined in this file uses its base's session.
        for _ in 0..8 {
            if let Some(c) = self.attrs.get(&(class.clone(), attr.to_string())) {
                return Some(*c);
            }
            class = self
                .classes
                .iter()
                .find(|c| c.name == class)?
                .bases
                .iter()
                .find(|b| self.classes.iter().any(|c| c.name == **b))?
                .clone();
        }
        None
    }
}

fn ctor_name(ctor: &str) -> &'static str {
    match ctor {
        "httpx.AsyncClient" | "httpx.Client" => "httpx",
        "aiohttp.ClientSession" => "aiohttp",
        _ => "requests",
    }
}

fn outbound(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    let has_requests = code.contains("requests");
    let has_httpx = code.contains("httpx");
    let has_aiohttp = code.contains("aiohttp");
    if !(has_requests || has_httpx || has_aiohttp || code.contains("urlopen")) {
        return;
    }
    let mut bound: Vec<(&str, bool)> = Vec::new();
    for c in src.captures(&MODULE_CALL) {
        let (name, module, method) = match c.name("module") {
            Some(m) => (m, client_of(m.as_str()), &c["method"]),
            None => (c.name("amodule").unwrap(), "aiohttp", &c["amethod"]),
        };
        // `self.requests.put(conn)` is an attribute (a queue), and
        // `requests.get()` a module call only where the file imports it.
        if name.start() > 0 && code.as_bytes()[name.start() - 1] == b'.' {
            continue;
        }
        let imported = match bound.iter().find(|(m, _)| *m == name.as_str()) {
            Some(&(_, yes)) => yes,
            None => {
                let yes = binds_module(code, name.as_str());
                bound.push((name.as_str(), yes));
                yes
            }
        };
        if !imported {
            continue;
        }
        let open = c.get(0).unwrap().end() - 1;
        push_module_call(src, open, module, &format!("{module}.{method}"), facts);
    }
    // The same helpers imported by name (`from aiohttp import request`,
    // `from requests import get as http_get`) and called bare.
    for (local, module) in bare_module_functions(code) {
        for open in bare_calls(src, &local) {
            push_module_call(src, open, module, &local, facts);
        }
    }
    let (clients, classes) = clients(src);
    if !clients.is_empty() {
        for c in src.captures(&INSTANCE_CALL) {
            let recv = &c["recv"];
            let Some(client) = classes
                .lookup(recv, c.get(0).unwrap().start())
                .or_else(|| clients.get(recv).copied())
            else {
                continue;
            };
            let open = c.get(0).unwrap().end() - 1;
            let args = src.inside(open);
            let name = format!("{recv}.{}", &c["method"]);
            let (timeout, note) = match (timeout_kw(args), client.timeout, client.ctor) {
                (Some(TimeoutState3::Set), _, _) => {
                    (TimeoutState::Explicit, format!("{name} with timeout="))
                }
                (Some(TimeoutState3::Disabled), _, _) => {
                    (TimeoutState::Disabled, format!("{name} with timeout=None"))
                }
                (Some(TimeoutState3::Default), _, _) => {
                    unreachable!("timeout_kw never reads a default")
                }
                (None, TimeoutState3::Set, _) => (
                    TimeoutState::Explicit,
                    format!("{name} through a client configured with a timeout"),
                ),
                (None, TimeoutState3::Disabled, _) => (
                    TimeoutState::Disabled,
                    format!("{name} through a client created with timeout=None"),
                ),
                (None, TimeoutState3::Default, "httpx") => (
                    TimeoutState::ClientDefault("httpx default: 5 s"),
                    format!("{name}, httpx's default 5 s timeout applies"),
                ),
                (None, TimeoutState3::Default, "aiohttp") => (
                    TimeoutState::TooLong("300 s total"),
                    format!("{name}, aiohttp's default total timeout is 5 minutes"),
                ),
                (None, TimeoutState3::Default, _) => (
                    TimeoutState::Missing,
                    format!("{name}, no timeout: a requests Session has none by default"),
                ),
            };
            facts.outbound.push(OutboundCall {
                location: src.loc(open),
                client: client.ctor,
                timeout,
                note,
            });
        }
    }
    if code.contains("getattr(") {
        dynamic_methods(src, &clients, &classes, facts);
    }
    for m in src.matches(&URLOPEN) {
        let open = m.end() - 1;
        let args = src.inside(open);
        // urlopen(url, data=None, timeout=…): positional third argument counts too.
        let bounded = timeout_kw(args) == Some(TimeoutState3::Set) || args.split(',').count() >= 3;
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "urllib",
            timeout: if bounded {
                TimeoutState::Explicit
            } else {
                TimeoutState::Missing
            },
            note: if bounded {
                "urlopen with a timeout".into()
            } else {
                "urlopen, no timeout: uses the global socket default (none)".into()
            },
        });
    }
    facts.outbound.sort_by_key(|c| c.location.line);
}

/// One call of a client library's module-level helper (`requests.post`,
/// `httpx.get`, `aiohttp.request`, or the same imported by name), judged
/// by its own `timeout=` and otherwise by the library's default: requests
/// has none, httpx 5 s, and aiohttp's one-shot session 300 s in total.
fn push_module_call(
    src: &Source,
    open: usize,
    client: &'static str,
    name: &str,
    facts: &mut CodeFacts,
) {
    let (timeout, note) = match (timeout_kw(src.inside(open)), client) {
        (Some(TimeoutState3::Set), _) => (TimeoutState::Explicit, format!("{name} with timeout=")),
        (Some(TimeoutState3::Disabled), _) => {
            (TimeoutState::Disabled, format!("{name} with timeout=None"))
        }
        (_, "httpx") => (
            TimeoutState::ClientDefault("httpx default: 5 s"),
            format!("{name}, httpx's default 5 s timeout applies"),
        ),
        (_, "aiohttp") => (
            TimeoutState::TooLong("300 s total"),
            format!("{name}, aiohttp's default total timeout is 5 minutes"),
        ),
        _ => (
            TimeoutState::Missing,
            format!("{name}, no timeout: requests waits forever by default"),
        ),
    };
    facts.outbound.push(OutboundCall {
        location: src.loc(open),
        client,
        timeout,
        note,
    });
}

fn client_of(module: &str) -> &'static str {
    match module {
        "httpx" => "httpx",
        "aiohttp" => "aiohttp",
        _ => "requests",
    }
}

/// Whether an import line of the file names `module` as a word (`import
/// requests`, `import os, httpx`, `from pip._vendor import requests`).
fn binds_module(code: &str, module: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    code.lines().any(|l| {
        let t = l.trim_start();
        (t.starts_with("import ") || t.starts_with("from "))
            && t.match_indices(module).any(|(i, _)| {
                let b = t.as_bytes();
                (i == 0 || !word(b[i - 1])) && b.get(i + module.len()).is_none_or(|&c| !word(c))
            })
    })
}

/// Module-level helpers imported by name from their library: the local
/// name and the library (`from aiohttp import request` →
/// (`request`, aiohttp); `from httpx import get as fetch` → (`fetch`,
/// httpx)). aiohttp's only module-level helper is `request`.
fn bare_module_functions(code: &str) -> Vec<(String, &'static str)> {
    if !code.contains("import") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for c in FROM_CLIENT_IMPORT.captures_iter(code) {
        let module = client_of(&c["module"]);
        for (name, local) in imported_names(&c["names"]) {
            let helper = match module {
                "aiohttp" => name == "request",
                "httpx" => MODULE_METHODS.contains(&name) || name == "stream",
                _ => MODULE_METHODS.contains(&name),
            };
            if helper {
                out.push((local.to_string(), module));
            }
        }
    }
    out
}

const MODULE_METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// The names of a `from M import …` list: (imported name, local name).
fn imported_names(names: &str) -> Vec<(&str, &str)> {
    names
        .trim_matches(|ch: char| ch == '(' || ch == ')' || ch.is_whitespace())
        .split(',')
        .filter_map(|item| {
            let mut words = item.split_whitespace();
            let name = words.next()?;
            let local = match (words.next(), words.next()) {
                (Some("as"), Some(alias)) => alias,
                _ => name,
            };
            Some((name, local))
        })
        .collect()
}

/// The opening brackets of calls of a bare name in code: `name(`, not
/// `x.name(`, `other_name(` nor its `def name(`.
fn bare_calls(src: &Source, name: &str) -> Vec<usize> {
    let code = &src.code;
    let bytes = code.as_bytes();
    code.match_indices(name)
        .filter(|&(at, _)| {
            let before = at.checked_sub(1).map(|i| bytes[i]);
            !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                && code[at + name.len()..].starts_with('(')
                && !code[..at].trim_end_matches([' ', '\t']).ends_with("def")
                && src.is_code(at)
        })
        .map(|(at, _)| at + name.len())
        .collect()
}

static GETATTR: LazyLock<Regex> = LazyLock::new(|| re(r"\bgetattr\([ \t]*(?P<recv>[\w.]+)[ \t]*,"));

/// The HTTP method chosen at run time: `getattr(requests, method.lower())`
/// called at once or bound to a local first (`request_method =
/// getattr(requests, method)` … `request_method(url, **kwargs)`), on the
/// requests or httpx module or on a client of the file (`self.session`).
/// A generic helper does this to take the verb as a string; the call is
/// that client's call, judged like `requests.get`. A string literal that
/// names no HTTP method (`getattr(requests, "codes")`) is an attribute read.
fn dynamic_methods(
    src: &Source,
    clients: &HashMap<String, Client>,
    classes: &ClassClients,
    facts: &mut CodeFacts,
) {
    let code = &src.code;
    let module = |ctor: &'static str| Client {
        ctor,
        timeout: TimeoutState3::Default,
    };
    for c in src.captures(&GETATTR) {
        let whole = c.get(0).unwrap();
        let recv = &c["recv"];
        let client = match recv {
            "requests" => module("requests"),
            "httpx" => module("httpx"),
            _ => match classes
                .lookup(recv, whole.start())
                .or_else(|| clients.get(recv).copied())
            {
                Some(client) => client,
                None => continue,
            },
        };
        let open = whole.start() + "getattr".len();
        let Some(close) = src.matching(open) else {
            continue;
        };
        let attr = code[whole.end()..close].trim();
        if attr.starts_with(['\'', '"']) {
            let name = attr.trim_matches(['\'', '"']);
            if !super::clients::METHODS.contains(&name) && name != "options" {
                continue;
            }
        }
        let what = format!("{recv}.<{attr}> (a method chosen by getattr)");
        let after = &code[close + 1..];
        if after.starts_with('(') {
            push_dynamic(src, close + 1, &what, client, facts);
            continue;
        }
        // `request_method = getattr(requests, method)`: its calls in the same
        // function (or module body) after the binding.
        let line_start = code[..whole.start()].rfind('\n').map_or(0, |i| i + 1);
        let Some(var) = code[line_start..whole.start()]
            .trim_end()
            .strip_suffix('=')
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.chars().all(|ch| ch.is_alphanumeric() || ch == '_'))
        else {
            continue;
        };
        let fns = src.functions();
        // Its calls follow it within a few lines; the window keeps a file
        // of many bindings from costing a pass over the rest of it each.
        let mut end = super::shapes::innermost_function(fns, whole.start())
            .map_or(code.len(), |(_, _, e)| *e)
            .min(close + 8_192);
        while !code.is_char_boundary(end) {
            end -= 1;
        }
        let bytes = code.as_bytes();
        // A handful of calls per binding; a file that calls it more is
        // still judged at the first ones.
        let calls = code[close..end]
            .match_indices(var)
            .map(|(i, _)| close + i)
            .filter(|&at| {
                let before = at.checked_sub(1).map(|i| bytes[i]);
                !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                    && code[at + var.len()..].starts_with('(')
                    && src.is_code(at)
            })
            .take(16)
            .collect::<Vec<_>>();
        for at in calls {
            push_dynamic(src, at + var.len(), &what, client, facts);
        }
    }
}

fn push_dynamic(src: &Source, open: usize, what: &str, client: Client, facts: &mut CodeFacts) {
    let args = src.inside(open);
    let (timeout, note) = match (timeout_kw(args), client.timeout, client.ctor) {
        (Some(TimeoutState3::Set), _, _) | (None, TimeoutState3::Set, _) => {
            (TimeoutState::Explicit, format!("{what} with a timeout"))
        }
        (Some(TimeoutState3::Disabled), _, _) | (None, TimeoutState3::Disabled, _) => (
            TimeoutState::Disabled,
            format!("{what} with its timeout switched off"),
        ),
        (_, _, "httpx") => (
            TimeoutState::ClientDefault("httpx default: 5 s"),
            format!("{what}, httpx's default 5 s timeout applies"),
        ),
        (_, _, "aiohttp") => (
            TimeoutState::TooLong("300 s total"),
            format!("{what}, aiohttp's default total timeout is 5 minutes"),
        ),
        _ => (
            TimeoutState::Missing,
            format!("{what}, no timeout: requests waits forever by default"),
        ),
    };
    facts.outbound.push(OutboundCall {
        location: src.loc(open),
        client: client.ctor,
        timeout,
        note,
    });
}

fn retries(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    super::temporal::py_policies(src, facts);
    if code.contains("tenacity") || code.contains("@retry") {
        for (i, _) in src.find_all("retry(").map(|i| (i, ())) {
            let head = &code[..i];
            if !(head.ends_with('@') || head.ends_with("tenacity.") || head.ends_with("Retrying")) {
                continue;
            }
            let args = src.inside(i + "retry".len());
            let exponential =
                args.contains("wait_exponential") || args.contains("wait_random_exponential");
            let jitter = args.contains("jitter") || args.contains("wait_random");
            let backoff = if exponential {
                Backoff::Exponential
            } else if args.contains("wait_") {
                Backoff::Constant
            } else {
                Backoff::None
            };
            facts.retries.push(RetrySite {
                location: src.loc(i.saturating_sub(1)),
                mechanism: "tenacity",
                backoff,
                jitter,
                // tenacity retries forever unless told to stop.
                bounded: args.contains("stop"),
                through: None,
            });
        }
    }
    if code.contains("backoff.on_exception") {
        for (i, _) in src.find_all("backoff.on_exception(").map(|i| (i, ())) {
            let args = src.inside(i + "backoff.on_exception".len());
            let constant = args.contains("backoff.constant");
            facts.retries.push(RetrySite {
                location: src.loc(i),
                mechanism: "backoff",
                backoff: if constant {
                    Backoff::Constant
                } else {
                    Backoff::Exponential
                },
                // backoff applies full jitter by default unless jitter=None.
                jitter: !args.contains("jitter=None"),
                bounded: args.contains("max_tries") || args.contains("max_time"),
                through: None,
            });
        }
    }
    if code.contains("Retry(") && (code.contains("urllib3") || RETRY_VIA_REQUESTS.is_match(code)) {
        for (i, _) in src.find_all("Retry(").map(|i| (i, ())) {
            let args = src.inside(i + "Retry".len());
            let factor = args.contains("backoff_factor");
            facts.retries.push(RetrySite {
                location: src.loc(i),
                mechanism: "urllib3 Retry",
                backoff: if factor {
                    Backoff::Exponential
                } else {
                    Backoff::None
                },
                jitter: args.contains("backoff_jitter"),
                bounded: !args.contains("total=None"),
                through: None,
            });
        }
    }
    // Hand-written loops around outbound calls.
    super::retry_loops(
        src,
        facts,
        &[
            "requests.",
            "httpx.",
            ".get(",
            ".post(",
            ".request(",
            "urlopen(",
        ],
    );
}

/// Loop heads as (start, body start, body end, bounded by a range or a comparison).
pub(super) fn loop_heads(src: &Source) -> Vec<super::LoopHead> {
    LOOP_HEAD
        .captures_iter(&src.code)
        .map(|c| {
            let m = c.get(0).unwrap();
            let start = m.start() + m.as_str().len() - m.as_str().trim_start().len();
            let (s, e) = src.indented_block(start);
            let bounded = c
                .name("iter")
                .is_some_and(|it| it.as_str().contains("range("))
                || c.name("cond")
                    .is_some_and(|cond| cond.as_str().contains(['<', '>']));
            // `for x in items`, `for i in range(0, len(targets), n)` and
            // `while len(queue)` walk a collection: batches, not attempts.
            let iterates = c
                .name("iter")
                .is_some_and(|it| !it.as_str().contains("range(") || it.as_str().contains("len("))
                || c.name("cond").is_some_and(|cond| {
                    let cond = cond.as_str().trim();
                    // `while targets:` draining a list with `targets.pop(0)`.
                    cond.contains("len(")
                        || cond.chars().all(|ch| ch.is_alphanumeric() || ch == '_')
                            && !matches!(cond, "True" | "1")
                            && src.code.contains(&format!("{cond}.pop("))
                });
            super::LoopHead {
                start,
                body: (s, e),
                bounded: bounded || iterates,
                iterates,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{Backoff, TimeoutState, extract};
    use crate::inventory::Lang;

    fn py(text: &str) -> crate::facts::code::CodeFacts {
        extract("app/main.py", Lang::Python, false, text)
    }

    #[test]
    fn fastapi_router_prefix() {
        let f = py(
            "from fastapi import APIRouter, FastAPI\napp = FastAPI()\nrouter = APIRouter(prefix=\"/ops\")\n\n@router.get(\"/healthz\")\ndef h(): ...\n@app.get('/')\ndef root(): ...\n",
        );
        assert_eq!(f.routes[0].route, "/ops/healthz");
        assert_eq!(f.routes[0].location.line, 5);
        assert!(f.routes[0].is_health());
        assert!(!f.routes[1].is_health());
    }

    #[test]
    fn httpx_defaults_and_none() {
        let f = py(
            "import httpx\nhttpx.get(u)\nc = httpx.Client(timeout=None)\nc.get(u)\nasync with httpx.AsyncClient(timeout=3) as s:\n    await s.post(u)\n",
        );
        let t: Vec<_> = f.outbound.iter().map(|c| c.timeout.clone()).collect();
        assert_eq!(
            t,
            vec![
                TimeoutState::ClientDefault("httpx default: 5 s"),
                TimeoutState::Disabled,
                TimeoutState::Explicit
            ]
        );
    }

    #[test]
    fn requests_needs_timeout() {
        let f = py("import requests\nrequests.get(u, timeout=5)\nrequests.post(u, json=p)\n");
        assert!(f.outbound[0].timeout.is_bounded());
        assert_eq!(f.outbound[1].timeout, TimeoutState::Missing);
    }

    #[test]
    fn module_calls_need_the_module_imported_and_not_an_attribute() {
        // A queue kept in an attribute named `requests`, and a local
        // `requests` list in a file that never imports the library.
        let f = py(
            "import queue\n\nclass Server:\n    def __init__(self):\n        self.requests = queue.Queue()\n\n    def put(self, conn):\n        self.requests.put(conn)\n        return self.server.requests.get()\n",
        );
        assert!(f.outbound.is_empty(), "{:?}", f.outbound);
        let f = py("def pending(requests):\n    return requests.get(0)\n");
        assert!(f.outbound.is_empty(), "{:?}", f.outbound);
        // Imported among others, or from a vendoring package: the library.
        for head in ["import os, requests", "from pip._vendor import requests"] {
            let f = py(&format!(
                "{head}\n\ndef f(u):\n    return requests.get(u)\n"
            ));
            assert_eq!(f.outbound.len(), 1, "{head}");
            assert!(!f.outbound[0].timeout.is_bounded());
        }
    }

    #[test]
    fn batch_loops_are_not_retries() {
        let f = py(
            "import requests\nfor url in urls:\n    try:\n        requests.get(url, timeout=3)\n    except Exception:\n        log(url)\nfor attempt in range(3):\n    try:\n        return requests.get(u, timeout=3)\n    except Exception:\n        time.sleep(2 ** attempt)\n",
        );
        assert_eq!(f.retries.len(), 1);
        assert_eq!(f.retries[0].location.line, 7);
        assert_eq!(f.retries[0].backoff, Backoff::Exponential);
    }

    #[test]
    fn tenacity_and_db_wait_loop() {
        let f = py(
            "import tenacity, time\n@retry(wait=wait_exponential_jitter(1), stop=stop_after_attempt(3))\ndef f(): ...\nfor i in range(30):\n    try:\n        db.connect()\n    except Exception:\n        time.sleep(1)\n",
        );
        assert_eq!(
            f.retries.len(),
            1,
            "a start-up wait for the database is not an outbound retry"
        );
        assert_eq!(f.retries[0].backoff, Backoff::Exponential);
        assert!(f.retries[0].jitter && f.retries[0].bounded);
    }

    /// The verb chosen at run time: `getattr(requests, verb)` called at
    /// once or through a local, on a module or a client of the file; a
    /// literal that names no HTTP method is an attribute read.
    #[test]
    fn methods_chosen_by_getattr() {
        let f = py(
            "import requests, httpx\n\nclass Api:\n    def __init__(self):\n        self.session = requests.Session()\n\n    def call(self, verb, url):\n        return getattr(self.session, verb)(url, timeout=4)\n\ndef send(verb, url, body):\n    do = getattr(requests, verb.lower())\n    log(do)\n    return do(url, json=body)\n\ndef peek(verb, url):\n    return getattr(httpx, verb)(url)\n\nOK = getattr(requests, 'codes').ok\nDEL = getattr(requests, 'delete')('https://x.example')\n",
        );
        let t: Vec<_> = f.line_timeouts();
        assert_eq!(
            t,
            vec![
                (8, TimeoutState::Explicit),
                (13, TimeoutState::Missing),
                (16, TimeoutState::ClientDefault("httpx default: 5 s")),
                (19, TimeoutState::Missing),
            ]
        );
    }

    /// A client library's module-level helpers, by module and imported by
    /// name: aiohttp's one-shot `request()` opens a session with the 300 s
    /// total default (too long) unless given a `ClientTimeout`; requests'
    /// and httpx's helpers imported bare are judged like `requests.get`.
    /// A method of another object and the project's own `def request` are
    /// not the library's.
    #[test]
    fn module_level_helpers_by_module_and_by_name() {
        let f = py("import aiohttp
from aiohttp import request, ClientTimeout
from requests import post as send
from httpx import get

async def push(u, body):
    async with request('POST', u, json=body) as r:
        return await r.json()

async def pull(u):
    async with aiohttp.request('GET', u, timeout=ClientTimeout(total=10)) as r:
        return await r.text()

async def peek(u):
    async with aiohttp.request('GET', u) as r:
        return r.status

def hook(u):
    send(u, json={})
    return get(u)

def other(session, cache, u):
    session.request('GET', u)
    return cache.get(u)
");
        assert_eq!(
            f.line_timeouts(),
            vec![
                (7, TimeoutState::TooLong("300 s total")),
                (11, TimeoutState::Explicit),
                (15, TimeoutState::TooLong("300 s total")),
                (19, TimeoutState::Missing),
                (20, TimeoutState::ClientDefault("httpx default: 5 s")),
            ]
        );
        assert!(f.outbound.iter().take(3).all(|c| c.client == "aiohttp"));
        let own = py("from aiohttp import web

def request(u):
    return u

request('x')
");
        assert!(own.outbound.is_empty(), "{:?}", own.outbound);
    }

    #[test]
    fn clients_kept_on_a_class_are_looked_up_in_that_class() {
        let f = py(
            "import httpx\n\nclass A:\n    http = httpx.Client(timeout=None)\n\n    def a(self):\n        return self.http.get(u)\n\nclass B:\n    http = httpx.Client(timeout=3)\n\n    def b(self):\n        return self.http.get(u)\n\nclass C(A):\n    def c(self):\n        return self.http.get(u)\n\n    def d(self):\n        http = httpx.Client(timeout=2)\n        return A.http.post(u)\n",
        );
        let t: Vec<_> = f.line_timeouts();
        assert_eq!(
            t,
            vec![
                (7, TimeoutState::Disabled),
                (13, TimeoutState::Explicit),
                (17, TimeoutState::Disabled),
                (21, TimeoutState::Disabled),
            ]
        );
    }
}
