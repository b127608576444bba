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

/// [`regex`] for a pattern built at run time (a name read from the file
/// spliced into it): `None` when it does not compile.
pub fn try_regex(pattern: &str) -> Option<Regex> {
    Regex::new(&ascii(pattern)).ok()
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

    /// Every regex of the scanner is compiled here (or from [`ascii`]'s
    /// output): a Unicode `\d` or `\b` compiled elsewhere cost a small scan
    /// milliseconds. The secret exclusions are the one exception: they
    /// judge values, which may be in any script.
    #[test]
    fn no_regex_is_compiled_outside_this_module() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src.clone()];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let rel = path
                    .strip_prefix(&src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if path.extension().is_none_or(|e| e != "rs")
                    || rel == "facts/pattern.rs"
                    || rel == "facts/secrets/exclusions.rs"
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Unit-test modules (`#[cfg(test)]` then a top-level
                // `mod … {`, to its closing `}` at the start of a line) may
                // compile what they like; everything else is read.
                let lines: Vec<&str> = text.lines().collect();
                let mut in_tests = false;
                for (i, line) in lines.iter().enumerate() {
                    if in_tests {
                        in_tests = *line != "}";
                        continue;
                    }
                    if line.trim() == "#[cfg(test)]"
                        && lines
                            .get(i + 1)
                            .is_some_and(|l| l.starts_with("mod ") && l.ends_with('{'))
                    {
                        in_tests = true;
                        continue;
                    }
                    let compiles = ["Regex::new(", "RegexBuilder::new(", "RegexSet::new("]
                        .iter()
                        .any(|c| line.contains(c));
                    if compiles
                        && !lines
                            .get(i + 1)
                            .is_some_and(|l| l.contains("pattern::ascii("))
                        && !line.contains("pattern::ascii(")
                    {
                        offenders.push(format!("src/{rel}:{}", i + 1));
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "compile through facts::pattern: {offenders:?}"
        );
    }
}
