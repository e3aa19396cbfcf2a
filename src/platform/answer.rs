//! What one request brought back: evidence for the report, and the reply or
//! the transport failure, with readers that turn surprises (HTML, truncated
//! JSON, wrong types, empty bodies) into a short, secret-free explanation.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why an answer's body is not the JSON expected; shown as the one line the user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("HTTP {status} with an empty body")]
    Empty { status: u16 },
    #[error("HTTP {status}: the body is larger than the doctor reads ({bytes} bytes)")]
    TooLarge { status: u16, bytes: usize },
    /// `what` it is instead (an HTML page, truncated JSON, …), and an excerpt.
    #[error("HTTP {status} with {what}: {excerpt}")]
    NotExpected {
        status: u16,
        what: String,
        excerpt: String,
    },
}
/// One request as the report shows it: no headers, no bodies, no secrets.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// When the request was sent (RFC 3339, UTC, milliseconds).
    pub at: String,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    pub trx_id: Option<String>,
    pub request_id: Option<String>,
    /// How many times it was sent (more than 1 after a 429, a 500 or 502-504, or a broken connection).
    pub attempts: u32,
}

/// Why no HTTP status came back.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    #[error("timed out after {0} s")]
    Timeout(u64),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the connection failed: {0}")]
    Other(String),
}

/// An HTTP answer: status, content type and (a capped amount of) body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
    /// The platform is throttling: a 429, a 500/503 with `X-RateLimit-Remaining: 0`,
    /// or Access Management's 503 with an empty body (reference §11.8).
    pub throttled: bool,
    /// When throttled: how long the platform asks to wait (Retry-After, else X-RateLimit-Reset).
    pub retry_after: Option<std::time::Duration>,
    /// A 401 after the run's token had worked, also with a new token: the
    /// token stopped working mid-run (revoked, expired, secret rotated).
    pub token_stopped: bool,
    /// The server's `Date` header, as sent.
    pub date: Option<String>,
    /// The certificate the server presented (DER), over https: `net.tls`
    /// names its issuer without a second handshake.
    pub peer_certificate: Option<Vec<u8>>,
    /// Where a redirect (3xx) pointed, secrets masked: no redirect is
    /// followed, since it would carry the request's credentials there.
    pub location: Option<String>,
    /// The body as text, with every known secret value replaced by a mask.
    pub(crate) redacted_text: String,
}

/// One exchange: the request's evidence, and the reply or why there was none.
#[derive(Debug, Clone)]
pub struct Answer {
    pub evidence: Evidence,
    pub result: Result<Reply, TransportError>,
}

impl Answer {
    pub fn status(&self) -> Option<u16> {
        self.result.as_ref().ok().map(|r| r.status)
    }
}

const EXCERPT_CHARS: usize = 160;

impl Reply {
    /// A reply as it came off the wire, with no secret of the run to mask:
    /// for embedding the readers and for tests (the client builds its own).
    pub fn new(status: u16, content_type: Option<String>, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type,
            redacted_text: String::from_utf8_lossy(&body).into_owned(),
            body,
            truncated: false,
            throttled: false,
            retry_after: None,
            token_stopped: false,
            date: None,
            peer_certificate: None,
            location: None,
        }
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A short, single-line piece of the body for messages; secrets masked.
    pub fn excerpt(&self) -> String {
        let collapsed: String = mask_secret_fields(&self.redacted_text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if collapsed.is_empty() {
            return "(empty body)".into();
        }
        let mut excerpt: String = collapsed.chars().take(EXCERPT_CHARS).collect();
        if collapsed.chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        excerpt
    }

    /// The body as JSON of the expected shape, or why not.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, BodyError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(BodyError::Empty {
                status: self.status,
            });
        }
        if self.truncated {
            return Err(BodyError::TooLarge {
                status: self.status,
                bytes: self.body.len(),
            });
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            let what = if self.looks_like_html() {
                "an HTML page instead of JSON".to_string()
            } else if e.is_eof() {
                "truncated JSON".to_string()
            } else if e.is_syntax() {
                "a body that is not JSON".to_string()
            } else {
                // serde quotes a wrongly typed value whole: keep the reason short,
                // and take it from the redacted text so a quoted value holds no secret.
                let full = serde_json::from_str::<T>(&self.redacted_text)
                    .err()
                    .unwrap_or(e)
                    .to_string();
                let mut detail: String = full.chars().take(EXCERPT_CHARS).collect();
                if detail.len() < full.len() {
                    detail.push('…');
                }
                format!("JSON of an unexpected shape ({detail})")
            };
            BodyError::NotExpected {
                status: self.status,
                what,
                excerpt: self.excerpt(),
            }
        })
    }

    /// The platform's own error message, read the way the platform's services
    /// shape errors (`message`, `errors[0].message`, `error_description`, …),
    /// else an excerpt of the body.
    pub fn platform_message(&self) -> String {
        if (300..400).contains(&self.status) {
            return format!(
                "a redirect to {}, which anypoint-doctor does not follow: it would carry the credentials there; check that --host is the control plane's address itself",
                self.location
                    .as_deref()
                    .unwrap_or("no address (no Location header)")
            );
        }
        let parsed: Option<serde_json::Value> = serde_json::from_str(&self.redacted_text).ok();
        let from_json = parsed.as_ref().and_then(|v| {
            let text = |p: &str| v.pointer(p).and_then(|x| x.as_str()).map(str::to_string);
            text("/message")
                .or_else(|| text("/errors/0/message"))
                .or_else(|| text("/error_description"))
                .or_else(|| text("/error"))
                .or_else(|| text("/statusMessage"))
        });
        match from_json {
            // A message is shown inside one line of a table or an error: no breaks in it.
            Some(message) => message
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .take(EXCERPT_CHARS)
                .collect(),
            // A gateway's error page says what it is in its title; its markup says nothing.
            None if self.looks_like_html() => match html_title(&self.redacted_text) {
                Some(title) => format!("an HTML page titled \"{title}\""),
                None => "an HTML page instead of JSON".into(),
            },
            None => self.excerpt(),
        }
    }

    fn looks_like_html(&self) -> bool {
        self.content_type
            .as_deref()
            .is_some_and(|c| c.contains("html"))
            || self.redacted_text.trim_start().starts_with('<')
    }
}

/// The text of an HTML page's `<title>`, whitespace collapsed and capped.
fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title: String = html[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    (!title.is_empty()).then_some(title)
}

/// Masks the string value of every JSON key that names a secret (`clientSecret`,
/// `client_secret`, `access_token`, `password`, …), also when the body was cut
/// off inside the value. The doctor's known secrets are masked already; these
/// are new ones, such as the secret of an application whose create answer could
/// not be read, which must not reach a message even in part.
fn mask_secret_fields(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    // Only ASCII bytes (quotes, backslashes, colons) are looked at, so every
    // slice below starts and ends on a character boundary.
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'"') {
        let key_start = at + offset + 1;
        let key_end = string_end(bytes, key_start);
        let mut next = key_end + 1;
        while next < bytes.len() && bytes[next].is_ascii_whitespace() {
            next += 1;
        }
        if key_end > key_start && next < bytes.len() && bytes[next] == b':' {
            let key = text[key_start..key_end.min(bytes.len())].to_ascii_lowercase();
            let mut value = next + 1;
            while value < bytes.len() && bytes[value].is_ascii_whitespace() {
                value += 1;
            }
            if value < bytes.len()
                && bytes[value] == b'"'
                && ["secret", "token", "password"]
                    .iter()
                    .any(|word| key.contains(word))
            {
                let value_end = string_end(bytes, value + 1);
                out.push_str(&text[copied..value + 1]);
                out.push_str("****");
                copied = value_end.min(bytes.len());
                at = copied;
                continue;
            }
        }
        // Not a secret's key: go on after this string.
        at = (key_end + 1).min(bytes.len());
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the JSON string starting at `start` (just after its opening quote)
/// ends: the index of its closing quote, or the end of the text when cut off.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some(content_type.into()),
            body: body.as_bytes().to_vec(),
            truncated: false,
            throttled: false,
            retry_after: None,
            token_stopped: false,
            date: None,
            peer_certificate: None,
            location: None,
            redacted_text: body.into(),
        }
    }

    #[test]
    fn surprises_become_one_line_reasons() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Shape {
            data: Vec<String>,
        }
        let html = reply(200, "text/html", "<html><body>Bad gateway</body></html>");
        assert!(
            html.json::<Shape>()
                .unwrap_err()
                .to_string()
                .contains("HTML page")
        );
        let cut = reply(200, "application/json", r#"{"data": ["a", "#);
        assert!(
            cut.json::<Shape>()
                .unwrap_err()
                .to_string()
                .contains("truncated JSON")
        );
        let wrong = reply(200, "application/json", r#"{"data": 3}"#);
        assert!(
            wrong
                .json::<Shape>()
                .unwrap_err()
                .to_string()
                .contains("unexpected shape")
        );
        let empty = reply(204, "application/json", "  ");
        assert!(
            empty
                .json::<Shape>()
                .unwrap_err()
                .to_string()
                .contains("empty body")
        );
    }

    #[test]
    fn secrets_in_a_body_never_reach_a_message_even_cut_off() {
        let cut = reply(
            201,
            "application/json",
            r#"{"id": 7, "clientSecret" : "3A3983FE164E417994D6099A227E98"#,
        );
        assert!(!cut.excerpt().contains("3A3983"), "{}", cut.excerpt());
        assert!(
            !cut.json::<Vec<u8>>()
                .unwrap_err()
                .to_string()
                .contains("3A3983")
        );
        let whole = reply(
            200,
            "application/json",
            r#"{"access_token":"T0K\"VAL","name":"a \"secret\": \"x\"","n":{"password":"PWVAL"}}"#,
        );
        let excerpt = whole.excerpt();
        assert!(
            !excerpt.contains("T0K") && !excerpt.contains("VAL") && excerpt.contains("\"name\""),
            "{excerpt}"
        );
        assert_eq!(mask_secret_fields("no quotes é"), "no quotes é");
        assert_eq!(mask_secret_fields(r#""secret":"#), r#""secret":"#);
    }

    #[test]
    fn an_html_error_page_is_named_by_its_title() {
        let page = reply(
            502,
            "text/html",
            "<html>\r\n<head><TITLE>502 Bad Gateway</TITLE></head><body><h1>502</h1></body></html>",
        );
        assert_eq!(
            page.platform_message(),
            "an HTML page titled \"502 Bad Gateway\""
        );
        let untitled = reply(502, "text/html", "<html><body>oops</body></html>");
        assert_eq!(untitled.platform_message(), "an HTML page instead of JSON");
    }

    #[test]
    fn platform_messages_are_read_in_each_service_shape() {
        let cases = [
            (
                r#"{"status":403,"message":"Unauthorized","details":{}}"#,
                "Unauthorized",
            ),
            (
                r#"{"errors":[{"message":"should be integer"}]}"#,
                "should be integer",
            ),
            (
                r#"{"error":"invalid_client","error_description":"Invalid client credentials"}"#,
                "Invalid client credentials",
            ),
            ("Unauthorized", "Unauthorized"),
        ];
        for (body, want) in cases {
            assert_eq!(
                reply(400, "application/json", body).platform_message(),
                want
            );
        }
    }
}
