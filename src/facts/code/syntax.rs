//! Parsing, at most once per file and only when it can matter.
//!
//! A cheap aho-corasick prefilter over the bytes first asks whether the file
//! names anything a code rule reads (a server framework, an HTTP client, a
//! logger, a signal handler …). Only then is it parsed: tree-sitter for
//! JavaScript, TypeScript/TSX, Python and Go, syn for Rust. The tree is not
//! handed to the extractors whole: they get what removes false positives —
//! exact comment ranges (so a `//` inside a regex literal or a template string
//! never hides code) and string-literal ranges (so `"app.get('/health')"` in a
//! README string, a docstring or an error message never counts as a route or a
//! call). The per-language extractors keep their patterns and use
//! [`super::Source::captures`], which drops matches that start inside a string
//! or comment.
//!
//! A file that does not parse is not guessed at: it contributes no code facts,
//! and the scan records it so the code rules say `skip` instead of `pass`.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::nesting::MAX_NESTING;

use crate::inventory::Lang;

/// What parsing left for the extractors.
#[derive(Debug, Default)]
pub struct Syntax {
    /// Comments, sorted. Empty for Rust: syn drops comments, so Rust keeps
    /// the lexer's comment blanking (which handles its raw strings and
    /// lifetimes; see `lexer.rs`).
    pub comments: Vec<Range<usize>>,
    /// String literal contents, sorted, non-overlapping.
    pub strings: Vec<Range<usize>>,
}

impl Syntax {
    /// Whether `offset` lies inside a string literal.
    pub fn in_string(&self, offset: usize) -> bool {
        let i = self.strings.partition_point(|r| r.end <= offset);
        self.strings.get(i).is_some_and(|r| r.start <= offset)
    }
}

/// Outcome of parsing one file.
pub enum Parse {
    /// The prefilter found nothing any code rule reads.
    NotNeeded,
    Parsed(Syntax),
    /// The file has syntax errors; the message names where.
    Failed(String),
}

/// One automaton per language family over every word a table names: the
/// trigger words of the built-in extractors (`rules/triggers.toml`), the
/// needles of every library row (`rules/libraries.toml`), the detect words
/// of every framework (`rules/frameworks.toml`), the imports of
/// every client row (`rules/clients.toml`) and the gRPC health needles. A
/// file with none of them holds nothing any code rule reads, so it is never
/// parsed; a row added to a table is a word added here.
fn automaton(lang: &str) -> AhoCorasick {
    let mut all: Vec<String> = super::triggers::words(lang)
        .chain(super::practices::needles(lang))
        .chain(super::frameworks::words(lang))
        .map(str::to_string)
        .collect();
    // Client modules as they are written in an import (`'axios`,
    // `"net/http`), not bare names that prose and identifiers also hold.
    all.extend(super::clients::import_needles(lang));
    all.extend(super::triggers::grpc_health_needles().iter().cloned());
    all.sort_unstable();
    all.dedup();
    AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(all)
        .expect("table words are literals")
}

static JS: LazyLock<AhoCorasick> = LazyLock::new(|| automaton("js"));
static PY: LazyLock<AhoCorasick> = LazyLock::new(|| automaton("py"));
static GO: LazyLock<AhoCorasick> = LazyLock::new(|| automaton("go"));
static RS: LazyLock<AhoCorasick> = LazyLock::new(|| automaton("rs"));

/// The prefilter: may any code rule need this file?
pub fn wanted(lang: Lang, text: &str) -> bool {
    let ac = match lang {
        Lang::JavaScript | Lang::TypeScript => &*JS,
        Lang::Python => &*PY,
        Lang::Go => &*GO,
        Lang::Rust => &*RS,
    };
    ac.is_match(text)
}

/// Parse one file (the caller has already asked [`wanted`]). `bracket_depth`
/// is the lexer's deepest bracket nesting, the guard in front of
/// tree-sitter; Rust measures its own (see [`super::nesting`]).
pub fn parse(path: &str, lang: Lang, text: &str, bracket_depth: usize) -> Parse {
    match lang {
        Lang::Rust => parse_rust(text),
        _ if bracket_depth > MAX_NESTING => Parse::Failed(super::nesting::too_deep()),
        _ => parse_tree_sitter(path, lang, text),
    }
}

/// Which grammar: TSX for `.tsx`, TypeScript for other TS, JavaScript (which
/// includes JSX) for the rest.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grammar {
    JavaScript,
    TypeScript,
    Tsx,
    Python,
    Go,
}

impl Grammar {
    fn of(path: &str, lang: Lang) -> Grammar {
        match lang {
            Lang::TypeScript if path.ends_with(".tsx") => Grammar::Tsx,
            Lang::TypeScript => Grammar::TypeScript,
            Lang::Python => Grammar::Python,
            Lang::Go => Grammar::Go,
            _ => Grammar::JavaScript,
        }
    }

    fn language(self) -> tree_sitter::Language {
        match self {
            Grammar::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Grammar::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Grammar::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Grammar::Python => tree_sitter_python::LANGUAGE.into(),
            Grammar::Go => tree_sitter_go::LANGUAGE.into(),
        }
    }
}

thread_local! {
    /// One parser per walker thread and grammar: creating a parser and
    /// loading a language costs more than parsing a small file.
    static PARSERS: RefCell<Vec<(Grammar, tree_sitter::Parser)>> = const { RefCell::new(Vec::new()) };
}

fn parse_tree_sitter(path: &str, lang: Lang, text: &str) -> Parse {
    let grammar = Grammar::of(path, lang);
    let tree = PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let idx = match parsers.iter().position(|(g, _)| *g == grammar) {
            Some(i) => i,
            None => {
                let mut p = tree_sitter::Parser::new();
                p.set_language(&grammar.language())
                    .expect("grammar ABI within tree-sitter's range");
                parsers.push((grammar, p));
                parsers.len() - 1
            }
        };
        parsers[idx].1.parse(text, None)
    });
    let Some(tree) = tree else {
        return Parse::Failed("parser gave up".into());
    };
    let root = tree.root_node();
    let mut syntax = Syntax::default();
    let mut first_error: Option<tree_sitter::Node> = None;
    let mut cursor = root.walk();
    // Depth-first walk without recursion: deep JSX or chained calls would
    // overflow a recursive walk on a small thread stack.
    'walk: loop {
        let node = cursor.node();
        let kind = node.kind();
        let mut descend = true;
        if node.is_error() || node.is_missing() {
            first_error.get_or_insert(node);
        } else if kind == "comment" || kind == "html_comment" {
            syntax.comments.push(node.byte_range());
            descend = false;
        } else if let Some(range) = string_contents(grammar, &node) {
            if !range.is_empty() {
                syntax.strings.push(range);
            }
            // Template strings and f-strings hold code in their
            // substitutions: keep walking into them.
            descend = matches!(kind, "template_string" | "string");
        }
        if first_error.is_some() {
            break;
        }
        if descend && node.child_count() > 0 {
            cursor.goto_first_child();
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    if let Some(err) = first_error {
        let p = err.start_position();
        return Parse::Failed(format!(
            "does not parse as {} (syntax error at line {}, column {}); code rules skip this file",
            match grammar {
                Grammar::JavaScript => "JavaScript",
                Grammar::TypeScript => "TypeScript",
                Grammar::Tsx => "TSX",
                Grammar::Python => "Python",
                Grammar::Go => "Go",
            },
            p.row + 1,
            p.column + 1
        ));
    }
    syntax.strings.sort_by_key(|r| r.start);
    Parse::Parsed(syntax)
}

/// The byte range of a string literal's contents, if `node` is one.
/// Fragments are recorded for template strings and Python strings, whose
/// interpolations are code; whole literals (quotes excluded) elsewhere.
fn string_contents(grammar: Grammar, node: &tree_sitter::Node) -> Option<Range<usize>> {
    // TypeScript's `string` type keyword is an unnamed node of kind
    // `string`, like the literal's named one.
    if !node.is_named() {
        return None;
    }
    let r = node.byte_range();
    let inner = || (r.start + 1)..r.end.saturating_sub(1).max(r.start + 1);
    match (grammar, node.kind()) {
        (Grammar::Python, "string_content") => Some(r),
        (Grammar::Python, _) => None,
        (Grammar::Go, "interpreted_string_literal" | "raw_string_literal" | "rune_literal") => {
            Some(inner())
        }
        (Grammar::Go, _) => None,
        (_, "string") => Some(inner()),
        // The pattern between the slashes, not the flags after them.
        (_, "regex") => node
            .child_by_field_name("pattern")
            .map(|p| p.byte_range())
            .or_else(|| Some(inner())),
        (_, "string_fragment") => Some(r),
        _ => None,
    }
}

/// Stack of the thread that runs syn: [`MAX_NESTING`] levels of its
/// costliest shape (nested generic types) need about 16 MiB in a debug
/// build and a tenth of that optimised. Only touched pages are committed.
const RUST_PARSE_STACK: usize = 64 * 1024 * 1024;

/// Rust through syn, on a thread of its own with a stack sized for the depth
/// guard (a walker thread has 2 MiB); proc-macro2's thread-local map of
/// span locations goes with the thread. A panic inside syn is described
/// there and raised again here, for the walk's per-file isolation to report.
fn parse_rust(text: &str) -> Parse {
    let parsed = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("graduate-rust-parser".into())
            .stack_size(RUST_PARSE_STACK)
            .spawn_scoped(scope, || crate::isolation::catch(|| parse_rust_here(text)))
            .map(|handle| handle.join())
    });
    match parsed {
        Ok(Ok(Ok(parse))) => parse,
        Ok(Ok(Err(internal))) => std::panic::resume_unwind(Box::new(internal)),
        // `catch` leaves nothing to propagate; kept total all the same.
        Ok(Err(payload)) => std::panic::resume_unwind(payload),
        Err(e) => Parse::Failed(format!("the Rust parser could not start ({e}); not parsed")),
    }
}

/// String literals are read from the syntax tree and from macro token
/// streams (`format!`, `json!`, `tracing::info!`), which syn leaves
/// unparsed.
fn parse_rust_here(text: &str) -> Parse {
    if rust_nesting(text) > MAX_NESTING {
        return Parse::Failed(super::nesting::too_deep());
    }
    match syn::parse_file(text) {
        Ok(file) => {
            let mut v = RustStrings::default();
            syn::visit::visit_file(&mut v, &file);
            let mut strings = v.0;
            strings.sort_by_key(|r| r.start);
            Parse::Parsed(Syntax {
                comments: Vec::new(),
                strings,
            })
        }
        Err(e) => {
            let at = e.span().start();
            Parse::Failed(format!(
                "does not parse as Rust ({e} at line {}, column {}); code rules skip this file",
                at.line,
                at.column + 1
            ))
        }
    }
}

/// The depth estimate over what `syn::parse_file` will parse: the text
/// after a byte-order mark, with or without a first `#!` line (syn drops an
/// interpreter line but keeps a `#![attribute]`; both readings are measured
/// rather than syn's rule copied). Text that does not tokenize never
/// reaches the recursive parser: syn stops at the tokenizer too.
fn rust_nesting(text: &str) -> usize {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut readings = vec![text];
    if text.starts_with("#!") {
        readings.push(text.find('\n').map_or("", |i| &text[i..]));
    }
    readings
        .into_iter()
        .filter_map(|t| t.parse::<proc_macro2::TokenStream>().ok())
        .map(super::nesting::rust_depth)
        .max()
        .unwrap_or(0)
}

#[derive(Default)]
struct RustStrings(Vec<Range<usize>>);

impl RustStrings {
    fn push(&mut self, span: proc_macro2::Span) {
        let r = span.byte_range();
        if r.len() > 2 {
            self.0.push((r.start + 1)..(r.end - 1));
        }
    }

    /// Iterative: a macro's token tree is as deep as its brackets.
    fn tokens(&mut self, ts: proc_macro2::TokenStream) {
        let mut pending = vec![ts];
        while let Some(ts) = pending.pop() {
            for tt in ts {
                match tt {
                    proc_macro2::TokenTree::Group(g) => pending.push(g.stream()),
                    proc_macro2::TokenTree::Literal(l) => {
                        let s = l.to_string();
                        if s.starts_with('"') || s.starts_with("r\"") || s.starts_with("r#") {
                            self.push(l.span());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for RustStrings {
    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        self.push(lit.span());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(path: &str, lang: Lang, text: &str) -> Syntax {
        match parse(path, lang, text, 0) {
            Parse::Parsed(s) => s,
            Parse::Failed(m) => panic!("{m}"),
            Parse::NotNeeded => unreachable!(),
        }
    }

    #[test]
    fn prefilter_skips_files_with_nothing_to_read() {
        assert!(!wanted(
            Lang::JavaScript,
            "export const add = (a, b) => a + b;\n"
        ));
        assert!(wanted(Lang::JavaScript, "const r = await fetch(u);\n"));
        assert!(!wanted(
            Lang::Go,
            "package m\n\nfunc Add(a, b int) int { return a + b }\n"
        ));
    }

    /// A client row's import gets its file parsed; the bare name does not
    /// (`ky` is in `sky`, `got` in `forgot`), nor does a router that no
    /// server framework reads.
    #[test]
    fn prefilter_reads_client_imports_not_bare_names() {
        assert!(wanted(
            Lang::TypeScript,
            "import ky from 'ky';\nexport const f = () => ky(u).json();\n"
        ));
        assert!(wanted(
            Lang::JavaScript,
            "const got = require(\"got\");\nmodule.exports = () => got(u);\n"
        ));
        assert!(!wanted(
            Lang::TypeScript,
            "// forgot the sky colour\nexport const Router = (a: number) => a + 1;\n"
        ));
    }

    #[test]
    fn strings_and_comments_from_the_tree() {
        let text = "const re = /\\/\\//; // note\nconst s = `a ${fetch(u)} b`;\n";
        let s = parsed("a.js", Lang::JavaScript, text);
        assert_eq!(s.comments.len(), 1);
        assert_eq!(&text[s.comments[0].clone()], "// note");
        let fetch = text.find("fetch").unwrap();
        assert!(!s.in_string(fetch), "a template substitution is code");
        assert!(s.in_string(text.find("a $").unwrap()));
    }

    #[test]
    fn python_docstrings_are_strings() {
        let text = "def f():\n    \"\"\"Call requests.get(u) here.\"\"\"\n    return requests.get(u, timeout=3)\n";
        let s = parsed("a.py", Lang::Python, text);
        assert!(s.in_string(text.find("requests").unwrap()));
        assert!(!s.in_string(text.rfind("requests").unwrap()));
    }

    #[test]
    fn broken_files_fail_with_a_location() {
        let Parse::Failed(m) = parse("a.ts", Lang::TypeScript, "const x = {;\nfetch(u)\n", 1)
        else {
            panic!("should fail");
        };
        assert!(m.contains("line 1"), "{m}");
        assert!(matches!(
            parse("src/a.rs", Lang::Rust, "fn f( {", 1),
            Parse::Failed(_)
        ));
    }

    #[test]
    fn rust_strings_inside_macros() {
        let text = "fn f() { let u = \"reqwest::get(x)\"; println!(\"reqwest::get(y)\"); }\n";
        let s = parsed("a.rs", Lang::Rust, text);
        assert!(s.in_string(text.find("reqwest").unwrap()));
        assert!(s.in_string(text.rfind("reqwest").unwrap()));
        assert!(!s.in_string(text.find("println").unwrap()));
    }

    /// Where the lexer reads a file alone, it must read it as the parser
    /// does: the same comments blanked and the same bytes inside strings.
    /// Run by hand over real trees (`LEXER_AGREES_DIR=DIR cargo test
    /// --release lexer_agrees_with_the_parser -- --ignored --nocapture`);
    /// every JS/TS file the lexer is certain of is compared, and every
    /// disagreement is listed. TypeScript without JSX must agree byte for
    /// byte. Two limits are known and only listed: JSX text (`<p>It's
    /// "here": http://x</p>` is text, which the lexer reads as strings and
    /// a comment) and a regex literal right after `)` (`if (a) /x/.test(b)`,
    /// which it reads as division).
    #[test]
    #[ignore = "reads the trees named by LEXER_AGREES_DIR"]
    fn lexer_agrees_with_the_parser() {
        let dir = std::env::var("LEXER_AGREES_DIR").expect("LEXER_AGREES_DIR");
        let (mut certain, mut unsure, mut bad) = (0usize, 0usize, Vec::new());
        // `ignore`'s walk, as a scan's: symlinks are not followed.
        for entry in ignore::WalkBuilder::new(dir).build().flatten() {
            let path = entry.path();
            let name = path.to_string_lossy().into_owned();
            let lang = match crate::inventory::classify(&name) {
                crate::inventory::FileKind::Source(
                    lang @ (Lang::JavaScript | Lang::TypeScript),
                ) => lang,
                _ => continue,
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if text.len() > 1 << 20 {
                continue;
            }
            let lexed = super::super::lexer::lex(&text, lang);
            if !lexed.certain {
                unsure += 1;
                continue;
            }
            let Parse::Parsed(tree) = parse_tree_sitter(&name, lang, &text) else {
                continue;
            };
            certain += 1;
            let mut blanked = text.as_bytes().to_vec();
            for r in &tree.comments {
                for b in &mut blanked[r.clone()] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
            }
            let mask = |ranges: &[Range<usize>]| {
                let mut m = vec![false; text.len()];
                for r in ranges {
                    for x in &mut m[r.start.min(text.len())..r.end.min(text.len())] {
                        *x = true;
                    }
                }
                m
            };
            let (lex_mask, tree_mask) = (mask(&lexed.strings), mask(&tree.strings));
            // The parser leaves a template's escapes (`\n`) out of its
            // text parts; the lexer keeps them in.
            let bytes = text.as_bytes();
            let escape = |i: usize| bytes[i.saturating_sub(5)..=i].contains(&b'\\');
            let differ = (0..text.len())
                .filter(|&i| {
                    lex_mask[i] != tree_mask[i] && !bytes[i].is_ascii_whitespace() && !escape(i)
                })
                .collect::<Vec<_>>();
            if blanked != lexed.code.as_bytes() || !differ.is_empty() {
                let at = differ.first().copied().unwrap_or_else(|| {
                    blanked
                        .iter()
                        .zip(lexed.code.as_bytes())
                        .position(|(a, b)| a != b)
                        .unwrap_or(0)
                });
                let line = text[..at].matches('\n').count() + 1;
                let (lo, hi) = (at.saturating_sub(30), (at + 30).min(text.len()));
                let near = String::from_utf8_lossy(&text.as_bytes()[lo..hi]).replace('\n', "⏎");
                let jsx =
                    !name.ends_with(".ts") && !name.ends_with(".mts") && !name.ends_with(".cts");
                bad.push((
                    jsx,
                    format!(
                        "{name}:{line} ({} bytes differ; lexer {} parser {} at «{near}»)",
                        differ.len(),
                        lex_mask.get(at).copied().unwrap_or_default(),
                        tree_mask.get(at).copied().unwrap_or_default()
                    ),
                ));
            }
        }
        eprintln!(
            "certain {certain}, left to the parser {unsure}, disagreeing {}",
            bad.len()
        );
        for (jsx, b) in &bad {
            eprintln!("  {}{b}", if *jsx { "" } else { "TYPESCRIPT " });
        }
        assert!(bad.iter().all(|(jsx, _)| *jsx), "TypeScript files disagree");
    }
}
