pub mod deploy_health_probe;
pub mod health_endpoint;
pub mod metrics_exported;
pub mod otel_tracing;
pub mod structured_logging;
