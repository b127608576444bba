pub mod dependency_updates;
pub mod env_file_committed;
pub mod env_gitignored;
pub mod hardcoded_secret;
pub mod insecure_default_secret;
pub mod pii_in_logs;
