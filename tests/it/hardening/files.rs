//! Hardening: the files part of the threat model (see main.rs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::support::sim::ServeOptions;

use crate::support::bin::{Run, command, doctor, doctor_async};
use crate::support::sim::{app_env, serve, world};
use crate::support::{assert_contains_all, map_waiting};

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
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    command(args, env)
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
        ..ServeOptions::default()
    };
    let sim = crate::support::sim::serve_with(world("healthy"), options).await;
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
    let tmpdir = dir.path().display().to_string();
    let tmpdir = [("TMPDIR", tmpdir.as_str())];
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
    match crate::support::sim::load::from_file(&path) {
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
    assert_contains_all(&err, &["environments[", "unique"], &err);
    let err = load_error(|w| {
        let apps = w["connected_apps"].as_array_mut().unwrap();
        let copy = apps[0].clone();
        apps.push(copy);
    });
    assert_contains_all(&err, &["connected_apps[", ".client_id"], &err);
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
        assert_contains_all(&err, &[field, "limit"], &err);
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
    let run = doctor(
        &["demo", "--scenario-file", &path.display().to_string()],
        &[],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.trim().lines().count(), 1, "{run:?}");
    assert_contains_all(&run.stderr, &["world.json", "clock_skew_secs"], &run);
    let run = doctor(&["demo", "--latency-ms", "18446744073709551615"], &[]);
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
            let run = doctor(&args, &with_host(host));
            assert_eq!(run.code, 2, "{host}: {run:?}");
            assert!(!run.output().contains("hunter2pw"), "{host}: {run:?}");
            assert_contains_all(&run.stderr, &["ANYPOINT_HOST", "user:password@"], &run);
        }
    }
}

// ------------------------------------------------- numeric flags, fuzzed

/// Every flag whose value is a number (by its parser's type), with the
/// subcommand path it belongs to: a new numeric flag is fuzzed without a change here.
fn numeric_flags() -> Vec<(Vec<String>, String)> {
    use clap::CommandFactory;
    use clap::builder::{ValueParser, ValueRange};
    fn walk(command: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        let numbers = [
            ValueParser::from(clap::value_parser!(u16)).type_id(),
            ValueParser::from(clap::value_parser!(u32)).type_id(),
            ValueParser::from(clap::value_parser!(u64)).type_id(),
            ValueParser::from(clap::value_parser!(i64)).type_id(),
        ];
        for arg in command.get_arguments() {
            let takes_value = arg.get_num_args().unwrap_or(ValueRange::SINGLE) != ValueRange::EMPTY;
            if let Some(long) = arg.get_long()
                && takes_value
                && numbers.contains(&arg.get_value_parser().type_id())
            {
                out.push((path.clone(), format!("--{long}")));
            }
        }
        for sub in command.get_subcommands() {
            let mut path = path.clone();
            path.push(sub.get_name().to_string());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&anypoint_doctor::cli::Cli::command(), Vec::new(), &mut out);
    out
}

/// A loopback port nothing listens on: requests fail at once.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The arguments that make `path` runnable offline with `flag value` (the
/// required ones, minus `flag` itself); None for the commands that serve
/// (`sim`, `demo`), which are parsed and loaded in-process instead.
fn runnable(path: &[String], flag: &str, value: &str, dir: &Path) -> Option<Vec<String>> {
    let host = format!("http://127.0.0.1:{}", closed_port());
    let connection = [
        ("--host", host.as_str()),
        ("--client-id", "client-1"),
        ("--client-secret-file", "/nonexistent"),
    ];
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut positional = Vec::new();
    match path.join(" ").as_str() {
        "check" | "apps" | "apis" | "fix" => pairs.extend(connection),
        "create app" => pairs.extend(connection.iter().copied().chain([("--name", "x")])),
        "create contract" => pairs.extend(
            connection
                .iter()
                .copied()
                .chain([("--app", "x"), ("--api", "1")]),
        ),
        "scan" | "needs" => positional.push(dir.display().to_string()),
        "sim" | "demo" => return None,
        other => panic!("numeric flag {flag} of `{other}`: say how to run it here"),
    }
    // The secret comes from a file so no flag echoes it; a real file for the run.
    let secret = dir.join("secret");
    std::fs::write(&secret, "secret-1").unwrap();
    let secret = secret.display().to_string();
    let mut args: Vec<String> = path.to_vec();
    for (name, given) in pairs.into_iter().filter(|(name, _)| *name != flag) {
        let given = if name == "--client-secret-file" {
            secret.as_str()
        } else {
            given
        };
        args.extend([name.to_string(), given.to_string()]);
    }
    if path[0] == "create" {
        args.push("--dry-run".into());
    }
    args.extend([flag.to_string(), value.to_string()]);
    args.extend(positional);
    Some(args)
}

/// `flag value` on its command: no panic, an exit code the README lists,
/// and a usage error on one line.
fn try_numeric_flag(path: &[String], flag: &str, value: &str) -> Result<(), String> {
    let dir = folder();
    match runnable(path, flag, value, dir.path()) {
        Some(args) => {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = doctor(&args, &[]);
            if !(0..=3).contains(&run.code)
                || (run.code == 2 && run.stderr.trim().lines().count() != 1)
            {
                return Err(format!("{args:?}: {run:?}"));
            }
        }
        None => {
            // Parsed, then the world loaded as the command would: serving is not needed to find an overflow.
            use anypoint_doctor::cli::{Cli, Command};
            use clap::Parser;
            let argv = std::iter::once("anypoint-doctor")
                .chain(path.iter().map(String::as_str))
                .chain([flag, value]);
            if let Ok(cli) = Cli::try_parse_from(argv) {
                let world = match &cli.command {
                    Command::Sim(args) => &args.world,
                    Command::Demo(args) => &args.world,
                    _ => unreachable!("only sim and demo are not run"),
                };
                if let Err(e) = crate::support::sim::load::world(world, "healthy") {
                    return Err(format!("{path:?} {flag} {value}: {e}"));
                }
            }
        }
    }
    Ok(())
}

/// Each numeric flag at the limits of the integer types and just past them.
#[test]
fn every_numeric_flag_at_its_types_limits_is_accepted_or_refused_never_a_panic() {
    let flags = numeric_flags();
    assert!(
        flags.iter().any(|(_, f)| f == "--deadline")
            && flags.iter().any(|(_, f)| f == "--max-file-size"),
        "{flags:?}"
    );
    let limits = [
        "0",
        "-1",
        "65536",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "18446744073709551615G",
    ];
    let cases: Vec<_> = flags
        .iter()
        .flat_map(|(path, flag)| limits.iter().map(move |v| (path, flag, *v)))
        .collect();
    // Each run waits out its retries against a closed port: several at once.
    let failures: Vec<String> = map_waiting(&cases, |(path, flag, value)| {
        try_numeric_flag(path, flag, value).err()
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

mod fuzz {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    proptest! {
        // Deterministic and small: each case runs the binary.
        #![proptest_config(Config {
            cases: 48,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(0x000f_11e5),
            ..Config::default()
        })]

        #[test]
        fn any_value_of_any_numeric_flag_is_never_a_panic(
            which in any::<prop::sample::Index>(),
            value in prop_oneof![
                any::<u64>().prop_map(|n| n.to_string()),
                any::<i64>().prop_map(|n| n.to_string()),
                (0u64..100_000).prop_map(|n| n.to_string()),
            ],
        ) {
            let flags = super::numeric_flags();
            let (path, flag) = &flags[which.index(flags.len())];
            if let Err(e) = super::try_numeric_flag(path, flag, &value) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}

#[test]
fn a_deadline_past_the_clock_is_a_usage_error_not_a_panic() {
    for flag in ["--deadline", "--timeout", "--connect-timeout"] {
        let run = doctor(&["check", flag, "9223372036854775807"], &with_host("x"));
        assert_eq!(run.code, 2, "{flag}: {run:?}");
        assert!(run.stderr.contains(flag), "{run:?}");
    }
}

/// `check --baseline FILE` against a closed port: refused before any request, or exit 3.
fn check_with_baseline(baseline: &Path) -> Run {
    let host = format!("http://127.0.0.1:{}", closed_port());
    doctor(
        &["check", "--baseline", &baseline.display().to_string()],
        &with_host(&host),
    )
}

#[test]
fn a_baseline_larger_than_its_cap_is_refused_without_reading_it_whole() {
    let dir = folder();
    let path = dir.path().join("huge.json");
    // Sparse: 17 MiB of zeros that take no disk.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(17 << 20).unwrap();
    let run = check_with_baseline(&path);
    assert_eq!(run.code, 2, "{run:?}");
    assert_contains_all(&run.stderr, &["--baseline", "larger than 16 MiB"], &run);
}

#[test]
fn a_baseline_with_an_unknown_status_is_refused() {
    let dir = folder();
    let path = dir.path().join("old.json");
    let old = serde_json::json!({
        "target": {"host": "https://anypoint.mulesoft.com", "org_id": null},
        "checks": [{"id": "auth.token", "target": null, "status": "passed-ish"}],
    });
    std::fs::write(&path, old.to_string()).unwrap();
    let run = check_with_baseline(&path);
    assert_eq!(run.code, 2, "{run:?}");
    assert_contains_all(&run.stderr, &["--baseline", "passed-ish"], &run);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{run:?}");
}

#[test]
fn a_ca_file_whose_certificate_is_not_x509_is_a_usage_error_naming_the_file() {
    let dir = folder();
    let path = dir.path().join("not-a-cert.pem");
    std::fs::write(
        &path,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let host = format!("http://127.0.0.1:{}", closed_port());
    let run = doctor(
        &["check", "--ca-file", &path.display().to_string()],
        &with_host(&host),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_contains_all(&run.stderr, &["--ca-file", "not-a-cert.pem"], &run);
}

#[test]
fn an_ignore_that_covers_every_check_is_a_usage_error() {
    let host = format!("http://127.0.0.1:{}", closed_port());
    for args in [
        vec!["check", "--ignore", "all"],
        vec!["check", "--select", "auth.token", "--ignore", "auth"],
    ] {
        let run = doctor(&args, &with_host(&host));
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("--ignore"), "{run:?}");
    }
}

/// A FIFO at `path`, made by the system's `mkfifo`.
#[cfg(unix)]
fn fifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn scan_of_a_fifo_named_on_the_command_line_is_a_usage_error() {
    let dir = folder();
    let pipe = dir.path().join("pipe");
    fifo(&pipe);
    let run = doctor(&["scan", &pipe.display().to_string()], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_contains_all(&run.stderr, &["pipe", "FIFO"], &run);
    let run = doctor(&["scan", "/dev/null"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[cfg(unix)]
#[test]
fn scan_skips_a_fifo_in_a_folder_with_a_note() {
    let dir = folder();
    fifo(&dir.path().join("pipe"));
    std::fs::write(dir.path().join("script.sh"), "echo hi\n").unwrap();
    let run = doctor(&["scan", &dir.path().display().to_string()], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_contains_all(&run.stderr, &["note: skipped", "pipe"], &run);
}

/// Decision: `--redact-ids` hides the client id's last four characters too
/// (its masked form `****f0e9` becomes the id's hash), in every output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redact_ids_hides_the_client_ids_last_four_characters_too() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let env = app_env(&sim, &world);
    let id = &world.login.client_id;
    let masked = format!("****{}", &id[id.len() - 4..]);
    for format in ["table", "json", "markdown", "junit"] {
        let run = doctor_async(&["check", "-v", "--redact-ids", "--format", format], &env).await;
        assert!(run.code <= 1, "{run:?}");
        assert!(
            !run.output().contains(&masked) && !run.output().contains(id.as_str()),
            "{format}: {}",
            run.output()
        );
    }
    sim.stop().await;
}

/// Decision: `--secret-file` keeps the secret off the terminal, so asking to
/// print it too is a usage error, not a silent choice of one.
#[test]
fn create_app_show_secret_with_secret_file_is_a_usage_error() {
    let dir = folder();
    let secret = dir.path().join("new-secret");
    let host = format!("http://127.0.0.1:{}", closed_port());
    let run = doctor(
        &[
            "create",
            "app",
            "--name",
            "x",
            "--show-secret",
            "--secret-file",
            &secret.display().to_string(),
        ],
        &with_host(&host),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_contains_all(&run.stderr, &["--show-secret", "--secret-file"], &run);
    assert_eq!(run.stderr.trim().lines().count(), 1, "{run:?}");
    assert!(!secret.exists());
}

/// Issue 23, hole 5: anypoint-cli-v4's saved settings are read only from a
/// regular file under a size cap: a FIFO (which would block for ever), a link
/// to `/dev/zero` (which never ends) or a huge file is a warning naming it.
#[cfg(unix)]
#[test]
fn saved_settings_that_are_no_regular_file_are_a_warning_not_a_hang() {
    use anypoint_doctor::cli_v4_config::{Loaded, read};
    let dir = folder();
    let pipe = dir.path().join("config-fifo.json");
    fifo(&pipe);
    let zero = dir.path().join("config-zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let huge = dir.path().join("config-huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(64 * 1024 * 1024)
        .unwrap();
    for (path, why) in [
        (&pipe, "is not a regular file"),
        (&zero, "is not a regular file"),
        (&huge, "is too large"),
    ] {
        let (sent, got) = std::sync::mpsc::channel();
        let path_ = path.clone();
        std::thread::spawn(move || {
            // The receiver may have given up: nothing to tell then.
            let _ = sent.send(read(&path_));
        });
        let loaded = got
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("reading {} did not end", path.display()));
        match loaded {
            Loaded::Unusable(warning) => assert!(warning.contains(why), "{warning}"),
            _ => panic!("{}: not refused", path.display()),
        }
    }
}

/// Issue 23, hole 5: the rate-limit cache as a FIFO or a link to `/dev/zero`
/// is ignored with a warning; the run neither hangs nor fills the memory.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_cache_that_is_no_regular_file_is_ignored_with_a_warning() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    for make in [(|p: &Path| fifo(p)) as fn(&Path), |p: &Path| {
        std::os::unix::fs::symlink("/dev/zero", p).unwrap()
    }] {
        let home = folder();
        let cache = home.path().join("anypoint-doctor");
        std::fs::create_dir_all(&cache).unwrap();
        make(&cache.join("rate-limits.json"));
        let mut env = app_env(&sim, &world);
        let cache_home = home.path().to_str().unwrap();
        env.push(("XDG_CACHE_HOME", cache_home));
        let run = doctor_async(&["check", "--select", "auth"], &env).await;
        assert_eq!(run.code, 0, "{run:#?}");
        assert!(
            run.stderr.contains("rate-limit cache") && run.stderr.contains("is not a regular file"),
            "{run:#?}"
        );
    }
    sim.stop().await;
}
