//! What every check can reach while it runs: the platform client, the
//! settings, the facts learned upstream (identity, org, environments, granted
//! scopes), and a `Recorder` that keeps the evidence of the requests a check
//! made.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::OnceCell;

use crate::doctor::calls::CallFound;
use crate::doctor::catalogue::Service;
use crate::doctor::codes::Reason;
use crate::doctor::outcome::{MissingScope, Status};
use crate::error::ConfigError;
use crate::platform::http::{InFlight, Route};
use crate::platform::models::{Environment, ScopeGrant};
use crate::platform::pacing::RateLimits;
use crate::platform::proxy::ProxyChoice;
use crate::platform::retry::RetryPolicy;
use crate::platform::{Answer, Auth, Evidence, Platform, Request};
use crate::secret::registry::SecretRegistry;
use crate::settings::{Credentials, Settings};

/// Who the token belongs to.
#[derive(Debug, Clone)]
pub enum TokenKind {
    ConnectedApp {
        client_id: String,
        name: Option<String>,
    },
    User {
        username: Option<String>,
        /// In an exact run: the name of the app whose scopes the token reads.
        app_name: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub kind: TokenKind,
    /// The organization that owns the app (or the user); in an exact run,
    /// the app's, when an admin's token could read it.
    pub org_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgInfo {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct OrgFacts {
    /// The organization or business group being checked.
    pub org: OrgInfo,
    /// The root organization, where client applications live.
    pub root: OrgInfo,
    /// Every business group below the root that could be read, each id
    /// once, in the hierarchy's order; shared by the contexts of a sweep.
    pub business_groups: Arc<[OrgInfo]>,
}

impl OrgFacts {
    pub fn org_is_root(&self) -> bool {
        self.org.id == self.root.id
    }
}

#[derive(Debug, Clone)]
pub struct EnvFacts {
    /// Every environment of the org being checked.
    pub all: Vec<Environment>,
    /// The environments named by --env (all of them by default).
    pub selected: Vec<Environment>,
}

impl EnvFacts {
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.all
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.name.as_str())
    }

    /// Whether the environment with this id is a design environment.
    pub fn is_design(&self, id: &str) -> bool {
        self.all.iter().any(|e| e.id == id && e.is_design())
    }

    /// The selected environments `service` works in (all of them for none):
    /// a check of API Manager's leaves out the design ones (reference §12.1).
    pub fn selected_for(&self, service: Option<Service>) -> Vec<&Environment> {
        self.selected
            .iter()
            .filter(|env| service.is_none_or(|s| s.manages(env)))
            .collect()
    }

    /// Why a check of `service` has no environment to run in, when the
    /// selection has some but the service manages none of them.
    pub fn none_managed(&self, service: Option<Service>) -> Option<Verdict> {
        let service = service?;
        if self.selected.is_empty() || !self.selected_for(Some(service)).is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .selected
            .iter()
            .map(|e| format!("\"{}\"", e.name))
            .collect();
        let is = if names.len() == 1 {
            "is a design environment"
        } else {
            "are design environments"
        };
        Some(Verdict::new(
            Reason::EnvDesign,
            Status::Skip,
            format!(
                "not run: {} {is}, and {} does not manage design environments",
                names.join(", "),
                service.name()
            ),
        ))
    }
}

/// The app's granted scopes, or why they could not be read.
#[derive(Debug, Clone)]
pub enum Grants {
    Readable(Vec<ScopeGrant>),
    Unreadable(String),
}

#[derive(Default)]
pub struct Facts {
    /// The first hop's addresses, as `net.dns` resolved them.
    pub addresses: OnceLock<Vec<std::net::SocketAddr>>,
    pub identity: OnceLock<Identity>,
    pub org: OnceLock<OrgFacts>,
    pub environments: OnceLock<EnvFacts>,
    pub(super) grants: OnceCell<(Grants, Vec<Evidence>)>,
}

pub struct RunContext {
    /// Shared by the contexts of a sweep: one client, one token, one cache.
    pub platform: Arc<Platform>,
    pub settings: Settings,
    pub options: RunOptions,
    pub facts: Facts,
    /// The ids of the checks chosen, set when they start (the first run on this context).
    pub planned: OnceLock<Vec<String>>,
    /// A setting found wrong during the run (an unknown org or environment name): exit 2.
    config_error: Mutex<Option<ConfigError>>,
}

/// What to run, apart from the connection settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Check ids or prefixes to run (`--select`); empty: the default set.
    pub select: Vec<String>,
    /// Check ids or prefixes to leave out (`--ignore`).
    pub ignore: Vec<String>,
    /// No write probes, not even ones the server must reject.
    pub read_only: bool,
    /// Requests in flight at once (`--concurrency`); `None`: as many as the
    /// work needs, sized to the platform's rate limits (`platform::http::InFlight`).
    pub concurrency: Option<usize>,
    /// After a refused token, try the other control planes' token endpoints (`--probe-regions`).
    pub probe_regions: bool,
    /// How long the whole run may take.
    pub deadline: Option<Duration>,
    /// Capabilities to prove (`--for`); empty: MuleSoft's recommended scopes.
    pub capabilities: Vec<String>,
    /// The calls `--for-files` found, which the capabilities include.
    pub calls: Vec<CallFound>,
    /// `--allow-unproven`: the pre-flight gate lets through a capability
    /// the checks could neither prove nor disprove.
    pub allow_unproven: bool,
    /// The platform's rate-limit windows to pace by: fresh by default; the
    /// CLI passes those the last run left, a test one with its own clock.
    pub rate_limits: Arc<RateLimits>,
    /// When to send a request again after a transient answer: the client's
    /// default; a test shrinks the waits rather than sleeping through them.
    pub retry: RetryPolicy,
    /// `--redact-ids`: the HAR record (`--har`) hides the ids the run
    /// learns, as the report does.
    pub redact_ids: bool,
}

impl Default for RunOptions {
    /// Every check, write probes allowed, in-flight requests sized to the work (the CLI's defaults).
    fn default() -> RunOptions {
        RunOptions {
            select: Vec::new(),
            ignore: Vec::new(),
            read_only: false,
            concurrency: None,
            probe_regions: false,
            deadline: Some(Duration::from_secs(120)),
            capabilities: Vec::new(),
            calls: Vec::new(),
            allow_unproven: false,
            rate_limits: Arc::default(),
            retry: RetryPolicy::default(),
            redact_ids: false,
        }
    }
}

impl RunContext {
    /// The environments of a business group of the org (`org_id`), read
    /// now; None when they cannot be read.
    pub async fn environments_of(&self, org_id: &str) -> Option<Vec<Environment>> {
        let answer = self
            .platform
            .fetch(Request::get(crate::platform::paths::environments(org_id)))
            .await;
        let reply = answer.result.as_ref().ok().filter(|r| r.is_success())?;
        reply
            .json::<crate::platform::models::EnvironmentList>()
            .ok()
            .map(|list| list.data)
    }

    pub fn new(platform: Platform, settings: Settings, options: RunOptions) -> Arc<RunContext> {
        Arc::new(RunContext {
            platform: Arc::new(platform),
            settings,
            options,
            facts: Facts::default(),
            planned: OnceLock::new(),
            config_error: Mutex::new(None),
        })
    }

    /// A context with a fresh HTTP client for these settings; the client
    /// masks, and adds the tokens it gets to, `secrets` (which takes the
    /// settings' own).
    pub fn connect(
        settings: Settings,
        options: RunOptions,
        secrets: &SecretRegistry,
    ) -> Result<Arc<RunContext>, crate::error::Error> {
        settings.register_secrets(secrets);
        let in_flight = options
            .concurrency
            .map_or(InFlight::ByRateLimits, InFlight::AtMost);
        let mut platform = Platform::new(
            settings.base_url.value.clone(),
            crate::platform::Timeouts {
                request_secs: settings.timeout_secs.value,
                connect_secs: settings.connect_timeout_secs.value,
            },
            in_flight,
            secrets.clone(),
            Route {
                proxy: settings.proxy.clone(),
                extra_roots_pem: settings.ca_file.as_ref().map(|ca| ca.value.pem.clone()),
            },
        )
        .map_err(|e| crate::error::Error::HttpClient(e.to_string()))?;
        if let Some(token) = &settings.admin_bearer {
            platform.set_admin_token(token.value.clone());
        }
        platform.pace_with(Arc::clone(&options.rate_limits));
        platform.retry_with(options.retry);
        if let Some(har) = &settings.har {
            platform.record_har(Arc::clone(har));
        }
        Ok(RunContext::new(platform, settings, options))
    }

    /// A context for one business group of a sweep, `org`: the same client
    /// and token, and what the base checks learned about the network, the
    /// token's owner and the organization's structure (which `org.structure`
    /// then takes as known, not read and listed again for every group); the
    /// environments and what follows are learned afresh.
    pub fn for_org(&self, settings: Settings, org: OrgInfo) -> Arc<RunContext> {
        let facts = Facts::default();
        if let Some(addresses) = self.facts.addresses.get() {
            let _ = facts.addresses.set(addresses.clone());
        }
        if let Some(identity) = self.facts.identity.get() {
            let _ = facts.identity.set(identity.clone());
        }
        if let Some(base) = self.facts.org.get() {
            let _ = facts.org.set(OrgFacts {
                org,
                root: base.root.clone(),
                business_groups: Arc::clone(&base.business_groups),
            });
        }
        Arc::new(RunContext {
            platform: Arc::clone(&self.platform),
            settings,
            options: self.options.clone(),
            facts,
            planned: OnceLock::new(),
            config_error: Mutex::new(None),
        })
    }

    /// A context for one place `check --for-har` asks about: `org` and its
    /// environments, with the same client, token and identity, and the
    /// granted scopes already read (an app's scopes do not change with the
    /// place asked about: read once per run).
    pub fn at(&self, org: OrgInfo, environments: EnvFacts) -> Arc<RunContext> {
        let place = self.for_org(self.settings.clone(), org);
        let _ = place.facts.environments.set(environments);
        if let Some(grants) = self.facts.grants.get() {
            let _ = place.facts.grants.set(grants.clone());
        }
        place
    }

    /// Records a configuration error found while checking; the first one wins.
    pub fn config_error(&self, error: ConfigError) {
        let mut slot = self
            .config_error
            .lock()
            .expect("config error lock poisoned");
        slot.get_or_insert(error);
    }

    pub fn take_config_error(&self) -> Option<ConfigError> {
        self.config_error
            .lock()
            .expect("config error lock poisoned")
            .take()
    }

    /// What the platform's URL goes through, from the proxy environment in the settings.
    pub fn proxy_choice(&self) -> ProxyChoice {
        self.settings.proxy.choose(self.platform.base_url())
    }

    /// How long one network step (a lookup, a connect, a handshake) may take.
    pub fn step_limit(&self) -> Duration {
        Duration::from_secs(self.settings.timeout_secs.value.clamp(1, 10))
    }

    /// The unauthenticated GET of the base URL that `net.tls` and `net.clock`
    /// share: any HTTP status proves the connection, and carries a `Date`.
    pub fn reach_request() -> Request {
        Request {
            method: reqwest::Method::GET,
            path: "/".into(),
            body: None,
            auth: Auth::Anonymous,
            may_create: false,
            purpose: crate::har::Purpose::Probe,
        }
    }

    /// The client id of the app whose scopes are being checked, if known.
    /// The name of the Connected App whose scopes are checked, when known.
    pub fn app_name(&self) -> Option<String> {
        match self.facts.identity.get().map(|i| &i.kind) {
            Some(TokenKind::ConnectedApp { name, .. }) => name.clone(),
            Some(TokenKind::User { app_name, .. }) => app_name.clone(),
            None => None,
        }
    }

    pub fn subject_client_id(&self) -> Option<String> {
        if let Some(id) = self.settings.credentials.client_id() {
            return Some(id.value.clone());
        }
        match self.facts.identity.get().map(|i| &i.kind) {
            Some(TokenKind::ConnectedApp { client_id, .. }) => Some(client_id.clone()),
            _ => None,
        }
    }

    /// An exact run: the token is someone else's (an org admin's) and a client
    /// id names the app whose granted scopes are read. Such a run sends no
    /// write, and no probe: what the admin's token may do says nothing about the app.
    pub fn exact(&self) -> bool {
        // The app's own token given as a bearer (with its id, as CI often
        // does) is not an admin's: its verdicts come from probes.
        let users_token = matches!(
            self.facts.identity.get().map(|i| &i.kind),
            Some(TokenKind::User { .. })
        );
        self.reads_an_app() && users_token
    }

    /// The app's granted scopes are read with an org admin's token: by the
    /// run's own (an exact run), or by one given beside the app's credentials.
    pub fn reads_grants_as_admin(&self) -> bool {
        self.exact() || self.settings.admin_bearer.is_some()
    }

    /// A ready-made token came with a client id: the token is to read that app.
    pub fn reads_an_app(&self) -> bool {
        matches!(
            &self.settings.credentials,
            Credentials::Bearer {
                client_id: Some(_),
                ..
            }
        )
    }

    /// Whether the check `id` is among those this run chose.
    pub fn will_run(&self, id: &str) -> bool {
        self.planned
            .get()
            .is_some_and(|checks| checks.iter().any(|c| c == id))
    }

    /// The granted scopes a check of this run read, if one did and could.
    pub fn granted(&self) -> Option<&[ScopeGrant]> {
        match self.facts.grants.get() {
            Some((Grants::Readable(grants), _)) => Some(grants),
            _ => None,
        }
    }
}

/// Sends a check's requests and keeps their evidence.
pub struct Recorder<'a> {
    pub ctx: &'a RunContext,
    pub evidence: Vec<Evidence>,
}

impl<'a> Recorder<'a> {
    pub fn new(ctx: &'a RunContext) -> Recorder<'a> {
        Recorder {
            ctx,
            evidence: Vec::new(),
        }
    }

    /// A request answered once per run (shared with other checks).
    pub async fn fetch(&mut self, request: Request) -> Arc<Answer> {
        let answer = self.ctx.platform.fetch(request).await;
        self.evidence.push(answer.evidence.clone());
        answer
    }

    /// A request sent once to a full URL on another host, never shared.
    pub async fn send_once_to(&mut self, url: String, request: Request) -> Answer {
        let answer = self.ctx.platform.send_once_to(url, &request).await;
        self.evidence.push(answer.evidence.clone());
        answer
    }

    /// A request sent now, never shared (the token request).
    pub async fn send(&mut self, request: Request) -> Answer {
        let answer = self.ctx.platform.send(&request).await;
        self.evidence.push(answer.evidence.clone());
        answer
    }
}

/// The scopes a verdict names: the one it shows missing, and those the
/// probes could not prove held.
#[derive(Debug, Clone, Default)]
pub struct NamedScopes {
    pub missing: Option<MissingScope>,
    pub maybe: Vec<MissingScope>,
}

/// One verdict of a kind, before the runner adds the check's id, title and timing.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Why the verdict is what it is: every verdict names one.
    pub reason: Reason,
    pub status: Status,
    pub target: Option<String>,
    pub summary: String,
    pub remediation: Option<String>,
    pub inferred: bool,
    /// The scopes it names. Boxed, as is `rests_on`: a verdict travels as
    /// the error of many results, and most name none.
    pub scopes: Option<Box<NamedScopes>>,
    /// The refused request (method, URL) this verdict rests on.
    pub rests_on: Option<Box<(String, String)>>,
    /// A warning the app's granted scopes would settle.
    pub settled_by_grants: bool,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn new(reason: Reason, status: Status, summary: impl Into<String>) -> Verdict {
        Verdict {
            reason,
            status,
            target: None,
            summary: summary.into(),
            remediation: None,
            inferred: false,
            scopes: None,
            rests_on: None,
            settled_by_grants: false,
            evidence: Vec::new(),
        }
    }

    /// `rests_on`, when the request is known.
    pub fn rests_on_some(self, evidence: Option<&Evidence>) -> Verdict {
        match evidence {
            Some(evidence) => self.rests_on(evidence),
            None => self,
        }
    }

    /// The failure rests on this refused request, which a scope check may report too.
    pub fn rests_on(mut self, evidence: &Evidence) -> Verdict {
        self.rests_on = Some(Box::new((evidence.method.clone(), evidence.url.clone())));
        self
    }

    /// The scope whose absence this verdict reports.
    pub fn missing(mut self, scope: MissingScope) -> Verdict {
        self.scopes.get_or_insert_default().missing = Some(scope);
        self
    }

    /// A scope this verdict could not prove held: `fix` plans it as one
    /// that may already be granted (adding it changes nothing if so).
    pub fn maybe(mut self, scope: MissingScope) -> Verdict {
        self.scopes.get_or_insert_default().maybe.push(scope);
        self
    }

    /// Scopes the granted list shows missing besides `missing`: exact, so
    /// carried with the others `fix` plans (its plan checks them against
    /// the granted scopes it read).
    pub fn also_missing(mut self, scopes: Vec<MissingScope>) -> Verdict {
        if !scopes.is_empty() {
            self.scopes.get_or_insert_default().maybe.extend(scopes);
        }
        self
    }

    pub fn fix(mut self, remediation: impl Into<String>) -> Verdict {
        self.remediation = Some(remediation.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Verdict {
        self.target = Some(target.into());
        self
    }

    pub fn inferred(mut self) -> Verdict {
        self.inferred = true;
        self
    }

    pub fn with_evidence(mut self, recorder: Recorder<'_>) -> Verdict {
        self.evidence = recorder.evidence;
        self
    }
}

/// Something the user may name by id or by name (an org, an environment).
pub trait Named {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
}

impl Named for OrgInfo {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Environment {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// Id first, then the exact name, then the name ignoring case.
pub fn find_by_id_or_name<'a, T: Named>(items: &'a [T], wanted: &str) -> Option<&'a T> {
    items
        .iter()
        .find(|i| i.id() == wanted)
        .or_else(|| items.iter().find(|i| i.name() == wanted))
        .or_else(|| items.iter().find(|i| i.name().eq_ignore_ascii_case(wanted)))
}

/// Values for the `{…}` placeholders in check paths.
#[derive(Debug, Clone, Default)]
pub struct PathVars {
    pub org_id: Option<String>,
    pub root_org_id: Option<String>,
    pub env_id: Option<String>,
    pub client_id: Option<String>,
    /// An API instance the environment lists.
    pub api_id: Option<String>,
    /// Its Exchange asset's business group and id.
    pub group_id: Option<String>,
    pub asset_id: Option<String>,
}

/// A path's placeholder (`{envId}`) that the facts gave no value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MissingVar(&'static str);

impl PathVars {
    pub fn from_facts(ctx: &RunContext, env: Option<&Environment>) -> PathVars {
        let org = ctx.facts.org.get();
        PathVars {
            org_id: org.map(|o| o.org.id.clone()),
            root_org_id: org.map(|o| o.root.id.clone()),
            env_id: env.map(|e| e.id.clone()),
            client_id: ctx.subject_client_id(),
            api_id: None,
            group_id: None,
            asset_id: None,
        }
    }

    /// The path with every placeholder filled, or the name of one that has no value.
    pub fn fill(&self, template: &str) -> Result<String, MissingVar> {
        let mut path = template.to_string();
        for (name, value) in [
            ("{orgId}", &self.org_id),
            ("{rootOrgId}", &self.root_org_id),
            ("{envId}", &self.env_id),
            ("{clientId}", &self.client_id),
            ("{apiId}", &self.api_id),
            ("{groupId}", &self.group_id),
            ("{assetId}", &self.asset_id),
        ] {
            if path.contains(name) {
                let value = value.as_ref().ok_or(MissingVar(name))?;
                path = path.replace(name, &crate::platform::paths::id(value));
            }
        }
        Ok(path)
    }
}
