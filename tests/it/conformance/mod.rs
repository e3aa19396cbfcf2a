//! Conformance of the simulator to MuleSoft's published API descriptions:
//! every route of `published/*.json` (response schemas derived from the
//! OpenAPI descriptions of github.com/mulesoft-anypoint/anypoint-client-go),
//! called in every scenario as the org admin, with its placeholders filled
//! from the scenario's world, must answer the described status and a body
//! that validates against the schema. Prints a table per module
//! (`cargo test --test it conformance -- --nocapture`) and fails listing
//! every mismatch.

mod bindings;
mod generate;
mod models;
mod published;
mod readers;

use std::collections::BTreeMap;

use anypoint_sim::{World, scenarios};
use reqwest::Method;

use crate::support::api::Api;
use published::Route;

/// One answer that is not what the description says.
struct Mismatch {
    scenario: String,
    /// The route's index in the published list (None: the scenario as a whole).
    route: Option<usize>,
    url: String,
    pointer: String,
    message: String,
}

/// What a module's routes did over every scenario.
#[derive(Default)]
struct Tally {
    routes: usize,
    matched: usize,
    validated: usize,
}

/// The scenario's world as the conformance test serves it: its injected
/// faults, latency, rate limit and token revocation removed, since they are
/// about delivery, not about the shape of an answer.
fn shapes_only(mut world: World) -> World {
    world.faults.clear();
    world.latency_ms = 0;
    world.rate_limit_per_minute = None;
    world.revoke_tokens_after = None;
    world
}

/// The answers of every route in one scenario, checked. Returns, per route
/// (by index), how many answers validated; mismatches go to `found`.
async fn check_scenario(
    name: &str,
    world: World,
    routes: &[(Route, jsonschema::Validator)],
    found: &mut Vec<Mismatch>,
) -> Vec<usize> {
    let mut validated = vec![0; routes.len()];
    let mismatch = |route: Option<usize>, url: &str, pointer: &str, message: String| Mismatch {
        scenario: name.to_string(),
        route,
        url: url.to_string(),
        pointer: pointer.to_string(),
        message,
    };
    // An org admin of the root org may call every route (`routes::allowed`).
    let Some(admin) = world
        .users
        .iter()
        .find(|u| u.org_admin && u.org == world.root.id)
        .map(|u| u.token.clone())
    else {
        found.push(mismatch(
            None,
            "-",
            "",
            "the world has no org admin of the root org".into(),
        ));
        return validated;
    };
    let api = Api::start(world.clone()).await;
    for (n, (route, validator)) in routes.iter().enumerate() {
        let bindings = match bindings::for_route(&world, &route.path, &route.placeholders()) {
            Ok(bindings) => bindings,
            Err(unresolved) => {
                found.push(mismatch(
                    Some(n),
                    &route.path,
                    "",
                    format!(
                        "no value for {} in a scenario's world: resolve it in tests/it/conformance/bindings.rs",
                        unresolved.join(", ")
                    ),
                ));
                continue;
            }
        };
        for binding in bindings {
            let url = route.fill(&binding);
            let method = Method::from_bytes(route.method.as_bytes()).expect("an HTTP method");
            let request = api.http.request(method, api.url(&url)).bearer_auth(&admin);
            let answer = api.send(request).await;
            let target = format!("{} {url}", route.method);
            if answer.status.as_u16() != route.status {
                let excerpt: String = answer.body.chars().take(200).collect();
                found.push(mismatch(
                    Some(n),
                    &target,
                    "",
                    format!(
                        "status {}, described {}: {excerpt}",
                        answer.status, route.status
                    ),
                ));
                continue;
            }
            let body: serde_json::Value = match serde_json::from_str(&answer.body) {
                Ok(body) => body,
                Err(e) => {
                    found.push(mismatch(Some(n), &target, "", format!("not JSON: {e}")));
                    continue;
                }
            };
            let errors: Vec<_> = validator.iter_errors(&body).collect();
            if errors.is_empty() {
                validated[n] += 1;
            }
            for error in errors {
                found.push(mismatch(
                    Some(n),
                    &target,
                    &error.instance_path().to_string(),
                    error.to_string(),
                ));
            }
        }
    }
    api.stop().await;
    validated
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_served_route_answers_as_mulesofts_published_description_says() {
    let routes: Vec<(Route, jsonschema::Validator)> = published::routes()
        .into_iter()
        .map(|r| {
            let v = r.validator();
            (r, v)
        })
        .collect();
    let mut found = Vec::new();
    let mut validated = vec![0; routes.len()];
    for scenario in scenarios::SCENARIOS {
        let world = scenario
            .world()
            .resolve()
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
        let counts = check_scenario(scenario.name, shapes_only(world), &routes, &mut found).await;
        for (total, n) in validated.iter_mut().zip(counts) {
            *total += n;
        }
    }
    for (n, ((route, _), count)) in routes.iter().zip(&validated).enumerate() {
        if *count == 0 && !found.iter().any(|m| m.route == Some(n)) {
            found.push(Mismatch {
                scenario: "every scenario".into(),
                route: Some(n),
                url: format!("{} {}", route.method, route.path),
                pointer: String::new(),
                message: "never called: no scenario's world has the data this route needs".into(),
            });
        }
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for (n, ((route, _), count)) in routes.iter().zip(&validated).enumerate() {
        let tally = tallies.entry(&route.module).or_default();
        tally.routes += 1;
        tally.validated += count;
        if !found.iter().any(|m| m.route == Some(n)) {
            tally.matched += 1;
        }
    }
    println!(
        "{:<24} {:>14} {:>14} {:>18}",
        "module", "routes checked", "routes matched", "answers validated"
    );
    for (module, t) in &tallies {
        println!(
            "{module:<24} {:>14} {:>14} {:>18}",
            t.routes, t.matched, t.validated
        );
    }
    println!("\ndocumented deviations (each route's notes):");
    for (route, _) in &routes {
        for note in &route.notes {
            println!(
                "  {} {} ({}): {note}",
                route.module, route.operation, route.path
            );
        }
    }
    let report: Vec<String> = found
        .iter()
        .map(|m| {
            format!(
                "{}: {} at {:?}: {}",
                m.scenario, m.url, m.pointer, m.message
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "{} answers differ from the published descriptions:\n{}",
        report.len(),
        report.join("\n")
    );
}
