//! Operational documents and feature flags beyond the runbook: postmortem /
//! incident templates (judged by the sections a blameless review needs) and
//! feature-flag SDK use in code or flag definitions kept as files.

use std::sync::LazyLock;

use serde::Deserialize;

use super::Location;

/// The sections a postmortem template needs.
pub const POSTMORTEM_PARTS: [(&str, &[&str]); 4] = [
    (
        "timeline",
        &["timeline", "chronology", "sequence of events"],
    ),
    (
        "root cause",
        &[
            "root cause",
            "contributing factor",
            "5 whys",
            "five whys",
            "why did",
        ],
    ),
    (
        "impact",
        &[
            "impact",
            "customers affected",
            "user impact",
            "blast radius",
        ],
    ),
    (
        "action items",
        &[
            "action item",
            "follow-up",
            "follow up",
            "remediation",
            "next steps",
            "corrective",
        ],
    ),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostmortemTemplate {
    pub path: String,
    /// Parts found, with the line of the first mention.
    pub parts: Vec<(&'static str, u32)>,
}

/// A postmortem or incident-report template, by name, with its sections.
pub fn postmortem(path: &str, text: &str) -> Option<PostmortemTemplate> {
    let lower = path.to_ascii_lowercase();
    let named = [
        "postmortem",
        "post-mortem",
        "post_mortem",
        "incident-report",
        "incident_report",
        "incident-template",
        "retrospective",
        "pir-template",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || (lower.contains("issue_template") && lower.contains("incident"));
    if !named {
        return None;
    }
    let parts = POSTMORTEM_PARTS
        .iter()
        .filter_map(|(name, words)| {
            text.lines()
                .position(|l| {
                    let l = l.to_ascii_lowercase();
                    words.iter().any(|w| l.contains(w))
                })
                .map(|i| (*name, i as u32 + 1))
        })
        .collect();
    Some(PostmortemTemplate {
        path: path.to_string(),
        parts,
    })
}

/// A feature-flag SDK package, from the `[[flag_sdk]]` rows of
/// `rules/libraries.toml`.
#[derive(Deserialize)]
struct FlagSdk {
    /// Lower case, matched inside an import line or a dependency name.
    package: String,
    name: String,
    #[cfg_attr(not(test), allow(dead_code))]
    lang: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Deserialize)]
struct FlagTable {
    flag_sdk: Vec<FlagSdk>,
}

static FLAG_SDKS: LazyLock<Vec<FlagSdk>> = LazyLock::new(|| {
    let t: FlagTable = toml::from_str(include_str!("../../rules/libraries.toml"))
        .unwrap_or_else(|e| panic!("rules/libraries.toml: {e}"));
    for sdk in &t.flag_sdk {
        assert_eq!(
            sdk.package,
            sdk.package.to_ascii_lowercase(),
            "rules/libraries.toml: flag_sdk packages are matched in lower case"
        );
    }
    t.flag_sdk
});

/// Feature-flag SDKs: (package word seen in an import or a dependency
/// name, display name). The package must be imported in code, not only
/// declared in a manifest: a dependency is not use.
pub fn flag_sdks() -> impl Iterator<Item = (&'static str, &'static str)> {
    FLAG_SDKS
        .iter()
        .map(|s| (s.package.as_str(), s.name.as_str()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUse {
    pub location: Location,
    pub sdk: &'static str,
}

/// An import of a feature-flag SDK in production code.
pub fn flag_import(path: &str, text: &str) -> Option<FlagUse> {
    let lower_all = text.to_ascii_lowercase();
    if !flag_sdks().any(|(n, _)| lower_all.contains(n)) {
        return None;
    }
    text.lines().enumerate().find_map(|(i, line)| {
        let l = line.to_ascii_lowercase();
        let import = l.contains("import")
            || l.contains("require(")
            || l.trim_start().starts_with("use ")
            || l.contains("from ");
        if !import {
            return None;
        }
        flag_sdks()
            .find(|(n, _)| l.contains(n))
            .map(|(_, sdk)| FlagUse {
                location: Location::new(path, i as u32 + 1),
                sdk,
            })
    })
}

/// Flag definitions kept as files (flagd, OpenFeature, Unleash exports).
pub fn is_flag_file(path: &str) -> bool {
    let name = crate::inventory::file_name(path).to_ascii_lowercase();
    name.starts_with("flagd.")
        || name.ends_with(".flagd.json")
        || name == "flags.yaml"
        || name == "flags.yml"
        || name == "flags.json"
        || name == "feature-flags.yaml"
        || name == "feature-flags.yml"
        || name == "feature-flags.json"
        || name == "features.unleash.json"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postmortem_sections() {
        let t = postmortem(
            "docs/postmortem-template.md",
            "# Incident\n## Impact\n## Timeline\n## Root cause\n## Action items\n",
        )
        .unwrap();
        assert_eq!(t.parts.len(), 4);
        assert!(postmortem("docs/guide.md", "## Timeline").is_none());
    }

    /// Each `[[flag_sdk]]` row's examples, written as a file and run
    /// through the per-file pipeline: the import is flag use, the mention
    /// is not.
    #[test]
    fn every_flag_sdk_row_example_runs_through_the_pipeline() {
        let dir = tempfile::tempdir().unwrap();
        let mut failures = Vec::new();
        for sdk in FLAG_SDKS.iter() {
            assert!(!sdk.matches.is_empty() && !sdk.no_match.is_empty());
            let rel = match sdk.lang.as_str() {
                "js" => "src/flags.ts",
                "py" => "app/flags.py",
                "go" => "internal/flags/flags.go",
                _ => "src/flags.rs",
            };
            for (want, snippets) in [(true, &sdk.matches), (false, &sdk.no_match)] {
                for s in snippets {
                    let full = dir.path().join(rel);
                    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                    std::fs::write(&full, s).unwrap();
                    let text = std::fs::read_to_string(&full).unwrap();
                    let record = crate::facts::FileRecord {
                        path: rel.into(),
                        kind: crate::inventory::classify(rel),
                        is_test: false,
                        lines: 0,
                        scope: crate::inventory::Scope::Unknown,
                        scope_reason: String::new(),
                    };
                    let got = crate::facts::extract(&record, &text).flag_use;
                    if got.as_ref().map(|u| u.sdk) != want.then_some(sdk.name.as_str()) {
                        failures.push(format!("{} {s:?}: {got:?}", sdk.package));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn flag_imports_not_mentions() {
        assert!(
            flag_import(
                "a.ts",
                "import { OpenFeature } from '@openfeature/server-sdk';\n"
            )
            .is_some()
        );
        assert!(flag_import("a.ts", "// we might use launchdarkly one day\n").is_none());
        assert!(is_flag_file("config/flagd.json"));
    }
}
