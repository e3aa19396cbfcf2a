//! The settings with their sources, secrets masked: what `check -v` prints.

use crate::settings::{Credentials, Settings, Source, mask_id};

/// One row of the provenance table shown by `check -v`.
pub struct SettingRow {
    pub name: &'static str,
    pub value: String,
    pub source: String,
}

impl Settings {
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
