//! A sweep (`check --org all`, or `--org A,B`): the base checks (network,
//! token, identity, the org structure) once, then every business group's
//! checks on a context that shares the client, the token and the answers
//! already read, a few groups at a time, each with its own report.

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

use crate::doctor::context::{OrgInfo, RunContext, RunOptions, find_by_id_or_name};
use crate::doctor::{Registry, runner};
use crate::error::{ConfigError, Error};
use crate::report::{Report, fold, redact};
use crate::secret::SecretRegistry;
use crate::secret::canary::Canary;
use crate::settings::{OrgSweep, Settings};

/// Business groups checked at once: enough that the groups' requests fill
/// the client's in-flight cap (which, with the rate-limit budget, is what
/// bounds the load), few enough that the working set stays the same however
/// many groups there are.
const GROUPS_AT_ONCE: usize = 32;

/// A finished sweep: the base checks' report, one report per business group
/// (in the order the hierarchy lists them), the secrets output must not
/// hold, and the ids `--redact-ids` hides.
pub struct Sweep {
    pub base: Report,
    pub groups: Vec<Report>,
    pub canary: Canary,
    pub ids: Vec<String>,
}

impl Sweep {
    /// The base report followed by every group's.
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        std::iter::once(&self.base).chain(&self.groups)
    }
}

/// Runs a sweep over the business groups `orgs` names; `progress` hears
/// (groups done, groups to check). A base check that fails ends it with the
/// base report alone: no group could be checked without it.
pub async fn sweep(
    settings: Settings,
    orgs: &OrgSweep,
    options: &RunOptions,
    secrets: &SecretRegistry,
    progress: &mut dyn FnMut(usize, usize),
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
    let mut ids = redact::ids_of(&base);
    let canary = base.platform.canary();
    let targets = match base.facts.org.get() {
        Some(facts) if passed => targets(orgs, &facts.root, &facts.business_groups)?,
        _ => {
            return Ok(Sweep {
                base: base_report,
                groups: Vec::new(),
                canary,
                ids,
            });
        }
    };
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
            let ctx = base.for_org(settings.for_org(&group.id));
            let rest = if n == 0 { &rest } else { &elsewhere };
            async move {
                let began = Instant::now();
                let remaining = options
                    .deadline
                    .map(|d| d.saturating_sub(started.elapsed()));
                let mut outcomes =
                    runner::run(Arc::clone(&ctx), registry, rest, remaining, &mut |_, _| {}).await;
                fold::one_root_cause(&mut outcomes);
                (ctx, outcomes, began.elapsed())
            }
        })
        .buffered(GROUPS_AT_ONCE);
    let mut groups = Vec::with_capacity(total);
    while let Some((ctx, outcomes, took)) = runs.next().await {
        if let Some(error) = ctx.take_config_error() {
            return Err(error.into());
        }
        ids.extend(redact::ids_of(&ctx));
        groups.push(Report::build(&ctx, outcomes, options, took));
        progress(groups.len(), total);
    }
    ids.sort();
    ids.dedup();
    Ok(Sweep {
        base: base_report,
        groups,
        canary,
        ids,
    })
}

/// The network checks run once, with the base: no group changes them.
fn is_network(registry: &Registry, index: usize) -> bool {
    registry.checks[index].category == "net"
}

/// The business groups a sweep covers, in the hierarchy's order: `all` is
/// the root and every group the app can see; a list names each by id or name.
fn targets(
    orgs: &OrgSweep,
    root: &OrgInfo,
    business_groups: &[OrgInfo],
) -> Result<Vec<OrgInfo>, ConfigError> {
    let mut known = vec![root.clone()];
    known.extend(business_groups.iter().filter(|g| g.id != root.id).cloned());
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
        if !chosen.contains(found) {
            chosen.push(found.clone());
        }
    }
    Ok(chosen)
}
