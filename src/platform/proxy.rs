//! The proxy environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY and
//! their lowercase forms), read once into the settings, and the proxy it
//! picks for a URL with the variable that decided it. The HTTP client uses
//! exactly this choice, so what `net.proxy` reports is what every call does.

use std::net::IpAddr;

use reqwest::Url;

/// Every proxy variable the doctor honours, in the order they are looked up.
const VARIABLES: &[&str] = &[
    "https_proxy",
    "HTTPS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];

/// The proxy variables that were set (and not empty), by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    vars: Vec<(&'static str, String)>,
}

/// What a URL goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    /// No proxy variable applies to this scheme.
    Direct,
    /// A NO_PROXY entry exempts the host.
    Exempt {
        variable: &'static str,
        entry: String,
    },
    Via {
        proxy: Url,
        variable: &'static str,
    },
    /// The variable that applies is not a URL.
    Invalid {
        variable: &'static str,
        reason: String,
    },
}

impl ProxyEnv {
    /// The proxy variables of this process.
    pub fn from_process() -> ProxyEnv {
        ProxyEnv::from_pairs(
            VARIABLES
                .iter()
                .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value))),
        )
    }

    /// Given values (for tests and embedding); names other than the proxy variables are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> ProxyEnv {
        let vars = pairs
            .into_iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .filter_map(|(name, value)| {
                VARIABLES
                    .iter()
                    .find(|known| **known == name)
                    .map(|known| (*known, value.trim().to_string()))
            })
            .collect();
        ProxyEnv { vars }
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Each variable that is set, with its value masked, for the provenance table.
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        self.vars
            .iter()
            .map(|(name, value)| (*name, mask_credentials(value)))
            .collect()
    }

    fn first(&self, names: &[&'static str]) -> Option<(&'static str, &str)> {
        names.iter().find_map(|name| {
            self.vars
                .iter()
                .find(|(set, _)| set == name)
                .map(|(set, value)| (*set, value.as_str()))
        })
    }

    /// The proxy for a URL, as curl and reqwest pick it: the scheme's own
    /// variable (lowercase first), else ALL_PROXY; NO_PROXY exempts hosts.
    pub fn choose(&self, url: &Url) -> ProxyChoice {
        let names: &[&'static str] = if url.scheme() == "https" {
            &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
        } else {
            &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        };
        let Some((variable, value)) = self.first(names) else {
            return ProxyChoice::Direct;
        };
        if let Some((no_proxy, list)) = self.first(&["no_proxy", "NO_PROXY"]) {
            let host = url.host_str().unwrap_or_default();
            if let Some(entry) = list
                .split(',')
                .map(str::trim)
                .find(|entry| exempts(entry, host))
            {
                return ProxyChoice::Exempt {
                    variable: no_proxy,
                    entry: entry.to_string(),
                };
            }
        }
        let with_scheme = if value.contains("://") {
            value.to_string()
        } else {
            format!("http://{value}")
        };
        match Url::parse(&with_scheme) {
            // What the HTTP client can speak to; anything else (ftp://, …)
            // would be ignored by it or refused, never "used".
            Ok(proxy) if !SCHEMES.contains(&proxy.scheme()) => ProxyChoice::Invalid {
                variable,
                reason: format!(
                    "the scheme {}:// is not a proxy the doctor can use (use http:// or https://)",
                    proxy.scheme()
                ),
            },
            Ok(proxy) if proxy.host_str().is_some() => ProxyChoice::Via { proxy, variable },
            Ok(_) => ProxyChoice::Invalid {
                variable,
                reason: "it has no host".into(),
            },
            Err(e) => ProxyChoice::Invalid {
                variable,
                reason: e.to_string(),
            },
        }
    }
}

/// The proxy schemes the HTTP client speaks.
const SCHEMES: &[&str] = &["http", "https"];

/// Whether a NO_PROXY entry covers a host: `*`, the host itself (an IPv6
/// address with or without brackets, any entry with or without a port), an
/// address range in CIDR form (`10.0.0.0/8`, `fd00::/8`), or a domain
/// suffix (`corp.example` and `.corp.example` both cover `a.corp.example`).
fn exempts(entry: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let entry = without_port(entry);
    if entry.is_empty() {
        return false;
    }
    if entry == "*" {
        return true;
    }
    let address = host.parse::<IpAddr>().ok();
    if let Some((network, bits)) = entry.split_once('/') {
        return match (network.parse::<IpAddr>(), bits.parse::<u8>(), address) {
            (Ok(network), Ok(bits), Some(address)) => in_range(address, network, bits),
            _ => false,
        };
    }
    if let (Ok(a), Some(b)) = (entry.parse::<IpAddr>(), address) {
        return a == b;
    }
    let suffix = entry.trim_start_matches('.');
    host.eq_ignore_ascii_case(suffix)
        || host
            .to_ascii_lowercase()
            .ends_with(&format!(".{}", suffix.to_ascii_lowercase()))
}

/// A NO_PROXY entry without its port: `[::1]:8080` → `::1`, `host:80` →
/// `host`; a bare IPv6 address (`::1`, `fd00::/8`) keeps its colons.
fn without_port(entry: &str) -> &str {
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match entry.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            host
        }
        _ => entry,
    }
}

/// Whether `address` is in `network`/`bits` (same family only).
fn in_range(address: IpAddr, network: IpAddr, bits: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// A proxy URL with any user name and password replaced by `****:****`.
/// Plain text, not a URL parser: `user:pass@host` without a scheme must be masked too.
pub fn mask_credentials(value: &str) -> String {
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), value),
    };
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}****:****@{host}"),
        None => format!("{scheme}{rest}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        ProxyEnv::from_pairs(pairs.iter().map(|(n, v)| (*n, v.to_string())))
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_schemes_own_variable_wins_then_all_proxy() {
        let e = env(&[
            ("HTTPS_PROXY", "http://p:3128"),
            ("ALL_PROXY", "http://all:1"),
        ]);
        assert!(matches!(
            e.choose(&url("https://anypoint.mulesoft.com")),
            ProxyChoice::Via {
                variable: "HTTPS_PROXY",
                ..
            }
        ));
        assert!(matches!(
            e.choose(&url("http://h")),
            ProxyChoice::Via {
                variable: "ALL_PROXY",
                ..
            }
        ));
        assert_eq!(env(&[]).choose(&url("https://h")), ProxyChoice::Direct);
    }

    #[test]
    fn no_proxy_exempts_hosts_domains_and_everything() {
        let e = env(&[
            ("https_proxy", "p:3128"),
            ("NO_PROXY", "localhost, .mulesoft.com,10.0.0.1"),
        ]);
        assert!(matches!(
            e.choose(&url("https://eu1.anypoint.mulesoft.com")),
            ProxyChoice::Exempt { variable: "NO_PROXY", entry } if entry == ".mulesoft.com"
        ));
        assert!(matches!(
            e.choose(&url("https://10.0.0.1")),
            ProxyChoice::Exempt { .. }
        ));
        assert!(matches!(
            e.choose(&url("https://example.com")),
            ProxyChoice::Via { .. }
        ));
        assert!(matches!(
            env(&[("https_proxy", "p:1"), ("no_proxy", "*")]).choose(&url("https://x")),
            ProxyChoice::Exempt { .. }
        ));
    }

    #[test]
    fn no_proxy_covers_ipv6_addresses_ports_and_ranges() {
        let e = |list: &str| env(&[("http_proxy", "http://p:3128"), ("NO_PROXY", list)]);
        for (list, target) in [
            ("::1", "http://[::1]:8081"),
            ("[::1]", "http://[::1]:8081"),
            ("[::1]:8081", "http://[::1]:8081"),
            ("127.0.0.1:8081", "http://127.0.0.1:8081"),
            ("127.0.0.0/8", "http://127.0.0.1:8081"),
            ("10.0.0.0/8", "http://10.200.3.4"),
            ("fd00::/8", "http://[fd12::1]"),
            ("0.0.0.0/0", "http://192.0.2.1"),
        ] {
            assert!(
                matches!(e(list).choose(&url(target)), ProxyChoice::Exempt { .. }),
                "{list} should exempt {target}"
            );
        }
        for (list, target) in [
            ("10.0.0.0/8", "http://11.0.0.1"),
            ("fd00::/8", "http://[fe80::1]"),
            ("::2", "http://[::1]"),
            ("10.0.0.0/8", "http://[::1]"),
            ("10.0.0.0/99", "http://10.0.0.1"),
        ] {
            assert!(
                matches!(e(list).choose(&url(target)), ProxyChoice::Via { .. }),
                "{list} should not exempt {target}"
            );
        }
    }

    #[test]
    fn a_proxy_the_client_cannot_speak_is_invalid_not_used() {
        let choice = env(&[("https_proxy", "ftp://p:21")]).choose(&url("https://h"));
        assert!(
            matches!(&choice, ProxyChoice::Invalid { variable: "https_proxy", reason } if reason.contains("ftp://")),
            "{choice:?}"
        );
    }

    #[test]
    fn credentials_in_proxy_urls_are_masked() {
        assert_eq!(
            mask_credentials("http://alice:s3cret@proxy:3128"),
            "http://****:****@proxy:3128"
        );
        assert_eq!(
            mask_credentials("alice:s3cret@proxy:3128"),
            "****:****@proxy:3128"
        );
        assert_eq!(mask_credentials("http://proxy:3128"), "http://proxy:3128");
    }
}
