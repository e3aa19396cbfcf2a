//! Kind `org-structure`: the organization being checked (--org by id or name,
//! else the app's own), its root organization, and the business groups.

use std::collections::HashSet;

use super::probe::{SideRead, reply, unexpected_status, unreadable};
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::{OrgFacts, OrgInfo, find_by_id_or_name};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::error::ConfigError;
use crate::platform::models::{Hierarchy, Organization};
use crate::platform::{Request, paths};

pub async fn run(ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let verdict = match learn(ctx, &mut recorder).await {
        Ok(verdict) | Err(verdict) => verdict,
    };
    verdict.with_evidence(recorder.evidence)
}

async fn learn(ctx: &RunContext, recorder: &mut Recorder<'_>) -> Result<Verdict, Verdict> {
    // A business group of a sweep: the base checks learned the structure
    // and listed the groups once; each group says only where it sits, so a
    // sweep's output does not list every group once per group.
    if let Some(known) = ctx.facts.org.get() {
        let summary = format!(
            "{}; the base checks list the {} business group(s)",
            placed(&known.org, &known.root),
            known.business_groups.len()
        );
        return Ok(Verdict::new(Reason::OrgFound, Status::Pass, summary));
    }
    let own_id = ctx
        .facts
        .identity
        .get()
        .map(|i| i.org_id.clone())
        .ok_or_else(|| {
            Verdict::new(
                Reason::FactUnknown,
                Status::Skip,
                "not run: the token's organization is unknown",
            )
        })?;
    // One round trip for the org, its hierarchy (the app's org is most often
    // the root) and, when no --org names another, its environments, instead
    // of three in a row: the reads below and `org.environments` find these
    // answers in the run's cache.
    let platform = &ctx.platform;
    let hierarchy = platform.fetch(Request::get(paths::hierarchy(&own_id)));
    let environments = async {
        if ctx.settings.org.is_none() {
            platform
                .fetch(Request::get(paths::environments(&own_id)))
                .await;
        }
    };
    let (own, _, ()) = futures::join!(read_org(recorder, &own_id), hierarchy, environments);
    let own = own?;

    let root = if own.is_root {
        own.clone()
    } else {
        find_root(recorder, &own).await?
    };

    let (business_groups, repeated, groups_note) = match read_hierarchy(recorder, &root.id).await {
        Ok(tree) => {
            let (groups, repeated) = flatten(&tree);
            (groups, repeated, None)
        }
        Err(why) => (Vec::new(), 0, Some(why)),
    };
    let root_info = OrgInfo {
        id: root.id.clone(),
        name: root.name.clone(),
    };
    let own_info = OrgInfo {
        id: own.id.clone(),
        name: own.name.clone(),
    };

    let org = match &ctx.settings.org {
        None => own_info,
        Some(wanted) => {
            let mut known = vec![root_info.clone(), own_info.clone()];
            known.extend(business_groups.iter().cloned());
            match find_by_id_or_name(&known, &wanted.value) {
                Some(found) => found.clone(),
                None if looks_like_id(&wanted.value) => {
                    match read_org(recorder, &wanted.value).await {
                        Ok(org) => OrgInfo {
                            id: org.id,
                            name: org.name,
                        },
                        Err(_) => {
                            return Err(unknown_org(
                                ctx,
                                &wanted.value,
                                &wanted.source.to_string(),
                                &known,
                            ));
                        }
                    }
                }
                None => {
                    return Err(unknown_org(
                        ctx,
                        &wanted.value,
                        &wanted.source.to_string(),
                        &known,
                    ));
                }
            }
        }
    };

    let mut summary = placed(&org, &root_info);
    match (&groups_note, business_groups.len()) {
        (Some(why), _) => summary.push_str(&format!("; business groups not listed ({why})")),
        (None, 0) => summary.push_str("; no business groups"),
        (None, n) => summary.push_str(&format!(
            "; {n} business group{}: {}",
            if n == 1 { "" } else { "s" },
            business_groups
                .iter()
                .map(|g| g.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    if repeated > 0 {
        summary.push_str(&format!(
            " (the hierarchy lists {repeated} more entr{} with an id already listed: each id counts once)",
            if repeated == 1 { "y" } else { "ies" }
        ));
    }
    let _ = ctx.facts.org.set(OrgFacts {
        org,
        root: root_info,
        business_groups: business_groups.into(),
    });
    Ok(Verdict::new(Reason::OrgFound, Status::Pass, summary))
}

async fn read_org(recorder: &mut Recorder<'_>, id: &str) -> Result<Organization, Verdict> {
    let answer = recorder.fetch(Request::get(paths::organization(id))).await;
    let reply = reply(&answer)?;
    match reply.status {
        200 => reply
            .json::<Organization>()
            .map_err(|reason| unreadable(&answer, &reason)),
        401 | 403 | 404 => Err(Verdict::new(
            Reason::Refused,
            Status::Fail,
            format!(
                "cannot read organization {id} (HTTP {}: {})",
                reply.status,
                reply.platform_message()
            ),
        )),
        _ => Err(unexpected_status(&answer, reply)),
    }
}

/// The ancestor whose own `isRoot` is true; the order of `parentOrganizationIds` is not documented.
async fn find_root(
    recorder: &mut Recorder<'_>,
    org: &Organization,
) -> Result<Organization, Verdict> {
    for parent_id in &org.parent_organization_ids {
        let parent = read_org(recorder, parent_id).await?;
        if parent.is_root {
            return Ok(parent);
        }
    }
    Err(Verdict::new(
        Reason::OrgNoRoot,
        Status::Error,
        format!(
            "org \"{}\" is not a root organization, and none of its parents ({}) is",
            org.name,
            org.parent_organization_ids.join(", ")
        ),
    ))
}

async fn read_hierarchy(recorder: &mut Recorder<'_>, root_id: &str) -> Result<Hierarchy, SideRead> {
    let answer = recorder
        .fetch(Request::get(paths::hierarchy(root_id)))
        .await;
    match &answer.result {
        Ok(reply) if reply.status == 200 => Ok(reply.json::<Hierarchy>()?),
        Ok(reply) => Err(SideRead::Refused {
            what: "",
            status: reply.status,
            message: None,
        }),
        Err(e) => Err(SideRead::NoAnswer(e.to_string())),
    }
}

/// Where `org` sits: the root organization, or a business group of `root`.
fn placed(org: &OrgInfo, root: &OrgInfo) -> String {
    if org.id == root.id {
        format!("\"{}\" ({}) is the root organization", org.name, org.id)
    } else {
        format!(
            "\"{}\" ({}) is a business group of root \"{}\" ({}), where client applications live",
            org.name, org.id, root.name, root.id
        )
    }
}

/// The business groups below `root`, depth first, each id once (where it is
/// first listed; the root's own id is not a group of its own), and how many
/// more entries the hierarchy has with an id already listed: a hierarchy
/// that repeats a group must not make it checked, or listed, twice.
fn flatten(root: &Hierarchy) -> (Vec<OrgInfo>, usize) {
    fn walk<'a>(
        groups: &'a [Hierarchy],
        seen: &mut HashSet<&'a str>,
        out: &mut Vec<OrgInfo>,
        repeated: &mut usize,
    ) {
        for group in groups {
            if seen.insert(&group.id) {
                out.push(OrgInfo {
                    id: group.id.clone(),
                    name: group.name.clone(),
                });
            } else {
                *repeated += 1;
            }
            walk(&group.sub_organizations, seen, out, repeated);
        }
    }
    let mut seen = HashSet::from([root.id.as_str()]);
    let (mut groups, mut repeated) = (Vec::new(), 0);
    walk(
        &root.sub_organizations,
        &mut seen,
        &mut groups,
        &mut repeated,
    );
    (groups, repeated)
}

pub fn looks_like_id(value: &str) -> bool {
    value.len() == 36 && value.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

fn unknown_org(ctx: &RunContext, value: &str, setting: &str, known: &[OrgInfo]) -> Verdict {
    let mut names: Vec<String> = known
        .iter()
        .map(|o| format!("\"{}\" ({})", o.name, o.id))
        .collect();
    names.dedup();
    ctx.config_error(ConfigError::UnknownOrg {
        value: value.to_string(),
        setting: setting.to_string(),
        known: names.join(", "),
    });
    Verdict::new(
        Reason::OrgNotFound,
        Status::Fail,
        format!(
            "{value:?} from {setting} matches no organization or business group this app can see"
        ),
    )
    .fix(format!("Use one of: {}", names.join(", ")))
}
