//! Documents: runbook-like prose and the operational parts it covers.
//!
//! Content is judged, not file names: a file is a runbook candidate when its
//! name says so *or* a heading does ("Runbook", "Operations", "On-call",
//! "Incident"); only the text under such a heading counts in a README. The
//! parts a usable runbook needs are triage, mitigation, escalation and
//! recovery verification. A part counts only with real text under it: a
//! template of empty headings (or TODO/TBD placeholders) covers nothing.

use serde::Serialize;

/// The parts of a runbook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocPart {
    Triage,
    Mitigation,
    Escalation,
    Recovery,
}

impl DocPart {
    pub const ALL: [DocPart; 4] = [
        DocPart::Triage,
        DocPart::Mitigation,
        DocPart::Escalation,
        DocPart::Recovery,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DocPart::Triage => "triage",
            DocPart::Mitigation => "mitigation",
            DocPart::Escalation => "escalation",
            DocPart::Recovery => "recovery verification",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            DocPart::Triage => &[
                "triage",
                "diagnos",
                "investigat",
                "troubleshoot",
                "dashboard",
                "symptom",
                "check the logs",
                "look at the logs",
            ],
            DocPart::Mitigation => &[
                "mitigat",
                "roll back",
                "rollback",
                "revert",
                "failover",
                "fail over",
                "scale up",
                "scale out",
                "workaround",
                "disable the",
                "feature flag",
                "rate limit",
            ],
            DocPart::Escalation => &[
                "escalat",
                "on-call",
                "oncall",
                "on call",
                "pagerduty",
                "opsgenie",
                "page the",
                "incident commander",
            ],
            DocPart::Recovery => &[
                "verify",
                "verif",
                "recovery",
                "recovered",
                "confirm",
                "back to normal",
                "all clear",
                "smoke test",
                "resolved",
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocFacts {
    pub path: String,
    /// Line where the runbook-like text starts (1 for a whole runbook file).
    pub runbook_line: u32,
    /// Lines of real text (not headings, blanks or placeholders) in the
    /// runbook regions; 0 for a template of empty headings.
    pub content_lines: usize,
    /// Each part found, with the line of its first mention.
    pub parts: Vec<(DocPart, u32)>,
}

fn runbook_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        "runbook",
        "operations",
        "playbook",
        "oncall",
        "on-call",
        "incident-response",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || lower.starts_with("ops/")
        || lower.contains("/ops/")
}

/// Words that make a heading open a runbook region.
const RUNBOOK_HEADING_WORDS: [&str; 7] = [
    "runbook",
    "operations",
    "operating",
    "on-call",
    "oncall",
    "incident",
    "playbook",
];

fn runbook_heading(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    RUNBOOK_HEADING_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether `text` names a runbook heading word anywhere, in any ASCII case:
/// a heading's title is part of the text, so a document without one has no
/// runbook region, and most READMEs are ruled out by this one pass instead
/// of a heading parse of every line.
fn may_hold_runbook_heading(text: &str) -> bool {
    use std::sync::LazyLock;
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(RUNBOOK_HEADING_WORDS)
            .expect("runbook heading words build")
    });
    WORDS.is_match(text)
}

/// A Markdown `#` heading, or an RST/setext heading (text over a rule line).
fn heading(lines: &[&str], i: usize) -> Option<(usize, String)> {
    let line = lines[i].trim_end();
    if let Some(rest) = line.strip_prefix('#') {
        let level = 1 + rest.chars().take_while(|c| *c == '#').count();
        let text = rest.trim_start_matches('#').trim();
        return (!text.is_empty() && rest.starts_with(['#', ' ']))
            .then(|| (level, text.to_string()));
    }
    if let Some(rest) = line.strip_prefix("==").or_else(|| line.strip_prefix("= ")) {
        // AsciiDoc `== Section`.
        return Some((2, rest.trim_start_matches('=').trim().to_string()));
    }
    let next = lines.get(i + 1)?.trim_end();
    let rule = next.len() >= 3 && next.chars().all(|c| matches!(c, '=' | '-' | '~' | '^'));
    (rule && !line.trim().is_empty() && !line.starts_with(['-', '=', '*', ' '])).then(|| {
        (
            if next.starts_with('=') { 1 } else { 2 },
            line.trim().to_string(),
        )
    })
}

/// Runbook facts of one document, or `None` when it holds no runbook text.
pub fn extract(path: &str, text: &str) -> Option<DocFacts> {
    let whole = runbook_file(path);
    if !whole && !may_hold_runbook_heading(text) {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut in_fence = false;
    // (start line index, end line index) of runbook regions.
    let mut regions: Vec<(usize, usize)> = Vec::new();
    if whole {
        regions.push((0, lines.len()));
    } else {
        let mut open: Option<(usize, usize)> = None; // (start, level)
        for i in 0..lines.len() {
            if lines[i].trim_start().starts_with("```") {
                in_fence = !in_fence;
            }
            if in_fence {
                continue;
            }
            if let Some((level, title)) = heading(&lines, i) {
                if let Some((start, l)) = open
                    && level <= l
                {
                    regions.push((start, i));
                    open = None;
                }
                if open.is_none() && runbook_heading(&title) {
                    open = Some((i, level));
                }
            }
        }
        if let Some((start, _)) = open {
            regions.push((start, lines.len()));
        }
    }
    if regions.is_empty() {
        return None;
    }
    let is_heading =
        |i: usize| heading(&lines, i).is_some() || lines[i].trim_start().starts_with('#');
    let content = |i: usize| !is_heading(i) && real_text(lines[i]);
    let content_lines = regions
        .iter()
        .map(|(s, e)| (*s..*e).filter(|i| content(*i)).count())
        .sum();
    // A heading names a part only when real text follows it before the next heading.
    let body_follows =
        |i: usize, end: usize| (i + 1..end).take_while(|j| !is_heading(*j)).any(&content);
    // The parts each line names, read once: asking every line again for
    // each part lowered it four times and searched it for each word.
    let mut named = vec![0u8; lines.len()];
    for (s, e) in &regions {
        for i in *s..*e {
            named[i] = parts_named(lines[i]);
        }
    }
    let mut parts = Vec::new();
    for (bit, part) in DocPart::ALL.into_iter().enumerate() {
        let found = regions.iter().find_map(|(s, e)| {
            (*s..*e).find(|i| {
                named[*i] & (1 << bit) != 0
                    && (content(*i) || (is_heading(*i) && body_follows(*i, *e)))
            })
        });
        if let Some(i) = found {
            parts.push((part, i as u32 + 1));
        }
    }
    Some(DocFacts {
        path: path.to_string(),
        runbook_line: regions[0].0 as u32 + 1,
        content_lines,
        parts,
    })
}

/// The parts whose words `line` holds, in any ASCII case: bit `i` for
/// `DocPart::ALL[i]`. One pass of an automaton over all the words, with
/// overlapping matches so that no word hides another.
fn parts_named(line: &str) -> u8 {
    use std::sync::LazyLock;
    static WORDS: LazyLock<(aho_corasick::AhoCorasick, Vec<u8>)> = LazyLock::new(|| {
        let mut words = Vec::new();
        let mut bits = Vec::new();
        for (bit, part) in DocPart::ALL.into_iter().enumerate() {
            for w in part.words() {
                words.push(*w);
                bits.push(1u8 << bit);
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("runbook part words build");
        (ac, bits)
    });
    let (ac, bits) = &*WORDS;
    ac.find_overlapping_iter(line)
        .fold(0, |mask, m| mask | bits[m.pattern().as_usize()])
}

/// A line that says something: not blank, not a rule, not a placeholder.
fn real_text(line: &str) -> bool {
    let t = line.trim().trim_start_matches(['-', '*', '>', ' ']).trim();
    if t.len() < 4 || t.chars().all(|c| matches!(c, '=' | '-' | '~' | '^' | '`')) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    !([
        "todo",
        "tbd",
        "fill in",
        "fill me",
        "lorem ipsum",
        "coming soon",
        "to be written",
    ]
    .iter()
    .any(|p| {
        lower.starts_with(p)
            || lower.strip_suffix('.') == Some(*p)
            || (lower.contains('(') && lower.contains(&format!("({p})")))
    }) || (t.starts_with('<') && t.ends_with('>')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_section_counts_only_under_its_heading() {
        let text = "# App\n\nTroubleshoot by reading the code.\n\n## Operations\n\nRestart it.\nRoll back with `deploy prev`.\n\n## License\n\nMIT, page the lawyer\n";
        let d = extract("README.md", text).unwrap();
        assert_eq!(d.runbook_line, 5);
        assert_eq!(d.parts, vec![(DocPart::Mitigation, 8)]);
    }

    #[test]
    fn runbook_file_with_all_parts() {
        let text = "# Runbook\n## Triage\nCheck the dashboard.\n## Mitigation\nRoll back.\n## Escalation\nPage the on-call via PagerDuty.\n";
        let d = extract("docs/runbook.md", text).unwrap();
        assert_eq!(d.parts.len(), 3);
    }

    #[test]
    fn template_headings_cover_nothing() {
        let text = "# Runbook\n## Triage\nTODO\n## Mitigation\n\n## Escalation\n<who to page>\n## Verify recovery\nTBD\n";
        let d = extract("RUNBOOK.md", text).unwrap();
        assert_eq!(d.content_lines, 0);
        assert!(d.parts.is_empty(), "{:?}", d.parts);
        let full = "# Runbook\n## Triage\nOpen the latency dashboard.\n## Verify recovery\nError rate back under 1% for 10 minutes.\n";
        let d = extract("RUNBOOK.md", full).unwrap();
        assert_eq!(d.parts.len(), 2);
    }

    #[test]
    fn plain_readme_is_not_a_runbook() {
        assert!(extract("README.md", "# Orders\n\nRun `npm start`.\n").is_none());
    }

    /// The one-pass part search finds what asking each part's words of the
    /// lowered line finds, a word inside another word's match included.
    #[test]
    fn parts_named_agrees_with_each_parts_words() {
        for line in [
            "Roll BACK via PagerDuty, then VERIFY the Dashboard",
            "rollback",
            "Check the logs; on-call escalation",
            "Nothing here",
            "verifiable all clear",
            "",
        ] {
            let lower = line.to_ascii_lowercase();
            let want = DocPart::ALL
                .into_iter()
                .enumerate()
                .filter(|(_, p)| p.words().iter().any(|w| lower.contains(w)))
                .fold(0u8, |m, (bit, _)| m | 1 << bit);
            assert_eq!(parts_named(line), want, "{line}");
        }
        assert_eq!(
            parts_named("Roll BACK via PagerDuty, then VERIFY the Dashboard"),
            0b1111
        );
    }

    /// The word prefilter reads headings in any case, as the heading check
    /// does: an upper-case `INCIDENT` or a setext `On-Call` still opens a
    /// region.
    #[test]
    fn runbook_headings_in_any_case_pass_the_prefilter() {
        let d = extract("README.md", "# App\n\n## INCIDENT Handling\n\nRoll back.\n").unwrap();
        assert_eq!(d.runbook_line, 3);
        let d = extract(
            "README.md",
            "App\n===\n\nOn-Call\n-------\n\nPage the lead.\n",
        )
        .unwrap();
        assert_eq!(d.runbook_line, 4);
        assert!(extract("README.md", "# App\n\nSee operations.\n").is_none());
    }
}
