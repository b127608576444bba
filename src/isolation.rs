//! Per-file isolation: a bug in one extractor costs one warning, never the scan.
//!
//! The scanned tree is hostile, and the extractors are many small readers of
//! it; sooner or later one of them meets an input it slices wrong. Without
//! isolation a panic on a walker thread takes the whole run down (the
//! parallel walker re-raises it on the main thread) and the default panic
//! hook prints the panic message, which often quotes the text being read,
//! raw to stderr: into a CI log, straight from a stranger's pull request.
//!
//! [`catch`] runs one file's extraction with panics caught and the hook
//! silenced for that thread only (a thread-local flag, so other threads and
//! the test harness keep their normal hook). The panic becomes an
//! [`InternalError`] whose text keeps our own words and drops whatever was
//! quoted: no repository string reaches the output through it. The CLI also
//! calls [`sanitise_all_panics`] so that a panic anywhere else in a scan
//! prints the same sanitised line instead of the raw message.
//!
//! A stack overflow is not a panic and cannot be caught; the depth guard in
//! front of the recursive parsers (`facts::code::nesting`) is what keeps it
//! from happening.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, PanicHookInfo};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    /// Set while this thread runs inside [`catch`]: the hook stays silent.
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last silenced panic of this thread happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();
static SANITISE_ALL: AtomicBool = AtomicBool::new(false);

/// A panic caught inside one file's extraction, described without any of the
/// text it may have quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError(pub String);

impl std::fmt::Display for InternalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run `f`, turning a panic into an [`InternalError`]. The panic hook says
/// nothing meanwhile; the error says what and where.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, InternalError> {
    install();
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    result.map_err(|payload| {
        // A panic already described on another thread (the Rust parser runs
        // on its own, larger stack) keeps that description.
        if let Some(e) = payload.downcast_ref::<InternalError>() {
            return e.clone();
        }
        let location = LOCATION.with(|l| l.borrow_mut().take());
        InternalError(describe(payload.as_ref(), location.as_deref()))
    })
}

/// From now on, a panic outside [`catch`] prints one sanitised line too (the
/// CLI's choice; tests keep the normal hook).
pub fn sanitise_all_panics() {
    install();
    SANITISE_ALL.store(true, Ordering::Relaxed);
}

fn install() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info.location().map(|l| location(l.file(), l.line()));
                LOCATION.with(|l| *l.borrow_mut() = at);
            } else if SANITISE_ALL.load(Ordering::Relaxed) {
                eprintln!(
                    "graduate: internal error (please report): {}",
                    describe(info.payload(), hook_location(info).as_deref())
                );
            } else {
                previous(info);
            }
        }));
    });
}

fn hook_location(info: &PanicHookInfo<'_>) -> Option<String> {
    info.location().map(|l| location(l.file(), l.line()))
}

/// `src/facts/code/practices.rs:296`, or `syn-3.0.9/src/expr.rs:1234` for a
/// dependency (without the build machine's registry path).
fn location(file: &str, line: u32) -> String {
    let short = match file.find("/registry/src/") {
        Some(i) => {
            let rest = &file[i + "/registry/src/".len()..];
            rest.split_once('/')
                .map_or(rest, |(_, crate_path)| crate_path)
        }
        None => file,
    };
    format!("{short}:{line}")
}

/// Longest description kept; a panic message is a sentence, not a dump.
const MAX_DESCRIPTION: usize = 160;

/// The panic message up to its first quote, printable ASCII only, bounded,
/// with the location appended. Rust's own messages quote the data they
/// choke on (``…inside '\u{a0}' of `"user",\u{a0}user.email` ``), and the
/// quoted text can itself hold quotes, so nothing after the first one is
/// kept: what is left is our words and the standard library's.
fn describe(payload: &(dyn Any + Send), location: Option<&str>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic");
    let mut out = String::new();
    for c in message.chars() {
        if matches!(c, '`' | '"' | '\'') || out.len() >= MAX_DESCRIPTION {
            out.push('…');
            break;
        }
        out.push(if c == ' ' || c.is_ascii_graphic() {
            c
        } else {
            '?'
        });
    }
    match location {
        Some(at) => format!("{} at {at}", out.trim()),
        None => out.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_keeps_our_words_and_drops_the_quoted_text() {
        let text = String::from("log(\"x\",\u{a0}user.email)");
        let err = catch(|| {
            let i = text.find('\u{a0}').unwrap() + 1;
            text[i..].len()
        })
        .unwrap_err();
        assert!(err.0.contains("is not a char boundary"), "{err}");
        assert!(!err.0.contains("user"), "{err}");
        assert!(err.0.contains("src/isolation.rs:"), "{err}");
    }

    #[test]
    fn catch_returns_the_value_when_nothing_panics() {
        assert_eq!(catch(|| 7), Ok(7));
    }

    #[test]
    fn descriptions_are_bounded_and_printable() {
        let long = format!("boom {}\u{1b}[2J", "x".repeat(1000));
        let d = describe(&long, None);
        assert!(d.len() <= MAX_DESCRIPTION + 4, "{d}");
        let d = describe(&"bad \u{1b}[2J byte", Some("src/a.rs:1"));
        assert_eq!(d, "bad ?[2J byte at src/a.rs:1");
        // Whatever follows a quote may be the repository's text, quotes and all.
        let d = describe(&"inside `x` SECRET `y`", None);
        assert_eq!(d, "inside …");
    }

    #[test]
    fn dependency_locations_drop_the_registry_path() {
        assert_eq!(
            location(
                "/root/.cargo/registry/src/index.crates.io-1949/syn-3.0.9/src/expr.rs",
                12
            ),
            "syn-3.0.9/src/expr.rs:12"
        );
        assert_eq!(location("src/walk.rs", 3), "src/walk.rs:3");
    }
}
