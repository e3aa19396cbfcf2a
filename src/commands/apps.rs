//! `anypoint-doctor apps`: the client applications of the root organization;
//! an empty list comes with the doctor's verdict on whether to believe it.

use clap::ArgMatches;
use comfy_table::{ContentArrangement, Table, presets};
use serde_json::json;

use super::session::{self, Tell};
use crate::cli::{AppsArgs, OutputFormat};
use crate::doctor::resources;
use crate::doctor::session::Stop;
use crate::error::Error;
use crate::report::Status;
use crate::text::line;
use crate::{ExitStatus, Io};

pub async fn run(
    args: &AppsArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let session = match session::start(&args.connection, matches, io).await {
        Ok(session) => session,
        Err(halt) => return halt.report(io),
    };
    let root = session.org().root.clone();
    let apps = match resources::applications(&session, args.target_admin_site).await {
        Ok(apps) => apps,
        Err(refusal) => {
            let diagnosis = session
                .diagnose(&["scope.view-client-applications"], None)
                .await;
            let message = format!(
                "Listing client applications in \"{}\" failed: {}",
                root.name,
                refusal.describe()
            );
            return Stop::diagnosed(message, diagnosis).report(io);
        }
    };
    match args.format {
        OutputFormat::Json => {
            let listed: Vec<_> = apps
                .iter()
                .map(|a| json!({"id": a.id, "name": a.name, "clientId": a.client_id, "description": a.description}))
                .collect();
            writeln!(
                io.out,
                "{}",
                serde_json::to_string_pretty(&listed).expect("plain data")
            )?;
        }
        OutputFormat::Table if !apps.is_empty() => {
            let mut table = Table::new();
            table
                .load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["ID", "NAME", "CLIENT ID"]);
            for app in &apps {
                table.add_row([
                    app.id.to_string(),
                    line(&app.name).into_owned(),
                    line(app.client_id.as_deref().unwrap_or_default()).into_owned(),
                ]);
            }
            writeln!(io.out, "{}", table.trim_fmt())?;
            writeln!(
                io.out,
                "\n{} client application(s) in the root organization \"{}\".",
                apps.len(),
                line(&root.name)
            )?;
        }
        OutputFormat::Table => {}
    }
    if !apps.is_empty() {
        return Ok(ExitStatus::Ok);
    }
    // An empty list is the classic symptom: say whether it can be believed.
    let diagnosis = session
        .diagnose(&["data.client-applications-empty"], None)
        .await;
    let believable = diagnosis.iter().all(|o| o.status == Status::Pass);
    if believable {
        writeln!(
            io.err,
            "No client applications in \"{}\", and the evidence agrees: {}",
            line(&root.name),
            line(diagnosis.first().map(|o| o.summary.as_str()).unwrap_or(""))
        )?;
        return Ok(ExitStatus::Ok);
    }
    Stop::diagnosed(
        format!(
            "The list of client applications in \"{}\" is empty, which may not be true.",
            root.name
        ),
        diagnosis,
    )
    .report(io)
}
