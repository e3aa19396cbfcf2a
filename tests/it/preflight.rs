//! The pre-flight gate (`check --for`): it opens only on proof, and in every
//! scenario it agrees with what the calls it stands for do: `check --for X`
//! exits 0 exactly when the tool's own command for X (or, where the tool
//! has none, the call itself) succeeds in that world.

use serde_json::{Value, json};

use crate::support::IN_FLIGHT;
use crate::support::api::Api;
use crate::support::bin::{Run, doctor_async};
use crate::support::sim::scenarios::{ROOT_ORG, SCENARIOS};
use crate::support::sim::{World, world};

/// `args` as the world's Connected App, against `api`'s simulator.
async fn doctor(api: &Api, world: &World, args: &[&str]) -> Run {
    doctor_with(api, world, &[], args).await
}

/// `doctor`, with these variables besides.
async fn doctor_with(api: &Api, world: &World, extra: &[(&str, &str)], args: &[&str]) -> Run {
    let mut env = vec![
        ("ANYPOINT_HOST", api.running.base_url.as_str()),
        ("ANYPOINT_CLIENT_ID", world.login.client_id.as_str()),
        ("ANYPOINT_CLIENT_SECRET", world.login.client_secret.as_str()),
    ];
    env.extend_from_slice(extra);
    doctor_async(args, &env).await
}

/// Scenarios whose point is transport rather than permission: added
/// latency, a 429 that asks for 30 s, and one-off faults, which answer
/// whichever request comes first (a create is rightly not resent after a
/// reset). The fault and pacing tests cover them; their scopes are
/// `healthy`'s.
const TRANSPORT_SCENARIOS: [&str; 4] = ["slow", "rate-limited", "flaky-network", "am-throttled"];

/// The scenarios whose permissions the gate is held against.
fn permission_scenarios() -> impl Iterator<Item = &'static str> {
    SCENARIOS
        .iter()
        .map(|s| s.name)
        .filter(|name| !TRANSPORT_SCENARIOS.contains(name))
}

/// The org the world's Connected App belongs to, which `check` checks.
fn app_org(world: &World) -> String {
    world
        .connected_app(&world.login.client_id)
        .map_or(ROOT_ORG.to_string(), |a| a.org.clone())
}

/// `check --for capability [--env env] --format json`, and its gate.
async fn gate(api: &Api, world: &World, capability: &str, env: Option<&str>) -> (Run, Value) {
    let mut args = vec!["check", "--for", capability, "--format", "json"];
    if let Some(env) = env {
        args.extend(["--env", env]);
    }
    let run = doctor(api, world, &args).await;
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, report)
}

fn proofs(report: &Value) -> Vec<&str> {
    report["preflight"]["needs"]
        .as_array()
        .map(|needs| needs.iter().filter_map(|n| n["proof"].as_str()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_gate_stays_closed_where_contracts_cannot_be_created() {
    let world = world("typical-mistakes");
    let api = Api::start(world.clone()).await;
    let (run, report) = gate(&api, &world, "create-contract", Some("Production")).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(report["preflight"]["gate"], "closed", "{run:#?}");
    // Production lists no instance to this app; aimed at one that does not
    // exist, the contract request is refused (403), which only a missing
    // scope explains, whichever the platform checks first.
    assert_eq!(proofs(&report), ["disproven"], "{run:#?}");
    // The tool's own create is refused there too.
    let create = doctor(
        &api,
        &world,
        &[
            "create",
            "contract",
            "--app",
            "2349040",
            "--api",
            "18972611",
            "--env",
            "Production",
        ],
    )
    .await;
    assert_ne!(create.code, 0, "{create:#?}");
    // --allow-unproven lets through what cannot be proven, never what is disproven.
    let allowed = doctor(
        &api,
        &world,
        &[
            "check",
            "--for",
            "create-contract",
            "--env",
            "Production",
            "--allow-unproven",
        ],
    )
    .await;
    assert_eq!(allowed.code, 1, "{allowed:#?}");
    assert!(
        allowed.stdout.contains("Pre-flight: closed"),
        "{allowed:#?}"
    );
}

#[tokio::test]
async fn the_gate_opens_on_a_healthy_org_without_an_admin_token() {
    let world = world("healthy");
    let api = Api::start(world.clone()).await;
    for env in ["Sandbox", "Production"] {
        let (run, report) = gate(&api, &world, "create-contract", Some(env)).await;
        assert_eq!(run.code, 0, "{run:#?}");
        assert_eq!(report["preflight"]["gate"], "open", "{run:#?}");
        assert_eq!(proofs(&report), ["proven"], "{run:#?}");
        assert_eq!(report["summary"]["warn"], 0, "{run:#?}");
    }
    // A healthy org is quiet: not one warning, even when warnings fail the run.
    let quiet = doctor(&api, &world, &["check", "--fail-on", "warn"]).await;
    assert_eq!(quiet.code, 0, "{quiet:#?}");
    assert!(!quiet.stdout.contains("! "), "{}", quiet.stdout);
}

#[tokio::test]
async fn an_unproven_need_closes_the_gate_unless_let_through_on_purpose() {
    // Application Creator lists only the app's own applications: whether it
    // sees the others cannot be told without an org admin's token.
    let world = world("application-creator");
    let api = Api::start(world.clone()).await;
    let (run, report) = gate(&api, &world, "list-client-applications", None).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(proofs(&report), ["unproven"], "{run:#?}");
    let plan = doctor(&api, &world, &["fix", "--for", "list-client-applications"]).await;
    assert!(
        plan.stdout.contains(
            "+ read:org_client_applications  org=Example Corp\n    may already be granted"
        ),
        "{plan:#?}"
    );
    let allowed = doctor(
        &api,
        &world,
        &[
            "check",
            "--for",
            "list-client-applications",
            "--allow-unproven",
        ],
    )
    .await;
    assert_eq!(allowed.code, 0, "{allowed:#?}");
    assert!(
        allowed.stdout.contains("let through by --allow-unproven"),
        "{allowed:#?}"
    );
}

/// What a capability's own call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    Works,
    Fails,
    /// It answered, but what it answered cannot be told from a refusal: an
    /// empty API instance list may be what a missing View APIs Configuration
    /// looks like on the platform (reference §8.5, inferred).
    Unknowable,
}

/// What a capability's own call does in `env` (None: not env-bound), as the
/// tool's command, or the call itself where the tool has no command for it.
async fn call(api: &Api, world: &World, capability: &str, env: Option<&str>) -> Truth {
    if capability == "list-api-instances" {
        let env = env.expect("an environment");
        let run = doctor(api, world, &["apis", "--env", env, "--format", "json"]).await;
        if run.code != 0 {
            return Truth::Fails;
        }
        let listed: Value = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
        // A bare array of the instances listed.
        let none = listed.as_array().is_some_and(Vec::is_empty);
        return if none {
            Truth::Unknowable
        } else {
            Truth::Works
        };
    }
    if succeeds(api, world, capability, env).await {
        Truth::Works
    } else {
        Truth::Fails
    }
}

/// Whether the call succeeds, for the capabilities whose answer is yes or no.
async fn succeeds(api: &Api, world: &World, capability: &str, env: Option<&str>) -> bool {
    let env_id = env.and_then(|name| {
        world
            .orgs()
            .into_iter()
            .flat_map(|o| &o.environments)
            .find(|e| e.name == name)
            .map(|e| e.id.clone())
    });
    let org = app_org(world);
    let token = api
        .token_for(&world.login.client_id, &world.login.client_secret)
        .await;
    let token = token
        .status
        .is_success()
        .then(|| token.json()["access_token"].as_str().map(str::to_string))
        .flatten();
    match capability {
        "list-client-applications" => doctor(api, world, &["apps"]).await.code == 0,
        "create-client-application" => {
            doctor(api, world, &["create", "app", "--name", "matrix-app"])
                .await
                .code
                == 0
        }
        "read-org" => {
            let Some(token) = token else { return false };
            let paths = [
                format!("/accounts/api/organizations/{org}"),
                format!("/accounts/api/organizations/{org}/hierarchy"),
                format!("/accounts/api/organizations/{org}/environments"),
            ];
            for path in paths {
                if !api.get(&path, Some(&token)).await.status.is_success() {
                    return false;
                }
            }
            true
        }
        "create-api-instance" => {
            let (Some(token), Some(env)) = (token, env_id) else {
                return false;
            };
            let body =
                json!({"spec": {"groupId": org, "assetId": "matrix-api", "version": "1.0.0"}});
            let path = format!("/apimanager/api/v1/organizations/{org}/environments/{env}/apis");
            api.post_json(&path, Some(&token), &body)
                .await
                .status
                .is_success()
        }
        "create-contract" => {
            let (Some(token), Some(env)) = (token, env_id) else {
                return false;
            };
            // As automation does (reference §9): find the instance in the
            // environment's list, then ask for the contract.
            let list = format!("/apimanager/api/v1/organizations/{org}/environments/{env}/apis");
            let listed = api.get(&list, Some(&token)).await;
            if !listed.status.is_success() {
                return false;
            }
            let Some(api_id) = listed.json()["assets"][0]["apis"][0]["id"].as_u64() else {
                return false;
            };
            let Some(application) = world.client_applications.iter().find(|a| {
                !world
                    .contracts
                    .iter()
                    .any(|c| c.api_id == api_id && c.application_id == a.id)
            }) else {
                return false;
            };
            let body = json!({"applicationId": application.id});
            api.post_json(&format!("{list}/{api_id}/contracts"), Some(&token), &body)
                .await
                .status
                .is_success()
        }
        other => panic!("no ground truth for capability {other}: add one"),
    }
}

/// For every capability and every scenario, the gate opens exactly when the
/// capability's own call succeeds, and when what the call answered cannot be
/// told from a refusal, the gate says "unproven": each cell on two fresh
/// simulators of the world, one for the gate and one for the call.
#[tokio::test]
async fn check_for_agrees_with_the_call_in_every_scenario() {
    use futures::StreamExt;
    let catalogue = anypoint_doctor::doctor::catalogue::Catalogue::get();
    let mut cells: Vec<(&str, World, &str, Option<String>)> = Vec::new();
    for name in permission_scenarios() {
        let world = world(name);
        let envs: Vec<String> = world
            .org(&app_org(&world))
            .map(|o| {
                o.environments
                    .iter()
                    .filter(|e| !e.is_design())
                    .map(|e| e.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        for capability in catalogue.capability_ids() {
            let env_bound = catalogue
                .capability(capability)
                .is_some_and(|c| c.context == anypoint_doctor::doctor::spec::ScopeContext::Env);
            let targets: Vec<Option<String>> = if env_bound {
                envs.iter().cloned().map(Some).collect()
            } else {
                vec![None]
            };
            for env in targets {
                cells.push((name, world.clone(), capability, env));
            }
        }
    }
    // The cells are independent (fresh simulators each): several at once.
    let disagreements: Vec<String> = futures::stream::iter(&cells)
        .map(|(name, world, capability, env)| async move {
            let env = env.as_deref();
            let (gated, called) =
                tokio::join!(Api::start(world.clone()), Api::start(world.clone()));
            // The gate and the call, each on a simulator of its own, at once.
            let ((run, report), truth) = tokio::join!(
                gate(&gated, world, capability, env),
                call(&called, world, capability, env)
            );
            let agrees = match truth {
                Truth::Works => run.code == 0,
                Truth::Fails => run.code != 0,
                Truth::Unknowable => run.code == 1 && proofs(&report).contains(&"unproven"),
            };
            tokio::join!(gated.stop(), called.stop());
            (!agrees).then(|| {
                format!(
                    "{} {capability} {env:?}: check --for exits {} ({:?}), the call: {truth:?}\n{}",
                    name,
                    run.code,
                    proofs(&report),
                    run.stdout
                )
            })
        })
        .buffered(IN_FLIGHT)
        .filter_map(|d| async move { d })
        .collect()
        .await;
    assert!(cells.len() > 50, "the matrix ran {} cells", cells.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}

/// `check --for` and `fix --for` as the world's app, with the org admin's token.
async fn as_admin(api: &Api, world: &World, args: &[&str]) -> Run {
    let admin = [("ANYPOINT_ADMIN_BEARER", world.users[0].token.as_str())];
    doctor_with(api, world, &admin, args).await
}

#[tokio::test]
async fn fix_for_plans_what_opens_the_gate_and_exits_0_once_it_does() {
    let world = world("typical-mistakes");
    let api = Api::start(world.clone()).await;
    let (before, _) = gate(&api, &world, "create-contract", Some("Production")).await;
    assert_eq!(before.code, 1, "{before:#?}");
    let fixed = as_admin(
        &api,
        &world,
        &[
            "fix",
            "--for",
            "create-contract",
            "--env",
            "Production",
            "--yes",
        ],
    )
    .await;
    assert_eq!(fixed.code, 0, "{fixed:#?}");
    // The narrowest scopes, not Environment Administrator, which includes them.
    assert!(!fixed.stdout.contains("+ manage:apis"), "{}", fixed.stdout);
    // With the admin's token, the granted scopes prove it now.
    let after = as_admin(
        &api,
        &world,
        &[
            "check",
            "--for",
            "create-contract",
            "--env",
            "Production",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(after.code, 0, "{after:#?}");
    let report: Value = serde_json::from_str(&after.stdout).expect("a JSON report");
    assert_eq!(proofs(&report), ["proven"]);
    // By probes alone it stays unproven: the plan adds no scope the
    // contract does not need, and the probes need an instance to aim at.
    let (probed, report) = gate(&api, &world, "create-contract", Some("Production")).await;
    assert_eq!(probed.code, 1, "{probed:#?}");
    assert_eq!(proofs(&report), ["unproven"]);
    api.stop().await;
}

#[tokio::test]
async fn the_printed_curl_reads_the_admin_token_where_the_doctor_does() {
    let world = world("typical-mistakes");
    let api = Api::start(world.clone()).await;
    let plan = doctor(
        &api,
        &world,
        &[
            "fix",
            "--for",
            "create-contract",
            "--env",
            "Production",
            "--format",
            "curl",
        ],
    )
    .await;
    assert_eq!(plan.code, 0, "{plan:#?}");
    assert!(
        plan.stdout.contains("$ANYPOINT_ADMIN_BEARER"),
        "{}",
        plan.stdout
    );
    // Run as printed, with the variable `sim`, `check` and `fix` read.
    // Off the runtime: the simulator answers on this test's. Never a proxy.
    let script = plan.stdout.clone();
    let token = world.users[0].token.clone();
    let sent = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("ANYPOINT_ADMIN_BEARER", token)
            .env("NO_PROXY", "*")
            .env("no_proxy", "*")
            .output()
    })
    .await
    .expect("the shell's thread")
    .expect("sh runs");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    // The granted scopes prove it now (the app still cannot list instances
    // there, which creating contracts does not need, so probes cannot aim).
    let after = as_admin(
        &api,
        &world,
        &["check", "--for", "create-contract", "--env", "Production"],
    )
    .await;
    assert_eq!(after.code, 0, "{after:#?}");
    api.stop().await;
}

#[tokio::test]
async fn fix_yes_exits_0_when_only_a_withheld_scope_stays_missing() {
    let mut world = world("typical-mistakes");
    world.connected_apps[0].scopes.retain(|g| g.scope != "full");
    let api = Api::start(world.clone()).await;
    let fixed = as_admin(&api, &world, &["fix", "--yes"]).await;
    assert_eq!(fixed.code, 0, "{fixed:#?}");
    assert!(fixed.stdout.contains("(left out) full"), "{}", fixed.stdout);
    assert!(
        !fixed.stdout.contains("scope.full-access"),
        "{}",
        fixed.stdout
    );
    api.stop().await;
}

/// MuleSoft's flow for automation (reference §9, KB 005385409): create a
/// client application, then its contract, with the tool's own commands.
/// `check --for create-client-application,create-contract` opens exactly
/// when both succeed, in every scenario and environment.
#[tokio::test]
async fn the_gate_for_the_create_flow_agrees_with_create_app_then_create_contract() {
    use futures::StreamExt;
    let mut cells: Vec<(&str, World, String, String)> = Vec::new();
    for name in permission_scenarios() {
        let world = world(name);
        let Some(org) = world.org(&app_org(&world)) else {
            continue;
        };
        for env in org.environments.iter().filter(|e| !e.is_design()) {
            cells.push((name, world.clone(), env.id.clone(), env.name.clone()));
        }
    }
    // The cells are independent (fresh simulators each): several at once,
    // and in each the gate beside the calls, on simulators of their own.
    let disagreements: Vec<String> = futures::stream::iter(&cells)
        .map(|(name, world, env_id, env_name)| async move {
            let (gated, called) =
                tokio::join!(Api::start(world.clone()), Api::start(world.clone()));
            let flow = async {
                let instance = world.apis.iter().find(|a| &a.env == env_id).map(|a| a.id);
                let created =
                    doctor(&called, world, &["create", "app", "--name", "flow-app"]).await;
                match instance {
                    Some(api) if created.code == 0 => {
                        let api = api.to_string();
                        let contract = doctor(
                            &called,
                            world,
                            &[
                                "create", "contract", "--app", "flow-app", "--api", &api, "--env",
                                env_name,
                            ],
                        )
                        .await;
                        contract.code == 0
                    }
                    _ => false,
                }
            };
            let ((run, _), truth) = tokio::join!(
                gate(
                    &gated,
                    world,
                    "create-client-application,create-contract",
                    Some(env_name),
                ),
                flow
            );
            tokio::join!(gated.stop(), called.stop());
            ((run.code == 0) != truth).then(|| {
                format!(
                    "{} {}: check --for exits {}, create app then create contract {}\n{}",
                    name,
                    env_name,
                    run.code,
                    if truth { "succeed" } else { "fail" },
                    run.stdout
                )
            })
        })
        .buffered(IN_FLIGHT)
        .filter_map(|d| async move { d })
        .collect()
        .await;
    assert!(cells.len() > 15, "the flow ran in {} places", cells.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n\n"));
}

#[tokio::test]
async fn a_missing_exchange_viewer_is_what_fix_adds_not_manage_contracts() {
    let world = world("no-exchange-viewer");
    let api = Api::start(world.clone()).await;
    let plan = doctor(&api, &world, &["fix"]).await;
    let added: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.starts_with("+ "))
        .collect();
    // Environment Administrator passes in every environment, and it covers
    // contracts: Manage Contracts is not planned, not even as "may be".
    assert_eq!(
        added,
        ["+ read:exchange  org=Example Corp"],
        "{}",
        plan.stdout
    );
    let fixed = as_admin(&api, &world, &["fix", "--yes"]).await;
    assert_eq!(fixed.code, 0, "{fixed:#?}");
    let (gate_after, _) = gate(&api, &world, "create-contract", Some("Production")).await;
    assert_eq!(gate_after.code, 0, "{gate_after:#?}");
    api.stop().await;
}

/// `check`'s "What to fix" and `fix`'s plan are one plan: the same scopes,
/// in every scenario that signs in.
#[tokio::test]
async fn what_to_fix_names_the_scopes_fix_plans() {
    let (mut compared, mut with_scopes) = (0, 0);
    for name in permission_scenarios() {
        let world = world(name);
        let (checked, planned) = tokio::join!(Api::start(world.clone()), Api::start(world.clone()));
        let markdown = doctor(&checked, &world, &["check", "--format", "markdown"]).await;
        let plan = doctor(&planned, &world, &["fix", "--format", "json"]).await;
        tokio::join!(checked.stop(), planned.stop());
        let Ok(plan) = serde_json::from_str::<Value>(&plan.stdout) else {
            continue; // no plan: the run could not sign in
        };
        let mut in_fix: Vec<String> = plan["add"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["scope"].as_str().map(str::to_string))
            .collect();
        let mut in_check: Vec<String> = markdown
            .stdout
            .lines()
            .filter(|l| l.starts_with("   - "))
            .filter_map(|l| {
                let open = l.find(" (")? + 2;
                let close = open + l[open..].find(')')?;
                let id = &l[open..close];
                id.contains(':').then(|| id.to_string())
            })
            .collect();
        in_fix.sort();
        in_fix.dedup();
        in_check.sort();
        in_check.dedup();
        assert_eq!(in_check, in_fix, "{}:\n{}\n{plan:#}", name, markdown.stdout);
        compared += 1;
        with_scopes += usize::from(!in_fix.is_empty());
    }
    assert!(compared > 10, "compared {compared} scenarios");
    assert!(with_scopes > 4, "{with_scopes} plans named scopes");
}
