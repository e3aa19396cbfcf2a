//! anypoint-doctor: diagnose MuleSoft Anypoint Platform Connected Apps.
//!
//! `run` is the whole program minus process concerns: it takes parsed
//! arguments and output streams and returns an exit status, so tests drive
//! it in-process and `main` stays thin.

pub mod cli;
pub mod cli_v4_config;
pub mod commands;
pub mod diagnosis;
pub mod doctor;
pub mod embedded;
pub mod error;
pub mod exit;
pub mod files;
pub mod fix;
pub mod guard;
pub mod har;
pub mod needs;
pub mod platform;
pub mod report;
pub mod rerun;
pub mod scan;
pub mod secret;
pub mod settings;
pub mod streams;
pub mod substitute;
pub mod suggest;
pub mod text;
pub mod time;
pub mod traffic;

use std::io::Write as _;

use clap::ArgMatches;

use cli::{Cli, Command, CreateCommand};
use commands::har_file;
pub use diagnosis::{Run, diagnose, diagnose_run};
pub use doctor::context::RunOptions;
pub use error::{ConfigError, Error};
pub use exit::ExitStatus;
pub use streams::{Io, Terminal};

/// Runs one command on `runtime` until it ends: what the binary calls.
/// The future is driven here, not in the binary, so that the commands'
/// async bodies are compiled once, with this crate: polled from the
/// binary, every one of them was compiled again there (a release build's
/// binary took longer than the whole library).
pub fn run_on(
    runtime: &tokio::runtime::Runtime,
    cli: &Cli,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    runtime.block_on(run(cli, matches, io))
}

/// Runs one command. `matches` are the raw matches `cli` was built from, used
/// to tell which settings came from flags and which from the environment.
/// Commands that know a secret run behind the output guard (`guard`); `sim`,
/// `scan`, `list` and `explain` know none and write as they go (`sim` serves
/// until stopped).
pub async fn run(cli: &Cli, matches: &ArgMatches, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    if !matches!(
        cli.command,
        Command::Check(_)
            | Command::Apps(_)
            | Command::Apis(_)
            | Command::Create(_)
            | Command::Demo(_)
            | Command::Fix(_)
            | Command::Needs(_)
    ) {
        return dispatch(cli, matches, io).await;
    }
    // `--har`: refused before any request when the file exists without --force.
    let har = connection_of(&cli.command)
        .and_then(|c| c.har.as_deref().map(|path| (path, c.force)))
        .map(|(path, force)| har_file::prepare(path, force))
        .transpose()?;
    let held = guard::Held::default();
    let (mut out, mut err) = held.writers();
    let mut guarded = Io {
        out: &mut out,
        err: &mut err,
        progress: &mut *io.progress,
        terminal: io.terminal,
        secrets: io.secrets.clone(),
        har: har
            .as_ref()
            .map(|(_, recorder)| std::sync::Arc::clone(recorder)),
    };
    let mut result = dispatch(cli, matches, &mut guarded).await;
    // A failing run's record is the one support asks for: it is written whatever the outcome.
    if let Some((path, recorder)) = &har {
        match har_file::write("--har", path, recorder, &io.secrets) {
            Ok(told) => {
                let _ = writeln!(err, "{told}");
            }
            Err(error) if result.is_ok() => result = Err(error),
            Err(_) => {}
        }
    }
    held.release(result, &io.secrets, io.out, io.err)
}

/// The connection arguments of a command that talks to the platform.
fn connection_of(command: &Command) -> Option<&cli::ConnectionArgs> {
    match command {
        Command::Check(args) => Some(&args.connection),
        Command::Apps(args) => Some(&args.connection),
        Command::Apis(args) => Some(&args.connection),
        Command::Create(CreateCommand::App(args)) => Some(&args.connection),
        Command::Create(CreateCommand::Contract(args)) => Some(&args.connection),
        Command::Fix(args) => Some(&args.connection),
        Command::Needs(args) => Some(&args.connection),
        _ => None,
    }
}

async fn dispatch(cli: &Cli, matches: &ArgMatches, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    match &cli.command {
        Command::Check(args) => {
            commands::check::run(args, subcommand(matches, &["check"]), io).await
        }
        Command::List(args) => {
            commands::list::run(args, io.terminal.width, io.out).map(|()| ExitStatus::Ok)
        }
        Command::Explain(args) => {
            commands::explain::run(args, io.terminal.width, io.out).map(|()| ExitStatus::Ok)
        }
        Command::Apps(args) => {
            let run = commands::apps::run(args, subcommand(matches, &["apps"]), io);
            diagnosis::session::within(args.connection.deadline, run).await
        }
        Command::Apis(args) => {
            let run = commands::apis::run(args, subcommand(matches, &["apis"]), io);
            diagnosis::session::within(args.connection.deadline, run).await
        }
        Command::Create(CreateCommand::App(args)) => {
            commands::create_app::run(args, subcommand(matches, &["create", "app"]), io).await
        }
        Command::Create(CreateCommand::Contract(args)) => {
            commands::create_contract::run(args, subcommand(matches, &["create", "contract"]), io)
                .await
        }
        Command::Sim(args) => commands::sim::run(args, io).await,
        Command::Demo(args) => commands::demo::run(args, io).await,
        Command::Scan(args) => commands::scan::run(args, io),
        Command::Needs(args) => {
            commands::needs::run(args, subcommand(matches, &["needs"]), io).await
        }
        Command::Fix(args) => commands::fix::run(args, subcommand(matches, &["fix"]), io).await,
        Command::Completions(args) => commands::completions::completions(args.shell, io),
        Command::Man(args) => commands::completions::man(args, io),
    }
}

/// The matches of a (nested) subcommand, where the provenance of its flags lives.
fn subcommand<'a>(matches: &'a ArgMatches, path: &[&str]) -> &'a ArgMatches {
    path.iter()
        .try_fold(matches, |m, name| m.subcommand_matches(name))
        .unwrap_or(matches)
}
