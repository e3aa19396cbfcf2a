//! HAR 1.2 files (browsers' developer tools, mitmproxy, this tool's
//! `--har`) read into calls: each entry's request, its answer (status, the
//! platform's message and transaction id, an empty list), and which token it
//! sent, matched to the token call that obtained it.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use serde_json::Value;

use super::graphql;
use super::model::{
    Answer, Bearer, Call, Format, Skipped, TokenSeen, Traffic, Unreadable, host_name,
};
use crate::har::REDACTED;
use crate::secret::forms::MASK;

/// The paths of the token call (reference §2; `/accounts/oauth2/token` is the older one).
const TOKEN_PATHS: [&str; 2] = ["/accounts/api/v2/oauth2/token", "/accounts/oauth2/token"];

/// How the simulator signs its answers (`anypoint-sim`'s platform headers):
/// a loopback host that answers with it stands for a control plane.
const SIMULATOR_SERVER: &str = "anypoint-doctor-sim";

/// The most of a platform message a call keeps.
const MESSAGE_CHARS: usize = 300;

/// The keys a page of a list carries beside its items; a body with only
/// these and empty lists lists nothing.
const PAGING_KEYS: [&str; 8] = [
    "total",
    "totalCount",
    "total_count",
    "count",
    "offset",
    "limit",
    "pageSize",
    "size",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: Option<String>,
    request: Request,
    response: Option<Response>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    text: Option<String>,
    #[serde(default)]
    params: Vec<NameValue>,
}

#[derive(Deserialize)]
struct Response {
    status: i64,
    #[serde(default)]
    headers: Vec<NameValue>,
    content: Option<Content>,
}

#[derive(Deserialize)]
struct Content {
    text: Option<String>,
    /// `base64` for a body kept as bytes: not decoded, so not read.
    encoding: Option<String>,
}

fn header<'a>(headers: &'a [NameValue], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Reads a HAR document (`log.entries` checked by `detect`).
pub fn read(mut document: Value, file: &str) -> Result<Traffic, Unreadable> {
    let Value::Array(raw) = document["log"]["entries"].take() else {
        return Err(Unreadable::HarEntries);
    };
    drop(document);
    let mut skipped = Vec::new();
    let mut entries = Vec::new();
    for (i, raw) in raw.into_iter().enumerate() {
        let at = format!("{file}#entry {}", i + 1);
        match serde_json::from_value::<Entry>(raw) {
            Ok(entry) => entries.push((at, entry)),
            Err(e) => skipped.push(Skipped {
                at,
                // Not serde's words: they quote the value they refused,
                // which may be a body with a secret in it.
                reason: format!(
                    "not a HAR entry (at line {}, column {} of the entry: expected request.method, request.url, and lists of headers)",
                    e.line(),
                    e.column()
                ),
            }),
        }
    }
    // The tokens live only in this map, to match each request's header to
    // the call that obtained it; they leave with it.
    let mut token_of: HashMap<String, usize> = HashMap::new();
    let mut tokens = Vec::new();
    let mut calls: Vec<Call> = entries
        .iter()
        .map(|(at, entry)| {
            let call = call_of(entry, at.clone());
            if let Some((seen, token)) = token_obtained(&call, entry) {
                if let Some(token) = token.filter(|t| !is_masked(t)) {
                    token_of.insert(token, tokens.len());
                }
                tokens.push(seen);
            }
            call
        })
        .collect();
    for (call, (_, entry)) in calls.iter_mut().zip(&entries) {
        if let Some(sent) = header(&entry.request.headers, "authorization").and_then(bearer_token) {
            call.bearer = Bearer::Sent {
                token: token_of.get(sent).copied(),
            };
        }
    }
    drop(token_of);
    let simulators: BTreeSet<String> = calls
        .iter()
        .zip(&entries)
        .filter(|(call, (_, entry))| {
            call.host.as_deref().is_some_and(is_loopback)
                && entry
                    .response
                    .as_ref()
                    .is_some_and(|r| header(&r.headers, "server") == Some(SIMULATOR_SERVER))
        })
        .filter_map(|(call, _)| call.host.clone())
        .collect();
    for call in &mut calls {
        if call.host.as_ref().is_some_and(|h| simulators.contains(h)) {
            call.anypoint = true;
        }
    }
    let mut names = Vec::new();
    let mut roots = Vec::new();
    for (call, (_, entry)) in calls.iter().zip(&entries) {
        if call.path.starts_with("/accounts/api/")
            && let Some(body) = entry.response.as_ref().and_then(json_body)
        {
            names_in(&body, &mut names, &mut roots);
        }
    }
    Ok(Traffic {
        format: Format::Har,
        calls,
        tokens,
        skipped,
        names,
        roots,
    })
}

/// A 200 answer's JSON body, when it has one in plain text.
fn json_body(response: &Response) -> Option<Value> {
    let text = response
        .content
        .as_ref()
        .filter(|c| response.status == 200 && c.encoding.is_none())?
        .text
        .as_deref()?;
    serde_json::from_str(text).ok()
}

/// Every object in `body` with a UUID `id` and a `name` (an organization,
/// a business group, an environment), each id once; and the ids of those
/// that say they are a root organization (`isRoot: true`).
fn names_in(body: &Value, into: &mut Vec<(String, String)>, roots: &mut Vec<String>) {
    match body {
        Value::Object(fields) => {
            if let (Some(Value::String(id)), Some(Value::String(name))) =
                (fields.get("id"), fields.get("name"))
                && is_uuid(id)
            {
                if !into.iter().any(|(known, _)| known == id) {
                    into.push((id.clone(), name.clone()));
                }
                if fields.get("isRoot") == Some(&Value::Bool(true)) && !roots.contains(id) {
                    roots.push(id.clone());
                }
            }
            fields.values().for_each(|v| names_in(v, into, roots));
        }
        Value::Array(items) => items.iter().for_each(|v| names_in(v, into, roots)),
        _ => {}
    }
}

/// `8-4-4-4-12` hexadecimal digits, as Access Management writes ids.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn call_of(entry: &Entry, at: String) -> Call {
    let request = &entry.request;
    let mut call = Call::new(&request.method, &request.url, at);
    call.sent_by(header(&request.headers, "user-agent"));
    call.started = entry.started_date_time.clone();
    if let Some(body) = request.post_data.as_ref().and_then(|p| p.text.as_deref()) {
        call.read_body_ids(body);
    }
    if call.is_graphql() {
        call.graphql_operation = match request.post_data.as_ref().and_then(|p| p.text.as_deref()) {
            Some(body) => graphql::operation_of_body(body),
            None => graphql::operation_of_query(&call.query),
        };
    }
    call.answer = entry
        .response
        .as_ref()
        .and_then(|response| answer_of(response, &call));
    call
}

/// The token an `Authorization` header sends, for `Bearer` only.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A token the writer of the file replaced: this tool's `--har` stand-in
/// or its output mask; nothing can match it.
fn is_masked(token: &str) -> bool {
    token.contains(REDACTED) || token.contains(MASK)
}

/// A token call that succeeded: what is known of the token, and the token
/// itself for matching (None when the answer does not hold it).
fn token_obtained(call: &Call, entry: &Entry) -> Option<(TokenSeen, Option<String>)> {
    if call.method != "POST" || !TOKEN_PATHS.iter().any(|p| call.path.ends_with(p)) {
        return None;
    }
    let response = entry.response.as_ref()?;
    if !(200..300).contains(&response.status) {
        return None;
    }
    let body: Value = serde_json::from_str(response.content.as_ref()?.text.as_deref()?).ok()?;
    let token = body.get("access_token")?.as_str().map(str::to_string);
    let expires_in = match body.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    let seen = TokenSeen {
        host: call.host.clone(),
        obtained: call.started.clone(),
        expires_in,
        client_id: entry.request.post_data.as_ref().and_then(client_id),
        at: call.at.clone(),
    };
    Some((seen, token))
}

/// The `client_id` a token call sent: JSON, a form, or HAR's `params`.
fn client_id(post: &PostData) -> Option<String> {
    let from_params = || {
        post.params
            .iter()
            .find(|p| p.name == "client_id")
            .map(|p| p.value.clone())
    };
    let text = post.text.as_deref().unwrap_or("");
    let from_text = || match serde_json::from_str::<Value>(text) {
        Ok(body) => body
            .get("client_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        Err(_) => url::form_urlencoded::parse(text.as_bytes())
            .find(|(name, _)| name == "client_id")
            .map(|(_, value)| value.into_owned()),
    };
    from_params()
        .or_else(from_text)
        .filter(|id| !id.is_empty() && !is_masked(id))
}

/// The answer, when one came (a status of 0 or below is HAR's "none").
fn answer_of(response: &Response, call: &Call) -> Option<Answer> {
    let status = u16::try_from(response.status).ok().filter(|s| *s > 0)?;
    let text = response
        .content
        .as_ref()
        .filter(|c| c.encoding.is_none())
        .and_then(|c| c.text.as_deref())
        .unwrap_or("");
    let body = serde_json::from_str::<Value>(text).ok();
    let transaction_id = header(&response.headers, "x-anypnt-trx-id")
        .map(str::to_string)
        .or_else(|| {
            body.as_ref()
                .and_then(|b| b.get("X-ANYPNT-TRX-ID"))
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    let message = match &body {
        Some(body) if status >= 400 || has_errors(body) => message_of(body),
        None if status >= 400 => plain_message(text),
        _ => None,
    };
    let list_read = call.method == "GET" || call.is_graphql();
    Some(Answer {
        status,
        message,
        transaction_id,
        empty_list: status == 200 && list_read && body.as_ref().is_some_and(is_empty_list),
    })
}

/// A GraphQL answer's errors come with a 200.
fn has_errors(body: &Value) -> bool {
    body.get("errors")
        .and_then(Value::as_array)
        .is_some_and(|e| !e.is_empty())
}

/// Reference §5's rule: `message`, then `errors[0].message`, then
/// `error_description` or `error` (a string, or an object's `message`),
/// then `statusMessage`.
fn message_of(body: &Value) -> Option<String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(capped);
    text(body.get("message"))
        .or_else(|| text(body.pointer("/errors/0/message")))
        .or_else(|| text(body.get("error_description")))
        .or_else(|| text(body.get("error")))
        .or_else(|| text(body.pointer("/error/message")))
        .or_else(|| text(body.get("statusMessage")))
}

/// A text body's message: its first line, unless it is a page of HTML.
fn plain_message(text: &str) -> Option<String> {
    let line = text.trim().lines().next()?.trim();
    (!line.is_empty() && !line.starts_with('<')).then(|| capped(line))
}

fn capped(text: &str) -> String {
    text.trim().chars().take(MESSAGE_CHARS).collect()
}

/// `[]`, or an object of empty lists and paging counts with no count above
/// zero (`{"data": [], "total": 0}`), or GraphQL's `{"data": {…}}` of one.
fn is_empty_list(body: &Value) -> bool {
    match body {
        Value::Array(items) => items.is_empty(),
        Value::Object(fields) => {
            if let (1, Some(data @ Value::Object(_))) = (fields.len(), fields.get("data")) {
                return is_empty_list(data);
            }
            let mut lists = 0;
            for (key, value) in fields {
                match value {
                    Value::Array(items) if items.is_empty() => lists += 1,
                    Value::Number(n) if PAGING_KEYS.contains(&key.as_str()) => {
                        if key.starts_with("total") && n.as_f64() != Some(0.0) {
                            return false;
                        }
                    }
                    _ => return false,
                }
            }
            lists > 0
        }
        _ => false,
    }
}

fn is_loopback(host: &str) -> bool {
    let name = host_name(host);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(method: &str, url: &str, headers: Value, status: i64, body: &str) -> Value {
        json!({
            "startedDateTime": "2026-12-07T10:00:00.000Z",
            "request": {"method": method, "url": url, "headers": headers},
            "response": {"status": status, "headers": [{"name": "X-Anypnt-Trx-Id", "value": "trx-1"}],
                         "content": {"text": body}}
        })
    }

    fn har(entries: Vec<Value>) -> Traffic {
        read(
            json!({"log": {"version": "1.2", "entries": entries}}),
            "t.har",
        )
        .unwrap()
    }

    const HOST: &str = "https://anypoint.mulesoft.com";

    #[test]
    fn an_entry_that_is_not_one_is_skipped_without_quoting_its_values() {
        let secret = "client_secret=s3cr3t-value-not-to-show";
        let traffic = har(vec![json!({
            "startedDateTime": "2026-12-07T10:00:00Z",
            "request": {"method": "POST", "url": format!("{HOST}/accounts/api/v2/oauth2/token"),
                        "headers": [], "postData": secret},
        })]);
        assert_eq!(traffic.skipped.len(), 1);
        assert!(
            !format!("{traffic:?}").contains("s3cr3t"),
            "{:?}",
            traffic.skipped
        );
    }

    #[test]
    fn a_token_is_matched_to_the_calls_that_send_it_and_kept_nowhere() {
        let token = "0d3c9a8e-5b1f-4c2e-9a7d-1e2f3a4b5c6d";
        let traffic = har(vec![
            json!({
                "startedDateTime": "2026-12-07T10:00:00.000Z",
                "request": {"method": "POST", "url": format!("{HOST}/accounts/api/v2/oauth2/token"), "headers": [],
                            "postData": {"mimeType": "application/x-www-form-urlencoded",
                                         "text": "grant_type=client_credentials&client_id=app-1&client_secret=shh-very-secret"}},
                "response": {"status": 200, "headers": [],
                             "content": {"text": format!(r#"{{"access_token":"{token}","expires_in":3600}}"#)}}
            }),
            entry(
                "GET",
                &format!("{HOST}/accounts/api/me"),
                json!([{"name": "Authorization", "value": format!("Bearer {token}")}]),
                200,
                "{}",
            ),
            entry(
                "GET",
                &format!("{HOST}/accounts/api/me"),
                json!([{"name": "authorization", "value": "Bearer another-token-entirely"}]),
                401,
                "Unauthorized",
            ),
            entry(
                "GET",
                &format!("{HOST}/accounts/api/me"),
                json!([]),
                401,
                "",
            ),
        ]);
        assert_eq!(
            traffic.tokens,
            [TokenSeen {
                host: Some("anypoint.mulesoft.com".into()),
                obtained: Some("2026-12-07T10:00:00.000Z".into()),
                expires_in: Some(3600),
                client_id: Some("app-1".into()),
                at: "t.har#entry 1".into(),
            }]
        );
        let bearers: Vec<Bearer> = traffic.calls.iter().map(|c| c.bearer).collect();
        assert_eq!(
            bearers,
            [
                Bearer::None,
                Bearer::Sent { token: Some(0) },
                Bearer::Sent { token: None },
                Bearer::None
            ]
        );
        assert_eq!(
            traffic.calls[2].answer.as_ref().unwrap().message.as_deref(),
            Some("Unauthorized")
        );
        let shown = format!("{traffic:?}");
        for secret in [token, "shh-very-secret", "another-token-entirely"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn a_masked_token_is_seen_but_matches_nothing() {
        let masked = format!("Bearer {REDACTED}");
        let traffic = har(vec![
            entry(
                "POST",
                &format!("{HOST}/accounts/api/v2/oauth2/token"),
                json!([]),
                200,
                &format!(r#"{{"access_token":"{REDACTED}","expires_in":3600}}"#),
            ),
            entry(
                "GET",
                &format!("{HOST}/accounts/api/me"),
                json!([{"name": "authorization", "value": masked}]),
                200,
                "{}",
            ),
        ]);
        assert_eq!(traffic.tokens.len(), 1);
        assert_eq!(traffic.calls[1].bearer, Bearer::Sent { token: None });
    }

    #[test]
    fn error_bodies_give_the_platforms_message() {
        let cases = [
            (
                r#"{"message":"You are not authorized to perform this action"}"#,
                "You are not authorized to perform this action",
            ),
            (
                r#"{"errors":[{"message":"invalid limit"}]}"#,
                "invalid limit",
            ),
            (
                r#"{"error":"invalid_client","error_description":"Bad credentials"}"#,
                "Bad credentials",
            ),
            (r#"{"error":{"message":"nested"}}"#, "nested"),
            (
                r#"{"status":"failure","statusMessage":"Forbidden"}"#,
                "Forbidden",
            ),
            ("Unauthorized\n", "Unauthorized"),
        ];
        for (body, message) in cases {
            let traffic = har(vec![entry(
                "GET",
                &format!("{HOST}/x"),
                json!([]),
                403,
                body,
            )]);
            let answer = traffic.calls[0].answer.clone().unwrap();
            assert_eq!(answer.message.as_deref(), Some(message), "{body}");
            assert_eq!(answer.transaction_id.as_deref(), Some("trx-1"));
        }
        let html = har(vec![entry(
            "GET",
            &format!("{HOST}/x"),
            json!([]),
            502,
            "<html>bad gateway</html>",
        )]);
        assert_eq!(html.calls[0].answer.as_ref().unwrap().message, None);
        let ok = har(vec![entry(
            "GET",
            &format!("{HOST}/x"),
            json!([]),
            200,
            r#"{"message":"fine"}"#,
        )]);
        assert_eq!(
            ok.calls[0].answer.as_ref().unwrap().message,
            None,
            "a 200's message is no error"
        );
    }

    #[test]
    fn empty_lists_are_told_from_lists_and_records() {
        for (body, empty) in [
            ("[]", true),
            (r#"{"data":[]}"#, true),
            (r#"{"assets":[],"total":0}"#, true),
            (
                r#"{"applications":[],"total":0,"offset":0,"limit":100}"#,
                true,
            ),
            (r#"{"data":{"assets":[]}}"#, true),
            (r#"{"assets":[],"total":12}"#, false),
            (r#"[{"id":1}]"#, false),
            (r#"{"id":5,"tags":[]}"#, false),
            (r#"{"total":0}"#, false),
        ] {
            let traffic = har(vec![entry(
                "GET",
                &format!("{HOST}/x"),
                json!([]),
                200,
                body,
            )]);
            assert_eq!(
                traffic.calls[0].answer.as_ref().unwrap().empty_list,
                empty,
                "{body}"
            );
        }
        let created = har(vec![entry(
            "POST",
            &format!("{HOST}/x"),
            json!([]),
            200,
            "[]",
        )]);
        assert!(
            !created.calls[0].answer.as_ref().unwrap().empty_list,
            "not a list read"
        );
    }

    #[test]
    fn the_simulator_on_loopback_counts_as_a_control_plane_and_own_probes_are_flagged() {
        let mut sim = entry(
            "GET",
            "http://127.0.0.1:8081/accounts/api/me",
            json!([{"name": "user-agent", "value": "anypoint-doctor/0.1.0"}]),
            200,
            "{}",
        );
        sim["response"]["headers"] = json!([{"name": "server", "value": SIMULATOR_SERVER}]);
        let traffic = har(vec![
            sim,
            entry("GET", "http://127.0.0.1:8081/other", json!([]), 0, ""),
            entry(
                "GET",
                "http://localhost:9000/accounts/api/me",
                json!([]),
                200,
                "{}",
            ),
            entry(
                "GET",
                "https://example.com/",
                json!([{"name": "User-Agent", "value": "curl/8"}]),
                200,
                "",
            ),
            json!({"request": {"method": "GET"}}),
        ]);
        let flags: Vec<(bool, bool)> = traffic.calls.iter().map(|c| (c.anypoint, c.own)).collect();
        assert_eq!(
            flags,
            [(true, true), (true, false), (false, false), (false, false)]
        );
        assert_eq!(traffic.calls[1].answer, None, "status 0: no answer");
        assert_eq!(traffic.skipped.len(), 1);
        assert_eq!(traffic.skipped[0].at, "t.har#entry 5");
    }

    #[test]
    fn graphql_calls_name_their_operation() {
        let mut post = entry(
            "POST",
            &format!("{HOST}/graph/api/v2/graphql"),
            json!([]),
            200,
            r#"{"data":{"assets":[]}}"#,
        );
        post["request"]["postData"] = json!({"mimeType": "application/json",
            "text": r#"{"query":"query ($q: String) { assets(query: $q) { assetId } }"}"#});
        let traffic = har(vec![post]);
        assert_eq!(
            traffic.calls[0].graphql_operation.as_deref(),
            Some("assets")
        );
        assert!(traffic.calls[0].answer.as_ref().unwrap().empty_list);
    }
}
