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
    // client sends it.
    let ctx_deadline = |at: usize| {
        functions
            .iter()
            .find(|(_, s, e)| (*s..*e).contains(&at))
            .is_some_and(|(_, s, e)| {
                let body = &code[*s..*e];
                (body.contains("context.WithTimeout") || body.contains("context.WithDeadline"))
                    && body.contains("NewRequestWithContext")
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
    let in_function = |at: usize| functions.iter().any(|(_, s, e)| (*s..*e).contains(&at));
    let mut exports: Vec<(String, usize, bool)> = Vec::new();
    let mut clients: HashMap<String, bool> = HashMap::new();
    for c in src.captures(&CLIENT_LIT) {
        let m = c.get(0).unwrap();
        let open = m.end() - 1;
        let timeout = src.inside(open).contains("Timeout");
        clients.insert(c["name"].to_string(), timeout);
        // A struct field (`client: &http.Client{…}`) or a package-level
        // variable is visible to the package's other files.
        if c["sep"] == *":" || !in_function(m.start()) {
            exports.push((c["name"].to_string(), m.start(), timeout));
        }
    }
    for c in src.captures(&DEFAULT_FIELD) {
        let m = c.get(0).unwrap();
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
    for c in src.captures(&CLIENT_CALL) {
        let recv = &c["recv"];
        if recv == "http" || recv == "http.DefaultClient" {
            continue;
        }
        let last = recv.rsplit('.').next().unwrap_or(recv);
        let open = c.get(0).unwrap().end() - 1;
        let ctx_deadline = ctx_deadline(open);
        let (timeout, note) = match clients.get(last) {
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
                facts.imported_calls.push(super::ImportedCall {
                    location: src.loc(open),
                    call: format!("{recv}.{}", &c["fn"]),
                    link: super::Link::Package {
                        scope: super::package_scope(src.path, src.lang),
                        client: "net/http",
                    },
                    export: Some(last.to_string()),
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

/// Loop heads as (start, open brace, bounded, iterates a collection).
pub(super) fn loop_heads(src: &Source) -> Vec<(usize, usize, bool, bool)> {
    src.captures(&LOOP)
        .map(|c| {
            let m = c.get(0).unwrap();
            let cond = c["cond"].trim();
            let iterates = cond.contains("range");
            (
                m.start(),
                m.end() - 1,
                cond.contains(['<', '>']) || iterates,
                iterates,
            )
        })
        .collect()
}

fn retries(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
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
        });
    }
    super::retry_loops(src, facts, &["http.Get(", "http.Post(", ".Do("]);
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{Backoff, TimeoutState, extract};
    use crate::inventory::Lang;

    fn go(text: &str) -> crate::facts::code::CodeFacts {
        extract("main.go", Lang::Go, false, text)
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
        let t: Vec<_> = f
            .outbound
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
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
