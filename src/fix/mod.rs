//! `fix`'s plan: the exact `(scope, context_params)` pairs to grant, made
//! from the verdicts a `check` run produced (never from a list of its own),
//! with what was already granted, what is withheld unless asked, and what
//! the checks could not settle. `render` turns it into text, curl,
//! Terraform or JSON.

pub mod apply;
pub mod render;

use serde::Serialize;

use crate::doctor::catalogue::Catalogue;
use crate::doctor::context::RunContext;
use crate::error::ConfigError;
use crate::platform::models::ScopeGrant;
use crate::report::model::{MissingScope, Outcome};
use crate::report::to_add::{ToAdd, scopes_to_add};
use crate::report::{Report, Status};
use crate::settings::mask_id;

/// How `fix` writes its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FixFormat {
    /// The plan: one `+ scope  org=… env=…` line per scope to add.
    #[default]
    Diff,
    /// The PATCH that adds them, as a curl command.
    Curl,
    /// An `anypoint_connected_app_scopes` resource for MuleSoft's Terraform provider.
    Terraform,
    /// The plan as JSON, for review tooling.
    Json,
}

/// A scope the plan leaves out unless `--include` names it.
pub struct Withholding {
    pub scope: &'static str,
    /// The check whose verdict names it when it is missing.
    pub check: &'static str,
    pub why: &'static str,
}

pub const WITHHELD: &[Withholding] = &[Withholding {
    scope: "full",
    check: "scope.full-access",
    why: "Full Access is left out: the calls are governed by the narrower scopes the plan adds; pass --include full if your policy wants it",
}];

/// Checks `--include` values: each must be a scope of `WITHHELD`.
pub fn validate_include(include: &[String]) -> Result<(), ConfigError> {
    let valid: Vec<&str> = WITHHELD.iter().map(|w| w.scope).collect();
    match include.iter().find(|v| !valid.contains(&v.as_str())) {
        None => Ok(()),
        Some(value) => Err(ConfigError::Invalid {
            setting: format!("--include {value}"),
            reason: format!(
                "not a scope the plan leaves out; valid: {} (every other missing scope is added without asking)",
                WITHHELD
                    .iter()
                    .map(|w| format!("{} ({})", w.scope, Catalogue::get().name(w.scope)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// One scope in one context: what Access Management grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// The catalogue's identifier (`manage:api_contracts`).
    pub scope: String,
    /// Its name in Access Management.
    pub name: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub env_id: Option<String>,
    pub env_name: Option<String>,
    /// Other context keys of a granted scope (`applicationId`, …), as read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_params: Vec<(String, String)>,
    /// The checks could not prove it missing, only not held (no org admin's
    /// token): it may already be granted, and adding it changes nothing if
    /// so (the PATCH only adds).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub may_be_granted: bool,
}

impl Pair {
    fn of_missing(missing: &MissingScope) -> Pair {
        Pair {
            scope: missing.scope.clone(),
            name: missing.name.clone(),
            org_id: missing.org_id.clone(),
            org_name: missing.org_name.clone(),
            env_id: missing.env_id.clone(),
            env_name: missing.env_name.clone(),
            other_params: Vec::new(),
            may_be_granted: false,
        }
    }

    /// A granted scope, with the names the run learned for its ids.
    fn of_grant(grant: &ScopeGrant, ctx: &RunContext) -> Pair {
        let params = &grant.context_params;
        let org_name = params.org.as_deref().and_then(|id| {
            let org = ctx.facts.org.get()?;
            [&org.root, &org.org]
                .into_iter()
                .chain(org.business_groups.iter())
                .find(|o| o.id == id)
                .map(|o| o.name.clone())
        });
        let env_name = params.env_id.as_deref().and_then(|id| {
            ctx.facts
                .environments
                .get()
                .and_then(|e| e.name_of(id).map(str::to_string))
        });
        Pair {
            scope: grant.scope.clone(),
            name: Catalogue::get().name(&grant.scope).to_string(),
            org_id: params.org.clone(),
            org_name,
            env_id: params.env_id.clone(),
            env_name,
            other_params: params
                .other
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect(),
            may_be_granted: false,
        }
    }

    /// The `context_params` object the platform takes, keys in a stable order.
    pub fn context_params(&self) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(org) = &self.org_id {
            params.push(("org".into(), org.clone()));
        }
        if let Some(env) = &self.env_id {
            params.push(("envId".into(), env.clone()));
        }
        params.extend(self.other_params.iter().cloned());
        params
    }

    /// Whether the pair names an environment its scope's service does not
    /// manage: an API Manager scope in a design environment (reference §12.1).
    fn where_unmanaged(&self, ctx: &RunContext) -> bool {
        let env = self.env_id.as_deref().and_then(|id| {
            ctx.facts
                .environments
                .get()
                .and_then(|e| e.all.iter().find(|env| env.id == id))
        });
        let service = Catalogue::get().scope(&self.scope).and_then(|s| s.service);
        matches!((env, service), (Some(env), Some(service)) if !service.manages(env))
    }

    fn same_place(&self, other: &Pair) -> bool {
        self.scope == other.scope && self.org_id == other.org_id && self.env_id == other.env_id
    }

    /// Whether granting `by` grants this too: the catalogue says `by`
    /// implies it, in the same business group, and in its environment or
    /// (bound to the business group) every environment.
    fn implied_by(&self, by: &Pair) -> bool {
        by.scope != self.scope
            && by.org_id == self.org_id
            && (by.env_id.is_none() || by.env_id == self.env_id)
            && Catalogue::get().route(&by.scope, &self.scope).is_some()
    }
}

/// A pair the checks named but the plan leaves out unless asked.
#[derive(Debug, Clone, Serialize)]
pub struct Withheld {
    pub pair: Pair,
    pub why: String,
}

/// A check the plan rests on that could not tell whether a scope is missing.
#[derive(Debug, Clone, Serialize)]
pub struct Unsettled {
    pub check: String,
    pub target: Option<String>,
    pub status: Status,
    pub summary: String,
    /// The failed check upstream it was skipped for.
    pub blocked_by: Option<String>,
}

impl Unsettled {
    /// It could not be checked at all (an error, or skipped for a failure
    /// upstream), rather than checked without a firm answer.
    pub fn unchecked(&self) -> bool {
        self.status == Status::Error || self.blocked_by.is_some()
    }
}

/// The app whose scopes the plan changes. The client id is kept in clear for
/// the curl and Terraform output (it names the app in the URL); JSON and
/// the plan's header show it masked, as reports do.
#[derive(Debug, Clone, Serialize)]
pub struct App {
    pub name: Option<String>,
    #[serde(rename = "client_id")]
    pub client_id_masked: Option<String>,
    #[serde(skip)]
    pub client_id: Option<String>,
}

/// What `fix` would grant, and everything a reviewer needs beside it.
#[derive(Debug, Clone, Serialize)]
pub struct FixPlan {
    pub app: App,
    pub host: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    /// The app's granted scopes were read (with an org admin's token).
    pub granted_read: bool,
    /// What the app holds, when read.
    pub granted: Vec<Pair>,
    /// The pairs to add, least privilege, none already granted or implied.
    pub add: Vec<Pair>,
    pub withheld: Vec<Withheld>,
    pub unsettled: Vec<Unsettled>,
    /// Where the pairs come from, which the renderings say.
    #[serde(skip)]
    pub origin: Origin,
}

/// Where a plan's pairs come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    /// The verdicts of a run: the scopes it found missing (`fix`).
    #[default]
    Verdicts,
    /// Recorded or written traffic: the least privilege it needs (`needs`),
    /// whatever the app holds now.
    Traffic,
    /// What the traffic in these files needs and the app was found to lack,
    /// in the org the run targets (`fix --for-har`).
    TrafficLacks(Vec<String>),
}

impl FixPlan {
    /// The plan from a finished run: every pair a failing (or warning)
    /// scope verdict names, once; those another pair of the plan implies
    /// dropped; Full Access only when `include` names it.
    pub fn of(report: &Report, ctx: &RunContext, include: &[String]) -> FixPlan {
        let granted: Vec<Pair> = ctx
            .granted()
            .map(|grants| grants.iter().map(|g| Pair::of_grant(g, ctx)).collect())
            .unwrap_or_default();
        // The pairs `check`'s "What to fix" shows: the same list.
        let mut named: Vec<Pair> = Vec::new();
        // With the granted scopes read, nothing is a guess: what is not held is missing.
        let exact = ctx.granted().is_some();
        for ToAdd {
            scope,
            may_be_granted,
        } in scopes_to_add(&report.checks)
        {
            let pair = Pair {
                may_be_granted: may_be_granted && !exact,
                ..Pair::of_missing(scope)
            };
            // The checks name none there; a verdict from elsewhere (a report
            // of an older version) must not make the plan add one either.
            if !pair.where_unmanaged(ctx) {
                named.push(pair);
            }
        }
        let mut withheld = Vec::new();
        named.retain(
            |pair| match WITHHELD.iter().find(|w| w.scope == pair.scope) {
                Some(w) if !include.iter().any(|i| i == w.scope) => {
                    withheld.push(Withheld {
                        pair: pair.clone(),
                        why: w.why.to_string(),
                    });
                    false
                }
                _ => true,
            },
        );
        // The verdicts already judged the granted list, and the list left
        // out what another pair of it implies; what remains to drop is a
        // pair a grant implies or holds.
        let add: Vec<Pair> = named
            .iter()
            .filter(|pair| {
                let implied = granted.iter().any(|by| pair.implied_by(by));
                let held = granted.iter().any(|g| g.same_place(pair));
                !(implied || held)
            })
            .cloned()
            .collect();
        let identity = ctx.facts.identity.get();
        let app_name = identity.and_then(|i| match &i.kind {
            crate::doctor::facts::TokenKind::ConnectedApp { name, .. } => name.clone(),
            crate::doctor::facts::TokenKind::User { app_name, .. } => app_name.clone(),
        });
        let client_id = ctx.subject_client_id();
        let root = ctx.facts.org.get().map(|o| &o.root);
        FixPlan {
            app: App {
                name: app_name,
                client_id_masked: client_id.as_deref().map(mask_id),
                client_id,
            },
            host: report.target.host.clone(),
            org_id: root.map(|o| o.id.clone()),
            org_name: root.map(|o| o.name.clone()),
            granted_read: ctx.granted().is_some(),
            granted,
            add,
            withheld,
            unsettled: unsettled(report),
            origin: Origin::Verdicts,
        }
    }

    /// Some check the plan rests on could not be run: the plan may lack pairs.
    pub fn incomplete(&self) -> bool {
        self.unsettled.iter().any(Unsettled::unchecked)
    }

    /// Every pair the app should hold once the plan is applied: the granted
    /// ones, then the added ones (for an authoritative list).
    pub fn whole_list(&self) -> Vec<&Pair> {
        self.granted.iter().chain(&self.add).collect()
    }
}

/// The failing (or warning) verdicts that name a missing scope, or one that
/// may be: what the plan adds, and what applying it must turn green.
fn naming_a_missing_scope(report: &Report) -> impl Iterator<Item = &Outcome> {
    report
        .checks
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Warn))
        .filter(|o| o.missing_scope.is_some() || !o.maybe_missing.is_empty())
}

/// The scope checks without a verdict on a missing scope: errors, skips for
/// a failure upstream, and warnings with a fix but no scope named (an
/// inconclusive probe), which an org admin's token would settle.
fn unsettled(report: &Report) -> Vec<Unsettled> {
    report
        .checks
        .iter()
        .filter(|o| matches!(o.category.as_str(), "scope" | "capability"))
        .filter(|o| o.missing_scope.is_none() && o.maybe_missing.is_empty())
        .filter(|o| match o.status {
            Status::Error => true,
            Status::Skip => o.blocked_by.is_some() || o.remediation.is_some(),
            Status::Warn => true,
            Status::Pass | Status::Fail => false,
        })
        .map(|o| Unsettled {
            check: o.id.clone(),
            target: o.target.clone(),
            status: o.status,
            summary: o.summary.clone(),
            blocked_by: o.blocked_by.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(scope: &str, org: &str, env: Option<&str>) -> Pair {
        Pair {
            scope: scope.into(),
            name: Catalogue::get().name(scope).into(),
            org_id: Some(org.into()),
            org_name: None,
            env_id: env.map(str::to_string),
            env_name: None,
            other_params: Vec::new(),
            may_be_granted: false,
        }
    }

    #[test]
    fn a_pair_is_implied_only_in_its_own_place() {
        let contracts = pair("manage:api_contracts", "bg", Some("sbx"));
        assert!(contracts.implied_by(&pair("manage:apis", "bg", Some("sbx"))));
        assert!(!contracts.implied_by(&pair("manage:apis", "bg", Some("prod"))));
        assert!(!contracts.implied_by(&pair("manage:apis", "other", Some("sbx"))));
        assert!(contracts.implied_by(&pair("manage:api_contracts_all_envs", "bg", None)));
        assert!(!contracts.implied_by(&contracts.clone()));
    }

    #[test]
    fn include_takes_only_withheld_scopes() {
        assert!(validate_include(&["full".into()]).is_ok());
        let error = validate_include(&["manage:apis".into()]).unwrap_err();
        assert!(error.to_string().contains("full (Full Access)"), "{error}");
    }
}
