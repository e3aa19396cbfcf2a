//! `--select` / `--ignore` / `--for`: which checks run, by id, category
//! prefix or capability. The checks a selected check requires always run
//! too, so it has its facts. Without any, the default run: every check that
//! is not on demand (MuleSoft's recommended scopes, not the capabilities).

use super::registry::Registry;
use crate::error::ConfigError;
use crate::suggest::hint;

fn matches(selector: &str, id: &str) -> bool {
    selector.eq_ignore_ascii_case("all")
        || id == selector
        || id
            .strip_prefix(selector)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn validate(registry: &Registry, selectors: &[String], setting: &str) -> Result<(), ConfigError> {
    for selector in selectors {
        if !registry.checks.iter().any(|c| matches(selector, &c.id)) {
            return Err(ConfigError::UnknownCheck {
                value: selector.clone(),
                setting: setting.to_string(),
                hint: hint(selector, &registry.ids(), "ids", "anypoint-doctor list"),
            });
        }
    }
    Ok(())
}

/// What `check` was asked to run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'a> {
    pub select: &'a [String],
    pub ignore: &'a [String],
    /// Capability ids (`--for`).
    pub capabilities: &'a [String],
}

/// Indices into the registry of the checks to run, in registry order.
pub fn select(registry: &Registry, wanted: Selection<'_>) -> Result<Vec<usize>, ConfigError> {
    let Selection {
        select,
        ignore,
        capabilities,
    } = wanted;
    validate(registry, select, "--select")?;
    validate(registry, ignore, "--ignore")?;
    let catalogue = super::catalogue::Catalogue::get();
    let mut proving = Vec::new();
    for capability in capabilities {
        if catalogue.capability(capability).is_none() {
            return Err(ConfigError::UnknownCapability {
                value: capability.clone(),
                hint: hint(
                    capability,
                    &catalogue.capability_ids(),
                    "capabilities",
                    "anypoint-doctor list --capabilities",
                ),
            });
        }
        proving.extend(registry.proving(capability));
    }
    let mut chosen: Vec<bool> = registry
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let asked = if !select.is_empty() || !capabilities.is_empty() {
                select.iter().any(|s| matches(s, &c.id)) || proving.contains(&i)
            } else {
                !c.on_demand
            };
            asked && !ignore.iter().any(|s| matches(s, &c.id))
        })
        .collect();
    registry.close_over_requirements(&mut chosen);
    let chosen: Vec<usize> = (0..registry.checks.len()).filter(|&i| chosen[i]).collect();
    if chosen.is_empty() {
        // Only --ignore can take every check away: a selector matches one.
        // Running nothing would exit 0 as if all were well.
        return Err(ConfigError::Invalid {
            setting: format!("--ignore {}", ignore.join(",")),
            reason: "it skips every check that would run, so nothing would be checked; ignore fewer (anypoint-doctor list shows the ids)".into(),
        });
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(select_: &[&str], ignore: &[&str]) -> Vec<String> {
        let registry = Registry::get();
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        select(
            registry,
            Selection {
                select: &own(select_),
                ignore: &own(ignore),
                capabilities: &[],
            },
        )
        .unwrap()
        .into_iter()
        .map(|i| registry.checks[i].id.clone())
        .collect()
    }

    #[test]
    fn a_category_prefix_selects_its_checks_and_their_requirements() {
        let chosen = ids(&["scope.manage-contracts"], &[]);
        assert_eq!(
            chosen,
            [
                "net.proxy",
                "net.dns",
                "net.tcp",
                "net.tls",
                "auth.token",
                "auth.identity",
                "org.structure",
                "org.environments",
                "scope.manage-contracts"
            ]
        );
        let scopes = ids(&["scope"], &[]);
        assert!(scopes.iter().filter(|id| id.starts_with("scope.")).count() == 8);
        assert!(!scopes.iter().any(|id| id.starts_with("data.")));
    }

    #[test]
    fn ignore_removes_unless_required() {
        let chosen = ids(&[], &["deprecated", "scope.full-access"]);
        assert!(
            !chosen
                .iter()
                .any(|id| id.starts_with("deprecated.") || id == "scope.full-access")
        );
        let still = ids(&["scope.manage-contracts"], &["org.environments"]);
        assert!(still.contains(&"org.environments".to_string()));
    }

    #[test]
    fn unknown_selector_lists_the_valid_ids() {
        let bad = ["scope.nope".to_string()];
        let err = select(
            Registry::get(),
            Selection {
                select: &bad,
                ..Selection::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("--select") && err.contains("scope.manage-contracts"),
            "{err}"
        );
        let prefix = ["sco".to_string()];
        assert!(
            select(
                Registry::get(),
                Selection {
                    ignore: &prefix,
                    ..Selection::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn the_default_run_leaves_capabilities_for_when_they_are_asked_for() {
        let registry = Registry::get();
        let default: Vec<&str> = select(registry, Selection::default())
            .unwrap()
            .into_iter()
            .map(|i| registry.checks[i].id.as_str())
            .collect();
        assert!(default.contains(&"scope.manage-contracts"));
        assert!(!default.iter().any(|id| id.starts_with("capability.")));
        let wanted = ["create-contract".to_string()];
        let chosen: Vec<&str> = select(
            registry,
            Selection {
                capabilities: &wanted,
                ..Selection::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|i| registry.checks[i].id.as_str())
        .collect();
        assert_eq!(chosen.last(), Some(&"capability.create-contract"));
        assert!(chosen.contains(&"org.environments"));
        assert!(!chosen.iter().any(|id| id.starts_with("scope.")
            || id.starts_with("data.")
            || id.starts_with("deprecated.")));
        let read_org = ["read-org".to_string()];
        let chosen = select(
            registry,
            Selection {
                capabilities: &read_org,
                ..Selection::default()
            },
        )
        .unwrap();
        assert_eq!(
            registry.checks[*chosen.last().unwrap()].id,
            "org.environments"
        );
    }

    #[test]
    fn an_unknown_capability_is_a_usage_error_listing_the_valid_ones() {
        let wanted = ["create-everything".to_string()];
        let err = select(
            Registry::get(),
            Selection {
                capabilities: &wanted,
                ..Selection::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("create-everything")
                && err.contains("create-contract")
                && err.contains("--for"),
            "{err}"
        );
    }
}
