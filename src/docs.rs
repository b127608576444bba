//! Rule documentation generated from the same metadata as `graduate explain`;
//! `docs/rules/<id>.md` is checked for staleness by a test.

use crate::rules::RuleMeta;
use crate::score::priority;

pub fn rule_markdown(m: &RuleMeta) -> String {
    format!(
        "# `{id}` — {title}\n\n\
         Pillar: **{pillar}** · {kind} · plan week {week} · sites in: {scopes} \
         ([scopes](../scopes.md))\n\n\
         | impact | risk | effort | priority |\n|---|---|---|---|\n| {i} | {r} | {e} | {p} |\n\n\
         ## Why it matters\n\n{why}\n\n\
         ## What it checks\n\n{detection}\n\n\
         ## How to fix it\n\n{remediation}\n\n{by_stack}\
         ## Why these scores\n\n{rationale}\n\n\
         ## Example\n\nFails:\n\n```\n{fail}\n```\n\nPasses:\n\n```\n{pass}\n```\n",
        id = m.id,
        title = m.title,
        pillar = m.pillar.id(),
        kind = if m.per_site { "per site" } else { "whole app" },
        week = m.week,
        scopes = if m.scopes.len() == crate::inventory::Scope::ALL.len() {
            "every scope".to_string()
        } else {
            m.scopes
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(", ")
        },
        i = m.impact,
        r = m.risk,
        e = m.effort,
        p = priority(m.impact, m.risk, m.effort),
        why = m.why.trim(),
        detection = m.detection.trim(),
        remediation = m.remediation.trim(),
        by_stack = by_stack(m),
        rationale = m.rationale.trim(),
        fail = m.example.fail.trim_end(),
        pass = m.example.pass.trim_end(),
    )
}

/// The one-line fix a report shows, per stack, when the rule has them.
fn by_stack(m: &RuleMeta) -> String {
    let f = &m.fix_for;
    let lines: Vec<String> = [
        ("Node", &f.node),
        ("Python", &f.python),
        ("Go", &f.go),
        ("Rust", &f.rust),
    ]
    .iter()
    .filter_map(|(stack, fix)| fix.as_ref().map(|fix| format!("- {stack}: {fix}\n")))
    .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("In a report, by the app's stack:\n\n{}\n", lines.concat())
}

/// A rule page (Markdown) for the terminal: headings as plain lines, bold
/// when coloured; paragraphs and list items wrapped to `width` columns;
/// the score table as aligned columns; code blocks indented and never
/// wrapped (an example keeps its shape); code spans keep their backticks
/// unless colour shows them; links show their text. Read as CommonMark by
/// pulldown-cmark, so what GitHub shows as the docs/rules page is what the
/// terminal shows, less the markup.
pub fn for_terminal(markdown: &str, width: usize, color: bool) -> String {
    use owo_colors::OwoColorize;
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};

    let width = width.clamp(40, 120);
    let mut out = String::new();
    // Inline text of the block being read.
    let mut buf = String::new();
    let mut list_depth = 0usize;
    let mut table: Vec<Vec<String>> = Vec::new();
    let bold = |s: &str| {
        if color {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    };
    let flush = |out: &mut String, buf: &mut String, indent: usize, hang: usize| {
        let text = std::mem::take(buf);
        if text.trim().is_empty() {
            return;
        }
        let first = " ".repeat(indent);
        let rest = " ".repeat(indent + hang);
        let opts = textwrap::Options::new(width)
            .initial_indent(&first)
            .subsequent_indent(&rest)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(true);
        for line in textwrap::wrap(text.trim(), opts) {
            out.push_str(&line);
            out.push('\n');
        }
    };
    for event in Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => buf.clear(),
            Event::End(TagEnd::Heading(_)) => {
                let mut lines = String::new();
                flush(&mut lines, &mut buf, 0, 0);
                for line in lines.lines() {
                    out.push_str(&bold(line));
                    out.push('\n');
                }
                out.push('\n');
            }
            Event::End(TagEnd::Paragraph) if list_depth == 0 => {
                flush(&mut out, &mut buf, 0, 0);
                out.push('\n');
            }
            Event::Start(Tag::List(_)) => {
                if list_depth > 0 {
                    flush(&mut out, &mut buf, 2 * list_depth - 2, 2);
                }
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                list_depth -= 1;
                if list_depth == 0 {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => buf.push_str("• "),
            Event::End(TagEnd::Item) => flush(&mut out, &mut buf, 2 * list_depth - 2, 2),
            Event::End(TagEnd::CodeBlock) => {
                for line in std::mem::take(&mut buf).lines() {
                    out.push_str("    ");
                    out.push_str(line);
                    out.push('\n');
                }
                out.push('\n');
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => table.push(Vec::new()),
            Event::End(TagEnd::TableCell) => {
                let cell = std::mem::take(&mut buf);
                if let Some(row) = table.last_mut() {
                    row.push(cell.trim().to_string());
                }
            }
            Event::End(TagEnd::Table) => {
                let cols = table.iter().map(Vec::len).max().unwrap_or(0);
                let widths: Vec<usize> = (0..cols)
                    .map(|c| {
                        table
                            .iter()
                            .filter_map(|r| r.get(c))
                            .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
                            .max()
                            .unwrap_or(0)
                    })
                    .collect();
                for row in std::mem::take(&mut table) {
                    let cells: Vec<String> = row
                        .iter()
                        .zip(&widths)
                        .map(|(s, w)| {
                            let pad = w - unicode_width::UnicodeWidthStr::width(s.as_str());
                            format!("{s}{}", " ".repeat(pad))
                        })
                        .collect();
                    out.push_str(cells.join("  ").trim_end());
                    out.push('\n');
                }
                out.push('\n');
            }
            Event::Text(t) => buf.push_str(&t),
            Event::Code(c) => {
                if color {
                    buf.push_str(&c.cyan().to_string());
                } else {
                    buf.push('`');
                    buf.push_str(&c);
                    buf.push('`');
                }
            }
            Event::SoftBreak => buf.push(' '),
            Event::HardBreak => buf.push('\n'),
            _ => {}
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn a_rule_page_reads_as_plain_text_within_the_width() {
        for rule in crate::rules::all() {
            let text = for_terminal(&rule_markdown(&rule.meta), 60, false);
            for line in text.lines() {
                // Example code blocks keep their shape; prose fits.
                if !line.starts_with("    ") {
                    assert!(line.width() <= 60, "{}: {line}", rule.meta.id);
                }
            }
            // Markup is read, not shown (outside the examples, which are
            // shown as they are: a RUNBOOK.md example has its own `##`).
            let prose: String = text
                .lines()
                .filter(|l| !l.starts_with("    "))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(!prose.contains("## "), "{text}");
            assert!(!prose.contains("|---"), "{text}");
            assert!(!prose.contains("**"), "{text}");
            assert!(text.contains("How to fix it\n"), "{text}");
            assert!(text.contains("impact  risk  effort  priority"), "{text}");
        }
    }
}
