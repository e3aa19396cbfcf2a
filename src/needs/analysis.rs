//! The analysis of the requests seen: each matched to the endpoint
//! catalogue (or counted as unknown), and the least privilege they need
//! (`least`).

use super::least::{self, LeastPrivilege};
use super::{Matched, Seen};
use crate::doctor::catalogue::Catalogue;
use crate::needs::endpoints::Endpoints;

/// What the requests need.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub matched: Vec<Matched<'a>>,
    /// Requests to Anypoint Platform the catalogue does not know: listed, never dropped.
    pub unknown: Vec<&'a Seen>,
    pub least: LeastPrivilege,
}

/// Matches each request to the catalogue and derives the least privilege.
pub fn analyse<'a>(
    seen: &'a [Seen],
    catalogue: &Catalogue,
    endpoints: &'a Endpoints,
) -> Analysis<'a> {
    let mut matched = Vec::new();
    let mut unknown = Vec::new();
    for request in seen {
        match endpoints.find(&request.method, &request.path) {
            Some((endpoint, ids)) => matched.push(Matched {
                seen: request,
                endpoint,
                ids,
                need: endpoint.need(catalogue),
            }),
            None => unknown.push(request),
        }
    }
    let least = least::derive(&matched, catalogue);
    Analysis {
        matched,
        unknown,
        least,
    }
}

#[cfg(test)]
mod tests {
    use super::super::endpoints::Endpoints;
    use super::super::{Seen, Target};
    use super::*;
    use crate::doctor::spec::ScopeContext;

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
