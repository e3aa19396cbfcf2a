//! The library's front door: run the chosen checks against the settings and
//! build the report. `check`, `demo`, the tests and the benchmark all come
//! through here. `sweep` runs one check over several business groups.

pub mod resources;
pub mod session;
pub mod sweep;

use std::sync::Arc;
use std::time::Instant;

use crate::doctor::context::{RunContext, RunOptions};
use crate::doctor::{Registry, runner, select};
use crate::error::Error;
use crate::report::{Report, fold, redact};
use crate::secret::canary::Canary;
use crate::secret::registry::SecretRegistry;
use crate::settings::Settings;

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
pub async fn diagnose(settings: Settings, options: &RunOptions) -> Result<Report, Error> {
    // The settings enter here, made by hand rather than by `settings::resolve`.
    let secrets = SecretRegistry::default();
    settings.register_secrets(&secrets);
    Ok(diagnose_run(settings, options, &secrets, &mut |_, _| {})
        .await?
        .report)
}

/// `diagnose`, with the run's secrets kept in `secrets` (for the output
/// guard), which already holds the settings' own, telling `progress` (checks done, checks chosen) as checks finish.
pub async fn diagnose_run(
    settings: Settings,
    options: &RunOptions,
    secrets: &SecretRegistry,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Run, Error> {
    let registry = Registry::get();
    let chosen = chosen_checks(registry, options)?;
    let started = Instant::now();
    let ctx = RunContext::connect(settings, options.clone(), secrets)?;
    let mut outcomes = runner::run(
        Arc::clone(&ctx),
        registry,
        &chosen,
        options.deadline,
        progress,
    )
    .await;
    fold::one_root_cause(&mut outcomes);
    let ids = redact::ids_of(&ctx);
    hide_ids_in_har(&ctx, &ids);
    if let Some(error) = ctx.take_config_error() {
        return Err(error.into());
    }
    let report = Report::build(&ctx, outcomes, options, started.elapsed());
    Ok(Run {
        report,
        canary: ctx.platform.canary(),
        ids,
        context: ctx,
    })
}

/// Under `--redact-ids`, the HAR record (`--har`) hides `ids` behind the
/// report's placeholders. Told as soon as a run's checks are done, before
/// a setting found wrong ends it: its requests were sent all the same.
fn hide_ids_in_har(ctx: &RunContext, ids: &[String]) {
    if let Some(har) = ctx.options.har.as_ref().filter(|_| ctx.options.redact_ids) {
        har.hide(redact::placeholders(ids));
    }
}

/// The checks `options` choose (`--select`, `--ignore`, `--for`), with what they require.
fn chosen_checks(registry: &Registry, options: &RunOptions) -> Result<Vec<usize>, Error> {
    Ok(select::select(
        registry,
        select::Selection {
            select: &options.select,
            ignore: &options.ignore,
            capabilities: &options.capabilities,
        },
    )?)
}
