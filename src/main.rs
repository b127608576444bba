use std::process::ExitCode;

use clap::Parser;

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
