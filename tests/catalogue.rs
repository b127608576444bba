//! The rule set guards itself: every TOML under rules/ is registered (and so
//! has detection code), ids are unique and match file names, and the
//! generated docs/rules/<id>.md are up to date.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn every_rule_toml_is_registered_and_ids_are_unique() {
    let registered: HashSet<&str> = graduate::rules::registered_paths().into_iter().collect();
    let mut on_disk = HashSet::new();
    for pillar in fs::read_dir(Path::new(ROOT).join("rules")).unwrap() {
        let pillar = pillar.unwrap();
        if !pillar.file_type().unwrap().is_dir() {
            continue;
        }
        for f in fs::read_dir(pillar.path()).unwrap() {
            let name = f.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".toml") {
                on_disk.insert(format!("{}/{}", pillar.file_name().to_string_lossy(), name));
            }
        }
    }
    let registered_owned: HashSet<String> = registered.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        on_disk, registered_owned,
        "rules/*.toml and the registry differ"
    );
    let ids: Vec<&str> = graduate::rules::all()
        .iter()
        .map(|r| r.meta.id.as_str())
        .collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate rule ids");
}

#[test]
fn generated_rule_docs_are_fresh() {
    let dir = Path::new(ROOT).join("docs/rules");
    let mut stale = Vec::new();
    for rule in graduate::rules::all() {
        let path = dir.join(format!("{}.md", rule.meta.id));
        let want = graduate::docs::rule_markdown(&rule.meta);
        if fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale rule docs {stale:?}: run `cargo run -- docs docs/rules`"
    );
}

/// docs/clients.md names every client of the table, so the documented
/// defaults cannot fall behind rules/clients.toml.
#[test]
fn every_table_client_is_documented() {
    let doc = fs::read_to_string(Path::new(ROOT).join("docs/clients.md")).unwrap();
    let table = doc.to_lowercase();
    for (lang, client) in graduate::facts::code::table_clients() {
        let name = client.trim_start_matches("node:");
        assert!(
            table.contains(&name.to_lowercase()),
            "docs/clients.md does not name the {lang} client {client}"
        );
    }
}
