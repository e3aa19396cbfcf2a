//! `anypoint-doctor needs PATH...`: the least privilege from traffic files
//! (HAR, Postman, Insomnia) and scripts, compared as whole sets; what it
//! leaves out (its own probes, other hosts); its errors; and no secret of
//! the traffic in any output.

use serde_json::{Value, json};

use crate::support::bin::{Run, doctor};
use crate::support::fs::{ROOT, assert_matches, temp_dir};

fn fixture(name: &str) -> String {
    format!("{ROOT}/tests/fixtures/traffic/{name}")
}

#[track_caller]
fn needs(args: &[&str]) -> Run {
    doctor(&[&["needs"], args].concat(), &[])
}

/// The least privilege as (scope, where) pairs, from the JSON output (which
/// matches its schema).
#[track_caller]
fn least(run: &Run) -> Vec<(String, Value)> {
    assert_eq!(run.code, 0, "{run:#?}");
    assert_matches("needs.schema.json", &run.stdout)["least_privilege"]
        .as_array()
        .expect("least_privilege")
        .iter()
        .map(|g| {
            (
                g["scope"].as_str().expect("a scope").to_string(),
                g["target"].clone(),
            )
        })
        .collect()
}

const ORG: &str = "5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5";
const PRODUCTION: &str = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b";

#[test]
fn a_postman_collection_needs_exactly_the_narrowest_scopes_where_its_ids_say() {
    let run = needs(&[&fixture("postman-v2.1.json"), "--format", "json"]);
    let env = json!({"kind": "env", "org": ORG, "env": PRODUCTION});
    assert_eq!(
        least(&run),
        [
            ("manage:api_contracts".to_string(), env.clone()),
            ("read:api_configuration".to_string(), env),
            (
                "read:exchange".to_string(),
                json!({"kind": "org", "org": ORG})
            ),
            (
                "read:exchange".to_string(),
                json!({"kind": "unnamed", "context": "org"})
            ),
        ]
    );
    let json = run.json();
    assert_eq!(
        json["counts"],
        json!({"requests": 4, "known": 4, "unknown": 0})
    );
    // MuleSoft's guidance lists scopes this collection does not need.
    let not_needed: Vec<&str> = json["not_needed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scope"].as_str().unwrap())
        .collect();
    assert!(
        not_needed.contains(&"manage:apis") && not_needed.contains(&"full"),
        "{not_needed:?}"
    );
    assert!(
        run.stderr
            .contains("left out 1 to hosts other than Anypoint"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_table_groups_the_scopes_by_business_group_and_environment() {
    let run = needs(&[&fixture("insomnia-v4.json")]);
    assert_eq!(run.code, 0, "{run:#?}");
    let expected = format!(
        "Least privilege (the narrowest scopes that allow every request):\n  root organization {ORG}\n    Application Creator (create:client_applications)\n    Exchange Viewer (read:exchange)\n  each environment the requests act in (they name none)\n    Manage Contracts (manage:api_contracts)\n\nNot needed"
    );
    assert!(run.stdout.contains(&expected), "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("3 requests: 3 the catalogue knows, 0 it does not")
    );
}

#[test]
fn scripts_and_folders_are_scanned_for_requests_as_templates() {
    let dir = temp_dir("needs-scripts");
    std::fs::write(
        dir.join("deploy.sh"),
        "curl -s \"$HOST/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis\"\n\
         curl -s \"$HOST/exchange/api/v1/organizations/$ORG/environments/$ENV/apis\"\n",
    )
    .unwrap();
    let run = needs(&[dir.to_str().unwrap(), "--format", "json"]);
    // A script names its places with variables: the scope is needed where
    // the script acts, which it does not say.
    let env = json!({"kind": "unnamed", "context": "env"});
    assert_eq!(least(&run), [("read:api_configuration".to_string(), env)]);
    let retired = &run.json()["requests"][1]["endpoint"]["retired"];
    assert_eq!(
        retired,
        "GET /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis"
    );
    // A file that is not traffic is a script too, named on its own.
    let text = needs(&[dir.join("deploy.sh").to_str().unwrap()]);
    assert!(
        text.stdout
            .contains("Retired requests, and what to call instead:"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("deploy.sh:2"), "{}", text.stdout);
}

#[test]
fn the_doctors_own_probes_are_left_out() {
    let run = needs(&[&fixture("doctor-check-typical-mistakes.har")]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "No Anypoint Platform request found: nothing is needed.\n"
    );
    assert!(
        run.stderr.contains("of anypoint-doctor's own requests"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_broken_or_missing_path_is_a_usage_error_naming_it() {
    let dir = temp_dir("needs-broken");
    let broken = dir.join("broken.har");
    std::fs::write(&broken, r#"{"log": {"entries": 5}}"#).unwrap();
    let run = needs(&[broken.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("broken.har is a HAR file, but"),
        "{}",
        run.stderr
    );
    let missing = needs(&["no-such-file.har"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("needs PATH: cannot read no-such-file.har"),
        "{}",
        missing.stderr
    );
    assert_eq!(needs(&[]).code, 2);
}

#[test]
fn no_secret_of_the_traffic_reaches_any_output() {
    let har = fixture("chrome-anypoint.har");
    let text = std::fs::read_to_string(&har).unwrap();
    let secrets = [
        "3f1b2c4d-8e9a-4b7c-a1d2-e3f4a5b6c7d8",
        "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "4Bd9F2e7A1c8E3b6D0f5A2c9E7b4D1f8",
    ];
    assert!(
        secrets.iter().all(|s| text.contains(s)),
        "the fixture holds them"
    );
    for format in ["table", "json"] {
        let run = needs(&[&har, "--format", format]);
        assert_eq!(run.code, 0, "{run:#?}");
        for secret in secrets {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{format}: {secret}"
            );
        }
    }
}

/// A recording of `create app` and `create contract` against the simulator
/// (issue 26's done-when): the commands' own work counts; the doctor's probes
/// and lookups on the way (the duplicate check, the next step's instance
/// list) do not, since the commands go on without them.
#[cfg(unix)]
#[tokio::test]
async fn a_recording_of_the_create_commands_needs_application_creator_manage_contracts_and_exchange_viewer()
 {
    use crate::support::bin::doctor_async;
    use crate::support::sim::SimProcess;

    let dir = temp_dir("needs-record");
    let har = dir.join("create.har");
    let sim = SimProcess::start(&[
        "sim",
        "--scenario",
        "healthy",
        "--record",
        har.to_str().unwrap(),
    ]);
    let env = sim.app_env();
    let app = doctor_async(&["create", "app", "--name", "needs-app"], &env).await;
    assert_eq!(app.code, 0, "{app:#?}");
    let id = app
        .stdout
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("id "))
        .map(str::trim)
        .unwrap_or_else(|| panic!("an id line: {app:#?}"))
        .to_string();
    let contract = doctor_async(
        &[
            "create", "contract", "--app", &id, "--api", "18972610", "--env", "Sandbox",
        ],
        &env,
    )
    .await;
    assert_eq!(contract.code, 0, "{contract:#?}");
    sim.terminate().await;

    let run = needs(&[har.to_str().unwrap(), "--format", "json"]);
    let root = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
    let sandbox =
        json!({"kind": "env", "org": root, "env": "c0ffee00-1111-4222-8333-444455556666"});
    assert_eq!(
        least(&run),
        [
            (
                "create:client_applications".to_string(),
                json!({"kind": "root-org", "org": root})
            ),
            ("manage:api_contracts".to_string(), sandbox),
            (
                "read:exchange".to_string(),
                json!({"kind": "org", "org": root})
            ),
        ]
    );
    // The places have names: the recording's Access Management answers give them.
    let table = needs(&[har.to_str().unwrap()]);
    assert!(
        table
            .stdout
            .contains("root organization Example Corp (9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f)")
            && table
                .stdout
                .contains("environment Sandbox (c0ffee00-1111-4222-8333-444455556666)"),
        "{}",
        table.stdout
    );
    assert!(
        run.stderr
            .contains("of anypoint-doctor's own requests (its probes and lookups)"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_refused_request_of_a_recording_is_explained() {
    let run = needs(&[&fixture("chrome-anypoint.har"), "--format", "json"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let json = assert_matches("needs.schema.json", &run.stdout);
    let refused: Vec<(&str, u64, Vec<&str>)> = json["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let scopes = r["allowed_by"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["scope"].as_str().unwrap())
                .collect();
            (
                r["kind"].as_str().unwrap(),
                r["status"].as_u64().unwrap(),
                scopes,
            )
        })
        .collect();
    assert_eq!(
        refused,
        [
            ("unauthorized", 401, vec![]),
            ("forbidden", 403, vec!["read:api_configuration"]),
            ("empty", 200, vec!["read:org_client_applications"]),
        ]
    );
    // The 401: the HAR shows the token obtained more than its lifetime before.
    let expired = &json["refused"][0];
    assert!(
        expired["why"]
            .as_str()
            .unwrap()
            .starts_with("the token had expired"),
        "{expired}"
    );
    // The 403: the platform's message, its transaction id, and the environment it needs the scope in.
    let forbidden = &json["refused"][1];
    assert_eq!(
        forbidden["transaction_id"],
        "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
    );
    assert_eq!(
        forbidden["allowed_by"][0]["target"],
        json!({"kind": "env", "org": ORG, "env": PRODUCTION})
    );
}

/// `--format terraform|curl`: the least privilege through `fix`'s renderers,
/// for the one app and control plane the recording shows.
#[test]
fn the_least_privilege_renders_as_terraform_and_curl() {
    let har = fixture("chrome-anypoint.har");
    let terraform = needs(&[&har, "--format", "terraform"]);
    assert_eq!(terraform.code, 0, "{terraform:#?}");
    assert!(
        terraform
            .stdout
            .starts_with("# anypoint-doctor needs: the least privilege"),
        "{}",
        terraform.stdout
    );
    let scopes = crate::hardening::renderers::terraform_scopes(&terraform.stdout);
    let org = |org: &str| vec![("org".to_string(), org.to_string())];
    let env = vec![
        ("envId".to_string(), PRODUCTION.to_string()),
        ("org".to_string(), ORG.to_string()),
    ];
    let mut found: Vec<(String, Vec<(String, String)>)> = scopes
        .into_iter()
        .map(|(scope, mut params)| {
            params.sort();
            (scope, params)
        })
        .collect();
    found.sort();
    // The Exchange search names its business group in its GraphQL variables.
    assert_eq!(
        found,
        [
            ("read:api_configuration".to_string(), env),
            ("read:exchange".to_string(), org(ORG)),
            ("read:org_client_applications".to_string(), org(ORG)),
        ]
    );
    let curl = needs(&[&har, "--format", "curl"]);
    assert_eq!(curl.code, 0, "{curl:#?}");
    assert!(curl.stdout.contains("curl -sS --fail-with-body -X PATCH https://anypoint.mulesoft.com/accounts/api/connectedApplications/"), "{}", curl.stdout);
    for secret in [
        "3f1b2c4d-8e9a-4b7c-a1d2-e3f4a5b6c7d8",
        "4Bd9F2e7A1c8E3b6D0f5A2c9E7b4D1f8",
    ] {
        assert!(!terraform.stdout.contains(secret) && !curl.stdout.contains(secret));
    }
}

/// A GraphQL request is told by its operation, in the table and in JSON;
/// other requests have none.
#[test]
fn a_graphql_request_names_its_operation() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/needs/recorded-anypoint-cli-v4.har"
    );
    let run = needs(&[file, "--format", "json"]);
    let json = assert_matches("needs.schema.json", &run.stdout);
    let operations: Vec<(&str, &Value)> = json["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), &r["operation"]))
        .collect();
    assert!(
        operations
            .iter()
            .any(|(path, op)| path.ends_with("/graphql") && *op == "assets"),
        "{operations:?}"
    );
    assert!(
        operations
            .iter()
            .all(|(path, op)| path.ends_with("/graphql") || op.is_null()),
        "{operations:?}"
    );
    let table = needs(&[file]);
    assert!(
        table
            .stdout
            .contains("POST /graph/api/v2/graphql (operation assets)"),
        "{}",
        table.stdout
    );
}

/// `--online` names the ids a collection leaves unnamed, from the platform
/// the settings name; a sign-in that fails is told, and the answer is still
/// printed, unnamed.
#[tokio::test]
async fn online_names_come_from_the_platform() {
    use crate::support::sim::Sim;

    let collection = format!("{ROOT}/examples/anypoint.postman_collection.json");
    let sim = Sim::start(crate::support::sim::world("healthy")).await;
    let run = sim
        .run(&["needs", "--online", &collection, "--format", "json"])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let json = assert_matches("needs.schema.json", &run.stdout);
    let places: Vec<&str> = json["least_privilege"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["where"].as_str().unwrap())
        .collect();
    assert!(
        places.iter().all(|p| p.contains("Example Corp"))
            && places.iter().any(|p| p.contains("environment Production")),
        "{places:?}"
    );
    assert!(
        run.stderr
            .contains("note: 2 of 2 unnamed id(s) named by the platform, as the app of \"Example Corp\" sees it"),
        "{run:#?}"
    );
    sim.stop().await;

    let wrong = Sim::start(crate::support::sim::world("wrong-secret")).await;
    let run = wrong.run(&["needs", "--online", &collection]).await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.starts_with("Could not sign in to the platform.")
            && run.stderr.contains("note: the ids stay unnamed")
            && run.stdout.contains("Least privilege")
            && run
                .stdout
                .contains("environment deadbeef-7777-4888-9999-aaaabbbbcccc"),
        "{run:#?}"
    );
    wrong.stop().await;
}
