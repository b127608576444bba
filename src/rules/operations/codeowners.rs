//! `codeowners`: a CODEOWNERS file with at least one ownership rule in one
//! of the places GitHub reads it (the root, `.github/`, `docs/`; GitLab also
//! `.gitlab/`). A file in any other directory is ignored by the forge, and
//! one with only comments owns nothing; both fail with evidence.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if facts.files.is_empty() {
        return Outcome::not_applicable("empty repository");
    }
    if !facts.hygiene.codeowners.is_empty() {
        return Outcome::pass(
            facts
                .hygiene
                .codeowners
                .iter()
                .map(|m| Evidence::at(&m.location, m.note.clone()))
                .collect(),
        );
    }
    let stray: Vec<Evidence> = facts
        .files
        .iter()
        .filter(|f| f.path.rsplit('/').next() == Some("CODEOWNERS"))
        .map(|f| {
            Evidence::file(
                &f.path,
                "CODEOWNERS with no ownership rule, or in a directory the forge does not read",
            )
        })
        .collect();
    Outcome::fail(
        Finding::missing("ownership is not declared (no CODEOWNERS)"),
        stray,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileRecord, hygiene};
    use crate::inventory::FileKind;
    use crate::rules::Status;

    #[test]
    fn codeowners_in_github_dir() {
        let mut f = Facts::default();
        f.files.push(FileRecord {
            path: "src/CODEOWNERS".into(),
            kind: FileKind::Config,
            is_test: false,
            scope: crate::inventory::Scope::Unknown,
            scope_reason: String::new(),
            lines: 0,
        });
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.evidence.len(), 1);
        f.hygiene
            .extend(hygiene::extract(".github/CODEOWNERS", "* @acme/payments\n"));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
