//! A world checked before it is served: every id unique (so the business
//! groups form a tree without cycles) and every number within bounds the
//! simulator can serve without overflowing a clock or a counter.

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

/// The first problem found, as one line naming the field.
pub fn check(world: &World) -> Result<(), String> {
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
fn orgs(world: &World) -> Result<(), String> {
    fn walk(
        org: &Org,
        field: String,
        depth: usize,
        orgs: &mut Vec<(String, String)>,
        envs: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "{field}: business groups nest deeper than {MAX_DEPTH} levels"
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
fn unique(fields: impl IntoIterator<Item = (String, String)>) -> Result<(), String> {
    let mut seen: HashMap<String, String> = HashMap::new();
    for (field, value) in fields {
        if let Some(first) = seen.get(&value) {
            return Err(format!(
                "{field}: {value:?} is already the value of {first}; ids must be unique"
            ));
        }
        seen.insert(value, field);
    }
    Ok(())
}

fn at_most(field: &str, value: u64, max: u64, unit: &str) -> Result<(), String> {
    if value > max {
        return Err(format!(
            "{field}: {value} is above the limit of {max}{unit}"
        ));
    }
    Ok(())
}

fn numbers(world: &World) -> Result<(), String> {
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
            return Err(
                "rate_limit_per_minute: 0 would refuse every request; leave it out for no limit"
                    .into(),
            );
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
                    return Err(format!(
                        "{field}.status: {status} is not an HTTP status (100 to 599)"
                    ));
                }
            }
            FaultKind::Truncated | FaultKind::Hang | FaultKind::LostAnswer | FaultKind::Reset => {}
        }
    }
    Ok(())
}
