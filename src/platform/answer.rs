//! What one request brought back: evidence for the report, and the reply or
//! the transport failure, with readers that turn surprises (HTML, truncated
//! JSON, wrong types, empty bodies) into a short, secret-free explanation.

use serde::Serialize;
use serde::de::DeserializeOwned;

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
    /// How many times it was sent (more than 1 after a 429, 502-504 or a broken connection).
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
    /// For a 429: how long the platform asks to wait (Retry-After, else X-RateLimit-Reset).
    pub retry_after: Option<std::time::Duration>,
    /// The server's `Date` header, as sent.
    pub date: Option<String>,
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
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A short, single-line piece of the body for messages; secrets masked.
    pub fn excerpt(&self) -> String {
        let collapsed: String = self
            .redacted_text
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

    /// The body as JSON of the expected shape, or a one-line reason why not.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(format!("HTTP {} with an empty body", self.status));
        }
        if self.truncated {
            return Err(format!(
                "HTTP {}: the body is larger than the doctor reads ({} bytes)",
                self.status,
                self.body.len()
            ));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            let what = if self.looks_like_html() {
                "an HTML page instead of JSON".to_string()
            } else if e.is_eof() {
                "truncated JSON".to_string()
            } else if e.is_syntax() {
                "a body that is not JSON".to_string()
            } else {
                format!("JSON of an unexpected shape ({e})")
            };
            format!("HTTP {} with {what}: {}", self.status, self.excerpt())
        })
    }

    /// The platform's own error message, read the way the platform's services
    /// shape errors (`message`, `errors[0].message`, `error_description`, …),
    /// else an excerpt of the body.
    pub fn platform_message(&self) -> String {
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
            Some(message) => message.chars().take(EXCERPT_CHARS).collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            content_type: Some(content_type.into()),
            body: body.as_bytes().to_vec(),
            truncated: false,
            retry_after: None,
            date: None,
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
        assert!(html.json::<Shape>().unwrap_err().contains("HTML page"));
        let cut = reply(200, "application/json", r#"{"data": ["a", "#);
        assert!(cut.json::<Shape>().unwrap_err().contains("truncated JSON"));
        let wrong = reply(200, "application/json", r#"{"data": 3}"#);
        assert!(
            wrong
                .json::<Shape>()
                .unwrap_err()
                .contains("unexpected shape")
        );
        let empty = reply(204, "application/json", "  ");
        assert!(empty.json::<Shape>().unwrap_err().contains("empty body"));
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
