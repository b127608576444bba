//! Every table row's examples, run through the real per-file pipeline (as
//! biome runs its documented examples): each snippet is written to a file
//! with its language's extension, read back, classified like any walked
//! file and handed to [`crate::facts::extract`], prefilter and parser
//! included. A `match` snippet must produce the row's fact and a `no_match`
//! snippet must not, so a row whose words never get a file parsed, or whose
//! needles never fire, fails here instead of silently reading nothing.

use std::path::Path;

use super::{practices, triggers};
use crate::facts::{FileFacts, FileRecord, extract, finish_deferred};
use crate::inventory::{self, Scope};

/// Where a snippet of a language key is written: a production path (not
/// under an `example/` folder, whose code never runs in the service and so
/// is not read for code facts).
fn path_for(lang: &str) -> &'static str {
    match lang {
        "js" => "src/example.ts",
        "py" => "app/example.py",
        "go" => "internal/rates/rates.go",
        "rs" => "src/example.rs",
        other => panic!("no example path for lang {other}"),
    }
}

/// The facts the pipeline extracts from `snippet` written as a file.
fn run(dir: &Path, lang: &str, snippet: &str) -> FileFacts {
    let rel = path_for(lang);
    let full = dir.join(rel);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, snippet).unwrap();
    let text = std::fs::read_to_string(&full).unwrap();
    let record = FileRecord {
        path: rel.to_string(),
        kind: inventory::classify(rel),
        is_test: inventory::is_test_path(rel),
        lines: text.lines().count() as u32,
        scope: Scope::Unknown,
        scope_reason: String::new(),
    };
    let mut facts = extract(&record, &text);
    // JS/TS code is read once its scope is known; these snippets are the
    // service's own code.
    finish_deferred(&mut facts, true);
    facts
}

/// Whether the facts hold what a trigger row says it reads.
fn reads(facts: &FileFacts, what: &str) -> bool {
    let c = &facts.code;
    match what {
        "routes" => !c.routes.is_empty(),
        "outbound" => c.outbound.iter().any(|o| !o.timeout.is_bounded()),
        "retries" => !c.retries.is_empty(),
        "otel" => !c.otel_inits.is_empty(),
        "logs" => !c.pii_logs.is_empty(),
        "tests" => !c.tests.is_empty(),
        other => panic!("rules/triggers.toml: unknown `reads = {other:?}`"),
    }
}

#[test]
fn every_trigger_row_example_runs_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for row in &triggers::TABLE.trigger {
        assert!(
            !row.matches.is_empty() && !row.no_match.is_empty(),
            "rules/triggers.toml: the {} {} row needs `match` and `no_match` examples",
            row.lang,
            row.reads
        );
        for (want, snippets) in [(true, &row.matches), (false, &row.no_match)] {
            for s in snippets {
                let facts = run(dir.path(), &row.lang, s);
                if reads(&facts, &row.reads) != want {
                    failures.push(format!(
                        "{} {} ({}): {s:?}\n  unparsed: {:?}",
                        row.lang,
                        row.reads,
                        if want { "match" } else { "no_match" },
                        facts.code.unparsed
                    ));
                }
            }
        }
    }
    for row in &triggers::TABLE.otel_init {
        assert!(
            !row.matches.is_empty() && !row.no_match.is_empty(),
            "rules/triggers.toml: the otel_init row {} needs `match` and `no_match` examples",
            row.needle
        );
        for (want, snippets) in [(true, &row.matches), (false, &row.no_match)] {
            for s in snippets {
                let facts = run(dir.path(), &row.lang, s);
                if facts.code.otel_inits.iter().any(|o| o.how == row.how) != want {
                    failures.push(format!("otel_init {}: {s:?}", row.needle));
                }
            }
        }
    }
    let r = &triggers::TABLE.retry;
    for (want, bodies) in [(true, &r.retry_match), (false, &r.retry_no_match)] {
        for b in bodies {
            if super::has_retry_word(b) != want {
                failures.push(format!("retry words: {b:?}"));
            }
        }
    }
    for (want, calls) in [(true, &r.receiver_match), (false, &r.receiver_no_match)] {
        for c in calls {
            let http = [".get(", ".Get("].iter().any(|m| super::calls_http(c, m));
            if http != want {
                failures.push(format!("http receivers: {c:?}"));
            }
        }
    }
    let g = &triggers::TABLE.grpc_health;
    for (want, snippets) in [(true, &g.matches), (false, &g.no_match)] {
        for s in snippets {
            let facts = run(dir.path(), "go", s);
            let found = facts
                .code
                .routes
                .iter()
                .any(|r| r.route == super::GRPC_HEALTH);
            if found != want {
                failures.push(format!("grpc_health: {s:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_library_row_example_runs_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (lang, kind, lib, matches, no_match) in practices::examples() {
        assert!(
            !matches.is_empty() && !no_match.is_empty(),
            "rules/libraries.toml: the {lang} {lib} row needs `match` and `no_match` examples"
        );
        for (want, snippets) in [(true, matches), (false, no_match)] {
            for s in snippets {
                let facts = run(dir.path(), lang, s);
                let found = facts
                    .code
                    .practices
                    .iter()
                    .any(|p| p.kind == kind && p.lib == lib);
                if found != want {
                    failures.push(format!(
                        "{lang} {lib} {kind:?} ({}): {s:?}\n  got {:?}\n  unparsed: {:?}",
                        if want { "match" } else { "no_match" },
                        facts
                            .code
                            .practices
                            .iter()
                            .map(|p| (p.kind, p.lib.as_str()))
                            .collect::<Vec<_>>(),
                        facts.code.unparsed
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The prefilter is built from the tables only: no hand-written word list
/// is left in the module that decides what gets parsed.
#[test]
fn no_prefilter_word_list_outside_the_tables() {
    let src = include_str!("syntax.rs");
    assert!(
        !src.contains(&["&[", "&str]"].concat()),
        "syntax.rs holds a word list; put the words in a rules/*.toml row"
    );
}

/// The facts of `text` written as a file at `rel` (a deploy file …).
fn run_at(dir: &Path, rel: &str, text: &str) -> FileFacts {
    let full = dir.join(rel);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, text).unwrap();
    let text = std::fs::read_to_string(&full).unwrap();
    let record = FileRecord {
        path: rel.to_string(),
        kind: inventory::classify(rel),
        is_test: false,
        lines: 0,
        scope: Scope::Unknown,
        scope_reason: String::new(),
    };
    let mut facts = extract(&record, &text);
    // JS/TS code is read once its scope is known; these snippets are the
    // service's own code.
    finish_deferred(&mut facts, true);
    facts
}

#[test]
fn every_server_and_launcher_row_example_runs_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for s in practices::servers() {
        assert!(!s.matches.is_empty() && !s.no_match.is_empty(), "{}", s.lib);
        for (want, snippets) in [(true, &s.matches), (false, &s.no_match)] {
            for text in snippets {
                let facts = run_at(dir.path(), "Dockerfile", text);
                let found = facts
                    .code
                    .practices
                    .iter()
                    .any(|p| p.kind == super::PracticeKind::DrainsItself && p.lib == s.lib);
                if found != want {
                    failures.push(format!("server {}: {text:?}", s.lib));
                }
            }
        }
    }
    for l in practices::launchers() {
        assert!(!l.matches.is_empty() && !l.no_match.is_empty(), "{}", l.how);
        for (want, snippets) in [(true, &l.matches), (false, &l.no_match)] {
            for text in snippets {
                let facts = run_at(dir.path(), "Dockerfile", text);
                let found = facts.code.otel_inits.iter().any(|o| o.how == l.how);
                if found != want {
                    failures.push(format!("launcher {}: {text:?}", l.how));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_framework_row_example_runs_through_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for f in super::frameworks::rows() {
        if f.reads == super::frameworks::Reads::No {
            assert!(
                f.matches.is_empty(),
                "{}: an unread framework yields no route",
                f.name
            );
            continue;
        }
        assert!(
            !f.matches.is_empty() && !f.no_match.is_empty(),
            "rules/frameworks.toml: {} needs `match` and `no_match` examples",
            f.name
        );
        let rel = f.path.as_deref().unwrap_or_else(|| path_for(&f.lang));
        let other = f.no_match_path.as_deref().unwrap_or(rel);
        for (want, snippets) in [(true, &f.matches), (false, &f.no_match)] {
            let rel = if want { rel } else { other };
            for s in snippets {
                let facts = run_at(dir.path(), rel, s);
                let health: Vec<_> = facts
                    .code
                    .routes
                    .iter()
                    .filter(|r| r.is_health())
                    .map(|r| (r.framework, r.route.as_str()))
                    .collect();
                if health.is_empty() == want {
                    failures.push(format!(
                        "{} ({}) at {rel}: {s:?}\n  routes: {:?}\n  unparsed: {:?}",
                        f.name,
                        if want { "match" } else { "no_match" },
                        facts
                            .code
                            .routes
                            .iter()
                            .map(|r| (r.framework, r.route.as_str()))
                            .collect::<Vec<_>>(),
                        facts.code.unparsed
                    ));
                }
            }
        }
        let _ = std::fs::remove_file(dir.path().join(rel));
        let _ = std::fs::remove_file(dir.path().join(other));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
