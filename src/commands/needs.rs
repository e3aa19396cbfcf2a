//! `anypoint-doctor needs PATH...`: read traffic files (HAR, Postman,
//! Insomnia) and scan scripts for the requests the automation makes, then
//! print what they need, least privilege first. No network, unless
//! `--online` asks the platform to name what the traffic leaves unnamed.

use std::collections::BTreeSet;

use crate::cli::{NeedsArgs, NeedsFormat};
use crate::doctor::catalogue::Catalogue;
use crate::error::Error;
use crate::fix::FixFormat;
use crate::needs::analysis::analyse;
use crate::needs::endpoints::Endpoints;
use crate::needs::gather::gather;
use crate::needs::render;
use crate::needs::{plan, refused};
use crate::{ExitStatus, Io};

pub async fn run(
    args: &NeedsArgs,
    matches: &clap::ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let mut gathered = gather(&args.paths, args.max_file_size, &|_| {
        "needs PATH".to_string()
    })?;
    for skipped in &gathered.skipped {
        writeln!(io.err, "warning: skipped {}", crate::text::line(skipped))?;
    }
    if let Some(line) = gathered.left_out() {
        writeln!(io.err, "{line}")?;
    }
    let catalogue = Catalogue::get();
    let analysis = analyse(&gathered.seen, catalogue, Endpoints::get());
    let mut lookup_failed = None;
    if args.online {
        let (named, failed) = super::named_online::names(
            &args.connection,
            matches,
            &analysis.least,
            &gathered.names,
            io,
        )
        .await?;
        gathered.names.extend(named);
        lookup_failed = failed;
    }
    let refusals = refused::explain(&analysis, catalogue);
    match args.format {
        NeedsFormat::Table => {
            let table = render::table(&analysis, &refusals, catalogue, &gathered.names);
            let width = crate::text::width(io.terminal.width);
            write!(io.out, "{}", crate::text::wrap_hanging(&table, width))?;
        }
        NeedsFormat::Json => {
            let json = render::json(&analysis, &refusals, catalogue, &gathered.names);
            serde_json::to_writer_pretty(&mut *io.out, &json).map_err(std::io::Error::other)?;
            writeln!(io.out)?;
        }
        NeedsFormat::Curl | NeedsFormat::Terraform => {
            // One app and one control plane, when the traffic shows exactly one of each.
            let single = |set: &BTreeSet<String>| {
                (set.len() == 1)
                    .then(|| set.iter().next().cloned())
                    .flatten()
            };
            let acting = plan::Acting {
                client_id: single(&gathered.client_ids),
                host: single(&gathered.hosts).unwrap_or_else(|| DEFAULT_HOST.to_string()),
            };
            let plan = plan::of(&analysis.least, &gathered.names, acting, catalogue);
            let format = match args.format {
                NeedsFormat::Curl => FixFormat::Curl,
                _ => FixFormat::Terraform,
            };
            write!(io.out, "{}", crate::fix::render::render(&plan, format))?;
        }
    }
    // What could not be read, or named, leaves the answer incomplete.
    let read = if gathered.skipped.is_empty() {
        ExitStatus::Ok
    } else {
        ExitStatus::Incomplete
    };
    // A sign-in that failed for the names ends the run as it would have ended alone.
    Ok(lookup_failed.unwrap_or(read))
}

/// The control plane a plan addresses when the traffic names none (scripts,
/// collections whose host is a variable): the US one, every tool's default.
const DEFAULT_HOST: &str = "https://anypoint.mulesoft.com";
