//! Hardening: the terminal part of the threat model (see main.rs).
//!
//! Names come from the platform, or from any org member who can create an
//! application, and scan reads other people's files: none of that text may
//! reach a terminal with a control sequence (ESC, CSI, OSC window titles and
//! clipboard writes, BEL, CR, a newline that forges a row) or a bidi override
//! that reorders what is shown; Markdown must keep its structure; JSON stays
//! exact. Every value in a printed command is one shell word: pasted, it runs
//! the command it shows and nothing else.

use std::path::Path;

use crate::support::sim::World;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

use crate::support::bin::{Run, doctor, doctor_async};
use crate::support::fs::temp_dir;
use crate::support::joined_commands;
use crate::support::sim::{app_env, serve, world};

/// An org name that sets the window title, rings, clears the screen and
/// forges a passing row on a line of its own.
const ORG_NAME: &str = "Evil\u{1b}]0;pwned\u{7}Corp\u{1b}[2J\r\n✓ auth.forged: everything passed";
/// An environment name that writes the clipboard (OSC 52) and reverses
/// the rest of its line (U+202E).
const ENV_NAME: &str = "Sand\u{1b}]52;c;dG91Y2ggUFdORUQ=\u{7}box\u{202e}exe.txt";
/// A client application name that forges a row of `apps`.
const APP_NAME: &str = "orders\r\n9999999  forged-app  forged-client-id";
/// The text a forged line would start with.
const FORGED: [&str; 3] = ["✓ auth.forged", "9999999", "# Forged"];

/// A character a terminal acts on or that reorders the line: C0 and C1
/// controls and DEL (a newline only where the view itself puts one), bidi
/// embeddings, overrides, isolates and marks.
pub(super) fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

fn assert_safe_for_terminal(what: &str, text: &str) {
    if let Some((at, c)) = text.char_indices().find(|(_, c)| acts_on_terminal(*c)) {
        let from = text[..at]
            .char_indices()
            .rev()
            .nth(60)
            .map_or(0, |(i, _)| i);
        panic!(
            "{what}: raw {c:?} reaches the terminal after {:?}",
            &text[from..at]
        );
    }
    for line in text.lines() {
        let bare = line.trim_start_matches(|c: char| c.is_whitespace() || "│┆|-".contains(c));
        for forged in FORGED {
            assert!(
                !bare.starts_with(forged),
                "{what}: a name forged a line: {line:?}"
            );
        }
    }
}

/// The world with hostile names: the root org, every environment called
/// by the hostile name and a suffix, a client application's name.
fn hostile_world(scenario: &str) -> World {
    let mut world = world(scenario);
    world.root.name = ORG_NAME.into();
    for (n, env) in world.root.environments.iter_mut().enumerate() {
        env.name = format!("{ENV_NAME}{n}");
    }
    if let Some(app) = world.client_applications.first_mut() {
        app.name = APP_NAME.into();
    }
    world
}

async fn run_against(world: World, args: &[&str]) -> Run {
    let sim = serve(world.clone()).await;
    let mut env = app_env(&sim, &world);
    env.push(("COLUMNS", "120"));
    let run = doctor_async(args, &env).await;
    sim.stop().await;
    run
}

#[tokio::test]
async fn hostile_names_reach_every_terminal_view_inert() {
    let world = hostile_world("typical-mistakes");
    for args in [&["check"][..], &["check", "-v"]] {
        let run = run_against(world.clone(), args).await;
        assert!(matches!(run.code, 0..=3), "{args:?}: {run:#?}");
        assert_safe_for_terminal(&format!("{args:?}"), &run.output());
        // Shown, readably: the escape as a picture, the name's own letters kept.
        assert!(
            run.stdout.contains("Evil␛]0;pwned␇Corp"),
            "{args:?}: {}",
            run.stdout
        );
    }
    // The list below table width.
    let sim = serve(world.clone()).await;
    let mut env = app_env(&sim, &world);
    env.push(("COLUMNS", "60"));
    let run = doctor_async(&["check", "-v"], &env).await;
    sim.stop().await;
    assert_safe_for_terminal("check -v at 60 columns", &run.output());
}

#[tokio::test]
async fn hostile_names_reach_apps_and_apis_inert() {
    let world = hostile_world("healthy");
    let apps = run_against(world.clone(), &["apps"]).await;
    assert_eq!(apps.code, 0, "{apps:#?}");
    assert_safe_for_terminal("apps", &apps.output());
    let rows = apps
        .stdout
        .lines()
        .filter(|l| l.contains("forged-app"))
        .count();
    assert_eq!(rows, 1, "the app is one row: {}", apps.stdout);

    let mut listed = world.clone();
    for api in &mut listed.apis {
        api.asset_id = format!("asset\u{1b}[31m{}", api.asset_id);
        api.instance_label = Some("label\r\n# Forged".into());
    }
    let apis = run_against(listed, &["apis"]).await;
    assert_eq!(apis.code, 0, "{apis:#?}");
    assert_safe_for_terminal("apis", &apis.output());

    // On stderr: an empty list the doctor does not believe, and its diagnosis.
    let doubted = hostile_world("missing-view-scope");
    let run = run_against(doubted, &["apps"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stderr.contains("Evil␛"), "{}", run.stderr);
    assert_safe_for_terminal("apps on stderr", &run.output());
}

#[tokio::test]
async fn json_keeps_hostile_names_exact() {
    let world = hostile_world("typical-mistakes");
    let run = run_against(world, &["check", "--format", "json"]).await;
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(report["target"]["org_name"], ORG_NAME);
    let names: Vec<&str> = report["target"]["environments"]
        .as_array()
        .expect("environments")
        .iter()
        .map(|e| e["name"].as_str().expect("a name"))
        .collect();
    assert!(
        names.contains(&format!("{ENV_NAME}0").as_str()),
        "{names:?}"
    );
}

/// Names that would change a Markdown document's structure: a new row, a
/// cell, a heading, a link, raw HTML.
const MARKDOWN_ORG: &str = "Corp | forged cell\n# Forged heading\n<img src=x onerror=alert(1)>";
const MARKDOWN_ENV: &str = "Sandbox](https://evil.example) [click me](https://evil.example)`x";

#[tokio::test]
async fn markdown_keeps_its_structure_whatever_the_names() {
    let mut world = world("typical-mistakes");
    world.root.name = MARKDOWN_ORG.into();
    for (n, env) in world.root.environments.iter_mut().enumerate() {
        env.name = format!("{MARKDOWN_ENV}{n}");
    }
    let run = run_against(world, &["check", "--format", "markdown"]).await;
    assert_safe_for_terminal("markdown", &run.stdout);
    // Commands are shown as they are, in fenced code blocks, where nothing is markup.
    let md = &outside_code_blocks(&run.stdout);
    assert!(
        md.match_indices("<img")
            .all(|(at, _)| md[..at].ends_with('\\')),
        "raw HTML: {md}"
    );
    assert!(!md.contains("[click me]("), "a link: {md}");
    // Every row of the checks table has its five cells.
    let checks = md
        .split("## Checks")
        .nth(1)
        .and_then(|s| s.split("\n\n").nth(1))
        .expect("the checks table");
    for row in checks.lines() {
        let cells = unescaped_pipes(row) - 1;
        assert_eq!(cells, 5, "{row}");
    }
}

fn outside_code_blocks(md: &str) -> String {
    let mut fenced = false;
    let mut out = String::new();
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `|` that are not escaped: the cell separators of a table row. As GFM
/// splits a row, a `|` right after a backslash is escaped whatever comes
/// before (in a code span too, where that backslash is not an escape).
fn unescaped_pipes(row: &str) -> usize {
    let mut count = 0;
    let mut before = None;
    for c in row.chars() {
        if c == '|' && before != Some('\\') {
            count += 1;
        }
        before = Some(c);
    }
    count
}

#[test]
fn a_file_name_or_line_cannot_forge_a_scan_finding() {
    let dir = temp_dir("scan");
    let forged = "x.sh:1:1: error[forged-rule] forged finding";
    let name = format!("deploy\n{forged}\n.sh");
    std::fs::write(
        dir.join(&name),
        "curl -u \"$U:\u{1b}]0;pwned\u{7}\" https://anypoint.mulesoft.com/accounts/api/v2/oauth2/token -d client_secret=s3cr3t-value-123\n",
    )
    .expect("a file");
    let run = doctor(&["scan", dir.to_str().expect("utf-8")], &[]);
    assert!(!run.stdout.contains("\nx.sh:1:1"), "{}", run.stdout);
    assert_safe_for_terminal("scan", &run.output());
}

/// (A status the doctor never writes is refused on load: see
/// files::a_baseline_with_an_unknown_status_is_refused.)
#[tokio::test]
async fn a_baseline_file_cannot_write_to_the_terminal() {
    let dir = temp_dir("baseline");
    let baseline = dir.join("old.json");
    std::fs::write(
        &baseline,
        r#"{"target":{"host":"h\u001b]0;pwned\u0007","org_id":null},"checks":[{"id":"auth.forged\r\n✓ auth.forged","target":"t\u001b[2J","status":"pass"}]}"#,
    )
    .expect("a baseline");
    let world = world("healthy");
    let run = run_against(
        world,
        &[
            "check",
            "-v",
            "--baseline",
            baseline.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert!(
        run.stdout.contains("Changes since the baseline"),
        "{run:#?}"
    );
    assert_safe_for_terminal("baseline", &run.output());
}

// ---------------------------------------------------------------- the shell

/// A root org id that runs `touch PWNED` when pasted unquoted.
const ROOT_ID: &str = "o1;touch${IFS}PWNED;x";
/// An environment name made of what a shell acts on, printable all.
const SHELL_ENV: &str = "Sand box'\"$(touch PWNED)`touch PWNED`;|&<>*?~#!\\";
/// An org name likewise, which the commands name it by where it is unique.
const SHELL_ORG: &str = "Example 'Corp\" $(touch PWNED);|&`touch PWNED`";

/// The world of a scenario with the root org's id replaced everywhere.
fn with_root_id(world: World, id: &str) -> World {
    let old = world.root.id.clone();
    let text = serde_json::to_string(&world).expect("a world serialises");
    let text = text.replace(
        &format!("\"{old}\""),
        &serde_json::to_string(id).expect("id"),
    );
    serde_json::from_str(&text).expect("the world reads back")
}

/// The subcommands a printed command may start with.
const SUBCOMMANDS: [&str; 5] = ["check", "apps", "apis", "create", "sim"];

fn is_command(text: &str) -> bool {
    text.strip_prefix("anypoint-doctor ")
        .and_then(|rest| rest.split_whitespace().next())
        .is_some_and(|sub| SUBCOMMANDS.contains(&sub))
}

/// The commands a terminal view prints for the user to paste: on a line of
/// their own, or between backticks.
fn printed_commands(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in joined_commands(text).lines() {
        let bare = line.trim().trim_start_matches("→ ");
        if is_command(bare) || bare.starts_with("export ANYPOINT_TOKEN=") {
            found.push(bare.to_string());
        }
        for (n, part) in line.split('`').enumerate() {
            if n % 2 == 1 && is_command(part) {
                found.push(part.to_string());
            }
        }
    }
    found
}

/// What `command` passes to `anypoint-doctor`, run by `sh` with a stub of
/// it that writes its arguments; the working folder must stay empty.
fn arguments_of(command: &str) -> Vec<String> {
    stub_arguments("anypoint-doctor", command, &[])
}

/// What `script`, run by `sh` with `env`, passes to `program`: a stub of it
/// on the PATH writes its arguments. The script must pass `sh -n`, succeed,
/// and leave its working folder empty (it ran nothing else).
pub(super) fn stub_arguments(program: &str, script: &str, env: &[(&str, &str)]) -> Vec<String> {
    let dir = temp_dir("shell");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let stub = bin.join(program);
    std::fs::write(&stub, "#!/bin/sh\nprintf '%s\\0' \"$@\" > \"$ARGS_FILE\"\n").expect("stub");
    make_executable(&stub);
    let work = dir.join("work");
    std::fs::create_dir_all(&work).expect("work");
    let args_file = dir.join("args");
    let checked = std::process::Command::new("sh")
        .args(["-n", "-c", script])
        .status()
        .expect("sh runs");
    assert!(checked.success(), "`sh -n` refuses: {script}");
    let ran = std::process::Command::new("sh")
        .args(["-c", script])
        .current_dir(&work)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("ARGS_FILE", &args_file)
        .envs(env.iter().copied())
        .output()
        .expect("sh runs");
    assert!(ran.status.success(), "{script}: {ran:?}");
    let left: Vec<_> = std::fs::read_dir(&work).expect("work").collect();
    assert!(left.is_empty(), "pasting `{script}` ran something else");
    let bytes = std::fs::read(&args_file).expect("the stub ran");
    bytes
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8(a.to_vec()).expect("utf-8"))
        .collect()
}

fn value_after<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|at| args.get(at + 1))
        .map(String::as_str)
}

/// The commands name the org by its name when only it has that name, and
/// by its id when a business group shares it: either way one word.
#[tokio::test]
async fn every_printed_command_passes_hostile_ids_and_names_as_one_word() {
    for shared in [false, true] {
        let mut world = with_root_id(world("typical-mistakes"), ROOT_ID);
        world.root.name = SHELL_ORG.into();
        if shared {
            world.root.business_groups[0].name = SHELL_ORG.into();
        }
        let named = if shared { ROOT_ID } else { SHELL_ORG };
        printed_commands_pass_one_word(world, named).await;
    }
}

/// Every command `check -v` prints in `world` passes the org as `org`, and
/// each hostile environment name, as one word.
async fn printed_commands_pass_one_word(mut world: World, org_named: &str) {
    for (n, env) in world.root.environments.iter_mut().enumerate() {
        env.name = format!("{SHELL_ENV}{n}");
    }
    let run = run_against(world, &["check", "-v"]).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let commands = printed_commands(&run.stdout);
    assert!(commands.len() >= 4, "{commands:#?}\n{}", run.stdout);
    let mut orgs = 0;
    for command in commands
        .iter()
        .filter(|c| c.starts_with("anypoint-doctor "))
    {
        let args = arguments_of(command);
        if let Some(org) = value_after(&args, "--org") {
            assert_eq!(org, org_named, "{command}");
            orgs += 1;
        }
        if let Some(env) = value_after(&args, "--env") {
            assert!(env.starts_with(SHELL_ENV), "{command}: {env:?}");
        }
    }
    assert!(orgs >= 3, "{commands:#?}");
    for command in commands.iter().filter(|c| c.starts_with("export ")) {
        let checked = std::process::Command::new("sh")
            .args(["-n", "-c", command])
            .status()
            .expect("sh runs");
        assert!(checked.success(), "`sh -n` refuses: {command}");
    }
}

/// A root org id and an environment name holding what Markdown reads into:
/// a backslash, a backtick, a pipe, quotes, `$()`, an entity, emphasis.
const MD_ROOT_ID: &str = "o1`x|y\"z'$(touch PWNED)&#39;*b*";
const MD_ENV: &str = "Sand\\box`|\"'$(touch PWNED)&amp;_e_";

/// The code a Markdown document shows, as a GFM renderer reads it: each
/// code span, and each line of each code block.
fn code_in_markdown(md: &str) -> Vec<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Code(code) => found.push(code.to_string()),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => block = Some(String::new()),
            Event::Text(text) => {
                if let Some(block) = &mut block {
                    block.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                found.extend(block.take().unwrap_or_default().lines().map(str::to_string));
            }
            _ => {}
        }
    }
    found
}

/// Issue 23, hole 12: in a Markdown table cell a backslash was doubled and a
/// backtick broke the code span, and the `fix` command stood in plain text,
/// where an entity or emphasis changes what a reader copies. Every command
/// the Markdown report shows as code (in the checks table, in the list of
/// fixes, in a code block) is now exactly one the table prints, and run by
/// a shell it passes the hostile id and name as one word each.
#[tokio::test]
async fn every_command_in_markdown_is_the_one_printed_and_runs_as_printed() {
    let mut world = with_root_id(world("typical-mistakes"), MD_ROOT_ID);
    for (n, env) in world.root.environments.iter_mut().enumerate() {
        env.name = format!("{MD_ENV}{n}");
    }
    let env_name = format!("{MD_ENV}1");
    let chosen = ["--org", MD_ROOT_ID, "--env", &env_name];
    let sim = serve(world.clone()).await;
    let mut env = app_env(&sim, &world);
    env.push(("COLUMNS", "1000"));
    // The table format's two views: the compact one lists the fixes, `-v` every step.
    let compact = doctor_async(&[&["check"][..], &chosen].concat(), &env).await;
    let verbose = doctor_async(&[&["check", "-v"][..], &chosen].concat(), &env).await;
    let markdown = doctor_async(
        &[&["check", "--format", "markdown"][..], &chosen].concat(),
        &env,
    )
    .await;
    sim.stop().await;
    for run in [&compact, &verbose, &markdown] {
        assert_eq!(run.code, 1, "{run:#?}");
    }
    let table = format!("{}{}", compact.stdout, verbose.stdout);
    let commands: Vec<String> = code_in_markdown(&markdown.stdout)
        .into_iter()
        .filter(|code| code.starts_with("anypoint-doctor "))
        .collect();
    let mut orgs = 0;
    for command in &commands {
        // Whole: between backticks, or at the end of a line.
        let quoted = format!("`{command}`");
        assert!(
            table
                .lines()
                .any(|l| l.contains(&quoted) || l.trim_end().ends_with(command.as_str())),
            "the Markdown shows `{command}`, which the table does not print:\n{table}"
        );
        let args = arguments_of(command);
        if let Some(org) = value_after(&args, "--org") {
            assert_eq!(org, MD_ROOT_ID, "{command}");
            orgs += 1;
        }
        if let Some(env) = value_after(&args, "--env") {
            assert_eq!(env, env_name, "{command}");
        }
    }
    for kind in [
        // In the checks table's Fix column and in the list of fixes.
        "anypoint-doctor check --select scope --org",
        "anypoint-doctor fix --org",
        "anypoint-doctor apis --org",
    ] {
        assert!(
            commands.iter().any(|c| c.starts_with(kind)),
            "no `{kind}` as code: {commands:#?}\n{}",
            markdown.stdout
        );
    }
    assert!(orgs >= 4, "{commands:#?}");
}

// ---------------------------------------------------------------- helpers

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

// ---------------------------------------------------------------- properties

pub(super) fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x7e12_0012),
        ..Config::default()
    }
}

/// What hostile names are made of: controls (C0, DEL, C1), bidi overrides,
/// isolates and marks, line separators, shell and Markdown metacharacters,
/// characters XML does not allow, and ordinary letters in several scripts.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('\u{1}', '\u{1f}'),
        1 => Just('\u{7f}'),
        1 => prop::char::range('\u{80}', '\u{9f}'),
        2 => prop::sample::select(vec![
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{2028}', '\u{2029}',
            '\u{fffe}', '\u{ffff}',
        ]),
        3 => prop::sample::select(
            "'\"`$;|&<>()*?~#!\\{}[]= \t-+.:/_%@^,".chars().collect::<Vec<_>>()
        ),
        4 => prop::sample::select("aZ09éß東京✓ش".chars().collect::<Vec<_>>()),
    ]
}

/// A hostile name: a few dozen such characters, or one repeated to 10 kB.
pub(super) fn hostile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(hostile_char(), 0..48).prop_map(|cs| cs.into_iter().collect()),
        1 => (prop::collection::vec(hostile_char(), 1..8), 1_000usize..1_500)
            .prop_map(|(cs, n)| cs.into_iter().collect::<String>().repeat(n)),
    ]
}

/// A report whose every platform-supplied field holds `name`.
pub(super) fn report_naming(name: &str) -> anypoint_doctor::report::Report {
    use anypoint_doctor::platform::Evidence;
    use anypoint_doctor::report::model::*;
    let outcome = |status: Status| Outcome {
        id: "scope.manage-contracts".into(),
        category: "scope".into(),
        title: "Manage Contracts".into(),
        status,
        code: Reason::ScopeMissing,
        target: Some(name.into()),
        summary: format!("missing in \"{name}\""),
        remediation: Some(format!(
            "Add it in {name}, then run `anypoint-doctor check`"
        )),
        inferred: true,
        blocked_by: None,
        missing_scope: Some(MissingScope {
            scope: "manage:api_contracts".into(),
            name: "Manage Contracts".into(),
            org_id: Some(name.into()),
            org_name: Some(name.into()),
            env_id: Some(name.into()),
            env_name: Some(name.into()),
            app: Some(name.into()),
        }),
        maybe_missing: vec![MissingScope {
            scope: "read:exchange".into(),
            name: "Exchange Viewer".into(),
            org_id: Some(name.into()),
            org_name: Some(name.into()),
            env_id: None,
            env_name: None,
            app: Some(name.into()),
        }],
        rests_on: None,
        settled_by_grants: false,
        evidence: vec![Evidence {
            at: "2025-01-01T00:00:00Z".into(),
            method: "GET".into(),
            url: format!("https://h/{name}"),
            status: Some(403),
            elapsed_ms: 1,
            trx_id: Some(name.into()),
            request_id: None,
            attempts: 1,
        }],
        duration_ms: 1,
    };
    let checks = vec![
        outcome(Status::Fail),
        outcome(Status::Error),
        outcome(Status::Warn),
    ];
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::this(),
        generated_at: "2025-01-01T00:00:00Z".into(),
        system: System::this(),
        target: Target {
            host: "https://anypoint.mulesoft.com".into(),
            org_id: Some(name.into()),
            org_name: Some(name.into()),
            root_org_id: Some(name.into()),
            client_id: Some("****f0e9".into()),
            environments: vec![TargetEnvironment {
                id: name.into(),
                name: name.into(),
                design: false,
            }],
        },
        settings: Vec::new(),
        summary: Summary::of(&checks),
        checks,
        next_steps: vec![NextStep {
            title: format!("List API instances in {name}"),
            command: format!(
                "anypoint-doctor apis --env {}",
                anypoint_doctor::text::shell_word(name)
            ),
        }],
        changes: Some(vec![Change {
            kind: "gone",
            id: Some(name.into()),
            target: Some(name.into()),
            before: Some(name.into()),
            after: None,
            summary: format!("{name} is no longer checked"),
        }]),
        least_privilege: None,
        preflight: Some(anypoint_doctor::report::preflight::Preflight {
            gate: anypoint_doctor::report::preflight::Gate::Closed,
            allow_unproven: false,
            needs: vec![anypoint_doctor::report::preflight::Need {
                capability: "create-contract".into(),
                check: "capability.create-contract".into(),
                target: Some(name.into()),
                proof: anypoint_doctor::report::preflight::Proof::Unproven,
                summary: format!("not proven in \"{name}\""),
            }],
        }),
        duration_ms: 1,
        rerun_flags: format!(" --org {}", anypoint_doctor::text::shell_word(name)),
    }
}

/// The text of each cell of a Markdown document's first table, row by row,
/// as a GFM renderer reads it: each code span between single backticks, as
/// the doctor quotes code in its text.
fn first_table_cells(md: &str) -> Vec<Vec<String>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::Text(text) => cell.iter_mut().for_each(|c| c.push_str(&text)),
            Event::Code(code) => cell
                .iter_mut()
                .for_each(|c| c.push_str(&format!("`{code}`"))),
            Event::End(TagEnd::TableCell) => {
                let done = cell.take().unwrap_or_default();
                rows.last_mut().expect("a row").push(done);
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    rows
}

/// Whether the Markdown of `report` shows the checks table's targets,
/// findings and fixes as the terminal does, character for character, the
/// commands in them as code, and the `fix` command of its list exactly as
/// printed.
fn markdown_shows_as_printed(report: &anypoint_doctor::report::Report) -> bool {
    use anypoint_doctor::report::{Format, render, terminal::TableOptions};
    use anypoint_doctor::text::line;
    let plain = TableOptions {
        color: false,
        width: Some(120),
        verbose: true,
    };
    let md = render(report, Format::Markdown, plain);
    let fix = format!("anypoint-doctor fix{}", line(&report.rerun_flags));
    let rows = first_table_cells(&md);
    code_in_markdown(&md).contains(&fix)
        && rows.len() == report.checks.len() + 1
        && rows.iter().skip(1).zip(&report.checks).all(|(row, check)| {
            let shown = |text: Option<&str>| line(text.unwrap_or_default()).trim().to_string();
            let inferred = if check.inferred { " (inferred)" } else { "" };
            let summary = format!("{}{inferred}", shown(Some(&check.summary)));
            let cells = [
                shown(check.target.as_deref()),
                summary,
                shown(check.remediation.as_deref()),
            ];
            row.get(2..) == Some(&cells[..])
        })
}

/// XML 1.0's `Char` production.
pub(super) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_line_made_safe_holds_nothing_a_terminal_acts_on(name in hostile_name()) {
        let shown = anypoint_doctor::text::line(&name);
        prop_assert!(!shown.chars().any(|c| acts_on_terminal(c) || c == '\n'), "{shown:?}");
        prop_assert!(shown.chars().count() <= anypoint_doctor::text::MAX_LINE_CHARS + 40);
        if !name.chars().any(|c| acts_on_terminal(c) || c == '\n' || "\u{2028}\u{2029}".contains(c))
            && name.chars().count() <= anypoint_doctor::text::MAX_LINE_CHARS
        {
            prop_assert_eq!(shown.as_ref(), name.as_str());
        }
    }

    #[test]
    fn a_shell_word_is_one_argument_exactly(name in hostile_name()) {
        let word = anypoint_doctor::text::shell_word(&name);
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("printf '%s' {word}")])
            .output()
            .expect("sh runs");
        prop_assert!(out.status.success(), "{word}");
        prop_assert_eq!(String::from_utf8_lossy(&out.stdout), name);
    }

    #[test]
    fn every_text_view_of_hostile_names_is_inert(name in hostile_name()) {
        use anypoint_doctor::report::Format;
        use anypoint_doctor::report::{render, terminal::TableOptions};
        let report = report_naming(&name);
        for (verbose, width) in [(false, 80), (true, 120), (true, 60)] {
            let options = TableOptions { color: false, width: Some(width), verbose };
            let shown = render(&report, Format::Table, options);
            prop_assert!(!shown.chars().any(acts_on_terminal), "{shown}");
        }
        let plain = TableOptions { color: false, width: Some(120), verbose: true };
        let md = render(&report, Format::Markdown, plain);
        prop_assert!(!md.chars().any(acts_on_terminal), "{md}");
        let md = outside_code_blocks(&md);
        let checks = md.split("## Checks").nth(1).and_then(|s| s.split("\n\n").nth(1)).expect("table");
        for row in checks.lines() {
            prop_assert_eq!(unescaped_pipes(row), 6, "{}", row);
        }
        let xml = render(&report, Format::Junit, plain);
        prop_assert!(xml.chars().all(is_xml_char), "{xml}");
        prop_assert!(markdown_shows_as_printed(&report), "{}", render(&report, Format::Markdown, plain));
        let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json, plain)).expect("JSON");
        prop_assert_eq!(json["target"]["org_name"].as_str(), Some(name.as_str()));
    }
}

/// Issue 23, hole 1: the sweep's "What to fix, by business group" block goes
/// through the sanitising pass like every other view. Hostile business
/// group, app and environment names reach the terminal only as shown
/// characters, and a CR/LF in a name cannot forge a line of its own.
#[tokio::test]
async fn the_sweeps_what_to_fix_shows_hostile_names_inert() {
    let hostile = "Pay\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\r\n+ manage:full \u{9b}31m\u{202e}BG\u{feff}";
    let mut world = crate::support::sim::world("typical-mistakes");
    world.root.business_groups[0].name = hostile.into();
    world.root.business_groups[0].environments[0].name = format!("{hostile} env");
    world.connected_apps[0].name = format!("{hostile} app");
    let sim = crate::support::sim::Sim::start(world).await;
    let run = sim.run(&["check", "--org", "all"]).await;
    sim.stop().await;
    assert!(
        run.stdout.contains("What to fix, by business group"),
        "{run:#?}"
    );
    for c in run.stdout.chars() {
        assert!(
            c == '\n' || !anypoint_doctor::text::is_shown_as_code(c),
            "raw {c:?} reached the terminal:\n{}",
            run.stdout
        );
    }
    assert!(
        !run.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("+ manage:full")),
        "a forged line:\n{}",
        run.stdout
    );
}
