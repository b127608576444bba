//! Runbooks judged by content: complete, partial, template-only and empty.

mod common;

use common::{check, graduate};
use serde_json::Value;

fn runbook(text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "print('hi')\n").unwrap();
    std::fs::write(dir.path().join("RUNBOOK.md"), text).unwrap();
    let out = graduate()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--no-git"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    check(&r, "runbook").clone()
}

#[test]
fn complete_runbook_passes() {
    let c = runbook(
        "# Runbook\n## Triage\nOpen the latency dashboard and the error logs.\n## Mitigation\nRoll back to the previous release.\n## Escalation\nPage the on-call engineer in PagerDuty.\n## Verify recovery\nError rate under 1% for ten minutes.\n",
    );
    assert_eq!(c["status"], "pass");
    assert_eq!(c["evidence"].as_array().unwrap().len(), 4);
}

#[test]
fn partial_runbook_gets_partial_credit_and_names_what_is_missing() {
    let c = runbook(
        "# Runbook\n## Triage\nCheck the dashboard.\n## Mitigation\nRoll back the deploy.\n",
    );
    assert_eq!(c["status"], "fail");
    assert_eq!(c["pass_fraction"], 0.5);
    let note = c["evidence"][0]["note"].as_str().unwrap();
    assert!(
        note.contains("escalation") && note.contains("recovery"),
        "{note}"
    );
}

#[test]
fn template_only_and_empty_runbooks_earn_nothing() {
    let c = runbook(
        "# Runbook\n## Triage\nTODO\n## Mitigation\n\n## Escalation\n<who to page>\n## Verify recovery\nTBD\n",
    );
    assert_eq!(c["status"], "fail");
    assert_eq!(c["pass_fraction"], 0.0);
    assert!(
        c["evidence"][0]["note"]
            .as_str()
            .unwrap()
            .contains("template")
    );
    let c = runbook("");
    assert_eq!(c["status"], "fail");
    assert_eq!(c["pass_fraction"], 0.0);
}
