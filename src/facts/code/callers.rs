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
//!
//! A file is hostile input: one function can hold tens of thousands of
//! calls. Nothing here searches the file or the enclosing function once per
//! call: a call's line is found in the source's line index, a Go function's
//! context hand-off is read once per function, and the races of a file are
//! indexed by the names they race ([`Races`]).

use std::collections::HashMap;
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
        let races = Races::of(src);
        for call in facts.outbound.iter_mut() {
            if !matches!(
                call.timeout,
                TimeoutState::Missing | TimeoutState::TooLong(_)
            ) {
                continue;
            }
            let Some(at) = src.line_offset(call.location.line) else {
                continue;
            };
            let line_end = code[at..].find('\n').map_or(code.len(), |i| at + i);
            // The call is somewhere on that line, right of any `=`.
            let Some(race) = raced_line(src, line_end.saturating_sub(1).max(at), line_end, &races)
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
    // Go: whether a function hands its caller's context to its requests,
    // read once per function however many calls it holds.
    let mut carries_ctx: HashMap<(usize, usize), bool> = HashMap::new();
    for call in open {
        let Some(at) = src.line_offset(call.location.line) else {
            continue;
        };
        let Some((name, s, e)) = src.innermost(at) else {
            continue;
        };
        // A Go request is bounded by its caller's deadline only when it
        // carries the caller's context.
        if src.lang == Lang::Go
            && !*carries_ctx
                .entry((*s, *e))
                .or_insert_with(|| carries_context(&code[*s..*e]))
        {
            continue;
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

#[cfg(test)]
thread_local! {
    /// How many function bodies [`carries_context`] read on this thread.
    static CONTEXT_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Go: the function body hands its caller's `ctx` to a request.
fn carries_context(body: &str) -> bool {
    #[cfg(test)]
    CONTEXT_READS.with(|n| n.set(n.get() + 1));
    body.contains("NewRequestWithContext(ctx") || body.contains(".WithContext(ctx)")
}

/// The `Promise.race([…])` calls of a file by the names they race
/// (`Promise.race([p, timer])` is listed under `p` and `timer`), each list
/// in file order. A call bound to `p` asks for the first race of `p` after
/// it: a binary search, where reading every race of the file once per call
/// was calls × races on a file of thousands of raced fetches.
pub(super) struct Races(HashMap<String, Vec<usize>>);

impl Races {
    pub(super) fn of(src: &Source) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        if !src.code.contains("Promise.race") {
            return Races(by_name);
        }
        for m in src.matches(&JS_RACE) {
            let racers = src.inside(m.end() - 1);
            for r in racers.split(',') {
                let name = r.trim().trim_start_matches("await ").trim();
                let list = by_name.entry(name.to_string()).or_default();
                // `Promise.race([p, p])` is one race of `p`.
                if list.last() != Some(&m.start()) {
                    list.push(m.start());
                }
            }
        }
        Races(by_name)
    }

    /// The first race of `name` within `from..=to`.
    fn first(&self, name: &str, from: usize, to: usize) -> Option<usize> {
        let list = self.0.get(name)?;
        let i = list.partition_point(|&race| race < from);
        list.get(i).copied().filter(|&race| race <= to)
    }
}

/// A call at `start` whose promise is bound to a variable that the same
/// function races (`const p = safeFetch(u); … Promise.race([p, timer])`):
/// the offset of that race.
pub(super) fn raced(src: &Source, start: usize, races: &Races) -> Option<usize> {
    let line_end = src.code[start..]
        .find('\n')
        .map_or(src.code.len(), |i| start + i);
    raced_line(src, start, line_end, races)
}

fn raced_line(src: &Source, start: usize, line_end: usize, races: &Races) -> Option<usize> {
    let code = &src.code;
    if races.0.is_empty() {
        return None;
    }
    let (_, _, end) = src.innermost(start)?;
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    let c = RACED_BINDING.captures(&code[line_start..line_end])?;
    let name = c.name("name")?.as_str();
    // The call is on the right of that `=` (`const p = cached ? x : call(u)`).
    if line_start + c.get(0)?.end() > start {
        return None;
    }
    races.first(name, start, *end)
}

static RACED_BINDING: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=")
});

/// Mark the calls a caller bounds: same package scope (JS: same file), the
/// enclosing function called directly under a deadline.
pub fn apply(enclosed: &[Enclosed], timed: &[Timed], calls: &mut [OutboundCall]) {
    if enclosed.is_empty() || timed.is_empty() {
        return;
    }
    // Each call looks up its enclosing function by location, and the
    // deadlines by that function's name: indexed once, not searched from
    // the start for every call (a monorepo of 1,250 services has thousands
    // of each, and this ran on the one thread that merges). The first of
    // each, in order, as the searches found them.
    let mut by_location: HashMap<&Location, &Enclosed> = HashMap::with_capacity(enclosed.len());
    for e in enclosed {
        by_location.entry(&e.location).or_insert(e);
    }
    let mut by_function: HashMap<&str, Vec<&Timed>> = HashMap::new();
    for t in timed {
        by_function.entry(t.function.as_str()).or_default().push(t);
    }
    for call in calls.iter_mut() {
        if !matches!(
            call.timeout,
            TimeoutState::Missing | TimeoutState::TooLong(_)
        ) {
            continue;
        }
        let Some(e) = by_location.get(&call.location) else {
            continue;
        };
        let Some(named) = by_function.get(e.function.as_str()) else {
            continue;
        };
        let path = &e.location.path;
        let lang = lang_of(path);
        let js = matches!(lang, Some(Lang::JavaScript | Lang::TypeScript));
        let scope = lang.map(|l| package_scope(path, l));
        let Some(t) = named.iter().find(|t| {
            if js {
                t.at.path == *path
                    || t.module
                        .as_deref()
                        .is_some_and(|spec| super::shapes::provides(path, &t.at.path, Some(spec)))
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

    /// Thousands of unbounded calls in one Go function: whether the function
    /// hands its caller's context on is read once, and every call is still
    /// recorded under its function at its own line.
    #[test]
    fn many_calls_in_one_go_function_read_it_once() {
        let n = 300;
        let go = format!(
            "package main\n\nimport (\n\t\"context\"\n\t\"net/http\"\n)\n\nfunc fetch(ctx context.Context, u string) {{\n\treq, _ := http.NewRequestWithContext(ctx, \"GET\", u, nil)\n{}}}\n",
            "\thttp.Get(u)\n".repeat(n)
        );
        super::CONTEXT_READS.with(|r| r.set(0));
        let facts = extract("main.go", Lang::Go, false, &go);
        assert_eq!(super::CONTEXT_READS.with(|r| r.get()), 1);
        let lines: Vec<u32> = facts
            .caller_boundable
            .iter()
            .filter(|e| e.function == "fetch")
            .map(|e| e.location.line)
            .collect();
        assert_eq!(lines, (10..10 + n as u32).collect::<Vec<_>>());
    }

    /// Each call bound to a promise is matched to the race of that promise,
    /// not to the first race of the function: the index by racer name must
    /// find the race on the call's own line among hundreds.
    #[test]
    fn each_raced_promise_finds_its_own_race() {
        let n = 200;
        let body: String = (0..n)
            .map(|i| format!("  const p{i} = fetch(u);\n  await Promise.race([p{i}, t]);\n"))
            .collect();
        let js = format!("export async function f(u, t) {{\n{body}}}\n");
        let facts = extract("src/f.js", Lang::JavaScript, false, &js);
        let fetches: Vec<_> = facts
            .outbound
            .iter()
            .filter(|c| c.client == "fetch")
            .collect();
        assert_eq!(fetches.len(), n);
        for c in fetches {
            assert_eq!(c.timeout, TimeoutState::Explicit, "{}", c.note);
            let race = c.location.line + 1;
            assert!(
                c.note
                    .ends_with(&format!("raced against a timer at line {race}")),
                "line {}: {}",
                c.location.line,
                c.note
            );
        }
    }

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
