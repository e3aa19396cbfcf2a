//! A kind's verdict before the runner adds the check's id, title and
//! timing: status, reason, target, the scopes it names, its evidence.

use crate::doctor::codes::Reason;
use crate::doctor::outcome::{MissingScope, Status};
use crate::platform::Evidence;

/// The scopes a verdict names: the one it shows missing, and those the
/// probes could not prove held.
#[derive(Debug, Clone, Default)]
pub struct NamedScopes {
    pub missing: Option<MissingScope>,
    pub maybe: Vec<MissingScope>,
}

/// One verdict of a kind, before the runner adds the check's id, title and timing.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Why the verdict is what it is: every verdict names one.
    pub reason: Reason,
    pub status: Status,
    pub target: Option<String>,
    pub summary: String,
    pub remediation: Option<String>,
    pub inferred: bool,
    /// The scopes it names. Boxed, as is `rests_on`: a verdict travels as
    /// the error of many results, and most name none.
    pub scopes: Option<Box<NamedScopes>>,
    /// The refused request (method, URL) this verdict rests on.
    pub rests_on: Option<Box<(String, String)>>,
    /// A warning the app's granted scopes would settle.
    pub settled_by_grants: bool,
    pub evidence: Vec<Evidence>,
}

impl Verdict {
    pub fn new(reason: Reason, status: Status, summary: impl Into<String>) -> Verdict {
        Verdict {
            reason,
            status,
            target: None,
            summary: summary.into(),
            remediation: None,
            inferred: false,
            scopes: None,
            rests_on: None,
            settled_by_grants: false,
            evidence: Vec::new(),
        }
    }

    /// `rests_on`, when the request is known.
    pub fn rests_on_some(self, evidence: Option<&Evidence>) -> Verdict {
        match evidence {
            Some(evidence) => self.rests_on(evidence),
            None => self,
        }
    }

    /// The failure rests on this refused request, which a scope check may report too.
    pub fn rests_on(mut self, evidence: &Evidence) -> Verdict {
        self.rests_on = Some(Box::new((evidence.method.clone(), evidence.url.clone())));
        self
    }

    /// The scope whose absence this verdict reports.
    pub fn missing(mut self, scope: MissingScope) -> Verdict {
        self.scopes.get_or_insert_default().missing = Some(scope);
        self
    }

    /// A scope this verdict could not prove held: `fix` plans it as one
    /// that may already be granted (adding it changes nothing if so).
    pub fn maybe(mut self, scope: MissingScope) -> Verdict {
        self.scopes.get_or_insert_default().maybe.push(scope);
        self
    }

    /// Scopes the granted list shows missing besides `missing`: exact, so
    /// carried with the others `fix` plans (its plan checks them against
    /// the granted scopes it read).
    pub fn also_missing(mut self, scopes: Vec<MissingScope>) -> Verdict {
        if !scopes.is_empty() {
            self.scopes.get_or_insert_default().maybe.extend(scopes);
        }
        self
    }

    pub fn fix(mut self, remediation: impl Into<String>) -> Verdict {
        self.remediation = Some(remediation.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Verdict {
        self.target = Some(target.into());
        self
    }

    pub fn inferred(mut self) -> Verdict {
        self.inferred = true;
        self
    }

    /// The requests this verdict rests on, as a check's `Recorder` kept them.
    pub fn with_evidence(mut self, evidence: Vec<Evidence>) -> Verdict {
        self.evidence = evidence;
        self
    }
}
