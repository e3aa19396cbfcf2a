//! A check's verdict: one `Outcome` per check (and per environment where a
//! check fans out), with its `Status`, the `Reason` for it and, when a scope
//! is missing, which one and where. The report gathers them; `fix` grants what they name.

use serde::{Deserialize, Serialize};

pub use crate::doctor::codes::Reason;
use crate::platform::Evidence;

/// Its name (`word`) comes from the same case rule as its JSON form, derived twice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
    /// Could not check: network, timeout, 5xx, an answer that could not be read.
    Error,
}

impl Status {
    pub fn word(self) -> &'static str {
        self.into()
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skip => "-",
            Status::Error => "?",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub category: String,
    pub title: String,
    pub status: Status,
    /// Why the status is what it is: a stable code (`scope.missing`, …) for CI to match on.
    pub code: Reason,
    /// The environment or organization this outcome is about, when the check fans out.
    pub target: Option<String>,
    pub summary: String,
    pub remediation: Option<String>,
    /// The verdict was reached by probing, not by reading the app's granted scopes.
    pub inferred: bool,
    /// The check that failed upstream, when this one was skipped because of it.
    pub blocked_by: Option<String>,
    /// The scope to add, and where, when the verdict is that one is missing.
    pub missing_scope: Option<MissingScope>,
    /// Scopes that may be missing as well: needed here, and not proven held
    /// (without an org admin's token, a probe cannot always tell). `fix`
    /// plans them as "may already be granted".
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maybe_missing: Vec<MissingScope>,
    /// The refused request (method, URL) a failure rests on, when another
    /// check may report the same refusal (see `fold`). Not part of the JSON.
    #[serde(skip)]
    pub rests_on: Option<(String, String)>,
    /// A warning the app's granted scopes would settle (an org admin's token):
    /// views name these together, with one remedy. Not part of the JSON.
    #[serde(skip)]
    pub settled_by_grants: bool,
    pub evidence: Vec<Evidence>,
    pub duration_ms: u64,
}

/// A scope to add, with the business group and environment it is needed in:
/// what "What to fix" groups by, and what `fix` will grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingScope {
    /// The scope's identifier, e.g. `manage:api_contracts`.
    pub scope: String,
    /// Its name in Access Management.
    pub name: String,
    /// The business group (or root organization) it is needed for, if any.
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    /// The environment it is needed in, if any.
    pub env_id: Option<String>,
    pub env_name: Option<String>,
    /// The Connected App's name, when the token told it.
    pub app: Option<String>,
}

impl Outcome {
    /// Whether checks that require this one must be skipped.
    pub fn blocks_dependents(&self) -> bool {
        matches!(self.status, Status::Fail | Status::Error) || self.blocked_by.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_is_named_as_its_json_says() {
        for status in [
            Status::Pass,
            Status::Warn,
            Status::Fail,
            Status::Skip,
            Status::Error,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.word());
        }
    }
}
