pub mod dependency_updates;
pub mod env_file_committed;
pub mod hardcoded_secret;
