//! Whole checks on small repositories written here, one per practice that a
//! table used to miss or a sceptical user could fool (issue 14): the scan
//! runs as a user runs it, and each case has a control that flips the
//! check, so neither side passes by accident.

use serde_json::Value;

mod common;

use common::check;

/// Scan a repository made of `files` (path, text).
fn scan(files: &[(&str, &str)]) -> Value {
    common::scan_files(files.iter().copied())
}

fn status(files: &[(&str, &str)], rule: &str) -> String {
    let report = scan(files);
    check(&report, rule)["status"].as_str().unwrap().to_string()
}

const PY_APP: (&str, &str) = (
    "app/main.py",
    "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/orders\")\ndef orders():\n    return []\n",
);
const PY_TEST: (&str, &str) = (
    "tests/test_orders.py",
    "def test_orders():\n    assert True\n",
);
const PYPROJECT: (&str, &str) = (
    "pyproject.toml",
    "[project]\nname = \"orders\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi\"]\n",
);

fn workflow(run: &str) -> String {
    format!(
        "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: {run}\n"
    )
}

/// `run: echo "tests disabled; pytest --cov-fail-under=80"` runs no test
/// and gates nothing; the same words unquoted do both.
#[test]
fn a_runner_quoted_in_an_echo_runs_nothing() {
    let quoted = workflow("echo \"tests disabled; pytest --cov-fail-under=80\"");
    let files = [
        PY_APP,
        PY_TEST,
        PYPROJECT,
        (".github/workflows/ci.yml", quoted.as_str()),
    ];
    let report = scan(&files);
    assert_ne!(check(&report, "ci-runs-tests")["status"], "pass");
    assert_ne!(check(&report, "coverage-threshold")["status"], "pass");
    let plain = workflow("pytest --cov=app --cov-fail-under=80");
    let files = [
        PY_APP,
        PY_TEST,
        PYPROJECT,
        (".github/workflows/ci.yml", plain.as_str()),
    ];
    let report = scan(&files);
    assert_eq!(check(&report, "ci-runs-tests")["status"], "pass");
    assert_eq!(check(&report, "coverage-threshold")["status"], "pass");
}

/// A commented-out `fail_under` in .coveragerc gates nothing.
#[test]
fn a_commented_out_threshold_is_no_threshold() {
    let wf = workflow("pytest --cov=app");
    for (cfg, want_pass) in [
        (
            "[run]\nbranch = True\n\n[report]\n# fail_under = 90\n",
            false,
        ),
        ("[run]\nbranch = True\n\n[report]\nfail_under = 90\n", true),
    ] {
        let files = [
            PY_APP,
            PY_TEST,
            PYPROJECT,
            (".github/workflows/ci.yml", wf.as_str()),
            (".coveragerc", cfg),
        ];
        let s = status(&files, "coverage-threshold");
        assert_eq!(s == "pass", want_pass, "{cfg:?}: {s}");
    }
}

/// Dependabot with `updates: []` (its entries commented out) updates nothing.
#[test]
fn dependabot_with_no_updates_fails() {
    for (cfg, want) in [
        (
            "version: 2\nupdates: []\n#  - package-ecosystem: pip\n#    directory: /\n",
            "fail",
        ),
        (
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
            "pass",
        ),
    ] {
        let files = [PY_APP, PYPROJECT, (".github/dependabot.yml", cfg)];
        assert_eq!(status(&files, "dependency-updates"), want, "{cfg:?}");
    }
}

/// A Mangum handler alone in its file is a Lambda app: no server to drain.
#[test]
fn a_mangum_handler_alone_in_its_file_is_serverless() {
    let files = [
        PY_APP,
        PYPROJECT,
        (
            "app/lambda_handler.py",
            "from mangum import Mangum\n\nfrom app.main import app\n\nhandler = Mangum(app)\n",
        ),
    ];
    assert_ne!(status(&files, "graceful-shutdown"), "fail");
    assert_eq!(status(&[PY_APP, PYPROJECT], "graceful-shutdown"), "fail");
}

/// `fastapi run` starts uvicorn, which drains on SIGTERM.
#[test]
fn fastapi_run_drains_by_itself() {
    let files = [
        PY_APP,
        PYPROJECT,
        (
            "Dockerfile",
            "FROM python:3.12-slim\nCOPY . /app\nCMD [\"fastapi\", \"run\", \"app/main.py\", \"--port\", \"80\"]\n",
        ),
    ];
    assert_eq!(status(&files, "graceful-shutdown"), "pass");
}

const GO_MOD: (&str, &str) = (
    "go.mod",
    "module example.com/orders\n\ngo 1.22\n\nrequire github.com/gofiber/fiber/v2 v2.52.0\n",
);

/// fiberprometheus exports Prometheus metrics from a Fiber app.
#[test]
fn fiberprometheus_exports_metrics() {
    let main = "package main\n\nimport (\n\t\"github.com/ansrivas/fiberprometheus/v2\"\n\t\"github.com/gofiber/fiber/v2\"\n)\n\nfunc main() {\n\tapp := fiber.New()\n\tprom := fiberprometheus.New(\"orders\")\n\tprom.RegisterAt(app, \"/metrics\")\n\tapp.Use(prom.Middleware)\n\tapp.Get(\"/orders\", list)\n\t_ = app.Listen(\":8080\")\n}\n";
    assert_eq!(
        status(&[GO_MOD, ("main.go", main)], "metrics-exported"),
        "pass"
    );
    let without = main.replace("prom := fiberprometheus.New(\"orders\")\n\tprom.RegisterAt(app, \"/metrics\")\n\tapp.Use(prom.Middleware)\n\t", "");
    assert_eq!(
        status(&[GO_MOD, ("main.go", &without)], "metrics-exported"),
        "fail"
    );
}

const PKG: (&str, &str) = (
    "package.json",
    "{\"name\":\"orders\",\"dependencies\":{\"fastify\":\"^5.0.0\"}}",
);

/// Fastify's built-in logger (pino) and a hand-written
/// `process.stdout.write(JSON.stringify(entry))` logger write JSON lines.
#[test]
fn fastify_logger_and_stdout_json_are_structured() {
    let on = "import Fastify from 'fastify';\nconst app = Fastify({\n  logger: true,\n});\napp.get('/orders', async () => []);\nawait app.listen({ port: 3000 });\n";
    assert_eq!(
        status(&[PKG, ("src/server.js", on)], "structured-logging"),
        "pass"
    );
    let off = on.replace("logger: true", "logger: false");
    assert_ne!(
        status(&[PKG, ("src/server.js", &off)], "structured-logging"),
        "pass"
    );
    let stdout = "import Fastify from 'fastify';\nexport function log(level, msg) {\n  const entry = { level, msg, time: new Date().toISOString() };\n  process.stdout.write(JSON.stringify(entry) + '\\n');\n}\nconst app = Fastify();\napp.get('/orders', async () => { log('info', 'list'); return []; });\n";
    assert_eq!(
        status(&[PKG, ("src/server.js", stdout)], "structured-logging"),
        "pass"
    );
}

/// A uv workspace locks every member in the root's uv.lock.
#[test]
fn a_uv_workspace_root_lock_covers_its_members() {
    let root = "[project]\nname = \"root\"\nversion = \"0\"\n\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n";
    let member =
        "[project]\nname = \"api\"\nversion = \"0\"\ndependencies = [\"fastapi\"]\n\n[tool.uv]\n";
    let mut files = vec![
        ("pyproject.toml", root),
        ("packages/api/pyproject.toml", member),
        ("packages/api/api/main.py", PY_APP.1),
        ("uv.lock", "version = 1\n"),
    ];
    assert_eq!(status(&files, "lockfile-committed"), "pass");
    files.pop();
    assert_eq!(status(&files, "lockfile-committed"), "fail");
}

/// Django's `startapp` puts an app's tests in `tests.py`.
#[test]
fn django_tests_py_is_tests() {
    let files = [
        ("manage.py", "import django\n"),
        (
            "orders/views.py",
            "from django.http import JsonResponse\n\ndef index(request):\n    return JsonResponse({})\n",
        ),
        ("requirements.txt", "django==5.0\n"),
    ];
    assert_eq!(status(&files, "tests-present"), "fail");
    let mut with = files.to_vec();
    with.push((
        "orders/tests.py",
        "from django.test import TestCase\n\n\nclass OrdersTest(TestCase):\n    def test_index(self):\n        self.assertEqual(1, 1)\n",
    ));
    assert_eq!(status(&with, "tests-present"), "pass");
}

/// Runners behind wrappers and scripts: `poetry run ./scripts/test` into an
/// extensionless script, `c8 npm run test:run`, `tsx --test`.
#[test]
fn runners_behind_wrappers_and_scripts() {
    let wf = workflow("poetry run ./scripts/test");
    let files = [
        PY_APP,
        PY_TEST,
        PYPROJECT,
        (".github/workflows/ci.yml", wf.as_str()),
        (
            "scripts/test",
            "#!/usr/bin/env bash\nset -euo pipefail\npytest -q\n",
        ),
    ];
    assert_eq!(status(&files, "ci-runs-tests"), "pass");
    let node_pkg = "{\"name\":\"orders\",\"scripts\":{\"test:run\":\"vitest run\",\"test\":\"tsx --test src/orders.test.ts\"},\"devDependencies\":{\"vitest\":\"^2\",\"c8\":\"^10\",\"tsx\":\"^4\"}}";
    let server = (
        "src/server.ts",
        "import express from 'express';\nconst app = express();\napp.get('/orders', (_req, res) => res.json([]));\napp.listen(3000);\n",
    );
    let test = (
        "src/orders.test.ts",
        "import { test } from 'node:test';\ntest('orders', () => {});\n",
    );
    for (run, rule) in [
        (
            "c8 --check-coverage --lines 80 npm run test:run",
            "coverage-threshold",
        ),
        (
            "c8 --check-coverage --lines 80 npm run test:run",
            "ci-runs-tests",
        ),
        ("npm test", "ci-runs-tests"),
    ] {
        let wf = workflow(run);
        let files = [
            ("package.json", node_pkg),
            server,
            test,
            (".github/workflows/ci.yml", wf.as_str()),
        ];
        assert_eq!(status(&files, rule), "pass", "{run}: {rule}");
    }
}

/// A DigitalOcean App Platform spec's `health_check` is a deploy probe.
#[test]
fn app_platform_health_check_is_a_probe() {
    let spec = "name: orders\nservices:\n  - name: api\n    github: {repo: acme/orders, branch: main}\n    http_port: 8000\n    health_check:\n      http_path: /healthz\n";
    let files = [PY_APP, PYPROJECT, (".do/app.yaml", spec)];
    assert_eq!(status(&files, "deploy-health-probe"), "pass");
    let without = spec.replace("    health_check:\n      http_path: /healthz\n", "");
    let files = [PY_APP, PYPROJECT, (".do/app.yaml", without.as_str())];
    assert_ne!(status(&files, "deploy-health-probe"), "pass");
}

/// serverless.yml `http` events are the app's routes.
#[test]
fn serverless_http_events_are_routes() {
    let sls = "service: orders\nprovider: {name: aws, runtime: nodejs20.x}\nfunctions:\n  health:\n    handler: src/handler.health\n    events:\n      - http: GET /health\n  orders:\n    handler: src/handler.orders\n    events:\n      - http:\n          path: orders\n          method: get\n";
    let handler = (
        "src/handler.js",
        "exports.health = async (event) => ({ statusCode: 200 });\nexports.orders = async (event) => ({ statusCode: 200, body: '[]' });\n",
    );
    let pkg = ("package.json", "{\"name\":\"orders\",\"dependencies\":{}}");
    assert_eq!(
        status(&[pkg, handler, ("serverless.yml", sls)], "health-endpoint"),
        "pass"
    );
    let no_health = sls.replace("GET /health", "GET /status-page");
    assert_ne!(
        status(
            &[pkg, handler, ("serverless.yml", &no_health)],
            "health-endpoint"
        ),
        "pass"
    );
}

/// Every row of rules/integrations.toml: a runtime dependency on the SDK is
/// an integration in the pressure signal; the same package as a dev
/// dependency is not.
#[test]
fn every_integration_sdk_row_counts_as_a_runtime_dependency_only() {
    #[derive(serde::Deserialize)]
    struct Table {
        sdk: Vec<Sdk>,
    }
    #[derive(serde::Deserialize)]
    struct Sdk {
        package: String,
        name: String,
        ecosystem: String,
    }
    let t: Table =
        toml::from_str(&std::fs::read_to_string("rules/integrations.toml").unwrap()).unwrap();
    let mut failures = Vec::new();
    for sdk in &t.sdk {
        let p = &sdk.package;
        let (runtime, dev) = match sdk.ecosystem.as_str() {
            "npm" => (
                (
                    "package.json",
                    format!("{{\"name\":\"a\",\"dependencies\":{{\"{p}\":\"1.0.0\"}}}}"),
                ),
                (
                    "package.json",
                    format!("{{\"name\":\"a\",\"devDependencies\":{{\"{p}\":\"1.0.0\"}}}}"),
                ),
            ),
            "pypi" => (
                (
                    "pyproject.toml",
                    format!("[project]\nname = \"a\"\nversion = \"0\"\ndependencies = [\"{p}\"]\n"),
                ),
                (
                    "pyproject.toml",
                    format!(
                        "[project]\nname = \"a\"\nversion = \"0\"\n\n[dependency-groups]\ndev = [\"{p}\"]\n"
                    ),
                ),
            ),
            "go" => (
                (
                    "go.mod",
                    format!("module example.com/a\n\ngo 1.22\n\nrequire {p} v1.0.0\n"),
                ),
                // Go has no dev dependencies: a commented-out require is none.
                (
                    "go.mod",
                    format!("module example.com/a\n\ngo 1.22\n\n// require {p} v1.0.0\n"),
                ),
            ),
            "cargo" => (
                (
                    "Cargo.toml",
                    format!(
                        "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\n{p} = \"1\"\n"
                    ),
                ),
                (
                    "Cargo.toml",
                    format!(
                        "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dev-dependencies]\n{p} = \"1\"\n"
                    ),
                ),
            ),
            other => panic!("rules/integrations.toml: unknown ecosystem {other}"),
        };
        for (want, (path, text)) in [(true, runtime), (false, dev)] {
            let report = scan(&[(path, text.as_str())]);
            let note = report["pressure"]["signals"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == "integrations")
                .map(|s| s["note"].as_str().unwrap_or("").to_string())
                .unwrap_or_default();
            if note.contains(&sdk.name) != want {
                failures.push(format!(
                    "{p} ({}) {path}: {note}",
                    if want { "runtime" } else { "dev" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every row of rules/lockfiles.toml: a manifest of its kind with one
/// dependency is locked by the row's `match` lockfile and not by its
/// `no_match` one; every lockfile name the table lists is inventoried as a
/// lockfile, so no row can name a file the scan never sees as one.
#[test]
fn every_lockfile_row_locks_its_manifest_and_only_it() {
    use graduate::inventory::{FileKind, ManifestKind, classify, lock_rows};
    let mut failures = Vec::new();
    for row in lock_rows() {
        let manifest: &[(&str, &str)] = match row.manifest {
            ManifestKind::PackageJson => &[(
                "package.json",
                "{\"name\":\"a\",\"dependencies\":{\"express\":\"4.0.0\"}}",
            )],
            ManifestKind::Pyproject => &[(
                "pyproject.toml",
                "[project]\nname = \"a\"\nversion = \"0\"\ndependencies = [\"fastapi\"]\n",
            )],
            ManifestKind::Requirements => &[("requirements.txt", "fastapi>=0.100\n")],
            ManifestKind::Pipfile => &[("Pipfile", "[packages]\nfastapi = \"*\"\n")],
            ManifestKind::GoMod => &[(
                "go.mod",
                "module example.com/a\n\ngo 1.22\n\nrequire github.com/gorilla/mux v1.8.0\n",
            )],
            // A binary crate: a library needs no Cargo.lock.
            ManifestKind::CargoToml => &[
                (
                    "Cargo.toml",
                    "[package]\nname = \"a\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n",
                ),
                ("src/main.rs", "fn main() {}\n"),
            ],
        };
        for name in &row.lockfiles {
            if classify(name) != FileKind::Lockfile {
                failures.push(format!("{name} is not inventoried as a lockfile"));
            }
        }
        for (want, lock) in [("pass", &row.match_), ("fail", &row.no_match)] {
            let mut files = manifest.to_vec();
            files.push((lock.as_str(), ""));
            let got = status(&files, "lockfile-committed");
            if got != want {
                failures.push(format!(
                    "{:?} with {lock}: {got}, want {want}",
                    row.manifest
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// No hand-written word list decides what code is parsed or read: the
/// prefilter (src/facts/code/syntax.rs) and the extractors
/// (src/facts/code/**) take their words from rules/*.toml. A `const` or
/// `static` list of strings (`&[&str]`, `&[(&str, &str)]`, `[&str; N]`)
/// reintroduced there fails this test; the allow-list names the few that
/// are not knowledge of libraries or practices.
#[test]
fn no_word_list_constants_in_the_prefilter_or_extractors() {
    // (file, constant): why it is not table knowledge.
    const ALLOWED: &[(&str, &str)] = &[
        // The HTTP method names a client instance is called with
        // (`api.get(…)`): the protocol's verbs, the same for every client row.
        ("src/facts/code/clients.rs", "METHODS"),
        // Rust grammar: keywords after which syn recurses; a guard against
        // stack overflow on hostile input, not a trigger.
        ("src/facts/code/nesting.rs", "RECURSING_KEYWORDS"),
    ];
    let list = regex::Regex::new(
        r"(?m)^\s*(?:pub(?:\([a-z]+\))?\s+)?(?:const|static)\s+([A-Z][A-Z0-9_]*)\s*:\s*&?(?:'static\s+)?\[\s*(?:&(?:'static\s+)?str|\(\s*&)",
    )
    .unwrap();
    let mut found = Vec::new();
    // The code extractors and the secret scanner (provider formats, its
    // prefilter and value word lists: rules/secret-formats.toml).
    let mut files = vec![
        std::path::PathBuf::from("src/facts/code"),
        std::path::PathBuf::from("src/facts/secrets"),
    ];
    let mut seen = 0;
    while let Some(p) = files.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                files.push(e.unwrap().path());
            }
            continue;
        }
        let rel = p.to_str().unwrap().replace('\\', "/");
        // The examples test's own fixtures are not extractors.
        if !rel.ends_with(".rs") || rel.ends_with("/examples.rs") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&p).unwrap();
        for c in list.captures_iter(&text) {
            let name = &c[1];
            if !ALLOWED.contains(&(rel.as_str(), name)) {
                found.push(format!("{rel}: {name}"));
            }
        }
    }
    assert!(seen >= 13, "read only {seen} extractor files");
    assert!(
        found.is_empty(),
        "word lists in Rust; put the words in a rules/*.toml row with match/no_match examples:\n{}",
        found.join("\n")
    );
    // The pattern itself catches the shapes it names (a test that cannot
    // fail proves nothing).
    for shape in [
        "const WORDS: &[&str] = &[\"express\"];",
        "    const INITS: &[(&str, &str)] = &[(\"a\", \"b\")];",
        "pub(crate) static NEEDLES: [&str; 2] = [\"a\", \"b\"];",
    ] {
        assert!(list.is_match(shape), "{shape}");
    }
}
