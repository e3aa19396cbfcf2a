//! The report as the text views show it: a copy with every string that can
//! carry platform- or file-supplied text made safe for a terminal line
//! (`text::line`). The table, the compact view and the Markdown render this
//! copy; the JSON renders the report itself, exact.

use super::model::{Change, LeastPrivilege, MissingScope, NextStep, Outcome, Report, Target};
use super::preflight::{Need, Preflight};
use crate::platform::Evidence;
use crate::text::owned_line as safe;

pub fn report(report: &Report) -> Report {
    Report {
        target: target(&report.target),
        settings: report
            .settings
            .iter()
            .map(|s| super::model::ReportSetting {
                name: safe(&s.name),
                value: safe(&s.value),
                source: safe(&s.source),
            })
            .collect(),
        checks: report.checks.iter().map(outcome).collect(),
        next_steps: report
            .next_steps
            .iter()
            .map(|step| NextStep {
                title: safe(&step.title),
                command: safe(&step.command),
            })
            .collect(),
        changes: report
            .changes
            .as_ref()
            .map(|changes| changes.iter().map(change).collect()),
        least_privilege: report.least_privilege.as_ref().map(least_privilege),
        preflight: report.preflight.as_ref().map(|p| Preflight {
            needs: p
                .needs
                .iter()
                .map(|n| Need {
                    target: optional(&n.target),
                    summary: safe(&n.summary),
                    ..n.clone()
                })
                .collect(),
            ..p.clone()
        }),
        rerun_flags: safe(&report.rerun_flags),
        ..report.clone()
    }
}

pub fn outcome(outcome: &Outcome) -> Outcome {
    Outcome {
        target: optional(&outcome.target),
        summary: safe(&outcome.summary),
        remediation: optional(&outcome.remediation),
        blocked_by: optional(&outcome.blocked_by),
        missing_scope: outcome.missing_scope.as_ref().map(missing_scope),
        maybe_missing: outcome.maybe_missing.iter().map(missing_scope).collect(),
        evidence: outcome.evidence.iter().map(evidence).collect(),
        ..outcome.clone()
    }
}

fn missing_scope(m: &MissingScope) -> MissingScope {
    MissingScope {
        scope: safe(&m.scope),
        name: safe(&m.name),
        org_id: optional(&m.org_id),
        org_name: optional(&m.org_name),
        env_id: optional(&m.env_id),
        env_name: optional(&m.env_name),
        app: optional(&m.app),
    }
}

fn target(target: &Target) -> Target {
    Target {
        host: safe(&target.host),
        org_id: optional(&target.org_id),
        org_name: optional(&target.org_name),
        root_org_id: optional(&target.root_org_id),
        client_id: optional(&target.client_id),
        environments: target
            .environments
            .iter()
            .map(|e| super::model::TargetEnvironment {
                id: safe(&e.id),
                name: safe(&e.name),
                design: e.design,
            })
            .collect(),
    }
}

fn evidence(e: &Evidence) -> Evidence {
    Evidence {
        method: safe(&e.method),
        url: safe(&e.url),
        trx_id: optional(&e.trx_id),
        request_id: optional(&e.request_id),
        ..e.clone()
    }
}

fn change(c: &Change) -> Change {
    Change {
        id: optional(&c.id),
        target: optional(&c.target),
        before: optional(&c.before),
        after: optional(&c.after),
        summary: safe(&c.summary),
        ..c.clone()
    }
}

fn least_privilege(least: &LeastPrivilege) -> LeastPrivilege {
    LeastPrivilege {
        capabilities: least.capabilities.iter().map(|c| safe(c)).collect(),
        calls: least
            .calls
            .iter()
            .map(|call| crate::doctor::calls::CallFound {
                capability: safe(&call.capability),
                call: safe(&call.call),
                at: safe(&call.at),
            })
            .collect(),
        ..least.clone()
    }
}

fn optional(text: &Option<String>) -> Option<String> {
    text.as_deref().map(safe)
}
