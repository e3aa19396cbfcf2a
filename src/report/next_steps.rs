//! The minimal next steps after a run: concrete commands filled in with the
//! org, environment and API instance ids found and the flags the user gave
//! (host, client id, secret file, CA file, `--for`), never a secret
//! (credentials stay in `$ANYPOINT_*` variables or the secret file), and
//! only those that can work given the verdicts. Each runs as printed: every
//! value from the platform or the user is one shell word (`shell_word`).

use super::model::{NextStep, Outcome, Status, Target, TargetEnvironment};
use crate::settings::TokenRequest;
use crate::text::shell_word;

/// What a suggested command must carry over from the run.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    /// Connection flags the user gave (`Settings::carried_flags`).
    pub flags: Vec<String>,
    /// ` --env A,B` when the user chose environments, for a check run again.
    pub env_flag: String,
    /// The capabilities `--for` named.
    pub capabilities: Vec<String>,
    /// An API instance id each environment listed, by environment name.
    pub api_instances: Vec<(String, String)>,
    /// How a shell names the app's credentials, for a token request with
    /// curl; none when the run had a ready-made token.
    pub token_request: Option<TokenRequest>,
}

impl Carry {
    /// ` --for A,B`, or nothing.
    pub fn for_flag(&self) -> String {
        if self.capabilities.is_empty() {
            String::new()
        } else {
            format!(" --for {}", self.capabilities.join(","))
        }
    }
}

/// The app name the suggested create and contract share.
const EXAMPLE_APP: &str = "my-client-app";

pub fn plan(target: &Target, outcomes: &[Outcome], carry: &Carry) -> Vec<NextStep> {
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
    let for_flag = carry.for_flag();
    let env = &carry.env_flag;
    let auth_broken = outcomes
        .iter()
        .any(|o| o.id.starts_with("auth.") && matches!(o.status, Status::Fail | Status::Error));
    let errored = outcomes.iter().any(|o| o.status == Status::Error);
    let mut steps = Vec::new();
    let host = target.host.trim_end_matches('/');
    let org_flag = target
        .org_id
        .as_ref()
        .map(|id| format!(" --org {}", shell_word(id)))
        .unwrap_or_default()
        + &connection;

    if auth_broken {
        steps.push(NextStep {
            title: "Fix the credentials, the control plane or the network path (see the first rows), then check again".into(),
            command: format!("anypoint-doctor check --select auth -v{connection}{env}"),
        });
        return steps;
    }
    if errored {
        steps.push(NextStep {
            title:
                "Some checks could not run (network, rate limit or server error): run them again"
                    .into(),
            command: format!("anypoint-doctor check{org_flag}{env}{for_flag} -v"),
        });
    }
    if !carry.capabilities.is_empty() && failed("capability.") {
        steps.push(NextStep {
            title: "After adding the scopes in Access Management, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check{for_flag}{org_flag}{env}"),
        });
    } else if failed("scope.") || failed("data.") || failed("deprecated.") {
        steps.push(NextStep {
            title: "After adding the scopes in Access Management, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check --select scope,data,deprecated{org_flag}{env}"),
        });
    }
    if target.root_org_id.is_some() {
        steps.push(NextStep {
            title: "List client applications (in the root organization), with a verdict on an empty list".into(),
            command: format!("anypoint-doctor apps{org_flag}"),
        });
    }
    // Show the listing in an environment where nothing failed, one that
    // lists an instance first; never a design one, which API Manager does
    // not manage (reference §12.1), so its checks leave no failure there.
    let working = |env: &&TargetEnvironment| {
        !env.design
            && !outcomes
                .iter()
                .any(|o| o.target.as_deref() == Some(env.name.as_str()) && o.status == Status::Fail)
    };
    let lists_one = |env: &&TargetEnvironment| {
        carry
            .api_instances
            .iter()
            .any(|(name, _)| *name == env.name)
    };
    let working_env = target
        .environments
        .iter()
        .filter(working)
        .find(lists_one)
        .or_else(|| target.environments.iter().find(working));
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
            title: "Create a client application (name it as you like; --dry-run shows the request without sending it)".into(),
            command: format!("anypoint-doctor create app --name {EXAMPLE_APP}{org_flag}"),
        });
    }
    // A contract with an instance the run listed, where nothing refused it.
    let contract = target.environments.iter().find_map(|env| {
        let place = Some(env.name.as_str());
        let usable = !failed_at("scope.manage-contracts", place)
            && !failed_at("capability.create-contract", place)
            && !failed_at("scope.view-apis-configuration", place);
        let (_, api) = carry
            .api_instances
            .iter()
            .find(|(name, _)| usable && *name == env.name)?;
        Some((env, api))
    });
    if let Some((env, api)) = contract.filter(|_| can_create_apps) {
        steps.push(NextStep {
            title: format!(
                "Then its contract with API instance {api} in {} (the apis step lists the others)",
                env.name
            ),
            command: format!(
                "anypoint-doctor create contract --app {EXAMPLE_APP} --api {}{org_flag} --env {}",
                shell_word(api),
                shell_word(&env.name)
            ),
        });
    }
    if let Some(token) = &carry.token_request {
        let cacert = token
            .ca_file
            .as_ref()
            .map(|path| format!(" --cacert {}", shell_word(path)))
            .unwrap_or_default();
        steps.push(NextStep {
            title: "Or call the platform yourself: a token for curl (needs jq)".into(),
            command: format!(
                "export ANYPOINT_TOKEN=$(curl -s{cacert} {} -d grant_type=client_credentials --data-urlencode \"client_id={}\" --data-urlencode \"client_secret={}\" | jq -r .access_token)",
                shell_word(&format!("{host}/accounts/api/v2/oauth2/token")),
                token.client_id,
                token.client_secret
            ),
        });
    }
    steps
}
