//! Integration surface and personal data, for graduation pressure: external
//! hosts named in production code, and fields that hold personal data in
//! models and schemas. Cheap line scans behind a literal prefilter.

use std::sync::LazyLock;

use regex::Regex;

use super::Location;

/// An external host named in a URL literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalHost {
    pub host: String,
    pub location: Location,
}

/// A personal-data field in a model or schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiField {
    /// Normalised kind: email, phone, address, birth-date, national-id, card.
    pub kind: &'static str,
    pub location: Location,
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r#"https?://(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,})"#)
});

/// Field declarations: `email: str`, `email = Column(`, `Email string`,
/// `email: { type: String }`, `"email":` in a schema.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?i)^\s*(?:pub\s+)?["']?(?P<name>e_?mail(?:_address)?|phone(?:_?number)?|mobile|(?:street_|home_|billing_|shipping_)?address|dob|date_?of_?birth|birth_?date|birthday|ssn|social_security(?:_number)?|national_id|passport(?:_number)?|card_?number|credit_?card)["']?\s*(?:[:=]|\s+[A-Za-z*\[\]]+(?:\s|$|`))"#,
    )
});

fn kind_of(name: &str) -> &'static str {
    let n = name.to_ascii_lowercase().replace('_', "");
    if n.contains("mail") {
        "email"
    } else if n.contains("phone") || n.contains("mobile") {
        "phone"
    } else if n.contains("address") {
        "address"
    } else if n.contains("birth") || n == "dob" {
        "birth-date"
    } else if n.contains("ssn")
        || n.contains("social")
        || n.contains("national")
        || n.contains("passport")
    {
        "national-id"
    } else {
        "card"
    }
}

/// Hosts that are not integrations: examples, local, schema and doc URLs.
fn ignorable_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.ends_with("example.com")
        || h.ends_with("example.org")
        || h.ends_with(".example")
        || h.contains("localhost")
        || h.ends_with(".local")
        || h.ends_with(".internal")
        || h.ends_with(".test")
        || [
            "w3.org",
            "schema.org",
            "json-schema.org",
            "xmlns.com",
            "github.com",
            "npmjs.com",
            "opensource.org",
            "apache.org",
            "docs.rs",
            "crates.io",
            "rust-lang.org",
            "python.org",
            "mozilla.org",
            "stackoverflow.com",
            "wikipedia.org",
            "golang.org",
            "go.dev",
            "pypi.org",
            "readthedocs.io",
            "githubusercontent.com",
        ]
        .iter()
        .any(|d| {
            h.strip_suffix(d)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
}

/// Literals every match of [`URL`] or [`FIELD`] contains (ASCII case-
/// insensitive); lines without one are never handed to a regex. The secret
/// scan's literal pass finds them along with its own
/// ([`crate::facts::secrets::scan_shared`]).
pub(crate) const PREFILTER_LITERALS: [&str; 12] = [
    "://", "mail", "phone", "mobile", "address", "dob", "birth", "ssn", "social", "national",
    "passport", "card",
];

/// The scan on its own, with its own literal pass.
pub fn scan(path: &str, text: &str) -> (Vec<ExternalHost>, Vec<PiiField>) {
    static PREFILTER: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(PREFILTER_LITERALS)
            .expect("prefilter literals build")
    });
    scan_lines(path, text, &super::lines_matching(&PREFILTER, text))
}

/// Hosts and personal-data fields on `candidates`, the ascending 0-based
/// lines holding one of [`PREFILTER_LITERALS`], each with the byte offset
/// where it starts. Only those lines are read: the literal pass that found
/// them knew where they start, and walking every line of the file to meet
/// them was most of this scan's cost.
pub fn scan_lines(
    path: &str,
    text: &str,
    candidates: &[(usize, usize)],
) -> (Vec<ExternalHost>, Vec<PiiField>) {
    let mut hosts = Vec::new();
    let mut pii = Vec::new();
    if candidates.is_empty() {
        return (hosts, pii);
    }
    let has_url = text.contains("://");
    for &(i, start) in candidates {
        let line = super::line_from(text, start);
        if line.len() > 2000 {
            continue;
        }
        // URLs in comments are documentation, not calls.
        let t = line.trim_start();
        let comment = ["//", "#", "*", "/*", "--"]
            .iter()
            .any(|m| t.starts_with(m));
        if has_url && !comment && line.contains("://") {
            for c in URL.captures_iter(line) {
                let host = c["host"].trim_end_matches('.').to_ascii_lowercase();
                if !ignorable_host(&host) {
                    hosts.push(ExternalHost {
                        host,
                        location: Location::new(path, i as u32 + 1),
                    });
                }
            }
        }
        if let Some(c) = FIELD.captures(line) {
            pii.push(PiiField {
                kind: kind_of(&c["name"]),
                location: Location::new(path, i as u32 + 1),
            });
        }
    }
    (hosts, pii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_fields() {
        let (h, p) = scan(
            "m.py",
            "API = 'https://api.stripe.com/v1'\nDOC = 'https://example.com/x'\nclass User:\n    email: str\n    date_of_birth = Column(Date)\n    name: str\n",
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].host, "api.stripe.com");
        let kinds: Vec<_> = p.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, vec!["email", "birth-date"]);
        let (_, go) = scan(
            "u.go",
            "type User struct {\n\tEmail string `json:\"email\"`\n\tPhone *string\n}\n",
        );
        assert_eq!(go.len(), 2);
    }

    /// The lines the secret scan's shared pass hands over are read as this
    /// scan's own pass reads them: by their start, without a `\r\n`, the
    /// last one without a line break too.
    #[test]
    fn lines_from_the_shared_pass_read_as_our_own() {
        use crate::facts::{FileKind, Lang};
        let text = "const a = 1;\r\nconst u = 'https://api.stripe.com/v1';\r\nemail: string\r\n\r\nfetch('https://hooks.slack.com/x')";
        let own = scan("src/a.ts", text);
        let (_, shared) = crate::facts::secrets::scan_shared(
            "src/a.ts",
            FileKind::Source(Lang::TypeScript),
            false,
            text,
        );
        assert_eq!(shared.integration_lines, [(1, 14), (2, 54), (4, 71)]);
        let hosts: Vec<(&str, u32)> = own
            .0
            .iter()
            .map(|h| (h.host.as_str(), h.location.line))
            .collect();
        assert_eq!(hosts, [("api.stripe.com", 2), ("hooks.slack.com", 5)]);
        assert_eq!(own.1.len(), 1);
        assert_eq!(own.1[0].location.line, 3);
        assert_eq!(scan_lines("src/a.ts", text, &shared.integration_lines), own);
    }
}
