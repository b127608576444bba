//! Command line: raw arguments are validated into plain values by clap before
//! any I/O; `run` returns the exit code (0 ok, 1 below --fail-under, 2 error).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::report::{baseline, html, json, markdown, sarif, text};
use crate::rules;
use crate::scan::{self, ScanOptions};

#[derive(Parser, Debug)]
#[command(
    name = "graduate",
    version,
    about = "Graduation-readiness scanner for micro apps",
    long_about = "Scans a repository statically, scores it against a production-readiness \
                  checklist and prints a prioritised debt report. Never runs or modifies the \
                  scanned code."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan a repository and report its readiness.
    Scan(ScanArgs),
    /// List every rule: id, pillar, title, impact/risk/effort.
    Rules,
    /// Explain a rule: what it checks, why it matters, how to fix it.
    Explain {
        /// Rule id, e.g. outbound-timeout.
        rule: String,
    },
    /// Write docs/rules/<id>.md for every rule into DIR (for maintainers).
    #[command(hide = true)]
    Docs { dir: PathBuf },
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// Repository to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit with status 1 when the score is below N (0–100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
    /// Configuration file (default: <PATH>/.graduate.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// When to colour the terminal report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Worker threads for the walk (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// A previous `--format json` report: show the score change and which
    /// findings are new and which are fixed.
    #[arg(long, value_name = "OLD.json")]
    baseline: Option<PathBuf>,
    /// Repository web URL, for links to `path#Lline` in Markdown
    /// (default in GitHub Actions: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY).
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Markdown,
    Sarif,
    Html,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan_cmd(args),
        Command::Rules => {
            let mut out = String::new();
            for r in rules::all() {
                let m = &r.meta;
                out.push_str(&format!(
                    "{:<20} {:<14} i{} r{} e{}  {}\n",
                    m.id,
                    m.pillar.id(),
                    m.impact,
                    m.risk,
                    m.effort,
                    m.title
                ));
            }
            emit(&out)
        }
        Command::Explain { rule } => {
            let Some(r) = rules::find(&rule) else {
                bail!("unknown rule `{rule}` (see `graduate rules`)");
            };
            emit(&crate::docs::rule_markdown(&r.meta))
        }
        Command::Docs { dir } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for r in rules::all() {
                let path = dir.join(format!("{}.md", r.meta.id));
                std::fs::write(&path, crate::docs::rule_markdown(&r.meta))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn scan_cmd(args: ScanArgs) -> Result<ExitCode> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    // Validate the baseline before scanning: a bad one is a usage error.
    let old = match &args.baseline {
        Some(path) => Some(baseline::load(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let mut result = scan::run(&ScanOptions {
        path: args.path,
        config: args.config,
        threads,
    })?;
    result.report.source_url =
        source_url(args.repo_url.as_deref(), result.report.commit.as_deref());
    if let Some(old) = &old {
        result.report.baseline = Some(baseline::diff(old, &result.report));
    }
    let report = &result.report;
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let rendered = match args.format {
        Format::Text => text::render(report, color),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Html => html::render(report),
    };
    for w in &report.warnings {
        let where_ = if w.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", w.path)
        };
        eprintln!("warning: {where_}{}", w.message);
    }
    let code = match &args.output {
        Some(path) => {
            std::fs::write(path, &rendered)
                .with_context(|| format!("writing {}", path.display()))?;
            ExitCode::SUCCESS
        }
        None => emit(&rendered)?,
    };
    let threshold = args.fail_under.or(result.config.fail_under);
    if let Some(t) = threshold
        && report.score < t as u32
    {
        eprintln!("graduate: score {} is below --fail-under {t}", report.score);
        return Ok(ExitCode::from(1));
    }
    Ok(code)
}

/// `<repo>/blob/<commit>/`, from `--repo-url` or GitHub Actions' environment.
fn source_url(flag: Option<&str>, commit: Option<&str>) -> Option<String> {
    let repo = match flag {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let name = std::env::var("GITHUB_REPOSITORY")
                .ok()
                .filter(|s| !s.is_empty())?;
            let server = std::env::var("GITHUB_SERVER_URL")
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "https://github.com".into());
            format!("{}/{name}", server.trim_end_matches('/'))
        }
    };
    let rev = commit
        .map(String::from)
        .or_else(|| std::env::var("GITHUB_SHA").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "HEAD".into());
    Some(format!("{repo}/blob/{rev}/"))
}

/// Write to stdout; a closed pipe (`graduate … | head`) is not an error.
fn emit(s: &str) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("writing to stdout"),
    }
}
