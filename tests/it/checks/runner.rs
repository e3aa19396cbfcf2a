//! The whole run: the healthy path (statuses, inference, shared requests),
//! independent checks in flight together and reported in registry order, and
//! `--read-only` (no write probe, no POST with a bearer token).

use super::*;

// ---------------------------------------------------------------------------
// 1. The healthy path
// ---------------------------------------------------------------------------

#[tokio::test]
async fn healthy_app_passes_with_inferred_scopes_and_shares_requests() {
    let mut tenant = Tenant::healthy();
    // Each answer is fetched once per run, however many checks need it.
    tenant
        .expect("POST", path::TOKEN, 1)
        .expect("GET", path::ME, 1)
        .expect("GET", path::org(ROOT), 1)
        .expect("GET", path::org(BG), 0)
        .expect("GET", path::hierarchy(ROOT), 1)
        .expect("GET", path::environments(ROOT), 1)
        .expect("GET", path::grants(CLIENT_ID), 1)
        // An app's own token reads no grants: the org-scoped path is not tried.
        .expect("GET", path::org_grants(ROOT, CLIENT_ID), 0)
        // Manage Client Applications probe and the deprecated check's replacement: one request.
        .expect("POST", path::exchange_apps(ROOT), 1)
        // View Client Applications probe and the empty-list check: one request.
        .expect("GET", path::client_apps(ROOT), 1)
        // The list is not empty, so no cross list and no contract counts are needed.
        .expect("GET", path::exchange_apps(ROOT), 0)
        .expect("POST", path::repository_create(ROOT), 1)
        .expect("GET", path::exchange_v1_apis(ROOT, SANDBOX), 1)
        // Once each: scope.view-apis-configuration reads every environment
        // API Manager manages, and the retired path's replacement shares
        // Sandbox's answer; Design is not API Manager's (reference §12.1).
        .expect("GET", path::apis(ROOT, DESIGN), 0)
        .expect("GET", path::exchange_v1_apis(ROOT, DESIGN), 0)
        .expect("GET", path::apis(ROOT, SANDBOX), 1)
        .expect("GET", path::apis(ROOT, PRODUCTION), 1);
    for env in API_MANAGER_ENVS {
        tenant
            .expect("POST", path::contracts_probe(ROOT, env), 1)
            .expect("POST", path::apis(ROOT, env), 1);
    }
    tenant
        .expect("POST", path::contracts_probe(ROOT, DESIGN), 0)
        .expect("POST", path::apis(ROOT, DESIGN), 0);
    let report = run_tenant(&tenant).await;

    assert_reads(
        &report,
        &[
            ("auth.token", None, Status::Pass, &[]),
            ("auth.identity", None, Status::Pass, &[]),
            ("org.structure", None, Status::Pass, &[]),
            ("org.environments", None, Status::Pass, &[]),
        ],
    );

    // An application created by a user is listed: the app sees more than its own.
    let view = at(&report, VIEW_APPS, ROOT_NAME, Status::Pass);
    assert!(view.inferred, "it comes from a probe");
    // The create probe's 400 is also what Application Creator gets: it proves
    // the capability, never Manage Client Applications itself.
    let manage = at(&report, MANAGE_APPS, ROOT_NAME, Status::Skip);
    assert!(manage.inferred);
    for id in [CONTRACTS, APIM_ADMIN, VIEW_APIS] {
        assert_eq!(
            targets(&report, id),
            API_MANAGER_ENV_NAMES,
            "{id} fans out per environment API Manager manages"
        );
        for env in API_MANAGER_ENV_NAMES {
            assert!(at(&report, id, env, Status::Pass).inferred, "{id} @ {env}");
        }
    }
    // No request tells these apart; without the granted scopes they are not verified.
    for id in ["scope.exchange-administrator", "scope.full-access"] {
        let outcome = only(&report, id, Status::Skip);
        assert!(outcome.blocked_by.is_none(), "{id}");
        assert!(!outcome.inferred, "{id}");
    }
    let background = only(&report, "scope.background-access", Status::Skip);
    assert!(
        background
            .evidence
            .iter()
            .all(|e| e.url.contains("/scopes?")),
        "an inapplicable scope sends nothing but the shared read of the granted scopes"
    );

    let v1 = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert_eq!(
        v1.target.as_deref(),
        Some("Sandbox"),
        "the first environment API Manager manages"
    );
    assert_reads(
        &report,
        &[
            ("deprecated.repository-v2-create", None, Status::Pass, &[]),
            (EMPTY_LIST, None, Status::Pass, &[]),
        ],
    );

    assert_eq!(
        (
            report.summary.pass,
            report.summary.warn,
            report.summary.fail,
            report.summary.skip,
            report.summary.error
        ),
        // A healthy org is quiet: what a probe cannot tell apart is "not verified".
        (18, 0, 0, 5, 0),
        "\n{}",
        dump(&report)
    );
    assert_eq!(report.target.org_id.as_deref(), Some(ROOT));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_eq!(report.target.environments.len(), 3);
    assert_eq!(
        report.target.client_id.as_deref(),
        Some("****t-id"),
        "client id is masked"
    );
}

// ---------------------------------------------------------------------------
// 13. Concurrency and order
// ---------------------------------------------------------------------------

#[tokio::test]
async fn independent_checks_run_concurrently_and_report_in_registry_order() {
    // scope.manage-client-applications and scope.view-client-applications
    // both need only org.structure: each answer is held until the other
    // request arrives.
    let rendezvous = Rendezvous::new(2);
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "POST",
            path::exchange_apps(ROOT),
            json(400, r#"{"status":400,"message":"name: must not be empty"}"#).held_by(&rendezvous),
        )
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list.json")).held_by(&rendezvous),
        );
    let report = run_tenant(&tenant).await;

    assert!(
        rendezvous.met(),
        "the two requests were not in flight together"
    );
    assert_eq!(ids_in_order(&report), registry_ids(), "\n{}", dump(&report));
    for id in [CONTRACTS, APIM_ADMIN] {
        assert_eq!(
            targets(&report, id),
            API_MANAGER_ENV_NAMES,
            "{id}: environments in the org's order"
        );
    }
    assert_no_fail_or_error(&report);
}

// ---------------------------------------------------------------------------
// 14. --read-only
// ---------------------------------------------------------------------------

#[track_caller]
fn assert_write_probes_skipped(report: &Report) {
    at(report, MANAGE_APPS, ROOT_NAME, Status::Skip);
    for id in [CONTRACTS, APIM_ADMIN] {
        for env in API_MANAGER_ENV_NAMES {
            assert_reads(report, &[(id, Some(env), Status::Skip, &["--read-only"])]);
        }
    }
    assert_reads(
        report,
        &[(
            "deprecated.repository-v2-create",
            None,
            Status::Skip,
            &["--read-only"],
        )],
    );
    // Reads still run.
    assert_reads(
        report,
        &[
            (VIEW_APPS, Some(ROOT_NAME), Status::Pass, &[]),
            ("deprecated.exchange-v1-apis", None, Status::Pass, &[]),
            (EMPTY_LIST, None, Status::Pass, &[]),
        ],
    );
}

#[tokio::test]
async fn read_only_sends_no_write_probe() {
    let mut tenant = Tenant::healthy();
    tenant.forbid_posts();
    tenant.expect("POST", path::TOKEN, 1);
    let report = tenant
        .run_with(
            settings,
            RunOptions {
                read_only: true,
                ..plan()
            },
        )
        .await;

    only(&report, "auth.token", Status::Pass);
    assert_write_probes_skipped(&report);
}

#[tokio::test]
async fn read_only_with_a_bearer_token_sends_no_post_at_all() {
    let mut tenant = Tenant::healthy();
    tenant.forbid_posts();
    tenant.accept_bearer("ready-token");
    let report = tenant
        .run_with(
            |server| bearer_settings(server, "ready-token", None),
            RunOptions {
                read_only: true,
                ..plan()
            },
        )
        .await;

    assert_reads(
        &report,
        &[
            ("auth.token", None, Status::Skip, &[]),
            ("auth.identity", None, Status::Pass, &[]),
        ],
    );
    assert_write_probes_skipped(&report);
    let posts: Vec<_> = report
        .checks
        .iter()
        .flat_map(|o| &o.evidence)
        .filter(|e| e.method != "GET")
        .collect();
    assert!(posts.is_empty(), "{posts:?}");
}
