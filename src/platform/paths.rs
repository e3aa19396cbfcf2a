//! Paths of the platform endpoints the Rust kinds call directly, and the
//! encoding of the ids put into any path. Probe paths live in the check
//! files; these are the ones with logic around them.

use std::borrow::Cow;

/// An id as one path segment: RFC 3986's unreserved characters kept (every
/// real id is made of them: UUIDs, numbers, hex client ids), every other
/// byte percent-encoded. An id the platform or a user supplies cannot add a
/// segment, a query or a fragment to the path, nor put a control character
/// into a URL the doctor prints.
pub fn id(value: &str) -> Cow<'_, str> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if value.bytes().all(unreserved) {
        return Cow::Borrowed(value);
    }
    let mut encoded = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if unreserved(byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Cow::Owned(encoded)
}

pub const TOKEN: &str = "/accounts/api/v2/oauth2/token";
pub const ME: &str = "/accounts/api/me";

pub fn organization(org_id: &str) -> String {
    format!("/accounts/api/organizations/{}", id(org_id))
}

pub fn hierarchy(org_id: &str) -> String {
    format!("/accounts/api/organizations/{}/hierarchy", id(org_id))
}

pub fn environments(org_id: &str) -> String {
    format!("/accounts/api/organizations/{}/environments", id(org_id))
}

/// One Connected App, as an org admin reads it (its org among its fields).
pub fn connected_app(client_id: &str) -> String {
    format!("/accounts/api/connectedApplications/{}", id(client_id))
}

pub fn connected_app_scopes(client_id: &str) -> String {
    format!(
        "/accounts/api/connectedApplications/{}/scopes",
        id(client_id)
    )
}

pub fn org_connected_app_scopes(org_id: &str, client_id: &str) -> String {
    format!(
        "/accounts/api/organizations/{}/connectedApplications/{}/scopes",
        id(org_id),
        id(client_id)
    )
}

/// API Manager's API instances of an environment.
pub fn apis(org_id: &str, env_id: &str) -> String {
    format!(
        "/apimanager/api/v1/organizations/{}/environments/{}/apis",
        id(org_id),
        id(env_id)
    )
}

/// The contracts of one API instance.
pub fn api_contracts(org_id: &str, env_id: &str, api_id: u64) -> String {
    format!("{}/{api_id}/contracts", apis(org_id, env_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_id_is_kept_and_anything_else_is_one_encoded_segment() {
        let uuid = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
        assert!(matches!(id(uuid), Cow::Borrowed(_)));
        assert_eq!(id("a/../b?c#d e\u{1b}"), "a%2F..%2Fb%3Fc%23d%20e%1B");
        assert_eq!(
            connected_app_scopes("x/../../organizations"),
            "/accounts/api/connectedApplications/x%2F..%2F..%2Forganizations/scopes"
        );
    }
}
