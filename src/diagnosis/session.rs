//! A command's session with the platform: the doctor's own base checks
//! (token, identity, org, environments) run first, so a command starts with
//! a token and the ids it needs, or stops with their diagnosis. Commands
//! also use it to send their requests and to diagnose a refusal.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::doctor::context::{RunContext, RunOptions};
use crate::doctor::facts::{EnvFacts, OrgFacts};
use crate::doctor::outcome::{Outcome, Status};
use crate::doctor::{Registry, runner};
use crate::error::{ConfigError, Error};
use crate::exit::ExitStatus;
use crate::har::HarRecorder;
use crate::har::Purpose;
use crate::platform::paging::{self, Listing, Page, Pager};
use crate::platform::{Answer, Reply, Request, TransportError};
use crate::secret::registry::SecretRegistry;
use crate::settings::Settings;

/// Requests in flight for a command: its own work is a handful of calls.
const COMMAND_CONCURRENCY: usize = 4;

pub struct Session {
    pub ctx: Arc<RunContext>,
    /// Why its requests are sent: a command's work, or its lookups (`lookups`).
    purpose: Purpose,
}

/// Runs work that writes nothing to the platform within `deadline_secs` (`--deadline`).
pub async fn within<T, E: From<Error>>(
    deadline_secs: u64,
    work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    tokio::time::timeout(Duration::from_secs(deadline_secs), work)
        .await
        .unwrap_or_else(|_| {
            Err(Error::Deadline {
                secs: deadline_secs,
            }
            .into())
        })
}

/// Why a command ends before its work is done: a stop the user is told
/// about (with its exit status), or an error.
#[derive(Debug)]
pub enum Halt {
    Stop(Stop),
    Error(Error),
}

impl From<Stop> for Halt {
    fn from(stop: Stop) -> Halt {
        Halt::Stop(stop)
    }
}

impl From<Error> for Halt {
    fn from(error: Error) -> Halt {
        Halt::Error(error)
    }
}

impl From<ConfigError> for Halt {
    fn from(error: ConfigError) -> Halt {
        Halt::Error(error.into())
    }
}

/// Why a command stopped: what to print, and the exit status.
#[derive(Debug)]
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
        let status = if diagnosis
            .iter()
            .any(|o| matches!(o.status, Status::Fail | Status::Warn))
        {
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
}

impl Session {
    /// Signs in and learns the org and environments, or halts with the
    /// diagnosis; the run's secrets go to `secrets`.
    pub async fn open(
        settings: Settings,
        har: Option<Arc<HarRecorder>>,
        secrets: &SecretRegistry,
    ) -> Result<Session, Halt> {
        let options = RunOptions {
            concurrency: Some(COMMAND_CONCURRENCY),
            har,
            ..RunOptions::default()
        };
        let ctx = RunContext::connect(settings, options, secrets)?;
        let registry = Registry::get();
        // What a command needs before it can act: the org's environments, and
        // every check that must pass before they can be read.
        let base = registry.with_requirements(&["org.environments"]);
        let outcomes = runner::run(Arc::clone(&ctx), registry, &base, None, &mut |_, _| {}).await;
        if let Some(error) = ctx.take_config_error() {
            return Err(error.into());
        }
        if outcomes.iter().any(|o| o.blocks_dependents()) {
            let shown: Vec<Outcome> = outcomes
                .into_iter()
                .filter(|o| o.status != Status::Pass)
                .collect();
            return Err(Stop::diagnosed("Could not sign in to the platform.", shown).into());
        }
        Ok(Session {
            ctx,
            purpose: Purpose::Work,
        })
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

    /// The client id of the Connected App the session acts as, when known.
    pub fn client_id(&self) -> Option<String> {
        self.ctx.subject_client_id()
    }

    /// The same session for reads the command goes on without when they are
    /// refused (a duplicate check, the explanation of a refusal): their user
    /// agent tells `needs` that the automation does not need them.
    pub fn lookups(&self) -> Session {
        Session {
            ctx: Arc::clone(&self.ctx),
            purpose: Purpose::Lookup,
        }
    }

    /// Sends a request now (never from the run's cache: writes, and re-reads after a write).
    pub async fn send(&self, request: &Request) -> Answer {
        let request = Request {
            purpose: self.purpose,
            ..request.clone()
        };
        self.ctx.platform.send(&request).await
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

    /// GETs every page of a list, within `paging::LISTING`'s bounds:
    /// `page_path(offset)` builds the path; `items` reads a page into (items,
    /// how many entries the page had, the total). Stops at an empty page, at
    /// the total, or at a bound (which the listing names).
    pub async fn all_pages<T, P: DeserializeOwned>(
        &self,
        page_path: impl Fn(usize) -> String,
        items: impl Fn(P) -> (Vec<T>, usize, Option<u64>),
    ) -> Result<Listing<T>, Refusal> {
        let mut pager = Pager::new(paging::LISTING);
        while let Some(offset) = pager.next_offset() {
            let answer = self.send(&Request::get(page_path(offset))).await;
            let reply = Refusal::check(&answer)?;
            let page: P = reply
                .json()
                .map_err(|e| Refusal::Unreadable(e.to_string()))?;
            let (found, entries, total) = items(page);
            pager.take(Page {
                items: found,
                entries,
                total,
                bytes: reply.body.len(),
            });
        }
        Ok(pager.listing())
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
