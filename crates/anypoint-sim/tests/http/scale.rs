//! The simulator at scale, seen from a plain HTTP client: a generated world of
//! N business groups × M environments (`generated-<N>x<M>`) as the hierarchy and
//! environment lists show it, and the per-path rate limit those worlds switch
//! on (`X-RateLimit-*` counting down, 429 with `Retry-After` past the limit,
//! throttled answers counted). Scenarios without a limit never answer 429.
//!
//! The limiter's clock is fixed for these tests, so no window ends mid-test
//! and nothing sleeps.

use anypoint_sim::World;
use anypoint_sim::load::{self, WorldOptions};
use anypoint_sim::scenarios::{CLIENT_ID, CLIENT_SECRET};
use serde_json::{Value, json};

use crate::support::api::{Answer, Api, world};

/// A time in the middle of a one-minute window (epoch seconds): 20 s in, 40 s left.
const MID_WINDOW: u64 = 1_800_000_000 + 20;
const WINDOW_END: u64 = 1_800_000_000 + 60;
const ME: &str = "/accounts/api/me";

/// A world as `sim --scenario NAME` loads it.
fn loaded(name: &str) -> World {
    let options = WorldOptions {
        scenario: Some(name.into()),
        ..WorldOptions::default()
    };
    load::world(options, "healthy")
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .0
}

/// The simulator of `world`, its limiter's clock fixed at `MID_WINDOW`.
async fn start(world: World) -> Api {
    let sim = Api::start(world).await;
    sim.running.state.rate_limits.set_clock(MID_WINDOW);
    sim
}

#[track_caller]
fn number(answer: &Answer, name: &str) -> u64 {
    answer
        .header(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric {name}: {answer:?}"))
}

/// `GET /accounts/api/organizations/{org}/{what}`, answered 200 with JSON.
async fn org_json(sim: &Api, org: &str, what: &str, token: &str) -> Value {
    let path = format!("/accounts/api/organizations/{org}/{what}");
    let (status, body) = sim.get(&path, Some(token)).await.pair();
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Every organization id of a hierarchy answer, depth first.
fn org_ids(node: &Value, out: &mut Vec<String>) {
    out.push(node["id"].as_str().expect("an org id").to_string());
    for child in node["subOrganizations"]
        .as_array()
        .expect("subOrganizations")
    {
        org_ids(child, out);
    }
}

#[tokio::test]
async fn a_generated_world_lists_n_business_groups_with_m_environments_each() {
    for (name, groups, environments) in [("generated-20x5", 20, 5), ("generated-4x3", 4, 3)] {
        let world = loaded(name);
        assert_eq!(world.orgs().len(), groups, "{name}");
        let sim = start(world.clone()).await;
        let token = sim.token(CLIENT_ID, CLIENT_SECRET).await;
        let root = world.root.id.clone();
        let tree = org_json(&sim, &root, "hierarchy", &token).await;
        let mut orgs = Vec::new();
        org_ids(&tree, &mut orgs);
        assert_eq!(orgs.len(), groups, "{name}: {tree}");
        let mut seen = 0;
        for org in &orgs {
            let list = org_json(&sim, org, "environments", &token).await;
            let types: Vec<&str> = list["data"]
                .as_array()
                .expect("data")
                .iter()
                .map(|e| e["type"].as_str().expect("a type"))
                .collect();
            assert_eq!(types.len(), environments, "{name} {org}: {list}");
            assert_eq!(types.first(), Some(&"design"), "{list}");
            if environments > 1 {
                assert_eq!(types.last(), Some(&"production"), "{list}");
            }
            seen += types.len();
        }
        assert_eq!(seen, groups * environments, "{name}");
        assert_eq!(sim.running.state.throttled(), 0);
        sim.stop().await;
    }
    // The same world every time.
    assert_eq!(
        serde_json::to_value(loaded("generated-20x5")).unwrap(),
        serde_json::to_value(world("generated-20x5")).unwrap()
    );
}

#[tokio::test]
async fn a_generated_world_grants_api_manager_in_every_business_group_and_environment() {
    let world = loaded("generated-3x2");
    let sim = start(world.clone()).await;
    let token = sim.token(CLIENT_ID, CLIENT_SECRET).await;
    for org in world.orgs() {
        for env in &org.environments {
            let path = format!(
                "/apimanager/api/v1/organizations/{}/environments/{}/apis",
                org.id, env.id
            );
            let answer = sim.get(&path, Some(&token)).await;
            // Every environment API Manager manages: not Design (§12.1).
            let expected = if env.is_design() { 404 } else { 200 };
            assert_eq!(answer.status, expected, "{path}: {answer:?}");
        }
    }
    sim.stop().await;
}

#[tokio::test]
async fn headers_count_down_and_the_request_over_the_limit_is_a_counted_429() {
    let sim = start(loaded("generated-2x2")).await;
    let token = sim.token(CLIENT_ID, CLIENT_SECRET).await;
    for expected in (0..400).rev() {
        let answer = sim.get(ME, Some(&token)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(number(&answer, "x-ratelimit-limit"), 400);
        assert_eq!(number(&answer, "x-ratelimit-remaining"), expected);
        assert_eq!(number(&answer, "x-ratelimit-reset"), WINDOW_END);
    }
    assert_eq!(sim.running.state.throttled(), 0);
    let answer = sim.get(ME, Some(&token)).await;
    assert_eq!(
        answer.pair(),
        (429, json!({"status": 429, "message": "Too Many Requests"}))
    );
    assert_eq!(answer.header("retry-after"), Some("40"), "{answer:?}");
    assert_eq!(number(&answer, "x-ratelimit-limit"), 400);
    assert_eq!(number(&answer, "x-ratelimit-remaining"), 0);
    assert_eq!(number(&answer, "x-ratelimit-reset"), WINDOW_END);
    assert!(answer.header("x-anypnt-trx-id").is_some(), "{answer:?}");
    assert_eq!(sim.running.state.throttled(), 1);
    // Every request is in the log, the throttled one too.
    assert_eq!(sim.running.state.requests(), 402);
    // Another endpoint has its own counter.
    let other = sim.get("/accounts/api/users/me", Some(&token)).await;
    assert_eq!(number(&other, "x-ratelimit-remaining"), 399, "{other:?}");
    // The next window starts afresh.
    sim.running.state.rate_limits.set_clock(WINDOW_END);
    let answer = sim.get(ME, Some(&token)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(number(&answer, "x-ratelimit-remaining"), 399);
    assert_eq!(number(&answer, "x-ratelimit-reset"), WINDOW_END + 60);
    assert_eq!(sim.running.state.throttled(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn one_endpoint_counts_across_business_groups() {
    let mut world = loaded("generated-3x1");
    world.rate_limit_per_minute = Some(2);
    let orgs: Vec<String> = world.orgs().iter().map(|o| o.id.clone()).collect();
    let sim = start(world).await;
    let token = sim.token(CLIENT_ID, CLIENT_SECRET).await;
    let mut statuses = Vec::new();
    for org in &orgs {
        let answer = sim
            .get(
                &format!("/accounts/api/organizations/{org}/environments"),
                Some(&token),
            )
            .await;
        statuses.push(answer.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(sim.running.state.throttled(), 1);
    sim.stop().await;
}

#[tokio::test]
async fn scenarios_without_a_limit_never_answer_429() {
    let world = world("healthy");
    assert_eq!(world.rate_limit_per_minute, None);
    let sim = start(world).await;
    let token = sim.token(CLIENT_ID, CLIENT_SECRET).await;
    for _ in 0..450 {
        let answer = sim.get(ME, Some(&token)).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        // No limit, and none advertised: a client that paces never waits.
        assert_eq!(answer.header("x-ratelimit-remaining"), None, "{answer:?}");
    }
    assert_eq!(sim.running.state.throttled(), 0);
    sim.stop().await;
}
