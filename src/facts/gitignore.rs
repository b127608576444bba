//! `.gitignore` files as facts, and gitignore semantics over them. One place
//! for both: `env-gitignored` asks whether `.env` is kept out of git,
//! `lockfile-committed` whether a missing lockfile was ignored on purpose.
//! Real semantics (nested files, negations, directory patterns) come from
//! the `ignore` crate's matcher, the one ripgrep uses, fed with the lines the
//! facts hold; nothing here reads a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Serialize;

use super::Location;

/// A `.gitignore` file and its lines, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GitIgnore {
    pub path: String,
    pub lines: Vec<String>,
}

impl GitIgnore {
    /// The directory it governs, relative to the root (`""` for the root).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// Whether it governs `path` (repository-relative).
    pub fn governs(&self, path: &str) -> bool {
        let dir = self.dir();
        dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
    }
}

/// What the `.gitignore` files say about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Ignored by this line.
    Ignored(Location),
    /// Re-included by this negation.
    Negated(Location),
    /// No pattern covers it.
    Uncovered,
}

/// An absolute stand-in for the repository root: the matcher wants one.
const ROOT: &str = "/graduate-root";

/// Compiles each `.gitignore` once, however many paths are asked about: a
/// monorepo asks about every manifest and every env directory.
pub struct Matchers<'a> {
    files: &'a [GitIgnore],
    compiled: HashMap<&'a str, Gitignore>,
}

impl<'a> Matchers<'a> {
    pub fn new(files: &'a [GitIgnore]) -> Self {
        Matchers {
            files,
            compiled: HashMap::new(),
        }
    }

    /// Gitignore semantics for `path`: the deepest `.gitignore` with an
    /// opinion wins.
    pub fn verdict(&mut self, path: &str) -> Verdict {
        let mut governing: Vec<&'a GitIgnore> =
            self.files.iter().filter(|g| g.governs(path)).collect();
        governing.sort_by_key(|g| std::cmp::Reverse(g.dir().len()));
        let abs = Path::new(ROOT).join(path);
        for g in governing {
            let m = self
                .compiled
                .entry(g.path.as_str())
                .or_insert_with(|| compile(g));
            match m.matched_path_or_any_parents(&abs, false) {
                Match::Ignore(glob) => return Verdict::Ignored(line_of(g, glob.original())),
                Match::Whitelist(glob) => return Verdict::Negated(line_of(g, glob.original())),
                Match::None => {}
            }
        }
        Verdict::Uncovered
    }
}

fn compile(g: &GitIgnore) -> Gitignore {
    let dir = Path::new(ROOT).join(g.dir());
    let mut b = GitignoreBuilder::new(&dir);
    for line in &g.lines {
        // A bad glob is ignored by git too; it just matches nothing.
        let _ = b.add_line(Some(PathBuf::from(&g.path)), line);
    }
    b.build().unwrap_or_else(|_| Gitignore::empty())
}

fn line_of(g: &GitIgnore, original: &str) -> Location {
    let n = g
        .lines
        .iter()
        .rposition(|l| l.trim() == original.trim())
        .map_or(1, |i| i + 1);
    Location::new(&g.path, n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gi(path: &str, text: &str) -> GitIgnore {
        GitIgnore {
            path: path.into(),
            lines: text.lines().map(String::from).collect(),
        }
    }

    #[test]
    fn negations_nesting_and_lines() {
        let files = [
            gi(
                ".gitignore",
                "node_modules/\n# locks are for apps\npackage-lock.json\n!keep/package-lock.json\n",
            ),
            gi("web/.gitignore", "!package-lock.json\n"),
        ];
        let mut m = Matchers::new(&files);
        assert_eq!(
            m.verdict("api/package-lock.json"),
            Verdict::Ignored(Location::new(".gitignore", 3))
        );
        assert_eq!(
            m.verdict("keep/package-lock.json"),
            Verdict::Negated(Location::new(".gitignore", 4))
        );
        assert_eq!(
            m.verdict("web/package-lock.json"),
            Verdict::Negated(Location::new("web/.gitignore", 1))
        );
        assert_eq!(m.verdict("yarn.lock"), Verdict::Uncovered);
        assert!(!files[1].governs("webapp/x"));
    }
}
