//! What a gateway needs to run an API instance: its autodiscovery
//! properties and its proxy application (anypoint-cli-v4's `api
//! autodiscovery` and `api download-proxy`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::apimanager::{READ_APIS, autodiscovery_api_name, with_instance};
use super::{Caller, Shared};
use crate::respond;
use crate::stored_zip;

/// Downloading a proxy: what views API configuration (`READ_APIS`) and Deploy API Proxies
/// (§7, org+env). That either is enough to download one is [I] inferred.
const DOWNLOAD_PROXY: &[&str] = &[
    "manage:api_proxies",
    "read:api_configuration",
    "manage:api_configuration",
    "manage:apis",
    "admin:api_manager",
];

/// The gateway's major version from `gatewayVersion` (`4.6.0` → 4); 4 when absent or unreadable [I].
fn gateway_major(query: &HashMap<String, String>) -> u64 {
    query
        .get("gatewayVersion")
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(4)
}

/// GET .../apis/{apiId}/autodiscoveryProperties?gatewayVersion=…: the properties a
/// gateway of that version names the instance by, as an object the CLI prints key by key
/// (api/autodiscovery.js). [I] The keys: Mule 4 gateways autodiscover by API id; Mule 3
/// ones by API name and version, the names API Manager lists (`autodiscoveryApiName`,
/// `autodiscoveryInstanceName`).
pub async fn autodiscovery(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    with_instance(&state, &subject, &org, &env, &api, READ_APIS, |_, found| {
        if gateway_major(&query) >= 4 {
            return respond::ok(json!({"apiId": found.id}));
        }
        let group = found.group_id.as_deref().unwrap_or(&org);
        respond::ok(json!({
            "apiName": autodiscovery_api_name(group, &found.asset_id),
            "apiVersion": format!("{}:{}", found.product_version, found.id),
        }))
    })
}

/// GET /proxies/xapi/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/proxy
/// (helpers/uris.js `apiProxyDownload`): the proxy application as an archive named by
/// `Content-Disposition`, which the CLI saves under that name (api/download-proxy.js).
/// [I] Its contents: a tiny, deterministic stand-in holding the instance's id, its
/// upstream and the gateway version asked for, not a runnable Mule application.
pub async fn download(
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
        DOWNLOAD_PROXY,
        |_, found| {
            let label = found
                .instance_label
                .clone()
                .unwrap_or_else(|| found.asset_id.clone());
            let upstream = found.upstreams.first().map_or("", |u| u.uri.as_str());
            let gateway = query.get("gatewayVersion").map_or("4.6.0", String::as_str);
            let properties = format!(
                "api.id={}\nimplementation.uri={upstream}\ngateway.version={gateway}\n",
                found.id
            );
            let zip = stored_zip::archive(&[("mule-app.properties", properties.as_bytes())]);
            (
                [
                    (header::CONTENT_TYPE, "application/zip".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{label}-proxy.zip\""),
                    ),
                ],
                zip,
            )
                .into_response()
        },
    )
}
