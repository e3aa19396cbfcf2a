//! An asset's published portal in Exchange v2: its documentation pages (as
//! Markdown) and its resources (images), read under
//! `/exchange/api/v2/assets/{groupId}/{assetId}/{version}/portal/…`
//! (docs.mulesoft.com/exchange/to-manage-asset-portal-resources; anypoint-cli-v4's
//! `anypoint-cli-exchange-plugin/lib/helpers/uris.js` `assetPages`,
//! `assetPage`, `assetPublishedResources`, `assetPublishedResource`). Reading
//! them is reading the asset: the same scope rule (`exchange_assets`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::exchange_assets::readable;
use super::exchange_files::serve;
use super::{Caller, Shared};
use crate::catalogue::Asset;
use crate::respond;

type Coordinates = (String, String, String);

/// `answer` for the asset behind a portal route, if the caller may read it
/// (else the asset's 404 or 403).
fn read(
    state: &Shared,
    (group, asset, version): &Coordinates,
    caller: &Caller,
    answer: impl FnOnce(Asset) -> Response,
) -> Response {
    let found = {
        let world = state.world.lock().expect("world lock");
        readable(&world, &caller.0, group, asset, Some(version))
    };
    found.map_or_else(|refused| refused, answer)
}

/// GET …/portal/pages: `[{name, path}]`, the two fields `page list` and
/// `page download` read (`page/list.js`, `utils.js` `getAssetPagesPaths`).
pub async fn pages(
    State(state): State<Shared>,
    Path(coordinates): Path<Coordinates>,
    caller: Caller,
) -> Response {
    read(&state, &coordinates, &caller, |asset| {
        let pages = asset.pages().into_iter();
        respond::ok(
            pages
                .map(|p| json!({"name": p.name, "path": p.path}))
                .collect(),
        )
    })
}

/// GET …/portal/pages/{pageName}: the page's Markdown (`page download` asks
/// for `Accept: text/markdown`, `page/download.js`); 404 for a page the
/// asset lacks [I].
pub async fn page(
    State(state): State<Shared>,
    Path((group, asset, version, name)): Path<(String, String, String, String)>,
    caller: Caller,
) -> Response {
    read(
        &state,
        &(group, asset, version),
        &caller,
        |asset| match asset.pages().into_iter().find(|p| p.path == name) {
            Some(page) => {
                ([(header::CONTENT_TYPE, "text/markdown")], page.markdown).into_response()
            }
            None => respond::exchange_error(404, &format!("Page {name} not found")),
        },
    )
}

/// GET …/portal/resources: `[{path}]`, the field `resource list` reads
/// (`resource/list.js`); the path is what `resource download` appends to
/// `…/portal/` (`uris.js` `assetPublishedResource`).
pub async fn resources(
    State(state): State<Shared>,
    Path(coordinates): Path<Coordinates>,
    caller: Caller,
) -> Response {
    read(&state, &coordinates, &caller, |asset| {
        let resources = asset.resources().into_iter();
        respond::ok(resources.map(|r| json!({"path": r.path})).collect())
    })
}

/// GET …/portal/resources/{file}: the resource's bytes (docs: "resourceId:
/// The resource file name"); 404 for one the asset lacks [I].
pub async fn resource(
    State(state): State<Shared>,
    Path((group, asset, version, file)): Path<(String, String, String, String)>,
    caller: Caller,
) -> Response {
    read(&state, &(group, asset, version), &caller, |asset| {
        let mut resources = asset.resources().into_iter();
        match resources.find(|r| r.download.file_name == file) {
            Some(found) => serve(found.download),
            None => respond::exchange_error(404, &format!("Resource {file} not found")),
        }
    })
}
