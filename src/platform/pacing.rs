//! Pacing by the platform's rate-limit headers (reference §6, §11.8): what
//! each endpoint's window has left, from `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset`, so that no request goes out that its window has no
//! room for; it waits for the window to turn instead. The windows a run
//! leaves can be written down (`windows`) and given to the next run
//! (`remember`), so a sweep run twice within a minute paces as one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// The longest a request waits for its window to turn. The platform's
/// windows last a minute (§6, S14); a longer wait means the headers are not
/// what they seem, and the request goes: its answer says what happened.
pub const MAX_WAIT: Duration = Duration::from_secs(65);

/// The longest a request waits on a window a refusal set (a 429's
/// Retry-After): what the retry of the refused request would wait at most
/// (`RetryPolicy`'s budget). Past it the request goes and gets its own
/// answer, so whether a request waits does not depend on whether it left
/// before or after the refusal came back.
pub const MAX_THROTTLED_WAIT: Duration = super::retry::RETRY_BUDGET;

/// The platform's window: a minute (§6, S14). A window an earlier run left
/// that turns later than this from now is not one the platform's headers
/// could have produced, and is not taken.
const WINDOW: Duration = Duration::from_secs(60);

/// The most a run waits, in all, on windows an earlier run left. The cache
/// only spares a run the 429s at its start; past this the request goes, and
/// the live answer's headers pace what follows. So a planted or stale cache
/// cannot hold a run until its deadline.
pub const MAX_REMEMBERED_WAIT: Duration = Duration::from_secs(10);

/// The time pacing reads and waits on: the system's, or a test's.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// A future that ends `wait` from now.
    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The system clock and tokio's timer. The time is read once from the
/// system and then counted on tokio's monotonic clock, so a wall-clock jump
/// mid-run does not change a wait, and the time and the timer always agree.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        static ORIGIN: OnceLock<(u64, tokio::time::Instant)> = OnceLock::new();
        let (epoch_ms, at) = ORIGIN.get_or_init(|| {
            let epoch_ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            (epoch_ms, tokio::time::Instant::now())
        });
        epoch_ms + at.elapsed().as_millis() as u64
    }

    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(wait))
    }
}

/// What one answer said about its endpoint's window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Headers {
    /// `X-RateLimit-Limit`: requests a window allows.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in this window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window ends, epoch seconds by the server's clock.
    pub reset: Option<u64>,
    /// `Retry-After`, seconds (no Anypoint source shows it, §6; honoured if sent).
    pub retry_after: Option<u64>,
    /// The answer's `Date`, epoch seconds by the server's clock.
    pub date: Option<u64>,
    /// The answer was a refusal for the rate (429, or a throttling 5xx).
    pub throttled: bool,
}

/// One endpoint's window as the last answers left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// Requests a whole window allows, when the platform said.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: u64,
    /// The window's end as the server wrote it: orders answers from different windows.
    pub reset: u64,
    /// When the window turns by this machine's clock (epoch milliseconds):
    /// the server's own time to its reset, counted from its `Date`, so a
    /// skewed local clock does not send early.
    pub turns_at_ms: u64,
    /// Learned from a refusal (a 429, or a throttling 503), not counted
    /// down by answers: a request waits for it no longer than a retry would
    /// (`MAX_THROTTLED_WAIT`).
    #[serde(default)]
    pub throttled: bool,
}

/// A wait pacing imposed, for the report and the benchmarks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    /// The endpoint (path template) whose window was spent.
    pub endpoint: String,
    pub waited: Duration,
}

struct State {
    windows: HashMap<String, Window>,
    /// Requests sent and not yet answered, per endpoint.
    sending: HashMap<String, u64>,
    /// The smallest limit any answer stated: how many requests an endpoint
    /// not heard from yet may have in flight at once.
    smallest_limit: Option<u64>,
    waits: Vec<Wait>,
    /// Endpoints waiting now, and when their windows turn (epoch ms).
    waiting: HashMap<String, u64>,
    /// Endpoints whose window came from an earlier run and no answer of
    /// this run has spoken for yet.
    remembered: HashSet<String>,
    /// What is left of `MAX_REMEMBERED_WAIT`.
    remembered_wait_left: Duration,
}

impl Default for State {
    fn default() -> State {
        State {
            windows: HashMap::new(),
            sending: HashMap::new(),
            smallest_limit: None,
            waits: Vec::new(),
            waiting: HashMap::new(),
            remembered: HashSet::new(),
            remembered_wait_left: MAX_REMEMBERED_WAIT,
        }
    }
}

/// The rate-limit windows of one control plane and app, shared by every
/// request of a run (and of the runs given the same one).
pub struct RateLimits {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    changed: Notify,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("RateLimits")
            .field("windows", &state.windows)
            .field("waits", &state.waits)
            .finish_non_exhaustive()
    }
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits::with_clock(Arc::new(SystemClock))
    }
}

/// A place among the requests in flight to one endpoint, given back when dropped.
pub struct Slot<'a> {
    limits: &'a RateLimits,
    endpoint: String,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut state = self.limits.lock();
        if let Some(sending) = state.sending.get_mut(&self.endpoint) {
            *sending = sending.saturating_sub(1);
        }
        drop(state);
        self.limits.changed.notify_waiters();
    }
}

/// What `admit` found: go now, wait for a request in flight to be answered, or wait for the turn.
enum Room {
    Go,
    WaitForAnswer,
    WaitForTurn(Duration),
}

impl RateLimits {
    pub fn with_clock(clock: Arc<dyn Clock>) -> RateLimits {
        RateLimits {
            clock,
            state: Mutex::new(State::default()),
            changed: Notify::new(),
        }
    }

    /// The time by this clock, epoch milliseconds (the token's expiry counts on it too).
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("rate-limit lock poisoned")
    }

    /// Waits until the window of `path`'s endpoint has room for one more
    /// request, then holds a place in it until the slot is dropped.
    pub async fn admit(&self, path: &str) -> Slot<'_> {
        let endpoint = endpoint(path);
        loop {
            // Registered before looking, so an answer that comes in between is not missed.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let room = {
                let mut state = self.lock();
                let room = self.room(&state, &endpoint);
                if matches!(room, Room::Go) {
                    *state.sending.entry(endpoint.clone()).or_default() += 1;
                    return Slot {
                        limits: self,
                        endpoint,
                    };
                }
                room
            };
            match room {
                Room::WaitForTurn(wait) => {
                    {
                        let mut state = self.lock();
                        if state.remembered.contains(&endpoint) {
                            state.remembered_wait_left =
                                state.remembered_wait_left.saturating_sub(wait);
                        }
                        state.waits.push(Wait {
                            endpoint: endpoint.clone(),
                            waited: wait,
                        });
                        let turns_at = self.clock.now_ms() + wait.as_millis() as u64;
                        state.waiting.insert(endpoint.clone(), turns_at);
                    }
                    self.clock.sleep(wait).await;
                    self.lock().waiting.remove(&endpoint);
                }
                _ => notified.await,
            }
        }
    }

    fn room(&self, state: &State, endpoint: &str) -> Room {
        let now = self.clock.now_ms();
        let sending = state.sending.get(endpoint).copied().unwrap_or(0);
        let (room, turns_at) = match state.windows.get(endpoint) {
            Some(window) if now < window.turns_at_ms => {
                (Some(window.remaining), Some(window.turns_at_ms))
            }
            // The window has turned: a whole one, as far as is known.
            Some(window) => (window.limit, None),
            None => (state.smallest_limit, None),
        };
        let max_wait = match state.windows.get(endpoint) {
            Some(window) if window.throttled => MAX_THROTTLED_WAIT,
            _ => MAX_WAIT,
        };
        match (room, turns_at) {
            (Some(room), _) if sending < room => Room::Go,
            (None, _) => Room::Go,
            // Room taken by requests in flight: their answers say what is left.
            _ if sending > 0 => Room::WaitForAnswer,
            (Some(_), Some(turns_at)) => {
                let wait = Duration::from_millis(turns_at - now);
                let wait = if state.remembered.contains(endpoint) {
                    wait.min(state.remembered_wait_left)
                } else {
                    wait
                };
                if wait > max_wait || wait.is_zero() {
                    Room::Go
                } else {
                    Room::WaitForTurn(wait)
                }
            }
            // A whole window of no requests: the headers said a limit of 0.
            (Some(_), None) => Room::Go,
        }
    }

    /// Takes what an answer from `path` said about its endpoint's window.
    pub fn observe(&self, path: &str, headers: Headers) {
        let now = self.clock.now_ms();
        let mut state = self.lock();
        if let Some(limit) = headers.limit.filter(|&l| l > 0) {
            state.smallest_limit = Some(state.smallest_limit.map_or(limit, |s| s.min(limit)));
        }
        let remaining = match headers.remaining {
            Some(remaining) => remaining,
            None if headers.throttled => 0,
            None => return,
        };
        // The server's seconds to its reset, from its own Date when it sent
        // one: a Date is whole seconds behind the true time, so this errs late.
        let server_now = headers.date;
        let (reset, until_ms) = match (headers.reset, server_now) {
            (Some(reset), Some(date)) => (reset, reset.saturating_sub(date) * 1000),
            (Some(reset), None) => (reset, (reset * 1000).saturating_sub(now) + 1000),
            (None, _) => match headers.retry_after {
                Some(after) => (server_now.unwrap_or(now / 1000) + after, after * 1000),
                None => return,
            },
        };
        let until_ms = match headers.retry_after {
            Some(after) if headers.throttled => until_ms.max(after * 1000),
            _ => until_ms,
        };
        let seen = Window {
            limit: headers.limit,
            remaining,
            reset,
            turns_at_ms: now + until_ms,
            throttled: headers.throttled,
        };
        let endpoint = endpoint(path);
        // The live answer wins over whatever an earlier run left.
        if state.remembered.remove(&endpoint) {
            state.windows.remove(&endpoint);
        }
        match state.windows.get_mut(&endpoint) {
            Some(window) if window.reset == reset => {
                window.remaining = window.remaining.min(remaining);
                window.turns_at_ms = window.turns_at_ms.max(seen.turns_at_ms);
                window.limit = window.limit.or(seen.limit);
                window.throttled |= seen.throttled;
            }
            // An answer from a window already over, arriving late.
            Some(window) if window.reset > reset => {}
            _ => {
                state.windows.insert(endpoint, seen);
            }
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// The waits pacing imposed so far.
    pub fn waits(&self) -> Vec<Wait> {
        self.lock().waits.clone()
    }

    /// The endpoint waiting longest now for its window, and how long is left.
    pub fn waiting(&self) -> Option<(String, Duration)> {
        let now = self.clock.now_ms();
        self.lock()
            .waiting
            .iter()
            .max_by_key(|(_, turns_at)| **turns_at)
            .map(|(endpoint, turns_at)| {
                (
                    endpoint.clone(),
                    Duration::from_millis(turns_at.saturating_sub(now)),
                )
            })
    }

    /// The windows that have not turned yet, by endpoint: what the next run needs.
    pub fn windows(&self) -> BTreeMap<String, Window> {
        let now = self.clock.now_ms();
        self.lock()
            .windows
            .iter()
            .filter(|(_, w)| w.turns_at_ms > now)
            .map(|(endpoint, window)| (endpoint.clone(), *window))
            .collect()
    }

    /// Takes windows an earlier run left (`windows`): only those the
    /// platform's headers could have produced (a limit above 0 and no more
    /// left than it, turning within one window from now); the ones already
    /// turned are dropped. Waits on them are bounded by `MAX_REMEMBERED_WAIT`
    /// in all, and the first live answer for an endpoint replaces its window.
    pub fn remember(&self, windows: BTreeMap<String, Window>) {
        let now = self.clock.now_ms();
        let latest = now + WINDOW.as_millis() as u64;
        let mut state = self.lock();
        for (endpoint, window) in windows {
            let plausible = window.turns_at_ms > now
                && window.turns_at_ms <= latest
                && window
                    .limit
                    .is_none_or(|limit| limit > 0 && window.remaining <= limit);
            if !plausible || state.windows.contains_key(&endpoint) {
                continue;
            }
            if let Some(limit) = window.limit {
                state.smallest_limit = Some(state.smallest_limit.map_or(limit, |s| s.min(limit)));
            }
            state.remembered.insert(endpoint.clone());
            state.windows.insert(endpoint, window);
        }
    }
}

/// The endpoint a path counts against: its template, ids (numbers, UUIDs,
/// client ids) as `*`, the query left out. [I] §6 says limits are per
/// endpoint; reading an endpoint as a template (every environment's API
/// list counting together) is the stricter reading, so pacing by it never
/// sends more than either reading allows.
pub fn endpoint(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .map(|segment| if is_id(segment) { "*" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_id(segment: &str) -> bool {
    let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
    let hex_id = segment.len() >= 16
        && segment.bytes().any(|b| b.is_ascii_digit())
        && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    digits || hex_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A clock that moves only when something sleeps on it.
    struct TestClock(AtomicU64);

    impl Clock for TestClock {
        fn now_ms(&self) -> u64 {
            self.0.load(Ordering::SeqCst)
        }
        fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
            self.0.fetch_add(wait.as_millis() as u64, Ordering::SeqCst);
            Box::pin(std::future::ready(()))
        }
    }

    const START_MS: u64 = 1_800_000_000_000;
    const API_LIST: &str = "/apimanager/api/v1/organizations/9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f/environments/c0ffee00-1111-4222-8333-444455556666/apis";

    fn limits() -> (Arc<TestClock>, RateLimits) {
        let clock = Arc::new(TestClock(AtomicU64::new(START_MS)));
        (clock.clone(), RateLimits::with_clock(clock))
    }

    /// An answer in the window ending 30 s after the start, by a server whose clock is `skew` s ahead.
    fn answer(remaining: u64, skew: u64) -> Headers {
        let now = START_MS / 1000 + skew;
        Headers {
            limit: Some(400),
            remaining: Some(remaining),
            reset: Some(now + 30),
            date: Some(now),
            ..Headers::default()
        }
    }

    #[test]
    fn ids_and_queries_make_one_endpoint() {
        assert_eq!(
            endpoint(&format!("{API_LIST}?limit=100&offset=0")),
            "/apimanager/api/v1/organizations/*/environments/*/apis"
        );
        assert_eq!(
            endpoint("/accounts/api/connectedApplications/7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9/scopes"),
            "/accounts/api/connectedApplications/*/scopes"
        );
        assert_eq!(endpoint("/accounts/api/me"), "/accounts/api/me");
    }

    #[tokio::test]
    async fn a_spent_window_waits_for_its_turn_by_the_servers_clock() {
        let (clock, limits) = limits();
        // The server's clock is 500 s ahead: its reset is read against its own Date.
        limits.observe(API_LIST, answer(0, 500));
        drop(limits.admit("/accounts/api/me").await);
        assert!(
            limits.waits().is_empty(),
            "another endpoint has its own window"
        );
        drop(limits.admit(API_LIST).await);
        assert_eq!(
            clock.now_ms(),
            START_MS + 30_000,
            "sent when the window turned"
        );
        assert_eq!(
            limits.waits(),
            [Wait {
                endpoint: endpoint(API_LIST),
                waited: Duration::from_secs(30)
            }]
        );
    }

    #[tokio::test]
    async fn a_wait_is_visible_while_it_lasts() {
        let limits = RateLimits::default();
        let now = SystemClock.now_ms() / 1000;
        limits.observe(
            API_LIST,
            Headers {
                remaining: Some(0),
                reset: Some(now + 30),
                date: Some(now),
                ..Headers::default()
            },
        );
        let waiting = limits.admit(API_LIST);
        tokio::pin!(waiting);
        assert!(futures::poll!(waiting.as_mut()).is_pending());
        let (endpoint, left) = limits.waiting().expect("a wait under way");
        assert_eq!(endpoint, super::endpoint(API_LIST));
        assert!(left > Duration::from_secs(25) && left <= Duration::from_secs(30));
    }

    #[tokio::test]
    async fn requests_in_flight_count_against_the_window() {
        let (clock, limits) = limits();
        limits.observe(API_LIST, answer(2, 0));
        let first = limits.admit(API_LIST).await;
        let second = limits.admit(API_LIST).await;
        // The third must wait: both places are taken by requests not yet answered.
        let third = limits.admit(API_LIST);
        tokio::pin!(third);
        assert!(
            futures::poll!(third.as_mut()).is_pending(),
            "no room while two are in flight"
        );
        // Their answers say the window is spent: the third waits for the turn.
        limits.observe(API_LIST, answer(1, 0));
        limits.observe(API_LIST, answer(0, 0));
        drop((first, second));
        drop(third.await);
        assert_eq!(clock.now_ms(), START_MS + 30_000);
    }

    #[tokio::test]
    async fn an_endpoint_not_heard_from_sends_at_most_the_smallest_limit() {
        let (_, limits) = limits();
        limits.observe(
            "/accounts/api/me",
            Headers {
                limit: Some(2),
                ..Headers::default()
            },
        );
        let _first = limits.admit(API_LIST).await;
        let _second = limits.admit(API_LIST).await;
        let third = limits.admit(API_LIST);
        tokio::pin!(third);
        assert!(futures::poll!(third.as_mut()).is_pending());
    }

    #[tokio::test]
    async fn a_late_answer_from_an_old_window_changes_nothing() {
        let (_, limits) = limits();
        limits.observe(API_LIST, answer(5, 0));
        let mut old = answer(0, 0);
        old.reset = old.reset.map(|r| r - 60);
        limits.observe(API_LIST, old);
        assert_eq!(limits.windows()[&endpoint(API_LIST)].remaining, 5);
    }

    #[tokio::test]
    async fn a_throttled_answer_closes_the_window_for_its_retry_after() {
        let (clock, limits) = limits();
        limits.observe(
            API_LIST,
            Headers {
                retry_after: Some(7),
                throttled: true,
                ..Headers::default()
            },
        );
        drop(limits.admit(API_LIST).await);
        assert_eq!(clock.now_ms(), START_MS + 7_000);
    }

    #[tokio::test]
    async fn a_refusals_wait_longer_than_a_retry_would_wait_is_not_waited() {
        // A 429 asking for 30 s: its own retry gives up (the retry budget is
        // 15 s), so a request sent after it does not wait either.
        let (clock, limits) = limits();
        limits.observe(
            API_LIST,
            Headers {
                retry_after: Some(30),
                throttled: true,
                ..Headers::default()
            },
        );
        drop(limits.admit(API_LIST).await);
        assert_eq!(
            clock.now_ms(),
            START_MS,
            "sent at once: the answer will tell"
        );
        assert_eq!(
            MAX_THROTTLED_WAIT,
            crate::platform::retry::RetryPolicy::default().budget,
            "as long as a retry would wait"
        );
    }

    #[tokio::test]
    async fn a_wait_longer_than_a_window_is_not_waited() {
        let (clock, limits) = limits();
        let mut far = answer(0, 0);
        far.reset = far.reset.map(|r| r + 3600);
        limits.observe(API_LIST, far);
        drop(limits.admit(API_LIST).await);
        assert_eq!(
            clock.now_ms(),
            START_MS,
            "sent at once: the answer will tell"
        );
    }

    /// A window an earlier run left on `API_LIST`, spent, turning `in_ms` from the start.
    fn remembered(in_ms: u64) -> BTreeMap<String, Window> {
        BTreeMap::from([(
            endpoint(API_LIST),
            Window {
                limit: Some(400),
                remaining: 0,
                reset: START_MS / 1000 + in_ms / 1000,
                turns_at_ms: START_MS + in_ms,
                throttled: false,
            },
        )])
    }

    #[tokio::test]
    async fn a_remembered_window_longer_than_the_platforms_is_not_taken() {
        let (clock, limits) = limits();
        limits.remember(remembered(64_900));
        drop(limits.admit(API_LIST).await);
        assert_eq!(
            clock.now_ms(),
            START_MS,
            "no wait: no platform window lasts 64.9 s"
        );
        assert!(limits.windows().is_empty());
    }

    #[tokio::test]
    async fn a_remembered_window_with_more_left_than_its_limit_is_not_taken() {
        let (_, limits) = limits();
        let mut windows = remembered(5_000);
        for window in windows.values_mut() {
            window.remaining = 401;
        }
        limits.remember(windows);
        assert!(limits.windows().is_empty());
    }

    #[tokio::test]
    async fn remembered_windows_delay_a_run_by_a_bounded_total() {
        let (clock, limits) = limits();
        // Staggered: each endpoint's window turns just before one window is up.
        let staggered = [
            "/accounts/api/me",
            "/accounts/api/organizations/*",
            API_LIST,
        ]
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let window = Window {
                limit: Some(400),
                remaining: 0,
                reset: START_MS / 1000 + 50 + i as u64,
                turns_at_ms: START_MS + 50_000 + 4_000 * i as u64,
                throttled: false,
            };
            (endpoint(path), window)
        })
        .collect();
        limits.remember(staggered);
        drop(limits.admit("/accounts/api/me").await);
        drop(limits.admit("/accounts/api/organizations/*").await);
        drop(limits.admit(API_LIST).await);
        assert_eq!(
            clock.now_ms(),
            START_MS + MAX_REMEMBERED_WAIT.as_millis() as u64,
            "three remembered windows cost one bounded wait"
        );
    }

    #[tokio::test]
    async fn a_live_answer_replaces_a_remembered_window() {
        let (clock, limits) = limits();
        let mut windows = remembered(30_000);
        // A reset far in the future would make every live answer look late.
        for window in windows.values_mut() {
            window.reset = u64::MAX / 2;
        }
        limits.remember(windows);
        limits.observe(API_LIST, answer(5, 0));
        drop(limits.admit(API_LIST).await);
        assert_eq!(clock.now_ms(), START_MS, "the live window has room");
        assert_eq!(limits.windows()[&endpoint(API_LIST)].remaining, 5);
    }

    #[tokio::test]
    async fn windows_pass_to_the_next_run_until_they_turn() {
        let (clock, limits) = limits();
        limits.observe(API_LIST, answer(0, 0));
        let saved = limits.windows();
        assert_eq!(saved.len(), 1);
        // The next run starts 22 s later, 8 s before the window turns.
        clock.0.fetch_add(22_000, Ordering::SeqCst);
        let next = RateLimits::with_clock(clock.clone());
        next.remember(saved.clone());
        drop(next.admit(API_LIST).await);
        assert_eq!(clock.now_ms(), START_MS + 30_000, "the next run waited too");
        assert!(next.windows().is_empty(), "a turned window is not kept");
        let later = RateLimits::with_clock(clock.clone());
        later.remember(saved);
        assert!(later.windows().is_empty(), "nor taken");
    }
}
