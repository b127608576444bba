pub mod runbook;
