//! Text that came from the scanned repository, made safe to print.
//!
//! Every byte of the scanned tree is hostile (SECURITY.md): a file name can
//! carry a newline and a GitHub Actions workflow command
//! (`x\n::add-mask::…`), an OSC sequence that retitles the terminal, or a
//! right-to-left override that reorders what a reviewer reads; a CI step line
//! can carry `postgres://user:pass@…` or `--api-key=sk_live_…`. Redacting in
//! each rule leaves the next rule's evidence open, so the report does not hold
//! `String`s for such text: it holds [`SafeText`], and the only way to make one
//! is through [`SafeText::new`], which
//!
//! 1. replaces credential-shaped values with `[redacted]`: the provider formats
//!    of the secret scan, passwords in URLs, values of credential-named keys and
//!    flags (`API_TOKEN=…`, `--password …`), JWTs, PEM key material, and long
//!    random tokens;
//! 2. escapes control and invisible formatting characters (`\n`, `\u{1b}`,
//!    bidi overrides, zero-width characters) as visible `\n`, `\u{1b}`;
//! 3. breaks the two shapes the Actions runner reads as commands: `##[` anywhere
//!    and `::` at the start of a word (a wrapped line can start there).
//!
//! Renderers then only add their own format's escaping (HTML entities,
//! Markdown code spans, JSON). Warnings and errors on stderr go through the
//! same function.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::facts::secrets;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Longest text kept (in characters); longer text is cut with `…`.
const MAX_CHARS: usize = 2_000;

/// Repository-derived text after redaction and escaping. Dereferences to
/// `str`; serialises as a plain string.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct SafeText(String);

impl SafeText {
    pub fn new(raw: &str) -> SafeText {
        SafeText(clean(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for SafeText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SafeText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SafeText {
    fn from(s: &str) -> Self {
        SafeText::new(s)
    }
}

impl From<String> for SafeText {
    fn from(s: String) -> Self {
        SafeText(clean_owned(s))
    }
}

impl From<&String> for SafeText {
    fn from(s: &String) -> Self {
        SafeText::new(s)
    }
}

impl PartialEq<str> for SafeText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SafeText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// A baseline report is read back from JSON; what it holds is cleaned again
/// (it may come from another branch or an older version).
impl<'de> Deserialize<'de> for SafeText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| SafeText::new(&s))
    }
}

/// Redact, escape and bound one string.
///
/// The same short texts are cleaned over and over: every app of a monorepo
/// carries the same rule messages, fixes, CI step notes and root paths, and
/// a thousand-app tree cleaned them a thousand times. Cleaning is a pure
/// function of the text, so each thread remembers what it cleaned (short
/// texts only, and a bounded number of them).
pub fn clean(raw: &str) -> String {
    match remembered(raw) {
        Cleaned::Same => raw.to_string(),
        Cleaned::Changed(done) => done,
    }
}

/// [`clean`] of a string the caller hands over: text that cleans to itself
/// (nearly all of it) is kept as it is, not copied.
fn clean_owned(raw: String) -> String {
    match remembered(&raw) {
        Cleaned::Same => raw,
        Cleaned::Changed(done) => done,
    }
}

/// What cleaning made of a text. Most texts are clean already: the memo
/// holds no copy of those, and [`clean_owned`] keeps the caller's string.
#[derive(Clone)]
enum Cleaned {
    Same,
    Changed(String),
}

fn remembered(raw: &str) -> Cleaned {
    let cleaned = |raw: &str| {
        let done = clean_uncached(raw);
        if done == raw {
            Cleaned::Same
        } else {
            Cleaned::Changed(done)
        }
    };
    if raw.len() > MEMO_LEN {
        return cleaned(raw);
    }
    MEMO.with_borrow_mut(|memo| {
        if let Some(done) = memo.get(raw) {
            return done.clone();
        }
        let done = cleaned(raw);
        if memo.len() < MEMO_ENTRIES {
            memo.insert(raw.into(), done.clone());
        }
        done
    })
}

/// Longest text (in bytes) whose cleaning is remembered: messages, paths
/// and notes are shorter; a long text is rarely seen twice.
const MEMO_LEN: usize = 256;
/// Texts remembered per thread: a few megabytes at most.
const MEMO_ENTRIES: usize = 32_768;

// The keys are the scanned tree's text, chosen by whoever wrote it, so the
// hasher is seeded per process (foldhash, hashbrown's own default): a fixed
// one (FxHash) lets a repository of colliding paths turn every lookup into a
// walk over thousands of entries. SipHash, std's default, cost 2% of a
// monorepo scan's CPU here for the same safety.
thread_local! {
    static MEMO: std::cell::RefCell<foldhash::HashMap<Box<str>, Cleaned>> =
        std::cell::RefCell::new(foldhash::HashMap::default());
}

fn clean_uncached(raw: &str) -> String {
    let mut spans = credential_spans(raw);
    let redacted = if spans.is_empty() {
        std::borrow::Cow::Borrowed(raw)
    } else {
        spans.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut out = String::with_capacity(raw.len());
        let mut at = 0;
        for r in spans {
            if r.end <= at {
                continue;
            }
            let start = r.start.max(at);
            out.push_str(&raw[at..start]);
            out.push_str(REDACTED);
            at = r.end;
        }
        out.push_str(&raw[at..]);
        std::borrow::Cow::Owned(out)
    };
    if plain(&redacted) {
        // Nothing to escape or cut (most paths and messages): the text as
        // it is, without going through it character by character.
        return redacted.into_owned();
    }
    escape(&redacted)
}

/// Whether [`escape`] leaves `s` as it is: printable ASCII only (no control,
/// invisible or non-ASCII character), no `##` or `::` (escaped in some
/// places: the slow path decides), and not over the length bound (one byte
/// is one character here).
fn plain(s: &str) -> bool {
    if s.len() > MAX_CHARS {
        return false;
    }
    let mut prev = 0u8;
    s.bytes().all(|b| {
        let pair = b == prev && (b == b'#' || b == b':');
        prev = b;
        (0x20..0x7f).contains(&b) && !pair
    })
}

/// Text for a terminal or a CI log that is not [`SafeText`] yet (an error
/// chain that may quote a config value): the same cleaning.
pub fn for_terminal(raw: &str) -> String {
    clean(raw)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    let mut count = 0;
    while let Some(c) = chars.next() {
        count += 1;
        if count > MAX_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || invisible(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            // `##[command]` is read anywhere in a log line.
            '#' if chars.peek() == Some(&'#') => out.push_str("#\\"),
            // `::command::` is read at the start of a line (after spaces).
            ':' if chars.peek() == Some(&':') && prev.is_none_or(char::is_whitespace) => {
                out.push_str(":\\");
            }
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

/// Characters that change what is shown without being seen: bidi controls
/// (Trojan Source), zero-width characters, the BOM.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
        | '\u{feff}' | '\u{061c}' | '\u{00ad}')
}

static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:(?P<v>[^/\s@]+)@")
});

const CREDENTIAL_WORDS: &str = r"passw(?:or)?d|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|hmac|signing[_-]?key|credentials?|bearer";

static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(&format!(
        r#"(?i)[a-z0-9_.-]*(?:{CREDENTIAL_WORDS})[a-z0-9_-]*["']?\s*(?::=|=>|=|:)\s*["']?(?P<v>[^\s"'`,;)}}\]]+)"#
    ))
});

static FLAG_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(&format!(
        r#"(?i)(?:^|\s)--?[a-z0-9-]*(?:{CREDENTIAL_WORDS})[a-z0-9-]*\s+["']?(?P<v>[^\s"'`]+)"#
    ))
});

static AUTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?i)\b(?:bearer|basic|token)\s+(?P<v>[A-Za-z0-9._~+/=-]{12,})")
});

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
});

static TOKEN: LazyLock<Regex> =
    LazyLock::new(|| crate::facts::pattern::regex(r"[A-Za-z0-9+_=-]{32,}"));

/// Values after a credential-named key that are not credentials: references
/// to where the value comes from, and words.
fn not_a_value(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.len() < 4
        || v.starts_with(['$', '<', '{', '%', '*', '['])
        || v.contains('…')
        || [
            "process.env",
            "os.environ",
            "os.getenv",
            "env.",
            "secrets.",
            "vars.",
            "none",
            "null",
            "true",
            "false",
            "required",
            "optional",
            "string",
            "undefined",
            "empty",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
}

fn credential_spans(s: &str) -> Vec<Range<usize>> {
    let mut spans = secrets::provider_value_spans(s);
    if may_hold_credential(s) {
        spans.extend(pattern_spans(s));
    }
    spans
}

/// Whether the patterns below can find anything in `s`: each needs one of
/// these words (ASCII case aside) or a run of 32 token characters. Most
/// texts cleaned are paths and messages with neither, and this one pass
/// spares them six regex searches (a monorepo cleans tens of thousands).
/// Only for ASCII text: `(?i)` folds Unicode case too (`ſ` is an `s`, the
/// Kelvin sign a `k`), so other text always gets the full search.
fn may_hold_credential(s: &str) -> bool {
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                // URL_PASSWORD
                "://",
                // CREDENTIAL_WORDS (KEY_VALUE, FLAG_VALUE), each word by a
                // part of it: passw(or)d and passwd, api_key and apikey …
                "passw",
                "pwd",
                "secret",
                "token",
                "api",
                "access",
                "private",
                "auth",
                "hmac",
                "signing",
                "credential",
                "bearer",
                // AUTH_HEADER (with bearer and token)
                "basic",
                // JWT
                "eyj",
            ])
            .expect("literal words build")
    });
    if !s.is_ascii() || WORDS.is_match(s) {
        return true;
    }
    // TOKEN
    let mut run = 0;
    s.bytes().any(|b| {
        run = if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'_' | b'=' | b'-') {
            run + 1
        } else {
            0
        };
        run >= 32
    })
}

/// What the credential patterns (not the provider formats) find in `s`.
fn pattern_spans(s: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for re in [&*URL_PASSWORD, &*KEY_VALUE, &*FLAG_VALUE, &*AUTH_HEADER] {
        for c in re.captures_iter(s) {
            let v = c.name("v").expect("every pattern names its value");
            if !not_a_value(v.as_str()) {
                spans.push(v.range());
            }
        }
    }
    spans.extend(JWT.find_iter(s).map(|m| m.range()));
    for m in TOKEN.find_iter(s) {
        let t = m.as_str();
        // Long hex is a digest or a commit id far more often than a key;
        // hex keys are caught by the name they are assigned to.
        let hex = t.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex && secrets::value_looks_random(t) && secrets::entropy(t) >= 4.0 {
            spans.push(m.range());
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut past [`escape`] only takes text that escaping leaves
    /// as it is: every pair of ASCII bytes and of a few other characters,
    /// within a path-like text and at its start.
    #[test]
    fn plain_text_is_what_escaping_keeps() {
        let mut chars: Vec<char> = (0u8..0x80).map(char::from).collect();
        chars.extend(['\u{80}', '\u{ad}', '\u{200b}', '\u{202e}', 'é', '…']);
        let mut taken = 0;
        for a in &chars {
            for b in &chars {
                for s in [
                    format!("{a}{b}"),
                    format!("src/{a}{b}x.ts"),
                    format!(" {a}{b}"),
                ] {
                    if plain(&s) {
                        taken += 1;
                        assert_eq!(escape(&s), s, "{s:?}");
                    }
                }
            }
        }
        assert!(taken > 10_000, "the shortcut takes ordinary text ({taken})");
        let long = "a".repeat(MAX_CHARS + 1);
        assert!(!plain(&long));
        assert_ne!(escape(&long), long);
    }

    #[test]
    fn control_characters_and_workflow_commands_are_escaped() {
        let s = clean("x\n::error file=app.js::INJECTED\n.js");
        assert!(!s.contains('\n'));
        assert!(!s.contains("\n::"));
        assert_eq!(s, "x\\n:\\:error file=app.js::INJECTED\\n.js");
        assert_eq!(clean("::add-mask::x"), ":\\:add-mask::x");
        assert_eq!(clean("a ##[error]b"), "a #\\#[error]b");
        assert_eq!(clean("\u{1b}]0;pwned\u{7}"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(clean("a\u{202e}b"), "a\\u{202e}b");
        // Rust paths keep their `::` when inside a word.
        assert_eq!(clean("reqwest::get"), "reqwest::get");
    }

    #[test]
    fn credentials_are_redacted_wherever_they_appear() {
        for (raw, secret) in [
            ("psql postgres://app:s3cr3tP4ss@db:5432/app", "s3cr3tP4ss"),
            (
                "./deploy --api-key=sk_live_51HxYzAbCdEfGhIjKlMnOpQr",
                "sk_live_51HxYzAbCdEfGhIjKlMnOpQr",
            ),
            ("cli --password hunter22 --verbose", "hunter22"),
            (
                "HMAC_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
            ),
            (
                "curl -H 'Authorization: Bearer abcdef1234567890XYZ'",
                "abcdef1234567890XYZ",
            ),
            (
                "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl here",
                "eyJhbGciOiJIUzI1NiJ9",
            ),
            (
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a in a name",
                "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            ),
            (
                "value Zx8Kq2Lm9Pw4Rt7Yv1Nb6Hc3Jd5Gf0Sa in text",
                "Zx8Kq2Lm9Pw4Rt7Yv1Nb6Hc3Jd5Gf0Sa",
            ),
        ] {
            let out = clean(raw);
            assert!(!out.contains(secret), "{raw:?} -> {out:?}");
            assert!(out.contains(REDACTED), "{raw:?} -> {out:?}");
        }
    }

    #[test]
    fn text_passed_over_by_the_word_check_holds_nothing_the_patterns_find() {
        let words = [
            "password",
            "PassWD",
            "pwd",
            "Secret",
            "TOKEN",
            "api_key",
            "API-KEY",
            "apikey",
            "access_key",
            "private-key",
            "auth_key",
            "hmac",
            "signing_key",
            "credentials",
            "Bearer",
            "basic",
            "token",
        ];
        let mut texts: Vec<String> = Vec::new();
        for w in words {
            texts.push(format!("{w}=Zx8Kq2Lm9Pw4"));
            texts.push(format!("x --{w} Zx8Kq2Lm9Pw4"));
            texts.push(format!("{w} abcdef1234567890XYZ"));
            texts.push(format!("MY_{w}: \"v4lue-h3re\""));
        }
        texts.extend(
            [
                "psql postgres://app:s3cr3tP4ss@db:5432/app",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
                "value Zx8Kq2Lm9Pw4Rt7Yv1Nb6Hc3Jd5Gf0Sa in text",
                "value Zx8Kq2Lm9Pw4Rt7Yv1Nb6Hc3Jd5Gf0S in text",
                "src/files/infrastructure/uploader/s3-presigned/files.controller.ts",
                "axios.get, no timeout",
                "ſecret=Zx8Kq2Lm9Pw4",
                "x:y@z",
            ]
            .map(String::from),
        );
        let mut passed_over = 0;
        for t in &texts {
            if !pattern_spans(t).is_empty() {
                assert!(may_hold_credential(t), "{t:?} was passed over");
            } else if !may_hold_credential(t) {
                passed_over += 1;
            }
        }
        // Ordinary text is passed over: the check saves work.
        assert!(passed_over >= 2);
        assert!(!may_hold_credential("services/app-0042/src/server.ts:17"));
        assert!(may_hold_credential("ſecret=Zx8Kq2Lm9Pw4"));
        // The Unicode case fold the word check does not see is still found.
        assert!(!clean("ſecret=Zx8Kq2Lm9Pw4").contains("Zx8Kq2Lm9Pw4"));
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        for s in [
            "src/files/infrastructure/uploader/s3-presigned/files.controller.ts",
            "axios.get, no timeout",
            "token: ${{ secrets.NPM_TOKEN }}",
            "API_KEY=process.env.API_KEY",
            "image@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "550e8400-e29b-41d4-a716-446655440000",
            "sk_l…(32 chars), fingerprint 0123456789abcdef",
            "logs `user.password`",
            "npm test -- --coverage",
        ] {
            assert_eq!(clean(s), s);
        }
    }

    #[test]
    fn remembered_texts_are_cleaned_as_new_ones() {
        let long_key = format!("API_KEY={}", "Zx8Kq2Lm9Pw4Rt7Yv1Nb6Hc3Jd5Gf0Sa".repeat(9));
        for raw in [
            "cli --password hunter22 --verbose",
            "x\n::error file=app.js::INJECTED",
            "services/api/src/server.ts",
            long_key.as_str(),
        ] {
            let first = clean(raw);
            assert_eq!(first, clean_uncached(raw), "{raw:?}");
            // The second time comes from the thread's memory (or, past
            // the length bound, is cleaned again): the same text.
            assert_eq!(clean(raw), first, "{raw:?}");
        }
        assert!(!clean(&long_key).contains("Zx8Kq2"));
        assert!(!clean("cli --password hunter22 --verbose").contains("hunter22"));
    }

    #[test]
    fn text_is_bounded_and_char_safe() {
        let long = "é".repeat(5_000);
        let out = clean(&long);
        assert!(out.chars().count() <= MAX_CHARS + 1);
        assert!(out.ends_with('…'));
    }
}
