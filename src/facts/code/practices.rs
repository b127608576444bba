//! Practices seen in code: circuit breakers, inbound rate limiters, metrics
//! exporters, structured or plain-text loggers, shutdown hooks, serverless
//! handlers and feature-flag SDKs, from the library table in
//! `rules/libraries.toml` (adding a library is adding a row). A site
//! counts only where the library is *called* in parsed code — a package in
//! package.json that no file imports is not use, and a needle inside a
//! string or comment is skipped. Also: logging calls whose arguments name
//! personal or secret data (`pii-in-logs`), read by the head noun of each
//! logged name with the words of `rules/pii-words.toml` (a record's key, a
//! host's address, a request's options) and outside development-only
//! blocks.

use std::sync::LazyLock;

use aho_corasick::MatchKind;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{CodeFacts, NeedleSet, Source, lang_key, needle_sets};
use crate::facts::Location;
use crate::inventory::Lang;

/// What a practice site is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PracticeKind {
    Breaker,
    RateLimit,
    Metrics,
    StructuredLog,
    PlainLog,
    /// A shutdown hook that drains the server (SIGTERM handler, NestJS
    /// `enableShutdownHooks`, Go `Server.Shutdown`, axum graceful shutdown).
    Shutdown,
    /// A server that drains on SIGTERM by itself (uvicorn, gunicorn, actix-web).
    DrainsItself,
    /// A function platform (AWS Lambda …): there is no server to drain.
    Serverless,
    FeatureFlag,
}

/// One library used in one file (first site, and how many sites).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Practice {
    pub location: Location,
    pub kind: PracticeKind,
    pub lib: String,
    pub count: usize,
}

/// A logging call whose arguments name personal or secret data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PiiLog {
    pub location: Location,
    /// The identifier that names the data: `user.email`, `password`.
    pub field: String,
    pub category: &'static str,
    /// How a value logged whole writes the data: "`%+v` of DownloadClient
    /// writes its Password field" (Go, `go_types.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Whether a struct field's name says it holds a credential, as a logged
/// name would (`Password`, `APIKey`, `PasswordCurrent`).
pub(crate) fn credential_name(name: &str) -> bool {
    pii_category(name, false) == Some("secret")
}

#[derive(Deserialize)]
struct Table {
    row: Vec<Row>,
    server: Vec<Server>,
    launcher: Vec<Launcher>,
    otel_sdk: Vec<OtelSdk>,
    health: Health,
}

/// An OpenTelemetry SDK package: declared as a runtime dependency, it says
/// the app means to export traces (otel-tracing then looks for its init).
#[derive(Deserialize)]
pub struct OtelSdk {
    pub package: String,
    pub ecosystem: String,
}

/// A server that drains on SIGTERM by itself, started from a deploy file.
#[derive(Deserialize)]
pub(crate) struct Server {
    pub lib: String,
    /// Consecutive words of the command line: `["fastapi", "run"]`.
    pub command: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

/// An OpenTelemetry auto-instrumentation launcher.
#[derive(Deserialize)]
pub(crate) struct Launcher {
    pub needle: String,
    pub how: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

#[derive(Deserialize)]
struct Health {
    names: Vec<String>,
}

#[derive(Deserialize)]
struct Row {
    kind: PracticeKind,
    lang: String,
    lib: String,
    needles: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    /// The site counts only when one of these appears in the file's code
    /// too (`logger: true` is Fastify's logger only in a Fastify app).
    #[serde(default)]
    requires: Vec<String>,
    else_kind: Option<PracticeKind>,
    #[serde(default)]
    not_after: Vec<String>,
    /// Snippets that must produce this row's practice, and snippets that
    /// must not (`examples.rs` runs them all).
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

const TABLE_SRC: &str = include_str!("../../../rules/libraries.toml");

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    toml::from_str(TABLE_SRC).unwrap_or_else(|e| panic!("rules/libraries.toml: {e}"))
});

/// The OpenTelemetry launcher rows.
pub(crate) fn launchers() -> &'static [Launcher] {
    &TABLE.launcher
}

/// The OpenTelemetry SDK rows.
pub fn otel_sdks() -> &'static [OtelSdk] {
    &TABLE.otel_sdk
}

/// The server rows.
#[cfg(test)]
pub(crate) fn servers() -> &'static [Server] {
    &TABLE.server
}

/// Health route names from the table.
pub fn health_names() -> &'static [String] {
    &TABLE.health.names
}

/// Every needle of one language key's rows: part of the prefilter.
pub(crate) fn needles(lang: &str) -> impl Iterator<Item = &'static str> {
    TABLE
        .row
        .iter()
        .filter(move |r| r.lang == lang)
        .flat_map(|r| r.needles.iter().map(String::as_str))
}

/// Each row's examples, for the table test: (lang, kind, lib, match, no_match).
#[cfg(test)]
pub(crate) fn examples() -> impl Iterator<
    Item = (
        &'static str,
        PracticeKind,
        &'static str,
        &'static [String],
        &'static [String],
    ),
> {
    TABLE.row.iter().map(|r| {
        (
            r.lang.as_str(),
            r.kind,
            r.lib.as_str(),
            r.matches.as_slice(),
            r.no_match.as_slice(),
        )
    })
}

static MATCHERS: LazyLock<Vec<(&'static str, NeedleSet)>> = LazyLock::new(|| {
    needle_sets(
        "rules/libraries.toml",
        &TABLE.row,
        |r| r.lang.as_str(),
        |r| r.needles.as_slice(),
        MatchKind::LeftmostLongest,
    )
});

pub fn extract(src: &Source, facts: &mut CodeFacts) {
    let key = lang_key(src.lang);
    let m = &MATCHERS.iter().find(|(k, _)| *k == key).unwrap().1;
    let code = src.code.as_bytes();
    // (row, first offset, count)
    // (row, first offset, count, whether that offset is only an import:
    // the first call site, when there is one, is the better evidence).
    let mut seen: Vec<(usize, usize, usize, bool)> = Vec::new();
    for hit in m.ac().find_iter(code) {
        let start = hit.start();
        // `mypino(` is not `pino(`: a needle that starts with a word
        // character must start a word.
        let first = code[start];
        if (first.is_ascii_alphanumeric() || first == b'_')
            && start > 0
            && (code[start - 1].is_ascii_alphanumeric() || code[start - 1] == b'_')
        {
            continue;
        }
        let import_only = !src.is_code(start);
        if import_only && !in_import_specifier(src, start) {
            continue;
        }
        let row = m.row_of[hit.pattern().as_usize()];
        let receiver =
            src.code[..start].trim_end_matches(|c: char| c.is_alphanumeric() || c == '_');
        let receiver = &src.code[receiver.len()..start];
        if TABLE.row[row]
            .not_after
            .iter()
            .any(|n| receiver.ends_with(n.as_str()))
        {
            continue;
        }
        match seen.iter_mut().find(|(r, _, _, _)| *r == row) {
            Some(s) => {
                s.2 += 1;
                if s.3 && !import_only {
                    (s.1, s.3) = (start, false);
                }
            }
            None => seen.push((row, start, 1, import_only)),
        }
    }
    for (row, start, count, _) in seen {
        let r = &TABLE.row[row];
        if !r.requires.is_empty() && !r.requires.iter().any(|w| src.code.contains(w.as_str())) {
            continue;
        }
        let kind = if r.unless.iter().any(|u| src.find(u).is_some()) {
            match r.else_kind {
                Some(k) => k,
                None => continue,
            }
        } else {
            r.kind
        };
        facts.practices.push(Practice {
            location: src.loc(start),
            kind,
            lib: r.lib.clone(),
            count,
        });
    }
    facts.practices.sort_by_key(|p| p.location.line);
    pii_logs(src, facts);
}

/// Whether `at` lies in the module specifier of an import: a needle that
/// names a package (`express-rate-limit`, `hot-shots`,
/// `github.com/rs/zerolog/log`) only ever appears there, inside a string, so
/// without this such a row could never fire. JavaScript: `require('…')`,
/// `import('…')`, `from '…'`, `import '…'`; Go: `import "…"` or a line of
/// an import block (the string, after an optional alias).
fn in_import_specifier(src: &Source, at: usize) -> bool {
    let code = &src.code;
    let line_start = code[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &code[line_start..at];
    let Some(q) = before.rfind(['\'', '"', '`']) else {
        return false;
    };
    // A specifier holds no blanks: a quote further back opens some other
    // string (`'install express-rate-limit first'`).
    if before[q + 1..].contains(char::is_whitespace) {
        return false;
    }
    let head = before[..q].trim_end();
    match src.lang {
        Lang::JavaScript | Lang::TypeScript => ["require(", "import(", "from", "import"]
            .iter()
            .any(|w| head.ends_with(w)),
        Lang::Go => {
            let head = head.strip_prefix("import").unwrap_or(head).trim();
            head.is_empty()
                || head == "_"
                || head == "."
                || head.chars().all(|c| c.is_alphanumeric() || c == '_')
        }
        Lang::Python | Lang::Rust => false,
    }
}

/// Servers started from a Dockerfile, Procfile or compose file that drain
/// in-flight requests on SIGTERM by themselves (the `[[server]]` rows of
/// `rules/libraries.toml`: gunicorn, uvicorn, hypercorn, `fastapi run` …).
pub fn deploy_practices(path: &str, text: &str) -> Option<Practice> {
    text.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start();
        // `RUN pip install uvicorn` installs the server; only the line
        // that starts it (CMD, ENTRYPOINT, a Procfile or compose command)
        // says how it runs.
        if trimmed.starts_with('#') || line.contains("install") || line.contains(" add ") {
            return None;
        }
        let words = command_words(line);
        let server = TABLE.server.iter().find(|s| {
            words.windows(s.command.len()).any(|w| {
                w.iter().zip(&s.command).all(|(word, want)| {
                    // `/usr/local/bin/gunicorn` is gunicorn.
                    word.rsplit('/').next() == Some(want.as_str())
                })
            })
        })?;
        Some(Practice {
            location: Location::new(path, i as u32 + 1),
            kind: PracticeKind::DrainsItself,
            lib: server.lib.clone(),
            count: 1,
        })
    })
}

/// The words of a command line as a deploy file writes it, shell form
/// (`CMD gunicorn app:app`) or exec form (`CMD ["gunicorn", "app:app"]`,
/// `command: [uvicorn, app:app]`): quotes, brackets and commas are not
/// words.
fn command_words(line: &str) -> Vec<&str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '[' | ']' | ','))
        .filter(|w| !w.is_empty())
        .collect()
}

// A log call is a level method on a receiver named as a logger: the
// receiver may sit at the end of a member chain (`this.logger`, `ctx.logger`,
// `self._logger`, `app.logger`, `h.log`), be a class with static methods
// (NestJS `Logger.log`), or a name that ends in Logger (`auditLogger`).
static JS_LOG: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:console|(?:[A-Za-z_$][\w$]*\??\.)*(?:_?logger|_?log|Logger|LOGGER|[a-z][\w$]*Logger))\.(?:log|info|warn|error|debug|trace|fatal|verbose|silly)\s*\(",
    )
});
static PY_LOG: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:(?:[A-Za-z_]\w*\.)*(?:logging|_?logger|_?log|LOGGER|LOG|[a-z]\w*_logger)\.(?:info|warning|warn|error|debug|exception|critical)|print)\s*\(",
    )
});
static GO_LOG: LazyLock<Regex> = LazyLock::new(|| {
    // Also the chained field builders of logrus (`WithField("token", t)`)
    // and zerolog (`Str("email", e)`, `Interface`): their arguments are
    // what reaches the log line; and zerolog's `Msgf`, whose format
    // arguments end a chain (`log.Debug().Msgf("%q", req.Password)`).
    crate::facts::pattern::regex(
        r"\b(?:(?:[A-Za-z_]\w*\.)*(?:log|logger|slog|sugar|l|Logger|[a-z]\w*Logger)|zap\.L\(\)|zap\.S\(\))\.(?:Print|Printf|Println|Info|Infof|Infow|Warn|Warnf|Warnw|Error|Errorf|Errorw|Debug|Debugf|Debugw|Fatal|Fatalf)\s*\(|\.(?:WithField|WithFields|Str|Strs|Interface|Field|Msgf)\s*\(",
    )
});
static RS_LOG: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"\b(?:info|warn|error|debug|trace|println|eprintln)!\s*\(")
});
/// Rust's inline format arguments: `"{email}"`, `"{token:?}"`.
static RS_INLINE_ARG: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^{}]*)?\}"));
/// A member chain: `user.email`, `token?.expires_at`, `c.Http.SecretKey`.
static KEY_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r#"["'`]([A-Za-z_][A-Za-z0-9_.-]{0,39})["'`]"#));

/// The member chains in `text` (`user.email`, `token?.expires_at`,
/// `c.Http.SecretKey`), with their offsets.
///
/// Read by hand, not by the regex
/// `[A-Za-z_][A-Za-z0-9_]*(?:\??\.[A-Za-z_][A-Za-z0-9_]*)*`: a log call's
/// arguments are mostly such chains, and the regex restarted its search at
/// each one (48 M instructions of the copies tree went to it). The chains
/// and their offsets are the same as the regex's `find_iter` gives: a chain
/// starts at the first letter or `_` (also after a digit: `0x1F` holds
/// `x1F`), runs over letters, digits and `_`, and takes each further
/// `.name` or `?.name` whole. Every byte it reads is ASCII, so each cut is
/// a char boundary.
fn chains(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let head = |c: u8| c.is_ascii_alphabetic() || c == b'_';
    let tail = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let word_end = move |mut i: usize| {
        while i < b.len() && tail(b[i]) {
            i += 1;
        }
        i
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && !head(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        let start = i;
        i = word_end(i + 1);
        loop {
            let mut j = i;
            if b.get(j) == Some(&b'?') {
                j += 1;
            }
            if b.get(j) != Some(&b'.') || !b.get(j + 1).is_some_and(|c| head(*c)) {
                break;
            }
            i = word_end(j + 2);
        }
        Some((start, &text[start..i]))
    })
}

/// The chain that `text` starts with, if any.
fn leading_chain(text: &str) -> Option<&str> {
    chains(text)
        .next()
        .filter(|(at, _)| *at == 0)
        .map(|(_, c)| c)
}

/// The words of rules/pii-words.toml: what a logged name holds beyond
/// the credential heads of the secret rule, which enclosing conditions
/// make a log call development-only, and which request types carry
/// credentials.
#[derive(Deserialize)]
struct PiiWords {
    key: KeyWords,
    password: PasswordWords,
    address: AddressWords,
    record: RecordWords,
    guard: GuardWords,
    options: OptionsWords,
    compound: CompoundWords,
}

#[derive(Deserialize)]
struct CompoundWords {
    states: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct OptionsWords {
    types: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct KeyWords {
    records: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct PasswordWords {
    flows: Vec<String>,
    names: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct AddressWords {
    owners: Vec<String>,
    network: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct RecordWords {
    heads: Vec<String>,
    owners: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct GuardWords {
    words: Vec<String>,
    level: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

static WORDS: LazyLock<PiiWords> = LazyLock::new(|| {
    toml::from_str(include_str!("../../../rules/pii-words.toml"))
        .unwrap_or_else(|e| panic!("rules/pii-words.toml: {e}"))
});

/// Whether an `if` condition line asks for a development build or an
/// opt-in debug switch (rules/pii-words.toml `[guard]`): not a log-level
/// check, not negated.
fn dev_condition(line: &str) -> bool {
    use crate::facts::secrets::names;
    let t = line.trim_start();
    let Some(cond) = ["if ", "if(", "elif ", "} else if", "else if"]
        .iter()
        .find_map(|k| t.strip_prefix(k))
    else {
        return false;
    };
    // `!x`, `x != "development"` and `not x` negate; Rust's `cfg!(…)` is
    // a macro call.
    let negated = cond.match_indices('!').any(|(i, _)| {
        cond[i + 1..].starts_with('=')
            || !cond[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if negated || cond.split_whitespace().any(|w| w == "not") {
        return false;
    }
    let mut dev = false;
    for w in cond.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        for seg in names::segments(w) {
            if WORDS.guard.level.contains(&seg) {
                return false;
            }
            dev |= WORDS.guard.words.contains(&seg);
        }
    }
    dev
}

/// Whether the call at `call` runs only in development: some enclosing
/// `if` (read by indentation, as the code is laid out, up to 60 lines up)
/// checks for a development build or a debug switch. From an `else` branch
/// the walk meets the `else` line first and passes its `if`, which sits at
/// the same indent: that branch is the production one.
fn dev_only(code: &str, call: usize) -> bool {
    let line_start = code[..call].rfind('\n').map_or(0, |i| i + 1);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut current = indent(&code[line_start..call]);
    for line in code[..line_start].lines().rev().take(60) {
        if current == 0 {
            break;
        }
        if line.trim().is_empty() || indent(line) >= current {
            continue;
        }
        current = indent(line);
        if dev_condition(line) {
            return true;
        }
    }
    false
}

/// A Python `print()` that writes to the terminal of the operator who ran a
/// command, not to the service's logs: in a module of a `cli/` package or a
/// Django `management/commands/` module, or in a function declared as a
/// command (`@click.command()`, `@manager.command(name=…)` of a Flask
/// `AppGroup` or Flask-Script `Manager`, `@app.cli.command()`, typer's
/// `@app.command()`). `manage.py users create` echoing the address the
/// operator typed is output they asked for. A `print()` in a request
/// handler is still the service's log (its stdout is collected), and so is
/// a logger call anywhere: it goes where the service's logs go. Rust and Go
/// CLIs are left out by scope (a client crate or a command package no
/// server imports is not the service).
fn operator_output(src: &Source, call: usize, matched: &str) -> bool {
    if src.lang != Lang::Python || !matched.starts_with("print") {
        return false;
    }
    let dirs: Vec<&str> = src.path.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    if dirs.contains(&"cli") || dirs.windows(2).any(|w| w == ["management", "commands"]) {
        return true;
    }
    // The outermost function around the call, then its decorators: the
    // lines above its `def` up to the first line that is neither a
    // decorator nor the continuation of one (`@option(\n  "--org", …\n)`).
    let code = &src.code;
    let functions = src.functions();
    let mut def = None;
    let mut at = call;
    for _ in 0..16 {
        let Some((_, s, _)) = super::shapes::innermost_function(functions, at) else {
            break;
        };
        let Some(d) = code[..*s].rfind("def ") else {
            break;
        };
        def = Some(d);
        if *s == 0 || d == 0 {
            break;
        }
        at = d - 1;
    }
    let Some(def) = def else {
        return false;
    };
    let head = code[..def].rfind('\n').map_or(0, |i| i + 1);
    let mut decorators = String::new();
    let mut depth = 0i32;
    for line in code[..head].lines().rev().take(40) {
        let t = line.trim();
        // Walking up, a closing bracket opens a continuation.
        depth += t.matches([')', ']']).count() as i32 - t.matches(['(', '[']).count() as i32;
        if t.starts_with('@') {
            decorators.push_str(t);
            decorators.push('\n');
            depth = depth.max(0);
            continue;
        }
        if depth <= 0 {
            break;
        }
    }
    decorators.lines().any(|d| {
        let name = d[1..].split('(').next().unwrap_or("").trim();
        name == "command" || name.ends_with(".command")
    })
}

/// Which kind of personal or secret data an identifier names, if any.
/// Identifiers are split on `_`, `.` and camelCase (`userEmail`,
/// `reset_token`, `Category.EMAIL`), the way the secret rule reads names.
/// `mail_context`: the log message itself speaks of e-mail, SMS or phones,
/// so a recipient list (`to`, `addresses`, `recipients`) holds addresses.
fn pii_category(word: &str, mail_context: bool) -> Option<&'static str> {
    use crate::facts::secrets::names;
    // The head noun (the last segment) says what a name holds: `userEmail`
    // and `user.email` hold an address; `emailDomainId`, `tokenID`,
    // `apiToken.id`, `token.expires_at`, `emailVerified`, `passwordLength`,
    // `sendEmailToOwner` hold an id, a time, a flag or a count about it.
    let parts = names::segments(word);
    // The key of a record (`session_key`, `rating_key`) says which one;
    // it unlocks nothing.
    if let [.., qualifier, last] = parts.as_slice()
        && last == "key"
        && WORDS.key.records.contains(qualifier)
    {
        return None;
    }
    // The name of a flow (`forgotPassword`, `reset_password`) or of the
    // template, page or route that serves it (`TplForgotPassword`) holds no
    // password: the password is what the user types into it.
    if let [.., qualifier, last] = parts.as_slice()
        && matches!(last.as_str(), "password" | "passwd")
        && (WORDS.password.flows.contains(qualifier)
            || parts.iter().any(|p| WORDS.password.names.contains(p)))
    {
        return None;
    }
    if names::credential_head(word) {
        return Some("secret");
    }
    // `PasswordCurrent`, `password_confirm`, `password2`: the head noun
    // comes first and a word of rules/pii-words.toml `[compound]` (or a
    // number) says which of the credentials it is. The name without that
    // word decides, and only as a credential.
    if let [stem @ .., last] = parts.as_slice()
        && !stem.is_empty()
    {
        let digits = last.trim_end_matches(|c: char| c.is_ascii_digit());
        let shorter = if WORDS.compound.states.contains(last) || digits.is_empty() {
            Some(stem.join("_"))
        } else if digits.len() < last.len() {
            Some([stem, &[digits.to_string()]].concat().join("_"))
        } else {
            None
        };
        if let Some(shorter) = shorter {
            return pii_category(&shorter, false).filter(|c| *c == "secret");
        }
    } else if let [only] = parts.as_slice() {
        // `password2` alone.
        let digits = only.trim_end_matches(|c: char| c.is_ascii_digit());
        if !digits.is_empty() && digits.len() < only.len() {
            return pii_category(digits, false).filter(|c| *c == "secret");
        }
    }
    let head = parts.last().map(String::as_str)?;
    let before = |p: &str| parts.len() >= 2 && parts[parts.len() - 2] == p;
    let has = |p: &str| parts.iter().any(|x| x == p);
    match head {
        "email" | "emails" | "ssn" | "phone" | "phones" | "msisdn" | "dob" | "birthdate" => {
            Some("personal")
        }
        "number" if before("phone") => Some("personal"),
        "number" if before("card") || before("credit") => Some("payment"),
        "creditcard" | "cvv" => Some("payment"),
        // Who a message goes to: `action.email.to`, `mail.recipients`, or a
        // bare `addresses` in "sent via email to {addresses}".
        // A reply-to is the sender's side: the service's own address.
        "to" if before("reply") => None,
        // A push subscription's `auth` is its authentication secret (Web
        // Push `keys.auth`; some services keep the device token there).
        "auth" if has("subscription") => Some("secret"),
        "to" | "cc" | "bcc" | "recipient" | "recipients" | "addresses"
            if mail_context || has("email") || has("mail") =>
        {
            Some("personal")
        }
        // An address is a person's only when the name says whose, and never
        // when a word of the network says it is a host's (`client_remote_addr`,
        // `server_address`); a bare `address` is often `${ip}:${port}`.
        "address" | "addresses" | "addr" | "addrs"
            if !parts.iter().any(|p| WORDS.address.network.contains(p))
                && parts.iter().any(|p| WORDS.address.owners.contains(p)) =>
        {
            Some("personal")
        }
        // A person's whole directory entry or attribute set (`user_entry`,
        // `ldap_attrs`): name, mail and phone together.
        h if WORDS.record.heads.iter().any(|w| w == h)
            && parts[..parts.len() - 1]
                .iter()
                .any(|p| WORDS.record.owners.contains(p)) =>
        {
            Some("personal")
        }
        _ => None,
    }
}

/// The member chain before a call chain that ends right before `rel` in
/// `args`, calls without arguments dropped to their names:
/// `session.subscription.as_ref().unwrap().` gives
/// `session.subscription.as_ref.unwrap`.
fn call_receiver(args: &str, rel: usize) -> Option<String> {
    let mut rest = &args[..rel];
    let mut pieces: Vec<&str> = Vec::new();
    while let Some(r) = rest
        .strip_suffix('.')
        .map(|r| r.strip_suffix('?').unwrap_or(r))
        .and_then(|r| r.strip_suffix("()"))
    {
        let start = r
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '?'))
            .map_or(0, |i| i + 1);
        let chain = &r[start..];
        let piece = chain.trim_start_matches(['.', '?']);
        if piece.is_empty() {
            break;
        }
        pieces.push(piece);
        rest = &r[..start + (chain.len() - piece.len())];
    }
    pieces.reverse();
    (!pieces.is_empty()).then(|| pieces.join("."))
}

/// The names a log call's arguments write, with their offsets: each member
/// chain in code (`user.email`, f"{email}", `${token}`), and in Rust the
/// inline format arguments of its format strings (`"{email}"`).
fn logged_names<'t>(src: &'t Source, open: usize, close: usize) -> Vec<(usize, &'t str)> {
    let args = &src.code[open + 1..close];
    let mut out: Vec<(usize, &str)> = chains(args)
        .map(|(at, w)| (open + 1 + at, w))
        .filter(|(at, _)| src.is_code(*at))
        .collect();
    if src.lang == Lang::Rust {
        for c in RS_INLINE_ARG.captures_iter(args) {
            let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let at = open + 1 + whole.start();
            // `{{email}}` is an escaped brace, not an argument.
            let escaped = args[..whole.start()].ends_with('{');
            if !src.is_code(at) && !escaped {
                out.push((open + 1 + name.start(), name.as_str()));
            }
        }
        out.sort_by_key(|(at, _)| *at);
    }
    out
}

/// Whether the call at `call` sits under a condition that pins `name` to a
/// string literal (`if api_key == "public":`): what it logs is that literal,
/// which the code itself already holds.
fn pinned_to_literal(code: &str, call: usize, name: &str) -> bool {
    let line_start = code[..call].rfind('\n').map_or(0, |i| i + 1);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let call_indent = indent(&code[line_start..call]);
    let eq = format!("{name} ==");
    for line in code[..line_start].lines().rev().take(4) {
        if line.trim().is_empty() {
            continue;
        }
        if indent(line) >= call_indent {
            continue;
        }
        let t = line.trim_start();
        let is_if = ["if ", "if(", "elif ", "} else if", "else if"]
            .iter()
            .any(|k| t.starts_with(k));
        if !is_if {
            return false;
        }
        return t.find(&eq).is_some_and(|i| {
            let rest = t[i + eq.len()..].trim_start_matches('=').trim_start();
            rest.starts_with(['"', '\'', '`'])
        });
    }
    false
}

/// The message says the value is where a message goes: an e-mail, SMS or
/// phone recipient.
fn speaks_of_mail(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["email", "e-mail", "sms", "mms", "phone"]
        .iter()
        .any(|w| lower.contains(w))
}

/// A string literal that names the value next to it in a log call: a
/// structured field's key (`zap.String("phone_number", req.Number)`,
/// `slog.Info("sent", "email", to)`, `extra={"email": addr}`) or the key of
/// a map read (`form.get("email")`, `data["email"]`). The value's own name
/// may say nothing (`req.Number`); the key says what it holds.
fn keyed_names<'t>(
    src: &'t Source,
    open: usize,
    close: usize,
    mail_context: bool,
) -> Option<(&'t str, &'static str)> {
    let code = src.code.as_str();
    // A short literal of one word: `"email"`, `'phone_number'`. Parsed
    // sources know their literals; lexical ones are read by the quotes.
    KEY_LITERAL
        .captures_iter(&code[open + 1..close])
        .find_map(|c| {
            let whole = c.get(0)?;
            let r = open + 1 + whole.start()..open + 1 + whole.end();
            if src.is_code(r.start + 1) && src.strings_within(open + 1, close).next().is_some() {
                return None;
            }
            let key = c.get(1)?.as_str();
            let before = code[open + 1..r.start].trim_end();
            let read = before.ends_with(".get(") || before.ends_with('[');
            // A literal after `key:` or `key =` is a value (`scope: 'credential'`
            // says what an event is about), not the name of one.
            if before.ends_with(':') || before.ends_with('=') {
                return None;
            }
            // `"key", value` or `"key": value`, the value being code (a name or
            // a call), not another literal: `log.Println("token", "expired")`
            // writes two words.
            let after = code[r.end..close].trim_start();
            let paired = after
                .strip_prefix([',', ':'])
                .map(str::trim_start)
                .and_then(|v| v.chars().next())
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '&' || c == '*');
            if !read && !paired {
                return None;
            }
            Some((key, pii_category(key, mail_context)?))
        })
}

/// A bare name logged (`logger.error(msg)`) that was assigned a formatted
/// string a few lines up (`msg = f"… {recipient}"`, `msg := fmt.Sprintf(…,
/// user.Email)`, `` const msg = `… ${email}` ``): the names that string
/// interpolates are what the call writes. One step, same function, ten
/// lines at most.
fn assigned_names<'t>(
    src: &'t Source,
    call: usize,
    open: usize,
    close: usize,
    mail_context: bool,
) -> Option<(&'t str, &'static str)> {
    let code = src.code.as_str();
    let arg = code[open + 1..close].trim();
    let bare = !arg.is_empty()
        && arg.len() <= 40
        && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !arg.as_bytes()[0].is_ascii_digit();
    if !bare {
        return None;
    }
    let line_start = code[..call].rfind('\n').map_or(0, |i| i + 1);
    let mut end = line_start;
    for _ in 0..10 {
        if end == 0 {
            break;
        }
        let start = code[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &code[start..end - 1];
        let t = line.trim_start();
        let t = ["const ", "let ", "var "]
            .iter()
            .find_map(|k| t.strip_prefix(k))
            .unwrap_or(t);
        if let Some(rest) = t.strip_prefix(arg) {
            let rest = rest.trim_start();
            let rhs = rest
                .strip_prefix(":=")
                .or_else(|| rest.strip_prefix('=').filter(|r| !r.starts_with('=')));
            if let Some(rhs) = rhs {
                let rhs_start = start + (line.len() - rhs.len());
                let rhs_end = start + line.len();
                let mail_context = mail_context || speaks_of_mail(rhs);
                return logged_names(src, rhs_start - 1, rhs_end)
                    .into_iter()
                    .find_map(|(_, w)| Some((w, pii_category(w, mail_context)?)));
            }
        }
        end = start;
    }
    None
}

/// A bare logged name that is another name normalised (`email_key =
/// email.lower().strip()`, `const addr = email.trim()`): a copy of a value
/// through method calls without arguments still holds the value. The
/// nearest assignment of the name in the same function, forty lines up at
/// most, decides; one step.
fn aliased_names<'t>(
    src: &'t Source,
    call: usize,
    open: usize,
    close: usize,
    mail_context: bool,
) -> Option<(&'t str, &'static str)> {
    let code = src.code.as_str();
    let line_start = code[..call].rfind('\n').map_or(0, |i| i + 1);
    let mut above = Vec::new();
    let mut end = line_start;
    while end > 0 && above.len() < 40 {
        let start = code[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = code[start..end - 1].trim_start();
        if [
            "def ",
            "async def ",
            "function ",
            "async function ",
            "func ",
            "fn ",
            "pub fn ",
        ]
        .iter()
        .any(|k| line.starts_with(k))
        {
            break;
        }
        above.push(line);
        end = start;
    }
    logged_names(src, open, close)
        .into_iter()
        .filter(|(at, name)| {
            !name.contains('.')
                && !code[at + name.len()..close]
                    .trim_start()
                    .starts_with(['(', '.', '?', '['])
        })
        .find_map(|(_, name)| {
            let rhs = above.iter().find_map(|line| {
                let t = ["const ", "let ", "var "]
                    .iter()
                    .find_map(|k| line.strip_prefix(k))
                    .unwrap_or(line);
                let rest = t.strip_prefix(name)?.trim_start();
                rest.strip_prefix(":=")
                    .or_else(|| rest.strip_prefix('=').filter(|r| !r.starts_with('=')))
            })?;
            let rhs = rhs.trim().trim_end_matches(';');
            let first = leading_chain(rhs)?;
            let mut value = first;
            let mut rest = &rhs[first.len()..];
            // `x.lower()`: the call is on `x`; each further `.m()` with no
            // argument is another call on the result. A plain copy (`endpoint
            // = this.endpoints.token`, a default parameter) is often a
            // different thing of the same object: only a normalised copy
            // counts.
            rest = rest.strip_prefix("()")?;
            value = value.rsplit_once('.')?.0.trim_end_matches('?');
            while let Some(next) = rest.strip_prefix('.').or_else(|| rest.strip_prefix("?.")) {
                let m = leading_chain(next)?;
                if m.contains('.') {
                    return None;
                }
                rest = next[m.len()..].strip_prefix("()")?;
            }
            if !rest.is_empty() {
                return None;
            }
            Some((name, pii_category(value, mail_context)?))
        })
}

/// A logged name that the lines just above built by concatenation or
/// formatting from a credential (`bridge.URL = bridge.URL + "&token=" +
/// token`, then `slog.String("url", bridge.URL)`): the credential is what
/// the call writes. One step, the nearest assignment of that name within
/// five lines; an assignment that builds nothing (`url = cfg.URL`) or
/// names no credential ends the search for that name.
fn built_names<'t>(
    src: &'t Source,
    call: usize,
    open: usize,
    close: usize,
) -> Option<(&'t str, &'static str)> {
    let code = src.code.as_str();
    let line_start = code[..call].rfind('\n').map_or(0, |i| i + 1);
    // (offset, text) of the five lines above the call, nearest first.
    let mut above = Vec::new();
    let mut end = line_start;
    while end > 0 && above.len() < 5 {
        let start = code[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        above.push((start, &code[start..end - 1]));
        end = start;
    }
    for (at, name) in logged_names(src, open, close) {
        if code[at + name.len()..close].trim_start().starts_with('(') {
            continue;
        }
        for &(start, line) in &above {
            let t = line.trim_start();
            let t = ["const ", "let ", "var "]
                .iter()
                .find_map(|k| t.strip_prefix(k))
                .unwrap_or(t);
            let Some(rest) = t.strip_prefix(name) else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(rhs) = [":=", "+=", "="]
                .iter()
                .find_map(|op| rest.strip_prefix(op))
                .filter(|r| !r.starts_with('='))
            else {
                continue;
            };
            let built = rhs.contains('+')
                || rhs.contains('%')
                || rhs.contains('`')
                || rhs.contains("Sprintf(")
                || rhs.contains("format(")
                || rhs.trim_start().starts_with("f\"");
            if !built {
                break;
            }
            let rhs_start = start + (line.len() - rhs.len());
            let hit = chains(rhs)
                .filter(|(at, _)| src.is_code(rhs_start + at))
                .filter(|(at, w)| !rhs[at + w.len()..].trim_start().starts_with('('))
                .find_map(|(_, w)| {
                    let category = pii_category(w, false).filter(|c| *c == "secret")?;
                    let field = w.rsplit('.').next().unwrap_or(w);
                    Some((field, category))
                });
            if hit.is_some() {
                return hit;
            }
            break;
        }
    }
    None
}

/// A request's options object logged whole (`Logger.silly("http", …,
/// init)` where `init?: RequestInit`): its headers carry the credential.
/// The logged name must be bare and declared in the same file with one of
/// the types of rules/pii-words.toml `[options]`.
fn logged_request_options<'t>(
    src: &'t Source,
    open: usize,
    close: usize,
) -> Option<(&'t str, &'static str)> {
    if !matches!(src.lang, Lang::JavaScript | Lang::TypeScript) {
        return None;
    }
    let code = src.code.as_str();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    logged_names(src, open, close)
        .into_iter()
        .filter(|(at, name)| {
            !name.contains('.')
                && !code[at + name.len()..close]
                    .trim_start()
                    .starts_with(['(', '.', '?'])
        })
        .find_map(|(_, name)| {
            let declared = code.match_indices(name).any(|(i, _)| {
                if code[..i].chars().next_back().is_some_and(ident) {
                    return false;
                }
                let rest = code[i + name.len()..].trim_start_matches('?').trim_start();
                let Some(ty) = rest.strip_prefix(':') else {
                    return false;
                };
                let ty = ty.trim_start();
                WORDS.options.types.iter().any(|t| {
                    ty.strip_prefix(t.as_str())
                        .is_some_and(|after| !after.starts_with(ident))
                })
            });
            declared.then_some((name, "secret"))
        })
}

fn pii_logs(src: &Source, facts: &mut CodeFacts) {
    let re = match src.lang {
        Lang::JavaScript | Lang::TypeScript => &*JS_LOG,
        Lang::Python => &*PY_LOG,
        Lang::Go => &*GO_LOG,
        Lang::Rust => &*RS_LOG,
    };
    let end = src.prod_end();
    let mut go_imports: Option<Vec<(String, String)>> = None;
    for m in src.matches(re) {
        if m.end() > end {
            break;
        }
        let open = m.end() - 1;
        let Some(close) = src.matching(open) else {
            continue;
        };
        let args = &src.code[open + 1..close];
        let mail_context = speaks_of_mail(args);
        // Only identifiers in code count: "password reset sent" in a
        // message names no data; `user.password` or f"{email}" does. A
        // whole member chain is read, and its last member decides:
        // `apiToken.id` logs an id, `token?.expires_at` a time, and
        // `len(c.SecretKey)` a length.
        let hit = logged_names(src, open, close)
            .into_iter()
            .find_map(|(at, word)| {
                let rel = at - open - 1;
                let before = args[..rel].trim_end();
                if [
                    "len(", "length(", "count(", "size(", "typeof", "!!", "Boolean(",
                ]
                .iter()
                .any(|p| before.ends_with(p))
                {
                    return None;
                }
                // A trailing method call reads the value it is called on
                // (`email.trim()`), so the member before it decides.
                let mut chain = word;
                if args[rel + word.len()..].trim_start().starts_with('(') {
                    chain = chain
                        .rsplit_once('.')
                        .map_or("", |(head, _)| head.trim_end_matches('?'));
                }
                let field = chain
                    .rsplit(['.', '?'])
                    .find(|s| !s.is_empty())
                    .unwrap_or(chain);
                // An upper-case member is a constant naming a kind
                // (`Channel.EMAIL`), not a value; as a subscript key
                // (`targets[Category.EMAIL]`) it says what the element holds.
                let constant = field.len() > 1 && !field.bytes().any(|b| b.is_ascii_lowercase());
                if constant && !args[rel + word.len()..].trim_start().starts_with(']') {
                    return None;
                }
                // A test whose branch is a literal (`p.password ? "******" :
                // undefined`) writes the literal; so does a key whose value
                // is one (`password: "******"`, `password: p.password ? …`).
                let after = args[rel + word.len()..].trim_start();
                let masks = |v: &str| {
                    v.starts_with(['"', '\'', '`'])
                        || v.strip_prefix('?').is_some_and(|b| {
                            !b.starts_with('.') && b.trim_start().starts_with(['"', '\'', '`'])
                        })
                };
                if masks(after) {
                    return None;
                }
                if let Some(value) = after.strip_prefix(':').filter(|v| !v.starts_with(':')) {
                    let value = value.trim_start();
                    let test = leading_chain(value).map_or(0, str::len);
                    if masks(value) || (test > 0 && masks(value[test..].trim_start())) {
                        return None;
                    }
                }
                // A member read after calls (`s.subscription.as_ref().unwrap()
                // .auth`): the receiver's chain says whose member it is.
                let category = pii_category(chain, mail_context).or_else(|| {
                    let receiver = call_receiver(args, rel)?;
                    pii_category(&format!("{receiver}.{chain}"), mail_context)
                })?;
                if pinned_to_literal(&src.code, m.start(), chain) {
                    return None;
                }
                Some((field, category))
            });
        let hit = hit
            .or_else(|| keyed_names(src, open, close, mail_context))
            .or_else(|| assigned_names(src, m.start(), open, close, mail_context))
            .or_else(|| built_names(src, m.start(), open, close))
            .or_else(|| aliased_names(src, m.start(), open, close, mail_context))
            .or_else(|| logged_request_options(src, open, close));
        if let Some((field, category)) = hit {
            if dev_only(&src.code, m.start()) || operator_output(src, m.start(), m.as_str()) {
                continue;
            }
            facts.pii_logs.push(PiiLog {
                location: src.loc(m.start()),
                field: field.to_string(),
                category,
                note: None,
            });
        } else if src.lang == Lang::Go && !dev_only(&src.code, m.start()) {
            // No name says what the call writes; a whole value may, by the
            // fields of its type (`%+v` of a client with a `Password`),
            // known once every file's declarations are read.
            let imports = go_imports.get_or_insert_with(|| super::go_types::imports_of(src));
            let method = m.as_str().trim_end_matches('(').trim_end();
            let method = method.rsplit('.').next().unwrap_or(method);
            super::go_types::logged_values(
                src,
                m.start(),
                method,
                open,
                close,
                imports,
                &mut facts.go_types,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::extract;

    /// The hand-read chains are the ones the regex they replace finds, at
    /// the same offsets: digits before a name, `?.`, a dot before a digit or
    /// at the end, non-ASCII text and a dangling `?`.
    #[test]
    fn member_chains_are_read_as_the_regex_read_them() {
        let re =
            crate::facts::pattern::regex(r"[A-Za-z_][A-Za-z0-9_]*(?:\??\.[A-Za-z_][A-Za-z0-9_]*)*");
        for text in [
            "user.email",
            r#""sent to", user.email, token?.expires_at)"#,
            "0x1F + 9abc, a.1b, a..b, a?.b?.c, a? .b, a?, x.",
            "c.Http.SecretKey.len() + _p._q",
            "naïve.café ünïcode_x.y",
            "",
            "((",
            "f\"{email}\" ${req.body.password}",
        ] {
            let want: Vec<(usize, &str)> = re
                .find_iter(text)
                .map(|m| (m.start(), m.as_str()))
                .collect();
            assert_eq!(chains(text).collect::<Vec<_>>(), want, "{text}");
            assert_eq!(
                leading_chain(text),
                re.find(text).filter(|m| m.start() == 0).map(|m| m.as_str()),
                "{text}"
            );
        }
    }

    #[test]
    fn the_head_noun_decides_what_a_logged_name_holds() {
        for (name, want) in [
            ("user.email", Some("personal")),
            ("userEmail", Some("personal")),
            ("reset_token", Some("secret")),
            ("req.body.password", Some("secret")),
            ("phoneNumber", Some("personal")),
            ("card_number", Some("payment")),
            ("user.shipping_address", Some("personal")),
            ("apiToken.id", None),
            ("emailDomainId", None),
            ("tokenID", None),
            ("api_token.valid_until", None),
            ("user.emailVerified", None),
            ("secretKey.length", None),
            ("token.expires_at", None),
            ("sendEmailToOwner", None),
            ("loginCount", None),
            ("max_tokens", None),
            ("server.address", None),
            ("address", None),
        ] {
            assert_eq!(pii_category(name, false), want, "{name}");
        }
    }

    /// The extracted log lines of one source, by line number.
    fn pii_lines(path: &str, lang: Lang, text: &str) -> Vec<u32> {
        extract(path, lang, false, text)
            .pii_logs
            .iter()
            .map(|p| p.location.line)
            .collect()
    }

    /// rules/pii-words.toml: every example name reads as its section says.
    fn names_read_as_the_table_says(section: &str, yes: &[String], no: &[String]) {
        assert!(!yes.is_empty() && !no.is_empty(), "{section}");
        for name in yes {
            assert!(pii_category(name, false).is_some(), "[{section}] {name}");
        }
        for name in no {
            assert_eq!(pii_category(name, false), None, "[{section}] {name}");
        }
    }

    /// Held-out services (eval/README.md, session 5): the key of a record
    /// (Tautulli's Plex `session_key`, a playback session's number) is not
    /// a credential; an API key beside it is.
    #[test]
    fn record_keys_are_not_credentials() {
        names_read_as_the_table_says("key", &WORDS.key.matches, &WORDS.key.no_match);
        names_read_as_the_table_says(
            "compound",
            &WORDS.compound.matches,
            &WORDS.compound.no_match,
        );
        names_read_as_the_table_says(
            "password",
            &WORDS.password.matches,
            &WORDS.password.no_match,
        );
        let py = "import logging\nlogger = logging.getLogger(__name__)\n\
            def stop(self, stream, api_key):\n\
            \x20   logger.debug(\"Session %s paused.\" % stream['session_key'])\n\
            \x20   logger.info(\"stopping %s\", self.session_key)\n\
            \x20   logger.info(\"stopping with %s\", api_key)\n";
        assert_eq!(pii_lines("svc/activity.py", Lang::Python, py), vec![6]);
    }

    /// Session 6 classes: a person's directory entry logged whole, and an
    /// address copied through normalising calls into another name. Each
    /// has a control.
    #[test]
    fn directory_entries_and_normalised_copies() {
        names_read_as_the_table_says("record", &WORDS.record.matches, &WORDS.record.no_match);
        let py = "import logging\nlogger = logging.getLogger(__name__)\n\
            def notify(self, user_entry, cache_entry, email, cfg):\n\
            \x20   endpoint = cfg.endpoints.token\n\
            \x20   logger.error(\"rotating at %s\", endpoint)\n\
            \x20   logger.debug(f\"directory returned {user_entry}\")\n\
            \x20   logger.debug(f\"cache {cache_entry}\")\n\
            \x20   lookup = email.strip().lower()\n\
            \x20   size = len(email)\n\
            \x20   domain = email.split(\"@\")\n\
            \x20   logger.debug(\"lookup for %s\", lookup)\n\
            \x20   logger.debug(\"size %s of %s\", size, domain)\n";
        assert_eq!(pii_lines("svc/notify.py", Lang::Python, py), vec![6, 11]);
    }

    /// A push subscription's `auth` secret, read through calls on the
    /// receiver (`as_ref().unwrap()`); another member of it, and an `auth`
    /// of something else, are not.
    #[test]
    fn a_push_subscription_auth_is_a_secret() {
        let rs = "use axum::Router;\nfn f(session: &Session, config: &Config) {\n\
            \x20   log::debug!(\"ack to {}\", session.subscription.as_ref().unwrap().auth);\n\
            \x20   log::debug!(\"ack to {}\", session.subscription.as_ref().unwrap().endpoint);\n\
            \x20   log::debug!(\"mode {}\", config.auth.as_ref().unwrap().mode);\n\
            \x20   log::debug!(\"mode {}\", config.server().auth);\n\
            }\n";
        assert_eq!(pii_lines("src/push.rs", Lang::Rust, rs), vec![3]);
    }

    /// A host's network address (miniflux's `client_remote_addr`) is not a
    /// person's postal one; a customer's shipping address is.
    #[test]
    fn network_addresses_are_not_postal() {
        names_read_as_the_table_says("address", &WORDS.address.matches, &WORDS.address.no_match);
        let go = "package server\n\nimport \"log/slog\"\n\n\
            func f(r *http.Request, c Customer) {\n\
            \tslog.Info(\"req\", slog.String(\"client_remote_addr\", r.RemoteAddr))\n\
            \tslog.Info(\"bound\", \"listen_addr\", cfg.ListenAddr)\n\
            \tslog.Info(\"ship\", \"shipping_address\", c.ShippingAddress)\n\
            }\n";
        assert_eq!(pii_lines("server/m.go", Lang::Go, go), vec![8]);
    }

    /// A log call inside a development check or an opt-in debug switch
    /// (outline's `env.isDevelopment`, vaultwarden's `sso_debug_tokens()`)
    /// is a developer's console, not production logging; its else branch,
    /// a log-level check and the code after the block are production.
    #[test]
    fn development_blocks_are_not_production_logs() {
        let w = &WORDS.guard;
        assert!(!w.matches.is_empty() && !w.no_match.is_empty());
        for line in &w.matches {
            assert!(dev_condition(line), "[guard] {line}");
        }
        for line in &w.no_match {
            assert!(!dev_condition(line), "[guard] {line}");
        }
        let ts = "import Logger from \"@server/logging/Logger\";\n\
            export function render(token: string, user: User) {\n\
            \x20 if (env.isDevelopment) {\n\
            \x20   if (token) {\n\
            \x20     Logger.debug(\"email\", `sign-in link ${token}`);\n\
            \x20   }\n\
            \x20 } else {\n\
            \x20   Logger.info(\"email\", user.email);\n\
            \x20 }\n\
            \x20 if (Logger.isDebugEnabled()) {\n\
            \x20   Logger.debug(\"email\", user.email);\n\
            \x20 }\n\
            \x20 Logger.info(\"token\", token);\n\
            }\n";
        assert_eq!(
            pii_lines("server/emails/a.ts", Lang::TypeScript, ts),
            vec![8, 11, 13]
        );
        let rs = "use axum::Router;\nfn f(id_token: &str) {\n\
            \x20   if CONFIG.sso_debug_tokens() {\n\
            \x20       debug!(\"Id token: {}\", id_token);\n\
            \x20   }\n\
            \x20   debug!(\"Id token: {}\", id_token);\n\
            }\n";
        assert_eq!(pii_lines("src/sso.rs", Lang::Rust, rs), vec![6]);
    }

    /// A URL extended with a credential the line before it is logged
    /// (miniflux's RSS-Bridge token), against one extended with a page
    /// number and one copied unchanged from a credential-free field.
    #[test]
    fn a_value_built_from_a_credential_just_above() {
        let go = "package rss\n\nimport \"log/slog\"\n\n\
            func f(bridge *Bridge, token string, page int) {\n\
            \tbridge.URL = bridge.URL + \"&token=\" + token\n\n\
            \tslog.Debug(\"Appended token\",\n\
            \t\tslog.String(\"url\", bridge.URL),\n\
            \t)\n\
            \tnext := bridge.URL + \"&page=\" + strconv.Itoa(page)\n\
            \tslog.Debug(\"next\", slog.String(\"url\", next))\n\
            \tplain := bridge.Home\n\
            \tslog.Debug(\"home\", slog.String(\"url\", plain))\n\
            }\n";
        let found: Vec<_> = extract("internal/rss.go", Lang::Go, false, go)
            .pii_logs
            .iter()
            .map(|p| (p.location.line, p.field.clone()))
            .collect();
        assert_eq!(found, vec![(8, "token".to_string())]);
    }

    /// A request's options logged whole (outline's fetch wrapper logging
    /// `init`), against a member of them and a config of another type:
    /// the examples of rules/pii-words.toml `[options]`.
    #[test]
    fn logged_request_options_carry_credentials() {
        let w = &WORDS.options;
        assert!(!w.matches.is_empty() && !w.no_match.is_empty());
        for text in &w.matches {
            assert_eq!(
                pii_lines("server/fetch.ts", Lang::TypeScript, text),
                vec![2],
                "{text}"
            );
        }
        for text in &w.no_match {
            assert!(
                pii_lines("server/fetch.ts", Lang::TypeScript, text).is_empty(),
                "{text}"
            );
        }
    }

    /// The classes of log call the eval set taught (eval/labels/pii-in-logs.tsv):
    /// each line's expected verdict, by line number.
    #[test]
    fn loggers_recipients_format_args_and_pinned_values() {
        let lines = |path: &str, lang: Lang, text: &str| -> Vec<u32> {
            extract(path, lang, false, text)
                .pii_logs
                .iter()
                .map(|p| p.location.line)
                .collect()
        };
        // NestJS's static Logger, a logger on a context object, a logger
        // whose name ends in Logger; a template literal over several lines.
        let js = "import express from 'express';\nimport { Logger } from '@nestjs/common';\n\
            function f(command, ctx) {\n\
            \x20 Logger.log(\n    `Failed to add ${command.subscriber.email}`\n  );\n\
            \x20 ctx.logger.info({ input: { resetToken } });\n\
            \x20 auditLogger.warn(user.phone);\n\
            \x20 Logger.log(`user ${user.id}`);\n\
            \x20 catalog.info(user.email);\n\
            }\n";
        assert_eq!(lines("src/a.ts", Lang::TypeScript, js), vec![4, 7, 8]);
        // A proxy's password masked by a test, against one logged as it is.
        let masked = "import Logger from \"./Logger\";\nfunction f(proxy) {\n\
            \x20 Logger.silly(\"http\", \"proxy\", { user: proxy.username, password: proxy.password ? \"******\" : undefined });\n\
            \x20 Logger.silly(\"http\", \"proxy\", { password: proxy.password });\n\
            }\n";
        assert_eq!(lines("src/b.ts", Lang::TypeScript, masked), vec![4]);
        // Recipients of an e-mail, an enum member naming the address kind, a
        // value pinned to a literal by its condition.
        let py = "import logging\nlogger = logging.getLogger(__name__)\n\
            def send(self, action, addresses, hosts, api_key):\n\
            \x20   logger.debug(f\"Sent {n} email(s) to {action.email.to}\")\n\
            \x20   logger.debug(f\"Sent documents via email to {addresses}\")\n\
            \x20   logger.debug(f\"Listening on {addresses}\")\n\
            \x20   logger.info(\"Sent SMS to %s; Email To: %s\", recipient, to_addr)\n\
            \x20   self._logger.debug(f\" {self.targets[Category.EMAIL][-1]}\")\n\
            \x20   self.logger.info(f\"default channel {Channel.EMAIL} set; reply to {reply_to}\")\n\
            \x20   if api_key == \"public\":\n\
            \x20       logger.error(\"invalid api_key (%s)\", api_key)\n\
            \x20   if api_key != \"public\":\n\
            \x20       logger.error(\"bad api_key (%s)\", api_key)\n";
        assert_eq!(lines("svc/mail.py", Lang::Python, py), vec![4, 5, 7, 8, 13]);
        // Rust's inline format arguments; an escaped brace is text.
        let rs = "use axum::Router;\nfn f(email: &str, id: u32) {\n\
            \x20   warn!(\"Email: {email}\");\n\
            \x20   info!(\"user {id} {email:?}\");\n\
            \x20   info!(\"literal {{email}} {id}\");\n\
            }\n";
        assert_eq!(lines("src/m.rs", Lang::Rust, rs), vec![3, 4]);
    }

    /// The name of what is logged can sit in a string: a structured
    /// field's key, a map key read, or the variable a formatted message was
    /// built in a few lines up. Each has a control that logs no datum.
    #[test]
    fn keys_and_messages_built_earlier_name_what_is_logged() {
        let lines = |path: &str, lang: Lang, text: &str| -> Vec<u32> {
            extract(path, lang, false, text)
                .pii_logs
                .iter()
                .map(|p| p.location.line)
                .collect()
        };
        let go = "package server\n\nimport \"log/slog\"\n\n\
            func f(logger *slog.Logger, req Req) {\n\
            \tlogger.Info(\"verify\", slog.String(\"phone_number\", req.Number))\n\
            \tlogger.Info(\"verify\", slog.String(\"request_id\", req.Number))\n\
            \tlogger.Info(\"token\", \"expired\")\n\
            \tlogger.Info(\"start\", map[string]any{\"scope\": \"credential\", \"n\": n})\n\
            \tmsg := fmt.Sprintf(\"sent to %s\", user.Email)\n\
            \tlogger.Info(msg)\n\
            \tnote := fmt.Sprintf(\"sent %d\", n)\n\
            \tlogger.Info(note)\n\
            }\n";
        assert_eq!(lines("server/a.go", Lang::Go, go), vec![6, 11]);
        let py = "import logging\nlog = logging.getLogger(__name__)\n\
            def save(to_save, recipient, n):\n\
            \x20   log.info(\"changed: {}\".format(to_save.get(\"email\", \"\")))\n\
            \x20   log.info(\"changed: {}\".format(to_save.get(\"locale\", \"\")))\n\
            \x20   msg_with_extras = f\"SMS failed for {recipient}\"\n\
            \x20   log.error(msg_with_extras)\n\
            \x20   summary = f\"failed {n} times\"\n\
            \x20   log.error(summary)\n";
        assert_eq!(lines("svc/users.py", Lang::Python, py), vec![4, 7]);
    }

    #[test]
    fn chained_structured_loggers_are_log_calls() {
        let f = extract(
            "svc/auth.go",
            Lang::Go,
            false,
            "package svc\nfunc f() {\n\tlog.WithField(\"token\", session.Token).Info(\"login\")\n\tlogger.Info().Str(\"email\", u.Email).Msg(\"x\")\n\tlogger.Info().Str(\"id\", u.ID).Msg(\"y\")\n}\n",
        );
        let fields: Vec<_> = f
            .pii_logs
            .iter()
            .map(|p| (p.location.line, p.field.as_str()))
            .collect();
        assert_eq!(fields, vec![(3, "Token"), (4, "Email")]);
    }

    /// Seen in real services (opentelemetry-demo, gofiber recipes, actix
    /// examples, gin examples): what each line must be read as.
    #[test]
    fn real_repository_lessons() {
        let kinds = |path: &str, lang: Lang, text: &str| -> Vec<(PracticeKind, String)> {
            extract(path, lang, false, text)
                .practices
                .into_iter()
                .map(|p| (p.kind, p.lib))
                .collect()
        };
        // A tracer provider's Shutdown flushes spans; it drains no server.
        let tp = kinds(
            "main.go",
            Lang::Go,
            "package main\nimport \"net/http\"\nfunc main() {\n\tdefer tp.Shutdown(ctx)\n\thttp.ListenAndServe(\":8080\", nil)\n}\n",
        );
        assert!(
            !tp.iter().any(|(k, _)| *k == PracticeKind::Shutdown),
            "{tp:?}"
        );
        let fiber = kinds(
            "main.go",
            Lang::Go,
            "package main\nimport \"github.com/gofiber/fiber/v2\"\nfunc main() {\n\t<-c\n\t_ = app.ShutdownWithTimeout(5 * time.Second)\n}\n",
        );
        assert!(
            fiber.iter().any(|(k, _)| *k == PracticeKind::Shutdown),
            "{fiber:?}"
        );
        let env_logger = kinds(
            "src/main.rs",
            Lang::Rust,
            "use actix_web::App;\nfn main() {\n    env_logger::init_from_env(env_logger::Env::new());\n}\n",
        );
        assert_eq!(env_logger[0].0, PracticeKind::PlainLog);
        let go_log = kinds(
            "rate.go",
            Lang::Go,
            "package main\nimport \"go.uber.org/ratelimit\"\nfunc main() {\n\trl := ratelimit.New(100)\n\tlog.Print(\"up\")\n}\n",
        );
        let got: Vec<_> = go_log.iter().map(|(k, _)| *k).collect();
        assert_eq!(got, [PracticeKind::RateLimit, PracticeKind::PlainLog]);
        // `address` alone is `${ip}:${port}`; a user's address is personal.
        let pii = extract(
            "index.js",
            Lang::JavaScript,
            false,
            "const express = require('express');\nconsole.log(`listening on ${address}`);\nconsole.log(user.address);\n",
        )
        .pii_logs;
        assert_eq!(pii.len(), 1);
        assert_eq!(pii[0].location.line, 3);
        // Installing uvicorn is not running it.
        assert!(
            deploy_practices("Dockerfile", "RUN pip install \"uvicorn[standard]\"\n").is_none()
        );
        assert!(deploy_practices("Dockerfile", "CMD [\"uvicorn\", \"app.main:app\"]\n").is_some());
    }

    #[test]
    fn table_loads_and_names_health_routes() {
        assert!(health_names().iter().any(|n| n == "healthz"));
        assert!(TABLE.row.len() > 30);
    }

    #[test]
    fn winston_printf_is_plain_and_json_stringify_logger_is_structured() {
        let f = extract(
            "src/log.js",
            Lang::JavaScript,
            false,
            "const winston = require('winston');\nconst logger = winston.createLogger({ format: winston.format.printf(i => i.message) });\n",
        );
        assert_eq!(f.practices[0].kind, PracticeKind::PlainLog);
        let g = extract(
            "src/log.js",
            Lang::JavaScript,
            false,
            "function log(level, msg) { console.log(JSON.stringify({ level, msg })); }\n",
        );
        assert_eq!(g.practices[0].kind, PracticeKind::StructuredLog);
        assert_eq!(g.practices.len(), 1, "{:?}", g.practices);
    }

    #[test]
    fn loguru_without_serialize_is_plain() {
        let f = extract(
            "app/log.py",
            Lang::Python,
            false,
            "from loguru import logger\nlogger.add(sys.stderr)\n",
        );
        assert_eq!(f.practices[0].kind, PracticeKind::PlainLog);
        let g = extract(
            "app/log.py",
            Lang::Python,
            false,
            "from loguru import logger\nlogger.add(sys.stderr, serialize=True)\n",
        );
        assert!(
            g.practices
                .iter()
                .all(|p| p.kind == PracticeKind::StructuredLog)
        );
    }

    #[test]
    fn pii_in_log_arguments_not_in_messages() {
        let f = extract(
            "app/auth.py",
            Lang::Python,
            false,
            "import logging\nlogging.info(\"password reset sent\")\nlogging.info(f\"login {user.email}\")\nlogging.info(\"usage %s\", max_tokens)\nlogger.debug(\"pw=%s\", password)\n",
        );
        let lines: Vec<_> = f.pii_logs.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, vec![3, 5]);
        let g = extract(
            "src/server.js",
            Lang::JavaScript,
            false,
            "const express = require('express');\nconsole.log(`listening on ${server.address().port}`);\nconsole.log('token', req.headers.authToken);\n",
        );
        assert_eq!(g.pii_logs.len(), 1);
        assert_eq!(g.pii_logs[0].field, "authToken");
    }

    #[test]
    fn go_shutdown_and_breaker() {
        let f = extract(
            "main.go",
            Lang::Go,
            false,
            "package main\nimport (\"net/http\"; \"github.com/sony/gobreaker\")\nfunc main() {\n\tcb := gobreaker.NewCircuitBreaker(gobreaker.Settings{})\n\t_ = srv.Shutdown(ctx)\n}\n",
        );
        let kinds: Vec<_> = f.practices.iter().map(|p| p.kind).collect();
        assert!(kinds.contains(&PracticeKind::Breaker));
        assert!(kinds.contains(&PracticeKind::Shutdown));
    }
}
