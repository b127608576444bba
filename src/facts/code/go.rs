//! Go: net/http, gin, echo, chi, fiber and gorilla routes; `http.Get` and
//! `http.Client` call sites; retry libraries and loops; OTel providers.

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

static HANDLE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\b(?P<recv>\w+)\.(?P<fn>HandleFunc|Handle|GET|POST|PUT|PATCH|DELETE|HEAD|Any|Get|Post|Put|Patch|Delete|Head|Options|All)\(\s*(?:[\w.]+\s*\+\s*)?"(?P<path>[^"]*)""#,
    )
});
static GROUP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?P<name>\w+)\s*:?=\s*(?P<parent>\w+)\.(?:Group|Route|PathPrefix)\(\s*"(?P<prefix>[^"]*)""#,
    )
});
static PKG_CALL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bhttp\.(?P<fn>Get|Post|PostForm|Head)\("));
static DEFAULT_CLIENT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\bhttp\.DefaultClient\.(?P<fn>Do|Get|Post|PostForm|Head)\("));
static CLIENT_LIT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?P<name>\w+)\s*(?P<sep>:=|=|:)\s*&?http\.Client\s*\{"));
static DEFAULT_FIELD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?P<name>\w+)\s*:\s*http\.DefaultClient\b"));
static CLIENT_CALL: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?P<recv>[\w.]+)\.(?P<fn>Do|Get|Post|PostForm|Head)\("));
static LOOP: LazyLock<Regex> = LazyLock::new(|| re(r"(?m)\bfor\b(?P<cond>[^{\n]*)\{"));
static TEST_FN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^func\s+(?:Test|Benchmark|Example|Fuzz)\w*\("));

pub fn extract(src: &Source, is_test: bool, facts: &mut CodeFacts) {
    let code = &src.code;
    if is_test {
        for m in TEST_FN.find_iter(code) {
            facts.tests.push(TestMarker {
                location: src.loc(m.start()),
                framework: "go test",
            });
        }
        return;
    }
    routes(src, facts);
    outbound(src, facts);
    super::go_fields::extract(src, facts);
    project_clients(src, facts);
    retries(src, facts);
    for needle in ["otel.SetTracerProvider(", "sdktrace.NewTracerProvider("] {
        if let Some(i) = code.find(needle) {
            facts.otel_inits.push(OtelInit {
                location: src.loc(i),
                how: "otel.SetTracerProvider",
            });
            break;
        }
    }
}

fn framework(code: &str) -> Option<&'static str> {
    [
        ("github.com/gin-gonic/gin", "gin"),
        ("github.com/labstack/echo", "echo"),
        ("github.com/go-chi/chi", "chi"),
        ("github.com/gofiber/fiber", "fiber"),
        ("github.com/gorilla/mux", "gorilla/mux"),
        ("\"net/http\"", "net/http"),
    ]
    .iter()
    .find(|(import, _)| code.contains(import))
    .map(|(_, name)| *name)
}

fn routes(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    let Some(framework) = framework(code) else {
        return;
    };
    let groups: HashMap<String, (String, String)> = GROUP
        .captures_iter(code)
        .map(|c| {
            (
                c["name"].to_string(),
                (c["parent"].to_string(), c["prefix"].to_string()),
            )
        })
        .collect();
    let prefix_of = |recv: &str| {
        let mut prefix = String::new();
        let mut cur = recv.to_string();
        for _ in 0..8 {
            let Some((parent, p)) = groups.get(&cur) else {
                break;
            };
            prefix = format!("{}{}", p.trim_end_matches('/'), prefix);
            cur = parent.clone();
        }
        prefix
    };
    for c in src.captures(&HANDLE) {
        let recv = &c["recv"];
        // `http.Get("…")`-style client calls share the shape; the client is
        // not a router.
        if recv == "client" || recv.ends_with("Client") {
            continue;
        }
        let f = &c["fn"];
        let path = &c["path"];
        // Go 1.22 ServeMux patterns carry the method: "GET /items/{id}".
        let (method, route) = match path.split_once(' ') {
            Some((m, p)) if m.chars().all(|ch| ch.is_ascii_uppercase()) => (Some(m.to_string()), p),
            _ => (
                (!matches!(f, "HandleFunc" | "Handle" | "Any" | "All"))
                    .then(|| f.to_ascii_uppercase()),
                path,
            ),
        };
        if !route.starts_with('/') {
            continue;
        }
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method,
            route: format!("{}{}", prefix_of(recv), route),
        });
    }
}

fn outbound(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("http.") {
        return;
    }
    for m in src.captures(&PKG_CALL) {
        let open = m.get(0).unwrap().end() - 1;
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "net/http",
            timeout: TimeoutState::Missing,
            note: format!(
                "http.{} uses http.DefaultClient, which has no timeout",
                &m["fn"]
            ),
        });
    }
    let functions = src.functions();
    // A request built with a deadline-carrying context is bounded whatever
    // client sends it. Read once per function: one function of 20,000
    // `Do(req)` calls was searched whole for each.
    let mut deadlines: HashMap<(usize, usize), bool> = HashMap::new();
    let mut ctx_deadline = |at: usize| {
        functions
            .iter()
            .find(|(_, s, e)| (*s..*e).contains(&at))
            .is_some_and(|(_, s, e)| {
                *deadlines.entry((*s, *e)).or_insert_with(|| {
                    let body = &code[*s..*e];
                    (body.contains("context.WithTimeout") || body.contains("context.WithDeadline"))
                        && (body.contains("NewRequestWithContext")
                            || body.contains(".WithContext("))
                })
            })
    };
    for m in src.captures(&DEFAULT_CLIENT) {
        let open = m.get(0).unwrap().end() - 1;
        let bounded = &m["fn"] == "Do" && ctx_deadline(open);
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "net/http",
            timeout: if bounded {
                TimeoutState::Explicit
            } else {
                TimeoutState::Missing
            },
            note: if bounded {
                "http.DefaultClient.Do with a request context deadline".into()
            } else {
                format!("http.DefaultClient.{} has no timeout", &m["fn"])
            },
        });
    }
    let in_function = |at: usize| src.innermost(at).is_some();
    let function_of = |at: usize| src.innermost(at).map(|(_, s, _)| *s);
    let mut exports: Vec<(String, usize, bool)> = Vec::new();
    let mut clients: HashMap<String, bool> = HashMap::new();
    // Clients bound inside a function, by (function start, name): the local
    // `client := http.Client{Timeout: …}` of one subcommand is not the bare
    // `client := http.Client{}` of the next function.
    let mut locals: HashMap<(usize, String), bool> = HashMap::new();
    // A field set to a timed client in one constructor and to the default
    // client in another (`hc: &http.Client{Timeout: …}` / `hc:
    // http.DefaultClient`): calls through it are unknown.
    let mut conflicted: std::collections::HashSet<String> = Default::default();
    for c in src.captures(&CLIENT_LIT) {
        let m = c.get(0).unwrap();
        let open = m.end() - 1;
        let timeout = src.inside(open).contains("Timeout");
        if c["sep"] != *":"
            && let Some(f) = function_of(m.start())
        {
            locals.insert((f, c["name"].to_string()), timeout);
        }
        if c["sep"] == *":" && clients.get(&c["name"]).is_some_and(|t| *t != timeout) {
            conflicted.insert(c["name"].to_string());
        }
        clients.insert(c["name"].to_string(), timeout);
        // A struct field (`client: &http.Client{…}`) or a package-level
        // variable is visible to the package's other files.
        if c["sep"] == *":" || !in_function(m.start()) {
            exports.push((c["name"].to_string(), m.start(), timeout));
        }
    }
    for c in src.captures(&DEFAULT_FIELD) {
        let m = c.get(0).unwrap();
        if clients.get(&c["name"]) == Some(&true) {
            conflicted.insert(c["name"].to_string());
        }
        clients.entry(c["name"].to_string()).or_insert(false);
        exports.push((c["name"].to_string(), m.start(), false));
    }
    // `client.Timeout = 5 * time.Second` after construction.
    for name in clients.clone().keys() {
        if code.contains(&format!("{name}.Timeout =")) {
            clients.insert(name.clone(), true);
            for e in exports.iter_mut().filter(|e| e.0 == *name) {
                e.2 = true;
            }
        }
    }
    for ((f, name), timeout) in locals.iter_mut() {
        let body = functions
            .iter()
            .find(|(_, s, _)| s == f)
            .map_or("", |(_, s, e)| &code[*s..*e]);
        if body.contains(&format!("{name}.Timeout =")) {
            *timeout = true;
        }
    }
    for (name, at, timeout) in exports {
        facts.exported_clients.push(super::ExportedClient {
            location: src.loc(at),
            client: "net/http",
            export: Some(name),
            timeout: if timeout {
                TimeoutState::Explicit
            } else {
                TimeoutState::Missing
            },
        });
    }
    // A client field or local later given a value this file cannot read
    // (`c.httpClient = opts.HTTPClient` after `httpClient: &http.Client{}`):
    // the literal is one fill among several, so calls through it are
    // unknown rather than judged by the literal.
    for name in clients.keys() {
        if refilled(code, name, true) {
            conflicted.insert(name.clone());
        }
    }
    let unread_locals: std::collections::HashSet<(usize, String)> = locals
        .keys()
        .filter(|(f, name)| {
            functions
                .iter()
                .find(|(_, s, _)| s == f)
                .is_some_and(|(_, s, e)| refilled(&code[*s..*e], name, false))
        })
        .cloned()
        .collect();
    let handed = super::go_fields::parameter_calls(src);
    for c in src.captures(&CLIENT_CALL) {
        let recv = &c["recv"];
        if recv == "http" || recv == "http.DefaultClient" {
            continue;
        }
        let last = recv.rsplit('.').next().unwrap_or(recv);
        let open = c.get(0).unwrap().end() - 1;
        // A client parameter: judged by what the function's callers pass.
        if let Some(judged) = handed.get(&open) {
            if let Some((timeout, line)) = judged {
                let how = if timeout.is_bounded() {
                    "with Timeout"
                } else {
                    "without Timeout"
                };
                facts.outbound.push(OutboundCall {
                    location: src.loc(open),
                    client: "net/http",
                    timeout: timeout.clone(),
                    note: format!(
                        "{recv}.{} on the http.Client {how} that its caller passes at line {line}",
                        &c["fn"]
                    ),
                });
            }
            continue;
        }
        if !recv.contains('.')
            && function_of(open).is_some_and(|f| unread_locals.contains(&(f, last.to_string())))
        {
            continue;
        }
        let ctx_deadline = ctx_deadline(open);
        let local = function_of(open).and_then(|f| locals.get(&(f, last.to_string())));
        if recv.contains('.') && conflicted.contains(last) {
            continue;
        }
        let known = if recv.contains('.') {
            clients.get(last)
        } else {
            local.or_else(|| clients.get(last))
        };
        let (timeout, note) = match known {
            Some(true) => (
                TimeoutState::Explicit,
                format!("{recv}.{} on an http.Client with Timeout", &c["fn"]),
            ),
            _ if ctx_deadline => (
                TimeoutState::Explicit,
                format!("{recv}.{} with a request context deadline", &c["fn"]),
            ),
            Some(false) => (
                TimeoutState::Missing,
                format!("{recv}.{} on an http.Client without Timeout", &c["fn"]),
            ),
            // A client field or variable of another file of this package is
            // resolved when facts merge; anything else is not provably an
            // HTTP client: say nothing.
            None => {
                // `hc, err := proxiedClient(p)`: a local bound to what a
                // function of the package returns is that function's client.
                let built = (!recv.contains('.'))
                    .then(|| function_of(open))
                    .flatten()
                    .and_then(|f| bound_call(&code[f..open], recv))
                    .filter(|callee| !callee.contains('.'));
                facts.imported_calls.push(super::ImportedCall {
                    location: src.loc(open),
                    call: format!("{recv}.{}", &c["fn"]),
                    link: super::Link::Package {
                        scope: super::package_scope(src.path, src.lang),
                        client: "net/http",
                    },
                    export: Some(match built {
                        Some(callee) => format!("{callee}():client"),
                        None => last.to_string(),
                    }),
                });
                continue;
            }
        };
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "net/http",
            timeout,
            note,
        });
    }
    facts.outbound.sort_by_key(|c| c.location.line);
}

/// `name = v` (a local) or `x.name = v` (`member`: a field) somewhere in
/// `text`, where `v` is not a client literal or the default client (those
/// are read where they are built).
fn refilled(text: &str, name: &str, member: bool) -> bool {
    let b = text.as_bytes();
    text.match_indices(name).any(|(i, _)| {
        let prev = i.checked_sub(1).map(|j| b[j]);
        let dotted = prev == Some(b'.');
        if dotted != member
            || prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'_')
            || member && i >= 2 && !(b[i - 2].is_ascii_alphanumeric() || b[i - 2] == b'_')
        {
            return false;
        }
        let rest = text[i + name.len()..].trim_start_matches([' ', '\t']);
        let Some(rhs) = rest.strip_prefix('=') else {
            return false;
        };
        if rhs.starts_with('=') {
            return false;
        }
        let rhs = rhs.trim_start();
        !(rhs.starts_with("&http.Client")
            || rhs.starts_with("http.Client")
            || rhs.starts_with("http.DefaultClient")
            || rhs.starts_with("nil"))
    })
}

/// The callee a local is bound to in `before`: `hc, err := build(p)` or
/// `hc := pkg.Build(p)` give `build` / `pkg.Build` (the last such binding).
fn bound_call<'a>(before: &'a str, name: &str) -> Option<&'a str> {
    super::go_fields::word_starts(before, name)
        .filter_map(|i| {
            let rest = &before[i + name.len()..];
            let line = rest.split('\n').next()?;
            let (lhs, rhs) = line.split_once(":=").or_else(|| {
                line.split_once('=')
                    .filter(|(l, r)| !l.ends_with(['!', '<', '>', '=']) && !r.starts_with('='))
            })?;
            // Only `name` or `name, err` on the left.
            if !lhs.trim().is_empty() && !lhs.trim_start().starts_with(',') {
                return None;
            }
            let rhs = rhs.trim_start();
            let len = rhs
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rhs.len());
            (len > 0 && rhs[len..].starts_with('(')).then(|| &rhs[..len])
        })
        .last()
}

static CONSTRUCTOR: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^func[ \t]+(?P<name>New\w*)[ \t]*\("));
static PKG_VAR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^var[ \t]+(?P<var>\w+)[ \t]*(?:[\w.*]+[ \t]*)?=[ \t]*(?P<ctor>New\w*)\(")
});
static EXPORTED_FN: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^func[ \t]+(?P<name>[A-Z]\w*)[ \t]*\("));
pub(super) static IMPORT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?m)^[ \t]*(?:import[ \t]+)?(?:(?P<alias>\w+)[ \t]+)?"(?P<path>[\w.-]+(?:/[\w.-]+)+)"[ \t]*$"#,
    )
});
static WRAPPER_VERB: &str = "Get|Post|Put|Patch|Delete|Do|Head|PostForm|Request|Send";

/// A package of the project that builds and hands out an HTTP client:
/// `func NewClient() Client { return NewWithHTTPClient(http.DefaultClient) }`,
/// and package functions that send through one (`var DefaultClient =
/// NewClient()`; `func Post(…) { return DefaultClient.Post(…) }`). The
/// constructor and those functions are exported for the package's importers;
/// the calls they make inside the package are the wrapper's own lines, and
/// the finding belongs to the caller that picked the timeout-less client.
/// In an importing file, a client bound from such a constructor
/// (`c := jsonclient.NewClient()`, `s.client = jsonclient.NewClient()`) and
/// the package functions are calls to resolve at merge.
fn project_clients(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    // The body of the function whose declaration match ends at its
    // parameter list's `(`: past the parameters and the result type,
    // stepping over `interface{}` and `struct{…}` in either.
    let body_of = |paren: usize| -> Option<&str> {
        let mut i = src.matching(paren)? + 1;
        loop {
            let at = i + code[i..].find(['{', '\n'])?;
            if code.as_bytes()[at] == b'\n' {
                return None;
            }
            let close = src.matching(at)?;
            let head = code[..at].trim_end();
            if !(head.ends_with("interface") || head.ends_with("struct")) {
                return Some(&code[at..close]);
            }
            i = close + 1;
        }
    };
    // A function that returns an `*http.Client` (`func
    // GetProxiedHTTPClient(p *Proxy) (*http.Client, error)`) is judged by
    // `go_fields` (`handed_out`), through the methods and fields it
    // returns: a local bound to its result, or a call chained on it, here
    // or in an importing package, is its client.
    chained_calls(src, facts);
    let mut built: HashMap<String, TimeoutState> = HashMap::new();
    for c in src.captures(&CONSTRUCTOR) {
        let m = c.get(0).unwrap();
        let Some(body) = body_of(m.end() - 1) else {
            continue;
        };
        let timeout = if body.contains("Timeout") {
            TimeoutState::Explicit
        } else if body.contains("http.DefaultClient") || body.contains("http.Client{") {
            TimeoutState::Missing
        } else {
            continue;
        };
        built.insert(c["name"].to_string(), timeout.clone());
        facts.exported_clients.push(super::ExportedClient {
            location: src.loc(m.start()),
            client: "net/http",
            export: Some(format!("{}()", &c["name"])),
            timeout,
        });
    }
    if !built.is_empty() {
        let vars: Vec<(String, TimeoutState)> = src
            .captures(&PKG_VAR)
            .filter_map(|c| Some((c["var"].to_string(), built.get(&c["ctor"])?.clone())))
            .collect();
        for c in src.captures(&EXPORTED_FN) {
            let m = c.get(0).unwrap();
            let Some(body) = body_of(m.end() - 1) else {
                continue;
            };
            if c["name"].starts_with("New") {
                continue;
            }
            if let Some((_, timeout)) = vars.iter().find(|(v, _)| sends_through(body, v)) {
                facts.exported_clients.push(super::ExportedClient {
                    location: src.loc(m.start()),
                    client: "net/http",
                    export: Some(format!("{}()", &c["name"])),
                    timeout: timeout.clone(),
                });
            }
        }
    }
    // The importing side: every project package this file imports by path.
    // `name.Verb(` calls by receiver, read once for the file when the first
    // constructor is bound (a search per bound name was a tenth of a Go
    // service's scan).
    let mut verb_calls: Option<MemberCalls> = None;
    // `pkg.Fn(` calls by package name, from one pass over the file when
    // the first project import is met (a search of the file per import was
    // a tenth of a Go service's scan).
    let mut pkg_calls: Option<MemberCalls> = None;
    for (alias, path) in src.go_import_lines() {
        let path = path.to_string();
        // The standard library and one-segment paths hold no project code.
        if !path.split('/').next().is_some_and(|h| h.contains('.')) {
            continue;
        }
        let pkg = alias
            .map(str::to_string)
            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or("").replace('-', "_"));
        if pkg.is_empty() || pkg == "_" {
            continue;
        }
        let calls = pkg_calls
            .get_or_insert_with(|| member_calls_by_receiver(src, exported))
            .get(pkg.as_str());
        let mut ctors: Vec<(String, String, usize)> = Vec::new();
        for &(at, open, f) in calls.into_iter().flatten() {
            facts.go_fields.push(super::go_fields::Fact::Called {
                import: path.clone(),
                name: f.to_string(),
            });
            if f.starts_with("New") {
                if let Some(lhs) = bound_to(code, at) {
                    ctors.push((lhs, format!("{f}()"), at));
                }
                continue;
            }
            // `hc, err := proxy.GetProxiedHTTPClient(p)`: the package may
            // hand out a client it builds (`go_fields::handed_out` on its
            // side).
            if let Some(lhs) = bound_to(code, at) {
                ctors.push((lhs, format!("{f}():client"), at));
            }
            facts.imported_calls.push(super::ImportedCall {
                location: src.loc(open),
                call: format!("{pkg}.{f}"),
                link: super::Link::GoImport(path.clone()),
                export: Some(format!("{f}()")),
            });
        }
        if !ctors.is_empty() && verb_calls.is_none() {
            verb_calls = Some(member_calls_by_receiver(src, |f| {
                WRAPPER_VERB.split('|').any(|v| v == f)
            }));
        }
        let verb_calls = verb_calls.as_ref();
        for (lhs, ctor, bound_at) in ctors {
            let name = lhs.rsplit('.').next().unwrap_or(&lhs).to_string();
            // A local (`httpClient := client.GetHTTPClient(nil)`) binds
            // only within its function: three functions of a file that each
            // bind `httpClient` are three clients, each called once.
            let within = (!lhs.contains('.')).then(|| innermost_function(src, bound_at));
            let calls = verb_calls.and_then(|v| v.get(name.as_str()));
            for &(at, open, f) in calls.into_iter().flatten() {
                if within.is_some_and(|w| innermost_function(src, at) != w) {
                    continue;
                }
                let recv_start = code[..at]
                    .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .map_or(0, |i| i + 1);
                facts.imported_calls.push(super::ImportedCall {
                    location: src.loc(open),
                    call: format!("{}.{f}", &code[recv_start..at + name.len()]),
                    link: super::Link::GoImport(path.clone()),
                    export: Some(ctor.clone()),
                });
            }
        }
    }
}

/// `name.Fn(` in code, `name` on an identifier boundary (a field
/// `s.name.Fn(` counts): (where `name` starts, the open paren, `Fn`). The
/// search by name that [`member_calls_by_receiver`] answers for every name
/// at once, kept as the tests' reference.
#[cfg(test)]
fn member_calls<'a>(src: &'a Source, name: &str) -> Vec<(usize, usize, &'a str)> {
    let code = &src.code;
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    for (at, _) in code.match_indices(name) {
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let rest = &code[at + name.len()..];
        let Some(rest) = rest.strip_prefix('.') else {
            continue;
        };
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let f = &rest[..len];
        if !exported(f) || !rest[len..].starts_with('(') {
            continue;
        }
        let open = at + name.len() + 1 + len;
        if src.is_code(at) {
            out.push((at, open, f));
        }
    }
    out
}

/// Calls by receiver name: (where the name starts, the open paren, the
/// member called).
type MemberCalls<'a> = HashMap<&'a str, Vec<(usize, usize, &'a str)>>;

/// An exported member: `Fn` of `pkg.Fn(`, as [`member_calls`] keeps it.
fn exported(f: &str) -> bool {
    f.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Every `name.Fn(` call in code whose `Fn` is kept, by `name`: for each
/// name, what [`member_calls`] finds for it and keeps. A receiver is every
/// run of identifier characters ending at the `.` that starts after a byte
/// which is not an ASCII identifier byte (one name in ASCII code; a
/// non-ASCII letter before it gives more than one, as [`member_calls`]'
/// search by name does).
fn member_calls_by_receiver<'a>(src: &'a Source, keep: impl Fn(&str) -> bool) -> MemberCalls<'a> {
    let code = &src.code;
    let bytes = code.as_bytes();
    let ident_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out: HashMap<&str, Vec<(usize, usize, &str)>> = HashMap::new();
    for (dot, _) in code.match_indices('.') {
        let rest = &code[dot + 1..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let f = &rest[..len];
        if !rest[len..].starts_with('(') || !keep(f) {
            continue;
        }
        let open = dot + 1 + len;
        // An empty name (a left-hand side ending in `.`) is found wherever
        // no identifier byte precedes the `.`, as the search by name does.
        if (dot == 0 || !ident_byte(bytes[dot - 1])) && src.is_code(dot) {
            out.entry("").or_default().push((dot, open, f));
        }
        // Back over identifier characters: each start a name may have.
        for (at, c) in code[..dot].char_indices().rev() {
            if !(c.is_alphanumeric() || c == '_') {
                break;
            }
            if (at == 0 || !ident_byte(bytes[at - 1])) && src.is_code(at) {
                out.entry(&code[at..dot]).or_default().push((at, open, f));
            }
        }
    }
    out
}

/// The body (start, end) of the innermost named function holding `at`.
fn innermost_function(src: &Source, at: usize) -> Option<(usize, usize)> {
    src.functions()
        .iter()
        .filter(|(_, s, e)| (*s..*e).contains(&at))
        .min_by_key(|(_, s, e)| e - s)
        .map(|(_, s, e)| (*s, *e))
}

/// A call chained on what a function returns: `client.GetHTTPClient(cfg).Do(req)`,
/// `defaultConfig.getHTTPClient().Get(u)`, `newClient().Post(…)`. An uptime
/// monitor's 40 alert providers each send this way through one shared
/// client, and no local ever holds it. The call is on that function's
/// client: resolved at merge against its `Fn():client` export (of the
/// imported package when `pkg.` is an import, else of this package), and
/// unknown when the function hands out no client graduate can read.
fn chained_calls(src: &Source, facts: &mut CodeFacts) {
    // How far back the arguments of a chained call may reach: a hostile
    // file of `).Do(` pays this bound per occurrence.
    const CALL_REACH: usize = 2048;
    let code = &src.code;
    let b = code.as_bytes();
    let mut imports: Option<HashMap<String, String>> = None;
    for (close, _) in code.match_indices(").") {
        let rest = &code[close + 2..];
        let Some(verb) = ["Do", "Get", "Post", "PostForm", "Head"]
            .into_iter()
            .find(|v| rest.strip_prefix(v).is_some_and(|r| r.starts_with('(')))
        else {
            continue;
        };
        // Back to the call's `(`; checked forwards, which knows strings.
        let open = super::go_fields::open_before(b, close.saturating_sub(CALL_REACH), close, b'(');
        let Some(open) = open.filter(|&o| src.matching(o) == Some(close)) else {
            continue;
        };
        let start = code[..open]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let callee = &code[start..open];
        if !callee.starts_with(|c: char| c.is_alphabetic() || c == '_') || !src.is_code(start) {
            continue;
        }
        let imports = imports.get_or_insert_with(|| {
            src.go_import_lines()
                .map(|(alias, path)| {
                    let name = match alias {
                        Some(a) => a.to_string(),
                        None => path.rsplit('/').next().unwrap_or("").replace('-', "_"),
                    };
                    (name, path.to_string())
                })
                .collect()
        });
        let segs: Vec<&str> = callee.split('.').collect();
        let name = segs[segs.len() - 1];
        let link = match imports.get(segs[0]) {
            // A project package (`github.com/acme/app/client`); the standard
            // library and one-segment paths hold no project code.
            Some(path) if segs.len() == 2 => {
                if !path.split('/').next().is_some_and(|h| h.contains('.')) {
                    continue;
                }
                super::Link::GoImport(path.clone())
            }
            Some(_) => continue,
            None => super::Link::Package {
                scope: super::package_scope(src.path, src.lang),
                client: "net/http",
            },
        };
        facts.imported_calls.push(super::ImportedCall {
            location: src.loc(close + 2 + verb.len()),
            call: format!("{callee}(…).{verb}"),
            link,
            export: Some(format!("{name}():client")),
        });
    }
}

/// The variable or field an expression at `at` is assigned to:
/// `c := pkg.New()`, `s.client = pkg.New()`.
fn bound_to(code: &str, at: usize) -> Option<String> {
    let before = code[..at].trim_end();
    let before = before
        .strip_suffix(":=")
        .or_else(|| {
            before
                .strip_suffix('=')
                .filter(|b| !b.ends_with(['=', '!', '<', '>']))
        })?
        .trim_end();
    // `c, err := pkg.New()`: the first name of the left-hand side.
    let line = &before[before.rfind(['\n', ';', '{', '(']).map_or(0, |i| i + 1)..];
    let lhs = if line.contains(',') {
        line.split(',').next().unwrap_or("").trim()
    } else {
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        &before[start..]
    };
    let ok = lhs
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    (ok && !lhs.is_empty() && lhs != "_").then(|| lhs.to_string())
}

/// `var.Get(`, `var.Post(` … in a function body.
fn sends_through(body: &str, var: &str) -> bool {
    body.match_indices(&format!("{var}.")).any(|(i, m)| {
        let before = body[..i].chars().last();
        let rest = &body[i + m.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && WRAPPER_VERB
                .split('|')
                .any(|v| rest.strip_prefix(v).is_some_and(|r| r.starts_with('(')))
    })
}

/// Whether the method call whose `.` is at `dot` is made on a value this
/// file declares with a type of the project: `h.oidcService.UserInfo(ctx,
/// …)` with the field `oidcService oidcService` (the project's own
/// interface) is not go-oidc's `UserInfo`, which is a method of
/// `*oidc.Provider`. A receiver declared with another package's type, or
/// not declared in the file, keeps the row's reading.
/// `memo` holds the answers already found in this file, by (receiver name,
/// whether it is a field, where its declarations were looked for): a file
/// calling one SDK method thousands of times on the same receiver reads its
/// declarations once, not once per call (calls x bytes).
pub(crate) fn project_receiver(
    src: &Source,
    dot: usize,
    memo: &mut HashMap<(String, bool, usize), bool>,
) -> bool {
    let code = &src.code;
    let before = &code[..dot];
    let name_len = before
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    if name_len == 0 {
        return false;
    }
    let start = dot - name_len;
    let name = &before[start..];
    let b = code.as_bytes();
    // A field (`h.svc.M(`) is declared on a line of a struct; a plain name
    // is a parameter of the enclosing function (a local bound inside it is
    // not typed here, so the row keeps its reading).
    let field = start > 0 && b[start - 1] == b'.';
    let (from, to) = if field {
        (0, code.len())
    } else {
        let Some((_, s, _)) = src.innermost(dot) else {
            return false;
        };
        let header = code[..*s].rfind("func").unwrap_or(0);
        (header, *s)
    };
    let key = (name.to_string(), field, from);
    if let Some(&known) = memo.get(&key) {
        return known;
    }
    let project = declared_project_type(src, name, field, from, to);
    memo.insert(key, project);
    project
}

/// Whether `name` is declared in `code[from..to]` (a struct field line when
/// `field`, else a parameter) with a type of this package
/// ([`project_receiver`]); `false` as soon as one declaration names another
/// package's type.
fn declared_project_type(src: &Source, name: &str, field: bool, from: usize, to: usize) -> bool {
    let code = &src.code;
    let b = code.as_bytes();
    let mut project = false;
    for (i, _) in code[from..to].match_indices(name) {
        let i = from + i;
        let lead = code[..i].trim_end_matches([' ', '\t']);
        let declares = if field {
            lead.ends_with('\n')
        } else {
            lead.ends_with(['(', ','])
        };
        let after = b.get(i + name.len()).copied();
        if !declares || !matches!(after, Some(b' ' | b'\t')) || !src.is_code(i) {
            continue;
        }
        let ty = code[i + name.len()..].trim_start_matches([' ', '\t']);
        let ty = ty.trim_start_matches('*');
        let len = ty
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(ty.len());
        let ty = &ty[..len];
        if ty.is_empty() || !ty.starts_with(|c: char| c.is_alphabetic()) {
            continue;
        }
        if ty.contains('.') {
            return false;
        }
        if !matches!(ty, "func" | "chan" | "map" | "interface" | "struct" | "any") {
            project = true;
        }
    }
    project
}

/// Loop heads as (start, open brace, bounded, iterates a collection).
pub(super) fn loop_heads(src: &Source) -> Vec<(usize, usize, bool, bool)> {
    src.captures(&LOOP)
        .filter_map(|c| {
            let m = c.get(0).unwrap();
            let cond = c["cond"].trim();
            let iterates = cond.contains("range") || cond.contains("len(");
            let mut open = m.end() - 1;
            // `for _, u := range []string{a, b} {`: the first brace opens
            // the slice literal; the body's is the next one on the line.
            let ty = cond.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
            if iterates && (ty.ends_with(']') || ty.ends_with("]*")) {
                let close = src.matching(open)?;
                let rest = &src.code[close + 1..];
                let next = rest.find(['{', '\n'])?;
                if rest.as_bytes()[next] != b'{' {
                    return None;
                }
                open = close + 1 + next;
            }
            Some((
                m.start(),
                open,
                cond.contains(['<', '>']) || iterates,
                iterates,
            ))
        })
        .collect()
}

fn retries(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    super::temporal::go_policies(src, facts);
    if code.contains("retryablehttp.NewClient(") {
        let i = code.find("retryablehttp.NewClient(").unwrap();
        // go-retryablehttp: exponential backoff, 4 retries by default; its
        // DefaultBackoff has no jitter (LinearJitterBackoff has).
        facts.retries.push(RetrySite {
            location: src.loc(i),
            mechanism: "go-retryablehttp",
            backoff: Backoff::Exponential,
            jitter: code.contains("LinearJitterBackoff"),
            bounded: true,
            through: None,
        });
    }
    if code.contains("backoff.NewExponentialBackOff(") {
        let i = code.find("backoff.NewExponentialBackOff(").unwrap();
        // cenkalti/backoff: randomization factor 0.5 by default; stops after
        // MaxElapsedTime (15 min) unless set to 0.
        facts.retries.push(RetrySite {
            location: src.loc(i),
            mechanism: "cenkalti/backoff",
            backoff: Backoff::Exponential,
            jitter: !code.contains("RandomizationFactor = 0"),
            bounded: !code.contains("MaxElapsedTime = 0"),
            through: None,
        });
    }
    retry_go(src, facts);
    super::retry_loops(src, facts, &["http.Get(", "http.Post(", ".Do("]);
}

/// avast/retry-go (v3, v4): `retry.Do(fn, opts…)` / `retry.DoWithData(fn,
/// opts…)` runs `fn` again after an error, under the policy its options
/// set. Read in the library's source (retry.go, options.go): 10 attempts,
/// 100 ms delay and `CombineDelay(BackOffDelay, RandomDelay)` by default
/// (doubling with up to 100 ms of random jitter); `FixedDelay` waits the
/// same delay every time and `BackOffDelay` doubles it, both ignoring
/// `MaxJitter` (only `RandomDelay` uses it); `Attempts(0)` (v4) retries
/// until it succeeds. A custom `DelayType(func…)` is read from its body: a
/// constant wait unless it calls `BackOffDelay`/shifts, jitter only from
/// `RandomDelay` or `rand.`. The site counts when `fn` calls out: directly
/// (`s.httpClient.Do`), or through a client row or project function, which
/// is settled once every file is read ([`RetrySite::through`]).
fn retry_go(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("avast/retry-go") {
        return;
    }
    let pkg = src
        .go_import_lines()
        .find(|(_, path)| path.contains("avast/retry-go"))
        .and_then(|(alias, _)| alias.map(str::to_string))
        .unwrap_or_else(|| "retry".to_string());
    let functions = src.functions();
    let bytes = code.as_bytes();
    for (at, _) in code.match_indices(&format!("{pkg}.Do")) {
        if at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'.')
        {
            continue;
        }
        let rest = &code[at + pkg.len() + 3..];
        let skip = if rest.starts_with('(') {
            0
        } else if let Some(r) = rest.strip_prefix("WithData") {
            // `DoWithData[int](…)`: step over the type argument.
            8 + if r.starts_with('[') {
                r.find('(').unwrap_or(0)
            } else {
                0
            }
        } else {
            continue;
        };
        let paren = at + pkg.len() + 3 + skip;
        if bytes.get(paren) != Some(&b'(') || !src.is_code(at) {
            continue;
        }
        let args = super::go_fields::split_args(src, paren);
        let Some(&(fs, fe)) = args.first() else {
            continue;
        };
        let first = code[fs..fe].trim();
        let enclosing = src.innermost(at);
        // What `fn` is: a literal, a local bound to one, or a call of a
        // function of the file that returns the closure.
        let retried = if first.starts_with("func") {
            src.brace_block(fs)
        } else {
            let len = first
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(first.len());
            let name = &first[..len];
            let local = enclosing.and_then(|(_, s, _)| {
                let before = &code[*s..at];
                let i = before.rfind(&format!("{name} := func"))?;
                src.brace_block(s + i)
            });
            local.or_else(|| {
                functions
                    .iter()
                    .find(|(n, _, _)| n == name && first[len..].starts_with('('))
                    .map(|(_, s, e)| (*s, *e))
            })
        };
        let Some((open, close)) = retried else {
            continue;
        };
        // The options: the call's own, and those gathered in a slice it
        // spreads (`opts := []retry.Option{…}; retry.Do(fn, opts...)`).
        let mut options: String = args[1..]
            .iter()
            .map(|&(s, e)| &code[s..e])
            .collect::<Vec<_>>()
            .join(",");
        if options.contains("...")
            && let Some((_, s, e)) = enclosing
        {
            options.push_str(&code[*s..*e]);
        }
        let opt = |o: &str| options.contains(&format!("{pkg}.{o}"));
        let bounded = !(options.contains(&format!("{pkg}.Attempts(0)")) || opt("UntilSucceeded("));
        let (backoff, jitter) = match options.find(&format!("{pkg}.DelayType(")) {
            None => (Backoff::Exponential, true),
            Some(i) => {
                // The delay type's own argument, to its closing paren.
                let open = i + pkg.len() + ".DelayType".len();
                let mut depth = 0usize;
                let mut end = options.len();
                for (j, ch) in options[open..].char_indices() {
                    match ch {
                        '(' => depth += 1,
                        ')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                end = open + j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let arg = &options[open..end];
                let backs =
                    arg.contains("BackOffDelay") || arg.contains("<<") || arg.contains("Pow(");
                let random = arg.contains("RandomDelay") || arg.contains("rand.");
                if backs {
                    (Backoff::Exponential, random)
                } else {
                    (Backoff::Constant, random)
                }
            }
        };
        let body = &code[open..close];
        let direct = ["http.Get(", "http.Post(", ".Do("]
            .iter()
            .any(|m| super::calls_http(body, m));
        facts.retries.push(RetrySite {
            location: src.loc(at),
            mechanism: "retry-go",
            backoff,
            jitter,
            bounded,
            through: (!direct).then(|| (src.line(open), src.line(close))),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{Backoff, TimeoutState, extract};
    use crate::inventory::Lang;

    fn go(text: &str) -> crate::facts::code::CodeFacts {
        extract("main.go", Lang::Go, false, text)
    }

    /// The import lines read once for a file are those each reader found
    /// by searching it: outside strings for the readers of a source, all of
    /// them for the type reader's names.
    #[test]
    fn import_lines_read_once_agree_with_the_search() {
        let text = "package p\n\nimport (\n\t\"net/http\"\n\tlog \"github.com/sirupsen/logrus\"\n\
                    \t_ \"github.com/lib/pq\"\n\t\"example.com/api/v2\"\n\t\"example.com/my-pkg\"\n)\n\
                    var raw = `\n\t\"example.com/in/raw\"\n`\n";
        for src in [
            crate::facts::code::lexer::Source::new("p.go", Lang::Go, text),
            crate::facts::code::lexer::Source::new("p.go", Lang::Go, "package p\n\"a/b\"\n"),
        ] {
            let searched: Vec<(Option<String>, String)> = src
                .captures(&super::IMPORT_LINE)
                .map(|c| {
                    (
                        c.name("alias").map(|a| a.as_str().to_string()),
                        c["path"].to_string(),
                    )
                })
                .collect();
            let read: Vec<(Option<String>, String)> = src
                .go_import_lines()
                .map(|(a, p)| (a.map(str::to_string), p.to_string()))
                .collect();
            assert_eq!(read, searched);
            assert_eq!(
                super::super::go_types::imports_of(&src),
                super::super::go_types::imports(&src.code)
            );
        }
        let src = crate::facts::code::lexer::Source::new("p.go", Lang::Go, text);
        let names: Vec<String> = super::super::go_types::imports_of(&src)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names[..4], ["http", "log", "api", "my_pkg"], "{names:?}");
    }

    /// The index read once per file finds, for every name, the calls the
    /// search by name finds and keeps (verbs, exported members): receivers
    /// after a field, after a non-ASCII letter, an empty name, and calls in
    /// strings and comments (which neither counts).
    #[test]
    fn member_calls_by_receiver_agree_with_the_search_by_name() {
        let text = "package p\nfunc f() {\n\thc.Get(u)\n\ts.hc.Do(r)\n\tmyhc.Post(u)\n\
                    \téhc.Do(r)\n\t(x).Do(r)\n\thc.Close()\n\thc.Getter(u)\n\
                    \t// hc.Get(u)\n\ts := \"hc.Get(u)\"\n\thc.Send(m)\n\tconf.Load()\n\
                    \tconf.Server.Port()\n\tconf.lower()\n\tmodel.Ärger(x)\n\tx.conf.New(y)\n}\n";
        let src = crate::facts::code::lexer::Source::new("p.go", Lang::Go, text);
        let verb = |f: &str| super::WRAPPER_VERB.split('|').any(|v| v == f);
        let verbs = super::member_calls_by_receiver(&src, verb);
        let exported = super::member_calls_by_receiver(&src, super::exported);
        for name in [
            "hc", "myhc", "éhc", "s", "x", "", "Get", "nothing", "conf", "model", "Server",
        ] {
            let by_name = super::member_calls(&src, name);
            let kept: Vec<_> = by_name.iter().filter(|c| verb(c.2)).cloned().collect();
            assert_eq!(
                verbs.get(name).cloned().unwrap_or_default(),
                kept,
                "{name:?}"
            );
            let kept: Vec<_> = by_name
                .into_iter()
                .filter(|c| super::exported(c.2))
                .collect();
            assert_eq!(
                exported.get(name).cloned().unwrap_or_default(),
                kept,
                "{name:?}"
            );
        }
        assert_eq!(verbs["hc"].len(), 4, "{:?}", verbs["hc"]);
        let conf: Vec<&str> = exported["conf"].iter().map(|c| c.2).collect();
        assert_eq!(conf, ["Load", "New"]);
    }

    #[test]
    fn servemux_method_patterns_and_gin_groups() {
        let f =
            go("import \"net/http\"\nfunc main() {\n\tmux.HandleFunc(\"GET /healthz\", h)\n}\n");
        assert_eq!(f.routes[0].route, "/healthz");
        assert_eq!(f.routes[0].method.as_deref(), Some("GET"));
        let g = go(
            "import \"github.com/gin-gonic/gin\"\nfunc main() {\n\tv1 := r.Group(\"/api/v1\")\n\tv1.GET(\"/health\", h)\n}\n",
        );
        assert_eq!(g.routes[0].route, "/api/v1/health");
        // A base-path expression in front of the literal keeps the literal tail.
        let b =
            go("import \"net/http\"\nfunc main() {\n\tr.HandleFunc(baseUrl+\"/_healthz\", h)\n}\n");
        assert!(b.routes[0].is_health());
    }

    #[test]
    fn clients_with_and_without_timeout() {
        let f = go(
            "import \"net/http\"\nvar c = &http.Client{Timeout: 5 * time.Second}\nfunc a() {\n\tresp, _ := http.Get(u)\n\tc.Do(req)\n\tother.Do(req)\n}\n",
        );
        let t: Vec<_> = f.line_timeouts();
        assert_eq!(
            t,
            vec![(4, TimeoutState::Missing), (5, TimeoutState::Explicit)]
        );
    }

    #[test]
    fn package_clients_resolve_across_files() {
        let clients = extract(
            "svc/client.go",
            Lang::Go,
            false,
            "package svc\nimport \"net/http\"\nvar api = &http.Client{Timeout: 5 * time.Second}\nfunc New() *S {\n\treturn &S{raw: http.DefaultClient, local: x}\n}\nfunc f() {\n\ttmp := &http.Client{}\n\t_ = tmp\n}\n",
        );
        let user = extract(
            "svc/stock.go",
            Lang::Go,
            false,
            "package svc\nimport \"net/http\"\nfunc a(req *http.Request) {\n\tapi.Do(req)\n\ts.raw.Do(req)\n\ttmp.Do(req)\n\tcache.Get(k)\n}\n",
        );
        let calls =
            crate::facts::code::resolve_imported(&user.imported_calls, &clients.exported_clients);
        let t: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(
            t,
            vec![(4, TimeoutState::Explicit), (5, TimeoutState::Missing)]
        );
        // Another package's client is not this one.
        let elsewhere = extract(
            "other/stock.go",
            Lang::Go,
            false,
            "package other\nimport \"net/http\"\nfunc a(req *http.Request) {\n\tapi.Do(req)\n}\n",
        );
        assert!(
            crate::facts::code::resolve_imported(
                &elsewhere.imported_calls,
                &clients.exported_clients
            )
            .is_empty()
        );
    }

    #[test]
    fn exponential_loop_without_jitter() {
        let f = go(
            "import \"net/http\"\nfunc get() error {\n\tfor attempt := 0; attempt < 3; attempt++ {\n\t\tresp, err := http.Get(u)\n\t\tif err != nil {\n\t\t\ttime.Sleep(time.Duration(1<<attempt) * time.Second)\n\t\t\tcontinue\n\t\t}\n\t}\n}\n",
        );
        assert_eq!(f.retries.len(), 1);
        assert_eq!(f.retries[0].backoff, Backoff::Exponential);
        assert!(!f.retries[0].jitter);
        assert!(f.retries[0].bounded);
    }
}

#[cfg(test)]
mod project_client_tests {
    use crate::facts::code::{TimeoutState, extract, resolve_imported};
    use crate::inventory::Lang;

    /// A notifier package hands out a JSON client built on the default
    /// client; its callers in other packages are the unbounded sites.
    #[test]
    fn client_built_by_a_project_constructor() {
        let lib = extract(
            "pkg/relay/relay.go",
            Lang::Go,
            false,
            concat!(
                "package relay\n",
                "import \"net/http\"\n",
                "var Shared = NewRelay()\n",
                "func Send(u string, body interface{}) error {\n\treturn Shared.Post(u, body)\n}\n",
                "func NewRelay() Relay {\n\treturn wrap(http.DefaultClient)\n}\n",
                "func NewPatient() Relay {\n\treturn wrap(&http.Client{Timeout: 3 * time.Second})\n}\n",
                "func (r *relay) Post(u string, body any) error {\n\tres, err := r.hc.Post(u, \"application/json\", nil)\n\treturn err\n}\n",
            ),
        );
        let user = extract(
            "pkg/alerts/pager.go",
            Lang::Go,
            false,
            concat!(
                "package alerts\n",
                "import (\n\t\"fmt\"\n\t\"example.com/hub/pkg/relay\"\n)\n",
                "func Page(u string) error {\n",
                "\tr := relay.NewRelay()\n",
                "\tr.Headers().Set(\"k\", \"v\")\n",
                "\tif err := r.Post(u, nil); err != nil {\n\t\treturn err\n\t}\n",
                "\tcalm := relay.NewPatient()\n",
                "\t_ = calm.Post(u, nil)\n",
                "\treturn relay.Send(u, nil)\n",
                "}\n",
            ),
        );
        let mut got: Vec<_> = resolve_imported(&user.imported_calls, &lib.exported_clients)
            .into_iter()
            .map(|c| (c.location.line, c.timeout))
            .collect();
        got.sort_by_key(|g| g.0);
        assert_eq!(
            got,
            vec![
                (9, TimeoutState::Missing),
                (13, TimeoutState::Explicit),
                (14, TimeoutState::Missing),
            ]
        );
        // The wrapper's own line is not a finding: its caller chose the client.
        assert!(
            lib.outbound.iter().all(|c| c.location.line != 11),
            "{:?}",
            lib.outbound
        );
    }
}
