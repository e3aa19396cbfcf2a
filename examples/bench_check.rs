//! Benchmark: a full `check` against the simulator with 100 ms of latency per
//! request and 10 environments. Prints the wall time, the requests sent, and
//! the ratios to the critical path (the same run with no cap on requests in
//! flight, where only the chain of requests that must happen one after
//! another limits it) and to sending the same requests one at a time.
//! Run: `cargo run --release --example bench_check [LATENCY_MS]`.

// A benchmark prints its figures: that is its whole output.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anypoint_doctor::settings::Settings;
use anypoint_doctor::{RunOptions, diagnose};
use anypoint_sim::{ServeOptions, load, start};

struct Measured {
    wall: Duration,
    requests: usize,
    duplicates: Vec<String>,
    failed: usize,
}

async fn measure(latency_ms: u64, concurrency: usize) -> Measured {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench-world.toml");
    let mut world = load::from_file(&file).expect("the benchmark world loads");
    world.latency_ms = latency_ms;
    let login = world.login.clone();
    let sim = start(world, ServeOptions::default())
        .await
        .expect("the simulator starts");
    let base = reqwest::Url::parse(&sim.base_url).expect("a URL");
    let settings = Settings::client_credentials(base, &login.client_id, &login.client_secret);
    let plan = RunOptions {
        concurrency,
        ..RunOptions::default()
    };
    let started = Instant::now();
    let report = diagnose(settings, &plan).await.expect("the check runs");
    let wall = started.elapsed();
    let log = sim.state.request_log();
    sim.stop().await;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for line in &log {
        *seen.entry(line.as_str()).or_default() += 1;
    }
    Measured {
        wall,
        requests: log.len(),
        duplicates: seen
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(l, n)| format!("{n}× {l}"))
            .collect(),
        failed: report.summary.fail + report.summary.error,
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let latency_ms: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let default_concurrency = RunOptions::default().concurrency;
    let run = measure(latency_ms, default_concurrency).await;
    let critical = measure(latency_ms, 10_000).await;
    let sequential = Duration::from_millis(latency_ms * run.requests as u64);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("check against the simulator: {latency_ms} ms per request, 10 environments");
    println!(
        "  wall time ({default_concurrency} in flight)      {:>8.0} ms",
        run.wall.as_secs_f64() * 1000.0
    );
    println!("  HTTP requests                {:>8}", run.requests);
    println!(
        "  critical path (no cap)       {:>8.0} ms   wall / critical path = {:.2}",
        critical.wall.as_secs_f64() * 1000.0,
        ratio(run.wall, critical.wall)
    );
    println!(
        "  one at a time                {:>8.0} ms   wall / one at a time = {:.2}",
        sequential.as_secs_f64() * 1000.0,
        ratio(run.wall, sequential)
    );
    println!(
        "  critical path in requests    {:>8.1}",
        critical.wall.as_secs_f64() * 1000.0 / latency_ms as f64
    );
    println!(
        "  requests sent twice          {:>8}{}",
        run.duplicates.len(),
        if run.duplicates.is_empty() {
            String::new()
        } else {
            format!(": {}", run.duplicates.join(", "))
        }
    );
    println!("  failed or unchecked results  {:>8}", run.failed);
}
