//! Reason codes in the JSON report, end to end against the simulator: a
//! missing scope says `scope.missing`, a probe that proves nothing
//! `scope.inconclusive`, and every outcome carries a code the schema knows.

use std::time::Duration;

use anypoint_doctor::report::json;
use anypoint_doctor::settings::Settings;
use anypoint_doctor::{RunOptions, diagnose};
use anypoint_sim::ServeOptions;
use anypoint_sim::scenarios;
use serde_json::Value;
use url::Url;

/// The JSON report of a default run, as the scenario's Connected App, as rendered.
async fn json_report(scenario: &str) -> String {
    let world = scenarios::find(scenario)
        .expect("the scenario exists")
        .world()
        .resolve()
        .expect("the scenario resolves");
    let running = anypoint_sim::start(world.clone(), ServeOptions::default())
        .await
        .expect("the simulator starts");
    let base = Url::parse(&running.base_url).expect("the simulator's URL parses");
    let login = &world.login;
    let settings = Settings::client_credentials(base, &login.client_id, &login.client_secret);
    let report = tokio::time::timeout(
        Duration::from_secs(20),
        diagnose(settings, &RunOptions::default()),
    )
    .await
    .expect("the run finishes in time");
    running.stop().await;
    let report = report.expect("the run completes");
    json::render(&report)
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
    let text = json_report("missing-manage-scopes").await;
    let report: Value = serde_json::from_str(&text).expect("the report is JSON");
    assert_eq!(
        code(&report, "scope.manage-client-applications", "Example Corp"),
        "scope.missing"
    );
    // Design lists no API instance to aim the contract probe at.
    assert_eq!(
        code(&report, "scope.manage-contracts", "Design"),
        "scope.inconclusive"
    );
    assert_eq!(
        code(&report, "scope.manage-contracts", "Sandbox"),
        "scope.missing"
    );

    let schema: Value =
        serde_json::from_str(include_str!("../schema/report.schema.json")).expect("the schema");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    assert!(validator.is_valid(&report), "the report fits the schema");
    // Every outcome has its code, on the line right after its status.
    let lines: Vec<&str> = text.lines().collect();
    let after_status = lines
        .windows(2)
        .filter(|w| w[0].contains("\"status\": ") && w[1].contains("\"code\": "))
        .count();
    let outcomes = report["checks"].as_array().expect("checks").len();
    assert_eq!(after_status, outcomes, "{text}");
}
