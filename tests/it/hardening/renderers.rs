//! Hardening (issue 23): hostile strings through every renderer added since
//! round two: `fix`'s diff, curl, Terraform and JSON, the sweep's text, the
//! HAR, and the warnings about saved settings. A name or id the platform
//! supplies reaches a terminal only as shown characters, a printed command
//! pasted into `sh` passes it as one word, and the machine formats keep it
//! exact.

use anypoint_doctor::fix::render::render;
use anypoint_doctor::fix::{App, FixFormat, FixPlan, Pair, Unsettled, Withheld};
use anypoint_doctor::report::Status;
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::terminal::{acts_on_terminal, config, hostile_name, make_executable};
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
    }
}

#[track_caller]
fn assert_inert(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| acts_on_terminal(*c)) {
        panic!("{what}: raw {c:?} reaches the terminal:\n{text}");
    }
}

/// The arguments `curl` gets when `script` runs in `sh` with a stub of it,
/// and whether the working folder stayed empty (nothing else ran).
fn curl_arguments(script: &str) -> (Vec<String>, bool) {
    let dir = temp_dir("curl");
    let bin = dir.join("bin");
    let work = dir.join("work");
    std::fs::create_dir_all(&bin).expect("bin");
    std::fs::create_dir_all(&work).expect("work");
    let stub = bin.join("curl");
    std::fs::write(&stub, "#!/bin/sh\nprintf '%s\\0' \"$@\" > \"$ARGS_FILE\"\n").expect("stub");
    make_executable(&stub);
    let args_file = dir.join("args");
    let ran = std::process::Command::new("sh")
        .args(["-c", script])
        .current_dir(&work)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("ARGS_FILE", &args_file)
        .env("ANYPOINT_ADMIN_BEARER", "admin-token")
        .output()
        .expect("sh runs");
    assert!(ran.status.success(), "{script}: {ran:?}");
    let clean = std::fs::read_dir(&work).expect("work").next().is_none();
    let bytes = std::fs::read(&args_file).expect("the stub ran");
    let args = bytes
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8(a.to_vec()).expect("utf-8"))
        .collect();
    (args, clean)
}

/// The `scopes` list of the Terraform resource, evaluated as Terraform
/// would: each scope and its context parameters as plain strings.
fn terraform_scopes(text: &str) -> Vec<(String, Vec<(String, String)>)> {
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
        let (args, clean) = curl_arguments(&curl);
        prop_assert!(clean, "pasting the curl ran something else:\n{}", curl);
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
