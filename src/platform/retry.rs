//! When to send a request again, and after how long. A 429 was refused
//! before any work, so any request may be retried after it; throttling by
//! another status (a 503 with no requests remaining), a 500/502/503/504
//! or a broken connection only for a request that cannot create anything:
//! a read, the token request, or a probe whose body the server must reject
//! (a real create first checks whether it happened). Waits honour
//! Retry-After and X-RateLimit-Reset, back off exponentially with jitter,
//! and stay within a bounded number of attempts and a time budget.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::answer::{Answer, TransportError};

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// No retry starts once this much time has gone by since the first attempt.
    pub budget: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// How long, by default, retries of one request may go on.
pub const RETRY_BUDGET: Duration = Duration::from_secs(15);

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            budget: RETRY_BUDGET,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`, or `None` to stop with this answer.
    pub fn next_wait(
        &self,
        answer: &Answer,
        may_create: bool,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match &answer.result {
            // A 429 was refused before any work; a throttling 5xx may not
            // have been, so a create is not resent after one.
            Ok(reply) if reply.throttled && (reply.status == 429 || !may_create) => {
                reply.retry_after.unwrap_or_else(|| self.backoff(attempt))
            }
            // Exchange throttles with a bare 500 as well as 429 and 503 (reference
            // §12.3, KB 001121231), and MuleSoft's Terraform provider retries every
            // 5xx; only one that persists to the bound is reported ([I] the bound).
            Ok(reply) if matches!(reply.status, 500 | 502..=504) && !may_create => {
                self.backoff(attempt)
            }
            Err(TransportError::Connect(_) | TransportError::Other(_)) if !may_create => {
                self.backoff(attempt)
            }
            _ => return None,
        };
        // A wait that would overrun the budget is not worth starting: report what happened.
        (elapsed + wait <= self.budget).then_some(wait)
    }

    /// Exponential backoff with full jitter: a random wait up to base·2^(attempt-1), capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        // Jitter from the clock's low bits: enough to spread clients, no RNG needed.
        let fraction = f64::from(nanos % 1000) / 1000.0;
        ceiling.mul_f64(0.5 + fraction / 2.0)
    }
}

/// How long a 429 asks to wait: `Retry-After` (seconds), else `X-RateLimit-Reset` (epoch seconds).
pub fn retry_after(retry_after: Option<&str>, rate_limit_reset: Option<&str>) -> Option<Duration> {
    if let Some(secs) = retry_after.and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    let reset = rate_limit_reset.and_then(|v| v.trim().parse::<u64>().ok())?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::answer::{Evidence, Reply};

    fn answer(status: Option<u16>, retry: Option<Duration>) -> Answer {
        Answer {
            evidence: Evidence {
                at: String::new(),
                method: "GET".into(),
                url: "http://127.0.0.1/x".into(),
                status,
                elapsed_ms: 0,
                trx_id: None,
                request_id: None,
                attempts: 1,
            },
            result: match status {
                Some(status) => Ok(Reply {
                    status,
                    content_type: None,
                    body: Vec::new(),
                    truncated: false,
                    throttled: status == 429,
                    retry_after: retry,
                    token_stopped: false,
                    date: None,
                    peer_certificate: None,
                    location: None,
                    redacted_text: String::new(),
                }),
                None => Err(TransportError::Connect("refused".into())),
            },
        }
    }

    #[test]
    fn what_is_retried() {
        let policy = RetryPolicy::default();
        let early = Duration::ZERO;
        assert_eq!(
            policy.next_wait(
                &answer(Some(429), Some(Duration::from_secs(2))),
                true,
                1,
                early
            ),
            Some(Duration::from_secs(2))
        );
        for status in [500, 502, 503, 504] {
            assert!(
                policy
                    .next_wait(&answer(Some(status), None), false, 1, early)
                    .is_some(),
                "a read or an invalid-body probe is sent again after a {status}"
            );
            assert!(
                policy
                    .next_wait(&answer(Some(status), None), true, 1, early)
                    .is_none(),
                "a create is never resent after a {status}"
            );
        }
        assert!(
            policy
                .next_wait(&answer(None, None), false, 1, early)
                .is_some()
        );
        assert!(
            policy
                .next_wait(&answer(None, None), true, 1, early)
                .is_none()
        );
        for status in [200, 400, 401, 403, 404, 501] {
            assert!(
                policy
                    .next_wait(&answer(Some(status), None), false, 1, early)
                    .is_none(),
                "{status}"
            );
        }
    }

    #[test]
    fn throttling_by_a_5xx_waits_for_the_reset_but_never_resends_a_create() {
        let policy = RetryPolicy::default();
        let mut throttled = answer(Some(503), Some(Duration::from_secs(1)));
        if let Ok(reply) = &mut throttled.result {
            reply.throttled = true;
        }
        assert_eq!(
            policy.next_wait(&throttled, false, 1, Duration::ZERO),
            Some(Duration::from_secs(1)),
            "a read waits until X-RateLimit-Reset"
        );
        assert_eq!(
            policy.next_wait(&throttled, true, 1, Duration::ZERO),
            None,
            "a 503 may have come after the work: a create is not resent"
        );
    }

    #[test]
    fn attempts_and_time_are_bounded() {
        let policy = RetryPolicy::default();
        let busy = answer(Some(503), None);
        assert!(
            policy
                .next_wait(&busy, false, policy.max_attempts, Duration::ZERO)
                .is_none()
        );
        let far = answer(Some(429), Some(Duration::from_secs(60)));
        assert!(
            policy.next_wait(&far, false, 1, Duration::ZERO).is_none(),
            "a wait past the budget is not started"
        );
        for attempt in 1..10 {
            assert!(policy.backoff(attempt) <= policy.max_delay);
        }
    }

    #[test]
    fn waits_come_from_the_headers() {
        assert_eq!(retry_after(Some("3"), None), Some(Duration::from_secs(3)));
        let soon = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 5;
        let wait = retry_after(None, Some(&soon.to_string())).unwrap();
        assert!(wait <= Duration::from_secs(5) && wait >= Duration::from_secs(4));
        assert_eq!(retry_after(Some("soon"), None), None);
    }
}
