//! `env-file-committed`: no real `.env` file is in the repository. Templates
//! (`.env.example`, `.env.sample`, `.env.template`, `example.env`,
//! `env-example-*` …) are expected and pass; a committed `.env` fails even
//! when it holds only placeholders, and the message says whether
//! real-looking values were found in it.
//!
//! In a git work tree "committed" means tracked in git's index: a local
//! `.env` that git does not track is not in any clone, and a tracked one is
//! even when `.gitignore` lists it. Elsewhere, presence is all there is.

use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let committed: Vec<&str> = facts
        .derived
        .committed_env
        .iter()
        .map(|e| e.path.as_str())
        .collect();
    let is_template = |p: &str| {
        facts
            .derived
            .committed_env
            .iter()
            .any(|e| e.path == p && e.template)
    };
    let mut evidence: Vec<Evidence> = committed
        .iter()
        .filter(|p| is_template(p))
        .map(|p| Evidence::file(p, "template env file (expected)"))
        .collect();
    if facts.tracked_env_files.is_some() {
        evidence.extend(
            facts
                .env_files
                .iter()
                .filter(|e| !e.template && !committed.contains(&e.path.as_str()))
                .map(|e| Evidence::file(&e.path, "local env file, not tracked by git")),
        );
    }
    let bad: Vec<_> = committed
        .iter()
        .filter(|p| !is_template(p))
        .map(|path| {
            let what = match facts.env_files.iter().find(|e| e.path == *path) {
                Some(e) => {
                    let secrets = facts
                        .secrets
                        .iter()
                        .filter(|s| s.location.path == e.path)
                        .count();
                    if secrets > 0 {
                        format!("{secrets} real-looking secret value(s) in it")
                    } else {
                        format!("{} value(s), none of them real-looking", e.values)
                    }
                }
                // Tracked, yet the walk skipped it: .gitignore lists it.
                None => "tracked although .gitignore ignores it; not read".to_string(),
            };
            let loc = Location::new(path, 1);
            (
                Evidence::at(&loc, format!("committed env file: {what}")),
                Finding::at(&loc, format!("{path} is committed ({what})")),
            )
        })
        .collect();
    let mut outcome = Outcome::sites(Vec::new(), bad);
    outcome.evidence.extend(evidence);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::is_env_template as is_template;

    /// The rule on facts the resolve stage has run on.
    fn check(f: &Facts) -> Outcome {
        super::check(&crate::resolve::resolved(f))
    }
    use crate::facts::EnvFile;
    use crate::rules::Status;

    fn env(path: &str, values: usize) -> EnvFile {
        EnvFile {
            path: path.into(),
            template: is_template(path),
            values,
        }
    }

    #[test]
    fn template_passes_real_fails() {
        let mut f = Facts {
            env_files: vec![env(".env.example", 2)],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Pass);
        f.env_files.push(env(".env", 1));
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 1);
        assert!(
            out.findings[0]
                .message
                .contains("none of them real-looking")
        );
    }

    #[test]
    fn placeholder_names_are_templates() {
        for name in [
            "env-example-prod",
            "config/app.env.sample",
            ".env.template",
            "example.env",
        ] {
            assert!(is_template(name), "{name}");
        }
        assert!(!is_template(".env.production"));
    }

    #[test]
    fn git_index_decides_what_is_committed() {
        // .env on disk but untracked; .env.production tracked and ignored.
        let f = Facts {
            env_files: vec![env(".env", 3)],
            tracked_env_files: Some(vec![".env.production".into()]),
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 1);
        assert!(
            out.findings[0]
                .message
                .starts_with(".env.production is committed (tracked although")
        );
        assert!(
            out.evidence
                .iter()
                .any(|e| e.note.contains("not tracked by git"))
        );
        let clean = Facts {
            env_files: vec![env(".env", 3)],
            tracked_env_files: Some(vec![]),
            ..Facts::default()
        };
        assert_eq!(check(&clean).status, Status::Pass);
    }
}
