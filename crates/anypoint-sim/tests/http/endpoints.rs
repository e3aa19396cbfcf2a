//! The simulator's endpoints, seen from a plain HTTP client: the token
//! endpoint, who-am-I, organizations and environments, scope enforcement,
//! state that changes with creates, error shapes, platform headers and
//! injected faults. (The `sim` and `demo` commands that serve it are the
//! doctor's, tested in its `tests/it/sim_command.rs`.)
//!
//! Each test starts a simulator on a free loopback port through `Sim`, talks
//! to it with reqwest, and stops it. Shapes are compared with the reference
//! fixtures in tests/fixtures where the simulator claims to follow them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anypoint_sim::World;
use anypoint_sim::scenarios;
use anypoint_sim::world::{ApiInstance, ClientApplication, FaultKind, Grant, User};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::api::{Answer, Api as Sim, client, fault, healthy_with, ids, serve, world};
use crate::support::fixture;

const ROOT: &str = scenarios::ROOT_ORG;
const BUSINESS_GROUP: &str = scenarios::BUSINESS_GROUP;
const DESIGN: &str = scenarios::DESIGN;
const SANDBOX: &str = scenarios::SANDBOX;
const PRODUCTION: &str = scenarios::PRODUCTION;
const CLIENT_ID: &str = scenarios::CLIENT_ID;
const CLIENT_SECRET: &str = scenarios::CLIENT_SECRET;
const ADMIN_TOKEN: &str = scenarios::ADMIN_TOKEN;
/// The healthy world's API instance in Sandbox, and its SLA tier.
const SANDBOX_API: u64 = 18972610;
/// Client applications of the healthy world, both created by a user.
const EXISTING_APPS: [u64; 2] = [2349040, 2349041];

mod path {
    use super::ROOT;

    pub const TOKEN: &str = "/accounts/api/v2/oauth2/token";
    pub const ME: &str = "/accounts/api/me";
    pub const USERS_ME: &str = "/accounts/api/users/me";

    pub fn org(id: &str) -> String {
        format!("/accounts/api/organizations/{id}")
    }
    pub fn legacy_apps() -> String {
        format!("/apiplatform/repository/v2/organizations/{ROOT}/applications")
    }
    pub fn exchange_apps() -> String {
        format!("/exchange/api/v2/organizations/{ROOT}/applications")
    }
    pub fn apis(env: &str) -> String {
        format!("/apimanager/api/v1/organizations/{ROOT}/environments/{env}/apis")
    }
    pub fn contracts(env: &str, api: u64) -> String {
        format!("{}/{api}/contracts", apis(env))
    }
    pub fn app_scopes(client_id: &str) -> String {
        format!("/accounts/api/connectedApplications/{client_id}/scopes")
    }
    pub fn org_app_scopes(client_id: &str) -> String {
        format!("{}/connectedApplications/{client_id}/scopes", org(ROOT))
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}

// ---------------------------------------------------------------- the simulator

/// What only these tests ask of the simulator's API.
impl Sim {
    /// A token for the world's login app.
    async fn app_token(&self) -> String {
        self.token(CLIENT_ID, CLIENT_SECRET).await
    }

    /// Creates a client application through Exchange v2; returns its id.
    async fn create_app(&self, token: &str, name: &str) -> u64 {
        let mut body = fixture("exchange-application-create-request.json");
        body["name"] = json!(name);
        let created = self
            .post_json(&path::exchange_apps(), Some(token), &body)
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
        let created = created.json();
        assert_eq!(created["name"], name);
        assert!(created["clientId"].is_string() && created["clientSecret"].is_string());
        created["id"].as_u64().expect("a numeric id")
    }
}

// ---------------------------------------------------------------- token endpoint

#[tokio::test]
async fn token_endpoint_takes_json_and_form_bodies() {
    let sim = Sim::scenario("healthy").await;
    let from_json = sim.token_for(CLIENT_ID, CLIENT_SECRET).await;
    let from_form = sim
        .post(
            path::TOKEN,
            None,
            "application/x-www-form-urlencoded",
            form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ]),
        )
        .await;
    let shape = fixture("token-success.json");
    let mut tokens = Vec::new();
    for answer in [from_json, from_form] {
        let (status, body) = answer.pair();
        assert_eq!(status, 200, "{answer:?}");
        assert_eq!(body["token_type"], shape["token_type"]);
        assert_eq!(body["expires_in"], shape["expires_in"]);
        let token = body["access_token"].as_str().expect("a token").to_string();
        assert_eq!(sim.get(path::ME, Some(&token)).await.status, StatusCode::OK);
        tokens.push(token);
    }
    assert_ne!(tokens[0], tokens[1], "each request gets its own token");
    sim.stop().await;
}

#[tokio::test]
async fn token_endpoint_refuses_bad_requests_in_the_oauth_shape() {
    let sim = Sim::scenario("healthy").await;
    let wrong = sim.token_for(CLIENT_ID, "not-the-secret").await;
    assert_eq!(
        wrong.pair(),
        (401, fixture("token-error-invalid-client.json"))
    );
    let unknown = sim.token_for("no-such-app", CLIENT_SECRET).await;
    assert_eq!(unknown.pair().0, 401);

    let missing_secret = json!({"grant_type": "client_credentials", "client_id": CLIENT_ID});
    let missing = sim.post_json(path::TOKEN, None, &missing_secret).await;
    assert_eq!(missing.pair().0, 400, "{missing:?}");
    assert_eq!(missing.json()["error"], "invalid_request");
    let missing_form = sim
        .post(
            path::TOKEN,
            None,
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials")]),
        )
        .await;
    assert_eq!(missing_form.pair().0, 400, "{missing_form:?}");

    let password =
        json!({"grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET});
    let other_grant = sim.post_json(path::TOKEN, None, &password).await;
    assert_eq!(other_grant.pair().0, 400, "{other_grant:?}");
    assert_eq!(other_grant.json()["error"], "unsupported_grant_type");

    let malformed = sim
        .post(path::TOKEN, None, "application/json", "{\"grant_type\":")
        .await;
    assert_eq!(malformed.pair().0, 400, "{malformed:?}");
    assert_eq!(malformed.json()["error"], "invalid_request");
    sim.stop().await;
}

#[tokio::test]
async fn an_app_of_another_control_plane_gets_no_token() {
    let sim = Sim::scenario("eu-app-on-us-host").await;
    let refused = sim.token_for(CLIENT_ID, CLIENT_SECRET).await;
    assert_eq!(
        refused.pair(),
        (401, fixture("token-error-invalid-client.json"))
    );
    sim.stop().await;
}

#[tokio::test]
async fn tokens_of_another_simulator_are_refused() {
    let ours = Sim::scenario("healthy").await;
    let theirs = Sim::scenario("healthy").await;
    let token = theirs.app_token().await;
    let (status, body) = ours.get(path::ME, Some(&token)).await.pair();
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["status"], 401);
    assert!(body["message"].is_string(), "{body}");
    assert_eq!(theirs.get(path::ME, Some(&token)).await.status, 200);
    assert_eq!(ours.get(path::ME, None).await.status, 401, "no token");
    ours.stop().await;
    theirs.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let mut world = world("healthy");
    world.token_ttl_secs = 0;
    let sim = Sim::start(world).await;
    let issued = sim.token_for(CLIENT_ID, CLIENT_SECRET).await.json();
    assert_eq!(issued["expires_in"], 0);
    let token = issued["access_token"].as_str().expect("a token");
    let (status, body) = sim.get(path::ME, Some(token)).await.pair();
    assert_eq!(status, 401, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired")),
        "{body}"
    );
    // A user's ready token does not expire.
    assert_eq!(sim.get(path::ME, Some(ADMIN_TOKEN)).await.status, 200);
    sim.stop().await;
}

// ---------------------------------------------------------------- who am I, orgs, environments

#[tokio::test]
async fn me_describes_a_connected_app_or_a_user() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let answer = sim.get(path::ME, Some(&token)).await;
    let (status, me) = answer.pair();
    assert_eq!(status, 200, "{me}");
    // §11.7: `client` as the fixture has it, then the user who created the app.
    assert_eq!(
        me["client"],
        fixture("accounts-me-connected-app.json")["client"]
    );
    assert_eq!(me["user"]["username"], "ada-admin", "{me}");
    assert!(
        answer.body.find("\"client\"") < answer.body.find("\"user\""),
        "client comes first: {}",
        answer.body
    );
    let (status, admin) = sim.get(path::ME, Some(ADMIN_TOKEN)).await.pair();
    assert_eq!(status, 200);
    assert_eq!(admin["user"]["username"], "ada-admin");
    assert_eq!(admin["user"]["organizationId"], ROOT);
    assert_eq!(admin["user"]["organization"]["isRoot"], true);
    sim.stop().await;
}

#[tokio::test]
async fn users_me_has_what_anypoint_cli_reads() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let shape = fixture("accounts-me-user.json")["user"].clone();
    let key_fields = |member: &Value| {
        ["id", "name", "parentId", "parentName", "isRoot", "isMaster"]
            .map(|key| member[key].clone())
            .to_vec()
    };
    let wanted: Vec<Vec<Value>> = shape["memberOfOrganizations"]
        .as_array()
        .expect("the fixture's memberships")
        .iter()
        .map(key_fields)
        .collect();
    for (who, token, id) in [
        ("app", token.as_str(), Some(CLIENT_ID)),
        ("admin", ADMIN_TOKEN, None),
    ] {
        let (status, me) = sim.get(path::USERS_ME, Some(token)).await.pair();
        assert_eq!(status, 200, "{who}: {me}");
        assert!(
            me["id"].as_str().is_some_and(|i| !i.is_empty()),
            "{who}: {me}"
        );
        if let Some(id) = id {
            assert_eq!(me["id"], id, "{who}");
        }
        assert!(me["organizationPreferences"].is_object(), "{who}: {me}");
        assert_eq!(me["organizationId"], ROOT, "{who}");
        assert_eq!(me["organization"]["id"], ROOT, "{who}");
        assert_eq!(
            me["properties"]["cs_auth"]["activeOrganizationId"], ROOT,
            "{who}"
        );
        let members: Vec<Vec<Value>> = me["memberOfOrganizations"]
            .as_array()
            .expect("memberships")
            .iter()
            .map(key_fields)
            .collect();
        assert_eq!(members, wanted, "{who}");
    }
    assert_eq!(sim.get(path::USERS_ME, None).await.status, 401);
    // One identity per principal: the org's owner, as the org names it, is
    // the admin `/users/me` describes (anypoint-cli-v4's `business-group
    // describe` compares the two ids).
    let admin = sim.get(path::USERS_ME, Some(ADMIN_TOKEN)).await.json();
    let org = sim.get(&path::org(ROOT), Some(ADMIN_TOKEN)).await.json();
    assert_eq!(org["ownerId"], admin["id"], "{org}");
    assert_eq!(org["owner"]["id"], admin["id"], "{org}");
    assert_eq!(org["owner"]["username"], admin["username"], "{org}");
    sim.stop().await;
}

#[tokio::test]
async fn organization_hierarchy_and_environments_follow_the_fixtures() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let env_fields = |env: &Value| {
        ["id", "name", "organizationId", "isProduction", "type"]
            .map(|key| env[key].clone())
            .to_vec()
    };

    let (status, org) = sim.get(&path::org(ROOT), Some(&token)).await.pair();
    assert_eq!(status, 200, "{org}");
    let want = fixture("accounts-organization.json");
    for key in [
        "id",
        "name",
        "isRoot",
        "isMaster",
        "parentOrganizationIds",
        "subOrganizationIds",
        "domain",
    ] {
        assert_eq!(org[key], want[key], "organization.{key}");
    }
    let envs = |v: &Value| -> Vec<Vec<Value>> {
        v.as_array()
            .expect("environments")
            .iter()
            .map(env_fields)
            .collect()
    };
    assert_eq!(envs(&org["environments"]), envs(&want["environments"]));

    let (status, group) = sim
        .get(&path::org(BUSINESS_GROUP), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["isRoot"], false);
    assert_eq!(group["parentOrganizationIds"], json!([ROOT]));

    assert_eq!(
        sim.get(&format!("{}/hierarchy", path::org(ROOT)), Some(&token))
            .await
            .pair(),
        (200, fixture("accounts-hierarchy.json"))
    );

    let (status, list) = sim
        .get(&format!("{}/environments", path::org(ROOT)), Some(&token))
        .await
        .pair();
    assert_eq!(status, 200, "{list}");
    let want = fixture("accounts-environments-list.json");
    assert_eq!(list["total"], want["total"]);
    assert_eq!(envs(&list["data"]), envs(&want["data"]));

    let (status, missing) = sim
        .get(
            &path::org("00000000-0000-4000-8000-000000000000"),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["status"], 404);
    assert_eq!(
        sim.get(&path::org(ROOT), None).await.status,
        401,
        "no token"
    );
    sim.stop().await;
}

/// The tenant's Connected Apps, listed and read one by one (by id, and
/// under an org), as an org admin reads them in Access Management: a
/// Connected App's own token is refused, an unknown app or org is 404.
#[tokio::test]
async fn connected_apps_are_listed_and_read_by_an_org_admin_only() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let list = "/accounts/api/connectedApplications";
    let one = format!("{list}/{CLIENT_ID}");
    let under_org = format!("{}/connectedApplications/{CLIENT_ID}", path::org(ROOT));
    for path in [list, one.as_str(), under_org.as_str()] {
        let (status, refused) = sim.get(path, Some(&token)).await.pair();
        assert_eq!(status, 403, "{path}: {refused}");
    }
    let (status, listed) = sim.get(list, Some(ADMIN_TOKEN)).await.pair();
    assert_eq!(status, 200, "{listed}");
    let data = listed["data"].as_array().expect("data[]");
    assert_eq!(listed["total"], data.len());
    assert!(
        data.iter().any(|app| app["client_id"] == CLIENT_ID),
        "{listed}"
    );
    let (status, page) = sim
        .get(&format!("{list}?offset=0&limit=1"), Some(ADMIN_TOKEN))
        .await
        .pair();
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{page}");
    for path in [one.as_str(), under_org.as_str()] {
        let (status, app) = sim.get(path, Some(ADMIN_TOKEN)).await.pair();
        assert_eq!(status, 200, "{path}: {app}");
        assert_eq!(app["client_id"], CLIENT_ID);
        assert_eq!(app["org_id"], ROOT);
        assert!(
            app["client_name"].is_string() && app["grant_types"].is_array(),
            "{app}"
        );
        // The secret is not for a reader here; an absent owner is absent, not null.
        assert!(app.get("client_secret").is_none(), "{app}");
        assert!(
            app.get("owner_user_id").is_none_or(Value::is_string),
            "{app}"
        );
    }
    let unknown = format!("{list}/0000000000000000");
    assert_eq!(sim.get(&unknown, Some(ADMIN_TOKEN)).await.status, 404);
    let elsewhere = format!(
        "{}/connectedApplications/{CLIENT_ID}",
        path::org("00000000-0000-4000-8000-000000000000")
    );
    assert_eq!(sim.get(&elsewhere, Some(ADMIN_TOKEN)).await.status, 404);
    sim.stop().await;
}

/// The org's users, as an org admin lists them: each as `/users/me`
/// describes that user (one identity per principal), paged.
#[tokio::test]
async fn the_orgs_users_are_listed_for_an_org_admin_each_as_users_me_describes_them() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let users = format!("{}/users", path::org(ROOT));
    assert_eq!(sim.get(&users, Some(&token)).await.status, 403);
    let (status, listed) = sim.get(&users, Some(ADMIN_TOKEN)).await.pair();
    assert_eq!(status, 200, "{listed}");
    let data = listed["data"].as_array().expect("data[]");
    assert!(
        !data.is_empty() && listed["total"] == data.len(),
        "{listed}"
    );
    let me = sim.get(path::USERS_ME, Some(ADMIN_TOKEN)).await.json();
    let admin = data.iter().find(|u| u["username"] == me["username"]);
    assert_eq!(admin.map(|u| &u["id"]), Some(&me["id"]), "{listed}");
    let (_, page) = sim
        .get(&format!("{users}?offset={}", data.len()), Some(ADMIN_TOKEN))
        .await
        .pair();
    assert_eq!(page["data"].as_array().map(Vec::len), Some(0), "{page}");
    let elsewhere = format!(
        "{}/users",
        path::org("00000000-0000-4000-8000-000000000000")
    );
    assert_eq!(sim.get(&elsewhere, Some(ADMIN_TOKEN)).await.status, 404);
    sim.stop().await;
}

#[tokio::test]
async fn a_connected_apps_scopes_are_readable_by_an_org_admin_only() {
    let sim = Sim::scenario("env-scope-gap").await;
    let token = sim.app_token().await;
    let org_path = format!(
        "{}/connectedApplications/{CLIENT_ID}/scopes",
        path::org(ROOT)
    );
    for path in [path::app_scopes(CLIENT_ID), org_path] {
        let (status, refused) = sim.get(&path, Some(&token)).await.pair();
        assert_eq!(status, 403, "{path}: {refused}");
        assert_eq!(refused["status"], 403);

        let (status, list) = sim.get(&path, Some(ADMIN_TOKEN)).await.pair();
        assert_eq!(status, 200, "{path}: {list}");
        let data = list["data"].as_array().expect("data[]");
        assert_eq!(list["total"], data.len());
        let grant = |scope: &str| -> Vec<&Value> {
            data.iter()
                .filter(|g| g["scope"] == scope)
                .map(|g| &g["context_params"])
                .collect()
        };
        assert_eq!(grant("profile"), [&json!({})]);
        assert_eq!(
            grant("read:org_client_applications"),
            [&json!({"org": ROOT})]
        );
        // The gap: API Manager scopes on Sandbox only.
        assert_eq!(
            grant("manage:api_contracts"),
            [&json!({"org": ROOT, "envId": SANDBOX})]
        );
        // The same keys as the reference fixture.
        let shape = fixture("connected-app-scopes-list.json");
        assert_eq!(
            grant("read:api_configuration"),
            [&shape["data"][4]["context_params"]]
        );
    }
    let (status, _) = sim
        .get(&path::app_scopes("no-such-app"), Some(ADMIN_TOKEN))
        .await
        .pair();
    assert_eq!(status, 404);
    sim.stop().await;
}

// ---------------------------------------------------------------- scope enforcement

#[tokio::test]
async fn the_legacy_list_is_200_and_empty_without_the_view_scope() {
    let sim = Sim::scenario("missing-view-scope").await;
    let token = sim.app_token().await;
    let query = "?includeContractsForApiVersion=0&limit=200";
    let legacy = format!("{}{query}", path::legacy_apps());
    assert_eq!(
        sim.get(&legacy, Some(&token)).await.pair(),
        (200, fixture("apiplatform-applications-list-empty.json"))
    );
    assert_eq!(
        sim.get(&path::exchange_apps(), Some(&token)).await.pair(),
        (200, json!([]))
    );
    // The applications exist: an admin sees them.
    let (status, all) = sim.get(&legacy, Some(ADMIN_TOKEN)).await.pair();
    assert_eq!(status, 200);
    assert_eq!(all["total"], 2, "{all}");
    assert_eq!(ids(&all["applications"]), EXISTING_APPS);
    sim.stop().await;

    let healthy = Sim::scenario("healthy").await;
    let token = healthy.app_token().await;
    let (_, listed) = healthy.get(&legacy, Some(&token)).await.pair();
    assert_eq!(listed["total"], 2, "with the view scope: {listed}");
    healthy.stop().await;
}

#[tokio::test]
async fn creates_without_the_manage_scope_are_403_in_the_exchange_shape() {
    let sim = Sim::scenario("missing-manage-scopes").await;
    let token = sim.app_token().await;
    let body = fixture("exchange-application-create-request.json");
    for path in [path::exchange_apps(), path::legacy_apps()] {
        assert_eq!(
            sim.post_json(&path, Some(&token), &body).await.pair(),
            (403, fixture("exchange-error-403.json")),
            "{path}"
        );
    }
    // Nothing was created.
    let (_, all) = sim
        .get(&path::legacy_apps(), Some(ADMIN_TOKEN))
        .await
        .pair();
    assert_eq!(all["total"], 2, "{all}");
    sim.stop().await;
}

#[tokio::test]
async fn api_manager_refuses_environments_outside_the_scopes_context() {
    let sim = Sim::scenario("env-scope-gap").await;
    let token = sim.app_token().await;
    let (status, sandbox) = sim.get(&path::apis(SANDBOX), Some(&token)).await.pair();
    assert_eq!(status, 200, "{sandbox}");
    assert_eq!(sandbox["total"], 1);
    // Design is not API Manager's at all (§12.1): see the test below.
    {
        let env = PRODUCTION;
        let (status, refused) = sim.get(&path::apis(env), Some(&token)).await.pair();
        assert_eq!(status, 403, "{env}: {refused}");
        assert_eq!(refused["name"], "ForbiddenError");
        let create = sim
            .post_json(
                &path::contracts(env, 18972611),
                Some(&token),
                &json!({"applicationId": EXISTING_APPS[0]}),
            )
            .await;
        assert_eq!(create.status, 403, "{env}: {create:?}");
    }
    // An environment of another org is not found there.
    let (status, _) = sim
        .get(&path::apis(scenarios::BG_SANDBOX), Some(&token))
        .await
        .pair();
    assert_eq!(status, 404);
    sim.stop().await;
}

#[tokio::test]
async fn api_manager_answers_for_a_design_environment_as_for_one_it_does_not_know() {
    // §12.1: API Manager does not manage design environments; how its API
    // answers for one is not documented, [I] 404 as for an unknown one,
    // whatever the app holds: even an org-wide scope and grants in Design.
    let world = granted(&[
        ("manage:apis", Some(ROOT), Some(DESIGN)),
        ("read:api_configuration", Some(ROOT), Some(DESIGN)),
        ("manage:api_contracts_all_envs", Some(ROOT), None),
    ]);
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let (status, listed) = sim.get(&path::apis(DESIGN), Some(&token)).await.pair();
    assert_eq!(status, 404, "{listed}");
    assert_eq!(listed["name"], "NotFoundError");
    let message = listed["message"].as_str().unwrap_or_default();
    for part in ["Environment", DESIGN, "not found"] {
        assert!(message.contains(part), "{part:?} missing: {listed}");
    }
    let (status, _) = sim
        .post_json(&path::apis(DESIGN), Some(&token), &json!({}))
        .await
        .pair();
    assert_eq!(status, 404);
    let (status, _) = sim
        .post_json(
            &path::contracts(DESIGN, SANDBOX_API),
            Some(&token),
            &json!({"applicationId": EXISTING_APPS[0]}),
        )
        .await
        .pair();
    assert_eq!(status, 404);
    // Access Management lists it, with its type.
    let (status, envs) = sim
        .get(
            &format!("/accounts/api/organizations/{ROOT}/environments"),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(status, 200, "{envs}");
    let design: Vec<&Value> = envs["data"]
        .as_array()
        .expect("data[]")
        .iter()
        .filter(|e| e["id"] == DESIGN)
        .collect();
    assert_eq!(design.len(), 1, "{envs}");
    assert_eq!(design[0]["type"], "design");
    sim.stop().await;
}

#[tokio::test]
async fn an_application_creator_sees_only_what_it_created() {
    // missing-view-scope: create:client_applications in the root org, no view scope.
    let sim = Sim::scenario("missing-view-scope").await;
    let token = sim.app_token().await;
    let id = sim.create_app(&token, "doctor-made-app").await;
    assert!(!EXISTING_APPS.contains(&id));

    let (status, listed) = sim.get(&path::exchange_apps(), Some(&token)).await.pair();
    assert_eq!(status, 200);
    assert_eq!(ids(&listed), [id], "{listed}");
    assert!(
        listed[0]["clientSecret"].is_string(),
        "its creator sees the secret"
    );
    let (_, legacy) = sim.get(&path::legacy_apps(), Some(&token)).await.pair();
    assert_eq!(legacy["total"], 1, "{legacy}");
    assert_eq!(ids(&legacy["applications"]), [id]);

    let own = format!("{}/{id}", path::exchange_apps());
    assert_eq!(sim.get(&own, Some(&token)).await.status, 200);
    let others = format!("{}/{}", path::exchange_apps(), EXISTING_APPS[0]);
    assert_eq!(sim.get(&others, Some(&token)).await.status, 404);
    // The admin sees all three.
    let (_, all) = sim
        .get(&path::legacy_apps(), Some(ADMIN_TOKEN))
        .await
        .pair();
    assert_eq!(all["total"], 3, "{all}");
    sim.stop().await;
}

#[tokio::test]
async fn creates_change_what_lists_show() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let id = sim.create_app(&token, "orders-batch").await;
    let (_, listed) = sim.get(&path::legacy_apps(), Some(&token)).await.pair();
    assert_eq!(listed["total"], 3, "{listed}");
    assert!(ids(&listed["applications"]).contains(&id));

    let contracts = path::contracts(SANDBOX, SANDBOX_API);
    let (status, created) = sim
        .post_json(
            &contracts,
            Some(&token),
            &json!({"applicationId": id, "requestedTierId": 1797161}),
        )
        .await
        .pair();
    // §11.10: API Manager's contract create answers 200, not 201.
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["applicationId"], id);
    assert_eq!(created["apiId"], SANDBOX_API);
    assert_eq!(created["status"], "APPROVED");

    let (status, list) = sim.get(&contracts, Some(&token)).await.pair();
    assert_eq!(status, 200);
    assert_eq!(list["total"], 2, "{list}");
    let mine = list["contracts"]
        .as_array()
        .expect("contracts[]")
        .iter()
        .find(|c| c["applicationId"] == id)
        .unwrap_or_else(|| panic!("the new contract is listed: {list}"));
    assert_eq!(mine["application"]["name"], "orders-batch");
    assert_eq!(mine["tier"]["name"], "Gold");
    let (_, api) = sim
        .get(
            &format!("{}/{SANDBOX_API}", path::apis(SANDBOX)),
            Some(&token),
        )
        .await
        .pair();
    assert_eq!(api["activeContractsCount"], 2, "{api}");

    let again = sim
        .post_json(&contracts, Some(&token), &json!({"applicationId": id}))
        .await;
    assert_eq!(again.status, 409, "{again:?}");
    assert_eq!(
        again.json()["name"],
        "ConflictError",
        "API Manager's own error shape"
    );
    let (_, list) = sim.get(&contracts, Some(&token)).await.pair();
    assert_eq!(list["total"], 2, "the duplicate was not added: {list}");
    sim.stop().await;
}

#[tokio::test]
async fn exchange_contract_lists_are_refused_to_connected_apps() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let path = format!("{}/{}/contracts", path::exchange_apps(), EXISTING_APPS[0]);
    assert_eq!(
        sim.get(&path, Some(&token)).await.pair(),
        (403, fixture("exchange-error-403.json"))
    );
    let (status, list) = sim.get(&path, Some(ADMIN_TOKEN)).await.pair();
    assert_eq!(status, 200, "{list}");
    assert_eq!(ids(&list), [6273842]);
    sim.stop().await;
}

// ---------------------------------------------------------------- errors and headers

#[tokio::test]
async fn retired_and_unknown_paths_are_404_in_the_platform_shape() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let retired = format!("/exchange/api/v1/organizations/{ROOT}/environments/{SANDBOX}/apis");
    let shape = fixture("exchange-error-404.json");
    for (path, token) in [
        (retired.as_str(), Some(token.as_str())),
        ("/no/such/path", Some(token.as_str())),
        ("/no/such/path", None),
        ("/accounts/api/v3/whatever", None),
    ] {
        let (status, body) = sim.get(path, token).await.pair();
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["status"], shape["status"], "{path}");
        assert_eq!(body["message"], shape["message"], "{path}");
    }
    sim.stop().await;
}

#[tokio::test]
async fn malformed_json_bodies_are_400() {
    let sim = Sim::scenario("healthy").await;
    let token = sim.app_token().await;
    let broken = "{\"name\": \"half";
    for path in [
        path::exchange_apps(),
        path::legacy_apps(),
        path::contracts(SANDBOX, SANDBOX_API),
        path::apis(SANDBOX),
        format!("{}/{}/contracts", path::exchange_apps(), EXISTING_APPS[0]),
    ] {
        let answer = sim
            .post(&path, Some(&token), "application/json", broken)
            .await;
        let (status, body) = answer.pair();
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["status"], 400, "{path}: {body}");
    }
    sim.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_platform_headers() {
    let sim = Sim::scenario("missing-manage-scopes").await;
    let token = sim.app_token().await;
    let before = now_secs();
    let answers = vec![
        sim.get(path::ME, Some(&token)).await,   // 200
        sim.token_for(CLIENT_ID, "wrong").await, // 401
        sim.get(path::ME, None).await,           // 401
        sim.post_json(&path::exchange_apps(), Some(&token), &json!({"name": "x"}))
            .await, // 403
        sim.get("/nowhere", None).await,         // 404
        sim.post(path::TOKEN, None, "application/json", "{").await, // 400
        sim.get(&path::apis(SANDBOX), Some(&token)).await, // 200
    ];
    let mut trx_ids = Vec::new();
    for answer in &answers {
        let trx = answer
            .header("x-anypnt-trx-id")
            .unwrap_or_else(|| panic!("no x-anypnt-trx-id: {answer:?}"));
        assert!(uuid::Uuid::parse_str(trx).is_ok(), "{trx}");
        assert_eq!(answer.header("x-request-id"), Some(trx), "{answer:?}");
        trx_ids.push(trx.to_string());
        let date = answer
            .header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or_else(|| panic!("no Date: {answer:?}"));
        let date = date
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!((before..=now_secs()).contains(&date), "{answer:?}");
        // The world sets no rate limit, so none is advertised: a count that
        // is never enforced would make a client that paces wait for nothing.
        // (Worlds with a limit: `scale`.)
        for name in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
        ] {
            assert_eq!(answer.header(name), None, "{answer:?}");
        }
    }
    trx_ids.sort();
    trx_ids.dedup();
    assert_eq!(
        trx_ids.len(),
        answers.len(),
        "one transaction id per answer"
    );
    let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
    assert_eq!(statuses, [200, 401, 401, 403, 404, 400, 200]);
    sim.stop().await;
}

// ---------------------------------------------------------------- faults

#[tokio::test]
async fn rate_limit_fault_answers_429_with_retry_after_and_reset() {
    let sim = Sim::start(healthy_with(vec![fault(
        path::ME,
        None,
        FaultKind::RateLimit {
            retry_after_secs: 30,
        },
        None,
    )]))
    .await;
    let token = sim.app_token().await;
    let before = now_secs();
    let answer = sim.get(path::ME, Some(&token)).await;
    let after = now_secs();
    let (status, body) = answer.pair();
    assert_eq!(status, 429, "{answer:?}");
    assert_eq!(body["status"], 429);
    assert_eq!(answer.header("retry-after"), Some("30"));
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = answer
        .header("x-ratelimit-reset")
        .and_then(|v| v.parse().ok())
        .expect("x-ratelimit-reset");
    assert!((before + 30..=after + 30).contains(&reset), "{reset}");
    assert!(answer.header("x-anypnt-trx-id").is_some());
    // Every time, not only once.
    assert_eq!(sim.get(path::ME, Some(&token)).await.status, 429);
    sim.stop().await;
}

#[tokio::test]
async fn server_error_faults_answer_json_or_a_gateway_html_page() {
    let sim = Sim::start(healthy_with(vec![
        fault(path::ME, None, FaultKind::Status { status: 503 }, None),
        fault(path::USERS_ME, None, FaultKind::Html { status: 502 }, None),
    ]))
    .await;
    let token = sim.app_token().await;
    assert_eq!(
        sim.get(path::ME, Some(&token)).await.pair(),
        (
            503,
            json!({"status": 503, "message": "Service Unavailable"})
        )
    );
    let html = sim.get(path::USERS_ME, Some(&token)).await;
    assert_eq!(html.status, 502);
    assert!(
        html.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{html:?}"
    );
    assert!(
        html.body.contains("<title>502 Bad Gateway</title>"),
        "{html:?}"
    );
    assert!(serde_json::from_str::<Value>(&html.body).is_err());
    sim.stop().await;
}

#[tokio::test]
async fn a_truncated_answer_is_the_first_half_of_the_real_one() {
    let sim = Sim::start(healthy_with(vec![fault(
        path::USERS_ME,
        None,
        FaultKind::Truncated,
        Some(1),
    )]))
    .await;
    let token = sim.app_token().await;
    let cut = sim.get(path::USERS_ME, Some(&token)).await;
    let whole = sim.get(path::USERS_ME, Some(&token)).await;
    assert_eq!((cut.status, whole.status), (StatusCode::OK, StatusCode::OK));
    assert!(serde_json::from_str::<Value>(&cut.body).is_err(), "{cut:?}");
    assert_eq!(whole.json()["id"], CLIENT_ID);
    assert_eq!(cut.body, whole.body[..whole.body.len() / 2]);
    sim.stop().await;
}

#[tokio::test]
async fn a_hung_request_times_out_and_the_simulator_still_stops() {
    let sim = Sim::start(healthy_with(vec![fault(
        path::ME,
        Some("GET"),
        FaultKind::Hang,
        None,
    )]))
    .await;
    let token = sim.app_token().await;
    let impatient = client(Duration::from_millis(300));
    let started = Instant::now();
    let error = impatient
        .get(sim.url(path::ME))
        .bearer_auth(&token)
        .send()
        .await
        .expect_err("no answer comes");
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Other paths still answer meanwhile.
    assert_eq!(
        sim.get(path::USERS_ME, Some(&token)).await.status,
        StatusCode::OK
    );
    sim.stop().await;
}

/// A hung create changes nothing; a create whose answer is lost was carried out.
#[tokio::test]
async fn a_lost_answer_times_out_yet_the_write_happened() {
    let create = path::exchange_apps();
    let sim = Sim::start(healthy_with(vec![
        fault(&create, Some("POST"), FaultKind::Hang, Some(1)),
        fault(&create, Some("POST"), FaultKind::LostAnswer, Some(1)),
    ]))
    .await;
    let token = sim.app_token().await;
    let impatient = client(Duration::from_millis(300));
    for name in ["hung-app", "lost-answer-app"] {
        let error = impatient
            .post(sim.url(&create))
            .bearer_auth(&token)
            .json(&json!({"name": name}))
            .send()
            .await
            .expect_err("no answer comes");
        assert!(error.is_timeout(), "{name}: {error:?}");
    }
    let (_, listed) = sim.get(&create, Some(ADMIN_TOKEN)).await.pair();
    let names: Vec<&str> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["orders-portal", "billing-batch", "lost-answer-app"],
        "{listed}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_reset_connection_is_a_transport_error() {
    let sim = Sim::start(healthy_with(vec![fault(
        path::ME,
        None,
        FaultKind::Reset,
        None,
    )]))
    .await;
    let token = sim.app_token().await;
    let outcome = match sim
        .http
        .get(sim.url(path::ME))
        .bearer_auth(&token)
        .send()
        .await
    {
        Err(e) => Err(e),
        Ok(response) => response.bytes().await.map(|_| ()),
    };
    assert!(outcome.is_err(), "the broken answer reads as an error");
    sim.stop().await;
}

#[tokio::test]
async fn faults_apply_to_their_method_and_only_as_many_times_as_asked() {
    let mut world = healthy_with(vec![
        fault(
            "/accounts/api/organizations/*",
            Some("GET"),
            FaultKind::Status { status: 500 },
            Some(1),
        ),
        fault(
            path::USERS_ME,
            Some("POST"),
            FaultKind::Status { status: 503 },
            None,
        ),
        fault(path::ME, None, FaultKind::Latency { ms: 60 }, None),
    ]);
    world.latency_ms = 20;
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let org = path::org(ROOT);
    assert_eq!(sim.get(&org, Some(&token)).await.status, 500, "the first");
    assert_eq!(sim.get(&org, Some(&token)).await.status, 200, "the second");
    // `*` is one segment: deeper paths are not affected.
    let environments = format!("{org}/environments");
    assert_eq!(sim.get(&environments, Some(&token)).await.status, 200);
    // A POST-only fault leaves GET alone.
    assert_eq!(sim.get(path::USERS_ME, Some(&token)).await.status, 200);
    let post = sim
        .post(path::USERS_ME, Some(&token), "application/json", "{}")
        .await;
    assert_eq!(post.status, 503, "{post:?}");
    // Added latency: the world's on every answer, plus the fault's.
    let started = Instant::now();
    assert_eq!(sim.get(path::ME, Some(&token)).await.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(80),
        "{:?}",
        started.elapsed()
    );
    sim.stop().await;
}

/// `stop` must return even when nothing was asked of the simulator yet.
#[tokio::test]
async fn stopping_right_after_start_returns() {
    let running = serve(world("healthy")).await;
    tokio::time::timeout(Duration::from_secs(2), running.stop())
        .await
        .expect("stop returns");
}

// ---------------------------------------------------------------- corrected platform facts (§11)

/// The healthy world with the login app's grants replaced.
fn granted(grants: &[(&str, Option<&str>, Option<&str>)]) -> World {
    let mut world = world("healthy");
    world.connected_apps[0].scopes = grants
        .iter()
        .map(|(scope, org, env)| Grant {
            scope: scope.to_string(),
            org: org.map(str::to_string),
            env: env.map(str::to_string),
        })
        .collect();
    world
}

/// A client application created by `created_by` (a client id or a username).
fn application(id: u64, name: &str, created_by: &str) -> ClientApplication {
    ClientApplication {
        id,
        name: name.into(),
        description: None,
        client_id: format!("{id:032x}"),
        client_secret: format!("{id:032X}"),
        created_by: created_by.into(),
        redirect_uris: Vec::new(),
        grant_types: Vec::new(),
    }
}

/// An API instance of `env` with no tier.
fn instance(id: u64, env: &str) -> ApiInstance {
    ApiInstance {
        id,
        env: env.into(),
        asset_id: "orders-api".into(),
        group_id: None,
        asset_version: "1.0.3".into(),
        product_version: "v1".into(),
        instance_label: None,
        exchange_asset_name: None,
        status: "active".into(),
        tiers: Vec::new(),
        policies: Vec::new(),
        upstreams: Vec::new(),
        alerts: Vec::new(),
    }
}

#[tokio::test]
async fn applications_name_their_owners() {
    // §4.8 and §11.1: owners[].entityType is "client" for a connected app's own applications.
    let mut world = world("healthy");
    world
        .client_applications
        .push(application(2349099, "ci-made", CLIENT_ID));
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let created = sim
        .post_json(
            &path::exchange_apps(),
            Some(&token),
            &json!({"name": "fresh"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    let created = created.json();
    let client_owner = json!([{"id": CLIENT_ID, "organizationId": ROOT, "entityType": "client", "username": null}]);
    assert_eq!(created["owners"], client_owner, "{created}");

    let (_, legacy) = sim.get(&path::legacy_apps(), Some(&token)).await.pair();
    let (_, exchange) = sim.get(&path::exchange_apps(), Some(&token)).await.pair();
    let legacy = legacy["applications"].as_array().expect("applications[]");
    let exchange = exchange.as_array().expect("a bare array");
    assert_eq!(legacy.len(), 4, "{legacy:?}");
    for (from_legacy, from_exchange) in legacy.iter().zip(exchange) {
        assert_eq!(from_legacy["owners"], from_exchange["owners"]);
        let owners = from_legacy["owners"].as_array().expect("owners[]");
        assert_eq!(owners.len(), 1, "{from_legacy}");
        let owner = &owners[0];
        assert_eq!(owner["organizationId"], ROOT);
        if EXISTING_APPS.contains(&from_legacy["id"].as_u64().expect("an id")) {
            assert_eq!(owner["entityType"], "user", "{owner}");
            assert_eq!(owner["username"], "ada-example", "{owner}");
            assert!(
                owner["id"].as_str().is_some_and(|id| id.len() == 32),
                "{owner}"
            );
        } else {
            assert_eq!(from_legacy["owners"], client_owner, "{from_legacy}");
        }
    }
    // The same user has the same id on each of their applications.
    assert_eq!(legacy[0]["owners"], legacy[1]["owners"]);
    let described = sim
        .get(
            &format!("{}/{}", path::exchange_apps(), 2349099),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(described["owners"], client_owner, "{described}");
    sim.stop().await;
}

#[tokio::test]
async fn application_creator_alone_lists_its_own_applications_and_creates() {
    // §11.1: Application Creator in the root org creates, and sees only what it created.
    let mut world = granted(&[("create:client_applications", Some(ROOT), None)]);
    world
        .client_applications
        .push(application(2349099, "ci-made", CLIENT_ID));
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let (status, legacy) = sim.get(&path::legacy_apps(), Some(&token)).await.pair();
    assert_eq!(status, 200, "{legacy}");
    assert_eq!(legacy["total"], 1, "{legacy}");
    assert_eq!(ids(&legacy["applications"]), [2349099]);
    let id = sim.create_app(&token, "made-by-creator").await;
    let (_, listed) = sim.get(&path::exchange_apps(), Some(&token)).await.pair();
    assert_eq!(ids(&listed), [2349099, id], "{listed}");
    sim.stop().await;

    let mut world = granted(&[("read:org_client_applications", Some(ROOT), None)]);
    world
        .client_applications
        .push(application(2349099, "ci-made", CLIENT_ID));
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let (_, all) = sim.get(&path::legacy_apps(), Some(&token)).await.pair();
    assert_eq!(
        ids(&all["applications"]),
        [EXISTING_APPS[0], EXISTING_APPS[1], 2349099],
        "{all}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn environment_administrator_covers_contracts_in_its_environment() {
    // §11.2: manage:apis covers contracts (with Exchange Viewer, §12.2).
    let sim = Sim::start(granted(&[
        ("manage:apis", Some(ROOT), Some(SANDBOX)),
        ("read:exchange", Some(ROOT), None),
    ]))
    .await;
    let token = sim.app_token().await;
    let contracts = path::contracts(SANDBOX, SANDBOX_API);
    let (status, list) = sim.get(&contracts, Some(&token)).await.pair();
    assert_eq!((status, list["total"].clone()), (200, json!(1)), "{list}");
    let body = json!({"applicationId": EXISTING_APPS[1]});
    let (status, created) = sim.post_json(&contracts, Some(&token), &body).await.pair();
    assert_eq!(status, 200, "{created}");
    let production = path::contracts(PRODUCTION, 18972611);
    assert_eq!(sim.get(&production, Some(&token)).await.status, 403);
    let refused = sim.post_json(&production, Some(&token), &body).await;
    assert_eq!(refused.status, 403, "{refused:?}");
    sim.stop().await;
}

/// §12.2: a contract needs Exchange Viewer besides Manage Contracts, and
/// reading the instance's Exchange asset tells whether the app holds it.
#[tokio::test]
async fn contracts_need_exchange_viewer_and_the_asset_read_tells_it() {
    let asset = format!("/exchange/api/v2/assets/{ROOT}/orders-api");
    let body = json!({"applicationId": EXISTING_APPS[1]});
    let contracts = path::contracts(SANDBOX, SANDBOX_API);
    let without = granted(&[("manage:api_contracts", Some(ROOT), Some(SANDBOX))]);
    let sim = Sim::start(without).await;
    let token = sim.app_token().await;
    let (status, refused) = sim.post_json(&contracts, Some(&token), &body).await.pair();
    assert_eq!(status, 403, "{refused}");
    let (status, read) = sim.get(&asset, Some(&token)).await.pair();
    assert_eq!(status, 403, "{read}");
    sim.stop().await;

    let with = granted(&[
        ("manage:api_contracts", Some(ROOT), Some(SANDBOX)),
        ("read:exchange", Some(ROOT), None),
    ]);
    let sim = Sim::start(with).await;
    let token = sim.app_token().await;
    let (status, read) = sim.get(&asset, Some(&token)).await.pair();
    assert_eq!(
        (status, read["assetId"].clone()),
        (200, json!("orders-api")),
        "{read}"
    );
    // An asset no instance names is not found, whatever the app holds.
    let unknown = format!("/exchange/api/v2/assets/{ROOT}/no-such-api");
    assert_eq!(sim.get(&unknown, Some(&token)).await.status, 404);
    let (status, created) = sim.post_json(&contracts, Some(&token), &body).await.pair();
    assert_eq!(status, 200, "{created}");
    sim.stop().await;
}

#[tokio::test]
async fn contracts_all_envs_covers_every_environment_of_its_org_only() {
    // §11.2: manage:api_contracts_all_envs on an org, no environment.
    let mut world = granted(&[
        ("manage:api_contracts_all_envs", Some(ROOT), None),
        ("read:exchange", Some(ROOT), None),
    ]);
    world.apis.push(instance(18972613, scenarios::BG_SANDBOX));
    let sim = Sim::start(world).await;
    let token = sim.app_token().await;
    let body = json!({"applicationId": EXISTING_APPS[1]});
    for (env, api) in [(SANDBOX, SANDBOX_API), (PRODUCTION, 18972611)] {
        let (status, created) = sim
            .post_json(&path::contracts(env, api), Some(&token), &body)
            .await
            .pair();
        assert_eq!(status, 200, "{env}: {created}");
        assert_eq!(created["apiId"], api);
    }
    let group = format!(
        "/apimanager/api/v1/organizations/{BUSINESS_GROUP}/environments/{}/apis/18972613/contracts",
        scenarios::BG_SANDBOX
    );
    let refused = sim.post_json(&group, Some(&token), &body).await;
    assert_eq!(refused.status, 403, "another org: {refused:?}");
    sim.stop().await;
}

#[tokio::test]
async fn me_for_a_connected_app_carries_the_user_who_created_it() {
    // §11.7.
    let mut world = world("healthy");
    world.users.push(User {
        username: "bob-builder".into(),
        token: "sim-bob-token".into(),
        org: BUSINESS_GROUP.into(),
        org_admin: false,
    });
    world.connected_apps[0].created_by = Some("bob-builder".into());
    let sim = Sim::start(world.clone()).await;
    let token = sim.app_token().await;
    let (status, me) = sim.get(path::ME, Some(&token)).await.pair();
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        me["client"],
        fixture("accounts-me-connected-app.json")["client"]
    );
    let user = &me["user"];
    assert_eq!(user["username"], "bob-builder", "{me}");
    assert_eq!(user["organizationId"], BUSINESS_GROUP, "{me}");
    assert!(user["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(
        user["memberOfOrganizations"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{me}"
    );
    // The same profile as the user's own token shows.
    let (_, own) = sim.get(path::ME, Some("sim-bob-token")).await.pair();
    assert_eq!(own["user"], *user);
    sim.stop().await;

    world.users.clear();
    world.connected_apps[0].created_by = None;
    let sim = Sim::start(world.clone()).await;
    let token = sim.app_token().await;
    assert_eq!(
        sim.get(path::ME, Some(&token)).await.pair(),
        (200, fixture("accounts-me-connected-app.json")),
        "no user in the world: no `user`"
    );
    sim.stop().await;

    world.connected_apps[0].created_by = Some("nobody".into());
    let err = world.resolve().expect_err("an unknown creator is refused");
    assert!(
        err.to_string().contains("connected_apps[0].created_by"),
        "{err}"
    );
}

#[tokio::test]
async fn throttle_fault_is_an_empty_503_with_rate_limit_headers() {
    // §6, §11.8 (KB 001116018).
    let sim = Sim::start(healthy_with(vec![fault(
        "/accounts/api/organizations/*/environments",
        None,
        FaultKind::Throttle {
            reset_after_secs: 7,
        },
        Some(1),
    )]))
    .await;
    let token = sim.app_token().await;
    let environments = format!("{}/environments", path::org(ROOT));
    let before = now_secs();
    let answer = sim.get(&environments, Some(&token)).await;
    let after = now_secs();
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.body, "", "{answer:?}");
    assert_eq!(answer.header("content-length"), Some("0"), "{answer:?}");
    assert_eq!(answer.header("content-type"), None, "{answer:?}");
    assert_eq!(answer.header("retry-after"), None, "{answer:?}");
    assert_eq!(answer.header("x-ratelimit-limit"), Some("400"));
    assert_eq!(answer.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = answer
        .header("x-ratelimit-reset")
        .and_then(|v| v.parse().ok())
        .expect("x-ratelimit-reset");
    assert!((before + 7..=after + 7).contains(&reset), "{reset}");
    assert!(answer.header("x-anypnt-trx-id").is_some());
    assert_eq!(sim.get(&environments, Some(&token)).await.status, 200);
    sim.stop().await;

    // Scenario files name it `throttle`.
    let kind: FaultKind =
        serde_json::from_value(json!({"type": "throttle", "reset_after_secs": 1})).expect("parses");
    assert!(matches!(
        kind,
        FaultKind::Throttle {
            reset_after_secs: 1
        }
    ));
}

#[tokio::test]
async fn granted_scopes_are_paged_with_a_small_default_and_a_cap() {
    // §11.4; the default (20) and the cap (100) are [I].
    let mut world = world("healthy");
    world.connected_apps[0].scopes = (0..130)
        .map(|i| Grant {
            scope: format!("sim:scope-{i:03}"),
            org: Some(ROOT.into()),
            env: None,
        })
        .collect();
    let sim = Sim::start(world).await;
    let org_path = format!(
        "{}/connectedApplications/{CLIENT_ID}/scopes",
        path::org(ROOT)
    );
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .expect("data[]")
            .iter()
            .map(|g| g["scope"].as_str().expect("a scope").to_string())
            .collect()
    };
    for base in [path::app_scopes(CLIENT_ID), org_path] {
        let (status, first) = sim.get(&base, Some(ADMIN_TOKEN)).await.pair();
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["total"], 130);
        assert_eq!(names(&first).len(), 20, "the default page");
        assert_eq!(names(&first)[0], "sim:scope-000");

        let (_, capped) = sim
            .get(&format!("{base}?limit=500"), Some(ADMIN_TOKEN))
            .await
            .pair();
        assert_eq!(names(&capped).len(), 50, "the cap");
        assert_eq!(capped["total"], 130);

        let mut all = Vec::new();
        let mut offset = 0;
        while offset < 130 {
            let (_, page) = sim
                .get(
                    &format!("{base}?offset={offset}&limit=50"),
                    Some(ADMIN_TOKEN),
                )
                .await
                .pair();
            assert_eq!(page["total"], 130);
            all.extend(names(&page));
            offset += 50;
        }
        let want: Vec<String> = (0..130).map(|i| format!("sim:scope-{i:03}")).collect();
        assert_eq!(all, want, "{base}: every page, in order");
        let (_, beyond) = sim
            .get(&format!("{base}?offset=200"), Some(ADMIN_TOKEN))
            .await
            .pair();
        assert_eq!(
            (names(&beyond).len(), beyond["total"].clone()),
            (0, json!(130))
        );
    }
    let token = sim.app_token().await;
    assert_eq!(
        sim.get(&path::app_scopes(CLIENT_ID), Some(&token))
            .await
            .status,
        403,
        "still org admins only"
    );
    sim.stop().await;
}

#[tokio::test]
async fn an_app_acting_for_a_user_gets_no_client_credentials_token() {
    // §11.11: the RFC 6749 shape is [I].
    let mut user_type = world("healthy");
    user_type.connected_apps[0].grant_types = vec!["authorization_code".into(), "password".into()];
    let sim = Sim::start(user_type).await;
    assert_eq!(
        sim.token_for(CLIENT_ID, CLIENT_SECRET).await.pair(),
        (
            400,
            json!({"error": "unauthorized_client", "error_description": "The client is not authorized to use the client_credentials grant type"})
        )
    );
    // A wrong secret is still the 401 it always was.
    assert_eq!(
        sim.token_for(CLIENT_ID, "not-the-secret").await.pair(),
        (401, fixture("token-error-invalid-client.json"))
    );
    sim.stop().await;

    // An app that names no grant types acts on its own behalf.
    let file: World = serde_json::from_value({
        let mut value = serde_json::to_value(world("healthy")).expect("serializes");
        value["connected_apps"][0]
            .as_object_mut()
            .expect("an app")
            .remove("grant_types");
        value
    })
    .expect("parses");
    assert_eq!(file.connected_apps[0].grant_types, ["client_credentials"]);
}

#[tokio::test]
async fn lookup_before_scope_answers_404_for_unknown_instances_first() {
    // [I] §11.9: the order is switchable; by default the scope comes first.
    let read_only = granted(&[
        ("read:api_configuration", Some(ROOT), Some(SANDBOX)),
        ("manage:api_contracts", Some(ROOT), Some(SANDBOX)),
    ]);
    let base = path::apis(PRODUCTION);
    let unknown = 99_999_999u64;
    let body = json!({"applicationId": EXISTING_APPS[1]});
    for (lookup_first, want_unknown) in [(false, 403), (true, 404)] {
        let mut world = read_only.clone();
        world.lookup_before_scope = lookup_first;
        let sim = Sim::start(world).await;
        let token = sim.app_token().await;
        let describe = sim.get(&format!("{base}/{unknown}"), Some(&token)).await;
        let list = sim
            .get(&path::contracts(PRODUCTION, unknown), Some(&token))
            .await;
        let create = sim
            .post_json(&path::contracts(PRODUCTION, unknown), Some(&token), &body)
            .await;
        for (what, answer) in [
            ("describe", &describe),
            ("list", &list),
            ("create", &create),
        ] {
            assert_eq!(
                answer.status.as_u16(),
                want_unknown,
                "lookup_before_scope={lookup_first}, {what}: {answer:?}"
            );
        }
        if lookup_first {
            assert_eq!(create.json()["name"], "NotFoundError");
        }
        // A known instance is refused either way.
        let known = sim
            .post_json(&path::contracts(PRODUCTION, 18972611), Some(&token), &body)
            .await;
        assert_eq!(known.status, 403, "{known:?}");
        // Where the scope is held, an unknown instance is 404 either way.
        let held = sim
            .post_json(&path::contracts(SANDBOX, unknown), Some(&token), &body)
            .await;
        assert_eq!(held.status, 404, "{held:?}");
        sim.stop().await;
    }
}

#[tokio::test]
async fn issued_tokens_are_revoked_once_after_n_authenticated_requests() {
    let mut world = world("healthy");
    world.revoke_tokens_after = Some(3);
    let sim = Sim::start(world).await;
    let first = sim.app_token().await;
    let second = sim.app_token().await;
    // Requests without a valid token do not count.
    assert_eq!(sim.get(path::ME, None).await.status, 401);
    assert_eq!(sim.get(path::ME, Some("not-a-token")).await.status, 401);
    assert_eq!(sim.get(path::ME, Some(&first)).await.status, 200); // 1
    assert_eq!(sim.get(path::ME, Some(&second)).await.status, 200); // 2
    assert_eq!(sim.get(path::ME, Some(ADMIN_TOKEN)).await.status, 200); // 3: answered, then revoked
    let revoked = json!({"status": 401, "message": "Unauthorized: the token has been revoked"});
    for token in [&first, &second] {
        assert_eq!(
            sim.get(path::ME, Some(token)).await.pair(),
            (401, revoked.clone())
        );
    }
    // A user's fixed token is not revoked; a token issued afterwards works, for good.
    assert_eq!(sim.get(path::ME, Some(ADMIN_TOKEN)).await.status, 200);
    let fresh = sim.app_token().await;
    for _ in 0..5 {
        assert_eq!(sim.get(path::ME, Some(&fresh)).await.status, 200);
    }
    assert_eq!(sim.get(path::ME, Some(&first)).await.status, 401);
    sim.stop().await;
}

// ---------------------------------------------------------------- changing a Connected App's scopes (§4.5, §11.5)

/// A `{"scopes": [...]}` body: `(scope, org, envId)`, context keys only where given.
fn scopes_body(grants: &[(&str, Option<&str>, Option<&str>)]) -> Value {
    let scopes: Vec<Value> = grants
        .iter()
        .map(|(scope, org, env)| json!({"scope": scope, "context_params": context(*org, *env)}))
        .collect();
    json!({ "scopes": scopes })
}

/// `context_params` as the platform writes them: a key only for what is set.
fn context(org: Option<&str>, env: Option<&str>) -> Value {
    let mut context = serde_json::Map::new();
    if let Some(org) = org {
        context.insert("org".into(), json!(org));
    }
    if let Some(env) = env {
        context.insert("envId".into(), json!(env));
    }
    Value::Object(context)
}

/// An org admin of the business group (not of the root org).
fn group_admin() -> User {
    User {
        username: "bg-admin".into(),
        token: "sim-bg-admin".into(),
        org: BUSINESS_GROUP.into(),
        org_admin: true,
    }
}

/// The pairs `fixable` lacks, as a body.
fn fixable_missing() -> Vec<(&'static str, Option<&'static str>, Option<&'static str>)> {
    scenarios::FIXABLE_MISSING
        .iter()
        .map(|&(scope, org, env)| (scope, Some(org), Some(env)))
        .collect()
}

impl Sim {
    async fn change(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Answer {
        self.send_body(method, path, token, "application/json", body.to_string())
            .await
    }

    /// A change by the org admin that must succeed: 204, no body.
    async fn admin_change(&self, method: Method, path: &str, body: &Value) {
        let answer = self
            .change(method.clone(), path, Some(ADMIN_TOKEN), body)
            .await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::NO_CONTENT, ""),
            "{method} {path} {body}: {answer:?}"
        );
    }

    /// The login app's granted scopes as the admin reads them, every page, as `(scope, context_params)`.
    async fn granted(&self) -> Vec<(String, Value)> {
        let path = format!("{}?limit=50", path::app_scopes(CLIENT_ID));
        let mut out = Vec::new();
        loop {
            let (status, page) = self
                .get(&format!("{path}&offset={}", out.len()), Some(ADMIN_TOKEN))
                .await
                .pair();
            assert_eq!(status, 200, "{page}");
            let data = page["data"].as_array().expect("data[]");
            out.extend(data.iter().map(|g| {
                let scope = g["scope"].as_str().expect("a scope").to_string();
                (scope, g["context_params"].clone())
            }));
            if data.is_empty() || out.len() as u64 >= page["total"].as_u64().expect("total") {
                return out;
            }
        }
    }

    /// How many PATCH, PUT and DELETE requests the simulator answered (any path).
    fn writes(&self) -> (usize, usize, usize) {
        let log = self.running.state.request_log();
        let count = |method: &str| log.iter().filter(|l| l.starts_with(method)).count();
        (count("PATCH "), count("PUT "), count("DELETE "))
    }
}

/// `grants` as the list answers them, sorted, for comparing sets.
fn as_listed(grants: &[Grant]) -> Vec<(String, Value)> {
    sorted(
        grants
            .iter()
            .map(|g| (g.scope.clone(), context(g.org.as_deref(), g.env.as_deref())))
            .collect(),
    )
}

fn sorted(mut list: Vec<(String, Value)>) -> Vec<(String, Value)> {
    list.sort_by_key(|(scope, context)| format!("{scope} {context}"));
    list
}

#[tokio::test]
async fn patch_adds_each_pair_once_on_either_path_and_fixable_becomes_healthy() {
    let sim = Sim::scenario("fixable").await;
    let before = sim.granted().await;
    let missing = fixable_missing();
    let first = scopes_body(&missing[..2]);
    sim.admin_change(Method::PATCH, &path::app_scopes(CLIENT_ID), &first)
        .await;
    assert_eq!(sim.granted().await.len(), before.len() + 2);
    // Again, on the org path, with a pair already held and the other two: only those two are new.
    let rest = scopes_body(&missing[1..]);
    sim.admin_change(Method::PATCH, &path::org_app_scopes(CLIENT_ID), &rest)
        .await;
    let after = sim.granted().await;
    assert_eq!(after.len(), before.len() + missing.len());
    // Added at the end, what was held kept in its order.
    assert_eq!(after[..before.len()], before[..]);
    assert_eq!(
        sorted(after),
        as_listed(&world("healthy").connected_apps[0].scopes)
    );
    assert_eq!(sim.writes(), (2, 0, 0));
    sim.stop().await;
}

#[tokio::test]
async fn put_replaces_the_list_and_delete_removes_the_listed_pairs() {
    let sim = Sim::scenario("healthy").await;
    let path = path::org_app_scopes(CLIENT_ID);
    let kept = [
        ("profile", None, None),
        ("manage:api_contracts", Some(ROOT), Some(SANDBOX)),
    ];
    // A pair twice is held once.
    let twice = [kept[0], kept[1], kept[1]];
    sim.admin_change(Method::PUT, &path, &scopes_body(&twice))
        .await;
    let listed = |grants: &[(&str, Option<&str>, Option<&str>)]| -> Vec<(String, Value)> {
        grants
            .iter()
            .map(|(scope, org, env)| (scope.to_string(), context(*org, *env)))
            .collect()
    };
    assert_eq!(sim.granted().await, listed(&kept));
    // One held, one not: the held one goes, the other is ignored.
    let body = scopes_body(&[kept[0], ("read:exchange", Some(ROOT), None)]);
    sim.admin_change(Method::DELETE, &path, &body).await;
    assert_eq!(sim.granted().await, listed(&kept[1..]));
    // An empty list replaces everything.
    sim.admin_change(Method::PUT, &path, &json!({"scopes": []}))
        .await;
    assert_eq!(sim.granted().await, []);
    // PUT and DELETE are served on the org path only (§4.5).
    for method in [Method::PUT, Method::DELETE] {
        let answer = sim
            .change(
                method,
                &path::app_scopes(CLIENT_ID),
                Some(ADMIN_TOKEN),
                &scopes_body(&kept),
            )
            .await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{answer:?}");
    }
    assert_eq!(sim.writes(), (0, 3, 2));
    sim.stop().await;
}

#[tokio::test]
async fn only_an_org_admin_user_of_the_apps_org_or_above_changes_its_scopes() {
    let mut world = world("fixable");
    world.users.extend([
        User {
            username: "dev-dora".into(),
            token: "sim-user-not-an-admin".into(),
            org: ROOT.into(),
            org_admin: false,
        },
        group_admin(),
    ]);
    let sim = Sim::start(world).await;
    let app_token = sim.app_token().await;
    let before = sim.granted().await;
    let body = scopes_body(&fixable_missing());
    let writes = [
        (Method::PATCH, path::app_scopes(CLIENT_ID)),
        (Method::PATCH, path::org_app_scopes(CLIENT_ID)),
        (Method::PUT, path::org_app_scopes(CLIENT_ID)),
        (Method::DELETE, path::org_app_scopes(CLIENT_ID)),
    ];
    for (method, path) in &writes {
        // The app itself, a user who is not an org admin, an admin of a business
        // group below the app's org: 403 in Access Management's shape.
        for token in [app_token.as_str(), "sim-user-not-an-admin", "sim-bg-admin"] {
            let (status, refused) = sim
                .change(method.clone(), path, Some(token), &body)
                .await
                .pair();
            assert_eq!(
                (status, refused["status"].clone()),
                (403, json!(403)),
                "{method} {path} {token}: {refused}"
            );
            assert!(
                refused["message"]
                    .as_str()
                    .expect("a message")
                    .contains("organization administrator")
            );
        }
        assert_eq!(
            sim.change(method.clone(), path, None, &body).await.status,
            401
        );
        let unknown = path.replace(CLIENT_ID, "no-such-app");
        let (status, missing) = sim
            .change(method.clone(), &unknown, Some(ADMIN_TOKEN), &body)
            .await
            .pair();
        assert_eq!(
            (status, missing["status"].clone()),
            (404, json!(404)),
            "{method} {unknown}: {missing}"
        );
    }
    assert_eq!(sim.granted().await, before);
    sim.stop().await;
}

#[tokio::test]
async fn a_business_group_admin_changes_an_app_that_lives_in_the_group() {
    let mut world = world("business-group-org");
    world.users.push(group_admin());
    let sim = Sim::start(world).await;
    let body = scopes_body(&[(
        "manage:api_contracts",
        Some(BUSINESS_GROUP),
        Some(scenarios::BG_SANDBOX),
    )]);
    let answer = sim
        .change(
            Method::PATCH,
            &path::app_scopes(CLIENT_ID),
            Some("sim-bg-admin"),
            &body,
        )
        .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:?}");
    sim.stop().await;
}

#[tokio::test]
async fn bad_scope_change_bodies_are_400_and_change_nothing() {
    let sim = Sim::scenario("fixable").await;
    let before = sim.granted().await;
    let one = |scope: &str, context: Value| json!({"scopes": [{"scope": scope, "context_params": context}]});
    let too_many: Vec<Value> = (0..1001)
        .map(|_| json!({"scope": "profile", "context_params": {}}))
        .collect();
    let bad: Vec<(&str, String)> = vec![
        ("not JSON", "{\"scopes\": [".into()),
        ("no scopes", json!({}).to_string()),
        (
            "scopes not an array",
            json!({"scopes": "manage:apis"}).to_string(),
        ),
        (
            "no scope id",
            json!({"scopes": [{"context_params": {}}]}).to_string(),
        ),
        (
            "scope id not a string",
            json!({"scopes": [{"scope": 7}]}).to_string(),
        ),
        (
            "unknown scope",
            one("manage:everything", json!({"org": ROOT})).to_string(),
        ),
        (
            "envId on an org scope",
            one("read:exchange", json!({"org": ROOT, "envId": PRODUCTION})).to_string(),
        ),
        (
            "org scope without org",
            one("read:exchange", json!({})).to_string(),
        ),
        (
            "env scope without envId",
            one("manage:api_contracts", json!({"org": ROOT})).to_string(),
        ),
        (
            "env scope without org",
            one("manage:api_contracts", json!({"envId": PRODUCTION})).to_string(),
        ),
        (
            "context on a basic scope",
            one("profile", json!({"org": ROOT})).to_string(),
        ),
        (
            "org outside the tenant",
            one(
                "read:exchange",
                json!({"org": "00000000-0000-4000-8000-000000000000"}),
            )
            .to_string(),
        ),
        (
            "env of another org",
            one(
                "manage:api_contracts",
                json!({"org": ROOT, "envId": scenarios::BG_SANDBOX}),
            )
            .to_string(),
        ),
        (
            "unknown environment",
            one(
                "manage:api_contracts",
                json!({"org": ROOT, "envId": "no-such-env"}),
            )
            .to_string(),
        ),
        (
            "env_id instead of envId",
            one(
                "manage:api_contracts",
                json!({"org": ROOT, "env_id": PRODUCTION}),
            )
            .to_string(),
        ),
        (
            "org not a string",
            one("read:exchange", json!({"org": 1})).to_string(),
        ),
        (
            "context_params not an object",
            one("profile", json!([])).to_string(),
        ),
        (
            "more than 1000 scopes",
            json!({"scopes": too_many}).to_string(),
        ),
    ];
    for (why, body) in &bad {
        for (method, path) in [
            (Method::PATCH, path::app_scopes(CLIENT_ID)),
            (Method::PUT, path::org_app_scopes(CLIENT_ID)),
            (Method::DELETE, path::org_app_scopes(CLIENT_ID)),
        ] {
            let (status, refused) = sim
                .send_body(
                    method.clone(),
                    &path,
                    Some(ADMIN_TOKEN),
                    "application/json",
                    body.clone(),
                )
                .await
                .pair();
            assert_eq!(
                (status, refused["status"].clone()),
                (400, json!(400)),
                "{why}: {method}: {refused}"
            );
            assert!(refused["message"].is_string(), "{why}: {refused}");
        }
    }
    // One bad item refuses the whole change, good items included.
    let mixed = json!({"scopes": [
        {"scope": "manage:api_contracts", "context_params": {"org": ROOT, "envId": PRODUCTION}},
        {"scope": "manage:everything", "context_params": {}},
    ]});
    let (status, refused) = sim
        .change(
            Method::PATCH,
            &path::app_scopes(CLIENT_ID),
            Some(ADMIN_TOKEN),
            &mixed,
        )
        .await
        .pair();
    assert_eq!(status, 400);
    assert!(
        refused["message"]
            .as_str()
            .expect("a message")
            .contains("scopes[1]"),
        "{refused}"
    );
    assert_eq!(sim.granted().await, before);
    sim.stop().await;
}

#[tokio::test]
async fn a_scope_change_reaches_tokens_issued_after_it_only() {
    let sim = Sim::scenario("fixable").await;
    // An invalid contract body: 403 without Manage Contracts, 400 with it, and nothing is created.
    let contracts = path::contracts(PRODUCTION, 18972611);
    let probe = |token: String| {
        let sim = &sim;
        let contracts = &contracts;
        async move {
            sim.post_json(contracts, Some(&token), &json!({}))
                .await
                .status
        }
    };
    let old = sim.app_token().await;
    assert_eq!(probe(old.clone()).await, StatusCode::FORBIDDEN);
    let pair = [("manage:api_contracts", Some(ROOT), Some(PRODUCTION))];
    sim.admin_change(
        Method::PATCH,
        &path::app_scopes(CLIENT_ID),
        &scopes_body(&pair),
    )
    .await;
    assert_eq!(
        probe(old.clone()).await,
        StatusCode::FORBIDDEN,
        "a token issued before the change keeps the old scopes"
    );
    let new = sim.app_token().await;
    assert_eq!(
        probe(new.clone()).await,
        StatusCode::BAD_REQUEST,
        "a token issued after it has the new ones"
    );
    // A removal too reaches only the tokens issued after it.
    sim.admin_change(
        Method::DELETE,
        &path::org_app_scopes(CLIENT_ID),
        &scopes_body(&pair),
    )
    .await;
    assert_eq!(probe(new).await, StatusCode::BAD_REQUEST);
    assert_eq!(probe(sim.app_token().await).await, StatusCode::FORBIDDEN);
    assert_eq!(probe(old).await, StatusCode::FORBIDDEN);
    sim.stop().await;
}
