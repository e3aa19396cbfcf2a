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
    if client_credentials {
        steps.push(NextStep {
            title: "Get a token for your own calls".into(),
            command: format!(
                "export ANYPOINT_TOKEN=$(curl -s -X POST {host}/accounts/api/v2/oauth2/token -H 'Content-Type: application/json' -d \"{{\\\"grant_type\\\":\\\"client_credentials\\\",\\\"client_id\\\":\\\"$ANYPOINT_CLIENT_ID\\\",\\\"client_secret\\\":\\\"$ANYPOINT_CLIENT_SECRET\\\"}}\" | jq -r .access_token)"
            ),
        });
    }
    if let Some(root) = &target.root_org_id {
        steps.push(NextStep {
            title: "List client applications (always with the root organization's id)".into(),
            command: format!(
                "curl -s -H \"Authorization: Bearer $ANYPOINT_TOKEN\" '{host}/apiplatform/repository/v2/organizations/{root}/applications?includeContractsForApiVersion=0&limit=200'"
            ),
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
    if let (Some(org), Some(env)) = (&target.org_id, working_env) {
        steps.push(NextStep {
            title: format!("List API instances in {} (API Manager; not the retired Exchange v1 path)", env.name),
            command: format!(
                "curl -s -H \"Authorization: Bearer $ANYPOINT_TOKEN\" '{host}/apimanager/api/v1/organizations/{org}/environments/{}/apis'",
                env.id
            ),
        });
    }
    if let Some(root) = &target.root_org_id {
        steps.push(NextStep {
            title: "Create a client application through Exchange v2 (needs Manage Client Applications)".into(),
            command: format!(
                "curl -s -X POST -H \"Authorization: Bearer $ANYPOINT_TOKEN\" -H 'Content-Type: application/json' '{host}/exchange/api/v2/organizations/{root}/applications' -d '{{\"name\": \"my-client-app\", \"description\": \"\", \"redirectUri\": [], \"apiEndpoints\": false}}'"
            ),
        });
    }
    steps
}
