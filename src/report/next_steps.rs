//! The minimal next steps after a run: concrete commands filled in with the
//! org and environment ids found, never a secret (credentials stay in
//! `$ANYPOINT_*` variables).

use super::model::{NextStep, Outcome, Status, Target};

pub fn plan(target: &Target, outcomes: &[Outcome], client_credentials: bool) -> Vec<NextStep> {
    let failed = |prefix: &str| {
        outcomes
            .iter()
            .any(|o| o.id.starts_with(prefix) && matches!(o.status, Status::Fail | Status::Warn))
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
        .unwrap_or_default();

    if auth_broken {
        steps.push(NextStep {
            title: "Fix the credentials, the control plane or the network path (see the first rows), then check again".into(),
            command: "anypoint-doctor check --select auth -v".into(),
        });
        return steps;
    }
    if errored {
        steps.push(NextStep {
            title:
                "Some checks could not run (network, rate limit or server error): run them again"
                    .into(),
            command: format!("anypoint-doctor check{org_flag} -v"),
        });
    }
    if failed("scope.") || failed("data.") || failed("deprecated.") {
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
    let working_env = target
        .environments
        .iter()
        .find(|env| {
            !outcomes
                .iter()
                .any(|o| o.target.as_deref() == Some(env.name.as_str()) && o.status == Status::Fail)
        })
        .or(target.environments.first());
    if let Some(env) = working_env {
        let env_flag = format!(" --env {}", shell_word(&env.name));
        steps.push(NextStep {
            title: format!(
                "List API instances in {} (API Manager, not the retired Exchange v1 path)",
                env.name
            ),
            command: format!("anypoint-doctor apis{org_flag}{env_flag}"),
        });
        steps.push(NextStep {
            title:
                "Create a client application (--dry-run shows the exact request without sending it)"
                    .into(),
            command: format!("anypoint-doctor create app --name my-client-app{org_flag} --dry-run"),
        });
        steps.push(NextStep {
            title: "Then a contract with one of those API instances".into(),
            command: format!(
                "anypoint-doctor create contract --app my-client-app --api <API instance id>{org_flag}{env_flag}"
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

/// A name as one shell word.
fn shell_word(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}
