//! `--for-har`: the places a traffic file's needs are in (business groups,
//! environments), in the org the run targets. An id that is the target's own
//! is used as it is; another org's id is mapped by the name the traffic gives
//! it (its Access Management answers), matched exactly against the target's
//! business groups and environments; a place neither finds is reported by id
//! and name, never guessed.

use std::fmt;

use super::Target;
use super::render::Names;
use crate::doctor::facts::OrgInfo;
use crate::platform::models::Environment;

/// A place of the traffic with no counterpart in the target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unmapped {
    /// `business group` or `environment`.
    pub what: &'static str,
    pub id: String,
    /// The name the traffic gives it, when it gives one.
    pub name: Option<String>,
    pub why: String,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} \"{name}\" ({})", self.what, self.id),
            None => write!(f, "{} {}", self.what, self.id),
        }?;
        write!(f, ": {}", self.why)
    }
}

/// The organization a run targets: its root and the business groups it could read.
pub struct TargetOrgs<'a> {
    pub root: &'a OrgInfo,
    pub groups: &'a [OrgInfo],
}

impl TargetOrgs<'_> {
    fn all(&self) -> impl Iterator<Item = &OrgInfo> {
        std::iter::once(self.root).chain(self.groups.iter())
    }

    /// The target's business group for the traffic's `id`.
    pub fn org(&self, id: &str, names: &Names) -> Result<OrgInfo, Unmapped> {
        if let Some(own) = self.all().find(|o| o.id == id) {
            return Ok(own.clone());
        }
        by_name(
            "business group",
            id,
            names,
            self.all().map(|o| (o, o.name.as_str())),
            "the target organization",
        )
        .cloned()
    }
}

/// The environment of `org` (the target's, already mapped) for the traffic's `id`.
pub fn env(
    id: &str,
    names: &Names,
    org: &OrgInfo,
    envs: &[Environment],
) -> Result<Environment, Unmapped> {
    if let Some(own) = envs.iter().find(|e| e.id == id) {
        return Ok(own.clone());
    }
    let within = format!("business group \"{}\"", org.name);
    by_name(
        "environment",
        id,
        names,
        envs.iter().map(|e| (e, e.name.as_str())),
        &within,
    )
    .cloned()
}

/// The one place named as the traffic names `id`; none, or two, is reported.
fn by_name<'a, T>(
    what: &'static str,
    id: &str,
    names: &Names,
    places: impl Iterator<Item = (&'a T, &'a str)>,
    within: &str,
) -> Result<&'a T, Unmapped> {
    let unmapped = |name: Option<&String>, why: String| Unmapped {
        what,
        id: id.to_string(),
        name: name.cloned(),
        why,
    };
    let Some(name) = names.get(id) else {
        return Err(unmapped(
            None,
            format!("it is not {within}'s, and the traffic gives it no name to match"),
        ));
    };
    let same: Vec<&T> = places.filter(|(_, n)| *n == name).map(|(p, _)| p).collect();
    match same.as_slice() {
        [one] => Ok(one),
        [] => Err(unmapped(
            Some(name),
            format!("{within} has no {what} of that name"),
        )),
        _ => Err(unmapped(
            Some(name),
            format!("{within} has {} of that name: grant it by hand", same.len()),
        )),
    }
}

/// A need's place in the target: the target's ids, and the names they go by.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub target: Target,
    pub org: Option<OrgInfo>,
    pub env: Option<Environment>,
}

/// `target` (the traffic's ids) in the target org; `traffic_roots` are the
/// traffic's root organizations, which are the target's root whatever their
/// name (a recording made against the simulator's "Example Corp" checks
/// your own org); `envs_of` gives the environments of a business group of
/// the target, when they could be read.
pub fn map(
    target: &Target,
    names: &Names,
    traffic_roots: &[String],
    orgs: &TargetOrgs<'_>,
    envs_of: &dyn Fn(&str) -> Option<Vec<Environment>>,
) -> Result<Mapped, Unmapped> {
    let org_of = |org: &String| {
        if traffic_roots.contains(org) {
            Ok(orgs.root.clone())
        } else {
            orgs.org(org, names)
        }
    };
    let placed = |target: Target, org: Option<OrgInfo>, env: Option<Environment>| Mapped {
        target,
        org,
        env,
    };
    match target {
        Target::Anywhere | Target::Unnamed { .. } => Ok(placed(target.clone(), None, None)),
        // A root-org scope is the target's root, whatever the traffic calls it.
        Target::RootOrg { .. } => Ok(placed(
            Target::RootOrg {
                org: orgs.root.id.clone(),
            },
            Some(orgs.root.clone()),
            None,
        )),
        Target::Org { org } => {
            let mapped = org_of(org)?;
            Ok(placed(
                Target::Org {
                    org: mapped.id.clone(),
                },
                Some(mapped),
                None,
            ))
        }
        Target::Env { org, env: id } => {
            let mapped = org_of(org)?;
            let Some(envs) = envs_of(&mapped.id) else {
                return Err(Unmapped {
                    what: "environment",
                    id: id.clone(),
                    name: names.get(id).cloned(),
                    why: format!(
                        "the environments of business group \"{}\" could not be read",
                        mapped.name
                    ),
                });
            };
            let environment = env(id, names, &mapped, &envs)?;
            Ok(placed(
                Target::Env {
                    org: mapped.id.clone(),
                    env: environment.id.clone(),
                },
                Some(mapped),
                Some(environment),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, name: &str) -> OrgInfo {
        OrgInfo {
            id: id.into(),
            name: name.into(),
        }
    }

    fn environment(id: &str, name: &str) -> Environment {
        Environment {
            id: id.into(),
            name: name.into(),
            is_production: false,
            kind: None,
        }
    }

    fn names(pairs: &[(&str, &str)]) -> Names {
        pairs
            .iter()
            .map(|(id, name)| (id.to_string(), name.to_string()))
            .collect()
    }

    fn mapped(target: Target, names: &Names) -> Result<Target, Unmapped> {
        let root = info("root", "Acme");
        let groups = [
            info("bg", "Payments"),
            info("bg2", "Twin"),
            info("bg3", "Twin"),
        ];
        let orgs = TargetOrgs {
            root: &root,
            groups: &groups,
        };
        let envs = |org: &str| {
            (org == "root").then(|| {
                vec![
                    environment("sbx", "Sandbox"),
                    environment("prd", "Production"),
                ]
            })
        };
        map(&target, names, &[], &orgs, &envs).map(|m| m.target)
    }

    fn at(org: &str, env: &str) -> Target {
        Target::Env {
            org: org.into(),
            env: env.into(),
        }
    }

    #[test]
    fn the_targets_own_ids_stay_and_another_orgs_are_mapped_by_name() {
        let none = Names::new();
        assert_eq!(mapped(at("root", "prd"), &none), Ok(at("root", "prd")));
        let other = names(&[("o-root", "Acme"), ("o-prd", "Production")]);
        assert_eq!(mapped(at("o-root", "o-prd"), &other), Ok(at("root", "prd")));
        let group = names(&[("o-bg", "Payments")]);
        assert_eq!(
            mapped(Target::Org { org: "o-bg".into() }, &group),
            Ok(Target::Org { org: "bg".into() })
        );
    }

    #[test]
    fn a_place_without_a_name_or_a_match_is_reported_not_guessed() {
        let unnamed = mapped(at("o-root", "o-prd"), &Names::new()).unwrap_err();
        assert_eq!((unnamed.what, unnamed.name), ("business group", None));
        let other = names(&[("o-root", "Acme"), ("o-prd", "Staging")]);
        let unmatched = mapped(at("o-root", "o-prd"), &other).unwrap_err();
        assert_eq!(unmatched.what, "environment");
        assert_eq!(unmatched.name.as_deref(), Some("Staging"));
        assert!(
            unmatched.why.contains("no environment of that name"),
            "{unmatched}"
        );
        let twice = mapped(Target::Org { org: "x".into() }, &names(&[("x", "Twin")])).unwrap_err();
        assert!(twice.why.contains("2 of that name"), "{twice}");
        let unread = mapped(at("bg", "e"), &Names::new()).unwrap_err();
        assert!(unread.why.contains("could not be read"), "{unread}");
    }
}
