//! The scope catalogue and the capabilities (`scopes/*.toml`, embedded at
//! build time): each scope's name, context and implications, each
//! capability's any-of scopes, with their sources; and what follows from
//! them: which granted scopes satisfy a scope or a capability, and how.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::spec::ScopeContext;
use crate::embedded::{EmbeddedError, parse_file};
use crate::platform::models::Environment;

/// How sure a fact is (the reference's [C], [C3], [I]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Confirmed,
    ThirdParty,
    Inferred,
}

/// The product a scope is for, where that limits the environments it is
/// needed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// "API Manager displays all environments except design environments"
    /// and cannot be switched to one (reference §12.1).
    ApiManager,
}

impl Service {
    /// Whether the service works in `env` at all: a scope of it is neither
    /// needed nor added where it does not.
    pub fn manages(self, env: &Environment) -> bool {
        match self {
            Service::ApiManager => !env.is_design(),
        }
    }

    /// The service a request path (or template) goes to, among those with
    /// such a limit: each serves its own base path.
    pub fn of_path(path: &str) -> Option<Service> {
        path.starts_with("/apimanager/")
            .then_some(Service::ApiManager)
    }

    /// `API Manager`, as sentences name it.
    pub fn name(self) -> &'static str {
        match self {
            Service::ApiManager => "API Manager",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeEntry {
    /// The identifier Access Management uses (`manage:api_contracts`).
    pub id: String,
    /// The name the Access Management UI shows.
    pub name: String,
    pub context: ScopeContext,
    pub confidence: Confidence,
    /// Scopes this one also grants.
    #[serde(default)]
    pub implies: Vec<String>,
    #[serde(default = "confirmed")]
    pub implies_confidence: Confidence,
    /// False for scopes an app acting on its own behalf cannot use.
    #[serde(default = "yes")]
    pub client_credentials: bool,
    /// The product it is for, when that limits where it is needed.
    #[serde(default)]
    pub service: Option<Service>,
    /// Which request proves it held, which disproves it, and what only the
    /// granted scopes can tell.
    pub proof: String,
    pub source: String,
}

fn confirmed() -> Confidence {
    Confidence::Confirmed
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// Stable id, as `--for` takes it (`create-contract`).
    pub id: String,
    pub title: String,
    pub context: ScopeContext,
    /// Any one of these allows it, least privilege first; empty: no scope to add.
    pub any_of: Vec<String>,
    /// Scopes it needs besides one of `any_of`, every one (each, or a scope
    /// that implies it, in that scope's own context).
    #[serde(default)]
    pub all_of: Vec<String>,
    /// `METHOD /path/{template}` of the calls that need it.
    pub calls: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub source: String,
    /// What proves it without an org admin's token.
    pub proof: CapabilityProof,
}

/// How a run without an org admin's token settles a capability.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityProof {
    /// The answers that prove it.
    pub proven_by: String,
    /// The answers that disprove it.
    pub disproven_by: String,
    /// What stays unproven: the gate stays closed on it.
    pub unprovable: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopesFile {
    scope: Vec<ScopeEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapabilitiesFile {
    capability: Vec<Capability>,
}

pub struct Catalogue {
    pub scopes: Vec<ScopeEntry>,
    pub capabilities: Vec<Capability>,
}

const SCOPES_FILE: &str = include_str!("../../scopes/scopes.toml");
const CAPABILITIES_FILE: &str = include_str!("../../scopes/capabilities.toml");

/// The scopes MuleSoft's KB 005385409 lists for creating client applications
/// and contracts, in its order. "API Manager Administrator" is taken to mean
/// API Manager Environment Administrator (reference §11.12).
pub const KB_SCOPES: &[&str] = &[
    "manage:org_client_applications",
    "read:org_client_applications",
    "manage:api_contracts",
    "manage:exchange",
    "manage:apis",
    "full",
    "offline_access",
];

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    Catalogue::parse(SCOPES_FILE, CAPABILITIES_FILE)
        .unwrap_or_else(|e| panic!("the embedded scope catalogue is invalid: {e}"))
});

/// How a granted scope satisfies a wanted one: itself, or through implications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The granted scope, first; the wanted one, last.
    pub chain: Vec<String>,
    /// Every implication on the way is confirmed (and the granted scope is
    /// not itself a hypothesis).
    pub confirmed: bool,
}

impl Route {
    pub fn granted(&self) -> &str {
        &self.chain[0]
    }

    /// The granted scope covers a wanted one bound to environments while it
    /// is bound to an org: it applies to every environment of that org.
    pub fn spans_environments(&self, catalogue: &Catalogue) -> bool {
        catalogue.context(self.granted()) == Some(ScopeContext::Org)
            && catalogue.context(self.chain.last().expect("a chain")) == Some(ScopeContext::Env)
    }
}

impl Catalogue {
    pub fn get() -> &'static Catalogue {
        &CATALOGUE
    }

    pub fn parse(scopes: &str, capabilities: &str) -> Result<Catalogue, EmbeddedError> {
        let scopes: ScopesFile = parse_file("scopes/scopes.toml", scopes)?;
        let capabilities: CapabilitiesFile = parse_file("scopes/capabilities.toml", capabilities)?;
        Ok(Catalogue {
            scopes: scopes.scope,
            capabilities: capabilities.capability,
        })
    }

    pub fn scope(&self, id: &str) -> Option<&ScopeEntry> {
        self.scopes.iter().find(|s| s.id == id)
    }

    pub fn capability(&self, id: &str) -> Option<&Capability> {
        self.capabilities.iter().find(|c| c.id == id)
    }

    pub fn capability_ids(&self) -> Vec<&str> {
        self.capabilities.iter().map(|c| c.id.as_str()).collect()
    }

    fn context(&self, id: &str) -> Option<ScopeContext> {
        self.scope(id).map(|s| s.context)
    }

    /// The service every one of `scopes` is for, if they share one: a
    /// capability any of whose scopes allows it is that service's.
    pub fn service_of(&self, scopes: &[String]) -> Option<Service> {
        let mut services = scopes
            .iter()
            .map(|id| self.scope(id).and_then(|s| s.service));
        let first = services.next()??;
        services.all(|s| s == Some(first)).then_some(first)
    }

    /// What is wrong with the catalogue: an implication or a capability
    /// naming a scope it does not have, a KB scope it lacks. The registry
    /// tests require none, so a broken file never reaches a user's run.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for scope in &self.scopes {
            for implied in &scope.implies {
                if self.scope(implied).is_none() || implied == &scope.id {
                    problems.push(format!("{} implies unknown scope {implied}", scope.id));
                }
            }
        }
        for capability in &self.capabilities {
            for scope in capability.any_of.iter().chain(&capability.all_of) {
                if self.scope(scope).is_none() {
                    problems.push(format!(
                        "capability {} names unknown scope {scope}",
                        capability.id
                    ));
                }
            }
        }
        problems.extend(
            KB_SCOPES
                .iter()
                .filter(|s| self.scope(s).is_none())
                .map(|s| format!("the KB scope {s} is missing")),
        );
        problems
    }

    /// The UI name of a scope, or its identifier when the catalogue lacks it.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.scope(id).map_or(id, |s| s.name.as_str())
    }

    /// `Name (identifier)`, as verdicts show a scope.
    pub fn label(&self, id: &str) -> String {
        format!("{} ({id})", self.name(id))
    }

    /// How `granted` satisfies `wanted`: the shortest chain of implications
    /// (breadth first), preferring confirmed ones; `None` when it does not.
    pub fn route(&self, granted: &str, wanted: &str) -> Option<Route> {
        let mut best: Option<Route> = None;
        let mut frontier = vec![Route {
            chain: vec![granted.to_string()],
            confirmed: self
                .scope(granted)
                .is_none_or(|s| s.confidence != Confidence::Inferred),
        }];
        let mut seen = BTreeSet::new();
        while !frontier.is_empty() && best.as_ref().is_none_or(|b| !b.confirmed) {
            let mut next = Vec::new();
            for route in frontier {
                let last = route.chain.last().expect("a chain").clone();
                if last == wanted {
                    if best
                        .as_ref()
                        .is_none_or(|b| route.confirmed && !b.confirmed)
                    {
                        best = Some(route);
                    }
                    continue;
                }
                if !seen.insert(last.clone()) {
                    continue;
                }
                let Some(entry) = self.scope(&last) else {
                    continue;
                };
                for implied in &entry.implies {
                    let mut chain = route.chain.clone();
                    chain.push(implied.clone());
                    next.push(Route {
                        chain,
                        confirmed: route.confirmed
                            && entry.implies_confidence != Confidence::Inferred,
                    });
                }
            }
            frontier = next;
        }
        best
    }

    /// Every scope that satisfies one of `wanted` (itself included).
    pub fn satisfiers(&self, wanted: &[String]) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = wanted.iter().cloned().collect();
        for scope in &self.scopes {
            if wanted.iter().any(|w| self.route(&scope.id, w).is_some()) {
                out.insert(scope.id.clone());
            }
        }
        out
    }

    /// The scopes that allow a capability for certain: its own, least
    /// privilege first, then those that imply one of them (confirmed).
    pub fn allowing<'a>(&'a self, capability: &'a Capability) -> Vec<&'a str> {
        let mut ids: Vec<&str> = capability.any_of.iter().map(String::as_str).collect();
        for scope in &self.scopes {
            let implies = capability
                .any_of
                .iter()
                .any(|w| self.route(&scope.id, w).is_some_and(|r| r.confirmed));
            if implies && !ids.contains(&scope.id.as_str()) {
                ids.push(&scope.id);
            }
        }
        ids
    }

    /// `allowing`, by UI name.
    pub fn describe_capability(&self, capability: &Capability) -> String {
        let names: Vec<String> = self
            .allowing(capability)
            .iter()
            .map(|id| self.name(id).to_string())
            .collect();
        or_list(&names)
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_ids_are_unique() {
        let catalogue = Catalogue::get();
        let mut seen = BTreeSet::new();
        for scope in &catalogue.scopes {
            assert!(seen.insert(&scope.id), "duplicate scope {}", scope.id);
            assert!(!scope.source.trim().is_empty(), "{}: no source", scope.id);
        }
        let mut seen = BTreeSet::new();
        for capability in &catalogue.capabilities {
            assert!(
                seen.insert(&capability.id),
                "duplicate capability {}",
                capability.id
            );
            assert!(!capability.source.trim().is_empty());
            assert!(
                capability
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}: kebab-case",
                capability.id
            );
        }
    }

    #[test]
    fn every_implication_and_capability_scope_is_in_the_catalogue() {
        assert_eq!(Catalogue::get().problems(), Vec::<String>::new());
    }

    #[test]
    fn an_unknown_implication_is_a_problem_the_test_finds() {
        let broken = "[[scope]]\nid = \"a\"\nname = \"A\"\ncontext = \"org\"\nconfidence = \"confirmed\"\nimplies = [\"nope\"]\nproof = \"y\"\nsource = \"x\"\n";
        let catalogue = Catalogue::parse(broken, "capability = []").unwrap();
        let problems = catalogue.problems();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("a implies unknown scope nope")),
            "{problems:?}"
        );
    }

    #[test]
    fn routes_follow_implications_with_their_confidence() {
        let catalogue = Catalogue::get();
        let contracts = catalogue
            .route("manage:apis", "manage:api_contracts")
            .unwrap();
        assert_eq!(contracts.chain, ["manage:apis", "manage:api_contracts"]);
        assert!(contracts.confirmed);
        assert!(
            catalogue
                .route("manage:api_contracts_all_envs", "manage:api_contracts")
                .unwrap()
                .spans_environments(catalogue)
        );
        let admin = catalogue
            .route("admin:api_manager", "read:api_configuration")
            .unwrap();
        assert!(!admin.confirmed, "admin:api_manager is a hypothesis");
        assert_eq!(admin.chain.len(), 3);
        assert!(
            catalogue
                .route(
                    "create:client_applications",
                    "manage:org_client_applications"
                )
                .is_none(),
            "Application Creator does not imply Manage Client Applications"
        );
        assert!(
            catalogue
                .route(
                    "manage:org_client_applications",
                    "read:org_client_applications"
                )
                .is_some()
        );
    }

    #[test]
    fn api_manager_scopes_and_capabilities_say_so() {
        let catalogue = Catalogue::get();
        // Every environment-bound scope but View Environment (Access
        // Management's) is API Manager's (reference §7, §12.1).
        for scope in &catalogue.scopes {
            let expected = (scope.context == ScopeContext::Env && scope.id != "view:environment")
                .then_some(Service::ApiManager);
            if scope.context == ScopeContext::Env {
                assert_eq!(scope.service, expected, "{}", scope.id);
            }
        }
        for id in [
            "list-api-instances",
            "create-api-instance",
            "create-contract",
        ] {
            let capability = catalogue.capability(id).unwrap();
            assert_eq!(
                catalogue.service_of(&capability.any_of),
                Some(Service::ApiManager),
                "{id}"
            );
        }
        let create = catalogue.capability("create-client-application").unwrap();
        assert_eq!(catalogue.service_of(&create.any_of), None);
        assert_eq!(catalogue.service_of(&[]), None);
        assert_eq!(
            Service::of_path("/apimanager/api/v1/organizations/{orgId}/environments/{envId}/apis"),
            Some(Service::ApiManager)
        );
        assert_eq!(
            Service::of_path("/exchange/api/v2/organizations/{orgId}/applications"),
            None
        );
    }

    #[test]
    fn satisfiers_include_the_implying_scopes() {
        let catalogue = Catalogue::get();
        let contract = catalogue.capability("create-contract").unwrap();
        let set = catalogue.satisfiers(&contract.any_of);
        for scope in [
            "manage:api_contracts",
            "manage:apis",
            "manage:api_contracts_all_envs",
            "admin:api_manager",
        ] {
            assert!(set.contains(scope), "{scope}");
        }
        let create = catalogue.capability("create-client-application").unwrap();
        assert_eq!(
            catalogue.satisfiers(&create.any_of),
            BTreeSet::from([
                "create:client_applications".to_string(),
                "manage:org_client_applications".to_string()
            ])
        );
    }
}
