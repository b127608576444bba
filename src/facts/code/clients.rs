//! Outbound HTTP clients and SDKs described by a row of `rules/clients.toml`:
//! got, ky, undici, superagent, Node's `http.request`, the Stripe, AWS,
//! Supabase, OpenAI and Anthropic SDKs, boto3, ureq, hyper. Each row says how
//! a call site (or, for an SDK, the client construction) reads, what bounds
//! it, and the client's own default. A site counts only in a file that
//! imports the client, and only in code (never in a string or comment).
//! A client class reached through a derived name is the row's client too:
//! `Octokit.plugin(…)`, `X.defaults(…)`, a project's `class OIDCStrategy
//! extends Strategy`, built in the same file or in a module that imports
//! the class by relative path (resolved when facts are merged, as exported
//! axios instances are).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use serde::Deserialize;

use super::{
    Backoff, CodeFacts, NeedleSet, OutboundCall, RetrySite, Source, TimeoutState, lang_key,
    needle_sets,
};
use crate::inventory::Lang;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    lang: String,
    client: String,
    imports: Vec<String>,
    #[serde(default)]
    call: Option<String>,
    #[serde(default)]
    imported: bool,
    #[serde(default)]
    instance: Option<String>,
    /// Methods of an instance that send a request besides the HTTP verbs
    /// ([`METHODS`]): an OAuth2 session's `fetch_token`/`refresh_token`.
    #[serde(default)]
    instance_methods: Vec<String>,
    bounded_by: Vec<String>,
    #[serde(default)]
    scope: Scope,
    #[serde(default)]
    disabled_by: Vec<String>,
    default: String,
    #[serde(default)]
    too_long: bool,
    fix: String,
    /// The client's own retries: "default" (on unless switched off) or
    /// "opt-in" (on when a `retry_keys` option is set). Either way they
    /// back off exponentially with jitter and stop after a few attempts.
    #[serde(default)]
    retry: Option<String>,
    #[serde(default)]
    retry_keys: Vec<String>,
    #[serde(default)]
    retry_off: Vec<String>,
    /// The mechanism name reported for those retries.
    #[serde(default)]
    retry_name: Option<String>,
    /// A file that imports one of these (a presigner) and names none of
    /// `requests` uses the client locally only: no call site.
    #[serde(default)]
    local_only: Vec<String>,
    #[serde(default)]
    requests: Vec<String>,
    /// A site whose scope names one of these works locally (OpenDAL over
    /// `services::Fs`): no network call, not a site.
    #[serde(default)]
    local_by: Vec<String>,
    /// A construction counts only in a file that makes one of these calls
    /// (`.getToken(` on an OAuth2 client): a client built only to compute
    /// a URL (`generateAuthUrl`) sends nothing.
    #[serde(default)]
    calls_by: Vec<String>,
    /// JavaScript: packages built on the row's client under their own names
    /// (`passport-slack-oauth2`, `@outlinewiki/passport-azure-ad-oauth2`),
    /// a regex over an import's module specifier; `family_needle` is a
    /// literal every such specifier holds, for the prefilters.
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    family_needle: Option<String>,
    /// A construction whose options come from a function or method of the
    /// same file (`createTransport(this.getOptions())`): the regex's `fn`
    /// group names it; or from a local bound to an object literal before
    /// the call (`createTransport(transportConfig)`): its `var` group. The site counts when its body matches
    /// `options_match` (it returns an SMTP config), and what bounds it is
    /// read in that body; a function defined elsewhere stays unknown.
    #[serde(default)]
    options_call: Option<String>,
    #[serde(default)]
    options_match: Option<String>,
    /// Go: an option of the construction that hands the SDK the caller's
    /// `*http.Client` (`rtorrent.WithCustomClient(hc)`), matched up to its
    /// `(`; its first argument is the client. The site is then judged by
    /// that client (a literal, or
    /// a local bound to one in the function: reported without `Timeout`),
    /// and unknown when it cannot be read.
    #[serde(default)]
    client_option: Option<String>,
    /// Snippets the examples test runs (tests/client_rows.rs).
    #[serde(default)]
    pub examples: Examples,
}

/// A row's documented examples: whole files that must yield a site of the
/// row (`match`), none (`no_match`), or a bounded one (`bounded`).
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
    #[serde(default)]
    pub bounded: Vec<String>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Scope {
    #[default]
    Statement,
    Function,
    /// The whole file: a module-level client configured by a later call on
    /// the same binding (`sgMail.setTimeout(5000)` after `setApiKey`).
    File,
}

#[derive(Deserialize)]
struct Table {
    client: Vec<Row>,
}

/// A row and its patterns, compiled the first time a file that imports the
/// client needs them (most scans never touch most rows).
struct Client {
    row: Row,
    /// The prefilter needles: `imports` in the forms [`imported_modules`]
    /// requires ([`prefilter_forms`]) and the family's needle.
    needles: Vec<String>,
    call: OnceLock<Option<Regex>>,
    instance: OnceLock<Option<Regex>>,
    family: OnceLock<Option<Regex>>,
    options_call: OnceLock<Option<Regex>>,
    options_match: OnceLock<Option<Regex>>,
    client_option: OnceLock<Option<Regex>>,
}

impl Client {
    fn compile(&self, pattern: &Option<String>) -> Option<Regex> {
        pattern.as_deref().map(|p| {
            Regex::new(&crate::facts::pattern::ascii(p))
                .unwrap_or_else(|e| panic!("rules/clients.toml {}: {e}", self.row.client))
        })
    }

    fn call(&self) -> Option<&Regex> {
        self.call
            .get_or_init(|| self.compile(&self.row.call))
            .as_ref()
    }

    fn instance(&self) -> Option<&Regex> {
        self.instance
            .get_or_init(|| self.compile(&self.row.instance))
            .as_ref()
    }

    fn options_call(&self) -> Option<(&Regex, &Regex)> {
        let call = self
            .options_call
            .get_or_init(|| self.compile(&self.row.options_call))
            .as_ref()?;
        let body = self
            .options_match
            .get_or_init(|| self.compile(&self.row.options_match))
            .as_ref()?;
        Some((call, body))
    }

    fn client_option(&self) -> Option<&Regex> {
        self.client_option
            .get_or_init(|| self.compile(&self.row.client_option))
            .as_ref()
    }

    fn family(&self) -> Option<&Regex> {
        self.family
            .get_or_init(|| self.compile(&self.row.family))
            .as_ref()
    }
}

const TABLE_SRC: &str = include_str!("../../../rules/clients.toml");

static CLIENTS: LazyLock<Vec<Client>> = LazyLock::new(|| {
    let table: Table =
        toml::from_str(TABLE_SRC).unwrap_or_else(|e| panic!("rules/clients.toml: {e}"));
    table
        .client
        .into_iter()
        .map(|row| {
            assert!(
                matches!(row.retry.as_deref(), None | Some("default" | "opt-in")),
                "rules/clients.toml {}: retry is default or opt-in",
                row.client
            );
            assert_eq!(
                row.family.is_some(),
                row.family_needle.is_some(),
                "rules/clients.toml {}: family and family_needle go together",
                row.client
            );
            let needles = row
                .imports
                .iter()
                .flat_map(|m| prefilter_forms(&row.lang, m))
                .chain(row.family_needle.iter().cloned())
                .collect();
            Client {
                row,
                needles,
                call: OnceLock::new(),
                instance: OnceLock::new(),
                family: OnceLock::new(),
                options_call: OnceLock::new(),
                options_match: OnceLock::new(),
                client_option: OnceLock::new(),
            }
        })
        .collect()
});

/// The forms of an imported module `m` that [`imported_modules`] needs at
/// least one of before it reads a row, so a file without any of them holds
/// no site of the row: `'m`/`"m` in JavaScript, `"m` in Go, `m::`/`use m` in
/// Rust. Python keeps the bare name (`import  m` may carry any spacing).
/// A bare JavaScript module name (`http`, `ai`, `got`) is in every few dozen
/// bytes of code and made the prefilter pass the costliest step of reading
/// a row (2.9% of a scan of 1,250 small apps); the quoted forms are rare.
fn prefilter_forms(lang: &str, m: &str) -> Vec<String> {
    match lang {
        "js" => vec![format!("'{m}"), format!("\"{m}")],
        "go" => vec![format!("\"{m}")],
        "rs" => vec![format!("{m}::"), format!("use {m}")],
        _ => vec![m.to_string()],
    }
}

/// Per language: an automaton over every row's import names.
static PREFILTER: LazyLock<Vec<(&'static str, NeedleSet)>> = LazyLock::new(|| {
    needle_sets(
        "rules/clients.toml",
        &CLIENTS,
        |c| c.row.lang.as_str(),
        |c| c.needles.as_slice(),
        aho_corasick::MatchKind::Standard,
    )
});

/// The modules the table's rows import, per language, in the form an
/// import statement writes them: the parse prefilter must let a file that
/// imports one through. Quoting a short module name keeps it from matching
/// everywhere: `'ai'` and `"ai/` are imports of the AI SDK, a bare `ai`
/// is in `main`, `email` and `wait`.
pub fn import_needles(lang: &str) -> Vec<String> {
    let rows = || CLIENTS.iter().filter(|c| c.row.lang == lang);
    let mut out: Vec<String> = rows()
        .flat_map(|c| c.row.imports.iter())
        .flat_map(|m| match lang {
            "js" => vec![format!("'{m}"), format!("\"{m}"), format!("`{m}")],
            "py" => vec![format!("import {m}"), format!("from {m}")],
            "go" => vec![format!("\"{m}")],
            _ => vec![format!("{m}::"), format!("use {m}")],
        })
        .collect();
    // A family member may be a scoped fork (`@acme/passport-…`).
    out.extend(
        rows()
            .filter_map(|c| c.row.family_needle.as_ref())
            .flat_map(|m| [format!("'{m}"), format!("\"{m}"), format!("/{m}")]),
    );
    out
}

/// The fix a finding on `client` carries, when the client is a table row.
pub fn fix(client: &str) -> Option<&'static str> {
    CLIENTS
        .iter()
        .find(|c| c.row.client == client)
        .map(|c| c.row.fix.as_str())
}

/// What a row's client does when nothing bounds it (its default: none, a
/// bound, or one too long): a project class that builds the client with
/// its caller's option leaves callers without the option to this.
pub(super) fn unbounded_state(client: &str) -> Option<TimeoutState> {
    let row = &CLIENTS.iter().find(|c| c.row.client == client)?.row;
    Some(if row.default == "none" {
        TimeoutState::Missing
    } else if row.too_long {
        TimeoutState::TooLong(row.default.as_str())
    } else {
        TimeoutState::ClientDefault(row.default.as_str())
    })
}

/// Every row's documented examples: (language key, client, examples).
pub fn examples() -> impl Iterator<Item = (&'static str, &'static str, &'static Examples)> {
    CLIENTS
        .iter()
        .map(|c| (c.row.lang.as_str(), c.row.client.as_str(), &c.row.examples))
}

/// The client names of the table (for docs and tests).
pub fn names() -> impl Iterator<Item = (&'static str, &'static str)> {
    CLIENTS
        .iter()
        .map(|c| (c.row.lang.as_str(), c.row.client.as_str()))
}

/// A call site: (start, end of the match, and for a call through an
/// instance, where the instance was configured and its timeout state).
type Site = (usize, usize, Option<(String, TimeoutState)>);

pub fn extract(src: &Source, facts: &mut CodeFacts) {
    let key = lang_key(src.lang);
    let code = &src.code;
    // A browser bundle's requests are the user's browser, not the service.
    if key == "js" && (code.contains("'use client'") || code.contains("\"use client\"")) {
        return;
    }
    // One pass over the bytes says which rows' modules the file may name.
    let set = &PREFILTER.iter().find(|(k, _)| *k == key).unwrap().1;
    // A flag per row rather than a list of every hit: a bare module name
    // (`http`, `ai`) matches hundreds of times in one file.
    let mut named = vec![false; CLIENTS.len()];
    for m in set
        .ac()
        .find_overlapping_iter(aho_corasick::Input::new(code.as_bytes()))
    {
        named[set.row_of[m.pattern().as_usize()]] = true;
    }
    if key == "js" {
        imported_constructions(src, facts);
    }
    let candidates: Vec<usize> = (0..named.len()).filter(|&i| named[i]).collect();
    if candidates.is_empty() {
        return;
    }
    let before = facts.outbound.len();
    for c in candidates.into_iter().map(|i| &CLIENTS[i]) {
        let Some(imports) = imported_modules(src, c) else {
            continue;
        };
        if !c.row.local_only.is_empty()
            && c.row.local_only.iter().any(|m| code.contains(m.as_str()))
            && !c.row.requests.iter().any(|r| code.contains(r.as_str()))
        {
            continue;
        }
        if !c.row.calls_by.is_empty() && !c.row.calls_by.iter().any(|n| src.find(n).is_some()) {
            continue;
        }
        let mut sites: Vec<Site> = Vec::new();
        let mut retried = false;
        if let Some(call) = c.call() {
            let mut receivers = HashMap::new();
            for cap in src.captures(call) {
                let m = cap.get(0).unwrap();
                // `new sdk.S3Client(…)`: the qualifier must be the package's
                // namespace, bound statically or by a dynamic import.
                if let Some(ns) = cap.name("ns") {
                    if c.row.imported && !namespace_imported(src, ns.as_str(), &imports) {
                        continue;
                    }
                } else if let Some(name) = cap.name("name")
                    && c.row.imported
                    && !binding_imported(src, name.as_str(), &imports)
                {
                    continue;
                }
                let start = m.start() + ident_start(m.as_str());
                if is_definition(src, start, m.end()) {
                    continue;
                }
                // An SDK method name on a receiver of the project's own type.
                if key == "go"
                    && m.as_str().starts_with('.')
                    && super::go::project_receiver(src, m.start(), &mut receivers)
                {
                    continue;
                }
                sites.push((start, m.end(), None));
            }
        }
        if let Some(instance) = c.instance() {
            for cap in src.captures(instance) {
                let m = cap.get(0).unwrap();
                let name = cap.name("name").unwrap();
                let member = key == "js" && member_binding(src, m.as_str(), name.start());
                let config = &code[m.start()..statement_end(src, m.start())];
                let state = state_of(&c.row, config);
                let at = src.line(m.start());
                // A Python local bound in a function (`manager = Manager(…)`)
                // is that function's: two functions that each build their own
                // are each judged by their own.
                let until = if key == "py" && !name.as_str().contains('.') {
                    super::shapes::innermost_function(src.functions(), name.start())
                        .map_or(usize::MAX, |f| f.2)
                } else {
                    usize::MAX
                };
                for (start, end) in
                    instance_calls(src, name.as_str(), m.end(), member, &c.row.instance_methods)
                {
                    if start < until {
                        sites.push((start, end, Some((format!("line {at}"), state.clone()))));
                    }
                }
            }
        }
        if let Some((call, returns)) = c.options_call() {
            for cap in src.captures(call) {
                let Some(m) = cap.get(0) else {
                    continue;
                };
                // Options returned by a function of the file, or held in a
                // local (`const transportConfig = { host, … }`) bound before
                // the call.
                let (found, what) = match (cap.name("fn"), cap.name("var")) {
                    (Some(f), _) => (
                        definition(src, f.as_str()),
                        format!("{} returns", f.as_str()),
                    ),
                    (None, Some(v)) => (
                        literal_binding(src, v.as_str(), m.start()),
                        format!("held in {}", v.as_str()),
                    ),
                    (None, None) => continue,
                };
                let Some((s, e)) = found else {
                    continue;
                };
                let body = &code[s..e];
                if returns.is_match(body) {
                    let at = format!("line {} (the options {what})", src.line(s));
                    sites.push((m.start(), m.end(), Some((at, state_of(&c.row, body)))));
                }
            }
        }
        if key == "js" && c.call().is_some() {
            sites.extend(mixin_constructions(src, c, &imports));
            let derived = derived_classes(src, c, &imports);
            let news = if derived.is_empty() {
                HashMap::new()
            } else {
                new_sites(src)
            };
            for d in derived {
                let at = format!("line {}", src.line(d.at));
                for &(start, end) in news.get(d.name.as_str()).into_iter().flatten() {
                    sites.push((start, end, Some((at.clone(), d.state.clone()))));
                }
                if let Some(export) = d.export {
                    facts.exported_clients.push(super::ExportedClient {
                        location: src.loc(d.at),
                        client: c.row.client.as_str(),
                        export,
                        timeout: d.state,
                    });
                }
            }
        }
        // What a function or file scope says (local? bound? retried?) is
        // read once per scope, not once per site in it: one function of
        // 20,000 SDK calls was read 20,000 times whole (calls x bytes).
        let mut read: HashMap<(usize, usize), ScopeReading> = HashMap::new();
        for (start, end, through) in sites {
            let range = match c.row.scope {
                Scope::File => (0, code.len()),
                Scope::Function => src
                    .innermost(start)
                    .map_or_else(|| (start, statement_end(src, start)), |(_, s, e)| (*s, *e)),
                _ => (start, statement_end(src, start)),
            };
            let reading = read
                .entry(range)
                .or_insert_with(|| ScopeReading::of(&c.row, &code[range.0..range.1]));
            if reading.local {
                continue;
            }
            // Python options splatted from a dict (`completion(**ai_request)`):
            // the dict literal bound in the same function says what bounds
            // the call; a dict that cannot be read (a parameter, built
            // elsewhere) leaves the call unknown, not a site. The scope with
            // the dict's text is this site's own: read once, not kept.
            let splat;
            let reading = if key == "py"
                && code[..end].ends_with('(')
                && let Some(var) = splat_only(src.inside(end - 1))
            {
                let Some((s, e)) = literal_binding(src, var, start) else {
                    continue;
                };
                let mut scope = code[range.0..range.1].to_string();
                scope.push('\n');
                scope.push_str(&code[s..e]);
                // Keys set on it before the call: `ai_request["timeout"] = 30`,
                // `options.update(timeout=30)`.
                for line in code[e..start].lines() {
                    let line = line.trim_start();
                    if line.strip_prefix(var).is_some_and(|r| {
                        r.starts_with('[')
                            || r.starts_with(".update(")
                            || r.starts_with(".setdefault(")
                    }) {
                        scope.push('\n');
                        scope.push_str(line);
                    }
                }
                splat = ScopeReading::of(&c.row, &scope);
                &splat
            } else {
                &*reading
            };
            let call = code[start..end]
                .trim_end_matches('(')
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace(" .", ".")
                .replace(". ", ".");
            // The SDK sends on the client the caller hands it.
            if let Some(option) = c.client_option() {
                // In the call, or, for a row read over its function, anywhere
                // in it (`opts = append(opts, gitea.SetHTTPClient(hc))`
                // before `gitea.NewClient(url, opts...)`).
                let stmt_end = statement_end(src, start);
                let (from, to) = match c.row.scope {
                    Scope::Function => src
                        .functions()
                        .iter()
                        .filter(|(_, s, e)| (*s..*e).contains(&start))
                        .min_by_key(|(_, s, e)| e - s)
                        .map_or((start, stmt_end), |(_, s, e)| (*s, *e)),
                    _ => (start, stmt_end),
                };
                if let Some(m) = option.find(&code[from..to]) {
                    let paren = from + m.end() - 1;
                    let handed = super::go_fields::split_args(src, paren)
                        .first()
                        .and_then(|&(s, e)| super::go_fields::client_value(src, s, e));
                    if let Some(timeout) = handed {
                        let how = if timeout.is_bounded() {
                            "with Timeout"
                        } else {
                            "without Timeout"
                        };
                        let call = code[start..end].trim_end_matches('(').trim();
                        facts.outbound.push(OutboundCall {
                            location: src.loc(start),
                            client: c.row.client.as_str(),
                            timeout,
                            note: format!("{call} sends on the caller's http.Client {how}"),
                        });
                    }
                    continue;
                }
            }
            let own = reading.state.clone();
            let (timeout, note) = match (&own, through) {
                (TimeoutState::Explicit | TimeoutState::Disabled, _) | (_, None) => {
                    let note = describe(&c.row, &call, &own, None);
                    (own, note)
                }
                (_, Some((at, inherited))) => {
                    let note = describe(&c.row, &call, &inherited, Some(&at));
                    (inherited, note)
                }
            };
            facts.outbound.push(OutboundCall {
                location: src.loc(start),
                client: c.row.client.as_str(),
                timeout,
                note,
            });
            if !retried && reading.retries {
                retried = true;
                facts.retries.push(RetrySite {
                    location: src.loc(start),
                    mechanism: c.row.retry_name.as_deref().unwrap_or("client retries"),
                    backoff: Backoff::Exponential,
                    jitter: true,
                    bounded: true,
                    through: None,
                });
            }
        }
    }
    if facts.outbound.len() > before {
        facts.outbound.sort_by_key(|c| c.location.line);
        facts
            .outbound
            .dedup_by(|a, b| a.location == b.location && a.client == b.client);
    }
}

/// What the text of a site's scope (its statement, function or file) says
/// about the row's client there.
struct ScopeReading {
    /// Names one of the row's `local_by`: the client works locally.
    local: bool,
    state: TimeoutState,
    retries: bool,
}

#[cfg(test)]
thread_local! {
    /// How many scopes [`ScopeReading::of`] read on this thread.
    static SCOPE_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl ScopeReading {
    fn of(row: &'static Row, scope: &str) -> Self {
        #[cfg(test)]
        SCOPE_READS.with(|n| n.set(n.get() + 1));
        ScopeReading {
            local: row.local_by.iter().any(|l| scope.contains(l.as_str())),
            state: state_of(row, scope),
            retries: retries(row, scope),
        }
    }
}

/// The name of a dict splatted as a call's only argument (`**options`).
fn splat_only(args: &str) -> Option<&str> {
    let name = args
        .trim()
        .strip_prefix("**")?
        .trim_end_matches([',', ' ', '\n']);
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

/// Whether the client retries this site by itself.
fn retries(row: &Row, text: &str) -> bool {
    match row.retry.as_deref() {
        Some("default") => !row.retry_off.iter().any(|o| text.contains(o.as_str())),
        Some("opt-in") => {
            row.retry_keys.iter().any(|k| mentions(text, k))
                && !row.retry_off.iter().any(|o| text.contains(o.as_str()))
        }
        _ => false,
    }
}

/// What a site's own text says about its timeout.
fn state_of(row: &'static Row, text: &str) -> TimeoutState {
    if row.disabled_by.iter().any(|d| text.contains(d.as_str())) {
        return TimeoutState::Disabled;
    }
    if row.bounded_by.iter().any(|b| mentions(text, b)) {
        return TimeoutState::Explicit;
    }
    if row.default == "none" {
        TimeoutState::Missing
    } else if row.too_long {
        TimeoutState::TooLong(row.default.as_str())
    } else {
        TimeoutState::ClientDefault(row.default.as_str())
    }
}

fn describe(row: &Row, call: &str, state: &TimeoutState, through: Option<&str>) -> String {
    let via = through.map_or(String::new(), |at| {
        format!(" through the client configured at {at}")
    });
    // Never `{call}: …`: the message is cleaned as scanned text, and a
    // callee named like a credential (`SpotifyClientCredentials`,
    // `fetch_token`) followed by a colon reads as `key: value`, so the words
    // after it were redacted.
    match state {
        TimeoutState::Explicit => format!("{call}{via} with a timeout"),
        TimeoutState::Disabled => format!("{call}{via} with its timeout switched off"),
        TimeoutState::ClientDefault(d) => {
            format!("{call}{via} under {}'s own default of {d}", row.client)
        }
        TimeoutState::TooLong(_) => format!(
            "{call}{via} under {}'s default of {}, too long to protect a request",
            row.client, row.default
        ),
        TimeoutState::Missing => {
            format!("{call}{via}, and {} has no timeout by default", row.client)
        }
    }
}

/// `needle` in `text`; a bare identifier must be an object key (`timeout:`,
/// shorthand `{ timeout }`) or a keyword argument (`timeout=`). A Python
/// keyword set to `None` (`timeout=None`, `default_timeout=None`) asks the
/// client for no bound at all, so it bounds nothing.
fn mentions(text: &str, needle: &str) -> bool {
    if !needle.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return text.contains(needle);
    }
    if !super::names_key(text, needle, true) {
        return false;
    }
    !text.contains("None") || super::names_key(&none_keywords_removed(text, needle), needle, true)
}

/// Whether `needle` at `i` is a keyword argument set to `None`.
fn keyword_none(text: &str, i: usize, needle: &str) -> bool {
    let rest = text[i + needle.len()..].trim_start();
    rest.strip_prefix('=')
        .filter(|r| !r.starts_with('='))
        .and_then(|r| r.trim_start().strip_prefix("None"))
        .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

/// `text` without its `needle=None` keywords.
fn none_keywords_removed(text: &str, needle: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in text.match_indices(needle) {
        if keyword_none(text, i, needle) {
            out.push_str(&text[last..i]);
            last = i + needle.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The modules of `row.imports` this file imports, or `None` for none.
fn imported_modules<'s>(src: &'s Source, c: &'static Client) -> Option<Vec<&'s str>> {
    let row = &c.row;
    let code = &src.code;
    let mut found: Vec<&str> = row
        .imports
        .iter()
        .map(String::as_str)
        .filter(|m| match src.lang {
            Lang::JavaScript | Lang::TypeScript => ['\'', '"'].iter().any(|q| {
                code.match_indices(&format!("{q}{m}")).any(|(i, s)| {
                    let next = code[i + s.len()..].chars().next();
                    m.ends_with('-') || matches!(next, Some('/')) || next == Some(*q)
                })
            }),
            Lang::Python => code.lines().any(|l| {
                let l = l.trim_start();
                let rest = l
                    .strip_prefix("import ")
                    .or_else(|| l.strip_prefix("from "))
                    .map(str::trim_start);
                rest.is_some_and(|r| {
                    r.strip_prefix(m)
                        .is_some_and(|t| t.is_empty() || t.starts_with([' ', '.', ',']))
                })
            }),
            Lang::Rust => code.contains(&format!("{m}::")) || code.contains(&format!("use {m}")),
            // A path ending in `/` names a module family (`aws-sdk-go-v2/`).
            Lang::Go if m.ends_with('/') => code.contains(&format!("\"{m}")),
            Lang::Go => code.contains(&format!("\"{m}\"")) || code.contains(&format!("\"{m}/")),
        })
        .collect();
    // The family's packages, by the specifiers this file imports.
    if let (Some(family), Some(needle)) = (c.family(), &row.family_needle)
        && code.contains(needle.as_str())
    {
        found.extend(
            JS_IMPORT_SPEC
                .captures_iter(code)
                .filter_map(|s| s.name("spec"))
                .map(|s| s.as_str())
                .filter(|s| family.is_match(s)),
        );
    }
    (!found.is_empty()).then_some(found)
}

/// The module specifier of a JavaScript import: `from 'x'`, `import 'x'`,
/// `require('x')`, `import('x')`.
static JS_IMPORT_SPEC: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](?P<spec>[^'"\n]+)['"]"#,
    )
});

static JS_NAMED_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?:\bimport\s*(?:[\w$]+\s*,\s*)?\{(?P<a>[^}]*)\}\s*from|\b(?:const|let|var)\s*\{(?P<b>[^}]*)\}\s*=\s*(?:await\s+import|require)\()\s*['"](?P<spec>[^'"]+)['"]"#,
    )
});

static JS_DYNAMIC_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*\(\s*await\s+import\(\s*['"](?P<spec>[^'"]+)['"]\s*\)\s*\)"#,
    )
});

static PY_FROM_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"(?m)^[ \t]*from[ \t]+(?P<spec>[\w.]+)[ \t]+import[ \t]+(?:\((?P<a>[^)]*)\)|(?P<b>[^\n]*))",
    )
});

static GO_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?m)^[ \t]*(?:import[ \t]+)?(?:(?P<alias>\w+)[ \t]+)?"(?P<path>[^"\s]+)"[ \t]*$"#,
    )
});

/// `name` is bound by a named import from one of `modules`.
fn binding_imported(src: &Source, name: &str, modules: &[&str]) -> bool {
    if src.lang == Lang::Go {
        // The qualifier of `s3.NewFromConfig`, `ntf.NewSlack`: the local name
        // of an import under one of the modules (its alias, or the last path
        // segment), so the project's own `notify.NewSlack` is not go-pkgz's.
        return GO_IMPORT.captures_iter(&src.code).any(|c| {
            let path = &c["path"];
            let local = c.name("alias").map_or_else(
                || {
                    let last = crate::inventory::file_name(path);
                    // `…/go-github/v60/github` ends in the package; a bare
                    // major-version suffix (`stripe-go/v76`) names its parent.
                    if last.len() > 1
                        && last.starts_with('v')
                        && last[1..].bytes().all(|b| b.is_ascii_digit())
                    {
                        path.rsplit('/').nth(1).unwrap_or(last)
                    } else {
                        last
                    }
                },
                |a| a.as_str(),
            );
            local == name
                && modules.iter().any(|m| {
                    path == m.trim_end_matches('/') || path.starts_with(m.trim_end_matches('/'))
                })
        });
    }
    if src.lang == Lang::Python {
        // `from azure.ai.documentintelligence import DocumentIntelligenceClient`,
        // `from github import Github as GH` binds the last name.
        return PY_FROM_IMPORT.captures_iter(&src.code).any(|c| {
            let spec = &c["spec"];
            modules
                .iter()
                .any(|m| spec == *m || spec.strip_prefix(m).is_some_and(|r| r.starts_with('.')))
                && c.name("a").or_else(|| c.name("b")).is_some_and(|list| {
                    list.as_str()
                        .split(',')
                        .any(|item| item.split_whitespace().next_back() == Some(name))
                })
        });
    }
    // `const S3Client = (await import('@aws-sdk/client-s3')).S3Client`: a
    // client loaded on first use binds its name like a static import.
    let dynamic = src.code.contains("await import")
        && JS_DYNAMIC_IMPORT
            .captures_iter(&src.code)
            .any(|c| &c["name"] == name && modules.iter().any(|m| c["spec"].starts_with(m)));
    dynamic
        || JS_NAMED_IMPORT.captures_iter(&src.code).any(|c| {
            let spec = &c["spec"];
            modules.iter().any(|m| spec.starts_with(m))
                && c.name("a").or_else(|| c.name("b")).is_some_and(|list| {
                    list.as_str().split(',').any(|item| {
                        // `S3Client`, `S3Client as S3`: the local name is last.
                        item.split(|ch: char| ch.is_whitespace() || ch == ':')
                            .rfind(|w| !w.is_empty())
                            == Some(name)
                    })
                })
        })
}

/// `import * as sdk from '…'`, `const sdk = await import('…')` (the SDK
/// loaded on first use, outline's S3 storage), `const sdk = require('…')`.
/// A type-only `import type * as` binds no value and does not count.
static JS_NAMESPACE: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?:\bimport\s*\*\s*as\s+(?P<a>[A-Za-z_$][\w$]*)\s+from\s*|\b(?:const|let|var)\s+(?P<b>[A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*(?:await\s+import|require)\(\s*)['"](?P<spec>[^'"]+)['"]"#,
    )
});

/// `ns` names one of `modules` as a whole: the qualifier of a namespaced
/// constructor (`new sdk.S3Client(…)`).
fn namespace_imported(src: &Source, ns: &str, modules: &[&str]) -> bool {
    matches!(src.lang, Lang::JavaScript | Lang::TypeScript)
        && src.captures(&JS_NAMESPACE).any(|c| {
            c.name("a").or_else(|| c.name("b")).map(|n| n.as_str()) == Some(ns)
                && modules.iter().any(|m| c["spec"].starts_with(m))
        })
}

/// The body of the JavaScript function or method `name` defined in this
/// file (`function name(`, `const name = (…) =>`, a class method
/// `private name(): T {`), as (start, end) offsets. Compiled per call:
/// only a file with an options call gets here.
fn definition(src: &Source, name: &str) -> Option<(usize, usize)> {
    let n = regex::escape(name);
    let re = crate::facts::pattern::try_regex(&format!(
        r"(?m)(?:\bfunction\s*\*?\s*{n}\s*\([^)]*\)[^{{;]*\{{|\b(?:const|let|var)\s+{n}\s*=\s*(?:async\s*)?(?:function\b[^{{]*|\([^)]*\)\s*(?::[^=;{{]+)?=>\s*)\{{|^[ \t]*(?:(?:public|private|protected|static|async|override)\s+)*{n}\s*\([^)]*\)\s*(?::[^{{;]+)?\{{)"
    ))?;
    let m = src.matches(&re).next()?;
    Some((m.start(), src.matching(m.end() - 1)?))
}

/// The object literal last bound to `name` before `before`
/// (`const opts = { host, … };`): its span, braces included. In Python the
/// dict literal bound in the same function (`ai_request = {…}` before
/// `completion(**ai_request)`): a dict of another function, or a
/// parameter, is not read.
fn literal_binding(src: &Source, name: &str, before: usize) -> Option<(usize, usize)> {
    let n = regex::escape(name);
    let python = src.lang == Lang::Python;
    let re = crate::facts::pattern::try_regex(&if python {
        format!(r"(?m)^[ \t]*{n}[ \t]*(?::[^=\n]+)?=[ \t]*\{{")
    } else {
        format!(r"\b(?:const|let|var)\s+{n}\s*(?::[^=;{{}}]+)?=\s*\{{")
    })?;
    let m = src.matches(&re).filter(|m| m.end() <= before).last()?;
    if python
        && super::shapes::innermost_function(src.functions(), m.start()).map(|f| f.1)
            != super::shapes::innermost_function(src.functions(), before).map(|f| f.1)
    {
        return None;
    }
    Some((m.end() - 1, src.matching(m.end() - 1)?))
}

/// A client class a file derives from a row's class.
struct Derived {
    name: String,
    /// Where it is derived (the `const` or `class` keyword).
    at: usize,
    state: TimeoutState,
    /// How the module exports it: `Some(Some(name))` by name,
    /// `Some(None)` as the default export.
    export: Option<Option<String>>,
}

/// `const MyOctokit = Octokit.plugin(paginate)`, `Octokit.defaults({…})`,
/// `class OIDCStrategy extends Strategy`.
static DERIVED: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\b(?:(?:const|let|var)\s+(?P<d>[A-Za-z_$][\w$]*)\s*=\s*(?P<b>[A-Za-z_$][\w$]*)\s*\.\s*(?:plugin|defaults)\s*\(|class\s+(?P<c>[A-Za-z_$][\w$]*)\s*(?:<[^{}()]*?>)?\s+extends\s+(?P<e>[A-Za-z_$][\w$]*)\s*[{<(])",
    )
});

static JS_EXPORT_LIST: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"(?:\bexport\s*\{|\bmodule\.exports\s*=\s*\{)(?P<names>[^}]*)\}")
});

/// Client classes derived in this file from a row's class, and from those:
/// a plugin build of Octokit, a project subclass of passport-oauth2's
/// `Strategy`. A class counts as the row's when `new Base(` would be a site
/// of the row (its name imported from the row's packages). Each takes the
/// timeout its derivation sets (`Octokit.defaults({ request: { signal } })`)
/// or else its base's.
fn derived_classes(src: &Source, c: &'static Client, imports: &[&str]) -> Vec<Derived> {
    let code = &src.code;
    if !(code.contains("extends") || code.contains(".plugin") || code.contains(".defaults")) {
        return Vec::new();
    }
    let found: Vec<(String, String, usize)> = src
        .captures(&DERIVED)
        .filter_map(|cap| {
            let d = cap.name("d").or_else(|| cap.name("c"))?;
            let b = cap.name("b").or_else(|| cap.name("e"))?;
            Some((
                d.as_str().to_string(),
                b.as_str().to_string(),
                cap.get(0)?.start(),
            ))
        })
        .collect();
    // Derivations of derivations, in any order: from the classes derived
    // from the client itself, down through those derived from them. Each
    // derivation is looked at once (a hostile file of thousands of chained
    // classes in reverse order made repeated passes cubic).
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, base, _)) in found.iter().enumerate() {
        children.entry(base.as_str()).or_default().push(i);
    }
    let exports = std::cell::OnceCell::new();
    let mut known: Vec<Derived> = Vec::new();
    let mut named: HashMap<&str, usize> = HashMap::new();
    let mut queue: std::collections::VecDeque<(usize, Option<TimeoutState>)> = children
        .iter()
        .filter(|(base, _)| constructs(src, c, imports, base))
        .flat_map(|(_, kids)| kids.iter().map(|&i| (i, None)))
        .collect();
    // The file's order among the direct derivations, as before.
    queue.make_contiguous().sort_by_key(|(i, _)| *i);
    while let Some((i, parent)) = queue.pop_front() {
        let (name, _, at) = &found[i];
        if named.contains_key(name.as_str()) {
            continue;
        }
        let own = state_of(&c.row, &code[*at..statement_end(src, *at)]);
        let state = match (own, parent) {
            (s @ (TimeoutState::Explicit | TimeoutState::Disabled), _) => s,
            (_, Some(p)) => p,
            (s, None) => s,
        };
        named.insert(name.as_str(), known.len());
        for &k in children.get(name.as_str()).into_iter().flatten() {
            queue.push_back((k, Some(state.clone())));
        }
        known.push(Derived {
            name: name.clone(),
            at: *at,
            state,
            export: exports
                .get_or_init(|| Exports::of(code))
                .of_class(code, name, *at),
        });
    }
    known
}

/// `class GoogleStrategy extends PassportStrategy(Strategy, 'google') {`:
/// NestJS's passport mixin returns a subclass of the strategy it is given,
/// and Nest builds the provider itself (no `new` in the project), so the
/// class is where the row's client is constructed. The site is the `class`
/// line; the statement read for a bound is the whole class, which holds
/// the options its constructor hands to `super(…)`. The mixin's first
/// argument must be the row's class (`new Strategy(` a site here):
/// `PassportStrategy(Strategy)` over passport-jwt builds no client. The
/// class is not recorded as a derived client, so a module that also writes
/// `new GoogleStrategy(…)` (a Nest `useFactory`) does not count it twice.
fn mixin_constructions(src: &Source, c: &'static Client, imports: &[&str]) -> Vec<Site> {
    if !src.code.contains("extends") {
        return Vec::new();
    }
    src.captures(&MIXIN_BASE)
        .filter(|cap| constructs(src, c, imports, &cap["b"]))
        .filter_map(|cap| {
            let m = cap.get(0)?;
            Some((m.start(), cap.name("open")?.end(), None))
        })
        .collect()
}

/// A class whose base is a call taking a class first:
/// `extends PassportStrategy(Strategy, 'name')`.
static MIXIN_BASE: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r"\bclass\s+[A-Za-z_$][\w$]*\s*(?:<[^{}()]*?>)?\s+extends\s+(?P<open>[A-Za-z_$][\w$]*\s*\()\s*(?P<b>[A-Za-z_$][\w$]*)\s*[,)]",
    )
});

/// Whether `new {base}(` is a construction of the row's client here.
fn constructs(src: &Source, c: &'static Client, imports: &[&str], base: &str) -> bool {
    let probe = format!("new {base}(");
    let Some(cap) = c.call().and_then(|call| call.captures(&probe)) else {
        return false;
    };
    match cap.name("name") {
        Some(n) if c.row.imported => binding_imported(src, n.as_str(), imports),
        _ => true,
    }
}

/// The names a JS/TS module exports by name after their declaration:
/// `export default X` / `module.exports = X` (default), and `export { X, Y }`
/// (listed). Read once per file, not once per class.
struct Exports<'a> {
    default: std::collections::HashSet<&'a str>,
    listed: std::collections::HashSet<&'a str>,
}

impl<'a> Exports<'a> {
    fn of(code: &'a str) -> Self {
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
        let mut default = std::collections::HashSet::new();
        for head in ["export default ", "module.exports = "] {
            for (at, _) in code.match_indices(head) {
                let rest = &code[at + head.len()..];
                let len = rest.bytes().take_while(|b| ident(*b)).count();
                if len > 0 {
                    default.insert(&rest[..len]);
                }
            }
        }
        let mut listed = std::collections::HashSet::new();
        if code.contains("export") {
            for l in JS_EXPORT_LIST.captures_iter(code) {
                let names = l.name("names").map_or("", |m| m.as_str());
                listed.extend(names.split(',').filter_map(|n| n.split_whitespace().next()));
            }
        }
        Exports { default, listed }
    }

    /// How the class `name` declared at `at` is exported: `Some(None)` as
    /// the default, `Some(Some(name))` by name, `None` not at all.
    fn of_class(&self, code: &str, name: &str, at: usize) -> Option<Option<String>> {
        let before = code[..at].trim_end();
        if before.ends_with("export default") {
            return Some(None);
        }
        if before.ends_with("export") {
            return Some(Some(name.to_string()));
        }
        if self.default.contains(name) {
            return Some(None);
        }
        self.listed.contains(name).then(|| Some(name.to_string()))
    }
}

/// Every `new Name(…)` and `new Name<T>(…)` of the code, by `Name`, as
/// (start of `new`, end past the open paren): found in one pass, so a file
/// deriving thousands of classes is not searched once per class.
fn new_sites<'s>(src: &'s Source) -> HashMap<&'s str, Vec<(usize, usize)>> {
    let code = &src.code;
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut out: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    for (kw, _) in code.match_indices("new") {
        if kw > 0 && (ident(bytes[kw - 1]) || bytes[kw - 1] == b'.') || !src.is_code(kw) {
            continue;
        }
        let after = &code[kw + 3..];
        let rest = after.trim_start();
        if rest.len() == after.len() {
            continue;
        }
        let len = rest.bytes().take_while(|b| ident(*b)).count();
        if len == 0 {
            continue;
        }
        let name = &rest[..len];
        let mut rest = rest[len..].trim_start();
        if rest.starts_with('<') {
            match rest.find(['>', '(', ';']) {
                Some(i) if rest.as_bytes()[i] == b'>' => rest = rest[i + 1..].trim_start(),
                _ => continue,
            }
        }
        if rest.starts_with('(') {
            out.entry(name)
                .or_default()
                .push((kw, code.len() - rest.len() + 1));
        }
    }
    out
}

/// `new X(…)` where `X` is imported from a relative module of the app: the
/// module may export a client class it derives (`export class OIDCStrategy
/// extends Strategy`); merging resolves the call against its exports, and
/// anything else stays unknown.
fn imported_constructions(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("new ")
        || !["from '.", "from \".", "require('.", "require(\"."]
            .iter()
            .any(|p| code.contains(p))
    {
        return;
    }
    let news: Vec<(usize, &str)> = src
        .captures(&JS_NEW)
        .filter_map(|c| Some((c.get(0)?.start(), c.name("name")?.as_str())))
        .collect();
    if news.is_empty() {
        return;
    }
    let mut bindings: Vec<(&str, &str, Option<&str>)> = Vec::new();
    for c in JS_DEFAULT_IMPORT.captures_iter(code) {
        if let (Some(n), Some(spec)) = (c.name("a").or_else(|| c.name("b")), c.name("spec")) {
            bindings.push((n.as_str(), spec.as_str(), None));
        }
    }
    for c in JS_NAMED_IMPORT.captures_iter(code) {
        let spec = c.name("spec").map_or("", |s| s.as_str());
        if !spec.starts_with('.') {
            continue;
        }
        let Some(list) = c.name("a").or_else(|| c.name("b")) else {
            continue;
        };
        for item in list.as_str().split(',') {
            // `Foo`, `Foo as Bar` (ESM), `Foo: Bar` (destructuring).
            let mut words = item
                .split(|ch: char| ch.is_whitespace() || ch == ':')
                .filter(|w| !w.is_empty() && *w != "as" && *w != "type");
            let Some(exported) = words.next() else {
                continue;
            };
            let local = words.next().unwrap_or(exported);
            bindings.push((local, spec, Some(exported)));
        }
    }
    for (at, name) in news {
        if let Some((_, spec, export)) = bindings.iter().find(|(l, _, _)| *l == name) {
            facts.imported_calls.push(super::ImportedCall {
                location: src.loc(at),
                call: format!("new {name}"),
                link: super::Link::Module(spec.to_string()),
                export: export.map(str::to_string),
            });
        }
    }
}

static JS_NEW: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(r"\bnew\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\(")
});

static JS_DEFAULT_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    crate::facts::pattern::regex(
        r#"(?:\bimport\s+(?P<a>[A-Za-z_$][\w$]*)\s*(?:,\s*\{[^}]*\}\s*)?from|\b(?:const|let|var)\s+(?P<b>[A-Za-z_$][\w$]*)\s*=\s*require\()\s*['"](?P<spec>\.[^'"]*)['"]"#,
    )
});

/// The HTTP methods a client instance is called with (`api.get(…)`): the
/// protocol's verbs, the same for every client (shapes.rs uses them too).
pub(super) const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "request", "stream",
];

/// Calls through a named instance: `api(…)` or `api.get(…)` in JavaScript,
/// `agent.get(…)` elsewhere, as (start, end past the open paren). Plain
/// string search: a regex compiled per file and instance costs more than
/// the whole scan of the file.
fn instance_calls(
    src: &Source,
    name: &str,
    after: usize,
    member: bool,
    extra: &[String],
) -> Vec<(usize, usize)> {
    let js = matches!(src.lang, Lang::JavaScript | Lang::TypeScript);
    let code = &src.code;
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut out = Vec::new();
    for (at, _) in code.match_indices(name) {
        if at <= after || !src.is_code(at) {
            continue;
        }
        let mut from = at;
        if member {
            // A client kept on the class is reached as `this.http`.
            let before = code[..at].strip_suffix('#').unwrap_or(&code[..at]);
            let Some(this) = before.strip_suffix("this.") else {
                continue;
            };
            from = this.len();
            if from > 0 && ident(bytes[from - 1]) {
                continue;
            }
        } else if at > 0 && (ident(bytes[at - 1]) || bytes[at - 1] == b'.') {
            continue;
        }
        let mut rest = code[at + name.len()..].trim_start();
        let mut method = false;
        if let Some(r) = rest.strip_prefix('.') {
            let r = r.trim_start();
            let Some(m) = METHODS
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str))
                .find(|m| {
                    r.starts_with(*m) && !r.as_bytes().get(m.len()).is_some_and(|b| ident(*b))
                })
            else {
                continue;
            };
            rest = r[m.len()..].trim_start();
            method = true;
        }
        if !(method || js) || !rest.starts_with('(') {
            continue;
        }
        let end = code.len() - rest.len() + 1;
        out.push((from, end));
    }
    out
}

/// Whether an instance binding keeps the client on a class, so that calls
/// reach it as `this.name`: `this.http = got.extend(…)`, or a class field
/// (`private http = got.extend(…)`). `const api = …` and an assignment to a
/// variable in a function bind a plain name.
fn member_binding(src: &Source, binding: &str, name_at: usize) -> bool {
    let head = binding.trim_start();
    if ["const", "let", "var"]
        .iter()
        .any(|k| head.starts_with(k) && head[k.len()..].starts_with(char::is_whitespace))
    {
        return false;
    }
    let before = src.code[..name_at].trim_end();
    let before = before.strip_suffix('#').unwrap_or(before).trim_end();
    before
        .strip_suffix('.')
        .is_some_and(|b| b.trim_end().ends_with("this"))
        || super::javascript::member_owner(src, name_at, true).is_some()
}

/// Where the identifier starts in a match that may begin with the one
/// character before it (`(?:^|[^\w$.])got(`).
fn ident_start(m: &str) -> usize {
    m.find(|ch: char| ch.is_alphanumeric() || ch == '_' || ch == '$')
        .unwrap_or(0)
}

/// `function got(` or a method shorthand `request(opts) {` defines, not calls.
/// The arguments' closing parenthesis is found string-aware: a `word (…) {`
/// inside a template literal argument is text.
fn is_definition(src: &Source, start: usize, open_end: usize) -> bool {
    let code = &src.code;
    let before = code[..start].trim_end();
    if before.ends_with("function") || before.ends_with("async") || before.ends_with("fn") {
        return true;
    }
    let open = open_end.saturating_sub(1);
    if code.as_bytes().get(open) != Some(&b'(') {
        return false;
    }
    src.matching(open).is_some_and(|close| {
        let after = code[close + 1..].trim_start();
        after.starts_with('{') && !before.ends_with('=') && !before.ends_with("await")
    })
}

/// End of the expression statement that starts at `from`: bracket groups
/// are skipped whole; it ends at `;`, at a separator or closing bracket of
/// the enclosing group, or at a line break not followed by a method chain.
pub(super) fn statement_end(src: &Source, from: usize) -> usize {
    let bytes = src.code.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => match src.matching(i) {
                Some(close) => i = close + 1,
                None => return bytes.len(),
            },
            b';' | b',' | b')' | b']' | b'}' => return i,
            b'\n' => {
                let next = src.code[i + 1..].trim_start();
                if next.starts_with('.') || next.starts_with("?.") {
                    i += 1;
                } else {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use crate::facts::code::{TimeoutState, extract};
    use crate::inventory::Lang;

    fn states(path: &str, lang: Lang, text: &str) -> Vec<(u32, &'static str, TimeoutState)> {
        extract(path, lang, false, text)
            .outbound
            .into_iter()
            .map(|c| (c.location.line, c.client, c.timeout))
            .collect()
    }

    fn js(text: &str) -> Vec<(u32, &'static str, TimeoutState)> {
        states("src/a.js", Lang::JavaScript, text)
    }

    #[test]
    fn nestjs_http_service_calls() {
        use TimeoutState::*;
        let got = states(
            "src/vercel.usecase.ts",
            Lang::TypeScript,
            "import { HttpService } from '@nestjs/axios';\nexport class A {\n  constructor(private httpService: HttpService) {}\n  f(u: string) { return this.httpService.post(u, {}); }\n  g(u: string) { return this.httpService.get(u, { timeout: 3000 }); }\n}\n",
        );
        assert_eq!(
            got,
            vec![
                (4, "@nestjs/axios", Missing),
                (5, "@nestjs/axios", Explicit)
            ]
        );
        // Without the import, `this.http.get` is somebody else's client.
        assert!(
            states(
                "src/b.ts",
                Lang::TypeScript,
                "class B { f() { return this.http.get(u); } }\n"
            )
            .is_empty()
        );
    }

    /// Derivations written before their bases (the deepest first), in a
    /// long chain, are all followed, each looked at once: the bounded
    /// `.defaults(…)` two levels down carries its bound to the last class.
    #[test]
    fn a_chain_of_derived_classes_in_reverse_order() {
        use TimeoutState::*;
        let mut text = String::from("import { Octokit } from \"octokit\";\n");
        for n in (3..=400).rev() {
            text.push_str(&format!("class C{n} extends C{} {{}}\n", n - 1));
        }
        text.push_str(
            "const C2 = C1.defaults({ request: { signal: AbortSignal.timeout(5000) } });\n",
        );
        text.push_str("const C1 = Octokit.plugin(p);\n");
        text.push_str("export const a = () => new C400({ auth });\n");
        text.push_str("export const b = () => new C1({ auth });\n");
        let got = states("src/github.ts", Lang::TypeScript, &text);
        assert_eq!(
            got,
            vec![(402, "octokit", Explicit), (403, "octokit", Missing)]
        );
    }

    #[test]
    fn derived_client_classes_within_and_across_modules() {
        use TimeoutState::*;
        // A plugin build, a bounded `.defaults(…)` of it, and a local class
        // that is not a client.
        let gh = states(
            "src/github.ts",
            Lang::TypeScript,
            concat!(
                "import { Octokit } from \"octokit\";\n",
                "const Custom = Octokit.plugin(requestPlugin);\n",
                "const Timed = Custom.defaults({ request: { signal: AbortSignal.timeout(5000) } });\n",
                "class Local extends Base {}\n",
                "export const a = () => new Custom({ auth });\n",
                "export const b = () => new Timed({ auth });\n",
                "export const c = () => new Local();\n",
            ),
        );
        assert_eq!(gh, vec![(5, "octokit", Missing), (6, "octokit", Explicit)]);
        // A subclass exported by one module and built in another.
        let lib = extract(
            "plugins/oidc/OIDCStrategy.ts",
            Lang::TypeScript,
            false,
            "import { Strategy } from \"passport-oauth2\";\nexport class OIDCStrategy extends Strategy {\n  authenticate(req, o) { super.authenticate(req, o); }\n}\n",
        );
        let user = extract(
            "plugins/oidc/router.ts",
            Lang::TypeScript,
            false,
            "import passport from \"koa-passport\";\nimport { OIDCStrategy } from \"./OIDCStrategy\";\nimport { Helper } from \"./helper\";\npassport.use(new OIDCStrategy({ clientID }, verify));\nconst h = new Helper();\n",
        );
        let got: Vec<_> =
            crate::facts::code::resolve_imported(&user.imported_calls, &lib.exported_clients)
                .into_iter()
                .map(|c| (c.location.path, c.location.line, c.client, c.timeout))
                .collect();
        assert_eq!(
            got,
            vec![(
                "plugins/oidc/router.ts".to_string(),
                4,
                "passport-oauth2",
                Missing
            )]
        );
    }

    /// Sites of a row read at function (or file) scope, thousands in one
    /// function: the function is read once for all of them, and each site
    /// still gets the function's own answer (a second function without the
    /// deadline gets its own).
    #[test]
    fn a_function_of_many_sdk_calls_is_read_once() {
        let n = 400;
        let calls = "\tconf.Exchange(ctx, code)\n".repeat(n);
        let go = format!(
            "package main\n\nimport (\n\t\"context\"\n\t\"golang.org/x/oauth2\"\n)\n\nfunc a(ctx context.Context, conf *oauth2.Config, code string) {{\n\tctx, cancel := context.WithTimeout(ctx, time.Second)\n\tdefer cancel()\n{calls}}}\n\nfunc b(ctx context.Context, conf *oauth2.Config, code string) {{\n{calls}}}\n"
        );
        super::SCOPE_READS.with(|r| r.set(0));
        let found = states("main.go", Lang::Go, &go);
        assert_eq!(super::SCOPE_READS.with(|r| r.get()), 2);
        assert_eq!(found.len(), 2 * n);
        let first_b = 10 + n as u32 + 3;
        for (line, client, state) in found {
            assert_eq!(client, "golang.org/x/oauth2");
            let want = if line < first_b {
                TimeoutState::Explicit
            } else {
                TimeoutState::Missing
            };
            assert_eq!(state, want, "line {line}");
        }
        // File scope (Python's firebase_admin messaging): one read.
        let py = format!(
            "from firebase_admin import messaging\n\ndef send(m):\n{}",
            "    messaging.send(m)\n".repeat(n)
        );
        super::SCOPE_READS.with(|r| r.set(0));
        let found = states("app/push.py", Lang::Python, &py);
        assert_eq!(found.len(), n);
        assert_eq!(super::SCOPE_READS.with(|r| r.get()), 1);
    }

    #[test]
    fn every_row_compiles() {
        for c in super::CLIENTS.iter() {
            assert!(
                c.call().is_some() || c.instance().is_some(),
                "{} has neither call nor instance",
                c.row.client
            );
        }
    }

    #[test]
    fn got_per_call_and_extended_instances() {
        let got = js(concat!(
            "import got from 'got';\n",
            "const api = got.extend({ prefixUrl: u, timeout: { request: 5000 } });\n",
            "const raw = got.extend({ prefixUrl: u });\n",
            "export async function a() { return got(u).json(); }\n",
            "export async function b() { return got.post(u, { json: x, timeout: { request: 1000 } }); }\n",
            "export async function c() { return api.get('users'); }\n",
            "export async function d() { return raw('users'); }\n",
        ));
        assert_eq!(
            got,
            vec![
                (4, "got", TimeoutState::Missing),
                (5, "got", TimeoutState::Explicit),
                (6, "got", TimeoutState::Explicit),
                (7, "got", TimeoutState::Missing),
            ]
        );
    }

    #[test]
    fn ky_default_is_a_bound_unless_switched_off() {
        let ky = js(
            "import ky from 'ky';\nconst a = await ky.get(u).json();\nconst b = await ky.post(u, { timeout: false });\n",
        );
        assert_eq!(
            ky,
            vec![
                (2, "ky", TimeoutState::ClientDefault("10 s")),
                (3, "ky", TimeoutState::Disabled),
            ]
        );
    }

    #[test]
    fn superagent_chain_and_node_http_in_function() {
        let s = js(concat!(
            "const superagent = require('superagent');\n",
            "async function a() {\n  return superagent.get(u)\n    .timeout({ response: 5000 });\n}\n",
            "async function b() { return superagent.post(u).send(x); }\n",
        ));
        assert_eq!(
            s,
            vec![
                (3, "superagent", TimeoutState::Explicit),
                (6, "superagent", TimeoutState::Missing),
            ]
        );
        let h = js(concat!(
            "const https = require('https');\n",
            "function a(cb) {\n  const req = https.request(opts, cb);\n  req.setTimeout(5000, () => req.destroy());\n  req.end();\n}\n",
            "function b(cb) {\n  https.get(u, cb);\n}\n",
            "function c() { return this.http.get(u); }\n",
        ));
        assert_eq!(
            h,
            vec![
                (3, "node:http", TimeoutState::Explicit),
                (8, "node:http", TimeoutState::Missing),
            ]
        );
    }

    #[test]
    fn sdks_are_read_where_the_client_is_built() {
        let s = js(concat!(
            "import Stripe from 'stripe';\n",
            "import { S3Client } from '@aws-sdk/client-s3';\n",
            "import { createClient } from 'redis';\n",
            "import OpenAI from 'openai';\n",
            "const stripe = new Stripe(key);\n",
            "const s3 = new S3Client({ region: 'eu-west-1' });\n",
            "const s3b = new S3Client({ requestHandler: { requestTimeout: 3000 } });\n",
            "const cache = createClient({ url });\n",
            "const prisma = new PrismaClient();\n",
            "const ai = new OpenAI();\n",
        ));
        assert_eq!(
            s,
            vec![
                (5, "stripe", TimeoutState::ClientDefault("80 s")),
                (6, "aws-sdk", TimeoutState::Missing),
                (7, "aws-sdk", TimeoutState::Explicit),
                (10, "openai", TimeoutState::TooLong("600 s")),
            ]
        );
        let supa = js(
            "import { createClient } from '@supabase/supabase-js';\nexport const db = createClient(url, key);\n",
        );
        assert_eq!(supa, vec![(2, "supabase", TimeoutState::Missing)]);
    }

    #[test]
    fn not_imported_not_counted() {
        // A local helper called `got` or `request` is not the library.
        let s = js("function request(o) { return o; }\nrequest({ a: 1 });\nconst got = x;\n");
        assert!(s.is_empty(), "{s:?}");
        let u = js("import { request } from 'undici';\nconst r = await request(u);\n");
        assert_eq!(
            u,
            vec![(
                2,
                "undici",
                TimeoutState::TooLong("300 s headers, 300 s body")
            )]
        );
        // undici imported for fetch; `request` is the app's own helper.
        let own = js(
            "import { fetch } from 'undici';\nimport { request } from './api';\nawait request(u);\n",
        );
        assert!(own.is_empty(), "{own:?}");
    }

    #[test]
    fn clients_that_retry_by_themselves() {
        let f = extract(
            "src/a.ts",
            Lang::TypeScript,
            false,
            "import got from 'got';\nimport Stripe from 'stripe';\nconst a = new Stripe(k, { maxNetworkRetries: 2 });\nconst b = new Stripe(k);\nawait got.post(u, { json });\nawait got(u);\nawait got(v, { retry: { limit: 0 } });\n",
        );
        let r: Vec<_> = f
            .retries
            .iter()
            .map(|r| (r.location.line, r.mechanism, r.is_safe()))
            .collect();
        assert_eq!(
            r,
            vec![
                (6, "got built-in retry", true),
                (3, "stripe maxNetworkRetries", true)
            ]
        );
    }

    #[test]
    fn python_sdks() {
        let p = states(
            "app/clients.py",
            Lang::Python,
            "import boto3\nfrom openai import OpenAI\ns3 = boto3.client('s3')\nai = OpenAI(timeout=20.0)\nslow = OpenAI()\n",
        );
        assert_eq!(
            p,
            vec![
                (
                    3,
                    "boto3",
                    TimeoutState::ClientDefault("60 s connect, 60 s read")
                ),
                (4, "openai", TimeoutState::Explicit),
                (5, "openai", TimeoutState::TooLong("600 s")),
            ]
        );
    }

    #[test]
    fn ureq_agents_and_hyper_clients() {
        let u = states(
            "src/main.rs",
            Lang::Rust,
            concat!(
                "fn a() {\n",
                "    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(5)).build();\n",
                "    agent.get(u).call()?;\n",
                "    ureq::get(u).call()?;\n",
                "    ureq::post(u).timeout(Duration::from_secs(2)).send_json(x)?;\n",
                "}\n",
            ),
        );
        assert_eq!(
            u,
            vec![
                (3, "ureq", TimeoutState::Explicit),
                (4, "ureq", TimeoutState::Missing),
                (5, "ureq", TimeoutState::Explicit),
            ]
        );
        let h = states(
            "src/main.rs",
            Lang::Rust,
            concat!(
                "use hyper_util::client::legacy::Client;\n",
                "async fn a() {\n",
                "    let client = Client::builder(TokioExecutor::new()).build_http();\n",
                "    let res = client.request(req).await?;\n",
                "}\n",
                "async fn b(client: C) {\n",
                "    let client2 = Client::builder(TokioExecutor::new()).build_http();\n",
                "    tokio::time::timeout(d, client2.get(uri)).await??;\n",
                "}\n",
            ),
        );
        assert_eq!(
            h,
            vec![
                (4, "hyper", TimeoutState::Missing),
                (8, "hyper", TimeoutState::Explicit),
            ]
        );
    }
}
