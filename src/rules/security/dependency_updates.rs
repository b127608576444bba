//! `dependency-updates`: Dependabot (`.github/dependabot.yml` with at least
//! one `package-ecosystem`) or Renovate (renovate.json/json5, .renovaterc,
//! `.github/` or `.gitlab/` variants, or a `renovate` key in package.json)
//! keeps dependencies moving, so security fixes arrive as pull requests
//! instead of as an audit finding a year later.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if facts.manifests.is_empty() && !facts.has_source() {
        return Outcome::not_applicable("no dependencies to update");
    }
    let evidence: Vec<Evidence> = facts
        .hygiene
        .dependency_updates
        .iter()
        .map(|m| Evidence::at(&m.location, m.note.clone()))
        .collect();
    if evidence.is_empty() {
        return Outcome::fail(
            Finding::missing("no Dependabot or Renovate configuration"),
            Vec::new(),
        );
    }
    Outcome::pass(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::hygiene;
    use crate::inventory::Lang;
    use crate::rules::Status;

    #[test]
    fn dependabot_passes() {
        let mut f = Facts {
            languages: vec![Lang::Go],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.hygiene.extend(hygiene::extract(
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n",
        ));
        let out = check(&f);
        assert_eq!(out.status, Status::Pass);
        assert_eq!(out.evidence[0].note, "Dependabot for gomod");
    }

    /// A Dependabot file that updates nothing: an empty list, or its
    /// entries commented out.
    #[test]
    fn empty_dependabot_fails() {
        for text in [
            "version: 2\nupdates: []\n",
            "version: 2\nupdates: []\n#  - package-ecosystem: npm\n#    directory: /\n",
            "version: 2\n# updates:\n#   - package-ecosystem: gomod\n",
        ] {
            let mut f = Facts {
                languages: vec![Lang::Go],
                ..Facts::default()
            };
            f.hygiene
                .extend(hygiene::extract(".github/dependabot.yml", text));
            assert_eq!(check(&f).status, Status::Fail, "{text:?}");
        }
    }
}
