//! `pii-in-logs`, per site: a logging call whose arguments name a password,
//! token, secret, email, SSN, card number, phone or postal address writes
//! that data to log storage, where retention and access are far looser than
//! the database's. Only identifiers in code count ("password reset sent"
//! names nothing; `user.email` or `f"{token}"` does); counts and flags about
//! the data (`max_tokens`, `emailSent`) and network addresses do not.
//! not applicable when no logging call names such data and no logging is seen.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if facts.pii_logs.is_empty() {
        let logs = facts.practices.iter().any(|p| {
            matches!(
                p.kind,
                crate::facts::PracticeKind::StructuredLog | crate::facts::PracticeKind::PlainLog
            )
        });
        return if logs {
            Outcome::sites(Vec::new(), Vec::new())
        } else {
            Outcome::not_applicable("no logging found in production code")
        };
    }
    let bad = facts
        .pii_logs
        .iter()
        .map(|p| {
            let note = match &p.note {
                Some(how) => format!(
                    "log call writes `{}` whole: {how} ({} data)",
                    p.field, p.category
                ),
                None => format!("log call writes `{}` ({} data)", p.field, p.category),
            };
            (
                Evidence::at(&p.location, &note),
                Finding::at(&p.location, note),
            )
        })
        .collect();
    Outcome::sites(Vec::new(), bad)
}
