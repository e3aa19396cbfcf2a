//! Kind `empty-list`: a list that answers 200 and empty is only believable
//! when other evidence agrees: the view scope, lists of the same things
//! elsewhere, active contracts (which need applications), and whether the
//! org is a business group.

use super::probe::{self, reply, unexpected_status};
use crate::doctor::context::{Grants, PathVars, Recorder, RunContext, Verdict};
use futures::future::join_all;

use crate::doctor::spec::{CrossList, EmptyListSpec};
use crate::platform::Request;
use crate::platform::models::ApiAssetList;
use crate::platform::models::Environment;
use crate::report::Status;

pub async fn run(spec: &EmptyListSpec, ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let verdict = match judge(spec, ctx, &mut recorder).await {
        Ok(verdict) | Err(verdict) => verdict,
    };
    verdict.with_evidence(recorder)
}

async fn judge(
    spec: &EmptyListSpec,
    ctx: &RunContext,
    recorder: &mut Recorder<'_>,
) -> Result<Verdict, Verdict> {
    let Some(org) = ctx.facts.org.get() else {
        return Ok(Verdict::new(
            Status::Skip,
            "not run: the organization is unknown",
        ));
    };
    let vars = PathVars::from_facts(ctx, None);
    let list_path = vars
        .fill(&spec.list)
        .map_err(|m| Verdict::new(Status::Skip, format!("not run: no {m}")))?;
    let call = probe::describe("GET", &list_path);
    let count = count_items(recorder, &list_path, &spec.items).await?;
    if count > 0 {
        return Ok(Verdict::new(
            Status::Pass,
            format!(
                "{count} client application(s) listed in the root organization \"{}\"",
                org.root.name
            ),
        ));
    }

    // The list is empty: gather what else the platform says. These reads are
    // independent, so they go out together first; the loops below then read
    // them from the run's cache (recording their evidence) in a stable order.
    let envs: &[Environment] = ctx
        .facts
        .environments
        .get()
        .map(|e| e.selected.as_slice())
        .unwrap_or_default();
    let contract_paths: Vec<(&Environment, String)> = match &spec.contracts_in {
        Some(template) => envs
            .iter()
            .filter_map(|env| {
                PathVars::from_facts(ctx, Some(env))
                    .fill(template)
                    .ok()
                    .map(|p| (env, p))
            })
            .collect(),
        None => Vec::new(),
    };
    let cross_paths: Vec<(&CrossList, String)> = spec
        .cross_lists
        .iter()
        .filter_map(|cross| vars.fill(&cross.path).ok().map(|p| (cross, p)))
        .collect();
    join_all(
        cross_paths
            .iter()
            .map(|(_, p)| p)
            .chain(contract_paths.iter().map(|(_, p)| p))
            .map(|p| ctx.platform.fetch(Request::get(p.clone()))),
    )
    .await;

    let mut signs_of_apps = Vec::new();
    let mut unknowns = Vec::new();
    for (cross, path) in &cross_paths {
        match count_items(recorder, path, &cross.items).await {
            Ok(0) => {}
            Ok(n) => signs_of_apps.push(format!("{} lists {n}", probe::describe("GET", path))),
            Err(v) => unknowns.push(v.summary),
        }
    }
    let mut contracts_checked = Vec::new();
    for (env, path) in &contract_paths {
        match active_contracts(recorder, path).await {
            Ok(0) => contracts_checked.push(env.name.clone()),
            Ok(n) => signs_of_apps.push(format!(
                "API instances in \"{}\" have {n} active contract(s)",
                env.name
            )),
            Err(why) => unknowns.push(format!("contracts in \"{}\": {why}", env.name)),
        }
    }
    let view_held = match ctx.grants(recorder).await {
        Grants::Readable(grants) => Some(grants.iter().any(|g| {
            spec.view_scopes.contains(&g.scope)
                && g.context_params.org.as_deref() == Some(org.root.id.as_str())
        })),
        Grants::Unreadable(_) => None,
    };
    let business_group_note = if org.org_is_root() {
        String::new()
    } else {
        format!(
            " Note: \"{}\" is a business group; called with its id ({}) instead of the root organization's ({}), the list is empty too.",
            org.org.name, org.org.id, org.root.id
        )
    };

    let verdict = if !signs_of_apps.is_empty() {
        let cause = match view_held {
            Some(false) => "View Client Applications is not granted in the root organization".to_string(),
            Some(true) => "the scope is granted, so the applications were probably created by users or other apps, which a Connected App does not see".to_string(),
            None => "most likely View Client Applications is missing in the root organization, or the applications were created by someone else".to_string(),
        };
        Verdict::new(
            Status::Fail,
            format!(
                "{call} is empty, but applications exist ({}): {cause}.{business_group_note}",
                signs_of_apps.join("; ")
            ),
        )
    } else if view_held == Some(false) {
        Verdict::new(
            Status::Fail,
            format!(
                "{call} is empty, and View Client Applications is not granted in the root organization \"{}\": the list cannot show anything.{business_group_note}",
                org.root.name
            ),
        )
    } else if !unknowns.is_empty() {
        Verdict::new(
            Status::Warn,
            format!(
                "{call} is empty and the other evidence could not be read ({}).{business_group_note}",
                unknowns.join("; ")
            ),
        )
        .inferred()
    } else if view_held == Some(true) {
        Verdict::new(
            Status::Pass,
            format!(
                "the empty list is believable: the view scope is granted in the root organization, no API instance in {} has active contracts, and the other lists are empty too",
                list_or_none(&contracts_checked)
            ),
        )
    } else {
        Verdict::new(
            Status::Warn,
            format!(
                "{call} is empty; no API instance in {} has active contracts and the other lists are empty, but the app's scopes cannot be read, and a missing View Client Applications looks exactly like this.{business_group_note}",
                list_or_none(&contracts_checked)
            ),
        )
        .inferred()
    };
    Ok(verdict)
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "any environment checked".into()
    } else {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Items at a pointer of a list's answer. A refusal of the main list is the
/// verdict itself (fail); other surprises are errors.
async fn count_items(
    recorder: &mut Recorder<'_>,
    path: &str,
    pointer: &str,
) -> Result<usize, Verdict> {
    let answer = recorder.fetch(Request::get(path)).await;
    let reply = reply(&answer)?;
    match reply.status {
        200 => probe::list_len(&answer, reply, pointer),
        401 | 403 => Err(Verdict::new(
            Status::Fail,
            format!(
                "{} is refused (HTTP {}: {})",
                probe::describe("GET", path),
                reply.status,
                reply.platform_message()
            ),
        )),
        _ => Err(unexpected_status(&answer, reply)),
    }
}

async fn active_contracts(recorder: &mut Recorder<'_>, path: &str) -> Result<u64, String> {
    let answer = recorder.fetch(Request::get(path)).await;
    match &answer.result {
        Ok(reply) if reply.status == 200 => reply.json::<ApiAssetList>().map(|list| {
            list.assets
                .iter()
                .flat_map(|a| &a.apis)
                .filter_map(|api| api.active_contracts_count)
                .sum()
        }),
        Ok(reply) => Err(format!("HTTP {}", reply.status)),
        Err(e) => Err(e.to_string()),
    }
}
