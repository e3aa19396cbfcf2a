//! Paths of the platform endpoints the Rust kinds call directly. Probe paths
//! live in the check files; these are the ones with logic around them.

pub const TOKEN: &str = "/accounts/api/v2/oauth2/token";
pub const ME: &str = "/accounts/api/me";

pub fn organization(org_id: &str) -> String {
    format!("/accounts/api/organizations/{org_id}")
}

pub fn hierarchy(org_id: &str) -> String {
    format!("/accounts/api/organizations/{org_id}/hierarchy")
}

pub fn environments(org_id: &str) -> String {
    format!("/accounts/api/organizations/{org_id}/environments")
}

/// One Connected App, as an org admin reads it (its org among its fields).
pub fn connected_app(client_id: &str) -> String {
    format!("/accounts/api/connectedApplications/{client_id}")
}

pub fn connected_app_scopes(client_id: &str) -> String {
    format!("/accounts/api/connectedApplications/{client_id}/scopes")
}

pub fn org_connected_app_scopes(org_id: &str, client_id: &str) -> String {
    format!("/accounts/api/organizations/{org_id}/connectedApplications/{client_id}/scopes")
}

/// API Manager's API instances of an environment.
pub fn apis(org_id: &str, env_id: &str) -> String {
    format!("/apimanager/api/v1/organizations/{org_id}/environments/{env_id}/apis")
}

/// The contracts of one API instance.
pub fn api_contracts(org_id: &str, env_id: &str, api_id: u64) -> String {
    format!("{}/{api_id}/contracts", apis(org_id, env_id))
}
