//! Terminal report: score, pillar bars, sign-off, then the debt in priority
//! order, each item with `path:line` and a one-line fix. Fits 80 columns;
//! colour only when asked for or when stdout is a terminal without NO_COLOR.

use std::fmt::Write;

use owo_colors::OwoColorize;

use super::{DebtItem, Report};
use crate::rules::Status;

const WIDTH: usize = 80;
/// Debt items shown in full; the rest are summarised.
const SHOWN: usize = 25;

struct Paint(bool);

impl Paint {
    fn bold(&self, s: &str) -> String {
        if self.0 {
            s.bold().to_string()
        } else {
            s.to_string()
        }
    }
    fn dim(&self, s: &str) -> String {
        if self.0 {
            s.dimmed().to_string()
        } else {
            s.to_string()
        }
    }
    fn score(&self, s: &str, score: u32) -> String {
        if !self.0 {
            return s.to_string();
        }
        match score {
            75.. => s.green().to_string(),
            50..=74 => s.yellow().to_string(),
            _ => s.red().to_string(),
        }
    }
    fn status(&self, status: &str) -> String {
        let mark = match status {
            "pass" => "✓",
            "fail" => "✗",
            _ => "?",
        };
        if !self.0 {
            return mark.to_string();
        }
        match status {
            "pass" => mark.green().to_string(),
            "fail" => mark.red().to_string(),
            _ => mark.yellow().to_string(),
        }
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(
        o,
        "{} {} — {}",
        p.bold("graduate"),
        report.tool.version,
        report.root
    );
    let _ = writeln!(o);
    match report.score {
        Some(score) => {
            let _ = writeln!(
                o,
                "  Readiness  {}  grade {}   level {} {}",
                p.score(&format!("{score:>3}/100"), score),
                p.bold(report.grade.unwrap_or("n/a")),
                report.level.current,
                report.level.name
            );
        }
        None => {
            let _ = writeln!(
                o,
                "  Readiness  {}  grade n/a   level {} {}",
                p.bold("no score"),
                report.level.current,
                report.level.name
            );
            let why = report.unscored.as_deref().unwrap_or("no app found");
            for l in wrap(why, WIDTH - 13) {
                let _ = writeln!(o, "             {}", p.dim(&l));
            }
        }
    }
    waiver_effect_line(o, &p, report);
    baseline_line(o, &p, report);
    let c = &report.coverage;
    let pending = if c.pending.is_empty() {
        String::new()
    } else {
        format!(", {} pending", c.pending.len())
    };
    let percent = c.percent.map_or("n/a".to_string(), |p| format!("{p}%"));
    let _ = writeln!(
        o,
        "  Coverage   {percent:>4}  {} of {} checks evaluated ({} unknown, {} not applicable{pending})",
        c.evaluated, c.total, c.unknown, c.not_applicable
    );
    if let Some(pr) = &report.pressure {
        let over = pr.signals.iter().filter(|s| s.over == Some(true)).count();
        let known = pr.signals.iter().filter(|s| s.over.is_some()).count();
        let measured = if pr.history_unknown.is_some() {
            format!("history unknown, {over} of {known} code signals over threshold")
        } else {
            format!("{over} of {known} measured signals over threshold")
        };
        let _ = writeln!(
            o,
            "  Pressure   {} — {measured}",
            p.bold(&pr.verdict_words())
        );
    }
    apps_section(o, &p, report);
    let _ = writeln!(o);
    // With no app there is no pillar to score either.
    for pillar in report.pillars.iter().filter(|_| report.score.is_some()) {
        match pillar.score {
            Some(s) => {
                let filled = (s as usize * 30).div_ceil(100);
                let bar = format!("{}{}", "█".repeat(filled), "░".repeat(30 - filled));
                let _ = writeln!(
                    o,
                    "  {:<14} {} {:>3}   {}",
                    pillar.id,
                    p.score(&bar, s),
                    s,
                    p.dim(&format!("{}/{} checks", pillar.evaluated, pillar.total))
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  {:<14} {}",
                    pillar.id,
                    p.dim(if pillar.total == 0 {
                        "no checks yet"
                    } else {
                        "not evaluated (no check passed or failed)"
                    })
                );
            }
        }
    }
    if report.score.is_some() {
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "  {}", p.bold("Sign-off"));
    for g in &report.signoff {
        let line = format!("{:<20} {}", g.gate, g.reason);
        let _ = writeln!(
            o,
            "    {} {}",
            p.status(g.status.id()),
            truncate(&line, WIDTH - 6)
        );
    }
    // Unknown first: it is what the score does not rest on and could.
    for (status, heading) in [
        (Status::Unknown, "Unknown (could not tell; not scored)"),
        (Status::NotApplicable, "Not applicable (nothing to check)"),
    ] {
        let of: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.status == status)
            .collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "  {}", p.bold(heading));
        for c in of {
            let line = format!("{}: {}", c.id, c.skip_reason.as_deref().unwrap_or(""));
            let _ = writeln!(o, "    {}", p.dim(&truncate(&line, WIDTH - 4)));
        }
    }
    let _ = writeln!(o);
    if report.debt.is_empty() {
        let _ = writeln!(o, "  {}", p.bold("No debt found."));
    } else {
        let _ = writeln!(
            o,
            "  {} ({} item{}, by priority = impact × risk × (6 − effort))",
            p.bold("Debt"),
            report.debt.len(),
            if report.debt.len() == 1 { "" } else { "s" }
        );
        for item in report.debt.iter().take(SHOWN) {
            debt_item(o, &p, item, report);
        }
        if report.debt.len() > SHOWN {
            let _ = writeln!(
                o,
                "  … and {} more (use --format json for all)",
                report.debt.len() - SHOWN
            );
        }
    }
    if report.plan.iter().any(|w| !w.items.is_empty()) {
        let _ = writeln!(o);
        let _ = writeln!(o, "  {}", p.bold("Plan"));
        for w in &report.plan {
            let _ = writeln!(o, "    Week {} · {}", w.week, w.title);
            let items: Vec<String> = w
                .items
                .iter()
                .map(|i| {
                    let places = if i.sites > 1 {
                        format!(", {} places", i.sites)
                    } else {
                        String::new()
                    };
                    format!("{} ({}{places})", i.rule, i.effort_text)
                })
                .collect();
            if items.is_empty() {
                let _ = writeln!(o, "      {}", p.dim("nothing to do"));
            }
            for l in wrap(&items.join(", "), WIDTH - 6) {
                let _ = writeln!(o, "      {l}");
            }
        }
    }
    if let Some(pr) = &report.pressure {
        let _ = writeln!(o);
        let _ = writeln!(o, "  {}", p.bold("Graduation pressure"));
        for s in &pr.signals {
            let value = s.value.map_or("unknown".to_string(), |v| format!("{v}"));
            let mark = match s.over {
                Some(true) => "▲",
                Some(false) => "·",
                None => "?",
            };
            let line = format!(
                "{mark} {:<17} {:>8}  (threshold {})",
                s.id, value, s.threshold
            );
            let _ = writeln!(o, "    {}", truncate(&line, WIDTH - 4));
        }
        for r in &pr.reasons {
            for l in wrap(r, WIDTH - 4) {
                let _ = writeln!(o, "    {}", p.dim(&l));
            }
        }
        for h in pr.hotspots.iter().take(3) {
            let line = format!(
                "hotspot {} — {} changes, {} lines{}",
                h.path,
                h.changes,
                h.lines,
                if h.debt.is_empty() {
                    String::new()
                } else {
                    format!(", debt: {}", h.debt.join(", "))
                }
            );
            let _ = writeln!(o, "    {}", truncate(&line, WIDTH - 4));
        }
    }
    let steps = report.next_steps();
    if !steps.is_empty() {
        let _ = writeln!(o);
        for step in steps {
            for (i, l) in wrap(&step, WIDTH - 4).iter().enumerate() {
                let _ = writeln!(o, "  {}{l}", if i == 0 { "" } else { "  " });
            }
        }
    }
    fixed_section(o, &p, report);
    waivers_section(o, &p, report);
    gates_section(o, &p, report);
    if !report.warnings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "  {} ({})", p.bold("Warnings"), report.warnings.len());
        for w in &report.warnings {
            let line = if w.path.is_empty() {
                w.message.to_string()
            } else {
                format!("{}: {}", w.path, w.message)
            };
            let _ = writeln!(o, "    {}", truncate(&line, WIDTH - 4));
        }
    }
    out
}

/// Several apps: one line each, and the libraries listed.
fn apps_section(o: &mut String, p: &Paint, report: &Report) {
    let rows = report.app_rows();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "  Apps       {} (the repository is rated by its weakest app)",
        rows.len()
    );
    let width = rows.iter().map(|r| r.root.len()).max().unwrap_or(0);
    for r in &rows {
        // Padded before painting: colour codes have no width.
        let root = format!("{:<width$}", r.root);
        let _ = writeln!(
            o,
            "    {}  {:<12}  level {}  coverage {}",
            p.bold(&root),
            r.score,
            r.level,
            r.coverage,
        );
        let _ = writeln!(o, "    {:<width$}  {}", "", p.dim(&r.stack));
        if !r.next.is_empty() {
            for l in wrap(&format!("next: {}", r.next), WIDTH - 6 - width) {
                let _ = writeln!(o, "    {:<width$}  {}", "", p.dim(&l));
            }
        }
    }
    if !report.libraries.is_empty() {
        let libs: Vec<&str> = report.libraries.iter().map(|l| l.root.as_str()).collect();
        let _ = writeln!(o, "  Libraries  {} (listed, not scored)", libs.join(", "));
    }
}

/// "  Waivers    64, 51 without 3 waivers" when the waivers change the score.
fn waiver_effect_line(o: &mut String, p: &Paint, report: &Report) {
    if let Some(sentence) = report.waiver_effect.as_ref().and_then(|e| e.sentence()) {
        let _ = writeln!(o, "  Waivers    {}", p.dim(&sentence));
    }
}

/// "  Baseline   +3 since abc1234 · 2 new · 1 fixed" with `--baseline`.
fn baseline_line(o: &mut String, p: &Paint, report: &Report) {
    let Some(b) = &report.baseline else { return };
    let change = match b.score_delta {
        Some(d) => format!("{d:+} since "),
        None => "since ".to_string(),
    };
    let since = b
        .commit
        .as_deref()
        .map_or("the baseline".to_string(), |c| c.chars().take(7).collect());
    let line = format!(
        "{change}{since} · {} new · {} fixed",
        b.new.len(),
        b.fixed.len()
    );
    let _ = writeln!(o, "  Baseline   {}", p.dim(&truncate(&line, WIDTH - 13)));
}

/// Baseline items that are gone.
fn fixed_section(o: &mut String, p: &Paint, report: &Report) {
    let Some(b) = report.baseline.as_ref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "  {} ({})",
        p.bold("Fixed since the baseline"),
        b.fixed.len()
    );
    for f in b.fixed.iter().take(SHOWN) {
        let line = format!("{} {} — {}", f.rule, f.location(), f.message);
        let _ = writeln!(o, "    {}", truncate(&line, WIDTH - 4));
    }
}

/// Every waiver: what, where, why, who, until when, and its status.
fn waivers_section(o: &mut String, p: &Paint, report: &Report) {
    if report.waivers.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let hidden: usize = report
        .waivers
        .iter()
        .filter(|w| w.status == crate::waivers::Status::Active)
        .map(|w| w.hides)
        .sum();
    let _ = writeln!(
        o,
        "  {} ({}, hiding {hidden} finding{})",
        p.bold("Waivers"),
        report.waivers.len(),
        if hidden == 1 { "" } else { "s" }
    );
    for w in &report.waivers {
        let mark = match (w.status, w.problems.is_empty()) {
            (crate::waivers::Status::Ignored, _) => "unknown",
            (_, true) => "pass",
            (_, false) => "fail",
        };
        let scope = if w.source == crate::waivers::Source::Inline {
            String::new()
        } else {
            format!(", {}", w.scope)
        };
        let line = format!("{} {} ({}{scope})", w.location(), w.rule, w.status.id());
        let _ = writeln!(o, "    {} {}", p.status(mark), truncate(&line, WIDTH - 6));
        let mut why = vec![format!(
            "why: {}",
            w.reason.as_deref().unwrap_or("(no reason given)")
        )];
        if let Some(owner) = &w.owner {
            why.push(format!("owner {owner}"));
        }
        if let Some(until) = &w.expires {
            why.push(format!("until {until}"));
        }
        for l in wrap(&why.join(" · "), WIDTH - 8) {
            let _ = writeln!(o, "      {l}");
        }
        if !w.problems.is_empty() {
            let problems: Vec<&str> = w.problems.iter().map(|s| s.as_str()).collect();
            for l in wrap(&problems.join("; "), WIDTH - 8) {
                let _ = writeln!(o, "      {}", p.dim(&l));
            }
        }
    }
}

/// The pull-request gates this run was held to, failed ones with what
/// tripped them.
fn gates_section(o: &mut String, p: &Paint, report: &Report) {
    if report.gates.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "  {}", p.bold("Gates"));
    for g in &report.gates {
        let line = format!("{:<13} {}", g.gate, g.message);
        let status = if g.passed { "pass" } else { "fail" };
        let _ = writeln!(
            o,
            "    {} {}",
            p.status(status),
            truncate(&line, WIDTH - 11)
        );
        for f in g.findings.iter().take(10) {
            let _ = writeln!(o, "           {}", truncate(f, WIDTH - 11));
        }
    }
}

fn debt_item(o: &mut String, p: &Paint, item: &DebtItem, report: &Report) {
    let new = match &report.baseline {
        Some(b) if b.is_new(&item.fingerprint) => "  NEW",
        _ => "",
    };
    let head = format!(
        "{:>5}  {}  {}{new}",
        item.priority,
        item.rule,
        item.location()
    );
    let _ = writeln!(o, "  {}", p.bold(&truncate(&head, WIDTH - 2)));
    let scores = format!(
        "impact {} · risk {} · effort {} · week {}{}",
        item.impact,
        item.risk,
        item.effort,
        item.week,
        item.hotspot
            .map(|n| format!(" · hotspot ({n} changes): risk +1"))
            .unwrap_or_default()
    );
    let _ = writeln!(o, "         {}", p.dim(&scores));
    for l in wrap(&item.message, WIDTH - 9) {
        let _ = writeln!(o, "         {l}");
    }
    if let Some(w) = &item.waiver {
        for l in wrap(&format!("back: {w}"), WIDTH - 9) {
            let _ = writeln!(o, "         {l}");
        }
    }
    let fix = format!("fix: {}", item.remediation);
    for l in wrap(&fix, WIDTH - 9) {
        let _ = writeln!(o, "         {}", p.dim(&l));
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width - 1).collect();
    t.push('…');
    t
}

/// Greedy word wrap; words longer than the width are cut.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let word = truncate(word, width);
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width() {
        let lines = wrap("aaa bbb ccc ddd", 7);
        assert_eq!(lines, vec!["aaa bbb", "ccc ddd"]);
        assert!(wrap(&"x".repeat(100), 10)[0].chars().count() <= 10);
    }
}
