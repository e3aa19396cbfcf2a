//! Fitting the hands of anypoint-cli-v4 users: its flag spellings work as
//! hidden aliases (`--client_id`, `--client_secret`, `--organization`,
//! `--environment`, `-o`/`--output` for `--format`), and `--help` keeps
//! showing only the doctor's own; its saved settings (`anypoint-cli-v4 conf`)
//! are read when no flag or variable sets a value, from a file the real
//! CLI 1.6.12 wrote (`scripts/anypoint-cli-v4-fixture.sh`); shell
//! completions and a man page come from the same definitions.

use std::path::{Path, PathBuf};

use serde_json::Value;

use anypoint_doctor::cli_v4_config::{Loaded, read};

use crate::support::bin::{Run, doctor, doctor_async};
use crate::support::fs::{ROOT, temp_dir};
use crate::support::sim::{serve, stop, world};

/// What the fixture holds (the simulator's healthy app; see the script).
const SAVED_ID: &str = "7f3e2d1c0b9a48f7a6e5d4c3b2a1f0e9";
const SAVED_SECRET: &str = "sim-0123456789abcdefFEDCBA9876543210";

/// A home folder holding `bytes` where anypoint-cli-v4 keeps its settings on
/// Linux (`~/.config/anypoint-cli-v4-nodejs/config.json`), with `mode`.
fn home_with_config(bytes: &[u8], mode: u32) -> (PathBuf, PathBuf) {
    let home = temp_dir("cli-v4-home");
    let folder = home.join(".config/anypoint-cli-v4-nodejs");
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("config.json");
    std::fs::write(&file, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = mode;
    (home, file)
}

fn written_by_the_cli() -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join("tests/fixtures/anypoint-cli-v4/config.json")).unwrap()
}

#[track_caller]
fn no_saved_value_shown(run: &Run) {
    for value in [SAVED_SECRET, "sim-0123456789"] {
        assert!(
            !run.output().contains(value),
            "a saved secret was shown: {run:#?}"
        );
    }
}

#[test]
fn the_file_the_cli_wrote_decrypts_to_its_settings() {
    let (_home, file) = home_with_config(&written_by_the_cli(), 0o600);
    let Loaded::Saved(saved) = read(&file) else {
        panic!("the file was not read");
    };
    assert_eq!(saved.client_id.as_deref(), Some(SAVED_ID));
    assert_eq!(
        saved
            .client_secret
            .as_ref()
            .map(|s| s.expose().to_string())
            .as_deref(),
        Some(SAVED_SECRET)
    );
    assert_eq!(saved.host.as_deref(), Some("http://127.0.0.1:8081"));
    assert_eq!(saved.organization.as_deref(), Some("Example Corp"));
    assert_eq!(saved.environment.as_deref(), Some("Sandbox"));
    assert!(saved.bearer.is_none());
    assert!(saved.warning.is_none(), "{:?}", saved.warning);
}

/// The modes the file has when others may read it: 644 under umask 022,
/// and 666, as anypoint-cli-v4 1.6.12 leaves it (conf 10.2.0 writes it
/// through `atomically`, which chmods it to 0666 whatever the umask). Its
/// values are used, with a warning; from a file others may change, not its
/// host, which could send a secret elsewhere.
#[cfg(target_os = "linux")]
#[test]
fn a_file_others_can_read_is_used_with_a_warning_and_its_host_only_if_they_cannot_change_it() {
    for (mode, host) in [(0o644, Some("http://127.0.0.1:8081")), (0o666, None)] {
        let (_home, file) = home_with_config(&written_by_the_cli(), mode);
        let Loaded::Saved(saved) = read(&file) else {
            panic!("mode {mode:o}: the file was not read");
        };
        assert_eq!(saved.client_id.as_deref(), Some(SAVED_ID), "{mode:o}");
        assert!(saved.client_secret.is_some(), "{mode:o}");
        assert_eq!(saved.host.as_deref(), host, "{mode:o}");
        let warning = saved.warning.unwrap_or_default();
        assert!(
            warning.contains(&file.display().to_string())
                && warning.contains(&format!("mode {mode:o}"))
                && warning.contains("chmod 600"),
            "{mode:o}: {warning}"
        );
        assert_eq!(
            mode == 0o666,
            warning.contains("its host is not used"),
            "{warning}"
        );
    }
}

/// `anypoint-cli-v4 conf client_id …; conf client_secret …` and then
/// `check`, with the file exactly as the CLI left it (mode 666): the check
/// runs as the saved app and says once, first, that others can read it.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_on_a_file_as_the_cli_leaves_it_and_warns_once() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let (home, file) = home_with_config(&written_by_the_cli(), 0o666);
    let home = home.display().to_string();
    let run = doctor_async(
        &["check"],
        &[
            ("HOME", home.as_str()),
            ("ANYPOINT_HOST", sim.base_url.as_str()),
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    no_saved_value_shown(&run);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: the anypoint-cli-v4 config"))
        .collect();
    assert_eq!(warnings.len(), 1, "{run:#?}");
    assert!(
        warnings[0].contains(&file.display().to_string()) && warnings[0].contains("chmod 600"),
        "{}",
        warnings[0]
    );
    stop(sim).await;
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_runs_on_the_saved_settings_and_says_where_they_came_from() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let (home, file) = home_with_config(&written_by_the_cli(), 0o600);
    let home = home.display().to_string();
    // The saved host is `sim`'s default port; this simulator has its own, and
    // a variable beats the file.
    let run = doctor_async(
        &["check", "-v"],
        &[
            ("HOME", home.as_str()),
            ("ANYPOINT_HOST", sim.base_url.as_str()),
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{run:#?}");
    no_saved_value_shown(&run);
    let from_file = format!("from anypoint-cli-v4 config ({})", file.display());
    for setting in ["client id", "client secret", "org", "env"] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.trim_start().starts_with(setting))
            .unwrap_or_else(|| panic!("no {setting} in {run:#?}"));
        assert!(line.ends_with(&from_file), "{line}");
    }
    assert!(
        run.stderr
            .lines()
            .any(|l| l.trim_start().starts_with("host") && l.ends_with("ANYPOINT_HOST")),
        "{run:#?}"
    );
    assert!(run.stdout.contains("Sandbox"), "{run:#?}");
    stop(sim).await;
}

#[cfg(target_os = "linux")]
#[test]
fn a_config_that_cannot_be_used_is_a_warning_naming_the_path_and_nothing_is_taken() {
    let cases: [(&str, Vec<u8>, u32); 3] = [
        (
            "could not be decrypted",
            b"0123456789abcdef:garbage!".to_vec(),
            0o600,
        ),
        (
            "could not be decrypted",
            b"\x00\x01 not anything".to_vec(),
            0o600,
        ),
        (
            "does not hold the settings object",
            b"[\"client_id\"]".to_vec(),
            0o600,
        ),
    ];
    for (why, bytes, mode) in cases {
        let (home, file) = home_with_config(&bytes, mode);
        let home = home.display().to_string();
        let run = doctor(&["check"], &[("HOME", home.as_str())]);
        assert_eq!(run.code, 2, "nothing was taken, so no client id: {run:#?}");
        let warning = run.stderr.lines().next().unwrap_or_default();
        assert!(
            warning.starts_with("warning: the anypoint-cli-v4 config")
                && warning.contains(&file.display().to_string())
                && warning.contains(why)
                && warning.ends_with("nothing in it is used"),
            "{why}: {run:#?}"
        );
        no_saved_value_shown(&run);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_saved_secret_goes_only_with_the_saved_client_id() {
    let (home, _) = home_with_config(&written_by_the_cli(), 0o600);
    let home = home.display().to_string();
    let run = doctor(
        &["check", "--client-id", "another-app-0000"],
        &[("HOME", home.as_str())],
    );
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("secret"), "{run:#?}");
    no_saved_value_shown(&run);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anypoint_cli_v4_spellings_are_accepted() {
    let world = world("healthy");
    let sim = serve(world.clone()).await;
    let login = &world.login;
    // As an anypoint-cli-v4 user types them.
    let credentials = [
        "--host",
        &sim.base_url,
        "--client_id",
        &login.client_id,
        "--client_secret",
        &login.client_secret,
    ];
    for output in [["-o", "json"], ["--output", "json"]] {
        let mut args = vec!["check"];
        args.extend(credentials);
        args.extend(["--organization", &world.root.id, "--environment", "Sandbox"]);
        args.extend(output);
        let run = doctor_async(&args, &[]).await;
        assert_eq!(run.code, 0, "{run:#?}");
        let report: Value = serde_json::from_str(&run.stdout).expect("JSON on stdout");
        assert_eq!(report["target"]["org_id"], world.root.id.as_str());
        let targets: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "scope.manage-contracts")
            .filter_map(|c| c["target"].as_str())
            .collect();
        assert_eq!(targets, ["Sandbox"], "--environment chose the environment");
    }
    let apps = doctor_async(
        &[&["apps"], &credentials[..], &["-o", "json"]].concat(),
        &[],
    )
    .await;
    assert_eq!(apps.code, 0, "{apps:#?}");
    assert!(
        serde_json::from_str::<Value>(&apps.stdout).is_ok(),
        "{apps:#?}"
    );
    stop(sim).await;
}

#[test]
fn the_aliases_stay_out_of_help() {
    for command in ["check", "apps", "fix"] {
        let run = doctor(&[command, "--help"], &[]);
        assert_eq!(run.code, 0, "{run:#?}");
        for alias in [
            "--client_id",
            "--client_secret",
            "--organization",
            "--environment",
            "--output",
            "-o,",
        ] {
            assert!(
                !run.stdout.contains(alias),
                "{command} --help shows {alias}"
            );
        }
    }
}

/// Every subcommand's name, from the command-line definitions.
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    anypoint_doctor::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[test]
fn every_completion_script_names_every_subcommand_and_offers_the_ids() {
    let offered = [
        "scope.manage-contracts",
        "create-contract",
        "typical-mistakes",
    ];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = doctor(&["completions", shell], &[]);
        assert_eq!(run.code, 0, "{run:#?}");
        for name in subcommands() {
            assert!(run.stdout.contains(&name), "{shell} lacks {name}");
        }
        if matches!(shell, "bash" | "zsh" | "fish") {
            for value in offered {
                assert!(run.stdout.contains(value), "{shell} does not offer {value}");
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn bash_accepts_the_bash_completion() {
    let script = temp_dir("completion").join("anypoint-doctor.bash");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, doctor(&["completions", "bash"], &[]).stdout).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(checked.status.success(), "{checked:?}");
}

#[test]
fn the_man_page_is_roff_and_names_every_subcommand() {
    let run = doctor(&["man"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout.contains(".TH anypoint-doctor 1"),
        "{}",
        run.stdout
    );
    for name in subcommands() {
        assert!(run.stdout.contains(&name), "the man page lacks {name}");
    }
    let usage = doctor(&["completions", "nosh"], &[]);
    assert_eq!(usage.code, 2, "{usage:#?}");
    assert_eq!(usage.stderr.lines().count(), 1, "{usage:#?}");
}

#[test]
fn version_is_one_line_and_long_version_names_the_commit_and_target() {
    let short = doctor(&["-V"], &[]);
    assert_eq!(short.code, 0);
    assert_eq!(
        short.stdout,
        format!("anypoint-doctor {}\n", env!("CARGO_PKG_VERSION"))
    );
    let long = doctor(&["--version"], &[]);
    let lines: Vec<&str> = long.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{long:#?}");
    assert_eq!(lines[0], short.stdout.trim_end());
    let commit = lines[1].strip_prefix("commit ").expect("a commit line");
    assert!(
        (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit()))
            || commit.starts_with("unknown"),
        "{commit}"
    );
    let target = lines[2].strip_prefix("target ").expect("a target line");
    assert!(target.contains('-'), "a target triple: {target}");
}

/// `anypoint-doctor man | head` (and any reader that stops early): no error
/// message, and the run's own exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_that_goes_away_is_not_an_error() {
    let closed_early = |args: &[&str], env: &[(&str, &str)]| {
        let mut child = crate::support::bin::command(args, env)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the binary starts");
        // The read end closes before anything is written: every write meets a broken pipe.
        drop(child.stdout.take());
        child.wait_with_output().expect("the binary ends")
    };
    for args in [&["man"][..], &["completions", "bash"], &["list"]] {
        let output = closed_early(args, &[]);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {output:?}");
        assert!(output.stderr.is_empty(), "{args:?}: {output:?}");
    }
    let sim = crate::support::sim::Sim::start(world("missing-manage-scopes")).await;
    let env = [
        ("ANYPOINT_HOST", sim.running.base_url.as_str()),
        ("ANYPOINT_CLIENT_ID", sim.login.client_id.as_str()),
        ("ANYPOINT_CLIENT_SECRET", sim.login.client_secret.as_str()),
    ];
    let output = tokio::task::block_in_place(|| closed_early(&["check"], &env));
    assert_eq!(
        output.status.code(),
        Some(1),
        "the verdict's exit code: {output:?}"
    );
    assert!(output.stderr.is_empty(), "{output:?}");
    sim.stop().await;
}

/// The candidates `shell`'s completion offers for the last word of `line`,
/// computed by the shell itself as on TAB: bash calls the script's function
/// with `COMP_WORDS`, zsh runs an interactive shell on a pseudo-terminal
/// (`support/complete.zsh`), fish asks `complete -C`. None when the shell
/// is not installed.
#[cfg(unix)]
fn completes(shell: &str, script: &std::path::Path, line: &[&str]) -> Option<Vec<String>> {
    let installed = std::process::Command::new(shell)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        return None;
    }
    let mut command = std::process::Command::new("timeout");
    command.arg("30").arg(shell);
    match shell {
        "bash" => {
            let cword = line.len() - 1;
            let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
            command.args(["--norc", "--noprofile", "-c"]).arg(format!(
                "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={cword}\nCOMP_LINE='{}'\nCOMP_POINT=${{#COMP_LINE}}\n_anypoint__doctor anypoint-doctor '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
                script.display(),
                words.join(" "),
                line.join(" "),
                line[cword],
                line[cword - 1],
            ));
        }
        "zsh" => {
            let capture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/complete.zsh");
            command
                .args(["-f", capture])
                .arg(script.parent().unwrap())
                .args(line);
        }
        _ => {
            command.args(["--no-config", "-c"]).arg(format!(
                "source '{}'; complete -C '{}'",
                script.display(),
                line.join(" ")
            ));
        }
    }
    let out = command.output().expect("the shell runs");
    assert!(out.status.success(), "{shell}: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    // fish follows a candidate with a tab and its description.
    Some(
        text.lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect(),
    )
}

#[cfg(unix)]
#[test]
fn every_shell_completes_values_below_the_top_level() {
    let dir = temp_dir("completion");
    std::fs::create_dir_all(&dir).unwrap();
    for shell in ["bash", "zsh", "fish"] {
        // zsh finds a completion by its file name in `fpath`.
        let script = dir.join(format!("{shell}/_anypoint-doctor"));
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        std::fs::write(&script, doctor(&["completions", shell], &[]).stdout).unwrap();
        for (line, expected) in [
            (
                &["anypoint-doctor", "demo", "--scenario", "ty"][..],
                &["typical-mistakes"][..],
            ),
            (&["anypoint-doctor", "fix", "--format", "t"], &["terraform"]),
        ] {
            let Some(offered) = completes(shell, &script, line) else {
                eprintln!(
                    "{shell} is not installed: its completion is not tried (.ci/run installs it)"
                );
                break;
            };
            assert_eq!(offered, expected, "{shell}: {line:?}");
        }
        let Some(scopes) = completes(
            shell,
            &script,
            &["anypoint-doctor", "check", "--select", "scope.m"],
        ) else {
            continue;
        };
        assert!(
            scopes.contains(&"scope.manage-contracts".to_string())
                && scopes.iter().all(|s| s.starts_with("scope.m")),
            "{shell}: {scopes:?}"
        );
    }
}

/// The book's install lines for completion and the manual pages, run as
/// written by `sh` in a fresh home: each creates its folder, and every page
/// the top page names is there.
#[cfg(unix)]
#[test]
fn the_books_install_lines_work_in_a_fresh_home() {
    let readme = include_str!("../../docs/src/guide/install.md");
    let block = readme
        .split("```sh\n")
        .find(|b| b.contains("anypoint-doctor completions bash"))
        .and_then(|b| b.split("```").next())
        .expect("the install block");
    let home = temp_dir("fresh-home");
    std::fs::create_dir_all(&home).unwrap();
    let bin = std::path::Path::new(crate::support::bin::BIN)
        .parent()
        .unwrap();
    let ran = std::process::Command::new("sh")
        .args(["-e", "-c", block])
        .env_clear()
        .env("HOME", &home)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .output()
        .expect("sh runs");
    assert!(ran.status.success(), "{block}\n{ran:?}");
    for file in [
        ".local/share/bash-completion/completions/anypoint-doctor",
        ".zfunc/_anypoint-doctor",
        ".config/fish/completions/anypoint-doctor.fish",
    ] {
        let text = std::fs::read_to_string(home.join(file)).unwrap();
        assert!(text.contains("typical-mistakes"), "{file}");
    }
    let man = home.join(".local/share/man/man1");
    let top = std::fs::read_to_string(man.join("anypoint-doctor.1")).unwrap();
    let named: Vec<&str> = top
        .lines()
        .filter_map(|l| l.strip_suffix("(1)"))
        .filter(|l| l.starts_with("anypoint\\-doctor\\-"))
        .collect();
    assert!(named.len() >= 10, "{top}");
    for name in named {
        let page = man.join(format!("{}.1", name.replace("\\-", "-")));
        let roff = std::fs::read_to_string(&page).unwrap_or_else(|_| panic!("no {page:?}"));
        assert!(roff.contains(".TH "), "{page:?}");
    }
    assert!(String::from_utf8_lossy(&ran.stderr).contains("Wrote 16 manual pages"));
}
