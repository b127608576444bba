//! Outbound calls that reach their client through the project's own code.
//! Real services rarely call `fetch` or `requests.Session().get` inline
//! everywhere; they write the call once and use it many times:
//!
//! - a wrapper with its own timeout option (`safeFetch(url, options)` that
//!   spreads `options` into `fetch`, `def fetch_json(url, timeout=None)`
//!   around `requests.get(url, timeout=timeout)`): the wrapper's line is
//!   fine, each caller that passes no timeout or signal is the site;
//! - a Python wrapper with no timeout parameter of its own that hands its
//!   `**kwargs` on, to the client (often with the verb chosen at run time,
//!   `getattr(requests, method)(url, **kwargs)`) or to another such wrapper,
//!   in another module or as a method inherited from a base class
//!   (`self.make_request(url, json=…)`): the bound is whatever the caller
//!   passes, so each caller is judged by its `timeout=`;
//! - an accessor that hands out a shared client (`self._session()`,
//!   `this.getClient()`, `get_http_client()`) or a function that builds
//!   and returns one (`newClient()`, `make_session()`): the calls through it
//!   are judged by that construction.
//!
//! A file records the wrappers and accessors it defines ([`Provider`]) and
//! the calls it makes to a function defined in this file or imported by name
//! from another module ([`ShapeCall`]); [`resolve`] joins them when facts
//! are merged. The pass reads the file already lexed or parsed for the other
//! extractors, and only a call whose provider is found becomes a site: a
//! name that no wrapper or accessor answers to stays unknown, never guessed.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::callers::{self, Enclosed};
use super::clients::METHODS;
use super::{CodeFacts, OutboundCall, Source, TimeoutState, names_key};
use crate::facts::Location;
use crate::inventory::Lang;

/// A function of the project that wraps or hands out an HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub location: Location,
    pub name: String,
    pub kind: ProviderKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// Forwards its caller's options (or `timeout`) to `client`: the
    /// `param`-th positional argument carries them.
    Wrapper { client: &'static str, param: usize },
    /// Returns a client built at `built` with this timeout.
    Accessor {
        client: &'static str,
        built: Location,
        timeout: TimeoutState,
    },
    /// Python: hands its `**kwargs` on to the function `name` (imported
    /// from `from`; `None`: this file) and sets no timeout of its own. It is
    /// a wrapper if `name` is one, which may be known only once every
    /// module is read: [`resolve`] follows such chains.
    Forwards { name: String, from: Option<String> },
    /// JavaScript: hands out what the function `name` (imported from
    /// `from`; `None`: this file) returns, `return getClient()`: an
    /// accessor of whatever client that one hands out, settled by
    /// [`resolve`] once every module is read.
    Returns { name: String, from: Option<String> },
    /// JavaScript: a class (the provider's `name`) that extends `base`,
    /// the name its module exports, imported from `from` (`None`: this
    /// file), and defines `methods` itself. `this.fetch(…)` in it is the
    /// base's method unless the class overrides it; [`resolve`] walks the
    /// chain across modules to the method a provider answers to.
    Class {
        base: String,
        from: Option<String>,
        methods: Vec<String>,
    },
    /// JavaScript: a class (the provider's `name`) whose constructor
    /// builds the SDK client `client` at `built` and sets its timeout from
    /// the option `option` of the constructor's `param`-th argument
    /// (`new PlexAPI({ token, timeout })` → `new NodePlexAPI({ timeout })`).
    /// A caller that passes no such option leaves the client `unbounded`
    /// (its own default).
    Constructs {
        client: &'static str,
        option: String,
        param: usize,
        built: Location,
        unbounded: TimeoutState,
    },
}

/// A call to a function that may be a [`Provider`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeCall {
    pub location: Location,
    /// The name the providing module defines (`safeFetch`).
    pub name: String,
    /// The import specifier as written, `None` for this very file.
    pub from: Option<String>,
    /// How the call reads: `safeFetch`, `self._session().get`.
    pub call: String,
    /// Python `self.f(…)`: the line of the `def` the object's class
    /// resolves `f` to, when this file defines `f` more than once.
    pub def_line: Option<u32>,
    pub args: Args,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// `name(…)`: what bounds it if anything (`passes a signal`), and per
    /// positional argument whether its content is unknown (a variable
    /// rather than a literal). `rest` is a spread of unknown arguments.
    Direct {
        bound: Option<String>,
        opaque: Vec<bool>,
        rest: bool,
    },
    /// `name().get(…)`: the call's own timeout, if it sets one.
    Method { own: Option<TimeoutState> },
    /// `new Name(…)`: what each positional argument holds.
    New { args: Vec<NewArg> },
}

/// An argument of `new Name(…)`, as far as its options can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewArg {
    /// An object literal (written there, or bound to a local a few lines
    /// up): its top-level keys, and whether a spread may add others.
    Keys { keys: Vec<String>, spread: bool },
    /// `undefined`, `null`: no options at all.
    Absent,
    /// A variable, a call, anything else: unknown.
    Opaque,
}

fn re(p: &str) -> Regex {
    crate::facts::pattern::regex(p)
}

/// Client constructions an accessor may return: (language, constructor as
/// written, client, default when no timeout is given).
const BUILDS: &[(Lang, &str, &str, TimeoutState)] = &[
    (
        Lang::Python,
        "requests.Session(",
        "requests",
        TimeoutState::Missing,
    ),
    (
        Lang::Python,
        "requests.session(",
        "requests",
        TimeoutState::Missing,
    ),
    (
        Lang::Python,
        "httpx.Client(",
        "httpx",
        TimeoutState::ClientDefault("httpx default: 5 s"),
    ),
    (
        Lang::Python,
        "httpx.AsyncClient(",
        "httpx",
        TimeoutState::ClientDefault("httpx default: 5 s"),
    ),
    (
        Lang::Python,
        "aiohttp.ClientSession(",
        "aiohttp",
        TimeoutState::TooLong("300 s total"),
    ),
    (
        Lang::Python,
        "urllib3.PoolManager(",
        "urllib3",
        TimeoutState::Missing,
    ),
    (
        Lang::JavaScript,
        "axios.create(",
        "axios",
        TimeoutState::Missing,
    ),
    (
        Lang::JavaScript,
        "got.extend(",
        "got",
        TimeoutState::Missing,
    ),
    (
        Lang::JavaScript,
        "ky.create(",
        "ky",
        TimeoutState::ClientDefault("10 s"),
    ),
    (
        Lang::JavaScript,
        "ky.extend(",
        "ky",
        TimeoutState::ClientDefault("10 s"),
    ),
];

static JS_IMPORT_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:\bimport\s+(?P<a>[A-Za-z_$][\w$]*)\s*(?:,\s*\{[^}]*\}\s*)?from|\b(?:const|let|var)\s+(?P<b>[A-Za-z_$][\w$]*)\s*=\s*require\()\s*['"](?P<spec>[^'"]+)['"]"#,
    )
});
static JS_IMPORT_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:\bimport\s*(?:[\w$]+\s*,\s*)?\{(?P<a>[^}]*)\}\s*from|\b(?:const|let|var)\s*\{(?P<b>[^}]*)\}\s*=\s*require\()\s*['"](?P<spec>[^'"]+)['"]"#,
    )
});
static PY_FROM_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*from[ \t]+(?P<spec>[\w.]+)[ \t]+import[ \t]+(?:\((?P<a>[^)]*)\)|(?P<b>[^\n]*))")
});
static JS_IMPORT_STAR: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"\bimport\s*\*\s*as\s+(?P<name>[A-Za-z_$][\w$]*)\s+from\s*['"](?P<spec>[^'"]+)['"]"#)
});
/// Class methods, which `Source::functions` does not list:
/// `async getClient(): Promise<AxiosInstance> {`, `private client() {`.
static JS_METHOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t]*(?:(?:public|private|protected|static|async|readonly)\s+)*#?(?P<name>[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{;=]+)?\{",
    )
});

pub fn extract(src: &Source, facts: &mut CodeFacts) {
    let js = matches!(src.lang, Lang::JavaScript | Lang::TypeScript);
    if !(js || src.lang == Lang::Python) {
        return;
    }
    let code = &src.code;
    // A browser bundle's calls are the user's browser.
    if js && (code.contains("'use client'") || code.contains("\"use client\"")) {
        return;
    }
    if js && code.contains("axios") {
        axios_aliases(src, facts);
    }
    let bindings = imported_names(src);
    // `def send(url, **kwargs)` handing its keywords on: a wrapper whose
    // timeout is whatever its caller passes.
    let forwards = !js && code.contains("**");
    let may_provide = if js {
        code.contains("fetch(")
            || code.contains("axios")
            || BUILDS.iter().any(|b| code.contains(b.1))
    } else {
        code.contains("timeout") || BUILDS.iter().any(|b| code.contains(b.1))
    };
    if bindings.is_empty() && !may_provide && !forwards {
        return;
    }
    // Function bodies are needed only once something is found.
    let fns = || src.functions();
    // The names this file may call a provider by: imports, then its own.
    let mut names: HashMap<&str, (&str, Option<&str>)> = HashMap::new();
    for (local, exported, from) in &bindings {
        // A React hook (`useSession`) runs in a component, in the browser.
        let hook = js
            && local
                .strip_prefix("use")
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_uppercase()));
        if !hook {
            names.insert(local, (exported, from.as_deref()));
        }
    }
    // `from hc.lib import curl` / `import * as net from './net'`: a module
    // whose functions are called as `curl.post(…)`.
    let mut modules: HashMap<&str, String> = HashMap::new();
    for (local, exported, from) in &bindings {
        if let Some(spec) = from
            && !js
        {
            modules.insert(local, format!("{spec}.{exported}"));
        }
    }
    // A file's classes and their methods, for `this.fetch(…)` in a class
    // that extends a base defined in another module.
    let classes: OnceCell<JsClasses> = OnceCell::new();
    let cls = || classes.get_or_init(|| JsClasses::new(src, &bindings));
    let mut providers = Vec::new();
    if may_provide {
        if js {
            let heads = cls().heads(fns());
            js_wrappers(src, &heads, &cls().qualified, &mut providers);
            accessors(src, &heads, &cls().qualified, &mut providers);
        } else {
            py_wrappers(src, fns(), facts, &mut providers);
            accessors(src, fns(), &HashMap::new(), &mut providers);
        }
    }
    if js {
        js_returns(src, &bindings, &fns, &cls, &mut providers);
    }
    if !js && (code.contains("requests") || code.contains("advocate") || code.contains("httpx")) {
        py_shared_clients(src, fns(), &mut providers);
    }
    if forwards {
        py_kwargs_wrappers(src, &fns, &names, &modules, facts, &mut providers);
    }
    // An SDK client built in a class's constructor from the class's own
    // options (the table's site, already read by clients.rs).
    if js
        && code.contains("constructor")
        && facts
            .outbound
            .iter()
            .any(|c| c.timeout == TimeoutState::Explicit)
    {
        constructor_options(src, cls(), facts, &mut providers);
    }
    for p in &providers {
        // `Class.method` is reached as `this.method(…)`, not by its name.
        if !p.name.contains('.') {
            names.insert(&p.name, (&p.name, None));
        }
    }
    if js && code.contains("* as") {
        for c in src.captures(&JS_IMPORT_STAR) {
            let spec = &c["spec"];
            if spec.starts_with('.') || spec.contains('/') {
                let local = c.name("name").unwrap();
                modules.insert(&code[local.start()..local.end()], spec.to_string());
            }
        }
    }
    if !names.is_empty() || !modules.is_empty() {
        let mut own: HashMap<&str, Vec<u32>> = HashMap::new();
        for p in &providers {
            own.entry(p.name.as_str())
                .or_default()
                .push(p.location.line);
        }
        let this = js && (code.contains("this.") || code.contains("super."));
        let methods = || this.then(cls);
        calls(src, &names, &modules, &own, &fns, &methods, facts);
    }
    if js && (!bindings.is_empty() || code.contains("class")) {
        typed_receiver_calls(src, &bindings, &fns, &cls, facts);
    }
    facts.providers.extend(providers);
    if js && code.contains("axios") {
        inherited_clients(src, &cls, &fns, facts);
    }
    // The classes that extend another: the links `resolve` walks.
    if js && code.contains("extends") {
        for c in &cls().classes {
            if let Some((base, from)) = &c.base {
                facts.providers.push(Provider {
                    location: src.loc(c.at),
                    name: c.name.clone(),
                    kind: ProviderKind::Class {
                        base: base.clone(),
                        from: from.clone(),
                        methods: c.methods.clone(),
                    },
                });
            }
        }
    }
}

/// A project class that builds an SDK client in its constructor and hands
/// it a timeout taken from its own constructor options:
///
/// ```text
/// class PlexAPI {
///   constructor({ plexToken, timeout }: { plexToken?: string; timeout?: number }) {
///     this.client = new NodePlexAPI({ token: plexToken, timeout: timeout });
/// ```
///
/// The construction reads as bounded (`timeout:` is there), but the value
/// is whatever each `new PlexAPI({…})` passes: undefined for a caller that
/// passes none, and then the SDK's default applies. So the construction is
/// no site; the class is a provider judged at each `new Class(…)`. Only a
/// timeout key whose value is a constructor option with no default of its
/// own (`{ timeout }` destructured, `options.timeout`) is handed through; a
/// literal, a fallback (`timeout ?? 5000`) or a reassigned option bounds
/// the construction itself, which then stays a bounded site.
fn constructor_options(
    src: &Source,
    classes: &JsClasses,
    facts: &mut CodeFacts,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    for (idx, class) in classes.classes.iter().enumerate() {
        let Some(head) = code[class.open..class.close]
            .match_indices("constructor")
            .map(|(i, _)| class.open + i)
            .find(|&at| {
                !ident(code.as_bytes()[at - 1])
                    && code.as_bytes()[at - 1] != b'.'
                    && code[at + "constructor".len()..]
                        .trim_start()
                        .starts_with('(')
                    && src.is_code(at)
                    && innermost_js_class(&classes.classes, at) == Some(idx)
            })
        else {
            continue;
        };
        let after = &code[head + "constructor".len()..];
        let open = head + "constructor".len() + (after.len() - after.trim_start().len());
        let Some(close) = src.matching(open) else {
            continue;
        };
        let params = ctor_params(&code[open + 1..close]);
        let Some(body_open) = code[close..].find('{').map(|i| close + i) else {
            continue;
        };
        let Some(body_close) = src.matching(body_open) else {
            continue;
        };
        if params.is_empty() {
            continue;
        }
        let body = &code[body_open..body_close];
        let lines = src.line(body_open)..=src.line(body_close);
        let mut i = 0;
        while i < facts.outbound.len() {
            let c = &facts.outbound[i];
            let unbounded = super::clients::unbounded_state(c.client);
            if c.timeout != TimeoutState::Explicit
                || !lines.contains(&c.location.line)
                || unbounded.is_none()
            {
                i += 1;
                continue;
            }
            let forwarded = line_offset(src, body_open, c.location.line)
                .and_then(|from| forwarded_option(src, from, body, &params));
            let (Some((option, param)), Some(unbounded)) = (forwarded, unbounded) else {
                i += 1;
                continue;
            };
            let site = facts.outbound.remove(i);
            out.push(Provider {
                location: src.loc(class.at),
                name: class.name.clone(),
                kind: ProviderKind::Constructs {
                    client: site.client,
                    option,
                    param,
                    built: site.location,
                    unbounded,
                },
            });
        }
    }
}

/// A constructor parameter: a destructured object, (key, local name,
/// whether it has a default) per property, or a plain name.
enum CtorParam {
    Destructured(Vec<(String, String, bool)>),
    Named(String),
}

/// The parameters of `constructor(…)`, TypeScript parameter properties
/// (`private readonly opts: Opts`) read as their name.
fn ctor_params(header: &str) -> Vec<CtorParam> {
    let ident_len = |s: &str| {
        s.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(s.len())
    };
    split_top(header)
        .into_iter()
        .map(|p| {
            let mut p = p.trim();
            while let Some(rest) = [
                "public ",
                "private ",
                "protected ",
                "readonly ",
                "override ",
            ]
            .iter()
            .find_map(|m| p.strip_prefix(m))
            {
                p = rest.trim_start();
            }
            if !p.starts_with('{') {
                return CtorParam::Named(p[..ident_len(p)].to_string());
            }
            // The pattern ends at its closing brace; a type may follow.
            let mut depth = 0;
            let end = p
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(p.len(), |(i, _)| i);
            let inner = &p[1..end];
            CtorParam::Destructured(
                split_top(inner)
                    .into_iter()
                    .filter_map(|item| {
                        let item = item.trim();
                        let key = &item[..ident_len(item)];
                        if key.is_empty() {
                            return None;
                        }
                        let rest = item[key.len()..].trim_start();
                        let (local, rest) = match rest.strip_prefix(':') {
                            Some(r) => {
                                let r = r.trim_start();
                                (&r[..ident_len(r)], &r[ident_len(r)..])
                            }
                            None => (key, rest),
                        };
                        Some((
                            key.to_string(),
                            local.to_string(),
                            rest.trim_start().starts_with('='),
                        ))
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The offset where `line` starts, searched from `from` (on or before it).
fn line_offset(src: &Source, from: usize, line: u32) -> Option<usize> {
    let skip = line.checked_sub(src.line(from))? as usize;
    if skip == 0 {
        return Some(src.code[..from].rfind('\n').map_or(0, |i| i + 1));
    }
    src.code[from..]
        .match_indices('\n')
        .nth(skip - 1)
        .map(|(i, _)| from + i + 1)
}

/// The constructor option that a construction starting on the line at
/// `from` takes its timeout from: (the option's name, the parameter it is
/// a property of). Every timeout key of its arguments must be such an
/// option; one set otherwise bounds the construction itself.
fn forwarded_option(
    src: &Source,
    from: usize,
    body: &str,
    params: &[CtorParam],
) -> Option<(String, usize)> {
    let code = &src.code;
    let line_end = code[from..].find('\n').map_or(code.len(), |i| from + i);
    let open = (from..line_end).find(|&i| code.as_bytes()[i] == b'(' && src.is_code(i))?;
    let args = src.inside(open);
    let mut found = None;
    for m in TIMEOUT_KEY.find_iter(args) {
        let prev = args[..m.start()].trim_end().chars().next_back();
        if !matches!(prev, Some('{' | ',')) {
            continue;
        }
        let key = m.as_str();
        let after = args[m.end()..].trim_start();
        let value = match after.strip_prefix(':') {
            Some(v) => v.split([',', '}', '\n']).next().unwrap_or("").trim(),
            None if after.is_empty() || after.starts_with([',', '}']) => key,
            None => continue,
        };
        // `timeout = timeout ?? 5000` in the body settles it there.
        let reassigned = |local: &str| {
            body.match_indices(local).any(|(i, _)| {
                let rest = body[i + local.len()..].trim_start();
                (rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>"))
                    || rest.starts_with("??=")
                    || rest.starts_with("||=")
            })
        };
        let option = params.iter().enumerate().find_map(|(i, p)| match p {
            CtorParam::Destructured(props) => props
                .iter()
                .find(|(_, local, default)| local == value && !default && !reassigned(local))
                .map(|(key, _, _)| (key.clone(), i)),
            CtorParam::Named(name) => value
                .strip_prefix(name.as_str())
                .and_then(|r| r.strip_prefix("?.").or_else(|| r.strip_prefix('.')))
                .filter(|f| {
                    !f.is_empty()
                        && f.chars()
                            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
                })
                .map(|f| (f.to_string(), i)),
        });
        match (option, &found) {
            (None, _) => return None,
            (Some(o), None) => found = Some(o),
            (Some(o), Some(f)) if o == *f => {}
            (Some(_), Some(_)) => return None,
        }
    }
    found
}

/// A key naming a timeout (`timeout`, `requestTimeout`, `timeoutMs`).
static TIMEOUT_KEY: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Za-z_$]*(?:timeout|Timeout)[\w$]*\b"));

/// A method of a project class called through an object the caller holds
/// by its type. NestJS hands each provider its services through the
/// constructor (`constructor(private readonly fetchService: FetchService)`,
/// also behind `@Inject(…)`), a `useFactory` receives them as typed
/// parameters, and plain code keeps one in a typed field or builds one
/// (`const http = new HttpClient()`): `this.fetchService.fetch(url, init)`
/// is then a call of `FetchService.fetch`, and [`resolve`] judges it like
/// `this.fetch(…)` in the class itself: a wrapper's caller with no signal
/// or timeout is reported, one with it is bounded, one handing on options
/// from a variable stays unknown. Only a type imported from a module of the
/// project (`imported_names`, so aliases and index files resolve as for any
/// wrapper) or a class of this file is followed, and only a method some
/// provider answers to becomes a site. The site is the method's name (the
/// `.fetch(` line of a chain split over lines).
fn typed_receiver_calls<'f>(
    src: &Source,
    bindings: &[(String, String, Option<String>)],
    functions: &dyn Fn() -> &'f [(String, usize, usize)],
    classes: &dyn Fn() -> &'f JsClasses,
    facts: &mut CodeFacts,
) {
    let code = &src.code;
    let upper = |n: &str| n.starts_with(|c: char| c.is_ascii_uppercase());
    // The types a receiver may have: (name in the providing module, module).
    let mut types: HashMap<&str, (&str, Option<&str>)> = HashMap::new();
    for (local, exported, from) in bindings {
        if upper(local) {
            types.insert(local, (exported, from.as_deref()));
        }
    }
    for c in &classes().classes {
        types.entry(&c.name).or_insert((&c.name, None));
    }
    if types.is_empty() {
        return;
    }
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let all_heads: OnceCell<Vec<(String, usize, usize)>> = OnceCell::new();
    let heads = || {
        all_heads
            .get_or_init(|| classes().heads(functions()))
            .as_slice()
    };
    // By name: (a member reached as `this.name`, its type, where it is in
    // scope).
    let mut receivers: HashMap<&str, Vec<(bool, &str, usize, usize)>> = HashMap::new();
    // The type (or constructor) a match names is one of its words: a match
    // naming none of the types is not read further.
    for c in src.captures_if(&TYPED_RECEIVER, |m| names_any(m, |w| types.contains_key(w))) {
        let (Some(m), Some(name), Some(ty)) = (
            c.get(0),
            c.name("name"),
            c.name("type").or_else(|| c.name("new")),
        ) else {
            continue;
        };
        let Some((&ty, _)) = types.get_key_value(ty.as_str()) else {
            continue;
        };
        let at = name.start();
        let modified = c
            .name("mods")
            .is_some_and(|m| !m.as_str().trim().is_empty());
        let this = c.name("this").is_some();
        let class = innermost_js_class(&classes().classes, at).map(|i| &classes().classes[i]);
        let param = open_paren_before(src, class.map_or(0, |c| c.open), at);
        let in_body = innermost_function(heads(), at)
            .filter(|(_, s, _)| class.is_none_or(|c| *s > c.open))
            .map(|(_, s, e)| (*s, *e));
        let member = modified || this || param.is_none() && in_body.is_none() && class.is_some();
        let scope = if member {
            let Some(class) = class else { continue };
            (class.open, class.close)
        } else if let Some(open) = param {
            // A typed parameter: in scope in the body after its list.
            let Some(body) = src.matching(open).and_then(|close| params_body(src, close)) else {
                continue;
            };
            body
        } else {
            in_body.unwrap_or((m.end(), code.len()))
        };
        receivers
            .entry(name.as_str())
            .or_default()
            .push((member, ty, scope.0, scope.1));
    }
    if receivers.is_empty() {
        return;
    }
    for declared in receivers.values_mut() {
        declared.sort_by_key(|d| d.2);
    }
    let racing = code.contains("Promise.race");
    let literals: OnceCell<Literals> = OnceCell::new();
    let races: OnceCell<callers::Races> = OnceCell::new();
    // Every `recv.m(` and `this.recv.m(` of the file in one pass, each
    // looked up among the receivers of that name: a search per receiver
    // over its scope was receivers x scope on a large class.
    // The receiver is one of a match's words: a call on none of the
    // receivers is not read further.
    for c in src.captures_if(&RECEIVER_CALL, |m| {
        names_any(m, |w| receivers.contains_key(w))
    }) {
        let (Some(whole), Some(recv), Some(method)) = (c.get(0), c.name("recv"), c.name("m"))
        else {
            continue;
        };
        let at = whole.start();
        if at > 0 && (ident(code.as_bytes()[at - 1]) || code.as_bytes()[at - 1] == b'.') {
            continue;
        }
        let Some(declared) = receivers.get(recv.as_str()) else {
            continue;
        };
        let this = c.name("this").is_some();
        let mpos = method.start();
        // The innermost scope holding the call, among the last few opened
        // before it (a bounded walk back, as for functions).
        let end = declared.partition_point(|d| d.2 <= at);
        let Some(&(_, ty, _, _)) = declared[end.saturating_sub(64)..end]
            .iter()
            .filter(|(member, _, _, e)| *member == this && at < *e)
            .min_by_key(|(_, _, s, e)| e - s)
        else {
            continue;
        };
        let (exported, from) = types[ty];
        let open = whole.end() - 1;
        let Some(close) = src.matching(open) else {
            continue;
        };
        let recv = if this {
            format!("this.{}", recv.as_str())
        } else {
            recv.as_str().to_string()
        };
        let call = format!("{recv}.{}", method.as_str());
        let after_call = code[close + 1..].trim_start();
        let args = if let Some(m) = method_after(after_call) {
            // `this.api.client().get(…)`: an accessor's client.
            let mopen = close + 1 + (code[close + 1..].len() - after_call.len()) + m.len() + 1;
            let mopen = mopen + code[mopen..].find('(').unwrap_or(0);
            Args::Method {
                own: own_state(src, src.inside(mopen)),
            }
        } else {
            direct_args(
                src,
                &code[open + 1..close],
                mpos,
                racing,
                functions(),
                &races,
                &literals,
            )
        };
        let shape = ShapeCall {
            location: src.loc(mpos),
            name: format!("{exported}.{}", method.as_str()),
            from: from.map(str::to_string),
            call,
            def_line: None,
            args,
        };
        record(shape, mpos, functions(), facts);
    }
}

/// Whether one of the words of `text` (its runs of `[A-Za-z0-9_$]`, as a
/// pattern's `[\w$]` reads ASCII) is `wanted`. Text that is not ASCII is
/// always read (`\w` takes in letters this split would not).
fn names_any(text: &str, wanted: impl Fn(&str) -> bool) -> bool {
    !text.is_ascii()
        || text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .any(|w| !w.is_empty() && wanted(w))
}

/// `recv.m(` or `this.recv.m(` (also `?.`, and across lines:
/// `this.fetchService\n  .fetch(`).
static RECEIVER_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<this>\bthis\s*\.\s*#?)?(?P<recv>[A-Za-z_$][\w$]*)\s*\??\.\s*(?P<m>[A-Za-z_$][\w$]*)\s*\(",
    )
});

/// A receiver declared with a project type: a parameter or field annotated
/// with it (`private readonly fetchService: FetchService`, `http: Api;`,
/// `const api: Api = …`), or bound to a new instance (`const http = new
/// HttpClient(…)`, `private http = new HttpClient()`, `this.http = new …`).
static TYPED_RECEIVER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?P<mods>(?:\b(?:private|public|protected|readonly)\s+)*)(?P<this>\bthis\s*\.\s*)?#?\b(?P<name>[A-Za-z_$][\w$]*)\s*[?!]?\s*(?::\s*(?P<type>[A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>\s*)?[,)=;\n]|(?::[^=;(){}]+)?=\s*new\s+(?P<new>[A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\()",
    )
});

/// The body of the function whose parameter list closes at `close`:
/// `) {`, `): Promise<T> {`, `) => {`, or an arrow's expression.
fn params_body(src: &Source, close: usize) -> Option<(usize, usize)> {
    let code = &src.code;
    let window = &code[close + 1..code.len().min(close + 1 + 400)];
    let brace = window.find('{');
    let arrow = window.find("=>");
    match (brace, arrow) {
        (Some(b), a) if a.is_none_or(|a| b < a) => {
            let open = close + 1 + b;
            Some((open, src.matching(open)?))
        }
        (_, Some(a)) => {
            let from = close + 1 + a + 2;
            let expr = code[from..].trim_start();
            let start = code.len() - expr.len();
            if expr.starts_with('{') {
                Some((start, src.matching(start)?))
            } else {
                Some((start, super::clients::statement_end(src, start)))
            }
        }
        _ => None,
    }
}

/// An API base class keeps its axios instance in a field
/// (`this.axios = axios.create({ baseURL, headers })` in its constructor)
/// and every subclass, in its own module, calls `this.axios.get(…)`. The
/// field is a provider named `Class.field` (an accessor of the client built
/// there, with that construction's timeout); a call on a field this file
/// does not build, in a class that extends another of the project, is a
/// call named `Sub.field` that [`resolve`] walks up the chain of `extends`
/// to the class that builds it. javascript.rs leaves such a
/// `this.axios.get(…)` to this join rather than read it as the library's
/// default export.
fn inherited_clients<'f>(
    src: &Source,
    classes: &dyn Fn() -> &'f JsClasses,
    functions: &dyn Fn() -> &'f [(String, usize, usize)],
    facts: &mut CodeFacts,
) {
    let code = &src.code;
    let members = super::javascript::axios_members(src);
    for (class, field, open, timeout) in &members {
        facts.providers.push(Provider {
            location: src.loc(*open),
            name: format!("{class}.{field}"),
            kind: ProviderKind::Accessor {
                client: "axios",
                built: src.loc(*open),
                timeout: if *timeout {
                    TimeoutState::Explicit
                } else {
                    TimeoutState::Missing
                },
            },
        });
    }
    if !(code.contains("extends") && code.contains("this")) {
        return;
    }
    // A field this file builds or sets is read here, by javascript.rs: the
    // fields written `this.f =`, gathered in one pass (a search of the
    // whole file per call was calls x bytes on a large hostile file).
    let mut set_here: HashSet<&str> = members.iter().map(|(_, f, _, _)| f.as_str()).collect();
    for (i, _) in code.match_indices("this.") {
        let rest = &code[i + "this.".len()..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with(" =") {
            set_here.insert(&rest[..len]);
        }
    }
    for c in src.captures(&THIS_FIELD_CALL) {
        let field = &c["field"];
        if set_here.contains(field) {
            continue;
        }
        let at = c.get(0).unwrap().start();
        let Some(class) = innermost_js_class(&classes().classes, at).map(|i| &classes().classes[i])
        else {
            continue;
        };
        if class.base.is_none() {
            continue;
        }
        let open = c.get(0).unwrap().end() - 1;
        let call = ShapeCall {
            location: src.loc(open),
            name: format!("{}.{field}", class.name),
            from: None,
            call: format!("this.{field}.{}", &c["m"]),
            def_line: None,
            args: Args::Method {
                own: own_state(src, src.inside(open)),
            },
        };
        record(call, at, functions(), facts);
    }
}

static THIS_FIELD_CALL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bthis\s*\.\s*#?(?P<field>[A-Za-z_$][\w$]*)\s*(?:\?\.|\.)\s*(?P<m>get|post|put|patch|delete|head|options|request)\s*\(",
    )
});

/// The classes of a JavaScript file, for javascript.rs to ask whether a
/// call sits in a class that extends another of the project (whose fields
/// [`inherited_clients`] resolves).
pub(super) struct JsClassIndex(JsClasses);

impl JsClassIndex {
    pub(super) fn new(src: &Source) -> Self {
        JsClassIndex(JsClasses::new(src, &imported_names(src)))
    }

    pub(super) fn has_base_at(&self, at: usize) -> bool {
        innermost_js_class(&self.0.classes, at).is_some_and(|i| self.0.classes[i].base.is_some())
    }
}

/// A JavaScript class: where its declaration starts, its body, and its
/// base as (the name the base's module exports, import specifier; `None`:
/// this file). A base from a library (`extends Error`) is no link.
struct JsClass {
    name: String,
    at: usize,
    open: usize,
    close: usize,
    base: Option<(String, Option<String>)>,
    methods: Vec<String>,
}

/// The classes of a JavaScript file and the methods each defines at its
/// top level (`async fetch(url, options = {}) {`), which
/// `Source::functions` does not list.
#[derive(Default)]
struct JsClasses {
    classes: Vec<JsClass>,
    /// (name, body open, body close) of every method.
    methods: Vec<(String, usize, usize)>,
    /// Body open of a method → `Class.method`.
    qualified: HashMap<usize, String>,
}

/// A class head; type parameters and the base's type arguments may hold
/// object types (`class SonarrAPI extends ServarrBase<{ seriesId: number }>`),
/// whose braces are not the body's.
static JS_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\bclass\s+(?P<name>[A-Za-z_$][\w$]*)(?:\s*<(?:[^<>{}]|\{[^{}]*\}|<(?:[^<>{}]|\{[^{}]*\})*>)*>)?(?:\s+extends\s+(?P<base>[A-Za-z_$][\w$]*)\b(?:\s*<(?:[^<>{}]|\{[^{}]*\}|<(?:[^<>{}]|\{[^{}]*\})*>)*>)?)?[^{;()]*\{",
    )
});

impl JsClasses {
    fn new(src: &Source, bindings: &[(String, String, Option<String>)]) -> Self {
        let code = &src.code;
        let mut out = JsClasses::default();
        if !code.contains("class") {
            return out;
        }
        let mut bases = Vec::new();
        for c in src.captures(&JS_CLASS) {
            let m = c.get(0).unwrap();
            let open = m.end() - 1;
            let Some(close) = src.matching(open) else {
                continue;
            };
            out.classes.push(JsClass {
                name: c["name"].to_string(),
                at: m.start(),
                open,
                close,
                base: None,
                methods: Vec::new(),
            });
            bases.push(c.name("base").map(|b| b.as_str().to_string()));
        }
        for (i, base) in bases.into_iter().enumerate() {
            let Some(base) = base else { continue };
            out.classes[i].base = if let Some((_, exported, from)) =
                bindings.iter().find(|(local, _, _)| *local == base)
            {
                Some((exported.clone(), from.clone()))
            } else if out.classes.iter().any(|c| c.name == base) {
                Some((base, None))
            } else {
                None
            };
        }
        if out.classes.is_empty() {
            return out;
        }
        // A method is one whose head sits in a class body and not inside
        // another method of it: captures come in order, so the last method
        // taken per class tells.
        let mut last_end: HashMap<usize, usize> = HashMap::new();
        for c in src.captures(&JS_METHOD) {
            let name = &c["name"];
            if matches!(
                name,
                "if" | "for" | "while" | "switch" | "catch" | "function" | "return" | "constructor"
            ) {
                continue;
            }
            let head = c.get(0).unwrap();
            let Some(class) = innermost_js_class(&out.classes, head.start()) else {
                continue;
            };
            if last_end.get(&class).is_some_and(|e| head.start() < *e) {
                continue;
            }
            let open = head.end() - 1;
            let Some(close) = src.matching(open) else {
                continue;
            };
            last_end.insert(class, close);
            out.methods.push((name.to_string(), open, close));
            out.qualified
                .insert(open, format!("{}.{name}", out.classes[class].name));
            out.classes[class].methods.push(name.to_string());
        }
        out
    }

    /// The file's functions and methods, in the order their bodies start.
    fn heads(&self, functions: &[(String, usize, usize)]) -> Vec<(String, usize, usize)> {
        let mut all: Vec<(String, usize, usize)> = functions.to_vec();
        let starts: HashSet<usize> = functions.iter().map(|(_, s, _)| *s).collect();
        all.extend(
            self.methods
                .iter()
                .filter(|m| !starts.contains(&m.1))
                .cloned(),
        );
        all.sort_by_key(|(_, s, _)| *s);
        all
    }

    /// `this.m(…)` / `super.m(…)` at `at` (the start of `m`): the name the
    /// provider answers to (`Class.m`) and the module of that class
    /// (`None`: this file), when the call may reach a provider: the class
    /// has a base, or this file defines `Class.m` as one.
    fn method_call(
        &self,
        code: &str,
        at: usize,
        local: &str,
        own: &HashMap<&str, Vec<u32>>,
    ) -> Option<(String, Option<String>, &'static str)> {
        let head = code[..at].strip_suffix('.')?;
        let recv = if head.ends_with("this") {
            "this"
        } else if head.ends_with("super") {
            "super"
        } else {
            return None;
        };
        let before = head[..head.len() - recv.len()].bytes().next_back();
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.')
        {
            return None;
        }
        let class = &self.classes[innermost_js_class(&self.classes, at)?];
        if recv == "super" {
            let (base, from) = class.base.as_ref()?;
            return Some((format!("{base}.{local}"), from.clone(), "super."));
        }
        let name = format!("{}.{local}", class.name);
        (class.base.is_some() || own.contains_key(name.as_str())).then_some((name, None, "this."))
    }
}

/// A JavaScript file's functions and class methods, in the order their
/// bodies start: the functions a `fetch` may forward its caller's options
/// from.
pub(super) fn js_heads(src: &Source) -> Vec<(String, usize, usize)> {
    JsClasses::new(src, &[]).heads(src.functions())
}

/// The innermost class whose body holds `at` (a bounded walk back, as for
/// Python classes).
fn innermost_js_class(classes: &[JsClass], at: usize) -> Option<usize> {
    let end = classes.partition_point(|c| c.open <= at);
    (end.saturating_sub(64)..end)
        .rev()
        .find(|&i| classes[i].open < at && at < classes[i].close)
}

/// JavaScript functions and methods that hand out what another provider
/// returns: `getSsrfSafeAxios() { return getSsrfSafeAxios(); }` in a base
/// class, `export const api = () => makeClient()`. Only a call of a name
/// the file imports from the project or defines itself, returned whole.
fn js_returns<'f>(
    src: &Source,
    bindings: &[(String, String, Option<String>)],
    functions: &dyn Fn() -> &'f [(String, usize, usize)],
    classes: &dyn Fn() -> &'f JsClasses,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut heads: Option<Vec<(String, usize, usize)>> = None;
    for at in src.find_all("return ") {
        if at > 0 && ident(code.as_bytes()[at - 1]) {
            continue;
        }
        let expr_at = at + "return ".len();
        let rest = code[expr_at..].trim_start();
        let rest = rest.strip_prefix("await ").map_or(rest, str::trim_start);
        let len = rest.bytes().take_while(|b| ident(*b)).count();
        if len == 0 || !rest[len..].starts_with('(') {
            continue;
        }
        let callee = &rest[..len];
        let open = code.len() - rest.len() + len;
        let Some(close) = src.matching(open) else {
            continue;
        };
        // The call is the whole returned value.
        let tail = code[close + 1..].trim_start();
        if !(tail.starts_with(';') || tail.starts_with('}') || code[close + 1..].starts_with('\n'))
        {
            continue;
        }
        let target = match bindings.iter().find(|(l, _, _)| l == callee) {
            Some((_, exported, from)) => (exported.clone(), from.clone()),
            None if functions().iter().any(|(n, _, _)| n == callee) => (callee.to_string(), None),
            None => continue,
        };
        let heads = heads.get_or_insert_with(|| classes().heads(functions()));
        let Some((name, s, _)) = innermost_function(heads, at) else {
            continue;
        };
        let name = classes().qualified.get(s).cloned().unwrap_or(name.clone());
        if (name == target.0 && target.1.is_none()) || out.iter().any(|p| p.name == name) {
            continue;
        }
        out.push(Provider {
            location: src.loc(
                code[..*s]
                    .rfind(name.rsplit('.').next().unwrap_or(""))
                    .unwrap_or(*s),
            ),
            name,
            kind: ProviderKind::Returns {
                name: target.0,
                from: target.1,
            },
        });
    }
}

/// axios bound to another name, statically or by a dynamic import that
/// loads it on first use: `import http from 'axios'`,
/// `const http = (await import('axios')).default`,
/// `const { default: http } = await import('axios')`. javascript.rs reads
/// the calls of `axios` itself; these are the same client under an alias.
fn axios_aliases(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    let mut names: Vec<String> = src
        .captures(&AXIOS_ALIAS)
        .filter_map(|c| c.name("a").or_else(|| c.name("b")).or_else(|| c.name("c")))
        .map(|m| m.as_str().to_string())
        .filter(|n| n != "axios")
        .collect();
    names.sort();
    names.dedup();
    let bytes = code.as_bytes();
    for name in names {
        let defaults = code.contains(&format!("{name}.defaults.timeout ="));
        for at in src.find_all(&name) {
            if at > 0 && {
                let p = bytes[at - 1];
                p.is_ascii_alphanumeric() || p == b'_' || p == b'$' || p == b'.'
            } {
                continue;
            }
            let rest = &code[at + name.len()..];
            let Some(m) = method_after(rest).filter(|m| *m != "send" && *m != "fetch") else {
                continue;
            };
            let open = at + name.len() + rest.find(m).unwrap_or(0) + m.len();
            let open = open + code[open..].find('(').unwrap_or(0);
            let args = src.inside(open);
            let call = format!("{name}.{m}");
            let (timeout, note) =
                if names_key(args, "timeout", false) || names_key(args, "signal", false) {
                    (
                        TimeoutState::Explicit,
                        format!("{call} (axios) with a per-call timeout"),
                    )
                } else if defaults {
                    (
                        TimeoutState::Explicit,
                        format!("{call} (axios) through a client configured with a timeout"),
                    )
                } else {
                    (
                        TimeoutState::Missing,
                        format!("{call}, no timeout: {name} is axios, which defaults to none"),
                    )
                };
            facts.outbound.push(OutboundCall {
                location: src.loc(at),
                client: "axios",
                timeout,
                note,
            });
        }
    }
}

static AXIOS_ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:\bimport\s+(?P<a>[A-Za-z_$][\w$]*)\s+from\s*|\b(?:const|let|var)\s+(?P<b>[A-Za-z_$][\w$]*)\s*=\s*(?:require\(\s*|\(\s*await\s+import\(\s*)|\b(?:const|let|var)\s*\{\s*default\s*:\s*(?P<c>[A-Za-z_$][\w$]*)\s*\}\s*=\s*await\s+import\(\s*)['"]axios['"]"#,
    )
});

/// (local name, name in the providing module, import specifier) for every
/// function this file imports by name from a module of the project: a
/// relative path, a workspace package path (`@acme/lib/safeFetch`), an alias
/// (`@/lib/http`), a Python module (`app.http`, `.http`).
pub(super) fn imported_names(src: &Source) -> Vec<(String, String, Option<String>)> {
    let code = &src.code;
    let mut out = Vec::new();
    if src.lang == Lang::Python {
        if !code.contains("from ") {
            return out;
        }
        for c in src.captures(&PY_FROM_IMPORT) {
            let spec = &c["spec"];
            let list = c
                .name("a")
                .or_else(|| c.name("b"))
                .map_or("", |m| m.as_str());
            for item in list.split(',') {
                let words: Vec<&str> = item.split_whitespace().collect();
                match words.as_slice() {
                    [name] => out.push((name.to_string(), name.to_string(), Some(spec.into()))),
                    [name, "as", local] => {
                        out.push((local.to_string(), name.to_string(), Some(spec.into())))
                    }
                    _ => {}
                }
            }
        }
        return out;
    }
    if !(code.contains("import") || code.contains("require(")) {
        return out;
    }
    // A bare package (`axios`, `react`) is a library, not the project;
    // but a single word can also be a module under tsconfig's `baseUrl`
    // (`import { fetchWithProxy } from "network"`): it is kept when it is
    // not a scoped package, and only a provider of that path answers it.
    let project =
        |spec: &str| !spec.starts_with("node:") && !spec.contains('@') || spec.contains('/');
    for c in src.captures(&JS_IMPORT_DEFAULT) {
        let spec = &c["spec"];
        if project(spec) {
            let name = c.name("a").or_else(|| c.name("b")).unwrap().as_str();
            out.push((name.to_string(), name.to_string(), Some(spec.into())));
        }
    }
    for c in src.captures(&JS_IMPORT_NAMED) {
        let spec = &c["spec"];
        if !project(spec) {
            continue;
        }
        let list = c.name("a").or_else(|| c.name("b")).unwrap().as_str();
        for item in list.split(',') {
            let mut words = item
                .split(|ch: char| ch.is_whitespace() || ch == ':')
                .filter(|w| !w.is_empty() && *w != "as" && *w != "type");
            let Some(exported) = words.next() else {
                continue;
            };
            let local = words.next().unwrap_or(exported);
            out.push((local.to_string(), exported.to_string(), Some(spec.into())));
        }
    }
    out
}

/// JavaScript wrappers: a function whose `fetch` spreads its caller's
/// options (javascript.rs does not count that `fetch` as a site).
///
/// A method is named `Class.method`: a class's `async fetch(url, options)`
/// around global `fetch` is reached as `this.fetch(…)`, from the class or a
/// subclass, never by the bare name.
fn js_wrappers(
    src: &Source,
    functions: &[(String, usize, usize)],
    qualified: &HashMap<usize, String>,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    // `protected async get<T>(endpoint, config?)` handing `config` to an
    // axios instance without a timeout: a wrapper of axios.
    if code.contains("axios") {
        for (open, param) in super::javascript::axios_wrapper_calls(src, functions) {
            let Some((name, s, _)) = innermost_function(functions, open) else {
                continue;
            };
            let pname = qualified.get(s).unwrap_or(name);
            if out.iter().any(|p| p.name == *pname) {
                continue;
            }
            out.push(Provider {
                location: src.loc(code[..*s].rfind(name.as_str()).unwrap_or(*s)),
                name: pname.clone(),
                kind: ProviderKind::Wrapper {
                    client: "axios",
                    param,
                },
            });
        }
    }
    let node_fetch = code.contains("'node-fetch'") || code.contains("\"node-fetch\"");
    for (name, s, e) in functions {
        let method = qualified.get(s);
        if method.is_none() && name == "fetch"
            || out.iter().any(|p| p.name == *method.unwrap_or(name))
        {
            continue;
        }
        for (i, _) in code[*s..*e].match_indices("fetch(") {
            let at = s + i;
            // `globalThis.fetch(input, init)` is the global fetch too (a
            // NestJS `FetchService.fetch` around it).
            let global = ["globalThis.", "window.", "self."].iter().any(|q| {
                code[..at].strip_suffix(q).is_some_and(|h| {
                    !h.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '.')
                })
            });
            let prev = code[..at].chars().next_back();
            if !global
                && prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.')
                || !src.is_code(at)
            {
                continue;
            }
            // The innermost function holding this fetch must be this one.
            if functions
                .iter()
                .any(|(_, fs, fe)| (*fs..*fe).contains(&at) && fe - fs < e - s)
            {
                continue;
            }
            let open = at + "fetch".len();
            let args = src.inside(open);
            if names_key(args, "signal", false) || args.contains("AbortSignal.timeout") {
                continue;
            }
            let Some(param) = super::javascript::caller_options_param(code, args, open, functions)
            else {
                continue;
            };
            let head_start = code[..*s].rfind(name.as_str()).unwrap_or(*s);
            out.push(Provider {
                location: src.loc(head_start),
                name: method.unwrap_or(name).clone(),
                kind: ProviderKind::Wrapper {
                    client: if node_fetch { "node-fetch" } else { "fetch" },
                    param,
                },
            });
            break;
        }
    }
}

/// The parameter names of a header `name(a, { b } = {}, c?: T = x) …`.
pub(super) fn params(header: &str) -> Vec<String> {
    let Some(open) = header.find('(') else {
        return Vec::new();
    };
    let close = header.rfind(')').unwrap_or(header.len());
    split_top(&header[open + 1..close.max(open + 1)])
        .into_iter()
        .map(|p| {
            p.trim()
                .trim_start_matches("...")
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '*'))
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// Python wrappers: `def fetch_json(url, timeout=None)` whose outbound call
/// takes its bound from that parameter. With no timeout from the caller the
/// call is as unbounded as a bare `requests.get`.
fn py_wrappers(
    src: &Source,
    functions: &[(String, usize, usize)],
    facts: &CodeFacts,
    out: &mut Vec<Provider>,
) {
    // `get(url, timeout=None)` handing on to `request(…, timeout=timeout)`,
    // itself the wrapper around the client: a few passes find the chain.
    for _ in 0..3 {
        let found = out.len();
        py_wrapper_pass(src, functions, facts, out);
        if out.len() == found {
            break;
        }
    }
}

fn py_wrapper_pass(
    src: &Source,
    functions: &[(String, usize, usize)],
    facts: &CodeFacts,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    for (name, s, e) in functions {
        if out.iter().any(|p| p.name == *name) {
            continue;
        }
        let Some(def) = code[..*s].rfind("def ") else {
            continue;
        };
        let header = &code[def..*s];
        let params = params(header);
        let positional: Vec<&String> = params
            .iter()
            .filter(|p| *p != "self" && *p != "cls")
            .collect();
        let Some(idx) = positional.iter().position(|p| *p == "timeout") else {
            continue;
        };
        // `timeout=None` / `timeout: float | None = None`.
        let Some(decl) = header.find("timeout") else {
            continue;
        };
        let decl_end = header[decl..]
            .find([',', ')'])
            .map_or(header.len(), |i| decl + i);
        if !header[decl..decl_end].trim_end().ends_with("None") {
            continue;
        }
        // A parameter after a bare `*` is keyword-only.
        let keyword_only = positional
            .iter()
            .take(idx)
            .any(|p| *p == "*" || p.starts_with('*'));
        let body = &code[*s..*e];
        // `timeout = timeout or 10`, `if timeout is None: timeout = 10`:
        // the wrapper has a default of its own.
        if body.contains("timeout or ")
            || body.contains("timeout is None")
            || body.contains("not timeout")
            || reassigns_timeout(body)
        {
            continue;
        }
        let (first, last) = (src.line(*s), src.line(*e));
        let client = facts
            .outbound
            .iter()
            .find(|c| c.location.path == src.path && (first..=last).contains(&c.location.line))
            .map(|c| c.client)
            .or_else(|| {
                out.iter().find_map(|p| match p.kind {
                    ProviderKind::Wrapper { client, .. }
                        if body.contains(&format!("{}(", p.name)) =>
                    {
                        Some(client)
                    }
                    _ => None,
                })
            });
        let Some(client) = client else {
            continue;
        };
        if !forwards_timeout(body) {
            continue;
        }
        out.push(Provider {
            location: src.loc(def),
            name: name.clone(),
            kind: ProviderKind::Wrapper {
                client,
                param: if keyword_only { usize::MAX } else { idx },
            },
        });
    }
}

/// Python wrappers with no timeout parameter that hand their `**kwargs` on:
/// to the client (`def request_response(url, method="get", **kwargs)`
/// around `getattr(requests, method.lower())(url, **kwargs)`), or to
/// another function (`def request_json(url, **kwargs)` calling
/// `request_response(url, **kwargs)`, a notifier base class's
/// `make_request(self, url, **kwargs)` calling `request.request_response2`
/// of another module). Whatever bounds the request comes from the caller's
/// keywords: the wrapper is judged at each caller, like one with a
/// `timeout=None` parameter, and the client call inside it, the wrapper's
/// own line, is marked as handing the caller's bound on. A body that puts a
/// `timeout` into the keywords itself (`kwargs.setdefault("timeout", 10)`)
/// bounds its call and is no wrapper.
fn py_kwargs_wrappers<'f>(
    src: &Source,
    functions: &dyn Fn() -> &'f [(String, usize, usize)],
    names: &HashMap<&str, (&str, Option<&str>)>,
    modules: &HashMap<&str, String>,
    facts: &mut CodeFacts,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // Built once, on the first function that hands its keywords on: most
    // files that take `**kwargs` only pass them to `super().__init__`.
    let mut index: Option<(HashSet<u32>, HashMap<u32, usize>)> = None;
    let defined: OnceCell<HashSet<&str>> = OnceCell::new();
    let classes: OnceCell<Vec<super::python::Class>> = OnceCell::new();
    for c in src.captures(&KW_DEF) {
        let head = c.get(0).unwrap();
        let def = head.start() + head.as_str().find("def").unwrap_or(0);
        let name = &c["name"];
        let kw = &c["kw"];
        let (s, e) = src.indented_block(head.start());
        let (s, e) = (&s, &e);
        let body = &code[*s..*e];
        if !body.contains(&format!("**{kw}")) {
            continue;
        }
        let header = &code[def..*s];
        let (taken, by_line) = index.get_or_insert_with(|| {
            let mut by_line = HashMap::new();
            for (i, c) in facts.outbound.iter().enumerate() {
                if c.location.path == src.path && c.timeout == TimeoutState::Missing {
                    by_line.entry(c.location.line).or_insert(i);
                }
            }
            (out.iter().map(|p| p.location.line).collect(), by_line)
        });
        if taken.contains(&src.line(def)) {
            continue;
        }
        let params = params(header);
        if params.iter().any(|p| p == "timeout") {
            continue;
        }
        let body = &code[*s..*e];
        let needle = format!("**{kw}");
        let own_timeout = sets_timeout_key(body, kw);
        let mut kind = None;
        // The first few places the keywords go; a real wrapper hands them on
        // once or twice.
        for (i, _) in body.match_indices(&needle).take(8) {
            let at = s + i;
            // Inside a function nested in this one: its keywords, not ours.
            let nested = code[*s..at].contains("def ")
                && innermost_function(functions(), at).is_none_or(|(_, fs, _)| fs != s);
            if code
                .as_bytes()
                .get(at + needle.len())
                .is_some_and(|b| ident(*b))
                || !src.is_code(at)
                || nested
            {
                continue;
            }
            let Some(open) = open_paren_before(src, *s, at) else {
                continue;
            };
            if let Some(&i) = by_line.get(&src.line(open))
                && facts.outbound[i].timeout == TimeoutState::Missing
            {
                let call = &mut facts.outbound[i];
                call.timeout = TimeoutState::Explicit;
                if own_timeout {
                    call.note = format!(
                        "{name}() puts a timeout into the keywords it hands on to {}",
                        call.client
                    );
                    break;
                }
                call.note = format!(
                    "{name}() hands its caller's keywords on to {}: each caller is judged by whether it passes timeout=",
                    call.client
                );
                kind = Some(ProviderKind::Wrapper {
                    client: call.client,
                    param: usize::MAX,
                });
                break;
            }
            if own_timeout {
                break;
            }
            // The function called: `f(`, `module.f(`, `self.f(`.
            let head = code[..open].trim_end();
            let id = head.bytes().rposition(|b| !ident(b)).map_or(0, |i| i + 1);
            let callee = &head[id..];
            if callee.is_empty() || callee == name && !head[..id].ends_with("super().") {
                continue;
            }
            let recv = head[..id].strip_suffix('.').map(|r| {
                let rs = r.bytes().rposition(|b| !ident(b)).map_or(0, |i| i + 1);
                if r[..rs].ends_with('.') { "" } else { &r[rs..] }
            });
            let own = || {
                defined
                    .get_or_init(|| functions().iter().map(|(n, _, _)| n.as_str()).collect())
                    .contains(callee)
            };
            // `shared_session.request(method, url, **kwargs)`: a client
            // object another module of the project builds and exports.
            if let Some(m) = recv
                && METHODS.contains(&callee)
                && let Some((exported, Some(spec))) = names.get(m)
            {
                kind = Some(ProviderKind::Forwards {
                    name: exported.to_string(),
                    from: Some(spec.to_string()),
                });
                break;
            }
            // `super().get_response(url, **kwargs)` in an override, or
            // `self.get_response(…)` inherited: the method of a base class
            // imported from another module of the project.
            let sup = head[..id].ends_with("super().");
            if sup || matches!(recv, Some("self" | "cls")) && !own() {
                let classes = classes.get_or_init(|| super::python::classes(src));
                let from = innermost_class(classes, def).and_then(|c| {
                    classes[c].bases.iter().find_map(|b| {
                        if classes.iter().any(|k| k.name == *b) {
                            return Some(None);
                        }
                        names
                            .get(b.as_str())
                            .and_then(|(_, f)| f.map(|f| Some(f.to_string())))
                    })
                });
                if let Some(from) = from {
                    kind = Some(ProviderKind::Forwards {
                        name: callee.to_string(),
                        from,
                    });
                    break;
                }
                continue;
            }
            let target = match recv {
                Some("self" | "cls") => own().then_some(None),
                Some(m) => modules.get(m).map(|spec| Some(spec.clone())),
                None => names
                    .get(callee)
                    .filter(|(_, from)| from.is_some())
                    .map(|(_, from)| from.map(str::to_string))
                    .or_else(|| own().then_some(None)),
            };
            let Some(from) = target else {
                continue;
            };
            let callee = match (recv, names.get(callee)) {
                (None, Some((exported, Some(_)))) => exported.to_string(),
                _ => callee.to_string(),
            };
            kind = Some(ProviderKind::Forwards { name: callee, from });
            break;
        }
        if let Some(kind) = kind {
            out.push(Provider {
                location: src.loc(def),
                name: name.to_string(),
                kind,
            });
        }
    }
}

/// Clients a Python module builds once and hands to the rest of the
/// project by import: `import requests as http` (often chosen at start-up
/// between requests and advocate, a requests wrapper that refuses private
/// addresses), or a module-level `session = requests.Session()`, or an
/// instance of the project's own `class TunedSession(requests.Session)`.
/// Each is an accessor of no arguments: `http.get(url)` in a module that
/// imports it is judged like `requests.get(url)` (python.rs reads the
/// file's own uses). Only statements outside any function count, so a
/// local session of one handler is not mistaken for a shared one.
fn py_shared_clients(src: &Source, functions: &[(String, usize, usize)], out: &mut Vec<Provider>) {
    let code = &src.code;
    let top = |at: usize| src.is_code(at) && innermost_function(functions, at).is_none();
    // Names of the requests module in this file: itself, and its aliases.
    let mut aliases: Vec<&str> = vec!["requests", "advocate"];
    for c in src.captures(&PY_REQUESTS_ALIAS) {
        let m = c.name("alias").unwrap();
        if !top(m.start()) {
            continue;
        }
        aliases.push(m.as_str());
        if out.iter().any(|p| p.name == m.as_str()) {
            continue;
        }
        out.push(Provider {
            location: src.loc(c.get(0).unwrap().start()),
            name: m.as_str().to_string(),
            kind: ProviderKind::Accessor {
                client: "requests",
                built: src.loc(m.start()),
                timeout: TimeoutState::Missing,
            },
        });
    }
    let session_class = |base: &str| {
        base == "Session" && code.contains("from requests import")
            || base
                .strip_suffix(".Session")
                .is_some_and(|m| aliases.contains(&m))
    };
    // The project's own subclasses of a requests session.
    let mut sessions: Vec<&str> = Vec::new();
    if code.contains("Session") {
        for c in src.captures(&PY_CLASS_BASES) {
            if c["bases"].split(',').any(|b| session_class(b.trim())) {
                sessions.push(c.name("name").unwrap().as_str());
            }
        }
    }
    for c in src.captures(&PY_MODULE_ASSIGN) {
        let (name, ctor) = (c.name("name").unwrap(), &c["ctor"]);
        let open = c.get(0).unwrap().end() - 1;
        if !top(name.start()) || out.iter().any(|p| p.name == name.as_str()) {
            continue;
        }
        let built = BUILDS
            .iter()
            .find(|b| b.0 == Lang::Python && b.1.strip_suffix('(') == Some(ctor));
        let (client, timeout) = match built {
            Some(b) => (b.2, build_state(src, b, open)),
            None if session_class(ctor) || sessions.contains(&ctor) => (
                "requests",
                py_timeout(src.inside(open)).unwrap_or(TimeoutState::Missing),
            ),
            None => continue,
        };
        out.push(Provider {
            location: src.loc(name.start()),
            name: name.as_str().to_string(),
            kind: ProviderKind::Accessor {
                client,
                built: src.loc(c.name("ctor").unwrap().start()),
                timeout,
            },
        });
    }
}

/// `import requests as http`, `import advocate as http` (at any
/// indentation: the choice is often made in an `if` at import time).
static PY_REQUESTS_ALIAS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*import[ \t]+(?:requests|advocate)[ \t]+as[ \t]+(?P<alias>\w+)[ \t]*$")
});
/// `class Name(Base, …):`.
static PY_CLASS_BASES: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^[ \t]*class[ \t]+(?P<name>\w+)[ \t]*\((?P<bases>[^)]*)\)[ \t]*:"));
/// `name = Ctor(` at the start of a line, the constructor possibly dotted.
static PY_MODULE_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^(?P<name>[A-Za-z_]\w*)[ \t]*=[ \t]*(?P<ctor>[A-Za-z_]\w*(?:\.\w+)?)\(")
});

/// A `def` whose parameters end in `**name` (one line or several; a
/// default value with parentheses in it hides the header, a miss).
static KW_DEF: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)[ \t]*\([^)]*\*\*[ \t]*(?P<kw>\w+)[^)]*\)",
    )
});

/// The body puts a `timeout` into the keywords it hands on:
/// `kwargs.setdefault("timeout", 10)`, `kwargs["timeout"] = 10`.
fn sets_timeout_key(body: &str, kw: &str) -> bool {
    ["\"timeout\"", "'timeout'"].iter().any(|key| {
        body.contains(&format!("{kw}.setdefault({key}"))
            || body.match_indices(&format!("{kw}[{key}]")).any(|(i, m)| {
                let rest = body[i + m.len()..].trim_start();
                rest.starts_with('=') && !rest.starts_with("==")
            })
    })
}

/// The parenthesis of the call whose argument list holds `at`, looked for
/// back to `from` (and no further than a few kilobytes: an argument list is
/// short, a body may not be).
fn open_paren_before(src: &Source, from: usize, at: usize) -> Option<usize> {
    let bytes = src.code.as_bytes();
    let stop = from.max(at.saturating_sub(4096));
    let mut depth = 0usize;
    for i in (stop..at).rev() {
        match bytes[i] {
            b')' | b']' | b'}' if src.is_code(i) => depth += 1,
            b'(' | b'[' | b'{' if src.is_code(i) => {
                if depth == 0 {
                    return (bytes[i] == b'(').then_some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// `timeout = …` as a statement of the function body (at the body's own
/// indentation), not a `timeout=timeout,` keyword on a line of its own.
fn reassigns_timeout(body: &str) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let Some(base) = body.lines().find(|l| !l.trim().is_empty()).map(indent) else {
        return false;
    };
    body.lines().any(|l| {
        let t = l.trim_start();
        indent(l) <= base && (t.starts_with("timeout =") || t.starts_with("timeout="))
    }) || body.contains("if timeout is None:\n")
}

/// The body hands its `timeout` parameter on as a value: `timeout=timeout`,
/// `setopt(pycurl.TIMEOUT, timeout)`.
fn forwards_timeout(body: &str) -> bool {
    body.match_indices("timeout").any(|(i, _)| {
        let before = body[..i].trim_end().chars().next_back();
        let after = body[i + "timeout".len()..].chars().next();
        let word_start = !body[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let word_end = !after.is_some_and(|c| c.is_alphanumeric() || c == '_');
        word_start && word_end && matches!(before, Some('=' | ',' | '('))
    })
}

/// Functions that return a client: built in the return statement, in a
/// local variable, or held in a module variable or attribute that some
/// line of this file assigns a client construction to.
fn accessors(
    src: &Source,
    functions: &[(String, usize, usize)],
    qualified: &HashMap<usize, String>,
    out: &mut Vec<Provider>,
) {
    let code = &src.code;
    let lang = if src.lang == Lang::Python {
        Lang::Python
    } else {
        Lang::JavaScript
    };
    let builds: Vec<&(Lang, &str, &str, TimeoutState)> =
        BUILDS.iter().filter(|b| b.0 == lang).collect();
    if !builds.iter().any(|b| code.contains(b.1)) {
        return;
    }
    // Every construction of the file, with the name it is assigned to.
    let mut built: Vec<(String, usize, &'static str, TimeoutState)> = Vec::new();
    for b in &builds {
        for at in src.find_all(b.1) {
            if at > 0 && {
                let p = code.as_bytes()[at - 1];
                p.is_ascii_alphanumeric() || p == b'_' || p == b'.'
            } {
                continue;
            }
            let open = at + b.1.len() - 1;
            let state = build_state(src, b, open);
            let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
            let before = code[line_start..at].trim_end();
            let target = before
                .strip_suffix('=')
                .map(|t| t.trim_end().trim_end_matches("await").trim_end())
                .or_else(|| before.strip_suffix("return").map(|_| ""))
                .or_else(|| before.strip_suffix("= await").map(str::trim_end));
            let Some(target) = target else {
                continue;
            };
            // `const api: AxiosInstance`, `private readonly http`.
            let target = target.split(':').next().unwrap_or("").trim();
            let target = target.rsplit(' ').next().unwrap_or("").to_string();
            built.push((target, at, b.2, state));
        }
    }
    if built.is_empty() {
        return;
    }
    let mut heads: Vec<(String, usize, usize)> = functions.to_vec();
    if lang == Lang::JavaScript {
        for c in src.captures(&JS_METHOD) {
            let name = &c["name"];
            if matches!(
                name,
                "if" | "for" | "while" | "switch" | "catch" | "function" | "return" | "constructor"
            ) {
                continue;
            }
            let open = c.get(0).unwrap().end() - 1;
            if let Some(close) = src.matching(open)
                && !heads.iter().any(|(_, s, _)| *s == open)
            {
                heads.push((name.to_string(), open, close));
            }
        }
    }
    for (name, s, e) in &heads {
        if out.iter().any(|p| p.name == *name) {
            continue;
        }
        let body = &code[*s..*e];
        for (i, _) in body.match_indices("return") {
            let at = s + i;
            let prev = code.as_bytes()[at - 1];
            if prev.is_ascii_alphanumeric() || prev == b'_' || !src.is_code(at) {
                continue;
            }
            let expr = code[at + "return".len()..*e]
                .trim_start()
                .split(['\n', ';'])
                .next()
                .unwrap_or("")
                .trim();
            let expr = expr.strip_prefix("await ").unwrap_or(expr).trim();
            let by_name = |expr: &str| {
                if expr.is_empty()
                    || !expr.chars().all(|c| {
                        c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '#'
                    })
                {
                    return None;
                }
                let base = expr.rsplit('.').next().unwrap_or(expr);
                // A local variable of this function first, then a module
                // variable or attribute of the file.
                built
                    .iter()
                    .filter(|(t, b, _, _)| (*s..*e).contains(b) && t == expr)
                    .chain(built.iter().filter(|(t, _, _, _)| {
                        !t.is_empty()
                            // `this.http` is the class field `http = …`.
                            && (t == expr || t == base || t.rsplit('.').next() == Some(base))
                    }))
                    .next()
                    .map(|(_, b, client, state)| (*b, *client, state.clone()))
            };
            // Built in the return statement itself.
            let found = built
                .iter()
                .find(|(t, b, _, _)| t.is_empty() && (at..at + 8 + expr.len()).contains(b))
                .map(|(_, b, client, state)| (*b, *client, state.clone()))
                .or_else(|| by_name(expr))
                .or_else(|| {
                    // `return guarded ? axios : safeAxios`: one client or the
                    // other, each built here or the library's own default
                    // instance; the weaker state holds for the calls.
                    let (_, branches) = expr.split_once('?')?;
                    let (a, b) = branches.split_once(':')?;
                    let mut got: Vec<(Option<usize>, &str, TimeoutState)> = Vec::new();
                    for branch in [a.trim(), b.trim()] {
                        if let Some((at, client, state)) = by_name(branch) {
                            got.push((Some(at), client, state));
                        } else if let Some(b) = builds
                            .iter()
                            .find(|b| b.1.split('.').next() == Some(branch))
                        {
                            got.push((None, b.2, b.3.clone()));
                        } else {
                            return None;
                        }
                    }
                    let at = got.iter().find_map(|g| g.0)?;
                    if got.iter().any(|g| g.1 != got[0].1) {
                        return None;
                    }
                    let state = got
                        .iter()
                        .map(|g| g.2.clone())
                        .find(|s| *s == TimeoutState::Missing)
                        .unwrap_or_else(|| got[0].2.clone());
                    Some((at, got[0].1, state))
                });
            if let Some((b, client, state)) = found {
                let kind = ProviderKind::Accessor {
                    client,
                    built: src.loc(b),
                    timeout: state,
                };
                let location = src.loc(code[..*s].rfind(name.as_str()).unwrap_or(*s));
                // A method is also reached as `this.m()` from a subclass.
                if let Some(q) = qualified.get(s) {
                    out.push(Provider {
                        location: location.clone(),
                        name: q.clone(),
                        kind: kind.clone(),
                    });
                }
                out.push(Provider {
                    location,
                    name: name.clone(),
                    kind,
                });
                break;
            }
        }
    }
}

/// What a client construction says about its timeout.
fn build_state(
    src: &Source,
    b: &(Lang, &str, &'static str, TimeoutState),
    open: usize,
) -> TimeoutState {
    let args = src.inside(open);
    if b.0 == Lang::Python {
        return match py_timeout(args) {
            Some(s) => s,
            None => b.3.clone(),
        };
    }
    if b.2 == "ky" && args.contains("timeout: false") {
        return TimeoutState::Disabled;
    }
    if names_key(args, "timeout", false) {
        return TimeoutState::Explicit;
    }
    // `const api = axios.create(…); api.defaults.timeout = 5000`.
    let code = &src.code;
    let line_start = code[..open].rfind('\n').map_or(0, |i| i + 1);
    let target: String = code[line_start..open]
        .split('=')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .to_string();
    if !target.is_empty() && code.contains(&format!("{target}.defaults.timeout =")) {
        return TimeoutState::Explicit;
    }
    b.3.clone()
}

/// A Python `timeout=` keyword: `None` switches it off.
fn py_timeout(args: &str) -> Option<TimeoutState> {
    args.match_indices("timeout").find_map(|(i, _)| {
        let before = args[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let rest = args[i + "timeout".len()..].trim_start();
        let value = rest.strip_prefix('=')?.trim_start();
        if value.starts_with('=') {
            return None;
        }
        Some(if value.starts_with("None") {
            TimeoutState::Disabled
        } else {
            TimeoutState::Explicit
        })
    })
}

/// Arguments split at top-level commas.
pub(super) fn split_top(args: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut prev = ' ';
    for (i, c) in args.char_indices() {
        match quote {
            Some(q) => {
                if c == q && prev != '\\' {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' | '[' | '{' | '<' if c != '<' || prev.is_alphanumeric() => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '>' if depth > 0 && prev != '=' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(&args[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
        prev = c;
    }
    if !args[start..].trim().is_empty() {
        out.push(&args[start..]);
    }
    out
}

/// Calls of the names in `names` (local name → name in the providing
/// module, import specifier) in this file: direct (`safeFetch(u)`), through
/// the client a function hands out (`getClient().get(u)`,
/// `self._session().post(u)`), or through a variable bound to that client
/// (`api = getClient()`). One pass over the file's open parentheses.
fn calls<'f>(
    src: &Source,
    names: &HashMap<&str, (&str, Option<&str>)>,
    modules: &HashMap<&str, String>,
    own: &HashMap<&str, Vec<u32>>,
    functions: &dyn Fn() -> &'f [(String, usize, usize)],
    classes: &dyn Fn() -> Option<&'f JsClasses>,
    facts: &mut CodeFacts,
) {
    let code = &src.code;
    let bytes = code.as_bytes();
    let py = src.lang == Lang::Python;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    // Most parentheses follow a name this file does not import: a look at
    // its last byte and length rules them out before any hashing.
    let mut last_bytes = [false; 256];
    let mut lengths = [false; 64];
    for n in names.keys() {
        last_bytes[*n.as_bytes().last().unwrap_or(&0) as usize] = true;
        lengths[n.len().min(63)] = true;
    }
    let racing = !py && code.contains("Promise.race");
    let races: OnceCell<callers::Races> = OnceCell::new();
    let py_methods: OnceCell<Methods> = OnceCell::new();
    let literals: OnceCell<Literals> = OnceCell::new();
    for (open, _) in code.match_indices('(') {
        // The identifier before the parenthesis (and its type arguments,
        // `getClient<Api>(`).
        let mut end = code[..open].trim_end().len();
        if end > 0 && bytes[end - 1] == b'>' {
            let from = end.saturating_sub(120);
            let Some(lt) = bytes[from..end].iter().rposition(|b| *b == b'<') else {
                continue;
            };
            end = code[..from + lt].trim_end().len();
        }
        let at = code[..end]
            .bytes()
            .rposition(|b| !ident(b))
            .map_or(0, |i| i + 1);
        if at == end {
            continue;
        }
        let local = &code[at..end];
        // `curl.post(`: a function of an imported module of the project.
        let module = (at > 1 && bytes[at - 1] == b'.' && !modules.is_empty())
            .then(|| {
                let r = code[..at - 1]
                    .bytes()
                    .rposition(|b| !ident(b))
                    .map_or(0, |i| i + 1);
                let before = r.checked_sub(1).map(|i| bytes[i]);
                (before != Some(b'.'))
                    .then(|| modules.get(&code[r..at - 1]).map(|spec| (r, spec.as_str())))
                    .flatten()
            })
            .flatten();
        // `shared_session.get(…)`: a client object built and exported by
        // another module of the project (`py_shared_clients`).
        if py
            && let Some((r, _)) = module
            && METHODS.contains(&local)
            && let Some(&(exported, Some(spec))) = names.get(&code[r..at - 1])
        {
            let args = src.inside(open);
            // `**kwargs` handed on: the caller's keywords decide, and this
            // is a wrapper judged at its callers (`py_kwargs_wrappers`).
            if src.is_code(r)
                && !split_top(args)
                    .iter()
                    .any(|a| a.trim_start().starts_with("**"))
            {
                let call = ShapeCall {
                    location: src.loc(r),
                    name: exported.to_string(),
                    from: Some(spec.to_string()),
                    call: code[r..end].to_string(),
                    def_line: None,
                    args: Args::Method {
                        own: own_state(src, args),
                    },
                };
                record(call, r, functions(), facts);
            }
            // `curl.post(…)` of `from hc.lib import curl` reads the same:
            // a module of functions, judged below; only a provider of one
            // kind or the other answers.
        }
        let named = (last_bytes[bytes[end - 1] as usize] && lengths[(end - at).min(63)])
            .then(|| names.get(local))
            .flatten()
            .filter(|(_, from)| py || from.is_none() || at == 0 || bytes[at - 1] != b'.');
        // `this.fetch(…)` in a class: its own method or its base's, named
        // `Class.fetch` for `resolve` to walk the chain of `extends`.
        let method;
        let mut recv = "";
        let mut inherited = false;
        let (exported, mut from, at) = if let Some((r, spec)) = module {
            (local, Some(spec), r)
        } else if let Some(&(exported, from)) = named {
            (exported, from, at)
        } else if py && at > 5 && code[..at].ends_with("self.") {
            // `self.get_response(…)` in a subclass whose base class, with
            // the method, is imported from another module of the project.
            let methods = py_methods.get_or_init(|| Methods::new(src, functions(), own));
            let Some(spec) = methods
                .foreign_bases(at, local)
                .find_map(|b| names.get(b).and_then(|(_, from)| *from))
            else {
                continue;
            };
            inherited = true;
            (local, Some(spec), at)
        } else if !py
            && at > 0
            && bytes[at - 1] == b'.'
            && let Some(m) = classes().and_then(|c| c.method_call(code, at, local, own))
        {
            method = m;
            recv = method.2;
            (method.0.as_str(), method.1.as_deref(), at)
        } else {
            continue;
        };
        let mut def_line = None;
        if !recv.is_empty() {
            // Settled above: a method of this class or its bases.
        } else if module.is_none() && !inherited && at > 0 && bytes[at - 1] == b'.' {
            // Only the file's own methods: `self.x(` / `this.x(`.
            let head = &code[..at - 1];
            recv = if head.ends_with("self") {
                "self."
            } else if head.ends_with("this") {
                "this."
            } else if head.ends_with("cls") {
                "cls."
            } else {
                continue;
            };
            if from.is_some() {
                continue;
            }
            // `self.make_request(…)` is the method the object's class has,
            // itself or through its bases in this file: a subclass that
            // defines its own is not calling the base's wrapper.
            if py {
                let methods = py_methods.get_or_init(|| Methods::new(src, functions(), own));
                match methods
                    .resolve(at, local)
                    .filter(|l| own.get(local).is_some_and(|lines| lines.contains(l)))
                {
                    Some(line) => def_line = Some(line),
                    // A sibling class here defines the method; this one
                    // inherits it from a base imported from another module.
                    None => {
                        let Some(spec) = methods
                            .foreign_bases(at, local)
                            .find_map(|b| names.get(b).and_then(|(_, from)| *from))
                        else {
                            continue;
                        };
                        from = Some(spec);
                    }
                }
            }
        }
        if inherited {
            recv = "self.";
        }
        if !src.is_code(at) {
            continue;
        }
        let before = code[..at - recv.len()].trim_end();
        // `new PlexAPI({ token })`: a class of the project built here.
        let constructed = !py
            && recv.is_empty()
            && before.ends_with("new")
            && !before[..before.len() - 3]
                .bytes()
                .next_back()
                .is_some_and(|b| ident(b) || b == b'.');
        if before.ends_with("function")
            || before.ends_with("def")
            || before.ends_with("async")
            || before.ends_with("new") && !constructed
        {
            continue;
        }
        let Some(close) = src.matching(open) else {
            continue;
        };
        if constructed {
            let start = before.len() - "new".len();
            let lits = literals.get_or_init(|| object_literals(src));
            let args = split_top(&code[open + 1..close])
                .into_iter()
                .map(|p| new_arg(src, p.trim(), lits, start))
                .collect();
            let call = ShapeCall {
                location: src.loc(start),
                name: exported.to_string(),
                from: from.map(str::to_string),
                call: format!("new {local}"),
                def_line: None,
                args: Args::New { args },
            };
            record(call, start, functions(), facts);
            continue;
        }
        // A method shorthand `getClient() {` or `client(): Api {` defines,
        // it does not call (`ok ? a() : b()` is a ternary).
        let after = code[close + 1..].trim_start();
        let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
        if !py
            && (after.starts_with('{')
                || after.starts_with(':') && !code[line_start..at].contains('?'))
        {
            continue;
        }
        let args = &code[open + 1..close];
        let start = at - recv.len();
        let name = if module.is_some() {
            code[at..end].to_string()
        } else {
            format!("{recv}{local}")
        };
        if let Some(m) = method_after(after) {
            let mopen = close + 1 + (code[close + 1..].len() - after.len()) + m.len() + 1;
            let mopen = mopen + code[mopen..].find('(').unwrap_or(0);
            let call = ShapeCall {
                location: src.loc(start),
                name: exported.to_string(),
                from: from.map(str::to_string),
                call: format!("{name}().{}", m.trim_start_matches('.').trim()),
                def_line,
                args: Args::Method {
                    own: own_state(src, src.inside(mopen)),
                },
            };
            record(call, start, functions(), facts);
            continue;
        }
        // `api = getClient()` then `api.get(…)` in the same function.
        if args.trim().is_empty()
            && let Some(var) = assigned_to(code, start)
        {
            let scope = innermost_function(functions(), start)
                .map_or((0, code.len()), |(_, s, e)| (*s, *e));
            through_var(
                src,
                &var,
                close,
                scope,
                exported,
                from,
                &name,
                functions(),
                facts,
            );
            continue;
        }
        let call = ShapeCall {
            location: src.loc(start),
            name: exported.to_string(),
            from: from.map(str::to_string),
            call: name,
            def_line,
            args: direct_args(src, args, start, racing, functions(), &races, &literals),
        };
        record(call, start, functions(), facts);
    }
}

/// What an argument of `new Name(…)` at `at` says of its options.
fn new_arg(src: &Source, arg: &str, literals: &Literals, at: usize) -> NewArg {
    if arg.starts_with('{') {
        return literal_keys(arg);
    }
    if arg == "undefined" || arg == "null" {
        return NewArg::Absent;
    }
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        // `const options = { token }; new Api(options)`.
        if let Some((o, c)) = literal_before(literals, arg, at) {
            return literal_keys(&src.code[o..=c]);
        }
    }
    NewArg::Opaque
}

/// The top-level keys of an object literal `{ a, b: 1, 'c-d': 2, ...rest }`.
fn literal_keys(literal: &str) -> NewArg {
    let inner = literal
        .strip_prefix('{')
        .and_then(|l| l.trim_end().strip_suffix('}'))
        .unwrap_or("");
    let mut keys = Vec::new();
    let mut spread = false;
    for item in split_top(inner) {
        let item = item.trim();
        if item.starts_with("...") {
            spread = true;
            continue;
        }
        let key = match item.chars().next() {
            Some(q @ ('\'' | '"')) => item[1..].split(q).next().unwrap_or(""),
            _ => item
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .next()
                .unwrap_or(""),
        };
        if !key.is_empty() {
            keys.push(key.to_string());
        }
    }
    NewArg::Keys { keys, spread }
}

/// What a direct call `name(…)` of a possible wrapper passes, its
/// arguments `args` starting the call at `start`: what bounds it (a
/// `signal`/`timeout` key, a Python `timeout=`, a `Promise.race` around
/// it), and per positional argument whether its content is unknown.
fn direct_args<'s>(
    src: &'s Source,
    args: &str,
    start: usize,
    racing: bool,
    functions: &[(String, usize, usize)],
    races: &OnceCell<callers::Races>,
    literals: &OnceCell<Literals<'s>>,
) -> Args {
    let py = src.lang == Lang::Python;
    let parts = split_top(args);
    let mut bound = None;
    if py {
        if let Some(TimeoutState::Explicit) = py_timeout(args) {
            bound = Some("passes timeout=".to_string());
        }
    } else if names_key(args, "signal", false) || names_key(args, "timeout", false) {
        bound = Some("passes a timeout or abort signal".to_string());
    }
    if bound.is_none()
        && racing
        && let Some(race) =
            callers::raced(src, start, races.get_or_init(|| callers::Races::of(src)))
    {
        bound = Some(format!(
            "is raced against a timer at line {}",
            src.line(race)
        ));
    }
    let positional: Vec<&str> = parts
        .iter()
        .copied()
        .filter(|p| !(p.trim_start().starts_with("**") || py && is_keyword(p)))
        .collect();
    let opaque = positional
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let p = p.trim();
            // `this.fetch(url, undefined, …)`: no options at all.
            if p.starts_with('{')
                || p.starts_with('[')
                || p.starts_with('\'')
                || p.starts_with('"')
                || !py && (p == "undefined" || p == "null")
            {
                return false;
            }
            // Options built a few lines up (`const options = { method,
            // headers }; … getJson(url, options)`): read the literal.
            if py
                || i == 0
                || !p
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            {
                return true;
            }
            let Some((o, c)) =
                literal_before(literals.get_or_init(|| object_literals(src)), p, start)
            else {
                return true;
            };
            let literal = &src.code[o..=c];
            if bound.is_none()
                && (names_key(literal, "signal", false) || names_key(literal, "timeout", false))
            {
                bound = Some(format!("passes a timeout or abort signal (in `{p}`)"));
            }
            literal.contains("...")
        })
        .collect();
    let rest = parts.iter().any(|p| {
        let p = p.trim();
        match p.strip_prefix("**") {
            // `**data` where `data = {'json': body}` a few lines up: the
            // keywords are known, and a timeout is not among them.
            Some(var) if py => !dict_without_timeout(src, var, start, functions),
            _ => p.starts_with("...") || p.starts_with('*'),
        }
    });
    Args::Direct {
        bound,
        opaque,
        rest,
    }
}

/// Object literals bound to a name: (end of the declaration, `{`, `}`).
type Literals<'s> = HashMap<&'s str, Vec<(usize, usize, usize)>>;

/// The object literal bound to `name` last before `at` in this file
/// (`const options = { … }`), as its brace offsets.
fn literal_before(literals: &Literals, name: &str, at: usize) -> Option<(usize, usize)> {
    literals
        .get(name)?
        .iter()
        .take_while(|(end, _, _)| *end <= at)
        .last()
        .map(|(_, open, close)| (*open, *close))
}

/// Every `const|let|var name = { … }` of a file, by name, in order: one
/// pass, so a file of many calls is not searched once per call.
fn object_literals<'s>(src: &'s Source) -> Literals<'s> {
    let mut out = Literals::new();
    for c in src.captures(&OBJECT_LITERAL) {
        let (Some(m), Some(name)) = (c.get(0), c.name("name")) else {
            continue;
        };
        let open = m.end() - 1;
        if let Some(close) = src.matching(open) {
            out.entry(name.as_str())
                .or_default()
                .push((m.end(), open, close));
        }
    }
    out
}

static OBJECT_LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=;{}]+)?=\s*\{",
    )
});

/// Keep a call, and the function it sits in: a call in a function that its
/// own caller bounds (`Promise.race`, `tokio::time::timeout`) is bounded
/// there, and `callers` follows it like any other call.
fn record(call: ShapeCall, at: usize, functions: &[(String, usize, usize)], facts: &mut CodeFacts) {
    if let Some((name, _, _)) = innermost_function(functions, at) {
        facts.caller_boundable.push(Enclosed {
            location: call.location.clone(),
            function: name.clone(),
        });
    }
    facts.shape_calls.push(call);
}

/// The methods of a Python file's classes that may be providers, for
/// resolving `self.name(…)` the way Python does: the class around the call,
/// then its bases defined in this file. Built once per file; each lookup is
/// a few hash probes, however many classes and methods the file has.
struct Methods {
    classes: Vec<super::python::Class>,
    by_name: HashMap<String, usize>,
    /// (class index, method name) → line of its `def`.
    defs: HashMap<(usize, String), u32>,
    /// Every method each class defines, provider or not.
    all: HashSet<(usize, String)>,
}

impl Methods {
    fn new(
        src: &Source,
        functions: &[(String, usize, usize)],
        own: &HashMap<&str, Vec<u32>>,
    ) -> Self {
        let code = &src.code;
        let classes = super::python::classes(src);
        let mut by_name = HashMap::new();
        for (i, c) in classes.iter().enumerate() {
            by_name.entry(c.name.clone()).or_insert(i);
        }
        let mut defs = HashMap::new();
        let mut all = HashSet::new();
        for (name, s, _) in functions {
            let Some(def) = code[..*s].rfind("def ") else {
                continue;
            };
            let Some(class) = innermost_class(&classes, def) else {
                continue;
            };
            let line_start = code[..def].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &code[line_start..def];
            let indent = prefix.len() - prefix.trim_start().len();
            if indent == classes[class].level && matches!(prefix.trim(), "" | "async") {
                all.insert((class, name.clone()));
                if own.contains_key(name.as_str()) {
                    defs.entry((class, name.clone()))
                        .or_insert_with(|| src.line(def));
                }
            }
        }
        Methods {
            classes,
            by_name,
            defs,
            all,
        }
    }

    /// The bases, defined in no class of this file, that `self.name` at
    /// `at` may come from: none when the class around the call, or one of
    /// its bases in this file, defines `name` itself.
    fn foreign_bases(&self, at: usize, name: &str) -> impl Iterator<Item = &str> {
        let mut found: &[String] = &[];
        let mut class = innermost_class(&self.classes, at);
        for _ in 0..8 {
            let Some(c) = class else {
                break;
            };
            if self.all.contains(&(c, name.to_string())) {
                break;
            }
            let bases = &self.classes[c].bases;
            class = bases.iter().find_map(|b| self.by_name.get(b).copied());
            if class.is_none() {
                found = bases;
            }
        }
        found.iter().map(String::as_str)
    }

    /// The line of the `def` that `self.name` at `at` calls.
    fn resolve(&self, at: usize, name: &str) -> Option<u32> {
        let mut class = innermost_class(&self.classes, at)?;
        for _ in 0..8 {
            if let Some(line) = self.defs.get(&(class, name.to_string())) {
                return Some(*line);
            }
            class = self.classes[class]
                .bases
                .iter()
                .find_map(|b| self.by_name.get(b).copied())?;
        }
        None
    }
}

/// The index of the innermost class whose body holds `at`. Classes come in
/// the order they start; the search walks back from the last one starting
/// before `at`, a bounded number of steps (a call after hundreds of nested
/// classes stays unresolved rather than costing a pass over all of them).
fn innermost_class(classes: &[super::python::Class], at: usize) -> Option<usize> {
    let end = classes.partition_point(|c| c.body.0 <= at);
    (end.saturating_sub(64)..end)
        .rev()
        .find(|&i| (classes[i].body.0..classes[i].body.1).contains(&at))
}

/// `var` is bound, in the function around `at`, only to dict literals that
/// name no timeout, and never changed through a subscript or a method.
fn dict_without_timeout(
    src: &Source,
    var: &str,
    at: usize,
    functions: &[(String, usize, usize)],
) -> bool {
    if var.is_empty() || !var.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return false;
    }
    let code = &src.code;
    let Some((_, s, e)) = innermost_function(functions, at) else {
        return false;
    };
    let bytes = code.as_bytes();
    let mut literals = 0;
    for (i, _) in code[*s..*e].match_indices(var).take(64) {
        let at = s + i;
        if at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'.')
            || bytes
                .get(at + var.len())
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            || !src.is_code(at)
        {
            continue;
        }
        let rest = code[at + var.len()..].trim_start_matches([' ', '\t']);
        if rest.starts_with('[') || rest.starts_with('.') {
            return false;
        }
        let Some(value) = rest.strip_prefix('=') else {
            continue;
        };
        if value.starts_with('=') {
            continue;
        }
        let value = value.trim_start_matches([' ', '\t']);
        let open = code.len() - value.len();
        if !value.starts_with('{') {
            return false;
        }
        let Some(close) = src.matching(open) else {
            return false;
        };
        if code[open..close].contains("timeout") {
            return false;
        }
        literals += 1;
    }
    literals > 0
}

/// The innermost function whose body holds `at`. `Source::functions`
/// lists bodies in the order they start, so that is the last one starting
/// before `at` that still holds it, found by walking back a bounded number
/// of steps: a file of thousands of functions costs a search per call, not
/// a pass over all of them.
pub(super) fn innermost_function(
    functions: &[(String, usize, usize)],
    at: usize,
) -> Option<&(String, usize, usize)> {
    let end = functions.partition_point(|(_, s, _)| *s <= at);
    functions[end.saturating_sub(64)..end]
        .iter()
        .rev()
        .find(|(_, s, e)| (*s..*e).contains(&at))
}

fn is_keyword(arg: &str) -> bool {
    let a = arg.trim_start();
    let id_len = a
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(a.len());
    id_len > 0
        && a[id_len..].trim_start().starts_with('=')
        && !a[id_len..].trim_start().starts_with("==")
}

/// `.get(` right after a call: the HTTP method used on what it returned.
fn method_after(after: &str) -> Option<&str> {
    let rest = after
        .strip_prefix('.')
        .or_else(|| after.strip_prefix("?."))?;
    let rest = rest.trim_start();
    let m = METHODS
        .iter()
        .find(|m| rest.starts_with(**m) && rest[m.len()..].trim_start().starts_with('('))?;
    Some(&rest[..m.len()])
}

/// The variable a call at `start` is assigned to: `const api = `, `s = `,
/// `self.http = ` (the latter counts only within the function).
fn assigned_to(code: &str, start: usize) -> Option<String> {
    let line_start = code[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = code[line_start..start].trim_end();
    let before = before.strip_suffix("await").map_or(before, str::trim_end);
    let target = before.strip_suffix('=')?.trim_end();
    if target.ends_with(['=', '!', '<', '>']) {
        return None;
    }
    let target = target.split(':').next()?.trim();
    let name = target.rsplit(' ').next()?;
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.'))
    .then(|| name.to_string())
}

#[allow(clippy::too_many_arguments)]
fn through_var(
    src: &Source,
    var: &str,
    after: usize,
    (_, end): (usize, usize),
    exported: &str,
    from: Option<&str>,
    accessor: &str,
    functions: &[(String, usize, usize)],
    facts: &mut CodeFacts,
) {
    let code = &src.code;
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    for (i, _) in code[after..end].match_indices(var) {
        let at = after + i;
        if at > 0 && (ident(bytes[at - 1]) || bytes[at - 1] == b'.') || !src.is_code(at) {
            continue;
        }
        let rest = &code[at + var.len()..];
        let Some(m) = method_after(rest) else {
            continue;
        };
        let mopen = at + var.len() + rest.find(m).unwrap_or(0) + m.len();
        let mopen = mopen + code[mopen..].find('(').unwrap_or(0);
        let call = ShapeCall {
            location: src.loc(at),
            name: exported.to_string(),
            from: from.map(str::to_string),
            call: format!("{var}.{m} (from {accessor}())"),
            def_line: None,
            args: Args::Method {
                own: own_state(src, src.inside(mopen)),
            },
        };
        record(call, at, functions, facts);
    }
}

/// The timeout a call through a handed-out client sets itself.
fn own_state(src: &Source, args: &str) -> Option<TimeoutState> {
    if src.lang == Lang::Python {
        return py_timeout(args);
    }
    (names_key(args, "timeout", false) || names_key(args, "signal", false))
        .then_some(TimeoutState::Explicit)
}

/// Join the calls with the wrappers and accessors they reach. Only a call
/// whose provider is found (same name, in the file its import names)
/// becomes a site.
pub fn resolve(providers: &[Provider], calls: &[ShapeCall]) -> Vec<OutboundCall> {
    if providers.is_empty() || calls.is_empty() {
        return Vec::new();
    }
    let providers = follow_returns(&follow_forwards(providers));
    let mut by_name: HashMap<&str, Vec<&Provider>> = HashMap::new();
    let mut classes: HashMap<&str, Vec<&Provider>> = HashMap::new();
    for p in &providers {
        let map = if matches!(p.kind, ProviderKind::Class { .. }) {
            &mut classes
        } else {
            &mut by_name
        };
        map.entry(p.name.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for c in calls {
        let found: Vec<&Provider> = if c.name.contains('.') {
            method_providers(&by_name, &classes, c)
        } else {
            let Some(named) = by_name.get(c.name.as_str()) else {
                continue;
            };
            named
                .iter()
                .copied()
                .filter(|p| {
                    provides(&p.location.path, &c.location.path, c.from.as_deref())
                        && c.def_line.is_none_or(|l| p.location.line == l)
                })
                .collect()
        };
        let Some(p) = found.first() else {
            continue;
        };
        if found.iter().any(|o| o.kind != p.kind) {
            continue;
        }
        let at = format!("{}:{}", p.location.path, p.location.line);
        let site = match (&p.kind, &c.args) {
            (
                ProviderKind::Wrapper { client, param },
                Args::Direct {
                    bound,
                    opaque,
                    rest,
                },
            ) => {
                let py = c.location.path.ends_with(".py");
                let missing = |what: &str| {
                    (
                        TimeoutState::Missing,
                        format!(
                            "{}(…) passes {what} to the wrapper {} defined at {at}, which hands its caller's options to {client}: nothing bounds this request",
                            c.call, p.name
                        ),
                    )
                };
                let (timeout, note) = if let Some(how) = bound {
                    (
                        TimeoutState::Explicit,
                        format!("{} {how} (the wrapper {} defined at {at})", c.call, p.name),
                    )
                } else if py && opaque.len() > *param {
                    // `fetch_json(url, 5)`: the timeout passed by position.
                    (
                        TimeoutState::Explicit,
                        format!(
                            "{} passes a timeout to the wrapper {} defined at {at}",
                            c.call, p.name
                        ),
                    )
                } else if *rest || !py && opaque.get(*param) == Some(&true) {
                    // Options handed on from a variable: unknown.
                    continue;
                } else if py {
                    missing("no timeout=")
                } else {
                    missing("no timeout or abort signal")
                };
                OutboundCall {
                    location: c.location.clone(),
                    client,
                    timeout,
                    note,
                }
            }
            (
                ProviderKind::Accessor {
                    client,
                    built,
                    timeout,
                },
                Args::Method { own },
            ) => {
                let via = if p
                    .name
                    .rsplit_once('.')
                    .is_some_and(|(_, field)| c.call.starts_with(&format!("this.{field}.")))
                {
                    // A field of a base class, inherited.
                    format!(
                        "{} through the {client} client {} (a field of the base class), built at {}:{}",
                        c.call, p.name, built.path, built.line
                    )
                } else if c.call.starts_with(&format!("{}.", p.name)) {
                    // A shared object imported from its module.
                    format!(
                        "{} through the {client} client {} of {}:{}",
                        c.call, p.name, built.path, built.line
                    )
                } else {
                    format!(
                        "{} through the {client} client that {}() hands out, built at {}:{}",
                        c.call, p.name, built.path, built.line
                    )
                };
                let (timeout, note) = match (own, timeout) {
                    (Some(TimeoutState::Explicit), _) => (
                        TimeoutState::Explicit,
                        format!("{via}, with a timeout of its own"),
                    ),
                    (Some(TimeoutState::Disabled), _) => (
                        TimeoutState::Disabled,
                        format!("{via}: its timeout is switched off"),
                    ),
                    (_, TimeoutState::Explicit) => (
                        TimeoutState::Explicit,
                        format!("{via}, configured with a timeout"),
                    ),
                    (_, TimeoutState::ClientDefault(d)) => (
                        TimeoutState::ClientDefault(d),
                        format!("{via}: its default applies ({d})"),
                    ),
                    (_, TimeoutState::TooLong(d)) => (
                        TimeoutState::TooLong(d),
                        format!("{via}: its default ({d}) is too long to protect a request"),
                    ),
                    (_, TimeoutState::Disabled) => (
                        TimeoutState::Disabled,
                        format!("{via}, created with its timeout switched off"),
                    ),
                    (_, TimeoutState::Missing) => (
                        TimeoutState::Missing,
                        format!("{via}, created without a timeout: {client} has none by default"),
                    ),
                };
                OutboundCall {
                    location: c.location.clone(),
                    client,
                    timeout,
                    note,
                }
            }
            (
                ProviderKind::Constructs {
                    client,
                    option,
                    param,
                    built,
                    unbounded,
                },
                Args::New { args },
            ) => {
                let class = format!(
                    "the class {} defined at {at}, whose constructor hands it to {client} (built at {}:{})",
                    p.name, built.path, built.line
                );
                let passed = match args.get(*param) {
                    None | Some(NewArg::Absent) => false,
                    Some(NewArg::Keys { keys, spread }) => {
                        if keys.iter().any(|k| k == option) {
                            true
                        } else if *spread {
                            // The spread may carry it: unknown.
                            continue;
                        } else {
                            false
                        }
                    }
                    Some(NewArg::Opaque) => continue,
                };
                let (timeout, note) = if passed {
                    (
                        TimeoutState::Explicit,
                        format!("{}(…) passes {option} to {class}", c.call),
                    )
                } else {
                    let what = match unbounded {
                        TimeoutState::ClientDefault(d) => {
                            format!("{client}'s own default of {d} applies")
                        }
                        TimeoutState::TooLong(d) => {
                            format!("{client}'s default of {d} is too long to protect a request")
                        }
                        _ => format!("{client} has no timeout by default"),
                    };
                    (
                        unbounded.clone(),
                        format!("{}(…) passes no {option} to {class}: {what}", c.call),
                    )
                };
                OutboundCall {
                    location: c.location.clone(),
                    client,
                    timeout,
                    note,
                }
            }
            _ => continue,
        };
        out.push(site);
    }
    out.sort_by(|a, b| a.location.cmp(&b.location));
    out.dedup_by(|a, b| a.location == b.location && a.client == b.client);
    out
}

/// The providers a JavaScript `this.m(…)` reaches, named `Class.m` with
/// the module of `Class`: that class's own `m` if a provider, else the
/// chain of `extends` followed module by module (each link's import read
/// from the file that declares it). A class that defines `m` itself and is
/// no provider of it ends the search; so does a chain longer than eight
/// links, which also stops a cycle (`A extends B`, `B extends A`).
fn method_providers<'p>(
    by_name: &HashMap<&str, Vec<&'p Provider>>,
    classes: &HashMap<&str, Vec<&'p Provider>>,
    c: &ShapeCall,
) -> Vec<&'p Provider> {
    let Some((class, method)) = c.name.rsplit_once('.') else {
        return Vec::new();
    };
    let mut class = class.to_string();
    let mut path = c.location.path.clone();
    let mut from = c.from.clone();
    // The class itself, then up to eight links above it.
    for _ in 0..=8 {
        let here = |p: &&&Provider| provides(&p.location.path, &path, from.as_deref());
        if let Some(named) = by_name.get(format!("{class}.{method}").as_str()) {
            let found: Vec<&Provider> = named.iter().filter(here).copied().collect();
            if !found.is_empty() {
                return found;
            }
        }
        let mut decls = classes
            .get(class.as_str())
            .into_iter()
            .flatten()
            .filter(here);
        let (Some(decl), None) = (decls.next(), decls.next()) else {
            return Vec::new();
        };
        let ProviderKind::Class {
            base,
            from: base_from,
            methods,
        } = &decl.kind
        else {
            return Vec::new();
        };
        if methods.iter().any(|m| m == method) {
            return Vec::new();
        }
        class = base.clone();
        path = decl.location.path.clone();
        from = base_from.clone();
    }
    Vec::new()
}

/// A function that returns what an accessor hands out is that accessor:
/// `getSsrfSafeAxios()` in a base class returning the module function of
/// the same name, itself returning an `axios.create(…)`. One hop per round,
/// eight at most; a cycle settles nothing.
fn follow_returns(providers: &[Provider]) -> Vec<Provider> {
    let mut out = providers.to_vec();
    if !out
        .iter()
        .any(|p| matches!(p.kind, ProviderKind::Returns { .. }))
    {
        return out;
    }
    for _ in 0..8 {
        let mut accessors: HashMap<&str, Vec<(&str, &ProviderKind)>> = HashMap::new();
        for p in &out {
            if let ProviderKind::Accessor { .. } = p.kind {
                accessors
                    .entry(p.name.as_str())
                    .or_default()
                    .push((p.location.path.as_str(), &p.kind));
            }
        }
        let settled: Vec<(usize, ProviderKind)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let ProviderKind::Returns { name, from } = &p.kind else {
                    return None;
                };
                let mut found = accessors
                    .get(name.as_str())?
                    .iter()
                    .filter(|(path, _)| provides(path, &p.location.path, from.as_deref()));
                let (_, kind) = found.next()?;
                found.all(|(_, k)| k == kind).then(|| (i, (*kind).clone()))
            })
            .collect();
        if settled.is_empty() {
            break;
        }
        for (i, kind) in settled {
            out[i].kind = kind;
        }
    }
    out
}

/// Python functions that hand their `**kwargs` on to a wrapper are
/// wrappers of the same client: `make_request` → `request_response2` →
/// `requests`. Each round settles one more hop of every chain; a chain
/// longer than eight hops, or a cycle of functions forwarding to each
/// other, stays unsettled and its calls unknown.
fn follow_forwards(providers: &[Provider]) -> Vec<Provider> {
    let mut out = providers.to_vec();
    if !out
        .iter()
        .any(|p| matches!(p.kind, ProviderKind::Forwards { .. }))
    {
        return out;
    }
    for _ in 0..8 {
        let mut wrappers: HashMap<&str, Vec<(&str, &'static str)>> = HashMap::new();
        for p in &out {
            // A shared client with no timeout of its own (`requests_session
            // = TunedSession()`) leaves the bound to the keywords handed on.
            if let ProviderKind::Wrapper { client, .. }
            | ProviderKind::Accessor {
                client,
                timeout: TimeoutState::Missing,
                ..
            } = p.kind
            {
                wrappers
                    .entry(p.name.as_str())
                    .or_default()
                    .push((p.location.path.as_str(), client));
            }
        }
        let settled: Vec<(usize, &'static str)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let ProviderKind::Forwards { name, from } = &p.kind else {
                    return None;
                };
                let mut clients = wrappers
                    .get(name.as_str())?
                    .iter()
                    .filter(|(path, _)| provides(path, &p.location.path, from.as_deref()));
                let (_, client) = clients.next()?;
                // Two modules answering to the name with different clients:
                // which one is meant is not known.
                clients.all(|(_, c)| c == client).then_some((i, *client))
            })
            .collect();
        if settled.is_empty() {
            break;
        }
        for (i, client) in settled {
            out[i].kind = ProviderKind::Wrapper {
                client,
                param: usize::MAX,
            };
        }
    }
    out
}

/// Whether the file at `provider` is the one `from` names for a call in
/// `caller`: the same file, a relative path, a workspace package or alias
/// path whose tail is the provider's path, or a Python module path.
pub(super) fn provides(provider: &str, caller: &str, from: Option<&str>) -> bool {
    let Some(spec) = from else {
        return provider == caller;
    };
    let stem = provider
        .rsplit_once('.')
        .map_or(provider, |(s, _)| s)
        .trim_end_matches("/index")
        .trim_end_matches("/__init__");
    let tail_of =
        |tail: &str| !tail.is_empty() && (stem == tail || stem.ends_with(&format!("/{tail}")));
    if provider.ends_with(".py") {
        let dots = spec.len() - spec.trim_start_matches('.').len();
        let module = spec.trim_start_matches('.').replace('.', "/");
        if dots == 0 {
            // The scanned folder is often the package itself (`plexpy/`),
            // whose modules import their siblings by the package's name
            // (`from plexpy import request` for `request.py`).
            return tail_of(&module) || module.ends_with(&format!("/{stem}"));
        }
        // `from .http import x` in app/api/routes.py is app/api/http.py.
        let mut dir: Vec<&str> = caller.split('/').collect();
        dir.pop();
        for _ in 1..dots {
            dir.pop();
        }
        let base = dir.join("/");
        let full = if module.is_empty() {
            base
        } else if base.is_empty() {
            module
        } else {
            format!("{base}/{module}")
        };
        return stem == full;
    }
    if spec.starts_with('.') {
        let mut parts: Vec<&str> = caller.split('/').collect();
        parts.pop();
        for seg in spec.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    if parts.pop().is_none() {
                        return false;
                    }
                }
                s => parts.push(s),
            }
        }
        let target = parts.join("/");
        let target = target
            .strip_suffix(".js")
            .or_else(|| target.strip_suffix(".ts"))
            .unwrap_or(&target);
        return stem == target;
    }
    // `@acme/lib/safeFetch`: package `@acme/lib`, path `safeFetch`;
    // `@/lib/http`, `~/lib/http`: an alias, path `lib/http`; `network`,
    // `lib/http`: a path from the `baseUrl` of the caller's tsconfig.
    let segments: Vec<&str> = spec.split('/').collect();
    let skip = if spec.starts_with('@') && !spec.starts_with("@/") {
        2
    } else {
        1
    };
    tail_of(&segments.get(skip..).unwrap_or(&[]).join("/"))
        || !spec.starts_with(['@', '~', '#']) && tail_of(spec)
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use crate::facts::code::{TimeoutState, extract};
    use crate::inventory::Lang;

    /// A match's words are its runs of `[A-Za-z0-9_$]`; text beyond ASCII
    /// is always read further.
    #[test]
    fn a_match_names_a_word_only_whole() {
        let is = |w: &str| ["Api", "$http", "client_2"].contains(&w);
        assert!(super::names_any("private readonly api: Api;", is));
        assert!(super::names_any("this.$http.get(", is));
        assert!(super::names_any("client_2 ?. post (", is));
        assert!(!super::names_any("apiClient: ApiClient,", is));
        assert!(!super::names_any("x = new Apis(", is));
        assert!(!super::names_any("", is));
        assert!(super::names_any("é: Ünit =", |_| false));
    }

    fn sites(files: &[(&str, Lang, &str)]) -> Vec<(String, u32, TimeoutState)> {
        let facts: Vec<_> = files
            .iter()
            .map(|(p, l, t)| extract(p, *l, false, t))
            .collect();
        let providers: Vec<_> = facts.iter().flat_map(|f| f.providers.clone()).collect();
        let calls: Vec<_> = facts.iter().flat_map(|f| f.shape_calls.clone()).collect();
        resolve(&providers, &calls)
            .into_iter()
            .map(|c| (c.location.path, c.location.line, c.timeout))
            .collect()
    }

    #[test]
    fn a_fetch_wrapper_is_judged_at_its_callers() {
        use TimeoutState::*;
        let lib = "export async function getJson(url: string, init: RequestInit = {}) {\n  const res = await fetch(url, { ...init, headers: { accept: 'json' } });\n  return res.json();\n}\n";
        let user = "import { getJson } from '@acme/net/getJson';\nimport { getJson as load } from '../../../packages/net/getJson';\nexport const a = () => getJson('https://a.example');\nexport const b = () => getJson('https://b.example', { signal: AbortSignal.timeout(5000) });\nexport const c = (o) => getJson('https://c.example', o);\nexport const d = () => load('https://d.example', { method: 'HEAD' });\n";
        let got = sites(&[
            ("packages/net/getJson.ts", Lang::TypeScript, lib),
            ("apps/api/routes/feeds.ts", Lang::TypeScript, user),
        ]);
        assert_eq!(
            got,
            vec![
                ("apps/api/routes/feeds.ts".into(), 3, Missing),
                ("apps/api/routes/feeds.ts".into(), 4, Explicit),
                ("apps/api/routes/feeds.ts".into(), 6, Missing),
            ]
        );
    }

    #[test]
    fn a_class_handing_its_option_to_the_sdk_it_builds_is_judged_where_it_is_built() {
        use TimeoutState::*;
        let lib = "import Stripe from 'stripe';\nexport class Billing {\n  private stripe: Stripe;\n  constructor(key: string, opts?: { timeout?: number }) {\n    this.stripe = new Stripe(key, { apiVersion: '2024-06-20', timeout: opts?.timeout });\n  }\n}\n";
        let user = "import { Billing } from '../billing/client';\nexport const a = () => new Billing(process.env.KEY);\nexport const b = (key) => new Billing(key, { timeout: 5000 });\nexport const c = (key, o) => new Billing(key, o);\nexport const d = (key) => new Billing(key, undefined);\nconsole.log('billing');\n";
        let facts = extract("src/billing/client.ts", Lang::TypeScript, false, lib);
        assert!(facts.outbound.is_empty(), "{:?}", facts.outbound);
        let got = sites(&[
            ("src/billing/client.ts", Lang::TypeScript, lib),
            ("src/routes/pay.ts", Lang::TypeScript, user),
        ]);
        // Stripe's own 80 s applies where no timeout is handed on.
        assert_eq!(
            got,
            vec![
                ("src/routes/pay.ts".into(), 2, ClientDefault("80 s")),
                ("src/routes/pay.ts".into(), 3, Explicit),
                ("src/routes/pay.ts".into(), 5, ClientDefault("80 s")),
            ]
        );
        // A fallback of the class's own bounds the construction itself.
        let fallback = lib.replace("opts?.timeout }", "opts?.timeout ?? 10000 }");
        let facts = extract("src/billing/client.ts", Lang::TypeScript, false, &fallback);
        assert_eq!(facts.outbound.len(), 1);
        assert_eq!(facts.outbound[0].timeout, Explicit);
        assert!(
            sites(&[
                ("src/billing/client.ts", Lang::TypeScript, &fallback),
                ("src/routes/pay.ts", Lang::TypeScript, user),
            ])
            .is_empty()
        );
    }

    #[test]
    fn a_wrapper_injected_by_type_is_judged_at_its_callers() {
        use TimeoutState::*;
        let lib = "export class FetchService {\n  public async fetch(input: string, init?: RequestInit) {\n    return globalThis.fetch(input, init);\n  }\n  public ping() { return 1; }\n}\n";
        // A parameter property, one behind `@Inject`, a factory parameter,
        // a method that is no wrapper, and a library class of the same name.
        let user = "import { Inject } from '@nestjs/common';\nimport { FetchService } from '@app/services/fetch/fetch.service';\nexport class Rates {\n  constructor(private readonly fetchService: FetchService, @Inject('F') private readonly other: FetchService) {}\n  a() { return this.fetchService.fetch('https://a.example'); }\n  b() { return this.other\n    .fetch('https://b.example', { signal: AbortSignal.timeout(3000) }); }\n  c(init: RequestInit) { return this.fetchService.fetch('https://c.example', init); }\n  d() { return this.fetchService.ping(); }\n}\nexport const factory = async (fetchService: FetchService) => fetchService.fetch('https://d.example');\n";
        let lookalike = "import { FetchService } from 'some-http-lib';\nexport class Other {\n  constructor(private readonly fetchService: FetchService) {}\n  a() { return this.fetchService.fetch('https://e.example'); }\n}\n";
        let got = sites(&[
            (
                "apps/api/src/services/fetch/fetch.service.ts",
                Lang::TypeScript,
                lib,
            ),
            ("apps/api/src/rates.ts", Lang::TypeScript, user),
            ("apps/api/src/other.ts", Lang::TypeScript, lookalike),
        ]);
        assert_eq!(
            got,
            vec![
                ("apps/api/src/rates.ts".into(), 5, Missing),
                ("apps/api/src/rates.ts".into(), 7, Explicit),
                ("apps/api/src/rates.ts".into(), 11, Missing),
            ]
        );
    }

    #[test]
    fn a_python_wrapper_with_a_none_timeout() {
        use TimeoutState::*;
        let lib = "import requests\n\ndef fetch_json(url, timeout=None):\n    return requests.get(url, timeout=timeout).json()\n\ndef fetch_text(url, timeout=None):\n    timeout = timeout or 10\n    return requests.get(url, timeout=timeout).text\n";
        let user = "import logging\nfrom app.net import fetch_json, fetch_text\n\ndef a():\n    return fetch_json('https://a.example')\n\ndef b():\n    return fetch_json('https://b.example', timeout=3)\n\ndef c():\n    return fetch_json('https://c.example', 3)\n\ndef d():\n    return fetch_text('https://d.example')\n";
        let got = sites(&[
            ("app/net.py", Lang::Python, lib),
            ("app/jobs.py", Lang::Python, user),
        ]);
        assert_eq!(
            got,
            vec![
                ("app/jobs.py".into(), 5, Missing),
                ("app/jobs.py".into(), 8, Explicit),
                ("app/jobs.py".into(), 11, Explicit),
            ]
        );
    }

    /// healthchecks' shape: `request(…, *, timeout=None)` around pycurl,
    /// `post(…, *, timeout=None)` handing on to it, and callers that import
    /// the module and call `curl.post(…)`.
    #[test]
    fn chained_wrappers_called_through_their_module() {
        use TimeoutState::*;
        let lib = "import pycurl\n\ndef request(method, url, *, data=None, timeout=None):\n    c = pycurl.Curl()\n    if timeout is not None:\n        c.setopt(pycurl.TIMEOUT, timeout)\n    c.perform()\n\ndef post(url, data=None, *, timeout=None):\n    return request(\n        'post',\n        url,\n        data=data,\n        timeout=timeout,\n    )\n";
        let user = "import logging\nfrom app.lib import curl\n\ndef exchange(code):\n    return curl.post('https://auth.example/token', {'code': code})\n\ndef notify(body):\n    return curl.post('https://hooks.example', body, timeout=10)\n";
        let got = sites(&[
            ("app/lib/curl.py", Lang::Python, lib),
            ("app/views.py", Lang::Python, user),
        ]);
        // The inner hand-on (`request(…, timeout=timeout)`) is bounded by
        // construction; the caller without a timeout is the site.
        assert_eq!(
            got,
            vec![
                ("app/lib/curl.py".into(), 10, Explicit),
                ("app/views.py".into(), 5, Missing),
                ("app/views.py".into(), 8, Explicit)
            ]
        );
    }

    /// A package scanned as the root (`relay/` holds `transport.py`, whose
    /// siblings import it as `from relay import transport`): a sender over
    /// `getattr(requests, verb)` that hands its `**kw` on, a function of the
    /// same module forwarding to it, and a base class method forwarding
    /// across modules. Callers are judged by the `timeout=` they pass.
    #[test]
    fn kwargs_forwarded_through_a_chain_of_wrappers() {
        use TimeoutState::*;
        let transport = "import requests\n\ndef send(url, verb='get', **kw):\n    do = getattr(requests, verb.lower())\n    return do(url, **kw)\n\ndef send_json(url, **kw):\n    return send(url, **kw).json()\n";
        let channels = "import logging\nfrom relay import transport\n\nclass Channel:\n    def post(self, url, **kw):\n        return transport.send(url, 'POST', **kw)\n\nclass Pager(Channel):\n    def page(self, text):\n        return self.post('https://pager.example', json={'t': text})\n\n    def page_soon(self, text):\n        return self.post('https://pager.example', json={'t': text}, timeout=3)\n\ndef index(u):\n    return transport.send_json(u)\n\ndef index_with(u, **kw):\n    return transport.send_json(u, **kw)\n";
        let got = sites(&[
            ("transport.py", Lang::Python, transport),
            ("channels.py", Lang::Python, channels),
        ]);
        assert_eq!(
            got,
            vec![
                ("channels.py".into(), 10, Missing),
                ("channels.py".into(), 13, Explicit),
                ("channels.py".into(), 16, Missing),
            ]
        );
        // The client call inside the wrapper is its own line, not a site.
        let f = extract("transport.py", Lang::Python, false, transport);
        assert_eq!(f.outbound.len(), 1);
        assert_eq!(f.outbound[0].timeout, Explicit);
    }

    /// Forwarding chains are followed a bounded number of hops, and a cycle
    /// of functions forwarding to each other settles nothing.
    #[test]
    fn forwarding_chains_are_bounded() {
        use TimeoutState::*;
        let chain = |hops: usize| {
            let mut text = String::from(
                "import requests\n\ndef f0(url, **kw):\n    return requests.post(url, **kw)\n",
            );
            for i in 1..=hops {
                text.push_str(&format!(
                    "\ndef f{i}(url, **kw):\n    return f{}(url, **kw)\n",
                    i - 1
                ));
            }
            text.push_str(&format!(
                "\ndef job():\n    return f{hops}('https://a.example')\n"
            ));
            text
        };
        let short = chain(3);
        let line = short.lines().count() as u32;
        assert_eq!(
            sites(&[("app/net.py", Lang::Python, &short)]),
            vec![("app/net.py".into(), line, Missing)]
        );
        assert_eq!(sites(&[("app/net.py", Lang::Python, &chain(12))]), vec![]);
        let cycle = "import logging\n\ndef a(url, **kw):\n    return b(url, **kw)\n\ndef b(url, **kw):\n    return a(url, **kw)\n\ndef job():\n    return a('https://a.example')\n";
        assert_eq!(sites(&[("app/net.py", Lang::Python, cycle)]), vec![]);
    }

    /// `**body` is known when every binding of `body` in the function is a
    /// dict literal without a timeout; a subclass's own `post` is not the
    /// base class's wrapper.
    #[test]
    fn known_keyword_dicts_and_overridden_methods() {
        use TimeoutState::*;
        let text = "import requests\n\nclass Base:\n    def post(self, url, **kw):\n        return requests.post(url, **kw)\n\nclass Hook(Base):\n    def fire(self, form):\n        if form:\n            body = {'data': form}\n        else:\n            body = {'json': {}}\n        return self.post('https://h.example', **body)\n\n    def fire_bounded(self):\n        body = {'json': {}, 'timeout': 5}\n        return self.post('https://h.example', **body)\n\n    def fire_changed(self, extra):\n        body = {'json': {}}\n        body.update(extra)\n        return self.post('https://h.example', **body)\n\nclass Own(Base):\n    def post(self, url, **kw):\n        return requests.post(url, timeout=5, **kw)\n\n    def fire(self):\n        return self.post('https://o.example')\n";
        assert_eq!(
            sites(&[("app/hooks.py", Lang::Python, text)]),
            vec![("app/hooks.py".into(), 13, Missing)]
        );
    }

    #[test]
    fn a_proxying_wrapper_is_judged_at_callers_that_import_it_from_the_base_url() {
        use TimeoutState::*;
        // The wrapper rebuilds its caller's options through locals and a
        // helper; callers import it by a path from tsconfig's `baseUrl`.
        let lib = concat!(
            "import fetch from 'node-fetch';\n",
            "function build({ method, extra }) {\n",
            "  return { ...extra, method, redirect: 'manual' };\n",
            "}\n",
            "export const fetchViaProxy = async (url: string, options: Opts = {}, proxy?: P) => {\n",
            "  const { hops, method: first, ...extra } = options;\n",
            "  let method = first;\n",
            "  return fetch(url, build({ method, extra }));\n",
            "};\n",
        );
        let user = concat!(
            "import { fetchViaProxy } from 'network';\n",
            "export async function load(u: string) {\n",
            "  const a = await fetchViaProxy(u, { headers: { accept: 'x' } });\n",
            "  const b = await fetchViaProxy(u, { signal: AbortSignal.timeout(5000) });\n",
            "  return [a, b];\n",
            "}\n",
        );
        let got = sites(&[
            ("apps/workers/network.ts", Lang::TypeScript, lib),
            ("apps/workers/plugins/reddit.ts", Lang::TypeScript, user),
        ]);
        assert_eq!(
            got,
            vec![
                ("apps/workers/plugins/reddit.ts".into(), 3, Missing),
                ("apps/workers/plugins/reddit.ts".into(), 4, Explicit),
            ]
        );
    }

    #[test]
    fn options_a_caller_builds_in_a_variable_are_read() {
        use TimeoutState::*;
        // A local helper that hands its options to fetch whole, called with
        // options built a few lines up: with and without a signal.
        let code = concat!(
            "export const places = async (req, res) => {\n",
            "  const options = { method: 'GET', headers: { accept: 'json' } };\n",
            "  const timed = { method: 'GET', signal: AbortSignal.timeout(3000) };\n",
            "  const getJson = async (url, init, label) => {\n",
            "    const r = await fetch(url, init);\n",
            "    return r.json();\n",
            "  };\n",
            "  const a = await getJson('https://a.example', options, 'a');\n",
            "  const b = await getJson('https://b.example', timed, 'b');\n",
            "  res.json([a, b]);\n",
            "};\n",
        );
        let got = sites(&[("controllers/api.js", Lang::JavaScript, code)]);
        assert_eq!(
            got,
            vec![
                ("controllers/api.js".into(), 8, Missing),
                ("controllers/api.js".into(), 9, Explicit),
            ]
        );
    }

    #[test]
    fn accessors_hand_out_the_client_they_build() {
        use TimeoutState::*;
        let py = "import requests\nimport httpx\n\nclass Api:\n    def __init__(self):\n        self._http = httpx.Client(timeout=None)\n\n    def _session(self):\n        s = requests.Session()\n        s.headers['x'] = 'y'\n        return s\n\n    def client(self):\n        return self._http\n\n    def a(self):\n        return self._session().get('https://a.example')\n\n    def b(self):\n        return self._session().get('https://b.example', timeout=4)\n\n    def c(self):\n        return self.client().post('https://c.example')\n";
        let got = sites(&[("app/api.py", Lang::Python, py)]);
        assert_eq!(
            got,
            vec![
                ("app/api.py".into(), 17, Missing),
                ("app/api.py".into(), 20, Explicit),
                ("app/api.py".into(), 23, Disabled),
            ]
        );
        let js = "import axios from 'axios';\nexport function newClient() {\n  return axios.create({ baseURL: 'https://api.example' });\n}\nexport function patient() {\n  return axios.create({ timeout: 3000 });\n}\n";
        let user = "import { newClient, patient } from './client';\nexport async function a() {\n  const api = newClient();\n  return api.get('/a');\n}\nexport const b = () => patient().get('/b');\nexport const c = () => newClient().get('/c', { timeout: 1000 });\n";
        let got = sites(&[
            ("src/client.ts", Lang::TypeScript, js),
            ("src/users.ts", Lang::TypeScript, user),
        ]);
        assert_eq!(
            got,
            vec![
                ("src/users.ts".into(), 4, Missing),
                ("src/users.ts".into(), 6, Explicit),
                ("src/users.ts".into(), 7, Explicit),
            ]
        );
    }

    #[test]
    fn import_paths_name_the_providing_file() {
        use super::provides;
        assert!(provides(
            "packages/lib/safeFetch.ts",
            "apps/web/x.ts",
            Some("@linkwarden/lib/safeFetch")
        ));
        assert!(provides(
            "src/lib/http/index.ts",
            "src/a.ts",
            Some("@/lib/http")
        ));
        assert!(provides(
            "src/lib/http.ts",
            "src/routes/a.ts",
            Some("../lib/http")
        ));
        assert!(!provides(
            "src/lib/http.ts",
            "src/routes/a.ts",
            Some("./http")
        ));
        assert!(provides("app/net.py", "app/jobs.py", Some("app.net")));
        // The scanned folder is the package: `from plexpy import request`.
        assert!(provides(
            "request.py",
            "notifiers.py",
            Some("plexpy.request")
        ));
        assert!(!provides(
            "request.py",
            "notifiers.py",
            Some("plexpy.requests")
        ));
        assert!(provides("app/net.py", "app/jobs.py", Some(".net")));
        assert!(!provides("lib/net.py", "app/jobs.py", Some(".net")));
        assert!(!provides("src/a.ts", "src/b.ts", None));
    }
}
