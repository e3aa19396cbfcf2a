//! What a run found: one `Outcome` per check (and per environment where a
//! check fans out), gathered in a `Report` with its totals. This is also the
//! JSON wire format (schema_version 1, schema/report.schema.json).

use serde::Serialize;

use crate::doctor::calls::CallFound;
use crate::doctor::catalogue::{Catalogue, KB_SCOPES};
pub use crate::doctor::outcome::{MissingScope, Outcome, Reason, Status};
use crate::exit::ExitStatus;
use crate::report::preflight::{Gate, Preflight};

pub const SCHEMA_VERSION: u32 = 1;

/// What makes a run exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// A failed check.
    #[default]
    Fail,
    /// A failed or a warning check.
    Warn,
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
    /// Adds another report's totals to these.
    pub fn add(&mut self, other: &Summary) {
        self.pass += other.pass;
        self.warn += other.warn;
        self.fail += other.fail;
        self.skip += other.skip;
        self.error += other.error;
    }

    /// 1 when a check failed (or warned, with --fail-on warn); else 3 when
    /// something could not be checked; else 0.
    pub fn exit_status(&self, fail_on: FailOn) -> ExitStatus {
        if self.fail > 0 || (fail_on == FailOn::Warn && self.warn > 0) {
            ExitStatus::Failed
        } else if self.error > 0 {
            ExitStatus::Incomplete
        } else {
            ExitStatus::Ok
        }
    }

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
    /// A design environment, which API Manager does not manage (reference
    /// §12.1): no next step lists API instances there. Not part of the JSON.
    #[serde(skip)]
    pub design: bool,
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
    /// With `--for`: the pre-flight gate, open only when every need is proven.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
    pub duration_ms: u64,
    /// The flags that repeat this run's target (never a secret), for the
    /// commands the views print.
    #[serde(skip)]
    pub rerun_flags: String,
}

impl Report {
    /// The summary's exit status; with `--for`, a closed gate fails the run
    /// even when no check did (a need that is only unproven).
    pub fn exit_status(&self, fail_on: FailOn) -> ExitStatus {
        let status = self.summary.exit_status(fail_on);
        match &self.preflight {
            Some(preflight) if status == ExitStatus::Ok && preflight.gate == Gate::Closed => {
                ExitStatus::Failed
            }
            _ => status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_the_worst_result() {
        let summary = |fail, warn, error| Summary {
            pass: 1,
            warn,
            fail,
            skip: 0,
            error,
        };
        assert_eq!(summary(0, 0, 0).exit_status(FailOn::Fail), ExitStatus::Ok);
        assert_eq!(summary(0, 1, 0).exit_status(FailOn::Fail), ExitStatus::Ok);
        assert_eq!(
            summary(0, 1, 0).exit_status(FailOn::Warn),
            ExitStatus::Failed
        );
        assert_eq!(
            summary(1, 0, 1).exit_status(FailOn::Fail),
            ExitStatus::Failed
        );
        assert_eq!(
            summary(0, 0, 1).exit_status(FailOn::Fail),
            ExitStatus::Incomplete
        );
    }
}
