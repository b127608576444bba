//! Deployment: how the app runs, whether the platform checks its health,
//! whether its scaling has a ceiling, and whether spend is watched.
//!
//! One reader per deploy target, each emitting the same plain facts:
//! [`DeployTarget`] (what platform, does it scale on demand), [`HealthProbe`]
//! (a probe, healthcheck or synthetic check, marked when it watches a
//! dependency rather than the app), [`ScalingBound`] (a declared maximum, or
//! its absence where the platform would otherwise scale without one) and
//! [`BudgetAlert`]. Kubernetes YAML is parsed as multi-document YAML; Helm
//! templates are not YAML before rendering and are read as text, as is
//! Terraform.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::facts::Location;
use crate::facts::ci::{find_line, find_next, key_line, strings};
use crate::facts::line_index::LineIndex;

/// Everything deployment-related one file (or the whole scan) holds.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct DeployFacts {
    pub targets: Vec<DeployTarget>,
    pub probes: Vec<HealthProbe>,
    pub scaling: Vec<ScalingBound>,
    pub budgets: Vec<BudgetAlert>,
    pub compose_services: Vec<ComposeService>,
    /// Routes a platform file declares (serverless.yml `http` events): the
    /// platform routes them to the function, so they are the app's routes.
    pub routes: Vec<crate::facts::code::HttpRoute>,
}

impl DeployFacts {
    pub fn extend(&mut self, other: DeployFacts) {
        super::move_all(&mut self.routes, other.routes);
        super::move_all(&mut self.targets, other.targets);
        super::move_all(&mut self.probes, other.probes);
        super::move_all(&mut self.scaling, other.scaling);
        super::move_all(&mut self.budgets, other.budgets);
        super::move_all(&mut self.compose_services, other.compose_services);
    }

    fn target(&mut self, path: &str, platform: &'static str, autoscales: bool) {
        self.targets.push(DeployTarget {
            location: Location::new(path, 1),
            platform,
            autoscales,
        });
    }

    fn probe(&mut self, path: &str, line: u32, kind: &'static str, target: &str) {
        self.probes.push(HealthProbe {
            location: Location::new(path, line),
            kind,
            target: target.to_string(),
            dependency: false,
        });
    }

    fn bound(
        &mut self,
        path: &str,
        line: u32,
        platform: &'static str,
        max: Option<String>,
        note: impl Into<String>,
    ) {
        self.scaling.push(ScalingBound {
            location: Location::new(path, line),
            platform,
            max,
            note: note.into(),
        });
    }
}

/// A way the app is deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeployTarget {
    pub location: Location,
    /// `docker`, `compose`, `kubernetes`, `helm`, `fly`, `render`,
    /// `app-engine`, `serverless`, `vercel`, `netlify`, `terraform` …
    pub platform: &'static str,
    /// The platform adds instances on demand (serverless, autoscalers), so a
    /// missing maximum is a cost risk.
    pub autoscales: bool,
}

/// Something that checks the app is healthy from outside its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthProbe {
    pub location: Location,
    /// `Dockerfile HEALTHCHECK`, `k8s readinessProbe`, `synthetic check (Checkly)` …
    pub kind: &'static str,
    /// The service/container/function it checks.
    pub target: String,
    /// It checks a dependency's container (the database in compose), not the app.
    pub dependency: bool,
}

/// A declared ceiling on instances/concurrency — or, with `max: None`, an
/// autoscaling resource that declares none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScalingBound {
    pub location: Location,
    pub platform: &'static str,
    pub max: Option<String>,
    pub note: String,
}

/// A budget, cost alert or cost-estimation guard as code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetAlert {
    pub location: Location,
    pub kind: String,
}

/// A docker compose service, for health checks and for CI commands that
/// start it (`docker compose run api` runs the service's `command:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComposeService {
    pub file: String,
    pub name: String,
    pub line: u32,
    pub image: Option<String>,
    pub builds: bool,
    pub command: Option<String>,
    pub healthcheck: Option<u32>,
}

/// Whether an image reference names a backing service (`postgres:16`,
/// `bitnami/redis`, `docker.io/library/mysql:8`).
pub fn is_dependency_image(image: &str) -> bool {
    let no_digest = image.split('@').next().unwrap_or(image);
    // The tag follows the last `:` after the last `/` (`host:5000/x:1`).
    let path = match no_digest.rsplit_once(':') {
        Some((p, tag)) if !tag.contains('/') => p,
        _ => no_digest,
    }
    .to_ascii_lowercase();
    let last = crate::inventory::file_name(&path);
    RESOURCES.backing_image.iter().any(|row| {
        row.names.iter().any(|n| {
            if n.contains('/') {
                path == *n || path.ends_with(&format!("/{n}"))
            } else {
                last == n
            }
        })
    })
}

/// Extract deployment facts of one file; warnings for unreadable YAML/TOML.
pub fn extract(path: &str, text: &str, warnings: &mut Vec<String>) -> DeployFacts {
    let mut d = DeployFacts::default();
    // Infrastructure under .github/ (a test cluster, a release bucket)
    // belongs to CI, not to the app's deployment.
    if path.starts_with(".github/") {
        return d;
    }
    let name = crate::inventory::file_name(path);
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
        dockerfile(path, text, &mut d);
    } else if crate::inventory::is_compose_file(&lower) {
        if let Err(e) = compose(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "fly.toml" {
        if let Err(e) = fly(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "render.yaml" || lower == "render.yml" {
        if let Err(e) = render(path, text, &mut d) {
            warnings.push(e);
        }
    } else if is_app_platform_spec(path, &lower, text) {
        if let Err(e) = app_platform(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "app.yaml" && text.contains("runtime:") {
        if let Err(e) = app_engine(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "serverless.yml" || lower == "serverless.yaml" {
        if let Err(e) = serverless(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "vercel.json" {
        if let Err(e) = vercel(path, text, &mut d) {
            warnings.push(e);
        }
    } else if lower == "netlify.toml" {
        d.target(path, "netlify", true);
    } else if lower.ends_with(".tf") {
        terraform(path, text, &mut d);
    } else if lower == "pulumi.yaml" || lower == "pulumi.yml" || lower.starts_with("pulumi.") {
        pulumi(path, text, &mut d);
    } else if lower.starts_with("infracost")
        && (lower.ends_with(".yml") || lower.ends_with(".yaml") || lower.ends_with(".tmpl"))
    {
        d.budgets.push(BudgetAlert {
            location: Location::new(path, 1),
            kind: "Infracost config".into(),
        });
    } else if is_checkly(path, &lower) {
        d.probe(path, 1, "synthetic check (Checkly)", "app");
    } else if lower == ".upptimerc.yml" {
        d.probe(path, 1, "uptime check (Upptime)", "app");
    } else if (lower.ends_with(".yaml") || lower.ends_with(".yml")) && is_kubernetes(text) {
        if is_helm_template(path, text) {
            kubernetes_text(path, text, "helm", &mut d);
        } else if let Err(e) = kubernetes(path, text, &mut d) {
            warnings.push(format!("{e}; read as text for probes and autoscalers"));
            kubernetes_text(path, text, "kubernetes", &mut d);
        }
    } else if (lower.starts_with("values") && (lower.ends_with(".yaml") || lower.ends_with(".yml")))
        && path.contains('/')
    {
        helm_values(path, text, &mut d);
    } else if lower.ends_with(".json")
        && text.contains("\"locations\"")
        && (text.contains("\"type\": \"api\"")
            || text.contains("\"type\":\"api\"")
            || text.contains("\"type\": \"browser\""))
    {
        d.probe(path, 1, "synthetic check (Datadog)", "app");
    }
    d
}

/// Source files that are deployment facts by name (Checkly checks as code).
pub fn is_deploy_source(path: &str) -> bool {
    let name = crate::inventory::file_name(path).to_ascii_lowercase();
    is_checkly(path, &name)
}

fn is_checkly(path: &str, lower: &str) -> bool {
    lower.starts_with("checkly.config.")
        || (path.contains("__checks__/")
            && (lower.ends_with(".check.ts")
                || lower.ends_with(".check.js")
                || lower.ends_with(".spec.ts")))
}

/// A YAML file that declares Kubernetes objects: `apiVersion:` and `kind:`
/// at the start of a line.
pub fn is_kubernetes(text: &str) -> bool {
    let mut api = false;
    let mut kind = false;
    for l in text.lines() {
        api |= l.starts_with("apiVersion:");
        kind |= l.starts_with("kind:");
        if api && kind {
            return true;
        }
    }
    false
}

fn is_helm_template(path: &str, text: &str) -> bool {
    path.contains("/templates/") || text.contains("{{")
}

fn dockerfile(path: &str, text: &str, d: &mut DeployFacts) {
    d.target(path, "docker", false);
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        let upper = t.get(..11).map(str::to_ascii_uppercase);
        if upper.as_deref() == Some("HEALTHCHECK") {
            let rest = t[11..].trim();
            // `HEALTHCHECK NONE` turns off an inherited check.
            if !rest.eq_ignore_ascii_case("none") {
                d.probe(path, i as u32 + 1, "Dockerfile HEALTHCHECK", "");
            }
        }
    }
}

#[derive(Deserialize)]
struct Compose {
    #[serde(default)]
    services: std::collections::BTreeMap<String, Spanned<Service>>,
}

#[derive(Deserialize)]
struct Service {
    image: Option<String>,
    build: Option<Value>,
    command: Option<Value>,
    healthcheck: Option<Spanned<Value>>,
}

fn compose(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let c: Compose = crate::facts::yaml::parse(text, "compose YAML")?;
    d.target(path, "compose", false);
    let lines: Vec<&str> = text.lines().collect();
    for (name, svc) in c.services {
        // A mapping's span starts at its first key; evidence points at the key.
        let line = key_above(&lines, &name, svc.referenced.line() as u32);
        let s = svc.value;
        let command = s.command.map(|c| strings(&c).join(" "));
        // `healthcheck: {disable: true}` or `test: ["NONE"]` turn it off.
        let health = s.healthcheck.filter(|h| {
            h.value.get("disable").and_then(Value::as_bool) != Some(true)
                && h.value
                    .get("test")
                    .map(strings)
                    .is_none_or(|t| t.first().map(String::as_str) != Some("NONE"))
        });
        let builds = s.build.is_some();
        if let Some(h) = &health {
            let dependency = !builds && s.image.as_deref().is_some_and(is_dependency_image);
            d.probes.push(HealthProbe {
                location: Location::new(
                    path,
                    key_above(&lines, "healthcheck", h.referenced.line() as u32),
                ),
                kind: "compose healthcheck",
                target: name.clone(),
                dependency,
            });
        }
        d.compose_services.push(ComposeService {
            file: path.to_string(),
            name,
            line,
            image: s.image,
            builds,
            command,
            healthcheck: health
                .map(|h| key_above(&lines, "healthcheck", h.referenced.line() as u32)),
        });
    }
    Ok(())
}

/// The line of `key:` at or above `line` (a mapping's span starts inside
/// it, a line or two below its key). Looks no further than
/// [`KEY_ABOVE_REACH`] lines up: a service whose key is never found must not
/// cost a scan of the file above it.
fn key_above(lines: &[&str], key: &str, line: u32) -> u32 {
    let top = line.saturating_sub(KEY_ABOVE_REACH).max(1);
    (top..=line.min(lines.len() as u32))
        .rev()
        .find(|&n| {
            let t = lines[n as usize - 1].trim_start();
            t.strip_prefix(key)
                .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|r| r.starts_with(':'))
        })
        .unwrap_or(line)
}

const KEY_ABOVE_REACH: u32 = 64;

fn toml_line(text: &str, needle: &str) -> u32 {
    crate::facts::manifests::line_of(text, needle)
}

/// fly.toml: `[[services.http_checks]]`, `[[http_service.checks]]`,
/// `[checks.x]`. Fly never creates machines on demand — auto-start only
/// wakes the ones `fly scale count` made — so the count is the ceiling.
fn fly(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("invalid fly.toml: {}", e.message()))?;
    d.target(path, "fly", false);
    let app = v.get("app").and_then(|a| a.as_str()).unwrap_or("app");
    for key in ["http_checks", "tcp_checks", "checks"] {
        let found = v
            .get("services")
            .and_then(|s| s.as_array())
            .is_some_and(|a| a.iter().any(|s| s.get(key).is_some()))
            || v.get("http_service").and_then(|s| s.get(key)).is_some()
            || (key == "checks" && v.get("checks").is_some());
        if found {
            let line = text
                .lines()
                .position(|l| l.contains(key) && l.trim_start().starts_with('['))
                .map_or(1, |i| i as u32 + 1);
            d.probe(path, line, "fly.toml health check", app);
        }
    }
    let hard = v
        .get("http_service")
        .and_then(|s| s.get("concurrency"))
        .or_else(|| {
            v.get("services")
                .and_then(|s| s.as_array())
                .and_then(|a| a.first())
                .and_then(|s| s.get("concurrency"))
        })
        .and_then(|c| c.get("hard_limit"))
        .and_then(|h| h.as_integer());
    let note = match hard {
        Some(h) => format!("fixed machine count (fly scale count), hard_limit {h} per machine"),
        None => "fixed machine count (fly scale count); fly does not add machines on demand".into(),
    };
    let line = if hard.is_some() {
        toml_line(text, "hard_limit")
    } else {
        1
    };
    d.bound(path, line, "fly", Some("machine count".into()), note);
    Ok(())
}

/// render.yaml: `healthCheckPath` per service; `scaling: {minInstances,
/// maxInstances}` or a fixed `numInstances`.
fn render(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: Value = crate::facts::yaml::parse(text, "render.yaml")?;
    let lines = &LineIndex::new(text);
    d.target(path, "render", false);
    let mut cursor = 1;
    for s in v
        .get("services")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("service");
        let at = find_next(lines, &format!("name: {name}"), &mut cursor);
        if s.get("healthCheckPath").is_some() {
            d.probe(
                path,
                key_line(lines, "healthCheckPath", at),
                "render healthCheckPath",
                name,
            );
        }
        if let Some(sc) = s.get("scaling") {
            let max = sc.get("maxInstances").map(|m| m.to_string());
            let line = key_line(lines, "maxInstances", at);
            d.bound(
                path,
                line,
                "render",
                max.clone(),
                if max.is_some() {
                    "autoscaling maxInstances"
                } else {
                    "autoscaling without maxInstances"
                },
            );
        } else if s
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| matches!(t, "web" | "pserv" | "worker"))
        {
            let n = s
                .get("numInstances")
                .map_or("1".to_string(), |n| n.to_string());
            d.bound(path, at, "render", Some(n), "fixed numInstances");
        }
    }
    Ok(())
}

/// App Engine app.yaml: automatic scaling (the default) has no ceiling
/// unless `max_instances` is set; flexible's `liveness_check`/`readiness_check`.
fn app_engine(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: Value = crate::facts::yaml::parse(text, "app.yaml")?;
    let lines = &LineIndex::new(text);
    d.target(path, "app-engine", true);
    for k in ["liveness_check", "readiness_check", "health_check"] {
        if v.get(k).is_some() {
            d.probe(
                path,
                key_line(lines, k, 1),
                "App Engine health check",
                "app",
            );
        }
    }
    if let Some(m) = v.pointer("/manual_scaling/instances") {
        d.bound(
            path,
            key_line(lines, "manual_scaling", 1),
            "app-engine",
            Some(m.to_string()),
            "manual_scaling instances",
        );
    } else if let Some(m) = v
        .pointer("/automatic_scaling/max_instances")
        .or_else(|| v.pointer("/basic_scaling/max_instances"))
        .or_else(|| v.pointer("/automatic_scaling/max_num_instances"))
    {
        d.bound(
            path,
            key_line(lines, "max_", 1),
            "app-engine",
            Some(m.to_string()),
            "max_instances",
        );
    } else {
        d.bound(
            path,
            1,
            "app-engine",
            None,
            "automatic scaling without max_instances",
        );
    }
    Ok(())
}

/// A DigitalOcean App Platform spec: `.do/app.yaml`,
/// `.do/deploy.template.yaml`, or an `app.yaml` / `app-spec.yaml` that
/// declares `services:` (App Engine's app.yaml has `runtime:` instead).
fn is_app_platform_spec(path: &str, lower: &str, text: &str) -> bool {
    let yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
    yaml && (path.starts_with(".do/") || path.contains("/.do/"))
        || matches!(lower, "app.yaml" | "app-spec.yaml" | "app.spec.yaml")
            && text.contains("services:")
            && !text.contains("runtime:")
}

/// App Platform: each service's `health_check` (`http_path`, or a TCP
/// `port`) is what the platform probes before routing traffic; a spec is
/// the spec itself under `spec:` in the deploy template.
fn app_platform(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: Value = crate::facts::yaml::parse(text, "App Platform spec")?;
    let spec = v.get("spec").unwrap_or(&v);
    let lines = &LineIndex::new(text);
    d.target(path, "digitalocean-app-platform", false);
    for svc in spec
        .get("services")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if svc.get("health_check").is_some_and(|h| !h.is_null()) {
            let name = svc.get("name").and_then(Value::as_str).unwrap_or("service");
            let at = key_line(lines, name, 1);
            d.probe(
                path,
                key_line(lines, "health_check", at),
                "App Platform health_check",
                "app",
            );
        }
    }
    Ok(())
}

/// serverless.yml `http` / `httpApi` events: `- http: GET /health`,
/// `- http: {path: health, method: get}`, `- httpApi: {path: /health}`.
fn serverless_routes(path: &str, lines: &LineIndex, name: &str, f: &Value, d: &mut DeployFacts) {
    let at = key_line(lines, name, 1);
    for e in f
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(http) = e.get("http").or_else(|| e.get("httpApi")) else {
            continue;
        };
        let (method, route) = match http {
            Value::String(s) => match s.split_once(char::is_whitespace) {
                Some((m, p)) => (Some(m.to_ascii_uppercase()), p.trim().to_string()),
                None => (None, s.clone()),
            },
            Value::Object(o) => (
                o.get("method")
                    .and_then(Value::as_str)
                    .map(str::to_ascii_uppercase),
                o.get("path")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            ),
            _ => continue,
        };
        if route.is_empty() {
            continue;
        }
        let route = if route.starts_with('/') || route == "*" {
            route
        } else {
            format!("/{route}")
        };
        d.routes.push(crate::facts::code::HttpRoute {
            location: Location::new(path, key_line(lines, "http", at)),
            framework: "serverless",
            method,
            route,
        });
    }
}

/// serverless.yml: every function scales with traffic unless it has
/// `reservedConcurrency` (a ceiling); `provisionedConcurrency` is a floor
/// of warm instances and caps nothing.
fn serverless(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: Value = crate::facts::yaml::parse(text, "serverless.yml")?;
    let lines = &LineIndex::new(text);
    d.target(path, "serverless", true);
    for (name, f) in v
        .get("functions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        serverless_routes(path, lines, name, f, d);
        let at = key_line(lines, name, 1);
        match f.get("reservedConcurrency") {
            Some(r) => d.bound(
                path,
                key_line(lines, "reservedConcurrency", at),
                "serverless",
                Some(r.to_string()),
                format!("function `{name}` reservedConcurrency"),
            ),
            None => d.bound(
                path,
                at,
                "serverless",
                None,
                format!("function `{name}` has no reservedConcurrency"),
            ),
        }
    }
    Ok(())
}

/// vercel.json: `functions.<glob>.maxDuration` bounds what one invocation
/// can cost; Vercel adds instances on demand within the plan's limits.
fn vercel(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid vercel.json: {e}"))?;
    d.target(path, "vercel", true);
    let limited = v
        .get("functions")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .find(|(_, f)| f.get("maxDuration").is_some());
    match limited {
        Some((glob, f)) => d.bound(
            path,
            toml_line(text, "maxDuration"),
            "vercel",
            f.get("maxDuration").map(|m| format!("{m}s")),
            format!("functions `{glob}` maxDuration"),
        ),
        None => d.bound(path, 1, "vercel", None, "no function maxDuration"),
    }
    Ok(())
}

#[derive(Deserialize)]
struct K8sObject {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    metadata: Option<Value>,
    spec: Option<Value>,
}

fn kubernetes(path: &str, text: &str, d: &mut DeployFacts) -> Result<(), String> {
    let docs: Vec<Option<K8sObject>> = crate::facts::yaml::from_multiple(text).map_err(|e| {
        format!(
            "invalid Kubernetes YAML: {}",
            crate::facts::ci::first_line(&e.to_string())
        )
    })?;
    let lines = &LineIndex::new(text);
    let kustomize = path.contains("kustomize") || path.contains("overlays/");
    // Only workloads make a deployment: an OpenSLO spec or a PrometheusRule
    // has apiVersion and kind too.
    let mut workloads = false;
    let mut cursor = 1;
    for doc in docs.into_iter().flatten() {
        let kind = doc.kind.as_deref().unwrap_or("");
        workloads |= is_workload_kind(kind)
            || (kind == "Service"
                && doc
                    .api_version
                    .as_deref()
                    .is_some_and(|a| a.starts_with("serving.knative.dev")));
        let name = doc
            .metadata
            .as_ref()
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(kind)
            .to_string();
        let at = find_next(lines, &format!("name: {name}"), &mut cursor);
        let spec = doc.spec.unwrap_or(Value::Null);
        match kind {
            "HorizontalPodAutoscaler" => {
                let max = spec.get("maxReplicas").map(|m| m.to_string());
                d.bound(
                    path,
                    key_line(lines, "maxReplicas", at),
                    "kubernetes",
                    max,
                    format!("HPA `{name}` maxReplicas"),
                );
                d.target(path, "kubernetes", true);
            }
            "ScaledObject" => {
                let max = spec.get("maxReplicaCount").map(|m| m.to_string());
                let note = if max.is_some() {
                    format!("KEDA `{name}` maxReplicaCount")
                } else {
                    format!("KEDA `{name}` without maxReplicaCount (defaults to 100)")
                };
                d.bound(
                    path,
                    key_line(lines, "maxReplicaCount", at),
                    "kubernetes",
                    max.or(Some("100 (default)".into())),
                    note,
                );
            }
            "Service"
                if doc
                    .api_version
                    .as_deref()
                    .is_some_and(|a| a.starts_with("serving.knative.dev")) =>
            {
                d.target(path, "knative", true);
                let ann = spec.pointer("/template/metadata/annotations");
                let max = ann.and_then(|a| {
                    a.get("autoscaling.knative.dev/max-scale")
                        .or_else(|| a.get("autoscaling.knative.dev/maxScale"))
                });
                d.bound(
                    path,
                    find_line(lines, "autoscaling.knative.dev/max", at),
                    "knative",
                    max.map(|m| m.to_string()),
                    if max.is_some() {
                        "max-scale annotation"
                    } else {
                        "Knative service without max-scale"
                    },
                );
                probes_of(path, lines, &name, at, spec.pointer("/template/spec"), d);
            }
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Rollout"
            | "DeploymentConfig" => {
                probes_of(path, lines, &name, at, spec.pointer("/template/spec"), d);
            }
            "Pod" => probes_of(path, lines, &name, at, Some(&spec), d),
            _ => {}
        }
    }
    if workloads {
        d.target(
            path,
            if kustomize { "kustomize" } else { "kubernetes" },
            false,
        );
    }
    Ok(())
}

/// Whether a Kubernetes kind makes a deployment (rules/deploy-resources.toml).
fn is_workload_kind(kind: &str) -> bool {
    RESOURCES
        .kubernetes
        .workload_kinds
        .iter()
        .any(|k| k == kind)
}

/// What a Terraform row of rules/deploy-resources.toml gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Fact {
    Budget,
    Bound,
    Probe,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TerraformRow {
    types: Vec<String>,
    #[serde(default)]
    prefix: bool,
    #[serde(default)]
    requires: Option<String>,
    fact: Fact,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    max: Vec<String>,
    #[serde(default)]
    annotation: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(default)]
    label_missing: Option<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KubernetesKinds {
    workload_kinds: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Resources {
    terraform: Vec<TerraformRow>,
    kubernetes: KubernetesKinds,
    backing_image: Vec<BackingImages>,
}

/// Images of backing services: a health check on them says the database
/// is up, not that the app is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackingImages {
    #[cfg_attr(not(test), allow(dead_code))]
    kind: String,
    names: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(rename = "match")]
    matches: Vec<String>,
    #[cfg_attr(not(test), allow(dead_code))]
    no_match: Vec<String>,
}

static RESOURCES: std::sync::LazyLock<Resources> = std::sync::LazyLock::new(|| {
    toml::from_str(include_str!("../../rules/deploy-resources.toml"))
        .unwrap_or_else(|e| panic!("rules/deploy-resources.toml: {e}"))
});

fn probes_of(
    path: &str,
    lines: &LineIndex,
    name: &str,
    at: u32,
    pod: Option<&Value>,
    d: &mut DeployFacts,
) {
    for c in pod
        .and_then(|p| p.get("containers"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let cname = c.get("name").and_then(Value::as_str).unwrap_or(name);
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        for (key, kind) in [
            ("livenessProbe", "k8s livenessProbe"),
            ("readinessProbe", "k8s readinessProbe"),
            ("startupProbe", "k8s startupProbe"),
        ] {
            if c.get(key).is_some() {
                let from = find_line(lines, &format!("name: {cname}"), at);
                d.probes.push(HealthProbe {
                    location: Location::new(path, key_line(lines, key, from)),
                    kind,
                    target: format!("{name}/{cname}"),
                    dependency: is_dependency_image(image),
                });
            }
        }
    }
}

/// Helm templates (and YAML that failed to parse): probes and autoscalers
/// by their keys, values left unrendered.
fn kubernetes_text(path: &str, text: &str, platform: &'static str, d: &mut DeployFacts) {
    if text.lines().any(|l| {
        l.strip_prefix("kind:")
            .is_some_and(|k| is_workload_kind(k.trim()))
    }) {
        d.target(path, platform, false);
    }
    let name = crate::inventory::file_name(path);
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        for (key, kind) in [
            ("livenessProbe:", "k8s livenessProbe"),
            ("readinessProbe:", "k8s readinessProbe"),
            ("startupProbe:", "k8s startupProbe"),
        ] {
            if t.starts_with(key) {
                d.probe(path, i as u32 + 1, kind, name);
            }
        }
        if let Some(v) = t.strip_prefix("maxReplicas:") {
            d.bound(
                path,
                i as u32 + 1,
                platform,
                Some(v.trim().to_string()),
                "HPA maxReplicas",
            );
        }
    }
}

/// A chart's values.yaml: probes and `autoscaling.maxReplicas` are often
/// declared here and templated in.
fn helm_values(path: &str, text: &str, d: &mut DeployFacts) {
    let mut autoscaling_enabled = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with("livenessProbe:")
            || t.starts_with("readinessProbe:")
            || t.starts_with("startupProbe:")
        {
            let kind = if t.starts_with("live") {
                "helm values livenessProbe"
            } else if t.starts_with("ready") {
                "helm values readinessProbe"
            } else {
                "helm values startupProbe"
            };
            // `livenessProbe: {}` declares nothing.
            if !t.ends_with("{}") && !t.ends_with("null") {
                d.probe(path, i as u32 + 1, kind, path);
            }
        }
        if t.starts_with("enabled: true")
            && text
                .lines()
                .take(i)
                .last()
                .is_some_and(|p| p.trim_start().starts_with("autoscaling:"))
        {
            autoscaling_enabled = true;
        }
        if let Some(v) = t.strip_prefix("maxReplicas:") {
            d.bound(
                path,
                i as u32 + 1,
                "helm",
                Some(v.trim().to_string()),
                if autoscaling_enabled {
                    "values autoscaling.maxReplicas"
                } else {
                    "values maxReplicas (autoscaling may be disabled)"
                },
            );
        }
    }
}

/// Terraform, as text: resource blocks by type, attributes inside them.
fn terraform(path: &str, text: &str, d: &mut DeployFacts) {
    let lines: Vec<&str> = text.lines().collect();
    let mut any = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let Some(rest) = t.strip_prefix("resource \"") else {
            continue;
        };
        let Some(ty) = rest.split('"').next() else {
            continue;
        };
        any = true;
        let line = i as u32 + 1;
        let body_end = lines[i + 1..]
            .iter()
            .position(|l| {
                l.starts_with("resource ") || l.starts_with("module ") || l.starts_with("data ")
            })
            .map_or(lines.len(), |p| i + 1 + p);
        let body = &lines[i..body_end];
        let attr = |k: &str| -> Option<(u32, String)> {
            body.iter().enumerate().find_map(|(j, b)| {
                let b = b.trim_start();
                let v = b.strip_prefix(k)?.trim_start().strip_prefix('=')?;
                Some((line + j as u32, v.trim().trim_matches('"').to_string()))
            })
        };
        let has = |k: &str| body.iter().any(|b| b.contains(k));
        // The first row of rules/deploy-resources.toml that names this type
        // and whose required word the block holds.
        let Some(row) = RESOURCES.terraform.iter().find(|r| {
            r.types.iter().any(|t| {
                if r.prefix {
                    ty.starts_with(t.as_str())
                } else {
                    ty == t
                }
            }) && r.requires.as_deref().is_none_or(has)
        }) else {
            continue;
        };
        let label = |s: &str| s.replace("{type}", ty);
        match row.fact {
            Fact::Budget => d.budgets.push(BudgetAlert {
                location: Location::new(path, line),
                kind: label(&row.kind),
            }),
            Fact::Probe => d.probe(path, line, &row.kind, ty),
            Fact::Bound => {
                let found = row.max.iter().find_map(|k| attr(k)).or_else(|| {
                    let annotation = row.annotation.as_deref()?;
                    body.iter().enumerate().find_map(|(j, b)| {
                        let (_, v) = b.split_once(annotation)?;
                        Some((
                            line + j as u32,
                            v.trim_start_matches(['"', ' ', '='])
                                .trim_matches('"')
                                .to_string(),
                        ))
                    })
                });
                let (l, v) = found.map_or((line, None), |(l, v)| (l, Some(v)));
                let note = match (&v, &row.label_missing) {
                    (None, Some(missing)) => label(missing),
                    _ => label(&row.label),
                };
                d.bound(path, l, "terraform", v, note);
            }
        }
    }
    if any {
        d.target(path, "terraform", false);
    }
}

/// Pulumi YAML programs declare resources by type token.
fn pulumi(path: &str, text: &str, d: &mut DeployFacts) {
    for (i, l) in text.lines().enumerate() {
        for ty in [
            "aws:budgets:Budget",
            "gcp:billing:Budget",
            "azure-native:consumption:Budget",
        ] {
            if l.contains(ty) {
                d.budgets.push(BudgetAlert {
                    location: Location::new(path, i as u32 + 1),
                    kind: format!("pulumi {ty}"),
                });
            }
        }
    }
    if text.contains("resources:") {
        d.target(path, "pulumi", false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(path: &str, text: &str) -> (DeployFacts, Vec<String>) {
        let mut w = Vec::new();
        (extract(path, text, &mut w), w)
    }

    #[test]
    fn dockerfile_healthcheck() {
        let (d, _) = ex(
            "Dockerfile",
            "FROM x\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/health\n",
        );
        assert_eq!(d.probes[0].location.line, 2);
        let (d, _) = ex("Dockerfile", "FROM x\nHEALTHCHECK NONE\n");
        assert!(d.probes.is_empty());
    }

    #[test]
    fn compose_database_healthcheck_is_a_dependency() {
        let text = "services:\n  api:\n    build: .\n    command: pytest -q\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n";
        let (d, w) = ex("docker-compose.yml", text);
        assert!(w.is_empty());
        assert_eq!(d.probes.len(), 1);
        assert!(d.probes[0].dependency);
        assert_eq!(d.probes[0].location.line, 7);
        assert_eq!(d.compose_services[0].command.as_deref(), Some("pytest -q"));
        assert_eq!(d.compose_services[0].line, 2);
    }

    #[test]
    fn kubernetes_multi_document_probes_and_hpa() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/x/api\n          readinessProbe:\n            httpGet: {path: /healthz, port: 8080}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\nspec:\n  minReplicas: 2\n  maxReplicas: 10\n";
        let (d, w) = ex("k8s/api.yaml", text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(d.probes[0].location.line, 11);
        assert_eq!(d.scaling[0].max.as_deref(), Some("10"));
        assert_eq!(d.scaling[0].location.line, 20);
    }

    #[test]
    fn helm_template_read_as_text_and_broken_yaml_warns() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          livenessProbe:\n            {{- toYaml .Values.livenessProbe | nindent 12 }}\n";
        let (d, w) = ex("chart/templates/deployment.yaml", text);
        assert!(w.is_empty());
        assert_eq!(d.probes[0].location.line, 8);
        let (d, w) = ex(
            "k8s/bad.yaml",
            "apiVersion: v1\nkind: Pod\nspec: [\n  livenessProbe:\n",
        );
        assert_eq!(w.len(), 1);
        assert_eq!(d.probes.len(), 1);
    }

    #[test]
    fn platforms() {
        let (d, _) = ex(
            "serverless.yml",
            "service: x\nfunctions:\n  api:\n    handler: h.api\n  worker:\n    handler: h.w\n    reservedConcurrency: 5\n",
        );
        assert_eq!(d.scaling.iter().filter(|s| s.max.is_none()).count(), 1);
        let (d, _) = ex(
            "fly.toml",
            "app = 'x'\n[[http_service.checks]]\n  path = '/health'\n",
        );
        assert_eq!(d.probes.len(), 1);
        let (d, _) = ex(
            "render.yaml",
            "services:\n  - type: web\n    name: api\n    healthCheckPath: /health\n    scaling:\n      minInstances: 1\n      maxInstances: 3\n",
        );
        assert_eq!(d.probes[0].location.line, 4);
        assert_eq!(d.scaling[0].max.as_deref(), Some("3"));
        let (d, _) = ex(
            "infra/main.tf",
            "resource \"aws_budgets_budget\" \"m\" {\n  limit_amount = \"50\"\n}\nresource \"aws_autoscaling_group\" \"a\" {\n  min_size = 1\n  max_size = 4\n}\n",
        );
        assert_eq!(d.budgets.len(), 1);
        assert_eq!(d.scaling[0].location.line, 6);
        let (d, _) = ex("app.yaml", "runtime: python312\n");
        assert!(d.scaling[0].max.is_none());
    }

    /// Every row of rules/deploy-resources.toml: each Terraform `match`
    /// file gives the row's fact (a bound with its maximum) and each
    /// `no_match` file none; the Kubernetes `match` manifest is a deploy
    /// target and the `no_match` one is not.
    #[test]
    fn every_deploy_resource_row_example_is_read() {
        let mut failures = Vec::new();
        for row in &RESOURCES.terraform {
            assert!(
                !row.matches.is_empty() && !row.no_match.is_empty(),
                "rules/deploy-resources.toml: {:?} needs match and no_match",
                row.types
            );
            for (want, files) in [(true, &row.matches), (false, &row.no_match)] {
                for text in files {
                    let (d, _) = ex("infra/main.tf", text);
                    let got = match row.fact {
                        Fact::Budget => !d.budgets.is_empty(),
                        Fact::Probe => d.probes.iter().any(|p| p.kind == row.kind),
                        Fact::Bound => d.scaling.iter().any(|b| b.max.is_some()),
                    };
                    if got != want {
                        failures.push(format!("{:?}: {text:?} gave {d:?}", row.types));
                    }
                }
            }
        }
        for row in &RESOURCES.backing_image {
            assert!(
                !row.matches.is_empty() && !row.no_match.is_empty(),
                "rules/deploy-resources.toml: {} needs match and no_match",
                row.kind
            );
            for (want, images) in [(true, &row.matches), (false, &row.no_match)] {
                for image in images {
                    let text = format!(
                        "services:\n  svc:\n    image: {image}\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                    );
                    let (d, _) = ex("compose.yaml", &text);
                    if d.probes.first().map(|p| p.dependency) != Some(want) {
                        failures.push(format!("{}: {image} gave {:?}", row.kind, d.probes));
                    }
                }
            }
        }
        let k = &RESOURCES.kubernetes;
        for (want, files) in [(true, &k.matches), (false, &k.no_match)] {
            for text in files {
                let (d, _) = ex("k8s/app.yaml", text);
                if d.targets.iter().any(|t| t.platform == "kubernetes") != want {
                    failures.push(format!("kubernetes: {text:?} gave {d:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn compose_anchors_and_broken_compose() {
        let text = "x-app: &app\n  build: .\n  healthcheck:\n    test: curl -f http://localhost/health\nservices:\n  api:\n    <<: *app\n";
        let (d, w) = ex("compose.yaml", text);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(d.probes.len(), 1);
        assert!(!d.probes[0].dependency);
        let (_, w) = ex("compose.yaml", "services: [\n");
        assert_eq!(w.len(), 1);
    }
}
