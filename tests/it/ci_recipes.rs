//! The CI recipes in `examples/ci/` work: the plain shell pre-flight passes
//! against the simulator (and fails with the doctor's exit code when a scope
//! is missing), and every `anypoint-doctor` command the GitHub Actions and
//! GitLab CI files run exists with the flags and capabilities they pass.

use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::support::bin::{Run, doctor, finish};
use crate::support::fs::{ROOT, temp_dir};
use crate::support::sim::{Sim, world};

fn recipe(name: &str) -> PathBuf {
    Path::new(ROOT).join("examples/ci").join(name)
}

/// `preflight.sh` as a runner would run it: the binary on PATH, the app's
/// variables set, in an empty working folder.
async fn preflight(scenario: &str) -> (Run, PathBuf) {
    let sim = Sim::start(world(scenario)).await;
    let folder = temp_dir("preflight");
    std::fs::create_dir_all(&folder).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_anypoint-doctor"));
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    let mut command = std::process::Command::new("sh");
    command
        .arg(recipe("preflight.sh"))
        .arg("reports")
        .current_dir(&folder)
        .env_clear()
        .env("PATH", path)
        .env("ANYPOINT_HOST", &sim.running.base_url)
        .env("ANYPOINT_CLIENT_ID", &sim.login.client_id)
        .env("ANYPOINT_CLIENT_SECRET", &sim.login.client_secret);
    let run = finish(command).await;
    assert!(!run.output().contains(&sim.login.client_secret), "{run:#?}");
    sim.stop().await;
    (run, folder.join("reports"))
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_recipe_passes_against_the_simulator() {
    let (run, reports) = preflight("healthy").await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout.contains("pre-flight: the Connected App can do"),
        "{run:#?}"
    );
    let junit = std::fs::read_to_string(reports.join("anypoint-doctor.xml")).unwrap();
    assert!(
        junit.starts_with("<?xml") && junit.contains("<testsuites"),
        "{junit}"
    );
    let markdown = std::fs::read_to_string(reports.join("anypoint-doctor.md")).unwrap();
    assert!(markdown.starts_with('#'), "{markdown}");
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reports.join("anypoint-doctor.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_recipe_stops_the_pipeline_when_a_scope_is_missing() {
    let (run, reports) = preflight("missing-manage-scopes").await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("a check failed"), "{run:#?}");
    let markdown = std::fs::read_to_string(reports.join("anypoint-doctor.md")).unwrap();
    assert!(markdown.contains("Manage Contracts"), "{markdown}");
}

/// Every string a CI file runs: GitHub's `run`, GitLab's `script` and `after_script`.
fn commands(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::Hash(map) => {
            for (key, value) in map {
                let runs = matches!(key.as_str(), Some("run" | "script" | "after_script"));
                match value {
                    Yaml::String(text) if runs => out.push(text.clone()),
                    Yaml::Array(lines) if runs => {
                        out.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_string)))
                    }
                    _ => commands(value, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|item| commands(item, out)),
        _ => {}
    }
}

/// The arguments of an `anypoint-doctor` command line, up to a redirection or `||`.
fn doctor_args(line: &str) -> Option<Vec<String>> {
    let (_, rest) = line.split_once("anypoint-doctor ")?;
    if line.trim_start().starts_with("cargo install") {
        return None;
    }
    Some(
        rest.split_whitespace()
            .take_while(|word| !matches!(*word, ">" | "||" | "|"))
            .map(|word| word.trim_matches('"').to_string())
            .collect(),
    )
}

#[test]
fn the_yaml_recipes_parse_and_run_only_commands_that_exist() {
    let capabilities = anypoint_doctor::doctor::catalogue::Catalogue::get().capability_ids();
    for file in ["github-actions.yml", "gitlab-ci.yml"] {
        let text = std::fs::read_to_string(recipe(file)).unwrap();
        let documents = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut lines = Vec::new();
        documents.iter().for_each(|d| commands(d, &mut lines));
        let runs: Vec<Vec<String>> = lines.iter().filter_map(|l| doctor_args(l)).collect();
        assert!(
            runs.iter()
                .any(|args| args.first().map(String::as_str) == Some("check")),
            "{file} runs no check: {lines:#?}"
        );
        for args in runs {
            // The flags and the subcommand exist: clap refuses an unknown one before --help.
            let mut with_help = args.clone();
            with_help.push("--help".into());
            let help = doctor(&with_help, &[]);
            assert_eq!(
                help.code,
                0,
                "{file}: anypoint-doctor {}: {help:#?}",
                args.join(" ")
            );
            if let Some(at) = args.iter().position(|a| a == "--for") {
                for capability in args[at + 1].split(',') {
                    assert!(capabilities.contains(&capability), "{file}: {capability}");
                }
            }
        }
    }
}
