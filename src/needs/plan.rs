//! The least privilege as `fix`'s plan, for its curl and Terraform
//! renderings (`needs --format curl|terraform`): each scope where the
//! traffic needs it, by id and by the name the traffic gave it; a scope whose
//! place the requests do not name is withheld, saying so.

use super::Target;
use super::least::LeastPrivilege;
use super::render::{Names, place};
use crate::doctor::catalogue::Catalogue;
use crate::fix::{App, FixPlan, Origin, Pair, Withheld};
use crate::settings::mask_id;

/// The app the traffic acts as (the client id its token requests sent, when
/// they name one) and the control plane it went to.
pub struct Acting {
    pub client_id: Option<String>,
    pub host: String,
}

pub fn of(least: &LeastPrivilege, names: &Names, acting: Acting, catalogue: &Catalogue) -> FixPlan {
    let named = |id: &Option<String>| id.as_ref().and_then(|id| names.get(id).cloned());
    let mut add = Vec::new();
    let mut withheld = Vec::new();
    for grant in &least.grants {
        let (org_id, env_id) = match &grant.target {
            Target::Anywhere => (None, None),
            Target::RootOrg { org } | Target::Org { org } => (Some(org.clone()), None),
            Target::Env { org, env } => (Some(org.clone()), Some(env.clone())),
            Target::Unnamed { .. } => (None, None),
        };
        let pair = Pair {
            scope: grant.scope.clone(),
            name: catalogue.name(&grant.scope).to_string(),
            org_name: named(&org_id),
            env_name: named(&env_id),
            org_id,
            env_id,
            other_params: Vec::new(),
            may_be_granted: false,
        };
        match grant.target {
            Target::Unnamed { .. } => withheld.push(Withheld {
                pair,
                why: format!(
                    "needed in {}: grant it where the automation acts",
                    place(&grant.target, names)
                ),
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
