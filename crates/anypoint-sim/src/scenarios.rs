//! Named scenarios: small worlds that each show one way automation goes
//! wrong (or none), shared by `sim`, `demo`, the tests and the benchmarks.

pub use super::identities::{ADMIN_TOKEN, CLIENT_ID, CLIENT_SECRET};
use super::identities::{CLIENT_APP_SCOPES, ENV_SCOPES, env, grant, login};
use super::world::{
    ApiInstance, ClientApplication, ConnectedApp, Contract, Fault, FaultKind, Grant, Org, Tier,
    User, World,
};

pub const ROOT_ORG: &str = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
pub const BUSINESS_GROUP: &str = "5d7e9f10-2a3b-4c5d-9e6f-708192a3b4c5";
pub const DESIGN: &str = "0badc0de-2222-4333-8444-999988887777";
pub const SANDBOX: &str = "c0ffee00-1111-4222-8333-444455556666";
pub const PRODUCTION: &str = "deadbeef-7777-4888-9999-aaaabbbbcccc";
pub const BG_SANDBOX: &str = "5eed5eed-3333-4444-8555-666677778888";

pub struct Scenario {
    pub name: &'static str,
    pub description: &'static str,
    build: fn() -> World,
}

impl Scenario {
    pub fn world(&self) -> World {
        super::furnish::environments((self.build)())
    }
}

/// The scenario `demo` runs when none is named: several realistic problems at once.
pub const DEMO_DEFAULT: &str = "typical-mistakes";

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "healthy",
        description: "every scope MuleSoft's guidance asks for, in the root org and every environment",
        build: healthy,
    },
    Scenario {
        name: "typical-mistakes",
        description: "view scope missing (empty list while apps exist) and API Manager scopes on Sandbox only (Production lacks them)",
        build: typical_mistakes,
    },
    Scenario {
        name: "missing-view-scope",
        description: "no View Client Applications: the application list is 200 and empty while apps exist",
        build: missing_view_scope,
    },
    Scenario {
        name: "missing-manage-scopes",
        description: "no Manage Client Applications or Manage Contracts: creates answer 403",
        build: missing_manage_scopes,
    },
    Scenario {
        name: "env-scope-gap",
        description: "API Manager scopes granted for Sandbox only: Production answers 403 (Design is not API Manager's)",
        build: env_scope_gap,
    },
    Scenario {
        name: "business-group-org",
        description: "the app lives in a business group and got its client-application scopes there, not in the root org",
        build: business_group_org,
    },
    Scenario {
        name: "wrong-secret",
        description: "the client secret in use is not the app's: the token endpoint answers 401",
        build: wrong_secret,
    },
    Scenario {
        name: "eu-app-on-us-host",
        description: "the app was created in the EU control plane and is used against the US host: 401 on the token",
        build: eu_app_on_us_host,
    },
    Scenario {
        name: "rate-limited",
        description: "API Manager answers 429 with Retry-After and X-RateLimit-Reset",
        build: rate_limited,
    },
    Scenario {
        name: "flaky-network",
        description: "a reset connection, a gateway's HTML error page and a truncated answer on the first calls",
        build: flaky_network,
    },
    Scenario {
        name: "slow",
        description: "every answer takes 300 ms more",
        build: slow,
    },
    Scenario {
        name: "application-creator",
        description: "Application Creator only for client applications: the list shows only the app the Connected App created",
        build: application_creator,
    },
    Scenario {
        name: "exact-many-scopes",
        description: "an org admin's token reads 50+ granted scopes over several pages; manage:apis, no manage:api_contracts",
        build: exact_many_scopes,
    },
    Scenario {
        name: "token-revoked",
        description: "every issued token is revoked after 6 authenticated requests, in the middle of a run",
        build: token_revoked,
    },
    Scenario {
        name: "user-type-app",
        description: "the app acts on behalf of a user (authorization code): the token endpoint answers 400 unauthorized_client",
        build: user_type_app,
    },
    Scenario {
        name: "lookups-first",
        description: "API Manager answers 404 for an unknown API before checking scopes; Manage Contracts missing in Production",
        build: lookups_first,
    },
    Scenario {
        name: "am-throttled",
        description: "Access Management's environment list answers its first 2 requests with an empty 503 and X-RateLimit-Reset",
        build: am_throttled,
    },
    Scenario {
        name: "fixable",
        description: "Manage Contracts missing in Production, API Manager Environment Administrator in Sandbox: an org admin's token can add them",
        build: fixable,
    },
    Scenario {
        name: "no-exchange-viewer",
        description: "Manage Contracts and API Manager Environment Administrator everywhere, but no Exchange scope: contract creates answer 403",
        build: no_exchange_viewer,
    },
    Scenario {
        name: "generated-20x5",
        description: "20 business groups x 5 environments, every scope granted, 400 requests per path and minute (any generated-<N>x<M> works)",
        build: generated_20x5,
    },
];

pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

pub fn names() -> Vec<&'static str> {
    SCENARIOS.iter().map(|s| s.name).collect()
}

/// The root org's environments API Manager manages: all but Design (§12.1).
const API_MANAGER_ENVS: &[&str] = &[SANDBOX, PRODUCTION];

/// Client-application scopes on `org`, API Manager scopes on `org` for each of `envs`, and the rest.
fn scopes(client_apps_org: Option<&str>, api_org: &str, envs: &[&str]) -> Vec<Grant> {
    let mut grants = vec![grant("profile", None, None)];
    if let Some(org) = client_apps_org {
        grants.extend(CLIENT_APP_SCOPES.iter().map(|s| grant(s, Some(org), None)));
    }
    for env in envs {
        grants.extend(
            ENV_SCOPES
                .iter()
                .map(|s| grant(s, Some(api_org), Some(env))),
        );
    }
    grants.push(grant("manage:exchange", Some(api_org), None));
    grants.push(grant("read:exchange", Some(api_org), None));
    grants.push(grant("full", None, None));
    grants
}

/// The tenant every scenario starts from: the ids of the reference fixtures.
fn base() -> World {
    World {
        region: "us".into(),
        login: login(),
        root: Org {
            id: ROOT_ORG.into(),
            name: "Example Corp".into(),
            environments: vec![
                env(DESIGN, "Design", "design"),
                env(SANDBOX, "Sandbox", "sandbox"),
                env(PRODUCTION, "Production", "production"),
            ],
            business_groups: vec![Org {
                id: BUSINESS_GROUP.into(),
                name: "Payments BG".into(),
                environments: vec![env(BG_SANDBOX, "Payments Sandbox", "sandbox")],
                business_groups: Vec::new(),
            }],
        },
        connected_apps: vec![ConnectedApp {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            name: "doctor-ci-app".into(),
            org: ROOT_ORG.into(),
            region: None,
            scopes: scopes(Some(ROOT_ORG), ROOT_ORG, API_MANAGER_ENVS),
            created_by: None,
            grant_types: vec!["client_credentials".into()],
        }],
        users: vec![User {
            username: "ada-admin".into(),
            token: ADMIN_TOKEN.into(),
            org: ROOT_ORG.into(),
            org_admin: true,
        }],
        client_applications: vec![
            ClientApplication {
                id: 2349040,
                name: "orders-portal".into(),
                description: Some("Orders web portal".into()),
                client_id: "4e5f6a7b8c9d40e1f2a3b4c5d6e7f809".into(),
                client_secret: "9F8E7D6C5B4A39281706F5E4D3C2B1A0".into(),
                created_by: "ada-example".into(),
                redirect_uris: vec!["https://portal.example.com/callback".into()],
                grant_types: Vec::new(),
            },
            ClientApplication {
                id: 2349041,
                name: "billing-batch".into(),
                description: None,
                client_id: "a0b1c2d3e4f5461728394a5b6c7d8e9f".into(),
                client_secret: "00FF11EE22DD33CC44BB55AA66998877".into(),
                created_by: "ada-example".into(),
                redirect_uris: Vec::new(),
                grant_types: Vec::new(),
            },
        ],
        apis: vec![
            api(18972610, SANDBOX, "orders-sbx"),
            api(18972611, PRODUCTION, "orders-prod"),
        ],
        contracts: vec![Contract {
            id: 6273842,
            api_id: 18972610,
            application_id: 2349040,
            status: "APPROVED".into(),
            tier_id: Some(1797161),
        }],
        api_groups: Vec::new(),
        automated_policies: Vec::new(),
        faults: Vec::new(),
        latency_ms: 0,
        token_ttl_secs: 3600,
        clock_skew_secs: 0,
        lookup_before_scope: false,
        revoke_tokens_after: None,
        rate_limit_per_minute: None,
    }
}

/// An API instance of `orders-api` with the Gold tier, configured as every
/// built-in world's instances are (`furnish`); its alerts notify the admin.
fn api(id: u64, env: &str, label: &str) -> ApiInstance {
    let api = ApiInstance {
        id,
        env: env.into(),
        asset_id: "orders-api".into(),
        group_id: Some(ROOT_ORG.into()),
        asset_version: "1.0.3".into(),
        product_version: "v1".into(),
        instance_label: Some(label.into()),
        exchange_asset_name: Some("Orders API".into()),
        status: "active".into(),
        tiers: vec![Tier {
            id: 1797161,
            name: "Gold".into(),
        }],
        policies: Vec::new(),
        upstreams: Vec::new(),
        alerts: Vec::new(),
    };
    super::furnish::configured(api, "ada-admin")
}

fn with_scopes(mut world: World, grants: Vec<Grant>) -> World {
    world.connected_apps[0].scopes = grants;
    world
}

fn healthy() -> World {
    base()
}

fn typical_mistakes() -> World {
    let mut grants = scopes(None, ROOT_ORG, &[SANDBOX]);
    grants.push(grant("create:client_applications", Some(ROOT_ORG), None));
    with_scopes(base(), grants)
}

fn missing_view_scope() -> World {
    let mut grants = scopes(None, ROOT_ORG, API_MANAGER_ENVS);
    grants.push(grant("create:client_applications", Some(ROOT_ORG), None));
    with_scopes(base(), grants)
}

fn missing_manage_scopes() -> World {
    let mut grants: Vec<Grant> = scopes(Some(ROOT_ORG), ROOT_ORG, API_MANAGER_ENVS)
        .into_iter()
        .filter(|g| {
            !matches!(
                g.scope.as_str(),
                "manage:org_client_applications"
                    | "create:client_applications"
                    | "manage:api_contracts"
                    // §11.2: API Manager Environment Administrator covers contracts too.
                    | "manage:apis"
            )
        })
        .collect();
    // API configurations stay manageable without it.
    for env in API_MANAGER_ENVS {
        grants.push(grant("manage:api_configuration", Some(ROOT_ORG), Some(env)));
    }
    with_scopes(base(), grants)
}

fn env_scope_gap() -> World {
    with_scopes(base(), scopes(Some(ROOT_ORG), ROOT_ORG, &[SANDBOX]))
}

fn business_group_org() -> World {
    let mut world = base();
    let app = &mut world.connected_apps[0];
    app.org = BUSINESS_GROUP.into();
    app.scopes = scopes(Some(BUSINESS_GROUP), BUSINESS_GROUP, &[BG_SANDBOX]);
    world
}

fn wrong_secret() -> World {
    let mut world = base();
    world.login.client_secret = "sim-not-the-secret-of-this-app-000000".into();
    world
}

fn eu_app_on_us_host() -> World {
    let mut world = base();
    world.connected_apps[0].region = Some("eu".into());
    world
}

fn fault(path: &str, fault: FaultKind, times: Option<u32>) -> Fault {
    Fault {
        path: path.into(),
        method: None,
        fault,
        times,
    }
}

fn rate_limited() -> World {
    let mut world = base();
    world.faults = vec![fault(
        "/apimanager/**",
        FaultKind::RateLimit {
            retry_after_secs: 30,
        },
        None,
    )];
    world
}

fn flaky_network() -> World {
    let mut world = base();
    world.faults = vec![
        fault(
            "/accounts/api/organizations/*/hierarchy",
            FaultKind::Html { status: 502 },
            Some(1),
        ),
        fault(
            "/exchange/api/v2/organizations/*/applications",
            FaultKind::Reset,
            Some(1),
        ),
        // The client-application list, whose items the doctor reads.
        fault(
            "/apiplatform/repository/v2/organizations/*/applications",
            FaultKind::Truncated,
            Some(1),
        ),
    ];
    world
}

fn slow() -> World {
    let mut world = base();
    world.latency_ms = 300;
    world
}

/// The client application `application-creator`'s Connected App created itself.
pub const APP_CREATED_APPLICATION: u64 = 2349042;

fn application_creator() -> World {
    let mut world = base();
    let mut grants = scopes(None, ROOT_ORG, API_MANAGER_ENVS);
    grants.push(grant("create:client_applications", Some(ROOT_ORG), None));
    world.connected_apps[0].scopes = grants;
    world.client_applications.push(ClientApplication {
        id: APP_CREATED_APPLICATION,
        name: "ci-made-app".into(),
        description: Some("Created by the doctor-ci-app Connected App".into()),
        client_id: "c1c2c3c4c5c6c7c8c9c0cacbcccdcecf".into(),
        client_secret: "C0FFEE00C0FFEE00C0FFEE00C0FFEE00".into(),
        created_by: CLIENT_ID.into(),
        redirect_uris: Vec::new(),
        grant_types: vec!["client_credentials".into()],
    });
    world
}

/// API Manager's scopes granted per environment in `exact-many-scopes` (no
/// `manage:api_contracts`), in every environment but Design (§12.1).
const MANY_ENV_SCOPES: &[&str] = &[
    "manage:apis",
    "read:api_configuration",
    "manage:api_configuration",
    "read:api_policies",
    "manage:api_policies",
    "manage:api_proxies",
    "manage:api_groups",
    "read:api_alerts",
    "manage:api_alerts",
];
/// Access Management's scopes granted per environment in `exact-many-scopes`, Design included.
const MANY_ACCESS_ENV_SCOPES: &[&str] = &["view:environment", "edit:environment"];
/// Scopes granted per organization in `exact-many-scopes`.
const MANY_ORG_SCOPES: &[&str] = &[
    "manage:exchange",
    "read:exchange",
    "read:organization",
    "read:orgenvironments",
    "read:orgconnapps",
    "read:audit_logs",
    "edit:exchange",
];

fn exact_many_scopes() -> World {
    let mut world = base();
    world.login.bearer = Some(ADMIN_TOKEN.into());
    let mut grants = vec![grant("profile", None, None), grant("full", None, None)];
    for scope in [
        "manage:org_client_applications",
        "read:org_client_applications",
    ] {
        grants.push(grant(scope, Some(ROOT_ORG), None));
    }
    for (org, envs) in [
        (ROOT_ORG, &[DESIGN, SANDBOX, PRODUCTION][..]),
        (BUSINESS_GROUP, &[BG_SANDBOX][..]),
    ] {
        grants.extend(MANY_ORG_SCOPES.iter().map(|s| grant(s, Some(org), None)));
        for &env in envs {
            let api_manager = if env == DESIGN {
                &[][..]
            } else {
                MANY_ENV_SCOPES
            };
            grants.extend(
                MANY_ACCESS_ENV_SCOPES
                    .iter()
                    .chain(api_manager)
                    .map(|s| grant(s, Some(org), Some(env))),
            );
        }
    }
    world.connected_apps[0].scopes = grants;
    world
}

fn token_revoked() -> World {
    let mut world = base();
    world.revoke_tokens_after = Some(6);
    world
}

fn user_type_app() -> World {
    let mut world = base();
    world.connected_apps[0].grant_types = vec!["authorization_code".into(), "refresh_token".into()];
    world
}

fn lookups_first() -> World {
    let mut world = base();
    world.lookup_before_scope = true;
    // Nothing that covers contracts in Production: neither Manage Contracts nor
    // API Manager Environment Administrator (which covers contracts, §11.2).
    world.connected_apps[0].scopes.retain(|g| {
        g.env.as_deref() != Some(PRODUCTION)
            || !matches!(g.scope.as_str(), "manage:api_contracts" | "manage:apis")
    });
    world
}

/// The grants `fixable` lacks, `(scope, org, env)`: adding exactly these with
/// one PATCH (by the org admin `ada-admin`, `ADMIN_TOKEN`) gives the app the
/// `healthy` grants. API Manager Environment Administrator (`manage:apis`) goes
/// too in Production, since it covers contracts (§11.2); in Sandbox it is the
/// gap itself, while the app can still list API instances and create
/// contracts there. None is in Design: API Manager's scopes are not needed
/// there (§12.1).
pub const FIXABLE_MISSING: &[(&str, &str, &str)] = &[
    ("manage:api_contracts", ROOT_ORG, PRODUCTION),
    ("manage:apis", ROOT_ORG, PRODUCTION),
    ("manage:apis", ROOT_ORG, SANDBOX),
];

fn fixable() -> World {
    let mut world = base();
    world.connected_apps[0].scopes.retain(|g| {
        !FIXABLE_MISSING.iter().any(|&(scope, org, env)| {
            g.scope == scope && g.org.as_deref() == Some(org) && g.env.as_deref() == Some(env)
        })
    });
    world
}

/// The whole-org sweep's benchmark world (issue 15): `generate` makes it.
fn generated_20x5() -> World {
    super::generate::world(20, 5)
}

/// Contracts need Exchange Viewer besides Manage Contracts (§12.2): every
/// API Manager scope is granted, every Exchange scope is not.
fn no_exchange_viewer() -> World {
    let mut world = base();
    world.connected_apps[0]
        .scopes
        .retain(|g| !g.scope.ends_with(":exchange"));
    world
}

fn am_throttled() -> World {
    let mut world = base();
    world.faults = vec![fault(
        "/accounts/api/organizations/*/environments",
        FaultKind::Throttle {
            reset_after_secs: 1,
        },
        Some(2),
    )];
    world
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_builds_a_consistent_world() {
        for scenario in SCENARIOS {
            scenario
                .world()
                .resolve()
                .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
        }
        assert!(find(DEMO_DEFAULT).is_some());
    }

    #[test]
    fn no_world_grants_api_manager_scopes_in_a_design_environment() {
        let worlds = SCENARIOS
            .iter()
            .map(|s| (s.name, s.world()))
            .chain([("generated-3x3", super::super::generate::world(3, 3))]);
        for (name, world) in worlds {
            let world = world.resolve().unwrap();
            for grant in &world.connected_apps[0].scopes {
                let design = grant
                    .env
                    .as_deref()
                    .and_then(|id| world.environment(id))
                    .is_some_and(|(_, env)| env.is_design());
                let api_manager = ENV_SCOPES.contains(&grant.scope.as_str())
                    || MANY_ENV_SCOPES.contains(&grant.scope.as_str());
                assert!(
                    !(design && api_manager),
                    "{name}: {} in Design",
                    grant.scope
                );
            }
        }
    }

    // Furnished (`furnish`): checked here, where the worlds are made.
    #[test]
    fn every_instance_of_every_world_has_configuration_from_known_templates() {
        let worlds = crate::scenarios::SCENARIOS.iter().map(|s| s.world());
        for world in worlds {
            for api in &world.apis {
                assert_eq!(api.policies.len(), 2, "{}", api.id);
                assert!(!api.upstreams.is_empty() && !api.alerts.is_empty());
                for p in &api.policies {
                    assert!(
                        crate::policy_templates::find(&p.template).is_some(),
                        "{}",
                        p.template
                    );
                }
                let sla = api
                    .policies
                    .iter()
                    .any(|p| p.template == "rate-limiting-sla-based");
                assert_eq!(sla, !api.tiers.is_empty());
                for alert in &api.alerts {
                    for user in &alert.recipients {
                        assert!(world.users.iter().any(|u| &u.username == user));
                    }
                }
            }
        }
    }

    // Furnished (`furnish`): the named worlds and a generated one.
    #[test]
    fn every_environment_with_instances_has_one_group_of_them_and_one_automated_policy() {
        let worlds = SCENARIOS.iter().map(|s| s.world());
        let generated = super::super::generate::world(3, 2);
        for world in worlds.chain([generated]) {
            let mut envs: Vec<&str> = world.apis.iter().map(|a| a.env.as_str()).collect();
            envs.sort_unstable();
            envs.dedup();
            assert_eq!(world.api_groups.len(), envs.len());
            assert_eq!(world.automated_policies.len(), envs.len());
            for group in &world.api_groups {
                let held = world.apis.iter().filter(|a| a.env == group.env).count();
                assert_eq!(group.apis.len(), held, "{}", group.name);
                assert!(!group.tiers.is_empty());
            }
            let world = world.resolve().expect("a furnished world resolves");
            for policy in &world.automated_policies {
                assert!(crate::policy_templates::find(&policy.template).is_some());
                assert!(world.environment(&policy.env).is_some());
            }
        }
    }
}
