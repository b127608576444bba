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
    /// Index into `files` of the `.gitignore` of each directory. A path is
    /// governed only by the files of its ancestors, so a question looks up
    /// each ancestor, where testing every file of the tree cost the number
    /// of apps squared on a repository of many apps (each asks about its
    /// manifest and env files).
    by_dir: HashMap<&'a str, Vec<usize>>,
    compiled: HashMap<&'a str, Gitignore>,
}

impl<'a> Matchers<'a> {
    pub fn new(files: &'a [GitIgnore]) -> Self {
        let mut by_dir: HashMap<&'a str, Vec<usize>> = HashMap::with_capacity(files.len());
        for (i, g) in files.iter().enumerate() {
            by_dir.entry(g.dir()).or_default().push(i);
        }
        Matchers {
            files,
            by_dir,
            compiled: HashMap::new(),
        }
    }

    /// The `.gitignore` files that govern `path`, deepest first.
    fn governing(&self, path: &str) -> Vec<&'a GitIgnore> {
        let mut out = Vec::new();
        let mut add = |dir: &str| {
            let found = self.by_dir.get(dir).into_iter().flatten();
            out.extend(found.map(|&i| &self.files[i]));
        };
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            dir = parent;
            if !dir.is_empty() {
                add(dir);
            }
        }
        // The root's file governs every path.
        add("");
        out
    }

    /// Gitignore semantics for `path`: the deepest `.gitignore` with an
    /// opinion wins.
    pub fn verdict(&mut self, path: &str) -> Verdict {
        let governing = self.governing(path);
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

    /// The directory index finds exactly the files that [`GitIgnore::governs`]
    /// says govern a path, deepest first: not a sibling folder sharing a
    /// prefix (`web` for `webapp/`), not the folder's own path.
    #[test]
    fn governing_files_are_the_ancestors_deepest_first() {
        let files = [
            gi(".gitignore", "a\n"),
            gi("web/.gitignore", "b\n"),
            gi("web/app/.gitignore", "c\n"),
            gi("webapp/.gitignore", "d\n"),
            gi("api/.gitignore", "e\n"),
        ];
        let m = Matchers::new(&files);
        for path in [
            "x",
            "web",
            "web/x",
            "web/app",
            "web/app/x/y",
            "webapp/x",
            "api/web/app/x",
        ] {
            let mut want: Vec<&GitIgnore> = files.iter().filter(|g| g.governs(path)).collect();
            want.sort_by_key(|g| std::cmp::Reverse(g.dir().len()));
            assert_eq!(m.governing(path), want, "{path}");
        }
        let got: Vec<&str> = m
            .governing("web/app/x/y")
            .iter()
            .map(|g| g.path.as_str())
            .collect();
        assert_eq!(got, ["web/app/.gitignore", "web/.gitignore", ".gitignore"]);
    }
}
