//! `check --for-har`: each scope a traffic file needs, in the place it needs
//! it, judged in the org the run targets. The place is mapped first
//! (`mapping`); then the scope check of the catalogue for that scope runs
//! in that place alone: exact from the app's granted scopes when they are
//! readable (an org admin's token), else by the check's probe; a scope no
//! probe tells apart stays not proven. Nothing else is probed.

use std::collections::BTreeMap;

use futures::future::join_all;
use serde::Serialize;

use super::Target;
use super::analysis::Analysis;
use super::least::LeastPrivilege;
use super::mapping::{self, Mapped, TargetOrgs, Unmapped};
use super::render::Names;
use crate::doctor::Registry;
use crate::doctor::catalogue::Catalogue;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::EnvFacts;
use crate::doctor::kinds;
use crate::doctor::outcome::Status;
use crate::doctor::spec::{CheckKind, Missing, ScopeSpec};
use crate::doctor::verdict::Verdict;
use crate::platform::models::Environment;
use crate::report::preflight::{Gate, Proof};

/// One scope in one place, and what the run knows of it.
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    pub scope: String,
    /// Its name in Access Management.
    pub name: String,
    /// Where the traffic needs it, in the traffic's ids.
    pub traffic: Target,
    /// Where that is in the target; `None` when it is not there (`unmapped`).
    pub target: Option<Target>,
    /// The target's place, in words (`business group "Acme", environment "Sandbox"`).
    pub place: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmapped: Option<Unmapped>,
    pub proof: Proof,
    pub summary: String,
    /// The check that told it, when one ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The requests that need it, as templates (`METHOD /path/{id}`).
    pub requests: Vec<String>,
    /// The names of the place's ids: the target's, or the traffic's when unmapped.
    #[serde(skip)]
    pub names: Names,
    /// Disproven by a refusal that cannot tell which of the scopes it needs
    /// is missing (a contract refused with no instance to read the asset
    /// of): this one may already be granted.
    #[serde(skip)]
    pub ambiguous: bool,
}

/// The pre-flight for a traffic file's needs.
#[derive(Debug, Clone, Serialize)]
pub struct PreFlight {
    pub gate: Gate,
    pub allow_unproven: bool,
    pub needs: Vec<Judged>,
    /// Requests only an org admin's token may make: no Connected App scope allows them.
    pub org_admin_only: Vec<String>,
    /// Requests the catalogue does not know: not checked, so not proven.
    pub not_checked: usize,
}

impl PreFlight {
    /// 0 when the gate is open; 1 when a need is disproven, only an org
    /// admin may make a request, or what is not proven closes it; 3 when a
    /// check could not run and nothing is disproven.
    pub fn exit_status(&self) -> crate::ExitStatus {
        use crate::ExitStatus;
        let disproven = self.needs.iter().any(|n| n.proof == Proof::Disproven);
        let unchecked = self.needs.iter().any(|n| n.proof == Proof::Unchecked);
        match self.gate {
            Gate::Open => ExitStatus::Ok,
            Gate::Closed if disproven || !self.org_admin_only.is_empty() => ExitStatus::Failed,
            Gate::Closed if unchecked => ExitStatus::Incomplete,
            Gate::Closed => ExitStatus::Failed,
        }
    }
}

/// Maps and judges every grant of `least` in the target `ctx` was run
/// against (its org facts and environments read by the base checks).
pub async fn judge(
    ctx: &RunContext,
    analysis: &Analysis<'_>,
    names: &Names,
    roots: &[String],
    allow_unproven: bool,
) -> PreFlight {
    let catalogue = Catalogue::get();
    let least: &LeastPrivilege = &analysis.least;
    // The traffic's root: what its answers call one, and where its client
    // applications live (root-org scopes).
    let mut traffic_roots: Vec<String> = roots.to_vec();
    for grant in &least.grants {
        if let Target::RootOrg { org } = &grant.target
            && !traffic_roots.contains(org)
        {
            traffic_roots.push(org.clone());
        }
    }
    // Read once, before the places fan out: each place's context shares them.
    ctx.grants(&mut Recorder::new(ctx)).await;
    let envs = environments(ctx, least, names, &traffic_roots).await;
    let facts = ctx.facts.org.get();
    let requests_of = |indices: &[usize]| -> Vec<String> {
        indices
            .iter()
            .map(|&i| {
                let endpoint = analysis.matched[i].endpoint;
                format!("{} {}", endpoint.method, endpoint.path)
            })
            .collect()
    };
    let judged = least.grants.iter().map(|grant| {
        let mapped = match facts {
            Some(org) => {
                let orgs = TargetOrgs {
                    root: &org.root,
                    groups: &org.business_groups,
                };
                mapping::map(&grant.target, names, &traffic_roots, &orgs, &|id| {
                    envs.get(id).cloned()
                })
            }
            None => Err(Unmapped {
                what: "business group",
                id: String::new(),
                name: None,
                why: "the target organization could not be read".into(),
            }),
        };
        let requests = requests_of(&grant.requests);
        let envs = &envs;
        async move {
            let told = match &mapped {
                Ok(place) => tell(ctx, &grant.scope, place, envs).await,
                Err(unmapped) => Told {
                    proof: Proof::Unproven,
                    summary: format!("not in the target: {}", unmapped.why),
                    check: None,
                    missing: None,
                    also_proven: Vec::new(),
                    inferred: true,
                    ambiguous: false,
                },
            };
            let (target, place, unmapped, names) = match mapped {
                Ok(m) => (
                    Some(m.target.clone()),
                    named_place(&m),
                    None,
                    target_names(&m),
                ),
                Err(u) => (
                    None,
                    super::render::place(&grant.target, names),
                    Some(u),
                    names.clone(),
                ),
            };
            let judged = Judged {
                scope: grant.scope.clone(),
                name: catalogue.name(&grant.scope).to_string(),
                traffic: grant.target.clone(),
                target,
                place,
                unmapped,
                proof: told.proof,
                summary: told.summary.clone(),
                check: told.check.clone(),
                requests,
                names,
                ambiguous: told.ambiguous,
            };
            (judged, told)
        }
    });
    let needs = attribute(join_all(judged).await, catalogue);
    let org_admin_only = requests_of(&least.org_admin);
    let not_checked = analysis.unknown.len();
    let passes =
        |proof: Proof| proof == Proof::Proven || (allow_unproven && proof == Proof::Unproven);
    let open = needs.iter().all(|n| passes(n.proof))
        && org_admin_only.is_empty()
        && (not_checked == 0 || allow_unproven);
    PreFlight {
        gate: if open { Gate::Open } else { Gate::Closed },
        allow_unproven,
        needs,
        org_admin_only,
        not_checked,
    }
}

/// A mapped place in the target's names: the ids are the target's, which the
/// run's user knows by name.
fn named_place(mapped: &Mapped) -> String {
    match (&mapped.target, &mapped.org, &mapped.env) {
        (Target::RootOrg { .. }, Some(org), _) => format!("root organization \"{}\"", org.name),
        (_, Some(org), Some(env)) => format!(
            "business group \"{}\", environment \"{}\"",
            org.name, env.name
        ),
        (_, Some(org), None) => format!("business group \"{}\"", org.name),
        (target, None, _) => super::render::place(target, &Names::new()),
    }
}

/// The names of a mapped place's ids, as the target calls them.
fn target_names(mapped: &Mapped) -> Names {
    mapped
        .org
        .iter()
        .map(|o| (o.id.clone(), o.name.clone()))
        .chain(mapped.env.iter().map(|e| (e.id.clone(), e.name.clone())))
        .collect()
}

/// The environments of each business group of the target an
/// environment-bound need may map to: the checked org's as the base checks
/// read them, any other group's read now. Only groups the traffic needs.
async fn environments(
    ctx: &RunContext,
    least: &LeastPrivilege,
    names: &Names,
    traffic_roots: &[String],
) -> BTreeMap<String, Vec<Environment>> {
    let mut envs = BTreeMap::new();
    let Some(org) = ctx.facts.org.get() else {
        return envs;
    };
    if let Some(own) = ctx.facts.environments.get() {
        envs.insert(org.org.id.clone(), own.all.clone());
    }
    let orgs = TargetOrgs {
        root: &org.root,
        groups: &org.business_groups,
    };
    let mut wanted: Vec<String> = least
        .grants
        .iter()
        .filter_map(|g| match &g.target {
            Target::Env { org, .. } if traffic_roots.contains(org) => Some(orgs.root.id.clone()),
            Target::Env { org, .. } => orgs.org(org, names).ok().map(|o| o.id),
            _ => None,
        })
        .filter(|id| !envs.contains_key(id))
        .collect();
    wanted.sort();
    wanted.dedup();
    for id in wanted {
        if let Some(list) = ctx.environments_of(&id).await {
            envs.insert(id, list);
        }
    }
    envs
}

/// A scope a verdict names as missing, in a business group and environment (ids).
struct MissingAt {
    scope: String,
    org: Option<String>,
    env: Option<String>,
}

struct Told {
    proof: Proof,
    summary: String,
    check: Option<String>,
    /// The scope the verdict found missing, and where, when it names one: it
    /// may be another than the one judged.
    missing: Option<MissingAt>,
    /// Scopes besides the one judged that a passing capability check proves
    /// in the place's business group (a contract's Exchange Viewer).
    also_proven: Vec<String>,
    /// Told by probes (inferred), not by the app's granted scopes.
    inferred: bool,
    /// Refused for one of several scopes, without saying which.
    ambiguous: bool,
}

/// The scope check for `scope`, run in `place` alone.
async fn tell(
    ctx: &RunContext,
    scope: &str,
    place: &Mapped,
    envs: &BTreeMap<String, Vec<Environment>>,
) -> Told {
    if let Target::Unnamed { .. } = place.target {
        return Told {
            proof: Proof::Unproven,
            summary: "the requests name no business group or environment to check it in".into(),
            check: None,
            missing: None,
            also_proven: Vec::new(),
            inferred: true,
            ambiguous: false,
        };
    }
    let (check, spec) = scope_check(scope);
    let id = check.clone().unwrap_or_else(|| format!("scope {scope}"));
    let verdicts = match &place.org {
        Some(org) => {
            let all = envs.get(&org.id).cloned().unwrap_or_default();
            let selected = place.env.iter().cloned().collect();
            let at = ctx.at(org.clone(), EnvFacts { all, selected });
            kinds::scope(&id, &spec, &at).await
        }
        None => kinds::scope(&id, &spec, ctx).await,
    };
    let Some(worst) = verdicts
        .into_iter()
        .min_by_key(|v| proof_of(v) == Proof::Proven)
    else {
        return Told {
            proof: Proof::Unchecked,
            summary: "the check gave no verdict".to_string(),
            check,
            missing: None,
            also_proven: Vec::new(),
            inferred: true,
            ambiguous: false,
        };
    };
    let proof = proof_of(&worst);
    let missing = worst
        .scopes
        .as_ref()
        .and_then(|named| named.missing.as_ref())
        .map(|m| MissingAt {
            scope: m.scope.clone(),
            org: m.org_id.clone(),
            env: m.env_id.clone(),
        });
    // A capability check that passed proves the scopes it needs besides; one
    // refused for the judged scope itself, by name, read the others as held
    // (a contract refused for Manage Contracts while the asset read answers).
    let refused_for_this = missing.as_ref().is_some_and(|m| m.scope == scope);
    let proves_the_rest = proof == Proof::Proven || (proof == Proof::Disproven && refused_for_this);
    let also_proven = match &spec.capability {
        Some(id) if proves_the_rest => Catalogue::get()
            .capability(id)
            .map(|c| c.all_of.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let maybe = worst.scopes.as_ref().map_or(0, |named| named.maybe.len());
    Told {
        proof,
        ambiguous: proof == Proof::Disproven && missing.is_none() && maybe > 1,
        inferred: worst.inferred,
        summary: worst.summary,
        check,
        missing,
        also_proven,
    }
}

/// Each verdict told of the scope it is about: a check refused for another
/// scope than the one judged (a contract refused for a missing Exchange
/// Viewer) disproves that one where the traffic needs it, and leaves the
/// judged one not proven; a passing capability check proves the other
/// scopes it needs in that business group.
fn attribute(judged: Vec<(Judged, Told)>, catalogue: &Catalogue) -> Vec<Judged> {
    let places: Vec<(Option<String>, Option<String>)> = judged
        .iter()
        .map(|(j, _)| ids_of(j.target.as_ref()))
        .collect();
    let mut needs: Vec<Judged> = judged.iter().map(|(j, _)| j.clone()).collect();
    for (i, (j, told)) in judged.iter().enumerate() {
        let also = &told.also_proven;
        if let Some(MissingAt {
            scope: other,
            org,
            env,
        }) = told.missing.as_ref().filter(|m| m.scope != j.scope)
        {
            // Read from the granted scopes, the judged one is held; by
            // probes, it cannot be told while the other is missing.
            if told.inferred {
                needs[i].proof = Proof::Unproven;
                needs[i].summary = format!(
                    "cannot be told until {} is added: {}",
                    catalogue.name(other),
                    j.summary
                );
            } else {
                needs[i].proof = Proof::Proven;
                needs[i].summary = format!(
                    "granted; the requests also need {}, which is missing: {}",
                    catalogue.name(other),
                    j.summary
                );
            }
            let bound_to_env = |k: usize| places[k].1.is_some();
            for (k, need) in needs.iter_mut().enumerate() {
                let here = places[k].0 == *org && (!bound_to_env(k) || places[k].1 == *env);
                if need.scope == *other && here {
                    need.proof = Proof::Disproven;
                    need.summary = format!(
                        "missing: the check of {} found it so (see that need)",
                        j.name
                    );
                    need.check.clone_from(&j.check);
                }
            }
        }
        for (k, need) in needs.iter_mut().enumerate() {
            let in_group = places[k].0 == places[i].0 && places[k].1.is_none();
            if also.contains(&need.scope) && in_group && need.proof == Proof::Unproven {
                need.proof = Proof::Proven;
                need.summary = format!("held: the check of {} found it so (see that need)", j.name);
                need.check.clone_from(&j.check);
            }
        }
    }
    needs
}

/// A mapped target's business group and environment ids.
fn ids_of(target: Option<&Target>) -> (Option<String>, Option<String>) {
    match target {
        Some(Target::Env { org, env }) => (Some(org.clone()), Some(env.clone())),
        Some(Target::Org { org } | Target::RootOrg { org }) => (Some(org.clone()), None),
        _ => (None, None),
    }
}

/// As the pre-flight gate of `check --for` reads a verdict.
fn proof_of(verdict: &Verdict) -> Proof {
    match verdict.status {
        Status::Pass => Proof::Proven,
        Status::Fail => Proof::Disproven,
        Status::Error => Proof::Unchecked,
        Status::Warn | Status::Skip => Proof::Unproven,
    }
}

/// The catalogue's check for `scope`: the capability check whose narrowest
/// scope it is (the traffic needs its requests allowed, which a capability's
/// probes prove), else the scope's own check, else a spec without probes,
/// which only the granted scopes decide; either way a missing scope fails,
/// since the traffic needs it.
fn scope_check(scope: &str) -> (Option<String>, ScopeSpec) {
    let catalogue = Catalogue::get();
    let checks = &Registry::get().checks;
    let narrowest_of = |spec: &ScopeSpec| {
        spec.capability
            .as_deref()
            .and_then(|id| catalogue.capability(id))
            .is_some_and(|c| c.any_of.first().map(String::as_str) == Some(scope))
    };
    let of_capability = checks.iter().find_map(|c| match &c.kind {
        CheckKind::Scope(spec) if narrowest_of(spec) => Some((Some(c.id.clone()), spec.clone())),
        _ => None,
    });
    let found = of_capability.or_else(|| {
        checks.iter().find_map(|c| match &c.kind {
            CheckKind::Scope(spec) if spec.scope.as_deref() == Some(scope) => {
                Some((Some(c.id.clone()), spec.clone()))
            }
            _ => None,
        })
    });
    let (check, spec) = found.unwrap_or_else(|| {
        (
            None,
            ScopeSpec {
                scope: Some(scope.to_string()),
                capability: None,
                missing: Missing::Fail,
                probes: Vec::new(),
                also: None,
            },
        )
    });
    (
        check,
        ScopeSpec {
            missing: Missing::Fail,
            ..spec
        },
    )
}
