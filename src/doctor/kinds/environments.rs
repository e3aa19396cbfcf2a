//! Kind `environments`: the org's environments, and the ones --env selects.

use super::probe::{reply, unexpected_status, unreadable};
use crate::doctor::catalogue::Service;
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::{EnvFacts, find_by_id_or_name};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::error::ConfigError;
use crate::platform::models::{Environment, EnvironmentList};
use crate::platform::{Request, paths};

pub async fn run(ctx: &RunContext) -> Verdict {
    let Some(org) = ctx.facts.org.get() else {
        return Verdict::new(
            Reason::FactUnknown,
            Status::Skip,
            "not run: the organization is unknown",
        );
    };
    let mut recorder = Recorder::new(ctx);
    let answer = recorder
        .fetch(Request::get(paths::environments(&org.org.id)))
        .await;
    let verdict = match reply(&answer) {
        Err(verdict) => verdict,
        Ok(reply) => match reply.status {
            200 => match reply.json::<EnvironmentList>() {
                Ok(list) => select(ctx, &org.org.name, list.data),
                Err(reason) => unreadable(&answer, &reason),
            },
            401 | 403 | 404 => Verdict::new(
                Reason::Refused,
                Status::Fail,
                format!(
                    "cannot list the environments of \"{}\" (HTTP {}: {})",
                    org.org.name,
                    reply.status,
                    reply.platform_message()
                ),
            ),
            _ => unexpected_status(&answer, reply),
        },
    };
    verdict.with_evidence(recorder.evidence)
}

fn select(ctx: &RunContext, org_name: &str, all: Vec<Environment>) -> Verdict {
    let names = |envs: &[Environment]| {
        envs.iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if all.is_empty() {
        let _ = ctx.facts.environments.set(EnvFacts {
            all: Vec::new(),
            selected: Vec::new(),
        });
        return Verdict::new(
            Reason::EnvNone,
            Status::Warn,
            format!(
                "\"{org_name}\" has no environments: environment-bound scopes cannot be checked"
            ),
        )
        .fix("Create an environment in Access Management > Environments, or check --org.");
    }
    let selected = match &ctx.settings.envs {
        None => all.clone(),
        Some(wanted) => {
            let mut selected: Vec<Environment> = Vec::new();
            for value in &wanted.value {
                let Some(env) = find_by_id_or_name(&all, value) else {
                    // The org's environments were read all the same: their
                    // ids are the run's, for `--redact-ids` to hide.
                    let _ = ctx.facts.environments.set(EnvFacts {
                        all: all.clone(),
                        selected: Vec::new(),
                    });
                    ctx.config_error(ConfigError::UnknownEnv {
                        value: value.clone(),
                        setting: wanted.source.to_string(),
                        org: format!("\"{org_name}\""),
                        known: names(&all),
                    });
                    return Verdict::new(
                        Reason::EnvNotFound,
                        Status::Fail,
                        format!(
                            "{value:?} from {} is not an environment of \"{org_name}\"",
                            wanted.source
                        ),
                    )
                    .fix(format!("Use one of: {}", names(&all)));
                };
                if !selected.iter().any(|s| s.id == env.id) {
                    selected.push(env.clone());
                }
            }
            selected
        }
    };
    let summary = if selected.len() == all.len() {
        format!("{}: {}", count(all.len()), names(&all))
    } else {
        format!(
            "{}: {}; checking {}",
            count(all.len()),
            names(&all),
            names(&selected)
        )
    };
    // Said once here, for `check -v`, rather than as a skip per check and environment.
    let design: Vec<&str> = selected
        .iter()
        .filter(|e| e.is_design())
        .map(|e| e.name.as_str())
        .collect();
    let summary = if design.is_empty() {
        summary
    } else {
        format!(
            "{summary}; {} (design environment): {} does not manage design environments; its checks skip {}",
            design.join(", "),
            Service::ApiManager.name(),
            if design.len() == 1 { "it" } else { "them" }
        )
    };
    let _ = ctx.facts.environments.set(EnvFacts { all, selected });
    Verdict::new(Reason::EnvFound, Status::Pass, summary)
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 environment".into()
    } else {
        format!("{n} environments")
    }
}
