//! Line numbers for facts read through a parsed value (YAML, TOML, JSON),
//! whose parsers do not say where each item was.
//!
//! The readers find an item's line by searching the text for it, once per
//! dependency, job, step or service. Done with `text.lines()` each time, a
//! file of many items costs items × lines: a 700 KB pyproject.toml of 40,000
//! dependencies, or a .gitlab-ci.yml of 17,000 jobs, held a scan for minutes.
//! [`LineIndex`] knows where every line starts, so a search begins where it
//! should and runs as one substring search; [`LineIndex::first_lines`] finds
//! the first line of many needles in one pass over the text.

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// One file's text with the byte offset where each line starts.
pub struct LineIndex<'t> {
    text: &'t str,
    /// Offset of each line's first byte; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Mapping keys and the lines that open them, built on first use.
    keys: OnceCell<HashMap<&'t str, Vec<u32>>>,
    /// Bytes searched by [`LineIndex::find`] so far, against [`SEARCH_BUDGET`].
    searched: Cell<usize>,
}

/// Substring searches may read the text this many times over; after that
/// [`LineIndex::find`] answers `None` and callers fall back to an
/// approximate line. Items found in document order cost one reading in
/// all; only a file built so that its items are never found (each search
/// running to the end) reaches the budget, and then its line numbers are
/// approximate instead of its scan taking minutes.
const SEARCH_BUDGET: usize = 64;

/// A mapping key longer than this is not indexed: no CI job, service or
/// setting is named with 256 bytes, and indexing every colon of a long
/// line would cost its length squared.
const MAX_KEY: usize = 256;

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1)
                .filter(|i| *i < text.len()),
        );
        LineIndex {
            text,
            starts,
            keys: OnceCell::new(),
            searched: Cell::new(0),
        }
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// 1-based line holding byte `offset`.
    pub fn line_at(&self, offset: usize) -> u32 {
        self.starts.partition_point(|s| *s <= offset) as u32
    }

    /// Offset where 1-based line `line` starts (the end of the text past the
    /// last line; line 0 reads as line 1).
    fn start(&self, line: u32) -> usize {
        let i = line.saturating_sub(1) as usize;
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The first line at or after `from` whose text contains `needle`, which
    /// holds no line break (a substring match cannot then span two lines).
    /// Within the search budget; past it, `None`.
    pub fn find(&self, needle: &str, from: u32) -> Option<u32> {
        debug_assert!(!needle.contains('\n'));
        let budget = SEARCH_BUDGET * self.text.len().max(1024);
        if self.searched.get() > budget {
            return None;
        }
        let start = self.start(from);
        let found = self.text[start..].find(needle);
        let read = found.map_or(self.text.len() - start, |at| at + needle.len());
        self.searched.set(self.searched.get() + read);
        Some(self.line_at(start + found?))
    }

    /// The first line at or after `from` that opens the YAML mapping key
    /// `key` (`key:`, `"key":`, `'key':`, also as a list item `- key:`).
    pub fn key(&self, key: &str, from: u32) -> Option<u32> {
        let lines = self.keys.get_or_init(|| self.index_keys()).get(key)?;
        let i = lines.partition_point(|l| *l < from);
        lines.get(i).copied()
    }

    /// Every key each line could open: each prefix that a `:` follows
    /// (`test:unit:` opens both `test` and `test:unit`), and quoted keys.
    fn index_keys(&self) -> HashMap<&'t str, Vec<u32>> {
        let mut keys: HashMap<&'t str, Vec<u32>> = HashMap::new();
        for (n, line) in self.lines_from(1) {
            let t = line.trim_start().trim_start_matches("- ");
            let head = &t.as_bytes()[..t.len().min(MAX_KEY + 2)];
            let quote = head.first().filter(|q| matches!(q, b'"' | b'\''));
            for p in 0..head.len().saturating_sub(1) {
                let key = match quote {
                    Some(q) if p > 0 && head[p] == *q && head[p + 1] == b':' => &t[1..p],
                    _ if head[p + 1] == b':' && t.is_char_boundary(p + 1) => &t[..p + 1],
                    _ => continue,
                };
                let at = keys.entry(key).or_default();
                if at.last() != Some(&n) {
                    at.push(n);
                }
            }
        }
        keys
    }

    /// Lines from `from` onwards with their 1-based numbers, as
    /// `str::lines` reads them.
    pub fn lines_from(&self, from: u32) -> impl Iterator<Item = (u32, &'t str)> {
        let first = from.max(1);
        self.text[self.start(first)..]
            .lines()
            .zip(first..)
            .map(|(l, n)| (n, l))
    }

    /// For each needle, the first line containing it: one pass of an
    /// automaton over the text per [`NEEDLES_PER_PASS`] needles. A needle
    /// never found, or one a pass gave up on, has `None`. A pass gives up
    /// after a few matches per byte of text: needles that are prefixes of
    /// one another (`a`, `aa`, `aaa` …) could otherwise make it quadratic.
    pub fn first_lines(&self, needles: &[&str]) -> Vec<Option<u32>> {
        let mut found = vec![None; needles.len()];
        let wanted: Vec<usize> = (0..needles.len())
            .filter(|i| !needles[*i].is_empty() && !needles[*i].contains('\n'))
            .collect();
        for chunk in wanted.chunks(NEEDLES_PER_PASS) {
            let budget = 4 * self.text.len() + chunk.len();
            let first = match self.first_by_search(needles, chunk, budget) {
                Some(first) => first,
                None => match self.first_by_automaton(needles, chunk, budget) {
                    Some(first) => first,
                    None => continue,
                },
            };
            for (k, i) in chunk.iter().enumerate() {
                found[*i] = first[k].map(|at| self.line_at(at));
            }
        }
        found
    }

    /// The first offset of each needle of `chunk`, by one pass of an
    /// automaton that stops after `budget` matches; `None` when the
    /// automaton cannot be built.
    fn first_by_automaton(
        &self,
        needles: &[&str],
        chunk: &[usize],
        budget: usize,
    ) -> Option<Vec<Option<usize>>> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(chunk.iter().map(|i| needles[*i]))
            .ok()?;
        let mut first: Vec<Option<usize>> = vec![None; chunk.len()];
        let mut missing = chunk.len();
        for m in ac.find_overlapping_iter(self.text).take(budget) {
            let slot = &mut first[m.pattern().as_usize()];
            if slot.is_none() {
                *slot = Some(m.start());
                missing -= 1;
                if missing == 0 {
                    break;
                }
            }
        }
        Some(first)
    }

    /// What [`LineIndex::first_by_automaton`] answers, by one substring
    /// search per needle, when that is provably the same answer; `None`
    /// otherwise. A manifest's few dozen needles made the automaton's
    /// build (a DFA of every needle) cost more than 100 searches of its
    /// text: 0.7 M instructions per package.json, 6% of a scan of
    /// 1,250 small apps.
    ///
    /// Same answer: the automaton reports every match of every needle in
    /// order of where it ends, and stops at the first match of the last
    /// needle it lacks (the end of the text if one is absent) or after
    /// `budget` matches. When the matches up to that point number no more
    /// than `budget`, it found each needle's first offset, which is what
    /// the searches find. Counting them stops past `budget`, so a text
    /// built to have many matches costs this no more than the automaton.
    fn first_by_search(
        &self,
        needles: &[&str],
        chunk: &[usize],
        budget: usize,
    ) -> Option<Vec<Option<usize>>> {
        if chunk.len() > SEARCHED_NEEDLES {
            return None;
        }
        let first: Vec<Option<usize>> = chunk.iter().map(|i| self.text.find(needles[*i])).collect();
        // Where the automaton would have stopped: the end of the latest
        // first match, or the end of the text.
        let mut stop = 0;
        for (k, at) in first.iter().enumerate() {
            match at {
                Some(at) => stop = stop.max(at + needles[chunk[k]].len()),
                None => stop = self.text.len(),
            }
        }
        let mut matches = 0usize;
        for (k, at) in first.iter().enumerate() {
            let needle = needles[chunk[k]];
            let mut next = *at;
            while let Some(at) = next
                && at + needle.len() <= stop
            {
                matches += 1;
                if matches > budget {
                    return None;
                }
                // Overlapping matches count: search again one byte on
                // (from the next character boundary).
                let from = at + self.text[at..].chars().next().map_or(1, char::len_utf8);
                next = self.text[from..].find(needle).map(|n| from + n);
            }
        }
        Some(first)
    }
}

/// Up to this many needles, [`LineIndex::first_lines`] searches for each
/// in turn rather than build an automaton: a package.json or pyproject.toml
/// has a few dozen dependencies and scripts.
const SEARCHED_NEEDLES: usize = 64;

/// Needles per automaton. Building one automaton of 50,000 needles took
/// seconds (aho-corasick 1.1 renumbers its states in time that grows with
/// the square of a long cycle); a pass over the text per thousand is
/// cheaper than that.
const NEEDLES_PER_PASS: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_as_str_lines_reads_them() {
        let text = "a: 1\r\nb: two\n\nb: three\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.find("b:", 1), Some(2));
        assert_eq!(idx.find("b:", 3), Some(4));
        assert_eq!(idx.find("b:", 5), None);
        assert_eq!(idx.find("last", 99), None);
        assert_eq!(idx.line_at(0), 1);
        assert_eq!(idx.line_at(text.len() - 1), 5);
        let from3: Vec<_> = idx.lines_from(3).collect();
        assert_eq!(from3, [(3, ""), (4, "b: three"), (5, "last")]);
        // `lines()` drops the `\r` of a CRLF ending.
        assert_eq!(idx.lines_from(1).next(), Some((1, "a: 1")));
    }

    #[test]
    fn keys_are_found_as_the_line_scan_found_them() {
        let text = "stages: [a]\ntest:unit:\n  script:\n    - x\n\"quoted\": 1\n- 'item': 2\nscript: again\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.key("test", 1), Some(2));
        assert_eq!(idx.key("test:unit", 1), Some(2));
        assert_eq!(idx.key("script", 1), Some(3));
        assert_eq!(idx.key("script", 4), Some(7));
        assert_eq!(idx.key("quoted", 1), Some(5));
        assert_eq!(idx.key("item", 1), Some(6));
        assert_eq!(idx.key("stages", 2), None);
        assert_eq!(idx.key("scrip", 1), None);
        assert_eq!(idx.key("é", 1), None);
        let idx = LineIndex::new("é: 1\n\"é\": 2\n");
        assert_eq!(idx.key("é", 1), Some(1));
        assert_eq!(idx.key("é", 2), Some(2));
    }

    #[test]
    fn first_lines_of_many_needles_in_one_pass() {
        let text = "\"dep-1\": \"1\",\n\"dep-10\": \"1\",\n\"dep-2\": \"1\"\n";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.first_lines(&["\"dep-2\"", "\"dep-1\"", "\"dep-10\"", "nope", ""]),
            [Some(3), Some(1), Some(2), None, None]
        );
        // Prefix needles still find their first line (overlapping matches).
        assert_eq!(idx.first_lines(&["dep", "dep-1"]), [Some(1), Some(1)]);
    }

    /// The per-needle searches answer exactly as the automaton does, and
    /// leave the answer to it when its match budget would have cut it
    /// short.
    #[test]
    fn searching_each_needle_answers_as_the_automaton() {
        let cases: &[(&str, &[&str])] = &[
            (
                "{\n  \"name\": \"x\",\n  \"dependencies\": {\"é\": \"1\", \"ab\": \"2\"},\n  \"scripts\": {\"ab\": \"ab\"}\n}\n",
                &["\"é\"", "\"ab\"", "\"name\"", "\"missing\"", "\"ab\""],
            ),
            ("aaa\naba\n", &["a", "aa", "ba", "aba"]),
            (
                "[project]\ndependencies = [\"requests>=2\", \"req\"]\n",
                &["requests>=2", "req"],
            ),
        ];
        for (text, needles) in cases {
            let idx = LineIndex::new(text);
            let chunk: Vec<usize> = (0..needles.len()).collect();
            let budget = 4 * text.len() + chunk.len();
            let searched = idx.first_by_search(needles, &chunk, budget);
            assert!(searched.is_some(), "{text:?}");
            assert_eq!(searched, idx.first_by_automaton(needles, &chunk, budget));
        }
        // Prefixes of one another over a run of one letter: more matches
        // than the budget, so the searches do not answer, and
        // `first_lines` gives the automaton's (cut short) answer.
        let text = format!("{}\nb", "a".repeat(200));
        let needles = ["aaaaa", "aaaa", "aaa", "aa", "a", "b"];
        let idx = LineIndex::new(&text);
        let chunk: Vec<usize> = (0..needles.len()).collect();
        let budget = 4 * text.len() + chunk.len();
        assert_eq!(idx.first_by_search(&needles, &chunk, budget), None);
        let cut = idx.first_by_automaton(&needles, &chunk, budget).unwrap();
        assert_eq!(cut[5], None, "the budget ran out before the `b`");
        let lines: Vec<Option<u32>> = cut.iter().map(|at| at.map(|a| idx.line_at(a))).collect();
        assert_eq!(idx.first_lines(&needles), lines);
    }

    #[test]
    fn searches_that_never_find_stop_at_the_budget() {
        let text = "x\n".repeat(50_000);
        let idx = LineIndex::new(&text);
        let started = std::time::Instant::now();
        for i in 0..100_000 {
            assert_eq!(idx.find(&format!("missing{i}"), 1), None);
        }
        // 100,000 full readings of 100 KB would be 10 GB.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
        assert_eq!(idx.find("x", 7), None, "past the budget");
        assert_eq!(LineIndex::new(&text).find("x", 7), Some(7));
    }

    #[test]
    fn many_items_cost_one_pass_not_items_times_lines() {
        let n = 40_000;
        let text: String = (0..n).map(|i| format!("  \"pkg{i}>=1\",\n")).collect();
        let idx = LineIndex::new(&text);
        let needles: Vec<String> = (0..n).map(|i| format!("\"pkg{i}>=1\"")).collect();
        let refs: Vec<&str> = needles.iter().map(String::as_str).collect();
        let started = std::time::Instant::now();
        let lines = idx.first_lines(&refs);
        assert_eq!(lines[0], Some(1));
        assert_eq!(lines[n - 1], Some(n as u32));
        // Items × lines would be 1.6e9 line scans: minutes in a debug build.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }
}
