//! Kind `empty-list`: a list that answers 200 and empty, or with only the
//! app's own items, is only believable when other evidence agrees: the view
//! scope, lists of the same things elsewhere, active contracts (which name
//! applications), and whether the org is a business group. In an exact run
//! the admin's list shows what exists and the app's grants what it would see.

use std::collections::BTreeSet;

use futures::future::join_all;
use serde_json::Value;

use super::probe::{self, SideRead, reply, unexpected_status, unreadable};
use crate::doctor::catalogue::{Catalogue, Service};
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::{Grants, OrgFacts};
use crate::doctor::outcome::{MissingScope, Status};
use crate::doctor::path_vars::PathVars;
use crate::doctor::spec::{CrossList, EmptyListSpec};
use crate::doctor::verdict::Verdict;
use crate::platform::models::{ApiAssetList, ContractList, Environment, ScopeGrant};
use crate::platform::{Request, paths};

pub async fn run(spec: &EmptyListSpec, ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let verdict = match judge(spec, ctx, &mut recorder).await {
        Ok(verdict) | Err(verdict) => verdict,
    };
    verdict.with_evidence(recorder.evidence)
}

/// The items of the list, and whose they are.
struct Listed {
    ids: BTreeSet<u64>,
    len: usize,
    /// Items whose owners include this app.
    own: usize,
    /// Items with owners, none of them this app.
    foreign: usize,
    /// The answer's `total`, when it has one.
    total: Option<u64>,
}

async fn judge(
    spec: &EmptyListSpec,
    ctx: &RunContext,
    recorder: &mut Recorder<'_>,
) -> Result<Verdict, Verdict> {
    let Some(org) = ctx.facts.org.get() else {
        return Ok(Verdict::new(
            Reason::FactUnknown,
            Status::Skip,
            "not run: the organization is unknown",
        ));
    };
    let vars = PathVars::from_facts(ctx, None);
    let mut list_path = vars.fill(&spec.list).map_err(|m| {
        Verdict::new(
            Reason::FactUnknown,
            Status::Skip,
            format!("not run: no {m}"),
        )
    })?;
    if ctx.exact() {
        // An administrator sees every application only with targetAdminSite (§8.4).
        let separator = if list_path.contains('?') { '&' } else { '?' };
        list_path.push_str(&format!("{separator}targetAdminSite=true"));
    }
    let call = probe::describe("GET", &list_path);
    let client_id = ctx.subject_client_id();
    // API instances live in the environments API Manager manages: not the
    // design ones (reference §12.1).
    let envs: Vec<&Environment> = match (ctx.facts.environments.get(), &spec.contracts_in) {
        (Some(facts), Some(template)) => facts.selected_for(Service::of_path(template)),
        _ => Vec::new(),
    };
    let (cross_paths, api_lists) = evidence_paths(spec, ctx, &vars, &envs);
    // The API instance lists (which the scope checks read too) go out with
    // the list itself, so the contracts they name are read one round trip
    // sooner; the cross lists wait for the list, which may make them moot.
    // An exact run reads no evidence, so sends none.
    let evidence_reads = async {
        if !ctx.exact() {
            join_all(
                api_lists
                    .iter()
                    .map(|(_, p)| ctx.platform.fetch(Request::get(p.clone()))),
            )
            .await;
        }
    };
    let (listed, ()) = futures::join!(
        read_list(recorder, &list_path, spec, client_id.as_deref()),
        evidence_reads
    );
    let listed = listed?;
    if ctx.exact() {
        return exact(spec, ctx, org, &listed, recorder).await;
    }
    if listed.foreign > 0 {
        return Ok(Verdict::new(
            Reason::DataComplete,
            Status::Pass,
            format!(
                "{} client application(s) listed in the root organization \"{}\", including applications created by others",
                listed.len, org.root.name
            ),
        ));
    }
    let evidence = gather(ctx, &cross_paths, &api_lists, &listed, recorder).await;
    let view_held = match ctx.grants(recorder).await {
        Grants::Readable(grants) => Some(view_held(spec, org, &grants)),
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
    let what = if listed.len == 0 {
        format!("{call} is empty")
    } else {
        format!(
            "{call} lists {} application(s), all created by this app (all that Application Creator shows)",
            listed.len
        )
    };
    let verdict = if !evidence.signs.is_empty() {
        let partial = if listed.len == 0 {
            ""
        } else {
            " The list is partial, not complete."
        };
        let cause = match view_held {
            Some(false) => "View Client Applications is not granted in the root organization".to_string(),
            Some(true) => "the scope is granted, so the applications were probably created by users or other apps, which a Connected App does not see".to_string(),
            None => "most likely View Client Applications is missing in the root organization (Application Creator shows only the applications the app created), or the applications were created by someone else".to_string(),
        };
        // Known to be the missing view scope, it is said as such.
        let reason = if view_held == Some(false) {
            Reason::ScopeMissing
        } else {
            Reason::DataEmptyList
        };
        // The conclusion before the evidence: a view that shows the first
        // lines of a finding shows what it means.
        let verdict = Verdict::new(
            reason,
            Status::Fail,
            format!(
                "{what}, but other applications exist: {cause}. Evidence: {}.{partial}{business_group_note}",
                evidence.signs.join("; ")
            ),
        );
        match view_held {
            Some(false) => verdict.missing(view_scope(ctx, org)),
            Some(true) => verdict,
            None => verdict.maybe(view_scope(ctx, org)),
        }
    } else if view_held == Some(false) {
        Verdict::new(
            Reason::ScopeMissing,
            Status::Fail,
            format!(
                "{what}, and View Client Applications is not granted in the root organization \"{}\": the list cannot show applications others created.{business_group_note}",
                org.root.name
            ),
        )
        .missing(view_scope(ctx, org))
    } else if !evidence.unknowns.is_empty() {
        Verdict::new(
            Reason::DataInconclusive,
            Status::Warn,
            format!(
                "{what} and the other evidence could not be read ({}).{business_group_note}",
                evidence.unknowns.join("; ")
            ),
        )
        .inferred()
    } else if view_held == Some(true) {
        Verdict::new(
            Reason::DataBelievable,
            Status::Pass,
            format!(
                "the list is believable: the view scope is granted in the root organization, no API instance in {} has contracts with other applications, and the other lists agree",
                list_or_none(&evidence.environments)
            ),
        )
    } else {
        Verdict::new(
            Reason::DataInconclusive,
            Status::Warn,
            format!(
                "{what}; no API instance in {} has contracts with other applications and the other lists agree, but the app's scopes cannot be read, and a missing View Client Applications looks exactly like this.{business_group_note}",
                list_or_none(&evidence.environments)
            ),
        )
        .maybe(view_scope(ctx, org))
        .inferred()
    };
    Ok(verdict)
}

/// View Client Applications in the root organization: what the list needs
/// to show applications others created (reference §8.2, §11.1).
fn view_scope(ctx: &RunContext, org: &OrgFacts) -> MissingScope {
    let catalogue = Catalogue::get();
    let scope = "read:org_client_applications";
    MissingScope {
        scope: scope.into(),
        name: catalogue.name(scope).into(),
        org_id: Some(org.root.id.clone()),
        org_name: Some(org.root.name.clone()),
        env_id: None,
        env_name: None,
        app: ctx.app_name(),
    }
}

/// An exact run: the admin's list is what exists; the app's granted scopes
/// say whether it would see all of it.
async fn exact(
    spec: &EmptyListSpec,
    ctx: &RunContext,
    org: &OrgFacts,
    listed: &Listed,
    recorder: &mut Recorder<'_>,
) -> Result<Verdict, Verdict> {
    let grants = match ctx.grants(recorder).await {
        Grants::Readable(grants) => grants,
        Grants::Unreadable(why) => {
            return Ok(Verdict::new(
                Reason::GrantsUnreadable,
                Status::Error,
                format!(
                    "the app's granted scopes could not be read ({why}): what the app would see cannot be told"
                ),
            ));
        }
    };
    let exist = format!(
        "{} client application(s) exist in the root organization \"{}\" ({} created by this app)",
        listed.len, org.root.name, listed.own
    );
    Ok(if view_held(spec, org, &grants) {
        Verdict::new(
            Reason::DataComplete,
            Status::Pass,
            format!(
                "{exist}; the app may list them all (View Client Applications or a scope that includes it, in the root organization)"
            ),
        )
    } else if listed.foreign > 0 {
        Verdict::new(
            Reason::ScopeMissing,
            Status::Fail,
            format!(
                "{exist}, but the app lacks View Client Applications in the root organization: its list shows only the {} it created, not the {} others created",
                listed.own, listed.foreign
            ),
        )
    } else {
        Verdict::new(
            Reason::DataComplete,
            Status::Pass,
            format!(
                "{exist}: the app lacks View Client Applications in the root organization, but every application there is its own, so its list is complete for now"
            ),
        )
    })
}

/// Whether a grant lets the app list every application of the root org.
fn view_held(spec: &EmptyListSpec, org: &OrgFacts, grants: &[ScopeGrant]) -> bool {
    let catalogue = Catalogue::get();
    let satisfiers = catalogue
        .capability(&spec.capability)
        .map(|c| catalogue.satisfiers(&c.any_of))
        .unwrap_or_default();
    grants.iter().any(|g| {
        satisfiers.contains(&g.scope)
            && g.context_params.org.as_deref() == Some(org.root.id.as_str())
    })
}

/// What other reads say about applications the list does not show.
struct Evidence {
    signs: Vec<String>,
    unknowns: Vec<String>,
    /// Environments whose API instances were read and name no other application.
    environments: Vec<String>,
}

/// The other lists to compare with, and each environment's API instances
/// (whose contracts name applications), as paths.
type CrossPaths<'a> = Vec<(&'a CrossList, String)>;
type ApiLists<'a> = Vec<(&'a Environment, String)>;

fn evidence_paths<'a>(
    spec: &'a EmptyListSpec,
    ctx: &RunContext,
    vars: &PathVars,
    envs: &[&'a Environment],
) -> (CrossPaths<'a>, ApiLists<'a>) {
    let api_lists = match &spec.contracts_in {
        Some(template) => envs
            .iter()
            .filter_map(|&env| {
                PathVars::from_facts(ctx, Some(env))
                    .fill(template)
                    .ok()
                    .map(|p| (env, p))
            })
            .collect(),
        None => Vec::new(),
    };
    let cross_paths = spec
        .cross_lists
        .iter()
        .filter_map(|cross| vars.fill(&cross.path).ok().map(|p| (cross, p)))
        .collect();
    (cross_paths, api_lists)
}

async fn gather(
    ctx: &RunContext,
    cross_paths: &CrossPaths<'_>,
    api_lists: &ApiLists<'_>,
    listed: &Listed,
    recorder: &mut Recorder<'_>,
) -> Evidence {
    let mut evidence = Evidence {
        signs: Vec::new(),
        unknowns: Vec::new(),
        environments: Vec::new(),
    };
    if let Some(total) = listed.total
        && total > listed.len as u64
        && listed.len < 200
    {
        evidence.signs.push(format!(
            "the answer's total is {total}, but it lists {}",
            listed.len
        ));
    }
    // Independent reads go out together: the cross lists, and each
    // environment's contracts (its API list went out with the list itself).
    // Their evidence is then recorded in a stable order, the cross lists first.
    let cross_reads = join_all(
        cross_paths
            .iter()
            .map(|(_, p)| ctx.platform.fetch(Request::get(p.clone()))),
    );
    let env_reads = join_all(api_lists.iter().map(|(env, path)| async move {
        let mut env_recorder = Recorder::new(ctx);
        let found = other_applications(ctx, &mut env_recorder, env, path, listed).await;
        (env, found, env_recorder.evidence)
    }));
    let (_, per_env) = futures::join!(cross_reads, env_reads);
    for (cross, path) in cross_paths {
        match count_items(recorder, path, &cross.items).await {
            Ok(n) if n > listed.len => evidence
                .signs
                .push(format!("{} lists {n}", probe::describe("GET", path))),
            Ok(_) => {}
            Err(v) => evidence.unknowns.push(v.summary),
        }
    }
    for (env, found, read) in per_env {
        recorder.evidence.extend(read);
        match found {
            Ok(None) => evidence.environments.push(env.name.clone()),
            Ok(Some(sign)) => evidence.signs.push(sign),
            Err(why) => evidence
                .unknowns
                .push(format!("contracts in \"{}\": {why}", env.name)),
        }
    }
    evidence
}

/// Contracts in one environment with applications the list does not show:
/// with an empty list, any active contract; otherwise the contracts' own
/// application ids, read for the instances that have active contracts.
async fn other_applications(
    ctx: &RunContext,
    recorder: &mut Recorder<'_>,
    env: &Environment,
    api_list: &str,
    listed: &Listed,
) -> Result<Option<String>, SideRead> {
    let answer = recorder.fetch(Request::get(api_list)).await;
    let list: ApiAssetList = match &answer.result {
        Ok(reply) if reply.status == 200 => reply.json()?,
        Ok(reply) => {
            return Err(SideRead::Refused {
                what: "",
                status: reply.status,
                message: None,
            });
        }
        Err(e) => return Err(SideRead::NoAnswer(e.to_string())),
    };
    let with_contracts: Vec<(u64, u64)> = list
        .assets
        .iter()
        .flat_map(|a| &a.apis)
        .filter_map(|api| {
            api.active_contracts_count
                .filter(|&n| n > 0)
                .map(|n| (api.id, n))
        })
        .collect();
    let active: u64 = with_contracts.iter().map(|(_, n)| n).sum();
    if active == 0 {
        return Ok(None);
    }
    if listed.len == 0 {
        return Ok(Some(format!(
            "API instances in \"{}\" have {active} active contract(s)",
            env.name
        )));
    }
    let org = ctx
        .facts
        .org
        .get()
        .map(|o| o.org.id.clone())
        .unwrap_or_default();
    let paths: Vec<String> = with_contracts
        .iter()
        .map(|(api, _)| paths::api_contracts(&org, &env.id, *api))
        .collect();
    join_all(
        paths
            .iter()
            .map(|p| ctx.platform.fetch(Request::get(p.clone()))),
    )
    .await;
    let mut unseen = BTreeSet::new();
    for path in &paths {
        let answer = recorder.fetch(Request::get(path.clone())).await;
        let contracts: ContractList = match &answer.result {
            Ok(reply) if reply.status == 200 => reply.json()?,
            Ok(reply) => {
                return Err(SideRead::Refused {
                    what: "reading contracts answered ",
                    status: reply.status,
                    message: None,
                });
            }
            Err(e) => return Err(SideRead::NoAnswer(e.to_string())),
        };
        unseen.extend(
            contracts
                .contracts
                .iter()
                .filter_map(|c| c.application_id)
                .filter(|id| !listed.ids.contains(id)),
        );
    }
    Ok((!unseen.is_empty()).then(|| {
        let ids: Vec<String> = unseen.iter().map(u64::to_string).collect();
        format!(
            "contracts in \"{}\" name application(s) {} that the list does not show",
            env.name,
            ids.join(", ")
        )
    }))
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

/// The main list. A refusal is the verdict itself (fail); other surprises are errors.
async fn read_list(
    recorder: &mut Recorder<'_>,
    path: &str,
    spec: &EmptyListSpec,
    client_id: Option<&str>,
) -> Result<Listed, Verdict> {
    let answer = recorder.fetch(Request::get(path)).await;
    let reply = reply(&answer)?;
    if matches!(reply.status, 401 | 403) {
        return Err(refused(path, reply));
    }
    if reply.status != 200 {
        return Err(unexpected_status(&answer, reply));
    }
    let body: Value = reply
        .json()
        .map_err(|reason| unreadable(&answer, &reason))?;
    let items = body
        .pointer(&spec.items)
        .and_then(Value::as_array)
        .ok_or_else(|| {
            unreadable(
                &answer,
                &format!("no list at {:?} in the answer", spec.items),
            )
        })?;
    let mut listed = Listed {
        ids: BTreeSet::new(),
        len: items.len(),
        own: 0,
        foreign: 0,
        total: body.get("total").and_then(Value::as_u64),
    };
    for item in items {
        listed.ids.extend(item.get("id").and_then(Value::as_u64));
        match probe::owned_by_app(item, &spec.owners, client_id) {
            Some(true) => listed.own += 1,
            Some(false) => listed.foreign += 1,
            None => {}
        }
    }
    Ok(listed)
}

fn refused(path: &str, reply: &crate::platform::Reply) -> Verdict {
    Verdict::new(
        Reason::Refused,
        Status::Fail,
        format!(
            "{} is refused (HTTP {}: {})",
            probe::describe("GET", path),
            reply.status,
            reply.platform_message()
        ),
    )
}

/// Items at a pointer of another list's answer.
async fn count_items(
    recorder: &mut Recorder<'_>,
    path: &str,
    pointer: &str,
) -> Result<usize, Verdict> {
    let answer = recorder.fetch(Request::get(path)).await;
    let reply = reply(&answer)?;
    match reply.status {
        200 => probe::list_len(&answer, reply, pointer),
        401 | 403 => Err(refused(path, reply)),
        _ => Err(unexpected_status(&answer, reply)),
    }
}
