//! The enclosing code of a site, hashed: what a finding's content
//! fingerprint is made of (docs/report-format.md, "Fingerprints").
//!
//! A baseline matches findings across commits. Line numbers move with every
//! edit above a site, and a file moves with a rename, so neither can be the
//! identity; the code around the site mostly does not. For each site line
//! this hashes the normalised text of the statement on that line together
//! with the header of its enclosing function (the nearest line above with
//! less indentation that opens a function, else the outermost such line).
//! Two identical calls in two functions differ by their header; an
//! identical call inserted elsewhere in the file leaves the old one's hash
//! alone. Normalising drops all whitespace (re-indenting and reformatting
//! keep identity) and an inline `graduate:allow` comment (adding a waiver
//! does not make the finding another one).
//!
//! It runs at extraction time on the text the walk already read, for the
//! lines that hold sites only: the report never reads a file again. The
//! headers come from one pass down the file that keeps the chain of open
//! lines above the current one (each line less indented than the next one
//! kept): looking up from every site instead cost sites x lookback, up to
//! 4,000 lines per site in a function of 20,000 calls.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// How far up a header is looked for: a function longer than this gets the
/// nearest outer line found so far (or none) as its header.
const MAX_LOOKBACK: usize = 4000;

/// `(line, hash)` for each 1-based site line (sorted, deduplicated).
pub fn of_sites(text: &str, site_lines: &[u32]) -> Vec<(u32, u64)> {
    // A site's hash reads its line and the lines above it only: the lines
    // after the last site are not split out (most sites sit early in a
    // file, below its imports and above the rest of its code).
    let Some(&last) = site_lines.iter().max() else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().take(last as usize).collect();
    let headers = headers(&lines, site_lines);
    site_lines
        .iter()
        .filter(|l| **l >= 1 && (**l as usize) <= lines.len())
        .map(|&l| {
            let at = l as usize - 1;
            (l, hash(lines[at], headers.get(&at).copied().flatten()))
        })
        .collect()
}

fn hash(line: &str, header: Option<&str>) -> u64 {
    let statement = normalise(line);
    let header = header.map(normalise).unwrap_or_default();
    let digest = Sha256::digest(format!("{header}\0{statement}"));
    u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// [`header`] of each 0-based site line, read in one pass. `open` holds the
/// lines a look upwards from the current line could stop at: not blank, not
/// a closing bracket or comment, each less indented than the one after it.
/// Looking up from a line whose indent is `t` meets exactly the lines of
/// `open` less indented than `t`, innermost first (a line between them is
/// either skipped by the look or would have replaced them in `open`).
fn headers<'t>(lines: &[&'t str], site_lines: &[u32]) -> HashMap<usize, Option<&'t str>> {
    let mut wanted: Vec<usize> = site_lines
        .iter()
        .filter(|l| **l >= 1 && (**l as usize) <= lines.len())
        .map(|l| *l as usize - 1)
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashMap::with_capacity(wanted.len());
    let mut next = wanted.iter().peekable();
    let mut open: Vec<(usize, usize)> = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(&&site) = next.peek() else { break };
        if site == at {
            next.next();
            found.insert(at, header_from(lines, at, &open));
        }
        let Some(i) = indent(line) else { continue };
        if closes_or_comments(line.trim_start()) {
            continue;
        }
        while open.last().is_some_and(|&(_, o)| o >= i) {
            open.pop();
        }
        open.push((at, i));
    }
    found
}

/// What [`header`] finds for line `at`, from the open lines above it.
fn header_from<'t>(lines: &[&'t str], at: usize, open: &[(usize, usize)]) -> Option<&'t str> {
    let mut threshold = indent(lines[at])?;
    let mut outermost = None;
    for &(j, i) in open.iter().rev() {
        if at - j > MAX_LOOKBACK {
            break;
        }
        if i >= threshold {
            continue;
        }
        threshold = i;
        if opens_function(lines[j].trim_start()) {
            return Some(lines[j]);
        }
        outermost = Some(lines[j]);
        if i == 0 {
            break;
        }
    }
    outermost
}

/// A line a look for the header passes over at any indent.
fn closes_or_comments(t: &str) -> bool {
    t.starts_with(['}', ')', ']', '*', '#']) || t.starts_with("//") || t.starts_with("/*")
}

/// The line that opens the function around line `at`, if any, looking up
/// from it: the definition [`headers`] must agree with.
#[cfg(test)]
fn header<'t>(lines: &[&'t str], at: usize) -> Option<&'t str> {
    let mut threshold = indent(lines[at])?;
    let mut outermost = None;
    for line in lines[..at].iter().rev().take(MAX_LOOKBACK) {
        let Some(i) = indent(line) else { continue };
        if i >= threshold {
            continue;
        }
        let t = line.trim_start();
        if closes_or_comments(t) {
            continue;
        }
        threshold = i;
        if opens_function(t) {
            return Some(line);
        }
        outermost = Some(*line);
        if i == 0 {
            break;
        }
    }
    outermost
}

fn opens_function(t: &str) -> bool {
    ["func ", "def ", "fn ", "function", "=>", "async "]
        .iter()
        .any(|k| t.contains(k))
}

/// Columns of leading whitespace (a tab counts 4); `None` for a blank line.
fn indent(line: &str) -> Option<usize> {
    let mut n = 0;
    for c in line.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n += 4,
            _ => return Some(n),
        }
    }
    None
}

fn normalise(line: &str) -> String {
    let code = line.find("graduate:allow").map_or(line, |i| &line[..i]);
    let code = code.trim_end();
    let code = code
        .strip_suffix("//")
        .or_else(|| code.strip_suffix('#'))
        .or_else(|| code.strip_suffix("/*"))
        .unwrap_or(code);
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO: &str =
        "package main\n\nfunc a() {\n\thttp.Get(u)\n}\n\nfunc b() {\n\tx := 1\n\thttp.Get(u)\n}\n";

    fn at(text: &str, line: u32) -> u64 {
        of_sites(text, &[line])[0].1
    }

    #[test]
    fn same_call_in_two_functions_differs_and_survives_shifts() {
        assert_ne!(at(GO, 4), at(GO, 9));
        // Lines inserted above, re-indented, a waiver added: same hash.
        let shifted = format!(
            "// header\n\n{}",
            GO.replace("\thttp.Get(u)\n}\n\nfunc b", "\thttp.Get(u)\n}\n\nfunc  b")
        );
        assert_eq!(at(GO, 9), at(&shifted, 11));
        let waived = GO.replace(
            "\tx := 1\n\thttp.Get(u)",
            "\tx := 1\n    http.Get(u) // graduate:allow outbound-timeout why",
        );
        assert_eq!(at(GO, 9), at(&waived, 9));
    }

    #[test]
    fn python_methods_take_their_def() {
        let py = "class C:\n    def a(self):\n        requests.get(u)\n    def b(self):\n        requests.get(u)\n";
        assert_ne!(at(py, 3), at(py, 5));
        assert_eq!(
            header(&py.lines().collect::<Vec<_>>(), 4),
            Some("    def b(self):")
        );
    }

    /// Lines of every kind the look upwards treats apart (blank, closing,
    /// comment, function header, tab- and space-indented statements), in a
    /// seeded random order and depth: the one-pass headers must be the ones
    /// found by looking up from each line, including past the lookback.
    fn mixed_lines(seed: u64, n: usize) -> String {
        let kinds = [
            "",
            "}",
            ")",
            "// note",
            "# note",
            "* doc",
            "func f() {",
            "def g(self):",
            "async function h() {",
            "if x {",
            "http.Get(u)",
            "x := 1",
        ];
        let mut state = seed;
        let mut text = String::new();
        for _ in 0..n {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let kind = kinds[(state >> 33) as usize % kinds.len()];
            let depth = (state >> 45) as usize % 6;
            let pad = if (state >> 20) & 1 == 0 { "\t" } else { "  " };
            text.push_str(&pad.repeat(depth));
            text.push_str(kind);
            text.push('\n');
        }
        text
    }

    #[test]
    fn one_pass_headers_match_looking_up_from_each_line() {
        for seed in 0..20 {
            let text = mixed_lines(seed, 400);
            let lines: Vec<&str> = text.lines().collect();
            let all: Vec<u32> = (1..=lines.len() as u32).collect();
            let found = headers(&lines, &all);
            for at in 0..lines.len() {
                assert_eq!(found[&at], header(&lines, at), "seed {seed}, line {at}");
            }
        }
        // A function longer than the lookback: its last lines get no header
        // either way, its first ones get it.
        let long = format!(
            "func f() {{\n{}}}\n",
            "\tx := 1\n".repeat(MAX_LOOKBACK + 50)
        );
        let lines: Vec<&str> = long.lines().collect();
        let sites = [2, 100, MAX_LOOKBACK as u32, MAX_LOOKBACK as u32 + 2, 4040];
        let found = headers(&lines, &sites);
        for l in sites {
            let at = l as usize - 1;
            assert_eq!(found[&at], header(&lines, at), "line {l}");
        }
        assert_eq!(found[&1], Some("func f() {"));
        assert_eq!(found[&(4040 - 1)], None);
    }

    #[test]
    fn out_of_range_lines_are_skipped() {
        assert!(of_sites("a\n", &[0, 5]).is_empty());
        assert_eq!(of_sites("a\n", &[1]).len(), 1);
    }
}
