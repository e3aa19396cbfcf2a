//! Building the report from a finished run: the outcomes, with what the run
//! learned about its target, the next steps, and the settings it used.

use std::time::Duration;

use crate::doctor::RunContext;
use crate::doctor::context::RunOptions;
use crate::doctor::outcome::Outcome;
use crate::platform::models::ApiAssetList;
use crate::platform::{Request, paths};
use crate::report::model::{
    LeastPrivilege, ReportSetting, SCHEMA_VERSION, System, Target, TargetEnvironment, Tool,
};
use crate::report::preflight::Preflight;
use crate::report::{Report, Summary, next_steps};
use crate::rerun;
use crate::settings::{Source, mask_id};
use crate::time;

impl Report {
    /// The report of a run whose checks gave `outcomes` after `duration`.
    pub fn build(
        ctx: &RunContext,
        outcomes: Vec<Outcome>,
        options: &RunOptions,
        duration: Duration,
    ) -> Report {
        let target = target(ctx);
        let org_given = ctx
            .settings
            .org
            .as_ref()
            .filter(|org| matches!(org.source, Source::Flag(_)))
            .map(|org| org.value.clone());
        let carry = next_steps::Carry {
            flags: rerun::carried_flags(&ctx.settings),
            env_flag: rerun::env_flag(&ctx.settings),
            capabilities: options.capabilities.clone(),
            api_instances: listed_api_instances(ctx),
            token_request: rerun::token_request(&ctx.settings),
            // Only an org the commands name themselves needs them; a sweep's
            // group is given, and listing every group for each would cost
            // the square of the groups.
            orgs: match org_given {
                None => known_orgs(ctx),
                Some(_) => Vec::new(),
            },
            org_given,
            environments: ctx
                .facts
                .environments
                .get()
                .map(|envs| {
                    envs.all
                        .iter()
                        .map(|env| (env.id.clone(), env.name.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        let next_steps = next_steps::plan(&target, &outcomes, &carry);
        let settings = ctx
            .settings
            .provenance()
            .into_iter()
            .map(|row| ReportSetting {
                name: row.name.to_string(),
                value: row.value,
                source: row.source,
            })
            .collect();
        let preflight = Preflight::of(&options.capabilities, &outcomes, options.allow_unproven);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::this(),
            generated_at: time::now_rfc3339(),
            system: System::this(),
            settings,
            changes: None,
            summary: Summary::of(&outcomes),
            target,
            checks: outcomes,
            next_steps,
            preflight,
            least_privilege: LeastPrivilege::for_capabilities(
                &options.capabilities,
                options.calls.clone(),
            ),
            duration_ms: duration.as_millis() as u64,
            rerun_flags: rerun::rerun_flags(&ctx.settings) + &carry.for_flag(),
        }
    }
}

/// Every org `--org` could name in a run like this one: the root
/// organization, the one checked and the business groups (id, name).
fn known_orgs(ctx: &RunContext) -> Vec<(String, String)> {
    let Some(org) = ctx.facts.org.get() else {
        return Vec::new();
    };
    [&org.root, &org.org]
        .into_iter()
        .chain(org.business_groups.iter())
        .map(|o| (o.id.clone(), o.name.clone()))
        .collect()
}

/// The first API instance each selected environment listed in this run
/// (no request is sent for it), by environment name.
fn listed_api_instances(ctx: &RunContext) -> Vec<(String, String)> {
    let (Some(org), Some(envs)) = (ctx.facts.org.get(), ctx.facts.environments.get()) else {
        return Vec::new();
    };
    envs.selected
        .iter()
        .filter_map(|env| {
            let answer = ctx
                .platform
                .answered(&Request::get(paths::apis(&org.org.id, &env.id)))?;
            let reply = answer.result.as_ref().ok().filter(|r| r.is_success())?;
            let list: ApiAssetList = reply.json().ok()?;
            Some((env.name.clone(), list.first_instance()?.id.to_string()))
        })
        .collect()
}

fn target(ctx: &RunContext) -> Target {
    let org = ctx.facts.org.get();
    Target {
        host: ctx
            .platform
            .base_url()
            .as_str()
            .trim_end_matches('/')
            .to_string(),
        org_id: org
            .map(|o| o.org.id.clone())
            .or_else(|| ctx.facts.identity.get().map(|i| i.org_id.clone())),
        org_name: org.map(|o| o.org.name.clone()),
        root_org_id: org.map(|o| o.root.id.clone()),
        client_id: ctx.subject_client_id().map(|id| mask_id(&id)),
        environments: ctx
            .facts
            .environments
            .get()
            .map(|e| {
                e.selected
                    .iter()
                    .map(|env| TargetEnvironment {
                        id: env.id.clone(),
                        name: env.name.clone(),
                        design: env.is_design(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}
