//! Coverage thresholds declared in configuration files.
//!
//! A threshold only matters when the tool that reads it runs in CI, so each
//! gate carries the *family* of runs it applies to (`jest`, `python`,
//! `codecov` …), matched by `coverage-threshold` against the coverage runs
//! of CI commands (see [`crate::facts::commands::coverage_run`]). Some
//! configs also switch measurement on (`collectCoverage: true`, pytest
//! `addopts = --cov`), so that a bare `jest` or `pytest` in CI measures.

use serde::Serialize;

use crate::facts::Location;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageGate {
    pub location: Location,
    /// `jest coverageThreshold`, `coverage.py fail_under`, `codecov.yml target` …
    pub tool: String,
    /// Runs it applies to: `jest`, `vitest`, `nyc`, `c8`, `python`, `codecov`,
    /// `go-test-coverage`, `tarpaulin`.
    pub family: &'static str,
    /// Percent; `None` for a relative gate (codecov `target: auto`) or a
    /// config that only turns measurement on.
    pub threshold: Option<f64>,
    /// The config itself makes the runner measure coverage.
    pub measures: bool,
    /// The gate can fail the build (codecov `informational: true` cannot).
    pub enforcing: bool,
}

/// Whether a file name may hold a coverage configuration.
pub fn is_coverage_config(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "package.json"
            | "setup.cfg"
            | "tox.ini"
            | ".coveragerc"
            | "pyproject.toml"
            | "pytest.ini"
            | "codecov.yml"
            | ".codecov.yml"
            | "codecov.yaml"
            | ".codecov.yaml"
            | ".nycrc"
            | ".nycrc.json"
            | ".nycrc.yml"
            | ".nycrc.yaml"
            | ".c8rc"
            | ".c8rc.json"
            | ".testcoverage.yml"
            | ".testcoverage.yaml"
            | "tarpaulin.toml"
            | ".tarpaulin.toml"
    ) || lower.starts_with("jest.config.")
        || lower.starts_with("vitest.config.")
        || lower.starts_with("vite.config.")
        || lower.starts_with("vitest.workspace.")
}

fn gate(
    path: &str,
    line: u32,
    tool: &str,
    family: &'static str,
    threshold: Option<f64>,
) -> CoverageGate {
    CoverageGate {
        location: Location::new(path, line),
        tool: tool.to_string(),
        family,
        threshold,
        measures: false,
        enforcing: true,
    }
}

fn line_of(text: &str, needle: &str) -> Option<u32> {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u32 + 1)
}

/// The lowest of the numbers given to `lines`/`statements`/`branches`/
/// `functions` keys after `from` (JS object, JSON or YAML spelling).
fn min_metric(text: &str) -> Option<f64> {
    let re = regex::Regex::new(
        r#"["']?(?:lines|statements|branches|functions)["']?\s*[:=]\s*(\d+(?:\.\d+)?)"#,
    )
    .ok()?;
    re.captures_iter(text)
        .filter_map(|c| c.get(1)?.as_str().parse().ok())
        .reduce(f64::min)
}

/// The number right after `key` (`key = 80`, `key: "80"`, `key 80`), with
/// its line. Hand-rolled: this runs on every config file, and a regex built
/// per call cost a tenth of a large scan.
fn number_after(text: &str, key: &str) -> Option<(u32, f64)> {
    text.lines().enumerate().find_map(|(i, l)| {
        l.match_indices(key).find_map(|(at, _)| {
            let rest = l[at + key.len()..].trim_start();
            let rest = rest.strip_prefix([':', '=']).unwrap_or(rest).trim_start();
            let rest = rest.trim_start_matches(['"', '\'']);
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let num = rest[..end].trim_end_matches('.');
            (!num.is_empty() && num.starts_with(|c: char| c.is_ascii_digit()))
                .then(|| num.parse().ok())
                .flatten()
                .map(|v| (i as u32 + 1, v))
        })
    })
}

pub fn extract(path: &str, text: &str) -> Vec<CoverageGate> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let mut out = Vec::new();
    match name.as_str() {
        "package.json" => package_json(path, text, &mut out),
        n if n.starts_with("jest.config.") => {
            if let Some(line) = line_of(text, "coverageThreshold") {
                let after: String = text
                    .lines()
                    .skip(line as usize - 1)
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push(gate(
                    path,
                    line,
                    "jest coverageThreshold",
                    "jest",
                    min_metric(&after),
                ));
            }
            if let Some(line) = line_of(text, "collectCoverage: true")
                .or_else(|| line_of(text, "\"collectCoverage\": true"))
            {
                let mut g = gate(path, line, "jest collectCoverage", "jest", None);
                g.measures = true;
                out.push(g);
            }
        }
        n if n.starts_with("vitest.") || n.starts_with("vite.config.") => {
            if let Some(line) = line_of(text, "thresholds") {
                let after: String = text
                    .lines()
                    .skip(line as usize - 1)
                    .collect::<Vec<_>>()
                    .join("\n");
                let t = if after.contains("100: true") {
                    Some(100.0)
                } else {
                    min_metric(&after)
                };
                out.push(gate(path, line, "vitest coverage thresholds", "vitest", t));
            }
            if text.contains("coverage") && text.contains("enabled: true") {
                let mut g = gate(
                    path,
                    line_of(text, "enabled: true").unwrap_or(1),
                    "vitest coverage enabled",
                    "vitest",
                    None,
                );
                g.measures = true;
                out.push(g);
            }
        }
        ".nycrc" | ".nycrc.json" | ".nycrc.yml" | ".nycrc.yaml" | ".c8rc" | ".c8rc.json" => {
            let family = if name.starts_with(".nyc") {
                "nyc"
            } else {
                "c8"
            };
            if let Some(line) = line_of(text, "check-coverage").filter(|l| {
                text.lines()
                    .nth(*l as usize - 1)
                    .is_some_and(|x| x.contains("true"))
            }) {
                let t = if text.contains("\"100\": true") || text.contains("100: true") {
                    Some(100.0)
                } else {
                    Some(min_metric(text).unwrap_or(90.0))
                };
                out.push(gate(
                    path,
                    line,
                    &format!("{family} check-coverage"),
                    family,
                    t,
                ));
            }
        }
        "setup.cfg" | "tox.ini" | ".coveragerc" | "pyproject.toml" | "pytest.ini" => {
            if let Some((line, v)) = number_after(text, "fail_under") {
                out.push(gate(
                    path,
                    line,
                    "coverage.py fail_under",
                    "python",
                    Some(v),
                ));
            }
            if let Some((line, v)) = number_after(text, "--cov-fail-under") {
                let mut g = gate(
                    path,
                    line,
                    "pytest --cov-fail-under (addopts)",
                    "python",
                    Some(v),
                );
                g.measures = text.contains("--cov");
                out.push(g);
            } else if let Some(line) = text
                .lines()
                .position(|l| l.contains("addopts") && l.contains("--cov"))
            {
                let mut g = gate(
                    path,
                    line as u32 + 1,
                    "pytest --cov (addopts)",
                    "python",
                    None,
                );
                g.measures = true;
                out.push(g);
            }
        }
        "codecov.yml" | ".codecov.yml" | "codecov.yaml" | ".codecov.yaml" => {
            codecov(path, text, &mut out)
        }
        ".testcoverage.yml" | ".testcoverage.yaml" => {
            if let Some((line, v)) = number_after(text, "total:") {
                out.push(gate(
                    path,
                    line,
                    "go-test-coverage threshold.total",
                    "go-test-coverage",
                    Some(v),
                ));
            }
        }
        "tarpaulin.toml" | ".tarpaulin.toml" => {
            if let Some((line, v)) = number_after(text, "fail-under") {
                out.push(gate(
                    path,
                    line,
                    "tarpaulin fail-under",
                    "tarpaulin",
                    Some(v),
                ));
            }
        }
        _ => {}
    }
    out
}

fn package_json(path: &str, text: &str, out: &mut Vec<CoverageGate>) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(jest) = v.get("jest") {
        if let Some(t) = jest.get("coverageThreshold") {
            let line = line_of(text, "coverageThreshold").unwrap_or(1);
            out.push(gate(
                path,
                line,
                "jest coverageThreshold",
                "jest",
                min_metric(&t.to_string()),
            ));
        }
        if jest.get("collectCoverage").and_then(|c| c.as_bool()) == Some(true) {
            let mut g = gate(
                path,
                line_of(text, "collectCoverage").unwrap_or(1),
                "jest collectCoverage",
                "jest",
                None,
            );
            g.measures = true;
            out.push(g);
        }
    }
    for (key, family) in [("nyc", "nyc"), ("c8", "c8")] {
        let Some(cfg) = v.get(key) else { continue };
        if cfg.get("check-coverage").and_then(|c| c.as_bool()) == Some(true) {
            let t = min_metric(&cfg.to_string()).unwrap_or(90.0);
            let line = line_of(text, "check-coverage").unwrap_or(1);
            out.push(gate(
                path,
                line,
                &format!("{key} check-coverage"),
                family,
                Some(t),
            ));
        }
    }
}

/// codecov.yml: `coverage.status.project|patch.<name>.target`: a percentage
/// or `auto` (no drop against the base). `informational: true` reports
/// without failing the status check.
fn codecov(path: &str, text: &str, out: &mut Vec<CoverageGate>) {
    let Some((i, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("target:"))
    else {
        return;
    };
    let value = line.trim_start()["target:".len()..]
        .trim()
        .trim_matches(['"', '\'']);
    let threshold = value.trim_end_matches('%').parse().ok();
    let mut g = gate(
        path,
        i as u32 + 1,
        if threshold.is_some() {
            "codecov.yml target"
        } else {
            "codecov.yml target auto (no drop against base)"
        },
        "codecov",
        threshold,
    );
    g.enforcing = !text.contains("informational: true");
    out.push(g);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jest_in_package_json() {
        let g = extract(
            "package.json",
            r#"{"jest":{"coverageThreshold":{"global":{"lines":80,"branches":70}}}}"#,
        );
        assert_eq!(g[0].family, "jest");
        assert_eq!(g[0].threshold, Some(70.0));
    }

    #[test]
    fn python_configs() {
        let g = extract("setup.cfg", "[coverage:report]\nfail_under = 85\n");
        assert_eq!((g[0].location.line, g[0].threshold), (2, Some(85.0)));
        let g = extract(
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"--cov=app --cov-fail-under=50\"\n",
        );
        assert!(g[0].measures);
        assert_eq!(g[0].threshold, Some(50.0));
    }

    #[test]
    fn codecov_targets_and_informational() {
        let g = extract(
            "codecov.yml",
            "coverage:\n  status:\n    project:\n      default:\n        target: 75%\n",
        );
        assert_eq!(g[0].threshold, Some(75.0));
        assert!(g[0].enforcing);
        let g = extract(
            ".codecov.yml",
            "coverage:\n  status:\n    project:\n      default:\n        target: auto\n        informational: true\n",
        );
        assert_eq!(g[0].threshold, None);
        assert!(!g[0].enforcing);
    }

    #[test]
    fn js_config_files() {
        let g = extract(
            "jest.config.js",
            "module.exports = {\n  coverageThreshold: {\n    global: { lines: 90, statements: 85 },\n  },\n};\n",
        );
        assert_eq!((g[0].location.line, g[0].threshold), (2, Some(85.0)));
        let g = extract(
            "vitest.config.ts",
            "export default defineConfig({ test: { coverage: {\n  thresholds: { lines: 65 } } } })\n",
        );
        assert_eq!(g[0].threshold, Some(65.0));
        let g = extract(
            ".nycrc",
            "{\n  \"check-coverage\": true,\n  \"lines\": 55\n}\n",
        );
        assert_eq!(g[0].threshold, Some(55.0));
    }
}
