//! Exchange's Maven repository: an asset's files by Maven coordinates,
//! `/api/v2/maven/{groupId}/{assetId}/{version}/{assetId}-{version}-{classifier}.{packaging}`,
//! which anypoint-sdk 0.3.2 downloads from (`resources/exchange.py`
//! `download_asset_file`, on the host `maven.<control plane>`). The platform
//! serves it on that host; the simulator serves the path on its own, for a
//! client that reaches it as `maven.<host>` through a proxy or a hosts entry.

use axum::extract::{Path, State};
use axum::response::Response;

use super::exchange_assets::readable;
use super::exchange_files::serve;
use super::{Caller, Shared};
use crate::respond;

/// GET /api/v2/maven/{groupId}/{assetId}/{version}/{file}: the file the asset
/// lists under that name, with the bearer token and the read access the
/// asset's other reads need (Exchange Viewer in its business group) [I].
pub async fn download(
    State(state): State<Shared>,
    Path((group, asset, version, file)): Path<(String, String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    let world = state.world.lock().expect("world lock");
    let found = match readable(&world, &subject, &group, &asset, Some(&version)) {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let listed = found
        .files()
        .into_iter()
        .map(|f| f.download)
        .find(|d| d.file_name == file);
    match listed {
        Some(download) => serve(download),
        None => respond::exchange_error(404, &format!("File {file} not found")),
    }
}
