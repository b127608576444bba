//! fixtures/operator-cli: a Flask service beside its operator's tools, with
//! the classes of lookalike findings the session 7 held-out services showed
//! (redash, listmonk), each with a control that must stay reported:
//!
//! - `pii-in-logs`: `print()` in a click command of a `cli/` package and in
//!   a `@app.cli.command` of `manage.py` writes to the operator's terminal
//!   (not reported); `print()` in a request handler is the service's output
//!   (reported). A name
//!   for the forgot-password template (`mails.tpl_forgot_password`) is not a
//!   password; a logged `new_password` is.
//! - `hardcoded-secret`: the database password and cookie secret of a
//!   compose stack kept under `.ci/` (brought up and thrown away by a CI job)
//!   are not listed; the cookie secret of the deployment's `compose.yaml`
//!   is.

mod common;

#[test]
fn operator_output_and_template_names_are_not_logged_secrets() {
    let report = common::scan_fixture("operator-cli");
    let want: Vec<(String, u64)> = [("app/web/accounts.py", 13), ("app/web/accounts.py", 30)]
        .iter()
        .map(|(p, l)| (p.to_string(), *l))
        .collect();
    assert_eq!(common::rule_sites(&report, "pii-in-logs"), want);
}

#[test]
fn a_ci_only_compose_stack_holds_no_secret() {
    let report = common::scan_fixture("operator-cli");
    let got = common::rule_sites(&report, "hardcoded-secret");
    assert!(got.iter().all(|(p, _)| !p.starts_with(".ci/")), "{got:?}");
    assert_eq!(got, vec![("compose.yaml".to_string(), 6)]);
}
