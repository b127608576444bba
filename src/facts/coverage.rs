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
    static METRIC: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        crate::facts::pattern::regex(
            r#"["']?(?:lines|statements|branches|functions)["']?\s*[:=]\s*(\d+(?:\.\d+)?)"#,
        )
    });
    METRIC
        .captures_iter(text)
        .filter_map(|c| c.get(1)?.as_str().parse().ok())
        .reduce(f64::min)
}

pub fn extract(path: &str, text: &str) -> Vec<CoverageGate> {
    let name = crate::inventory::file_name(path).to_ascii_lowercase();
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
        "setup.cfg" | "tox.ini" | ".coveragerc" | "pytest.ini" => {
            python_ini(path, &name, text, &mut out)
        }
        "pyproject.toml" => pyproject(path, text, &mut out),
        "codecov.yml" | ".codecov.yml" | "codecov.yaml" | ".codecov.yaml" => {
            codecov(path, text, &mut out)
        }
        ".testcoverage.yml" | ".testcoverage.yaml" => {
            // go-test-coverage: `threshold: {file, package, total}`.
            let total = crate::facts::yaml::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|d| d["threshold"]["total"].as_f64());
            if let Some(v) = total {
                out.push(gate(
                    path,
                    setting_line(text, "total"),
                    "go-test-coverage threshold.total",
                    "go-test-coverage",
                    Some(v),
                ));
            }
        }
        "tarpaulin.toml" | ".tarpaulin.toml" => {
            // Each table is a named run configuration; any of them may gate.
            let fail_under = toml::from_str::<toml::Table>(text).ok().and_then(|doc| {
                doc.values()
                    .filter_map(|t| match t.get("fail-under")? {
                        toml::Value::Integer(i) => Some(*i as f64),
                        toml::Value::Float(f) => Some(*f),
                        _ => None,
                    })
                    .reduce(f64::max)
            });
            if let Some(v) = fail_under {
                out.push(gate(
                    path,
                    setting_line(text, "fail-under"),
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
    // Every package.json is a coverage config by name, and few configure
    // jest, nyc or c8 in it: a key JSON spells without an escape is in the
    // text as written, so without `"jest"`, `"nyc"`, `"c8"` or a backslash
    // there is nothing to find, and the parse (one more of the manifest's
    // text) is skipped.
    if !text.contains('\\')
        && !["\"jest\"", "\"nyc\"", "\"c8\""]
            .iter()
            .any(|k| text.contains(k))
    {
        return;
    }
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

/// The line of the first `key = …` / `key: …` setting, not a comment.
fn setting_line(text: &str, key: &str) -> u32 {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.starts_with('=') || rest.starts_with(':')
            })
        })
        .map_or(1, |i| i as u32 + 1)
}

/// The number a coverage setting holds: `80`, `80.5`, `"80"`, `"80%"`.
/// A trailing ` # note` is not part of the number.
fn percent(v: &str) -> Option<f64> {
    v.split_whitespace()
        .next()?
        .trim_matches(['"', '\''])
        .trim_end_matches('%')
        .parse()
        .ok()
}

/// pytest's `addopts`: `--cov-fail-under=N` (or `--cov-fail-under N`)
/// gates, any `--cov` measures. Read as shell words, as pytest does.
fn addopts(path: &str, line: u32, opts: &str, out: &mut Vec<CoverageGate>) {
    let w = crate::facts::commands::words(opts);
    let measures = w.iter().any(|x| x.starts_with("--cov"));
    let threshold =
        w.iter()
            .enumerate()
            .find_map(|(i, x)| match x.strip_prefix("--cov-fail-under") {
                Some(rest) if rest.starts_with('=') => percent(&rest[1..]),
                Some("") => w.get(i + 1).and_then(|v| percent(v)),
                _ => None,
            });
    if threshold.is_none() && !measures {
        return;
    }
    let mut g = gate(
        path,
        line,
        if threshold.is_some() {
            "pytest --cov-fail-under (addopts)"
        } else {
            "pytest --cov (addopts)"
        },
        "python",
        threshold,
    );
    g.measures = measures;
    out.push(g);
}

/// setup.cfg, tox.ini, .coveragerc and pytest.ini, read as INI the way
/// Python's configparser reads them: a line starting with `#` or `;` is a
/// comment (a commented-out `# fail_under = 90` gates nothing), and a value
/// may continue on indented lines (`addopts =` then one option a line).
/// coverage.py reads `[report]` in .coveragerc and `[coverage:report]` in
/// setup.cfg and tox.ini; pytest reads `[pytest]` in pytest.ini and tox.ini
/// and `[tool:pytest]` in setup.cfg. A file that does not parse gates
/// nothing.
fn python_ini(path: &str, name: &str, text: &str, out: &mut Vec<CoverageGate>) {
    let opts = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        ..ini::ParseOption::default()
    };
    let Ok(conf) = ini::Ini::load_from_str_opt(text, opts) else {
        return;
    };
    let report = if name == ".coveragerc" {
        "report"
    } else {
        "coverage:report"
    };
    if let Some(v) = conf.get_from(Some(report), "fail_under").and_then(percent) {
        out.push(gate(
            path,
            setting_line(text, "fail_under"),
            "coverage.py fail_under",
            "python",
            Some(v),
        ));
    }
    let pytest = if name == "setup.cfg" {
        "tool:pytest"
    } else {
        "pytest"
    };
    if let Some(v) = conf.get_from(Some(pytest), "addopts") {
        addopts(path, setting_line(text, "addopts"), v, out);
    }
}

/// pyproject.toml: `[tool.coverage.report] fail_under` and
/// `[tool.pytest.ini_options] addopts` (a string or a list of options).
fn pyproject(path: &str, text: &str, out: &mut Vec<CoverageGate>) {
    // As in [`package_json`]: a gate needs `fail_under` or `addopts`, and a
    // TOML key is in the text as written unless spelled with an escape.
    if !text.contains('\\') && !text.contains("fail_under") && !text.contains("addopts") {
        return;
    }
    let Ok(doc) = toml::from_str::<toml::Table>(text) else {
        return;
    };
    let tool = doc.get("tool");
    let at = |keys: &[&str]| keys.iter().try_fold(tool?, |v, k| v.get(*k));
    let fail_under = at(&["coverage", "report", "fail_under"]).and_then(|v| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        toml::Value::String(s) => percent(s),
        _ => None,
    });
    if let Some(v) = fail_under {
        out.push(gate(
            path,
            setting_line(text, "fail_under"),
            "coverage.py fail_under",
            "python",
            Some(v),
        ));
    }
    let opts = match at(&["pytest", "ini_options", "addopts"]) {
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(toml::Value::Array(a)) => Some(crate::facts::commands::join_words(
            &a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>(),
        )),
        _ => None,
    };
    if let Some(opts) = opts {
        addopts(path, setting_line(text, "addopts"), &opts, out);
    }
}

/// codecov.yml, parsed as YAML: `coverage.status.project|patch` holds
/// either a target directly or named entries (`default:`) that do. A
/// target is a percentage or `auto` (no drop against the base);
/// `informational: true` reports without failing the status check. The
/// first enforcing target wins, else the first target. A commented-out
/// target is no target.
fn codecov(path: &str, text: &str, out: &mut Vec<CoverageGate>) {
    let Ok(doc) = crate::facts::yaml::from_str::<serde_json::Value>(text) else {
        return;
    };
    let status = &doc["coverage"]["status"];
    let mut found: Vec<(&serde_json::Value, bool)> = Vec::new();
    for kind in ["project", "patch"] {
        let v = &status[kind];
        let entries: Vec<&serde_json::Value> = if v.get("target").is_some() {
            vec![v]
        } else {
            v.as_object()
                .map(|o| o.values().collect())
                .unwrap_or_default()
        };
        for e in entries {
            if let Some(t) = e.get("target") {
                let informational = e.get("informational").and_then(|i| i.as_bool()) == Some(true);
                found.push((t, !informational));
            }
        }
    }
    let Some((target, enforcing)) = found
        .iter()
        .find(|(_, enforcing)| *enforcing)
        .or(found.first())
        .copied()
    else {
        return;
    };
    let threshold = match target {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => percent(s),
        _ => None,
    };
    let mut g = gate(
        path,
        setting_line(text, "target"),
        if threshold.is_some() {
            "codecov.yml target"
        } else {
            "codecov.yml target auto (no drop against base)"
        },
        "codecov",
        threshold,
    );
    g.enforcing = enforcing;
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

    /// The look for the key before parsing lets through a key spelled
    /// with an escape, which the parser reads as the key.
    #[test]
    fn escaped_keys_are_still_read() {
        let g = extract("package.json", r#"{"j\u0065st":{"collectCoverage":true}}"#);
        assert_eq!((g.len(), g[0].measures), (1, true));
        let g = extract(
            "pyproject.toml",
            "[tool.coverage.report]\n\"fail\\u005funder\" = 75\n",
        );
        assert_eq!(g[0].threshold, Some(75.0));
        let plain = r#"{"name": "x", "devDependencies": {"vitest": "2"}}"#;
        assert!(extract("package.json", plain).is_empty());
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

    /// Settings are read by the parser the tool itself uses: commented out,
    /// quoted inside another value or in another section, they gate nothing.
    #[test]
    fn commented_or_misplaced_settings_never_gate() {
        for (path, text) in [
            (
                ".coveragerc",
                "[report]\n# fail_under = 90\nshow_missing = true\n",
            ),
            (".coveragerc", "[report]\n; fail_under = 90\n"),
            ("setup.cfg", "[coverage:report]\n#fail_under=90\n"),
            ("setup.cfg", "[metadata]\nfail_under = 90\n"),
            (
                "tox.ini",
                "[tox]\nenvlist = py312\n# [coverage:report]\n# fail_under = 90\n",
            ),
            (
                "pyproject.toml",
                "[tool.coverage.report]\n# fail_under = 90\n",
            ),
            (
                "pyproject.toml",
                "[project]\ndescription = \"fail_under = 90\"\n",
            ),
            (
                "pytest.ini",
                "[pytest]\n# addopts = --cov --cov-fail-under=90\n",
            ),
            (
                "codecov.yml",
                "coverage:\n  status:\n    project:\n      default:\n        # target: 90%\n        threshold: 1%\n",
            ),
            (
                ".testcoverage.yml",
                "threshold:\n  # total: 80\n  file: 0\n",
            ),
            (
                "tarpaulin.toml",
                "[report]\n# fail-under = 80\nout = [\"Html\"]\n",
            ),
        ] {
            let g = extract(path, text);
            assert!(
                g.iter().all(|g| g.threshold.is_none()),
                "{path}: {text:?} gave {g:?}"
            );
        }
    }

    #[test]
    fn python_settings_where_each_tool_reads_them() {
        let g = extract(
            ".coveragerc",
            "[run]\nbranch = True\n\n[report]\nfail_under = 72.5\n",
        );
        assert_eq!((g[0].location.line, g[0].threshold), (5, Some(72.5)));
        let g = extract(
            "setup.cfg",
            "[tool:pytest]\naddopts =\n    --cov=app\n    --cov-fail-under 60\n",
        );
        assert_eq!(
            (g[0].location.line, g[0].threshold, g[0].measures),
            (2, Some(60.0), true)
        );
        let g = extract("pytest.ini", "[pytest]\naddopts = -ra --cov=app\n");
        assert_eq!((g[0].threshold, g[0].measures), (None, true));
        let g = extract(
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = [\"--cov=app\", \"--cov-fail-under=65\"]\n\n[tool.coverage.report]\nfail_under = 70\n",
        );
        let t: Vec<_> = g.iter().map(|g| (g.location.line, g.threshold)).collect();
        assert_eq!(t, [(5, Some(70.0)), (2, Some(65.0))]);
        let g = extract("tarpaulin.toml", "[ci]\nfail-under = 81\n");
        assert_eq!(g[0].threshold, Some(81.0));
        let g = extract(".testcoverage.yml", "threshold:\n  total: 77\n");
        assert_eq!((g[0].location.line, g[0].threshold), (2, Some(77.0)));
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
