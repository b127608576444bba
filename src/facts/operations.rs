//! Operational documents and feature flags beyond the runbook: postmortem /
//! incident templates (judged by the sections a blameless review needs) and
//! feature-flag SDK use in code or flag definitions kept as files.

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

/// Feature-flag SDKs: (needle seen in an import, display name). The needle
/// must appear in code, not only in a manifest: a dependency is not use.
pub const FLAG_SDKS: &[(&str, &str)] = &[
    ("launchdarkly", "LaunchDarkly"),
    ("unleash", "Unleash"),
    ("flagsmith", "Flagsmith"),
    ("openfeature", "OpenFeature"),
    ("open-feature", "OpenFeature"),
    ("open_feature", "OpenFeature"),
    ("growthbook", "GrowthBook"),
    ("configcat", "ConfigCat"),
    ("split.io", "Split"),
    ("@splitsoftware", "Split"),
    ("flipt", "Flipt"),
    ("posthog", "PostHog flags"),
    ("statsig", "Statsig"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUse {
    pub location: Location,
    pub sdk: &'static str,
}

/// An import of a feature-flag SDK in production code.
pub fn flag_import(path: &str, text: &str) -> Option<FlagUse> {
    let lower_all = text.to_ascii_lowercase();
    if !FLAG_SDKS.iter().any(|(n, _)| lower_all.contains(n)) {
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
        FLAG_SDKS
            .iter()
            .find(|(n, _)| l.contains(n))
            .map(|(_, sdk)| FlagUse {
                location: Location::new(path, i as u32 + 1),
                sdk,
            })
    })
}

/// Flag definitions kept as files (flagd, OpenFeature, Unleash exports).
pub fn is_flag_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
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
