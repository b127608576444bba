//! `inbound-rate-limit`: the public API limits request rates in the app
//! (express-rate-limit, @fastify/rate-limit, @nestjs/throttler, slowapi,
//! flask-limiter, django-ratelimit, x/time/rate, tollbooth, httprate,
//! tower_governor …). not applicable when the app serves no HTTP. Limits set only at
//! a gateway or ingress are not visible here; say so with an inline allow.

use super::practice;
use crate::facts::{Facts, PracticeKind};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let used = practice::sites(facts, PracticeKind::RateLimit);
    if !used.is_empty() {
        return Outcome::pass(used);
    }
    if !facts.derived.serves_http() {
        return Outcome::not_applicable("no HTTP server found (no routes, no server framework)");
    }
    let evidence = facts
        .routes
        .first()
        .map(|r| {
            vec![Evidence::at(
                &r.location,
                format!("{} route(s), no rate limiter", facts.routes.len()),
            )]
        })
        .unwrap_or_default();
    Outcome::fail(
        Finding::missing("no inbound rate limiter on the HTTP API"),
        evidence,
    )
}
