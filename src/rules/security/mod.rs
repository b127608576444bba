pub mod env_file_committed;
pub mod hardcoded_secret;
pub mod insecure_default_secret;
