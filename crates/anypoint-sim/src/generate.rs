//! Generated worlds for whole-org sweeps: N business groups × M environments,
//! the login app granted what a healthy check needs in every one of them, API
//! instances, client applications and contracts spread by a fixed seed (the
//! same world every time), and the platform's per-path rate limit switched on.
//! Named `generated-<N>x<M>` (`generated-20x5` is in the scenario list).

use super::furnish;
use super::identities::{
    ADMIN_TOKEN, CLIENT_APP_SCOPES, CLIENT_ID, CLIENT_SECRET, ENV_SCOPES, env, grant, login,
};
use super::world::{
    ApiInstance, ClientApplication, ConnectedApp, Contract, Environment, Grant, Org, Tier, User,
    World,
};

/// The prefix of a generated world's name: `generated-20x5`.
pub const PREFIX: &str = "generated-";
/// The most business groups a generated world has.
pub const MAX_GROUPS: usize = 1000;
/// The most environments per business group.
pub const MAX_ENVIRONMENTS: usize = 100;
/// The limit per path template and minute: the value captured on Access
/// Management's `/accounts/api/me` and environment list (§6, S16).
pub const RATE_LIMIT_PER_MINUTE: u64 = 400;

/// The world's org admin, whom API instances' alerts notify.
const ADMIN: &str = "ada-admin";
/// The seed every generated world is spread with.
const SEED: u64 = 0x5eed_a9e1_2015_0020;
/// First ids of the numbered things (client applications, API instances,
/// tiers, contracts), far from the named scenarios' ids.
const APPLICATION_IDS: u64 = 50_000_000;
const API_IDS: u64 = 60_000_000;
const TIER_IDS: u64 = 70_000_000;
const CONTRACT_IDS: u64 = 80_000_000;
/// The Exchange assets API instances are made from.
const ASSETS: &[&str] = &[
    "orders-api",
    "billing-api",
    "customers-api",
    "inventory-api",
];

/// `(groups, environments)` from a name `generated-<N>x<M>`, both at least 1 and within bounds.
pub fn parse(name: &str) -> Option<(usize, usize)> {
    let (groups, environments) = name.strip_prefix(PREFIX)?.split_once('x')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(groups) || !digits(environments) {
        return None;
    }
    let (groups, environments) = (groups.parse().ok()?, environments.parse().ok()?);
    ((1..=MAX_GROUPS).contains(&groups) && (1..=MAX_ENVIRONMENTS).contains(&environments))
        .then_some((groups, environments))
}

/// What `sim` says of a generated world.
pub fn description(groups: usize, environments: usize) -> String {
    format!(
        "{groups} business groups (the root org and {} below it) x {environments} environments, every scope granted, {RATE_LIMIT_PER_MINUTE} requests per path and minute",
        groups - 1
    )
}

/// The world of `groups` business groups (the root org is the first: the
/// hierarchy lists `groups` organizations) with `environments` each.
///
/// [I] The shape is made up, not captured: business groups sit below the root,
/// every fourth one below its predecessor (a second level, §4.3's nested
/// `subOrganizations`); each has a Design environment first, a Production one
/// last (with two or more) and Sandboxes between (§4.4 types).
pub fn world(groups: usize, environments: usize) -> World {
    let mut random = SplitMix(SEED);
    let orgs: Vec<Org> = (0..groups)
        .map(|g| Org {
            id: uuid(0x0a, g as u64),
            name: if g == 0 {
                "Generated Corp".into()
            } else {
                format!("Group {g:03}")
            },
            environments: (0..environments)
                .map(|e| environment(g, e, environments))
                .collect(),
            business_groups: Vec::new(),
        })
        .collect();
    let mut grants = vec![grant("profile", None, None)];
    let mut apis = Vec::new();
    let mut contracts = Vec::new();
    for org in &orgs {
        grants.extend(grants_for(org));
    }
    // One client application per business group.
    let client_applications: Vec<ClientApplication> = (0..groups as u64)
        .map(|i| ClientApplication {
            id: APPLICATION_IDS + i,
            name: format!("app-{i:03}"),
            description: None,
            client_id: format!("{:016x}{:016x}", random.next(), i),
            client_secret: format!("{:016X}{:016X}", random.next(), random.next()),
            created_by: "ada-example".into(),
            redirect_uris: Vec::new(),
            grant_types: Vec::new(),
        })
        .collect();
    // Zero to two API instances per environment API Manager manages (not
    // Design, §12.1); half of them with a contract.
    for org in &orgs {
        for env in org.environments.iter().filter(|e| !e.is_design()) {
            for _ in 0..random.next() % 3 {
                let n = apis.len() as u64;
                let asset = ASSETS[(random.next() % ASSETS.len() as u64) as usize];
                let api = ApiInstance {
                    id: API_IDS + n,
                    env: env.id.clone(),
                    asset_id: asset.into(),
                    group_id: Some(org.id.clone()),
                    asset_version: "1.0.0".into(),
                    product_version: "v1".into(),
                    instance_label: Some(format!("{asset}-{n}")),
                    exchange_asset_name: Some(asset.into()),
                    status: "active".into(),
                    tiers: vec![Tier {
                        id: TIER_IDS + n,
                        name: "Gold".into(),
                    }],
                    policies: Vec::new(),
                    upstreams: Vec::new(),
                    alerts: Vec::new(),
                };
                apis.push(furnish::configured(api, ADMIN));
                if random.next().is_multiple_of(2) {
                    contracts.push(Contract {
                        id: CONTRACT_IDS + contracts.len() as u64,
                        api_id: API_IDS + n,
                        application_id: APPLICATION_IDS + random.next() % groups as u64,
                        status: "APPROVED".into(),
                        tier_id: Some(TIER_IDS + n),
                    });
                }
            }
        }
    }
    grants.push(grant("full", None, None));
    furnish::environments(World {
        region: "us".into(),
        login: login(),
        root: tree(orgs),
        connected_apps: vec![ConnectedApp {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            name: "doctor-sweep-app".into(),
            org: uuid(0x0a, 0),
            region: None,
            scopes: grants,
            created_by: None,
            grant_types: vec!["client_credentials".into()],
        }],
        users: vec![User {
            username: ADMIN.into(),
            token: ADMIN_TOKEN.into(),
            org: uuid(0x0a, 0),
            org_admin: true,
        }],
        client_applications,
        apis,
        contracts,
        api_groups: Vec::new(),
        automated_policies: Vec::new(),
        faults: Vec::new(),
        latency_ms: 0,
        clock_skew_secs: 0,
        token_ttl_secs: 3600,
        lookup_before_scope: false,
        revoke_tokens_after: None,
        rate_limit_per_minute: Some(RATE_LIMIT_PER_MINUTE),
    })
}

/// The scopes the `healthy` scenario grants in its root org, granted in `org`:
/// client applications, API Manager per environment (but Design, §12.1), Exchange.
fn grants_for(org: &Org) -> Vec<Grant> {
    let id = Some(org.id.as_str());
    let mut grants: Vec<Grant> = CLIENT_APP_SCOPES
        .iter()
        .map(|s| grant(s, id, None))
        .collect();
    for env in org.environments.iter().filter(|e| !e.is_design()) {
        grants.extend(ENV_SCOPES.iter().map(|s| grant(s, id, Some(&env.id))));
    }
    grants.push(grant("manage:exchange", id, None));
    grants.push(grant("read:exchange", id, None));
    grants
}

fn environment(group: usize, index: usize, count: usize) -> Environment {
    let id = uuid(0x0e, (group * MAX_ENVIRONMENTS + index) as u64);
    match index {
        0 => env(&id, "Design", "design"),
        i if i + 1 == count => env(&id, "Production", "production"),
        1 => env(&id, "Sandbox", "sandbox"),
        i => env(&id, &format!("Sandbox {i}"), "sandbox"),
    }
}

/// The root (the first org) with the others below it: every fourth group
/// below the group before it, the rest directly below the root.
fn tree(orgs: Vec<Org>) -> Org {
    let mut orgs = orgs.into_iter();
    let mut root = orgs.next().expect("at least one business group");
    for (i, org) in (1usize..).zip(orgs) {
        match root.business_groups.last_mut() {
            Some(previous) if i.is_multiple_of(4) => previous.business_groups.push(org),
            _ => root.business_groups.push(org),
        }
    }
    root
}

/// A UUID-shaped id: a kind byte and a number, stable across runs.
fn uuid(kind: u8, n: u64) -> String {
    format!("{kind:02x}5eed00-0000-4000-8000-{n:012x}")
}

/// SplitMix64: a small, fixed pseudo-random sequence (no dependency, same on every machine).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_within_bounds() {
        assert_eq!(parse("generated-20x5"), Some((20, 5)));
        assert_eq!(parse("generated-1x1"), Some((1, 1)));
        for bad in [
            "generated-0x5",
            "generated-20x0",
            "generated-20x",
            "generated-x5",
            "generated-+2x5",
            "generated-1001x1",
            "generated-20x5x1",
            "healthy",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_world_has_its_shape_and_is_the_same_every_time() {
        let world = world(20, 5).resolve().expect("a consistent world");
        let orgs = world.orgs();
        assert_eq!(orgs.len(), 20);
        assert!(orgs.iter().all(|o| o.environments.len() == 5));
        assert!(
            world
                .root
                .business_groups
                .iter()
                .any(|g| !g.business_groups.is_empty()),
            "some groups are nested"
        );
        assert_eq!(orgs[1].environments[0].kind, "design");
        assert_eq!(orgs[1].environments[4].kind, "production");
        assert!(!world.apis.is_empty() && !world.contracts.is_empty());
        let again = super::world(20, 5);
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&super::world(20, 5)).unwrap()
        );
        assert_eq!(world.rate_limit_per_minute, Some(400));
    }
}
