//! Typed errors that end a command before or instead of a report, each with
//! the one line that tells the user which setting to fix and how.

use std::path::PathBuf;

use crate::exit::ExitStatus;

/// A setting or input the user must fix: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no client id: set ANYPOINT_CLIENT_ID or pass --client-id (or give a ready token with ANYPOINT_BEARER)"
    )]
    MissingClientId,
    #[error(
        "{setting} is an org admin's token for reading a Connected App's scopes, but no client id names the app: set ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET (the app's credentials) too"
    )]
    AdminBearerWithoutApp { setting: String },
    #[error(
        "no client secret for the client id from {client_id_source}: set ANYPOINT_CLIENT_SECRET or pass --client-secret-file PATH"
    )]
    MissingClientSecret { client_id_source: String },
    #[error("{setting} is empty: give a value or unset it")]
    Empty { setting: String },
    #[error(
        "{setting} is {chars} characters long: a secret shorter than {min} could not be told apart from ordinary text, so it could not be kept out of the output; check the value (Anypoint issues 32-character client secrets and 36-character tokens)"
    )]
    SecretTooShort {
        setting: String,
        chars: usize,
        min: usize,
    },
    #[error("cannot read --client-secret-file {}: {source}", path.display())]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--client-secret and --client-secret-file are both given: pass only one")]
    TwoSecrets,
    #[error("--host and --region are both given on the command line: pass only one")]
    HostAndRegion,
    #[error(
        "invalid host {value:?} from {setting}: {reason}; give a host such as eu1.anypoint.mulesoft.com or a URL such as http://127.0.0.1:8081"
    )]
    InvalidHost {
        value: String,
        setting: String,
        reason: String,
    },
    #[error(
        "refusing plain http to {host} (from {setting}): the client secret and token would travel in clear; use https, or pass --allow-insecure-http if you really mean it"
    )]
    InsecureHttp { host: String, setting: String },
    #[error(
        "refusing plain http to {host} through the proxy {proxy} (from {variable}): the client secret and token would reach the proxy in clear; use https, add {host} to NO_PROXY, or pass --allow-insecure-http if you really mean it"
    )]
    InsecureHttpViaProxy {
        host: String,
        proxy: String,
        variable: &'static str,
    },
    #[error(
        "{value:?} from {setting} matches no organization or business group this app can see; use one of: {known}"
    )]
    UnknownOrg {
        value: String,
        setting: String,
        known: String,
    },
    #[error("{value:?} from {setting} matches no environment of {org}; use one of: {known}")]
    UnknownEnv {
        value: String,
        setting: String,
        org: String,
        known: String,
    },
    /// `hint`: "did you mean …", else every scenario.
    #[error("unknown scenario {value:?}; {hint}; or describe your own with --scenario-file PATH")]
    UnknownScenario { value: String, hint: String },
    #[error("scenario file {}: {reason}", path.display())]
    ScenarioFile { path: PathBuf, reason: String },
    #[error(
        "cannot listen on 127.0.0.1:{port}: {reason}; pick another --port (0 picks a free one)"
    )]
    Listen { port: u16, reason: String },
    #[error(
        "refusing to write {destination}: it contains the {what} (a bug in anypoint-doctor: please report it, without this output)"
    )]
    SecretInOutput {
        what: &'static str,
        destination: String,
    },
    #[error(
        "cannot use {setting} {}: {reason}; give a PEM file of CA certificates",
        path.display()
    )]
    CaFile {
        setting: String,
        path: PathBuf,
        reason: String,
    },
    #[error("{setting}: {reason}")]
    Invalid { setting: String, reason: String },
    #[error(
        "refusing to plan with {setting}: it is a token of organization {admin_org}, but the app belongs to {app_org}; give a token of an Organization Administrator of {app_org}"
    )]
    AdminOfAnotherOrg {
        setting: String,
        admin_org: String,
        app_org: String,
    },
    /// `hint`: "did you mean …", else every valid capability.
    #[error("unknown capability {value:?} in --for; {hint}")]
    UnknownCapability { value: String, hint: String },
    /// `hint`: "did you mean …", else every valid id.
    #[error("unknown check or category {value:?} in {setting}; {hint}")]
    UnknownCheck {
        value: String,
        setting: String,
        hint: String,
    },
}

/// A traffic file (`traffic::read`) that cannot be read as calls. Each names
/// the file and what was expected of it.
#[derive(Debug, thiserror::Error)]
pub enum TrafficError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} is not JSON ({reason}): expected a HAR 1.2 file, a Postman collection (v2.0 or v2.1) or an Insomnia export (v4)",
        path.display()
    )]
    NotJson { path: PathBuf, reason: String },
    #[error(
        "{} is none of the traffic files anypoint-doctor reads: expected a HAR 1.2 file (`log.entries`), a Postman collection v2.0 or v2.1 (`info.schema` and `item`) or an Insomnia export v4 (`_type: \"export\"`, `__export_format: 4`)",
        path.display()
    )]
    Unknown { path: PathBuf },
    /// A file recognised as `format` whose content does not follow it, or a
    /// version of it that is not read; `reason` says which and what to do.
    #[error("{} is {format}, but {reason}", path.display())]
    Malformed {
        path: PathBuf,
        format: &'static str,
        reason: String,
    },
}

/// The simulator's reasons, in the doctor's words: an unknown scenario gets
/// the did-you-mean every unknown name gets.
impl From<anypoint_sim::load::LoadError> for ConfigError {
    fn from(error: anypoint_sim::load::LoadError) -> Self {
        use anypoint_sim::load::LoadError;
        match error {
            LoadError::UnknownScenario { name, known } => ConfigError::UnknownScenario {
                hint: crate::suggest::hint(
                    &name,
                    &known,
                    "scenarios",
                    "anypoint-doctor sim --list-scenarios",
                ),
                value: name,
            },
            LoadError::BrokenScenario {
                name,
                reason,
                known,
            } => ConfigError::UnknownScenario {
                value: format!("{name} ({reason})"),
                hint: format!("use one of: {}", known.join(", ")),
            },
            LoadError::ScenarioFile { path, reason } => ConfigError::ScenarioFile { path, reason },
        }
    }
}

/// Everything that ends a command without a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("could not start the HTTP client: {0}")]
    HttpClient(String),
    #[error("could not write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error(
        "not finished within --deadline {secs} s (nothing was written to the platform); raise --deadline, or check the network path with `anypoint-doctor check --select net,auth`"
    )]
    Deadline { secs: u64 },
}

impl Error {
    /// The output's reader went away (`| head`): nothing to tell, nobody to tell it to.
    pub fn is_closed_reader(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Config(_) => ExitStatus::Usage,
            Error::HttpClient(_) | Error::Output(_) | Error::Deadline { .. } => {
                ExitStatus::Incomplete
            }
        }
    }
}
