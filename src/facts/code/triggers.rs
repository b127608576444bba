//! The trigger words of the built-in extractors, read from
//! `rules/triggers.toml`. With the needles of `rules/libraries.toml` and the
//! imports of `rules/clients.toml` they are the whole prefilter
//! (`syntax.rs`): no word list that decides whether a file is parsed lives
//! in Rust, so adding a table row is enough to get its files read, and the
//! row's examples prove it (`examples.rs`).

use std::sync::LazyLock;

use serde::Deserialize;

#[derive(Deserialize)]
pub(crate) struct Table {
    pub trigger: Vec<Trigger>,
    pub grpc_health: GrpcHealth,
    pub otel_init: Vec<OtelInitRow>,
    pub retry: Retry,
}

/// What makes a loop a retry loop (`retry-storm`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Retry {
    pub words: Vec<String>,
    pub http_receivers: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub retry_match: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub retry_no_match: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub receiver_match: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub receiver_no_match: Vec<String>,
}

/// An OpenTelemetry start-up call other than `new NodeSDK(…)`.
#[derive(Deserialize)]
pub(crate) struct OtelInitRow {
    pub lang: String,
    pub needle: String,
    /// Another word the file must hold for the needle to count.
    #[serde(default)]
    pub requires: Option<String>,
    pub how: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct Trigger {
    pub lang: String,
    /// The fact the `match` snippets produce (documented in the table).
    pub reads: String,
    pub words: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct GrpcHealth {
    pub needles: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

const TABLE_SRC: &str = include_str!("../../../rules/triggers.toml");

pub(crate) static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let t: Table = toml::from_str(TABLE_SRC).unwrap_or_else(|e| panic!("rules/triggers.toml: {e}"));
    for row in &t.trigger {
        assert!(
            matches!(row.lang.as_str(), "js" | "py" | "go" | "rs"),
            "rules/triggers.toml: unknown lang {}",
            row.lang
        );
    }
    t
});

/// The trigger words of one language key (`js`, `py`, `go`, `rs`).
pub(crate) fn words(lang: &str) -> impl Iterator<Item = &'static str> {
    TABLE
        .trigger
        .iter()
        .filter(move |r| r.lang == lang)
        .flat_map(|r| r.words.iter().map(String::as_str))
}

/// The trigger words of one language whose row reads `what`.
pub(crate) fn words_reading<'a>(
    lang: &'a str,
    what: &'a str,
) -> impl Iterator<Item = &'static str> + 'a {
    TABLE
        .trigger
        .iter()
        .filter(move |r| r.lang == lang && r.reads == what)
        .flat_map(|r| r.words.iter().map(String::as_str))
}

/// The OTel init rows of one language key.
pub(crate) fn otel_inits(lang: &str) -> impl Iterator<Item = &'static OtelInitRow> {
    TABLE.otel_init.iter().filter(move |r| r.lang == lang)
}

/// What marks a gRPC health service, in any language.
pub(crate) fn grpc_health_needles() -> &'static [String] {
    &TABLE.grpc_health.needles
}
