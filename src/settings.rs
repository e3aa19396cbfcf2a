//! Resolved settings: flags beat `ANYPOINT_*` variables, which beat defaults.
//!
//! Every value remembers where it came from, so `check -v` can say which
//! setting won, and validation errors name the exact flag or variable to fix.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::ArgMatches;
use clap::parser::ValueSource;
use reqwest::Url;

use crate::cli::{ConnectionArgs, Region};
use crate::error::ConfigError;
use crate::platform::proxy::{ProxyChoice, ProxyEnv, mask_credentials};
use crate::secret::{MIN_SCANNABLE_CHARS, Secret, SecretRegistry};

pub const DEFAULT_HOST: &str = "anypoint.mulesoft.com";

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    File(PathBuf),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "{var}"),
            Source::File(path) => write!(f, "file {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
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

/// A value as one POSIX shell word.
pub fn shell_word(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@%+=,".contains(c))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
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
    /// Resolves and validates the connection settings. `matches` are the matches
    /// of the subcommand that flattened `args`, used only to learn provenance.
    pub fn resolve(args: &ConnectionArgs, matches: &ArgMatches) -> Result<Settings, ConfigError> {
        let source_of =
            |id: &str, flag: &'static str, env: &'static str| match matches.value_source(id) {
                Some(ValueSource::EnvVariable) => Source::Env(env),
                Some(ValueSource::CommandLine) => Source::Flag(flag),
                _ => Source::Default,
            };
        let mut warnings = Vec::new();

        let client_id = non_empty(
            args.client_id.clone(),
            source_of("client_id", "--client-id", "ANYPOINT_CLIENT_ID"),
        )?;
        let bearer = non_empty(
            args.bearer.clone(),
            source_of("bearer", "--bearer", "ANYPOINT_BEARER"),
        )?
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

        let secret_source = source_of("client_secret", "--client-secret", "ANYPOINT_CLIENT_SECRET");
        if args.client_secret.is_some()
            && secret_source == Source::Flag("--client-secret")
            && args.client_secret_file.is_some()
        {
            return Err(ConfigError::TwoSecrets);
        }
        let client_secret = match &args.client_secret_file {
            Some(path) => Some(read_secret_file(path)?),
            None => {
                let secret = non_empty(args.client_secret.clone(), secret_source)?;
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
            (Some(token), client_id, _) => Credentials::Bearer { token, client_id },
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

        let host_source = source_of("host", "--host", "ANYPOINT_HOST");
        let region_given = args.region.is_some();
        if region_given && host_source == Source::Flag("--host") {
            return Err(ConfigError::HostAndRegion);
        }
        let (host_value, host_source) = match (args.region, &args.host) {
            (Some(region), _) => (region_host(region).to_string(), Source::Flag("--region")),
            (None, Some(host)) => (host.clone(), host_source),
            (None, None) => (DEFAULT_HOST.to_string(), Source::Default),
        };
        let base_url = parse_base_url(&host_value, &host_source, args.allow_insecure_http)?;

        let org = non_empty(args.org.clone(), source_of("org", "--org", "ANYPOINT_ORG"))?;
        let envs: Vec<String> = args
            .envs
            .iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        let env_source = source_of("envs", "--env", "ANYPOINT_ENV");
        if envs.is_empty() && !args.envs.is_empty() {
            // A blank value must not quietly widen the run to every environment.
            return Err(ConfigError::Empty {
                setting: env_source.to_string(),
            });
        }
        let envs = (!envs.is_empty()).then_some(Sourced {
            value: envs,
            source: env_source,
        });

        let ca_file = match &args.ca_file {
            Some(path) => {
                let source = source_of("ca_file", "--ca-file", "SSL_CERT_FILE");
                Some(Sourced {
                    value: CaFile::read(path, &source.to_string())?,
                    source,
                })
            }
            None => None,
        };

        let proxy = ProxyEnv::from_process();
        refuse_plain_http_through_a_proxy(&base_url, &proxy, args.allow_insecure_http)?;
        Ok(Settings {
            credentials,
            base_url: Sourced {
                value: base_url,
                source: host_source,
            },
            org,
            envs,
            timeout_secs: Sourced {
                value: args.timeout,
                source: source_of("timeout", "--timeout", ""),
            },
            connect_timeout_secs: Sourced {
                value: args.connect_timeout,
                source: source_of("connect_timeout", "--connect-timeout", ""),
            },
            proxy,
            ca_file,
            admin_bearer: None,
            warnings,
            other_planes: Vec::new(),
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
        value: Option<Secret>,
        matches: &ArgMatches,
    ) -> Result<Settings, ConfigError> {
        let source = match matches.value_source("admin_bearer") {
            Some(ValueSource::CommandLine) => Source::Flag("--admin-bearer"),
            _ => Source::Env("ANYPOINT_ADMIN_BEARER"),
        };
        let Some(value) = value else {
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
            Credentials::Bearer { token, client_id } => {
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

/// MuleSoft's control planes: the `--region` that picks each, its name, its host.
pub const CONTROL_PLANES: &[(Region, &str, &str)] = &[
    (Region::Us, "US", "anypoint.mulesoft.com"),
    (Region::Eu, "EU", "eu1.anypoint.mulesoft.com"),
    (Region::Gov, "US Government", "gov.anypoint.mulesoft.com"),
    (Region::Ca, "Canada", "ca1.platform.mulesoft.com"),
    (Region::Jp, "Japan", "jp1.platform.mulesoft.com"),
];

pub fn region_host(region: Region) -> &'static str {
    CONTROL_PLANES
        .iter()
        .find(|(r, _, _)| *r == region)
        .map(|(_, _, host)| *host)
        .expect("every region has a control plane")
}

/// The control plane a host belongs to (the EU plane answers on two names).
pub fn control_plane_of(host: &str) -> Option<(Region, &'static str)> {
    let host = if host == "eu1.platform.mulesoft.com" {
        "eu1.anypoint.mulesoft.com"
    } else {
        host
    };
    CONTROL_PLANES
        .iter()
        .find(|(_, _, h)| *h == host)
        .map(|(region, name, _)| (*region, *name))
}

fn non_empty(
    value: Option<String>,
    source: Source,
) -> Result<Option<Sourced<String>>, ConfigError> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Err(ConfigError::Empty {
            setting: source.to_string(),
        }),
        Some(v) => Ok(Some(Sourced {
            value: v.trim().to_string(),
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
        });
    }
    Ok(Sourced {
        value: Secret::new(value),
        source,
    })
}

/// Turns a bare host or a URL into the control plane's base URL, refusing plain
/// http to anything but loopback unless explicitly allowed.
pub fn parse_base_url(
    value: &str,
    source: &Source,
    allow_insecure_http: bool,
) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidHost {
        value: value.to_string(),
        setting: source.to_string(),
        reason: reason.to_string(),
    };
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_whitespace) {
        return Err(invalid("it is empty or contains spaces"));
    }
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("https://{value}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Sent as Basic auth in place of the bearer, a password would earn a
        // false "token refused", and be printed wherever the host is: refused,
        // and not echoed in the error either.
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(ConfigError::InvalidHost {
            value: shown.to_string(),
            setting: source.to_string(),
            reason: "it carries a user name or password (not shown); remove `user:password@`, the doctor authenticates with the Connected App's credentials".into(),
        });
    }
    if url.port() == Some(0) {
        return Err(invalid("port 0 is not a port a server listens on"));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be https or http"));
    }
    let host = url
        .host_str()
        .ok_or_else(|| invalid("it has no host"))?
        .to_string();
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not carry a query or fragment"));
    }
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(ConfigError::InsecureHttp {
            host,
            setting: source.to_string(),
        });
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
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

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str, allow: bool) -> Result<Url, ConfigError> {
        parse_base_url(value, &Source::Flag("--host"), allow)
    }

    #[test]
    fn bare_host_gets_https() {
        assert_eq!(
            parse("eu1.anypoint.mulesoft.com", false).unwrap().as_str(),
            "https://eu1.anypoint.mulesoft.com/"
        );
    }

    #[test]
    fn loopback_http_is_allowed_and_trailing_slash_dropped() {
        let url = parse("http://127.0.0.1:8081/", false).unwrap();
        assert_eq!(url.host_str(), Some("127.0.0.1"));
        assert_eq!(url.port(), Some(8081));
        assert!(parse("http://localhost:9", false).is_ok());
        assert!(parse("http://[::1]:9", false).is_ok());
    }

    #[test]
    fn plain_http_elsewhere_is_refused_unless_allowed() {
        let err = parse("http://anypoint.example.com", false).unwrap_err();
        assert!(err.to_string().contains("--allow-insecure-http"), "{err}");
        assert!(parse("http://anypoint.example.com", true).is_ok());
    }

    #[test]
    fn nonsense_hosts_are_refused_naming_the_setting() {
        for bad in [
            "",
            "ftp://x.example",
            "https://",
            "two words",
            "http://h/?q=1",
        ] {
            let err = parse(bad, false).unwrap_err().to_string();
            assert!(err.contains("--host"), "{bad}: {err}");
        }
    }

    #[test]
    fn ids_are_masked_to_their_last_four() {
        assert_eq!(mask_id("7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"), "****f0e9");
        assert_eq!(mask_id("abc"), "****");
    }
}

/// Hosts refused before anything is sent (moved from the binary's usage-error
/// tests: the refusal is `parse_base_url`'s alone).
#[cfg(test)]
mod host_cases {
    use super::{Source, parse_base_url};

    #[test]
    fn a_bad_host_is_refused_in_one_line_naming_the_setting() {
        let cases: [(&str, &[&str]); 3] = [
            (
                "http://anypoint.example.com",
                &["anypoint.example.com", "--host", "--allow-insecure-http"],
            ),
            ("ftp://x", &["\"ftp://x\"", "--host", "https"]),
            ("http://127.0.0.1:0", &["--host", "port 0"]),
        ];
        for (host, wanted) in cases {
            let error = parse_base_url(host, &Source::Flag("--host"), false)
                .expect_err(host)
                .to_string();
            assert!(!error.contains('\n'), "{host}: {error:?}");
            for word in wanted {
                assert!(
                    error.contains(word),
                    "{host}: {word:?} missing from {error:?}"
                );
            }
        }
    }
}
