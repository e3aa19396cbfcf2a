//! The simulated tenant's identities, which every built world shares (the
//! named scenarios and the generated ones): its app's credentials, the org
//! admin's token, and the pieces grants and environments are made of.

use super::world::{Environment, Grant, Login};

/// The login app's client id and secret, and the org admin's bearer token.
pub const CLIENT_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";
pub const CLIENT_SECRET: &str = "sim-0123456789abcdefFEDCBA9876543210";
pub const ADMIN_TOKEN: &str = "sim-admin-4c1d9a7e-2f3b-4a5c-9d8e-7f6a5b4c3d2e";

pub(crate) const CLIENT_APP_SCOPES: &[&str] = &[
    "manage:org_client_applications",
    "read:org_client_applications",
    "create:client_applications",
];
/// API Manager's scopes, granted per environment: never in a design
/// environment, which API Manager does not manage (§12.1).
pub(crate) const ENV_SCOPES: &[&str] = &[
    "manage:api_contracts",
    "read:api_contracts",
    "manage:apis",
    "read:api_configuration",
];

pub(crate) fn grant(scope: &str, org: Option<&str>, env: Option<&str>) -> Grant {
    Grant {
        scope: scope.into(),
        org: org.map(str::to_string),
        env: env.map(str::to_string),
    }
}

pub(crate) fn env(id: &str, name: &str, kind: &str) -> Environment {
    Environment {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        is_production: kind == "production",
    }
}

/// The login app's client credentials, as `sim` prints them.
pub(crate) fn login() -> Login {
    Login {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        bearer: None,
    }
}
