//! Fitting the hands of anypoint-cli-v4 users: its flag spellings work as
//! hidden aliases (`--client_id`, `--client_secret`, `--organization`,
//! `--environment`, `-o`/`--output` for `--format`), and `--help` keeps
//! showing only the doctor's own.

use serde_json::Value;

use crate::support::bin::{doctor, doctor_async};
use crate::support::sim::{serve, stop, world};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anypoint_cli_v4_spellings_are_accepted() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let login = &world.login;
    for output in [["-o", "json"], ["--output", "json"]] {
        let mut args = vec![
            "check",
            "--host",
            &sim.base_url,
            "--client_id",
            &login.client_id,
            "--client_secret",
            &login.client_secret,
            "--organization",
            &world.root.id,
            "--environment",
            "Sandbox",
        ];
        args.extend(output);
        let run = doctor_async(&args, &[]).await;
        assert_eq!(run.code, 0, "{run:#?}");
        let report: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
        assert_eq!(report["target"]["org_id"], world.root.id.as_str());
        let targets: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "scope.manage-contracts")
            .filter_map(|c| c["target"].as_str())
            .collect();
        assert_eq!(targets, ["Sandbox"], "--environment chose the environment");
    }
    let apps = doctor_async(
        &[
            "apps",
            "--host",
            &sim.base_url,
            "--client_id",
            &login.client_id,
            "--client_secret",
            &login.client_secret,
            "-o",
            "json",
        ],
        &[],
    )
    .await;
    assert_eq!(apps.code, 0, "{apps:#?}");
    assert!(
        serde_json::from_str::<Value>(&apps.stdout).is_ok(),
        "{apps:#?}"
    );
    stop(sim).await;
}

#[test]
fn the_aliases_stay_out_of_help() {
    for command in ["check", "apps", "fix"] {
        let run = doctor(&[command, "--help"], &[]);
        assert_eq!(run.code, 0, "{run:#?}");
        for alias in [
            "--client_id",
            "--client_secret",
            "--organization",
            "--environment",
            "--output",
            "-o,",
        ] {
            assert!(
                !run.stdout.contains(alias),
                "{command} --help shows {alias}"
            );
        }
    }
}
