//! Insomnia exports (format 4) read into calls: the `request` resources,
//! named by their folders, with `{{ _.name }}` / `{{name}}` taken from the
//! folders' environments, then the export's environment.

use std::collections::HashMap;

use serde_json::Value;

use super::collection::{Saved, call_of, enabled_pairs};
use super::model::{Format, Skipped, Traffic, Unreadable};

/// Reads an export (`_type: "export"`, format 4, checked by `detect`).
pub fn read(document: Value, file: &str) -> Result<Traffic, Unreadable> {
    let Some(resources) = document["resources"].as_array() else {
        return Err(Unreadable::InsomniaResources);
    };
    let by_id: HashMap<&str, &Value> = resources
        .iter()
        .filter_map(|r| Some((r["_id"].as_str()?, r)))
        .collect();
    let environment = environment(resources, &by_id);
    let mut traffic = Traffic {
        format: Format::Insomnia,
        calls: Vec::new(),
        tokens: Vec::new(),
        skipped: Vec::new(),
        names: Vec::new(),
        roots: Vec::new(),
    };
    for resource in resources {
        let kind = resource["_type"].as_str().unwrap_or("");
        if !kind.ends_with("request") || kind == "request_group" {
            continue;
        }
        let folders = folders_of(resource, &by_id);
        let mut names: Vec<&str> = folders
            .iter()
            .rev()
            .map(|f| f["name"].as_str().unwrap_or("(unnamed)"))
            .collect();
        names.push(resource["name"].as_str().unwrap_or("(unnamed)"));
        let at = format!("{file}: request {:?}", names.join(" / "));
        let url = resource["url"].as_str().unwrap_or("");
        if kind != "request" || url.trim().is_empty() {
            traffic.skipped.push(Skipped {
                at,
                reason: if kind == "request" {
                    "a request without a URL".into()
                } else {
                    format!("a {kind}, not an HTTP request")
                },
            });
            continue;
        }
        // The innermost folder's environment first, the export's last.
        let scopes: Vec<&Value> = folders
            .iter()
            .map(|f| &f["environment"])
            .chain([&environment])
            .collect();
        let lookup = |name: &str| scopes.iter().find_map(|data| value_at(data, name));
        let auth = &resource["authentication"];
        let saved = Saved {
            method: resource["method"].as_str().unwrap_or("GET"),
            url,
            headers: enabled_pairs(&resource["headers"], "name"),
            bearer_auth: auth["disabled"] != Value::Bool(true)
                && matches!(auth["type"].as_str(), Some("bearer" | "oauth2")),
            body: resource["body"]["text"].as_str(),
            at,
        };
        traffic.calls.push(call_of(saved, &lookup));
    }
    Ok(traffic)
}

/// The request groups a resource is in, innermost first.
fn folders_of<'a>(resource: &Value, by_id: &HashMap<&str, &'a Value>) -> Vec<&'a Value> {
    let mut folders = Vec::new();
    let mut parent = resource["parentId"].as_str();
    while let Some(folder) = parent
        .and_then(|id| by_id.get(id))
        .filter(|r| r["_type"] == "request_group")
    {
        if folders.len() > by_id.len() {
            break; // a parent loop in a hand-edited file
        }
        folders.push(*folder);
        parent = folder["parentId"].as_str();
    }
    folders
}

/// The export's environment: the base environments' data (those under the
/// workspace), overlaid by a sub-environment's when the export has exactly
/// one; with several, which one was active is not in the file, so only the
/// base's values are put in.
fn environment(resources: &[Value], by_id: &HashMap<&str, &Value>) -> Value {
    let environments: Vec<&Value> = resources
        .iter()
        .filter(|r| r["_type"] == "environment")
        .collect();
    let is_sub = |env: &Value| {
        env["parentId"]
            .as_str()
            .and_then(|id| by_id.get(id))
            .is_some_and(|parent| parent["_type"] == "environment")
    };
    let mut merged = serde_json::Map::new();
    let (subs, bases): (Vec<&Value>, Vec<&Value>) =
        environments.into_iter().partition(|env| is_sub(env));
    let overlay = if subs.len() == 1 { subs } else { Vec::new() };
    for env in bases.into_iter().chain(overlay) {
        if let Some(data) = env["data"].as_object() {
            merged.extend(data.clone());
        }
    }
    Value::Object(merged)
}

/// `data`'s value at a dotted name (`anypoint.host`), as text.
fn value_at(data: &Value, name: &str) -> Option<String> {
    let value = data
        .get(name)
        .or_else(|| name.split('.').try_fold(data, |v, key| v.get(key)))?;
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::traffic::Bearer;
    use serde_json::json;

    #[test]
    fn requests_with_folders_and_environments() {
        let export = json!({
            "_type": "export", "__export_format": 4,
            "resources": [
                {"_id": "wrk_1", "_type": "workspace", "name": "W"},
                {"_id": "env_base", "_type": "environment", "parentId": "wrk_1",
                 "data": {"base_url": "https://anypoint.mulesoft.com", "org": {"id": "o-1"}}},
                {"_id": "env_eu", "_type": "environment", "parentId": "env_base",
                 "data": {"base_url": "https://eu1.anypoint.mulesoft.com"}},
                {"_id": "fld_1", "_type": "request_group", "parentId": "wrk_1", "name": "API Manager",
                 "environment": {"env": "e-9"}},
                {"_id": "req_1", "_type": "request", "parentId": "fld_1", "name": "List APIs",
                 "method": "GET",
                 "url": "{{ _.base_url }}/apimanager/api/v1/organizations/{{ _.org.id }}/environments/{{env}}/apis",
                 "authentication": {"type": "bearer", "token": "{{ _.token }}"},
                 "headers": [{"name": "User-Agent", "value": "insomnia/2023.5.8"}]},
                {"_id": "req_2", "_type": "request", "parentId": "wrk_1", "name": "Me",
                 "method": "get", "url": "{{ _.base_url }}/accounts/api/me/{% uuid 'v4' %}",
                 "headers": [{"name": "Authorization", "value": "Bearer {{ _.token }}"}]},
                {"_id": "ws_1", "_type": "websocket_request", "parentId": "wrk_1", "name": "Socket",
                 "url": "wss://example.com"}
            ]
        });
        let traffic = read(export, "i.json").unwrap();
        let calls = &traffic.calls;
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].at, r#"i.json: request "API Manager / List APIs""#);
        assert_eq!(
            calls[0].url,
            "https://eu1.anypoint.mulesoft.com/apimanager/api/v1/organizations/o-1/environments/e-9/apis",
            "the one sub-environment overlays the base; the folder's environment applies"
        );
        assert!(!calls[0].own, "another client's user agent");
        assert_eq!(calls[0].bearer, Bearer::Sent { token: None });
        assert_eq!(calls[1].method, "GET");
        assert_eq!(calls[1].bearer, Bearer::Sent { token: None });
        assert!(calls[1].templated, "a template tag stays");
        assert_eq!(traffic.skipped.len(), 1);
        assert!(traffic.skipped[0].reason.contains("websocket_request"));
    }
}
