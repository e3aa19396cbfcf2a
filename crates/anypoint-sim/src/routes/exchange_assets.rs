//! Exchange assets: reading one asset of the catalogue (Exchange v2's asset
//! routes and the v1 route anypoint-cli-v4 reads), which needs Exchange
//! Viewer (or a scope that includes it) in the asset's business group; and
//! that rule and lookup for the other asset routes (portal, search).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::{AUDIT_DATE, Caller, Shared, accounts, allowed, exchange_files};
use crate::catalogue::{self, Asset};
use crate::policy_templates::MULESOFT_GROUP_ID;
use crate::respond;
use crate::state::{SimState, Subject};
use crate::world::World;

/// Exchange Viewer and the Exchange scopes taken to include it. That
/// Exchange Administrator (and Contributor, Creator) include read access is
/// [I] inferred from their names (§7); Exchange Viewer is [C] (S19).
pub const READ_EXCHANGE: &[&str] = &[
    "read:exchange",
    "edit:exchange",
    "create:exchange",
    "manage:exchange",
];

/// Whether the caller may read the assets of business group `group`: an
/// Exchange read scope there (§7), or an org admin (`allowed`). MuleSoft's
/// own group, whose policies every org applies, is public to any caller [I].
pub fn may_read(world: &World, subject: &Subject, group: &str) -> bool {
    group == MULESOFT_GROUP_ID
        || world.org(group).is_some() && allowed(world, subject, READ_EXCHANGE, group, None)
}

/// The asset `group/asset` at `version` (its latest when None) for the
/// caller. An asset the catalogue lacks is 404 whatever the caller holds [I];
/// a caller without read access to its business group gets 403 [I] (§12.2:
/// reading the asset is the read that tells whether the app holds Exchange
/// Viewer), in Exchange's error shapes (§5, S2, S13).
pub fn readable(
    world: &World,
    subject: &Subject,
    group: &str,
    asset: &str,
    version: Option<&str>,
) -> Result<Asset, Response> {
    let found = match version {
        Some(version) => catalogue::find(world, group, asset, version),
        None => catalogue::latest(world, group, asset),
    };
    let Some(found) = found else {
        let name = match version {
            Some(version) => format!("{group}/{asset}/{version}"),
            None => format!("{group}/{asset}"),
        };
        return Err(respond::exchange_error(
            404,
            &format!("Asset {name} not found"),
        ));
    };
    if !may_read(world, subject, group) {
        return Err(respond::exchange_error(403, "Unauthorized"));
    }
    Ok(found)
}

/// The asset in the published `asset` shape (S2 `exchange_assets`), without
/// `versions`, whose shape differs between v1 and v2. The creator is the
/// org's owner, with the id every other route gives that user [I].
fn body(state: &SimState, world: &World, asset: &Asset) -> Value {
    json!({
        "groupId": asset.group_id,
        "assetId": asset.asset_id,
        "version": asset.version,
        "minorVersion": minor(&asset.version),
        "versionGroup": asset.product_version,
        "description": "",
        "organizationId": asset.group_id,
        "isPublic": false,
        "name": asset.name,
        "contactName": null,
        "contactEmail": null,
        "type": asset.kind,
        "isSnapshot": false,
        "status": "published",
        "labels": [],
        "attributes": [],
        "categories": [],
        "customFields": [],
        "dependencies": [],
        "createdById": accounts::owner(world).0,
        "createdAt": AUDIT_DATE,
        "files": asset.files().iter().map(|file| json!({
            "classifier": file.classifier,
            "packaging": file.packaging,
            "externalLink": exchange_files::link(state, asset, &file.download.file_name),
            "createdDate": AUDIT_DATE,
            "mainFile": file.entry,
            "isGenerated": false,
        })).collect::<Vec<_>>(),
    })
}

/// `1.0` of `1.0.3`.
fn minor(version: &str) -> String {
    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// GET /exchange/api/v2/assets/{groupId}/{assetId}/{version}/asset (S2
/// `exchange_assets`, "Get Asset by Version"): `versions` lists every
/// version of the asset, as strings.
pub async fn version(
    State(state): State<Shared>,
    Path((group, asset, version)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    v2(&state, &subject, &group, &asset, Some(&version))
}

/// GET /exchange/api/v2/assets/{groupId}/{assetId}/asset (S2, "Get one
/// specific Asset": its latest version [I]), and the doctor's
/// GET /exchange/api/v2/assets/{groupId}/{assetId} (§12.2), the same read.
pub async fn latest(
    State(state): State<Shared>,
    Path((group, asset)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    v2(&state, &subject, &group, &asset, None)
}

fn v2(
    state: &SimState,
    subject: &Subject,
    group: &str,
    asset: &str,
    version: Option<&str>,
) -> Response {
    let world = state.world.lock().expect("world lock");
    let found = match readable(&world, subject, group, asset, version) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let mut out = body(state, &world, &found);
    out["versions"] = catalogue::versions(&world, group, asset)
        .into_iter()
        .map(|a| Value::from(a.version))
        .collect();
    respond::ok(out)
}

/// GET /exchange/api/v1/assets/{groupId}/{assetId}/{version}: what
/// anypoint-cli-v4's `exchange asset describe` and `download` read
/// (`anypoint-cli-exchange-plugin/lib/helpers/uris.js` `asset`): `name`,
/// `modifiedAt`, `status`, `type`, `productAPIVersion`, `versions[].version`
/// (objects here, `describe.js`), `files[]` with `classifier`,
/// `isGenerated` and `externalLink` (`utils.js` `getAssetMainFile`).
pub async fn v1(
    State(state): State<Shared>,
    Path((group, asset, version)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    let world = state.world.lock().expect("world lock");
    let found = match readable(&world, &subject, &group, &asset, Some(&version)) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let mut out = body(&state, &world, &found);
    out["modifiedAt"] = json!(AUDIT_DATE);
    out["productAPIVersion"] = json!(found.product_version);
    out["versions"] = catalogue::versions(&world, &group, &asset)
        .into_iter()
        .map(|a| json!({"version": a.version, "status": "published", "createdAt": AUDIT_DATE}))
        .collect();
    respond::ok(out)
}
