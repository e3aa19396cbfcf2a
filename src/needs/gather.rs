//! Reading the paths `needs` and `--for-har` are given: traffic files (HAR,
//! Postman, Insomnia) into the requests they hold, the names their answers
//! give ids, and the token requests' client ids and hosts; anything else is a
//! script or folder, scanned for requests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::render::Names;
use super::{Recorded, Seen, scripts};
use crate::error::{ConfigError, Error, TrafficError};
use crate::traffic;

/// The requests found in every path, and what was set aside.
#[derive(Default)]
pub struct Gathered {
    pub seen: Vec<Seen>,
    /// Organization and environment names the traffic shows, by id.
    pub names: Names,
    /// The organizations the traffic shows as a root.
    pub roots: Vec<String>,
    /// The client ids the traffic's token requests sent, and the control planes it went to.
    pub client_ids: BTreeSet<String>,
    pub hosts: BTreeSet<String>,
    /// The doctor's own requests (its probes, its commands' lookups), which say nothing of the automation.
    pub own: usize,
    /// Requests to hosts other than Anypoint's control planes.
    pub elsewhere: usize,
    /// Entries or files that could not be read, with why.
    pub skipped: Vec<String>,
}

impl Gathered {
    /// One line on the requests left out, if any.
    pub fn left_out(&self) -> Option<String> {
        let parts: Vec<String> = [
            (
                self.own,
                "of anypoint-doctor's own requests (its probes and lookups)",
            ),
            (self.elsewhere, "to hosts other than Anypoint Platform's"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        (!parts.is_empty()).then(|| format!("note: left out {}", parts.join(" and ")))
    }
}

/// Reads every path: traffic files as traffic, the rest scanned as scripts
/// (files over `max_file_size` skipped). A path that cannot be read at all,
/// or a traffic file that is broken, is a usage error of `setting(path)`.
pub fn gather(
    paths: &[PathBuf],
    max_file_size: u64,
    setting: &dyn Fn(&Path) -> String,
) -> Result<Gathered, Error> {
    let mut gathered = Gathered::default();
    let mut to_scan = Vec::new();
    for path in paths {
        gather_one(path, setting(path), &mut gathered, &mut to_scan)?;
    }
    if !to_scan.is_empty() {
        let (seen, unreadable) = scripts::find(to_scan, max_file_size);
        gathered.seen.extend(seen);
        gathered.skipped.extend(unreadable);
    }
    Ok(gathered)
}

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
fn gather_one(
    path: &Path,
    setting: String,
    into: &mut Gathered,
    to_scan: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let invalid = |reason: String| ConfigError::Invalid {
        setting: setting.clone(),
        reason: format!("cannot read {}: {reason}", path.display()),
    };
    let metadata = std::fs::metadata(path).map_err(|e| invalid(e.to_string()))?;
    if metadata.is_dir() {
        to_scan.push(path.to_path_buf());
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
            into.roots.extend(traffic.roots);
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
            to_scan.push(path.to_path_buf());
            Ok(())
        }
        Err(error) => Err(ConfigError::Invalid {
            setting,
            reason: error.to_string(),
        }
        .into()),
    }
}
