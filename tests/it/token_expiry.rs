//! Tokens renewed before they expire (reference §12.5): the simulator's
//! clock moves on two minutes with every answer, its tokens live ten, and the
//! doctor reads the same clock; a whole check then needs several tokens, and
//! not one request may reach the simulator with one that has expired.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anypoint_doctor::platform::pacing::{Clock, RateLimits};
use anypoint_doctor::settings::Settings;
use anypoint_doctor::{RunOptions, diagnose};
use anypoint_sim::state::SimState;
use url::Url;

use crate::support::bin::PATIENCE;
use crate::support::report::dump;
use crate::support::sim::{serve, world};

/// Seconds a token lives, and the seconds the simulator's clock moves on per answer.
const TTL_SECS: u64 = 600;
const STEP_SECS: u64 = 120;

/// The simulator's clock, as the doctor reads it.
struct SimTime(Arc<SimState>);

impl Clock for SimTime {
    fn now_ms(&self) -> u64 {
        self.0.rate_limits.now_ms()
    }

    /// Never called: the world sets no rate limit, so pacing never waits.
    fn sleep(&self, _wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(std::future::ready(()))
    }
}

#[tokio::test]
async fn no_request_goes_out_with_an_expired_token() {
    let mut world = world("healthy");
    world.token_ttl_secs = TTL_SECS;
    let sim = serve(world.clone()).await;
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    sim.state.rate_limits.set_clock(start);
    sim.state.rate_limits.step_per_answer(STEP_SECS);
    let options = RunOptions {
        rate_limits: Arc::new(RateLimits::with_clock(Arc::new(SimTime(Arc::clone(
            &sim.state,
        ))))),
        // One request at a time: the clock moves only between them, so what
        // the doctor reads before sending is the time the simulator judges by.
        concurrency: Some(1),
        // The moving clock puts the simulator's Date ahead of this machine's.
        ignore: vec!["net.clock".into()],
        ..RunOptions::default()
    };
    let base = Url::parse(&sim.base_url).unwrap();
    let settings =
        Settings::client_credentials(base, &world.login.client_id, &world.login.client_secret);
    let report = tokio::time::timeout(PATIENCE, diagnose(settings, &options))
        .await
        .expect("the run finishes in time")
        .expect("the run reaches a report");
    let log = sim.state.request_log();
    sim.stop().await;

    let tokens = log
        .iter()
        .filter(|l| l.starts_with("POST /accounts/api/v2/oauth2/token"))
        .count();
    let lifetime = (TTL_SECS / STEP_SECS) as usize;
    assert!(
        log.len() > 2 * lifetime && tokens >= 2,
        "the run outlived its first token ({tokens} token requests in {} requests)",
        log.len()
    );
    // A request with an expired token is answered 401 and sent again with a
    // new one (attempts 2), or reported as a token that stopped working.
    for o in &report.checks {
        for e in &o.evidence {
            assert!(
                e.status != Some(401) && e.attempts == 1,
                "{}: {} {} -> {:?} after {} attempts\n{}",
                o.id,
                e.method,
                e.url,
                e.status,
                e.attempts,
                dump(&report)
            );
        }
    }
    assert_eq!(
        (report.summary.fail, report.summary.error),
        (0, 0),
        "{}",
        dump(&report)
    );
}
