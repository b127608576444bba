//! `waiver-hygiene`: every waiver is accountable. A waiver without a reason,
//! one past its expiry date, one that matches no finding and one for a rule
//! graduate does not have are each a finding at the line the waiver is
//! written on (docs/waivers.md).
//!
//! It is the one rule that reads no facts: whether a waiver is used or
//! expired is known only after the other rules ran and the waivers were
//! applied, so the evaluation (`score::evaluate`) calls [`judge`] with the
//! waiver list. The registered `check` is never what decides it.

use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};
use crate::waivers::{Source, Status, WaiverEntry};

/// Registered for its metadata; the evaluation decides with [`judge`].
pub fn check(_facts: &Facts) -> Outcome {
    Outcome::not_applicable("no waivers")
}

/// One finding per waiver with a problem; the others are clean sites.
pub fn judge(waivers: &[WaiverEntry]) -> Outcome {
    if waivers.is_empty() {
        return Outcome::not_applicable("no waivers");
    }
    if waivers.iter().all(|w| w.status == Status::Ignored) {
        return Outcome::not_applicable("--no-waivers: waivers are not applied");
    }
    let mut clean = Vec::new();
    let mut bad = Vec::new();
    for w in waivers {
        let loc = Location::new(&w.path, w.line);
        let what = match w.source {
            Source::Disable => format!("`disable` of {}", w.rule),
            _ => format!("waiver for {} ({})", w.rule, w.scope),
        };
        if w.problems.is_empty() {
            clean.push(Evidence::at(&loc, format!("{what}: {}", w.summary())));
            continue;
        }
        let problems: Vec<&str> = w.problems.iter().map(|p| p.as_str()).collect();
        let message = format!("{what}: {}", problems.join("; "));
        let fix = match w.status {
            Status::Expired => {
                "Fix what the waiver hid, or renew it with a new `expires` date and a reason that still holds."
            }
            Status::Unused => {
                "Delete the waiver: nothing matches it any more (or correct its rule or scope)."
            }
            Status::UnknownRule => {
                "Correct the rule id (`graduate rules` lists them) or delete the waiver."
            }
            _ => {
                "Add why the finding is accepted, who owns it and until when: `reason … owner=@x expires=YYYY-MM-DD`."
            }
        };
        bad.push((
            Evidence::at(&loc, message.clone()),
            Finding::at(&loc, message).with_fix(fix),
        ));
    }
    Outcome::sites(clean, bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Status as Check;

    fn entry(status: Status, problems: &[&str]) -> WaiverEntry {
        WaiverEntry {
            rule: "outbound-timeout".into(),
            source: Source::Inline,
            path: "api.go".into(),
            line: 7,
            scope: "site api.go:7".into(),
            reason: problems.is_empty().then(|| "vendor SDK".into()),
            owner: None,
            expires: None,
            created: None,
            status,
            hides: 1,
            problems: problems.iter().map(|p| (*p).into()).collect(),
        }
    }

    #[test]
    fn problems_are_findings_at_the_waiver() {
        let o = judge(&[
            entry(Status::Active, &[]),
            entry(Status::Active, &["no reason given"]),
        ]);
        assert_eq!(o.status, Check::Fail);
        assert_eq!(o.findings.len(), 1);
        assert_eq!(o.clean_sites, Some(1));
        let f = &o.findings[0];
        assert_eq!(f.location, Some(Location::new("api.go", 7)));
        assert!(f.message.contains("no reason given"), "{}", f.message);
        assert_eq!(judge(&[entry(Status::Active, &[])]).status, Check::Pass);
        assert_eq!(judge(&[]).status, Check::NotApplicable);
        assert_eq!(
            judge(&[entry(Status::Ignored, &[])]).status,
            Check::NotApplicable
        );
    }
}
