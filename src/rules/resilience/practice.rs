//! Shared shape of the "is this practice used in code" rules: evidence for
//! every site of a kind, read from the library table facts.

use crate::facts::{Facts, Practice, PracticeKind};
use crate::rules::Evidence;

/// Sites of one practice kind, as evidence.
pub fn sites(facts: &Facts, kind: PracticeKind) -> Vec<Evidence> {
    of_kind(facts, kind)
        .map(|p| Evidence::at(&p.location, format!("{} used", p.lib)))
        .collect()
}

pub fn of_kind(facts: &Facts, kind: PracticeKind) -> impl Iterator<Item = &Practice> {
    facts.practices.iter().filter(move |p| p.kind == kind)
}
