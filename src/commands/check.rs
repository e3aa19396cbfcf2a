//! `anypoint-doctor check`: resolve settings, run the chosen checks, build
//! the report, render it, and compute the exit status from it.

use std::sync::Arc;
use std::time::Instant;

use clap::ArgMatches;

use crate::cli::{CheckArgs, FailOn, Format};
use crate::doctor::{Registry, RunContext, runner, select};
use crate::error::Error;
use crate::report::model::{SCHEMA_VERSION, Target, TargetEnvironment, Tool};
use crate::report::table::TableOptions;
use crate::report::{Report, Summary, json, markdown, next_steps, table, time};
use crate::settings::{Credentials, Settings, mask_id};
use crate::{ExitStatus, Io};

/// What to run, apart from the connection settings.
#[derive(Debug, Clone)]
pub struct Plan {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub read_only: bool,
    pub concurrency: usize,
}

impl Default for Plan {
    /// Every check, write probes allowed, 8 requests in flight (the CLI's defaults).
    fn default() -> Plan {
        Plan {
            select: Vec::new(),
            ignore: Vec::new(),
            read_only: false,
            concurrency: 8,
        }
    }
}

pub async fn run(
    args: &CheckArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let settings = super::session::resolve_settings(&args.connection, matches, io)?;
    if args.verbose {
        writeln!(io.err, "Settings (flag > environment > default):")?;
        for row in settings.provenance() {
            writeln!(
                io.err,
                "  {:<14} {:<44} from {}",
                row.name, row.value, row.source
            )?;
        }
    }
    let plan = Plan {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        read_only: args.read_only,
        concurrency: usize::from(args.concurrency),
    };
    let report = if io.terminal.progress {
        let err = &mut *io.err;
        let report = diagnose_with_progress(settings, &plan, &mut |done, total| {
            let _ = write!(err, "\r\x1b[2Kchecking… {done}/{total}");
            let _ = err.flush();
        })
        .await;
        let _ = write!(err, "\r\x1b[2K");
        report?
    } else {
        diagnose(settings, &plan).await?
    };
    let rendered = match args.format {
        Format::Json => json::render(&report),
        Format::Markdown => markdown::render(&report),
        Format::Table => table::render(
            &report,
            TableOptions {
                color: io.terminal.color,
                width: io.terminal.width,
                verbose: args.verbose,
            },
        ),
    };
    io.out.write_all(rendered.as_bytes())?;
    Ok(exit_status(&report.summary, args.fail_on))
}

/// Runs the checks and builds the report. A setting found wrong during the
/// run (an org or environment name that does not exist) is an error, not a report.
pub async fn diagnose(settings: Settings, plan: &Plan) -> Result<Report, Error> {
    diagnose_with_progress(settings, plan, &mut |_, _| {}).await
}

/// `diagnose`, telling `progress` (checks done, checks chosen) as checks finish.
pub async fn diagnose_with_progress(
    settings: Settings,
    plan: &Plan,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Report, Error> {
    let registry = Registry::get();
    let chosen = select::select(registry, &plan.select, &plan.ignore)?;
    let started = Instant::now();
    let client_credentials = matches!(settings.credentials, Credentials::ClientCredentials { .. });
    let ctx = RunContext::connect(settings, plan.read_only, plan.concurrency)?;
    let outcomes = runner::run(Arc::clone(&ctx), registry, &chosen, progress).await;
    if let Some(error) = ctx.take_config_error() {
        return Err(error.into());
    }
    let target = target(&ctx);
    let next_steps = next_steps::plan(&target, &outcomes, client_credentials);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        generated_at: time::now_rfc3339(),
        summary: Summary::of(&outcomes),
        target,
        checks: outcomes,
        next_steps,
        duration_ms: started.elapsed().as_millis() as u64,
    })
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
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// 1 when a check failed (or warned, with --fail-on warn); else 3 when
/// something could not be checked; else 0.
pub fn exit_status(summary: &Summary, fail_on: FailOn) -> ExitStatus {
    if summary.fail > 0 || (fail_on == FailOn::Warn && summary.warn > 0) {
        ExitStatus::Failed
    } else if summary.error > 0 {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_follows_the_worst_result() {
        let summary = |fail, warn, error| Summary {
            pass: 1,
            warn,
            fail,
            skip: 0,
            error,
        };
        assert_eq!(exit_status(&summary(0, 0, 0), FailOn::Fail), ExitStatus::Ok);
        assert_eq!(exit_status(&summary(0, 1, 0), FailOn::Fail), ExitStatus::Ok);
        assert_eq!(
            exit_status(&summary(0, 1, 0), FailOn::Warn),
            ExitStatus::Failed
        );
        assert_eq!(
            exit_status(&summary(1, 0, 1), FailOn::Fail),
            ExitStatus::Failed
        );
        assert_eq!(
            exit_status(&summary(0, 0, 1), FailOn::Fail),
            ExitStatus::Incomplete
        );
    }
}
