//! `--select` / `--ignore`: which checks run, by id or category prefix. The
//! checks a selected check requires always run too, so it has its facts.

use super::registry::Registry;
use crate::error::ConfigError;

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
                known: registry.ids().join(", "),
            });
        }
    }
    Ok(())
}

/// Indices into the registry of the checks to run, in registry order.
pub fn select(
    registry: &Registry,
    select: &[String],
    ignore: &[String],
) -> Result<Vec<usize>, ConfigError> {
    validate(registry, select, "--select")?;
    validate(registry, ignore, "--ignore")?;
    let mut chosen: Vec<bool> = registry
        .checks
        .iter()
        .map(|c| {
            (select.is_empty() || select.iter().any(|s| matches(s, &c.id)))
                && !ignore.iter().any(|s| matches(s, &c.id))
        })
        .collect();
    // Requirements come earlier in the registry, so one backward pass closes the set.
    for index in (0..registry.checks.len()).rev() {
        if chosen[index] {
            for required in &registry.checks[index].requires {
                if let Some(at) = registry.index_of(required) {
                    chosen[at] = true;
                }
            }
        }
    }
    Ok((0..registry.checks.len()).filter(|&i| chosen[i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(select_: &[&str], ignore: &[&str]) -> Vec<String> {
        let registry = Registry::get();
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        select(registry, &own(select_), &own(ignore))
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
        let err = select(Registry::get(), &["scope.nope".into()], &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--select") && err.contains("scope.manage-contracts"),
            "{err}"
        );
        assert!(select(Registry::get(), &[], &["sco".into()]).is_err());
    }
}
