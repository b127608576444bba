//! `structured-logging`: application logs go through a structured logger
//! (pino, winston with a JSON format, bunyan, structlog, python-json-logger,
//! loguru with `serialize=True`, zap, zerolog, slog's JSON handler, logrus
//! with its JSON formatter, tracing-subscriber `.json()`, or a hand-written
//! `console.log(JSON.stringify({…}))` logger). A logger configured for plain
//! text (winston `printf`, loguru without `serialize`, logrus's default text
//! formatter) and bare print/console.log are not. A package in the manifest
//! that no file calls is not use. not applicable when no logging is seen at all.

use crate::facts::{Facts, PracticeKind};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let of = |kind| facts.practices.iter().filter(move |p| p.kind == kind);
    let structured: Vec<_> = of(PracticeKind::StructuredLog)
        .map(|p| Evidence::at(&p.location, format!("{} (structured)", p.lib)))
        .collect();
    if !structured.is_empty() {
        return Outcome::pass(structured);
    }
    let plain: Vec<_> = of(PracticeKind::PlainLog).collect();
    let Some(first) = plain.first() else {
        return Outcome::not_applicable("no logging found in production code");
    };
    let sites: usize = plain.iter().map(|p| p.count).sum();
    let evidence = plain
        .iter()
        .map(|p| {
            Evidence::at(
                &p.location,
                format!("{}: plain text ({} site(s))", p.lib, p.count),
            )
        })
        .collect();
    Outcome::fail(
        Finding::at(
            &first.location,
            format!(
                "logs are plain text ({sites} site(s), first: {}): not searchable by field",
                first.lib
            ),
        ),
        evidence,
    )
}
