//! The configuration the built-in worlds give each API instance and each
//! environment, derived from the instances themselves (their ids, labels and
//! tiers) so that every named scenario and generated world has policies,
//! upstreams, alerts, API groups and automated policies without naming them
//! one by one. [I] The values are made up, not captured; their shapes follow
//! what API Manager's routes answer (see `routes::api_*`).

use serde_json::{Map, Value, json};

use super::world::{Alert, ApiGroup, ApiInstance, AutomatedPolicy, Policy, Tier, Upstream, World};

/// Where group and automated-policy ids start: apart from the instances'.
const GROUP_IDS: u64 = 7_100_000;
const AUTOMATED_IDS: u64 = 7_200_000;

/// `world` with, for each environment that has API instances, one API group
/// holding them (with a tier of its own) and one automated rate-limiting
/// policy, unless the world already names groups or automated policies.
pub fn environments(mut world: World) -> World {
    if !world.api_groups.is_empty() || !world.automated_policies.is_empty() {
        return world;
    }
    let mut envs: Vec<(String, String)> = Vec::new();
    for api in &world.apis {
        if !envs.iter().any(|(id, _)| *id == api.env) {
            let name = world
                .environment(&api.env)
                .map_or_else(|| api.env.clone(), |(_, e)| e.name.clone());
            envs.push((api.env.clone(), name));
        }
    }
    for (n, (env, name)) in (0u64..).zip(envs) {
        let id = GROUP_IDS + n;
        world.api_groups.push(ApiGroup {
            id,
            name: format!("{name} APIs"),
            version: "v1".into(),
            apis: world
                .apis
                .iter()
                .filter(|a| a.env == env)
                .map(|a| a.id)
                .collect(),
            tiers: vec![Tier {
                id: id * 10 + 1,
                name: "Group Gold".into(),
            }],
            env: env.clone(),
        });
        let template = "rate-limiting";
        world.automated_policies.push(AutomatedPolicy {
            id: AUTOMATED_IDS + n,
            env,
            template: template.into(),
            asset_version: template_version(template).into(),
            configuration: [(
                "rateLimits".to_string(),
                json!([{"maximumRequests": 1000, "timePeriodInMilliseconds": 60000}]),
            )]
            .into_iter()
            .collect(),
        });
    }
    world
}

fn template_version(template: &str) -> &'static str {
    super::policy_templates::find(template).map_or("1.0.0", |t| t.version)
}

/// `api` with its policies, upstream and alerts; `recipient` (a username of
/// the world's users) is who the alerts notify.
pub fn configured(mut api: ApiInstance, recipient: &str) -> ApiInstance {
    let label = api
        .instance_label
        .clone()
        .unwrap_or_else(|| api.asset_id.clone());
    let client_id = (
        "clientIdExpression",
        json!("#[attributes.headers['client_id']]"),
    );
    // Client ID enforcement first; then rate limiting, by SLA tier when the
    // instance has tiers (the SLA-based policy reads the caller's contract).
    let limit = if api.tiers.is_empty() {
        policy(
            &api,
            2,
            "rate-limiting",
            [(
                "rateLimits",
                json!([{"maximumRequests": 100, "timePeriodInMilliseconds": 60000}]),
            )],
        )
    } else {
        policy(
            &api,
            2,
            "rate-limiting-sla-based",
            [client_id.clone(), ("exposeHeaders", json!(true))],
        )
    };
    api.policies = vec![
        policy(
            &api,
            1,
            "client-id-enforcement",
            [
                client_id,
                (
                    "clientSecretExpression",
                    json!("#[attributes.headers['client_secret']]"),
                ),
            ],
        ),
        limit,
    ];
    api.upstreams = vec![Upstream {
        id: id_of(0x0b, api.id),
        label: format!("{label}-backend"),
        uri: format!("https://{label}.upstream.example.com/api"),
    }];
    api.alerts = vec![
        Alert {
            id: id_of(0x0c, api.id),
            name: format!("{label} slow responses"),
            metric: "response-time".into(),
            severity: "critical".into(),
            enabled: true,
            recipients: vec![recipient.into()],
            legacy: false,
        },
        Alert {
            id: id_of(0x1c, api.id),
            name: format!("{label} request surge"),
            metric: "request-count".into(),
            severity: "warning".into(),
            enabled: true,
            recipients: vec![recipient.into()],
            legacy: true,
        },
    ];
    api
}

/// Policy `n` (from 1) of the instance, with the template's current version.
fn policy<const N: usize>(
    api: &ApiInstance,
    n: u64,
    template: &str,
    configuration: [(&str, Value); N],
) -> Policy {
    Policy {
        id: api.id * 10 + n,
        template: template.into(),
        asset_version: template_version(template).into(),
        disabled: false,
        configuration: configuration
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map<_, _>>(),
    }
}

/// A UUID-shaped id, stable across runs: a kind byte and the instance id.
fn id_of(kind: u8, api: u64) -> String {
    format!("{kind:02x}a91e00-0000-4000-8000-{api:012x}")
}
