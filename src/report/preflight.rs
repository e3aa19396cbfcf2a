//! `check --for`: the pre-flight gate. It opens only when every capability
//! asked for is proven in every place it was checked; a need disproven,
//! unproven or not checked keeps it closed, and says what is known of it.

use serde::Serialize;

use crate::doctor::Registry;
use crate::doctor::outcome::{Outcome, Status};

/// Whether the automation may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    Open,
    Closed,
}

/// What the run knows of one need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proof {
    /// The platform's answers show the app can do it.
    Proven,
    /// They show it cannot: a call was refused, or a scope it needs is missing.
    Disproven,
    /// Checked, but the answers prove neither (without an org admin's token,
    /// some things cannot be told apart).
    Unproven,
    /// Not checked: an error, or skipped for a failure upstream.
    Unchecked,
}

impl Proof {
    fn of(outcome: &Outcome) -> Proof {
        match outcome.status {
            Status::Pass => Proof::Proven,
            Status::Fail => Proof::Disproven,
            Status::Error => Proof::Unchecked,
            Status::Skip if outcome.blocked_by.is_some() => Proof::Unchecked,
            Status::Warn | Status::Skip => Proof::Unproven,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Proof::Proven => "proven",
            Proof::Disproven => "disproven",
            Proof::Unproven => "not proven",
            Proof::Unchecked => "not checked",
        }
    }
}

/// One capability in one place (an environment, the root organization).
#[derive(Debug, Clone, Serialize)]
pub struct Need {
    pub capability: String,
    /// The check that tells it.
    pub check: String,
    pub target: Option<String>,
    pub proof: Proof,
    pub summary: String,
}

/// The gate and every need behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    pub gate: Gate,
    /// `--allow-unproven`: a need that is only unproven does not close it.
    pub allow_unproven: bool,
    pub needs: Vec<Need>,
}

impl Preflight {
    /// The gate for `capabilities`, from the outcomes of the checks that
    /// prove them; `None` when none was asked for.
    pub fn of(capabilities: &[String], outcomes: &[Outcome], allow_unproven: bool) -> Option<Self> {
        if capabilities.is_empty() {
            return None;
        }
        let registry = Registry::get();
        let mut needs = Vec::new();
        for capability in capabilities {
            let checks: Vec<&str> = registry
                .proving(capability)
                .into_iter()
                .map(|i| registry.checks[i].id.as_str())
                .collect();
            let told: Vec<&Outcome> = outcomes
                .iter()
                .filter(|o| checks.contains(&o.id.as_str()))
                .collect();
            if told.is_empty() {
                // Nothing ran that tells it: it is not proven.
                needs.push(Need {
                    capability: capability.clone(),
                    check: checks.first().copied().unwrap_or_default().to_string(),
                    target: None,
                    proof: Proof::Unchecked,
                    summary: "no check that proves it ran".into(),
                });
            }
            needs.extend(told.into_iter().map(|o| Need {
                capability: capability.clone(),
                check: o.id.clone(),
                target: o.target.clone(),
                proof: Proof::of(o),
                summary: o.summary.clone(),
            }));
        }
        let open = needs
            .iter()
            .all(|n| n.proof == Proof::Proven || (allow_unproven && n.proof == Proof::Unproven));
        Some(Preflight {
            gate: if open { Gate::Open } else { Gate::Closed },
            allow_unproven,
            needs,
        })
    }

    /// The needs that keep the gate closed.
    pub fn closing(&self) -> impl Iterator<Item = &Need> {
        self.needs.iter().filter(|n| {
            n.proof != Proof::Proven && !(self.allow_unproven && n.proof == Proof::Unproven)
        })
    }

    /// One line: the gate, and what closes it.
    pub fn sentence(&self) -> String {
        let proven = self
            .needs
            .iter()
            .filter(|n| n.proof == Proof::Proven)
            .count();
        let closing: Vec<String> = self
            .closing()
            .map(|n| match &n.target {
                Some(target) => format!("{} in {target} {}", n.capability, n.proof.word()),
                None => format!("{} {}", n.capability, n.proof.word()),
            })
            .collect();
        let unproven_only = self.closing().all(|n| n.proof == Proof::Unproven);
        gate_sentence(
            self.gate,
            proven,
            self.needs.len() - proven,
            &closing,
            unproven_only,
        )
    }
}

/// The gate in one line: open, with how many needs are proven and how many
/// not proven were let through (`--allow-unproven`); or closed, by what
/// (`closing`), with how to settle it when only unproven needs close it.
pub fn gate_sentence(
    gate: Gate,
    proven: usize,
    let_through: usize,
    closing: &[String],
    unproven_only: bool,
) -> String {
    match gate {
        Gate::Open => {
            let allowed = if let_through > 0 {
                format!("; {let_through} not proven, let through by --allow-unproven")
            } else {
                String::new()
            };
            format!("Pre-flight: open. Every need is proven ({proven}){allowed}.")
        }
        Gate::Closed => {
            let how = if unproven_only {
                " An org admin's token in ANYPOINT_ADMIN_BEARER settles what probes cannot; --allow-unproven lets unproven needs through on purpose."
            } else {
                ""
            };
            format!("Pre-flight: closed: {}.{how}", closing.join("; "))
        }
    }
}
