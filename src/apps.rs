//! Apps: which folders of a repository are apps to score, which are
//! libraries to list, and the facts each app is scored on.
//!
//! A monorepo is several apps with different standings: in
//! `fixtures/monorepo-two-pipelines` the API's CI runs its tests and the web
//! app's `npm test` is npm's placeholder. Scored as one, the repository
//! passed tests-in-ci on the API's tests. So each folder holding a manifest
//! (package.json, pyproject.toml, requirements.txt, Pipfile, go.mod,
//! Cargo.toml, pom.xml, build.gradle) is a candidate; it is an **app** when
//! it shows a server (routes, a server framework), a worker (a queue or
//! workflow library) or a deployment (a Dockerfile, fly/vercel/render/App
//! Engine config, a compose service named after it). A candidate with no
//! such signal is a **library** (listed, not scored), and one that holds
//! other candidates is a **workspace root** (npm/pnpm/yarn workspaces, uv,
//! poetry, go.work, a Cargo workspace), whose files are repository-wide.
//! A repository where no folder shows a signal, but which holds code, is
//! one app at `.` as before.
//!
//! An app is scored on a view of the facts ([`view`]): what lies under its
//! root and no deeper candidate (its code, manifests, env files), plus the
//! repository-wide facts that apply to it, from its own root or from the
//! folders above it (root `.gitignore`, CODEOWNERS, runbook and SLO
//! documents, CI pipelines, deployment files, a compose healthcheck on the
//! service named after it). CI steps count for it when they point at it
//! (working directory, `cd`, `--prefix`, `-w`/`--workspace`, the scripts
//! they run) or at no folder at all (a root job tests the whole repository).

use std::collections::{BTreeSet, HashMap};

use crate::facts::{Facts, FileKind};
use crate::inventory::{dir_of, file_name};
use crate::report::Library;
use crate::resolve::{Derived, under};
use crate::safe_text::SafeText;
use crate::score::{AppInput, Apps};

/// `rules/apps.toml`: worker packages and deploy files.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AppTable {
    worker: Vec<WorkerRow>,
    deploy_file: Vec<DeployFileRow>,
}

/// A queue consumer, scheduler or workflow worker, by package name.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerRow {
    pub package: String,
    pub ecosystem: String,
}

/// A file whose presence in a folder says it is deployed.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployFileRow {
    pub name: String,
    pub no_match: String,
}

static TABLE: std::sync::LazyLock<AppTable> = std::sync::LazyLock::new(|| {
    toml::from_str(include_str!("../rules/apps.toml"))
        .unwrap_or_else(|e| panic!("rules/apps.toml: {e}"))
});

/// The worker rows (for the table test).
pub fn worker_rows() -> &'static [WorkerRow] {
    &TABLE.worker
}

/// The deploy file rows (for the table test).
pub fn deploy_file_rows() -> &'static [DeployFileRow] {
    &TABLE.deploy_file
}

/// A folder under one named in `[not_apps]` of `rules/folders.toml`
/// (`examples/`, `fixtures/`, `node_modules/` …): no app of the repository.
pub fn outside_apps(dir: &str) -> bool {
    dir.split('/').any(crate::inventory::not_app_folder)
}

fn root_name(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.to_string()
    }
}

/// A folder with a manifest.
struct Candidate {
    /// Repository-relative, "" for the root.
    dir: String,
    manifests: Vec<String>,
    stack: BTreeSet<String>,
    signals: Vec<String>,
}

/// The deepest candidate folder holding `path`, among `dirs`.
fn owner<'a>(dirs: &'a [&'a str], path: &str) -> Option<&'a str> {
    dirs.iter()
        .copied()
        .filter(|d| d.is_empty() || under(path, d))
        .max_by_key(|d| d.len())
}

/// [`owner`] through the path's own ancestors instead of every owner: a view
/// is built per app over every file, so a monorepo of 1,250 services made
/// 1,250 x 20,000 x 1,250 prefix tests (minutes; scripts/bench.sh's copies
/// tree never finished). Same answer: the deepest owner that is the path,
/// one of its folders, or the root.
struct OwnerIndex<'a> {
    owners: &'a [&'a str],
    /// Seeded foldhash: a folder name is hashed once per path segment of
    /// every fact asked about, where SipHash cost more than the lookup; the
    /// names are the repository's, so an unseeded hash (FxHash) would let a
    /// hostile tree choose colliding folders and make every lookup linear.
    set: foldhash::HashSet<&'a str>,
    /// `.` holds every path at the length of a one-letter folder: the
    /// linear search keeps its tie-break.
    dot: bool,
}

impl<'a> OwnerIndex<'a> {
    fn new(owners: &'a [&'a str]) -> Self {
        OwnerIndex {
            owners,
            set: owners.iter().copied().collect(),
            dot: owners.contains(&"."),
        }
    }

    fn owner(&self, path: &str) -> Option<&'a str> {
        if self.dot {
            return owner(self.owners, path);
        }
        if let Some(o) = self.set.get(path) {
            return Some(o);
        }
        let mut end = path.len();
        // A byte scan: `rfind`'s char searcher cost more than the lookups.
        while let Some(i) = path.as_bytes()[..end].iter().rposition(|&b| b == b'/') {
            if let Some(o) = self.set.get(&path[..i]) {
                return Some(o);
            }
            end = i;
        }
        self.set.get("").copied()
    }
}

/// Who owns what, computed once per scan and remembered per fact: each
/// app's view asks about every fact of the repository, so asking every
/// owner folder each time was apps × facts × owners (a 1,250-service
/// monorepo took minutes). Files are resolved once in `facts.files` order;
/// any other path is remembered by its address, and a hit is checked
/// against the text, so a reused address can never give a wrong owner (the
/// owner depends only on the text).
struct Ownership<'a> {
    index: OwnerIndex<'a>,
    seen: std::sync::Mutex<Seen<'a>>,
    buckets: std::sync::Mutex<Buckets<'a>>,
}

/// For each list of facts (by its item type and address), the indices of
/// its items by owner, computed on the first app's view and reused by every
/// other. The type is part of the key: two empty lists share an address.
/// Views are built on several threads: each takes its own handle.
type Buckets<'a> = std::collections::HashMap<
    (std::any::TypeId, usize),
    std::sync::Arc<foldhash::HashMap<Option<&'a str>, Vec<usize>>>,
>;

/// Path address → (the path's text, its owner).
type Seen<'a> = std::collections::HashMap<
    usize,
    (Box<str>, Option<&'a str>),
    std::hash::BuildHasherDefault<AddressHasher>,
>;

/// A hasher for addresses: one multiply, no SipHash over path bytes.
#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

impl<'a> Ownership<'a> {
    fn new(owners: &'a [&'a str]) -> Self {
        Ownership {
            index: OwnerIndex::new(owners),
            seen: Default::default(),
            buckets: Default::default(),
        }
    }

    /// The items of `items` (a list of the repository's facts) whose owner
    /// is one of `wanted`, in their order.
    fn pick<T: Clone + 'static>(
        &self,
        items: &[T],
        path: impl Fn(&T) -> &str,
        wanted: &[Option<&'a str>],
    ) -> Vec<T> {
        self.indices(items, path, wanted)
            .into_iter()
            .map(|i| items[i].clone())
            .collect()
    }

    /// The positions in `items` of those [`Ownership::pick`] keeps.
    fn indices<T: 'static>(
        &self,
        items: &[T],
        path: impl Fn(&T) -> &str,
        wanted: &[Option<&'a str>],
    ) -> Vec<usize> {
        let key = (std::any::TypeId::of::<T>(), items.as_ptr() as usize);
        let by_owner = {
            let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
            std::sync::Arc::clone(buckets.entry(key).or_insert_with(|| {
                let mut m: foldhash::HashMap<Option<&'a str>, Vec<usize>> = Default::default();
                for (i, x) in items.iter().enumerate() {
                    m.entry(self.index.owner(path(x))).or_default().push(i);
                }
                std::sync::Arc::new(m)
            }))
        };
        let mut at: Vec<usize> = wanted
            .iter()
            .filter_map(|o| by_owner.get(o))
            .flatten()
            .copied()
            .collect();
        at.sort_unstable();
        at.dedup();
        at
    }

    fn owner(&self, path: &str) -> Option<&'a str> {
        let key = path.as_ptr() as usize;
        let seen = || self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((text, o)) = seen().get(&key)
            && **text == *path
        {
            return *o;
        }
        let o = self.index.owner(path);
        seen().insert(key, (path.into(), o));
        o
    }
}

/// Find the apps and libraries of the repository, with each app's facts.
pub fn discover(facts: &Facts) -> Apps {
    discover_on(facts, 1)
}

/// [`discover`], building the apps' views on up to `threads` threads: each
/// is a copy of its share of the repository's facts, and a monorepo of
/// 1,250 services spent 100 ms copying them on one thread.
pub fn discover_on(facts: &Facts, threads: usize) -> Apps {
    if crate::score::no_app(facts).is_some() {
        return Apps::default();
    }
    let mut candidates = candidates(facts);
    signals(facts, &mut candidates);
    // Candidates are sorted by folder, so the folders under `a/` sit
    // together right after `a/` would.
    let dirs: Vec<&str> = candidates.iter().map(|c| c.dir.as_str()).collect();
    // A candidate that holds others without a signal of its own is a
    // workspace root: its files are the repository's, not a library's.
    let holds_others = |c: &Candidate| {
        if c.dir.is_empty() {
            return dirs.len() > 1;
        }
        let prefix = format!("{}/", c.dir);
        let at = dirs.partition_point(|d| *d < prefix.as_str());
        dirs.get(at).is_some_and(|d| d.starts_with(&prefix))
    };
    let apps: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !c.signals.is_empty())
        .collect();
    let libraries: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.signals.is_empty() && !holds_others(c))
        .collect();
    if apps.is_empty() {
        // Code, but no folder says server, worker or deployment: the
        // repository is one app, as it always was.
        return Apps {
            apps: vec![AppInput {
                root: ".".into(),
                name: ".".into(),
                stack: candidates
                    .iter()
                    .flat_map(|c| c.stack.iter().cloned())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                signals: Vec::new(),
                facts: None,
            }],
            libraries: Vec::new(),
            none_in: None,
        };
    }
    // Owners are the apps. Code no app holds (a library, jobs at the root)
    // must not drop out of the report: the repository's root is then an
    // app too, holding it, so every finding stays scored somewhere.
    let mut owners: Vec<&str> = apps.iter().map(|c| c.dir.as_str()).collect();
    let orphans = {
        let index = OwnerIndex::new(&owners);
        facts
            .files
            .iter()
            .filter(|f| f.scope.in_service() && matches!(f.kind, FileKind::Source(_)))
            .filter(|f| index.owner(&f.path).is_none())
            .count()
    };
    let root_app = orphans > 0 && !owners.contains(&"");
    if root_app {
        owners.insert(0, "");
    }
    let whole = owners == [""];
    let ownership = Ownership::new(&owners);
    // Every view at once, in the apps' order: the root's first, if any.
    let roots: Vec<&str> = root_app
        .then_some("")
        .into_iter()
        .chain(apps.iter().map(|c| c.dir.as_str()))
        .collect();
    let mut views = if whole {
        Vec::new()
    } else {
        crate::in_order::in_order(&roots, threads, |root| view(facts, root, &ownership, &[]))
    }
    .into_iter();
    let mut app_inputs: Vec<AppInput> = Vec::new();
    if root_app {
        app_inputs.push(AppInput {
            root: ".".into(),
            name: ".".into(),
            stack: candidates
                .iter()
                .filter(|c| c.signals.is_empty())
                .flat_map(|c| c.stack.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            signals: vec![format!(
                "{orphans} source file(s) outside the other apps (libraries, jobs, tools)"
            )],
            facts: views.next(),
        });
    }
    app_inputs.extend(apps.iter().map(|c| AppInput {
        root: root_name(&c.dir),
        name: if c.dir.is_empty() {
            ".".into()
        } else {
            file_name(&c.dir).to_string()
        },
        stack: c.stack.iter().cloned().collect(),
        signals: c.signals.clone(),
        facts: views.next(),
    }));
    Apps {
        apps: app_inputs,
        libraries: libraries
            .iter()
            .map(|c| Library {
                root: SafeText::new(&root_name(&c.dir)),
                name: SafeText::new(if c.dir.is_empty() {
                    "."
                } else {
                    file_name(&c.dir)
                }),
                stack: c.stack.iter().cloned().collect(),
                manifest: SafeText::new(c.manifests.first().map_or("", String::as_str)),
            })
            .collect(),
        none_in: None,
    }
}

/// Every folder holding a dependency manifest, outside dependencies,
/// examples and fixtures.
fn candidates(facts: &Facts) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let java = facts.files.iter().map(|f| f.path.as_str()).filter(|p| {
        matches!(
            file_name(p),
            "pom.xml" | "build.gradle" | "build.gradle.kts"
        )
    });
    let manifests = facts
        .manifests
        .iter()
        .map(|m| m.path.as_str())
        .chain(facts.unparsed_manifests.iter().map(String::as_str))
        .chain(java);
    for path in manifests {
        let dir = dir_of(path);
        if outside_apps(dir) {
            continue;
        }
        match at.get(dir) {
            Some(&i) => out[i].manifests.push(path.to_string()),
            None => {
                at.insert(dir, out.len());
                out.push(Candidate {
                    dir: dir.to_string(),
                    manifests: vec![path.to_string()],
                    stack: BTreeSet::new(),
                    signals: Vec::new(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.dir.cmp(&b.dir));
    out
}

/// Fill each candidate's stack and its server, worker and deploy signals,
/// from what lies under it and no deeper candidate.
fn signals(facts: &Facts, candidates: &mut [Candidate]) {
    let dirs: Vec<String> = candidates.iter().map(|c| c.dir.clone()).collect();
    let dirs: Vec<&str> = dirs.iter().map(String::as_str).collect();
    let index = OwnerIndex::new(&dirs);
    // Each fact once, to the candidate that holds it (a monorepo of 1,250
    // services asked every candidate about every file: 25 million tests).
    let mut held: HashMap<&str, Vec<&crate::facts::FileRecord>> = HashMap::new();
    // Deploy files by the folder they sit in (they say that folder is
    // deployed, whoever holds it).
    let mut deployed: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in &facts.files {
        if let Some(o) = index.owner(&f.path) {
            held.entry(o).or_default().push(f);
        }
        let name = file_name(&f.path);
        if TABLE.deploy_file.iter().any(|r| r.name == name) {
            deployed.entry(dir_of(&f.path)).or_default().push(&f.path);
        }
    }
    // The first route of each candidate, in the facts' order.
    let mut first_route: HashMap<&str, &crate::facts::code::HttpRoute> = HashMap::new();
    for r in &facts.routes {
        if let Some(o) = index.owner(&r.location.path) {
            first_route.entry(o).or_insert(r);
        }
    }
    let manifests: HashMap<&str, &crate::facts::manifests::Manifest> = facts
        .manifests
        .iter()
        .rev()
        .map(|m| (m.path.as_str(), m))
        .collect();
    // The first building compose service of each name.
    let mut compose: HashMap<&str, Vec<&crate::facts::deploy::ComposeService>> = HashMap::new();
    for s in facts.deploy.compose_services.iter().filter(|s| s.builds) {
        compose.entry(s.name.as_str()).or_default().push(s);
    }
    for c in candidates.iter_mut() {
        let dir = c.dir.clone();
        let owned = |path: &str| index.owner(path) == Some(dir.as_str());
        let mut langs = Vec::new();
        for f in held.get(dir.as_str()).into_iter().flatten() {
            if let FileKind::Source(lang) = f.kind
                && f.scope.in_service()
                && !langs.contains(&lang)
            {
                langs.push(lang);
            }
            if f.path.ends_with("pom.xml") || f.path.contains("build.gradle") {
                c.stack.insert("java".into());
            }
        }
        for lang in langs {
            c.stack.insert(format!("{lang:?}").to_ascii_lowercase());
        }
        // The candidate's manifests in the facts' order (a path is listed
        // once per candidate; the facts hold each manifest once).
        let mut mine: Vec<&crate::facts::manifests::Manifest> = c
            .manifests
            .iter()
            .filter_map(|p| manifests.get(p.as_str()).copied())
            .collect();
        mine.sort_by_key(|m| std::ptr::from_ref(*m) as usize);
        mine.dedup_by_key(|m| std::ptr::from_ref(*m) as usize);
        for m in mine {
            for d in &m.deps {
                if !d.dev && crate::facts::code::frameworks::is_server_package(&d.name) {
                    c.stack.insert(d.name.clone());
                    c.signals
                        .push(format!("serves HTTP: {} ({})", d.name, m.path));
                }
                if !d.dev && TABLE.worker.iter().any(|w| w.package == d.name) {
                    c.stack.insert(d.name.clone());
                    c.signals.push(format!("worker: {} ({})", d.name, m.path));
                }
            }
        }
        if let Some(r) = first_route.get(dir.as_str()) {
            c.signals.push(format!(
                "serves HTTP: {} route at {}:{}",
                r.framework, r.location.path, r.location.line
            ));
        }
        for f in deployed.get(dir.as_str()).into_iter().flatten() {
            c.signals.push(format!("deployed: {f}"));
        }
        // A root compose file naming the folder's service.
        let name = file_name(&c.dir);
        if !c.dir.is_empty()
            && let Some(s) = compose
                .get(name)
                .into_iter()
                .flatten()
                .find(|s| !owned(&s.file))
        {
            c.signals.push(format!(
                "deployed: service `{}` at {}:{}",
                s.name, s.file, s.line
            ));
        }
        c.signals.sort();
        c.signals.dedup();
    }
}

/// The facts the app at `root` is scored on. `owners` are the roots of all
/// apps and libraries (`libraries` those of the libraries): a fact belongs
/// to the deepest one holding it.
/// * its own: under `root` and no deeper owner (code, manifests, tests);
/// * shared: its own, or held by no owner, by an owner above it or by a
///   library (CI, docs, `.gitignore`, CODEOWNERS, deployment files, secrets
///   and env files of the repository: a key at the root leaks every app's,
///   and an `infra/` CDK package that declares the budget is no app's own).
fn view(facts: &Facts, root: &str, ownership: &Ownership, libraries: &[&str]) -> Facts {
    let shared_owner = |o: Option<&str>| match o {
        None => true,
        Some(o) => o == root || o.is_empty() || under(root, o) || libraries.contains(&o),
    };
    let own = |p: &str| ownership.owner(p) == Some(root);
    let shared = |p: &str| shared_owner(ownership.owner(p));
    // The owners whose facts this app reads: its own, and (shared) those
    // above it, the repository's and the libraries', and no owner at all.
    // Looked up by the root's own folders (the owners `shared_owner` keeps),
    // not by testing every owner: that was apps x owners string tests, a
    // sixth of the views' time on 1,250 services.
    let owner_named = |dir: &str| ownership.index.set.get(dir).copied();
    let mine: Vec<Option<&str>> = owner_named(root).map(Some).into_iter().collect();
    let ancestors = root
        .match_indices('/')
        .map(|(i, _)| &root[..i])
        .chain([root, "", "."]);
    let common: Vec<Option<&str>> = std::iter::once(None)
        .chain(
            ancestors
                .chain(libraries.iter().copied())
                .filter_map(owner_named)
                .map(Some),
        )
        .collect();

    let name = file_name(root);
    let mut v = Facts {
        files: ownership.pick(&facts.files, |f| f.path.as_str(), &common),
        manifests: ownership.pick(&facts.manifests, |m| m.path.as_str(), &mine),
        pipelines: ownership.pick(&facts.pipelines, |p| p.path.as_str(), &common),
        tasks: ownership.pick(&facts.tasks, |t| t.file.as_str(), &common),
        coverage_gates: ownership.pick(&facts.coverage_gates, |g| g.location.path.as_str(), &mine),
        docs: ownership.pick(&facts.docs, |d| d.path.as_str(), &common),
        routes: ownership.pick(&facts.routes, |r| r.location.path.as_str(), &mine),
        outbound: ownership.pick(&facts.outbound, |r| r.location.path.as_str(), &mine),
        retries: ownership.pick(&facts.retries, |r| r.location.path.as_str(), &mine),
        otel_inits: ownership.pick(&facts.otel_inits, |r| r.location.path.as_str(), &mine),
        tests: ownership.pick(&facts.tests, |r| r.location.path.as_str(), &mine),
        practices: ownership.pick(&facts.practices, |r| r.location.path.as_str(), &mine),
        pii_logs: ownership.pick(&facts.pii_logs, |r| r.location.path.as_str(), &mine),
        secrets: ownership.pick(&facts.secrets, |r| r.location.path.as_str(), &common),
        secret_exclusions: ownership.pick(
            &facts.secret_exclusions,
            |r| r.location.path.as_str(),
            &common,
        ),
        insecure_defaults: ownership.pick(
            &facts.insecure_defaults,
            |r| r.location.path.as_str(),
            &common,
        ),
        secret_managers: ownership.pick(
            &facts.secret_managers,
            |r| r.location.path.as_str(),
            &mine,
        ),
        env_files: ownership.pick(&facts.env_files, |e| e.path.as_str(), &common),
        gitignores: ownership.pick(&facts.gitignores, |g| g.path.as_str(), &common),
        tracked_env_files: facts
            .tracked_env_files
            .as_ref()
            .map(|t| t.iter().filter(|p| shared(p)).cloned().collect()),
        allows: ownership.pick(&facts.allows, |a| a.location.path.as_str(), &common),
        // No rule reads the warnings (the report takes the repository's).
        unparsed: ownership.pick(&facts.unparsed, |p| p.as_str(), &mine),
        unread_large: ownership.pick(&facts.unread_large, |p| p.as_str(), &mine),
        unparsed_ci: ownership.pick(&facts.unparsed_ci, |p| p.as_str(), &common),
        unparsed_manifests: ownership.pick(&facts.unparsed_manifests, |p| p.as_str(), &mine),
        ci_deploys: facts.ci_deploys.clone(),
        external_hosts: ownership.pick(&facts.external_hosts, |h| h.location.path.as_str(), &mine),
        pii_fields: ownership.pick(&facts.pii_fields, |h| h.location.path.as_str(), &mine),
        postmortems: ownership.pick(&facts.postmortems, |p| p.path.as_str(), &common),
        flag_uses: ownership.pick(&facts.flag_uses, |f| f.location.path.as_str(), &mine),
        // Graduation pressure reads the repository's history once; no rule
        // reads it, so a view does not copy thousands of commits per app.
        history: crate::facts::git::History::Unknown("read once for the repository".into()),
        scoped_out: facts.scoped_out.clone(),
        ..Facts::default()
    };
    // Picked from the repository's lists (each split by owner once), not
    // cloned whole for every app and then filtered.
    let marks = |list: &[crate::facts::hygiene::Marker]| {
        ownership.pick(list, |m| m.location.path.as_str(), &common)
    };
    v.hygiene = crate::facts::hygiene::HygieneFacts {
        dependency_updates: marks(&facts.hygiene.dependency_updates),
        codeowners: marks(&facts.hygiene.codeowners),
        alert_rules: marks(&facts.hygiene.alert_rules),
        slos: marks(&facts.hygiene.slos),
    };
    // A compose file above the app deploys it when one of its services is
    // named after it (`api:` for `api/`); the database beside it is not a
    // deployment of the web app.
    let names_app = |file: &str| {
        facts
            .deploy
            .compose_services
            .iter()
            .any(|s| s.file == file && s.name == name)
    };
    let d = &facts.deploy;
    v.deploy = crate::facts::deploy::DeployFacts {
        targets: ownership
            .pick(&d.targets, |t| t.location.path.as_str(), &common)
            .into_iter()
            .filter(|t| {
                own(&t.location.path) || t.platform != "compose" || names_app(&t.location.path)
            })
            .collect(),
        scaling: ownership.pick(&d.scaling, |t| t.location.path.as_str(), &common),
        budgets: ownership.pick(&d.budgets, |t| t.location.path.as_str(), &common),
        // A probe outside the app counts when it names the app's service.
        probes: ownership
            .pick(&d.probes, |p| p.location.path.as_str(), &common)
            .into_iter()
            .filter(|p| own(&p.location.path) || p.target == name)
            .collect(),
        compose_services: ownership.pick(&d.compose_services, |s| s.file.as_str(), &common),
        routes: d.routes.clone(),
    };
    let mut langs: Vec<_> = ownership
        .indices(&facts.files, |f| f.path.as_str(), &mine)
        .into_iter()
        .map(|i| &facts.files[i])
        .filter(|f| f.scope.in_service())
        .filter_map(|f| match f.kind {
            FileKind::Source(l) => Some(l),
            _ => None,
        })
        .collect();
    langs.sort();
    langs.dedup();
    v.languages = langs;
    v.paths = v.files.iter().map(|f| f.path.clone()).collect();
    // The enclosing-code hashes of the files the app reads: its findings
    // are identified by their code, as a lone app's are (without them every
    // finding of a monorepo's app was identified by its message, so alike
    // calls in different functions were told apart only by their order).
    v.contexts = v
        .files
        .iter()
        .filter_map(|f| facts.contexts.get_key_value(f.path.as_str()))
        .map(|(path, lines)| (path.clone(), lines.clone()))
        .collect();
    v.derived = derived_share(&facts.derived, root, ownership, &mine, &common);
    v
}

fn keep<T: Clone>(items: &[T], f: impl Fn(&T) -> bool) -> Vec<T> {
    items.iter().filter(|x| f(x)).cloned().collect()
}

/// The app's share of what the resolve stage derived for the repository:
/// `mine` are the owners of its own facts, `common` those of the facts it
/// shares (see [`view`]).
fn derived_share<'a>(
    d: &Derived,
    root: &str,
    ownership: &Ownership<'a>,
    mine: &[Option<&'a str>],
    common: &[Option<&'a str>],
) -> Derived {
    // A folder's owner is that of any file directly in it (`dir/.env`):
    // asked of the index, with no string built per app.
    let own_dir = |dir: &str| ownership.index.owner(dir) == Some(root);
    // A CI step counts for the app when a folder it points at is the app's
    // (or holds it), or when it points at no folder.
    let here = |dirs: &[String]| {
        dirs.is_empty()
            || dirs
                .iter()
                .any(|dir| own_dir(dir) || (!root.is_empty() && under(root, dir)))
    };
    Derived {
        ci_runs: keep(&d.ci_runs, |r| here(&r.dirs)),
        ci_cut: d.ci_cut,
        uptime_checks: keep(&d.uptime_checks, |u| here(&u.dirs)),
        lockfiles: ownership.pick(&d.lockfiles, |l| l.manifest.as_str(), mine),
        // The app's own folder, and the env files of folders it owns.
        env_probes: ownership
            .pick(&d.env_probes, |p| p.dir.as_str(), mine)
            .into_iter()
            .filter(|p| p.dir == root || p.env_file)
            .map(|p| crate::resolve::EnvProbe { judged: true, ..p })
            .collect(),
        http: ownership.pick(&d.http, |h| h.path.as_str(), mine),
        committed_env: ownership.pick(&d.committed_env, |e| e.path.as_str(), common),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileRecord, Location, manifests};
    use crate::inventory::{Scope, classify};

    /// Facts of a repository given as (path, text), with the resolve stage
    /// run; routes are left out (the manifests' frameworks are the signal).
    fn repo(files: &[(&str, &str)]) -> Facts {
        let mut f = Facts::default();
        for (p, t) in files {
            let kind = classify(p);
            f.files.push(FileRecord {
                path: p.to_string(),
                kind,
                is_test: false,
                scope: Scope::Server,
                scope_reason: String::new(),
                lines: 1,
            });
            if let FileKind::Manifest(k) = kind {
                f.manifests.push(manifests::parse(p, k, t).unwrap());
            }
        }
        f.paths = f.files.iter().map(|x| x.path.clone()).collect();
        f.derived = crate::resolve::run(&f);
        f
    }

    fn roots(apps: &Apps) -> Vec<&str> {
        apps.apps.iter().map(|a| a.root.as_str()).collect()
    }

    /// An npm workspace: the root holds the members and is no app itself;
    /// the member with a server is an app, the one without a library.
    #[test]
    fn workspace_members_are_apps_or_libraries() {
        let f = repo(&[
            (
                "package.json",
                r#"{"workspaces":["apps/*","packages/*"],"devDependencies":{"turbo":"2"}}"#,
            ),
            ("package-lock.json", ""),
            (
                "apps/api/package.json",
                r#"{"dependencies":{"fastify":"4"}}"#,
            ),
            ("apps/api/src/index.js", ""),
            (
                "packages/ui/package.json",
                r#"{"dependencies":{"react":"18"}}"#,
            ),
            ("packages/ui/src/index.js", ""),
        ]);
        let found = discover(&f);
        // The library's code is held by the repository's root, an app of
        // its own, so none of its findings drops out of the report.
        assert_eq!(roots(&found), [".", "apps/api"]);
        let found = Apps {
            apps: found.apps.into_iter().skip(1).collect(),
            ..found
        };
        assert_eq!(found.apps[0].stack, ["fastify", "javascript"]);
        let libs: Vec<&str> = found.libraries.iter().map(|l| l.root.as_str()).collect();
        assert_eq!(libs, ["packages/ui"]);
        // The app's view holds its own code, and the root lockfile locks it.
        let view = found.apps[0].facts.as_ref().unwrap();
        assert!(
            view.manifests
                .iter()
                .all(|m| m.path.starts_with("apps/api/"))
        );
        assert_eq!(view.derived.lockfiles.len(), 1);
        assert_eq!(
            view.derived.lockfiles[0].state.as_ref().unwrap(),
            "locked by package-lock.json"
        );
        // The library's code is not the app's; its documents are shared.
        assert!(
            view.files
                .iter()
                .any(|f| f.path == "packages/ui/src/index.js")
        );
        assert!(view.languages.len() == 1);
    }

    /// A library's code is not the app's (the root holds it, as an app of
    /// its own), but what it declares for the repository is: a budget in an
    /// `infra/` CDK package counts for the API.
    #[test]
    fn a_library_shares_its_configuration_not_its_code() {
        let mut f = repo(&[
            ("api/package.json", r#"{"dependencies":{"express":"4"}}"#),
            ("api/src/server.js", ""),
            (
                "infra/package.json",
                r#"{"dependencies":{"aws-cdk-lib":"2"}}"#,
            ),
            ("infra/lib/stack.ts", ""),
        ]);
        f.deploy.budgets.push(crate::facts::deploy::BudgetAlert {
            location: Location::new("infra/lib/stack.ts", 9),
            kind: "AWS budget".into(),
        });
        f.outbound.push(crate::facts::OutboundCall {
            location: Location::new("infra/lib/stack.ts", 3),
            client: "fetch",
            timeout: crate::facts::TimeoutState::Missing,
            note: "fetch".into(),
        });
        let found = discover(&f);
        assert_eq!(roots(&found), [".", "api"]);
        let view = found.apps[1].facts.as_ref().unwrap();
        assert_eq!(view.deploy.budgets.len(), 1);
        assert!(view.outbound.is_empty());
        // The library's call is the root's: still reported.
        let root = found.apps[0].facts.as_ref().unwrap();
        assert_eq!(root.outbound.len(), 1);
    }

    /// A root app with a deployed worker below it: two apps, and the
    /// root's view leaves the worker's manifest out.
    #[test]
    fn a_root_app_and_a_nested_worker() {
        let f = repo(&[
            ("requirements.txt", "flask==3.0.0\n"),
            ("app.py", ""),
            ("worker/requirements.txt", "celery==5.3.0\n"),
            ("worker/tasks.py", ""),
            ("worker/Dockerfile", "FROM python:3.12\n"),
        ]);
        let found = discover(&f);
        assert_eq!(roots(&found), [".", "worker"]);
        let root = found.apps[0].facts.as_ref().unwrap();
        assert_eq!(root.manifests.len(), 1);
        assert_eq!(root.manifests[0].path, "requirements.txt");
        assert!(
            found.apps[1]
                .signals
                .iter()
                .any(|s| s.starts_with("worker: celery"))
        );
        assert!(
            found.apps[1]
                .signals
                .iter()
                .any(|s| s == "deployed: worker/Dockerfile")
        );
    }

    /// No folder shows a server, worker or deployment: the repository is
    /// one app at `.`, scored on all of its facts, as it always was; and a
    /// manifest under `examples/` is never an app.
    #[test]
    fn without_signals_the_root_is_the_app() {
        let f = repo(&[
            (
                "go.mod",
                "module example.com/tool\n\ngo 1.22\n\nrequire github.com/spf13/cobra v1.8.0\n",
            ),
            ("main.go", ""),
            (
                "examples/server/package.json",
                r#"{"dependencies":{"express":"4"}}"#,
            ),
        ]);
        let found = discover(&f);
        assert_eq!(roots(&found), ["."]);
        assert!(found.apps[0].facts.is_none());
        assert!(found.libraries.is_empty());
        assert!(outside_apps("examples/server"));
        assert!(!outside_apps("services/api"));
    }
}
