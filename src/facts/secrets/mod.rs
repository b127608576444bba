//! Secret facts: credential literals (provider key formats and high-entropy
//! credential assignments), insecure fallback defaults for credentials read
//! from the environment, and signs that a secrets manager is in use.
//!
//! The secret itself never leaves this module: a candidate keeps its first
//! four characters, its length and a fingerprint (SHA-256 prefix), which is all
//! any report, warning or panic can show.
//!
//! Cost: one pass of a literal automaton over the whole file finds the lines
//! that can hold anything of interest and, for each line, *which* patterns
//! can match there (every pattern declares the literals it needs). A regex only
//! ever runs on a line that holds one of its own literals.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex};
use serde::Serialize;
use sha2::{Digest, Sha256};

mod exclusions;
pub mod formats;
pub(crate) mod names;

pub use exclusions::EXCLUSIONS;
use formats::{Check, TABLE, Table};

use super::{EnvFile, Location};
use crate::inventory::{self, FileKind};

/// Where a credential can reach: decides its risk, not whether it is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretScope {
    /// Production code or configuration, as far as the path tells.
    Production,
    /// Local development or CI only: compose files, CI workflows,
    /// `.env.development`/`.env.test`, databases on localhost.
    DevCi,
    /// Test code and fixtures.
    Test,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretCandidate {
    pub location: Location,
    /// `aws-access-key-id`, `stripe-live-key`, `generic-assignment` …
    pub kind: &'static str,
    /// A provider format whose structure proves it (a checksum, a fixed
    /// prefix of real issuance, key material): reported wherever it is.
    pub verified: bool,
    /// First four characters and length: `sk_l…(32 chars)`.
    pub redacted: String,
    /// Hex SHA-256 prefix of the value, stable across runs, for allowlists.
    pub fingerprint: String,
    pub scope: SecretScope,
}

/// A credential read from the environment with a literal fallback
/// (`process.env.JWT_SECRET || 'superSecret'`): the app runs with a known
/// secret whenever the variable is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InsecureDefault {
    pub location: Location,
    /// The environment variable's name (`JWT_SECRET`), never its value.
    pub variable: String,
    pub redacted: String,
    pub fingerprint: String,
    pub scope: SecretScope,
}

/// A secrets manager or secret injection in use: positive evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretsManagerUse {
    pub location: Location,
    pub manager: &'static str,
}

/// Everything the secret scan found in one file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SecretFacts {
    pub candidates: Vec<SecretCandidate>,
    /// Credential-shaped values an exclusion row says are not credentials.
    pub excluded: Vec<ExcludedSecret>,
    pub defaults: Vec<InsecureDefault>,
    pub managers: Vec<SecretsManagerUse>,
}

/// A value not reported, and the row of `rules/secret-exclusions.toml` that
/// says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcludedSecret {
    pub location: Location,
    pub kind: &'static str,
    pub row: &'static str,
}

/// Provider formats whose structure proves them: a checksum (GitHub, npm),
/// a prefix only real issuance produces, or private key material. A test
/// fixture holding one still holds a working credential.
pub fn verified_kind(kind: &str) -> bool {
    TABLE.format.iter().any(|f| f.verified && f.kind == kind)
}

/// Now, for the expiry of example JWTs (honours `SOURCE_DATE_EPOCH`).
static NOW: LazyLock<i64> = LazyLock::new(crate::report::timestamp::now_epoch);

/// Where a candidate sits: the file, and the line (or the window of a long
/// line) it is on, with the byte offset where that line starts.
#[derive(Clone, Copy)]
struct Site<'a> {
    path: &'a str,
    text: &'a str,
    line: &'a str,
    line_start: usize,
}

/// Whether an exclusion row removes this candidate; records it if so.
fn exclude(
    out: &mut Vec<ExcludedSecret>,
    loc: &Location,
    kind: &'static str,
    value: &str,
    site: &Site,
) -> bool {
    if verified_kind(kind) {
        return false;
    }
    let c = exclusions::Candidate {
        kind,
        value,
        line: site.line,
        line_start: site.line_start,
        path: site.path,
        text: site.text,
    };
    match exclusions::excluded(&c, *NOW) {
        Some(x) => {
            out.push(ExcludedSecret {
                location: loc.clone(),
                kind,
                row: x.row.id.as_str(),
            });
            true
        }
        None => false,
    }
}

/// What a structural check says about a provider match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Real-looking, but only ever used on a developer's machine.
    AcceptDev,
    /// The shape matched but the structure says it is not a credential
    /// (bad checksum, no JWT header): the line is settled, nothing reported.
    Reject,
    /// A placeholder or a local default: ignore this match only.
    Ignore,
}

fn structural_verdict(check: Check, c: &Captures) -> Verdict {
    match check {
        Check::Accept => Verdict::Accept,
        Check::Checksum => checksum_verdict(&c["s"]),
        Check::Jwt => {
            if jwt_header_has_alg(&c["s"]) {
                Verdict::Accept
            } else {
                Verdict::Reject
            }
        }
        Check::DatabaseUrl => url_password_verdict(c, true),
        Check::BasicAuthUrl => url_password_verdict(c, false),
        Check::PemBase64 => {
            if base64_private_key(&c["s"]) {
                Verdict::Accept
            } else {
                Verdict::Reject
            }
        }
    }
}

/// The longest literal the credential patterns below take as a value, in
/// characters, and the longest tuple of setting defaults. The patterns say
/// `{8,}` and the code checks the bound: a bounded repetition of a negated
/// class (`[^'"\s]{8,200}`) compiles to two hundred copies of its UTF-8
/// automaton, several milliseconds per pattern, paid by every scan however
/// small. The class stops at the value's closing quote either way, so the
/// run matched is the same; only its length is judged after the match.
const MAX_VALUE_CHARS: usize = 200;
const MAX_TUPLE_CHARS: usize = 300;

/// Whether a captured literal is at most `max` characters long.
fn within_bound(value: &str, max: usize) -> bool {
    value.len() <= max || value.chars().count() <= max
}

/// `name = "value"`, `name: value`, `NAME=value` where the name says credential.
/// Quotes may be backslash-escaped, as in notebooks' JSON; a type may sit
/// between name and value (`const API_KEY: &str =`, `apiKey: string =`,
/// Go's `var apiKey string =`).
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?i)(?P<name>[\w.-]*(?:secret|passwd|password|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?key|hmac|signing[_-]?key|encryption[_-]?key|master[_-]?key|passphrase|credential)[\w-]*)\\?['"]?(?:\s*:\s*&?(?:'static\s+)?[\w:<>]+|\s+[\w.]+)?\s*(?::=|=>|=|:)\s*(?:\\?['"`](?P<q>[^'"`\s\\]{8,})\\?['"`]|(?P<bare>[^\s'"`#,;\\]{8,})\s*$)"#,
    )
});

/// A quoted key mapped to a tuple, as tables of setting defaults write them
/// (`'TMDB_APIKEY': (str, 'General', '<default>')`, Django-constance's
/// `'API_KEY': ('<default>', 'help text')`): `tuple` holds what is between
/// the parentheses, one line, no nested call.
static TUPLE_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r#"['"](?P<name>[\w.-]+)['"]\s*:\s*\((?P<tuple>[^()\n]+)\)"#)
});

/// A quoted literal of eight or more characters with no space.
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r#"['"](?P<q>[^'"\s\\]{8,})['"]"#));

/// `jwt.sign(payload, "literal")`: the signing key is the literal.
static SIGN_CALL: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"\bjwt\.(?:sign|encode)\(\s*[^,()]+,\s*\\?['"](?P<q>[^'"\\\s]{6,})\\?['"]"#,
    )
});

/// Environment reads with a literal fallback. Each has the variable's name
/// in `n` and the quoted fallback in `lit`; with each, a literal that every
/// match holds, case-sensitively, when there is one: a line without it is
/// not searched (each pattern ran on every line that reads the environment,
/// a Node file's lines included for the Ruby and Rust forms).
static FALLBACKS: LazyLock<Vec<(Option<&'static str>, Regex)>> = LazyLock::new(|| {
    let lit = r#"(?P<lit>'[^'\n]*'|"[^"\n]*"|`[^`$\n]*`)"#;
    [
        // Node: `process.env.JWT_SECRET || 'dev'`, `process.env['X'] ?? "dev"`.
        (
            Some("process.env"),
            format!(
                r#"process\.env(?:\.(?P<n>\w+)|\[\s*['"](?P<n2>\w+)['"]\s*\])\s*(?:\|\||\?\?)\s*{lit}"#
            ),
        ),
        // Python `os.getenv("KEY", "dev-key")`, `os.environ.get("K", "x")`,
        // and the `getEnv("X", "y")` / `envOr` helpers Go and Node apps write,
        // Ruby's `ENV.fetch("X", "y")`.
        (
            None,
            format!(
                r#"(?i:[\w.]*(?:getenv|get_env|environ\.get|env_or|envor|env\.fetch)\w*)\(\s*['"](?P<n>\w+)['"]\s*,\s*(?:default\s*=\s*)?{lit}\s*\)"#
            ),
        ),
        // Python `os.getenv("K") or "x"`.
        (
            Some("os."),
            format!(
                r#"(?:os\.getenv|os\.environ\.get)\(\s*['"](?P<n>\w+)['"]\s*\)\s*or\s*{lit}"#
            ),
        ),
        // Ruby `ENV["X"] || "y"`.
        (
            Some("ENV["),
            format!(r#"ENV\[\s*['"](?P<n>\w+)['"]\s*\]\s*\|\|\s*{lit}"#),
        ),
        // Rust `env::var("X").unwrap_or("…")`, `.unwrap_or_else(|_| "…".into())`,
        // `.unwrap_or(String::from("…"))`.
        (
            Some("env::var("),
            format!(
                r#"env::var\(\s*"(?P<n>\w+)"\s*\)\s*\.unwrap_or(?:_else)?\(\s*(?:\|_\|\s*)?(?:String::from\(\s*)?{lit}"#
            ),
        ),
    ]
    .iter()
    .map(|(needle, r)| (*needle, crate::facts::pattern::regex(r)))
    .collect()
});

/// Go: `secret := os.Getenv("JWT_SECRET")` then `if secret == "" { secret = "dev" }`.
static GO_GETENV: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r#"\b(?P<var>\w+)\s*:?=\s*os\.Getenv\(\s*"(?P<n>\w+)"\s*\)\s*$"#)
});

/// One row of `rules/secret-managers.toml`: a secrets manager or secret
/// injection, and the literals that show it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagerRow {
    pub name: String,
    pub literals: Vec<String>,
    /// Counts only in a CI config on a `${{ … }}` line that is not the
    /// job's own `secrets.GITHUB_TOKEN`.
    #[serde(default)]
    pub ci_expression: bool,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagerTable {
    manager: Vec<ManagerRow>,
}

/// Every row of `rules/secret-managers.toml`.
pub static MANAGERS: LazyLock<Vec<ManagerRow>> = LazyLock::new(|| {
    let t: ManagerTable = toml::from_str(include_str!("../../../rules/secret-managers.toml"))
        .expect("rules/secret-managers.toml parses");
    t.manager
});

/// What a prefilter literal stands for.
#[derive(Clone, Copy)]
enum Group {
    /// Bit `i`: provider pattern `i`.
    Provider(usize),
    Assign,
    Env,
    /// Index into [`MANAGERS`].
    Manager(usize),
    /// A literal of the integration scan ([`crate::facts::integrations`]),
    /// which shares this pass over the file.
    Integration,
    /// A feature-flag SDK package ([`crate::facts::operations::flag_import`]),
    /// also sharing the pass.
    FlagSdk,
}

const ASSIGN_BIT: u64 = 1 << 62;
const ENV_BIT: u64 = 1 << 63;

struct Prefilter {
    ac: AhoCorasick,
    /// Per automaton pattern: what it stands for, and the literal when it
    /// must match case-sensitively.
    meta: Vec<(Group, Option<&'static str>)>,
}

static PREFILTER: LazyLock<Prefilter> = LazyLock::new(|| {
    let mut literals: Vec<&'static str> = Vec::new();
    let mut meta = Vec::new();
    let table: &'static Table = &TABLE;
    for (i, p) in table.format.iter().enumerate() {
        for l in &p.literals {
            literals.push(l);
            meta.push((Group::Provider(i), p.case_sensitive.then_some(l.as_str())));
        }
    }
    for l in &table.assignment.literals {
        literals.push(l);
        meta.push((Group::Assign, None));
    }
    for l in &table.environment.literals {
        literals.push(l);
        meta.push((Group::Env, None));
    }
    for (i, row) in MANAGERS.iter().enumerate() {
        for l in &row.literals {
            literals.push(l.as_str());
            meta.push((Group::Manager(i), None));
        }
    }
    for l in crate::facts::integrations::PREFILTER_LITERALS {
        literals.push(l);
        meta.push((Group::Integration, None));
    }
    // Lower case, matched in any case, as `flag_import` reads them.
    for (package, _) in crate::facts::operations::flag_sdks() {
        literals.push(package);
        meta.push((Group::FlagSdk, None));
    }
    assert!(table.format.len() < 62, "one prefilter bit per provider");
    // The line counter searches up to a match's last byte, which must be a
    // character boundary.
    assert!(
        literals.iter().all(|l| l.is_ascii()),
        "prefilter literals are ASCII"
    );
    // A line is where every match lies: the prefilter skips to the end of
    // the line it found.
    assert!(
        literals.iter().all(|l| !l.is_empty() && !l.contains('\n')),
        "prefilter literals are one line, not empty"
    );
    Prefilter {
        // A DFA, whatever the number of literals: left to itself the crate
        // picks a slower NFA past 100 patterns, and the tables grow.
        ac: AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(literals)
            .expect("prefilter literals build"),
        meta,
    }
});

/// Lines worth a look: 0-based index, byte offset of the line's start, bit
/// set of the pattern groups whose literals occur on it, and the secrets
/// managers named on it. The pass that finds the literals counts the lines
/// anyway, so only the lines with a hit are ever located: a file with none
/// costs no line index.
#[derive(Debug, Default, PartialEq, Eq)]
struct Hits {
    lines: Vec<(usize, usize, u64)>,
    /// (line, line start, index into [`MANAGERS`]).
    managers: Vec<(usize, usize, usize)>,
    /// Lines holding an integration literal, ascending, with their starts.
    integration: Vec<(usize, usize)>,
    /// Whether a feature-flag SDK package is named anywhere.
    flag_sdk: bool,
}

impl Hits {
    /// Records a literal of `group` found on line `line` (0-based), which
    /// starts at byte `line_start`; hits arrive line by line, in order.
    fn note(&mut self, group: Group, line: usize, line_start: usize) {
        let bit = match group {
            Group::Provider(i) => 1 << i,
            Group::Assign => ASSIGN_BIT,
            Group::Env => ENV_BIT,
            Group::Manager(row) => {
                if !self.managers.contains(&(line, line_start, row)) {
                    self.managers.push((line, line_start, row));
                }
                return;
            }
            Group::Integration => {
                if self.integration.last().map(|l| l.0) != Some(line) {
                    self.integration.push((line, line_start));
                }
                return;
            }
            Group::FlagSdk => {
                self.flag_sdk = true;
                return;
            }
        };
        match self.lines.last_mut() {
            Some((l, _, mask)) if *l == line => *mask |= bit,
            _ => self.lines.push((line, line_start, bit)),
        }
    }
}

fn prefilter(text: &str) -> Hits {
    let pf = &*PREFILTER;
    let mut hits = Hits::default();
    let (mut line, mut line_start) = (0usize, 0usize);
    // The automaton's first match from `from` on (the earliest to end) is
    // on the next line worth reading; then every literal of that line is
    // reported, overlapping, as a pass over the whole file would: no
    // literal spans a line break, so the automaton enters each line in its
    // start state either way. Most lines of a file hold none, and they are
    // walked once, without reporting. The match ignores case even for a
    // case-sensitive literal (`sk` in `task`): such a line is read and
    // yields nothing. A regex of the literals used to find the lines: its
    // lazy DFA cost each thread its own states (documenso: 13% of the
    // scan's samples in its search and state building), and its compile
    // a few milliseconds per scan.
    let mut from = 0;
    while from < text.len()
        && let Some(end) = pf
            .ac
            .find(aho_corasick::Input::new(text).range(from..))
            .map(|m| m.end())
    {
        // The literals are ASCII: the match's last byte is a character
        // boundary, and so is the line break after it. `str::find` of a
        // byte runs memchr.
        let at = end - 1;
        while let Some(nl) = text[line_start..at].find('\n') {
            line += 1;
            line_start += nl + 1;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
        from = line_end + 1;
        for m in pf.ac.find_overlapping_iter(&text[line_start..line_end]) {
            let (group, exact) = pf.meta[m.pattern().as_usize()];
            if let Some(exact) = exact
                && &text[line_start + m.start()..line_start + m.end()] != exact
            {
                continue;
            }
            hits.note(group, line, line_start);
        }
    }
    hits
}

/// The provider formats (bit `i`: format `i`) one of whose literals occurs
/// in `text`, case-sensitively where the format says so: the prefilter's one
/// pass. Every report string is redacted through
/// [`provider_value_spans`], which used to lowercase the string and search it
/// once per literal.
fn providers_named(text: &str) -> u64 {
    let pf = &*PREFILTER;
    let mut named = 0u64;
    for m in pf.ac.find_overlapping_iter(text) {
        if let (Group::Provider(i), exact) = pf.meta[m.pattern().as_usize()]
            && exact.is_none_or(|e| &text[m.start()..m.end()] == e)
        {
            named |= 1 << i;
        }
    }
    named
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

fn looks_random(value: &str) -> bool {
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    // Identifiers and sentences (`get_user_token`, `my_app_password`) are
    // low-entropy and have few classes; keys mix at least digits and letters.
    let digits = value.bytes().any(|b| b.is_ascii_digit());
    // Letters-only keys exist (24+ random mixed-case letters); identifiers
    // of that length have lower entropy and word-shaped runs.
    let long_letters =
        value.len() >= 20 && classes >= 2 && entropy(value) >= 4.0 && !camel_words(value);
    value.len() >= 8
        && classes >= 2
        && entropy(value) >= 3.0
        && !value.contains(' ')
        && (digits || long_letters)
}

/// `AbstractSingletonProxyFactoryBean`: letters only, and every capital
/// starts a lowercase word of three or more letters. Random keys of the same
/// length almost never have that shape.
fn camel_words(value: &str) -> bool {
    value.bytes().all(|b| b.is_ascii_alphabetic())
        && value
            .split(|c: char| c.is_ascii_uppercase())
            .skip(1)
            .all(|w| w.len() >= 2)
}

/// A placeholder by shape: a known word, a run of six equal characters
/// (`0000000000`), or a variable reference.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    TABLE
        .placeholder
        .words
        .iter()
        .any(|p| lower.contains(p.as_str()))
        || value.starts_with('$')
        || value.starts_with('%')
        || longest_run(&lower) >= 6
        || (value.len() > 1 && longest_run(&lower) == value.len())
}

fn weak_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    placeholder(value) || TABLE.weak.words.iter().any(|p| lower.contains(p.as_str()))
}

fn longest_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for b in s.bytes() {
        run = if Some(b) == prev { run + 1 } else { 1 };
        prev = Some(b);
        best = best.max(run);
    }
    best
}

/// Documentation hosts (RFC 2606/6761) and template hosts.
fn example_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.contains("example")
        || h.ends_with(".test")
        || h.ends_with(".invalid")
        || h == "host"
        || h == "hostname"
        || h.contains('<')
        || h.contains('{')
        || h.contains('$')
}

fn local_host(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]" | "host.docker.internal"
    )
}

/// Local-development database passwords: equal to the user, or a default
/// that ships with the database image.
fn dev_default_password(user: &str, password: &str) -> bool {
    password == user
        || matches!(
            password,
            "postgres" | "root" | "admin" | "guest" | "mysql" | "password" | "pass" | "secret"
        )
}

/// A password inline in a URL. Local defaults (`postgres:postgres@`,
/// `guest:guest@`), placeholders and documentation hosts never fire; a real
/// password for a database on localhost is a developer's credential.
fn url_password_verdict(c: &Captures, database: bool) -> Verdict {
    let value = &c["s"];
    let host = c.name("host").map_or("", |h| h.as_str());
    let user = c.name("user").map_or("", |u| u.as_str());
    // `http://INTERNAL:8888\\@PUBLIC/`: a host and port read as user and
    // password.
    let port = {
        let digits = value.trim_end_matches('\\');
        !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    if port
        || weak_value(value)
        || value.len() < 6
        || example_host(host)
        || dev_default_password(user, value)
        || (!database && user.len() < 2)
    {
        return Verdict::Ignore;
    }
    if local_host(host) {
        Verdict::AcceptDev
    } else {
        Verdict::Accept
    }
}

/// CRC32 (IEEE), bitwise: it only ever runs on 30-byte token bodies.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` in base 62, left-padded with `0` to six characters.
fn base62_6(mut n: u32) -> [u8; 6] {
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out
}

/// GitHub's (and npm's) token format: a 4-character prefix, 30 random
/// base62 characters, then the CRC32 of those 30 in 6 base62 characters.
/// Bodies of another length predate the format and carry no checksum.
pub fn token_checksum_ok(token: &str) -> bool {
    let Some(body) = token.get(4..) else {
        return false;
    };
    if body.len() != 36 {
        return true;
    }
    // `get`, not `split_at`: the caller's token may hold any character.
    let (Some(random), Some(check)) = (body.get(..30), body.get(30..)) else {
        return false;
    };
    base62_6(crc32(random.as_bytes())) == check.as_bytes()
}

fn checksum_verdict(token: &str) -> Verdict {
    if token_checksum_ok(token) {
        Verdict::Accept
    } else {
        Verdict::Reject
    }
}

/// Base64url (or standard base64), padding optional.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

fn jwt_header_has_alg(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    base64_decode(header)
        .and_then(|h| String::from_utf8(h).ok())
        .is_some_and(|h| h.trim_start().starts_with('{') && h.contains("\"alg\""))
}

/// The whole PEM block that starts at `start` (header to END line), or
/// `None` when it has no END line or no real key material: a README that
/// shows `-----BEGIN RSA PRIVATE KEY-----` then `...` holds no key.
fn pem_block(text: &str, start: usize) -> Option<&str> {
    const LIMIT: usize = 16 * 1024;
    let mut end = (start + LIMIT).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let window = &text[start..end];
    let header_end = window.find("KEY-----")? + "KEY-----".len();
    let rel_end = window[header_end..].find("-----END")? + header_end;
    let body = &window[header_end..rel_end];
    // JSON strings carry the line breaks as `\n` escapes.
    let material = body
        .replace("\\n", "")
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count();
    let block_end = window[rel_end..]
        .find("-----\\n")
        .map(|i| i + 5)
        .or_else(|| window[rel_end + 8..].find("-----").map(|i| i + 8 + 5))
        .map_or(window.len(), |i| rel_end + i);
    (material >= 64).then(|| &window[..block_end])
}

/// Whether a base64 value decodes to a PEM private key block with key
/// material. A config file holds the key on one line as base64 of the whole
/// PEM text (`LS0tLS1CRUdJTi…` is `-----BEGIN`); a public key or a header
/// with nothing after it is not one. Only the first 16 KiB are decoded; the
/// END line is not required, since a long value may be cut at a search
/// window's edge.
fn base64_private_key(value: &str) -> bool {
    const LIMIT: usize = 16 * 1024;
    let mut end = value.len().min(LIMIT);
    // Whole base64 quanta only, so a cut value still decodes.
    end -= end % 4;
    let Some(decoded) = value.get(..end).and_then(base64_decode) else {
        return false;
    };
    let text = String::from_utf8_lossy(&decoded);
    let Some(header) = text.lines().next() else {
        return false;
    };
    if !header.starts_with("-----BEGIN ") || !header.contains("PRIVATE KEY-----") {
        return false;
    }
    let body = &text[header.len()..];
    let body = body.find("-----END").map_or(body, |i| &body[..i]);
    body.bytes()
        .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
        .count()
        >= 64
}

/// Redact a value: first four characters and length; and its fingerprint.
pub fn redact(value: &str) -> (String, String) {
    (
        format!(
            "{}…({} chars)",
            value.chars().take(4).collect::<String>(),
            value.chars().count()
        ),
        fingerprint(value),
    )
}

/// Hex of the first 8 bytes of the value's SHA-256.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Whether a line reads the environment: values there are another rule's
/// business (an insecure default), unless a provider key sits on it.
fn reads_env(line: &str) -> bool {
    [
        "process.env",
        "os.getenv",
        "os.environ",
        "env::var",
        "getenv(",
        "ENV[",
        "ENV.fetch",
        "Getenv(",
        "getEnv(",
    ]
    .iter()
    .any(|w| line.contains(w))
}

/// Names that hold locations, identifiers or settings, not credentials
/// (`tokenURL`, `password_file`, `JWT_SECRET_EXPIRES_IN`, `TOKEN_TTL`).
fn non_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "url",
        "uri",
        "endpoint",
        "path",
        "file",
        "dir",
        "name",
        "field",
        "type",
        "header",
        "id",
        "expires_in",
        "expiresin",
        "expiry",
        "expiration",
        "ttl",
        "length",
        "algorithm",
        "issuer",
        "audience",
        "host",
        "port",
        "prefix",
        "rounds",
        "region",
        "timeout",
        "version",
        "enabled",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
}

/// An environment variable's name says it holds a credential.
fn credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "secret",
        "passw",
        "pwd",
        "token",
        "apikey",
        "api_key",
        "private_key",
        "privatekey",
        "access_key",
        "accesskey",
        "auth_key",
        "credential",
        "signing_key",
        "session_key",
        "encryption_key",
        "jwt_key",
    ]
    .iter()
    .any(|w| lower.contains(w))
        && !non_credential_name(name)
}

/// The scope a file's credentials reach, from its path alone.
fn file_scope(lower_path: &str, kind: FileKind, is_test: bool) -> SecretScope {
    let name = crate::inventory::file_name(lower_path);
    let dev_env = kind == FileKind::EnvFile
        && [".development", ".dev", ".test", ".ci", ".local"]
            .iter()
            .any(|s| name.contains(s));
    let compose = name.starts_with("docker-compose") || name.starts_with("compose.");
    if is_test {
        SecretScope::Test
    } else if kind == FileKind::CiConfig || compose || dev_env {
        SecretScope::DevCi
    } else {
        SecretScope::Production
    }
}

fn overlaps(spans: &[Range<usize>], r: &Range<usize>) -> bool {
    spans.iter().any(|s| s.start < r.end && r.start < s.end)
}

/// Scan one file's text.
pub fn scan(path: &str, kind: FileKind, is_test: bool, text: &str) -> SecretFacts {
    scan_shared(path, kind, is_test, text).0
}

/// What the secret scan's literal pass found for the other scans of the
/// file, which would otherwise each read it again.
pub struct SharedPass {
    /// The lines [`crate::facts::integrations::scan_lines`] needs, with
    /// the byte offset where each starts.
    pub integration_lines: Vec<(usize, usize)>,
    /// Whether the file names a feature-flag SDK package in any case:
    /// without one, [`crate::facts::operations::flag_import`] finds none
    /// (it lowered every production source file to search it once per
    /// package, 4% of a scan of a 20k-file monorepo).
    pub names_flag_sdk: bool,
}

/// [`scan`], and what its one literal pass over the file found for the
/// integration and flag scans ([`SharedPass`]).
pub fn scan_shared(
    path: &str,
    kind: FileKind,
    is_test: bool,
    text: &str,
) -> (SecretFacts, SharedPass) {
    let mut hits = prefilter(text);
    let shared = SharedPass {
        integration_lines: std::mem::take(&mut hits.integration),
        names_flag_sdk: hits.flag_sdk,
    };
    (scan_hits(path, kind, is_test, text, hits), shared)
}

fn scan_hits(path: &str, kind: FileKind, is_test: bool, text: &str, hits: Hits) -> SecretFacts {
    let mut out = SecretFacts::default();
    if hits.lines.is_empty() && hits.managers.is_empty() {
        return out;
    }
    let lower_path = path.to_ascii_lowercase();
    let lower_name = crate::inventory::file_name(&lower_path);
    let template = kind == FileKind::EnvFile && inventory::is_env_template(lower_name);
    let scope = file_scope(&lower_path, kind, is_test);

    if !is_test {
        for &(i, start, row) in &hits.managers {
            let line = line_at(text, start);
            let row = &MANAGERS[row];
            let manager = row.name.as_str();
            if row.ci_expression
                && !(kind == FileKind::CiConfig
                    && line.contains("${{")
                    && !line.contains("secrets.GITHUB_TOKEN"))
            {
                continue;
            }
            if !out.managers.iter().any(|m| m.manager == manager) {
                out.managers.push(SecretsManagerUse {
                    location: Location::new(path, i as u32 + 1),
                    manager,
                });
            }
        }
    }

    for &(i, line_start, mask) in &hits.lines {
        let full_line = line_at(text, line_start);
        for (window_offset, line) in windows(full_line) {
            let line_offset = line_start + window_offset;
            let loc = Location::new(path, i as u32 + 1);
            let site = Site {
                path,
                text,
                line,
                line_start,
            };
            let mut spans: Vec<Range<usize>> = Vec::new();
            for (pi, p) in TABLE.format.iter().enumerate() {
                if mask & (1 << pi) == 0 || !p.possible(line) {
                    continue;
                }
                for c in p.re().captures_iter(line) {
                    let whole = c.get(0).unwrap().range();
                    if overlaps(&spans, &whole) {
                        continue;
                    }
                    let verdict = structural_verdict(p.check, &c);
                    if verdict == Verdict::Reject {
                        spans.push(whole);
                        continue;
                    }
                    if verdict == Verdict::Ignore {
                        continue;
                    }
                    let s = c.name("s").unwrap();
                    let value = if p.block {
                        match pem_block(text, line_offset + s.start()) {
                            Some(v) => v,
                            None => continue,
                        }
                    } else if placeholder(s.as_str()) {
                        continue;
                    } else {
                        s.as_str()
                    };
                    spans.push(whole);
                    let kind = p.kind.as_str();
                    if exclude(&mut out.excluded, &loc, kind, value, &site) {
                        continue;
                    }
                    let (redacted, fingerprint) = redact(value);
                    out.candidates.push(SecretCandidate {
                        location: loc.clone(),
                        kind,
                        verified: p.verified,
                        redacted,
                        fingerprint,
                        scope: if verdict == Verdict::AcceptDev && scope == SecretScope::Production
                        {
                            SecretScope::DevCi
                        } else {
                            scope
                        },
                    });
                }
            }
            if mask & ENV_BIT != 0 && window_offset == 0 {
                insecure_defaults(path, text, line_start, i, &spans, scope, &mut out.defaults);
            }
            let env_line = reads_env(line) && !template;
            if !spans.is_empty() || env_line || mask & ASSIGN_BIT == 0 {
                continue;
            }
            generic_assignments(
                &site,
                kind,
                &loc,
                scope,
                &mut out.candidates,
                &mut out.excluded,
            );
        }
    }
    // Windows overlap: a value in the overlap is found twice. Candidates
    // come in line order, so a duplicate sits among the last ones kept.
    if out.candidates.len() > 1 {
        let mut kept: Vec<SecretCandidate> = Vec::with_capacity(out.candidates.len());
        for c in std::mem::take(&mut out.candidates) {
            let dup = kept
                .iter()
                .rev()
                .take_while(|k| k.location.line == c.location.line)
                .any(|k| k.fingerprint == c.fingerprint);
            if !dup {
                kept.push(c);
            }
        }
        out.candidates = kept;
    }
    out
}

/// The line that starts at `start`, without its line break.
fn line_at(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let line = rest.find('\n').map_or(rest, |n| &rest[..n]);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Lines are searched in windows of this many bytes: the regexes stay fast
/// on a 1 MB single-line JSON or minified file, and no line is left unread.
const WINDOW: usize = 4096;
/// Consecutive windows overlap by this much, longer than any credential.
const WINDOW_OVERLAP: usize = 512;

/// `(offset, slice)` windows over a line, cut at character boundaries.
fn windows(line: &str) -> Vec<(usize, &str)> {
    if line.len() <= WINDOW {
        return vec![(0, line)];
    }
    let boundary = |mut i: usize| {
        while i < line.len() && !line.is_char_boundary(i) {
            i += 1;
        }
        i.min(line.len())
    };
    let mut out = Vec::new();
    let mut start = 0;
    while start < line.len() {
        let end = boundary(start + WINDOW);
        out.push((start, &line[start..end]));
        if end == line.len() {
            break;
        }
        start = boundary(end - WINDOW_OVERLAP);
    }
    out
}

/// Credential-named assignments and JWT signing calls with a literal that
/// looks random and is no placeholder.
fn generic_assignments(
    site: &Site,
    kind: FileKind,
    loc: &Location,
    scope: SecretScope,
    out: &mut Vec<SecretCandidate>,
    excluded: &mut Vec<ExcludedSecret>,
) {
    let line = site.line;
    let mut push = |value: &str, kind: &'static str| {
        if exclude(excluded, loc, kind, value, site) {
            return;
        }
        let (redacted, fingerprint) = redact(value);
        out.push(SecretCandidate {
            location: loc.clone(),
            kind,
            verified: false,
            redacted,
            fingerprint,
            scope,
        });
    };
    for c in SIGN_CALL.captures_iter(line) {
        let value = &c["q"];
        if within_bound(value, MAX_VALUE_CHARS) && !placeholder(value) && !value.contains('.') {
            push(value, "jwt-signing-secret");
            return;
        }
    }
    for c in ASSIGNMENT.captures_iter(line) {
        let value = c.name("q").or_else(|| c.name("bare")).unwrap().as_str();
        if !within_bound(value, MAX_VALUE_CHARS)
            || !names::credential_head(&c["name"])
            || value.starts_with("http://")
            || value.starts_with("https://")
        {
            continue;
        }
        // Bare values only count in env-style files, where they are the norm.
        if c.name("bare").is_some()
            && !matches!(
                kind,
                FileKind::EnvFile | FileKind::Config | FileKind::DeployConfig | FileKind::CiConfig
            )
        {
            continue;
        }
        if weak_value(value) || !looks_random(value) {
            continue;
        }
        push(value, "generic-assignment");
    }
    // A table of setting defaults: the credential-named key maps to a
    // tuple of its type, section or help text, and its default value.
    for c in TUPLE_DEFAULT.captures_iter(line) {
        if !within_bound(&c["tuple"], MAX_TUPLE_CHARS) || !names::credential_head(&c["name"]) {
            continue;
        }
        for v in QUOTED.captures_iter(&c["tuple"]) {
            let value = &v["q"];
            if !within_bound(value, MAX_VALUE_CHARS)
                || value.starts_with("http://")
                || value.starts_with("https://")
                || weak_value(value)
                || !looks_random(value)
            {
                continue;
            }
            push(value, "generic-assignment");
        }
    }
}

/// Fallback literals for credentials read from the environment. A fallback
/// that is itself a provider key is a leaked key (`hardcoded-secret`), not a
/// default; an empty fallback fails closed and is fine.
fn insecure_defaults(
    path: &str,
    text: &str,
    line_start: usize,
    i: usize,
    provider_spans: &[Range<usize>],
    scope: SecretScope,
    out: &mut Vec<InsecureDefault>,
) {
    let line = line_at(text, line_start);
    let mut push = |at: usize, name: &str, value: &str| {
        if value.trim().is_empty() || value.starts_with("http") || value.starts_with("${") {
            return;
        }
        let (redacted, fingerprint) = redact(value);
        out.push(InsecureDefault {
            location: Location::new(path, at as u32 + 1),
            variable: name.to_string(),
            redacted,
            fingerprint,
            scope,
        });
    };
    for (needle, re) in FALLBACKS.iter() {
        if needle.is_some_and(|n| !line.contains(n)) {
            continue;
        }
        for c in re.captures_iter(line) {
            let lit = c.name("lit").unwrap();
            if overlaps(provider_spans, &lit.range()) {
                continue;
            }
            let name = c.name("n").or_else(|| c.name("n2")).unwrap().as_str();
            if credential_name(name) {
                push(i, name, &lit.as_str()[1..lit.as_str().len() - 1]);
            }
        }
    }
    // Go has no fallback operator: the default is assigned on one of the
    // next lines, `if secret == "" { secret = "dev" }`.
    if line.contains("os.Getenv(")
        && let Some(c) = GO_GETENV.captures(line)
        && credential_name(&c["n"])
    {
        let assign = format!("{} = \"", &c["var"]);
        let following = text[line_start..]
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l));
        for (j, next) in following.enumerate().skip(1).take(4) {
            let j = i + j;
            if let Some(at) = next.find(&assign)
                && let Some(len) = next[at + assign.len()..].find('"')
            {
                let start = at + assign.len();
                push(j, &c["n"], &next[start..start + len]);
                break;
            }
        }
    }
}

/// Facts about an env file: is it a template, how many keys carry a value.
pub fn env_file(path: &str, text: &str) -> EnvFile {
    let lower = crate::inventory::file_name(path).to_ascii_lowercase();
    let values = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .filter(|(_, v)| !v.trim().trim_matches(['"', '\'']).is_empty())
        .count();
    EnvFile {
        path: path.to_string(),
        template: inventory::is_env_template(&lower),
        values,
    }
}

/// Byte ranges of every provider-shaped credential value in `text`, whatever
/// its verdict (a made-up token is still not printed): the output side's
/// redaction ([`crate::safe_text`]) reuses the detection table rather than
/// keeping a second list of formats.
pub fn provider_value_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let named = providers_named(text);
    for (i, p) in TABLE.format.iter().enumerate() {
        if named & (1 << i) == 0 || !p.possible(text) {
            continue;
        }
        for c in p.re().captures_iter(text) {
            if let Some(s) = c.name("s") {
                // A PEM header's value runs to the end of the text.
                let end = if p.block { text.len() } else { s.end() };
                spans.push(s.start()..end);
            }
        }
    }
    spans
}

/// Whether a value looks like key material rather than a word or a path.
pub fn value_looks_random(value: &str) -> bool {
    looks_random(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Lang;

    fn scan_js(text: &str) -> SecretFacts {
        scan(
            "src/config.js",
            FileKind::Source(Lang::JavaScript),
            false,
            text,
        )
    }

    fn kinds(text: &str) -> Vec<&'static str> {
        scan_js(text)
            .candidates
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    #[test]
    fn long_lines_are_searched_in_windows() {
        let key = "sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f";
        // Deep inside a long line, across a window boundary, after multi-byte text.
        for at in [10_000, WINDOW - 10, WINDOW * 3 - 600] {
            let mut line = "é".repeat(at / 2);
            line.push_str(&format!("stripe('{key}')"));
            line.push_str(&"x".repeat(20_000));
            let found = scan_js(&line).candidates;
            assert_eq!(found.len(), 1, "at {at}");
            assert_eq!(found[0].kind, "stripe-live-key");
        }
    }

    /// A GitHub-format token with a valid checksum, from 30 random characters.
    fn github_token(prefix: &str, random: &str) -> String {
        let check = base62_6(crc32(random.as_bytes()));
        format!("{prefix}{random}{}", std::str::from_utf8(&check).unwrap())
    }

    #[test]
    fn crc32_and_base62() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(&base62_6(0), b"000000");
        assert_eq!(&base62_6(61), b"00000z");
        assert_eq!(&base62_6(62), b"000010");
    }

    #[test]
    fn github_checksum_tells_real_from_made_up() {
        let t = github_token("ghp_", "Q7vLk2mZp9XrT4wN8bHc3sDf6jGa1e");
        assert!(token_checksum_ok(&t));
        assert_eq!(kinds(&format!("const t = '{t}'")), vec!["github-token"]);
        // Same shape, wrong checksum: a made-up example, and the line is settled.
        let mut bad = t.clone();
        bad.replace_range(39..40, if t.ends_with('A') { "B" } else { "A" });
        assert!(!token_checksum_ok(&bad));
        assert!(kinds(&format!("const token = '{bad}'")).is_empty());
        let npm = github_token("npm_", "Z9yX8wV7uT6sR5qP4oN3mL2kJ1iH0g");
        assert_eq!(
            kinds(&format!("//registry:_authToken={npm}")),
            vec!["npm-token"]
        );
    }

    #[test]
    fn provider_patterns() {
        assert_eq!(
            kinds("const k = 'AKIAQ3EGRS7XZ2LMN4PB';"),
            vec!["aws-access-key-id"]
        );
        assert!(kinds("const k = 'AKIAIOSFODNN7EXAMPLE';").is_empty());
        assert_eq!(
            kinds("stripe('sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f')"),
            vec!["stripe-live-key"]
        );
        assert_eq!(
            kinds("stripe('sk_test_9Tq2WbXr7LmK4vZpN8sHcD3f')"),
            vec!["stripe-test-key"]
        );
        assert!(kinds("stripe('sk_live_xxxxxxxxxxxxxxxxxxxxxxxx')").is_empty());
        assert_eq!(
            kinds("url = 'postgres://app:S3cr3tPw9x@db.internal:5432/x'"),
            vec!["database-url-password"]
        );
        assert!(kinds("url = 'postgres://user:password@localhost/x'").is_empty());
        assert!(kinds("url = 'postgres://app:S3cr3tPw9x@db.example.com/x'").is_empty());
        assert_eq!(
            kinds("u = 'https://deploy:Zq8vN2xLp4Rt@registry.acme.io/v2'"),
            vec!["basic-auth-url"]
        );
        assert_eq!(
            kinds("const s = 'SK2f9c4e1a7b3d8f0e6c5a4b3d2e1f0a9b'"),
            vec!["twilio-api-key"]
        );
        assert_eq!(
            kinds("mg = 'key-3f9a8c7e6d5b4a3f2e1d0c9b8a7f6e5d'"),
            vec!["mailgun-key"]
        );
    }

    #[test]
    fn jwt_needs_a_header_with_alg() {
        // {"alg":"HS256","typ":"JWT"}
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiJBZGEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk0";
        assert_eq!(kinds(&format!("auth = '{jwt}'")), vec!["jwt"]);
        // {"foo":"barbazqux"} is no JOSE header.
        let not = "eyJmb28iOiJiYXJiYXpxdXgifQ.eyJzdWIiOiI0MiIsIm5hbWUiOiJBZGEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk0";
        assert!(kinds(&format!("x = '{not}'")).is_empty());
    }

    #[test]
    fn private_key_needs_key_material() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n");
        let f = scan("keys/app.pem", FileKind::Config, false, &pem);
        assert_eq!(f.candidates.len(), 1);
        assert_eq!(f.candidates[0].kind, "private-key");
        assert_eq!(
            f.candidates[0].redacted,
            format!("----…({} chars)", pem.len() - 1)
        );
        let doc = "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n";
        assert!(
            scan("k.pem", FileKind::Config, false, doc)
                .candidates
                .is_empty()
        );
        let json = format!(
            "{{\"type\": \"service_account\",\n \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}",
            body.replace('\n', "\\n")
        );
        let f = scan("sa.json", FileKind::Config, false, &json);
        assert_eq!(
            f.candidates.iter().map(|c| c.kind).collect::<Vec<_>>(),
            vec!["google-service-account-key"]
        );
    }

    /// The value bounds are checked after the match (the patterns say
    /// `{8,}`): 200 characters is a value, 201 is not, in every form; a
    /// multi-byte character counts once.
    #[test]
    fn credential_values_are_bounded_in_characters() {
        // Random-looking, no repeated runs: letters and digits cycled.
        let value = |n: usize| -> String {
            (0..n)
                .map(|i| (b"k3Yb0ardC4tQz7WmXp2vLr9NsHj5Tg8F"[(i * 7 + i / 32) % 32]) as char)
                .collect()
        };
        for n in [200, 201] {
            let v = value(n);
            let want: Vec<&str> = if n == 200 {
                vec!["generic-assignment"]
            } else {
                vec![]
            };
            assert_eq!(kinds(&format!("const apiToken = '{v}'")), want, "{n}");
            let jwt = kinds(&format!("jwt.sign(payload, '{v}')"));
            assert_eq!(jwt.len(), usize::from(n == 200), "{n}: {jwt:?}");
            assert_eq!(
                kinds(&format!("'API_KEY': ('General', '{v}')")),
                want,
                "tuple {n}"
            );
        }
        // 199 letters and one two-byte character: 200 characters, 201 bytes.
        let wide = format!("{}é", value(199));
        assert_eq!(
            kinds(&format!("const apiToken = '{wide}'")),
            vec!["generic-assignment"]
        );
        // A tuple longer than 300 characters is not a table of defaults.
        let long = format!("'API_KEY': ('{}', '{}')", "a ".repeat(150), value(24));
        assert!(kinds(&long).is_empty());
        assert_eq!(
            kinds(&format!(
                "'API_KEY': ('{}', '{}')",
                "a ".repeat(120),
                value(24)
            )),
            vec!["generic-assignment"]
        );
    }

    #[test]
    fn generic_assignments_need_entropy_and_no_env_fallback() {
        assert_eq!(
            kinds("const awsSecret = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vM3pLk2\";"),
            vec!["generic-assignment"]
        );
        assert!(kinds("const jwtSecret = process.env.JWT_SECRET || 'superSecret9x'").is_empty());
        assert!(kinds("password = \"changeme\"").is_empty());
        assert!(kinds("const tokenClass = 'AbstractSingletonProxyFactoryBean'").is_empty());
        assert!(kinds("const secretName = 'DatabaseCredentialsRotationHandler'").is_empty());
        assert_eq!(
            kinds("const apiToken: string = 'hxlWiBEsdHDsTezdMuUKjHaY'"),
            vec!["generic-assignment"]
        );
        assert!(kinds("const tokenField = 'access_token_value'").is_empty());
        assert!(kinds("tokenURL: 'https://github.com/login/oauth2/token9'").is_empty());
        assert!(kinds("url = 'postgres://postgres:postgres@web-db:5432/dev'").is_empty());
        assert_eq!(
            kinds("jwt.sign(payload, 'k3Yb0ardC4t')"),
            vec!["jwt-signing-secret"]
        );
    }

    #[test]
    fn insecure_defaults_by_language() {
        let d = |path: &str, lang, text: &str| {
            scan(path, FileKind::Source(lang), false, text)
                .defaults
                .into_iter()
                .map(|d| d.variable)
                .collect::<Vec<_>>()
        };
        use Lang::*;
        assert_eq!(
            d(
                "a.js",
                JavaScript,
                "const s = process.env.JWT_SECRET || 'superSecret'"
            ),
            vec!["JWT_SECRET"]
        );
        assert_eq!(
            d(
                "a.ts",
                TypeScript,
                "key: process.env['API_KEY'] ?? \"dev\","
            ),
            vec!["API_KEY"]
        );
        assert_eq!(
            d(
                "a.py",
                Python,
                "KEY = os.getenv(\"SECRET_KEY\", \"dev-key\")"
            ),
            vec!["SECRET_KEY"]
        );
        assert_eq!(
            d("a.py", Python, "pw = os.environ.get('DB_PASSWORD', 'x')"),
            vec!["DB_PASSWORD"]
        );
        assert_eq!(
            d(
                "main.go",
                Go,
                "\tsecret := os.Getenv(\"JWT_SECRET\")\n\tif secret == \"\" {\n\t\tsecret = \"devsecret\"\n\t}\n"
            ),
            vec!["JWT_SECRET"]
        );
        assert_eq!(
            d(
                "main.go",
                Go,
                "key := getEnv(\"API_TOKEN\", \"local-token\")"
            ),
            vec!["API_TOKEN"]
        );
        assert_eq!(
            d(
                "main.rs",
                Rust,
                "let k = env::var(\"SESSION_SECRET\").unwrap_or_else(|_| \"dev\".into());"
            ),
            vec!["SESSION_SECRET"]
        );
        assert_eq!(
            d(
                "main.rs",
                Rust,
                "let k = std::env::var(\"API_KEY\").unwrap_or(\"k\".to_string());"
            ),
            vec!["API_KEY"]
        );
        // Each form behind its literal guard: Python's `or`, Ruby's `||`.
        assert_eq!(
            d(
                "a.py",
                Python,
                "pw = os.getenv('DB_PASSWORD') or 'hunter22'"
            ),
            vec!["DB_PASSWORD"]
        );
        let ruby = scan(
            "config/app.rb",
            FileKind::Config,
            false,
            "secret = ENV[\"SECRET_KEY_BASE\"] || \"dev-secret\"",
        );
        let vars: Vec<&str> = ruby.defaults.iter().map(|d| d.variable.as_str()).collect();
        assert_eq!(vars, ["SECRET_KEY_BASE"]);
        // Not credentials, or nothing to fall back to.
        assert!(d("a.js", JavaScript, "const p = process.env.PORT || '3000'").is_empty());
        assert!(d("a.js", JavaScript, "const u = process.env.TOKEN_URL || 'x'").is_empty());
        assert!(d("a.js", JavaScript, "const s = process.env.JWT_SECRET || ''").is_empty());
        assert!(
            d(
                "a.js",
                JavaScript,
                "const t = process.env.JWT_EXPIRES_IN || '1d'"
            )
            .is_empty()
        );
    }

    #[test]
    fn a_provider_key_as_fallback_is_a_leak_not_a_default() {
        let f = scan_js("const k = process.env.STRIPE_KEY || 'sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f'");
        assert_eq!(f.candidates.len(), 1);
        assert!(f.defaults.is_empty());
    }

    #[test]
    fn scopes() {
        let s = |path: &str, kind, text: &str| {
            scan(path, kind, inventory::is_test_path(path), text).candidates[0].scope
        };
        let line = "password: \"Zq8vN2xLp4Rt7w\"";
        assert_eq!(
            s("config/app.yml", FileKind::Config, line),
            SecretScope::Production
        );
        assert_eq!(
            s("docker-compose.yml", FileKind::DeployConfig, line),
            SecretScope::DevCi
        );
        assert_eq!(
            s(".github/workflows/ci.yml", FileKind::CiConfig, line),
            SecretScope::DevCi
        );
        assert_eq!(
            s("tests/fixtures/a.yml", FileKind::Config, line),
            SecretScope::Test
        );
        assert_eq!(
            s(
                "src/db.js",
                FileKind::Source(Lang::JavaScript),
                "const u = 'postgres://app:Zq8vN2xLp4Rt@localhost:5432/app'"
            ),
            SecretScope::DevCi
        );
    }

    /// Every row of rules/secret-managers.toml: each `match` line, scanned
    /// as a file at the row's path, shows that manager; each `no_match`
    /// line shows none. A literal the prefilter never sees, or a row whose
    /// condition hides it, fails here.
    #[test]
    fn every_secret_manager_row_example_runs_through_the_scanner() {
        let mut failures = Vec::new();
        for row in MANAGERS.iter() {
            let path = row.path.as_deref().unwrap_or("app/settings.py");
            let kind = inventory::classify(path);
            for (want, lines) in [(true, &row.matches), (false, &row.no_match)] {
                for line in lines {
                    let got: Vec<&str> = scan(path, kind, false, &format!("{line}\n"))
                        .managers
                        .iter()
                        .map(|m| m.manager)
                        .collect();
                    if got.contains(&row.name.as_str()) != want || (!want && !got.is_empty()) {
                        failures.push(format!("{}: {line:?} at {path} gave {got:?}", row.name));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn secrets_managers_are_evidence() {
        let m = |path: &str, kind, text: &str| {
            scan(path, kind, false, text)
                .managers
                .into_iter()
                .map(|m| m.manager)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            m(
                "a.py",
                FileKind::Source(Lang::Python),
                "client = boto3.client('secretsmanager')"
            ),
            vec!["AWS Secrets Manager"]
        );
        assert_eq!(
            m(
                ".github/workflows/deploy.yml",
                FileKind::CiConfig,
                "env:\n  API_KEY: ${{ secrets.API_KEY }}\n  GH: ${{ secrets.GITHUB_TOKEN }}\n"
            ),
            vec!["GitHub Actions secrets"]
        );
        assert!(
            m(
                ".github/workflows/ci.yml",
                FileKind::CiConfig,
                "  token: ${{ secrets.GITHUB_TOKEN }}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn prefilter_selects_lines_and_groups() {
        let hits = prefilter("a\nb\nmy Token x\n\nAKIA and secret\nakia\n");
        let lines: Vec<usize> = hits.lines.iter().map(|(l, _, _)| *l).collect();
        assert_eq!(lines, vec![2, 4]);
        assert_eq!(hits.lines[1].2 & 1, 1, "AKIA is provider 0");
        // Each hit line's start, as the text has it.
        assert_eq!(hits.lines[0].1, 4);
        assert_eq!(hits.lines[1].1, 16);
        assert!(prefilter("nothing to see\n").lines.is_empty());
        // Flag SDK packages, in any case, for `flag_import`.
        assert!(prefilter("import * as ld from 'LaunchDarkly-node-server-sdk';\n").flag_sdk);
        assert!(!prefilter("import express from 'express';\n").flag_sdk);
    }

    /// The automaton's pass over the whole file, as the prefilter ran
    /// before it read only the lines where a literal ends.
    fn prefilter_whole_text(text: &str) -> Hits {
        let pf = &*PREFILTER;
        let mut hits = Hits::default();
        let (mut line, mut line_start) = (0usize, 0usize);
        for m in pf.ac.find_overlapping_iter(text) {
            let (group, exact) = pf.meta[m.pattern().as_usize()];
            if exact.is_some_and(|e| &text[m.start()..m.end()] != e) {
                continue;
            }
            while let Some(nl) = text[line_start..m.end() - 1].find('\n') {
                line += 1;
                line_start += nl + 1;
            }
            hits.note(group, line, line_start);
        }
        hits
    }

    /// Reading only the lines where a literal ends gives what the pass
    /// over the whole file gave: overlapping literals, literals in any
    /// case or only in their own, `\r\n`, a last line without a break,
    /// non-ASCII text, a match at the very start and end.
    #[test]
    fn line_finder_reads_every_line_the_whole_pass_did() {
        let texts = [
            "",
            "\n\n",
            "AKIA",
            "x AWS_SECRET_ACCESS_KEY=1 and api_key\r\nvault_addr op:// secrets.X\r\n",
            "task ask desk\nSK0123 sk-ant- SKx\n",
            "const a = process.env.API_TOKEN || 'dev';\n\u{e9}t\u{e9} token\u{e9}\n",
            "import ld from 'LaunchDarkly-node-server-sdk'\nmail phone card\n\n\nPassWord: 1",
            "eyJ eyj EYJ\nKEY- key-\nhttps://u:p@h postgres://a:b@c\nprivate key",
            "secretsmanager.secret_access_key.SECRET-manager\n",
        ];
        for text in texts {
            assert_eq!(prefilter(text), prefilter_whole_text(text), "{text:?}");
        }
        let examples: Vec<String> = TABLE
            .format
            .iter()
            .flat_map(|f| f.matches.iter().chain(&f.no_match))
            .chain(&TABLE.assignment.matches)
            .chain(&TABLE.environment.matches)
            .map(|e| formats::example(e))
            .collect();
        let all = examples.join("\n");
        assert!(!prefilter(&all).lines.is_empty());
        assert_eq!(prefilter(&all), prefilter_whole_text(&all));
        for e in &examples {
            assert_eq!(prefilter(e), prefilter_whole_text(e), "{e:?}");
        }
    }

    #[test]
    fn providers_named_as_each_format_says() {
        // The prefilter's pass agrees with a plain search of each literal,
        // case-sensitive or not as the row says, on every row's examples.
        let naive = |text: &str| {
            let lower = text.to_ascii_lowercase();
            TABLE.format.iter().enumerate().fold(0u64, |bits, (i, p)| {
                let hit = p.literals.iter().any(|l| {
                    if p.case_sensitive {
                        text.contains(l.as_str())
                    } else {
                        lower.contains(&l.to_ascii_lowercase())
                    }
                });
                if hit { bits | 1 << i } else { bits }
            })
        };
        let mut named = 0;
        for p in TABLE.format.iter() {
            for text in p.matches.iter().chain(&p.no_match) {
                assert_eq!(providers_named(text), naive(text), "{text}");
                named |= providers_named(text);
            }
            let upper = p.matches[0].to_ascii_uppercase();
            assert_eq!(providers_named(&upper), naive(&upper), "{upper}");
        }
        // Not a vacuous agreement: the examples name most formats.
        assert!(
            named.count_ones() as usize >= TABLE.format.len() / 2,
            "{named:b}"
        );
        assert_eq!(providers_named("nothing here"), 0);
    }

    #[test]
    fn redaction_keeps_four_chars() {
        let (r, fp) = redact("sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f");
        assert_eq!(r, "sk_l…(32 chars)");
        assert_eq!(fp.len(), 16);
    }
}
