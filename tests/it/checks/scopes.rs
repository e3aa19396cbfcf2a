//! Scope checks: per-environment fan-out (a scope missing in one environment
//! fails only there) and exact verdicts from granted scopes an admin token
//! reads.

use super::*;

// ---------------------------------------------------------------------------
// 4. Per-environment fan-out
// ---------------------------------------------------------------------------

#[tokio::test]
async fn manage_contracts_missing_in_production_only_fails_there() {
    let mut tenant = Tenant::healthy();
    tenant.set("POST", path::contracts_probe(ROOT, PRODUCTION), forbidden());
    for env in API_MANAGER_ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 1);
    }
    // API Manager does not manage Design (reference §12.1): nothing is asked there.
    tenant
        .expect("POST", path::contracts_probe(ROOT, DESIGN), 0)
        .expect("GET", path::apis(ROOT, DESIGN), 0);
    let report = run_tenant(&tenant).await;

    assert_eq!(targets(&report, CONTRACTS), API_MANAGER_ENV_NAMES);
    let pass = at(&report, CONTRACTS, "Sandbox", Status::Pass);
    assert!(pass.inferred && pass.remediation.is_none());
    let production = at(&report, CONTRACTS, "Production", Status::Fail);
    assert!(production.inferred, "concluded from the probe");
    let urls: Vec<&str> = production.evidence.iter().map(|e| e.url.as_str()).collect();
    // The refusal is Manage Contracts': the instance's Exchange asset reads,
    // so Exchange Viewer, which contracts need too, is held.
    assert_eq!(
        urls.len(),
        4,
        "the read of the granted scopes, the API list, the Production probe, the asset: {urls:#?}"
    );
    assert!(urls[3].ends_with(&path::asset()), "{urls:#?}");
    assert!(
        urls[1].ends_with(&path::apis(ROOT, PRODUCTION)),
        "{urls:#?}"
    );
    assert!(
        urls[2].ends_with(&path::contracts_probe(ROOT, PRODUCTION)),
        "the probe is aimed at the instance Production lists: {urls:#?}"
    );
    assert_eq!(report.summary.fail, 1, "\n{}", dump(&report));
}

// ---------------------------------------------------------------------------
// 5. Exact grants (an admin token reads the app's scopes)
// ---------------------------------------------------------------------------

/// A run with an org admin's bearer token and the app's client id, the
/// app's granted scopes answered with `grants_body`. No probe may be sent.
async fn exact_grants_run(grants_body: String) -> Report {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set("GET", path::grants(APP_ID), ok(grants_body))
        .expect("GET", path::grants(APP_ID), 1)
        .expect("GET", path::grants(CLIENT_ID), 0)
        .expect("POST", path::exchange_apps(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 0);
    for env in ENVS {
        tenant
            .expect("POST", path::contracts_probe(ROOT, env), 0)
            .expect("POST", path::apis(ROOT, env), 0);
    }

    tenant
        .run_with(
            |server| bearer_settings(server, "admin-token", Some(APP_ID)),
            selecting(&["scope"]),
        )
        .await
}

#[track_caller]
fn assert_exact_manage_contracts(report: &Report) {
    assert_reads(
        report,
        &[
            ("auth.token", None, Status::Skip, &["ANYPOINT_BEARER"]),
            ("auth.identity", None, Status::Pass, &["ada-example"]),
        ],
    );

    // The fixture grants nothing of API Manager's in Design, and none is needed there.
    assert_eq!(targets(report, CONTRACTS), API_MANAGER_ENV_NAMES);
    let sandbox = at(report, CONTRACTS, "Sandbox", Status::Pass);
    assert!(!sandbox.inferred, "read from the granted scopes");
    assert!(
        sandbox.summary.starts_with("granted"),
        "{}",
        sandbox.summary
    );
    let missing = at(report, CONTRACTS, "Production", Status::Fail);
    assert!(!missing.inferred);
    assert!(
        missing
            .summary
            .contains("granted only as manage:api_contracts for \"Example Corp\" / \"Sandbox\""),
        "{}",
        missing.summary
    );
    let fix = missing.remediation.as_deref().expect("a fix");
    assert!(fix.contains("environment \"Production\""), "{fix}");
    let view = at(report, VIEW_APPS, ROOT_NAME, Status::Pass);
    assert!(!view.inferred);
    let manage = at(report, MANAGE_APPS, ROOT_NAME, Status::Fail);
    assert!(manage.summary.contains("not granted"), "{}", manage.summary);
    let fix = manage.remediation.as_deref().expect("a fix");
    assert_contains_all(
        fix,
        &[
            "Manage Client Applications",
            "the root organization \"Example Corp\"",
        ],
        &fix,
    );
    // Without a probe, the granted scopes still decide these.
    assert_reads(
        report,
        &[
            ("scope.exchange-administrator", None, Status::Fail, &[]),
            ("scope.full-access", None, Status::Warn, &[]),
        ],
    );
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert!(
            !o.inferred,
            "{} must not be inferred with readable grants",
            o.id
        );
    }
}

#[tokio::test]
async fn readable_grants_decide_exactly_without_probes() {
    let report = exact_grants_run(fixture("connected-app-scopes-list.json")).await;
    assert_exact_manage_contracts(&report);
}

#[tokio::test]
async fn readable_grants_under_the_scopes_key_decide_the_same() {
    let mut list: serde_json::Value =
        serde_json::from_str(&fixture("connected-app-scopes-list.json")).unwrap();
    let object = list.as_object_mut().unwrap();
    let data = object.remove("data").unwrap();
    object.insert("scopes".into(), data);
    let report = exact_grants_run(list.to_string()).await;
    assert_exact_manage_contracts(&report);
}

#[tokio::test]
async fn background_access_is_not_required_when_an_admin_reads_a_connected_apps_grants() {
    let report = exact_grants_run(fixture("connected-app-scopes-list.json")).await;
    assert_reads(
        &report,
        &[(
            "scope.background-access",
            None,
            Status::Skip,
            &["not applicable"],
        )],
    );
}
