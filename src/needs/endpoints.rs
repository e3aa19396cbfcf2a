//! The endpoint catalogue (`scopes/endpoints.toml`, embedded at build time):
//! every request `needs` recognises, by method and path template, and what
//! it needs (a capability's scopes, its own, none, or an org admin), with
//! the facts' sources; and the matching of a request's path to a template.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::doctor::catalogue::{Catalogue, Confidence};
use crate::doctor::spec::ScopeContext;
use crate::embedded::{EmbeddedError, parse_file};

const ENDPOINTS_FILE: &str = include_str!("../../scopes/endpoints.toml");

/// What a request needs besides a valid token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// No scope: any token (or none) may make it.
    Nothing,
    /// No Connected App scope allows it; an org admin's token does.
    OrgAdmin,
}

/// One request the catalogue knows, as the file writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub method: String,
    /// The path template: `{name}` matches one segment.
    pub path: String,
    pub title: String,
    #[serde(default)]
    pub capability: Option<String>,
    #[serde(default)]
    pub context: Option<ScopeContext>,
    #[serde(default)]
    pub any_of: Vec<String>,
    #[serde(default)]
    pub all_of: Vec<String>,
    #[serde(default)]
    pub needs: Option<Requirement>,
    /// `METHOD /path` to call instead, for a request that no longer exists.
    #[serde(default)]
    pub retired: Option<String>,
    pub confidence: Confidence,
    pub source: String,
}

/// What a request needs, resolved: the capability's scopes where it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    Nothing,
    OrgAdmin,
    /// One of `any_of` (least privilege first) in `context`, and each of
    /// `all_of` in its own context.
    Scopes {
        context: ScopeContext,
        any_of: Vec<String>,
        all_of: Vec<String>,
    },
}

impl Endpoint {
    pub fn need(&self, catalogue: &Catalogue) -> Need {
        if let Some(id) = &self.capability
            && let Some(capability) = catalogue.capability(id)
        {
            if capability.any_of.is_empty() && capability.all_of.is_empty() {
                return Need::Nothing;
            }
            return Need::Scopes {
                context: capability.context,
                any_of: capability.any_of.clone(),
                all_of: capability.all_of.clone(),
            };
        }
        match self.needs {
            Some(Requirement::Nothing) => Need::Nothing,
            Some(Requirement::OrgAdmin) => Need::OrgAdmin,
            None => Need::Scopes {
                context: self.context.unwrap_or(ScopeContext::None),
                any_of: self.any_of.clone(),
                all_of: self.all_of.clone(),
            },
        }
    }

    /// The values of the template's `{names}` in `path`, when it matches
    /// (the method compared case-insensitively; a trailing `/` ignored).
    pub fn captures(&self, method: &str, path: &str) -> Option<Vec<(String, String)>> {
        if !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let template: Vec<&str> = self.path.trim_end_matches('/').split('/').collect();
        let actual: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        if template.len() != actual.len() {
            return None;
        }
        let mut captured = Vec::new();
        for (want, got) in template.iter().zip(&actual) {
            match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                Some(name) if !got.is_empty() => captured.push((name.to_string(), got.to_string())),
                Some(_) => return None,
                None if want == got => {}
                None => return None,
            }
        }
        Some(captured)
    }
}

/// How specific a path template is: its literal segments. Of two templates
/// that match a path, the more literal one names it (`…/assets/search`
/// before `…/assets/{groupId}`).
pub(crate) fn literal_segments(template: &str) -> usize {
    template.split('/').filter(|s| !s.starts_with('{')).count()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointsFile {
    endpoint: Vec<Endpoint>,
}

pub struct Endpoints {
    pub endpoints: Vec<Endpoint>,
}

static ENDPOINTS: LazyLock<Endpoints> = LazyLock::new(|| {
    Endpoints::parse(ENDPOINTS_FILE)
        .unwrap_or_else(|e| panic!("the embedded endpoint catalogue is invalid: {e}"))
});

impl Endpoints {
    pub fn get() -> &'static Endpoints {
        &ENDPOINTS
    }

    pub fn parse(text: &str) -> Result<Endpoints, EmbeddedError> {
        let file: EndpointsFile = parse_file("scopes/endpoints.toml", text)?;
        Ok(Endpoints {
            endpoints: file.endpoint,
        })
    }

    /// The endpoint a request is, with the template's captured ids: the most
    /// literal template that matches.
    pub fn find(&self, method: &str, path: &str) -> Option<(&Endpoint, Vec<(String, String)>)> {
        self.endpoints
            .iter()
            .filter_map(|e| e.captures(method, path).map(|ids| (e, ids)))
            .max_by_key(|(e, _)| literal_segments(&e.path))
    }

    /// What is wrong with the file against the scope catalogue: an unknown
    /// capability or scope, an entry that says neither what it needs nor
    /// which capability, one that says both, a duplicate request, a
    /// replacement the catalogue does not know. The tests require none.
    pub fn problems(&self, catalogue: &Catalogue) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, e) in self.endpoints.iter().enumerate() {
            let name = format!("{} {}", e.method, e.path);
            let own = e.context.is_some() || !e.any_of.is_empty() || !e.all_of.is_empty();
            match (&e.capability, e.needs, own) {
                (Some(id), None, false) if catalogue.capability(id).is_none() => {
                    problems.push(format!("{name}: unknown capability {id}"));
                }
                (Some(_), None, false) | (None, Some(_), false) => {}
                (None, None, true) if e.context.is_some() && !e.any_of.is_empty() => {}
                _ => problems.push(format!(
                    "{name}: name a capability, or `needs`, or a context and any_of: one of them"
                )),
            }
            for scope in e.any_of.iter().chain(&e.all_of) {
                if catalogue.scope(scope).is_none() {
                    problems.push(format!("{name}: unknown scope {scope}"));
                }
            }
            if self.endpoints[..i]
                .iter()
                .any(|other| other.method == e.method && other.path == e.path)
            {
                problems.push(format!("{name}: listed twice"));
            }
            if let Some(replacement) = &e.retired {
                let known = replacement.split_once(' ').is_some_and(|(m, p)| {
                    self.endpoints.iter().any(|o| o.method == m && o.path == p)
                });
                if !known {
                    problems.push(format!("{name}: unknown replacement {replacement}"));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_has_no_problems() {
        let problems = Endpoints::get().problems(Catalogue::get());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_capability_call_is_an_endpoint() {
        let endpoints = Endpoints::get();
        for capability in &Catalogue::get().capabilities {
            for call in &capability.calls {
                let (method, path) = call.split_once(' ').expect("METHOD /path");
                assert!(
                    endpoints
                        .endpoints
                        .iter()
                        .any(|e| e.method == method && e.path == path),
                    "{call} ({}) is no endpoint",
                    capability.id
                );
            }
        }
    }

    #[test]
    fn a_path_matches_the_most_literal_template_and_names_its_ids() {
        let endpoints = Endpoints::get();
        let (found, ids) = endpoints
            .find("get", "/exchange/api/v2/assets/search")
            .expect("the search");
        assert_eq!(found.path, "/exchange/api/v2/assets/search");
        assert!(ids.is_empty());
        let (found, ids) = endpoints
            .find(
                "GET",
                "/apimanager/api/v1/organizations/o1/environments/e1/apis/42/",
            )
            .expect("an instance");
        assert_eq!(found.title, "Read an API instance");
        assert_eq!(
            ids,
            [("orgId", "o1"), ("envId", "e1"), ("apiId", "42")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert!(endpoints.find("DELETE", "/accounts/api/me").is_none());
        assert!(
            endpoints
                .find("GET", "/accounts/api/organizations//environments")
                .is_none()
        );
    }
}
