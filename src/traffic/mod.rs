//! Traffic files read into one model of calls (`Traffic`): HAR 1.2
//! recordings, Postman collections (v2.0, v2.1) and Insomnia exports (v4),
//! told apart by their content. Groundwork for `needs` (issue 26): what each
//! call sent and, for a HAR, what came back; never a secret.

mod collection;
mod graphql;
mod har;
mod insomnia;
mod model;
mod postman;
mod template;

use std::path::Path;

use serde_json::Value;

use crate::error::TrafficError;

pub use model::{Answer, Bearer, Call, Format, Skipped, TokenSeen, Traffic};

/// Reads one traffic file: its format from its content, then its calls in
/// file order. The file name in each call's `at` is `path` as given.
pub fn read(path: &Path) -> Result<Traffic, TrafficError> {
    let bytes = std::fs::read(path).map_err(|source| TrafficError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let document: Value = serde_json::from_slice(&bytes).map_err(|e| TrafficError::NotJson {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    drop(bytes);
    let format = detect(&document).map_err(|problem| match problem {
        Problem::Unknown => TrafficError::Unknown {
            path: path.to_path_buf(),
        },
        Problem::Malformed(format, reason) => TrafficError::Malformed {
            path: path.to_path_buf(),
            format: format.described(),
            reason,
        },
    })?;
    let file = path.display().to_string();
    let read = match format {
        Format::Har => har::read(document, &file),
        Format::Postman => Ok(postman::read(document, &file)),
        Format::Insomnia => insomnia::read(document, &file),
    };
    read.map_err(|unreadable| TrafficError::Malformed {
        path: path.to_path_buf(),
        format: format.described(),
        reason: unreadable.to_string(),
    })
}

/// Why a JSON document is not one the readers take.
#[derive(Debug, PartialEq)]
enum Problem {
    Unknown,
    Malformed(Format, String),
}

/// Which format a document is, by the keys each one's specification
/// requires: HAR's `log.entries`, Postman's `info.schema` (or, for an export
/// without one, `info` and `item`), Insomnia's `_type: "export"` and
/// `__export_format`.
fn detect(document: &Value) -> Result<Format, Problem> {
    if let Some(log) = document.get("log") {
        return match log.get("entries") {
            Some(Value::Array(_)) => Ok(Format::Har),
            _ => Err(Problem::Malformed(
                Format::Har,
                "its `log` holds no `entries` list".into(),
            )),
        };
    }
    if document.get("_type").and_then(Value::as_str) == Some("export") {
        return match document.get("__export_format").and_then(Value::as_u64) {
            Some(4) => Ok(Format::Insomnia),
            other => Err(Problem::Malformed(
                Format::Insomnia,
                format!(
                    "of export format {}, and only format 4 is read: export it again from Insomnia as \"Insomnia v4 (JSON)\"",
                    other.map_or_else(|| "unknown".to_string(), |n| n.to_string())
                ),
            )),
        };
    }
    if let Some(info) = document.get("info") {
        let schema = info.get("schema").and_then(Value::as_str).unwrap_or("");
        let v2 = schema.contains("/v2.0.") || schema.contains("/v2.1.");
        return match (v2, document.get("item")) {
            (true, Some(Value::Array(_))) => Ok(Format::Postman),
            (false, Some(Value::Array(_))) if schema.is_empty() => Ok(Format::Postman),
            (true, _) => Err(Problem::Malformed(
                Format::Postman,
                "it holds no `item` list".into(),
            )),
            (false, _) => Err(Problem::Malformed(
                Format::Postman,
                format!(
                    "of schema {schema:?}, and only collections v2.0 and v2.1 are read: export it again from Postman as \"Collection v2.1\""
                ),
            )),
        };
    }
    // Postman's v1 collections have no `info`: requests and an `order`.
    if document.get("requests").is_some() && document.get("order").is_some() {
        return Err(Problem::Malformed(
            Format::Postman,
            "a collection v1, and only v2.0 and v2.1 are read: export it again from Postman as \"Collection v2.1\"".into(),
        ));
    }
    Err(Problem::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(detect(&json!({"log": {"entries": []}})), Ok(Format::Har));
        assert_eq!(
            detect(
                &json!({"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []})
            ),
            Ok(Format::Postman)
        );
        assert_eq!(
            detect(&json!({"_type": "export", "__export_format": 4, "resources": []})),
            Ok(Format::Insomnia)
        );
        assert_eq!(detect(&json!({"openapi": "3.0.0"})), Err(Problem::Unknown));
        assert_eq!(detect(&json!([1, 2])), Err(Problem::Unknown));
    }

    #[test]
    fn versions_not_read_say_how_to_export_again() {
        let Err(Problem::Malformed(Format::Insomnia, reason)) =
            detect(&json!({"_type": "export", "__export_format": 3}))
        else {
            panic!("an Insomnia v3 export is refused")
        };
        assert!(
            reason.contains("format 3") && reason.contains("v4"),
            "{reason}"
        );
        let Err(Problem::Malformed(Format::Postman, reason)) =
            detect(&json!({"requests": [], "order": [], "name": "x"}))
        else {
            panic!("a Postman v1 collection is refused")
        };
        assert!(reason.contains("v2.1"), "{reason}");
        assert!(matches!(
            detect(&json!({"log": {"version": "1.2"}})),
            Err(Problem::Malformed(Format::Har, _))
        ));
    }
}
