pub mod deploy_health_probe;
pub mod health_endpoint;
pub mod otel_tracing;
