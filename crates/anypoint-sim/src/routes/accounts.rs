//! Access Management: the token endpoint, who-am-I (both the doctor's
//! `/me` and anypoint-cli's `/users/me`), organizations, hierarchy,
//! environments, and one Connected App (org admins only).

use axum::body::Bytes;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use super::{AUDIT_DATE, Caller, Paging, Shared, derived_id, home_org};
use crate::respond;
use crate::state::Subject;
use crate::world::{Environment, Org, World};

/// POST /accounts/api/v2/oauth2/token, with a JSON or form body.
pub async fn token(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let fields: Value = if form {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    } else {
        match serde_json::from_slice(&body) {
            Ok(value) => value,
            Err(_) => {
                return respond::oauth_error(
                    400,
                    "invalid_request",
                    "The request body is not valid JSON",
                );
            }
        }
    };
    let field = |name: &str| fields.get(name).and_then(Value::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return respond::oauth_error(
            400,
            "unsupported_grant_type",
            "Only the client_credentials grant is supported here",
        );
    }
    if field("client_id").is_empty() || field("client_secret").is_empty() {
        return respond::oauth_error(
            400,
            "invalid_request",
            "client_id and client_secret are required",
        );
    }
    let world = state.world.lock().expect("world lock");
    let valid = world.connected_app(field("client_id")).is_some_and(|app| {
        app.client_secret == field("client_secret")
            && app.region.as_deref().is_none_or(|r| r == world.region)
    });
    if !valid {
        return respond::oauth_error(401, "invalid_client", "Invalid client credentials");
    }
    // §11.11 (salesforce/terraform-provider-anypoint docs/resources/connected_app.md): an
    // app that acts on behalf of a user is not registered for client_credentials and is
    // refused here. [I] inferred: the RFC 6749 §5.2 shape; the exact Anypoint body is unverified.
    let Some(app) = world
        .connected_app(field("client_id"))
        .filter(|app| app.grant_types.iter().any(|g| g == "client_credentials"))
    else {
        return respond::oauth_error(
            400,
            "unauthorized_client",
            "The client is not authorized to use the client_credentials grant type",
        );
    };
    // Issued under the world lock: the token carries the scopes the app holds now.
    let access_token = state.issue_token(&app.client_id, &app.scopes, world.token_ttl_secs);
    let ttl = world.token_ttl_secs;
    respond::ok(json!({"access_token": access_token, "token_type": "bearer", "expires_in": ttl}))
}

/// GET /accounts/api/me: `client` for a Connected App token, `user` for a user token.
/// A Connected App's answer carries a `user` too: the user who created the app
/// (§11.7; myst3m/yaac src/yaac/core.clj, PyPI anypoint-sdk 0.3.2
/// resources/organizations.py), omitted when the world has no user.
pub async fn me(State(state): State<Shared>, Caller(subject): Caller) -> Response {
    let world = state.world.lock().expect("world lock");
    match &subject {
        Subject::App { client_id, .. } => match world.connected_app(client_id) {
            Some(app) => {
                let mut body = serde_json::Map::new();
                body.insert(
                    "client".into(),
                    json!({
                        "client_id": app.client_id, "name": app.name, "org_id": app.org, "client_type": "control"
                    }),
                );
                if let Some(creator) = world.creator_of(app) {
                    let creator = Subject::User {
                        username: creator.username.clone(),
                    };
                    body.insert("user".into(), user_profile(&world, &creator));
                }
                respond::ok(Value::Object(body))
            }
            None => respond::accounts_error(401, "Unauthorized"),
        },
        Subject::User { .. } => respond::ok(json!({"user": user_profile(&world, &subject)})),
    }
}

/// GET /accounts/api/users/me: what anypoint-cli-v4 reads, for apps and users alike.
pub async fn users_me(State(state): State<Shared>, Caller(subject): Caller) -> Response {
    respond::ok(user_profile(
        &state.world.lock().expect("world lock"),
        &subject,
    ))
}

fn user_profile(world: &World, subject: &Subject) -> Value {
    let (id, username) = match subject {
        Subject::App { client_id, .. } => (
            client_id.clone(),
            world.connected_app(client_id).map(|a| a.name.clone()),
        ),
        Subject::User { username } => (derived_id(username), Some(username.clone())),
    };
    let org_id = home_org(world, subject).unwrap_or_else(|| world.root.id.clone());
    let members: Vec<Value> = world.orgs().into_iter().map(|o| member(world, o)).collect();
    // A user has an email, a string (anypoint-client-go user openapi.yaml,
    // listUsers; fixture accounts-me-user.json, S21). The world names none:
    // [I] one derived from the username, in the reserved example.com (RFC 2606).
    // An app has none [I].
    let email = match subject {
        Subject::User { username } => Some(format!("{username}@example.com")),
        Subject::App { .. } => None,
    };
    json!({
        "id": id,
        "username": username,
        "firstName": username,
        "lastName": "",
        "email": email,
        "createdAt": AUDIT_DATE,
        "organizationId": org_id,
        "organization": world.org(&org_id).map(|o| organization_json(world, o)),
        "organizationPreferences": {},
        "memberOfOrganizations": members,
        "contributorOfOrganizations": [],
        "properties": {"cs_auth": {"activeOrganizationId": org_id}}
    })
}

fn member(world: &World, org: &Org) -> Value {
    let parent = world.parent_of(&org.id);
    json!({
        "id": org.id,
        "name": org.name,
        "parentId": parent.map(|p| p.id.clone()),
        "parentName": parent.map(|p| p.name.clone()),
        "isRoot": parent.is_none(),
        "isMaster": parent.is_none(),
        "clientId": derived_id(&org.id),
    })
}

fn environment_json(org: &Org, env: &Environment) -> Value {
    json!({
        "id": env.id,
        "name": env.name,
        "organizationId": org.id,
        "isProduction": env.is_production,
        "type": env.kind,
        "clientId": derived_id(&env.id),
    })
}

fn organization_json(world: &World, org: &Org) -> Value {
    let mut ancestors: Vec<String> = world
        .ancestors(&org.id)
        .iter()
        .map(|o| o.id.clone())
        .collect();
    ancestors.reverse();
    let is_root = ancestors.is_empty();
    let (owner_id, owner_name) = owner(world);
    json!({
        "id": org.id,
        "name": org.name,
        "createdAt": AUDIT_DATE,
        "updatedAt": AUDIT_DATE,
        "ownerId": owner_id,
        "clientId": derived_id(&org.id),
        "idprovider_id": "mulesoft",
        "isFederated": false,
        "parentOrganizationIds": ancestors,
        "subOrganizationIds": org.business_groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        "tenantOrganizationIds": [],
        "mfaRequired": "mandatory",
        "isAutomaticAdminPromotionExempt": false,
        "domain": if is_root { Some(org.name.to_lowercase().replace(' ', "-")) } else { None },
        "isMaster": is_root,
        "isRoot": is_root,
        "owner": {"id": owner_id, "username": owner_name},
        "subscription": {"category": "Customer", "type": "Platinum", "expiration": "2027-01-31T00:00:00.000Z"},
        // The entitlements a business group is created with (anypoint-client-go org
        // openapi.yaml, `EntitlementsCore`, which createBG's body requires; fixture
        // accounts-organization.json, §4.2). The simulator plays no CloudHub: no
        // global deployment, no load balancer or static IP assigned [I].
        "entitlements": {
            "createEnvironments": true,
            "createSubOrgs": true,
            "globalDeployment": false,
            "loadBalancer": {"assigned": 0, "reassigned": 0},
            "staticIps": {"assigned": 0, "reassigned": 0},
            "apis": {"enabled": true}
        },
        "environments": org.environments.iter().map(|e| environment_json(org, e)).collect::<Vec<_>>(),
        "properties": {}
    })
}

/// Who owns the organization: the world's first org admin (else its first
/// user), with the id `/users/me` gives that user, so that one principal
/// has one identity on every route (anypoint-cli-v4's `business-group
/// describe` compares them). A world without users has an owner it does
/// not list. [I]: which user owns a real org is not documented.
pub(super) fn owner(world: &World) -> (String, String) {
    let username = world
        .users
        .iter()
        .find(|u| u.org_admin)
        .or(world.users.first())
        .map_or("org-owner", |u| u.username.as_str());
    (derived_id(username), username.to_string())
}

/// The org, if it exists (any authenticated caller may read it).
fn with_org(
    state: &Shared,
    org_id: &str,
    answer: impl FnOnce(&World, &Org) -> Response,
) -> Response {
    let world = state.world.lock().expect("world lock");
    match world.org(org_id) {
        Some(org) => answer(&world, org),
        None => respond::accounts_error(404, &format!("Organization {org_id} not found")),
    }
}

pub async fn organization(
    State(state): State<Shared>,
    Path(org): Path<String>,
    _: Caller,
) -> Response {
    with_org(&state, &org, |world, org| {
        respond::ok(organization_json(world, org))
    })
}

pub async fn hierarchy(
    State(state): State<Shared>,
    Path(org): Path<String>,
    _: Caller,
) -> Response {
    fn tree(org: &Org) -> Value {
        json!({
            "id": org.id,
            "name": org.name,
            "subOrganizations": org.business_groups.iter().map(tree).collect::<Vec<_>>(),
        })
    }
    with_org(&state, &org, |_, org| respond::ok(tree(org)))
}

pub async fn environments(
    State(state): State<Shared>,
    Path(org): Path<String>,
    _: Caller,
) -> Response {
    with_org(&state, &org, |_, org| {
        let data: Vec<Value> = org
            .environments
            .iter()
            .map(|e| environment_json(org, e))
            .collect();
        respond::ok(json!({"data": data, "total": org.environments.len()}))
    })
}

pub async fn environment(
    State(state): State<Shared>,
    Path((org, env)): Path<(String, String)>,
    _: Caller,
) -> Response {
    with_org(&state, &org, |_, org| {
        match org.environments.iter().find(|e| e.id == env) {
            Some(e) => respond::ok(environment_json(org, e)),
            None => respond::accounts_error(404, &format!("Environment {env} not found")),
        }
    })
}

/// The world, and the caller's org, when the caller is an org admin user (only
/// they read Connected Apps and read or change their scopes, §4.5, §11.5, KB
/// 001116119); else the platform's 403 saying who may `action`.
pub(super) fn as_org_admin<'a>(
    state: &'a Shared,
    subject: &Subject,
    action: &str,
) -> Result<(std::sync::MutexGuard<'a, World>, String), Response> {
    let world = state.world.lock().expect("world lock");
    let admin_org = match subject {
        Subject::User { username } => world
            .users
            .iter()
            .find(|u| &u.username == username && u.org_admin)
            .map(|u| u.org.clone()),
        Subject::App { .. } => None,
    };
    match admin_org {
        Some(org) => Ok((world, org)),
        None => Err(respond::accounts_error(
            403,
            &format!("Forbidden: only an organization administrator can {action}"),
        )),
    }
}

/// A Connected App as Access Management describes it (anypoint-client-go
/// connected_app openapi.yaml, `connectedAppRespExt`), without its secret:
/// no reader here needs it. [I]: what the real answer holds besides.
fn connected_app_json(world: &World, app: &crate::world::ConnectedApp) -> Value {
    let mut body = json!({
        "client_id": app.client_id,
        "client_name": app.name,
        "org_id": app.org,
        "owner_org_id": app.org,
        "grant_types": app.grant_types,
        "redirect_uris": [],
        "scopes": [],
        "audience": "internal",
        "enabled": true,
    });
    // A string where the description has one; absent, never null.
    if let Some(user) = world.creator_of(app) {
        body["owner_user_id"] = json!(derived_id(&user.username));
    }
    body
}

/// One Connected App of the tenant, for an org admin, or 404.
fn one_connected_app(state: &Shared, subject: &Subject, client_id: &str) -> Response {
    let world = match as_org_admin(state, subject, "read a Connected App") {
        Ok((world, _)) => world,
        Err(response) => return response,
    };
    match world.connected_app(client_id) {
        Some(app) => respond::ok(connected_app_json(&world, app)),
        None => {
            respond::accounts_error(404, &format!("Connected application {client_id} not found"))
        }
    }
}

/// GET /accounts/api/connectedApplications/{clientId}: one app, for an org
/// admin (§4.5; anypoint-client-go connected_app openapi.yaml,
/// GetConnectedAppByIdOnly).
pub async fn connected_app(
    State(state): State<Shared>,
    Path(client_id): Path<String>,
    Caller(subject): Caller,
) -> Response {
    one_connected_app(&state, &subject, &client_id)
}

/// GET /accounts/api/organizations/{orgId}/connectedApplications/{clientId}
/// (anypoint-client-go connected_app openapi.yaml, GetConnectedApp): the
/// same, under an org of the tenant (404 for another).
pub async fn org_connected_app(
    State(state): State<Shared>,
    Path((org, client_id)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    if state.world.lock().expect("world lock").org(&org).is_none() {
        return respond::accounts_error(404, &format!("Organization {org} not found"));
    }
    one_connected_app(&state, &subject, &client_id)
}

/// GET /accounts/api/organizations/{orgId}/users: the tenant's users, each as
/// `/users/me` describes them, paged by `offset` and `limit` as `{data,
/// total}` (anypoint-client-go user openapi.yaml, listUsers). [I]: who may
/// list them; an org admin here, 403 to a Connected App and to other users.
pub async fn users(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let world = match as_org_admin(&state, &subject, "list users") {
        Ok((world, _)) => world,
        Err(response) => return response,
    };
    if world.org(&org).is_none() {
        return respond::accounts_error(404, &format!("Organization {org} not found"));
    }
    let data: Vec<Value> = Paging::of(&query, 25)
        .page(&world.users)
        .map(|user| {
            let subject = Subject::User {
                username: user.username.clone(),
            };
            user_profile(&world, &subject)
        })
        .collect();
    respond::ok(json!({"data": data, "total": world.users.len()}))
}

/// GET /accounts/api/connectedApplications: the tenant's Connected Apps, for
/// an org admin, paged by `offset` and `limit` as `{data, total}` (§4.5,
/// §11.6; anypoint-client-go connected_app openapi.yaml, GetAllConnectedApps).
/// [I]: its default page size; 50 here, as for the granted scopes.
pub async fn connected_apps(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let world = match as_org_admin(&state, &subject, "list Connected Apps") {
        Ok((world, _)) => world,
        Err(response) => return response,
    };
    let data: Vec<Value> = Paging::of(&query, 50)
        .page(&world.connected_apps)
        .map(|app| connected_app_json(&world, app))
        .collect();
    respond::ok(json!({"data": data, "total": world.connected_apps.len()}))
}
