//! Every example in the README and the book, run as written.
//!
//! A `console` block is a transcript: `$ ` lines are commands (a line ending
//! in ` \` goes on), the lines after one are what it prints, stdout and
//! stderr together as a terminal shows them. `[..]` stands for the rest of a
//! line that changes from run to run (a port, a duration), `...` on a line
//! of its own for lines left out. The block's info string names the
//! simulator scenario it runs against (`console scenario=typical-mistakes`),
//! and the paragraph before it names it to the reader; without one, the
//! block runs with no platform at all. `interrupt` is for a command that
//! serves until Ctrl-C: it is interrupted once it has printed the block's
//! last line. `columns=N` sets the width (80
//! otherwise). The commands run in one `sh`, in a new folder (HOME too)
//! that holds a copy of the repository's `examples/`,
//! with the built binary first on PATH and the scenario's `ANYPOINT_*`
//! variables set, as a reader who pasted the `export` lines `sim` prints.
//!
//! An `sh` block is set-up a reader types: each line that runs
//! `anypoint-doctor` runs too (against the block's scenario, `healthy` when
//! it names none, never the address an `export` line names), and must end
//! with a verdict (0 or 1): not as a usage error, "could not check", or a
//! command the shell cannot find. No other kind
//! of block may show a command.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures::StreamExt as _;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::{documents, shown};
use crate::support::bin::{BIN, PATIENCE, Run, finish};
use crate::support::fs::temp_dir;
use crate::support::sim::{Sim, world};

/// One fenced block of a document.
#[derive(Debug)]
struct Block {
    doc: PathBuf,
    line: usize,
    lang: String,
    attributes: BTreeMap<String, String>,
    code: String,
    /// The paragraph before the block, as text.
    lead: String,
}

impl Block {
    fn at(&self) -> String {
        format!("{}:{}", shown(&self.doc), self.line)
    }

    fn scenario(&self) -> Option<&str> {
        self.attributes.get("scenario").map(String::as_str)
    }
}

/// The fenced blocks of the document at `path`.
fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).expect("the document reads");
    let mut blocks = Vec::new();
    let mut lead = String::new();
    let mut paragraph: Option<String> = None;
    let mut open: Option<Block> = None;
    for (event, range) in Parser::new(&text).into_offset_iter() {
        match event {
            Event::Start(Tag::Paragraph) => paragraph = Some(String::new()),
            Event::End(TagEnd::Paragraph) => lead = paragraph.take().unwrap_or_default(),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let mut words = info.split([' ', ',']).filter(|w| !w.is_empty());
                let lang = words.next().unwrap_or("").to_string();
                let attributes = words
                    .map(|w| match w.split_once('=') {
                        Some((k, v)) => (k.to_string(), v.to_string()),
                        None => (w.to_string(), String::new()),
                    })
                    .collect();
                open = Some(Block {
                    doc: path.to_path_buf(),
                    line: text[..range.start].lines().count() + 1,
                    lang,
                    attributes,
                    code: String::new(),
                    lead: std::mem::take(&mut lead),
                });
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(block) = open.as_mut() {
                    block.code.push_str(&t);
                } else if let Some(p) = paragraph.as_mut() {
                    p.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = paragraph.as_mut() {
                    p.push(' ');
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(open.take()),
            _ => {}
        }
    }
    blocks
}

/// One command of a transcript and what it prints.
#[derive(Debug)]
struct Step {
    command: String,
    expected: String,
}

/// The commands of a `console` block, each with the lines after it.
fn steps(code: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = code.lines();
    while let Some(line) = lines.next() {
        if let Some(command) = line.strip_prefix("$ ") {
            let mut command = command.to_string();
            while command.ends_with('\\') {
                let Some(next) = lines.next() else { break };
                command.push('\n');
                command.push_str(next);
            }
            steps.push(Step {
                command,
                expected: String::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push_str(line);
            step.expected.push('\n');
        }
    }
    steps
}

/// Whether a line of an `sh` block runs the doctor.
fn runs_the_doctor(line: &str) -> bool {
    let line = line.split(" #").next().unwrap_or(line).trim();
    !line.starts_with('#')
        && !line.starts_with("cargo ")
        && !line.starts_with("export ")
        && line
            .split_whitespace()
            .any(|word| word == "anypoint-doctor")
}

/// Whether a line of text starts as a command line that runs the doctor.
fn starts_the_doctor(line: &str) -> bool {
    line.split_whitespace()
        .find(|word| !word.contains('='))
        .is_some_and(|word| word == "anypoint-doctor")
}

/// `sh` for `script` in `dir`, with the binary first on PATH, `dir` as HOME
/// and caches, `columns` wide, and `env`.
fn shell(script: &str, dir: &Path, columns: &str, env: &[(&str, &str)]) -> Command {
    let bin_dir = Path::new(BIN).parent().expect("the binary's folder");
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("COLUMNS", columns)
        .envs(env.iter().copied());
    command
}

/// A new folder for a block's commands, holding a copy of the repository's
/// `examples/`, as a reader in a checkout has them.
fn workspace(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    copy_tree(&super::root().join("examples"), &dir.join("examples"));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a folder");
    for entry in std::fs::read_dir(from).expect("examples/ reads") {
        let path = entry.expect("an entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copy");
        }
    }
}

/// The marker printed before step `i`'s output.
fn marker(i: usize) -> String {
    format!("@@step {i}@@\n")
}

/// Runs `command`, a server that runs until Ctrl-C, until it prints `last`
/// (or ends, or `PATIENCE` passes), then interrupts it as Ctrl-C would:
/// what it printed until then. The block's attribute `interrupt`.
fn interrupted(mut command: Command, last: &str) -> Run {
    let mut child = command.stdout(Stdio::piped()).spawn().expect("sh runs");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (lines, read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let until = Instant::now() + PATIENCE;
    let mut printed = String::new();
    while let Ok(Ok(line)) = read.recv_timeout(until.saturating_duration_since(Instant::now())) {
        printed.push_str(&line);
        printed.push('\n');
        if line == last {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    // Its output ends when it exits: what it prints on the way out is not compared.
    while let Ok(Ok(_)) = read.recv_timeout(until.saturating_duration_since(Instant::now())) {}
    let _ = child.kill();
    let code = child.wait().ok().and_then(|s| s.code()).unwrap_or(-1);
    Run {
        code,
        stdout: printed,
        stderr: String::new(),
    }
}

/// Runs a `console` block; what differs from the transcript, if anything.
async fn run_console(block: &Block) -> Result<(), String> {
    let steps = steps(&block.code);
    if steps.is_empty() {
        return Err(format!(
            "{}: a console block with no `$ ` command",
            block.at()
        ));
    }
    let mut script = String::from("exec 2>&1\n");
    for (i, step) in steps.iter().enumerate() {
        // `$?` carries over the marker, for a step such as `echo $?`.
        script.push_str(&format!(
            "__status=$?; printf '{}'; (exit $__status)\n{}\n",
            marker(i).replace('\n', "\\n"),
            step.command
        ));
    }
    let dir = workspace("docs");
    let columns = block.attributes.get("columns").map_or("80", String::as_str);
    let sim = match block.scenario() {
        Some(name) => Some(Sim::start(world(name)).await),
        None => None,
    };
    let env: Vec<(&str, &str)> = match &sim {
        Some(sim) => vec![
            ("ANYPOINT_HOST", sim.running.base_url.as_str()),
            ("ANYPOINT_CLIENT_ID", sim.login.client_id.as_str()),
            ("ANYPOINT_CLIENT_SECRET", sim.login.client_secret.as_str()),
        ],
        // No platform: a command that needs one cannot quietly reach one.
        None => vec![("ANYPOINT_HOST", "http://127.0.0.1:9")],
    };
    let run = if block.attributes.contains_key("interrupt") {
        let [step] = &steps[..] else {
            return Err(format!(
                "{}: an `interrupt` block runs one command",
                block.at()
            ));
        };
        let last = step.expected.lines().last().unwrap_or_default().to_string();
        // `exec`: the interrupt reaches the command, not a shell waiting for it.
        let script = format!(
            "exec 2>&1\nprintf '{}'\nexec {}\n",
            marker(0).replace('\n', "\\n"),
            step.command
        );
        let command = shell(&script, &dir, columns, &env);
        tokio::task::spawn_blocking(move || interrupted(command, &last))
            .await
            .expect("the run did not panic")
    } else {
        finish(shell(&script, &dir, columns, &env)).await
    };
    if let Some(sim) = sim {
        sim.stop().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let output = run.output();
    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let start = output
            .find(&marker(i))
            .map(|at| at + marker(i).len())
            .ok_or_else(|| format!("{}: step {i} never ran:\n{output}", block.at()))?;
        let end = output[start..]
            .find(&marker(i + 1))
            .map_or(output.len(), |at| start + at);
        let actual = &output[start..end];
        let name = format!("{}: $ {}", block.at(), step.command);
        if let Err(diff) = snapbox::Assert::new().normalize_paths(false).try_eq(
            Some(&name),
            snapbox::IntoData::into_data(actual),
            snapbox::IntoData::into_data(step.expected.as_str()),
        ) {
            failures.push(diff.to_string());
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// Runs the doctor's lines of an `sh` block; those that end other than with
/// a verdict (0 or 1): a usage error, "could not check", a command not found.
async fn run_setup(block: &Block) -> Result<(), String> {
    let lines: Vec<&str> = block.code.lines().filter(|l| runs_the_doctor(l)).collect();
    if lines.is_empty() {
        return Ok(());
    }
    let sim = Sim::start(world(block.scenario().unwrap_or("healthy"))).await;
    let mut failures = Vec::new();
    for line in lines {
        let dir = workspace("docs-sh");
        let env = [
            ("ANYPOINT_HOST", sim.running.base_url.as_str()),
            ("ANYPOINT_CLIENT_ID", sim.login.client_id.as_str()),
            ("ANYPOINT_CLIENT_SECRET", sim.login.client_secret.as_str()),
        ];
        let run = finish(shell(line, &dir, "80", &env)).await;
        let _ = std::fs::remove_dir_all(&dir);
        if !matches!(run.code, 0 | 1) {
            failures.push(format!(
                "{}: `{line}` exited {}:\n{}",
                block.at(),
                run.code,
                run.output()
            ));
        }
    }
    sim.stop().await;
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The examples of every document, each block by its kind.
fn every_block() -> Vec<Block> {
    documents().iter().flat_map(|doc| blocks(doc)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_example_runs_as_written() {
    let blocks = every_block();
    let mut problems = Vec::new();
    for block in &blocks {
        let shows_a_command = block.code.lines().any(|l| l.starts_with("$ "));
        match block.lang.as_str() {
            "console" => {
                if let Some(name) = block.scenario()
                    && !block.lead.contains(name)
                {
                    problems.push(format!(
                        "{}: the paragraph before the example does not name its scenario `{name}`",
                        block.at()
                    ));
                }
            }
            "sh" => {}
            _ if shows_a_command || block.code.lines().any(starts_the_doctor) => {
                problems.push(format!(
                    "{}: a `{}` block shows a command: make it a `console` example that runs",
                    block.at(),
                    block.lang
                ))
            }
            _ => {}
        }
    }
    let results: Vec<Result<(), String>> = futures::stream::iter(blocks.iter())
        .map(|block| async move {
            match block.lang.as_str() {
                "console" => run_console(block).await,
                "sh" => run_setup(block).await,
                _ => Ok(()),
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    problems.extend(results.into_iter().filter_map(Result::err));
    let ran = blocks.iter().filter(|b| b.lang == "console").count();
    assert!(ran >= 10, "only {ran} console examples found");
    assert!(
        problems.is_empty(),
        "{} documented example(s) do not run as written:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn a_transcript_splits_into_commands_and_what_each_prints() {
    let steps = steps("$ a \\\n  --b\nout 1\n...\n$ echo $?\n1\n");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].command, "a \\\n  --b");
    assert_eq!(steps[0].expected, "out 1\n...\n");
    assert_eq!(steps[1].command, "echo $?");
    assert_eq!(steps[1].expected, "1\n");
    assert!(runs_the_doctor(
        "mkdir -p x && anypoint-doctor completions bash > x/y"
    ));
    assert!(!runs_the_doctor(
        "cargo run --release -- demo   # anypoint-doctor"
    ));
    assert!(!runs_the_doctor(
        "export ANYPOINT_HOST=eu1.anypoint.mulesoft.com"
    ));
}
