//! `--baseline OLD.json`: what changed since an earlier JSON report: a check
//! that passed and now fails (or the reverse), a scope lost in an
//! environment, a check that appeared or went, a host or org that moved.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::model::{Change, Report, Status};
use crate::error::ConfigError;

/// The parts of an earlier report a comparison needs; anything else is ignored.
#[derive(Debug, Deserialize)]
pub struct Baseline {
    target: BaselineTarget,
    checks: Vec<BaselineCheck>,
}

#[derive(Debug, Deserialize)]
struct BaselineTarget {
    host: String,
    org_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct BaselineCheck {
    id: String,
    target: Option<String>,
    /// A status the doctor writes: anything else is refused on load.
    status: Status,
}

/// The largest baseline read: far above any report (a few hundred KB), far
/// below what would strain memory, since the file is parsed whole.
const MAX_BASELINE_BYTES: u64 = 16 << 20;

pub fn load(path: &Path) -> Result<Baseline, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        setting: format!("--baseline {}", path.display()),
        reason,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_BASELINE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| invalid(e.to_string()))?;
    if text.len() as u64 > MAX_BASELINE_BYTES {
        return Err(invalid(format!(
            "it is larger than {} MiB, too large for a report of `check --format json`",
            MAX_BASELINE_BYTES >> 20
        )));
    }
    serde_json::from_str(&text)
        .map_err(|e| invalid(format!("not a JSON report of `check --format json` ({e})")))
}

fn place(id: &str, target: Option<&str>) -> String {
    match target {
        Some(t) => format!("{id} ({t})"),
        None => id.to_string(),
    }
}

pub fn compare(old: &Baseline, new: &Report) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.target.host != new.target.host {
        changes.push(Change {
            kind: "host",
            id: None,
            target: None,
            before: Some(old.target.host.clone()),
            after: Some(new.target.host.clone()),
            summary: format!(
                "the control plane moved: {} → {}",
                old.target.host, new.target.host
            ),
        });
    }
    if old.target.org_id.is_some()
        && new.target.org_id.is_some()
        && old.target.org_id != new.target.org_id
    {
        changes.push(Change {
            kind: "org",
            id: None,
            target: None,
            before: old.target.org_id.clone(),
            after: new.target.org_id.clone(),
            summary: format!(
                "the organization changed: {} → {}",
                old.target.org_id.as_deref().unwrap_or("?"),
                new.target.org_id.as_deref().unwrap_or("?")
            ),
        });
    }
    for outcome in &new.checks {
        let before = old
            .checks
            .iter()
            .find(|c| c.id == outcome.id && c.target == outcome.target);
        let status = outcome.status.word();
        let where_ = place(&outcome.id, outcome.target.as_deref());
        match before {
            Some(b) if b.status != outcome.status => changes.push(Change {
                kind: "status",
                id: Some(outcome.id.clone()),
                target: outcome.target.clone(),
                before: Some(b.status.word().to_string()),
                after: Some(status.to_string()),
                summary: format!(
                    "{where_}: {} → {status}: {}",
                    b.status.word(),
                    outcome.summary
                ),
            }),
            Some(_) => {}
            None => changes.push(Change {
                kind: "new",
                id: Some(outcome.id.clone()),
                target: outcome.target.clone(),
                before: None,
                after: Some(status.to_string()),
                summary: format!("{where_} is new: {status}"),
            }),
        }
    }
    for gone in old.checks.iter().filter(|c| {
        !new.checks
            .iter()
            .any(|o| o.id == c.id && o.target == c.target)
    }) {
        changes.push(Change {
            kind: "gone",
            id: Some(gone.id.clone()),
            target: gone.target.clone(),
            before: Some(gone.status.word().to_string()),
            after: None,
            summary: format!(
                "{} is no longer checked (it was {})",
                place(&gone.id, gone.target.as_deref()),
                gone.status.word()
            ),
        });
    }
    changes
}
