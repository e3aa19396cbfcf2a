//! Benchmark: how long the simulator takes to answer, with no latency
//! injected, measured from a client on the same machine over keep-alive.
//! Run: `cargo run --release --example sim_latency [REQUESTS]`.

// A benchmark prints its figures: that is its whole output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use anypoint_sim::{ServeOptions, scenarios, start};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let world = scenarios::find("healthy").expect("healthy exists").world();
    let login = world.login.clone();
    let sim = start(world, ServeOptions::default())
        .await
        .expect("the simulator starts");
    let tls = anypoint_doctor::platform::tls::client_config(None).expect("the system's roots");
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a reqwest client");
    let token: serde_json::Value = client
        .post(format!("{}/accounts/api/v2/oauth2/token", sim.base_url))
        .json(&serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": login.client_id,
            "client_secret": login.client_secret,
        }))
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token body");
    let token = token["access_token"].as_str().expect("a token").to_string();
    let paths = [
        "/accounts/api/me".to_string(),
        format!(
            "/accounts/api/organizations/{}/environments",
            scenarios::ROOT_ORG
        ),
        format!(
            "/apimanager/api/v1/organizations/{}/environments/{}/apis",
            scenarios::ROOT_ORG,
            scenarios::SANDBOX
        ),
        format!(
            "/apiplatform/repository/v2/organizations/{}/applications?includeContractsForApiVersion=0&limit=200",
            scenarios::ROOT_ORG
        ),
    ];
    println!("{requests} sequential requests per endpoint, keep-alive, no injected latency");
    for path in &paths {
        let mut times: Vec<Duration> = Vec::with_capacity(requests);
        for _ in 0..requests {
            let started = Instant::now();
            let response = client
                .get(format!("{}{path}", sim.base_url))
                .bearer_auth(&token)
                .send()
                .await
                .expect("request");
            let _ = response.bytes().await.expect("body");
            times.push(started.elapsed());
        }
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1e6;
        println!(
            "  {:<44} median {:>6.0} µs   p99 {:>6.0} µs",
            path.split('?')
                .next()
                .unwrap_or(path)
                .replace(scenarios::ROOT_ORG, "{org}")
                .replace(scenarios::SANDBOX, "{env}"),
            at(0.5),
            at(0.99)
        );
    }
    sim.stop().await;
}
