//! Rule metadata, parsed from the embedded TOML and validated: the id must
//! match the file name and the pillar its folder, and every score is 1–5.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pillar {
    Testing,
    Observability,
    Resilience,
    Security,
    Operations,
    Cost,
}

impl Pillar {
    pub const ALL: [Pillar; 6] = [
        Pillar::Testing,
        Pillar::Observability,
        Pillar::Resilience,
        Pillar::Security,
        Pillar::Operations,
        Pillar::Cost,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Pillar::Testing => "testing",
            Pillar::Observability => "observability",
            Pillar::Resilience => "resilience",
            Pillar::Security => "security",
            Pillar::Operations => "operations",
            Pillar::Cost => "cost",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub fail: String,
    pub pass: String,
    /// Where `tests/rule_examples.rs` writes each example to scan it; a
    /// prose example (an absence, a layout) names `*_files` instead.
    pub fail_path: Option<String>,
    pub pass_path: Option<String>,
    #[serde(default)]
    pub fail_files: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub pass_files: Option<std::collections::BTreeMap<String, String>>,
    /// Files both examples are scanned beside (a package.json, a server).
    #[serde(default)]
    pub context: std::collections::BTreeMap<String, String>,
}

/// Stack-specific one-line fixes (`[fix_for]` in a rule's TOML).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixFor {
    pub node: Option<String>,
    pub python: Option<String>,
    pub go: Option<String>,
    pub rust: Option<String>,
}

/// The ecosystem an app or a file belongs to, for choosing its fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stack {
    Node,
    Python,
    Go,
    Rust,
}

impl Stack {
    pub fn of(lang: crate::facts::Lang) -> Stack {
        use crate::facts::Lang;
        match lang {
            Lang::JavaScript | Lang::TypeScript => Stack::Node,
            Lang::Python => Stack::Python,
            Lang::Go => Stack::Go,
            Lang::Rust => Stack::Rust,
        }
    }
}

impl RuleMeta {
    /// The one-line fix for `stack`, or the general one.
    pub fn fix_for(&self, stack: Option<Stack>) -> &str {
        let specific = match stack {
            Some(Stack::Node) => &self.fix_for.node,
            Some(Stack::Python) => &self.fix_for.python,
            Some(Stack::Go) => &self.fix_for.go,
            Some(Stack::Rust) => &self.fix_for.rust,
            None => &None,
        };
        specific.as_deref().unwrap_or(&self.fix)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub pillar: Pillar,
    pub title: String,
    /// Per call site (one debt item per bad site) or whole repository.
    pub per_site: bool,
    /// Scopes its sites may be in (`all`, or `server`, `edge`, `unknown` …):
    /// a finding in a file of another scope is not reported.
    #[serde(deserialize_with = "scopes")]
    pub scopes: Vec<crate::facts::Scope>,
    pub impact: u8,
    pub risk: u8,
    pub effort: u8,
    /// Plan week 0–4.
    pub week: u8,
    /// One-line fix shown with each debt item.
    pub fix: String,
    /// The one-line fix in the words of one stack, when the general one
    /// names several ecosystems' tools: a Node app is told about jest, not
    /// pytest. Chosen by the stack of the finding's file, else the app's.
    #[serde(default)]
    pub fix_for: FixFor,
    pub why: String,
    pub remediation: String,
    /// Why these impact/risk/effort defaults.
    pub rationale: String,
    /// What counts as passing, and what is not applicable or unknown.
    pub detection: String,
    pub example: Examples,
}

fn scopes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<crate::facts::Scope>, D::Error> {
    use crate::facts::Scope;
    let ids: Vec<String> = serde::Deserialize::deserialize(d)?;
    let mut out = Vec::new();
    for id in ids {
        if id == "all" {
            out.extend(Scope::ALL);
        } else {
            out.push(
                Scope::parse(&id)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown scope `{id}`")))?,
            );
        }
    }
    if out.is_empty() {
        return Err(serde::de::Error::custom("`scopes` is empty"));
    }
    Ok(out)
}

impl RuleMeta {
    pub fn parse(src: &str, path: &str) -> Result<RuleMeta, String> {
        let meta: RuleMeta = toml::from_str(src).map_err(|e| e.to_string())?;
        let (folder, file) = path.split_once('/').ok_or("path must be pillar/id.toml")?;
        if file != format!("{}.toml", meta.id) {
            return Err(format!(
                "id `{}` does not match file name `{file}`",
                meta.id
            ));
        }
        if folder != meta.pillar.id() {
            return Err(format!(
                "pillar `{}` does not match folder `{folder}`",
                meta.pillar.id()
            ));
        }
        for (name, v) in [
            ("impact", meta.impact),
            ("risk", meta.risk),
            ("effort", meta.effort),
        ] {
            if !(1..=5).contains(&v) {
                return Err(format!("{name} must be 1–5, got {v}"));
            }
        }
        if meta.week > 4 {
            return Err(format!("week must be 0–4, got {}", meta.week));
        }
        Ok(meta)
    }
}
