//! Benchmark: `check --org all` over a generated world (20 business groups ×
//! 5 environments by default) with 100 ms of latency per request and the
//! platform's per-path rate limit (400 a minute). Prints the wall time, the
//! requests, the throttled answers (the target is none), and the ratio to
//! the sweep's floor: six round trips (the token, `/me`, the hierarchy, the
//! environments, the API lists, the probes that need an API instance), as
//! few as requests that must follow one another allow; and, to show what the
//! cap on requests in flight costs, the same sweep with no cap.
//! Run: `cargo run --release --example bench_sweep [LATENCY_MS] [GROUPS] [ENVIRONMENTS]`.

// A benchmark prints its figures: that is its whole output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use anypoint_doctor::RunOptions;
use anypoint_doctor::diagnosis::sweep::sweep;
use anypoint_doctor::secret::registry::SecretRegistry;
use anypoint_doctor::settings::{OrgSweep, Settings};
use anypoint_sim::{ServeOptions, generate, start};

struct Measured {
    wall: Duration,
    requests: u64,
    throttled: u64,
    groups: usize,
    unchecked: usize,
}

async fn measure(
    latency_ms: u64,
    groups: usize,
    environments: usize,
    concurrency: Option<usize>,
) -> Measured {
    let mut world = generate::world(groups, environments);
    world.latency_ms = latency_ms;
    let login = world.login.clone();
    let sim = start(world, ServeOptions::default())
        .await
        .expect("the simulator starts");
    let base = reqwest::Url::parse(&sim.base_url).expect("a URL");
    let settings = Settings::client_credentials(base, &login.client_id, &login.client_secret);
    let options = RunOptions {
        concurrency,
        ..RunOptions::default()
    };
    let started = Instant::now();
    let mut unchecked = 0;
    let swept = sweep(
        settings,
        &OrgSweep::All,
        &options,
        &SecretRegistry::default(),
        &mut |_, _| {},
        &mut |report, _| unchecked += report.summary.error,
    )
    .await
    .expect("the sweep runs");
    let wall = started.elapsed();
    let measured = Measured {
        wall,
        requests: sim.state.requests(),
        throttled: sim.state.throttled(),
        groups: swept.groups,
        unchecked,
    };
    sim.stop().await;
    measured
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let latency_ms = args.next().flatten().unwrap_or(100) as u64;
    let groups = args.next().flatten().unwrap_or(20);
    let environments = args.next().flatten().unwrap_or(5);
    let defaults = RunOptions::default();
    let run = measure(latency_ms, groups, environments, defaults.concurrency).await;
    let uncapped = measure(latency_ms, groups, environments, Some(100_000)).await;
    let ratio = run.wall.as_secs_f64() / uncapped.wall.as_secs_f64();
    let round_trips = 6.0 * latency_ms as f64 / 1000.0;
    println!(
        "sweep against the simulator: {groups} business groups × {environments} environments, {latency_ms} ms per request"
    );
    println!("  business groups checked      {:>8}", run.groups);
    println!(
        "  wall time                    {:>8.2} s",
        run.wall.as_secs_f64()
    );
    println!("  floor (six round trips)      {round_trips:>8.2} s");
    println!(
        "  sweep / floor                {:>8.2}   (target ≤ 1.5)",
        run.wall.as_secs_f64() / round_trips
    );
    println!(
        "  no cap in flight             {:>8.2} s   (sweep / it: {ratio:.2})",
        uncapped.wall.as_secs_f64()
    );
    println!("  HTTP requests                {:>8}", run.requests);
    println!(
        "  throttled answers (429)      {:>8}   (target 0)",
        run.throttled
    );
    println!("  results that could not check {:>8}", run.unchecked);
}
