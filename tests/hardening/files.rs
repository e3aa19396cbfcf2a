//! Hardening: the files part of the threat model (see main.rs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anypoint_doctor::sim::ServeOptions;

use super::{BIN, app_env, serve, world};

/// A private folder for one test, removed when it drops.
fn folder() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temp folder")
}

/// A file whose content a test checks is never overwritten.
fn victim(dir: &Path) -> PathBuf {
    let path = dir.join("victim.txt");
    std::fs::write(&path, "precious").unwrap();
    path
}

fn untouched(victim: &Path) -> bool {
    std::fs::read_to_string(victim).unwrap() == "precious"
}

/// The binary started with only `env`, its stdout piped.
fn spawn(args: &[&str], env: &[(String, String)]) -> Child {
    Command::new(BIN)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_is_never_written_through_a_link_planted_at_its_temporary_name() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let dir = folder();
    let victim = victim(dir.path());
    let report = dir.path().join("report.json");
    let report_arg = report.display().to_string();
    let child = {
        // While the test holds the simulator's world no request is answered,
        // so the run cannot reach its report before the link is planted where
        // the old code put its temporary file (`.NAME.PID.tmp`).
        let _gate = sim.state.world.lock().unwrap();
        let child = spawn(&["check", "--report", &report_arg], &app_env(&sim, &world));
        std::os::unix::fs::symlink(
            &victim,
            dir.path().join(format!(".report.json.{}.tmp", child.id())),
        )
        .unwrap();
        child
    };
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        untouched(&victim),
        "the report went through the planted link: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(written.contains("\"schema_version\""), "{written}");
    sim.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_cert_file_replaces_a_link_instead_of_writing_through_it() {
    let dir = folder();
    let victim = victim(dir.path());
    let cert = dir.path().join("sim.pem");
    std::os::unix::fs::symlink(&victim, &cert).unwrap();
    let options = ServeOptions {
        port: 0,
        tls_cert_file: Some(cert.clone()),
    };
    let sim = anypoint_doctor::sim::start(world("healthy"), options)
        .await
        .expect("sim starts");
    assert!(untouched(&victim), "the certificate went through the link");
    assert!(!std::fs::symlink_metadata(&cert).unwrap().is_symlink());
    assert!(
        std::fs::read_to_string(&cert)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    sim.stop().await;
}

/// `sim --tls` without `--cert-file` writes its certificate to a new private
/// folder of the temp directory (not a fixed, plantable name), removed on Ctrl-C.
#[cfg(unix)]
#[test]
fn sim_tls_default_certificate_is_not_a_fixed_name_in_the_temp_directory() {
    let dir = folder();
    let victim = victim(dir.path());
    let fixed = dir.path().join("anypoint-doctor-sim.pem");
    std::os::unix::fs::symlink(&victim, &fixed).unwrap();
    let tmpdir = [("TMPDIR".to_string(), dir.path().display().to_string())];
    let mut child = spawn(&["sim", "--tls", "--port", "0"], &tmpdir);
    let mut cert = None;
    // The simulator prints "Serving until Ctrl-C." last, once it is up (or exits on error).
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(path) = line.trim().strip_prefix("export SSL_CERT_FILE=") {
            cert = Some(PathBuf::from(path));
        }
        if line.starts_with("Serving until Ctrl-C") {
            break;
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let cert = cert.expect("the simulator printed its certificate's path");
    assert!(untouched(&victim), "the certificate went through the link");
    assert_ne!(cert, fixed);
    assert!(cert.starts_with(dir.path()), "{}", cert.display());
    assert!(interrupted.success() && status.success(), "{status:?}");
    assert!(
        !cert.parent().unwrap().exists(),
        "the certificate's folder is removed on exit"
    );
}

/// A scenario file in `dir`: the healthy world as JSON, changed by `edit`.
fn scenario_file(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut world = serde_json::to_value(world("healthy")).unwrap();
    edit(&mut world);
    let path = dir.join("world.json");
    std::fs::write(&path, serde_json::to_vec(&world).unwrap()).unwrap();
    path
}

/// The error `from_file` gives for the healthy world changed by `edit`.
fn load_error(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let dir = folder();
    let path = scenario_file(dir.path(), edit);
    match anypoint_doctor::sim::load::from_file(&path) {
        Ok(_) => panic!("the world loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_business_group_with_the_roots_id_is_refused_on_load() {
    let err = load_error(|w| {
        let root_id = w["root"]["id"].clone();
        w["root"]["business_groups"] = serde_json::json!([{"id": root_id, "name": "Loop"}]);
    });
    assert!(
        err.contains("root.business_groups[0].id")
            && err.contains("root.id")
            && !err.contains('\n'),
        "{err}"
    );
}

#[test]
fn duplicate_environment_and_app_ids_are_refused_on_load() {
    let err = load_error(|w| {
        let envs = w["root"]["environments"].as_array_mut().unwrap();
        let copy = envs[0].clone();
        envs.push(copy);
    });
    assert!(
        err.contains("environments[") && err.contains("unique"),
        "{err}"
    );
    let err = load_error(|w| {
        let apps = w["connected_apps"].as_array_mut().unwrap();
        let copy = apps[0].clone();
        apps.push(copy);
    });
    assert!(
        err.contains("connected_apps[") && err.contains(".client_id"),
        "{err}"
    );
}

#[test]
fn extreme_clock_skew_and_token_lifetime_are_refused_on_load() {
    for (field, value) in [
        ("clock_skew_secs", serde_json::json!(i64::MIN)),
        ("clock_skew_secs", serde_json::json!(i64::MAX)),
        ("token_ttl_secs", serde_json::json!(u64::MAX)),
        ("latency_ms", serde_json::json!(u64::MAX)),
    ] {
        let err = load_error(|w| w[field] = value);
        assert!(err.contains(field) && err.contains("limit"), "{err}");
    }
    let err = load_error(|w| {
        w["faults"] = serde_json::json!([{"path": "/**", "fault": {"type": "rate-limit", "retry_after_secs": u64::MAX}}]);
    });
    assert!(err.contains("faults[0].fault.retry_after_secs"), "{err}");
}

/// Through the binary: one line naming the file and the field, exit 2, before any request.
#[test]
fn an_invalid_scenario_file_is_a_usage_error_of_one_line() {
    let dir = folder();
    let path = scenario_file(dir.path(), |w| {
        w["clock_skew_secs"] = serde_json::json!(i64::MIN)
    });
    let run = super::doctor(
        &["demo", "--scenario-file", &path.display().to_string()],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.trim().lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("world.json") && run.stderr.contains("clock_skew_secs"),
        "{run:?}"
    );
    let run = super::doctor(&["demo", "--latency-ms", "18446744073709551615"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
}

/// The app's credentials with `host`, for runs refused before any request.
fn with_host(host: &str) -> Vec<(&str, &str)> {
    vec![
        ("ANYPOINT_HOST", host),
        ("ANYPOINT_CLIENT_ID", "client-1"),
        ("ANYPOINT_CLIENT_SECRET", "secret-1"),
    ]
}

#[test]
fn a_password_in_the_host_is_refused_without_echoing_it() {
    for host in [
        "http://:hunter2pw@127.0.0.1:9",
        "http://admin:hunter2pw@127.0.0.1:9",
        "https://hunter2pw@anypoint.mulesoft.com",
    ] {
        for args in [
            vec!["check", "--redact-ids", "--format", "json"],
            vec!["apps"],
        ] {
            let run = super::doctor(&args, &with_host(host));
            assert_eq!(run.code, 2, "{host}: {run:?}");
            assert!(!run.output().contains("hunter2pw"), "{host}: {run:?}");
            assert!(
                run.stderr.contains("ANYPOINT_HOST") && run.stderr.contains("user:password@"),
                "{run:?}"
            );
        }
    }
}

#[test]
fn port_zero_in_the_host_is_a_usage_error() {
    let run = super::doctor(&["check", "--host", "http://127.0.0.1:0"], &with_host("x"));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("--host") && run.stderr.contains("port 0"),
        "{run:?}"
    );
}
