//! `otel-tracing`: an OpenTelemetry SDK is a dependency **and** it is
//! initialised in code (or the auto-instrumentation launcher is used). A
//! dependency alone is intent, not tracing. Rust's `tracing` crate and
//! Sentry's tracing are not OpenTelemetry.

use crate::facts::code::practices::otel_sdks;
use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

// The SDK packages that can export traces (API-only packages do not) are
// the `[[otel_sdk]]` rows of rules/libraries.toml.

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() {
        return Outcome::not_applicable("no source code found");
    }
    let dep = facts
        .manifests
        .iter()
        .flat_map(|m| m.deps.iter().map(move |d| (m, d)))
        .find(|(_, d)| !d.dev && !d.indirect && otel_sdks().iter().any(|s| s.package == d.name));
    let init = facts.otel_inits.first();
    match (dep, init) {
        (Some((m, d)), Some(i)) => Outcome::pass(vec![
            Evidence::at(&i.location, format!("tracing initialised: {}", i.how)),
            Evidence::at(
                &Location::new(&m.path, d.line),
                format!("{} declared", d.name),
            ),
        ]),
        // A launcher (opentelemetry-instrument, the Node preload) brings its SDK.
        (None, Some(i)) if i.how.contains("launcher") || i.how.contains("preload") => {
            Outcome::pass(vec![Evidence::at(&i.location, i.how)])
        }
        (Some((m, d)), None) => {
            let loc = Location::new(&m.path, d.line);
            Outcome::fail(
                Finding::at(
                    &loc,
                    format!(
                        "{} is a dependency but tracing is never initialised",
                        d.name
                    ),
                ),
                vec![Evidence::at(
                    &loc,
                    format!("{} declared, no TracerProvider/SDK start found", d.name),
                )],
            )
        }
        (None, Some(i)) => Outcome::fail(
            Finding::at(
                &i.location,
                "tracing is initialised but no OpenTelemetry SDK is declared",
            ),
            vec![Evidence::at(&i.location, i.how)],
        ),
        (None, None) => Outcome::fail(
            Finding::missing("no OpenTelemetry SDK or initialisation found"),
            Vec::new(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Dependency, Manifest, OtelInit};
    use crate::inventory::{Lang, ManifestKind};
    use crate::rules::Status;

    #[test]
    fn dependency_alone_is_not_tracing() {
        let mut f = Facts {
            languages: vec![Lang::Python],
            manifests: vec![Manifest {
                path: "pyproject.toml".into(),
                kind: ManifestKind::Pyproject,
                deps: vec![Dependency {
                    name: "opentelemetry-sdk".into(),
                    line: 5,
                    dev: false,
                    indirect: false,
                }],
                scripts: vec![],
                lock: Default::default(),
            }],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Fail);
        f.otel_inits.push(OtelInit {
            location: Location::new("app/t.py", 9),
            how: "TracerProvider set as global",
        });
        assert_eq!(check(&f).status, Status::Pass);
    }
}
