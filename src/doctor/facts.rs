//! The facts checks learn and share during a run: who the token belongs
//! to, the org and its business groups, the environments, the granted
//! scopes; and finding an org or environment by id or name.

use std::sync::{Arc, OnceLock};

use tokio::sync::OnceCell;

use crate::doctor::catalogue::Service;
use crate::doctor::codes::Reason;
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::Evidence;
use crate::platform::models::{Environment, ScopeGrant};

/// Who the token belongs to.
#[derive(Debug, Clone)]
pub enum TokenKind {
    ConnectedApp {
        client_id: String,
        name: Option<String>,
    },
    User {
        username: Option<String>,
        /// In an exact run: the name of the app whose scopes the token reads.
        app_name: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub kind: TokenKind,
    /// The organization that owns the app (or the user); in an exact run,
    /// the app's, when an admin's token could read it.
    pub org_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgInfo {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct OrgFacts {
    /// The organization or business group being checked.
    pub org: OrgInfo,
    /// The root organization, where client applications live.
    pub root: OrgInfo,
    /// Every business group below the root that could be read, each id
    /// once, in the hierarchy's order; shared by the contexts of a sweep.
    pub business_groups: Arc<[OrgInfo]>,
}

impl OrgFacts {
    pub fn org_is_root(&self) -> bool {
        self.org.id == self.root.id
    }
}

#[derive(Debug, Clone)]
pub struct EnvFacts {
    /// Every environment of the org being checked.
    pub all: Vec<Environment>,
    /// The environments named by --env (all of them by default).
    pub selected: Vec<Environment>,
}

impl EnvFacts {
    pub fn name_of(&self, id: &str) -> Option<&str> {
        self.all
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.name.as_str())
    }

    /// Whether the environment with this id is a design environment.
    pub fn is_design(&self, id: &str) -> bool {
        self.all.iter().any(|e| e.id == id && e.is_design())
    }

    /// The selected environments `service` works in (all of them for none):
    /// a check of API Manager's leaves out the design ones (reference §12.1).
    pub fn selected_for(&self, service: Option<Service>) -> Vec<&Environment> {
        self.selected
            .iter()
            .filter(|env| service.is_none_or(|s| s.manages(env)))
            .collect()
    }

    /// Why a check of `service` has no environment to run in, when the
    /// selection has some but the service manages none of them.
    pub fn none_managed(&self, service: Option<Service>) -> Option<Verdict> {
        let service = service?;
        if self.selected.is_empty() || !self.selected_for(Some(service)).is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .selected
            .iter()
            .map(|e| format!("\"{}\"", e.name))
            .collect();
        let is = if names.len() == 1 {
            "is a design environment"
        } else {
            "are design environments"
        };
        Some(Verdict::new(
            Reason::EnvDesign,
            Status::Skip,
            format!(
                "not run: {} {is}, and {} does not manage design environments",
                names.join(", "),
                service.name()
            ),
        ))
    }
}

/// The app's granted scopes, or why they could not be read.
#[derive(Debug, Clone)]
pub enum Grants {
    Readable(Vec<ScopeGrant>),
    Unreadable(String),
}

#[derive(Default)]
pub struct Facts {
    /// The first hop's addresses, as `net.dns` resolved them.
    pub addresses: OnceLock<Vec<std::net::SocketAddr>>,
    pub identity: OnceLock<Identity>,
    pub org: OnceLock<OrgFacts>,
    pub environments: OnceLock<EnvFacts>,
    pub(super) grants: OnceCell<(Grants, Vec<Evidence>)>,
}

/// Something the user may name by id or by name (an org, an environment).
pub trait Named {
    fn id(&self) -> &str;
    fn name(&self) -> &str;
}

impl Named for OrgInfo {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for Environment {
    fn id(&self) -> &str {
        &self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
}

/// Id first, then the exact name, then the name ignoring case.
pub fn find_by_id_or_name<'a, T: Named>(items: &'a [T], wanted: &str) -> Option<&'a T> {
    items
        .iter()
        .find(|i| i.id() == wanted)
        .or_else(|| items.iter().find(|i| i.name() == wanted))
        .or_else(|| items.iter().find(|i| i.name().eq_ignore_ascii_case(wanted)))
}
