//! Business groups, `--org` and `--env`: client applications probed in the
//! root org, orgs and environments selected by name, and unknown names as
//! configuration errors.

use super::*;

// ---------------------------------------------------------------------------
// 7-8. Business groups, --org and --env
// ---------------------------------------------------------------------------

/// Client application routes in the business group: the doctor must never call them.
fn forbid_business_group_client_app_paths(tenant: &mut Tenant) {
    tenant
        .expect("POST", path::exchange_apps(BG), 0)
        .expect("GET", path::exchange_apps(BG), 0)
        .expect("GET", path::client_apps(BG), 0)
        .expect("POST", path::repository_create(BG), 0);
}

#[tokio::test]
async fn app_in_a_business_group_probes_client_applications_in_the_root_org() {
    let mut tenant = Tenant::new(BG, BG);
    tenant
        .expect("GET", path::org(BG), 1)
        .expect("GET", path::org(ROOT), 1)
        .expect("GET", path::environments(BG), 1)
        .expect("POST", path::exchange_apps(ROOT), 1)
        .expect("GET", path::client_apps(ROOT), 1)
        .expect("POST", path::repository_create(ROOT), 1);
    forbid_business_group_client_app_paths(&mut tenant);
    for env in API_MANAGER_ENVS {
        tenant.expect("POST", path::contracts_probe(BG, env), 1);
    }
    let report = run_tenant(&tenant).await;

    only(&report, "org.structure", Status::Pass);
    assert_eq!(report.target.org_id.as_deref(), Some(BG));
    assert_eq!(report.target.org_name.as_deref(), Some("Payments BG"));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    // Root-org scopes are about the root; org and environment scopes about the business group.
    // The create probe proves only the capability: Application Creator allows it too.
    assert_reads(
        &report,
        &[
            (MANAGE_APPS, Some(ROOT_NAME), Status::Skip, &[]),
            (VIEW_APPS, Some(ROOT_NAME), Status::Pass, &[]),
        ],
    );
    assert_eq!(
        outcomes(&report, "scope.exchange-administrator")[0]
            .target
            .as_deref(),
        Some("Payments BG")
    );
    let production = at(&report, CONTRACTS, "Production", Status::Pass);
    assert!(
        production
            .evidence
            .last()
            .is_some_and(|e| e.url.ends_with(&path::contracts_probe(BG, PRODUCTION))),
        "environment probes go to the business group: {:?}",
        production.evidence
    );
    only(&report, EMPTY_LIST, Status::Pass);
}

#[tokio::test]
async fn org_flag_resolves_a_business_group_by_name() {
    let mut tenant = Tenant::new(ROOT, BG);
    tenant
        .expect("GET", path::environments(BG), 1)
        .expect("GET", path::environments(ROOT), 0)
        .expect("GET", path::client_apps(ROOT), 1);
    forbid_business_group_client_app_paths(&mut tenant);
    for env in API_MANAGER_ENVS {
        tenant
            .expect("POST", path::contracts_probe(BG, env), 1)
            .expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let report = tenant
        .run_with(
            |server| {
                let mut settings = settings(server);
                settings.org = Some(Sourced {
                    value: "payments bg".into(),
                    source: Source::Flag("--org"),
                });
                settings
            },
            plan(),
        )
        .await;

    assert_reads(
        &report,
        &[(
            "org.structure",
            None,
            Status::Pass,
            &["is a business group"],
        )],
    );
    assert_eq!(report.target.org_id.as_deref(), Some(BG));
    assert_eq!(report.target.root_org_id.as_deref(), Some(ROOT));
    assert_no_fail_or_error(&report);
}

#[tokio::test]
async fn unknown_org_name_is_a_configuration_error_naming_the_setting() {
    let mut tenant = Tenant::healthy();
    tenant.expect("GET", path::environments(ROOT), 0);
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.org = Some(Sourced {
        value: "Nope BG".into(),
        source: Source::Flag("--org"),
    });
    let err = diagnose(settings, &plan())
        .await
        .expect_err("an unknown org is a usage error");
    mounted.verify().await;

    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(err.exit_status(), anypoint_doctor::ExitStatus::Usage);
    let message = err.to_string();
    for needle in [
        "\"Nope BG\"",
        "--org",
        "\"Example Corp\"",
        "\"Payments BG\"",
    ] {
        assert!(
            message.contains(needle),
            "message lacks {needle}: {message}"
        );
    }
}

#[tokio::test]
async fn unknown_env_name_is_a_configuration_error_naming_the_setting() {
    let mut tenant = Tenant::healthy();
    for env in ENVS {
        tenant.expect("POST", path::contracts_probe(ROOT, env), 0);
    }
    let mut server = mockito::Server::new_async().await;
    let mounted = tenant.mount(&mut server).await;
    let mut settings = settings(&server);
    settings.envs = Some(Sourced {
        value: vec!["Sandbox".into(), "Staging".into()],
        source: Source::Env("ANYPOINT_ENV"),
    });
    let err = diagnose(settings, &plan())
        .await
        .expect_err("an unknown env is a usage error");
    mounted.verify().await;

    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let message = err.to_string();
    for needle in [
        "\"Staging\"",
        "ANYPOINT_ENV",
        "\"Example Corp\"",
        "Design, Sandbox, Production",
    ] {
        assert!(
            message.contains(needle),
            "message lacks {needle}: {message}"
        );
    }
}

#[tokio::test]
async fn env_names_select_environments_ignoring_case() {
    let mut tenant = Tenant::healthy();
    tenant
        .expect("POST", path::contracts_probe(ROOT, DESIGN), 0)
        .expect("POST", path::contracts_probe(ROOT, SANDBOX), 1)
        .expect("POST", path::contracts_probe(ROOT, PRODUCTION), 1);
    let report = tenant
        .run_with(
            |server| {
                let mut settings = settings(server);
                settings.envs = Some(Sourced {
                    value: vec!["production".into(), "Sandbox".into()],
                    source: Source::Flag("--env"),
                });
                settings
            },
            plan(),
        )
        .await;

    let selected: BTreeSet<&str> = targets(&report, CONTRACTS).into_iter().collect();
    assert_eq!(selected, BTreeSet::from(["Production", "Sandbox"]));
    let envs: BTreeSet<&str> = report
        .target
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(envs, BTreeSet::from(["Production", "Sandbox"]));
}

#[tokio::test]
async fn only_the_design_environment_selected_skips_api_managers_checks_with_the_reason() {
    let mut tenant = Tenant::healthy();
    // API Manager does not manage design environments (reference §12.1): nothing is asked there.
    tenant
        .expect("GET", path::apis(ROOT, DESIGN), 0)
        .expect("POST", path::apis(ROOT, DESIGN), 0)
        .expect("POST", path::contracts_probe(ROOT, DESIGN), 0)
        .expect("GET", path::exchange_v1_apis(ROOT, DESIGN), 0);
    let report = tenant
        .run_with(
            |server| {
                let mut settings = settings(server);
                settings.envs = Some(Sourced {
                    value: vec!["Design".into()],
                    source: Source::Flag("--env"),
                });
                settings
            },
            plan(),
        )
        .await;

    for id in [
        CONTRACTS,
        APIM_ADMIN,
        VIEW_APIS,
        "deprecated.exchange-v1-apis",
    ] {
        let outcome = only(&report, id, Status::Skip);
        assert_eq!(outcome.code.code(), "env.design", "{id}");
        assert_contains_all(
            &outcome.summary,
            &[
                "\"Design\" is a design environment",
                "API Manager does not manage design environments",
            ],
            &outcome.summary,
        );
        assert!(outcome.remediation.is_none(), "{id}: nothing to do");
        assert!(outcome.missing_scope.is_none(), "{id}");
        assert!(outcome.evidence.is_empty(), "{id} sent a request");
    }
    // The checks about the root organization still run.
    only(&report, VIEW_APPS, Status::Pass);
    assert_no_fail_or_error(&report);
}
