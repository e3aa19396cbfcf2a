//! `check --for-har` and `fix --for-har` against the simulator: the
//! pre-flight and the plan for exactly what a traffic file needs, in the org
//! the run targets, with another org's places mapped by name or reported.

use crate::support::bin::{Run, doctor};
use crate::support::fs::{ROOT, assert_matches};
use crate::support::sim::scenarios::{ADMIN_TOKEN, PRODUCTION, ROOT_ORG};
use crate::support::sim::{Sim, world};
use crate::support::stable_snapshots;

/// A traffic file of `tests/fixtures/for-har`.
fn traffic(name: &str) -> String {
    format!("{ROOT}/tests/fixtures/for-har/{name}")
}

/// `args` with `--for-har FILE` against `scenario`, as its Connected App
/// (whose secret `Sim::run` asserts is never printed), plus `env`.
async fn run(scenario: &str, env: &[(&str, &str)], args: &[&str], file: &str) -> Run {
    let sim = Sim::start(world(scenario)).await;
    let file = traffic(file);
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--for-har", &file]);
    let run = sim.run_with(env, &all).await;
    sim.stop().await;
    assert!(!run.output().contains(ADMIN_TOKEN), "{run:#?}");
    run
}

/// stdout with its wrapping undone: words separated by one space.
fn flat(run: &Run) -> String {
    run.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Two API lists, in Sandbox and Production of the simulator's root org.
const API_READS: &str = "api-reads.har";
/// The same, recorded in another org whose names are the simulator's.
const OTHER_ORG: &str = "api-reads-other-org.har";

#[tokio::test]
async fn a_healthy_app_passes_the_pre_flight_for_its_traffic() {
    let run = run("healthy", &[], &["check"], API_READS).await;
    assert_eq!(run.code, 0, "{run:#?}");
    for needle in [
        "✓ proven",
        "View APIs Configuration (read:api_configuration)",
        "environment \"Sandbox\"",
        "environment \"Production\"",
        "Pre-flight: open. Every need is proven (2).",
    ] {
        assert!(flat(&run).contains(needle), "{needle}: {run:#?}");
    }
}

#[tokio::test]
async fn a_scope_missing_in_one_environment_closes_the_gate_naming_both() {
    let run = run("env-scope-gap", &[], &["check"], API_READS).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        flat(&run).contains(
            "Pre-flight: closed: View APIs Configuration in business group \"Example Corp\", environment \"Production\" disproven."
        ),
        "{run:#?}"
    );
    // JSON says the same, need by need, in the target's ids.
    let json = run_json("env-scope-gap", API_READS).await;
    assert_eq!(json["preflight"]["gate"], "closed");
    let disproven: Vec<&serde_json::Value> = json["preflight"]["needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["proof"] == "disproven")
        .collect();
    assert_eq!(disproven.len(), 1, "{json:#}");
    assert_eq!(disproven[0]["scope"], "read:api_configuration");
    assert_eq!(disproven[0]["target"]["env"], PRODUCTION);
}

async fn run_json(scenario: &str, file: &str) -> serde_json::Value {
    let run = run(scenario, &[], &["check", "--format", "json"], file).await;
    assert_matches("preflight-har.schema.json", &run.stdout)
}

#[tokio::test]
async fn fix_for_har_adds_exactly_the_missing_scope_as_terraform() {
    let run = run(
        "env-scope-gap",
        &[],
        &["fix", "--format", "terraform"],
        API_READS,
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let resource = run
        .stdout
        .split("resource \"anypoint_connected_app_scopes\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no resource: {run:#?}"));
    assert_eq!(resource.matches("scope          =").count(), 1, "{run:#?}");
    let head: String = run
        .stdout
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let shown = format!("{head}…\nresource \"anypoint_connected_app_scopes\"{resource}")
        .replace(&traffic(""), "tests/fixtures/for-har/");
    stable_snapshots().bind(|| insta::assert_snapshot!("fix-for-har-terraform", shown));
}

#[tokio::test]
async fn another_orgs_ids_are_mapped_by_name_to_the_same_verdict() {
    let healthy = run("healthy", &[], &["check"], OTHER_ORG).await;
    assert_eq!(healthy.code, 0, "{healthy:#?}");
    let gap = run_json("env-scope-gap", OTHER_ORG).await;
    let needs = gap["preflight"]["needs"].as_array().unwrap();
    let proofs: Vec<(&str, &str)> = needs
        .iter()
        .map(|n| {
            (
                n["target"]["env"].as_str().unwrap(),
                n["proof"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(proofs.contains(&(PRODUCTION, "disproven")), "{gap:#}");
    assert!(
        needs.iter().all(|n| n["target"]["org"] == ROOT_ORG),
        "{gap:#}"
    );
    // The plan is in the target's ids, not the traffic's.
    let fix = run(
        "env-scope-gap",
        &[],
        &["fix", "--format", "json"],
        OTHER_ORG,
    )
    .await;
    assert_eq!(fix.code, 0, "{fix:#?}");
    let plan = fix.json();
    assert_eq!(plan["add"][0]["env_id"], PRODUCTION, "{plan:#}");
    assert_eq!(plan["add"].as_array().unwrap().len(), 1, "{plan:#}");
}

#[tokio::test]
async fn a_place_the_target_does_not_have_is_reported_and_keeps_the_gate_closed() {
    let run = run("healthy", &[], &["check"], "api-reads-unknown-env.har").await;
    assert_eq!(run.code, 1, "{run:#?}");
    for needle in [
        "not proven",
        "environment Staging (4a1b9c47-6c8d-4e0f-9a2b-4c5d6e7f8091)",
        "not in the target: business group \"Example Corp\" has no environment of that name",
        "Pre-flight: closed",
    ] {
        assert!(flat(&run).contains(needle), "{needle}: {run:#?}");
    }
    // In JSON, the place left out says what and why.
    let json = run_json("healthy", "api-reads-unknown-env.har").await;
    let unmapped: Vec<&serde_json::Value> = json["preflight"]["needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.get("unmapped"))
        .collect();
    assert_eq!(unmapped.len(), 1, "{json:#}");
    assert_eq!(unmapped[0]["what"], "environment");
    assert_eq!(unmapped[0]["name"], "Staging");
    let fix = run_fix_unknown().await;
    assert_eq!(fix.code, 3, "{fix:#?}");
    assert!(
        flat(&fix).contains("(left out) read:api_configuration"),
        "{fix:#?}"
    );
}

async fn run_fix_unknown() -> Run {
    run("healthy", &[], &["fix"], "api-reads-unknown-env.har").await
}

#[tokio::test]
async fn a_scope_no_probe_proves_is_unproven_unless_allowed_or_read_by_an_admin() {
    // View Contracts: no request tells it apart without the granted scopes.
    const CONTRACTS: &str = "contracts-read.har";
    let unproven = run("healthy", &[], &["check"], CONTRACTS).await;
    assert_eq!(unproven.code, 1, "{unproven:#?}");
    assert!(
        flat(&unproven).contains("! not proven View Contracts"),
        "{unproven:#?}"
    );
    let allowed = run("healthy", &[], &["check", "--allow-unproven"], CONTRACTS).await;
    assert_eq!(allowed.code, 0, "{allowed:#?}");
    let admin = [("ANYPOINT_ADMIN_BEARER", ADMIN_TOKEN)];
    let exact = run("healthy", &admin, &["check"], CONTRACTS).await;
    assert_eq!(exact.code, 0, "{exact:#?}");
    assert!(
        flat(&exact).contains("granted: View Contracts"),
        "{exact:#?}"
    );
}

#[test]
fn bad_input_is_one_usage_line_naming_for_har() {
    let missing = doctor(&["check", "--for-har", "/nonexistent/pipeline.har"], &[]);
    let line = missing.one_line_error();
    assert!(
        line.contains("--for-har /nonexistent/pipeline.har: no such file"),
        "{line}"
    );
    assert!(line.contains("a HAR file"), "{line}");
    let readme = format!("{ROOT}/Cargo.toml");
    let nothing = doctor(&["fix", "--for-har", &readme], &[]);
    let line = nothing.one_line_error();
    assert!(
        line.contains("no Anypoint Platform request was found"),
        "{line}"
    );
    let mixed = doctor(
        &["check", "--for-har", &readme, "--for", "create-contract"],
        &[],
    );
    assert_eq!(mixed.code, 2, "{mixed:#?}");
}

/// `examples/pipeline.sh` recorded against the simulator: a client
/// application created, and its contract in Sandbox.
const CREATE: &str = "create-app-and-contract.har";

/// Each need's proof, by scope, from `check --for-har --format json`.
async fn proofs(scenario: &str, file: &str) -> Vec<(String, String, String)> {
    let json = run_json(scenario, file).await;
    json["preflight"]["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["scope"].as_str().unwrap().to_string(),
                n["proof"].as_str().unwrap().to_string(),
                n["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Without an org admin's token, the capability checks prove the creates
/// allowed, and the contract check proves its Exchange Viewer too.
#[tokio::test]
async fn the_creates_of_a_recording_are_proven_by_probes_alone() {
    let run = run("healthy", &[], &["check"], CREATE).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let proofs = proofs("healthy", CREATE).await;
    let proven: Vec<(&str, &str)> = proofs
        .iter()
        .map(|(s, p, _)| (s.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        proven,
        [
            ("create:client_applications", "proven"),
            ("manage:api_contracts", "proven"),
            ("read:exchange", "proven"),
        ]
    );
}

/// A contract refused for a missing Exchange Viewer disproves Exchange
/// Viewer, not Manage Contracts, which cannot be told until it is added;
/// refused for Manage Contracts while the asset reads, the reverse.
#[tokio::test]
async fn a_refused_contract_is_told_of_the_scope_that_is_missing() {
    let by_scope = |proofs: &[(String, String, String)], scope: &str| {
        proofs
            .iter()
            .find(|(s, ..)| s == scope)
            .map(|(_, p, summary)| (p.clone(), summary.clone()))
            .unwrap_or_else(|| panic!("{scope}: {proofs:?}"))
    };
    let no_viewer = proofs("no-exchange-viewer", CREATE).await;
    assert_eq!(by_scope(&no_viewer, "read:exchange").0, "disproven");
    let (proof, summary) = by_scope(&no_viewer, "manage:api_contracts");
    assert_eq!(proof, "unproven");
    assert!(
        summary.starts_with("cannot be told until Exchange Viewer is added"),
        "{summary}"
    );

    let no_manage = proofs("missing-manage-scopes", CREATE).await;
    assert_eq!(by_scope(&no_manage, "manage:api_contracts").0, "disproven");
    assert_eq!(by_scope(&no_manage, "read:exchange").0, "proven");
}

/// A recording made against the simulator ("Example Corp") checks an org
/// whose root has another name: the traffic's root is the target's root.
#[tokio::test]
async fn the_traffic_s_root_is_the_target_s_root_whatever_its_name() {
    let mut renamed = world("healthy");
    renamed.root.name = "Acme".into();
    let sim = Sim::start(renamed).await;
    let file = traffic(CREATE);
    let run = sim
        .run(&["check", "--for-har", &file, "--format", "json"])
        .await;
    sim.stop().await;
    assert_eq!(run.code, 0, "{run:#?}");
    let json = assert_matches("preflight-har.schema.json", &run.stdout);
    let places: Vec<&str> = json["preflight"]["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["place"].as_str().unwrap())
        .collect();
    assert!(places.iter().all(|p| p.contains("\"Acme\"")), "{places:?}");
}

/// With the app's granted scopes read, a contract refused for a missing
/// Exchange Viewer shows Manage Contracts as granted, and the plan adds
/// only Exchange Viewer.
#[tokio::test]
async fn granted_scopes_keep_a_held_scope_out_of_the_plan() {
    let admin = [("ANYPOINT_ADMIN_BEARER", ADMIN_TOKEN)];
    let check = run(
        "no-exchange-viewer",
        &admin,
        &["check", "--format", "json"],
        CREATE,
    )
    .await;
    let check = assert_matches("preflight-har.schema.json", &check.stdout);
    let proof_of = |scope: &str| {
        check["preflight"]["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["scope"] == scope)
            .map(|n| n["proof"].as_str().unwrap().to_string())
    };
    assert_eq!(proof_of("manage:api_contracts").as_deref(), Some("proven"));
    assert_eq!(proof_of("read:exchange").as_deref(), Some("disproven"));
    let plan = run("no-exchange-viewer", &admin, &["fix"], CREATE).await;
    let added: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.starts_with("+ "))
        .collect();
    assert_eq!(added, ["+ read:exchange  org=Example Corp"], "{plan:#?}");
}
