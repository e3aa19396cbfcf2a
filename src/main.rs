//! The binary: parse arguments, build the runtime, call the library, map the
//! result to an exit code. The only exit is here.

// The one place that may write to the process's own streams: errors that end
// the run before any command's output stream exists.
#![allow(clippy::print_stderr)]

use std::io::IsTerminal;
use std::process::ExitCode;

use anypoint_doctor::cli::Cli;
use anypoint_doctor::{ExitStatus, Io, Terminal};
use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(ExitStatus::Usage as u8);
        }
        Err(e) if e.use_stderr() => {
            eprintln!("{}", anypoint_doctor::cli::usage_line(&e));
            return ExitCode::from(ExitStatus::Usage as u8);
        }
        Err(e) => {
            // --help and --version: clap's own output on stdout.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{}", anypoint_doctor::cli::usage_line(&e));
            return ExitCode::from(ExitStatus::Usage as u8);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(ExitStatus::Incomplete as u8);
        }
    };
    let stdout_is_tty = std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or(if stdout_is_tty { None } else { Some(120) });
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    let mut progress = std::io::stderr();
    let mut io = Io {
        out: &mut stdout,
        err: &mut stderr,
        progress: &mut progress,
        secrets: Default::default(),
        har: None,
        terminal: Terminal {
            color: stdout_is_tty && !no_color,
            width,
            progress: std::io::stderr().is_terminal(),
        },
    };
    let status = match anypoint_doctor::run_on(&runtime, &cli, &matches, &mut io) {
        Ok(status) => status,
        // `anypoint-doctor man | head`: the reader took what it wanted.
        Err(e) if e.is_closed_reader() => ExitStatus::Ok,
        Err(e) => {
            // Errors quote names and messages from the platform and from files.
            eprintln!("error: {}", anypoint_doctor::text::line(&e.to_string()));
            e.exit_status()
        }
    };
    ExitCode::from(status as u8)
}
