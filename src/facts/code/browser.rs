//! Code inside a server-side file that still runs only in the browser.
//!
//! A Next.js pages-router page, a Remix route or any isomorphic React module
//! is rendered on the server, so the file as a whole is not browser code (its
//! scope is decided in `facts/scope.rs`). Parts of it never run there:
//! React's effect hooks (`useEffect`, `useLayoutEffect`,
//! `useInsertionEffect`) run only after the component mounts in a browser,
//! and JSX event handlers (`onClick={…}`, `onSubmit={…}`) only on a user's
//! event. A `fetch` or a `console.log(token)` in them is the browser's call
//! and the browser's console, not the service's outbound call or log line
//! (seen: a verify-email page logging the token from its query string inside
//! `useEffect`, in a page that also exports `getServerSideProps`).

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

use super::{CodeFacts, Source};
use crate::inventory::Lang;

/// An effect hook call or a JSX event-handler attribute, up to its bracket.
static BROWSER_ONLY: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:React\.)?use(?:Layout|Insertion)?Effect\s*(?:<[^>()]*>\s*)?\(|\bon[A-Z][A-Za-z]*\s*=\s*\{",
    )
});

/// Line ranges (1-based, inclusive) of code that runs only in a browser.
pub fn browser_only_lines(src: &Source) -> Vec<RangeInclusive<u32>> {
    if !matches!(src.lang, Lang::JavaScript | Lang::TypeScript) {
        return Vec::new();
    }
    src.captures(&BROWSER_ONLY)
        .filter_map(|c| {
            let m = c.get(0)?;
            let open = m.end() - 1;
            let close = src.matching(open)?;
            Some(src.line(m.start())..=src.line(close))
        })
        .collect()
}

/// Drops the server-side code facts that sit in browser-only code: outbound
/// calls, retries and log calls.
pub fn drop_browser_only(src: &Source, facts: &mut CodeFacts) {
    let ranges = browser_only_lines(src);
    if ranges.is_empty() {
        return;
    }
    let inside = |line: u32| ranges.iter().any(|r| r.contains(&line));
    facts.outbound.retain(|c| !inside(c.location.line));
    facts.retries.retain(|r| !inside(r.location.line));
    facts.pii_logs.retain(|p| !inside(p.location.line));
}

#[cfg(test)]
mod tests {
    use crate::facts::code::extract;
    use crate::inventory::Lang;

    #[test]
    fn effects_and_event_handlers_are_not_the_servers_code() {
        let page = "import { useEffect } from 'react';\n\
            import express from 'express';\n\
            export default function Page({ token }) {\n\
            \x20 useEffect(() => {\n\
            \x20   console.log(token);\n\
            \x20   fetch('/api/verify?token=' + token);\n\
            \x20 }, []);\n\
            \x20 return <button onClick={() => { console.log(token); }}>go</button>;\n\
            }\n\
            export async function getServerSideProps({ query }) {\n\
            \x20 console.log(query.token);\n\
            \x20 await fetch('https://api.example.com/check');\n\
            \x20 return { props: {} };\n\
            }\n";
        let f = extract("pages/verify.tsx", Lang::TypeScript, false, page);
        let logs: Vec<u32> = f.pii_logs.iter().map(|p| p.location.line).collect();
        let calls: Vec<u32> = f.outbound.iter().map(|c| c.location.line).collect();
        assert_eq!(logs, vec![11], "only the server-side data function logs");
        assert_eq!(
            calls,
            vec![12],
            "only the server-side data function calls out"
        );
    }
}
