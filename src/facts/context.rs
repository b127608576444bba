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
//! lines that hold sites only: the report never reads a file again.

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
    site_lines
        .iter()
        .filter(|l| **l >= 1 && (**l as usize) <= lines.len())
        .map(|&l| (l, hash(&lines, l as usize - 1)))
        .collect()
}

fn hash(lines: &[&str], at: usize) -> u64 {
    let statement = normalise(lines[at]);
    let header = header(lines, at).map(normalise).unwrap_or_default();
    let digest = Sha256::digest(format!("{header}\0{statement}"));
    u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]))
}

/// The line that opens the function around line `at`, if any.
fn header<'t>(lines: &[&'t str], at: usize) -> Option<&'t str> {
    let mut threshold = indent(lines[at])?;
    let mut outermost = None;
    for line in lines[..at].iter().rev().take(MAX_LOOKBACK) {
        let Some(i) = indent(line) else { continue };
        if i >= threshold {
            continue;
        }
        let t = line.trim_start();
        if t.starts_with(['}', ')', ']', '*', '#']) || t.starts_with("//") || t.starts_with("/*") {
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

    #[test]
    fn out_of_range_lines_are_skipped() {
        assert!(of_sites("a\n", &[0, 5]).is_empty());
        assert_eq!(of_sites("a\n", &[1]).len(), 1);
    }
}
