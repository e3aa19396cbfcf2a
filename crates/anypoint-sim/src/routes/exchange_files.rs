//! Exchange's asset files: the signed links an asset's `files[].externalLink`
//! gives and the download behind them. On the platform the link is a
//! pre-signed URL of Exchange's file storage, fetched without the bearer
//! token (anypoint-cli-v4 `utils.js` `assetDownloadCommon` sends no
//! Authorization header to it) [I: the storage's shape]; the simulator
//! serves it itself, under a path of its own, signed with its run's key.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Shared;
use crate::catalogue::{self, Asset, Download};
use crate::state::SimState;

/// The simulator's stand-in for the file storage's host and path [I].
pub const FILES: &str = "/sim/exchange-files";

/// The absolute, signed link to one of `asset`'s files.
pub fn link(state: &SimState, asset: &Asset, file_name: &str) -> String {
    let path = path(asset, file_name);
    let signature = signature(&state.link_key, &path);
    format!("{}{path}?signature={signature}", state.base_url)
}

fn path(asset: &Asset, file_name: &str) -> String {
    format!(
        "{FILES}/{}/{}/{}/{file_name}",
        asset.group_id, asset.asset_id, asset.version
    )
}

/// A keyed hash of the path: only a link the simulator gave out verifies.
fn signature(key: &str, path: &str) -> String {
    let mut hasher = DefaultHasher::new();
    (key, path).hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// GET /sim/exchange-files/{groupId}/{assetId}/{version}/{file}?signature=…:
/// the file's bytes, without a bearer token. Anything but a link the
/// simulator gave out (a missing or wrong signature, a file no asset has)
/// is 403 in the XML of a storage service [I] (S3 answers a bad pre-signed
/// URL with `AccessDenied`).
pub async fn download(
    State(state): State<Shared>,
    Path((group, asset, version, file)): Path<(String, String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let found = {
        let world = state.world.lock().expect("world lock");
        catalogue::find(&world, &group, &asset, &version)
    };
    let main = found.filter(|asset| {
        query.get("signature") == Some(&signature(&state.link_key, &path(asset, &file)))
    });
    let listed = main.and_then(|a| {
        a.files()
            .into_iter()
            .map(|f| f.download)
            .find(|d| d.file_name == file)
    });
    match listed {
        Some(download) => serve(download),
        None => {
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/xml")],
                body,
            )
                .into_response()
        }
    }
}

/// A downloadable file with its media type.
pub fn serve(download: Download) -> Response {
    ([(header::CONTENT_TYPE, download.media_type)], download.body).into_response()
}
