//! Terminal report: the verdict, score, coverage and pillar bars, then the
//! debt grouped by rule, the plan, and the way to the next level; compact by
//! default (a typical repository fits one screen, about 40 lines), every
//! finding with `--all`.
//!
//! Width is the terminal's (or `COLUMNS`, 80 when standard output is not a
//! terminal; see [`width`]). Every line is measured in terminal columns, not
//! characters (`unicode-width`: a CJK character takes two), and wrapped by
//! `textwrap`, so a path of wide characters cannot run past the edge. A long
//! path is shortened in the middle: the file name and `:line` always show.
//! Colour only when asked for or when standard output is a terminal that
//! shows it (the caller decides, see `cli::colour`).

use std::fmt::Write;

use owo_colors::OwoColorize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{DebtItem, Report};
use crate::rules::Status;

/// Below this, nothing useful fits; above it, lines are too long to read.
const MIN_WIDTH: usize = 40;
const MAX_WIDTH: usize = 120;
/// Rules shown in the compact debt list (each with its count of sites).
const RULES_SHOWN: usize = 5;
/// Sites named per rule in the compact list.
const SITES_SHOWN: usize = 2;
/// Waivers, warnings and checks listed before "and N more" (compact).
const LISTED: usize = 3;

/// How the report is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub color: bool,
    /// Terminal columns.
    pub width: usize,
    /// `--all`: every finding, waiver, warning and hotspot.
    pub all: bool,
}

impl Layout {
    /// Colour as given, the width of the terminal, compact.
    pub fn new(color: bool, width: usize) -> Layout {
        Layout {
            color,
            width: width.clamp(MIN_WIDTH, MAX_WIDTH),
            all: false,
        }
    }
}

/// The terminal's width: `COLUMNS` when set to a number (the convention
/// shells and `less` follow, and how a test fixes it), else the width of the
/// terminal on standard output, else 80 (a pipe, a file, CI logs).
pub fn width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .map_or(80, |(terminal_size::Width(w), _)| usize::from(w))
}

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

/// Writes lines into the report: each is cut or wrapped to the width before
/// it is painted, so escape codes never count as columns.
struct Out {
    s: String,
    p: Paint,
    width: usize,
}

impl Out {
    fn blank(&mut self) {
        self.s.push('\n');
    }
    /// One line, cut to the width.
    fn line(&mut self, indent: usize, text: &str, paint: fn(&Paint, &str) -> String) {
        let cut = truncate(text, self.width.saturating_sub(indent));
        let _ = writeln!(self.s, "{}{}", " ".repeat(indent), paint(&self.p, &cut));
    }
    /// A paragraph wrapped to the width; continuation lines indented by
    /// `hang` more columns.
    fn para(&mut self, indent: usize, hang: usize, text: &str, paint: fn(&Paint, &str) -> String) {
        for (i, l) in wrap(text, self.width, indent, hang).into_iter().enumerate() {
            let pad = if i == 0 { indent } else { indent + hang };
            let _ = writeln!(self.s, "{}{}", " ".repeat(pad), paint(&self.p, &l));
        }
    }
    /// A paragraph in full with `--all`, else its first line, cut.
    fn brief(
        &mut self,
        all: bool,
        indent: usize,
        hang: usize,
        text: &str,
        paint: fn(&Paint, &str) -> String,
    ) {
        if all {
            self.para(indent, hang, text, paint);
        } else {
            self.line(indent, text, paint);
        }
    }
}

fn plain(_: &Paint, s: &str) -> String {
    s.to_string()
}
fn bold(p: &Paint, s: &str) -> String {
    p.bold(s)
}
fn dim(p: &Paint, s: &str) -> String {
    p.dim(s)
}

pub fn render(report: &Report, layout: Layout) -> String {
    let width = layout.width.clamp(MIN_WIDTH, MAX_WIDTH);
    let mut o = Out {
        s: String::new(),
        p: Paint(layout.color),
        width,
    };
    header(&mut o, report);
    pillars(&mut o, report);
    signoff(&mut o, report, layout.all);
    skipped(&mut o, report, layout.all);
    debt(&mut o, report, layout.all);
    plan(&mut o, report, layout.all);
    pressure(&mut o, report, layout.all);
    next_steps(&mut o, report);
    fixed_section(&mut o, report, layout.all);
    waivers_section(&mut o, report);
    gates_section(&mut o, report);
    warnings(&mut o, report, layout.all);
    o.s
}

fn header(o: &mut Out, report: &Report) {
    let title = if report.root.as_str() == report.name.as_str() {
        report.name.to_string()
    } else {
        format!("{} ({})", report.name, report.root)
    };
    let head = format!("graduate {} — {title}", report.tool.version);
    o.line(0, &head, bold);
    o.blank();
    let level = format!("level {} {}", report.level.current, report.level.name);
    match report.score {
        Some(score) => {
            let grade = report.grade.unwrap_or("n/a");
            let score_text = format!("{score:>3}/100");
            let rest = format!("  grade {grade}   {level}");
            // Painted pieces are measured before they are painted.
            let fits = 13 + score_text.len() + rest.width() <= o.width;
            let _ = writeln!(
                o.s,
                "  Readiness  {}{}",
                o.p.score(&score_text, score),
                if fits {
                    rest
                } else {
                    truncate(&rest, o.width.saturating_sub(20))
                }
            );
        }
        None => {
            o.line(2, &format!("Readiness  no score   {level}"), plain);
            let why = report.unscored.as_deref().unwrap_or("no app found");
            o.para(13, 0, why, dim);
        }
    }
    waiver_effect_line(o, report);
    baseline_line(o, report);
    let c = &report.coverage;
    let pending = if c.pending.is_empty() {
        String::new()
    } else {
        format!(", {} pending", c.pending.len())
    };
    let percent = c.percent.map_or("n/a".to_string(), |p| format!("{p}%"));
    o.para(
        2,
        11,
        &format!(
            "Coverage   {percent:>4}  {} of {} checks evaluated ({} unknown, {} not applicable{pending})",
            c.evaluated, c.total, c.unknown, c.not_applicable
        ),
        plain,
    );
    if let Some(pr) = &report.pressure {
        let over = pr.signals.iter().filter(|s| s.over == Some(true)).count();
        let known = pr.signals.iter().filter(|s| s.over.is_some()).count();
        let measured = if pr.history_unknown.is_some() {
            format!("history unknown, {over} of {known} code signals over threshold")
        } else {
            format!("{over} of {known} measured signals over threshold")
        };
        o.para(
            2,
            11,
            &format!("Pressure   {} — {measured}", pr.verdict_words()),
            plain,
        );
    }
    apps_section(o, report);
    o.blank();
}

fn pillars(o: &mut Out, report: &Report) {
    // With no app there is no pillar to score either.
    if report.score.is_none() {
        return;
    }
    // The bar takes what the name, the number and the count leave.
    let bar_len = o.width.saturating_sub(2 + 14 + 1 + 4 + 3 + 12).clamp(4, 30);
    for pillar in &report.pillars {
        match pillar.score {
            Some(s) => {
                let filled = (s as usize * bar_len).div_ceil(100);
                let bar = format!("{}{}", "█".repeat(filled), "░".repeat(bar_len - filled));
                let _ = writeln!(
                    o.s,
                    "  {:<14} {} {:>3}   {}",
                    pillar.id,
                    o.p.score(&bar, s),
                    s,
                    o.p.dim(&format!("{}/{} checks", pillar.evaluated, pillar.total))
                );
            }
            None => {
                let why = if pillar.total == 0 {
                    "no checks yet"
                } else {
                    "not evaluated (no check passed or failed)"
                };
                o.line(2, &format!("{:<14} {why}", pillar.id), dim);
            }
        }
    }
    o.blank();
}

fn signoff(o: &mut Out, report: &Report, all: bool) {
    let passed = report
        .signoff
        .iter()
        .filter(|g| g.status.id() == "pass")
        .count();
    let head = format!("Sign-off: {passed} of {} gates pass", report.signoff.len());
    o.line(2, &head, bold);
    if all {
        for g in &report.signoff {
            let line = format!("{:<20} {}", g.gate, g.reason);
            let _ = writeln!(
                o.s,
                "    {} {}",
                o.p.status(g.status.id()),
                truncate(&line, o.width.saturating_sub(6))
            );
        }
        return;
    }
    // Compact: the marks and names, wrapped; the reasons are in --all.
    let items: Vec<(String, &str)> = report
        .signoff
        .iter()
        .map(|g| (o.p.status(g.status.id()), g.gate))
        .collect();
    let mut line = String::from("   ");
    let mut used = 3;
    for (mark, gate) in items {
        let w = 1 + 1 + gate.width() + 1;
        if used + w > o.width && used > 3 {
            let _ = writeln!(o.s, "{line}");
            line = String::from("   ");
            used = 3;
        }
        let _ = write!(line, " {mark} {gate}");
        used += w;
    }
    if used > 3 {
        let _ = writeln!(o.s, "{line}");
    }
}

/// Checks not evaluated: unknown first (what the score does not rest on
/// and could), then not applicable.
fn skipped(o: &mut Out, report: &Report, all: bool) {
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
        o.blank();
        if all {
            o.line(2, heading, bold);
            for c in of {
                let line = format!("{}: {}", c.id, c.skip_reason.as_deref().unwrap_or(""));
                o.para(4, 2, &line, dim);
            }
        } else {
            let ids: Vec<&str> = of.iter().map(|c| c.id.as_str()).collect();
            o.para(2, 2, &format!("{heading}: {}", ids.join(", ")), plain);
        }
    }
}

/// One rule's debt: its sites in priority order.
struct Group<'a> {
    sites: Vec<&'a DebtItem>,
}

fn groups(debt: &[DebtItem]) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = Vec::new();
    for d in debt {
        match out.iter_mut().find(|g| g.sites[0].rule == d.rule) {
            Some(g) => g.sites.push(d),
            None => out.push(Group { sites: vec![d] }),
        }
    }
    out
}

fn debt(o: &mut Out, report: &Report, all: bool) {
    o.blank();
    if report.debt.is_empty() {
        o.line(2, "No debt found.", bold);
        return;
    }
    let groups = groups(&report.debt);
    let head = format!(
        "Debt: {} item{} in {} rule{} (priority = impact × risk × (6 − effort))",
        report.debt.len(),
        plural(report.debt.len()),
        groups.len(),
        plural(groups.len())
    );
    o.para(2, 2, &head, bold);
    if all {
        for item in &report.debt {
            debt_item(o, item, report);
        }
        return;
    }
    for g in groups.iter().take(RULES_SHOWN) {
        let first = g.sites[0];
        let count = if g.sites.len() > 1 {
            format!(" ×{}", g.sites.len())
        } else {
            String::new()
        };
        // New since the baseline: a reviewer looks for these first.
        let new = match &report.baseline {
            Some(b) => g.sites.iter().filter(|d| b.is_new(&d.fingerprint)).count(),
            None => 0,
        };
        let new = match new {
            0 => String::new(),
            n if n == g.sites.len() => "  NEW".to_string(),
            n => format!("  {n} NEW"),
        };
        let head = format!("{:>5}  {}{count}{new}", first.priority, first.rule);
        let more = g.sites.len().saturating_sub(SITES_SHOWN);
        let more_text = if more > 0 {
            format!(" +{more} more")
        } else {
            String::new()
        };
        // The sites after the rule, each path shortened to its share of the
        // room; on a line of their own when they do not fit beside it.
        let sites = |room: usize| {
            let shown = g.sites.len().min(SITES_SHOWN);
            let each = room.saturating_sub(more_text.width() + 2 * shown) / shown.max(1);
            let names: Vec<String> = g
                .sites
                .iter()
                .take(SITES_SHOWN)
                .map(|d| shorten_path(&d.location(), each.max(16)))
                .collect();
            format!("{}{more_text}", names.join(", "))
        };
        let beside = format!(
            "{head}  {}",
            sites(o.width.saturating_sub(head.width() + 4))
        );
        if beside.width() + 2 <= o.width {
            o.line(2, &beside, bold);
        } else {
            o.line(2, &head, bold);
            o.line(9, &sites(o.width.saturating_sub(9)), plain);
        }
        // A lapsed waiver brought a site back.
        if let Some(w) = g.sites.iter().find_map(|d| d.waiver.as_ref()) {
            o.para(9, 0, &format!("back: {w}"), plain);
        }
        o.para(9, 5, &format!("fix: {}", first.remediation), dim);
    }
    if groups.len() > RULES_SHOWN {
        let rest: usize = groups.iter().skip(RULES_SHOWN).map(|g| g.sites.len()).sum();
        let line = format!(
            "… {} more rule{} ({rest} item{}); --all shows every finding",
            groups.len() - RULES_SHOWN,
            plural(groups.len() - RULES_SHOWN),
            plural(rest)
        );
        o.para(2, 2, &line, dim);
    }
}

fn debt_item(o: &mut Out, item: &DebtItem, report: &Report) {
    let new = match &report.baseline {
        Some(b) if b.is_new(&item.fingerprint) => "  NEW",
        _ => "",
    };
    let head = format!("{:>5}  {}  ", item.priority, item.rule);
    let room = o.width.saturating_sub(2 + head.width() + new.len());
    let line = format!(
        "{head}{}{new}",
        shorten_path(&item.location(), room.max(12))
    );
    o.line(2, &line, bold);
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
    o.para(9, 0, &scores, dim);
    o.para(9, 0, &item.message, plain);
    if let Some(w) = &item.waiver {
        o.para(9, 0, &format!("back: {w}"), plain);
    }
    o.para(9, 5, &format!("fix: {}", item.remediation), dim);
}

fn plan(o: &mut Out, report: &Report, all: bool) {
    if report.plan.iter().all(|w| w.items.is_empty()) {
        return;
    }
    o.blank();
    o.line(2, "Plan", bold);
    for w in &report.plan {
        let items: Vec<String> = w
            .items
            .iter()
            .map(|i| {
                if i.sites > 1 {
                    format!("{} ×{}", i.rule, i.sites)
                } else {
                    i.rule.clone()
                }
            })
            .collect();
        let line = match (items.is_empty(), all) {
            (true, _) => format!("Week {} · {} · nothing to do", w.week, w.title),
            // Compact: what the week costs; the debt above names the rules.
            (false, false) => format!(
                "Week {} · {} · {}, {}",
                w.week,
                w.title,
                w.effort_text,
                match items.len() {
                    1 => "1 fix".to_string(),
                    n => format!("{n} fixes"),
                }
            ),
            (false, true) => format!(
                "Week {} · {} · {}: {}",
                w.week,
                w.title,
                w.effort_text,
                items.join(", ")
            ),
        };
        o.brief(all, 4, 8, &line, plain);
    }
}

fn pressure(o: &mut Out, report: &Report, all: bool) {
    let Some(pr) = &report.pressure else { return };
    o.blank();
    o.line(2, "Graduation pressure", bold);
    if all {
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
            o.line(4, &line, plain);
        }
    } else {
        o.para(4, 2, &pr.signals_line(), plain);
    }
    // Without history the headline said so; the reasons add nothing then.
    if all || pr.history_unknown.is_none() {
        for r in &pr.reasons {
            o.para(4, 0, r, dim);
        }
    }
    for h in pr.hotspots.iter().take(if all { usize::MAX } else { 1 }) {
        let tail = format!(
            " — {} changes, {} lines{}",
            h.changes,
            h.lines,
            if h.debt.is_empty() {
                String::new()
            } else {
                format!(", debt: {}", h.debt.join(", "))
            }
        );
        let room = o.width.saturating_sub(4 + 8 + tail.width().min(40));
        let line = format!("hotspot {}{tail}", shorten_path(&h.path, room.max(12)));
        o.line(4, &line, plain);
    }
}

fn next_steps(o: &mut Out, report: &Report) {
    let steps = report.next_steps();
    if steps.is_empty() {
        return;
    }
    o.blank();
    for step in steps {
        o.para(2, 2, &step, plain);
    }
}

/// Several apps: one line each, and the libraries listed.
fn apps_section(o: &mut Out, report: &Report) {
    let rows = report.app_rows();
    if rows.is_empty() {
        return;
    }
    o.line(
        2,
        &format!(
            "Apps       {} (the repository is rated by its weakest app)",
            rows.len()
        ),
        plain,
    );
    let width = rows.iter().map(|r| r.root.len()).max().unwrap_or(0);
    for r in &rows {
        o.line(
            4,
            &format!(
                "{:<width$}  {:<12}  level {}  coverage {}",
                r.root, r.score, r.level, r.coverage
            ),
            plain,
        );
        o.line(6 + width, &r.stack, dim);
        if !r.next.is_empty() {
            o.para(6 + width, 0, &format!("next: {}", r.next), dim);
        }
    }
    if !report.libraries.is_empty() {
        let libs: Vec<&str> = report.libraries.iter().map(|l| l.root.as_str()).collect();
        o.para(
            2,
            11,
            &format!("Libraries  {} (listed, not scored)", libs.join(", ")),
            plain,
        );
    }
}

/// "  Waivers    64, 51 without 3 waivers" when the waivers change the score.
fn waiver_effect_line(o: &mut Out, report: &Report) {
    if let Some(sentence) = report.waiver_effect.as_ref().and_then(|e| e.sentence()) {
        o.para(2, 11, &format!("Waivers    {sentence}"), plain);
    }
}

/// "  Baseline   +3 since abc1234 · 2 new · 1 fixed" with `--baseline`.
fn baseline_line(o: &mut Out, report: &Report) {
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
        "Baseline   {change}{since} · {} new · {} fixed",
        b.new.len(),
        b.fixed.len()
    );
    o.line(2, &line, plain);
}

/// Baseline items that are gone (compact: the first few).
fn fixed_section(o: &mut Out, report: &Report, all: bool) {
    let Some(b) = report.baseline.as_ref().filter(|b| !b.fixed.is_empty()) else {
        return;
    };
    o.blank();
    o.line(
        2,
        &format!("Fixed since the baseline ({})", b.fixed.len()),
        bold,
    );
    let shown = if all { b.fixed.len() } else { LISTED };
    for f in b.fixed.iter().take(shown) {
        let at = shorten_path(&f.location(), o.width / 2);
        o.line(4, &format!("{} {at} — {}", f.rule, f.message), plain);
    }
    if b.fixed.len() > shown {
        o.line(4, &format!("… {} more (--all)", b.fixed.len() - shown), dim);
    }
}

/// Every waiver: what, where, why, who, until when, and its status (a
/// waiver is accountable, so every format names them).
fn waivers_section(o: &mut Out, report: &Report) {
    if report.waivers.is_empty() {
        return;
    }
    o.blank();
    let hidden: usize = report
        .waivers
        .iter()
        .filter(|w| w.status == crate::waivers::Status::Active)
        .map(|w| w.hides)
        .sum();
    let head = format!(
        "Waivers ({}, hiding {hidden} finding{})",
        report.waivers.len(),
        plural(hidden)
    );
    o.line(2, &head, bold);
    // All of them, compact or not: each waiver hides findings, and the
    // terminal is where a developer reviews what they waived.
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
        let tail = format!(" {} ({}{scope})", w.rule, w.status.id());
        let room = o.width.saturating_sub(6 + tail.width()).max(16);
        let line = format!("{}{tail}", shorten_path(&w.location(), room));
        let _ = writeln!(
            o.s,
            "    {} {}",
            o.p.status(mark),
            truncate(&line, o.width.saturating_sub(6))
        );
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
        o.para(6, 2, &why.join(" · "), plain);
        if !w.problems.is_empty() {
            let problems: Vec<&str> = w.problems.iter().map(|s| s.as_str()).collect();
            o.para(6, 2, &problems.join("; "), dim);
        }
    }
}

/// The pull-request gates this run was held to, failed ones with what
/// tripped them.
fn gates_section(o: &mut Out, report: &Report) {
    if report.gates.is_empty() {
        return;
    }
    o.blank();
    o.line(2, "Gates", bold);
    for g in &report.gates {
        let line = format!("{:<13} {}", g.gate, g.message);
        let status = if g.passed { "pass" } else { "fail" };
        let _ = writeln!(
            o.s,
            "    {} {}",
            o.p.status(status),
            truncate(&line, o.width.saturating_sub(6))
        );
        for f in g.findings.iter().take(10) {
            o.line(11, f, plain);
        }
    }
}

fn warnings(o: &mut Out, report: &Report, all: bool) {
    if report.warnings.is_empty() {
        return;
    }
    o.blank();
    let n = report.warnings.len();
    o.line(2, &format!("Warnings ({n})"), bold);
    let shown = if all { n } else { LISTED };
    for w in report.warnings.iter().take(shown) {
        let line = if w.path.is_empty() {
            w.message.to_string()
        } else {
            format!("{}: {}", shorten_path(&w.path, o.width / 2), w.message)
        };
        o.para(4, 2, &line, plain);
    }
    if n > shown {
        o.line(4, &format!("… {} more (--all)", n - shown), dim);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// At most `width` columns: the end gives way to `…`.
fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// The last `width` columns of `s`, after a `…`.
fn keep_tail(s: &str, width: usize) -> String {
    let mut tail: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        tail.push(c);
        used += w;
    }
    let mut out = String::from("…");
    out.extend(tail.into_iter().rev());
    out
}

/// A path (with its `:line`) in at most `width` columns: the directories
/// give way in the middle, the file name and `:line` stay whole
/// (`src/files/…/uploader.ts:12`). A file name longer than the width keeps
/// its end, where the extension and the line are.
pub fn shorten_path(path: &str, width: usize) -> String {
    if path.width() <= width {
        return path.to_string();
    }
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    // "…/" and the file name must fit, with a little of the start.
    if dir.is_empty() || file.width() + 2 >= width {
        return keep_tail(path, width);
    }
    let room = width - file.width() - 2;
    let mut head = String::new();
    let mut used = 0;
    for c in dir.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        head.push(c);
        used += w;
    }
    format!("{head}…/{file}")
}

/// Wrapped to the width at `indent`, continuation lines `hang` columns
/// further in (returned without the indent). Lines break at spaces only (a
/// rule id's hyphen is not a break), and a word wider than a line (a path of
/// wide characters) is broken by columns.
fn wrap(s: &str, width: usize, indent: usize, hang: usize) -> Vec<String> {
    let first = " ".repeat(indent);
    let rest = " ".repeat(indent + hang);
    let opts = textwrap::Options::new(width.max(indent + hang + 1))
        .initial_indent(&first)
        .subsequent_indent(&rest)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true);
    textwrap::wrap(s, opts)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let pad = if i == 0 { indent } else { indent + hang };
            l.get(pad..).unwrap_or_default().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_in_columns() {
        assert_eq!(wrap("aaa bbb ccc ddd", 17, 0, 0), vec!["aaa bbb ccc ddd"]);
        assert_eq!(
            wrap("aaa bbb ccc ddd eee", 11, 0, 0),
            vec!["aaa bbb ccc", "ddd eee"]
        );
        // The first line at the indent, the rest `hang` further in.
        assert_eq!(
            wrap("aaa bbb ccc ddd eee fff", 20, 8, 4),
            vec!["aaa bbb ccc", "ddd eee", "fff"]
        );
        // Rule ids stay whole.
        assert_eq!(
            wrap("fix env-file-committed", 20, 0, 0),
            vec!["fix", "env-file-committed"]
        );
        // Wide characters count two columns each; a word of them breaks.
        let cjk = "服务".repeat(40);
        for l in wrap(&format!("at {cjk}/x.js"), 40, 4, 2) {
            assert!(l.width() <= 36, "{l:?} is {} columns", l.width());
        }
    }

    #[test]
    fn paths_keep_the_file_name_and_line() {
        let p = "src/files/infrastructure/uploader/s3-presigned/files-uploader.service.ts:142";
        let s = shorten_path(p, 40);
        assert!(s.width() <= 40, "{s}");
        assert!(s.ends_with("/files-uploader.service.ts:142"), "{s}");
        assert!(s.starts_with("src/"), "{s}");
        assert_eq!(shorten_path("src/a.js:3", 40), "src/a.js:3");
        // A file name wider than the room keeps its end.
        let s = shorten_path(&format!("src/{}.js:9", "客户端".repeat(20)), 20);
        assert!(s.width() <= 20 && s.ends_with("端.js:9"), "{s}");
    }

    #[test]
    fn truncation_counts_columns() {
        let t = truncate(&"服".repeat(30), 11);
        assert!(t.width() <= 11, "{t}");
        assert!(t.ends_with('…'));
    }
}
