//! The reason codes: why each outcome's verdict is what it is, one stable,
//! lowercase dotted code per situation, the same whatever check meets it, for
//! CI to match on instead of the summary's prose. This list is the only one:
//! the README's table and the schema's enum are checked against it.

use serde::{Serialize, Serializer};

/// Defines `Reason` from one table: each variant with its code and meaning.
macro_rules! reasons {
    ($($variant:ident => $code:literal, $meaning:literal;)+) => {
        /// Why a verdict is what it is; serialized as its code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reason {
            $(#[doc = $meaning] $variant,)+
        }

        impl Reason {
            /// Every reason, in the order of the table.
            pub const ALL: &[Reason] = &[$(Reason::$variant,)+];

            /// The stable code, e.g. `scope.missing`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Reason::$variant => $code,)+
                }
            }

            /// What the code means, in one line.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Reason::$variant => $meaning,)+
                }
            }
        }
    };
}

reasons! {
    // The runner, and what any check may meet.
    Blocked => "check.blocked", "Not run: a check it requires did not pass (`blocked_by` names it).";
    Timeout => "check.timeout", "Did not finish within the run's deadline (`--deadline`).";
    Panicked => "check.panicked", "The check itself failed (an internal error); please report it.";
    SameRefusal => "check.same-refusal", "Failed only on a refusal a scope check already reports; see that check.";
    FactUnknown => "check.fact-unknown", "Not run: something it needs (the organization, a value for its path) is unknown.";
    NoEnvironment => "check.no-environment", "Not run: there is no environment to check in.";
    ExactRun => "check.exact-run", "Not run: in an exact run the admin's token's calls prove nothing about the app.";
    ReadOnly => "check.read-only", "Not run: `--read-only` turns off the write probe it needs.";
    SpecInvalid => "check.spec-invalid", "The check file names no scope or capability of the catalogue.";
    PathRetired => "check.path-retired", "A path the check file calls is itself retired; the check file needs updating.";
    ProbeAccepted => "check.probe-accepted", "A write probe meant to be rejected was accepted: something may have been created.";
    // The network.
    NetTimeout => "net.timeout", "No answer within the timeout.";
    NetUnreachable => "net.unreachable", "The host could not be reached (connection, TLS or transport failure).";
    NetIntercepted => "net.intercepted", "A refusal that did not come from the platform: a proxy or filter answered.";
    ProxyDirect => "net.proxy.direct", "No proxy applies: the connection is direct.";
    ProxyVia => "net.proxy.via", "The connection goes through the proxy a variable names.";
    ProxyInvalid => "net.proxy.invalid", "A proxy variable is not a usable URL.";
    ProxyAuthRequired => "net.proxy.auth-required", "The proxy asks for credentials (HTTP 407).";
    DnsResolved => "net.dns.resolved", "The host resolves (or is an IP address).";
    DnsUnresolved => "net.dns.unresolved", "The host does not resolve.";
    TcpConnected => "net.tcp.connected", "A TCP connection opened.";
    TcpUnreachable => "net.tcp.unreachable", "No TCP connection could be opened.";
    TlsVerified => "net.tls.verified", "The TLS handshake verified.";
    TlsUntrusted => "net.tls.untrusted", "The server's certificate does not verify (often TLS inspection by a proxy).";
    TlsPlainHttp => "net.tls.plain-http", "Not applicable: the host is plain http.";
    TlsServerSpeaksHttp => "net.tls.server-speaks-http", "https to a port where the server speaks plain HTTP.";
    ClockInSync => "net.clock.in-sync", "This machine's clock agrees with the server's.";
    ClockSkewed => "net.clock.skewed", "This machine's clock is off from the server's.";
    ClockNoDate => "net.clock.no-date", "The server sent no usable Date header to compare with.";
    // Answers that say nothing about permissions.
    RateLimited => "platform.rate-limited", "The platform rate-limited the request.";
    ServerError => "platform.server-error", "The platform answered with a server error (5xx).";
    UnexpectedAnswer => "platform.unexpected-answer", "An answer that could not be read as the platform's.";
    Refused => "platform.refused", "A read the check needs was refused or not found (401, 403, 404).";
    // Credentials and identity.
    CredentialsRefused => "auth.credentials.refused", "The platform refused the client id and secret.";
    WrongGrant => "auth.credentials.wrong-grant", "The app may not use the client_credentials grant (it acts on behalf of a user).";
    TokenIssued => "auth.token.issued", "A token was issued for the client credentials.";
    TokenGiven => "auth.token.given", "A bearer token was given: none was requested.";
    NoTokenEndpoint => "auth.token.no-endpoint", "The host has no token endpoint: not an Anypoint control plane.";
    TokenRefused => "auth.token.refused", "The token was refused: expired, revoked, or of another control plane.";
    TokenStopped => "auth.token.stopped", "The token stopped working mid-run, also after a new one.";
    IdentityApp => "auth.identity.app", "The token is a Connected App's.";
    IdentityAdmin => "auth.identity.admin", "A user's token reads the granted scopes of the app the client id names.";
    IdentityUser => "auth.identity.user", "The token is a user's and no client id names an app: scope checks cannot judge an app.";
    // Organization and environments.
    OrgFound => "org.found", "The organization and its root were read.";
    OrgNotFound => "org.not-found", "The organization given matches none the app can see.";
    OrgNoRoot => "org.no-root", "No root organization was found above the organization.";
    EnvFound => "env.found", "The environments were read, and the ones given found.";
    EnvNone => "env.none", "The organization has no environments.";
    EnvNotFound => "env.not-found", "An environment given is not one of the organization's.";
    EnvDesign => "env.design", "Not run: the environments given are design environments, which API Manager does not manage.";
    // Scopes and capabilities.
    ScopeGranted => "scope.granted", "Granted where needed, as the app's granted scopes show.";
    ScopeImplied => "scope.implied", "Granted through a scope that is inferred, not documented, to include it.";
    ScopeAllowed => "scope.allowed", "A probe was allowed, which proves it.";
    ScopeMissing => "scope.missing", "A scope is missing where it is needed.";
    ScopeInconclusive => "scope.inconclusive", "A probe's answer proves nothing either way.";
    ScopeUnproven => "scope.unproven", "A probe's answer proves less than the check asks.";
    ScopeUnverifiable => "scope.unverifiable", "The granted scopes are unreadable and no probe can be sent.";
    GrantsUnreadable => "scope.grants-unreadable", "The app's granted scopes could not be read, and the verdict needs them.";
    ScopeNotApplicable => "scope.not-applicable", "A client-credentials app cannot use this scope.";
    // Lists that answer empty.
    DataComplete => "data.complete", "The list shows what exists, including what others created.";
    DataBelievable => "data.believable", "The list is believable: the other evidence agrees.";
    DataEmptyList => "data.empty-list", "The list is empty (or shows only the app's own) but others exist.";
    DataInconclusive => "data.inconclusive", "Whether the list is complete cannot be told.";
    // Retired endpoints.
    ReplacementWorks => "deprecated.replacement-works", "The retired call's replacement works.";
    ReplacementRefused => "deprecated.replacement-refused", "The retired call's replacement is refused.";
    ReplacementInconclusive => "deprecated.inconclusive", "The replacement's answer proves nothing.";
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::Reason;

    fn is_code(code: &str) -> bool {
        let mut parts = code.split('.');
        let head = parts.next().unwrap_or_default();
        let rest: Vec<&str> = parts.collect();
        !head.is_empty()
            && head.chars().all(|c| c.is_ascii_lowercase())
            && !rest.is_empty()
            && rest.iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
    }

    #[test]
    fn codes_are_dotted_kebab_and_unique() {
        for reason in Reason::ALL {
            assert!(is_code(reason.code()), "{}", reason.code());
            assert!(!reason.meaning().is_empty());
        }
        assert!(!is_code("Scope.missing") && !is_code("scope") && !is_code("scope._x"));
        let codes: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), Reason::ALL.len(), "a code is listed twice");
    }

    #[test]
    fn a_reason_serializes_as_its_code() {
        assert_eq!(
            serde_json::to_value(Reason::ScopeMissing).unwrap(),
            serde_json::json!("scope.missing")
        );
    }

    fn sources(dir: &Path, into: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("codes.rs") {
                // Code only: a test naming a reason does not make it used.
                let text = std::fs::read_to_string(&path).unwrap();
                into.push_str(text.split("#[cfg(test)]").next().unwrap_or_default());
            }
        }
    }

    /// No dead codes: every reason is named by some place that makes
    /// outcomes (outside tests, which sit at the end of their files).
    #[test]
    fn every_code_is_used() {
        let mut text = String::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut text,
        );
        let unused: Vec<&str> = Reason::ALL
            .iter()
            .filter(|r| !text.contains(&format!("Reason::{r:?}")))
            .map(|r| r.code())
            .collect();
        assert!(unused.is_empty(), "codes no verdict uses: {unused:?}");
    }

    /// The README's table of codes, as this list renders it.
    fn table() -> String {
        let mut table = String::from("| Code | Meaning |\n|---|---|\n");
        for reason in Reason::ALL {
            table.push_str(&format!("| `{}` | {} |\n", reason.code(), reason.meaning()));
        }
        table
    }

    #[test]
    fn the_readme_lists_exactly_these_codes() {
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        let section = readme
            .split("\n## JSON report")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("a \"## JSON report\" section");
        assert!(
            section.contains(&table()),
            "the README's table of codes is out of date; put this in its \"## JSON report\" section:\n{}",
            table()
        );
        let listed = section.matches("| `").count();
        assert_eq!(
            listed,
            Reason::ALL.len(),
            "the section lists other codes too"
        );
    }

    #[test]
    fn the_schema_lists_exactly_these_codes() {
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report.schema.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let code = schema
            .pointer("/$defs/outcome/properties/code")
            .expect("the outcome's code in the schema");
        let listed: Vec<&str> = code["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(listed, ours);
        assert_eq!(code["pattern"], "^[a-z]+(\\.[a-z0-9-]+)+$");
    }
}
