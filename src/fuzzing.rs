//! Entry points for the fuzz targets in `fuzz/`, kept in the library so that
//! `tests/fuzz_replay.rs` can replay the corpus on stable Rust in every
//! `cargo test`.
//!
//! Arbitrary bytes go through exactly what a scan does with a file of a
//! given kind: the walk's own record and preparation ([`walk::file_record`],
//! [`walk::prepare`]: binary and minified checks, UTF-8, byte-order mark),
//! then [`facts::extract`]. No panic isolation here: a panic must reach the
//! fuzzer as a crash, not become a warning.
//!
//! The first byte of an input picks the file from [`FILES`] (modulo its
//! length). The list is append-only: the committed corpus and regression
//! inputs name their kind by index.

use crate::config::Config;
use crate::facts::{self, FileFacts, FileRecord};
use crate::report::{Report, html, json, markdown, sarif, text};
use crate::walk::{self, Prepared, WalkStats};

/// The files the fuzzer can write, by index. Two are not walked files but
/// read on their own: `.graduate.toml` (through [`Config::parse`]) and the
/// git index (through `facts::git_index::parse`, SHA-1 then SHA-256).
pub const FILES: &[&str] = &[
    "src/app.js",
    "src/app.ts",
    "src/App.tsx",
    "app/main.py",
    "main.go",
    "src/main.rs",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "Jenkinsfile",
    "docker-compose.yml",
    "k8s/deploy.yaml",
    "Dockerfile",
    "fly.toml",
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Cargo.toml",
    CONFIG,
    GIT_INDEX_SHA1,
    "docs/runbook.md",
    ".env",
    ".gitignore",
    ".github/dependabot.yml",
    "CODEOWNERS",
    GIT_INDEX_SHA256,
    "Makefile",
    "justfile",
    "scripts/test.sh",
    ".travis.yml",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    ".buildkite/pipeline.yml",
    ".drone.yml",
    ".github/actions/setup/action.yml",
    "render.yaml",
    "serverless.yml",
    "app.yaml",
    "vercel.json",
    "netlify.toml",
    "infra/main.tf",
    "charts/app/values.yaml",
    "setup.cfg",
    ".nycrc",
    "codecov.yml",
    "jest.config.js",
    "Pipfile",
    "config/settings.yaml",
    "docs/slo.md",
    "src/app.test.ts",
    "ci/gitlab-jobs.yml",
    "monitoring/alerts.yml",
    "Procfile",
];

const CONFIG: &str = ".graduate.toml";
const GIT_INDEX_SHA1: &str = ".git/index";
const GIT_INDEX_SHA256: &str = ".git/index (sha256)";

/// Reads one file of the kind the first byte picks.
pub fn extract_any(data: &[u8]) {
    let Some((&kind, content)) = data.split_first() else {
        return;
    };
    let _ = read_one(FILES[kind as usize % FILES.len()], content);
}

/// What reading one file gave: the walk's record and the file's facts (for
/// walked files that were read), or the config.
#[derive(Default)]
struct Read {
    file: Option<(FileRecord, Option<FileFacts>)>,
    config: Option<Config>,
    tracked: Option<Vec<String>>,
}

fn read_one(name: &str, content: &[u8]) -> Read {
    let mut read = Read::default();
    match name {
        CONFIG => read.config = Config::parse(&String::from_utf8_lossy(content)).ok(),
        GIT_INDEX_SHA1 => read.tracked = facts::git_index::parse(content, 20).ok(),
        GIT_INDEX_SHA256 => read.tracked = facts::git_index::parse(content, 32).ok(),
        _ => {
            let mut record = walk::file_record(name.to_string());
            let facts = if !record.kind.needs_text() {
                None
            } else {
                match walk::prepare(&mut record, content) {
                    Prepared::Text(text, _) => Some(facts::extract(&record, &text)),
                    Prepared::Skip(_) => None,
                }
            };
            read.file = Some((record, facts));
        }
    }
    read
}

/// Separates the files of a [`scan_facts`] input. Never part of valid UTF-8,
/// so splitting on it takes nothing from a text file.
const SEPARATOR: u8 = 0xFF;

/// Up to this many files per input: enough for cross-file facts (a CI job
/// running a package.json script that runs a Makefile target).
const MAX_FILES: usize = 16;

/// A small repository: the input is split on `0xFF` into files, each read
/// as by [`extract_any`]; their facts are merged, the rules run with the
/// config if one is among them, and every renderer formats the report,
/// which is returned.
pub fn scan_facts(data: &[u8]) -> Report {
    let mut records = Vec::new();
    let mut per_file = Vec::new();
    let mut config = Config::default();
    let mut tracked = None;
    let mut seen = std::collections::HashSet::new();
    for chunk in data.split(|b| *b == SEPARATOR).take(MAX_FILES) {
        let Some((&kind, content)) = chunk.split_first() else {
            continue;
        };
        let name = FILES[kind as usize % FILES.len()];
        // One file per path, as in a real tree.
        if !seen.insert(name) {
            continue;
        }
        let read = read_one(name, content);
        if let Some((record, facts)) = read.file {
            per_file.extend(facts.map(Box::new));
            records.push(record);
        }
        config = read.config.unwrap_or(config);
        tracked = read.tracked.or(tracked);
    }
    records.sort_by(|a, b| a.path.cmp(&b.path));
    per_file.sort_by(|a, b| a.path.cmp(&b.path));
    let mut facts = facts::Facts::merge(records, per_file);
    facts.tracked_env_files = tracked.map(|paths| {
        paths
            .into_iter()
            .filter(|p| crate::inventory::is_env_path(p))
            .collect()
    });
    facts.derived = crate::resolve::run(&facts);
    let report = crate::score::build(
        "fuzz".into(),
        None,
        0,
        &facts,
        crate::apps::discover(&facts),
        &config,
        WalkStats::default(),
        config.fail_under,
        true,
        1,
    );
    for rendered in [
        json::render(&report),
        sarif::render(&report),
        markdown::render(&report),
        html::render(&report),
        text::render(&report, text::Layout::new(true, 80)),
    ] {
        std::hint::black_box(rendered);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_walked_kind_reaches_its_reader() {
        // The names must be read as the walk reads them, or the fuzzer
        // exercises nothing: each walked name needs its text.
        for name in FILES {
            if [CONFIG, GIT_INDEX_SHA1, GIT_INDEX_SHA256].contains(name) {
                continue;
            }
            let record = walk::file_record(name.to_string());
            assert!(record.kind.needs_text(), "{name} is not read by the walk");
        }
    }

    #[test]
    fn a_repository_in_one_input_is_scored() {
        let mut data = vec![14];
        data.extend_from_slice(br#"{"scripts":{"test":"jest"},"devDependencies":{"jest":"1"}}"#);
        data.push(SEPARATOR);
        data.push(6);
        data.extend_from_slice(
            b"on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: npm test\n",
        );
        let report = scan_facts(&data);
        let ci = report
            .checks
            .iter()
            .find(|c| c.id == "ci-runs-tests")
            .unwrap();
        assert_eq!(ci.status, crate::rules::Status::Pass, "{:?}", ci.evidence);
        // The same workflow alone: CI runs `npm test` with no script to run.
        let alone = scan_facts(&data[data.iter().position(|b| *b == SEPARATOR).unwrap() + 1..]);
        let ci = alone
            .checks
            .iter()
            .find(|c| c.id == "ci-runs-tests")
            .unwrap();
        assert_ne!(ci.status, crate::rules::Status::Pass);
    }

    #[test]
    fn the_first_byte_picks_the_file() {
        let read = read_one(FILES[6], b"on: push\njobs: {}\n");
        let (record, facts) = read.file.unwrap();
        assert_eq!(record.kind, crate::inventory::FileKind::CiConfig);
        assert!(facts.unwrap().pipeline.is_some());
        let config = read_one(CONFIG, b"fail-under = 70\n").config.unwrap();
        assert_eq!(config.fail_under, Some(70));
        assert!(read_one(GIT_INDEX_SHA1, b"DIRC").tracked.is_none());
    }
}
