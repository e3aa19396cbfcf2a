//! A world checked before it is served: every id unique (so the business
//! groups form a tree without cycles), every number within bounds the
//! simulator can serve without overflowing a clock or a counter, and every
//! reference resolved (`World::resolve`).

use std::collections::HashMap;

use super::world::{FaultKind, Org, World};

/// The longest latency, in milliseconds, a world or `--latency-ms` may add to every answer.
pub const MAX_LATENCY_MS: u64 = 60_000;
/// The longest latency one fault may add (a longer wait is the `hang` fault).
const MAX_FAULT_LATENCY_MS: u64 = 600_000;
/// One year: the largest clock skew and token lifetime.
const MAX_SECS: u64 = 365 * 24 * 3600;
/// One day: the longest a rate-limit fault may ask the client to wait.
const MAX_WAIT_SECS: u64 = 24 * 3600;
/// The largest numeric id: the largest integer a JSON reader keeps exactly
/// (2^53 - 1), which also leaves room for the ids the simulator assigns.
const MAX_ID: u64 = (1 << 53) - 1;
/// The largest per-minute rate limit (one a counter cannot overflow).
pub const MAX_RATE_LIMIT: u64 = 1_000_000_000;
/// How deep business groups may nest.
const MAX_DEPTH: usize = 32;

// The method lives with the checks it runs first, so that the world's
// description does not import its own validation.
impl World {
    /// Validates the world (unique ids, bounded numbers: `validate`), checks
    /// references and turns names into ids (grants and API instances may name
    /// orgs and environments by name in a scenario file). The error names the field.
    pub fn resolve(mut self) -> Result<World, WorldError> {
        check(&self)?;
        let orgs: Vec<(String, String)> = self
            .orgs()
            .iter()
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect();
        let envs: Vec<(String, String)> = self
            .orgs()
            .iter()
            .flat_map(|o| {
                o.environments
                    .iter()
                    .map(|e| (e.id.clone(), e.name.clone()))
            })
            .collect();
        let find = |list: &[(String, String)], wanted: &str, field: &str, what: &str| {
            list.iter()
                .find(|(id, _)| id == wanted)
                .or_else(|| list.iter().find(|(_, name)| name == wanted))
                .map(|(id, _)| id.clone())
                .ok_or_else(|| {
                    let known: Vec<&str> = list.iter().map(|(_, n)| n.as_str()).collect();
                    WorldError::new(
                        field,
                        format!("no {what} {wanted:?} (known: {})", known.join(", ")),
                    )
                })
        };
        for (i, app) in self.connected_apps.iter_mut().enumerate() {
            app.org = find(
                &orgs,
                &app.org,
                &format!("connected_apps[{i}].org"),
                "organization",
            )?;
            for (j, grant) in app.scopes.iter_mut().enumerate() {
                let field = format!("connected_apps[{i}].scopes[{j}]");
                if let Some(org) = &grant.org {
                    grant.org = Some(find(&orgs, org, &format!("{field}.org"), "organization")?);
                }
                if let Some(env) = &grant.env {
                    grant.env = Some(find(&envs, env, &format!("{field}.env"), "environment")?);
                }
            }
        }
        for (i, app) in self.connected_apps.iter().enumerate() {
            if let Some(creator) = &app.created_by
                && !self.users.iter().any(|u| &u.username == creator)
            {
                let known: Vec<&str> = self.users.iter().map(|u| u.username.as_str()).collect();
                return Err(WorldError::new(
                    format!("connected_apps[{i}].created_by"),
                    format!("no user {creator:?} (known: {})", known.join(", ")),
                ));
            }
        }
        for (i, user) in self.users.iter_mut().enumerate() {
            user.org = find(&orgs, &user.org, &format!("users[{i}].org"), "organization")?;
        }
        for (i, api) in self.apis.iter_mut().enumerate() {
            api.env = find(&envs, &api.env, &format!("apis[{i}].env"), "environment")?;
        }
        for (i, group) in self.api_groups.iter_mut().enumerate() {
            let field = format!("api_groups[{i}].env");
            group.env = find(&envs, &group.env, &field, "environment")?;
        }
        for (i, policy) in self.automated_policies.iter_mut().enumerate() {
            let field = format!("automated_policies[{i}].env");
            policy.env = find(&envs, &policy.env, &field, "environment")?;
        }
        // A group offers instances of its own environment.
        for (i, group) in self.api_groups.iter().enumerate() {
            if let Some(api) = group
                .apis
                .iter()
                .find(|id| !self.apis.iter().any(|a| a.id == **id && a.env == group.env))
            {
                return Err(WorldError::new(
                    format!("api_groups[{i}].apis"),
                    format!("no API instance {api} in the group's environment"),
                ));
            }
        }
        // API Manager does not manage design environments (§12.1): no instance lives there.
        for (i, api) in self.apis.iter().enumerate() {
            if let Some((_, env)) = self.environment(&api.env).filter(|(_, e)| e.is_design()) {
                return Err(WorldError::new(
                    format!("apis[{i}].env"),
                    format!(
                        "{:?} is a design environment, which API Manager does not manage",
                        env.name
                    ),
                ));
            }
        }
        // An alert notifies users of the tenant: their ids are those `/users/me` gives.
        for (i, api) in self.apis.iter().enumerate() {
            for (j, alert) in api.alerts.iter().enumerate() {
                if let Some(unknown) = alert
                    .recipients
                    .iter()
                    .find(|r| !self.users.iter().any(|u| &&u.username == r))
                {
                    return Err(WorldError::new(
                        format!("apis[{i}].alerts[{j}].recipients"),
                        format!("no user {unknown:?}"),
                    ));
                }
            }
        }
        for (i, contract) in self.contracts.iter().enumerate() {
            if !self.apis.iter().any(|a| a.id == contract.api_id) {
                return Err(WorldError::new(
                    format!("contracts[{i}].api_id"),
                    format!("no API instance {}", contract.api_id),
                ));
            }
            if !self
                .client_applications
                .iter()
                .any(|a| a.id == contract.application_id)
            {
                return Err(WorldError::new(
                    format!("contracts[{i}].application_id"),
                    format!("no client application {}", contract.application_id),
                ));
            }
        }
        if self
            .connected_apps
            .iter()
            .all(|a| a.client_id != self.login.client_id)
        {
            return Err(WorldError::new(
                "login.client_id",
                format!("no connected app {:?}", self.login.client_id),
            ));
        }
        Ok(self)
    }
}

/// A world that cannot be served: the field (`apis[2].env`) and what is
/// wrong with it, shown as one line that names the field first.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct WorldError {
    pub field: String,
    pub problem: String,
}

impl WorldError {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        WorldError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// The first problem found.
pub fn check(world: &World) -> Result<(), WorldError> {
    orgs(world)?;
    numbers(world)?;
    unique(world.connected_apps.iter().enumerate().map(|(i, a)| {
        (
            format!("connected_apps[{i}].client_id"),
            a.client_id.clone(),
        )
    }))?;
    unique(
        world
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("users[{i}].username"), u.username.clone())),
    )?;
    unique(
        world
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (format!("users[{i}].token"), u.token.clone())),
    )?;
    unique(
        world
            .client_applications
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("client_applications[{i}].id"), a.id.to_string())),
    )?;
    unique(world.client_applications.iter().enumerate().map(|(i, a)| {
        (
            format!("client_applications[{i}].client_id"),
            a.client_id.clone(),
        )
    }))?;
    unique(
        world
            .apis
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("apis[{i}].id"), a.id.to_string())),
    )?;
    for (i, api) in world.apis.iter().enumerate() {
        unique(
            api.tiers
                .iter()
                .enumerate()
                .map(|(j, t)| (format!("apis[{i}].tiers[{j}].id"), t.id.to_string())),
        )?;
    }
    unique(
        world
            .contracts
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("contracts[{i}].id"), c.id.to_string())),
    )
}

/// Org ids unique across the tree (a business group with an ancestor's id
/// would make a cycle), environment ids unique across orgs, depth bounded.
fn orgs(world: &World) -> Result<(), WorldError> {
    fn walk(
        org: &Org,
        field: String,
        depth: usize,
        orgs: &mut Vec<(String, String)>,
        envs: &mut Vec<(String, String)>,
    ) -> Result<(), WorldError> {
        if depth > MAX_DEPTH {
            return Err(WorldError::new(
                field,
                format!("business groups nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        orgs.push((format!("{field}.id"), org.id.clone()));
        for (i, env) in org.environments.iter().enumerate() {
            envs.push((format!("{field}.environments[{i}].id"), env.id.clone()));
        }
        for (i, group) in org.business_groups.iter().enumerate() {
            walk(
                group,
                format!("{field}.business_groups[{i}]"),
                depth + 1,
                orgs,
                envs,
            )?;
        }
        Ok(())
    }
    let (mut orgs, mut envs) = (Vec::new(), Vec::new());
    walk(&world.root, "root".into(), 0, &mut orgs, &mut envs)?;
    unique(orgs)?;
    unique(envs)
}

/// `(field, value)` pairs: the second field with a value already seen is the error.
fn unique(fields: impl IntoIterator<Item = (String, String)>) -> Result<(), WorldError> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for (field, value) in fields {
        if let Some(first) = seen.get(&value) {
            return Err(WorldError::new(
                field,
                format!("{value:?} is already the value of {first}; ids must be unique"),
            ));
        }
        seen.insert(value, field);
    }
    Ok(())
}

fn at_most(field: &str, value: u64, max: u64, unit: &str) -> Result<(), WorldError> {
    if value > max {
        return Err(WorldError::new(
            field,
            format!("{value} is above the limit of {max}{unit}"),
        ));
    }
    Ok(())
}

fn numbers(world: &World) -> Result<(), WorldError> {
    at_most("latency_ms", world.latency_ms, MAX_LATENCY_MS, " ms")?;
    at_most(
        "token_ttl_secs",
        world.token_ttl_secs,
        MAX_SECS,
        " s (one year)",
    )?;
    at_most(
        "clock_skew_secs",
        world.clock_skew_secs.unsigned_abs(),
        MAX_SECS,
        " s either way (one year)",
    )?;
    if let Some(limit) = world.rate_limit_per_minute {
        if limit == 0 {
            return Err(WorldError::new(
                "rate_limit_per_minute",
                "0 would refuse every request; leave it out for no limit",
            ));
        }
        at_most("rate_limit_per_minute", limit, MAX_RATE_LIMIT, " requests")?;
    }
    let ids = world
        .client_applications
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("client_applications[{i}].id"), a.id))
        .chain(world.apis.iter().enumerate().flat_map(|(i, a)| {
            std::iter::once((format!("apis[{i}].id"), a.id)).chain(
                a.tiers
                    .iter()
                    .enumerate()
                    .map(move |(j, t)| (format!("apis[{i}].tiers[{j}].id"), t.id)),
            )
        }))
        .chain(
            world
                .contracts
                .iter()
                .enumerate()
                .map(|(i, c)| (format!("contracts[{i}].id"), c.id)),
        );
    for (field, id) in ids {
        at_most(&field, id, MAX_ID, "")?;
    }
    for (i, fault) in world.faults.iter().enumerate() {
        let field = format!("faults[{i}].fault");
        match &fault.fault {
            FaultKind::Latency { ms } => {
                at_most(&format!("{field}.ms"), *ms, MAX_FAULT_LATENCY_MS, " ms")?
            }
            FaultKind::RateLimit { retry_after_secs } => at_most(
                &format!("{field}.retry_after_secs"),
                *retry_after_secs,
                MAX_WAIT_SECS,
                " s (one day)",
            )?,
            FaultKind::Throttle { reset_after_secs } => at_most(
                &format!("{field}.reset_after_secs"),
                *reset_after_secs,
                MAX_WAIT_SECS,
                " s (one day)",
            )?,
            FaultKind::Status { status } | FaultKind::Html { status } => {
                if !(100..=599).contains(status) {
                    return Err(WorldError::new(
                        format!("{field}.status"),
                        format!("{status} is not an HTTP status (100 to 599)"),
                    ));
                }
            }
            FaultKind::Truncated | FaultKind::Hang | FaultKind::LostAnswer | FaultKind::Reset => {}
        }
    }
    Ok(())
}
