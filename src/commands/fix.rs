//! `anypoint-doctor fix`: run the checks `check` would run, make the plan of
//! the scopes to grant from their verdicts, and print it; with an org
//! admin's token and a confirmation (`--yes`, or "y" on a terminal), apply it
//! with one PATCH, read the app's scopes again and run the checks again with
//! a new app token, all within one `--deadline`. `--report` keeps a copy of
//! what it printed, as the record of the change; like `--har`, it is tried
//! before anything is sent.

use std::time::Duration;

use clap::ArgMatches;

use crate::cli::FixArgs;
use crate::doctor::{Registry, select};
use crate::error::{ConfigError, Error};
use crate::fix::FixFormat;
use crate::fix::apply::{self, Sent, WHO_CAN_APPLY};
use crate::fix::{self, FixPlan, render};
use crate::secret::canary::Canary;
use crate::settings::Settings;
use crate::{ExitStatus, Io};
use crate::{RunOptions, diagnose_run};

pub async fn run(
    args: &FixArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    // The other formats are for tools and shells: a line break would change them.
    if args.format != FixFormat::Diff {
        return record_and_run(args, matches, io).await;
    }
    let width = crate::text::width(io.terminal.width);
    let mut stdout: Vec<u8> = Vec::new();
    let status = {
        let mut out = crate::text::Wrapping::new(&mut stdout, width);
        let status = record_and_run(args, matches, &mut io.through(&mut out)).await;
        out.finish()?;
        status
    };
    io.out.write_all(&stdout)?;
    status
}

/// `fix`, with `--report` keeping a copy of what it printed.
async fn record_and_run(
    args: &FixArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let deadline = Deadline::start(args.connection.deadline);
    let Some(path) = &args.report else {
        return plan_and_apply(args, matches, io, deadline).await;
    };
    // Tried now, as it is written at the end: a record that cannot be
    // written stops the run before anything is changed, not after.
    super::may_write("--report", path, args.connection.force)?;
    // What was printed is what was planned and applied: the record is its copy.
    // The output guard holds stdout until the end anyway: what was printed
    // goes out whole, also when the run stopped on an error.
    let mut record = Vec::new();
    let status = plan_and_apply(args, matches, &mut io.through(&mut record), deadline).await;
    io.out.write_all(&record)?;
    let status = status?;
    let shown = path.display().to_string();
    Canary::watching(io.secrets.clone()).check(&record, &shown)?;
    crate::files::replace(path, &record).map_err(|e| super::cannot_write("--report", path, &e))?;
    writeln!(io.err, "{}", super::wrote(path, "what fix printed"))?;
    Ok(status)
}

/// The one deadline of a `fix` run (`--deadline`): the checks, the PATCH,
/// the scopes read again and the re-check all come out of it. Time spent
/// waiting for a person to confirm is not the run's, and does not count.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    secs: u64,
    at: tokio::time::Instant,
}

impl Deadline {
    fn start(secs: u64) -> Deadline {
        Deadline {
            secs,
            at: tokio::time::Instant::now() + Duration::from_secs(secs),
        }
    }

    /// What is left of it.
    fn left(&self) -> Duration {
        self.at
            .saturating_duration_since(tokio::time::Instant::now())
    }

    fn extended(self, by: Duration) -> Deadline {
        Deadline {
            at: self.at + by,
            ..self
        }
    }

    /// `work`, or `Err` once the deadline passes.
    async fn bound<T>(&self, work: impl std::future::Future<Output = T>) -> Result<T, Error> {
        tokio::time::timeout_at(self.at, work)
            .await
            .map_err(|_| Error::Deadline { secs: self.secs })
    }
}

async fn plan_and_apply(
    args: &FixArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
    deadline: Deadline,
) -> Result<ExitStatus, Error> {
    if !args.for_har.is_empty() {
        return super::for_har::fix(args, matches, io, deadline.left()).await;
    }
    // Mistyped values are told before any setting is looked at.
    fix::validate_include(&args.include)?;
    select::select(
        Registry::get(),
        select::Selection {
            capabilities: &args.for_capabilities,
            ..Default::default()
        },
    )?;
    let settings = super::session::settings(&args.connection, Some(&args.admin), matches, io)?;
    if args.yes {
        ready_to_apply(args, &settings)?;
    }
    let with_admin = settings.admin_bearer.is_some();
    let checks = RunOptions {
        select: included_checks(args),
        // The granted scopes decide with an admin's token: no probe that
        // posts, even one the server must reject.
        read_only: with_admin,
        deadline: Some(deadline.left()),
        capabilities: args.for_capabilities.clone(),
        har: io.har.clone(),
        ..RunOptions::default()
    };
    let run = diagnose_run(settings.clone(), &checks, &io.secrets, &mut |_, _| {}).await?;
    let mut not_admin = if with_admin {
        deadline.bound(apply::same_org(&run.context)).await??
    } else {
        None
    };
    if with_admin && apply::read_refused(&run.report) {
        not_admin = Some("the admin's token was refused reading the app's scopes".to_string());
    }
    let plan = FixPlan::of(&run.report, &run.context, &args.include);
    let text = render::render(&plan, args.format);
    io.out.write_all(text.as_bytes())?;
    if let Some(why) = not_admin {
        writeln!(io.out, "Nothing was changed: {why}; {WHO_CAN_APPLY}.")?;
        return Ok(ExitStatus::Failed);
    }
    if plan.incomplete() {
        writeln!(
            io.err,
            "warning: some checks the plan rests on could not run (see \"Not settled\" in the plan); it may lack scopes: run `anypoint-doctor check` to see why"
        )?;
        return Ok(ExitStatus::Incomplete);
    }
    // The other formats are for people and tools that apply the plan themselves.
    if plan.add.is_empty() || args.format != FixFormat::Diff {
        return Ok(ExitStatus::Ok);
    }
    if !with_admin {
        writeln!(
            io.out,
            "Nothing was changed. To apply the plan, give an org admin's token (ANYPOINT_ADMIN_BEARER or --admin-bearer) and rerun with --yes; or send it yourself (--format curl or --format terraform)."
        )?;
        return Ok(ExitStatus::Ok);
    }
    let asked = tokio::time::Instant::now();
    if !args.yes && !confirmed(&text, io).await? {
        return Ok(ExitStatus::Ok);
    }
    let deadline = deadline.extended(asked.elapsed());
    let Some(client_id) = plan.app.client_id.as_deref() else {
        // A plan with pairs came from a run that knew the app.
        writeln!(io.out, "Nothing was changed: no client id names the app.")?;
        return Ok(ExitStatus::Incomplete);
    };
    let sent = deadline
        .bound(apply::send(&run.context.platform, &plan, client_id))
        .await
        .unwrap_or_else(|_| Sent::Unknown(format!("none within --deadline {} s", deadline.secs)));
    let recheck = RunOptions {
        select: apply::affected(&run.report),
        ..checks
    };
    let after = After {
        plan: &plan,
        before: &run.report,
        recheck,
        deadline,
    };
    after.the_patch(sent, settings, args, io).await
}

/// `--yes` applies with an org admin's token, and prints the plan as a diff
/// beside what was done: told before any request.
fn ready_to_apply(args: &FixArgs, settings: &Settings) -> Result<(), Error> {
    let reason = if settings.admin_bearer.is_none() {
        "applying the plan needs an org admin's token: set ANYPOINT_ADMIN_BEARER or pass --admin-bearer (an Organization Administrator of the app's root organization or business group)"
    } else if args.format != FixFormat::Diff {
        "applying prints the plan as a diff: drop --format, or drop --yes and apply the curl or Terraform yourself"
    } else {
        return Ok(());
    };
    Err(ConfigError::Invalid {
        setting: "--yes".into(),
        reason: reason.into(),
    }
    .into())
}

/// Asks on the terminal whether to apply. The output guard holds stdout
/// until the end, so the plan and the question go to stderr as they are
/// (checked for secrets first); without a terminal to ask on (stdin and
/// stderr), nothing is applied.
async fn confirmed(plan_text: &str, io: &mut Io<'_>) -> Result<bool, Error> {
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && io.terminal.progress) {
        writeln!(
            io.out,
            "Nothing was changed: there is no terminal to confirm on; rerun with --yes to apply."
        )?;
        return Ok(false);
    }
    let prompt = format!("{plan_text}\nApply these scopes now (one PATCH, adds only)? [y/N] ");
    crate::secret::canary::Canary::watching(io.secrets.clone())
        .check(prompt.as_bytes(), "the confirmation prompt")?;
    io.progress.write_all(prompt.as_bytes())?;
    io.progress.flush()?;
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).map(|_| answer)
    })
    .await
    .unwrap_or_else(|_| Ok(String::new()))?;
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    if !yes {
        writeln!(io.out, "Nothing was changed: not confirmed.")?;
    }
    Ok(yes)
}

/// What comes after the PATCH: the plan it sent, the report the plan was
/// made from, the checks to run again, and what is left of the deadline.
struct After<'a> {
    plan: &'a FixPlan,
    before: &'a crate::report::Report,
    recheck: RunOptions,
    deadline: Deadline,
}

impl After<'_> {
    /// Tells what the PATCH did and, unless it was refused, reads the app's
    /// granted scopes again and runs the affected checks again with a new
    /// app token (scopes reach new tokens only). "Applied" is said only
    /// when the scopes read again hold every pair. Exit 0 only when they do
    /// and the checks pass; 1 when the platform accepted the PATCH and its
    /// own list shows a pair still missing, or a check still failing (a
    /// definite answer about the app); 3 when it is not known (no answer,
    /// an answer that was not the platform's, the scopes unreadable, or no
    /// time left). A PATCH is never resent.
    async fn the_patch(
        self,
        sent: Sent,
        settings: Settings,
        args: &FixArgs,
        io: &mut Io<'_>,
    ) -> Result<ExitStatus, Error> {
        if let Some(why) = sent.refusal() {
            writeln!(io.out, "Nothing was changed: the PATCH was refused: {why}.")?;
            return Ok(ExitStatus::Failed);
        }
        if let Sent::Throttled(why) = &sent {
            // Refused before any work: nothing changed, and nothing is wrong
            // with the plan; it could not be applied now (exit 3, like any
            // answer that says nothing about the app).
            writeln!(
                io.out,
                "Nothing was changed: the platform is rate-limiting ({why}); run the same fix again once its window turns."
            )?;
            return Ok(ExitStatus::Incomplete);
        }
        let left = self.deadline.left();
        if left.is_zero() {
            let why = format!(
                "were not read again (no time was left within --deadline {} s)",
                self.deadline.secs
            );
            let (told, _) = apply::tell(&sent, self.plan, Err(&why));
            write!(io.out, "{told}")?;
            return Ok(ExitStatus::Incomplete);
        }
        let recheck = RunOptions {
            deadline: Some(left),
            ..self.recheck
        };
        let run = diagnose_run(settings, &recheck, &io.secrets, &mut |_, _| {}).await?;
        let now = FixPlan::of(&run.report, &run.context, &args.include);
        let held = apply::held(self.plan, &now);
        let held = held.as_deref().ok_or("could not be read again");
        let (told, all_held) = apply::tell(&sent, self.plan, held);
        write!(io.out, "{told}")?;
        let rechecks = apply::compare(self.before, &run.report, &args.include);
        writeln!(
            io.out,
            "\nRe-checked with a new app token (before → after):"
        )?;
        io.out
            .write_all(apply::render_rechecks(&rechecks).as_bytes())?;
        let pass = apply::all_pass(&rechecks);
        Ok(match (&sent, all_held) {
            (Sent::Accepted(_) | Sent::Unknown(_), Some(true)) if pass => ExitStatus::Ok,
            (Sent::Accepted(_), Some(_)) => ExitStatus::Failed,
            _ => ExitStatus::Incomplete,
        })
    }
}

/// With `--for`, only the capabilities' checks run: a withheld scope asked
/// for with `--include` needs its own check to be named. Without `--for`
/// the default run has them all.
fn included_checks(args: &FixArgs) -> Vec<String> {
    if args.for_capabilities.is_empty() {
        return Vec::new();
    }
    fix::WITHHELD
        .iter()
        .filter(|w| args.include.iter().any(|i| i == w.scope))
        .map(|w| w.check.to_string())
        .collect()
}
