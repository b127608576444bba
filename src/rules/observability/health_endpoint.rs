//! `health-endpoint`: the app serves a health, readiness or liveness route.
//! `skip` when the repository shows no HTTP server at all (no route found and
//! no server framework declared): a worker or CLI has nothing to probe.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

/// Server frameworks, by package name in their ecosystem's manifest.
const SERVER_PACKAGES: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "hono",
    "@nestjs/core",
    "next",
    "restify",
    "@hapi/hapi",
    "flask",
    "fastapi",
    "django",
    "starlette",
    "sanic",
    "aiohttp",
    "tornado",
    "github.com/gin-gonic/gin",
    "github.com/labstack/echo/v4",
    "github.com/go-chi/chi/v5",
    "github.com/gofiber/fiber/v2",
    "github.com/gorilla/mux",
    "axum",
    "actix-web",
    "rocket",
    "warp",
    "poem",
];

/// Whether the app serves HTTP: a route was found or a server framework is
/// declared. Rules about inbound traffic skip without one.
pub fn serves_http(facts: &Facts) -> bool {
    !facts.routes.is_empty()
        || SERVER_PACKAGES
            .iter()
            .any(|p| facts.dependency(p).is_some())
}

pub fn check(facts: &Facts) -> Outcome {
    let health: Vec<_> = facts.routes.iter().filter(|r| r.is_health()).collect();
    if let Some(first) = health.first() {
        let evidence = health
            .iter()
            .map(|r| {
                Evidence::at(
                    &r.location,
                    format!(
                        "{} route {}{}",
                        r.framework,
                        r.method
                            .as_deref()
                            .map(|m| format!("{m} "))
                            .unwrap_or_default(),
                        r.route
                    ),
                )
            })
            .collect();
        let _ = first;
        return Outcome::pass(evidence);
    }
    let server_dep = SERVER_PACKAGES.iter().find_map(|p| facts.dependency(p));
    if facts.routes.is_empty() && server_dep.is_none() {
        return Outcome::skip("no HTTP server found (no routes, no server framework)");
    }
    let mut evidence = Vec::new();
    if let Some((m, d)) = server_dep {
        evidence.push(Evidence::at(
            &crate::facts::Location::new(&m.path, d.line),
            format!("{} declared", d.name),
        ));
    }
    if let Some(r) = facts.routes.first() {
        evidence.push(Evidence::at(
            &r.location,
            format!(
                "{} route(s) found, none of them a health route",
                facts.routes.len()
            ),
        ));
    }
    let finding = match facts.routes.first() {
        Some(r) => Finding::at(
            &r.location,
            "no health/readiness route among the app's routes",
        ),
        None => Finding::missing("no health/readiness route found"),
    };
    Outcome::fail(finding, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{HttpRoute, Location};
    use crate::rules::Status;

    fn route(path: &str) -> HttpRoute {
        HttpRoute {
            location: Location::new("app.py", 4),
            framework: "flask",
            method: None,
            route: path.into(),
        }
    }

    #[test]
    fn statuses() {
        let mut f = Facts::default();
        assert_eq!(check(&f).status, Status::Skip);
        f.routes.push(route("/"));
        assert_eq!(check(&f).status, Status::Fail);
        f.routes.push(route("/api/healthz"));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
