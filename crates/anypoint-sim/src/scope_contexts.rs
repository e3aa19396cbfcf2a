//! The context each scope is granted in, so that a scope change naming an
//! unknown scope, or a context its scope does not take, can be refused.
//!
//! The table follows the scope catalogue of the reference (§7, identifiers
//! from mulesoft/terraform-provider-anypoint internal/constants/scopes.go).
//! It is the simulator's own, not the doctor's `scopes/scopes.toml`, so that
//! the simulator does not depend on the doctor.

/// Which `context_params` a scope takes (§7: none, org, org+env).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// No business group or environment: `"context_params": {}`.
    None,
    /// A business group: `org`. The "root org" scopes (Application Creator,
    /// Manage and View Client Applications) are org scopes here: the platform
    /// lets them be granted in a business group too, where they do not work
    /// (the `business-group-org` scenario) [I].
    Org,
    /// A business group and one of its environments: `org` and `envId`.
    Env,
}

/// Every scope a connected app may be granted through the API. Left out [I]:
/// Application Owner (`manage:client_application`, whose context names one
/// client application, §7) and `create:suborgs` (yaac: cannot be assigned
/// through the API, §7).
const CONTEXTS: &[(&str, Context)] = &[
    ("full", Context::None),
    ("read:full", Context::None),
    ("offline_access", Context::None),
    ("profile", Context::None),
    ("openid", Context::None),
    ("email", Context::None),
    ("create:client_applications", Context::Org),
    ("read:client_applications", Context::Org),
    ("manage:org_client_applications", Context::Org),
    ("read:org_client_applications", Context::Org),
    ("manage:api_contracts", Context::Env),
    ("read:api_contracts", Context::Env),
    ("manage:api_contracts_all_envs", Context::Org),
    ("manage:api_configuration", Context::Env),
    ("read:api_configuration", Context::Env),
    ("manage:apis", Context::Env),
    ("view:all_envs", Context::Org),
    ("admin:api_manager", Context::Org),
    ("manage:api_policies", Context::Env),
    ("read:api_policies", Context::Env),
    ("read:api_policies_all_envs", Context::Org),
    ("manage:api_proxies", Context::Env),
    ("manage:api_groups", Context::Env),
    ("manage:api_alerts", Context::Env),
    ("read:api_alerts", Context::Env),
    ("manage:exchange", Context::Org),
    ("edit:exchange", Context::Org),
    ("create:exchange", Context::Org),
    ("read:exchange", Context::Org),
    ("read:organization", Context::Org),
    ("edit:organization", Context::Org),
    ("view:environment", Context::Env),
    ("edit:environment", Context::Env),
    ("create:environment", Context::Org),
    ("read:orgenvironments", Context::Org),
    ("read:orgconnapps", Context::Org),
    ("read:audit_logs", Context::Org),
    ("aeh_admin", Context::Org),
];

/// The context `scope` takes; None for a scope the platform does not know.
pub fn of(scope: &str) -> Option<Context> {
    CONTEXTS
        .iter()
        .find(|(id, _)| *id == scope)
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::SCENARIOS;

    /// A scenario granting a scope in a context the table refuses would make a
    /// PUT of the app's own list fail: the table and the scenarios must agree.
    #[test]
    fn every_scenario_grant_is_in_a_context_its_scope_takes() {
        for scenario in SCENARIOS {
            for app in scenario.world().connected_apps {
                for grant in app.scopes {
                    let wanted = match (&grant.org, &grant.env) {
                        (None, None) => Context::None,
                        (Some(_), None) => Context::Org,
                        (Some(_), Some(_)) => Context::Env,
                        (None, Some(_)) => panic!("{}: {grant:?}", scenario.name),
                    };
                    assert_eq!(
                        of(&grant.scope),
                        Some(wanted),
                        "{}: {grant:?}",
                        scenario.name
                    );
                }
            }
        }
        assert_eq!(of("no:such_scope"), None);
    }
}
