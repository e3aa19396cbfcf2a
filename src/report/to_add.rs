//! The scopes a run's verdicts say to add, each once: those proven missing,
//! then those only not proven held ("may already be granted"). The one list
//! `check`'s "What to fix" shows and `fix` plans from.

use super::model::{MissingScope, Outcome, Reason, Status};
use crate::doctor::Registry;
use crate::doctor::catalogue::Catalogue;
use crate::doctor::spec::CheckKind;

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

/// Whether a passing scope check of `outcomes` proves `scope` (or a scope
/// that includes it) held where `missing` names it: then the scope is not
/// one to add, even as one that "may already be granted".
fn proven_held(outcomes: &[Outcome], missing: &MissingScope) -> bool {
    let registry = Registry::get();
    let catalogue = Catalogue::get();
    let place = missing.env_name.as_deref().or(missing.org_name.as_deref());
    outcomes
        .iter()
        .filter(|o| o.status == Status::Pass && o.target.as_deref() == place)
        .filter_map(|o| {
            let check = &registry.checks[registry.index_of(&o.id)?];
            match &check.kind {
                CheckKind::Scope(spec) => spec.scope.as_deref(),
                _ => None,
            }
        })
        .any(|held| catalogue.route(held, &missing.scope).is_some())
}

/// The same scope for the same business group and environment.
fn same_place(a: &MissingScope, b: &MissingScope) -> bool {
    a.scope == b.scope && a.org_id == b.org_id && a.env_id == b.env_id
}
