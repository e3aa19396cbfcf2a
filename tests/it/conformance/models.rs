//! The doctor's models against answers generated from the published schemas:
//! each route the doctor reads (`readers`) answers, on the mock control
//! plane, a body that conforms to its schema or breaks it in one place, and
//! the check or command that reads the route runs in-process. Whatever the
//! body: no panic, an exit status among the documented ones, and a check
//! (or command) whose answer lacked what it needs (or could not be read for
//! it) does not pass.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use std::io::Write as _;

use anypoint_doctor::cli::Cli;
use anypoint_doctor::report::{FailOn, Status};
use anypoint_doctor::{Io, Terminal};
use clap::{CommandFactory, FromArgMatches};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::Value;

use super::generate::{conforming, violating};
use super::published;
use super::readers::{Reader, Runs, readers};
use crate::support::report::dump;
use crate::support::tenant::{self, Tenant, ok, selecting};

/// Cases per route: enough to reach every optional field and break, few
/// enough that the whole test runs in a few seconds on two cores.
const CASES: u32 = 40;

/// Panics on this test's threads (the test's own and its runtime's), seen by
/// a hook that also lets the default one print them.
static PANICS: AtomicUsize = AtomicUsize::new(0);
const RUNTIME_THREADS: &str = "conformance-models";

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let ours = std::thread::current().name().is_some_and(|n| {
                n.starts_with(RUNTIME_THREADS) || n.contains("conformance::models")
            });
            if ours {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// What running a reader on one body gave.
struct Ran {
    exit: i32,
    passed: bool,
    /// The report or the command's output, for messages.
    shown: String,
}

/// The reader run on the healthy tenant (as the reader sets it up) with `body` on its route.
fn run(runtime: &tokio::runtime::Runtime, reader: &Reader, body: &Value) -> Ran {
    let mut tenant = Tenant::healthy();
    (reader.setup)(&mut tenant);
    tenant.set("GET", reader.served_at.clone(), ok(body.to_string()));
    runtime.block_on(async {
        let mut server = mockito::Server::new_async().await;
        // Requests the generated ids lead to are answered 501, not verified:
        // where they go is up to the body.
        let _mounted = tenant.mount(&mut server).await;
        match &reader.runs {
            Runs::Check { id, target } => {
                let report = tenant::run(reader.signs_in.settings(&server), selecting(&[id])).await;
                let passed = report.checks.iter().any(|o| {
                    o.id == *id && o.target.as_deref() == *target && o.status == Status::Pass
                });
                Ran {
                    exit: report.exit_status(FailOn::Fail) as i32,
                    passed,
                    shown: dump(&report),
                }
            }
            Runs::Command(args) => {
                let mut line: Vec<String> = vec!["anypoint-doctor".into()];
                line.extend(args.iter().map(|a| a.to_string()));
                line.extend(reader.signs_in.flags(&server));
                let (exit, shown) = command(&line).await;
                Ran {
                    exit,
                    passed: exit == 0,
                    shown,
                }
            }
        }
    })
}

/// A command line run in-process (`anypoint_doctor::run`): its exit status
/// as `main` maps it, and what it printed.
async fn command(line: &[String]) -> (i32, String) {
    let matches = Cli::command()
        .try_get_matches_from(line)
        .unwrap_or_else(|e| panic!("{line:?} does not parse: {e}"));
    let cli = Cli::from_arg_matches(&matches).expect("parsed arguments");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut progress = std::io::sink();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        progress: &mut progress,
        terminal: Terminal {
            color: false,
            width: Some(120),
            progress: false,
        },
        secrets: Default::default(),
        har: None,
    };
    let status = match anypoint_doctor::run(&cli, &matches, &mut io).await {
        Ok(status) => status,
        Err(e) => {
            writeln!(err, "error: {e}").expect("a Vec takes a line");
            e.exit_status()
        }
    };
    let shown = format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    );
    (status as i32, shown)
}

/// How a route's cases went: bodies without what the reader needs, and passes.
#[derive(Debug, Default)]
struct Seen {
    lacking: usize,
    passed: usize,
}

/// What must hold of a run on `body`.
fn judge(reader: &Reader, body: &Value, ran: &Ran, seen: &mut Seen) -> Result<(), TestCaseError> {
    let exit = ran.exit;
    prop_assert!((0..=3).contains(&exit), "exit {exit}: {}", ran.shown);
    seen.passed += usize::from(ran.passed);
    if !(reader.needs)(body) {
        seen.lacking += 1;
        prop_assert!(
            !ran.passed,
            "{} passed on an answer without what it needs:\n{body:#}\n{}",
            reader.name(),
            ran.shown
        );
    }
    Ok(())
}

#[test]
fn the_doctor_reads_any_answer_the_descriptions_allow_or_break_without_a_false_pass() {
    count_panics();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(RUNTIME_THREADS)
        .enable_all()
        .build()
        .expect("a runtime");
    let routes = published::routes();
    for reader in readers() {
        let route = routes
            .iter()
            .find(|r| r.method == "GET" && r.path == reader.published)
            .unwrap_or_else(|| panic!("no published schema for {}", reader.published));
        let anchor = reader.anchor;
        let bodies = prop_oneof![conforming(&route.schema), violating(&route.schema)].prop_map(
            move |mut body| {
                anchor(&mut body);
                body
            },
        );
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            rng_seed: RngSeed::Fixed(0x0c0f_0a11),
            ..Config::default()
        });
        let seen = std::cell::RefCell::new(Seen::default());
        runner
            .run(&bodies, |body| {
                let ran = run(&runtime, &reader, &body);
                judge(&reader, &body, &ran, &mut seen.borrow_mut())
            })
            .unwrap_or_else(|e| panic!("{}: {e}", reader.name()));
        let seen = seen.into_inner();
        println!("{}: {seen:?}", reader.name());
        // Neither side of the property may go untested.
        assert!(
            seen.lacking > 0 && seen.passed > 0,
            "{}: {seen:?}: the generated bodies no longer reach both a pass and a lack",
            reader.name()
        );
    }
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "the doctor panicked (see above)"
    );
}
