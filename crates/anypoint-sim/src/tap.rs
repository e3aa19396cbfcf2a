//! Every exchange the simulator serves, told in full to whoever asked
//! (`ServeOptions::tap`): what the client sent (its method, the URL as it
//! addressed it, headers, body) and what it was answered, with when and how
//! long. The simulator only tells; the listener decides what to keep and
//! what to hide (the doctor's `sim --record` writes a HAR with secrets masked).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// One exchange as it crossed the wire. No `Debug`: its headers and bodies
/// hold the secrets and tokens the exchange carried, in clear.
#[derive(Clone)]
pub struct Served {
    pub started: SystemTime,
    /// From the request's arrival to the answer's last byte being ready.
    pub elapsed: Duration,
    pub method: String,
    /// As the client addressed it: scheme, host (and port), path and query.
    pub url: String,
    /// `HTTP/1.1` or `HTTP/2.0`.
    pub version: String,
    pub request_headers: Vec<(String, String)>,
    pub request_body: Vec<u8>,
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    pub response_body: Vec<u8>,
    /// Why the answer's body broke off (an injected `reset`): the client saw
    /// the connection fail, not this status.
    pub broken: Option<String>,
}

/// Who is told of each exchange, when its answer is ready to leave.
#[derive(Clone)]
pub struct Tap(Arc<dyn Fn(Served) + Send + Sync>);

impl Tap {
    pub fn new(listener: impl Fn(Served) + Send + Sync + 'static) -> Tap {
        Tap(Arc::new(listener))
    }
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

/// The middleware: both bodies are read whole (the simulator's answers are
/// small and never streamed), told to the tap, and passed on unchanged.
pub async fn layer(
    State((tap, scheme)): State<(Tap, &'static str)>,
    request: Request,
    next: Next,
) -> Response {
    let (started, clock) = (SystemTime::now(), Instant::now());
    let (parts, body) = request.into_parts();
    // A body the client cut short is told as far as it came; the route sees the same.
    let request_body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    // HTTP/1.1 names the host in its header, HTTP/2 in the URI's authority.
    let host = parts
        .uri
        .authority()
        .map(|a| a.to_string())
        .or_else(|| header(&parts.headers, "host"))
        .unwrap_or_default();
    let target = parts
        .uri
        .path_and_query()
        .map_or("/".to_string(), |p| p.to_string());
    let method = parts.method.to_string();
    let version = version(parts.version);
    let request_headers = headers(&parts.headers);
    let request = Request::from_parts(parts, Body::from(request_body.clone()));
    let (parts, body) = next.run(request).await.into_parts();
    let (response_body, broken) = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => (bytes, None),
        Err(error) => (Bytes::new(), Some(error.to_string())),
    };
    (tap.0)(Served {
        started,
        elapsed: clock.elapsed(),
        method,
        url: format!("{scheme}://{host}{target}"),
        version,
        request_headers,
        request_body: request_body.to_vec(),
        status: parts.status.as_u16(),
        response_headers: headers(&parts.headers),
        response_body: response_body.to_vec(),
        broken: broken.clone(),
    });
    let body = match broken {
        None => Body::from(response_body),
        // The client must see the same break the fault made.
        Some(why) => Body::from_stream(futures::stream::once(async move {
            Err::<Bytes, std::io::Error>(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                why,
            ))
        })),
    };
    Response::from_parts(parts, body)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn version(version: axum::http::Version) -> String {
    match version {
        axum::http::Version::HTTP_09 => "HTTP/0.9",
        axum::http::Version::HTTP_10 => "HTTP/1.0",
        axum::http::Version::HTTP_2 => "HTTP/2.0",
        axum::http::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
    .to_string()
}
