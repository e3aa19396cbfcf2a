//! The kinds: the Rust behind the check files. `run` dispatches a check to
//! its kind (the `net_*` kinds look below HTTP, before any credential is
//! sent); `probe` holds what several kinds share: sending a probe and
//! reading its answer as authorised, forbidden, retired or unavailable.

mod deprecated;
mod empty_list;
mod environments;
mod identity;
mod net_clock;
mod net_dns;
mod net_proxy;
mod net_tcp;
mod net_tls;
mod org_structure;
pub mod probe;
mod scope;
mod token;

use super::context::RunContext;
use super::spec::{CheckKind, CheckSpec, ScopeSpec};
use super::verdict::Verdict;

/// Runs one check; a kind never fails the run, it returns verdicts.
pub async fn run(spec: &CheckSpec, ctx: &RunContext) -> Vec<Verdict> {
    match &spec.kind {
        CheckKind::NetProxy => vec![net_proxy::run(ctx)],
        CheckKind::NetDns => vec![net_dns::run(ctx).await],
        CheckKind::NetTcp => vec![net_tcp::run(ctx).await],
        CheckKind::NetTls => vec![net_tls::run(ctx).await],
        CheckKind::NetClock => vec![net_clock::run(ctx).await],
        CheckKind::Token => vec![token::run(ctx).await],
        CheckKind::Identity => vec![identity::run(ctx).await],
        CheckKind::OrgStructure => vec![org_structure::run(ctx).await],
        CheckKind::Environments => vec![environments::run(ctx).await],
        CheckKind::Scope(scope) => scope::run(&spec.id, scope, ctx).await,
        CheckKind::DeprecatedEndpoint(deprecated) => vec![deprecated::run(deprecated, ctx).await],
        CheckKind::EmptyList(list) => vec![empty_list::run(list, ctx).await],
    }
}

/// A `scope` check whose spec is made at run time (`check --for-har`: one
/// scope, in the place the context is for).
pub async fn scope(check_id: &str, spec: &ScopeSpec, ctx: &RunContext) -> Vec<Verdict> {
    scope::run(check_id, spec, ctx).await
}
