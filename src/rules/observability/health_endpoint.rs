//! `health-endpoint`: the app serves a health, readiness or liveness route.
//! not applicable when the repository shows no HTTP server at all (no route found and
//! no server framework declared): a worker or CLI has nothing to probe.

use crate::facts::Facts;
use crate::rules::{Evidence, Finding, Outcome};

/// Server frameworks, by package name in their ecosystem's manifest, and
/// whether graduate reads their routes (`rules/frameworks.toml`). An app on
/// a framework it cannot read is `unknown`, not failed: its health route
/// may well be there.
fn server_packages() -> impl Iterator<Item = (&'static str, bool)> {
    crate::facts::code::frameworks::server_packages()
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
    let server_dep = server_packages().find_map(|(p, _)| facts.dependency(p));
    if facts.routes.is_empty() && server_dep.is_none() {
        return Outcome::not_applicable("no HTTP server found (no routes, no server framework)");
    }
    let unreadable = server_packages()
        .filter(|(_, read)| !read)
        .find_map(|(p, _)| facts.dependency(p));
    if let Some((m, d)) = unreadable {
        let mut out = Outcome::unknown(format!(
            "the app declares {} ({}:{}), whose routes graduate does not read: \
             whether it serves a health route cannot be told",
            d.name, m.path, d.line
        ));
        out.evidence = facts
            .routes
            .first()
            .map(|r| {
                Evidence::at(
                    &r.location,
                    format!(
                        "{} route(s) read elsewhere, none of them a health route",
                        facts.routes.len()
                    ),
                )
            })
            .into_iter()
            .collect();
        return out;
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
    fn framework_whose_routes_are_not_read_is_unknown() {
        use crate::facts::{Dependency, Manifest};
        use crate::inventory::ManifestKind;
        let manifest = |name: &str| Manifest {
            path: "package.json".into(),
            kind: ManifestKind::PackageJson,
            deps: vec![Dependency {
                name: name.into(),
                line: 3,
                dev: false,
                indirect: false,
            }],
            scripts: vec![],
            lock: Default::default(),
        };
        let mut f = Facts::default();
        f.manifests.push(manifest("@adonisjs/core"));
        let out = check(&f);
        assert_eq!(out.status, Status::Unknown);
        assert!(
            out.reason
                .unwrap()
                .contains("@adonisjs/core (package.json:3)")
        );
        // hapi's routes are read now (rules/frameworks.toml): none found fails.
        f.manifests = vec![manifest("@hapi/hapi")];
        assert_eq!(check(&f).status, Status::Fail);
        // A framework whose routes are read, with none found, fails.
        f.manifests = vec![manifest("express")];
        assert_eq!(check(&f).status, Status::Fail);
    }

    #[test]
    fn statuses() {
        let mut f = Facts::default();
        assert_eq!(check(&f).status, Status::NotApplicable);
        f.routes.push(route("/"));
        assert_eq!(check(&f).status, Status::Fail);
        f.routes.push(route("/api/healthz"));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
