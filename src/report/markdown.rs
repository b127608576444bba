//! `--format markdown`: the PR comment body. Short (about 60 lines at most),
//! renders on GitHub, and starts with a hidden marker so a bot can find and
//! edit its own comment.
//!
//! The comment is posted on pull requests from strangers, so every string in
//! it that a repository or a baseline file controls (file names, rule ids,
//! messages, waiver reasons, warnings, a commit) is written by an attacker.
//! Raw, such a string pings people (`@user`, `@org/team`), links issues
//! (`#12`, `GH-12`, `owner/repo#12`) and sites (bare URLs, emails), breaks
//! the tables (`|`, a newline) and links (`](`), or opens an HTML comment
//! that hides the rest of the body and the sticky marker. Every such string
//! reaches the body through one function, [`inline`]: it drops the preview
//! of a secret (a comment names the provider and the fingerprint only),
//! clips the string, keeps the string's own code spans as code spans
//! (GitHub links nothing inside code), and escapes the rest, with a
//! zero-width joiner where GitHub would otherwise link or mention.
//! [`comment`] then fits the body into GitHub's size limit.

use std::borrow::Cow;
use std::fmt::Write;

use super::{DebtItem, GateStatus, Report};

/// Hidden marker identifying graduate's comment.
pub const MARKER: &str = "<!-- graduate:report -->";
/// Rules shown in the debt table (each once, with its count of sites);
/// the other sites go into `<details>`.
const TOP: usize = 5;
/// Debt items listed inside `<details>`, after the plan.
const REST: usize = 12;
/// Waivers and warnings listed; the rest are counted.
const LISTED: usize = 10;
/// The longest repository string shown, in characters. A generated file
/// name or a minified line can run to thousands; the middle goes, so a
/// path keeps its directory and its file name.
const CLIP: usize = 160;
/// Invisible, and breaks GitHub's mention, reference and autolink patterns
/// (`@` followed by a name, `#` by digits, `://`, `www.`).
const ZWJ: char = '\u{200D}';

/// The comment to post: the rendered report, cut to `limit` characters
/// when it is longer (`elsewhere` says where the whole report is).
pub fn comment(report: &Report, limit: usize, elsewhere: &str) -> String {
    fit(render(report), limit, elsewhere)
}

pub fn render(report: &Report) -> String {
    let mut o = String::new();
    let top: Vec<Group> = groups(&report.debt).into_iter().take(TOP).collect();
    let _ = writeln!(o, "{MARKER}");
    let _ = writeln!(
        o,
        "### 🎓 graduate: **{}** · grade {} · level {} ({}) · coverage {}",
        report.score_text(),
        inline(report.grade.unwrap_or("n/a")),
        report.level.current,
        inline(report.level.name),
        report
            .coverage
            .percent
            .map_or("n/a".to_string(), |p| format!("{p}%"))
    );
    let _ = writeln!(o);
    let mut line = match report.score {
        Some(score) => {
            let filled = (score as usize).div_ceil(5).min(20);
            format!("`{}{}`", "█".repeat(filled), "░".repeat(20 - filled))
        }
        None => format!(
            "**{}**",
            inline(report.unscored.as_deref().unwrap_or("no app found"))
        ),
    };
    if let Some(b) = &report.baseline {
        let score = |s: Option<u32>| s.map_or("no score".to_string(), |s| s.to_string());
        let _ = write!(
            line,
            " {}since {} ({} → {}) · {} new · {} fixed",
            b.score_delta
                .map(|d| format!("**{d:+}** "))
                .unwrap_or_default(),
            b.commit
                .as_deref()
                .map_or("the baseline".to_string(), |c| code(&short(c))),
            score(b.score_before),
            score(report.score),
            b.new.len(),
            b.fixed.len()
        );
    }
    let _ = writeln!(o, "{line}");
    waiver_effect_line(report, &mut o);
    gates_section(report, &mut o);
    if let Some(pr) = &report.pressure {
        // The verdict never stands without the signals behind it.
        let over = pr.signals.iter().filter(|s| s.over == Some(true)).count();
        let why = match &pr.history_unknown {
            Some(why) => format!("; history unknown: {why}"),
            None => String::new(),
        };
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "**Graduation pressure: {}** ({over} of {} signals over threshold{}): {}",
            inline(&pr.verdict_words()),
            pr.signals.len(),
            inline(&why),
            inline(&pr.signals_line())
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
        let _ = writeln!(
            o,
            "| {} | {score} |{}",
            inline(p.id),
            change.unwrap_or_default()
        );
    }
    let _ = writeln!(o);
    if report.debt.is_empty() {
        let _ = writeln!(o, "No debt found.");
    } else {
        let _ = writeln!(
            o,
            "**Top debt by rule** (priority = impact × risk × (6 − effort); ×N: places to fix)"
        );
        let _ = writeln!(o);
        let _ = writeln!(o, "| priority | rule | where | fix |");
        let _ = writeln!(o, "|---|---|---|---|");
        for g in &top {
            let d = g.first;
            let more = if g.sites > 1 {
                format!(" and {} more", g.sites - 1)
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "| {}{} | {}{} | {}{more} | {} |",
                d.priority,
                new_mark(report, d),
                code(&d.rule),
                if g.sites > 1 {
                    format!(" ×{}", g.sites)
                } else {
                    String::new()
                },
                location(report, d),
                inline(&d.remediation)
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "**Sign-off**");
    let _ = writeln!(o);
    for g in &report.signoff {
        let mark = match g.status {
            GateStatus::Pass => "✅",
            GateStatus::Fail => "❌",
            GateStatus::Unknown => "❔",
        };
        let _ = writeln!(o, "- {mark} {} — {}", inline(g.gate), inline(&g.reason));
    }
    apps_table(report, &mut o);
    next_steps(report, &mut o);
    // Every site not in the table (the first site of each rule shown is).
    let others: Vec<&DebtItem> = report
        .debt
        .iter()
        .filter(|d| !top.iter().any(|g| std::ptr::eq(g.first, *d)))
        .collect();
    let rest = others.len();
    let fixed = report.baseline.as_ref().map_or(0, |b| b.fixed.len());
    let planned = report.plan.iter().any(|w| !w.items.is_empty());
    if rest > 0 || fixed > 0 || planned {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "<details><summary>{}{rest} more debt item{}{}</summary>",
            if planned { "The four-week plan, " } else { "" },
            plural(rest),
            if fixed > 0 {
                format!(", {fixed} fixed")
            } else {
                String::new()
            }
        );
        let _ = writeln!(o);
        plan(report, &mut o);
        let mut lines = 0;
        for d in others.iter().take(REST) {
            let _ = writeln!(
                o,
                "- {}{} {} {} — {}",
                d.priority,
                new_mark(report, d),
                code(&d.rule),
                location(report, d),
                inline(&d.message)
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
                    "- fixed: {} {} — {}",
                    code(&f.rule),
                    inline(&f.location()),
                    inline(&f.message)
                );
            }
            if b.fixed.len() > REST.saturating_sub(lines).max(3) {
                let _ = writeln!(o, "- … more fixed items in the full report");
            }
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "</details>");
    }
    waivers_section(report, &mut o);
    waivers_and_warnings(report, &mut o);
    o
}

/// One rule's debt in the top table: its highest-priority site and how
/// many sites it has. Five rows of one rule would hide the next four rules
/// (a hard-coded secret among them) in the collapsed part.
struct Group<'a> {
    first: &'a DebtItem,
    sites: usize,
}

/// The debt grouped by rule, in the order of each rule's first (highest
/// priority) site; `debt` is in priority order.
fn groups(debt: &[DebtItem]) -> Vec<Group<'_>> {
    let mut out: Vec<Group> = Vec::new();
    for d in debt {
        match out.iter_mut().find(|g| g.first.rule == d.rule) {
            Some(g) => g.sites += 1,
            None => out.push(Group { first: d, sites: 1 }),
        }
    }
    out
}

/// "Waivers: 64, 51 without 3 waivers" when the waivers change the score.
fn waiver_effect_line(report: &Report, o: &mut String) {
    if let Some(sentence) = report.waiver_effect.as_ref().and_then(|e| e.sentence()) {
        let _ = writeln!(o);
        let _ = writeln!(o, "**Waivers**: score {}", inline(&sentence));
    }
}

/// The gates this run was held to; a failed one names what tripped it.
fn gates_section(report: &Report, o: &mut String) {
    if report.gates.is_empty() {
        return;
    }
    let _ = writeln!(o);
    for g in &report.gates {
        let (mark, verdict) = if g.passed {
            ("✅", "passed")
        } else {
            ("❌", "failed")
        };
        let _ = writeln!(
            o,
            "{mark} **Gate {} {verdict}**: {}",
            code(g.gate),
            inline(&g.message)
        );
        if !g.passed {
            for f in g.findings.iter().take(LISTED) {
                let _ = writeln!(o, "  - {}", inline(f));
            }
            if g.findings.len() > LISTED {
                let _ = writeln!(o, "  - … and {} more", g.findings.len() - LISTED);
            }
        }
        let _ = writeln!(o);
    }
}

/// Every waiver, collapsed: what, where, why, who, until when, status.
fn waivers_section(report: &Report, o: &mut String) {
    use crate::waivers::Status;
    if report.waivers.is_empty() {
        return;
    }
    let in_force = report
        .waivers
        .iter()
        .filter(|w| matches!(w.status, Status::Active | Status::Unused))
        .count();
    let troubled = report
        .waivers
        .iter()
        .filter(|w| !w.problems.is_empty())
        .count();
    let hidden: usize = report
        .waivers
        .iter()
        .filter(|w| w.status == Status::Active)
        .map(|w| w.hides)
        .sum();
    let ignored = if report.waivers.iter().any(|w| w.status == Status::Ignored) {
        " (ignored: --no-waivers)"
    } else {
        ""
    };
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "<details><summary>{in_force} waiver{} in force{ignored}, hiding {hidden} finding{}; {troubled} need{} attention</summary>",
        plural(in_force),
        plural(hidden),
        if troubled == 1 { "s" } else { "" }
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "| status | rule | where | why | owner | until |");
    let _ = writeln!(o, "|---|---|---|---|---|---|");
    for w in report.waivers.iter().take(LISTED) {
        let mut status = w.status.id().to_string();
        if w.reason.is_none() {
            status.push_str(", no reason");
        }
        let dash = || "–".to_string();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            inline(&status),
            code(&w.rule),
            inline(&if w.source == crate::waivers::Source::Inline {
                w.location()
            } else {
                format!("{} ({})", w.location(), w.scope)
            }),
            w.reason.as_deref().map_or_else(dash, inline),
            w.owner.as_deref().map_or_else(dash, inline),
            w.expires.as_deref().map_or_else(dash, inline)
        );
    }
    if report.waivers.len() > LISTED {
        let _ = writeln!(
            o,
            "\n… {} more waivers in the full report",
            report.waivers.len() - LISTED
        );
    }
    if report.debt.iter().any(|d| d.waiver.is_some()) {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "⌛ in the debt marks a finding whose waiver expired: it counts again."
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "</details>");
}

/// The way to the next level and to `--fail-under`: one line each, `*`
/// bullets so they do not join the sign-off's `-` list above.
/// Several apps: a row each, and the libraries listed.
fn apps_table(report: &Report, o: &mut String) {
    let rows = report.app_rows();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "| app | score | level | coverage | next level |");
    let _ = writeln!(o, "|---|---|---|---|---|");
    for r in &rows {
        let _ = writeln!(
            o,
            "| {} ({}) | {} | {} | {} | {} |",
            code(&r.root),
            inline(&r.stack),
            inline(&r.score),
            inline(&r.level),
            inline(&r.coverage),
            inline(&r.next)
        );
    }
    if !report.libraries.is_empty() {
        let libs: Vec<String> = report.libraries.iter().map(|l| code(&l.root)).collect();
        let _ = writeln!(o);
        let _ = writeln!(o, "Libraries (listed, not scored): {}", libs.join(", "));
    }
}

fn next_steps(report: &Report, o: &mut String) {
    let codes = |ids: &[String]| ids.iter().map(|id| code(id)).collect::<Vec<_>>().join(", ");
    let mut lines = Vec::new();
    if let Some(next) = &report.level.next {
        let mut todo = Vec::new();
        if !next.fixes.is_empty() {
            todo.push(format!(
                "fix {} ({})",
                codes(&next.fixes),
                inline(&next.effort_text)
            ));
        }
        if !next.unknown.is_empty() {
            todo.push(format!("decide {} (unknown)", codes(&next.unknown)));
        }
        lines.push(format!(
            "* **Next: level {} ({})** — {}",
            next.level,
            inline(next.name),
            todo.join("; ")
        ));
    }
    if let Some(t) = &report.target {
        lines.push(match (report.score, t.met) {
            (None, _) => format!(
                "* **`--fail-under {}`**: no score to hold to it ({})",
                t.fail_under,
                inline(report.unscored.as_deref().unwrap_or("no app found"))
            ),
            (Some(s), true) => format!("* **`--fail-under {}`**: met ({s})", t.fail_under),
            (Some(s), false) => format!(
                "* **To reach `--fail-under {}`** (now {s}): fix {} ({}) → {}",
                t.fail_under,
                codes(&t.fixes),
                inline(&t.effort_text),
                t.score_after.unwrap_or(s)
            ),
        });
    }
    if !lines.is_empty() {
        let _ = writeln!(o);
        for l in lines {
            let _ = writeln!(o, "{l}");
        }
    }
}

/// The four-week plan: one line per week with something to do, each rule
/// with its effort in words. Its `*` bullets keep it a list of its own,
/// apart from the `-` list of debt items after it.
fn plan(report: &Report, o: &mut String) {
    if report.plan.iter().all(|w| w.items.is_empty()) {
        return;
    }
    for w in report.plan.iter().filter(|w| !w.items.is_empty()) {
        let items: Vec<String> = w
            .items
            .iter()
            .map(|i| {
                let places = if i.sites > 1 {
                    format!(", {} places", i.sites)
                } else {
                    String::new()
                };
                format!("{} ({}{places})", code(&i.rule), inline(i.effort_text))
            })
            .collect();
        let _ = writeln!(
            o,
            "* **Week {}** · {} · {}: {}",
            w.week,
            inline(w.title),
            inline(&w.effort_text),
            items.join(", ")
        );
    }
    let _ = writeln!(o);
}

/// The files the scan could not read, collapsed (the waivers have their
/// own section, [`waivers_section`]).
fn waivers_and_warnings(report: &Report, o: &mut String) {
    let warnings = report.warnings.len();
    if warnings == 0 {
        return;
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "<details><summary>{warnings} warning{}</summary>",
        plural(warnings)
    );
    let _ = writeln!(o);
    for w in report.warnings.iter().take(LISTED) {
        if w.path.is_empty() {
            let _ = writeln!(o, "- warning: {}", inline(&w.message));
        } else {
            let _ = writeln!(o, "- warning: {} — {}", inline(&w.path), inline(&w.message));
        }
    }
    if warnings > LISTED {
        let _ = writeln!(
            o,
            "- … {} more warnings in the full report",
            warnings - LISTED
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "</details>");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// 🆕 for an item the baseline does not have; ⌛ for one whose waiver
/// expired (it is back in the debt).
fn new_mark(report: &Report, d: &DebtItem) -> &'static str {
    let new = matches!(&report.baseline, Some(b) if b.is_new(&d.fingerprint));
    match (new, d.waiver.is_some()) {
        (true, true) => " 🆕 ⌛",
        (true, false) => " 🆕",
        (false, true) => " ⌛",
        (false, false) => "",
    }
}

/// The short form of a commit: seven characters, not bytes (a baseline file
/// is input, and its `commit` can be anything).
fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// `path:line`, linked to `path#Lline` when the repository URL is known.
fn location(report: &Report, d: &DebtItem) -> String {
    let text = inline(&d.location());
    match (&report.source_url, &d.path) {
        (Some(base), Some(path)) if linkable(path) => {
            let anchor = d.line.map(|l| format!("#L{l}")).unwrap_or_default();
            format!(
                "[{text}]({}/{}{anchor})",
                url_base(base.trim_end_matches('/')),
                url_path(path)
            )
        }
        _ => text,
    }
}

/// A path that stays under the base URL: no `.` or `..` segment (browsers
/// resolve those, even percent-encoded), not absolute.
fn linkable(path: &str) -> bool {
    !path.starts_with('/') && !path.split('/').any(|s| s == "." || s == "..")
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

/// The repository URL comes from the command line or the CI environment,
/// not the repository; still, nothing in it may end the link (`)`, a
/// space), split a table cell (`|`) or open HTML.
fn url_base(base: &str) -> String {
    base.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' => {
                (b as char).to_string()
            }
            b'!' | b'$' | b'&' | b'*' | b'+' | b',' | b';' | b'=' | b'%' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Repository text shown as code (a rule id, a commit): one code span.
fn code(s: &str) -> String {
    inline(&fence(&clip(s, CLIP)))
}

/// The one way repository text enters the comment: secret previews
/// dropped, clipped to [`CLIP`] characters, its own code spans kept as code
/// spans, the rest escaped and neutralised. The result is one line of
/// inline Markdown that is safe in a table cell, a list item or link text.
pub fn inline(s: &str) -> String {
    let s = hide_secret_previews(s);
    let s = clip(&s, CLIP);
    let mut out = String::with_capacity(s.len() + 16);
    for part in code_spans(&s) {
        match part {
            // GFM splits a table row at every `|`, inside code too, and
            // `\|` shows its backslash outside a table: such code is text.
            Part::Code(c) if c.contains('|') => prose(&c, &mut out),
            Part::Code(c) => out.push_str(&fence(&c)),
            Part::Text(t) => prose(t, &mut out),
        }
    }
    out
}

enum Part<'a> {
    Text(&'a str),
    /// The content of a code span, as CommonMark reads it.
    Code(String),
}

/// Split text at its code spans the way CommonMark does: a run of N
/// backticks opens a span that the next run of exactly N closes; a run
/// with no closer is literal text.
fn code_spans(s: &str) -> Vec<Part<'_>> {
    let b = s.as_bytes();
    let run_end = |mut i: usize| {
        while i < b.len() && b[i] == b'`' {
            i += 1;
        }
        i
    };
    let mut parts = Vec::new();
    let (mut text_from, mut i) = (0, 0);
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let open = i;
        i = run_end(i);
        let n = i - open;
        let mut j = i;
        let close = loop {
            match b[j..].iter().position(|&c| c == b'`') {
                None => break None,
                Some(k) => {
                    let start = j + k;
                    j = run_end(start);
                    if j - start == n {
                        break Some(start);
                    }
                }
            }
        };
        let Some(close) = close else { continue };
        if text_from < open {
            parts.push(Part::Text(&s[text_from..open]));
        }
        let content = s[i..close].replace("\r\n", " ").replace(['\n', '\r'], " ");
        let stripped = match content.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
            Some(inner) if !content.trim_matches(' ').is_empty() => inner.to_string(),
            _ => content,
        };
        parts.push(Part::Code(stripped));
        i = j;
        text_from = j;
    }
    if text_from < s.len() {
        parts.push(Part::Text(&s[text_from..]));
    }
    parts
}

/// A code span holding exactly `content`: fenced by one more backtick than
/// its longest run, padded when it starts or ends with a backtick or would
/// lose a space, on one line.
fn fence(content: &str) -> String {
    let c: String = content
        .chars()
        .map(|ch| match ch {
            '\n' | '\r' | '\t' => ' ',
            ch if hidden(ch) => '\u{FFFD}',
            ch => ch,
        })
        .collect();
    if c.is_empty() {
        return String::new();
    }
    let longest = c.split(|ch| ch != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = c.starts_with('`')
        || c.ends_with('`')
        || (c.starts_with(' ') && c.ends_with(' ') && !c.trim_matches(' ').is_empty());
    let sp = if pad { " " } else { "" };
    format!("{ticks}{sp}{c}{sp}{ticks}")
}

/// Escape text so it formats nothing and links nobody: Markdown punctuation
/// escaped, HTML as entities, line breaks as spaces, control and bidi
/// characters replaced, and a zero-width joiner where GitHub would start a
/// mention (`@name`), a reference (`#12`, `GH-12`) or an autolink (`://`,
/// `www.`, an email's `@`). A backslash does not stop those: GitHub finds
/// them in the rendered text.
fn prose(t: &str, out: &mut String) {
    let chars: Vec<char> = t.chars().collect();
    let after = |i: usize, word: &str| {
        let n = word.chars().count();
        i >= n
            && chars[i - n..i]
                .iter()
                .zip(word.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b))
    };
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' | '#' => {
                out.push(c);
                out.push(ZWJ);
            }
            ':' if chars.get(i + 1) == Some(&'/') && chars.get(i + 2) == Some(&'/') => {
                out.push(':');
                out.push(ZWJ);
            }
            '.' if after(i, "www") => {
                out.push(ZWJ);
                out.push('.');
            }
            d if d.is_ascii_digit() && after(i, "gh-") => {
                out.push(ZWJ);
                out.push(d);
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if hidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Control characters, and the bidirectional overrides that make text read
/// differently from what it is.
fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Secret findings carry a preview of the value, `sk_l…(32 chars)` (see
/// `facts::secrets::redact`), fine in a local terminal. A PR comment is
/// public to everyone who can read the pull request: it shows none of the
/// value, only the provider and the fingerprint around it.
fn hide_secret_previews(s: &str) -> Cow<'_, str> {
    const OPEN: &str = "…(";
    const CLOSE: &str = " chars)";
    if !s.contains(OPEN) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !after[digits..].starts_with(CLOSE) {
            out.push_str(&rest[..at + OPEN.len()]);
            rest = after;
            continue;
        }
        // The preview is the value's first four characters, or all of a
        // shorter value.
        let shown = after[..digits].parse::<usize>().map_or(4, |n| n.min(4));
        let head = &rest[..at];
        let cut = head
            .char_indices()
            .rev()
            .take(shown)
            .last()
            .map_or(head.len(), |(i, _)| i);
        out.push_str(&head[..cut]);
        out.push_str("[redacted]");
        rest = &after[digits + CLOSE.len()..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// At most `max` characters: the middle gives way to `…`.
fn clip(s: &str, max: usize) -> Cow<'_, str> {
    let n = s.chars().count();
    if n <= max {
        return Cow::Borrowed(s);
    }
    let head = (max - 1) * 2 / 5;
    let tail = max - 1 - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    Cow::Owned(out)
}

/// GitHub refuses a comment body over its limit (65,536 characters), and the
/// report would be lost. Cut whole lines from the end, so the marker, the
/// headline and the pillar table stay; close a `<details>` left open; and
/// say that it was cut and where the whole report is. Lengths are counted
/// in UTF-16 units, never fewer than the characters GitHub counts.
pub fn fit(body: String, limit: usize, elsewhere: &str) -> String {
    let len = |s: &str| s.encode_utf16().count();
    let full = len(&body);
    if full <= limit {
        return body;
    }
    let note = format!(
        "\n✂️ This comment was cut to fit GitHub's limit of {limit} characters \
         (the report has {full}). {elsewhere}\n"
    );
    const CLOSE: &str = "\n</details>\n";
    let budget = limit.saturating_sub(len(&note) + len(CLOSE));
    let (mut kept, mut end, mut open) = (0, 0, false);
    for line in body.split_inclusive('\n') {
        kept += len(line);
        if kept > budget {
            break;
        }
        end += line.len();
        if line.starts_with("<details>") {
            open = true;
        } else if line.starts_with("</details>") {
            open = false;
        }
    }
    let mut out = body;
    out.truncate(end);
    if open {
        out.push_str(CLOSE);
    }
    out.push_str(&note);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(inline("a|b <script>"), "a\\|b &lt;script&gt;");
        assert_eq!(url_path("src/a b.ts"), "src/a%20b.ts");
    }

    #[test]
    fn mentions_references_and_autolinks_are_broken_by_a_joiner() {
        let z = ZWJ;
        assert_eq!(inline("@octocat"), format!("@{z}octocat"));
        assert_eq!(inline("@org/team"), format!("@{z}org/team"));
        assert_eq!(inline("see #12"), format!("see #{z}12"));
        assert_eq!(inline("gh-12 GH-3"), format!("gh-{z}12 GH-{z}3"));
        assert_eq!(inline("a/b#1"), format!("a/b#{z}1"));
        assert_eq!(inline("https://x.io"), format!("https:{z}//x.io"));
        assert_eq!(inline("WWW.x.io"), format!("WWW{z}.x.io"));
        assert_eq!(inline("a@b.io"), format!("a@{z}b.io"));
        // Plain words and our own ids pass unchanged.
        assert_eq!(inline("health-and-uptime"), "health-and-uptime");
    }

    #[test]
    fn code_spans_are_kept_and_fenced_for_their_content() {
        assert_eq!(inline("run `git add .` now"), "run `git add .` now");
        assert_eq!(inline("`@org/team`"), "`@org/team`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("a\nb"), "`a b`");
        // An unmatched backtick is text.
        assert_eq!(inline("a ` b"), "a \\` b");
        // Code with a pipe would split a table row: it becomes text.
        assert_eq!(inline("`a|b`"), "a\\|b");
        // Round trip: what `fence` writes, `code_spans` reads back.
        for s in ["``", "a``b`", " ` ", "x"] {
            match code_spans(&fence(s)).as_slice() {
                [Part::Code(c)] => assert_eq!(c, s),
                _ => panic!("{s:?} is not one code span"),
            }
        }
    }

    #[test]
    fn secret_previews_are_dropped_and_the_fingerprint_kept() {
        assert_eq!(
            inline("stripe-live-key sk_l…(32 chars) (fingerprint 0821)"),
            "stripe-live-key \\[redacted\\] (fingerprint 0821)"
        );
        // A short value's preview is the whole value, and only it goes.
        assert_eq!(
            hide_secret_previews("falls back to ab…(2 chars)"),
            "falls back to [redacted]"
        );
        assert_eq!(hide_secret_previews("a…(b"), "a…(b");
    }

    #[test]
    fn clipping_and_shortening_count_characters() {
        let long = "é".repeat(500);
        let clipped = clip(&long, CLIP);
        assert_eq!(clipped.chars().count(), CLIP);
        assert_eq!(short("éééééééé"), "ééééééé");
        assert_eq!(short("abc"), "abc");
    }

    #[test]
    fn fitting_keeps_short_bodies_whole_and_closes_what_it_cuts() {
        let body = format!(
            "{MARKER}\nhead\n\n<details><summary>x</summary>\n\n{}</details>\n",
            "- item\n".repeat(100)
        );
        assert_eq!(fit(body.clone(), 10_000, "x"), body);
        let cut = fit(body, 200, "Elsewhere.");
        assert!(cut.encode_utf16().count() <= 200, "{cut}");
        assert!(cut.starts_with(&format!("{MARKER}\nhead\n")));
        assert_eq!(cut.matches("</details>").count(), 1, "{cut}");
        assert!(cut.ends_with("Elsewhere.\n"));
    }
}
