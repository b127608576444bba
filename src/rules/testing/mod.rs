pub mod ci_runs_tests;
pub mod tests_present;
