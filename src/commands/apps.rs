//! `anypoint-doctor apps`: the client applications of the root organization;
//! an empty list comes with the doctor's verdict on whether to believe it,
//! and a list a bound of the reading stopped says so (exit 3).

use clap::ArgMatches;

use super::session::{self, Tell};
use crate::cli::AppsArgs;
use crate::diagnosis::resources;
use crate::diagnosis::session::Stop;
use crate::error::Error;
use crate::report::Status;
use crate::report::listing::{AppList, ListedApp};
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
    let listing = match resources::applications(&session, args.target_admin_site).await {
        Ok(listing) => listing,
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
    let apps = listing.items;
    let list = AppList {
        root_org: root.name.clone(),
        apps: apps.iter().map(ListedApp::of).collect(),
        incomplete: listing.cut,
    };
    write!(
        io.out,
        "{}",
        list.render(args.format, crate::text::width(io.terminal.width))
    )?;
    if list.incomplete.is_some() {
        // Printed as read, and said to be incomplete: not all could be read (3).
        return Ok(ExitStatus::Incomplete);
    }
    // An empty list is the classic symptom, and a list of only this app's
    // own applications is all that Application Creator shows (§11.1): say
    // whether it can be believed.
    let own_only = session
        .client_id()
        .is_some_and(|id| !apps.is_empty() && apps.iter().all(|a| a.owned_only_by(&id)));
    if !apps.is_empty() && !own_only {
        return Ok(ExitStatus::Ok);
    }
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
            // Short, to fit 80 columns with a short org name: an error is one line.
            "The client application list of \"{}\" is empty, which may not be true.",
            root.name
        ),
        diagnosis,
    )
    .report(io)
}
