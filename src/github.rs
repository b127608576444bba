//! The PR bot's side of the GitHub REST API, through octocrab: find the
//! sticky comment this account left on a pull request (by its hidden marker,
//! across every page of comments), then edit it, or create one.
//!
//! Requests go through octocrab's raw `_get`/`_post`/`_patch` so that status
//! and rate-limit headers stay visible: rate limits (429, and 403 with
//! `x-ratelimit-remaining: 0` or a secondary-limit message) are retried with
//! bounded, jittered backoff that honours `Retry-After` and
//! `x-ratelimit-reset`; other failures become errors that say what to fix.
//! The client has connect/read/write timeouts (the very thing graduate
//! checks in other people's code). The token never appears in any message.

use std::time::Duration;

use http::StatusCode;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::json;

use crate::report::markdown::MARKER;

/// Attempts per request, the first included.
const ATTEMPTS: u32 = 4;
/// No single wait is longer than this, whatever the headers say.
const MAX_WAIT: Duration = Duration::from_secs(60);
const PER_PAGE: usize = 100;
/// Safety bound on pagination (100 × 50 = 5,000 comments).
const MAX_PAGES: u32 = 50;
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
    #[error("rate limited by GitHub {action}; gave up after {ATTEMPTS} attempts")]
    RateLimited { action: &'static str },
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
    #[error("invalid API URL `{0}`")]
    ApiUrl(String),
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

pub struct Client {
    octo: Octocrab,
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

impl Client {
    pub fn new(api_url: &str, token: &str) -> Result<Client, GitHubError> {
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
                message: e.to_string(),
            })?;
        Ok(Client { octo })
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
            let sent = match method {
                Method::Get => self.octo._get(path).await,
                Method::Post => self.octo._post(path, payload.as_ref()).await,
                Method::Patch => self.octo._patch(path, payload.as_ref()).await,
            };
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    if attempt < ATTEMPTS {
                        tokio::time::sleep(backoff(attempt, None)).await;
                        continue;
                    }
                    return Err(GitHubError::Network {
                        action,
                        message: first_line(&e.to_string()),
                    });
                }
            };
            let status = response.status();
            let wait = rate_limit_wait(response.headers());
            let remaining_zero = response
                .headers()
                .get("x-ratelimit-remaining")
                .and_then(|v| v.to_str().ok())
                == Some("0");
            let text = self.octo.body_to_string(response).await.unwrap_or_default();
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
            let transient = rate_limited || status.is_server_error();
            if transient && attempt < ATTEMPTS {
                tokio::time::sleep(backoff(attempt, wait)).await;
                continue;
            }
            return Err(match status {
                _ if rate_limited => GitHubError::RateLimited { action },
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
            });
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
}
