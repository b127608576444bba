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
    Regex::new(p).unwrap()
}

static AXUM_ROUTE: LazyLock<Regex> = LazyLock::new(|| re(r#"\.route\(\s*"(?P<path>/[^"]*)""#));
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
        r"let\s+(?:mut\s+)?(?P<name>\w+)\s*(?::\s*[\w:]+\s*)?=\s*(?:reqwest::)?(?P<blocking>blocking::)?Client::(?P<ctor>new|builder)\(",
    )
});
static CLIENT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?P<recv>\w+)\s*\.\s*(?P<method>get|post|put|patch|delete|head|request)\(")
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
    for c in src
        .captures(&AXUM_ROUTE)
        .chain(src.captures(&RESOURCE))
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        facts.routes.push(HttpRoute {
            location: src.loc(c.get(0).unwrap().start()),
            framework,
            method: None,
            route: c["path"].to_string(),
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

fn outbound(src: &Source, end: usize, facts: &mut CodeFacts) {
    let code = &src.code[..end];
    if !code.contains("reqwest") && !code.contains("Client::") {
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
    let mut clients: HashMap<String, TimeoutState> = HashMap::new();
    for c in src
        .captures(&CLIENT_LET)
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        let start = c.get(0).unwrap().end();
        let stmt_end = code[start..].find(';').map_or(code.len(), |e| start + e);
        let chain = &code[start..stmt_end];
        let state = if &c["ctor"] == "builder" && chain.contains(".timeout(") {
            TimeoutState::Explicit
        } else if c.name("blocking").is_some() {
            TimeoutState::ClientDefault("reqwest::blocking default: 30 s")
        } else {
            TimeoutState::Missing
        };
        clients.insert(c["name"].to_string(), state);
    }
    for c in src
        .captures(&CLIENT_CALL)
        .filter(|c| c.get(0).unwrap().end() <= end)
    {
        let recv = &c["recv"];
        let Some(state) = clients.get(recv) else {
            continue;
        };
        let open = c.get(0).unwrap().end() - 1;
        let stmt_end = code[open..].find(';').map_or(code.len(), |e| open + e);
        let per_request = code[open..stmt_end].contains(".timeout(");
        let name = format!("{recv}.{}", &c["method"]);
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
            let iterates = c.name("iter").is_some_and(|i| !i.as_str().contains(".."));
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
            });
        }
    }
    // Loops in the inline test module are not production retries.
    if end == src.code.len() {
        super::retry_loops(src, facts, &["reqwest::", ".send()"]);
    } else {
        let prod = Source::new(src.path, src.lang, &src.code[..end]);
        super::retry_loops(&prod, facts, &["reqwest::", ".send()"]);
    }
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
        let t: Vec<_> = f
            .outbound
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
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
    fn axum_routes_and_inline_tests() {
        let f = rs(
            "use axum::Router;\nfn app() -> Router { Router::new().route(\"/health\", get(h)) }\n#[cfg(test)]\nmod tests {\n    #[tokio::test]\n    async fn t() { let r = Router::new().route(\"/ping\", get(h)); }\n}\n",
        );
        assert_eq!(f.routes.len(), 1);
        assert_eq!(f.tests.len(), 1);
        assert_eq!(f.tests[0].location.line, 5);
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
