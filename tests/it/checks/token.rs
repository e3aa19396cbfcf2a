//! The token and the identity: a refused token blocks every dependent and
//! sends nothing else, a 503 or an unreachable host is an error (never bad
//! credentials), and malformed identity or environment answers are errors
//! that stop only what needs them.

use super::*;

// ---------------------------------------------------------------------------
// 2-3. The token
// ---------------------------------------------------------------------------

#[tokio::test]
async fn refused_token_sends_no_other_request_and_blocks_every_dependent() {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "POST",
            path::TOKEN,
            json(401, fixture("token-error-invalid-client.json")),
        )
        .expect_nothing_but("POST", path::TOKEN)
        .expect("POST", path::TOKEN, 1);
    let report = run_tenant(&tenant).await;

    only(&report, "auth.token", Status::Fail);
    all_blocked_by(&report, "auth.token", &["auth.token"]);
    assert_eq!(
        ids_in_order(&report),
        registry_ids(),
        "every check has an outcome"
    );
    // Skipped: every check but the token and the network checks (net.tls skips plain http).
    assert_eq!(report.summary.skip, registry_ids().len() - 5);
    assert_eq!(
        report.next_steps.len(),
        1,
        "only the credentials step: {:?}",
        report.next_steps
    );
}

/// The token check said something is wrong with the credentials.
fn blames_credentials(outcome: &Outcome) -> bool {
    let summary = outcome.summary.to_lowercase();
    summary.contains("credential") || summary.contains("secret") || summary.contains("client id")
}

#[tokio::test]
async fn token_endpoint_503_is_an_error_not_a_credentials_failure() {
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "POST",
            path::TOKEN,
            text(503, "text/plain", "Service Unavailable").header("x-anypnt-trx-id", "trx-503-abc"),
        )
        .expect_nothing_but("POST", path::TOKEN)
        // A token request creates nothing, so a 503 is retried, within bounds.
        .expect("POST", path::TOKEN, 4);
    let report = run_tenant(&tenant).await;

    let token = only(&report, "auth.token", Status::Error);
    assert_contains_all(&token.summary, &["503", "after 4 attempts"], &token.summary);
    assert_eq!(token.evidence[0].attempts, 4);
    assert!(!blames_credentials(token), "{}", token.summary);
    let fix = token.remediation.as_deref().unwrap_or_default();
    assert!(
        fix.contains("trx-503-abc"),
        "the fix names the transaction id: {fix}"
    );
    assert_eq!(token.evidence[0].trx_id.as_deref(), Some("trx-503-abc"));
    all_blocked_by(&report, "auth.token", &["auth.token"]);
}

#[tokio::test]
async fn unreachable_host_is_a_network_error_not_a_credentials_failure() {
    // A loopback port nobody listens on: bound, then released.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let report = run(Settings::client_credentials(url, CLIENT_ID, SECRET), plan()).await;

    let tcp = only(&report, "net.tcp", Status::Error);
    assert!(
        tcp.summary
            .contains(&format!("cannot open a TCP connection to 127.0.0.1:{port}")),
        "{}",
        tcp.summary
    );
    assert!(!blames_credentials(tcp), "{}", tcp.summary);
    let token = only(&report, "auth.token", Status::Skip);
    assert!(token.evidence.is_empty(), "no credential was sent");
    all_blocked_by(&report, "net.tcp", &["net.tcp"]);
}

// ---------------------------------------------------------------------------
// 9. Malformed answers
// ---------------------------------------------------------------------------

/// Runs every check with /accounts/api/me answering `reply`: the identity
/// check is an error (returned), the token still passed, and every other
/// check has a skip outcome blamed on the identity.
async fn identity_error_for(reply: Reply) -> Outcome {
    let mut tenant = Tenant::healthy();
    tenant
        .set("GET", path::ME, reply)
        .expect_nothing_but("GET", path::ME)
        .expect("GET", path::ME, 1)
        .expect("POST", path::TOKEN, 1);
    let report = run_tenant(&tenant).await;

    only(&report, "auth.token", Status::Pass);
    let identity = only(&report, "auth.identity", Status::Error).clone();
    assert!(
        identity.evidence[0].url.ends_with(path::ME),
        "{:?}",
        identity.evidence
    );
    assert!(
        identity.remediation.is_some(),
        "an error says what to look at"
    );
    assert_eq!(identity.evidence.len(), 1);
    all_blocked_by(&report, "auth.identity", &["auth.token", "auth.identity"]);
    assert_eq!(
        ids_in_order(&report),
        registry_ids(),
        "the run went on to the end"
    );
    identity
}

#[track_caller]
fn assert_mentions(outcome: &Outcome, needles: &[&str]) {
    for needle in needles {
        assert!(
            outcome.summary.contains(needle),
            "summary lacks {needle:?}: {}",
            outcome.summary
        );
    }
}

#[tokio::test]
async fn identity_answered_with_html_is_an_error() {
    let outcome = identity_error_for(text(
        200,
        "text/html",
        "<html><body><h1>Corporate proxy login</h1></body></html>",
    ))
    .await;
    assert_mentions(
        &outcome,
        &["HTTP 200", "HTML page", "Corporate proxy login"],
    );
}

#[tokio::test]
async fn identity_answered_with_neither_client_nor_user_is_an_error() {
    let outcome = identity_error_for(ok(r#"{"profile": {}}"#)).await;
    assert_mentions(&outcome, &["neither a `client` nor a `user`"]);
}

#[tokio::test]
async fn identity_answered_with_an_unexpected_status_is_an_error() {
    let outcome = identity_error_for(json(418, r#"{"message":"I'm a teapot"}"#)).await;
    assert_mentions(&outcome, &["HTTP 418", "I'm a teapot"]);
}

#[tokio::test]
async fn malformed_environment_list_stops_only_the_checks_that_need_it() {
    let mut tenant = Tenant::healthy();
    tenant.set(
        "GET",
        path::environments(ROOT),
        text(200, "text/html", "<html>maintenance</html>"),
    );
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let report = run_tenant(&tenant).await;

    assert_reads(
        &report,
        &[("org.environments", None, Status::Error, &["HTML page"])],
    );
    for id in [
        CONTRACTS,
        APIM_ADMIN,
        "deprecated.exchange-v1-apis",
        EMPTY_LIST,
    ] {
        let skipped = only(&report, id, Status::Skip);
        assert_eq!(
            skipped.blocked_by.as_deref(),
            Some("org.environments"),
            "{id}"
        );
    }
    // Checks that need only the org still ran.
    // The create probe proves only the capability: Application Creator allows it too.
    assert_reads(
        &report,
        &[
            (MANAGE_APPS, Some(ROOT_NAME), Status::Skip, &[]),
            (VIEW_APPS, Some(ROOT_NAME), Status::Pass, &[]),
            ("deprecated.repository-v2-create", None, Status::Pass, &[]),
            ("scope.background-access", None, Status::Skip, &[]),
        ],
    );
}

/// A ready token in ANYPOINT_BEARER overrides the client credentials set
/// beside it: when the platform refuses it, the fix is to unset it, which
/// the refusal says (not "check the credentials", which were never used).
#[tokio::test]
async fn a_refused_bearer_beside_client_credentials_says_to_unset_it() {
    let sim = crate::support::sim::Sim::start(crate::support::sim::world("healthy")).await;
    let stale = ("ANYPOINT_BEARER", "a-token-this-simulator-never-issued");
    let run = sim.run_with(&[stale], &["check", "--format", "json"]).await;
    sim.stop().await;
    assert_eq!(run.code, 1, "{run:#?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON report");
    let outcome = |id: &str| {
        report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no {id}: {report}"))
    };
    let identity = outcome("auth.identity");
    assert_eq!(identity["status"], "fail", "{identity}");
    let fix = identity["remediation"].as_str().unwrap_or_default();
    assert_contains_all(
        fix,
        &[
            "ANYPOINT_BEARER overrides the client credentials",
            "`unset ANYPOINT_BEARER`",
        ],
        &identity,
    );
    assert_contains_all(
        identity["summary"].as_str().unwrap_or_default(),
        &["ANYPOINT_CLIENT_SECRET is set too"],
        &identity,
    );
    let token = outcome("auth.token");
    assert_contains_all(
        token["summary"].as_str().unwrap_or_default(),
        &["overrides the client credentials"],
        &token,
    );
    assert!(
        !run.output().contains(stale.1),
        "the token was printed: {run:#?}"
    );
}
