//! `--har FILE`: every request and answer of a run as HAR 1.2, timings and
//! the platform's transaction ids kept, secrets redacted by the same rules
//! (and the same last-resort scan) as every other output; written for a
//! failing run too, refused over an existing file unless `--force`.

use serde_json::Value;

use crate::support::fs::temp_dir;
use crate::support::sim::{Org, Sim, World, world};

#[track_caller]
pub fn assert_is_har(har: &Value) {
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["creator"]["name"], "anypoint-doctor");
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    for entry in entries {
        for key in [
            "startedDateTime",
            "time",
            "request",
            "response",
            "cache",
            "timings",
        ] {
            assert!(entry.get(key).is_some(), "{key} missing: {entry:#}");
        }
        let request = &entry["request"];
        for key in [
            "method",
            "url",
            "httpVersion",
            "headers",
            "queryString",
            "cookies",
            "headersSize",
            "bodySize",
        ] {
            assert!(
                request.get(key).is_some(),
                "request.{key} missing: {entry:#}"
            );
        }
        let response = &entry["response"];
        for key in [
            "status",
            "statusText",
            "httpVersion",
            "headers",
            "cookies",
            "content",
            "redirectURL",
            "headersSize",
            "bodySize",
        ] {
            assert!(
                response.get(key).is_some(),
                "response.{key} missing: {entry:#}"
            );
        }
        assert!(response["content"].get("mimeType").is_some());
        for key in ["send", "wait", "receive"] {
            assert!(entry["timings"][key].is_u64(), "{entry:#}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_run_leaves_a_har_with_no_secret_in_it() {
    let sim = Sim::start(world("missing-manage-scopes")).await;
    let folder = temp_dir("har");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("check.har");
    let path = file.display().to_string();
    let run = sim.run(&["check", "--har", &path]).await;
    assert_eq!(run.code, 1, "the run fails: {run:#?}");
    let text = std::fs::read_to_string(&file).expect("the HAR is written");
    let har: Value = serde_json::from_str(&text).expect("the HAR is JSON");
    assert_is_har(&har);
    assert!(
        !text.contains(&sim.login.client_secret),
        "the client secret is in the HAR"
    );
    let entries = har["log"]["entries"].as_array().unwrap();
    let statuses: Vec<u64> = entries
        .iter()
        .filter_map(|e| e["response"]["status"].as_u64())
        .collect();
    assert!(
        statuses.contains(&403),
        "the refusals are there: {statuses:?}"
    );
    let token = entries
        .iter()
        .find(|e| {
            e["request"]["url"]
                .as_str()
                .unwrap()
                .ends_with("/oauth2/token")
        })
        .expect("the token request");
    let issued = token["response"]["content"]["text"].as_str().unwrap();
    assert!(
        issued.contains("\"access_token\":\"[redacted by anypoint-doctor]\""),
        "{issued}"
    );
    for entry in entries
        .iter()
        .filter(|e| e["response"]["status"].as_u64() != Some(0))
    {
        let headers = entry["response"]["headers"].as_array().unwrap();
        assert!(
            headers.iter().any(|h| h["name"] == "x-anypnt-trx-id"),
            "{entry:#}"
        );
    }
    for entry in entries {
        for header in entry["request"]["headers"].as_array().unwrap() {
            if header["name"] == "authorization" {
                assert_eq!(header["value"], "Bearer [redacted by anypoint-doctor]");
            }
        }
    }
    // Read back by `scan`, it holds no secret, and the retired paths the
    // doctor probes on purpose are its own requests (its user agent), not
    // the user's: skipped, and counted.
    let scanned = crate::support::bin::doctor(&["scan", "--format", "json", &path], &[]);
    let findings: Value = serde_json::from_str(&scanned.stdout).expect("scan's JSON");
    let rules: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.is_empty(), "the doctor's own probes: {scanned:#?}");
    let skipped = findings["summary"]["skipped_own_requests"]
        .as_u64()
        .unwrap_or_default();
    assert!(skipped >= 2, "scan read the HAR: {scanned:#?}");
    assert_eq!(scanned.code, 0, "{scanned:#?}");
    let table = crate::support::bin::doctor(&["scan", &path], &[]);
    assert!(
        table.stdout.contains(&format!(
            "skipped {skipped} in anypoint-doctor's own requests (its --har record)"
        )),
        "{table:#?}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_har_is_replaced_only_with_force() {
    let sim = Sim::start(world("healthy")).await;
    let folder = temp_dir("har-force");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("apps.har");
    std::fs::write(&file, "precious").unwrap();
    let path = file.display().to_string();
    let refused = sim.run(&["apps", "--har", &path]).await;
    assert_eq!(refused.code, 2, "{refused:#?}");
    assert_eq!(refused.stderr.lines().count(), 1, "{refused:#?}");
    assert!(
        refused.stderr.contains("--har") && refused.stderr.contains("--force"),
        "{refused:#?}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
    assert_eq!(
        sim.running.state.requests(),
        0,
        "refused before any request"
    );
    let replaced = sim.run(&["apps", "--har", &path, "--force"]).await;
    assert_eq!(replaced.code, 0, "{replaced:#?}");
    let har: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_is_har(&har);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_application_secrets_stay_out_of_the_har() {
    let sim = Sim::start(world("healthy")).await;
    let folder = temp_dir("har-apps");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("apps.har");
    let path = file.display().to_string();
    let run = sim
        .run(&["apps", "--target-admin-site", "--har", &path])
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let text = std::fs::read_to_string(&file).unwrap();
    let har: Value = serde_json::from_str(&text).unwrap();
    let listed_secrets: Vec<String> = sim
        .world()
        .client_applications
        .iter()
        .map(|app| app.client_secret.clone())
        .collect();
    assert!(!listed_secrets.is_empty());
    for secret in &listed_secrets {
        assert!(
            !text.contains(secret.as_str()),
            "an application's secret is in the HAR"
        );
    }
    assert!(
        har["log"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["response"]["content"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("\"clientSecret\":\"[redacted by anypoint-doctor]\""))),
        "the list with its secrets was recorded, masked"
    );
    sim.stop().await;
}

/// Every org, business group and environment id of a world, and its app's client id.
fn ids_of(world: &World) -> Vec<String> {
    fn org_ids(org: &Org, ids: &mut Vec<String>) {
        ids.push(org.id.clone());
        ids.extend(org.environments.iter().map(|e| e.id.clone()));
        for group in &org.business_groups {
            org_ids(group, ids);
        }
    }
    // The client id first, the root org's second.
    let mut ids = vec![world.login.client_id.clone()];
    org_ids(&world.root, &mut ids);
    ids
}

/// Issue 23, hole 6: a HAR written with `--redact-ids` kept every id (the
/// client id 4 times, the org id 18 times). Now no id of the world is in it,
/// in a URL, a query, a header or a body; each has the placeholder the
/// report gives it; and the file is still HAR 1.2. So for one business
/// group, for a sweep, and for a run that ends in an error after it sent
/// its requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_har_written_with_redact_ids_holds_no_id() {
    let world = world("typical-mistakes");
    let ids = ids_of(&world);
    let sim = Sim::start(world).await;
    let folder = temp_dir("har-redact-ids");
    let plain = folder.join("plain.har");
    let run = sim
        .run(&["check", "--har", &plain.display().to_string()])
        .await;
    assert_eq!(run.code, 1, "{run:#?}");
    let text = std::fs::read_to_string(&plain).expect("the HAR is written");
    let named = ids.iter().filter(|id| text.contains(id.as_str())).count();
    assert!(
        text.contains(&sim.login.client_id) && text.contains(&ids[1]) && named >= 4,
        "without --redact-ids the record names the client, the org and its environments"
    );
    for (name, args, code) in [
        ("one.har", &["--format", "json"][..], 1),
        ("sweep.har", &["--org", "all"][..], 1),
        ("unknown-env.har", &["--env", "No Such Env"][..], 2),
    ] {
        let file = folder.join(name);
        let path = file.display().to_string();
        let mut all = vec!["check", "--redact-ids", "--har", &path];
        all.extend_from_slice(args);
        let run = sim.run(&all).await;
        assert_eq!(run.code, code, "{name}: {run:#?}");
        let text = std::fs::read_to_string(&file).expect("the HAR is written");
        let har: Value = serde_json::from_str(&text).expect("the HAR is JSON");
        assert_is_har(&har);
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{name}: {id} is in the HAR");
        }
        assert!(text.contains("/organizations/id-"), "{name}: {text}");
        if code == 1 && args.contains(&"json") {
            // The report's placeholder for the org is the HAR's.
            let org = run.json()["target"]["org_id"]
                .as_str()
                .expect("the report's org id")
                .to_string();
            assert!(org.starts_with("id-"), "{org}");
            assert!(text.contains(&format!("/organizations/{org}")), "{org}");
        }
    }
    sim.stop().await;
}
