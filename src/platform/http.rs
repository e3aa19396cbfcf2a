//! The one HTTP client every call goes through: base URL, timeouts, a cap on
//! requests in flight, evidence capture, secret redaction, and a per-run cache
//! so that checks needing the same answer share one request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use tokio::sync::{OnceCell, Semaphore};

use super::answer::{Answer, Evidence, Reply, TransportError};
use super::pacing::{self, RateLimits};
use super::proxy::{ProxyChoice, ProxyEnv};
use super::retry::RetryPolicy;
use crate::har::{self, HarRecorder};
use crate::secret::Secret;
use crate::secret::finder::Finder;
use crate::secret::registry::SecretRegistry;

/// The most of a response body the doctor reads.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One request: method, path (with query) below the base URL, optional JSON body.
/// No `Debug`: the token request's body holds the client secret in clear.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub body: Option<String>,
    /// Which token the request carries.
    pub auth: Auth,
    /// A real create: never resent after a 5xx or a broken connection.
    pub may_create: bool,
    /// Why it is sent, which its user agent says (`har::user_agent`), so
    /// that a reader of the traffic (`needs`) counts only a command's work
    /// as the automation's.
    pub purpose: har::Purpose,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Request {
        Request {
            method: Method::GET,
            path: path.into(),
            body: None,
            auth: Auth::RunToken,
            may_create: false,
            purpose: har::Purpose::Probe,
        }
    }

    /// A GET with an org admin's token (`--admin-bearer`): only reads of
    /// what the app's own token may not see, its granted scopes.
    pub fn get_as_admin(path: impl Into<String>) -> Request {
        Request {
            auth: Auth::OrgAdmin,
            ..Request::get(path)
        }
    }

    /// A POST that creates nothing (a probe the server must reject).
    pub fn post_json(path: impl Into<String>, body: String) -> Request {
        Request {
            method: Method::POST,
            path: path.into(),
            body: Some(body),
            auth: Auth::RunToken,
            may_create: false,
            purpose: har::Purpose::Probe,
        }
    }

    /// A POST that creates something: retried only after a 429.
    pub fn create(path: impl Into<String>, body: String) -> Request {
        Request {
            may_create: true,
            ..Request::post_json(path, body)
        }
    }

    /// A PATCH with the org admin's token (`fix`'s scope grant): a write,
    /// so, like a create, resent only after a 429, never after an unknown outcome.
    pub fn patch_as_admin(path: impl Into<String>, body: String) -> Request {
        Request {
            method: Method::PATCH,
            auth: Auth::OrgAdmin,
            ..Request::create(path, body)
        }
    }
}

/// The token a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// None: the token request, the reachability check.
    Anonymous,
    /// The run's access token (the app's, or a ready-made one).
    RunToken,
    /// An org admin's token, given apart from the app's credentials.
    OrgAdmin,
}

type Shared = Arc<OnceCell<Arc<Answer>>>;

/// How long one request may take, and how long opening its connection may.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub request_secs: u64,
    pub connect_secs: u64,
}

/// How the client reaches the platform: the proxy environment and extra trusted roots.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub proxy: ProxyEnv,
    /// PEM certificates trusted on top of the system's roots.
    pub extra_roots_pem: Option<Vec<u8>>,
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("TLS set-up: {0}")]
    Tls(#[from] rustls::Error),
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

pub struct Platform {
    base: Url,
    client: reqwest::Client,
    timeout_secs: u64,
    /// Requests in flight at once, whatever their endpoint (each endpoint's
    /// rate-limit window is `pacing`'s job).
    in_flight: Semaphore,
    /// Sized by the rate limits (`InFlight::ByRateLimits`): the permits
    /// `in_flight` holds so far. None: a fixed cap.
    in_flight_grown: Option<AtomicUsize>,
    token: RwLock<Option<Secret>>,
    admin_token: Option<Secret>,
    /// Values masked in every body the doctor keeps; shared with the output guard.
    secrets: SecretRegistry,
    answers: Mutex<HashMap<Request, Shared>>,
    retry: RetryPolicy,
    renewal: Renewal,
    /// Each endpoint's rate-limit window: no request goes out that it has no room for.
    rate_limits: Arc<RateLimits>,
    /// Where every exchange goes, redacted, when `--har` asks for a record.
    har: Option<Arc<HarRecorder>>,
}

/// What reading an answer gives besides the reply: the platform's
/// transaction ids, and for a HAR record the headers (redacted) and version.
struct Read {
    reply: Reply,
    trx_id: Option<String>,
    request_id: Option<String>,
    headers: Vec<har::Header>,
    version: String,
}

/// Requests in flight when the user sets no cap (`--concurrency`), until an
/// answer states its endpoint's limit (`X-RateLimit-Limit`): the most the
/// flag allows. Below it, the work itself sizes each wave, and `pacing`
/// keeps each endpoint within its rate-limit window.
pub const MAX_IN_FLIGHT: usize = 64;

/// The most requests in flight however large a limit the platform states:
/// over HTTP/1.1 each is a connection of its own, and this stays well within
/// a process's usual 1,024 open files.
pub const MOST_IN_FLIGHT: usize = 512;

/// How many requests the client has in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InFlight {
    /// At most this many (`--concurrency`, or a command's own few calls).
    AtMost(usize),
    /// Sized to the platform's rate limits: `MAX_IN_FLIGHT` until an answer
    /// states `X-RateLimit-Limit`, then the largest limit stated (reference
    /// §6: no endpoint's window has room for more at once, and `pacing`
    /// holds each endpoint to what its window has left), `MOST_IN_FLIGHT` at
    /// most. A fixed cap below what the windows allow would send a sweep's
    /// hundreds of independent requests in waves, a round trip each.
    ByRateLimits,
}

/// The most token requests one run sends for a refused token: the first,
/// and two renewals after a 401. Renewals ahead of an expiry come once per
/// token lifetime and are not counted.
pub const MAX_TOKEN_REQUESTS: u32 = 3;

/// How many renewals ahead one request waits for before it goes with the
/// token it has: a token due again as soon as it is issued must not loop.
const MAX_RENEWALS_AHEAD: u32 = 3;

/// The longest a token is renewed ahead of its expiry.
const RENEW_AHEAD_MAX_MS: u64 = 60_000;

/// When a token that lives `expires_in` seconds from `asked_at_ms` is
/// renewed: ahead of its expiry by 60 s or a tenth of its life, whichever is
/// less, so that a request in flight (up to `--timeout`) and a clock a little
/// off do not carry it past its end, while a short-lived token (a session
/// setting of minutes, reference §12.5) still serves most of its life and is
/// not renewed at every request. No `expires_in` (or 0): never ahead; a 401
/// still renews it.
fn renew_at(asked_at_ms: u64, expires_in: Option<u64>) -> Option<u64> {
    let life_ms = expires_in.filter(|&s| s > 0)?.saturating_mul(1000);
    let ahead = (life_ms / 10).min(RENEW_AHEAD_MAX_MS);
    Some(asked_at_ms.saturating_add(life_ms - ahead))
}

/// Getting a new token when the run's token stops working mid-run, or
/// before it expires.
#[derive(Default)]
struct Renewal {
    /// The token request that issued the run's token, and how many were sent
    /// after a 401 (renewals ahead of the expiry are not counted: one per
    /// token lifetime at most).
    source: Mutex<Option<(Request, u32)>>,
    /// When the run's token is to be renewed, by the pacing clock (epoch ms),
    /// when its lifetime is known: counted from before it was asked for, so
    /// never later than the platform's own count.
    renew_at_ms: Mutex<Option<u64>>,
    /// Bumped at each new token, so concurrent 401s renew once.
    generation: AtomicU64,
    /// Some authorized request was answered with something other than 401.
    accepted: AtomicBool,
    lock: tokio::sync::Mutex<()>,
}

impl Platform {
    pub fn new(
        base: Url,
        timeouts: Timeouts,
        in_flight: InFlight,
        secrets: SecretRegistry,
        route: Route,
    ) -> Result<Platform, ClientError> {
        let timeout = Duration::from_secs(timeouts.request_secs.max(1));
        let timeout_secs = timeouts.request_secs;
        let proxy = route.proxy;
        // The same choice `net.proxy` reports, not reqwest's own reading of the environment.
        let mut builder = reqwest::Client::builder()
            .user_agent(har::user_agent(har::Purpose::Probe))
            .connect_timeout(Duration::from_secs(timeouts.connect_secs.max(1)).min(timeout))
            .timeout(timeout)
            // The presented certificate rides along with each answer, for `net.tls`.
            .tls_info(true)
            // No redirect is followed: one would re-send the token request's
            // secret, or a token, to wherever it points (another origin, or
            // http). A 3xx is answered as it is, naming where it pointed.
            .redirect(reqwest::redirect::Policy::none())
            .proxy(reqwest::Proxy::custom(move |url| match proxy.choose(url) {
                ProxyChoice::Via { proxy, .. } => Some(proxy),
                _ => None,
            }));
        // Only https negotiates HTTP/2 (by ALPN); over http each request in
        // flight needs its own connection anyway, and waiting would only delay it.
        if base.scheme() == "https" {
            builder = builder.connector_layer(super::first_connection::FirstConnection::default());
        }
        let tls = super::tls::client_config(route.extra_roots_pem.as_deref())?;
        let client = builder.tls_backend_preconfigured(tls).build()?;
        Ok(Platform {
            base,
            client,
            timeout_secs,
            in_flight: Semaphore::new(match in_flight {
                InFlight::AtMost(n) => n.max(1),
                InFlight::ByRateLimits => MAX_IN_FLIGHT,
            }),
            in_flight_grown: (in_flight == InFlight::ByRateLimits)
                .then(|| AtomicUsize::new(MAX_IN_FLIGHT)),
            token: RwLock::new(None),
            admin_token: None,
            secrets,
            answers: Mutex::new(HashMap::new()),
            retry: RetryPolicy::default(),
            renewal: Renewal::default(),
            rate_limits: Arc::new(RateLimits::default()),
            har: None,
        })
    }

    /// Records every exchange from now on into `har` (`--har`).
    pub fn record_har(&mut self, har: Arc<HarRecorder>) {
        self.har = Some(har);
    }

    /// Paces by `rate_limits` (shared with other runs, or with a test's clock)
    /// instead of a fresh set of windows.
    pub fn pace_with(&mut self, rate_limits: Arc<RateLimits>) {
        self.rate_limits = rate_limits;
    }

    /// Retries by `policy` instead of the default one (a test's tiny waits).
    pub fn retry_with(&mut self, policy: RetryPolicy) {
        self.retry = policy;
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The full URL of a path, as shown in evidence and next steps.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.as_str().trim_end_matches('/'), path)
    }

    /// The org admin's token that `Auth::OrgAdmin` requests carry.
    pub fn set_admin_token(&mut self, token: Secret) {
        self.secrets.add("admin token", token.clone());
        self.admin_token = Some(token);
    }

    /// Sets the access token used by every authorized request from now on
    /// (its lifetime unknown until `token_lifetime`).
    pub fn set_token(&self, token: Secret) {
        self.secrets.add("access token", token.clone());
        *self.token.write().expect("token lock poisoned") = Some(token);
        *self
            .renewal
            .renew_at_ms
            .lock()
            .expect("renewal lock poisoned") = None;
        self.renewal.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The run's token lives `expires_in` seconds (the token answer's) from
    /// `asked_at_ms` (`now_ms` before it was asked for): it is renewed ahead.
    pub fn token_lifetime(&self, asked_at_ms: u64, expires_in: Option<u64>) {
        *self
            .renewal
            .renew_at_ms
            .lock()
            .expect("renewal lock poisoned") = renew_at(asked_at_ms, expires_in);
    }

    /// The time tokens expire by: the pacing clock (a test's, or the system's).
    pub fn now_ms(&self) -> u64 {
        self.rate_limits.now_ms()
    }

    /// The run's token expires soon, or has: time to renew it.
    fn token_due(&self) -> bool {
        let due = *self
            .renewal
            .renew_at_ms
            .lock()
            .expect("renewal lock poisoned");
        due.is_some_and(|at| self.now_ms() >= at)
    }

    /// The token request that issued the run's token (the first of the run):
    /// sent again, within `MAX_TOKEN_REQUESTS`, when the token stops working.
    pub fn set_token_source(&self, request: Request) {
        *self.renewal.source.lock().expect("renewal lock poisoned") = Some((request, 1));
    }

    /// Asks for a new token unless another request already did since
    /// `seen` (the generation the failed request used); false when none
    /// could be had (no credentials, the budget spent, a refusal).
    /// `ahead`: the token is about to expire, not refused; such a renewal is
    /// not counted against `MAX_TOKEN_REQUESTS` (it comes once a lifetime).
    async fn renew_token(&self, seen: u64, ahead: bool) -> bool {
        let _one_at_a_time = self.renewal.lock.lock().await;
        if self.renewal.generation.load(Ordering::SeqCst) != seen {
            return true;
        }
        let request = {
            let mut source = self.renewal.source.lock().expect("renewal lock poisoned");
            match source.as_mut() {
                Some((request, _)) if ahead => request.clone(),
                Some((request, sent)) if *sent < MAX_TOKEN_REQUESTS => {
                    *sent += 1;
                    request.clone()
                }
                _ => return false,
            }
        };
        let asked_at = self.now_ms();
        let answer = sent(
            self.send_with_retries(self.url(&request.path), &request, false)
                .await,
        )
        .0;
        match answer.result {
            Ok(reply) if reply.is_success() => match reply.json::<super::models::TokenResponse>() {
                Ok(token) if !token.access_token.is_empty() => {
                    self.set_token(token.access_token);
                    self.token_lifetime(asked_at, token.expires_in);
                    true
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// Every secret this client knows, now and later, for the canary scan of what is written.
    pub fn canary(&self) -> crate::secret::canary::Canary {
        crate::secret::canary::Canary::watching(self.secrets.clone())
    }

    /// Sends a request once per run: a second identical request gets the first answer.
    pub async fn fetch(&self, request: Request) -> Arc<Answer> {
        let cell = {
            let mut answers = self.answers.lock().expect("cache lock poisoned");
            answers.entry(request.clone()).or_default().clone()
        };
        cell.get_or_init(|| async { Arc::new(self.send(&request).await) })
            .await
            .clone()
    }

    /// Forgets the answers to the requests `done` picks (a finished business
    /// group's, in a sweep): the cache holds only what may still be asked.
    pub fn forget(&self, done: impl Fn(&Request) -> bool) {
        self.answers
            .lock()
            .expect("cache lock poisoned")
            .retain(|request, _| !done(request));
    }

    /// The answer to a request this run already sent, without sending it.
    pub fn answered(&self, request: &Request) -> Option<Arc<Answer>> {
        let answers = self.answers.lock().expect("cache lock poisoned");
        answers.get(request)?.get().cloned()
    }

    /// Sends a request now, never from the cache (token requests, real creates).
    pub async fn send(&self, request: &Request) -> Answer {
        self.send_at(self.url(&request.path), request).await
    }

    /// Sends a request exactly once to a full URL on another host
    /// (`--probe-regions` only): no retry and no token renewal, so what it
    /// carries reaches each host at most once.
    pub async fn send_once_to(&self, url: String, request: &Request) -> Answer {
        sent(self.attempt(url, request, false).await).0
    }

    /// Sends a request to a URL of this control plane.
    /// A 401 after the run's token had worked gets one new token and one
    /// more try; a 401 then marks the token as stopped.
    async fn send_at(&self, url: String, request: &Request) -> Answer {
        // Looked at again after each renewal (this request's or another's):
        // a long wait for a permit can outlast a new token too. Bounded, and
        // given up when no new token can be had: the old one goes, and a 401
        // is handled below.
        let mut looks = 0;
        let (mut answer, generation) = loop {
            let renew_due = looks < MAX_RENEWALS_AHEAD;
            match self
                .send_with_retries(url.clone(), request, renew_due)
                .await
            {
                Ok(sent) => break sent,
                Err(TokenDue(seen)) => {
                    looks = if self.renew_token(seen, true).await {
                        looks + 1
                    } else {
                        MAX_RENEWALS_AHEAD
                    };
                }
            }
        };
        // Only the run's own token is renewed; an admin's is taken as given.
        if request.auth != Auth::RunToken || answer.status().is_none() {
            return answer;
        }
        if answer.status() != Some(401) {
            self.renewal.accepted.store(true, Ordering::SeqCst);
            return answer;
        }
        if !self.renewal.accepted.load(Ordering::SeqCst) {
            // Refused from the start: the token itself is the finding (auth.identity).
            return answer;
        }
        // Only a 401 also with a new token says the token stopped working;
        // without one to ask for (a ready-made token, the budget spent) the
        // 401 is left for the check to read.
        if self.renew_token(generation, false).await {
            let attempts = answer.evidence.attempts;
            answer = sent(self.send_with_retries(url, request, false).await).0;
            answer.evidence.attempts += attempts;
            if let Ok(reply) = &mut answer.result
                && reply.status == 401
            {
                reply.token_stopped = true;
            }
        }
        answer
    }

    /// Sends with retries after throttling and transient failures; also
    /// says which token generation the last attempt carried.
    async fn send_with_retries(
        &self,
        url: String,
        request: &Request,
        renew_due: bool,
    ) -> Result<(Answer, u64), TokenDue> {
        let first = Instant::now();
        let mut attempt = 1;
        loop {
            let (mut answer, generation) = self.attempt(url.clone(), request, renew_due).await?;
            answer.evidence.attempts = attempt;
            answer.evidence.elapsed_ms = first.elapsed().as_millis() as u64;
            match self
                .retry
                .next_wait(&answer, request.may_create, attempt, first.elapsed())
            {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return Ok((answer, generation)),
            }
        }
    }

    /// One attempt, once its endpoint's window has room, holding a place in
    /// it and one of the in-flight permits only while it runs. With
    /// `renew_due`, a request with the run's token that is about to expire is
    /// not sent: looked at with the permit held, right before the token would
    /// go out, so no request carries a token the doctor knows has expired.
    async fn attempt(
        &self,
        url: String,
        request: &Request,
        renew_due: bool,
    ) -> Result<(Answer, u64), TokenDue> {
        let _slot = self.rate_limits.admit(&request.path).await;
        let _permit = self.in_flight.acquire().await.expect("semaphore closed");
        if renew_due && request.auth == Auth::RunToken && self.token_due() {
            return Err(TokenDue(self.renewal.generation.load(Ordering::SeqCst)));
        }
        let mut builder = self
            .client
            .request(request.method.clone(), &url)
            .header(reqwest::header::ACCEPT, "application/json");
        if request.purpose != har::Purpose::Probe {
            builder = builder.header(
                reqwest::header::USER_AGENT,
                har::user_agent(request.purpose),
            );
        }
        let generation = self.renewal.generation.load(Ordering::SeqCst);
        let token = match request.auth {
            Auth::Anonymous => None,
            Auth::RunToken => self.token.read().expect("token lock poisoned").clone(),
            Auth::OrgAdmin => self.admin_token.clone(),
        };
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let at = crate::time::now_rfc3339_millis();
        let started = Instant::now();
        let result = match builder.send().await {
            Ok(response) => self.read(response).await,
            Err(error) => Err(self.transport_error(&error)),
        };
        let (status, trx_id, request_id) = match &result {
            Ok(read) => (
                Some(read.reply.status),
                read.trx_id.clone(),
                read.request_id.clone(),
            ),
            Err(_) => (None, None, None),
        };
        let answer_evidence = Evidence {
            at,
            method: request.method.to_string(),
            url,
            status,
            elapsed_ms: started.elapsed().as_millis() as u64,
            trx_id,
            request_id,
            attempts: 1,
        };
        if let Some(recorder) = &self.har {
            recorder.record(self.har_entry(request, &answer_evidence, &result));
        }
        let answer = Answer {
            evidence: answer_evidence,
            result: result.map(|read| read.reply),
        };
        Ok((answer, generation))
    }

    /// One exchange for the HAR record, every value through `redact` (`har`
    /// replaces the Authorization header, drops secret fields and caps bodies).
    fn har_entry(
        &self,
        request: &Request,
        evidence: &Evidence,
        result: &Result<Read, TransportError>,
    ) -> har::Entry {
        let url = self.redact(&evidence.url);
        let request_body = request
            .body
            .as_ref()
            .map(|b| self.redact_body(b.as_bytes()));
        let answer = match result {
            Ok(read) => Ok(har::Answered {
                status: read.reply.status,
                version: &read.version,
                headers: &read.headers,
                mime_type: read.reply.content_type.as_deref().unwrap_or_default(),
                body_bytes: read.reply.body.len(),
                text: &read.reply.redacted_text,
            }),
            Err(error) => Err(self.redact(&error.to_string())),
        };
        har::Entry::of(har::Exchange {
            started: &evidence.at,
            elapsed_ms: evidence.elapsed_ms,
            method: &evidence.method,
            url: &url,
            headers: har::client_headers(
                &har::user_agent(request.purpose),
                request.auth != Auth::Anonymous,
                request.body.is_some(),
            ),
            request_body: request_body.as_deref(),
            request_body_bytes: request.body.as_ref().map_or(0, String::len),
            answer,
        })
    }

    async fn read(&self, mut response: reqwest::Response) -> Result<Read, TransportError> {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let status = response.status().as_u16();
        let content_type = header("content-type");
        let date = header("date");
        let location = header("location").map(|l| self.redact(&l));
        let peer_certificate = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|tls| tls.peer_certificate())
            .map(<[u8]>::to_vec);
        let number = |name: &str| header(name).and_then(|v| v.trim().parse::<u64>().ok());
        let mut window = pacing::Headers {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            retry_after: number("retry-after"),
            date: date
                .as_deref()
                .and_then(|d| httpdate::parse_http_date(d).ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            throttled: false,
        };
        let none_remaining = window.remaining == Some(0);
        let path = response.url().path().to_string();
        let access_management = path.contains("/accounts/");
        let wait = super::retry::retry_after(
            header("retry-after").as_deref(),
            header("x-ratelimit-reset").as_deref(),
        );
        let trx_id = header("x-anypnt-trx-id").map(|v| self.redact(&v));
        let request_id = header("x-request-id").map(|v| self.redact(&v));
        let (headers, version) = match &self.har {
            Some(_) => (
                response
                    .headers()
                    .iter()
                    .map(|(name, value)| har::Header {
                        // A server may echo a secret as a header name (lower-cased on the way).
                        name: self.redact(name.as_str()),
                        value: match name.as_str() {
                            "set-cookie" | "authorization" => har::REDACTED.into(),
                            _ => self.redact(&String::from_utf8_lossy(value.as_bytes())),
                        },
                    })
                    .collect(),
                format!("{:?}", response.version()),
            ),
            None => (Vec::new(), String::new()),
        };
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_BODY_BYTES - body.len();
                    if chunk.len() > room {
                        body.extend_from_slice(&chunk[..room]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => {
                    return Err(TransportError::Other(format!(
                        "the connection broke while the answer (HTTP {status}) was arriving: {}",
                        self.transport_error(&error)
                    )));
                }
            }
        }
        let redacted_text = self.redact_body(&body);
        // Reference §11.8: 429, or 500/503 with no requests remaining, or
        // Access Management's 503 with an empty body ("at capacity").
        let throttled = status == 429
            || (matches!(status, 500 | 503) && none_remaining)
            || (status == 503 && access_management && body.iter().all(u8::is_ascii_whitespace));
        window.throttled = throttled;
        self.rate_limits.observe(&path, window);
        if let Some(limit) = window.limit {
            self.size_in_flight(limit);
        }
        let reply = Reply {
            status,
            content_type,
            body,
            truncated,
            throttled,
            retry_after: wait.filter(|_| throttled),
            token_stopped: false,
            date,
            peer_certificate,
            location: location.filter(|_| (300..400).contains(&status)),
            redacted_text,
        };
        Ok(Read {
            reply,
            trx_id,
            request_id,
            headers,
            version,
        })
    }

    /// With the in-flight cap sized by the rate limits: grows it to an
    /// endpoint's stated `limit` (`MOST_IN_FLIGHT` at most); it never shrinks,
    /// since `pacing` already holds each endpoint within its own window.
    fn size_in_flight(&self, limit: u64) {
        let Some(grown) = &self.in_flight_grown else {
            return;
        };
        let wanted = usize::try_from(limit).map_or(MOST_IN_FLIGHT, |l| l.min(MOST_IN_FLIGHT));
        let before = grown.fetch_max(wanted, Ordering::SeqCst);
        if wanted > before {
            self.in_flight.add_permits(wanted - before);
        }
    }

    fn transport_error(&self, error: &reqwest::Error) -> TransportError {
        // reqwest's own message repeats the URL; the causes below it say what happened.
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            causes.push(self.redact(&cause.to_string()));
            source = cause.source();
        }
        let detail = match causes.len() {
            0 => self.redact(&error.to_string()),
            n => causes[n.saturating_sub(2)..].join(": "),
        };
        if error.is_timeout() {
            TransportError::Timeout(self.timeout_secs)
        } else if error.is_connect() {
            TransportError::Connect(detail)
        } else {
            TransportError::Other(detail)
        }
    }

    /// Masks every known secret in a text, in every form it can take (`secret::forms`).
    pub fn redact(&self, text: &str) -> String {
        self.secrets.finder().mask(text)
    }

    /// Masks secrets in a body: in every string and every key of a JSON body
    /// (whatever its escaping), else in the text.
    fn redact_body(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let finder = self.secrets.finder();
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value) => serde_json::to_string(&redact_value(&finder, value)).unwrap_or_default(),
            Err(_) => finder.mask(&text),
        }
    }
}

/// A request held back because the run's token is due for renewal; the
/// token generation it saw.
struct TokenDue(u64);

/// What a send that was not asked to look at the token's expiry gave: it
/// always went out.
fn sent(result: Result<(Answer, u64), TokenDue>) -> (Answer, u64) {
    match result {
        Ok(sent) => sent,
        Err(TokenDue(_)) => unreachable!("only a send with renew_due holds a request back"),
    }
}

/// A JSON value with every secret masked in its strings and its keys.
fn redact_value(finder: &Finder, value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(finder.mask(&s)),
        Value::Array(items) => items.into_iter().map(|v| redact_value(finder, v)).collect(),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, v)| (finder.mask(&key), redact_value(finder, v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mockito::Matcher;

    async fn platform(server: &mockito::ServerGuard) -> Platform {
        platform_with(server, InFlight::AtMost(4))
    }

    fn platform_with(server: &mockito::ServerGuard, in_flight: InFlight) -> Platform {
        Platform::new(
            Url::parse(&server.url()).unwrap(),
            Timeouts {
                request_secs: 5,
                connect_secs: 5,
            },
            in_flight,
            SecretRegistry::default(),
            Route::default(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn the_cap_in_flight_grows_to_the_largest_limit_stated_within_bounds() {
        let mut server = mockito::Server::new_async().await;
        let limits = [
            ("/a", "100"),
            ("/b", "400"),
            ("/c", "30"),
            ("/d", "18446744073709551615"),
        ];
        let mut mocks = Vec::new();
        for (path, limit) in limits {
            let mock = server
                .mock("GET", path)
                .with_header("x-ratelimit-limit", limit);
            mocks.push(mock.create_async().await);
        }
        let sized = platform_with(&server, InFlight::ByRateLimits);
        let capped = platform_with(&server, InFlight::AtMost(4));
        let mut caps = vec![(
            sized.in_flight.available_permits(),
            capped.in_flight.available_permits(),
        )];
        for (path, _) in limits {
            for platform in [&sized, &capped] {
                assert_eq!(platform.send(&Request::get(path)).await.status(), Some(200));
            }
            caps.push((
                sized.in_flight.available_permits(),
                capped.in_flight.available_permits(),
            ));
        }
        // 64 until a limit is stated; a smaller one later does not shrink it;
        // a limit past any sense stops at 512. A cap the user gave stays.
        assert_eq!(caps, [(64, 4), (100, 4), (400, 4), (400, 4), (512, 4)]);
    }

    fn token_request() -> Request {
        Request {
            method: Method::POST,
            path: "/token".into(),
            body: Some("{}".into()),
            auth: Auth::Anonymous,
            may_create: false,
            purpose: har::Purpose::Probe,
        }
    }

    /// The token endpoint, issuing `token` exactly `times` times.
    async fn issuing(
        server: &mut mockito::ServerGuard,
        token: &str,
        times: usize,
    ) -> mockito::Mock {
        server
            .mock("POST", "/token")
            .with_header("content-type", "application/json")
            .with_body(format!(
                r#"{{"access_token": "{token}", "expires_in": 3600}}"#
            ))
            .expect(times)
            .create_async()
            .await
    }

    async fn bearer(
        server: &mut mockito::ServerGuard,
        path: &str,
        token: &str,
        status: usize,
    ) -> mockito::Mock {
        server
            .mock("GET", path)
            .match_header("authorization", Matcher::Exact(format!("Bearer {token}")))
            .with_status(status)
            .with_header("content-type", "application/json")
            .with_body("{}")
            .create_async()
            .await
    }

    #[tokio::test]
    async fn a_token_that_stops_working_is_renewed_once_and_the_request_sent_again() {
        let mut server = mockito::Server::new_async().await;
        let issued = issuing(&mut server, "second", 1).await;
        let _worked = bearer(&mut server, "/me", "first", 200).await;
        let _revoked = bearer(&mut server, "/apis", "first", 401).await;
        let _renewed = bearer(&mut server, "/apis", "second", 200).await;
        let platform = platform(&server).await;
        platform.set_token(Secret::new("first"));
        platform.set_token_source(token_request());

        assert_eq!(
            platform.send(&Request::get("/me")).await.status(),
            Some(200)
        );
        let answer = platform.send(&Request::get("/apis")).await;
        assert_eq!(answer.status(), Some(200), "sent again with the new token");
        assert_eq!(answer.evidence.attempts, 2);
        issued.assert_async().await;
    }

    #[tokio::test]
    async fn a_token_refused_also_when_new_is_marked_stopped_within_three_token_requests() {
        let mut server = mockito::Server::new_async().await;
        // The run's first token request was the token check's; two renewals at most.
        let issued = issuing(&mut server, "again", 2).await;
        let _worked = bearer(&mut server, "/me", "first", 200).await;
        let _refused = server
            .mock("GET", "/apis")
            .with_status(401)
            .with_body(r#"{"message": "Unauthorized"}"#)
            .create_async()
            .await;
        let platform = platform(&server).await;
        platform.set_token(Secret::new("first"));
        platform.set_token_source(token_request());
        assert_eq!(
            platform.send(&Request::get("/me")).await.status(),
            Some(200)
        );
        for n in 0..4 {
            let answer = platform.send(&Request::get("/apis")).await;
            let reply = answer.result.as_ref().unwrap();
            assert_eq!(reply.status, 401);
            // Two renewals, each refused too; then no new token is asked for.
            assert_eq!(reply.token_stopped, n < 2, "request {n}");
        }
        issued.assert_async().await;
    }

    /// A clock the test moves by hand; pacing never waits on it here.
    struct Manual(std::sync::atomic::AtomicU64);

    impl pacing::Clock for Manual {
        fn now_ms(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }

        fn sleep(
            &self,
            _wait: Duration,
        ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
            Box::pin(std::future::ready(()))
        }
    }

    #[test]
    fn a_token_is_renewed_a_minute_or_a_tenth_of_its_life_ahead() {
        assert_eq!(renew_at(1_000, Some(3600)), Some(1_000 + 3_540_000));
        assert_eq!(renew_at(0, Some(300)), Some(270_000), "a tenth of 5 min");
        assert_eq!(renew_at(0, Some(0)), None, "no lifetime: only a 401 renews");
        assert_eq!(renew_at(0, None), None);
    }

    #[tokio::test]
    async fn a_token_about_to_expire_is_renewed_before_the_request_goes_out() {
        let mut server = mockito::Server::new_async().await;
        let issued = issuing(&mut server, "second", 1).await;
        let _first = bearer(&mut server, "/me", "first", 200).await;
        let stale = server
            .mock("GET", "/apis")
            .match_header("authorization", "Bearer first")
            .expect(0)
            .create_async()
            .await;
        let _fresh = bearer(&mut server, "/apis", "second", 200).await;
        let start = 1_700_000_000_000;
        let clock = Arc::new(Manual(start.into()));
        let mut platform = platform(&server).await;
        platform.pace_with(Arc::new(RateLimits::with_clock(clock.clone())));
        platform.set_token(Secret::new("first"));
        platform.token_lifetime(start, Some(600));
        platform.set_token_source(token_request());
        assert_eq!(
            platform.send(&Request::get("/me")).await.status(),
            Some(200)
        );
        // 55 s before the token's end: inside the minute it is renewed ahead.
        clock.0.store(start + 545_000, Ordering::SeqCst);
        let answer = platform.send(&Request::get("/apis")).await;
        assert_eq!(answer.status(), Some(200));
        assert_eq!(answer.evidence.attempts, 1, "never sent with the old token");
        issued.assert_async().await;
        stale.assert_async().await;
    }

    #[tokio::test]
    async fn a_token_refused_from_the_start_is_not_renewed() {
        let mut server = mockito::Server::new_async().await;
        let issued = issuing(&mut server, "unused", 0).await;
        let _refused = bearer(&mut server, "/me", "first", 401).await;
        let platform = platform(&server).await;
        platform.set_token(Secret::new("first"));
        platform.set_token_source(token_request());
        let answer = platform.send(&Request::get("/me")).await;
        assert!(
            !answer.result.unwrap().token_stopped,
            "the token itself is the finding"
        );
        issued.assert_async().await;
    }

    #[tokio::test]
    async fn throttling_is_read_from_the_status_and_the_rate_limit_headers() {
        let mut server = mockito::Server::new_async().await;
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        for (path, status, remaining, body) in [
            ("/accounts/api/x", 503, None, ""),
            ("/exchange/x", 500, Some("0"), "{}"),
            ("/exchange/y", 503, Some("5"), "{}"),
            ("/apimanager/x", 503, None, ""),
        ] {
            let mut mock = server
                .mock("GET", path)
                .with_status(status)
                .with_header("x-ratelimit-reset", &reset.to_string())
                .with_body(body);
            if let Some(remaining) = remaining {
                mock = mock.with_header("x-ratelimit-remaining", remaining);
            }
            mock.create_async().await;
        }
        let mut platform = platform(&server).await;
        // One attempt each: what is read, not what is retried.
        platform.retry.max_attempts = 1;
        let throttled = |answer: Answer| answer.result.unwrap().throttled;
        assert!(
            throttled(platform.send(&Request::get("/accounts/api/x")).await),
            "AM's empty 503"
        );
        assert!(
            throttled(platform.send(&Request::get("/exchange/x")).await),
            "none remaining"
        );
        assert!(
            !throttled(platform.send(&Request::get("/exchange/y")).await),
            "requests remain"
        );
        assert!(
            !throttled(platform.send(&Request::get("/apimanager/x")).await),
            "not Access Management"
        );
    }
}
