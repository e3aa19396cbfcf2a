//! Property tests of everything that reads untrusted input: the platform's
//! answers (`Reply` and the models), scenario files, the bytes `scan` reads,
//! the `--host` value and the command line. For any input: no panic, an
//! error is one line, and nothing grows without bound (an excerpt stays at
//! its cap, a hit stays within its line).
//!
//! Inputs are arbitrary bytes and text, and mutations of the real shapes
//! (the fixtures in tests/fixtures/, examples/world.toml), which reach much
//! deeper into the parsers than noise does. Case counts are modest so the
//! suite stays fast on two cores.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anypoint_doctor::cli::Cli;
use anypoint_doctor::platform::answer::Reply;
use anypoint_doctor::platform::control_plane::parse_base_url;
use anypoint_doctor::platform::models;
use anypoint_doctor::scan::matcher::Matcher;
use anypoint_doctor::scan::rules::Rules;
use clap::{CommandFactory, FromArgMatches};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// The longest excerpt of a body: 160 characters and an ellipsis.
const EXCERPT_MAX: usize = 161;
/// The longest reason a reader gives for a body it cannot use.
const REASON_MAX: usize = 600;

fn config() -> Config {
    Config {
        cases: 256,
        // A failure is printed with its minimal input; no files are left in the tree.
        failure_persistence: None,
        // The same cases on every run, so CI is deterministic.
        rng_seed: RngSeed::Fixed(0x0a4e_9019),
        ..Config::default()
    }
}

// ---------------------------------------------------------------- inputs

fn fixtures() -> &'static [(String, Vec<u8>)] {
    static FIXTURES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("tests/fixtures exists")
            .map(|e| e.expect("a fixture").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).expect("a fixture reads"))
            })
            .collect();
        out.sort();
        assert!(out.len() > 10, "the fixtures are there");
        out
    })
}

fn world_toml() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.toml"))
            .expect("examples/world.toml reads")
    })
}

/// One change to a byte string.
#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Delete { at: usize, len: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
}

/// Bytes JSON and TOML are made of, so inserts land on structure, not only noise.
const STRUCTURE: &[u8] = b"{}[]\":,=.\\ \n\t0123456789-eE+truefalsnul\x00\xff\xc3\xa9#'";

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<prop::sample::Index>();
    prop_oneof![
        (index.clone(), any::<u8>()).prop_map(|(i, byte)| Mutation::Flip {
            at: i.index(usize::MAX),
            byte
        }),
        (index.clone(), 1..64usize).prop_map(|(i, len)| Mutation::Delete {
            at: i.index(usize::MAX),
            len
        }),
        (
            index.clone(),
            prop::collection::vec(prop::sample::select(STRUCTURE), 1..8)
        )
            .prop_map(|(i, bytes)| Mutation::Insert {
                at: i.index(usize::MAX),
                bytes
            }),
        (index.clone(), 1..256usize).prop_map(|(i, len)| Mutation::Duplicate {
            at: i.index(usize::MAX),
            len
        }),
        index.prop_map(|i| Mutation::Truncate {
            at: i.index(usize::MAX)
        }),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = bytes.len();
        let at = |i: usize| if n == 0 { 0 } else { i % (n + 1) };
        match m {
            Mutation::Flip { at: i, byte } if n > 0 => bytes[i % n] = *byte,
            Mutation::Flip { .. } => {}
            Mutation::Delete { at: i, len } => {
                let start = at(*i);
                let end = (start + len).min(n);
                bytes.drain(start..end);
            }
            Mutation::Insert { at: i, bytes: new } => {
                let start = at(*i);
                bytes.splice(start..start, new.iter().copied());
            }
            Mutation::Duplicate { at: i, len } => {
                let start = at(*i);
                let end = (start + len).min(n);
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
            Mutation::Truncate { at: i } => bytes.truncate(at(*i)),
        }
    }
    bytes
}

fn mutated_fixture() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        prop::sample::select(fixtures()),
        prop::collection::vec(mutation(), 1..6),
    )
        .prop_map(|((name, bytes), mutations)| (name.clone(), mutate(bytes.clone(), &mutations)))
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("application/json".to_string())),
        Just(Some("application/json; charset=utf-8".to_string())),
        Just(Some("text/html".to_string())),
        Just(Some("text/plain".to_string())),
        any::<String>().prop_map(Some),
    ]
}

/// Bodies: arbitrary bytes, arbitrary text, HTML-ish pages, and mutated fixtures.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        any::<String>().prop_map(String::into_bytes),
        ("[ -~\n]{0,300}", "[^<]{0,300}").prop_map(|(head, title)| {
            format!("<html><head><title>{title}</title></head><body>{head}</body></html>")
                .into_bytes()
        }),
        mutated_fixture().prop_map(|(_, bytes)| bytes),
        // A platform error whose message is long or spans lines.
        (
            "[ -~\n\r\t]{0,2000}",
            "message|error|error_description|statusMessage"
        )
            .prop_map(|(text, key)| serde_json::json!({ key: text }).to_string().into_bytes()),
    ]
}

#[track_caller]
fn assert_one_line(what: &str, text: &str) {
    assert!(
        !text.contains('\n') && !text.contains('\r'),
        "{what} spans lines: {text:?}"
    );
}

/// Every model the doctor reads, read from `bytes` as the client reads them;
/// each reader's error must be one bounded line.
fn read_every_model(reply: &Reply) {
    fn one<T: serde::de::DeserializeOwned>(reply: &Reply, name: &str) {
        if let Err(reason) = reply.json::<T>() {
            let reason = reason.to_string();
            assert_one_line(name, &reason);
            assert!(
                reason.chars().count() <= REASON_MAX,
                "{name}: a reason of {} chars: {reason:?}",
                reason.chars().count()
            );
        }
        // The models straight from bytes, as the fixtures' own tests do.
        let _ = serde_json::from_slice::<T>(&reply.body);
    }
    one::<models::TokenResponse>(reply, "TokenResponse");
    one::<models::Me>(reply, "Me");
    one::<models::Organization>(reply, "Organization");
    one::<models::Hierarchy>(reply, "Hierarchy");
    one::<models::EnvironmentList>(reply, "EnvironmentList");
    one::<models::ScopeGrantList>(reply, "ScopeGrantList");
    one::<models::ApiAssetList>(reply, "ApiAssetList");
    one::<models::ApiInstance>(reply, "ApiInstance");
    one::<models::ApplicationList>(reply, "ApplicationList");
    one::<Vec<models::ClientApplication>>(reply, "Vec<ClientApplication>");
    one::<models::ClientApplication>(reply, "ClientApplication");
    one::<models::ContractList>(reply, "ContractList");
    one::<models::ApiContract>(reply, "ApiContract");
}

fn assert_reply_readers_hold(reply: &Reply) {
    let excerpt = reply.excerpt();
    assert_one_line("excerpt", &excerpt);
    assert!(!excerpt.is_empty());
    assert!(
        excerpt.chars().count() <= EXCERPT_MAX,
        "an excerpt of {} chars",
        excerpt.chars().count()
    );
    let message = reply.platform_message();
    assert_one_line("platform_message", &message);
    assert!(
        message.chars().count() <= EXCERPT_MAX + 32,
        "a message of {} chars: {message:?}",
        message.chars().count()
    );
    read_every_model(reply);
}

// ---------------------------------------------------------------- platform answers

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_reply_reads_without_panic_into_one_bounded_line(
        status in 100u16..600,
        content_type in content_type(),
        body in body(),
    ) {
        assert_reply_readers_hold(&Reply::new(status, content_type, body));
    }

    #[test]
    fn mutated_platform_answers_read_without_panic((_fixture, bytes) in mutated_fixture()) {
        let reply = Reply::new(200, Some("application/json".into()), bytes);
        assert_reply_readers_hold(&reply);
    }
}

#[test]
fn the_fixtures_themselves_read_cleanly() {
    for (_, bytes) in fixtures() {
        let reply = Reply::new(200, Some("application/json".into()), bytes.clone());
        assert_reply_readers_hold(&reply);
    }
}

/// A hostile body nests deeper than any parser's stack: an error, not a crash.
#[test]
fn deeply_nested_answers_are_an_error_not_a_stack_overflow() {
    for body in [
        "[".repeat(100_000),
        "{\"data\":".repeat(100_000),
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
    ] {
        let reply = Reply::new(200, Some("application/json".into()), body.into_bytes());
        assert_reply_readers_hold(&reply);
    }
}

// ---------------------------------------------------------------- scenario files

fn temp_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| crate::support::fs::temp_dir("properties"))
        .clone()
}

/// Loads `bytes` as a scenario file named `*.{extension}`; the error, if any, is one line.
fn load_scenario(bytes: &[u8], extension: &str) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let path = temp_dir().join(format!(
        "w{}.{extension}",
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, bytes).expect("the file is written");
    let loaded = crate::support::sim::load::from_file(&path);
    let _ = std::fs::remove_file(&path);
    if let Err(error) = loaded {
        let text = error.to_string();
        assert_one_line("scenario file error", &text);
    }
}

/// Text shaped like scenario files: keys and values the loader knows, in any order.
fn scenario_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("region = \"us\"\n".to_string()),
        Just("[login]\nclient_id = \"a\"\nclient_secret = \"b\"\n".to_string()),
        Just("[root]\nid = \"o\"\nname = \"Root\"\n".to_string()),
        Just("[[root.environments]]\nid = \"e\"\nname = \"Sandbox\"\n".to_string()),
        Just("[[connected_apps]]\nclient_id = \"a\"\nclient_secret = \"b\"\nname = \"n\"\norg = \"Root\"\n".to_string()),
        Just("scopes = [{ scope = \"x\", org = \"Root\", env = \"Sandbox\" }]\n".to_string()),
        Just("[[faults]]\npath = \"/**\"\nfault = { type = \"status\", status = 503 }\n".to_string()),
        Just("[[faults]]\npath = \"/**\"\nfault = { type = \"rate-limit\", retry_after_secs = 18446744073709551615 }\n".to_string()),
        Just("latency_ms = 18446744073709551615\n".to_string()),
        Just("clock_skew_secs = -9223372036854775808\n".to_string()),
        Just("[[contracts]]\nid = 1\napi_id = 2\napplication_id = 3\n".to_string()),
        "[a-z_]{1,12} = [0-9\"a-z\\[\\]{}]{0,12}\n",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_text_as_a_scenario_file_loads_or_names_its_error(
        text in prop_oneof![any::<String>(), scenario_like()],
        extension in prop::sample::select(&["toml", "json", "yaml"][..]),
    ) {
        load_scenario(text.as_bytes(), extension);
    }

    #[test]
    fn any_bytes_as_a_scenario_file_load_or_name_their_error(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
        extension in prop::sample::select(&["toml", "json"][..]),
    ) {
        load_scenario(&bytes, extension);
    }

    #[test]
    fn a_mutated_example_world_loads_or_names_its_error(
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        load_scenario(&mutate(world_toml().as_bytes().to_vec(), &mutations), "toml");
    }

    #[test]
    fn a_mutated_json_world_loads_or_names_its_error(
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let world = crate::support::sim::load::from_file(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.toml"),
        )
        .expect("the example loads");
        let json = serde_json::to_vec_pretty(&world).expect("a world serializes");
        load_scenario(&mutate(json, &mutations), "json");
    }
}

#[test]
fn deeply_nested_scenario_files_are_an_error_not_a_stack_overflow() {
    load_scenario(
        format!("region = {}", "[".repeat(100_000)).as_bytes(),
        "toml",
    );
    load_scenario(format!("x = {}", "{a=".repeat(100_000)).as_bytes(), "toml");
    load_scenario("[".repeat(100_000).as_bytes(), "json");
}

// ---------------------------------------------------------------- scan

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| Matcher::new(Rules::get()))
}

/// Text made of the things the rules look for: hosts, retired paths,
/// methods, curl options, secrets, placeholders, quotes and line breaks.
fn scan_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(&b"https://anypoint.mulesoft.com"[..]),
        Just(&b"eu1.anypoint.mulesoft.com"[..]),
        Just(&b"http://gov.anypoint.mulesoft.com"[..]),
        Just(&b"/apiplatform/repository/v2/organizations/"[..]),
        Just(&b"/exchange/api/v1/organizations/"[..]),
        Just(&b"/accounts/api/v2/oauth2/token"[..]),
        Just(&b"/apimanager/api/v1/organizations/"[..]),
        Just(&b"/applications"[..]),
        Just(&b"/environments/"[..]),
        Just(&b"${ORG_ID}"[..]),
        Just(&b"{{orgId}}"[..]),
        Just(&b":orgId"[..]),
        Just(&b"\" + orgId + \""[..]),
        Just(&b"curl -X POST "[..]),
        Just(&b"curl "[..]),
        Just(&b" -d '{}' "[..]),
        Just(&b"method: GET"[..]),
        Just(&b"\"method\": \"post\""[..]),
        Just(&b"client_secret="[..]),
        Just(&b"\"client_secret\": \""[..]),
        Just(&b"ANYPOINT_CLIENT_SECRET="[..]),
        Just(&b"0123456789abcdef0123456789ABCDEF"[..]),
        Just(&b" \\\n"[..]),
        Just(&b"\n"[..]),
        Just(&b"\r\n"[..]),
        Just(&b"\""[..]),
        Just(&b"'"[..]),
        Just(&b"/"[..]),
        Just(&b"\\/"[..]),
        Just(&b"\xff\xfe"[..]),
        Just(&b"\xc3"[..]),
        Just(&b"\xe2\x80\xa6"[..]),
        Just(&b"\x00"[..]),
    ];
    prop::collection::vec(
        prop_oneof![
            4 => piece.prop_map(<[u8]>::to_vec),
            1 => prop::collection::vec(any::<u8>(), 0..16),
        ],
        0..64,
    )
    .prop_map(|pieces| pieces.concat())
}

fn assert_scan_holds(buf: &[u8]) {
    let hits = matcher().scan(buf);
    let lines = buf.iter().filter(|&&b| b == b'\n').count() + 1;
    let rules = Rules::get().rules.len();
    // One hit per place a rule matched, the whole-file finding aside.
    assert!(
        hits.len() <= buf.len() + 1,
        "{} hits in {} bytes",
        hits.len(),
        buf.len()
    );
    for hit in &hits {
        assert!(hit.rule < rules, "{hit:?}");
        assert!(
            hit.line >= 1 && hit.line <= lines,
            "{hit:?} of {lines} lines"
        );
        assert!(hit.column >= 1, "{hit:?}");
        // What matched comes from the input (lossily decoded: one char per byte at
        // most); the mixed-control-planes finding names two hosts seen in it.
        assert!(
            hit.text.chars().count() <= 2 * buf.len().max(8) + 64,
            "{hit:?} from {} bytes",
            buf.len()
        );
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn scan_reads_any_bytes_without_panic(buf in prop::collection::vec(any::<u8>(), 0..4096)) {
        assert_scan_holds(&buf);
    }

    #[test]
    fn scan_reads_text_made_of_what_its_rules_look_for(buf in scan_like()) {
        assert_scan_holds(&buf);
    }

    #[test]
    fn scan_sizes_parse_or_name_their_error(text in prop_oneof![any::<String>(), "[0-9]{0,25}[kKmMgGiIbB]{0,3}"]) {
        if let Err(reason) = anypoint_doctor::scan::parse_size(&text) {
            assert_one_line("parse_size", &reason.to_string());
        }
    }
}

#[test]
fn scan_reads_long_lines_and_many_lines() {
    let long_line = "curl -X POST https://anypoint.mulesoft.com/apiplatform/repository/v2/organizations/x/applications ".repeat(2_000);
    assert_scan_holds(long_line.as_bytes());
    let many_lines = "client_secret=0123456789abcdef0123456789abcdef\n".repeat(5_000);
    assert_scan_holds(many_lines.as_bytes());
}

// ---------------------------------------------------------------- settings

fn host_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(https?|ftp|HTTP)?(://)?[a-z0-9.\\-]{0,20}(:[0-9]{0,6})?(/[a-z%]{0,8})*[?#]?[a-z]{0,4}",
        "(http://)?(\\[::1\\]|127\\.0\\.0\\.[0-9]{1,3}|localhost|0x7f\\.1|\\[::ffff:127\\.0\\.0\\.1\\])(:[0-9]{1,5})?/?",
        "[ \t\n]{0,2}[a-z@:/\\[\\]%.]{0,30}[ \t\n]{0,2}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_host_value_parses_or_names_its_error(value in host_like(), allow in any::<bool>()) {
        match parse_base_url(&value, "--host", allow) {
            Ok(url) => {
                prop_assert!(matches!(url.scheme(), "http" | "https"), "{url}");
                prop_assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{url}");
                prop_assert!(url.query().is_none() && url.fragment().is_none(), "{url}");
                prop_assert!(!url.path().ends_with('/') || url.path() == "/", "{url}");
                if !allow && url.scheme() == "http" {
                    let host = url.host_str().unwrap_or("");
                    prop_assert!(
                        host == "localhost" || host.starts_with("127.") || host == "[::1]",
                        "plain http allowed to {url}"
                    );
                }
            }
            Err(error) => assert_one_line("parse_base_url", &error.to_string()),
        }
    }
}

// ---------------------------------------------------------------- the command line

#[test]
fn the_command_line_definition_is_consistent() {
    Cli::command().debug_assert();
}

/// Argument vectors made of the real subcommands and flags, with arbitrary values between them.
fn argv() -> impl Strategy<Value = Vec<String>> {
    let word = prop_oneof![
        3 => prop::sample::select(vec![
            "check", "list", "explain", "apps", "apis", "create", "app", "contract", "sim", "demo",
            "scan", "--format", "json", "table", "markdown", "junit", "sarif", "--select", "--ignore",
            "--timeout", "--connect-timeout", "--deadline", "--concurrency", "--host", "--region",
            "eu", "us", "gov", "--org", "--env", "--client-id", "--client-secret",
            "--client-secret-file", "--token", "--read-only", "--fail-on", "warn", "fail",
            "--report", "--baseline", "--redact-ids", "--probe-regions", "--verbose", "-v",
            "--name", "--api", "--app", "--dry-run", "--show-secret", "--secret-file",
            "--allow-duplicate", "--grant-type", "--redirect-uri", "--scenario",
            "--scenario-file", "--latency-ms", "--port", "--max-file-size", "--follow",
            "--no-ignore", "--help", "-h", "--version", "-V", "--", "-", "=", "0", "1",
            "18446744073709551616", "-1", "",
        ])
        .prop_map(str::to_string),
        1 => any::<String>(),
        1 => "--[a-z-]{1,20}(=[a-z0-9]{0,8})?",
    ];
    prop::collection::vec(word, 0..8)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_argument_vector_parses_or_is_refused_without_panic(args in argv()) {
        let argv = std::iter::once("anypoint-doctor".to_string()).chain(args);
        if let Ok(matches) = Cli::command().try_get_matches_from(argv) {
            // What clap accepted, the typed definition takes as well.
            prop_assert!(Cli::from_arg_matches(&matches).is_ok());
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// A field of the wrong type holding a long string: the reason quotes it, within bounds.
    #[test]
    fn a_wrongly_typed_field_gives_a_bounded_reason(
        text in "[ -~\n]{0,4000}",
        key in prop::sample::select(&["data", "expires_in", "id", "total", "access_token", "client"][..]),
    ) {
        let body = serde_json::json!({ key: [text.clone()], "data": text }).to_string();
        assert_reply_readers_hold(&Reply::new(200, Some("application/json".into()), body.into_bytes()));
    }
}
