//! MuleSoft's control planes: the regions, their hosts, and turning a
//! `--host` value into a base URL.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::ConfigError;

/// The host the doctor talks to when none is given (the US control plane).
pub const DEFAULT_HOST: &str = "anypoint.mulesoft.com";

/// A MuleSoft control plane, as `--region` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Region {
    Us,
    Eu,
    Gov,
    Ca,
    Jp,
}

impl Region {
    /// The value `--region` takes for it.
    pub fn flag(self) -> &'static str {
        self.into()
    }
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

/// Turns a bare host or a URL into the control plane's base URL, refusing plain
/// http to anything but loopback unless explicitly allowed. `setting` names
/// where the value came from, for the error.
pub fn parse_base_url(
    value: &str,
    setting: &str,
    allow_insecure_http: bool,
) -> Result<Url, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidHost {
        value: value.to_string(),
        setting: setting.to_string(),
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
            setting: setting.to_string(),
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
            setting: setting.to_string(),
        });
    }
    // The doctor puts every endpoint's whole path (`/accounts/api/...`) after
    // the host: a path given here would be sent twice over and every call
    // answered 404, which reads as "not a control plane" (exit 3) rather
    // than the setting it is.
    let path = url.path().trim_end_matches('/');
    if !path.is_empty() {
        return Err(invalid(&format!(
            "it carries the path {path:?}, and {setting} takes a scheme, host and port only; remove {path:?}"
        )));
    }
    url.set_path("");
    Ok(url)
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
        parse_base_url(value, "--host", allow)
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

    /// Moved from the binary's usage-error tests: the refusal is `parse_base_url`'s alone.
    #[test]
    fn a_bad_host_is_refused_in_one_line_naming_the_setting() {
        let cases: [(&str, &[&str]); 4] = [
            (
                "http://anypoint.example.com",
                &["anypoint.example.com", "--host", "--allow-insecure-http"],
            ),
            ("ftp://x", &["\"ftp://x\"", "--host", "https"]),
            ("http://127.0.0.1:0", &["--host", "port 0"]),
            (
                "http://127.0.0.1:8081/accounts",
                &["--host", "\"/accounts\"", "scheme, host and port only"],
            ),
        ];
        for (host, wanted) in cases {
            let error = parse_base_url(host, "--host", false)
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
