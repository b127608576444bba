//! Regexes for source text, compiled ASCII-first.
//!
//! The code and secret patterns look at identifiers, keys and calls, which
//! are ASCII. Unicode `\w`, `\d` and `\b` cost a large UTF-8 automaton each
//! (compiling the pattern set was most of a small scan) and make the lazy
//! DFA give up on any non-ASCII text. [`regex`] rewrites them to their ASCII
//! forms before compiling; everything else in the pattern is unchanged.

use regex::Regex;

/// Compile `pattern` with `\w`, `\d` and `\b` read as ASCII.
///
/// # Panics
/// On an invalid pattern: every caller passes a pattern written in this
/// repository (or its rule tables), and tests load them all.
pub fn regex(pattern: &str) -> Regex {
    Regex::new(&ascii(pattern)).unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
}

/// The rewrite itself: outside a character class `\b` becomes `(?-u:\b)`;
/// `\w` and `\d` become ASCII classes anywhere (a class nested in a class
/// is a union). Escaped backslashes are left alone.
pub fn ascii(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    let mut class = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') => out.push_str("[0-9A-Za-z_]"),
                Some('d') => out.push_str("[0-9]"),
                Some('b') if class == 0 => out.push_str(r"(?-u:\b)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' => {
                class += 1;
                out.push(c);
            }
            ']' if class > 0 => {
                class -= 1;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_what_it_should() {
        assert_eq!(ascii(r"\bfoo\w+"), r"(?-u:\b)foo[0-9A-Za-z_]+");
        assert_eq!(ascii(r"[\w$.]\d\\w\s"), r"[[0-9A-Za-z_]$.][0-9]\\w\s");
        let re = regex(r"\b(?P<recv>[A-Za-z_$][\w$]*)\.get\(");
        assert_eq!(&re.captures("x = api.get(u)").unwrap()["recv"], "api");
        assert!(regex(r"\bfetch\(").is_match("é fetch(u)"));
    }
}
