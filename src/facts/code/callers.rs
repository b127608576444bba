//! A call bounded by its caller. Real services often keep the HTTP call in a
//! small function and put the deadline where the function is used:
//! `tokio::time::timeout(Duration::from_secs(3), healthcheck::check_api(…))`
//! in `main.rs`, `Promise.race([ping(u), timer])`, or a Go caller that sets
//! `context.WithTimeout` and hands `ctx` to a function whose request carries
//! it. The call itself then reads as unbounded, and flagging it sends the
//! developer to a line that is fine.
//!
//! Each file records its unbounded calls with the function around them, and
//! the functions it calls under a deadline; facts merge the two per package
//! (Go directory, Rust crate, JS file). Only direct calls count: a function
//! that calls the HTTP function from under the deadline through another hop
//! is not followed, so a miss stays a finding, never a guess.

use std::sync::LazyLock;

use regex::Regex;

use super::{CodeFacts, Source, TimeoutState, package_scope};
use crate::facts::{Location, OutboundCall};
use crate::inventory::Lang;

/// An unbounded outbound call and the function that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosed {
    pub location: Location,
    pub function: String,
}

/// A function called under a deadline: its name, the package it must be in,
/// and where the deadline is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed {
    pub scope: String,
    pub function: String,
    pub at: Location,
    pub how: &'static str,
    /// JavaScript: the import specifier the racing file names the function
    /// by, so a function of another module can be matched to it.
    pub module: Option<String>,
}

static RS_TIMEOUT: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r"\b(?:tokio::time::)?timeout\s*\("));
static JS_RACE: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r"\bPromise\s*\.\s*race\s*\(\s*\["));
static CALLEE: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?P<name>[A-Za-z_$][\w$]*)\s*(?:::<[^>]*>)?\s*\(")
});
static GO_CTX_CALL: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r"(?P<name>[A-Za-z_]\w*)\(\s*ctx\s*[,)]"));

pub fn extract(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    let js = matches!(src.lang, Lang::JavaScript | Lang::TypeScript);
    // `const p = fetch(u); … await Promise.race([p, timer])`: the promise is
    // raced where it is built, in the same function.
    if js && code.contains("Promise.race") {
        let functions = src.functions();
        for call in facts.outbound.iter_mut() {
            if !matches!(
                call.timeout,
                TimeoutState::Missing | TimeoutState::TooLong(_)
            ) {
                continue;
            }
            let Some(at) = offset_of_line(code, call.location.line) else {
                continue;
            };
            let line_end = code[at..].find('\n').map_or(code.len(), |i| at + i);
            // The call is somewhere on that line, right of any `=`.
            let Some(race) =
                raced_line(src, line_end.saturating_sub(1).max(at), line_end, functions)
            else {
                continue;
            };
            call.timeout = TimeoutState::Explicit;
            call.note = format!(
                "{}; the promise is raced against a timer at line {}",
                call.note,
                src.line(race)
            );
        }
    }
    let open: Vec<&OutboundCall> = facts
        .outbound
        .iter()
        .filter(|c| matches!(c.timeout, TimeoutState::Missing | TimeoutState::TooLong(_)))
        .collect();
    let rs_timed = src.lang == Lang::Rust && code.contains("timeout");
    let js_timed =
        matches!(src.lang, Lang::JavaScript | Lang::TypeScript) && code.contains("Promise.race");
    let go_timed = src.lang == Lang::Go
        && (code.contains("context.WithTimeout") || code.contains("context.WithDeadline"));
    if open.is_empty() && !rs_timed && !js_timed && !go_timed {
        return;
    }
    let functions = src.functions();
    let innermost = |at: usize| {
        functions
            .iter()
            .filter(|(_, s, e)| (*s..*e).contains(&at))
            .min_by_key(|(_, s, e)| e - s)
    };
    for call in open {
        let Some(at) = offset_of_line(code, call.location.line) else {
            continue;
        };
        let Some((name, s, e)) = innermost(at) else {
            continue;
        };
        // A Go request is bounded by its caller's deadline only when it
        // carries the caller's context.
        if src.lang == Lang::Go {
            let body = &code[*s..*e];
            if !(body.contains("NewRequestWithContext(ctx") || body.contains(".WithContext(ctx)")) {
                continue;
            }
        }
        facts.caller_boundable.push(Enclosed {
            location: call.location.clone(),
            function: name.clone(),
        });
    }
    let scope = package_scope(src.path, src.lang);
    let imports = if js_timed {
        super::shapes::imported_names(src)
    } else {
        Vec::new()
    };
    let mut timed = |name: &str, at: usize, how: &'static str| {
        let module = imports
            .iter()
            .find(|(local, _, _)| local == name)
            .and_then(|(_, _, spec)| spec.clone());
        facts.timed_calls.push(Timed {
            scope: scope.clone(),
            function: name.to_string(),
            at: src.loc(at),
            how,
            module,
        });
    };
    if rs_timed {
        for m in src.matches(&RS_TIMEOUT) {
            let open = m.end() - 1;
            // `timeout(d, f(…))`: the future is the second argument.
            let args = src.inside(open);
            let Some((_, fut)) = args.split_once(',') else {
                continue;
            };
            if let Some(c) = CALLEE.captures(fut) {
                timed(&c["name"], open, "tokio::time::timeout");
            }
        }
    }
    if js_timed {
        for m in src.matches(&JS_RACE) {
            let open = m.end() - 2;
            let args = src.inside(open);
            let Some(first) = args.trim_start().strip_prefix('[') else {
                continue;
            };
            let first = first.trim_start();
            // `first` is a slice of `code`: its offset there.
            let first_at = first.as_ptr() as usize - code.as_ptr() as usize;
            // `Promise.race([(async () => { … await archive(link) … })(), timer])`:
            // every function the racing block calls directly is under the
            // deadline.
            if first.starts_with("(async")
                || first.starts_with("(function")
                || first.starts_with("(()")
            {
                if let Some(block) = code[first_at..].find('{').map(|i| first_at + i)
                    && let Some(close) = src.matching(block)
                {
                    for c in CALLEE.captures_iter(&code[block..close]) {
                        let m = c.get(0).unwrap();
                        let name = &c["name"];
                        let head = code[..block + m.start()].trim_end();
                        // Only what the block waits for: a call fired and
                        // left (`sendToWayback(url)`) outlives the race.
                        let waited = head.ends_with("await") || head.ends_with("return");
                        if !waited
                            || code[..block + m.start()].ends_with('.')
                            || matches!(
                                name,
                                "if" | "for"
                                    | "while"
                                    | "switch"
                                    | "catch"
                                    | "return"
                                    | "await"
                                    | "async"
                                    | "function"
                            )
                        {
                            continue;
                        }
                        timed(name, block + m.start(), "Promise.race");
                    }
                }
                continue;
            }
            // The first racer is the call; `fetchTitle(url)`, `this.ping(u)`.
            let first = first.split(',').next().unwrap_or("");
            if let Some(c) = CALLEE.captures(first) {
                timed(&c["name"], open, "Promise.race");
            }
        }
    }
    if go_timed {
        for (_, s, e) in functions {
            let body = &code[*s..*e];
            if !(body.contains("context.WithTimeout") || body.contains("context.WithDeadline")) {
                continue;
            }
            for c in GO_CTX_CALL.captures_iter(body) {
                let at = s + c.get(0).unwrap().start();
                if src.is_code(at) {
                    timed(&c["name"], at, "a caller's context deadline");
                }
            }
        }
    }
}

/// A call at `start` whose promise is bound to a variable that the same
/// function races (`const p = safeFetch(u); … Promise.race([p, timer])`):
/// the offset of that race.
pub(super) fn raced(
    src: &Source,
    start: usize,
    functions: &[(String, usize, usize)],
) -> Option<usize> {
    let line_end = src.code[start..]
        .find('\n')
        .map_or(src.code.len(), |i| start + i);
    raced_line(src, start, line_end, functions)
}

fn raced_line(
    src: &Source,
    start: usize,
    line_end: usize,
    functions: &[(String, usize, usize)],
) -> Option<usize> {
    let code = &src.code;
    if !code.contains("Promise.race") {
        return None;
    }
    let (_, _, end) = functions
        .iter()
        .filter(|(_, s, e)| (*s..*e).contains(&start))
        .min_by_key(|(_, s, e)| e - s)?;
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    let c = RACED_BINDING.captures(&code[line_start..line_end])?;
    let name = c.name("name")?.as_str();
    // The call is on the right of that `=` (`const p = cached ? x : call(u)`).
    if line_start + c.get(0)?.end() > start {
        return None;
    }
    for m in src.matches(&JS_RACE) {
        let race = m.start();
        if race < start || race > *end {
            continue;
        }
        let open = m.end() - 1;
        let racers = src.inside(open);
        if racers
            .split(',')
            .any(|r| r.trim().trim_start_matches("await ").trim() == name)
        {
            return Some(race);
        }
    }
    None
}

static RACED_BINDING: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=")
});

fn offset_of_line(code: &str, line: u32) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    code.match_indices('\n')
        .nth(line as usize - 2)
        .map(|(i, _)| i + 1)
}

/// Mark the calls a caller bounds: same package scope (JS: same file), the
/// enclosing function called directly under a deadline.
pub fn apply(enclosed: &[Enclosed], timed: &[Timed], calls: &mut [OutboundCall]) {
    if enclosed.is_empty() || timed.is_empty() {
        return;
    }
    for call in calls.iter_mut() {
        if !matches!(
            call.timeout,
            TimeoutState::Missing | TimeoutState::TooLong(_)
        ) {
            continue;
        }
        let Some(e) = enclosed.iter().find(|e| e.location == call.location) else {
            continue;
        };
        let path = &e.location.path;
        let lang = lang_of(path);
        let js = matches!(lang, Some(Lang::JavaScript | Lang::TypeScript));
        let scope = lang.map(|l| package_scope(path, l));
        let Some(t) = timed.iter().find(|t| {
            t.function == e.function
                && if js {
                    t.at.path == *path
                        || t.module.as_deref().is_some_and(|spec| {
                            super::shapes::provides(path, &t.at.path, Some(spec))
                        })
                } else {
                    scope.as_deref() == Some(t.scope.as_str())
                }
        }) else {
            continue;
        };
        call.timeout = TimeoutState::Explicit;
        call.note = format!(
            "{}; its caller bounds `{}` with {} at {}:{}",
            call.note, e.function, t.how, t.at.path, t.at.line
        );
    }
}

fn lang_of(path: &str) -> Option<Lang> {
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "rs" => Lang::Rust,
        "go" => Lang::Go,
        "py" => Lang::Python,
        "ts" | "tsx" | "mts" | "cts" => Lang::TypeScript,
        "js" | "jsx" | "mjs" | "cjs" => Lang::JavaScript,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::apply;
    use crate::facts::code::{TimeoutState, extract};
    use crate::inventory::Lang;

    /// A health check keeps its bare `reqwest::get` in a helper; the binary
    /// that runs it puts the deadline around the helper, in another file.
    #[test]
    fn rust_caller_timeout_in_another_file() {
        let helper = extract(
            "server/src/probe.rs",
            Lang::Rust,
            false,
            "pub async fn ping_api(port: u16) -> anyhow::Result<()> {\n    reqwest::get(format!(\"http://localhost:{port}/health\")).await?;\n    Ok(())\n}\npub async fn ping_raw(port: u16) -> anyhow::Result<()> {\n    reqwest::get(format!(\"http://localhost:{port}/raw\")).await?;\n    Ok(())\n}\n",
        );
        let main = extract(
            "server/src/main.rs",
            Lang::Rust,
            false,
            "use tokio::time::timeout;\nasync fn check(port: u16) {\n    timeout(Duration::from_secs(3), probe::ping_api(port)).await;\n    probe::ping_raw(port).await;\n}\n",
        );
        let other_crate = extract(
            "cli/src/main.rs",
            Lang::Rust,
            false,
            "async fn f() { tokio::time::timeout(d, ping_raw(1)).await; }\n",
        );
        let mut calls = helper.outbound.clone();
        let mut timed = main.timed_calls.clone();
        timed.extend(other_crate.timed_calls.clone());
        apply(&helper.caller_boundable, &timed, &mut calls);
        let got: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(2, TimeoutState::Explicit), (6, TimeoutState::Missing)]
        );
    }

    #[test]
    fn js_race_and_go_context_deadline() {
        let js = extract(
            "src/title.ts",
            Lang::TypeScript,
            false,
            "async function getTitle(u) {\n  const r = await fetch(u);\n  return r.text();\n}\nasync function getBody(u) {\n  return fetch(u);\n}\nexport const title = (u) => Promise.race([getTitle(u), sleep(10000)]);\nexport const body = (u) => getBody(u);\n",
        );
        let mut calls = js.outbound.clone();
        apply(&js.caller_boundable, &js.timed_calls, &mut calls);
        let got: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(2, TimeoutState::Explicit), (6, TimeoutState::Missing)]
        );

        let go = extract(
            "internal/feed/feed.go",
            Lang::Go,
            false,
            "package feed\nimport \"net/http\"\nfunc load(ctx context.Context, u string) error {\n\treq, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)\n\t_, err := http.DefaultClient.Do(req)\n\treturn err\n}\nfunc Poll(u string) error {\n\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\n\tdefer cancel()\n\treturn load(ctx, u)\n}\n",
        );
        let mut calls = go.outbound.clone();
        apply(&go.caller_boundable, &go.timed_calls, &mut calls);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].timeout, TimeoutState::Explicit, "{:?}", calls[0]);
        // The same function with no deadline at its caller stays a finding.
        let bare = extract(
            "internal/feed/feed.go",
            Lang::Go,
            false,
            "package feed\nimport \"net/http\"\nfunc load(ctx context.Context, u string) error {\n\treq, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)\n\t_, err := http.DefaultClient.Do(req)\n\treturn err\n}\nfunc Poll(u string) error {\n\treturn load(context.Background(), u)\n}\n",
        );
        let mut calls = bare.outbound.clone();
        apply(&bare.caller_boundable, &bare.timed_calls, &mut calls);
        assert_eq!(calls[0].timeout, TimeoutState::Missing);
    }

    /// `const p = fetch(u)` raced later in the same function, and a racing
    /// block (`Promise.race([(async () => { … })(), timer])`) in another
    /// module that awaits an imported function: both bounded. A call the
    /// block fires without waiting is not.
    #[test]
    fn raced_promises_and_racing_blocks() {
        let title = extract(
            "src/title.ts",
            Lang::TypeScript,
            false,
            "export async function title(u) {\n  const p = fetch(u);\n  const timer = new Promise((_, r) => setTimeout(r, 5000));\n  return Promise.race([p, timer]);\n}\nexport async function body(u) {\n  const p = fetch(u);\n  return p;\n}\n",
        );
        let got: Vec<_> = title.line_timeouts();
        assert_eq!(
            got,
            vec![(2, TimeoutState::Explicit), (7, TimeoutState::Missing)]
        );
        let load = extract(
            "src/jobs/load.ts",
            Lang::TypeScript,
            false,
            "const load = async (u) => {\n  return fetch(u);\n};\nexport const fire = async (u) => {\n  await fetch(u);\n};\nexport default load;\n",
        );
        let job = extract(
            "src/job.ts",
            Lang::TypeScript,
            false,
            "import load, { fire } from './jobs/load';\nexport async function run(u) {\n  await Promise.race([\n    (async () => {\n      fire(u);\n      await load(u);\n    })(),\n    timer(60000),\n  ]);\n}\n",
        );
        let mut calls = load.outbound.clone();
        apply(&load.caller_boundable, &job.timed_calls, &mut calls);
        let got: Vec<_> = calls
            .iter()
            .map(|c| (c.location.line, c.timeout.clone()))
            .collect();
        assert_eq!(
            got,
            vec![(2, TimeoutState::Explicit), (5, TimeoutState::Missing)]
        );
    }
}
