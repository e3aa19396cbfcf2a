//! Who is calling: the caller behind a request's bearer token, the org it
//! belongs to, and whether it may act with a scope. Every service's module
//! asks here.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Response;

use crate::respond;
use crate::state::{SimState, Subject, TokenProblem};
use crate::world::{World, holds};

/// The simulator's state as every handler receives it.
pub type Shared = Arc<SimState>;

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
