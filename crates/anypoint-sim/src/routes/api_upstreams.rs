//! API Manager's upstreams of an API instance: the backends its proxy
//! forwards to (what anypoint-cli-v4's `upstream list` reads).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::{READ_APIS, with_instance};
use super::{AUDIT_DATE, Caller, Shared};
use crate::respond;

/// GET .../apis/{apiId}/upstreams: `{total, upstreams}` (anypoint-client-go
/// apim_upstream GetApimInstanceUpstreams, whose description asks Connected
/// Apps for "View APIs Configuration": `READ_APIS`). No TLS context: `tlsContext`
/// is null, which the description allows.
pub async fn list(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_instance(&state, &subject, &org, &env, &api, READ_APIS, |_, found| {
        let upstreams: Vec<Value> = found
            .upstreams
            .iter()
            .map(|u| {
                json!({
                    "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
                    "id": u.id,
                    "label": u.label,
                    "uri": u.uri,
                    "tlsContext": null,
                })
            })
            .collect();
        respond::ok(json!({"total": upstreams.len(), "upstreams": upstreams}))
    })
}
