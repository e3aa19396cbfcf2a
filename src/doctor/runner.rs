//! Runs the chosen checks as a dependency graph: every check whose
//! requirements are done starts at once (HTTP concurrency is capped in the
//! client), a check whose requirement failed is skipped without sending a
//! request, and outcomes come back in registry order. A check outside the
//! network category starts without waiting for the network checks it
//! requires (it reads none of their facts): the token request goes out
//! alongside `GET /`, and its outcome is held until they are done, so a
//! network failure still skips it, as if it had waited.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::codes::Reason;
use super::context::RunContext;
use super::kinds;
use super::registry::Registry;
use super::spec::CheckSpec;
use super::verdict::Verdict;
use crate::doctor::outcome::{Outcome, Status};

/// Runs the checks; `progress` hears (checks done, checks chosen) after each one.
pub async fn run(
    ctx: Arc<RunContext>,
    registry: &'static Registry,
    chosen: &[usize],
    deadline: Option<Duration>,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Outcome> {
    let _ = ctx.planned.set(
        chosen
            .iter()
            .map(|&i| registry.checks[i].id.clone())
            .collect(),
    );
    // A deadline past what the clock can hold (a library caller's) is no deadline, not a panic.
    let give_up_at = deadline.and_then(|d| tokio::time::Instant::now().checked_add(d));
    let mut done: HashMap<usize, Vec<Outcome>> = HashMap::new();
    let mut running: JoinSet<(usize, Vec<Outcome>)> = JoinSet::new();
    let mut started = vec![false; registry.checks.len()];
    let mut task_check: HashMap<tokio::task::Id, usize> = HashMap::new();
    // Finished early: outcomes waiting for the network checks they require.
    let mut held: HashMap<usize, Vec<Outcome>> = HashMap::new();

    loop {
        let mut progressed = true;
        while progressed {
            progressed = false;
            for &index in chosen {
                if started[index] {
                    continue;
                }
                let spec = &registry.checks[index];
                let early = |at: &usize| starts_early(spec, &registry.checks[*at]);
                // A requirement outside `chosen` ran earlier on this context
                // (a command's session); its facts are already there.
                let requirements: Option<Vec<&Vec<Outcome>>> =
                    requirements_of(registry, chosen, index)
                        .filter(|at| !early(at))
                        .map(|at| done.get(&at))
                        .collect();
                let Some(requirements) = requirements else {
                    continue;
                };
                started[index] = true;
                if let Some(root_cause) = blocking_cause(&requirements) {
                    done.insert(index, vec![skipped(spec, root_cause)]);
                    progressed = true;
                    continue;
                }
                let ctx = Arc::clone(&ctx);
                let task = running.spawn(async move {
                    let began = Instant::now();
                    let verdicts = kinds::run(spec, &ctx).await;
                    let elapsed = began.elapsed().as_millis() as u64;
                    (
                        index,
                        verdicts
                            .into_iter()
                            .map(|v| outcome(spec, v, elapsed))
                            .collect(),
                    )
                });
                task_check.insert(task.id(), index);
            }
            // A held outcome stands once every requirement is done, unless one blocks it.
            let ready: Vec<usize> = held
                .keys()
                .copied()
                .filter(|&index| {
                    requirements_of(registry, chosen, index).all(|at| done.contains_key(&at))
                })
                .collect();
            for index in ready {
                let outcomes = held.remove(&index).unwrap_or_default();
                let requirements: Vec<&Vec<Outcome>> = requirements_of(registry, chosen, index)
                    .filter_map(|at| done.get(&at))
                    .collect();
                let outcomes = match blocking_cause(&requirements) {
                    Some(root_cause) => vec![skipped(&registry.checks[index], root_cause)],
                    None => outcomes,
                };
                done.insert(index, outcomes);
                progressed = true;
            }
        }
        progress(done.len(), chosen.len());
        let next = match give_up_at {
            Some(at) => match tokio::time::timeout_at(at, running.join_next()).await {
                Ok(next) => next,
                Err(_) => {
                    // Out of time: what still runs is stopped and said to be unfinished.
                    running.abort_all();
                    let secs = deadline.unwrap_or_default().as_secs();
                    let unfinished: Vec<usize> = chosen
                        .iter()
                        .copied()
                        .filter(|i| started[*i] && !done.contains_key(i) && !held.contains_key(i))
                        .collect();
                    for &index in &unfinished {
                        let verdict = Verdict::new(
                            Reason::Timeout,
                            Status::Error,
                            format!("did not finish within the run's deadline ({secs} s)"),
                        )
                        .fix("Raise --deadline, or find the slow host with -v (each request's time is in the evidence).");
                        done.insert(index, vec![outcome(&registry.checks[index], verdict, 0)]);
                    }
                    // The rest waited on those: one root cause, shown once.
                    let cause = unfinished.first().map(|&i| registry.checks[i].id.clone());
                    for &index in chosen {
                        if !done.contains_key(&index)
                            && let Some(cause) = &cause
                        {
                            done.insert(
                                index,
                                vec![skipped(&registry.checks[index], cause.clone())],
                            );
                        }
                    }
                    break;
                }
            },
            None => running.join_next().await,
        };
        match next {
            Some(Ok((index, outcomes))) => {
                held.insert(index, outcomes);
            }
            Some(Err(panic)) => {
                // A bug in a kind must not take the report down; say so in its outcome.
                let Some(&index) = task_check.get(&panic.id()) else {
                    continue;
                };
                let spec = &registry.checks[index];
                let verdict = Verdict::new(
                    Reason::Panicked,
                    Status::Error,
                    format!("internal error in this check ({panic}); please report it"),
                );
                done.insert(index, vec![outcome(spec, verdict, 0)]);
            }
            None => break,
        }
    }

    chosen
        .iter()
        .flat_map(|i| done.remove(i).unwrap_or_default())
        .collect()
}

/// Whether `spec` may start before `requirement` is done: a network
/// check's facts (addresses, the clock) are read only by other network
/// checks, so the first request with credentials need not wait for them.
fn starts_early(spec: &CheckSpec, requirement: &CheckSpec) -> bool {
    requirement.category == NETWORK && spec.category != NETWORK
}

const NETWORK: &str = "net";

/// The chosen checks `index` requires (directly).
fn requirements_of<'a>(
    registry: &'a Registry,
    chosen: &'a [usize],
    index: usize,
) -> impl Iterator<Item = usize> + 'a {
    registry.checks[index]
        .requires
        .iter()
        .filter_map(|id| registry.index_of(id))
        .filter(|at| chosen.contains(at))
}

/// The check to name as the reason dependents are skipped: the first
/// requirement that failed, or what that requirement was itself blocked by.
fn blocking_cause(requirements: &[&Vec<Outcome>]) -> Option<String> {
    requirements
        .iter()
        .flat_map(|outcomes| outcomes.iter())
        .find_map(|o| {
            o.blocks_dependents()
                .then(|| o.blocked_by.clone().unwrap_or_else(|| o.id.clone()))
        })
}

fn skipped(spec: &CheckSpec, root_cause: String) -> Outcome {
    Outcome {
        id: spec.id.clone(),
        category: spec.category.clone(),
        title: spec.title.clone(),
        status: Status::Skip,
        code: Reason::Blocked,
        target: None,
        summary: format!("not run: {root_cause} did not pass"),
        remediation: None,
        inferred: false,
        blocked_by: Some(root_cause),
        missing_scope: None,
        maybe_missing: Vec::new(),
        rests_on: None,
        settled_by_grants: false,
        evidence: Vec::new(),
        duration_ms: 0,
    }
}

fn outcome(spec: &CheckSpec, verdict: Verdict, duration_ms: u64) -> Outcome {
    let named = verdict.scopes.map(|s| *s).unwrap_or_default();
    let remediation = verdict.remediation.or_else(|| {
        matches!(verdict.status, Status::Fail | Status::Warn).then(|| spec.remediation.clone())
    });
    Outcome {
        id: spec.id.clone(),
        category: spec.category.clone(),
        title: spec.title.clone(),
        status: verdict.status,
        code: verdict.reason,
        target: verdict.target,
        summary: verdict.summary,
        remediation,
        inferred: verdict.inferred,
        blocked_by: None,
        missing_scope: named.missing,
        maybe_missing: named.maybe,
        rests_on: verdict.rests_on.map(|r| *r),
        settled_by_grants: verdict.settled_by_grants,
        evidence: verdict.evidence,
        duration_ms,
    }
}
