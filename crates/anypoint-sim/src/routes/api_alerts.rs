//! Alerts on an API instance: API Manager's legacy alerts and Anypoint
//! Monitoring's basic alerts (what anypoint-cli-v4's `alert list-legacy` and
//! `alert list` read).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::with_instance;
use super::{AUDIT_DATE, Caller, LIST_DEFAULT_LIMIT, Paging, Shared, derived_id};
use crate::respond;
use crate::world::{Alert, ApiInstance, World};

/// Viewing alerts: View API Alerts and Manage API Alerts (§7 row "Manage API Alerts / View
/// API Alerts", org+env), API Manager Environment Administrator, which covers alerts (§11.2),
/// and `admin:api_manager` ([I], §11.12). That Monitoring's route takes the same is [I].
const READ_ALERTS: &[&str] = &[
    "read:api_alerts",
    "manage:api_alerts",
    "manage:apis",
    "admin:api_manager",
];

/// An alert's metric, as `alert add` and `alert add-legacy` name it for each
/// service (anypoint-cli-v4 lib/commands/api-mgr/alert/add.js, add-legacy.js `type`).
fn metric_names(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "response-code" => ("api_response_code_count", "api-response-code"),
        "policy-violation" => ("api_policy_violation_count", "api-policy-violation"),
        "response-time" => ("api_response_time", "api-response-time"),
        _ => ("api_request_count", "api-request-count"),
    }
}

/// `warning` as add-legacy.js's `--severity` options spell it: `Warning`.
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The alerts of `api` from one service, paged by `offset` and `limit`.
fn alerts_of<'a>(
    api: &'a ApiInstance,
    legacy: bool,
    query: &HashMap<String, String>,
) -> Vec<&'a Alert> {
    let alerts = api.alerts.iter().filter(|a| a.legacy == legacy);
    Paging::of(query, LIST_DEFAULT_LIMIT).page(alerts).collect()
}

/// A legacy alert as anypoint-client-go apim_alerts' `alert` describes it;
/// recipients are users, named as `/users/me` names them (one identity).
fn legacy_json(alert: &Alert) -> Value {
    let recipients: Vec<Value> = alert
        .recipients
        .iter()
        .map(|user| json!({"type": "user", "value": derived_id(user), "firstName": user, "lastName": ""}))
        .collect();
    json!({
        "id": alert.id,
        "apiAlertsVersion": "1.0.0",
        "name": alert.name,
        "type": metric_names(&alert.metric).1,
        "enabled": alert.enabled,
        "severity": capitalized(&alert.severity),
        "recipients": recipients,
        // The shape add-legacy.js sends: [I] every alert fires above 1000 in 5 minutes, twice.
        "condition": {"resourceType": "api-version", "aggregate": "COUNT", "operator": "GREATER_THAN", "value": 1000},
        "period": {"duration": {"count": 5, "weight": "MINUTES"}, "repeat": 2},
        // Not in the description, but list-legacy.js reads them for its Updated column.
        "createdAt": AUDIT_DATE,
        "lastModified": AUDIT_DATE,
    })
}

/// GET .../apis/{apiId}/alerts: the instance's legacy alerts, an array (apim_alerts
/// GetAlertsfromAPImanager).
pub async fn legacy(
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
        READ_ALERTS,
        |_, found| {
            respond::ok(Value::Array(
                alerts_of(found, true, &query)
                    .into_iter()
                    .map(legacy_json)
                    .collect(),
            ))
        },
    )
}

/// A Monitoring basic alert, in the shape `alert add` sends and `alert list`
/// reads (add.js `buildRequestBody`, list.js): no published description [I].
fn monitoring_json(world: &World, api: &ApiInstance, org: &str, alert: &Alert) -> Value {
    json!({
        "alertId": alert.id,
        "type": "basic",
        "name": alert.name,
        "severity": alert.severity,
        "state": if alert.enabled { "enabled" } else { "paused" },
        "masterOrganizationId": world.root.id,
        "organizationId": org,
        "environmentId": api.env,
        "resourceType": "api",
        "metricType": metric_names(&alert.metric).0,
        "resources": [{"apiId": api.id, "apiVersionId": api.id, "type": "api"}],
        "condition": {"operator": "above", "threshold": 1000, "interval": 5},
        "wildcardAlert": false,
        "notifications": [{"type": "email", "recipients": alert.recipients}],
        "createdAt": AUDIT_DATE,
        "lastModified": AUDIT_DATE,
    })
}

/// GET /monitoring/api/alerts/api/v2/organizations/{orgId}/environments/{envId}/alerts
/// `?apiId=…`: the instance's Monitoring alerts, an array (anypoint-cli-v4
/// helpers/uris.js `monitoring`). [I] Without `apiId` it answers 400: the CLI always names one.
pub async fn monitoring(
    State(state): State<Shared>,
    Path((org, env)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let Some(api) = query.get("apiId") else {
        return respond::apim_invalid(".apiId", "should be present");
    };
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        api,
        READ_ALERTS,
        |world, found| {
            respond::ok(Value::Array(
                alerts_of(found, false, &query)
                    .into_iter()
                    .map(|a| monitoring_json(world, found, &org, a))
                    .collect(),
            ))
        },
    )
}
