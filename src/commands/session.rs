//! A command's start: settings resolved and their warnings told, the
//! session opened (`diagnosis::session`), and a stop or a dry run printed.

use clap::ArgMatches;

use crate::cli::{AdminArgs, ConnectionArgs};
use crate::diagnosis::session::{Halt, Session, Stop};
use crate::error::Error;
use crate::platform::Request;
use crate::report::listing::OutputFormat;
use crate::report::terminal::{TableOptions, full};
use crate::settings::{self, Settings};
use crate::{ExitStatus, Io};

/// The connection settings, and the admin's token for the commands that
/// take one: given (flags, then `ANYPOINT_*` variables, then anypoint-cli-v4's
/// saved settings), resolved, their secrets registered, once per command.
/// Why a saved file is not used is told on stderr at once, before any error
/// the settings may then give; their warnings after.
pub fn settings(
    connection: &ConnectionArgs,
    admin: Option<&AdminArgs>,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<Settings, Error> {
    let given = connection
        .given(admin, matches)
        .with_saved(crate::cli_v4_config::load());
    for note in &given.notes {
        writeln!(io.err, "{note}")?;
    }
    let settings = settings::resolve(&given, &io.secrets)?;
    for warning in &settings.warnings {
        writeln!(io.err, "{warning}")?;
    }
    Ok(settings)
}

/// Resolves the settings and opens a session.
pub async fn start(
    connection: &ConnectionArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<Session, Halt> {
    let settings = settings(connection, None, matches, io)?;
    Session::open(settings, io.har.clone(), &io.secrets).await
}

/// Tells the user why a command ended: its exit status, or the error.
pub trait Tell {
    fn report(self, io: &mut Io<'_>) -> Result<ExitStatus, Error>;
}

impl Tell for Halt {
    fn report(self, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
        match self {
            Halt::Stop(stop) => stop.report(io),
            Halt::Error(error) => Err(error),
        }
    }
}

impl Tell for Stop {
    /// Prints the message and the diagnosis on stderr (stdout stays for
    /// results), each safe for a terminal: both carry the platform's names
    /// and messages.
    fn report(self, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
        writeln!(io.err, "{}", crate::text::line(&self.message))?;
        if !self.diagnosis.is_empty() {
            let options = TableOptions {
                color: false,
                // The terminal's (or COLUMNS), else what `main` gives a pipe.
                width: io.terminal.width,
                verbose: false,
            };
            writeln!(
                io.err,
                "Diagnosis:\n{}",
                full::outcomes_table(&self.diagnosis, options)
            )?;
        }
        Ok(self.status)
    }
}

/// The request a write would send, for `--dry-run`: method, URL, body, and
/// the same as curl; with `--format json`, as one JSON document
/// (`schema/dry-run.schema.json`).
pub fn dry_run(
    io: &mut Io<'_>,
    session: &Session,
    request: &Request,
    format: OutputFormat,
) -> Result<ExitStatus, Error> {
    let url = session.url(&request.path);
    let body = request.body.as_deref().unwrap_or("");
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    let curl = format!(
        "curl -s -X {} '{url}' -H \"Authorization: Bearer $ANYPOINT_TOKEN\" -H 'Content-Type: application/json' -d '{}'",
        request.method,
        body.replace('\'', "'\\''")
    );
    if format == OutputFormat::Json {
        let document = serde_json::json!({
            "sent": false,
            "method": request.method.to_string(),
            "url": url,
            "body": parsed.unwrap_or_else(|| serde_json::Value::String(body.to_string())),
            "curl": curl,
        });
        serde_json::to_writer_pretty(&mut *io.out, &document).map_err(std::io::Error::other)?;
        writeln!(io.out)?;
        return Ok(ExitStatus::Ok);
    }
    let pretty = parsed
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string());
    writeln!(
        io.out,
        "Dry run: nothing was sent.\n\n{} {url}\nContent-Type: application/json\n\n{pretty}\n",
        request.method
    )?;
    writeln!(io.out, "{curl}")?;
    Ok(ExitStatus::Ok)
}
