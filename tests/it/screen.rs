//! The first screen in a real terminal (issue 24): `demo` of every scenario
//! runs in a pseudo-terminal of 80×24 and of 120×30, and what it writes goes
//! through a terminal emulator of the same size. The screen left when it
//! ends must hold the verdict: the totals, every line of what did not pass,
//! and the first step of "What to fix"; and the terminal wraps no line of
//! the output, so none is broken in the middle of a word or an id.

use std::io::Read;
use std::num::NonZeroU16;
use std::sync::mpsc;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use crate::support::bin::{BIN, PATIENCE};
use crate::support::sim::scenarios::SCENARIOS;
use crate::support::sim::{app_env, serve, world};

/// Terminals as (columns, rows): the classic size, and a wider, taller one.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 30)];
/// An emulator this tall holds the whole output: where to find the verdict's lines.
const TALL: u16 = 1000;

/// What a terminal shows once a run has ended.
struct Screen {
    /// The rows left on the screen, the last one where the prompt would go.
    last: Vec<String>,
    /// Every row the output took, as a terminal of the same width lays it out.
    all: Vec<String>,
    /// The rows the terminal wrapped because the line was wider than it.
    wrapped: Vec<String>,
    /// How the program exited.
    code: u32,
}

/// Runs `program` with `args` in a pseudo-terminal of `cols`×`rows` until
/// it ends, with no environment but `env` and `TERM` (colour on, as a
/// person sees it).
fn in_terminal(
    program: &str,
    args: &[&str],
    env: &[(String, String)],
    cols: u16,
    rows: u16,
) -> Screen {
    let size = PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    };
    let pty = native_pty_system()
        .openpty(size)
        .expect("a pseudo-terminal");
    let mut command = CommandBuilder::new(program);
    command.args(args);
    command.env_clear();
    command.env("TERM", "xterm-256color");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = pty.slave.spawn_command(command).expect("the binary starts");
    // The child holds the only other end now: when it ends, reading ends.
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("the terminal reads");
    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut output = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match reader.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => output.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // Linux answers EIO once the other end is closed: the end of the output.
                Err(_) => break,
            }
        }
        // The test may have given up waiting; then nobody listens.
        sender.send(output).ok();
    });
    let Ok(output) = received.recv_timeout(PATIENCE) else {
        child.kill().ok();
        panic!("`{}` did not end within {PATIENCE:?}", args.join(" "));
    };
    let code = child.wait().expect("the program ends").exit_code();

    let emulate = |rows: u16| {
        let nonzero = |n: u16| NonZeroU16::new(n).expect("a size above zero");
        let mut terminal = vt100::Parser::new(nonzero(rows), nonzero(cols), 0);
        terminal.process(&output);
        terminal
    };
    let last: Vec<String> = emulate(rows).screen().rows(0, cols).collect();
    let tall = emulate(TALL);
    let screen = tall.screen();
    let mut all: Vec<String> = screen.rows(0, cols).collect();
    while all.last().is_some_and(|row| row.trim().is_empty()) {
        all.pop();
    }
    let wrapped = (0..all.len())
        .filter(|&row| screen.row_wrapped(row as u16))
        .map(|row| format!("{:?} | {:?}", all[row], all.get(row + 1)))
        .collect();
    Screen {
        last,
        all,
        wrapped,
        code,
    }
}

/// The lines a first screen must show, from all of the output (each as a
/// row shows it): the totals, each line that did not pass (`✗` failed,
/// `?` could not check, `!` warned), and the first line of the first fix.
pub fn verdict_lines(all: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = all
        .iter()
        .filter(|row| {
            let row = row.trim_start();
            row.starts_with(['✗', '?', '!'])
                || row
                    .split_once(" results: ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .cloned()
        .collect();
    if let Some(at) = all.iter().position(|row| row == "What to fix:") {
        lines.extend(all.get(at + 1).cloned());
    }
    lines
}

/// `last` (the rows of a screen) shows every line of the verdict in `all`.
#[track_caller]
pub fn assert_shows_the_verdict(what: &str, all: &[String], last: &[String]) {
    let verdict = verdict_lines(all);
    assert!(
        verdict.iter().any(|l| l.contains(" results: ")),
        "{what}: no totals in the output:\n{}",
        all.join("\n")
    );
    let shown = |line: &String| last.iter().any(|row| row.trim_end() == line.trim_end());
    let missing: Vec<&String> = verdict.iter().filter(|line| !shown(line)).collect();
    assert!(
        missing.is_empty(),
        "{what}: the last screen lacks {missing:#?}\n----- the screen\n{}\n----- the output\n{}",
        last.join("\n"),
        all.join("\n")
    );
}

#[test]
fn every_demo_leaves_its_verdict_on_the_screen_at_80x24_and_120x30() {
    let runs: Vec<(String, Screen)> = std::thread::scope(|scope| {
        let handles: Vec<_> = SCENARIOS
            .iter()
            .flat_map(|scenario| SIZES.map(|size| (scenario.name, size)))
            .map(|(name, (cols, rows))| {
                scope.spawn(move || {
                    let screen = in_terminal(BIN, &["demo", "--scenario", name], &[], cols, rows);
                    (format!("demo --scenario {name} at {cols}×{rows}"), screen)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|run| run.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    assert_eq!(runs.len(), SCENARIOS.len() * SIZES.len());
    for (what, screen) in &runs {
        assert_eq!(screen.code, 0, "{what}: {:#?}", screen.all);
        // No row wraps: no id, word or command is cut by the terminal's edge.
        assert!(
            screen.wrapped.is_empty(),
            "{what}: the terminal wraps {:#?}\n{}",
            screen.wrapped,
            screen.all.join("\n")
        );
        assert_shows_the_verdict(what, &screen.all, &screen.last);
    }
}

/// The check above can fail: a line one id too long for the terminal is
/// seen wrapped, the id cut in two.
#[test]
fn the_emulated_terminal_sees_an_id_cut_by_its_edge() {
    let id = "9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f";
    let line = format!("anypoint-doctor check --org {id} --env Sandbox --select scope\n");
    let screen = in_terminal("/usr/bin/printf", &[&line], &[], 60, 24);
    assert_eq!(screen.wrapped.len(), 1, "{:#?}", screen.wrapped);
    assert!(
        screen.wrapped[0].contains("9f2c1e4a") && !screen.wrapped[0].contains(id),
        "{:#?}",
        screen.wrapped
    );
    // The rest of the id starts the next row.
    assert!(
        screen.last[1].starts_with("5e6f --env"),
        "{:#?}",
        screen.last
    );
}

/// Issue 24: `apps` at 80 columns drew a box 26 rows tall for one finding,
/// a word to a row. Below a table's width the diagnosis is the list `-v`
/// shows: the finding and its fix, each wrapped to the width.
#[tokio::test]
async fn apps_at_80_columns_tells_its_one_finding_in_a_few_rows() {
    let world = world("missing-view-scope");
    let sim = serve(world.clone()).await;
    let env: Vec<(String, String)> = app_env(&sim, &world)
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let screen = tokio::task::spawn_blocking(move || in_terminal(BIN, &["apps"], &env, 80, 24))
        .await
        .expect("the run did not panic");
    sim.stop().await;
    let shown = screen.all.join("\n");
    assert_eq!(screen.code, 1, "{shown}");
    assert!(screen.wrapped.is_empty(), "{:#?}", screen.wrapped);
    assert!(!shown.contains(['│', '┌', '└']), "a box:\n{shown}");
    assert!(
        screen.all[0].starts_with("The client application list of \"Example Corp\" is empty"),
        "{shown}"
    );
    let finding = screen
        .all
        .iter()
        .position(|row| row == "✗ data.client-applications-empty")
        .unwrap_or_else(|| panic!("no finding:\n{shown}"));
    assert!(
        screen.all[finding..]
            .iter()
            .any(|row| row.starts_with("    → Add \"View Client Applications\"")),
        "no fix:\n{shown}"
    );
    // The message, the heading, the finding and its fix: half a screen, not a box of 26 rows.
    assert!(
        screen.all.len() <= 14,
        "{} rows:\n{shown}",
        screen.all.len()
    );
}
