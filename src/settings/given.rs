//! The connection settings as the user gave them, each with where it came
//! from: the command line fills them (`cli`), anypoint-cli-v4's saved
//! settings fill what it left (`with_saved`), `resolve` checks them.

use std::path::PathBuf;

use crate::cli_v4_config;
use crate::platform::control_plane::Region;
use crate::secret::Secret;
use crate::settings::{Source, Sourced};

#[derive(Clone)]
pub struct Given {
    pub client_id: Option<Sourced<String>>,
    pub client_secret: Option<Sourced<String>>,
    pub client_secret_file: Option<PathBuf>,
    pub bearer: Option<Sourced<String>>,
    pub host: Option<Sourced<String>>,
    pub region: Option<Sourced<Region>>,
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
    /// An org admin's token beside the app's credentials (`check` and `fix`).
    pub admin_bearer: Option<Sourced<Secret>>,
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
