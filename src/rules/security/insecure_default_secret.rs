//! `insecure-default-secret`, per site: a credential read from the
//! environment must not fall back to a literal. Kept apart from
//! `hardcoded-secret` so that one keeps meaning "a real-looking credential is
//! in the repository"; this one means "the app runs with a known secret when
//! a variable is missing".

use crate::facts::{Facts, SecretScope};
use crate::rules::{Evidence, Finding, Outcome};

/// Risk of a default that only test code holds.
const TEST_RISK: u8 = 2;

pub fn check(facts: &Facts) -> Outcome {
    let bad = facts
        .insecure_defaults
        .iter()
        .map(|d| {
            let note = format!(
                "{} falls back to {} (fingerprint {})",
                d.variable, d.redacted, d.fingerprint
            );
            let mut finding = Finding::at(&d.location, format!("insecure default: {note}"));
            finding.fingerprint = Some(d.fingerprint.clone());
            match d.scope {
                SecretScope::Test => {
                    finding.risk = Some(TEST_RISK);
                    finding.message.push_str(" [test code]");
                }
                SecretScope::DevCi => finding.message.push_str(" [dev/CI scope]"),
                SecretScope::Production => {}
            }
            (Evidence::at(&d.location, note), finding)
        })
        .collect();
    Outcome::sites(Vec::new(), bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{InsecureDefault, Location};
    use crate::rules::Status;

    #[test]
    fn each_default_is_a_redacted_finding() {
        assert_eq!(check(&Facts::default()).status, Status::Pass);
        let f = Facts {
            insecure_defaults: vec![InsecureDefault {
                location: Location::new("src/config.js", 7),
                variable: "JWT_SECRET".into(),
                redacted: "supe…(11 chars)".into(),
                fingerprint: "00aa".into(),
                scope: SecretScope::Production,
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings[0].risk, None);
        assert!(
            out.findings[0]
                .message
                .contains("JWT_SECRET falls back to supe…(11 chars)")
        );
    }
}
