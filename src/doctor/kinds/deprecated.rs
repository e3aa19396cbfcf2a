//! Kind `deprecated-endpoint`: how a retired (or superseded) endpoint answers
//! now, and whether its replacement works for this app. The verdict rests on
//! the retired call's own answer: it passes only on that call's 404 or 410
//! (or its still answering, when it is only superseded); a 5xx or no answer
//! on it is "could not check", whatever the replacement said. A replacement
//! refused for want of a scope is told, not failed: the check asks whether
//! the endpoint is retired, and the scope checks own the refusal, so the
//! verdict is the same whichever token (the app's, or an admin's beside it)
//! read the scopes.

use super::probe::{self, Reading};
use crate::doctor::catalogue::Service;
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::outcome::Status;
use crate::doctor::path_vars::PathVars;
use crate::doctor::spec::{DeprecatedSpec, ProbeSpec};
use crate::doctor::verdict::Verdict;
use crate::scan::rules::Rules;

pub async fn run(spec: &DeprecatedSpec, ctx: &RunContext) -> Verdict {
    let use_instead = Rules::get()
        .find(&spec.rule)
        .map_or(spec.rule.as_str(), |rule| rule.replacement());
    if ctx.exact() {
        return Verdict::new(
            Reason::ExactRun,
            Status::Skip,
            format!(
                "not run: in an exact run the token is an admin's, so its calls prove nothing about the app; use {use_instead} (the scope checks say whether the app may)"
            ),
        );
    }
    if ctx.options.read_only && (spec.retired.is_write() || spec.replacement.is_write()) {
        return Verdict::new(
            Reason::ReadOnly,
            Status::Skip,
            format!("not run: --read-only turns off write probes; use {use_instead}"),
        );
    }
    let needs_env = [&spec.retired, &spec.replacement]
        .iter()
        .any(|p| p.path.contains("{envId}"));
    // The first selected environment the calls' service works in: API
    // Manager's replacement would answer for a design one as for no
    // environment of its own (reference §12.1).
    let service = [&spec.retired, &spec.replacement]
        .iter()
        .find_map(|p| Service::of_path(&p.path));
    let facts = ctx.facts.environments.get();
    if needs_env && let Some(verdict) = facts.and_then(|e| e.none_managed(service)) {
        return verdict;
    }
    let env = facts.and_then(|e| e.selected_for(service).first().copied());
    if needs_env && env.is_none() {
        return Verdict::new(
            Reason::NoEnvironment,
            Status::Skip,
            "not run: no environment to call it in",
        );
    }
    let vars = PathVars::from_facts(ctx, env);
    let mut recorder = Recorder::new(ctx);
    // Independent requests: sent together, then read from the run's cache in order.
    let warm = |p| probe::request(p, &vars).ok().map(|r| ctx.platform.fetch(r));
    futures::future::join_all(
        [warm(&spec.retired), warm(&spec.replacement)]
            .into_iter()
            .flatten(),
    )
    .await;
    let retired = probe::send(&mut recorder, &spec.retired, &vars).await;
    // 404 or 410: the one the retired call itself answered.
    let gone = recorder
        .evidence
        .last()
        .and_then(|e| e.status)
        .unwrap_or(404);
    let replacement = probe::send(&mut recorder, &spec.replacement, &vars).await;
    let retired_call = call(&spec.retired);
    let replacement_call = call(&spec.replacement);

    let retired_note = match &retired {
        Ok(Reading::Retired { rule }) => {
            format!(
                "the old {retired_call} answers {gone} (retired, {})",
                rule.id
            )
        }
        Ok(Reading::Authorized { status, .. } | Reading::Forbidden { status, .. }) => {
            format!("the old {retired_call} still answers ({status}) but is deprecated")
        }
        Ok(Reading::Accepted { status }) => {
            format!("{retired_call} accepted the probe (HTTP {status})")
        }
        Ok(Reading::Inconclusive { status, .. }) => {
            format!("the old {retired_call} answers {status}")
        }
        // The retired call's own answer is what this check is about: without
        // it there is no verdict, whatever the replacement answered.
        Err(verdict) => {
            let mut verdict = verdict.clone();
            verdict.summary = format!(
                "could not check whether {retired_call} is retired: {}",
                verdict.summary
            );
            if let Some(env) = env.filter(|_| needs_env) {
                verdict = verdict.target(env.name.clone());
            }
            return verdict.with_evidence(recorder.evidence);
        }
    };
    if let Ok(Reading::Accepted { status }) = retired {
        let mut verdict = Verdict::new(
            Reason::ProbeAccepted,
            Status::Error,
            format!(
                "the probe {retired_call} was meant to be rejected but answered {status}: something may have been created; check and delete it"
            ),
        );
        if let Some(env) = env.filter(|_| needs_env) {
            verdict = verdict.target(env.name.clone());
        }
        return verdict.with_evidence(recorder.evidence);
    }
    let mut verdict = match replacement {
        Ok(Reading::Authorized { status, .. }) => Verdict::new(
            Reason::ReplacementWorks,
            Status::Pass,
            format!("{retired_note}; its replacement {replacement_call} works ({status})"),
        ),
        // The refusal is a missing scope, which the scope checks report (exactly
        // with an admin's token, by probe without): failing here too would
        // blame the retired call for it, and only when no probe owned it.
        Ok(Reading::Forbidden { status, message }) => Verdict::new(
            Reason::ReplacementRefused,
            Status::Pass,
            format!(
                "{retired_note}; its replacement {replacement_call} is refused for this app ({status}: {message}): the scope.* checks say which scope it lacks"
            ),
        ),
        Ok(Reading::Retired { rule }) => Verdict::new(
            Reason::PathRetired,
            Status::Error,
            format!(
                "the replacement {replacement_call} is itself retired ({}); use {}",
                rule.id,
                rule.replacement()
            ),
        ),
        Ok(Reading::Inconclusive { status, message }) => Verdict::new(
            Reason::ReplacementInconclusive,
            Status::Error,
            format!(
                "{retired_note}; its replacement {replacement_call} answered {status} ({message}), which proves nothing"
            ),
        ),
        Ok(Reading::Accepted { status }) => Verdict::new(
            Reason::ProbeAccepted,
            Status::Error,
            format!(
                "the probe {replacement_call} was meant to be rejected but answered {status}: something may have been created; check and delete it"
            ),
        ),
        Err(verdict) => verdict,
    };
    if let Some(env) = env.filter(|_| needs_env) {
        verdict = verdict.target(env.name.clone());
    }
    verdict.with_evidence(recorder.evidence)
}

fn call(probe: &ProbeSpec) -> String {
    let path = probe
        .path
        .split("/organizations/")
        .next()
        .unwrap_or(&probe.path);
    format!("{} {path}/…", if probe.is_write() { "POST" } else { "GET" })
}
