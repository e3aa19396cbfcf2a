//! API Manager's policies: those applied to an API instance, the policy
//! templates an org may apply (what anypoint-cli-v4's `policy list` and
//! `policy describe` read), and the automated policies of its environments
//! (what anypoint-sdk's `list_environment_automated_policies` reads).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::apimanager::tier_limits;
use super::apimanager::with_instance;
use super::{AUDIT_DATE, Caller, Shared, allowed};
use crate::policy_templates::{self, MULESOFT_GROUP_ID, Template};
use crate::respond;
use crate::world::{ApiInstance, AutomatedPolicy, Policy, World};

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

/// A policy as apim_policy's `ApimPolicyFull` describes it (the `fullInfo` answer).
fn full_policy_json(order: usize, p: &Policy) -> Value {
    json!({
        "policyTemplateId": p.template,
        "type": "system",
        "policyId": p.id,
        "version": 1,
        "order": order,
        "pointcutData": null,
        "configuration": p.configuration,
        "template": {"groupId": MULESOFT_GROUP_ID, "assetId": p.template, "assetVersion": p.asset_version},
    })
}

/// GET .../apis/{apiId}/policies: the instance's policies in order
/// (apim_policy GetApimPolicies, whose answer is one of two shapes). With
/// `fullInfo=false`, the array of `ApimPolicy` that anypoint-cli-v4's
/// policy/list.js asks for and iterates; otherwise `ApimPolicyFullData`
/// (`{policies, tiers}`), which anypoint-sdk 0.3.2's `list_api_policies`
/// reads when it sends no `fullInfo`: that full data is the default is [I]
/// inferred from that client.
pub async fn list(
    State(state): State<Shared>,
    Path((org, env, api)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    let brief = query.get("fullInfo").is_some_and(|v| v == "false");
    with_instance(
        &state,
        &subject,
        &org,
        &env,
        &api,
        READ_POLICIES,
        |world, found| {
            let ordered = found.policies.iter().enumerate().map(|(i, p)| (i + 1, p));
            if brief {
                let list = ordered.map(|(n, p)| policy_json(world, found, &org, n, p));
                return respond::ok(Value::Array(list.collect()));
            }
            let tiers: Vec<Value> = found
                .tiers
                .iter()
                .map(|t| json!({"id": t.id, "limits": tier_limits()}))
                .collect();
            respond::ok(json!({
                "policies": ordered.map(|(n, p)| full_policy_json(n, p)).collect::<Vec<_>>(),
                "tiers": {"values": tiers, "version": 1},
            }))
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

/// An automated policy as anypoint-client-go apim_policy's `AutomatedPolicy`
/// describes it. Its Mule 4 implementation asset is named after the template [I].
fn automated_json(world: &World, org: &str, p: &AutomatedPolicy) -> Value {
    json!({
        "audit": {"created": {"date": AUDIT_DATE}, "updated": {"date": AUDIT_DATE}},
        "id": p.id,
        "ruleOfApplication": {"organizationId": org, "environmentId": p.env},
        "groupId": MULESOFT_GROUP_ID,
        "assetId": p.template,
        "assetVersion": p.asset_version,
        "configurationData": p.configuration,
        // Applied to whole APIs, not to some resources.
        "pointcutData": null,
        "order": 1,
        "disabled": false,
        "implementationAssets": [{
            "name": format!("{} implementation", p.template),
            "assetId": format!("{}-mule", p.template),
            "groupId": MULESOFT_GROUP_ID,
            "version": p.asset_version,
            "technology": "mule4",
            "releaseNotes": "",
            "organizationId": MULESOFT_GROUP_ID,
            "minRuntimeVersion": "4.1.0",
        }],
        "masterOrganizationId": world.root.id,
    })
}

/// The environments of `org` that API Manager manages.
fn managed_environments(world: &World, org: &str) -> Vec<String> {
    world
        .org(org)
        .map(|o| {
            o.environments
                .iter()
                .filter(|e| !e.is_design())
                .map(|e| e.id.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// GET /apimanager/api/v1/organizations/{orgId}/automated-policies, optionally
/// `?environmentId=`: `{automatedPolicies, total}` (apim_policy
/// GetOrgAutomatedPolicies). The policies of the environments where the caller
/// may view policies [I]; an environment named that is not the org's is 404 [I].
pub async fn automated(
    State(state): State<Shared>,
    Path(org): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    Caller(subject): Caller,
) -> Response {
    if let Some(refused) = templates_guard(&state, &subject, &org) {
        return refused;
    }
    let world = state.world.lock().expect("world lock");
    let mut envs = managed_environments(&world, &org);
    if let Some(wanted) = query.get("environmentId") {
        if !envs.contains(wanted) {
            return respond::apim_not_found(&format!(
                "Environment {wanted} not found in organization {org}"
            ));
        }
        if !allowed(&world, &subject, READ_POLICIES, &org, Some(wanted)) {
            return respond::apim_forbidden();
        }
        envs = vec![wanted.clone()];
    }
    let listed: Vec<Value> = world
        .automated_policies
        .iter()
        .filter(|p| envs.contains(&p.env))
        .filter(|p| allowed(&world, &subject, READ_POLICIES, &org, Some(&p.env)))
        .map(|p| automated_json(&world, &org, p))
        .collect();
    respond::ok(json!({"automatedPolicies": listed, "total": listed.len()}))
}

/// GET .../automated-policies/{id}: one automated policy of the org, for a
/// caller who may view policies in its environment [I] (no description
/// covers this read; anypoint-sdk 0.3.2's `get_automated_policy` makes it).
pub async fn automated_one(
    State(state): State<Shared>,
    Path((org, id)): Path<(String, String)>,
    Caller(subject): Caller,
) -> Response {
    if let Some(refused) = templates_guard(&state, &subject, &org) {
        return refused;
    }
    let world = state.world.lock().expect("world lock");
    let envs = managed_environments(&world, &org);
    let found = world
        .automated_policies
        .iter()
        .find(|p| p.id.to_string() == id && envs.contains(&p.env));
    match found {
        None => respond::apim_not_found(&format!("Automated policy {id} not found")),
        Some(p) if !allowed(&world, &subject, READ_POLICIES, &org, Some(&p.env)) => {
            respond::apim_forbidden()
        }
        Some(p) => respond::ok(automated_json(&world, &org, p)),
    }
}
