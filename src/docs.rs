//! Rule documentation generated from the same metadata as `graduate explain`;
//! `docs/rules/<id>.md` is checked for staleness by a test.

use crate::rules::RuleMeta;
use crate::score::priority;

pub fn rule_markdown(m: &RuleMeta) -> String {
    format!(
        "# `{id}` — {title}\n\n\
         Pillar: **{pillar}** · {kind} · plan week {week} · sites in: {scopes} \
         ([scopes](../scopes.md))\n\n\
         | impact | risk | effort | priority |\n|---|---|---|---|\n| {i} | {r} | {e} | {p} |\n\n\
         ## Why it matters\n\n{why}\n\n\
         ## What it checks\n\n{detection}\n\n\
         ## How to fix it\n\n{remediation}\n\n\
         ## Why these scores\n\n{rationale}\n\n\
         ## Example\n\nFails:\n\n```\n{fail}\n```\n\nPasses:\n\n```\n{pass}\n```\n",
        id = m.id,
        title = m.title,
        pillar = m.pillar.id(),
        kind = if m.per_site { "per site" } else { "whole app" },
        week = m.week,
        scopes = if m.scopes.len() == crate::inventory::Scope::ALL.len() {
            "every scope".to_string()
        } else {
            m.scopes
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(", ")
        },
        i = m.impact,
        r = m.risk,
        e = m.effort,
        p = priority(m.impact, m.risk, m.effort),
        why = m.why.trim(),
        detection = m.detection.trim(),
        remediation = m.remediation.trim(),
        rationale = m.rationale.trim(),
        fail = m.example.fail.trim_end(),
        pass = m.example.pass.trim_end(),
    )
}
