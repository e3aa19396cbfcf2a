//! Verdicts that hold on the real platform, on answers shaped by hand (the
//! simulator's scenarios, Application Creator's lists and user-type apps
//! among them, are `checks::matrix`'s): paged exact grants, HTML pages with
//! 200, 404 probes, throttling, `--for` capabilities and whose token decides
//! exact mode.

use super::*;

// ---------------------------------------------------------------------------
// 12. Verdicts that hold on the real platform
// ---------------------------------------------------------------------------

/// The outcomes that pass and name a scope the app may not hold.
fn passes_of<'a>(report: &'a Report, ids: &[&str]) -> Vec<&'a Outcome> {
    report
        .checks
        .iter()
        .filter(|o| ids.contains(&o.id.as_str()) && o.status == Status::Pass)
        .collect()
}

/// The grants of the exact-mode tests, answered `page` at a time, every page
/// saying the total: the doctor must follow `offset` until it has them all.
fn paged_grants(tenant: &mut Tenant, client_id: &str, grants: &[Grant], page: usize) {
    let base = format!("/accounts/api/connectedApplications/{client_id}/scopes");
    for (n, chunk) in grants.chunks(page).enumerate() {
        let path = format!("{base}?offset={}&limit=500", n * page);
        tenant
            .set("GET", path.clone(), grants_page(chunk, grants.len()))
            .expect("GET", path, 1);
    }
}

#[tokio::test]
async fn exact_mode_reads_every_page_applies_implications_and_sends_no_write() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")));
    let grants = [
        ("profile", None, None),
        ("read:org_client_applications", Some(ROOT), None),
        ("manage:org_client_applications", Some(ROOT), None),
        // None in Design, which API Manager does not manage (reference
        // §12.1): not a finding there.
        ("manage:apis", Some(ROOT), Some(SANDBOX)),
        ("manage:exchange", Some(ROOT), None),
        ("full", None, None),
        // The last page: Production's only through an implication as well.
        ("manage:apis", Some(ROOT), Some(PRODUCTION)),
    ];
    paged_grants(&mut tenant, APP_ID, &grants, 3);
    // The admin's list of what exists: every application, with targetAdminSite.
    tenant.set(
        "GET",
        format!("{}&targetAdminSite=true", path::client_apps(ROOT)),
        ok(fixture("apiplatform-applications-list.json")),
    );
    tenant.forbid_posts();
    for env in ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 0);
    }
    let report = tenant.run_with(admin_settings, plan()).await;

    for id in [CONTRACTS, VIEW_APIS, APIM_ADMIN] {
        assert_eq!(targets(&report, id), API_MANAGER_ENV_NAMES, "{id}");
    }
    for env in API_MANAGER_ENV_NAMES {
        let contracts = at(&report, CONTRACTS, env, Status::Pass);
        assert!(!contracts.inferred);
        assert_reads(
            &report,
            &[
                (VIEW_APIS, Some(env), Status::Pass, &[]),
                (APIM_ADMIN, Some(env), Status::Pass, &[]),
            ],
        );
    }
    assert_eq!(report.summary.fail, 0, "\n{}", dump(&report));
    assert_eq!(report.summary.error, 0, "\n{}", dump(&report));
    assert!(
        report
            .checks
            .iter()
            .flat_map(|o| &o.evidence)
            .all(|e| e.method == "GET"),
        "an exact run sends no write"
    );
    assert_reads(
        &report,
        &[
            ("deprecated.repository-v2-create", None, Status::Skip, &[]),
            (EMPTY_LIST, None, Status::Pass, &[]),
        ],
    );
}

#[tokio::test]
async fn exact_mode_with_unreadable_grants_says_so_and_never_probes_with_the_admin_token() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set("GET", path::grants(APP_ID), forbidden())
        .set("GET", path::org_grants(ROOT, APP_ID), forbidden())
        // The org-scoped path is tried once the short one is refused.
        .expect("GET", path::org_grants(ROOT, APP_ID), 1)
        .expect("GET", path::client_apps(ROOT), 0);
    tenant.forbid_posts();
    for env in ENVS {
        tenant.expect("GET", path::apis(ROOT, env), 0);
    }
    let report = tenant.run_with(admin_settings, selecting(&["scope"])).await;

    for outcome in report
        .checks
        .iter()
        .filter(|o| o.id.starts_with("scope.") && o.id != "scope.background-access")
    {
        assert_eq!(
            outcome.status,
            Status::Error,
            "{}\n{}",
            outcome.id,
            dump(&report)
        );
        assert!(
            outcome.summary.contains("could not be read") && !outcome.inferred,
            "{}: {}",
            outcome.id,
            outcome.summary
        );
    }
}

#[tokio::test]
async fn an_html_page_answered_with_200_passes_nothing() {
    let login_page = || {
        text(
            200,
            "text/html; charset=utf-8",
            "<html><head><title>Corporate SSO - Sign in</title></head><body>Sign in</body></html>",
        )
    };
    let mut tenant = Tenant::healthy();
    for env in API_MANAGER_ENVS {
        tenant.set("GET", path::apis(ROOT, env), login_page());
    }
    let report = run_tenant(&tenant).await;

    for env in API_MANAGER_ENV_NAMES {
        let view = at(&report, VIEW_APIS, env, Status::Error);
        assert!(view.summary.contains("HTML page"), "{}", view.summary);
        // No instance could be read from the page: the contract check could not check.
        let contracts = at(&report, CONTRACTS, env, Status::Error);
        assert!(
            contracts.summary.contains("HTML page"),
            "{}",
            contracts.summary
        );
    }
    let passes = passes_of(
        &report,
        &[VIEW_APIS, CONTRACTS, "deprecated.exchange-v1-apis"],
    );
    assert!(passes.is_empty(), "\n{}", dump(&report));
}

#[tokio::test]
async fn a_404_from_the_contract_probe_is_inconclusive_not_authorised() {
    let mut tenant = Tenant::healthy();
    tenant.set(
        "POST",
        path::contracts_probe(ROOT, SANDBOX),
        json(404, fixture("apimanager-error-404.json")),
    );
    let report = run_tenant(&tenant).await;

    let sandbox = at(&report, CONTRACTS, "Sandbox", Status::Skip);
    assert!(
        sandbox.summary.starts_with("inconclusive") && sandbox.summary.contains("404"),
        "{}",
        sandbox.summary
    );
    assert_remedy(sandbox, "ANYPOINT_ADMIN_BEARER");
}

#[tokio::test]
async fn access_managements_empty_503_is_throttling_not_a_refusal() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut tenant = Tenant::healthy();
    tenant
        .set(
            "GET",
            path::environments(ROOT),
            text(503, "text/plain", "")
                .header("x-ratelimit-limit", "400")
                .header("x-ratelimit-remaining", "0")
                // A reset already due: the retries need not wait.
                .header("x-ratelimit-reset", &now.to_string()),
        )
        // Retried like a 429, within the attempts allowed.
        .expect("GET", path::environments(ROOT), 4);
    let report = run_tenant(&tenant).await;

    let envs = only(&report, "org.environments", Status::Error);
    assert_contains_all(
        &envs.summary,
        &["rate-limited", "says nothing about scopes"],
        &envs.summary,
    );
    assert_eq!(envs.evidence[0].attempts, 4);
}

#[tokio::test]
async fn check_for_a_capability_runs_only_what_it_needs_and_names_the_unneeded_scopes() {
    let mut tenant = Tenant::healthy();
    tenant
        .expect("POST", path::contracts_probe(ROOT, PRODUCTION), 1)
        .expect("POST", path::contracts_probe(ROOT, SANDBOX), 0)
        .expect("POST", path::exchange_apps(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 0);
    let report = tenant
        .run_with(
            |server| {
                let mut settings = settings(server);
                settings.envs = Some(Sourced {
                    value: vec!["Production".into()],
                    source: Source::Flag("--env"),
                });
                settings
            },
            RunOptions {
                capabilities: vec!["create-contract".into()],
                ..plan()
            },
        )
        .await;

    assert_eq!(
        ids_in_order(&report),
        [BASE_CHECKS.as_slice(), &["capability.create-contract"]].concat()
    );
    // API Manager allows the call, and the instance's Exchange asset reads:
    // Exchange Viewer, which a contract needs too, is held. Proven.
    let contract = at(
        &report,
        "capability.create-contract",
        "Production",
        Status::Pass,
    );
    assert!(
        contract.summary.starts_with("can create contracts")
            && contract
                .summary
                .contains("so Exchange Viewer (read:exchange) is held"),
        "{}",
        contract.summary
    );
    assert!(
        contract
            .evidence
            .iter()
            .any(|e| e.url.ends_with(&path::asset())),
        "{:?}",
        contract.evidence
    );
    let least = report
        .least_privilege
        .as_ref()
        .expect("a least-privilege note");
    let needed: Vec<&str> = least.needed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(needed, ["manage:api_contracts", "read:exchange"]);
    let not_needed: Vec<&str> = least.not_needed.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        not_needed,
        [
            "manage:org_client_applications",
            "read:org_client_applications",
            "manage:exchange",
            "manage:apis",
            "full",
            "offline_access"
        ]
    );
    let table = terminal::render(
        &report,
        TableOptions {
            color: false,
            width: Some(120),
            verbose: false,
        },
    );
    assert_contains_all(
        &table,
        &[
            "Least privilege for create-contract: Manage Contracts (manage:api_contracts), Exchange Viewer (read:exchange). Of the",
            "Pre-flight: open. Every need is proven (1).",
            "does not need: Manage Client",
        ],
        &table,
    );
}

/// Found by the conformance property test (`conformance::models`): an org
/// admin's run whose app record cannot be read checks the admin's own org,
/// a guess, so the identity it names is a warning, not a pass.
#[tokio::test]
async fn an_unreadable_app_record_makes_the_admins_identity_a_warning() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set(
            "GET",
            format!("/accounts/api/connectedApplications/{APP_ID}"),
            ok(r#""not an object""#),
        );
    let report = tenant
        .run_with(admin_settings, selecting(&["auth.identity"]))
        .await;
    let identity = only(&report, "auth.identity", Status::Warn);
    assert_contains_all(
        &identity.summary,
        &["its org could not be read", "checking org"],
        &identity.summary,
    );
    assert!(
        identity
            .remediation
            .as_deref()
            .is_some_and(|r| r.contains("--client-id")),
        "{}",
        dump(&report)
    );
}

#[tokio::test]
async fn exact_mode_tries_the_org_scoped_path_when_the_short_one_answers_401() {
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
        .set(
            "GET",
            path::grants(APP_ID),
            json(401, r#"{"status":401,"message":"Unauthorized"}"#),
        )
        .set(
            "GET",
            path::org_grants(ROOT, APP_ID),
            grants(&[("manage:api_contracts_all_envs", Some(ROOT), None)]),
        )
        .expect("GET", path::org_grants(ROOT, APP_ID), 1);
    tenant.forbid_posts();
    let report = tenant
        .run_with(admin_settings, selecting(&[CONTRACTS]))
        .await;
    for env in API_MANAGER_ENV_NAMES {
        let contracts = at(&report, CONTRACTS, env, Status::Pass);
        assert_contains_all(
            &contracts.summary,
            &["Manage Contracts All Environments", "every environment"],
            &contracts.summary,
        );
    }
}

#[tokio::test]
async fn an_exact_run_fails_a_contract_capability_without_exchange_viewer() {
    let run_with = |grants_body: Reply| async move {
        let mut tenant = Tenant::healthy();
        tenant
            .accept_bearer("admin-token")
            .set("GET", path::ME, ok(fixture("accounts-me-user.json")))
            .set("GET", path::grants(APP_ID), grants_body);
        tenant.forbid_posts();

        tenant
            .run_with(
                admin_settings,
                RunOptions {
                    capabilities: vec!["create-contract".into()],
                    ..plan()
                },
            )
            .await
    };
    let without = run_with(grants(&[(
        "manage:api_contracts",
        Some(ROOT),
        Some(PRODUCTION),
    )]))
    .await;
    let production = at(
        &without,
        "capability.create-contract",
        "Production",
        Status::Fail,
    );
    assert!(
        production
            .summary
            .contains("also needs Exchange Viewer (read:exchange)"),
        "{}",
        production.summary
    );
    let scope = production.missing_scope.as_ref().expect("the scope to add");
    assert_eq!(
        (scope.scope.as_str(), scope.env_name.as_deref()),
        ("read:exchange", None)
    );
    let with = run_with(grants(&[
        ("manage:api_contracts", Some(ROOT), Some(PRODUCTION)),
        ("read:exchange", Some(ROOT), None),
        // The contract's API id, asset and version come from the instance list.
        ("read:api_configuration", Some(ROOT), Some(PRODUCTION)),
    ]))
    .await;
    assert_reads(
        &with,
        &[
            (
                "capability.create-contract",
                Some("Production"),
                Status::Pass,
                &[],
            ),
            (
                "capability.create-contract",
                Some("Sandbox"),
                Status::Fail,
                &[],
            ),
        ],
    );
}

#[tokio::test]
async fn whose_token_it_is_decides_exact_mode_not_which_settings_were_given() {
    // A user's token with no client id: its permissions are not an app's.
    let mut tenant = Tenant::healthy();
    tenant
        .accept_bearer("admin-token")
        .set("GET", path::ME, ok(fixture("accounts-me-user.json")));
    tenant.forbid_posts();
    let report = tenant
        .run_with(
            |server| bearer_settings(server, "admin-token", None),
            selecting(&["scope"]),
        )
        .await;
    for o in report.checks.iter().filter(|o| o.id.starts_with("scope.")) {
        assert_eq!(o.status, Status::Skip, "{}\n{}", o.id, dump(&report));
        assert!(
            o.summary.contains("the token is a user's") || o.id == "scope.background-access",
            "{}",
            o.summary
        );
    }

    // The app's own token, given as a bearer with its id (as CI often does):
    // an ordinary run, whose probes decide.
    let mut tenant = Tenant::healthy();
    tenant.accept_bearer(TOKEN);
    let report = tenant
        .run_with(
            |server| bearer_settings(server, TOKEN, Some(CLIENT_ID)),
            selecting(&[CONTRACTS]),
        )
        .await;
    for env in API_MANAGER_ENV_NAMES {
        let contracts = at(&report, CONTRACTS, env, Status::Pass);
        assert!(contracts.inferred, "{}", contracts.summary);
    }
}
