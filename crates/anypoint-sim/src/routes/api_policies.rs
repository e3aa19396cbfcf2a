//! API Manager's policies: those applied to an API instance, and the policy
//! templates an org may apply (what anypoint-cli-v4's `policy list` and
//! `policy describe` read).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::with_instance;
use super::{AUDIT_DATE, Caller, Shared, allowed};
use crate::policy_templates::{self, Template};
use crate::respond;
use crate::world::{ApiInstance, Policy, World};

/// Viewing policies: View Policies and Manage Policies (org+env), View Policies All
/// Environments (org) (§7 rows "Manage Policies / View Policies", "View Policies All
/// Environments"), and what views API configuration (`READ_APIS`, §7, §11.2). That the
/// configuration scopes cover policies is [I] inferred.
const READ_POLICIES: &[&str] = &[
    "read:api_policies",
    "manage:api_policies",
    "read:api_policies_all_envs",
    "read:api_configuration",
    "manage:api_configuration",
    "manage:apis",
    "admin:api_manager",
];

/// MuleSoft's group id for its own policies, as anypoint-cli-v4 names it
/// (lib/commands/api-mgr/alert/add.js `MULESOFT_GROUP_ID`).
const MULESOFT_GROUP_ID: &str = "68ef9520-24e9-4cf2-b2f5-620025690913";

/// A policy as anypoint-client-go apim_policy's `ApimPolicy` describes it.
fn policy_json(world: &World, api: &ApiInstance, org: &str, order: usize, p: &Policy) -> Value {
    json!({
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "masterOrganizationId": world.root.id,
        "organizationId": org,
        "id": p.id,
        "policyTemplateId": p.template,
        "configurationData": p.configuration,
        "order": order,
        "disabled": p.disabled,
        // Applied to the whole API, not to some resources.
        "pointcutData": null,
        "groupId": MULESOFT_GROUP_ID,
        "assetId": p.template,
        "assetVersion": p.asset_version,
        "type": "system",
        "apiId": api.id,
    })
}

/// GET .../apis/{apiId}/policies: the instance's policies in order, as an array
/// (apim_policy GetApimPolicies; anypoint-cli-v4 policy/list.js iterates the
/// answer). [I] `fullInfo=true`, whose answer is `ApimPolicyFullData`, is answered the same.
pub async fn list(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Caller(subject): Caller,
) -> Response {
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        &api,
        READ_POLICIES,
        |world, found| {
            let list: Vec<Value> = found
                .policies
                .iter()
                .enumerate()
                .map(|(i, p)| policy_json(world, found, &org, i + 1, p))
                .collect();
            respond::ok(Value::Array(list))
        },
    )
}

fn template_json(t: &Template) -> Value {
    let configuration: Vec<Value> = t
        .properties
        .iter()
        .map(|p| {
            json!({
                "propertyName": p.name, "name": p.description, "description": p.description,
                "type": p.kind, "optional": p.optional, "sensitive": false, "allowMultiple": false,
            })
        })
        .collect();
    json!({
        "id": t.id,
        "name": t.name,
        "description": t.description,
        "category": t.category,
        "groupId": MULESOFT_GROUP_ID,
        "assetId": t.id,
        "version": t.version,
        "configuration": configuration,
    })
}

/// Who may read an org's policy templates: anyone who may view policies in
/// one of its environments [I] (the route names no environment).
fn templates_guard(state: &Shared, subject: &crate::state::Subject, org: &str) -> Option<Response> {
    let world = state.world.lock().expect("world lock");
    if world.org(org).is_none() {
        return Some(respond::apim_not_found(&format!(
            "Organization {org} not found"
        )));
    }
    (!allowed(&world, subject, READ_POLICIES, org, None)).then(respond::apim_forbidden)
}

/// GET /apimanager/api/v1/organizations/{orgId}/policy-templates: what
/// anypoint-cli-v4's `policy list` (no instance) reads (helpers/uris.js `policyTemplates`).
pub async fn templates(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Caller(subject): Caller,
) -> Response {
    if let Some(refused) = templates_guard(&state, &subject, &org) {
        return refused;
    }
    let list: Vec<Value> = policy_templates::TEMPLATES
        .iter()
        .map(template_json)
        .collect();
    respond::ok(Value::Array(list))
}

/// GET .../policy-templates/{templateId}: one template, as anypoint-cli-v4's
/// `policy describe <id>` reads it (policy/describe.js `composeMule3PolicyData`).
pub async fn template(
    State(state): State<Shared>,
    Path((org, id)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    if let Some(refused) = templates_guard(&state, &subject, &org) {
        return refused;
    }
    match policy_templates::find(&id) {
        Some(t) => respond::ok(template_json(t)),
        None => respond::apim_not_found(&format!("Policy template {id} not found")),
    }
}
