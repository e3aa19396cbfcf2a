//! `anypoint-doctor check`: resolve settings, run the chosen checks, build
//! the report, render it, and compute the exit status from it.

use std::path::Path;

use clap::ArgMatches;

use super::progress::ProgressLine;
use super::rate_limit_cache;
use crate::cli::CheckArgs;
use crate::diagnosis::sweep::{Sweep, sweep};
use crate::doctor::calls::{self, CallFound};
use crate::doctor::context::RunOptions;
use crate::doctor::facts::OrgInfo;
use crate::doctor::{Registry, select};
use crate::error::{ConfigError, Error};
use crate::guard::Spool;
use crate::report::sweep::SweepOutput;
use crate::report::terminal::TableOptions;
use crate::report::{Format, Report, baseline, redact, render};
use crate::settings::{OrgSweep, Settings};
use crate::{ExitStatus, Io, Run, diagnose_run};

pub async fn run(
    args: &CheckArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    if !args.for_har.is_empty() {
        return super::for_har::check(args, matches, io).await;
    }
    // A mistyped check id or capability is told before any setting is looked at.
    select::select(
        Registry::get(),
        select::Selection {
            select: &args.select,
            ignore: &args.ignore,
            capabilities: &args.for_capabilities,
        },
    )?;
    let settings = super::session::settings(&args.connection, Some(&args.admin), matches, io)?;
    // Output settings are checked before any request is sent.
    let report_file = args.report.as_deref().map(report_format).transpose()?;
    if let Some((path, _)) = report_file {
        super::may_write("--report", path, args.connection.force)?;
    }
    let baseline = args.baseline.as_deref().map(baseline::load).transpose()?;
    if args.verbose {
        writeln!(
            io.err,
            "Settings (flag > environment > anypoint-cli-v4 config > default):"
        )?;
        let rows: Vec<(&str, String, String)> = settings
            .provenance()
            .into_iter()
            .map(|row| {
                // As the report shows it under --redact-ids.
                let value = match row.name {
                    "client id" if args.redact_ids => "(redacted)".to_string(),
                    _ => row.value,
                };
                let value = crate::text::line(&value).into_owned();
                (row.name, value, crate::text::line(&row.source).into_owned())
            })
            .collect();
        // Columns as wide as their longest entry; a value longer than
        // VALUE_COLUMN keeps its source on its line without pushing the others.
        const VALUE_COLUMN: usize = 48;
        let width = |text: &str| text.chars().count();
        let name_width = rows.iter().map(|r| width(r.0)).max().unwrap_or(0);
        let value_width = rows
            .iter()
            .map(|r| width(&r.1))
            .filter(|w| *w <= VALUE_COLUMN)
            .max()
            .unwrap_or(0);
        for (name, value, source) in rows {
            writeln!(
                io.err,
                "  {name:<name_width$}  {value:<value_width$}  from {source}"
            )?;
        }
    }
    let (capabilities, calls) = capabilities(args, io)?;
    let (rate_limits, cache_warning) = rate_limit_cache::load(&settings);
    if let Some(warning) = cache_warning {
        writeln!(io.err, "{warning}")?;
    }
    let options = RunOptions {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        read_only: args.read_only,
        concurrency: args.concurrency.map(usize::from),
        probe_regions: args.probe_regions,
        deadline: Some(std::time::Duration::from_secs(args.connection.deadline)),
        capabilities,
        calls,
        allow_unproven: args.allow_unproven,
        rate_limits,
        redact_ids: args.redact_ids,
        har: io.har.clone(),
        ..RunOptions::default()
    };
    let kept = settings.clone();
    let status = checked(settings, &options, args, report_file, baseline, io).await;
    rate_limit_cache::save(&kept, &options.rate_limits);
    if let Some(line) = waits_told(&options.rate_limits.waits()) {
        writeln!(io.err, "{line}")?;
    }
    status
}

/// One line on what pacing waited for, the longest wait per endpoint; none when it did not wait.
fn waits_told(waits: &[crate::platform::pacing::Wait]) -> Option<String> {
    let mut longest: Vec<(&str, std::time::Duration)> = Vec::new();
    for wait in waits {
        match longest.iter_mut().find(|(e, _)| *e == wait.endpoint) {
            Some((_, d)) => *d = (*d).max(wait.waited),
            None => longest.push((&wait.endpoint, wait.waited)),
        }
    }
    let parts: Vec<String> = longest
        .iter()
        .map(|(endpoint, d)| format!("{:.1} s on {endpoint}", d.as_secs_f64()))
        .collect();
    (!parts.is_empty()).then(|| {
        format!(
            "Waited for the platform's rate-limit windows ({}): no request went out that its window had no room for.",
            parts.join(", ")
        )
    })
}

/// The run (or sweep) and its output, once the options are set.
async fn checked(
    settings: Settings,
    options: &RunOptions,
    args: &CheckArgs,
    report_file: Option<(&Path, Format)>,
    baseline: Option<baseline::Baseline>,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    if let Some(orgs) = settings.sweep() {
        if baseline.is_some() {
            return Err(ConfigError::Invalid {
                setting: "--baseline".into(),
                reason: "compares one report, and --org names several business groups: check one group at a time against its baseline".into(),
            }
            .into());
        }
        return sweep_groups(settings, &orgs, options, args, report_file, io).await;
    }
    let run = if io.terminal.progress {
        let line = ProgressLine::new(&mut *io.progress);
        let mut tell = |done, total| line.show(format!("checking… {done}/{total}"));
        let work = diagnose_run(settings, options, &io.secrets, &mut tell);
        line.during(&options.rate_limits, work).await?
    } else {
        diagnose_run(settings, options, &io.secrets, &mut |_, _| {}).await?
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
        write_file(path, &mut bytes.as_bytes())?;
        let what = match format {
            Format::Json => "JSON report",
            Format::Markdown => "Markdown report",
            Format::Junit => "JUnit report",
            Format::Table => "report",
        };
        writeln!(io.err, "{}", super::wrote(path, what))?;
    }
    io.out.write_all(rendered.as_bytes())?;
    Ok(report.exit_status(args.fail_on))
}

/// `check --org all` (or a list): every business group's checks, a section
/// each; on a terminal, a bar of the groups done.
async fn sweep_groups(
    settings: Settings,
    orgs: &OrgSweep,
    options: &RunOptions,
    args: &CheckArgs,
    report_file: Option<(&Path, Format)>,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let shown = TableOptions {
        color: io.terminal.color,
        width: io.terminal.width,
        verbose: args.verbose,
    };
    let plain = TableOptions {
        color: false,
        width: Some(120),
        verbose: true,
    };
    // Each report is written into the outputs as it comes, then let go: on
    // stdout (held by the output guard, `crate::guard`) and, for --report, in
    // a spool the canary reads before the file is written.
    let mut outputs: Option<(SweepOutput, Option<(SweepOutput, Spool)>)> = None;
    let mut failed: Option<std::io::Error> = None;
    let out = &mut *io.out;
    let mut each = |mut report: Report, ids: &[String]| {
        if args.redact_ids {
            redact::redact_ids(&mut report, ids);
        }
        let written = match &mut outputs {
            None => SweepOutput::new(&report, args.format, shown, out).and_then(|stdout| {
                let file = report_file
                    .map(|(_, format)| {
                        let mut spool = Spool::default();
                        SweepOutput::new(&report, format, plain, &mut spool).map(|o| (o, spool))
                    })
                    .transpose()?;
                outputs = Some((stdout, file));
                Ok(())
            }),
            Some((stdout, file)) => stdout.add(&report, out).and_then(|()| match file {
                Some((file, spool)) => file.add(&report, spool),
                None => Ok(()),
            }),
        };
        if let Err(error) = written {
            failed.get_or_insert(error);
        }
    };
    let Sweep {
        canary,
        not_checked,
        ..
    } = if io.terminal.progress {
        let line = ProgressLine::new(&mut *io.progress);
        let mut tell = |done, total| line.show(progress_bar(done, total, 24));
        let work = sweep(settings, orgs, options, &io.secrets, &mut tell, &mut each);
        line.during(&options.rate_limits, work).await?
    } else {
        sweep(
            settings,
            orgs,
            options,
            &io.secrets,
            &mut |_, _| {},
            &mut each,
        )
        .await?
    };
    if let Some(error) = failed {
        return Err(error.into());
    }
    let not_checked: Vec<OrgInfo> = if args.redact_ids {
        not_checked
            .into_iter()
            .map(|group| OrgInfo {
                id: redact::hashed(&group.id),
                name: group.name,
            })
            .collect()
    } else {
        not_checked
    };
    let (mut stdout, file) = outputs.expect("a sweep gives the base report first");
    stdout.not_checked(not_checked.clone(), options.deadline);
    let status = stdout.exit_status(args.fail_on);
    if let (Some((path, _)), Some((mut file, mut spool))) = (report_file, file) {
        file.not_checked(not_checked, options.deadline);
        file.finish(&mut spool)?;
        let destination = path.display().to_string();
        spool.check(&canary, &destination)?;
        write_file(path, &mut spool.reader()?)?;
        writeln!(io.err, "{}", super::wrote(path, "sweep report"))?;
    }
    stdout.finish(io.out)?;
    Ok(status)
}

/// `business groups [██████░░░░░░] 6/20`, `width` cells wide.
fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(width);
    format!(
        "business groups [{}{}] {done}/{total}",
        "█".repeat(filled),
        "░".repeat(width - filled)
    )
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

/// Writes the report through `files::replace_from` (never through a planted link).
fn write_file(path: &Path, report: &mut dyn std::io::Read) -> Result<(), Error> {
    crate::files::replace_from(path, report).map_err(|e| {
        ConfigError::Invalid {
            setting: format!("--report {}", path.display()),
            reason: format!("cannot write it: {e}"),
        }
        .into()
    })
}
