//! Server frameworks from `rules/frameworks.toml`: which packages declare
//! one, and the routes of those read by table — regex patterns over parsed
//! code (aiohttp, sanic, tornado, Litestar, hapi, Elysia, hand-routed fetch
//! handlers, poem, warp, React Router's routes.ts), file-system conventions
//! (SvelteKit, Nuxt/Nitro, Remix flat routes) and build files (Spring Boot
//! Actuator). Frameworks with router prefixes and decorators keep their
//! extractors in the language modules; the table still names them, so
//! `health-endpoint` knows every framework from one place, and says
//! `unknown` for one it cannot read.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::{CodeFacts, HttpRoute, Source, lang_key};
use crate::facts::Location;

#[derive(Deserialize)]
struct Table {
    framework: Vec<Framework>,
}

#[derive(Deserialize)]
pub(crate) struct Framework {
    pub name: String,
    pub lang: String,
    pub packages: Vec<String>,
    pub reads: Reads,
    pub detect: Vec<String>,
    #[serde(default)]
    routes: Vec<String>,
    #[serde(default)]
    segments: bool,
    health_route: Option<String>,
    /// Where the examples are written (a default per language otherwise).
    #[cfg_attr(not(test), allow(dead_code))]
    pub path: Option<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match_path: Option<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub no_match: Vec<String>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Reads {
    Builtin,
    Patterns,
    Files,
    Build,
    No,
}

static TABLE: LazyLock<Vec<(Framework, Vec<Regex>)>> = LazyLock::new(|| {
    let t: Table = toml::from_str(include_str!("../../../rules/frameworks.toml"))
        .unwrap_or_else(|e| panic!("rules/frameworks.toml: {e}"));
    t.framework
        .into_iter()
        .map(|f| {
            assert!(
                matches!(f.lang.as_str(), "js" | "py" | "go" | "rs" | "java"),
                "rules/frameworks.toml: {}: unknown lang {}",
                f.name,
                f.lang
            );
            assert!(
                f.reads != Reads::Patterns || !(f.routes.is_empty() || f.detect.is_empty()),
                "rules/frameworks.toml: {} reads patterns but lacks `routes` or `detect`",
                f.name
            );
            let res = f
                .routes
                .iter()
                .map(|p| crate::facts::pattern::regex(p))
                .collect();
            (f, res)
        })
        .collect()
});

/// Every framework row, for the table test.
#[cfg(test)]
pub(crate) fn rows() -> impl Iterator<Item = &'static Framework> {
    TABLE.iter().map(|(f, _)| f)
}

/// Manifest packages that declare a server, and whether its routes are read.
pub fn server_packages() -> impl Iterator<Item = (&'static str, bool)> {
    TABLE.iter().flat_map(|(f, _)| {
        f.packages
            .iter()
            .map(move |p| (p.as_str(), f.reads != Reads::No))
    })
}

/// Whether a manifest dependency of this name declares a server (one of
/// [`server_packages`]): one hash lookup, where a scan of the table per
/// dependency was a string test per pair for each of a monorepo's 1,250
/// manifests.
pub fn is_server_package(name: &str) -> bool {
    static NAMES: LazyLock<std::collections::HashSet<&'static str>> =
        LazyLock::new(|| server_packages().map(|(p, _)| p).collect());
    NAMES.contains(name)
}

/// The detect words of one language key: prefilter words.
pub(crate) fn words(lang: &str) -> impl Iterator<Item = &'static str> {
    TABLE
        .iter()
        .filter(move |(f, _)| f.lang == lang)
        .flat_map(|(f, _)| f.detect.iter().map(String::as_str))
}

/// Routes of the `patterns` frameworks this parsed file uses.
pub(super) fn extract(src: &Source, facts: &mut CodeFacts) {
    let key = lang_key(src.lang);
    let end = src.prod_end();
    for (f, res) in TABLE.iter() {
        if f.lang != key
            || f.reads != Reads::Patterns
            || !f.detect.iter().any(|w| src.code.contains(w.as_str()))
        {
            continue;
        }
        for re in res {
            for c in src.captures(re) {
                let m = c.get(0).unwrap();
                if m.start() >= end {
                    break;
                }
                let Some(path) = c.name("path") else {
                    continue;
                };
                let route = if f.segments {
                    let parts: Vec<&str> = path
                        .as_str()
                        .split('"')
                        .skip(1)
                        .step_by(2)
                        .filter(|s| !s.is_empty())
                        .collect();
                    format!("/{}", parts.join("/"))
                } else if path.as_str().starts_with('/') {
                    path.as_str().to_string()
                } else {
                    format!("/{}", path.as_str())
                };
                facts.routes.push(HttpRoute {
                    location: src.loc(m.start()),
                    framework: f.name.as_str(),
                    method: c
                        .name("method")
                        .map(|m| m.as_str().to_ascii_uppercase())
                        .filter(|m| !matches!(m.as_str(), "ROUTE" | "VIEW" | "*")),
                    route,
                });
            }
        }
    }
}

/// File-system routes: the path is the route.
pub(super) fn file_route(path: &str, text: &str, facts: &mut CodeFacts) {
    let Some((framework, method, route)) = sveltekit(path)
        .or_else(|| nuxt(path))
        .or_else(|| remix(path))
    else {
        return;
    };
    let name = TABLE
        .iter()
        .find(|(f, _)| f.reads == Reads::Files && f.name.starts_with(framework))
        .map_or(framework, |(f, _)| f.name.as_str());
    let line = text
        .find("export")
        .map_or(1, |i| text[..i].matches('\n').count() as u32 + 1);
    facts.routes.push(HttpRoute {
        location: Location::new(path, line),
        framework: name,
        method,
        route,
    });
}

/// Route groups `(marketing)` are not part of the URL.
fn url(segments: &[&str]) -> String {
    let kept: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| !(s.is_empty() || s.starts_with('(') && s.ends_with(')')))
        .collect();
    format!("/{}", kept.join("/"))
}

/// SvelteKit: `src/routes/<dirs>/+server.(js|ts)`.
fn sveltekit(path: &str) -> Option<(&'static str, Option<String>, String)> {
    let i = path
        .find("src/routes/")
        .filter(|i| *i == 0 || path.as_bytes()[i - 1] == b'/')?;
    let rest = &path[i + "src/routes/".len()..];
    let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    if !(file.starts_with("+server.")) {
        return None;
    }
    let segments: Vec<&str> = dir.split('/').collect();
    Some(("sveltekit", None, url(&segments)))
}

/// Nuxt/Nitro: `server/api/<path>[.<method>].(js|ts)` serves `/api/<path>`,
/// `server/routes/<path>…` serves `/<path>`; `index` is the folder itself.
fn nuxt(path: &str) -> Option<(&'static str, Option<String>, String)> {
    let (prefix, rest) = ["server/api/", "server/routes/"].iter().find_map(|p| {
        let i = path
            .find(p)
            .filter(|i| *i == 0 || path.as_bytes()[i - 1] == b'/')?;
        Some((*p, &path[i + p.len()..]))
    })?;
    let stem = rest.rsplit_once('.').map(|(s, _)| s)?;
    let (stem, method) = match stem.rsplit_once('.') {
        Some((s, m))
            if matches!(
                m,
                "get" | "post" | "put" | "patch" | "delete" | "head" | "options"
            ) =>
        {
            (s, Some(m.to_ascii_uppercase()))
        }
        _ => (stem, None),
    };
    let mut segments: Vec<&str> = stem.split('/').collect();
    if segments.last() == Some(&"index") {
        segments.pop();
    }
    if prefix == "server/api/" {
        segments.insert(0, "api");
    }
    Some(("nuxt", method, url(&segments)))
}

/// Remix / React Router flat routes: `app/routes/api.health.ts` (or
/// `app/routes/api.health/route.ts`) serves `/api/health`; `_index` is
/// the parent, a `_`-prefixed segment is a pathless layout, `$id` a param.
fn remix(path: &str) -> Option<(&'static str, Option<String>, String)> {
    let i = path
        .find("app/routes/")
        .filter(|i| *i == 0 || path.as_bytes()[i - 1] == b'/')?;
    let rest = &path[i + "app/routes/".len()..];
    let name = match rest.split_once('/') {
        Some((dir, "route.ts" | "route.tsx" | "route.js" | "route.jsx")) => dir,
        Some(_) => return None,
        None => rest.rsplit_once('.').map(|(s, _)| s)?,
    };
    let segments: Vec<String> = name
        .split('.')
        .filter(|s| !s.is_empty() && !s.starts_with('_'))
        .map(|s| match s.strip_prefix('$') {
            Some(p) => format!(":{p}"),
            None => s.trim_end_matches('_').to_string(),
        })
        .collect();
    let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
    Some(("remix", None, url(&refs)))
}

/// Routes a build file enables: Spring Boot Actuator's health endpoint in
/// pom.xml or build.gradle(.kts). A commented-out dependency enables
/// nothing.
pub fn build_routes(path: &str, text: &str) -> Vec<HttpRoute> {
    let name = crate::inventory::file_name(path);
    if !matches!(name, "pom.xml" | "build.gradle" | "build.gradle.kts") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (f, _) in TABLE.iter().filter(|(f, _)| f.reads == Reads::Build) {
        let Some(route) = &f.health_route else {
            continue;
        };
        let mut in_xml_comment = false;
        let line = text.lines().position(|l| {
            // XML comments may span lines; Gradle's are `//`.
            let mut live = String::new();
            let mut rest = l;
            loop {
                if in_xml_comment {
                    match rest.find("-->") {
                        Some(e) => {
                            in_xml_comment = false;
                            rest = &rest[e + 3..];
                        }
                        None => break,
                    }
                } else {
                    match rest.find("<!--") {
                        Some(s) => {
                            live.push_str(&rest[..s]);
                            in_xml_comment = true;
                            rest = &rest[s + 4..];
                        }
                        None => {
                            live.push_str(rest);
                            break;
                        }
                    }
                }
            }
            let live = live.split("//").next().unwrap_or("");
            f.detect.iter().any(|w| live.contains(w.as_str()))
        });
        if let Some(i) = line {
            out.push(HttpRoute {
                location: Location::new(path, i as u32 + 1),
                framework: f.name.as_str(),
                method: Some("GET".into()),
                route: route.clone(),
            });
        }
    }
    out
}
