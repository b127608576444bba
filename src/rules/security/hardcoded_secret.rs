//! `hardcoded-secret`, per site: no credential literal in source or config.
//! Every finding is redacted (first four characters, length, fingerprint).
//! Candidates in test code are reported at lower risk, not dropped.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

/// Risk of a credential that only test code holds.
const TEST_RISK: u8 = 2;

pub fn check(facts: &Facts) -> Outcome {
    let bad = facts
        .secrets
        .iter()
        .map(|s| {
            let note = format!("{} {} (fingerprint {})", s.kind, s.redacted, s.fingerprint);
            let mut finding = Finding::at(&s.location, format!("credential literal: {note}"));
            if s.in_test {
                finding.risk = Some(TEST_RISK);
                finding.message.push_str(" [test code]");
            }
            (Evidence::at(&s.location, note), finding)
        })
        .collect();
    Outcome::sites(Vec::new(), bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Location, SecretCandidate};
    use crate::rules::Status;

    #[test]
    fn each_candidate_is_a_redacted_finding() {
        assert_eq!(check(&Facts::default()).status, Status::Pass);
        let f = Facts {
            secrets: vec![SecretCandidate {
                location: Location::new("c.js", 2),
                kind: "stripe-live-key",
                redacted: "sk_l…(32 chars)".into(),
                fingerprint: "0011".into(),
                in_test: true,
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings[0].risk, Some(TEST_RISK));
        assert!(out.findings[0].message.contains("sk_l…(32 chars)"));
    }
}
