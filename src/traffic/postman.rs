//! Postman collections (v2.0, v2.1) read into calls: items nested in
//! folders, the URL as a string or as parts, the collection's variables put
//! into `{{name}}`, auth inherited from folders and the collection.

use std::collections::HashMap;

use serde_json::Value;

use super::collection::{Saved, call_of, enabled_pairs};
use super::model::{Format, Skipped, Traffic};

/// Reads a collection (`info` and `item` checked by `detect`).
pub fn read(document: Value, file: &str) -> Traffic {
    let variables = variables(&document);
    let lookup = |name: &str| variables.get(name).cloned();
    let mut walk = Walk {
        file,
        lookup: &lookup,
        traffic: Traffic {
            format: Format::Postman,
            calls: Vec::new(),
            tokens: Vec::new(),
            skipped: Vec::new(),
            names: Vec::new(),
            roots: Vec::new(),
        },
    };
    let items = document["item"].as_array().map_or(&[][..], Vec::as_slice);
    walk.items(
        items,
        &[],
        sends_bearer(document.get("auth")).unwrap_or(false),
    );
    walk.traffic
}

/// The collection's enabled variables; a value that is not text as JSON writes it.
fn variables(document: &Value) -> HashMap<String, String> {
    document["variable"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["disabled"] != Value::Bool(true))
        .filter_map(|v| {
            let key = v.get("key").or_else(|| v.get("id"))?.as_str()?;
            let value = match v.get("value")? {
                Value::String(s) => s.clone(),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some((key.to_string(), value))
        })
        .collect()
}

/// Whether an `auth` sends a bearer token: Some(true) for `bearer` and
/// `oauth2` (Postman sends its token as one), Some(false) for any other
/// type, None when there is none (the request inherits its parent's).
fn sends_bearer(auth: Option<&Value>) -> Option<bool> {
    let kind = auth?.get("type")?.as_str()?;
    Some(matches!(kind, "bearer" | "oauth2"))
}

struct Walk<'a> {
    file: &'a str,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    traffic: Traffic,
}

impl Walk<'_> {
    fn items(&mut self, items: &[Value], folders: &[&str], bearer: bool) {
        for item in items {
            let name = item["name"].as_str().unwrap_or("(unnamed)");
            let mut path = folders.to_vec();
            path.push(name);
            let bearer = sends_bearer(item.get("auth")).unwrap_or(bearer);
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, &path, bearer);
            } else {
                self.request(item, &path.join(" / "), bearer);
            }
        }
    }

    fn request(&mut self, item: &Value, name: &str, inherited_bearer: bool) {
        let at = format!("{}: item {name:?}", self.file);
        let request = &item["request"];
        // A request may be saved as its URL alone: a GET.
        let (method, url) = match request {
            Value::String(url) => ("GET", url.clone()),
            Value::Object(_) => (
                request["method"].as_str().unwrap_or("GET"),
                with_path_variables(&url_of(&request["url"]), &request["url"]["variable"]),
            ),
            _ => {
                self.traffic.skipped.push(Skipped {
                    at,
                    reason: "an item with neither a request nor items".into(),
                });
                return;
            }
        };
        if url.trim().is_empty() {
            self.traffic.skipped.push(Skipped {
                at,
                reason: "a request without a URL".into(),
            });
            return;
        }
        let body = &request["body"];
        let body = match body["mode"].as_str() {
            Some("graphql") => body["graphql"]["query"].as_str(),
            Some("raw") => body["raw"].as_str(),
            _ => None,
        };
        let saved = Saved {
            method,
            url: &url,
            headers: enabled_pairs(&request["header"], "key"),
            bearer_auth: sends_bearer(request.get("auth")).unwrap_or(inherited_bearer),
            body,
            at,
        };
        let mut call = call_of(saved, self.lookup);
        // A path variable with no value (`:apiId`) is a template too.
        call.templated |= call.path.split('/').any(|segment| segment.starts_with(':'));
        self.traffic.calls.push(call);
    }
}

/// A URL as Postman saves it: a string, or parts with the `raw` text
/// (preferred: it is what Postman shows and sends) or without.
fn url_of(url: &Value) -> String {
    match url {
        Value::String(url) => url.clone(),
        Value::Object(parts) => match parts.get("raw").and_then(Value::as_str) {
            Some(raw) => raw.to_string(),
            None => url_of_parts(url),
        },
        _ => String::new(),
    }
}

/// A URL with Postman's path variables (`/apis/:apiId`) replaced by the
/// values its `url.variable` list gives; those without one (or with an
/// empty one) kept as written.
fn with_path_variables(url: &str, variables: &Value) -> String {
    let values = enabled_pairs(variables, "key");
    let (path, query) = url.split_at(url.find('?').unwrap_or(url.len()));
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| {
            segment
                .strip_prefix(':')
                .and_then(|name| {
                    values
                        .iter()
                        .find(|(key, value)| *key == name && !value.is_empty())
                })
                .map_or(segment, |(_, value)| *value)
        })
        .collect();
    path.join("/") + query
}

fn url_of_parts(url: &Value) -> String {
    let joined = |value: &Value, separator: &str| match value {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.as_str().or_else(|| p.get("value")?.as_str()))
            .collect::<Vec<_>>()
            .join(separator),
        _ => String::new(),
    };
    let mut out = String::new();
    if let Some(protocol) = url["protocol"].as_str() {
        out.push_str(protocol);
        out.push_str("://");
    }
    out.push_str(&joined(&url["host"], "."));
    if let Some(port) = url["port"].as_str() {
        out.push(':');
        out.push_str(port);
    }
    out.push('/');
    out.push_str(&joined(&url["path"], "/"));
    let query: Vec<String> = enabled_pairs(&url["query"], "key")
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::Bearer;
    use serde_json::json;

    #[test]
    fn folders_variables_and_inherited_auth() {
        let collection = json!({
            "info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
            "variable": [
                {"key": "host", "value": "https://anypoint.mulesoft.com"},
                {"key": "orgId", "value": "o-1"},
                {"key": "off", "value": "x", "disabled": true}
            ],
            "item": [
                {"name": "Apps", "item": [
                    {"name": "List", "request": {"method": "get", "url": {
                        "raw": "{{host}}/exchange/api/v2/organizations/{{orgId}}/applications?limit=5",
                        "host": ["{{host}}"], "path": ["exchange"]}}},
                    {"name": "Public", "request": {"method": "GET", "auth": {"type": "noauth"},
                        "url": "{{host}}/accounts/api/{{envId}}/{{off}}"}}
                ]},
                {"name": "Parts", "request": {"method": "POST", "url": {
                    "protocol": "https", "host": ["anypoint", "mulesoft", "com"],
                    "path": ["graph", "api", "v2", "graphql"],
                    "query": [{"key": "a", "value": "1"}, {"key": "b", "value": "2", "disabled": true}]},
                    "body": {"mode": "graphql", "graphql": {"query": "{ assets { id } }"}}}},
                {"name": "Bare", "request": "https://example.com/x"},
                {"name": "Path variables", "request": {"method": "GET", "url": {
                    "raw": "https://anypoint.mulesoft.com/apimanager/api/v1/organizations/:org/apis/:apiId?x=:y",
                    "variable": [{"key": "org", "value": "o-2"}, {"key": "apiId", "value": ""}]}}},
                {"name": "Empty"}
            ]
        });
        let traffic = read(collection, "c.json");
        let calls = &traffic.calls;
        assert_eq!(calls.len(), 5, "{calls:#?}");
        assert_eq!(calls[0].at, r#"c.json: item "Apps / List""#);
        assert_eq!(calls[0].method, "GET");
        assert_eq!(
            calls[0].url,
            "https://anypoint.mulesoft.com/exchange/api/v2/organizations/o-1/applications?limit=5"
        );
        assert!(calls[0].anypoint && !calls[0].templated);
        assert_eq!(calls[0].bearer, Bearer::Sent { token: None });
        assert_eq!(
            calls[1].bearer,
            Bearer::None,
            "noauth overrides the collection's"
        );
        assert!(calls[1].templated, "{{envId}} and a disabled variable stay");
        assert_eq!(calls[1].path, "/accounts/api/{{envId}}/{{off}}");
        assert_eq!(
            calls[2].url,
            "https://anypoint.mulesoft.com/graph/api/v2/graphql?a=1"
        );
        assert_eq!(calls[2].graphql_operation.as_deref(), Some("assets"));
        assert!(!calls[3].anypoint);
        assert_eq!(
            calls[4].path,
            "/apimanager/api/v1/organizations/o-2/apis/:apiId"
        );
        assert_eq!(calls[4].query, [("x".into(), ":y".into())]);
        assert!(calls[4].templated, "a path variable without a value");
        assert_eq!(traffic.skipped.len(), 1);
    }
}
