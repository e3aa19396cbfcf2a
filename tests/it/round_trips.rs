//! The shape of a full check, read from the simulator's request timeline:
//! which requests go out together (a wave) and which wait for another's
//! answer. It proves the structure, not the speed: the simulator's latency
//! only makes a wave's requests overlap clearly, whatever the machine's load.

use std::collections::HashMap;
use std::path::Path;

use anypoint_doctor::RunOptions;

use crate::support::sim::{Logged, diagnose_world, load};

/// Long beside the time a check takes to start on a loaded machine, so a
/// request that comes after another's answer truly waited for it.
const LATENCY_MS: u64 = 250;

/// The wave of each request: 1 for one that came before any answer, else one
/// more than the latest wave among the requests answered before it came.
fn waves(timeline: &[Logged]) -> Vec<usize> {
    let mut waves: Vec<usize> = Vec::with_capacity(timeline.len());
    for request in timeline {
        let after = timeline
            .iter()
            .zip(&waves)
            .filter(|(earlier, _)| earlier.end.is_some_and(|end| end <= request.start))
            .map(|(_, wave)| *wave)
            .max()
            .unwrap_or(0);
        waves.push(after + 1);
    }
    waves
}

#[tokio::test]
async fn a_full_check_goes_out_in_five_waves_each_request_once() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench-world.toml");
    let mut world = load::from_file(&file).expect("the benchmark world loads");
    world.latency_ms = LATENCY_MS;
    let run = diagnose_world(&world, &RunOptions::default(), |_| {}).await;
    assert_eq!(
        run.report.summary.fail + run.report.summary.error,
        0,
        "the benchmark world is healthy"
    );

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for line in &run.log {
        *seen.entry(line.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "requests sent twice: {twice:?}");

    let waves = waves(&run.timeline);
    let wave_of = |line: &str| {
        let at = run
            .timeline
            .iter()
            .position(|l| l.line.ends_with(line) || l.line == line)
            .unwrap_or_else(|| panic!("no request {line} in {:#?}", run.log));
        waves[at]
    };
    let shown: Vec<String> = run
        .timeline
        .iter()
        .zip(&waves)
        .map(|(l, w)| format!("{w} {}", l.line))
        .collect();

    // The token goes out alongside the network check's GET /, not after it.
    assert_eq!(wave_of("GET /"), 1, "{shown:#?}");
    assert_eq!(
        wave_of("POST /accounts/api/v2/oauth2/token"),
        1,
        "{shown:#?}"
    );
    assert_eq!(wave_of("GET /accounts/api/me"), 2, "{shown:#?}");
    // The org, its hierarchy and its environments: one round trip.
    let root = "/accounts/api/organizations/b0000000-0000-4000-8000-000000000001";
    assert_eq!(wave_of(&format!("GET {root}")), 3, "{shown:#?}");
    assert_eq!(wave_of(&format!("GET {root}/hierarchy")), 3, "{shown:#?}");
    assert_eq!(
        wave_of(&format!("GET {root}/environments")),
        3,
        "{shown:#?}"
    );
    // Every environment's work in one wave (no cap splits it), the retired
    // path included: it needs only the environment ids.
    for (line, wave) in run.timeline.iter().zip(&waves) {
        let per_environment = line.line.contains("/environments/e");
        let needs_an_api = line.line.contains("/contracts");
        if per_environment && !needs_an_api {
            assert_eq!(*wave, 4, "{}: {shown:#?}", line.line);
        }
        // A contract names an API instance: only the environment's list says which.
        if needs_an_api {
            assert_eq!(*wave, 5, "{}: {shown:#?}", line.line);
        }
    }
    assert_eq!(waves.iter().max(), Some(&5), "{shown:#?}");
}
