//! The simulator's live state: the world (mutable: creates change it), the
//! tokens it issued, and counters for faults, requests and connections.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ratelimit::Limiter;
use super::world::{Grant, World};

/// Who a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A Connected App, with the scopes it held when the token was issued: a
    /// scope change reaches new tokens only. [I] inferred: the reference leaves
    /// open whether an issued token picks up a change (§8.13, [?]) and advises a
    /// fresh token; the simulator plays the stricter case, removals included.
    App {
        client_id: String,
        grants: Arc<[Grant]>,
    },
    User {
        username: String,
    },
}

struct Session {
    subject: Subject,
    /// When it expires, epoch milliseconds by the simulator's clock (`Limiter::now_ms`,
    /// which a test may fix and move), like every `Date` it sends.
    expires: Option<u64>,
    /// Issued by the token endpoint (users' fixed tokens are not): revocable.
    issued: bool,
    revoked: bool,
}

/// The tokens, and how many requests with a valid one were answered (for `revoke_tokens_after`).
struct Sessions {
    by_token: HashMap<String, Session>,
    valid_uses: u64,
    /// After this many valid uses every issued token is revoked, once.
    revoke_after: Option<u64>,
    revoked_once: bool,
}

pub struct SimState {
    pub world: Mutex<World>,
    sessions: Mutex<Sessions>,
    fault_hits: Mutex<Vec<u32>>,
    requests: AtomicU64,
    /// Refusals for the rate a scenario's fault sent (429, or Access
    /// Management's 503), beside the world's limit's own.
    faulted_for_rate: AtomicU64,
    log: Mutex<Vec<Logged>>,
    /// When the simulator started: the zero of the request timeline.
    started: Instant,
    connections: AtomicU64,
    handshakes: AtomicU64,
    /// The world's per-path rate limits (`ratelimit`); off unless it sets one.
    pub rate_limits: Limiter,
    /// Where the simulator listens (`https://127.0.0.1:PORT`): the base of the
    /// absolute links it hands out (Exchange's file links).
    pub base_url: String,
    /// This run's key for signing those links: a link works with the simulator
    /// that issued it, and cannot be made up from the asset's coordinates.
    pub link_key: String,
}

/// One request as the log keeps it: what, and when it came and was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// `METHOD /path?query`, as `request_log` gives it.
    pub line: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
    /// Since the simulator started.
    pub start: Duration,
    /// When the answer left the middleware (headers ready); `None` while it is
    /// still pending (an injected hang never ends).
    pub end: Option<Duration>,
}

/// Which entry of the log a request is, to mark it answered.
#[derive(Debug, Clone, Copy)]
pub struct LogIndex(usize);

/// Why a bearer token was refused.
pub enum TokenProblem {
    Missing,
    Unknown,
    Expired,
    Revoked,
}

impl SimState {
    pub fn new(world: World, base_url: String) -> SimState {
        let sessions = world
            .users
            .iter()
            .map(|u| {
                (
                    u.token.clone(),
                    Session {
                        subject: Subject::User {
                            username: u.username.clone(),
                        },
                        expires: None,
                        issued: false,
                        revoked: false,
                    },
                )
            })
            .collect();
        let sessions = Sessions {
            by_token: sessions,
            valid_uses: 0,
            revoke_after: world.revoke_tokens_after,
            // After 0 requests no token had been issued: nothing to revoke.
            revoked_once: world.revoke_tokens_after == Some(0),
        };
        let world_rate_limit = world.rate_limit_per_minute;
        SimState {
            fault_hits: Mutex::new(vec![0; world.faults.len()]),
            world: Mutex::new(world),
            sessions: Mutex::new(sessions),
            requests: AtomicU64::new(0),
            faulted_for_rate: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            started: Instant::now(),
            connections: AtomicU64::new(0),
            handshakes: AtomicU64::new(0),
            rate_limits: Limiter::new(world_rate_limit),
            base_url,
            link_key: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// Issues a token for an app, valid for the world's token lifetime, that
    /// carries `grants` (the app's scopes now) for as long as it lives.
    pub fn issue_token(&self, client_id: &str, grants: &[Grant], ttl_secs: u64) -> String {
        let token = uuid::Uuid::new_v4().to_string();
        self.sessions
            .lock()
            .expect("sessions lock")
            .by_token
            .insert(
                token.clone(),
                Session {
                    subject: Subject::App {
                        client_id: client_id.to_string(),
                        grants: grants.into(),
                    },
                    expires: Some(
                        self.rate_limits
                            .now_ms()
                            .saturating_add(ttl_secs.saturating_mul(1000)),
                    ),
                    issued: true,
                    revoked: false,
                },
            );
        token
    }

    /// The subject behind an `Authorization: Bearer` value. Tokens of another
    /// simulator (or control plane) are unknown here, as on the platform.
    /// Each valid one counts towards the world's `revoke_tokens_after`: the use
    /// that reaches it is still answered, then every issued token is revoked.
    pub fn subject(&self, authorization: Option<&str>) -> Result<Subject, TokenProblem> {
        let token = authorization
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(TokenProblem::Missing)?;
        let mut sessions = self.sessions.lock().expect("sessions lock");
        let session = sessions.by_token.get(token).ok_or(TokenProblem::Unknown)?;
        if session.revoked {
            return Err(TokenProblem::Revoked);
        }
        if session
            .expires
            .is_some_and(|at| self.rate_limits.now_ms() >= at)
        {
            return Err(TokenProblem::Expired);
        }
        let subject = session.subject.clone();
        sessions.valid_uses += 1;
        if !sessions.revoked_once
            && sessions
                .revoke_after
                .is_some_and(|n| sessions.valid_uses >= n)
        {
            sessions.revoked_once = true;
            for session in sessions.by_token.values_mut().filter(|s| s.issued) {
                session.revoked = true;
            }
        }
        Ok(subject)
    }

    /// Counts a hit on fault `index`; true while the fault still applies.
    pub fn fault_applies(&self, index: usize, times: Option<u32>) -> bool {
        let mut hits = self.fault_hits.lock().expect("fault lock");
        let Some(count) = hits.get_mut(index) else {
            return false;
        };
        *count += 1;
        times.is_none_or(|limit| *count <= limit)
    }

    /// Counts a request and remembers it as `METHOD /path?query`, with the
    /// time it came; the index marks it answered later.
    pub fn count_request(&self, method: &str, uri: &str, version: &str) -> LogIndex {
        let mut log = self.log.lock().expect("log lock");
        log.push(Logged {
            line: format!("{method} {uri}"),
            version: version.to_string(),
            start: self.started.elapsed(),
            end: None,
        });
        self.requests.fetch_add(1, Ordering::Relaxed);
        LogIndex(log.len() - 1)
    }

    /// Marks a logged request answered now.
    pub fn answered(&self, index: LogIndex) {
        let now = self.started.elapsed();
        if let Some(entry) = self.log.lock().expect("log lock").get_mut(index.0) {
            entry.end = Some(now);
        }
    }

    /// Every request answered so far, in order (for tests and benchmarks).
    pub fn request_log(&self) -> Vec<String> {
        self.log
            .lock()
            .expect("log lock")
            .iter()
            .map(|l| l.line.clone())
            .collect()
    }

    /// Every request with when it came and was answered, in arrival order:
    /// the timeline tests and benchmarks read the run's round trips from.
    pub fn request_timeline(&self) -> Vec<Logged> {
        self.log.lock().expect("log lock").clone()
    }

    /// Counts an accepted TCP connection.
    pub fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a completed TLS handshake.
    pub fn count_handshake(&self) {
        self.handshakes.fetch_add(1, Ordering::Relaxed);
    }

    /// How many TCP connections the simulator has accepted (for benchmarks).
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// How many TLS handshakes completed (0 over plain http).
    pub fn handshakes(&self) -> u64 {
        self.handshakes.load(Ordering::Relaxed)
    }

    /// How many requests the simulator has answered (for tests and benchmarks).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// How many requests were refused for the rate: the world's limit's
    /// 429s and a scenario's throttling faults (429, or 503). For tests and
    /// benchmarks: a well-paced run on a world without such faults leaves it at 0.
    pub fn throttled(&self) -> u64 {
        self.rate_limits.throttled() + self.faulted_for_rate.load(Ordering::Relaxed)
    }

    /// How many requests the world's own limit answered 429, a scenario's
    /// injected throttling left out: what a well-paced client keeps at 0.
    pub fn throttled_by_limit(&self) -> u64 {
        self.rate_limits.throttled()
    }

    /// A throttling fault answered a request.
    pub fn count_faulted_for_rate(&self) {
        self.faulted_for_rate.fetch_add(1, Ordering::Relaxed);
    }
}
