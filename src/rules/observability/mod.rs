pub mod health_endpoint;
pub mod otel_tracing;
