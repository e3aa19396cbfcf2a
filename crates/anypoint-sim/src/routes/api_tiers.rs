//! API Manager's SLA tiers of an API instance (what anypoint-cli-v4's
//! `tier list` reads).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::{READ_APIS, tier_limits, with_instance};
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared};
use crate::respond;
use crate::world::{ApiInstance, Tier, World};

/// A tier as anypoint-client-go apim_tier's `SlaTier` describes it, with
/// `applications` contracts on it and the fields of `owner` (the instance's
/// or the group's id); it approves contracts itself [I] (the contracts the
/// worlds hold are approved).
pub(super) fn tier_json(
    world: &World,
    org: &str,
    tier: &Tier,
    applications: usize,
    owner: Value,
) -> Value {
    let mut answer = json!({
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "masterOrganizationId": world.root.id,
        "organizationId": org,
        "id": tier.id,
        "name": tier.name,
        "description": null,
        "autoApprove": true,
        "status": "ACTIVE",
        "limits": tier_limits(),
        "applicationCount": applications,
    });
    if let (Some(answer), Value::Object(owner)) = (answer.as_object_mut(), owner) {
        answer.extend(owner);
    }
    answer
}

fn instance_tier_json(world: &World, api: &ApiInstance, org: &str, tier: &Tier) -> Value {
    let applications = world
        .contracts
        .iter()
        .filter(|c| c.api_id == api.id && c.tier_id == Some(tier.id))
        .count();
    let owner = json!({"apiId": api.id, "apiVersionId": api.id.to_string()});
    tier_json(world, org, tier, applications, owner)
}

/// GET .../apis/{apiId}/tiers: `{total, tiers}` paged by `offset` and `limit`
/// (apim_tier GetApiInstanceTiers). Its description asks Connected Apps for
/// "View SLA Tiers", a name §7 does not list; API Manager Environment
/// Administrator covers tiers (§11.2); that the other API configuration
/// scopes (`READ_APIS`) do is [I] inferred.
pub async fn list(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        &api,
        READ_APIS,
        |world, found| {
            let tiers: Vec<Value> = Paging::of(&query, LIST_DEFAULT_LIMIT)
                .page(&found.tiers)
                .map(|t| instance_tier_json(world, found, &org, t))
                .collect();
            respond::ok(json!({"total": found.tiers.len(), "tiers": tiers}))
        },
    )
}
