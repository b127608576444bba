//! `hardcoded-secret`, per site: no credential literal in source or config.
//! Every finding is redacted (first four characters, length, fingerprint).
//! Nothing found is dropped for where it is; the risk follows where the
//! credential can reach: test code and fixtures (risk 2), local-development
//! and CI-only credentials (risk 3, "dev/CI scope"), test-mode provider keys
//! (risk 3), anything else at the rule's own risk.
//! A secrets manager in use is shown as evidence, whatever the status.

use crate::facts::Scope;
use crate::facts::{Facts, SecretCandidate, SecretScope};
use crate::rules::{Evidence, Finding, Outcome};

/// Risk of a credential that only test code holds.
const TEST_RISK: u8 = 2;
/// Risk of a credential that only reaches a developer's machine or CI, or
/// of a provider's test-mode key (Stripe `sk_test_`): it moves no money and
/// reaches no production data, but it is still somebody's account.
const DEV_CI_RISK: u8 = 3;

/// Lowered risk and the words that say why.
fn scope_of(s: &SecretCandidate) -> Option<(u8, &'static str)> {
    match s.scope {
        SecretScope::Test => Some((TEST_RISK, "[test code]")),
        SecretScope::DevCi => Some((DEV_CI_RISK, "[dev/CI scope]")),
        SecretScope::Production if s.kind == "stripe-test-key" => {
            Some((DEV_CI_RISK, "[test-mode key]"))
        }
        SecretScope::Production => None,
    }
}

/// Scopes where an unverified credential-shaped value is listed: code and
/// configuration that run or ship. In tests, examples, docs, generated and
/// vendored files such values are nearly always fixtures and samples; they
/// are counted in one line, not listed. Verified formats are listed anywhere.
fn listed_anywhere(scope: Scope) -> bool {
    !matches!(
        scope,
        Scope::Test | Scope::Example | Scope::Docs | Scope::Generated | Scope::Vendored
    )
}

pub fn check(facts: &Facts) -> Outcome {
    let mut summarised: std::collections::BTreeMap<Scope, usize> = Default::default();
    let bad = facts
        .secrets
        .iter()
        .filter(|s| {
            let scope = facts
                .scope_of(&s.location.path)
                .map_or(Scope::Unknown, |x| x.0);
            let listed = s.verified || listed_anywhere(scope);
            if !listed {
                *summarised.entry(scope).or_default() += 1;
            }
            listed
        })
        .map(|s| {
            let note = format!("{} {} (fingerprint {})", s.kind, s.redacted, s.fingerprint);
            let mut finding = Finding::at(&s.location, format!("credential literal: {note}"));
            finding.fingerprint = Some(s.fingerprint.clone());
            if let Some((risk, why)) = scope_of(s) {
                finding.risk = Some(risk);
                finding.message.push(' ');
                finding.message.push_str(why);
            }
            (Evidence::at(&s.location, note), finding)
        })
        .collect();
    let mut outcome = Outcome::sites(Vec::new(), bad);
    // Positive evidence, not clean sites: it says how secrets are meant to
    // reach the app, not that a site is clean.
    outcome
        .evidence
        .extend(facts.secret_managers.iter().map(|m| {
            Evidence::at(
                &m.location,
                format!("secrets manager in use: {}", m.manager),
            )
        }));
    if !summarised.is_empty() {
        let parts: Vec<String> = summarised
            .iter()
            .map(|(scope, n)| format!("{n} in {} files", scope.id()))
            .collect();
        outcome.evidence.push(Evidence::note(format!(
            "not listed: unverified credential-shaped values in files that do not run in the \
             service ({}); verified provider keys are listed wherever they are",
            parts.join(", ")
        )));
    }
    if !facts.secret_exclusions.is_empty() {
        let mut by_row: std::collections::BTreeMap<&str, usize> = Default::default();
        for x in &facts.secret_exclusions {
            *by_row.entry(x.row).or_default() += 1;
        }
        let parts: Vec<String> = by_row.iter().map(|(r, n)| format!("{n} {r}")).collect();
        outcome.evidence.push(Evidence::note(format!(
            "not credentials (rules/secret-exclusions.toml): {}",
            parts.join(", ")
        )));
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Location, SecretsManagerUse};
    use crate::rules::Status;

    fn candidate(kind: &'static str, scope: SecretScope) -> SecretCandidate {
        SecretCandidate {
            location: Location::new("c.js", 2),
            kind,
            verified: crate::facts::secrets::verified_kind(kind),
            redacted: "sk_l…(32 chars)".into(),
            fingerprint: "0011".into(),
            scope,
        }
    }

    #[test]
    fn each_candidate_is_a_redacted_finding() {
        assert_eq!(check(&Facts::default()).status, Status::Pass);
        let f = Facts {
            secrets: vec![candidate("stripe-live-key", SecretScope::Test)],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings[0].risk, Some(TEST_RISK));
        assert!(out.findings[0].message.contains("sk_l…(32 chars)"));
        assert_eq!(out.findings[0].fingerprint.as_deref(), Some("0011"));
    }

    #[test]
    fn risk_follows_scope_and_mode() {
        let risks = |c: SecretCandidate| {
            let out = check(&Facts {
                secrets: vec![c],
                ..Facts::default()
            });
            (out.findings[0].risk, out.findings[0].message.clone())
        };
        assert_eq!(
            risks(candidate("stripe-live-key", SecretScope::Production)).0,
            None
        );
        let (risk, msg) = risks(candidate("generic-assignment", SecretScope::DevCi));
        assert_eq!(risk, Some(DEV_CI_RISK));
        assert!(msg.contains("dev/CI scope"));
        let (risk, msg) = risks(candidate("stripe-test-key", SecretScope::Production));
        assert_eq!(risk, Some(DEV_CI_RISK));
        assert!(msg.contains("test-mode"));
    }

    #[test]
    fn secrets_managers_are_evidence_not_sites() {
        let f = Facts {
            secret_managers: vec![SecretsManagerUse {
                location: Location::new("app.py", 3),
                manager: "AWS Secrets Manager",
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.clean_sites, Some(0));
        assert!(out.evidence[0].note.contains("AWS Secrets Manager"));
    }

    #[test]
    fn unverified_values_in_tests_are_counted_verified_ones_listed() {
        let file = |path: &str, scope| crate::facts::FileRecord {
            path: path.into(),
            kind: crate::inventory::classify(path),
            is_test: scope == Scope::Test,
            lines: 1,
            scope,
            scope_reason: String::new(),
        };
        let at = |kind, path: &str| SecretCandidate {
            location: Location::new(path, 1),
            ..candidate(kind, SecretScope::Test)
        };
        let f = Facts {
            files: vec![
                file("src/app.js", Scope::Server),
                file("tests/a.test.js", Scope::Test),
            ],
            secrets: vec![
                at("generic-assignment", "tests/a.test.js"),
                at("github-token", "tests/a.test.js"),
                at("generic-assignment", "src/app.js"),
            ],
            ..Facts::default()
        };
        let out = check(&f);
        let listed: Vec<_> = out.findings.iter().map(|x| x.message.clone()).collect();
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed[0].contains("github-token"));
        assert!(
            out.evidence
                .iter()
                .any(|e| e.note.contains("not listed") && e.note.contains("1 in test files"))
        );
    }
}
