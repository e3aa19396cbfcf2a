//! Route coverage: every path the doctor sends has a simulator route. The
//! paths come from where they are written: the check files' probes and
//! lists (through the registry), and the path literals of
//! `src/platform/paths.rs`, `src/commands/` and `src/fix/`. Each is filled
//! with the healthy world's ids and sent to a simulator on a free loopback
//! port; only the simulator's unknown-route answer carries
//! `respond::UNROUTED`, so a retired path that has a route answering the
//! platform's 404 passes, and a path nobody routed fails.

use std::collections::BTreeSet;
use std::path::Path;

use anypoint_doctor::doctor::Registry;
use anypoint_doctor::doctor::spec::{CheckKind, ProbeSpec};
use anypoint_doctor::platform::ProbeMethod;
use anypoint_sim::respond::UNROUTED;
use anypoint_sim::scenarios::{self, ADMIN_TOKEN, CLIENT_ID, ROOT_ORG};
use anypoint_sim::{ServeOptions, World};
use reqwest::Method;

use crate::support::api::{PATIENCE, client};

/// The services whose paths the doctor calls (§1 of the reference).
const SERVICES: &[&str] = &["/accounts/", "/apimanager/", "/exchange/", "/apiplatform/"];

/// Where the doctor's commands write paths outside the check files.
const SOURCES: &[&str] = &["src/platform/paths.rs", "src/commands", "src/fix"];

fn healthy() -> World {
    scenarios::find("healthy")
        .expect("the healthy scenario")
        .world()
        .resolve()
        .expect("the healthy world resolves")
}

/// Fills each `{placeholder}` with the id of the thing the path segment
/// before it names, in `world`; a query parameter gets a small number.
fn fill(template: &str, world: &World) -> String {
    let api = world.apis.first().expect("the healthy world has an API");
    let application = world
        .client_applications
        .first()
        .expect("the healthy world has a client application");
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = start + rest[start..].find('}').expect("a closed placeholder");
        out.push_str(&rest[..start]);
        let segment = out.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let id = if out.contains('?') {
            "1".to_string()
        } else {
            match segment {
                "organizations" => ROOT_ORG.to_string(),
                "environments" => api.env.clone(),
                "apis" => api.id.to_string(),
                "applications" => application.id.to_string(),
                "connectedApplications" => CLIENT_ID.to_string(),
                other => panic!("{template}: no sample id after {other:?}"),
            }
        };
        out.push_str(&id);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `(method, path template)` of every request a check file describes.
fn check_paths() -> BTreeSet<(String, String)> {
    let probe = |p: &ProbeSpec| {
        let method = match p.method {
            ProbeMethod::Get => "GET",
            ProbeMethod::Post => "POST",
        };
        (method.to_string(), p.path.clone())
    };
    let get = |path: &str| ("GET".to_string(), path.to_string());
    let mut paths = BTreeSet::new();
    for check in &Registry::get().checks {
        match &check.kind {
            CheckKind::Scope(spec) => paths.extend(spec.probes.iter().map(probe)),
            CheckKind::DeprecatedEndpoint(spec) => {
                paths.insert(probe(&spec.retired));
                paths.insert(probe(&spec.replacement));
            }
            CheckKind::EmptyList(spec) => {
                paths.insert(get(&spec.list));
                paths.extend(spec.cross_lists.iter().map(|c| get(&c.path)));
                paths.extend(spec.contracts_in.as_deref().map(get));
            }
            _ => {}
        }
    }
    paths
}

/// Every string literal of the doctor's command sources that starts with a
/// service's path: the path templates commands send, whatever the method.
fn command_paths() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for source in SOURCES {
        let path = root.join(source);
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("a source folder") {
                files.push(entry.expect("a source file").path());
            }
        } else {
            files.push(path);
        }
    }
    let mut paths = BTreeSet::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for literal in text.split('"').skip(1).step_by(2) {
            if SERVICES.iter().any(|s| literal.starts_with(s)) {
                paths.insert(literal.to_string());
            }
        }
    }
    paths
}

#[tokio::test]
async fn every_path_the_doctor_sends_has_a_simulator_route() {
    let world = healthy();
    let checks = check_paths();
    let commands = command_paths();
    // Would a source move elsewhere, these would silently shrink to nothing.
    assert!(checks.len() >= 6, "{checks:?}");
    assert!(
        commands.iter().any(|p| p.contains("oauth2/token"))
            && commands.iter().any(|p| p.contains("/applications")),
        "{commands:?}"
    );
    let requests: Vec<(Method, String)> = checks
        .iter()
        .map(|(method, path)| (method.parse().expect("an HTTP method"), path.clone()))
        .chain(commands.iter().map(|path| (Method::GET, path.clone())))
        .collect();

    let sim = anypoint_sim::start(world.clone(), ServeOptions::default())
        .await
        .expect("the simulator starts");
    let client = client(PATIENCE);
    let send = |method: Method, path: String| {
        client
            .request(method, format!("{}{path}", sim.base_url))
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "application/json")
            .body("{}")
            .send()
    };

    let unknown = send(Method::GET, "/accounts/api/no-such-endpoint".into())
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), 404);
    assert!(
        unknown.headers().contains_key(UNROUTED),
        "the unknown-route answer is marked"
    );
    assert_eq!(
        unknown.json::<serde_json::Value>().await.expect("JSON"),
        serde_json::json!({"status": 404, "message": "Not Found", "details": {}}),
        "and is the platform's 404 all the same"
    );

    let mut unrouted = Vec::new();
    for (method, template) in &requests {
        let path = fill(template, &world);
        let answer = send(method.clone(), path.clone()).await.expect("an answer");
        // A check's method must be routed too; a command's path is sent as
        // GET, where 405 still says the path has a route.
        let checked_method = checks.contains(&(method.to_string(), template.clone()));
        if answer.headers().contains_key(UNROUTED) || (checked_method && answer.status() == 405) {
            unrouted.push(format!("{method} {path} ({template}): {}", answer.status()));
        }
    }
    sim.stop().await;
    assert!(
        unrouted.is_empty(),
        "no simulator route for:\n{}",
        unrouted.join("\n")
    );
}
