//! `graduate comment` against a local mock of the GitHub REST API, and the
//! comment body on hostile input.

mod common;

use std::io::{Read, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use common::graduate;
use graduate::report::{Report, baseline, markdown};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "ghp_SyntheticTokenForTests0123456789abcd";
const MARKER: &str = "<!-- graduate:report -->";

fn comment(id: u64, login: &str, body: &str) -> Value {
    json!({ "id": id, "body": body, "user": { "login": login } })
}

async fn me(server: &MockServer, login: &str) {
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "login": login })))
        .mount(server)
        .await;
}

async fn comments_page(server: &MockServer, page: &str, comments: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .and(query_param("page", page))
        .respond_with(ResponseTemplate::new(200).set_body_json(comments))
        .mount(server)
        .await;
}

/// Expect exactly one new comment on the pull request, answered as GitHub
/// answers a create: 201 with the bot's comment `id`.
async fn expect_create(server: &MockServer, id: u64) {
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(id, "graduate-bot", MARKER)))
        .expect(1)
        .mount(server)
        .await;
}

/// Expect exactly one edit of comment `id`, answered 200.
async fn expect_edit(server: &MockServer, id: u64) {
    Mock::given(method("PATCH"))
        .and(path(format!("/repos/acme/orders/issues/comments/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(id, "graduate-bot", MARKER)))
        .expect(1)
        .mount(server)
        .await;
}

fn run(server: &MockServer, extra: &[&str]) -> std::process::Output {
    graduate()
        .args([
            "comment",
            "fixtures/go-service",
            "--repo",
            "acme/orders",
            "--pr",
            "42",
        ])
        .args(extra)
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .unwrap()
}

fn assert_no_token(out: &std::process::Output) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(TOKEN), "the token leaked");
    assert!(!all.contains(&TOKEN[4..20]), "part of the token leaked");
}

fn requests_of(reqs: &[Request], verb: &str) -> Vec<String> {
    reqs.iter()
        .filter(|r| r.method.as_str() == verb)
        .map(|r| r.url.path().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_creates_the_comment_with_the_marker_and_auth() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    comments_page(&server, "1", vec![comment(1, "dev-alex", "LGTM")]).await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .and(body_string_contains("graduate:report"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(
            900,
            "graduate-bot",
            MARKER,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(&server, &[]);
    common::assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("created comment 900"));
    let reqs = server.received_requests().await.unwrap();
    let post = reqs.iter().find(|r| r.method.as_str() == "POST").unwrap();
    assert_eq!(
        post.headers.get("authorization").unwrap().to_str().unwrap(),
        format!("Bearer {TOKEN}")
    );
    let body: Value = serde_json::from_slice(&post.body).unwrap();
    assert!(body["body"].as_str().unwrap().starts_with(MARKER));
    assert_no_token(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn second_run_edits_its_own_comment_and_leaves_others_alone() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    comments_page(
        &server,
        "1",
        vec![
            comment(5, "someone-else", &format!("{MARKER} quoted by a human")),
            comment(7, "graduate-bot", &format!("{MARKER}\nold report")),
        ],
    )
    .await;
    expect_edit(&server, 7).await;
    let out = run(&server, &[]);
    common::assert_ok(&out);
    let reqs = server.received_requests().await.unwrap();
    assert!(
        requests_of(&reqs, "POST").is_empty(),
        "no duplicate comment"
    );
    assert_eq!(
        requests_of(&reqs, "PATCH"),
        vec!["/repos/acme/orders/issues/comments/7"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_marker_comment_by_another_account_is_not_touched() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    comments_page(&server, "1", vec![comment(5, "someone-else", MARKER)]).await;
    expect_create(&server, 901).await;
    let out = run(&server, &[]);
    assert!(out.status.success());
    let reqs = server.received_requests().await.unwrap();
    assert!(requests_of(&reqs, "PATCH").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn pagination_finds_the_comment_on_page_two() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    let page1: Vec<Value> = (1..=100)
        .map(|i| comment(i, "dev-alex", "chatter"))
        .collect();
    comments_page(&server, "1", page1).await;
    comments_page(&server, "2", vec![comment(150, "graduate-bot", MARKER)]).await;
    expect_edit(&server, 150).await;
    let out = run(&server, &[]);
    common::assert_ok(&out);
    let reqs = server.received_requests().await.unwrap();
    assert!(requests_of(&reqs, "POST").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_names_the_permission_and_keeps_the_report() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    comments_page(&server, "1", vec![]).await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "message": "Resource not accessible by integration" })),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = graduate()
        .args([
            "comment",
            "fixtures/go-service",
            "--repo",
            "acme/orders",
            "--pr",
            "42",
            "--fail-under",
            "90",
        ])
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pull-requests: write"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the --fail-under verdict survives a failed post"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .starts_with(MARKER)
    );
    assert_no_token(&out);
    // Without the threshold, a failed post is exit 2 and the body goes to stdout.
    let out = run(&server, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(MARKER));
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_are_retried_then_succeed() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    comments_page(&server, "1", vec![]).await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "0")
                .set_body_json(json!({ "message": "API rate limit exceeded" })),
        )
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(
            902,
            "graduate-bot",
            MARKER,
        )))
        .with_priority(3)
        .mount(&server)
        .await;
    let out = run(&server, &[]);
    common::assert_ok(&out);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        requests_of(&reqs, "POST").len(),
        3,
        "429, 403 rate limit, then 201"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_token_without_user_access_posts_as_the_actions_bot() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "message": "Resource not accessible by integration" })),
        )
        .mount(&server)
        .await;
    comments_page(
        &server,
        "1",
        vec![comment(11, "github-actions[bot]", MARKER)],
    )
    .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/orders/issues/comments/11"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(
            11,
            "github-actions[bot]",
            MARKER,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let out = run(&server, &[]);
    common::assert_ok(&out);
}

#[test]
fn inside_actions_the_event_payload_gives_the_pr() {
    let event = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pull_request_event.json");
    assert_eq!(graduate::cli::pr_from_event(&event).unwrap(), 42);
}

#[test]
fn missing_target_or_token_is_a_usage_error() {
    let out = graduate()
        .args(["comment", "fixtures/go-service"])
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--repo OWNER/NAME"));
    let event = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pull_request_event.json");
    let out = graduate()
        .args(["comment", "fixtures/go-service"])
        .env("GITHUB_REPOSITORY", "acme/orders")
        .env("GITHUB_EVENT_PATH", &event)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GITHUB_TOKEN"));
}

#[test]
fn dry_run_prints_the_body() {
    let out = graduate()
        .args(["comment", "fixtures/go-service", "--dry-run"])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(MARKER));
}

// ---------------------------------------------------------------------------
// The comment body on hostile input. The PR bot runs on pull requests from
// strangers, so every string the repository (or a baseline file) controls is
// written to do harm: ping people, link issues, plant links, break the
// tables, open an HTML comment that hides the rest, or leak a secret.

/// Everything that has done harm in a PR comment, in one string: mentions,
/// issue references, bare URLs and an email (GitHub autolinks them), a
/// team inside backticks (a code span must stay one), table pipes, link
/// syntax, raw HTML and an unclosed HTML comment, the sticky marker itself,
/// newlines, math, emphasis, a footnote, bidi and terminal escapes.
fn hostile(tag: &str) -> String {
    format!(
        "{tag} `@org/team` @octocat @acme/owners #12 GH-34 acme/orders#56 https://evil.example/p \
         www.evil.example a@evil.example | cell ](https://evil.example) \
         [x](https://evil.example) <img src=x onerror=alert(1)> {MARKER} <!-- open\n\
         # heading\r\n$x^2$ ~~s~~ **b** _i_ [^1] &lt; \u{202e}rtl \u{1b}[31m\\"
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A real report (express-prototype: secrets, retries, missing practices)
/// with every string field replaced by a hostile one, secret previews kept
/// in the secret findings' messages, and a baseline whose commit is
/// multi-byte (byte slicing of the short commit panicked).
fn hostile_report() -> Report {
    let mut r = graduate::scan::run(&graduate::scan::ScanOptions {
        path: Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/express-prototype"),
        config: None,
        threads: 1,
        history: false,
        fail_under: Some(80),
        waivers: true,
    })
    .unwrap()
    .report;
    assert!(
        r.debt.iter().any(|d| d.message.contains("sk_l…(32 chars)")),
        "the fixture has a previewed secret"
    );
    r.root = hostile("root").into();
    r.commit = Some(hostile("commit"));
    r.source_url = Some("https://github.com/acme/orders/blob/HEAD/".into());
    r.grade = Some(leak(hostile("grade")));
    r.level.name = leak(hostile("level"));
    for p in &mut r.pillars {
        p.id = leak(hostile(p.id));
    }
    for c in &mut r.checks {
        c.title = hostile("title");
        c.skip_reason = Some(hostile("skip").into());
        for e in &mut c.evidence {
            e.path = Some(hostile("evidence-path").into());
            e.note = hostile("note").into();
        }
    }
    for (i, d) in r.debt.iter_mut().enumerate() {
        // The rule's own id stays in it: the table groups by rule.
        d.rule = hostile(&format!("rule {}", d.rule));
        d.path = Some(format!("src/{}/x.js", hostile(&i.to_string())).into());
        d.message = format!("{} {}", hostile("message"), d.message).into();
        d.remediation = hostile("remediation").into();
        d.anchor = Some(hostile("anchor").into());
    }
    let next = r
        .level
        .next
        .as_mut()
        .expect("express-prototype has a next level");
    next.fixes = vec![hostile("next-fix")];
    next.unknown = vec![hostile("next-unknown")];
    next.effort_text = hostile("next-effort");
    let target = r.target.as_mut().expect("scanned with a target");
    target.fixes = vec![hostile("target-fix")];
    target.effort_text = hostile("target-effort");
    for w in &mut r.plan {
        for i in &mut w.items {
            i.rule = hostile("plan-rule");
            i.title = hostile("plan-title");
            i.remediation = hostile("plan-fix").into();
        }
    }
    for g in &mut r.signoff {
        g.gate = leak(hostile("gate"));
        g.reason = hostile("reason").into();
    }
    if let Some(p) = &mut r.pressure {
        p.verdict = leak(hostile("verdict"));
        p.reasons = vec![hostile("pressure").into()];
        for s in &mut p.signals {
            s.note = hostile("signal").into();
        }
    }
    for a in &mut r.apps {
        a.path = hostile("app").into();
    }
    r.suppressions = (0..3)
        .map(|i| graduate::report::Suppression {
            rule: hostile("waived-rule").into(),
            path: hostile(&format!("waiver{i}")).into(),
            line: i,
            message: hostile("waived-message").into(),
            reason: hostile("owner=@octocat").into(),
            kind: graduate::waivers::Source::Inline,
            owner: Some(hostile("@octocat").into()),
            expires: Some(hostile("2099-12-31").into()),
            waiver: hostile("waiver-at").into(),
            fingerprint: String::new(),
            priority: 10,
        })
        .collect();
    r.waivers = (0..3)
        .map(|i| graduate::waivers::WaiverEntry {
            rule: hostile("waived-rule").into(),
            source: graduate::waivers::Source::Inline,
            path: hostile(&format!("waiver{i}")).into(),
            line: i,
            scope: hostile("scope").into(),
            reason: Some(hostile("owner=@octocat").into()),
            owner: Some(hostile("@octocat").into()),
            expires: Some(hostile("2099-12-31").into()),
            created: None,
            status: graduate::waivers::Status::Active,
            hides: 1,
            problems: vec![hostile("problem").into()],
        })
        .collect();
    r.gates = vec![graduate::report::baseline::GateResult {
        gate: "fail-on-new",
        passed: false,
        message: hostile("gate-message").into(),
        findings: vec![hostile("gate-finding").into()],
    }];
    r.warnings = (0..3)
        .map(|i| graduate::facts::Warning {
            path: hostile(&format!("warn{i}")).into(),
            message: hostile("warning").into(),
        })
        .collect();
    r.baseline = Some(baseline::BaselineDiff {
        commit: Some("ééééééé-commit".into()),
        score_before: Some(40),
        score_delta: r.score.map(|s| s as i64 - 40),
        pillars: Vec::new(),
        new: vec![r.debt[0].fingerprint.clone().into()],
        fixed: (0..3)
            .map(|i| baseline::FixedItem {
                rule: hostile("fixed-rule").into(),
                path: Some(hostile(&format!("fixed{i}")).into()),
                line: Some(i),
                message: hostile("fixed").into(),
                priority: 9,
            })
            .collect(),
    });
    r
}

/// What GitHub would turn into a notification or a link in plain text.
fn live(text: &str) -> Option<String> {
    let re = regex::Regex::new(
        r"(?i)@[a-z0-9]|#[0-9]|\bgh-[0-9]|://|www\.|[\x00-\x08\x0b-\x1f\x7f\u{202a}-\u{202e}\u{2066}-\u{2069}]",
    )
    .unwrap();
    re.find(text)
        .map(|m| format!("`{}` in {text:?}", m.as_str()))
}

/// The promises of a comment body, checked on the Markdown as GitHub
/// parses it (GFM tables, strikethrough, footnotes, math): one marker at
/// the top; no HTML but the marker and our `<details>`; no live mention,
/// reference or autolink in any text; tables whose every row has its
/// columns; links only where we put them, pointing where we said.
fn assert_inert(md: &str, base: &str, links: usize, table_rows: &[usize]) {
    assert!(md.starts_with(MARKER), "the marker leads:\n{md}");
    // Anywhere else, the marker's text is escaped or inside code: shown, not
    // a comment (GitHub finds the bot's comment by its author too).
    let mut markers = 0;
    let html = regex::Regex::new(
        r"^(<!-- graduate:report -->|<details><summary>[^<>]*</summary>|</details>)$",
    )
    .unwrap();
    let mut opts = Options::empty();
    for o in [
        Options::ENABLE_TABLES,
        Options::ENABLE_STRIKETHROUGH,
        Options::ENABLE_FOOTNOTES,
        Options::ENABLE_MATH,
        Options::ENABLE_TASKLISTS,
    ] {
        opts.insert(o);
    }
    let (mut found_links, mut headings, mut rows, mut cells) = (0, 0, Vec::new(), 0);
    let mut header_cells = Vec::new();
    for event in Parser::new_ext(md, opts) {
        match event {
            Event::Text(t) => {
                if let Some(bad) = live(&t) {
                    panic!("live text {bad}\n{md}")
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                markers += h.matches(MARKER).count();
                for line in h.lines().filter(|l| !l.trim().is_empty()) {
                    assert!(html.is_match(line.trim()), "raw HTML {line:?}\n{md}");
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                found_links += 1;
                assert!(dest_url.starts_with(base), "link to {dest_url}");
                assert!(
                    !dest_url.contains(['(', ')', ' ', '<', '>', '|', '`', '"']),
                    "link target {dest_url}"
                );
            }
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Table(_)) => rows.push(0),
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => header_cells.push(cells),
            Event::End(TagEnd::TableRow) => {
                assert_eq!(Some(&cells), header_cells.last(), "a row lost a cell\n{md}");
                *rows.last_mut().unwrap() += 1;
            }
            Event::Start(
                Tag::Image { .. }
                | Tag::Emphasis
                | Tag::Strikethrough
                | Tag::FootnoteDefinition(_)
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_),
            )
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_) => panic!("repository text formatted: {event:?}\n{md}"),
            _ => {}
        }
    }
    assert_eq!(markers, 1, "one sticky marker\n{md}");
    assert_eq!(headings, 1, "only our heading\n{md}");
    assert_eq!(found_links, links, "links\n{md}");
    assert_eq!(rows, table_rows, "table rows\n{md}");
}

fn shown_links(r: &Report) -> usize {
    // The first site of each of the top five rules, then the next twelve
    // sites in <details>.
    let mut rules: Vec<&str> = Vec::new();
    let mut top = Vec::new();
    for (i, d) in r.debt.iter().enumerate() {
        if !rules.contains(&d.rule.as_str()) {
            rules.push(&d.rule);
            if top.len() < 5 {
                top.push(i);
            }
        }
    }
    let rest = (0..r.debt.len()).filter(|i| !top.contains(i)).take(12);
    top.iter()
        .copied()
        .chain(rest)
        .filter(|&i| r.debt[i].path.is_some())
        .count()
}

#[test]
fn hostile_strings_in_every_field_stay_inert() {
    let r = hostile_report();
    let md = markdown::render(&r);
    assert_inert(
        &md,
        "https://github.com/acme/orders/blob/HEAD/src/",
        shown_links(&r),
        &[r.pillars.len(), 5, 3],
    );
    // A team named inside backticks is a code span: GitHub links nothing in
    // code, and the text around it is neutralised instead.
    let codes: Vec<String> = Parser::new(&md)
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert!(codes.iter().any(|c| c == "@org/team"), "{codes:?}\n{md}");
    // The waivers in force and the warnings are listed, neutralised too.
    assert!(md.contains("3 waivers in force"), "{md}");
    assert!(md.contains("3 warnings"), "{md}");
    // With no score, the reason takes the bar's place: neutralised too.
    let mut unscored = r.clone();
    unscored.score = None;
    unscored.unscored = Some(hostile("unscored").into());
    let md = markdown::render(&unscored);
    assert!(md.contains("no score"), "{md}");
    assert_inert(
        &md,
        "https://github.com/acme/orders/blob/HEAD/src/",
        shown_links(&unscored),
        &[unscored.pillars.len(), 5, 3],
    );
}

#[test]
fn a_comment_shows_no_character_of_a_secret() {
    let r = hostile_report();
    let md = markdown::render(&r);
    let secrets: Vec<&str> = r
        .debt
        .iter()
        .take(25)
        .filter(|d| d.message.contains("chars)"))
        .map(|d| d.message.as_str())
        .collect();
    assert!(secrets.len() >= 3, "previewed secrets in view: {secrets:?}");
    for preview in ["sk_l", "sk\\_l", "AKIA", "Pr0d", "f7Kq", "wJal", "supe"] {
        assert!(!md.contains(preview), "`{preview}` of a secret in\n{md}");
    }
    let chars = regex::Regex::new(r"…\(\d+ chars\)").unwrap();
    assert!(!chars.is_match(&md), "{md}");
    // What stays: the provider and the fingerprint to allowlist it by.
    assert!(md.contains("stripe-live-key"), "{md}");
    assert!(md.contains("fingerprint 082175edc2e58a5b"), "{md}");
}

#[test]
fn a_multibyte_baseline_commit_is_shortened_by_characters() {
    let md = markdown::render(&hostile_report());
    assert!(md.contains("since `ééééééé`"), "{md}");
}

#[test]
fn a_body_over_githubs_limit_is_cut_keeping_the_marker_and_the_summary() {
    let mut r = hostile_report();
    // Strings long enough, and dense enough in characters that escaping
    // widens, to pass 65,536 characters several times over.
    let wide = "<|@#".repeat(20_000);
    for d in &mut r.debt {
        d.path = Some(format!("src/{wide}.js").into());
        d.message = wide.clone().into();
        d.remediation = wide.clone().into();
    }
    if let Some(b) = &mut r.baseline {
        b.fixed = (0..50)
            .map(|i| baseline::FixedItem {
                rule: wide.clone().into(),
                path: Some(wide.clone().into()),
                line: Some(i),
                message: wide.clone().into(),
                priority: 1,
            })
            .collect();
    }
    let body = markdown::comment(&r, graduate::github::COMMENT_LIMIT, "See the job summary.");
    let len = body.encode_utf16().count();
    assert!(len <= graduate::github::COMMENT_LIMIT, "{len} characters");
    assert!(body.starts_with(MARKER));
    assert!(body.contains("### 🎓 graduate:"), "the summary stays");
    assert!(body.contains("| pillar | score |"), "the pillars stay");
    assert!(
        body.contains("cut to fit") && body.ends_with("See the job summary.\n"),
        "{}",
        &body[body.len() - 300..]
    );
    assert_eq!(
        body.matches("<details>").count(),
        body.matches("</details>").count()
    );
    // Cut hard, it still leads with the marker and the headline, and says so.
    let small = markdown::comment(&r, 2_000, "See the job summary.");
    assert!(small.encode_utf16().count() <= 2_000, "{small}");
    assert!(small.starts_with(MARKER) && small.contains("### 🎓 graduate:"));
    assert!(small.contains("cut to fit"));
}

#[test]
fn hostile_file_names_and_waivers_from_a_scan_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("package.json"),
        r#"{"name":"x","dependencies":{"express":"4","axios":"1"}}"#,
    )
    .unwrap();
    std::fs::write(
        root.join("server.js"),
        "const express = require('express');\nconst app = express();\napp.listen(3000);\n",
    )
    .unwrap();
    let call = "const axios = require('axios');\nmodule.exports = () => axios.get('https://api.example.com/x');\n";
    let waived = "const axios = require('axios');\n\
                  // graduate:allow outbound-timeout @acme/owners said so in #12 owner=@octocat <!-- x\n\
                  module.exports = () => axios.get('https://api.example.com/y');\n";
    let names = [
        "@octocat #12 GH-34.js",
        "acme|orders#56 ](https:evil.example) <!-- x.js",
        "line\nbreak `@octocat` $x$.js",
    ];
    for name in names {
        std::fs::write(root.join(name), call).unwrap();
    }
    std::fs::create_dir(root.join("@acme")).unwrap();
    std::fs::write(root.join("@acme/waived.js"), waived).unwrap();
    let out = graduate()
        .args([
            "comment",
            "--dry-run",
            "--no-git",
            "--repo-url",
            "https://github.com/acme/orders",
        ])
        .arg(root)
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.contains("1 waiver in force"), "{md}");
    let debt = md.matches("`outbound-timeout`").count();
    assert!(debt >= 3, "the three calls are findings\n{md}");
    assert_eq!(debt_rows(&md), 5, "{md}");
    // As many links as the renderer wrote: a `](` in a file name makes none.
    let links = md
        .matches("](https://github.com/acme/orders/blob/HEAD/")
        .count();
    assert_inert(
        &md,
        "https://github.com/acme/orders/blob/HEAD/",
        links,
        &[6, 5, 1],
    );
}

/// Rows of the debt table, counted on the raw Markdown.
fn debt_rows(md: &str) -> usize {
    md.lines()
        .skip_while(|l| !l.starts_with("| priority |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .count()
}

#[test]
fn an_error_says_its_cause_once() {
    let out = graduate()
        .args(["comment", "no/such/dir", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let cause = "No such file or directory";
    assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
    // And a network failure names its cause (connection refused), once.
    let out = graduate()
        .args([
            "comment",
            "fixtures/go-service",
            "--repo",
            "acme/orders",
            "--pr",
            "42",
            "--no-git",
        ])
        .args(["--api-url", "http://127.0.0.1:9"])
        .env("GITHUB_TOKEN", TOKEN)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let error = stderr.lines().find(|l| l.starts_with("error:")).unwrap();
    assert_eq!(
        error.to_lowercase().matches("refused").count(),
        1,
        "{error}"
    );
    let parts: Vec<&str> = error.split(": ").collect();
    for pair in parts.windows(2) {
        assert!(
            !pair[0].ends_with(pair[1]),
            "`{}` repeated in {error}",
            pair[1]
        );
    }
}

// ---------------------------------------------------------------------------
// The network side: a server that never finishes, or never stops, must not
// hold a CI job; a redirect must not carry the token elsewhere.

/// A raw HTTP server on a thread, for what wiremock cannot do: answer one
/// byte at a time (`Trickle`), or stream a body without end (`Flood`).
#[derive(Clone, Copy)]
enum Raw {
    Trickle,
    Flood,
}

fn raw_server(mode: Raw) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 1024];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                match mode {
                    // One byte every 300 ms of a 200-byte body: each read
                    // is quick, the whole answer takes a minute.
                    Raw::Trickle => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n";
                        if conn.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        for _ in 0..200 {
                            std::thread::sleep(Duration::from_millis(300));
                            if conn.write_all(b" ").is_err() {
                                return;
                            }
                        }
                    }
                    // 64 MiB in 64 KiB chunks, no length announced.
                    Raw::Flood => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                        if conn.write_all(head.as_bytes()).is_err() {
                            return;
                        }
                        let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                        for _ in 0..1024 {
                            if conn.write_all(chunk.as_bytes()).is_err() {
                                return;
                            }
                        }
                        let _ = conn.write_all(b"0\r\n\r\n");
                    }
                }
            });
        }
    });
    url
}

fn comment_against(api: &str) -> assert_cmd::Command {
    let mut cmd = graduate();
    cmd.args([
        "comment",
        "fixtures/go-service",
        "--repo",
        "acme/orders",
        "--pr",
        "42",
        "--no-git",
    ])
    .args(["--api-url", api])
    .env("GITHUB_TOKEN", TOKEN)
    .env_remove("GRADUATE_TIMEOUT")
    .env_remove("GITHUB_STEP_SUMMARY")
    .timeout(Duration::from_secs(40));
    cmd
}

#[test]
fn a_trickling_server_is_cut_off_at_the_deadline() {
    let api = raw_server(Raw::Trickle);
    let started = Instant::now();
    let out = comment_against(&api)
        .args(["--timeout", "3"])
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        stderr.contains("3 s") && stderr.contains("--timeout"),
        "{stderr}"
    );
    assert_no_token(&out);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_does_not_answer_is_cut_off_at_the_deadline_from_the_environment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "login": "graduate-bot" }))
                .set_delay(Duration::from_secs(60)),
        )
        .mount(&server)
        .await;
    let started = Instant::now();
    let out = comment_against(&server.uri())
        .env("GRADUATE_TIMEOUT", "2")
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    assert!(
        stderr.contains("reading the token's user") && stderr.contains("2 s"),
        "{stderr}"
    );
}

#[test]
fn an_endless_response_is_cut_at_the_size_cap() {
    let api = raw_server(Raw::Flood);
    let out = comment_against(&api).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("over 8 MiB"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let github = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    // Another host, not only another port: `localhost` against 127.0.0.1.
    let port = elsewhere.address().port();
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("http://localhost:{port}/user")),
        )
        .mount(&github)
        .await;
    me(&elsewhere, "graduate-bot").await;
    comments_page(&github, "1", vec![]).await;
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(
            903,
            "graduate-bot",
            MARKER,
        )))
        .expect(1)
        .mount(&github)
        .await;
    let out = comment_against(&github.uri()).output().unwrap();
    common::assert_ok(&out);
    let there = elsewhere.received_requests().await.unwrap();
    assert_eq!(there.len(), 1, "the redirect was followed");
    assert!(
        there[0].headers.get("authorization").is_none(),
        "the token went to another host"
    );
    let here = github.received_requests().await.unwrap();
    assert!(
        here.iter()
            .all(|r| r.headers.get("authorization").is_some())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_stops_at_the_page_cap() {
    let server = MockServer::start().await;
    me(&server, "graduate-bot").await;
    let full: Vec<Value> = (1..=100)
        .map(|i| comment(i, "dev-alex", "chatter"))
        .collect();
    Mock::given(method("GET"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(full))
        .mount(&server)
        .await;
    expect_create(&server, 904).await;
    let out = comment_against(&server.uri()).output().unwrap();
    common::assert_ok(&out);
    let reqs = server.received_requests().await.unwrap();
    let pages = requests_of(&reqs, "GET")
        .iter()
        .filter(|p| p.ends_with("/comments"))
        .count();
    assert_eq!(pages, 50);
}

#[test]
fn a_bad_deadline_is_a_usage_error() {
    let out = comment_against("http://127.0.0.1:9")
        .args(["--timeout", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = comment_against("http://127.0.0.1:9")
        .env("GRADUATE_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("GRADUATE_TIMEOUT must be whole seconds"),
        "{stderr}"
    );
}

/// The top of the comment is one row per rule with its count of places:
/// five sites of one rule do not push the hard-coded secrets into the
/// collapsed part. The secret's row names the rule and the count, and no
/// character of the value is anywhere in the body.
#[test]
fn top_debt_is_grouped_by_rule_with_counts() {
    let out = graduate()
        .args(["scan", "--no-git", "-q", "--format", "markdown"])
        .arg("fixtures/express-prototype")
        .output()
        .unwrap();
    common::assert_ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| priority |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 5, "{md}");
    let rules: Vec<&str> = rows
        .iter()
        .map(|r| r.split('|').nth(2).unwrap().trim())
        .collect();
    let mut distinct = rules.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), rules.len(), "a rule twice in {rules:?}");
    assert!(rules.contains(&"`outbound-timeout` ×6"), "{rules:?}");
    assert!(rules.contains(&"`hardcoded-secret` ×5"), "{rules:?}");
    assert!(md.contains(".env:1 and 4 more"), "{md}");
    // The other sites are listed in <details>; none of a secret's characters.
    assert!(md.contains("33 more debt items"), "{md}");
    for preview in ["sk_l", "sk\\_l", "AKIA", "ghp_"] {
        assert!(!md.contains(preview), "{preview} in\n{md}");
    }
    // The next level's path is in the comment.
    assert!(md.contains("**Next: level 1 (guarded)**"), "{md}");
}

/// A fix that names a team in backticks keeps it one code span: GitHub
/// shows `* @org/team` and pings no one (escaping it twice left it live).
#[test]
fn a_team_in_a_fix_stays_code_and_pings_no_one() {
    // CODEOWNERS made urgent, so its fix is in the table.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("graduate.toml");
    std::fs::write(
        &config,
        "[rules.codeowners]\nimpact = 5\nrisk = 5\neffort = 1\n",
    )
    .unwrap();
    let out = graduate()
        .args(["scan", "--no-git", "-q", "--format", "markdown", "--config"])
        .arg(&config)
        .arg("fixtures/node-resilient")
        .output()
        .unwrap();
    common::assert_ok(&out);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("`* @org/team`"),
        "the CODEOWNERS fix is shown\n{md}"
    );
    let codes: Vec<String> = Parser::new(&md)
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect();
    assert!(codes.iter().any(|c| c == "* @org/team"), "{codes:?}");
    assert_inert(&md, "https://", 0, &[6, 5]);
}
