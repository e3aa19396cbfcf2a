//! Reason codes in the JSON report, end to end against the simulator: a
//! missing scope says `scope.missing`, a probe that proves nothing
//! `scope.inconclusive`, and every outcome carries a code the schema knows.

use anypoint_doctor::RunOptions;
use anypoint_doctor::report::json;
use serde_json::Value;

use anypoint_sim::scenarios;
use anypoint_sim::world::World;

use crate::support::fs::assert_schema_valid;
use crate::support::sim::{diagnose_world, world};

/// The JSON report of a default run, as the world's Connected App, as rendered.
async fn json_report(world: &World) -> String {
    let run = diagnose_world(world, &RunOptions::default(), |_| {}).await;
    json::render(&run.report)
}

/// The code of the one outcome of `id` for `target`.
fn code<'a>(report: &'a Value, id: &str, target: &str) -> &'a str {
    let found: Vec<&Value> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|o| o["id"] == id && o["target"] == target)
        .collect();
    assert_eq!(found.len(), 1, "one {id} outcome for {target}");
    found[0]["code"].as_str().expect("a code")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_and_an_inconclusive_probe_have_their_codes() {
    let mut world = world("missing-manage-scopes");
    // Production lists no API instance to aim the contract probe at.
    world.apis.retain(|api| api.env != scenarios::PRODUCTION);
    let text = json_report(&world).await;
    let report: Value = serde_json::from_str(&text).expect("the report is JSON");
    assert_eq!(
        code(&report, "scope.manage-client-applications", "Example Corp"),
        "scope.missing"
    );
    assert_eq!(
        code(&report, "scope.manage-contracts", "Production"),
        "scope.inconclusive"
    );
    assert_eq!(
        code(&report, "scope.manage-contracts", "Sandbox"),
        "scope.missing"
    );

    assert_schema_valid(&report);
    // Every outcome has its code, on the line right after its status.
    let lines: Vec<&str> = text.lines().collect();
    let after_status = lines
        .windows(2)
        .filter(|w| w[0].contains("\"status\": ") && w[1].contains("\"code\": "))
        .count();
    let outcomes = report["checks"].as_array().expect("checks").len();
    assert_eq!(after_status, outcomes, "{text}");
}
