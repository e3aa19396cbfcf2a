//! `anypoint-doctor explain ID`: what a check, a capability or a scan rule
//! looks at, gathered from its file into one typed explanation, then shown
//! as text or as JSON (`schema/explain.schema.json`).

use std::io::Write;

use serde::Serialize;

use crate::cli::ExplainArgs;
use crate::doctor::Registry;
use crate::doctor::catalogue::{Capability, CapabilityProof, Catalogue};
use crate::doctor::spec::{CheckKind, CheckSpec};
use crate::error::{ConfigError, Error};
use crate::report::listing::OutputFormat;
use crate::scan::rules::{Rule, Rules};

/// One explanation, tagged by what was explained.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Explanation {
    Check(CheckExplained),
    Capability(CapabilityExplained),
    ScanRule(RuleExplained),
}

#[derive(Serialize)]
struct CheckExplained {
    id: String,
    title: String,
    what: String,
    why: String,
    fix: String,
    /// The scope a scope check is about, when it names one.
    scope: Option<ScopeExplained>,
    /// The capability a capability check proves.
    capability: Option<String>,
    requires: Vec<String>,
    check_kind: String,
}

#[derive(Serialize)]
struct ScopeExplained {
    id: String,
    name: String,
    granted_for: String,
    also_satisfied_by: Vec<String>,
    /// Which request proves it held, which disproves it, and what only the
    /// granted scopes tell.
    proof: String,
    source: String,
}

#[derive(Serialize)]
struct CapabilityExplained {
    id: String,
    title: String,
    /// The scopes that allow it, any one of them; empty: none to add.
    scopes: Vec<String>,
    granted_for: Option<String>,
    /// The scopes as one phrase ("A, B or C").
    allowed_by: Option<String>,
    least_privilege: Option<String>,
    note: Option<String>,
    calls: Vec<String>,
    checked_by: Vec<String>,
    /// The scopes it needs besides one of `scopes`.
    also_needs: Vec<String>,
    /// What proves it without an org admin's token.
    proof: CapabilityProof,
    source: String,
}

#[derive(Serialize)]
struct RuleExplained {
    id: String,
    title: String,
    finds: String,
    why: String,
    fix: String,
    use_instead: Option<String>,
    severity: String,
    matcher: String,
}

/// `width`: the terminal's, when known (else the terminal is asked).
pub fn run(args: &ExplainArgs, width: Option<u16>, out: &mut dyn Write) -> Result<(), Error> {
    let explanation = explain(args)?;
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &explanation).map_err(std::io::Error::other)?;
            writeln!(out)?;
            Ok(())
        }
        OutputFormat::Table => {
            let mut text = Vec::new();
            render(&explanation, &mut text)?;
            let width = crate::text::width(width);
            let text = crate::text::wrap_lines(&String::from_utf8_lossy(&text), width);
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

fn explain(args: &ExplainArgs) -> Result<Explanation, Error> {
    let registry = Registry::get();
    let rules = Rules::get();
    let id = args.id.trim();
    if let Some(rule) = rules.find(id) {
        return Ok(Explanation::ScanRule(rule_explained(rule)));
    }
    let catalogue = Catalogue::get();
    if let Some(capability) = catalogue.capability(id) {
        return Ok(Explanation::Capability(capability_explained(capability)));
    }
    let check = registry.find(id).ok_or_else(|| {
        let mut known = registry.ids();
        known.extend(catalogue.capability_ids());
        known.extend(rules.rules.iter().map(|r| r.id.as_str()));
        ConfigError::UnknownCheck {
            value: args.id.clone(),
            setting: "explain".into(),
            hint: crate::suggest::hint(&args.id, &known, "ids", "anypoint-doctor list"),
        }
    })?;
    Ok(Explanation::Check(check_explained(check)))
}

fn check_explained(check: &CheckSpec) -> CheckExplained {
    let catalogue = Catalogue::get();
    let scope = match &check.kind {
        CheckKind::Scope(spec) => spec
            .scope
            .as_deref()
            .and_then(|id| catalogue.scope(id))
            .map(|entry| ScopeExplained {
                id: entry.id.clone(),
                name: entry.name.clone(),
                granted_for: entry.context.describe().to_string(),
                also_satisfied_by: catalogue
                    .satisfiers(std::slice::from_ref(&entry.id))
                    .into_iter()
                    .filter(|id| id != &entry.id)
                    .map(|id| catalogue.label(&id))
                    .collect(),
                proof: entry.proof.clone(),
                source: entry.source.clone(),
            }),
        _ => None,
    };
    let capability = match &check.kind {
        CheckKind::Scope(spec) => spec.capability.clone(),
        _ => None,
    };
    CheckExplained {
        id: check.id.clone(),
        title: check.title.clone(),
        what: check.explain.what.clone(),
        why: check.explain.why.clone(),
        fix: check.explain.fix.clone(),
        scope,
        capability,
        requires: check.requires.clone(),
        check_kind: check.kind.name().to_string(),
    }
}

fn capability_explained(capability: &Capability) -> CapabilityExplained {
    let catalogue = Catalogue::get();
    let registry = Registry::get();
    let allowed = !capability.any_of.is_empty();
    CapabilityExplained {
        id: capability.id.clone(),
        title: capability.title.clone(),
        scopes: capability
            .any_of
            .iter()
            .map(|id| catalogue.label(id))
            .collect(),
        granted_for: allowed.then(|| capability.context.describe().to_string()),
        allowed_by: allowed.then(|| catalogue.describe_capability(capability)),
        least_privilege: capability.any_of.first().map(|id| catalogue.label(id)),
        note: capability.note.clone(),
        calls: capability.calls.clone(),
        checked_by: registry
            .proving(&capability.id)
            .into_iter()
            .map(|i| registry.checks[i].id.clone())
            .collect(),
        also_needs: capability
            .all_of
            .iter()
            .map(|id| catalogue.label(id))
            .collect(),
        proof: capability.proof.clone(),
        source: capability.source.clone(),
    }
}

fn rule_explained(rule: &Rule) -> RuleExplained {
    RuleExplained {
        id: rule.id.clone(),
        title: rule.title.clone(),
        finds: rule.matcher.describe(),
        why: rule.why.clone(),
        fix: rule.fix.clone(),
        use_instead: rule.use_instead.clone(),
        severity: rule.severity.name().to_string(),
        matcher: rule.matcher.name().to_string(),
    }
}

fn render(explanation: &Explanation, out: &mut dyn Write) -> Result<(), Error> {
    match explanation {
        Explanation::Check(check) => {
            writeln!(out, "{} ({})\n", check.title, check.id)?;
            writeln!(out, "What it checks\n  {}\n", check.what)?;
            writeln!(out, "Why it fails\n  {}\n", check.why)?;
            writeln!(out, "How to fix\n  {}\n", check.fix)?;
            if let Some(scope) = &check.scope {
                writeln!(
                    out,
                    "Scope: \"{}\" ({}), granted for {}",
                    scope.name, scope.id, scope.granted_for
                )?;
                if !scope.also_satisfied_by.is_empty() {
                    writeln!(
                        out,
                        "Also satisfied by: {}",
                        scope.also_satisfied_by.join(", ")
                    )?;
                }
                writeln!(out, "Proof: {}", scope.proof)?;
                writeln!(out, "Source: {}", scope.source)?;
            }
            if let Some(capability) = &check.capability {
                writeln!(
                    out,
                    "Capability: {capability} (anypoint-doctor explain {capability})"
                )?;
            }
            if check.requires.is_empty() {
                writeln!(out, "Requires: nothing")?;
            } else {
                writeln!(out, "Requires: {}", check.requires.join(", "))?;
            }
            writeln!(out, "Kind: {}", check.check_kind)?;
        }
        Explanation::Capability(capability) => {
            writeln!(out, "{} (capability {})\n", capability.title, capability.id)?;
            match (
                &capability.granted_for,
                &capability.allowed_by,
                &capability.least_privilege,
            ) {
                (Some(granted_for), Some(allowed_by), Some(least)) => {
                    writeln!(
                        out,
                        "Scopes (any one, granted for {granted_for})\n  {allowed_by}\n"
                    )?;
                    writeln!(out, "Least privilege\n  {least}\n")?;
                }
                _ => writeln!(out, "Scopes\n  none to add\n")?,
            }
            if !capability.also_needs.is_empty() {
                writeln!(
                    out,
                    "And besides (each in its own context)\n  {}\n",
                    capability.also_needs.join(", ")
                )?;
            }
            if let Some(note) = &capability.note {
                writeln!(out, "Note\n  {note}\n")?;
            }
            let proof = &capability.proof;
            writeln!(
                out,
                "How `check --for {}` proves it (without an org admin's token; with one, the granted scopes decide)",
                capability.id
            )?;
            writeln!(out, "  Proven by: {}", proof.proven_by)?;
            writeln!(out, "  Disproven by: {}", proof.disproven_by)?;
            writeln!(
                out,
                "  Stays unproven (the gate stays closed; --allow-unproven lets it through): {}",
                proof.unprovable
            )?;
            writeln!(out, "  Source: {}\n", proof.source)?;
            writeln!(out, "Calls that need it")?;
            for call in &capability.calls {
                writeln!(out, "  {call}")?;
            }
            writeln!(out, "\nChecked by: {}", capability.checked_by.join(", "))?;
            writeln!(out, "Run: anypoint-doctor check --for {}", capability.id)?;
            writeln!(out, "Source: {}", capability.source)?;
        }
        Explanation::ScanRule(rule) => {
            writeln!(out, "{} ({})\n", rule.title, rule.id)?;
            writeln!(out, "What it finds\n  {}\n", rule.finds)?;
            writeln!(out, "Why it is a problem\n  {}\n", rule.why)?;
            writeln!(out, "How to fix\n  {}\n", rule.fix)?;
            if let Some(use_instead) = &rule.use_instead {
                writeln!(
                    out,
                    "Retired: a live 404 on this path is explained by this rule; use {use_instead}"
                )?;
            }
            writeln!(out, "Severity: {}", rule.severity)?;
            writeln!(out, "Kind: scan-rule ({})", rule.matcher)?;
        }
    }
    Ok(())
}
