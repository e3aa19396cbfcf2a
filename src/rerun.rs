//! This run's settings as flags again, for the commands the doctor
//! suggests running next (the report's next steps, a check's "to tell
//! exactly, run …"): never a secret, only where it was given. Rendering,
//! not settings: the settings do not know how a shell spells them.

use crate::settings::{Credentials, Settings, Source};
use crate::text::shell_word;

/// The settings the user gave as flags, as flags again (never a secret:
/// a secret file is carried by its path, a secret given inline not at
/// all), so that a command suggested after the run reaches the same
/// control plane as the same app. `--org` and `--env` are left to the
/// suggestion, which names the ones it is about.
pub fn carried_flags(settings: &Settings) -> Vec<String> {
    let mut flags = Vec::new();
    // The control plane as the URL it resolved to: `--region` names a host
    // as well, and the URL reaches the same plane either way.
    if matches!(settings.base_url.source, Source::Flag(_)) {
        flags.push(format!(
            "--host {}",
            shell_word(settings.base_url.value.as_str().trim_end_matches('/'))
        ));
    }
    if let Some(id) = settings.credentials.client_id()
        && let Source::Flag(flag) = id.source
    {
        flags.push(format!("{flag} {}", shell_word(&id.value)));
    }
    // A secret file is known by its path only (`Source::File`).
    if let Credentials::ClientCredentials { client_secret, .. } = &settings.credentials
        && let Source::File(path) = &client_secret.source
    {
        flags.push(format!(
            "--client-secret-file {}",
            shell_word(&path.display().to_string())
        ));
    }
    if let Some(ca) = &settings.ca_file
        && let Source::Flag(flag) = ca.source
    {
        flags.push(format!(
            "{flag} {}",
            shell_word(&ca.value.path.display().to_string())
        ));
    }
    flags
}

/// The app's credentials as shell expressions for a token request the
/// user runs (the variable, the id typed, `$(cat FILE)`), never their
/// values; none for a ready-made token. Each is written to stand inside
/// double quotes.
pub fn token_request(settings: &Settings) -> Option<TokenRequest> {
    let Credentials::ClientCredentials {
        client_id,
        client_secret,
    } = &settings.credentials
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
        ca_file: settings
            .ca_file
            .as_ref()
            .map(|ca| ca.value.path.display().to_string()),
    })
}

/// This run's app and org again, as flags to append to a suggested
/// command: the carried flags, and `--org` as the user gave it.
pub fn org_flags(settings: &Settings) -> String {
    let mut flags = carried_flags(settings);
    if let Some(org) = &settings.org
        && let Source::Flag(flag) = org.source
    {
        flags.push(format!("{flag} {}", shell_word(&org.value)));
    }
    flags.iter().map(|f| format!(" {f}")).collect()
}

/// ` --env A,B` as the user gave it, or nothing.
pub fn env_flag(settings: &Settings) -> String {
    if let Some(envs) = &settings.envs
        && let Source::Flag(flag) = envs.source
    {
        return format!(" {flag} {}", shell_word(&envs.value.join(",")));
    }
    String::new()
}

/// This run's target again: `org_flags`, and `--env` as the user gave it.
pub fn rerun_flags(settings: &Settings) -> String {
    org_flags(settings) + &env_flag(settings)
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
