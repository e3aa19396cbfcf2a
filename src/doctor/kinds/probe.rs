//! Probes and the reading of answers shared by every kind: what counts as
//! authorised, forbidden, retired, or "could not check" (network, 429, 5xx,
//! an unreadable body), each with its one-line summary and fix.

use crate::doctor::codes::Reason;
use crate::doctor::context::Recorder;
use crate::doctor::outcome::Status;
use crate::doctor::path_vars::{MissingVar, PathVars};
use crate::doctor::spec::ProbeSpec;
use crate::doctor::verdict::Verdict;
use crate::platform::ProbeMethod;
use crate::platform::{Answer, Reply, Request, TransportError};
use crate::scan::rules::{Rule, Rules};

/// What a probe's answer means.
#[derive(Debug, Clone)]
pub enum Reading {
    /// The call was allowed (for a write probe: refused as invalid, not as forbidden).
    Authorized {
        status: u16,
        list: Option<Listed>,
    },
    /// An answer that says nothing about scopes: a 404 may come from a lookup
    /// made before the scope is checked.
    Inconclusive {
        status: u16,
        message: String,
    },
    Forbidden {
        status: u16,
        message: String,
    },
    /// 404 or 410 on a path a scan rule knows as retired; the rule says what to use instead.
    Retired {
        rule: &'static Rule,
    },
    /// A write probe the server accepted: it was meant to be rejected.
    Accepted {
        status: u16,
    },
}

/// What a read probe's list held, and whose its items are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub len: usize,
    /// Items owned by the app itself (`owners[]`: entityType client, its client id).
    pub own: usize,
    /// Items with an owner that is someone else.
    pub foreign: usize,
}

/// `METHOD …/last-segment`, for summaries; the full URL is in the evidence.
pub fn describe(method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    match path.trim_end_matches('/').rsplit_once('/') {
        Some((_, last)) if !last.is_empty() => format!("{method} …/{last}"),
        _ => format!("{method} {path}"),
    }
}

fn describe_answer(answer: &Answer) -> String {
    let path = answer
        .evidence
        .url
        .find("://")
        .and_then(|scheme| {
            answer.evidence.url[scheme + 3..]
                .find('/')
                .map(|p| scheme + 3 + p)
        })
        .map(|at| &answer.evidence.url[at..])
        .unwrap_or(&answer.evidence.url);
    describe(&answer.evidence.method, path)
}

/// The reply, or the verdict for an answer that says nothing about
/// permissions: no answer, a rate limit, or a server error.
pub fn reply(answer: &Answer) -> Result<&Reply, Verdict> {
    match unavailable(answer) {
        Some(verdict) => Err(verdict),
        None => Ok(answer
            .result
            .as_ref()
            .expect("unavailable() covers transport errors")),
    }
}

fn unavailable(answer: &Answer) -> Option<Verdict> {
    let mut call = describe_answer(answer);
    if answer.evidence.attempts > 1 {
        call.push_str(&format!(", after {} attempts", answer.evidence.attempts));
    }
    let host = reqwest::Url::parse(&answer.evidence.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    match &answer.result {
        Err(TransportError::Timeout(secs)) => Some(
            Verdict::new(Reason::NetTimeout, Status::Error, format!("no answer from {host} within {secs} s ({call})"))
                .fix("Check the network path to the control plane (proxy settings HTTPS_PROXY / NO_PROXY, firewall), or raise --timeout."),
        ),
        Err(e @ TransportError::Connect(_)) => Some(
            Verdict::new(Reason::NetUnreachable, Status::Error, format!("could not reach {host} ({call}): {e}"))
                .fix("Check --host / --region, DNS, the proxy (HTTPS_PROXY / NO_PROXY) and the firewall; this is a network problem, not a credentials problem."),
        ),
        // Connected, then the connection broke (reset, closed mid-answer): the
        // host is right, the path to it is not steady.
        Err(e) => Some(
            Verdict::new(Reason::NetUnreachable, Status::Error, format!("the connection to {host} broke ({call}): {e}"))
                .fix(CUT_SHORT_FIX),
        ),
        Ok(reply) if reply.throttled => Some(
            Verdict::new(
                Reason::RateLimited,
                Status::Error,
                format!("rate-limited (HTTP {} on {call}); says nothing about scopes", reply.status),
            )
            .fix(throttled_fix(reply)),
        ),
        Ok(reply) if reply.token_stopped => Some(
            Verdict::new(
                Reason::TokenStopped,
                Status::Error,
                format!("the token stopped working mid-run (HTTP 401 on {call}, also with a new token); says nothing about scopes"),
            )
            .fix("Run again. If it keeps happening, check whether the app's secret was rotated or its tokens revoked (Access Management > Connected Apps), and the org's session timeout."),
        ),
        Ok(reply) if reply.status >= 500 => Some(
            Verdict::new(
                Reason::ServerError,
                Status::Error,
                format!("the platform answered HTTP {} on {call}: {}", reply.status, reply.platform_message()),
            )
            .fix(server_error_fix(answer)),
        ),
        Ok(_) => None,
    }
}

fn throttled_fix(reply: &Reply) -> String {
    let when = match reply.retry_after {
        Some(wait) if wait.as_secs() > 0 => format!("in {} s (X-RateLimit-Reset)", wait.as_secs()),
        _ => "in a minute".into(),
    };
    format!(
        "Run again {when}, or lower --concurrency; the platform limits requests per path and minute."
    )
}

fn server_error_fix(answer: &Answer) -> String {
    match &answer.evidence.trx_id {
        Some(trx) => {
            format!("Retry later; if it persists, give MuleSoft support the transaction id {trx}.")
        }
        None => "Retry later; if it persists, open a ticket with MuleSoft support.".into(),
    }
}

/// Why a read a check makes beside its main request told it nothing;
/// shown as one line in the check's verdict.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SideRead {
    /// No usable answer: the transport's error, or the verdict the answer got.
    #[error("{0}")]
    NoAnswer(String),
    /// Refused with an HTTP status: `what` says which read (may be empty),
    /// with the platform's message when it is shown.
    #[error("{what}HTTP {status}{}", .message.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Refused {
        what: &'static str,
        status: u16,
        message: Option<String>,
    },
    #[error(transparent)]
    Body(#[from] crate::platform::answer::BodyError),
    /// The answer, or the run, lacks what the read needs.
    #[error("{0}")]
    Lacking(&'static str),
}

/// What to do about an answer the network cut short or broke off.
const CUT_SHORT_FIX: &str = "The connection dropped mid-answer: run again; if it keeps happening, check the proxy or gateway between here and the platform (HTTPS_PROXY / NO_PROXY, a TLS-inspecting proxy, a VPN) and the connection's stability. This is a network problem, not a credentials problem.";

/// The verdict for a body that could not be read as expected.
pub fn unreadable(answer: &Answer, reason: &dyn std::fmt::Display) -> Verdict {
    let verdict = Verdict::new(
        Reason::UnexpectedAnswer,
        Status::Error,
        format!("unexpected answer to {}: {reason}", describe_answer(answer)),
    );
    if cut_short(answer) {
        return verdict.fix(CUT_SHORT_FIX);
    }
    verdict.fix("Check that --host points at an Anypoint control plane and no proxy rewrites the answer; run again with -v to see the request.")
}

/// JSON that ends before it is complete: the answer was cut on the way (the
/// doctor's own size cap is told apart by `Reply::truncated`), not a host
/// that speaks something else.
fn cut_short(answer: &Answer) -> bool {
    matches!(&answer.result, Ok(reply)
        if !reply.truncated
            && !reply.body.iter().all(u8::is_ascii_whitespace)
            && serde_json::from_slice::<serde_json::Value>(&reply.body)
                .is_err_and(|e| e.is_eof()))
}

/// The verdict for a status no kind expected.
pub fn unexpected_status(answer: &Answer, reply: &Reply) -> Verdict {
    unreadable(
        answer,
        &format!("HTTP {}: {}", reply.status, reply.platform_message()),
    )
}

/// The request a probe spec describes, with its placeholders filled.
pub fn request(probe: &ProbeSpec, vars: &PathVars) -> Result<Request, MissingVar> {
    let path = vars.fill(&probe.path)?;
    Ok(match probe.method {
        ProbeMethod::Get => Request::get(path),
        ProbeMethod::Post => {
            Request::post_json(path, probe.body.clone().unwrap_or_else(|| "{}".into()))
        }
    })
}

/// Sends a probe (once per run) and reads its answer.
pub async fn send(
    recorder: &mut Recorder<'_>,
    probe: &ProbeSpec,
    vars: &PathVars,
) -> Result<Reading, Verdict> {
    let request = request(probe, vars).map_err(|missing| {
        Verdict::new(
            Reason::FactUnknown,
            Status::Skip,
            format!("not run: no value for {missing} in {}", probe.path),
        )
    })?;
    let path = request.path.clone();
    let answer = recorder.fetch(request).await;
    read(&answer, probe, &path, vars.client_id.as_deref())
}

/// Reads a probe's answer; `path` is what was asked for, below the base URL;
/// `client_id` is the app whose own list items prove nothing.
pub fn read(
    answer: &Answer,
    probe: &ProbeSpec,
    path: &str,
    client_id: Option<&str>,
) -> Result<Reading, Verdict> {
    let reply = reply(answer)?;
    let status = reply.status;
    if probe.authorized_statuses().contains(&status) {
        // A proxy's login page or an empty 200 is not the platform saying yes.
        let body: serde_json::Value = reply.json().map_err(|reason| unreadable(answer, &reason))?;
        let list = match &probe.list {
            Some(pointer) => Some(listed(
                answer,
                &body,
                pointer,
                probe.owners.as_deref(),
                client_id,
            )?),
            None => None,
        };
        return Ok(Reading::Authorized { status, list });
    }
    if probe.forbidden.contains(&status) {
        return Ok(Reading::Forbidden {
            status,
            message: reply.platform_message(),
        });
    }
    if probe.is_write() && reply.is_success() {
        // A login page answered with 200 accepted nothing; the platform's own
        // answer to a create is JSON.
        reply
            .json::<serde_json::Value>()
            .map_err(|reason| unreadable(answer, &reason))?;
        return Ok(Reading::Accepted { status });
    }
    // 410 Gone says "retired" outright; a 404 only on a path a rule knows as retired.
    if matches!(status, 404 | 410) {
        if let Some(rule) = Rules::get().retired(probe.method, path) {
            return Ok(Reading::Retired { rule });
        }
        return Ok(Reading::Inconclusive {
            status,
            message: reply.platform_message(),
        });
    }
    Err(unexpected_status(answer, reply))
}

/// The items of a list at a JSON pointer, and whose they are.
fn listed(
    answer: &Answer,
    body: &serde_json::Value,
    pointer: &str,
    owners: Option<&str>,
    client_id: Option<&str>,
) -> Result<Listed, Verdict> {
    let items = body
        .pointer(pointer)
        .and_then(|v| v.as_array())
        .ok_or_else(|| unreadable(answer, &format!("no list at {pointer:?} in the answer")))?;
    let mut seen = Listed {
        len: items.len(),
        own: 0,
        foreign: 0,
    };
    let Some(owners) = owners else {
        return Ok(seen);
    };
    for item in items {
        match owned_by_app(item, owners, client_id) {
            Some(true) => seen.own += 1,
            Some(false) => seen.foreign += 1,
            None => {}
        }
    }
    Ok(seen)
}

/// Whether a listed item is the app's own (its owners, at a JSON pointer in
/// the item, include the client with this id), someone else's, or unknown
/// (no owners named).
pub fn owned_by_app(
    item: &serde_json::Value,
    owners: &str,
    client_id: Option<&str>,
) -> Option<bool> {
    let owners = item.pointer(owners)?.as_array().filter(|o| !o.is_empty())?;
    Some(owners.iter().any(|o| {
        o.get("entityType").and_then(|t| t.as_str()) == Some("client")
            && client_id.is_some_and(|id| o.get("id").and_then(|v| v.as_str()) == Some(id))
    }))
}

/// The number of items at a JSON pointer of the answer ("" for a bare array).
pub fn list_len(answer: &Answer, reply: &Reply, pointer: &str) -> Result<usize, Verdict> {
    let value: serde_json::Value = reply.json().map_err(|reason| unreadable(answer, &reason))?;
    value
        .pointer(pointer)
        .and_then(|v| v.as_array())
        .map(Vec::len)
        .ok_or_else(|| unreadable(answer, &format!("no list at {:?} in the answer", pointer)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Evidence;

    const LIST: &str = "/apiplatform/repository/v2/organizations/o-1/applications";
    const APP: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";

    fn probe(toml: &str) -> ProbeSpec {
        toml::from_str(toml).expect("a probe spec")
    }

    fn answer(method: &str, path: &str, status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            evidence: Evidence {
                at: "2026-12-01T00:00:00.000Z".into(),
                method: method.into(),
                url: format!("https://anypoint.mulesoft.com{path}"),
                status: Some(status),
                elapsed_ms: 1,
                trx_id: None,
                request_id: None,
                attempts: 1,
            },
            result: Ok(Reply::new(
                status,
                Some(content_type.into()),
                body.as_bytes().to_vec(),
            )),
        }
    }

    /// A one-word name of what an answer was read as, for the table below.
    fn reading(result: Result<Reading, Verdict>) -> String {
        match result {
            Ok(Reading::Authorized { list: None, .. }) => "authorized".into(),
            Ok(Reading::Authorized { list: Some(l), .. }) => {
                format!("authorized {} own {} foreign {}", l.len, l.own, l.foreign)
            }
            Ok(Reading::Inconclusive { .. }) => "inconclusive".into(),
            Ok(Reading::Forbidden { .. }) => "forbidden".into(),
            Ok(Reading::Retired { rule }) => format!("retired {}", rule.id),
            Ok(Reading::Accepted { .. }) => "accepted".into(),
            Err(verdict) => format!("{:?}", verdict.reason),
        }
    }

    #[test]
    fn an_answer_reads_as_what_the_platform_said_and_nothing_more() {
        let read_list = probe(&format!(
            "method = \"GET\"\npath = \"{LIST}\"\nlist = \"/applications\"\nowners = \"/owners\""
        ));
        let write = probe(&format!(
            "method = \"POST\"\npath = \"{LIST}\"\nbody = '{{\"name\": \"\"}}'"
        ));
        let json = "application/json";
        let html = "text/html";
        let listed = format!(
            r#"{{"applications": [{{"owners": [{{"entityType": "client", "id": "{APP}"}}]}}, {{"owners": [{{"entityType": "user", "id": "u-1"}}]}}, {{}}]}}"#
        );
        let cases: &[(&str, &ProbeSpec, &str, u16, &str, &str, &str)] = &[
            (
                "a list",
                &read_list,
                LIST,
                200,
                json,
                &listed,
                "authorized 3 own 1 foreign 1",
            ),
            (
                "a login page with 200",
                &read_list,
                LIST,
                200,
                html,
                "<html>Sign in</html>",
                "UnexpectedAnswer",
            ),
            (
                "no list where one should be",
                &read_list,
                LIST,
                200,
                json,
                r#"{"data": []}"#,
                "UnexpectedAnswer",
            ),
            (
                "a 403",
                &read_list,
                LIST,
                403,
                json,
                r#"{"message": "Forbidden"}"#,
                "forbidden",
            ),
            (
                "a 404 on a live path",
                &read_list,
                LIST,
                404,
                json,
                r#"{"message": "Not found"}"#,
                "inconclusive",
            ),
            (
                "a 404 on a retired path",
                &read_list,
                "/exchange/api/v1/organizations/o/environments/e/apis",
                404,
                json,
                "{}",
                "retired scan.exchange-v1-apis",
            ),
            (
                "a 500",
                &read_list,
                LIST,
                500,
                json,
                r#"{"message": "boom"}"#,
                "ServerError",
            ),
            (
                "a 418",
                &read_list,
                LIST,
                418,
                json,
                "{}",
                "UnexpectedAnswer",
            ),
            (
                "a write refused as invalid",
                &write,
                LIST,
                400,
                json,
                r#"{"message": "name"}"#,
                "authorized",
            ),
            (
                "a write refused as forbidden",
                &write,
                LIST,
                403,
                json,
                "{}",
                "forbidden",
            ),
            (
                "a write accepted",
                &write,
                LIST,
                201,
                json,
                r#"{"id": 1}"#,
                "accepted",
            ),
            (
                "a write answered by a login page",
                &write,
                LIST,
                200,
                html,
                "<html/>",
                "UnexpectedAnswer",
            ),
        ];
        for (case, spec, path, status, content_type, body, expected) in cases {
            let method = if spec.is_write() { "POST" } else { "GET" };
            let answer = answer(method, path, *status, content_type, body);
            assert_eq!(
                reading(read(&answer, spec, path, Some(APP))),
                *expected,
                "{case}"
            );
        }
    }

    #[test]
    fn no_answer_and_a_rate_limit_say_nothing_about_scopes() {
        let mut timed_out = answer("GET", LIST, 200, "application/json", "{}");
        timed_out.result = Err(TransportError::Timeout(30));
        assert_eq!(reply(&timed_out).unwrap_err().reason, Reason::NetTimeout);
        let mut refused = answer("GET", LIST, 200, "application/json", "{}");
        refused.result = Err(TransportError::Connect("refused".into()));
        assert_eq!(reply(&refused).unwrap_err().reason, Reason::NetUnreachable);
        let mut throttled = answer("GET", LIST, 429, "application/json", "{}");
        if let Ok(reply) = &mut throttled.result {
            reply.throttled = true;
        }
        let verdict = reply(&throttled).unwrap_err();
        assert_eq!(verdict.reason, Reason::RateLimited);
        assert!(
            verdict.summary.contains("says nothing about scopes"),
            "{}",
            verdict.summary
        );
    }

    #[test]
    fn own_items_are_told_from_others_by_the_client_id() {
        let mine = serde_json::json!({"owners": [{"entityType": "client", "id": APP}]});
        let theirs = serde_json::json!({"owners": [{"entityType": "client", "id": "other"}]});
        let nobody = serde_json::json!({"owners": []});
        assert_eq!(owned_by_app(&mine, "/owners", Some(APP)), Some(true));
        assert_eq!(owned_by_app(&theirs, "/owners", Some(APP)), Some(false));
        assert_eq!(owned_by_app(&mine, "/owners", None), Some(false));
        assert_eq!(owned_by_app(&nobody, "/owners", Some(APP)), None);
    }
}
