//! `anypoint-doctor create app`: a client application through Exchange v2,
//! in the root organization. Input is checked before anything is sent; a
//! name already taken is refused; a create that got no answer is looked up
//! before anything else, so nothing is created twice.

use std::io::Write as _;
use std::path::Path;

use clap::ArgMatches;
use serde_json::json;

use super::session::{self, Tell, dry_run};
use crate::cli::CreateAppArgs;
use crate::diagnosis::resources;
use crate::diagnosis::session::{Refusal, Session, Stop, lost_create};
use crate::doctor::catalogue::Service;
use crate::doctor::outcome::Status;
use crate::error::{ConfigError, Error};
use crate::platform::models::{ClientApplication, GRANT_TYPES};
use crate::platform::{Request, paths};
use crate::report::listing::{CreatedApp, ListedApp, NextContract, OutputFormat, SecretShown};
use crate::text::line;
use crate::text::shell_word;
use crate::{ExitStatus, Io};

/// Longest name accepted before sending: the platform's own limit is not
/// documented, and a longer name is a mistake far more often than a wish.
const MAX_NAME_CHARS: usize = 255;

/// What lists the applications, to look for one whose create got no answer.
const LOOK_AGAIN: &str = "anypoint-doctor apps";

/// The request body, from validated input.
fn body(args: &CreateAppArgs) -> Result<serde_json::Value, ConfigError> {
    let invalid = |setting: &str, reason: String| ConfigError::Invalid {
        setting: setting.to_string(),
        reason,
    };
    let name = args.name.trim();
    if name.is_empty() {
        return Err(invalid("--name", "the name is empty".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "--name",
            format!("the name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    for uri in &args.redirect_uris {
        let parsed = reqwest::Url::parse(uri).map_err(|e| {
            invalid(
                "--redirect-uri",
                format!("{uri:?} is not an absolute URI ({e})"),
            )
        })?;
        if parsed.cannot_be_a_base() {
            return Err(invalid(
                "--redirect-uri",
                format!("{uri:?} is not a URL with a host"),
            ));
        }
    }
    if let Some(bad) = args
        .grant_types
        .iter()
        .find(|g| !GRANT_TYPES.contains(&g.as_str()))
    {
        return Err(invalid(
            "--grant-type",
            format!("{bad:?} is not one of {}", GRANT_TYPES.join(", ")),
        ));
    }
    if let Some(path) = &args.secret_file
        && path.exists()
    {
        return Err(invalid(
            "--secret-file",
            format!("{} exists; give a new file", path.display()),
        ));
    }
    let mut body = json!({
        "name": name,
        "description": args.description.clone().unwrap_or_default(),
        "redirectUri": args.redirect_uris,
        "apiEndpoints": args.api_endpoints,
    });
    if !args.grant_types.is_empty() {
        body["grantTypes"] = json!(args.grant_types);
    }
    Ok(body)
}

pub async fn run(
    args: &CreateAppArgs,
    matches: &ArgMatches,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let body = body(args)?;
    let session = match session::start(&args.connection, matches, io).await {
        Ok(session) => session,
        Err(halt) => return halt.report(io),
    };
    let root = session.org().root.clone();
    let name = args.name.trim();

    // Refuse a second application with the same name, unless asked. A
    // lookup: the create goes on without it (Application Creator alone may
    // not list every application, reference §11.1).
    let existing = match resources::every_application(&session.lookups()).await {
        Ok(apps) => Some(apps),
        Err(refusal) => {
            writeln!(
                io.err,
                "{}",
                line(&format!(
                    "warning: cannot check for an existing \"{name}\": listing applications failed ({})",
                    refusal.describe()
                ))
            )?;
            None
        }
    };
    if let Some(apps) = &existing {
        if let Some(same) = apps.iter().find(|a| a.name == name)
            && !args.allow_duplicate
        {
            return Err(ConfigError::Invalid {
                setting: "--name".into(),
                reason: format!(
                    "an application named {name:?} already exists in \"{}\" (id {}); use it, or pass --allow-duplicate",
                    root.name, same.id
                ),
            }
            .into());
        }
        if apps.is_empty() {
            writeln!(
                io.err,
                "warning: the duplicate check cannot be trusted: the application list is empty, which is also what a missing View Client Applications scope looks like (see `anypoint-doctor check --select data`)"
            )?;
        }
    }

    let request = Request::create(
        format!(
            "/exchange/api/v2/organizations/{}/applications",
            paths::id(&root.id)
        ),
        body.to_string(),
    );
    if args.write.dry_run {
        return dry_run(io, &session, &request, args.write.format);
    }
    // Opened before the create, so the secret the create answers with has somewhere to go.
    let mut secret_out = match &args.secret_file {
        Some(path) => Some(SecretFile::create(path)?),
        None => None,
    };
    let answer = session.send(&request).await;
    let outcome =
        created_or_stopped(args, io, &session, name, existing, &answer, &mut secret_out).await;
    if let Some(file) = secret_out {
        file.finish();
    }
    outcome
}

async fn created_or_stopped(
    args: &CreateAppArgs,
    io: &mut Io<'_>,
    session: &Session,
    name: &str,
    existing: Option<Vec<ClientApplication>>,
    answer: &crate::platform::Answer,
    secret_out: &mut Option<SecretFile>,
) -> Result<ExitStatus, Error> {
    match Refusal::check(answer) {
        Ok(reply) => match reply.json::<ClientApplication>() {
            Ok(app) => created(args, io, session, app, secret_out).await,
            Err(reason) => Ok(Stop::new(
                ExitStatus::Incomplete,
                format!("The application may have been created, but the answer could not be read: {reason}. Check with `anypoint-doctor apps`."),
            )
            .report(io)?),
        },
        Err(Refusal::Status { status, message }) if status == 401 || status == 403 => {
            let diagnosis = session.diagnose(&["scope.manage-client-applications"], None).await;
            Stop::diagnosed(format!("The platform refused the create (HTTP {status}: {message})."), diagnosis).report(io)
        }
        Err(Refusal::NoAnswer { why, reached }) => {
            // Never retried blindly: look for it first.
            let before: Vec<u64> = existing.unwrap_or_default().iter().map(|a| a.id).collect();
            match resources::every_application(&session.lookups()).await {
                Ok(apps) => match apps.into_iter().find(|a| a.name == name && !before.contains(&a.id)) {
                    Some(app) => {
                        writeln!(io.err, "The create got no answer ({}), but the application exists:", line(&why))?;
                        created(args, io, session, app, secret_out).await
                    }
                    None => lost_create(&why, reached, &format!("application {name:?}"), Ok(()), LOOK_AGAIN).report(io),
                },
                Err(refusal) => lost_create(&why, reached, "application", Err(refusal), LOOK_AGAIN).report(io),
            }
        }
        Err(refusal) => {
            let status = refusal.exit_status();
            Stop::new(status, format!("The platform did not create the application: {}.", refusal.describe())).report(io)
        }
    }
}

async fn created(
    args: &CreateAppArgs,
    io: &mut Io<'_>,
    session: &Session,
    app: ClientApplication,
    secret_out: &mut Option<SecretFile>,
) -> Result<ExitStatus, Error> {
    let mut secret_written = false;
    if let (Some(file), Some(secret)) = (secret_out.as_mut(), &app.client_secret) {
        file.write(secret.expose())?;
        secret_written = true;
    }
    let mut listed = ListedApp::of(&app);
    let secret = if args.show_secret && app.client_secret.is_some() {
        listed.client_secret = app.client_secret.as_ref().map(|s| s.expose().to_string());
        SecretShown::Printed
    } else if let (Some(path), true) = (&args.secret_file, secret_written) {
        SecretShown::WrittenTo(path.display().to_string())
    } else if app.client_secret.is_none() {
        SecretShown::NotReturned
    } else {
        SecretShown::Withheld
    };
    // The suggestion costs a listing: only the table shows it.
    let next = match args.write.format {
        OutputFormat::Table => {
            first_api_instance(session)
                .await
                .map(|(environment, api)| NextContract {
                    command: format!(
                        "anypoint-doctor create contract --app {}{} --api {api} --env {}",
                        app.id,
                        crate::rerun::org_flags(&session.ctx.settings),
                        shell_word(&environment)
                    ),
                    environment,
                    api,
                })
        }
        OutputFormat::Json => None,
    };
    let created = CreatedApp {
        app: listed,
        root_org: session.org().root.name.clone(),
        secret,
        next,
    };
    write!(
        io.out,
        "{}",
        created.render(args.write.format, crate::text::width(io.terminal.width))
    )?;
    Ok(ExitStatus::Ok)
}

/// A new file only its owner can read, for the client secret. Removed again
/// if nothing was written to it (the create did not happen).
struct SecretFile {
    path: std::path::PathBuf,
    file: std::fs::File,
    written: bool,
}

impl SecretFile {
    fn create(path: &Path) -> Result<SecretFile, Error> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|e| ConfigError::Invalid {
            setting: "--secret-file".into(),
            reason: format!("cannot create {}: {e}", path.display()),
        })?;
        Ok(SecretFile {
            path: path.to_path_buf(),
            file,
            written: false,
        })
    }

    fn write(&mut self, secret: &str) -> Result<(), Error> {
        writeln!(self.file, "{secret}")?;
        self.written = true;
        Ok(())
    }

    fn finish(self) {
        if !self.written {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The first API instance the selected environments list, for the contract
/// suggested next: an environment whose list is refused is passed over, and
/// a design one not asked (API Manager does not manage it, reference §12.1);
/// so is one where the pre-flight for contracts does not pass (the command
/// printed must run as printed).
async fn first_api_instance(session: &Session) -> Option<(String, u64)> {
    let proven: Vec<String> = session
        .diagnose(&["capability.create-contract"], None)
        .await
        .into_iter()
        .filter(|o| o.id == "capability.create-contract" && o.status == Status::Pass)
        .filter_map(|o| o.target)
        .collect();
    for env in session
        .environments()
        .selected_for(Some(Service::ApiManager))
        .into_iter()
        .filter(|env| proven.contains(&env.name))
    {
        if let Ok(instances) = resources::api_instances(&session.lookups(), &env.id).await
            && let Some(api) = instances.items.first()
        {
            return Some((env.name.clone(), api.id));
        }
    }
    None
}
