//! `check --org all` and `--org A,B`: the base checks once, a section per
//! business group, "What to fix" by group, each request sent once, no answer
//! throttled, and a name that matches no group refused before any group runs.

use serde_json::Value;

use crate::support::fs::assert_schema_valid;
use anypoint_sim::World;

use crate::support::sim::Sim;

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
    assert_schema_valid(&document["base"]);
    for group in groups {
        assert_schema_valid(group);
    }
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
