//! Waivers: every way a user silences a finding, as one accountable model.
//!
//! Inline `graduate:allow` comments, `[[waivers]]` and `disable` entries in
//! `.graduate.toml`, and `[secrets] allow` fingerprints all become a
//! [`Waiver`]: a rule, a scope (one site, a path glob, a finding's
//! fingerprint, or a whole app), a reason, an owner and an expiry date. The
//! model exists because silence is where readiness debt hides: the users of
//! every comparable tool ask for reasons next to exemptions, expiring
//! suppressions and one place that lists them (docs/waivers.md). So a
//! waiver is never silent itself: the report lists every one, and the
//! `waiver-hygiene` check turns a waiver without a reason, an expired one,
//! one that matches nothing and one for an unknown rule into debt items with
//! the `path:line` where the waiver is written.
//!
//! A waiver without a reason stays in force (existing configurations keep
//! working) but is a finding; an expired waiver is out of force, so the
//! finding it hid comes back, marked. Dates are plain `YYYY-MM-DD`, compared
//! with the scan date in UTC (`SOURCE_DATE_EPOCH` pins it).

use serde::Serialize;

use crate::safe_text::SafeText;

/// Where a waiver is written, which decides SARIF's suppression `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A `graduate:allow` comment next to the code.
    Inline,
    /// A `[[waivers]]` entry of the configuration.
    Config,
    /// A `disable` entry (or `[rules.X] enabled = false`): the rule is off.
    Disable,
    /// A `[secrets] allow` fingerprint.
    SecretsAllow,
}

impl Source {
    /// SARIF `suppression.kind`: written in the source, or outside it.
    pub fn sarif_kind(self) -> &'static str {
        match self {
            Source::Inline => "inSource",
            _ => "external",
        }
    }
}

/// What a waiver covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The line of an inline allow and the line after it.
    Site { path: String, line: u32 },
    /// Every finding of the rule in files matching a glob.
    Path(String),
    /// The one finding with this fingerprint (content, legacy or secret).
    Fingerprint(String),
    /// Every finding of the rule in an app, by the app's root (`.` is the
    /// whole repository). With one app per scan, an app other than `.`
    /// covers the findings under its folder.
    App(String),
}

impl Scope {
    pub fn describe(&self) -> String {
        match self {
            Scope::Site { path, line } => format!("site {path}:{line}"),
            Scope::Path(glob) => format!("path {glob}"),
            Scope::Fingerprint(fp) => format!("fingerprint {fp}"),
            Scope::App(root) if root == "." => "whole app".to_string(),
            Scope::App(root) => format!("app {root}"),
        }
    }
}

/// One waiver, wherever it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    pub scope: Scope,
    pub reason: Option<String>,
    pub owner: Option<String>,
    /// `YYYY-MM-DD` as written; see [`Waiver::expiry_problem`].
    pub expires: Option<String>,
    pub source: Source,
    /// Where it is written: the comment's line, or the config entry's.
    pub path: String,
    pub line: u32,
}

/// Its state after the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// In force and hiding at least one finding (or turning a rule off).
    Active,
    /// In force, but nothing matched it.
    Unused,
    /// Past its date: what it hid is reported again.
    Expired,
    /// Names a rule graduate does not have.
    UnknownRule,
    /// `--no-waivers`: listed, not applied.
    Ignored,
}

impl Status {
    pub fn id(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Unused => "unused",
            Status::Expired => "expired",
            Status::UnknownRule => "unknown-rule",
            Status::Ignored => "ignored",
        }
    }
}

impl Waiver {
    /// Whether the expiry date has passed on `today` (`YYYY-MM-DD`). An
    /// expiry that is not a date counts as passed: a waiver whose end
    /// cannot be read cannot be trusted to have one.
    pub fn expired(&self, today: &str) -> bool {
        match &self.expires {
            Some(d) => !is_date(d) || d.as_str() < today,
            None => false,
        }
    }

    /// Covers a finding of `rule` at `loc` with these fingerprints.
    pub fn covers(&self, rule: &str, loc: Option<(&str, u32)>, fingerprints: &[&str]) -> bool {
        if self.rule != rule {
            return false;
        }
        match &self.scope {
            Scope::Site { path, line } => {
                loc.is_some_and(|(p, l)| p == path && (l == *line || l == line + 1))
            }
            Scope::Path(glob) => loc.is_some_and(|(p, _)| glob_matches(glob, p)),
            Scope::Fingerprint(fp) => fingerprints.iter().any(|f| f.eq_ignore_ascii_case(fp)),
            Scope::App(root) => {
                root == "." || loc.is_some_and(|(p, _)| under(p, root.trim_end_matches('/')))
            }
        }
    }

    /// Turns the whole rule off (a `disable` entry for the whole app).
    pub fn disables(&self) -> bool {
        self.source == Source::Disable && self.scope == Scope::App(".".into())
    }
}

fn under(path: &str, root: &str) -> bool {
    path.strip_prefix(root)
        .is_some_and(|rest| rest.starts_with('/'))
}

fn glob_matches(glob: &str, path: &str) -> bool {
    globset::GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher().is_match(path))
        .unwrap_or(false)
}

/// Whether a path glob compiles (checked when the config is read).
pub fn valid_glob(glob: &str) -> bool {
    globset::Glob::new(glob).is_ok()
}

/// `YYYY-MM-DD` with a month 1–12 and a day 1–31.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| s[r].parse::<u32>().unwrap_or(0))
    };
    matches!(
        (digits(0..4), digits(5..7), digits(8..10)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

/// Punctuation that ends a sentence or a code span after a date.
const TRAILING: [char; 7] = [',', ';', ')', '.', '`', '"', '\''];

/// What an inline comment says after `graduate:allow`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineText {
    pub rule: String,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<String>,
}

/// Reads `RULE reason… owner=@x expires=YYYY-MM-DD` (the rest of the line
/// after the marker). `until YYYY-MM-DD` and `until=YYYY-MM-DD` are read as
/// `expires`: people write both, and an expiry silently taken for reason
/// text is exactly the failure this model exists to stop. Comment closers
/// (`*/`, `-->`) and a leading `:`/`--` separator are not part of the reason.
pub fn parse_inline(rest: &str) -> Option<InlineText> {
    let rest = rest.trim();
    let rest = rest
        .strip_suffix("-->")
        .or_else(|| rest.strip_suffix("*/"))
        .unwrap_or(rest);
    let mut words = rest.split_whitespace().peekable();
    let rule = words.next()?.trim_end_matches([':', ',']).to_string();
    // A rule id is lowercase kebab-case: `graduate:allow RULE` in a doc
    // comment, or the marker inside a string or a regex, is not a waiver.
    if !rule.starts_with(|c: char| c.is_ascii_lowercase())
        || !rule
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    let (mut reason, mut owner, mut expires) = (Vec::new(), None, None);
    while let Some(w) = words.next() {
        if let Some(o) = w.strip_prefix("owner=") {
            owner = Some(o.to_string());
        } else if let Some(d) = w
            .strip_prefix("expires=")
            .or_else(|| w.strip_prefix("until="))
        {
            expires = Some(d.trim_end_matches(TRAILING).to_string());
        } else if w.eq_ignore_ascii_case("until")
            && let Some(d) = words.peek()
            && is_date(d.trim_end_matches(TRAILING))
        {
            expires = Some(d.trim_end_matches(TRAILING).to_string());
            words.next();
        } else if !(reason.is_empty() && matches!(w, "--" | "—" | "-" | ":")) {
            reason.push(w);
        }
    }
    let reason = reason.join(" ");
    let reason = reason.trim_end_matches([',', ';']).trim();
    Some(InlineText {
        rule,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        owner,
        expires,
    })
}

/// One waiver as every format lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaiverEntry {
    pub rule: SafeText,
    pub source: Source,
    /// Where the waiver is written.
    pub path: SafeText,
    pub line: u32,
    /// What it covers: `site a.go:12`, `path src/legacy/**`,
    /// `fingerprint 0a1b…`, `whole app`.
    pub scope: SafeText,
    pub reason: Option<SafeText>,
    pub owner: Option<SafeText>,
    pub expires: Option<SafeText>,
    /// Not known: graduate does not run `git blame` (docs/waivers.md).
    pub created: Option<SafeText>,
    pub status: Status,
    /// Findings it hides (for a disabled rule: the findings the rule has).
    pub hides: usize,
    /// The problems that make it a `waiver-hygiene` finding.
    pub problems: Vec<SafeText>,
}

impl WaiverEntry {
    pub fn location(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }

    /// "rule at path:line — reason (owner, until date)" for one-line lists.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} {} ({}) — {}",
            self.rule,
            self.scope,
            self.status.id(),
            self.reason.as_deref().unwrap_or("NO REASON GIVEN")
        );
        let mut who = Vec::new();
        if let Some(o) = &self.owner {
            who.push(o.to_string());
        }
        if let Some(e) = &self.expires {
            who.push(format!("until {e}"));
        }
        if !who.is_empty() {
            s.push_str(&format!(" [{}]", who.join(", ")));
        }
        s
    }
}

/// The score with and without the waivers, when there are waivers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct WaiverEffect {
    /// The score with the waivers in force.
    pub score_with: Option<u32>,
    /// The score as if nothing were waived (`--no-waivers`).
    pub score_without: Option<u32>,
    /// Waivers in force that hide something or turn a rule off.
    pub active: usize,
    /// `--no-waivers` was given: the report's score is `score_without`.
    pub ignored: bool,
}

impl WaiverEffect {
    /// "64, 51 without 3 waivers"; `None` when the waivers change nothing.
    pub fn sentence(&self) -> Option<String> {
        let (with, without) = (self.score_with?, self.score_without?);
        if with == without {
            return None;
        }
        let n = self.active;
        let plural = if n == 1 { "" } else { "s" };
        Some(if self.ignored {
            format!("{without} with waivers ignored, {with} with {n} waiver{plural}")
        } else {
            format!("{with}, {without} without {n} waiver{plural}")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_reads_reason_owner_and_expiry() {
        let t = parse_inline(
            " outbound-timeout vendor SDK retries itself owner=@alice expires=2026-12-31 */",
        )
        .unwrap();
        assert_eq!(t.rule, "outbound-timeout");
        assert_eq!(t.reason.as_deref(), Some("vendor SDK retries itself"));
        assert_eq!(t.owner.as_deref(), Some("@alice"));
        assert_eq!(t.expires.as_deref(), Some("2026-12-31"));
        let t = parse_inline("pii-in-logs -- audit log, until 2020-01-01").unwrap();
        assert_eq!(t.reason.as_deref(), Some("audit log"));
        assert_eq!(t.expires.as_deref(), Some("2020-01-01"));
        // "until" not followed by a date is reason text.
        let t = parse_inline("retry-storm wait until the rewrite").unwrap();
        assert_eq!(t.reason.as_deref(), Some("wait until the rewrite"));
        assert_eq!(t.expires, None);
        let t = parse_inline("outbound-timeout -->").unwrap();
        assert_eq!(t.reason, None);
        assert!(parse_inline("   ").is_none());
        // Placeholders, code and regexes around the marker are not waivers.
        for not_a_rule in ["RULE reason", "` …", "\");", "…` x"] {
            assert_eq!(parse_inline(not_a_rule), None, "{not_a_rule}");
        }
        let t = parse_inline("no-such-rule typo expires=2026-12-31`.").unwrap();
        assert_eq!(t.expires.as_deref(), Some("2026-12-31"));
    }

    fn waiver(scope: Scope, expires: Option<&str>) -> Waiver {
        Waiver {
            rule: "outbound-timeout".into(),
            scope,
            reason: Some("r".into()),
            owner: None,
            expires: expires.map(str::to_string),
            source: Source::Config,
            path: ".graduate.toml".into(),
            line: 1,
        }
    }

    #[test]
    fn scopes_cover_what_they_say() {
        let site = waiver(
            Scope::Site {
                path: "a.go".into(),
                line: 3,
            },
            None,
        );
        assert!(site.covers("outbound-timeout", Some(("a.go", 3)), &[]));
        assert!(site.covers("outbound-timeout", Some(("a.go", 4)), &[]));
        assert!(!site.covers("outbound-timeout", Some(("a.go", 5)), &[]));
        assert!(!site.covers("retry-storm", Some(("a.go", 3)), &[]));
        let glob = waiver(Scope::Path("src/legacy/**".into()), None);
        assert!(glob.covers("outbound-timeout", Some(("src/legacy/x/a.go", 9)), &[]));
        assert!(!glob.covers("outbound-timeout", Some(("src/a.go", 9)), &[]));
        let fp = waiver(Scope::Fingerprint("ABCDEF0123456789".into()), None);
        assert!(fp.covers("outbound-timeout", None, &["abcdef0123456789"]));
        let app = waiver(Scope::App("services/api".into()), None);
        assert!(app.covers("outbound-timeout", Some(("services/api/a.go", 1)), &[]));
        assert!(!app.covers("outbound-timeout", Some(("services/api2/a.go", 1)), &[]));
        assert!(!app.covers("outbound-timeout", None, &[]));
    }

    #[test]
    fn expiry_is_a_date_compared_with_today() {
        assert!(waiver(Scope::App(".".into()), Some("2020-01-01")).expired("2026-11-30"));
        assert!(!waiver(Scope::App(".".into()), Some("2026-11-30")).expired("2026-11-30"));
        assert!(!waiver(Scope::App(".".into()), None).expired("2026-11-30"));
        assert!(waiver(Scope::App(".".into()), Some("next year")).expired("2026-11-30"));
        assert!(!is_date("2026-13-01"));
        assert!(is_date("2026-02-28"));
    }

    #[test]
    fn effect_sentence_names_both_scores() {
        let e = WaiverEffect {
            score_with: Some(64),
            score_without: Some(51),
            active: 3,
            ignored: false,
        };
        assert_eq!(e.sentence().unwrap(), "64, 51 without 3 waivers");
        let same = WaiverEffect {
            score_without: Some(64),
            ..e.clone()
        };
        assert_eq!(same.sentence(), None);
    }
}
