//! The `sim` and `demo` commands of the built binary: the scenarios it lists,
//! a demo run's report, the line it names in a bad scenario file, and
//! `sim --tls` as a child process, trusted through its own certificate.
//! The simulator's HTTP behaviour itself is tested in its own crate
//! (`crates/anypoint-sim/tests/http/`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::api::{client, client_trusting};
use crate::support::assert_contains_all;
use crate::support::bin::{BIN, PATIENCE, doctor};
use crate::support::fs::temp_dir;
use crate::support::sim::scenarios::{
    ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET, ROOT_ORG as ROOT, SCENARIOS,
};

/// A scratch file of this test process, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, text: &str) -> Scratch {
        let path = temp_dir("sim-command").join(name);
        std::fs::write(&path, text).expect("the scratch file is written");
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("a UTF-8 temp path")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn sim_lists_every_scenario_with_its_description() {
    let run = doctor(&["sim", "--list-scenarios"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    // A description too long for the width goes on, indented, on the next lines.
    let mut lines: Vec<String> = Vec::new();
    for line in run.stdout.lines() {
        match lines.last_mut() {
            Some(entry) if line.starts_with(' ') => {
                entry.push(' ');
                entry.push_str(line.trim_start());
            }
            _ => lines.push(line.to_string()),
        }
    }
    assert_eq!(lines.len(), SCENARIOS.len(), "{run:#?}");
    for (line, scenario) in lines.iter().zip(SCENARIOS) {
        assert_eq!(
            line.split_whitespace().next(),
            Some(scenario.name),
            "{line}"
        );
        assert!(line.ends_with(scenario.description), "{line}");
    }
}

#[test]
fn demo_of_the_healthy_scenario_prints_a_clean_json_report() {
    let run = doctor(&["demo", "--scenario", "healthy", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}): {run:#?}"));
    assert_eq!(report["summary"]["fail"], 0, "{report}");
    assert_eq!(report["summary"]["error"], 0, "{report}");
    assert!(report["summary"]["pass"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(report["target"]["org_id"], ROOT);
    assert!(
        report["target"]["host"]
            .as_str()
            .is_some_and(|h| h.starts_with("http://127.0.0.1:")),
        "{report}"
    );
    assert!(!run.stdout.contains(CLIENT_SECRET), "the secret leaked");
}

#[test]
fn demo_with_a_login_bearer_runs_in_exact_mode() {
    let run = doctor(
        &[
            "demo",
            "--scenario",
            "exact-many-scopes",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{run:#?}");
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}): {run:#?}"));
    let checks = report["checks"].as_array().expect("checks[]");
    let token = checks
        .iter()
        .find(|c| c["id"] == "auth.token")
        .expect("an auth.token outcome");
    // A ready token: no token request was made.
    assert_eq!(token["status"], "skip", "{token}");
    assert!(!run.stdout.contains(ADMIN_TOKEN), "the token leaked");
}

#[test]
fn demo_of_an_unknown_scenario_names_the_valid_ones() {
    let run = doctor(&["demo", "--scenario", "nope"], &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains("\"nope\""),
        "{run:#?}"
    );
    for scenario in SCENARIOS {
        assert!(
            run.stderr.contains(scenario.name),
            "{} not named: {run:#?}",
            scenario.name
        );
    }
}

#[test]
fn sim_names_the_line_of_a_bad_scenario_file() {
    let file = Scratch::new("bad-type.toml", "region = \"us\"\n[login]\nclient_id = 3\n");
    let run = doctor(&["sim", "--port", "0", "--scenario-file", file.path()], &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert_contains_all(&run.stderr, &[file.path(), "line 3"], &run);
}

#[test]
fn sim_names_the_line_of_an_error_at_the_start_of_a_line() {
    let file = Scratch::new(
        "unknown-key.toml",
        "region = \"us\"\nlatency_ms = 5\nbogus = 1\n",
    );
    let run = doctor(&["sim", "--port", "0", "--scenario-file", file.path()], &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_contains_all(&run.stderr, &["bogus", "line 3"], &run);
}

/// A child process, killed and reaped on drop (also when the test fails).
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn sim_over_tls_serves_clients_that_trust_its_certificate() {
    let cert = Scratch::new("sim.pem", "");
    let mut child = Child(
        Command::new(BIN)
            .env_clear()
            .args(["sim", "--tls", "--port", "0", "--cert-file", cert.path()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the simulator starts"),
    );
    // Lines arrive on a channel, so waiting for readiness is bounded.
    let stdout = child.0.stdout.take().expect("stdout is piped");
    let (lines, incoming) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    let base = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = incoming
            .recv_timeout(left)
            .unwrap_or_else(|e| panic!("no \"Listening on https://\" line ({e}): {seen:#?}"));
        if let Some(rest) = line.strip_prefix("Listening on ") {
            let url = rest.split_whitespace().next().expect("a URL").to_string();
            assert!(url.starts_with("https://127.0.0.1:"), "{line}");
            break url;
        }
        seen.push(line);
    };

    let pem = std::fs::read(&cert.0).expect("the certificate was written");
    let https = client_trusting(PATIENCE, &pem);
    let token: Value = https
        .post(format!("{base}/accounts/api/v2/oauth2/token"))
        .json(&json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}))
        .send()
        .await
        .expect("the token request is answered over TLS")
        .json()
        .await
        .expect("a JSON token");
    let token = token["access_token"].as_str().expect("an access token");
    let me = https
        .get(format!("{base}/accounts/api/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("users/me is answered over TLS");
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.expect("JSON");
    assert_eq!(me["id"], CLIENT_ID);
    assert_eq!(me["organizationId"], ROOT);

    // A client that does not trust the certificate is refused.
    let untrusting = client(PATIENCE);
    assert!(
        untrusting
            .get(format!("{base}/accounts/api/users/me"))
            .send()
            .await
            .is_err()
    );
    assert!(
        child.0.try_wait().expect("the child's state").is_none(),
        "the simulator keeps serving"
    );
}
