//! Hardening: the network part of the threat model (see main.rs).

use std::time::{Duration, Instant};

use crate::support::sim::{Fault, FaultKind};

use crate::support::bin::{Run, doctor_async};
use crate::support::sim::{app_env, serve, world};

/// A world whose API Manager never answers a listing.
fn hung_api_manager() -> crate::support::sim::World {
    let mut world = world("healthy");
    world.faults.push(Fault {
        path: "/apimanager/api/v1/organizations/*/environments/*/apis".into(),
        method: Some("GET".into()),
        fault: FaultKind::Hang,
        times: None,
    });
    world
}

/// Runs `apis` and `create contract` with `extra` flags against a hung API
/// Manager; each run must end with exit 3. Returns how long each took.
async fn against_a_hung_api_manager(extra: &[&str]) -> Vec<(Vec<String>, Run, Duration)> {
    let world = hung_api_manager();
    assert_eq!(world.root.environments.len(), 3, "the bounds assume 3");
    let sim = serve(world.clone()).await;
    let env = app_env(&sim, &world);
    let mut runs = Vec::new();
    for command in [
        &["apis"][..],
        &["create", "contract", "--app", "x", "--api", "1"][..],
    ] {
        let args: Vec<&str> = command.iter().chain(extra).copied().collect();
        let started = Instant::now();
        let run = doctor_async(&args, &env).await;
        let took = started.elapsed();
        assert_eq!(run.code, 3, "{args:?}: {run:#?}");
        runs.push((args.iter().map(|a| a.to_string()).collect(), run, took));
    }
    sim.stop().await;
    runs
}

/// `apis` and `create contract` ask every environment at once: a hung API
/// Manager costs one timeout, not one per environment (three here).
#[tokio::test]
async fn a_hung_api_manager_costs_one_timeout_not_one_per_environment() {
    for (args, _, took) in against_a_hung_api_manager(&["--timeout", "2"]).await {
        // One after another, three environments take at least 6 s.
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    }
}

/// `--probe-regions` sends the credentials to the other MuleSoft control
/// planes only from one of them: from a loopback host they go nowhere else.
/// (Any https request is pointed at a dead loopback proxy, so even a
/// regression would not leave the machine.)
#[tokio::test]
async fn probe_regions_from_a_host_that_is_no_control_plane_asks_no_one() {
    let world = world("wrong-secret");
    let sim = serve(world.clone()).await;
    let mut env = app_env(&sim, &world);
    env.push(("HTTPS_PROXY", "http://127.0.0.1:9"));
    let run = doctor_async(
        &[
            "check",
            "--select",
            "auth.token",
            "--probe-regions",
            "--format",
            "json",
        ],
        &env,
    )
    .await;
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let token = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|o| o["id"] == "auth.token")
        .expect("auth.token ran");
    let summary = token["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("asked no other control plane"),
        "{summary}"
    );
    let evidence = token["evidence"].as_array().expect("evidence");
    assert!(
        evidence.iter().all(|e| e["url"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&sim.base_url)),
        "{evidence:#?}"
    );
    sim.stop().await;
}

/// `apis` and `create contract` have the `--deadline` that `check` has: a
/// hung API Manager with a long `--timeout` still ends on time, before any write.
#[tokio::test]
async fn apis_and_create_contract_end_at_the_deadline() {
    let extra = ["--timeout", "60", "--deadline", "1"];
    for (args, run, took) in against_a_hung_api_manager(&extra).await {
        assert!(
            run.stderr.contains("not finished within --deadline 1 s")
                && run.stderr.contains("nothing was written"),
            "{args:?}: {run:#?}"
        );
        assert!(took < Duration::from_secs(30), "{args:?}");
    }
}

/// Issue 23, hole 3: a redirect from the host is not followed. The token
/// request (the client secret in its body) is not re-sent to where a 307
/// points, and the answer is told as a redirect, naming where it pointed,
/// never as refused credentials.
#[tokio::test]
async fn a_redirect_is_told_where_it_points_and_never_followed() {
    let mut elsewhere = mockito::Server::new_async().await;
    let caught = elsewhere
        .mock("POST", mockito::Matcher::Any)
        .with_status(401)
        .expect(0)
        .create_async()
        .await;
    let caught_get = elsewhere
        .mock("GET", mockito::Matcher::Any)
        .with_status(200)
        .expect(0)
        .create_async()
        .await;
    let target = format!("{}/accounts/api/v2/oauth2/token", elsewhere.url());
    let mut host = mockito::Server::new_async().await;
    host.mock("POST", "/accounts/api/v2/oauth2/token")
        .with_status(307)
        .with_header("location", &target)
        .create_async()
        .await;
    host.mock("GET", "/").with_status(404).create_async().await;
    let secret = "redirect-secret-0123456789abcdef";
    let run = doctor_async(
        &["check", "--select", "auth"],
        &[
            ("ANYPOINT_HOST", host.url().as_str()),
            ("ANYPOINT_CLIENT_ID", "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"),
            ("ANYPOINT_CLIENT_SECRET", secret),
        ],
    )
    .await;
    caught.assert_async().await;
    caught_get.assert_async().await;
    let output = run.output();
    assert!(!output.contains(secret), "{run:#?}");
    assert!(
        output.contains("redirect") && output.contains(&elsewhere.url()),
        "{run:#?}"
    );
    assert!(
        !output.contains("refused the client credentials"),
        "{run:#?}"
    );
    assert_ne!(run.code, 0, "{run:#?}");
}
