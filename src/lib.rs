//! graduate: a graduation-readiness scanner for micro apps.
//!
//! Stages, each a module: [`walk`] (parallel, read-only) → [`inventory`]
//! (what each file is) → [`facts`] (plain data with locations) → [`rules`]
//! (one small module per rule) → [`score`] → [`report`] (one renderer per
//! format). Facts never know about rules; renderers never re-derive facts.

pub mod apps;
pub mod bounded_read;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod docs;
pub mod error;
pub mod facts;
#[doc(hidden)]
pub mod fuzzing;
pub mod github;
pub mod in_order;
pub mod inventory;
pub mod isolation;
pub mod plan;
pub mod pressure;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod safe_text;
pub mod scan;
pub mod schema;
pub mod score;
pub mod waivers;
pub mod walk;
