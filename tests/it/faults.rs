//! Every fault the simulator can inject (`FaultKind`: latency, rate limit,
//! 500/502/503/504, an HTML page, a truncated body, no answer, a lost answer,
//! a reset connection), against `check` and against the create commands.
//!
//! What must hold for each: the right status (a 429, a 5xx or a broken answer
//! is `error` / exit 3, never a failed scope or refused credentials), a clear
//! one-line message naming what happened, no panic, and a run time bounded by
//! the small `--timeout` the tests pass. Retries are pinned too: a transient
//! fault on a read or an invalid-body probe is sent again and recovers (`attempts == 2` in the
//! evidence), a real create is never resent after a 5xx (a second POST would
//! be carried out by the simulator and show in its world), and a 429 is
//! waited for only when its Retry-After fits the retry budget.
//!
//! `check` runs in-process through `diagnose`; the create commands run as the
//! built binary (on the blocking pool, so the in-process simulator keeps
//! serving). Runs of one test go out together: they are independent
//! simulators, and the faults make most of them wait.

use std::time::{Duration, Instant};

use anypoint_doctor::ExitStatus;
use anypoint_doctor::RunOptions;
use anypoint_doctor::platform::retry::RetryPolicy;
use anypoint_doctor::report::FailOn;
use anypoint_doctor::report::{Outcome, Report, Status};
use futures::future::join_all;

use crate::support::assert_contains_all;
use crate::support::bin::{Run, doctor_async};
use crate::support::report::dump;
use crate::support::sim::{
    FaultKind, RunningSim, World, app_env, diagnose_world, fault, faults, healthy_with, serve,
    world,
};

const TOKEN: &str = "/accounts/api/v2/oauth2/token";
const ENVIRONMENTS: &str = "/accounts/api/organizations/*/environments";
const API_MANAGER: &str = "/apimanager/**";
const EXCHANGE_APPS: &str = "/exchange/api/v2/organizations/*/applications";
const APIM_CONTRACTS: &str = "/apimanager/api/v1/organizations/*/environments/*/apis/*/contracts";

/// The scenarios' Sandbox API instance, and the application without a contract.
const SANDBOX_API: &str = "18972610";
const BILLING_BATCH: u64 = 2349041;

/// Seconds one request may take in these runs (`--timeout`).
const TIMEOUT_SECS: u64 = 1;
/// The longest one run may take, retries and a hung request included: the
/// worst case is four attempts with backoff (under 2 s) or one 1 s timeout,
/// and a loaded 2-core CI machine may be a few times slower.
const BOUND: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- faults

/// One of every fault, as `check` and the creates meet it. The rate limit asks
/// for longer than the retry budget (15 s), so it is reported at once.
fn every_fault() -> Vec<FaultKind> {
    vec![
        FaultKind::Latency { ms: 150 },
        FaultKind::RateLimit {
            retry_after_secs: 60,
        },
        FaultKind::Status { status: 500 },
        FaultKind::Status { status: 502 },
        FaultKind::Status { status: 503 },
        FaultKind::Status { status: 504 },
        FaultKind::Html { status: 502 },
        FaultKind::Truncated,
        FaultKind::Hang,
        FaultKind::LostAnswer,
        FaultKind::Reset,
    ]
}

/// What a message about this fault must say.
fn phrase(kind: &FaultKind) -> String {
    match kind {
        FaultKind::Latency { .. } => String::new(),
        FaultKind::RateLimit { .. } => "429".into(),
        FaultKind::Throttle { .. } => "503".into(),
        FaultKind::Status { status } | FaultKind::Html { status } => status.to_string(),
        FaultKind::Truncated => "truncated".into(),
        FaultKind::Hang | FaultKind::LostAnswer => format!("{TIMEOUT_SECS} s"),
        FaultKind::Reset => "connection".into(),
    }
}

/// How many times a request that creates nothing is sent when the fault
/// persists: 500, 502-504 and a broken connection are retried to the limit (4).
fn attempts_on_a_read(kind: &FaultKind) -> u32 {
    match kind {
        FaultKind::Status {
            status: 500 | 502..=504,
        }
        | FaultKind::Html { .. }
        | FaultKind::Reset => 4,
        _ => 1,
    }
}

/// The healthy tenant with one fault on `path` (any method when `method` is None).
fn faulty(path: &str, method: Option<&str>, kind: FaultKind, times: Option<u32>) -> World {
    healthy_with([fault(path, method, kind, times)])
}

// ---------------------------------------------------------------- check

struct Checked {
    report: Report,
    exit: ExitStatus,
    elapsed: Duration,
}

/// `check` against `world` with a 1 s request timeout and connect timeout.
async fn check(world: World) -> Checked {
    check_with(world, TIMEOUT_SECS, Duration::from_secs(30)).await
}

async fn check_with(world: World, timeout_secs: u64, deadline: Duration) -> Checked {
    let plan = RunOptions {
        deadline: Some(deadline),
        ..RunOptions::default()
    };
    check_planned(world, timeout_secs, plan).await
}

/// `check` with retry waits of a few milliseconds: what is retried, not how long.
async fn check_quickly(world: World) -> Checked {
    let plan = RunOptions {
        deadline: Some(Duration::from_secs(30)),
        retry: RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
        ..RunOptions::default()
    };
    check_planned(world, TIMEOUT_SECS, plan).await
}

/// `check_quickly` once per fault in `kinds` on `path`, the runs in the same order.
async fn each_quickly(
    kinds: &[FaultKind],
    path: &str,
    method: Option<&str>,
    times: Option<u32>,
) -> Vec<Checked> {
    join_all(
        kinds
            .iter()
            .map(|kind| check_quickly(faulty(path, method, kind.clone(), times))),
    )
    .await
}

/// The first outcome of check `id` in a run.
#[track_caller]
fn outcome<'a>(run: &'a Checked, id: &str) -> &'a Outcome {
    run.report
        .checks
        .iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("{id} did not run\n{}", dump(&run.report)))
}

async fn check_planned(world: World, timeout_secs: u64, plan: RunOptions) -> Checked {
    let run = diagnose_world(&world, &plan, |settings| {
        settings.timeout_secs.value = timeout_secs;
        settings.connect_timeout_secs.value = 1;
    })
    .await;
    Checked {
        exit: run.report.summary.exit_status(FailOn::Fail),
        report: run.report,
        elapsed: run.elapsed,
    }
}

/// What holds whatever the fault: nothing failed (a fault is never a missing
/// scope or bad credentials), no check panicked, every message is one line,
/// and the run stayed within its bound.
#[track_caller]
fn assert_sound(run: &Checked, what: &str) {
    let report = &run.report;
    for o in &report.checks {
        assert_ne!(o.status, Status::Fail, "{what}: {}\n{}", o.id, dump(report));
        assert!(
            !o.summary.contains("internal error"),
            "{what}: {} panicked\n{}",
            o.id,
            dump(report)
        );
        assert!(
            !o.summary.contains('\n') && !o.summary.is_empty(),
            "{what}: {} has a message of one line: {:?}",
            o.id,
            o.summary
        );
    }
    assert!(
        run.elapsed < BOUND,
        "{what}: took {:?}\n{}",
        run.elapsed,
        dump(report)
    );
}

/// The outcomes that sent a request to a path matching `pattern`.
fn touching<'a>(report: &'a Report, pattern: &str) -> Vec<&'a Outcome> {
    report
        .checks
        .iter()
        .filter(|o| {
            o.evidence.iter().any(|e| {
                let path = e.url.splitn(4, '/').nth(3).unwrap_or("");
                let path = format!("/{}", path.split('?').next().unwrap_or(""));
                faults::path_matches(pattern, &path)
            })
        })
        .collect()
}

/// Runs `check` once per fault on `path` (every request, every method) and
/// asserts what each must give; `expect` names the checks that must end in
/// `error` and say what happened.
async fn check_every_fault_on(path: &str, expect: &[&str]) {
    let kinds = every_fault();
    let runs = join_all(
        kinds
            .iter()
            .map(|kind| check(faulty(path, None, kind.clone(), None))),
    )
    .await;
    for (kind, run) in kinds.iter().zip(&runs) {
        let what = format!("{kind:?} on {path}");
        let report = &run.report;
        assert_sound(run, &what);
        if let FaultKind::Latency { ms } = kind {
            assert_eq!(run.exit, ExitStatus::Ok, "{what}\n{}", dump(report));
            assert_eq!(report.summary.error, 0, "{what}\n{}", dump(report));
            assert!(run.elapsed >= Duration::from_millis(*ms), "{what}");
            continue;
        }
        assert_eq!(run.exit, ExitStatus::Incomplete, "{what}\n{}", dump(report));
        for id in expect {
            let outcomes: Vec<&Outcome> = report.checks.iter().filter(|o| o.id == *id).collect();
            assert!(!outcomes.is_empty(), "{what}: no {id}\n{}", dump(report));
            for o in outcomes {
                assert_eq!(o.status, Status::Error, "{what}: {id}\n{}", dump(report));
                assert!(
                    o.summary.contains(&phrase(kind)),
                    "{what}: {id} should say {:?}: {}",
                    phrase(kind),
                    o.summary
                );
            }
        }
        // Whatever met the fault could not check; what needed it was skipped.
        for o in touching(report, path) {
            if matches!(kind, FaultKind::Truncated) && o.status == Status::Pass {
                // A probe is judged by its status alone; a cut body does not change it.
                continue;
            }
            assert_eq!(
                o.status,
                Status::Error,
                "{what}: {}\n{}",
                o.id,
                dump(report)
            );
            let sent = o
                .evidence
                .iter()
                .map(|e| e.attempts)
                .max()
                .unwrap_or_default();
            assert_eq!(
                sent,
                attempts_on_a_read(kind),
                "{what}: {} was sent {sent} times\n{}",
                o.id,
                dump(report)
            );
        }
    }
}

#[tokio::test]
async fn check_reports_every_fault_on_the_token_request_as_an_error_not_bad_credentials() {
    check_every_fault_on(TOKEN, &["auth.token"]).await;
}

#[tokio::test]
async fn check_reports_every_fault_on_the_environments_as_an_error() {
    check_every_fault_on(ENVIRONMENTS, &["org.environments"]).await;
}

/// API Manager answers every scope probe of every environment: none of them
/// may turn a fault into a missing scope.
#[tokio::test]
async fn check_reports_every_fault_on_api_manager_as_an_error_never_a_missing_scope() {
    let kinds = every_fault();
    let (baseline, runs) = tokio::join!(
        check(world("healthy")),
        join_all(
            kinds
                .iter()
                .map(|kind| check(faulty(API_MANAGER, None, kind.clone(), None))),
        )
    );
    // What the probes say without a fault.
    let unfaulted = |o: &Outcome| {
        baseline
            .report
            .checks
            .iter()
            .find(|b| b.id == o.id && b.target == o.target)
            .map(|b| b.status)
            .expect("the same outcome without a fault")
    };
    for (kind, run) in kinds.iter().zip(&runs) {
        let what = format!("{kind:?} on {API_MANAGER}");
        assert_sound(run, &what);
        let scope_checks: Vec<&Outcome> = touching(&run.report, API_MANAGER)
            .into_iter()
            .filter(|o| o.id.starts_with("scope."))
            .collect();
        // Three checks in Sandbox and Production; none in Design, which API
        // Manager does not manage (reference §12.1).
        assert_eq!(scope_checks.len(), 6, "{what}\n{}", dump(&run.report));
        for o in scope_checks {
            let want = match kind {
                // Slower answers change nothing.
                FaultKind::Latency { .. } => unfaulted(o),
                // A body cut in half cannot be read as the platform's JSON;
                // a 404 (the contract probe's, with no instance listed) needs none.
                FaultKind::Truncated if o.status == Status::Warn => {
                    assert!(o.summary.contains("inconclusive"), "{what}: {}", o.summary);
                    continue;
                }
                _ => Status::Error,
            };
            assert_eq!(o.status, want, "{what}: {}\n{}", o.id, dump(&run.report));
            if want == Status::Error {
                assert!(
                    o.summary.contains(&phrase(kind)),
                    "{what}: {} should say {:?}: {}",
                    o.id,
                    phrase(kind),
                    o.summary
                );
            }
        }
    }
}

#[tokio::test]
async fn a_refused_token_request_never_reads_as_bad_credentials() {
    let kinds: Vec<FaultKind> = every_fault()
        .into_iter()
        .filter(|k| !matches!(k, FaultKind::Latency { .. }))
        .collect();
    let runs = join_all(
        kinds
            .iter()
            .map(|kind| check(faulty(TOKEN, None, kind.clone(), None))),
    )
    .await;
    for (kind, run) in kinds.iter().zip(&runs) {
        let token = run
            .report
            .checks
            .iter()
            .find(|o| o.id == "auth.token")
            .expect("auth.token ran");
        let mut said = format!(
            "{} {}",
            token.summary,
            token.remediation.as_deref().unwrap_or("")
        );
        // A random transaction id may hold "401" by chance: it blames nothing.
        for trx in token.evidence.iter().filter_map(|e| e.trx_id.as_deref()) {
            said = said.replace(trx, "<trx>");
        }
        let said = said.to_lowercase();
        for wrong in ["401", "client secret", "invalid_client", "wrong secret"] {
            assert!(
                !said.contains(wrong),
                "{kind:?}: the token check blames {wrong:?}: {said}"
            );
        }
        // Everything after the token waits for it; the network checks ran before it.
        for o in run
            .report
            .checks
            .iter()
            .filter(|o| o.id != "auth.token" && o.category != "net")
        {
            assert_eq!(
                (o.status, o.blocked_by.as_deref()),
                (Status::Skip, Some("auth.token")),
                "{kind:?}: {}\n{}",
                o.id,
                dump(&run.report)
            );
        }
    }
}

// ---------------------------------------------------------------- retries in check

/// A fault on the first request only: a read is sent again and recovers.
#[tokio::test]
async fn a_transient_fault_on_a_read_is_retried_and_recovers() {
    let kinds = [
        FaultKind::Status { status: 500 },
        FaultKind::Status { status: 502 },
        FaultKind::Status { status: 503 },
        FaultKind::Status { status: 504 },
        FaultKind::Html { status: 502 },
        FaultKind::Reset,
        FaultKind::RateLimit {
            retry_after_secs: 1,
        },
    ];
    let runs = join_all(
        kinds
            .iter()
            .map(|kind| check(faulty(ENVIRONMENTS, Some("GET"), kind.clone(), Some(1)))),
    )
    .await;
    for (kind, run) in kinds.iter().zip(&runs) {
        let what = format!("{kind:?} once on {ENVIRONMENTS}");
        assert_sound(run, &what);
        assert_eq!(run.exit, ExitStatus::Ok, "{what}\n{}", dump(&run.report));
        let environments = run
            .report
            .checks
            .iter()
            .find(|o| o.id == "org.environments")
            .expect("org.environments ran");
        assert_eq!(environments.status, Status::Pass, "{what}");
        assert_eq!(
            environments
                .evidence
                .iter()
                .map(|e| e.attempts)
                .collect::<Vec<_>>(),
            [2],
            "{what}: one retry shows in the evidence\n{}",
            dump(&run.report)
        );
        if let FaultKind::RateLimit { retry_after_secs } = kind {
            assert!(
                run.elapsed >= Duration::from_secs(*retry_after_secs),
                "{what}: Retry-After was honoured ({:?})",
                run.elapsed
            );
        }
    }
}

/// Exchange throttles with a bare 500 too (reference §12.3, KB 001121231):
/// two of them in a row on a healthy org are waited out, not reported.
#[tokio::test]
async fn exchange_answering_500_twice_leaves_a_healthy_org_healthy() {
    let run = check_quickly(faulty(
        "/exchange/**",
        None,
        FaultKind::Status { status: 500 },
        Some(2),
    ))
    .await;
    assert_sound(&run, "500 twice on Exchange");
    assert_eq!(run.exit, ExitStatus::Ok, "{}", dump(&run.report));
    assert_eq!(run.report.summary.error, 0, "{}", dump(&run.report));
    let retried: u32 = touching(&run.report, "/exchange/**")
        .iter()
        .flat_map(|o| &o.evidence)
        .filter(|e| e.url.contains("/exchange/"))
        .map(|e| e.attempts - 1)
        .max()
        .unwrap_or_default();
    assert!(
        retried >= 1,
        "the 500s show as retries\n{}",
        dump(&run.report)
    );
}

/// A probe the server must reject (a POST with an invalid body) creates
/// nothing, so a transient 5xx on it is sent again like a read's; a real
/// create is not (`create_every_fault`, `a_503_on_a_real_create_is_sent_exactly_once`).
#[tokio::test]
async fn an_invalid_body_probe_is_retried_after_a_transient_5xx() {
    let kinds = [500, 502, 503, 504].map(|status| FaultKind::Status { status });
    let runs = each_quickly(&kinds, EXCHANGE_APPS, Some("POST"), Some(1)).await;
    for (kind, run) in kinds.iter().zip(&runs) {
        let what = format!("{kind:?} once on POST {EXCHANGE_APPS}");
        assert_sound(run, &what);
        assert_eq!(run.exit, ExitStatus::Ok, "{what}\n{}", dump(&run.report));
        let probes: Vec<u32> = run
            .report
            .checks
            .iter()
            .flat_map(|o| &o.evidence)
            .filter(|e| e.method == "POST" && e.url.contains("/exchange/api/v2/"))
            .map(|e| e.attempts)
            .collect();
        assert!(
            probes.contains(&2),
            "{what}: the probe was sent again ({probes:?})\n{}",
            dump(&run.report)
        );
    }
}

/// A 500 that persists is reported, after the bounded retries.
#[tokio::test]
async fn a_persistent_500_is_reported_after_the_retries() {
    let run = check_quickly(faulty(
        ENVIRONMENTS,
        Some("GET"),
        FaultKind::Status { status: 500 },
        None,
    ))
    .await;
    assert_sound(&run, "500 always");
    let environments = touching(&run.report, ENVIRONMENTS);
    assert_eq!(environments.len(), 1, "{}", dump(&run.report));
    assert_eq!(environments[0].status, Status::Error);
    assert_eq!(environments[0].evidence[0].attempts, 4);
    assert_contains_all(
        &environments[0].summary,
        &["500", "after 4 attempts"],
        &environments[0].summary,
    );
    assert_eq!(run.exit, ExitStatus::Incomplete);
}

/// The retired-endpoint check rests on the retired call's own answer: a 5xx
/// that persists on it is "could not check", even though its replacement
/// works; never a pass on the replacement's 200.
#[tokio::test]
async fn a_persistent_5xx_on_a_retired_call_is_could_not_check_not_a_pass() {
    let run = check_quickly(faulty(
        "/exchange/api/v1/**",
        Some("GET"),
        FaultKind::Status { status: 500 },
        None,
    ))
    .await;
    assert_sound(&run, "500 always on the retired v1 call");
    let v1 = outcome(&run, "deprecated.exchange-v1-apis");
    assert_eq!(v1.status, Status::Error, "{}", dump(&run.report));
    assert_contains_all(
        &v1.summary,
        &[
            "could not check whether GET /exchange/api/v1/",
            "HTTP 500",
            "after 4 attempts",
        ],
        &v1.summary,
    );
    let fix = v1.remediation.as_deref().unwrap_or_default();
    assert!(fix.contains("Retry later"), "platform advice: {fix}");
    assert_eq!(run.exit, ExitStatus::Incomplete);
}

/// An answer cut short or a connection reset mid-answer is the network's
/// doing: the advice is the proxy, the connection and running again, never
/// "check that --host points at a control plane" (the host answered).
#[tokio::test]
async fn a_cut_or_broken_answer_gets_network_advice_not_a_host_check() {
    let kinds = [FaultKind::Truncated, FaultKind::Reset];
    let runs = each_quickly(&kinds, ENVIRONMENTS, Some("GET"), None).await;
    for (kind, run) in kinds.iter().zip(&runs) {
        let what = format!("{kind:?} on {ENVIRONMENTS}");
        assert_sound(run, &what);
        let environments = outcome(run, "org.environments");
        assert_eq!(
            environments.status,
            Status::Error,
            "{what}\n{}",
            dump(&run.report)
        );
        let fix = environments.remediation.as_deref().unwrap_or_default();
        assert_contains_all(fix, &["proxy", "run again", "network problem"], &what);
        assert!(!fix.contains("--host"), "{what}: {fix}");
        assert!(
            !environments.summary.contains("could not reach"),
            "{what}: the host answered: {}",
            environments.summary
        );
    }
}

/// A Retry-After within the budget is waited for; one beyond it is reported at
/// once, as a rate limit.
#[tokio::test]
async fn a_rate_limit_is_waited_for_only_within_the_retry_budget() {
    let (soon, late) = tokio::join!(
        check(faulty(
            ENVIRONMENTS,
            Some("GET"),
            FaultKind::RateLimit {
                retry_after_secs: 1
            },
            Some(1),
        )),
        check(faulty(
            ENVIRONMENTS,
            Some("GET"),
            FaultKind::RateLimit {
                retry_after_secs: 600
            },
            Some(1),
        )),
    );
    let find = |run: &Checked| {
        run.report
            .checks
            .iter()
            .find(|o| o.id == "org.environments")
            .cloned()
            .expect("org.environments ran")
    };
    let waited = find(&soon);
    assert_eq!(waited.status, Status::Pass, "{}", dump(&soon.report));
    assert_eq!(waited.evidence[0].attempts, 2);
    assert!(soon.elapsed >= Duration::from_secs(1), "{:?}", soon.elapsed);
    assert_eq!(soon.exit, ExitStatus::Ok);

    let refused = find(&late);
    assert_eq!(refused.status, Status::Error, "{}", dump(&late.report));
    assert_eq!(refused.evidence[0].attempts, 1, "not waited for");
    assert_contains_all(&refused.summary, &["rate-limited", "429"], &refused.summary);
    assert!(
        late.elapsed < Duration::from_secs(5),
        "reported at once, not after the wait: {:?}",
        late.elapsed
    );
    assert_eq!(late.exit, ExitStatus::Incomplete);
}

/// `--deadline` bounds the whole run even when each request may take long:
/// what had not finished is an error that says so.
#[tokio::test]
async fn the_deadline_ends_a_run_whose_requests_hang() {
    let run = check_with(
        faulty(API_MANAGER, None, FaultKind::Hang, None),
        30,
        Duration::from_secs(1),
    )
    .await;
    assert_sound(&run, "hang with a 1 s deadline");
    assert!(run.elapsed < Duration::from_secs(6), "{:?}", run.elapsed);
    let unfinished: Vec<&Outcome> = run
        .report
        .checks
        .iter()
        .filter(|o| {
            o.summary
                .contains("did not finish within the run's deadline")
        })
        .collect();
    assert!(!unfinished.is_empty(), "{}", dump(&run.report));
    for o in unfinished {
        assert_eq!(o.status, Status::Error, "{}", dump(&run.report));
    }
    // The checks that never met API Manager finished normally.
    for id in ["auth.token", "org.environments"] {
        let o = run.report.checks.iter().find(|o| o.id == id).unwrap();
        assert_eq!(o.status, Status::Pass, "{}", dump(&run.report));
    }
    assert_eq!(run.exit, ExitStatus::Incomplete);
}

// ---------------------------------------------------------------- the binary

/// A run of the binary, and how long it took.
#[derive(Debug)]
struct Timed {
    run: Run,
    elapsed: Duration,
}

impl std::ops::Deref for Timed {
    type Target = Run;
    fn deref(&self) -> &Run {
        &self.run
    }
}

/// Runs the binary against `running` as `world`'s login app, with a clean
/// environment: it does not panic, and never prints the app's secret.
async fn run_binary(running: &RunningSim, world: &World, args: &[&str]) -> Timed {
    let started = Instant::now();
    let run = doctor_async(args, &app_env(running, world)).await;
    let elapsed = started.elapsed();
    assert!(
        !run.stderr.contains("panicked"),
        "the binary panicked: {run:#?}"
    );
    assert!(
        !run.output().contains(&world.login.client_secret),
        "the Connected App's secret was printed: {run:#?}"
    );
    Timed { run, elapsed }
}

#[tokio::test]
async fn check_exits_3_with_a_json_report_when_the_deadline_passes() {
    let world = faulty(API_MANAGER, None, FaultKind::Hang, None);
    let running = serve(world.clone()).await;
    let run = run_binary(
        &running,
        &world,
        &[
            "check",
            "--format",
            "json",
            "--timeout",
            "30",
            "--deadline",
            "1",
        ],
    )
    .await;
    running.stop().await;
    assert_eq!(run.code, 3, "{run:#?}");
    assert!(run.elapsed < BOUND, "{run:#?}");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON report");
    assert!(report["summary"]["error"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(report["summary"]["fail"], 0, "{report}");
}

/// The world's writable state: the names of its applications, and (application, API) per contract.
fn writable(running: &RunningSim) -> (Vec<String>, Vec<(u64, u64)>) {
    let world = running.state.world.lock().expect("world lock");
    (
        world
            .client_applications
            .iter()
            .map(|a| a.name.clone())
            .collect(),
        world
            .contracts
            .iter()
            .map(|c| (c.application_id, c.api_id))
            .collect(),
    )
}

/// A create command, and how to count what it created.
#[derive(Clone, Copy)]
enum Create {
    App,
    Contract,
}

impl Create {
    fn path(self) -> &'static str {
        match self {
            Create::App => EXCHANGE_APPS,
            Create::Contract => APIM_CONTRACTS,
        }
    }

    fn args(self) -> Vec<&'static str> {
        match self {
            Create::App => vec!["create", "app", "--name", "fault-app"],
            Create::Contract => vec![
                "create",
                "contract",
                "--app",
                "billing-batch",
                "--api",
                SANDBOX_API,
            ],
        }
    }

    /// How many of what this command creates exist in the world.
    fn created(self, running: &RunningSim) -> usize {
        let (apps, contracts) = writable(running);
        match self {
            Create::App => apps.iter().filter(|n| *n == "fault-app").count(),
            Create::Contract => contracts
                .iter()
                .filter(|(app, api)| *app == BILLING_BATCH && api.to_string() == SANDBOX_API)
                .count(),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Create::App => "application",
            Create::Contract => "contract",
        }
    }
}

/// One create with `kind` on its first POST only: a second POST, had one been
/// sent, would have been carried out, so the world tells whether it was.
async fn create_with_fault(create: Create, kind: FaultKind) -> (Timed, usize) {
    let world = faulty(create.path(), Some("POST"), kind, Some(1));
    let running = serve(world.clone()).await;
    let mut args = create.args();
    args.extend(["--timeout", "1"]);
    let run = run_binary(&running, &world, &args).await;
    let created = create.created(&running);
    // A new application's secret is shown only when asked for, even in part.
    for app in &running
        .state
        .world
        .lock()
        .expect("world lock")
        .client_applications
    {
        let start_of_secret = &app.client_secret[..app.client_secret.len().min(8)];
        assert!(
            !run.stdout.contains(start_of_secret) && !run.stderr.contains(start_of_secret),
            "{}: part of the secret of {:?} was printed: {run:#?}",
            create.noun(),
            app.name
        );
    }
    running.stop().await;
    (run, created)
}

async fn create_every_fault(create: Create) {
    let kinds = every_fault();
    let runs = join_all(
        kinds
            .iter()
            .map(|kind| create_with_fault(create, kind.clone())),
    )
    .await;
    let noun = create.noun();
    for (kind, (run, created)) in kinds.iter().zip(&runs) {
        let what = format!("create {noun} with {kind:?} on the POST");
        assert!(run.elapsed < BOUND, "{what}: {run:#?}");
        let stderr_lines: Vec<&str> = run.stderr.lines().collect();
        match kind {
            FaultKind::Latency { .. } => {
                assert_eq!(run.code, 0, "{what}: {run:#?}");
                assert_eq!(*created, 1, "{what}: {run:#?}");
            }
            // The create happened; its answer was lost and the doctor found it.
            FaultKind::LostAnswer => {
                assert_eq!(run.code, 0, "{what}: {run:#?}");
                assert_eq!(*created, 1, "{what}: created once, not resent: {run:#?}");
                assert!(
                    run.stderr.contains("The create got no answer")
                        && run.stderr.contains(&format!("but the {noun} exists")),
                    "{what}: {run:#?}"
                );
            }
            // The create happened, but its answer cannot be read: say so, never resend.
            FaultKind::Truncated => {
                assert_eq!(run.code, 3, "{what}: {run:#?}");
                assert_eq!(*created, 1, "{what}: created once, not resent: {run:#?}");
                assert!(
                    run.stderr.contains("may have been created")
                        && run.stderr.contains("truncated"),
                    "{what}: {run:#?}"
                );
                assert_eq!(stderr_lines.len(), 1, "{what}: one line: {run:#?}");
            }
            // No answer: looked up, found nothing yet; the platform may
            // still finish it, so it is never called safe to repeat.
            FaultKind::Hang | FaultKind::Reset => {
                assert_eq!(run.code, 3, "{what}: {run:#?}");
                assert_eq!(*created, 0, "{what}: nothing created, not resent: {run:#?}");
                assert!(
                    run.stderr.contains("The create got no answer")
                        && run.stderr.contains(&phrase(kind))
                        && run.stderr.contains("may still be carrying it out")
                        && !run.stderr.contains("safe to run the command again"),
                    "{what}: {run:#?}"
                );
                assert_eq!(stderr_lines.len(), 1, "{what}: one line: {run:#?}");
            }
            // Refused before any work: an error (exit 3), never resent, never "bad credentials".
            FaultKind::RateLimit { .. }
            | FaultKind::Throttle { .. }
            | FaultKind::Status { .. }
            | FaultKind::Html { .. } => {
                assert_eq!(run.code, 3, "{what}: {run:#?}");
                assert_eq!(*created, 0, "{what}: not resent: {run:#?}");
                assert!(
                    run.stderr
                        .contains(&format!("The platform did not create the {noun}"))
                        && run.stderr.contains(&format!("HTTP {}", phrase(kind))),
                    "{what}: {run:#?}"
                );
                assert!(!run.stderr.contains("<html>"), "{what}: {run:#?}");
                assert!(run.stdout.is_empty(), "{what}: {run:#?}");
                assert_eq!(stderr_lines.len(), 1, "{what}: one line: {run:#?}");
            }
        }
    }
}

#[tokio::test]
async fn create_app_gives_the_right_status_for_every_fault_on_its_post() {
    create_every_fault(Create::App).await;
}

#[tokio::test]
async fn create_contract_gives_the_right_status_for_every_fault_on_its_post() {
    create_every_fault(Create::Contract).await;
}

/// Exactly one POST reaches the simulator when a real create meets a 503:
/// the run sends one request more than its dry run (which stops before the POST).
#[tokio::test]
async fn a_503_on_a_real_create_is_sent_exactly_once() {
    for create in [Create::App, Create::Contract] {
        let world = faulty(
            create.path(),
            Some("POST"),
            FaultKind::Status { status: 503 },
            None,
        );
        let running = serve(world.clone()).await;
        let mut dry = create.args();
        dry.push("--dry-run");
        let dry_run = run_binary(&running, &world, &dry).await;
        assert_eq!(dry_run.code, 0, "{dry_run:#?}");
        let after_dry_run = running.state.requests();
        let run = run_binary(&running, &world, &create.args()).await;
        let sent = running.state.requests() - after_dry_run;
        let created = create.created(&running);
        running.stop().await;
        assert_eq!(run.code, 3, "{run:#?}");
        assert_eq!(created, 0, "{run:#?}");
        assert_eq!(
            sent,
            after_dry_run + 1,
            "{}: the dry run's requests and one POST",
            create.noun()
        );
    }
}

/// The create commands sign in through the same client: a fault on the token
/// request is retried when transient, and reported as an error otherwise.
#[tokio::test]
async fn a_fault_on_the_sign_in_of_a_create_is_an_error_or_recovers() {
    let kinds = every_fault();
    let runs = join_all(kinds.iter().map(|kind| async move {
        let world = faulty(TOKEN, None, kind.clone(), Some(1));
        let running = serve(world.clone()).await;
        let mut args = Create::App.args();
        args.extend(["--timeout", "1"]);
        let run = run_binary(&running, &world, &args).await;
        let created = Create::App.created(&running);
        running.stop().await;
        (run, created)
    }))
    .await;
    for (kind, (run, created)) in kinds.iter().zip(&runs) {
        let what = format!("create app with {kind:?} once on the token request");
        assert!(run.elapsed < BOUND, "{what}: {run:#?}");
        let recovers = matches!(
            kind,
            FaultKind::Latency { .. }
                | FaultKind::Status {
                    status: 500 | 502..=504
                }
                | FaultKind::Html { .. }
                | FaultKind::Reset
        );
        if recovers {
            assert_eq!(run.code, 0, "{what}: {run:#?}");
            assert_eq!(*created, 1, "{what}: {run:#?}");
            continue;
        }
        assert_eq!(run.code, 3, "{what}: {run:#?}");
        assert_eq!(*created, 0, "{what}: {run:#?}");
        assert!(
            run.stderr.contains("Could not sign in") && run.stderr.contains("auth.token"),
            "{what}: {run:#?}"
        );
        let lower = run.stderr.to_lowercase();
        assert!(
            !lower.contains("client secret") && !lower.contains("invalid_client"),
            "{what}: blames the credentials: {run:#?}"
        );
    }
}
