//! The depth guard in front of the recursive parsers.
//!
//! syn reads Rust by recursive descent, and visiting and dropping its tree
//! recurse the same way: every nested bracket, generic argument, reference
//! or pointer type, prefix operator, closure, `return`/`break`, and every
//! link of a left-nested chain (`a + b + …`, `x.f().g()…`, `x[0][0]…`,
//! `else if …`) is a stack frame or several. 700 nested parentheses in a
//! 1.4 KB file overflowed a walker thread's 2 MiB stack, and a stack overflow
//! aborts the process: no report, nothing to catch. So before syn sees a
//! file, [`rust_depth`] walks its tokens once (proc-macro2's tokenizer, the
//! one syn uses, and it is not recursive) and bounds how deep the parse can
//! go; over [`MAX_NESTING`] the file is not parsed, with one warning. The
//! parse itself runs on a thread whose stack holds [`MAX_NESTING`] levels of
//! the costliest shape (nested generic types, about 60 KB a level in a debug
//! build) several times over; `parse_stays_on_its_stack_at_the_bound` checks
//! each shape at the bound.
//!
//! tree-sitter (JavaScript, TypeScript, Python, Go) parses with an explicit
//! stack and its tree is walked with a cursor, so depth costs it time, not
//! stack; the lexer's bracket depth over the same bound spares a hostile file
//! seconds of error recovery. YAML, JSON and TOML parsers carry their own
//! limits (serde-saphyr 64 levels, serde_json 128, toml 80), tested in
//! `tests/hostile_inputs.rs`.
//!
//! Real code stays far below the bound: over the 11,900 Rust files of this
//! project's dependency tree the estimate is under 128 for all but 22, and
//! over 256 for 3 (generated Unicode tables and a long match of literal
//! patterns). Those files would only be skipped if the lexer also failed to
//! read them alone, since only then does syn run.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Deepest nesting a file may have and still be parsed.
pub const MAX_NESTING: usize = 256;

/// The warning for a file over the bound.
pub fn too_deep() -> String {
    format!("nesting deeper than {MAX_NESTING}; not parsed")
}

/// Keywords that start a construct syn parses by recursing (`return x`,
/// `if if a {} else {} {}`, `impl Fn() -> impl Fn()`), or that link a
/// chain (`else`, `as`).
const RECURSING_KEYWORDS: &[&str] = &[
    "as", "async", "become", "box", "break", "const", "do", "dyn", "else", "fn", "for", "gen",
    "if", "impl", "let", "loop", "match", "move", "return", "static", "try", "unsafe", "while",
    "yield",
];

/// One bracket group being walked.
struct Level {
    tokens: std::iter::Peekable<proc_macro2::token_stream::IntoIter>,
    /// Operators, recursing keywords and closed groups since the last `;` or
    /// `,` of this group: the links of the expression or type being built.
    run: usize,
    /// `<` not yet closed by `>`: generic arguments (or comparisons, which
    /// are counted the same; over-counting only errs on the safe side).
    angle: usize,
    /// What the enclosing groups added when this one opened.
    outer: usize,
    /// A `{ … }` group: an item or statement may end with it.
    brace: bool,
    /// An attribute's `[ … ]`: not part of the expression around it.
    attribute: bool,
    /// The last token was `#`: a `!` and a `[ … ]` group follow.
    after_hash: bool,
}

impl Level {
    fn new(tokens: TokenStream, outer: usize, brace: bool, attribute: bool) -> Self {
        Level {
            tokens: tokens.into_iter().peekable(),
            run: 0,
            angle: 0,
            outer,
            brace,
            attribute,
            after_hash: false,
        }
    }

    fn depth(&self) -> usize {
        self.outer + self.run + self.angle
    }
}

/// An upper estimate of how deep syn recurses on `tokens`: along the path of
/// open groups, each group counts one plus the links of the expression, type
/// or pattern it is in the middle of. A link is an operator character, a
/// recursing keyword or a closed group; `;` ends a statement and `,` a list
/// element; a `{ … }` followed by anything but `else`, `as` or an operator
/// ends an item or statement. Iterative: the input may be the attack.
pub fn rust_depth(tokens: TokenStream) -> usize {
    let mut stack = vec![Level::new(tokens, 0, false, false)];
    let mut max = 0;
    while let Some(level) = stack.last_mut() {
        let Some(token) = level.tokens.next() else {
            let done = stack.pop().expect("a level is open");
            let Some(parent) = stack.last_mut() else {
                break;
            };
            if !done.attribute {
                parent.run += 1;
            }
            if done.brace && ends_statement(parent.tokens.peek()) {
                parent.run = 0;
                parent.angle = 0;
            }
            max = max.max(parent.depth());
            continue;
        };
        let after_hash = std::mem::take(&mut level.after_hash);
        match token {
            TokenTree::Group(g) => {
                let outer = level.depth() + 1;
                max = max.max(outer);
                let brace = g.delimiter() == Delimiter::Brace;
                let attribute = after_hash && g.delimiter() == Delimiter::Bracket;
                stack.push(Level::new(g.stream(), outer, brace, attribute));
                continue;
            }
            TokenTree::Punct(p) => match p.as_char() {
                ';' => {
                    level.run = 0;
                    level.angle = 0;
                }
                ',' => level.run = 0,
                '<' => level.angle += 1,
                '>' if level.angle > 0 => level.angle -= 1,
                '#' => level.after_hash = true,
                // `#![…]`: an inner attribute (and every `//!` doc line).
                '!' if after_hash => level.after_hash = true,
                // Paths, labels, lifetimes and macro variables do not recurse.
                ':' | '\'' | '$' => {}
                _ => level.run += 1,
            },
            TokenTree::Ident(i) => {
                if RECURSING_KEYWORDS.iter().any(|k| i == k) {
                    level.run += 1;
                }
            }
            TokenTree::Literal(_) => {}
        }
        max = max.max(level.depth());
    }
    max
}

/// After a `{ … }` group: whether the item or statement it closed is over.
/// `} else`, `} as T`, `}.f()`, `}?` and `} + x` go on; a new item or
/// statement starts with a word, an attribute, or nothing.
fn ends_statement(next: Option<&TokenTree>) -> bool {
    match next {
        None => true,
        Some(TokenTree::Ident(i)) => i != "else" && i != "as",
        Some(TokenTree::Punct(p)) => p.as_char() == '#',
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        rust_depth(text.parse().expect("tokenizes"))
    }

    /// Inputs shaped like the attack, one per way syn recurses, with `n`
    /// levels: the same list guards the estimate and the parse stack.
    pub(crate) fn shapes(n: usize) -> Vec<(&'static str, String)> {
        let r = |s: &str| s.repeat(n);
        vec![
            (
                "parens",
                format!("fn f() {{ let x = {}1{}; }}", r("("), r(")")),
            ),
            ("blocks", format!("fn f() {}{}", r("{"), r("}"))),
            ("not", format!("fn f() {{ let x = {}x; }}", r("!"))),
            ("refs", format!("fn f() {{ let x = {}x; }}", r("&"))),
            ("assign", format!("fn f() {{ {}x; }}", r("x = "))),
            ("closures", format!("fn f() {{ let x = {}x; }}", r("|| "))),
            ("return", format!("fn f() {{ {}x; }}", r("return "))),
            ("ref types", format!("fn f() {{ let x: {}T = x; }}", r("&"))),
            (
                "generics",
                format!("fn f() {{ let x: {}T{} = x; }}", r("V<"), r(">")),
            ),
            (
                "generic lists",
                format!("type X = {}T{};", r("V<A, "), r(">")),
            ),
            (
                "pointers",
                format!("fn f() {{ let x: {}T = x; }}", r("*const ")),
            ),
            (
                "fn types",
                format!("fn f() {{ let x: {}T = x; }}", r("fn() -> ")),
            ),
            (
                "impl types",
                format!("fn f() {{ let x: {}T = x; }}", r("impl Fn() -> ")),
            ),
            (
                "else if",
                format!("fn f() {{ if a {{}} {} }}", r("else if a {} ")),
            ),
            ("sums", format!("fn f() {{ let x = x{}; }}", r(" + x"))),
            ("shifts", format!("fn f() {{ let x = x{}; }}", r(" >> x"))),
            ("casts", format!("fn f() {{ let x = x{}; }}", r(" as T"))),
            ("methods", format!("fn f() {{ let x = x{}; }}", r(".a()"))),
            ("indexing", format!("fn f() {{ let x = x{}; }}", r("[0]"))),
            ("calls", format!("fn f() {{ let x = x{}; }}", r("()"))),
            ("ranges", format!("fn f() {{ let x = {}x; }}", r(".. "))),
            ("patterns", format!("fn f() {{ let {}x = y; }}", r("&"))),
            (
                "lets",
                format!("fn f() {{ if {}true {{}} }}", r("let _ = ")),
            ),
            ("block assign", format!("fn f() {{ x = {}x; }}", r("{} = "))),
        ]
    }

    #[test]
    fn every_recursing_shape_grows_the_estimate() {
        for (name, text) in shapes(300) {
            assert!(depth(&text) > MAX_NESTING, "{name}: {}", depth(&text));
        }
    }

    #[test]
    fn flat_code_stays_shallow_however_long() {
        // Many items, statements, list elements, attributes and doc lines:
        // syn reads each of these in a loop.
        let mut text = String::from("//! Crate docs.\n");
        for i in 0..2000 {
            text.push_str(&format!(
                "/// Docs.\n#[inline]\npub fn f{i}(a: u32) -> Result<Vec<u32>, E> {{\n    let v = vec![1, 2, 3];\n    if a > 1 {{ g(a)?; }} else {{ h(); }}\n    Ok(v)\n}}\n"
            ));
        }
        text.push_str(&format!("const T: &[u32] = &[{}];\n", "1, ".repeat(5000)));
        assert!(depth(&text) < 16, "{}", depth(&text));
    }

    /// The guard and the parse thread's stack agree: for every shape, the
    /// deepest input the guard lets through parses without overflowing
    /// (an overflow would abort this test binary), and one level more is
    /// refused.
    #[test]
    fn parse_stays_on_its_stack_at_the_bound() {
        use crate::facts::code::syntax::{Parse, parse};
        use crate::inventory::Lang;
        for (i, (name, _)) in shapes(1).into_iter().enumerate() {
            let at = |n: usize| shapes(n).swap_remove(i).1;
            let mut n = 1;
            while depth(&at(n + 1)) <= MAX_NESTING {
                n += 1;
            }
            match parse("src/a.rs", Lang::Rust, &at(n), 0) {
                Parse::Parsed(_) => {}
                Parse::Failed(m) => {
                    assert!(!m.contains("nesting"), "{name} at {n}: {m}")
                }
                Parse::NotNeeded => unreachable!(),
            }
            let Parse::Failed(m) = parse("src/a.rs", Lang::Rust, &at(n + 1), 0) else {
                panic!("{name} at {}: parsed over the bound", n + 1);
            };
            assert_eq!(m, too_deep(), "{name}");
        }
    }

    #[test]
    fn the_attack_from_the_issue_is_over_the_bound() {
        let text = format!(
            "fn main() {{ let x = {}1{}; }}",
            "(".repeat(700),
            ")".repeat(700)
        );
        assert!(depth(&text) > MAX_NESTING);
        let ok = format!(
            "fn main() {{ let x = {}1{}; }}",
            "(".repeat(100),
            ")".repeat(100)
        );
        assert!(depth(&ok) < MAX_NESTING);
    }
}
