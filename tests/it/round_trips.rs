//! The shape of a full check, read from the simulator's request timeline:
//! which requests go out together (a wave) and which wait for another's
//! answer. It proves the structure, not the speed: the simulator's latency
//! only makes a wave's requests overlap clearly, whatever the machine's load.

use std::collections::HashMap;
use std::path::Path;

use anypoint_doctor::RunOptions;
use anypoint_doctor::settings::{Settings, Source, Sourced};

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

/// A full check of the benchmark world (each request sent once, no
/// failure), with each request's wave, and the timeline as `wave request` lines.
struct Shape {
    timeline: Vec<Logged>,
    waves: Vec<usize>,
    shown: Vec<String>,
}

impl Shape {
    async fn of(adjust: impl FnOnce(&mut Settings)) -> Shape {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bench-world.toml");
        let mut world = load::from_file(&file).expect("the benchmark world loads");
        world.latency_ms = LATENCY_MS;
        let run = diagnose_world(&world, &RunOptions::default(), adjust).await;
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
        let shown = run
            .timeline
            .iter()
            .zip(&waves)
            .map(|(l, w)| format!("{w} {}", l.line))
            .collect();
        Shape {
            timeline: run.timeline,
            waves,
            shown,
        }
    }

    #[track_caller]
    fn wave_of(&self, line: &str) -> usize {
        let at = self
            .timeline
            .iter()
            .position(|l| l.line.ends_with(line) || l.line == line)
            .unwrap_or_else(|| panic!("no request {line} in {:#?}", self.shown));
        self.waves[at]
    }

    /// Every environment's reads in wave `reads` (no cap splits them, the
    /// retired path included: it needs only the environment ids), and the
    /// contract probes, which name an API instance only the environment's
    /// list gives, in the wave after: the last one.
    #[track_caller]
    fn per_environment_in(&self, reads: usize) {
        for (line, wave) in self.timeline.iter().zip(&self.waves) {
            let per_environment = line.line.contains("/environments/e");
            let needs_an_api = line.line.contains("/contracts");
            if per_environment && !needs_an_api && line.line.starts_with("GET") {
                assert_eq!(*wave, reads, "{}: {:#?}", line.line, self.shown);
            }
            if needs_an_api {
                assert_eq!(*wave, reads + 1, "{}: {:#?}", line.line, self.shown);
            }
        }
        assert_eq!(
            self.waves.iter().max(),
            Some(&(reads + 1)),
            "{:#?}",
            self.shown
        );
    }
}

const ROOT: &str = "/accounts/api/organizations/b0000000-0000-4000-8000-000000000001";

#[tokio::test]
async fn a_full_check_goes_out_in_five_waves_each_request_once() {
    let shape = Shape::of(|_| {}).await;
    // The token goes out alongside the network check's GET /, not after it.
    assert_eq!(shape.wave_of("GET /"), 1, "{:#?}", shape.shown);
    assert_eq!(shape.wave_of("POST /accounts/api/v2/oauth2/token"), 1);
    assert_eq!(shape.wave_of("GET /accounts/api/me"), 2);
    // The org, its hierarchy and its environments: one round trip.
    assert_eq!(shape.wave_of(&format!("GET {ROOT}")), 3);
    assert_eq!(shape.wave_of(&format!("GET {ROOT}/hierarchy")), 3);
    assert_eq!(shape.wave_of(&format!("GET {ROOT}/environments")), 3);
    shape.per_environment_in(4);
    // The write probes go with the reads: the granted scopes (which would
    // make them unneeded) were asked for beside the environments.
    for (line, wave) in shape.timeline.iter().zip(&shape.waves) {
        if line.line.starts_with("POST") && line.line.ends_with("/apis") {
            assert_eq!(*wave, 4, "{}: {:#?}", line.line, shape.shown);
        }
    }
}

#[tokio::test]
async fn with_the_org_given_by_id_a_check_goes_out_in_four_waves() {
    let id = ROOT.rsplit('/').next().unwrap().to_string();
    let shape = Shape::of(|settings| {
        settings.org = Some(Sourced {
            value: id,
            source: Source::Env("ANYPOINT_ORG"),
        });
    })
    .await;
    assert_eq!(shape.wave_of("POST /accounts/api/v2/oauth2/token"), 1);
    // The org named by id is read beside /me, not after it.
    assert_eq!(
        shape.wave_of("GET /accounts/api/me"),
        2,
        "{:#?}",
        shape.shown
    );
    assert_eq!(shape.wave_of(&format!("GET {ROOT}")), 2);
    assert_eq!(shape.wave_of(&format!("GET {ROOT}/hierarchy")), 2);
    assert_eq!(shape.wave_of(&format!("GET {ROOT}/environments")), 2);
    // Reads in wave 3, beside the granted scopes; the write probes wait for
    // those (an exact answer makes them unneeded) and go with the contract
    // probes, in the fourth and last wave.
    shape.per_environment_in(3);
}
