//! Go: a log call that writes a whole value (`log.Error().Err(err).Msgf(
//! "could not store client: %+v", client)` with `client
//! *domain.DownloadClient`), judged by the fields of the value's type. fmt's
//! `%v`, `%+v`, `%s` and `%q` print every field of a struct, nested structs
//! included, so a `Password` or `Settings.APIKey` field reaches the log
//! line whatever the type's `MarshalJSON` redacts (fmt never calls it). The
//! type is usually declared in another package of the module (a `domain`
//! package), so this is read in two halves:
//!
//! - every Go file of the service contributes its struct declarations
//!   (`type X struct {` and its field lines, with the package each field's
//!   type comes from) and the methods that decide how a value is written
//!   ([`declarations`]), read from the raw text: no parse, so a file the
//!   prefilter skips still declares its types;
//! - a log call contributes the values it writes whole and their type as
//!   its function says it: a parameter, a `var` or `:=` of a composite
//!   literal, `new(T)` or a `NewX(…)` constructor (read as returning `X`,
//!   the Go convention), or a range variable over a slice ([`logged_values`]).
//!
//! [`resolve`] joins them when facts merge (same package = same directory;
//! an imported package = the directory its import path ends with) and
//! reports a value whose type holds a field named as a credential by
//! `pii_category`. Unknown is better than a guess: a value whose type is not
//! found, or whose type (or the type of the credential field) has a method
//! that may redact it, is not reported. Which methods count depends on how
//! the value is written: a format verb goes through fmt (`String`, `Error`,
//! `Format`, `GoString`); a value handed to a logger as is (zerolog's
//! `.Interface`, slog's and zap's key-value pairs, logrus fields) may be
//! written by fmt or by a JSON or logger-specific encoder, so `MarshalJSON`,
//! `MarshalText`, `LogValue`, `MarshalZerologObject` and `MarshalLogObject`
//! also count, and fields hidden from JSON (`json:"-"`, unexported) do not.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::LazyLock;

use regex::Regex;

use super::{PiiLog, Source};
use crate::facts::Location;

/// A named type as a file writes it, with the import path of its package
/// (`None`: the file's own package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub import: Option<String>,
    pub name: String,
}

/// One field of a struct declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// Its named type, pointers, slices and arrays stripped; `None` for a
    /// builtin, a map, a function or a channel.
    pub ty: Option<TypeRef>,
    /// `json:"-"`: never written by a JSON encoder.
    pub json_hidden: bool,
    /// Reached through a pointer (`*T`, `[]*T`): fmt prints a pointer
    /// inside a value as an address, never what it points to.
    pub pointer: bool,
}

/// How a log call writes a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// Through a format verb of fmt: `%+v`.
    Verb(String),
    /// Handed to the logger as is (a field, a key-value pair, a print
    /// argument).
    Value,
}

/// What a Go file says about types and the values it logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// `type Name struct { … }` in the package at `scope`; an anonymous
    /// struct field (`Auth struct { … }`) is its own entry `Outer.Auth`.
    Struct {
        scope: String,
        name: String,
        fields: Vec<Field>,
    },
    /// A method of a type that may change what a log writes of it
    /// (`String`, `MarshalJSON`).
    Method {
        scope: String,
        ty: String,
        method: String,
    },
    /// A value a log call writes whole (`client`), and its type.
    Logged {
        location: Location,
        scope: String,
        shown: String,
        sink: Sink,
        ty: TypeRef,
    },
}

fn re(p: &str) -> Regex {
    crate::facts::pattern::regex(p)
}

static STRUCT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?mR)^type[ \t]+(?P<name>\w+)(?:\[[^\]\n]*\])?[ \t]+struct[ \t]*\{[ \t]*(?://[^\n]*)?$")
});
/// The methods that decide how a value is written: fmt's `Stringer`,
/// `error`, `Formatter` and `GoStringer`; the JSON and text marshalers;
/// slog's `LogValuer`, zerolog's and zap's object marshalers.
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?m)^func[ \t]*\([ \t]*(?:\w+[ \t]+)?\*?[ \t]*(?P<ty>\w+)(?:\[[^\]\n]*\])?[ \t]*\)[ \t]*(?P<m>String|Error|Format|GoString|MarshalJSON|MarshalText|LogValue|MarshalZerologObject|MarshalLogObject)[ \t]*\(",
    )
});

/// Builtin types that cannot hold a credential's text.
const NOT_TEXT: [&str; 17] = [
    "bool",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "rune",
];

/// The methods fmt uses to print a value.
const FMT_METHODS: [&str; 4] = ["String", "Error", "Format", "GoString"];

/// The file's imports of packages by path, as (name used in code, path).
/// Paths of one segment are the standard library's.
pub(crate) fn imports(code: &str) -> Vec<(String, String)> {
    if !code.contains("import") {
        return Vec::new();
    }
    named_imports(super::go::IMPORT_LINE.captures_iter(code).filter_map(|c| {
        Some((
            c.name("alias").map(|a| a.as_str()),
            c.name("path")?.as_str(),
        ))
    }))
}

/// [`imports`] of a source's code, from the import lines it has read.
pub(crate) fn imports_of(src: &super::lexer::Source) -> Vec<(String, String)> {
    if !src.code.contains("import") {
        return Vec::new();
    }
    named_imports(
        src.go_imports()
            .iter()
            .map(|i| (i.alias(&src.code), i.path(&src.code))),
    )
}

/// (name, path) of each import line (alias, path): the alias, or the last
/// segment of the path (the one before a major version `…/v2`); blank and
/// dot imports name nothing.
fn named_imports<'c>(
    lines: impl Iterator<Item = (Option<&'c str>, &'c str)>,
) -> Vec<(String, String)> {
    lines
        .filter_map(|(alias, path)| {
            let name = match alias {
                Some(a) => a.to_string(),
                None => {
                    let mut segs = path.rsplit('/');
                    let last = segs.next()?;
                    // `…/v2` is a major version; the package is the segment
                    // before it.
                    let major = last.len() > 1
                        && last.starts_with('v')
                        && last[1..].bytes().all(|b| b.is_ascii_digit());
                    let seg = if major { segs.next()? } else { last };
                    seg.replace('-', "_")
                }
            };
            (name != "_" && name != ".").then(|| (name, path.to_string()))
        })
        .collect()
}

/// The named type a type expression ends in: `*domain.DownloadClient`,
/// `[]*Indexer`, `[4]pkg.T`; `None` for maps, functions, channels,
/// interfaces, inline structs and names of an unknown package.
pub(crate) fn type_ref(ty: &str, imports: &[(String, String)]) -> Option<TypeRef> {
    let mut t = ty.trim();
    loop {
        if let Some(r) = t.strip_prefix('*').or_else(|| t.strip_prefix("...")) {
            t = r.trim_start();
        } else if t.starts_with('[') {
            let close = t.find(']')?;
            t = t[close + 1..].trim_start();
        } else {
            break;
        }
    }
    let end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    let name = &t[..end];
    if name.is_empty()
        || ["map", "func", "chan", "interface", "struct"].contains(&name)
        || name.as_bytes()[0].is_ascii_digit()
    {
        return None;
    }
    match name.split_once('.') {
        Some((pkg, ty)) => {
            if ty.is_empty() || ty.contains('.') {
                return None;
            }
            let path = imports.iter().find(|(n, _)| n == pkg)?.1.clone();
            Some(TypeRef {
                import: Some(path),
                name: ty.to_string(),
            })
        }
        None => Some(TypeRef {
            import: None,
            name: name.to_string(),
        }),
    }
}

/// Whether a type expression reaches its named type through a pointer:
/// `*T`, `[]*T`, `map[string]*T` read as its prefix.
pub(crate) fn through_pointer(ty: &str) -> bool {
    let mut t = ty.trim();
    loop {
        if t.starts_with('*') {
            return true;
        }
        if let Some(r) = t.strip_prefix("...") {
            t = r.trim_start();
        } else if t.starts_with('[') {
            let Some(close) = t.find(']') else {
                return false;
            };
            t = t[close + 1..].trim_start();
        } else {
            return false;
        }
    }
}

/// The part of a struct's field line that is code: up to a `//` comment
/// outside the tag and string literals.
fn code_part(line: &str) -> &str {
    let b = line.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'`') => quote = Some(b[i]),
            (None, b'/') if b.get(i + 1) == Some(&b'/') => return &line[..i],
            (Some(b'"'), b'\\') => i += 1,
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    line
}

/// A field line split into its names (one for an embedded field, the type's
/// own name) and its type text, the tag dropped; and whether the tag hides it
/// from JSON.
fn field_line(line: &str) -> Option<(Vec<&str>, &str, bool)> {
    let (decl, tag) = match line.find('`') {
        Some(i) => (line[..i].trim(), &line[i..]),
        None => (line.trim(), ""),
    };
    let json_hidden = tag.contains("json:\"-\"");
    let ident = |s: &str| {
        !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !s.as_bytes()[0].is_ascii_digit()
    };
    // `A, B string` or `Name Type`: names, then the type after whitespace.
    let mut names = Vec::new();
    let mut rest = decl;
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..end];
        let after = rest[end..].trim_start();
        if let Some(more) = after.strip_prefix(',') {
            if !ident(name) {
                return None;
            }
            names.push(name);
            rest = more.trim_start();
            continue;
        }
        if ident(name) && end < rest.len() && rest[end..].starts_with([' ', '\t']) {
            names.push(name);
            return Some((names, after, json_hidden));
        }
        // An embedded field: `Base`, `*pkg.Base`.
        if names.is_empty() && !decl.is_empty() {
            let own = decl
                .trim_start_matches('*')
                .rsplit('.')
                .next()
                .filter(|n| ident(n))?;
            return Some((vec![own], decl, json_hidden));
        }
        return None;
    }
}

/// How deep anonymous structs are read inside one another. Real code nests
/// two or three; a hostile file nesting tens of thousands (one short line
/// each, well inside the size bound) overflowed the walker's stack and
/// aborted the scan. Deeper bodies are skipped ([`skip_body`]): their
/// types stay unknown, so nothing is reported from them.
const MAX_ANONYMOUS_NESTING: usize = 32;

/// The index of the line that closes the struct body opened at
/// `lines[start]`, nested bodies counted, without reading any of it (the
/// same line bound as [`struct_body`]).
fn skip_body(lines: &[&str], start: usize) -> usize {
    let mut open = 1usize;
    let mut i = start + 1;
    while i < lines.len() && i - start < 2_000 {
        let code = code_part(lines[i]).trim();
        if code.starts_with('}') {
            open -= 1;
            if open == 0 {
                break;
            }
        } else if code
            .strip_suffix('{')
            .is_some_and(|head| head.trim_end().ends_with("struct"))
        {
            open += 1;
        }
        i += 1;
    }
    i
}

/// The struct declared at `lines[start]` (whose line opened its body):
/// its fields into `out`, anonymous struct fields as their own entries
/// (down to [`MAX_ANONYMOUS_NESTING`]; `depth` is this body's).
/// Returns the index of the line that closes it.
fn struct_body(
    lines: &[&str],
    start: usize,
    depth: usize,
    scope: &str,
    name: &str,
    imports: &[(String, String)],
    out: &mut Vec<Fact>,
) -> usize {
    let mut fields = Vec::new();
    let mut i = start + 1;
    while i < lines.len() && i - start < 2_000 {
        let code = code_part(lines[i]).trim();
        if code.starts_with('}') {
            break;
        }
        if let Some(head) = code.strip_suffix('{')
            && let Some(field) = head.trim_end().strip_suffix("struct")
        {
            if depth >= MAX_ANONYMOUS_NESTING {
                i = skip_body(lines, i) + 1;
                continue;
            }
            // `Auth struct {`: an anonymous struct, read as a type of its own.
            let field = field.trim();
            let inner = format!("{name}.{field}");
            i = struct_body(lines, i, depth + 1, scope, &inner, imports, out);
            if !field.is_empty() && !field.contains(' ') {
                fields.push(Field {
                    name: field.to_string(),
                    ty: Some(TypeRef {
                        import: None,
                        name: inner,
                    }),
                    json_hidden: false,
                    pointer: false,
                });
            }
        } else if !code.is_empty()
            && let Some((names, ty, json_hidden)) = field_line(code)
        {
            let pointer = through_pointer(ty);
            let ty = type_ref(ty, imports);
            for n in names {
                fields.push(Field {
                    name: n.to_string(),
                    ty: ty.clone(),
                    json_hidden,
                    pointer,
                });
            }
        }
        i += 1;
    }
    out.push(Fact::Struct {
        scope: scope.to_string(),
        name: name.to_string(),
        fields,
    });
    i
}

/// The struct declarations and value-writing methods of one Go file.
pub fn declarations(path: &str, text: &str) -> Vec<Fact> {
    let mut out = Vec::new();
    let has_struct = text.contains("struct");
    let has_method = METHOD_WORDS.iter().any(|w| text.contains(w));
    if !has_struct && !has_method {
        return out;
    }
    let scope = super::package_scope(path, crate::inventory::Lang::Go);
    if has_method {
        for c in METHOD.captures_iter(text) {
            out.push(Fact::Method {
                scope: scope.clone(),
                ty: c["ty"].to_string(),
                method: c["m"].to_string(),
            });
        }
    }
    if !has_struct {
        return out;
    }
    // One search over the text (the pattern is anchored per line), not one
    // per line: a line is only read further where a declaration starts.
    let mut found = STRUCT.captures_iter(text).peekable();
    if found.peek().is_none() {
        return out;
    }
    let imports = imports(text);
    // The lines from the first declaration on (a declaration starts a line;
    // the package clause and imports above it are not split).
    let base = found.peek().and_then(|c| c.get(0)).map_or(0, |m| m.start());
    let lines: Vec<&str> = text[base..].lines().collect();
    // Line index of a match (from `base`): newlines counted from the
    // previous match on.
    let (mut counted_to, mut line) = (base, 0);
    // The first line not yet read (a nested struct's lines are its parent's).
    let mut next = 0;
    for c in found {
        let at = c.get(0).map_or(0, |m| m.start());
        line += text.as_bytes()[counted_to..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted_to = at;
        if line < next {
            continue;
        }
        let name = c["name"].to_string();
        next = struct_body(&lines, line, 0, &scope, &name, &imports, &mut out) + 1;
    }
    out
}

/// Cheap words for [`METHOD`]: a file without any declares none.
const METHOD_WORDS: [&str; 5] = [
    ") String(",
    ") Error(",
    ") Format(",
    ") Marshal",
    ") LogValue(",
];

/// The top-level arguments of the call whose brackets are `open`/`close`,
/// as offset ranges (strings and nested brackets skipped).
fn arguments(src: &Source, open: usize, close: usize) -> Vec<(usize, usize)> {
    let b = src.code.as_bytes();
    let mut out = Vec::new();
    let mut start = open + 1;
    let mut i = open + 1;
    while i < close {
        match b[i] {
            b'(' | b'[' | b'{' if src.is_code(i) => {
                i = src.matching(i).unwrap_or(close).min(close);
            }
            b',' if src.is_code(i) => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if src.code[start..close].trim().is_empty() {
        if !out.is_empty() {
            // A trailing comma.
            return out;
        }
        return Vec::new();
    }
    out.push((start, close));
    out
}

/// The format verbs of a format string's body, with the argument each
/// reads (0 = the first argument after the format): `%+v` of argument 1.
fn verbs(format: &str) -> Vec<(usize, String)> {
    let b = format.as_bytes();
    let mut out = Vec::new();
    let mut arg = 0usize;
    let mut i = 0;
    let index = |i: &mut usize, arg: &mut usize| {
        if b.get(*i) == Some(&b'[') {
            let n: String = b[*i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .map(|&c| c as char)
                .collect();
            if let Ok(n) = n.parse::<usize>() {
                *arg = n.saturating_sub(1);
            }
            *i += n.len() + 2;
        }
    };
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        i += 1;
        if b.get(i) == Some(&b'%') {
            i += 1;
            continue;
        }
        let flags_at = i;
        while i < b.len() && b"+-# 0".contains(&b[i]) {
            i += 1;
        }
        let flags = &format[flags_at..i];
        for _ in 0..2 {
            index(&mut i, &mut arg);
            if b.get(i) == Some(&b'*') {
                arg += 1;
                i += 1;
            }
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if b.get(i) == Some(&b'.') {
                i += 1;
            } else {
                break;
            }
        }
        index(&mut i, &mut arg);
        if let Some(&v) = b.get(i)
            && v.is_ascii_alphabetic()
        {
            out.push((arg, format!("%{flags}{}", v as char)));
            arg += 1;
            i += 1;
        }
    }
    out
}

/// A bare value in an argument: `client`, `&client`, `*client`.
fn bare(arg: &str) -> Option<&str> {
    let t = arg.trim().trim_start_matches(['&', '*']).trim_start();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !t.as_bytes()[0].is_ascii_digit()
        && !["nil", "err", "true", "false", "_", "ctx"].contains(&t);
    ok.then_some(t)
}

/// The values the log call `method(…)` (brackets at `open`/`close`) writes
/// whole, with their types as its function declares them.
pub(crate) fn logged_values(
    src: &Source,
    call: usize,
    method: &str,
    open: usize,
    close: usize,
    imports: &[(String, String)],
    out: &mut Vec<Fact>,
) {
    let args = arguments(src, open, close);
    let code = src.code.as_str();
    let mut push = |at: usize, name: &str, sink: Sink| {
        let Some(text) = type_of(src, at, name, 0) else {
            return;
        };
        // fmt follows a pointer only at the top: the elements of a `[]*T`
        // print as addresses.
        let text = text.trim();
        if matches!(sink, Sink::Verb(_)) && through_pointer(text.strip_prefix('*').unwrap_or(text))
        {
            return;
        }
        let Some(ty) = type_ref(text, imports) else {
            return;
        };
        out.push(Fact::Logged {
            location: src.loc(call),
            scope: super::package_scope(src.path, src.lang),
            shown: name.to_string(),
            sink,
            ty,
        });
    };
    let at_of = |(s, e): (usize, usize)| {
        let text = &code[s..e];
        s + (text.len() - text.trim_start().len())
    };
    if method.len() > 1 && method.ends_with('f') {
        let Some(&(fs, fe)) = args.first() else {
            return;
        };
        let format = code[fs..fe].trim();
        let body = format
            .strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .or_else(|| format.strip_prefix('`').and_then(|f| f.strip_suffix('`')));
        let Some(body) = body else {
            return;
        };
        for (n, verb) in verbs(body) {
            if !verb.ends_with(['v', 's', 'q']) {
                continue;
            }
            let Some(&(s, e)) = args.get(n + 1) else {
                continue;
            };
            if let Some(name) = bare(&code[s..e]) {
                let at = at_of((s, e)) + code[s..e].trim_start().find(name).unwrap_or(0);
                push(at, name, Sink::Verb(verb));
            }
        }
        return;
    }
    for &(s, e) in &args {
        let text = &code[s..e];
        if let Some(name) = bare(text) {
            let at = at_of((s, e)) + text.trim_start().find(name).unwrap_or(0);
            push(at, name, Sink::Value);
            continue;
        }
        // `slog.Any("client", c)`, `zap.Any(…)`, `zap.Reflect(…)`: a value
        // as a structured field.
        let t = text.trim_start();
        let callee_end = t.find('(').unwrap_or(0);
        let callee = &t[..callee_end];
        if ["Any", "Reflect", "Interface"]
            .iter()
            .any(|m| callee == *m || callee.ends_with(&format!(".{m}")))
        {
            let inner_open = at_of((s, e)) + callee_end;
            let Some(inner_close) = src.matching(inner_open) else {
                continue;
            };
            if let Some(&(is, ie)) = arguments(src, inner_open, inner_close).get(1)
                && let Some(name) = bare(&code[is..ie])
            {
                let at = at_of((is, ie)) + code[is..ie].trim_start().find(name).unwrap_or(0);
                push(at, name, Sink::Value);
            }
        }
    }
}

/// The type of the name used at `at`, as its function declares it: the
/// nearest declaration above in the function body, else a parameter or the
/// receiver. `None` when the declaration says nothing readable (`c, err :=
/// s.repo.Find(…)`).
fn type_of(src: &Source, at: usize, name: &str, depth: u8) -> Option<String> {
    let code = src.code.as_str();
    let &(_, body_open, _) = src
        .functions()
        .iter()
        .rfind(|(_, s, e)| *s < at && at < *e)?;
    // The body from its start, up to 32 KiB above the use.
    let mut from = body_open.max(at.saturating_sub(32 * 1024));
    while !code.is_char_boundary(from) {
        from += 1;
    }
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = code.as_bytes();
    let mut found: Option<Option<String>> = None;
    for (i, _) in code[from..at].match_indices(name) {
        let p = from + i;
        let end = p + name.len();
        if (p > 0 && (ident(b[p - 1]) || b[p - 1] == b'.'))
            || b.get(end).is_some_and(|&c| ident(c))
            || !src.is_code(p)
        {
            continue;
        }
        if let Some(decl) = declaration(src, p, name, depth) {
            found = Some(decl);
        }
    }
    if let Some(decl) = found {
        return decl;
    }
    let header_start = code[..body_open].rfind("\nfunc").map_or(0, |i| i + 1);
    parameters(src, header_start, body_open)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t)
}

/// What the use of `name` at `p` declares, if it is a declaration:
/// `Some(Some(type))` when the type can be read, `Some(None)` when it
/// cannot.
fn declaration(src: &Source, p: usize, name: &str, depth: u8) -> Option<Option<String>> {
    let code = src.code.as_str();
    let line_start = code[..p].rfind('\n').map_or(0, |i| i + 1);
    let line_end = code[p..].find('\n').map_or(code.len(), |i| p + i);
    let before = code[line_start..p].trim();
    let after = code[p + name.len()..line_end].trim_start();
    let line = code[line_start..line_end].trim_start();
    // `var c T`, `var c = …`, `var c T = …`.
    if before == "var" {
        if let Some(rhs) = after.strip_prefix('=') {
            return Some(constructed(rhs));
        }
        let ty = after.split('=').next().unwrap_or("").trim();
        return Some((!ty.is_empty()).then(|| ty.to_string()));
    }
    let ranged = line.starts_with("for ") && line.contains(":= range ");
    if let Some(rhs) = after.strip_prefix(":=") {
        if ranged {
            // `for _, c := range clients`: an element of the slice; `for c
            // := range n` is an index.
            if before.ends_with(',') {
                let expr = rhs.trim_start().strip_prefix("range")?.trim();
                let expr = expr.trim_end_matches('{').trim();
                return Some(element_of(src, p, expr, depth));
            }
            return Some(None);
        }
        if before.ends_with(',') {
            return Some(None);
        }
        return Some(constructed(rhs));
    }
    // `c, err := NewClient(…)`.
    if after.starts_with(',') && !before.ends_with(',') {
        let assign = after.find(":=")?;
        if after[..assign].contains('=') {
            return None;
        }
        if ranged {
            return Some(None);
        }
        let rhs = after[assign + 2..].trim_start();
        return Some(constructor(rhs));
    }
    if before.ends_with(',') && after.starts_with(":=") {
        return Some(None);
    }
    None
}

/// The element type of a slice or array named `expr` in the same function.
fn element_of(src: &Source, p: usize, expr: &str, depth: u8) -> Option<String> {
    if depth > 0 || bare(expr) != Some(expr) {
        return None;
    }
    let ty = type_of(src, p, expr, depth + 1)?;
    let ty = ty.trim_start_matches('*');
    let close = ty.strip_prefix('[')?.find(']')? + 1;
    Some(ty[close + 1..].trim().to_string())
}

/// The type a right-hand side builds: `&T{…}`, `T{…}`, `new(T)`, or a
/// constructor `NewT(…)` / `pkg.NewT(…)`.
fn constructed(rhs: &str) -> Option<String> {
    let t = rhs.trim_start().trim_start_matches('&');
    if let Some(inner) = t.strip_prefix("new(") {
        return Some(inner.split(')').next()?.trim().to_string());
    }
    let end = t
        .find(|c: char| {
            !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']' || c == '*')
        })
        .unwrap_or(t.len());
    if t[end..].starts_with('{') && end > 0 {
        return Some(t[..end].to_string());
    }
    constructor(rhs)
}

/// `NewT(…)` or `pkg.NewT(…)`: a `T` of that package (the Go convention for
/// constructors).
fn constructor(rhs: &str) -> Option<String> {
    let t = rhs.trim_start();
    let paren = t.find('(')?;
    let callee = &t[..paren];
    let (pkg, func) = match callee.rsplit_once('.') {
        Some((p, f)) => (Some(p), f),
        None => (None, callee),
    };
    let ty = func.strip_prefix("New")?;
    let valid =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ty.starts_with(|c: char| c.is_ascii_uppercase())
        || !valid(ty)
        || pkg.is_some_and(|p| !valid(p))
    {
        return None;
    }
    Some(match pkg {
        Some(p) => format!("{p}.{ty}"),
        None => ty.to_string(),
    })
}

/// The receiver's and parameters' (name, type) of the function whose
/// header runs from `start` (its `func`) to its body's `{` at `end`.
fn parameters(src: &Source, start: usize, end: usize) -> Vec<(String, String)> {
    let code = src.code.as_str();
    let mut out = Vec::new();
    let mut i = start + "func".len();
    let mut lists = 0;
    while i < end && lists < 2 {
        match code.as_bytes()[i] {
            b'(' => {
                let Some(close) = src.matching(i).filter(|&c| c < end) else {
                    break;
                };
                out.extend(parameter_list(&code[i + 1..close]));
                lists += 1;
                i = close + 1;
                // After the parameters come the results.
                let rest = code[i..end].trim_start();
                if lists == 1 && !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    // A receiver is followed by the name; the parameters
                    // by the results: stop there.
                    break;
                }
            }
            b'[' => i = src.matching(i).unwrap_or(end) + 1,
            _ => i += 1,
        }
    }
    out
}

/// `ctx context.Context, a, b *T`: (name, type) pairs, grouped names given
/// the type that follows them; unnamed parameters give nothing.
fn parameter_list(list: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut pieces = Vec::new();
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                pieces.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&list[start..]);
    for piece in pieces {
        let p = piece.trim();
        match p.split_once(|c: char| c.is_whitespace()) {
            Some((name, ty)) if bare(name) == Some(name) || name == "err" || name == "ctx" => {
                let ty = ty.trim().to_string();
                for n in pending.drain(..) {
                    out.push((n, ty.clone()));
                }
                out.push((name.to_string(), ty));
            }
            None if !p.is_empty() => pending.push(p.to_string()),
            _ => pending.clear(),
        }
    }
    out
}

/// The log sites of values whose type holds a credential field, one per
/// log call: the first value of the call that resolves.
pub fn resolve(facts: &[Fact]) -> Vec<PiiLog> {
    let mut structs: HashMap<(&str, &str), &[Field]> = HashMap::new();
    let mut scopes_of: HashMap<&str, Vec<&str>> = HashMap::new();
    // Types with a method any writer may use, and with one fmt uses.
    let mut methods: HashSet<(&str, &str)> = HashSet::new();
    let mut fmt_methods: HashSet<(&str, &str)> = HashSet::new();
    let mut logged = Vec::new();
    for f in facts {
        match f {
            Fact::Struct {
                scope,
                name,
                fields,
            } => {
                structs.insert((scope, name), fields);
                scopes_of.entry(name).or_default().push(scope);
            }
            Fact::Method { scope, ty, method } => {
                methods.insert((scope, ty));
                scopes_of.entry(ty).or_default().push(scope);
                if FMT_METHODS.contains(&method.as_str()) {
                    fmt_methods.insert((scope, ty));
                }
            }
            Fact::Logged { .. } => logged.push(f),
        }
    }
    if logged.is_empty() {
        return Vec::new();
    }
    let find = |ty: &TypeRef, from: &str| -> Option<(String, String)> {
        match &ty.import {
            None => (structs.contains_key(&(from, ty.name.as_str()))
                || methods.contains(&(from, ty.name.as_str())))
            .then(|| (from.to_string(), ty.name.clone())),
            Some(path) => {
                // Without go.mod's module path, `example.com/app/domain` is
                // any directory its path ends with; two such directories
                // declaring the name leave it unknown.
                let mut found = scopes_of.get(ty.name.as_str())?.iter().filter(|s| {
                    !s.is_empty()
                        && (path == **s || path.strip_suffix(**s).is_some_and(|h| h.ends_with('/')))
                });
                let first = found.next()?;
                found
                    .all(|s| s == first)
                    .then(|| (first.to_string(), ty.name.clone()))
            }
        }
    };
    let mut out: Vec<PiiLog> = Vec::new();
    let mut done: HashSet<&Location> = HashSet::new();
    for f in logged {
        let Fact::Logged {
            location,
            scope,
            shown,
            sink,
            ty,
        } = f
        else {
            continue;
        };
        if done.contains(location) {
            continue;
        }
        let Some(top) = find(ty, scope) else {
            continue;
        };
        let set = match sink {
            Sink::Verb(_) => &fmt_methods,
            Sink::Value => &methods,
        };
        let quiet = |key: &(String, String)| set.contains(&(key.0.as_str(), key.1.as_str()));
        if quiet(&top) {
            continue;
        }
        // Breadth first: the shallowest credential field names the finding.
        let mut queue = VecDeque::from([(top.clone(), String::new())]);
        let mut seen = HashSet::from([top.clone()]);
        let mut hit = None;
        'walk: while let Some((key, prefix)) = queue.pop_front() {
            let Some(fields) = structs.get(&(key.0.as_str(), key.1.as_str())) else {
                continue;
            };
            for field in fields.iter() {
                let exported = field.name.starts_with(|c: char| c.is_ascii_uppercase());
                if *sink == Sink::Value && (field.json_hidden || !exported) {
                    continue;
                }
                if matches!(sink, Sink::Verb(_)) && field.pointer {
                    continue;
                }
                let inner = field.ty.as_ref().and_then(|t| find(t, &key.0));
                if inner.as_ref().is_some_and(&quiet) {
                    continue;
                }
                let path = format!("{prefix}{}", field.name);
                // A `Pass bool` or `TokenCount int` holds no credential.
                let text = field
                    .ty
                    .as_ref()
                    .is_none_or(|t| t.import.is_some() || !NOT_TEXT.contains(&t.name.as_str()));
                if text && super::practices::credential_name(&field.name) {
                    hit = Some(path);
                    break 'walk;
                }
                if let Some(inner) = inner
                    && prefix.matches('.').count() < 3
                    && seen.insert(inner.clone())
                {
                    queue.push_back((inner, format!("{path}.")));
                }
            }
        }
        let Some(path) = hit else {
            continue;
        };
        let type_name = top.1.rsplit('.').next().unwrap_or(&top.1);
        let how = match sink {
            Sink::Verb(v) => format!("`{v}` of {type_name}"),
            Sink::Value => format!("{type_name} logged whole"),
        };
        done.insert(location);
        out.push(PiiLog {
            location: location.clone(),
            field: shown.clone(),
            category: "secret",
            note: Some(format!("{how} writes its {path} field")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::extract;
    use crate::inventory::Lang;

    #[test]
    fn format_verbs_name_their_arguments() {
        let got = verbs("%s|%5.2f|%% %+v %[1]q %*d %#v");
        let want: Vec<(usize, String)> = [
            (0, "%s"),
            (1, "%f"),
            (2, "%+v"),
            (0, "%q"),
            (2, "%d"),
            (3, "%#v"),
        ]
        .iter()
        .map(|(n, v)| (*n, v.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn struct_declarations_keep_field_types_and_json_tags() {
        let go = "package domain\n\nimport (\n\t\"time\"\n\n\tcfg \"example.com/app/internal/config\"\n)\n\n\
            type Client struct {\n\tID, Port int\n\tPassword string `json:\"-\"` // kept out of the API\n\
            \tSettings cfg.Settings\n\tcfg.Base\n\tAuth struct {\n\t\tToken string\n\t}\n\
            \tSeen *time.Time\n\tByName map[string]Client\n}\n\nfunc (c *Client) String() string { return \"client\" }\n";
        let facts = declarations("internal/domain/client.go", go);
        let fields = facts
            .iter()
            .find_map(|f| match f {
                Fact::Struct { name, fields, .. } if name == "Client" => Some(fields),
                _ => None,
            })
            .expect("Client");
        // (field, its type as (package, name), a pointer)
        type Read<'a> = (&'a str, Option<(Option<&'a str>, &'a str)>, bool);
        let read: Vec<Read> = fields
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.ty.as_ref()
                        .map(|t| (t.import.as_deref(), t.name.as_str())),
                    f.json_hidden,
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![
                ("ID", Some((None, "int")), false),
                ("Port", Some((None, "int")), false),
                ("Password", Some((None, "string")), true),
                (
                    "Settings",
                    Some((Some("example.com/app/internal/config"), "Settings")),
                    false
                ),
                (
                    "Base",
                    Some((Some("example.com/app/internal/config"), "Base")),
                    false
                ),
                ("Auth", Some((None, "Client.Auth")), false),
                // `time` is the standard library: not a package of the module.
                ("Seen", None, false),
                ("ByName", None, false),
            ]
        );
        assert!(facts.iter().any(|f| matches!(
            f,
            Fact::Struct { name, fields, .. } if name == "Client.Auth" && fields[0].name == "Token"
        )));
        assert!(facts.contains(&Fact::Method {
            scope: "internal/domain".into(),
            ty: "Client".into(),
            method: "String".into(),
        }));
    }

    /// Every declaration of a file is read, in order, each once: a nested
    /// anonymous struct is its parent's (not a declaration of its own), and
    /// a file written with CRLF line ends declares the same types.
    #[test]
    fn every_declaration_of_a_file_is_read_once_whatever_the_line_ends() {
        let go = "package domain\n\ntype A struct {\n\tInner struct {\n\t\tKey string\n\t}\n}\n\n\
            // not a declaration: type B struct {\nvar x = 1\n\ntype B struct { // the second\n\tSecret string\n}\n\n\
            type C[T any] struct {\n\tToken T\n}\n";
        let names = |text: &str| -> Vec<(String, Vec<String>)> {
            declarations("internal/domain/a.go", text)
                .into_iter()
                .filter_map(|f| match f {
                    Fact::Struct { name, fields, .. } => {
                        Some((name, fields.into_iter().map(|f| f.name).collect()))
                    }
                    _ => None,
                })
                .collect()
        };
        let lf = names(go);
        let strings = |v: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
            v.iter()
                .map(|(n, f)| (n.to_string(), f.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        assert_eq!(
            lf,
            strings(&[
                ("A.Inner", &["Key"]),
                ("A", &["Inner"]),
                ("B", &["Secret"]),
                ("C", &["Token"]),
            ])
        );
        assert_eq!(names(&go.replace('\n', "\r\n")), lf);
    }

    /// Anonymous structs are read down to the nesting bound and skipped
    /// below it, their closing lines counted: the outer struct keeps the
    /// fields after them, and the next declaration is read.
    #[test]
    fn anonymous_structs_deeper_than_the_bound_are_skipped_not_recursed() {
        let levels = MAX_ANONYMOUS_NESTING + 8;
        let go = format!(
            "package domain\n\ntype A struct {{\n{}{}\tSecret string\n}}\n\ntype B struct {{\n\tToken string\n}}\n",
            "\tX struct {\n".repeat(levels),
            "\t}\n".repeat(levels),
        );
        let facts = declarations("internal/domain/a.go", &go);
        let fields = |want: &str| -> Vec<String> {
            facts
                .iter()
                .find_map(|f| match f {
                    Fact::Struct { name, fields, .. } if name == want => {
                        Some(fields.iter().map(|f| f.name.clone()).collect())
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no struct {want}"))
        };
        assert_eq!(fields("A"), ["X", "Secret"]);
        assert_eq!(fields("B"), ["Token"]);
        // A.X, A.X.X, … down to the bound, and no deeper.
        let nested = facts
            .iter()
            .filter(|f| matches!(f, Fact::Struct { name, .. } if name.starts_with("A.")))
            .count();
        assert_eq!(nested, MAX_ANONYMOUS_NESTING);
    }

    /// Both halves through the real extractor: the declaring package logs
    /// nothing, the logging one imports it.
    fn whole_value_lines(files: &[(&str, &str)]) -> Vec<(String, u32, String)> {
        let facts: Vec<Fact> = files
            .iter()
            .flat_map(|(path, text)| extract(path, Lang::Go, false, text).go_types)
            .collect();
        resolve(&facts)
            .into_iter()
            .map(|p| (p.location.path, p.location.line, p.note.unwrap_or_default()))
            .collect()
    }

    const DOMAIN: &str = "package domain\n\n\
        type Indexer struct {\n\tName string\n\tSettings IndexerSettings\n}\n\n\
        type IndexerSettings struct {\n\tPasskey string\n\tAPIKey string\n}\n\n\
        type Release struct {\n\tTitle string\n\tSize int64\n\tIndexer *Indexer\n}\n\n\
        type Session struct {\n\tUser string\n\tToken string\n}\n\n\
        func (s Session) LogValue() string { return s.User }\n";

    #[test]
    fn a_value_is_judged_by_its_type_in_another_package() {
        let svc = "package indexer\n\nimport (\n\t\"log/slog\"\n\n\t\"github.com/rs/zerolog/log\"\n\n\
            \t\"example.com/app/internal/domain\"\n)\n\n\
            func Update(indexer domain.Indexer, rel *domain.Release, sess domain.Session) {\n\
            \tlog.Error().Msgf(\"could not update indexer: %+v\", indexer)\n\
            \tlog.Error().Msgf(\"could not update indexer: %s\", indexer.Name)\n\
            \tlog.Info().Msgf(\"release %v\", rel)\n\
            \tslog.Info(\"session\", \"session\", sess)\n\
            \tlog.Info().Msgf(\"session %+v\", sess)\n\
            \tslog.Info(\"release\", \"release\", rel)\n\
            \tother := domain.NewIndexer()\n\
            \tother, err := load()\n\
            \tlog.Info().Msgf(\"loaded %v %v\", other, err)\n\
            }\n";
        let got = whole_value_lines(&[
            ("internal/domain/domain.go", DOMAIN),
            ("internal/indexer/service.go", svc),
        ]);
        assert_eq!(
            got,
            vec![
                (
                    "internal/indexer/service.go".to_string(),
                    12,
                    "`%+v` of Indexer writes its Settings.APIKey field".to_string()
                ),
                (
                    "internal/indexer/service.go".to_string(),
                    16,
                    "`%+v` of Session writes its Token field".to_string()
                ),
                // fmt prints the `*Indexer` inside a release as an address
                // (line 14); a JSON or slog encoder follows it.
                (
                    "internal/indexer/service.go".to_string(),
                    17,
                    "Release logged whole writes its Indexer.Settings.APIKey field".to_string()
                ),
            ]
        );
    }

    #[test]
    fn an_unknown_or_ambiguous_type_is_not_reported() {
        let svc = "package web\n\nimport (\n\t\"log\"\n\n\t\"example.com/app/domain\"\n)\n\n\
            func Show(s domain.Session) {\n\tlog.Printf(\"%v\", s)\n}\n";
        let plain = DOMAIN.replace("LogValue", "Other");
        assert_eq!(
            whole_value_lines(&[("domain/d.go", &plain), ("web/show.go", svc)]),
            vec![(
                "web/show.go".to_string(),
                10,
                "`%v` of Session writes its Token field".to_string()
            )]
        );
        // Two directories the import path ends with both declare it.
        assert_eq!(
            whole_value_lines(&[
                ("domain/d.go", &plain),
                ("app/domain/d.go", &plain),
                ("web/show.go", svc),
            ]),
            vec![]
        );
        // A package outside the tree.
        let other = svc.replace("example.com/app/domain", "github.com/acme/domain");
        assert_eq!(
            whole_value_lines(&[("vendorless/d.go", &plain), ("web/show.go", &other)]),
            vec![]
        );
    }
}
