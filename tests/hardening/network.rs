//! Hardening: the network part of the threat model (see main.rs).

use std::time::{Duration, Instant};

use anypoint_doctor::sim::world::{Fault, FaultKind};

use super::{app_env, doctor_async, serve, world};

/// A world whose API Manager never answers a listing.
fn hung_api_manager() -> anypoint_doctor::sim::World {
    let mut world = world("healthy");
    world.faults.push(Fault {
        path: "/apimanager/api/v1/organizations/*/environments/*/apis".into(),
        method: Some("GET".into()),
        fault: FaultKind::Hang,
        times: None,
    });
    world
}

/// `apis` and `create contract` ask every environment at once: a hung API
/// Manager costs one timeout, not one per environment (three here).
#[tokio::test]
async fn a_hung_api_manager_costs_one_timeout_not_one_per_environment() {
    let world = hung_api_manager();
    assert_eq!(
        world.root.environments.len(),
        3,
        "the bound below assumes 3"
    );
    let sim = serve(world.clone()).await;
    let env = app_env(&sim, &world);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for args in [
        &["apis", "--timeout", "2"][..],
        &[
            "create",
            "contract",
            "--app",
            "x",
            "--api",
            "1",
            "--timeout",
            "2",
        ][..],
    ] {
        let started = Instant::now();
        let run = doctor_async(args, &env).await;
        let took = started.elapsed();
        assert_eq!(run.code, 3, "{args:?}: {run:#?}");
        // One after another, three environments take at least 6 s.
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    }
    sim.stop().await;
}
