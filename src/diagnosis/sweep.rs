//! A sweep (`check --org all`, or `--org A,B`): the base checks (network,
//! token, identity, the org structure) once, then every business group's
//! checks on a context that shares the client, the token and the answers
//! already read, a few groups at a time, each with its own report.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::doctor::context::{RunContext, RunOptions};
use crate::doctor::facts::{OrgInfo, find_by_id_or_name};
use crate::doctor::outcome::Outcome;
use crate::doctor::{Registry, runner};
use crate::error::{ConfigError, Error};
use crate::report::{Report, fold, redact};
use crate::secret::canary::Canary;
use crate::secret::registry::SecretRegistry;
use crate::settings::{OrgSweep, Settings};

/// Business groups checked at once: enough that the groups' requests fill
/// the client's in-flight cap (which, with the rate-limit budget, is what
/// bounds the load), few enough that the working set stays the same however
/// many groups there are.
const GROUPS_AT_ONCE: usize = 32;

/// A finished sweep: how many business groups were checked, those the
/// deadline left unbegun, and the secrets output must not hold. The reports
/// went to the caller one at a time.
pub struct Sweep {
    pub groups: usize,
    /// The business groups not begun when the run's deadline passed, in the
    /// hierarchy's order: reported as not checked, not as reports of their own.
    pub not_checked: Vec<OrgInfo>,
    pub canary: Canary,
}

/// Runs a sweep over the business groups `orgs` names; `progress` hears
/// (groups done, groups to check), and `each` every report as it is ready
/// (the base checks' first, then each group's in the hierarchy's order)
/// with the ids it may hold (for `--redact-ids`; a group's, only then), so
/// no report needs to be kept after it is written. A base check that fails
/// ends it with the base report alone: no group could be checked without
/// it. The deadline bounds
/// the whole sweep: the groups under way then are cut short as a run is,
/// and those not begun are not begun (`Sweep::not_checked`).
pub async fn sweep(
    settings: Settings,
    orgs: &OrgSweep,
    options: &RunOptions,
    secrets: &SecretRegistry,
    progress: &mut dyn FnMut(usize, usize),
    each: &mut dyn FnMut(Report, &[String]),
) -> Result<Sweep, Error> {
    let registry = Registry::get();
    let chosen = super::chosen_checks(registry, options)?;
    let base_checks = registry.with_requirements(&["org.structure"]);
    let started = Instant::now();
    let mut own_org = settings.clone();
    own_org.org = None;
    let base = RunContext::connect(own_org, options.clone(), secrets)?;
    let base_chosen: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&i| base_checks.contains(&i) || is_network(registry, i))
        .collect();
    let mut outcomes = runner::run(
        Arc::clone(&base),
        registry,
        &base_chosen,
        options.deadline,
        &mut |_, _| {},
    )
    .await;
    fold::one_root_cause(&mut outcomes);
    let passed = !outcomes.iter().any(|o| o.blocks_dependents());
    let base_report = Report::build(&base, outcomes, options, started.elapsed());
    let base_ids = redact::ids_of(&base);
    super::hide_ids_in_har(&base, &base_ids);
    let canary = base.platform.canary();
    let targets = match base.facts.org.get() {
        Some(facts) if passed => targets(orgs, &facts.root, &facts.business_groups)?,
        _ => {
            each(base_report, &base_ids);
            return Ok(Sweep {
                groups: 0,
                not_checked: Vec::new(),
                canary,
            });
        }
    };
    each(base_report, &base_ids);
    // Each group learns its own org (from answers already read: nothing is
    // sent twice), then runs what follows.
    let org_structure = registry.index_of("org.structure");
    let rest: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|i| !base_chosen.contains(i) || Some(*i) == org_structure)
        .collect();
    let total = targets.len();
    progress(0, total);
    // What asks only about the root organization is the same in every
    // group: it runs with the first group alone (its probes are not sent again).
    let elsewhere: Vec<usize> = rest
        .iter()
        .copied()
        .filter(|&i| !registry.checks[i].is_about_the_root_org_only())
        .collect();
    let mut runs = futures::stream::iter(targets.into_iter().enumerate())
        .map(|(n, group)| {
            let rest = if n == 0 { &rest } else { &elsewhere };
            let base = &base;
            let settings = &settings;
            async move {
                let remaining = match options.deadline {
                    None => None,
                    // What is left of the run's deadline, if anything.
                    Some(deadline) => match deadline.checked_sub(started.elapsed()) {
                        Some(left) if !left.is_zero() => Some(left),
                        _ => return Group::NotBegun(group),
                    },
                };
                let began = Instant::now();
                let ctx = base.for_org(settings.for_org(&group.id), group);
                let mut outcomes =
                    runner::run(Arc::clone(&ctx), registry, rest, remaining, &mut |_, _| {}).await;
                fold::one_root_cause(&mut outcomes);
                Group::Checked(ctx, outcomes, began.elapsed())
            }
        })
        .buffered(GROUPS_AT_ONCE);
    let mut done = 0;
    let mut not_checked = Vec::new();
    while let Some(group) = runs.next().await {
        let (ctx, outcomes, took) = match group {
            Group::Checked(ctx, outcomes, took) => (ctx, outcomes, took),
            Group::NotBegun(group) => {
                not_checked.push(group);
                continue;
            }
        };
        // A group's ids include every business group's: gathered only for
        // --redact-ids, or every group would cost the square of the groups.
        let ids = if options.redact_ids {
            let own = redact::ids_of(&ctx);
            super::hide_ids_in_har(&ctx, &own);
            let mut ids = base_ids.clone();
            ids.extend(own);
            ids
        } else {
            Vec::new()
        };
        if let Some(error) = ctx.take_config_error() {
            return Err(error.into());
        }
        each(Report::build(&ctx, outcomes, options, took), &ids);
        done += 1;
        progress(done, total);
        // What only this group asked is not asked again: the cache keeps
        // the base's answers and the groups' still running, so memory does
        // not grow with the number of groups. The root's are the base's.
        if let Some(org) = ctx.facts.org.get().filter(|o| !o.org_is_root()) {
            let own = format!("/organizations/{}", crate::platform::paths::id(&org.org.id));
            ctx.platform
                .forget(|request| request.path.contains(own.as_str()));
        }
    }
    Ok(Sweep {
        groups: done,
        not_checked,
        canary,
    })
}

/// A business group's turn in a sweep: checked, or not begun before the deadline.
enum Group {
    Checked(Arc<RunContext>, Vec<Outcome>, Duration),
    NotBegun(OrgInfo),
}

/// The network checks run once, with the base: no group changes them.
fn is_network(registry: &Registry, index: usize) -> bool {
    registry.checks[index].category == "net"
}

/// The business groups a sweep covers, in the hierarchy's order, each once:
/// `all` is the root and every group the app can see (`org.structure` lists
/// each id once); a list names each by id or name.
fn targets(
    orgs: &OrgSweep,
    root: &OrgInfo,
    business_groups: &[OrgInfo],
) -> Result<Vec<OrgInfo>, ConfigError> {
    let mut known = vec![root.clone()];
    known.extend(business_groups.iter().cloned());
    let OrgSweep::Listed(wanted) = orgs else {
        return Ok(known);
    };
    let mut chosen: Vec<OrgInfo> = Vec::new();
    for name in wanted {
        let Some(found) = find_by_id_or_name(&known, name) else {
            return Err(ConfigError::UnknownOrg {
                value: name.clone(),
                setting: "--org".into(),
                known: known
                    .iter()
                    .map(|o| format!("\"{}\" ({})", o.name, o.id))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if !chosen.iter().any(|c| c.id == found.id) {
            chosen.push(found.clone());
        }
    }
    Ok(chosen)
}
