//! The secrets corpus (tests/secrets-corpus/cases.tsv), parsed: shared by
//! the precision/recall test and the redaction test.

pub struct Case {
    pub line: usize,
    pub positive: bool,
    pub path: String,
    /// The text as scanned: markers removed, `⏎` turned into newlines.
    pub text: String,
    /// The marked secret values (positives only).
    pub secrets: Vec<String>,
}

pub fn corpus() -> Vec<Case> {
    let raw = include_str!("../secrets-corpus/cases.tsv");
    raw.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
        .map(|(i, l)| {
            let mut parts = l.splitn(3, '\t');
            let label = parts.next().unwrap();
            let path = parts.next().unwrap().to_string();
            let marked = parts.next().unwrap().replace('⏎', "\n");
            let mut secrets = Vec::new();
            let mut rest = marked.as_str();
            while let Some(a) = rest.find('«') {
                let b = rest[a..].find('»').unwrap() + a;
                secrets.push(rest[a + '«'.len_utf8()..b].to_string());
                rest = &rest[b..];
            }
            Case {
                line: i + 1,
                positive: label == "+",
                path,
                text: marked.replace(['«', '»'], ""),
                secrets,
            }
        })
        .collect()
}
