//! Values for a route's placeholders, taken from a scenario's world: every
//! org, environment, API instance, Connected App, client application, user,
//! tier and contract it holds, each as the set of placeholders it fills.

use std::collections::{BTreeMap, BTreeSet};

use anypoint_sim::World;
use anypoint_sim::routes::derived_id;

/// Placeholder name → value.
pub type Binding = BTreeMap<&'static str, String>;

/// The most bindings a route is called with per scenario, so that a large
/// generated world costs no more than a small one.
pub const MAX_PER_ROUTE: usize = 6;

/// One kind of thing in the world and the bindings it gives.
struct Kind {
    names: &'static [&'static str],
    bindings: Vec<Binding>,
}

fn binding(pairs: &[(&'static str, &str)]) -> Binding {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// Every kind, fewest placeholders first, so a route takes the narrowest kind
/// that fills it (an org route is called once per org, not once per API).
fn kinds(world: &World, path: &str) -> Vec<Kind> {
    let orgs = world.orgs();
    let org_of_env = |env: &str| world.environment(env).map(|(o, _)| o.id.clone());
    let apis: Vec<Binding> = world
        .apis
        .iter()
        .filter_map(|api| {
            let org = org_of_env(&api.env)?;
            let group = api.group_id.clone().unwrap_or_else(|| org.clone());
            Some(binding(&[
                ("orgId", &org),
                ("envId", &api.env),
                ("apiId", &api.id.to_string()),
                ("groupId", &group),
                ("assetId", &api.asset_id),
                ("version", &api.asset_version),
            ]))
        })
        .collect();
    let with = |base: &Binding, name: &'static str, value: String| {
        let mut out = base.clone();
        out.insert(name, value);
        out
    };
    let tiers = world
        .apis
        .iter()
        .zip(&apis)
        .flat_map(|(api, b)| {
            api.tiers
                .iter()
                .map(|t| with(b, "tierId", t.id.to_string()))
        })
        .collect();
    let contracts = world
        .contracts
        .iter()
        .flat_map(|c| {
            let api = world.apis.iter().position(|a| a.id == c.api_id);
            api.and_then(|i| apis.get(i))
                .map(|b| with(b, "contractId", c.id.to_string()))
        })
        .collect();
    // API Manager does not manage design environments (reference §12.1): its
    // routes are called for the others only.
    let api_manager = path.starts_with("/apimanager/");
    vec![
        Kind {
            names: &["orgId"],
            bindings: orgs.iter().map(|o| binding(&[("orgId", &o.id)])).collect(),
        },
        Kind {
            names: &["orgId", "envId"],
            bindings: orgs
                .iter()
                .flat_map(|o| {
                    o.environments
                        .iter()
                        .filter(|e| !(api_manager && e.is_design()))
                        .map(|e| binding(&[("orgId", &o.id), ("envId", &e.id)]))
                })
                .collect(),
        },
        Kind {
            names: &["orgId", "connAppId"],
            bindings: world
                .connected_apps
                .iter()
                .map(|a| binding(&[("orgId", &a.org), ("connAppId", &a.client_id)]))
                .collect(),
        },
        Kind {
            // Client applications live in the root org (reference §8.3).
            names: &["orgId", "applicationId"],
            bindings: world
                .client_applications
                .iter()
                .map(|a| {
                    binding(&[
                        ("orgId", &world.root.id),
                        ("applicationId", &a.id.to_string()),
                    ])
                })
                .collect(),
        },
        Kind {
            // A user's id as `/users/me` gives it.
            names: &["orgId", "userId"],
            bindings: world
                .users
                .iter()
                .map(|u| binding(&[("orgId", &u.org), ("userId", &derived_id(&u.username))]))
                .collect(),
        },
        Kind {
            names: &["orgId", "envId", "apiId", "groupId", "assetId", "version"],
            bindings: apis,
        },
        Kind {
            names: &[
                "orgId", "envId", "apiId", "groupId", "assetId", "version", "tierId",
            ],
            bindings: tiers,
        },
        Kind {
            names: &[
                "orgId",
                "envId",
                "apiId",
                "groupId",
                "assetId",
                "version",
                "contractId",
            ],
            bindings: contracts,
        },
    ]
}

/// The bindings a path with these placeholders is called with in `world`
/// (at most `MAX_PER_ROUTE`, each distinct), or the placeholders no kind of
/// thing in a world fills.
pub fn for_route(world: &World, path: &str, names: &[&str]) -> Result<Vec<Binding>, Vec<String>> {
    let kinds = kinds(world, path);
    let known: BTreeSet<&str> = kinds.iter().flat_map(|k| k.names.iter().copied()).collect();
    let Some(kind) = kinds
        .into_iter()
        .find(|k| names.iter().all(|n| k.names.contains(n)))
    else {
        let unresolved: Vec<String> = names
            .iter()
            .filter(|n| !known.contains(*n))
            .map(|n| format!("{{{n}}}"))
            .collect();
        return Err(if unresolved.is_empty() {
            vec![format!("no kind of thing fills {names:?} together")]
        } else {
            unresolved
        });
    };
    let mut seen = BTreeSet::new();
    Ok(kind
        .bindings
        .into_iter()
        .map(|b| {
            b.into_iter()
                .filter(|(k, _)| names.contains(k))
                .collect::<Binding>()
        })
        .filter(|b| seen.insert(b.clone()))
        .take(MAX_PER_ROUTE)
        .collect())
}
