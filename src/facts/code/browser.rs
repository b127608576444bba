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
//!
//! The same holds for the body of a component or custom hook that calls a
//! React hook (`useState`, `useNavigate`, …): hooks make it a client
//! component, and its render cannot await a request, so a `fetch` in it
//! sits in a closure that a handler or an effect calls (seen: a Remix route
//! module whose `loader` runs on the server and whose page component posts
//! a token exchange from a helper its submit handler awaits). An async
//! server component (`export default async function Page()`) calls no hook
//! and keeps its calls; so do a route module's `loader` and `action`.

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

/// The head of a function named like a component (`function Page(`,
/// `const Provider = ({ … }: Props) =>`) or a custom hook (`useLimits`), up
/// to its parameter list's opening bracket.
static COMPONENT_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\bfunction\s+(?P<a>[A-Z]\w*|use[A-Z]\w*)\s*(?:<[^>()]*>\s*)?\(|\b(?:const|let|var)\s+(?P<b>[A-Z]\w*|use[A-Z]\w*)\s*(?::[^=;]*)?=\s*(?:async\s*)?\(",
    )
});

/// A React hook call (`useState(`, `useSearchParams<…>(`, `React.useRef(`).
static HOOK_CALL: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?:^|[^\w$.]|\bReact\.)use[A-Z]\w*\s*(?:<[^>()]*>\s*)?\(")
});

/// Line ranges (1-based, inclusive) of code that runs only in a browser.
pub fn browser_only_lines(src: &Source) -> Vec<RangeInclusive<u32>> {
    if !matches!(src.lang, Lang::JavaScript | Lang::TypeScript) {
        return Vec::new();
    }
    let mut out: Vec<RangeInclusive<u32>> = src
        .matches(&BROWSER_ONLY)
        .filter_map(|m| {
            let open = m.end() - 1;
            let close = src.matching(open)?;
            Some(src.line(m.start())..=src.line(close))
        })
        .collect();
    if src.code.contains("use") {
        out.extend(client_component_bodies(src));
    }
    out
}

/// Bodies of components and custom hooks that call a React hook.
fn client_component_bodies(src: &Source) -> Vec<RangeInclusive<u32>> {
    let code = &src.code;
    src.captures(&COMPONENT_HEAD)
        .filter_map(|c| {
            let m = c.get(0)?;
            let params_close = src.matching(m.end() - 1)?;
            // `) {` for a function, `): Promise<X> => {` for an arrow; an
            // arrow returning an expression (`=> (<div/>)`, `=> fetch(u)`)
            // has no body of statements to call from.
            // The search stops at the first bracket or `;`: a head with no
            // body right after it costs a few bytes, not the rest of the file.
            let open = params_close + 1 + code[params_close + 1..].find(['{', ';', '(', ')'])?;
            if code.as_bytes()[open] != b'{' {
                return None;
            }
            let between = &code[params_close + 1..open];
            let arrow = c.name("b").is_some();
            if arrow != between.contains("=>") {
                return None;
            }
            body_with_hooks(src, open)
        })
        .collect()
}

fn body_with_hooks(src: &Source, open: usize) -> Option<RangeInclusive<u32>> {
    let close = src.matching(open)?;
    let body = &src.code[open + 1..close];
    HOOK_CALL
        .find_iter(body)
        .any(|m| src.is_code(open + 1 + m.start()))
        .then(|| src.line(open)..=src.line(close))
}

/// Drops the server-side code facts that sit in browser-only code: outbound
/// calls, retries and log calls.
pub fn drop_browser_only(src: &Source, facts: &mut CodeFacts) {
    if facts.outbound.is_empty() && facts.retries.is_empty() && facts.pii_logs.is_empty() {
        return;
    }
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

    #[test]
    fn a_client_components_closures_are_not_the_servers_code() {
        let route = "import { useState } from 'react';\n\
            export const loader = async () => {\n\
            \x20 return fetch('https://api.example.com/plans');\n\
            };\n\
            export default function Checkout(): JSX.Element {\n\
            \x20 const [plan, setPlan] = useState<string>('');\n\
            \x20 const exchange = async (code: string): Promise<string> => {\n\
            \x20   const r = await fetch('https://pay.example.com/exchange', { method: 'POST' });\n\
            \x20   return r.text();\n\
            \x20 };\n\
            \x20 return <form action={exchange}>{plan}</form>;\n\
            }\n\
            export const usePlans = () => {\n\
            \x20 const [p] = useState(null);\n\
            \x20 const load = () => fetch('https://api.example.com/plans');\n\
            \x20 return [p, load];\n\
            };\n\
            export default async function Invoices() {\n\
            \x20 return (await fetch('https://api.example.com/invoices')).json();\n\
            }\n\
            export function Receipt({ id }) {\n\
            \x20 return fetch(`https://api.example.com/receipts/${id}`);\n\
            }\n";
        let f = extract("app/routes/checkout.tsx", Lang::TypeScript, false, route);
        let calls: Vec<u32> = f.outbound.iter().map(|c| c.location.line).collect();
        assert_eq!(
            calls,
            vec![3, 19, 22],
            "the loader, an async server component and a hook-free function call out"
        );
    }
}
