//! The scopes a run's verdicts say to add, each once: those proven missing,
//! then those only not proven held ("may already be granted"). The one list
//! `check`'s "What to fix" shows and `fix` plans from.

use super::model::{MissingScope, Outcome, Reason, Status, proven_held};
use crate::doctor::catalogue::Catalogue;

/// A scope to add at its place.
#[derive(Debug, Clone, Copy)]
pub struct ToAdd<'a> {
    pub scope: &'a MissingScope,
    /// Not proven missing: adding it changes nothing if it is held.
    pub may_be_granted: bool,
}

/// What `outcomes` say to add. A verdict read from the granted scopes (a
/// scope check that is not inferred) knows the other needs it names are
/// missing too; any other verdict only suspects them, and a suspicion a
/// passing check of the same run disproves (Environment Administrator's
/// create probe proves Manage Contracts) is dropped. A pair another proven
/// pair implies is not added beside it.
pub fn scopes_to_add(outcomes: &[Outcome]) -> Vec<ToAdd<'_>> {
    let naming = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Warn));
    let exact = |o: &&Outcome| o.code == Reason::ScopeMissing && !o.inferred;
    let mut certain: Vec<&MissingScope> = Vec::new();
    for o in naming.clone() {
        let others = exact(&o).then_some(&o.maybe_missing);
        for scope in o.missing_scope.iter().chain(others.into_iter().flatten()) {
            if !certain.iter().any(|c| same_place(c, scope)) {
                certain.push(scope);
            }
        }
    }
    let mut maybe: Vec<&MissingScope> = Vec::new();
    for scope in naming
        .filter(|o| !exact(o))
        .flat_map(|o| &o.maybe_missing)
        .filter(|m| !proven_held(outcomes, m))
    {
        if !certain.iter().chain(&maybe).any(|c| same_place(c, scope)) {
            maybe.push(scope);
        }
    }
    let catalogue = Catalogue::get();
    let implied = |m: &MissingScope| {
        certain.iter().any(|by| {
            by.scope != m.scope
                && by.org_id == m.org_id
                && (by.env_id.is_none() || by.env_id == m.env_id)
                && catalogue.route(&by.scope, &m.scope).is_some()
        })
    };
    let certain_ones = certain.iter().map(|scope| ToAdd {
        scope,
        may_be_granted: false,
    });
    let maybe_ones = maybe.iter().map(|scope| ToAdd {
        scope,
        may_be_granted: true,
    });
    certain_ones
        .chain(maybe_ones)
        .filter(|add| !implied(add.scope))
        .collect()
}

/// The same scope for the same business group and environment.
fn same_place(a: &MissingScope, b: &MissingScope) -> bool {
    a.scope == b.scope && a.org_id == b.org_id && a.env_id == b.env_id
}
