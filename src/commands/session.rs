//! A command's session with the platform: the doctor's own base checks
//! (token, identity, org, environments) run first, so a command starts with
//! a token and the ids it needs, or stops with their diagnosis. Commands
//! also use it to send their requests and to diagnose a refusal.

use std::sync::Arc;

use clap::ArgMatches;
use serde::de::DeserializeOwned;

use crate::cli::ConnectionArgs;
use crate::doctor::context::{EnvFacts, OrgFacts, RunContext, RunOptions};
use crate::doctor::{Registry, runner};
use crate::error::Error;
use crate::platform::{Answer, Reply, Request, TransportError};
use crate::report::table::{self, TableOptions};
use crate::report::{Outcome, Status, Summary};
use crate::secret::SecretRegistry;
use crate::settings::Settings;
use crate::{ExitStatus, Io};

/// The checks every command needs before it can act.
const BASE_CHECKS: &[&str] = &[
    "net.proxy",
    "net.dns",
    "net.tcp",
    "net.tls",
    "auth.token",
    "auth.identity",
    "org.structure",
    "org.environments",
];

/// Requests in flight for a command: its own work is a handful of calls.
const COMMAND_CONCURRENCY: usize = 4;

pub struct Session {
    pub ctx: Arc<RunContext>,
}

/// Runs work that writes nothing to the platform within `--deadline`.
pub async fn within<T>(
    connection: &ConnectionArgs,
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let secs = connection.deadline;
    tokio::time::timeout(std::time::Duration::from_secs(secs), work)
        .await
        .unwrap_or(Err(Error::Deadline { secs }))
}

/// Resolves the connection settings and prints their warnings on stderr.
pub fn resolve_settings(
    connection: &ConnectionArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<Settings, Error> {
    let settings = Settings::resolve(&connection.given(matches))?;
    settings.register_secrets(&io.secrets);
    announce(settings, io)
}

/// Prints the settings' warnings on stderr.
pub fn announce(settings: Settings, io: &mut Io<'_>) -> Result<Settings, Error> {
    for warning in &settings.warnings {
        writeln!(io.err, "{warning}")?;
    }
    Ok(settings)
}

/// Resolves the settings and opens a session; `Err(status)` when the command
/// must stop, the reason already printed.
pub async fn start(
    connection: &ConnectionArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<Result<Session, ExitStatus>, Error> {
    let settings = resolve_settings(connection, matches, io)?;
    match Session::open(settings, &io.secrets).await? {
        Ok(session) => Ok(Ok(session)),
        Err(stop) => stop.report(io).map(Err),
    }
}

/// Why a command stopped: what to print, and the exit status.
pub struct Stop {
    pub message: String,
    pub diagnosis: Vec<Outcome>,
    pub status: ExitStatus,
}

impl Stop {
    pub fn new(status: ExitStatus, message: impl Into<String>) -> Stop {
        Stop {
            message: message.into(),
            diagnosis: Vec::new(),
            status,
        }
    }

    /// A stop explained by doctor outcomes; the status follows the worst of them.
    pub fn diagnosed(message: impl Into<String>, diagnosis: Vec<Outcome>) -> Stop {
        let summary = Summary::of(&diagnosis);
        let status = if summary.fail > 0 || summary.warn > 0 {
            ExitStatus::Failed
        } else {
            ExitStatus::Incomplete
        };
        Stop {
            message: message.into(),
            diagnosis,
            status,
        }
    }

    /// Prints the message and the diagnosis on stderr (stdout stays for
    /// results), each safe for a terminal: both carry the platform's names
    /// and messages.
    pub fn report(self, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
        writeln!(io.err, "{}", crate::text::line(&self.message))?;
        if !self.diagnosis.is_empty() {
            let options = TableOptions {
                color: false,
                width: io.terminal.width.or(Some(120)),
                verbose: false,
            };
            writeln!(
                io.err,
                "Diagnosis:\n{}",
                table::outcomes_table(&self.diagnosis, options)
            )?;
        }
        Ok(self.status)
    }
}

impl Session {
    /// Signs in and learns the org and environments, or stops with the
    /// diagnosis; the run's secrets go to `secrets`.
    pub async fn open(
        settings: Settings,
        secrets: &SecretRegistry,
    ) -> Result<Result<Session, Stop>, Error> {
        let options = RunOptions {
            read_only: false,
            probe_regions: false,
            max_in_flight: COMMAND_CONCURRENCY,
        };
        let ctx = RunContext::connect(settings, options, secrets)?;
        let registry = Registry::get();
        let base: Vec<usize> = BASE_CHECKS
            .iter()
            .filter_map(|id| registry.index_of(id))
            .collect();
        let outcomes = runner::run(Arc::clone(&ctx), registry, &base, None, &mut |_, _| {}).await;
        if let Some(error) = ctx.take_config_error() {
            return Err(error.into());
        }
        if outcomes.iter().any(|o| o.blocks_dependents()) {
            let shown: Vec<Outcome> = outcomes
                .into_iter()
                .filter(|o| o.status != Status::Pass)
                .collect();
            return Ok(Err(Stop::diagnosed(
                "Could not sign in to the platform.",
                shown,
            )));
        }
        Ok(Ok(Session { ctx }))
    }

    pub fn org(&self) -> &OrgFacts {
        self.ctx.facts.org.get().expect("org.structure passed")
    }

    pub fn environments(&self) -> &EnvFacts {
        self.ctx
            .facts
            .environments
            .get()
            .expect("org.environments passed")
    }

    pub fn url(&self, path: &str) -> String {
        self.ctx.platform.url(path)
    }

    /// Sends a request now (never from the run's cache: writes, and re-reads after a write).
    pub async fn send(&self, request: &Request) -> Answer {
        self.ctx.platform.send(request).await
    }

    /// Runs these checks on this session and keeps the outcomes that are not a plain pass
    /// (narrowed to `target` when given): the diagnosis of a refusal.
    pub async fn diagnose(&self, ids: &[&str], target: Option<&str>) -> Vec<Outcome> {
        let registry = Registry::get();
        let chosen: Vec<usize> = ids.iter().filter_map(|id| registry.index_of(id)).collect();
        runner::run(
            Arc::clone(&self.ctx),
            registry,
            &chosen,
            None,
            &mut |_, _| {},
        )
        .await
        .into_iter()
        .filter(|o| target.is_none_or(|t| o.target.as_deref().is_none_or(|ot| ot == t)))
        .collect()
    }

    /// GETs every page of a list: `page_path(offset)` builds the path; `items`
    /// reads a page into (items, how many entries the page had, the total).
    /// Stops at an empty page, at the total, or after 1000 pages.
    pub async fn all_pages<T, P: DeserializeOwned>(
        &self,
        page_path: impl Fn(usize) -> String,
        items: impl Fn(P) -> (Vec<T>, usize, Option<u64>),
    ) -> Result<Vec<T>, Refusal> {
        let mut all = Vec::new();
        let mut offset = 0;
        for _ in 0..1000 {
            let answer = self.send(&Request::get(page_path(offset))).await;
            let reply = Refusal::check(&answer)?;
            let page: P = reply.json().map_err(Refusal::Unreadable)?;
            let (mut found, entries, total) = items(page);
            offset += entries;
            all.append(&mut found);
            if entries == 0 || total.is_some_and(|t| offset as u64 >= t) {
                break;
            }
        }
        Ok(all)
    }
}

/// Why a request did not give what was asked for.
#[derive(Debug)]
pub enum Refusal {
    /// No answer: a timeout or a broken connection. `reached` is false only
    /// when no connection was made, so the server cannot have acted on it.
    NoAnswer { why: String, reached: bool },
    /// An HTTP status that is not success, with the platform's message.
    Status { status: u16, message: String },
    /// A success whose body could not be read.
    Unreadable(String),
}

impl Refusal {
    /// The reply, if the answer is a success.
    pub fn check(answer: &Answer) -> Result<&Reply, Refusal> {
        match &answer.result {
            Err(e) => Err(Refusal::NoAnswer {
                why: e.to_string(),
                reached: !matches!(e, TransportError::Connect(_)),
            }),
            Ok(reply) if reply.is_success() => Ok(reply),
            Ok(reply) => Err(Refusal::Status {
                status: reply.status,
                message: reply.platform_message(),
            }),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Refusal::NoAnswer { why, .. } => format!("no answer ({why})"),
            Refusal::Status { status, message } => format!("HTTP {status}: {message}"),
            Refusal::Unreadable(why) => why.clone(),
        }
    }

    /// A refusal a scope check can explain (401 or 403); no answer or a
    /// server error says nothing about scopes, and asking again would only wait again.
    pub fn is_about_permission(&self) -> bool {
        matches!(
            self,
            Refusal::Status {
                status: 401 | 403,
                ..
            }
        )
    }

    /// The exit status when nothing better is known: 1 for a refusal, 3 for no answer.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Refusal::Status { status, .. } if *status < 500 && *status != 429 => ExitStatus::Failed,
            _ => ExitStatus::Incomplete,
        }
    }
}

/// A create that got no answer was looked for afresh and is not there (`Ok`),
/// or could not be looked for (`Err`): the stop to report. `what` names the
/// thing ("application \"x\"", "contract"); `look_again` is the command that
/// lists it. Only a request that never reached the server is surely not
/// carried out: one that timed out may still be, after the look.
pub fn lost_create(
    why: &str,
    reached: bool,
    what: &str,
    lookup: Result<(), Refusal>,
    look_again: &str,
) -> Stop {
    let message = match lookup {
        Ok(()) if !reached => format!(
            "The create could not be sent ({why}): nothing was created; it is safe to run the command again."
        ),
        Ok(()) => format!(
            "The create got no answer ({why}) and no {what} exists yet, but the platform may still be carrying it out: run `{look_again}` in a minute before running the command again."
        ),
        Err(refusal) => format!(
            "The create got no answer ({why}), and whether it happened cannot be checked ({}): run `{look_again}` before trying again.",
            refusal.describe()
        ),
    };
    Stop::new(ExitStatus::Incomplete, message)
}

/// The request a write would send, for `--dry-run`: method, URL, body, and the same as curl.
pub fn dry_run(io: &mut Io<'_>, session: &Session, request: &Request) -> Result<ExitStatus, Error> {
    let url = session.url(&request.path);
    let body = request.body.as_deref().unwrap_or("");
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string());
    writeln!(
        io.out,
        "Dry run: nothing was sent.\n\n{} {url}\nContent-Type: application/json\n\n{pretty}\n",
        request.method
    )?;
    writeln!(
        io.out,
        "curl -s -X {} '{url}' -H \"Authorization: Bearer $ANYPOINT_TOKEN\" -H 'Content-Type: application/json' -d '{}'",
        request.method,
        body.replace('\'', "'\\''")
    )?;
    Ok(ExitStatus::Ok)
}
