//! `diagnose` end to end against a mock control plane (mockito, loopback only):
//! statuses, targets, per-environment fan-out, inference, request counts,
//! configuration errors, and that no secret reaches any rendering.
//!
//! Each test describes its tenant as a `Tenant` (the healthy one, with a few
//! answers changed), mounts it on a fresh mock server, runs `diagnose`, and
//! checks the report and the requests. Every mounted server also answers any
//! request the tenant does not serve with 501 and records it, so a test fails
//! when the doctor calls something it should not.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use anypoint_doctor::Error;
use anypoint_doctor::doctor::Registry;
use anypoint_doctor::report::table::TableOptions;
use anypoint_doctor::report::{Outcome, Report, Status, json, markdown, table};
use anypoint_doctor::secret::Secret;
use anypoint_doctor::settings::{Credentials, Settings, Source, Sourced};
use anypoint_doctor::{RunOptions, diagnose};
use mockito::{Matcher, Mock, ServerGuard};
use url::Url;

// The tiny tenant of tests/fixtures (see tests/fixtures/README.md).
const ROOT: &str = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
const BG: &str = "5d7e9f10-2a3b-4c5d-9e6f-708192a3b4c5";
const DESIGN: &str = "0badc0de-2222-4333-8444-999988887777";
const SANDBOX: &str = "c0ffee00-1111-4222-8333-444455556666";
const PRODUCTION: &str = "deadbeef-7777-4888-9999-aaaabbbbcccc";
const ENVS: [&str; 3] = [DESIGN, SANDBOX, PRODUCTION];

const CLIENT_ID: &str = "client-id";
const SECRET: &str = "the-secret";
const TOKEN: &str = "tok-issued";
/// The Connected App whose granted scopes an admin token reads.
const APP_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";

/// Platform paths, as the doctor must call them.
mod path {
    /// The network checks' unauthenticated GET of the base URL (net.tls, net.clock share it).
    pub const REACH: &str = "/";
    pub const TOKEN: &str = "/accounts/api/v2/oauth2/token";
    pub const ME: &str = "/accounts/api/me";

    pub fn org(id: &str) -> String {
        format!("/accounts/api/organizations/{id}")
    }
    pub fn hierarchy(id: &str) -> String {
        format!("/accounts/api/organizations/{id}/hierarchy")
    }
    pub fn environments(org: &str) -> String {
        format!("/accounts/api/organizations/{org}/environments")
    }
    /// The first page of the app's granted scopes (the doctor asks for 500).
    pub fn grants(client_id: &str) -> String {
        format!("/accounts/api/connectedApplications/{client_id}/scopes?offset=0&limit=500")
    }
    /// The org-scoped path, tried when the short one is refused.
    pub fn org_grants(org: &str, client_id: &str) -> String {
        format!(
            "/accounts/api/organizations/{org}/connectedApplications/{client_id}/scopes?offset=0&limit=500"
        )
    }
    /// The legacy client application list (View Client Applications probe, empty-list check).
    pub fn client_apps(org: &str) -> String {
        format!(
            "/apiplatform/repository/v2/organizations/{org}/applications?includeContractsForApiVersion=0&limit=200"
        )
    }
    /// The legacy client application create (deprecated.repository-v2-create's retired probe).
    pub fn repository_create(org: &str) -> String {
        format!("/apiplatform/repository/v2/organizations/{org}/applications")
    }
    /// Exchange v2 client applications: POST is the Manage Client Applications probe, GET a cross list.
    pub fn exchange_apps(org: &str) -> String {
        format!("/exchange/api/v2/organizations/{org}/applications")
    }
    /// The Manage Contracts probe, aimed at the API instance the environment lists.
    pub fn contracts_probe(org: &str, env: &str) -> String {
        format!(
            "/apimanager/api/v1/organizations/{org}/environments/{env}/apis/{}/contracts",
            super::api_id(env)
        )
    }
    /// The contracts of an API instance (read by the data check).
    pub fn contracts(org: &str, env: &str, api: u64) -> String {
        format!("/apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts")
    }
    /// API instances: GET lists them, POST is the API Manager administrator probe.
    pub fn apis(org: &str, env: &str) -> String {
        format!("/apimanager/api/v1/organizations/{org}/environments/{env}/apis")
    }
    pub fn exchange_v1_apis(org: &str, env: &str) -> String {
        format!("/exchange/api/v1/organizations/{org}/environments/{env}/apis")
    }
}

/// The API instance each environment lists by default.
fn api_id(env: &str) -> u64 {
    match env {
        DESIGN => 18972601,
        SANDBOX => 18972610,
        _ => 18972611,
    }
}

/// An API Manager list with one instance in `env` and `active` contracts.
fn api_list(env: &str, active: u64) -> Reply {
    ok(serde_json::json!({"total": 1, "assets": [{
        "id": 6123456, "assetId": "orders-api", "groupId": ROOT, "organizationId": ROOT,
        "apis": [{"id": api_id(env), "assetId": "orders-api", "assetVersion": "1.0.3",
                  "productVersion": "v1", "environmentId": env, "activeContractsCount": active}]
    }]})
    .to_string())
}

fn fixture(name: &str) -> String {
    let file = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

// ---------------------------------------------------------------------------
// The mock control plane
// ---------------------------------------------------------------------------

/// What one route answers.
#[derive(Clone)]
struct Reply {
    status: usize,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
    /// Hold the body back until every party of this rendezvous has been asked.
    rendezvous: Option<Arc<Rendezvous>>,
}

impl Reply {
    fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    fn held_by(mut self, rendezvous: &Arc<Rendezvous>) -> Reply {
        self.rendezvous = Some(Arc::clone(rendezvous));
        self
    }
}

fn text(status: usize, content_type: &'static str, body: impl Into<String>) -> Reply {
    Reply {
        status,
        content_type,
        body: body.into(),
        headers: Vec::new(),
        rendezvous: None,
    }
}

fn json(status: usize, body: impl Into<String>) -> Reply {
    text(status, "application/json; charset=utf-8", body)
}

fn ok(body: impl Into<String>) -> Reply {
    json(200, body)
}

fn forbidden() -> Reply {
    json(403, r#"{"status":403,"message":"Forbidden"}"#)
}

fn token_reply(token: &str) -> Reply {
    ok(
        serde_json::json!({"access_token": token, "token_type": "bearer", "expires_in": 3600})
            .to_string(),
    )
}

fn me_connected_app(org_id: &str) -> Reply {
    ok(serde_json::json!({
        "client": {"client_id": CLIENT_ID, "name": "doctor-ci-app", "org_id": org_id, "client_type": "control"}
    })
    .to_string())
}

fn business_group() -> Reply {
    ok(serde_json::json!({
        "id": BG,
        "name": "Payments BG",
        "isRoot": false,
        "isMaster": false,
        "parentOrganizationIds": [ROOT],
        "subOrganizationIds": []
    })
    .to_string())
}

/// A grants list (`data` key) with the given `(scope, org, env)` entries.
fn grants(entries: &[(&str, Option<&str>, Option<&str>)]) -> Reply {
    let data: Vec<serde_json::Value> = entries
        .iter()
        .map(|(scope, org, env)| {
            let mut params = serde_json::Map::new();
            if let Some(org) = org {
                params.insert("org".into(), (*org).into());
            }
            if let Some(env) = env {
                params.insert("envId".into(), (*env).into());
            }
            serde_json::json!({"scope": scope, "context_params": params})
        })
        .collect();
    ok(serde_json::json!({"data": data, "total": entries.len()}).to_string())
}

/// Which API a request hits and what it answers.
struct Route {
    method: &'static str,
    path: String,
    reply: Reply,
    /// The request body must match this (else the request is unexpected).
    body: Option<Matcher>,
    /// The request must carry the tenant's bearer token (else it is unexpected).
    authorized: bool,
    /// Exactly this many hits, checked by `Mounted::verify`.
    expect: Option<usize>,
}

/// A tenant as the mock server plays it.
struct Tenant {
    /// The access token the token endpoint issues and every API requires.
    token: String,
    routes: Vec<Route>,
}

impl Tenant {
    /// A healthy Connected App of the root org "Example Corp", checked there.
    fn healthy() -> Tenant {
        Tenant::new(ROOT, ROOT)
    }

    /// A healthy Connected App owned by `app_org`, its scopes checked in
    /// `checked_org` (the org whose environments are listed and probed).
    /// Client applications always live in the root org. Answers, by default:
    /// granted scopes unreadable (403, as for any ordinary app), write probes
    /// refused as invalid (400), a non-empty client application list, empty
    /// API instance lists, and the retired Exchange v1 list gone (404).
    fn new(app_org: &str, checked_org: &str) -> Tenant {
        let mut tenant = Tenant {
            token: TOKEN.into(),
            routes: Vec::new(),
        };
        // Any status proves the connection; net.tls and net.clock share the one answer.
        tenant.routes.push(Route {
            method: "GET",
            path: path::REACH.into(),
            reply: text(404, "text/html", "<html><body>Not Found</body></html>"),
            body: None,
            authorized: false,
            expect: Some(1),
        });
        tenant.routes.push(Route {
            method: "POST",
            path: path::TOKEN.into(),
            reply: token_reply(TOKEN),
            body: Some(Matcher::PartialJson(serde_json::json!({
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": SECRET,
            }))),
            authorized: false,
            expect: None,
        });
        let invalid = json(400, r#"{"status":400,"message":"name: must not be empty"}"#);
        tenant
            .set("GET", path::ME, me_connected_app(app_org))
            .set(
                "GET",
                path::org(ROOT),
                ok(fixture("accounts-organization.json")),
            )
            .set("GET", path::org(BG), business_group())
            .set(
                "GET",
                path::hierarchy(ROOT),
                ok(fixture("accounts-hierarchy.json")),
            )
            .set(
                "GET",
                path::environments(checked_org),
                ok(fixture("accounts-environments-list.json")),
            )
            .set("GET", path::grants(CLIENT_ID), forbidden())
            // An org admin reads the app (its org) before its granted scopes.
            .set(
                "GET",
                format!("/accounts/api/connectedApplications/{APP_ID}"),
                ok(serde_json::json!({"client_id": APP_ID, "client_name": "doctor-ci-app", "org_id": ROOT}).to_string()),
            )
            .set("GET", path::org_grants(app_org, CLIENT_ID), forbidden())
            .set("POST", path::exchange_apps(ROOT), invalid.clone())
            .set(
                "GET",
                path::exchange_apps(ROOT),
                ok(fixture("exchange-applications-list.json")),
            )
            .set(
                "GET",
                path::client_apps(ROOT),
                ok(fixture("apiplatform-applications-list.json")),
            )
            .set("POST", path::repository_create(ROOT), invalid);
        for env in ENVS {
            tenant
                .set(
                    "POST",
                    path::contracts_probe(checked_org, env),
                    json(400, fixture("apimanager-error-400.json")),
                )
                .set(
                    "POST",
                    path::apis(checked_org, env),
                    json(
                        400,
                        r#"{"errors":[{"message":"should have required property 'spec'"}]}"#,
                    ),
                )
                .set("GET", path::apis(checked_org, env), api_list(env, 0))
                .set(
                    "GET",
                    path::exchange_v1_apis(checked_org, env),
                    json(404, fixture("exchange-error-404.json")),
                );
        }
        tenant
    }

    fn find(&mut self, method: &str, path: &str) -> Option<&mut Route> {
        self.routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
    }

    /// Answers `reply` on a route (added, authorized, if the tenant has none).
    fn set(&mut self, method: &'static str, path: impl Into<String>, reply: Reply) -> &mut Tenant {
        let path = path.into();
        match self.find(method, &path) {
            Some(route) => route.reply = reply,
            None => self.routes.push(Route {
                method,
                path,
                reply,
                body: None,
                authorized: true,
                expect: None,
            }),
        }
        self
    }

    /// The route must be hit exactly `hits` times; a route the tenant does
    /// not serve is added, answering 418 so any hit also shows in the report.
    fn expect(
        &mut self,
        method: &'static str,
        path: impl Into<String>,
        hits: usize,
    ) -> &mut Tenant {
        let path = path.into();
        if self.find(method, &path).is_none() {
            self.set(
                method,
                path.clone(),
                json(418, r#"{"message":"this route must not be called"}"#),
            );
        }
        self.find(method, &path).expect("just added").expect = Some(hits);
        self
    }

    /// Every route but `method path` must not be hit at all.
    fn expect_nothing_but(&mut self, method: &str, path: &str) -> &mut Tenant {
        for route in &mut self.routes {
            // The network checks' reach comes before any of them, whatever happens later.
            if !(route.method == method && route.path == path) && route.path != path::REACH {
                route.expect = Some(0);
            }
        }
        self
    }

    /// The token endpoint issues `token`, and the APIs require it.
    fn issue_token(&mut self, token: &str) -> &mut Tenant {
        self.token = token.into();
        self.set("POST", path::TOKEN, token_reply(token))
    }

    /// The token endpoint accepts `secret` (instead of `SECRET`) for `CLIENT_ID`.
    fn accept_secret(&mut self, secret: &str) -> &mut Tenant {
        let route = self.find("POST", path::TOKEN).expect("a token route");
        route.body = Some(Matcher::PartialJson(serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": secret,
        })));
        self
    }

    /// For a ready-made bearer token: the APIs require `token`, and the token
    /// endpoint must not be called.
    fn accept_bearer(&mut self, token: &str) -> &mut Tenant {
        self.token = token.into();
        self.expect("POST", path::TOKEN, 0)
    }

    async fn mount(&self, server: &mut ServerGuard) -> Mounted {
        let unexpected = Arc::new(Mutex::new(Vec::new()));
        // Registered first, so any route below wins where both match.
        let mut guards = Vec::new();
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let log = Arc::clone(&unexpected);
            let guard = server
                .mock(method, Matcher::Any)
                .with_status(501)
                .with_body_from_request(move |request| {
                    let auth = if request.has_header("authorization") {
                        "with"
                    } else {
                        "without"
                    };
                    log.lock().unwrap().push(format!(
                        "{} {} ({auth} authorization)",
                        request.method(),
                        request.path_and_query()
                    ));
                    b"not served by this test's tenant".to_vec()
                })
                .expect(0)
                .create_async()
                .await;
            guards.push(guard);
        }
        let mut routes = Vec::new();
        for route in &self.routes {
            let reply = &route.reply;
            let mut mock = server
                .mock(route.method, Matcher::Exact(route.path.clone()))
                .with_status(reply.status)
                .with_header("content-type", reply.content_type);
            for (name, value) in &reply.headers {
                mock = mock.with_header(*name, value);
            }
            if route.authorized {
                mock = mock.match_header(
                    "authorization",
                    Matcher::Exact(format!("Bearer {}", self.token)),
                );
            }
            if let Some(body) = &route.body {
                mock = mock.match_body(body.clone());
            }
            mock = match &reply.rendezvous {
                Some(rendezvous) => {
                    let rendezvous = Arc::clone(rendezvous);
                    let body = reply.body.clone();
                    mock.with_chunked_body(move |w| {
                        rendezvous.arrive();
                        w.write_all(body.as_bytes())
                    })
                }
                None => mock.with_body(&reply.body),
            };
            if let Some(hits) = route.expect {
                mock = mock.expect(hits);
            }
            routes.push((route.expect.is_some(), mock.create_async().await));
        }
        Mounted {
            guards,
            routes,
            unexpected,
        }
    }
}

struct Mounted {
    guards: Vec<Mock>,
    routes: Vec<(bool, Mock)>,
    unexpected: Arc<Mutex<Vec<String>>>,
}

impl Mounted {
    /// No request went outside the tenant, and every route with an
    /// expectation was hit exactly that many times.
    async fn verify(&self) {
        let unexpected = self.unexpected.lock().unwrap().clone();
        assert!(
            unexpected.is_empty(),
            "requests the tenant does not serve: {unexpected:#?}"
        );
        for guard in &self.guards {
            guard.assert_async().await;
        }
        for (expected, mock) in &self.routes {
            if *expected {
                mock.assert_async().await;
            }
        }
    }
}

/// Holds each arriving response until `parties` requests have arrived: it
/// only completes if those requests are in flight at the same time. Gives up
/// after `PATIENCE` (so a serial doctor fails the test instead of hanging).
struct Rendezvous {
    parties: usize,
    arrived: Mutex<usize>,
    all_here: Condvar,
    stranded: AtomicBool,
}

const PATIENCE: Duration = Duration::from_secs(10);

impl Rendezvous {
    fn new(parties: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            parties,
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            stranded: AtomicBool::new(false),
        })
    }

    fn arrive(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (_arrived, wait) = self
            .all_here
            .wait_timeout_while(arrived, PATIENCE, |n| *n < self.parties)
            .unwrap();
        if wait.timed_out() {
            self.stranded.store(true, Ordering::SeqCst);
        }
    }

    /// Every party arrived while the others were still waiting for it.
    fn met(&self) -> bool {
        *self.arrived.lock().unwrap() == self.parties && !self.stranded.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------
// Running the doctor and reading the report
// ---------------------------------------------------------------------------

fn base_url(server: &ServerGuard) -> Url {
    Url::parse(&server.url()).unwrap()
}

fn settings(server: &ServerGuard) -> Settings {
    Settings::client_credentials(base_url(server), CLIENT_ID, SECRET)
}

/// Settings for a ready-made token, optionally naming the app whose scopes to read.
fn bearer_settings(server: &ServerGuard, token: &str, client_id: Option<&str>) -> Settings {
    let mut settings = settings(server);
    settings.credentials = Credentials::Bearer {
        token: Sourced {
            value: Secret::new(token),
            source: Source::Env("ANYPOINT_BEARER"),
        },
        client_id: client_id.map(|id| Sourced {
            value: id.to_string(),
            source: Source::Flag("--client-id"),
        }),
    };
    settings
}

/// Every check, with the CLI's default concurrency.
fn plan() -> RunOptions {
    RunOptions {
        concurrency: 8,
        ..RunOptions::default()
    }
}

fn selecting(ids: &[&str]) -> RunOptions {
    RunOptions {
        select: ids.iter().map(|s| s.to_string()).collect(),
        ..plan()
    }
}

async fn run(settings: Settings, plan: RunOptions) -> Report {
    diagnose(settings, &plan)
        .await
        .expect("diagnose returns a report")
}

/// Mounts the tenant on a fresh server, runs every check, verifies the requests.
async fn run_tenant(tenant: &Tenant) -> Report {
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(settings(&server), plan()).await;
    mounted.verify().await;
    report
}

/// One line per outcome, for failure messages.
fn dump(report: &Report) -> String {
    report
        .checks
        .iter()
        .map(|o| {
            format!(
                "{:<5} {:<34} {:<12} {}{}",
                o.status.word(),
                o.id,
                o.target.as_deref().unwrap_or("-"),
                o.summary,
                o.blocked_by
                    .as_deref()
                    .map(|b| format!(" [blocked by {b}]"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn outcomes<'a>(report: &'a Report, id: &str) -> Vec<&'a Outcome> {
    report.checks.iter().filter(|o| o.id == id).collect()
}

/// The one outcome of a check that does not fan out, with the given status.
#[track_caller]
fn only<'a>(report: &'a Report, id: &str, status: Status) -> &'a Outcome {
    let found = outcomes(report, id);
    assert_eq!(
        found.len(),
        1,
        "{id}: expected one outcome\n{}",
        dump(report)
    );
    assert_eq!(found[0].status, status, "{id}\n{}", dump(report));
    found[0]
}

/// The outcome of a fanned-out check for one target, with the given status.
#[track_caller]
fn at<'a>(report: &'a Report, id: &str, target: &str, status: Status) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes(report, id)
        .into_iter()
        .filter(|o| o.target.as_deref() == Some(target))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{id} @ {target}: expected one outcome\n{}",
        dump(report)
    );
    assert_eq!(found[0].status, status, "{id} @ {target}\n{}", dump(report));
    found[0]
}

fn targets<'a>(report: &'a Report, id: &str) -> Vec<&'a str> {
    outcomes(report, id)
        .iter()
        .map(|o| o.target.as_deref().unwrap_or("-"))
        .collect()
}

/// Every outcome but those of `except` is a skip blamed on `cause`, with no request made.
#[track_caller]
fn all_blocked_by(report: &Report, cause: &str, except: &[&str]) {
    // The checks before the cause (the network checks) cannot be blocked by it.
    for outcome in report
        .checks
        .iter()
        .skip_while(|o| o.id != cause)
        .filter(|o| !except.contains(&o.id.as_str()))
    {
        assert_eq!(
            outcome.status,
            Status::Skip,
            "{}\n{}",
            outcome.id,
            dump(report)
        );
        assert_eq!(
            outcome.blocked_by.as_deref(),
            Some(cause),
            "{}\n{}",
            outcome.id,
            dump(report)
        );
        assert!(outcome.evidence.is_empty(), "{} made requests", outcome.id);
    }
}

/// The check ids in report order, each once.
fn ids_in_order(report: &Report) -> Vec<&str> {
    let mut ids: Vec<&str> = report.checks.iter().map(|o| o.id.as_str()).collect();
    ids.dedup();
    ids
}

/// The checks of the default run (capabilities run only when asked for).
fn registry_ids() -> Vec<&'static str> {
    Registry::get()
        .checks
        .iter()
        .filter(|c| !c.on_demand)
        .map(|c| c.id.as_str())
        .collect()
}

const ENV_NAMES: [&str; 3] = ["Design", "Sandbox", "Production"];

// ---------------------------------------------------------------------------
// 1. The healthy path
// ---------------------------------------------------------------------------

#[tokio::test]
async fn healthy_app_passes_with_inferred_scopes_and_shares_requests() {
    let mut tenant = Tenant::healthy();
    // Each answer is fetched once per run, however many checks need it.
    tenant
        .expect("POST", path::TOKEN, 1)
        .expect("GET", path::ME, 1)
        .expect("GET", path::org(ROOT), 1)
        .expect("GET", path::org(BG), 0)
        .expect("GET", path::hierarchy(ROOT), 1)
        .expect("GET", path::environments(ROOT), 1)
        .expect("GET", path::grants(CLIENT_ID), 1)
        // An app's own token reads no grants: the org-scoped path is not tried.
        .expect("GET", path::org_grants(ROOT, CLIENT_ID), 0)
        // Manage Client Applications probe and the deprecated check's replacement: one request.
        .expect("POST", path::exchange_apps(ROOT), 1)
        // View Client Applications probe and the empty-list check: one request.
        .expect("GET", path::client_apps(ROOT), 1)
        // The list is not empty, so no cross list and no contract counts are needed.
        .expect("GET", path::exchange_apps(ROOT), 0)
        .expect("POST", path::repository_create(ROOT), 1)
        .expect("GET", path::exchange_v1_apis(ROOT, DESIGN), 1)
        // Once each: scope.view-apis-configuration reads every environment,
        // and the retired path's replacement shares Design's answer.
        .expect("GET", path::apis(ROOT, DESIGN), 1)
        .expect("GET", path::apis(ROOT, SANDBOX), 1)
        .expect("GET", path::apis(ROOT, PRODUCTION), 1);
    for env in ENVS {
        tenant
            .expect("POST", path::contracts_probe(ROOT, env), 1)
            .expect("POST", path::apis(ROOT, env), 1);
    }
    let report = run_tenant(&tenant).await;

    only(&report, "auth.token", Status::Pass);
    let identity = only(&report, "auth.identity", Status::Pass);
    assert!(
        identity.summary.contains("doctor-ci-app"),
        "{}",
        identity.summary
    );
    let org = only(&report, "org.structure", Status::Pass);
    assert!(
        org.summary.contains("is the root organization"),
        "{}",
        org.summary
    );
    assert!(org.summary.contains("Payments BG"), "{}", org.summary);
    let envs = only(&report, "org.environments", Status::Pass);
    assert!(
        envs.summary.contains("Design, Sandbox, Production"),
        "{}",
        envs.summary
    );

    // An application created by a user is listed: the app sees more than its own.
    let view = at(
        &report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Pass,
    );
    assert!(view.inferred, "it comes from a probe");
    // The create probe's 400 is also what Application Creator gets: it proves
    // the capability, never Manage Client Applications itself.
    let manage = at(
        &report,
        "scope.manage-client-applications",
        "Example Corp",
        Status::Warn,
    );
    assert!(manage.inferred);
    assert!(
        manage.summary.starts_with("not proven")
            && manage
                .summary
                .contains("Application Creator or Manage Client Applications"),
        "{}",
        manage.summary
    );
    assert!(
        manage
            .remediation
            .as_deref()
            .is_some_and(|fix| fix.contains("ANYPOINT_ADMIN_BEARER")),
        "it says what would settle it: {:?}",
        manage.remediation
    );
    for id in [
        "scope.manage-contracts",
        "scope.api-manager-administrator",
        "scope.view-apis-configuration",
    ] {
        assert_eq!(
            targets(&report, id),
            ENV_NAMES,
            "{id} fans out per environment"
        );
        for env in ENV_NAMES {
            assert!(at(&report, id, env, Status::Pass).inferred, "{id} @ {env}");
        }
    }
    // No request tells these apart; without the granted scopes they are not verified.
    for id in ["scope.exchange-administrator", "scope.full-access"] {
        let outcome = only(&report, id, Status::Skip);
        assert!(
            outcome.summary.contains("not verified"),
            "{id}: {}",
            outcome.summary
        );
        assert!(outcome.blocked_by.is_none(), "{id}");
        assert!(!outcome.inferred, "{id}");
    }
    let background = only(&report, "scope.background-access", Status::Skip);
    assert!(
        background.summary.contains("not applicable"),
        "{}",
        background.summary
    );
    assert!(
        background
            .evidence
            .iter()
            .all(|e| e.url.contains("/scopes?")),
        "an inapplicable scope sends nothing but the shared read of the granted scopes"
    );

    let v1 = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert_eq!(v1.target.as_deref(), Some("Design"));
    only(&report, "deprecated.repository-v2-create", Status::Pass);
    let data = only(&report, "data.client-applications-empty", Status::Pass);
    assert!(
        data.summary.contains("1 client application"),
        "{}",
        data.summary
    );

    assert_eq!(
        (
            report.summary.pass,
            report.summary.warn,
            report.summary.fail,
            report.summary.skip,
            report.summary.error
        ),
        (21, 1, 0, 4, 0),
        "\n{}",
        dump(&report)
    );
    assert_eq!(report.target.org_id.as_deref(), Some(ROOT));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_eq!(report.target.environments.len(), 3);
    assert_eq!(
        report.target.client_id.as_deref(),
        Some("****t-id"),
        "client id is masked"
    );
}

// ---------------------------------------------------------------------------
// 2-3. The token
// ---------------------------------------------------------------------------

#[tokio::test]
async fn refused_token_sends_no_other_request_and_blocks_every_dependent() {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "POST",
            path::TOKEN,
            json(401, fixture("token-error-invalid-client.json")),
        )
        .expect_nothing_but("POST", path::TOKEN)
        .expect("POST", path::TOKEN, 1);
    let report = run_tenant(&tenant).await;

    let token = only(&report, "auth.token", Status::Fail);
    assert!(token.summary.contains("HTTP 401"), "{}", token.summary);
    assert!(
        token.summary.contains("Invalid client credentials"),
        "{}",
        token.summary
    );
    let fix = token
        .remediation
        .as_deref()
        .expect("a failed token says how to fix it");
    assert!(
        fix.contains("control plane") && fix.contains("--region"),
        "{fix}"
    );

    all_blocked_by(&report, "auth.token", &["auth.token"]);
    assert_eq!(
        ids_in_order(&report),
        registry_ids(),
        "every check has an outcome"
    );
    // Skipped: every check but the token and the network checks (net.tls skips plain http).
    assert_eq!(report.summary.skip, registry_ids().len() - 5);
    assert_eq!(
        report.next_steps.len(),
        1,
        "only the credentials step: {:?}",
        report.next_steps
    );
}

/// The token check said something is wrong with the credentials.
fn blames_credentials(outcome: &Outcome) -> bool {
    let summary = outcome.summary.to_lowercase();
    summary.contains("credential") || summary.contains("secret") || summary.contains("client id")
}

#[tokio::test]
async fn token_endpoint_503_is_an_error_not_a_credentials_failure() {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "POST",
            path::TOKEN,
            text(503, "text/plain", "Service Unavailable").header("x-anypnt-trx-id", "trx-503-abc"),
        )
        .expect_nothing_but("POST", path::TOKEN)
        // A token request creates nothing, so a 503 is retried, within bounds.
        .expect("POST", path::TOKEN, 4);
    let report = run_tenant(&tenant).await;

    let token = only(&report, "auth.token", Status::Error);
    assert!(token.summary.contains("503"), "{}", token.summary);
    assert!(
        token.summary.contains("after 4 attempts"),
        "{}",
        token.summary
    );
    assert_eq!(token.evidence[0].attempts, 4);
    assert!(!blames_credentials(token), "{}", token.summary);
    let fix = token.remediation.as_deref().unwrap_or_default();
    assert!(
        fix.contains("trx-503-abc"),
        "the fix names the transaction id: {fix}"
    );
    assert_eq!(token.evidence[0].trx_id.as_deref(), Some("trx-503-abc"));
    all_blocked_by(&report, "auth.token", &["auth.token"]);
}

#[tokio::test]
async fn unreachable_host_is_a_network_error_not_a_credentials_failure() {
    // A loopback port nobody listens on: bound, then released.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let report = run(Settings::client_credentials(url, CLIENT_ID, SECRET), plan()).await;

    let tcp = only(&report, "net.tcp", Status::Error);
    assert!(
        tcp.summary
            .contains(&format!("cannot open a TCP connection to 127.0.0.1:{port}")),
        "{}",
        tcp.summary
    );
    assert!(!blames_credentials(tcp), "{}", tcp.summary);
    let token = only(&report, "auth.token", Status::Skip);
    assert!(token.evidence.is_empty(), "no credential was sent");
    all_blocked_by(&report, "net.tcp", &["net.tcp"]);
}

// ---------------------------------------------------------------------------
// 4. Per-environment fan-out
// ---------------------------------------------------------------------------

#[tokio::test]
async fn manage_contracts_missing_in_production_only_fails_there() {
    let mut tenant = Tenant::healthy();
    tenant.set("POST", path::contracts_probe(ROOT, PRODUCTION), forbidden());
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 1);
    }
    let report = run_tenant(&tenant).await;

    assert_eq!(targets(&report, "scope.manage-contracts"), ENV_NAMES);
    for env in ["Design", "Sandbox"] {
        let pass = at(&report, "scope.manage-contracts", env, Status::Pass);
        assert!(pass.inferred && pass.remediation.is_none(), "{env}");
    }
    let production = at(
        &report,
        "scope.manage-contracts",
        "Production",
        Status::Fail,
    );
    assert!(production.inferred, "concluded from the probe");
    assert!(production.summary.contains("403"), "{}", production.summary);
    let fix = production.remediation.as_deref().expect("a fix");
    for needle in [
        "Manage Contracts",
        "manage:api_contracts",
        "\"Example Corp\"",
        "\"Production\"",
        "doctor-ci-app",
    ] {
        assert!(fix.contains(needle), "fix lacks {needle}: {fix}");
    }
    assert!(
        !fix.contains("Sandbox") && !fix.contains("Design"),
        "only Production needs it: {fix}"
    );
    let urls: Vec<&str> = production.evidence.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls.len(),
        3,
        "the read of the granted scopes, the API list, the Production probe: {urls:#?}"
    );
    assert!(
        urls[1].ends_with(&path::apis(ROOT, PRODUCTION)),
        "{urls:#?}"
    );
    assert!(
        urls[2].ends_with(&path::contracts_probe(ROOT, PRODUCTION)),
        "the probe is aimed at the instance Production lists: {urls:#?}"
    );
    assert_eq!(report.summary.fail, 1, "\n{}", dump(&report));
}

// ---------------------------------------------------------------------------
// 5. Exact grants (an admin token reads the app's scopes)
// ---------------------------------------------------------------------------

/// A run with an org admin's bearer token and the app's client id, the
/// app's granted scopes answered with `grants_body`. No probe may be sent.
async fn exact_grants_run(grants_body: String) -> Report {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set("GET", path::grants(APP_ID), ok(grants_body))
        .expect("GET", path::grants(APP_ID), 1)
        .expect("GET", path::grants(CLIENT_ID), 0)
        .expect("POST", path::exchange_apps(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 0);
    for env in ENVS {
        tenant
            .expect("POST", path::contracts_probe(ROOT, env), 0)
            .expect("POST", path::apis(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let settings = bearer_settings(&server, "admin-token", Some(APP_ID));
    let report = run(settings, selecting(&["scope"])).await;
    mounted.verify().await;
    report
}

#[track_caller]
fn assert_exact_manage_contracts(report: &Report) {
    let token = only(report, "auth.token", Status::Skip);
    assert!(
        token.summary.contains("ANYPOINT_BEARER"),
        "{}",
        token.summary
    );
    let identity = only(report, "auth.identity", Status::Pass);
    assert!(
        identity.summary.contains("ada-example"),
        "{}",
        identity.summary
    );

    assert_eq!(targets(report, "scope.manage-contracts"), ENV_NAMES);
    let sandbox = at(report, "scope.manage-contracts", "Sandbox", Status::Pass);
    assert!(!sandbox.inferred, "read from the granted scopes");
    assert!(
        sandbox.summary.starts_with("granted"),
        "{}",
        sandbox.summary
    );
    for env in ["Design", "Production"] {
        let missing = at(report, "scope.manage-contracts", env, Status::Fail);
        assert!(!missing.inferred, "{env}");
        assert!(
            missing.summary.contains(
                "granted only as manage:api_contracts for \"Example Corp\" / \"Sandbox\""
            ),
            "{env}: {}",
            missing.summary
        );
        let fix = missing.remediation.as_deref().expect("a fix");
        assert!(fix.contains(&format!("environment \"{env}\"")), "{fix}");
    }
    let view = at(
        report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Pass,
    );
    assert!(!view.inferred);
    let manage = at(
        report,
        "scope.manage-client-applications",
        "Example Corp",
        Status::Fail,
    );
    assert!(manage.summary.contains("not granted"), "{}", manage.summary);
    let fix = manage.remediation.as_deref().expect("a fix");
    assert!(
        fix.contains("Manage Client Applications")
            && fix.contains("the root organization \"Example Corp\""),
        "{fix}"
    );
    // Without a probe, the granted scopes still decide these.
    only(report, "scope.exchange-administrator", Status::Fail);
    only(report, "scope.full-access", Status::Warn);
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert!(
            !o.inferred,
            "{} must not be inferred with readable grants",
            o.id
        );
    }
}

#[tokio::test]
async fn readable_grants_decide_exactly_without_probes() {
    let report = exact_grants_run(fixture("connected-app-scopes-list.json")).await;
    assert_exact_manage_contracts(&report);
}

#[tokio::test]
async fn readable_grants_under_the_scopes_key_decide_the_same() {
    let mut list: serde_json::Value =
        serde_json::from_str(&fixture("connected-app-scopes-list.json")).unwrap();
    let object = list.as_object_mut().unwrap();
    let data = object.remove("data").unwrap();
    object.insert("scopes".into(), data);
    let report = exact_grants_run(list.to_string()).await;
    assert_exact_manage_contracts(&report);
}

#[tokio::test]
async fn background_access_is_not_required_when_an_admin_reads_a_connected_apps_grants() {
    let report = exact_grants_run(fixture("connected-app-scopes-list.json")).await;
    let background = only(&report, "scope.background-access", Status::Skip);
    assert!(
        background.summary.contains("not applicable"),
        "{}",
        background.summary
    );
}

// ---------------------------------------------------------------------------
// 6. The empty client application list
// ---------------------------------------------------------------------------

/// The healthy tenant with an empty client application list (everything else
/// empty too), running only the data check and what it requires.
fn empty_list_tenant() -> Tenant {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list-empty.json")),
        )
        .set("GET", path::exchange_apps(ROOT), ok("[]"))
        .expect("GET", path::client_apps(ROOT), 1)
        .expect("GET", path::exchange_apps(ROOT), 1);
    for env in ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 1);
    }
    tenant
}

async fn run_data_check(tenant: &Tenant) -> Report {
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(settings(&server), selecting(&["data"])).await;
    mounted.verify().await;
    assert_eq!(
        ids_in_order(&report),
        [BASE_CHECKS.as_slice(), &["data.client-applications-empty"]].concat()
    );
    report
}

/// What every check of an org or its environments requires, in run order
/// (net.clock is required by none).
const BASE_CHECKS: [&str; 8] = [
    "net.proxy",
    "net.dns",
    "net.tcp",
    "net.tls",
    "auth.token",
    "auth.identity",
    "org.structure",
    "org.environments",
];

const EMPTY_LIST: &str = "data.client-applications-empty";

#[tokio::test]
async fn empty_list_fails_when_the_exchange_list_shows_applications() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::exchange_apps(ROOT),
        ok(fixture("exchange-applications-list.json")),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Fail);
    assert!(
        outcome.summary.contains("applications exist"),
        "{}",
        outcome.summary
    );
    assert!(outcome.summary.contains("lists 2"), "{}", outcome.summary);
    assert!(
        outcome
            .remediation
            .as_deref()
            .unwrap_or_default()
            .contains("View Client Applications")
    );
}

#[tokio::test]
async fn empty_list_fails_when_api_instances_have_active_contracts() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::apis(ROOT, SANDBOX),
        ok(fixture("apimanager-apis-list.json")),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Fail);
    assert!(
        outcome
            .summary
            .contains("\"Sandbox\" have 1 active contract"),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn empty_list_warns_inferred_when_nothing_contradicts_but_grants_are_unreadable() {
    let report = run_data_check(&empty_list_tenant()).await;

    let outcome = only(&report, EMPTY_LIST, Status::Warn);
    assert!(outcome.inferred);
    assert!(
        outcome.summary.contains("cannot be read"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.contains("\"Production\""),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn empty_list_passes_when_the_view_scope_is_granted_in_the_root_org() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::grants(CLIENT_ID),
        grants(&[
            ("profile", None, None),
            ("read:org_client_applications", Some(ROOT), None),
        ]),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Pass);
    assert!(!outcome.inferred);
    assert!(
        outcome.summary.contains("believable"),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn empty_list_fails_when_the_view_scope_is_granted_only_in_a_business_group() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::grants(CLIENT_ID),
        grants(&[("read:org_client_applications", Some(BG), None)]),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Fail);
    assert!(
        outcome
            .summary
            .contains("not granted in the root organization"),
        "{}",
        outcome.summary
    );
}

// ---------------------------------------------------------------------------
// 7-8. Business groups, --org and --env
// ---------------------------------------------------------------------------

/// Client application routes in the business group: the doctor must never call them.
fn forbid_business_group_client_app_paths(tenant: &mut Tenant) {
    tenant
        .expect("POST", path::exchange_apps(BG), 0)
        .expect("GET", path::exchange_apps(BG), 0)
        .expect("GET", path::client_apps(BG), 0)
        .expect("POST", path::repository_create(BG), 0);
}

#[tokio::test]
async fn app_in_a_business_group_probes_client_applications_in_the_root_org() {
    let mut tenant = Tenant::new(BG, BG);
    tenant
        .expect("GET", path::org(BG), 1)
        .expect("GET", path::org(ROOT), 1)
        .expect("GET", path::environments(BG), 1)
        .expect("POST", path::exchange_apps(ROOT), 1)
        .expect("GET", path::client_apps(ROOT), 1)
        .expect("POST", path::repository_create(ROOT), 1);
    forbid_business_group_client_app_paths(&mut tenant);
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(BG, env), 1);
    }
    let report = run_tenant(&tenant).await;

    let org = only(&report, "org.structure", Status::Pass);
    assert!(
        org.summary.contains("\"Payments BG\"")
            && org
                .summary
                .contains("is a business group of root \"Example Corp\""),
        "{}",
        org.summary
    );
    assert_eq!(report.target.org_id.as_deref(), Some(BG));
    assert_eq!(report.target.org_name.as_deref(), Some("Payments BG"));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    // Root-org scopes are about the root; org and environment scopes about the business group.
    // The create probe proves only the capability: Application Creator allows it too.
    at(
        &report,
        "scope.manage-client-applications",
        "Example Corp",
        Status::Warn,
    );
    at(
        &report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Pass,
    );
    assert_eq!(
        outcomes(&report, "scope.exchange-administrator")[0]
            .target
            .as_deref(),
        Some("Payments BG")
    );
    let production = at(
        &report,
        "scope.manage-contracts",
        "Production",
        Status::Pass,
    );
    assert!(
        production
            .evidence
            .last()
            .is_some_and(|e| e.url.ends_with(&path::contracts_probe(BG, PRODUCTION))),
        "environment probes go to the business group: {:?}",
        production.evidence
    );
    only(&report, EMPTY_LIST, Status::Pass);
}

#[tokio::test]
async fn org_flag_resolves_a_business_group_by_name() {
    let mut tenant = Tenant::new(ROOT, BG);
    tenant
        .expect("GET", path::environments(BG), 1)
        .expect("GET", path::environments(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 1);
    forbid_business_group_client_app_paths(&mut tenant);
    for env in ENVS {
        tenant
            .expect("POST", path::contracts_probe(BG, env), 1)
            .expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.org = Some(Sourced {
        value: "payments bg".into(),
        source: Source::Flag("--org"),
    });
    let report = run(settings, plan()).await;
    mounted.verify().await;

    let org = only(&report, "org.structure", Status::Pass);
    assert!(
        org.summary.contains("is a business group"),
        "{}",
        org.summary
    );
    assert_eq!(report.target.org_id.as_deref(), Some(BG));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_eq!(
        report.summary.fail + report.summary.error,
        0,
        "\n{}",
        dump(&report)
    );
}

#[tokio::test]
async fn unknown_org_name_is_a_configuration_error_naming_the_setting() {
    let mut tenant = Tenant::healthy();
    tenant.expect("GET", path::environments(ROOT), 0);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.org = Some(Sourced {
        value: "Nope BG".into(),
        source: Source::Flag("--org"),
    });
    let err = diagnose(settings, &plan())
        .await
        .expect_err("an unknown org is a usage error");
    mounted.verify().await;

    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(err.exit_status(), anypoint_doctor::ExitStatus::Usage);
    let message = err.to_string();
    for needle in [
        "\"Nope BG\"",
        "--org",
        "\"Example Corp\"",
        "\"Payments BG\"",
    ] {
        assert!(
            message.contains(needle),
            "message lacks {needle}: {message}"
        );
    }
}

#[tokio::test]
async fn unknown_env_name_is_a_configuration_error_naming_the_setting() {
    let mut tenant = Tenant::healthy();
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.envs = Some(Sourced {
        value: vec!["Sandbox".into(), "Staging".into()],
        source: Source::Env("ANYPOINT_ENV"),
    });
    let err = diagnose(settings, &plan())
        .await
        .expect_err("an unknown env is a usage error");
    mounted.verify().await;

    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let message = err.to_string();
    for needle in [
        "\"Staging\"",
        "ANYPOINT_ENV",
        "\"Example Corp\"",
        "Design, Sandbox, Production",
    ] {
        assert!(
            message.contains(needle),
            "message lacks {needle}: {message}"
        );
    }
}

#[tokio::test]
async fn env_names_select_environments_ignoring_case() {
    let mut tenant = Tenant::healthy();
    tenant
        .expect("POST", path::contracts_probe(ROOT, DESIGN), 0)
        .expect("POST", path::contracts_probe(ROOT, SANDBOX), 1)
        .expect("POST", path::contracts_probe(ROOT, PRODUCTION), 1);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.envs = Some(Sourced {
        value: vec!["production".into(), "Sandbox".into()],
        source: Source::Flag("--env"),
    });
    let report = run(settings, plan()).await;
    mounted.verify().await;

    let selected: BTreeSet<&str> = targets(&report, "scope.manage-contracts")
        .into_iter()
        .collect();
    assert_eq!(selected, BTreeSet::from(["Production", "Sandbox"]));
    let envs: BTreeSet<&str> = report
        .target
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(envs, BTreeSet::from(["Production", "Sandbox"]));
}

// ---------------------------------------------------------------------------
// 9. Malformed answers
// ---------------------------------------------------------------------------

/// Runs every check with /accounts/api/me answering `reply`: the identity
/// check is an error (returned), the token still passed, and every other
/// check has a skip outcome blamed on the identity.
async fn identity_error_for(reply: Reply) -> Outcome {
    let mut tenant = Tenant::healthy();
    tenant
        .set("GET", path::ME, reply)
        .expect_nothing_but("GET", path::ME)
        .expect("GET", path::ME, 1)
        .expect("POST", path::TOKEN, 1);
    let report = run_tenant(&tenant).await;

    only(&report, "auth.token", Status::Pass);
    let identity = only(&report, "auth.identity", Status::Error).clone();
    assert!(
        identity.evidence[0].url.ends_with(path::ME),
        "{:?}",
        identity.evidence
    );
    assert!(
        identity.remediation.is_some(),
        "an error says what to look at"
    );
    assert_eq!(identity.evidence.len(), 1);
    all_blocked_by(&report, "auth.identity", &["auth.token", "auth.identity"]);
    assert_eq!(
        ids_in_order(&report),
        registry_ids(),
        "the run went on to the end"
    );
    identity
}

#[track_caller]
fn assert_mentions(outcome: &Outcome, needles: &[&str]) {
    for needle in needles {
        assert!(
            outcome.summary.contains(needle),
            "summary lacks {needle:?}: {}",
            outcome.summary
        );
    }
}

#[tokio::test]
async fn identity_answered_with_html_is_an_error() {
    let outcome = identity_error_for(text(
        200,
        "text/html",
        "<html><body><h1>Corporate proxy login</h1></body></html>",
    ))
    .await;
    assert_mentions(
        &outcome,
        &["HTTP 200", "HTML page", "Corporate proxy login"],
    );
}

#[tokio::test]
async fn identity_answered_with_truncated_json_is_an_error() {
    let outcome = identity_error_for(ok(r#"{"client": {"client_id": "client-id", "org_"#)).await;
    assert_mentions(&outcome, &["HTTP 200", "truncated JSON", "client_id"]);
}

#[tokio::test]
async fn identity_answered_with_wrong_types_is_an_error() {
    let outcome = identity_error_for(ok(r#"{"client": {"client_id": 42, "org_id": true}}"#)).await;
    assert_mentions(&outcome, &["HTTP 200", "unexpected shape"]);
}

#[tokio::test]
async fn identity_answered_with_an_empty_body_is_an_error() {
    let outcome = identity_error_for(ok("")).await;
    assert_mentions(&outcome, &["HTTP 200", "empty body"]);
}

#[tokio::test]
async fn identity_answered_with_neither_client_nor_user_is_an_error() {
    let outcome = identity_error_for(ok(r#"{"profile": {}}"#)).await;
    assert_mentions(&outcome, &["neither a `client` nor a `user`"]);
}

#[tokio::test]
async fn identity_answered_with_an_unexpected_status_is_an_error() {
    let outcome = identity_error_for(json(418, r#"{"message":"I'm a teapot"}"#)).await;
    assert_mentions(&outcome, &["HTTP 418", "I'm a teapot"]);
}

#[tokio::test]
async fn malformed_environment_list_stops_only_the_checks_that_need_it() {
    let mut tenant = Tenant::healthy();
    tenant.set(
        "GET",
        path::environments(ROOT),
        text(200, "text/html", "<html>maintenance</html>"),
    );
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let report = run_tenant(&tenant).await;

    let envs = only(&report, "org.environments", Status::Error);
    assert!(envs.summary.contains("HTML page"), "{}", envs.summary);
    for id in [
        "scope.manage-contracts",
        "scope.api-manager-administrator",
        "deprecated.exchange-v1-apis",
        EMPTY_LIST,
    ] {
        let skipped = only(&report, id, Status::Skip);
        assert_eq!(
            skipped.blocked_by.as_deref(),
            Some("org.environments"),
            "{id}"
        );
    }
    // Checks that need only the org still ran.
    // The create probe proves only the capability: Application Creator allows it too.
    at(
        &report,
        "scope.manage-client-applications",
        "Example Corp",
        Status::Warn,
    );
    at(
        &report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Pass,
    );
    only(&report, "deprecated.repository-v2-create", Status::Pass);
    only(&report, "scope.background-access", Status::Skip);
}

// ---------------------------------------------------------------------------
// 10-11. Retired endpoints and rate limits
// ---------------------------------------------------------------------------

#[tokio::test]
async fn retired_exchange_v1_path_is_explained_as_retired() {
    let mut tenant = Tenant::healthy();
    tenant
        .expect("GET", path::exchange_v1_apis(ROOT, DESIGN), 1)
        .expect("GET", path::apis(ROOT, DESIGN), 1);
    let report = run_tenant(&tenant).await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert!(
        outcome.summary.contains("retired") && outcome.summary.contains("404"),
        "{}",
        outcome.summary
    );
    assert!(
        outcome.summary.contains("works"),
        "the replacement works: {}",
        outcome.summary
    );
    let statuses: Vec<Option<u16>> = outcome.evidence.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(404), Some(200)]);
}

#[tokio::test]
async fn exchange_v1_path_still_answering_is_called_deprecated() {
    let mut tenant = Tenant::healthy();
    tenant.set("GET", path::exchange_v1_apis(ROOT, DESIGN), ok("[]"));
    let report = run_tenant(&tenant).await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert!(
        outcome.summary.contains("still answers") && outcome.summary.contains("deprecated"),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn retired_path_is_recognised_below_a_base_path() {
    let mut tenant = Tenant::healthy();
    for route in &mut tenant.routes {
        route.path = format!("/anypoint{}", route.path);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let url = Url::parse(&format!("{}/anypoint", server.url())).unwrap();
    let report = run(Settings::client_credentials(url, CLIENT_ID, SECRET), plan()).await;
    mounted.verify().await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert!(
        outcome.summary.contains("retired") && outcome.summary.contains("404"),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn rate_limited_probe_is_an_error_not_a_missing_scope() {
    let rate_limited = || {
        json(429, r#"{"message":"Too Many Requests"}"#)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1767225600")
    };
    let mut tenant = Tenant::healthy();
    tenant
        .set("POST", path::contracts_probe(ROOT, SANDBOX), rate_limited())
        .set("GET", path::client_apps(ROOT), rate_limited());
    let report = run_tenant(&tenant).await;

    for (id, target) in [
        ("scope.manage-contracts", "Sandbox"),
        ("scope.view-client-applications", "Example Corp"),
    ] {
        let outcome = at(&report, id, target, Status::Error);
        assert!(
            outcome.summary.contains("rate-limited (HTTP 429")
                && outcome.summary.contains("says nothing about scopes"),
            "{id}: {}",
            outcome.summary
        );
        assert!(
            !outcome.summary.contains("missing"),
            "{id}: {}",
            outcome.summary
        );
        assert!(!outcome.inferred, "{id}: nothing was concluded");
        let fix = outcome.remediation.as_deref().unwrap_or_default();
        assert!(fix.contains("--concurrency"), "{id}: {fix}");
    }
    at(&report, "scope.manage-contracts", "Design", Status::Pass);
    at(
        &report,
        "scope.manage-contracts",
        "Production",
        Status::Pass,
    );
    assert_eq!(
        report.summary.fail,
        0,
        "a rate limit is never a failure\n{}",
        dump(&report)
    );
}

// ---------------------------------------------------------------------------
// 12. Secrets
// ---------------------------------------------------------------------------

const ISSUED_TOKEN: &str = "tok-SECRET-123";

/// Every rendering of the report, verbose where there is a choice.
fn renderings(report: &Report) -> [(&'static str, String); 3] {
    [
        ("json", json::render(report)),
        ("markdown", markdown::render(report)),
        (
            "table",
            table::render(
                report,
                TableOptions {
                    color: false,
                    width: Some(240),
                    verbose: true,
                },
            ),
        ),
    ]
}

#[track_caller]
fn assert_no_secret(report: &Report, secrets: &[&str]) {
    for (format, output) in renderings(report) {
        for secret in secrets {
            // The JSON renderer escapes what it prints: look for every form.
            let escaped = serde_json::to_string(secret).unwrap();
            let escaped = escaped.trim_matches('"');
            for form in [*secret, escaped, &escaped.replace('/', "\\/")] {
                assert!(
                    !output.contains(form),
                    "{format} output shows {form:?}:\n{output}"
                );
            }
        }
    }
}

#[tokio::test]
async fn secrets_echoed_by_the_platform_never_reach_any_rendering() {
    let echo = format!("client_secret={SECRET} token={ISSUED_TOKEN}");
    let mut tenant = Tenant::healthy();
    tenant
        .issue_token(ISSUED_TOKEN)
        .set(
            "GET",
            path::grants(CLIENT_ID),
            json(403, format!(r#"{{"message":"{echo}"}}"#)),
        )
        .set(
            "POST",
            path::contracts_probe(ROOT, PRODUCTION),
            json(403, format!(r#"{{"message":"forbidden for {echo}"}}"#)),
        )
        .set(
            "POST",
            path::apis(ROOT, SANDBOX),
            text(500, "text/plain", format!("internal error {echo}")),
        )
        .set(
            "GET",
            path::exchange_v1_apis(ROOT, DESIGN),
            text(418, "text/plain", format!("teapot {echo}")),
        )
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list-empty.json")),
        )
        .set(
            "GET",
            path::exchange_apps(ROOT),
            json(
                502,
                format!(r#"{{"error":"bad gateway","error_description":"{echo}"}}"#),
            ),
        );
    let report = run_tenant(&tenant).await;

    // The echoes did reach the report, masked.
    let production = at(
        &report,
        "scope.manage-contracts",
        "Production",
        Status::Fail,
    );
    assert!(
        production.summary.contains("client_secret=**** token=****"),
        "{}",
        production.summary
    );
    let sandbox = at(
        &report,
        "scope.api-manager-administrator",
        "Sandbox",
        Status::Error,
    );
    assert!(
        sandbox.summary.contains("client_secret=****"),
        "{}",
        sandbox.summary
    );
    let retired = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert!(
        retired.summary.contains("teapot client_secret=****"),
        "{}",
        retired.summary
    );
    let data = only(&report, EMPTY_LIST, Status::Warn);
    assert!(data.summary.contains("token=****"), "{}", data.summary);

    assert_no_secret(&report, &[SECRET, ISSUED_TOKEN]);
}

#[tokio::test]
async fn a_secret_with_json_special_characters_is_masked_in_every_escaping() {
    let secret = r#"p@ss"w\rd/42"#;
    let in_json = serde_json::to_string(secret).unwrap();
    let mut tenant = Tenant::healthy();
    tenant
        .accept_secret(secret)
        .set(
            "POST",
            path::contracts_probe(ROOT, PRODUCTION),
            json(
                403,
                serde_json::json!({"message": format!("no for {secret}")}).to_string(),
            ),
        )
        .set(
            "POST",
            path::apis(ROOT, SANDBOX),
            text(
                500,
                "text/plain",
                format!("raw {secret} and escaped {in_json}"),
            )
            .header(
                "x-anypnt-trx-id",
                &format!("trx-{}", in_json.trim_matches('"')),
            ),
        )
        .expect("POST", path::TOKEN, 1);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let settings = Settings::client_credentials(base_url(&server), CLIENT_ID, secret);
    let report = run(settings, plan()).await;
    mounted.verify().await;

    only(&report, "auth.token", Status::Pass);
    let production = at(
        &report,
        "scope.manage-contracts",
        "Production",
        Status::Fail,
    );
    assert!(
        production.summary.contains("no for ****"),
        "{}",
        production.summary
    );
    let sandbox = at(
        &report,
        "scope.api-manager-administrator",
        "Sandbox",
        Status::Error,
    );
    assert!(sandbox.summary.contains("raw ****"), "{}", sandbox.summary);
    assert_no_secret(&report, &[secret, TOKEN]);
}

#[tokio::test]
async fn a_bearer_token_echoed_by_the_platform_never_reaches_any_rendering() {
    let mut tenant = Tenant::healthy();
    tenant.accept_bearer(ISSUED_TOKEN).set(
        "GET",
        path::ME,
        json(
            500,
            format!(r#"{{"message":"session {ISSUED_TOKEN} broke"}}"#),
        ),
    );
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(bearer_settings(&server, ISSUED_TOKEN, None), plan()).await;
    mounted.verify().await;

    let identity = only(&report, "auth.identity", Status::Error);
    assert!(
        identity.summary.contains("session **** broke"),
        "{}",
        identity.summary
    );
    assert_no_secret(&report, &[ISSUED_TOKEN]);
}

// ---------------------------------------------------------------------------
// 13. Concurrency and order
// ---------------------------------------------------------------------------

#[tokio::test]
async fn independent_checks_run_concurrently_and_report_in_registry_order() {
    // org.environments and scope.view-client-applications both need only
    // org.structure: each answer is held until the other request arrives.
    let rendezvous = Rendezvous::new(2);
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "GET",
            path::environments(ROOT),
            ok(fixture("accounts-environments-list.json")).held_by(&rendezvous),
        )
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list.json")).held_by(&rendezvous),
        );
    let report = run_tenant(&tenant).await;

    assert!(
        rendezvous.met(),
        "the two requests were not in flight together"
    );
    assert_eq!(ids_in_order(&report), registry_ids(), "\n{}", dump(&report));
    for id in ["scope.manage-contracts", "scope.api-manager-administrator"] {
        assert_eq!(
            targets(&report, id),
            ENV_NAMES,
            "{id}: environments in the org's order"
        );
    }
    assert_eq!(
        report.summary.fail + report.summary.error,
        0,
        "\n{}",
        dump(&report)
    );
}

// ---------------------------------------------------------------------------
// 14. --read-only
// ---------------------------------------------------------------------------

#[track_caller]
fn assert_write_probes_skipped(report: &Report) {
    at(
        report,
        "scope.manage-client-applications",
        "Example Corp",
        Status::Skip,
    );
    for id in ["scope.manage-contracts", "scope.api-manager-administrator"] {
        for env in ENV_NAMES {
            let outcome = at(report, id, env, Status::Skip);
            assert!(
                outcome.summary.contains("--read-only"),
                "{id}: {}",
                outcome.summary
            );
        }
    }
    let create = only(report, "deprecated.repository-v2-create", Status::Skip);
    assert!(create.summary.contains("--read-only"), "{}", create.summary);
    // Reads still run.
    at(
        report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Pass,
    );
    only(report, "deprecated.exchange-v1-apis", Status::Pass);
    only(report, EMPTY_LIST, Status::Pass);
}

/// Every POST route of the tenant but the token must not be hit.
fn forbid_posts(tenant: &mut Tenant) {
    for route in tenant
        .routes
        .iter_mut()
        .filter(|r| r.method == "POST" && r.path != path::TOKEN)
    {
        route.expect = Some(0);
    }
}

#[tokio::test]
async fn read_only_sends_no_write_probe() {
    let mut tenant = Tenant::healthy();
    forbid_posts(&mut tenant);
    tenant.expect("POST", path::TOKEN, 1);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        settings(&server),
        RunOptions {
            read_only: true,
            ..plan()
        },
    )
    .await;
    mounted.verify().await;

    only(&report, "auth.token", Status::Pass);
    assert_write_probes_skipped(&report);
}

#[tokio::test]
async fn read_only_with_a_bearer_token_sends_no_post_at_all() {
    let mut tenant = Tenant::healthy();
    forbid_posts(&mut tenant);
    tenant.accept_bearer("ready-token");
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let settings = bearer_settings(&server, "ready-token", None);
    let report = run(
        settings,
        RunOptions {
            read_only: true,
            ..plan()
        },
    )
    .await;
    mounted.verify().await;

    only(&report, "auth.token", Status::Skip);
    only(&report, "auth.identity", Status::Pass);
    assert_write_probes_skipped(&report);
    let posts: Vec<_> = report
        .checks
        .iter()
        .flat_map(|o| &o.evidence)
        .filter(|e| e.method != "GET")
        .collect();
    assert!(posts.is_empty(), "{posts:?}");
}

// ---------------------------------------------------------------------------
// 12. Verdicts that hold on the real platform
// ---------------------------------------------------------------------------

/// A client application list whose every item was created by the app itself.
fn own_applications_only() -> Reply {
    ok(serde_json::json!({"applications": [{
        "id": 5000001, "name": "made-by-the-app", "clientId": "c0ffee",
        "owners": [{"id": CLIENT_ID, "organizationId": ROOT, "entityType": "client"}]
    }], "total": 1})
    .to_string())
}

/// The outcomes that pass and name a scope the app may not hold.
fn passes_of<'a>(report: &'a Report, ids: &[&str]) -> Vec<&'a Outcome> {
    report
        .checks
        .iter()
        .filter(|o| ids.contains(&o.id.as_str()) && o.status == Status::Pass)
        .collect()
}

#[tokio::test]
async fn an_application_creator_list_proves_nothing_and_contracts_show_it_is_partial() {
    let mut tenant = Tenant::healthy();
    tenant
        .set("GET", path::client_apps(ROOT), own_applications_only())
        .set("GET", path::exchange_apps(ROOT), ok("[]"))
        .set("GET", path::apis(ROOT, SANDBOX), api_list(SANDBOX, 1))
        .set(
            "GET",
            path::contracts(ROOT, SANDBOX, api_id(SANDBOX)),
            ok(r#"{"total": 1, "contracts": [{"id": 6273842, "status": "APPROVED", "applicationId": 2349040}]}"#),
        );
    let report = run_tenant(&tenant).await;

    assert_eq!(
        passes_of(
            &report,
            &[
                "scope.manage-client-applications",
                "scope.view-client-applications"
            ]
        )
        .len(),
        0,
        "\n{}",
        dump(&report)
    );
    let view = at(
        &report,
        "scope.view-client-applications",
        "Example Corp",
        Status::Warn,
    );
    assert!(
        view.summary.contains("created by this app")
            && view.summary.contains("Application Creator"),
        "{}",
        view.summary
    );
    let data = only(&report, EMPTY_LIST, Status::Fail);
    assert!(
        data.summary.contains("partial") && data.summary.contains("2349040"),
        "{}",
        data.summary
    );
    let fix = data.remediation.as_deref().unwrap_or_default();
    assert!(fix.contains("View Client Applications"), "{fix}");
}

/// The grants of the exact-mode tests, answered `page` at a time, every page
/// saying the total: the doctor must follow `offset` until it has them all.
fn paged_grants(
    tenant: &mut Tenant,
    client_id: &str,
    grants: &[(&str, Option<&str>, Option<&str>)],
    page: usize,
) {
    let base = format!("/accounts/api/connectedApplications/{client_id}/scopes");
    let mut offset = 0;
    while offset < grants.len() {
        let chunk: Vec<serde_json::Value> = grants[offset..(offset + page).min(grants.len())]
            .iter()
            .map(|(scope, org, env)| {
                let mut params = serde_json::Map::new();
                if let Some(org) = org {
                    params.insert("org".into(), (*org).into());
                }
                if let Some(env) = env {
                    params.insert("envId".into(), (*env).into());
                }
                serde_json::json!({"scope": scope, "context_params": params})
            })
            .collect();
        let path = format!("{base}?offset={offset}&limit=500");
        tenant
            .set(
                "GET",
                path.clone(),
                ok(serde_json::json!({"data": chunk, "total": grants.len()}).to_string()),
            )
            .expect("GET", path, 1);
        offset += page;
    }
}

#[tokio::test]
async fn exact_mode_reads_every_page_applies_implications_and_sends_no_write() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")));
    let grants = [
        ("profile", None, None),
        ("read:org_client_applications", Some(ROOT), None),
        ("manage:org_client_applications", Some(ROOT), None),
        ("manage:apis", Some(ROOT), Some(DESIGN)),
        ("manage:apis", Some(ROOT), Some(SANDBOX)),
        ("manage:exchange", Some(ROOT), None),
        ("full", None, None),
        // The last page: Production's only through an implication as well.
        ("manage:apis", Some(ROOT), Some(PRODUCTION)),
    ];
    paged_grants(&mut tenant, APP_ID, &grants, 3);
    // The admin's list of what exists: every application, with targetAdminSite.
    tenant.set(
        "GET",
        format!("{}&targetAdminSite=true", path::client_apps(ROOT)),
        ok(fixture("apiplatform-applications-list.json")),
    );
    forbid_posts(&mut tenant);
    for env in ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        bearer_settings(&server, "admin-token", Some(APP_ID)),
        plan(),
    )
    .await;
    mounted.verify().await;

    for env in ENV_NAMES {
        let contracts = at(&report, "scope.manage-contracts", env, Status::Pass);
        assert!(
            contracts
                .summary
                .contains("through API Manager Environment Administrator (manage:apis)"),
            "{env}: {}",
            contracts.summary
        );
        assert!(!contracts.inferred);
        at(&report, "scope.view-apis-configuration", env, Status::Pass);
        at(
            &report,
            "scope.api-manager-administrator",
            env,
            Status::Pass,
        );
    }
    assert_eq!(report.summary.fail, 0, "\n{}", dump(&report));
    assert_eq!(report.summary.error, 0, "\n{}", dump(&report));
    assert!(
        report
            .checks
            .iter()
            .flat_map(|o| &o.evidence)
            .all(|e| e.method == "GET"),
        "an exact run sends no write"
    );
    only(&report, "deprecated.repository-v2-create", Status::Skip);
    only(&report, EMPTY_LIST, Status::Pass);
}

#[tokio::test]
async fn exact_mode_with_unreadable_grants_says_so_and_never_probes_with_the_admin_token() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set("GET", path::grants(APP_ID), forbidden())
        .set("GET", path::org_grants(ROOT, APP_ID), forbidden())
        // The org-scoped path is tried once the short one is refused.
        .expect("GET", path::org_grants(ROOT, APP_ID), 1)
        .expect("GET", path::client_apps(ROOT), 0);
    forbid_posts(&mut tenant);
    for env in ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        bearer_settings(&server, "admin-token", Some(APP_ID)),
        selecting(&["scope"]),
    )
    .await;
    mounted.verify().await;

    for outcome in report
        .checks
        .iter()
        .filter(|o| o.id.starts_with("scope.") && o.id != "scope.background-access")
    {
        assert_eq!(
            outcome.status,
            Status::Error,
            "{}\n{}",
            outcome.id,
            dump(&report)
        );
        assert!(
            outcome.summary.contains("could not be read") && !outcome.inferred,
            "{}: {}",
            outcome.id,
            outcome.summary
        );
    }
}

#[tokio::test]
async fn an_html_page_answered_with_200_passes_nothing() {
    let login_page = || {
        text(
            200,
            "text/html; charset=utf-8",
            "<html><head><title>Corporate SSO - Sign in</title></head><body>Sign in</body></html>",
        )
    };
    let mut tenant = Tenant::healthy();
    for env in ENVS {
        tenant.set("GET", path::apis(ROOT, env), login_page());
    }
    let report = run_tenant(&tenant).await;

    for env in ENV_NAMES {
        let view = at(&report, "scope.view-apis-configuration", env, Status::Error);
        assert!(view.summary.contains("HTML page"), "{}", view.summary);
        // No instance could be read from the page: the contract check could not check.
        let contracts = at(&report, "scope.manage-contracts", env, Status::Error);
        assert!(
            contracts.summary.contains("HTML page"),
            "{}",
            contracts.summary
        );
    }
    let passes = passes_of(
        &report,
        &[
            "scope.view-apis-configuration",
            "scope.manage-contracts",
            "deprecated.exchange-v1-apis",
        ],
    );
    assert!(passes.is_empty(), "\n{}", dump(&report));
}

#[tokio::test]
async fn a_404_from_the_contract_probe_is_inconclusive_not_authorised() {
    let mut tenant = Tenant::healthy();
    tenant.set(
        "POST",
        path::contracts_probe(ROOT, SANDBOX),
        json(404, fixture("apimanager-error-404.json")),
    );
    let report = run_tenant(&tenant).await;

    let sandbox = at(&report, "scope.manage-contracts", "Sandbox", Status::Warn);
    assert!(
        sandbox.summary.starts_with("inconclusive") && sandbox.summary.contains("404"),
        "{}",
        sandbox.summary
    );
    assert!(
        sandbox
            .remediation
            .as_deref()
            .is_some_and(|fix| fix.contains("ANYPOINT_ADMIN_BEARER")),
        "it says what would settle it"
    );
}

#[tokio::test]
async fn an_app_acting_on_behalf_of_a_user_is_told_to_change_its_type() {
    let mut tenant = Tenant::healthy();
    tenant.set(
        "POST",
        path::TOKEN,
        json(
            400,
            r#"{"error":"unauthorized_client","error_description":"The client is not authorized to use this grant type"}"#,
        ),
    );
    let report = run_tenant(&tenant).await;

    let token = only(&report, "auth.token", Status::Fail);
    assert!(
        token.summary.contains("client_credentials grant"),
        "{}",
        token.summary
    );
    let fix = token.remediation.as_deref().unwrap_or_default();
    assert!(
        fix.contains("App acts on its own behalf (client credentials)")
            && !fix.contains("reset the secret"),
        "{fix}"
    );
}

#[tokio::test]
async fn access_managements_empty_503_is_throttling_not_a_refusal() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "GET",
            path::environments(ROOT),
            text(503, "text/plain", "")
                .header("x-ratelimit-limit", "400")
                .header("x-ratelimit-remaining", "0")
                // A reset already due: the retries need not wait.
                .header("x-ratelimit-reset", &now.to_string()),
        )
        // Retried like a 429, within the attempts allowed.
        .expect("GET", path::environments(ROOT), 4);
    let report = run_tenant(&tenant).await;

    let envs = only(&report, "org.environments", Status::Error);
    assert!(
        envs.summary.contains("rate-limited") && envs.summary.contains("says nothing about scopes"),
        "{}",
        envs.summary
    );
    assert_eq!(envs.evidence[0].attempts, 4);
}

#[tokio::test]
async fn check_for_a_capability_runs_only_what_it_needs_and_names_the_unneeded_scopes() {
    let mut tenant = Tenant::healthy();
    tenant
        .expect("POST", path::contracts_probe(ROOT, PRODUCTION), 1)
        .expect("POST", path::contracts_probe(ROOT, SANDBOX), 0)
        .expect("POST", path::exchange_apps(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 0);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.envs = Some(Sourced {
        value: vec!["Production".into()],
        source: Source::Flag("--env"),
    });
    let report = run(
        settings,
        RunOptions {
            capabilities: vec!["create-contract".into()],
            ..plan()
        },
    )
    .await;
    mounted.verify().await;

    assert_eq!(
        ids_in_order(&report),
        [BASE_CHECKS.as_slice(), &["capability.create-contract"]].concat()
    );
    // API Manager allows the call; Exchange Viewer, which a contract needs
    // too, no request tells: not proven.
    let contract = at(
        &report,
        "capability.create-contract",
        "Production",
        Status::Warn,
    );
    assert!(
        contract.summary.starts_with("not proven")
            && contract.summary.contains("Exchange Viewer (read:exchange)"),
        "{}",
        contract.summary
    );
    let least = report
        .least_privilege
        .as_ref()
        .expect("a least-privilege note");
    let needed: Vec<&str> = least.needed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(needed, ["manage:api_contracts", "read:exchange"]);
    let not_needed: Vec<&str> = least.not_needed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        not_needed,
        [
            "manage:org_client_applications",
            "read:org_client_applications",
            "manage:exchange",
            "manage:apis",
            "full",
            "offline_access"
        ]
    );
    let table = table::render(
        &report,
        TableOptions {
            color: false,
            width: Some(120),
            verbose: false,
        },
    );
    assert!(
        table.contains(
            "Least privilege for create-contract: Manage Contracts (manage:api_contracts), Exchange Viewer (read:exchange)"
        ) && table.contains("does not need: Manage Client Applications, View Client Applications"),
        "{table}"
    );
}

#[tokio::test]
async fn exact_mode_tries_the_org_scoped_path_when_the_short_one_answers_401() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set(
            "GET",
            path::grants(APP_ID),
            json(401, r#"{"status":401,"message":"Unauthorized"}"#),
        )
        .set(
            "GET",
            path::org_grants(ROOT, APP_ID),
            grants(&[("manage:api_contracts_all_envs", Some(ROOT), None)]),
        )
        .expect("GET", path::org_grants(ROOT, APP_ID), 1);
    forbid_posts(&mut tenant);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        bearer_settings(&server, "admin-token", Some(APP_ID)),
        selecting(&["scope.manage-contracts"]),
    )
    .await;
    mounted.verify().await;
    for env in ENV_NAMES {
        let contracts = at(&report, "scope.manage-contracts", env, Status::Pass);
        assert!(
            contracts
                .summary
                .contains("Manage Contracts All Environments")
                && contracts.summary.contains("every environment"),
            "{}",
            contracts.summary
        );
    }
}

#[tokio::test]
async fn an_exact_run_fails_a_contract_capability_without_exchange_viewer() {
    let run_with = |grants_body: Reply| async move {
        let mut tenant = Tenant::healthy();
        tenant
            .accept_bearer("admin-token")
            .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
            .set("GET", path::grants(APP_ID), grants_body);
        forbid_posts(&mut tenant);
        let mut server = mockito::Server::new_async().await;
        let mounted = tenant.mount(&mut server).await;
        let report = run(
            bearer_settings(&server, "admin-token", Some(APP_ID)),
            RunOptions {
                capabilities: vec!["create-contract".into()],
                ..plan()
            },
        )
        .await;
        mounted.verify().await;
        report
    };
    let without = run_with(grants(&[(
        "manage:api_contracts",
        Some(ROOT),
        Some(PRODUCTION),
    )]))
    .await;
    let production = at(
        &without,
        "capability.create-contract",
        "Production",
        Status::Fail,
    );
    assert!(
        production
            .summary
            .contains("also needs Exchange Viewer (read:exchange)"),
        "{}",
        production.summary
    );
    let scope = production.missing_scope.as_ref().expect("the scope to add");
    assert_eq!(
        (scope.scope.as_str(), scope.env_name.as_deref()),
        ("read:exchange", None)
    );
    let with = run_with(grants(&[
        ("manage:api_contracts", Some(ROOT), Some(PRODUCTION)),
        ("read:exchange", Some(ROOT), None),
    ]))
    .await;
    at(
        &with,
        "capability.create-contract",
        "Production",
        Status::Pass,
    );
    at(&with, "capability.create-contract", "Sandbox", Status::Fail);
}

#[tokio::test]
async fn whose_token_it_is_decides_exact_mode_not_which_settings_were_given() {
    // A user's token with no client id: its permissions are not an app's.
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")));
    forbid_posts(&mut tenant);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        bearer_settings(&server, "admin-token", None),
        selecting(&["scope"]),
    )
    .await;
    mounted.verify().await;
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert_eq!(o.status, Status::Skip, "{}\n{}", o.id, dump(&report));
        assert!(
            o.summary.contains("the token is a user's") || o.id == "scope.background-access",
            "{}",
            o.summary
        );
    }

    // The app's own token, given as a bearer with its id (as CI often does):
    // an ordinary run, whose probes decide.
    let mut tenant = Tenant::healthy();
    tenant.accept_bearer(TOKEN);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let report = run(
        bearer_settings(&server, TOKEN, Some(CLIENT_ID)),
        selecting(&["scope.manage-contracts"]),
    )
    .await;
    mounted.verify().await;
    for env in ENV_NAMES {
        let contracts = at(&report, "scope.manage-contracts", env, Status::Pass);
        assert!(contracts.inferred, "{}", contracts.summary);
    }
}
