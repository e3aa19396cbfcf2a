//! `needs`: least privilege from what automation actually does. The
//! requests seen in traffic or scripts are matched to the endpoint
//! catalogue (`endpoints`), each to the scope it needs in the business
//! group and environment its ids name, and the set is reduced to the
//! narrowest scopes that allow every request (`least`).

pub mod analysis;
pub mod endpoints;
pub mod gather;
pub mod judged;
pub mod least;
pub mod mapping;
pub mod plan;
pub mod refused;
pub mod render;
pub mod scripts;
pub mod told;

use serde::Serialize;

use crate::doctor::spec::ScopeContext;
use endpoints::{Endpoint, Need};

/// A request seen in traffic or a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    /// The path alone, without host or query.
    pub path: String,
    pub query: Vec<(String, String)>,
    /// Where it was seen: a file and an entry, item or line.
    pub at: String,
    /// The ids its body names (`organizationId`, `environmentId`).
    pub body_ids: Vec<(String, String)>,
    /// A GraphQL request's operation (its name, else its first field), to tell one from another.
    pub operation: Option<String>,
    /// What a recording (a HAR) shows of it besides; empty for scripts and collections.
    pub recorded: Recorded,
}

/// What a HAR shows of a request beyond the request: its answer, and the
/// token it carried (never the token: when and where it was obtained).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub answer: Option<crate::traffic::Answer>,
    /// Whether it carried a bearer token; None when the file cannot tell.
    pub bearer: Option<crate::traffic::Bearer>,
    /// The token it carried, as the HAR shows it obtained.
    pub token: Option<crate::traffic::TokenSeen>,
    /// The host it went to.
    pub host: Option<String>,
    /// When it was sent (RFC 3339, as the HAR writes it).
    pub started: Option<String>,
}

/// Where a scope is needed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// A scope bound to no business group or environment.
    Anywhere,
    /// The root organization (named by the request's org id).
    RootOrg { org: String },
    /// A business group.
    Org { org: String },
    /// An environment of a business group.
    Env { org: String, env: String },
    /// A context the request does not name: a search across business groups.
    Unnamed { context: ScopeContext },
}

impl Target {
    /// The targets of a scope bound to `context`, from a request's ids: the
    /// org is `orgId` (or an Exchange asset's `groupId`), else each
    /// organization the query names (`organizationId(s)`, repeated or
    /// comma-separated: a search needs the scope in each), or a GraphQL
    /// search's `variables.organizationIds`; the environment
    /// is `envId`. When the path names no environment and the body does
    /// (`environmentId`), the body's environment counts, in the body's
    /// `organizationId` when it names one (an environment is its org's).
    pub fn all_of(context: ScopeContext, ids: &[(String, String)], seen: &Seen) -> Vec<Target> {
        // A value a script or a collection leaves as a variable (`{orgId}`,
        // `{{orgId}}`, `:orgId`) names no place: absent, not an id.
        let literal = |v: &&str| !v.is_empty() && !v.contains('{') && !v.starts_with(':');
        let all = |names: &[&str], pairs: &[(String, String)]| -> Vec<String> {
            let mut found: Vec<String> = Vec::new();
            for (_, value) in pairs.iter().filter(|(k, _)| names.contains(&k.as_str())) {
                for one in value.split(',').map(str::trim).filter(literal) {
                    if !found.iter().any(|f| f == one) {
                        found.push(one.to_string());
                    }
                }
            }
            found
        };
        let first =
            |names: &[&str], pairs: &[(String, String)]| all(names, pairs).into_iter().next();
        let mut orgs = match first(&["orgId", "groupId"], ids) {
            Some(org) => vec![org],
            None => {
                let queried = all(&["organizationId", "organizationIds"], &seen.query);
                if queried.is_empty() {
                    all(&["organizationIds"], &seen.body_ids)
                } else {
                    queried
                }
            }
        };
        let mut env = first(&["envId"], ids);
        if env.is_none() && context == ScopeContext::Env {
            env = first(&["environmentId"], &seen.body_ids);
            if let (Some(_), Some(org)) = (&env, first(&["organizationId"], &seen.body_ids)) {
                orgs = vec![org];
            }
        }
        if orgs.is_empty() || context == ScopeContext::None {
            return vec![Target::of_place(context, None, env)];
        }
        orgs.into_iter()
            .map(|org| Target::of_place(context, Some(org), env.clone()))
            .collect()
    }

    fn of_place(context: ScopeContext, org: Option<String>, env: Option<String>) -> Target {
        match (context, org, env) {
            (ScopeContext::None, _, _) => Target::Anywhere,
            (ScopeContext::RootOrg, Some(org), _) => Target::RootOrg { org },
            (ScopeContext::Org, Some(org), _) => Target::Org { org },
            (ScopeContext::Env, Some(org), Some(env)) => Target::Env { org, env },
            (context, _, _) => Target::Unnamed { context },
        }
    }
}

/// A request matched to the endpoint it is.
#[derive(Debug, Clone)]
pub struct Matched<'a> {
    pub seen: &'a Seen,
    pub endpoint: &'a Endpoint,
    /// The template's ids, by name.
    pub ids: Vec<(String, String)>,
    pub need: Need,
}
