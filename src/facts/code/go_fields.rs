//! Go: an HTTP client kept in a struct field and filled by the package's
//! constructors. API adapters are commonly written as a small `client`
//! struct whose field holds the transport (`hc *http.Client`, or a
//! one-method interface such as `httpDoer` so tests can swap it), called as
//! `c.hc.Do(req)` in one file and filled in another: by a constructor
//! (`func newClient(key string, hc httpDoer) *client { return &client{key,
//! hc} }`) whose callers pass `&http.Client{Timeout: …}`, or a caching
//! wrapper built over one (`cache.NewHTTPClient(hc, ttl)`). The call is
//! judged by every value the package puts in that field: reported when all
//! of them leave the timeout unset, bounded when all set one, and unknown
//! (no finding) when any fill cannot be read or none is found.
//!
//! Each file contributes plain facts ([`Fact`]): the client-typed fields it
//! declares, the interfaces that send requests, the values it stores in
//! fields, and its calls of `new…`/`New…` constructors with what each
//! argument is. [`resolve`] joins them per package when facts merge and
//! hands back exported clients, which `resolve_imported` matches to the
//! field calls as it does for any client of another file of the package.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::{CodeFacts, ExportedClient, Source, TimeoutState};
use crate::facts::Location;

/// What a file says about struct fields that hold HTTP clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// A struct field declared with a type that can send requests:
    /// `hc *http.Client`, `hc httpDoer`, `httpClient *cache.HTTPClient`.
    Field {
        scope: String,
        field: String,
        ty: String,
    },
    /// An interface of the package with a `Do(*http.Request)` method.
    Doer { scope: String, name: String },
    /// A value stored in a field: `hc: v` in a composite literal, a
    /// positional `&client{key, v}`, or `x.hc = v`.
    Fill {
        scope: String,
        field: String,
        at: Location,
        value: Value,
    },
    /// A call of a constructor of the package (`newClient(a, b, hc)`), with
    /// what each argument is.
    Call {
        scope: String,
        ctor: String,
        at: Location,
        args: Vec<Value>,
    },
    /// One value a function or method with an `*http.Client` result may
    /// return (one fact per path: every `return`, and every value the
    /// returned name is given): [`handed_out`].
    Returns {
        scope: String,
        func: String,
        at: Location,
        value: Returned,
    },
    /// A timeout field of a type of the package given a bounded value:
    /// `Timeout: defaultTimeout` in a `Config{…}` literal, `c.Timeout = 10 *
    /// time.Second` in a method of `Config`.
    TimeoutSet {
        scope: String,
        ty: String,
        field: String,
        value: Duration,
    },
    /// A package-level constant or variable holding a duration literal
    /// (`defaultTimeout = 10 * time.Second`).
    DurationConst { scope: String, name: String },
    /// A name given a value at the start of a statement in production code
    /// (`injectedHTTPClient = c`), and the function that does it (`None` at
    /// package level): a returned package variable that no file assigns,
    /// or only an exported setter no production code calls, is nil outside
    /// tests.
    Assigned {
        scope: String,
        name: String,
        func: Option<String>,
    },
    /// A production call of a function of an imported project package
    /// (`client.InjectHTTPClient(…)`): the setters that are really used.
    Called { import: String, name: String },
}

/// What one path of a client-returning function returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returned {
    /// A client literal or the default client, with its timeout.
    Client(TimeoutState),
    /// A literal whose `Timeout:` is a field of a value of a package type
    /// (`Timeout: c.Timeout`, `c *Config`): judged by what the package
    /// assigns that field ([`Fact::TimeoutSet`]).
    TimeoutField {
        ty: String,
        field: String,
    },
    /// What another function or method of the package returns
    /// (`return config.getHTTPClient()`).
    Call(String),
    /// A package-level variable, not bound in the function.
    Var(String),
    /// A field not bound in the function (`return s.hc`): judged by what
    /// the package puts in that field.
    Field(String),
    /// `nil` (an error path): no client.
    Nil,
    Unknown,
}

/// A bounded duration: a literal (`10 * time.Second`) or a named constant
/// of the package, resolved at merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duration {
    Literal,
    Named(String),
}

/// What a stored value or an argument is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An HTTP client, built here or wrapped: its timeout.
    Client(TimeoutState),
    /// The constructor's parameter number `index`: its callers decide.
    Param { ctor: String, index: usize },
    /// Anything else: not read.
    Unknown,
}

fn re(p: &str) -> Regex {
    crate::facts::pattern::regex(p)
}

static STRUCT: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^type[ \t]+(?P<name>\w+)[ \t]+struct[ \t]*\{"));
static IFACE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)^type[ \t]+(?P<name>\w+)[ \t]+interface[ \t]*\{"));
static FUNC: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^func[ \t]+(?P<recv>\([^)]*\)[ \t]*)?(?P<name>\w+)[ \t]*(?:\[[^\]\n]*\][ \t]*)?\(")
});
static KEYED: LazyLock<Regex> = LazyLock::new(|| re(r"(?P<field>\b[A-Za-z_]\w*)[ \t]*:[ \t]*"));
static ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b\w+\.(?P<field>[A-Za-z_]\w*)[ \t]*=[ \t]*"));
static COMPOSITE: LazyLock<Regex> = LazyLock::new(|| re(r"&?\b(?P<ty>[A-Za-z_]\w*)\{"));
static CTOR_CALL: LazyLock<Regex> = LazyLock::new(|| re(r"\b(?P<ctor>new\w*)\("));

/// A function of the file: its name, whether it has a receiver, its
/// parameter names in order, and its body (open, close).
struct Func {
    name: String,
    method: bool,
    /// The receiver's name and type (`(c *Config)`: `c`, `Config`).
    recv: Option<(String, String)>,
    /// The result list's text range (between the parameters and the body).
    result: (usize, usize),
    params: Vec<String>,
    /// The declared type of each parameter (`a, b *http.Client`: both).
    types: Vec<String>,
    body: (usize, usize),
}

impl Func {
    /// A package-level `new…` function: a constructor whose parameters its
    /// callers in the package fill. An exported `New…` is also called from
    /// other packages (`jsonclient.NewWithHTTPClient(custom)`), which are not
    /// read: its parameters stay unknown, and a wrapper's own line is never
    /// judged by the one default its package passes.
    fn is_ctor(&self) -> bool {
        !self.method && self.name.starts_with("new")
    }
}

pub fn extract(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    // A package's defaults for a config's timeout often sit in a file that
    // never names net/http (`config.go` beside `client.go`).
    let timed = code.contains("imeout") || code.contains("imeOut");
    let http = code.contains("http.");
    if !(timed || http) {
        return;
    }
    let funcs = functions(src);
    if timed {
        timeout_defaults(src, &funcs, facts);
    }
    if !http {
        return;
    }
    let scope = super::package_scope(src.path, src.lang);
    handed_out(src, &funcs, facts);
    let mut order: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Client-typed fields this file declares: with the names that say
    // client, the only fills worth reading (every `key: value` of every
    // literal would cost a look-up per identifier on large files).
    let mut declared: HashSet<String> = HashSet::new();
    for c in src.captures(&STRUCT) {
        let open = c.get(0).unwrap().end() - 1;
        let mut names = Vec::new();
        for line in src.inside(open).lines() {
            let line = line.trim();
            let Some((head, ty)) = split_field(line) else {
                continue;
            };
            for name in head.split(',').map(str::trim) {
                names.push(name.to_string());
                if sends_requests(ty) {
                    declared.insert(name.to_string());
                    facts.go_fields.push(Fact::Field {
                        scope: scope.clone(),
                        field: name.to_string(),
                        ty: ty.trim_start_matches('*').to_string(),
                    });
                }
            }
        }
        order.insert(c["name"].to_string(), names);
    }
    for c in src.captures(&IFACE) {
        let body = src.inside(c.get(0).unwrap().end() - 1);
        if body.contains("Do(") && body.contains("http.Request") {
            facts.go_fields.push(Fact::Doer {
                scope: scope.clone(),
                name: c["name"].to_string(),
            });
        }
    }
    let enclosing = |at: usize| innermost(&funcs, at);
    let wanted = |field: &str| declared.contains(field) || plausible_client_field(field);
    let mut fill = |field: &str, at: usize, value: Value| {
        facts.go_fields.push(Fact::Fill {
            scope: scope.clone(),
            field: field.to_string(),
            at: src.loc(at),
            value,
        });
    };
    // `hc: v` inside a composite literal (after `{` or `,`).
    // Every `x :=` of the file matches too, so the groups are not asked
    // for: `field` is the identifier the match starts with (`\w*` is
    // greedy and the `:` cannot follow part of it), read off the match.
    for m in src.matches(&KEYED) {
        let len = m
            .as_str()
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let field = &m.as_str()[..len];
        let before = code[..m.start()].trim_end();
        if !(before.ends_with('{') || before.ends_with(','))
            || code[m.end()..].starts_with('=')
            || !wanted(field)
        {
            continue;
        }
        let Some(func) = enclosing(m.start()) else {
            continue;
        };
        let end = expr_end(code, m.end());
        fill(field, m.start(), eval(src, m.end(), end, func, &mut 0));
    }
    // `x.hc = v`.
    for c in src.captures(&ASSIGN) {
        let m = c.get(0).unwrap();
        if code[m.end()..].starts_with('=') || !src.is_code(m.start()) || !wanted(&c["field"]) {
            continue;
        }
        let Some(func) = enclosing(m.start()) else {
            continue;
        };
        let end = expr_end(code, m.end());
        fill(
            &c["field"],
            m.start(),
            eval(src, m.end(), end, func, &mut 0),
        );
    }
    // `&client{key, hc}`: positional, for a struct declared in this file.
    for c in src.captures(&COMPOSITE) {
        let Some(fields) = order.get(&c["ty"]) else {
            continue;
        };
        let m = c.get(0).unwrap();
        // `http.Client{…}` is another package's type of the same name.
        if code[..c.name("ty").unwrap().start()].ends_with('.') {
            continue;
        }
        let Some(func) = enclosing(m.start()) else {
            continue;
        };
        let open = m.end() - 1;
        let parts = split_args(src, open);
        if parts.is_empty() || parts.len() != fields.len() {
            continue;
        }
        // A keyed literal names its fields (read above), one per line as
        // often as not: the part starts after the newline and indent.
        if parts.iter().any(|(s, e)| {
            let part = code[*s..*e].trim_start();
            KEYED.find(part).is_some_and(|k| k.start() == 0)
        }) {
            continue;
        }
        for ((s, e), field) in parts.iter().zip(fields) {
            if wanted(field) {
                fill(field, m.start(), eval(src, *s, *e, func, &mut 0));
            }
        }
    }
    // The constructor calls of this file, with their arguments.
    for c in src.captures(&CTOR_CALL) {
        let m = c.get(0).unwrap();
        let before = code[..m.start()].trim_end();
        if before.ends_with('.') || before.ends_with("func") || !src.is_code(m.start()) {
            continue;
        }
        let Some(func) = enclosing(m.start()) else {
            continue;
        };
        let args: Vec<Value> = split_args(src, m.end() - 1)
            .into_iter()
            .map(|(s, e)| match eval(src, s, e, func, &mut 0) {
                // The caller's own parameter: one level is followed.
                Value::Param { .. } => Value::Unknown,
                v => v,
            })
            .collect();
        // Every call counts, read or not: one caller passing a client this
        // file cannot read leaves the field unknown.
        if !args.is_empty() {
            facts.go_fields.push(Fact::Call {
                scope: scope.clone(),
                ctor: c["ctor"].to_string(),
                at: src.loc(m.start()),
                args,
            });
        }
    }
}

static TIMEOUT_KEY: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b\w*(?:Timeout|TimeOut|timeout)[ \t]*:[ \t]*"));
static TIMEOUT_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?P<obj>[A-Za-z_]\w*)\.(?P<field>\w*(?:Timeout|TimeOut|timeout))[ \t]*=[ \t]*")
});
static DURATION_CONST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^[ \t]*(?:const[ \t]+|var[ \t]+)?(?P<name>[A-Za-z_]\w*)[ \t]*(?:time\.Duration[ \t]*)?=[ \t]*(?P<value>[^\n]*?)[ \t]*$",
    )
});
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?m)^[ \t]*(?:var[ \t]+)?(?P<name>[A-Za-z_]\w*)[ \t]*(?:\*?[\w.]+[ \t]*)?=[^=]")
});

/// How far back a `Timeout:` key looks for the `{` of its composite
/// literal: a config literal is a few lines; a hostile file of keys pays
/// this bound per key, not the file's length.
const LITERAL_REACH: usize = 4096;

/// The bracket `opener` (`(`, `[` or `{`) that encloses offset `at`, found
/// by walking back no further than `floor` over balanced brackets; `None`
/// when another kind of bracket encloses it first. Brackets inside strings
/// are not told apart (a caller that must be sure checks forwards with
/// `Source::matching`).
pub(super) fn open_before(b: &[u8], floor: usize, at: usize, opener: u8) -> Option<usize> {
    let mut depth = 0usize;
    for i in (floor..at).rev() {
        match b[i] {
            b'}' | b')' | b']' => depth += 1,
            b'{' | b'(' | b'[' if depth > 0 => depth -= 1,
            c if c == opener => return Some(i),
            b'{' | b'(' | b'[' => return None,
            _ => {}
        }
    }
    None
}

/// A bounded duration expression: `10 * time.Second`, `time.Minute`,
/// `time.Duration(30) * time.Second`, a positive integer (nanoseconds), or a
/// name (a constant, resolved at merge). `None` for anything else (a
/// parameter's product, a zero).
fn duration(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ident = v.chars().all(|c| c.is_alphanumeric() || c == '_')
        && v.starts_with(|c: char| c.is_alphabetic() || c == '_');
    if ident {
        return Some(Duration::Named(v.to_string()));
    }
    let mut rest = v.to_string();
    let mut unit = false;
    for u in [
        "time.Nanosecond",
        "time.Microsecond",
        "time.Millisecond",
        "time.Second",
        "time.Minute",
        "time.Hour",
    ] {
        if rest.contains(u) {
            unit = true;
            rest = rest.replace(u, " ");
        }
    }
    rest = rest.replace("time.Duration", " ");
    let plain = rest
        .chars()
        .all(|c| c.is_ascii_digit() || " \t*+().".contains(c));
    let digits: Vec<char> = rest.chars().filter(char::is_ascii_digit).collect();
    let zero = !digits.is_empty() && digits.iter().all(|d| *d == '0');
    (plain && !zero && (unit || !digits.is_empty())).then_some(Duration::Literal)
}

/// The type a name has in `func`: its receiver's or a parameter's, without
/// `*` (`c *Config`: `Config`); `None` for a local or a package variable.
fn type_in(func: &Func, name: &str) -> Option<String> {
    if let Some((n, ty)) = &func.recv
        && n == name
    {
        return Some(ty.clone());
    }
    let i = func.params.iter().position(|p| p == name)?;
    let ty = func.types.get(i)?.trim().trim_start_matches('*');
    Some(ty.split('[').next().unwrap_or(ty).to_string())
}

/// What a package gives the timeout fields of its own types, and the
/// duration constants it declares: a config type whose `Timeout` is
/// defaulted (`defaultConfig = Config{Timeout: defaultTimeout}`, or
/// `c.Timeout = 10 * time.Second` in its validation method) bounds a client
/// built with `Timeout: c.Timeout` ([`Returned::TimeoutField`]). Only
/// bounded values are recorded: a field nothing bounds stays unknown.
fn timeout_defaults(src: &Source, funcs: &[Func], facts: &mut CodeFacts) {
    let code = &src.code;
    let b = code.as_bytes();
    let scope = super::package_scope(src.path, src.lang);
    for m in src.matches(&TIMEOUT_KEY) {
        let colon = m.start() + m.as_str().find(':').unwrap_or(0);
        let field = code[m.start()..colon].trim_end();
        let before = code[..m.start()].trim_end();
        if code[colon + 1..].starts_with('=')
            || field.is_empty()
            || !(before.ends_with('{') || before.ends_with(','))
        {
            continue;
        }
        // The `{` of the literal the key is in, and the type before it.
        let floor = m.start().saturating_sub(LITERAL_REACH);
        let Some(open) = open_before(b, floor, m.start(), b'{') else {
            continue;
        };
        let head = &code[..open];
        let start = head
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let ty = &head[start..];
        // Another package's type (`http.Client{Timeout: …}`) is not one
        // whose field the package's own clients read.
        if ty.is_empty() || ty.contains('.') || !ty.starts_with(|c: char| c.is_alphabetic()) {
            continue;
        }
        let end = expr_end(code, m.end());
        if let Some(value) = duration(&code[m.end()..end]) {
            facts.go_fields.push(Fact::TimeoutSet {
                scope: scope.clone(),
                ty: ty.to_string(),
                field: field.to_string(),
                value,
            });
        }
    }
    for c in src.captures(&TIMEOUT_ASSIGN) {
        let m = c.get(0).unwrap();
        if code[m.end()..].starts_with('=') || m.start() > 0 && b[m.start() - 1] == b'.' {
            continue;
        }
        let Some(ty) = innermost(funcs, m.start()).and_then(|f| type_in(f, &c["obj"])) else {
            continue;
        };
        if ty.is_empty() || ty.contains('.') {
            continue;
        }
        let end = expr_end(code, m.end());
        if let Some(value) = duration(&code[m.end()..end]) {
            facts.go_fields.push(Fact::TimeoutSet {
                scope: scope.clone(),
                ty,
                field: c["field"].to_string(),
                value,
            });
        }
    }
    if code.contains("time.") {
        for c in src.captures(&DURATION_CONST) {
            let m = c.get(0).unwrap();
            if innermost(funcs, m.start()).is_some() {
                continue;
            }
            if duration(&c["value"]) == Some(Duration::Literal) {
                facts.go_fields.push(Fact::DurationConst {
                    scope: scope.clone(),
                    name: c["name"].to_string(),
                });
            }
        }
    }
}

/// Functions and methods that hand out an `*http.Client`
/// (`client.GetHTTPClient(cfg)`, `func (c *Config) getHTTPClient()`): what
/// each path returns, as [`Fact::Returns`], joined at merge
/// ([`returned_clients`]) so that a call on the result, here or in an
/// importing package (`client.GetHTTPClient(nil).Do(req)`), is judged by
/// the literal the client comes from, through the methods, package
/// variables and cached fields in between. Also the client-named variables
/// the file assigns ([`Fact::Assigned`]).
fn handed_out(src: &Source, funcs: &[Func], facts: &mut CodeFacts) {
    let code = &src.code;
    let scope = super::package_scope(src.path, src.lang);
    // Every name the file assigns at the start of a statement, once: which
    // of them a client function of the package returns is known only at
    // merge.
    let mut seen: HashSet<(&str, Option<&str>)> = HashSet::new();
    for c in src.captures(&ASSIGNED) {
        let name = c.name("name").map_or("", |n| n.as_str());
        let at = c.get(0).map_or(0, |m| m.start());
        let func = innermost(funcs, at).map(|f| f.name.as_str());
        if matches!(name, "err" | "_" | "ok" | "i") || !seen.insert((name, func)) {
            continue;
        }
        facts.go_fields.push(Fact::Assigned {
            scope: scope.clone(),
            name: name.to_string(),
            func: func.map(str::to_string),
        });
    }
    if !code.contains("*http.Client") {
        return;
    }
    let imports: HashSet<String> = src
        .go_import_lines()
        .map(|(alias, path)| match alias {
            Some(a) => a.to_string(),
            None => path.rsplit('/').next().unwrap_or("").replace('-', "_"),
        })
        .collect();
    let b = code.as_bytes();
    let ident_byte = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    for f in funcs {
        let result = code[f.result.0..f.result.1].trim();
        let list = result
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .unwrap_or(result);
        let Some(index) = list
            .split(',')
            .position(|p| p.trim().ends_with("*http.Client"))
        else {
            continue;
        };
        // Closures inside the body (`CheckRedirect: func(…) error {…}`)
        // return their own values.
        let (open, close) = f.body;
        let nested: Vec<(usize, usize)> = code[open + 1..close]
            .match_indices("func(")
            .filter_map(|(i, _)| src.brace_block(open + 1 + i))
            .collect();
        for (i, _) in code[open..close].match_indices("return") {
            let at = open + i;
            let after = b.get(at + 6).copied();
            if ident_byte(b[at - 1])
                || after.is_some_and(ident_byte)
                || !src.is_code(at)
                || nested.iter().any(|(s, e)| (*s..*e).contains(&at))
            {
                continue;
            }
            let parts = return_parts(code, at + 6, close);
            let values = match parts.get(index) {
                Some(&(s, e)) => returned(src, f, s, e, &imports, &mut 0),
                // A bare `return` of named results.
                None => vec![(at, Returned::Unknown)],
            };
            for (at, value) in values {
                facts.go_fields.push(Fact::Returns {
                    scope: scope.clone(),
                    func: f.name.clone(),
                    at: src.loc(at),
                    value,
                });
            }
        }
    }
}

/// The comma-separated expressions of a `return` statement starting at
/// `from`, up to its line's end (or `;`, or the body's `}`) outside
/// brackets.
fn return_parts(code: &str, from: usize, limit: usize) -> Vec<(usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = from;
    let mut i = from;
    while i < limit {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => break,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            b'\n' | b';' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    if !code[start..i].trim().is_empty() {
        out.push((start, i));
    }
    out
}

/// What the expression `code[s..e]` returned by `func` is, as one value per
/// path (a name bound twice in the function is both of its values), with
/// where each was read.
fn returned(
    src: &Source,
    func: &Func,
    s: usize,
    e: usize,
    imports: &HashSet<String>,
    steps: &mut u32,
) -> Vec<(usize, Returned)> {
    let code = &src.code;
    let raw = &code[s..e];
    let s = s + (raw.len() - raw.trim_start().len());
    let expr = code[s..e].trim_end();
    *steps += 1;
    if *steps > EVAL_STEPS || expr.is_empty() {
        return vec![(s, Returned::Unknown)];
    }
    let lit = expr.trim_start_matches('&');
    let lit_at = s + (expr.len() - lit.len());
    if let Some(rest) = lit.strip_prefix("http.Client") {
        if rest.trim_start().starts_with('{') {
            let brace = lit_at + lit.find('{').unwrap_or(0);
            return vec![(lit_at, literal_timeout(src, func, brace))];
        }
        return vec![(s, Returned::Unknown)];
    }
    match lit {
        "http.DefaultClient" => return vec![(s, Returned::Client(TimeoutState::Missing))],
        "nil" => return vec![(s, Returned::Nil)],
        _ => {}
    }
    let path = |t: &str| {
        t.starts_with(|c: char| c.is_alphabetic() || c == '_')
            && t.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    };
    // `return config.getHTTPClient()`: what that function or method of the
    // package returns. Another package's function is not read.
    if expr.ends_with(')')
        && let Some(open) = expr.find('(')
        && path(&expr[..open])
        && src.matching(s + open) == Some(s + expr.len() - 1)
    {
        let callee = &expr[..open];
        let first = callee.split('.').next().unwrap_or(callee);
        let name = callee.rsplit('.').next().unwrap_or(callee);
        if callee.contains('.') && imports.contains(first) {
            return vec![(s, Returned::Unknown)];
        }
        return vec![(s, Returned::Call(name.to_string()))];
    }
    if !path(lit) {
        return vec![(s, Returned::Unknown)];
    }
    let (open, close) = func.body;
    if code[open..close].contains(&format!("{lit}.Timeout =")) {
        return vec![(s, Returned::Client(TimeoutState::Explicit))];
    }
    let before = &code[open..s.max(open)];
    let mut rhs: Vec<usize> = bindings(before, lit);
    // `hc, err := build(p)`: the first name of a pair.
    for i in word_starts(before, lit) {
        let rest = &before[i + lit.len()..];
        let line = rest.split('\n').next().unwrap_or("");
        if line.trim_start().starts_with(',')
            && let Some(op) = line
                .find(":=")
                .map(|j| j + 2)
                .or_else(|| line.find(" = ").map(|j| j + 3))
        {
            rhs.push(i + lit.len() + op);
        }
    }
    if rhs.is_empty() {
        if lit.contains('.') {
            let field = lit.rsplit('.').next().unwrap_or(lit);
            return vec![(s, Returned::Field(field.to_string()))];
        }
        if type_in(func, lit).is_some() {
            return vec![(s, Returned::Unknown)];
        }
        return vec![(s, Returned::Var(lit.to_string()))];
    }
    let mut out = Vec::new();
    for r in rhs {
        let rs = open + r;
        let re_ = expr_end(code, rs);
        // `c.hc = configureOAuth2(c.hc, cfg)`: a wrapper over the client
        // the name already holds keeps its timeout (as `eval` reads one).
        let text = &code[rs..re_];
        if text.contains('(') && word_starts(text, lit).next().is_some() {
            continue;
        }
        out.extend(returned(src, func, rs, re_, imports, steps));
    }
    if out.is_empty() {
        out.push((s, Returned::Unknown));
    }
    out
}

/// The timeout of the `http.Client{…}` literal whose brace is at `brace`:
/// its own `Timeout:` key (a field of a value of the package's type is
/// judged at merge), or, without one, whether it mentions a timeout at all
/// (as every other reader of a literal here judges it).
fn literal_timeout(src: &Source, func: &Func, brace: usize) -> Returned {
    let code = &src.code;
    for (ps, pe) in split_args(src, brace) {
        let part = code[ps..pe].trim();
        let Some(value) = part
            .strip_prefix("Timeout")
            .and_then(|v| v.trim_start().strip_prefix(':'))
        else {
            continue;
        };
        let value = value.trim();
        if value == "0" {
            return Returned::Client(TimeoutState::Missing);
        }
        if let Some((obj, field)) = value.split_once('.')
            && !obj.is_empty()
            && obj.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !field.is_empty()
            && field.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            // `Timeout: c.Timeout` with `c *Config`: what the package puts
            // in `Config.Timeout`; a value of unknown type matches the
            // field of any of the package's types. Only timeout-named
            // fields are looked for ([`timeout_defaults`]): `Timeout:
            // s.Wait` stays unknown.
            let ty = type_in(func, obj).unwrap_or_default();
            return Returned::TimeoutField {
                ty,
                field: field.to_string(),
            };
        }
        return Returned::Client(TimeoutState::Explicit);
    }
    Returned::Client(if src.inside(brace).contains("Timeout") {
        TimeoutState::Explicit
    } else {
        TimeoutState::Missing
    })
}

/// `Fn():client` exports for the functions and methods that hand out a
/// client ([`Fact::Returns`]), judged across the package: every non-nil
/// path must give a client and all must agree on its timeout; a path that
/// cannot be read, a timeout field the package never bounds, or a cycle
/// leaves the function unjudged (its calls unknown, never "none"). A field
/// is judged by `fields`, the exports of the package's field fills.
fn returned_clients(facts: &[Fact], fields: &[ExportedClient]) -> Vec<ExportedClient> {
    type Key<'a> = (&'a str, &'a str);
    let mut returns: BTreeMap<Key, Vec<(&Location, &Returned)>> = BTreeMap::new();
    let mut sets: HashMap<Key, Vec<(&str, &Duration)>> = HashMap::new();
    let mut consts: HashSet<Key> = HashSet::new();
    let mut assigned: HashMap<Key, Vec<Option<&str>>> = HashMap::new();
    let mut called: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in facts {
        match f {
            Fact::Returns {
                scope,
                func,
                at,
                value,
            } => returns
                .entry((scope.as_str(), func.as_str()))
                .or_default()
                .push((at, value)),
            Fact::TimeoutSet {
                scope,
                ty,
                field,
                value,
            } => sets
                .entry((scope.as_str(), field.as_str()))
                .or_default()
                .push((ty.as_str(), value)),
            Fact::DurationConst { scope, name } => {
                consts.insert((scope.as_str(), name.as_str()));
            }
            Fact::Assigned { scope, name, func } => assigned
                .entry((scope.as_str(), name.as_str()))
                .or_default()
                .push(func.as_deref()),
            Fact::Called { import, name } => called
                .entry(name.as_str())
                .or_default()
                .push(import.as_str()),
            _ => {}
        }
    }
    if returns.is_empty() {
        return Vec::new();
    }
    let scoped: Vec<String> = fields
        .iter()
        .map(|e| super::package_scope(&e.location.path, crate::inventory::Lang::Go))
        .collect();
    let mut filled: HashMap<Key, Vec<&ExportedClient>> = HashMap::new();
    for (e, scope) in fields.iter().zip(&scoped) {
        if let Some(name) = &e.export {
            filled
                .entry((scope.as_str(), name.as_str()))
                .or_default()
                .push(e);
        }
    }
    struct Ctx<'a> {
        returns: &'a BTreeMap<Key<'a>, Vec<(&'a Location, &'a Returned)>>,
        sets: &'a HashMap<Key<'a>, Vec<(&'a str, &'a Duration)>>,
        consts: &'a HashSet<Key<'a>>,
        assigned: &'a HashMap<Key<'a>, Vec<Option<&'a str>>>,
        called: &'a HashMap<&'a str, Vec<&'a str>>,
        filled: &'a HashMap<Key<'a>, Vec<&'a ExportedClient>>,
    }
    type Verdict = Option<(TimeoutState, Location)>;
    fn judge<'a>(key: Key<'a>, ctx: &Ctx<'a>, memo: &mut HashMap<Key<'a>, Verdict>) -> Verdict {
        if let Some(v) = memo.get(&key) {
            return v.clone();
        }
        // A cycle (`a` returns `b()`, `b` returns `a()`) reads as unknown.
        memo.insert(key, None);
        let (scope, _) = key;
        let mut verdict: Verdict = None;
        for (at, value) in ctx.returns.get(&key)? {
            let one = match value {
                Returned::Client(t) => (t.clone(), (*at).clone()),
                Returned::TimeoutField { ty, field } => {
                    let bounded = ctx.sets.get(&(scope, field.as_str())).is_some_and(|s| {
                        s.iter().any(|(sty, d)| {
                            (ty.is_empty() || sty == ty)
                                && match d {
                                    Duration::Literal => true,
                                    Duration::Named(n) => ctx.consts.contains(&(scope, n.as_str())),
                                }
                        })
                    });
                    if !bounded {
                        return None;
                    }
                    (TimeoutState::Explicit, (*at).clone())
                }
                Returned::Call(name) => {
                    let key = ctx.returns.get_key_value(&(scope, name.as_str()))?.0;
                    judge(*key, ctx, memo)?
                }
                // A package variable no production file assigns is nil: the
                // test hook of `if injected != nil { return injected }`, set
                // only by an exported `InjectHTTPClient(c)` that no
                // production code of another package calls.
                Returned::Var(name) => {
                    let setters = ctx.assigned.get(&(scope, name.as_str()));
                    let used = setters.into_iter().flatten().any(|f| match f {
                        Some(f) if f.starts_with(|c: char| c.is_ascii_uppercase()) => {
                            ctx.called.get(f).is_some_and(|imports| {
                                imports.iter().any(|i| {
                                    *i == scope
                                        || i.strip_suffix(scope).is_some_and(|h| h.ends_with('/'))
                                })
                            })
                        }
                        _ => true,
                    });
                    if used {
                        return None;
                    }
                    continue;
                }
                Returned::Field(name) => {
                    let found = ctx.filled.get(&(scope, name.as_str()))?;
                    let first = found.first()?;
                    if found.iter().any(|e| e.timeout != first.timeout) {
                        return None;
                    }
                    (first.timeout.clone(), first.location.clone())
                }
                Returned::Nil => continue,
                Returned::Unknown => return None,
            };
            match &verdict {
                None => verdict = Some(one),
                Some((t, _)) if *t == one.0 => {}
                Some(_) => return None,
            }
        }
        memo.insert(key, verdict.clone());
        verdict
    }
    let ctx = Ctx {
        returns: &returns,
        sets: &sets,
        consts: &consts,
        assigned: &assigned,
        called: &called,
        filled: &filled,
    };
    let mut memo = HashMap::new();
    let mut out = Vec::new();
    for key in returns.keys() {
        if let Some((timeout, location)) = judge(*key, &ctx, &mut memo) {
            out.push(ExportedClient {
                location,
                client: "net/http",
                export: Some(format!("{}():client", key.1)),
                timeout,
            });
        }
    }
    out
}

/// A field name that may hold a client although its value is not read
/// here: its fill makes the field unknown rather than judged by its other
/// fills.
fn plausible_client_field(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f == "hc" || f.contains("client") || f.contains("doer") || f.contains("http")
}

/// `name[, name] Type` of a struct body line.
fn split_field(line: &str) -> Option<(&str, &str)> {
    let (head, rest) = line.split_once([' ', '\t'])?;
    let head = head.trim_end_matches(',');
    let ty = rest.trim().split([' ', '\t', '`']).next()?;
    // `a, b string`: the names continue past the first space.
    let (head, ty) = if rest
        .trim_start()
        .starts_with(|c: char| c.is_alphanumeric() || c == '_')
        && line.contains(',')
        && !ty.starts_with(['*', '['])
    {
        let i = line.rfind(", ").map_or(0, |i| i + 2);
        let tail = &line[i..];
        let (last, ty) = tail.split_once([' ', '\t'])?;
        (
            &line[..i + last.len()],
            ty.trim().split([' ', '\t', '`']).next()?,
        )
    } else {
        (head, ty)
    };
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    head.split(',').map(str::trim).all(ok).then_some((head, ty))
}

/// A field type that can send requests: `*http.Client`, a package's
/// interface (judged at merge against [`Fact::Doer`]), or another
/// package's client type whose name says HTTP (`*cache.HTTPClient`).
fn sends_requests(ty: &str) -> bool {
    let ty = ty.trim_start_matches('*');
    if ty == "http.Client" {
        return true;
    }
    match ty.split_once('.') {
        Some((_, name)) => {
            let n = name.to_ascii_lowercase();
            n.contains("http") || n.ends_with("doer")
        }
        // A type of the package: an interface that sends is told apart at
        // merge ([`Fact::Doer`]); Go's own types never send.
        None => {
            ty.chars().next().is_some_and(|c| c.is_alphabetic())
                && !matches!(
                    ty,
                    "string"
                        | "bool"
                        | "byte"
                        | "rune"
                        | "error"
                        | "any"
                        | "int"
                        | "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "uintptr"
                        | "float32"
                        | "float64"
                        | "complex64"
                        | "complex128"
                )
                && !ty.starts_with("map[")
                && !ty.starts_with("chan")
                && !ty.starts_with("func")
        }
    }
}

/// The innermost of `funcs` whose body holds offset `at`.
fn innermost(funcs: &[Func], at: usize) -> Option<&Func> {
    funcs
        .iter()
        .filter(|f| (f.body.0..f.body.1).contains(&at))
        .min_by_key(|f| f.body.1 - f.body.0)
}

fn functions(src: &Source) -> Vec<Func> {
    let bodies = src.functions();
    src.captures(&FUNC)
        .filter_map(|c| {
            let m = c.get(0).unwrap();
            let (params, mut types): (Vec<String>, Vec<String>) = split_args(src, m.end() - 1)
                .into_iter()
                .map(|(s, e)| {
                    let p = src.code[s..e].trim();
                    let (n, ty) = p.split_once([' ', '\t']).unwrap_or((p, ""));
                    (n.to_string(), ty.trim().to_string())
                })
                .unzip();
            // `a, b *http.Client`: a name without a type takes the next one's.
            for i in (0..types.len().saturating_sub(1)).rev() {
                if types[i].is_empty() {
                    types[i] = types[i + 1].clone();
                }
            }
            let (_, open, close) = bodies.iter().find(|(_, s, _)| *s > m.end())?;
            let params_close = src.matching(m.end() - 1).unwrap_or(m.end());
            let recv = c.name("recv").and_then(|r| {
                let inner = r.as_str().trim().trim_start_matches('(');
                let inner = inner.split(')').next()?.trim();
                let (n, ty) = inner.split_once([' ', '\t'])?;
                let ty = ty.trim().trim_start_matches('*');
                let ty = ty.split('[').next()?.to_string();
                Some((n.to_string(), ty))
            });
            Some(Func {
                name: c["name"].to_string(),
                method: c.name("recv").is_some(),
                recv,
                result: ((params_close + 1).min(*open), *open),
                params,
                types,
                body: (*open, *close),
            })
        })
        .collect()
}

/// The timeout of the client the expression `code[s..e]` is (a literal,
/// the default client, or a local bound to one in the enclosing function),
/// or `None` when it cannot be read.
pub(super) fn client_value(src: &Source, s: usize, e: usize) -> Option<TimeoutState> {
    let funcs = functions(src);
    let func = funcs
        .iter()
        .filter(|f| (f.body.0..f.body.1).contains(&s))
        .min_by_key(|f| f.body.1 - f.body.0)?;
    match eval(src, s, e, func, &mut 0) {
        Value::Client(t) => Some(t),
        _ => None,
    }
}

/// What the client a function is handed as a parameter is, judged at
/// its calls: `retryableRequest(httpClient, req, …)` with `func
/// retryableRequest(httpClient *http.Client, …)` sends on whatever each
/// caller passes. For every `p.Do(`/`p.Get(`/… on such a parameter, keyed
/// by the call's `(`: the timeout every call of the function in this file
/// agrees on, with the line of the first call, or `None` (not judged) when
/// a call passes a value that cannot be read, calls disagree, none is found,
/// or the function is exported (its callers in other packages are not
/// read).
pub(super) fn parameter_calls(src: &Source) -> HashMap<usize, Option<(TimeoutState, u32)>> {
    let mut out = HashMap::new();
    let code = &src.code;
    if !code.contains("*http.Client") {
        return out;
    }
    let funcs = functions(src);
    let enclosing = |at: usize| innermost(&funcs, at);
    let bytes = code.as_bytes();
    let ident_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // Where each function with a client parameter is called (`name(`, the
    // whole identifier before the bracket), found in one pass over the
    // file: a search of the whole file per function was functions x bytes
    // (2 s on a 0.8 MB file of 14,000 such functions).
    let wanted: HashSet<&str> = funcs
        .iter()
        .filter(|f| f.types.iter().any(|t| t == "*http.Client"))
        .map(|f| f.name.as_str())
        .collect();
    let mut calls_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (open, _) in code.match_indices('(') {
        let start = bytes[..open]
            .iter()
            .rposition(|b| !ident_byte(*b))
            .map_or(0, |k| k + 1);
        if let Some(name) = wanted.get(&code[start..open]) {
            calls_of.entry(*name).or_default().push(start);
        }
    }
    for f in &funcs {
        for (index, (param, ty)) in f.params.iter().zip(&f.types).enumerate() {
            if ty != "*http.Client" || param.is_empty() || param == "_" {
                continue;
            }
            let body = &code[f.body.0..f.body.1];
            let sends: Vec<usize> = body
                .match_indices(param.as_str())
                .filter_map(|(i, _)| {
                    let at = f.body.0 + i;
                    if at > 0 && (ident_byte(bytes[at - 1]) || bytes[at - 1] == b'.') {
                        return None;
                    }
                    let rest = code[at + param.len()..].strip_prefix('.')?;
                    let verb = ["Do(", "Get(", "Post(", "PostForm(", "Head("]
                        .into_iter()
                        .find(|v| rest.starts_with(v))?;
                    let open = at + param.len() + verb.len();
                    src.is_code(at).then_some(open)
                })
                .collect();
            if sends.is_empty() {
                continue;
            }
            let exported = f.name.starts_with(|c: char| c.is_ascii_uppercase());
            let mut verdict: Option<(TimeoutState, u32)> = None;
            let mut known = !exported && !f.method;
            let mut found = false;
            for &at in calls_of.get(f.name.as_str()).into_iter().flatten() {
                if !known {
                    break;
                }
                if at > 0 && (ident_byte(bytes[at - 1]) || bytes[at - 1] == b'.') {
                    continue;
                }
                if code[..at].trim_end().ends_with("func") || !src.is_code(at) {
                    continue;
                }
                let Some(caller) = enclosing(at) else {
                    continue;
                };
                // A function calling itself passes its own parameter on.
                if caller.body == f.body {
                    continue;
                }
                found = true;
                let args = split_args(src, at + f.name.len());
                let value = args
                    .get(index)
                    .map(|&(s, e)| eval(src, s, e, caller, &mut 0));
                match (value, &verdict) {
                    (Some(Value::Client(t)), None) => verdict = Some((t, src.line(at))),
                    (Some(Value::Client(t)), Some((v, _))) if t == *v => {}
                    _ => known = false,
                }
            }
            let judged = if known && found { verdict } else { None };
            for open in sends {
                out.insert(open, judged.clone());
            }
        }
    }
    out
}

/// The comma-separated parts inside the bracket at `open`, as ranges.
pub(super) fn split_args(src: &Source, open: usize) -> Vec<(usize, usize)> {
    let Some(close) = src.matching(open) else {
        return Vec::new();
    };
    let code = src.code.as_bytes();
    let mut out = Vec::new();
    let mut start = open + 1;
    let mut i = open + 1;
    while i < close {
        match code[i] {
            b'(' | b'[' | b'{' => match src.matching(i) {
                Some(j) if j < close => i = j,
                _ => return Vec::new(),
            },
            b',' => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if !src.code[start..close].trim().is_empty() {
        out.push((start, close));
    }
    out
}

/// Where an expression starting at `from` ends: a `,`, `}`, `)`, `]`,
/// `;` or newline outside brackets.
fn expr_end(code: &str, from: usize) -> usize {
    let b = code.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b',' | b';' | b'\n' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// How many expressions one value may take to read: a local bound to a
/// wrapper over a local bound to a client is four; a file built to branch
/// (`x := f(y, y, …)`, `y := g(z, z, …)`) stops here, not at the product.
const EVAL_STEPS: u32 = 64;

/// What the expression `code[s..e]` inside `func` is; `steps` counts the
/// expressions read for one value.
fn eval(src: &Source, s: usize, e: usize, func: &Func, steps: &mut u32) -> Value {
    let code = &src.code;
    let raw = &code[s..e];
    let lead = raw.len() - raw.trim_start().len();
    let s = s + lead;
    let expr = code[s..e].trim_end();
    *steps += 1;
    if *steps > EVAL_STEPS || expr.is_empty() {
        return Value::Unknown;
    }
    let lit = expr.trim_start_matches('&');
    let lit_at = s + (expr.len() - lit.len());
    if let Some(rest) = lit.strip_prefix("http.Client") {
        let Some(brace) = rest
            .trim_start()
            .strip_prefix('{')
            .map(|_| lit_at + lit.find('{').unwrap())
        else {
            return Value::Unknown;
        };
        return Value::Client(if src.inside(brace).contains("Timeout") {
            TimeoutState::Explicit
        } else {
            TimeoutState::Missing
        });
    }
    if lit == "http.DefaultClient" {
        return Value::Client(TimeoutState::Missing);
    }
    let ident = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_');
    if ident(lit) {
        let body = &code[func.body.0..func.body.1];
        let before = &code[func.body.0..s.max(func.body.0)];
        let bound = bindings(before, lit);
        if !bound.is_empty() {
            if body.contains(&format!("{lit}.Timeout =")) {
                return Value::Client(TimeoutState::Explicit);
            }
            // `c := &http.Client{}` then `if proxied { c = other }`: every
            // value the local may hold must agree, or it is not read.
            let mut agreed: Option<Value> = None;
            for rhs in bound {
                let rs = func.body.0 + rhs;
                let v = eval(src, rs, expr_end(code, rs), func, steps);
                match (&agreed, v) {
                    (_, Value::Unknown) => return Value::Unknown,
                    (None, v) => agreed = Some(v),
                    (Some(a), v) if *a == v => {}
                    _ => return Value::Unknown,
                }
            }
            return agreed.unwrap_or(Value::Unknown);
        }
        if let Some(index) = func.params.iter().position(|p| p == lit)
            && func.is_ctor()
        {
            return Value::Param {
                ctor: func.name.clone(),
                index,
            };
        }
        return Value::Unknown;
    }
    // A call (`cache.NewHTTPClient(hc, ttl)`): a wrapper over the client
    // it is given is bounded as that client is.
    if expr.ends_with(')')
        && let Some(open) = expr.find('(')
        && expr[..open]
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && src.matching(s + open) == Some(s + expr.len() - 1)
    {
        let mut param = None;
        for (as_, ae) in split_args(src, s + open) {
            match eval(src, as_, ae, func, steps) {
                Value::Client(t) => return Value::Client(t),
                p @ Value::Param { .. } => param = param.or(Some(p)),
                Value::Unknown => {}
            }
        }
        return param.unwrap_or(Value::Unknown);
    }
    Value::Unknown
}

/// Where `name` starts a Go identifier or selector in `text`: not inside a
/// longer name, not after a `.` (`c.hc` is not the local `hc`).
pub(super) fn word_starts<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = text.as_bytes();
    text.match_indices(name).map(|(i, _)| i).filter(move |&i| {
        i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.')
    })
}

/// The offsets (in `before`) of the right-hand sides of every binding of
/// `name`: `name := …`, `name = …`, `var name = …`.
fn bindings(before: &str, name: &str) -> Vec<usize> {
    word_starts(before, name)
        .filter_map(|i| {
            let rest = &before[i + name.len()..];
            let t = rest.trim_start_matches([' ', '\t']);
            let skip = rest.len() - t.len();
            let op = if t.starts_with(":=") {
                2
            } else if t.starts_with('=') && !t.starts_with("==") {
                1
            } else {
                return None;
            };
            let after = &t[op..];
            let lead = after.len() - after.trim_start_matches([' ', '\t']).len();
            Some(i + name.len() + skip + op + lead)
        })
        .collect()
}

/// Where a field was filled and with what timeout (`None`: a fill that
/// could not be read).
type Filled = (Location, TimeoutState);

/// Where a constructor is called, and its arguments as read.
type CallSite<'f> = (&'f Location, &'f [Value]);

/// Exported clients for the field calls of each package: every client-typed
/// field whose fills all read as clients (a constructor parameter through
/// each call of the constructor), one export per fill. A field with a fill
/// that cannot be read, or a parameter no call fills, gets none: its calls
/// stay unknown.
pub fn resolve(facts: &[Fact]) -> Vec<ExportedClient> {
    let doers: HashSet<(&str, &str)> = facts
        .iter()
        .filter_map(|f| match f {
            Fact::Doer { scope, name } => Some((scope.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    // The calls of each constructor, by package: a fill through a
    // parameter looks its calls up here instead of reading every fact of
    // the repository (fills × facts on a large or hostile Go tree).
    let mut calls: HashMap<(&str, &str), Vec<CallSite>> = HashMap::new();
    for f in facts {
        if let Fact::Call {
            scope,
            ctor,
            at,
            args,
        } = f
        {
            calls
                .entry((scope.as_str(), ctor.as_str()))
                .or_default()
                .push((at, args.as_slice()));
        }
    }
    let fields: HashSet<(&str, &str)> = facts
        .iter()
        .filter_map(|f| match f {
            Fact::Field { scope, field, ty }
                if ty.contains('.') || doers.contains(&(scope.as_str(), ty.as_str())) =>
            {
                Some((scope.as_str(), field.as_str()))
            }
            _ => None,
        })
        .collect();
    if fields.is_empty() {
        return returned_clients(facts, &[]);
    }
    let mut by_field: BTreeMap<(&str, &str), Vec<Option<Filled>>> = BTreeMap::new();
    for f in facts {
        let Fact::Fill {
            scope,
            field,
            at,
            value,
        } = f
        else {
            continue;
        };
        let key = (scope.as_str(), field.as_str());
        if !fields.contains(&key) {
            continue;
        }
        let slot = by_field.entry(key).or_default();
        match value {
            Value::Client(t) => slot.push(Some((at.clone(), t.clone()))),
            Value::Unknown => slot.push(None),
            Value::Param { ctor, index } => {
                let found = calls.get(&(scope.as_str(), ctor.as_str()));
                for (at, args) in found.into_iter().flatten() {
                    slot.push(match args.get(*index) {
                        Some(Value::Client(t)) => Some(((*at).clone(), t.clone())),
                        _ => None,
                    });
                }
                if found.is_none() {
                    slot.push(None);
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((_, field), fills) in by_field {
        if fills.iter().any(Option::is_none) {
            continue;
        }
        for (location, timeout) in fills.into_iter().flatten() {
            out.push(ExportedClient {
                location,
                client: "net/http",
                export: Some(field.to_string()),
                timeout,
            });
        }
    }
    let handed = returned_clients(facts, &out);
    out.extend(handed);
    out
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{TimeoutState, extract, go_fields, resolve_imported};
    use crate::inventory::Lang;

    /// A weather adapter: the client struct and its calls in one file, the
    /// constructor's callers in others.
    const CLIENT: &str = concat!(
        "package weather\n",
        "import \"net/http\"\n",
        "type requester interface {\n\tDo(r *http.Request) (*http.Response, error)\n}\n",
        "type api struct {\n\tregion string\n\tsender requester\n}\n",
        "func newAPI(region string, sender requester) *api {\n\treturn &api{region, sender}\n}\n",
        "func (a *api) forecast(req *http.Request) error {\n\t_, err := a.sender.Do(req)\n\treturn err\n}\n",
    );

    fn judged(files: &[(&str, &str)]) -> Vec<(String, u32, TimeoutState)> {
        let facts: Vec<_> = files
            .iter()
            .map(|(p, t)| extract(p, Lang::Go, false, t))
            .collect();
        let fields: Vec<_> = facts.iter().flat_map(|f| f.go_fields.clone()).collect();
        let mut exports: Vec<_> = facts
            .iter()
            .flat_map(|f| f.exported_clients.clone())
            .collect();
        exports.extend(go_fields::resolve(&fields));
        let calls: Vec<_> = facts
            .iter()
            .flat_map(|f| f.imported_calls.clone())
            .collect();
        resolve_imported(&calls, &exports)
            .into_iter()
            .map(|c| (c.location.path, c.location.line, c.timeout))
            .collect()
    }

    fn caller(body: &str) -> String {
        format!(
            "package weather\nimport (\n\t\"net/http\"\n\t\"example.com/wx/memo\"\n)\nfunc start() *api {{\n{body}\n}}\n"
        )
    }

    #[test]
    fn a_constructor_fed_a_client_without_timeout_is_reported_at_the_call() {
        let agent = caller("\tplain := &http.Client{}\n\treturn newAPI(\"eu\", plain)");
        let got = judged(&[("wx/api.go", CLIENT), ("wx/agent.go", &agent)]);
        assert_eq!(
            got,
            vec![("wx/api.go".to_string(), 14, TimeoutState::Missing)]
        );
    }

    #[test]
    fn a_wrapper_over_a_timed_client_bounds_the_field() {
        let agent = caller(concat!(
            "\ttimed := &http.Client{\n\t\tTimeout: 8 * time.Second,\n\t}\n",
            "\twrapped := memo.NewCachingClient(timed, time.Hour)\n",
            "\treturn newAPI(\"eu\", wrapped)",
        ));
        let got = judged(&[("wx/api.go", CLIENT), ("wx/agent.go", &agent)]);
        assert_eq!(
            got,
            vec![("wx/api.go".to_string(), 14, TimeoutState::Explicit)]
        );
    }

    #[test]
    fn one_unread_fill_or_no_constructor_call_leaves_the_field_unknown() {
        let timed = caller("\treturn newAPI(\"eu\", &http.Client{Timeout: time.Second})");
        let unread = "package weather\nimport \"net/http\"\nfunc other(s requester) *api {\n\treturn newAPI(\"us\", pick(s))\n}\nvar _ = http.MethodGet\n";
        // Alone, the timed call bounds the field.
        assert_eq!(
            judged(&[("wx/api.go", CLIENT), ("wx/agent.go", &timed)]),
            vec![("wx/api.go".to_string(), 14, TimeoutState::Explicit)]
        );
        // `pick(s)` is not read: the field is not judged by the timed call alone.
        let mixed = judged(&[
            ("wx/api.go", CLIENT),
            ("wx/agent.go", &timed),
            ("wx/other.go", unread),
        ]);
        assert!(mixed.is_empty(), "{mixed:?}");
        // No constructor call at all: nothing to judge by.
        assert!(judged(&[("wx/api.go", CLIENT)]).is_empty());
    }

    #[test]
    fn a_field_filled_in_the_same_file_and_by_keyed_literal() {
        let handler = concat!(
            "package pics\n",
            "import \"net/http\"\n",
            "type Handler struct {\n\tfetcher *memo.HTTPClient\n}\n",
            "func NewHandler() *Handler {\n\th := &Handler{}\n",
            "\th.fetcher = memo.NewCachingClient(&http.Client{}, time.Hour)\n\treturn h\n}\n",
            "func (h *Handler) list(req *http.Request) {\n\th.fetcher.Do(req)\n}\n",
        );
        assert_eq!(
            judged(&[("pics/handler.go", handler)]),
            vec![("pics/handler.go".to_string(), 12, TimeoutState::Missing)]
        );
        let keyed = concat!(
            "package pics\n",
            "import \"net/http\"\n",
            "type Handler struct {\n\tfetcher *http.Client\n}\n",
            "func NewHandler(t time.Duration) *Handler {\n",
            "\treturn &Handler{fetcher: &http.Client{Timeout: t}}\n}\n",
        );
        let user = "package pics\nimport \"net/http\"\nfunc (h *Handler) list(req *http.Request) {\n\th.fetcher.Do(req)\n}\n";
        assert_eq!(
            judged(&[("pics/new.go", keyed), ("pics/list.go", user)]),
            vec![("pics/list.go".to_string(), 4, TimeoutState::Explicit)]
        );
    }

    /// A hub package hands out one client per config: `Get(nil)` builds
    /// it from the package's base config through a method in another file
    /// that caches it; a caller in another package sends chained on it.
    fn hub(base: &str, hook: &str, setup: &str) -> Vec<(String, u32, TimeoutState)> {
        let get = format!(
            "package hub\nimport \"net/http\"\nvar override *http.Client\nfunc Get(cfg *Cfg) *http.Client {{\n\tif override != nil {{\n\t\treturn override\n\t}}\n\tif cfg == nil {{\n\t\treturn base.client()\n\t}}\n\treturn cfg.client()\n}}\n{hook}"
        );
        let cfg = format!(
            "package hub\nimport (\n\t\"net/http\"\n\t\"time\"\n)\nconst baseWait = 4 * time.Second\n{base}\ntype Cfg struct {{\n\tTimeout time.Duration\n\thc *http.Client\n}}\nfunc (c *Cfg) client() *http.Client {{\n\tif c.hc == nil {{\n\t\tc.hc = &http.Client{{Timeout: c.Timeout}}\n\t}}\n\treturn c.hc\n}}\n"
        );
        let user = "package pager\nimport (\n\t\"net/http\"\n\t\"example.com/ops/hub\"\n)\nfunc page(req *http.Request) error {\n\t_, err := hub.Get(nil).Do(req)\n\treturn err\n}\n";
        judged(&[
            ("hub/get.go", &get),
            ("hub/cfg.go", &cfg),
            ("pager/page.go", user),
            ("main/setup.go", setup),
        ])
    }

    #[test]
    fn a_chained_call_on_a_handed_out_client_is_judged_by_the_package_default() {
        // `Timeout: c.Timeout`, and the package defaults `Cfg.Timeout`.
        let page = vec![("pager/page.go".to_string(), 7, TimeoutState::Explicit)];
        assert_eq!(hub("var base = Cfg{Timeout: baseWait}", "", ""), page);
        // A method of `Cfg` raising a short timeout is a default too.
        assert_eq!(
            hub(
                "var base = Cfg{}\nfunc (c *Cfg) Check() {\n\tif c.Timeout <= 0 {\n\t\tc.Timeout = 2 * time.Second\n\t}\n}",
                "",
                ""
            ),
            vec![("pager/page.go".to_string(), 7, TimeoutState::Explicit)]
        );
        // Nothing gives the field a value: unknown, never "none".
        assert!(hub("var base = Cfg{}", "", "").is_empty());
        // The override set by an exported setter only tests call: nil in
        // the service.
        let setter = "func Use(c *http.Client) {\n\toverride = c\n}\n";
        assert_eq!(hub("var base = Cfg{Timeout: baseWait}", setter, ""), page);
    }

    #[test]
    fn a_handed_out_client_without_timeout_is_reported_at_each_chained_call() {
        let lib = "package hub\nimport \"net/http\"\nfunc Bare() *http.Client {\n\treturn wrap(build())\n}\nfunc build() *http.Client {\n\tc := &http.Client{}\n\treturn c\n}\nfunc loop() *http.Client {\n\treturn loop()\n}\n";
        let user = "package pager\nimport (\n\t\"net/http\"\n\t\"example.com/ops/hub\"\n)\nfunc a(u string) {\n\thub.Bare().Get(u)\n\thub.Build().Get(u)\n\thub.Loop().Get(u)\n}\n";
        // `Bare` returns `wrap(…)`, a function the package does not have:
        // unknown.
        assert!(judged(&[("hub/lib.go", lib), ("pager/a.go", user)]).is_empty());
        let lib = lib.replace("wrap(build())", "build()");
        assert_eq!(
            judged(&[("hub/lib.go", &lib), ("pager/a.go", user)]),
            vec![("pager/a.go".to_string(), 7, TimeoutState::Missing)]
        );
    }
}
