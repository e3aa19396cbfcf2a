//! A Connected App's granted scopes, for org admin users only: read them
//! (paged), add to them (PATCH), replace them (PUT), remove some (DELETE).
//! Reference §4.5 and §11.4–5.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::accounts::as_org_admin;
use super::{Caller, Paging, Shared};
use crate::respond;
use crate::scope_contexts::{self, Context};
use crate::state::Subject;
use crate::world::{Grant, World};

/// A page of the granted-scope list when the request names no `limit`.
/// [I] inferred: no source gives the default; small, so that clients must page.
pub const SCOPES_DEFAULT_LIMIT: usize = 20;
/// The largest page served. [I] inferred from "servers may cap page size" (§8.14, S8).
pub const SCOPES_MAX_LIMIT: usize = 50;
/// Up to 1,000 scopes per app (§4.5, S10); a change that would exceed it is
/// refused with 400 [I] (the platform's answer is not documented).
pub const MAX_GRANTS: usize = 1000;

const READ: &str = "read a Connected App's scopes";
const CHANGE: &str = "change a Connected App's scopes";

/// GET /accounts/api/connectedApplications/{clientId}/scopes
pub async fn list(
    State(state): State<Shared>,
    Path(client): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    page(&state, &subject, &client, &query)
}

/// GET /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes
pub async fn org_list(
    State(state): State<Shared>,
    Path((_org, client)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    page(&state, &subject, &client, &query)
}

/// A Connected App's granted scopes. Paged with `offset`/`limit`; `total` counts
/// every grant (§11.4, mulesoft/terraform-provider-anypoint
/// internal/client/accessmanagement/connectedappscopes.go).
fn page(
    state: &Shared,
    subject: &Subject,
    client_id: &str,
    query: &HashMap<String, String>,
) -> Response {
    let world = match as_org_admin(state, subject, READ) {
        Ok((world, _)) => world,
        Err(response) => return response,
    };
    let Some(app) = world.connected_app(client_id) else {
        return unknown_app(client_id);
    };
    let data: Vec<Value> = Paging::of(query, SCOPES_DEFAULT_LIMIT)
        .capped(SCOPES_MAX_LIMIT)
        .page(&app.scopes)
        .map(|g| {
            let mut context = Map::new();
            if let Some(org) = &g.org {
                context.insert("org".into(), json!(org));
            }
            if let Some(env) = &g.env {
                context.insert("envId".into(), json!(env));
            }
            json!({"scope": g.scope, "context_params": context})
        })
        .collect();
    respond::ok(json!({"total": app.scopes.len(), "data": data}))
}

fn unknown_app(client_id: &str) -> Response {
    respond::accounts_error(404, &format!("Connected application {client_id} not found"))
}

/// What a change does with the scopes in its body.
#[derive(Clone, Copy)]
enum Change {
    /// PATCH: adds only (§11.5, mulesoft/terraform-provider-anypoint commit 14dfcc4
    /// "PATCH is additive-only"; KB 001116119); a pair already held is not
    /// duplicated [I] (merge semantics, §4.5).
    Add,
    /// PUT: replaces the whole list (§4.5, §11.5).
    Replace,
    /// DELETE with a body: removes the listed pairs (§4.5 [C] S4); a pair not
    /// held is ignored [I].
    Remove,
}

/// PATCH /accounts/api/connectedApplications/{clientId}/scopes
pub async fn add(
    State(state): State<Shared>,
    Path(client): Path<String>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    change(&state, &subject, &client, &body, Change::Add)
}

/// PATCH /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes
/// (yaac assigns scopes this way, §4.5 [C3] S16). The org in the path is not
/// checked against the app's, as for the GET [I].
pub async fn org_add(
    State(state): State<Shared>,
    Path((_org, client)): Path<(String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    change(&state, &subject, &client, &body, Change::Add)
}

/// PUT /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes
pub async fn replace(
    State(state): State<Shared>,
    Path((_org, client)): Path<(String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    change(&state, &subject, &client, &body, Change::Replace)
}

/// DELETE /accounts/api/organizations/{orgId}/connectedApplications/{clientId}/scopes
pub async fn remove(
    State(state): State<Shared>,
    Path((_org, client)): Path<(String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    change(&state, &subject, &client, &body, Change::Remove)
}

/// Checks who asks (an org admin user of the app's org or of an org above it,
/// §11.5), that the app exists, and the body; then changes the app's grants
/// (204). Tokens already issued keep their scopes (`Subject::App`).
fn change(
    state: &Shared,
    subject: &Subject,
    client_id: &str,
    body: &[u8],
    what: Change,
) -> Response {
    let (mut world, admin_org) = match as_org_admin(state, subject, CHANGE) {
        Ok(admin) => admin,
        Err(response) => return response,
    };
    let Some(app_org) = world.connected_app(client_id).map(|a| a.org.clone()) else {
        return unknown_app(client_id);
    };
    let above = world.ancestors(&app_org).iter().any(|o| o.id == admin_org);
    if admin_org != app_org && !above {
        return respond::accounts_error(
            403,
            &format!(
                "Forbidden: only an organization administrator of {app_org} or an organization above it can {CHANGE}"
            ),
        );
    }
    let requested = match requested(&world, body) {
        Ok(grants) => grants,
        Err(response) => return response,
    };
    let app = world
        .connected_apps
        .iter_mut()
        .find(|a| a.client_id == client_id)
        .expect("the app was found above, under the same lock");
    let grants = match what {
        Change::Add => merged(app.scopes.clone(), requested),
        Change::Replace => merged(Vec::new(), requested),
        Change::Remove => app
            .scopes
            .iter()
            .filter(|g| !requested.contains(g))
            .cloned()
            .collect(),
    };
    if grants.len() > MAX_GRANTS {
        return too_many();
    }
    app.scopes = grants;
    respond::no_content()
}

/// `grants` and then each of `more` it does not hold yet, in order.
fn merged(mut grants: Vec<Grant>, more: Vec<Grant>) -> Vec<Grant> {
    for grant in more {
        if !grants.contains(&grant) {
            grants.push(grant);
        }
    }
    grants
}

fn too_many() -> Response {
    respond::accounts_error(
        400,
        &format!("A connected application can hold at most {MAX_GRANTS} scopes"),
    )
}

/// The body's `{"scopes": [{"scope", "context_params"}]}`, each checked against
/// the scope's context and the tenant; else 400 in Access Management's shape
/// (§4.5, [C] S2), naming the first problem [I].
fn requested(world: &World, body: &[u8]) -> Result<Vec<Grant>, Response> {
    let body = respond::json_body(body)?;
    let Some(items) = body.get("scopes").and_then(Value::as_array) else {
        return Err(respond::accounts_error(
            400,
            "scopes: an array of {\"scope\", \"context_params\"} is required",
        ));
    };
    // Bounded before any work under the world lock.
    if items.len() > MAX_GRANTS {
        return Err(too_many());
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            grant(world, item)
                .map_err(|why| respond::accounts_error(400, &format!("scopes[{i}]: {why}")))
        })
        .collect()
}

/// Why a requested scope cannot be a grant: the 400's reason, after the
/// item's index.
#[derive(Debug, thiserror::Error)]
enum GrantError {
    #[error("a scope id (a string) is required")]
    NoScope,
    #[error("unknown scope {0:?}")]
    UnknownScope(String),
    #[error("context_params must be an object")]
    ParamsNotObject,
    #[error("unknown context parameter {0:?} (org, envId)")]
    UnknownParam(String),
    #[error("context_params.{0} must be a string")]
    ParamNotString(&'static str),
    #[error("{scope} takes {takes}")]
    WrongContext { scope: String, takes: &'static str },
    #[error("organization {0} is not in this tenant")]
    UnknownOrg(String),
    #[error("environment {env} is not in organization {org}")]
    UnknownEnv { env: String, org: String },
}

/// One requested scope as a grant, or why it cannot be one.
fn grant(world: &World, item: &Value) -> Result<Grant, GrantError> {
    let scope = item
        .get("scope")
        .and_then(Value::as_str)
        .ok_or(GrantError::NoScope)?;
    let context =
        scope_contexts::of(scope).ok_or_else(|| GrantError::UnknownScope(scope.to_string()))?;
    // Basic scopes are sent with `"context_params": {}` ([C3] S16); absent is taken as empty [I].
    let empty = Map::new();
    let params = match item.get("context_params") {
        None => &empty,
        Some(Value::Object(params)) => params,
        Some(_) => return Err(GrantError::ParamsNotObject),
    };
    // `envId` is camelCase: the API rejects `env_id` (yaac, §4.5 [C3] S16).
    if let Some(key) = params
        .keys()
        .find(|k| !matches!(k.as_str(), "org" | "envId"))
    {
        return Err(GrantError::UnknownParam(key.clone()));
    }
    let text = |key: &'static str| match params.get(key) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(GrantError::ParamNotString(key)),
    };
    let (org, env) = (text("org")?, text("envId")?);
    let takes = match (context, &org, &env) {
        (Context::None, None, None)
        | (Context::Org, Some(_), None)
        | (Context::Env, Some(_), Some(_)) => None,
        (Context::None, ..) => Some("no context"),
        (Context::Org, ..) => Some("an org and no envId"),
        (Context::Env, ..) => Some("an org and an envId"),
    };
    if let Some(takes) = takes {
        let scope = scope.to_string();
        return Err(GrantError::WrongContext { scope, takes });
    }
    if let Some(org) = &org {
        let Some(found) = world.org(org) else {
            return Err(GrantError::UnknownOrg(org.clone()));
        };
        if let Some(env) = &env
            && !found.environments.iter().any(|e| &e.id == env)
        {
            let (env, org) = (env.clone(), org.clone());
            return Err(GrantError::UnknownEnv { env, org });
        }
    }
    Ok(Grant {
        scope: scope.to_string(),
        org,
        env,
    })
}
