//! `sim --record FILE`: every exchange the simulator serves, as HAR 1.2, in
//! the order served, with no secret of its world and no token it issued;
//! valid from the start and complete when the simulator is stopped with
//! SIGTERM, as a pipeline stops it; refused before it starts when the file
//! cannot be written.

use serde_json::{Value, json};

use crate::har::assert_is_har;
use crate::support::api::{client, client_trusting};
use crate::support::bin::{BIN, PATIENCE, doctor, doctor_async};
use crate::support::fs::temp_dir;
#[cfg(unix)]
use crate::support::sim::SimProcess;
use crate::support::sim::world;

const TOKEN: &str = "/accounts/api/v2/oauth2/token";
const ME: &str = "/accounts/api/me";

fn read_har(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the recording is written");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// `(method, url, status)` of each entry.
fn calls(har: &Value) -> Vec<(String, String, u64)> {
    har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["request"]["method"].as_str().unwrap().to_string(),
                e["request"]["url"].as_str().unwrap().to_string(),
                e["response"]["status"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn header<'a>(entry: &'a Value, name: &str) -> Option<&'a str> {
    entry["request"]["headers"]
        .as_array()?
        .iter()
        .find(|h| {
            h["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .and_then(|h| h["value"].as_str())
}

/// A `check` and a few calls of a script of its own against `sim --record`,
/// stopped with SIGTERM: the file holds one entry per exchange the simulator
/// answered, the script's in the order made, the check's the same calls its
/// own `--har` shows; no secret, and the bearers told apart by their masks.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_holds_each_exchange_served_in_order_and_no_secret() {
    let folder = temp_dir("record");
    let file = folder.join("pipeline.har");
    let record = file.display().to_string();
    let own_har = folder.join("check.har").display().to_string();
    let sim = SimProcess::start(&["sim", "--scenario", "healthy", "--record", &record]);
    assert!(
        sim.banner
            .contains(&format!("Recording every exchange to {record}")),
        "{}",
        sim.banner
    );
    // Valid from the start, before any exchange.
    assert_eq!(read_har(&file)["log"]["entries"], json!([]));

    let check = doctor_async(&["check", "--har", &own_har], &sim.app_env()).await;
    assert_ne!(check.code, 2, "{check:#?}");

    let healthy = world("healthy");
    let http = client(PATIENCE);
    let base = sim.base_url.clone();
    let url = |path: &str| format!("{base}{path}");
    let issued: Value = http
        .post(url(TOKEN))
        .json(&json!({"grant_type": "client_credentials", "client_id": healthy.login.client_id, "client_secret": healthy.login.client_secret}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("a JSON token");
    let token = issued["access_token"]
        .as_str()
        .expect("a token")
        .to_string();
    let wrong_secret = "not-the-secret-but-maybe-a-real-one";
    let form = http
        .post(url(TOKEN))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={wrong_secret}",
            healthy.login.client_id
        ))
        .send()
        .await
        .expect("answered");
    let me = http
        .get(url(ME))
        .bearer_auth(&token)
        .send()
        .await
        .expect("answered");
    let made_up = "made-up-bearer-token-0123456789";
    let refused = http
        .get(url(ME))
        .bearer_auth(made_up)
        .send()
        .await
        .expect("answered");
    let script = [
        ("POST", TOKEN, 200),
        ("POST", TOKEN, form.status().as_u16()),
        ("GET", ME, me.status().as_u16()),
        ("GET", ME, refused.status().as_u16()),
    ];
    assert_eq!(refused.status().as_u16(), 401);

    let stopped = sim.terminate().await;
    assert_eq!(stopped.code, 0, "{stopped:#?}");
    let answered: usize = stopped
        .stdout
        .split_once("Answered ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of answers: {stopped:#?}"));
    assert!(
        stopped
            .stderr
            .contains(&format!("Wrote {record} (HAR 1.2, {answered} request(s)).")),
        "{stopped:#?}"
    );

    let text = std::fs::read_to_string(&file).expect("the recording");
    let har: Value = serde_json::from_str(&text).expect("JSON");
    assert_is_har(&har);
    let recorded = calls(&har);
    assert_eq!(recorded.len(), answered, "one entry per exchange");
    let (checked, scripted) = recorded.split_at(answered - script.len());
    let expected: Vec<(String, String, u64)> = script
        .iter()
        .map(|(method, path, status)| (method.to_string(), url(path), u64::from(*status)))
        .collect();
    assert_eq!(scripted, expected, "the script's calls, in order");
    // The check's calls as the simulator saw them are those the doctor made.
    let mut own = calls(&read_har(std::path::Path::new(&own_har)));
    let mut checked = checked.to_vec();
    own.sort();
    checked.sort();
    assert_eq!(checked, own);

    for secret in healthy
        .secrets()
        .into_iter()
        .chain([token.as_str(), wrong_secret, made_up])
    {
        assert!(!text.contains(secret), "{secret:?} is in the recording");
    }
    let entries = har["log"]["entries"].as_array().unwrap();
    let scripted = &entries[entries.len() - script.len()..];
    // The token request and its answer keep their shape, the secrets masked.
    let body: Value =
        serde_json::from_str(scripted[0]["request"]["postData"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(body["client_id"], healthy.login.client_id.as_str());
    assert_eq!(body["client_secret"], "[redacted by anypoint-doctor]");
    let answer: Value =
        serde_json::from_str(scripted[0]["response"]["content"]["text"].as_str().unwrap()).unwrap();
    assert_eq!(answer["access_token"], "[redacted by anypoint-doctor]");
    let form = scripted[1]["request"]["postData"]["text"].as_str().unwrap();
    assert!(
        form.contains("client_id=") && form.contains("client_secret=%5Bredacted"),
        "{form}"
    );
    // Whether a bearer was sent, and which: two tokens, two masks.
    let (issued, other) = (
        header(&scripted[2], "authorization").expect("a bearer was sent"),
        header(&scripted[3], "authorization").expect("a bearer was sent"),
    );
    assert!(issued.starts_with("Bearer **** sha256:"), "{issued}");
    assert!(other.starts_with("Bearer **** sha256:"), "{other}");
    assert_ne!(issued, other);
    assert_eq!(header(&scripted[0], "authorization"), None);
}

/// Over https the URLs are those the client addressed, scheme included.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_over_tls_names_the_https_urls() {
    let folder = temp_dir("record-tls");
    let (file, cert) = (folder.join("tls.har"), folder.join("sim.pem"));
    let (record, cert_path) = (file.display().to_string(), cert.display().to_string());
    let sim = SimProcess::start(&[
        "sim",
        "--tls",
        "--cert-file",
        &cert_path,
        "--record",
        &record,
    ]);
    let pem = std::fs::read(&cert).expect("the certificate");
    let https = client_trusting(PATIENCE, &pem);
    let base = sim.base_url.clone();
    let answer = https
        .get(format!("{base}{ME}"))
        .send()
        .await
        .expect("answered over TLS");
    let stopped = sim.terminate().await;
    assert_eq!(stopped.code, 0, "{stopped:#?}");
    let har = read_har(&file);
    assert_is_har(&har);
    let expected = vec![(
        "GET".to_string(),
        format!("{base}{ME}"),
        u64::from(answer.status().as_u16()),
    )];
    assert_eq!(calls(&har), expected);
    assert!(
        expected[0].1.starts_with("https://127.0.0.1:"),
        "{expected:?}"
    );
}

#[test]
fn a_recording_that_cannot_be_written_is_refused_before_the_simulator_starts() {
    let missing = temp_dir("record-missing")
        .join("no-such-folder")
        .join("p.har");
    let record = missing.display().to_string();
    let run = doctor(&["sim", "--port", "0", "--record", &record], &[]);
    let error = run.one_line_error();
    assert!(
        error.contains("--record") && error.contains(&record),
        "{error}"
    );
}

/// `sim -- COMMAND`: the command runs with the simulator's address and app
/// and none of the caller's other ANYPOINT_* variables; the recording holds
/// its calls; the run ends with it, 0 when it succeeds and 1 when it fails.
#[cfg(unix)]
#[tokio::test]
async fn a_command_runs_against_the_simulator_and_the_recording_holds_its_calls() {
    let folder = temp_dir("record-command");
    let file = folder.join("run.har");
    let record = file.display().to_string();
    // The doctor itself stands for the automation (`$0`): no other tool is assumed.
    let script = "printf '%s %s\\n' \"${ANYPOINT_ORG-unset}\" \"$ANYPOINT_CLIENT_ID\"; \
                  exec \"$0\" apps --format json >/dev/null";
    let run = doctor_async(
        &[
            "sim",
            "--scenario",
            "healthy",
            "--record",
            &record,
            "--",
            "sh",
            "-c",
            script,
            BIN,
        ],
        &[("ANYPOINT_ORG", "Real Corp")],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let app = world("healthy").login.client_id;
    assert_eq!(run.stdout, format!("unset {app}\n"), "{run:#?}");
    assert!(run.stderr.contains("Ran sh … against"), "{run:#?}");
    let har = read_har(&file);
    assert_is_har(&har);
    let listed = har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .is_some_and(|u| u.contains("/applications?"))
        })
        .unwrap_or_else(|| panic!("the command's list is recorded: {har}"));
    assert_eq!(listed["response"]["status"], 200);
    assert!(
        header(listed, "user-agent").is_some_and(|ua| ua.ends_with("(command)")),
        "{listed}"
    );

    let failed = doctor_async(&["sim", "--", "sh", "-c", "exit 4"], &[]).await;
    assert_eq!(failed.code, 1, "{failed:#?}");
    assert!(
        failed.stderr.contains("error: sh exited with status 4"),
        "{failed:#?}"
    );
    let missing = doctor_async(&["sim", "--", "/no/such/program"], &[]).await;
    let error = missing.one_line_error();
    assert!(
        error.contains("sim -- COMMAND") && error.contains("/no/such/program"),
        "{error}"
    );
}

/// A secret in the command's arguments is never shown: only the program is named.
#[cfg(unix)]
#[tokio::test]
async fn the_command_s_arguments_are_not_shown() {
    let secret = "s3cr3t-0f-the-pipeline";
    let run = doctor_async(&["sim", "--", "sh", "-c", "exit 3", secret], &[]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(!run.output().contains(secret), "{run:#?}");
    let missing = doctor_async(&["sim", "--", "/no/such/program", secret], &[]).await;
    assert_eq!(missing.code, 2, "{missing:#?}");
    assert!(!missing.output().contains(secret), "{missing:#?}");
}

/// SIGTERM to the simulator stops the command's whole process group (a
/// script's children too), ends with "could not check" (3), and still
/// writes the recording.
#[cfg(unix)]
#[tokio::test]
async fn a_stopped_command_takes_its_children_with_it_and_the_recording_is_written() {
    let folder = temp_dir("record-stop");
    let file = folder.join("stopped.har");
    let pid_file = folder.join("child.pid");
    let script = format!(
        "sleep 60 & echo $! > '{}'; kill -TERM $PPID; wait",
        pid_file.display()
    );
    let record = file.display().to_string();
    let run = doctor_async(
        &["sim", "--record", &record, "--", "sh", "-c", &script],
        &[],
    )
    .await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(run.stderr.contains("Stopped before sh ended"), "{run:#?}");
    // Written on the way out: a HAR of the nothing the script asked for.
    assert_eq!(read_har(&file)["log"]["entries"], json!([]), "{run:#?}");
    let pid = std::fs::read_to_string(&pid_file).expect("the script wrote its child's pid");
    // Gone, or a zombie its new parent has yet to reap: not running.
    let state = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
    let running = state
        .rsplit(')')
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .is_some_and(|s| s != "Z" && s != "X");
    assert!(!running, "the script's child still runs: {state}");
}
