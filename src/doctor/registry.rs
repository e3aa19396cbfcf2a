//! The registry: every check file, embedded at build time, parsed once, in
//! output order. Adding a check is a TOML file plus one line here.

use std::sync::LazyLock;

use super::spec::CheckSpec;
use crate::embedded::{EmbeddedError, embedded_files, parse_files};

pub const CHECK_FILES: &[(&str, &str)] = embedded_files![
    "checks":
    "net.proxy",
    "net.dns",
    "net.tcp",
    "net.tls",
    "net.clock",
    "auth.token",
    "auth.identity",
    "org.structure",
    "org.environments",
    "scope.manage-client-applications",
    "scope.view-client-applications",
    "scope.manage-contracts",
    "scope.exchange-administrator",
    "scope.api-manager-administrator",
    "scope.view-apis-configuration",
    "scope.full-access",
    "scope.background-access",
    "capability.list-client-applications",
    "capability.create-client-application",
    "capability.list-api-instances",
    "capability.create-api-instance",
    "capability.create-contract",
    "deprecated.exchange-v1-apis",
    "deprecated.repository-v2-create",
    "data.client-applications-empty",
];

pub struct Registry {
    pub checks: Vec<CheckSpec>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    Registry::parse(CHECK_FILES).unwrap_or_else(|e| panic!("embedded check files are invalid: {e}"))
});

impl Registry {
    /// The embedded registry. Its files are validated by the test suite, so a
    /// broken file cannot ship.
    pub fn get() -> &'static Registry {
        &REGISTRY
    }

    pub fn parse(files: &[(&str, &str)]) -> Result<Registry, EmbeddedError> {
        Ok(Registry {
            checks: parse_files("checks", files)?,
        })
    }

    pub fn find(&self, id: &str) -> Option<&CheckSpec> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.checks.iter().position(|c| c.id == id)
    }

    /// Indices of these checks and every check they require, in registry order.
    pub fn with_requirements(&self, ids: &[&str]) -> Vec<usize> {
        let mut chosen: Vec<bool> = self
            .checks
            .iter()
            .map(|c| ids.contains(&c.id.as_str()))
            .collect();
        self.close_over_requirements(&mut chosen);
        (0..self.checks.len()).filter(|&i| chosen[i]).collect()
    }

    /// Marks every check a marked check requires. Requirements come earlier
    /// in the registry, so one backward pass closes the set.
    pub fn close_over_requirements(&self, chosen: &mut [bool]) {
        for index in (0..self.checks.len()).rev() {
            if chosen[index] {
                for required in &self.checks[index].requires {
                    if let Some(at) = self.index_of(required) {
                        chosen[at] = true;
                    }
                }
            }
        }
    }

    pub fn ids(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.id.as_str()).collect()
    }

    /// The checks that prove a capability, in registry order.
    pub fn proving(&self, capability: &str) -> Vec<usize> {
        (0..self.checks.len())
            .filter(|&i| self.checks[i].capabilities().any(|c| c == capability))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_kind_is_named_as_its_check_file_says() {
        for ((_, text), check) in CHECK_FILES.iter().zip(&Registry::get().checks) {
            let table = format!("[kind.{}]", check.kind.name());
            let inline = format!("kind = \"{}\"", check.kind.name());
            assert!(
                text.contains(&table) || text.contains(&inline),
                "{}: no {table} in its file",
                check.id
            );
        }
    }

    #[test]
    fn every_check_file_parses() {
        Registry::parse(CHECK_FILES).unwrap();
    }

    #[test]
    fn ids_are_unique_match_their_file_and_category() {
        let registry = Registry::get();
        let mut seen = HashSet::new();
        for ((file_id, _), check) in CHECK_FILES.iter().zip(&registry.checks) {
            assert_eq!(*file_id, check.id, "id must equal the file name");
            assert!(seen.insert(check.id.clone()), "duplicate id {}", check.id);
            let (category, name) = check.id.split_once('.').expect("id is category.name");
            assert_eq!(category, check.category, "{}: category prefix", check.id);
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: kebab-case name",
                check.id
            );
        }
    }

    #[test]
    fn every_requirement_exists_and_comes_earlier() {
        let registry = Registry::get();
        for (index, check) in registry.checks.iter().enumerate() {
            for required in &check.requires {
                let at = registry
                    .index_of(required)
                    .unwrap_or_else(|| panic!("{} requires unknown {required}", check.id));
                assert!(
                    at < index,
                    "{} requires {required}, which must come before it",
                    check.id
                );
            }
        }
    }

    #[test]
    fn every_file_in_checks_is_registered() {
        crate::embedded::assert_every_file_registered("checks", CHECK_FILES);
    }

    #[test]
    fn scope_checks_name_the_catalogue_and_every_capability_is_proved() {
        use crate::doctor::catalogue::Catalogue;
        use crate::doctor::spec::CheckKind;
        let catalogue = Catalogue::get();
        let registry = Registry::get();
        for check in &registry.checks {
            for capability in check.capabilities() {
                assert!(
                    catalogue.capability(capability).is_some(),
                    "{}: unknown capability {capability}",
                    check.id
                );
            }
            let CheckKind::Scope(spec) = &check.kind else {
                continue;
            };
            match (&spec.scope, &spec.capability) {
                (Some(scope), None) => assert!(
                    catalogue.scope(scope).is_some(),
                    "{}: scope {scope} is not in scopes/scopes.toml",
                    check.id
                ),
                (None, Some(_)) => {}
                _ => panic!("{}: name exactly one of scope and capability", check.id),
            }
            for probe in &spec.probes {
                let proves = probe
                    .proves
                    .as_deref()
                    .unwrap_or_else(|| panic!("{}: a probe must say what it proves", check.id));
                assert!(
                    catalogue.capability(proves).is_some(),
                    "{}: its probe proves unknown capability {proves}",
                    check.id
                );
            }
        }
        for capability in &catalogue.capabilities {
            assert!(
                !registry.proving(&capability.id).is_empty(),
                "no check proves capability {}",
                capability.id
            );
        }
    }

    #[test]
    fn the_prose_of_scope_checks_names_what_the_catalogue_says() {
        use crate::doctor::catalogue::Catalogue;
        use crate::doctor::spec::CheckKind;
        let catalogue = Catalogue::get();
        for check in &Registry::get().checks {
            let CheckKind::Scope(spec) = &check.kind else {
                continue;
            };
            let what = &check.explain.what;
            let names: Vec<String> = match (&spec.scope, &spec.capability) {
                (Some(scope), _) => {
                    assert!(
                        what.contains(scope.as_str()),
                        "{}: explain.what lacks {scope}",
                        check.id
                    );
                    vec![catalogue.name(scope).to_string()]
                }
                (_, Some(id)) => {
                    let capability = catalogue.capability(id).expect("registered");
                    catalogue
                        .allowing(capability)
                        .into_iter()
                        .chain(capability.all_of.iter().map(String::as_str))
                        .map(|s| catalogue.name(s).to_string())
                        .collect()
                }
                _ => unreachable!("checked above"),
            };
            for name in names {
                assert!(
                    what.contains(&name),
                    "{}: explain.what lacks {name:?}",
                    check.id
                );
            }
        }
    }

    #[test]
    fn every_deprecated_endpoint_names_a_retired_scan_rule_matching_its_probe() {
        use crate::doctor::spec::CheckKind;
        use crate::scan::rules::Rules;
        for check in &Registry::get().checks {
            let CheckKind::DeprecatedEndpoint(spec) = &check.kind else {
                continue;
            };
            let rule = Rules::get()
                .find(&spec.rule)
                .unwrap_or_else(|| panic!("{}: no scan rule {}", check.id, spec.rule));
            assert!(
                rule.use_instead.is_some(),
                "{}: {} is not retired",
                check.id,
                rule.id
            );
            let retired = Rules::get().retired(spec.retired.method, &spec.retired.path);
            assert_eq!(
                retired.map(|r| r.id.as_str()),
                Some(rule.id.as_str()),
                "{}: its retired probe is not the rule's path",
                check.id
            );
        }
    }
}
