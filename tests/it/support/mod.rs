//! The shared harness: the simulator over HTTP (`api`, shared with the
//! simulator's own tests), running the built binary with an isolated environment
//! (`bin`), the simulator (`sim`), the mock control plane of the `check`
//! tests (`tenant`), fixtures and temp folders (`fs`), reading reports
//! (`report`), and assertions on text.

// The simulator over HTTP, shared with the simulator's own tests: one file,
// compiled into each binary. What only those tests call is unused here; their
// binary, which allows nothing, still finds code that neither calls.
#[allow(dead_code)]
#[path = "../../../crates/anypoint-sim/tests/http/support/api.rs"]
pub mod api;
pub mod bin;
pub mod fs;
pub mod report;
pub mod sim;
pub mod tenant;

use std::fmt::Debug;
use std::sync::Mutex;

/// How many cases a test that mostly waits (on a retry's backoff, a
/// subprocess, a timeout) runs at once: enough to overlap the waits, few
/// enough that a loaded 2-core machine still answers within the timeouts.
pub const IN_FLIGHT: usize = 6;

/// `f` of each item, at most `IN_FLIGHT` at once on threads of their own, in
/// the items' order. A panic in one case is raised again here.
pub fn map_waiting<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = Mutex::new(items.iter().enumerate());
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..IN_FLIGHT.min(items.len()))
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        let Some((n, item)) = next.lock().expect("the queue").next() else {
                            break;
                        };
                        let result = f(item);
                        done.lock().expect("the results").push((n, result));
                    }
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
        }
    });
    let mut done = done.into_inner().expect("the results");
    done.sort_by_key(|(n, _)| *n);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `text` contains every one of `needles`; the message names the missing one.
#[track_caller]
pub fn assert_contains_all(text: &str, needles: &[&str], context: &dyn Debug) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing: {context:#?}");
    }
}

/// `text` with each command a terminal view broke over lines (a line that
/// ends in ` \`, as `text::command_lines` breaks them) joined back into one
/// line, as a shell reads it when pasted.
pub fn joined_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut line = line.to_string();
        while let Some(head) = line.strip_suffix(" \\") {
            let Some(next) = lines.next() else { break };
            line = format!("{head} {}", next.trim_start());
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// What changes from run to run (ports, times, durations, transaction ids),
/// replaced so that a snapshot shows only what a change to the output does.
const UNSTABLE: &[(&str, &str)] = &[
    (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
    (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "TIME"),
    (r"\d+ ms\b", "N ms"),
    (r"in \d+\.\d s\b", "in N s"),
    (r"within \d+ s\b", "within N s"),
    (r"\d+(\.\d+)? s\)", "N s)"),
    (
        r"(trx|x-anypnt-trx-id) `?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`?",
        "$1 TRX",
    ),
    // The Markdown request table's last columns: elapsed ms, trx id, request id.
    (
        r"\| \d+ \| [0-9a-f-]{36} \| [0-9a-f-]{36} \|",
        "| N | TRX | TRX |",
    ),
    (r"\| \d+ \|  \|  \|", "| N |  |  |"),
    // This process's temp folders (`fs::temp_dir`).
    (r"anypoint-doctor-it-\d+-([\w-]+)-\d+", "TEMP-$1"),
];

/// `text` as a snapshot filtered by `stable_snapshots` shows it: for
/// comparing what two runs print, or pinning values rather than text.
pub fn stable(text: &str) -> String {
    static PATTERNS: std::sync::LazyLock<Vec<(regex::Regex, &str)>> =
        std::sync::LazyLock::new(|| {
            UNSTABLE
                .iter()
                .map(|(pattern, with)| {
                    (regex::Regex::new(pattern).expect("a valid pattern"), *with)
                })
                .collect()
        });
    PATTERNS
        .iter()
        .fold(text.to_string(), |text, (pattern, with)| {
            pattern.replace_all(&text, *with).into_owned()
        })
}

/// insta's settings for an output that differs between runs only in what
/// `UNSTABLE` hides: loopback ports, times, durations, transaction ids, and
/// this process's temp folders.
pub fn stable_snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in UNSTABLE {
        settings.add_filter(pattern, *replacement);
    }
    settings
}
