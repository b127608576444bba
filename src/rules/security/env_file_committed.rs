//! `env-file-committed`: no real `.env` file is in the repository. Templates
//! (`.env.example`, `.env.sample`, `example.env` …) are expected and pass; a
//! committed `.env` fails even when it holds only placeholders, and the
//! message says whether real-looking values were found in it.

use crate::facts::{Facts, Location};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    let real: Vec<_> = facts.env_files.iter().filter(|e| !e.template).collect();
    if real.is_empty() {
        let evidence = facts
            .env_files
            .iter()
            .map(|e| Evidence::file(&e.path, "template env file (expected)"))
            .collect();
        return Outcome::pass(evidence);
    }
    let bad = real
        .iter()
        .map(|e| {
            let secrets = facts
                .secrets
                .iter()
                .filter(|s| s.location.path == e.path)
                .count();
            let what = if secrets > 0 {
                format!("{secrets} real-looking secret value(s) in it")
            } else {
                format!("{} value(s), none of them real-looking", e.values)
            };
            let loc = Location::new(&e.path, 1);
            (
                Evidence::at(&loc, format!("committed env file: {what}")),
                Finding::at(&loc, format!("{} is committed ({what})", e.path)),
            )
        })
        .collect();
    Outcome::sites(Vec::new(), bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::EnvFile;
    use crate::rules::Status;

    #[test]
    fn template_passes_real_fails() {
        let mut f = Facts {
            env_files: vec![EnvFile {
                path: ".env.example".into(),
                template: true,
                values: 2,
            }],
            ..Facts::default()
        };
        assert_eq!(check(&f).status, Status::Pass);
        f.env_files.push(EnvFile {
            path: ".env".into(),
            template: false,
            values: 1,
        });
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 1);
        assert!(
            out.findings[0]
                .message
                .contains("none of them real-looking")
        );
    }
}
