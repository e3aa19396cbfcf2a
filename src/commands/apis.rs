//! `anypoint-doctor apis`: API instances per environment, with the fields a
//! contract must match (asset coordinates, productVersion) and their contracts.

use clap::ArgMatches;
use futures::future::join_all;

use super::session::{self, Tell};
use crate::cli::ApisArgs;
use crate::diagnosis::resources;
use crate::diagnosis::session::Stop;
use crate::doctor::catalogue::Service;
use crate::error::Error;
use crate::platform::models::Environment;
use crate::report::listing::{ApiList, IncompleteList, ListedApi};
use crate::{ExitStatus, Io};

pub async fn run(
    args: &ApisArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let session = match session::start(&args.connection, matches, io).await {
        Ok(session) => session,
        Err(halt) => return halt.report(io),
    };
    let mut rows = Vec::new();
    let mut refused = Vec::new();
    // API Manager does not manage design environments (reference §12.1): none is asked.
    let facts = session.environments();
    if let Some(none) = facts.none_managed(Some(Service::ApiManager)) {
        return Stop::new(
            ExitStatus::Usage,
            format!(
                "{}: there are no API instances to list; choose another environment with --env.",
                none.summary.trim_start_matches("not run: ")
            ),
        )
        .report(io);
    }
    // Every environment at once: one hung API Manager costs one timeout, not one per environment.
    let envs: Vec<Environment> = facts
        .selected_for(Some(Service::ApiManager))
        .into_iter()
        .cloned()
        .collect();
    let listings = join_all(
        envs.iter()
            .map(|env| resources::api_instances(&session, &env.id)),
    )
    .await;
    let mut incomplete = Vec::new();
    for (env, listing) in envs.into_iter().zip(listings) {
        match listing {
            Ok(listing) => {
                rows.extend(listing.items.into_iter().map(|api| (env.name.clone(), api)));
                incomplete.extend(listing.cut.map(|cut| IncompleteList {
                    environment: env.name.clone(),
                    cut,
                }));
            }
            Err(refusal) => refused.push((env, refusal)),
        }
    }
    let list = ApiList {
        apis: rows
            .into_iter()
            .map(|(environment, api)| ListedApi { api, environment })
            .collect(),
        incomplete,
    };
    write!(
        io.out,
        "{}",
        list.render(args.format, crate::text::width(io.terminal.width))
    )?;
    if refused.is_empty() {
        // A list a bound stopped was printed as read, and said to be incomplete (3).
        return Ok(if list.incomplete.is_empty() {
            ExitStatus::Ok
        } else {
            ExitStatus::Incomplete
        });
    }
    let names: Vec<String> = refused
        .iter()
        .map(|(env, refusal)| format!("\"{}\" ({})", env.name, refusal.describe()))
        .collect();
    let mut diagnosis = Vec::new();
    for (env, _) in refused.iter().filter(|(_, r)| r.is_about_permission()) {
        diagnosis.extend(
            session
                .diagnose(&["scope.view-apis-configuration"], Some(&env.name))
                .await,
        );
    }
    if diagnosis.is_empty() {
        // A definite refusal (1) outweighs an environment that could not be read (3).
        let status = if refused
            .iter()
            .any(|(_, r)| r.exit_status() == ExitStatus::Failed)
        {
            ExitStatus::Failed
        } else {
            ExitStatus::Incomplete
        };
        return Stop::new(
            status,
            format!("Listing API instances failed in {}.", names.join(", ")),
        )
        .report(io);
    }
    Stop::diagnosed(
        format!("Listing API instances failed in {}.", names.join(", ")),
        diagnosis,
    )
    .report(io)
}
