//! Hardening: the secrets part of the threat model (see main.rs).
//!
//! Two guards keep a secret out of output: redaction masks it in every body
//! the doctor keeps, in values and keys alike; the canary reads every byte a
//! command writes and refuses to write it, whatever form the renderer or an
//! echoing server gave it. These tests echo the run's own secrets back from
//! a fake platform (through every command) and feed hostile renderings to
//! the canary, with the oracle's encoders written here, apart from the
//! doctor's.

use anypoint_doctor::platform::Evidence;
use anypoint_doctor::report::Format;
use anypoint_doctor::report::model::{LeastPrivilege, System, Target, Tool};
use anypoint_doctor::report::terminal::{self, TableOptions};
use anypoint_doctor::report::{Outcome, Report, Status, Summary, render};
use anypoint_doctor::secret::Secret;
use anypoint_doctor::secret::canary::Canary;
use mockito::{Matcher, Server, ServerGuard};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use crate::support::IN_FLIGHT;
use crate::support::bin::{Run, doctor, doctor_async};

const CLIENT_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";
const CLIENT_SECRET: &str = "echo-secret-Zq8u2Kx9Lm4vR7t";
const ACCESS_TOKEN: &str = "echo-token-Hy7Pw3Nd6Rt1Q0z";
const TOKEN_PATH: &str = "/accounts/api/v2/oauth2/token";
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

// ------------------------------------------------------------ the oracle

/// The encodings a server or a renderer may give a value, written apart from
/// the doctor's own list so that one cannot hide a gap in the other.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    Raw,
    Json,
    JsonTwice,
    Xml,
    HtmlNumeric,
    UrlUpper,
    UrlLowerPlus,
    /// Standard base64 of the value after `n` other bytes.
    Base64(usize),
    UrlSafeBase64(usize),
    Collapsed,
}

const ENCODINGS: &[Encoding] = &[
    Encoding::Raw,
    Encoding::Json,
    Encoding::JsonTwice,
    Encoding::Xml,
    Encoding::HtmlNumeric,
    Encoding::UrlUpper,
    Encoding::UrlLowerPlus,
    Encoding::Base64(0),
    Encoding::Base64(1),
    Encoding::Base64(2),
    Encoding::UrlSafeBase64(1),
    Encoding::Collapsed,
];

fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

fn base64(bytes: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

impl Encoding {
    fn apply(self, text: &str) -> String {
        let url = |upper: bool, plus: bool| {
            text.bytes()
                .map(|b| match b {
                    b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => {
                        char::from(b).to_string()
                    }
                    b' ' if plus => "+".into(),
                    b if upper => format!("%{b:02X}"),
                    b => format!("%{b:02x}"),
                })
                .collect::<String>()
        };
        match self {
            Encoding::Raw => text.to_string(),
            Encoding::Json => json_inner(text),
            Encoding::JsonTwice => json_inner(&json_inner(text)),
            Encoding::Xml => text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;"),
            // As Go's html.EscapeString writes it.
            Encoding::HtmlNumeric => text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&#34;")
                .replace('\'', "&#39;"),
            Encoding::UrlUpper => url(true, false),
            Encoding::UrlLowerPlus => url(false, true),
            Encoding::Base64(n) => base64(format!("{}{text}", &"u:x"[..n]).as_bytes(), false),
            Encoding::UrlSafeBase64(n) => base64(format!("{}{text}", &"u:x"[..n]).as_bytes(), true),
            Encoding::Collapsed => text.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// Output holds none of these forms of `secret` (the checks a reader of a
/// leaked log could decode by hand).
fn assert_clean(output: &str, secret: &str, context: &str) {
    for encoding in ENCODINGS {
        let form = match encoding {
            // Only the part that depends on the secret alone: the ends mix with their neighbours.
            Encoding::Base64(_) | Encoding::UrlSafeBase64(_) => {
                let full = encoding.apply(secret);
                full.get(4..full.len().saturating_sub(4))
                    .unwrap_or("")
                    .to_string()
            }
            _ => encoding.apply(secret),
        };
        assert!(
            form.len() < 8 || !output.contains(&form),
            "{context}: the secret leaked as {encoding:?} ({form}):\n{output}"
        );
    }
}

// ------------------------------------------------------------ hole 1: commands

/// Which secret the fake platform echoes back, as a JSON key.
#[derive(Debug, Clone, Copy)]
enum Echoed {
    /// The token endpoint refuses, echoing the client secret it was sent.
    ClientSecret,
    /// The token is issued, and every authorized call is refused echoing it.
    AccessToken,
}

/// A platform that echoes a secret in an error body shaped by `body`
/// (which gets the secret in the encoding it chose).
async fn echoing(echoed: Echoed, body: &str) -> ServerGuard {
    let mut server = Server::new_async().await;
    let token = match echoed {
        Echoed::ClientSecret => (401, body.to_string()),
        Echoed::AccessToken => (
            200,
            format!(
                r#"{{"access_token": "{ACCESS_TOKEN}", "token_type": "bearer", "expires_in": 3600}}"#
            ),
        ),
    };
    server
        .mock("POST", TOKEN_PATH)
        .with_status(token.0)
        .with_header("content-type", "application/json")
        .with_body(token.1)
        .create_async()
        .await;
    refuse_every_authorized_call(&mut server, &[], body).await;
    server
}

/// Every call that carries the token (the token request carries none)
/// refused with 401, `headers` and `body`.
async fn refuse_every_authorized_call(
    server: &mut ServerGuard,
    headers: &[(&str, &str)],
    body: &str,
) {
    for method in METHODS {
        let mut mock = server
            .mock(method, Matcher::Any)
            .match_header("authorization", Matcher::Regex("^Bearer ".into()))
            .with_status(401)
            .with_header("content-type", "application/json");
        for (name, value) in headers {
            mock = mock.with_header(*name, value);
        }
        mock.with_body(body).create_async().await;
    }
}

fn secret_of(echoed: Echoed) -> &'static str {
    match echoed {
        Echoed::ClientSecret => CLIENT_SECRET,
        Echoed::AccessToken => ACCESS_TOKEN,
    }
}

/// Every command that talks to the platform, `--dry-run` included.
const COMMANDS: &[&[&str]] = &[
    &["apps"],
    &["apis"],
    &["create", "app", "--name", "echo-app"],
    &["create", "app", "--name", "echo-app", "--dry-run"],
    &["create", "contract", "--app", "echo-app", "--api", "7"],
    &[
        "create",
        "contract",
        "--app",
        "echo-app",
        "--api",
        "7",
        "--dry-run",
    ],
    &["check", "-v"],
    &["check", "--format", "json"],
];

async fn run_against(server: &ServerGuard, args: &[&str], columns: &str) -> Run {
    let url = server.url();
    doctor_async(
        args,
        &[
            ("ANYPOINT_HOST", url.as_str()),
            ("ANYPOINT_CLIENT_ID", CLIENT_ID),
            ("ANYPOINT_CLIENT_SECRET", CLIENT_SECRET),
            ("COLUMNS", columns),
        ],
    )
    .await
}

/// Issue 12, hole 1: a secret echoed as a JSON key was printed in clear on
/// stderr by `apps`, `apis`, `create app`, `create contract` (and `--dry-run`).
#[tokio::test]
async fn a_secret_echoed_as_a_json_key_reaches_no_command() {
    for echoed in [Echoed::ClientSecret, Echoed::AccessToken] {
        let secret = secret_of(echoed);
        let server = echoing(echoed, &format!(r#"{{"{secret}": "not recognised"}}"#)).await;
        for args in COMMANDS {
            let run = run_against(&server, args, "120").await;
            let context = format!("{echoed:?} {args:?}");
            assert!(!run.stderr.contains("panicked"), "{context}: {run:#?}");
            assert_ne!(run.code, 0, "{context}: the platform refused: {run:#?}");
            assert_clean(&run.output(), secret, &context);
        }
    }
}

/// Hole 1 and 2 together: the echo in each encoding, as key and as value,
/// through a listing command and through `check` at the widths that wrap.
#[tokio::test]
async fn an_echo_in_any_encoding_reaches_no_command() {
    use futures::StreamExt;
    let mut cases = Vec::new();
    for echoed in [Echoed::ClientSecret, Echoed::AccessToken] {
        for encoding in ENCODINGS {
            let form = encoding.apply(secret_of(echoed));
            let quoted = json_inner(&form);
            for body in [
                format!(r#"{{"{quoted}": 1}}"#),
                format!(r#"{{"detail": "echo {quoted} echo"}}"#),
                format!("refused: {form}"),
            ] {
                cases.push((echoed, encoding, body));
            }
        }
    }
    // Each case has a server of its own: several at once.
    futures::stream::iter(&cases)
        .for_each_concurrent(IN_FLIGHT, |(echoed, encoding, body)| async move {
            let secret = secret_of(*echoed);
            let server = echoing(*echoed, body).await;
            for (args, columns) in [(&["apps"][..], "120"), (&["check", "-v"][..], "60")] {
                let run = run_against(&server, args, columns).await;
                let context = format!("{echoed:?} {encoding:?} {body} {args:?}");
                assert!(!run.stderr.contains("panicked"), "{context}: {run:#?}");
                assert_clean(&run.output(), secret, &context);
            }
        })
        .await;
}

/// Hole 2: a secret shorter than the minimum was never masked; it is now
/// refused before anything is sent, naming the setting.
#[tokio::test]
async fn a_secret_too_short_to_mask_is_refused_before_anything_is_sent() {
    let mut server = Server::new_async().await;
    let mut nothing = Vec::new();
    for method in METHODS {
        nothing.push(
            server
                .mock(method, Matcher::Any)
                .expect(0)
                .create_async()
                .await,
        );
    }
    let url = server.url();
    for (variable, extra) in [
        ("ANYPOINT_CLIENT_SECRET", ("ANYPOINT_CLIENT_ID", CLIENT_ID)),
        ("ANYPOINT_BEARER", ("ANYPOINT_CLIENT_ID", CLIENT_ID)),
    ] {
        for args in [&["check"][..], &["apps"][..]] {
            let run = doctor_async(
                args,
                &[("ANYPOINT_HOST", url.as_str()), extra, (variable, "s3cr3t")],
            )
            .await;
            assert_eq!(run.code, 2, "{variable} {args:?}: {run:#?}");
            assert!(run.stdout.is_empty(), "{run:#?}");
            let lines: Vec<&str> = run.stderr.lines().collect();
            assert_eq!(lines.len(), 1, "{run:#?}");
            assert!(
                lines[0].contains(variable) && lines[0].contains("6 characters"),
                "{run:#?}"
            );
            assert!(!run.stderr.contains("s3cr3t"), "{run:#?}");
        }
    }
    for mock in nothing {
        mock.assert_async().await;
    }
}

// ------------------------------------------------------------ hole 2: the canary

fn outcome(summary: &str) -> Outcome {
    Outcome {
        id: "auth.token".into(),
        category: "auth".into(),
        title: "Token".into(),
        status: Status::Fail,
        code: anypoint_doctor::report::model::Reason::CredentialsRefused,
        target: Some("Sandbox".into()),
        summary: summary.into(),
        remediation: Some("check the client id and secret".into()),
        inferred: false,
        blocked_by: None,
        missing_scope: None,
        maybe_missing: Vec::new(),
        rests_on: None,
        settled_by_grants: false,
        evidence: vec![Evidence {
            at: "2026-01-01T00:00:00.000Z".into(),
            method: "POST".into(),
            url: "https://anypoint.mulesoft.com/accounts/api/v2/oauth2/token".into(),
            status: Some(401),
            elapsed_ms: 12,
            trx_id: None,
            request_id: None,
            attempts: 1,
        }],
        duration_ms: 12,
    }
}

fn report(summary: &str) -> Report {
    let checks = vec![outcome(summary)];
    Report {
        schema_version: 1,
        tool: Tool::this(),
        generated_at: "2026-01-01T00:00:00Z".into(),
        system: System::this(),
        target: Target {
            host: "https://anypoint.mulesoft.com".into(),
            org_id: None,
            org_name: None,
            root_org_id: None,
            client_id: None,
            environments: Vec::new(),
        },
        settings: Vec::new(),
        summary: Summary::of(&checks),
        checks,
        next_steps: Vec::new(),
        changes: None,
        least_privilege: None::<LeastPrivilege>,
        preflight: None,
        duration_ms: 1,
        rerun_flags: String::new(),
    }
}

fn canary(secret: &str) -> Canary {
    Canary::new(vec![("client secret", Secret::new(secret))])
}

/// Every way a report is written: each format, and the terminal views at
/// the widths that wrap (list below 100 columns, table above, the bare
/// table of a command's diagnosis).
fn renderings(summary: &str) -> Vec<(String, String)> {
    let report = report(summary);
    let mut out = Vec::new();
    for format in [Format::Json, Format::Markdown, Format::Junit] {
        let options = TableOptions {
            color: false,
            width: Some(120),
            verbose: true,
        };
        out.push((format!("{format:?}"), render(&report, format, options)));
    }
    for width in [60, 70, 90, 100, 120] {
        for verbose in [false, true] {
            for color in [false, true] {
                let options = TableOptions {
                    color,
                    width: Some(width),
                    verbose,
                };
                out.push((
                    format!("table {width} verbose={verbose} color={color}"),
                    render(&report, Format::Table, options),
                ));
            }
        }
        let options = TableOptions {
            color: false,
            width: Some(width),
            verbose: false,
        };
        out.push((
            format!("diagnosis {width}"),
            terminal::full::outcomes_table(&report.checks, options),
        ));
    }
    out
}

fn assert_refused(secret: &str, summary: &str) {
    let canary = canary(secret);
    for (how, text) in renderings(summary) {
        assert!(
            canary.check(text.as_bytes(), "stdout").is_err(),
            "{how}: the canary let {secret:?} through:\n{text}"
        );
    }
}

/// A long unbroken token and a phrase both get wrapped inside a narrow cell.
#[test]
fn a_secret_wrapped_across_table_lines_is_refused() {
    for secret in [
        "wrap-0123456789abcdefghijklmnopqrstuvwxyz",
        "correct horse battery staple under the moon",
    ] {
        assert_refused(
            secret,
            &format!("the platform answered: unknown client {secret} (HTTP 401)"),
        );
    }
}

/// A `"` or `\` in the secret: escaped twice when an excerpt of a JSON body
/// is in the JSON report, XML-escaped in JUnit.
#[test]
fn a_secret_with_quotes_or_backslashes_is_refused_in_every_format() {
    for secret in [
        r#"quo"te-Zq8u2Kx9"#,
        r"back\slash-Zq8u2Kx9",
        r#"<&'"\>-Zq8u2Kx9"#,
    ] {
        assert_refused(secret, &format!("unknown client {secret}"));
        // An excerpt of a JSON body carries the secret JSON-escaped already.
        assert_refused(
            secret,
            &format!(r#"HTTP 401: {{"client": "{}"}}"#, json_inner(secret)),
        );
    }
}

/// A tab in the secret, collapsed to a space by the excerpt.
#[test]
fn a_secret_with_a_tab_collapsed_is_refused() {
    let secret = "tab\tin-the-Zq8u2Kx9";
    assert_refused(
        secret,
        &format!("unknown client {}", Encoding::Collapsed.apply(secret)),
    );
}

/// URL-encoded, base64 and HTML-escaped echoes.
#[test]
fn encoded_echoes_are_refused() {
    let secret = "enc/od+ed=Zq8u2 Kx9&<q>";
    for encoding in ENCODINGS {
        assert_refused(secret, &format!("echo {} echo", encoding.apply(secret)));
    }
}

/// Nothing a run writes without its secret is refused: the canary can only fire on a leak.
#[test]
fn the_canary_lets_innocent_output_through() {
    let canary = canary(CLIENT_SECRET);
    for (how, text) in renderings("unknown client 7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9: check the id") {
        assert!(
            canary.check(text.as_bytes(), "stdout").is_ok(),
            "{how}:\n{text}"
        );
    }
}

/// The `-v` fingerprint: 16 bits and the length, too few to test guesses of
/// a weak secret against offline.
#[test]
fn the_fingerprint_is_too_short_to_confirm_a_guess() {
    let masked = Secret::new("password").masked();
    let hex = masked
        .strip_prefix("**** sha256:")
        .and_then(|rest| rest.strip_suffix(" (8 chars)"))
        .unwrap_or_else(|| panic!("{masked}"));
    assert_eq!(hex.len(), 4, "{masked}");
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{masked}");
    // Stable: two reports tell whether the secret changed.
    assert_eq!(masked, Secret::new("password").masked());
}

/// `check -v` prints the fingerprint in its settings; the run's own secret stays out.
#[test]
fn verbose_settings_show_the_short_fingerprint() {
    let run = doctor(
        &[
            "check",
            "-v",
            "--select",
            "net.proxy",
            "--host",
            "http://127.0.0.1:9",
        ],
        &[
            ("ANYPOINT_CLIENT_ID", CLIENT_ID),
            ("ANYPOINT_CLIENT_SECRET", CLIENT_SECRET),
        ],
    );
    let row = run
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("client secret"))
        .unwrap_or_else(|| panic!("{run:#?}"));
    let fingerprint = Secret::new(CLIENT_SECRET).masked();
    assert!(row.contains(&fingerprint), "{row}");
    assert!(
        fingerprint.len() < "**** sha256:12345678 (27 chars)".len(),
        "{fingerprint}"
    );
    assert_clean(&run.output(), CLIENT_SECRET, "check -v");
}

// ------------------------------------------------------------ issue 23, hole 4: case

/// Issue 23, hole 4: HTTP lower-cases header names, so a secret with
/// upper-case letters echoed as a header name escaped the case-sensitive
/// masking and canary, and `--har` wrote it. The fake platform echoes the
/// client secret as a header name of the token answer, and both secrets as
/// header names of every other answer.
#[tokio::test]
async fn a_secret_echoed_as_a_header_name_reaches_no_har() {
    let mut server = Server::new_async().await;
    server
        .mock("POST", TOKEN_PATH)
        .with_header("content-type", "application/json")
        .with_header(CLIENT_SECRET, "echoed")
        .with_body(format!(
            r#"{{"access_token": "{ACCESS_TOKEN}", "token_type": "bearer", "expires_in": 3600}}"#
        ))
        .create_async()
        .await;
    let echoes = [(CLIENT_SECRET, "echoed"), (ACCESS_TOKEN, "echoed")];
    refuse_every_authorized_call(&mut server, &echoes, "{}").await;
    let har = crate::support::fs::temp_dir("har-header-name").join("check.har");
    let path = har.display().to_string();
    let run = run_against(&server, &["check", "--har", &path], "120").await;
    assert!(!run.stderr.contains("panicked"), "{run:#?}");
    let text = std::fs::read_to_string(&har).expect("the HAR is written, masked");
    for secret in [CLIENT_SECRET, ACCESS_TOKEN] {
        for form in [
            secret.to_string(),
            secret.to_ascii_lowercase(),
            secret.to_ascii_uppercase(),
        ] {
            assert!(!text.contains(&form), "{form} is in the HAR:\n{text}");
            assert!(!run.output().contains(&form), "{form}: {run:#?}");
        }
    }
    let har: serde_json::Value = serde_json::from_str(&text).expect("the HAR is JSON");
    let masked_names = har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .flat_map(|e| {
            e["response"]["headers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter(|h| h["name"] == "****")
        .count();
    assert!(
        masked_names >= 3,
        "the echoes are recorded, masked:\n{text}"
    );
}

/// The canary, too, finds a secret whatever the case of its letters.
#[test]
fn the_canary_refuses_a_secret_in_another_case() {
    let canary = canary(CLIENT_SECRET);
    for form in [
        CLIENT_SECRET.to_ascii_lowercase(),
        CLIENT_SECRET.to_ascii_uppercase(),
        format!("{{\"{}\": 1}}", CLIENT_SECRET.to_ascii_lowercase()),
    ] {
        assert!(
            canary.check(form.as_bytes(), "check.har").is_err(),
            "the canary let {form:?} through"
        );
    }
}

// ------------------------------------------------------------ properties

fn config() -> Config {
    Config {
        cases: 96,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x0a4e_9012),
        ..Config::default()
    }
}

/// Secrets as hostile as a user or a server could make them: printable
/// ASCII with quotes, backslashes, markup, URL and base64 specials, spaces
/// and tabs; at least 12 characters with 8 that are not layout.
fn hostile_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9\"\\\\<>&'/+=% \t~-]{12,40}".prop_filter("enough that is not layout", |s| {
        s.chars().filter(|c| !c.is_whitespace()).count() >= 8
    })
}

fn encoding() -> impl Strategy<Value = Encoding> {
    proptest::sample::select(ENCODINGS.to_vec())
}

proptest! {
    #![proptest_config(config())]

    /// The secret in any encoding, as a JSON key or value of an echoed
    /// body, in any format and at any width: the canary refuses it.
    #[test]
    fn the_canary_refuses_a_hostile_echo_in_any_rendering(
        secret in hostile_secret(),
        encoding in encoding(),
        as_key in any::<bool>(),
        width in 40u16..140,
        format in proptest::sample::select(vec![Format::Table, Format::Json, Format::Markdown, Format::Junit]),
    ) {
        let form = json_inner(&encoding.apply(&secret));
        let body = if as_key { format!(r#"{{"{form}": 1}}"#) } else { format!(r#"{{"detail": "{form}"}}"#) };
        // Verbose: the compact view cuts a finding at two lines, and a cut
        // secret is not one the canary can know (see the README's limits).
        let options = TableOptions { color: false, width: Some(width), verbose: true };
        let text = render(&report(&format!("HTTP 401: {body}")), format, options);
        prop_assert!(canary(&secret).check(text.as_bytes(), "stdout").is_err(), "{}", text);
    }
}
