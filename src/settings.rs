//! Resolved settings: flags beat `ANYPOINT_*` variables, which beat defaults.
//!
//! Every value remembers where it came from, so `check -v` can say which
//! setting won, and validation errors name the exact flag or variable to fix.

use std::fmt;
use std::path::PathBuf;

use reqwest::Url;

use crate::cli_v4_config;
use crate::error::ConfigError;
use crate::har::HarRecorder;
use crate::platform::control_plane::{DEFAULT_HOST, Region, parse_base_url, region_host};
use crate::platform::proxy::{ProxyChoice, ProxyEnv, mask_credentials};
use crate::secret::Secret;
use crate::secret::forms::MIN_SCANNABLE_CHARS;
use crate::secret::registry::SecretRegistry;
use crate::text::shell_word;
use std::sync::Arc;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    File(PathBuf),
    /// anypoint-cli-v4's saved settings (`cli_v4_config`).
    CliV4Config(PathBuf),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "{var}"),
            // A path from the environment may hold anything: shown as one line.
            Source::File(path) => write!(f, "file {}", shown(path)),
            Source::CliV4Config(path) => write!(f, "anypoint-cli-v4 config ({})", shown(path)),
            Source::Default => f.write_str("default"),
        }
    }
}

fn shown(path: &std::path::Path) -> String {
    crate::text::line(&path.display().to_string()).into_owned()
}

#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// The connection settings as the user gave them, each with where it came
/// from; the command line fills it (`cli`), `Settings::resolve` checks it.
#[derive(Clone)]
pub struct Given {
    pub client_id: Option<Sourced<String>>,
    pub client_secret: Option<Sourced<String>>,
    pub client_secret_file: Option<PathBuf>,
    pub bearer: Option<Sourced<String>>,
    pub host: Option<Sourced<String>>,
    pub region: Option<Region>,
    pub allow_insecure_http: bool,
    pub org: Option<Sourced<String>>,
    /// As given, blanks included: a blank value is an error, not "every environment".
    pub envs: Sourced<Vec<String>>,
    pub ca_file: Option<Sourced<PathBuf>>,
    pub timeout: Sourced<u64>,
    pub connect_timeout: Sourced<u64>,
    /// What reading anypoint-cli-v4's saved settings had to say (a file not
    /// used, and why): the command tells it before resolving.
    pub notes: Vec<String>,
    /// Where the run's exchanges are recorded (`--har`).
    pub har: Option<Arc<HarRecorder>>,
}

impl Given {
    /// Fills what neither a flag nor a variable set from anypoint-cli-v4's
    /// saved settings, as anypoint-cli-v4 itself does, key by key; its client
    /// secret only for its own client id. A file that cannot be used leaves a note.
    pub fn with_saved(mut self, loaded: cli_v4_config::Loaded) -> Given {
        let saved = match loaded {
            cli_v4_config::Loaded::Absent => return self,
            cli_v4_config::Loaded::Unusable(why) => {
                self.notes.push(why);
                return self;
            }
            cli_v4_config::Loaded::Saved(mut saved) => {
                self.notes.extend(saved.warning.take());
                saved
            }
        };
        let from = |value: Option<String>| {
            value.map(|value| Sourced {
                value,
                source: Source::CliV4Config(saved.path.clone()),
            })
        };
        let secret = |value: Option<Secret>| from(value.map(|s| s.expose().to_string()));
        let saved_id_in_use = match (&self.client_id, &saved.client_id) {
            (None, Some(_)) => true,
            (Some(given), Some(id)) => &given.value == id,
            _ => false,
        };
        if self.client_secret.is_none() && self.client_secret_file.is_none() && saved_id_in_use {
            self.client_secret = secret(saved.client_secret.clone());
        }
        self.client_id = self
            .client_id
            .take()
            .or_else(|| from(saved.client_id.clone()));
        self.bearer = self.bearer.take().or_else(|| secret(saved.bearer.clone()));
        if self.region.is_none() {
            self.host = self.host.take().or_else(|| from(saved.host.clone()));
        }
        self.org = self.org.take().or_else(|| from(saved.organization.clone()));
        if self.envs.value.is_empty()
            && self.envs.source == Source::Default
            && let Some(environment) = from(saved.environment.clone())
        {
            self.envs = Sourced {
                value: vec![environment.value],
                source: environment.source,
            };
        }
        self
    }
}

/// Which business groups `--org` asks a sweep to cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgSweep {
    /// `--org all`: the root organization and every business group the app can see.
    All,
    /// `--org A,B`: these, by id or name.
    Listed(Vec<String>),
}

/// How the doctor authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Client credentials: the token check asks for a token.
    ClientCredentials {
        client_id: Sourced<String>,
        client_secret: Sourced<Secret>,
    },
    /// A ready-made token; the client id, when given, names the app whose scopes to read.
    Bearer {
        token: Sourced<Secret>,
        client_id: Option<Sourced<String>>,
        /// Where a client secret given too came from: the token overrides
        /// it, so a refused token's fix says to unset the token.
        secret_set_aside: Option<Source>,
    },
}

impl Settings {
    /// The settings the user gave as flags, as flags again (never a secret:
    /// a secret file is carried by its path, a secret given inline not at
    /// all), so that a command suggested after the run reaches the same
    /// control plane as the same app. `--org` and `--env` are left to the
    /// suggestion, which names the ones it is about.
    pub fn carried_flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        let flag = |source: &Source| matches!(source, Source::Flag(_));
        if flag(&self.base_url.source) {
            flags.push(format!(
                "--host {}",
                shell_word(self.base_url.value.as_str().trim_end_matches('/'))
            ));
        }
        if let Some(id) = self.credentials.client_id()
            && flag(&id.source)
        {
            flags.push(format!("--client-id {}", shell_word(&id.value)));
        }
        if let Credentials::ClientCredentials { client_secret, .. } = &self.credentials
            && let Source::File(path) = &client_secret.source
        {
            flags.push(format!(
                "--client-secret-file {}",
                shell_word(&path.display().to_string())
            ));
        }
        if let Some(ca) = &self.ca_file
            && flag(&ca.source)
        {
            flags.push(format!(
                "--ca-file {}",
                shell_word(&ca.value.path.display().to_string())
            ));
        }
        flags
    }

    /// The app's credentials as shell expressions for a token request the
    /// user runs (the variable, the id typed, `$(cat FILE)`), never their
    /// values; none for a ready-made token. Each is written to stand inside
    /// double quotes.
    pub fn token_request(&self) -> Option<TokenRequest> {
        let Credentials::ClientCredentials {
            client_id,
            client_secret,
        } = &self.credentials
        else {
            return None;
        };
        let client_id = match &client_id.source {
            Source::Flag(_) => double_quoted(&client_id.value),
            _ => "$ANYPOINT_CLIENT_ID".into(),
        };
        let client_secret = match &client_secret.source {
            Source::File(path) => format!("$(cat {})", shell_word(&path.display().to_string())),
            _ => "$ANYPOINT_CLIENT_SECRET".into(),
        };
        Some(TokenRequest {
            client_id,
            client_secret,
            ca_file: self
                .ca_file
                .as_ref()
                .map(|ca| ca.value.path.display().to_string()),
        })
    }

    /// This run's app and org again, as flags to append to a suggested
    /// command: the carried flags, and `--org` as the user gave it.
    pub fn org_flags(&self) -> String {
        let mut flags = self.carried_flags();
        if let Some(org) = self
            .org
            .as_ref()
            .filter(|o| matches!(o.source, Source::Flag(_)))
        {
            flags.push(format!("--org {}", shell_word(&org.value)));
        }
        flags.iter().map(|f| format!(" {f}")).collect()
    }

    /// The business groups a sweep covers, when `--org` names more than one:
    /// `all`, or a comma-separated list of ids or names.
    pub fn sweep(&self) -> Option<OrgSweep> {
        let org = self.org.as_ref()?;
        if org.value.trim().eq_ignore_ascii_case("all") {
            return Some(OrgSweep::All);
        }
        let listed: Vec<String> = org
            .value
            .split(',')
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .collect();
        (listed.len() > 1).then_some(OrgSweep::Listed(listed))
    }

    /// These settings for one business group of a sweep: its commands name it by id.
    pub fn for_org(&self, id: &str) -> Settings {
        let mut settings = self.clone();
        settings.org = Some(Sourced {
            value: id.to_string(),
            source: Source::Flag("--org"),
        });
        settings
    }

    /// ` --env A,B` as the user gave it, or nothing.
    pub fn env_flag(&self) -> String {
        match self
            .envs
            .as_ref()
            .filter(|e| matches!(e.source, Source::Flag(_)))
        {
            Some(envs) => format!(" --env {}", shell_word(&envs.value.join(","))),
            None => String::new(),
        }
    }

    /// This run's target again: `org_flags`, and `--env` as the user gave it.
    pub fn rerun_flags(&self) -> String {
        self.org_flags() + &self.env_flag()
    }
}

/// The app's credentials as shell expressions, never their values; each
/// stands inside double quotes.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// `$ANYPOINT_CLIENT_ID`, or the id the user typed (its `"`, `\\`, `$`
    /// and backquotes escaped).
    pub client_id: String,
    /// `$ANYPOINT_CLIENT_SECRET`, or `$(cat FILE)`.
    pub client_secret: String,
    /// The extra trusted roots, for curl's `--cacert`.
    pub ca_file: Option<String>,
}

/// A value as the inside of a double-quoted POSIX shell word: taken as it
/// is, nothing in it expanded.
fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Credentials {
    pub fn client_id(&self) -> Option<&Sourced<String>> {
        match self {
            Credentials::ClientCredentials { client_id, .. } => Some(client_id),
            Credentials::Bearer { client_id, .. } => client_id.as_ref(),
        }
    }

    /// Every secret value and what it is, for redaction and the canary scan.
    pub fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        match self {
            Credentials::ClientCredentials { client_secret, .. } => {
                vec![("client secret", &client_secret.value)]
            }
            Credentials::Bearer { token, .. } => vec![("bearer token", &token.value)],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub credentials: Credentials,
    /// Base URL of the control plane, without a trailing slash.
    pub base_url: Sourced<Url>,
    pub org: Option<Sourced<String>>,
    pub envs: Option<Sourced<Vec<String>>>,
    pub timeout_secs: Sourced<u64>,
    pub connect_timeout_secs: Sourced<u64>,
    /// The proxy variables of the environment, read once here so every check sees the same.
    pub proxy: ProxyEnv,
    /// Extra trusted roots (--ca-file or SSL_CERT_FILE).
    pub ca_file: Option<Sourced<CaFile>>,
    /// An org admin's token that reads the app's granted scopes, while the
    /// app's own credentials run everything else (`check --admin-bearer`).
    pub admin_bearer: Option<Sourced<Secret>>,
    /// Things the user should know but that do not stop the run (printed on stderr).
    pub warnings: Vec<String>,
    /// Where `--probe-regions` asks the other control planes, when not at
    /// their hosts: the simulator plays another plane for `demo`.
    pub other_planes: Vec<(Region, Url)>,
    /// Where the HTTP client records every exchange (`--har`).
    pub har: Option<Arc<HarRecorder>>,
}

/// A PEM file of extra trusted roots, read and checked when settings resolve.
#[derive(Debug, Clone)]
pub struct CaFile {
    pub path: PathBuf,
    pub pem: Vec<u8>,
    pub certificates: usize,
}

impl CaFile {
    /// Reads a PEM bundle; `setting` names the flag or variable in the error.
    pub fn read(path: &std::path::Path, setting: &str) -> Result<CaFile, ConfigError> {
        let invalid = |reason: String| ConfigError::CaFile {
            setting: setting.to_string(),
            path: path.to_path_buf(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| invalid(e.to_string()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| invalid(e.to_string()))?
            .len();
        if certificates == 0 {
            return Err(invalid("it holds no PEM certificate".into()));
        }
        // The bundle parser only decodes base64: a CERTIFICATE block that is
        // not X.509 would fail later, when the HTTP client is built, as a
        // bare "builder error" that names no file.
        let blocks = x509_parser::pem::Pem::iter_from_buffer(&pem)
            .filter_map(Result::ok)
            .filter(|block| block.label == "CERTIFICATE");
        for (n, block) in blocks.enumerate() {
            if let Err(e) = x509_parser::parse_x509_certificate(&block.contents) {
                return Err(invalid(format!(
                    "certificate {} is not a valid X.509 certificate ({e})",
                    n + 1
                )));
            }
        }
        Ok(CaFile {
            path: path.to_path_buf(),
            pem,
            certificates,
        })
    }
}

/// One row of the provenance table shown by `check -v`.
pub struct SettingRow {
    pub name: &'static str,
    pub value: String,
    pub source: String,
}

impl Settings {
    /// Resolves and validates the connection settings as given.
    pub fn resolve(given: &Given) -> Result<Settings, ConfigError> {
        let mut warnings = Vec::new();

        let client_id = non_empty(given.client_id.clone())?;
        let bearer = non_empty(given.bearer.clone())?
            .map(|s| long_enough(s.value, s.source))
            .transpose()?;
        if bearer
            .as_ref()
            .is_some_and(|b| b.source == Source::Flag("--bearer"))
        {
            warnings.push(
                "warning: --bearer on the command line is visible in shell history and `ps`; prefer ANYPOINT_BEARER".into(),
            );
        }

        if given
            .client_secret
            .as_ref()
            .is_some_and(|s| s.source == Source::Flag("--client-secret"))
            && given.client_secret_file.is_some()
        {
            return Err(ConfigError::TwoSecrets);
        }
        let client_secret = match &given.client_secret_file {
            Some(path) => Some(read_secret_file(path)?),
            None => {
                let secret = non_empty(given.client_secret.clone())?;
                if secret
                    .as_ref()
                    .is_some_and(|s| s.source == Source::Flag("--client-secret"))
                {
                    warnings.push(
                        "warning: --client-secret on the command line is visible in shell history and `ps`; prefer ANYPOINT_CLIENT_SECRET or --client-secret-file".into(),
                    );
                }
                secret.map(|s| long_enough(s.value, s.source)).transpose()?
            }
        };

        let credentials = match (bearer, client_id, client_secret) {
            (Some(token), client_id, secret) => Credentials::Bearer {
                token,
                client_id,
                secret_set_aside: secret.map(|s| s.source),
            },
            (None, Some(client_id), Some(client_secret)) => Credentials::ClientCredentials {
                client_id,
                client_secret,
            },
            (None, Some(client_id), None) => {
                return Err(ConfigError::MissingClientSecret {
                    client_id_source: client_id.source.to_string(),
                });
            }
            (None, None, _) => return Err(ConfigError::MissingClientId),
        };

        let host_on_command_line = given
            .host
            .as_ref()
            .is_some_and(|h| h.source == Source::Flag("--host"));
        if given.region.is_some() && host_on_command_line {
            return Err(ConfigError::HostAndRegion);
        }
        let (host_value, host_source) = match (given.region, &given.host) {
            (Some(region), _) => (region_host(region).to_string(), Source::Flag("--region")),
            (None, Some(host)) => (host.value.clone(), host.source.clone()),
            (None, None) => (DEFAULT_HOST.to_string(), Source::Default),
        };
        let base_url = parse_base_url(
            &host_value,
            &host_source.to_string(),
            given.allow_insecure_http,
        )?;

        let org = non_empty(given.org.clone())?;
        let envs: Vec<String> = given
            .envs
            .value
            .iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        let env_source = given.envs.source.clone();
        if envs.is_empty() && !given.envs.value.is_empty() {
            // A blank value must not quietly widen the run to every environment.
            return Err(ConfigError::Empty {
                setting: env_source.to_string(),
            });
        }
        let envs = (!envs.is_empty()).then_some(Sourced {
            value: envs,
            source: env_source,
        });

        let ca_file = match &given.ca_file {
            Some(path) => Some(Sourced {
                value: CaFile::read(&path.value, &path.source.to_string())?,
                source: path.source.clone(),
            }),
            None => None,
        };

        let proxy = ProxyEnv::from_process();
        refuse_plain_http_through_a_proxy(&base_url, &proxy, given.allow_insecure_http)?;
        Ok(Settings {
            credentials,
            base_url: Sourced {
                value: base_url,
                source: host_source,
            },
            org,
            envs,
            timeout_secs: given.timeout.clone(),
            connect_timeout_secs: given.connect_timeout.clone(),
            proxy,
            ca_file,
            admin_bearer: None,
            warnings,
            other_planes: Vec::new(),
            har: given.har.clone(),
        })
    }

    /// Puts every secret of these settings (credentials, admin token) in `registry`.
    pub fn register_secrets(&self, registry: &SecretRegistry) {
        for (what, secret) in self.credentials.secrets() {
            registry.add(what, secret.clone());
        }
        if let Some(token) = &self.admin_bearer {
            registry.add("admin token", token.value.clone());
        }
    }

    /// Adds an org admin's token (`--admin-bearer` or `ANYPOINT_ADMIN_BEARER`)
    /// to read the app's granted scopes; the app is the one the credentials
    /// name, so there must be a client id.
    pub fn with_admin_bearer(
        mut self,
        given: Option<Sourced<Secret>>,
    ) -> Result<Settings, ConfigError> {
        let Some(Sourced { value, source }) = given else {
            return Ok(self);
        };
        if value.expose().trim().is_empty() {
            return Err(ConfigError::Empty {
                setting: source.to_string(),
            });
        }
        let token = long_enough(value.expose().trim().to_string(), source)?;
        if self.credentials.client_id().is_none() {
            return Err(ConfigError::AdminBearerWithoutApp {
                setting: token.source.to_string(),
            });
        }
        if matches!(token.source, Source::Flag(_)) {
            self.warnings.push(
                "warning: --admin-bearer on the command line is visible in shell history and `ps`; prefer ANYPOINT_ADMIN_BEARER".into(),
            );
        }
        self.admin_bearer = Some(token);
        Ok(self)
    }

    /// Settings for a client-credentials app at a base URL, everything else
    /// at its default: for embedding the doctor as a library, and for tests.
    pub fn client_credentials(base_url: Url, client_id: &str, client_secret: &str) -> Settings {
        Settings {
            credentials: Credentials::ClientCredentials {
                client_id: Sourced {
                    value: client_id.into(),
                    source: Source::Default,
                },
                client_secret: Sourced {
                    value: Secret::new(client_secret),
                    source: Source::Default,
                },
            },
            base_url: Sourced {
                value: base_url,
                source: Source::Default,
            },
            org: None,
            envs: None,
            timeout_secs: Sourced {
                value: 30,
                source: Source::Default,
            },
            connect_timeout_secs: Sourced {
                value: 10,
                source: Source::Default,
            },
            proxy: ProxyEnv::default(),
            ca_file: None,
            admin_bearer: None,
            warnings: Vec::new(),
            other_planes: Vec::new(),
            har: None,
        }
    }

    /// The settings with their sources, secrets masked: what `check -v` prints.
    pub fn provenance(&self) -> Vec<SettingRow> {
        let mut rows = Vec::new();
        let mut push = |name, value: String, source: &Source| {
            rows.push(SettingRow {
                name,
                value,
                source: source.to_string(),
            })
        };
        push(
            "host",
            self.base_url
                .value
                .as_str()
                .trim_end_matches('/')
                .to_string(),
            &self.base_url.source,
        );
        match &self.credentials {
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => {
                push("client id", mask_id(&client_id.value), &client_id.source);
                push(
                    "client secret",
                    client_secret.value.masked(),
                    &client_secret.source,
                );
            }
            Credentials::Bearer {
                token, client_id, ..
            } => {
                push("bearer token", token.value.masked(), &token.source);
                if let Some(id) = client_id {
                    push("client id", mask_id(&id.value), &id.source);
                }
            }
        }
        if let Some(token) = &self.admin_bearer {
            push("admin token", token.value.masked(), &token.source);
        }
        match &self.org {
            Some(org) => push("org", org.value.clone(), &org.source),
            None => push(
                "org",
                "the Connected App's own org".into(),
                &Source::Default,
            ),
        }
        match &self.envs {
            Some(envs) => push("environments", envs.value.join(", "), &envs.source),
            None => push(
                "environments",
                "every environment of the org".into(),
                &Source::Default,
            ),
        }
        push(
            "timeout",
            format!("{} s", self.timeout_secs.value),
            &self.timeout_secs.source,
        );
        push(
            "connect timeout",
            format!("{} s", self.connect_timeout_secs.value),
            &self.connect_timeout_secs.source,
        );
        match &self.ca_file {
            Some(ca) => push(
                "CA file",
                format!(
                    "{} ({} certificates)",
                    ca.value.path.display(),
                    ca.value.certificates
                ),
                &ca.source,
            ),
            None => push("CA file", "system roots only".into(), &Source::Default),
        }
        for (variable, value) in self.proxy.describe() {
            push("proxy", value, &Source::Env(variable));
        }
        rows
    }
}

/// A client id shortened to its last four characters, as reports show it.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 4 {
        return "****".into();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("****{tail}")
}

fn non_empty(given: Option<Sourced<String>>) -> Result<Option<Sourced<String>>, ConfigError> {
    match given {
        None => Ok(None),
        Some(Sourced { value, source }) if value.trim().is_empty() => Err(ConfigError::Empty {
            setting: source.to_string(),
        }),
        Some(Sourced { value, source }) => Ok(Some(Sourced {
            value: value.trim().to_string(),
            source,
        })),
    }
}

fn read_secret_file(path: &PathBuf) -> Result<Sourced<Secret>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
        path: path.clone(),
        source,
    })?;
    let first_line = text.lines().next().unwrap_or("").trim();
    if first_line.is_empty() {
        return Err(ConfigError::Empty {
            setting: format!("--client-secret-file {}", path.display()),
        });
    }
    long_enough(first_line.to_string(), Source::File(path.clone()))
}

/// A secret the user gave, refused when too short to be kept out of output
/// (`MIN_SCANNABLE_CHARS`): masking and the canary could not tell it from
/// ordinary text, and no real client secret or token is that short.
fn long_enough(value: String, source: Source) -> Result<Sourced<Secret>, ConfigError> {
    let chars = value.chars().count();
    if chars < MIN_SCANNABLE_CHARS {
        return Err(ConfigError::SecretTooShort {
            setting: match &source {
                Source::File(path) => format!("--client-secret-file {}", path.display()),
                other => other.to_string(),
            },
            chars,
            min: MIN_SCANNABLE_CHARS,
        });
    }
    Ok(Sourced {
        value: Secret::new(value),
        source,
    })
}

/// The loopback exception for plain http holds for the route, not the
/// target: through a proxy, the secret leaves the machine in clear.
fn refuse_plain_http_through_a_proxy(
    url: &Url,
    proxy: &ProxyEnv,
    allow_insecure_http: bool,
) -> Result<(), ConfigError> {
    if url.scheme() != "http" || allow_insecure_http {
        return Ok(());
    }
    match proxy.choose(url) {
        ProxyChoice::Via { proxy, variable } => Err(ConfigError::InsecureHttpViaProxy {
            host: url.host_str().unwrap_or_default().to_string(),
            proxy: mask_credentials(proxy.as_str()),
            variable,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_masked_to_their_last_four() {
        assert_eq!(mask_id("7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"), "****f0e9");
        assert_eq!(mask_id("abc"), "****");
    }
}
