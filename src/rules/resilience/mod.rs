pub mod circuit_breaker;
pub mod graceful_shutdown;
pub mod inbound_rate_limit;
pub mod outbound_timeout;
mod practice;
pub mod retry_backoff;
pub mod retry_storm;
