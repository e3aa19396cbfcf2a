//! The one model every traffic reader fills: calls, the tokens a HAR shows
//! being obtained, the entries that could not be read; and how a URL as sent
//! becomes a call's host, path and query, secrets in it masked.

use crate::har::{REDACTED, SECRET_FIELDS};
use crate::platform::control_plane::control_plane_of;

/// Which kind of file the calls came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Har,
    Postman,
    Insomnia,
}

impl Format {
    /// The format as an error names it: "a HAR file".
    pub fn described(self) -> &'static str {
        match self {
            Format::Har => "a HAR file",
            Format::Postman => "a Postman collection",
            Format::Insomnia => "an Insomnia export",
        }
    }
}

/// What one traffic file holds. Its `Debug` shows everything: nothing in it
/// is a secret (a token is matched while reading, then dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traffic {
    pub format: Format,
    /// In file order.
    pub calls: Vec<Call>,
    /// The tokens the file shows being obtained, in file order; a call's
    /// `Bearer::Sent { token: Some(k) }` points here.
    pub tokens: Vec<TokenSeen>,
    /// Entries that are not calls this model can hold, each with why.
    pub skipped: Vec<Skipped>,
    /// The names of the organizations and environments the answers name
    /// (id, name), so that a place is shown by name: a HAR's Access
    /// Management answers. Names are no secret.
    pub names: Vec<(String, String)>,
    /// The organizations those answers show as a root (`isRoot`): the
    /// traffic's root org, whatever its name.
    pub roots: Vec<String>,
}

/// One HTTP request, as sent or as a collection would send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Upper-case.
    pub method: String,
    /// As sent, with Postman or Insomnia variables the file defines resolved
    /// (`{{name}}` left for those it does not: see `templated`); the value of
    /// a query parameter named like a secret and any `user:password@` masked.
    pub url: String,
    /// The URL's host, with its port when one is written; None when the
    /// host is a variable the file does not define, or the URL has none.
    pub host: Option<String>,
    /// The path, without query or fragment.
    pub path: String,
    /// The query's parameters, decoded; secret ones masked.
    pub query: Vec<(String, String)>,
    /// Where in the file: `file#entry 12`, `file: item "Folder / Create app"`.
    pub at: String,
    /// For a GraphQL call: the operation's name, else its first field.
    pub graphql_operation: Option<String>,
    /// What came back (HAR only; None when nothing did).
    pub answer: Option<Answer>,
    pub bearer: Bearer,
    /// HAR's `startedDateTime`, as written.
    pub started: Option<String>,
    /// The host is an Anypoint control plane (see `is_control_plane`), or
    /// the simulator a HAR shows answering.
    pub anypoint: bool,
    /// One of anypoint-doctor's own questions: a probe (`check`, `fix`) or a
    /// command's lookup (a duplicate check), which say nothing of what the
    /// user's automation needs; its commands' work (`create`, `apps`) is not.
    pub own: bool,
    /// The URL still holds a variable (`{{name}}`, an Insomnia `{% tag %}`)
    /// the file does not define.
    pub templated: bool,
    /// The ids a JSON request body names at its top level (`organizationId`,
    /// `environmentId`): where a request whose path names no environment
    /// acts (an Exchange contract is created in its API's environment).
    pub body_ids: Vec<(String, String)>,
}

/// Whether a call carried a bearer token; never the token itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer {
    None,
    /// `token`: the index in `Traffic::tokens` of the token it sent, when
    /// the file shows where it was obtained (a masked token matches none).
    Sent {
        token: Option<usize>,
    },
}

/// A HAR entry's answer, as far as explaining a refusal needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The platform's message, from an error body (reference §5).
    pub message: Option<String>,
    /// `x-anypnt-trx-id` (reference §3).
    pub transaction_id: Option<String>,
    /// A 200 to a list read whose body lists nothing (reference §8.1: what
    /// a missing scope can look like).
    pub empty_list: bool,
}

/// A token a HAR shows being obtained: when, where, by which client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSeen {
    /// The token call's host.
    pub host: Option<String>,
    /// The token call's `startedDateTime`.
    pub obtained: Option<String>,
    /// Seconds, from the answer.
    pub expires_in: Option<u64>,
    /// The client id the token call sent (never its secret).
    pub client_id: Option<String>,
    /// Where the token call is in the file.
    pub at: String,
}

/// An entry the readers passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub at: String,
    pub reason: String,
}

impl Call {
    /// A call to `url`, its host, path and query split out and secrets in
    /// it masked; everything else empty for the reader to fill.
    pub(super) fn new(method: &str, url: &str, at: String) -> Call {
        let target = Target::of(url);
        Call {
            method: method.trim().to_ascii_uppercase(),
            anypoint: target
                .host
                .as_deref()
                .is_some_and(|host| is_control_plane(host_name(host))),
            url: target.url,
            host: target.host,
            path: target.path,
            query: target.query,
            at,
            graphql_operation: None,
            answer: None,
            bearer: Bearer::None,
            started: None,
            own: false,
            templated: target.templated,
            body_ids: Vec::new(),
        }
    }

    /// Reads `body_ids` from a request body, when it is a JSON object; a
    /// GraphQL request's `variables.organizationIds` (the business groups
    /// an Exchange search reads) as `organizationIds`, comma-separated.
    pub(super) fn read_body_ids(&mut self, body: &str) {
        if let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(body) {
            self.body_ids = ["organizationId", "environmentId"]
                .into_iter()
                .filter_map(|key| Some((key.to_string(), fields.get(key)?.as_str()?.to_string())))
                .collect();
            let searched: Vec<&str> = fields
                .get("variables")
                .and_then(|v| v.get("organizationIds"))
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .collect();
            if !searched.is_empty() {
                self.body_ids
                    .push(("organizationIds".to_string(), searched.join(",")));
            }
        }
    }

    /// Sets `own` from the user agent: the doctor's probes and its
    /// commands' lookups, not the work its commands do for the user
    /// (`har::is_set_aside`).
    pub(super) fn sent_by(&mut self, user_agent: Option<&str>) {
        self.own = user_agent.is_some_and(crate::har::is_set_aside);
    }

    /// A GraphQL call: a POST (or GET) to a path ending `/graphql`.
    pub(super) fn is_graphql(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "GET") && self.path.ends_with("/graphql")
    }
}

/// The control planes are MuleSoft's (`platform::control_plane`), and
/// Exchange's Maven repository on each (`maven.<plane host>`, reference §1).
/// A loopback host is not one of them by name: a HAR reader decides it from
/// what answered (`har`).
pub fn is_control_plane(host_name: &str) -> bool {
    let host_name = host_name.to_ascii_lowercase();
    let host = host_name.strip_prefix("maven.").unwrap_or(&host_name);
    control_plane_of(host).is_some()
}

/// A host without its port (`[::1]:8081` → `[::1]`).
pub(super) fn host_name(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    }
}

/// A URL split by hand, not by `url::Url`: a template's `{{var}}` would be
/// percent-encoded by a parser, and a collection's URL may have no scheme.
struct Target {
    url: String,
    host: Option<String>,
    path: String,
    query: Vec<(String, String)>,
    templated: bool,
}

impl Target {
    fn of(url: &str) -> Target {
        let url = url.trim();
        let url = url.split_once('#').map_or(url, |(before, _)| before);
        let (before, query) = match url.split_once('?') {
            Some((before, query)) => (before, Some(query)),
            None => (url, None),
        };
        let (scheme, rest) = match before.split_once("://") {
            Some((scheme, rest)) => (Some(scheme), rest),
            None => (None, before),
        };
        let (authority, path) = if scheme.is_none() && rest.starts_with('/') {
            ("", rest)
        } else {
            rest.split_at(rest.find('/').unwrap_or(rest.len()))
        };
        // `user:password@host`: the password is a secret, the user may be one.
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let templated = url.contains("{{") || url.contains("{%");
        let host =
            (!authority.is_empty() && !authority.contains("{{") && !authority.contains("{%"))
                .then(|| authority.to_ascii_lowercase());
        let mut pairs = Vec::new();
        let mut pieces = Vec::new();
        for piece in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = url::form_urlencoded::parse(piece.as_bytes())
                .next()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .unwrap_or_default();
            if is_secret_name(&name) {
                let raw_name = piece.split_once('=').map_or(piece, |(n, _)| n);
                pieces.push(format!("{raw_name}={REDACTED}"));
                pairs.push((name, REDACTED.to_string()));
            } else {
                pieces.push(piece.to_string());
                pairs.push((name, value));
            }
        }
        let mut rebuilt = match scheme {
            Some(scheme) => format!("{scheme}://{authority}{path}"),
            None => format!("{authority}{path}"),
        };
        if query.is_some() {
            rebuilt.push('?');
            rebuilt.push_str(&pieces.join("&"));
        }
        Target {
            url: rebuilt,
            host,
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            query: pairs,
            templated,
        }
    }
}

/// A parameter or field whose value is a secret whatever it belongs to:
/// the names the HAR writer drops (`har::SECRET_FIELDS`), and `token`.
pub(super) fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "token" || SECRET_FIELDS.contains(&name.as_str())
}

/// What a file recognised as HAR or Insomnia lacks that its reader needs
/// (a Postman collection's reader takes whatever `detect` let through).
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("its `log.entries` is not a list")]
    HarEntries,
    #[error("it holds no `resources` list")]
    InsomniaResources,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_splits_into_host_path_and_query() {
        let call = Call::new(
            "get",
            "https://EU1.anypoint.mulesoft.com/apimanager/api/v1/organizations/o/environments/e/apis?limit=20&query=a%20b#frag",
            "f#entry 1".into(),
        );
        assert_eq!(call.method, "GET");
        assert_eq!(call.host.as_deref(), Some("eu1.anypoint.mulesoft.com"));
        assert_eq!(
            call.path,
            "/apimanager/api/v1/organizations/o/environments/e/apis"
        );
        assert_eq!(
            call.query,
            [
                ("limit".into(), "20".into()),
                ("query".into(), "a b".into())
            ]
        );
        assert!(call.anypoint && !call.templated);
    }

    #[test]
    fn templates_and_hosts_without_scheme_split_too() {
        let call = Call::new("POST", "{{baseUrl}}/accounts/api/me", "x".into());
        assert_eq!((call.host, call.path.as_str()), (None, "/accounts/api/me"));
        assert!(call.templated && !call.anypoint);
        let call = Call::new("GET", "anypoint.mulesoft.com/accounts/api/me", "x".into());
        assert_eq!(call.host.as_deref(), Some("anypoint.mulesoft.com"));
        assert!(call.anypoint);
        let call = Call::new("GET", "http://127.0.0.1:8081", "x".into());
        assert_eq!(
            (call.host.as_deref(), call.path.as_str()),
            (Some("127.0.0.1:8081"), "/")
        );
        assert!(!call.anypoint, "loopback is decided by the HAR reader");
    }

    #[test]
    fn secrets_in_a_url_are_masked() {
        let call = Call::new(
            "GET",
            "https://me:hunter2hunter2@maven.anypoint.mulesoft.com/x?client_secret=s3cr3t-value&access_token=tok-value&a=1",
            "x".into(),
        );
        for secret in ["hunter2hunter2", "s3cr3t-value", "tok-value", "me:"] {
            assert!(
                !format!("{call:?}").contains(secret),
                "{secret} in {call:?}"
            );
        }
        assert_eq!(call.query[2], ("a".into(), "1".into()));
        assert!(
            call.anypoint,
            "Exchange's Maven host is the control plane's"
        );
    }

    #[test]
    fn control_planes_are_mulesofts_hosts() {
        for host in [
            "anypoint.mulesoft.com",
            "eu1.anypoint.mulesoft.com",
            "eu1.platform.mulesoft.com",
            "gov.anypoint.mulesoft.com",
            "jp1.platform.mulesoft.com",
        ] {
            assert!(is_control_plane(host), "{host}");
        }
        for host in [
            "example.com",
            "anypoint.mulesoft.com.evil.test",
            "127.0.0.1",
        ] {
            assert!(!is_control_plane(host), "{host}");
        }
        assert_eq!(host_name("[::1]:8081"), "[::1]");
        assert_eq!(host_name("anypoint.mulesoft.com"), "anypoint.mulesoft.com");
    }
}
