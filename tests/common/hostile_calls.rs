//! Generated hostile sources: one file per language holding ONE function of
//! `n` outbound calls of each kind graduate follows (plain client calls, SDK
//! calls of a row bounded by the enclosing function's context or timeout,
//! wrapper calls, calls in retry loops, `this.x.get(`, raced promises, logs
//! naming personal data, secret-looking literals, calls under a caller's
//! deadline). Each call site is one short line, so 20,000 of them stay under
//! the walk's 1 MiB file limit and reach the extractors.
//!
//! Such a file once made extraction quadratic: every site searched its whole
//! enclosing function (or the file from its top). `tests/hostile_scale.rs`
//! checks the findings grow exactly with `n`; the ignored test there writes
//! the trees that `scripts/bench.sh`-style timing at n = 2,000 and 20,000
//! compares (linear work grows 10x, quadratic 100x).

/// A language graduate parses, and the file its generated function sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Go,
    JavaScript,
    TypeScript,
    Python,
    Rust,
}

pub const LANGS: [Lang; 5] = [
    Lang::Go,
    Lang::JavaScript,
    Lang::TypeScript,
    Lang::Python,
    Lang::Rust,
];

struct Shape {
    /// The file holding the function.
    path: &'static str,
    head: &'static str,
    /// One call kind per entry: its name and its line, `{i}` the index.
    kinds: &'static [(&'static str, &'static str)],
    tail: &'static str,
    /// Other files of the tree (manifest, the wrapper's module).
    extra: &'static [(&'static str, &'static str)],
}

const JS_HEAD: &str = "import axios from 'axios';\nimport got from 'got';\nimport http from 'node:http';\nimport Stripe from 'stripe';\nimport { api } from './api';\nconst stripe = new Stripe(process.env.K);\nexport class Svc {\n  constructor() { this.x = axios.create({}); }\n  async run(user, u, t, a, k) {\n";
const JS_KINDS: &[(&str, &str)] = &[
    ("plain", "    await fetch(\"/{i}\");\n"),
    ("axios", "    await axios.get(\"/{i}\");\n"),
    ("got", "    await got(\"/{i}\");\n"),
    ("nodehttp", "    http.get(\"/{i}\");\n"),
    ("sdk", "    await stripe.customers.create({});\n"),
    ("this", "    await this.x.get(\"/{i}\");\n"),
    ("wrapper", "    await api(\"/{i}\");\n"),
    ("retry", "    while (a--) { await fetch(u); }\n"),
    ("race", "    await Promise.race([fetch(u), t]);\n"),
    (
        "raced",
        "    const p{i} = fetch(u); await Promise.race([p{i}, t]);\n",
    ),
    ("pii", "    console.log(\"email\", user.email);\n"),
    ("secret", "    k = \"sk_live_{i:024}\";\n"),
];
const JS_MANIFEST: (&str, &str) = (
    "package.json",
    "{\"name\":\"x\",\"dependencies\":{\"axios\":\"1\",\"got\":\"1\",\"stripe\":\"1\"}}",
);
const JS_EXTRA_JS: &[(&str, &str)] = &[
    JS_MANIFEST,
    (
        "src/api.js",
        "export async function api(u) { return fetch(u); }\n",
    ),
];
const JS_EXTRA_TS: &[(&str, &str)] = &[
    JS_MANIFEST,
    (
        "src/api.ts",
        "export async function api(u) { return fetch(u); }\n",
    ),
];

fn shape(lang: Lang) -> Shape {
    match lang {
        Lang::Go => Shape {
            path: "main.go",
            head: "package main\n\nimport (\n\t\"context\"\n\t\"log\"\n\t\"net/http\"\n\t\"time\"\n\n\t\"github.com/coreos/go-oidc/v3/oidc\"\n\t\"golang.org/x/oauth2\"\n)\n\nfunc clientFor(c string) *http.Client { return &http.Client{} }\n\nfunc run(ctx context.Context, p *oidc.Provider, oc *oauth2.Config, v *oidc.IDTokenVerifier, u string, req *http.Request, user User) {\n\tctx, cancel := context.WithTimeout(ctx, time.Second)\n\tdefer cancel()\n",
            kinds: &[
                ("plain", "\thttp.Get(\"https://a.example/{i}\")\n"),
                ("client", "\thttp.DefaultClient.Do(req)\n"),
                (
                    "ctxreq",
                    "\thttp.NewRequestWithContext(ctx, \"GET\", u, nil)\n",
                ),
                (
                    "sdk",
                    "\toc.Exchange(ctx, \"c{i}\")\n\tv.Verify(ctx, \"t\")\n",
                ),
                ("wrapper", "\tclientFor(\"a\").Do(req)\n"),
                ("retry", "\tfor i := 0; i < 3; i++ { http.Get(\"/{i}\") }\n"),
                ("pii", "\tlog.Printf(\"email %s\", user.Email)\n"),
                ("secret", "\t_ = \"sk_live_{i:024}\"\n"),
                ("calls", "\tcheck{i}(ctx)\n"),
            ],
            tail: "}\n",
            extra: &[("go.mod", "module x\n\ngo 1.22\n")],
        },
        Lang::JavaScript => Shape {
            path: "src/svc.js",
            head: JS_HEAD,
            kinds: JS_KINDS,
            tail: "  }\n}\n",
            extra: JS_EXTRA_JS,
        },
        Lang::TypeScript => Shape {
            path: "src/svc.ts",
            head: JS_HEAD,
            kinds: JS_KINDS,
            tail: "  }\n}\n",
            extra: JS_EXTRA_TS,
        },
        Lang::Python => Shape {
            path: "app/main.py",
            head: "import logging\nimport requests\nimport httpx\nimport pycurl\nfrom firebase_admin import messaging\nlog = logging.getLogger(__name__)\ndef client():\n    return requests.Session()\ndef run(user, u, c, s, m):\n",
            kinds: &[
                ("plain", "    requests.get(\"/{i}\")\n"),
                ("session", "    s.get(\"/{i}\")\n"),
                ("httpx", "    httpx.get(\"/{i}\")\n"),
                ("pycurl", "    c.perform()\n"),
                ("sdk", "    messaging.send(m)\n"),
                ("wrapper", "    client().get(\"/{i}\")\n"),
                ("retry", "    for a in range(3):\n        requests.get(u)\n"),
                ("pii", "    log.info(\"email %s\", user.email)\n"),
                ("secret", "    k{i} = \"sk_live_{i:024}\"\n"),
            ],
            tail: "",
            extra: &[(
                "requirements.txt",
                "requests\nhttpx\npycurl\nfirebase-admin\n",
            )],
        },
        Lang::Rust => Shape {
            path: "src/main.rs",
            head: "use reqwest::Client;\nuse std::time::Duration;\nasync fn run(client: &Client, user: &User, u: &str, d: Duration) {\n",
            kinds: &[
                ("plain", "    reqwest::get(\"/{i}\").await;\n"),
                ("client", "    client.get(u).send().await;\n"),
                ("ureq", "    ureq::get(u).call();\n"),
                ("isahc", "    isahc::get(u);\n"),
                ("timeout", "    tokio::time::timeout(d, check(u)).await;\n"),
                (
                    "retry",
                    "    for a in 0..3 { client.get(u).send().await; }\n",
                ),
                ("pii", "    tracing::info!(email = %user.email);\n"),
                ("secret", "    let _ = \"sk_live_{i:024}\";\n"),
            ],
            tail: "}\n",
            extra: &[(
                "Cargo.toml",
                "[package]\nname = \"x\"\n[dependencies]\nreqwest = \"1\"\nureq = \"1\"\nisahc = \"1\"\ntokio = \"1\"\n",
            )],
        },
    }
}

/// The names of a language's call kinds.
pub fn kinds(lang: Lang) -> Vec<&'static str> {
    shape(lang).kinds.iter().map(|(k, _)| *k).collect()
}

/// The path of the file holding the generated function.
pub fn path(lang: Lang) -> &'static str {
    shape(lang).path
}

fn line(template: &str, i: usize) -> String {
    template
        .replace("{i:024}", &format!("{i:024}"))
        .replace("{i}", &i.to_string())
}

/// The files of a tree whose one function holds `n` calls of `kind` (or of
/// every kind in turn, `n` lines in all, for `kind` = `"mix"`).
pub fn tree(lang: Lang, kind: &str, n: usize) -> Vec<(&'static str, String)> {
    let s = shape(lang);
    let mut text = s.head.to_string();
    if kind == "mix" {
        for i in 0..n / s.kinds.len() {
            for (_, t) in s.kinds {
                text.push_str(&line(t, i));
            }
        }
    } else {
        let (_, t) = s
            .kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap_or_else(|| panic!("no kind {kind} for {lang:?}"));
        for i in 0..n {
            text.push_str(&line(t, i));
        }
    }
    text.push_str(s.tail);
    let mut files = vec![(s.path, text)];
    files.extend(s.extra.iter().map(|(p, c)| (*p, c.to_string())));
    files
}

/// Writes [`tree`] under `dir`.
pub fn write(dir: &std::path::Path, files: &[(&str, String)]) {
    for (p, c) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, c).unwrap();
    }
}
