//! A HAR 1.2 record of HTTP exchanges: a run's (`--har FILE`), for a support
//! ticket, every request and answer with its timing and the platform's
//! `x-anypnt-trx-id` / `x-request-id`; or those the simulator served (`sim
//! --record FILE`). What goes in is already redacted by its source
//! (`Platform::redact`, `commands::record`): the Authorization header is
//! replaced or masked, secret fields are dropped by name, bodies are masked
//! for every known secret and capped, so the file opens in a browser's
//! network panel and holds nothing to hide. Under `--redact-ids` the run
//! tells it the ids to hide (`hide`) and their placeholders, the report's;
//! the simulator's recording tells it each secret it learns.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

use crate::secret::Secret;
use crate::substitute::Substitutions;

/// The most of a body a HAR entry keeps.
const MAX_BODY_CHARS: usize = 64 * 1024;

/// How the doctor's user agent starts (`platform::http` and `Entry::of` send
/// it with the version after): a reader of traffic tells its own requests by it.
pub const OWN_AGENT: &str = "anypoint-doctor/";

/// Why the doctor sends a request, which its user agent says so that a
/// reader of traffic (`needs`) can tell the automation's work from the
/// doctor's own questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Purpose {
    /// A probe of the platform (`check`, `fix`): the plain user agent.
    #[default]
    Probe,
    /// A command's own work (`apps`, `apis`, `create`), which the command
    /// cannot do without: `needs` counts it as the automation's.
    Work,
    /// A read a command makes to check or explain its work (a duplicate
    /// check, where a refused create went wrong) and goes on without when
    /// refused: `needs` leaves it out, as it leaves out probes.
    Lookup,
}

/// What the user agent of a command's own work ends with.
pub const WORK_AGENT: &str = " (command)";
/// What the user agent of a command's lookup ends with.
pub const LOOKUP_AGENT: &str = " (lookup)";

/// The user agent the doctor sends for a request of this purpose.
pub fn user_agent(purpose: Purpose) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let suffix = match purpose {
        Purpose::Probe => "",
        Purpose::Work => WORK_AGENT,
        Purpose::Lookup => LOOKUP_AGENT,
    };
    format!("{OWN_AGENT}{version}{suffix}")
}

/// Whether a request with this user agent is one the doctor asked for
/// itself (a probe or a lookup), which says nothing of what the user's
/// automation needs.
pub fn is_set_aside(user_agent: &str) -> bool {
    user_agent.starts_with(OWN_AGENT) && !user_agent.ends_with(WORK_AGENT)
}

/// What stands in for a value the HAR must not hold.
pub const REDACTED: &str = "[redacted by anypoint-doctor]";

/// The exchanges of one run, in the order they ended. Its `Debug` counts
/// them only: an answer read before its secret was known (the token's)
/// is masked when the document is written, not before.
#[derive(Default)]
pub struct HarRecorder {
    entries: Mutex<Vec<Entry>>,
    /// Each text to hide in the document and what stands in for it, told
    /// as the run learns them (`--redact-ids`: an id and its placeholder).
    hidden: Mutex<BTreeMap<String, String>>,
}

impl std::fmt::Debug for HarRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.entries.lock().map(|e| e.len()).unwrap_or(0);
        f.debug_struct("HarRecorder")
            .field("entries", &entries)
            .finish()
    }
}

/// One exchange, as HAR 1.2 names its parts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub started_date_time: String,
    /// Milliseconds, the whole exchange.
    pub time: u64,
    pub request: HarRequest,
    pub response: HarResponse,
    pub cache: Empty,
    pub timings: Timings,
    /// Why there was no answer (a timeout, a refused connection); HAR's custom fields start with `_`.
    #[serde(rename = "_error", skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Empty {}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarRequest {
    pub method: String,
    pub url: String,
    pub http_version: String,
    pub headers: Vec<Header>,
    pub query_string: Vec<Header>,
    pub cookies: Vec<Empty>,
    pub headers_size: i64,
    pub body_size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData {
    pub mime_type: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarResponse {
    pub status: u16,
    pub status_text: String,
    pub http_version: String,
    pub headers: Vec<Header>,
    pub cookies: Vec<Empty>,
    pub content: Content,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub size: i64,
    pub mime_type: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// HAR's timings: the doctor measures only the whole wait.
#[derive(Debug, Clone, Serialize)]
pub struct Timings {
    pub send: u64,
    pub wait: u64,
    pub receive: u64,
}

#[derive(Serialize)]
struct Document<'a> {
    log: Log<'a>,
}

#[derive(Serialize)]
struct Log<'a> {
    version: &'static str,
    creator: Creator,
    entries: &'a [Entry],
}

#[derive(Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

impl HarRecorder {
    pub fn record(&self, entry: Entry) {
        self.entries.lock().expect("HAR lock poisoned").push(entry);
    }

    /// How many exchanges were recorded.
    pub fn recorded(&self) -> usize {
        self.entries.lock().expect("HAR lock poisoned").len()
    }

    /// Every `(text, stand-in)`: the document shows the stand-in wherever
    /// the text was, in every entry recorded before or after.
    /// A text told twice keeps its first stand-in.
    pub fn hide(&self, pairs: impl IntoIterator<Item = (String, String)>) {
        let mut hidden = self.hidden.lock().expect("HAR lock poisoned");
        for (text, stand_in) in pairs {
            hidden.entry(text).or_insert(stand_in);
        }
    }

    /// The HAR 1.2 document, entries in the order they started, what `hide`
    /// was told replaced in every text of them.
    pub fn document(&self) -> String {
        let mut entries = self.entries.lock().expect("HAR lock poisoned").clone();
        entries.sort_by(|a, b| a.started_date_time.cmp(&b.started_date_time));
        let hidden = Substitutions::new(self.hidden.lock().expect("HAR lock poisoned").clone());
        for entry in &mut entries {
            entry.texts().for_each(|text| hidden.apply(text));
        }
        let document = Document {
            log: Log {
                version: "1.2",
                creator: Creator {
                    name: "anypoint-doctor",
                    version: env!("CARGO_PKG_VERSION"),
                },
                entries: &entries,
            },
        };
        serde_json::to_string_pretty(&document).expect("the HAR is plain data") + "\n"
    }
}

/// One exchange as its client sent it and was answered, every value
/// already redacted: seen by the doctor's client, or served by the
/// simulator (`sim --record`).
pub struct Exchange<'a> {
    pub started: &'a str,
    pub elapsed_ms: u64,
    pub method: &'a str,
    pub url: &'a str,
    /// The request's headers (`client_headers`, or each through `sent_header`).
    pub headers: Vec<Header>,
    pub request_body: Option<&'a str>,
    pub request_body_bytes: usize,
    /// The answer, or why there was none.
    pub answer: Result<Answered<'a>, String>,
}

pub struct Answered<'a> {
    pub status: u16,
    pub version: &'a str,
    pub headers: &'a [Header],
    pub mime_type: &'a str,
    pub body_bytes: usize,
    pub text: &'a str,
}

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// The headers the doctor's client sends: a token is never shown, only
/// that one was sent.
pub fn client_headers(user_agent: &str, authorized: bool, with_body: bool) -> Vec<Header> {
    let mut headers = vec![
        header("accept", "application/json"),
        header("user-agent", user_agent),
    ];
    if authorized {
        headers.push(header("authorization", &format!("Bearer {REDACTED}")));
    }
    if with_body {
        headers.push(header("content-type", "application/json"));
    }
    headers
}

/// A header another client sent (`sim --record`), its value masked when it
/// carries a credential. A credential keeps its scheme and shows as a
/// secret's masked form (`Bearer **** sha256:1a2b (36 chars)`): a reader
/// tells whether a token was sent and which calls shared one, as the
/// report tells two secrets apart, without the token.
pub fn sent_header(name: &str, value: &str) -> Header {
    let lower = name.to_ascii_lowercase();
    let credential = ["authorization", "proxy-authorization", "cookie"].contains(&lower.as_str())
        || SECRET_FIELDS.contains(&lower.replace('-', "_").as_str());
    if !credential {
        return header(name, value);
    }
    let masked = match value.split_once(' ') {
        Some((scheme, token)) if lower.ends_with("authorization") => {
            format!("{scheme} {}", Secret::new(token.trim()).masked())
        }
        _ => Secret::new(value).masked(),
    };
    header(name, &masked)
}

/// The values of the secret fields in a body (JSON, or a form by its media
/// type), for a recorder to hide wherever else they show.
pub fn secret_values(text: &str, mime_type: &str) -> Vec<String> {
    let mut values = Vec::new();
    visit_secret_fields(text, mime_type, |value| values.push(value.clone()));
    values
}

impl Entry {
    /// The HAR entry of an exchange: secret fields dropped from both
    /// bodies, bodies capped.
    pub fn of(exchange: Exchange<'_>) -> Entry {
        let headers = exchange.headers;
        let post_data = exchange.request_body.map(|body| {
            let mime_type = headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-type"))
                .map_or("application/json", |h| h.value.as_str())
                .to_string();
            PostData {
                text: capped(&without_secret_fields(body, &mime_type)),
                mime_type,
            }
        });
        let (response, error) = match exchange.answer {
            Ok(answered) => (HarResponse::answered(&answered), None),
            Err(why) => (HarResponse::unanswered(), Some(why)),
        };
        Entry {
            started_date_time: exchange.started.to_string(),
            time: exchange.elapsed_ms,
            request: HarRequest {
                method: exchange.method.to_string(),
                url: exchange.url.to_string(),
                http_version: response.http_version.clone(),
                headers,
                query_string: query_string(exchange.url),
                cookies: Vec::new(),
                headers_size: -1,
                body_size: exchange.request_body_bytes as i64,
                post_data,
            },
            response,
            cache: Empty {},
            timings: Timings {
                send: 0,
                wait: exchange.elapsed_ms,
                receive: 0,
            },
            error,
        }
    }
}

impl Entry {
    /// Every text of the entry that came from the exchange: the URL, the
    /// query, the headers, the bodies, the error.
    fn texts(&mut self) -> impl Iterator<Item = &mut String> {
        let (request, response) = (&mut self.request, &mut self.response);
        let headers = request
            .headers
            .iter_mut()
            .chain(&mut request.query_string)
            .chain(&mut response.headers)
            .flat_map(|h| [&mut h.name, &mut h.value]);
        [&mut request.url, &mut response.redirect_url]
            .into_iter()
            .chain(headers)
            .chain(request.post_data.as_mut().map(|p| &mut p.text))
            .chain([&mut response.content.text])
            .chain(self.error.as_mut())
    }
}

impl HarResponse {
    fn answered(answered: &Answered<'_>) -> HarResponse {
        HarResponse {
            status: answered.status,
            status_text: reqwest::StatusCode::from_u16(answered.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or_default()
                .to_string(),
            http_version: answered.version.to_string(),
            headers: answered.headers.to_vec(),
            cookies: Vec::new(),
            content: Content {
                size: answered.body_bytes as i64,
                mime_type: answered.mime_type.to_string(),
                text: capped(&without_secret_fields(answered.text, answered.mime_type)),
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: answered.body_bytes as i64,
        }
    }

    /// No answer came (the entry's `_error` says why).
    fn unanswered() -> HarResponse {
        HarResponse {
            status: 0,
            status_text: String::new(),
            http_version: String::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            content: Content {
                size: 0,
                mime_type: String::new(),
                text: String::new(),
            },
            redirect_url: String::new(),
            headers_size: -1,
            body_size: -1,
        }
    }
}

/// Fields whose values are secrets whoever they belong to: a client
/// application's secret in a list (`targetAdminSite=true`), a token in an
/// answer, a password. The run cannot know these values in advance, so the
/// HAR drops them by name.
pub const SECRET_FIELDS: [&str; 6] = [
    "clientsecret",
    "client_secret",
    "access_token",
    "refresh_token",
    "password",
    "secret",
];

/// A body (JSON, or a form by its media type) with every secret field's value replaced; other text as it is.
fn without_secret_fields(text: &str, mime_type: &str) -> String {
    visit_secret_fields(text, mime_type, |value| *value = REDACTED.into())
}

fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name.to_ascii_lowercase().as_str())
}

/// `text` after `visit` was given each secret field's value, at any depth
/// of a JSON body or in a form (`application/x-www-form-urlencoded`, as
/// OAuth token requests are often sent); other text as it is.
fn visit_secret_fields(text: &str, mime_type: &str, mut visit: impl FnMut(&mut String)) -> String {
    fn walk(value: &mut serde_json::Value, visit: &mut impl FnMut(&mut String)) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match value {
                        serde_json::Value::String(secret) if is_secret_field(key) => visit(secret),
                        _ => walk(value, visit),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, visit)),
            _ => {}
        }
    }
    if mime_type.starts_with("application/x-www-form-urlencoded") {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in url::form_urlencoded::parse(text.as_bytes()) {
            let mut value = value.into_owned();
            if is_secret_field(&name) {
                visit(&mut value);
            }
            form.append_pair(&name, &value);
        }
        return form.finish();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            walk(&mut value, &mut visit);
            serde_json::to_string(&value).unwrap_or_default()
        }
        Err(_) => text.to_string(),
    }
}

/// `text` cut to `MAX_BODY_CHARS`, saying so.
fn capped(text: &str) -> String {
    match text.char_indices().nth(MAX_BODY_CHARS) {
        Some((at, _)) => format!(
            "{}… [cut by anypoint-doctor at {MAX_BODY_CHARS} characters]",
            &text[..at]
        ),
        None => text.to_string(),
    }
}

/// The query of a URL as HAR's name/value pairs.
fn query_string(url: &str) -> Vec<Header> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| Header {
                    name: name.into_owned(),
                    value: value.into_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_fields_are_dropped_by_name_at_any_depth() {
        let body = r#"[{"id":1,"clientSecret":"abc","nested":{"access_token":"t","name":"x"}}]"#;
        let cleaned = without_secret_fields(body, "application/json");
        assert!(
            !cleaned.contains("abc") && !cleaned.contains("\"t\""),
            "{cleaned}"
        );
        assert!(cleaned.contains("\"name\":\"x\""), "{cleaned}");
        assert_eq!(
            without_secret_fields("not json, clientSecret=abc", "text/plain"),
            "not json, clientSecret=abc"
        );
    }

    #[test]
    fn a_form_keeps_its_fields_but_the_secret_ones() {
        let form = "grant_type=client_credentials&client_id=id1&client_secret=s%2Fhunter2";
        let mime = "application/x-www-form-urlencoded";
        let cleaned = without_secret_fields(form, mime);
        assert!(
            cleaned.contains("client_id=id1") && !cleaned.contains("hunter2"),
            "{cleaned}"
        );
        assert_eq!(secret_values(form, mime), ["s/hunter2"]);
    }

    #[test]
    fn a_sent_credential_shows_its_scheme_and_which_it_was() {
        let token = sent_header("Authorization", "Bearer 0123456789abcdef");
        assert!(token.value.starts_with("Bearer **** sha256:"), "{token:?}");
        assert!(!token.value.contains("0123456789abcdef"), "{token:?}");
        let other = sent_header("authorization", "Bearer fedcba9876543210");
        assert_ne!(token.value, other.value);
        assert_eq!(sent_header("accept", "*/*").value, "*/*");
        assert!(
            !sent_header("client_secret", "hunter22")
                .value
                .contains("hunter22")
        );
    }
}
