//! The least privilege as `fix`'s plan, for its curl and Terraform
//! renderings (`needs --format curl|terraform`): each scope where the
//! traffic needs it, by id and by the name the traffic gave it; a scope whose
//! place the requests do not name is withheld, saying so. `fix --for-har`
//! plans only what the pre-flight found the app lacks (`lacking`).

use super::Target;
use super::judged::PreFlight;
use super::least::LeastPrivilege;
use super::render::{Names, place};
use crate::doctor::catalogue::Catalogue;
use crate::doctor::outcome::Status;
use crate::fix::{App, FixPlan, Origin, Pair, Unsettled, Withheld};
use crate::report::preflight::Proof;
use crate::settings::mask_id;

/// The app the traffic acts as (the client id its token requests sent, when
/// they name one) and the control plane it went to.
pub struct Acting {
    pub client_id: Option<String>,
    pub host: String,
}

/// `scope` in `target`, named with `names`.
fn pair(scope: &str, target: &Target, names: &Names, catalogue: &Catalogue) -> Pair {
    let named = |id: &Option<String>| id.as_ref().and_then(|id| names.get(id).cloned());
    let (org_id, env_id) = match target {
        Target::Anywhere | Target::Unnamed { .. } => (None, None),
        Target::RootOrg { org } | Target::Org { org } => (Some(org.clone()), None),
        Target::Env { org, env } => (Some(org.clone()), Some(env.clone())),
    };
    Pair {
        scope: scope.to_string(),
        name: catalogue.name(scope).to_string(),
        org_name: named(&org_id),
        env_name: named(&env_id),
        org_id,
        env_id,
        other_params: Vec::new(),
        may_be_granted: false,
    }
}

/// Why a scope whose place the requests do not name is left out.
fn unnamed(target: &Target, names: &Names) -> String {
    format!(
        "needed in {}: grant it where the automation acts",
        place(target, names)
    )
}

pub fn of(least: &LeastPrivilege, names: &Names, acting: Acting, catalogue: &Catalogue) -> FixPlan {
    let named = |id: &Option<String>| id.as_ref().and_then(|id| names.get(id).cloned());
    let mut add = Vec::new();
    let mut withheld = Vec::new();
    for grant in &least.grants {
        let pair = pair(&grant.scope, &grant.target, names, catalogue);
        match grant.target {
            Target::Unnamed { .. } => withheld.push(Withheld {
                pair,
                why: unnamed(&grant.target, names),
            }),
            _ => add.push(pair),
        }
    }
    let root = least.grants.iter().find_map(|g| match &g.target {
        Target::RootOrg { org } => Some(org.clone()),
        _ => None,
    });
    let org_id = root.or_else(|| {
        least.grants.iter().find_map(|g| match &g.target {
            Target::Org { org } | Target::Env { org, .. } => Some(org.clone()),
            _ => None,
        })
    });
    FixPlan {
        app: App {
            name: None,
            client_id_masked: acting.client_id.as_deref().map(mask_id),
            client_id: acting.client_id,
        },
        host: acting.host,
        org_name: named(&org_id),
        org_id,
        granted_read: false,
        granted: Vec::new(),
        add,
        withheld,
        unsettled: Vec::new(),
        origin: Origin::Traffic,
    }
}

/// `fix --for-har`: `base` (the plan of a run that checked no scope: the
/// app, the org, the granted scopes when read) with the pairs the pre-flight
/// of the traffic in `files` did not prove held: disproven ones to add,
/// unproven ones to add as "may already be granted" (unless the granted
/// scopes were read), unchecked ones unsettled, and those whose place is not
/// in the target, or not named, withheld with why.
pub fn lacking(preflight: &PreFlight, base: FixPlan, files: Vec<String>) -> FixPlan {
    let catalogue = Catalogue::get();
    let mut plan = FixPlan {
        add: Vec::new(),
        withheld: Vec::new(),
        unsettled: Vec::new(),
        origin: Origin::TrafficLacks(files),
        ..base
    };
    for need in preflight.needs.iter().filter(|n| n.proof != Proof::Proven) {
        let target = need.target.as_ref().unwrap_or(&need.traffic);
        let pair = pair(&need.scope, target, &need.names, catalogue);
        if let Some(unmapped) = &need.unmapped {
            plan.withheld.push(Withheld {
                pair,
                why: format!("not in the target: {}", unmapped.why),
            });
            continue;
        }
        match (target, need.proof) {
            (Target::Unnamed { .. }, _) => plan.withheld.push(Withheld {
                pair,
                why: unnamed(target, &need.names),
            }),
            (_, Proof::Unchecked) => plan.unsettled.push(Unsettled {
                check: need.check.clone().unwrap_or_else(|| need.scope.clone()),
                target: Some(need.place.clone()),
                status: Status::Error,
                summary: need.summary.clone(),
                blocked_by: None,
            }),
            (_, proof) => plan.add.push(Pair {
                may_be_granted: (proof == Proof::Unproven || need.ambiguous) && !plan.granted_read,
                ..pair
            }),
        }
    }
    plan
}
