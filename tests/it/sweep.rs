//! `check --org all` and `--org A,B`: the base checks once, a section per
//! business group, "What to fix" by group, each request sent once, no answer
//! throttled, and a name that matches no group refused before any group runs;
//! output that grows with the groups, not their square, each group swept once
//! however often the hierarchy lists it, the deadline bounding the whole
//! sweep, as many requests in flight as the platform's stated rate limit
//! allows, and a secret in a group's name stopping the streamed output and
//! the report file alike.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::fs::{assert_sweep_valid, read, temp_dir};
use anypoint_sim::World;
use anypoint_sim::world::Org;

use crate::support::sim::{Logged, Sim};

/// A root organization and three business groups, three environments each.
fn four_groups() -> World {
    anypoint_sim::generate::world(4, 3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_checks_every_business_group_once_each() {
    let sim = Sim::start(four_groups()).await;
    let run = sim.run(&["check", "--org", "all"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let sections = run.stdout.matches("\n── ").count();
    assert_eq!(
        sections, 4,
        "one section per business group:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("· 4 business group(s)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("All business groups: "),
        "{}",
        run.stdout
    );
    // The base checks run once, before the groups.
    assert_eq!(
        run.stdout.matches("✓ net, auth, org").count(),
        1,
        "{}",
        run.stdout
    );
    let state = &sim.running.state;
    assert_eq!(state.throttled(), 0, "no answer throttled");
    let log = state.request_log();
    let mut seen = std::collections::HashSet::new();
    let twice: Vec<&String> = log
        .iter()
        .filter(|line| line.starts_with("POST") && !seen.insert(line.as_str()))
        .collect();
    assert!(twice.is_empty(), "a write probe sent twice: {twice:?}");
    let tokens = log.iter().filter(|l| l.contains("/oauth2/token")).count();
    assert_eq!(tokens, 1, "one token for the whole sweep: {log:#?}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_in_json_holds_a_valid_report_per_group() {
    let sim = Sim::start(four_groups()).await;
    let run = sim
        .run(&["check", "--org", "Group 001, Group 003", "--format", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let document: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let groups = document["business_groups"].as_array().expect("groups");
    let names: Vec<&str> = groups
        .iter()
        .map(|g| g["target"]["org_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Group 001", "Group 003"]);
    assert_sweep_valid(&document);
    assert_eq!(document["not_checked"], serde_json::json!([]));
    let counted: u64 = groups
        .iter()
        .chain(std::iter::once(&document["base"]))
        .map(|r| r["summary"]["pass"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(document["summary"]["pass"].as_u64(), Some(counted));
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_no_group_has_is_refused_naming_the_setting() {
    let sim = Sim::start(four_groups()).await;
    let run = sim.run(&["check", "--org", "Group 001,Group 9"]).await;
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(
        run.stderr
            .contains("\"Group 9\" from --org matches no organization")
            && run.stderr.contains("\"Group 001\""),
        "{}",
        run.stderr
    );
    sim.stop().await;
}

/// A generated world of `groups` × `environments` without its rate limit.
fn generated(groups: usize, environments: usize) -> World {
    let mut world = anypoint_sim::generate::world(groups, environments);
    world.rate_limit_per_minute = None;
    world
}

/// Every organization in the tree named 200 characters longer: a name listed
/// once per group would show in the output's size at once.
fn lengthen_names(org: &mut Org) {
    org.name.push_str(&format!(" {}", "n".repeat(200)));
    org.business_groups.iter_mut().for_each(lengthen_names);
}

/// The JSON of a sweep of `org.structure` over `groups` long-named groups.
async fn structure_sweep(groups: usize) -> Value {
    let mut world = generated(groups, 1);
    lengthen_names(&mut world.root);
    let sim = Sim::start(world).await;
    let run = sim
        .run(&[
            "check",
            "--org",
            "all",
            "--select",
            "org.structure",
            "--format",
            "json",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    sim.stop().await;
    serde_json::from_str(&run.stdout).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweeps_output_grows_with_the_business_groups_not_their_square() {
    let small = structure_sweep(100).await;
    let large = structure_sweep(200).await;
    let bytes = |document: &Value| document.to_string().len();
    let ratio = bytes(&large) as f64 / bytes(&small) as f64;
    assert!(
        ratio < 2.25,
        "{} bytes for 100 groups, {} for 200: ×{ratio:.2}",
        bytes(&small),
        bytes(&large)
    );
    // The groups are listed once, by the base checks; a group's report names its own.
    let base = large["base"].to_string();
    let groups = large["business_groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 200);
    assert!(base.contains("Group 150") && base.contains("Group 199"));
    let group = groups[150].to_string();
    assert!(
        group.contains("Group 150") && !group.contains("Group 151"),
        "{group}"
    );
    assert_sweep_valid(&large);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_group_the_hierarchy_lists_many_times_is_swept_once() {
    let mut world = generated(2, 2);
    let group = world.root.business_groups[0].clone();
    world.root.business_groups = vec![group; 3000];
    let sim = Sim::start(world).await;
    let run = sim
        .run(&["check", "--org", "all", "--format", "json"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let document: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_sweep_valid(&document);
    let names: Vec<&str> = document["business_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["target"]["org_name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Generated Corp", "Group 001"]);
    let structure = document["base"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "org.structure")
        .expect("org.structure");
    let summary = structure["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("1 business group: Group 001 (the hierarchy lists 2999 more entries with an id already listed: each id counts once)"),
        "{summary}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_bounds_the_whole_sweep_and_names_the_groups_not_checked() {
    // 300 groups, 500 ms a request: some twenty seconds of sweep.
    let mut world = generated(300, 2);
    world.latency_ms = 500;
    let sim = Sim::start(world).await;
    let file = temp_dir("sweep-deadline").join("sweep.json");
    let file_arg = file.to_str().expect("a UTF-8 path");
    let deadline = 2;
    let began = Instant::now();
    let run = sim
        .run(&[
            "check",
            "--org",
            "all",
            "--deadline",
            &deadline.to_string(),
            "--report",
            file_arg,
        ])
        .await;
    let took = began.elapsed();
    sim.stop().await;
    assert_eq!(run.code, 3, "could not check every group: {run:#?}");
    assert!(
        took < Duration::from_secs(deadline + 5),
        "took {took:?} against --deadline {deadline}"
    );
    let document: Value = serde_json::from_str(&read(&file)).expect("JSON");
    assert_sweep_valid(&document);
    let ids = |key: &str, id: &dyn Fn(&Value) -> &Value| -> Vec<String> {
        document[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|g| id(g).as_str().unwrap_or_default().to_string())
            .collect()
    };
    let unbegun = ids("not_checked", &|g| &g["org_id"]);
    assert!(!unbegun.is_empty(), "{run:#?}");
    let mut every = ids("business_groups", &|g| &g["target"]["org_id"]);
    every.extend(unbegun.iter().cloned());
    let named = every.len();
    every.sort();
    every.dedup();
    assert_eq!(
        (named, every.len()),
        (300, 300),
        "each group checked or named, once"
    );
    let line = format!(
        "Not checked: {} business group(s), the run's deadline ({deadline} s) passed before they began: ",
        unbegun.len()
    );
    assert!(run.stdout.contains(&line), "{}", run.stdout);
    assert!(
        run.stdout.contains("(--format json lists every one)"),
        "{}",
        run.stdout
    );
}

/// The most requests the simulator was answering at once.
fn most_at_once(timeline: &[Logged]) -> usize {
    let mut changes: Vec<(Duration, isize)> = Vec::new();
    for request in timeline {
        changes.push((request.start, 1));
        if let Some(end) = request.end {
            changes.push((end, -1));
        }
    }
    // An answer that left as another request came makes room first.
    changes.sort();
    let mut now: isize = 0;
    let mut most: isize = 0;
    for (_, change) in changes {
        now += change;
        most = most.max(now);
    }
    most as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requests_in_flight_follow_the_rate_limit_the_platform_states() {
    // 10 groups × 5 environments: some 130 requests, most of them in one
    // wave, none to one endpoint more than a window of 100 allows.
    let mut world = generated(10, 5);
    world.rate_limit_per_minute = Some(100);
    world.latency_ms = 500;
    let sim = Sim::start(world).await;
    let run = sim.run(&["check", "--org", "all"]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let state = &sim.running.state;
    assert_eq!(state.throttled(), 0, "no answer throttled");
    let most = most_at_once(&state.request_timeline());
    assert!(
        (65..=100).contains(&most),
        "{most} requests at once: more than the 64 of a fixed cap, no more than X-RateLimit-Limit (100)"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_named_with_the_secret_stops_the_sweep_and_its_report_in_every_format() {
    let mut world = generated(3, 1);
    let secret = world.login.client_secret.clone();
    world.root.business_groups[0].name = format!("team {secret}");
    let sim = Sim::start(world).await;
    let folder = temp_dir("sweep-secret");
    for (format, file) in [
        ("table", "sweep.json"),
        ("json", "sweep.md"),
        ("markdown", "sweep.xml"),
        ("junit", "sweep.json"),
    ] {
        let file = folder.join(file);
        let file_arg = file.to_str().expect("a UTF-8 path");
        let run = sim
            .run(&[
                "check", "--org", "all", "--format", format, "--report", file_arg,
            ])
            .await;
        assert_eq!(run.code, 2, "{format}: {run:#?}");
        assert!(run.stdout.is_empty(), "{format}: {run:#?}");
        assert!(run.stderr.contains("client secret"), "{format}: {run:#?}");
        assert!(!file.exists(), "{format}: the report was written");
    }
    sim.stop().await;
}
