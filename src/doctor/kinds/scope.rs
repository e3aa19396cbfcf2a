//! Kind `scope`: does the app hold a scope where it is needed (no context,
//! an org, the root org, or each selected environment)? Exact when the app's
//! granted scopes can be read; otherwise inferred from a probe.

use futures::future::join_all;

use super::probe::{self, Reading};
use crate::doctor::context::{Grants, OrgInfo, PathVars, Recorder, RunContext, TokenKind, Verdict};
use crate::doctor::spec::{Missing, ScopeContext, ScopeSpec};
use crate::platform::models::{Environment, ScopeGrant};
use crate::report::Status;

/// Where the scope is needed: the org (business group) and environment, if any.
struct Place<'a> {
    org: Option<&'a OrgInfo>,
    env: Option<&'a Environment>,
}

impl Place<'_> {
    /// The outcome's `target`: the environment, else the org.
    fn target(&self) -> Option<String> {
        self.env
            .map(|e| e.name.clone())
            .or_else(|| self.org.map(|o| o.name.clone()))
    }

    fn phrase(&self, context: ScopeContext) -> String {
        match (context, self.org, self.env) {
            (_, Some(org), Some(env)) => format!(
                "business group \"{}\" and environment \"{}\"",
                org.name, env.name
            ),
            (ScopeContext::RootOrg, Some(org), None) => {
                format!("the root organization \"{}\"", org.name)
            }
            (_, Some(org), None) => format!("business group \"{}\"", org.name),
            _ => "the app".into(),
        }
    }
}

pub async fn run(check_id: &str, spec: &ScopeSpec, ctx: &RunContext) -> Vec<Verdict> {
    if !spec.client_credentials {
        return vec![not_applicable(spec, ctx).await];
    }
    let org_facts = ctx.facts.org.get();
    let org = match spec.context {
        ScopeContext::None => None,
        ScopeContext::Org | ScopeContext::Env => org_facts.map(|o| &o.org),
        ScopeContext::RootOrg => org_facts.map(|o| &o.root),
    };
    let places: Vec<Place> = if spec.context == ScopeContext::Env {
        let envs = ctx
            .facts
            .environments
            .get()
            .map(|e| e.selected.as_slice())
            .unwrap_or_default();
        if envs.is_empty() {
            return vec![Verdict::new(
                Status::Skip,
                "not run: no environment to check",
            )];
        }
        envs.iter()
            .map(|env| Place {
                org,
                env: Some(env),
            })
            .collect()
    } else {
        vec![Place { org, env: None }]
    };
    join_all(
        places
            .iter()
            .map(|place| check_place(check_id, spec, ctx, place)),
    )
    .await
}

async fn check_place(
    check_id: &str,
    spec: &ScopeSpec,
    ctx: &RunContext,
    place: &Place<'_>,
) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let mut verdict = match ctx.grants(&mut recorder).await {
        Grants::Readable(grants) => diff(spec, ctx, place, &grants),
        Grants::Unreadable(why) => {
            probe_place(check_id, spec, ctx, place, &why, &mut recorder).await
        }
    };
    if let Some(target) = place.target() {
        verdict = verdict.target(target);
    }
    verdict.with_evidence(recorder)
}

/// A scope a client-credentials app cannot use: information, whatever the
/// token (the app's own, or an admin's reading the app's grants).
async fn not_applicable(spec: &ScopeSpec, ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let held = match ctx.grants(&mut recorder).await {
        Grants::Readable(grants) if grants.iter().any(|g| g.scope == spec.scope) => {
            " (it is granted)"
        }
        Grants::Readable(_) => " (it is not granted)",
        Grants::Unreadable(_) => "",
    };
    Verdict::new(
        Status::Skip,
        format!(
            "not applicable: a client-credentials app cannot use {} ({}){held}; MuleSoft's guidance lists it, but nothing needs to be added",
            spec.name, spec.scope
        ),
    )
    .with_evidence(recorder)
}

fn covers(grant: &ScopeGrant, place: &Place<'_>) -> bool {
    let org_ok = place
        .org
        .is_none_or(|org| grant.context_params.org.as_deref() == Some(org.id.as_str()));
    let env_ok = match (place.env, grant.context_params.env_id.as_deref()) {
        (Some(env), Some(granted)) => granted == env.id,
        // A grant without an environment covers every environment of its org.
        _ => true,
    };
    org_ok && env_ok
}

fn diff(spec: &ScopeSpec, ctx: &RunContext, place: &Place<'_>, grants: &[ScopeGrant]) -> Verdict {
    let relevant = |g: &&ScopeGrant| g.scope == spec.scope || spec.implied_by.contains(&g.scope);
    if let Some(grant) = grants.iter().filter(relevant).find(|g| covers(g, place)) {
        let through = if grant.scope == spec.scope {
            String::new()
        } else {
            format!(" through {}", grant.scope)
        };
        return Verdict::new(
            Status::Pass,
            format!("granted{through}: {} ({})", spec.name, spec.scope),
        );
    }
    let elsewhere: Vec<String> = grants
        .iter()
        .filter(relevant)
        .map(|g| describe_context(ctx, g))
        .collect();
    let summary = if elsewhere.is_empty() {
        format!("missing: {} ({}) is not granted", spec.name, spec.scope)
    } else {
        format!(
            "missing here: {} ({}) is granted only for {}",
            spec.name,
            spec.scope,
            elsewhere.join("; ")
        )
    };
    Verdict::new(missing_status(spec), summary).fix(add_scope(spec, ctx, place))
}

fn describe_context(ctx: &RunContext, grant: &ScopeGrant) -> String {
    let org_name = |id: &str| {
        ctx.facts
            .org
            .get()
            .and_then(|o| {
                std::iter::once(&o.root)
                    .chain(std::iter::once(&o.org))
                    .chain(&o.business_groups)
                    .find(|g| g.id == id)
                    .map(|g| g.name.clone())
            })
            .unwrap_or_else(|| id.to_string())
    };
    let env_name = |id: &str| {
        ctx.facts
            .environments
            .get()
            .and_then(|e| e.name_of(id).map(str::to_string))
            .unwrap_or_else(|| id.to_string())
    };
    match (&grant.context_params.org, &grant.context_params.env_id) {
        (Some(org), Some(env)) => format!("\"{}\" / \"{}\"", org_name(org), env_name(env)),
        (Some(org), None) => format!("\"{}\"", org_name(org)),
        _ => "no business group".into(),
    }
}

fn missing_status(spec: &ScopeSpec) -> Status {
    match spec.missing {
        Missing::Fail => Status::Fail,
        Missing::Warn => Status::Warn,
    }
}

/// Exactly what to add where, in Access Management's words.
fn add_scope(spec: &ScopeSpec, ctx: &RunContext, place: &Place<'_>) -> String {
    let app = match ctx.facts.identity.get().map(|i| &i.kind) {
        Some(TokenKind::ConnectedApp {
            name: Some(name), ..
        }) => format!("\"{name}\""),
        _ => "your app".into(),
    };
    let selection = match (spec.context, place.org, place.env) {
        (_, Some(org), Some(env)) => format!(
            ", select business group \"{}\" and environment \"{}\"",
            org.name, env.name
        ),
        (ScopeContext::RootOrg, Some(org), None) => {
            format!(", select the root organization \"{}\"", org.name)
        }
        (_, Some(org), None) => format!(", select business group \"{}\"", org.name),
        _ => String::new(),
    };
    format!(
        "Access Management > Connected Apps > {app} > Manage Scopes > Add Scopes: add \"{}\" ({}){selection}; save, then get a new token.",
        spec.name, spec.scope
    )
}

async fn probe_place(
    check_id: &str,
    spec: &ScopeSpec,
    ctx: &RunContext,
    place: &Place<'_>,
    grants_unreadable: &str,
    recorder: &mut Recorder<'_>,
) -> Verdict {
    let verify_exactly = format!(
        "Verify it exactly with an org admin's token: ANYPOINT_BEARER=<admin token> anypoint-doctor check --client-id <app client id> --select {check_id}"
    );
    let Some(probe_spec) = spec
        .probes
        .iter()
        .find(|p| !(ctx.options.read_only && p.is_write()))
    else {
        let why_no_probe = if spec.probes.is_empty() {
            "no request tells this scope apart without changing something"
        } else {
            "--read-only turns off its write probe"
        };
        return Verdict::new(
            Status::Skip,
            format!("not verified: the app's granted scopes are unreadable ({grants_unreadable}) and {why_no_probe}"),
        )
        .fix(verify_exactly);
    };
    let vars = PathVars::from_facts(ctx, place.env);
    let call = probe::describe(
        if probe_spec.is_write() { "POST" } else { "GET" },
        &probe_spec.path,
    );
    let reading = match probe::send(recorder, probe_spec, &vars).await {
        Ok(reading) => reading,
        Err(verdict) => return verdict,
    };
    let where_ = place.phrase(spec.context);
    match reading {
        Reading::Authorized { list_len: Some(0), status } => Verdict::new(
            Status::Warn,
            format!(
                "inconclusive: {call} answered {status} with an empty list, which is also what a missing scope looks like"
            ),
        )
        .fix(format!(
            "Check in Access Management that \"{}\" ({}) is granted for {where_}; see data.client-applications-empty. {verify_exactly}",
            spec.name, spec.scope
        ))
        .inferred(),
        Reading::Authorized { status, .. } => {
            let how = if probe_spec.is_write() {
                format!("{call} was turned down as invalid ({status}), not as forbidden")
            } else {
                format!("{call} answered {status}")
            };
            Verdict::new(Status::Pass, format!("authorised: {how}")).inferred()
        }
        Reading::Forbidden { status, message } => Verdict::new(
            missing_status(spec),
            format!("missing {} ({}): {call} answered {status} ({message})", spec.name, spec.scope),
        )
        .fix(add_scope(spec, ctx, place))
        .inferred(),
        Reading::Accepted { status } => Verdict::new(
            Status::Error,
            format!(
                "the probe {call} was meant to be rejected but answered {status}: something may have been created; check and delete it"
            ),
        )
        .fix("Report this to the anypoint-doctor maintainers with the evidence (-v or --format json)."),
        Reading::Retired { rule } => Verdict::new(
            Status::Error,
            format!(
                "the probe path {call} is retired (404, {}); the check file needs {}",
                rule.id,
                rule.replacement()
            ),
        ),
    }
}
