//! The minimal next steps after a run: concrete commands filled in with the
//! org and environment ids found and the flags the user gave (host, client
//! id, secret file, CA file, `--for`), never a secret (credentials stay in
//! `$ANYPOINT_*` variables or the secret file), and only those that can
//! work given the verdicts.

use super::model::{NextStep, Outcome, Status, Target};
use crate::settings::shell_word;

/// What a suggested command must carry over from the run.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    /// Connection flags the user gave (`Settings::carried_flags`).
    pub flags: Vec<String>,
    /// The capabilities `--for` named.
    pub capabilities: Vec<String>,
}

pub fn plan(
    target: &Target,
    outcomes: &[Outcome],
    client_credentials: bool,
    carry: &Carry,
) -> Vec<NextStep> {
    let failed = |prefix: &str| {
        outcomes
            .iter()
            .any(|o| o.id.starts_with(prefix) && o.status == Status::Fail)
    };
    // Whether a check failed for a place (an environment, an org), or at all.
    let failed_at = |id: &str, place: Option<&str>| {
        outcomes.iter().any(|o| {
            o.id == id
                && o.status == Status::Fail
                && place.is_none_or(|p| o.target.as_deref() == Some(p))
        })
    };
    let connection: String = carry.flags.iter().map(|f| format!(" {f}")).collect();
    let for_flag = if carry.capabilities.is_empty() {
        String::new()
    } else {
        format!(" --for {}", carry.capabilities.join(","))
    };
    let auth_broken = outcomes
        .iter()
        .any(|o| o.id.starts_with("auth.") && matches!(o.status, Status::Fail | Status::Error));
    let errored = outcomes.iter().any(|o| o.status == Status::Error);
    let mut steps = Vec::new();
    let host = target.host.trim_end_matches('/');
    let org_flag = target
        .org_id
        .as_ref()
        .map(|id| format!(" --org {id}"))
        .unwrap_or_default()
        + &connection;

    if auth_broken {
        steps.push(NextStep {
            title: "Fix the credentials, the control plane or the network path (see the first rows), then check again".into(),
            command: format!("anypoint-doctor check --select auth -v{connection}"),
        });
        return steps;
    }
    if errored {
        steps.push(NextStep {
            title:
                "Some checks could not run (network, rate limit or server error): run them again"
                    .into(),
            command: format!("anypoint-doctor check{org_flag}{for_flag} -v"),
        });
    }
    if !carry.capabilities.is_empty() && failed("capability.") {
        steps.push(NextStep {
            title: "After adding the scopes in Access Management, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check{for_flag}{org_flag}"),
        });
    } else if failed("scope.") || failed("data.") || failed("deprecated.") {
        steps.push(NextStep {
            title: "After adding the scopes in Access Management, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check --select scope,data,deprecated{org_flag}"),
        });
    }
    if target.root_org_id.is_some() {
        steps.push(NextStep {
            title: "List client applications (in the root organization), with a verdict on an empty list".into(),
            command: format!("anypoint-doctor apps{org_flag}"),
        });
    }
    // Show the listing in an environment where nothing failed, if there is one.
    let working_env = target.environments.iter().find(|env| {
        !outcomes
            .iter()
            .any(|o| o.target.as_deref() == Some(env.name.as_str()) && o.status == Status::Fail)
    });
    if let Some(env) = working_env {
        let env_flag = format!(" --env {}", shell_word(&env.name));
        steps.push(NextStep {
            title: format!(
                "List API instances in {} (API Manager, not the retired Exchange v1 path)",
                env.name
            ),
            command: format!("anypoint-doctor apis{org_flag}{env_flag}"),
        });
    }
    // Creates only where the verdicts let them work.
    let can_create_apps = !failed_at("scope.manage-client-applications", None)
        && !failed_at("capability.create-client-application", None);
    if can_create_apps {
        steps.push(NextStep {
            title:
                "Create a client application (--dry-run shows the exact request without sending it)"
                    .into(),
            command: format!("anypoint-doctor create app --name my-client-app{org_flag} --dry-run"),
        });
    }
    let contract_env = target.environments.iter().find(|env| {
        let place = Some(env.name.as_str());
        !failed_at("scope.manage-contracts", place)
            && !failed_at("capability.create-contract", place)
            && !failed_at("scope.view-apis-configuration", place)
    });
    if let Some(env) = contract_env.filter(|_| can_create_apps) {
        steps.push(NextStep {
            title: format!(
                "Then a contract with one of the API instances in {}",
                env.name
            ),
            command: format!(
                "anypoint-doctor create contract --app my-client-app --api <API instance id>{org_flag} --env {}",
                shell_word(&env.name)
            ),
        });
    }
    if client_credentials {
        steps.push(NextStep {
            title: "Or call the platform yourself: a token for curl".into(),
            command: format!(
                "export ANYPOINT_TOKEN=$(curl -s -X POST {host}/accounts/api/v2/oauth2/token -H 'Content-Type: application/json' -d \"{{\\\"grant_type\\\":\\\"client_credentials\\\",\\\"client_id\\\":\\\"$ANYPOINT_CLIENT_ID\\\",\\\"client_secret\\\":\\\"$ANYPOINT_CLIENT_SECRET\\\"}}\" | jq -r .access_token)"
            ),
        });
    }
    steps
}
