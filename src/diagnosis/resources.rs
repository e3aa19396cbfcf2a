//! What the commands read, every page of it within the bounds of
//! `platform::paging`: client applications (in the root organization) and
//! API instances (per environment).

use super::session::{Refusal, Session};
use crate::platform::models::{
    ApiAssetList, ApiInstance, ApplicationList, ClientApplication, ContractList,
};
use crate::platform::paging::{API_INSTANCES, APPLICATIONS, Listing};
use crate::platform::{Request, paths};

const APPS_PAGE: usize = 200;
const APIS_PAGE: usize = 100;

/// The client applications of the root organization, as MuleSoft's guidance lists them.
pub async fn applications(
    session: &Session,
    target_admin_site: bool,
) -> Result<Listing<ClientApplication>, Refusal> {
    let root = paths::id(&session.org().root.id).into_owned();
    let admin = if target_admin_site {
        "&targetAdminSite=true"
    } else {
        ""
    };
    session
        .all_pages(
            |offset| {
                format!(
                    "/apiplatform/repository/v2/organizations/{root}/applications?includeContractsForApiVersion=0&limit={APPS_PAGE}&offset={offset}{admin}"
                )
            },
            |page: ApplicationList| {
                let entries = page.applications.len();
                (page.applications, entries, page.total)
            },
        )
        .await
}

/// The API instances of one environment of the org being checked.
pub async fn api_instances(
    session: &Session,
    env_id: &str,
) -> Result<Listing<ApiInstance>, Refusal> {
    let org = session.org().org.id.clone();
    session
        .all_pages(
            |offset| {
                format!(
                    "{}?limit={APIS_PAGE}&offset={offset}",
                    paths::apis(&org, env_id)
                )
            },
            |page: ApiAssetList| {
                let entries = page.assets.len();
                let instances = page.assets.into_iter().flat_map(|a| a.apis).collect();
                (instances, entries, page.total)
            },
        )
        .await
}

/// Every client application, for a command that looks one up in them.
pub async fn every_application(session: &Session) -> Result<Vec<ClientApplication>, Refusal> {
    whole(applications(session, false).await?, APPLICATIONS)
}

/// Every API instance of one environment, for a command that looks one up in them.
pub async fn every_api_instance(
    session: &Session,
    env_id: &str,
) -> Result<Vec<ApiInstance>, Refusal> {
    whole(api_instances(session, env_id).await?, API_INSTANCES)
}

/// The whole of a listing, for a lookup: a listing a bound stopped cannot
/// tell that something is not there, so it is an answer that could not be
/// read (`what`: the items, plural).
fn whole<T>(listing: Listing<T>, what: &str) -> Result<Vec<T>, Refusal> {
    match listing.cut {
        None => Ok(listing.items),
        Some(cut) => Err(Refusal::Unreadable(format!(
            "the list of {what} is incomplete: {}",
            cut.describe(what)
        ))),
    }
}

/// The contracts of an API instance, from API Manager.
pub async fn contracts(
    session: &Session,
    env_id: &str,
    api_id: u64,
) -> Result<ContractList, Refusal> {
    let org = session.org().org.id.clone();
    let path = format!("{}?limit=500", paths::api_contracts(&org, env_id, api_id));
    let answer = session.send(&Request::get(path)).await;
    Refusal::check(&answer)?
        .json()
        .map_err(|e| Refusal::Unreadable(e.to_string()))
}
