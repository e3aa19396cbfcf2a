//! The one step from what the user gave to the settings a run uses: each
//! value checked (blank, too short to mask, two secrets, host and region),
//! the admin's token taken beside the app's credentials, and every secret
//! registered where it enters, so no output can show it.

use std::path::PathBuf;

use reqwest::Url;

use crate::error::ConfigError;
use crate::platform::control_plane::{DEFAULT_HOST, parse_base_url, region_host};
use crate::platform::proxy::{ProxyChoice, ProxyEnv, mask_credentials};
use crate::secret::Secret;
use crate::secret::forms::MIN_SCANNABLE_CHARS;
use crate::secret::registry::SecretRegistry;
use crate::settings::{CaFile, Credentials, Given, Settings, Source, Sourced};

/// Resolves and validates the connection settings as given, the admin's
/// token last, and puts every secret they hold in `secrets`.
pub fn resolve(given: &Given, secrets: &SecretRegistry) -> Result<Settings, ConfigError> {
    let mut warnings = Vec::new();

    let client_id = non_empty(given.client_id.clone())?;
    let bearer = non_empty(given.bearer.clone())?
        .map(|s| long_enough(s.value, s.source))
        .transpose()?;
    if bearer
        .as_ref()
        .is_some_and(|b| matches!(b.source, Source::Flag(_)))
    {
        warnings.push(
            "warning: --bearer on the command line is visible in shell history and `ps`; prefer ANYPOINT_BEARER".into(),
        );
    }

    if given
        .client_secret
        .as_ref()
        .is_some_and(|s| matches!(s.source, Source::Flag(_)))
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
                .is_some_and(|s| matches!(s.source, Source::Flag(_)))
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
        .is_some_and(|h| matches!(h.source, Source::Flag(_)));
    if given.region.is_some() && host_on_command_line {
        return Err(ConfigError::HostAndRegion);
    }
    let (host_value, host_source) = match (&given.region, &given.host) {
        (Some(region), _) => (region_host(region.value).to_string(), region.source.clone()),
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
    let settings = Settings {
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
    };
    let settings = with_admin_bearer(settings, given.admin_bearer.clone())?;
    settings.register_secrets(secrets);
    Ok(settings)
}

/// Adds an org admin's token (`--admin-bearer` or `ANYPOINT_ADMIN_BEARER`)
/// to read the app's granted scopes; the app is the one the credentials
/// name, so there must be a client id.
fn with_admin_bearer(
    mut settings: Settings,
    given: Option<Sourced<Secret>>,
) -> Result<Settings, ConfigError> {
    let Some(Sourced { value, source }) = given else {
        return Ok(settings);
    };
    if value.expose().trim().is_empty() {
        return Err(ConfigError::Empty {
            setting: source.to_string(),
        });
    }
    let token = long_enough(value.expose().trim().to_string(), source)?;
    if settings.credentials.client_id().is_none() {
        return Err(ConfigError::AdminBearerWithoutApp {
            setting: token.source.to_string(),
        });
    }
    if matches!(token.source, Source::Flag(_)) {
        settings.warnings.push(
            "warning: --admin-bearer on the command line is visible in shell history and `ps`; prefer ANYPOINT_ADMIN_BEARER".into(),
        );
    }
    settings.admin_bearer = Some(token);
    Ok(settings)
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
