//! Parallel, read-only walk of the scanned tree.
//!
//! The walk is the only place that touches the file system for file contents:
//! each file is classified by name, read at most once, handed to the fact
//! extractor on the walker's own thread, and dropped. Rules never see bytes.
//! Symlinks are never followed (a link can point out of the root or into a
//! loop), vendored and generated trees are pruned by name, and a file that is
//! too large, binary or minified is counted, not read.
//!
//! Ignore files are read here, not by the `ignore` crate: it opens each
//! `.gitignore` by name and reads it to the end, so a committed
//! `.gitignore -> /dev/zero` or a FIFO would stall the scan. Ours go through
//! [`crate::bounded_read`]. And like git, a `.gitignore` hides only untracked
//! files: a tracked file it lists (committed first, ignored later) is in every
//! clone, so it is scanned. `.ignore` files (a ripgrep convention, not git's)
//! are not honoured: a pull request must not be able to hide a file from the
//! scan by adding one.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, mpsc};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder, WalkState};
use serde::Serialize;

use crate::error::ScanError;
use crate::facts::{FileFacts, FileRecord, Warning};
use crate::inventory::{self, FileKind};
use crate::safe_text::SafeText;

/// Files larger than this are counted and skipped.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// A source line longer than this marks a minified or generated file.
const MINIFIED_LINE: usize = 5_000;

/// Directory names that hold vendored, generated or tool state, never app code.
const PRUNED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "vendor",
    "target",
    "dist",
    "build",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".terraform",
    "site-packages",
    "coverage",
    ".gradle",
];

/// Counts of what the walk saw and left out, reported for transparency.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct WalkStats {
    pub files_seen: usize,
    pub files_read: usize,
    pub skipped_large: usize,
    pub skipped_binary: usize,
    pub skipped_minified: usize,
    pub skipped_symlinks: usize,
}

/// Everything the walk produced: one record per file and the facts of those read.
pub struct WalkOutput {
    pub files: Vec<FileRecord>,
    /// Boxed: sorting moves pointers, not the large fact structs.
    pub facts: Vec<Box<FileFacts>>,
    pub warnings: Vec<Warning>,
    pub stats: WalkStats,
}

enum Event {
    File(FileRecord, Option<Box<FileFacts>>),
    Skipped(SkipReason),
    /// A file over the size bound whose facts a rule needs (source code, a
    /// CI file, a manifest): listed with facts that say it was not read, so
    /// the rules that needed it are unknown instead of deciding without it.
    TooLarge(FileRecord, Box<FileFacts>),
    Warning(Warning),
}

/// Why the walk counted a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    Large,
    Binary,
    Minified,
    Symlink,
}

/// Resolve and check the root the user asked for.
pub fn resolve_root(path: &Path) -> Result<PathBuf, ScanError> {
    let root = path.canonicalize().map_err(|source| ScanError::Root {
        path: path.to_path_buf(),
        source,
    })?;
    if !root.is_dir() {
        return Err(ScanError::NotADirectory(path.to_path_buf()));
    }
    Ok(root)
}

/// Build a glob set from user ignore patterns (from `.graduate.toml`).
pub fn ignore_set(patterns: &[String]) -> Result<GlobSet, ScanError> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| ScanError::Glob {
            pattern: p.clone(),
            message: e.to_string(),
        })?;
        builder.add(glob);
        // `dir/**` should also prune `dir` itself.
        if let Some(stripped) = p.strip_suffix("/**")
            && let Ok(g) = Glob::new(stripped)
        {
            builder.add(g);
        }
    }
    builder.build().map_err(|e| ScanError::Glob {
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

/// `.gitignore` files larger than this are not honoured (with a warning).
const MAX_IGNORE_FILE_BYTES: u64 = 1024 * 1024;

/// Gitignore semantics over ignore files read safely, once each, with
/// tracked files exempt. Shared by the walker threads.
struct GitignoreFilter {
    /// Tells this filter's entries in [`LAST_CHAIN`] from another's (a
    /// process can walk more than one tree).
    id: u64,
    root: PathBuf,
    /// Repository-relative tracked paths, sorted; `None` outside git.
    tracked: Option<Vec<String>>,
    /// `.git/info/exclude` of the root, when present.
    exclude: Option<Gitignore>,
    /// Per directory: its `.gitignore`, compiled, or `None`. Keyed by the
    /// path's bytes, as `chains` is.
    matchers: RwLock<HashMap<OsString, Option<Arc<Gitignore>>>>,
    /// Per directory: the ignore files that apply to its entries, nearest
    /// first. Every entry of a directory asks the same question, and asking
    /// each ancestor in turn cost a path comparison and a hash of the path
    /// per level, for every file of the tree. Keyed by the path's bytes:
    /// `Path`'s hash walks its components, several times the cost, and the
    /// walk spells a directory the same way each time.
    chains: RwLock<HashMap<OsString, Chain>>,
    /// The text of each `.gitignore` read, handed to the fact extractor so
    /// the file is read once.
    texts: Mutex<HashMap<PathBuf, String>>,
    warnings: Mutex<Vec<Warning>>,
}

/// Source of [`GitignoreFilter::id`].
static FILTER_IDS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The folder whose entries this walker thread filtered last, with its
    /// chain and the id of the filter that built it. The walk filters a
    /// folder's entries one after another on the thread that read the
    /// folder, so most entries find their chain here, without the shared
    /// cache's lock (an atomic write to a cache line both threads share)
    /// and the hash of the path.
    static LAST_CHAIN: RefCell<Option<(u64, OsString, Chain)>> = const { RefCell::new(None) };
}

impl GitignoreFilter {
    fn new(root: &Path, tracked: Option<Vec<String>>) -> Self {
        let mut tracked = tracked;
        if let Some(t) = tracked.as_mut() {
            t.sort_unstable();
        }
        let exclude_path = root.join(".git").join("info").join("exclude");
        let exclude = crate::bounded_read::regular_text(&exclude_path, MAX_IGNORE_FILE_BYTES)
            .ok()
            .and_then(|text| compile_ignore(root, &text));
        GitignoreFilter {
            id: FILTER_IDS.fetch_add(1, Ordering::Relaxed),
            root: root.to_path_buf(),
            tracked,
            exclude,
            matchers: RwLock::new(HashMap::new()),
            chains: RwLock::new(HashMap::new()),
            texts: Mutex::new(HashMap::new()),
            warnings: Mutex::new(Vec::new()),
        }
    }

    fn matcher(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        if let Some(m) = self
            .matchers
            .read()
            .expect("matcher cache")
            .get(dir.as_os_str())
        {
            return m.clone();
        }
        let path = dir.join(".gitignore");
        let compiled = match crate::bounded_read::regular_text(&path, MAX_IGNORE_FILE_BYTES) {
            Ok(text) => {
                let m = compile_ignore(dir, &text).map(Arc::new);
                self.texts.lock().expect("texts").insert(path, text);
                m
            }
            Err(crate::bounded_read::ReadError::NotFound) => None,
            Err(e) => {
                self.warnings.lock().expect("warnings").push(Warning::new(
                    rel_path(&self.root, &path),
                    format!("not honoured: {e}"),
                ));
                None
            }
        };
        self.matchers
            .write()
            .expect("matcher cache")
            .entry(dir.as_os_str().to_os_string())
            .or_insert(compiled)
            .clone()
    }

    /// [`Self::chain`], from this thread's last folder when it is `dir`.
    fn chain_of_entry_dir(&self, dir: &Path) -> Chain {
        LAST_CHAIN.with(|last| {
            if let Some((id, last_dir, chain)) = &*last.borrow()
                && *id == self.id
                && last_dir.as_os_str() == dir.as_os_str()
            {
                return Arc::clone(chain);
            }
            let chain = self.chain(dir);
            let mut last = last.borrow_mut();
            match &mut *last {
                // The folder's name is copied into the buffer already there.
                Some((id, last_dir, cached)) => {
                    *id = self.id;
                    last_dir.clear();
                    last_dir.push(dir.as_os_str());
                    *cached = Arc::clone(&chain);
                }
                None => *last = Some((self.id, dir.as_os_str().to_os_string(), Arc::clone(&chain))),
            }
            chain
        })
    }

    /// The `.gitignore` files of `dir` and of its ancestors up to the root,
    /// nearest first, each with its verdict on `dir`.
    ///
    /// A verdict on `dir` "or any of its parents" is the verdict on `dir`
    /// itself or, failing one, the same file's verdict on the parent folder,
    /// which the parent's chain already holds: one match per ignore file
    /// and folder, where `matched_path_or_any_parents` matched every level
    /// up to the ignore file's folder again, for every folder of the tree.
    fn chain(&self, dir: &Path) -> Chain {
        if let Some(c) = self
            .chains
            .read()
            .expect("chain cache")
            .get(dir.as_os_str())
        {
            return Arc::clone(c);
        }
        let mut ignores = Vec::new();
        let mut exclude = None;
        if let Some(rel) = strip_root(&self.root, dir) {
            if let Some(own) = self.matcher(dir) {
                let on_dir = verdict(own.matched_path_or_any_parents(dir, true));
                ignores.push((own, on_dir));
            }
            if !rel.as_os_str().is_empty()
                && let Some(parent) = parent_of(dir)
            {
                let up = self.chain(parent);
                ignores.extend(up.ignores.iter().map(|(m, on_parent)| {
                    let on_dir = match verdict(m.matched(dir, true)) {
                        Match::None => on_parent.clone(),
                        own => own,
                    };
                    (Arc::clone(m), on_dir)
                }));
                exclude = Some(self.exclude.as_ref().map_or(Match::None, |x| {
                    match verdict(x.matched(dir, true)) {
                        Match::None => up.exclude.clone(),
                        own => own,
                    }
                }));
            }
        }
        let exclude = exclude.unwrap_or_else(|| {
            self.exclude.as_ref().map_or(Match::None, |x| {
                verdict(x.matched_path_or_any_parents(dir, true))
            })
        });
        let chain = Arc::new(DirChain { ignores, exclude });
        self.chains
            .write()
            .expect("chain cache")
            .entry(dir.as_os_str().to_os_string())
            .or_insert(chain)
            .clone()
    }

    /// Whether the walk keeps this entry.
    ///
    /// An ignore file's verdict on a path is its verdict on the path
    /// itself or, failing one, on the nearest parent folder that has one
    /// (`matched_path_or_any_parents`). The verdicts on the parents are the
    /// same for every entry of a folder, so the folder's [`Chain`] holds
    /// them and an entry costs one match per ignore file, where asking
    /// each ancestor again cost a glob-set match per folder level.
    fn keep(&self, path: &Path, is_dir: bool) -> bool {
        let mut v = Match::None;
        let chain = parent_of(path).map(|d| self.chain_of_entry_dir(d));
        for (m, on_dir) in chain.iter().flat_map(|c| c.ignores.iter()) {
            v = match verdict(m.matched(path, is_dir)) {
                Match::None => on_dir.clone(),
                own => own,
            };
            if !v.is_none() {
                break;
            }
        }
        if v.is_none()
            && let Some(x) = &self.exclude
        {
            let on_dir = chain.as_ref().map_or(Match::None, |c| c.exclude.clone());
            let own = verdict(x.matched(path, is_dir));
            if own.is_ignore() || (own.is_none() && on_dir.is_ignore()) {
                v = Match::Ignore(());
            }
        }
        if !v.is_ignore() {
            return true;
        }
        let Some(tracked) = &self.tracked else {
            return false;
        };
        let rel = rel_path(&self.root, path);
        if is_dir {
            let prefix = format!("{rel}/");
            let at = tracked.partition_point(|t| t.as_str() < prefix.as_str());
            tracked.get(at).is_some_and(|t| t.starts_with(&prefix))
        } else {
            tracked.binary_search(&rel).is_ok()
        }
    }

    fn take_text(&self, path: &Path) -> Option<String> {
        self.texts.lock().expect("texts").remove(path)
    }
}

/// The ignore files that apply in one directory, nearest first, each with
/// its verdict on the directory (on it or any of its parents), and that of
/// `.git/info/exclude`.
struct DirChain {
    ignores: Vec<(Arc<Gitignore>, Match<()>)>,
    exclude: Match<()>,
}

type Chain = Arc<DirChain>;

/// A match without the glob that decided it.
fn verdict<T>(m: Match<T>) -> Match<()> {
    match m {
        Match::Ignore(_) => Match::Ignore(()),
        Match::Whitelist(_) => Match::Whitelist(()),
        Match::None => Match::None,
    }
}

fn compile_ignore(dir: &Path, text: &str) -> Option<Gitignore> {
    let mut b = GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A bad glob matches nothing, as in git.
        let _ = b.add_line(None, line);
    }
    b.build().ok()
}

/// Walk `root` in parallel, calling `extract` once per readable file.
/// `tracked` lists the repository's tracked files (from the index), which
/// `.gitignore` does not hide.
pub fn walk<F>(
    root: &Path,
    ignores: &GlobSet,
    tracked: Option<Vec<String>>,
    threads: usize,
    extract: F,
) -> WalkOutput
where
    F: Fn(&FileRecord, &str) -> FileFacts + Sync,
{
    let (tx, rx) = mpsc::channel::<Vec<Event>>();
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .ignore(false)
        .parents(false)
        .threads(threads.clamp(1, 256));
    let filter = Arc::new(GitignoreFilter::new(root, tracked));
    let root_for_filter = root.to_path_buf();
    let ignores_for_filter = ignores.clone();
    let filter_for_entries = Arc::clone(&filter);
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir
            && let Some(name) = entry.file_name().to_str()
            && PRUNED_DIRS.contains(&name)
        {
            return false;
        }
        let by_config = match strip_root(&root_for_filter, entry.path()) {
            Some(rel) => ignores_for_filter.is_match(rel),
            None => false,
        };
        !by_config && filter_for_entries.keep(entry.path(), is_dir)
    });
    let filter = &*filter;

    let extract = &extract;
    std::thread::scope(|scope| {
        let collector = scope.spawn(move || collect(rx));
        builder.build_parallel().run(|| {
            let mut out = Batcher {
                tx: tx.clone(),
                buf: Vec::new(),
            };
            // This thread's read buffer, reused for every file it reads.
            let mut bytes = Vec::new();
            Box::new(move |result| {
                match result {
                    Ok(entry) => visit(root, &entry, &mut out, &mut bytes, extract, filter),
                    Err(err) => out.push(Event::Warning(walk_warning(root, &err))),
                }
                WalkState::Continue
            })
        });
        drop(tx);
        let mut output = collector.join().expect("collector thread panicked");
        output
            .warnings
            .append(&mut filter.warnings.lock().expect("warnings"));
        output.warnings.sort();
        output
    })
}

/// Events of one walker thread, sent to the collector in batches: one
/// channel message per file cost more in futex wake-ups than reading it.
struct Batcher {
    tx: mpsc::Sender<Vec<Event>>,
    buf: Vec<Event>,
}

impl Batcher {
    fn push(&mut self, e: Event) {
        self.buf.push(e);
        if self.buf.len() >= 512 {
            let _ = self.tx.send(std::mem::take(&mut self.buf));
        }
    }
}

impl Drop for Batcher {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.tx.send(std::mem::take(&mut self.buf));
        }
    }
}

fn collect(rx: mpsc::Receiver<Vec<Event>>) -> WalkOutput {
    let mut out = WalkOutput {
        files: Vec::new(),
        facts: Vec::new(),
        warnings: Vec::new(),
        stats: WalkStats::default(),
    };
    for event in rx.into_iter().flatten() {
        match event {
            Event::File(record, facts) => {
                out.stats.files_seen += 1;
                if let Some(facts) = facts {
                    out.stats.files_read += 1;
                    out.facts.push(facts);
                }
                out.files.push(record);
            }
            Event::TooLarge(record, facts) => {
                out.stats.files_seen += 1;
                out.stats.skipped_large += 1;
                out.facts.push(facts);
                out.files.push(record);
            }
            Event::Skipped(reason) => {
                out.stats.files_seen += 1;
                match reason {
                    SkipReason::Large => out.stats.skipped_large += 1,
                    SkipReason::Binary => out.stats.skipped_binary += 1,
                    SkipReason::Minified => out.stats.skipped_minified += 1,
                    SkipReason::Symlink => out.stats.skipped_symlinks += 1,
                }
            }
            Event::Warning(w) => out.warnings.push(w),
        }
    }
    // Each walked file is one event, so paths are unique and an in-place
    // unstable sort gives the one order (the stable sort copied the
    // records through a buffer, on the one thread that collects).
    out.files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    out.facts.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    out.warnings.sort();
    out
}

fn walk_warning(root: &Path, err: &ignore::Error) -> Warning {
    // ignore's errors carry the path in their message; strip the root from it
    // so warnings stay relative like everything else in the report.
    let text = err.to_string();
    let root_str = format!("{}/", root.display());
    Warning {
        path: SafeText::default(),
        message: text.replace(&root_str, "").into(),
    }
}

/// `path.strip_prefix(root)`, by bytes when `path` is `root`, `/` and
/// plain names (no empty, `.` or `..` component, no trailing `/`), as every
/// path the walker makes from the canonical root is: then the component
/// comparison of `Path::strip_prefix` (over a thousand instructions for a
/// path a dozen folders deep, on every entry and every file of the tree)
/// says the same. Any other spelling takes `Path::strip_prefix`.
fn strip_root<'a>(root: &Path, path: &'a Path) -> Option<&'a Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (r, p) = (root.as_os_str().as_bytes(), path.as_os_str().as_bytes());
        if p == r {
            return Some(Path::new(""));
        }
        if let Some(rest) = p.strip_prefix(r).and_then(|rest| rest.strip_prefix(b"/"))
            && plain_names(rest)
        {
            return Some(Path::new(std::ffi::OsStr::from_bytes(rest)));
        }
    }
    path.strip_prefix(root).ok()
}

/// `path.parent()`, by bytes when the last component is a plain name after
/// a single `/` (see [`strip_root`]); `Path::parent` otherwise.
fn parent_of(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let p = path.as_os_str().as_bytes();
        if let Some(k) = p.iter().rposition(|b| *b == b'/')
            && k > 0
            && p[k - 1] != b'/'
            && !p[..k].ends_with(b"/.")
            && plain_names(&p[k + 1..])
        {
            return Some(Path::new(std::ffi::OsStr::from_bytes(&p[..k])));
        }
    }
    path.parent()
}

/// Whether `rel` is one or more `/`-separated names, none empty, `.` or `..`.
#[cfg(unix)]
fn plain_names(rel: &[u8]) -> bool {
    // A name that is empty, `.` or `..` starts at the start or after a
    // `/`, and is followed by a `/` or the end: only bytes there are looked
    // at twice (a split per name cost more than the rest of the strip).
    let odd = |at: usize| match rel.get(at) {
        None | Some(b'/') => true,
        Some(b'.') => match rel.get(at + 1) {
            None | Some(b'/') => true,
            Some(b'.') => matches!(rel.get(at + 2), None | Some(b'/')),
            _ => false,
        },
        _ => false,
    };
    !odd(0)
        && rel
            .iter()
            .enumerate()
            .all(|(i, b)| *b != b'/' || !odd(i + 1))
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = strip_root(root, path).unwrap_or(path);
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

fn visit<F>(
    root: &Path,
    entry: &ignore::DirEntry,
    out: &mut Batcher,
    buf: &mut Vec<u8>,
    extract: &F,
    filter: &GitignoreFilter,
) where
    F: Fn(&FileRecord, &str) -> FileFacts + Sync,
{
    let Some(ft) = entry.file_type() else { return };
    if ft.is_symlink() {
        out.push(Event::Skipped(SkipReason::Symlink));
        return;
    }
    if !ft.is_file() {
        return;
    }
    let mut record = file_record(rel_path(root, entry.path()));
    if !record.kind.needs_text() {
        out.push(Event::File(record, None));
        return;
    }
    // A `.gitignore` was already read (bounded) by the filter: not twice.
    // (Only those: the lookup locks and hashes the path, on every file.)
    let ignore_text;
    let held = match record.kind {
        FileKind::GitIgnore => filter.take_text(entry.path()),
        _ => None,
    };
    let bytes: &[u8] = match held {
        Some(text) => {
            ignore_text = text;
            ignore_text.as_bytes()
        }
        None => match read_bytes(entry.path(), &record, buf) {
            Ok(true) => buf,
            Ok(false) => {
                match crate::facts::too_large(&record) {
                    Some(facts) => out.push(Event::TooLarge(record, Box::new(facts))),
                    None => out.push(Event::Skipped(SkipReason::Large)),
                }
                return;
            }
            Err(w) => return out.push(Event::Warning(w)),
        },
    };
    let text = match prepare(&mut record, bytes) {
        Prepared::Text(text, warning) => {
            if let Some(w) = warning {
                out.push(Event::Warning(w));
            }
            text
        }
        Prepared::Skip(reason) => return out.push(Event::Skipped(reason)),
    };
    let facts = crate::isolation::catch(|| extract(&record, &text))
        .unwrap_or_else(|e| crashed(&record, &e));
    out.push(Event::File(record, Some(Box::new(facts))));
}

/// The facts of a file whose extraction panicked: one warning, and a
/// production source file counts as unread, so the code rules say `skip`
/// rather than pass on what they never saw.
fn crashed(record: &FileRecord, e: &crate::isolation::InternalError) -> FileFacts {
    let message = format!("internal error while reading this file (please report): {e}");
    let mut facts = FileFacts {
        path: record.path.clone(),
        ..FileFacts::default()
    };
    if matches!(record.kind, FileKind::Source(_)) && !record.is_test {
        facts.code.unparsed = Some(message.clone());
    }
    facts
        .warnings
        .push(Warning::new(record.path.as_str(), message));
    facts
}

/// A file as the inventory sees it, from its repository-relative path.
pub fn file_record(rel: String) -> FileRecord {
    FileRecord {
        kind: inventory::classify(&rel),
        is_test: inventory::is_test_path(&rel),
        scope: inventory::Scope::Unknown,
        scope_reason: String::new(),
        path: rel,
        lines: 0,
    }
}

/// What the walk makes of a file's bytes before extraction.
pub enum Prepared<'a> {
    /// The text to extract from, with a warning when it was not clean UTF-8:
    /// the bytes read, unless replacement characters had to be put in.
    Text(Cow<'a, str>, Option<Warning>),
    Skip(SkipReason),
}

/// Everything the walk does between reading a file and extracting its
/// facts: binary and minified files are skipped, invalid UTF-8 is read with
/// replacement characters (and said so), a byte-order mark is dropped, and
/// the record gets its line count. The fuzz targets call this too, so they
/// see exactly what a scan sees.
pub fn prepare<'a>(record: &mut FileRecord, bytes: &'a [u8]) -> Prepared<'a> {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Prepared::Skip(SkipReason::Binary);
    }
    // Editors on Windows write a UTF-8 byte-order mark; JSON and TOML
    // parsers reject it as a stray character before the first key.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, warning) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => (
            String::from_utf8_lossy(bytes),
            Some(Warning::new(
                record.path.as_str(),
                "invalid UTF-8; read with replacement characters",
            )),
        ),
    };
    // The line count, and in source a look for a minified line: only a
    // file longer than the bound can hold one, and most are far shorter.
    let newlines = count_newlines(text.as_bytes()) as u32;
    let source = matches!(record.kind, FileKind::Source(_));
    if source && text.len() > MINIFIED_LINE && has_minified_line(&text) {
        return Prepared::Skip(SkipReason::Minified);
    }
    record.lines = newlines;
    Prepared::Text(text, warning)
}

/// The number of `\n` bytes. Counted in runs of 255 bytes with a byte-wide
/// counter, which the compiler turns into vector compares and adds: a
/// `usize` count of every byte (`filter().count()`) widened each byte to
/// 64 bits, about six instructions per byte read, on every file of the tree.
fn count_newlines(bytes: &[u8]) -> usize {
    bytes
        .chunks(255)
        .map(|run| {
            run.iter()
                .fold(0u8, |n, b| n.wrapping_add(u8::from(*b == b'\n')))
        })
        .map(usize::from)
        .sum()
}

/// Whether a line, as `str::lines` reads it (without `\n` or `\r\n`), is
/// longer than [`MINIFIED_LINE`].
///
/// It jumps a bound's worth of bytes at a time instead of visiting every
/// line: the last line break in the next `MINIFIED_LINE + 1` bytes ends
/// only lines within the bound, and a stretch with none holds a line over
/// it, unless that line is exactly one byte over and ends in `\r\n`.
fn has_minified_line(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut pos = 0;
    while bytes.len() - pos > MINIFIED_LINE {
        let window = &bytes[pos..pos + MINIFIED_LINE + 1];
        if let Some(k) = window.iter().rposition(|b| *b == b'\n') {
            pos += k + 1;
            continue;
        }
        // The line at `pos` has at least MINIFIED_LINE + 1 bytes before
        // its break: one too many, unless they end in the `\r` of `\r\n`.
        let end = pos + MINIFIED_LINE + 1;
        if bytes.get(end) == Some(&b'\n') && bytes[end - 1] == b'\r' {
            pos = end + 1;
            continue;
        }
        return true;
    }
    false
}

/// The file's bytes into `buf` (a regular file, not through a link,
/// bounded); `false` when it is over [`MAX_FILE_BYTES`].
fn read_bytes(path: &Path, record: &FileRecord, buf: &mut Vec<u8>) -> Result<bool, Warning> {
    use crate::bounded_read::{ReadError, walked_file_into};
    // `visit` read the entry's type: a regular file, not a link.
    match walked_file_into(path, MAX_FILE_BYTES, buf) {
        Ok(()) => Ok(true),
        Err(ReadError::TooLarge { .. }) => Ok(false),
        Err(e) => Err(Warning::new(
            record.path.as_str(),
            format!("cannot read: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source line over the bound marks a minified file, counted as
    /// `str::lines` reads it (a `\r\n` ending is not part of the line); a
    /// long line elsewhere is read, and the line count is the newlines.
    #[test]
    fn prepare_counts_lines_and_skips_minified_source() {
        let long = "x".repeat(MINIFIED_LINE);
        let lines = |path: &str, text: &str| {
            let mut record = file_record(path.to_string());
            match prepare(&mut record, text.as_bytes()) {
                Prepared::Text(..) => Some(record.lines),
                Prepared::Skip(SkipReason::Minified) => None,
                Prepared::Skip(other) => panic!("{path}: {other:?}"),
            }
        };
        assert_eq!(lines("a.js", &format!("{long}\r\nb\n{long}")), Some(2));
        assert_eq!(lines("a.js", &format!("a\n{long}x\nb\n")), None);
        assert_eq!(lines("a.js", &format!("a\n{long}x")), None);
        assert_eq!(lines("a.json", &format!("a\n{long}x\nb\n")), Some(3));
        assert_eq!(lines("a.js", "\u{feff}one\ntwo"), Some(1));
    }

    /// The run-wise count is the count of `\n` bytes, across run borders
    /// and with runs of nothing but line breaks.
    #[test]
    fn newlines_are_counted_across_runs() {
        for text in [
            String::new(),
            "\n".repeat(255),
            "\n".repeat(256),
            "\n".repeat(1000),
            "a\r\nb\nc".repeat(300),
            format!("{}\n", "x".repeat(254)),
        ] {
            let want = text.bytes().filter(|b| *b == b'\n').count();
            assert_eq!(
                count_newlines(text.as_bytes()),
                want,
                "{} bytes",
                text.len()
            );
        }
    }

    /// The jumping search agrees with reading every line, at the bound and
    /// one byte either side, with `\n`, `\r\n` and a last line without a
    /// break, among short lines or alone.
    #[test]
    fn minified_line_search_agrees_with_a_line_by_line_read() {
        // What the walk did before: visit every line.
        fn line_by_line(text: &str) -> bool {
            text.split_inclusive('\n').any(|piece| {
                let line = match piece.strip_suffix('\n') {
                    Some(line) => line.strip_suffix('\r').unwrap_or(line),
                    None => piece,
                };
                line.len() > MINIFIED_LINE
            })
        }
        let mut cases = Vec::new();
        for len in [
            MINIFIED_LINE - 1,
            MINIFIED_LINE,
            MINIFIED_LINE + 1,
            MINIFIED_LINE + 2,
        ] {
            let long = "x".repeat(len);
            for before in ["", "a\n", "ab\r\n", &"y\n".repeat(3000)] {
                for after in ["", "\n", "\r\n", "\r", "\nz", "\r\nz\n"] {
                    cases.push(format!("{before}{long}{after}"));
                }
            }
        }
        cases.push("short\n".repeat(5000));
        cases.push(format!("{}\r", "x".repeat(MINIFIED_LINE)));
        for text in &cases {
            assert_eq!(
                has_minified_line(text),
                line_by_line(text),
                "{} bytes ending {:?}",
                text.len(),
                &text[text.len().saturating_sub(3)..]
            );
        }
    }

    /// A thread's last chain belongs to the filter that built it: a later
    /// walk of the same folders (its `.gitignore` edited since) reads them
    /// anew.
    #[test]
    fn a_new_filter_does_not_reuse_the_last_ones_chain() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.log"), "").unwrap();
        let log = root.join("sub/a.log");
        std::fs::write(root.join(".gitignore"), "*.log\n").unwrap();
        let first = GitignoreFilter::new(&root, None);
        assert!(!first.keep(&log, false));
        assert!(!first.keep(&log, false), "from the thread's cache");
        std::fs::write(root.join(".gitignore"), "").unwrap();
        let second = GitignoreFilter::new(&root, None);
        assert!(second.keep(&log, false));
    }

    #[test]
    fn the_nearest_ignore_file_with_a_verdict_decides() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for (path, text) in [
            (".gitignore", "*.log\n/out/\n"),
            ("a.log", ""),
            ("a.txt", ""),
            ("out/x.txt", ""),
            ("out/y.txt", ""),
            // A nested file re-includes what the root one excludes.
            ("sub/.gitignore", "!keep.log\n"),
            ("sub/keep.log", ""),
            ("sub/other.log", ""),
            ("sub/x.txt", ""),
            // `/out/` is anchored at the root's folder.
            ("sub/out/y.txt", ""),
            // Deeper still: its own pattern, and the parents' through it.
            ("sub/deep/.gitignore", "x.txt\n"),
            ("sub/deep/x.txt", ""),
            ("sub/deep/keep.log", ""),
            ("sub/deep/other.log", ""),
        ] {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let out = walk(&root, &GlobSet::empty(), None, 2, |r, _| FileFacts {
            path: r.path.clone(),
            ..FileFacts::default()
        });
        let walked: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            walked,
            [
                ".gitignore",
                "a.txt",
                "sub/.gitignore",
                "sub/deep/.gitignore",
                "sub/deep/keep.log",
                "sub/keep.log",
                "sub/out/y.txt",
                "sub/x.txt",
            ]
        );
        // The tracked files of a git work tree are kept whatever ignores them.
        let tracked = vec![
            "a.log".to_string(),
            "out/x.txt".to_string(),
            "sub/deep/x.txt".to_string(),
        ];
        let out = walk(&root, &GlobSet::empty(), Some(tracked), 2, |r, _| {
            FileFacts {
                path: r.path.clone(),
                ..FileFacts::default()
            }
        });
        let walked: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
        assert!(walked.contains(&"a.log") && walked.contains(&"sub/deep/x.txt"));
        assert!(!walked.contains(&"sub/other.log"));
        // An ignored folder walked for its tracked file: its untracked
        // neighbour is still ignored, by the folder's verdict.
        assert!(walked.contains(&"out/x.txt") && !walked.contains(&"out/y.txt"));
    }

    /// The byte-wise `strip_prefix` and `parent` agree with `Path`'s on the
    /// walker's spellings, and leave every other spelling to `Path`.
    #[test]
    fn byte_path_helpers_agree_with_path() {
        let root = Path::new("/r/oot");
        for p in [
            "/r/oot",
            "/r/oot/a",
            "/r/oot/a/b.txt",
            "/r/oot/.env",
            "/r/oot/...",
            "/r/oot//a",
            "/r/oot/./a",
            "/r/oot/a/.",
            "/r/oot/a/..",
            "/r/oot/a/",
            "/r/ootx/a",
            "/r/oo",
            "/r",
            "/",
            "a/b",
            "./a",
            "a",
        ] {
            let p = Path::new(p);
            assert_eq!(strip_root(root, p), p.strip_prefix(root).ok(), "{p:?}");
            assert_eq!(parent_of(p), p.parent(), "{p:?}");
        }
        assert_eq!(
            strip_root(Path::new("/"), Path::new("/a")),
            Some(Path::new("a"))
        );
    }

    /// Each folder's verdicts, built from its parent's, are what asking
    /// every level again (`matched_path_or_any_parents`) says.
    #[test]
    fn folder_verdicts_match_asking_every_parent() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join(".git/info")).unwrap();
        std::fs::write(root.join(".git/info/exclude"), "tmp/\n!tmp/keep/\n").unwrap();
        std::fs::write(root.join(".gitignore"), "/out/\ngen*/\n!gen-keep/\n").unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/.gitignore"), "deep/\n!out/\n").unwrap();
        let dirs = [
            "",
            "out",
            "out/a",
            "out/a/b",
            "gen1",
            "gen1/x",
            "gen-keep/x/y",
            "sub",
            "sub/out",
            "sub/out/z",
            "sub/deep",
            "sub/deep/er",
            "sub/deep/er/est",
            "tmp/a",
            "tmp/keep/b",
            "x/tmp/y",
        ];
        let filter = GitignoreFilter::new(&root, None);
        for d in dirs {
            let path = if d.is_empty() {
                root.clone()
            } else {
                root.join(d)
            };
            let chain = filter.chain(&path);
            for (m, on_dir) in &chain.ignores {
                let asked = verdict(m.matched_path_or_any_parents(&path, true));
                assert_eq!(
                    (on_dir.is_ignore(), on_dir.is_whitelist()),
                    (asked.is_ignore(), asked.is_whitelist()),
                    "{d}"
                );
            }
            let x = filter.exclude.as_ref().unwrap();
            let asked = verdict(x.matched_path_or_any_parents(&path, true));
            assert_eq!(
                (chain.exclude.is_ignore(), chain.exclude.is_whitelist()),
                (asked.is_ignore(), asked.is_whitelist()),
                "{d}"
            );
        }
        assert_eq!(filter.chain(&root.join("sub/deep/er")).ignores.len(), 2);
    }
}
