//! The secret scanner's knowledge as data (`rules/secret-formats.toml`):
//! provider key formats with the literals their prefilter needs, and the
//! word lists of the line prefilter and of the placeholder and name checks.
//! Parsed once; a format's regex compiles the first time a line holding one
//! of its literals needs it, so a scan that never meets a Slack webhook never
//! pays for its automaton.

use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use serde::Deserialize;

/// The structural check a format's match must also pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    #[default]
    Accept,
    /// GitHub's (and npm's) CRC32 of the random part.
    Checksum,
    /// The JWT header decodes and names an `alg`.
    Jwt,
    DatabaseUrl,
    BasicAuthUrl,
    /// The value is base64 of a PEM private key block with key material
    /// (a key kept in one config line, as Web Push VAPID keys often are).
    PemBase64,
}

/// One `[[format]]` row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Format {
    pub kind: String,
    pub literals: Vec<String>,
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default)]
    pub requires: Vec<String>,
    pub pattern: String,
    #[serde(default)]
    pub check: Check,
    #[serde(default)]
    pub block: bool,
    #[serde(default)]
    pub verified: bool,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
    #[serde(skip)]
    re: OnceLock<Regex>,
}

impl Format {
    /// The compiled pattern, built on first use.
    pub fn re(&self) -> &Regex {
        self.re
            .get_or_init(|| crate::facts::pattern::regex(&self.pattern))
    }

    /// Whether every `requires` literal is in `line`: when not, the pattern
    /// cannot match there.
    pub fn possible(&self, line: &str) -> bool {
        self.requires.iter().all(|r| line.contains(r.as_str()))
    }
}

/// A prefilter word list with its examples.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Literals {
    pub literals: Vec<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

/// Words that void a value, with examples.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub words: Vec<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

/// The vocabulary of credential names, with examples.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    pub heads: Vec<String>,
    pub key_qualifiers: Vec<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub format: Vec<Format>,
    pub assignment: Literals,
    pub environment: Literals,
    pub placeholder: Words,
    pub weak: Words,
    pub names: Names,
}

/// `rules/secret-formats.toml`, parsed.
pub static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let t: Table = toml::from_str(include_str!("../../../rules/secret-formats.toml"))
        .expect("rules/secret-formats.toml parses");
    // The placeholder and weak words are matched against lowercased values.
    for w in t.placeholder.words.iter().chain(&t.weak.words) {
        assert_eq!(
            *w,
            w.to_lowercase(),
            "secret-formats.toml: {w} is not lowercase"
        );
    }
    t
});

/// The snippet as scanned: `·` keeps the table's fake keys from matching any
/// secret scanner's pattern in the repository itself.
pub fn example(snippet: &str) -> String {
    snippet.replace('·', "")
}
