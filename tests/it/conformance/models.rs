//! The doctor's models against answers generated from the published schemas:
//! each route the doctor reads answers, on the mock control plane, a body
//! that conforms to its schema or breaks it in one place, and the checks
//! that read the route run in-process. Whatever the body: no panic, an exit
//! status among the documented ones, and a check whose answer lacked what it
//! needs (or could not be read for it) does not pass.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use anypoint_doctor::report::{FailOn, Report, Status};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;

use super::generate::{conforming, violating};
use super::published;
use crate::support::report::dump;
use crate::support::tenant::{self, ROOT, SANDBOX, Tenant, ok, path, selecting, settings};

/// Cases per route: enough to reach every optional field and break, few
/// enough that the whole test runs in a few seconds on two cores.
const CASES: u32 = 40;

/// A route the doctor reads, where the mock tenant serves it, the check that
/// reads it (and its target), and whether a body holds what that check needs.
struct Reader {
    published: &'static str,
    served_at: String,
    check: &'static str,
    target: Option<&'static str>,
    needs: fn(&Value) -> bool,
    /// Puts the tenant's ids where the body has ids of the right type, so
    /// that the requests a body leads to reach the tenant's routes.
    anchor: fn(&mut Value),
}

/// `value` becomes `to` if it is a string.
fn anchor_text(value: Option<&mut Value>, to: &str) {
    if let Some(value) = value.filter(|v| v.is_string()) {
        *value = to.into();
    }
}

fn org_anchor(body: &mut Value) {
    anchor_text(body.get_mut("id"), ROOT);
}

fn no_anchor(_: &mut Value) {}

/// The first instance listed becomes the tenant's Sandbox instance.
fn instances_anchor(body: &mut Value) {
    let first = body
        .get_mut("assets")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get_mut("apis").and_then(Value::as_array_mut))
        .flatten()
        .next();
    if let Some(api) = first.filter(|a| a.is_object()) {
        if api["id"].is_u64() {
            api["id"] = tenant::api_id(SANDBOX).into();
        }
        anchor_text(api.get_mut("groupId"), ROOT);
        anchor_text(api.get_mut("assetId"), "orders-api");
    }
}

fn text(value: &Value) -> bool {
    value.is_string()
}

/// The organization check names the org and finds its root: it needs `id` and `name`.
fn org_needs(body: &Value) -> bool {
    text(&body["id"]) && text(&body["name"])
}

/// The environment check lists each environment by `id` and `name`.
fn environments_need(body: &Value) -> bool {
    body["data"].as_array().is_some_and(|envs| {
        envs.iter()
            .all(|e| e.is_object() && text(&e["id"]) && text(&e["name"]))
    })
}

/// The Manage Contracts probe is aimed at the first instance the list
/// holds: it needs `assets`, and an instance with an `id` (a non-negative integer).
fn instances_need(body: &Value) -> bool {
    let Some(assets) = body["assets"].as_array() else {
        return false;
    };
    let first = assets
        .iter()
        .filter_map(|a| a["apis"].as_array())
        .flatten()
        .next();
    first.is_some_and(|api| api["id"].is_u64())
}

fn readers() -> Vec<Reader> {
    vec![
        Reader {
            published: "/accounts/api/organizations/{orgId}",
            served_at: path::org(ROOT),
            check: "org.structure",
            target: None,
            needs: org_needs,
            anchor: org_anchor,
        },
        Reader {
            published: "/accounts/api/organizations/{orgId}/environments",
            served_at: path::environments(ROOT),
            check: "org.environments",
            target: None,
            needs: environments_need,
            anchor: no_anchor,
        },
        Reader {
            published: "/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis",
            served_at: path::apis(ROOT, SANDBOX),
            check: "scope.manage-contracts",
            target: Some("Sandbox"),
            needs: instances_need,
            anchor: instances_anchor,
        },
    ]
}

/// Panics on this test's threads (the test's own and its runtime's), seen by
/// a hook that also lets the default one print them.
static PANICS: AtomicUsize = AtomicUsize::new(0);
const RUNTIME_THREADS: &str = "conformance-models";

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = std::thread::current().name().is_some_and(|n| {
                n.starts_with(RUNTIME_THREADS) || n.contains("conformance::models")
            });
            if ours {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// The checks `reader` names, run on the healthy tenant with `body` on its route.
fn run(runtime: &tokio::runtime::Runtime, reader: &Reader, body: &Value) -> Report {
    let mut tenant = Tenant::healthy();
    tenant.set("GET", reader.served_at.clone(), ok(body.to_string()));
    runtime.block_on(async {
        let mut server = mockito::Server::new_async().await;
        // Requests the generated ids lead to are answered 501, not verified:
        // where they go is up to the body.
        let _mounted = tenant.mount(&mut server).await;
        tenant::run(settings(&server), selecting(&[reader.check])).await
    })
}

/// How a route's cases went: bodies without what the check needs, and passes.
#[derive(Debug, Default)]
struct Seen {
    lacking: usize,
    passed: usize,
}

/// What must hold of a report for `body`.
fn judge(
    reader: &Reader,
    body: &Value,
    report: &Report,
    seen: &mut Seen,
) -> Result<(), TestCaseError> {
    let exit = report.exit_status(FailOn::Fail) as i32;
    prop_assert!((0..=3).contains(&exit), "exit {exit}: {}", dump(report));
    let passed = report.checks.iter().any(|o| {
        o.id == reader.check && o.target.as_deref() == reader.target && o.status == Status::Pass
    });
    seen.passed += usize::from(passed);
    if !(reader.needs)(body) {
        seen.lacking += 1;
        prop_assert!(
            !passed,
            "{} passed on an answer without what it needs:\n{body:#}\n{}",
            reader.check,
            dump(report)
        );
    }
    Ok(())
}

#[test]
fn the_doctor_reads_any_answer_the_descriptions_allow_or_break_without_a_false_pass() {
    count_panics();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(RUNTIME_THREADS)
        .enable_all()
        .build()
        .expect("a runtime");
    let routes = published::routes();
    for reader in readers() {
        let route = routes
            .iter()
            .find(|r| r.method == "GET" && r.path == reader.published)
            .unwrap_or_else(|| panic!("no published schema for {}", reader.published));
        let anchor = reader.anchor;
        let bodies = prop_oneof![conforming(&route.schema), violating(&route.schema)].prop_map(
            move |mut body| {
                anchor(&mut body);
                body
            },
        );
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(0x0c0f_0a11),
            ..Config::default()
        });
        let seen = std::cell::RefCell::new(Seen::default());
        runner
            .run(&bodies, |body| {
                let report = run(&runtime, &reader, &body);
                judge(&reader, &body, &report, &mut seen.borrow_mut())
            })
            .unwrap_or_else(|e| panic!("{} ({}): {e}", reader.check, reader.published));
        let seen = seen.into_inner();
        println!("{} on {}: {seen:?}", reader.check, reader.published);
        // Neither side of the property may go untested.
        assert!(
            seen.lacking > 0 && seen.passed > 0,
            "{}: {seen:?}: the generated bodies no longer reach both a pass and a lack",
            reader.check
        );
    }
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "the doctor panicked (see above)"
    );
}
