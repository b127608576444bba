//! The PR bot's side of the GitHub REST API, through octocrab: find the
//! sticky comment this account left on a pull request (by its hidden marker,
//! across the pages of comments), then edit it, or create one.
//!
//! Requests go through octocrab's raw `_get`/`_post`/`_patch` so that status
//! and rate-limit headers stay visible: rate limits (429, and 403 with
//! `x-ratelimit-remaining: 0` or a secondary-limit message) are retried with
//! bounded, jittered backoff that honours `Retry-After` and
//! `x-ratelimit-reset`; other failures become errors that say what to fix.
//! The token never appears in any message.
//!
//! It runs in CI, where a hung step holds a runner until the job's own
//! timeout (six hours by default), so everything is bounded: one deadline
//! for the whole post, every request, retry and wait included (per-read
//! timeouts alone let a server that sends a byte every 20 s hold it for
//! minutes); a cap on the bytes read from any response; a cap on the pages
//! of comments listed. A redirect to another host loses the Authorization
//! header (tower-http's redirect policy), and only comments written by the
//! token's own account are ever edited.

use std::time::Duration;

use http::StatusCode;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use crate::report::markdown::MARKER;

/// GitHub refuses a comment body longer than this many characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// The whole post, when `--timeout` and `GRADUATE_TIMEOUT` do not say.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// Attempts per request, the first included.
const ATTEMPTS: u32 = 4;
/// No single wait is longer than this, whatever the headers say.
const MAX_WAIT: Duration = Duration::from_secs(60);
const PER_PAGE: usize = 100;
/// Safety bound on pagination (100 × 50 = 5,000 comments).
const MAX_PAGES: u32 = 50;
/// The most read from one response. A page of 100 comments at GitHub's
/// size limit is about 6.6 MB of JSON; anything beyond 8 MiB is not GitHub.
const MAX_RESPONSE: usize = 8 << 20;
/// The account GitHub Actions' `GITHUB_TOKEN` posts as; `/user` is not
/// available to that token.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("GitHub rejected the token (401 Unauthorized): check GITHUB_TOKEN or GH_TOKEN")]
    Unauthorized,
    #[error(
        "permission denied (403) {action}: the token needs `pull-requests: write` \
         (add `permissions: pull-requests: write` to the workflow){detail}"
    )]
    Forbidden {
        action: &'static str,
        detail: String,
    },
    #[error(
        "not found (404) {action}: check the repository `{repo}` and pull request #{pr}, and that the token can see them"
    )]
    NotFound {
        action: &'static str,
        repo: String,
        pr: u64,
    },
    #[error("GitHub refused the request (422) {action}: {message}")]
    Unprocessable {
        action: &'static str,
        message: String,
    },
    #[error("rate limited by GitHub {action}; gave up after {attempts} attempt(s)")]
    RateLimited { action: &'static str, attempts: u32 },
    #[error("GitHub answered {status} {action}: {message}")]
    Status {
        action: &'static str,
        status: u16,
        message: String,
    },
    #[error("cannot reach GitHub {action}: {message}")]
    Network {
        action: &'static str,
        message: String,
    },
    #[error(
        "GitHub did not finish answering {action} within {secs} s, the limit for the whole post \
         (raise it with --timeout SECS or GRADUATE_TIMEOUT)"
    )]
    Deadline { action: &'static str, secs: u64 },
    #[error(
        "GitHub's answer {action} is over {} MiB; stopped reading it",
        MAX_RESPONSE >> 20
    )]
    TooLarge { action: &'static str },
    #[error("invalid API URL `{0}`")]
    ApiUrl(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Where the comment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub owner: String,
    pub repo: String,
    pub pr: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Created(u64),
    Updated(u64),
}

/// Create or update the sticky comment, all of it within `deadline`.
/// Blocking: it runs its own single-threaded runtime and leaves nothing
/// running behind it (a DNS lookup still blocked in its thread is
/// abandoned, not awaited).
pub fn post_comment(
    api_url: &str,
    token: &str,
    target: &Target,
    body: &str,
    deadline: Duration,
) -> Result<Posted, GitHubError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| GitHubError::Runtime(e.to_string()))?;
    let secs = deadline.as_secs();
    let posted = runtime.block_on(async {
        let client = Client::new(api_url, token, deadline)?;
        // Each request and wait already stops at the deadline; this bound
        // holds whatever the code inside does.
        tokio::time::timeout(
            deadline + Duration::from_secs(1),
            client.upsert_comment(target, body),
        )
        .await
        .unwrap_or(Err(GitHubError::Deadline {
            action: "posting the comment",
            secs,
        }))
    });
    runtime.shutdown_background();
    posted
}

pub struct Client {
    octo: Octocrab,
    deadline: Instant,
    secs: u64,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

#[derive(Deserialize)]
struct Comment {
    id: u64,
    body: Option<String>,
    user: Option<User>,
}

/// One attempt's failure: worth another attempt (after the server's wait,
/// when it named one) or not.
enum Failure {
    Retry(GitHubError, Option<Duration>),
    Final(GitHubError),
}

impl Client {
    /// A client whose every request, retry and wait ends within `deadline`
    /// from now. Must be called inside a Tokio runtime.
    pub fn new(api_url: &str, token: &str, deadline: Duration) -> Result<Client, GitHubError> {
        let octo = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| GitHubError::ApiUrl(api_url.to_string()))?
            .personal_token(token.to_string())
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(30)))
            .set_write_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| GitHubError::Network {
                action: "building the client",
                message: causes(&e),
            })?;
        Ok(Client {
            octo,
            deadline: Instant::now() + deadline,
            secs: deadline.as_secs(),
        })
    }

    /// Create or update the sticky comment; returns which.
    pub async fn upsert_comment(&self, t: &Target, body: &str) -> Result<Posted, GitHubError> {
        let me = self.login(t).await?;
        let mut page = 1;
        while page <= MAX_PAGES {
            let path = format!(
                "/repos/{}/{}/issues/{}/comments?per_page={PER_PAGE}&page={page}",
                t.owner, t.repo, t.pr
            );
            let a = self
                .send("listing comments", t, Method::Get, &path, None)
                .await?;
            let comments: Vec<Comment> = parse(&a, "listing comments")?;
            let ours = comments.iter().find(|c| {
                c.body.as_deref().is_some_and(|b| b.contains(MARKER))
                    && c.user.as_ref().is_some_and(|u| u.login == me)
            });
            if let Some(c) = ours {
                let path = format!("/repos/{}/{}/issues/comments/{}", t.owner, t.repo, c.id);
                self.send("editing the comment", t, Method::Patch, &path, Some(body))
                    .await?;
                return Ok(Posted::Updated(c.id));
            }
            if comments.len() < PER_PAGE {
                break;
            }
            page += 1;
        }
        let path = format!("/repos/{}/{}/issues/{}/comments", t.owner, t.repo, t.pr);
        let a = self
            .send("creating the comment", t, Method::Post, &path, Some(body))
            .await?;
        let created: Comment = parse(&a, "creating the comment")?;
        Ok(Posted::Created(created.id))
    }

    /// The account the token acts as. Installation tokens (GitHub Actions'
    /// `GITHUB_TOKEN`) cannot read `/user`; they post as github-actions[bot].
    async fn login(&self, t: &Target) -> Result<String, GitHubError> {
        match self
            .send("reading the token's user", t, Method::Get, "/user", None)
            .await
        {
            Ok(a) => Ok(parse::<User>(&a, "reading the token's user")?.login),
            Err(GitHubError::Forbidden { .. }) | Err(GitHubError::NotFound { .. }) => {
                Ok(ACTIONS_BOT.to_string())
            }
            Err(e) => Err(e),
        }
    }

    /// One request with its retries. A wait that would pass the deadline is
    /// not started: the last failure is the better message.
    async fn send(
        &self,
        action: &'static str,
        t: &Target,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, GitHubError> {
        let payload = body.map(|b| json!({ "body": b }));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (error, wait) = match self
                .attempt(action, t, method, path, payload.as_ref(), attempt)
                .await
            {
                Ok(text) => return Ok(text),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry(e, wait)) => (e, wait),
            };
            let wait = backoff(attempt, wait);
            if attempt >= ATTEMPTS || Instant::now() + wait >= self.deadline {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        action: &'static str,
        t: &Target,
        method: Method,
        path: &str,
        payload: Option<&serde_json::Value>,
        attempt: u32,
    ) -> Result<String, Failure> {
        let late = || {
            Failure::Final(GitHubError::Deadline {
                action,
                secs: self.secs,
            })
        };
        let request = async {
            match method {
                Method::Get => self.octo._get(path).await,
                Method::Post => self.octo._post(path, payload).await,
                Method::Patch => self.octo._patch(path, payload).await,
            }
        };
        let response = match tokio::time::timeout_at(self.deadline, request).await {
            Err(_) => return Err(late()),
            Ok(Err(e)) => {
                return Err(Failure::Retry(
                    GitHubError::Network {
                        action,
                        message: causes(&e),
                    },
                    None,
                ));
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        let wait = rate_limit_wait(response.headers());
        let remaining_zero = response
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            == Some("0");
        // The body as text, refusing more than MAX_RESPONSE bytes whether
        // or not the server announced a length.
        let announced = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let read = async {
            if announced.is_some_and(|n| n > MAX_RESPONSE as u64) {
                return Err(GitHubError::TooLarge { action });
            }
            match Limited::new(response.into_body(), MAX_RESPONSE)
                .collect()
                .await
            {
                Ok(collected) => Ok(String::from_utf8_lossy(&collected.to_bytes()).into_owned()),
                Err(e) if e.is::<LengthLimitError>() => Err(GitHubError::TooLarge { action }),
                Err(e) => Err(GitHubError::Network {
                    action,
                    message: causes(e.as_ref()),
                }),
            }
        };
        let text = match tokio::time::timeout_at(self.deadline, read).await {
            Err(_) => return Err(late()),
            Ok(Err(e @ GitHubError::TooLarge { .. })) => return Err(Failure::Final(e)),
            // An error status says enough without its body.
            Ok(Err(_)) if !status.is_success() => String::new(),
            Ok(Err(e)) => return Err(Failure::Final(e)),
            Ok(Ok(text)) => text,
        };
        if status.is_success() {
            return Ok(text);
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_else(|| first_line(&text));
        let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN
                && (remaining_zero || message.to_ascii_lowercase().contains("rate limit")));
        let error = match status {
            _ if rate_limited => GitHubError::RateLimited {
                action,
                attempts: attempt,
            },
            StatusCode::UNAUTHORIZED => GitHubError::Unauthorized,
            StatusCode::FORBIDDEN => GitHubError::Forbidden {
                action,
                detail: if message.is_empty() {
                    String::new()
                } else {
                    format!("; GitHub says: {message}")
                },
            },
            StatusCode::NOT_FOUND => GitHubError::NotFound {
                action,
                repo: format!("{}/{}", t.owner, t.repo),
                pr: t.pr,
            },
            StatusCode::UNPROCESSABLE_ENTITY => GitHubError::Unprocessable { action, message },
            _ => GitHubError::Status {
                action,
                status: status.as_u16(),
                message,
            },
        };
        if rate_limited || status.is_server_error() {
            Err(Failure::Retry(error, wait))
        } else {
            Err(Failure::Final(error))
        }
    }
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
}

fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    action: &'static str,
) -> Result<T, GitHubError> {
    serde_json::from_str(text).map_err(|e| GitHubError::Status {
        action,
        status: 200,
        message: format!("unexpected response: {e}"),
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(200).collect()
}

/// An error and its causes on one line, each said once. octocrab's and
/// hyper's errors print their cause and return it as `source()` too, so
/// walking the chain naively gives "Service Error: x: x"; and the useful
/// part ("Connection refused") is often only at the bottom.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = first_line(&err.to_string());
        if !text.is_empty() && !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        next = err.source();
    }
    out
}

/// What the headers ask for: `Retry-After` seconds, or until
/// `x-ratelimit-reset` (epoch seconds) when the quota is spent.
fn rate_limit_wait(headers: &http::HeaderMap) -> Option<Duration> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    if let Some(secs) = num("retry-after") {
        return Some(Duration::from_secs(secs));
    }
    let reset = num("x-ratelimit-reset")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

/// Exponential backoff with full jitter, or the server's wait plus a little
/// jitter; never longer than [`MAX_WAIT`].
fn backoff(attempt: u32, server: Option<Duration>) -> Duration {
    let jitter_ms = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
            % 1000,
    );
    let wait = match server {
        Some(d) => d + Duration::from_millis(jitter_ms / 4),
        None => Duration::from_millis((500u64 << attempt.min(6)) * jitter_ms / 1000),
    };
    wait.min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_bounded_and_honour_headers() {
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_secs(3)));
        assert!(backoff(1, Some(Duration::from_secs(3))) >= Duration::from_secs(3));
        assert!(backoff(1, Some(Duration::from_secs(3600))) <= MAX_WAIT);
        assert!(backoff(10, None) <= MAX_WAIT);
    }

    #[test]
    fn errors_never_name_the_token_and_say_what_to_fix() {
        let e = GitHubError::Forbidden {
            action: "creating the comment",
            detail: String::new(),
        };
        assert!(e.to_string().contains("pull-requests: write"));
    }

    /// An error that, like octocrab's, prints its cause and returns it.
    #[derive(Debug)]
    struct Wrapper(std::io::Error);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Service Error: {}", self.0)
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn a_cause_printed_by_its_wrapper_is_said_once() {
        let e = Wrapper(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(causes(&e), "Service Error: Connection refused");
    }
}
