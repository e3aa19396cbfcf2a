//! The analysis as a person reads it (grouped by business group and
//! environment, least privilege first) and as JSON (`schema/needs.schema.json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Target;
use super::analysis::Analysis;
use super::endpoints::Need;
use super::least::Grant;
use super::refused::Refusal;
use crate::doctor::catalogue::Catalogue;
use crate::doctor::spec::ScopeContext;

/// Ids the traffic names (an org's or an environment's), and their names.
pub type Names = BTreeMap<String, String>;

/// `Name (id)` when the name is known, else the id.
fn named(names: &Names, id: &str) -> String {
    names
        .get(id)
        .map_or_else(|| id.to_string(), |name| format!("{name} ({id})"))
}

/// Where a target is, in words.
pub fn place(target: &Target, names: &Names) -> String {
    match target {
        Target::Anywhere => "no business group or environment".into(),
        Target::RootOrg { org } => format!("root organization {}", named(names, org)),
        Target::Org { org } => format!("business group {}", named(names, org)),
        Target::Env { org, env } => format!(
            "business group {}, environment {}",
            named(names, org),
            named(names, env)
        ),
        Target::Unnamed { context } => match context {
            ScopeContext::Env => "each environment the requests act in (they name none)".into(),
            _ => "each business group the requests act in (they name none)".into(),
        },
    }
}

/// The grants under their business group, each environment's under it,
/// then those bound to nothing and those whose place the requests do not name.
fn least_by_place(out: &mut String, grants: &[Grant], catalogue: &Catalogue, names: &Names) {
    let mut orgs: Vec<&str> = Vec::new();
    for grant in grants {
        if let Target::RootOrg { org } | Target::Org { org } | Target::Env { org, .. } =
            &grant.target
            && !orgs.contains(&org.as_str())
        {
            orgs.push(org);
        }
    }
    let scope_lines = |out: &mut String, indent: &str, wanted: &dyn Fn(&Target) -> bool| {
        for grant in grants.iter().filter(|g| wanted(&g.target)) {
            let _ = writeln!(out, "{indent}{}", catalogue.label(&grant.scope));
        }
    };
    for org in orgs {
        let root = grants
            .iter()
            .any(|g| matches!(&g.target, Target::RootOrg { org: o } if o == org));
        let kind = if root {
            "root organization"
        } else {
            "business group"
        };
        let _ = writeln!(out, "  {kind} {}", named(names, org));
        scope_lines(
            out,
            "    ",
            &|t| matches!(t, Target::RootOrg { org: o } | Target::Org { org: o } if o == org),
        );
        let mut envs: Vec<&str> = Vec::new();
        for grant in grants {
            if let Target::Env { org: o, env } = &grant.target
                && o == org
                && !envs.contains(&env.as_str())
            {
                envs.push(env);
            }
        }
        for env in envs {
            let _ = writeln!(out, "    environment {}", named(names, env));
            scope_lines(
                out,
                "      ",
                &|t| matches!(t, Target::Env { org: o, env: e } if o == org && e == env),
            );
        }
    }
    let mut elsewhere: Vec<&Target> = Vec::new();
    for grant in grants {
        if matches!(grant.target, Target::Anywhere | Target::Unnamed { .. })
            && !elsewhere.contains(&&grant.target)
        {
            elsewhere.push(&grant.target);
        }
    }
    for target in elsewhere {
        let _ = writeln!(out, "  {}", place(target, names));
        scope_lines(out, "    ", &|t| t == target);
    }
}

fn need_words(need: &Need, catalogue: &Catalogue) -> String {
    match need {
        Need::Nothing => "no scope".into(),
        Need::OrgAdmin => "an org admin's token (no Connected App scope)".into(),
        Need::Scopes { any_of, all_of, .. } => {
            let mut words = any_of
                .first()
                .map_or_else(String::new, |s| catalogue.name(s).to_string());
            if any_of.len() > 1 {
                words.push_str(" (or a broader scope)");
            }
            for also in all_of {
                let _ = write!(words, " + {}", catalogue.name(also));
            }
            words
        }
    }
}

/// The report a person reads.
pub fn table(
    analysis: &Analysis<'_>,
    refusals: &[Refusal],
    catalogue: &Catalogue,
    names: &Names,
) -> String {
    let mut out = String::new();
    let known = analysis.matched.len();
    let unknown = analysis.unknown.len();
    if known + unknown == 0 {
        out.push_str("No Anypoint Platform request found: nothing is needed.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{} requests: {known} the catalogue knows, {unknown} it does not\n",
        known + unknown
    );
    let least = &analysis.least;
    if least.grants.is_empty() {
        out.push_str("Least privilege: no scope\n");
    } else {
        out.push_str("Least privilege (the narrowest scopes that allow every request):\n");
        least_by_place(&mut out, &least.grants, catalogue, names);
    }
    if !least.org_admin.is_empty() {
        out.push_str("\nOnly an org admin's token may make (no Connected App scope allows it):\n");
        for &index in &least.org_admin {
            let m = &analysis.matched[index];
            let _ = writeln!(
                out,
                "  {} {}\n    at {}",
                m.seen.method, m.endpoint.path, m.seen.at
            );
        }
    }
    if !refusals.is_empty() {
        out.push_str("\nRefused requests, and what would allow them:\n");
        for r in refusals {
            let answer = match (&r.message, &r.transaction_id) {
                (Some(m), Some(t)) => format!(" \"{m}\" (transaction {t})"),
                (Some(m), None) => format!(" \"{m}\""),
                (None, Some(t)) => format!(" (transaction {t})"),
                (None, None) => String::new(),
            };
            let _ = writeln!(out, "  {} {}: {}{answer}", r.method, r.path, r.status);
            let _ = writeln!(out, "    {}", r.why);
            let allow: Vec<String> = r
                .allowed_by
                .iter()
                .map(|g| {
                    format!(
                        "{} in {}",
                        catalogue.label(&g.scope),
                        place(&g.target, names)
                    )
                })
                .collect();
            if !allow.is_empty() {
                let _ = writeln!(out, "    allowed by: {}", allow.join("; "));
            }
            let _ = writeln!(out, "    at {}", r.at);
        }
    }
    if !least.not_needed.is_empty() {
        let names: Vec<&str> = least.not_needed.iter().map(|s| catalogue.name(s)).collect();
        let _ = writeln!(
            out,
            "\nNot needed, of MuleSoft's guidance: {}",
            names.join(", ")
        );
    }
    let retired: Vec<_> = analysis
        .matched
        .iter()
        .filter_map(|m| m.endpoint.retired.as_ref().map(|r| (m, r)))
        .collect();
    if !retired.is_empty() {
        out.push_str("\nRetired requests, and what to call instead:\n");
        for (m, replacement) in retired {
            let _ = writeln!(
                out,
                "  {} {}\n    call {replacement}\n    at {}",
                m.seen.method, m.seen.path, m.seen.at
            );
        }
    }
    if known > 0 {
        out.push_str("\nRequests:\n");
    }
    for m in &analysis.matched {
        let operation = m
            .seen
            .operation
            .as_ref()
            .map(|op| format!(" (operation {op})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {}{operation}\n    {}: {}\n    at {}",
            m.seen.method,
            m.endpoint.path,
            m.endpoint.title,
            need_words(&m.need, catalogue),
            m.seen.at
        );
    }
    if unknown > 0 {
        let _ = writeln!(out, "\nRequests the catalogue does not know ({unknown}):");
        for seen in &analysis.unknown {
            let _ = writeln!(out, "  {} {}\n    at {}", seen.method, seen.path, seen.at);
        }
    }
    out
}

fn need_json(need: &Need) -> Value {
    match need {
        Need::Nothing => json!({"kind": "nothing"}),
        Need::OrgAdmin => json!({"kind": "org-admin"}),
        Need::Scopes {
            context,
            any_of,
            all_of,
        } => json!({"kind": "scopes", "context": context, "any_of": any_of, "all_of": all_of}),
    }
}

/// The analysis as JSON, for tools.
pub fn json(
    analysis: &Analysis<'_>,
    refusals: &[Refusal],
    catalogue: &Catalogue,
    names: &Names,
) -> Value {
    let requests: Vec<Value> = analysis
        .matched
        .iter()
        .map(|m| {
            json!({
                "method": m.seen.method,
                "path": m.seen.path,
                "at": m.seen.at,
                "operation": m.seen.operation,
                "endpoint": {
                    "method": m.endpoint.method,
                    "path": m.endpoint.path,
                    "title": m.endpoint.title,
                    "retired": m.endpoint.retired,
                    "confidence": m.endpoint.confidence,
                    "source": m.endpoint.source,
                },
                "needs": need_json(&m.need),
            })
        })
        .collect();
    let least = &analysis.least;
    json!({
        "schema_version": 1,
        "counts": {
            "requests": analysis.matched.len() + analysis.unknown.len(),
            "known": analysis.matched.len(),
            "unknown": analysis.unknown.len(),
        },
        "least_privilege": least.grants.iter().map(|g| json!({
            "scope": g.scope,
            "name": catalogue.name(&g.scope),
            "target": g.target,
            "where": place(&g.target, names),
            "requests": g.requests,
        })).collect::<Vec<_>>(),
        "org_admin_only": least.org_admin,
        "not_needed": least.not_needed.iter().map(|s| json!({"scope": s, "name": catalogue.name(s)})).collect::<Vec<_>>(),
        "refused": refusals.iter().map(|r| json!({
            "method": r.method,
            "path": r.path,
            "at": r.at,
            "kind": r.kind,
            "status": r.status,
            "message": r.message,
            "transaction_id": r.transaction_id,
            "why": r.why,
            "allowed_by": r.allowed_by.iter().map(|g| json!({
                "scope": g.scope,
                "name": catalogue.name(&g.scope),
                "target": g.target,
                "where": place(&g.target, names),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "requests": requests,
        "unknown": analysis.unknown.iter().map(|s| json!({"method": s.method, "path": s.path, "at": s.at})).collect::<Vec<_>>(),
    })
}
