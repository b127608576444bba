//! `retry-storm`, per site: each retry policy or hand-written retry loop
//! waits with exponential backoff, adds jitter and gives up after a bound.
//! Where `retry-backoff` asks whether the app retries well as a whole, this
//! rule points at every site that can synchronise clients into a storm
//! against a dependency that is already failing. not applicable when there is no
//! retry at all (that is `retry-backoff`'s finding).

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    // A loop that calls out only through a project function is a retry
    // only where that function turned out to call out.
    let retries = crate::facts::code::standing_retries(&facts.retries, &facts.outbound);
    if retries.is_empty() {
        return Outcome::not_applicable("no retry policy or retry loop found");
    }
    let mut clean = Vec::new();
    let mut bad = Vec::new();
    for r in retries {
        if r.is_safe() {
            clean.push(Evidence::at(
                &r.location,
                format!("{}: exponential backoff with jitter, bounded", r.mechanism),
            ));
        } else if r.backoff == crate::facts::code::Backoff::Constant && r.jitter && r.bounded {
            // A randomised wait and a bound (Google Chat's 60–180 s on 429,
            // at most ten times) cannot synchronise clients or grow the load
            // past the bound: a storm needs no wait, waits in step, or no end.
            // `retry-backoff` still asks for exponential growth.
            clean.push(Evidence::at(
                &r.location,
                format!("{}: randomised delay, bounded", r.mechanism),
            ));
        } else {
            let note = format!("{} retry: {}", r.mechanism, r.gaps());
            bad.push((
                Evidence::at(&r.location, &note),
                Finding::at(&r.location, note),
            ));
        }
    }
    Outcome::sites(clean, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::Backoff;
    use crate::facts::{Location, RetrySite};
    use crate::rules::Status;

    fn site(line: u32, backoff: Backoff, jitter: bool, bounded: bool) -> RetrySite {
        RetrySite {
            location: Location::new("a.js", line),
            mechanism: "loop",
            backoff,
            jitter,
            bounded,
            through: None,
        }
    }

    #[test]
    fn each_unsafe_site_is_a_finding() {
        let f = Facts {
            retries: vec![
                site(1, Backoff::Exponential, true, true),
                site(2, Backoff::None, false, true),
                site(3, Backoff::Exponential, true, false),
            ],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 2);
        assert!(out.findings[1].message.contains("no bound"));
        assert_eq!(check(&Facts::default()).status, Status::NotApplicable);
    }

    #[test]
    fn a_loop_through_a_project_function_needs_an_outbound_call_inside() {
        use crate::facts::OutboundCall;
        use crate::facts::code::TimeoutState;
        let mut through = site(10, Backoff::None, false, true);
        through.through = Some((10, 20));
        let call = |line: u32| OutboundCall {
            location: Location::new("a.js", line),
            client: "fetch",
            timeout: TimeoutState::Explicit,
            note: String::new(),
        };
        // The function it calls turned out to call out: a retry storm.
        let f = Facts {
            retries: vec![through.clone()],
            outbound: vec![call(12)],
            ..Facts::default()
        };
        assert_eq!(check(&f).findings.len(), 1);
        // The only outbound call is outside the loop: the loop retries
        // something local, and there is no retry at all.
        let f = Facts {
            retries: vec![through],
            outbound: vec![call(25)],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::NotApplicable);
    }
}
