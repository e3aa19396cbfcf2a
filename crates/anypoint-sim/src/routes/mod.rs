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
mod caller;
mod exchange_assets;
mod exchange_files;
mod exchange_graphql;
mod exchange_maven;
mod exchange_portal;
mod exchange_search;
mod fields;
mod paging;

use axum::Router;
use axum::routing::{get, post};

use super::respond;

// The pieces every service's module shares live in their own files, so that
// no service imports this router; named here as `routes::allowed` and so on.
pub use caller::{Caller, Shared, allowed, home_org};
pub use fields::{AUDIT_DATE, derived_id};
pub use paging::{LIST_DEFAULT_LIMIT, Paging};

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
