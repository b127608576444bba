//! Command line: raw arguments are validated into plain values by clap before
//! any I/O; `run` returns the exit code (0 ok, 1 below --fail-under, 2 error).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::github;
use crate::report::{Report, baseline, html, json, markdown, sarif, text};
use crate::rules;
use crate::scan::{self, ScanOptions};

const ABOUT: &str = "Graduation-readiness scanner for micro apps";
const LONG_ABOUT: &str = "Scans a repository statically, scores it against a production-readiness \
                          checklist and prints a prioritised debt report. Never runs or modifies \
                          the scanned code.";

#[derive(Parser, Debug)]
#[command(name = "graduate", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The command line that users see: help, completions and man pages are
/// generated from it. clap_complete lists hidden subcommands, so the
/// maintainers' commands are not in it but beside it in [`Command`].
#[derive(Parser, Debug)]
#[command(name = "graduate", version, about = ABOUT, long_about = LONG_ABOUT)]
struct UserCli {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Subcommand, Debug)]
enum Command {
    #[command(flatten)]
    User(UserCommand),
    /// Write docs/rules/<id>.md for every rule into DIR (for maintainers).
    #[command(hide = true)]
    Docs { dir: PathBuf },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Scan a repository and report its readiness.
    Scan(ScanArgs),
    /// Scan, then create or update one readiness comment on a pull request.
    Comment(CommentArgs),
    /// List every rule by pillar: id, impact/risk/effort, title.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a rule: what it checks, why it matters, how to fix it.
    Explain {
        /// Rule id, e.g. outbound-timeout.
        rule: String,
        /// `text` for the terminal, or the page's Markdown source (as in
        /// docs/rules/).
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Print the JSON Schema of the `--format json` report (draft 2020-12).
    Schema,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff); with --dir, write one page per command.
    Man {
        /// Write graduate.1 and graduate-<command>.1 into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
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
    /// Exit with status 1 when the scan has findings that the --baseline
    /// report does not (also `fail-on-new = true` in the config).
    #[arg(long, requires = "baseline")]
    fail_on_new: bool,
    /// Exit with status 1 when the score fell by more than N against the
    /// --baseline report (also `fail-on-drop = N` in the config).
    #[arg(long, value_name = "N", requires = "baseline",
          value_parser = clap::value_parser!(u32).range(0..=100))]
    fail_on_drop: Option<u32>,
    /// Auditor mode: score as if nothing were waived (inline allows,
    /// `[[waivers]]`, `disable`, `[secrets] allow`); the waivers are listed
    /// as ignored.
    #[arg(long)]
    no_waivers: bool,
    /// Repository web URL, for links to `path#Lline` in Markdown
    /// (default in GitHub Actions: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY).
    #[arg(long, value_name = "URL")]
    repo_url: Option<String>,
    /// Do not read git history (graduation-pressure history signals become unknown).
    #[arg(long)]
    no_git: bool,
    /// Print no warnings or progress notes on standard error (the report
    /// still lists the warnings); errors and the --fail-under verdict still
    /// print. For a second run over the same tree, whose warnings were shown.
    #[arg(long, short)]
    quiet: bool,
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
    /// Write the report to FILE instead of standard output (`-` is
    /// standard output, as for most command-line tools; `./-` names a file).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Terminal report: list every finding, waiver and warning (the default
    /// groups findings by rule and fits about one screen).
    #[arg(long)]
    all: bool,
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
enum ListFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExplainFormat {
    Text,
    Markdown,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let command = match cli.command {
        Command::User(command) => command,
        Command::Docs { dir } => return write_rule_docs(&dir),
    };
    match command {
        UserCommand::Scan(args) => scan_cmd(args),
        UserCommand::Comment(args) => comment_cmd(args),
        UserCommand::Rules { format } => emit(&match format {
            ListFormat::Text => crate::catalogue::text(),
            ListFormat::Json => crate::catalogue::json(),
        }),
        UserCommand::Explain { rule, format } => {
            let Some(r) = rules::find(&rule) else {
                let rule = crate::safe_text::clean(&rule);
                match crate::catalogue::closest_id(&rule) {
                    Some(id) => bail!(
                        "unknown rule `{rule}`; did you mean `{id}`? (`graduate rules` lists them all)"
                    ),
                    None => bail!("unknown rule `{rule}` (`graduate rules` lists them all)"),
                }
            };
            let page = crate::docs::rule_markdown(&r.meta);
            emit(&match format {
                ExplainFormat::Markdown => page,
                ExplainFormat::Text => {
                    crate::docs::for_terminal(&page, text::width(), colour(Color::Auto, false))
                }
            })
        }
        UserCommand::Schema => emit(&crate::schema::render()),
        // Generated from the clap definitions above, like --help: one source
        // for help, completions and the man pages.
        UserCommand::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut UserCli::command(), "graduate", &mut out);
            write_stdout(&out)
        }
        UserCommand::Man { dir: None } => {
            let mut out = Vec::new();
            // No `help` command: it has no page of its own.
            clap_mangen::Man::new(UserCli::command().disable_help_subcommand(true))
                .render(&mut out)
                .context("rendering the man page")?;
            write_stdout(&out)
        }
        UserCommand::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(UserCli::command(), &dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_rule_docs(dir: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for r in rules::all() {
        let path = dir.join(format!("{}.md", r.meta.id));
        std::fs::write(&path, crate::docs::rule_markdown(&r.meta))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--threads`, else one per core.
fn threads(inputs: &Inputs) -> usize {
    inputs.threads.map_or_else(
        || std::thread::available_parallelism().map_or(2, |n| n.get().min(256)),
        usize::from,
    )
}

/// Scan and attach the baseline diff and source links; warnings go to stderr.
type Built = (Report, Config, Vec<crate::facts::FileRecord>);

fn build_report(inputs: &Inputs) -> Result<Built> {
    // Validate the baseline before scanning: a bad one is a usage error.
    let old = match &inputs.baseline {
        Some(path) => Some(baseline::load(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let threads = threads(inputs);
    let mut result = scan::run(&ScanOptions {
        path: inputs.path.clone(),
        config: inputs.config.clone(),
        threads,
        history: !inputs.no_git,
        fail_under: inputs.fail_under,
        waivers: !inputs.no_waivers,
    })?;
    result.report.source_url =
        source_url(inputs.repo_url.as_deref(), result.report.commit.as_deref());
    let config = &result.config;
    let fail_on_new = inputs.fail_on_new || config.fail_on_new == Some(true);
    let fail_on_drop = inputs.fail_on_drop.or(config.fail_on_drop);
    if old.is_none() && (fail_on_new || fail_on_drop.is_some()) {
        // Only the config asks: a gate without a baseline cannot be judged.
        bail!(
            "{} sets `fail-on-new` or `fail-on-drop`, which need --baseline OLD.json",
            config.source
        );
    }
    if let Some(old) = &old {
        result.report.baseline = Some(baseline::diff(old, &result.report));
    }
    let mut gates = Vec::new();
    if let Some(g) = fail_under_gate(inputs.fail_under.or(config.fail_under), &result.report) {
        gates.push(g);
    }
    gates.extend(baseline::gates(&result.report, fail_on_new, fail_on_drop));
    result.report.gates = gates;
    for w in result.report.warnings.iter().filter(|_| !inputs.quiet) {
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

/// `--fail-under` as a gate of the report, so the PR comment can name it.
fn fail_under_gate(threshold: Option<u8>, report: &Report) -> Option<baseline::GateResult> {
    let t = threshold? as u32;
    let (passed, message) = match report.score {
        Some(s) if s >= t => (true, format!("score {s} meets {t}")),
        Some(s) => (false, format!("score {s} is below {t}")),
        None => (false, format!("there is no score to hold to {t}")),
    };
    let findings = match &report.target {
        Some(target) if !passed => target
            .fixes
            .iter()
            .map(|f| format!("fix {f}").into())
            .collect(),
        _ => Vec::new(),
    };
    Some(baseline::GateResult {
        gate: "fail-under",
        passed,
        message: message.into(),
        findings,
    })
}

/// Whether a baseline gate (`--fail-on-new`, `--fail-on-drop`) failed;
/// says which and names what tripped it.
fn baseline_gates_failed(report: &Report) -> bool {
    let mut failed = false;
    for g in report
        .gates
        .iter()
        .filter(|g| !g.passed && g.gate != "fail-under")
    {
        failed = true;
        eprintln!("graduate: --{} failed: {}", g.gate, g.message);
        for f in g.findings.iter().take(20) {
            eprintln!("  {f}");
        }
        if g.findings.len() > 20 {
            eprintln!("  … and {} more", g.findings.len() - 20);
        }
    }
    failed
}

fn scan_cmd(mut args: ScanArgs) -> Result<ExitCode> {
    if args.output.as_deref() == Some(Path::new("-")) {
        args.output = None;
    }
    let (report, config, files) = build_report(&args.inputs)?;
    if !args.explain_scope.is_empty() {
        return emit(&explain_scopes(&args.explain_scope, &files));
    }
    let color = colour(args.color, args.output.is_some());
    let rendered = match args.format {
        // Tens of megabytes for a monorepo: written as it is rendered.
        Format::Json => {
            let threads = threads(&args.inputs);
            let code = write_lines(args.output.as_deref(), |out| {
                json::render_lines(&report, threads, out)
            })?;
            return finish(&args, config, report, files, String::new(), code);
        }
        Format::Text => text::render(
            &report,
            text::Layout {
                all: args.all,
                ..text::Layout::new(
                    color,
                    if args.output.is_some() {
                        80
                    } else {
                        text::width()
                    },
                )
            },
        ),
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
    finish(&args, config, report, files, rendered, code)
}

/// The scan's exit: the gates' verdicts on stderr, then the code.
fn finish(
    args: &ScanArgs,
    config: Config,
    report: Report,
    files: Vec<crate::facts::FileRecord>,
    rendered: String,
    code: ExitCode,
) -> Result<ExitCode> {
    let below = below_threshold(&args.inputs, &config, &report);
    let failed = baseline_gates_failed(&report) | below;
    // The process ends here: freeing a monorepo's report (a million small
    // strings for 1,250 services) took 60 ms of a 1 s scan, on one thread,
    // for memory the exit hands back at once.
    std::mem::forget((report, config, files, rendered));
    if failed {
        return Ok(ExitCode::from(1));
    }
    Ok(code)
}

/// Whether the terminal report is coloured: `--color`, else the conventions
/// terminal tools share, as anstream reads them: `NO_COLOR` (set, non-empty)
/// turns colour off, then `CLICOLOR_FORCE` turns it on even in a pipe, then
/// `CLICOLOR=0` off; otherwise colour when standard output is a terminal that
/// can show it (`TERM=dumb` cannot). A file named by `--output` never gets
/// escape codes unless asked for with `--color always`.
fn colour(flag: Color, to_file: bool) -> bool {
    match flag {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            !to_file
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

/// Reads a non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Why GitHub gave this run a token that cannot comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOnlyToken {
    /// A `pull_request` run for a branch of a fork: GitHub withholds write
    /// permissions (and secrets) from code the maintainers have not merged.
    Fork,
    /// A `pull_request` run started by Dependabot gets the same treatment.
    Dependabot,
}

/// What a pull request event payload tells the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestEvent {
    pub number: u64,
    /// Set when the run's token is read-only whatever the workflow's
    /// `permissions:` say; `pull_request_target` runs are never read-only.
    pub read_only: Option<ReadOnlyToken>,
}

/// The PR number of a `pull_request`/`pull_request_target` event payload.
pub fn pr_from_event(path: &Path) -> Result<u64> {
    Ok(pull_request_event(path, None)?.number)
}

/// Reads a pull request event payload. `event_name` is `GITHUB_EVENT_NAME`:
/// only the `pull_request*` events other than `pull_request_target` run with
/// a read-only token for forks and Dependabot.
pub fn pull_request_event(path: &Path, event_name: Option<&str>) -> Result<PullRequestEvent> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the event payload {}", path.display()))?;
    let event: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let pr = event.get("pull_request");
    let number = pr
        .and_then(|p| p.get("number"))
        .and_then(|n| n.as_u64())
        .with_context(|| {
            format!(
                "{} is not a pull_request event (no pull_request.number); pass --pr N",
                path.display()
            )
        })?;
    let limited =
        event_name.is_some_and(|n| n.starts_with("pull_request") && n != "pull_request_target");
    let repo_of = |side: &str| {
        pr.and_then(|p| p.pointer(&format!("/{side}/repo/full_name")))
            .and_then(|n| n.as_str())
    };
    // A deleted fork leaves `head.repo` null: still not this repository.
    let from_fork = match (repo_of("head"), repo_of("base")) {
        (Some(head), Some(base)) => !head.eq_ignore_ascii_case(base),
        (None, Some(_)) => true,
        _ => false,
    };
    let by_dependabot = event
        .pointer("/sender/login")
        .and_then(|l| l.as_str())
        .is_some_and(|l| l == "dependabot[bot]");
    let read_only = match (limited, from_fork, by_dependabot) {
        (false, _, _) => None,
        (true, true, _) => Some(ReadOnlyToken::Fork),
        (true, false, true) => Some(ReadOnlyToken::Dependabot),
        (true, false, false) => None,
    };
    Ok(PullRequestEvent { number, read_only })
}

/// Where `graduate comment` puts the report.
enum Destination {
    /// `--dry-run`: standard output.
    Stdout,
    /// The pull request's sticky comment.
    Comment {
        target: github::Target,
        token: String,
        api: String,
        deadline: std::time::Duration,
    },
    /// The token cannot comment: the job summary (or standard output), with
    /// one warning; the exit code is the gates' alone.
    ReadOnly(ReadOnlyToken),
}

fn comment_cmd(args: CommentArgs) -> Result<ExitCode> {
    // Everything the post needs is checked before scanning.
    let destination = if args.dry_run {
        Destination::Stdout
    } else {
        let event_name = env("GITHUB_EVENT_NAME");
        let event = match env("GITHUB_EVENT_PATH") {
            Some(p) if args.pr.is_none() || is_pull_request_event(event_name.as_deref()) => {
                Some(pull_request_event(Path::new(&p), event_name.as_deref())?)
            }
            _ => None,
        };
        match event.as_ref().and_then(|e| e.read_only) {
            Some(why) => Destination::ReadOnly(why),
            None => comment_destination(&args, event.map(|e| e.number))?,
        }
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
    let below = below_threshold(&args.inputs, &config, &report) | baseline_gates_failed(&report);
    let gates = ExitCode::from(if below { 1 } else { 0 });
    let (target, token, api, deadline) = match destination {
        Destination::Stdout => {
            emit(&body)?;
            return Ok(gates);
        }
        Destination::ReadOnly(why) => {
            warn_read_only(why, summary.is_some());
            match &summary {
                Some(path) => append(path, &full)?,
                None => {
                    emit(&body)?;
                }
            }
            return Ok(gates);
        }
        Destination::Comment {
            target,
            token,
            api,
            deadline,
        } => (target, token, api, deadline),
    };
    let posted = github::post_comment(&api, &token, &target, &body, deadline);
    if posted.is_ok()
        && body.len() < full.len()
        && let Some(path) = &summary
    {
        append(path, &full)?;
    }
    let done = match posted {
        Ok(github::Posted::Created(id)) => format!("created comment {id}"),
        Ok(github::Posted::Updated(id)) => format!("updated comment {id}"),
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
    };
    if !args.inputs.quiet {
        eprintln!(
            "graduate: {done} on {}/{}#{}",
            target.owner, target.repo, target.pr
        );
    }
    Ok(gates)
}

/// `pull_request`, `pull_request_target`, `pull_request_review` …
fn is_pull_request_event(name: Option<&str>) -> bool {
    name.is_some_and(|n| n.starts_with("pull_request"))
}

/// Repository, pull request, token, API and deadline, from the flags and
/// GitHub Actions' environment; a missing one is a usage error.
fn comment_destination(args: &CommentArgs, event_pr: Option<u64>) -> Result<Destination> {
    let repo = args.repo.clone().or_else(|| env("GITHUB_REPOSITORY")).context(
        "no repository: pass --repo OWNER/NAME (or run in GitHub Actions, which sets GITHUB_REPOSITORY)",
    )?;
    let (owner, name) = repo
        .split_once('/')
        .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
        .with_context(|| format!("--repo must be OWNER/NAME, got `{repo}`"))?;
    let pr = args.pr.or(event_pr).context(
        "no pull request: pass --pr N (or run on a pull_request event, whose payload is at GITHUB_EVENT_PATH)",
    )?;
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
    Ok(Destination::Comment {
        target: github::Target {
            owner: owner.to_string(),
            repo: name.to_string(),
            pr,
        },
        token,
        api,
        deadline: std::time::Duration::from_secs(secs),
    })
}

/// One warning for a run whose token cannot comment. Inside GitHub Actions
/// it is a workflow command, so it shows as an annotation on the run; its
/// text is constant, nothing from the repository.
fn warn_read_only(why: ReadOnlyToken, to_summary: bool) {
    let cause = match why {
        ReadOnlyToken::Fork => "this pull request comes from a fork",
        ReadOnlyToken::Dependabot => "this run was started by Dependabot",
    };
    let place = if to_summary {
        "the report is in the job summary"
    } else {
        "the report is on standard output"
    };
    let text = format!(
        "{cause}, so GitHub gave the workflow a read-only token: no comment was posted; {place}"
    );
    if env("GITHUB_ACTIONS").as_deref() == Some("true") {
        let _ = writeln!(std::io::stdout(), "::warning title=graduate::{text}");
    } else {
        eprintln!("warning: {text}");
    }
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
    write_stdout(guard_workflow_commands(s).as_bytes())
}

/// Write a report that comes in pieces of whole lines to the file named by
/// `--output` (as it is, like a whole report) or to stdout (each piece
/// guarded as [`emit`] guards a whole one: the guard reads line by line, so
/// guarding whole lines piece by piece gives the same bytes). A closed pipe
/// stops the rendering and is not an error.
fn write_lines(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()>,
) -> Result<ExitCode> {
    if let Some(path) = path {
        let mut file =
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
        render(&mut |piece| file.write_all(piece.as_bytes()))
            .with_context(|| format!("writing {}", path.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = std::io::stdout().lock();
    let written = render(&mut |piece| stdout.write_all(guard_workflow_commands(piece).as_bytes()))
        .and_then(|_| stdout.flush());
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

/// Write graduate's own generated text (completion scripts, man pages) as it
/// is: nothing in it comes from a scanned tree, and a guard would corrupt it.
fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e).context("writing to stdout"),
    }
}

/// Prefix every line that the Actions runner would read as a command
/// (`::name …::`, after leading spaces) with a backslash.
pub fn guard_workflow_commands(s: &str) -> std::borrow::Cow<'_, str> {
    // A report quotes `::` often (Rust paths, IPv6, C++) but almost never at
    // the start of a line: only the lines holding one are looked at, and
    // the report is copied only when one must be escaped.
    // A 48 MB JSON report has a colon in every line (`"key": `): the
    // pair is looked for with a vectorised search, not `str::match_indices`,
    // which tried every colon (20 ms of a monorepo's scan, on one thread).
    static PAIR: std::sync::LazyLock<aho_corasick::AhoCorasick> = std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(["::"]).expect("one literal pattern builds")
    });
    let command = |line: &str| line.trim_start().starts_with("::");
    let mut line_start = 0;
    let mut looked = 0;
    let any_command = PAIR.find_iter(s).any(|m| {
        let at = m.start();
        if let Some(nl) = s[looked..at].rfind('\n') {
            line_start = looked + nl + 1;
        }
        looked = at;
        s[line_start..at].trim_start().is_empty()
    });
    if !any_command {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for line in s.split_inclusive('\n') {
        if command(line) {
            out.push('\\');
        }
        out.push_str(line);
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(head: serde_json::Value, sender: &str) -> tempfile::NamedTempFile {
        let payload = serde_json::json!({
            "pull_request": {
                "number": 7,
                "head": { "repo": head },
                "base": { "repo": { "full_name": "acme/orders" } }
            },
            "sender": { "login": sender }
        });
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), payload.to_string()).unwrap();
        file
    }

    #[test]
    fn forks_and_dependabot_get_a_read_only_token_on_pull_request_only() {
        let same = event(serde_json::json!({ "full_name": "acme/orders" }), "dev");
        let fork = event(
            serde_json::json!({ "full_name": "stranger/orders" }),
            "stranger",
        );
        let deleted_fork = event(serde_json::Value::Null, "stranger");
        let dependabot = event(
            serde_json::json!({ "full_name": "acme/orders" }),
            "dependabot[bot]",
        );
        let read_only = |f: &tempfile::NamedTempFile, name: &str| {
            pull_request_event(f.path(), Some(name)).unwrap().read_only
        };
        assert_eq!(read_only(&same, "pull_request"), None);
        assert_eq!(read_only(&fork, "pull_request"), Some(ReadOnlyToken::Fork));
        assert_eq!(
            read_only(&deleted_fork, "pull_request"),
            Some(ReadOnlyToken::Fork)
        );
        assert_eq!(
            read_only(&dependabot, "pull_request"),
            Some(ReadOnlyToken::Dependabot)
        );
        assert_eq!(
            read_only(&fork, "pull_request_review"),
            Some(ReadOnlyToken::Fork)
        );
        // pull_request_target runs the base branch's workflow with a full token.
        assert_eq!(read_only(&fork, "pull_request_target"), None);
        assert_eq!(read_only(&dependabot, "pull_request_target"), None);
        assert_eq!(pull_request_event(fork.path(), None).unwrap().number, 7);
    }

    #[test]
    fn users_see_every_command_but_the_maintainers_ones() {
        let all = Cli::command();
        let user = UserCli::command();
        let names = |c: &clap::Command, hidden: bool| -> Vec<String> {
            c.get_subcommands()
                .filter(|s| s.is_hide_set() == hidden)
                .map(|s| s.get_name().to_string())
                .collect()
        };
        assert_eq!(names(&all, false), names(&user, false));
        assert_eq!(names(&all, true), ["docs"]);
        assert!(names(&user, true).is_empty());
        assert_eq!(all.get_about(), user.get_about());
        assert_eq!(all.get_long_about(), user.get_long_about());
        all.debug_assert();
        user.debug_assert();
    }

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
        // `::` inside lines only (a JSON report quoting Rust paths): the
        // report is written as it is, not copied.
        assert!(matches!(
            guard_workflow_commands("{\n  \"note\": \"reqwest::get\"\n}\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(guard_workflow_commands("a::b\n \t::x"), "a::b\n\\ \t::x");
    }

    #[test]
    fn a_report_guarded_in_pieces_of_whole_lines_is_guarded_as_a_whole() {
        // As the JSON report is written: pieces that each end a line.
        let whole = "{\n  ::a\n::b\n\t\n ::c::d\nreqwest::get\n  \n\n:: e\n";
        let lines: Vec<&str> = whole.split_inclusive('\n').collect();
        for size in 1..lines.len() {
            let pieced: String = lines
                .chunks(size)
                .map(|piece| guard_workflow_commands(&piece.concat()).into_owned())
                .collect();
            assert_eq!(
                pieced,
                guard_workflow_commands(whole),
                "{size} lines a piece"
            );
        }
        assert_eq!(guard_workflow_commands(whole).matches("\n\\").count(), 4);
    }
}
