//! `check --for-har FILE...` and `fix --for-har FILE...`: the pre-flight and
//! the plan for exactly what a traffic file needs, in the org the run
//! targets. The files are read and analysed as `needs` reads them; the base
//! checks (token, identity, org, environments) run as `check` runs them; then
//! each need is judged in its place alone (`needs::judged`).

use std::path::PathBuf;
use std::time::Duration;

use clap::ArgMatches;

use crate::cli::{AdminArgs, CheckArgs, ConnectionArgs, FixArgs};
use crate::doctor::catalogue::Catalogue;
use crate::doctor::context::RunOptions;
use crate::error::{ConfigError, Error};
use crate::fix::{FixFormat, FixPlan, render as fix_render};
use crate::needs::analysis::analyse;
use crate::needs::endpoints::Endpoints;
use crate::needs::gather::{Gathered, gather};
use crate::needs::judged::{PreFlight, judge};
use crate::needs::{plan, told};
use crate::report::terminal::TableOptions;
use crate::report::{FailOn, Format, render};
use crate::settings::Settings;
use crate::{ExitStatus, Io, Run, diagnose_run};

/// Script files are not what `--for-har` reads, but a path it is given that
/// is one is scanned as `needs` scans it, within this size.
const MAX_SCRIPT: u64 = 10 << 20;

/// How to give `--for-har` what it reads, said with every usage error.
const WHAT_TO_GIVE: &str = "give the automation's traffic: a HAR file (a browser's developer tools, a recording proxy, `--har`, or `sim --record`), a Postman collection or an Insomnia export";

/// The files' requests, read as `needs` reads them.
struct Traffic {
    gathered: Gathered,
    files: Vec<String>,
}

fn read(paths: &[PathBuf], io: &mut Io<'_>) -> Result<Traffic, Error> {
    let usage = |path: &std::path::Path, reason: String| -> Error {
        ConfigError::Invalid {
            setting: format!("--for-har {}", path.display()),
            reason: format!("{reason}; {WHAT_TO_GIVE}"),
        }
        .into()
    };
    for path in paths {
        if !path.is_file() {
            let what = if path.exists() {
                "not a file"
            } else {
                "no such file"
            };
            return Err(usage(path, what.into()));
        }
    }
    let gathered = gather(paths, MAX_SCRIPT, &|p| format!("--for-har {}", p.display()))?;
    for skipped in &gathered.skipped {
        writeln!(io.err, "warning: skipped {}", crate::text::line(skipped))?;
    }
    if let Some(line) = gathered.left_out() {
        writeln!(io.err, "{line}")?;
    }
    if gathered.seen.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(usage(
            std::path::Path::new(&shown.join(" ")),
            "no Anypoint Platform request was found there (the doctor's own probes do not count)"
                .into(),
        ));
    }
    Ok(Traffic {
        gathered,
        files: paths.iter().map(|p| p.display().to_string()).collect(),
    })
}

/// The settings `check` and `fix` resolve, for one organization.
fn settings(
    connection: &ConnectionArgs,
    admin: &AdminArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<Settings, Error> {
    let settings = super::session::settings(connection, Some(admin), matches, io)?;
    if settings.sweep().is_some() {
        return Err(ConfigError::Invalid {
            setting: "--org".into(),
            reason: "--for-har checks one organization, where the traffic's needs are mapped: name one business group, or none for the app's own".into(),
        }
        .into());
    }
    Ok(settings)
}

/// The base checks: what a need's place is mapped against (the org, its
/// business groups and environments) and who the app is. No scope check.
async fn base(
    settings: Settings,
    read_only: bool,
    deadline: Duration,
    io: &mut Io<'_>,
) -> Result<Run, Error> {
    let options = RunOptions {
        select: vec!["org.environments".into()],
        read_only,
        deadline: Some(deadline),
        har: io.har.clone(),
        ..RunOptions::default()
    };
    diagnose_run(settings, &options, &io.secrets, &mut |_, _| {}).await
}

/// The base checks failed: no need can be judged; their report says why.
fn base_failed(run: &Run) -> bool {
    run.report.summary.fail + run.report.summary.error > 0 || run.context.facts.org.get().is_none()
}

/// The exit status when the base checks failed: theirs, and never 0, since
/// no need was judged.
fn not_judged(run: &Run) -> ExitStatus {
    match run.report.exit_status(FailOn::Fail) {
        ExitStatus::Ok => ExitStatus::Incomplete,
        status => status,
    }
}

/// The pre-flight of the traffic, within what is left of `deadline`.
async fn preflight(
    run: &Run,
    traffic: &Traffic,
    allow_unproven: bool,
    deadline: Duration,
) -> Result<PreFlight, Error> {
    let analysis = analyse(&traffic.gathered.seen, Catalogue::get(), Endpoints::get());
    let judged = judge(
        &run.context,
        &analysis,
        &traffic.gathered.names,
        &traffic.gathered.roots,
        allow_unproven,
    );
    tokio::time::timeout(deadline, judged)
        .await
        .map_err(|_| Error::Deadline {
            secs: deadline.as_secs(),
        })
}

pub async fn check(
    args: &CheckArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    if matches!(args.format, Format::Markdown | Format::Junit) {
        return Err(ConfigError::Invalid {
            setting: "--format".into(),
            reason: "--for-har prints a table or JSON: use --format table or --format json".into(),
        }
        .into());
    }
    let traffic = read(&args.for_har, io)?;
    let settings = settings(&args.connection, &args.admin, matches, io)?;
    let deadline = Duration::from_secs(args.connection.deadline);
    let started = tokio::time::Instant::now();
    let run = base(settings, args.read_only, deadline, io).await?;
    if base_failed(&run) {
        let options = TableOptions {
            color: io.terminal.color,
            width: io.terminal.width,
            verbose: args.verbose,
        };
        io.out
            .write_all(render(&run.report, args.format, options).as_bytes())?;
        return Ok(not_judged(&run));
    }
    let left = deadline.saturating_sub(started.elapsed());
    let preflight = preflight(&run, &traffic, args.allow_unproven, left).await?;
    match args.format {
        Format::Json => {
            let json = serde_json::json!({ "schema_version": 1, "traffic": traffic.files, "preflight": preflight });
            serde_json::to_writer_pretty(&mut *io.out, &json).map_err(std::io::Error::other)?;
            writeln!(io.out)?;
        }
        _ => {
            let table = told::table(&preflight, &traffic.files);
            let width = crate::text::width(io.terminal.width);
            write!(io.out, "{}", crate::text::wrap_hanging(&table, width))?;
        }
    }
    Ok(preflight.exit_status())
}

/// `fix --for-har`: the plan for what the traffic needs and the app lacks.
/// It only prints: `--yes` is refused beside it (clap), and applying is
/// the curl or Terraform it writes.
pub async fn fix(
    args: &FixArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
    deadline: Duration,
) -> Result<ExitStatus, Error> {
    let traffic = read(&args.for_har, io)?;
    let settings = settings(&args.connection, &args.admin, matches, io)?;
    let started = tokio::time::Instant::now();
    // The granted scopes decide with an admin's token: no probe that posts.
    let read_only = settings.admin_bearer.is_some();
    let run = base(settings, read_only, deadline, io).await?;
    if base_failed(&run) {
        let options = TableOptions {
            color: false,
            width: io.terminal.width,
            verbose: false,
        };
        io.out
            .write_all(render(&run.report, Format::Table, options).as_bytes())?;
        writeln!(
            io.err,
            "error: no plan: the checks the plan rests on failed (above); fix them, then run fix --for-har again"
        )?;
        return Ok(not_judged(&run));
    }
    let left = deadline.saturating_sub(started.elapsed());
    let preflight = preflight(&run, &traffic, false, left).await?;
    let base = FixPlan::of(&run.report, &run.context, &[]);
    let plan = plan::lacking(&preflight, base, traffic.files.clone());
    io.out
        .write_all(fix_render::render(&plan, args.format).as_bytes())?;
    if args.format == FixFormat::Diff && !plan.add.is_empty() {
        writeln!(
            io.out,
            "Nothing was changed: fix --for-har only plans; send it yourself (--format curl or --format terraform)."
        )?;
    }
    if !preflight.org_admin_only.is_empty() {
        writeln!(
            io.err,
            "note: {} request(s) of the traffic only an org admin's token may make: no scope of the plan allows them",
            preflight.org_admin_only.len()
        )?;
    }
    if preflight.not_checked > 0 {
        writeln!(
            io.err,
            "note: {} request(s) of the traffic the catalogue does not know: the plan may lack what they need (`anypoint-doctor needs FILE` lists them)",
            preflight.not_checked
        )?;
    }
    let unmapped = preflight
        .needs
        .iter()
        .filter(|n| n.unmapped.is_some())
        .count();
    if unmapped > 0 {
        writeln!(
            io.err,
            "warning: {unmapped} need(s) of the traffic are in places the target does not have (\"left out\" above): the plan cannot grant them"
        )?;
    }
    // A plan that lacks what the traffic needs is not a finished one.
    Ok(if plan.incomplete() || unmapped > 0 {
        ExitStatus::Incomplete
    } else {
        ExitStatus::Ok
    })
}
