//! Answers in each service's own shape: Access Management and Exchange
//! `{"status", "message"}`, API Manager `{"name", "message"}` and
//! `{"errors": [...]}`, the token endpoint's OAuth errors.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub fn ok(value: Value) -> Response {
    Json(value).into_response()
}

pub fn created(value: Value) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Access Management's error shape.
pub fn accounts_error(code: u16, message: &str) -> Response {
    (
        status(code),
        Json(json!({"status": code, "message": message})),
    )
        .into_response()
}

/// Exchange's error shape (also used by the legacy application repository).
pub fn exchange_error(code: u16, message: &str) -> Response {
    (
        status(code),
        Json(json!({"status": code, "message": message, "details": {}})),
    )
        .into_response()
}

pub fn apim_not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"name": "NotFoundError", "message": message})),
    )
        .into_response()
}

pub fn apim_forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        Json(json!({"name": "ForbiddenError", "message": "You do not have permission to access this resource"})),
    )
        .into_response()
}

pub fn apim_conflict(message: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({"name": "ConflictError", "message": message})),
    )
        .into_response()
}

/// API Manager's validation error.
pub fn apim_invalid(data_path: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"errors": [{"type": "validation", "dataPath": data_path, "keyword": "type", "message": message}]})),
    )
        .into_response()
}

pub fn oauth_error(code: u16, error: &str, description: &str) -> Response {
    (
        status(code),
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// The header only the answer to an unknown route carries. Clients see the
/// platform's 404 either way; a test tells "no such route in the simulator"
/// from a route that answers 404 as the platform does (a retired endpoint).
pub const UNROUTED: &str = "x-anypoint-sim-unrouted";

/// The answer to a path no route serves: the platform's 404, marked.
pub fn unrouted() -> Response {
    let mut response = exchange_error(404, "Not Found");
    response
        .headers_mut()
        .insert(UNROUTED, axum::http::HeaderValue::from_static("true"));
    response
}

/// The body as JSON, or the platform's 400 for a malformed one.
pub fn json_body(body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice(body)
        .map_err(|e| accounts_error(400, &format!("Invalid request body: {e}")))
}
