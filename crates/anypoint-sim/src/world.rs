//! The simulated tenant: a root organization with business groups and
//! environments, Connected Apps with their scopes (each with its org and
//! environment context), users, client applications, API instances (with
//! their tiers, policies, upstreams and alerts), API groups, automated
//! policies, contracts, and injected faults. Scenario files deserialize into this.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The control plane this simulator plays (`us`, `eu`, …); apps from another one get 401 on the token.
    #[serde(default = "us")]
    pub region: String,
    /// The credentials `sim` prints and `demo` uses (in `wrong-secret`, not the app's real secret).
    pub login: Login,
    pub root: Org,
    #[serde(default)]
    pub connected_apps: Vec<ConnectedApp>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub client_applications: Vec<ClientApplication>,
    #[serde(default)]
    pub apis: Vec<ApiInstance>,
    #[serde(default)]
    pub contracts: Vec<Contract>,
    /// API group instances: API instances of one environment offered together.
    #[serde(default)]
    pub api_groups: Vec<ApiGroup>,
    /// Policies applied to every API instance of an environment.
    #[serde(default)]
    pub automated_policies: Vec<AutomatedPolicy>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Latency added to every answer.
    #[serde(default)]
    pub latency_ms: u64,
    /// Seconds added to the time in the `Date` header of every answer (negative: behind),
    /// to play a server whose clock differs from the client's.
    #[serde(default)]
    pub clock_skew_secs: i64,
    /// Lifetime of the tokens the simulator issues.
    #[serde(default = "hour")]
    pub token_ttl_secs: u64,
    /// [I] inferred (§11.9: "the platform may look the resource up before it checks the
    /// scope"): when true, API Manager answers 404 for an unknown API instance
    /// (`.../apis/{api}`, `.../apis/{api}/contracts`) before it checks the caller's scope;
    /// when false (the default), the scope is checked first.
    #[serde(default)]
    pub lookup_before_scope: bool,
    /// A token revoked mid-run: once the simulator has answered this many requests that
    /// carried a valid bearer token (any caller's), every token issued so far is revoked
    /// (401 "the token has been revoked"). It happens once; tokens issued later work, and
    /// users' fixed tokens are never revoked. None (the default): never.
    #[serde(default)]
    pub revoke_tokens_after: Option<u64>,
    /// Requests per path template and one-minute window before answers are 429
    /// (`ratelimit`, §6: per-endpoint limits, 400 in a captured trace). None (the
    /// default): no limit is enforced.
    #[serde(default)]
    pub rate_limit_per_minute: Option<u64>,
}

fn us() -> String {
    "us".into()
}

fn hour() -> u64 {
    3600
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub client_id: String,
    pub client_secret: String,
    /// A ready bearer token (for example an org admin's, `users[].token`): when set, `demo`
    /// runs the check in exact mode with this token and `client_id` instead of client
    /// credentials. None by default.
    #[serde(default)]
    pub bearer: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub business_groups: Vec<Org>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub id: String,
    pub name: String,
    /// `design`, `sandbox` or `production`.
    #[serde(rename = "type", default = "sandbox")]
    pub kind: String,
    #[serde(default)]
    pub is_production: bool,
}

impl Environment {
    /// Design Center's environment: API Manager does not manage it (§12.1).
    pub fn is_design(&self) -> bool {
        self.kind == "design"
    }
}

fn sandbox() -> String {
    "sandbox".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectedApp {
    pub client_id: String,
    pub client_secret: String,
    pub name: String,
    /// The organization or business group that owns the app.
    pub org: String,
    /// The control plane the app was created in, when not this simulator's.
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub scopes: Vec<Grant>,
    /// Username (of `users`) of the user who created the app: `/accounts/api/me` for the
    /// app's token describes that user beside the client (§11.7). None: the first user.
    #[serde(default)]
    pub created_by: Option<String>,
    /// The OAuth grants the app is registered for; default `["client_credentials"]` (an app
    /// that acts on its own behalf). An app that acts on behalf of a user has e.g.
    /// `["authorization_code", "refresh_token"]` and is refused a client-credentials token
    /// (§11.11, salesforce/terraform-provider-anypoint docs/resources/connected_app.md).
    #[serde(default = "client_credentials")]
    pub grant_types: Vec<String>,
}

fn client_credentials() -> Vec<String> {
    vec!["client_credentials".into()]
}

/// A scope with its context: business group and environment, by id or name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub scope: String,
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
}

/// A user with a ready bearer token (for example an org admin who may read an app's scopes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: String,
    pub token: String,
    pub org: String,
    #[serde(default)]
    pub org_admin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientApplication {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// Client id of the Connected App, or username, that created it.
    pub created_by: String,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub grant_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiInstance {
    pub id: u64,
    /// Environment id or name; the instance belongs to that environment's organization.
    pub env: String,
    pub asset_id: String,
    #[serde(default)]
    pub group_id: Option<String>,
    pub asset_version: String,
    pub product_version: String,
    #[serde(default)]
    pub instance_label: Option<String>,
    #[serde(default)]
    pub exchange_asset_name: Option<String>,
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// Policies applied to the instance, in the order they run.
    #[serde(default)]
    pub policies: Vec<Policy>,
    /// The backends the instance's proxy forwards to.
    #[serde(default)]
    pub upstreams: Vec<Upstream>,
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

fn active() -> String {
    "active".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub id: u64,
    pub name: String,
}

/// A policy applied to an API instance: an Exchange policy template by asset id and version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: u64,
    /// The template's asset id, e.g. `client-id-enforcement`.
    pub template: String,
    pub asset_version: String,
    #[serde(default)]
    pub disabled: bool,
    /// The policy's `configurationData`, property by property.
    #[serde(default)]
    pub configuration: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// A UUID, as API Manager names upstreams.
    pub id: String,
    pub label: String,
    pub uri: String,
}

/// An alert on an API instance: a legacy API Manager alert or an Anypoint Monitoring one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    pub id: String,
    pub name: String,
    /// What it watches, as anypoint-cli-v4's `alert add --type` names it: `request-count`,
    /// `response-code`, `policy-violation` or `response-time`.
    pub metric: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Usernames (of `users`) it notifies.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// A legacy API Manager alert (`.../apis/{id}/alerts`) rather than a Monitoring one.
    #[serde(default)]
    pub legacy: bool,
}

fn yes() -> bool {
    true
}

/// An API group instance (API Manager's `groupInstances`): API instances of
/// one environment offered together, with SLA tiers of its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGroup {
    pub id: u64,
    pub name: String,
    /// The group version's name, e.g. `v1`.
    pub version: String,
    /// Its environment, by id or name.
    pub env: String,
    /// The ids of its API instances, each in `env`.
    pub apis: Vec<u64>,
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

/// An automated policy: an Exchange policy template that API Manager applies
/// to every API instance of one environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomatedPolicy {
    pub id: u64,
    /// Its environment, by id or name.
    pub env: String,
    /// The template's asset id, e.g. `rate-limiting`.
    pub template: String,
    pub asset_version: String,
    #[serde(default)]
    pub configuration: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub id: u64,
    pub api_id: u64,
    pub application_id: u64,
    #[serde(default = "approved")]
    pub status: String,
    #[serde(default)]
    pub tier_id: Option<u64>,
}

fn approved() -> String {
    "APPROVED".into()
}

/// A fault injected into answers whose path matches `path` (`*` matches within a segment, `**` anything).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub path: String,
    /// Only this method; any when absent.
    #[serde(default)]
    pub method: Option<String>,
    pub fault: FaultKind,
    /// Only the first N matching requests; every one when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum FaultKind {
    /// Answer after this many extra milliseconds.
    Latency { ms: u64 },
    /// 429 with Retry-After and X-RateLimit-Reset.
    RateLimit { retry_after_secs: u64 },
    /// Access Management's throttling: 503 with an empty body (Content-Length: 0),
    /// `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` = now + `reset_after_secs` (epoch
    /// seconds) and no Retry-After (§6, §11.8, KB 001116018).
    Throttle { reset_after_secs: u64 },
    /// A server error (500, 502, 503, …) in the platform's JSON shape.
    Status { status: u16 },
    /// An HTML error page from a gateway.
    Html { status: u16 },
    /// The real answer, cut in half.
    Truncated,
    /// No answer at all.
    Hang,
    /// The request is carried out, but its answer never arrives (a write that "timed out" yet happened).
    LostAnswer,
    /// The connection breaks before the answer is complete.
    Reset,
}

impl World {
    /// Every secret the world holds: the login's, each Connected App's and
    /// client application's secret, each user's token. Tokens the simulator
    /// issues later are not among them.
    pub fn secrets(&self) -> Vec<&str> {
        let mut secrets = vec![self.login.client_secret.as_str()];
        secrets.extend(self.login.bearer.as_deref());
        secrets.extend(self.connected_apps.iter().map(|a| a.client_secret.as_str()));
        secrets.extend(
            self.client_applications
                .iter()
                .map(|a| a.client_secret.as_str()),
        );
        secrets.extend(self.users.iter().map(|u| u.token.as_str()));
        secrets
    }

    /// Every organization: the root, then business groups depth first.
    pub fn orgs(&self) -> Vec<&Org> {
        fn walk<'a>(org: &'a Org, out: &mut Vec<&'a Org>) {
            out.push(org);
            for group in &org.business_groups {
                walk(group, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs().into_iter().find(|o| o.id == id)
    }

    /// The parent of a business group (None for the root).
    pub fn parent_of(&self, id: &str) -> Option<&Org> {
        self.orgs()
            .into_iter()
            .find(|o| o.business_groups.iter().any(|g| g.id == id))
    }

    /// The ancestors of an org, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<&Org> {
        let mut out = Vec::new();
        let mut current = id.to_string();
        while let Some(parent) = self.parent_of(&current) {
            current = parent.id.clone();
            out.push(parent);
        }
        out
    }

    /// An environment by id, with its organization.
    pub fn environment(&self, id: &str) -> Option<(&Org, &Environment)> {
        self.orgs()
            .into_iter()
            .find_map(|o| o.environments.iter().find(|e| e.id == id).map(|e| (o, e)))
    }

    pub fn connected_app(&self, client_id: &str) -> Option<&ConnectedApp> {
        self.connected_apps
            .iter()
            .find(|a| a.client_id == client_id)
    }

    /// The user who created a connected app: `created_by`, else the world's first user.
    pub fn creator_of(&self, app: &ConnectedApp) -> Option<&User> {
        match &app.created_by {
            Some(name) => self.users.iter().find(|u| &u.username == name),
            None => self.users.first(),
        }
    }

    pub fn next_id(&self) -> u64 {
        let highest = self
            .client_applications
            .iter()
            .map(|a| a.id)
            .chain(self.apis.iter().map(|a| a.id))
            .chain(self.contracts.iter().map(|c| c.id))
            .max()
            .unwrap_or(1_000_000);
        highest + 1
    }
}

/// Whether `grants` hold one of `scopes` for `org` (and `env`, when given):
/// a grant covers its business group, and every environment when it names none.
pub fn holds(grants: &[Grant], scopes: &[&str], org: &str, env: Option<&str>) -> bool {
    grants.iter().any(|g| {
        scopes.contains(&g.scope.as_str())
            && g.org.as_deref().is_none_or(|o| o == org)
            && match (env, g.env.as_deref()) {
                (Some(wanted), Some(granted)) => wanted == granted,
                _ => true,
            }
    })
}
