//! The minimal next steps after a run: concrete commands filled in with the
//! org, environment and API instance ids found and the flags the user gave
//! (host, client id, secret file, CA file, `--for`), never a secret
//! (credentials stay in `$ANYPOINT_*` variables or the secret file), and
//! only those that can work given the verdicts. Each runs as printed: every
//! value from the platform or the user is one shell word (`shell_word`).
//! An org or environment is named as the user named it, else by its name
//! where that name can only mean it, else by its id: a command a person can
//! read, short enough not to wrap in the middle of an id.

use super::model::{NextStep, Outcome, Status, Target, TargetEnvironment};
use crate::rerun::TokenRequest;
use crate::text::{is_shown_as_code, shell_word};

/// What a suggested command must carry over from the run.
#[derive(Debug, Clone, Default)]
pub struct Carry {
    /// Connection flags the user gave (`rerun::carried_flags`).
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
    /// `--org` as the user gave it, which the commands repeat.
    pub org_given: Option<String>,
    /// Every org `--org` could name (id, name): the root organization, the
    /// app's own and the business groups, to tell whether a name is unique;
    /// empty when `org_given` names it.
    pub orgs: Vec<(String, String)>,
    /// Every environment of the org (id, name), likewise.
    pub environments: Vec<(String, String)>,
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

/// How a command names a thing it finds by id or name (`find_by_id_or_name`):
/// by `name` when that finds this thing and nothing else, as one shell word;
/// else by `id`. A name is not used when another has it too or it is another's
/// id, when `--org`/`--env` would read it as a list (a comma) or a flag (a
/// leading `-`), or when blanks around it would be trimmed away.
fn name_or_id(id: &str, name: &str, known: &[(String, String)]) -> String {
    let clash = known
        .iter()
        .any(|(other_id, other)| other_id != id && (other == name || other_id == name));
    let readable = !name.is_empty()
        && name.trim() == name
        && !name.chars().any(is_shown_as_code)
        && !name.contains(',')
        && !name.starts_with('-')
        && !name.eq_ignore_ascii_case("all");
    shell_word(if readable && !clash { name } else { id })
}

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
    let org = match (&carry.org_given, &target.org_id) {
        (Some(given), _) => Some(shell_word(given)),
        (None, Some(id)) => Some(match &target.org_name {
            Some(name) => name_or_id(id, name, &carry.orgs),
            None => shell_word(id),
        }),
        (None, None) => None,
    };
    let org_flag = org.map(|org| format!(" --org {org}")).unwrap_or_default() + &connection;
    let env_word = |env: &TargetEnvironment| name_or_id(&env.id, &env.name, &carry.environments);

    if auth_broken {
        steps.push(NextStep {
            title: "Fix the credentials, control plane or network path above, then check again"
                .into(),
            command: format!("anypoint-doctor check --select auth -v{connection}{env}"),
        });
        return steps;
    }
    if errored {
        steps.push(NextStep {
            title: "Check again what could not be checked (network, rate limit or server error)"
                .into(),
            command: format!("anypoint-doctor check{org_flag}{env}{for_flag} -v"),
        });
    }
    if !carry.capabilities.is_empty() && failed("capability.") {
        steps.push(NextStep {
            title: "After adding the scopes, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check{for_flag}{org_flag}{env}"),
        });
    } else if failed("scope.") || failed("data.") || failed("deprecated.") {
        steps.push(NextStep {
            title: "After adding the scopes, check again (scopes reach new tokens only)".into(),
            command: format!("anypoint-doctor check --select scope,data,deprecated{org_flag}{env}"),
        });
    }
    if target.root_org_id.is_some() {
        steps.push(NextStep {
            title: "List client applications (root organization); an empty list gets a verdict"
                .into(),
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
        let env_flag = format!(" --env {}", env_word(env));
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
                env_word(env)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn known(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect()
    }

    #[test]
    fn a_name_only_one_thing_has_names_it_else_the_id_does() {
        let orgs = known(&[("o-1", "Example Corp"), ("o-2", "Payments BG")]);
        assert_eq!(name_or_id("o-1", "Example Corp", &orgs), "'Example Corp'");
        assert_eq!(name_or_id("o-2", "Payments BG", &orgs), "'Payments BG'");
        // Another has the name, or the name is another's id.
        let shared = known(&[("o-1", "Corp"), ("o-2", "Corp")]);
        assert_eq!(name_or_id("o-1", "Corp", &shared), "o-1");
        let as_id = known(&[("o-1", "o-2"), ("o-2", "Other")]);
        assert_eq!(name_or_id("o-1", "o-2", &as_id), "o-1");
        // What --org or --env would read otherwise: a list, a flag, `all`, trimmed blanks, controls.
        for name in ["A,B", "-x", "ALL", " Corp", "Corp ", "", "Co\u{1b}rp"] {
            assert_eq!(name_or_id("o-1", name, &[]), "o-1", "{name:?}");
        }
    }

    fn target() -> Target {
        Target {
            host: "https://anypoint.mulesoft.com".into(),
            org_id: Some("9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f".into()),
            org_name: Some("Example Corp".into()),
            root_org_id: Some("9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f".into()),
            client_id: None,
            environments: vec![TargetEnvironment {
                id: "c0ffee00-1111-4222-8333-444455556666".into(),
                name: "Sandbox".into(),
                design: false,
            }],
        }
    }

    #[test]
    fn commands_name_the_org_as_given_else_by_its_name() {
        let by_name = plan(&target(), &[], &Carry::default());
        let apps = by_name
            .iter()
            .find(|s| s.command.starts_with("anypoint-doctor apps"))
            .expect("an apps step");
        assert_eq!(apps.command, "anypoint-doctor apps --org 'Example Corp'");
        let apis = by_name
            .iter()
            .find(|s| s.command.starts_with("anypoint-doctor apis"))
            .expect("an apis step");
        assert!(apis.command.ends_with("--env Sandbox"), "{}", apis.command);
        let given = Carry {
            org_given: Some("9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f".into()),
            ..Carry::default()
        };
        let steps = plan(&target(), &[], &given);
        let with_org: Vec<&str> = steps
            .iter()
            .map(|s| s.command.as_str())
            .filter(|c| c.contains("--org"))
            .collect();
        assert!(with_org.len() >= 3, "{with_org:#?}");
        for command in with_org {
            assert!(
                command.contains("--org 9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f"),
                "{command}"
            );
        }
    }
}
