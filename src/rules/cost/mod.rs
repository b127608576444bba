pub mod autoscaling_bounds;
pub mod budget_alerts;
