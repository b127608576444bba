//! Facts: plain data with locations, extracted once per file.
//!
//! Each submodule reads one source of facts (manifests, CI pipelines, code,
//! documents, secrets). Extraction runs on the walker's threads, one file at a
//! time, and produces a [`FileFacts`]; the per-file facts are then merged into
//! one [`Facts`] value that the rules read. Facts never know about rules.
//! The code of a JavaScript or TypeScript file is the exception: where it
//! runs is known only once every file is walked, so it is read while merging,
//! and only where the service runs it ([`Deferred`]).

pub mod ci;
pub mod code;
pub mod commands;
pub mod context;
pub mod coverage;
pub mod deploy;
pub mod deploy_steps;
pub mod docs;
pub mod git;
pub mod git_dir;
pub mod git_index;
pub mod gitignore;
pub mod hygiene;
pub mod integrations;
pub mod line_index;
pub mod manifests;
pub mod operations;
pub mod pattern;
pub mod scope;
pub mod secrets;
pub mod tasks;
pub mod yaml;

use serde::Serialize;

/// The inventory's vocabulary, as facts speak it (rules read these types
/// from here; the inventory itself is no rule's business).
pub use crate::inventory::{FileKind, Lang, ManifestKind, Scope};
use crate::safe_text::SafeText;

pub use ci::{CiJob, CiPipeline, CiStep};
pub use code::{
    HttpRoute, OtelInit, OutboundCall, PiiLog, Practice, PracticeKind, RetrySite, TestMarker,
    TimeoutState,
};
pub use deploy::DeployFacts;
pub use docs::{DocFacts, DocPart};
pub use gitignore::GitIgnore;
pub use manifests::{Dependency, Manifest};
pub use secrets::{InsecureDefault, SecretCandidate, SecretScope, SecretsManagerUse};
pub use tasks::Task;

/// A place in the scanned repository, relative to its root, 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub path: String,
    pub line: u32,
}

impl Location {
    pub fn new(path: &str, line: u32) -> Self {
        Location {
            path: path.to_string(),
            line,
        }
    }
}

/// Something that went wrong reading one file; the scan goes on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Warning {
    /// Repository-derived (a file name, a parser's message quoting the
    /// file): cleaned on construction, like all report text.
    pub path: SafeText,
    pub message: SafeText,
}

impl Warning {
    pub fn new(path: impl Into<SafeText>, message: impl Into<SafeText>) -> Self {
        Warning {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// One file the walk saw, whether or not it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub path: String,
    pub kind: FileKind,
    /// Test code (by path convention); never counted as production code.
    pub is_test: bool,
    /// Line count of a file that was read (0 otherwise), for churn weighting.
    pub lines: u32,
    /// Where its code runs, decided when facts are merged ([`scope`]).
    pub scope: crate::inventory::Scope,
    /// Why: "under a `scripts/` folder", "\"use client\" directive" …
    pub scope_reason: String,
}

/// An inline `graduate:allow RULE reason… owner=@x expires=DATE` comment
/// (read by [`crate::waivers::parse_inline`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineAllow {
    pub location: Location,
    pub rule: String,
    pub reason: Option<String>,
    pub owner: Option<String>,
    pub expires: Option<String>,
}

/// What one file contributed.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    pub path: String,
    // The facts most files lack are boxed: 20k files' facts are read twice
    // on the thread that merges (and once more to free them), and at 1.6 KB
    // each (these fields inline; 1 KB boxed) that was bound by memory, not
    // work.
    pub manifest: Option<Box<Manifest>>,
    pub pipeline: Option<Box<CiPipeline>>,
    pub tasks: Vec<Task>,
    pub deploy: DeployFacts,
    pub coverage: Vec<coverage::CoverageGate>,
    pub hygiene: hygiene::HygieneFacts,
    pub doc: Option<Box<DocFacts>>,
    pub code: code::CodeFacts,
    pub secrets: Vec<SecretCandidate>,
    pub secret_exclusions: Vec<secrets::ExcludedSecret>,
    pub insecure_defaults: Vec<InsecureDefault>,
    pub secret_managers: Vec<SecretsManagerUse>,
    pub allows: Vec<InlineAllow>,
    /// Hash of the normalised enclosing code of each site line of this
    /// file ([`context`]), for content fingerprints.
    pub contexts: Vec<(u32, u64)>,
    /// An env file with the number of real-looking values in it.
    pub env_file: Option<Box<EnvFile>>,
    pub hosts: Vec<integrations::ExternalHost>,
    pub pii: Vec<integrations::PiiField>,
    pub postmortem: Option<Box<operations::PostmortemTemplate>>,
    pub flag_use: Option<Box<operations::FlagUse>>,
    pub gitignore: Option<Box<GitIgnore>>,
    /// What a source file says about where it and its tree run
    /// ([`scope::ScopeHints`]: a JS/TS file's directive and imports, a Go
    /// file's imports, the folders a Python file puts on `sys.path`).
    pub scope_hints: Option<Box<scope::ScopeHints>>,
    /// A manifest or CI file of this kind that did not parse: what it
    /// declares is unknown to the rules that read it.
    pub unparsed: Option<Unparsed>,
    /// The text of a JavaScript, TypeScript or Python production file
    /// whose code facts wait for its scope ([`Deferred`]).
    pub deferred: Option<Deferred>,
    pub warnings: Vec<Warning>,
}

/// A JavaScript, TypeScript or Python file read but not yet read for code.
///
/// Where such a file runs is known only once every file is walked: its
/// package.json (a Vite app ships to browsers, an Express one serves), its
/// meta-framework's conventions and the modules that import it decide
/// ([`scope::assign`]). Merging keeps no code facts of a file outside the
/// service, and on a typical monorepo half the JS/TS files are browser code
/// (documenso 633, memos 395 of their files), and a Python service may
/// commit its dependencies (Tautulli's `lib/`, vendored: the project's own
/// requirements, [`scope::assign`]): their code is read after scopes are
/// assigned, and only where the service runs it.
#[derive(Debug, Clone)]
pub struct Deferred {
    pub lang: Lang,
    pub text: String,
}

/// Which facts a file that was not read (it did not parse, or is over the
/// size bound) would have given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unparsed {
    Manifest,
    Ci,
    /// Production source over the size bound (a parse failure of source is
    /// `CodeFacts::unparsed`).
    LargeSource,
}

/// A committed environment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvFile {
    pub path: String,
    /// `.env.example` and friends: placeholders expected.
    pub template: bool,
    /// How many keys carry a value.
    pub values: usize,
}

/// All facts of one scan, merged and sorted by location.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    pub files: Vec<FileRecord>,
    pub manifests: Vec<Manifest>,
    pub pipelines: Vec<CiPipeline>,
    /// Makefile targets, justfile recipes, shell scripts.
    pub tasks: Vec<Task>,
    pub deploy: DeployFacts,
    /// Coverage thresholds in config files.
    pub coverage_gates: Vec<coverage::CoverageGate>,
    /// Dependency bots, CODEOWNERS, alert rules, SLOs, .gitignore files.
    pub hygiene: hygiene::HygieneFacts,
    pub docs: Vec<DocFacts>,
    pub routes: Vec<HttpRoute>,
    pub outbound: Vec<OutboundCall>,
    pub retries: Vec<RetrySite>,
    pub otel_inits: Vec<OtelInit>,
    pub tests: Vec<TestMarker>,
    pub practices: Vec<Practice>,
    pub pii_logs: Vec<PiiLog>,
    pub secrets: Vec<SecretCandidate>,
    /// Credential-shaped values that an exclusion row explains away.
    pub secret_exclusions: Vec<secrets::ExcludedSecret>,
    pub insecure_defaults: Vec<InsecureDefault>,
    pub secret_managers: Vec<SecretsManagerUse>,
    pub env_files: Vec<EnvFile>,
    pub gitignores: Vec<GitIgnore>,
    /// Env files git tracks, from `.git/index`; `None` when the root is not
    /// a git work tree (then an env file's presence is what counts).
    pub tracked_env_files: Option<Vec<String>>,
    pub allows: Vec<InlineAllow>,
    /// Enclosing-code hash of every site line ([`context`]): a finding's
    /// identity that survives line shifts and renames, computed while the
    /// file's text is at hand (the report never reads a file again). By
    /// path, each file's (line, hash) sorted by line: one key per file, not a
    /// copy of the path per site. Seeded foldhash: the paths are the
    /// scanned tree's (SipHash, std's default, cost more than the lookups).
    pub contexts: foldhash::HashMap<String, Vec<(u32, u64)>>,
    pub warnings: Vec<Warning>,
    /// Production source files that a code rule needed but that do not
    /// parse: the code rules are unknown instead of passing while they are
    /// unread.
    pub unparsed: Vec<String>,
    /// Production source files over the size bound, not read. In practice
    /// generated code or data (a 2.5 MB React component of inline SVG): they
    /// can hide bad sites, so a per-site rule cannot pass beside them, but
    /// they are not where a practice lives, so an absent one stays absent.
    pub unread_large: Vec<String>,
    /// CI files that do not parse: whether they run the tests is unknown.
    pub unparsed_ci: Vec<String>,
    /// Dependency manifests that do not parse: their lock state is unknown.
    pub unparsed_manifests: Vec<String>,
    /// CI steps that deploy with a platform's CLI or action, for telling a
    /// deployment configured outside the repository from none at all.
    pub ci_deploys: Vec<deploy_steps::CiDeploy>,
    /// Languages of the production source files.
    pub languages: Vec<Lang>,
    pub external_hosts: Vec<integrations::ExternalHost>,
    pub pii_fields: Vec<integrations::PiiField>,
    pub postmortems: Vec<operations::PostmortemTemplate>,
    pub flag_uses: Vec<operations::FlagUse>,
    /// Git history of the bounded window (graduation pressure).
    pub history: git::History,
    /// Every walked path, for constant-time existence checks by rules.
    /// Seeded foldhash, as [`Facts::contexts`]: every app's view builds its
    /// own set of thousands of paths.
    pub paths: foldhash::HashSet<String>,
    /// Source files whose code facts were left out because they run outside
    /// the service, by scope.
    pub scoped_out: std::collections::BTreeMap<Scope, usize>,
    /// What the resolve stage derived from several facts at once (CI tests
    /// followed to their runners, lockfiles, `.gitignore` verdicts, HTTP);
    /// filled by [`crate::resolve::run`] before the rules run.
    pub derived: crate::resolve::Derived,
}

impl Default for git::History {
    fn default() -> Self {
        git::History::Unknown("history not read".into())
    }
}

impl Facts {
    /// Merge per-file facts (already sorted by path) into one value.
    pub fn merge(files: Vec<FileRecord>, per_file: Vec<Box<FileFacts>>) -> Facts {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Facts::merge_on(files, per_file, threads)
    }

    /// [`Facts::merge`], reading the deferred files' code ([`Deferred`])
    /// on `threads` threads.
    pub fn merge_on(
        mut files: Vec<FileRecord>,
        mut per_file: Vec<Box<FileFacts>>,
        threads: usize,
    ) -> Facts {
        let mut facts = Facts::default();
        let mut exported_clients = Vec::new();
        let mut imported_calls = Vec::new();
        let mut go_fields = Vec::new();
        let mut go_types = Vec::new();
        let mut client_defaults = Vec::new();
        let mut caller_boundable = Vec::new();
        let mut timed_calls = Vec::new();
        let mut providers = Vec::new();
        let mut shape_calls = Vec::new();
        // Scopes first: they decide which code facts the service has.
        // One pass over the files' facts for both: 20k boxes of 1 KB
        // each are read from memory, not cache, however little is taken.
        let mut hints = Vec::new();
        for f in per_file.iter_mut() {
            if let Some(m) = f.manifest.take() {
                facts.manifests.push(*m);
            }
            if let Some(h) = f.scope_hints.take() {
                hints.push((f.path.clone(), *h));
            }
        }
        let hints: std::collections::BTreeMap<String, scope::ScopeHints> =
            hints.into_iter().collect();
        scope::assign(&mut files, &facts.manifests, &hints, threads);
        // Both lists are sorted by path and every read file has its record:
        // one cursor walks the records alongside, where a map of 20k paths
        // cost a hash of each path twice, on the one thread that merges.
        let source_scopes: Vec<Option<Scope>> = {
            let mut records = files.iter().peekable();
            per_file
                .iter()
                .map(|f| {
                    while records.next_if(|r| r.path < f.path).is_some() {}
                    records
                        .peek()
                        .filter(|r| r.path == f.path && matches!(r.kind, FileKind::Source(_)))
                        .map(|r| r.scope)
                })
                .collect()
        };
        finish_all_deferred(
            per_file
                .iter_mut()
                .zip(&source_scopes)
                .filter(|(f, _)| f.deferred.is_some())
                .map(|(f, scope)| (&mut **f, scope.is_none_or(|s| s.in_service())))
                .collect(),
            threads,
        );
        // Each file's facts are taken out of its box, not moved: the emptied
        // boxes are freed on the merge's threads together ([`drop_on`]).
        for (f, source_scope) in per_file.iter_mut().zip(source_scopes) {
            // Code that never runs in the service (browser bundles, examples,
            // dev tooling) contributes no routes, calls or practices: a
            // browser `fetch` is not an outbound call of the service. Its
            // test markers still count.
            let unparsed = f.unparsed;
            let scoped_out = source_scope.is_some_and(|scope| !scope.in_service());
            if let Some(scope) = source_scope
                && !scope.in_service()
            {
                let tests = std::mem::take(&mut f.code.tests);
                f.code = code::CodeFacts {
                    tests,
                    ..Default::default()
                };
                *facts.scoped_out.entry(scope).or_default() += 1;
            }
            facts.pipelines.extend(f.pipeline.take().map(|p| *p));
            move_all(&mut facts.tasks, std::mem::take(&mut f.tasks));
            facts.deploy.extend(std::mem::take(&mut f.deploy));
            move_all(&mut facts.coverage_gates, std::mem::take(&mut f.coverage));
            facts.hygiene.extend(std::mem::take(&mut f.hygiene));
            facts.docs.extend(f.doc.take().map(|d| *d));
            move_all(&mut facts.routes, std::mem::take(&mut f.code.routes));
            move_all(&mut facts.outbound, std::mem::take(&mut f.code.outbound));
            move_all(
                &mut exported_clients,
                std::mem::take(&mut f.code.exported_clients),
            );
            move_all(
                &mut client_defaults,
                std::mem::take(&mut f.code.client_defaults),
            );
            move_all(
                &mut caller_boundable,
                std::mem::take(&mut f.code.caller_boundable),
            );
            move_all(&mut timed_calls, std::mem::take(&mut f.code.timed_calls));
            move_all(&mut providers, std::mem::take(&mut f.code.providers));
            move_all(&mut shape_calls, std::mem::take(&mut f.code.shape_calls));
            move_all(
                &mut imported_calls,
                std::mem::take(&mut f.code.imported_calls),
            );
            move_all(&mut go_fields, std::mem::take(&mut f.code.go_fields));
            move_all(&mut go_types, std::mem::take(&mut f.code.go_types));
            move_all(&mut facts.retries, std::mem::take(&mut f.code.retries));
            move_all(
                &mut facts.otel_inits,
                std::mem::take(&mut f.code.otel_inits),
            );
            move_all(&mut facts.tests, std::mem::take(&mut f.code.tests));
            move_all(&mut facts.practices, std::mem::take(&mut f.code.practices));
            move_all(&mut facts.pii_logs, std::mem::take(&mut f.code.pii_logs));
            if f.code.unparsed.is_some() {
                facts.unparsed.push(f.path.clone());
            }
            match unparsed {
                Some(Unparsed::Ci) => facts.unparsed_ci.push(f.path.clone()),
                Some(Unparsed::Manifest) => facts.unparsed_manifests.push(f.path.clone()),
                Some(Unparsed::LargeSource) if !scoped_out => {
                    facts.unread_large.push(f.path.clone())
                }
                Some(Unparsed::LargeSource) | None => {}
            }
            move_all(&mut facts.secrets, std::mem::take(&mut f.secrets));
            move_all(
                &mut facts.secret_exclusions,
                std::mem::take(&mut f.secret_exclusions),
            );
            move_all(
                &mut facts.insecure_defaults,
                std::mem::take(&mut f.insecure_defaults),
            );
            move_all(
                &mut facts.secret_managers,
                std::mem::take(&mut f.secret_managers),
            );
            facts.env_files.extend(f.env_file.take().map(|e| *e));
            facts.gitignores.extend(f.gitignore.take().map(|g| *g));
            move_all(&mut facts.allows, std::mem::take(&mut f.allows));
            if !f.contexts.is_empty() {
                let mut lines = std::mem::take(&mut f.contexts);
                // Sorted as [`Facts::context`] searches them (site lines
                // come sorted: this costs a pass).
                lines.sort_unstable_by_key(|&(line, _)| line);
                facts.contexts.insert(f.path.clone(), lines);
            }
            move_all(&mut facts.external_hosts, std::mem::take(&mut f.hosts));
            facts.postmortems.extend(f.postmortem.take().map(|p| *p));
            facts.flag_uses.extend(f.flag_use.take().map(|u| *u));
            move_all(&mut facts.pii_fields, std::mem::take(&mut f.pii));
            move_all(&mut facts.warnings, std::mem::take(&mut f.warnings));
        }
        drop_on(per_file, threads);
        exported_clients.extend(code::go_fields::resolve(&go_fields));
        let whole = code::go_types::resolve(&go_types);
        if !whole.is_empty() {
            facts.pii_logs.extend(whole);
            facts.pii_logs.sort_by(|a, b| a.location.cmp(&b.location));
        }
        let mut resolved = code::resolve_imported(&imported_calls, &exported_clients);
        facts.outbound.append(&mut resolved);
        facts
            .outbound
            .append(&mut code::shapes::resolve(&providers, &shape_calls));
        code::client_defaults::apply(&client_defaults, &mut facts.outbound);
        code::callers::apply(&caller_boundable, &timed_calls, &mut facts.outbound);
        facts.outbound.sort_by(|a, b| a.location.cmp(&b.location));
        let mut langs: Vec<Lang> = files
            .iter()
            .filter(|f| f.scope.in_service())
            .filter_map(|f| match f.kind {
                FileKind::Source(l) => Some(l),
                _ => None,
            })
            .collect();
        langs.sort();
        langs.dedup();
        facts.languages = langs;
        facts.paths = files.iter().map(|f| f.path.clone()).collect();
        facts.files = files;
        facts
    }

    /// Where a walked file runs, and why.
    pub fn scope_of(&self, path: &str) -> Option<(Scope, &str)> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| (self.files[i].scope, self.files[i].scope_reason.as_str()))
    }

    /// Whether the walk saw this path (repository-relative).
    pub fn has_file(&self, path: &str) -> bool {
        if self.paths.is_empty() {
            // Facts built by hand (tests) have no index.
            return self.files.iter().any(|f| f.path == path);
        }
        self.paths.contains(path)
    }

    /// Whether the repository holds any production source code at all.
    pub fn has_source(&self) -> bool {
        !self.languages.is_empty()
    }

    /// Whether a dependency with this exact name is declared in any manifest.
    pub fn dependency(&self, name: &str) -> Option<(&Manifest, &Dependency)> {
        self.manifests
            .iter()
            .find_map(|m| m.deps.iter().find(|d| d.name == name).map(|d| (m, d)))
    }

    /// The enclosing-code hash of a site, when its file was read.
    pub fn context(&self, loc: &Location) -> Option<u64> {
        let lines = self.contexts.get(loc.path.as_str())?;
        lines
            .binary_search_by_key(&loc.line, |&(line, _)| line)
            .ok()
            .map(|i| lines[i].1)
    }
}

/// Drop `items` on up to `threads` threads: freeing 20k emptied boxes of
/// per-file facts, each allocated by the walk's threads, was a tenth of the
/// merge, on the one thread that merges.
fn drop_on<T: Send>(mut items: Vec<T>, threads: usize) {
    if threads <= 1 || items.len() < 1024 {
        return; // dropped here
    }
    let share = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        while items.len() > share {
            let part = items.split_off(items.len() - share);
            scope.spawn(move || drop(part));
        }
        drop(items);
    });
}

/// `from`'s items appended to `into`, in order. Merging runs on one thread
/// over every file's facts, and most of a file's lists are empty: an empty
/// one costs a length check, and the first non-empty one is moved whole
/// rather than copied item by item.
#[inline]
pub(crate) fn move_all<T>(into: &mut Vec<T>, mut from: Vec<T>) {
    if from.is_empty() {
        return;
    }
    if into.is_empty() {
        *into = from;
    } else {
        into.append(&mut from);
    }
}

/// Sorted 0-based indices of the lines holding a match of `ac`, each with
/// the byte offset where the line starts: one pass of a literal automaton
/// over the file picks the lines worth a regex.
pub(crate) fn lines_matching(ac: &aho_corasick::AhoCorasick, text: &str) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let (mut line, mut line_start) = (0usize, 0usize);
    for m in ac.find_iter(text) {
        // Matches come in order: the line counter only moves forward.
        while let Some(nl) = text[line_start..m.start()].find('\n') {
            line += 1;
            line_start += nl + 1;
        }
        if lines.last().map(|l| l.0) != Some(line) {
            lines.push((line, line_start));
        }
    }
    lines
}

/// The line of `text` that starts at byte `start`, as [`str::lines`] reads
/// it: without its `\n`, or its `\r\n`.
pub(crate) fn line_from(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    match rest.find('\n') {
        Some(n) => {
            let line = &rest[..n];
            line.strip_suffix('\r').unwrap_or(line)
        }
        None => rest,
    }
}

/// The facts of a file too large to read, when a rule needs what it holds:
/// source code (the code rules), a CI file or a manifest. They say it was
/// not read, with a warning; other kinds (data, lockfiles, generated
/// config) are only counted.
pub fn too_large(record: &FileRecord) -> Option<FileFacts> {
    let message = format!(
        "over {} MiB, not read: the checks that need it are unknown",
        crate::walk::MAX_FILE_BYTES / (1024 * 1024)
    );
    let mut out = FileFacts {
        path: record.path.clone(),
        ..FileFacts::default()
    };
    match record.kind {
        FileKind::Source(_) if !record.is_test => out.unparsed = Some(Unparsed::LargeSource),
        FileKind::CiConfig => out.unparsed = Some(Unparsed::Ci),
        FileKind::Manifest(_) => out.unparsed = Some(Unparsed::Manifest),
        _ => return None,
    }
    out.warnings
        .push(Warning::new(record.path.as_str(), message));
    Some(out)
}

/// Extract the facts of one file. Runs on a walker thread.
pub fn extract(record: &FileRecord, text: &str) -> FileFacts {
    let mut out = FileFacts {
        path: record.path.clone(),
        ..FileFacts::default()
    };
    let path = record.path.as_str();
    match record.kind {
        FileKind::Manifest(kind) => match manifests::parse(path, kind, text) {
            Ok(m) => out.manifest = Some(Box::new(m)),
            Err(message) => {
                out.unparsed = Some(Unparsed::Manifest);
                out.warnings.push(Warning {
                    path: path.to_string().into(),
                    message: message.into(),
                })
            }
        },
        FileKind::CiConfig => match ci::parse(path, text) {
            Ok(p) => out.pipeline = p.map(Box::new),
            Err(message) => {
                out.unparsed = Some(Unparsed::Ci);
                out.warnings.push(Warning {
                    path: path.to_string().into(),
                    message: message.into(),
                })
            }
        },
        FileKind::TaskFile => out.tasks = tasks::parse(path, text),
        FileKind::Doc => {
            out.doc = docs::extract(path, text).map(Box::new);
            out.postmortem = operations::postmortem(path, text).map(Box::new);
        }
        FileKind::Source(lang) => {
            if defers_code(record, lang) {
                out.deferred = Some(Deferred {
                    lang,
                    text: text.to_string(),
                });
            } else {
                out.code = code::extract(path, lang, record.is_test, text);
            }
            if matches!(lang, Lang::JavaScript | Lang::TypeScript) {
                out.scope_hints = Some(Box::new(scope::hints(text)));
            }
            if lang == Lang::Go {
                out.scope_hints = Some(Box::new(scope::go_hints(text)));
            }
            if lang == Lang::Python {
                out.scope_hints = scope::python_hints(text).map(Box::new);
            }
            if let Some(message) = &out.code.unparsed {
                out.warnings.push(Warning {
                    path: path.to_string().into(),
                    message: message.clone().into(),
                });
            }
        }
        FileKind::EnvFile => out.env_file = Some(Box::new(secrets::env_file(path, text))),
        FileKind::GitIgnore => {
            out.gitignore = Some(Box::new(GitIgnore {
                path: path.to_string(),
                lines: text.lines().map(str::to_string).collect(),
            }))
        }
        _ => {}
    }
    if matches!(record.kind, FileKind::Config | FileKind::DeployConfig)
        || deploy::is_deploy_source(path)
    {
        let mut messages = Vec::new();
        out.deploy = deploy::extract(path, text, &mut messages);
        out.code.routes.append(&mut out.deploy.routes);
        out.warnings
            .extend(messages.into_iter().map(|message| Warning {
                path: path.to_string().into(),
                message: message.into(),
            }));
    }
    if record.kind == FileKind::Config {
        // Spring Boot Actuator's health route, enabled in a build file.
        out.code
            .routes
            .extend(code::frameworks::build_routes(path, text));
    }
    let name = crate::inventory::file_name(path);
    // Scope hints outside source: the Go module path, and the scripts a
    // Dockerfile HEALTHCHECK runs.
    if name == "go.mod" {
        out.scope_hints = Some(Box::new(scope::go_mod_hints(text)));
    } else if name.starts_with("Dockerfile")
        || name.ends_with(".dockerfile")
        || name == "Containerfile"
    {
        out.scope_hints = Some(Box::new(scope::dockerfile_hints(path, text)));
    }
    if coverage::is_coverage_config(name) {
        out.coverage = coverage::extract(path, text);
    }
    if hygiene::is_hygiene_file(path)
        || name == "package.json"
        || matches!(record.kind, FileKind::Config | FileKind::DeployConfig)
    {
        out.hygiene = hygiene::extract(path, text);
    }
    if record.kind == FileKind::Doc
        && let Some(m) = hygiene::slo_document(path, text)
    {
        out.hygiene.slos.push(m);
    }
    // Say what the objectives are, not only that they exist.
    if !out.hygiene.slos.is_empty() {
        let objectives = hygiene::slo_objectives(text);
        if !objectives.is_empty() {
            for m in &mut out.hygiene.slos {
                m.note = format!("{}: {}", m.note, objectives.join(", "));
            }
        }
    }
    // A GitLab CI file pulled in by `include: local` can have any name.
    if record.kind == FileKind::Config && ci::is_gitlab_fragment(path, text) {
        match ci::parse(path, text) {
            Ok(p) => out.pipeline = p.map(Box::new),
            Err(message) => {
                out.unparsed = Some(Unparsed::Ci);
                out.warnings.push(Warning {
                    path: path.to_string().into(),
                    message: message.into(),
                })
            }
        }
    }
    // Auto-instrumentation launchers live in deploy files and npm scripts.
    if matches!(
        record.kind,
        FileKind::DeployConfig | FileKind::Manifest(crate::inventory::ManifestKind::PackageJson)
    ) && let Some(init) = code::otel_launcher(path, text)
    {
        out.code.otel_inits.push(init);
    }
    if record.kind == FileKind::DeployConfig
        && let Some(p) = code::practices::deploy_practices(path, text)
    {
        out.code.practices.push(p);
    }
    if !matches!(record.kind, FileKind::Doc | FileKind::GitIgnore) {
        // One literal pass serves the secret scan, the integration scan
        // (hosts and personal data in production source) and the flag SDK
        // scan (a file naming no SDK package imports none).
        let (found, shared) = secrets::scan_shared(path, record.kind, record.is_test, text);
        if matches!(record.kind, FileKind::Source(_)) && !record.is_test {
            (out.hosts, out.pii) = integrations::scan_lines(path, text, &shared.integration_lines);
            if shared.names_flag_sdk {
                out.flag_use = operations::flag_import(path, text).map(Box::new);
            }
        }
        out.secrets = found.candidates;
        out.secret_exclusions = found.excluded;
        out.insecure_defaults = found.defaults;
        out.secret_managers = found.managers;
    }
    // Documents hold no findings (they are not scanned for secrets or
    // code), so a marker there is an example of the syntax, not a waiver.
    if record.kind != FileKind::Doc {
        out.allows = inline_allows(path, text);
    }
    if out.deferred.is_none() {
        out.contexts = context::of_sites(text, &site_lines(&out));
    }
    out
}

/// Whether a file's code facts wait for its scope ([`Deferred`]): JS/TS
/// and Python production code that its path alone does not place (those outside the
/// service are never read for code: [`code::extract`]). A Checkly check is
/// not deferred: it holds deploy routes too.
fn defers_code(record: &FileRecord, lang: Lang) -> bool {
    matches!(lang, Lang::JavaScript | Lang::TypeScript | Lang::Python)
        && !record.is_test
        && !deploy::is_deploy_source(&record.path)
}

/// The code facts of a deferred file, now that its scope is known: read
/// when it runs in the service, empty otherwise (merging would drop them);
/// then the enclosing-code hashes of its site lines, as [`extract`] does.
pub(crate) fn finish_deferred(f: &mut FileFacts, in_service: bool) {
    let Some(Deferred { lang, text }) = f.deferred.take() else {
        return;
    };
    if in_service {
        let path = f.path.as_str();
        match crate::isolation::catch(|| code::extract(path, lang, false, &text)) {
            Ok(code) => {
                if let Some(message) = &code.unparsed {
                    f.warnings.push(Warning {
                        path: path.to_string().into(),
                        message: message.clone().into(),
                    });
                }
                f.code = code;
            }
            Err(e) => {
                let message =
                    format!("internal error while reading this file (please report): {e}");
                f.code = code::CodeFacts {
                    unparsed: Some(message.clone()),
                    ..code::CodeFacts::default()
                };
                f.warnings.push(Warning::new(path, message));
            }
        }
    }
    f.contexts = context::of_sites(&text, &site_lines(f));
}

/// [`finish_deferred`] over every deferred file, on `threads` threads: the
/// code of a service's JS/TS and Python files is most of a scan's work, and it runs
/// after the walk, so every thread must stay busy to the end. Each thread
/// takes the next files from one queue, the longest files first (a file read
/// for the service costs about its length; one outside it almost nothing):
/// shares fixed in advance left one thread with a few large files while the
/// other waited (documenso: 140 ms on one thread, 96 ms on two).
fn finish_all_deferred(jobs: Vec<(&mut FileFacts, bool)>, threads: usize) {
    if jobs.is_empty() {
        return;
    }
    let cost = |(f, in_service): &(&mut FileFacts, bool)| {
        let len = f.deferred.as_ref().map_or(0, |d| d.text.len());
        if *in_service { len } else { len / 64 }
    };
    let mut jobs: Vec<(usize, (&mut FileFacts, bool))> =
        jobs.into_iter().map(|job| (cost(&job) + 1, job)).collect();
    jobs.sort_by_key(|(cost, _)| std::cmp::Reverse(*cost));
    let threads = threads.clamp(1, jobs.len());
    let left: usize = jobs.iter().map(|(cost, _)| cost).sum();
    let queue = std::sync::Mutex::new((left, jobs.into_iter()));
    let work = || {
        let mut taken = Vec::new();
        loop {
            // The lock is held only to take the next jobs: about a quarter
            // of a thread's share of the work left (guided scheduling, by
            // cost), so 10k small files do not hand the lock back and forth
            // 10k times (the threads queued on it and this ran on little
            // more than one), while the large files at the head of the
            // queue still go one at a time.
            {
                let mut queue = queue.lock().expect("deferred queue");
                let (left, jobs) = &mut *queue;
                let share = *left / (4 * threads);
                let mut got = 0;
                while got < share.max(1) {
                    let Some((cost, job)) = jobs.next() else {
                        break;
                    };
                    got += cost;
                    taken.push(job);
                }
                *left -= got;
            }
            if taken.is_empty() {
                break;
            }
            for (f, in_service) in taken.drain(..) {
                finish_deferred(f, in_service);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
}

/// The lines of a file where a rule can report a site: calls, retries,
/// logs, secrets and fallbacks (the per-site rules' facts).
fn site_lines(out: &FileFacts) -> Vec<u32> {
    let mut lines: Vec<u32> = out
        .code
        .outbound
        .iter()
        .map(|c| c.location.line)
        .chain(out.code.imported_calls.iter().map(|c| c.location.line))
        .chain(out.code.retries.iter().map(|r| r.location.line))
        .chain(out.code.pii_logs.iter().map(|p| p.location.line))
        .chain(out.secrets.iter().map(|s| s.location.line))
        .chain(out.insecure_defaults.iter().map(|d| d.location.line))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// Inline suppressions: `graduate:allow RULE reason…` anywhere on a line
/// (in whatever comment syntax the file uses). It covers its own line and
/// the next one, so it can sit above the offending line.
fn inline_allows(path: &str, text: &str) -> Vec<InlineAllow> {
    const MARK: &str = "graduate:allow";
    if !text.contains(MARK) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let rest = &line[line.find(MARK)? + MARK.len()..];
            let t = crate::waivers::parse_inline(rest)?;
            Some(InlineAllow {
                location: Location::new(path, i as u32 + 1),
                rule: t.rule,
                reason: t.reason,
                owner: t.owner,
                expires: t.expires,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file through [`extract`], then merged, as a scan does.
    fn scan(files: &[(&str, &str)], threads: usize) -> Facts {
        let mut records: Vec<FileRecord> = Vec::new();
        let mut per_file = Vec::new();
        for (path, text) in files {
            let record = crate::walk::file_record(path.to_string());
            per_file.push(Box::new(extract(&record, text)));
            records.push(record);
        }
        records.sort_by(|a, b| a.path.cmp(&b.path));
        per_file.sort_by(|a, b| a.path.cmp(&b.path));
        Facts::merge_on(records, per_file, threads)
    }

    #[test]
    fn js_code_is_read_once_its_scope_says_it_runs_in_the_service() {
        let call =
            "const axios = require('axios');\nasync function f() {\n  await axios.get(url);\n}\n";
        let files = [
            (
                "web/package.json",
                r#"{"dependencies": {"react": "18", "vite": "5", "axios": "1"}}"#,
            ),
            ("web/src/api.js", call),
            (
                "api/package.json",
                r#"{"dependencies": {"express": "4", "axios": "1"}}"#,
            ),
            ("api/src/client.js", call),
            // Does not parse: said so only where the service runs it.
            (
                "api/src/broken.js",
                "const axios = require('axios');\nconst re = /[/;\nfunction f( { axios.get(u) \n",
            ),
            (
                "web/src/broken.js",
                "const axios = require('axios');\nconst re = /[/;\nfunction f( { axios.get(u) \n",
            ),
        ];
        // The walker leaves JS/TS code for later.
        let record = crate::walk::file_record("web/src/api.js".into());
        let early = extract(&record, call);
        assert!(early.deferred.is_some() && early.code.outbound.is_empty());
        for threads in [1, 2, 3] {
            let facts = scan(&files, threads);
            let calls: Vec<(&str, u32)> = facts
                .outbound
                .iter()
                .map(|c| (c.location.path.as_str(), c.location.line))
                .collect();
            assert_eq!(calls, [("api/src/client.js", 3)], "{threads} threads");
            assert_eq!(facts.unparsed, ["api/src/broken.js"]);
            let warned: Vec<&str> = facts.warnings.iter().map(|w| w.path.as_str()).collect();
            assert_eq!(warned, ["api/src/broken.js"]);
            // The site's enclosing-code hash is there for its fingerprint.
            assert!(
                facts
                    .context(&Location::new("api/src/client.js", 3))
                    .is_some()
            );
            assert_eq!(facts.scoped_out.get(&Scope::Browser), Some(&2));
        }
    }

    /// Deferred files of every size are each read once, whatever the number
    /// of threads taking them from the queue (more threads than files too).
    #[test]
    fn every_deferred_file_is_read_once_on_any_number_of_threads() {
        let mut owned = vec![(
            "api/package.json".to_string(),
            r#"{"dependencies": {"express": "4", "axios": "1"}}"#.to_string(),
        )];
        for i in 0..23 {
            // File i holds i + 1 timeout-less calls, one per function.
            let body: String = (0..=i)
                .map(|n| format!("async function f{n}() {{\n  await axios.get(u{n});\n}}\n"))
                .collect();
            owned.push((
                format!("api/src/f{i:02}.js"),
                format!("const axios = require('axios');\n{body}"),
            ));
        }
        let files: Vec<(&str, &str)> = owned
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let want: Vec<(String, u32)> = (0..23)
            .flat_map(|i| (0..=i).map(move |n| (format!("api/src/f{i:02}.js"), 3 + 3 * n)))
            .collect();
        for threads in [1, 2, 4, 64] {
            let facts = scan(&files, threads);
            let calls: Vec<(String, u32)> = facts
                .outbound
                .iter()
                .map(|c| (c.location.path.to_string(), c.location.line))
                .collect();
            assert_eq!(calls, want, "{threads} threads");
        }
    }

    /// Merging moves lists whole or appends them, in order, empty ones
    /// included anywhere.
    #[test]
    fn move_all_keeps_every_item_in_order() {
        let mut into: Vec<u32> = Vec::new();
        for from in [vec![], vec![1, 2], vec![], vec![3], vec![4, 5]] {
            move_all(&mut into, from);
        }
        assert_eq!(into, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn inline_allow_reads_rule_and_reason() {
        let allows = inline_allows(
            "a.js",
            "x\n// graduate:allow hardcoded-secret test key for the sandbox */\n",
        );
        assert_eq!(allows.len(), 1);
        assert_eq!(allows[0].rule, "hardcoded-secret");
        assert_eq!(
            allows[0].reason.as_deref(),
            Some("test key for the sandbox")
        );
        assert_eq!(allows[0].location.line, 2);
    }
}
