//! Per-path rate limits: a counter per path template and one-minute window,
//! the `X-RateLimit-*` numbers each answer carries, and the throttled answers
//! counted, so a benchmark can assert that a sweep never tripped the limit.
//!
//! §6 (S14, S16): platform APIs answer with `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds); limits are
//! per endpoint over a one-minute window (400 on `/accounts/api/me` and the
//! environment list in a captured trace). Exchange's windows are fixed (S15).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The window a limit counts in: one minute (§6, S14).
pub const WINDOW_SECS: u64 = 60;

/// What the limiter decided for one request, with the numbers its answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Answered; `remaining` requests are left in the window that ends at `reset`.
    Allowed {
        limit: u64,
        remaining: u64,
        reset: u64,
    },
    /// Over the limit: 429 until `reset` (epoch seconds), `retry_after` seconds from now.
    Throttled {
        limit: u64,
        reset: u64,
        retry_after: u64,
    },
}

/// The per-template counters of one simulator; off (no limit) unless the world sets one.
pub struct Limiter {
    limit: Option<u64>,
    /// Path template → (window index, requests admitted in it). One entry per
    /// template, however many organizations and environments the world has.
    windows: Mutex<HashMap<String, (u64, u64)>>,
    throttled: AtomicU64,
    /// A fixed time (epoch seconds) in place of the system clock, for tests.
    clock: Mutex<Option<u64>>,
    /// Seconds the fixed clock moves on after each answer (0: it stands
    /// still), so a test sees time pass mid-run without waiting for it.
    step_secs: AtomicU64,
}

impl Limiter {
    pub fn new(limit: Option<u64>) -> Limiter {
        Limiter {
            limit,
            windows: Mutex::new(HashMap::new()),
            throttled: AtomicU64::new(0),
            clock: Mutex::new(None),
            step_secs: AtomicU64::new(0),
        }
    }

    /// Counts a request to `path` in its template's window; None when no limit is set.
    ///
    /// [I] inferred: windows are fixed and aligned to the minute (S15 says fixed
    /// for Exchange; none says where a window starts), a throttled request does
    /// not use up the next window, and every method on a template shares its counter.
    pub fn admit(&self, path: &str) -> Option<Admission> {
        let limit = self.limit?;
        let now = self.now();
        let window = now / WINDOW_SECS;
        let reset = (window + 1) * WINDOW_SECS;
        let mut windows = self.windows.lock().expect("rate-limit lock");
        let entry = windows.entry(template(path)).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= limit {
            drop(windows);
            self.throttled.fetch_add(1, Ordering::Relaxed);
            return Some(Admission::Throttled {
                limit,
                reset,
                retry_after: (reset - now).max(1),
            });
        }
        entry.1 += 1;
        Some(Admission::Allowed {
            limit,
            remaining: limit - entry.1,
            reset,
        })
    }

    /// How many requests were answered 429 by the limit (injected faults not included).
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    /// Fixes the time the windows count in (epoch seconds), so tests choose when a window ends.
    pub fn set_clock(&self, epoch_secs: u64) {
        *self.clock.lock().expect("clock lock") = Some(epoch_secs);
    }

    /// Moves the fixed clock on by `secs` after every answer (`answered`).
    pub fn step_per_answer(&self, secs: u64) {
        self.step_secs.store(secs, Ordering::Relaxed);
    }

    /// One answer left: a fixed clock moves on by its step.
    pub fn answered(&self) {
        let step = self.step_secs.load(Ordering::Relaxed);
        if let Some(now) = self.clock.lock().expect("clock lock").as_mut() {
            *now = now.saturating_add(step);
        }
    }

    /// The time the windows count in: the fixed one, else the system clock (epoch seconds).
    pub fn now(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// `now` in epoch milliseconds (tokens expire by it).
    pub fn now_ms(&self) -> u64 {
        match *self.clock.lock().expect("clock lock") {
            Some(secs) => secs.saturating_mul(1000),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
        }
    }
}

/// The endpoint a path counts against: ids (numbers, UUIDs, client ids) become `*`.
///
/// [I] inferred: §6 says limits are per endpoint; the simulator reads an
/// endpoint as its path template, so every environment's API list shares one
/// counter, the stricter of the two readings.
pub fn template(path: &str) -> String {
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

    #[test]
    fn ids_become_stars_and_words_stay() {
        assert_eq!(
            template(
                "/apimanager/api/v1/organizations/9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f/environments/c0ffee00-1111-4222-8333-444455556666/apis/18972610"
            ),
            "/apimanager/api/v1/organizations/*/environments/*/apis/*"
        );
        assert_eq!(
            template("/accounts/api/connectedApplications/7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9/scopes"),
            "/accounts/api/connectedApplications/*/scopes"
        );
        assert_eq!(template("/accounts/api/me"), "/accounts/api/me");
    }

    #[test]
    fn a_window_counts_down_throttles_and_resets() {
        let limiter = Limiter::new(Some(2));
        limiter.set_clock(6_000_030);
        let allowed = |remaining| Admission::Allowed {
            limit: 2,
            remaining,
            reset: 6_000_060,
        };
        assert_eq!(limiter.admit("/a/1"), Some(allowed(1)));
        assert_eq!(limiter.admit("/a/2"), Some(allowed(0)));
        assert_eq!(
            limiter.admit("/a/3"),
            Some(Admission::Throttled {
                limit: 2,
                reset: 6_000_060,
                retry_after: 30
            })
        );
        assert_eq!(limiter.admit("/b"), Some(allowed(1)), "another endpoint");
        assert_eq!(limiter.throttled(), 1);
        limiter.set_clock(6_000_060);
        assert!(matches!(
            limiter.admit("/a/1"),
            Some(Admission::Allowed { remaining: 1, .. })
        ));
        assert_eq!(Limiter::new(None).admit("/a"), None);
    }
}
