//! `postmortem-template`: an incident/postmortem template exists and has the
//! sections a blameless review needs (timeline, root cause, impact, action
//! items). A template missing sections earns partial credit and names them.

use crate::facts::operations::POSTMORTEM_PARTS;
use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let Some(best) = facts.postmortems.iter().max_by_key(|t| t.parts.len()) else {
        return Outcome::fail(
            Finding::missing(
                "no postmortem template (docs/postmortem-template.md or an incident issue template)",
            ),
            Vec::new(),
        );
    };
    let mut evidence: Vec<Evidence> = best
        .parts
        .iter()
        .map(|(part, line)| Evidence::at(&Location::new(&best.path, *line), format!("has {part}")))
        .collect();
    let missing: Vec<&str> = POSTMORTEM_PARTS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !best.parts.iter().any(|(p, _)| p == name))
        .collect();
    if missing.is_empty() {
        return Outcome::pass(evidence);
    }
    let loc = Location::new(&best.path, 1);
    evidence.insert(
        0,
        Evidence::at(&loc, format!("template missing: {}", missing.join(", "))),
    );
    let mut out = Outcome::fail(
        Finding::at(
            &loc,
            format!("postmortem template lacks {}", missing.join(", ")),
        ),
        evidence,
    );
    out.partial = Some(best.parts.len() as f64 / POSTMORTEM_PARTS.len() as f64);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::operations::PostmortemTemplate;
    use crate::rules::Status;

    #[test]
    fn partial_template() {
        assert_eq!(check(&Facts::default()).status, Status::Fail);
        let f = Facts {
            postmortems: vec![PostmortemTemplate {
                path: "docs/postmortem.md".into(),
                parts: vec![("timeline", 2), ("impact", 4), ("root cause", 6)],
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert!(out.findings[0].message.contains("action items"));
        assert_eq!(out.pass_fraction(), 0.75);
    }
}
