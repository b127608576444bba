//! `graceful-shutdown`: on SIGTERM the server stops accepting and drains
//! in-flight requests. Counts a SIGTERM handler, NestJS
//! `enableShutdownHooks()`, close-with-grace/terminus, Go `Server.Shutdown`,
//! axum `with_graceful_shutdown`, and servers that drain by themselves
//! (uvicorn, gunicorn, hypercorn, actix-web, rocket). not applicable, with the reason,
//! on function platforms (AWS Lambda handlers, Vercel functions), where the
//! platform owns the server, and when the app serves no HTTP.

use super::practice;
use crate::facts::{Facts, PracticeKind};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let mut used = practice::sites(facts, PracticeKind::Shutdown);
    used.extend(
        practice::of_kind(facts, PracticeKind::DrainsItself).map(|p| {
            Evidence::at(
                &p.location,
                format!("{} drains on SIGTERM by itself", p.lib),
            )
        }),
    );
    if !used.is_empty() {
        return Outcome::pass(used);
    }
    if let Some(p) = practice::of_kind(facts, PracticeKind::Serverless).next() {
        return Outcome::not_applicable(format!(
            "{} at {}:{}: the platform owns the server and its shutdown",
            p.lib, p.location.path, p.location.line
        ));
    }
    if facts.files.iter().any(|f| f.path == "vercel.json")
        || facts.routes.iter().all(|r| r.framework == "next.js") && !facts.routes.is_empty()
    {
        return Outcome::not_applicable(
            "Vercel/Next.js functions: the platform owns the server and its shutdown",
        );
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
                format!("{} server, no shutdown hook", r.framework),
            )]
        })
        .unwrap_or_default();
    Outcome::fail(
        Finding::missing(
            "SIGTERM does not drain the server: in-flight requests are cut at every deploy",
        ),
        evidence,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::{HttpRoute, Location, Practice};
    use crate::rules::Status;

    fn practice(kind: PracticeKind, lib: &str) -> Practice {
        Practice {
            location: Location::new("main.go", 9),
            kind,
            lib: lib.into(),
            count: 1,
        }
    }

    #[test]
    fn lambda_skips_servers_without_hooks_fail() {
        let route = HttpRoute {
            location: Location::new("main.go", 3),
            framework: "gin",
            method: None,
            route: "/x".into(),
        };
        let mut f = Facts {
            routes: vec![route],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.practices
            .push(practice(PracticeKind::Serverless, "AWS Lambda handler"));
        assert_eq!(check(&f).status, Status::NotApplicable);
        f.practices
            .push(practice(PracticeKind::Shutdown, "http.Server.Shutdown"));
        assert_eq!(check(&f).status, Status::Pass);
    }
}
