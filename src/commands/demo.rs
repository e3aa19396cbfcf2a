//! `anypoint-doctor demo`: start the simulator in-process on a free port, run
//! the full check against it, print the report, stop. No real org is touched.
//! When the world's login carries a bearer token (an org admin's), the check
//! runs in exact mode: that token reads the login app's granted scopes.

use anypoint_sim::world::Login;
use anypoint_sim::{RunningSim, ServeOptions, World, load, scenarios};

use crate::cli::{DemoArgs, WorldArgs};
use crate::error::{ConfigError, Error};
use crate::platform::control_plane::CONTROL_PLANES;
use crate::report::Format;
use crate::report::terminal::{self, TableOptions, compact, look};
use crate::report::{json, markdown};
use crate::secret::Secret;
use crate::settings::{Credentials, Settings, Source, Sourced};
use crate::text::{shell_word, wrap};
use crate::{ExitStatus, Io, RunOptions, diagnose_run};

/// The settings a scenario's login stands for: its app's client credentials,
/// or, when it carries an org admin's token, that token reading the app's scopes.
pub fn login_settings(login: &Login, base: reqwest::Url) -> Settings {
    let mut settings = Settings::client_credentials(base, &login.client_id, &login.client_secret);
    if let Some(token) = &login.bearer {
        settings.credentials = Credentials::Bearer {
            token: Sourced {
                value: Secret::new(token.clone()),
                source: Source::Default,
            },
            secret_set_aside: None,
            client_id: Some(Sourced {
                value: login.client_id.clone(),
                source: Source::Default,
            }),
        };
    }
    settings
}

/// The `sim` flags that serve the world this demo showed.
fn same_world(args: &WorldArgs) -> String {
    let mut flags = match &args.scenario_file {
        Some(path) => format!(
            " --scenario-file {}",
            shell_word(&path.display().to_string())
        ),
        None => format!(
            " --scenario {}",
            shell_word(args.scenario.as_deref().unwrap_or(scenarios::DEMO_DEFAULT))
        ),
    };
    if let Some(ms) = args.latency_ms {
        flags.push_str(&format!(" --latency-ms {ms}"));
    }
    flags
}

async fn start(world: World) -> Result<RunningSim, ConfigError> {
    anypoint_sim::start(world, ServeOptions::default())
        .await
        .map_err(|e| ConfigError::Listen {
            port: 0,
            reason: e.to_string(),
        })
}

pub async fn run(args: &DemoArgs, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    if args.world.list_scenarios {
        return super::sim::list_scenarios(args.format == Format::Json, io);
    }
    let (world, label) =
        load::world(&args.world, scenarios::DEMO_DEFAULT).map_err(ConfigError::from)?;
    let login = world.login.clone();
    // An app of another control plane: a second simulator plays that plane,
    // so the demo shows what --probe-regions finds, without leaving loopback.
    let home = world
        .connected_app(&login.client_id)
        .and_then(|app| app.region.clone())
        .filter(|region| *region != world.region)
        .and_then(|region| {
            CONTROL_PLANES
                .iter()
                .find(|(r, _, _)| r.flag() == region)
                .map(|(r, _, _)| (*r, region))
        });
    let other = match &home {
        Some((_, region)) => {
            let mut there = world.clone();
            there.region = region.clone();
            Some(start(there).await?)
        }
        None => None,
    };
    let running = start(world).await?;
    let base = reqwest::Url::parse(&running.base_url).expect("the simulator's own URL parses");
    let mut settings = login_settings(&login, base);
    // The scenario's credentials enter here: the output never shows them.
    settings.register_secrets(&io.secrets);
    let mut options = RunOptions::default();
    if let (Some((region, _)), Some(other)) = (&home, &other) {
        let url = reqwest::Url::parse(&other.base_url).expect("the simulator's own URL parses");
        settings.other_planes = vec![(*region, url)];
        options.probe_regions = true;
    }
    let report = diagnose_run(settings, &options, &io.secrets, &mut |_, _| {})
        .await
        .map(|run| run.report);
    let base_url = running.base_url.clone();
    running.stop().await;
    if let Some(other) = other {
        other.stop().await;
    }
    let mut report = report?;
    // This simulation stops with the demo: the commands are for the `sim`
    // named at the end, whose URL the user exports as ANYPOINT_HOST.
    for step in &mut report.next_steps {
        step.command = step
            .command
            .replace(base_url.trim_end_matches('/'), "$ANYPOINT_HOST");
    }
    match args.format {
        Format::Json => io.out.write_all(json::render(&report).as_bytes())?,
        Format::Markdown => io.out.write_all(markdown::render(&report).as_bytes())?,
        Format::Junit => io
            .out
            .write_all(crate::report::junit::render(&report).as_bytes())?,
        Format::Table => {
            let options = TableOptions {
                color: io.terminal.color,
                width: io.terminal.width,
                verbose: args.verbose,
            };
            let width = look::width(options);
            let simulation = wrap(
                &format!(
                    "SIMULATION of {}; no real org was contacted.",
                    label.split(": ").next().unwrap_or(&label)
                ),
                width,
                "",
                "  ",
                None,
            );
            // The simulation is gone: the commands need one that stays. One
            // line, naming the other scenarios where the width leaves room
            // (always with -v, which shows everything).
            let mut footer = format!(
                "To try the commands: `anypoint-doctor sim{}`",
                same_world(&args.world)
            );
            let others = "; others: `anypoint-doctor sim --list-scenarios`";
            if args.verbose || footer.chars().count() + others.chars().count() <= width {
                footer.push_str(others);
            }
            let footer = wrap(&footer, width, "", "  ", None);
            let view = if args.verbose {
                terminal::render(&report, options)
            } else {
                let around = simulation.lines().count() + footer.lines().count();
                compact::render_within(&report, options, around)
            };
            io.out.write_all(simulation.as_bytes())?;
            io.out.write_all(view.as_bytes())?;
            io.out.write_all(footer.as_bytes())?;
        }
    }
    // The demo's job is to show verdicts; its exit code says only whether it ran.
    Ok(ExitStatus::Ok)
}
