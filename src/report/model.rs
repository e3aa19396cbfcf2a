//! What a run found: one `Outcome` per check (and per environment where a
//! check fans out), gathered in a `Report` with its totals. This is also the
//! JSON wire format (schema_version 1, schema/report.schema.json).

use serde::{Deserialize, Serialize};

use crate::doctor::calls::CallFound;
use crate::doctor::catalogue::{Catalogue, KB_SCOPES};
use crate::platform::Evidence;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
    pub error: usize,
}

impl Summary {
    pub fn of(outcomes: &[Outcome]) -> Summary {
        let mut s = Summary::default();
        for o in outcomes {
            *match o.status {
                Status::Pass => &mut s.pass,
                Status::Warn => &mut s.warn,
                Status::Fail => &mut s.fail,
                Status::Skip => &mut s.skip,
                Status::Error => &mut s.error,
            } += 1;
        }
        s
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// What the run was pointed at. Ids only; the client id is masked.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub host: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub root_org_id: Option<String>,
    pub client_id: Option<String>,
    pub environments: Vec<TargetEnvironment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetEnvironment {
    pub id: String,
    pub name: String,
}

/// Where the doctor ran, for a support ticket.
#[derive(Debug, Clone, Serialize)]
pub struct System {
    pub os: &'static str,
    pub arch: &'static str,
}

impl System {
    pub fn this() -> System {
        System {
            os: std::env::consts::OS,
            arch: std::env::consts::ARCH,
        }
    }
}

/// A resolved setting and where it came from; secrets only as fingerprints.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSetting {
    pub name: String,
    pub value: String,
    pub source: String,
}

/// One difference from a baseline report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Change {
    /// `status`, `new`, `gone`, `host` or `org`.
    pub kind: &'static str,
    pub id: Option<String>,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub summary: String,
}

/// A concrete command the user can run next (never holding a secret).
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub title: String,
    pub command: String,
}

/// A scope as reports name it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScopeName {
    pub id: String,
    pub name: String,
}

impl ScopeName {
    fn of(id: &str) -> ScopeName {
        ScopeName {
            id: id.to_string(),
            name: Catalogue::get().name(id).to_string(),
        }
    }

    /// `Name (id)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.id)
    }
}

/// `check --for`: the least privilege for the capabilities named, and which
/// of MuleSoft's recommended scopes they do not need.
#[derive(Debug, Clone, Serialize)]
pub struct LeastPrivilege {
    pub capabilities: Vec<String>,
    /// The least-privilege scope of each capability that needs one.
    pub needed: Vec<ScopeName>,
    /// Scopes of MuleSoft's KB 005385409 none of them needs.
    pub not_needed: Vec<ScopeName>,
    /// With `--for-files`: the calls found and the capability each needs.
    pub calls: Vec<CallFound>,
}

impl LeastPrivilege {
    pub fn for_capabilities(
        capabilities: &[String],
        calls: Vec<CallFound>,
    ) -> Option<LeastPrivilege> {
        if capabilities.is_empty() {
            return None;
        }
        let catalogue = Catalogue::get();
        let mut needed: Vec<ScopeName> = Vec::new();
        for capability in capabilities
            .iter()
            .filter_map(|id| catalogue.capability(id))
        {
            for scope in capability
                .any_of
                .first()
                .into_iter()
                .chain(&capability.all_of)
            {
                let scope = ScopeName::of(scope);
                if !needed.contains(&scope) {
                    needed.push(scope);
                }
            }
        }
        let not_needed = KB_SCOPES
            .iter()
            .filter(|kb| !needed.iter().any(|n| n.id == **kb))
            .map(|kb| ScopeName::of(kb))
            .collect();
        Some(LeastPrivilege {
            capabilities: capabilities.to_vec(),
            needed,
            not_needed,
            calls,
        })
    }

    /// The calls found in files, one line each: `at: call needs capability`.
    pub fn call_lines(&self) -> Vec<String> {
        self.calls
            .iter()
            .map(|c| format!("{}: {} needs {}", c.at, c.call, c.capability))
            .collect()
    }

    /// One line for the table and the Markdown.
    pub fn sentence(&self) -> String {
        let needed: Vec<String> = self.needed.iter().map(ScopeName::label).collect();
        let not_needed: Vec<String> = self.not_needed.iter().map(|s| s.name.clone()).collect();
        let needs = if needed.is_empty() {
            "no scope to add".to_string()
        } else {
            needed.join(", ")
        };
        format!(
            "Least privilege for {}: {needs}. Of the scopes MuleSoft's guidance lists, it does not need: {}.",
            self.capabilities.join(", "),
            if not_needed.is_empty() {
                "none".to_string()
            } else {
                not_needed.join(", ")
            }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub generated_at: String,
    pub system: System,
    pub target: Target,
    pub settings: Vec<ReportSetting>,
    pub checks: Vec<Outcome>,
    pub summary: Summary,
    pub next_steps: Vec<NextStep>,
    /// What changed since `--baseline`; absent without one.
    pub changes: Option<Vec<Change>>,
    /// With `--for`: the least privilege for the capabilities named.
    pub least_privilege: Option<LeastPrivilege>,
    pub duration_ms: u64,
    /// The flags that repeat this run's target (never a secret), for the
    /// commands the views print.
    #[serde(skip)]
    pub rerun_flags: String,
}
