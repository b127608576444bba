#!/usr/bin/env python3
"""Seed inputs for the fuzz targets: this repository's own fixtures, a
minimal example of each file kind nothing in the fixtures covers, and
hand-written hostile files (deep nesting, no-break spaces, byte-order marks,
long lines, carriage returns, huge numbers, broken git indexes).

Writes fuzz/seeds/<target>/; `cargo fuzz run TARGET fuzz/corpus/TARGET
fuzz/seeds/TARGET` reads both, and `cargo fuzz cmin` folds what helps into
the corpus. The kind byte of an extract_any input is an index into
graduate::fuzzing::FILES, read from src/fuzzing.rs so the two cannot drift.
"""

import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEPARATOR = b"\xff"


def files_list():
    src = open(os.path.join(ROOT, "src/fuzzing.rs"), encoding="utf-8").read()
    body = src[src.index("pub const FILES: &[&str] = &[") : src.index("];")]
    consts = dict(re.findall(r'const (\w+): &str = "([^"]*)";', src))
    names = []
    for item in re.findall(r'^\s+("[^"]*"|[A-Z0-9_]+),$', body, re.M):
        names.append(item.strip('"') if item.startswith('"') else consts[item])
    return names


FILES = files_list()


def kind(name):
    return FILES.index(name)


def fixture_kind(rel):
    """The FILES entry read the way the walk reads this fixture file."""
    base = rel.rsplit("/", 1)[-1]
    by_name = {
        "package.json": "package.json",
        "pyproject.toml": "pyproject.toml",
        "requirements.txt": "requirements.txt",
        "go.mod": "go.mod",
        "Cargo.toml": "Cargo.toml",
        "docker-compose.yml": "docker-compose.yml",
        "Dockerfile": "Dockerfile",
        ".gitignore": ".gitignore",
        "CODEOWNERS": "CODEOWNERS",
        "Makefile": "Makefile",
        ".env": ".env",
        ".env.example": ".env",
        "vercel.json": "vercel.json",
        "main.tf": "infra/main.tf",
        "alerts.yml": "monitoring/alerts.yml",
        "dependabot.yml": ".github/dependabot.yml",
        "tsconfig.json": "vercel.json",
    }
    if base in by_name:
        return by_name[base]
    if rel.startswith(".github/workflows/"):
        return ".github/workflows/ci.yml"
    if rel.startswith("slo/"):
        return "config/settings.yaml"
    test = ".test." in base or "/test" in rel or base.startswith("test_")
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    return {
        "js": "src/app.test.ts" if test else "src/app.js",
        "ts": "src/app.test.ts" if test else "src/app.ts",
        "py": "app/main.py",
        "go": "main.go",
        "rs": "src/main.rs",
        "md": "docs/runbook.md",
    }.get(ext)


def fixtures():
    """(app, kind name, bytes) for every fixture file the walk reads."""
    out = []
    base = os.path.join(ROOT, "fixtures")
    for app in sorted(os.listdir(base)):
        for dirpath, _, names in sorted(os.walk(os.path.join(base, app))):
            for n in sorted(names):
                path = os.path.join(dirpath, n)
                rel = os.path.relpath(path, os.path.join(base, app))
                k = fixture_kind(rel)
                if k:
                    out.append((app, k, open(path, "rb").read()))
    return out


# A minimal example of kinds no fixture has, so the fuzzer starts inside
# each reader rather than at its first syntax error.
MINIMAL = {
    ".gitlab-ci.yml": b"stages: [test]\ninclude:\n  - local: ci/gitlab-jobs.yml\ntest:\n  stage: test\n  extends: .base\n  script:\n    - npm ci\n    - npm test -- --coverage\n  rules:\n    - if: $CI_PIPELINE_SOURCE == 'merge_request_event'\n.base:\n  image: node:20\n",
    ".circleci/config.yml": b"version: 2.1\njobs:\n  test:\n    docker: [{image: cimg/python:3.12}]\n    steps:\n      - checkout\n      - run: pytest --cov --cov-fail-under=80\nworkflows:\n  main:\n    jobs: [test]\n",
    "Jenkinsfile": b"pipeline {\n  agent any\n  stages {\n    stage('Test') {\n      steps {\n        sh '''\n          go test ./...\n        '''\n        sh 'make test'\n      }\n    }\n  }\n}\n",
    "k8s/deploy.yaml": b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n          readinessProbe:\n            httpGet: {path: /healthz, port: 8080}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec: {minReplicas: 1, maxReplicas: 5}\n",
    "fly.toml": b"app = 'api'\n[http_service]\n  internal_port = 8080\n  auto_stop_machines = true\n  max_machines_running = 3\n[[http_service.checks]]\n  path = '/health'\n  interval = '10s'\n",
    ".graduate.toml": b"fail-under = 60\nignore = ['vendor/**']\ndisable = ['budget-alerts']\n[rules.outbound-timeout]\nimpact = 5\n[pressure]\n[secrets]\nallow = ['0123456789abcdef']\n",
    "justfile": b"test:\n    cargo test --locked\nci: lint test\n",
    "scripts/test.sh": b"#!/bin/sh\nset -e\nnpm run lint && npx jest --coverage\n",
    ".travis.yml": b"language: node_js\nscript:\n  - npm test\n",
    "azure-pipelines.yml": b"trigger: [main]\njobs:\n- job: test\n  steps:\n  - script: dotnet test\n  - task: Npm@1\n    inputs: {command: custom, customCommand: test}\n",
    "bitbucket-pipelines.yml": b"pipelines:\n  default:\n    - step:\n        script:\n          - pytest\n  pull-requests:\n    '**':\n      - parallel:\n          - step: {script: [make test]}\n",
    ".buildkite/pipeline.yml": b"steps:\n  - label: test\n    command: go test ./...\n  - group: more\n    steps:\n      - command: [make lint, make test]\n",
    ".drone.yml": b"kind: pipeline\nsteps:\n  - name: test\n    image: golang\n    commands: [go test ./...]\n",
    ".github/actions/setup/action.yml": b"name: setup\nruns:\n  using: composite\n  steps:\n    - run: npm ci\n      shell: bash\n    - run: npm test\n      shell: bash\n",
    "render.yaml": b"services:\n  - type: web\n    name: api\n    healthCheckPath: /healthz\n    scaling: {minInstances: 1, maxInstances: 3}\n",
    "serverless.yml": b"service: api\nprovider:\n  name: aws\nfunctions:\n  api:\n    handler: h.main\n    reservedConcurrency: 5\n",
    "app.yaml": b"runtime: python312\nautomatic_scaling:\n  max_instances: 4\nliveness_check:\n  path: /healthz\n",
    "netlify.toml": b"[build]\ncommand = 'npm run build'\n",
    "charts/app/values.yaml": b"replicaCount: 2\nautoscaling:\n  enabled: true\n  maxReplicas: 4\nlivenessProbe:\n  httpGet: {path: /healthz}\n",
    "setup.cfg": b"[tool:pytest]\naddopts = --cov=app --cov-fail-under=75\n[coverage:report]\nfail_under = 80\n",
    ".nycrc": b'{"check-coverage": true, "lines": 80, "branches": 70}\n',
    "codecov.yml": b"coverage:\n  status:\n    project:\n      default: {target: 80%}\n",
    "jest.config.js": b"module.exports = { coverageThreshold: { global: { lines: 80 } } };\n",
    "Pipfile": b"[packages]\nrequests = '*'\nflask = '>=2'\n[dev-packages]\npytest = '*'\n",
    "docs/slo.md": b"# SLOs\n\nAvailability SLO: 99.9% over 30 days. Error budget: 43 minutes.\nLatency SLI: p99 < 300 ms.\n",
    "ci/gitlab-jobs.yml": b"lint:\n  script:\n    - npm run lint\n",
    "Procfile": b"web: opentelemetry-instrument gunicorn app:app\n",
    "config/settings.yaml": b"database:\n  url: postgres://app:s3cr3t-Passw0rd@db:5432/app\napi_key: sk_live_0123456789abcdefghijklmn\n",
    ".github/dependabot.yml": b"version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    schedule: {interval: weekly}\n",
}

NBSP = "\u00a0"


def hostile():
    """(kind name, bytes) inputs shaped like the attacks of issue 12."""
    deep = 700
    parens = "(" * deep + "1" + ")" * deep
    out = [
        # Item 1: nesting. The nested block comment makes the lexer unsure,
        # which sends the file to syn.
        ("src/main.rs", f"/* reqwest /* */ ( */\nfn main() {{ let x = {parens}; }}\n"),
        ("src/main.rs", "use reqwest;\nfn f() { let x: " + "V<" * 300 + "T" + ">" * 300 + " = y; }\n/* /* */\n"),
        ("src/main.rs", "use reqwest;\nfn f() { let x = x" + " + x" * 2000 + "; }\n/* /* */\n"),
        ("src/main.rs", "use reqwest;\nfn f() { if a {} " + "else if a {} " * 400 + "}\n/* /* */\n"),
        # A comment inside a template field makes the JS lexer unsure (a
        # regex literal no longer does: the lexer reads it).
        ("src/app.js", f"fetch(u); const t = `${{r /* x */}}`; const x = {parens};\n"),
        ("src/app.ts", "fetch(u); const t = `${r /* x */}`; const x = " + "{a:" * deep + "1" + "}" * deep + ";\n"),
        ("src/App.tsx", "fetch(u); const t = `${r /* x */}`; const x = " + "<div>" * 300 + "</div>" * 300 + ";\n"),
        # The lexer's own template and regex reading: templates nested past
        # its bound, fields that never close between many closed templates,
        # regex literals by the thousand and ones that never close.
        ("src/app.ts", "fetch(u);\nconst t = " + "`${" * 3000 + "\n"),
        ("src/app.ts", "fetch(u);\n" + ("`${{" + "``" * 200) * 40 + "\n"),
        ("src/app.js", "fetch(u);\nconst r = [" + "/[/\\]'\"`/g, " * 1200 + "];\n"),
        ("src/app.js", "fetch(u);\n" + ("x = (/[" + "/" * 700 + "\n") * 20),
        ("app/main.py", f"import requests\nx = {parens}\ny = 'open\n"),
        ("main.go", f'package m\nimport "net/http"\nvar x = {parens}\nvar y = [\n'),
        (".github/workflows/ci.yml", "on: push\njobs: " + "[" * deep + "\n"),
        (".gitlab-ci.yml", "a: " + "{a: " * deep + "\n"),
        (".circleci/config.yml", "".join("  " * i + "a:\n" for i in range(200))),
        ("docker-compose.yml", "services: " + "[" * deep + "\n"),
        ("k8s/deploy.yaml", "kind: Deployment\nspec: " + "[" * deep + "\n"),
        ("package.json", '{"scripts": ' + "[" * deep + "]" * deep + "}\n"),
        ("pyproject.toml", "a = " + "[" * deep + "]" * deep + "\n"),
        ("Cargo.toml", "[dependencies]\na = " + "{a=" * deep + "1" + "}" * deep + "\n"),
        ("fly.toml", "a = " + "{a=" * deep + "1" + "}" * deep + "\n"),
        (".graduate.toml", "fail-under = " + "[" * deep + "]" * deep + "\n"),
        ("vercel.json", "[" * deep + "]" * deep + "\n"),
        ("docs/runbook.md", "> " * deep + "triage\n" + "".join("  " * i + "- x\n" for i in range(200))),
        # Item 2: a no-break space before a member path in a log call, in
        # every language, and multi-byte characters next to what the
        # extractors slice around.
        ("src/app.js", f'app.get("/", (req, res) => {{\n  console.log("user",{NBSP}user.email);\n}});\n'),
        ("src/app.ts", f'logger.info(`x ${{{NBSP}user.password}}`);\napp.get("é", h);\n'),
        ("app/main.py", f'import logging\nlogging.info("x %s",{NBSP}user.email)\nrequests.get(u,{NBSP}timeout=3)\n'),
        ("main.go", f'package main\nimport "log"\nfunc f() {{ log.Printf("x %s",{NBSP}user.Email) }}\n'),
        ("src/main.rs", f'fn f() {{ tracing::info!("x {{}}",{NBSP}user.email); reqwest::get(u); }}\n'),
        ("src/app.js", "app.get(«/x», h);\nfetch(ü, {timeout: 5});\nconst k = process.env.KEY || 'sécret-ÿ';\n"),
        # Item 4: byte-order marks, carriage returns, long lines, huge
        # numbers, invalid UTF-8, NULs, emptiness.
        ("package.json", '\ufeff{"name": "x", "scripts": {"test": "jest"}}\n'),
        ("pyproject.toml", '\ufeff[project]\nname = "x"\ndependencies = ["requests"]\n'),
        (".github/workflows/ci.yml", "\ufeffon: push\r\rjobs:\r  t:\r    runs-on: x\r    steps:\r      - run: npm test\r"),
        ("src/app.js", "\ufeffconst axios = require('axios');\raxios.get(u);\rapp.get('/health', h);\r"),
        ("src/app.js", "fetch(u);" + "x" * 6000 + "\n"),
        ("config/settings.yaml", "k: " + "a" * 20000 + "\n"),
        ("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 99999999999999999999999999999\n  template: {spec: {containers: [{readinessProbe: {periodSeconds: -1e999}}]}}\n"),
        ("package.json", '{"version": 1e999, "engines": {"node": 18446744073709551616}, "scripts": {"test": -0}}\n'),
        ("fly.toml", "[[vm]]\nmemory_mb = 99999999999999999999999\n[http_service]\nmax_machines_running = -9223372036854775809\n"),
        (".graduate.toml", "fail-under = 256\n[pressure]\nmin_contributors = nan\n"),
        (".graduate.toml", "fail-under = 99999999999999999999\n"),
        ("src/app.js", b"fetch(u);\n\xff\xfe\xc3\x28 console.log(user.email);\n"),
        ("src/app.js", b"\x00" * 64),
        ("src/app.js", b""),
        # A YAML alias bomb: serde-saphyr's budget must stop it.
        (".github/workflows/ci.yml", "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")) + "on: push\n"),
    ]
    # Git indexes: a huge entry count, a name length past the end, a v4
    # prefix longer than the previous path.
    header = lambda version, count: b"DIRC" + version.to_bytes(4, "big") + count.to_bytes(4, "big")
    entry = b"\x00" * 40 + b"\x11" * 20 + (200).to_bytes(2, "big") + b"src/app.js\x00"
    out += [
        (".git/index", header(2, 0xFFFFFFFF) + entry),
        (".git/index", header(2, 1) + entry),
        (".git/index", header(4, 2) + b"\x00" * 40 + b"\x11" * 20 + b"\x00\x04" + b"\xff\xff\xff\x7f" + b"a\x00"),
        (".git/index", header(3, 1) + b"\x00" * 60 + b"\x40\x00" + b"\xff\xff" + b"x\x00"),
        (".git/index (sha256)", header(2, 1) + b"\x00" * 40 + b"\x22" * 32 + b"\x00\x06" + b".env.x\x00\x00\x00"),
    ]
    return out


def as_bytes(content):
    return content.encode("utf-8") if isinstance(content, str) else content


def write(target, data):
    d = os.path.join(ROOT, "fuzz", "seeds", target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    open(os.path.join(d, name), "wb").write(data)


def main():
    fx = fixtures()
    for _, k, data in fx:
        write("extract_any", bytes([kind(k)]) + data)
    for k, data in MINIMAL.items():
        write("extract_any", bytes([kind(k)]) + data)
    for k, data in hostile():
        write("extract_any", bytes([kind(k)]) + as_bytes(data))
    # scan_facts: each fixture app as one input (its first 16 readable
    # files, one per kind), then the hostile files paired with a CI
    # workflow and a manifest so that the rules have something to join.
    apps = {}
    for app, k, data in fx:
        files = apps.setdefault(app, {})
        if k not in files and len(files) < 16:
            files[k] = data
    for files in apps.values():
        write("scan_facts", SEPARATOR.join(bytes([kind(k)]) + d for k, d in files.items()))
    ci = bytes([kind(".github/workflows/ci.yml")]) + (
        b"on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
        b"    steps:\n      - run: npm ci\n      - run: npm test -- --coverage\n"
    )
    for k, data in hostile():
        write("scan_facts", bytes([kind(k)]) + as_bytes(data) + SEPARATOR + ci)
    config = bytes([kind(".graduate.toml")]) + MINIMAL[".graduate.toml"]
    write("scan_facts", SEPARATOR.join(bytes([kind(k)]) + d for k, d in MINIMAL.items() if k != ".graduate.toml") + SEPARATOR + config)


if __name__ == "__main__":
    sys.exit(main())
