//! The rule catalogue as users browse it: `graduate rules`, grouped by pillar
//! in the plan's order and at most 80 columns wide so that it reads the same
//! in a terminal, a CI log and a pasted issue (or JSON, for tools); and the
//! nearest rule id when `graduate explain` is given one that does not exist,
//! as cargo and git suggest the command you meant.

use unicode_width::UnicodeWidthStr;

use crate::rules::{self, Pillar, RuleMeta};

/// Columns of the text listing.
pub const WIDTH: usize = 80;

/// One block per pillar: id, impact/risk/effort, title wrapped under itself.
pub fn text() -> String {
    let all = rules::all();
    let id_width = all.iter().map(|r| r.meta.id.width()).max().unwrap_or(0);
    let title_column = 2 + id_width + 2 + "i5 r5 e5".len() + 2;
    let mut out = String::new();
    for line in wrap(
        &format!(
            "{} rules in {} pillars. i r e: impact, risk and effort, 1 to 5 (the defaults; \
             .graduate.toml can override them). `graduate explain ID` says why.",
            all.len(),
            Pillar::ALL.len()
        ),
        WIDTH,
    ) {
        out.push_str(&line);
        out.push('\n');
    }
    for pillar in Pillar::ALL {
        out.push('\n');
        out.push_str(pillar.id());
        out.push('\n');
        for rule in all.iter().filter(|r| r.meta.pillar == pillar) {
            let m = &rule.meta;
            let mut title = m.title.clone();
            if m.per_site {
                // A no-break space: "(per" and "site)" stay on one line.
                title.push_str(" (per\u{a0}site)");
            }
            let head = format!(
                "  {}{}  i{} r{} e{}  ",
                m.id,
                " ".repeat(id_width - m.id.width()),
                m.impact,
                m.risk,
                m.effort
            );
            for (i, line) in wrap(&title, WIDTH - title_column).iter().enumerate() {
                if i == 0 {
                    out.push_str(&head);
                } else {
                    out.push_str(&" ".repeat(title_column));
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// The catalogue as a JSON array, one object per rule, in listing order.
pub fn json() -> String {
    let rows: Vec<Row> = Pillar::ALL
        .iter()
        .flat_map(|p| rules::all().iter().filter(move |r| r.meta.pillar == *p))
        .map(|r| row(&r.meta))
        .collect();
    // Plain strings and numbers: serialising cannot fail.
    let mut out = serde_json::to_string_pretty(&rows).expect("rule rows serialise");
    out.push('\n');
    out
}

/// One rule in `graduate rules --format json`, fields in reading order.
#[derive(serde::Serialize)]
struct Row<'a> {
    id: &'a str,
    pillar: &'static str,
    title: &'a str,
    /// One finding per bad site, or one for the repository.
    per_site: bool,
    /// Where its sites may be (`server`, `edge` …).
    scopes: Vec<&'static str>,
    impact: u8,
    risk: u8,
    effort: u8,
    /// impact × risk × (6 − effort), as in docs/scoring.md.
    priority: u32,
    /// Plan week, 0–4.
    week: u8,
    fix: &'a str,
}

fn row(m: &RuleMeta) -> Row<'_> {
    Row {
        id: &m.id,
        pillar: m.pillar.id(),
        title: &m.title,
        per_site: m.per_site,
        scopes: m.scopes.iter().map(|s| s.id()).collect(),
        impact: m.impact,
        risk: m.risk,
        effort: m.effort,
        priority: crate::score::priority(m.impact, m.risk, m.effort),
        week: m.week,
        fix: &m.fix,
    }
}

/// Words into lines of at most `width` columns (a longer word gets a line of
/// its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The rule id closest to a mistyped one: a typo (`outbound-timout`), another
/// spelling (`OUTBOUND_TIMEOUT`), or a word of the id (`timeout`). `None` when
/// nothing is close enough to be worth suggesting.
pub fn closest_id(typed: &str) -> Option<&'static str> {
    let wanted = typed.trim().to_ascii_lowercase().replace(['_', ' '], "-");
    if wanted.is_empty() {
        return None;
    }
    let ids = rules::all().iter().map(|r| r.meta.id.as_str());
    let best = ids
        .clone()
        .map(|id| (strsim::jaro_winkler(&wanted, id), id))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score >= 0.85)
        .map(|(_, id)| id);
    // A whole word of one id only (`timeout`, `codeowners`).
    let by_word = || {
        let mut matches = ids
            .clone()
            .filter(|id| id.split('-').any(|w| w == wanted) || *id == wanted);
        let first = matches.next()?;
        matches.next().is_none().then_some(first)
    };
    best.or_else(by_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_fits_80_columns_and_groups_every_rule_under_its_pillar() {
        let text = text();
        for line in text.lines() {
            assert!(line.width() <= WIDTH, "{} columns: {line}", line.width());
        }
        let mut pillar = None;
        let mut seen = Vec::new();
        for line in text.lines().skip_while(|l| !l.is_empty()) {
            if let Some(p) = Pillar::ALL.iter().find(|p| line == p.id()) {
                pillar = Some(*p);
            } else if let Some(id) = line
                .strip_prefix("  ")
                .filter(|l| !l.starts_with(' '))
                .and_then(|l| l.split(' ').next())
            {
                let rule = rules::find(id).unwrap_or_else(|| panic!("no rule `{id}`"));
                assert_eq!(
                    Some(rule.meta.pillar),
                    pillar,
                    "{id} under the wrong pillar"
                );
                seen.push(id.to_string());
            }
        }
        assert_eq!(seen.len(), rules::all().len(), "every rule once");
    }

    #[test]
    fn a_long_title_wraps_under_itself() {
        let lines = wrap("Every retry waits with backoff and jitter and gives up", 20);
        assert_eq!(
            lines,
            [
                "Every retry waits",
                "with backoff and",
                "jitter and gives up"
            ]
        );
        assert_eq!(
            wrap("one-very-long-word here", 5),
            ["one-very-long-word", "here"]
        );
        assert_eq!(wrap("a b (per\u{a0}site)", 6), ["a b", "(per\u{a0}site)"]);
    }

    #[test]
    fn typos_other_spellings_and_words_find_the_rule() {
        assert_eq!(closest_id("outbound-timout"), Some("outbound-timeout"));
        assert_eq!(closest_id("outbund-timeout"), Some("outbound-timeout"));
        assert_eq!(closest_id("OUTBOUND_TIMEOUT"), Some("outbound-timeout"));
        assert_eq!(closest_id("hardcoded-secrets"), Some("hardcoded-secret"));
        assert_eq!(closest_id("timeout"), Some("outbound-timeout"));
        assert_eq!(closest_id("codeowner"), Some("codeowners"));
        assert_eq!(closest_id("kubernetes"), None);
        assert_eq!(closest_id(""), None);
    }
}
