//! The doctor end to end against the built-in simulator, once per named
//! scenario: the verdict of each relevant check (status, target environment
//! or org, exact or inferred), the targets the run settled on, the requests
//! it sent, and the exit status `check` would give. What each verdict says
//! (summary, fix, missing scopes) is pinned by `checks::matrix`'s snapshots.
//!
//! Every test goes through `diagnose_as`: start the simulator in-process
//! on a free loopback port, run `diagnose` as the scenario's Connected App
//! (or as the tenant's org admin reading that app's scopes), stop the
//! simulator. It also asserts what must hold for any run: every check of the
//! registry reported, the run pointed at the simulator.

use std::time::Duration;

use anypoint_doctor::ExitStatus;
use anypoint_doctor::doctor::Registry;
use anypoint_doctor::report::FailOn;
use anypoint_doctor::report::{Outcome, Report, Status};
use anypoint_doctor::secret::Secret;
use anypoint_doctor::settings::{Credentials, Settings, Source, Sourced};
use anypoint_doctor::{RunOptions, diagnose};
use url::Url;

use crate::support::api::{self, Api, client, ids};
use crate::support::report::{
    APIM_ADMIN, CONTRACTS, EMPTY_LIST, MANAGE_APPS, ROOT_NAME, VIEW_APIS, VIEW_APPS,
    assert_no_fail_or_error, assert_remedy, dump, targets,
};
use crate::support::sim::scenarios::{self, SCENARIOS};
use crate::support::sim::{World, diagnose_world, serve, world};
use crate::support::stable_snapshots;
use crate::support::{IN_FLIGHT, assert_contains_all};

const ROOT: &str = scenarios::ROOT_ORG;
const BUSINESS_GROUP: &str = scenarios::BUSINESS_GROUP;
const ENV_NAMES: [&str; 3] = ["Design", "Sandbox", "Production"];
/// The environments API Manager manages, where its checks run: not Design
/// (reference §12.1). Each lists an API instance.
const API_MANAGER: [&str; 2] = ["Sandbox", "Production"];
/// The checks of scopes granted per environment (API Manager's).
const ENV_BOUND: [&str; 3] = [CONTRACTS, APIM_ADMIN, VIEW_APIS];

/// A run, stopped simulator included, bounded well below any test timeout.
const PATIENCE: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- running

/// Whose token the doctor uses.
#[derive(Clone, Copy)]
enum As {
    /// The scenario's Connected App, with client credentials (the doctor infers scopes from probes).
    App,
    /// The tenant's org admin token, reading the login app's granted scopes (exact verdicts).
    Admin,
    /// The app's client credentials, and an org admin's token beside them
    /// (`--admin-bearer`) that reads only the app's granted scopes.
    AppAndAdmin(&'static str),
}

struct Run {
    report: Report,
    exit: ExitStatus,
    /// Requests the simulator answered during the run.
    requests: u64,
    /// Those requests, as `METHOD /path?query`, in order.
    log: Vec<String>,
}

/// Makes the app's settings `who`'s.
fn act_as(settings: &mut Settings, world: &World, who: As) {
    let login = &world.login;
    let admin = world.users.first().expect("the world has an admin user");
    assert!(admin.org_admin, "{} is not an org admin", admin.username);
    if let As::AppAndAdmin(token) = who {
        // The scenario's admin token, or a stand-in for a wrong one.
        let token = if token.is_empty() {
            &admin.token
        } else {
            token
        };
        settings.admin_bearer = Some(Sourced {
            value: Secret::new(token),
            source: Source::Env("ANYPOINT_ADMIN_BEARER"),
        });
    }
    if let As::Admin = who {
        settings.credentials = Credentials::Bearer {
            token: Sourced {
                value: Secret::new(admin.token.clone()),
                source: Source::Default,
            },
            client_id: Some(Sourced {
                value: login.client_id.clone(),
                source: Source::Default,
            }),
            secret_set_aside: None,
        };
    }
}

/// Starts the simulator on `world`, runs every check against it as `who`, stops it.
async fn diagnose_as(world: World, who: As) -> Run {
    let run = diagnose_world(&world, &RunOptions::default(), |s| act_as(s, &world, who)).await;
    let report = run.report;
    assert_eq!(report.target.host, run.host, "{}", dump(&report));
    // API Manager does not manage design environments (reference §12.1): no
    // verdict is about one, whatever the app holds there.
    assert!(
        report
            .checks
            .iter()
            .all(|o| o.target.as_deref() != Some("Design")),
        "a verdict about Design\n{}",
        dump(&report)
    );
    // No scenario's rate limit (the generated worlds') refuses a single check.
    assert_eq!(run.throttled, 0, "throttled answers: {:#?}", run.log);
    assert_every_check_reported(&report);
    Run {
        exit: report.summary.exit_status(FailOn::Fail),
        report,
        requests: run.requests,
        log: run.log,
    }
}

async fn scenario(name: &str) -> Run {
    diagnose_as(world(name), As::App).await
}

// ---------------------------------------------------------------- reading

#[track_caller]
fn assert_every_check_reported(report: &Report) {
    // The default run: every check but those run on demand (`--for`).
    let default = Registry::get().checks.iter().filter(|c| !c.on_demand);
    for id in default.map(|c| c.id.as_str()) {
        assert!(
            report.checks.iter().any(|o| o.id == id),
            "{id} missing from the report\n{}",
            dump(report)
        );
    }
}

/// The one outcome of `id` for `target` (None: the check does not fan out).
#[track_caller]
fn outcome<'a>(report: &'a Report, id: &str, target: Option<&str>) -> &'a Outcome {
    let found: Vec<&Outcome> = report
        .checks
        .iter()
        .filter(|o| o.id == id && o.target.as_deref() == target)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "want exactly one {id} outcome for target {target:?}\n{}",
        dump(report)
    );
    found[0]
}

/// How a check should end: `(id, target, status, inferred)`.
type Expect<'a> = (&'a str, Option<&'a str>, Status, bool);

#[track_caller]
fn assert_verdicts(report: &Report, expected: &[Expect]) {
    for &(id, target, status, inferred) in expected {
        let o = outcome(report, id, target);
        assert_eq!(
            (o.status, o.inferred),
            (status, inferred),
            "{id} @ {target:?}: want {} (inferred={inferred})\n{}",
            status.word(),
            dump(report)
        );
    }
}

/// The same verdict for `id` in each of `envs`.
fn per_env<'a>(id: &'a str, envs: &[&'a str], status: Status, inferred: bool) -> Vec<Expect<'a>> {
    envs.iter()
        .map(|env| (id, Some(*env), status, inferred))
        .collect()
}

fn env_names(report: &Report) -> Vec<&str> {
    report
        .target
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect()
}

fn with_status(report: &Report, status: Status) -> Vec<&Outcome> {
    report
        .checks
        .iter()
        .filter(|o| o.status == status)
        .collect()
}

/// Every outcome of a healthy run, and nothing else.
#[track_caller]
fn assert_healthy_verdicts(report: &Report) {
    assert_verdicts(report, &healthy_verdicts());
    assert_eq!(
        report.checks.len(),
        healthy_verdicts().len(),
        "every outcome of a healthy run is pinned in healthy_verdicts (add new checks there)\n{}",
        dump(report)
    );
}

/// The outcome was reached without a write (an exact verdict needs no probe).
#[track_caller]
fn assert_no_post(o: &Outcome) {
    assert!(
        o.evidence.iter().all(|e| e.method != "POST"),
        "{} probed: {:?}",
        o.id,
        o.evidence
    );
}

#[track_caller]
fn assert_none_failed(report: &Report) {
    assert!(
        with_status(report, Status::Fail).is_empty(),
        "{}",
        dump(report)
    );
}

#[track_caller]
fn assert_exit(run: &Run, want: ExitStatus) {
    assert_eq!(run.exit, want, "{}", dump(&run.report));
}

/// The verdicts a healthy tenant gets from its own Connected App's token.
fn healthy_verdicts() -> Vec<Expect<'static>> {
    let mut expected = vec![
        ("net.proxy", None, Status::Pass, false),
        ("net.dns", None, Status::Pass, false),
        ("net.tcp", None, Status::Pass, false),
        // The simulator is plain http on loopback: TLS does not apply.
        ("net.tls", None, Status::Skip, false),
        ("net.clock", None, Status::Pass, false),
        ("auth.token", None, Status::Pass, false),
        ("auth.identity", None, Status::Pass, false),
        ("org.structure", None, Status::Pass, false),
        ("org.environments", None, Status::Pass, false),
        // The create probe proves the capability, which Application Creator
        // has too: not verified without the granted scopes (neutral).
        (MANAGE_APPS, Some(ROOT_NAME), Status::Skip, true),
        // Applications created by users are listed: the app sees them all.
        (VIEW_APPS, Some(ROOT_NAME), Status::Pass, true),
        // No probe tells these apart, and an app cannot read its own grants.
        (
            "scope.exchange-administrator",
            Some(ROOT_NAME),
            Status::Skip,
            false,
        ),
        ("scope.full-access", None, Status::Skip, false),
        ("scope.background-access", None, Status::Skip, false),
        (
            "deprecated.exchange-v1-apis",
            Some("Sandbox"),
            Status::Pass,
            false,
        ),
        ("deprecated.repository-v2-create", None, Status::Pass, false),
        (EMPTY_LIST, None, Status::Pass, false),
    ];
    for id in ENV_BOUND {
        expected.extend(per_env(id, &API_MANAGER, Status::Pass, true));
    }
    expected
}

/// The API Manager verdicts of an app with its API Manager scopes in Sandbox
/// only: in Production the list and the creates are refused, and with no API
/// instance it may see, the contract probe has nothing to aim at. Design is
/// not API Manager's: no verdict there.
fn outside_sandbox_without_api_manager_scopes() -> Vec<Expect<'static>> {
    let mut expected = Vec::new();
    for id in ENV_BOUND {
        let outside = if id == CONTRACTS {
            Status::Skip
        } else {
            Status::Fail
        };
        expected.push((id, Some("Production"), outside, true));
        expected.push((id, Some("Sandbox"), Status::Pass, true));
    }
    expected
}

/// The API Manager verdicts of an app granted everything in every
/// environment API Manager manages.
fn granted_in_every_environment() -> Vec<Expect<'static>> {
    ENV_BOUND
        .into_iter()
        .flat_map(|id| per_env(id, &API_MANAGER, Status::Pass, true))
        .collect()
}

// ---------------------------------------------------------------- scenarios

#[tokio::test]
async fn a_generated_world_passes_a_check_of_its_root_org_within_its_rate_limit() {
    let root = world("generated-20x5").root.id;
    let run = scenario("generated-20x5").await;
    let report = &run.report;
    assert_no_fail_or_error(report);
    assert_eq!(report.target.org_id.as_deref(), Some(root.as_str()));
    assert_eq!(run.exit, ExitStatus::Ok, "{}", dump(report));
}

#[tokio::test]
async fn healthy_passes_everything_it_can_verify() {
    let run = scenario("healthy").await;
    let report = &run.report;
    assert_healthy_verdicts(report);
    assert_eq!((report.summary.fail, report.summary.error), (0, 0));
    assert_eq!(report.target.org_id.as_deref(), Some(ROOT));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_eq!(env_names(report), ENV_NAMES);
    assert_exit(&run, ExitStatus::Ok);
}

#[tokio::test]
async fn typical_mistakes_show_the_sandbox_only_scopes_and_the_empty_list() {
    let run = scenario("typical-mistakes").await;
    let report = &run.report;
    let mut expected = vec![
        (EMPTY_LIST, None, Status::Fail, false),
        (VIEW_APPS, Some(ROOT_NAME), Status::Skip, true),
    ];
    expected.extend(outside_sandbox_without_api_manager_scopes());
    assert_verdicts(report, &expected);
    assert_eq!(env_names(report), ENV_NAMES);
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn missing_view_scope_shows_an_empty_list_while_apps_exist() {
    let run = scenario("missing-view-scope").await;
    let report = &run.report;
    let mut expected = vec![
        (EMPTY_LIST, None, Status::Fail, false),
        (VIEW_APPS, Some(ROOT_NAME), Status::Skip, true),
    ];
    // Everything else is granted.
    expected.extend(granted_in_every_environment());
    assert_verdicts(report, &expected);
    assert_eq!(report.summary.fail, 1, "{}", dump(report));
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn missing_manage_scopes_fail_the_create_probes_everywhere() {
    let run = scenario("missing-manage-scopes").await;
    let report = &run.report;
    let mut expected = vec![
        (MANAGE_APPS, Some(ROOT_NAME), Status::Fail, true),
        // The view scope is still there: the list shows the applications.
        (VIEW_APPS, Some(ROOT_NAME), Status::Pass, true),
        (EMPTY_LIST, None, Status::Pass, false),
    ];
    expected.extend(per_env(CONTRACTS, &API_MANAGER, Status::Fail, true));
    // Manage APIs Configuration does not create API instances (§11.3).
    expected.extend(per_env(APIM_ADMIN, &API_MANAGER, Status::Fail, true));
    expected.extend(per_env(VIEW_APIS, &API_MANAGER, Status::Pass, true));
    assert_verdicts(report, &expected);
    assert_eq!(targets(report, CONTRACTS), API_MANAGER);
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn env_scope_gap_fails_env_bound_scopes_outside_sandbox() {
    let run = scenario("env-scope-gap").await;
    let report = &run.report;
    let mut expected = vec![
        (MANAGE_APPS, Some(ROOT_NAME), Status::Skip, true),
        (VIEW_APPS, Some(ROOT_NAME), Status::Pass, true),
        (EMPTY_LIST, None, Status::Pass, false),
    ];
    expected.extend(outside_sandbox_without_api_manager_scopes());
    assert_verdicts(report, &expected);
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn an_admin_token_gives_exact_verdicts_for_the_env_scope_gap() {
    let run = diagnose_as(world("env-scope-gap"), As::Admin).await;
    let report = &run.report;
    let mut expected = vec![
        ("auth.token", None, Status::Skip, false),
        ("auth.identity", None, Status::Pass, false),
        (MANAGE_APPS, Some(ROOT_NAME), Status::Pass, false),
        (VIEW_APPS, Some(ROOT_NAME), Status::Pass, false),
        // Readable grants decide what no probe can.
        (
            "scope.exchange-administrator",
            Some(ROOT_NAME),
            Status::Pass,
            false,
        ),
        ("scope.full-access", None, Status::Pass, false),
        ("scope.background-access", None, Status::Skip, false),
    ];
    for id in ENV_BOUND {
        expected.push((id, Some("Production"), Status::Fail, false));
        expected.push((id, Some("Sandbox"), Status::Pass, false));
        let production = outcome(report, id, Some("Production"));
        assert!(
            production.summary.contains("granted only as")
                && production.summary.contains("\"Sandbox\""),
            "{id}: {}",
            production.summary
        );
        assert!(production.remediation.is_some(), "{id}: no fix");
    }
    assert_verdicts(report, &expected);
    // Exact verdicts need no probe: no scope check sent a write.
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert_no_post(o);
    }
    assert_exit(&run, ExitStatus::Failed);
}

/// With `--admin-bearer`, the admin's token reads the grants (exact scope
/// verdicts, no probe) while the app runs everything else as itself: its
/// own token, the retired paths, the empty-list check.
#[tokio::test]
async fn an_admin_token_beside_the_app_gives_exact_scopes_and_the_apps_own_view() {
    let run = diagnose_as(world("env-scope-gap"), As::AppAndAdmin("")).await;
    let report = &run.report;
    assert_eq!(outcome(report, "auth.token", None).status, Status::Pass);
    for id in ENV_BOUND {
        let production = outcome(report, id, Some("Production"));
        assert_eq!(production.status, Status::Fail, "{id}: {}", dump(report));
        assert!(!production.inferred, "{id} is exact");
        assert_eq!(outcome(report, id, Some("Sandbox")).status, Status::Pass);
    }
    assert_eq!(
        outcome(report, "scope.exchange-administrator", Some(ROOT_NAME)).status,
        Status::Pass,
        "readable grants decide what no probe can"
    );
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert!(!o.settled_by_grants, "{}: {}", o.id, o.summary);
        assert_no_post(o);
    }
    // The app's own view still runs: the retired path is asked as the app.
    assert!(
        run.log.iter().any(|l| l.contains("/exchange/api/v1/")),
        "{:#?}",
        run.log
    );
    assert_exit(&run, ExitStatus::Failed);
}

/// Whether the Exchange v1 list is retired does not depend on whose token
/// read the app's scopes: with an admin's token beside the app's, the
/// replacement refused in Sandbox (a missing scope the scope checks report)
/// leaves the retired-path verdict as it is without one, never a failure
/// that blames the user's scripts.
#[tokio::test]
async fn the_retired_path_verdict_does_not_change_with_an_admin_token() {
    // No API Manager scope in any environment: the replacement is refused.
    let mut refused = world("env-scope-gap");
    refused.connected_apps[0].scopes.retain(|g| g.env.is_none());
    let (app, admin) = tokio::join!(
        diagnose_as(refused.clone(), As::App),
        diagnose_as(refused, As::AppAndAdmin("")),
    );
    let id = "deprecated.exchange-v1-apis";
    let (by_probe, by_grants) = (
        outcome(&app.report, id, Some("Sandbox")),
        outcome(&admin.report, id, Some("Sandbox")),
    );
    assert_eq!(by_probe.status, Status::Pass, "{}", dump(&app.report));
    assert_eq!(by_grants.status, by_probe.status, "{}", dump(&admin.report));
    for o in [by_probe, by_grants] {
        assert_contains_all(&o.summary, &["404", "retired", "refused"], &o.summary);
        assert!(
            o.remediation.is_none(),
            "{}: {:?}",
            o.summary,
            o.remediation
        );
    }
}

/// A wrong admin token is said plainly: exact verdicts were asked for, so
/// no probe quietly answers less.
#[tokio::test]
async fn a_refused_admin_token_is_an_error_naming_the_variable() {
    let run = diagnose_as(world("healthy"), As::AppAndAdmin("not-an-admin-token")).await;
    let manage = outcome(&run.report, CONTRACTS, Some("Production"));
    assert_eq!(manage.status, Status::Error, "{}", dump(&run.report));
    assert!(
        manage.summary.contains("could not be read"),
        "{}",
        manage.summary
    );
    assert_remedy(manage, "ANYPOINT_ADMIN_BEARER");
    assert_eq!(
        outcome(&run.report, "auth.token", None).status,
        Status::Pass
    );
    assert_exit(&run, ExitStatus::Incomplete);
}

#[tokio::test]
async fn business_group_org_names_the_group_and_probes_the_root_org() {
    let run = scenario("business-group-org").await;
    let report = &run.report;
    let structure = outcome(report, "org.structure", None);
    assert_eq!(structure.status, Status::Pass, "{}", dump(report));
    assert_eq!(report.target.org_id.as_deref(), Some(BUSINESS_GROUP));
    assert_eq!(report.target.org_name.as_deref(), Some("Payments BG"));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_eq!(env_names(report), ["Payments Sandbox"]);

    // Client applications live in the root org: that is where they are probed,
    // and the app's scopes on its business group do not reach there.
    for id in [MANAGE_APPS, VIEW_APPS] {
        let o = outcome(report, id, Some(ROOT_NAME));
        assert!(
            matches!(o.status, Status::Fail | Status::Skip) && o.inferred,
            "{id}\n{}",
            dump(report)
        );
        assert!(
            o.evidence.iter().any(|e| e
                .url
                .contains(&format!("/organizations/{ROOT}/applications"))),
            "{id} did not probe the root org: {:?}",
            o.evidence
        );
    }
    assert_verdicts(
        report,
        &[
            (MANAGE_APPS, Some(ROOT_NAME), Status::Fail, true),
            // "Payments Sandbox" lists no API instance: inconclusive.
            (CONTRACTS, Some("Payments Sandbox"), Status::Skip, true),
            (APIM_ADMIN, Some("Payments Sandbox"), Status::Pass, true),
            (VIEW_APIS, Some("Payments Sandbox"), Status::Skip, true),
        ],
    );
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn refused_credentials_block_every_other_check() {
    for name in ["wrong-secret", "eu-app-on-us-host"] {
        let run = scenario(name).await;
        let report = &run.report;
        let token = outcome(report, "auth.token", None);
        assert_eq!(token.status, Status::Fail, "{name}\n{}", dump(report));
        // The network checks come before the token and passed.
        for o in report
            .checks
            .iter()
            .filter(|o| o.id != "auth.token" && o.category != "net")
        {
            assert!(
                o.status == Status::Skip && o.blocked_by.as_deref() == Some("auth.token"),
                "{name}: {} should be skipped, blocked by auth.token\n{}",
                o.id,
                dump(report)
            );
        }
        assert_eq!(
            run.requests, 2,
            "{name}: only the network checks' GET / and the token request are sent"
        );
        assert_exit(&run, ExitStatus::Failed);
    }
}

#[tokio::test]
async fn rate_limited_api_manager_is_an_error_never_a_failure() {
    let run = scenario("rate-limited").await;
    let report = &run.report;
    assert_none_failed(report);
    let mut expected = vec![(
        "deprecated.exchange-v1-apis",
        Some("Sandbox"),
        Status::Error,
        false,
    )];
    for id in ENV_BOUND {
        expected.extend(per_env(id, &API_MANAGER, Status::Error, false));
    }
    assert_verdicts(report, &expected);
    // Whatever asked API Manager something could not check.
    for o in &report.checks {
        if o.evidence.iter().any(|e| e.url.contains("/apimanager/")) {
            assert_eq!(o.status, Status::Error, "{}\n{}", o.id, dump(report));
        }
    }
    // Access Management answers normally.
    assert_verdicts(
        report,
        &[
            ("auth.token", None, Status::Pass, false),
            ("org.structure", None, Status::Pass, false),
            ("org.environments", None, Status::Pass, false),
        ],
    );
    assert_exit(&run, ExitStatus::Incomplete);
}

#[tokio::test]
async fn flaky_network_errors_where_the_answers_broke_and_nowhere_else() {
    let run = scenario("flaky-network").await;
    let report = &run.report;
    assert_none_failed(report);
    // The reset connection (a probe that creates nothing) and the gateway's
    // HTML 502 on the hierarchy are sent again and recover.
    for (id, target, status) in [
        // Recovered, and as in a healthy run: not proven by the create probe.
        (MANAGE_APPS, Some(ROOT_NAME), Status::Skip),
        ("deprecated.repository-v2-create", None, Status::Pass),
        ("org.structure", None, Status::Pass),
    ] {
        let recovered = outcome(report, id, target);
        assert_eq!(recovered.status, status, "{id}\n{}", dump(report));
        assert!(
            recovered.evidence.iter().any(|e| e.attempts == 2),
            "{id}: one retry shows in the evidence: {:?}",
            recovered.evidence
        );
    }
    // A truncated answer is not a transient failure: not retried, reported.
    assert_verdicts(
        report,
        &[
            (VIEW_APPS, Some(ROOT_NAME), Status::Error, false),
            (EMPTY_LIST, None, Status::Error, false),
        ],
    );
    let errors: Vec<&str> = with_status(report, Status::Error)
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(errors, [VIEW_APPS, EMPTY_LIST,], "{}", dump(report));
    assert_exit(&run, ExitStatus::Incomplete);
}

#[tokio::test]
async fn slow_gives_the_same_verdicts_as_healthy() {
    let mut slow = world("slow");
    assert!(slow.latency_ms >= 300, "the scenario is slow");
    slow.latency_ms = 20;
    let run = diagnose_as(slow, As::App).await;
    let report = &run.report;
    assert_healthy_verdicts(report);
    // Token, identity, org and environments come one after the other.
    assert!(report.duration_ms >= 4 * 20, "{} ms", report.duration_ms);
    assert_exit(&run, ExitStatus::Ok);
}

// ---------------------------------------------------------------- verdicts that hold on the real platform

#[tokio::test]
async fn an_application_creator_app_never_gets_a_pass_naming_manage_or_view_client_applications() {
    let run = scenario("application-creator").await;
    let report = &run.report;
    let claims: Vec<&Outcome> = report
        .checks
        .iter()
        .filter(|o| {
            o.status == Status::Pass
                && (o.id.contains("client-applications")
                    || o.summary.contains("Manage Client Applications")
                    || o.summary.contains("View Client Applications"))
        })
        .collect();
    assert!(claims.is_empty(), "{}", dump(report));
    assert_verdicts(
        report,
        &[
            (MANAGE_APPS, Some(ROOT_NAME), Status::Skip, true),
            (VIEW_APPS, Some(ROOT_NAME), Status::Skip, true),
            (EMPTY_LIST, None, Status::Fail, false),
        ],
    );
}

#[tokio::test]
async fn exact_mode_with_many_scopes_and_environment_administrator_fails_nothing_and_writes_nothing()
 {
    let run = diagnose_as(world("exact-many-scopes"), As::Admin).await;
    let report = &run.report;
    assert_no_fail_or_error(report);
    for env in API_MANAGER {
        let contracts = outcome(report, CONTRACTS, Some(env));
        assert_eq!(contracts.status, Status::Pass, "{}", dump(report));
    }
    let writes: Vec<&String> = run.log.iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(
        writes.is_empty(),
        "an exact run sends no write: {writes:#?}"
    );
    let pages = run
        .log
        .iter()
        .filter(|r| r.contains("/connectedApplications/") && r.contains("/scopes?"))
        .count();
    assert!(pages >= 2, "the granted scopes span pages: {:#?}", run.log);
    assert_exit(&run, ExitStatus::Ok);
}

#[tokio::test]
async fn a_token_revoked_mid_run_is_renewed_and_fails_nothing() {
    let run = scenario("token-revoked").await;
    let report = &run.report;
    assert_no_fail_or_error(report);
    let tokens = run
        .log
        .iter()
        .filter(|r| r.starts_with("POST /accounts/api/v2/oauth2/token"))
        .count();
    assert_eq!(tokens, 2, "one renewal: {:#?}", run.log);
    assert_verdicts(report, &healthy_verdicts());
}

#[tokio::test]
async fn a_user_type_app_fails_the_run() {
    let run = scenario("user-type-app").await;
    let token = outcome(&run.report, "auth.token", None);
    assert_eq!(token.status, Status::Fail, "{}", dump(&run.report));
    assert_exit(&run, ExitStatus::Failed);
}

#[tokio::test]
async fn access_management_throttling_is_waited_out() {
    let run = scenario("am-throttled").await;
    let envs = outcome(&run.report, "org.environments", None);
    assert_eq!(envs.status, Status::Pass, "{}", dump(&run.report));
    assert_eq!(
        envs.evidence[0].attempts, 3,
        "two throttled answers, then the list"
    );
    assert_eq!(run.report.summary.error, 0, "{}", dump(&run.report));
}

#[tokio::test]
async fn a_404_before_the_scope_check_is_inconclusive_and_a_listed_instance_still_gets_the_403() {
    // Sandbox lists no API instance to aim the contract probe at.
    let mut world = world("lookups-first");
    world.apis.retain(|a| a.env != scenarios::SANDBOX);
    world.contracts.clear();
    let run = diagnose_as(world, As::App).await;
    let report = &run.report;
    let sandbox = outcome(report, CONTRACTS, Some("Sandbox"));
    assert_eq!(sandbox.status, Status::Skip, "{}", dump(report));
    assert!(
        sandbox.summary.contains("inconclusive"),
        "{}",
        sandbox.summary
    );
    let production = outcome(report, CONTRACTS, Some("Production"));
    assert_eq!(production.status, Status::Fail, "{}", dump(report));
    assert!(production.summary.contains("403"), "{}", production.summary);
}

#[tokio::test]
async fn check_for_create_contract_in_production_runs_only_that() {
    // Production lists an instance to aim at, and Manage Contracts is missing there.
    let world = world("lookups-first");
    let plan = RunOptions {
        capabilities: vec!["create-contract".into()],
        ..RunOptions::default()
    };
    let report = diagnose_world(&world, &plan, |settings| {
        settings.envs = Some(Sourced {
            value: vec!["Production".into()],
            source: Source::Flag("--env"),
        });
    })
    .await
    .report;
    let checked: Vec<(&str, Option<&str>)> = report
        .checks
        .iter()
        .filter(|o| o.category == "capability" || o.category == "scope")
        .map(|o| (o.id.as_str(), o.target.as_deref()))
        .collect();
    assert_eq!(
        checked,
        [("capability.create-contract", Some("Production"))]
    );
    let contract = outcome(&report, "capability.create-contract", Some("Production"));
    assert_eq!(contract.status, Status::Fail, "{}", dump(&report));
    let least = report
        .least_privilege
        .as_ref()
        .expect("a least-privilege note");
    let names: Vec<&str> = least.not_needed.iter().map(|s| s.name.as_str()).collect();
    assert!(
        names.contains(&"View Client Applications") && !names.contains(&"Manage Contracts"),
        "{names:?}"
    );
}

/// The verdicts `fixable` gets from its own app: what the admin must add, failing.
fn fixable_verdicts() -> Vec<Expect<'static>> {
    let fail = |id, env| (id, Some(env), Status::Fail, true);
    vec![
        fail(CONTRACTS, "Production"),
        fail(APIM_ADMIN, "Production"),
        fail(APIM_ADMIN, "Sandbox"),
        (CONTRACTS, Some("Sandbox"), Status::Pass, true),
        (VIEW_APIS, Some("Sandbox"), Status::Pass, true),
        (VIEW_APIS, Some("Production"), Status::Pass, true),
    ]
}

#[tokio::test]
async fn fixable_fails_where_scopes_are_missing_and_one_admin_patch_makes_it_healthy() {
    let world = world("fixable");
    let run = async {
        let running = serve(world.clone()).await;
        let base = Url::parse(&running.base_url).expect("the simulator's URL parses");
        let diagnose_now = || async {
            let login = &world.login;
            let settings =
                Settings::client_credentials(base.clone(), &login.client_id, &login.client_secret);
            let report = diagnose(settings, &RunOptions::default())
                .await
                .unwrap_or_else(|e| panic!("diagnose failed: {e}"));
            assert_every_check_reported(&report);
            report
        };
        let before = diagnose_now().await;
        assert_verdicts(&before, &fixable_verdicts());
        assert_eq!(before.summary.fail, 3, "{}", dump(&before));
        // What the fix must send: the missing pairs, with the org admin's token.
        let scopes: Vec<serde_json::Value> = scenarios::FIXABLE_MISSING
            .iter()
            .map(|(scope, org, env)| {
                serde_json::json!({"scope": scope, "context_params": {"org": org, "envId": env}})
            })
            .collect();
        let admin = &world.users[0];
        assert!(admin.org_admin);
        let answer = client(api::PATIENCE)
            .patch(format!(
                "{}/accounts/api/connectedApplications/{}/scopes",
                running.base_url, world.login.client_id
            ))
            .bearer_auth(&admin.token)
            .json(&serde_json::json!({ "scopes": scopes }))
            .send()
            .await
            .expect("the simulator answers");
        assert_eq!(answer.status(), 204);
        let after = diagnose_now().await;
        let log = running.state.request_log();
        running.stop().await;
        (after, log)
    };
    let (after, log) = tokio::time::timeout(PATIENCE, run)
        .await
        .expect("both runs and the simulator's stop finish in time");
    // A new run, with a new token: exactly what healthy gets.
    assert_verdicts(&after, &healthy_verdicts());
    assert_eq!(
        after.summary.exit_status(FailOn::Fail),
        ExitStatus::Ok,
        "{}",
        dump(&after)
    );
    let writes: Vec<&String> = log
        .iter()
        .filter(|l| {
            ["PATCH ", "PUT ", "DELETE "]
                .iter()
                .any(|m| l.starts_with(m))
        })
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].starts_with("PATCH "), "{writes:?}");
}

// ---------------------------------------------------------------- scenarios seen through HTTP
//
// The scenarios below are pinned by what the simulator answers; the doctor's
// verdicts on them are tested with the checks.

/// What only these tests ask of the simulator's API.
impl Api {
    /// A token for `world`'s Connected App.
    async fn login_token(&self, world: &World) -> String {
        self.token(&world.login.client_id, &world.login.client_secret)
            .await
    }
}

fn contracts_path(env: &str, api: u64) -> String {
    format!("/apimanager/api/v1/organizations/{ROOT}/environments/{env}/apis/{api}/contracts")
}

#[tokio::test]
async fn application_creator_lists_only_the_application_it_created() {
    let world = world("application-creator");
    let sim = Api::start(world.clone()).await;
    let token = sim.login_token(&world).await;
    let legacy = sim
        .get(
            &format!("/apiplatform/repository/v2/organizations/{ROOT}/applications"),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(legacy["total"], 1, "{legacy}");
    assert_eq!(
        ids(&legacy["applications"]),
        [scenarios::APP_CREATED_APPLICATION]
    );
    assert_eq!(
        legacy["applications"][0]["owners"][0]["entityType"],
        "client"
    );
    // The users' applications exist, and 2349040 keeps its active contract.
    let admin = world.users[0].token.as_str();
    let all = sim
        .get(
            &format!("/exchange/api/v2/organizations/{ROOT}/applications"),
            Some(admin),
        )
        .await
        .json();
    assert_eq!(ids(&all).len(), 3, "{all}");
    let contracts = sim
        .get(&contracts_path(scenarios::SANDBOX, 18972610), Some(&token))
        .await
        .json();
    assert_eq!(
        contracts["contracts"][0]["applicationId"], 2349040,
        "{contracts}"
    );
    assert_eq!(contracts["contracts"][0]["status"], "APPROVED");
    // Application Creator creates.
    let created = sim
        .post_json(
            &format!("/exchange/api/v2/organizations/{ROOT}/applications"),
            Some(&token),
            &serde_json::json!({"name": "another"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    sim.stop().await;
}

#[tokio::test]
async fn exact_many_scopes_pages_a_long_grant_list_without_manage_contracts() {
    let world = world("exact-many-scopes");
    let bearer = world.login.bearer.clone().expect("login.bearer is set");
    assert_eq!(bearer, scenarios::ADMIN_TOKEN);
    let sim = Api::start(world.clone()).await;
    let path = format!(
        "/accounts/api/connectedApplications/{}/scopes",
        world.login.client_id
    );
    let first = sim.get(&path, Some(&bearer)).await.json();
    let total = first["total"].as_u64().expect("a total");
    assert!(total > 50, "more than the largest page: {total}");
    let page = first["data"].as_array().expect("data[]").len() as u64;
    assert!(
        page < total,
        "the first page ({page}) is not all of {total}"
    );
    let mut grants = Vec::new();
    let mut offset = 0;
    while offset < total {
        let page = sim
            .get(&format!("{path}?offset={offset}&limit=25"), Some(&bearer))
            .await
            .json();
        let data = page["data"].as_array().expect("data[]").clone();
        assert!(!data.is_empty(), "{page}");
        offset += data.len() as u64;
        grants.extend(data);
    }
    assert_eq!(grants.len() as u64, total);
    let held = |scope: &str, org: &str, env: Option<&str>| {
        grants.iter().any(|g| {
            g["scope"] == scope
                && g["context_params"]["org"] == org
                && env.is_none_or(|e| g["context_params"]["envId"] == e)
        })
    };
    for env in [scenarios::SANDBOX, scenarios::PRODUCTION] {
        assert!(held("manage:apis", ROOT, Some(env)), "manage:apis in {env}");
    }
    // API Manager's scopes are not granted in Design, which it does not
    // manage (§12.1); Access Management's are.
    assert!(!held("manage:apis", ROOT, Some(scenarios::DESIGN)));
    assert!(held("view:environment", ROOT, Some(scenarios::DESIGN)));
    assert!(!grants.iter().any(|g| g["scope"] == "manage:api_contracts"));
    for scope in [
        "manage:org_client_applications",
        "read:org_client_applications",
        "manage:exchange",
    ] {
        assert!(held(scope, ROOT, None), "{scope}");
    }
    assert!(grants.iter().any(|g| g["scope"] == "full"));
    // manage:apis lets the app itself create contracts.
    let token = sim.login_token(&world).await;
    let created = sim
        .post_json(
            &contracts_path(scenarios::PRODUCTION, 18972611),
            Some(&token),
            &serde_json::json!({"applicationId": 2349041}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    sim.stop().await;
}

#[tokio::test]
async fn token_revoked_lands_in_the_middle_of_a_run() {
    let world = world("token-revoked");
    let after = world
        .revoke_tokens_after
        .expect("revoke_tokens_after is set");
    let sim = Api::start(world.clone()).await;
    let token = sim.login_token(&world).await;
    for n in 1..=after {
        let me = sim.get("/accounts/api/me", Some(&token)).await;
        assert_eq!(me.status, 200, "request {n}: {}", me.body);
    }
    let refused = sim.get("/accounts/api/me", Some(&token)).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert_eq!(
        refused.json()["message"],
        "Unauthorized: the token has been revoked"
    );
    let fresh = sim.login_token(&world).await;
    assert_eq!(sim.get("/accounts/api/me", Some(&fresh)).await.status, 200);
    sim.stop().await;
    // A check run sends well more authenticated requests than that.
    let healthy = scenario("healthy").await;
    assert!(
        healthy.requests > after + 4,
        "{} requests",
        healthy.requests
    );
}

#[tokio::test]
async fn user_type_app_is_refused_a_client_credentials_token() {
    let world = world("user-type-app");
    let sim = Api::start(world.clone()).await;
    let answer = sim
        .token_for(&world.login.client_id, &world.login.client_secret)
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.json()["error"], "unauthorized_client");
    sim.stop().await;
}

#[tokio::test]
async fn lookups_first_answers_404_before_403() {
    let world = world("lookups-first");
    let sim = Api::start(world.clone()).await;
    let token = sim.login_token(&world).await;
    let body = serde_json::json!({"applicationId": 2349041});
    let unknown = sim
        .post_json(
            &contracts_path(scenarios::PRODUCTION, 99_999_999),
            Some(&token),
            &body,
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let known = sim
        .post_json(
            &contracts_path(scenarios::PRODUCTION, 18972611),
            Some(&token),
            &body,
        )
        .await;
    assert_eq!(
        known.status, 403,
        "Manage Contracts is missing in Production"
    );
    let sandbox = sim
        .post_json(
            &contracts_path(scenarios::SANDBOX, 18972610),
            Some(&token),
            &body,
        )
        .await;
    assert_eq!(sandbox.status, 200, "{}", sandbox.body);
    sim.stop().await;
}

#[tokio::test]
async fn am_throttled_answers_empty_503s_then_recovers() {
    let world = world("am-throttled");
    let sim = Api::start(world.clone()).await;
    let token = sim.login_token(&world).await;
    let path = format!("/accounts/api/organizations/{ROOT}/environments");
    for n in 1..=2 {
        let throttled = sim.get(&path, Some(&token)).await;
        assert_eq!(throttled.status, 503, "request {n}");
        assert_eq!(throttled.body, "");
        assert_eq!(throttled.header("x-ratelimit-remaining"), Some("0"));
        assert!(throttled.header("x-ratelimit-reset").is_some());
        assert_eq!(throttled.header("retry-after"), None);
    }
    let answer = sim.get(&path, Some(&token)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    sim.stop().await;
}

// ---------------------------------------------------------------- what users see

/// The report with what differs between runs (times, durations, transaction
/// ids) set to one value before rendering: a table wraps differently when a
/// number has another width, which a filter afterwards could not undo.
fn steady(report: &mut Report) {
    let timing = regex::Regex::new(r"(in|within) \d+ (ms|s)\b").expect("a valid pattern");
    report.duration_ms = 0;
    report.generated_at = "2026-12-01T00:00:00Z".into();
    for outcome in &mut report.checks {
        outcome.duration_ms = 0;
        outcome.summary = timing.replace_all(&outcome.summary, "$1 0 $2").into_owned();
        for evidence in &mut outcome.evidence {
            evidence.at = "2026-12-01T00:00:00.000Z".into();
            evidence.elapsed_ms = 0;
            for id in [&mut evidence.trx_id, &mut evidence.request_id] {
                if id.is_some() {
                    *id = Some("00000000-0000-4000-8000-000000000000".into());
                }
            }
        }
    }
}

/// Every scenario as users see it: the compact view at 80 and 120 columns
/// and at an unknown width, the full (-v) view at 120 and 80 columns, and the
/// Markdown report. Reviewing a change to what users see is reading the
/// snapshot diff (tests/it/snapshots/); `INSTA_UPDATE=always cargo test` rewrites them.
#[tokio::test]
async fn what_users_see_in_every_scenario_is_pinned() {
    use anypoint_doctor::commands::demo::login_settings;
    use anypoint_doctor::report::markdown;
    use anypoint_doctor::report::terminal::{self, TableOptions};
    let reports = futures::future::join_all(SCENARIOS.iter().map(|scenario| async move {
        let mut world = world(scenario.name);
        // Latency only slows the run down; the verdicts are the same.
        world.latency_ms = 0;
        let running = serve(world.clone()).await;
        let base = Url::parse(&running.base_url).expect("the simulator's URL parses");
        let report = diagnose(login_settings(&world.login, base), &RunOptions::default())
            .await
            .expect("a report");
        running.stop().await;
        (scenario.name, report)
    }))
    .await;
    let views = [
        ("compact, 80 columns", Some(80), false),
        ("compact, 120 columns", Some(120), false),
        ("compact, unknown width", Some(0), false),
        ("verbose, 120 columns", Some(120), true),
        ("verbose, 80 columns", Some(80), true),
    ];
    for (name, mut report) in reports {
        steady(&mut report);
        let mut seen = String::new();
        for (label, width, verbose) in views {
            let options = TableOptions {
                color: false,
                width,
                verbose,
            };
            let shown = terminal::render(&report, options);
            if !verbose {
                first_screen_holds_the_verdict(&format!("{name}, {label}"), &shown, width);
            }
            seen.push_str(&format!("===== {label}\n{shown}\n"));
        }
        seen.push_str(&format!("===== markdown\n{}", markdown::render(&report)));
        stable_snapshots().bind(|| insta::assert_snapshot!(name, seen));
    }
}

/// The compact view, at its width (80 when unknown), has no line wider than
/// that, and its last screen of rows holds the verdict (`crate::screen`).
#[track_caller]
fn first_screen_holds_the_verdict(what: &str, shown: &str, width: Option<u16>) {
    use anypoint_doctor::report::terminal::compact::SCREEN_ROWS;
    let width = width.filter(|w| *w > 0).map_or(80, usize::from);
    let rows: Vec<String> = shown.lines().map(str::to_string).collect();
    let wide: Vec<&String> = rows.iter().filter(|r| r.chars().count() > width).collect();
    assert!(wide.is_empty(), "{what}: wider than {width}: {wide:#?}");
    let last = &rows[rows.len().saturating_sub(SCREEN_ROWS)..];
    crate::screen::assert_shows_the_verdict(what, &rows, last);
}

#[tokio::test]
async fn an_exact_run_checks_the_business_group_the_app_lives_in() {
    let run = diagnose_as(world("business-group-org"), As::Admin).await;
    let report = &run.report;
    assert_eq!(
        report.target.org_id.as_deref(),
        Some(BUSINESS_GROUP),
        "{}",
        dump(report)
    );
    assert_verdicts(
        report,
        &[
            (CONTRACTS, Some("Payments Sandbox"), Status::Pass, false),
            (VIEW_APIS, Some("Payments Sandbox"), Status::Pass, false),
            // Granted on the business group, not the root org, where client applications live.
            (VIEW_APPS, Some(ROOT_NAME), Status::Fail, false),
        ],
    );
    assert!(
        run.log.iter().all(|r| r.starts_with("GET ")),
        "an exact run writes nothing: {:#?}",
        run.log
    );
}

#[tokio::test]
async fn no_exchange_viewer_names_exchange_viewer_where_contracts_are_refused() {
    let run = scenario("no-exchange-viewer").await;
    let report = &run.report;
    for env in API_MANAGER {
        let contracts = outcome(report, CONTRACTS, Some(env));
        assert_eq!(contracts.status, Status::Fail, "{}", dump(report));
        let missing = contracts.missing_scope.as_ref().expect("a scope to add");
        assert_eq!(missing.scope, "read:exchange", "{}", dump(report));
        assert_eq!(
            missing.env_id, None,
            "Exchange Viewer is a business group's"
        );
        // Whether Manage Contracts is held cannot be told while Exchange
        // Viewer refuses the call: it is planned as "may already be granted".
        assert!(
            contracts
                .maybe_missing
                .iter()
                .any(|m| m.scope == "manage:api_contracts"),
            "{}",
            dump(report)
        );
        // API Manager Environment Administrator, which covers contracts, is held.
        assert_eq!(outcome(report, APIM_ADMIN, Some(env)).status, Status::Pass);
    }
    // No verdict claims Manage Contracts (or a scope covering it) missing.
    let claims: Vec<&Outcome> = report
        .checks
        .iter()
        .filter(|o| {
            o.missing_scope
                .as_ref()
                .is_some_and(|m| matches!(m.scope.as_str(), "manage:api_contracts" | "manage:apis"))
        })
        .collect();
    assert!(claims.is_empty(), "{}", dump(report));
    assert_exit(&run, ExitStatus::Failed);

    // With an org admin's token: exact, and it agrees.
    let exact = diagnose_as(world("no-exchange-viewer"), As::Admin).await;
    for env in API_MANAGER {
        let contracts = outcome(&exact.report, CONTRACTS, Some(env));
        assert_eq!(contracts.status, Status::Pass, "{}", dump(&exact.report));
    }
    let exchange = outcome(
        &exact.report,
        "scope.exchange-administrator",
        Some(ROOT_NAME),
    );
    assert_eq!(exchange.status, Status::Fail, "{}", dump(&exact.report));
}

/// Two verdicts of one run never contradict each other: no scope (or a
/// scope that includes it) is held in a place where another verdict says it
/// is missing. Every scenario that signs in, by probes and with an org
/// admin's token, for MuleSoft's list and for every capability.
#[tokio::test]
async fn no_run_says_a_scope_is_both_held_and_missing_in_one_place() {
    use anypoint_doctor::doctor::catalogue::Catalogue;
    use anypoint_doctor::doctor::spec::CheckKind;
    use futures::StreamExt;
    let catalogue = Catalogue::get();
    let registry = Registry::get();
    let scope_of = |id: &str| {
        registry
            .checks
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| match &c.kind {
                CheckKind::Scope(spec) => spec.scope.clone(),
                _ => None,
            })
    };
    let every_capability = RunOptions {
        capabilities: catalogue
            .capability_ids()
            .into_iter()
            .map(str::to_string)
            .collect(),
        ..RunOptions::default()
    };
    // Slow, throttled or big worlds give the verdicts of others; they add time only.
    let skipped = ["slow", "rate-limited", "generated-20x5"];
    let default = RunOptions::default();
    let mut cases = Vec::new();
    for scenario in SCENARIOS.iter().filter(|s| !skipped.contains(&s.name)) {
        let world = world(scenario.name);
        for who in [As::App, As::AppAndAdmin("")] {
            for options in [&default, &every_capability] {
                cases.push((scenario, world.clone(), who, options));
            }
        }
    }
    // Each run has a simulator of its own: several at once, their waits overlapping.
    let runs: Vec<_> = futures::stream::iter(&cases)
        .map(|(_, world, who, options)| diagnose_world(world, options, |s| act_as(s, world, *who)))
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    for ((scenario, _, who, _), run) in cases.iter().zip(&runs) {
        let report = &run.report;
        // Held: a scope check that passed, in its target.
        let held: Vec<(String, Option<&str>)> = report
            .checks
            .iter()
            .filter(|o| o.status == Status::Pass)
            .filter_map(|o| Some((scope_of(&o.id)?, o.target.as_deref())))
            .collect();
        for o in &report.checks {
            let Some(missing) = &o.missing_scope else {
                continue;
            };
            let place = missing.env_name.as_deref().or(missing.org_name.as_deref());
            let clash = held.iter().find(|(scope, target)| {
                *target == place && catalogue.route(scope, &missing.scope).is_some()
            });
            assert!(
                clash.is_none(),
                "{} ({}): {} says {} is missing in {place:?}, while {clash:?} is held\n{}",
                scenario.name,
                if matches!(who, As::App) {
                    "probes"
                } else {
                    "admin"
                },
                o.id,
                missing.scope,
                dump(report)
            );
        }
    }
}
