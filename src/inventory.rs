//! File inventory: what kind of file each path is, decided from its name alone.
//!
//! Classification happens before any byte is read so that the walker can skip
//! everything no rule needs (images, lockfile bodies, vendored trees) without
//! opening it. Lockfiles are recorded by presence only.

use serde::Serialize;

/// Programming languages the code-fact extractors understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    JavaScript,
    TypeScript,
    Python,
    Go,
    Rust,
}

/// Dependency manifests, one per ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestKind {
    PackageJson,
    Pyproject,
    Requirements,
    Pipfile,
    GoMod,
    CargoToml,
}

/// What a file is for, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Source(Lang),
    Manifest(ManifestKind),
    /// Present or absent is all that matters; never read.
    Lockfile,
    /// A CI pipeline definition (GitHub Actions workflow and friends).
    CiConfig,
    /// Makefile, justfile, shell script: recipes a CI step may delegate to.
    TaskFile,
    /// Dockerfile, compose, k8s manifests, platform config.
    DeployConfig,
    /// Prose: Markdown, reStructuredText, AsciiDoc, plain text.
    Doc,
    /// `.env`, `.env.local`, `.env.example` …
    EnvFile,
    /// Other text that may hold secrets: configuration (YAML/JSON/TOML/INI …),
    /// key files, credential dotfiles, scripts, and sources in languages that
    /// have no code extractor (read for secrets only).
    Config,
    /// `.gitignore`: read for the patterns that keep env files out of git.
    GitIgnore,
    /// Not read at all.
    Other,
}

impl FileKind {
    /// Whether the walker needs the file's text.
    pub fn needs_text(self) -> bool {
        !matches!(self, FileKind::Lockfile | FileKind::Other)
    }
}

/// Where a file's code runs (DESIGN.md, "Where code runs"): decided once
/// per file, with its reason, and read by every rule. A browser `fetch` is
/// not the service's outbound call, a dev launcher's SIGTERM handler does not
/// drain the server, and a fake key in a test is not a leak.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Runs in the service process: handlers, workers, jobs, server
    /// components and route handlers.
    Server,
    /// Runs in a browser bundle.
    Browser,
    /// Runs at the edge (Next.js middleware, Workers).
    Edge,
    Test,
    /// Examples, samples, demos.
    Example,
    /// Documentation and prose, translation strings.
    Docs,
    /// Scripts, tools, seeders, storybook, build configuration.
    DevTooling,
    Generated,
    Vendored,
    /// Build, CI, deploy and app configuration.
    Config,
    /// Could not be told: read by server rules, and shown as unknown.
    Unknown,
}

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::Server,
        Scope::Browser,
        Scope::Edge,
        Scope::Test,
        Scope::Example,
        Scope::Docs,
        Scope::DevTooling,
        Scope::Generated,
        Scope::Vendored,
        Scope::Config,
        Scope::Unknown,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Scope::Server => "server",
            Scope::Browser => "browser",
            Scope::Edge => "edge",
            Scope::Test => "test",
            Scope::Example => "example",
            Scope::Docs => "docs",
            Scope::DevTooling => "dev-tooling",
            Scope::Generated => "generated",
            Scope::Vendored => "vendored",
            Scope::Config => "config",
            Scope::Unknown => "unknown",
        }
    }

    pub fn parse(id: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.id() == id)
    }

    /// Code that may run in the service process: what server rules read.
    /// Unknown is included (and shown as such) rather than guessed away.
    pub fn in_service(self) -> bool {
        matches!(self, Scope::Server | Scope::Edge | Scope::Unknown)
    }
}

/// `rules/folders.toml`: folder and file-name conventions.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Folders {
    pub folder: Vec<FolderRow>,
    pub tool_config: NamedPaths,
    pub not_apps: NamedPaths,
    pub test_paths: TestPaths,
    pub vendored_python: VendoredPython,
}

/// `[vendored_python]`: a folder of copies of the project's own Python
/// dependencies (src/facts/scope.rs `vendored_python`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendoredPython {
    pub min_packages: usize,
    pub folder_names: Vec<String>,
    /// (distribution name, import name) where the two differ.
    pub import_names: Vec<(String, String)>,
    pub example: Vec<VendoredExample>,
}

/// A tree and the folders of it that must be vendored.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendoredExample {
    pub requirements: Vec<String>,
    pub paths: Vec<String>,
    #[serde(default)]
    pub sys_path: Vec<String>,
    pub vendored: Vec<String>,
}

/// Folder names whose files never run in the service, with their scope.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderRow {
    pub scope: Scope,
    pub names: Vec<String>,
    /// A folder of these names inside one of these folders (a package's
    /// `src/`) is the package's own code, not the repository's tooling.
    #[serde(default)]
    pub not_under: Vec<String>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

/// Names (file-name stems or folder names) with example paths.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedPaths {
    pub names: Option<Vec<String>>,
    pub stems: Option<Vec<String>>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

impl NamedPaths {
    fn has(&self, word: &str) -> bool {
        let list = self.names.as_ref().or(self.stems.as_ref());
        list.is_some_and(|l| l.iter().any(|n| n == word))
    }
}

/// The last segment of a `/`-separated path (`a/b/Dockerfile` →
/// `Dockerfile`; the whole path when it has no `/`; empty after a trailing
/// `/`), as `path.rsplit('/').next()` gives it. Asked a dozen times for every
/// walked file (its kind, its scope, the deploy, task and hygiene tables):
/// a backward byte scan of the name alone, where `rsplit`'s char searcher
/// cost several times more on paths of a few dozen bytes.
#[inline]
pub fn file_name(path: &str) -> &str {
    match path.as_bytes().iter().rposition(|&b| b == b'/') {
        // `/` is ASCII: the byte after it starts a character.
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The folder of a `/`-separated path (`a/b/c.py` → `a/b`; `""` for a
/// path with no `/`): what [`file_name`] leaves.
#[inline]
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The table, parsed once.
pub fn folders() -> &'static Folders {
    static T: std::sync::LazyLock<Folders> = std::sync::LazyLock::new(|| {
        toml::from_str(include_str!("../rules/folders.toml"))
            .unwrap_or_else(|e| panic!("rules/folders.toml: {e}"))
    });
    &T
}

/// A folder named as holding no app (`examples/`, `fixtures/`, …): the
/// `[not_apps]` names of `rules/folders.toml`.
pub fn not_app_folder(name: &str) -> bool {
    folders().not_apps.has(name)
}

/// The scope a path settles by itself, with the reason; `None` for source
/// files whose package and content decide (`facts::scope`).
pub fn path_scope(rel: &str, kind: FileKind) -> Option<(Scope, String)> {
    settled_by_path(rel, kind).map(|(scope, why)| (scope, why.text()))
}

/// [`path_scope`] without its reason: the fact extractor asks it of every
/// source file on the walker threads (a file whose path alone puts it
/// outside the service is not parsed), where building the reason text would
/// be an allocation per file for nothing.
pub fn path_scope_only(rel: &str, kind: FileKind) -> Option<Scope> {
    settled_by_path(rel, kind).map(|(scope, _)| scope)
}

/// `s` in ASCII lower case, copied only when it has an upper-case letter:
/// both path questions below are asked of every file of the tree, twice
/// (on the walker threads and again on the merge's one thread), and most
/// paths are lower case already.
fn ascii_lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Table words grouped by length: a folder name is compared only with the
/// words as long as it, and most names of a tree are none of them (a
/// binary search still cost six string compares per folder of every path).
/// Of equal words, the first stays first, as a scan of the rows in order
/// would find it.
struct ByLength<T>(Vec<Vec<(&'static str, T)>>);

impl<T: Copy> ByLength<T> {
    fn new(words: impl Iterator<Item = (&'static str, T)>) -> Self {
        let mut slots: Vec<Vec<(&'static str, T)>> = Vec::new();
        for (w, v) in words {
            if slots.len() <= w.len() {
                slots.resize_with(w.len() + 1, Vec::new);
            }
            slots[w.len()].push((w, v));
        }
        ByLength(slots)
    }

    fn get(&self, word: &str) -> Option<T> {
        self.0
            .get(word.len())?
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, v)| *v)
    }
}

/// The scope of a folder name of `rules/folders.toml`'s `[[folder]]` rows:
/// the first row naming it.
fn folder_scope(seg: &str) -> Option<(Scope, &'static [String])> {
    type Row = (Scope, &'static [String]);
    static NAMES: std::sync::LazyLock<ByLength<Row>> = std::sync::LazyLock::new(|| {
        ByLength::new(folders().folder.iter().flat_map(|r| {
            r.names
                .iter()
                .map(|n| (n.as_str(), (r.scope, r.not_under.as_slice())))
        }))
    });
    NAMES.get(seg)
}

/// A folder name of `[test_paths] folders`.
fn test_folder(seg: &str) -> bool {
    static NAMES: std::sync::LazyLock<ByLength<()>> = std::sync::LazyLock::new(|| {
        ByLength::new(
            folders()
                .test_paths
                .folders
                .iter()
                .map(|n| (n.as_str(), ())),
        )
    });
    NAMES.get(seg).is_some()
}

/// The folder names of a path, deepest first (`a/b/c.ts`: `b`, `a`), as
/// `path.split('/').rev().skip(1)` gives them, by a byte search.
fn folders_deepest_first(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path.rsplit_once('/').map(|(dir, _)| dir);
    std::iter::from_fn(move || {
        let dir = rest?;
        match dir.as_bytes().iter().rposition(|&b| b == b'/') {
            Some(i) => {
                rest = Some(&dir[..i]);
                Some(&dir[i + 1..])
            }
            None => {
                rest = None;
                Some(dir)
            }
        }
    })
}

/// Why a path settles its file's scope; the text is built only when asked.
enum PathReason {
    Test,
    GeneratedName(String),
    Folder(String),
    Story,
    ToolConfig(String),
    Doc,
    Task,
    Config,
}

impl PathReason {
    fn text(self) -> String {
        match self {
            PathReason::Test => "test file or folder by convention".into(),
            PathReason::GeneratedName(name) => format!("generated file name `{name}`"),
            PathReason::Folder(seg) => format!("under a `{seg}/` folder"),
            PathReason::Story => "storybook story".into(),
            PathReason::ToolConfig(name) => format!("build or tool configuration `{name}`"),
            PathReason::Doc => "documentation file".into(),
            PathReason::Task => "task runner or shell script".into(),
            PathReason::Config => "configuration, CI or deploy file".into(),
        }
    }
}

/// Whether a path holds, in any case, a word that a path question of this
/// module reacts to: a test, folder or tool-configuration name of
/// `rules/folders.toml`, or a generated or story file-name part. Without
/// one, no path rule applies, and that is most paths of a tree: one pass of
/// an automaton over the path answers for them, where each question asked
/// in full cost a couple of thousand instructions, for every file, three
/// times (the walk, the extractor, the scope pass).
fn holds_path_word(rel: &str) -> bool {
    static WORDS: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        let f = folders();
        let t = &f.test_paths;
        let tool = [&f.tool_config.names, &f.tool_config.stems];
        let words = f
            .folder
            .iter()
            .flat_map(|r| r.names.iter())
            .chain(tool.into_iter().flatten().flatten())
            .chain(&t.folders)
            .chain(&t.folder_words)
            .chain(&t.file_names)
            .chain(&t.file_suffixes)
            .chain(&t.file_infixes)
            .chain(t.file_prefixes.iter().map(|(pre, _)| pre))
            .map(String::as_str)
            // The generated and story name parts of `settled_by_name`.
            .chain([".pb.go", "_pb2", ".generated.", ".gen.", "_gen.go"])
            .chain(["zz_generated", ".stories.", ".story."])
            .filter(|w| !w.is_empty());
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(words)
            .expect("folder table words are literals")
    });
    WORDS.is_match(rel)
}

fn settled_by_path(rel: &str, kind: FileKind) -> Option<(Scope, PathReason)> {
    if holds_path_word(rel) {
        settled_by_name(rel, kind)
    } else {
        settled_by_kind(kind)
    }
}

/// [`settled_by_path`] for a path that holds a word of the table.
fn settled_by_name(rel: &str, kind: FileKind) -> Option<(Scope, PathReason)> {
    if is_test_by_name(rel) {
        return Some((Scope::Test, PathReason::Test));
    }
    let lower = ascii_lower(rel);
    let lower = lower.as_ref();
    let name = file_name(lower);
    // Each of these name parts is a word of `holds_path_word`.
    let generated_name = name.ends_with(".pb.go")
        || holds(name, "_pb2")
        || holds(name, ".generated.")
        || holds(name, ".gen.")
        || name.ends_with("_gen.go")
        || name.starts_with("zz_generated");
    if generated_name {
        return Some((Scope::Generated, PathReason::GeneratedName(name.into())));
    }
    for seg in folders_deepest_first(lower) {
        if let Some((scope, not_under)) = folder_scope(seg) {
            // `src/chat/tools/` (an AI agent's tools) is the package's code.
            let above = &lower[..seg.as_ptr() as usize - lower.as_ptr() as usize];
            if !not_under.is_empty() && above.split('/').any(|f| not_under.iter().any(|n| n == f)) {
                continue;
            }
            return Some((scope, PathReason::Folder(seg.into())));
        }
    }
    if holds(name, ".stories.") || holds(name, ".story.") {
        return Some((Scope::DevTooling, PathReason::Story));
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if folders().tool_config.has(stem) && matches!(kind, FileKind::Source(_)) {
        return Some((Scope::DevTooling, PathReason::ToolConfig(name.into())));
    }
    settled_by_kind(kind)
}

/// The scope of a file whose path settles nothing: its kind's.
fn settled_by_kind(kind: FileKind) -> Option<(Scope, PathReason)> {
    match kind {
        FileKind::Source(_) => None,
        FileKind::Doc => Some((Scope::Docs, PathReason::Doc)),
        FileKind::TaskFile => Some((Scope::DevTooling, PathReason::Task)),
        _ => Some((Scope::Config, PathReason::Config)),
    }
}

/// One row of `rules/lockfiles.toml`: a manifest kind and the lockfiles
/// that lock it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockRow {
    pub manifest: ManifestKind,
    pub lockfiles: Vec<String>,
    /// A workspace root above the manifest may hold the lockfile.
    #[serde(default)]
    pub upward: bool,
    /// Packaging tool named in a pyproject → the only lockfile it writes.
    #[serde(default)]
    pub tool: std::collections::BTreeMap<String, String>,
    #[serde(rename = "match")]
    pub match_: String,
    pub no_match: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LockTable {
    manifest: Vec<LockRow>,
}

static LOCK_ROWS: std::sync::LazyLock<Vec<LockRow>> = std::sync::LazyLock::new(|| {
    let t: LockTable = toml::from_str(include_str!("../rules/lockfiles.toml"))
        .expect("rules/lockfiles.toml parses");
    t.manifest
});

/// Every row of `rules/lockfiles.toml`.
pub fn lock_rows() -> &'static [LockRow] {
    &LOCK_ROWS
}

/// The row for one manifest kind (the table has one per kind; a kind
/// missing from it locks with nothing, which the table test catches).
pub fn lock_row(kind: ManifestKind) -> Option<&'static LockRow> {
    LOCK_ROWS.iter().find(|r| r.manifest == kind)
}

/// Whether a file name is a lockfile of any manifest kind.
pub fn is_lockfile(name: &str) -> bool {
    LOCK_ROWS
        .iter()
        .any(|r| r.lockfiles.iter().any(|l| l == name))
}

/// Classify a repository-relative path (forward slashes).
pub fn classify(rel: &str) -> FileKind {
    let name = file_name(rel);
    let lower = name.to_ascii_lowercase();

    if is_lockfile(name) {
        return FileKind::Lockfile;
    }
    match name {
        "package.json" => return FileKind::Manifest(ManifestKind::PackageJson),
        "pyproject.toml" => return FileKind::Manifest(ManifestKind::Pyproject),
        "Pipfile" => return FileKind::Manifest(ManifestKind::Pipfile),
        "go.mod" => return FileKind::Manifest(ManifestKind::GoMod),
        "Cargo.toml" => return FileKind::Manifest(ManifestKind::CargoToml),
        _ => {}
    }
    if lower.starts_with("requirements") && lower.ends_with(".txt") {
        return FileKind::Manifest(ManifestKind::Requirements);
    }
    // Coverage tool configs without a telling extension.
    if matches!(
        name,
        ".coveragerc" | ".nycrc" | ".c8rc" | "CODEOWNERS" | ".renovaterc" | "renovate.json5"
    ) {
        return FileKind::Config;
    }
    if is_env_file(&lower) {
        return FileKind::EnvFile;
    }
    if name == ".gitignore" {
        return FileKind::GitIgnore;
    }
    // Where credentials live outside code: SSH keys, registry and cloud
    // credential files.
    if matches!(
        lower.as_str(),
        "id_rsa"
            | "id_dsa"
            | "id_ecdsa"
            | "id_ed25519"
            | ".npmrc"
            | ".pypirc"
            | ".netrc"
            | "credentials"
            | ".dockercfg"
            | ".htpasswd"
    ) {
        return FileKind::Config;
    }
    if is_ci_path(rel, name) {
        return FileKind::CiConfig;
    }
    if crate::facts::tasks::task_runner(name).is_some()
        || crate::facts::tasks::is_extensionless_script(rel)
    {
        return FileKind::TaskFile;
    }
    if is_deploy_file(rel, &lower) {
        return FileKind::DeployConfig;
    }
    if is_minified(&lower) {
        return FileKind::Other;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "js" | "mjs" | "cjs" | "jsx" => FileKind::Source(Lang::JavaScript),
        "ts" | "mts" | "cts" | "tsx" => {
            if lower.ends_with(".d.ts") {
                FileKind::Other
            } else {
                FileKind::Source(Lang::TypeScript)
            }
        }
        "py" => FileKind::Source(Lang::Python),
        "go" => FileKind::Source(Lang::Go),
        "rs" => FileKind::Source(Lang::Rust),
        "md" | "markdown" | "rst" | "adoc" | "txt" => FileKind::Doc,
        "yml" | "yaml" | "json" | "toml" | "ini" | "cfg" | "conf" | "properties" | "tf"
        | "tfvars" | "ipynb" | "xml" | "pem" | "key" | "p8" | "ppk" | "sh" | "bash" | "zsh"
        | "ps1" | "rb" | "php" | "java" | "kt" | "cs" | "scala" | "groovy" | "gradle" | "kts"
        | "ex" | "exs" | "swift" => FileKind::Config,
        _ => FileKind::Other,
    }
}

fn is_minified(lower: &str) -> bool {
    lower.ends_with(".min.js") || lower.ends_with(".min.css") || lower.ends_with(".bundle.js")
}

/// Whether the file at a repository path is an env file ([`is_env_file`]
/// of its name in lower case).
pub fn is_env_path(path: &str) -> bool {
    is_env_file(&file_name(path).to_ascii_lowercase())
}

/// `.env`, `.env.local`, `.env.production`, `app.env`, `.env.example`, `env-example-x` …
pub fn is_env_file(lower_name: &str) -> bool {
    lower_name == ".env"
        || lower_name.starts_with(".env.")
        || lower_name.ends_with(".env")
        || lower_name.starts_with("env-example")
        || lower_name.ends_with(".env.sample")
}

/// Env files meant as templates: placeholders are expected there.
pub fn is_env_template(lower_name: &str) -> bool {
    ["example", "sample", "template", "dist", "defaults"]
        .iter()
        .any(|w| lower_name.contains(w))
}

fn is_ci_path(rel: &str, name: &str) -> bool {
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    (rel.starts_with(".github/workflows/") && yaml)
        || (rel.starts_with(".github/actions/") && (name == "action.yml" || name == "action.yaml"))
        || name == ".gitlab-ci.yml"
        || name == ".gitlab-ci.yaml"
        || rel == ".circleci/config.yml"
        || rel == ".circleci/config.yaml"
        || name == ".travis.yml"
        || name == "azure-pipelines.yml"
        || name == "azure-pipelines.yaml"
        || name == "bitbucket-pipelines.yml"
        || name == "Jenkinsfile"
        || (rel.starts_with(".buildkite/") && yaml)
        || name == ".drone.yml"
        || name == ".woodpecker.yml"
        || name == ".woodpecker.yaml"
        || (rel.starts_with(".woodpecker/") && yaml)
}

/// `docker-compose.yml`, `docker-compose.prod.yaml`, `compose.yaml`: YAML
/// only (`docker-compose.mdx` is a documentation page about one).
pub fn is_compose_file(lower_name: &str) -> bool {
    (lower_name.starts_with("docker-compose") || lower_name.starts_with("compose."))
        && (lower_name.ends_with(".yml") || lower_name.ends_with(".yaml"))
}

fn is_deploy_file(rel: &str, lower: &str) -> bool {
    lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || is_compose_file(lower)
        || lower == "fly.toml"
        || lower == "render.yaml"
        || lower == "procfile"
        || lower == "app.yaml"
        || lower == "serverless.yml"
        || lower == "serverless.yaml"
        || lower == "render.yml"
        || lower == "kustomization.yaml"
        || lower == "kustomization.yml"
        || lower == "vercel.json"
        || lower == "netlify.toml"
        // DigitalOcean App Platform specs.
        || rel.starts_with(".do/")
        || rel.contains("k8s/")
        || rel.contains("kubernetes/")
        || rel.contains("helm/")
        || rel.contains("charts/")
}

/// Whether a path is test code, by the conventions of each ecosystem
/// (`[test_paths]` of `rules/folders.toml`). Test code is never counted as
/// production code by the rules.
///
/// Asked of every file of the tree, three times (the walk, the extractor's
/// scope shortcut, the scope pass): the path is lowered only when it has
/// an upper-case letter, and the file name's infixes are looked for with
/// [`holds`].
pub fn is_test_path(rel: &str) -> bool {
    holds_path_word(rel) && is_test_by_name(rel)
}

/// [`is_test_path`] for a path that holds a word of the table.
fn is_test_by_name(rel: &str) -> bool {
    let t = &folders().test_paths;
    let lower = ascii_lower(rel);
    let lower = lower.as_ref();
    let name = lower.rsplit_once('/').map_or(lower, |(_, name)| name);
    let in_test_dir =
        folders_deepest_first(lower).any(|seg| test_folder(seg) || t.compound_folder(seg));
    in_test_dir
        || t.file_names.iter().any(|n| n == name)
        || t.file_suffixes.iter().any(|s| name.ends_with(s.as_str()))
        || t.file_infixes.iter().any(|s| holds(name, s))
        || t.file_prefixes
            .iter()
            .any(|(pre, ext)| name.starts_with(pre.as_str()) && name.ends_with(ext.as_str()))
}

/// `[test_paths]`: where each ecosystem keeps its tests.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestPaths {
    /// Folder names that hold tests, at any depth.
    pub folders: Vec<String>,
    /// A folder named for a kind of test: every `-`/`_` part is one of
    /// `folder_words` or `folder_qualifiers`, and one is a word.
    pub folder_words: Vec<String>,
    pub folder_qualifiers: Vec<String>,
    pub file_names: Vec<String>,
    pub file_suffixes: Vec<String>,
    pub file_infixes: Vec<String>,
    /// (prefix, extension): `test_*.py`.
    pub file_prefixes: Vec<(String, String)>,
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

impl TestPaths {
    /// `e2e_tests`, `integration-tests`, `test-utils`: a test word with only
    /// qualifying parts. A feature folder (`ab-test`, `contest-entries`) has
    /// a part that is neither.
    fn compound_folder(&self, seg: &str) -> bool {
        if !seg.bytes().any(|b| b == b'-' || b == b'_') {
            return false;
        }
        let word = |p: &str| self.folder_words.iter().any(|w| w == p);
        let qualifier = |p: &str| self.folder_qualifiers.iter().any(|w| w == p);
        let mut parts = seg.split(['-', '_']).filter(|p| !p.is_empty());
        seg.split(['-', '_']).any(word) && parts.all(|p| word(p) || qualifier(p))
    }
}

/// `str::contains` for a file name: a short haystack, where building the
/// general searcher cost more than looking.
fn holds(name: &str, needle: &str) -> bool {
    needle.is_empty()
        || name
            .as_bytes()
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_is_the_last_segment() {
        for path in [
            "a/b/Dockerfile",
            "Dockerfile",
            "a/b/",
            "",
            "/",
            "é/ü.py",
            "a//b",
        ] {
            assert_eq!(
                file_name(path),
                path.rsplit('/').next().unwrap_or(path),
                "{path}"
            );
        }
    }

    /// The byte search gives the folders `split('/').rev().skip(1)` gives,
    /// empty names of doubled or leading slashes included.
    #[test]
    fn folders_deepest_first_as_split_gives_them() {
        for path in [
            "a/b/c.ts",
            "c.ts",
            "/x",
            "a//b",
            "a/b/",
            "",
            "src/Tests/x.py",
        ] {
            let want: Vec<&str> = path.split('/').rev().skip(1).collect();
            let got: Vec<&str> = folders_deepest_first(path).collect();
            assert_eq!(got, want, "{path}");
        }
    }

    /// Every row of rules/folders.toml: each `match` source path settles
    /// the row's scope (tool configs: dev tooling; not-app folders: outside
    /// the apps) and each `no_match` path does not.
    #[test]
    fn every_folder_row_example_settles_its_scope() {
        let t = folders();
        let src = FileKind::Source(Lang::JavaScript);
        let mut failures = Vec::new();
        let mut check = |what: &str, want: Option<Scope>, path: &str, should: bool| {
            let got = path_scope(path, src).map(|(s, _)| s);
            if (got == want) != should {
                failures.push(format!("{what}: {path} gave {got:?}"));
            }
        };
        for row in &t.folder {
            assert!(!row.matches.is_empty() && !row.no_match.is_empty());
            for m in &row.matches {
                check(&format!("{:?}", row.scope), Some(row.scope), m, true);
            }
            for n in &row.no_match {
                check(&format!("{:?}", row.scope), Some(row.scope), n, false);
            }
        }
        for m in &t.tool_config.matches {
            check("tool_config", Some(Scope::DevTooling), m, true);
        }
        for n in &t.tool_config.no_match {
            check("tool_config", Some(Scope::DevTooling), n, false);
        }
        for m in &t.test_paths.matches {
            if !is_test_path(m) {
                failures.push(format!("test_paths: {m} is not test code"));
            }
        }
        for n in &t.test_paths.no_match {
            if is_test_path(n) {
                failures.push(format!("test_paths: {n} is test code"));
            }
        }
        for m in &t.not_apps.matches {
            if !crate::apps::outside_apps(m) {
                failures.push(format!("not_apps: {m} holds an app"));
            }
        }
        for n in &t.not_apps.no_match {
            if crate::apps::outside_apps(n) {
                failures.push(format!("not_apps: {n} holds no app"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn classifies_by_name() {
        assert_eq!(classify("src/app.ts"), FileKind::Source(Lang::TypeScript));
        assert_eq!(classify("types/x.d.ts"), FileKind::Other);
        assert_eq!(
            classify("web/package.json"),
            FileKind::Manifest(ManifestKind::PackageJson)
        );
        assert_eq!(
            classify("requirements-dev.txt"),
            FileKind::Manifest(ManifestKind::Requirements)
        );
        assert_eq!(classify(".github/workflows/ci.yml"), FileKind::CiConfig);
        assert_eq!(classify("docs/ci.yml"), FileKind::Config);
        assert_eq!(classify(".env.production"), FileKind::EnvFile);
        assert_eq!(classify("yarn.lock"), FileKind::Lockfile);
        assert_eq!(classify("public/app.min.js"), FileKind::Other);
        assert_eq!(classify("Dockerfile"), FileKind::DeployConfig);
        assert_eq!(classify("RUNBOOK.md"), FileKind::Doc);
        assert_eq!(
            classify("deploy/docker-compose.prod.yaml"),
            FileKind::DeployConfig
        );
        // A documentation page about compose is not a compose file (it was
        // parsed as one and warned as invalid YAML on a real service).
        assert_ne!(
            classify("docs/self-hosting/docker-compose.mdx"),
            FileKind::DeployConfig
        );
    }

    #[test]
    fn recognises_test_paths() {
        assert!(is_test_path("tests/test_api.py"));
        assert!(is_test_path("pkg/api/handler_test.go"));
        assert!(is_test_path("src/__tests__/x.js"));
        assert!(is_test_path("src/api.spec.ts"));
        assert!(!is_test_path("src/testing_utils.py"));
        assert!(!is_test_path("src/contest.py"));
    }
}
