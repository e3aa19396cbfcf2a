//! The routes of `published/*.json` the doctor reads, each with what reads
//! it (a check, or a command run in-process), the mock tenant around it,
//! what that reader needs of a body, and where a generated body's ids are
//! anchored to the tenant's so that a conforming body can lead to a pass.
//!
//! Routes of `published/*.json` the doctor does not read (so not here): the
//! Connected App list, one app under its org (`…/organizations/{orgId}/
//! connectedApplications/{connAppId}`), one environment, the users list, one
//! API instance and its alerts, policies, tiers and upstreams, the automated
//! policies, Exchange's asset search and asset descriptions (the Exchange
//! Viewer probe reads only the status of `…/assets/{groupId}/{assetId}`),
//! and Exchange's one application and its contracts (the doctor writes a
//! contract there, it never reads one).

use mockito::ServerGuard;
use serde_json::Value;

use anypoint_doctor::settings::Settings;

use crate::support::fs::fixture;
use crate::support::tenant::{
    self, APP_ID, CLIENT_ID, PRODUCTION, ROOT, SANDBOX, SECRET, Tenant, admin_settings, api_list,
    forbidden, grants, ok, path, settings,
};

/// What reads a route.
pub enum Runs {
    /// A check (and the target of its outcome): it passes or not.
    Check {
        id: &'static str,
        target: Option<&'static str>,
    },
    /// A command line (after the connection flags): its "pass" is exit 0.
    Command(&'static [&'static str]),
}

/// Who runs the reader.
#[derive(Clone, Copy)]
pub enum SignsIn {
    /// The Connected App, with its client credentials.
    App,
    /// An org admin's token reading the app's granted scopes (exact mode).
    Admin,
}

impl SignsIn {
    pub fn settings(self, server: &ServerGuard) -> Settings {
        match self {
            SignsIn::App => settings(server),
            SignsIn::Admin => admin_settings(server),
        }
    }

    /// The connection flags of a command run as this principal.
    pub fn flags(self, server: &ServerGuard) -> Vec<String> {
        let mut flags = vec!["--host".to_string(), server.url()];
        let credentials: [&str; 4] = match self {
            SignsIn::App => ["--client-id", CLIENT_ID, "--client-secret", SECRET],
            SignsIn::Admin => ["--bearer", ADMIN_TOKEN, "--client-id", APP_ID],
        };
        flags.extend(credentials.map(String::from));
        flags
    }
}

/// The token `tenant::admin_settings` gives.
const ADMIN_TOKEN: &str = "admin-token";

/// A route the doctor reads, and how the property test serves and judges it.
pub struct Reader {
    pub published: &'static str,
    /// Where the doctor reads it on the tenant: path and query as it sends them.
    pub served_at: String,
    pub runs: Runs,
    pub signs_in: SignsIn,
    /// The tenant's other answers, as this reader needs them.
    pub setup: fn(&mut Tenant),
    /// Whether a body holds what the reader needs to pass.
    pub needs: fn(&Value) -> bool,
    /// Puts the tenant's ids where the body has values of the right type
    /// (never where it has a wrong one, so a break stays a break).
    pub anchor: fn(&mut Value),
}

impl Reader {
    /// `check on route` or `command on route`, for messages.
    pub fn name(&self) -> String {
        let what = match &self.runs {
            Runs::Check { id, .. } => (*id).to_string(),
            Runs::Command(args) => format!("`{}`", args.join(" ")),
        };
        format!("{what} on {}", self.published)
    }
}

// ---------------------------------------------------------------------------
// Reading a body as a reader does
// ---------------------------------------------------------------------------

fn text(value: &Value) -> bool {
    value.is_string()
}

/// Absent, null or a string: what an optional text field may be.
fn optional_text(value: Option<&Value>) -> bool {
    value.is_none_or(|v| v.is_null() || v.is_string())
}

/// Absent, null or a non-negative integer.
fn optional_count(value: Option<&Value>) -> bool {
    value.is_none_or(|v| v.is_null() || v.is_u64())
}

/// `value` becomes `to` if it is a string.
fn anchor_text(value: Option<&mut Value>, to: &str) {
    if let Some(value) = value.filter(|v| v.is_string()) {
        *value = to.into();
    }
}

fn no_anchor(_: &mut Value) {}

fn no_setup(_: &mut Tenant) {}

// ---------------------------------------------------------------------------
// Organization, environments, API instances (the app's own token)
// ---------------------------------------------------------------------------

fn org_anchor(body: &mut Value) {
    anchor_text(body.get_mut("id"), ROOT);
}

/// The organization check names the org and finds its root: it needs `id` and `name`.
fn org_needs(body: &Value) -> bool {
    text(&body["id"]) && text(&body["name"])
}

/// The environment check lists each environment by `id` and `name`.
fn environments_need(body: &Value) -> bool {
    body["data"].as_array().is_some_and(|envs| {
        envs.iter()
            .all(|e| e.is_object() && text(&e["id"]) && text(&e["name"]))
    })
}

/// The first instance listed becomes the tenant's Sandbox instance.
fn instances_anchor(body: &mut Value) {
    let first = body
        .get_mut("assets")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get_mut("apis").and_then(Value::as_array_mut))
        .flatten()
        .next();
    if let Some(api) = first.filter(|a| a.is_object()) {
        if api["id"].is_u64() {
            api["id"] = tenant::api_id(SANDBOX).into();
        }
        anchor_text(api.get_mut("groupId"), ROOT);
        anchor_text(api.get_mut("assetId"), "orders-api");
    }
}

/// The Manage Contracts probe is aimed at the first instance the list
/// holds: it needs `assets`, and an instance with an `id` (a non-negative integer).
fn instances_need(body: &Value) -> bool {
    let Some(assets) = body["assets"].as_array() else {
        return false;
    };
    let first = assets
        .iter()
        .filter_map(|a| a["apis"].as_array())
        .flatten()
        .next();
    first.is_some_and(|api| api["id"].is_u64())
}

/// `apis` prints every instance with the fields a contract must match, so
/// it needs the whole list: `assets`, each one's `apis` (if any) instances
/// with an `id` and their fields as text (the count a non-negative
/// integer), and no `total` beyond the assets the answer holds unless it
/// holds none (an empty page ends a list; the next page is not served).
fn listing_needs(body: &Value) -> bool {
    let Some(assets) = body["assets"].as_array() else {
        return false;
    };
    const TEXT: [&str; 8] = [
        "groupId",
        "assetId",
        "assetVersion",
        "productVersion",
        "instanceLabel",
        "status",
        "environmentId",
        "organizationId",
    ];
    let instance_readable = |api: &Value| {
        api["id"].is_u64()
            && TEXT.iter().all(|key| optional_text(api.get(key)))
            && optional_count(api.get("activeContractsCount"))
    };
    let asset_readable = |asset: &Value| {
        asset.is_object()
            && asset.get("apis").is_none_or(|apis| {
                apis.as_array()
                    .is_some_and(|apis| apis.iter().all(instance_readable))
            })
    };
    let complete = match body.get("total") {
        None | Some(Value::Null) => true,
        Some(total) => total
            .as_u64()
            .is_some_and(|t| assets.is_empty() || t <= assets.len() as u64),
    };
    assets.iter().all(asset_readable) && complete
}

/// An even `total` becomes the number of assets listed (see `grants_anchor`).
fn listing_anchor(body: &mut Value) {
    let len = body["assets"].as_array().map_or(0, Vec::len);
    whole_when_even(body, len);
}

/// An even `total` becomes `len`, so that about half the lists are whole
/// and half say there is more than the answer holds.
fn whole_when_even(body: &mut Value, len: usize) {
    if let Some(total) = body
        .get_mut("total")
        .filter(|t| t.as_u64().is_some_and(|n| n % 2 == 0))
    {
        *total = len.into();
    }
}

/// `apis` lists every environment API Manager manages, a page at a time:
/// Production's list is whole, so the command's exit is Sandbox's.
fn apis_command(tenant: &mut Tenant) {
    tenant.set(
        "GET",
        format!("{}?limit=100&offset=0", path::apis(ROOT, PRODUCTION)),
        api_list(PRODUCTION, 0),
    );
}

// ---------------------------------------------------------------------------
// The app, and its granted scopes (an org admin's token: exact mode)
// ---------------------------------------------------------------------------

/// An org admin (the reference's fixture user, of the root org) reading the
/// app: its granted scopes refused on the short path, so the doctor reads
/// the org-scoped one (reference §4.5, §11.4).
fn as_admin(tenant: &mut Tenant) {
    tenant
        .accept_bearer(ADMIN_TOKEN)
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set("GET", path::grants(APP_ID), forbidden());
}

/// The identity check learns the app's org from one of `org_id` and
/// `owner_org_id` (a string), and reads `client_name`, `org_id` and
/// `owner_org_id` as absent, null or text: any other type there makes the
/// answer unreadable.
fn app_needs(body: &Value) -> bool {
    body.is_object()
        && ["client_name", "org_id", "owner_org_id"]
            .iter()
            .all(|key| optional_text(body.get(key)))
        && (text(&body["org_id"]) || text(&body["owner_org_id"]))
}

fn app_anchor(body: &mut Value) {
    anchor_text(body.get_mut("org_id"), ROOT);
    anchor_text(body.get_mut("owner_org_id"), ROOT);
}

/// An exact verdict needs the whole list of grants: `data`, each grant an
/// object with its `scope`, its `context_params` (if any) an object whose
/// `org` and `envId` are text, and no `total` beyond what the answer holds
/// (the next page is not served).
fn grants_need(body: &Value) -> bool {
    let Some(data) = body["data"].as_array() else {
        return false;
    };
    let grant_readable = |grant: &Value| {
        text(&grant["scope"])
            && grant.get("context_params").is_none_or(|params| {
                params.is_object()
                    && optional_text(params.get("org"))
                    && optional_text(params.get("envId"))
            })
    };
    let complete = match body.get("total") {
        None | Some(Value::Null) => true,
        Some(total) => total.as_u64().is_some_and(|t| t <= data.len() as u64),
    };
    data.iter().all(grant_readable) && complete
}

/// The first grant becomes Manage Contracts in the root org (and Sandbox,
/// where it names an environment); an even `total` becomes the list's length.
fn grants_anchor(body: &mut Value) {
    let len = body["data"].as_array().map_or(0, Vec::len);
    if let Some(grant) = body
        .get_mut("data")
        .and_then(Value::as_array_mut)
        .and_then(|d| d.first_mut())
        .filter(|g| g.is_object())
    {
        anchor_text(grant.get_mut("scope"), "manage:api_contracts");
        if let Some(params) = grant.get_mut("context_params").filter(|p| p.is_object()) {
            anchor_text(params.get_mut("org"), ROOT);
            anchor_text(params.get_mut("envId"), SANDBOX);
        }
    }
    whole_when_even(body, len);
}

// ---------------------------------------------------------------------------
// The client application list's evidence (data.client-applications-empty)
// ---------------------------------------------------------------------------

/// The client application this app created, the only one its list shows.
const OWN_APPLICATION: u64 = 4_100_001;

/// The app may see every client application (View Client Applications in
/// the root org, readable here), and the Exchange v2 list agrees with an
/// empty list: the data check passes on whatever evidence remains.
fn may_view_applications(tenant: &mut Tenant) {
    tenant
        .set(
            "GET",
            path::grants(CLIENT_ID),
            grants(&[("read:org_client_applications", Some(ROOT), None)]),
        )
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(r#"{"applications": [], "total": 0}"#),
        )
        .set("GET", path::exchange_apps(ROOT), ok("[]"));
}

/// The list shows only the app's own application, and Sandbox's instance
/// has an active contract: the doctor reads its contracts to see whether
/// they name applications the list does not show.
fn contracts_evidence(tenant: &mut Tenant) {
    may_view_applications(tenant);
    let own = serde_json::json!({"applications": [{
        "id": OWN_APPLICATION, "name": "made by the app",
        "owners": [{"entityType": "client", "id": CLIENT_ID}]
    }], "total": 1});
    tenant
        .set("GET", path::client_apps(ROOT), ok(own.to_string()))
        .set("GET", path::apis(ROOT, SANDBOX), api_list(SANDBOX, 1));
}

/// The contracts are read for the application each names: `contracts`,
/// each an object with an `id`, its `status` text and its `applicationId` a
/// non-negative integer (either may be absent or null).
fn contracts_need(body: &Value) -> bool {
    body["contracts"].as_array().is_some_and(|contracts| {
        contracts.iter().all(|c| {
            c["id"].is_u64()
                && optional_text(c.get("status"))
                && optional_count(c.get("applicationId"))
        })
    })
}

/// Every contract names the app's own application, where it names one.
fn contracts_anchor(body: &mut Value) {
    for contract in body
        .get_mut("contracts")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if contract["applicationId"].is_u64() {
            contract["applicationId"] = OWN_APPLICATION.into();
        }
    }
}

/// The Exchange v2 list is a cross list: its items are counted, so it
/// needs to be a list (a JSON array).
fn exchange_list_needs(body: &Value) -> bool {
    body.is_array()
}

/// `apps` lists with `offset` (every page) before the data check reads the
/// first page as MuleSoft's guidance does.
fn apps_command(tenant: &mut Tenant) {
    may_view_applications(tenant);
    tenant.set(
        "GET",
        format!("{}&offset=0", path::client_apps(ROOT)),
        ok(r#"{"applications": [], "total": 0}"#),
    );
}

/// Every route the doctor reads that a published schema describes.
pub fn readers() -> Vec<Reader> {
    vec![
        Reader {
            published: "/accounts/api/organizations/{orgId}",
            served_at: path::org(ROOT),
            runs: Runs::Check {
                id: "org.structure",
                target: None,
            },
            signs_in: SignsIn::App,
            setup: no_setup,
            needs: org_needs,
            anchor: org_anchor,
        },
        Reader {
            published: "/accounts/api/organizations/{orgId}/environments",
            served_at: path::environments(ROOT),
            runs: Runs::Check {
                id: "org.environments",
                target: None,
            },
            signs_in: SignsIn::App,
            setup: no_setup,
            needs: environments_need,
            anchor: no_anchor,
        },
        Reader {
            published: "/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis",
            served_at: path::apis(ROOT, SANDBOX),
            runs: Runs::Check {
                id: "scope.manage-contracts",
                target: Some("Sandbox"),
            },
            signs_in: SignsIn::App,
            setup: no_setup,
            needs: instances_need,
            anchor: instances_anchor,
        },
        Reader {
            published: "/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis",
            served_at: format!("{}?limit=100&offset=0", path::apis(ROOT, SANDBOX)),
            runs: Runs::Command(&["apis"]),
            signs_in: SignsIn::App,
            setup: apis_command,
            needs: listing_needs,
            anchor: listing_anchor,
        },
        Reader {
            published: "/accounts/api/connectedApplications/{connAppId}",
            served_at: format!("/accounts/api/connectedApplications/{APP_ID}"),
            runs: Runs::Check {
                id: "auth.identity",
                target: None,
            },
            signs_in: SignsIn::Admin,
            setup: as_admin,
            needs: app_needs,
            anchor: app_anchor,
        },
        Reader {
            published: "/accounts/api/organizations/{orgId}/connectedApplications/{connAppId}/scopes",
            served_at: path::org_grants(ROOT, APP_ID),
            runs: Runs::Check {
                id: "scope.manage-contracts",
                target: Some("Sandbox"),
            },
            signs_in: SignsIn::Admin,
            setup: as_admin,
            needs: grants_need,
            anchor: grants_anchor,
        },
        Reader {
            published: "/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts",
            served_at: path::contracts(ROOT, SANDBOX, tenant::api_id(SANDBOX)),
            runs: Runs::Check {
                id: "data.client-applications-empty",
                target: None,
            },
            signs_in: SignsIn::App,
            setup: contracts_evidence,
            needs: contracts_need,
            anchor: contracts_anchor,
        },
        Reader {
            published: "/exchange/api/v2/organizations/{orgId}/applications",
            served_at: path::exchange_apps(ROOT),
            runs: Runs::Check {
                id: "data.client-applications-empty",
                target: None,
            },
            signs_in: SignsIn::App,
            setup: may_view_applications,
            needs: exchange_list_needs,
            anchor: no_anchor,
        },
        Reader {
            published: "/exchange/api/v2/organizations/{orgId}/applications",
            served_at: path::exchange_apps(ROOT),
            runs: Runs::Command(&["apps"]),
            signs_in: SignsIn::App,
            setup: apps_command,
            needs: exchange_list_needs,
            anchor: no_anchor,
        },
    ]
}
