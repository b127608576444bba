use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = graduate::cli::Cli::parse();
    match graduate::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
