pub mod alerting_rules;
pub mod codeowners;
pub mod feature_flags;
pub mod postmortem_template;
pub mod runbook;
pub mod slo_defined;
pub mod waiver_hygiene;
