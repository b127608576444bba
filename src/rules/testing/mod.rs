pub mod ci_runs_tests;
pub mod coverage_threshold;
pub mod tests_present;
