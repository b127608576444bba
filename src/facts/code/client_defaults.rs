//! Process-wide client defaults (`axios.defaults.timeout = …`, Go's
//! `http.DefaultClient.Timeout = …`), read from `rules/client-defaults.toml`.
//! A default set in service code bounds every call of that client that sets
//! no timeout of its own; the call's evidence then names the line that
//! bounds it. Applied when facts are merged, because the default is usually
//! set in the entry file and the calls live everywhere else.

use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::{OutboundCall, TimeoutState};
use crate::facts::Location;
use crate::inventory::Lang;

#[derive(Deserialize)]
struct Row {
    lang: String,
    client: String,
    needle: String,
    sets: String,
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    calls: Vec<String>,
    // Examples: read by the table's own test.
    #[serde(rename = "match")]
    #[cfg_attr(not(test), allow(dead_code))]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    keep: Vec<String>,
}

#[derive(Deserialize)]
struct Table {
    default: Vec<Row>,
}

struct Default {
    row: Row,
    sets: Regex,
    off: Vec<Regex>,
}

const TABLE_SRC: &str = include_str!("../../../rules/client-defaults.toml");

static DEFAULTS: LazyLock<Vec<Default>> = LazyLock::new(|| {
    let table: Table = toml::from_str(TABLE_SRC).expect("rules/client-defaults.toml parses");
    table
        .default
        .into_iter()
        .map(|row| Default {
            sets: crate::facts::pattern::regex(&row.sets),
            off: row
                .off
                .iter()
                .map(|o| crate::facts::pattern::regex(o))
                .collect(),
            row,
        })
        .collect()
});

/// A default set at one place, for one client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientDefault {
    pub location: Location,
    pub client: String,
}

fn lang_key(lang: Lang) -> &'static str {
    match lang {
        Lang::JavaScript | Lang::TypeScript => "js",
        Lang::Python => "py",
        Lang::Go => "go",
        Lang::Rust => "rs",
    }
}

/// Defaults set in one file, by line (comments are not code: lines that
/// start a comment are skipped).
pub fn scan(path: &str, lang: Lang, text: &str) -> Vec<ClientDefault> {
    let key = lang_key(lang);
    // Each row's needle first (`defaults`, `EMAIL_TIMEOUT`): one search of
    // the whole text per row that holds it keeps the per-line captures to
    // the rare file that sets a default. A row anchored at a line's start
    // (`^\s*EMAIL_TIMEOUT`) is searched line by line in that rare file.
    let rows: Vec<&Default> = DEFAULTS
        .iter()
        .filter(|d| {
            d.row.lang == key
                && text.contains(d.row.needle.as_str())
                && (d.row.sets.starts_with('^') || d.sets.is_match(text))
        })
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("//") || t.starts_with('#') || t.starts_with('*') {
            continue;
        }
        for d in &rows {
            if let Some(c) = d.sets.captures(line) {
                let value = c.name("value").map_or("", |v| v.as_str().trim());
                if !d.off.iter().any(|o| o.is_match(value)) {
                    out.push(ClientDefault {
                        location: Location::new(path, i as u32 + 1),
                        client: d.row.client.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Bound the calls that the defaults cover and that set nothing themselves.
pub fn apply(defaults: &[ClientDefault], calls: &mut [OutboundCall]) {
    for d in defaults {
        let Some(row) = DEFAULTS.iter().find(|r| r.row.client == d.client) else {
            continue;
        };
        for call in calls.iter_mut() {
            if call.client == d.client
                && matches!(
                    call.timeout,
                    TimeoutState::Missing | TimeoutState::TooLong(_)
                )
                && (row.row.calls.is_empty() || row.row.calls.iter().any(|c| call.note.contains(c)))
            {
                call.timeout = TimeoutState::Explicit;
                call.note = format!(
                    "{}; bounded by the process-wide default set at {}:{}",
                    call.note, d.location.path, d.location.line
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_matches_its_examples() {
        for d in DEFAULTS.iter() {
            for m in &d.row.matches {
                assert!(d.sets.is_match(m), "{}: {m}", d.row.client);
            }
            for k in &d.row.keep {
                assert!(!d.sets.is_match(k), "{}: {k}", d.row.client);
            }
        }
    }

    /// Each row's `match` line, alone in a file, is found by [`scan`]: its
    /// needle lets the file through (a NestJS `HttpModule.register` line
    /// holds no "default").
    #[test]
    fn every_match_line_passes_the_prefilter() {
        for d in DEFAULTS.iter() {
            let lang = match d.row.lang.as_str() {
                "js" => Lang::JavaScript,
                "py" => Lang::Python,
                "go" => Lang::Go,
                _ => Lang::Rust,
            };
            for m in &d.row.matches {
                assert!(
                    m.contains(d.row.needle.as_str()),
                    "{}: needle",
                    d.row.client
                );
                let found = scan("app/settings.x", lang, &format!("{m}\n"));
                assert_eq!(found.len(), 1, "{}: {m}", d.row.client);
            }
        }
    }

    /// Django's mail is bounded by `EMAIL_TIMEOUT` in the settings module,
    /// not when it is `None` (Django's own default) or only read.
    #[test]
    fn email_timeout_in_settings_bounds_django_mail() {
        let settings = "import os\nEMAIL_HOST = os.getenv('EMAIL_HOST', '')\nEMAIL_TIMEOUT = 10\n";
        let found = scan("proj/settings.py", Lang::Python, settings);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.line, 3);
        let mut calls = vec![OutboundCall {
            location: Location::new("shop/views.py", 12),
            client: "django.core.mail",
            timeout: TimeoutState::Missing,
            note: "send_mail, and django.core.mail has no timeout by default".into(),
        }];
        apply(&found, &mut calls);
        assert_eq!(calls[0].timeout, TimeoutState::Explicit);
        assert!(calls[0].note.contains("proj/settings.py:3"));
        for unset in [
            "EMAIL_TIMEOUT = None\n",
            "# EMAIL_TIMEOUT = 10\n",
            "timeout = settings.EMAIL_TIMEOUT\n",
        ] {
            assert!(
                scan("proj/settings.py", Lang::Python, unset).is_empty(),
                "{unset}"
            );
        }
    }

    #[test]
    fn a_default_bounds_only_calls_without_their_own() {
        let found = scan(
            "server/index.js",
            Lang::JavaScript,
            "const axios = require('axios');\n// axios.defaults.timeout = 0\naxios.defaults.timeout = 300 * 1000;\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.line, 3);
        let call = |client: &'static str, timeout, note: &str| OutboundCall {
            location: Location::new("server/notify.js", 9),
            client,
            timeout,
            note: note.into(),
        };
        let mut calls = vec![
            call("axios", TimeoutState::Missing, "axios.post, no timeout"),
            call("fetch", TimeoutState::Missing, "fetch, no AbortSignal"),
            call("axios", TimeoutState::Disabled, "axios.get, timeout: 0"),
        ];
        apply(&found, &mut calls);
        assert_eq!(calls[0].timeout, TimeoutState::Explicit);
        assert!(calls[0].note.contains("server/index.js:3"));
        assert_eq!(calls[1].timeout, TimeoutState::Missing);
        assert_eq!(calls[2].timeout, TimeoutState::Disabled);
        assert!(scan("a.js", Lang::JavaScript, "axios.defaults.timeout = 0;\n").is_empty());
    }
}
