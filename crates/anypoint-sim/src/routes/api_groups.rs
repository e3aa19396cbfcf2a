//! API Manager's API groups (`groupInstances`): an environment's groups, one
//! group, and a group's contracts and SLA tiers (what anypoint-sdk's
//! `groups`, `contracts.list_group_contracts` and `tiers.list_group_tiers`
//! read). No published description covers these routes: the fields are those
//! anypoint-sdk 0.3.2 reads (`resources/groups.py`: `instances`, `total`, and
//! per group `id`, `groupName`, `groupVersionName`, `status`, `deprecated`,
//! `environmentId`, `apiInstances[].id`), the rest [I] as API instances have them.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::api_tiers::tier_json;
use super::apimanager::{READ_APIS, READ_CONTRACTS, guarded, instance_json};
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared};
use crate::respond;
use crate::state::Subject;
use crate::world::{ApiGroup, World};

fn group_json(world: &World, org: &str, group: &ApiGroup) -> Value {
    let instances: Vec<Value> = group
        .apis
        .iter()
        .filter_map(|id| world.apis.iter().find(|a| a.id == *id))
        .map(|a| instance_json(world, a))
        .collect();
    json!({
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "masterOrganizationId": world.root.id,
        "organizationId": org,
        "id": group.id,
        "groupId": group.id,
        "groupName": group.name,
        "groupVersionName": group.version,
        "environmentId": group.env,
        "status": "active",
        "deprecated": false,
        "apiInstances": instances,
    })
}

/// Answers with group `group` of `env` (API Manager's environment and scope
/// checks first, as for an instance), or 404 for one it does not hold [I].
fn with_group(
    state: &Shared,
    subject: &Subject,
    (org, env, group): (&str, &str, &str),
    scopes: &[&str],
    answer: impl FnOnce(&World, &ApiGroup) -> Response,
) -> Response {
    guarded(state, subject, org, env, scopes, |world, _| {
        match world
            .api_groups
            .iter()
            .find(|g| g.id.to_string() == group && g.env == env)
        {
            Some(found) => answer(world, found),
            None => respond::apim_not_found(&format!("Group instance {group} not found")),
        }
    })
}

/// GET .../groupInstances: `{total, instances}`, paged. Viewing groups takes
/// what viewing API configuration takes: API Manager Environment
/// Administrator covers "API configurations, groups, …" (§11.2); the other
/// configuration scopes [I].
pub async fn list(
    State(state): State<Shared>,
    Path((org, env)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    guarded(&state, &subject, &org, &env, READ_APIS, |world, _| {
        let groups: Vec<&ApiGroup> = world.api_groups.iter().filter(|g| g.env == env).collect();
        let page: Vec<Value> = Paging::of(&query, LIST_DEFAULT_LIMIT)
            .page(&groups)
            .map(|g| group_json(world, &org, g))
            .collect();
        respond::ok(json!({"total": groups.len(), "instances": page}))
    })
}

/// GET .../groupInstances/{id}: one group, with its API instances.
pub async fn describe(
    State(state): State<Shared>,
    Path((org, env, group)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_group(
        &state,
        &subject,
        (&org, &env, &group),
        READ_APIS,
        |world, found| respond::ok(group_json(world, &org, found)),
    )
}

/// GET .../groupInstances/{id}/contracts: `{total, contracts}`, as an
/// instance's contracts answer, with the scopes that read those. The worlds
/// hold contracts on instances only, so a group has none [I].
pub async fn contracts(
    State(state): State<Shared>,
    Path((org, env, group)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_group(
        &state,
        &subject,
        (&org, &env, &group),
        READ_CONTRACTS,
        |_, _| respond::ok(json!({"total": 0, "contracts": []})),
    )
}

/// GET .../groupInstances/{id}/tiers: the group's own SLA tiers, `{total,
/// tiers}` paged, as an instance's (apim_tier's shape, with `groupInstanceId`
/// in place of `apiId` [I]).
pub async fn tiers(
    State(state): State<Shared>,
    Path((org, env, group)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    with_group(
        &state,
        &subject,
        (&org, &env, &group),
        READ_APIS,
        |world, found| {
            let tiers: Vec<Value> = Paging::of(&query, LIST_DEFAULT_LIMIT)
                .page(&found.tiers)
                .map(|t| tier_json(world, &org, t, 0, json!({"groupInstanceId": found.id})))
                .collect();
            respond::ok(json!({"total": found.tiers.len(), "tiers": tiers}))
        },
    )
}
