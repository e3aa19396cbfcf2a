//! Every command that prints data prints JSON with `--format json`, and that
//! JSON matches its schema in `schema/`: list, list --capabilities, explain
//! (a check, a capability, a scan rule), sim --list-scenarios, apps, apis,
//! create app, create contract (and their dry runs), fix and scan (in
//! scan.rs). Each schema refuses a field it does not know, so a change to
//! the output is a change to the schema.

use serde_json::json;

use crate::support::bin::doctor;
use crate::support::fs::{assert_matches, validator};
use crate::support::sim::{Sim, world};

#[test]
fn the_catalogue_commands_match_their_schemas() {
    let json = ["--format", "json"];
    let run = |args: &[&str]| {
        let run = doctor(&[args, &json].concat(), &[]);
        assert_eq!(run.code, 0, "{run:#?}");
        run.stdout
    };
    assert_matches("checks.schema.json", &run(&["list"]));
    assert_matches(
        "capabilities.schema.json",
        &run(&["list", "--capabilities"]),
    );
    assert_matches("scenarios.schema.json", &run(&["sim", "--list-scenarios"]));
    for (id, kind) in [
        ("scope.manage-contracts", "check"),
        ("auth.token", "check"),
        ("create-contract", "capability"),
        ("read-org", "capability"),
        ("scan.exchange-v1-apis", "scan-rule"),
    ] {
        let explained = assert_matches("explain.schema.json", &run(&["explain", id]));
        assert_eq!(explained["kind"], kind, "{id}");
        assert_eq!(explained["id"], id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_commands_match_their_schemas() {
    let sim = Sim::start(world("healthy")).await;
    let json = ["--format", "json"];
    let run = async |args: &[&str], code: i32| {
        let run = sim.run(&[args, &json].concat()).await;
        assert_eq!(run.code, code, "{run:#?}");
        run.stdout
    };
    let apps = assert_matches("apps.schema.json", &run(&["apps"], 0).await);
    assert!(!apps.as_array().unwrap().is_empty());
    let apis = assert_matches("apis.schema.json", &run(&["apis"], 0).await);
    let api = apis[0]["api"]["id"].as_u64().unwrap().to_string();
    let environment = apis[0]["environment"].as_str().unwrap().to_string();
    // A dry run prints the write it would send, as JSON, and sends nothing.
    let dry = assert_matches(
        "dry-run.schema.json",
        &run(&["create", "app", "--name", "schema-app", "--dry-run"], 0).await,
    );
    assert_eq!(dry["body"]["name"], "schema-app");
    assert_matches(
        "created-app.schema.json",
        &run(&["create", "app", "--name", "schema-app"], 0).await,
    );
    let contract = &[
        "create",
        "contract",
        "--app",
        "schema-app",
        "--api",
        &api,
        "--env",
        &environment,
    ];
    let dry_contract = [&contract[..], &["--dry-run"]].concat();
    let dry = assert_matches("dry-run.schema.json", &run(&dry_contract, 0).await);
    assert_eq!(dry["method"], "POST");
    let created = assert_matches("contract.schema.json", &run(contract, 0).await);
    assert_eq!(created["result"], "created");
    let again = assert_matches("contract.schema.json", &run(contract, 0).await);
    assert_eq!(again["result"], "already exists");
    let plan = assert_matches("fix.schema.json", &run(&["fix"], 0).await);
    assert_eq!(plan["schema_version"], 1);
    sim.stop().await;
}

#[test]
fn the_schemas_refuse_a_field_they_do_not_know() {
    let listed = json!([{"name": "healthy", "description": "d", "extra": 1}]);
    assert!(!validator("scenarios.schema.json").is_valid(&listed));
    let explained = json!({"kind": "capability", "id": "x"});
    assert!(!validator("explain.schema.json").is_valid(&explained));
}

/// The promise above, kept by every schema: each object it describes
/// refuses a field it does not know (an output that grows a field fails the
/// schema test until the schema says what it is).
#[test]
fn every_object_in_every_schema_refuses_fields_it_does_not_know() {
    fn open_objects(node: &serde_json::Value, at: &str, into: &mut Vec<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if map.contains_key("properties")
                    && map.get("additionalProperties") != Some(&json!(false))
                {
                    into.push(at.to_string());
                }
                for (key, value) in map {
                    open_objects(value, &format!("{at}/{key}"), into);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    open_objects(value, &format!("{at}/{i}"), into);
                }
            }
            _ => {}
        }
    }
    let folder = std::path::Path::new(crate::support::fs::ROOT).join("schema");
    let mut open = Vec::new();
    let mut schemas = 0;
    for entry in std::fs::read_dir(&folder).expect("schema/") {
        let path = entry.expect("an entry").path();
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("reads")).expect("JSON");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        open_objects(&schema, &name, &mut open);
        schemas += 1;
    }
    assert!(schemas >= 13, "{schemas} schemas");
    assert!(
        open.is_empty(),
        "objects that accept unknown fields: {open:#?}"
    );
}
