//! `--format json`: the report contract, pretty-printed.
//!
//! A monorepo's report is mostly three lists: every app's summary, and the
//! roll-up's checks and debt (48 MB for 1,250 services, scripts/bench.sh).
//! Serialising it on one thread was the longest serial step after scoring,
//! so the items of those lists are rendered on every core, each at the
//! depth it sits at, and written out in order with the rest of the
//! report's text as they are done. The bytes are exactly those of
//! `serde_json::to_string_pretty` (tests below).

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::{Report, pretty_json};

/// Items per piece of work: small enough that two threads finish together
/// (apps differ in size by orders of magnitude), large enough that handing
/// them out costs nothing.
const ITEMS_PER_PIECE: usize = 16;

/// Reports with fewer items than this are rendered on one thread.
const PARALLEL_FROM: usize = 64;

pub fn render(report: &Report) -> String {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    render_on(report, threads)
}

/// [`render`] on up to `threads` threads.
pub fn render_on(report: &Report, threads: usize) -> String {
    let mut whole = String::new();
    render_lines(report, threads, |text| {
        whole.push_str(text);
        Ok(())
    })
    .expect("a string takes every piece");
    whole
}

/// The report in pieces handed to `out` in order, rendered on up to
/// `threads` threads while `out` writes the ones before. A monorepo's
/// report is tens of megabytes: written as it is made, it is never held
/// whole (stitching it was a copy and a page fault per 4 KiB on one
/// thread). Every piece is whole lines (it starts a line and ends with a
/// line break), so a guard that reads lines one by one sees each piece as
/// it would the whole report. The first error of `out` stops the work.
pub fn render_lines(
    report: &Report,
    threads: usize,
    mut out: impl FnMut(&str) -> io::Result<()>,
) -> io::Result<()> {
    let items = report.apps.len() + report.checks.len() + report.debt.len();
    if threads <= 1 || items < PARALLEL_FROM {
        let mut whole = Vec::new();
        write_value(report, 0, &mut whole);
        whole.push(b'\n');
        return out(&String::from_utf8(whole).expect("JSON is UTF-8"));
    }
    // The report without its three long lists, rendered as usual: each
    // list is then `[]` on a line of its own at the top level. Its text
    // between the lists goes out as pieces of its own.
    let frame = serde_json::to_string_pretty(&without_lists(report)).expect("report serialises");
    let mut pieces = Vec::new();
    let mut rest = frame.as_str();
    let mut closing = "";
    for list in [List::Checks, List::Debt, List::Apps] {
        let len = list.len(report);
        if len == 0 {
            continue;
        }
        // A top-level key is the only text at the start of a line after
        // exactly two spaces: nested keys sit deeper, and a string value
        // never holds a raw line break.
        let marker = format!("\n  \"{}\": ", list.key());
        let at = rest.find(&marker).expect("the list's key is in the report") + marker.len();
        pieces.push(Piece::Frame(format!("{closing}{}[\n", &rest[..at])));
        pieces.extend((0..len.div_ceil(ITEMS_PER_PIECE)).map(|n| Piece::Items {
            list,
            from: n * ITEMS_PER_PIECE,
            to: ((n + 1) * ITEMS_PER_PIECE).min(len),
        }));
        closing = "  ]";
        rest = rest[at..]
            .strip_prefix("[]")
            .expect("an empty list renders as []");
    }
    pieces.push(Piece::Frame(format!("{closing}{rest}\n")));
    crate::in_order::each_in_order(&pieces, threads, |p| p.render(report), |text| out(&text))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Checks,
    Debt,
    Apps,
}

impl List {
    fn len(self, report: &Report) -> usize {
        match self {
            List::Checks => report.checks.len(),
            List::Debt => report.debt.len(),
            List::Apps => report.apps.len(),
        }
    }

    fn key(self) -> &'static str {
        match self {
            List::Checks => "checks",
            List::Debt => "debt",
            List::Apps => "apps",
        }
    }
}

/// A piece of the report's text: the frame's text between two lists, or
/// items `from..to` of one list.
enum Piece {
    Frame(String),
    Items { list: List, from: usize, to: usize },
}

impl Piece {
    /// A frame piece as it is (a few lines); items as they appear inside
    /// their top-level list: each four spaces in, followed by a comma but
    /// for the list's last, each on a line of its own.
    fn render(&self, report: &Report) -> String {
        let (list, from, to) = match *self {
            Piece::Frame(ref text) => return text.clone(),
            Piece::Items { list, from, to } => (list, from, to),
        };
        let last = list.len(report) - 1;
        let mut out = Vec::new();
        for i in from..to {
            out.extend_from_slice(b"    ");
            match list {
                List::Checks => write_value(&report.checks[i], 2, &mut out),
                List::Debt => write_value(&report.debt[i], 2, &mut out),
                List::Apps => write_value(&report.apps[i], 2, &mut out),
            }
            out.extend_from_slice(if i == last { b"\n" } else { b",\n" });
            if i == from {
                // Room for the rest at about the first item's size: an
                // app's items are tens of kilobytes, and growing by
                // doubling copied each piece once more.
                out.reserve((to - from - 1) * out.len() * 9 / 8);
            }
        }
        String::from_utf8(out).expect("JSON is UTF-8")
    }
}

/// `value` laid out as serde_json's pretty printer does, `depth` levels in:
/// by [`pretty_json`] (a fraction of serde_json's cost), or by serde_json
/// for a value that writer leaves to it.
fn write_value<T: Serialize>(value: &T, depth: usize, out: &mut Vec<u8>) {
    let start = out.len();
    if pretty_json::write(value, depth, out).is_err() {
        out.truncate(start);
        let mut ser = serde_json::Serializer::with_formatter(&mut *out, Nested::at(depth));
        value.serialize(&mut ser).expect("report serialises");
    }
}

/// serde_json's pretty layout (two spaces a level, `": "` after a key),
/// starting `depth` levels in.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn at(depth: usize) -> Nested {
        Nested {
            depth,
            has_value: false,
        }
    }

    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    /// The comma, line break and indent before a key or an item, in one
    /// write where the depth allows (this runs for every key of the report).
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        let width = 2 * self.depth;
        let from = usize::from(first);
        if let Some(line) = pretty_json::COMMA_LINE.get(from..2 + width) {
            return w.write_all(line);
        }
        w.write_all(&pretty_json::COMMA_LINE[from..2])?;
        self.indent(w)
    }

    fn indent<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] = &[b' '; 64];
        let mut left = 2 * self.depth;
        while left > 0 {
            let n = left.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            left -= n;
        }
        Ok(())
    }
}

impl Formatter for Nested {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The report with empty `checks`, `debt` and `apps`. Every field is named
/// (no `..`): a field added to the report must be added here, or this does
/// not compile.
fn without_lists(r: &Report) -> Report {
    Report {
        schema_version: r.schema_version,
        tool: r.tool.clone(),
        root: r.root.clone(),
        subfolder: r.subfolder.clone(),
        name: r.name.clone(),
        commit: r.commit.clone(),
        scanned_at: r.scanned_at.clone(),
        source_url: r.source_url.clone(),
        score: r.score,
        grade: r.grade,
        unscored: r.unscored.clone(),
        level: r.level.clone(),
        coverage: r.coverage.clone(),
        pillars: r.pillars.clone(),
        checks: Vec::new(),
        debt: Vec::new(),
        signoff: r.signoff.clone(),
        plan: r.plan.clone(),
        target: r.target.clone(),
        pressure: r.pressure.clone(),
        apps: Vec::new(),
        libraries: r.libraries.clone(),
        rollup: r.rollup.clone(),
        suppressions: r.suppressions.clone(),
        waivers: r.waivers.clone(),
        waiver_effect: r.waiver_effect.clone(),
        gates: r.gates.clone(),
        warnings: r.warnings.clone(),
        stats: r.stats.clone(),
        scopes: r.scopes.clone(),
        baseline: r.baseline.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Nested, PARALLEL_FROM, render_lines, render_on};
    use crate::report::Report;

    use crate::report::scanned_fixture as scanned;

    fn pretty(report: &Report) -> String {
        serde_json::to_string_pretty(report).expect("report serialises") + "\n"
    }

    #[test]
    fn pieces_rendered_apart_are_the_whole_report_byte_for_byte() {
        let mut report = scanned("three-apps");
        assert!(report.apps.len() > 1 && !report.debt.is_empty());
        // A monorepo's worth of apps, checks and debt: well past the size
        // rendered on one thread, and not a multiple of a piece.
        let (apps, checks, debt) = (
            report.apps.clone(),
            report.checks.clone(),
            report.debt.clone(),
        );
        for _ in 0..PARALLEL_FROM {
            report.apps.extend(apps.iter().cloned());
            report.checks.extend(checks.iter().cloned());
            report.debt.extend(debt.iter().cloned());
        }
        report.apps.pop();
        let whole = pretty(&report);
        for threads in [2, 3] {
            assert_eq!(render_on(&report, threads), whole);
        }
    }

    #[test]
    fn the_report_goes_out_in_whole_lines() {
        let mut report = scanned("three-apps");
        let apps = report.apps.clone();
        for _ in 0..PARALLEL_FROM {
            report.apps.extend(apps.iter().cloned());
        }
        let whole = pretty(&report);
        for threads in [1, 2, 3] {
            let mut pieces = Vec::new();
            render_lines(&report, threads, |text| {
                pieces.push(text.to_string());
                Ok(())
            })
            .expect("nothing fails to take a piece");
            assert!(threads == 1 || pieces.len() > 2, "{threads} threads");
            // Each piece ends a line, so the next starts one: a guard over
            // lines sees the pieces as it sees the whole.
            assert!(
                pieces.iter().all(|p| p.ends_with('\n')),
                "{threads} threads"
            );
            assert_eq!(pieces.concat(), whole, "{threads} threads");
        }
        // A writer that fails (a closed pipe) stops the rendering with its
        // error after the first piece.
        let mut taken = 0;
        let done = render_lines(&report, 2, |_| {
            taken += 1;
            Err(std::io::ErrorKind::BrokenPipe.into())
        });
        assert_eq!(
            done.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::BrokenPipe)
        );
        assert_eq!(taken, 1);
    }

    #[test]
    fn deep_nesting_is_indented_as_serde_json_does() {
        // Past the indent written in one piece (64 levels).
        let mut deep = serde_json::json!(["bottom", {"k": 1}]);
        for n in 0..70 {
            deep = serde_json::json!({ "level": n, "inner": [deep, []] });
        }
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Nested::at(0));
        serde::Serialize::serialize(&deep, &mut ser).expect("a value serialises");
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            serde_json::to_string_pretty(&deep).expect("a value serialises")
        );
    }

    #[test]
    fn an_empty_list_stays_empty_among_long_ones() {
        let mut report = scanned("three-apps");
        let apps = report.apps.clone();
        for _ in 0..PARALLEL_FROM {
            report.apps.extend(apps.iter().cloned());
        }
        report.debt.clear();
        assert_eq!(render_on(&report, 2), pretty(&report));
        // Small reports take the one-thread path.
        let small = scanned("fastapi-service");
        assert_eq!(render_on(&small, 2), pretty(&small));
    }
}
