//! `anypoint-doctor apis`: API instances per environment, with the fields a
//! contract must match (asset coordinates, productVersion) and their contracts.

use clap::ArgMatches;
use comfy_table::{ContentArrangement, Table, presets};
use futures::future::join_all;
use serde_json::json;

use super::session::{self, Tell};
use crate::cli::{ApisArgs, OutputFormat};
use crate::doctor::resources;
use crate::doctor::session::Stop;
use crate::error::Error;
use crate::text::line;
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
    // Every environment at once: one hung API Manager costs one timeout, not one per environment.
    let envs = session.environments().selected.clone();
    let listings = join_all(
        envs.iter()
            .map(|env| resources::api_instances(&session, &env.id)),
    )
    .await;
    for (env, listing) in envs.into_iter().zip(listings) {
        match listing {
            Ok(instances) => rows.extend(instances.into_iter().map(|api| (env.name.clone(), api))),
            Err(refusal) => refused.push((env, refusal)),
        }
    }
    match args.format {
        OutputFormat::Json => {
            let listed: Vec<_> = rows
                .iter()
                .map(|(env, api)| json!({"environment": env, "api": api}))
                .collect();
            writeln!(
                io.out,
                "{}",
                serde_json::to_string_pretty(&listed).expect("plain data")
            )?;
        }
        OutputFormat::Table => {
            let mut table = Table::new();
            table
                .load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header([
                    "ENVIRONMENT",
                    "ID",
                    "ASSET",
                    "PRODUCT VERSION",
                    "LABEL",
                    "STATUS",
                    "CONTRACTS",
                ]);
            for (env, api) in &rows {
                let asset = format!(
                    "{}:{}:{}",
                    api.group_id.as_deref().unwrap_or("?"),
                    api.asset_id.as_deref().unwrap_or("?"),
                    api.asset_version.as_deref().unwrap_or("?")
                );
                let shown = |text: Option<&str>| line(text.unwrap_or_default()).into_owned();
                table.add_row([
                    shown(Some(env)),
                    api.id.to_string(),
                    shown(Some(&asset)),
                    shown(api.product_version.as_deref()),
                    shown(api.instance_label.as_deref()),
                    shown(api.status.as_deref()),
                    api.active_contracts_count
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ]);
            }
            if rows.is_empty() {
                writeln!(io.out, "No API instances found.")?;
            } else {
                writeln!(io.out, "{}", table.trim_fmt())?;
            }
        }
    }
    if refused.is_empty() {
        return Ok(ExitStatus::Ok);
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
