//! Apps: which folders of the repository are apps to score, and which are
//! libraries to list. Placeholder until discovery lands: the root is one
//! app when it holds one.

use crate::facts::Facts;
use crate::score::{AppInput, Apps};

pub fn discover(facts: &Facts) -> Apps {
    if crate::score::no_app(facts).is_some() {
        return Apps::default();
    }
    Apps {
        apps: vec![AppInput {
            root: ".".into(),
            name: ".".into(),
            stack: Vec::new(),
            signals: Vec::new(),
            facts: None,
        }],
        libraries: Vec::new(),
    }
}
