//! `traffic::read` on whole files: a browser's HAR, a HAR this tool's
//! `check --har` wrote against the simulator, a Postman collection and an
//! Insomnia export; each read into calls, none of their secrets kept.

use std::path::{Path, PathBuf};

use anypoint_doctor::error::TrafficError;
use anypoint_doctor::traffic::{self, Bearer, Call, Format, Traffic};

use crate::support::fs::{ROOT, fixture, temp_dir};
use crate::support::sim::{Sim, world};

/// Secrets the hand-written fixtures hold, as a real export would.
const SECRETS: [&str; 3] = [
    "3f1b2c4d-8e9a-4b7c-a1d2-e3f4a5b6c7d8", // the fresh token
    "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", // the expired one
    "4Bd9F2e7A1c8E3b6D0f5A2c9E7b4D1f8",     // the client secret
];
const CLIENT_ID: &str = "c2a1e0f9d8c7b6a5e4d3c2b1a0f9e8d7";

fn path(name: &str) -> PathBuf {
    Path::new(ROOT).join("tests/fixtures/traffic").join(name)
}

#[track_caller]
fn read(name: &str) -> Traffic {
    let traffic = traffic::read(&path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let shown = format!("{traffic:?}");
    let text = fixture(&format!("traffic/{name}"));
    let held: Vec<&str> = SECRETS.into_iter().filter(|s| text.contains(s)).collect();
    assert!(
        name.starts_with("doctor") || held.len() >= 2,
        "{name} is meant to hold a token and the client secret"
    );
    for secret in held {
        assert!(
            !shown.contains(secret),
            "{secret} kept from {name}: {shown}"
        );
    }
    traffic
}

#[track_caller]
fn call<'a>(traffic: &'a Traffic, path_end: &str, method: &str) -> &'a Call {
    traffic
        .calls
        .iter()
        .find(|c| c.method == method && c.path.ends_with(path_end))
        .unwrap_or_else(|| panic!("no {method} …{path_end} in {:#?}", traffic.calls))
}

#[test]
fn a_browsers_har_gives_answers_tokens_and_refusals() {
    let traffic = read("chrome-anypoint.har");
    assert_eq!(traffic.format, Format::Har);
    assert_eq!(traffic.calls.len(), 9);
    assert!(traffic.skipped.is_empty());
    let obtained: Vec<(Option<&str>, Option<u64>, Option<&str>)> = traffic
        .tokens
        .iter()
        .map(|t| (t.obtained.as_deref(), t.expires_in, t.client_id.as_deref()))
        .collect();
    assert_eq!(
        obtained,
        [
            (
                Some("2026-12-07T08:00:01.120Z"),
                Some(3600),
                Some(CLIENT_ID)
            ),
            (
                Some("2026-12-07T09:05:13.250Z"),
                Some(3600),
                Some(CLIENT_ID)
            ),
        ],
        "a JSON token call and a form-encoded one"
    );
    let bearers: Vec<Bearer> = traffic.calls.iter().map(|c| c.bearer).collect();
    let sent = |k| Bearer::Sent { token: Some(k) };
    assert_eq!(
        bearers,
        [
            Bearer::None,
            sent(0),
            sent(0),
            Bearer::None,
            sent(1),
            sent(1),
            sent(1),
            sent(1),
            Bearer::None
        ]
    );

    // The 401: the first token, sent 65 minutes after it was obtained for 60.
    let expired = &traffic.calls[2];
    let answer = expired.answer.as_ref().unwrap();
    assert_eq!(
        (answer.status, answer.message.as_deref()),
        (401, Some("Unauthorized"))
    );
    assert_eq!(expired.started.as_deref(), Some("2026-12-07T09:05:12.004Z"));
    assert_eq!(
        expired.at,
        format!("{}#entry 3", path("chrome-anypoint.har").display())
    );

    let refused = call(&traffic, "/apis", "GET");
    let answer = refused.answer.as_ref().unwrap();
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.message.as_deref(),
        Some("You do not have permission to access this resource")
    );
    assert_eq!(
        answer.transaction_id.as_deref(),
        Some("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
    );
    assert_eq!(
        refused.query,
        [("limit".into(), "20".into()), ("offset".into(), "0".into())]
    );
    assert!(refused.anypoint && !refused.own, "a browser's request");

    let legacy = call(&traffic, "/applications", "GET");
    assert!(legacy.answer.as_ref().unwrap().empty_list, "{legacy:#?}");
    let environments = &traffic.calls[4];
    assert!(!environments.answer.as_ref().unwrap().empty_list);

    let graphql = call(&traffic, "/graphql", "POST");
    assert_eq!(graphql.graphql_operation.as_deref(), Some("assets"));
    assert!(!graphql.answer.as_ref().unwrap().empty_list);

    let fonts = traffic.calls.last().unwrap();
    assert_eq!(fonts.host.as_deref(), Some("fonts.googleapis.com"));
    assert!(!fonts.anypoint, "kept, marked as not the platform");
}

#[test]
fn a_har_the_doctor_wrote_against_the_simulator_is_all_its_own_probes() {
    // Written by `anypoint-doctor check --har` against `sim --scenario typical-mistakes`.
    let traffic = read("doctor-check-typical-mistakes.har");
    assert_eq!(traffic.calls.len(), 17);
    assert!(
        traffic.calls.iter().all(|c| c.own && c.anypoint),
        "the doctor's probes, to the simulator on loopback: {:#?}",
        traffic.calls
    );
    assert_eq!(traffic.tokens.len(), 1);
    assert_eq!(
        traffic.tokens[0].client_id.as_deref(),
        Some("7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9")
    );
    assert!(
        traffic
            .calls
            .iter()
            .skip(2)
            .all(|c| c.bearer == Bearer::Sent { token: None }),
        "the doctor's HAR masks the token: nothing to match"
    );
    let refusals: Vec<&Call> = traffic
        .calls
        .iter()
        .filter(|c| c.answer.as_ref().is_some_and(|a| a.status == 403))
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:#?}");
    assert!(refusals.iter().all(|c| {
        let answer = c.answer.as_ref().unwrap();
        answer.transaction_id.is_some() && answer.message.is_some()
    }));
    let legacy = call(&traffic, "/applications", "GET");
    assert!(
        legacy.answer.as_ref().unwrap().empty_list,
        "the view scope is missing: {legacy:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_recording_reads_back_as_the_doctors_own_calls() {
    let sim = Sim::start(world("healthy")).await;
    let folder = temp_dir("traffic");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("check.har");
    let run = sim
        .run(&["check", "--har", &file.display().to_string()])
        .await;
    assert!(run.code <= 1, "{run:#?}");
    let traffic = traffic::read(&file).unwrap();
    assert!(!traffic.calls.is_empty());
    assert!(traffic.calls.iter().all(|c| c.own && c.anypoint));
    assert!(!format!("{traffic:?}").contains(&sim.login.client_secret));
    sim.stop().await;
}

#[test]
fn a_postman_collection_resolves_its_variables() {
    let traffic = read("postman-v2.1.json");
    assert_eq!(traffic.format, Format::Postman);
    let at: Vec<&str> = traffic
        .calls
        .iter()
        .map(|c| c.at.rsplit_once(": ").unwrap().1)
        .collect();
    assert_eq!(
        at,
        [
            r#"item "Auth / Get token""#,
            r#"item "API Manager / Production / List APIs""#,
            r#"item "API Manager / Production / Create contract""#,
            r#"item "Exchange search""#,
            r#"item "Slack notice""#,
        ]
    );
    let token = &traffic.calls[0];
    assert_eq!(
        token.url,
        "https://eu1.anypoint.mulesoft.com/accounts/api/v2/oauth2/token"
    );
    assert_eq!(token.bearer, Bearer::None, "its own auth is noauth");
    let list = &traffic.calls[1];
    assert_eq!(
        list.path,
        "/apimanager/api/v1/organizations/5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5/environments/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b/apis"
    );
    assert_eq!(list.host.as_deref(), Some("eu1.anypoint.mulesoft.com"));
    assert_eq!(
        list.bearer,
        Bearer::Sent { token: None },
        "the collection's auth"
    );
    assert!(list.anypoint && !list.templated);
    let contract = &traffic.calls[2];
    assert!(
        contract.templated,
        "{{apiId}} is not defined: {contract:#?}"
    );
    assert!(contract.path.ends_with("/apis/{{apiId}}/contracts"));
    assert_eq!(
        traffic.calls[3].graphql_operation.as_deref(),
        Some("SearchAssets")
    );
    let slack = &traffic.calls[4];
    assert!(!slack.anypoint && slack.templated);
    assert!(traffic.calls.iter().all(|c| c.answer.is_none() && !c.own));
}

#[test]
fn an_insomnia_export_resolves_its_environments() {
    let traffic = read("insomnia-v4.json");
    assert_eq!(traffic.format, Format::Insomnia);
    let urls: Vec<(&str, &str, bool)> = traffic
        .calls
        .iter()
        .map(|c| (c.method.as_str(), c.url.as_str(), c.templated))
        .collect();
    assert_eq!(
        urls,
        [
            (
                "POST",
                "https://anypoint.mulesoft.com/exchange/api/v2/organizations/5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5/applications",
                false
            ),
            (
                "POST",
                "https://anypoint.mulesoft.com/exchange/api/v2/organizations/5c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5/applications/{{ _.app_id }}/contracts",
                true
            ),
            (
                "GET",
                "https://anypoint.mulesoft.com/accounts/api/me",
                false
            ),
        ]
    );
    assert!(
        traffic.calls[0]
            .at
            .ends_with(r#"request "Exchange / Create client app""#)
    );
    assert!(
        traffic
            .calls
            .iter()
            .all(|c| c.bearer == Bearer::Sent { token: None } && c.anypoint)
    );
}

#[test]
fn a_file_of_no_traffic_format_is_a_typed_error_naming_it() {
    let folder = temp_dir("traffic-errors");
    std::fs::create_dir_all(&folder).unwrap();
    let cases = [
        (
            "script.sh",
            "curl https://anypoint.mulesoft.com/accounts/api/me\n",
        ),
        ("openapi.json", r#"{"openapi": "3.0.0", "paths": {}}"#),
        (
            "old.json",
            r#"{"_type": "export", "__export_format": 3, "resources": []}"#,
        ),
    ];
    for (name, text) in cases {
        let file = folder.join(name);
        std::fs::write(&file, text).unwrap();
        let error = traffic::read(&file).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(&file.display().to_string()), "{message}");
        match name {
            "script.sh" => assert!(matches!(error, TrafficError::NotJson { .. }), "{error:?}"),
            "openapi.json" => {
                assert!(matches!(error, TrafficError::Unknown { .. }), "{error:?}");
                assert!(
                    message.contains("HAR 1.2")
                        && message.contains("Postman")
                        && message.contains("Insomnia")
                );
            }
            _ => assert!(
                matches!(
                    error,
                    TrafficError::Malformed {
                        format: "an Insomnia export",
                        ..
                    }
                ),
                "{error:?}"
            ),
        }
    }
    let missing = traffic::read(&folder.join("absent.har")).unwrap_err();
    assert!(matches!(missing, TrafficError::Read { .. }), "{missing:?}");
}
