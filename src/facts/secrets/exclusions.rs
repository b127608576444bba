//! What has the shape of a credential but is not one, as data
//! (`rules/secret-exclusions.toml`): UUIDs, regular expressions, references
//! to where a value comes from, commented-out template lines, publishable
//! keys (Firebase web config, Supabase anon keys), published local demo keys
//! expired example JWTs in API documentation, sample values in Python
//! docstrings and in configuration files shipped with every line commented
//! out. Each row carries its reason
//! and examples that a test runs through the real scanner, and every value a
//! row removes is recorded, so a reviewer can see why it was not reported.
//! No row applies to a verified provider format.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applies {
    Value,
    Line,
    Context,
    JwtClaim,
    JwtExpired,
    /// The line is inside a Python docstring.
    Docstring,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub id: String,
    pub applies: Applies,
    #[serde(default)]
    pub pattern: String,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub files: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub keep: Vec<String>,
}

pub struct Exclusion {
    pub row: Row,
    re: Option<Regex>,
    files: Option<Regex>,
}

#[derive(Deserialize)]
struct Table {
    row: Vec<Row>,
}

const TABLE_SRC: &str = include_str!("../../../rules/secret-exclusions.toml");

pub static EXCLUSIONS: LazyLock<Vec<Exclusion>> = LazyLock::new(|| {
    let table: Table = toml::from_str(TABLE_SRC).expect("rules/secret-exclusions.toml parses");
    table
        .row
        .into_iter()
        .map(|row| Exclusion {
            re: (!matches!(
                row.applies,
                Applies::JwtClaim | Applies::JwtExpired | Applies::Docstring
            ))
            .then(|| Regex::new(&row.pattern).expect("exclusion pattern compiles")),
            files: row
                .files
                .as_deref()
                .map(|f| Regex::new(f).expect("exclusion files pattern compiles")),
            row,
        })
        .collect()
});

/// One candidate, with what an exclusion may look at.
pub struct Candidate<'a> {
    pub kind: &'a str,
    pub value: &'a str,
    pub line: &'a str,
    /// Byte offset in `text` where the candidate's line starts.
    pub line_start: usize,
    pub path: &'a str,
    pub text: &'a str,
}

/// The first row that says this candidate is not a credential.
pub fn excluded(c: &Candidate, now: i64) -> Option<&'static Exclusion> {
    EXCLUSIONS.iter().find(|x| {
        (x.row.kinds.is_empty() || x.row.kinds.iter().any(|k| k == c.kind))
            && x.files.as_ref().is_none_or(|f| f.is_match(c.path))
            && match x.row.applies {
                Applies::Value => x.re.as_ref().is_some_and(|r| r.is_match(c.value)),
                Applies::Line => x.re.as_ref().is_some_and(|r| r.is_match(c.line)),
                Applies::Context => x.re.as_ref().is_some_and(|r| r.is_match(c.text)),
                Applies::JwtClaim => jwt_claim(c.value, &x.row.pattern),
                Applies::JwtExpired => jwt_exp(c.value).is_some_and(|exp| exp < now),
                Applies::Docstring => in_docstring(c.text, c.line_start),
            }
    })
}

/// Whether the line starting at `at` is inside a docstring: a triple-quoted
/// string opened at the start of its line, right after a `def`/`class`
/// header (a line ending in `:`; a bare string under any other block header
/// does nothing either) or before any code of the module. Such a
/// string is a statement that does nothing; Python keeps it as the
/// function's documentation, where API docs show sample requests and
/// responses. A triple-quoted string assigned or passed (`SQL = """`,
/// `render("""`) is a value and does not count.
pub fn in_docstring(text: &str, at: usize) -> bool {
    let bytes = &text.as_bytes()[..at];
    // The docstring state after each triple quote, read from the start:
    // (the quote character, whether it opened a docstring).
    let mut open: Option<(u8, bool)> = None;
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let q = bytes[i];
        if !matches!(q, b'"' | b'\'') || bytes[i + 1] != q || bytes[i + 2] != q {
            i += 1;
            continue;
        }
        match open {
            Some((o, _)) if o == q => open = None,
            Some(_) => {}
            None => open = Some((q, opens_docstring(text, i))),
        }
        i += 3;
    }
    matches!(open, Some((_, true)))
}

/// Whether the triple quote at `q` starts a docstring (see [`in_docstring`]).
fn opens_docstring(text: &str, q: usize) -> bool {
    let line_start = text[..q].rfind('\n').map_or(0, |i| i + 1);
    let lead = text[line_start..q].trim_start();
    // String prefixes only: `r"""`, `u"""`.
    if !lead.chars().all(|c| matches!(c, 'r' | 'R' | 'u' | 'U')) || lead.len() > 1 {
        return false;
    }
    let previous = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    match previous {
        None => true,
        Some(l) => l.ends_with(':'),
    }
}

fn jwt_payload(token: &str) -> Option<serde_json::Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = super::base64_decode(payload)?;
    serde_json::from_slice(&bytes).ok()
}

/// `claim=value` holds in the JWT's payload.
fn jwt_claim(token: &str, spec: &str) -> bool {
    let Some((claim, want)) = spec.split_once('=') else {
        return false;
    };
    jwt_payload(token)
        .and_then(|p| p.get(claim).and_then(|v| v.as_str().map(|s| s == want)))
        .unwrap_or(false)
}

fn jwt_exp(token: &str) -> Option<i64> {
    jwt_payload(token)?.get("exp")?.as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory;

    #[test]
    fn every_row_removes_its_examples_and_keeps_the_others() {
        assert!(!EXCLUSIONS.is_empty());
        for x in EXCLUSIONS.iter() {
            let path = x.row.path.as_deref().unwrap_or("src/config.js");
            let kind = inventory::classify(path);
            let scan = |line: &str| super::super::scan(path, kind, false, line);
            assert!(
                !x.row.matches.is_empty() && !x.row.keep.is_empty(),
                "{}",
                x.row.id
            );
            for m in &x.row.matches {
                let found = scan(m);
                assert!(
                    found.candidates.is_empty(),
                    "{}: {m} still reported",
                    x.row.id
                );
                assert!(
                    found.excluded.iter().any(|e| e.row == x.row.id),
                    "{}: {m} was not found at all, so the row is not what removes it",
                    x.row.id
                );
            }
            for k in &x.row.keep {
                assert!(
                    !scan(k).candidates.is_empty(),
                    "{}: {k} not reported",
                    x.row.id
                );
            }
            assert!(!x.row.reason.trim().is_empty());
        }
    }
}
