//! Client applications and their contracts: the legacy application
//! repository (`/apiplatform/repository/v2`), Exchange v2, and the retired
//! Exchange v1 API list. Client applications live in the root organization.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::{self, ContractRefused, MANAGE_CONTRACTS, add_contract};
use super::{Caller, LIST_DEFAULT_LIMIT, Paging, Shared, allowed, derived_id};
use crate::respond;
use crate::state::Subject;
use crate::world::{ClientApplication, World};

const VIEW_ALL: &[&str] = &[
    "read:org_client_applications",
    "manage:org_client_applications",
];
const MANAGE_ALL: &[&str] = &["manage:org_client_applications"];
const CREATE: &[&str] = &[
    "create:client_applications",
    "manage:org_client_applications",
];
/// The `grantTypes[]` a client application may be created with (§4.9, §4.10
/// of shared/reference/anypoint-api.md). The reference lists no closed set:
/// these are the OAuth grants Anypoint offers client applications, the ones
/// §11 item 11 names for user-acting apps plus `implicit` and
/// `client_credentials` [I].
const GRANT_TYPES: &[&str] = &[
    "authorization_code",
    "implicit",
    "password",
    "client_credentials",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

fn created_by(caller: &Subject) -> String {
    match caller {
        Subject::App { client_id, .. } => client_id.clone(),
        Subject::User { username } => username.clone(),
    }
}

/// The applications the caller can see in `org`: all of them with the view
/// scope in the root org, only its own with Application Creator (§11.1,
/// mulesoft/docs-api-manager manage-client-apps-connected-apps-concept.adoc), none
/// otherwise (200 and empty, §8.1, KB 005385409), and none at all when `org` is
/// not the root (they live there, §8.3).
fn visible<'a>(world: &'a World, caller: &Subject, org: &str) -> Vec<&'a ClientApplication> {
    if org != world.root.id {
        return Vec::new();
    }
    let all = allowed(world, caller, VIEW_ALL, org, None);
    let own = allowed(world, caller, CREATE, org, None);
    let me = created_by(caller);
    world
        .client_applications
        .iter()
        .filter(|a| all || (own && a.created_by == me))
        .collect()
}

/// Who created an application, as `owners[]` shows it (§4.8, [C3] S8; §11.1,
/// mulesoft/docs-api-manager manage-client-apps-connected-apps-concept.adoc:
/// `entityType` "client" with the connected app's client id as `id`). A user owner's
/// id is derived from the username, as `/accounts/api/me` derives it.
fn owners(world: &World, app: &ClientApplication) -> Value {
    let owner = if world.connected_app(&app.created_by).is_some() {
        json!({"id": app.created_by, "organizationId": world.root.id, "entityType": "client", "username": null})
    } else {
        json!({"id": derived_id(&app.created_by), "organizationId": world.root.id, "entityType": "user", "username": app.created_by})
    };
    json!([owner])
}

/// An application as the platform shows it; its secret only to its creator or
/// an admin view. A hidden secret is left out, not null: the description has
/// `clientSecret` as a string (anypoint-client-go exchange_client_apps
/// openapi.yaml, `clientApp`); how the platform hides it is [I].
fn application_json(world: &World, app: &ClientApplication, show_secret: bool) -> Value {
    let mut body = json!({
        "id": app.id,
        "name": app.name,
        "description": app.description,
        "url": null,
        "masterOrganizationId": world.root.id,
        "coreServicesId": app.client_id,
        "clientId": app.client_id,
        "grantTypes": app.grant_types,
        "redirectUri": app.redirect_uris,
        "clientProvider": {"providerId": null, "name": "Anypoint", "type": null},
        "owners": owners(world, app),
    });
    if show_secret {
        body["clientSecret"] = json!(app.client_secret);
    }
    body
}

/// One page of the caller's visible applications in `org`, and how many
/// there are in all; secrets shown to their creator, and to a manager asking
/// for the admin site's view. Only the page is rendered, so a large world
/// costs a page's work per request.
fn listing(
    state: &Shared,
    caller: &Subject,
    org: &str,
    query: &HashMap<String, String>,
) -> (Vec<Value>, usize) {
    let world = &*state.world.lock().expect("world lock");
    let admin_site = query.get("targetAdminSite").is_some_and(|v| v == "true");
    let manage = allowed(world, caller, MANAGE_ALL, org, None);
    let me = created_by(caller);
    let all = visible(world, caller, org);
    let total = all.len();
    let page = Paging::of(query, LIST_DEFAULT_LIMIT)
        .page(all)
        .map(|a| application_json(world, a, a.created_by == me || (admin_site && manage)))
        .collect();
    (page, total)
}

/// GET /apiplatform/repository/v2/organizations/{org}/applications: 200 and empty without the scope.
pub async fn legacy_list(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let (page, total) = listing(&state, &subject, &org, &query);
    respond::ok(json!({"applications": page, "total": total}))
}

/// GET /exchange/api/v2/organizations/{org}/applications: a bare array.
pub async fn list(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let (page, _) = listing(&state, &subject, &org, &query);
    respond::ok(Value::Array(page))
}

/// POST on the legacy repository or on Exchange v2: the same create.
pub async fn create(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    create_application(&state, &subject, &org, &body)
}

/// Creates a client application in the root org: scope first (403), then the body (400).
fn create_application(state: &Shared, subject: &Subject, org: &str, body: &[u8]) -> Response {
    let mut world = state.world.lock().expect("world lock");
    if !allowed(&world, subject, CREATE, org, None) || org != world.root.id {
        return respond::exchange_error(403, "Unauthorized");
    }
    let body = match respond::json_body(body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if name.is_empty() {
        return respond::exchange_error(400, "name is required");
    }
    let strings = |key: &str| -> Result<Vec<String>, Response> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        respond::exchange_error(400, &format!("{key} must be a list of strings"))
                    })
                })
                .collect(),
            Some(_) => Err(respond::exchange_error(
                400,
                &format!("{key} must be a list"),
            )),
        }
    };
    let grant_types = match strings("grantTypes") {
        Ok(values) => values,
        Err(response) => return response,
    };
    if let Some(bad) = grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return respond::exchange_error(400, &format!("invalid grant type {bad:?}"));
    }
    let redirect_uris = match strings("redirectUri") {
        Ok(values) => values,
        Err(response) => return response,
    };
    if let Some(bad) = redirect_uris.iter().find(|u| url::Url::parse(u).is_err()) {
        return respond::exchange_error(400, &format!("invalid redirect URI {bad:?}"));
    }
    let id = world.next_id();
    let app = ClientApplication {
        id,
        name,
        description: body
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        client_id: uuid::Uuid::new_v4().simple().to_string(),
        client_secret: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
        created_by: created_by(subject),
        redirect_uris,
        grant_types,
    };
    let answer = application_json(&world, &app, true);
    world.client_applications.push(app);
    respond::created(answer)
}

fn find_visible<'a>(
    world: &'a World,
    caller: &Subject,
    org: &str,
    app: &str,
) -> Option<&'a ClientApplication> {
    visible(world, caller, org)
        .into_iter()
        .find(|a| a.id.to_string() == app)
}

pub async fn describe(
    State(state): State<Shared>,
    Path((org, app)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    let world = state.world.lock().expect("world lock");
    match find_visible(&world, &subject, &org, &app) {
        Some(found) => respond::ok(application_json(
            &world,
            found,
            found.created_by == created_by(&subject),
        )),
        None => respond::exchange_error(404, &format!("Application {app} not found")),
    }
}

pub async fn delete(
    State(state): State<Shared>,
    Path((org, app)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    let mut world = state.world.lock().expect("world lock");
    let Some(found) = find_visible(&world, &subject, &org, &app) else {
        return respond::exchange_error(404, &format!("Application {app} not found"));
    };
    if found.created_by != created_by(&subject)
        && !allowed(&world, &subject, MANAGE_ALL, &org, None)
    {
        return respond::exchange_error(403, "Unauthorized");
    }
    let id = found.id;
    world.client_applications.retain(|a| a.id != id);
    world.contracts.retain(|c| c.application_id != id);
    respond::no_content()
}

/// GET .../applications/{id}/contracts: refused to client-credentials apps, as reported by MuleSoft.
pub async fn contracts(
    State(state): State<Shared>,
    Path((org, app)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    if matches!(subject, Subject::App { .. }) {
        return respond::exchange_error(403, "Unauthorized");
    }
    let world = state.world.lock().expect("world lock");
    let Some(found) = find_visible(&world, &subject, &org, &app) else {
        return respond::exchange_error(404, &format!("Application {app} not found"));
    };
    let list: Vec<Value> = world
        .contracts
        .iter()
        .filter(|c| c.application_id == found.id)
        .map(|c| json!({"id": c.id, "status": c.status, "requestedTier": null}))
        .collect();
    respond::ok(Value::Array(list))
}

/// POST .../applications/{id}/contracts with the fields MuleSoft's guidance names.
pub async fn create_contract(
    State(state): State<Shared>,
    Path((org, app)): Path<(String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    let body = match respond::json_body(&body) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let text = |key: &str| match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let required = [
        "apiId",
        "environmentId",
        "organizationId",
        "groupId",
        "assetId",
        "version",
        "versionGroup",
    ];
    if let Some(missing) = required.iter().find(|k| text(k).is_none()) {
        return respond::exchange_error(400, &format!("{missing} is required"));
    }
    let field = |key: &str| text(key).unwrap_or_default();
    let mut world = state.world.lock().expect("world lock");
    let Some(api) = world
        .apis
        .iter()
        .find(|a| a.id.to_string() == field("apiId"))
        .cloned()
    else {
        return respond::exchange_error(404, &format!("API instance {} not found", field("apiId")));
    };
    let Some((api_org, _)) = world
        .environment(&api.env)
        .map(|(o, e)| (o.id.clone(), e.id.clone()))
    else {
        return respond::exchange_error(404, "Environment not found");
    };
    if field("environmentId") != api.env {
        return respond::exchange_error(
            400,
            &format!(
                "API instance {} is not in environment {}",
                api.id,
                field("environmentId")
            ),
        );
    }
    if !allowed(&world, &subject, MANAGE_CONTRACTS, &api_org, Some(&api.env))
        || !apimanager::reads_asset(&world, &subject, &api, &api_org)
    {
        return respond::exchange_error(403, "Unauthorized");
    }
    let mismatch = [
        ("assetId", api.asset_id.clone()),
        ("version", api.asset_version.clone()),
        (
            "groupId",
            api.group_id.clone().unwrap_or_else(|| api_org.clone()),
        ),
    ]
    .into_iter()
    .find(|(key, want)| &field(key) != want);
    if let Some((key, want)) = mismatch {
        return respond::exchange_error(
            400,
            &format!(
                "{key} does not match API instance {} (expected {want})",
                api.id
            ),
        );
    }
    let Some(application_id) = find_visible(&world, &subject, &org, &app).map(|a| a.id) else {
        return respond::exchange_error(404, &format!("Application {app} not found"));
    };
    let tier = body.get("requestedTierId").and_then(Value::as_u64);
    match add_contract(&mut world, api.id, application_id, tier) {
        Ok(contract) => respond::created(json!({
            "id": contract.id,
            "status": contract.status,
            "applicationId": contract.application_id,
            "apiId": contract.api_id,
            "tierId": contract.tier_id,
            "requestedTierId": tier,
        })),
        Err(ContractRefused::UnknownApplication(message)) => respond::exchange_error(404, &message),
        Err(ContractRefused::Exists(message)) => respond::exchange_error(409, &message),
    }
}

/// The Exchange v1 API list was removed: 404, as on the platform.
pub async fn retired_v1_apis() -> Response {
    respond::exchange_error(404, "Not Found")
}
