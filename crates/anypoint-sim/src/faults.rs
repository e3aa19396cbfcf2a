//! The middleware every answer goes through: added latency, injected faults
//! (429, Access Management's empty 503 throttle, 5xx, an HTML page, a
//! truncated body, no answer, a broken connection), the world's per-path rate
//! limit (`ratelimit`: 429 over it), and the headers the platform sends on
//! every response.

use std::time::{Duration, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ratelimit::Admission;
use super::respond;
use super::routes::Shared;
use super::world::{Fault, FaultKind};

/// Requests per rate-limit window advertised when the world sets no limit (§6, S16: 400).
const RATE_LIMIT: u64 = 400;

/// Whether `path` fits `pattern`: `*` is any one segment, `**` any rest.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pattern_segments = pattern.trim_matches('/').split('/');
    let mut path_segments = path.trim_matches('/').split('/');
    loop {
        match (pattern_segments.next(), path_segments.next()) {
            (Some("**"), _) => return true,
            (Some(p), Some(s)) if p == "*" || p == s => continue,
            (None, None) => return true,
            _ => return false,
        }
    }
}

fn applies(fault: &Fault, method: &str, path: &str) -> bool {
    fault
        .method
        .as_deref()
        .is_none_or(|m| m.eq_ignore_ascii_case(method))
        && path_matches(&fault.path, path)
}

pub async fn layer(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let version = format!("{:?}", request.version());
    let logged = state.count_request(&method, &request.uri().to_string(), &version);
    let response = answer(&state, request, next, (method, path)).await;
    state.answered(logged);
    // Before the answer leaves: a client that reads the clock after it sees the new time.
    state.rate_limits.answered();
    response
}

async fn answer(
    state: &Shared,
    request: Request,
    next: Next,
    (method, path): (String, String),
) -> Response {
    let admission = state.rate_limits.admit(&path);
    let throttled = matches!(admission, Some(Admission::Throttled { .. }));
    let (latency, fault, skew) = {
        let world = state.world.lock().expect("world lock");
        // [I] A throttled request goes no further: it does not use up an injected fault.
        let fault = world
            .faults
            .iter()
            .enumerate()
            .filter(|_| !throttled)
            .find(|(i, f)| applies(f, &method, &path) && state.fault_applies(*i, f.times))
            .map(|(_, f)| f.fault.clone());
        (world.latency_ms, fault, world.clock_skew_secs)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    // The server's clock: the limiter's (a test may fix it), shifted by the
    // world's skew, so Date and every X-RateLimit-Reset agree with each other.
    let now = state.rate_limits.now().saturating_add_signed(skew);
    let server = |epoch_secs: u64| epoch_secs.saturating_add_signed(skew);
    // The world's limit, when it sets one, is what every answer advertises.
    let limit = match admission {
        Some(Admission::Allowed { limit, .. } | Admission::Throttled { limit, .. }) => limit,
        None => RATE_LIMIT,
    };
    if let Some(Admission::Throttled {
        reset, retry_after, ..
    }) = admission
    {
        // §6: 429 with `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` (the
        // reference's simulator suggestion, [I]); no Anypoint source shows
        // `Retry-After` ([?]), sent so clients can pace either way. The body is
        // Access Management's error shape, as the `rate-limit` fault's.
        let mut response = respond::accounts_error(429, "Too Many Requests");
        let headers = response.headers_mut();
        headers.insert("retry-after", HeaderValue::from(retry_after));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
        headers.insert("x-ratelimit-reset", HeaderValue::from(server(reset)));
        return with_platform_headers(response, Some(limit), None, now);
    }
    let response = match fault {
        None => next.run(request).await,
        Some(FaultKind::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        Some(FaultKind::RateLimit { retry_after_secs }) => {
            state.count_faulted_for_rate();
            let mut response = respond::accounts_error(429, "Too Many Requests");
            let headers = response.headers_mut();
            headers.insert("retry-after", HeaderValue::from(retry_after_secs));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
            headers.insert(
                "x-ratelimit-reset",
                HeaderValue::from(now + retry_after_secs),
            );
            return with_platform_headers(response, Some(limit), None, now);
        }
        // §11.8, KB 001116018 (and §6, S14): Access Management throttles with 503,
        // an empty body ("Back-end server is at capacity", Content-Length: 0) and
        // X-RateLimit-* headers; no source shows Retry-After, so none is sent.
        Some(FaultKind::Throttle { reset_after_secs }) => {
            state.count_faulted_for_rate();
            let mut response = Response::new(Body::empty());
            *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            let headers = response.headers_mut();
            headers.insert("content-length", HeaderValue::from(0));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
            headers.insert(
                "x-ratelimit-reset",
                HeaderValue::from(now + reset_after_secs),
            );
            return with_platform_headers(response, Some(limit), None, now);
        }
        Some(FaultKind::Status { status }) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Error");
            respond::accounts_error(status, reason)
        }
        Some(FaultKind::Html { status }) => html_error(status),
        Some(FaultKind::Truncated) => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let cut = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            let mut response = Response::from_parts(parts, Body::from(cut));
            response.headers_mut().remove("content-length");
            response
        }
        Some(FaultKind::Hang) => never_answer().await,
        Some(FaultKind::LostAnswer) => {
            let _carried_out = next.run(request).await;
            never_answer().await
        }
        Some(FaultKind::Reset) => {
            let broken = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "connection reset by the simulator",
                ))
            });
            Response::new(Body::from_stream(broken))
        }
    };
    // A world with no limit advertises none: a count that is never enforced
    // would make a client that paces by it wait for nothing.
    match admission {
        Some(Admission::Allowed {
            limit,
            remaining,
            reset,
        }) => with_platform_headers(response, Some(limit), Some((remaining, server(reset))), now),
        _ => with_platform_headers(response, None, None, now),
    }
}

/// Waits longer than any client does; the server's shutdown ends it.
async fn never_answer() -> Response {
    tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
    StatusCode::GATEWAY_TIMEOUT.into_response()
}

fn html_error(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let title = format!(
        "{} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (code, [("content-type", "text/html")], page).into_response()
}

/// The correlation and rate-limit headers the platform sends on every answer,
/// and a `Date` shifted by the world's clock skew (hyper keeps a `Date` that is set).
fn with_platform_headers(
    mut response: Response,
    limit: Option<u64>,
    window: Option<(u64, u64)>,
    now: u64,
) -> Response {
    let trx = uuid::Uuid::new_v4().to_string();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&trx) {
        headers.insert("x-anypnt-trx-id", value.clone());
        headers.insert("x-request-id", value);
    }
    if let Some(limit) = limit {
        headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    }
    if let Some((remaining, reset)) = window {
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
    }
    headers.insert("server", HeaderValue::from_static("anypoint-doctor-sim"));
    let date = UNIX_EPOCH + Duration::from_secs(now);
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(date)) {
        headers.insert("date", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn patterns() {
        assert!(path_matches(
            "/apimanager/**",
            "/apimanager/api/v1/organizations/o/environments/e/apis"
        ));
        assert!(path_matches(
            "/accounts/api/organizations/*/hierarchy",
            "/accounts/api/organizations/x/hierarchy"
        ));
        assert!(!path_matches(
            "/accounts/api/organizations/*/hierarchy",
            "/accounts/api/organizations/x/environments"
        ));
        assert!(!path_matches("/a/*", "/a/b/c"));
    }
}
