//! `feature-flags`: risky changes can be gated. Passes when a feature-flag
//! SDK is imported in production code (LaunchDarkly, Unleash, Flagsmith,
//! OpenFeature, GrowthBook …) or flag definitions are kept as files (flagd).
//! A flag SDK only declared in a manifest is intent, not use.

use crate::facts::operations::{flag_sdks, is_flag_file};
use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() {
        return Outcome::not_applicable("no source code found");
    }
    let mut evidence: Vec<Evidence> = facts
        .flag_uses
        .iter()
        .take(5)
        .map(|u| Evidence::at(&u.location, format!("{} imported", u.sdk)))
        .collect();
    evidence.extend(
        facts
            .files
            .iter()
            .filter(|f| is_flag_file(&f.path))
            .map(|f| Evidence::file(&f.path, "flag definitions kept as a file")),
    );
    if !evidence.is_empty() {
        return Outcome::pass(evidence);
    }
    let declared = facts.manifests.iter().find_map(|m| {
        m.deps.iter().find_map(|d| {
            let name = d.name.to_ascii_lowercase();
            flag_sdks()
                .find(|(n, _)| name.contains(n))
                .map(|(_, sdk)| (Location::new(&m.path, d.line), sdk))
        })
    });
    match declared {
        Some((loc, sdk)) => Outcome::fail(
            Finding::at(
                &loc,
                format!("{sdk} is a dependency but no code imports it"),
            ),
            vec![Evidence::at(
                &loc,
                format!("{sdk} declared, never imported"),
            )],
        ),
        None => Outcome::fail(
            Finding::missing(
                "no feature-flag SDK or flag definitions: risky changes ship all at once",
            ),
            Vec::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::operations::FlagUse;
    use crate::inventory::Lang;
    use crate::rules::Status;

    #[test]
    fn import_passes_absence_fails() {
        let mut f = Facts {
            languages: vec![Lang::TypeScript],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.flag_uses.push(FlagUse {
            location: Location::new("src/flags.ts", 1),
            sdk: "OpenFeature",
        });
        assert_eq!(check(&f).status, Status::Pass);
        assert_eq!(check(&Facts::default()).status, Status::NotApplicable);
    }
}
