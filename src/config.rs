//! `.graduate.toml`: parsed and validated once into a typed value before any
//! scanning. Unknown keys, unknown rule ids and out-of-range scores are errors
//! that name the key (exit 2), never silently ignored.
//!
//! Every way the file silences a finding (`disable`, `[[waivers]]`,
//! `[secrets] allow`, `[rules.X] enabled = false`) is read into a
//! [`crate::waivers::Waiver`] with the line it is written on, so a waiver
//! without a reason, or past its date, is a finding that points at that line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::bounded_read::{self, ReadError};
use crate::error::ScanError;
use crate::rules;

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Exit 1 when the readiness score is below this.
    pub fail_under: Option<u8>,
    /// Extra globs (relative to the root) to leave out of the walk.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Exit 1 when the scan has findings that `--baseline` does not.
    pub fail_on_new: Option<bool>,
    /// Exit 1 when the score falls by more than this against `--baseline`.
    pub fail_on_drop: Option<u32>,
    /// Rules to turn off: an id, or `{ rule, reason, owner, expires }`.
    #[serde(default)]
    pub disable: Vec<Spanned<DisableEntry>>,
    /// `[[waivers]]`: accepted findings, each with its reason.
    #[serde(default)]
    pub waivers: Vec<Spanned<WaiverConfig>>,
    /// Per-rule overrides.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverride>,
    /// Graduation-pressure thresholds (docs/pressure.md).
    #[serde(default)]
    pub pressure: crate::pressure::Thresholds,
    /// Secret findings to accept.
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// Where the config was read from, as waiver findings cite it.
    #[serde(skip)]
    pub source: String,
    /// Offset of each line's first byte in the config text, for the line
    /// of each waiver entry.
    #[serde(skip)]
    line_starts: Vec<usize>,
}

/// A `disable` entry: a bare rule id (no reason: a `waiver-hygiene`
/// finding) or a table that says why.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DisableEntry {
    Id(String),
    Explained(Accountability),
}

/// `{ rule = "runbook", reason = "…", owner = "@x", expires = "2026-12-31" }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accountability {
    pub rule: String,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<String>,
}

impl DisableEntry {
    pub fn rule(&self) -> &str {
        match self {
            DisableEntry::Id(id) => id,
            DisableEntry::Explained(a) => &a.rule,
        }
    }
}

/// One `[[waivers]]` entry. At most one of `path` (a glob), `fingerprint`
/// and `app` (an app root; `.` by default): without `path` or
/// `fingerprint` it covers every finding of the rule in the app.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverConfig {
    pub rule: String,
    pub path: Option<String>,
    pub fingerprint: Option<String>,
    pub app: Option<String>,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<String>,
}

/// `[secrets]`: `allow = ["<fingerprint>", …]` accepts a secret wherever it
/// appears (a rotated key kept in a fixture, a public test-mode key). The
/// fingerprint is the one every report shows; the secret itself never goes
/// into the config.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    #[serde(default)]
    pub allow: Vec<Spanned<SecretAllow>>,
}

/// A fingerprint, or `{ fingerprint, reason, owner, expires }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum SecretAllow {
    Fingerprint(String),
    Explained {
        fingerprint: String,
        reason: Option<String>,
        owner: Option<String>,
        expires: Option<String>,
    },
}

impl SecretAllow {
    pub fn fingerprint(&self) -> &str {
        match self {
            SecretAllow::Fingerprint(f) | SecretAllow::Explained { fingerprint: f, .. } => f,
        }
    }
}

/// Length of a fingerprint as reports show it: 8 bytes of SHA-256 in hex.
pub const FINGERPRINT_LEN: usize = 16;

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub enabled: Option<Spanned<bool>>,
    /// Why `enabled = false` (a disabled rule is a waiver).
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<String>,
    pub impact: Option<u8>,
    pub risk: Option<u8>,
    pub effort: Option<u8>,
}

pub const FILE_NAME: &str = ".graduate.toml";

/// A configuration file is a few hundred bytes; anything near this is not one.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A TOML error as position and reason, never the offending text: toml's
/// own rendering quotes the line, which may hold a pasted secret (or, read
/// through a link, the runner's environment). The reason itself can quote a
/// value (`invalid type: string "…"`), so it is cleaned like report text.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let reason = crate::safe_text::clean(e.message().trim());
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {reason}")
        }
        None => reason,
    }
}

impl Config {
    /// Load `--config FILE` (must exist) or `<root>/.graduate.toml` (optional).
    /// Either is read as a hostile file: a regular file, not through a
    /// symlink, at most [`MAX_CONFIG_BYTES`]; errors never quote its text.
    pub fn load(explicit: Option<&Path>, root: &Path) -> Result<Config, ScanError> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => (root.join(FILE_NAME), false),
        };
        let text = match bounded_read::regular_text(&path, MAX_CONFIG_BYTES) {
            Ok(t) => t,
            Err(ReadError::NotFound) if !required => return Ok(Config::default()),
            Err(e) => return Err(err(&path, format!("cannot read config: {e}"))),
        };
        let mut config = Config::parse(&text).map_err(|m| err(&path, m))?;
        if let Some(p) = explicit {
            config.source = crate::safe_text::clean(&p.to_string_lossy().replace('\\', "/"));
        }
        Ok(config)
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        config.validate()?;
        config.source = FILE_NAME.to_string();
        config.line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ok(config)
    }

    /// 1-based line of a byte offset in the config text.
    fn line_of(&self, offset: usize) -> u32 {
        self.line_starts.partition_point(|&s| s <= offset).max(1) as u32
    }

    /// Every waiver the configuration declares, with its line.
    pub fn waivers(&self) -> Vec<crate::waivers::Waiver> {
        use crate::waivers::{Scope, Source, Waiver};
        let at = |span: std::ops::Range<usize>| self.line_of(span.start);
        let mut out = Vec::new();
        let whole_app = || Scope::App(".".into());
        for d in &self.disable {
            let (reason, owner, expires) = match d.get_ref() {
                DisableEntry::Id(_) => (None, None, None),
                DisableEntry::Explained(a) => {
                    (a.reason.clone(), a.owner.clone(), a.expires.clone())
                }
            };
            out.push(Waiver {
                rule: d.get_ref().rule().to_string(),
                scope: whole_app(),
                reason: reason.filter(|r| !r.trim().is_empty()),
                owner,
                expires,
                source: Source::Disable,
                path: self.source.clone(),
                line: at(d.span()),
            });
        }
        for (id, o) in &self.rules {
            if let Some(enabled) = &o.enabled
                && !*enabled.get_ref()
            {
                let line = at(enabled.span());
                out.push(Waiver {
                    rule: id.clone(),
                    scope: whole_app(),
                    reason: o.reason.clone().filter(|r| !r.trim().is_empty()),
                    owner: o.owner.clone(),
                    expires: o.expires.clone(),
                    source: Source::Disable,
                    path: self.source.clone(),
                    line,
                });
            }
        }
        for w in &self.waivers {
            let c = w.get_ref();
            let scope = match (&c.path, &c.fingerprint) {
                (Some(glob), _) => Scope::Path(glob.clone()),
                (None, Some(fp)) => Scope::Fingerprint(fp.clone()),
                (None, None) => Scope::App(c.app.clone().unwrap_or_else(|| ".".into())),
            };
            out.push(Waiver {
                rule: c.rule.clone(),
                scope,
                reason: c.reason.clone().filter(|r| !r.trim().is_empty()),
                owner: c.owner.clone(),
                expires: c.expires.clone(),
                source: Source::Config,
                path: self.source.clone(),
                line: at(w.span()),
            });
        }
        for a in &self.secrets.allow {
            let (reason, owner, expires) = match a.get_ref() {
                SecretAllow::Fingerprint(_) => (None, None, None),
                SecretAllow::Explained {
                    reason,
                    owner,
                    expires,
                    ..
                } => (reason.clone(), owner.clone(), expires.clone()),
            };
            out.push(Waiver {
                rule: "hardcoded-secret".into(),
                scope: Scope::Fingerprint(a.get_ref().fingerprint().to_string()),
                reason: reason.filter(|r| !r.trim().is_empty()),
                owner,
                expires,
                source: Source::SecretsAllow,
                path: self.source.clone(),
                line: at(a.span()),
            });
        }
        out
    }

    fn validate(&self) -> Result<(), String> {
        if let Some(f) = self.fail_under
            && f > 100
        {
            return Err(format!("`fail-under` must be 0–100, got {f}"));
        }
        if let Some(d) = self.fail_on_drop
            && d > 100
        {
            return Err(format!("`fail-on-drop` must be 0–100, got {d}"));
        }
        for d in &self.disable {
            let id = d.get_ref().rule();
            if !rules::CATALOGUE.contains(&id) {
                return Err(format!(
                    "`disable`: unknown rule `{id}` (see `graduate rules`)"
                ));
            }
        }
        // Named by key, never echoed: a pasted value could be anything.
        let mut dates: Vec<(String, &str)> = Vec::new();
        for (i, d) in self.disable.iter().enumerate() {
            if let DisableEntry::Explained(a) = d.get_ref()
                && let Some(e) = &a.expires
            {
                dates.push((format!("disable[{i}].expires"), e));
            }
        }
        for (i, w) in self.waivers.iter().enumerate() {
            if let Some(e) = &w.get_ref().expires {
                dates.push((format!("waivers[{i}].expires"), e));
            }
        }
        for (id, o) in &self.rules {
            if let Some(e) = &o.expires {
                dates.push((format!("rules.{id}.expires"), e));
            }
        }
        for (i, a) in self.secrets.allow.iter().enumerate() {
            if let SecretAllow::Explained {
                expires: Some(e), ..
            } = a.get_ref()
            {
                dates.push((format!("secrets.allow[{i}].expires"), e));
            }
        }
        for (key, d) in dates {
            if !crate::waivers::is_date(d) {
                return Err(format!("`{key}` is not a date: write YYYY-MM-DD"));
            }
        }
        for (i, w) in self.waivers.iter().enumerate() {
            let w = w.get_ref();
            if !rules::CATALOGUE.contains(&w.rule.as_str()) {
                return Err(format!(
                    "`waivers[{i}]`: unknown rule `{}` (see `graduate rules`)",
                    crate::safe_text::clean(&w.rule)
                ));
            }
            let scopes = [w.path.is_some(), w.fingerprint.is_some(), w.app.is_some()];
            if scopes.iter().filter(|s| **s).count() > 1 {
                return Err(format!(
                    "`waivers[{i}]`: give one of `path`, `fingerprint` or `app`"
                ));
            }
            if let Some(glob) = &w.path
                && !crate::waivers::valid_glob(glob)
            {
                return Err(format!("`waivers[{i}].path` is not a glob"));
            }
        }
        for (id, o) in &self.rules {
            if !rules::CATALOGUE.contains(&id.as_str()) {
                return Err(format!(
                    "`rules.{id}`: unknown rule `{id}` (see `graduate rules`)"
                ));
            }
            for (key, v) in [("impact", o.impact), ("risk", o.risk), ("effort", o.effort)] {
                if let Some(v) = v
                    && !(1..=5).contains(&v)
                {
                    return Err(format!("`rules.{id}.{key}` must be 1–5, got {v}"));
                }
            }
        }
        let t = &self.pressure;
        for (key, v) in [
            ("contributors", t.contributors),
            ("commits-per-week", t.commits_per_week),
            ("growth-percent", t.growth_percent),
            ("fixes-per-week", t.fixes_per_week),
            ("integrations", t.integrations),
            ("personal-data-kinds", t.personal_data_kinds),
        ] {
            // TOML has `nan` and `inf`; a threshold must be a number a
            // signal can reach.
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "`pressure.{key}` must be a finite number ≥ 0, got {v}"
                ));
            }
        }
        for (i, fp) in self.secrets.allow.iter().enumerate() {
            let fp = fp.get_ref().fingerprint();
            // Never echo the entry: a user may have pasted the secret itself.
            if fp.len() != FINGERPRINT_LEN || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "`secrets.allow[{i}]` is not a fingerprint: expected {FINGERPRINT_LEN} hex \
                     characters as shown in the report (never the secret itself)"
                ));
            }
        }
        Ok(())
    }

    /// Whether the configuration turns a rule off (expired or not; the
    /// scan decides whether the waiver is in force).
    pub fn enabled(&self, id: &str) -> bool {
        !self.disable.iter().any(|d| d.get_ref().rule() == id)
            && self
                .rules
                .get(id)
                .and_then(|o| o.enabled.as_ref().map(|e| *e.get_ref()))
                .unwrap_or(true)
    }

    /// (impact, risk, effort) for a rule, overrides applied.
    pub fn scores(&self, meta: &rules::RuleMeta) -> (u8, u8, u8) {
        let o = self.rules.get(&meta.id);
        (
            o.and_then(|o| o.impact).unwrap_or(meta.impact),
            o.and_then(|o| o.risk).unwrap_or(meta.risk),
            o.and_then(|o| o.effort).unwrap_or(meta.effort),
        )
    }
}

fn err(path: &Path, message: String) -> ScanError {
    ScanError::Config {
        path: PathBuf::from(path),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_rules_are_errors() {
        assert!(
            Config::parse("fail_under = 3")
                .unwrap_err()
                .contains("fail_under")
        );
        assert!(
            Config::parse("disable = [\"nope\"]")
                .unwrap_err()
                .contains("nope")
        );
        assert!(
            Config::parse("[rules.runbook]\nimpact = 9")
                .unwrap_err()
                .contains("rules.runbook.impact")
        );
        let c = Config::parse(
            "fail-under = 70\ndisable = [\"runbook\"]\n[rules.outbound-timeout]\nrisk = 3\n",
        )
        .unwrap();
        assert!(!c.enabled("runbook"));
        assert_eq!(c.fail_under, Some(70));
    }

    #[test]
    fn secrets_allowlist_takes_fingerprints_only() {
        let c = Config::parse("[secrets]\nallow = [\"056B7FE47141B6E4\"]\n").unwrap();
        let w = c.waivers();
        assert!(w[0].covers("hardcoded-secret", None, &["056b7fe47141b6e4"]));
        let err = Config::parse("[secrets]\nallow = [\"sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f\"]\n")
            .unwrap_err();
        assert!(err.contains("secrets.allow[0]"));
        assert!(!err.contains("sk_live"), "the entry is never echoed");
        assert!(Config::parse("[secrets]\nallow = [\"0011\"]").is_err());
        assert!(Config::parse("[secrets]\ndeny = []").is_err());
    }

    #[test]
    fn errors_never_quote_the_file() {
        // A value of the wrong type: toml's own message would print the line.
        let err = Config::parse("fail-under = \"sk_live_9Tq2WbXr7LmK4vZpN8sHcD3f\"\n").unwrap_err();
        assert!(!err.contains("9Tq2WbXr7LmK4vZpN8sHcD3f"), "{err}");
        assert!(err.starts_with("line 1, column"), "{err}");
        // What /proc/self/environ looks like, read as TOML.
        let err =
            Config::parse("PATH=/usr/bin\0GITHUB_TOKEN=ghs_abcdefghijklmnopqrstuvwxyz0123456789\0")
                .unwrap_err();
        assert!(!err.contains("ghs_"), "{err}");
        assert!(!err.contains("/usr/bin"), "{err}");
    }

    #[test]
    fn pressure_thresholds_must_be_finite_and_non_negative() {
        for bad in ["nan", "inf", "-inf", "-1.0"] {
            let err = Config::parse(&format!("[pressure]\ncontributors = {bad}\n")).unwrap_err();
            assert!(err.contains("pressure.contributors"), "{bad}: {err}");
        }
        assert!(Config::parse("[pressure]\ncontributors = 0.5\n").is_ok());
    }

    /// The configuration example of docs/waivers.md is valid and declares
    /// what it says: each entry a waiver at its own line.
    #[test]
    fn the_documented_waivers_parse() {
        let doc = include_str!("../docs/waivers.md");
        let start = doc.find("```toml\n").unwrap() + 8;
        let toml = &doc[start..start + doc[start..].find("```").unwrap()];
        let c = Config::parse(toml).unwrap();
        let w = c.waivers();
        let described: Vec<String> = w
            .iter()
            .map(|w| format!("{} {} {}", w.rule, w.scope.describe(), w.reason.is_some()))
            .collect();
        assert_eq!(
            described,
            [
                "runbook whole app true",
                "slo-defined whole app false",
                "feature-flags whole app true",
                "structured-logging path scripts/** true",
                "pii-in-logs fingerprint 3e3285d19969a961 true",
                "retry-storm app services/batch true",
                "hardcoded-secret fingerprint 056b7fe47141b6e4 true",
                "hardcoded-secret fingerprint 00112233445566ff false",
            ]
        );
        // Each entry is on its own line of the example: each gets its own.
        let lines: std::collections::BTreeSet<u32> = w.iter().map(|w| w.line).collect();
        assert_eq!(lines.len(), w.len(), "{lines:?}");
        assert!(!c.enabled("runbook") && !c.enabled("feature-flags"));
    }

    #[test]
    fn waiver_entries_are_checked_when_read() {
        for (bad, key) in [
            (
                "[[waivers]]\nrule = \"nope\"\nreason = \"x\"\n",
                "waivers[0]",
            ),
            (
                "[[waivers]]\nrule = \"runbook\"\nexpires = \"soon\"\n",
                "not a date",
            ),
            (
                "[[waivers]]\nrule = \"runbook\"\npath = \"a\"\nfingerprint = \"b\"\n",
                "one of",
            ),
            ("[[waivers]]\nrule = \"runbook\"\nwhy = \"x\"\n", "why"),
            ("fail-on-drop = 101\n", "fail-on-drop"),
        ] {
            let err = Config::parse(bad).unwrap_err();
            assert!(err.contains(key), "{bad}: {err}");
        }
        let c = Config::parse("fail-on-new = true\nfail-on-drop = 5\n").unwrap();
        assert_eq!((c.fail_on_new, c.fail_on_drop), (Some(true), Some(5)));
    }
}
