//! `outbound-timeout`, per call site: every outbound HTTP call is bounded in
//! time, by a per-call timeout, a configured client, or a client default that
//! is itself a bound (httpx: 5 s). Go's `http.Get`, `reqwest::get`, axios,
//! fetch and requests have none. not applicable when the app makes no outbound calls.

use crate::facts::{Facts, TimeoutState};
use crate::rules::{Evidence, Finding, Outcome};

pub fn check(facts: &Facts) -> Outcome {
    if facts.outbound.is_empty() {
        return Outcome::not_applicable("no outbound HTTP calls found");
    }
    let mut clean = Vec::new();
    let mut bad = Vec::new();
    for call in &facts.outbound {
        let evidence = Evidence::at(&call.location, &call.note);
        match call.timeout {
            TimeoutState::Explicit | TimeoutState::ClientDefault(_) => clean.push(evidence),
            TimeoutState::Missing | TimeoutState::Disabled => {
                let finding = Finding::at(
                    &call.location,
                    format!("{} call without a timeout: {}", call.client, call.note),
                )
                .with_fix(client_fix(call.client));
                bad.push((evidence, finding));
            }
            // A default in minutes is a bound nobody chose: still a site to
            // fix, one step less risky than a call that can hang forever.
            TimeoutState::TooLong(default) => {
                let finding = Finding::at(
                    &call.location,
                    format!(
                        "{} call bounded only by its default of {default}: {}",
                        call.client, call.note
                    ),
                )
                .with_fix(client_fix(call.client));
                let finding = Finding {
                    risk: Some(3),
                    ..finding
                };
                bad.push((evidence, finding));
            }
        }
    }
    Outcome::sites(clean, bad)
}

/// The idiomatic way to bound a call, per client (see docs/clients.md).
fn client_fix(client: &str) -> &'static str {
    if let Some(fix) = crate::facts::code::client_fix(client) {
        return fix;
    }
    match client {
        "axios" => {
            "Pass { timeout: 5000 } or create the client with axios.create({ timeout: 5000 })."
        }
        "fetch" | "node-fetch" => "Pass { signal: AbortSignal.timeout(5000) } to fetch.",
        "requests" => "Pass timeout=(3.05, 10) to every requests call; Sessions have no default.",
        "httpx" => "Drop timeout=None; use httpx.Timeout(10.0, connect=3.0).",
        "aiohttp" => "Create the session with timeout=aiohttp.ClientTimeout(total=10).",
        "urllib" => "Pass timeout=10 to urlopen.",
        "net/http" => {
            "Use an http.Client{Timeout: 10 * time.Second} instead of http.Get/DefaultClient."
        }
        "reqwest" => "Build the client with Client::builder().timeout(Duration::from_secs(10)).",
        _ => "Set an explicit timeout on the call or on its client.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Location, OutboundCall};
    use crate::rules::Status;

    fn call(line: u32, timeout: TimeoutState) -> OutboundCall {
        OutboundCall {
            location: Location::new("a.go", line),
            client: "net/http",
            timeout,
            note: "n".into(),
        }
    }

    #[test]
    fn partial_credit_per_site() {
        let f = Facts {
            outbound: vec![
                call(1, TimeoutState::Missing),
                call(2, TimeoutState::Explicit),
                call(3, TimeoutState::ClientDefault("5 s")),
                call(4, TimeoutState::Disabled),
            ],
            ..Facts::default()
        };
        let out = check(&f);
        assert_eq!(out.status, Status::Fail);
        assert_eq!(out.findings.len(), 2);
        assert_eq!(out.pass_fraction(), 0.5);
        assert_eq!(check(&Facts::default()).status, Status::NotApplicable);
    }
}
