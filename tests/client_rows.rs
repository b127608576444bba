//! Every row of `rules/clients.toml` carries examples: whole files that must
//! yield a site of the row's client that `outbound-timeout` reports
//! (`match`), a bounded one (`bounded`), or none at all (`no_match`). A row
//! whose default is a bound (Stripe's 80 s) has `bounded` examples instead
//! of `match` ones. They run through the same code
//! pipeline a scan uses (prefilter, lexer or parser, extractors), so a row
//! whose import or call pattern cannot fire, or whose prefilter never lets
//! its file through, fails here instead of silently finding nothing.

use graduate::facts::code::{client_examples, extract};
use graduate::inventory::Lang;

fn file_for(lang: &str) -> (&'static str, Lang) {
    match lang {
        "js" => ("src/service.ts", Lang::TypeScript),
        "py" => ("app/service.py", Lang::Python),
        "go" => ("internal/service/service.go", Lang::Go),
        "rs" => ("src/service.rs", Lang::Rust),
        other => panic!("unknown lang {other}"),
    }
}

#[test]
fn every_client_row_has_examples_that_hold() {
    let mut failures = Vec::new();
    for (lang, client, ex) in client_examples() {
        if (ex.matches.is_empty() && ex.bounded.is_empty()) || ex.no_match.is_empty() {
            failures.push(format!(
                "{client} ({lang}): needs a match or bounded example and a no_match one"
            ));
        }
        let (path, l) = file_for(lang);
        let sites = |text: &str| {
            extract(path, l, false, text)
                .outbound
                .into_iter()
                .filter(|c| c.client == client)
                .collect::<Vec<_>>()
        };
        for text in &ex.matches {
            let s = sites(text);
            if !s.iter().any(|c| !c.timeout.is_bounded()) {
                failures.push(format!("{client}: match gave {s:?}\n{text}"));
            }
        }
        for text in &ex.bounded {
            let s = sites(text);
            if s.is_empty() || s.iter().any(|c| !c.timeout.is_bounded()) {
                failures.push(format!("{client}: bounded gave {s:?}\n{text}"));
            }
        }
        for text in &ex.no_match {
            let s = sites(text);
            if !s.is_empty() {
                failures.push(format!("{client}: no_match gave {s:?}\n{text}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}
