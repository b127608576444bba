//! Secret candidates: provider key formats and high-entropy credential
//! assignments. The secret itself never leaves this module: a candidate keeps
//! its first four characters, its length and a fingerprint (SHA-256 prefix),
//! which is all any report or warning can show.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{EnvFile, Location};
use crate::inventory::{self, FileKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretCandidate {
    pub location: Location,
    /// `aws-access-key-id`, `stripe-live-key`, `generic-assignment` …
    pub kind: &'static str,
    /// First four characters, length and fingerprint: `sk_l…(32 chars)`.
    pub redacted: String,
    /// Hex SHA-256 prefix of the value, stable across runs, for allowlists.
    pub fingerprint: String,
    /// Found in test code or fixtures.
    pub in_test: bool,
}

struct Pattern {
    kind: &'static str,
    re: Regex,
}

static PROVIDERS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let p = |kind, re: &str| Pattern {
        kind,
        re: Regex::new(re).unwrap(),
    };
    vec![
        p(
            "aws-access-key-id",
            r"\b(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
        ),
        p("github-token", r"\b(?P<s>gh[pousr]_[A-Za-z0-9]{36,255})\b"),
        p(
            "github-fine-grained-token",
            r"\b(?P<s>github_pat_[A-Za-z0-9_]{82})\b",
        ),
        p("gitlab-token", r"\b(?P<s>glpat-[A-Za-z0-9_-]{20})\b"),
        p("slack-token", r"\b(?P<s>xox[baprs]-[A-Za-z0-9-]{10,})\b"),
        p(
            "slack-webhook",
            r"(?P<s>https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,})",
        ),
        p(
            "stripe-live-key",
            r"\b(?P<s>(?:sk|rk)_live_[A-Za-z0-9]{16,})\b",
        ),
        p(
            "stripe-test-key",
            r"\b(?P<s>(?:sk|rk)_test_[A-Za-z0-9]{16,})\b",
        ),
        p("google-api-key", r"\b(?P<s>AIza[0-9A-Za-z_-]{35})\b"),
        p(
            "sendgrid-key",
            r"\b(?P<s>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\b",
        ),
        p(
            "anthropic-key",
            r"\b(?P<s>sk-ant-[a-z]+\d{2}-[A-Za-z0-9_-]{80,})",
        ),
        p(
            "openai-key",
            r"\b(?P<s>sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})",
        ),
        p("npm-token", r"\b(?P<s>npm_[A-Za-z0-9]{36})\b"),
        p(
            "private-key",
            r"(?P<s>-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----)",
        ),
        p(
            "database-url-password",
            r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://(?P<user>[^:/\s'\x22@]+):(?P<s>[^@/\s'\x22]+)@(?P<host>[^/\s'\x22:]+)",
        ),
    ]
});

/// `name = "value"`, `name: value`, `NAME=value` where the name says credential.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?P<name>[\w.-]*(?:secret|passwd|password|pwd|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?key)[\w-]*)['"]?\s*(?::=|=>|=|:)\s*(?:['"`](?P<q>[^'"`\s]{8,200})['"`]|(?P<bare>[^\s'"`#,;]{8,200})\s*$)"#,
    )
    .unwrap()
});

/// Words that mark a value as a placeholder rather than a credential.
const PLACEHOLDERS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "your",
    "example",
    "placeholder",
    "xxxx",
    "****",
    "dummy",
    "sample",
    "redacted",
    "replace",
    "todo",
    "fixme",
    "secret",
    "password",
    "insert",
    "<",
    "${",
    "{{",
    "%(",
    "env.",
    "environ",
    "getenv",
    "process.",
    "localhost",
    "12345",
    "abcdef",
    "test-",
    "fake",
    "test",
    "dummy",
    "jbswy3dpehpk3pxp",
];

/// Names that hold locations or identifiers, not credentials
/// (`tokenURL`, `password_file`, `secret_path`).
fn non_credential_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "url", "uri", "endpoint", "path", "file", "dir", "name", "field", "type", "header", "id",
    ]
    .iter()
    .any(|s| lower.ends_with(s))
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

fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    PLACEHOLDERS.iter().any(|p| lower.contains(p))
        || value
            .chars()
            .all(|c| c == value.chars().next().unwrap_or(' '))
        || value.starts_with('$')
}

/// Literals every provider pattern or credential-named assignment contains,
/// matched case-insensitively. A line with none of them cannot match.
const PREFILTER: &[&str] = &[
    "akia",
    "asia",
    "abia",
    "acca",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "hooks.slack.com",
    "_live_",
    "_test_",
    "aiza",
    "sg.",
    "sk-",
    "npm_",
    "private key",
    "://",
    "secret",
    "passw",
    "pwd",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "access_key",
    "access-key",
    "accesskey",
    "private_key",
    "private-key",
    "auth_key",
    "auth-key",
];

static PREFILTER_AC: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(PREFILTER)
        .expect("prefilter literals build")
});

/// Sorted, deduplicated 0-based indices of lines holding a prefilter literal.
fn candidate_lines(text: &str) -> Vec<usize> {
    let mut offsets = PREFILTER_AC.find_iter(text).map(|m| m.start()).peekable();
    if offsets.peek().is_none() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let mut line = 0;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    for off in offsets {
        while let Some(nl) = memchr_from(bytes, line_start, off) {
            line += 1;
            line_start = nl + 1;
        }
        if lines.last() != Some(&line) {
            lines.push(line);
        }
    }
    lines
}

/// Position of the next newline in `bytes[from..to]`.
fn memchr_from(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    bytes[from..to]
        .iter()
        .position(|b| *b == b'\n')
        .map(|p| p + from)
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
    value.len() >= 8
        && classes >= 2
        && entropy(value) >= 3.0
        && !value.contains(' ')
        && value.bytes().any(|b| b.is_ascii_digit())
}

/// Redact a value: first four characters, length, fingerprint.
pub fn redact(value: &str) -> (String, String) {
    let digest = Sha256::digest(value.as_bytes());
    let fingerprint: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let head: String = value.chars().take(4).collect();
    (
        format!("{head}…({} chars)", value.chars().count()),
        fingerprint,
    )
}

/// Whether a line reads the value from the environment with a literal
/// fallback (`process.env.X || 'dev'`): that is an insecure default, another
/// rule's business, not a leaked key.
fn env_fallback(line: &str) -> bool {
    [
        "process.env",
        "os.getenv",
        "os.environ",
        "env::var",
        "getenv(",
        "ENV[",
        "Getenv(",
    ]
    .iter()
    .any(|w| line.contains(w))
}

/// Scan one file's text for secret candidates.
pub fn scan(path: &str, kind: FileKind, is_test: bool, text: &str) -> Vec<SecretCandidate> {
    let mut out = Vec::new();
    let lower_name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let template = kind == FileKind::EnvFile && inventory::is_env_template(&lower_name);
    let in_test = is_test;
    // One pass of a literal automaton over the whole file picks the few lines
    // that can hold a candidate; the regexes only ever see those lines.
    let candidates = candidate_lines(text);
    if candidates.is_empty() {
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        if candidates.binary_search(&i).is_err() || line.len() > 4096 {
            continue;
        }
        let loc = || Location::new(path, i as u32 + 1);
        let mut found_on_line = false;
        for p in PROVIDERS.iter() {
            for c in p.re.captures_iter(line) {
                let value = &c["s"];
                if p.kind == "database-url-password" {
                    let host = c.name("host").map_or("", |h| h.as_str());
                    let user = c.name("user").map_or("", |u| u.as_str());
                    if placeholder(value)
                        || value.len() < 6
                        || host.contains("example")
                        || dev_default_password(user, value)
                    {
                        continue;
                    }
                }
                let (redacted, fingerprint) = redact(value);
                out.push(SecretCandidate {
                    location: loc(),
                    kind: p.kind,
                    redacted,
                    fingerprint,
                    in_test,
                });
                found_on_line = true;
            }
        }
        if found_on_line || (env_fallback(line) && !template) {
            continue;
        }
        for c in ASSIGNMENT.captures_iter(line) {
            let value = c.name("q").or_else(|| c.name("bare")).unwrap().as_str();
            if non_credential_name(&c["name"])
                || value.starts_with("http://")
                || value.starts_with("https://")
            {
                continue;
            }
            // Bare values only count in env-style files, where they are the norm.
            if c.name("bare").is_some()
                && !matches!(
                    kind,
                    FileKind::EnvFile
                        | FileKind::Config
                        | FileKind::DeployConfig
                        | FileKind::CiConfig
                )
            {
                continue;
            }
            if placeholder(value) || !looks_random(value) {
                continue;
            }
            let (redacted, fingerprint) = redact(value);
            out.push(SecretCandidate {
                location: loc(),
                kind: "generic-assignment",
                redacted,
                fingerprint,
                in_test,
            });
        }
    }
    out
}

/// Facts about an env file: is it a template, how many keys carry a value.
pub fn env_file(path: &str, text: &str) -> EnvFile {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<&'static str> {
        scan(
            "src/config.js",
            FileKind::Source(crate::inventory::Lang::JavaScript),
            false,
            text,
        )
        .into_iter()
        .map(|c| c.kind)
        .collect()
    }

    #[test]
    fn provider_patterns() {
        assert_eq!(
            kinds("const k = 'AKIAQ3EGRS7XZ2LMN4PB';"),
            vec!["aws-access-key-id"]
        );
        assert_eq!(
            kinds("stripe('sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f')"),
            vec!["stripe-live-key"]
        );
        assert_eq!(
            kinds("url = 'postgres://app:S3cr3tPw9x@db.internal:5432/x'"),
            vec!["database-url-password"]
        );
        assert!(kinds("url = 'postgres://user:password@localhost/x'").is_empty());
    }

    #[test]
    fn generic_assignments_need_entropy_and_no_env_fallback() {
        assert_eq!(
            kinds("const awsSecret = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vM3pLk2\";"),
            vec!["generic-assignment"]
        );
        assert!(kinds("const jwtSecret = process.env.JWT_SECRET || 'superSecret9x'").is_empty());
        assert!(kinds("password = \"changeme\"").is_empty());
        assert!(kinds("const tokenField = 'access_token_value'").is_empty());
        assert!(kinds("tokenURL: 'https://github.com/login/oauth2/token9'").is_empty());
        assert!(kinds("url = 'postgres://postgres:postgres@web-db:5432/dev'").is_empty());
    }

    #[test]
    fn prefilter_selects_lines() {
        assert_eq!(
            candidate_lines("a\nb\nmy Token x\n\nAKIA and secret\n"),
            vec![2, 4]
        );
        assert!(candidate_lines("nothing to see\n").is_empty());
    }

    #[test]
    fn redaction_keeps_four_chars() {
        let (r, fp) = redact("sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f");
        assert_eq!(r, "sk_l…(32 chars)");
        assert_eq!(fp.len(), 16);
    }
}
