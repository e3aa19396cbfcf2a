//! Hardening (issue 23): hostile strings through every renderer added since
//! round two: `fix`'s diff, curl, Terraform and JSON, the sweep's text, the
//! HAR, and the warnings about saved settings. A name or id the platform
//! supplies reaches a terminal only as shown characters, a printed command
//! pasted into `sh` passes it as one word, and the machine formats keep it
//! exact.

use anypoint_doctor::fix::render::render;
use anypoint_doctor::fix::{App, FixFormat, FixPlan, Origin, Pair, Unsettled, Withheld};
use anypoint_doctor::report::Status;
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::terminal::{
    acts_on_terminal, config, hostile_name, is_xml_char, report_naming, stub_arguments,
};
use crate::support::fs::temp_dir;

/// A plan whose every server-supplied field holds `name`: the app, the org,
/// the environment, a context key and value of a granted scope, and an
/// unsettled check's summary.
fn plan_naming(name: &str) -> FixPlan {
    let pair = |scope: &str, env: bool| Pair {
        scope: scope.into(),
        name: "Manage Contracts".into(),
        org_id: Some(name.into()),
        org_name: Some(name.into()),
        env_id: env.then(|| name.to_string()),
        env_name: env.then(|| name.to_string()),
        other_params: Vec::new(),
        may_be_granted: false,
    };
    let granted = Pair {
        other_params: vec![(format!("k{name}"), name.into())],
        ..pair("read:exchange", false)
    };
    FixPlan {
        app: App {
            name: Some(name.into()),
            client_id_masked: Some("****f0e9".into()),
            client_id: Some(format!("7f3e{name}")),
        },
        host: "https://anypoint.mulesoft.com".into(),
        org_id: Some(name.into()),
        org_name: Some(name.into()),
        granted_read: true,
        granted: vec![granted],
        add: vec![pair("manage:api_contracts", true)],
        withheld: vec![Withheld {
            pair: pair("full", false),
            why: "Full Access is left out".into(),
        }],
        unsettled: vec![Unsettled {
            check: "scope.manage-apis".into(),
            target: Some(name.into()),
            status: Status::Warn,
            summary: format!("not proven in \"{name}\""),
            blocked_by: None,
        }],
        origin: Origin::Verdicts,
    }
}

#[track_caller]
fn assert_inert(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| acts_on_terminal(*c)) {
        panic!("{what}: raw {c:?} reaches the terminal:\n{text}");
    }
}

/// The `scopes` list of the Terraform resource, evaluated as Terraform
/// would: each scope and its context parameters as plain strings.
pub(crate) fn terraform_scopes(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    use hcl::eval::{Context, Evaluate};
    let body = hcl::parse(text).unwrap_or_else(|e| panic!("not HCL ({e}):\n{text}"));
    let resource = body
        .blocks()
        .find(|b| b.identifier() == "resource")
        .expect("a resource");
    let scopes = resource
        .body()
        .attributes()
        .find(|a| a.key() == "scopes")
        .expect("a scopes list")
        .expr()
        .evaluate(&Context::default())
        .unwrap_or_else(|e| panic!("scopes do not evaluate ({e}):\n{text}"));
    let hcl::Value::Array(scopes) = scopes else {
        panic!("scopes is not a list:\n{text}")
    };
    scopes
        .into_iter()
        .map(|scope| {
            let scope = scope.as_object().expect("an object").clone();
            let name = scope["scope"].as_str().expect("a scope").to_string();
            let params = scope["context_params"]
                .as_object()
                .expect("context params")
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_str().expect("a string").to_string()))
                .collect();
            (name, params)
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fix_shows_hostile_names_inert_and_passes_them_exactly(name in hostile_name()) {
        let plan = plan_naming(&name);

        let diff = render(&plan, FixFormat::Diff);
        assert_inert("fix diff", &diff);
        let added: Vec<&str> = diff.lines().filter(|l| l.starts_with('+')).collect();
        prop_assert_eq!(added.len(), 1, "one pair to add, one + line:\n{}", diff);

        let curl = render(&plan, FixFormat::Curl);
        assert_inert("fix curl", &curl);
        let args = stub_arguments("curl", &curl, &[("ANYPOINT_ADMIN_BEARER", "admin-token")]);
        let data = args.iter().position(|a| a == "--data").and_then(|at| args.get(at + 1));
        let body: serde_json::Value = serde_json::from_str(data.expect("--data")).expect("JSON body");
        let params = &body["scopes"][0]["context_params"];
        prop_assert_eq!(params["org"].as_str(), Some(name.as_str()));
        prop_assert_eq!(params["envId"].as_str(), Some(name.as_str()));
        prop_assert!(args.iter().any(|a| a == "Authorization: Bearer admin-token"), "{:?}", args);

        let terraform = render(&plan, FixFormat::Terraform);
        assert_inert("fix terraform", &terraform);
        let scopes = terraform_scopes(&terraform);
        let key = format!("k{name}");
        let expected = vec![
            ("read:exchange".to_string(), vec![("org".to_string(), name.clone()), (key, name.clone())]),
            ("manage:api_contracts".to_string(), vec![("org".to_string(), name.clone()), ("envId".to_string(), name.clone())]),
        ];
        let sorted = |list: Vec<(String, Vec<(String, String)>)>| {
            list.into_iter().map(|(s, mut p)| { p.sort(); (s, p) }).collect::<Vec<_>>()
        };
        prop_assert_eq!(sorted(scopes), sorted(expected));

        let json: serde_json::Value = serde_json::from_str(&render(&plan, FixFormat::Json)).expect("JSON");
        prop_assert_eq!(json["app"]["name"].as_str(), Some(name.as_str()));
        prop_assert_eq!(json["add"][0]["env_name"].as_str(), Some(name.as_str()));
        prop_assert_eq!(json["unsettled"][0]["target"].as_str(), Some(name.as_str()));
    }
}

/// A hostile name made into one file name: no `/` or NUL, at most 60 characters.
fn file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c == '/' || c == '\0' { 'x' } else { c })
        .take(60)
        .collect();
    format!("d{safe}")
}

/// A loopback stand-in that refuses every request at once (401), so a run
/// gets past its settings and cache and ends without retrying.
fn refusing_host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let host = format!("http://{}", listener.local_addr().expect("its address"));
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 8192];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                );
            }
        });
        host
    })
}

proptest! {
    #![proptest_config(Config { cases: 12, ..config() })]

    /// The warnings about files the run cannot use (anypoint-cli-v4's saved
    /// settings, the rate-limit cache) name the file as one inert line,
    /// whatever the folder the environment points to is called.
    #[test]
    fn the_warnings_about_saved_files_show_hostile_paths_inert(name in hostile_name()) {
        let root = temp_dir("saved").join(file_name(&name));
        // Neither is a regular file: each gets a warning naming it.
        std::fs::create_dir_all(root.join("anypoint-cli-v4-nodejs").join("config.json")).expect("dir");
        std::fs::create_dir_all(root.join("anypoint-doctor").join("rate-limits.json")).expect("dir");
        let folder = root.to_str().expect("UTF-8");
        let run = crate::support::bin::doctor(
            &["check", "--deadline", "2"],
            &[
                ("XDG_CONFIG_HOME", folder),
                ("XDG_CACHE_HOME", folder),
                ("ANYPOINT_CLIENT_ID", "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9"),
                ("ANYPOINT_CLIENT_SECRET", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr"),
                ("ANYPOINT_HOST", refusing_host()),
            ],
        );
        prop_assert_eq!(run.code, 3, "{:#?}", run);
        assert_inert("stderr", &run.stderr);
        for file in ["anypoint-cli-v4 config", "rate-limit cache"] {
            let warning = run.stderr.lines().find(|l| l.contains(file));
            prop_assert!(
                warning.is_some_and(|w| w.contains("is not a regular file")),
                "{file}: {}", run.stderr
            );
        }
    }
}

/// Every string value of a JSON document, however deep.
fn strings(value: &serde_json::Value) -> Vec<&str> {
    match value {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().flat_map(strings).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(config())]

    /// A HAR holds hostile names exactly (it is a file for support, not a
    /// view), stays valid JSON, and an id it was told to hide is gone from
    /// every value whatever surrounds it.
    #[test]
    fn the_har_keeps_hostile_names_exact_and_hides_what_it_is_told(name in hostile_name()) {
        use anypoint_doctor::har::{Answered, Entry, Exchange, HarRecorder, Header};
        use anypoint_doctor::platform::paths;
        let id = format!("id-q7Z{name}");
        let url = format!(
            "https://anypoint.mulesoft.com{}?name={}",
            paths::environments(&id),
            paths::id(&name)
        );
        let body = serde_json::json!({"name": name, "id": id}).to_string();
        let headers = [Header { name: "x-name".into(), value: name.clone() }];
        let recorder = HarRecorder::default();
        recorder.record(Entry::of(Exchange {
            started: "2026-12-07T00:00:00.000Z",
            elapsed_ms: 1,
            method: "POST",
            url: &url,
            headers: anypoint_doctor::har::client_headers(&anypoint_doctor::har::user_agent(anypoint_doctor::har::Purpose::Probe), true, true),
            request_body: Some(&body),
            request_body_bytes: body.len(),
            answer: Ok(Answered {
                status: 200,
                version: "HTTP/1.1",
                headers: &headers,
                mime_type: "application/json",
                body_bytes: body.len(),
                text: &body,
            }),
        }));
        // As a run with --redact-ids tells it: the id in each form it takes.
        recorder.hide(anypoint_doctor::report::redact::placeholders(std::slice::from_ref(&id)));
        let document: serde_json::Value =
            serde_json::from_str(&recorder.document()).expect("the HAR is JSON");
        let entry = &document["log"]["entries"][0];
        let text: serde_json::Value = serde_json::from_str(
            entry["response"]["content"]["text"].as_str().expect("a body"),
        ).expect("the body is the JSON it was");
        prop_assert_eq!(text["name"].as_str(), Some(name.as_str()));
        let hidden = text["id"].as_str().expect("the id's placeholder");
        prop_assert!(hidden.starts_with("id-") && hidden != id, "{hidden:?}");
        let header = entry["response"]["headers"].as_array().expect("headers").iter()
            .find(|h| h["name"] == "x-name").expect("the header");
        prop_assert_eq!(header["value"].as_str(), Some(name.as_str()));
        for value in strings(&document) {
            prop_assert!(!value.contains(&id), "{id:?} left in {value:?}");
        }
    }
}

proptest! {
    // Five renderings of three reports a case: fewer cases keep it quick.
    #![proptest_config(Config { cases: 24, ..config() })]

    /// The sweep's every format with hostile names in the base, in each
    /// business group and in the groups the deadline left unbegun: the
    /// terminal views inert, JUnit XML, JSON exact.
    #[test]
    fn the_sweep_shows_hostile_names_inert_in_every_format(name in hostile_name()) {
        use anypoint_doctor::doctor::facts::OrgInfo;
        use anypoint_doctor::report::sweep::SweepOutput;
        use anypoint_doctor::report::{Format, terminal::TableOptions};
        let report = report_naming(&name);
        let render = |format: Format, verbose: bool| {
            let options = TableOptions { color: false, width: Some(80), verbose };
            let mut out = Vec::new();
            let mut sweep = SweepOutput::new(&report, format, options, &mut out).expect("written");
            sweep.add(&report, &mut out).expect("written");
            sweep.add(&report, &mut out).expect("written");
            let unbegun = OrgInfo { id: name.clone(), name: name.clone() };
            sweep.not_checked(vec![unbegun], Some(std::time::Duration::from_secs(30)));
            sweep.finish(&mut out).expect("written");
            String::from_utf8(out).expect("UTF-8")
        };
        for verbose in [false, true] {
            let text = render(Format::Table, verbose);
            assert_inert("sweep table", &text);
            prop_assert!(text.contains("What to fix") || verbose, "{}", text);
        }
        assert_inert("sweep markdown", &render(Format::Markdown, false));
        let xml = render(Format::Junit, false);
        prop_assert!(xml.chars().all(is_xml_char), "{}", xml);
        let json: serde_json::Value =
            serde_json::from_str(&render(Format::Json, false)).expect("JSON");
        let groups = json["business_groups"].as_array().expect("groups");
        prop_assert_eq!(groups.len(), 2);
        prop_assert_eq!(groups[0]["target"]["org_name"].as_str(), Some(name.as_str()));
        prop_assert_eq!(json["not_checked"][0]["org_name"].as_str(), Some(name.as_str()));
    }
}
