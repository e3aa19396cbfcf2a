//! The mock control plane of the `check` tests (mockito, loopback only): a
//! `Tenant` (the healthy one, with a few answers changed) mounted on a fresh
//! mock server that answers any request the tenant does not serve with 501
//! and records it, so a test fails when the doctor calls something it should
//! not; and the settings and plan that run `diagnose` against it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use anypoint_doctor::report::Report;
use anypoint_doctor::secret::Secret;
use anypoint_doctor::settings::{Credentials, Settings, Source, Sourced};
use anypoint_doctor::{RunOptions, diagnose};
use mockito::{Matcher, Mock, ServerGuard};
use url::Url;

use super::fs::fixture;

// The tiny tenant of tests/fixtures (see tests/fixtures/README.md).
pub const ROOT: &str = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
pub const BG: &str = "5d7e9f10-2a3b-4c5d-9e6f-708192a3b4c5";
pub const DESIGN: &str = "0badc0de-2222-4333-8444-999988887777";
pub const SANDBOX: &str = "c0ffee00-1111-4222-8333-444455556666";
pub const PRODUCTION: &str = "deadbeef-7777-4888-9999-aaaabbbbcccc";
pub const ENVS: [&str; 3] = [DESIGN, SANDBOX, PRODUCTION];
/// The environments API Manager manages: all but Design (reference §12.1),
/// so the tenant serves API Manager there only, and a call for Design shows.
pub const API_MANAGER_ENVS: [&str; 2] = [SANDBOX, PRODUCTION];

pub const CLIENT_ID: &str = "client-id";
pub const SECRET: &str = "the-secret";
pub const TOKEN: &str = "tok-issued";
/// The Connected App whose granted scopes an admin token reads.
pub const APP_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";

/// Platform paths, as the doctor must call them.
pub mod path {
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
    /// The Exchange asset of the instance `api_list` lists: its read proves Exchange Viewer.
    pub fn asset() -> String {
        format!("/exchange/api/v2/assets/{}/orders-api", super::ROOT)
    }
    pub fn exchange_v1_apis(org: &str, env: &str) -> String {
        format!("/exchange/api/v1/organizations/{org}/environments/{env}/apis")
    }
}

/// The API instance each environment lists by default.
pub fn api_id(env: &str) -> u64 {
    match env {
        DESIGN => 18972601,
        SANDBOX => 18972610,
        _ => 18972611,
    }
}

/// An API Manager list with one instance in `env` and `active` contracts.
pub fn api_list(env: &str, active: u64) -> Reply {
    ok(serde_json::json!({"total": 1, "assets": [{
        "id": 6123456, "assetId": "orders-api", "groupId": ROOT, "organizationId": ROOT,
        "apis": [{"id": api_id(env), "groupId": ROOT, "assetId": "orders-api", "assetVersion": "1.0.3",
                  "productVersion": "v1", "environmentId": env, "activeContractsCount": active}]
    }]})
    .to_string())
}

// ---------------------------------------------------------------------------
// The mock control plane
// ---------------------------------------------------------------------------

/// What one route answers.
#[derive(Clone)]
pub struct Reply {
    status: usize,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
    /// Hold the body back until every party of this rendezvous has been asked.
    rendezvous: Option<Arc<Rendezvous>>,
}

impl Reply {
    pub fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    pub fn held_by(mut self, rendezvous: &Arc<Rendezvous>) -> Reply {
        self.rendezvous = Some(Arc::clone(rendezvous));
        self
    }
}

pub fn text(status: usize, content_type: &'static str, body: impl Into<String>) -> Reply {
    Reply {
        status,
        content_type,
        body: body.into(),
        headers: Vec::new(),
        rendezvous: None,
    }
}

pub fn json(status: usize, body: impl Into<String>) -> Reply {
    text(status, "application/json; charset=utf-8", body)
}

pub fn ok(body: impl Into<String>) -> Reply {
    json(200, body)
}

pub fn forbidden() -> Reply {
    json(403, r#"{"status":403,"message":"Forbidden"}"#)
}

pub fn token_reply(token: &str) -> Reply {
    ok(
        serde_json::json!({"access_token": token, "token_type": "bearer", "expires_in": 3600})
            .to_string(),
    )
}

pub fn me_connected_app(org_id: &str) -> Reply {
    ok(serde_json::json!({
        "client": {"client_id": CLIENT_ID, "name": "doctor-ci-app", "org_id": org_id, "client_type": "control"}
    })
    .to_string())
}

pub fn business_group() -> Reply {
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
pub fn grants(entries: &[Grant]) -> Reply {
    grants_page(entries, entries.len())
}

/// One grant: its scope, and the org and environment it is granted in.
pub type Grant<'a> = (&'a str, Option<&'a str>, Option<&'a str>);

/// A page of a grants list of `total` entries.
pub fn grants_page(entries: &[Grant], total: usize) -> Reply {
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
    ok(serde_json::json!({"data": data, "total": total}).to_string())
}

/// Which API a request hits and what it answers.
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub reply: Reply,
    /// The request body must match this (else the request is unexpected).
    pub body: Option<Matcher>,
    /// The request must carry the tenant's bearer token (else it is unexpected).
    pub authorized: bool,
    /// Exactly this many hits, checked by `Mounted::verify`.
    pub expect: Option<usize>,
}

/// A tenant as the mock server plays it.
pub struct Tenant {
    /// The access token the token endpoint issues and every API requires.
    pub token: String,
    pub routes: Vec<Route>,
}

impl Tenant {
    /// A healthy Connected App of the root org "Example Corp", checked there.
    pub fn healthy() -> Tenant {
        Tenant::new(ROOT, ROOT)
    }

    /// A healthy Connected App owned by `app_org`, its scopes checked in
    /// `checked_org` (the org whose environments are listed and probed).
    /// Client applications always live in the root org. Answers, by default:
    /// granted scopes unreadable (403, as for any ordinary app), write probes
    /// refused as invalid (400), a non-empty client application list, empty
    /// API instance lists, and the retired Exchange v1 list gone (404); API
    /// Manager in the environments it manages, not Design.
    pub fn new(app_org: &str, checked_org: &str) -> Tenant {
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
            // Asked alongside the app's org, before the doctor knows it is a
            // business group (the answer is then left unread).
            .set(
                "GET",
                path::hierarchy(BG),
                ok(serde_json::json!({"id": BG, "name": "Payments BG", "subOrganizations": []})
                    .to_string()),
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
            .set("POST", path::repository_create(ROOT), invalid)
            .set(
                "GET",
                path::asset(),
                ok(serde_json::json!({"groupId": ROOT, "assetId": "orders-api", "version": "1.0.3"})
                    .to_string()),
            );
        for env in API_MANAGER_ENVS {
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

    pub fn find(&mut self, method: &str, path: &str) -> Option<&mut Route> {
        self.routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
    }

    /// Answers `reply` on a route (added, authorized, if the tenant has none).
    pub fn set(
        &mut self,
        method: &'static str,
        path: impl Into<String>,
        reply: Reply,
    ) -> &mut Tenant {
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
    pub fn expect(
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
    pub fn expect_nothing_but(&mut self, method: &str, path: &str) -> &mut Tenant {
        for route in &mut self.routes {
            // The network checks' reach comes before any of them, whatever happens later.
            if !(route.method == method && route.path == path) && route.path != path::REACH {
                route.expect = Some(0);
            }
        }
        self
    }

    /// Every POST route of the tenant but the token must not be hit.
    pub fn forbid_posts(&mut self) -> &mut Tenant {
        for route in self
            .routes
            .iter_mut()
            .filter(|r| r.method == "POST" && r.path != path::TOKEN)
        {
            route.expect = Some(0);
        }
        self
    }

    /// The token endpoint issues `token`, and the APIs require it.
    pub fn issue_token(&mut self, token: &str) -> &mut Tenant {
        self.token = token.into();
        self.set("POST", path::TOKEN, token_reply(token))
    }

    /// The token endpoint accepts `secret` (instead of `SECRET`) for `CLIENT_ID`.
    pub fn accept_secret(&mut self, secret: &str) -> &mut Tenant {
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
    pub fn accept_bearer(&mut self, token: &str) -> &mut Tenant {
        self.token = token.into();
        self.expect("POST", path::TOKEN, 0)
    }

    /// Mounts the tenant on a fresh server, runs `plan` with the settings
    /// `settings` makes for that server, and verifies the requests.
    pub async fn run_with(
        &self,
        settings: impl FnOnce(&ServerGuard) -> Settings,
        plan: RunOptions,
    ) -> Report {
        let mut server = mockito::Server::new_async().await;
        let mounted = self.mount(&mut server).await;
        let report = run(settings(&server), plan).await;
        mounted.verify().await;
        report
    }

    pub async fn mount(&self, server: &mut ServerGuard) -> Mounted {
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

pub struct Mounted {
    guards: Vec<Mock>,
    routes: Vec<(bool, Mock)>,
    unexpected: Arc<Mutex<Vec<String>>>,
}

impl Mounted {
    /// No request went outside the tenant, and every route with an
    /// expectation was hit exactly that many times.
    pub async fn verify(&self) {
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
pub struct Rendezvous {
    parties: usize,
    arrived: Mutex<usize>,
    all_here: Condvar,
    stranded: AtomicBool,
}

pub const PATIENCE: Duration = Duration::from_secs(10);

impl Rendezvous {
    pub fn new(parties: usize) -> Arc<Rendezvous> {
        Arc::new(Rendezvous {
            parties,
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
            stranded: AtomicBool::new(false),
        })
    }

    pub fn arrive(&self) {
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
    pub fn met(&self) -> bool {
        *self.arrived.lock().unwrap() == self.parties && !self.stranded.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------
// Running the doctor and reading the report
// ---------------------------------------------------------------------------

pub fn base_url(server: &ServerGuard) -> Url {
    Url::parse(&server.url()).unwrap()
}

pub fn settings(server: &ServerGuard) -> Settings {
    Settings::client_credentials(base_url(server), CLIENT_ID, SECRET)
}

/// Settings for a ready-made token, optionally naming the app whose scopes to read.
pub fn bearer_settings(server: &ServerGuard, token: &str, client_id: Option<&str>) -> Settings {
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
        secret_set_aside: None,
    };
    settings
}

/// An org admin's token, reading the app's granted scopes (exact mode).
pub fn admin_settings(server: &ServerGuard) -> Settings {
    bearer_settings(server, "admin-token", Some(APP_ID))
}

/// Every check, with 8 requests in flight.
pub fn plan() -> RunOptions {
    RunOptions {
        concurrency: Some(8),
        ..RunOptions::default()
    }
}

pub fn selecting(ids: &[&str]) -> RunOptions {
    RunOptions {
        select: ids.iter().map(|s| s.to_string()).collect(),
        ..plan()
    }
}

pub async fn run(settings: Settings, plan: RunOptions) -> Report {
    diagnose(settings, &plan)
        .await
        .expect("diagnose returns a report")
}

/// Mounts the tenant on a fresh server, runs every check, verifies the requests.
pub async fn run_tenant(tenant: &Tenant) -> Report {
    tenant.run_with(settings, plan()).await
}
