//! The simulator's router: every endpoint the doctor and anypoint-cli-v4
//! call, and who may call it. One module per service.

mod accounts;
mod api_alerts;
mod api_groups;
mod api_policies;
mod api_proxy;
mod api_tiers;
mod api_upstreams;
mod apimanager;
mod app_scopes;
mod applications;
mod exchange_assets;
mod exchange_files;
mod exchange_graphql;
mod exchange_maven;
mod exchange_portal;
mod exchange_search;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};

use super::respond;
use super::state::{SimState, Subject, TokenProblem};
use super::world::{World, holds};

pub type Shared = Arc<SimState>;

pub fn router(state: Shared) -> Router {
    let org = "/accounts/api/organizations/{org}";
    let apim = "/apimanager/api/v1/organizations/{org}/environments/{env}/apis";
    let groups = "/apimanager/api/v1/organizations/{org}/environments/{env}/groupInstances";
    let assets = "/exchange/api/v2/assets";
    let asset = "/exchange/api/v2/assets/{group}/{asset}/{version}";
    Router::new()
        .route("/accounts/api/v2/oauth2/token", post(accounts::token))
        .route("/accounts/api/me", get(accounts::me))
        .route("/accounts/api/users/me", get(accounts::users_me))
        .route(org, get(accounts::organization))
        .route(&format!("{org}/hierarchy"), get(accounts::hierarchy))
        .route(&format!("{org}/environments"), get(accounts::environments))
        .route(
            &format!("{org}/environments/{{env}}"),
            get(accounts::environment),
        )
        .route(
            "/accounts/api/connectedApplications",
            get(accounts::connected_apps),
        )
        .route(
            "/accounts/api/connectedApplications/{client}",
            get(accounts::connected_app),
        )
        .route(
            &format!("{org}/connectedApplications/{{client}}"),
            get(accounts::org_connected_app),
        )
        .route(&format!("{org}/users"), get(accounts::users))
        .route(
            "/accounts/api/connectedApplications/{client}/scopes",
            get(app_scopes::list).patch(app_scopes::add),
        )
        .route(
            &format!("{org}/connectedApplications/{{client}}/scopes"),
            get(app_scopes::org_list)
                .patch(app_scopes::org_add)
                .put(app_scopes::replace)
                .delete(app_scopes::remove),
        )
        .route(apim, get(apimanager::list).post(apimanager::create))
        .route(&format!("{apim}/{{api}}"), get(apimanager::describe))
        .route(
            &format!("{apim}/{{api}}/contracts"),
            get(apimanager::contracts).post(apimanager::create_contract),
        )
        .route(&format!("{apim}/{{api}}/policies"), get(api_policies::list))
        .route(
            "/apimanager/api/v1/organizations/{org}/policy-templates",
            get(api_policies::templates),
        )
        .route(
            "/apimanager/api/v1/organizations/{org}/policy-templates/{template}",
            get(api_policies::template),
        )
        .route(
            "/apimanager/api/v1/organizations/{org}/automated-policies",
            get(api_policies::automated),
        )
        .route(
            "/apimanager/api/v1/organizations/{org}/automated-policies/{policy}",
            get(api_policies::automated_one),
        )
        .route(&format!("{apim}/{{api}}/tiers"), get(api_tiers::list))
        .route(groups, get(api_groups::list))
        .route(&format!("{groups}/{{group}}"), get(api_groups::describe))
        .route(
            &format!("{groups}/{{group}}/contracts"),
            get(api_groups::contracts),
        )
        .route(&format!("{groups}/{{group}}/tiers"), get(api_groups::tiers))
        .route(
            &format!("{apim}/{{api}}/upstreams"),
            get(api_upstreams::list),
        )
        .route(&format!("{apim}/{{api}}/alerts"), get(api_alerts::legacy))
        .route(
            "/monitoring/api/alerts/api/v2/organizations/{org}/environments/{env}/alerts",
            get(api_alerts::monitoring),
        )
        .route(
            &format!("{apim}/{{api}}/autodiscoveryProperties"),
            get(api_proxy::autodiscovery),
        )
        .route(
            "/proxies/xapi/v1/organizations/{org}/environments/{env}/apis/{api}/proxy",
            get(api_proxy::download),
        )
        .route(
            "/apiplatform/repository/v2/organizations/{org}/applications",
            get(applications::legacy_list).post(applications::create),
        )
        .route(
            "/exchange/api/v2/organizations/{org}/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/exchange/api/v2/organizations/{org}/applications/{app}",
            get(applications::describe).delete(applications::delete),
        )
        .route(
            "/exchange/api/v2/organizations/{org}/applications/{app}/contracts",
            get(applications::contracts).post(applications::create_contract),
        )
        .route(assets, get(exchange_search::list))
        .route(&format!("{assets}/search"), get(exchange_search::rest))
        .route(asset, get(exchange_assets::version))
        .route(
            &format!("{assets}/{{group}}/{{asset}}"),
            get(exchange_assets::latest),
        )
        .route(
            &format!("{assets}/{{group}}/{{asset}}/asset"),
            get(exchange_assets::latest),
        )
        .route(&format!("{asset}/asset"), get(exchange_assets::version))
        .route(
            &format!("{asset}/portal/pages"),
            get(exchange_portal::pages),
        )
        .route(
            &format!("{asset}/portal/pages/{{page}}"),
            get(exchange_portal::page),
        )
        .route(
            &format!("{asset}/portal/resources"),
            get(exchange_portal::resources),
        )
        .route(
            &format!("{asset}/portal/resources/{{file}}"),
            get(exchange_portal::resource),
        )
        .route(
            "/exchange/api/v1/assets/{group}/{asset}/{version}",
            get(exchange_assets::v1),
        )
        .route(
            &format!(
                "{}/{{group}}/{{asset}}/{{version}}/{{file}}",
                exchange_files::FILES
            ),
            get(exchange_files::download),
        )
        .route("/graph/api/v2/graphql", post(exchange_graphql::query))
        .route(
            "/api/v2/maven/{group}/{asset}/{version}/{file}",
            get(exchange_maven::download),
        )
        .route(
            "/exchange/api/v1/organizations/{org}/environments/{env}/apis",
            get(applications::retired_v1_apis),
        )
        .route(
            "/cli/api/v1/analytics/{kind}",
            post(|| async { respond::no_content() }),
        )
        .fallback(|| async { respond::unrouted() })
        .method_not_allowed_fallback(|| async {
            respond::exchange_error(405, "Method Not Allowed")
        })
        .with_state(state)
}

/// The caller behind the request's bearer token. As a handler argument it
/// answers the platform's 401 before the handler runs; it comes after the
/// path and query arguments, so a malformed path is still refused first.
pub struct Caller(pub Subject);

impl FromRequestParts<Shared> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        let authorization = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        state.subject(authorization).map(Caller).map_err(|problem| {
            let message = match problem {
                TokenProblem::Missing => "Unauthorized: no bearer token",
                TokenProblem::Unknown => {
                    "Unauthorized: the token is not valid for this control plane"
                }
                TokenProblem::Expired => "Unauthorized: the token has expired",
                // [I] the wording: a simulator device (`revoke_tokens_after`) for a token that
                // stops working mid-run (§2: tokens observed to stop after about an hour, S23).
                TokenProblem::Revoked => "Unauthorized: the token has been revoked",
            };
            respond::accounts_error(401, message)
        })
    }
}

/// A page of a list whose request names no `limit`: the legacy client
/// application list's default (§8.14, [C3] S27), taken for API Manager's
/// and Exchange v2's lists too [I].
pub const LIST_DEFAULT_LIMIT: usize = 100;

/// One page of a list: the `offset` and `limit` query parameters the list
/// endpoints take (§8.14). A value that is not a number counts as absent [I].
pub struct Paging {
    pub offset: usize,
    pub limit: usize,
}

impl Paging {
    pub fn of(query: &HashMap<String, String>, default_limit: usize) -> Paging {
        let number = |key: &str| query.get(key).and_then(|v| v.parse::<usize>().ok());
        Paging {
            offset: number("offset").unwrap_or(0),
            limit: number("limit").unwrap_or(default_limit),
        }
    }

    /// At most `max` items a page, whatever the request asks.
    pub fn capped(self, max: usize) -> Paging {
        Paging {
            limit: self.limit.min(max),
            ..self
        }
    }

    pub fn page<I: IntoIterator>(&self, items: I) -> impl Iterator<Item = I::Item> {
        items.into_iter().skip(self.offset).take(self.limit)
    }
}

/// Whether the caller may act with one of `scopes` in `org` (and `env`).
/// An org admin user may do anything in the tenant.
pub fn allowed(
    world: &World,
    caller: &Subject,
    scopes: &[&str],
    org: &str,
    env: Option<&str>,
) -> bool {
    match caller {
        Subject::User { username } => world
            .users
            .iter()
            .any(|u| &u.username == username && u.org_admin),
        // The token's snapshot, not the app's scopes now (see `Subject::App`).
        Subject::App { grants, .. } => holds(grants, scopes, org, env),
    }
}

/// The org a caller belongs to.
pub fn home_org(world: &World, caller: &Subject) -> Option<String> {
    match caller {
        Subject::App { client_id, .. } => world.connected_app(client_id).map(|a| a.org.clone()),
        Subject::User { username } => world
            .users
            .iter()
            .find(|u| &u.username == username)
            .map(|u| u.org.clone()),
    }
}

/// A stable 32-hex-digit id derived from another id (for `clientId` fields).
pub fn derived_id(seed: &str) -> String {
    let hex: String = seed.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    format!("{:0<32}", hex).chars().rev().take(32).collect()
}

pub const AUDIT_DATE: &str = "2026-03-02T10:15:30.123Z";
