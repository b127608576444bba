//! Retries written as recursion, for `retry-storm`: a function that, after
//! a failure, calls itself again with its attempt counter moved on.
//!
//! ```text
//! async fetch(url, options = {}, totalRetries = 0) {
//!   const res = await fetch(url, options);
//!   if (res.status === 429 && totalRetries < 3) {
//!     await sleep(5000);
//!     return this.fetch(url, options, totalRetries + 1);
//!   }
//! ```
//!
//! There is no loop, so the loop reader never sees it. What marks it is
//! narrow and lexical: a call to a function named `N` whose arguments pass
//! `counter + 1` (or `counter - 1` for attempts left), where `counter` is a
//! retry word (`attempt`, `retries`, `tries`) and a parameter of the nearest
//! definition of `N` above the call. Recursion that walks (`fetchPage(cursor,
//! depth + 1)`) names no retry counter. Each call is read once, from its
//! definition's header to the call, so the cost is one backwards search per
//! counter increment, with no call graph.

use std::sync::LazyLock;

use regex::Regex;

use super::lexer::Source;
use super::{CodeFacts, RetrySite};

/// `totalRetries + 1`, `attempt+1`, `retries_left - 1`: a counter moved by
/// one, the candidate argument of a recursive retry.
static STEP: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?P<counter>[A-Za-z_$][\w$]*)\s*(?P<op>[+-])\s*1\b")
});

/// The words that may stand before a definition's name on its line:
/// modifiers of a JS/TS method, `function`, `def`, `fn`, Go's `func` and
/// its receiver.
const DEFINERS: &[&str] = &[
    "export",
    "default",
    "public",
    "private",
    "protected",
    "static",
    "async",
    "override",
    "function",
    "function*",
    "def",
    "fn",
    "pub",
    "func",
];

/// How far above a call its definition is looked for, and how many counter
/// steps of one file are read: a hostile file of a hundred thousand
/// `f(attempt + 1)` then costs a bounded amount, not its size squared.
const WINDOW: usize = 64 * 1024;
const MAX_STEPS: usize = 512;

/// Recursive retries of this file (see the module's first lines), each
/// reported at the recursive call. `calls_out` says whether a stretch of
/// code makes an outbound call (directly, or through a helper of the file).
pub(crate) fn recursive_retries(
    src: &Source,
    facts: &mut CodeFacts,
    calls_out: impl Fn(&str) -> bool,
) {
    let code = &src.code;
    let end = src.prod_end();
    let mut seen = std::collections::HashSet::new();
    let mut steps = 0usize;
    // `find_iter`, the counter read off the match: `(?P<counter>…)` is the
    // run of `[\w$]` the match starts with (the `[+-]` after it cannot
    // follow part of a run). Every `i + 1` of a file matches, and a captures
    // search ran a second engine over each to place the groups.
    for c in STEP.find_iter(&code[..end]) {
        let len = c
            .as_str()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$')
            .count();
        let counter = &c.as_str()[..len];
        if !super::has_retry_word(counter) {
            continue;
        }
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        let at = c.start();
        // The call whose arguments hold the step: the nearest `(` left open
        // before it, and the name in front of that `(`.
        let Some(open) = open_paren_before(code, at) else {
            continue;
        };
        let head = code[..open].trim_end();
        let name_start = head
            .rfind(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$'))
            .map_or(0, |p| p + 1);
        let name = &head[name_start..];
        if name.is_empty() || name.chars().next().is_some_and(|ch| ch.is_ascii_digit()) {
            continue;
        }
        // `name(` with a receiver (`this.`, `self.`, `c.`) or bare; the
        // call site starts at the receiver, for the reported line.
        let call_start = head[..name_start]
            .strip_suffix('.')
            .map_or(name_start, |r| {
                r.rfind(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$'))
                    .map_or(0, |p| p + 1)
            });
        let Some((def_at, params)) = definition_before(code, call_start, name) else {
            continue;
        };
        if !params.iter().any(|p| p == counter) {
            continue;
        }
        // What the function does before it calls itself again.
        let before = &code[def_at..call_start];
        if !(calls_out(before) || calls_parameter(before, &params)) {
            continue;
        }
        if !seen.insert(call_start) {
            continue;
        }
        let (backoff, jitter) = super::classify_loop_wait(before);
        facts.retries.push(RetrySite {
            location: src.loc(call_start),
            mechanism: "recursive call",
            backoff,
            jitter,
            bounded: compares(before, counter),
            through: None,
        });
    }
}

/// The offset of the innermost `(` still open at `at`, within the same
/// statement run (at most 2 KiB back, so a hostile file costs little).
fn open_paren_before(code: &str, at: usize) -> Option<usize> {
    let floor = at.saturating_sub(2048);
    let mut depth = 0usize;
    for (i, ch) in code[..at].char_indices().rev() {
        if i < floor {
            return None;
        }
        match ch {
            ')' | ']' | '}' => depth += 1,
            '(' if depth == 0 => return Some(i),
            '(' | '[' | '{' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The nearest definition of `name` above `before` (a line holding only
/// [`DEFINERS`] or a Go receiver before `name(`), with its parameter names.
/// Looked for within [`WINDOW`] bytes above the call.
fn definition_before(code: &str, before: usize, name: &str) -> Option<(usize, Vec<String>)> {
    let mut floor = before.saturating_sub(WINDOW);
    while !code.is_char_boundary(floor) {
        floor += 1;
    }
    let mut search = &code[floor..before];
    while let Some(r) = search.rfind(name) {
        let i = floor + r;
        search = &code[floor..i];
        let after = &code[i + name.len()..];
        // TypeScript generics: `fetch<T>(`, the `>` within a short stretch.
        let after = match after.strip_prefix('<') {
            Some(rest) => rest
                .char_indices()
                .take(256)
                .find(|&(_, ch)| ch == '>')
                .map_or(after, |(p, _)| &rest[p + 1..]),
            None => after,
        };
        let line_start = code[floor..i].rfind('\n').map_or(floor, |p| floor + p + 1);
        let lead = code[line_start..i].trim();
        // `const send = async (url, attempt = 0) => {`.
        let arrow = after
            .trim_start()
            .strip_prefix('=')
            .filter(|r| !r.starts_with(['=', '>']))
            .map(|r| {
                let r = r.trim_start();
                let r = r.strip_prefix("async").unwrap_or(r).trim_start();
                r.strip_prefix("function").unwrap_or(r).trim_start()
            });
        let after = match arrow {
            Some(r) if r.starts_with('(') && lead_is_binding(lead) => r,
            _ if after.starts_with('(') && (lead.is_empty() || lead_is_definer(lead)) => after,
            _ => continue,
        };
        let open = code.len() - after.len();
        let close = close_paren(code, open)?;
        return Some((line_start, params(&code[open + 1..close])));
    }
    None
}

fn lead_is_binding(lead: &str) -> bool {
    matches!(
        lead,
        "const" | "let" | "var" | "export const" | "export let"
    )
}

fn lead_is_definer(lead: &str) -> bool {
    // Go: `func (c *Client)`.
    if let Some(rest) = lead.strip_prefix("func") {
        let rest = rest.trim();
        return rest.is_empty() || (rest.starts_with('(') && rest.ends_with(')'));
    }
    lead.split_whitespace().all(|w| DEFINERS.contains(&w))
}

fn close_paren(code: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, ch) in code[open..].char_indices().take(4096) {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Parameter names of a header's list: `url: string`, `totalRetries = 0`,
/// `retries=3`, Go's `attempt int`, `self`.
fn params(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut part = String::new();
    for ch in list.chars().chain([',']) {
        match ch {
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let p = part
                    .trim()
                    .trim_start_matches("...")
                    .trim_start_matches('*');
                let name: String = p
                    .chars()
                    .take_while(|ch| ch.is_alphanumeric() || *ch == '_' || *ch == '$')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
                part.clear();
                continue;
            }
            _ => {}
        }
        part.push(ch);
    }
    out
}

/// A retry helper handed the operation: `runWithRetry(func, …, attempt)`
/// calls `func()` before calling itself again.
fn calls_parameter(text: &str, params: &[String]) -> bool {
    params.iter().any(|p| {
        text.match_indices(p.as_str()).any(|(i, _)| {
            let prev = text[..i].chars().next_back();
            prev.is_none_or(|b| !(b.is_alphanumeric() || b == '_' || b == '$' || b == '.'))
                && text[i + p.len()..].starts_with('(')
        })
    })
}

/// The counter is compared (`totalRetries > 2`, `attempt >= max`, `if not
/// retries`) or tested for truth (`status == 401 and retry`, `&& retriesLeft`,
/// counting down to zero): the recursion stops.
fn compares(text: &str, counter: &str) -> bool {
    text.match_indices(counter).any(|(i, _)| {
        let prev = text[..i].chars().next_back();
        let next = text[i + counter.len()..].chars().next();
        if prev.is_some_and(|b| b.is_alphanumeric() || b == '_' || b == '$')
            || next.is_some_and(|a| a.is_alphanumeric() || a == '_' || a == '$')
        {
            return false;
        }
        let after = text[i + counter.len()..].trim_start();
        let before = text[..i].trim_end();
        after.starts_with(['<', '>'])
            || after.starts_with("==")
            || after.starts_with("!=")
            || before.ends_with(['<', '>', '!'])
            || before.ends_with("==")
            || before.ends_with(" not")
            || before.ends_with(" and")
            || before.ends_with("&&")
            || before.ends_with("if")
            || before.ends_with("if (")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::Backoff;
    use crate::inventory::Lang;

    fn sites(path: &str, lang: Lang, code: &str) -> Vec<(u32, Backoff, bool)> {
        let src = Source::new(path, lang, code);
        let mut facts = CodeFacts::default();
        recursive_retries(&src, &mut facts, |t| {
            t.contains("fetch(") || t.contains("requests.")
        });
        facts
            .retries
            .iter()
            .map(|r| (r.location.line, r.backoff, r.bounded))
            .collect()
    }

    #[test]
    fn a_method_that_calls_itself_with_its_counter_moved_is_a_retry() {
        let ts = "class Api {\n  async send(\n    url: string,\n    options: RequestInit = {},\n    attempt = 0\n  ): Promise<Response> {\n    const res = await fetch(url, options);\n    if (res.status === 503 && attempt < 3) {\n      await sleep(1000);\n      return this.send(url, options, attempt + 1);\n    }\n    return res;\n  }\n}\n";
        assert_eq!(
            sites("src/api.ts", Lang::TypeScript, ts),
            vec![(10, Backoff::Constant, true)]
        );
        // With no comparison of the counter it never gives up.
        let unbounded = ts.replace("res.status === 503 && attempt < 3", "res.status === 503");
        assert_eq!(
            sites("src/api.ts", Lang::TypeScript, &unbounded),
            vec![(10, Backoff::Constant, false)]
        );
        let py = "def get(url, retries=0):\n    try:\n        return requests.get(url, timeout=5)\n    except requests.RequestException:\n        if retries >= 3:\n            raise\n        return get(url, retries=retries + 1)\n";
        assert_eq!(
            sites("app/get.py", Lang::Python, py),
            vec![(7, Backoff::None, true)]
        );
        // A count down to zero tested for truth is a bound.
        let relogin = "def post(self, url, retry=1):\n    r = requests.post(url, timeout=5)\n    if r.status_code == 401 and retry and self.login():\n        return self.post(url, retry=retry - 1)\n    return r\n";
        assert_eq!(
            sites("app/post.py", Lang::Python, relogin),
            vec![(4, Backoff::None, true)]
        );
        // An arrow function bound to a name is a definition too.
        let arrow = "const post = async (url, body, tries = 3) => {\n  try {\n    return await fetch(url, { method: 'POST', body });\n  } catch (e) {\n    if (tries <= 0) throw e;\n    return post(url, body, tries - 1);\n  }\n};\n";
        assert_eq!(
            sites("src/post.js", Lang::JavaScript, arrow),
            vec![(6, Backoff::None, true)]
        );
    }

    #[test]
    fn recursion_that_walks_or_calls_another_function_is_not() {
        // Pages walked by recursion: the moved argument is no retry counter.
        let pages = "async function all(cursor, depth = 0) {\n  const page = await (await fetch(`/items?c=${cursor}`)).json();\n  return page.next ? [...page.items, ...(await all(page.next, depth + 1))] : page.items;\n}\n";
        assert!(sites("src/pages.js", Lang::JavaScript, pages).is_empty());
        // Another function handed the counter: not a call to itself.
        let other = "async function send(url, attempt = 0) {\n  const res = await fetch(url);\n  if (!res.ok) return report(url, attempt + 1);\n}\n";
        assert!(sites("src/send.js", Lang::JavaScript, other).is_empty());
        // Itself, but calling out nowhere (a local computation).
        let local = "function settle(value, attempt = 0) {\n  if (attempt > 5) return value;\n  return settle(value / 2, attempt + 1);\n}\n";
        assert!(sites("src/settle.js", Lang::JavaScript, local).is_empty());
    }
}
