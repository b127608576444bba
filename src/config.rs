//! `.graduate.toml`: parsed and validated once into a typed value before any
//! scanning. Unknown keys, unknown rule ids and out-of-range scores are errors
//! that name the key (exit 2), never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    /// Rule ids to turn off.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Per-rule overrides.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverride>,
    /// Graduation-pressure thresholds (docs/pressure.md).
    #[serde(default)]
    pub pressure: crate::pressure::Thresholds,
    /// Secret findings to accept.
    #[serde(default)]
    pub secrets: SecretsConfig,
}

/// `[secrets]`: `allow = ["<fingerprint>", …]` accepts a secret wherever it
/// appears (a rotated key kept in a fixture, a public test-mode key). The
/// fingerprint is the one every report shows; the secret itself never goes
/// into the config.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    #[serde(default)]
    pub allow: Vec<String>,
}

/// Length of a fingerprint as reports show it: 8 bytes of SHA-256 in hex.
pub const FINGERPRINT_LEN: usize = 16;

#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    pub enabled: Option<bool>,
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
        Config::parse(&text).map_err(|m| err(&path, m))
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if let Some(f) = self.fail_under
            && f > 100
        {
            return Err(format!("`fail-under` must be 0–100, got {f}"));
        }
        for id in &self.disable {
            if !rules::CATALOGUE.contains(&id.as_str()) {
                return Err(format!(
                    "`disable`: unknown rule `{id}` (see `graduate rules`)"
                ));
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

    /// Whether a finding's fingerprint is allowlisted.
    pub fn secret_allowed(&self, fingerprint: &str) -> bool {
        self.secrets
            .allow
            .iter()
            .any(|a| a.eq_ignore_ascii_case(fingerprint))
    }

    pub fn enabled(&self, id: &str) -> bool {
        !self.disable.iter().any(|d| d == id)
            && self.rules.get(id).and_then(|o| o.enabled).unwrap_or(true)
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
        assert!(c.secret_allowed("056b7fe47141b6e4"));
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
}
