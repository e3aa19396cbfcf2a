//! The scan rules: every file in `rules/`, embedded at build time, parsed once,
//! in output order. Adding a rule is a TOML file plus one line here; the
//! kinds of match (`path`, `literal-secret`, `plain-http`,
//! `mixed-control-planes`) are the Rust that runs them.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::embedded::{EmbeddedError, embedded_files, parse_files};
use crate::platform::ProbeMethod as Method;

/// (id, file contents) in registry order.
pub const RULE_FILES: &[(&str, &str)] = embedded_files![
    "rules":
    "scan.exchange-v1-apis",
    "scan.repository-v2-create",
    "scan.client-applications-list",
    "scan.literal-secret",
    "scan.plain-http",
    "scan.mixed-control-planes",
];

/// Its name comes from the same case rule as its TOML and JSON form.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable public id: `scan.<kebab-name>`, equal to the file stem.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Why what it finds is a problem.
    pub why: String,
    /// What to do instead.
    pub fix: String,
    /// Set on retired endpoints: the replacement in one line. A live 404 on a
    /// path this rule matches is explained with it.
    pub use_instead: Option<String>,
    #[serde(rename = "match")]
    pub matcher: MatchSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum MatchSpec {
    Path(PathMatch),
    LiteralSecret(SecretMatch),
    /// `http://` in front of a control plane host.
    PlainHttp,
    /// Hosts of two control planes in one file.
    MixedControlPlanes,
}

impl Rule {
    /// A rule that finds one request in files, `METHOD /path/{template}` as
    /// `call` writes it (the title too), for the readers of automation that
    /// want its requests rather than its risks (`check --for-files`,
    /// `needs`); None for a method the matcher does not tell apart.
    pub fn request(id: String, call: &str, why: String) -> Option<Rule> {
        let (method, path) = call.split_once(' ')?;
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            _ => return None,
        };
        Some(Rule {
            id,
            title: call.to_string(),
            severity: Severity::Info,
            why,
            fix: String::new(),
            use_instead: None,
            matcher: MatchSpec::Path(PathMatch {
                paths: vec![path.to_string()],
                method: Some(method),
                subpaths: false,
                unless_nearby: Vec::new(),
            }),
        })
    }

    /// What to use instead: the replacement of a retired endpoint, else the fix.
    pub fn replacement(&self) -> &str {
        self.use_instead.as_deref().unwrap_or(&self.fix)
    }
}

impl MatchSpec {
    pub fn name(&self) -> &'static str {
        match self {
            MatchSpec::Path(_) => "path",
            MatchSpec::LiteralSecret(_) => "literal-secret",
            MatchSpec::PlainHttp => "plain-http",
            MatchSpec::MixedControlPlanes => "mixed-control-planes",
        }
    }

    /// What the rule looks for, in one line, for `explain`.
    pub fn describe(&self) -> String {
        match self {
            MatchSpec::Path(m) => {
                let method = match m.method {
                    Some(Method::Get) => "a GET (or no method seen) to ",
                    Some(Method::Post) => "a POST (seen on the line or nearby) to ",
                    None => "",
                };
                let below = if m.subpaths { " (or below)" } else { "" };
                let unless = if m.unless_nearby.is_empty() {
                    String::new()
                } else {
                    format!(", unless {} is nearby", m.unless_nearby.join(" or "))
                };
                format!(
                    "{method}{}{below}, with any id or placeholder in the {{…}} segments{unless}",
                    m.paths.join(" or ")
                )
            }
            MatchSpec::LiteralSecret(m) => format!(
                "a literal value after {} or {}, within a few lines of {}",
                m.keys.join(", "),
                m.prefixes.join(", "),
                m.near.join(", ")
            ),
            MatchSpec::PlainHttp => "http:// followed by an Anypoint control plane host".into(),
            MatchSpec::MixedControlPlanes => {
                "hosts of two different control planes (US, EU, Gov, Canada, Japan) in one file"
                    .into()
            }
        }
    }
}

/// An API path, written as the platform documents it, with `{…}` for one
/// segment that may be a literal id or any placeholder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathMatch {
    pub paths: Vec<String>,
    /// POST: only when the nearest method seen is a POST. GET: unless the
    /// nearest method seen is another one (GET is every client's default).
    pub method: Option<Method>,
    /// Deeper paths (`…/apis/123`) match too.
    #[serde(default)]
    pub subpaths: bool,
    /// No finding when one of these is on the line or nearby.
    #[serde(default)]
    pub unless_nearby: Vec<String>,
}

impl PathMatch {
    /// Whether a live request (`path` below the base URL, query ignored) is
    /// one this rule describes.
    pub fn matches_request(&self, method: Method, path: &str) -> bool {
        self.method.is_none_or(|m| m == method)
            && self
                .paths
                .iter()
                .any(|pattern| path_matches(pattern, path, self.subpaths))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretMatch {
    /// Names a literal value is assigned to, any case.
    pub keys: Vec<String>,
    /// Words followed directly by a token, any case.
    pub prefixes: Vec<String>,
    /// Reported only within a few lines of one of these.
    pub near: Vec<String>,
}

/// Whether `path` (query ignored) fits `pattern`, where a `{…}` segment
/// matches any one segment; with `subpaths`, deeper paths fit too.
pub fn path_matches(pattern: &str, path: &str, subpaths: bool) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let pattern_segments: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path_segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let fits = if subpaths {
        path_segments.len() >= pattern_segments.len()
    } else {
        path_segments.len() == pattern_segments.len()
    };
    fits && pattern_segments
        .iter()
        .zip(&path_segments)
        .all(|(p, s)| (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s)
}

pub struct Rules {
    pub rules: Vec<Rule>,
}

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    Rules::parse(RULE_FILES).unwrap_or_else(|e| panic!("embedded rule files are invalid: {e}"))
});

impl Rules {
    /// The embedded rules. Their files are validated by the test suite, so a
    /// broken file cannot ship.
    pub fn get() -> &'static Rules {
        &RULES
    }

    pub fn parse(files: &[(&str, &str)]) -> Result<Rules, EmbeddedError> {
        Ok(Rules {
            rules: parse_files("rules", files)?,
        })
    }

    pub fn find(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The rule for a retired endpoint that a request answered 404 on, if any.
    pub fn retired(&self, method: Method, path: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| {
            rule.use_instead.is_some()
                && matches!(&rule.matcher, MatchSpec::Path(m) if m.matches_request(method, path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_rule_file_parses() {
        Rules::parse(RULE_FILES).unwrap();
    }

    #[test]
    fn ids_are_unique_match_their_file_and_are_kebab_case() {
        let mut seen = HashSet::new();
        for ((file_id, _), rule) in RULE_FILES.iter().zip(&Rules::get().rules) {
            assert_eq!(*file_id, rule.id, "id must equal the file name");
            assert!(seen.insert(rule.id.clone()), "duplicate id {}", rule.id);
            let name = rule.id.strip_prefix("scan.").expect("id is scan.<name>");
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: kebab-case name",
                rule.id
            );
            assert!(!rule.why.is_empty() && !rule.fix.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn a_severity_is_named_as_its_json_says() {
        for severity in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(serde_json::to_value(severity).unwrap(), severity.name());
        }
    }

    #[test]
    fn every_file_in_rules_is_registered() {
        crate::embedded::assert_every_file_registered("rules", RULE_FILES);
    }

    #[test]
    fn retired_paths_are_recognised_with_any_ids_and_their_method() {
        let rules = Rules::get();
        let v1 = "/exchange/api/v1/organizations/o-1/environments/e-2/apis?limit=5";
        assert_eq!(
            rules.retired(Method::Get, v1).map(|r| r.id.as_str()),
            Some("scan.exchange-v1-apis")
        );
        assert!(rules.retired(Method::Get, &format!("{v1}/42")).is_some());
        assert!(
            rules
                .retired(
                    Method::Get,
                    "/apimanager/api/v1/organizations/o/environments/e/apis"
                )
                .is_none()
        );
        let legacy = "/apiplatform/repository/v2/organizations/o/applications";
        assert_eq!(
            rules.retired(Method::Post, legacy).map(|r| r.id.as_str()),
            Some("scan.repository-v2-create")
        );
        assert!(
            rules.retired(Method::Get, legacy).is_none(),
            "listing on the legacy path is not retired"
        );
    }
}
