//! What every check can reach while it runs: the platform client, the
//! settings, what to run (`RunOptions`), the facts learned upstream
//! (`facts`), and a `Recorder` that keeps the evidence of the requests a
//! check made.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::doctor::calls::CallFound;
use crate::doctor::facts::{EnvFacts, Facts, Grants, OrgFacts, OrgInfo, TokenKind};
use crate::error::ConfigError;
use crate::har::HarRecorder;
use crate::platform::http::{InFlight, Route};
use crate::platform::models::{Environment, ScopeGrant};
use crate::platform::pacing::RateLimits;
use crate::platform::proxy::ProxyChoice;
use crate::platform::retry::RetryPolicy;
use crate::platform::{Answer, Auth, Evidence, Platform, Request};
use crate::secret::registry::SecretRegistry;
use crate::settings::{Credentials, Settings};

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
    /// Where the HTTP client records every exchange (`--har`).
    pub har: Option<Arc<HarRecorder>>,
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
            har: None,
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
    /// masks, and adds the tokens it gets to, `secrets`, which already
    /// holds the settings' own (`settings::resolve` or `diagnose` put them there).
    pub fn connect(
        settings: Settings,
        options: RunOptions,
        secrets: &SecretRegistry,
    ) -> Result<Arc<RunContext>, crate::error::Error> {
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
        if let Some(har) = &options.har {
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
