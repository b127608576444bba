//! Rust: axum, actix-web and rocket routes; reqwest call sites (the crate-level
//! `reqwest::get` has no timeout, a `Client` has none unless built with one);
//! retry crates and loops; OpenTelemetry pipelines. Rust tests are inline
//! (`#[test]` in `src/`), so test markers are read from every file.

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

static AXUM_ROUTE: LazyLock<Regex> = LazyLock::new(|| re(r#"\.route\(\s*"(?P<path>/[^"]*)""#));
static AXUM_NEST: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"\.nest\(\s*"(?P<prefix>/[^"]*)"\s*,\s*(?:[\w:]+::)?(?P<target>\w+)\s*(?P<call>\()?"#)
});
static ATTR_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"#\[(?:actix_web::)?(?:rocket::)?(?P<method>get|post|put|patch|delete|head|route)\(\s*"(?P<path>/[^"]*)""#,
    )
});
static RESOURCE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"web::(?:resource|scope)\(\s*"(?P<path>/[^"]*)""#));
static FREE_GET: LazyLock<Regex> =
    LazyLock::new(|| re(r"\breqwest::(?P<blocking>blocking::)?get\("));
static CLIENT_LET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"let\s+(?:mut\s+)?(?P<name>\w+)\s*(?::\s*[\w:]+\s*)?=\s*(?:reqwest::)?(?P<blocking>blocking::)?Client::(?P<ctor>new|builder|default)\(",
    )
});
static CLIENT_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<name>\w+)\s*:\s*(?:reqwest::)?(?P<blocking>blocking::)?(?:Client::(?P<ctor>new|builder|default)|ClientBuilder::new)\(",
    )
});
/// Any construction, bound or not (`web::Data::new(reqwest::Client::new())`).
static CLIENT_ANY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:reqwest::)?(?P<blocking>blocking::)?(?:Client::(?P<ctor>new|builder|default)|ClientBuilder::new)\(",
    )
});
/// A handler or function parameter that is a reqwest client built elsewhere:
/// `client: web::Data<reqwest::Client>`, `State(http): State<Client>`.
static CLIENT_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\b\w+\((?P<inner>\w+)\)|\b(?P<name>\w+))\s*:\s*(?:(?:web::)?(?:Data|State|Extension|Arc)\s*<\s*)?&?\s*(?:reqwest::)?Client\b",
    )
});
static CLIENT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<recv>\w+(?:\s*\.\s*\w+)*?)\s*\.\s*(?P<method>get|post|put|patch|delete|head|request)\(",
    )
});
static LOOP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:(?P<for>for)\b[^{;]*?\bin\b(?P<iter>[^{;]*)|(?P<while>while)\b(?P<cond>[^{;]*)|loop\s*)\{",
    )
});
static TEST_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    re(r"#\[(?:tokio::test|test|rstest|actix_web::test|actix_rt::test|sqlx::test)\b")
});

pub fn extract(src: &Source, is_test: bool, facts: &mut CodeFacts) {
    let code = &src.code;
    for m in TEST_ATTR.find_iter(code) {
        facts.tests.push(TestMarker {
            location: src.loc(m.start()),
            framework: "cargo test",
        });
    }
    if is_test {
        return;
    }
    // Inline test modules are test code: leave them out of the rest.
    let prod_end = ["#[cfg(test)]", "#[cfg(any(test"]
        .iter()
        .filter_map(|m| code.find(m))
        .min()
        .unwrap_or(code.len());
    routes(src, prod_end, facts);
    outbound(src, prod_end, facts);
    retries(src, prod_end, facts);
    for needle in [
        "tracing_opentelemetry::layer()",
        "OpenTelemetryLayer::new(",
        "global::set_tracer_provider(",
        "opentelemetry_otlp::new_pipeline()",
    ] {
        if let Some(i) = code[..prod_end].find(needle) {
            facts.otel_inits.push(OtelInit {
                location: src.loc(i),
                how: "OpenTelemetry tracer pipeline",
            });
            break;
        }
    }
}

fn routes(src: &Source, end: usize, facts: &mut CodeFacts) {
    let code = &src.code[..end];
    let framework = if code.contains("axum") {
        "axum"
    } else if code.contains("actix_web") {
        "actix-web"
    } else if code.contains("rocket") {
        "rocket"
    } else {
        return;
    };
    let nests = nest_regions(src, end);
    for c in src
        .captures(&AXUM_ROUTE)
        .chain(src.captures(&RESOURCE))
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        let at = c.get(0).unwrap().start();
        facts.routes.push(HttpRoute {
            location: src.loc(at),
            framework,
            method: None,
            route: format!("{}{}", prefix_at(&nests, at, 0), &c["path"]),
        });
    }
    for c in src
        .captures(&ATTR_ROUTE)
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method: Some(c["method"].to_ascii_uppercase()),
            route: c["path"].to_string(),
        });
    }
    facts.routes.sort_by_key(|r| r.location.line);
}

/// A router nested under a prefix: (the `.nest(` call, the prefix, the
/// function body or `let` statement that builds the nested router).
type Nest = (usize, String, usize, usize);

/// `.nest("/api", api_routes())` and `.nest("/api", api)`: the routes of
/// the function `api_routes` or of the `let api = Router::new()…;`
/// statement in this file sit under `/api`. A router built in another file
/// keeps its own paths (a health route counts under any prefix).
fn nest_regions(src: &Source, end: usize) -> Vec<Nest> {
    let code = &src.code[..end];
    if !code.contains(".nest(") {
        return Vec::new();
    }
    let functions = src.functions();
    let mut out = Vec::new();
    for c in src.captures(&AXUM_NEST) {
        let at = c.get(0).unwrap().start();
        let target = &c["target"];
        let region = if c.name("call").is_some() {
            functions
                .iter()
                .find(|(name, _, _)| name == target)
                .map(|(_, s, e)| (*s, *e))
        } else {
            let pattern = format!("let {target} =");
            code.find(&pattern).map(|s| {
                let e = code[s..].find(';').map_or(end, |e| s + e);
                (s, e)
            })
        };
        if let Some((s, e)) = region {
            out.push((at, c["prefix"].trim_end_matches('/').to_string(), s, e));
        }
    }
    out
}

/// The prefix that nesting puts in front of a route registered at `at`.
fn prefix_at(nests: &[Nest], at: usize, depth: usize) -> String {
    if depth > 8 {
        return String::new();
    }
    nests
        .iter()
        .filter(|(_, _, s, e)| (*s..*e).contains(&at))
        .min_by_key(|(_, _, s, e)| e - s)
        .map_or(String::new(), |(call, prefix, _, _)| {
            format!("{}{prefix}", prefix_at(nests, *call, depth + 1))
        })
}

/// A reqwest client's timeout from its construction: a builder chain with
/// `.timeout(…)`, the blocking client's 30 s default, or none.
fn reqwest_state(c: &regex::Captures, chain: &str) -> TimeoutState {
    let builder = c.name("ctor").is_none_or(|k| k.as_str() == "builder");
    if builder && chain.contains(".timeout(") {
        TimeoutState::Explicit
    } else if c.name("blocking").is_some() {
        TimeoutState::ClientDefault("reqwest::blocking default: 30 s")
    } else {
        TimeoutState::Missing
    }
}

fn outbound(src: &Source, end: usize, facts: &mut CodeFacts) {
    let code = &src.code[..end];
    // A handler module may only call through a client kept in the state
    // (`state.http.get(u).send()`) and never name reqwest itself.
    let names_reqwest = code.contains("reqwest");
    if !names_reqwest && !code.contains(".send()") {
        return;
    }
    for c in src
        .captures(&FREE_GET)
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        let open = c.get(0).unwrap().end() - 1;
        let blocking = c.name("blocking").is_some();
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "reqwest",
            timeout: if blocking {
                TimeoutState::ClientDefault("reqwest::blocking default: 30 s")
            } else {
                TimeoutState::Missing
            },
            note: if blocking {
                "reqwest::blocking::get, the blocking client's 30 s default applies".into()
            } else {
                "reqwest::get builds a client with no timeout".into()
            },
        });
    }
    // Clients bound with `let` or stored in a struct field, by name. Both are
    // offered to the crate's other files: a client built in `main` and kept
    // in the app state is called from handlers elsewhere.
    // With awc's or hyper's `Client` in scope, a bare `Client::new()` is theirs.
    let bare_is_reqwest = !(code.contains("use awc::")
        || code.contains("use hyper::Client")
        || code.contains("hyper_util::client"));
    let foreign = |m: &regex::Match| !bare_is_reqwest && !m.as_str().contains("reqwest::");
    let mut clients: HashMap<String, TimeoutState> = HashMap::new();
    // Without `reqwest` in the file no binding is read: the two patterns
    // (the field one has no literal to search for) are not run at all.
    let bindings = names_reqwest.then(|| {
        src.captures(&CLIENT_LET)
            .chain(src.captures(&CLIENT_FIELD))
            .filter(|c| c.get(0).unwrap().end() <= end)
    });
    for c in bindings.into_iter().flatten() {
        let m = c.get(0).unwrap();
        if foreign(&m) {
            continue;
        }
        // hyper's `Client::builder(TokioExecutor::new())` is not reqwest's.
        let chain = &code[m.start()..super::clients::statement_end(src, m.end() - 1).min(end)];
        if chain.contains("Executor") {
            continue;
        }
        let state = reqwest_state(&c, chain);
        facts.exported_clients.push(super::ExportedClient {
            location: src.loc(m.start()),
            client: "reqwest",
            export: Some(c["name"].to_string()),
            timeout: state.clone(),
        });
        clients.insert(c["name"].to_string(), state);
    }
    let mut params: Vec<String> = Vec::new();
    if names_reqwest {
        for c in src
            .captures(&CLIENT_ANY)
            .filter(|c| c.get(0).unwrap().end() <= end)
        {
            let m = c.get(0).unwrap();
            let chain = &code[m.start()..super::clients::statement_end(src, m.end() - 1).min(end)];
            // `awc::Client::new()` is another crate's client.
            if chain.contains("Executor") || code[..m.start()].ends_with("::") || foreign(&m) {
                continue;
            }
            facts.exported_clients.push(super::ExportedClient {
                location: src.loc(m.start()),
                client: "reqwest",
                export: None,
                timeout: reqwest_state(&c, chain),
            });
        }
        params = src
            .captures(&CLIENT_PARAM)
            .filter_map(|c| c.name("inner").or_else(|| c.name("name")))
            .map(|n| n.as_str().to_string())
            .collect();
    }
    // `find_iter`, the groups read off the match: it ends `.method(` (the
    // method is one of the pattern's words, after the match's last `.`) and
    // `recv` is what comes before that dot. Most method calls of a file are
    // candidates, and a captures search ran a second engine over each.
    for m in src.matches(&CLIENT_CALL).filter(|m| m.end() <= end) {
        let (recv, method) = m.as_str()[..m.len() - 1]
            .rsplit_once('.')
            .map_or((m.as_str(), ""), |(r, meth)| (r, meth.trim_start()));
        let recv: String = recv.split_whitespace().collect();
        let last = recv.rsplit('.').next().unwrap_or(&recv).to_string();
        // A parameter typed as a reqwest client: whichever client the crate
        // builds, when they all agree.
        let param = !recv.contains('.') && params.contains(&recv) && !clients.contains_key(&recv);
        let open = m.end() - 1;
        let stmt_end = super::clients::statement_end(src, open).min(end);
        let chain = &code[open..stmt_end.max(open)];
        let per_request = chain.contains(".timeout(");
        let name = format!("{recv}.{method}");
        let Some(state) = clients.get(&last) else {
            // A client kept in the app state or a field, built in another
            // file of the crate: only a request that is sent is a call.
            if chain.contains(".send()") && !per_request {
                facts.imported_calls.push(super::ImportedCall {
                    location: src.loc(open),
                    call: name,
                    link: super::Link::Package {
                        scope: super::package_scope(src.path, src.lang),
                        client: "reqwest",
                    },
                    export: (!param).then_some(last),
                });
            } else if chain.contains(".send()") {
                facts.outbound.push(OutboundCall {
                    location: src.loc(open),
                    client: "reqwest",
                    timeout: TimeoutState::Explicit,
                    note: format!("{name} with a per-request timeout"),
                });
            }
            continue;
        };
        let (timeout, note) = if per_request {
            (
                TimeoutState::Explicit,
                format!("{name} with a per-request timeout"),
            )
        } else {
            match state {
                TimeoutState::Explicit => (
                    TimeoutState::Explicit,
                    format!("{name} on a client built with .timeout()"),
                ),
                TimeoutState::ClientDefault(d) => (
                    TimeoutState::ClientDefault(d),
                    format!("{name}, the blocking client's 30 s default applies"),
                ),
                _ => (
                    TimeoutState::Missing,
                    format!("{name} on a reqwest::Client with no timeout"),
                ),
            }
        };
        facts.outbound.push(OutboundCall {
            location: src.loc(open),
            client: "reqwest",
            timeout,
            note,
        });
    }
    facts.outbound.sort_by_key(|c| c.location.line);
}

/// Loop heads as (start, open brace, bounded, iterates a collection).
pub(super) fn loop_heads(src: &Source) -> Vec<(usize, usize, bool, bool)> {
    src.captures(&LOOP)
        .map(|c| {
            let m = c.get(0).unwrap();
            let bounded = c.name("iter").is_some_and(|i| i.as_str().contains(".."))
                || c.name("cond")
                    .is_some_and(|w| w.as_str().contains(['<', '>']));
            // `while let Some(icon) = icons.next()` is a `for` loop spelled
            // out: it walks the items (candidates, a work list), one each
            // turn; so is draining a list with `pop()`.
            let drains = c.name("cond").is_some_and(|w| {
                let w = w.as_str().trim();
                w.starts_with("let ")
                    && [
                        ".next()",
                        ".next_back()",
                        ".pop()",
                        ".pop_front()",
                        ".pop_back()",
                    ]
                    .iter()
                    .any(|m| w.ends_with(m))
            });
            let iterates = c.name("iter").is_some_and(|i| !i.as_str().contains("..")) || drains;
            (m.start(), m.end() - 1, bounded || iterates, iterates)
        })
        .collect()
}

fn retries(src: &Source, end: usize, facts: &mut CodeFacts) {
    let code = &src.code[..end];
    for (needle, mechanism) in [
        ("ExponentialBackoff", "backoff/retry crate"),
        ("ExponentialBuilder", "backon"),
        ("RetryTransientMiddleware", "reqwest-retry"),
    ] {
        if let Some(i) = code.find(needle) {
            let jitter = code.contains("jitter") || mechanism == "reqwest-retry";
            facts.retries.push(RetrySite {
                location: src.loc(i),
                mechanism,
                backoff: Backoff::Exponential,
                jitter,
                bounded: code.contains("max_") || mechanism == "reqwest-retry",
                through: None,
            });
        }
    }
    // Loops in the inline test module are not production retries:
    // `retry_loops` stops at `Source::prod_end`.
    super::retry_loops(src, facts, &["reqwest::", ".send()"]);
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{Backoff, TimeoutState, extract};
    use crate::inventory::Lang;

    fn rs(text: &str) -> crate::facts::code::CodeFacts {
        extract("src/main.rs", Lang::Rust, false, text)
    }

    #[test]
    fn reqwest_builder_and_free_get() {
        let f = rs(
            "async fn a() {\n    let client = reqwest::Client::builder().timeout(d).build()?;\n    client.get(u).send().await?;\n    reqwest::get(u).await?;\n    let bare = reqwest::Client::new();\n    bare.post(u).send().await?;\n}\n",
        );
        let t: Vec<_> = f.line_timeouts();
        assert_eq!(
            t,
            vec![
                (3, TimeoutState::Explicit),
                (4, TimeoutState::Missing),
                (6, TimeoutState::Missing)
            ]
        );
    }

    #[test]
    fn nested_routers_carry_their_prefix() {
        let f = rs(concat!(
            "use axum::Router;\n",
            "fn ops() -> Router { Router::new().route(\"/healthz\", get(h)) }\n",
            "fn api() -> Router { Router::new().route(\"/items\", get(i)).nest(\"/ops\", ops()) }\n",
            "fn app() -> Router {\n",
            "    let v2 = Router::new().route(\"/users\", get(u));\n",
            "    Router::new().nest(\"/api/\", api()).nest(\"/v2\", v2).route(\"/\", get(root))\n",
            "}\n",
        ));
        let routes: Vec<_> = f.routes.iter().map(|r| r.route.as_str()).collect();
        assert_eq!(routes, ["/api/ops/healthz", "/api/items", "/v2/users", "/"]);
    }

    #[test]
    fn clients_kept_in_state_resolve_across_the_crate() {
        let main = extract(
            "svc/src/main.rs",
            Lang::Rust,
            false,
            "fn main() {\n    let state = AppState {\n        http: reqwest::Client::builder()\n            .timeout(Duration::from_secs(5))\n            .build()\n            .unwrap(),\n        db,\n    };\n}\n",
        );
        let handlers = extract(
            "svc/src/routes/quotes.rs",
            Lang::Rust,
            false,
            "use reqwest::StatusCode;\nasync fn q(State(s): State<AppState>) {\n    let r = s.http.get(URL).send().await?;\n    let v = s.cache.get(&key);\n}\n",
        );
        let calls =
            crate::facts::code::resolve_imported(&handlers.imported_calls, &main.exported_clients);
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert_eq!(calls[0].location.line, 3);
        assert_eq!(calls[0].timeout, TimeoutState::Explicit);
        assert!(
            calls[0].note.contains("svc/src/main.rs:3"),
            "{}",
            calls[0].note
        );
        // Another crate's client of the same name says nothing here.
        let other = extract(
            "other/src/main.rs",
            Lang::Rust,
            false,
            "fn main() { let s = S { http: reqwest::Client::new() }; }\n",
        );
        let none =
            crate::facts::code::resolve_imported(&handlers.imported_calls, &other.exported_clients);
        assert!(none.is_empty());
    }

    #[test]
    fn client_parameters_take_the_crate_s_client() {
        // actix: the client lives in web::Data, built in main().
        let f = rs(concat!(
            "use actix_web::{web, App};\n",
            "async fn forward(client: web::Data<reqwest::Client>) {\n",
            "    let r = client.get(url).send().await?;\n",
            "}\n",
            "fn main() {\n",
            "    App::new().app_data(web::Data::new(reqwest::Client::default()));\n",
            "}\n",
        ));
        let calls = crate::facts::code::resolve_imported(&f.imported_calls, &f.exported_clients);
        let t: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(t, vec![(3, TimeoutState::Missing)]);
        // Two clients that disagree: unknown, not guessed.
        let g = rs(concat!(
            "async fn h(State(http): State<reqwest::Client>) { http.get(u).send().await; }\n",
            "fn a() { let x = reqwest::Client::builder().timeout(d).build(); }\n",
            "fn b() { let y = reqwest::Client::new(); }\n",
        ));
        assert!(
            crate::facts::code::resolve_imported(&g.imported_calls, &g.exported_clients).is_empty()
        );
    }

    #[test]
    fn axum_routes_and_inline_tests() {
        let f = rs(
            "use axum::Router;\nfn app() -> Router { Router::new().route(\"/health\", get(h)) }\n#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn t() { let r = Router::new().route(\"/ping\", get(h)); }\n}\n",
        );
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.tests.len(), 1);
        assert_eq!(f.tests[0].location.line, 5);
    }

    /// `while let Some(x) = xs.next()` walks candidates, one download each
    /// (a page's icons): no retry. The same body counting attempts with
    /// `loop` and no pause is one.
    #[test]
    fn draining_an_iterator_is_not_a_retry() {
        let body = "        match reqwest::get(u).await {\n            Ok(r) => return Ok(r),\n            Err(e) => warn!(\"{e}\"),\n        }\n";
        let walk = rs(&format!(
            "async fn icon(client: &reqwest::Client) {{\n    let mut icons = found.iter();\n    while let Some(u) = icons.next() {{\n{body}    }}\n}}\n"
        ));
        assert!(walk.retries.is_empty(), "{:?}", walk.retries);
        let retry = rs(&format!(
            "async fn icon(client: &reqwest::Client) {{\n    loop {{\n{body}    }}\n}}\n"
        ));
        assert_eq!(retry.retries.len(), 1);
    }

    #[test]
    fn constant_delay_loop_through_helper() {
        let f = rs(
            "async fn fetch() -> Result<String> { reqwest::get(u).await?.text().await }\nasync fn with_retry() {\n    for _ in 0..3 {\n        match fetch().await {\n            Ok(v) => return Ok(v),\n            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,\n        }\n    }\n}\n",
        );
        assert_eq!(f.retries.len(), 1);
        assert_eq!(f.retries[0].backoff, Backoff::Constant);
        assert_eq!(f.retries[0].location.line, 3);
    }
}
