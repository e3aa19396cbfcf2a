//! Kind `deprecated-endpoint`: how a retired (or superseded) endpoint answers
//! now, and whether its replacement works for this app. The verdict is the
//! replacement's; the retired path's answer is information.

use super::probe::{self, Reading};
use crate::doctor::catalogue::Service;
use crate::doctor::codes::Reason;
use crate::doctor::context::{PathVars, Recorder, RunContext, Verdict};
use crate::doctor::outcome::Status;
use crate::doctor::spec::{DeprecatedSpec, ProbeSpec};
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
    let replacement = probe::send(&mut recorder, &spec.replacement, &vars).await;
    let replacement_request = recorder.evidence.last().cloned();
    let retired_call = call(&spec.retired);
    let replacement_call = call(&spec.replacement);

    let retired_note = match &retired {
        Ok(Reading::Retired { rule }) => {
            format!("the old {retired_call} answers 404 (retired, {})", rule.id)
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
        Err(verdict) => format!("{retired_call}: {}", verdict.summary),
    };
    let mut verdict = match replacement {
        Ok(Reading::Authorized { status, .. }) => Verdict::new(
            Reason::ReplacementWorks,
            Status::Pass,
            format!("{retired_note}; its replacement {replacement_call} works ({status})"),
        ),
        Ok(Reading::Forbidden { status, message }) => Verdict::new(
            Reason::ReplacementRefused,
            Status::Fail,
            format!("{retired_note}; its replacement {replacement_call} is refused ({status}: {message})"),
        )
        .fix(format!(
            "Use {use_instead} and give the app the scope it needs there (see the scope.* checks for which one is missing, and where)."
        ))
        .rests_on_some(replacement_request.as_ref()),
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
            format!("{retired_note}; its replacement {replacement_call} answered {status} ({message}), which proves nothing"),
        ),
        Ok(Reading::Accepted { status }) => Verdict::new(
            Reason::ProbeAccepted,
            Status::Error,
            format!("the probe {replacement_call} was meant to be rejected but answered {status}: something may have been created; check and delete it"),
        ),
        Err(verdict) => verdict,
    };
    if let Some(env) = env.filter(|_| needs_env) {
        verdict = verdict.target(env.name.clone());
    }
    verdict.with_evidence(recorder)
}

fn call(probe: &ProbeSpec) -> String {
    let path = probe
        .path
        .split("/organizations/")
        .next()
        .unwrap_or(&probe.path);
    format!("{} {path}/…", if probe.is_write() { "POST" } else { "GET" })
}
