//! Retired endpoints and rate limits: the Exchange v1 path explained as
//! retired or deprecated (below a base path too), and a rate-limited probe as
//! an error, never a missing scope.

use super::*;

// ---------------------------------------------------------------------------
// 10-11. Retired endpoints and rate limits
// ---------------------------------------------------------------------------

#[tokio::test]
async fn retired_exchange_v1_path_is_explained_as_retired() {
    let mut tenant = Tenant::healthy();
    // In the first environment API Manager manages: Design is not one (reference §12.1).
    tenant
        .expect("GET", path::exchange_v1_apis(ROOT, SANDBOX), 1)
        .expect("GET", path::apis(ROOT, SANDBOX), 1)
        .expect("GET", path::exchange_v1_apis(ROOT, DESIGN), 0)
        .expect("GET", path::apis(ROOT, DESIGN), 0);
    let report = run_tenant(&tenant).await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    let statuses: Vec<Option<u16>> = outcome.evidence.iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(404), Some(200)]);
}

#[tokio::test]
async fn exchange_v1_path_still_answering_is_called_deprecated() {
    let mut tenant = Tenant::healthy();
    tenant.set("GET", path::exchange_v1_apis(ROOT, SANDBOX), ok("[]"));
    let report = run_tenant(&tenant).await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert_contains_all(
        &outcome.summary,
        &["still answers", "deprecated"],
        &outcome.summary,
    );
}

#[tokio::test]
async fn retired_path_is_recognised_below_a_base_path() {
    let mut tenant = Tenant::healthy();
    for route in &mut tenant.routes {
        route.path = format!("/anypoint{}", route.path);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let url = Url::parse(&format!("{}/anypoint", server.url())).unwrap();
    let report = run(Settings::client_credentials(url, CLIENT_ID, SECRET), plan()).await;
    mounted.verify().await;

    let outcome = only(&report, "deprecated.exchange-v1-apis", Status::Pass);
    assert_contains_all(&outcome.summary, &["retired", "404"], &outcome.summary);
}

#[tokio::test]
async fn rate_limited_probe_is_an_error_not_a_missing_scope() {
    let rate_limited = || {
        json(429, r#"{"message":"Too Many Requests"}"#)
            .header("x-ratelimit-remaining", "0")
            .header("x-ratelimit-reset", "1767225600")
    };
    let mut tenant = Tenant::healthy();
    tenant
        .set("POST", path::contracts_probe(ROOT, SANDBOX), rate_limited())
        .set("GET", path::client_apps(ROOT), rate_limited());
    let report = run_tenant(&tenant).await;

    for (id, target) in [(CONTRACTS, "Sandbox"), (VIEW_APPS, ROOT_NAME)] {
        let outcome = at(&report, id, target, Status::Error);
        assert!(
            outcome.summary.contains("rate-limited (HTTP 429")
                && outcome.summary.contains("says nothing about scopes"),
            "{id}: {}",
            outcome.summary
        );
        assert!(
            !outcome.summary.contains("missing"),
            "{id}: {}",
            outcome.summary
        );
        assert!(!outcome.inferred, "{id}: nothing was concluded");
        let fix = outcome.remediation.as_deref().unwrap_or_default();
        assert!(fix.contains("--concurrency"), "{id}: {fix}");
    }
    assert_reads(
        &report,
        &[(CONTRACTS, Some("Production"), Status::Pass, &[])],
    );
    assert_eq!(targets(&report, CONTRACTS), API_MANAGER_ENV_NAMES);
    assert_eq!(
        report.summary.fail,
        0,
        "a rate limit is never a failure\n{}",
        dump(&report)
    );
}
