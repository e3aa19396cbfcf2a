//! Secrets echoed by the platform (client secret, JSON-escaped secret, bearer
//! token) never reach the table, Markdown or JSON rendering.

use super::*;

// ---------------------------------------------------------------------------
// 12. Secrets
// ---------------------------------------------------------------------------

const ISSUED_TOKEN: &str = "tok-SECRET-123";

/// Every rendering of the report, verbose where there is a choice.
fn renderings(report: &Report) -> [(&'static str, String); 3] {
    [
        ("json", json::render(report)),
        ("markdown", markdown::render(report)),
        (
            "table",
            terminal::render(
                report,
                TableOptions {
                    color: false,
                    width: Some(240),
                    verbose: true,
                },
            ),
        ),
    ]
}

#[track_caller]
fn assert_no_secret(report: &Report, secrets: &[&str]) {
    for (format, output) in renderings(report) {
        for secret in secrets {
            // The JSON renderer escapes what it prints: look for every form.
            let escaped = serde_json::to_string(secret).unwrap();
            let escaped = escaped.trim_matches('"');
            for form in [*secret, escaped, &escaped.replace('/', "\\/")] {
                assert!(
                    !output.contains(form),
                    "{format} output shows {form:?}:\n{output}"
                );
            }
        }
    }
}

#[tokio::test]
async fn secrets_echoed_by_the_platform_never_reach_any_rendering() {
    let echo = format!("client_secret={SECRET} token={ISSUED_TOKEN}");
    let mut tenant = Tenant::healthy();
    tenant
        .issue_token(ISSUED_TOKEN)
        .set(
            "GET",
            path::grants(CLIENT_ID),
            json(403, format!(r#"{{"message":"{echo}"}}"#)),
        )
        .set(
            "POST",
            path::contracts_probe(ROOT, PRODUCTION),
            json(403, format!(r#"{{"message":"forbidden for {echo}"}}"#)),
        )
        .set(
            "POST",
            path::apis(ROOT, SANDBOX),
            text(500, "text/plain", format!("internal error {echo}")),
        )
        .set(
            "GET",
            path::exchange_v1_apis(ROOT, SANDBOX),
            text(418, "text/plain", format!("teapot {echo}")),
        )
        .set(
            "GET",
            path::client_apps(ROOT),
            ok(fixture("apiplatform-applications-list-empty.json")),
        )
        .set(
            "GET",
            path::exchange_apps(ROOT),
            json(
                502,
                format!(r#"{{"error":"bad gateway","error_description":"{echo}"}}"#),
            ),
        );
    let report = run_tenant(&tenant).await;

    // The echoes did reach the report, masked.
    assert_reads(
        &report,
        &[
            (
                CONTRACTS,
                Some("Production"),
                Status::Fail,
                &["client_secret=**** token=****"],
            ),
            (
                APIM_ADMIN,
                Some("Sandbox"),
                Status::Error,
                &["client_secret=****"],
            ),
            // The retired call's own answer is neither 404 nor 410: could not check.
            (
                "deprecated.exchange-v1-apis",
                None,
                Status::Error,
                &["teapot client_secret=****"],
            ),
            (EMPTY_LIST, None, Status::Warn, &["token=****"]),
        ],
    );

    assert_no_secret(&report, &[SECRET, ISSUED_TOKEN]);
}

#[tokio::test]
async fn a_secret_with_json_special_characters_is_masked_in_every_escaping() {
    let secret = r#"p@ss"w\rd/42"#;
    let in_json = serde_json::to_string(secret).unwrap();
    let mut tenant = Tenant::healthy();
    tenant
        .accept_secret(secret)
        .set(
            "POST",
            path::contracts_probe(ROOT, PRODUCTION),
            json(
                403,
                serde_json::json!({"message": format!("no for {secret}")}).to_string(),
            ),
        )
        .set(
            "POST",
            path::apis(ROOT, SANDBOX),
            text(
                500,
                "text/plain",
                format!("raw {secret} and escaped {in_json}"),
            )
            .header(
                "x-anypnt-trx-id",
                &format!("trx-{}", in_json.trim_matches('"')),
            ),
        )
        .expect("POST", path::TOKEN, 1);
    let report = tenant
        .run_with(
            |server| Settings::client_credentials(base_url(server), CLIENT_ID, secret),
            plan(),
        )
        .await;

    assert_reads(
        &report,
        &[
            ("auth.token", None, Status::Pass, &[]),
            (
                CONTRACTS,
                Some("Production"),
                Status::Fail,
                &["no for ****"],
            ),
            (APIM_ADMIN, Some("Sandbox"), Status::Error, &["raw ****"]),
        ],
    );
    assert_no_secret(&report, &[secret, TOKEN]);
}

#[tokio::test]
async fn a_bearer_token_echoed_by_the_platform_never_reaches_any_rendering() {
    let mut tenant = Tenant::healthy();
    tenant.accept_bearer(ISSUED_TOKEN).set(
        "GET",
        path::ME,
        json(
            500,
            format!(r#"{{"message":"session {ISSUED_TOKEN} broke"}}"#),
        ),
    );
    let report = tenant
        .run_with(|server| bearer_settings(server, ISSUED_TOKEN, None), plan())
        .await;

    assert_reads(
        &report,
        &[(
            "auth.identity",
            None,
            Status::Error,
            &["session **** broke"],
        )],
    );
    assert_no_secret(&report, &[ISSUED_TOKEN]);
}
