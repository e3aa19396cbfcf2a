//! `anypoint-doctor create contract`: a contract between a client
//! application and an API instance, through API Manager: the request whose
//! scopes MuleSoft's description names (Manage Contracts and Exchange
//! Viewer, reference §12.2), with no field to guess. It reads nothing the
//! contract does not need, so an app holding just those scopes can run it;
//! an existing contract is reported, not duplicated, and a create that got
//! no answer is looked up, never resent.

use clap::ArgMatches;
use futures::future::join_all;
use serde_json::json;

use super::session::{self, Tell, dry_run};
use crate::cli::CreateContractArgs;
use crate::diagnosis::resources;
use crate::diagnosis::session::{Halt, Refusal, Session, Stop, lost_create, within};
use crate::doctor::catalogue::Service;
use crate::error::{ConfigError, Error};
use crate::platform::models::{ApiContract, Environment};
use crate::platform::{Request, paths};
use crate::report::listing::ContractResult;
use crate::text::line;
use crate::text::shell_word;
use crate::{ExitStatus, Io};

fn invalid(setting: &str, reason: String) -> Error {
    ConfigError::Invalid {
        setting: setting.to_string(),
        reason,
    }
    .into()
}

pub async fn run(
    args: &CreateContractArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    if args.app.trim().is_empty() {
        return Err(invalid("--app", "give an application id or name".into()));
    }
    // The reads before the write, within --deadline.
    let found = within(args.connection.deadline, async {
        let session = session::start(&args.connection, matches, io).await?;
        let env = environment(&session, args.api).await?;
        let app_id = find_app(&session, args.app.trim()).await?;
        Ok::<_, Halt>((session, env, app_id))
    })
    .await;
    let (session, env, app_id) = match found {
        Ok(found) => found,
        Err(halt) => return halt.report(io),
    };

    // An existing contract is reported, not duplicated. A lookup: without
    // View Contracts the command goes on, and a second run relies on the
    // platform to refuse the duplicate (said once the contract is created).
    let lookups = session.lookups();
    let mut unchecked = None;
    let before = match resources::contracts(&lookups, &env.id, args.api).await {
        Ok(list) => {
            if let Some(existing) = list
                .contracts
                .iter()
                .find(|c| c.application_id == Some(app_id))
            {
                return report(args, io, existing, &env, "already exists");
            }
            Some(list.contracts.iter().map(|c| c.id).collect::<Vec<u64>>())
        }
        // No such instance in the environment: the create would be refused the same way.
        Err(Refusal::Status {
            status: 404,
            message,
        }) => {
            return not_found(&lookups, args, app_id, &env, &message)
                .await
                .report(io);
        }
        Err(refusal) => {
            unchecked = Some(refusal);
            None
        }
    };

    let mut body = json!({ "applicationId": app_id });
    if let Some(tier) = args.tier {
        body["requestedTierId"] = json!(tier);
    }
    let org = session.org().org.id.clone();
    let request = Request::create(
        paths::api_contracts(&org, &env.id, args.api),
        body.to_string(),
    );
    if args.write.dry_run {
        return dry_run(io, &session, &request, args.write.format);
    }
    let answer = session.send(&request).await;
    match Refusal::check(&answer) {
        Ok(reply) => match reply.json::<ApiContract>() {
            Ok(contract) => {
                if let Some(refusal) = unchecked {
                    writeln!(
                        io.err,
                        "note: the command could not look for an existing contract first (API Manager's contract list answered {}): a second run relies on the platform to refuse a duplicate",
                        line(&refusal.describe())
                    )?;
                }
                report(args, io, &contract, &env, "created")
            }
            Err(reason) => Stop::new(
                ExitStatus::Incomplete,
                format!("The contract may have been created, but the answer could not be read: {reason}."),
            )
            .report(io),
        },
        Err(Refusal::Status { status, message }) if status == 401 || status == 403 => {
            // Refused in the wrong environment: the environment is the finding, not the scope.
            if let Located::Elsewhere(there) = locate(&lookups, args.api).await {
                return wrong_environment(&session, args.api, &there).report(io);
            }
            let diagnosis = session.diagnose(&["scope.manage-contracts"], Some(&env.name)).await;
            Stop::diagnosed(
                format!("The platform refused the contract (HTTP {status}: {message})."),
                diagnosis,
            )
            .report(io)
        }
        Err(Refusal::Status { status: 404, message }) => {
            not_found(&lookups, args, app_id, &env, &message).await.report(io)
        }
        // A duplicate: MuleSoft's description gives no status for it; the
        // simulator answers 409 [I]. Any refusal of the request is checked
        // against the contract list before it is called a failure.
        Err(refusal @ Refusal::Status { status: 400..=499, .. }) => {
            match existing(&lookups, &env, args.api, app_id).await {
                Ok(Some(contract)) => report(args, io, &contract, &env, "already exists"),
                _ => match refusal {
                    Refusal::Status { status: 409, message } => Stop::new(
                        ExitStatus::Ok,
                        format!("The contract already exists (HTTP 409: {message}); the contract list could not show it."),
                    )
                    .report(io),
                    refusal => Stop::new(
                        refusal.exit_status(),
                        format!("The platform did not create the contract: {}.", refusal.describe()),
                    )
                    .report(io),
                },
            }
        }
        Err(Refusal::NoAnswer { why, reached }) => {
            let look_again = format!("anypoint-doctor apis --env {}", shell_word(&env.name));
            match existing(&lookups, &env, args.api, app_id).await {
                Ok(Some(contract)) => {
                    writeln!(io.err, "The create got no answer ({}), but the contract exists:", line(&why))?;
                    // New unless the list before showed it; without that list, it cannot be told.
                    let result = match &before {
                        Some(ids) if !ids.contains(&contract.id) => "created",
                        _ => "exists",
                    };
                    report(args, io, &contract, &env, result)
                }
                Ok(None) => lost_create(&why, reached, "contract", Ok(()), &look_again).report(io),
                Err(refusal) => lost_create(&why, reached, "contract", Err(refusal), &look_again).report(io),
            }
        }
        Err(refusal) => {
            let status = refusal.exit_status();
            Stop::new(status, format!("The platform did not create the contract: {}.", refusal.describe())).report(io)
        }
    }
}

/// The contract between the application and the API instance, when API Manager lists one.
async fn existing(
    session: &Session,
    env: &Environment,
    api_id: u64,
    app_id: u64,
) -> Result<Option<ApiContract>, Refusal> {
    let list = resources::contracts(session, &env.id, api_id).await?;
    Ok(list
        .contracts
        .into_iter()
        .find(|c| c.application_id == Some(app_id)))
}

/// The environment of the contract: the one API Manager environment
/// selected, read from nowhere; else the selected one that lists the API
/// instance.
async fn environment(session: &Session, api_id: u64) -> Result<Environment, Halt> {
    if let [env] = session
        .environments()
        .selected_for(Some(Service::ApiManager))
        .as_slice()
    {
        return Ok((*env).clone());
    }
    match locate(session, api_id).await {
        Located::Selected(env) => Ok(env),
        Located::Elsewhere(there) => Err(wrong_environment(session, api_id, &there)),
        Located::Nowhere { unread } if unread.is_empty() => Err(nowhere(api_id)),
        Located::Nowhere { unread } => Err(unreadable(session, api_id, &unread).await),
    }
}

/// Why API Manager answered 404: the API instance is not in the
/// environment (it is named where it is, when a list shows it), or the
/// application (or the tier) is unknown. The platform's message is kept.
async fn not_found(
    session: &Session,
    args: &CreateContractArgs,
    app_id: u64,
    env: &Environment,
    message: &str,
) -> Halt {
    let answered = format!("the platform answered 404: {}", line(message));
    let env_name = line(&env.name);
    let tier = args
        .tier
        .map(|t| format!(", or no SLA tier {t} on this API"))
        .unwrap_or_default();
    match locate(session, args.api).await {
        Located::Selected(_) => Halt::from(invalid(
            "--app",
            format!(
                "no client application {app_id}{tier} ({answered}; the API instance is in \"{env_name}\"); list them with `anypoint-doctor apps`"
            ),
        )),
        Located::Elsewhere(there) => wrong_environment(session, args.api, &there),
        Located::Nowhere { unread } if unread.is_empty() => nowhere(args.api),
        Located::Nowhere { .. } => Halt::from(invalid(
            "--app or --api",
            format!(
                "no client application {app_id}{tier}, or no API instance {} in \"{env_name}\" ({answered}; the instance lists could not be read to tell which)",
                args.api
            ),
        )),
    }
}

/// Where the API instance is, as far as the instance lists tell.
enum Located {
    /// In this selected environment.
    Selected(Environment),
    /// In this environment, which is not selected.
    Elsewhere(Environment),
    /// In no environment whose list could be read; `unread` could not be (name, why).
    Nowhere { unread: Vec<(String, Refusal)> },
}

/// Looks for the API instance in the selected environments first, then in
/// the others, so that an API in another environment is named, not just
/// "not found"; in those API Manager manages, not the design ones
/// (reference §12.1).
async fn locate(session: &Session, api_id: u64) -> Located {
    let envs = session.environments();
    let order: Vec<&Environment> = envs
        .selected
        .iter()
        .chain(
            envs.all
                .iter()
                .filter(|e| !envs.selected.iter().any(|s| s.id == e.id)),
        )
        .filter(|e| Service::ApiManager.manages(e))
        .collect();
    // Every environment at once: one hung API Manager costs one timeout, not one per environment.
    let listings = join_all(
        order
            .iter()
            .map(|env| resources::every_api_instance(session, &env.id)),
    )
    .await;
    let mut unread = Vec::new();
    for (env, listing) in order.into_iter().zip(listings) {
        match listing {
            Ok(instances) if instances.iter().any(|a| a.id == api_id) => {
                return if envs.selected.iter().any(|s| s.id == env.id) {
                    Located::Selected(env.clone())
                } else {
                    Located::Elsewhere(env.clone())
                };
            }
            Ok(_) => {}
            Err(refusal) => unread.push((env.name.clone(), refusal)),
        }
    }
    Located::Nowhere { unread }
}

fn wrong_environment(session: &Session, api_id: u64, there: &Environment) -> Halt {
    let wanted: Vec<&str> = session
        .environments()
        .selected
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    Halt::from(invalid(
        "--api",
        format!(
            "API instance {api_id} is in \"{}\", not in {}; use --env \"{}\"",
            there.name,
            wanted.join(", "),
            there.name
        ),
    ))
}

fn nowhere(api_id: u64) -> Halt {
    Halt::from(invalid(
        "--api",
        format!(
            "no API instance {api_id} in this organization's environments; list them with `anypoint-doctor apis`"
        ),
    ))
}

/// The instance is in no list that could be read: the lists refused are the finding.
async fn unreadable(session: &Session, api_id: u64, unread: &[(String, Refusal)]) -> Halt {
    let mut diagnosis = Vec::new();
    for (env_name, _) in unread.iter().filter(|(_, r)| r.is_about_permission()) {
        diagnosis.extend(
            session
                .diagnose(&["scope.view-apis-configuration"], Some(env_name))
                .await,
        );
    }
    let described: Vec<String> = unread
        .iter()
        .map(|(env, refusal)| format!("\"{env}\" ({})", refusal.describe()))
        .collect();
    let message = format!(
        "API instance {api_id} was not found, and these environments could not be read: {}.",
        described.join(", ")
    );
    if diagnosis.is_empty() {
        return Stop::new(ExitStatus::Incomplete, message).into();
    }
    Stop::diagnosed(message, diagnosis).into()
}

/// The application id: the number given, read from nowhere (the platform
/// answers 404 for one it does not know), or the one application with that
/// name, which takes the application list (View Client Applications).
async fn find_app(session: &Session, wanted: &str) -> Result<u64, Halt> {
    if let Ok(id) = wanted.parse::<u64>() {
        return Ok(id);
    }
    let apps = match resources::every_application(session).await {
        Ok(apps) => apps,
        Err(refusal) => {
            return Err(Halt::from(Stop::new(
                refusal.exit_status(),
                format!(
                    "Cannot look up application {wanted:?}: listing applications answered {}.",
                    refusal.describe()
                ),
            )));
        }
    };
    let named: Vec<u64> = apps
        .iter()
        .filter(|a| a.name == wanted)
        .map(|a| a.id)
        .collect();
    match named.as_slice() {
        [id] => return Ok(*id),
        [] => {}
        several => {
            let ids: Vec<String> = several.iter().map(u64::to_string).collect();
            return Err(Halt::from(invalid(
                "--app",
                format!(
                    "{wanted:?} names {} applications (ids {}); give the id",
                    several.len(),
                    ids.join(", ")
                ),
            )));
        }
    }
    let hint = if apps.is_empty() {
        " (the list is empty, which is also what a missing View Client Applications scope looks like: see `anypoint-doctor check --select data`)"
    } else {
        ""
    };
    Err(Halt::from(invalid(
        "--app",
        format!("no client application named {wanted:?} in the root organization{hint}"),
    )))
}

fn report(
    args: &CreateContractArgs,
    io: &mut Io<'_>,
    contract: &ApiContract,
    env: &Environment,
    what: &str,
) -> Result<ExitStatus, Error> {
    let result = ContractResult {
        contract: contract.clone(),
        environment: env.name.clone(),
        result: what.to_string(),
        application: contract
            .application_id
            .map(|id| id.to_string())
            .unwrap_or_else(|| args.app.clone()),
        api: args.api,
    };
    write!(
        io.out,
        "{}",
        result.render(args.write.format, crate::text::width(io.terminal.width))
    )?;
    Ok(ExitStatus::Ok)
}
