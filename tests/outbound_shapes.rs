//! fixtures/outbound-shapes: one made-up service holding each shape of
//! outbound call and retry loop that issue 14 names, bounded and not. The
//! test pins exactly which sites `outbound-timeout` and `retry-storm` report,
//! so each class has a failing case (listed) and a passing one (absent):
//!
//! - a project client package: `quick.Post` through `NewClient()` on
//!   `http.DefaultClient` and `hookclient.Post` through its shared client are
//!   reported; `careful.Post` through `NewPatient()` (5 s) and the wrapper's
//!   own `c.hc.Post` are not;
//! - a Go caller's `context.WithTimeout` passed as `ctx` bounds `load`; of two
//!   functions each with a local `client`, only the bare one is reported;
//! - slack-go built with defaults is reported;
//! - a Rust `reqwest::get` under the caller's `tokio::time::timeout` is not,
//!   the one without is;
//! - OpenAI's 600 s default is reported at risk 3, an AI SDK call without an
//!   abort signal at full risk, the one with a signal not at all; an S3 client
//!   used only to presign is no site; MeiliSearch with `timeout` is bounded;
//! - a project's fetch wrapper (`guardedFetch`, spreading its caller's
//!   options into `fetch`) is judged at each caller: the two that pass no
//!   signal are reported, the one with a signal and the one raced against a
//!   timer are not; a Python wrapper around pycurl (`curl_get(url,
//!   timeout=None)`) likewise at its caller;
//! - accessors and builders: `_session()`, `make_session()`, `newClient()`
//!   and a class's `this.client()` hand out clients built without a timeout
//!   (reported), `patientClient()`, `get_http_client()` (httpx's default)
//!   and calls with their own timeout are not;
//! - a client kept on a class (`session = requests.Session()` in the class
//!   body) is judged at `self.session.get`, `cls.session.get` in a subclass
//!   and `Lookup.session.head`, all reported; the call with `timeout=` and a
//!   class-level httpx client (5 s default) are not; in TypeScript, an axios
//!   class field and a got client kept in `this.#feed` are reported at
//!   `this.http.get` / `this.#feed.get`, the ones built with a timeout are
//!   not, and `client.http.post` (another object's member) is no site;
//! - dynamic `await import('got')` / `(await import('axios')).default`
//!   bind the client like a static import; an S3 client built from the
//!   namespace a dynamic import returns (`new aws.S3Client(…)`) is reported
//!   without `requestHandler` timeouts, not with them;
//! - a Python sender that takes the verb as a string (`getattr(requests,
//!   verb.lower())`) and hands its `**opts` on is judged at its callers:
//!   `transport.send(…)` and `transport.send_json(…)` (which forwards to
//!   `send`) without `timeout=` are reported, with it they are not; a
//!   notifier base class's `deliver(self, url, **opts)` forwarding to
//!   `transport.send` is judged at each subclass's `self.deliver(…)`
//!   (reported without a timeout, also with `**body` built from dict
//!   literals; not with `timeout=8`); a subclass whose own `deliver` goes to
//!   a sender that sets its own timeout is not, nor is that sender's caller;
//! - a client object a module builds once and the project imports
//!   (`jobs/net.py`: `import requests as http_or_guard`, chosen at import
//!   time between requests and advocate, and `shared_session =
//!   TunedSession()`, a project subclass of its `Session`): `http_or_guard.get`
//!   and `shared_session.head` without a timeout are reported, with one not;
//!   the base class `FeedSource` (another module) hands its `**kwargs` to
//!   `shared_session.request`, and each subclass's inherited `self.fetch(…)`
//!   is judged at its line (reported without `timeout=`, not with it), also
//!   through an override that calls `super().fetch(…, **kwargs)`; the
//!   wrapper's own line is not a site;
//! - a bare pycurl `perform()` and a urllib3 pool built without a timeout are
//!   reported, the pool with `Timeout(…)` is not;
//! - module-level helpers and SDKs of the held-out tandoor service: aiohttp's
//!   `request()` imported by name is reported at risk 3 (300 s), not with a
//!   `ClientTimeout`; a requests-hardened fetcher whose config sets
//!   `default_timeout` needs nothing from its callers, one with
//!   `default_timeout=None` is judged at each caller (reported without
//!   `timeout=`, not with it); litellm `completion(**request)` with a dict
//!   built in the function and no `"timeout"` key is reported at risk 3 (600
//!   s), with the key it is not, and a splat of a parameter is no site;
//!   Django's `send_mail` is reported without a timeout, not through
//!   `get_connection(timeout=10)`;
//! - browser code in a server-side place: in a React Router route module
//!   the `loader`'s fetch is reported, the fetch in a helper closure of the
//!   page component (which calls hooks) is not; under `server-only/`, the
//!   module a route loader imports is reported, a React provider (hooks)
//!   and the fetch helper only that provider imports are not;
//! - a fetch wrapper that is a method of a base class in another module
//!   (`Channel.request`, spreading its caller's options into `fetch`) is
//!   judged at each `this.request(…)` of a subclass: without a signal
//!   (also with `undefined` for the options) reported, with one not, nor the
//!   wrapper's own line; `super.request(…)` two `extends` links away is
//!   reported; a subclass overriding `request` with a bounded one is not,
//!   and a cycle of `extends` resolves nothing; a base-class accessor
//!   `this.http()` returning `pickClient()`, a module function that hands
//!   out `DIRECT ? axios : pooled` (both without a timeout), is reported at
//!   `this.http().post`, not with a per-call `timeout`;
//! - calls written with TypeScript type arguments (`catalog.get<Status>(…)`,
//!   `axios.post<Page<{ id: string }>>(…)`) are calls: reported on a client
//!   without a timeout, bounded with one; a comparison
//!   `size<limit && limit>(spare)` is no call;
//! - an API base class (`catalog/api.ts`, `SourceApi`) keeps an axios
//!   instance without a timeout in `this.axios` and hands each caller's
//!   config on from `get<T>(path, config?)` / `post<T>(path, body, config?)`:
//!   its subclasses in other modules (imported by an alias path, two links
//!   up, or from a folder's `index.ts`) are judged at each `this.get<T>(…)`
//!   (reported without a timeout, not with one) and each `this.axios.get(…)`
//!   (the base's instance: reported; a base built with `timeout` bounds it,
//!   also behind `extends TimedApi<{ showId: number }>`; a base that keeps
//!   the library itself, `this.axios = axios`, leaves it reported); the
//!   base's own lines are no sites;
//! - a project class that builds an SDK client in its constructor from its
//!   own option (`worker/src/library/`: `MediaServer` hands its
//!   destructured `timeout` to plex-api, `CatalogSearch` its
//!   `options.requestTimeout` to MeiliSearch) is judged at each
//!   `new Class({…})`, in other modules: without the option reported, with
//!   it (also in a local object literal) bounded, with options from a
//!   variable or a spread not judged; the construction in the class is no
//!   site, unless the class falls back to its own bound (`SafeSearch`);
//! - an AI agent's tool under the package's sources
//!   (`worker/src/agent/tools/`) is the service's code, not repository
//!   tooling: its fetch is reported; a server module that reads a fetched
//!   page through jsdom (`portal/app/server-only/headline.ts`) is not
//!   browser code for its `document.querySelector`: reported;
//! - a fetch whose body holds a GraphQL query in a template literal
//!   (`articles (first: 20) {`) is a call, not a method shorthand;
//! - a `fetch` imported from the project's own module honours `timeout:`
//!   (`avatars.ts:5` bounded), the call without it is reported;
//! - `pii-in-logs`: zerolog `Msgf` arguments, compound credential names and
//!   whole values judged by the fields of their type (declared in another
//!   package: `internal/vault`), each with a reported and a quiet case;
//! - the retry storms are the three-attempt, no-delay loop around a helper
//!   with a multi-line `def` header, and the `tries_left` loop around a helper
//!   that posts through the project's own pycurl wrapper (`curl.post`);
//!   walking feed entries, batching targets, a cache read, the start-up wait
//!   for the database, a worker parked on its event, a queue consumer, a Go
//!   `select` on a work channel and a walk up a reply chain that stops at the
//!   first error are not retries;
//! - in `worker/src/hooks.ts`, a retry loop whose only call is the project's
//!   `sendJson` (a fetch wrapper in another module) is a storm, one around a
//!   local store function (`saveAttempt`, no HTTP) is no retry; a generic
//!   `withBackoff(task)` helper that calls the function it is given is
//!   judged by its own doubling wait (no jitter: reported), one that runs
//!   its work again only on a unique-key clash is not; two polls that
//!   wait for a render or an export job (re-reading the render's record,
//!   stopping on `state === 'finished'`, no error path) are not retries,
//!   while `pingUntilUp`, the same shape re-sending one request until the
//!   status is good, is; Temporal activity retry policies
//!   (`proxyActivities({ retry: {…} })`, no jitter) are, one with a constant
//!   interval and one with the default doubling and no bound, and a proxy
//!   left to Temporal's default policy (unbounded); one of one attempt is
//!   not;
//! - client code is out of scope: `pushclient`, a Go package imported only by
//!   the `push` subcommand of a cobra CLI whose `serve` subcommand is the
//!   server, has an unbounded `http.Post` and a reconnect loop, neither
//!   reported; `internal/feeds`, imported by `push` and by `serve`, stays
//!   in the service (feeds.go:39 is reported). The script the Dockerfile's
//!   `HEALTHCHECK` runs (`docker/alive.py`, an `urlopen` without timeout) is
//!   a probe bounded by Docker, not reported.
//! - a Go client kept in a struct field (`a.sender.Do`, the field typed as
//!   a package interface with `Do(*http.Request)`) is judged by the values
//!   the package's constructor calls put there: `internal/weather` (a bare
//!   `&http.Client{}` through `newAPI`) is reported, `internal/tides` (a
//!   timed client, behind a caching wrapper and directly) is not, nor is
//!   the caching wrapper's own call (`internal/memo`);
//! - the same, with the client built in a local before the struct literal
//!   (`built := &http.Client{…}; &Client{…, hc: built, …}`, one field per
//!   line): `internal/gauges` (no timeout) is reported, `internal/buoys` is
//!   not; a client handed to a function as a parameter is judged by what its
//!   callers in the file pass (`fetchWith(bare, req)` reported,
//!   `fetchPatiently(timed, req)` not, `fetchEither`, also handed an
//!   exported function's parameter, not judged); a client returned by a
//!   function of the package (`directClient()` reported, `patientClient()`
//!   not) or of another package (`proxies.Through(…)`, with a timeout) is
//!   judged at `hc.Get`; a field whose bare default an options value may
//!   replace (`c.httpClient = opts.HTTPClient`) is not judged; go-oidc's
//!   `UserInfo` on a `*oidc.Provider` field is reported, the project's own
//!   `identity.UserInfo` (an interface field) is not;
//! - a client handed out by a function and called chained
//!   (`transport.Shared(cfg).Do(req)`, `courier.Pick(p).Post(…)`,
//!   `p.client().Head(…)`) is judged by the literal the function reaches
//!   through the methods, cached fields and package variables it returns:
//!   `courier`'s (no timeout) is reported, `transport`'s (`Timeout:
//!   o.Timeout`, a field the package defaults to 15 s) is not, `relaykit`'s
//!   (`Timeout: s.Wait`, a field nothing in the package sets) is unknown; a
//!   local bound from such a function binds only within its function
//!   (`internal/sirens/horn.go`: three functions, each call once);
//! - retry-go: `retry.Do` with `FixedDelay` and with a delay function that
//!   returns a constant are storms, the library's default policy (doubling
//!   with jitter) is not, nor a `retry.Do` around a local file write; a
//!   walk over two spellings of an address whose log line says "retrying"
//!   is not a retry;
//! - requests-oauthlib's `fetch_token` without `timeout=` is reported, its
//!   `refresh_token` with one is not; a `Session()` imported bare from
//!   requests is read as `requests.Session()`; a spotipy auth manager
//!   without `requests_timeout` is reported (the `Spotify` client's 5 s
//!   default does not reach its token request), one with it is not;
//! - a status retry that leaves by `return` on a 200 is a storm, a walk
//!   that pages by `offset` from what came back is not; urllib3's `Retry`
//!   imported from `requests.adapters` is read as urllib3's (no jitter:
//!   reported; with `backoff_jitter`: not);
//! - SDKs with no timeout of their own: `new YahooFinance(…)`,
//!   `alphavantage({ key })` and `new GoogleSpreadsheet(id, auth)` are
//!   reported, a YahooFinance given a `fetch` with a signal and a sheet whose
//!   axios defaults get a timeout are not;
//! - NestJS's `class X extends PassportStrategy(Strategy, name)` over
//!   passport-github2 and passport-openidconnect is reported at its `class`
//!   line; over passport-jwt (no request) it is no site;
//! - a project fetch wrapper reached through NestJS dependency injection
//!   (`this.http.fetch(…)` on a constructor parameter property, also behind
//!   `@Inject`, a typed field, a `useFactory` parameter, a local `new
//!   HttpService()`): calls without a signal are reported, with one they are
//!   not, and one handing on `init` from a parameter is unknown.

use serde_json::Value;

mod common;

fn scan() -> Value {
    common::scan_fixture("outbound-shapes")
}

fn sites(report: &Value, rule: &str) -> Vec<(String, u64, u64)> {
    let mut out: Vec<(String, u64, u64)> = report["debt"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == rule && d["path"].is_string())
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["risk"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_outbound_shape_is_read_where_its_timeout_is_decided() {
    let report = scan();
    let got = sites(&report, "outbound-timeout");
    let want: Vec<(String, u64, u64)> = [
        ("internal/alerts/pager.go", 11, 5),
        ("internal/alerts/pager.go", 18, 5),
        ("internal/courier/courier.go", 35, 5),
        ("internal/courier/courier.go", 44, 5),
        ("internal/feeds/feeds.go", 39, 5),
        ("internal/gauges/gauges.go", 29, 5),
        ("internal/login/login.go", 32, 5),
        ("internal/mirrors/mirrors.go", 12, 5),
        ("internal/mirrors/mirrors.go", 66, 5),
        ("internal/notify/slack.go", 6, 5),
        ("internal/sirens/bell.go", 24, 5),
        ("internal/sirens/horn.go", 13, 5),
        ("internal/sirens/horn.go", 19, 5),
        ("internal/sirens/horn.go", 25, 5),
        ("internal/weather/api.go", 19, 5),
        ("jobs/assistant.py", 16, 3),
        ("jobs/catalog.py", 29, 5),
        ("jobs/catalog.py", 41, 5),
        ("jobs/channels.py", 20, 5),
        ("jobs/channels.py", 36, 5),
        ("jobs/downloads.py", 5, 5),
        ("jobs/downloads.py", 13, 5),
        ("jobs/feed_sources.py", 9, 5),
        ("jobs/feed_sources.py", 23, 5),
        ("jobs/hub.py", 8, 3),
        ("jobs/invites.py", 7, 5),
        ("jobs/lookups.py", 12, 5),
        ("jobs/lookups.py", 21, 5),
        ("jobs/lookups.py", 32, 5),
        ("jobs/mirror.py", 27, 5),
        ("jobs/mirror.py", 38, 5),
        ("jobs/mirror.py", 42, 5),
        ("jobs/previews.py", 16, 5),
        ("jobs/tokens.py", 12, 5),
        ("jobs/tokens.py", 25, 5),
        ("jobs/tokens.py", 32, 5),
        ("jobs/uploads.py", 12, 5),
        ("jobs/uploads.py", 20, 5),
        ("portal/app/routes/connect.tsx", 10, 5),
        ("portal/app/server-only/headline.ts", 7, 5),
        ("portal/app/server-only/quota/plans.ts", 3, 5),
        ("probe/src/probe.rs", 7, 5),
        ("worker/src/agent/tools/importImage.tool.ts", 7, 5),
        ("worker/src/archive.ts", 12, 5),
        ("worker/src/auth/github.strategy.ts", 8, 5),
        ("worker/src/auth/sso.strategy.ts", 7, 5),
        ("worker/src/avatars.ts", 10, 5),
        ("worker/src/catalog/films.ts", 14, 5),
        ("worker/src/catalog/films.ts", 22, 5),
        ("worker/src/catalog/films.ts", 26, 5),
        ("worker/src/catalog/shorts.ts", 6, 5),
        ("worker/src/catalog/trailers.ts", 5, 5),
        ("worker/src/channels/matrix.ts", 5, 5),
        ("worker/src/channels/matrix.ts", 12, 5),
        ("worker/src/channels/matrix.ts", 13, 5),
        ("worker/src/channels/relay.ts", 6, 5),
        ("worker/src/feeds.ts", 6, 5),
        ("worker/src/feeds.ts", 10, 5),
        ("worker/src/graphql.ts", 4, 5),
        ("worker/src/invoices.ts", 6, 5),
        ("worker/src/invoices.ts", 19, 5),
        ("worker/src/lazy.ts", 4, 5),
        ("worker/src/lazy.ts", 9, 5),
        ("worker/src/library/lookup.ts", 6, 5),
        ("worker/src/library/sync.ts", 5, 5),
        ("worker/src/prices/coins.service.ts", 22, 5),
        ("worker/src/prices/prices.module.ts", 17, 5),
        ("worker/src/prices/rates.service.ts", 16, 5),
        ("worker/src/prices/rates.service.ts", 27, 5),
        ("worker/src/quotes/market.ts", 6, 5),
        ("worker/src/quotes/market.ts", 10, 5),
        ("worker/src/quotes/market.ts", 17, 5),
        ("worker/src/registry.ts", 10, 5),
        ("worker/src/registry.ts", 28, 5),
        ("worker/src/summarise.ts", 4, 3),
        ("worker/src/summarise.ts", 7, 5),
        ("worker/src/typed.ts", 7, 5),
        ("worker/src/typed.ts", 10, 5),
    ]
    .iter()
    .map(|(p, l, r)| (p.to_string(), *l, *r))
    .collect();
    assert_eq!(got, want);
    let evidence = common::check(&report, "outbound-timeout")["evidence"].to_string();
    for bounded in [
        "careful.Post through the net/http client built at internal/hookclient/hookclient.go:29, configured with a timeout",
        "its caller bounds `load` with a caller's context deadline",
        "its caller bounds `ping` with tokio::time::timeout at probe/src/main.rs:8",
        "new MeiliSearch with a timeout",
        "guardedFetch passes a timeout or abort signal",
        "guardedFetch is raced against a timer at line 17",
        "patientClient().get through the axios client that patientClient() hands out, built at worker/src/net/client.ts:10, configured with a timeout",
        "this.client().get through the axios client that client() hands out, built at worker/src/invoices.ts:12, with a timeout of its own",
        "_session().get through the requests client that _session() hands out, built at jobs/catalog.py:10, with a timeout of its own",
        "get_http_client().get through the httpx client that get_http_client() hands out, built at jobs/catalog.py:11: its default applies",
        "curl_get passes timeout= (the wrapper curl_get defined at jobs/mirror.py:14)",
        "PATIENT_POOL.request through the client configured at line 11 with a timeout",
        "http.post (axios) with a per-call timeout",
        "self.session.get with timeout=",
        "self.http.get, httpx's default 5 s timeout applies",
        "this.mirror.get through a client configured with a timeout",
        "this.#scores.get through the client configured at line 24 with a timeout",
        "self.deliver passes timeout= (the wrapper deliver defined at jobs/channels.py:14)",
        "transport.send_json passes timeout= (the wrapper send_json defined at jobs/transport.py:15)",
        "send() hands its caller's keywords on to requests",
        "send_patiently() puts a timeout into the keywords it hands on to requests",
        "new aws.S3Client with a timeout",
        "http_or_guard.get through the requests client http_or_guard of jobs/net.py:8, with a timeout of its own",
        "self.fetch passes timeout= (the wrapper fetch defined at jobs/feed_base.py:13)",
        "c.hc.Do through the net/http client of internal/tides/agent.go:16, configured with a timeout",
        "oauth.refresh_token with a timeout",
        "self.session.get with timeout=",
        "SpotifyClientCredentials with a timeout",
        "Spotify under spotipy's own default of 5 s",
        "c.hc.Do through the net/http client of internal/buoys/buoys.go:21, configured with a timeout",
        "client.Do on the http.Client with Timeout that its caller passes at line 44",
        "pc.Get through the net/http client of internal/mirrors/mirrors.go:60, configured with a timeout",
        "px.Get through the net/http client built at internal/proxies/proxies.go:15, configured with a timeout",
        "transport.Shared(…).Do through the net/http client built at internal/transport/options.go:30, configured with a timeout",
        "request with timeout=",
        "manager.send_request through the client configured at line 9 with a timeout",
        "fetch_unbounded() hands its caller's keywords on to requests-hardened",
        "guarded.fetch_unbounded passes timeout=",
        "completion with a timeout",
        "get_connection with a timeout",
        "send_mail with a timeout",
    ] {
        assert!(evidence.contains(bounded), "{bounded}\n{evidence}");
    }
    assert!(
        !evidence.contains("files.ts"),
        "presign-only S3 client counted"
    );
    let listed = common::check(&report, "outbound-timeout")["evidence"].clone();
    let at = |path: &str, line: u64| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"] == path && e["line"] == line)
    };
    // A client handed out by `transport.Shared(cfg)` and called chained is
    // listed at each call, bounded by the default the package gives
    // `Options.Timeout`; `relaykit.Client(s)` sets `Timeout: s.Wait`, a
    // field the package never gives a value: unknown, so not listed at all.
    assert!(at("internal/sirens/bell.go", 18), "chained shared client");
    assert!(
        at("internal/sirens/bell.go", 21),
        "chained configured client"
    );
    assert!(
        !at("internal/sirens/bell.go", 27),
        "a timeout from an unset field is unknown, not bounded or none"
    );
    // The worker's own `fetch` (imported) takes its `timeout` option.
    assert!(
        at("worker/src/avatars.ts", 5),
        "imported fetch with timeout listed"
    );
    // Calls written with type arguments are calls: the bounded ones are
    // listed as bounded sites.
    assert!(
        at("worker/src/typed.ts", 12),
        "typed call on a timed client"
    );
    assert!(at("worker/src/typed.ts", 15), "typed call with a timeout");
    // An API base class in another module (`SourceApi`, imported by an
    // alias path, or a `timed/index.ts` by its folder): its `get`/`post`
    // hand the caller's config to its axios instance, so each subclass's
    // `this.get<T>(…)` is judged, not the base's own lines; `this.axios` in
    // a subclass is the base's instance, bounded when the base built it
    // with a timeout.
    for (path, line) in [
        ("worker/src/catalog/films.ts", 18),
        ("worker/src/catalog/films.ts", 31),
        ("worker/src/catalog/series.ts", 8),
    ] {
        assert!(at(path, line), "bounded site not listed: {path}:{line}");
    }
    for line in [15, 24] {
        assert!(
            !at("worker/src/catalog/api.ts", line),
            "wrapper line {line}"
        );
    }
    assert!(
        evidence.contains("this.axios.get through the axios client TimedApi.axios (a field of the base class), built at worker/src/catalog/timed/index.ts:5, configured with a timeout"),
        "{evidence}"
    );
    // A project class whose constructor hands its own `timeout` option to
    // the SDK it builds is judged at each `new Class({…})`: with the
    // option bounded, from options this module cannot read (a variable, a
    // spread) not judged; the construction inside the class is no site,
    // unless the class bounds it itself (`requestTimeout ?? 3000`).
    assert!(
        evidence.contains("new MediaServer(…) passes timeout to the class MediaServer defined at worker/src/library/server.ts:11, whose constructor hands it to plex-api (built at worker/src/library/server.ts:15)"),
        "{evidence}"
    );
    assert!(
        evidence.contains("new CatalogSearch(…) passes no requestTimeout to the class CatalogSearch defined at worker/src/library/search.ts:5"),
        "{evidence}"
    );
    for (path, line) in [
        ("worker/src/library/sync.ts", 12),
        ("worker/src/library/lookup.ts", 10),
        ("worker/src/library/search.ts", 21),
    ] {
        assert!(at(path, line), "bounded site not listed: {path}:{line}");
    }
    for (path, line) in [
        ("worker/src/library/server.ts", 15),
        ("worker/src/library/search.ts", 9),
        ("worker/src/library/sync.ts", 18),
        ("worker/src/library/sync.ts", 22),
        ("worker/src/library/lookup.ts", 13),
    ] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
    // `client.http.post` is another object's member, not the local `http`.
    assert!(
        !at("worker/src/registry.ts", 38),
        "a member read as the local client"
    );
    assert!(
        at("worker/src/registry.ts", 14),
        "the evidence lists bounded sites"
    );
    assert!(
        !evidence.contains("hookclient.go:38"),
        "wrapper line counted"
    );
    // The caching wrapper's own `c.inner.Do` is judged by nobody: its
    // exported constructor's callers are in other packages.
    assert!(
        !evidence.contains("internal/memo/memo.go"),
        "wrapper line counted\n{evidence}"
    );
    // The fetch inside the project's wrapper is decided by its callers.
    assert!(
        !evidence.contains("\"path\":\"worker/src/net/guardedFetch.ts\""),
        "fetch wrapper line counted\n{evidence}"
    );
    // SDKs bounded where they allow it: a YahooFinance given a fetch with a
    // signal, a sheet whose axios defaults get a timeout.
    for line in [7, 23] {
        assert!(at("worker/src/quotes/market.ts", line), "market.ts:{line}");
    }
    // The injected `HttpService.fetch` is judged at its callers: the ones
    // passing a signal are bounded sites (a parameter property, a typed
    // field, a local `new HttpService()`); the one handing on `init` from a
    // parameter is unknown, and the wrapper's own `globalThis.fetch` is no
    // site.
    for (path, line) in [
        ("worker/src/prices/coins.service.ts", 15),
        ("worker/src/prices/rates.service.ts", 20),
        ("worker/src/prices/rates.service.ts", 26),
    ] {
        assert!(at(path, line), "bounded call not listed: {path}:{line}");
    }
    assert!(
        evidence.contains("this.http.fetch passes a timeout or abort signal (the wrapper HttpService.fetch defined at worker/src/net/http.service.ts:9)"),
        "{evidence}"
    );
    assert!(
        !at("worker/src/prices/coins.service.ts", 27),
        "options from a parameter judged"
    );
    assert!(
        !evidence.contains("\"path\":\"worker/src/net/http.service.ts\""),
        "injected wrapper line counted\n{evidence}"
    );
    // Browser code is no site, bounded or not.
    for (path, line) in [
        ("portal/app/routes/connect.tsx", 19),
        ("portal/app/server-only/quota/read.ts", 5),
    ] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
    for bounded in [
        "this.request passes a timeout or abort signal (the wrapper Channel.request defined at worker/src/channels/base.ts:6)",
        "this.http().get through the axios client that Channel.http() hands out, built at worker/src/net/pick.ts:4, with a timeout of its own",
    ] {
        assert!(evidence.contains(bounded), "{bounded}\n{evidence}");
    }
    for (path, line) in [
        ("worker/src/channels/base.ts", 7),
        ("worker/src/channels/patient.ts", 10),
    ] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
    // Not judged: the project's own `UserInfo` (not go-oidc's), a field
    // an options value may replace, a parameter one caller fills with a
    // value this file cannot read.
    for (path, line) in [
        ("internal/login/login.go", 25),
        ("internal/rpc/rpc.go", 28),
        ("internal/mirrors/mirrors.go", 30),
    ] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
    let wrapper = "guardedFetch(…) passes no timeout or abort signal to the wrapper guardedFetch defined at worker/src/net/guardedFetch.ts:5";
    assert!(evidence.contains(wrapper), "{evidence}");
    // A subclass with its own `deliver` (bounded) is not calling the base
    // class's wrapper, and a wrapper that sets its own timeout has callers
    // that need none.
    for (path, line) in [("jobs/channels.py", 45), ("jobs/uploads.py", 24)] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
    // A guarded fetcher whose requests-hardened config sets a default
    // timeout has callers that need none; a litellm call whose options dict
    // is a parameter cannot be read and is no site.
    for (path, line) in [("jobs/previews.py", 11), ("jobs/assistant.py", 29)] {
        assert!(!at(path, line), "counted: {path}:{line}");
    }
}

#[test]
fn only_the_real_retry_is_a_storm() {
    let report = scan();
    assert_eq!(
        sites(&report, "retry-storm"),
        vec![
            // retry-go with FixedDelay (MaxJitter unused), and with a delay
            // function that always answers the same wait.
            ("internal/mirrors/retries.go".to_string(), 18, 4),
            ("internal/mirrors/retries.go".to_string(), 52, 4),
            ("jobs/deliveries.py".to_string(), 77, 4),
            // Returns on a 200, otherwise a fixed pause: a status retry.
            ("jobs/pager.py".to_string(), 13, 4),
            // urllib3's Retry imported from requests.adapters, no jitter.
            ("jobs/pager.py".to_string(), 40, 4),
            ("jobs/sync.py".to_string(), 21, 4),
            // The channels' base `request` re-calls itself on a 5xx with no
            // wait: a retry by recursion, a real storm.
            ("worker/src/channels/base.ts".to_string(), 9, 4),
            // Through the project's `sendJson`, no wait between attempts.
            ("worker/src/hooks.ts".to_string(), 13, 4),
            // Re-sends the same request until the status is good.
            ("worker/src/hooks.ts".to_string(), 72, 4),
            // `withBackoff(task)`: a generic helper, doubling, no jitter.
            ("worker/src/hooks.ts".to_string(), 87, 4),
            // Temporal policies: constant 2 minutes; doubling, unbounded.
            ("worker/src/workflows/publish.ts".to_string(), 10, 4),
            ("worker/src/workflows/publish.ts".to_string(), 21, 4),
            // Temporal's default policy: doubling, no bound.
            ("worker/src/workflows/publish.ts".to_string(), 25, 4),
        ]
    );
}

/// A chain of `extends` across modules is followed eight links up and no
/// further: a subclass three links below the base's fetch wrapper is judged
/// at its `this.send(…)`, one eleven links below is left unknown (never
/// guessed), and a long chain costs a bounded walk per call.
#[test]
fn base_class_chains_are_followed_a_bounded_number_of_links() {
    let mut files = vec![
        (
            "package.json".to_string(),
            r#"{"name":"relay","dependencies":{"express":"4"}}"#.to_string(),
        ),
        (
            "src/c0.ts".to_string(),
            "export class C0 {\n  async send(url: string, init: RequestInit = {}) {\n    return fetch(url, { ...init, keepalive: true });\n  }\n}\n".to_string(),
        ),
    ];
    for i in 1..=11 {
        files.push((
            format!("src/c{i}.ts"),
            format!(
                "import {{ C{p} }} from './c{p}';\n\nexport class C{i} extends C{p} {{\n  async ping() {{\n    return this.send('https://relay.example/{i}', {{ method: 'POST' }});\n  }}\n}}\n",
                p = i - 1
            ),
        ));
    }
    let report = common::scan_files(files);
    let got: Vec<String> = sites(&report, "outbound-timeout")
        .into_iter()
        .map(|(p, l, _)| format!("{p}:{l}"))
        .collect();
    let want: Vec<String> = (1..=8).map(|i| format!("src/c{i}.ts:5")).collect();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
}

/// fixtures/go-client-library: a Go package that no `package main` of the
/// repository imports (a published API client, used only by a test) is not
/// the service; the packages the program reaches, directly and through
/// another package, are.
#[test]
fn a_go_package_no_program_imports_is_a_library() {
    let report = common::scan_fixture("go-client-library");
    let files: Vec<String> = sites(&report, "outbound-timeout")
        .into_iter()
        .map(|(path, line, _)| format!("{path}:{line}"))
        .collect();
    assert_eq!(
        files,
        ["internal/rates/rates.go:11", "internal/server/server.go:22"]
    );
    let scope = common::graduate()
        .args([
            "scan",
            "fixtures/go-client-library",
            "--no-git",
            "--explain-scope",
            "client/client.go",
        ])
        .output()
        .unwrap();
    common::assert_ok(&scope);
    let said = String::from_utf8_lossy(&scope.stdout);
    assert!(
        said.contains("dev-tooling") && said.contains("no program"),
        "{said}"
    );
}

/// zerolog's `Msgf` format arguments reach the log line as `.Str` values
/// do: a password or an e-mail address handed to `Msgf` is reported, a
/// username and a count are not. A compound credential name, noun first
/// (`req.PasswordCurrent`, `req.PasswordNew`), is a password; the policy's
/// `PasswordMinLength` and the `PasswordResetURL` are not.
#[test]
fn zerolog_format_arguments_are_read() {
    let report = scan();
    let got: Vec<(String, u64, u64)> = sites(&report, "pii-in-logs")
        .into_iter()
        .filter(|(p, _, _)| p == "internal/login/audit.go")
        .collect();
    let want: Vec<(String, u64, u64)> = [11, 15, 23, 37, 38]
        .iter()
        .map(|l| ("internal/login/audit.go".to_string(), *l, 4))
        .collect();
    assert_eq!(got, want);
}

/// A whole value whose type holds a credential field is judged by its type,
/// declared in another package of the module (`internal/vault`): fmt's `%+v`
/// and `%v` print every field, so `Password` is written whatever the type's
/// `MarshalJSON` masks (a parameter, a range variable over `[]*T`, a
/// `NewAccount` constructor, a `&T{…}` literal whose `json:"-"` only hides
/// the field from JSON, and a struct handed whole to `.Interface` with an
/// `APIKey`). Not reported: a field of it (`%s` of `a.Name`), the same
/// value through `.Interface` (its `MarshalJSON` may redact), a type with no
/// credential field, a type whose `String()` masks it, a `json:"-"` field
/// written as JSON, and a value whose type is not known.
#[test]
fn whole_values_with_credential_fields_are_read() {
    let report = scan();
    let path = "internal/syncer/syncer.go";
    let got: Vec<u64> = sites(&report, "pii-in-logs")
        .into_iter()
        .filter(|(p, _, _)| p == path)
        .map(|(_, l, _)| l)
        .collect();
    assert_eq!(got, vec![18, 34, 40, 45, 47]);
    let message = |line: u64| -> String {
        report["debt"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["rule"] == "pii-in-logs" && d["path"] == path && d["line"] == line)
            .and_then(|d| d["message"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let m = message(18);
    assert!(
        m.contains("`%+v` of Account writes its Password field"),
        "{m}"
    );
    let m = message(47);
    assert!(
        m.contains("AccountSettings logged whole writes its APIKey field"),
        "{m}"
    );
}
