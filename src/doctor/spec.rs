//! A check as written in `checks/<id>.toml`: identity, dependencies, prose,
//! and the kind that runs it with the kind's own data.

use serde::{Deserialize, Serialize};

use crate::platform::ProbeMethod;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Stable public id: `<category>.<kebab-name>`, equal to the file stem.
    pub id: String,
    pub title: String,
    pub category: String,
    /// Checks that must have succeeded first; if one did not, this one is skipped.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The fix shown when the kind has nothing more specific to say.
    pub remediation: String,
    /// Capabilities (`scopes/capabilities.toml`) this check proves, besides
    /// a `scope` kind's own: `check --for` runs the checks of the capabilities named.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Runs only when `--for` or `--select` asks for it, not in the default run.
    #[serde(default)]
    pub on_demand: bool,
    pub explain: Explain,
    pub kind: CheckKind,
}

/// The prose behind `anypoint-doctor explain ID`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Explain {
    pub what: String,
    pub why: String,
    pub fix: String,
}

/// Its name comes from the same case rule as the `[kind.<name>]` table of a check file.
#[derive(Debug, Clone, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
#[strum(serialize_all = "kebab-case")]
pub enum CheckKind {
    NetProxy,
    NetDns,
    NetTcp,
    NetTls,
    NetClock,
    Token,
    Identity,
    OrgStructure,
    Environments,
    Scope(ScopeSpec),
    DeprecatedEndpoint(Box<DeprecatedSpec>),
    EmptyList(EmptyListSpec),
}

impl CheckSpec {
    /// The capabilities this check proves: those it lists, and a capability check's own.
    pub fn capabilities(&self) -> impl Iterator<Item = &str> {
        let own = match &self.kind {
            CheckKind::Scope(scope) => scope.capability.as_deref(),
            _ => None,
        };
        self.capabilities.iter().map(String::as_str).chain(own)
    }
}

impl CheckSpec {
    /// Every path its probes and lists ask for, as templates.
    pub fn paths(&self) -> Vec<&str> {
        match &self.kind {
            CheckKind::Scope(scope) => scope.probes.iter().map(|p| p.path.as_str()).collect(),
            CheckKind::DeprecatedEndpoint(d) => {
                vec![d.retired.path.as_str(), d.replacement.path.as_str()]
            }
            CheckKind::EmptyList(list) => std::iter::once(list.list.as_str())
                .chain(list.cross_lists.iter().map(|c| c.path.as_str()))
                .chain(list.contracts_in.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether it asks only about the root organization (no business group,
    /// no environment in any path): the same answer in every business group.
    pub fn is_about_the_root_org_only(&self) -> bool {
        let paths = self.paths();
        !paths.is_empty()
            && paths.iter().all(|p| {
                p.contains("{rootOrgId}") && !p.contains("{orgId}") && !p.contains("{envId}")
            })
    }
}

impl CheckKind {
    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// Which org or environment a scope is granted for (Access Management's "context").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeContext {
    /// No business group or environment.
    None,
    /// The organization or business group being checked.
    Org,
    /// The root organization, whatever org is being checked.
    RootOrg,
    /// The org being checked and each of its selected environments (one outcome each).
    Env,
}

impl ScopeContext {
    /// What Access Management asks for when the scope is added.
    pub fn describe(self) -> &'static str {
        match self {
            ScopeContext::None => "no business group or environment",
            ScopeContext::Org => "the business group being checked",
            ScopeContext::RootOrg => "the root organization",
            ScopeContext::Env => "the business group and each environment",
        }
    }
}

/// What a missing scope means for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    Fail,
    Warn,
}

/// What a `scope` check asks: whether the app holds one scope of the
/// catalogue (or one that implies it), or whether it can do what a
/// capability names (any of its scopes). Exactly one of the two.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSpec {
    /// A scope identifier of the catalogue, e.g. `manage:api_contracts`.
    pub scope: Option<String>,
    /// A capability id of the catalogue, e.g. `create-contract`.
    pub capability: Option<String>,
    #[serde(default = "missing_fails")]
    pub missing: Missing,
    /// Used, in order, when the app's granted scopes cannot be read.
    #[serde(default)]
    pub probes: Vec<ProbeSpec>,
    /// The read that proves the other scope a capability needs besides
    /// (`all_of`), aimed at the same resource as the probe: asked when the
    /// probe alone cannot settle the verdict.
    pub also: Option<AlsoSpec>,
}

/// A read that proves or disproves one scope: 200 proves it, 401/403
/// disprove it, anything else (a 404 above all) proves nothing.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoSpec {
    /// The scope it proves, of the catalogue (`read:exchange`).
    pub scope: String,
    pub path: String,
}

impl AlsoSpec {
    /// As a probe, to be sent and read like one.
    pub fn probe(&self) -> ProbeSpec {
        ProbeSpec {
            method: ProbeMethod::Get,
            path: self.path.clone(),
            body: None,
            authorized: None,
            forbidden: forbidden_statuses(),
            list: None,
            owners: None,
            proves: None,
        }
    }
}

fn missing_fails() -> Missing {
    Missing::Fail
}

/// A request whose answer tells whether the token may do something.
/// Path placeholders: `{orgId}`, `{rootOrgId}`, `{envId}`, `{clientId}`, and
/// `{apiId}`: an API instance the environment lists (a probe aimed at a
/// resource that exists, since a 404 proves nothing about scopes), with
/// `{groupId}` and `{assetId}`, the coordinates of its Exchange asset.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    pub method: ProbeMethod,
    pub path: String,
    /// JSON body; for a write probe it must be one the server has to reject.
    pub body: Option<String>,
    /// Statuses that mean "authorised" (GET: 200; write probes: 400, 422); the
    /// body must be the platform's JSON, or the answer is unreadable.
    pub authorized: Option<Vec<u16>>,
    /// Statuses that mean "not authorised".
    #[serde(default = "forbidden_statuses")]
    pub forbidden: Vec<u16>,
    /// JSON pointer to the list in a read probe's answer: an empty list proves nothing.
    pub list: Option<String>,
    /// JSON pointer, in each listed item, to its owners (`[{"entityType", "id"}]`):
    /// a list of only the app's own items proves nothing about seeing the others.
    pub owners: Option<String>,
    /// The capability an authorised answer proves (`scopes/capabilities.toml`).
    pub proves: Option<String>,
}

fn forbidden_statuses() -> Vec<u16> {
    vec![401, 403]
}

impl ProbeSpec {
    pub fn is_write(&self) -> bool {
        self.method != ProbeMethod::Get
    }

    pub fn authorized_statuses(&self) -> Vec<u16> {
        self.authorized.clone().unwrap_or_else(|| {
            if self.is_write() {
                vec![400, 422]
            } else {
                vec![200]
            }
        })
    }
}

/// A retired (or superseded) endpoint and its replacement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedSpec {
    pub retired: ProbeSpec,
    pub replacement: ProbeSpec,
    /// The scan rule that knows the retired path and its replacement
    /// (`rules/<id>.toml`), so the path is written once.
    pub rule: String,
}

/// A list that may come back empty for the wrong reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyListSpec {
    /// The list, in the root organization.
    pub list: String,
    /// JSON pointer to the items in its answer.
    pub items: String,
    /// JSON pointer, in each item, to its owners (`[{"entityType", "id"}]`).
    pub owners: String,
    /// The capability that makes the list complete (`scopes/capabilities.toml`).
    pub capability: String,
    /// Other lists of the same things; items there mean the things exist.
    #[serde(default)]
    pub cross_lists: Vec<CrossList>,
    /// Per-environment API instance list; active contracts there mean client applications exist.
    pub contracts_in: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrossList {
    pub path: String,
    pub items: String,
}
