//! Command line: raw arguments are validated into plain values by clap before
//! any I/O; `run` returns the exit code (0 ok, 1 below --fail-under, 2 error).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::github;
use crate::report::{Report, baseline, html, json, markdown, sarif, text};
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
    /// Scan, then create or update one readiness comment on a pull request.
    Comment(CommentArgs),
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

/// What both `scan` and `comment` need to produce a report.
#[derive(clap::Args, Debug)]
struct Inputs {
    /// Repository to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Exit with status 1 when the score is below N (0–100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
    /// Configuration file (default: <PATH>/.graduate.toml when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Worker threads for the walk, 1–256 (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// A previous `--format json` report: show the score change and which
    /// findings are new and which are fixed.
    #[arg(long, value_name = "OLD.json")]
    baseline: Option<PathBuf>,
    /// Repository web URL, for links to `path#Lline` in Markdown
    /// (default in GitHub Actions: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY).
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// Do not read git history (graduation-pressure history signals become unknown).
    #[arg(long)]
    no_git: bool,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// When to colour the terminal report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print where PATH's code runs (server, browser, test …) and why,
    /// instead of the report; repeatable. PATH is relative to the scanned root.
    #[arg(long, value_name = "PATH")]
    explain_scope: Vec<String>,
}

#[derive(clap::Args, Debug)]
struct CommentArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// OWNER/NAME (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    repo: Option<String>,
    /// Pull request number (default: from the pull_request event at $GITHUB_EVENT_PATH).
    #[arg(long, value_name = "N")]
    pr: Option<u64>,
    /// GitHub API URL (default: $GITHUB_API_URL, else https://api.github.com).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
    /// Print the comment body instead of posting it.
    #[arg(long)]
    dry_run: bool,
    /// Give up posting after SECS seconds in total, every request, retry and
    /// wait included (default: $GRADUATE_TIMEOUT, else 60).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: Option<u64>,
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
        Command::Comment(args) => comment_cmd(args),
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

/// Scan and attach the baseline diff and source links; warnings go to stderr.
type Built = (Report, Config, Vec<crate::facts::FileRecord>);

fn build_report(inputs: &Inputs) -> Result<Built> {
    // Validate the baseline before scanning: a bad one is a usage error.
    let old = match &inputs.baseline {
        Some(path) => Some(baseline::load(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let threads = inputs.threads.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get().min(256)),
        usize::from,
    );
    let mut result = scan::run(&ScanOptions {
        path: inputs.path.clone(),
        config: inputs.config.clone(),
        threads,
        history: !inputs.no_git,
        fail_under: inputs.fail_under,
    })?;
    result.report.source_url =
        source_url(inputs.repo_url.as_deref(), result.report.commit.as_deref());
    if let Some(old) = &old {
        result.report.baseline = Some(baseline::diff(old, &result.report));
    }
    for w in &result.report.warnings {
        let where_ = if w.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", w.path)
        };
        eprintln!("warning: {where_}{}", w.message);
    }
    Ok((result.report, result.config, result.files))
}

/// `--explain-scope`: one line per path, the scope and its reason.
fn explain_scopes(paths: &[String], files: &[crate::facts::FileRecord]) -> String {
    let mut out = String::new();
    for p in paths {
        let wanted = p.trim_start_matches("./");
        let line = match files.binary_search_by(|f| f.path.as_str().cmp(wanted)) {
            Ok(i) => format!(
                "{}: {} ({})\n",
                crate::safe_text::clean(wanted),
                files[i].scope.id(),
                crate::safe_text::clean(&files[i].scope_reason)
            ),
            Err(_) => format!(
                "{}: not a walked file (ignored, skipped or absent)\n",
                crate::safe_text::clean(wanted)
            ),
        };
        out.push_str(&line);
    }
    out
}

/// Whether the score is below the threshold (flag, else config); says so.
fn below_threshold(inputs: &Inputs, config: &Config, report: &Report) -> bool {
    let threshold = inputs.fail_under.or(config.fail_under);
    match (threshold, report.score) {
        (Some(t), Some(score)) if score < t as u32 => {
            let way = match &report.target {
                Some(target) if !target.fixes.is_empty() => format!(
                    "; the cheapest way there: fix {} ({})",
                    target.fixes.join(", "),
                    target.effort_text
                ),
                _ => String::new(),
            };
            eprintln!("graduate: score {score} is below --fail-under {t}{way}");
            true
        }
        // Nothing scored cannot meet a bar: an empty checkout must not pass.
        (Some(t), None) => {
            let why = report.unscored.as_deref().unwrap_or("no app found");
            eprintln!("graduate: there is no score to hold to --fail-under {t}: {why}");
            true
        }
        _ => false,
    }
}

fn scan_cmd(args: ScanArgs) -> Result<ExitCode> {
    let (report, config, files) = build_report(&args.inputs)?;
    if !args.explain_scope.is_empty() {
        return emit(&explain_scopes(&args.explain_scope, &files));
    }
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
        Format::Text => text::render(&report, color),
        Format::Json => json::render(&report),
        Format::Markdown => markdown::render(&report),
        Format::Sarif => sarif::render(&report),
        Format::Html => html::render(&report),
    };
    let code = match &args.output {
        Some(path) => {
            std::fs::write(path, &rendered)
                .with_context(|| format!("writing {}", path.display()))?;
            ExitCode::SUCCESS
        }
        None => emit(&rendered)?,
    };
    if below_threshold(&args.inputs, &config, &report) {
        return Ok(ExitCode::from(1));
    }
    Ok(code)
}

/// Reads a non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The PR number of a `pull_request`/`pull_request_target` event payload.
pub fn pr_from_event(path: &Path) -> Result<u64> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the event payload {}", path.display()))?;
    let event: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    event
        .get("pull_request")
        .and_then(|p| p.get("number"))
        .and_then(|n| n.as_u64())
        .with_context(|| {
            format!(
                "{} is not a pull_request event (no pull_request.number); pass --pr N",
                path.display()
            )
        })
}

fn comment_cmd(args: CommentArgs) -> Result<ExitCode> {
    // Everything the post needs is checked before scanning.
    let target = if args.dry_run {
        None
    } else {
        let repo = args.repo.clone().or_else(|| env("GITHUB_REPOSITORY")).context(
            "no repository: pass --repo OWNER/NAME (or run in GitHub Actions, which sets GITHUB_REPOSITORY)",
        )?;
        let (owner, name) = repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .with_context(|| format!("--repo must be OWNER/NAME, got `{repo}`"))?;
        let pr = match args.pr {
            Some(n) => n,
            None => match env("GITHUB_EVENT_PATH") {
                Some(p) => pr_from_event(Path::new(&p))?,
                None => bail!(
                    "no pull request: pass --pr N (or run on a pull_request event, whose payload is at GITHUB_EVENT_PATH)"
                ),
            },
        };
        let token = env("GITHUB_TOKEN").or_else(|| env("GH_TOKEN")).context(
            "no token: set GITHUB_TOKEN or GH_TOKEN (with `pull-requests: write`), or use --dry-run",
        )?;
        let api = args
            .api_url
            .clone()
            .or_else(|| env("GITHUB_API_URL"))
            .unwrap_or_else(|| "https://api.github.com".into());
        let secs = match args.timeout {
            Some(secs) => secs,
            None => match env("GRADUATE_TIMEOUT") {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .with_context(|| {
                        format!("GRADUATE_TIMEOUT must be whole seconds from 1 to 3600, got `{v}`")
                    })?,
                None => github::DEFAULT_DEADLINE.as_secs(),
            },
        };
        Some((
            github::Target {
                owner: owner.to_string(),
                repo: name.to_string(),
                pr,
            },
            token,
            api,
            std::time::Duration::from_secs(secs),
        ))
    };
    let (report, config, _) = build_report(&args.inputs)?;
    // Over GitHub's limit, the comment is cut and the uncut one goes to
    // the job summary.
    let summary = env("GITHUB_STEP_SUMMARY");
    let elsewhere = if summary.is_some() {
        "The uncut comment is in this workflow run's job summary."
    } else {
        "`graduate scan --format html` shows the whole report."
    };
    let full = markdown::render(&report);
    let body = markdown::fit(full.clone(), github::COMMENT_LIMIT, elsewhere);
    let below = below_threshold(&args.inputs, &config, &report);
    let Some((target, token, api, deadline)) = target else {
        emit(&body)?;
        return Ok(ExitCode::from(if below { 1 } else { 0 }));
    };
    let posted = github::post_comment(&api, &token, &target, &body, deadline);
    if posted.is_ok()
        && body.len() < full.len()
        && let Some(path) = &summary
    {
        append(path, &full)?;
    }
    match posted {
        Ok(github::Posted::Created(id)) => {
            eprintln!(
                "graduate: created comment {id} on {}/{}#{}",
                target.owner, target.repo, target.pr
            )
        }
        Ok(github::Posted::Updated(id)) => {
            eprintln!(
                "graduate: updated comment {id} on {}/{}#{}",
                target.owner, target.repo, target.pr
            )
        }
        Err(e) => {
            eprintln!("error: posting the comment failed: {e}");
            // The report is not lost: the job summary, or standard output.
            match &summary {
                Some(path) => {
                    append(path, &full)?;
                    eprintln!("graduate: the report was written to the job summary instead");
                }
                None => {
                    emit(&body)?;
                }
            }
            return Ok(ExitCode::from(if below { 1 } else { 2 }));
        }
    }
    Ok(ExitCode::from(if below { 1 } else { 0 }))
}

fn append(path: &str, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {path}"))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {path}"))
}

/// `<repo>/blob/<commit>/`, from `--repo-url` or GitHub Actions' environment.
fn source_url(flag: Option<&str>, commit: Option<&str>) -> Option<String> {
    let repo = match flag {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => {
            let name = env("GITHUB_REPOSITORY")?;
            let server = env("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
            format!("{}/{name}", server.trim_end_matches('/'))
        }
    };
    let rev = commit
        .map(String::from)
        .or_else(|| env("GITHUB_SHA"))
        .unwrap_or_else(|| "HEAD".into());
    Some(format!("{repo}/blob/{rev}/"))
}

/// Write to stdout; a closed pipe (`graduate … | head`) is not an error.
/// Report text is already clean ([`crate::safe_text`]); as a last guard, no
/// line may start like a GitHub Actions workflow command (`::`), whatever a
/// renderer did with wrapping.
fn emit(s: &str) -> Result<ExitCode> {
    let guarded = guard_workflow_commands(s);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(guarded.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

/// Prefix every line that the Actions runner would read as a command
/// (`::name …::`, after leading spaces) with a backslash.
pub fn guard_workflow_commands(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("::") {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for line in s.split_inclusive('\n') {
        if line.trim_start().starts_with("::") {
            out.push('\\');
        }
        out.push_str(line);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_output_line_starts_a_workflow_command() {
        let out = guard_workflow_commands("ok\n  ::error file=a::x\nreqwest::get\n::add-mask::y");
        assert_eq!(
            out,
            "ok\n\\  ::error file=a::x\nreqwest::get\n\\::add-mask::y"
        );
        assert!(matches!(
            guard_workflow_commands("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
