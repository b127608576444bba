//! `--format markdown`: the PR comment body. Short (about 60 lines at most),
//! renders on GitHub, and starts with a hidden marker so a bot can find and
//! edit its own comment. Every repository-derived string is escaped for
//! Markdown and inline HTML.

use std::fmt::Write;

use super::{DebtItem, Report};

/// Hidden marker identifying graduate's comment.
pub const MARKER: &str = "<!-- graduate:report -->";
/// Debt items shown in the table; the rest go into `<details>`.
const TOP: usize = 5;
/// Debt items listed inside `<details>`.
const REST: usize = 20;

pub fn render(report: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{MARKER}");
    let _ = writeln!(
        o,
        "### 🎓 graduate: **{}/100** · grade {} · level {} ({})",
        report.score, report.grade, report.level.current, report.level.name
    );
    let _ = writeln!(o);
    let filled = (report.score as usize).div_ceil(5);
    let mut line = format!("`{}{}`", "█".repeat(filled), "░".repeat(20 - filled));
    if let Some(b) = &report.baseline {
        let _ = write!(
            line,
            " **{:+}** since {} ({} → {}) · {} new · {} fixed",
            b.score_delta,
            b.commit
                .as_deref()
                .map_or("the baseline".to_string(), |c| format!("`{}`", short(c))),
            b.score_before,
            report.score,
            b.new.len(),
            b.fixed.len()
        );
    }
    let _ = writeln!(o, "{line}");
    if let Some(pr) = &report.pressure {
        let over = pr.signals.iter().filter(|s| s.over == Some(true)).count();
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "**Graduation pressure: {}** ({over} of {} signals over threshold)",
            pr.verdict.replace('-', " "),
            pr.signals.len()
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "| pillar | score |{}",
        if report.baseline.is_some() {
            " change |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        o,
        "|---|---|{}",
        if report.baseline.is_some() {
            "---|"
        } else {
            ""
        }
    );
    for p in &report.pillars {
        let score = p.score.map_or("–".to_string(), |s| s.to_string());
        let change = report.baseline.as_ref().map(|b| {
            match b
                .pillars
                .iter()
                .find(|d| d.id == p.id)
                .map(|d| (d.before, d.after))
            {
                Some((Some(before), Some(after))) if before != after => {
                    format!(" {:+} |", after as i64 - before as i64)
                }
                _ => " |".to_string(),
            }
        });
        let _ = writeln!(o, "| {} | {score} |{}", p.id, change.unwrap_or_default());
    }
    let _ = writeln!(o);
    if report.debt.is_empty() {
        let _ = writeln!(o, "No debt found.");
    } else {
        let _ = writeln!(o, "**Top debt** (priority = impact × risk × (6 − effort))");
        let _ = writeln!(o);
        let _ = writeln!(o, "| priority | rule | where | fix |");
        let _ = writeln!(o, "|---|---|---|---|");
        for d in report.debt.iter().take(TOP) {
            let _ = writeln!(
                o,
                "| {}{} | `{}` | {} | {} |",
                d.priority,
                new_mark(report, d),
                d.rule,
                location(report, d),
                escape(&d.remediation)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "**Sign-off**");
    let _ = writeln!(o);
    for g in &report.signoff {
        let mark = match g.status {
            "pass" => "✅",
            "fail" => "❌",
            _ => "❔",
        };
        let _ = writeln!(o, "- {mark} {} — {}", g.gate, escape(&g.reason));
    }
    let rest = report.debt.len().saturating_sub(TOP);
    let fixed = report.baseline.as_ref().map_or(0, |b| b.fixed.len());
    if rest > 0 || fixed > 0 {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "<details><summary>{rest} more debt item{}{}</summary>",
            if rest == 1 { "" } else { "s" },
            if fixed > 0 {
                format!(", {fixed} fixed")
            } else {
                String::new()
            }
        );
        let _ = writeln!(o);
        let mut lines = 0;
        for d in report.debt.iter().skip(TOP).take(REST) {
            let _ = writeln!(
                o,
                "- {}{} `{}` {} — {}",
                d.priority,
                new_mark(report, d),
                d.rule,
                location(report, d),
                escape(&d.message)
            );
            lines += 1;
        }
        if rest > REST {
            let _ = writeln!(o, "- … and {} more in the full report", rest - REST);
        }
        if let Some(b) = &report.baseline {
            for f in b.fixed.iter().take(REST.saturating_sub(lines).max(3)) {
                let _ = writeln!(
                    o,
                    "- fixed: `{}` {} — {}",
                    f.rule,
                    escape(&f.location()),
                    escape(&f.message)
                );
            }
            if b.fixed.len() > REST.saturating_sub(lines).max(3) {
                let _ = writeln!(o, "- … more fixed items in the full report");
            }
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "</details>");
    }
    o
}

fn new_mark(report: &Report, d: &DebtItem) -> &'static str {
    match &report.baseline {
        Some(b) if b.is_new(&d.fingerprint) => " 🆕",
        _ => "",
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

/// `path:line`, linked to `path#Lline` when the repository URL is known.
fn location(report: &Report, d: &DebtItem) -> String {
    let text = escape(&d.location());
    match (&report.source_url, &d.path) {
        (Some(base), Some(path)) => {
            let anchor = d.line.map(|l| format!("#L{l}")).unwrap_or_default();
            format!(
                "[{text}]({}{}{anchor})",
                base.trim_end_matches('/').to_string() + "/",
                url_path(path)
            )
        }
        _ => text,
    }
}

/// Percent-encode what would break a Markdown link target.
fn url_path(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Escape Markdown punctuation and HTML so a file name or message can
/// neither format nor inject anything.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '|' | '`' | '*' | '_' | '[' | ']' | '\\' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(escape("a|b <script>"), "a\\|b &lt;script&gt;");
        assert_eq!(url_path("src/a b.ts"), "src/a%20b.ts");
    }
}
