//! Just enough lexing for pattern-based extraction: comments blanked out with
//! spaces (so offsets and line numbers stay true and commented-out code never
//! matches), string-aware bracket matching, and block bodies.

use crate::facts::Location;
use crate::inventory::Lang;

pub struct Source<'a> {
    pub path: &'a str,
    pub lang: Lang,
    /// The file's text with comments replaced by spaces.
    pub code: String,
    line_starts: Vec<usize>,
    /// String-literal ranges from the parser; empty for lexical sources.
    strings: Vec<std::ops::Range<usize>>,
    /// [`Source::functions`], found on first use: retry loops, callers,
    /// shapes, clients, practices and the language modules all ask for the
    /// same function bodies, and finding them is a captures search over the
    /// whole file (3% of a scan when each asked anew).
    functions: std::cell::OnceCell<Vec<(String, usize, usize)>>,
    /// [`Source::innermost`]'s index over those bodies, built on first use.
    innermost: std::cell::OnceCell<Innermost>,
    /// [`Source::go_imports`], read on first use.
    go_imports: std::cell::OnceCell<Vec<GoImport>>,
}

/// A Go import line (`alias "path"`), as [`super::go::IMPORT_LINE`] reads
/// it: where the match starts, the alias and the path.
pub struct GoImport {
    pub start: usize,
    alias: Option<std::ops::Range<usize>>,
    path: std::ops::Range<usize>,
}

impl GoImport {
    pub fn alias<'c>(&self, code: &'c str) -> Option<&'c str> {
        self.alias.clone().map(|r| &code[r])
    }

    pub fn path<'c>(&self, code: &'c str) -> &'c str {
        &code[self.path.clone()]
    }
}

impl<'a> Source<'a> {
    /// A lexical source: comments blanked by the lexer, strings unknown.
    pub fn new(path: &'a str, lang: Lang, text: &str) -> Self {
        Self::lexed(path, lang, lex(text, lang))
    }

    /// A source read by the lexer alone: comments blanked, strings known.
    pub fn lexed(path: &'a str, lang: Lang, lexed: Lexed) -> Self {
        Self::build(path, lang, lexed.code, lexed.strings)
    }

    /// A parsed source: comments blanked from the syntax tree's own ranges
    /// (Rust, whose parser drops comments, keeps the lexer's blanking), and
    /// string literals known so that [`Source::captures`] can skip them.
    pub fn parsed(path: &'a str, lang: Lang, text: &str, syntax: super::syntax::Syntax) -> Self {
        let code = if syntax.comments.is_empty() {
            blank_comments(text, lang)
        } else {
            let mut bytes = text.as_bytes().to_vec();
            for r in &syntax.comments {
                for b in &mut bytes[r.clone()] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
            }
            // Whole comments hold whole characters: still UTF-8.
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        };
        Self::build(path, lang, code, syntax.strings)
    }

    fn build(
        path: &'a str,
        lang: Lang,
        code: String,
        strings: Vec<std::ops::Range<usize>>,
    ) -> Self {
        let code = if lang == Lang::TypeScript {
            call_type_arguments(code, &strings)
        } else {
            code
        };
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', code.as_bytes()).map(|i| i + 1));
        Source {
            path,
            lang,
            code,
            line_starts,
            strings,
            functions: std::cell::OnceCell::new(),
            innermost: std::cell::OnceCell::new(),
            go_imports: std::cell::OnceCell::new(),
        }
    }

    /// Every match of [`super::go::IMPORT_LINE`] in code, strings or not,
    /// found once: the Go readers that ask for a file's imports (clients,
    /// fields, types, retries) each searched the file for them.
    pub fn go_imports(&self) -> &[GoImport] {
        self.go_imports.get_or_init(|| {
            super::go::IMPORT_LINE
                .captures_iter(&self.code)
                .map(|c| GoImport {
                    start: c.get(0).map_or(0, |m| m.start()),
                    alias: c.name("alias").map(|m| m.range()),
                    path: c.name("path").map_or(0..0, |m| m.range()),
                })
                .collect()
        })
    }

    /// [`Source::go_imports`] outside string literals, as
    /// [`Source::captures`] of the pattern finds them: (alias, path).
    pub fn go_import_lines(&self) -> impl Iterator<Item = (Option<&str>, &str)> {
        self.go_imports()
            .iter()
            .filter(|i| self.is_code(i.start))
            .map(|i| (i.alias(&self.code), i.path(&self.code)))
    }

    /// End of production code: Rust's inline `#[cfg(test)]` module onwards
    /// is test code; other languages keep tests in their own files.
    pub fn prod_end(&self) -> usize {
        if self.lang != Lang::Rust {
            return self.code.len();
        }
        ["#[cfg(test)]", "#[cfg(any(test"]
            .iter()
            .filter_map(|m| self.code.find(m))
            .min()
            .unwrap_or(self.code.len())
    }

    /// Whether `offset` is code, not the inside of a string literal.
    pub fn is_code(&self, offset: usize) -> bool {
        let i = self.strings.partition_point(|r| r.end <= offset);
        self.strings.get(i).is_none_or(|r| r.start > offset)
    }

    /// The string-literal ranges that lie within `from..to` (empty for a
    /// lexical source).
    pub fn strings_within(
        &self,
        from: usize,
        to: usize,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let i = self.strings.partition_point(|r| r.start < from);
        self.strings[i..]
            .iter()
            .take_while(move |r| r.end <= to)
            .cloned()
    }

    /// Matches of `re` that start in code: a pattern quoted in an error
    /// message, a docstring or a test description is not a call.
    pub fn captures<'s, 'r>(
        &'s self,
        re: &'r regex::Regex,
    ) -> impl Iterator<Item = regex::Captures<'s>> + use<'s, 'r, 'a> {
        re.captures_iter(&self.code)
            .filter(|c| self.is_code(c.get(0).map_or(0, |m| m.start())))
    }

    /// [`Source::captures`] for a pattern whose groups are not read: the
    /// lazy DFA alone finds each whole match, where `captures` also runs a
    /// backtracker or one-pass DFA over it to place the groups. Same matches,
    /// same order.
    pub fn matches<'s, 'r>(
        &'s self,
        re: &'r regex::Regex,
    ) -> impl Iterator<Item = regex::Match<'s>> + use<'s, 'r, 'a> {
        re.find_iter(&self.code).filter(|m| self.is_code(m.start()))
    }

    /// [`Source::captures`] of the matches whose text `keep` accepts: the
    /// lazy DFA alone finds each whole match, and only the kept ones have
    /// their groups placed (a pattern that matches every `name: Type` of a
    /// TypeScript file, of which a few name a type that matters). Same
    /// captures, same order, as `captures` filtered afterwards.
    pub fn captures_if<'s, 'r, F: Fn(&str) -> bool>(
        &'s self,
        re: &'r regex::Regex,
        keep: F,
    ) -> impl Iterator<Item = regex::Captures<'s>> + use<'s, 'r, 'a, F> {
        self.matches(re)
            .filter(move |m| keep(m.as_str()))
            .filter_map(move |m| {
                // The leftmost-first match from its own start is the one
                // the search found (the haystack is the same, so are `\b`
                // and the other look-arounds).
                let c = re.captures_at(&self.code, m.start())?;
                debug_assert_eq!(c.get(0).map(|w| w.range()), Some(m.range()));
                Some(c)
            })
    }

    /// Offsets of `needle` in code (outside string literals).
    pub fn find_all<'s>(&'s self, needle: &'s str) -> impl Iterator<Item = usize> + 's {
        self.code
            .match_indices(needle)
            .map(|(i, _)| i)
            .filter(|i| self.is_code(*i))
    }

    /// First offset of `needle` in code.
    pub fn find(&self, needle: &str) -> Option<usize> {
        self.find_all(needle).next()
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> u32 {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// Byte offset where a 1-based line starts (line 0 and 1 start at 0),
    /// `None` past the last line: the inverse of [`Source::line`], read from
    /// the index the source already holds rather than by counting newlines
    /// from the top once per call site.
    pub fn line_offset(&self, line: u32) -> Option<usize> {
        if line <= 1 {
            return Some(0);
        }
        self.line_starts.get(line as usize - 1).copied()
    }

    pub fn loc(&self, offset: usize) -> Location {
        Location::new(self.path, self.line(offset))
    }

    /// Offset of the bracket closing the one at `open`.
    pub fn matching(&self, open: usize) -> Option<usize> {
        matching(&self.code, open, self.lang)
    }

    /// Text between the bracket at `open` and its match (exclusive);
    /// up to the end of the file when unbalanced.
    pub fn inside(&self, open: usize) -> &str {
        let end = self.matching(open).unwrap_or(self.code.len());
        &self.code[(open + 1).min(end)..end]
    }

    /// Go: the `{` that opens a function's body, from just after its name.
    /// Type parameters, parameters and parenthesised results may span
    /// lines (`func fetch(\n\tsource string,\n) ([]T, error) {`), and a
    /// result may be `interface{}` or `struct{…}`; a newline outside them
    /// ends a declaration that has no body (an assembly stub).
    fn go_body_open(&self, mut at: usize) -> Option<usize> {
        let b = self.code.as_bytes();
        while at < b.len() {
            match b[at] {
                b'(' | b'[' => at = self.matching(at)? + 1,
                b'{' => {
                    let head = self.code[..at].trim_end();
                    if head.ends_with("interface") || head.ends_with("struct") {
                        at = self.matching(at)? + 1;
                    } else {
                        return Some(at);
                    }
                }
                b'\n' | b';' => return None,
                _ => at += 1,
            }
        }
        None
    }

    /// The `{ … }` block that starts at or after `from`, as (open, close).
    pub fn brace_block(&self, from: usize) -> Option<(usize, usize)> {
        let open = from + self.code[from..].find('{')?;
        Some((open, self.matching(open)?))
    }

    /// Python: the indented block under the line holding `offset`.
    pub fn indented_block(&self, offset: usize) -> (usize, usize) {
        let mut line_idx = self.line(offset) as usize - 1;
        let head = self.line_text(line_idx);
        let indent = leading_whitespace(head);
        // A header that spans lines (`def f(\n    a,\n    b,\n) -> X:`)
        // ends where its brackets close; the body follows that line.
        if let Some(p) = head.find(['(', '['])
            && let Some(close) = self.matching(self.line_starts[line_idx] + p)
        {
            line_idx = line_idx.max(self.line(close) as usize - 1);
        }
        let start = self
            .line_starts
            .get(line_idx + 1)
            .copied()
            .unwrap_or(self.code.len());
        let mut end = start;
        for i in line_idx + 1..self.line_starts.len() {
            let text = self.line_text(i);
            let lead = leading_whitespace(text);
            if lead == text.len() {
                continue;
            }
            if lead <= indent {
                break;
            }
            end = self.line_starts[i] + text.len();
        }
        (start, end.max(start))
    }

    fn line_text(&self, idx: usize) -> &str {
        let start = self.line_starts[idx];
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.code.len(), |e| e - 1);
        &self.code[start..end.max(start)]
    }

    /// Named function bodies as (name, body start, body end), for following a
    /// retry loop into a helper defined in the same file. Found once per
    /// source; the text does not change after construction.
    pub fn functions(&self) -> &[(String, usize, usize)] {
        self.functions.get_or_init(|| self.find_functions())
    }

    /// The innermost of [`Source::functions`] around `offset`: the smallest
    /// body holding it, the first such in file order on a tie. Read from an
    /// index of the file's bodies; asking each function in turn, once per
    /// call site, was sites x functions on a file of thousands of small
    /// functions.
    pub fn innermost(&self, offset: usize) -> Option<&(String, usize, usize)> {
        let functions = self.functions();
        let index = self.innermost.get_or_init(|| Innermost::new(functions));
        index.at(offset).map(|i| &functions[i])
    }

    fn find_functions(&self) -> Vec<(String, usize, usize)> {
        let re = match self.lang {
            Lang::Python => &*PY_DEF,
            Lang::Go => &*GO_FUNC,
            Lang::Rust => &*RS_FN,
            Lang::JavaScript | Lang::TypeScript => &*JS_FUNC,
        };
        // `find_iter`, with the name read from the match: the patterns'
        // `name` groups sit where [`function_name`] looks, and a captures
        // search ran a second engine over every header.
        re.find_iter(&self.code)
            .filter_map(|m| {
                let name = function_name(self.lang, m.as_str()).to_string();
                let (s, e) = if self.lang == Lang::Python {
                    self.indented_block(m.start())
                } else if self.lang == Lang::Go {
                    let open = self.go_body_open(m.end())?;
                    (open, self.matching(open)?)
                } else {
                    self.brace_block(m.end().saturating_sub(1))?
                };
                Some((name, s, e))
            })
            .collect()
    }
}

/// For each stretch of the file between two body boundaries (a start or an
/// end), the function that is innermost there: bodies may nest or even
/// overlap, so the answer is taken from a sweep over the boundaries that
/// keeps the open bodies ordered by (size, place in the list), the order in
/// which "smallest, first on a tie" picks.
struct Innermost {
    /// Sorted, distinct boundaries.
    bounds: Vec<usize>,
    /// The innermost body over `bounds[k]..bounds[k + 1]`.
    answer: Vec<Option<usize>>,
}

impl Innermost {
    fn new(functions: &[(String, usize, usize)]) -> Self {
        let mut bounds: Vec<usize> = functions
            .iter()
            .filter(|(_, s, e)| s < e)
            .flat_map(|(_, s, e)| [*s, *e])
            .collect();
        bounds.sort_unstable();
        bounds.dedup();
        let mut opens: Vec<(usize, usize)> = Vec::new();
        let mut closes: Vec<(usize, usize)> = Vec::new();
        for (i, (_, s, e)) in functions.iter().enumerate() {
            if s < e {
                opens.push((*s, i));
                closes.push((*e, i));
            }
        }
        opens.sort_unstable();
        closes.sort_unstable();
        let (mut o, mut c) = (0, 0);
        let mut open = std::collections::BTreeSet::new();
        let mut answer = Vec::with_capacity(bounds.len());
        for &b in &bounds {
            while c < closes.len() && closes[c].0 == b {
                let (_, s, e) = &functions[closes[c].1];
                open.remove(&(e - s, closes[c].1));
                c += 1;
            }
            while o < opens.len() && opens[o].0 == b {
                let (_, s, e) = &functions[opens[o].1];
                open.insert((e - s, opens[o].1));
                o += 1;
            }
            answer.push(open.first().map(|&(_, i)| i));
        }
        Innermost { bounds, answer }
    }

    fn at(&self, offset: usize) -> Option<usize> {
        let k = self
            .bounds
            .partition_point(|&b| b <= offset)
            .checked_sub(1)?;
        self.answer[k]
    }
}

/// The name in a function header matched by `PY_DEF`, `GO_FUNC`, `RS_FN` or
/// `JS_FUNC` (what their `name` group holds). Python's and Go's patterns end
/// with the name; Rust's name follows `fn`; JavaScript's follows `function`
/// (and an optional `*`) or `const`/`let`/`var`. Each group is a greedy
/// `\w+` that the rest of its pattern cannot extend, so it is the whole
/// identifier there.
fn function_name(lang: Lang, head: &str) -> &str {
    fn leading(s: &str) -> &str {
        let n = s
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        &s[..n]
    }
    match lang {
        Lang::Python | Lang::Go => {
            let n = head
                .bytes()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            &head[head.len() - n..]
        }
        Lang::Rust => leading(
            head.strip_prefix("fn")
                .unwrap_or(head)
                .trim_start_matches([' ', '\t']),
        ),
        Lang::JavaScript | Lang::TypeScript => {
            if let Some(rest) = head.strip_prefix("function") {
                let rest = rest.trim_start();
                leading(rest.strip_prefix('*').unwrap_or(rest).trim_start())
            } else {
                let rest = ["const", "let", "var"]
                    .iter()
                    .find_map(|k| head.strip_prefix(k))
                    .unwrap_or(head);
                leading(rest.trim_start())
            }
        }
    }
}

static PY_DEF: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?m)^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")
});
static GO_FUNC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?m)^func[ \t]+(?:\([^)]*\)[ \t]*)?(?P<name>\w+)")
});
static RS_FN: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| crate::facts::pattern::regex(r"\bfn[ \t]+(?P<name>\w+)[^;{]*\{"));
static JS_FUNC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"(?:\bfunction\s*\*?\s*(?P<name>\w+)\s*(?:<[^(){}]*>\s*)?\([^)]*\)[^{]*\{|(?:const|let|var)\s+(?P<name2>\w+)\s*=\s*(?:async\s*)?(?:function\b[^{]*|\([^)]*\)\s*=>\s*|\w+\s*=>\s*)\{)",
    )
});

fn matching(code: &str, open: usize, lang: Lang) -> Option<usize> {
    let bytes = code.as_bytes();
    let (o, c) = match bytes.get(open)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        let b = bytes[i];
        if is_quote(b, lang) && !(lang == Lang::Rust && b == b'\'' && !rust_char_literal(bytes, i))
        {
            i = skip_string(bytes, i);
            continue;
        }
        if b == o {
            depth += 1;
        } else if b == c {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

fn is_quote(b: u8, lang: Lang) -> bool {
    match lang {
        Lang::JavaScript | Lang::TypeScript => matches!(b, b'"' | b'\'' | b'`'),
        Lang::Go => matches!(b, b'"' | b'\'' | b'`'),
        Lang::Python | Lang::Rust => matches!(b, b'"' | b'\''),
    }
}

/// In Rust `'a` is a lifetime, `'a'` and `'\n'` are char literals.
fn rust_char_literal(bytes: &[u8], i: usize) -> bool {
    matches!(bytes.get(i + 1), Some(b'\\'))
        || matches!(bytes.get(i + 2), Some(b'\''))
        || (bytes.get(i + 1).is_some_and(|b| *b >= 0x80))
}

/// Offset just past the string literal that starts at `i`.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let q = bytes[i];
    // Python triple quotes.
    if bytes.get(i + 1) == Some(&q) && bytes.get(i + 2) == Some(&q) && q != b'`' {
        let mut j = i + 3;
        while j + 2 < bytes.len() {
            if bytes[j] == b'\\' {
                j += 2;
                continue;
            }
            if bytes[j] == q && bytes[j + 1] == q && bytes[j + 2] == q {
                return j + 3;
            }
            j += 1;
        }
        return bytes.len();
    }
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b if b == q => return j + 1,
            b'\n' if q != b'`' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// What the lexer learned from one file.
pub struct Lexed {
    /// The text with comments replaced by spaces.
    pub code: String,
    /// String literal contents, sorted.
    pub strings: Vec<std::ops::Range<usize>>,
    /// Brackets balance and every string and comment closes, with nothing
    /// the lexer cannot read alone (a JS regex literal that runs past its
    /// line, a comment inside a template field). When false, the file goes
    /// to the real parser, which either reads it or reports it. Where it is
    /// true, the lexer reads JS/TS as tree-sitter does: see the syntax
    /// test `lexer_agrees_with_the_parser`.
    pub certain: bool,
    /// Deepest bracket nesting outside strings and comments: the guard in
    /// front of the parser (see `nesting.rs`).
    pub max_depth: usize,
}

/// Replace comments with spaces, keeping newlines and string literals.
pub fn blank_comments(text: &str, lang: Lang) -> String {
    lex(text, lang).code
}

/// One pass over the bytes: comments blanked, string ranges recorded,
/// bracket balance checked.
pub fn lex(text: &str, lang: Lang) -> Lexed {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut strings = Vec::new();
    let mut certain = true;
    let mut depth: i64 = 0;
    let mut max_depth: i64 = 0;
    let hash_comments = lang == Lang::Python;
    let special = match lang {
        Lang::JavaScript | Lang::TypeScript | Lang::Go => &SPECIAL_BACKTICK,
        Lang::Python => &SPECIAL_HASH,
        Lang::Rust => &SPECIAL_RUST,
    };
    let mut i = 0;
    // A script's `#!` line is neither code nor a comment the parser knows.
    if matches!(lang, Lang::JavaScript | Lang::TypeScript) && bytes.starts_with(b"#!") {
        i = bytes
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(bytes.len());
    }
    while i < bytes.len() {
        let b = bytes[i];
        if !special[b as usize] {
            i += 1;
            continue;
        }
        if is_quote(b, lang) {
            if lang == Lang::Rust && b == b'\'' && !rust_char_literal(bytes, i) {
                i += 1;
                continue;
            }
            // Rust raw strings r"…" / r#"…"# hold no escapes.
            if lang == Lang::Rust
                && b == b'"'
                && i > 0
                && (bytes[i - 1] == b'r' || bytes[i - 1] == b'#')
            {
                let hashes = bytes[..i].iter().rev().take_while(|c| **c == b'#').count();
                let closing: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let end = match find(bytes, i + 1, &closing) {
                    Some(e) => e + closing.len(),
                    None => {
                        certain = false;
                        bytes.len()
                    }
                };
                strings.push(i + 1..end.saturating_sub(closing.len()).max(i + 1));
                i = end;
                continue;
            }
            // A JS template literal is read whole, with its fields and the
            // strings and templates nested in them.
            if b == b'`' && matches!(lang, Lang::JavaScript | Lang::TypeScript) {
                let before = strings.len();
                if let Some(end) = lex_template(bytes, i, 0, &mut strings) {
                    i = end;
                    continue;
                }
                strings.truncate(before);
                certain = false;
            }
            let end = skip_string(bytes, i);
            let triple = bytes.get(i + 1) == Some(&b) && bytes.get(i + 2) == Some(&b) && b != b'`';
            let quote_len = if triple { 3 } else { 1 };
            let closed = end >= i + 2 * quote_len && end <= bytes.len() && bytes[end - 1] == b;
            if !closed {
                certain = false;
            }
            let inner_end = if closed { end - quote_len } else { end };
            let inner = (i + quote_len).min(inner_end)..inner_end;
            // Template literals and f-strings hold code in their fields
            // (`${user.email}`, `{user.email}`): only the text around the
            // fields is string.
            let js_template = b == b'`' && matches!(lang, Lang::JavaScript | Lang::TypeScript);
            let f_string = lang == Lang::Python
                && bytes[..i]
                    .iter()
                    .rev()
                    .take(2)
                    .any(|p| matches!(p, b'f' | b'F'));
            if js_template || f_string {
                if !split_fields(bytes, inner, js_template, &mut strings) {
                    certain = false;
                }
            } else {
                strings.push(inner);
            }
            i = end;
            continue;
        }
        let line_comment = if hash_comments {
            b == b'#'
        } else {
            b == b'/' && bytes.get(i + 1) == Some(&b'/')
        };
        if line_comment {
            while i < bytes.len() && bytes[i] != b'\n' {
                out[i] = b' ';
                i += 1;
            }
            continue;
        }
        if !hash_comments && b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let end = match find(bytes, i + 2, b"*/") {
                Some(e) => e + 2,
                None => {
                    certain = false;
                    bytes.len()
                }
            };
            for (j, byte) in out.iter_mut().enumerate().take(end).skip(i) {
                if bytes[j] != b'\n' {
                    *byte = b' ';
                }
            }
            i = end;
            continue;
        }
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    certain = false;
                }
            }
            // A JS regex literal holds quotes and brackets that are not
            // code: it is read as a string when it closes on its line, and
            // the parser reads the file when it does not.
            // Looked up in `out`, where the comments before it are blank:
            // a regex on the line after a comment follows what the comment
            // follows.
            b'/' if matches!(lang, Lang::JavaScript | Lang::TypeScript)
                && regex_literal_start(&out, i) =>
            {
                if let Some((pattern_end, end)) = regex_literal_end(bytes, i) {
                    strings.push(i + 1..pattern_end);
                    i = end;
                    continue;
                }
                certain = false;
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        certain = false;
    }
    // Only ASCII bytes were replaced, and only whole comments (which start and
    // end on ASCII), so the result is still valid UTF-8; fall back if not.
    let code = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Lexed {
        code,
        strings,
        certain,
        max_depth: max_depth as usize,
    }
}

/// The bytes at which [`lex`] has something to do: quotes, the first byte
/// of a comment, brackets. Every other byte is copied as it is, and one
/// lookup lets the loop step over it (the lexer reads every byte of every
/// code file it is given, most of them identifiers and spaces).
const fn special_bytes(quotes: &[u8], comment: u8) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < quotes.len() {
        t[quotes[i] as usize] = true;
        i += 1;
    }
    t[comment as usize] = true;
    let brackets = *b"()[]{}";
    let mut j = 0;
    while j < brackets.len() {
        t[brackets[j] as usize] = true;
        j += 1;
    }
    t
}
/// JavaScript, TypeScript and Go: `"`, `'` and backtick strings, `//` and `/*`
/// comments (and JS regex literals, which start with `/`).
static SPECIAL_BACKTICK: [bool; 256] = special_bytes(b"\"'`", b'/');
/// Python: `"` and `'` strings, `#` comments.
static SPECIAL_HASH: [bool; 256] = special_bytes(b"\"'", b'#');
/// Rust: `"` and `'` (char literals, lifetimes), `//` and `/*` comments.
static SPECIAL_RUST: [bool; 256] = special_bytes(b"\"'", b'/');

/// Push the text parts of an interpolating string, leaving its fields out.
/// False when a field does not close inside the string (the lexer's read of
/// the string is then unreliable).
fn split_fields(
    bytes: &[u8],
    inner: std::ops::Range<usize>,
    js: bool,
    strings: &mut Vec<std::ops::Range<usize>>,
) -> bool {
    let mut seg = inner.start;
    let mut j = inner.start;
    while j < inner.end {
        let opens = if js {
            bytes[j] == b'$' && bytes.get(j + 1) == Some(&b'{')
        } else if bytes[j] == b'{' && bytes.get(j + 1) == Some(&b'{') {
            // `{{` is a literal brace in an f-string.
            j += 2;
            continue;
        } else {
            bytes[j] == b'{'
        };
        if bytes[j] == b'\\' {
            j += 2;
            continue;
        }
        if !opens {
            j += 1;
            continue;
        }
        strings.push(seg..j);
        let mut depth = 0usize;
        let mut k = if js { j + 1 } else { j };
        let mut closed = false;
        while k < inner.end {
            match bytes[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        closed = true;
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        if !closed {
            return false;
        }
        seg = k + 1;
        j = k + 1;
    }
    strings.push(seg.min(inner.end)..inner.end);
    true
}

/// Deepest nesting of templates inside template fields the lexer reads
/// (`${a ? `b ${c}` : ''}` is two); deeper goes to the parser.
const TEMPLATE_NESTING_MAX: usize = 16;

/// Read the JS template literal whose backtick is at `i`: its text parts go
/// to `strings`, and its `${…}` fields are code, with the strings and
/// templates nested in them recorded too, in order. Returns the offset past
/// the closing backtick, or `None` when the template does not close or a
/// field holds what the lexer does not read alone (a comment, a regex
/// literal that does not close on its line, nesting past
/// [`TEMPLATE_NESTING_MAX`]).
fn lex_template(
    bytes: &[u8],
    i: usize,
    nesting: usize,
    strings: &mut Vec<std::ops::Range<usize>>,
) -> Option<usize> {
    if nesting > TEMPLATE_NESTING_MAX {
        return None;
    }
    let mut seg = i + 1;
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'`' => {
                strings.push(seg..j);
                return Some(j + 1);
            }
            b'$' if bytes.get(j + 1) == Some(&b'{') => {
                strings.push(seg..j);
                j = lex_field(bytes, j + 2, nesting, strings)?;
                seg = j;
            }
            _ => j += 1,
        }
    }
    None
}

/// Read a template field's code from `k` (just past `${`) to its closing
/// `}`; returns the offset past it. See [`lex_template`].
fn lex_field(
    bytes: &[u8],
    mut k: usize,
    nesting: usize,
    strings: &mut Vec<std::ops::Range<usize>>,
) -> Option<usize> {
    let mut depth = 0usize;
    while k < bytes.len() {
        match bytes[k] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(k + 1),
            b'}' => depth -= 1,
            b'`' => {
                k = lex_template(bytes, k, nesting + 1, strings)?;
                continue;
            }
            q @ (b'"' | b'\'') => {
                let end = skip_string(bytes, k);
                if end < k + 2 || bytes[end - 1] != q {
                    return None;
                }
                strings.push(k + 1..end - 1);
                k = end;
                continue;
            }
            b'/' if matches!(bytes.get(k + 1), Some(b'/' | b'*')) => return None,
            b'/' if regex_literal_start(bytes, k) => {
                let (pattern_end, end) = regex_literal_end(bytes, k)?;
                strings.push(k + 1..pattern_end);
                k = end;
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// Where the regex literal that starts at `i` ends: the offset of its
/// closing `/` and the offset past its flags. A `/` inside a character
/// class (`[/]`) or escaped does not close it; a line end before the close
/// means it was no regex literal (`None`).
fn regex_literal_end(bytes: &[u8], i: usize) -> Option<(usize, usize)> {
    let mut in_class = false;
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\'
                if bytes
                    .get(j + 1)
                    .is_some_and(|b| !matches!(b, b'\n' | b'\r')) =>
            {
                j += 2
            }
            b'\n' | b'\r' | b'\\' => return None,
            b'[' => {
                in_class = true;
                j += 1;
            }
            b']' => {
                in_class = false;
                j += 1;
            }
            b'/' if !in_class => {
                let mut end = j + 1;
                while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
                    end += 1;
                }
                return Some((j, end));
            }
            _ => j += 1,
        }
    }
    None
}

/// A byte of a JS/TS identifier (ASCII letters, digits, `_`, `$`).
fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// A `/` where an expression starts (after `(`, `=`, `,`, `:`, `[`, `!`,
/// `&`, `|`, `?`, `{`, `;`, `=>`, the keyword `return`): the start of a
/// regex literal.
fn regex_literal_start(bytes: &[u8], i: usize) -> bool {
    // `//` and `/*` open comments. Where an expression starts, `/ ` and
    // `/=` open a regex too: division needs an operand before it.
    if bytes.get(i + 1).is_some_and(|b| matches!(b, b'/' | b'*')) {
        return false;
    }
    let before = bytes[..i].iter().rev().find(|b| !b.is_ascii_whitespace());
    match before {
        None => true,
        Some(b) => {
            matches!(
                b,
                b'(' | b'=' | b',' | b':' | b'[' | b'!' | b'&' | b'|' | b'?' | b'{' | b';'
            ) || {
                let code = bytes[..i].trim_ascii_end();
                let after_return = code
                    .strip_suffix(b"return")
                    .is_some_and(|rest| rest.last().is_none_or(|b| !ident_byte(*b)));
                after_return || code.ends_with(b"=>")
            }
        }
    }
}

/// Longest type-argument list read between a callee and its `(`: real
/// ones (`<QueueResponse<MovieResult>>`, `<{ results: T[]; total: number }>`)
/// are a few dozen bytes, and the bound keeps a file of `<` without a
/// matching `>(` linear.
const TYPE_ARGUMENTS_MAX: usize = 256;

/// TypeScript calls written with type arguments (`this.axios.get<Status>(url)`,
/// `client.post<Page<T>>(u, d)`, `new Map<string, Job[]>()`) read as plain
/// calls: the type-argument list written directly between a callee and its
/// `(` is blanked and the `(` moved to where the `<` was, so
/// `get<T>(url)` becomes `get(   url)`. Every extractor's patterns
/// (`axios.get(`, `this.get(`, `fetch(`) then see the call, and every byte
/// keeps its offset, so lines and columns stay true (newlines inside the
/// list are kept).
///
/// Only type syntax counts as a list: identifiers, `.`, `,`, `|`, `&`,
/// brackets, object types (`{ k?: T; }`, the only place for `:` and `;`),
/// string literal types and nested `<…>`, after a name whose first byte is
/// not a digit and touching it. A comparison never reads as one: it needs
/// `&&`, `||`, a number, a parenthesis or a space before `<`
/// (`a < b && c > (d)`, `i<n; i++`, `x<10>(y)`), and a `<` inside a string
/// literal is left alone. JavaScript has no type arguments (there
/// `a<b>(c)` is a comparison), so only TypeScript sources are rewritten.
fn call_type_arguments(code: String, strings: &[std::ops::Range<usize>]) -> String {
    if !code.contains(">(") {
        return code;
    }
    // Where each list could end: a `<` with no `>(` within reach is no
    // list, and is passed over without a scan.
    let ends: Vec<usize> = code.match_indices(">(").map(|(k, _)| k).collect();
    let mut next_end = 0;
    let mut bytes = code.into_bytes();
    let mut i = 1;
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|b| *b == b'<'))
    {
        let lt = i + p;
        i = lt + 1;
        while ends.get(next_end).is_some_and(|e| *e < lt) {
            next_end += 1;
        }
        let Some(reach) = ends.get(next_end) else {
            break;
        };
        if reach - lt >= TYPE_ARGUMENTS_MAX || !ident_byte(bytes[lt - 1]) {
            continue;
        }
        let name_start = bytes[..lt]
            .iter()
            .rposition(|b| !ident_byte(*b))
            .map_or(0, |k| k + 1);
        if bytes[name_start].is_ascii_digit() {
            continue;
        }
        let s = strings.partition_point(|r| r.end <= lt);
        if strings.get(s).is_some_and(|r| r.start <= lt) {
            continue;
        }
        let Some(gt) = type_arguments_end(&bytes, lt) else {
            continue;
        };
        if bytes.get(gt + 1) != Some(&b'(') {
            continue;
        }
        bytes[lt] = b'(';
        for b in &mut bytes[lt + 1..=gt + 1] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        i = gt + 2;
    }
    // Whole multi-byte characters (in a string literal type) were blanked
    // byte by byte: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The `>` closing the type-argument list that opens at `lt`, if the text
/// between is type syntax only (see [`call_type_arguments`]).
fn type_arguments_end(bytes: &[u8], lt: usize) -> Option<usize> {
    let end = bytes.len().min(lt + TYPE_ARGUMENTS_MAX);
    let mut angles = 0usize;
    // Open `{` and `[`, innermost last.
    let mut nest: Vec<u8> = Vec::new();
    let mut j = lt;
    while j < end {
        let b = bytes[j];
        match b {
            b'<' => angles += 1,
            b'>' => {
                angles -= 1;
                if angles == 0 {
                    let empty = bytes[lt + 1..j].iter().all(u8::is_ascii_whitespace);
                    return (nest.is_empty() && !empty).then_some(j);
                }
            }
            b'{' | b'[' => nest.push(b),
            b'}' => (nest.pop() == Some(b'{')).then_some(())?,
            b']' => (nest.pop() == Some(b'[')).then_some(())?,
            // Members of an object type: `{ id: string; tags?: T[] }`.
            b':' | b';' => (nest.last() == Some(&b'{')).then_some(())?,
            b'&' | b'|' => (bytes.get(j + 1) != Some(&b)).then_some(())?,
            b'?' => (bytes.get(j + 1) != Some(&b'.')).then_some(())?,
            b'\'' | b'"' => {
                let close = bytes[j + 1..end]
                    .iter()
                    .position(|c| *c == b || *c == b'\n' || *c == b'\\')?;
                (bytes[j + 1 + close] == b).then_some(())?;
                j += close + 1;
            }
            b'0'..=b'9' => {
                let prev = bytes[j - 1];
                (prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'$').then_some(())?
            }
            b'.' | b',' | b'_' | b'$' | b' ' | b'\t' | b'\n' | b'\r' => {}
            _ if b.is_ascii_alphabetic() => {}
            _ => return None,
        }
        j += 1;
    }
    None
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The length of `text`'s leading whitespace, as `trim_start` measures
/// it: byte by byte over ASCII (a Python file's every line is measured),
/// by characters from the first non-ASCII byte on.
fn leading_whitespace(text: &str) -> usize {
    for (i, b) in text.bytes().enumerate() {
        if b >= 0x80 {
            return i + (text[i..].len() - text[i..].trim_start().len());
        }
        if !b.is_ascii_whitespace() && b != 0x0b {
            return i;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finding first and placing the groups only where `keep` holds gives
    /// the captures that placing them everywhere and filtering gives:
    /// overlapping candidates, look-arounds at the match's edge, matches in
    /// strings and comments (dropped by both), non-ASCII text.
    #[test]
    fn captures_if_agrees_with_captures_filtered() {
        let patterns = [
            r"(?P<a>\b[a-z]+)\s*:\s*(?P<t>[A-Z]\w*)",
            r"(?P<this>\bthis\s*\.\s*)?(?P<r>[A-Za-z_$][\w$]*)\s*\??\.\s*(?P<m>\w+)\s*\(",
            r"(?m)^\s*(?P<k>let|const)\s+(?P<n>\w+)",
        ];
        let texts = [
            "const a: Api = x; // b: Box\nlet é: Ünit = 1;\nthis.http.get(u); c?.d(e)\n",
            "s = 'x: Y'; f(a: A, bb: Bb); this . api . post ( 1 ) ;\n  const z9 = 1",
            "aa.bb.cc(1)(2); /* q: Q */ r.s(`t: T`)\nconst\u{3000}w = 2",
        ];
        for p in patterns {
            let re = regex::Regex::new(p).unwrap();
            for text in texts {
                let src = Source::new("a.ts", Lang::TypeScript, text);
                for keep in [
                    &(|_: &str| true) as &dyn Fn(&str) -> bool,
                    &|m: &str| m.contains('a'),
                    &|m: &str| m.len().is_multiple_of(2),
                    &|_: &str| false,
                ] {
                    let groups = |c: regex::Captures| -> Vec<Option<std::ops::Range<usize>>> {
                        c.iter().map(|g| g.map(|g| g.range())).collect()
                    };
                    let fast: Vec<_> = src.captures_if(&re, keep).map(groups).collect();
                    let slow: Vec<_> = src
                        .captures(&re)
                        .filter(|c| keep(&c[0]))
                        .map(groups)
                        .collect();
                    assert_eq!(fast, slow, "{p} on {text:?}");
                }
            }
        }
    }

    #[test]
    fn leading_whitespace_is_what_trim_start_removes() {
        for t in [
            "",
            "x",
            "    x",
            "\t\tdef f():",
            " \x0b\x0c\r x",
            "   ",
            "\u{a0} x",
            "  \u{3000}x",
            "  é",
            "é  ",
            "\x1c x",
            "\t\u{2028}\tx",
            "  \u{85}",
        ] {
            assert_eq!(
                leading_whitespace(t),
                t.len() - t.trim_start().len(),
                "{t:?}"
            );
        }
    }

    /// The index's innermost body is the one found by asking every body in
    /// turn (smallest holding the offset, first in order on a tie), for
    /// nested, disjoint, overlapping, repeated and empty bodies.
    #[test]
    fn innermost_index_matches_asking_every_function() {
        let mut state: u64 = 7;
        let mut next = |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % m) as usize
        };
        for round in 0..200 {
            let n = 1 + next(12);
            let functions: Vec<(String, usize, usize)> = (0..n)
                .map(|i| {
                    let s = next(60);
                    (format!("f{i}"), s, s + next(40))
                })
                .collect();
            let index = super::Innermost::new(&functions);
            for at in 0..110 {
                let asked = functions
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, s, e))| (*s..*e).contains(&at))
                    .min_by_key(|(_, (_, s, e))| e - s)
                    .map(|(i, _)| i);
                assert_eq!(
                    index.at(at),
                    asked,
                    "round {round}, offset {at}: {functions:?}"
                );
            }
        }
    }
    #[test]
    fn comments_are_blanked_strings_kept() {
        let s = blank_comments("a // b\nc = \"//x\" /* y\nz */ d\n", Lang::JavaScript);
        assert_eq!(s, "a     \nc = \"//x\"     \n     d\n");
        let p = blank_comments("x = '#1'  # note\n", Lang::Python);
        assert_eq!(p, "x = '#1'        \n");
    }

    #[test]
    fn lexer_knows_when_to_ask_the_parser() {
        let t = lex("log(`sent to ${user.email}`);\n", Lang::JavaScript);
        assert!(t.certain);
        let field = "log(`sent to ${user.email}`);".find("user").unwrap();
        assert!(
            !t.strings.iter().any(|r| r.contains(&field)),
            "a template field is code"
        );
        let f = lex("log(f\"hi {name} {{x}}\")\n", Lang::Python);
        assert!(f.certain);
        assert!(!lex("f(a, [b)\n", Lang::Go).certain, "unbalanced");
        assert!(
            !lex("x = \"open\n", Lang::Python).certain,
            "unclosed string"
        );
        // A regex literal that closes on its line is read as a string: its
        // quotes and brackets are not code.
        let text = "const r = /[)\"/]'/gi; call(r)\n";
        let r = lex(text, Lang::JavaScript);
        assert!(r.certain, "regex literal");
        assert_eq!(r.strings, vec![11..17], "the pattern, not the flags");
        let arrow = lex(
            "const ok = (s) => /^\"[a-z]+\"$/.test(s);\n",
            Lang::TypeScript,
        );
        assert!(arrow.certain && arrow.strings.len() == 1, "after =>");
        assert!(
            !lex("const r = /[)\"]\n", Lang::JavaScript).certain,
            "a regex literal that does not close on its line"
        );
        // Templates nested in template fields, with strings of their own.
        let text = "log(`a ${x ? `b ${y}\\n` : 'c'} d`);\n";
        let t = lex(text, Lang::TypeScript);
        assert!(t.certain, "nested template");
        let texts: Vec<&str> = t.strings.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(texts, ["a ", "b ", "\\n", "c", " d"]);
        let text = "q(`'${p.replace(/'/g, \"''\")}'`);\n";
        let field = lex(text, Lang::TypeScript);
        assert!(field.certain, "a regex literal inside a field");
        let texts: Vec<&str> = field.strings.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(texts, ["'", "'", "''", "'"]);
        assert!(
            !lex("log(`a ${x /* why */} b`);\n", Lang::JavaScript).certain,
            "a comment inside a field"
        );
        assert!(
            !lex("log(`a ${x ? `b` : 'c}`);\n", Lang::JavaScript).certain,
            "a field that does not close"
        );
        let bang = lex("#!/usr/bin/env node\nrun('/x');\n", Lang::JavaScript);
        assert!(
            bang.certain && bang.strings.len() == 1,
            "a #! line is skipped"
        );
        assert!(
            lex("const half = a / b;\n", Lang::JavaScript).certain,
            "division"
        );
    }

    #[test]
    fn rust_lifetimes_do_not_open_strings() {
        let src = Source::new("a.rs", Lang::Rust, "fn f<'a>(x: &'a str) { g('{') }\n");
        let open = src.code.find('{').unwrap();
        assert_eq!(src.matching(open), Some(src.code.rfind('}').unwrap()));
    }

    #[test]
    fn lines_and_blocks() {
        let src = Source::new(
            "a.py",
            Lang::Python,
            "for i in range(3):\n    a()\n\n    b()\nc()\n",
        );
        assert_eq!(src.line(0), 1);
        let (s, e) = src.indented_block(0);
        assert_eq!(&src.code[s..e], "    a()\n\n    b()");
        let go = Source::new(
            "m.go",
            Lang::Go,
            "func (s *S) Fetch(x int) error {\n return nil\n}\n",
        );
        assert_eq!(go.functions()[0].0, "Fetch");
    }

    #[test]
    fn function_names_are_what_the_patterns_name() {
        // [`function_name`] reads the name from the whole match; each
        // pattern's `name` group must agree, header by header.
        let cases: &[(Lang, &str)] = &[
            (Lang::Python, "def fetch(url):\n    pass\n"),
            (
                Lang::Python,
                "    async  def _get_json2(a,\n b):\n        pass\n",
            ),
            (Lang::Go, "func Fetch(x int) error {\n}\n"),
            (Lang::Go, "func (s *Server) handle_2(w W) {\n}\n"),
            (Lang::Rust, "pub async fn get_user<'a>(id: u32) -> R {\n}\n"),
            (Lang::Rust, "fn\tmain() {}\n"),
            (Lang::JavaScript, "export async function* pages(url) {\n}\n"),
            (Lang::JavaScript, "function\nfetchAll <T>(u) {\n}\n"),
            (
                Lang::TypeScript,
                "const get_json = async (u: string) => {\n}\n",
            ),
            (
                Lang::JavaScript,
                "let  retry = async function named(x) {\n}\n",
            ),
            (
                Lang::JavaScript,
                "var x2 = y => {\n}\nconst ok = (a) => {\n}\n",
            ),
        ];
        for (lang, code) in cases {
            let src = Source::new("f", *lang, code);
            let re = match lang {
                Lang::Python => &*PY_DEF,
                Lang::Go => &*GO_FUNC,
                Lang::Rust => &*RS_FN,
                Lang::JavaScript | Lang::TypeScript => &*JS_FUNC,
            };
            let want: Vec<&str> = re
                .captures_iter(&src.code)
                .filter_map(|c| c.name("name").or_else(|| c.name("name2")))
                .map(|m| m.as_str())
                .collect();
            let got: Vec<&str> = re
                .find_iter(&src.code)
                .map(|m| function_name(*lang, m.as_str()))
                .collect();
            assert!(!want.is_empty(), "{code}");
            assert_eq!(got, want, "{code}");
        }
    }

    #[test]
    fn go_function_headers_may_span_lines() {
        let code = "func fetch(\n\tsource string,\n\tlabels map[string]string,\n) ([]int, error) {\n\tx := 1\n}\n\n\
                    func any() interface{} {\n\treturn nil\n}\n\n\
                    func decode[T any](c doer) (T, error) {\n\tvar t T\n}\n\n\
                    func stub(x int) int\n\n\
                    func after() {\n\ty := 2\n}\n";
        let src = Source::new("m.go", Lang::Go, code);
        let fns = src.functions();
        let names: Vec<&str> = fns.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            ["fetch", "any", "decode", "after"],
            "a stub has no body"
        );
        let body = |i: usize| &code[fns[i].1..=fns[i].2];
        assert_eq!(body(0), "{\n\tx := 1\n}");
        assert_eq!(body(1), "{\n\treturn nil\n}");
        assert_eq!(body(2), "{\n\tvar t T\n}");
        assert_eq!(body(3), "{\n\ty := 2\n}");
    }

    /// TypeScript type arguments on a call are blanked, the `(` moved to
    /// the `<`: the call reads as one and every byte keeps its offset.
    #[test]
    fn type_arguments_on_calls_read_as_calls() {
        let ts = |text: &str| Source::new("a.ts", Lang::TypeScript, text).code;
        for (text, want) in [
            ("this.axios.get<Status>(url)", "this.axios.get(url)"),
            ("axios.get<User>(`/u/${id}`)", "axios.get(`/u/${id}`)"),
            ("client.post<QueueResponse<T>>(u, d)", "client.post(u, d)"),
            ("api.get<{ results: T[]; total?: number }>(u)", "api.get(u)"),
            ("new Map<string, Job[]>()", "new Map()"),
            ("get<'movie' | \"tv\" | A.B & C>(x)", "get(x)"),
            ("f<T>(g<U>(x))", "f(g(x))"),
            (
                "function load<T>(url: string): Promise<T> {",
                "function load(url: string): Promise<T> {",
            ),
        ] {
            let got = ts(text);
            assert_eq!(got.len(), text.len(), "{text}");
            // The `(` sits where the `<` was, the list's bytes are spaces.
            assert_eq!(got.find('('), text.find('<'), "{text}");
            let squeezed = |s: &str| {
                s.split(' ')
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            assert_eq!(
                squeezed(&got).replace("( ", "("),
                squeezed(want).replace("( ", "("),
                "{text} → {got}"
            );
        }
        // A list over lines keeps its newlines, so every later line stays.
        let text =
            "const r = await this.get<\n  Page<Movie>\n>('/movies', { params });\nfetch(u);\n";
        let src = Source::new("a.ts", Lang::TypeScript, text);
        assert_eq!(src.code.len(), text.len());
        assert_eq!(
            src.code,
            "const r = await this.get(\n             \n  '/movies', { params });\nfetch(u);\n"
        );
        assert_eq!(src.line(src.code.find("fetch").unwrap()), 4);
        assert_eq!(src.line(text.find("fetch").unwrap()), 4);
    }

    /// What is not a type-argument list stays as written: comparisons,
    /// numbers, arrow functions, an empty list, an over-long one, text in
    /// a string, and any JavaScript.
    #[test]
    fn comparisons_never_become_calls() {
        let long = format!("get<{}>(x)", "A | ".repeat(70) + "B");
        for text in [
            "if (a < b && c > (d)) {}",
            "if (a<b && c>(d)) {}",
            "x = a<b || c>(d);",
            "for (let i=0; i<n; i++) { if (j>(k)) {} }",
            "y = x<10>(z);",
            "y = 1<a>(b);",
            "y = n<-1>(b);",
            "f<(x: T) => U>(g)",
            "ok = a<b ? c : d>(e);",
            "f<>(x)",
            "const s = 'get<T>(x)';",
            "v = a?.b<c?.d>(e);",
            "w = a<b>c;",
            "m = a<b)>(c);",
            "q = a<b}>(c);",
            "s = a<'x>(y)';",
            long.as_str(),
        ] {
            assert_eq!(Source::new("a.ts", Lang::TypeScript, text).code, text);
        }
        let js = "const v = a<b>(c);\n";
        assert_eq!(Source::new("a.js", Lang::JavaScript, js).code, js);
        // Hostile input: a file of `<` and no list stays linear and as is.
        let many = "a<".repeat(200_000) + ">(x)";
        let src = Source::new("a.ts", Lang::TypeScript, &many);
        assert_eq!(src.code.len(), many.len());
    }
}
