//! `anypoint-doctor check`: resolve settings, run the chosen checks, build
//! the report, render it, and compute the exit status from it.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::ArgMatches;

use crate::cli::CheckArgs;
use crate::doctor::calls::{self, CallFound};
use crate::doctor::context::RunOptions;
use crate::doctor::{Registry, RunContext, runner, select};
use crate::error::{ConfigError, Error};
use crate::platform::models::ApiAssetList;
use crate::platform::{Request, paths};
use crate::report::Format;
use crate::report::model::{
    LeastPrivilege, ReportSetting, SCHEMA_VERSION, System, Target, TargetEnvironment, Tool,
};
use crate::report::table::TableOptions;
use crate::report::{Report, Summary, baseline, fold, next_steps, redact, render};
use crate::secret::SecretRegistry;
use crate::secret::canary::Canary;
use crate::settings::{Settings, mask_id};
use crate::time;
use crate::{ExitStatus, Io};

/// What to run, apart from the connection settings.
#[derive(Debug, Clone)]
pub struct Plan {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub read_only: bool,
    pub concurrency: usize,
    /// After a refused token, try the other control planes' token endpoints.
    pub probe_regions: bool,
    /// How long the whole run may take.
    pub deadline: Option<std::time::Duration>,
    /// Capabilities to prove (`--for`); empty: MuleSoft's recommended scopes.
    pub capabilities: Vec<String>,
    /// The calls `--for-files` found, which the capabilities include.
    pub calls: Vec<CallFound>,
}

impl Default for Plan {
    /// Every check, write probes allowed, 16 requests in flight (the CLI's defaults).
    fn default() -> Plan {
        Plan {
            select: Vec::new(),
            ignore: Vec::new(),
            read_only: false,
            concurrency: 16,
            probe_regions: false,
            deadline: Some(std::time::Duration::from_secs(120)),
            capabilities: Vec::new(),
            calls: Vec::new(),
        }
    }
}

pub async fn run(
    args: &CheckArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    // A mistyped check id or capability is told before any setting is looked at.
    select::select(
        Registry::get(),
        select::Selection {
            select: &args.select,
            ignore: &args.ignore,
            capabilities: &args.for_capabilities,
        },
    )?;
    let settings = Settings::resolve(&args.connection.given(matches))?
        .with_admin_bearer(args.admin.given(matches))?;
    settings.register_secrets(&io.secrets);
    let settings = super::session::announce(settings, io)?;
    // Output settings are checked before any request is sent.
    let report_file = args.report.as_deref().map(report_format).transpose()?;
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
    if args.verbose {
        writeln!(io.err, "Settings (flag > environment > default):")?;
        for row in settings.provenance() {
            // As the report shows it under --redact-ids.
            let value = match row.name {
                "client id" if args.redact_ids => "(redacted)".to_string(),
                _ => row.value,
            };
            writeln!(
                io.err,
                "  {:<14} {:<44} from {}",
                row.name,
                crate::text::line(&value),
                crate::text::line(&row.source)
            )?;
        }
    }
    let (capabilities, calls) = capabilities(args, io)?;
    let plan = Plan {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        read_only: args.read_only,
        concurrency: usize::from(args.concurrency),
        probe_regions: args.probe_regions,
        deadline: Some(std::time::Duration::from_secs(args.connection.deadline)),
        capabilities,
        calls,
    };
    let run = if io.terminal.progress {
        let line = &mut *io.progress;
        let run = diagnose_run(settings, &plan, &io.secrets, &mut |done, total| {
            let _ = write!(line, "\r\x1b[2Kchecking… {done}/{total}");
            let _ = line.flush();
        })
        .await;
        let _ = write!(line, "\r\x1b[2K");
        run?
    } else {
        diagnose_run(settings, &plan, &io.secrets, &mut |_, _| {}).await?
    };
    let Run {
        mut report,
        canary,
        ids,
        ..
    } = run;
    if let Some(baseline) = &baseline {
        report.changes = Some(baseline::compare(baseline, &report));
    }
    if args.redact_ids {
        redact::redact_ids(&mut report, &ids);
    }
    let options = TableOptions {
        color: io.terminal.color,
        width: io.terminal.width,
        verbose: args.verbose,
    };
    // What goes to stdout is read by the output guard (`crate::guard`).
    let rendered = render(&report, args.format, options);
    if let Some((path, format)) = report_file {
        let plain = TableOptions {
            color: false,
            width: Some(120),
            verbose: true,
        };
        let bytes = render(&report, format, plain);
        canary.check(bytes.as_bytes(), &path.display().to_string())?;
        write_file(path, bytes.as_bytes())?;
    }
    io.out.write_all(rendered.as_bytes())?;
    Ok(report.summary.exit_status(args.fail_on))
}

/// The capabilities to prove: `--for`, and those the calls in `--for-files` need.
fn capabilities(args: &CheckArgs, io: &mut Io<'_>) -> Result<(Vec<String>, Vec<CallFound>), Error> {
    let mut capabilities = args.for_capabilities.clone();
    if args.for_files.is_empty() {
        return Ok((capabilities, Vec::new()));
    }
    for path in &args.for_files {
        if !path.exists() {
            return Err(ConfigError::Invalid {
                setting: format!("--for-files {}", path.display()),
                reason: "no such file or folder".into(),
            }
            .into());
        }
    }
    let found = calls::find(args.for_files.clone());
    for unreadable in &found.unreadable {
        writeln!(io.err, "warning: skipped {}", crate::text::line(unreadable))?;
    }
    if found.calls.is_empty() {
        let paths: Vec<String> = args
            .for_files
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(ConfigError::Invalid {
            setting: format!("--for-files {}", paths.join(" ")),
            reason: "no Anypoint call that needs a capability was found there; name what the automation does with --for (anypoint-doctor list --capabilities)".into(),
        }
        .into());
    }
    for capability in found.capabilities() {
        if !capabilities.contains(&capability) {
            capabilities.push(capability);
        }
    }
    Ok((capabilities, found.calls))
}

/// The format a `--report` file gets from its name.
fn report_format(path: &Path) -> Result<(&Path, Format), Error> {
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("md") => Format::Markdown,
        Some("xml") => Format::Junit,
        _ => {
            return Err(ConfigError::Invalid {
                setting: format!("--report {}", path.display()),
                reason: "the name must end in .md (Markdown), .json (JSON) or .xml (JUnit)".into(),
            }
            .into());
        }
    };
    Ok((path, format))
}

/// Writes the report through `files::replace` (never through a planted link).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::files::replace(path, bytes).map_err(|e| {
        ConfigError::Invalid {
            setting: format!("--report {}", path.display()),
            reason: format!("cannot write it: {e}"),
        }
        .into()
    })
}

/// A finished run: the report, the secrets its output must not hold, the
/// ids `--redact-ids` hides, and the facts it learned (for `fix`).
pub struct Run {
    pub report: Report,
    pub canary: Canary,
    pub ids: Vec<String>,
    pub context: Arc<RunContext>,
}

/// Runs the checks and builds the report. A setting found wrong during the
/// run (an org or environment name that does not exist) is an error, not a report.
pub async fn diagnose(settings: Settings, plan: &Plan) -> Result<Report, Error> {
    Ok(
        diagnose_run(settings, plan, &SecretRegistry::default(), &mut |_, _| {})
            .await?
            .report,
    )
}

/// `diagnose`, with the run's secrets kept in `secrets` (for the output
/// guard), telling `progress` (checks done, checks chosen) as checks finish.
pub async fn diagnose_run(
    settings: Settings,
    plan: &Plan,
    secrets: &SecretRegistry,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Run, Error> {
    let registry = Registry::get();
    let chosen = select::select(
        registry,
        select::Selection {
            select: &plan.select,
            ignore: &plan.ignore,
            capabilities: &plan.capabilities,
        },
    )?;
    let started = Instant::now();
    let ctx = RunContext::connect(
        settings,
        RunOptions {
            read_only: plan.read_only,
            probe_regions: plan.probe_regions,
            max_in_flight: plan.concurrency,
        },
        secrets,
    )?;
    let mut outcomes =
        runner::run(Arc::clone(&ctx), registry, &chosen, plan.deadline, progress).await;
    fold::one_root_cause(&mut outcomes);
    if let Some(error) = ctx.take_config_error() {
        return Err(error.into());
    }
    let target = target(&ctx);
    let carry = next_steps::Carry {
        flags: ctx.settings.carried_flags(),
        env_flag: ctx.settings.env_flag(),
        capabilities: plan.capabilities.clone(),
        api_instances: listed_api_instances(&ctx),
        token_request: ctx.settings.token_request(),
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
    let report = Report {
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
        least_privilege: LeastPrivilege::for_capabilities(&plan.capabilities, plan.calls.clone()),
        duration_ms: started.elapsed().as_millis() as u64,
        rerun_flags: ctx.settings.rerun_flags() + &carry.for_flag(),
    };
    Ok(Run {
        report,
        canary: ctx.platform.canary(),
        ids: ids(&ctx),
        context: ctx,
    })
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

/// Every org, business group, environment and client id the run learned.
fn ids(ctx: &RunContext) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(org) = ctx.facts.org.get() {
        ids.extend([org.org.id.clone(), org.root.id.clone()]);
        ids.extend(org.business_groups.iter().map(|g| g.id.clone()));
    }
    if let Some(identity) = ctx.facts.identity.get() {
        ids.push(identity.org_id.clone());
    }
    if let Some(envs) = ctx.facts.environments.get() {
        ids.extend(envs.all.iter().map(|e| e.id.clone()));
    }
    ids.extend(ctx.subject_client_id());
    ids.sort();
    ids.dedup();
    ids
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
