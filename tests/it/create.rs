//! The listing and create commands (`apps`, `apis`, `create app`, `create
//! contract`) end to end: the built binary against the simulator, started
//! in-process on a free loopback port for each test. Every test asserts the
//! exit code, what was printed, and the simulator's state afterwards, so a
//! write that should not have happened (a dry run, bad input, a blind retry
//! after a timeout) shows up as a changed world.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::api::{PATIENCE, client};
use crate::support::bin::Run;
use crate::support::fs::temp_dir;
use crate::support::sim::scenarios::{ROOT_ORG, SANDBOX};
use crate::support::sim::{Contract, FaultKind, Sim, World, fault as fault_on, world};
use crate::support::{assert_contains_all, stable_snapshots};

/// The scenarios' API instances: one in Sandbox, one in Production.
const SANDBOX_API: &str = "18972610";
const PRODUCTION_API: &str = "18972611";
/// The scenarios' client applications: orders-portal has a contract with the
/// Sandbox API, billing-batch has none.
const ORDERS_PORTAL: u64 = 2349040;
const BILLING_BATCH: u64 = 2349041;

const EXCHANGE_APPS: &str = "/exchange/api/v2/organizations/*/applications";
const APIM_CONTRACTS: &str = "/apimanager/api/v1/organizations/*/environments/*/apis/*/contracts";

/// stderr with the diagnosis table's borders removed and whitespace
/// collapsed, so a phrase wrapped inside a cell still reads as one.
fn stderr_flat(run: &Run) -> String {
    flat(&run.stderr)
}

/// A create that could not be done: exit 1, nothing on stdout, and a
/// diagnosis on stderr that says each of `phrases` (read flat).
#[track_caller]
fn assert_refused(run: &Run, phrases: &[&str]) {
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert_contains_all(&stderr_flat(run), phrases, run);
}

fn flat(text: &str) -> String {
    text.replace(['│', '┆'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `world` with one fault on POSTs to `path`, for the first request only: a
/// blind second POST would then be carried out and show in the state.
fn with_post_fault(mut world: World, path: &str, fault: FaultKind) -> World {
    world
        .faults
        .push(fault_on(path, Some("POST"), fault, Some(1)));
    world
}

/// What only these tests ask of the simulator.
impl Sim {
    /// The apps and contracts of the simulator's world as it is now.
    fn writable(&self) -> Writable {
        writable(&self.world())
    }

    /// `create app --name NAME EXTRA…`.
    async fn create_app(&self, name: &str, extra: &[&str]) -> Run {
        self.run(&[&["create", "app", "--name", name][..], extra].concat())
            .await
    }

    /// `create contract --app APP --api API EXTRA…`.
    async fn create_contract(&self, app: &str, api: &str, extra: &[&str]) -> Run {
        self.run(
            &[
                &["create", "contract", "--app", app, "--api", api][..],
                extra,
            ]
            .concat(),
        )
        .await
    }

    /// Requests the simulator has answered (or is still answering).
    fn requests(&self) -> u64 {
        self.running.state.requests()
    }

    /// The ids of the client applications named `name`.
    fn app_ids(&self, name: &str) -> Vec<u64> {
        self.world()
            .client_applications
            .iter()
            .filter(|a| a.name == name)
            .map(|a| a.id)
            .collect()
    }

    /// The contracts between an application and an API instance.
    fn contracts(&self, app: u64, api: &str) -> Vec<Contract> {
        self.world()
            .contracts
            .into_iter()
            .filter(|c| c.application_id == app && c.api_id.to_string() == api)
            .collect()
    }

    /// API Manager's contract list of a Sandbox API, read with the tenant admin's token.
    async fn api_manager_contracts(&self, api: &str) -> Value {
        let token = self.world().users[0].token.clone();
        let url = format!(
            "{}/apimanager/api/v1/organizations/{ROOT_ORG}/environments/{SANDBOX}/apis/{api}/contracts",
            self.running.base_url
        );
        let response = client(PATIENCE)
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("API Manager answers");
        assert_eq!(response.status(), 200);
        response.json().await.expect("a JSON contract list")
    }
}

/// What a create can change: (id, name) of each application, (id, application, API) of each contract.
type Writable = (Vec<(u64, String)>, Vec<(u64, u64, u64)>);

/// Apps and contracts, to compare a world before and after a run.
fn writable(world: &World) -> Writable {
    (
        world
            .client_applications
            .iter()
            .map(|a| (a.id, a.name.clone()))
            .collect(),
        world
            .contracts
            .iter()
            .map(|c| (c.id, c.application_id, c.api_id))
            .collect(),
    )
}

/// The request a dry run printed: method and URL, the pretty JSON body, and the curl line.
fn dry_run_parts(run: &Run) -> (String, Value, String) {
    assert_eq!(run.code, 0, "{run:#?}");
    let out = &run.stdout;
    assert!(out.starts_with("Dry run: nothing was sent."), "{run:#?}");
    let request_line = out
        .lines()
        .find(|l| l.starts_with("POST "))
        .unwrap_or_else(|| panic!("no request line: {run:#?}"))
        .to_string();
    let start = out
        .find("Content-Type: application/json\n\n")
        .expect("a content type")
        + "Content-Type: application/json\n\n".len();
    let end = out.find("\ncurl ").expect("a curl line");
    let body: Value = serde_json::from_str(out[start..end].trim())
        .unwrap_or_else(|e| panic!("the printed body is not JSON ({e}): {run:#?}"));
    let curl = out[end + 1..].trim_end().to_string();
    assert_eq!(curl.lines().count(), 1, "{run:#?}");
    (request_line, body, curl)
}

/// A dry run printed no application's secret and created nothing.
#[track_caller]
fn assert_dry_run_changed_nothing(sim: &Sim, before: &World, run: &Run) {
    for app in &before.client_applications {
        assert!(!run.output().contains(&app.client_secret), "{run:#?}");
    }
    assert_eq!(sim.writable(), writable(before), "nothing created");
}

/// The JSON body inside a curl line's `-d '…'`.
fn curl_body(curl: &str) -> Value {
    let start = curl.find(" -d '").expect("a -d argument") + " -d '".len();
    let end = curl.rfind('\'').expect("a closing quote");
    serde_json::from_str(&curl[start..end].replace("'\\''", "'")).expect("curl's body is JSON")
}

/// A path in a fresh temp folder that no other test uses.
fn temp_path(name: &str) -> PathBuf {
    temp_dir("create").join(name)
}

// ---------------------------------------------------------------- the happy flow

#[tokio::test]
async fn create_app_list_it_create_a_contract_and_api_manager_shows_it() {
    let sim = Sim::start(world("healthy")).await;
    let name = "ci-orders-client";

    let created = sim.create_app(name, &[]).await;
    assert_eq!(created.code, 0, "{created:#?}");
    let ids = sim.app_ids(name);
    assert_eq!(ids.len(), 1, "one application {name:?}");
    let id = ids[0];
    let app = sim
        .world()
        .client_applications
        .into_iter()
        .find(|a| a.id == id)
        .unwrap();
    assert_contains_all(
        &created.stdout,
        &[
            &format!("Created client application \"{name}\" in \"Example Corp\""),
            &format!("id            {id}"),
            &app.client_id,
            "not shown",
            "--show-secret",
        ],
        &created,
    );
    assert!(
        !created.output().contains(&app.client_secret),
        "the new secret is printed only when asked: {created:#?}"
    );

    // `apps` lists it, as a table and as JSON.
    let table = sim.run(&["apps"]).await;
    assert_eq!(table.code, 0, "{table:#?}");
    let row = table
        .stdout
        .lines()
        .find(|l| l.contains(name))
        .unwrap_or_else(|| panic!("{name} is not listed: {table:#?}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        [id.to_string().as_str(), name, app.client_id.as_str()]
    );
    assert!(
        table
            .stdout
            .contains("3 client application(s) in the root organization \"Example Corp\"."),
        "{table:#?}"
    );
    let listed = sim.run(&["apps", "--format", "json"]).await;
    assert_eq!(listed.code, 0, "{listed:#?}");
    let listed = listed.json();
    let entry = listed
        .as_array()
        .expect("a JSON array")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not listed: {listed}"));
    assert_eq!(entry["name"], name);
    assert_eq!(entry["clientId"], app.client_id.as_str());
    assert!(!listed.to_string().contains(&app.client_secret));

    // A contract with the Sandbox API, by the application's name.
    let contract = sim.create_contract(name, SANDBOX_API, &[]).await;
    assert_eq!(contract.code, 0, "{contract:#?}");
    let contracts = sim.contracts(id, SANDBOX_API);
    assert_eq!(contracts.len(), 1, "{contract:#?}");
    let contract_id = contracts[0].id;
    assert!(
        contract.stdout.contains(&format!(
            "Contract {contract_id} created: application {id} ↔ API instance {SANDBOX_API} in \"Sandbox\" (status APPROVED)."
        )),
        "{contract:#?}"
    );

    // API Manager's own contract list shows it.
    let list = sim.api_manager_contracts(SANDBOX_API).await;
    let shown = list["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .find(|c| c["applicationId"] == id)
        .unwrap_or_else(|| panic!("no contract of {id}: {list}"));
    assert_eq!(shown["id"], contract_id);
    assert_eq!(shown["status"], "APPROVED");
    assert_eq!(shown["application"]["name"], name);

    // Again: the existing contract is reported, and not duplicated.
    let again = sim.create_contract(name, SANDBOX_API, &[]).await;
    assert_eq!(again.code, 0, "{again:#?}");
    assert!(
        again
            .stdout
            .contains(&format!("Contract {contract_id} already exists")),
        "{again:#?}"
    );
    assert_eq!(sim.contracts(id, SANDBOX_API).len(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn an_existing_contract_is_reported_by_app_id_in_json() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();
    let run = sim
        .create_contract(
            &ORDERS_PORTAL.to_string(),
            SANDBOX_API,
            &["--format", "json"],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let report = run.json();
    assert_eq!(report["result"], "already exists", "{report}");
    assert_eq!(report["environment"], "Sandbox", "{report}");
    assert_eq!(report["contract"]["id"], 6273842, "{report}");
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

/// The platform's 409 keeps the contract single, and is reported as such
/// even when API Manager's list cannot show the contract.
#[tokio::test]
async fn a_duplicate_contract_refused_by_the_platform_is_reported_not_an_error() {
    let mut world = world("healthy");
    world.faults.push(fault_on(
        APIM_CONTRACTS,
        Some("GET"),
        FaultKind::Status { status: 503 },
        None,
    ));
    let sim = Sim::start(world).await;
    let before = sim.writable();
    let run = sim.create_contract("orders-portal", SANDBOX_API, &[]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_contains_all(
        &run.stderr,
        &["The contract already exists (HTTP 409: Application 2349040 already has a contract"],
        &run,
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

// ---------------------------------------------------------------- dry runs

#[tokio::test]
async fn dry_run_create_app_prints_the_request_and_creates_nothing() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.world();
    let run = sim
        .create_app(
            "dry-app",
            &[
                "--description",
                "it's a test",
                "--redirect-uri",
                "https://app.example.com/callback",
                "--grant-type",
                "client_credentials",
                "--dry-run",
            ],
        )
        .await;
    let (request, body, curl) = dry_run_parts(&run);
    let url = format!(
        "{}/exchange/api/v2/organizations/{ROOT_ORG}/applications",
        sim.running.base_url
    );
    assert_eq!(request, format!("POST {url}"));
    assert_eq!(body["name"], "dry-app");
    assert_eq!(body["description"], "it's a test");
    assert_eq!(
        body["redirectUri"],
        serde_json::json!(["https://app.example.com/callback"])
    );
    assert_eq!(
        body["grantTypes"],
        serde_json::json!(["client_credentials"])
    );
    assert!(
        curl.starts_with(&format!("curl -s -X POST '{url}'")),
        "{run:#?}"
    );
    assert!(
        curl.contains("-H \"Authorization: Bearer $ANYPOINT_TOKEN\""),
        "{run:#?}"
    );
    assert_eq!(curl_body(&curl), body, "curl sends the printed body");
    assert_eq!(
        run.output().matches("Bearer").count(),
        1,
        "no real token: {run:#?}"
    );
    assert_dry_run_changed_nothing(&sim, &before, &run);
    sim.stop().await;
}

#[tokio::test]
async fn dry_run_create_contract_prints_the_one_request_it_would_send() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.world();
    let run = sim
        .create_contract(
            &BILLING_BATCH.to_string(),
            SANDBOX_API,
            &["--env", "Sandbox", "--dry-run"],
        )
        .await;
    let (request, body, curl) = dry_run_parts(&run);
    let url = format!(
        "{}/apimanager/api/v1/organizations/{ROOT_ORG}/environments/{SANDBOX}/apis/{SANDBOX_API}/contracts",
        sim.running.base_url
    );
    assert_eq!(request, format!("POST {url}"));
    assert_eq!(body, serde_json::json!({ "applicationId": BILLING_BATCH }));
    assert!(
        curl.starts_with(&format!("curl -s -X POST '{url}'"))
            && curl.contains("-H \"Authorization: Bearer $ANYPOINT_TOKEN\""),
        "{run:#?}"
    );
    assert_eq!(curl_body(&curl), body);
    assert_eq!(run.output().matches("Bearer").count(), 1, "{run:#?}");

    // A tier is requested when given.
    let tiered = sim
        .create_contract(
            "billing-batch",
            SANDBOX_API,
            &["--tier", "1797161", "--dry-run"],
        )
        .await;
    let (request, body, _) = dry_run_parts(&tiered);
    assert_eq!(
        request,
        format!("POST {url}"),
        "found in Sandbox: {tiered:#?}"
    );
    assert_eq!(
        body,
        serde_json::json!({ "applicationId": BILLING_BATCH, "requestedTierId": 1797161 })
    );
    assert_dry_run_changed_nothing(&sim, &before, &run);
    sim.stop().await;
}

// ---------------------------------------------------------------- the new secret

#[tokio::test]
async fn show_secret_prints_the_new_secret_in_table_and_json() {
    let sim = Sim::start(world("healthy")).await;
    let run = sim.create_app("shown-app", &["--show-secret"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let app = sim.world().client_applications.pop().unwrap();
    assert_eq!(app.name, "shown-app");
    assert!(
        run.stdout
            .contains(&format!("clientSecret  {}", app.client_secret)),
        "{run:#?}"
    );

    let json = sim
        .create_app("shown-json-app", &["--show-secret", "--format", "json"])
        .await;
    assert_eq!(json.code, 0, "{json:#?}");
    let app = sim.world().client_applications.pop().unwrap();
    let created = json.json();
    assert_eq!(created["id"], app.id);
    assert_eq!(created["name"], "shown-json-app");
    assert_eq!(created["clientId"], app.client_id.as_str());
    assert_eq!(created["clientSecret"], app.client_secret.as_str());
    sim.stop().await;
}

#[tokio::test]
async fn json_output_has_no_secret_without_show_secret() {
    let sim = Sim::start(world("healthy")).await;
    let run = sim.create_app("json-app", &["--format", "json"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let app = sim.world().client_applications.pop().unwrap();
    assert_eq!(app.name, "json-app");
    let created = run.json();
    assert_eq!(created["id"], app.id);
    assert_eq!(created["name"], "json-app");
    assert_eq!(created["clientId"], app.client_id.as_str());
    assert!(created.get("clientSecret").is_none(), "{created}");
    assert!(!run.output().contains(&app.client_secret), "{run:#?}");
    sim.stop().await;
}

#[tokio::test]
async fn secret_file_gets_the_secret_with_mode_0600() {
    let sim = Sim::start(world("healthy")).await;
    let path = temp_path("secret-new");
    let run = sim
        .create_app("file-app", &["--secret-file", path.to_str().unwrap()])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let app = sim.world().client_applications.pop().unwrap();
    assert_eq!(app.name, "file-app");
    let written = std::fs::read_to_string(&path).expect("the secret file exists");
    assert_eq!(written.trim_end(), app.client_secret);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    assert!(
        run.stdout.contains(&format!(
            "clientSecret  written to {} (mode 0600)",
            path.display()
        )),
        "{run:#?}"
    );
    assert!(!run.output().contains(&app.client_secret), "{run:#?}");
    let _ = std::fs::remove_file(&path);
    sim.stop().await;
}

#[tokio::test]
async fn an_existing_secret_file_is_refused_before_anything_is_sent() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();
    let path = temp_path("secret-existing");
    std::fs::write(&path, "keep me\n").unwrap();
    let run = sim
        .create_app("file-app", &["--secret-file", path.to_str().unwrap()])
        .await;
    let error = run.usage_error();
    assert_contains_all(error, &["--secret-file", "exists"], &run);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me\n");
    assert_eq!(sim.requests(), 0, "nothing was sent");
    assert_eq!(sim.writable(), before);
    let _ = std::fs::remove_file(&path);
    sim.stop().await;
}

// ---------------------------------------------------------------- duplicate names

#[tokio::test]
async fn a_duplicate_name_is_refused_unless_allowed() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();
    let refused = sim.create_app("orders-portal", &[]).await;
    let error = refused.usage_error();
    assert_contains_all(
        error,
        &[
            "already exists",
            &format!("id {ORDERS_PORTAL}"),
            "--allow-duplicate",
        ],
        &refused,
    );
    assert_eq!(sim.writable(), before, "nothing created");

    let allowed = sim
        .create_app("orders-portal", &["--allow-duplicate"])
        .await;
    assert_eq!(allowed.code, 0, "{allowed:#?}");
    let ids = sim.app_ids("orders-portal");
    assert_eq!(ids.len(), 2, "{allowed:#?}");
    assert!(
        allowed
            .stdout
            .contains(&format!("id            {}", ids[1])),
        "{allowed:#?}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_duplicate_check_warns_when_the_list_cannot_be_believed() {
    let sim = Sim::start(world("missing-view-scope")).await;
    let run = sim.create_app("orders-portal", &[]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_contains_all(
        &run.stderr,
        &[
            "warning: the duplicate check cannot be trusted",
            "View Client Applications",
        ],
        &run,
    );
    // The list hid the existing one: that is exactly what the warning is about.
    assert_eq!(sim.app_ids("orders-portal").len(), 2);
    sim.stop().await;
}

// ---------------------------------------------------------------- refusals

#[tokio::test]
async fn create_app_without_the_manage_scope_is_diagnosed() {
    let sim = Sim::start(world("missing-manage-scopes")).await;
    let before = sim.writable();
    let path = temp_path("secret-refused");
    let run = sim
        .create_app("no-scope-app", &["--secret-file", path.to_str().unwrap()])
        .await;
    assert!(!path.exists(), "the unused secret file is removed");
    assert_refused(
        &run,
        &[
            "The platform refused the create (HTTP 403",
            "Diagnosis:",
            "✗ fail scope.manage-client-applications",
            "missing Manage Client Applications",
        ],
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn create_contract_without_the_manage_scope_is_diagnosed() {
    let sim = Sim::start(world("missing-manage-scopes")).await;
    let before = sim.writable();
    let run = sim.create_contract("billing-batch", SANDBOX_API, &[]).await;
    assert_refused(
        &run,
        &[
            "The platform refused the contract (HTTP 403",
            "✗ fail scope.manage-contracts Sandbox",
            "missing Manage Contracts",
        ],
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_stops_at_sign_in_with_the_token_diagnosis() {
    let sim = Sim::start(world("wrong-secret")).await;
    let before = sim.writable();
    let run = sim.create_app("never-app", &[]).await;
    assert_refused(&run, &["✗ fail auth.token"]);
    assert!(
        run.stderr.starts_with("Could not sign in to the platform."),
        "{run:#?}"
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn an_unknown_org_is_a_usage_error() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();
    let app = sim.create_app("org-app", &["--org", "No Such Org"]).await;
    let contract = sim
        .create_contract("billing-batch", SANDBOX_API, &["--org", "No Such Org"])
        .await;
    // Each names the org given and the ones there are.
    insta::assert_snapshot!(
        "unknown-org",
        [app.usage_error(), contract.usage_error()].concat()
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn contract_input_errors_name_the_problem_and_change_nothing() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();

    // Each names the flag at fault, and what would do instead.
    let mut errors = String::new();
    for (app, api, extra) in [
        ("billing-batch", "999", &[][..]),
        ("billing-batch", PRODUCTION_API, &["--env", "Sandbox"][..]),
        ("no-such-app", SANDBOX_API, &[][..]),
        // An id is not looked up: the platform's 404 tells it is unknown.
        ("9999999", SANDBOX_API, &["--env", "Sandbox"][..]),
    ] {
        let run = sim.create_contract(app, api, extra).await;
        errors.push_str(run.usage_error());
    }
    insta::assert_snapshot!("contract-input-errors", errors);
    assert_eq!(sim.writable(), before);

    // An empty --app is refused before anything is sent.
    let requests = sim.requests();
    let empty = sim.create_contract(" ", SANDBOX_API, &[]).await;
    assert!(empty.usage_error().contains("--app"), "{empty:#?}");
    assert_eq!(sim.requests(), requests, "nothing was sent");
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

/// Two applications share a name (`--allow-duplicate` allows it): the name no
/// longer says which one the contract is for.
#[tokio::test]
async fn an_ambiguous_app_name_is_refused() {
    let mut world = world("healthy");
    let mut twin = world.client_applications[0].clone();
    twin.id = 2349099;
    twin.client_id = "0123456789abcdef0123456789abcdef".into();
    world.client_applications.push(twin);
    let sim = Sim::start(world).await;
    let before = sim.writable();
    let run = sim
        .create_contract("orders-portal", PRODUCTION_API, &["--env", "Production"])
        .await;
    let error = run.usage_error();
    assert!(
        error.contains(&ORDERS_PORTAL.to_string()) && error.contains("2349099"),
        "both ids are named: {run:#?}"
    );
    assert_eq!(sim.writable(), before, "no contract for a guessed app");
    sim.stop().await;
}

#[tokio::test]
async fn bad_app_input_is_refused_before_anything_is_sent() {
    let sim = Sim::start(world("healthy")).await;
    let before = sim.writable();
    let long = "n".repeat(256);
    let cases: [(&[&str], &str); 5] = [
        (&["--name", ""], "the name is empty"),
        (&["--name", "   "], "the name is empty"),
        (&["--name", &long], "longer than 255 characters"),
        (
            &["--name", "uri-app", "--redirect-uri", "not a uri"],
            "\"not a uri\" is not an absolute URI",
        ),
        (
            &["--name", "grant-app", "--grant-type", "bogus"],
            "\"bogus\" is not one of",
        ),
    ];
    for (extra, reason) in cases {
        let args: Vec<&str> = ["create", "app"].iter().chain(extra).copied().collect();
        let run = sim.run(&args).await;
        let error = run.usage_error();
        assert!(error.contains(reason), "{extra:?}: {run:#?}");
    }
    assert_eq!(sim.requests(), 0, "nothing was sent");
    assert_eq!(sim.writable(), before);

    // 255 characters are still accepted.
    let longest = "n".repeat(255);
    let run = sim.create_app(&longest, &["--dry-run"]).await;
    let (_, body, _) = dry_run_parts(&run);
    assert_eq!(body["name"], longest.as_str());
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

// ---------------------------------------------------------------- timeouts

#[tokio::test]
async fn a_create_app_without_answer_is_looked_up_not_retried() {
    let sim = Sim::start(with_post_fault(
        world("healthy"),
        EXCHANGE_APPS,
        FaultKind::Hang,
    ))
    .await;
    let before = sim.writable();
    let path = temp_path("secret-hung");
    let run = sim
        .create_app(
            "hung-app",
            &["--timeout", "1", "--secret-file", path.to_str().unwrap()],
        )
        .await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(!path.exists(), "the unused secret file is removed");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(run.stderr.contains("The create got no answer"), "{run:#?}");
    // A timeout is not a refusal: the platform may still finish the create.
    assert!(
        run.stderr.contains("may still be carrying it out")
            && run.stderr.contains("`anypoint-doctor apps` in a minute")
            && !run.stderr.contains("safe to run the command again"),
        "{run:#?}"
    );
    // Only the first POST hangs: a second one would have created the app.
    assert_eq!(sim.app_ids("hung-app"), Vec::<u64>::new(), "no retry");
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn a_create_app_whose_answer_is_lost_reports_the_app_that_exists() {
    let sim = Sim::start(with_post_fault(
        world("healthy"),
        EXCHANGE_APPS,
        FaultKind::LostAnswer,
    ))
    .await;
    let path = temp_path("secret-lost");
    let run = sim
        .create_app(
            "lost-app",
            &["--timeout", "1", "--secret-file", path.to_str().unwrap()],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let ids = sim.app_ids("lost-app");
    assert_eq!(ids.len(), 1, "created once, not retried: {run:#?}");
    let app = sim.world().client_applications.pop().unwrap();
    assert_eq!(app.id, ids[0]);
    let written = std::fs::read_to_string(&path).expect("the secret file was written");
    assert_eq!(written.trim_end(), app.client_secret);
    assert!(!run.output().contains(&app.client_secret), "{run:#?}");
    let _ = std::fs::remove_file(&path);
    assert_contains_all(
        &run.stderr,
        &["The create got no answer", "but the application exists"],
        &run,
    );
    assert!(
        run.stdout.contains(&format!("id            {}", ids[0])),
        "{run:#?}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_create_contract_without_answer_is_looked_up_not_retried() {
    let sim = Sim::start(with_post_fault(
        world("healthy"),
        APIM_CONTRACTS,
        FaultKind::Hang,
    ))
    .await;
    let before = sim.writable();
    let run = sim
        .create_contract("billing-batch", SANDBOX_API, &["--timeout", "1"])
        .await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(
        run.stderr.contains("The create got no answer")
            && run.stderr.contains("may still be carrying it out")
            && run
                .stderr
                .contains("`anypoint-doctor apis --env Sandbox` in a minute")
            && !run.stderr.contains("safe to run the command again"),
        "{run:#?}"
    );
    // Only the first POST hangs: a second one would have created the contract.
    assert!(
        sim.contracts(BILLING_BATCH, SANDBOX_API).is_empty(),
        "no retry"
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

#[tokio::test]
async fn a_create_contract_whose_answer_is_lost_reports_the_contract_that_exists() {
    let sim = Sim::start(with_post_fault(
        world("healthy"),
        APIM_CONTRACTS,
        FaultKind::LostAnswer,
    ))
    .await;
    let run = sim
        .create_contract("billing-batch", SANDBOX_API, &["--timeout", "1"])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let contracts = sim.contracts(BILLING_BATCH, SANDBOX_API);
    assert_eq!(contracts.len(), 1, "created once, not retried: {run:#?}");
    assert_contains_all(
        &run.stderr,
        &["The create got no answer", "but the contract exists"],
        &run,
    );
    assert!(
        run.stdout.contains(&format!(
            "Contract {} created: application {BILLING_BATCH}",
            contracts[0].id
        )),
        "{run:#?}"
    );
    sim.stop().await;
}

// ---------------------------------------------------------------- listings

#[tokio::test]
async fn apps_with_an_unbelievable_empty_list_is_diagnosed() {
    let sim = Sim::start(world("missing-view-scope")).await;
    let run = sim.run(&["apps"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "The client application list of \"Example Corp\" is empty, which may not be true."
        ),
        "{run:#?}"
    );
    let flat = stderr_flat(&run);
    assert_contains_all(
        &flat,
        &[
            "✗ fail data.client-applications-empty",
            "View Client Applications",
        ],
        &run,
    );

    let json = sim.run(&["apps", "--format", "json"]).await;
    assert_eq!(json.code, 1, "{json:#?}");
    assert_eq!(json.json(), serde_json::json!([]));
    sim.stop().await;
}

#[tokio::test]
async fn apis_lists_every_instance_with_its_asset() {
    let sim = Sim::start(world("healthy")).await;
    let run = sim.run(&["apis"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    // One row per instance: environment, id, asset, version, label, status, contracts.
    insta::assert_snapshot!("apis-table", run.stdout);

    let json = sim.run(&["apis", "--format", "json"]).await;
    assert_eq!(json.code, 0, "{json:#?}");
    let listed = json.json();
    let pairs: Vec<(String, u64)> = listed
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|e| {
            (
                e["environment"].as_str().unwrap().to_string(),
                e["api"]["id"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("Sandbox".to_string(), 18972610),
            ("Production".to_string(), 18972611)
        ],
        "{listed}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn apis_names_the_environments_it_cannot_read_and_lists_the_rest() {
    let sim = Sim::start(world("env-scope-gap")).await;
    let run = sim.run(&["apis"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    // Sandbox is listed; Production is named on stderr, with its diagnosis
    // and the scope to grant there. Design is not asked: API Manager does
    // not manage it (reference §12.1).
    stable_snapshots().bind(|| {
        insta::assert_snapshot!(
            "apis-env-scope-gap",
            format!("{}\n{}", run.stdout, run.stderr)
        )
    });
    assert!(!run.stdout.contains(PRODUCTION_API), "{run:#?}");
    let flat = stderr_flat(&run);
    assert!(
        !flat.contains("scope.view-apis-configuration Sandbox"),
        "{run:#?}"
    );
    sim.stop().await;
}

// ---------------------------------------------------------------- least privilege

/// The healthy world whose app holds exactly what a contract needs: Manage
/// Contracts in Sandbox and Exchange Viewer (reference §12.2), nothing else.
fn least_privilege_world() -> World {
    let mut world = world("healthy");
    let grant = |scope: &str, env: Option<&str>| crate::support::sim::Grant {
        scope: scope.into(),
        org: Some(ROOT_ORG.into()),
        env: env.map(Into::into),
    };
    let app = world
        .connected_apps
        .iter_mut()
        .find(|a| a.client_id == world.login.client_id)
        .expect("the world's app");
    app.scopes = vec![
        grant("manage:api_contracts", Some(SANDBOX)),
        grant("read:exchange", None),
    ];
    world
}

/// An app holding only Manage Contracts and Exchange Viewer creates the
/// contract by ids; a second run is kept single by the platform; an unknown
/// id is told as what it may be, with the platform's message.
#[tokio::test]
async fn an_app_with_only_manage_contracts_and_exchange_viewer_creates_a_contract() {
    let sim = Sim::start(least_privilege_world()).await;
    let billing = BILLING_BATCH.to_string();
    let args = ["--env", "Sandbox"];
    let run = sim.create_contract(&billing, SANDBOX_API, &args).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let contracts = sim.contracts(BILLING_BATCH, SANDBOX_API);
    assert_eq!(contracts.len(), 1, "{run:#?}");
    assert!(
        run.stdout
            .starts_with(&format!("Contract {} created:", contracts[0].id)),
        "{run:#?}"
    );

    // The simulator lets Manage Contracts read the list [I]: the second run finds it.
    let again = sim.create_contract(&billing, SANDBOX_API, &args).await;
    assert_eq!(again.code, 0, "{again:#?}");
    assert!(
        again
            .stdout
            .starts_with(&format!("Contract {} already exists", contracts[0].id)),
        "{again:#?}"
    );
    assert_eq!(sim.contracts(BILLING_BATCH, SANDBOX_API).len(), 1);

    let before = sim.writable();
    let unknown = sim.create_contract("9999999", SANDBOX_API, &args).await;
    let error = unknown.one_line_error();
    assert!(
        error.starts_with("error: --app or --api: no client application 9999999, or no API instance 18972610 in \"Sandbox\" (the platform answered 404: Application 9999999 not found;"),
        "{error}"
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

/// Refused in an environment the API is not in: the environment is named,
/// not a scope (the instance lists are readable in this scenario).
#[tokio::test]
async fn a_contract_refused_in_the_wrong_environment_names_the_right_one() {
    let sim = Sim::start(world("env-scope-gap")).await;
    let before = sim.writable();
    let run = sim
        .create_contract(
            &BILLING_BATCH.to_string(),
            SANDBOX_API,
            &["--env", "Production"],
        )
        .await;
    assert_eq!(
        run.one_line_error(),
        "error: --api: API instance 18972610 is in \"Sandbox\", not in Production; use --env \"Sandbox\"",
        "{run:#?}"
    );
    assert_eq!(sim.writable(), before);
    sim.stop().await;
}

/// Without the contract list, the contract is still created, and the note
/// says that a second run then relies on the platform.
#[tokio::test]
async fn a_contract_is_created_without_the_contract_list_and_the_note_says_so() {
    let mut world = world("healthy");
    world.faults.push(fault_on(
        APIM_CONTRACTS,
        Some("GET"),
        FaultKind::Status { status: 403 },
        None,
    ));
    let sim = Sim::start(world).await;
    let run = sim
        .create_contract(
            &BILLING_BATCH.to_string(),
            SANDBOX_API,
            &["--env", "Sandbox"],
        )
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(sim.contracts(BILLING_BATCH, SANDBOX_API).len(), 1);
    assert_eq!(
        run.stderr,
        "note: the command could not look for an existing contract first (API Manager's contract list answered HTTP 403: Forbidden): a second run relies on the platform to refuse a duplicate\n",
        "{run:#?}"
    );
    sim.stop().await;
}
