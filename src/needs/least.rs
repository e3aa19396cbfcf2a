//! The least privilege for a set of matched requests: for each request, the
//! narrowest scope that allows it (the first of its `any_of`, which the
//! catalogues list least privilege first) in the target its ids name, and
//! each scope it needs besides; then each scope that another one chosen
//! already implies, in a target that one covers, is left out. A broader
//! scope never replaces two narrower ones: it is chosen only where a request
//! needs it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::endpoints::Need;
use super::{Matched, Target};
use crate::doctor::catalogue::{Catalogue, KB_SCOPES};
use crate::doctor::spec::ScopeContext;

/// One scope to grant, where, and the requests (by index) that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub scope: String,
    pub target: Target,
    pub requests: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeastPrivilege {
    pub grants: Vec<Grant>,
    /// Requests no Connected App scope allows (an org admin's token does).
    pub org_admin: Vec<usize>,
    /// The scopes of MuleSoft's guidance (KB 005385409) the requests do not need.
    pub not_needed: Vec<String>,
}

pub fn derive(matched: &[Matched<'_>], catalogue: &Catalogue) -> LeastPrivilege {
    let mut chosen: BTreeMap<(String, Target), Vec<usize>> = BTreeMap::new();
    let mut org_admin = Vec::new();
    for (index, m) in matched.iter().enumerate() {
        match &m.need {
            Need::Nothing => {}
            Need::OrgAdmin => org_admin.push(index),
            Need::Scopes {
                context,
                any_of,
                all_of,
            } => {
                let wanted = any_of.first().map(|s| (s, *context));
                let besides = all_of.iter().map(|s| (s, scope_context(catalogue, s)));
                for (scope, context) in wanted.into_iter().chain(besides) {
                    for target in Target::all_of(context, &m.ids, m.seen) {
                        chosen
                            .entry((scope.clone(), target))
                            .or_default()
                            .push(index);
                    }
                }
            }
        }
    }
    let all: Vec<(String, Target)> = chosen.keys().cloned().collect();
    let grants: Vec<Grant> = chosen
        .into_iter()
        .filter(|((scope, target), _)| {
            !all.iter().any(|(other, covering)| {
                (other, covering) != (scope, target)
                    && catalogue.route(other, scope).is_some()
                    && covers(catalogue, other, covering, target)
            })
        })
        .map(|((scope, target), requests)| Grant {
            scope,
            target,
            requests,
        })
        .collect();
    let not_needed = KB_SCOPES
        .iter()
        .filter(|kb| !grants.iter().any(|g| g.scope == **kb))
        .map(|kb| kb.to_string())
        .collect();
    LeastPrivilege {
        grants,
        org_admin,
        not_needed,
    }
}

fn scope_context(catalogue: &Catalogue, scope: &str) -> ScopeContext {
    catalogue
        .scope(scope)
        .map_or(ScopeContext::Org, |s| s.context)
}

/// Whether `scope` granted in `covering` reaches `target`: the same target,
/// or an org-bound scope over an environment of that org, or a scope bound
/// to nothing.
fn covers(catalogue: &Catalogue, scope: &str, covering: &Target, target: &Target) -> bool {
    if covering == target || *covering == Target::Anywhere {
        return true;
    }
    let org_bound = matches!(
        scope_context(catalogue, scope),
        ScopeContext::Org | ScopeContext::RootOrg
    );
    match (covering, target) {
        (Target::Org { org } | Target::RootOrg { org }, Target::Env { org: of, .. }) => {
            org_bound && org == of
        }
        (Target::Org { org }, Target::RootOrg { org: root })
        | (Target::RootOrg { org }, Target::Org { org: root }) => org == root,
        _ => false,
    }
}
