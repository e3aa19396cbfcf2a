//! Exchange assets: reading an API instance's asset, which needs Exchange
//! Viewer (or a scope that includes it) in the asset's business group.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::json;

use super::{Caller, Shared, allowed};
use crate::respond;

/// Exchange Viewer and the Exchange scopes taken to include it. That
/// Exchange Administrator (and Contributor, Creator) include read access is
/// [I] inferred from their names (§7); Exchange Viewer is [C] (S19).
pub const READ_EXCHANGE: &[&str] = &[
    "read:exchange",
    "edit:exchange",
    "create:exchange",
    "manage:exchange",
];

/// GET /exchange/api/v2/assets/{groupId}/{assetId}: the asset behind an API
/// instance (its coordinates come from API Manager's list, §4.6). An asset
/// no instance names is 404 whatever the caller holds [I]; a caller without
/// read access to its business group gets 403 [I] (§12.2: reading the asset
/// is the read that tells whether the app holds Exchange Viewer).
pub async fn asset(
    State(state): State<Shared>,
    Path((group, asset)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    let world = state.world.lock().expect("world lock");
    let found = world.apis.iter().find(|api| {
        api.asset_id == asset
            && api.group_id.clone().unwrap_or_else(|| {
                world
                    .environment(&api.env)
                    .map(|(o, _)| o.id.clone())
                    .unwrap_or_default()
            }) == group
    });
    let Some(api) = found else {
        return respond::exchange_error(404, &format!("Asset {group}/{asset} not found"));
    };
    if world.org(&group).is_none() || !allowed(&world, &subject, READ_EXCHANGE, &group, None) {
        return respond::exchange_error(403, "Unauthorized");
    }
    respond::ok(json!({
        "groupId": group,
        "assetId": api.asset_id,
        "version": api.asset_version,
        "name": api.exchange_asset_name.clone().unwrap_or_else(|| api.asset_id.clone()),
        "type": "rest-api",
        "organizationId": group,
        "status": "published",
    }))
}
