//! YAML for every reader (CI pipelines, compose, Kubernetes, platform
//! files), parsed with a budget sized to the file.
//!
//! serde-saphyr's default budget (250,000 nodes, a million replayed alias
//! events) stops a billion-laughs file, but only after building a quarter
//! of a million nodes: a 317-byte workflow of nested aliases cost a tenth of
//! a second in a release build and seconds under the fuzzer, so a tree of a
//! thousand such files would hold a scan for minutes. Here the node, event,
//! alias-replay and scalar budgets grow with the file's length (a real file
//! has at most one node per two bytes, and merge keys repeat a few nodes per
//! job), capped at the library's defaults; the library's guess from the
//! ratio of aliases to anchors, which refused a GitLab file of a hundred
//! jobs merging one `&defaults`, is off. Nesting stays at its default of 64
//! levels, which our recursive walks over the parsed value rely on.

use serde::Deserialize;
use serde_saphyr::{Budget, Error, Options};

/// Nodes (and replayed alias events) allowed per byte of YAML, and allowed
/// to any file however small.
const NODES_PER_BYTE: usize = 16;
const MIN_NODES: usize = 4096;

fn options(text: &str) -> Options {
    let mut budget = Budget::default();
    let nodes = (MIN_NODES + NODES_PER_BYTE * text.len()).min(budget.max_nodes);
    budget.max_nodes = nodes;
    budget.max_events = (4 * nodes).min(budget.max_events);
    budget.max_total_scalar_bytes =
        (64 * 1024 + NODES_PER_BYTE * text.len()).min(budget.max_total_scalar_bytes);
    // The default also refuses more than ten aliases per anchor, which a
    // GitLab file of a hundred jobs merging one `&defaults` has; with the
    // replay budget sized to the file that guess is not needed.
    budget.enforce_alias_anchor_ratio = false;
    let mut options = Options::default();
    options.alias_limits.max_total_replayed_events =
        nodes.min(options.alias_limits.max_total_replayed_events);
    options.budget = Some(budget);
    options
}

/// One YAML document.
pub fn from_str<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, Error> {
    serde_saphyr::from_str_with_options(text, options(text))
}

/// [`from_str`] with the error as a one-line warning naming the file kind:
/// `invalid render.yaml: line 3 column 1: …`.
pub fn parse<'de, T: Deserialize<'de>>(text: &'de str, what: &str) -> Result<T, String> {
    from_str(text).map_err(|e| format!("invalid {what}: {}", super::ci::first_line(&e.to_string())))
}

/// Every document of a `---`-separated stream.
pub fn from_multiple<'de, T: Deserialize<'de>>(text: &'de str) -> Result<Vec<T>, Error> {
    serde_saphyr::from_multiple_with_options(text, options(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine anchors of nine aliases each: 9^9 nodes if expanded.
    fn laughs() -> String {
        let mut text = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (p, c) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            text.push_str(&format!("{c}: &{c} [{}]\n", format!("*{p},").repeat(9)));
        }
        text
    }

    #[test]
    fn an_alias_bomb_stops_at_a_budget_its_size() {
        let text = laughs();
        let started = std::time::Instant::now();
        let e = from_str::<serde_json::Value>(&text).unwrap_err();
        assert!(e.to_string().contains("limit exceeded"), "{e}");
        // The library default stops it too, after 250,000 nodes: about 25
        // times the work.
        assert!(
            started.elapsed().as_millis() < 2000,
            "{:?}",
            started.elapsed()
        );
        let default = serde_saphyr::from_str::<serde_json::Value>(&text).unwrap_err();
        assert!(default.to_string().contains("nodes: 250001"), "{default}");
    }

    #[test]
    fn real_files_with_merge_keys_still_parse() {
        let mut text = String::from(
            ".defaults: &defaults\n  image: node:20\n  tags: [a, b, c]\n  retry: {max: 2, when: [failure]}\n",
        );
        for i in 0..300 {
            text.push_str(&format!("job{i}:\n  <<: *defaults\n  script: [npm test]\n"));
        }
        let v: serde_json::Value = from_str(&text).unwrap();
        assert_eq!(v["job299"]["image"], "node:20");
        let docs: Vec<serde_json::Value> = from_multiple("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
