//! API Manager: API instances per environment and their contracts, with
//! scopes checked per business group and environment.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::exchange_assets::READ_EXCHANGE;
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared, allowed};
use crate::respond;
use crate::state::Subject;
use crate::world::{ApiInstance, ClientApplication, Contract, World};

/// Viewing API configuration: View APIs Configuration, Manage APIs Configuration, API Manager
/// Environment Administrator (§7; §11.2) and `admin:api_manager` (§11.12, [I]).
pub(super) const READ_APIS: &[&str] = &[
    "read:api_configuration",
    "manage:api_configuration",
    "manage:apis",
    "admin:api_manager",
];
/// Creating an API instance belongs to API Manager Environment Administrator;
/// Manage APIs Configuration views and modifies configurations only (§11.3,
/// docs-access-management include-permissions-api-manager-post-crowd.adoc).
/// `admin:api_manager` is taken to include it [I] (§11.12).
const CREATE_APIS: &[&str] = &["manage:apis", "admin:api_manager"];
/// `manage:apis` (API Manager Environment Administrator) covers "any actions related to API
/// configurations, groups, proxies, alerts, contracts, tiers" in its environment (§11.2,
/// mulesoft/docs-access-management _partials/include-permissions-api-manager-post-crowd.adoc).
/// `manage:api_contracts_all_envs` (org, no env) covers every environment of its org (§11.2,
/// same source); that it also lets the app read contracts is [I] inferred.
pub(super) const READ_CONTRACTS: &[&str] = &[
    "read:api_contracts",
    "manage:api_contracts",
    "manage:api_contracts_all_envs",
    "manage:apis",
    "admin:api_manager",
];
pub const MANAGE_CONTRACTS: &[&str] = &[
    "manage:api_contracts",
    "manage:api_contracts_all_envs",
    "manage:apis",
    "admin:api_manager",
];

/// A tier's limits: every tier of the simulator allows 120 requests a minute [I].
pub fn tier_limits() -> Value {
    json!([{"visible": true, "maximumRequests": 120, "timePeriodInMilliseconds": 60000}])
}

/// Checks that the environment belongs to the org and is one API Manager
/// manages, and the caller's scope; then answers.
pub(super) fn guarded(
    state: &Shared,
    subject: &Subject,
    org: &str,
    env: &str,
    scopes: &[&str],
    answer: impl FnOnce(&mut World, &Subject) -> Response,
) -> Response {
    guarded_lookup(state, subject, org, env, None, scopes, answer)
}

/// As `guarded`, for a handler that names API instance `api`: with the world's
/// `lookup_before_scope` ([I] inferred, §11.9), an unknown instance is 404 before
/// the scope is checked; otherwise the scope comes first and the handler looks it up.
fn guarded_lookup(
    state: &Shared,
    subject: &Subject,
    org: &str,
    env: &str,
    api: Option<&str>,
    scopes: &[&str],
    answer: impl FnOnce(&mut World, &Subject) -> Response,
) -> Response {
    let mut world = state.world.lock().expect("world lock");
    match world.environment(env) {
        // API Manager does not manage design environments and cannot be
        // switched to one (§12.1). How its API answers for one is not
        // documented: [I] as for an environment it does not know.
        Some((owner, e)) if owner.id == org && !e.is_design() => {}
        _ => {
            return respond::apim_not_found(&format!(
                "Environment {env} not found in organization {org}"
            ));
        }
    }
    if let Some(api) = api
        && world.lookup_before_scope
        && find_instance(&world, env, api).is_none()
    {
        return respond::apim_not_found(&format!("API {api} not found"));
    }
    if !allowed(&world, subject, scopes, org, Some(env)) {
        return respond::apim_forbidden();
    }
    answer(&mut world, subject)
}

/// Answers with API instance `api` of `env` (as `guarded_lookup` checks the
/// environment and the caller's scope), or API Manager's 404 for an unknown one.
pub(super) fn with_instance(
    state: &Shared,
    subject: &Subject,
    org: &str,
    env: &str,
    api: &str,
    scopes: &[&str],
    answer: impl FnOnce(&World, &ApiInstance) -> Response,
) -> Response {
    guarded_lookup(
        state,
        subject,
        org,
        env,
        Some(api),
        scopes,
        |world, _| match find_instance(world, env, api) {
            Some(found) => answer(world, found),
            None => respond::apim_not_found(&format!("API {api} not found")),
        },
    )
}

/// The API instance `api` (its id as written in the path) of environment `env`.
fn find_instance<'a>(world: &'a World, env: &str, api: &str) -> Option<&'a ApiInstance> {
    world
        .apis
        .iter()
        .find(|a| a.id.to_string() == api && a.env == env)
}

fn active_contracts(world: &World, api: u64) -> usize {
    world
        .contracts
        .iter()
        .filter(|c| c.api_id == api && c.status == "APPROVED")
        .count()
}

pub fn instance_json(world: &World, api: &ApiInstance) -> Value {
    let org = world
        .environment(&api.env)
        .map(|(o, _)| o.id.clone())
        .unwrap_or_default();
    json!({
        "id": api.id,
        "groupId": api.group_id.clone().unwrap_or_else(|| org.clone()),
        "assetId": api.asset_id,
        "assetVersion": api.asset_version,
        "productVersion": api.product_version,
        "description": null,
        "tags": [],
        "order": 1,
        "providerId": null,
        "deprecated": false,
        "lastActiveDate": AUDIT_DATE,
        "endpointUri": format!("https://{}.example.com/api", api.asset_id),
        "environmentId": api.env,
        "isPublic": false,
        "stage": "release",
        "technology": "mule4",
        "status": api.status,
        "pinned": false,
        "activeContractsCount": active_contracts(world, api.id),
        "autodiscoveryInstanceName": format!("{}:{}", api.product_version, api.id),
        "instanceLabel": api.instance_label,
        "organizationId": org,
        "masterOrganizationId": world.root.id,
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "tiers": api.tiers.iter().map(|t| json!({"id": t.id, "name": t.name})).collect::<Vec<_>>(),
    })
}

/// The name a Mule 3 gateway autodiscovers an asset's instances by, as API Manager's list names it.
pub(super) fn autodiscovery_api_name(group: &str, asset: &str) -> String {
    format!("groupId:{group}:assetId:{asset}")
}

/// GET .../apis: assets, each with its instances, filtered and paged as API Manager does.
pub async fn list(
    State(state): State<Shared>,
    Path((org, env)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    guarded(&state, &subject, &org, &env, READ_APIS, |world, _| {
        let filter = |key: &str, value: Option<&str>| {
            query.get(key).is_none_or(|q| value == Some(q.as_str()))
        };
        let instances: Vec<&ApiInstance> = world
            .apis
            .iter()
            .filter(|a| a.env == env)
            .filter(|a| filter("assetId", Some(&a.asset_id)))
            .filter(|a| filter("productVersion", Some(&a.product_version)))
            .filter(|a| filter("instanceLabel", a.instance_label.as_deref()))
            .collect();
        let mut assets: Vec<(String, Vec<&ApiInstance>)> = Vec::new();
        for api in instances {
            match assets.iter_mut().find(|(id, _)| *id == api.asset_id) {
                Some((_, apis)) => apis.push(api),
                None => assets.push((api.asset_id.clone(), vec![api])),
            }
        }
        let total = assets.len();
        let paging = Paging::of(&query, LIST_DEFAULT_LIMIT);
        let offset = paging.offset;
        let page: Vec<Value> = paging
            .page(&assets)
            .enumerate()
            .map(|(index, (asset_id, apis))| {
                let group = apis[0].group_id.clone().unwrap_or_else(|| org.clone());
                json!({
                    "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
                    "masterOrganizationId": world.root.id,
                    "organizationId": org,
                    "id": 6_123_456 + offset + index,
                    "name": autodiscovery_api_name(&group, asset_id),
                    "exchangeAssetName": apis[0].exchange_asset_name.clone().unwrap_or_else(|| asset_id.clone()),
                    "groupId": group,
                    "assetId": asset_id,
                    "apis": apis.iter().map(|a| instance_json(world, a)).collect::<Vec<_>>(),
                    "totalApis": apis.len(),
                    "autodiscoveryApiName": autodiscovery_api_name(&group, asset_id),
                })
            })
            .collect();
        respond::ok(json!({"total": total, "assets": page}))
    })
}

/// POST .../apis: a new API instance; the body needs `spec` {groupId, assetId, version}.
pub async fn create(
    State(state): State<Shared>,
    Path((org, env)): Path<(String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    guarded(&state, &subject, &org, &env, CREATE_APIS, |world, _| {
        let body = match respond::json_body(&body) {
            Ok(body) => body,
            Err(response) => return response,
        };
        let spec = |key: &str| {
            body.pointer(&format!("/spec/{key}"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (Some(group_id), Some(asset_id), Some(version)) =
            (spec("groupId"), spec("assetId"), spec("version"))
        else {
            return respond::apim_invalid(
                ".spec",
                "should have required properties groupId, assetId, version",
            );
        };
        let api = ApiInstance {
            id: world.next_id(),
            env: env.clone(),
            asset_id,
            group_id: Some(group_id),
            product_version: format!("v{}", version.split('.').next().unwrap_or("1")),
            asset_version: version,
            instance_label: body
                .get("instanceLabel")
                .and_then(Value::as_str)
                .map(str::to_string),
            exchange_asset_name: None,
            status: "unregistered".into(),
            // A new instance has no tiers, policies, upstreams or alerts until they are added.
            tiers: Vec::new(),
            policies: Vec::new(),
            upstreams: Vec::new(),
            alerts: Vec::new(),
        };
        let answer = instance_json(world, &api);
        world.apis.push(api);
        respond::created(answer)
    })
}

pub async fn describe(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        &api,
        READ_APIS,
        |world, found| respond::ok(instance_json(world, found)),
    )
}

pub fn contract_json(world: &World, contract: &Contract) -> Value {
    let app = world
        .client_applications
        .iter()
        .find(|a| a.id == contract.application_id);
    let tier = world
        .apis
        .iter()
        .find(|a| a.id == contract.api_id)
        .and_then(|a| a.tiers.iter().find(|t| Some(t.id) == contract.tier_id));
    json!({
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "masterOrganizationId": world.root.id,
        "organizationId": world.root.id,
        "id": contract.id,
        "status": contract.status,
        "approvedDate": (contract.status == "APPROVED").then_some(AUDIT_DATE),
        "rejectedDate": null,
        "revokedDate": null,
        "applicationId": contract.application_id,
        "application": app.map(|a| json!({
            "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
            "id": a.id, "name": a.name, "description": a.description,
            "clientProvider": {"providerId": null}, "coreServicesId": a.client_id, "url": null
        })),
        "tierId": contract.tier_id,
        "tier": tier.map(|t| json!({"id": t.id, "name": t.name, "status": "ACTIVE", "autoApprove": true,
            "limits": tier_limits()})),
        "requestedTierId": null,
        "requestedTier": null,
        "terms": null,
        "apiId": contract.api_id,
        "api": {"id": contract.api_id, "organizationId": world.root.id},
    })
}

/// GET .../apis/{id}/contracts.
pub async fn contracts(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        &api,
        READ_CONTRACTS,
        |world, found| {
            let list: Vec<Value> = world
                .contracts
                .iter()
                .filter(|c| c.api_id == found.id)
                .map(|c| contract_json(world, c))
                .collect();
            respond::ok(json!({"total": list.len(), "contracts": list}))
        },
    )
}

/// POST .../apis/{id}/contracts: {"applicationId": <int>, "requestedTierId": <int>?}.
/// Answers 200 with the contract, not 201 (§4.7, §11.10, anypoint-client-go
/// apim_contract/api/openapi.yaml).
pub async fn create_contract(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Caller(subject): Caller,
    body: Bytes,
) -> Response {
    guarded_lookup(
        &state,
        &subject,
        &org,
        &env,
        Some(&api),
        MANAGE_CONTRACTS,
        |world, subject| {
            let Some(instance) = find_instance(world, &env, &api) else {
                return respond::apim_not_found(&format!("API {api} not found"));
            };
            let api_id = instance.id;
            if !reads_asset(world, subject, instance, &org) {
                return respond::apim_forbidden();
            }
            let body = match respond::json_body(&body) {
                Ok(body) => body,
                Err(response) => return response,
            };
            let Some(application_id) = body.get("applicationId").and_then(Value::as_u64) else {
                return respond::apim_invalid(".applicationId", "should be integer");
            };
            let tier_id = body.get("requestedTierId").and_then(Value::as_u64);
            match add_contract(world, api_id, application_id, tier_id) {
                Ok(contract) => respond::ok(contract_json(world, &contract)),
                Err(ContractRefused::UnknownApplication(message)) => {
                    respond::apim_not_found(&message)
                }
                Err(ContractRefused::Exists(message)) => respond::apim_conflict(&message),
            }
        },
    )
}

/// Creating a contract needs Exchange Viewer besides Manage Contracts:
/// "Connected Apps require the following scopes: - Manage Contracts -
/// Exchange Viewer" (§12.2, anypoint-client-go apim_contract/api/openapi.yaml)
/// [C]. That it is needed in the business group of the instance's asset, and
/// that its absence answers 403 before the body is read, are [I] inferred.
pub fn reads_asset(world: &World, subject: &Subject, api: &ApiInstance, org: &str) -> bool {
    let group = api.group_id.as_deref().unwrap_or(org);
    allowed(world, subject, READ_EXCHANGE, group, None)
}

/// Why a contract was not added; each service words it in its own shape.
pub enum ContractRefused {
    UnknownApplication(String),
    Exists(String),
}

/// Adds a contract unless the application is unknown or already has one with this API.
pub fn add_contract(
    world: &mut World,
    api_id: u64,
    application_id: u64,
    tier_id: Option<u64>,
) -> Result<Contract, ContractRefused> {
    if !world
        .client_applications
        .iter()
        .any(|a: &ClientApplication| a.id == application_id)
    {
        return Err(ContractRefused::UnknownApplication(format!(
            "Application {application_id} not found"
        )));
    }
    if world
        .contracts
        .iter()
        .any(|c| c.api_id == api_id && c.application_id == application_id)
    {
        return Err(ContractRefused::Exists(format!(
            "Application {application_id} already has a contract with API {api_id}"
        )));
    }
    let contract = Contract {
        id: world.next_id(),
        api_id,
        application_id,
        status: "APPROVED".into(),
        tier_id,
    };
    world.contracts.push(contract.clone());
    Ok(contract)
}
