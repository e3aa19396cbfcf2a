//! The settings a run uses, checked: the credentials, the control plane,
//! the org and environments, the timeouts, the route (proxy, extra roots),
//! the admin's token.

use reqwest::Url;

use crate::platform::control_plane::Region;
use crate::platform::proxy::ProxyEnv;
use crate::secret::Secret;
use crate::secret::registry::SecretRegistry;
use crate::settings::ca_file::CaFile;
use crate::settings::source::{Source, Sourced};

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

impl Settings {
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

    /// Puts every secret of these settings (credentials, admin token) in
    /// `registry`: `resolve` does for the settings it makes; `diagnose` and
    /// `demo` for settings made by hand.
    pub fn register_secrets(&self, registry: &SecretRegistry) {
        for (what, secret) in self.credentials.secrets() {
            registry.add(what, secret.clone());
        }
        if let Some(token) = &self.admin_bearer {
            registry.add("admin token", token.value.clone());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_masked_to_their_last_four() {
        assert_eq!(mask_id("7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"), "****f0e9");
        assert_eq!(mask_id("abc"), "****");
    }
}
