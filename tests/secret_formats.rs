//! Every example of rules/secret-formats.toml through the real secret
//! scanner: a provider format's `match` snippets yield a candidate of its
//! kind and its `no_match` ones do not; the prefilter and value word lists'
//! examples do what their section says. A literal the prefilter lacks, a
//! pattern that no longer matches its format, or a word dropped from a list
//! fails here.

use graduate::facts::secrets::{self, SecretFacts, formats};
use graduate::inventory;

fn scan_at(path: &str, snippet: &str) -> SecretFacts {
    secrets::scan(
        path,
        inventory::classify(path),
        inventory::is_test_path(path),
        &formats::example(snippet),
    )
}

fn scan(snippet: &str) -> SecretFacts {
    scan_at("src/config.js", snippet)
}

fn kinds(found: &SecretFacts) -> Vec<&'static str> {
    found.candidates.iter().map(|c| c.kind).collect()
}

#[test]
fn every_format_row_example_runs_through_the_scanner() {
    let table = &*formats::TABLE;
    let mut failures = Vec::new();
    for f in &table.format {
        let path = f.path.as_deref().unwrap_or("src/config.js");
        assert!(
            !f.matches.is_empty() && !f.no_match.is_empty(),
            "{}",
            f.kind
        );
        for (want, snippets) in [(true, &f.matches), (false, &f.no_match)] {
            for s in snippets {
                let got = kinds(&scan_at(path, s));
                if got.contains(&f.kind.as_str()) != want {
                    failures.push(format!("{}: {s:?} at {path} gave {got:?}", f.kind));
                }
            }
        }
        // The prefilter's promise: every match holds one of the row's
        // literals and all of what it requires.
        for s in &f.matches {
            let s = formats::example(s);
            let lower = s.to_ascii_lowercase();
            let literal = f.literals.iter().any(|l| {
                if f.case_sensitive {
                    s.contains(l.as_str())
                } else {
                    lower.contains(&l.to_ascii_lowercase())
                }
            });
            let required = f.requires.iter().all(|r| s.contains(r.as_str()));
            if !literal || !required {
                failures.push(format!("{}: {s:?} lacks its literals", f.kind));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn word_list_examples_run_through_the_scanner() {
    let t = &*formats::TABLE;
    let mut failures = Vec::new();
    let mut expect = |section: &str, snippet: &str, ok: bool, got: &SecretFacts| {
        if !ok {
            failures.push(format!(
                "[{section}] {snippet:?} gave {:?} and {} defaults",
                kinds(got),
                got.defaults.len()
            ));
        }
    };
    // Credential-named assignments: a generic candidate, or none.
    for (section, matches, no_match) in [
        ("assignment", &t.assignment.matches, &t.assignment.no_match),
        ("names", &t.names.matches, &t.names.no_match),
    ] {
        for s in matches {
            let got = scan(s);
            let ok = kinds(&got)
                .iter()
                .any(|k| matches!(*k, "generic-assignment" | "jwt-signing-secret"));
            expect(section, s, ok, &got);
        }
        for s in no_match {
            let got = scan(s);
            expect(section, s, got.candidates.is_empty(), &got);
        }
    }
    for s in &t.environment.matches {
        let got = scan(s);
        expect("environment", s, !got.defaults.is_empty(), &got);
    }
    for s in &t.environment.no_match {
        let got = scan(s);
        expect("environment", s, got.defaults.is_empty(), &got);
    }
    // Placeholder and weak words void a value: nothing reported; the
    // controls, the same shapes without the words, are reported.
    for (section, words) in [("placeholder", &t.placeholder), ("weak", &t.weak)] {
        for s in &words.matches {
            let got = scan(s);
            expect(section, s, got.candidates.is_empty(), &got);
        }
        for s in &words.no_match {
            let got = scan(s);
            expect(section, s, !got.candidates.is_empty(), &got);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every word of a list decides on its own: a misspelt or inert word (one
/// that another word always shadows, or that cannot reach the check) fails,
/// and the environment literals each have a line that only they select.
#[test]
fn each_word_decides_on_its_own() {
    let t = &*formats::TABLE;
    let mut failures = Vec::new();
    // A credential-named assignment whose name holds only this literal.
    for l in &t.assignment.literals {
        if l.starts_with("jwt.") {
            let s = format!("const t = {l}(payload, 'q8Zr4Lm2Xv9Tb6Nw3Kp7')");
            if scan(&s).candidates.is_empty() {
                failures.push(format!("[assignment] {l}: {s:?}"));
            }
        }
    }
    // Each environment literal is the only one on a line whose fallback
    // is reported.
    for (literal, line) in [
        (
            "process.env",
            "const s = process.env.JWT_SECRET || 'dev-fallback-key'",
        ),
        (
            "getenv",
            "SECRET_KEY = os.getenv('SECRET_KEY', 'dev-fallback-key')",
        ),
        (
            "get_env",
            "SECRET_KEY = get_env('SECRET_KEY', 'dev-fallback-key')",
        ),
        (
            "environ",
            "SECRET_KEY = os.environ.get('SECRET_KEY', 'dev-fallback-key')",
        ),
        ("envor", "const k = envOr('API_TOKEN', 'dev-fallback-key')"),
        (
            "env_or",
            "const k = env_or('API_TOKEN', 'dev-fallback-key')",
        ),
        (
            "env.fetch",
            "k = ENV.fetch('API_TOKEN', 'dev-fallback-key')",
        ),
        ("env[", "k = ENV['API_TOKEN'] || 'dev-fallback-key'"),
        (
            "env::var",
            "let k = env::var(\"API_TOKEN\").unwrap_or(\"dev-fallback-key\".into());",
        ),
    ] {
        let listed = t.environment.literals.iter().any(|l| l == literal);
        if !listed || scan(line).defaults.is_empty() {
            failures.push(format!("[environment] {literal}: {line:?}"));
        }
    }
    // A value holding the word is voided. A placeholder word voids even a
    // provider-shaped key (probed inside a live Stripe key's alphabet when
    // it fits there); a weak word only a credential-named value.
    for w in &t.placeholder.words {
        let s = if w.bytes().all(|b| b.is_ascii_alphanumeric()) {
            format!("stripe('sk_live_·EwJSuBVKpb{w}YeZjCpQrWH10dk')")
        } else {
            format!("const apiSecret = 'Qz8{w}Lm2Xv9Tb6Nw3Kp7'")
        };
        let got = scan(&s);
        if !got.candidates.is_empty() {
            failures.push(format!("[placeholder] {w}: {:?}", kinds(&got)));
        }
    }
    for w in &t.weak.words {
        let s = format!("const apiSecret = 'Qz8{w}Lm2Xv9Tb6Nw3Kp7'");
        let got = scan(&s);
        if !got.candidates.is_empty() {
            failures.push(format!("[weak] {w}: {:?}", kinds(&got)));
        }
    }
    // The controls: the same values without a word are reported.
    for s in [
        "stripe('sk_live_·EwJSuBVKpbYeZjCpQrWH10dk')",
        "const apiSecret = 'Qz8Lm2Xv9Tb6Nw3Kp7'",
    ] {
        if scan(s).candidates.is_empty() {
            failures.push(format!("control {s:?} not reported"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
