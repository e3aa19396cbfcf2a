//! anypoint-doctor: diagnose MuleSoft Anypoint Platform Connected Apps.
//!
//! `run` is the whole program minus process concerns: it takes parsed
//! arguments and output streams and returns an exit status, so tests drive
//! it in-process and `main` stays thin.

pub mod cli;
pub mod commands;
pub mod doctor;
pub mod error;
pub mod platform;
pub mod report;
pub mod secret;
pub mod settings;
pub mod sim;

use std::io::Write;

use clap::ArgMatches;

use cli::{Cli, Command};
pub use error::{ConfigError, Error};

/// The exit codes, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No check failed.
    Ok = 0,
    /// A check failed (or warned, with --fail-on warn).
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// Nothing failed, but something could not be checked.
    Incomplete = 3,
}

impl Error {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Config(_) => ExitStatus::Usage,
            Error::HttpClient(_) | Error::Output(_) => ExitStatus::Incomplete,
        }
    }
}

/// How output should look where it is going.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub color: bool,
    /// Width for tables; `None` lets the table ask the terminal.
    pub width: Option<u16>,
    /// Show a progress line on stderr while checks run (stderr is a terminal).
    pub progress: bool,
}

pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    pub terminal: Terminal,
}

/// Runs one command. `matches` are the raw matches `cli` was built from, used
/// to tell which settings came from flags and which from the environment.
pub async fn run(cli: &Cli, matches: &ArgMatches, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    match &cli.command {
        Command::Check(args) => {
            let sub = matches.subcommand_matches("check").unwrap_or(matches);
            commands::check::run(args, sub, io).await
        }
        Command::List(args) => commands::list::run(args, io.out).map(|()| ExitStatus::Ok),
        Command::Explain(args) => commands::explain::run(args, io.out).map(|()| ExitStatus::Ok),
        Command::Sim(args) => commands::sim::run(args, io).await,
        Command::Demo(args) => commands::demo::run(args, io).await,
    }
}
