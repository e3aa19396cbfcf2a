//! The empty client application list check: what contradicts an empty list,
//! and where the view scope must be granted.

use super::*;

// ---------------------------------------------------------------------------
// 6. The empty client application list
// ---------------------------------------------------------------------------

/// The healthy tenant with an empty client application list (everything else
/// empty too), running only the data check and what it requires.
fn empty_list_tenant() -> Tenant {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list-empty.json")),
        )
        .set("GET", path::exchange_apps(ROOT), ok("[]"))
        .expect("GET", path::client_apps(ROOT), 1)
        .expect("GET", path::exchange_apps(ROOT), 1);
    for env in API_MANAGER_ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 1);
    }
    // Design holds no API instance: API Manager does not manage it (reference §12.1).
    tenant.expect("GET", path::apis(ROOT, DESIGN), 0);
    tenant
}

async fn run_data_check(tenant: &Tenant) -> Report {
    let report = tenant.run_with(settings, selecting(&["data"])).await;
    assert_eq!(
        ids_in_order(&report),
        [BASE_CHECKS.as_slice(), &[EMPTY_LIST]].concat()
    );
    report
}

/// The empty-list check's verdict: its status, and phrases of its summary.
#[track_caller]
fn assert_empty_list(report: &Report, status: Status, phrases: &[&str]) {
    assert_reads(report, &[(EMPTY_LIST, None, status, phrases)]);
}

#[tokio::test]
async fn empty_list_fails_when_the_exchange_list_shows_applications() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::exchange_apps(ROOT),
        ok(fixture("exchange-applications-list.json")),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Fail);
    assert_contains_all(
        &outcome.summary,
        &["applications exist", "lists 2"],
        &outcome.summary,
    );
    assert!(
        outcome
            .remediation
            .as_deref()
            .unwrap_or_default()
            .contains("View Client Applications")
    );
}

#[tokio::test]
async fn empty_list_fails_when_api_instances_have_active_contracts() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::apis(ROOT, SANDBOX),
        ok(fixture("apimanager-apis-list.json")),
    );
    let report = run_data_check(&tenant).await;

    assert_empty_list(&report, Status::Fail, &[]);
}

#[tokio::test]
async fn empty_list_warns_inferred_when_nothing_contradicts_but_grants_are_unreadable() {
    let report = run_data_check(&empty_list_tenant()).await;

    let outcome = only(&report, EMPTY_LIST, Status::Warn);
    assert!(outcome.inferred);
    assert_contains_all(
        &outcome.summary,
        &["cannot be read", "\"Production\""],
        &outcome.summary,
    );
}

#[tokio::test]
async fn empty_list_passes_when_the_view_scope_is_granted_in_the_root_org() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::grants(CLIENT_ID),
        grants(&[
            ("profile", None, None),
            ("read:org_client_applications", Some(ROOT), None),
        ]),
    );
    let report = run_data_check(&tenant).await;

    let outcome = only(&report, EMPTY_LIST, Status::Pass);
    assert!(!outcome.inferred);
    assert!(
        outcome.summary.contains("believable"),
        "{}",
        outcome.summary
    );
}

#[tokio::test]
async fn empty_list_fails_when_the_view_scope_is_granted_only_in_a_business_group() {
    let mut tenant = empty_list_tenant();
    tenant.set(
        "GET",
        path::grants(CLIENT_ID),
        grants(&[("read:org_client_applications", Some(BG), None)]),
    );
    let report = run_data_check(&tenant).await;

    assert_empty_list(
        &report,
        Status::Fail,
        &["not granted in the root organization"],
    );
}
