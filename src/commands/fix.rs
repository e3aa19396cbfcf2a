//! `anypoint-doctor fix`: run the checks `check` would run, make the plan of
//! the scopes to grant from their verdicts, and print it. Nothing is applied.

use clap::ArgMatches;

use super::check::{Plan, diagnose_run};
use crate::cli::FixArgs;
use crate::doctor::context::RunContext;
use crate::doctor::{Registry, select};
use crate::error::{ConfigError, Error};
use crate::fix::{self, FixPlan, render};
use crate::platform::models::Me;
use crate::platform::{Request, paths};
use crate::settings::Settings;
use crate::{ExitStatus, Io};

pub async fn run(
    args: &FixArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    // Mistyped values are told before any setting is looked at.
    fix::validate_include(&args.include)?;
    select::select(
        Registry::get(),
        select::Selection {
            capabilities: &args.for_capabilities,
            ..Default::default()
        },
    )?;
    let settings = Settings::resolve(&args.connection, matches)?
        .with_admin_bearer(args.admin.admin_bearer.clone(), matches)?;
    settings.register_secrets(&io.secrets);
    let settings = super::session::announce(settings, io)?;
    let with_admin = settings.admin_bearer.is_some();
    let plan = Plan {
        select: included_checks(args),
        // The granted scopes decide with an admin's token: no probe that
        // posts, even one the server must reject.
        read_only: with_admin,
        deadline: Some(std::time::Duration::from_secs(args.connection.deadline)),
        capabilities: args.for_capabilities.clone(),
        ..Plan::default()
    };
    let run = diagnose_run(settings, &plan, &io.secrets, &mut |_, _| {}).await?;
    if with_admin {
        same_org(&run.context).await?;
    }
    let plan = FixPlan::of(&run.report, &run.context, &args.include);
    io.out
        .write_all(render::render(&plan, args.format).as_bytes())?;
    if plan.incomplete() {
        writeln!(
            io.err,
            "warning: some checks the plan rests on could not run (see \"Not settled\" in the plan); it may lack scopes: run `anypoint-doctor check` to see why"
        )?;
        return Ok(ExitStatus::Incomplete);
    }
    Ok(ExitStatus::Ok)
}

/// With `--for`, only the capabilities' checks run: a withheld scope asked
/// for with `--include` needs its own check to be named. Without `--for`
/// the default run has them all.
fn included_checks(args: &FixArgs) -> Vec<String> {
    if args.for_capabilities.is_empty() {
        return Vec::new();
    }
    fix::WITHHELD
        .iter()
        .filter(|w| args.include.iter().any(|i| i == w.scope))
        .map(|w| w.check.to_string())
        .collect()
}

/// The admin's token must be of the app's root organization: the user's
/// org, from `GET /accounts/api/me` with it (reference §4.1, §11.7).
async fn same_org(ctx: &RunContext) -> Result<(), Error> {
    let Some(token) = &ctx.settings.admin_bearer else {
        return Ok(());
    };
    let setting = token.source.to_string();
    let Some(root) = ctx.facts.org.get().map(|o| &o.root) else {
        // The run could not learn the app's org: the plan says what is unsettled.
        return Ok(());
    };
    let answer = ctx.platform.fetch(Request::get_as_admin(paths::ME)).await;
    let admin_org = answer
        .result
        .as_ref()
        .ok()
        .filter(|reply| reply.is_success())
        .and_then(|reply| reply.json::<Me>().ok())
        .and_then(|me| me.user)
        .and_then(|user| user.organization_id.or(user.organization.map(|o| o.id)));
    match admin_org {
        Some(org) if org == root.id => Ok(()),
        Some(org) => Err(ConfigError::AdminOfAnotherOrg {
            setting,
            admin_org: org,
            app_org: format!("{} ({})", root.name, root.id),
        }
        .into()),
        None => Err(ConfigError::Invalid {
            setting,
            reason: format!(
                "GET {} with it did not name the user's organization, so it cannot be told to be an admin of the app's; give a current token of an Organization Administrator of {}",
                paths::ME,
                root.name
            ),
        }
        .into()),
    }
}
