//! `slo-defined`: service level objectives and an error budget are written
//! down — as OpenSLO, Sloth, Pyrra or Google slo-generator specs, Prometheus
//! recording rules named like SLIs, Terraform SLO resources, or a document
//! that names SLOs, an error budget and a percentage target. The document
//! check is deliberately simple: it proves intent, not quality.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() {
        return Outcome::not_applicable("no application code to set objectives for");
    }
    let evidence: Vec<Evidence> = facts
        .hygiene
        .slos
        .iter()
        .map(|m| Evidence::at(&m.location, m.note.clone()))
        .collect();
    if evidence.is_empty() {
        return Outcome::fail(
            Finding::missing("no SLO or error budget defined"),
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
    fn openslo_or_document_passes() {
        let mut f = Facts {
            languages: vec![Lang::Go],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.hygiene.slos.extend(hygiene::slo_document(
            "docs/slo.md",
            "## SLOs\nAvailability: 99.5% monthly.\nError budget policy: freeze deploys when spent.\n",
        ));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
