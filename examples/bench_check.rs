//! Benchmark: a full `check` against the simulator, served over https (HTTP/2
//! offered by ALPN) and over plain http, with 10 environments and a fixed
//! latency per request. Prints, per latency and setup, the wall time and its
//! ratio to the four-round-trip floor (token, `/me`, environments, the
//! per-environment work) and to the setup's own floor, the requests, the
//! requests sent twice, and the connections and TLS handshakes the simulator
//! accepted; `--timeline` adds each request's start and end as the simulator
//! logged them. Run: `cargo run --release --example bench_check [--timeline]
//! [LATENCY_MS…]` (100 and 300 by default).

// A benchmark prints its figures: that is its whole output.
#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anypoint_doctor::settings::{CaFile, Settings, Source, Sourced};
use anypoint_doctor::{RunOptions, diagnose};
use anypoint_sim::state::Logged;
use anypoint_sim::{ServeOptions, load, start};

/// The round trips the issue counts as the floor: token, `/me` (the org
/// id), the environments, then everything per environment.
const FLOOR_ROUND_TRIPS: u64 = 4;

/// One way of running the check.
struct Setup {
    name: &'static str,
    tls: bool,
    /// `--org` (`ANYPOINT_ORG`) as the root org's id: read beside `/me`.
    org_by_id: bool,
    /// The requests that must follow one another in this setup. With the
    /// org given by id, its environments are read beside `/me`: token →
    /// `/me` and the environments → per environment → the contract probe,
    /// which needs an API instance the environment's list gives (reference
    /// §11.9: a probe of an instance that does not exist proves nothing).
    /// Without it, `/me` must answer before the environments can be asked for: five.
    round_trips: u64,
}

const SETUPS: [Setup; 3] = [
    Setup {
        name: "https (h2), ANYPOINT_ORG set to the org's id",
        tls: true,
        org_by_id: true,
        round_trips: 4,
    },
    Setup {
        name: "https (h2), no org given",
        tls: true,
        org_by_id: false,
        round_trips: 5,
    },
    Setup {
        name: "http/1.1, no org given",
        tls: false,
        org_by_id: false,
        round_trips: 5,
    },
];

struct Measured {
    wall: Duration,
    timeline: Vec<Logged>,
    duplicates: Vec<String>,
    failed: usize,
    connections: u64,
    handshakes: u64,
}

async fn measure(latency_ms: u64, setup: &Setup) -> Measured {
    let tls = setup.tls;
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench-world.toml");
    let mut world = load::from_file(&file).expect("the benchmark world loads");
    world.latency_ms = latency_ms;
    let login = world.login.clone();
    let root_id = world.root.id.clone();
    let folder = tempfile::tempdir().expect("a temporary folder");
    let options = ServeOptions {
        tls_cert_file: tls.then(|| folder.path().join("sim.pem")),
        ..ServeOptions::default()
    };
    let sim = start(world, options).await.expect("the simulator starts");
    let base = reqwest::Url::parse(&sim.base_url).expect("a URL");
    let mut settings = Settings::client_credentials(base, &login.client_id, &login.client_secret);
    if let Some(cert) = &sim.cert_file {
        settings.ca_file = Some(Sourced {
            value: CaFile::read(cert, "--ca-file").expect("the certificate reads"),
            source: Source::Default,
        });
    }
    if setup.org_by_id {
        settings.org = Some(Sourced {
            value: root_id,
            source: Source::Env("ANYPOINT_ORG"),
        });
    }
    let started = Instant::now();
    let report = diagnose(settings, &RunOptions::default())
        .await
        .expect("the check runs");
    let wall = started.elapsed();
    let timeline = sim.state.request_timeline();
    let (connections, handshakes) = (sim.state.connections(), sim.state.handshakes());
    sim.stop().await;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for logged in &timeline {
        *seen.entry(logged.line.as_str()).or_default() += 1;
    }
    let duplicates = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(l, n)| format!("{n}× {l}"))
        .collect();
    Measured {
        wall,
        duplicates,
        failed: report.summary.fail + report.summary.error,
        connections,
        handshakes,
        timeline,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_timeline(timeline: &[Logged]) {
    let zero = timeline.first().map(|l| l.start).unwrap_or_default();
    for logged in timeline {
        let end = logged
            .end
            .map(|e| format!("{:>6.0}", ms(e - zero)))
            .unwrap_or_else(|| "     -".into());
        println!(
            "    {:>6.0} {end} ms  {} {}",
            ms(logged.start - zero),
            logged.version,
            logged.line
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let timeline = args.iter().any(|a| a == "--timeline");
    let mut latencies: Vec<u64> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if latencies.is_empty() {
        latencies = vec![100, 300];
    }
    for latency_ms in latencies {
        let floor = Duration::from_millis(latency_ms * FLOOR_ROUND_TRIPS);
        println!("check against the simulator: {latency_ms} ms per request, 10 environments");
        println!(
            "  floor ({FLOOR_ROUND_TRIPS} round trips)         {:>8.0} ms",
            ms(floor)
        );
        for setup in &SETUPS {
            let run = measure(latency_ms, setup).await;
            let own_floor = Duration::from_millis(latency_ms * setup.round_trips);
            println!("  over {}", setup.name);
            println!(
                "    wall time                {:>8.0} ms   check / floor = {:.2}   / its own {}-round-trip floor = {:.2}",
                ms(run.wall),
                run.wall.as_secs_f64() / floor.as_secs_f64(),
                setup.round_trips,
                run.wall.as_secs_f64() / own_floor.as_secs_f64()
            );
            println!("    HTTP requests            {:>8}", run.timeline.len());
            println!(
                "    requests sent twice      {:>8}{}",
                run.duplicates.len(),
                if run.duplicates.is_empty() {
                    String::new()
                } else {
                    format!(": {}", run.duplicates.join(", "))
                }
            );
            println!(
                "    connections, handshakes  {:>8}, {}",
                run.connections, run.handshakes
            );
            println!("    failed or unchecked      {:>8}", run.failed);
            if timeline {
                println!("    timeline (start, end, request):");
                print_timeline(&run.timeline);
            }
        }
    }
}
