//! `graduate comment` against a local mock of the GitHub REST API.

mod common;

use std::path::Path;

use common::graduate;
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
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/orders/issues/comments/7"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(7, "graduate-bot", MARKER)))
        .expect(1)
        .mount(&server)
        .await;
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
    Mock::given(method("POST"))
        .and(path("/repos/acme/orders/issues/42/comments"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(
            901,
            "graduate-bot",
            MARKER,
        )))
        .expect(1)
        .mount(&server)
        .await;
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
    Mock::given(method("PATCH"))
        .and(path("/repos/acme/orders/issues/comments/150"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(
            150,
            "graduate-bot",
            MARKER,
        )))
        .expect(1)
        .mount(&server)
        .await;
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
