//! Dependency manifests: which packages an app declares, with the line of each.
//!
//! A dependency is evidence of intent, not of use; rules that care about use
//! (OpenTelemetry, loggers) also look for code. Go's `// indirect` requirements
//! are kept but marked, since they are pulled in by other modules.

use serde::Serialize;

use std::collections::HashMap;

use crate::facts::line_index::LineIndex;
use crate::inventory::ManifestKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// Normalised name: lower case for Python (PEP 503 style), as written elsewhere.
    pub name: String,
    pub line: u32,
    /// Development/test-only dependency.
    pub dev: bool,
    /// Go `// indirect`.
    pub indirect: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Script {
    pub name: String,
    pub command: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub path: String,
    pub kind: ManifestKind,
    pub deps: Vec<Dependency>,
    /// package.json scripts.
    pub scripts: Vec<Script>,
    /// What decides which lockfile this manifest needs.
    pub lock: LockHint,
}

/// Lockfile expectations of a manifest, for `lockfile-committed`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct LockHint {
    /// requirements*.txt whose every requirement is pinned (`==`, hashes) or
    /// that pip-compile/uv generated: it is the lockfile.
    pub pinned: bool,
    /// The tool that owns the lock: `poetry`, `pdm`, `uv` (pyproject).
    pub tool: Option<&'static str>,
    /// Cargo.toml declaring `[[bin]]` targets.
    pub declares_bin: bool,
    /// A workspace root (package.json `workspaces`, Cargo `[workspace]`).
    pub workspace: bool,
}

impl Manifest {
    pub fn script(&self, name: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.name == name)
    }
}

/// Parse one manifest; a broken file gives an error message for a warning.
pub fn parse(path: &str, kind: ManifestKind, text: &str) -> Result<Manifest, String> {
    let mut m = Manifest {
        path: path.to_string(),
        kind,
        deps: Vec::new(),
        scripts: Vec::new(),
        lock: LockHint::default(),
    };
    let mut at = Located::default();
    match kind {
        ManifestKind::PackageJson => package_json(&mut m, &mut at, text)?,
        ManifestKind::Pyproject => pyproject(&mut m, &mut at, text)?,
        ManifestKind::Requirements => requirements(&mut m, text),
        ManifestKind::Pipfile => pipfile(&mut m, &mut at, text)?,
        ManifestKind::GoMod => go_mod(&mut m, text),
        ManifestKind::CargoToml => cargo_toml(&mut m, text)?,
    }
    at.resolve(&mut m, text);
    Ok(m)
}

/// 1-based line of the first line containing `needle`, or 1.
pub fn line_of(text: &str, needle: &str) -> u32 {
    LineIndex::new(text).find(needle, 1).unwrap_or(1)
}

/// Dependencies and scripts read from a parsed value, with the text that
/// locates each: their lines are found at the end, all in one pass (a
/// manifest of 40,000 dependencies looked up one by one took minutes).
#[derive(Default)]
struct Located {
    deps: Vec<(usize, String)>,
    scripts: Vec<(usize, String)>,
}

impl Located {
    fn dep(&mut self, m: &mut Manifest, dep: Dependency, needle: String) {
        self.deps.push((m.deps.len(), needle));
        m.deps.push(dep);
    }

    fn script(&mut self, m: &mut Manifest, script: Script, needle: String) {
        self.scripts.push((m.scripts.len(), needle));
        m.scripts.push(script);
    }

    /// Each item's line: the first line holding its text, else line 1.
    fn resolve(self, m: &mut Manifest, text: &str) {
        let needles: Vec<&str> = self
            .deps
            .iter()
            .chain(&self.scripts)
            .map(|(_, n)| n.as_str())
            .collect();
        let lines = LineIndex::new(text).first_lines(&needles);
        let (dep_lines, script_lines) = lines.split_at(self.deps.len());
        for ((i, _), line) in self.deps.iter().zip(dep_lines) {
            m.deps[*i].line = line.unwrap_or(1);
        }
        for ((i, _), line) in self.scripts.iter().zip(script_lines) {
            m.scripts[*i].line = line.unwrap_or(1);
        }
    }
}

fn package_json(m: &mut Manifest, at: &mut Located, text: &str) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("invalid package.json: {e}"))?;
    for (section, dev) in [
        ("dependencies", false),
        ("devDependencies", true),
        ("optionalDependencies", false),
        ("peerDependencies", false),
    ] {
        if let Some(obj) = v.get(section).and_then(|d| d.as_object()) {
            for name in obj.keys() {
                let dep = Dependency {
                    name: name.clone(),
                    line: 1,
                    dev,
                    indirect: false,
                };
                at.dep(m, dep, format!("\"{name}\""));
            }
        }
    }
    m.lock.workspace = v.get("workspaces").is_some();
    if let Some(obj) = v.get("scripts").and_then(|s| s.as_object()) {
        for (name, cmd) in obj {
            if let Some(cmd) = cmd.as_str() {
                let script = Script {
                    name: name.clone(),
                    command: cmd.to_string(),
                    line: 1,
                };
                at.script(m, script, format!("\"{name}\""));
            }
        }
    }
    Ok(())
}

/// PEP 508 requirement → normalised distribution name.
fn pep508_name(req: &str) -> Option<String> {
    let req = req.trim();
    if req.is_empty() || req.starts_with('#') || req.starts_with('-') {
        return None;
    }
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(req.len());
    let name = &req[..end];
    (!name.is_empty()).then(|| name.to_ascii_lowercase().replace('_', "-"))
}

fn push_py(m: &mut Manifest, at: &mut Located, req: &str, dev: bool) {
    if let Some(name) = pep508_name(req) {
        let dep = Dependency {
            name,
            line: 1,
            dev,
            indirect: false,
        };
        at.dep(m, dep, req.trim().to_string());
    }
}

fn pyproject(m: &mut Manifest, at: &mut Located, text: &str) -> Result<(), String> {
    let v: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("invalid pyproject.toml: {}", e.message()))?;
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let tool = v.get("tool");
    m.lock.tool = if tool.and_then(|t| t.get("poetry")).is_some() {
        Some("poetry")
    } else if tool.and_then(|t| t.get("pdm")).is_some() {
        Some("pdm")
    } else if tool.and_then(|t| t.get("uv")).is_some() {
        Some("uv")
    } else {
        None
    };
    if let Some(project) = v.get("project") {
        for r in strings(project.get("dependencies")) {
            push_py(m, at, &r, false);
        }
        if let Some(opt) = project
            .get("optional-dependencies")
            .and_then(|o| o.as_table())
        {
            for (group, reqs) in opt {
                let dev = matches!(group.as_str(), "dev" | "test" | "tests" | "lint" | "docs");
                for r in strings(Some(reqs)) {
                    push_py(m, at, &r, dev);
                }
            }
        }
    }
    if let Some(groups) = v.get("dependency-groups").and_then(|g| g.as_table()) {
        for reqs in groups.values() {
            for r in strings(Some(reqs)) {
                push_py(m, at, &r, true);
            }
        }
    }
    if let Some(poetry) = v
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table())
    {
        let mut tables: Vec<(&toml::Value, bool)> = Vec::new();
        if let Some(d) = poetry.get("dependencies") {
            tables.push((d, false));
        }
        if let Some(d) = poetry.get("dev-dependencies") {
            tables.push((d, true));
        }
        if let Some(groups) = poetry.get("group").and_then(|g| g.as_table()) {
            for g in groups.values() {
                if let Some(d) = g.get("dependencies") {
                    tables.push((d, true));
                }
            }
        }
        for (table, dev) in tables {
            for name in table.as_table().into_iter().flat_map(|t| t.keys()) {
                if name == "python" {
                    continue;
                }
                let dep = Dependency {
                    name: name.to_ascii_lowercase().replace('_', "-"),
                    line: 1,
                    dev,
                    indirect: false,
                };
                at.dep(m, dep, name.clone());
            }
        }
    }
    Ok(())
}

fn requirements(m: &mut Manifest, text: &str) {
    let dev = m.path.contains("dev") || m.path.contains("test");
    // pip-compile and `uv pip compile` write a header naming themselves.
    let compiled = text
        .lines()
        .take(10)
        .any(|l| l.starts_with('#') && (l.contains("pip-compile") || l.contains("uv pip compile")));
    let mut all_pinned = true;
    for (i, line) in text.lines().enumerate() {
        let req = line.split(" #").next().unwrap_or("");
        if let Some(name) = pep508_name(req) {
            all_pinned &= req.contains("==") || req.contains("--hash") || req.contains(" @ ");
            m.deps.push(Dependency {
                name,
                line: i as u32 + 1,
                dev,
                indirect: false,
            });
        }
    }
    m.lock.pinned = compiled || (all_pinned && !m.deps.is_empty());
}

fn pipfile(m: &mut Manifest, at: &mut Located, text: &str) -> Result<(), String> {
    let v: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("invalid Pipfile: {}", e.message()))?;
    for (section, dev) in [("packages", false), ("dev-packages", true)] {
        for name in v
            .get(section)
            .and_then(|t| t.as_table())
            .into_iter()
            .flat_map(|t| t.keys())
        {
            let dep = Dependency {
                name: name.to_ascii_lowercase().replace('_', "-"),
                line: 1,
                dev,
                indirect: false,
            };
            at.dep(m, dep, name.clone());
        }
    }
    Ok(())
}

fn go_mod(m: &mut Manifest, text: &str) {
    let mut in_block = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let spec = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        let Some(module) = spec.split_whitespace().next() else {
            continue;
        };
        if module.starts_with("//") {
            continue;
        }
        m.deps.push(Dependency {
            name: module.to_string(),
            line: i as u32 + 1,
            dev: false,
            indirect: spec.contains("// indirect"),
        });
    }
}

fn cargo_toml(m: &mut Manifest, text: &str) -> Result<(), String> {
    let v: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("invalid Cargo.toml: {}", e.message()))?;
    m.lock.declares_bin = v.get("bin").is_some();
    m.lock.workspace = v.get("workspace").is_some();
    let mut sections: Vec<(&toml::Value, bool)> = Vec::new();
    for (key, dev) in [
        ("dependencies", false),
        ("dev-dependencies", true),
        ("build-dependencies", true),
    ] {
        if let Some(d) = v.get(key) {
            sections.push((d, dev));
        }
        if let Some(d) = v.get("workspace").and_then(|w| w.get(key)) {
            sections.push((d, dev));
        }
    }
    // A dependency's line is the first that assigns its key (`serde = …`,
    // `serde.workspace = true`), indexed in one pass.
    let mut key_lines: HashMap<&str, u32> = HashMap::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        let end = t.find([' ', '\t', '=', '.']).unwrap_or(t.len());
        if t[end..].trim_start().starts_with(['=', '.']) {
            key_lines.entry(&t[..end]).or_insert(i as u32 + 1);
        }
    }
    for (table, dev) in sections {
        for name in table.as_table().into_iter().flat_map(|t| t.keys()) {
            m.deps.push(Dependency {
                name: name.clone(),
                line: key_lines.get(name.as_str()).copied().unwrap_or(1),
                dev,
                indirect: false,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_marks_indirect() {
        let m = parse(
            "go.mod",
            ManifestKind::GoMod,
            "module x\n\nrequire (\n\tgo.opentelemetry.io/otel v1.0.0 // indirect\n\tgithub.com/gin-gonic/gin v1.9.0\n)\nrequire github.com/a/b v1\n",
        )
        .unwrap();
        assert_eq!(m.deps.len(), 3);
        assert!(m.deps[0].indirect);
        assert_eq!(m.deps[1].name, "github.com/gin-gonic/gin");
        assert_eq!(m.deps[1].line, 5);
        assert_eq!(m.deps[2].line, 7);
    }

    #[test]
    fn pyproject_normalises_names() {
        let m = parse(
            "pyproject.toml",
            ManifestKind::Pyproject,
            "[project]\nname='x'\ndependencies = [\n  \"OpenTelemetry_SDK>=1.2\",\n  \"httpx\"\n]\n",
        )
        .unwrap();
        assert_eq!(m.deps[0].name, "opentelemetry-sdk");
        assert_eq!(m.deps[0].line, 4);
    }

    #[test]
    fn broken_package_json_is_an_error() {
        assert!(parse("package.json", ManifestKind::PackageJson, "{ not json").is_err());
    }

    #[test]
    fn requirements_skip_options_and_comments() {
        let m = parse(
            "requirements.txt",
            ManifestKind::Requirements,
            "-r base.txt\n# c\nrequests==2.0 # pinned\n",
        )
        .unwrap();
        assert_eq!(m.deps.len(), 1);
        assert_eq!(m.deps[0].line, 3);
    }
}
