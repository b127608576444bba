//! `retry-backoff`: outbound retries wait with exponential backoff, jitter
//! and a bound. not applicable when the app makes no outbound calls; fails when calls
//! have no retry policy at all, or when a retry lacks one of the three (the
//! evidence names each such site).

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    // A loop that calls out only through a project function is a retry
    // only where that function turned out to call out.
    let retries = crate::facts::code::standing_retries(&facts.retries, &facts.outbound);
    if facts.outbound.is_empty() && retries.is_empty() {
        return Outcome::not_applicable("no outbound HTTP calls found");
    }
    if retries.is_empty() {
        return Outcome::fail(
            Finding::missing(format!(
                "{} outbound call(s), no retry policy: transient failures surface to users",
                facts.outbound.len()
            )),
            Vec::new(),
        );
    }
    let unsafe_sites: Vec<_> = retries.iter().filter(|r| !r.is_safe()).collect();
    if unsafe_sites.is_empty() {
        return Outcome::pass(
            retries
                .iter()
                .map(|r| {
                    Evidence::at(
                        &r.location,
                        format!("{}: exponential backoff with jitter, bounded", r.mechanism),
                    )
                })
                .collect(),
        );
    }
    let evidence: Vec<_> = unsafe_sites
        .iter()
        .map(|r| Evidence::at(&r.location, format!("{} retry: {}", r.mechanism, r.gaps())))
        .collect();
    let first = unsafe_sites[0];
    Outcome::fail(
        Finding::at(
            &first.location,
            if unsafe_sites.len() == 1 {
                format!("{} retry: {}", first.mechanism, first.gaps())
            } else {
                format!(
                    "{} retries lack exponential backoff, jitter or a bound (first: {})",
                    unsafe_sites.len(),
                    first.gaps()
                )
            },
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::code::Backoff;
    use crate::facts::{Location, RetrySite};
    use crate::rules::Status;

    #[test]
    fn constant_loop_fails_jittered_passes() {
        let mut site = RetrySite {
            location: Location::new("a.py", 3),
            mechanism: "loop",
            backoff: Backoff::Constant,
            jitter: false,
            bounded: true,
            through: None,
        };
        let f = Facts {
            retries: vec![site.clone()],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(out.evidence[0].note.contains("no jitter"));
        site.backoff = Backoff::Exponential;
        site.jitter = true;
        assert_eq!(
            check(&Facts {
                retries: vec![site],
                ..Facts::default()
            })
            .status,
            Status::Pass
        );
    }
}
