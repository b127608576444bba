//! `env-gitignored`: `.gitignore` keeps `.env` out of git, at the root and
//! in every directory that holds an env file. Real gitignore semantics
//! (nested files, negations, directory patterns) come from the `ignore`
//! crate's matcher, the one ripgrep uses, fed with the lines the facts hold
//! and evaluated once by the resolve stage (src/resolve.rs); the rule reads
//! the verdicts.

use crate::facts::Facts;
use crate::facts::gitignore::Verdict;
use crate::rules::{Evidence, Finding, Outcome, Status};

pub fn check(facts: &Facts) -> Outcome {
    if !facts.has_source() && facts.env_files.is_empty() {
        return Outcome::not_applicable("no source code and no env file to protect");
    }
    let mut evidence = Vec::new();
    let mut findings = Vec::new();
    for p in facts.derived.env_probes.iter().filter(|p| p.judged) {
        let probe = &p.probe;
        match &p.verdict {
            Verdict::Ignored(at) => evidence.push(Evidence::at(at, format!("ignores {probe}"))),
            Verdict::Negated(at) => {
                evidence.push(Evidence::at(at, format!("re-includes {probe}")));
                findings.push(Finding::at(
                    at,
                    format!("{probe} is not ignored: this negation re-includes it"),
                ));
            }
            Verdict::Uncovered => {
                let msg = if facts.gitignores.is_empty() {
                    format!("no .gitignore: {probe} would be committed by `git add .`")
                } else {
                    format!("no .gitignore pattern covers {probe}")
                };
                findings.push(Finding::missing(msg));
            }
        }
    }
    if findings.is_empty() {
        return Outcome::pass(evidence);
    }
    Outcome {
        status: Status::Fail,
        evidence,
        findings,
        clean_sites: None,
        partial: None,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::gitignore::Matchers;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::{EnvFile, GitIgnore, Location};

    fn verdict(files: &[GitIgnore], path: &str) -> Verdict {
        Matchers::new(files).verdict(path)
    }

    fn gi(path: &str, lines: &[&str]) -> GitIgnore {
        GitIgnore {
            path: path.into(),
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn gitignore_semantics_with_negations_and_nesting() {
        let root = gi(".gitignore", &["node_modules/", ".env*", "!.env.example"]);
        assert_eq!(
            verdict(std::slice::from_ref(&root), ".env"),
            Verdict::Ignored(Location::new(".gitignore", 2))
        );
        assert_eq!(
            verdict(std::slice::from_ref(&root), ".env.example"),
            Verdict::Negated(Location::new(".gitignore", 3))
        );
        assert_eq!(
            verdict(std::slice::from_ref(&root), "api/.env"),
            Verdict::Ignored(Location::new(".gitignore", 2))
        );
        // A nested .gitignore can undo the root's rule for its directory.
        let api = gi("api/.gitignore", &["!.env"]);
        assert_eq!(
            verdict(&[root.clone(), api], "api/.env"),
            Verdict::Negated(Location::new("api/.gitignore", 1))
        );
        // A later negation wins over an earlier pattern.
        let undo = gi(".gitignore", &[".env", "!.env"]);
        assert_eq!(
            verdict(&[undo], ".env"),
            Verdict::Negated(Location::new(".gitignore", 2))
        );
        // An ignored parent directory covers the file.
        let cfg = gi(".gitignore", &["config/"]);
        assert!(matches!(
            verdict(&[cfg], "config/.env"),
            Verdict::Ignored(_)
        ));
        let rooted = gi(".gitignore", &["/.env"]);
        assert_eq!(verdict(&[rooted], "api/.env"), Verdict::Uncovered);
    }

    #[test]
    fn fails_without_gitignore_and_checks_env_dirs() {
        let mut f = Facts {
            env_files: vec![EnvFile {
                path: "api/.env.example".into(),
                template: true,
                values: 1,
            }],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 2, "root and api/");
        f.gitignores = vec![gi(".gitignore", &["/.env"])];
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(
            out.findings[0].message,
            "no .gitignore pattern covers api/.env"
        );
        f.gitignores = vec![gi(".gitignore", &[".env"])];
        assert_eq!(check(&f).status, Status::Pass);
        assert_eq!(check(&Facts::default()).status, Status::NotApplicable);
    }
}
