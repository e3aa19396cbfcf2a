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

#[cfg(test)]
mod tests {
    use super::super::endpoints::Endpoints;
    use super::super::{Seen, analyse};
    use super::*;

    fn seen(calls: &[&str]) -> Vec<Seen> {
        calls
            .iter()
            .enumerate()
            .map(|(i, call)| {
                let (method, url) = call.split_once(' ').expect("METHOD path");
                let (path, query) = url.split_once('?').unwrap_or((url, ""));
                Seen {
                    method: method.into(),
                    path: path.into(),
                    query: query
                        .split('&')
                        .filter_map(|kv| kv.split_once('='))
                        .map(|(k, v)| (k.into(), v.into()))
                        .collect(),
                    at: format!("test#{i}"),
                    body_ids: Vec::new(),
                    operation: None,
                    recorded: Default::default(),
                }
            })
            .collect()
    }

    fn grants(calls: &[&str]) -> Vec<(String, Target)> {
        let seen = seen(calls);
        let analysis = analyse(&seen, Catalogue::get(), Endpoints::get());
        assert!(analysis.unknown.is_empty(), "{:?}", analysis.unknown);
        analysis
            .least
            .grants
            .into_iter()
            .map(|g| (g.scope, g.target))
            .collect()
    }

    fn env(org: &str, env: &str) -> Target {
        Target::Env {
            org: org.into(),
            env: env.into(),
        }
    }

    fn org(org: &str) -> Target {
        Target::Org { org: org.into() }
    }

    #[test]
    fn creating_an_app_and_a_contract_needs_application_creator_manage_contracts_and_exchange_viewer()
     {
        let found = grants(&[
            "POST /accounts/api/v2/oauth2/token",
            "GET /accounts/api/me",
            "POST /exchange/api/v2/organizations/root/applications",
            "POST /apimanager/api/v1/organizations/root/environments/prod/apis/42/contracts",
        ]);
        let created = [
            (
                "create:client_applications".to_string(),
                Target::RootOrg { org: "root".into() },
            ),
            ("manage:api_contracts".into(), env("root", "prod")),
            ("read:exchange".into(), org("root")),
        ];
        assert_eq!(found, created);
        // Reading the instance first (KB 005385409 step 4) is a request of its
        // own, with its own scope; the asset read needs nothing more.
        let read_first = grants(&[
            "POST /exchange/api/v2/organizations/root/applications",
            "GET /apimanager/api/v1/organizations/root/environments/prod/apis",
            "GET /exchange/api/v2/assets/root/orders-api",
            "POST /apimanager/api/v1/organizations/root/environments/prod/apis/42/contracts",
        ]);
        let mut expected = created.to_vec();
        expected.insert(2, ("read:api_configuration".into(), env("root", "prod")));
        assert_eq!(read_first, expected);
    }

    #[test]
    fn a_narrower_scope_beats_a_broader_one_even_when_it_takes_two() {
        // Reading configuration and contracts: View APIs Configuration and View
        // Contracts, not API Manager Environment Administrator, which implies both.
        let found = grants(&[
            "GET /apimanager/api/v1/organizations/o/environments/e/apis/1/tiers",
            "GET /apimanager/api/v1/organizations/o/environments/e/apis/1/contracts",
        ]);
        assert_eq!(
            found,
            [
                ("read:api_configuration".into(), env("o", "e")),
                ("read:api_contracts".into(), env("o", "e")),
            ]
        );
    }

    #[test]
    fn a_scope_another_needed_one_implies_is_left_out() {
        // Listing applications (View) and creating them with the old path's
        // scope list: Manage Client Applications is not chosen, since
        // Application Creator is narrower; the view scope stays.
        let found = grants(&[
            "GET /exchange/api/v2/organizations/root/applications",
            "POST /exchange/api/v2/organizations/root/applications",
        ]);
        let root = Target::RootOrg { org: "root".into() };
        assert_eq!(
            found,
            [
                ("create:client_applications".into(), root.clone()),
                ("read:org_client_applications".into(), root),
            ]
        );
        // Policies per environment, and policy templates for the org: View
        // Policies All Environments (org) covers View Policies in its environments.
        let found = grants(&[
            "GET /apimanager/api/v1/organizations/o/environments/e/apis/1/policies",
            "GET /apimanager/api/v1/organizations/o/policy-templates",
        ]);
        assert_eq!(found, [("read:api_policies_all_envs".into(), org("o"))]);
    }

    #[test]
    fn two_environments_and_two_business_groups_are_kept_apart() {
        let found = grants(&[
            "GET /apimanager/api/v1/organizations/a/environments/sbx/apis",
            "GET /apimanager/api/v1/organizations/a/environments/prd/apis",
            "GET /apimanager/api/v1/organizations/b/environments/sbx/apis",
        ]);
        let scope = "read:api_configuration".to_string();
        assert_eq!(
            found,
            [
                (scope.clone(), env("a", "prd")),
                (scope.clone(), env("a", "sbx")),
                (scope, env("b", "sbx")),
            ]
        );
    }

    #[test]
    fn org_admin_only_requests_no_scope_requests_and_unknown_ones_are_told_apart() {
        let seen = seen(&[
            "GET /accounts/api/organizations/o/connectedApplications/c/scopes",
            "GET /accounts/api/organizations/o/environments",
            "GET /cloudhub/api/v2/applications",
        ]);
        let analysis = analyse(&seen, Catalogue::get(), Endpoints::get());
        assert_eq!(analysis.least.grants, []);
        assert_eq!(analysis.least.org_admin, [0]);
        assert_eq!(analysis.unknown.len(), 1);
        assert_eq!(analysis.unknown[0].path, "/cloudhub/api/v2/applications");
        assert!(analysis.least.not_needed.contains(&"full".to_string()));
    }

    #[test]
    fn a_search_names_its_business_group_from_the_query_or_none() {
        let found = grants(&[
            "GET /exchange/api/v2/assets?organizationIds=g1&type=rest-api",
            "POST /graph/api/v2/graphql",
        ]);
        assert_eq!(
            found,
            [
                ("read:exchange".into(), org("g1")),
                (
                    "read:exchange".into(),
                    Target::Unnamed {
                        context: ScopeContext::Org
                    }
                ),
            ]
        );
    }
}
