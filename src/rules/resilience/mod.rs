pub mod outbound_timeout;
pub mod retry_backoff;
