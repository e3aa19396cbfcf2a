//! Every check's verdict in every simulator scenario, pinned by snapshots:
//! one JSON snapshot per (scenario, check) of what the verdict says (status,
//! reason code, target, inferred, missing scopes, summary, remediation), as
//! the scenario's own login sees it, and again with an org admin's token
//! beside it (`--admin-bearer`) where that changes the verdict. A change to
//! a verdict is reviewed as a snapshot diff (`cargo insta review`).

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::LazyLock;

use anypoint_doctor::commands::demo::login_settings;
use anypoint_doctor::doctor::catalogue::Catalogue;
use anypoint_doctor::secret::Secret;
use regex::Regex;
use serde_json::Value;

use super::*;
use crate::support::sim::scenarios::SCENARIOS;
use crate::support::sim::{diagnose_world, world};
use crate::support::stable;

/// One test per scenario, each named after it; `MATRIX` lists them so that
/// `the_matrix_has_every_scenario` fails until a new scenario has its test.
macro_rules! matrix {
    ($($test:ident => $scenario:literal,)*) => {
        const MATRIX: &[&str] = &[$($scenario),*];
        $(
            #[tokio::test]
            async fn $test() {
                pin_verdicts($scenario).await;
            }
        )*
    };
}

matrix! {
    healthy => "healthy",
    typical_mistakes => "typical-mistakes",
    missing_view_scope => "missing-view-scope",
    missing_manage_scopes => "missing-manage-scopes",
    env_scope_gap => "env-scope-gap",
    business_group_org => "business-group-org",
    wrong_secret => "wrong-secret",
    eu_app_on_us_host => "eu-app-on-us-host",
    rate_limited => "rate-limited",
    flaky_network => "flaky-network",
    slow => "slow",
    application_creator => "application-creator",
    exact_many_scopes => "exact-many-scopes",
    token_revoked => "token-revoked",
    user_type_app => "user-type-app",
    lookups_first => "lookups-first",
    am_throttled => "am-throttled",
    fixable => "fixable",
    no_exchange_viewer => "no-exchange-viewer",
    generated_20x5 => "generated-20x5",
}

#[test]
fn the_matrix_has_every_scenario() {
    let named: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
    assert_eq!(MATRIX, named, "add each new scenario to `matrix!`");
    let unknown: Vec<String> = snapshot_files()
        .into_iter()
        .filter(|file| {
            let scenario = file[PREFIX.len()..].split("__").next();
            !scenario.is_some_and(|s| MATRIX.contains(&s))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "snapshots of no scenario; delete them: {unknown:#?}"
    );
}

/// What the names of this module's snapshot files start with.
const PREFIX: &str = "it__checks__matrix__";

/// This module's snapshot files, by name.
fn snapshot_files() -> Vec<String> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/checks/snapshots");
    std::fs::read_dir(folder)
        .expect("the snapshot folder")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|file| file.starts_with(PREFIX) && file.ends_with(".snap"))
        .collect()
}

/// What of an outcome a snapshot pins: the verdict, not how it was reached
/// (requests, durations), nor what every scenario shares (title, category).
const PINNED: [&str; 9] = [
    "target",
    "status",
    "code",
    "inferred",
    "blocked_by",
    "missing_scope",
    "maybe_missing",
    "summary",
    "remediation",
];

/// Check `id`'s outcomes in `report`, one per target, each with the
/// `PINNED` fields and its text as `stable` shows it, so that two runs'
/// verdicts compare equal when their snapshots would.
fn verdicts(report: &Report, id: &str) -> Vec<Value> {
    report
        .checks
        .iter()
        .filter(|o| o.id == id)
        .map(|o| {
            let full = serde_json::to_value(o).expect("an outcome is plain data");
            let pinned = PINNED
                .iter()
                .filter_map(|field| Some((field.to_string(), full.get(*field)?.clone())))
                .collect();
            steady(pinned)
        })
        .collect()
}

/// `value` with every string as `stable` shows it, and a count down (a
/// token's lifetime, a wait) that went on during the run as N.
fn steady(value: Value) -> Value {
    static COUNTING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(in|within) \d+ (ms|s)\b").expect("a valid pattern"));
    match value {
        Value::String(text) => {
            Value::String(COUNTING.replace_all(&stable(&text), "$1 N $2").into_owned())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(steady).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| (name, steady(value)))
                .collect(),
        ),
        other => other,
    }
}

/// The runs a scenario gets: MuleSoft's recommended scopes (the default
/// run) and every capability (`--for` each), each as the scenario's login
/// and with the org admin's token beside it.
struct Runs {
    default: Report,
    capabilities: Report,
    /// None where the login is itself an admin's token: nothing to add beside it.
    admin: Option<(Report, Report)>,
}

async fn run_scenario(name: &str) -> Runs {
    let mut world = world(name);
    // Latency only slows the run down; the verdicts are the same.
    world.latency_ms = 0;
    let default = RunOptions::default();
    let every_capability = RunOptions {
        capabilities: Catalogue::get()
            .capability_ids()
            .into_iter()
            .map(str::to_string)
            .collect(),
        ..RunOptions::default()
    };
    let admin = world
        .users
        .iter()
        .find(|u| u.org_admin)
        .filter(|_| world.login.bearer.is_none())
        .map(|u| u.token.clone());
    let run = |options: &RunOptions, admin: Option<String>| {
        let world = &world;
        let options = options.clone();
        async move {
            diagnose_world(world, &options, |settings| {
                *settings = login_settings(&world.login, settings.base_url.value.clone());
                settings.admin_bearer = admin.map(|token| Sourced {
                    value: Secret::new(token),
                    source: Source::Env("ANYPOINT_ADMIN_BEARER"),
                });
            })
            .await
            .report
        }
    };
    let as_app = async { tokio::join!(run(&default, None), run(&every_capability, None)) };
    let as_admin = async {
        match admin {
            Some(token) => Some(tokio::join!(
                run(&default, Some(token.clone())),
                run(&every_capability, Some(token)),
            )),
            None => None,
        }
    };
    let ((default, capabilities), admin) = tokio::join!(as_app, as_admin);
    Runs {
        default,
        capabilities,
        admin,
    }
}

/// Snapshots every check's verdicts in scenario `name`, all of them before
/// failing (so that one review sees every change), and fails as well on a
/// snapshot file of the scenario that no verdict matched any more.
async fn pin_verdicts(name: &str) {
    let runs = run_scenario(name).await;
    let registry = Registry::get();
    let mut pinned = BTreeSet::new();
    let mut changed = Vec::new();
    let mut pin = |snapshot: String, verdicts: Vec<Value>| {
        let matched = catch_unwind(AssertUnwindSafe(|| {
            insta::assert_json_snapshot!(snapshot.clone(), verdicts);
        }));
        if matched.is_err() {
            changed.push(snapshot.clone());
        }
        pinned.insert(format!("{PREFIX}{snapshot}.snap"));
    };
    for check in &registry.checks {
        let (app, admin) = if check.on_demand {
            (&runs.capabilities, runs.admin.as_ref().map(|a| &a.1))
        } else {
            (&runs.default, runs.admin.as_ref().map(|a| &a.0))
        };
        let as_app = verdicts(app, &check.id);
        assert!(
            !as_app.is_empty(),
            "{name}: {} did not report\n{}",
            check.id,
            dump(app)
        );
        if let Some(as_admin) = admin.map(|report| verdicts(report, &check.id))
            && as_admin != as_app
        {
            pin(format!("{name}__admin-bearer__{}", check.id), as_admin);
        }
        pin(format!("{name}__{}", check.id), as_app);
    }
    let stale: Vec<String> = snapshot_files()
        .into_iter()
        .filter(|file| file.starts_with(&format!("{PREFIX}{name}__")) && !pinned.contains(file))
        .collect();
    assert!(
        changed.is_empty(),
        "{name}: verdicts changed (review with `cargo insta review`): {changed:#?}"
    );
    assert!(
        stale.is_empty(),
        "{name}: no verdict is pinned by these any more; delete them: {stale:#?}"
    );
}
