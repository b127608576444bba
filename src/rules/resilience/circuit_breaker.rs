//! `circuit-breaker`: calls to external services go through a circuit
//! breaker (opossum, cockatiel, pybreaker, gobreaker, hystrix-go, failsafe),
//! so a dependency that is down fails fast instead of tying up every worker.
//! not applicable when the app makes no outbound HTTP call. A breaker package that
//! no file calls does not count.

use super::practice;
use crate::facts::{Facts, PracticeKind};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let used = practice::sites(facts, PracticeKind::Breaker);
    if !used.is_empty() {
        return Outcome::pass(used);
    }
    let Some(first) = facts.outbound.first() else {
        return Outcome::not_applicable("no outbound HTTP calls found");
    };
    // The message stays the same as calls come and go, so a baseline
    // fingerprint does not flip; the count goes in the evidence.
    Outcome::fail(
        Finding::missing("outbound calls go to external services with no circuit breaker"),
        vec![Evidence::at(
            &first.location,
            format!(
                "{} outbound call(s); first: {}",
                facts.outbound.len(),
                first.note
            ),
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Location, OutboundCall, Practice, TimeoutState};
    use crate::rules::Status;

    #[test]
    fn breaker_use_passes_calls_without_fail() {
        let call = OutboundCall {
            location: Location::new("a.js", 1),
            client: "axios",
            timeout: TimeoutState::Missing,
            note: "axios.get".into(),
        };
        let mut f = Facts {
            outbound: vec![call],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.practices.push(Practice {
            location: Location::new("a.js", 2),
            kind: PracticeKind::Breaker,
            lib: "opossum".into(),
            count: 1,
        });
        assert_eq!(check(&f).status, Status::Pass);
        assert_eq!(check(&Facts::default()).status, Status::NotApplicable);
    }
}
