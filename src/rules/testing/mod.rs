pub mod ci_runs_tests;
pub mod coverage_threshold;
pub mod lockfile_committed;
pub mod tests_present;
