//! Temporal activity retry policies, for `retry-storm` and `retry-backoff`.
//!
//! Temporal retries every failed activity by itself, so a workflow's
//! activity options are a retry site like a tenacity decorator: the
//! service's calls out run inside the activities. The policy's fields and
//! their defaults are the same in every SDK (TypeScript `RetryPolicy` in
//! `@temporalio/common`, Go `temporal.RetryPolicy`, Python
//! `temporalio.common.RetryPolicy`; documented at
//! docs.temporal.io/encyclopedia/retry-policies):
//!
//! - initial interval 1 s, backoff coefficient 2 (exponential), maximum
//!   interval 100 × the initial one;
//! - maximum attempts 0, which is unlimited: an activity left on the default
//!   policy retries until its schedule-to-close timeout, for ever by default;
//!   1 turns retries off;
//! - no jitter: the policy has no field for it, so activities that failed
//!   together (posts scheduled for the same minute) retry in step.
//!
//! So a policy is reported as Temporal configures it: `backoffCoefficient:
//! 1` is a constant interval, a missing `maximumAttempts` is unbounded, and
//! every policy lacks jitter. This module is where that knowledge lives, as
//! the other retry libraries' live in each language's `retries` reader.

use std::sync::LazyLock;

use regex::Regex;

use super::lexer::Source;
use super::{Backoff, CodeFacts, RetrySite};

const MECHANISM: &str = "Temporal activity";

/// What a policy's text says about its two fields that matter here.
struct Policy {
    /// `maximumAttempts` / `MaximumAttempts` / `maximum_attempts`: `None`
    /// when absent, `Some(None)` when not a literal number.
    attempts: Option<Option<u64>>,
    /// `backoffCoefficient`: `None` when absent or not a literal.
    coefficient: Option<f64>,
}

impl Policy {
    fn read(text: &str, attempts_key: &Regex, coefficient_key: &Regex) -> Self {
        let attempts = attempts_key.captures(text).map(|c| {
            let v = c.name("v").map_or("", |m| m.as_str());
            v.parse::<u64>().ok()
        });
        let coefficient = coefficient_key
            .captures(text)
            .and_then(|c| c.name("v")?.as_str().parse::<f64>().ok());
        Policy {
            attempts,
            coefficient,
        }
    }

    /// The retry site this policy makes, or none when it turns retries off
    /// (`maximumAttempts: 1`).
    fn site(&self, src: &Source, at: usize) -> Option<RetrySite> {
        let bounded = match self.attempts {
            Some(Some(1)) => return None,
            Some(Some(0)) | None => false,
            // A named constant: taken as the bound it is meant to be.
            Some(_) => true,
        };
        let backoff = match self.coefficient {
            Some(c) if c <= 1.0 => Backoff::Constant,
            _ => Backoff::Exponential,
        };
        Some(RetrySite {
            location: src.loc(at),
            mechanism: MECHANISM,
            backoff,
            jitter: false,
            bounded,
            through: None,
        })
    }
}

fn key(name: &str) -> Regex {
    crate::facts::pattern::regex(&format!(r"\b{name}\s*[:=]\s*(?P<v>[A-Za-z_][\w.]*|[\d.]+)"))
}

static TS_ATTEMPTS: LazyLock<Regex> = LazyLock::new(|| key("maximumAttempts"));
static TS_COEFFICIENT: LazyLock<Regex> = LazyLock::new(|| key("backoffCoefficient"));
static GO_ATTEMPTS: LazyLock<Regex> = LazyLock::new(|| key("MaximumAttempts"));
static GO_COEFFICIENT: LazyLock<Regex> = LazyLock::new(|| key("BackoffCoefficient"));
static PY_ATTEMPTS: LazyLock<Regex> = LazyLock::new(|| key("maximum_attempts"));
static PY_COEFFICIENT: LazyLock<Regex> = LazyLock::new(|| key("backoff_coefficient"));

/// TypeScript/JavaScript workflows: `proxyActivities<T>({ …, retry: { … } })`
/// and `proxyLocalActivities`, in a file importing `@temporalio/workflow`.
/// The site is the `retry:` key, or the call when the default policy
/// applies. Options passed as a variable are not read.
pub(crate) fn js_policies(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("@temporalio/workflow") {
        return;
    }
    for name in ["proxyActivities", "proxyLocalActivities"] {
        for i in src.find_all(name) {
            let after = &code[i + name.len()..];
            if code[..i]
                .chars()
                .next_back()
                .is_some_and(|b| b.is_alphanumeric() || b == '_' || b == '$')
            {
                continue;
            }
            // `proxyActivities<typeof activities>(`.
            let open = match after.find('(') {
                Some(p) if after[..p].trim().is_empty() || after[..p].trim().starts_with('<') => {
                    i + name.len() + p
                }
                _ => continue,
            };
            let args = src.inside(open).trim_start();
            if !args.starts_with('{') {
                continue;
            }
            let args_at = open + 1;
            let args = src.inside(open);
            let at = match args.find("retry") {
                Some(r) if args[r + "retry".len()..].trim_start().starts_with(':') => args_at + r,
                _ => i,
            };
            let policy = Policy::read(args, &TS_ATTEMPTS, &TS_COEFFICIENT);
            if let Some(site) = policy.site(src, at) {
                facts.retries.push(site);
            }
        }
    }
}

/// Go: a `temporal.RetryPolicy{…}` literal, and a `workflow.ActivityOptions{…}`
/// with no `RetryPolicy` field (the default policy).
pub(crate) fn go_policies(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("go.temporal.io/sdk") {
        return;
    }
    for i in src.find_all("temporal.RetryPolicy{") {
        let open = i + "temporal.RetryPolicy".len();
        let policy = Policy::read(src.inside(open), &GO_ATTEMPTS, &GO_COEFFICIENT);
        if let Some(site) = policy.site(src, i) {
            facts.retries.push(site);
        }
    }
    for i in src.find_all("workflow.ActivityOptions{") {
        let open = i + "workflow.ActivityOptions".len();
        if src.inside(open).contains("RetryPolicy") {
            continue;
        }
        let policy = Policy {
            attempts: None,
            coefficient: None,
        };
        if let Some(site) = policy.site(src, i) {
            facts.retries.push(site);
        }
    }
}

/// Python: `RetryPolicy(…)` in a module importing `temporalio`.
pub(crate) fn py_policies(src: &Source, facts: &mut CodeFacts) {
    let code = &src.code;
    if !code.contains("temporalio") {
        return;
    }
    for i in src.find_all("RetryPolicy(") {
        if code[..i]
            .chars()
            .next_back()
            .is_some_and(|b| b.is_alphanumeric() || b == '_')
        {
            continue;
        }
        let open = i + "RetryPolicy".len();
        let policy = Policy::read(src.inside(open), &PY_ATTEMPTS, &PY_COEFFICIENT);
        if let Some(site) = policy.site(src, i) {
            facts.retries.push(site);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Lang;

    fn read(path: &str, lang: Lang, code: &str) -> Vec<(u32, Backoff, bool, bool)> {
        let src = Source::new(path, lang, code);
        let mut facts = CodeFacts::default();
        match lang {
            Lang::Go => go_policies(&src, &mut facts),
            Lang::Python => py_policies(&src, &mut facts),
            _ => js_policies(&src, &mut facts),
        }
        facts
            .retries
            .iter()
            .map(|r| (r.location.line, r.backoff, r.jitter, r.bounded))
            .collect()
    }

    #[test]
    fn typescript_activity_policies_as_temporal_applies_them() {
        let ts = "import { proxyActivities } from '@temporalio/workflow';\n\nconst { publish } = proxyActivities<Acts>({\n  startToCloseTimeout: '5 minutes',\n  retry: {\n    maximumAttempts: 4,\n    backoffCoefficient: 1,\n    initialInterval: '30 seconds',\n  },\n});\nconst { render } = proxyActivities<Acts>({ startToCloseTimeout: '1 minute' });\nconst { charge } = proxyActivities<Acts>({\n  startToCloseTimeout: '1 minute',\n  retry: { maximumAttempts: 1 },\n});\nconst { notify } = proxyActivities<Acts>({\n  startToCloseTimeout: '1 minute',\n  retry: { maximumAttempts: 6, backoffCoefficient: 2 },\n});\n";
        assert_eq!(
            read("src/workflows/publish.ts", Lang::TypeScript, ts),
            vec![
                // A constant interval, bounded, never jittered.
                (5, Backoff::Constant, false, true),
                // The default policy: exponential, unlimited attempts.
                (11, Backoff::Exponential, false, false),
                // (`maximumAttempts: 1` at line 14 turns retries off: no
                // site.) Coefficient 2, six attempts: still no jitter.
                (18, Backoff::Exponential, false, true),
            ]
        );
        // Without the Temporal import the same words are someone else's.
        assert!(
            read(
                "src/x.ts",
                Lang::TypeScript,
                &ts.replace("@temporalio/workflow", "./proxy")
            )
            .is_empty()
        );
    }

    #[test]
    fn go_and_python_policies() {
        let go = "package flows\n\nimport (\n\t\"time\"\n\n\t\"go.temporal.io/sdk/temporal\"\n\t\"go.temporal.io/sdk/workflow\"\n)\n\nvar send = workflow.ActivityOptions{\n\tStartToCloseTimeout: time.Minute,\n\tRetryPolicy: &temporal.RetryPolicy{\n\t\tInitialInterval:    time.Second,\n\t\tBackoffCoefficient: 1.0,\n\t\tMaximumAttempts:    5,\n\t},\n}\n\nvar plain = workflow.ActivityOptions{StartToCloseTimeout: time.Minute}\n";
        assert_eq!(
            read("flows/send.go", Lang::Go, go),
            vec![
                (12, Backoff::Constant, false, true),
                (19, Backoff::Exponential, false, false)
            ]
        );
        let py = "from datetime import timedelta\nfrom temporalio import workflow\nfrom temporalio.common import RetryPolicy\n\nPOLICY = RetryPolicy(\n    initial_interval=timedelta(seconds=2),\n    maximum_attempts=0,\n)\nONCE = RetryPolicy(maximum_attempts=1)\n";
        assert_eq!(
            read("flows/send.py", Lang::Python, py),
            vec![(5, Backoff::Exponential, false, false)]
        );
    }
}
