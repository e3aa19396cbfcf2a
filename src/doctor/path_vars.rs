//! The `{…}` placeholders of a check's paths, filled from the run's facts.

use crate::doctor::context::RunContext;
use crate::platform::models::Environment;

/// Values for the `{…}` placeholders in check paths.
#[derive(Debug, Clone, Default)]
pub struct PathVars {
    pub org_id: Option<String>,
    pub root_org_id: Option<String>,
    pub env_id: Option<String>,
    pub client_id: Option<String>,
    /// An API instance the environment lists.
    pub api_id: Option<String>,
    /// Its Exchange asset's business group and id.
    pub group_id: Option<String>,
    pub asset_id: Option<String>,
}

/// A path's placeholder (`{envId}`) that the facts gave no value.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MissingVar(&'static str);

impl PathVars {
    pub fn from_facts(ctx: &RunContext, env: Option<&Environment>) -> PathVars {
        let org = ctx.facts.org.get();
        PathVars {
            org_id: org.map(|o| o.org.id.clone()),
            root_org_id: org.map(|o| o.root.id.clone()),
            env_id: env.map(|e| e.id.clone()),
            client_id: ctx.subject_client_id(),
            api_id: None,
            group_id: None,
            asset_id: None,
        }
    }

    /// The path with every placeholder filled, or the name of one that has no value.
    pub fn fill(&self, template: &str) -> Result<String, MissingVar> {
        let mut path = template.to_string();
        for (name, value) in [
            ("{orgId}", &self.org_id),
            ("{rootOrgId}", &self.root_org_id),
            ("{envId}", &self.env_id),
            ("{clientId}", &self.client_id),
            ("{apiId}", &self.api_id),
            ("{groupId}", &self.group_id),
            ("{assetId}", &self.asset_id),
        ] {
            if path.contains(name) {
                let value = value.as_ref().ok_or(MissingVar(name))?;
                path = path.replace(name, &crate::platform::paths::id(value));
            }
        }
        Ok(path)
    }
}
