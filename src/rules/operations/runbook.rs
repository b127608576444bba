//! `runbook`: a runbook exists **and** covers triage, mitigation,
//! escalation and recovery verification. A runbook missing parts fails but
//! earns partial credit (parts found / 4) and names the missing parts; a
//! template of empty headings or an empty file earns nothing.

use crate::facts::{DocPart, Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let Some(best) = facts
        .docs
        .iter()
        .max_by_key(|d| (d.parts.len(), std::cmp::Reverse(&d.path)))
    else {
        return Outcome::fail(
            Finding::missing(
                "no runbook found (RUNBOOK.md, docs/runbook.md, or an Operations section)",
            ),
            Vec::new(),
        );
    };
    let mut evidence: Vec<Evidence> = best
        .parts
        .iter()
        .map(|(part, line)| {
            Evidence::at(
                &Location::new(&best.path, *line),
                format!("covers {}", part.name()),
            )
        })
        .collect();
    let missing: Vec<&str> = DocPart::ALL
        .iter()
        .filter(|p| !best.parts.iter().any(|(q, _)| q == *p))
        .map(|p| p.name())
        .collect();
    if missing.is_empty() {
        return Outcome::pass(evidence);
    }
    let loc = Location::new(&best.path, best.runbook_line);
    if best.content_lines == 0 {
        return Outcome::fail(
            Finding::at(&loc, "runbook is a template: its headings have no content"),
            vec![Evidence::at(
                &loc,
                "template only: no text under any heading",
            )],
        );
    }
    evidence.insert(
        0,
        Evidence::at(&loc, format!("runbook missing: {}", missing.join(", "))),
    );
    let mut out = Outcome::fail(
        Finding::at(
            &loc,
            format!("runbook does not cover {}", missing.join(", ")),
        ),
        evidence,
    );
    out.partial = Some(best.parts.len() as f64 / DocPart::ALL.len() as f64);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::DocFacts;
    use crate::rules::Status;

    #[test]
    fn partial_runbook_names_missing_parts() {
        let f = Facts {
            docs: vec![DocFacts {
                path: "docs/runbook.md".into(),
                runbook_line: 1,
                content_lines: 6,
                parts: vec![(DocPart::Triage, 3), (DocPart::Mitigation, 8)],
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(out.findings[0].message.contains("escalation"));
        assert_eq!(out.pass_fraction(), 0.5, "2 of 4 parts: partial credit");
        assert_eq!(check(&Facts::default()).status, Status::Fail);
    }
}
