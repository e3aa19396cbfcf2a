//! The support-ticket report: `--report FILE` in each format, the canary scan
//! that refuses to write a secret, `--redact-ids`, `--baseline`, JUnit
//! output, and the control-plane hint. The built binary runs against the
//! simulator, started in-process on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::Command;

use anypoint_doctor::sim::scenarios::{self, DESIGN, PRODUCTION, ROOT_ORG, SANDBOX};
use anypoint_doctor::sim::{RunningSim, ServeOptions, World};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_anypoint-doctor");

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn world(name: &str) -> World {
    scenarios::find(name)
        .expect("scenario")
        .world()
        .resolve()
        .expect("consistent")
}

async fn serve(world: World) -> RunningSim {
    anypoint_doctor::sim::start(world, ServeOptions::default())
        .await
        .expect("sim starts")
}

/// Runs the doctor against `sim` as the world's app, with nothing else from the environment.
async fn doctor(sim: &RunningSim, world: &World, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("ANYPOINT_HOST", &sim.base_url)
        .env("ANYPOINT_CLIENT_ID", &world.login.client_id)
        .env("ANYPOINT_CLIENT_SECRET", &world.login.client_secret)
        .args(args);
    let output = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("join");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "anypoint-doctor-report-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema() -> jsonschema::Validator {
    let text = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"));
    jsonschema::validator_for(&serde_json::from_str(&text).expect("schema is JSON"))
        .expect("valid schema")
}

#[tokio::test]
async fn report_files_are_written_in_each_format() {
    let world = world("env-scope-gap");
    let sim = serve(world.clone()).await;
    let dir = temp_dir("formats");
    for name in ["r.md", "r.json", "r.xml"] {
        let path = dir.join(name);
        let run = doctor(&sim, &world, &["check", "--report", path.to_str().unwrap()]).await;
        assert_eq!(run.code, 1, "{run:#?}");
        let text = read(&path);
        assert!(
            !text.contains(&world.login.client_secret),
            "{name} holds the secret"
        );
        match name {
            "r.md" => {
                for part in [
                    "## What to tell support",
                    "## Settings",
                    "## Requests",
                    "x-anypnt-trx-id",
                    "sha256:",
                ] {
                    assert!(text.contains(part), "{name} lacks {part:?}:\n{text}");
                }
                assert!(
                    text.contains("scope.view-apis-configuration` (Production)"),
                    "{text}"
                );
            }
            "r.json" => {
                let report: Value = serde_json::from_str(&text).expect("JSON");
                assert!(
                    schema().is_valid(&report),
                    "the report file does not fit the schema"
                );
                let evidence = &report["checks"][0]["evidence"];
                assert!(
                    report["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["evidence"].as_array().is_some_and(|e| e
                            .iter()
                            .any(|e| e["at"].as_str().is_some_and(|at| at.ends_with('Z'))))),
                    "{evidence}"
                );
                assert!(
                    report["settings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|s| s["source"] == "ANYPOINT_CLIENT_SECRET")
                );
            }
            _ => {
                assert!(text.starts_with("<?xml"), "{text}");
                let failures = text.matches("<failure ").count();
                assert_eq!(
                    failures, 4,
                    "Design and Production fail for two scope checks each (Manage Contracts there is inconclusive: the API list is refused, so no instance can be probed); the retired path's replacement, refused in Design, points to the scope check that reports it:\n{text}"
                );
            }
        }
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_report_name_without_a_known_extension_is_refused_before_any_request() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let run = doctor(&sim, &world, &["check", "--report", "report.txt"]).await;
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("--report report.txt") && run.stderr.contains(".md"),
        "{run:#?}"
    );
    assert_eq!(sim.state.requests(), 0);
    sim.stop().await;
}

/// A tenant whose name is the app's own secret: the secret reaches the
/// report through the org name, and the canary must stop every write.
#[tokio::test]
async fn the_canary_refuses_to_write_a_secret() {
    let mut world = world("healthy");
    world.root.name = world.login.client_secret.clone();
    let sim = serve(world.clone()).await;
    let dir = temp_dir("canary");
    let file = dir.join("leak.json");
    for format in ["table", "json", "markdown", "junit"] {
        let run = doctor(
            &sim,
            &world,
            &[
                "check",
                "--format",
                format,
                "--report",
                file.to_str().unwrap(),
            ],
        )
        .await;
        assert_eq!(run.code, 2, "{format}: {run:#?}");
        assert!(
            run.stdout.is_empty(),
            "{format}: nothing is written: {run:#?}"
        );
        assert!(
            run.stderr.contains("refusing to write") && run.stderr.contains("client secret"),
            "{run:#?}"
        );
        assert!(!run.stderr.contains(&world.login.client_secret), "{run:#?}");
        assert!(!file.exists(), "{format}: the report file was written");
    }
    sim.stop().await;
}

#[tokio::test]
async fn redact_ids_hides_org_environment_and_client_ids() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    for format in ["json", "markdown", "table"] {
        let run = doctor(&sim, &world, &["check", "--redact-ids", "--format", format]).await;
        assert_eq!(run.code, 0, "{run:#?}");
        for id in [
            ROOT_ORG,
            DESIGN,
            SANDBOX,
            PRODUCTION,
            world.login.client_id.as_str(),
        ] {
            assert!(
                !run.stdout.contains(id),
                "{format} still shows {id}:\n{}",
                run.stdout
            );
        }
        assert!(
            run.stdout.contains("id-"),
            "{format}: ids are replaced by hashes"
        );
    }
    sim.stop().await;
}

#[tokio::test]
async fn baseline_lists_what_changed() {
    let dir = temp_dir("baseline");
    let before = dir.join("yesterday.json");
    let healthy = world("healthy");
    let sim = serve(healthy.clone()).await;
    let run = doctor(
        &sim,
        &healthy,
        &["check", "--report", before.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    sim.stop().await;

    let gap = world("env-scope-gap");
    let sim = serve(gap.clone()).await;
    let run = doctor(
        &sim,
        &gap,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            before.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(run.code, 1, "{run:#?}");
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert!(schema().is_valid(&report));
    let changes = report["changes"]
        .as_array()
        .expect("changes with a baseline");
    let lost = changes
        .iter()
        .find(|c| c["id"] == "scope.view-apis-configuration" && c["target"] == "Production")
        .unwrap_or_else(|| panic!("the lost scope is listed: {changes:#?}"));
    assert_eq!(
        (
            lost["kind"].as_str(),
            lost["before"].as_str(),
            lost["after"].as_str()
        ),
        (Some("status"), Some("pass"), Some("fail"))
    );
    assert!(
        changes.iter().any(|c| c["kind"] == "host"),
        "each simulator has its own port: {changes:#?}"
    );
    assert!(
        !changes.iter().any(|c| c["target"] == "Sandbox"),
        "Sandbox did not change: {changes:#?}"
    );

    let table = doctor(
        &sim,
        &gap,
        &["check", "--baseline", before.to_str().unwrap()],
    )
    .await;
    assert!(
        table.stdout.contains("Changes since the baseline"),
        "{table:#?}"
    );
    assert!(
        table
            .stdout
            .contains("scope.view-apis-configuration (Production): pass → fail"),
        "{table:#?}"
    );

    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let requests = sim.state.requests();
    let bad = doctor(
        &sim,
        &gap,
        &["check", "--baseline", garbage.to_str().unwrap()],
    )
    .await;
    assert_eq!(bad.code, 2, "{bad:#?}");
    assert!(
        bad.stderr.contains("--baseline") && bad.stderr.contains("garbage.json"),
        "{bad:#?}"
    );
    assert_eq!(
        sim.state.requests(),
        requests,
        "nothing is sent with a bad baseline"
    );
    sim.stop().await;
}

#[tokio::test]
async fn junit_on_stdout_counts_what_failed() {
    let world = world("missing-manage-scopes");
    let sim = serve(world.clone()).await;
    let run = doctor(&sim, &world, &["check", "--format", "junit"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let failures = run.stdout.matches("<failure ").count();
    let declared = format!("failures=\"{failures}\"");
    assert!(failures >= 4, "{}", run.stdout);
    assert!(
        run.stdout.contains(&declared),
        "the suite declares {failures} failures:\n{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("<testcase ").count(),
        run.stdout.matches("</testcase>").count()
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_refused_token_names_the_other_control_planes_without_contacting_them() {
    let world = world("eu-app-on-us-host");
    let sim = serve(world.clone()).await;
    let run = doctor(&sim, &world, &["check", "--format", "json"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let token = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "auth.token")
        .unwrap();
    assert_eq!(token["status"], "fail");
    let fix = token["remediation"].as_str().unwrap();
    assert!(
        fix.contains("--region") && fix.contains("--probe-regions"),
        "{fix}"
    );
    for check in report["checks"].as_array().unwrap() {
        for evidence in check["evidence"].as_array().unwrap() {
            let url = evidence["url"].as_str().unwrap();
            assert!(
                url.starts_with(&sim.base_url),
                "without --probe-regions only the chosen host is contacted: {url}"
            );
        }
    }
    sim.stop().await;
}

#[tokio::test]
async fn for_files_maps_the_calls_of_a_script_to_capabilities_in_every_format() {
    let dir = temp_dir("for-files");
    let script = dir.join("deploy.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n\
         curl -s \"$ANYPOINT/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis\"\n\
         curl -s -X POST \"$ANYPOINT/apimanager/api/v1/organizations/$ORG/environments/$ENV/apis/$API/contracts\" -d @body.json\n",
    )
    .expect("script");
    let gap = world("env-scope-gap");
    let sim = serve(gap.clone()).await;
    let json_file = dir.join("report.json");
    let run = doctor(
        &sim,
        &gap,
        &[
            "check",
            "--for-files",
            script.to_str().unwrap(),
            "--format",
            "markdown",
            "--report",
            json_file.to_str().unwrap(),
        ],
    )
    .await;
    // Production and Design lack the API Manager scopes in this scenario.
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.contains("## Least privilege")
            && run.stdout.contains("deploy.sh:3: POST /apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis/{apiId}/contracts needs create-contract"),
        "{}",
        run.stdout
    );
    let report: Value = serde_json::from_str(&read(&json_file)).expect("JSON");
    assert!(
        schema().is_valid(&report),
        "the report does not fit the schema"
    );
    assert_eq!(
        report["least_privilege"]["capabilities"],
        serde_json::json!(["list-api-instances", "create-contract"])
    );
    assert_eq!(
        report["least_privilege"]["calls"].as_array().map(Vec::len),
        Some(2)
    );
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| !id.starts_with("net.") && !id.starts_with("auth.") && !id.starts_with("org."))
        .collect();
    assert!(
        ids.iter().all(|id| id.starts_with("capability.")),
        "only what the script needs runs: {ids:?}"
    );
    for text in [&run.stdout, &run.stderr, &read(&json_file)] {
        assert!(
            !text.contains(&gap.login.client_secret),
            "the secret leaked"
        );
    }

    let answered = sim.state.requests();
    let empty = dir.join("readme.txt");
    std::fs::write(&empty, "nothing to see here\n").expect("file");
    let run = doctor(
        &sim,
        &gap,
        &["check", "--for-files", empty.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(
        run.stderr.contains("--for-files")
            && run.stderr.contains("--for")
            && run.stderr.lines().count() == 1,
        "{}",
        run.stderr
    );
    let run = doctor(&sim, &gap, &["check", "--for", "create-everything"]).await;
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("create-contract"), "{}", run.stderr);
    assert_eq!(
        sim.state.requests(),
        answered,
        "no request for a usage error"
    );
    sim.stop().await;
}

/// Splits a POSIX command line the way the shell would for the commands the
/// doctor prints: words, and single-quoted words (`shell_word`'s quoting).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Every next step the doctor prints that names no placeholder runs as
/// printed, in the same shell (the same ANYPOINT_* variables), in each
/// scenario: no usage error, no "unknown" setting.
#[tokio::test]
async fn next_steps_run_as_printed() {
    for name in [
        "healthy",
        "typical-mistakes",
        "env-scope-gap",
        "business-group-org",
    ] {
        let world = world(name);
        let sim = serve(world.clone()).await;
        let run = doctor(&sim, &world, &["check", "--format", "json"]).await;
        let report: Value = serde_json::from_str(&run.stdout).expect("JSON");
        let commands: Vec<String> = report["next_steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["command"].as_str())
            .filter(|c| c.starts_with("anypoint-doctor ") && !c.contains('<'))
            .map(str::to_string)
            .collect();
        assert!(!commands.is_empty(), "{name}: no runnable step");
        for command in &commands {
            let words = shell_words(command);
            let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
            let step = doctor(&sim, &world, &args).await;
            assert!(
                matches!(step.code, 0 | 1 | 3),
                "{name}: `{command}` exits {}: {}",
                step.code,
                step.stderr
            );
            assert!(
                !step.stderr.contains("error:"),
                "{name}: `{command}`: {}",
                step.stderr
            );
        }
        sim.stop().await;
    }
}
