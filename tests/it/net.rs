//! The network checks end to end, loopback only: a name under `.invalid`, a
//! closed port, the simulator over https with its own certificate (with and
//! without `--ca-file`), a small proxy written here (absolute-URI for http,
//! CONNECT for https, or a 407), and a simulator whose clock is ahead.
//!
//! The binary runs with a cleared environment plus what each test gives, so
//! the proxy variables it sees are exactly the test's.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anypoint_doctor::RunOptions;
use anypoint_doctor::report::{Outcome, Report, Status};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::support::assert_contains_all;
use crate::support::bin::{BIN, Run, doctor_async};
use crate::support::fs::{ROOT, temp_dir};
use crate::support::sim::{
    RunningSim, ServeOptions, World, diagnose_world, login_env, serve_with, world,
};
/// Credentials of an app no server is asked about.
const SOME_APP: [(&str, &str); 2] = [
    ("ANYPOINT_CLIENT_ID", "0a1b2c3d4e5f"),
    ("ANYPOINT_CLIENT_SECRET", "a-long-enough-secret"),
];
const NET: [&str; 5] = ["net.proxy", "net.dns", "net.tcp", "net.tls", "net.clock"];

/// `check --format json ARGS` in the binary, on the blocking pool so the
/// in-process simulator and proxy keep serving.
async fn check(args: &[&str], env: &[(&'static str, &str)]) -> Run {
    let args: Vec<&str> = ["check", "--format", "json"]
        .iter()
        .chain(args)
        .copied()
        .collect();
    doctor_async(&args, env).await
}

fn healthy() -> World {
    world("healthy")
}

fn outcome<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no outcome for {id}: {report:#}"))
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    outcome(report, id)["status"].as_str().expect("status")
}

fn text(outcome: &Value) -> String {
    format!(
        "{} {}",
        outcome["summary"].as_str().unwrap_or_default(),
        outcome["remediation"].as_str().unwrap_or_default()
    )
}

/// Every check after `cause` was skipped because of it, and the run exits 3.
fn assert_blocked_by(run: &Run, cause: &str) {
    assert_eq!(run.code, 3, "{run:#?}");
    let report = run.json();
    let checks = report["checks"].as_array().expect("checks");
    let at = checks
        .iter()
        .position(|c| c["id"] == cause)
        .expect("the cause ran");
    assert_eq!(checks[at]["status"], "error", "{:#}", checks[at]);
    for later in &checks[at + 1..] {
        assert_eq!(later["status"], "skip", "{later:#}");
        assert_eq!(later["blocked_by"], cause, "{later:#}");
    }
    let all = run.stdout.to_lowercase();
    for wrong in [
        "invalid credentials",
        "refused the client credentials",
        "missing scope",
    ] {
        assert!(!all.contains(wrong), "{wrong:?} in {run:#?}");
    }
}

fn temp_cert(name: &str) -> PathBuf {
    temp_dir("net").join(format!("{name}.pem"))
}

async fn start(world: World, tls: Option<PathBuf>) -> RunningSim {
    serve_with(
        world,
        ServeOptions {
            port: 0,
            tls_cert_file: tls,
            ..ServeOptions::default()
        },
    )
    .await
}

// ------------------------------------------------------------------ proxy

/// What the test proxy does with each connection.
#[derive(Clone, Copy)]
enum Mode {
    /// CONNECT tunnels, and absolute-URI requests relayed to their origin.
    Forward,
    /// Asks for proxy credentials.
    RequireAuth,
    /// An egress filter: its own 403 page, for every request.
    Deny,
}

/// A proxy on loopback; `seen` keeps the first line of every request it got.
struct Proxy {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn proxy(mode: Mode) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(serve(client, mode, Arc::clone(&log)));
        }
    });
    Proxy {
        url: format!("http://{address}"),
        seen,
    }
}

async fn serve(mut client: TcpStream, mode: Mode, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let first = head.lines().next().unwrap_or_default().to_string();
    seen.lock().unwrap().push(first.clone());
    let mut parts = first.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if let Mode::Deny = mode {
        let page = "<html><title>Blocked by policy</title><body>Access denied</body></html>";
        let _ = client
            .write_all(format!("HTTP/1.1 403 Forbidden\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}", page.len()).as_bytes())
            .await;
        return;
    }
    if let Mode::RequireAuth = mode {
        let _ = client
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
        return;
    }
    let (origin, forwarded) = if method == "CONNECT" {
        (target.to_string(), None)
    } else {
        let url = Url::parse(target).expect("an absolute URI");
        let origin = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
        let path = &url[url::Position::BeforePath..];
        // Origin-form for the server; one connection, one origin: every request goes to it.
        let rewritten = head.replacen(target, path, 1);
        (origin, Some(rewritten))
    };
    let Ok(mut upstream) = TcpStream::connect(&origin).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    match forwarded {
        None => {
            let _ = client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await;
        }
        Some(request) => {
            let _ = upstream.write_all(request.as_bytes()).await;
        }
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

// ------------------------------------------------------------------ tests

#[tokio::test]
async fn a_name_that_does_not_resolve_is_a_dns_error_that_blocks_everything() {
    let run = check(&["--host", "https://anypoint.invalid"], &SOME_APP).await;
    assert_blocked_by(&run, "net.dns");
    let report = run.json();
    assert_eq!(status(&report, "net.proxy"), "pass");
    assert!(text(outcome(&report, "net.dns")).contains("anypoint.invalid does not resolve"));
}

#[tokio::test]
async fn a_closed_port_is_a_tcp_error_that_blocks_everything() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let host = format!("http://127.0.0.1:{port}");
    let run = check(&["--host", &host], &SOME_APP).await;
    assert_blocked_by(&run, "net.tcp");
    let report = run.json();
    assert!(
        text(outcome(&report, "net.dns")).contains("IP address: no lookup needed"),
        "{report:#}"
    );
    let tcp = text(outcome(&report, "net.tcp"));
    assert_contains_all(&tcp, &[&format!("127.0.0.1:{port}"), "refused"], &tcp);
}

#[tokio::test]
async fn an_untrusted_certificate_names_its_issuer_and_ca_file_fixes_it() {
    let cert = temp_cert("tls");
    let world = healthy();
    let sim = start(world.clone(), Some(cert.clone())).await;
    let [id, secret] = login_env(&world);
    let env = [id, secret];

    let run = check(&["--host", &sim.base_url], &env).await;
    assert_blocked_by(&run, "net.tls");
    let tls = text(outcome(&run.json(), "net.tls"));
    for wanted in [
        "rcgen self signed cert",
        "TLS inspection",
        "--ca-file",
        "SSL_CERT_FILE",
    ] {
        assert!(tls.contains(wanted), "{wanted:?} missing: {tls}");
    }
    assert!(!tls.to_lowercase().contains("attack"), "{tls}");

    let cert_path = cert.to_str().unwrap();
    let trusted = check(&["--host", &sim.base_url, "--ca-file", cert_path], &env).await;
    assert_eq!(trusted.code, 0, "{trusted:#?}");
    let report = trusted.json();
    for id in NET {
        assert_eq!(status(&report, id), "pass", "{id}: {report:#}");
    }
    assert!(text(outcome(&report, "net.tls")).contains("verified"));

    // SSL_CERT_FILE does the same, as it does for the system's tools.
    let mut with_var = env.to_vec();
    with_var.push(("SSL_CERT_FILE", cert_path));
    let by_variable = check(&["--host", &sim.base_url], &with_var).await;
    assert_eq!(by_variable.code, 0, "{by_variable:#?}");
    sim.stop().await;
    let _ = std::fs::remove_file(cert);
}

#[tokio::test]
async fn a_missing_or_invalid_ca_file_is_a_one_line_configuration_error() {
    let not_pem = temp_cert("not-pem");
    std::fs::write(&not_pem, "hello").unwrap();
    for (path, setting) in [
        ("/nonexistent/ca.pem", "--ca-file"),
        (not_pem.to_str().unwrap(), "--ca-file"),
    ] {
        let run = check(
            &["--host", "https://127.0.0.1:9", "--ca-file", path],
            &[
                ("ANYPOINT_CLIENT_ID", "0a1b2c3d4e5f"),
                ("ANYPOINT_CLIENT_SECRET", "a-long-enough-secret"),
            ],
        )
        .await;
        assert_eq!(run.code, 2, "{run:#?}");
        assert!(run.stdout.is_empty(), "{run:#?}");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{run:#?}");
        assert!(
            lines[0].starts_with("error: cannot use ") && lines[0].contains(setting),
            "{run:#?}"
        );
    }
    let _ = std::fs::remove_file(not_pem);
}

#[tokio::test]
async fn https_through_a_connect_proxy_works_and_says_where_the_proxy_came_from() {
    let cert = temp_cert("proxy");
    let world = healthy();
    let sim = start(world.clone(), Some(cert.clone())).await;
    let proxy = proxy(Mode::Forward).await;
    let with_credentials = proxy.url.replace("http://", "http://alice:pr0xy-pa55@");
    let [id, secret] = login_env(&world);
    let env = [id, secret, ("HTTPS_PROXY", with_credentials.as_str())];
    let run = check(
        &[
            "--host",
            &sim.base_url,
            "--ca-file",
            cert.to_str().unwrap(),
            "-v",
        ],
        &env,
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let report = run.json();
    let proxy_line = text(outcome(&report, "net.proxy"));
    let address = proxy.url.trim_start_matches("http://");
    assert_contains_all(
        &proxy_line,
        &["from HTTPS_PROXY", &format!("http://****:****@{address}")],
        &proxy_line,
    );
    assert!(text(outcome(&report, "net.dns")).contains("resolves"));
    assert!(
        !run.stdout.contains("pr0xy-pa55") && !run.stderr.contains("pr0xy-pa55"),
        "the proxy password leaked: {run:#?}"
    );
    assert!(
        run.stderr.contains("HTTPS_PROXY"),
        "provenance: {}",
        run.stderr
    );
    let target = sim.base_url.trim_start_matches("https://");
    let seen = proxy.seen.lock().unwrap().clone();
    assert!(
        !seen.is_empty()
            && seen
                .iter()
                .all(|l| l == &format!("CONNECT {target} HTTP/1.1")),
        "{seen:#?}"
    );
    sim.stop().await;
    let _ = std::fs::remove_file(cert);
}

#[tokio::test]
async fn plain_http_goes_through_http_proxy_with_absolute_uris_and_no_proxy_exempts() {
    let world = healthy();
    let sim = start(world.clone(), None).await;
    let proxy = proxy(Mode::Forward).await;
    let [id, secret] = login_env(&world);
    let env = [id, secret, ("HTTP_PROXY", proxy.url.as_str())];
    // The loopback exception holds for the route: through a proxy, plain
    // http is refused unless asked for.
    let refused = check(&["--host", &sim.base_url], &env).await;
    assert_eq!(refused.code, 2, "{refused:#?}");
    assert_contains_all(
        &refused.stderr,
        &["through the proxy", "HTTP_PROXY"],
        &refused,
    );
    assert!(proxy.seen.lock().unwrap().is_empty(), "nothing was sent");
    let run = check(&["--host", &sim.base_url, "--allow-insecure-http"], &env).await;
    assert_eq!(run.code, 0, "{run:#?}");
    let report = run.json();
    assert!(text(outcome(&report, "net.proxy")).contains("from HTTP_PROXY"));
    assert_eq!(status(&report, "net.tls"), "skip");
    // Absolute URIs on every connection (the proxy sees each one's first
    // request; GET / and the token request go out together, so either may open it).
    let seen = proxy.seen.lock().unwrap().clone();
    assert!(
        !seen.is_empty()
            && seen.iter().all(|l| l
                .split(' ')
                .nth(1)
                .is_some_and(|target| target.starts_with(&format!("{}/", sim.base_url)))),
        "{seen:#?}"
    );

    let before = proxy.seen.lock().unwrap().len();
    let mut exempt = env.to_vec();
    exempt.push(("no_proxy", "localhost,127.0.0.1"));
    let direct = check(&["--host", &sim.base_url], &exempt).await;
    assert_eq!(direct.code, 0, "{direct:#?}");
    let proxy_line = text(outcome(&direct.json(), "net.proxy"));
    assert!(
        proxy_line.contains("\"127.0.0.1\" in no_proxy exempts 127.0.0.1"),
        "{proxy_line}"
    );
    assert_eq!(
        proxy.seen.lock().unwrap().len(),
        before,
        "went through the proxy"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_proxy_asking_for_credentials_is_named_and_never_blamed_on_the_app() {
    let cert = temp_cert("407");
    let world = healthy();
    let https = start(world.clone(), Some(cert.clone())).await;
    let http = start(world.clone(), None).await;
    let proxy = proxy(Mode::RequireAuth).await;
    let [id, secret] = login_env(&world);
    for (base, variable) in [
        (&https.base_url, "HTTPS_PROXY"),
        (&http.base_url, "HTTP_PROXY"),
    ] {
        let env = [id, secret, (variable, proxy.url.as_str())];
        let args = [
            "--host",
            base,
            "--ca-file",
            cert.to_str().unwrap(),
            "--allow-insecure-http",
        ];
        let run = check(&args, &env).await;
        assert_blocked_by(&run, "net.tls");
        let tls = text(outcome(&run.json(), "net.tls"));
        assert!(
            tls.contains("asks for proxy credentials") && tls.contains("407"),
            "{base}: {tls}"
        );
        assert!(
            tls.contains(&format!("{variable}=http://USER:PASSWORD@")),
            "{tls}"
        );
    }
    https.stop().await;
    http.stop().await;
    let _ = std::fs::remove_file(cert);
}

/// An egress filter's own 403 on the token request is told apart from the
/// platform's refusal: no platform header, no OAuth body.
#[tokio::test]
async fn a_filters_own_403_is_never_read_as_refused_credentials() {
    let world = healthy();
    let sim = start(world.clone(), None).await;
    let proxy = proxy(Mode::Deny).await;
    let [id, secret] = login_env(&world);
    let env = [id, secret, ("HTTP_PROXY", proxy.url.as_str())];
    let run = check(&["--host", &sim.base_url, "--allow-insecure-http"], &env).await;
    let report = run.json();
    let token = outcome(&report, "auth.token");
    assert_eq!(token["status"], "error", "{token:#}");
    let said = text(token);
    assert!(
        said.contains("did not come from the platform")
            && said.contains("the proxy http://127.0.0.1")
            && said.contains("HTTP_PROXY")
            && !said.contains("refused the client credentials"),
        "{said}"
    );
    assert_eq!(run.code, 3, "could not check, not a failed check: {run:#?}");
    sim.stop().await;
}

/// `diagnose` in-process against a simulator of `world`.
async fn diagnose_healthy(world: World) -> Report {
    diagnose_world(&world, &RunOptions::default(), |_| {})
        .await
        .report
}

fn find<'a>(report: &'a Report, id: &str) -> &'a Outcome {
    report.checks.iter().find(|o| o.id == id).expect("outcome")
}

#[tokio::test]
async fn a_server_clock_ten_minutes_ahead_warns_with_size_and_direction() {
    let mut world = healthy();
    world.clock_skew_secs = 600;
    let report = diagnose_healthy(world).await;
    let clock = find(&report, "net.clock");
    assert_eq!(clock.status, Status::Warn, "{clock:#?}");
    assert!(
        clock.summary.contains("10 min (600 s) behind the server's")
            || clock.summary.contains("9 min (599 s) behind the server's")
            || clock.summary.contains("10 min (601 s) behind the server's"),
        "{clock:#?}"
    );
    assert!(clock.remediation.as_deref().unwrap_or("").contains("NTP"));
    // A warning blocks nothing: the token was still asked for.
    assert_eq!(find(&report, "auth.token").status, Status::Pass);

    let in_sync = diagnose_healthy(healthy()).await;
    assert_eq!(find(&in_sync, "net.clock").status, Status::Pass);
}

/// `sim --tls` prints what to export; a shell that exports exactly that
/// gets a verified TLS connection and a token.
#[test]
fn sim_tls_instructions_run_as_printed() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let cert = temp_dir("sim-tls").join("sim.pem");
    let mut sim = Command::new(BIN)
        .args([
            "sim",
            "--tls",
            "--port",
            "0",
            "--cert-file",
            cert.to_str().unwrap(),
        ])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the simulator starts");
    let stdout = sim.stdout.take().expect("its stdout");
    let mut exports: Vec<(String, String)> = Vec::new();
    // The instructions end with a last line: the server listens by then.
    // The reader stays open until the simulator is stopped: closing the pipe
    // early would make its next line fail and stop it.
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some((name, value)) = line
            .trim()
            .strip_prefix("export ")
            .and_then(|e| e.split_once('='))
        {
            exports.push((name.to_string(), value.to_string()));
        }
        if line.trim() == "Serving until Ctrl-C." {
            break;
        }
    }
    let names: Vec<&str> = exports.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"SSL_CERT_FILE"), "{names:?}");
    let output = Command::new(BIN)
        .args(["check", "--select", "auth", "--format", "json"])
        .env_clear()
        .envs(exports.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .output()
        .expect("the doctor runs");
    let _ = sim.kill();
    let _ = sim.wait();
    drop(lines);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let checks = report["checks"].as_array().expect("checks");
    let verdicts: Vec<String> = checks
        .iter()
        .map(|o| format!("{} {}: {}", o["status"], o["id"], o["summary"]))
        .collect();
    for id in ["net.tls", "auth.token", "auth.identity"] {
        let status = checks.iter().find(|o| o["id"] == id).map(|o| &o["status"]);
        assert_eq!(
            status,
            Some(&Value::from("pass")),
            "{id}, with {exports:?}:\n{}\n{}",
            verdicts.join("\n"),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = std::fs::remove_file(&cert);
}

/// https to a port where the simulator serves plain http: the handshake's
/// "corrupt message" is told as what it is, a plain-HTTP server, with the
/// URL to use instead.
#[tokio::test]
async fn https_to_a_plain_http_server_says_to_use_http() {
    let sim = start(healthy(), None).await;
    let plain = sim.base_url.trim_end_matches('/').to_string();
    let https = plain.replacen("http://", "https://", 1);
    let run = check(&["--host", &https], &SOME_APP).await;
    sim.stop().await;
    assert_blocked_by(&run, "net.tls");
    let tls = outcome(&run.json(), "net.tls").clone();
    assert_eq!(tls["code"], "net.tls.server-speaks-http", "{tls:#}");
    assert_contains_all(
        &text(&tls),
        &["speaks plain HTTP, not TLS", &format!("--host {plain}")],
        &tls,
    );
    assert!(!text(&tls).contains("corrupt message"), "{tls:#}");
}

/// Whether the doctor's TLS (its crypto provider, the platform's roots and
/// `ca`, as `--ca-file` adds them) verifies `leaf` for 127.0.0.1; both from
/// `tests/fixtures/tls`, made with openssl for a century.
fn verifies(ca: &str, leaf: &str) -> Result<(), rustls::Error> {
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

    let folder = PathBuf::from(ROOT).join("tests/fixtures/tls");
    let pem = |name: &str| CertificateDer::from_pem_file(folder.join(name)).expect(name);
    let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(
        [pem(ca)],
        anypoint_doctor::platform::tls::provider(),
    )?;
    let name = ServerName::try_from("127.0.0.1").expect("an IP address");
    verifier
        .verify_server_cert(&pem(leaf), &[], &name, &[], UnixTime::now())
        .map(|_| ())
}

#[test]
fn a_private_root_signing_with_ecdsa_p256_sha256_verifies() {
    verifies("ca-p256-sha256.pem", "leaf-by-p256-sha256.pem").expect("verified");
}

/// A TLS-inspecting proxy's root on P-521, signing with SHA-512: aws-lc
/// verified it; ring has neither P-521 nor ECDSA with SHA-512. The limit
/// is told as what it is (`net.tls` names the algorithm, not trust), and
/// this test pins it: a provider that verifies it should change the docs.
#[test]
fn a_private_root_signing_with_ecdsa_p521_sha512_is_an_unsupported_algorithm() {
    let error = verifies("ca-p521-sha512.pem", "leaf-by-p521-sha512.pem")
        .expect_err("ring does not verify ECDSA P-521 with SHA-512");
    assert!(
        format!("{error:?}").contains("UnsupportedSignatureAlgorithm"),
        "{error:?}"
    );
}
