//! `anypoint-doctor needs PATH...`: read traffic files (HAR, Postman,
//! Insomnia) and scan scripts for the requests the automation makes, then
//! print what they need, least privilege first. No network.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cli::{NeedsArgs, NeedsFormat};
use crate::doctor::catalogue::Catalogue;
use crate::error::{ConfigError, Error, TrafficError};
use crate::fix::FixFormat;
use crate::needs::endpoints::Endpoints;
use crate::needs::render::{self, Names};
use crate::needs::{Recorded, Seen, analyse, plan, refused, scripts};
use crate::{ExitStatus, Io, traffic};

/// The requests found in every path, and what was set aside.
#[derive(Default)]
struct Gathered {
    seen: Vec<Seen>,
    /// Organization and environment names the traffic shows, by id.
    names: Names,
    /// The client ids the traffic's token requests sent, and the control planes it went to.
    client_ids: BTreeSet<String>,
    hosts: BTreeSet<String>,
    /// The doctor's own requests (its probes, its commands' lookups), which say nothing of the automation.
    own: usize,
    /// Requests to hosts other than Anypoint's control planes.
    elsewhere: usize,
    /// Entries or files that could not be read, with why.
    skipped: Vec<String>,
    scripts: Vec<PathBuf>,
}

pub fn run(args: &NeedsArgs, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    let mut gathered = Gathered::default();
    for path in &args.paths {
        gather(path, &mut gathered)?;
    }
    if !gathered.scripts.is_empty() {
        let (seen, unreadable) = scripts::find(gathered.scripts.clone(), args.max_file_size);
        gathered.seen.extend(seen);
        gathered.skipped.extend(unreadable);
    }
    for skipped in &gathered.skipped {
        writeln!(io.err, "warning: skipped {}", crate::text::line(skipped))?;
    }
    let left_out: Vec<String> = [
        (
            gathered.own,
            "of anypoint-doctor's own requests (its probes and lookups)",
        ),
        (
            gathered.elsewhere,
            "to hosts other than Anypoint Platform's",
        ),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !left_out.is_empty() {
        writeln!(io.err, "note: left out {}", left_out.join(" and "))?;
    }
    let catalogue = Catalogue::get();
    let analysis = analyse(&gathered.seen, catalogue, Endpoints::get());
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
    // What could not be read leaves the answer incomplete.
    Ok(if gathered.skipped.is_empty() {
        ExitStatus::Ok
    } else {
        ExitStatus::Incomplete
    })
}

/// The control plane a plan addresses when the traffic names none (scripts,
/// collections whose host is a variable): the US one, every tool's default.
const DEFAULT_HOST: &str = "https://anypoint.mulesoft.com";

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// A call to an Anypoint control plane, or to a host the file leaves as a
/// variable (`{{baseUrl}}`, set in an environment file it does not hold):
/// that one is matched to the catalogue, not set aside as another host's.
fn may_be_anypoint(call: &traffic::Call) -> bool {
    call.anypoint || (call.host.is_none() && call.templated)
}

/// A traffic file's calls, or a script or folder to scan.
fn gather(path: &Path, into: &mut Gathered) -> Result<(), Error> {
    let invalid = |reason: String| ConfigError::Invalid {
        setting: "needs PATH".into(),
        reason: format!("cannot read {}: {reason}", path.display()),
    };
    let metadata = std::fs::metadata(path).map_err(|e| invalid(e.to_string()))?;
    if metadata.is_dir() {
        into.scripts.push(path.to_path_buf());
        return Ok(());
    }
    if !metadata.is_file() {
        return Err(invalid("it is not a regular file or folder".into()).into());
    }
    match traffic::read(path) {
        Ok(traffic) => {
            let recording = traffic.format == traffic::Format::Har;
            into.names.extend(
                traffic
                    .names
                    .into_iter()
                    .map(|(id, name)| (id, crate::text::line(&name).into_owned())),
            );
            into.client_ids
                .extend(traffic.tokens.iter().filter_map(|t| t.client_id.clone()));
            for call in traffic.calls {
                if call.own {
                    into.own += 1;
                } else if !may_be_anypoint(&call) {
                    into.elsewhere += 1;
                } else {
                    if let Some(origin) = origin_of(&call.url) {
                        into.hosts.insert(origin);
                    }
                    let token = match call.bearer {
                        traffic::Bearer::Sent { token: Some(k) } => traffic.tokens.get(k).cloned(),
                        _ => None,
                    };
                    into.seen.push(Seen {
                        recorded: Recorded {
                            answer: call.answer,
                            bearer: recording.then_some(call.bearer),
                            token,
                            host: call.host,
                            started: call.started,
                        },
                        // What the file holds, shown on a terminal: safe for one line.
                        method: crate::text::line(&call.method).into_owned(),
                        path: crate::text::line(&call.path).into_owned(),
                        query: call.query,
                        at: crate::text::line(&call.at).into_owned(),
                        body_ids: call.body_ids,
                        operation: call
                            .graphql_operation
                            .map(|op| crate::text::line(&op).into_owned()),
                    });
                }
            }
            into.skipped.extend(
                traffic
                    .skipped
                    .iter()
                    .map(|s| format!("{}: {}", s.at, s.reason)),
            );
            Ok(())
        }
        // Not a traffic file (a script, a pipeline, code): its requests are found by scanning.
        Err(TrafficError::NotJson { .. } | TrafficError::Unknown { .. }) => {
            into.scripts.push(path.to_path_buf());
            Ok(())
        }
        Err(error) => Err(ConfigError::Invalid {
            setting: "needs PATH".into(),
            reason: error.to_string(),
        }
        .into()),
    }
}
