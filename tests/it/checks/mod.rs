//! `check` end to end against the mock control plane of `support::tenant`:
//! statuses, targets, per-environment fan-out, inference, request counts,
//! configuration errors, and that no secret reaches any rendering. One module
//! per concern (`matrix`: every check in every simulator scenario, as snapshots);
//! the helpers here read the report.

mod empty_list;
mod matrix;
mod orgs;
mod retired;
mod runner;
mod scopes;
mod secrets;
mod token;
mod verdicts;

pub use std::collections::BTreeSet;

pub use anypoint_doctor::Error;
pub use anypoint_doctor::doctor::Registry;
pub use anypoint_doctor::report::terminal;
pub use anypoint_doctor::report::terminal::TableOptions;
pub use anypoint_doctor::report::{Outcome, Report, Status, json, markdown};
pub use anypoint_doctor::settings::{Settings, Source, Sourced};
pub use anypoint_doctor::{RunOptions, diagnose};
pub use url::Url;

pub use crate::support::assert_contains_all;
pub use crate::support::fs::fixture;
pub use crate::support::report::*;
pub use crate::support::tenant::*;

/// The one outcome of a check that does not fan out, with the given status.
#[track_caller]
pub fn only<'a>(report: &'a Report, id: &str, status: Status) -> &'a Outcome {
    let found = outcomes(report, id);
    assert_eq!(
        found.len(),
        1,
        "{id}: expected one outcome\n{}",
        dump(report)
    );
    assert_eq!(found[0].status, status, "{id}\n{}", dump(report));
    found[0]
}

/// The outcome of a fanned-out check for one target, with the given status.
#[track_caller]
pub fn at<'a>(report: &'a Report, id: &str, target: &str, status: Status) -> &'a Outcome {
    let found: Vec<&Outcome> = outcomes(report, id)
        .into_iter()
        .filter(|o| o.target.as_deref() == Some(target))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{id} @ {target}: expected one outcome\n{}",
        dump(report)
    );
    assert_eq!(found[0].status, status, "{id} @ {target}\n{}", dump(report));
    found[0]
}

/// Every outcome but those of `except` is a skip blamed on `cause`, with no request made.
#[track_caller]
pub fn all_blocked_by(report: &Report, cause: &str, except: &[&str]) {
    // The checks before the cause (the network checks) cannot be blocked by it.
    for outcome in report
        .checks
        .iter()
        .skip_while(|o| o.id != cause)
        .filter(|o| !except.contains(&o.id.as_str()))
    {
        assert_eq!(
            outcome.status,
            Status::Skip,
            "{}\n{}",
            outcome.id,
            dump(report)
        );
        assert_eq!(
            outcome.blocked_by.as_deref(),
            Some(cause),
            "{}\n{}",
            outcome.id,
            dump(report)
        );
        assert!(outcome.evidence.is_empty(), "{} made requests", outcome.id);
    }
}

/// The check ids in report order, each once.
pub fn ids_in_order(report: &Report) -> Vec<&str> {
    let mut ids: Vec<&str> = report.checks.iter().map(|o| o.id.as_str()).collect();
    ids.dedup();
    ids
}

/// The checks of the default run (capabilities run only when asked for).
pub fn registry_ids() -> Vec<&'static str> {
    Registry::get()
        .checks
        .iter()
        .filter(|c| !c.on_demand)
        .map(|c| c.id.as_str())
        .collect()
}

/// What every check of an org or its environments requires, in run order
/// (net.clock is required by none).
pub const BASE_CHECKS: [&str; 8] = [
    "net.proxy",
    "net.dns",
    "net.tcp",
    "net.tls",
    "auth.token",
    "auth.identity",
    "org.structure",
    "org.environments",
];

/// The environments API Manager's checks fan out to: not Design (reference §12.1).
pub const API_MANAGER_ENV_NAMES: [&str; 2] = ["Sandbox", "Production"];

/// How one outcome reads: check id, target (None: the check does not fan
/// out), status, and phrases its summary contains.
pub type Reads<'a> = (&'a str, Option<&'a str>, Status, &'a [&'a str]);

/// Each outcome of `expected` is in the report once, with its status, and
/// its summary says each of its phrases.
#[track_caller]
pub fn assert_reads(report: &Report, expected: &[Reads]) {
    for &(id, target, status, phrases) in expected {
        let outcome = match target {
            Some(target) => at(report, id, target, status),
            None => only(report, id, status),
        };
        for phrase in phrases {
            assert!(
                outcome.summary.contains(phrase),
                "{id} @ {target:?}: {phrase:?} not in {:?}\n{}",
                outcome.summary,
                dump(report)
            );
        }
    }
}
