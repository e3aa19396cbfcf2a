//! An asset's published portal in Exchange v2: its documentation pages (as
//! Markdown) and its resources (images), read under
//! `/exchange/api/v2/assets/{groupId}/{assetId}/{version}/portal/…` (docs
//! "Manage Asset Portal Resources"; anypoint-cli-v4's
//! `anypoint-cli-exchange-plugin/lib/helpers/uris.js` `assetPages`,
//! `assetPage`, `assetPublishedResources`, `assetPublishedResource`). Reading
//! them is reading the asset: the same scope rule (`exchange_assets`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::exchange_assets::readable;
use super::exchange_files::serve;
use super::{Caller, Shared};
use crate::catalogue::Asset;
use crate::respond;

type Coordinates = (String, String, String);

/// The asset behind a portal route, for the caller (404, 403 as the asset).
fn asset(
    state: &Shared,
    (group, asset, version): &Coordinates,
    caller: &Caller,
) -> Result<Asset, Response> {
    let world = state.world.lock().expect("world lock");
    readable(&world, &caller.0, group, asset, Some(version))
}

/// GET …/portal/pages: `[{name, path}]`, the two fields `page list` and
/// `page download` read (`page/list.js`, `utils.js` `getAssetPagesPaths`).
pub async fn pages(
    State(state): State<Shared>,
    Path(coordinates): Path<Coordinates>,
    caller: Caller,
) -> Response {
    match asset(&state, &coordinates, &caller) {
        Ok(asset) => respond::ok(
            asset
                .pages()
                .into_iter()
                .map(|p| json!({"name": p.name, "path": p.path}))
                .collect::<Value>(),
        ),
        Err(refused) => refused,
    }
}

/// GET …/portal/pages/{pageName}: the page's Markdown (`page download` asks
/// for `Accept: text/markdown`, `page/download.js`); 404 for a page the
/// asset lacks [I].
pub async fn page(
    State(state): State<Shared>,
    Path((group, asset_id, version, name)): Path<(String, String, String, String)>,
    caller: Caller,
) -> Response {
    let asset = match asset(&state, &(group, asset_id, version), &caller) {
        Ok(asset) => asset,
        Err(refused) => return refused,
    };
    match asset.pages().into_iter().find(|p| p.path == name) {
        Some(page) => ([(header::CONTENT_TYPE, "text/markdown")], page.markdown).into_response(),
        None => respond::exchange_error(404, &format!("Page {name} not found")),
    }
}

/// GET …/portal/resources: `[{path}]`, the field `resource list` reads
/// (`resource/list.js`); the path is what `resource download` appends to
/// `…/portal/` (`uris.js` `assetPublishedResource`).
pub async fn resources(
    State(state): State<Shared>,
    Path(coordinates): Path<Coordinates>,
    caller: Caller,
) -> Response {
    match asset(&state, &coordinates, &caller) {
        Ok(asset) => respond::ok(
            asset
                .resources()
                .into_iter()
                .map(|r| json!({"path": r.path}))
                .collect::<Value>(),
        ),
        Err(refused) => refused,
    }
}

/// GET …/portal/resources/{file}: the resource's bytes (docs: "resourceId:
/// The resource file name"); 404 for one the asset lacks [I].
pub async fn resource(
    State(state): State<Shared>,
    Path((group, asset_id, version, file)): Path<(String, String, String, String)>,
    caller: Caller,
) -> Response {
    let asset = match asset(&state, &(group, asset_id, version), &caller) {
        Ok(asset) => asset,
        Err(refused) => return refused,
    };
    match asset
        .resources()
        .into_iter()
        .find(|r| r.download.file_name == file)
    {
        Some(found) => serve(found.download),
        None => respond::exchange_error(404, &format!("Resource {file} not found")),
    }
}
