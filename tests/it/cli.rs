//! Black-box tests of the built binary: arguments and `ANYPOINT_*` variables
//! in, stdout / stderr / exit code out. Every run starts from an empty
//! environment; the platform is a mockito server on loopback that answers
//! with the reference fixtures (an unregistered request answers 501, which
//! the doctor reports as `error`).

use std::collections::BTreeSet;

use mockito::{Matcher, Server, ServerGuard};
use serde_json::Value;

use crate::support::bin::{Run, doctor, doctor_async};
use crate::support::fs::{ROOT, assert_schema_valid, fixture, schema, temp_dir};
use crate::support::report::json_outcomes;
use crate::support::stable_snapshots;

/// The fixtures' tenant: root org "Example Corp" and its Connected App.
const ORG: &str = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
const CLIENT_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";
/// Distinctive values that must never reach stdout or stderr.
const CLIENT_SECRET: &str = "canary-secret-Zq8u2Kx9Lm4v";
const ACCESS_TOKEN: &str = "canary-token-Hy7Pw3Nd6Rt1";
/// A client application's secret inside the fixture lists the doctor reads.
const LISTED_APP_SECRET: &str = "9F8E7D6C5B4A39281706F5E4D3C2B1A0";

const ID: (&str, &str) = ("ANYPOINT_CLIENT_ID", CLIENT_ID);
const SECRET: (&str, &str) = ("ANYPOINT_CLIENT_SECRET", CLIENT_SECRET);

/// `check ARGS` against `platform`, credentials and host from `ANYPOINT_*`.
async fn check(platform: &ServerGuard, args: &[&str]) -> Run {
    let url = platform.url();
    check_with(&[ID, SECRET, ("ANYPOINT_HOST", &url)], args).await
}

async fn check_with(env: &[(&str, &str)], args: &[&str]) -> Run {
    let args: Vec<&str> = std::iter::once("check")
        .chain(args.iter().copied())
        .collect();
    doctor_async(&args, env).await
}

/// `check --format json ARGS`: the report, checked against the schema.
async fn check_json(platform: &ServerGuard, args: &[&str]) -> (Run, Value) {
    let args: Vec<&str> = ["--format", "json"].iter().chain(args).copied().collect();
    let run = check(platform, &args).await;
    let report = run.json();
    assert_schema_valid(&report);
    (run, report)
}

// ---------------------------------------------------------------- reading

/// Every check id, from the check files' names.
fn check_ids() -> BTreeSet<String> {
    file_ids("checks")
}

/// The checks of a default run: all but the capabilities, which run with `--for`.
fn default_check_ids() -> BTreeSet<String> {
    check_ids()
        .into_iter()
        .filter(|id| !id.starts_with("capability."))
        .collect()
}

/// The stems of the TOML files in a folder of the crate (`checks`, `rules`).
fn file_ids(folder: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!("{ROOT}/{folder}"))
        .expect("the folder is readable")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The statuses of a check's outcomes (one per environment for fan-out checks).
fn statuses<'a>(report: &'a Value, id: &str) -> Vec<&'a str> {
    let found: Vec<&str> = json_outcomes(report, id)
        .into_iter()
        .map(|o| o["status"].as_str().expect("status is a string"))
        .collect();
    assert!(!found.is_empty(), "no outcome for {id}");
    found
}

fn summary(report: &Value, status: &str) -> u64 {
    report["summary"][status]
        .as_u64()
        .expect("summary counts are integers")
}

// ---------------------------------------------------------------- the platform

/// The endpoints the checks call: name, method, path, status, fixture.
/// `{env}` in a path stands for any environment id, `{api}` for any API instance id.
#[rustfmt::skip]
const ROUTES: &[(&str, &str, &str, usize, &str)] = &[
    ("token", "POST", "/accounts/api/v2/oauth2/token", 200, "token-success.json"),
    ("me", "GET", "/accounts/api/me", 200, "accounts-me-connected-app.json"),
    ("org", "GET", "/accounts/api/organizations/{org}", 200, "accounts-organization.json"),
    ("hierarchy", "GET", "/accounts/api/organizations/{org}/hierarchy", 200, "accounts-hierarchy.json"),
    ("environments", "GET", "/accounts/api/organizations/{org}/environments", 200, "accounts-environments-list.json"),
    ("scopes", "GET", "/accounts/api/connectedApplications/{client}/scopes?offset=0&limit=500", 403, "exchange-error-403.json"),
    ("org-scopes", "GET", "/accounts/api/organizations/{org}/connectedApplications/{client}/scopes?offset=0&limit=500", 403, "exchange-error-403.json"),
    ("api-create", "POST", "/apimanager/api/v1/organizations/{org}/environments/{env}/apis", 400, "apimanager-error-400.json"),
    ("api-list", "GET", "/apimanager/api/v1/organizations/{org}/environments/{env}/apis", 200, "apimanager-apis-list.json"),
    ("asset", "GET", "/exchange/api/v2/assets/{org}/orders-api", 200, "exchange-asset.json"),
    ("contract-create", "POST", "/apimanager/api/v1/organizations/{org}/environments/{env}/apis/{api}/contracts", 400, "apimanager-error-400.json"),
    ("client-apps", "GET", "/apiplatform/repository/v2/organizations/{org}/applications?includeContractsForApiVersion=0&limit=200", 200, "apiplatform-applications-list.json"),
    ("old-app-create", "POST", "/apiplatform/repository/v2/organizations/{org}/applications", 400, "accounts-error-400.json"),
    ("exchange-apps", "GET", "/exchange/api/v2/organizations/{org}/applications", 200, "exchange-applications-list.json"),
    ("exchange-app-create", "POST", "/exchange/api/v2/organizations/{org}/applications", 400, "accounts-error-400.json"),
    ("exchange-v1-apis", "GET", "/exchange/api/v1/organizations/{org}/environments/{env}/apis", 404, "exchange-error-404.json"),
];

/// One endpoint of the mock platform.
struct Route {
    name: &'static str,
    method: &'static str,
    path: Matcher,
    status: usize,
    body: String,
}

/// A mock control plane that answers the fixtures' tenant. Routes are named so
/// a test changes exactly one answer (mockito prefers a mock not yet hit, so
/// overlapping mocks would not override each other).
struct Platform {
    routes: Vec<Route>,
}

impl Platform {
    /// Every check passes or is skipped: the granted scopes are unreadable
    /// (403), so scope checks probe, and every probe says "authorised".
    fn healthy() -> Platform {
        let routes = ROUTES
            .iter()
            .map(|&(name, method, path, status, body)| {
                let path = path.replace("{org}", ORG).replace("{client}", CLIENT_ID);
                let path = if path.contains("{env}") {
                    Matcher::Regex(format!(
                        "^{}$",
                        path.replace("{env}", "[^/?]+").replace("{api}", "[0-9]+")
                    ))
                } else {
                    Matcher::Exact(path)
                };
                Route {
                    name,
                    method,
                    path,
                    status,
                    body: fixture(body),
                }
            })
            .collect();
        Platform { routes }.answer("token", 200, token_body(ACCESS_TOKEN))
    }

    /// Nothing fails, but the client application list is empty and nothing
    /// else proves applications exist: the view-scope and empty-list checks warn.
    fn warning() -> Platform {
        Platform::healthy()
            .answer(
                "client-apps",
                200,
                fixture("apiplatform-applications-list-empty.json"),
            )
            .answer("exchange-apps", 200, "[]")
            .answer("api-list", 200, fixture("apimanager-apis-list-empty.json"))
    }

    /// Changes the answer of the route called `name`.
    fn answer(mut self, name: &str, status: usize, body: impl Into<String>) -> Platform {
        let route = self.route(name);
        route.status = status;
        route.body = body.into();
        self
    }

    /// Removes a route: its requests get mockito's 501.
    fn without(mut self, name: &str) -> Platform {
        self.route(name);
        self.routes.retain(|r| r.name != name);
        self
    }

    fn route(&mut self, name: &str) -> &mut Route {
        self.routes
            .iter_mut()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no route named {name}"))
    }

    async fn serve(self) -> ServerGuard {
        let mut server = Server::new_async().await;
        for route in self.routes {
            server
                .mock(route.method, route.path)
                .with_status(route.status)
                .with_header("content-type", "application/json")
                .with_header("x-anypnt-trx-id", "2b7c1d90-5e3f-4a61-9c8d-7e6f5a4b3c2d")
                .with_body(route.body)
                .create_async()
                .await;
        }
        server
    }
}

fn token_body(access_token: &str) -> String {
    serde_json::json!({"access_token": access_token, "token_type": "bearer", "expires_in": 3600})
        .to_string()
}

// ---------------------------------------------------------------- version, help, list, explain

#[test]
fn version_and_help_exit_zero() {
    // `--version` adds the commit and target: `cli_v4::version_is_one_line_…`.
    let version = doctor(&["-V"], &[]);
    assert_eq!(version.code, 0, "{version:#?}");
    assert_eq!(
        version.stdout.trim(),
        format!("anypoint-doctor {}", env!("CARGO_PKG_VERSION"))
    );

    let help = doctor(&["--help"], &[]);
    assert_eq!(help.code, 0, "{help:#?}");
    for word in ["check", "list", "explain", "Exit codes"] {
        assert!(
            help.stdout.contains(word),
            "--help lacks {word:?}:\n{}",
            help.stdout
        );
    }

    let check_help = doctor(&["check", "--help"], &[]);
    assert_eq!(check_help.code, 0, "{check_help:#?}");
    for flag in [
        "--client-id",
        "--client-secret-file",
        "--host",
        "--region",
        "--format",
        "--fail-on",
    ] {
        assert!(
            check_help.stdout.contains(flag),
            "check --help lacks {flag}"
        );
    }
}

#[test]
fn list_prints_every_check_id() {
    let run = doctor(&["list"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    let ids = check_ids();
    assert_eq!(ids.len(), 25, "{ids:?}");
    for id in &ids {
        assert!(
            run.stdout.contains(id.as_str()),
            "list lacks {id}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn list_json_has_one_entry_per_check() {
    let run = doctor(&["list", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    let listed = run.json();
    let listed = listed.as_array().expect("list --format json is an array");
    // The checks first, then the scan rules, each with a severity.
    let (checks, rules): (Vec<&Value>, Vec<&Value>) =
        listed.iter().partition(|c| c["category"] != "scan");
    assert_eq!(checks.len() + rules.len(), listed.len());
    assert!(
        listed[..checks.len()]
            .iter()
            .all(|c| c["category"] != "scan")
    );
    let rule_ids: BTreeSet<String> = rules
        .iter()
        .map(|r| {
            assert_eq!(r["kind"], "scan-rule", "{r}");
            assert!(r["severity"].is_string(), "severity in {r}");
            r["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(rule_ids, file_ids("rules"));
    let ids: BTreeSet<String> = checks
        .iter()
        .map(|c| {
            for field in ["category", "kind", "title"] {
                assert!(c[field].is_string(), "{field} in {c}");
            }
            assert!(c["requires"].is_array(), "requires in {c}");
            c["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(ids, check_ids());
}

#[test]
fn explain_prints_what_why_and_how() {
    let run = doctor(&["explain", "scope.manage-contracts"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    for part in [
        "What it checks",
        "Why it fails",
        "How to fix",
        "manage:api_contracts",
    ] {
        assert!(
            run.stdout.contains(part),
            "explain lacks {part:?}:\n{}",
            run.stdout
        );
    }
}

// ---------------------------------------------------------------- bad input

/// Runs a bad invocation: exit 2, one stderr line holding every `wanted` word.
fn assert_usage_error<W: AsRef<str>>(args: &[&str], env: &[(&str, &str)], wanted: &[W]) {
    let run = doctor(args, env);
    let line = run.one_line_error();
    for word in wanted.iter().map(AsRef::as_ref) {
        assert!(
            line.contains(word),
            "{args:?}: {word:?} missing from {line:?}"
        );
    }
    assert!(!line.contains(CLIENT_SECRET), "{args:?}: the secret leaked");
}

/// A loopback port nothing listens on, should a run get as far as the network.
const NOWHERE: (&str, &str) = ("ANYPOINT_HOST", "http://127.0.0.1:9");

#[test]
fn missing_client_id_names_the_variable_and_the_flag() {
    assert_usage_error(&["check"], &[], &["ANYPOINT_CLIENT_ID", "--client-id"]);
}

#[test]
fn client_id_without_secret_says_where_the_id_came_from_and_how_to_give_a_secret() {
    let wanted = [
        "from ANYPOINT_CLIENT_ID",
        "ANYPOINT_CLIENT_SECRET",
        "--client-secret-file",
    ];
    assert_usage_error(&["check"], &[ID], &wanted);
}

#[test]
fn an_admin_token_without_the_apps_credentials_says_which_app_is_missing() {
    let admin = ("ANYPOINT_ADMIN_BEARER", "an-admin-token");
    let bearer = ("ANYPOINT_BEARER", "a-ready-token");
    let wanted = ["ANYPOINT_ADMIN_BEARER", "ANYPOINT_CLIENT_ID"];
    assert_usage_error(&["check"], &[admin, bearer], &wanted);
    let run = doctor(&["check", "--admin-bearer", " "], &[ID, SECRET, NOWHERE]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("--admin-bearer is empty"), "{run:#?}");
}

#[test]
fn unknown_ids_in_select_and_explain_list_the_valid_ids() {
    let with_ids = |words: &[&str]| -> Vec<String> {
        let words = words.iter().map(|w| w.to_string());
        words.chain(check_ids()).collect()
    };
    let args = ["check", "--select", "scope.nope"];
    let wanted = with_ids(&["\"scope.nope\"", "--select"]);
    assert_usage_error(&args, &[ID, SECRET, NOWHERE], &wanted);
    assert_usage_error(&["explain", "nope"], &[], &with_ids(&["\"nope\""]));
}

#[test]
fn an_unreadable_secret_file_is_named() {
    let args = ["check", "--client-secret-file", "/nonexistent"];
    assert_usage_error(
        &args,
        &[ID, NOWHERE],
        &["--client-secret-file", "/nonexistent"],
    );
}

#[test]
fn a_zero_timeout_or_deadline_is_a_usage_error_naming_the_flag() {
    for flag in ["--timeout", "--connect-timeout", "--deadline"] {
        assert_usage_error(
            &["check", flag, "0"],
            &[ID, SECRET, NOWHERE],
            &[flag, "'0'"],
        );
    }
}

/// A `--host` with a path is the setting's mistake (every endpoint's path
/// goes after the host, so each call would answer 404): exit 2, not 3.
#[test]
fn a_host_with_a_path_is_a_usage_error_naming_the_path() {
    assert_usage_error(
        &["check", "--host", "http://127.0.0.1:9/accounts"],
        &[ID, SECRET],
        &["--host", "\"/accounts\"", "scheme, host and port only"],
    );
}

/// A blank `--env` must not quietly widen the run to every environment.
#[test]
fn a_blank_env_is_a_usage_error() {
    assert_usage_error(
        &["check", "--env", " "],
        &[ID, SECRET, NOWHERE],
        &["--env", "empty"],
    );
}

/// clap's own usage errors (the bad value, the possible values) come on one
/// line that names the flag.
#[test]
fn unknown_region_is_a_usage_error_listing_the_regions() {
    let run = doctor(&["check", "--region", "xx"], &[]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains("'xx'") && first.contains("--region"),
        "{first:?}"
    );
    assert!(run.stderr.contains("us, eu, gov, ca, jp"), "{run:#?}");
}

// ---------------------------------------------------------------- exit codes and the JSON report

#[tokio::test]
async fn healthy_platform_gives_a_schema_valid_report_and_exit_0() {
    let platform = Platform::healthy().serve().await;
    let (run, report) = check_json(&platform, &[]).await;
    assert_eq!(run.code, 0, "{run:#?}");

    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "anypoint-doctor");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let target = &report["target"];
    assert_eq!(target["host"], platform.url());
    assert_eq!(target["org_id"], ORG);
    assert_eq!(target["org_name"], "Example Corp");
    assert_eq!(target["root_org_id"], ORG);
    assert_eq!(target["client_id"], "****f0e9");
    let envs: Vec<&str> = target["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["Design", "Sandbox", "Production"]);

    let seen: BTreeSet<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen, default_check_ids());
    let total: u64 = ["pass", "warn", "fail", "skip", "error"]
        .iter()
        .map(|s| summary(&report, s))
        .sum();
    assert_eq!(total as usize, report["checks"].as_array().unwrap().len());
    assert_eq!(
        (summary(&report, "fail"), summary(&report, "error")),
        (0, 0),
        "{report:#}"
    );

    // Sandbox and Production: API Manager does not manage Design (reference §12.1).
    assert_eq!(statuses(&report, "scope.manage-contracts"), ["pass"; 2]);
    assert!(
        json_outcomes(&report, "scope.manage-contracts")
            .iter()
            .all(|o| o["inferred"] == true)
    );
    assert_eq!(statuses(&report, "deprecated.exchange-v1-apis"), ["pass"]);
    assert!(!report["next_steps"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn schema_rejects_unknown_fields_and_values() {
    let platform = Platform::healthy().serve().await;
    let (_, report) = check_json(&platform, &["--select", "auth"]).await;
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: &[Mutation] = &[
        ("extra top-level field", |r| r["extra"] = Value::Bool(true)),
        ("extra target field", |r| r["target"]["secret"] = "x".into()),
        ("extra outcome field", |r| {
            r["checks"][0]["extra"] = 1.into()
        }),
        ("extra evidence field", |r| {
            let with_evidence = r["checks"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|c| c["evidence"].as_array().is_some_and(|e| !e.is_empty()))
                .expect("some check sent a request");
            with_evidence["evidence"][0]["body"] = "x".into()
        }),
        ("extra setting field", |r| {
            r["settings"][0]["secret"] = "x".into()
        }),
        ("unknown change kind", |r| {
            r["changes"] = serde_json::json!([{"kind": "moved", "id": null, "target": null,
                "before": null, "after": null, "summary": "x"}])
        }),
        ("unknown status", |r| r["checks"][0]["status"] = "ok".into()),
        ("schema_version 2", |r| r["schema_version"] = 2.into()),
        ("timestamp that is not RFC 3339", |r| {
            r["generated_at"] = "yesterday".into()
        }),
        ("missing summary count", |r| {
            r["summary"].as_object_mut().unwrap().remove("skip");
        }),
    ];
    for (what, mutate) in mutations {
        let mut bad = report.clone();
        mutate(&mut bad);
        assert!(
            !schema().is_valid(&bad),
            "the schema accepts a report with {what}"
        );
    }
}

#[tokio::test]
async fn a_forbidden_scope_probe_fails_with_exit_1() {
    let platform = Platform::healthy()
        .answer("contract-create", 403, fixture("exchange-error-403.json"))
        .serve()
        .await;
    let (run, report) = check_json(&platform, &[]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(statuses(&report, "scope.manage-contracts"), ["fail"; 2]);
}

#[tokio::test]
async fn only_errors_exit_3() {
    let platform = Platform::healthy()
        .without("exchange-app-create")
        .serve()
        .await;
    let (run, report) = check_json(&platform, &[]).await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert_eq!(summary(&report, "fail"), 0, "{report:#}");
    assert_eq!(
        statuses(&report, "scope.manage-client-applications"),
        ["error"]
    );
    assert_eq!(
        statuses(&report, "deprecated.repository-v2-create"),
        ["error"]
    );
}

#[tokio::test]
async fn warnings_exit_0_unless_fail_on_warn() {
    let platform = Platform::warning().serve().await;
    let (run, report) = check_json(&platform, &[]).await;
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        (summary(&report, "fail"), summary(&report, "error")),
        (0, 0),
        "{report:#}"
    );
    // The empty list proves nothing about the view scope: a neutral "not
    // verified"; the data check, which weighs the evidence, warns.
    assert_eq!(
        statuses(&report, "scope.view-client-applications"),
        ["skip"]
    );
    assert_eq!(
        statuses(&report, "data.client-applications-empty"),
        ["warn"]
    );

    let (run, _) = check_json(&platform, &["--fail-on", "warn"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
}

// ---------------------------------------------------------------- secrets

fn assert_no_secret(run: &Run, case: &str) {
    let output = run.output();
    for canary in [CLIENT_SECRET, ACCESS_TOKEN, LISTED_APP_SECRET] {
        assert!(
            !output.contains(canary),
            "{case}: {canary} leaked:\n{output}"
        );
    }
}

#[tokio::test]
async fn secrets_never_reach_the_output() {
    let echo = format!("the server echoes secret {CLIENT_SECRET} and token {ACCESS_TOKEN}");
    let platform = Platform::healthy()
        .answer(
            "exchange-app-create",
            500,
            serde_json::json!({ "message": echo }).to_string(),
        )
        .answer("exchange-v1-apis", 500, echo.clone())
        .answer("hierarchy", 500, echo.clone())
        .serve()
        .await;
    // The formats at once: each run waits out the same retries.
    let formats = ["table", "json", "markdown"];
    let runs = futures::future::join_all(formats.map(|format| {
        let platform = &platform;
        async move { check(platform, &["--format", format, "-v"]).await }
    }))
    .await;
    for (format, run) in formats.into_iter().zip(runs) {
        assert_eq!(run.code, 3, "{format}: {run:#?}");
        assert_no_secret(&run, format);
        // The echo did reach the report (tables wrap it, so look for one word).
        assert!(run.stdout.contains("echoes"), "{format}: {run:#?}");
        if format == "json" {
            assert!(
                run.stdout.contains("echoes secret **** and token ****"),
                "{run:#?}"
            );
        }
    }

    // Refused credentials, with the platform quoting them back.
    let refused = serde_json::json!({
        "error": "invalid_client",
        "error_description": format!("no client with secret {CLIENT_SECRET}"),
    });
    let platform = Platform::healthy()
        .answer("token", 401, refused.to_string())
        .serve()
        .await;
    let runs = futures::future::join_all(formats.map(|format| {
        let platform = &platform;
        async move { check(platform, &["--format", format, "-v"]).await }
    }))
    .await;
    for (format, run) in formats.into_iter().zip(runs) {
        assert_eq!(run.code, 1, "{format}: {run:#?}");
        assert_no_secret(&run, format);
    }
}

/// A secret the platform quotes JSON-escaped (its `/` as `\/`, a `"` as `\"`)
/// is masked too: redaction works on the parsed strings, not only the raw text.
#[tokio::test]
async fn secrets_quoted_json_escaped_never_reach_the_output() {
    let secret = "canary/secret\"Zq8u2";
    let refused =
        serde_json::json!({ "error_description": format!("bad secret {secret}") }).to_string();
    let refused = refused.replace('/', "\\/");
    let platform = Platform::healthy()
        .answer("token", 401, refused)
        .serve()
        .await;
    let url = platform.url();
    let env = &[
        ID,
        ("ANYPOINT_CLIENT_SECRET", secret),
        ("ANYPOINT_HOST", &url),
    ];
    let run = check_with(env, &["--select", "auth"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        !run.output().contains(secret),
        "the secret leaked:\n{}",
        run.output()
    );
}

#[tokio::test]
async fn client_secret_on_the_command_line_works_but_warns() {
    let platform = Platform::healthy().serve().await;
    let url = platform.url();
    let args = ["--client-secret", CLIENT_SECRET, "--select", "auth"];
    let run = check_with(&[ID, ("ANYPOINT_HOST", &url)], &args).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let warning = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: --client-secret"))
        .unwrap_or_else(|| panic!("no warning: {run:#?}"));
    assert!(warning.contains("ANYPOINT_CLIENT_SECRET"), "{warning}");
    // The compact view: one line for the category that passed.
    assert!(run.stdout.contains("✓ net, auth: 5 passed"), "{run:#?}");
    assert_no_secret(&run, "--client-secret");
}

// ---------------------------------------------------------------- verbose settings, colour

#[tokio::test]
async fn verbose_shows_each_setting_with_its_source_and_the_secret_masked() {
    let platform = Platform::healthy().serve().await;
    let url = platform.url();
    let args = ["-v", "--host", &url, "--select", "auth"];
    let run = check_with(&[ID, SECRET], &args).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let setting = |name: &str| {
        run.stderr
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row on stderr: {run:#?}"))
    };
    let row = setting("host");
    assert!(row.contains(&url) && row.ends_with("from --host"), "{row}");
    let row = setting("client id");
    assert!(
        row.contains("****f0e9") && row.ends_with("from ANYPOINT_CLIENT_ID"),
        "{row}"
    );
    let row = setting("client secret");
    let masked = anypoint_doctor::secret::Secret::new(CLIENT_SECRET).masked();
    assert!(
        row.contains(&masked) && row.ends_with("from ANYPOINT_CLIENT_SECRET"),
        "{row}"
    );
    assert!(setting("timeout").ends_with("from default"), "{run:#?}");
    assert!(setting("org").ends_with("from default"), "{run:#?}");
    // The sources line up in one column, "connect timeout" included.
    let columns: Vec<usize> = ["host", "client id", "timeout", "connect timeout", "org"]
        .iter()
        .map(|name| setting(name).find(" from ").expect("a source"))
        .collect();
    assert!(
        columns.windows(2).all(|w| w[0] == w[1]),
        "{columns:?}\n{}",
        run.stderr
    );
    assert_no_secret(&run, "-v");
}

#[tokio::test]
async fn output_has_no_colour_off_a_terminal_or_with_no_color() {
    let platform = Platform::healthy()
        .answer("contract-create", 403, fixture("exchange-error-403.json"))
        .serve()
        .await;
    let url = platform.url();
    let host = ("ANYPOINT_HOST", url.as_str());
    for vars in [
        vec![ID, SECRET, host],
        vec![ID, SECRET, host, ("NO_COLOR", "1")],
    ] {
        let runs = [
            check_with(&vars, &["-v"]).await,
            check_with(&vars, &["--format", "markdown"]).await,
            doctor_async(&["list"], &vars).await,
            doctor_async(&["--help"], &vars).await,
            doctor_async(&["check", "--region", "xx"], &vars).await,
        ];
        for run in runs {
            assert!(!run.output().contains("\x1b["), "{vars:?}: {run:#?}");
        }
    }
}

// ---------------------------------------------------------------- the compact view

/// The default demo at a width: its lines.
fn demo_lines(columns: &str) -> Vec<String> {
    let run = doctor(&["demo"], &[("COLUMNS", columns)]);
    assert_eq!(run.code, 0, "{run:#?}");
    run.stdout.lines().map(str::to_string).collect()
}

#[test]
fn the_demos_what_to_fix_names_no_design_environment() {
    let lines = demo_lines("100");
    let start = lines
        .iter()
        .position(|l| l == "What to fix:")
        .unwrap_or_else(|| panic!("no What to fix block:\n{}", lines.join("\n")));
    let end = lines
        .iter()
        .position(|l| l == "Next steps:")
        .unwrap_or(lines.len());
    let what_to_fix = lines[start..end].join("\n");
    // API Manager does not manage design environments (reference §12.1): its
    // scopes are not missing there, and no fix adds them there.
    assert!(
        !what_to_fix.contains("Design"),
        "What to fix names Design:\n{what_to_fix}"
    );
    assert!(what_to_fix.contains("Production"), "{what_to_fix}");
}

#[test]
fn the_compact_view_answers_first_and_fits_any_width() {
    let lines = demo_lines("80");
    let what_to_fix = lines
        .iter()
        .position(|l| l == "What to fix:")
        .unwrap_or_else(|| panic!("no What to fix block:\n{}", lines.join("\n")));
    assert!(
        what_to_fix + 2 <= 25,
        "the first fix is on line {}:\n{}",
        what_to_fix + 2,
        lines.join("\n")
    );
    assert!(
        lines[what_to_fix + 1]
            .trim_start()
            .starts_with("1. Access Management")
    );
    // Each missing scope once, with every place it is missing in.
    let text = lines.join("\n");
    // (Manage Contracts there is not verified: with the API list refused, no
    // instance can be probed.) As `fix` plans it: Environment Administrator
    // includes View APIs Configuration, which is not added beside it.
    assert_eq!(
        text.matches("API Manager Environment Administrator (manage:apis) in Production")
            .count(),
        1,
        "{text}"
    );
    assert!(
        !text.contains("View APIs Configuration (read:api_configuration) in Production"),
        "{text}"
    );
    // The first screen has no room for more at 80 columns: it says what `-v` adds.
    assert!(
        text.contains("  (2 more, and 6 next steps, with -v)"),
        "{text}"
    );
    // Right after the scopes, the command that applies them: where the
    // screen has room for it (120 columns), and always with -v.
    let wide = demo_lines("120").join("\n");
    let verbose = doctor(&["demo", "-v"], &[("COLUMNS", "80")]).stdout;
    for shown in [&wide, &verbose] {
        let after_scopes = shown
            .split_once("Save, then get a new token (scopes reach new tokens only).\n")
            .map(|(_, after)| after)
            .unwrap_or_else(|| panic!("no scopes to add:\n{shown}"));
        // The step: its first line and those indented under it.
        let mut step = after_scopes.lines();
        let first = step.next().unwrap_or_default();
        let last = step
            .take_while(|l| l.starts_with("     "))
            .last()
            .unwrap_or(first);
        assert!(
            first.starts_with("  2. Or add the scopes above in one step")
                && last.ends_with("anypoint-doctor fix"),
            "{shown}"
        );
    }
    // Everything wraps to the width: no line is wider than 80.
    for line in &lines {
        assert!(line.chars().count() <= 80, "wider than 80: {line:?}");
    }
    let unknown = demo_lines("0");
    assert!(
        unknown.len() <= lines.len(),
        "COLUMNS=0 gives {} lines, COLUMNS=80 {}",
        unknown.len(),
        lines.len()
    );
    let narrow = demo_lines("40");
    assert!(
        narrow
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| l.trim().chars().count() > 1),
        "never one character per line"
    );
}

#[test]
fn a_typo_gets_did_you_mean_in_one_line_with_exit_2() {
    for (args, close) in [
        (
            vec!["explain", "scope.manage-contract"],
            "scope.manage-contracts",
        ),
        (vec!["check", "--for", "create-contrat"], "create-contract"),
        (
            vec!["check", "--select", "scope.view-client-application"],
            "scope.view-client-applications",
        ),
        (vec!["demo", "--scenario", "healty"], "healthy"),
        (
            vec!["explain", "manage-contracts"],
            "scope.manage-contracts",
        ),
    ] {
        let run = doctor(&args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("did you mean {close}?")),
            "{args:?}: {}",
            run.stderr
        );
    }
}

/// A mistyped flag is pointed at the flag `--help` shows, never at a hidden
/// alias kept for anypoint-cli-v4's spellings.
#[test]
fn a_mistyped_flag_is_pointed_at_the_flag_help_shows() {
    for (typed, shown) in [
        ("--clientid", "'--client-id'"),
        ("--organisation", "'--org'"),
        ("--hots", "'--host'"),
    ] {
        let run = doctor(&["check", typed, "x"], &[]);
        assert_eq!(run.code, 2, "{run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(shown), "{typed}: {}", run.stderr);
    }
}

#[test]
fn demo_and_sim_both_list_their_scenarios() {
    for command in ["demo", "sim"] {
        let run = doctor(&[command, "--list-scenarios"], &[]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with("typical-mistakes ")),
            "{run:#?}"
        );
        let json = doctor(&[command, "--list-scenarios", "--format", "json"], &[]);
        let listed: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
        assert!(listed.as_array().is_some_and(|l| l.len() >= 10), "{listed}");
    }
}

#[tokio::test]
async fn next_steps_carry_the_flags_given_and_never_the_secret() {
    let platform = Platform::healthy()
        .answer("contract-create", 403, fixture("exchange-error-403.json"))
        .serve()
        .await;
    let url = platform.url();
    let dir = temp_dir("carry");
    let secret_file = dir.join("secret.txt");
    std::fs::write(&secret_file, format!("{CLIENT_SECRET}\n")).unwrap();
    let secret_path = secret_file.to_str().unwrap();
    let args = [
        "--format",
        "json",
        "--host",
        &url,
        "--client-id",
        CLIENT_ID,
        "--client-secret-file",
        secret_path,
        "--for",
        "create-contract",
    ];
    let run = check_with(&[], &args).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let report = run.json();
    let commands: Vec<&str> = report["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["command"].as_str().unwrap())
        .collect();
    let recheck = commands
        .iter()
        .find(|c| c.starts_with("anypoint-doctor check"))
        .unwrap_or_else(|| panic!("a re-check: {commands:#?}"));
    for flag in [
        format!("--host {url}"),
        format!("--client-id {CLIENT_ID}"),
        format!("--client-secret-file {secret_path}"),
        "--for create-contract".to_string(),
    ] {
        assert!(recheck.contains(&flag), "{flag} missing: {recheck}");
    }
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("anypoint-doctor create contract")),
        "no contract step when contracts are refused everywhere: {commands:#?}"
    );
    assert_no_secret(&run, "next steps");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_healthy_demo_fits_in_fifteen_lines_at_80_columns() {
    let run = doctor(&["demo", "--scenario", "healthy"], &[("COLUMNS", "80")]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(run.stdout.lines().count() <= 15, "{}", run.stdout);
}

#[test]
fn the_eu_app_demo_shows_the_region_diagnosis_not_a_wrong_secret() {
    let eu = doctor(
        &["demo", "--scenario", "eu-app-on-us-host"],
        &[("COLUMNS", "100")],
    );
    assert_eq!(eu.code, 0, "{eu:#?}");
    // The region diagnosis: the credentials work on EU, and how to run there.
    stable_snapshots().bind(|| insta::assert_snapshot!("eu-app-demo", eu.stdout));
    let wrong = doctor(
        &["demo", "--scenario", "wrong-secret"],
        &[("COLUMNS", "100")],
    );
    assert!(!wrong.stdout.contains("--region eu)"), "{}", wrong.stdout);
}

/// `--help`, `check --help`, `list`, `list --capabilities` and `explain`, as
/// users read them: a change shows up in review as a snapshot diff.
#[test]
fn help_list_and_explain_are_pinned() {
    let mut seen = String::new();
    for args in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["list"],
        vec!["list", "--capabilities"],
        vec!["explain", "scope.manage-contracts"],
        vec!["explain", "create-contract"],
        vec!["explain", "scan.exchange-v1-apis"],
    ] {
        let run = doctor(&args, &[("COLUMNS", "100")]);
        assert_eq!(run.code, 0, "{args:?}: {run:#?}");
        seen.push_str(&format!(
            "===== anypoint-doctor {}\n{}\n",
            args.join(" "),
            run.stdout
        ));
    }
    insta::assert_snapshot!("help-list-explain", seen);
}

/// Every command's help ends with examples, and each example is a command
/// line the parser takes (what follows two spaces is its description).
#[test]
fn every_commands_help_ends_with_examples_that_parse() {
    use clap::Parser;
    for command in [
        "check",
        "list",
        "explain",
        "apps",
        "apis",
        "create",
        "sim",
        "demo",
        "scan",
        "fix",
        "completions",
        "man",
    ] {
        let help = doctor(&[command, "--help"], &[]).stdout;
        let examples = help
            .rsplit_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command} --help has no examples:\n{help}"))
            .1;
        let lines: Vec<&str> = examples.lines().collect();
        assert!((2..=3).contains(&lines.len()), "{command}: {examples}");
        for line in lines {
            assert!(line.chars().count() <= 80, "wider than 80 columns: {line}");
            let words: Vec<&str> = line
                .trim()
                .split("  ")
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            assert_eq!(words[0], "anypoint-doctor", "{line}");
            if let Err(e) = anypoint_doctor::cli::Cli::try_parse_from(&words) {
                panic!("`{line}` does not parse: {e}");
            }
        }
    }
}
