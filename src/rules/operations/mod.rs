pub mod alerting_rules;
pub mod codeowners;
pub mod runbook;
pub mod slo_defined;
