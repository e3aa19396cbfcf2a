//! `anypoint-doctor create contract`: a contract between a client
//! application and an API instance through Exchange v2, with every field
//! taken from the instance itself. An existing contract is reported, not
//! duplicated; a create that got no answer is looked up, never resent.

use clap::ArgMatches;
use futures::future::join_all;
use serde_json::json;

use super::session::{self, Tell, dry_run};
use crate::cli::CreateContractArgs;
use crate::doctor::catalogue::Service;
use crate::doctor::resources;
use crate::doctor::session::{Halt, Refusal, Session, Stop, lost_create, within};
use crate::error::{ConfigError, Error};
use crate::platform::Request;
use crate::platform::models::{ApiContract, ApiInstance, Environment};
use crate::report::listing::ContractResult;
use crate::text::line;
use crate::text::shell_word;
use crate::{ExitStatus, Io};

/// The `versionGroup` a contract is sent with. MuleSoft's guidance names the
/// field without saying what it holds; clients send either the instance's
/// `productVersion` (`v1`) or `v<major>` of the asset version, which agree
/// for assets that follow semantic versioning. This is the one place that
/// decides; `--version-group` overrides it.
pub fn version_group(api: &ApiInstance) -> String {
    match api.product_version.as_deref().filter(|v| !v.is_empty()) {
        Some(product_version) => product_version.to_string(),
        None => {
            let major = api
                .asset_version
                .as_deref()
                .and_then(|v| v.split('.').next())
                .unwrap_or("1");
            format!("v{major}")
        }
    }
}

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
        let (env, api) = find_api(&session, args.api).await?;
        let app_id = find_app(&session, args.app.trim()).await?;
        Ok::<_, Halt>((session, env, api, app_id))
    })
    .await;
    let (session, env, api, app_id) = match found {
        Ok(found) => found,
        Err(halt) => return halt.report(io),
    };

    // An existing contract is reported, not duplicated.
    let before = match resources::contracts(&session, &env.id, api.id).await {
        Ok(list) => {
            if let Some(existing) = list
                .contracts
                .iter()
                .find(|c| c.application_id == Some(app_id))
            {
                return report(args, io, existing, &env, "already exists");
            }
            Some(list.contracts)
        }
        Err(refusal) => {
            writeln!(
                io.err,
                "warning: cannot check for an existing contract: API Manager's contract list answered {}",
                line(&refusal.describe())
            )?;
            None
        }
    };

    let org = session.org();
    let mut body = json!({
        "apiId": api.id.to_string(),
        "environmentId": env.id,
        "instanceType": "api",
        "acceptedTerms": true,
        "organizationId": api.organization_id.clone().unwrap_or_else(|| org.org.id.clone()),
        "groupId": api.group_id.clone().unwrap_or_else(|| org.org.id.clone()),
        "assetId": api.asset_id.clone().unwrap_or_default(),
        "version": api.asset_version.clone().unwrap_or_default(),
        "versionGroup": args.version_group.clone().unwrap_or_else(|| version_group(&api)),
    });
    if let Some(tier) = args.tier {
        body["requestedTierId"] = json!(tier);
    }
    let request = Request::create(
        format!(
            "/exchange/api/v2/organizations/{}/applications/{app_id}/contracts",
            crate::platform::paths::id(&org.root.id)
        ),
        body.to_string(),
    );
    if args.write.dry_run {
        return dry_run(io, &session, &request, args.write.format);
    }
    let answer = session.send(&request).await;
    match Refusal::check(&answer) {
        Ok(reply) => match reply.json::<ApiContract>() {
            Ok(contract) => report(args, io, &contract, &env, "created"),
            Err(reason) => Stop::new(
                ExitStatus::Incomplete,
                format!("The contract may have been created, but the answer could not be read: {reason}."),
            )
            .report(io),
        },
        Err(Refusal::Status { status, message }) if status == 401 || status == 403 => {
            let diagnosis = session.diagnose(&["scope.manage-contracts"], Some(&env.name)).await;
            Stop::diagnosed(
                format!("The platform refused the contract (HTTP {status}: {message})."),
                diagnosis,
            )
            .report(io)
        }
        Err(Refusal::Status { status: 409, message }) => {
            Stop::new(ExitStatus::Ok, format!("The contract already exists: {message}")).report(io)
        }
        Err(Refusal::NoAnswer { why, reached }) => {
            let known: Vec<u64> = before.unwrap_or_default().iter().map(|c| c.id).collect();
            let look_again = format!("anypoint-doctor apis --env {}", shell_word(&env.name));
            match resources::contracts(&session, &env.id, api.id).await {
                Ok(list) => match list
                    .contracts
                    .iter()
                    .find(|c| c.application_id == Some(app_id) && !known.contains(&c.id))
                {
                    Some(contract) => {
                        writeln!(io.err, "The create got no answer ({}), but the contract exists:", line(&why))?;
                        report(args, io, contract, &env, "created")
                    }
                    None => lost_create(&why, reached, "contract", Ok(()), &look_again).report(io),
                },
                Err(refusal) => lost_create(&why, reached, "contract", Err(refusal), &look_again).report(io),
            }
        }
        Err(refusal) => {
            let status = refusal.exit_status();
            Stop::new(status, format!("The platform did not create the contract: {}.", refusal.describe())).report(io)
        }
    }
}

/// The API instance and its environment: in `--env` when given, else in any selected environment.
async fn find_api(session: &Session, api_id: u64) -> Result<(Environment, ApiInstance), Halt> {
    let envs = session.environments();
    let mut refused = Vec::new();
    // Look in the selected environments first, then in the others, so an API
    // in another environment is named, not just "not found"; in those API
    // Manager manages: not the design ones (reference §12.1).
    let order = envs
        .selected
        .iter()
        .chain(
            envs.all
                .iter()
                .filter(|e| !envs.selected.iter().any(|s| s.id == e.id)),
        )
        .filter(|e| Service::ApiManager.manages(e));
    // Every environment at once: one hung API Manager costs one timeout, not one per environment.
    let order: Vec<&Environment> = order.collect();
    let listings = join_all(
        order
            .iter()
            .map(|env| resources::every_api_instance(session, &env.id)),
    )
    .await;
    for (env, listing) in order.into_iter().zip(listings) {
        match listing {
            Ok(instances) => {
                if let Some(api) = instances.into_iter().find(|a| a.id == api_id) {
                    if !envs.selected.iter().any(|s| s.id == env.id) {
                        let wanted: Vec<&str> =
                            envs.selected.iter().map(|e| e.name.as_str()).collect();
                        return Err(Halt::from(invalid(
                            "--api",
                            format!(
                                "API instance {api_id} is in \"{}\", not in {}; use --env \"{}\"",
                                env.name,
                                wanted.join(", "),
                                env.name
                            ),
                        )));
                    }
                    return Ok((env.clone(), api));
                }
            }
            Err(refusal) => refused.push((env.name.clone(), refusal)),
        }
    }
    if refused.is_empty() {
        return Err(Halt::from(invalid(
            "--api",
            format!(
                "no API instance {api_id} in this organization's environments; list them with `anypoint-doctor apis`"
            ),
        )));
    }
    // It may be in an environment the app cannot read: that is the finding.
    let mut diagnosis = Vec::new();
    for (env_name, _) in refused.iter().filter(|(_, r)| r.is_about_permission()) {
        diagnosis.extend(
            session
                .diagnose(&["scope.view-apis-configuration"], Some(env_name))
                .await,
        );
    }
    let described: Vec<String> = refused
        .iter()
        .map(|(env, refusal)| format!("\"{env}\" ({})", refusal.describe()))
        .collect();
    let message = format!(
        "API instance {api_id} was not found, and these environments could not be read: {}.",
        described.join(", ")
    );
    if diagnosis.is_empty() {
        return Err(Stop::new(ExitStatus::Incomplete, message).into());
    }
    Err(Stop::diagnosed(message, diagnosis).into())
}

/// The application id: the number given, or the one application with that name.
async fn find_app(session: &Session, wanted: &str) -> Result<u64, Halt> {
    let apps = match resources::every_application(session).await {
        Ok(apps) => apps,
        Err(refusal) => {
            if let Ok(id) = wanted.parse::<u64>() {
                return Ok(id);
            }
            return Err(Halt::from(Stop::new(
                refusal.exit_status(),
                format!(
                    "Cannot look up application {wanted:?}: listing applications answered {}.",
                    refusal.describe()
                ),
            )));
        }
    };
    if let Some(app) = apps.iter().find(|a| a.id.to_string() == wanted) {
        return Ok(app.id);
    }
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
        format!("no client application with id or name {wanted:?} in the root organization{hint}"),
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
