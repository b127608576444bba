//! JavaScript and TypeScript: Express/Fastify/Koa/Hono/NestJS/Next.js routes,
//! fetch and axios call sites, retry libraries and loops, OTel SDK start-up.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    Backoff, CodeFacts, HttpRoute, OtelInit, OutboundCall, RetrySite, Source, TestMarker,
    TimeoutState, classify_loop_wait,
};

fn re(p: &str) -> Regex {
    crate::facts::pattern::regex(p)
}

static SERVER_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:require\(\s*|from\s+)['"](express|fastify|hono|koa|@koa/router|koa-router|restify|@nestjs/common)['"]"#,
    )
});
static ROUTE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\b(?P<recv>[A-Za-z_$][\w$]*)\s*\.\s*(?P<method>get|post|put|patch|delete|del|all|head|options|use)\s*\(\s*['"`](?P<path>/[^'"`]*)['"`]"#,
    )
});
static ROUTER_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*new\s+(?:Koa)?Router\s*\(\s*\{[^}]*?\bprefix\s*:\s*['"`](?P<prefix>/[^'"`]*)['"`]"#,
    )
});
static FASTIFY_ROUTE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\.route\s*\(\s*\{[^}]*?\burl\s*:\s*['"`](?P<path>/[^'"`]*)['"`]"#));
static NEST_CONTROLLER: LazyLock<Regex> =
    LazyLock::new(|| re(r#"@Controller\(\s*(?:['"`](?P<prefix>[^'"`]*)['"`])?"#));
static NEST_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"@(?P<method>Get|Post|Put|Patch|Delete|All|Head)\(\s*(?:['"`](?P<path>[^'"`]*)['"`])?\s*\)"#,
    )
});
static IMPORTED_FETCH: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\bimport\s+fetch\b[^;'"]*?\bfrom\s*['"](?P<spec>[^'"]+)['"]"#));
static FETCH_CALL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[^A-Za-z0-9_$.]|\b(?:window|globalThis|self)\.)fetch\s*\("));
static AXIOS_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<recv>[A-Za-z_$][\w$]*)\s*(?:\.\s*(?P<method>get|post|put|patch|delete|head|options|request)\s*)?\(",
    )
});
static AXIOS_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*axios\s*\.\s*create\s*\(")
});
/// `private readonly http = axios.create(…)` (a class field) or
/// `this.http = axios.create(…)` (in the constructor).
static AXIOS_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)(?:^[ \t]*(?P<mods>(?:(?:private|public|protected|readonly|static|declare|override)\s+)*)|\bthis\s*\.\s*)#?(?P<name>[A-Za-z_$][\w$]*)\s*[?!]?\s*(?::[^=;\n]*)?=\s*axios(?:\s*\.\s*create\s*\(|[ \t]*(?P<module>;|$))",
    )
});
static CLASS_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bclass\s+(?P<name>[A-Za-z_$][\w$]*)(?:[^{;=<]|<(?:[^<>{}]|\{[^{}]*\}|<(?:[^<>{}]|\{[^{}]*\})*>)*>)*\{",
    )
});
static DEFAULTS_TIMEOUT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?P<recv>[A-Za-z_$][\w$]*)\.defaults\.timeout\s*="));
pub(super) static LOOP_HEAD: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?P<kind>for|while)\s*\((?P<cond>[^{]*?)\)\s*\{"));
static NODE_SDK: LazyLock<Regex> = LazyLock::new(|| re(r"\bnew\s+(?:[\w$]+\.)?NodeSDK\s*\("));
static TEST_CALL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^\s*(?:it|test|describe)(?:\.\w+)?\s*\(\s*['`\x22]"));

/// Which HTTP-client name a receiver is, for the call-site scan.
#[derive(Clone)]
struct ClientConfig {
    timeout: bool,
}

pub fn extract(src: &Source, is_test: bool, facts: &mut CodeFacts) {
    let code = &src.code;
    if is_test {
        for m in TEST_CALL.find_iter(code) {
            facts.tests.push(TestMarker {
                location: src.loc(m.start() + m.as_str().len() - m.as_str().trim_start().len()),
                framework: "js-test",
            });
        }
        return;
    }
    // Browser bundles are not the service: a client component's fetch is the
    // user's browser talking to us, not an outbound dependency.
    let browser = code.contains("'use client'") || code.contains("\"use client\"");

    let axios_instances = axios_instances(src);
    routes(src, &axios_instances, facts);
    if !browser {
        outbound(src, &axios_instances, facts);
        exports(src, &axios_instances, facts);
        imported_calls(src, &axios_instances, facts);
    }
    retries(src, facts);
    otel(src, facts);
}

/// Next.js file-system routes, read from the path (no parse needed).
pub(super) fn file_route(path: &str, text: &str, facts: &mut CodeFacts) {
    if let Some(route) = next_file_route(path) {
        let line = text
            .find("export")
            .map_or(1, |i| text[..i].matches('\n').count() as u32 + 1);
        facts.routes.push(HttpRoute {
            location: crate::facts::Location::new(path, line),
            framework: "next.js",
            method: None,
            route,
        });
    }
}

fn routes(src: &Source, clients: &HashMap<String, ClientConfig>, facts: &mut CodeFacts) {
    let code = &src.code;
    let Some(framework) = SERVER_IMPORT.captures(code).map(|c| match &c[1] {
        "express" => "express",
        "fastify" => "fastify",
        "hono" => "hono",
        "@nestjs/common" => "nestjs",
        "restify" => "restify",
        _ => "koa",
    }) else {
        return;
    };
    if framework == "nestjs" {
        let prefix = NEST_CONTROLLER
            .captures(code)
            .and_then(|c| c.name("prefix").map(|p| p.as_str().to_string()))
            .unwrap_or_default();
        for c in src.captures(&NEST_METHOD) {
            let path = c.name("path").map_or("", |p| p.as_str());
            facts.routes.push(HttpRoute {
                location: src.loc(c.get(0).unwrap().start()),
                framework,
                method: Some(c["method"].to_ascii_uppercase()),
                route: join_route(&prefix, path),
            });
        }
        return;
    }
    // Koa routers carry their prefix: `new Router({ prefix: '/v1' })`.
    let prefixes: HashMap<String, String> = src
        .captures(&ROUTER_PREFIX)
        .map(|c| (c["name"].to_string(), c["prefix"].to_string()))
        .collect();
    for c in src.captures(&ROUTE_CALL) {
        let recv = &c["recv"];
        // `axios.get('/x')` and instance calls are outbound, not routes.
        if recv == "axios"
            || recv == "request"
            || recv == "superagent"
            || clients.contains_key(recv)
        {
            continue;
        }
        let method = &c["method"];
        if method == "use" && !super::is_health_route(&c["path"]) {
            continue;
        }
        // A route has a handler after its path; `api.get('/users')` and
        // `api.get('/users', { params })` are client calls.
        let whole = c.get(0).unwrap();
        let open = whole.start() + whole.as_str().find('(').unwrap_or(0);
        if !has_handler(src.inside(open)) {
            continue;
        }
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method: Some(method.to_ascii_uppercase()),
            route: match prefixes.get(recv) {
                Some(prefix) => join_route(prefix, &c["path"]),
                None => c["path"].to_string(),
            },
        });
    }
    for c in src.captures(&FASTIFY_ROUTE) {
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method: None,
            route: c["path"].to_string(),
        });
    }
}

/// The arguments after a route's path hold a handler, not only an options
/// object: `('/x', h)`, `('/x', auth, (req, res) => …)`.
fn has_handler(args: &str) -> bool {
    let mut rest = args.trim_start();
    // Skip the path literal.
    if let Some(q) = rest.chars().next() {
        let body = &rest[q.len_utf8()..];
        rest = body.find(q).map_or("", |end| &body[end + q.len_utf8()..]);
    }
    let Some(after) = rest.trim_start().strip_prefix(',') else {
        return false;
    };
    let after = after.trim_start();
    if !after.starts_with('{') {
        return !after.is_empty();
    }
    // Fastify's `get('/x', { schema }, handler)`: options, then a handler.
    // A client's `get('/x', { params })` ends with the options.
    let mut depth = 0usize;
    for (i, ch) in after.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let rest = after[i + 1..].trim_start();
                    return rest.strip_prefix(',').is_some_and(|r| !r.trim().is_empty());
                }
            }
            _ => {}
        }
    }
    false
}

fn join_route(prefix: &str, path: &str) -> String {
    let joined = format!("/{}/{}", prefix.trim_matches('/'), path.trim_matches('/'));
    let mut out = joined.replace("//", "/");
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// Next.js file-system routes: `pages/api/**` and `app/**/route.(js|ts)`.
fn next_file_route(path: &str) -> Option<String> {
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    let trimmed = stem.strip_prefix("src/").unwrap_or(stem);
    if let Some(rest) = trimmed.strip_prefix("pages/api/") {
        let rest = rest.strip_suffix("/index").unwrap_or(rest);
        return Some(format!("/api/{}", rest.trim_end_matches("index")));
    }
    let rest = trimmed.strip_prefix("app/")?;
    let dir = rest
        .strip_suffix("/route")
        .or_else(|| (rest == "route").then_some(""))?;
    // Route groups `(marketing)` are not part of the URL.
    let segments: Vec<&str> = dir
        .split('/')
        .filter(|s| !(s.is_empty() || s.starts_with('(') && s.ends_with(')')))
        .collect();
    Some(format!("/{}", segments.join("/")))
}

fn axios_instances(src: &Source) -> HashMap<String, ClientConfig> {
    let code = &src.code;
    let mut out = HashMap::new();
    if !code.contains("axios") {
        return out;
    }
    for c in src.captures(&AXIOS_CREATE) {
        let open = c.get(0).unwrap().end() - 1;
        let args = src.inside(open);
        out.insert(
            c["name"].to_string(),
            ClientConfig {
                timeout: has_key(args, "timeout"),
            },
        );
    }
    if code.contains("class") {
        for c in src.captures(&AXIOS_MEMBER) {
            // `this.axios = axios` keeps the library itself: its calls in
            // this file are read as the library's (`axios.defaults` and all);
            // only a subclass in another module needs the member
            // ([`axios_members`]).
            if c.name("module").is_some() {
                continue;
            }
            let m = c.get(0).unwrap();
            let config = ClientConfig {
                timeout: has_key(src.inside(m.end() - 1), "timeout"),
            };
            let name = &c["name"];
            // A bare `name = axios.create()` line is a field only in a class
            // body; in a function it assigns a variable.
            let field = c.name("mods").is_some();
            let Some(owner) = member_owner(src, c.name("name").unwrap().start(), field) else {
                if field {
                    out.insert(name.to_string(), config);
                }
                continue;
            };
            if c.name("mods")
                .is_some_and(|m| m.as_str().contains("static"))
            {
                out.insert(format!("{owner}.{name}"), config.clone());
            }
            out.insert(format!("this.{name}"), config);
        }
    }
    out
}

/// The class a member binding at `at` belongs to: for a class field
/// (`field`), the class whose body holds the line directly (not a line of
/// one of its methods); for `this.x = …`, the innermost class around it.
/// Services keep their API client on the class that talks to the API
/// (`class GitHubService { private http = axios.create(…) }`) and call it
/// as `this.http.get(…)` from every method.
pub(super) fn member_owner(src: &Source, at: usize, field: bool) -> Option<String> {
    let code = &src.code;
    let (name, open) = src
        .captures(&CLASS_HEAD)
        .filter_map(|c| {
            let open = c.get(0)?.end() - 1;
            let close = src.matching(open)?;
            (open < at && at < close).then(|| (c["name"].to_string(), open))
        })
        .max_by_key(|(_, open)| *open)?;
    if field {
        let mut depth = 0i32;
        for (i, b) in code[open + 1..at].bytes().enumerate() {
            if matches!(b, b'{' | b'}') && src.is_code(open + 1 + i) {
                depth += if b == b'{' { 1 } else { -1 };
            }
        }
        if depth != 0 {
            return None;
        }
    }
    Some(name)
}

/// `this.http` for a call at `at` on `http` written `this.http` or
/// `this.#http`, `Api.http` for a static field, `.http` after any other
/// expression; `None` for a bare name.
fn member_receiver(code: &str, at: usize, name: &str) -> Option<String> {
    let before = code[..at].trim_end();
    let before = before.strip_suffix('#').unwrap_or(before).trim_end();
    let before = before.strip_suffix('.')?.trim_end();
    let owner: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Some(format!("{owner}.{name}"))
}

static IMPORT_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:\bimport\s+(?P<a>[A-Za-z_$][\w$]*)\s+from|\b(?:const|let|var)\s+(?P<b>[A-Za-z_$][\w$]*)\s*=\s*require\()\s*['"](?P<spec>\.{1,2}/[^'"]+)['"]"#,
    )
});
static IMPORT_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:\bimport\s*\{(?P<a>[^}]*)\}\s*from|\b(?:const|let|var)\s*\{(?P<b>[^}]*)\}\s*=\s*require\()\s*['"](?P<spec>\.{1,2}/[^'"]+)['"]"#,
    )
});
static CLIENT_METHOD_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<recv>[A-Za-z_$][\w$]*)\s*\.\s*(?P<method>get|post|put|patch|delete|head|request)\s*\(",
    )
});
static EXPORT_CREATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:\bexport\s+default|\bmodule\.exports\s*=)\s*axios\s*\.\s*create\s*\(")
});

/// Axios instances this module exports, by default or by name.
fn exports(src: &Source, instances: &HashMap<String, ClientConfig>, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("export") {
        return;
    }
    for c in src.captures(&EXPORT_CREATE) {
        let open = c.get(0).unwrap().end() - 1;
        facts.exported_clients.push(super::ExportedClient {
            location: src.loc(c.get(0).unwrap().start()),
            client: "axios",
            export: None,
            timeout: bounded(has_key(src.inside(open), "timeout")),
        });
    }
    for (name, cfg) in instances {
        let default = [
            format!("export default {name}"),
            format!("module.exports = {name}"),
        ]
        .iter()
        .any(|p| code.contains(p.as_str()));
        let named = [
            format!("export const {name}"),
            format!("export let {name}"),
            format!("exports.{name} ="),
        ]
        .iter()
        .any(|p| code.contains(p.as_str()))
            || EXPORT_LIST.captures_iter(code).any(|l| {
                l["names"]
                    .split(',')
                    .any(|n| n.split_whitespace().next() == Some(name.as_str()))
            });
        let at = code.find(&format!("{name} =")).map_or(0, |i| i);
        for export in [default.then_some(None), named.then(|| Some(name.clone()))]
            .into_iter()
            .flatten()
        {
            facts.exported_clients.push(super::ExportedClient {
                location: src.loc(at),
                client: "axios",
                export,
                timeout: bounded(cfg.timeout),
            });
        }
    }
}

static EXPORT_LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:\bexport\s*\{|\bmodule\.exports\s*=\s*\{)(?P<names>[^}]*)\}"));

/// Calls through a binding imported from a relative module of the app:
/// `import api from './lib/http'; api.get(…)`. The binding's client is not
/// known here; merging resolves it against the module's exports.
fn imported_calls(src: &Source, local: &HashMap<String, ClientConfig>, facts: &mut CodeFacts) {
    let code = &src.code;
    if !(code.contains("import") || code.contains("require(")) {
        return;
    }
    let mut bindings: HashMap<String, (String, Option<String>)> = HashMap::new();
    for c in src.captures(&IMPORT_DEFAULT) {
        let name = c.name("a").or_else(|| c.name("b")).unwrap().as_str();
        bindings.insert(name.to_string(), (c["spec"].to_string(), None));
    }
    for c in src.captures(&IMPORT_NAMED) {
        let list = c.name("a").or_else(|| c.name("b")).unwrap().as_str();
        for item in list.split(',') {
            // `api`, `api as http` (ESM), `api: http` (destructuring).
            let mut words = item
                .split(|ch: char| ch.is_whitespace() || ch == ':')
                .filter(|w| !w.is_empty() && *w != "as");
            let Some(exported) = words.next() else {
                continue;
            };
            let bound = words.next().unwrap_or(exported);
            bindings.insert(
                bound.to_string(),
                (c["spec"].to_string(), Some(exported.to_string())),
            );
        }
    }
    if bindings.is_empty() {
        return;
    }
    for c in src.captures(&CLIENT_METHOD_CALL) {
        let recv = &c["recv"];
        if local.contains_key(recv) {
            continue;
        }
        let Some((spec, export)) = bindings.get(recv) else {
            continue;
        };
        let open = c.get(0).unwrap().end() - 1;
        facts.imported_calls.push(super::ImportedCall {
            location: src.loc(open),
            call: format!("{recv}.{}", &c["method"]),
            link: super::Link::Module(spec.clone()),
            export: export.clone(),
        });
    }
}

fn bounded(timeout: bool) -> TimeoutState {
    if timeout {
        TimeoutState::Explicit
    } else {
        TimeoutState::Missing
    }
}

/// `key:` or `key,` (shorthand property) appears in an object literal.
fn has_key(args: &str, key: &str) -> bool {
    super::names_key(args, key, false)
}

fn outbound(src: &Source, instances: &HashMap<String, ClientConfig>, facts: &mut CodeFacts) {
    let code = &src.code;
    if code.contains("fetch") {
        let mut functions: Option<Vec<(String, usize, usize)>> = None;
        let node_fetch = code.contains("'node-fetch'") || code.contains("\"node-fetch\"");
        // `import fetch from '@server/utils/fetch'`: the project's own fetch
        // (or cross-fetch, node-fetch 2 underneath) takes a `timeout` option
        // that callers pass; the global fetch and undici's ignore it.
        let own_fetch = code.contains("import fetch")
            && src
                .captures(&IMPORTED_FETCH)
                .any(|c| !matches!(&c["spec"], "undici" | "node:undici"));
        for m in src.matches(&FETCH_CALL) {
            let open = m.end() - 1;
            let args = src.inside(open);
            let first = args.trim_start();
            // Same-origin relative URLs are browser calls to this very app.
            if first.starts_with("'/") || first.starts_with("\"/") || first.starts_with("`/") {
                continue;
            }
            // `fetch(new URL('../assets/font.ttf', import.meta.url))` reads a
            // file bundled with the app, not the network; an absolute first
            // argument (`${baseUrl}/fonts/x.ttf`) ignores the base and goes out.
            if let Some(url_args) = first.strip_prefix("new URL(")
                && first.contains("import.meta.url")
                && local_url(url_args.trim_start())
            {
                continue;
            }
            if is_definition(src, m.start(), open) {
                continue;
            }
            // node-fetch 2 also takes a non-standard `timeout` option.
            let own_bound = has_key(args, "signal")
                || args.contains("AbortSignal.timeout")
                || (node_fetch || own_fetch) && has_key(args, "timeout");
            // A wrapper (`safeFetch(url, options)`) that spreads its caller's
            // options into fetch: the caller decides the signal, so this line
            // is not the site. (Its callers are not followed yet.)
            if !own_bound {
                // A class method (`async fetch(url, options)` of a base
                // class that every provider calls as `this.fetch`) too.
                let fns = functions.get_or_insert_with(|| super::shapes::js_heads(src));
                if forwards_caller_options(code, args, open, fns) {
                    continue;
                }
            }
            let bounded = own_bound;
            facts.outbound.push(OutboundCall {
                location: src.loc(open),
                client: if node_fetch { "node-fetch" } else { "fetch" },
                timeout: if bounded {
                    TimeoutState::Explicit
                } else {
                    TimeoutState::Missing
                },
                note: if bounded {
                    "fetch with an abort signal or timeout".into()
                } else {
                    "fetch, no AbortSignal: fetch never times out by itself".into()
                },
            });
        }
    }
    if !code.contains("axios") {
        return;
    }
    let defaults = axios_defaults(src);
    let mut forwarders: Option<Vec<(usize, usize)>> = None;
    let mut classes: Option<super::shapes::JsClassIndex> = None;
    for AxiosCall {
        m,
        recv,
        method,
        member,
        instance,
    } in axios_calls(src, instances)
    {
        // `this.axios.get(…)` in a subclass whose base class builds
        // `this.axios = axios.create(…)` in another module: that instance,
        // judged where the module of the base is read (shapes.rs), not the
        // library's default export.
        if member.as_deref() == Some("this.axios")
            && instance.is_none()
            && classes
                .get_or_insert_with(|| super::shapes::JsClassIndex::new(src))
                .has_base_at(m.start())
        {
            continue;
        }
        let open = m.end() - 1;
        let args = src.inside(open);
        let per_call = has_key(args, "timeout");
        let configured = instance.is_some_and(|i| i.timeout) || defaults.contains_key(recv);
        // A wrapper (`get<T>(endpoint, config?)` of an API base class) that
        // hands its caller's request config to a client with no timeout:
        // the caller decides, so this line is not the site (shapes.rs
        // judges each caller).
        if !per_call
            && !configured
            && forwarders
                .get_or_insert_with(|| {
                    axios_forwarders(src, instances, &defaults, &super::shapes::js_heads(src))
                })
                .iter()
                .any(|(o, _)| *o == open)
        {
            continue;
        }
        let name = match method {
            Some(m) => format!("{recv}.{m}"),
            None => recv.to_string(),
        };
        let (timeout, note) = if per_call {
            (
                TimeoutState::Explicit,
                format!("{name} with a per-call timeout"),
            )
        } else if configured {
            (
                TimeoutState::Explicit,
                format!("{name} through a client configured with a timeout"),
            )
        } else {
            (
                TimeoutState::Missing,
                format!("{name}, no timeout: axios defaults to none"),
            )
        };
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "axios",
            timeout,
            note,
        });
    }
}

/// An axios call of a file, on the library or on one of its instances:
/// the match (up to the call's `(`), the receiver as resolved (`axios`, a
/// local instance, or `this.http` for a client kept on the class), the verb
/// (`None` for `axios(url, config)`), the member written before the verb
/// (`this.http`) and the instance's configuration.
struct AxiosCall<'s> {
    m: regex::Match<'s>,
    recv: &'s str,
    method: Option<&'s str>,
    member: Option<String>,
    instance: Option<&'s ClientConfig>,
}

/// The axios calls of a file ([`AxiosCall`]), read with `find_iter` and
/// the groups taken off the match (every call of the file matches, and a
/// captures search ran a second engine over each): `recv` is the
/// identifier the match starts with, `method` the word between a following
/// `.` and the closing `(`. `other.http.get(…)` is some object's member,
/// not the local `http`: skipped.
fn axios_calls<'s>(
    src: &'s Source,
    instances: &'s HashMap<String, ClientConfig>,
) -> impl Iterator<Item = AxiosCall<'s>> {
    src.matches(&AXIOS_CALL).filter_map(move |m| {
        let text = m.as_str();
        let len = text
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$')
            .count();
        let recv = &text[..len];
        let method = text[len..text.len() - 1]
            .trim_start()
            .strip_prefix('.')
            .map(str::trim);
        let member = member_receiver(&src.code, m.start(), recv);
        let (recv, instance) = match member.as_deref().map(|m| instances.get_key_value(m)) {
            Some(Some((key, config))) => (key.as_str(), Some(config)),
            Some(None) if recv != "axios" => return None,
            _ => (recv, instances.get(recv)),
        };
        (recv == "axios" || instance.is_some()).then_some(AxiosCall {
            m,
            recv,
            method,
            member,
            instance,
        })
    })
}

/// The receivers whose `defaults.timeout` the file sets
/// (`axios.defaults.timeout = 5000`, `api.defaults.timeout = …`).
fn axios_defaults<'s>(src: &'s Source) -> HashMap<&'s str, bool> {
    src.captures(&DEFAULTS_TIMEOUT)
        .map(|c| (c.name("recv").unwrap().as_str(), true))
        .collect()
}

/// Whether a `fetch` inside a function sends options its caller handed in:
/// see [`caller_options_param`].
pub(super) fn forwards_caller_options(
    code: &str,
    args: &str,
    at: usize,
    functions: &[(String, usize, usize)],
) -> bool {
    caller_options_param(code, args, at, functions).is_some()
}

/// Axios calls, on axios itself or an instance built without a timeout,
/// whose request config is the caller's: (offset of the call's `(`, index
/// of the parameter of the function around it that carries the config).
/// API clients keep one such method per verb (`get<T>(endpoint, config?)`
/// → `this.axios.get<T>(endpoint, config)`) and every other method calls
/// it; the config is an argument by position: second for `get`, `delete`,
/// `head`, `options` and `axios(url, config)`, third for `post`, `put`,
/// `patch`, first for `request(config)`.
fn axios_forwarders(
    src: &Source,
    instances: &HashMap<String, ClientConfig>,
    defaults: &HashMap<&str, bool>,
    functions: &[(String, usize, usize)],
) -> Vec<(usize, usize)> {
    let code = &src.code;
    let mut out = Vec::new();
    for AxiosCall {
        m,
        recv,
        method,
        instance,
        ..
    } in axios_calls(src, instances)
    {
        if instance.is_some_and(|i| i.timeout) || defaults.contains_key(recv) {
            continue;
        }
        let open = m.end() - 1;
        let args = src.inside(open);
        if has_key(args, "timeout") || has_key(args, "signal") {
            continue;
        }
        let parts = super::shapes::split_top(args);
        let index = match method {
            Some("get" | "delete" | "head" | "options") => 1,
            Some("post" | "put" | "patch") => 2,
            Some("request") => 0,
            None if parts.len() >= 2 => 1,
            _ => continue,
        };
        let Some(options) = parts.get(index) else {
            continue;
        };
        if let Some(param) = forwarded_param(code, options.trim(), open, functions) {
            out.push((open, param));
        }
    }
    out
}

/// [`axios_forwarders`] of a file: the axios calls that make the function
/// around them a wrapper judged at its callers.
pub(super) fn axios_wrapper_calls(
    src: &Source,
    functions: &[(String, usize, usize)],
) -> Vec<(usize, usize)> {
    let instances = axios_instances(src);
    let defaults = axios_defaults(src);
    axios_forwarders(src, &instances, &defaults, functions)
}

/// Axios instances kept on a class: (class, field, offset of the
/// construction's `(` — or of the `;`/line end after `= axios` when the
/// field holds the library's default export — whether it sets a timeout). `this.axios =
/// axios.create({ baseURL, headers })` in an API base class's constructor
/// is the client of every subclass's `this.axios.get(…)`, in whatever
/// module the subclass is.
pub(super) fn axios_members(src: &Source) -> Vec<(String, String, usize, bool)> {
    let code = &src.code;
    let mut out = Vec::new();
    if !(code.contains("axios") && code.contains("class")) {
        return out;
    }
    for c in src.captures(&AXIOS_MEMBER) {
        let m = c.get(0).unwrap();
        let open = m.end() - 1;
        let field = c.name("mods").is_some();
        if c.name("mods")
            .is_some_and(|m| m.as_str().contains("static"))
        {
            continue;
        }
        let Some(owner) = member_owner(src, c.name("name").unwrap().start(), field) else {
            continue;
        };
        // `this.axios = axios`: the library's default export kept on the
        // class, with its default of no timeout unless the module sets
        // `axios.defaults.timeout`.
        let timeout = if c.name("module").is_some() {
            code.contains("axios.defaults.timeout")
        } else {
            has_key(src.inside(open), "timeout")
        };
        out.push((owner, c["name"].to_string(), open, timeout));
    }
    out
}

/// Which parameter of the function around a `fetch` at `at` carries the
/// request options its caller decides (and with them the `signal`), if any.
/// Wrappers pass them on in several shapes: spread (`{ ...init }`), whole
/// (`fetch(url, init)`), after destructuring (`const { hops, ...rest } =
/// options`), through locals derived from a parameter, or through a helper
/// of the same file that spreads what it is given
/// (`fetch(u, build({ method, baseOptions }))` where `build` returns
/// `{ ...baseOptions, … }`). A parameter that only feeds the body or a
/// header (`{ method, body: JSON.stringify(data) }`) is not the caller's
/// options: that `fetch` stays the site.
pub(super) fn caller_options_param(
    code: &str,
    args: &str,
    at: usize,
    functions: &[(String, usize, usize)],
) -> Option<usize> {
    let parts = super::shapes::split_top(args);
    forwarded_param(code, parts.get(1)?.trim(), at, functions)
}

/// Which parameter of the function around a call at `at` the argument
/// `options` (the call's request options, as written) passes on, if any:
/// the shapes of [`caller_options_param`].
fn forwarded_param(
    code: &str,
    options: &str,
    at: usize,
    functions: &[(String, usize, usize)],
) -> Option<usize> {
    let (name, open, close) = innermost(functions, at)?;
    let derived = derived_from_params(code, name, *open, *close, at);
    let origin = |ident: &str| derived.iter().find(|(n, _)| n == ident).map(|(_, p)| *p);
    // Whole: `fetch(url, init)`.
    if let Some(p) = origin(options) {
        return Some(p);
    }
    // Spread: `{ ...init, redirect: 'manual' }`.
    if let Some(p) = spread_idents(options).find_map(origin) {
        return Some(p);
    }
    // Through a helper of this file that spreads its argument's fields.
    let callee: String = options
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    let call = options[callee.len()..].trim_start();
    if callee.is_empty() || !call.starts_with('(') {
        return None;
    }
    let (_, hs, he) = functions.iter().find(|(n, _, _)| *n == callee)?;
    let helper_params = header_params(code, &callee, *hs);
    let helper_derived = derived_from_params(code, &callee, *hs, *he, *he);
    let call_args = super::shapes::split_top(call.get(1..call.rfind(')')?)?);
    // Each field the helper spreads, traced back to the argument (or the
    // argument's key) it came from in this call.
    spread_idents(&code[*hs..*he]).find_map(|spread| {
        let (_, pi) = helper_derived.iter().find(|(n, _)| n == spread)?;
        let arg = call_args.get(*pi)?;
        let value = if helper_params.get(*pi).is_some_and(|(_, d)| *d) {
            key_value(arg, spread)?
        } else {
            arg
        };
        idents(value).find_map(origin)
    })
}

/// The value of `key` in an object literal: `key: value` up to the next
/// top-level comma, or the key itself for a shorthand `{ key }`.
fn key_value<'t>(object: &'t str, key: &str) -> Option<&'t str> {
    let inner = object.trim().strip_prefix('{')?.strip_suffix('}')?;
    super::shapes::split_top(inner)
        .into_iter()
        .find_map(|entry| {
            let entry = entry.trim();
            match entry.split_once(':') {
                Some((k, v)) if k.trim() == key => Some(v.trim()),
                None if entry == key => Some(entry),
                _ => None,
            }
        })
}

/// The innermost function holding `at`.
fn innermost(functions: &[(String, usize, usize)], at: usize) -> Option<&(String, usize, usize)> {
    functions
        .iter()
        .filter(|(_, s, e)| (*s..*e).contains(&at))
        .min_by_key(|(_, s, e)| e - s)
}

/// The parameters of the function `name` whose body is `code[open..close]`,
/// and the locals declared before `until` from an expression that uses one
/// of them (`const { a, ...rest } = options`, `let cur = a`), each with the
/// index of the parameter it comes from.
fn derived_from_params(
    code: &str,
    name: &str,
    open: usize,
    close: usize,
    until: usize,
) -> Vec<(String, usize)> {
    let mut derived: Vec<(String, usize)> = Vec::new();
    for (i, (names, _)) in header_params(code, name, open).into_iter().enumerate() {
        derived.extend(names.into_iter().map(|n| (n, i)));
    }
    if derived.is_empty() {
        return derived;
    }
    let body = &code[open..until.clamp(open, close)];
    for c in DECLARATION.captures_iter(body) {
        let from =
            idents(&c["rhs"]).find_map(|i| derived.iter().find(|(n, _)| n == i).map(|(_, p)| *p));
        if let Some(p) = from {
            for local in idents(&c["pat"]) {
                if !derived.iter().any(|(n, _)| n == local) {
                    derived.push((local.to_string(), p));
                }
            }
        }
    }
    derived
}

/// The parameters of the function `name` whose body opens at `open`, in
/// order: a destructured one (`{ method, extra }`) names each field (and is
/// marked `true`); a plain one (`init = {}`, `opts?: T`, `...rest`) is its
/// first word.
fn header_params(code: &str, name: &str, open: usize) -> Vec<(Vec<String>, bool)> {
    let head_start = code[..open].rfind(name).unwrap_or(open);
    let header = &code[head_start..open];
    let Some(p_open) = header.find('(') else {
        return Vec::new();
    };
    let p_close = header.rfind(')').unwrap_or(header.len()).max(p_open + 1);
    super::shapes::split_top(&header[p_open + 1..p_close])
        .into_iter()
        .map(|param| {
            let param = param.trim().trim_start_matches("...");
            let destructured = param.starts_with(['{', '[']);
            let names = idents(param)
                .take(if destructured { usize::MAX } else { 1 })
                .map(str::to_string)
                .collect();
            (names, destructured)
        })
        .collect()
}

/// `const|let|var <name or destructuring> = <expression to the end of the line>`.
static DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:const|let|var)\s+(?P<pat>\{[^}]*\}|\[[^\]]*\]|[A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*(?P<rhs>[^;\n]+)",
    )
});

/// Identifiers in a piece of code (keys and members included).
fn idents(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.chars().next().is_some_and(|c| !c.is_ascii_digit()))
}

/// The identifiers spread with `...`.
fn spread_idents(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("...").filter_map(|(i, _)| {
        let rest = &text[i + 3..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        (len > 0).then(|| &rest[..len])
    })
}

/// A literal first argument of `new URL(…, import.meta.url)` that names a
/// file next to the module (`'./font.ttf'`, `'../assets/x.wasm'`), not an
/// absolute URL or an interpolated base.
fn local_url(arg: &str) -> bool {
    let mut chars = arg.chars();
    matches!(chars.next(), Some('\'' | '"' | '`'))
        && !(chars.as_str().starts_with("http") || chars.as_str().starts_with("${"))
}

/// `function fetch(` / `async fetch(` / `fetch(x) {` is a definition, not a call.
/// `function fetch(…)`, `async fetch(…)` or a method shorthand `fetch(x) {`
/// defines a fetch, it does not call one. The parenthesis closing the
/// arguments is found string-aware: a GraphQL query in a template literal
/// (`body: JSON.stringify({ query: `publications (first: 50) { … }` })`)
/// holds a `)` followed by `{` that is text, not a method body.
fn is_definition(src: &Source, at: usize, open: usize) -> bool {
    let code = &src.code;
    let before = code[..at].trim_end();
    before.ends_with("function")
        || before.ends_with("async")
        || src
            .matching(open)
            .is_some_and(|close| code[close + 1..].trim_start().starts_with('{'))
}

fn retries(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    super::temporal::js_policies(src, facts);
    if code.contains("axiosRetry(") {
        for (i, _) in src.find_all("axiosRetry(").map(|i| (i, ())) {
            let args = src.inside(i + "axiosRetry".len());
            let exponential = args.contains("exponentialDelay");
            let (backoff, jitter) = if exponential {
                // axios-retry's exponentialDelay adds up to 20% random jitter.
                (Backoff::Exponential, true)
            } else if args.contains("retryDelay") {
                let (b, j) = classify_loop_wait(&format!("delay( {args}"));
                (b, j)
            } else {
                (Backoff::None, false)
            };
            facts.retries.push(RetrySite {
                location: src.loc(i),
                mechanism: "axios-retry",
                backoff,
                jitter,
                // `retries` defaults to 3.
                bounded: !args.contains("Infinity"),
                through: None,
            });
        }
    }
    for (name, mechanism) in [("pRetry(", "p-retry"), ("retry(", "async-retry")] {
        let imported = match mechanism {
            "p-retry" => code.contains("p-retry"),
            _ => code.contains("async-retry"),
        };
        if !imported {
            continue;
        }
        for (i, _) in src.find_all(name).map(|i| (i, ())) {
            if i > 0 && code.as_bytes()[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let args = src.inside(i + name.len() - 1);
            // p-retry: exponential (factor 2), randomize off by default.
            // async-retry: exponential, randomize on by default.
            let jitter = match mechanism {
                "p-retry" => args.contains("randomize: true"),
                _ => !args.contains("randomize: false"),
            };
            facts.retries.push(RetrySite {
                location: src.loc(i),
                mechanism,
                backoff: if args.contains("factor: 1") {
                    Backoff::Constant
                } else {
                    Backoff::Exponential
                },
                jitter,
                bounded: !args.contains("forever") && !args.contains("Infinity"),
                through: None,
            });
        }
    }
    super::retry_loops(
        src,
        facts,
        &["fetch(", "axios", ".get(", ".post(", ".request("],
    );
}

fn otel(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    // Only a file naming OpenTelemetry (the js `otel` trigger words of
    // rules/triggers.toml) can start it.
    if !super::triggers::words_reading("js", "otel").any(|w| code.contains(w)) {
        return;
    }
    // `new NodeSDK(` or namespaced `new opentelemetry.NodeSDK(`.
    if let Some(m) = NODE_SDK.find(code) {
        facts.otel_inits.push(OtelInit {
            location: src.loc(m.start()),
            how: "NodeSDK",
        });
        return;
    }
    // `registerOTel(`, `provider.register()`, the auto-instrumentation
    // preload: rows of rules/triggers.toml.
    for row in super::triggers::otel_inits("js") {
        if row.requires.as_deref().is_some_and(|r| !code.contains(r)) {
            continue;
        }
        if let Some(i) = code.find(&row.needle) {
            facts.otel_inits.push(OtelInit {
                location: src.loc(i),
                how: &row.how,
            });
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{Backoff, TimeoutState, extract};
    use crate::inventory::Lang;

    fn js(text: &str) -> crate::facts::code::CodeFacts {
        extract("src/a.js", Lang::JavaScript, false, text)
    }

    #[test]
    fn express_routes_not_axios_calls() {
        let f = js(
            "const express = require('express');\nconst app = express();\napp.get('/healthz', h);\naxios.get('/users');\n",
        );
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.routes[0].route, "/healthz");
        assert_eq!(f.routes[0].location.line, 3);
    }

    #[test]
    fn client_calls_on_imported_bindings_are_not_routes() {
        let f = js(concat!(
            "const express = require('express');\n",
            "const api = require('./lib/api');\n",
            "const app = express();\n",
            "app.get('/health', (req, res) => res.send('ok'));\n",
            "app.get('/users', auth, list);\n",
            "const users = await api.get('/users');\n",
            "const one = await api.get('/users/1', { params: { a: 1 } });\n",
            "app.get('/status',\n  h);\n",
            "app.get('/ready', { schema: { response: {} } }, async () => ({ ok: true }));\n",
        ));
        let routes: Vec<_> = f.routes.iter().map(|r| r.route.as_str()).collect();
        assert_eq!(routes, ["/health", "/users", "/status", "/ready"]);
        let koa = js(
            "import Router from '@koa/router';\nconst ops = new Router({ prefix: '/ops/' });\nops.get('/healthz', (ctx) => { ctx.body = 'ok'; });\n",
        );
        assert_eq!(koa.routes[0].route, "/ops/healthz");
    }

    #[test]
    fn axios_instance_timeout_carries_to_calls() {
        let f = js(
            "import axios from 'axios';\nconst api = axios.create({ baseURL: u, timeout: 5000 });\nconst raw = axios.create({ baseURL: u });\nasync function a() { return api.get('/x'); }\nasync function b() { return raw.post('/y', {}); }\naxios.get(u, { timeout: 1000 });\n",
        );
        let states: Vec<_> = f.line_timeouts();
        assert_eq!(
            states,
            vec![
                (4, TimeoutState::Explicit),
                (5, TimeoutState::Missing),
                (6, TimeoutState::Explicit)
            ]
        );
    }

    #[test]
    fn fetch_needs_a_signal() {
        let f = js(
            "await fetch(url, { signal: AbortSignal.timeout(3000) });\nawait fetch(url);\n// fetch(commented)\nawait fetch('/api/local');\n",
        );
        assert_eq!(f.outbound.len(), 2);
        assert!(f.outbound[0].timeout.is_bounded());
        assert_eq!(f.outbound[1].timeout, TimeoutState::Missing);
    }

    #[test]
    fn a_wrapper_forwarding_its_callers_options_is_not_the_site() {
        let f = js(concat!(
            "export async function guardedFetch(url, options = {}) {\n",
            "  const { hops = 3, ...init } = options;\n",
            "  return fetch(url, { ...init, redirect: 'manual' });\n",
            "}\n",
            "export async function relay(url, init) {\n",
            "  return fetch(url, { ...init, headers: { a: 'b' } });\n",
            "}\n",
            "export async function fixed(url) {\n",
            "  const defaults = { method: 'GET' };\n",
            "  return fetch(url, { ...defaults });\n",
            "}\n",
        ));
        let lines: Vec<u32> = f.outbound.iter().map(|c| c.location.line).collect();
        assert_eq!(lines, vec![10]);
    }

    #[test]
    fn options_reach_fetch_through_locals_and_a_helper_of_the_file() {
        // A proxying wrapper: the caller's options are destructured, kept
        // in locals, and rebuilt by a helper that spreads them.
        let f = js(concat!(
            "function build({ method, extra }) {\n",
            "  return { ...extra, method, redirect: 'manual' };\n",
            "}\n",
            "export const viaProxy = async (url, options = {}, proxy) => {\n",
            "  const { hops, method: first, ...extra } = options;\n",
            "  let method = first;\n",
            "  return fetch(url, build({ method, extra }));\n",
            "};\n",
            "export async function whole(url, init) {\n",
            "  return fetch(url, init);\n",
            "}\n",
            // A parameter that only feeds the body is not the caller's options.
            "export async function post(url, data) {\n",
            "  return fetch(url, { method: 'POST', body: JSON.stringify(data) });\n",
            "}\n",
            "export async function tagged(url, method) {\n",
            "  return fetch(url, build({ method }));\n",
            "}\n",
        ));
        let lines: Vec<u32> = f.outbound.iter().map(|c| c.location.line).collect();
        assert_eq!(lines, vec![13, 16]);
    }

    #[test]
    fn bundled_assets_and_generated_files_are_not_calls() {
        let f = js(
            "const font = await fetch(new URL('../../assets/Inter.ttf', import.meta.url));\nawait fetch(new URL(path, base));\nconst og = await fetch(new URL(`${siteUrl}/fonts/mono.ttf`, import.meta.url));\n",
        );
        // An absolute first argument ignores `import.meta.url`: a download
        // from the site at request time (an opengraph image loader).
        let lines: Vec<u32> = f.outbound.iter().map(|c| c.location.line).collect();
        assert_eq!(lines, vec![2, 3]);
        let generated = crate::facts::code::extract(
            "client_gen.go",
            crate::inventory::Lang::Go,
            false,
            "// Package client provides primitives.\n//\n// Code generated by oapi-codegen version v1.12.4 DO NOT EDIT.\npackage client\nimport \"net/http\"\nfunc f() { http.Get(u) }\n",
        );
        assert!(generated.outbound.is_empty());
    }

    #[test]
    fn temporal_activity_retry_policies() {
        let f = extract(
            "src/workflows/post.ts",
            Lang::TypeScript,
            false,
            "import { proxyActivities } from '@temporalio/workflow';\nconst a = proxyActivities<Acts>({\n  startToCloseTimeout: '1 minute',\n  retry: {\n    maximumAttempts: 3,\n    backoffCoefficient: 1,\n    initialInterval: '2 minutes',\n  },\n});\nconst b = proxyActivities({ retry: { initialInterval: '1s', maximumAttempts: 0 } });\nconst c = proxyActivities({ startToCloseTimeout: '1 minute' });\nconst d = proxyActivities({ retry: { maximumAttempts: 1 } });\n",
        );
        let got: Vec<_> = f
            .retries
            .iter()
            .map(|r| (r.location.line, r.backoff, r.jitter, r.bounded))
            .collect();
        assert_eq!(
            got,
            vec![
                (4, Backoff::Constant, false, true),
                // Coefficient 2 by default; 0 attempts is for ever.
                (10, Backoff::Exponential, false, false),
                // No `retry` key: Temporal's default policy, unbounded
                // (src/facts/code/temporal.rs).
                (11, Backoff::Exponential, false, false),
            ]
        );
    }

    #[test]
    fn retry_loop_without_delay() {
        let f = js(
            "async function get(u) {\n  for (let i = 0; i < 5; i++) {\n    try { return await axios.get(u) } catch (e) {}\n  }\n}\n",
        );
        assert_eq!(f.retries.len(), 1);
        assert_eq!(f.retries[0].backoff, Backoff::None);
        assert!(f.retries[0].bounded);
        assert_eq!(f.retries[0].location.line, 2);
    }

    #[test]
    fn namespaced_node_sdk_and_status_retry() {
        let f = js(
            "const opentelemetry = require('@opentelemetry/sdk-node');\nif (on) {\n  const sdk = new opentelemetry.NodeSDK({});\n  sdk.start();\n}\n",
        );
        assert_eq!(f.otel_inits[0].location.line, 3);
        let r = js(
            "async function poll(u) {\n  let attempts = 0;\n  while (attempts < 3) {\n    const res = await fetch(u);\n    if (res.ok) break;\n    await sleep(5000);\n    attempts++;\n  }\n}\n",
        );
        assert_eq!(r.retries.len(), 1);
        assert_eq!(r.retries[0].backoff, Backoff::Constant);
        assert!(r.retries[0].bounded);
    }

    #[test]
    fn code_quoted_in_strings_is_not_code() {
        // Seen in real apps: usage examples in error messages and template
        // strings that quote a route or a call.
        let f = js(
            "const express = require('express');\nconst help = \"try app.get('/healthz', h) or fetch(url)\";\nconst t = `axios.get(${u})`;\n",
        );
        assert!(f.routes.is_empty(), "{:?}", f.routes);
        assert!(f.outbound.is_empty(), "{:?}", f.outbound);
        let broken =
            js("const express = require('express');\napp.get('/healthz', (req, res) => {\n");
        assert!(broken.unparsed.is_some());
        assert!(broken.routes.is_empty());
    }

    #[test]
    fn next_routes_from_paths() {
        assert_eq!(
            super::next_file_route("pages/api/health.ts").as_deref(),
            Some("/api/health")
        );
        assert_eq!(
            super::next_file_route("src/app/(ops)/api/healthz/route.ts").as_deref(),
            Some("/api/healthz")
        );
        assert_eq!(super::next_file_route("app/page.tsx"), None);
    }

    #[test]
    fn an_imported_fetch_takes_its_timeout_option() {
        let wrapped = js(
            "import fetch from '@server/utils/fetch';\nexport const a = (u) => fetch(u, { timeout: 10000 });\nexport const b = (u) => fetch(u);\n",
        );
        let global = js("export const a = (u) => fetch(u, { timeout: 10000 });\n");
        let undici = js(
            "import fetch from 'undici';\nexport const a = (u) => fetch(u, { timeout: 10000 });\n",
        );
        let t = |f: &crate::facts::code::CodeFacts| {
            f.outbound
                .iter()
                .map(|c| c.timeout.is_bounded())
                .collect::<Vec<_>>()
        };
        assert_eq!(t(&wrapped), vec![true, false]);
        assert_eq!(
            t(&global),
            vec![false],
            "the global fetch ignores `timeout`"
        );
        assert_eq!(t(&undici), vec![false]);
    }
}
