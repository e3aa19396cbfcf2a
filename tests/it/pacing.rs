//! Pacing by the rate-limit headers: a world whose limit is smaller than
//! what a check sends to one endpoint is checked with no answer throttled,
//! because each request waits for its window to turn; and a second run that
//! is given the first run's windows waits too. Time is a test clock shared by
//! the doctor and the simulator, so a minute's window turns at once.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anypoint_doctor::platform::pacing::{Clock, RateLimits, endpoint};
use anypoint_doctor::report::Report;
use anypoint_doctor::settings::Settings;
use anypoint_doctor::{RunOptions, diagnose};
use anypoint_sim::state::SimState;
use url::Url;

use crate::support::bin::PATIENCE;
use crate::support::sim::{Sim, World, serve};

/// Requests a window allows: fewer than the check sends to the API list of
/// five environments (a read and a write probe each).
const LIMIT: u64 = 3;

/// The doctor's clock and the simulator's limiter, moved together: a wait
/// jumps to its end, and the simulator's windows count in the same time.
struct SharedClock {
    now_ms: AtomicU64,
    sim: Arc<SimState>,
}

impl Clock for SharedClock {
    fn now_ms(&self) -> u64 {
        self.now_ms.load(Ordering::SeqCst)
    }

    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        // Waiters for the same turn move the clock once, not once each.
        let end = self.now_ms() + wait.as_millis() as u64;
        let now = self.now_ms.fetch_max(end, Ordering::SeqCst).max(end);
        self.sim.rate_limits.set_clock(now / 1000);
        Box::pin(std::future::ready(()))
    }
}

/// Each check's verdict, but the clock's: the test clock moves the
/// simulator's `Date` ahead of this machine's, which `net.clock` rightly sees.
fn statuses(report: &Report) -> BTreeMap<String, String> {
    report
        .checks
        .iter()
        .filter(|o| o.id != "net.clock")
        .map(|o| {
            let target = o.target.as_deref().unwrap_or_default();
            (
                format!("{} {target}", o.id),
                format!("{:?} {:?}", o.status, o.code),
            )
        })
        .collect()
}

async fn run(world: &World, sim_url: &str, limits: &Arc<RateLimits>) -> Report {
    let base = Url::parse(sim_url).unwrap();
    let settings =
        Settings::client_credentials(base, &world.login.client_id, &world.login.client_secret);
    let options = RunOptions {
        rate_limits: Arc::clone(limits),
        ..RunOptions::default()
    };
    tokio::time::timeout(PATIENCE, diagnose(settings, &options))
        .await
        .expect("the run finishes in time")
        .expect("the run reaches a report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_waits_for_each_window_instead_of_being_throttled() {
    let unlimited = anypoint_sim::generate::world(1, 5);
    let mut world = unlimited.clone();
    world.rate_limit_per_minute = Some(LIMIT);

    // The verdicts the world gives with no limit at all.
    let free = serve(unlimited.clone()).await;
    let expected = statuses(&run(&unlimited, &free.base_url, &Arc::default()).await);
    free.stop().await;

    let sim = serve(world.clone()).await;
    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    sim.state.rate_limits.set_clock(start);
    let clock = Arc::new(SharedClock {
        now_ms: AtomicU64::new(start * 1000),
        sim: Arc::clone(&sim.state),
    });
    let limits = Arc::new(RateLimits::with_clock(clock.clone()));

    let first = run(&world, &sim.base_url, &limits).await;
    let api_list = endpoint(
        "/apimanager/api/v1/organizations/9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f/environments/1/apis",
    );
    let log = sim.state.request_log();
    let to_the_api_list = log
        .iter()
        .filter(|line| endpoint(line.split_once(' ').map_or("", |(_, p)| p)) == api_list)
        .count() as u64;
    assert!(
        to_the_api_list > LIMIT,
        "the check sends more to one endpoint ({to_the_api_list}) than a window allows ({LIMIT}): {log:#?}"
    );
    assert_eq!(sim.state.throttled(), 0, "no answer throttled: {log:#?}");
    assert!(
        limits.waits().iter().any(|w| w.endpoint == api_list),
        "the API list waited for its window: {:?}",
        limits.waits()
    );
    assert_eq!(
        statuses(&first),
        expected,
        "the same verdicts as with no limit"
    );

    // A second run given the first one's windows starts where it stopped.
    let waits_before = limits.waits().len();
    let second = run(&world, &sim.base_url, &limits).await;
    assert_eq!(sim.state.throttled(), 0, "{:#?}", sim.state.request_log());
    assert!(limits.waits().len() > waits_before, "{:?}", limits.waits());
    assert_eq!(statuses(&second), expected);
    let elapsed_secs = clock.now_ms() / 1000 - start;
    assert!(
        elapsed_secs >= 60,
        "windows turned on the shared clock: {elapsed_secs} s"
    );
    sim.stop().await;
}

/// The cache file a run with `XDG_CACHE_HOME=home` writes.
fn cache_file(home: &std::path::Path) -> std::path::PathBuf {
    home.join("anypoint-doctor").join("rate-limits.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_leaves_its_windows_for_the_next_run_and_no_secret() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(anypoint_sim::generate::world(1, 2)).await;
    let cache = home.path().to_str().unwrap();
    let run = sim.run_with(&[("XDG_CACHE_HOME", cache)], &["check"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let text = std::fs::read_to_string(cache_file(home.path())).expect("the windows are kept");
    assert!(!text.contains(&sim.login.client_secret), "{text}");
    assert!(!text.contains("Bearer"), "{text}");
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    let key = format!("{} {}", sim.running.base_url, sim.login.client_id);
    let me = &file["apps"][&key]["/accounts/api/me"];
    assert_eq!(me["limit"], 400, "{text}");
    assert_eq!(me["remaining"], 399, "one request to /me: {text}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_waits_for_a_window_the_last_run_spent() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(anypoint_sim::generate::world(1, 2)).await;
    // The last run left /me's window spent, turning 1.5 s from now.
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let key = format!("{} {}", sim.running.base_url, sim.login.client_id);
    let spent = serde_json::json!({
        "version": 1,
        "apps": {key: {"/accounts/api/me": {
            "limit": 400, "remaining": 0, "reset": now_ms / 1000 + 2, "turns_at_ms": now_ms + 1500
        }}}
    });
    let file = cache_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, spent.to_string()).unwrap();
    let cache = home.path().to_str().unwrap();
    let run = sim.run_with(&[("XDG_CACHE_HOME", cache)], &["check"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains("Waited") && run.stderr.contains("/accounts/api/me"),
        "the wait is told: {run:#?}"
    );
    let timeline = sim.running.state.request_timeline();
    let at = |line: &str| {
        timeline
            .iter()
            .find(|l| l.line.starts_with(line))
            .unwrap_or_else(|| panic!("no {line}: {timeline:#?}"))
            .start
    };
    let waited = at("GET /accounts/api/me") - at("POST /accounts/api/v2/oauth2/token");
    assert!(
        waited >= Duration::from_millis(1000),
        "/me waited for its window: {waited:?}"
    );
    sim.stop().await;
}

/// A planted cache: /me's window spent and turning in 64.9 s, longer than any
/// window the platform's headers describe (§6). It is not taken, so the run
/// does not stall on it; on the unbounded cache the run waited 64.9 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_no_platform_window_could_produce_is_not_waited_on() {
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(anypoint_sim::generate::world(1, 1)).await;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let key = format!("{} {}", sim.running.base_url, sim.login.client_id);
    let planted = serde_json::json!({
        "version": 1,
        "apps": {key: {"/accounts/api/me": {
            "limit": 400, "remaining": 0, "reset": u64::MAX / 4, "turns_at_ms": now_ms + 64_900
        }}}
    });
    let file = cache_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, planted.to_string()).unwrap();
    let cache = home.path().to_str().unwrap();
    let run = sim.run_with(&[("XDG_CACHE_HOME", cache)], &["check"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(!run.stderr.contains("Waited"), "{run:#?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        !text.contains(&(u64::MAX / 4).to_string()),
        "the live window replaced the planted one: {text}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_cache_is_ignored_and_replaced() {
    let home = tempfile::tempdir().unwrap();
    let file = cache_file(home.path());
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{ not json").unwrap();
    let sim = Sim::start(anypoint_sim::generate::world(1, 1)).await;
    let cache = home.path().to_str().unwrap();
    let run = sim.run_with(&[("XDG_CACHE_HOME", cache)], &["check"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "{text}"
    );
    sim.stop().await;
}

/// `sim` says on Ctrl-C how many requests it answered and how many were over
/// its rate limit: what a benchmark reads to show that no run met the limit.
#[cfg(unix)]
#[test]
fn the_simulator_counts_the_answers_over_its_limit_when_stopped() {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut child = crate::support::bin::command(
        &[
            "sim",
            "--scenario",
            "generated-1x1",
            "--rate-limit",
            "1",
            "--port",
            "0",
        ],
        &[],
    )
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::piped())
    .spawn()
    .expect("the simulator starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut address = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(url) = line.strip_prefix("Listening on http://") {
            address = Some(url.split_whitespace().next().unwrap().to_string());
        }
        if line.starts_with("Serving until Ctrl-C") {
            break;
        }
    }
    let address = address.expect("the simulator printed its address");
    let statuses: Vec<String> = (0..2)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(&address).unwrap();
            stream
                .write_all(
                    b"GET /accounts/api/me HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n",
                )
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer.lines().next().unwrap_or_default().to_string()
        })
        .collect();
    assert!(statuses[1].contains(" 429 "), "{statuses:?}");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        rest.last().map(String::as_str),
        Some("Answered 2 requests; 1 refused for the rate (429, or 503 from Access Management)."),
        "{rest:?}"
    );
}

/// Issue 23, hole 11: a relative `XDG_CACHE_HOME` is ignored, as the XDG
/// Base Directory specification says; nothing is written into the folder
/// the run happens to be in, and the cache goes under `$HOME/.cache`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_xdg_cache_home_is_ignored() {
    let cwd = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let sim = Sim::start(anypoint_sim::generate::world(1, 2)).await;
    let home_path = home.path().to_str().unwrap();
    let mut command = crate::support::bin::command(
        &["check"],
        &[
            ("ANYPOINT_HOST", sim.running.base_url.as_str()),
            ("ANYPOINT_CLIENT_ID", sim.login.client_id.as_str()),
            ("ANYPOINT_CLIENT_SECRET", sim.login.client_secret.as_str()),
            ("XDG_CACHE_HOME", "relcache"),
            ("HOME", home_path),
        ],
    );
    command.current_dir(cwd.path());
    let run = crate::support::bin::finish(command).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        !cwd.path().join("relcache").exists(),
        "a relative XDG_CACHE_HOME was written into the current folder"
    );
    assert!(
        cache_file(&home.path().join(".cache")).exists(),
        "the windows go under $HOME/.cache instead"
    );
    sim.stop().await;
}

/// A scenario's throttling faults count with the limit's own refusals: the
/// simulator said "0 over the rate limit" after `rate-limited` sent 429s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_counts_the_throttling_its_scenarios_inject() {
    for scenario in ["rate-limited", "am-throttled"] {
        let sim = Sim::start(crate::support::sim::world(scenario)).await;
        let run = sim.run(&["check"]).await;
        assert!(run.code != 2, "{run:#?}");
        let throttled = sim.running.state.throttled();
        sim.stop().await;
        assert!(throttled >= 1, "{scenario}: {throttled}");
    }
}
