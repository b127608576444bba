use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc's malloc: a scan is millions of small
/// allocations on every thread (per-file facts, findings, the report's
/// strings), and glibc spent about a tenth of a scan's CPU in malloc, free and
/// consolidating its arenas. Only the binary: the library leaves the choice to
/// whoever links it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A panic message can quote the scanned repository's text: never raw.
    graduate::isolation::sanitise_all_panics();
    let cli = graduate::cli::Cli::parse();
    match graduate::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            // The chain can quote a path or a config value from the scanned tree.
            eprintln!(
                "error: {}",
                graduate::safe_text::for_terminal(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}
