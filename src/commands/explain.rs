//! `anypoint-doctor explain ID`: a check's or a scan rule's prose, from its file.

use std::io::Write;

use crate::cli::ExplainArgs;
use crate::doctor::Registry;
use crate::doctor::catalogue::{Capability, Catalogue};
use crate::doctor::spec::CheckKind;
use crate::error::{ConfigError, Error};
use crate::scan::rules::{Rule, Rules};

pub fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<(), Error> {
    let registry = Registry::get();
    let rules = Rules::get();
    let id = args.id.trim();
    if let Some(rule) = rules.find(id) {
        return explain_rule(rule, out);
    }
    let catalogue = Catalogue::get();
    if let Some(capability) = catalogue.capability(id) {
        return explain_capability(capability, out);
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
    writeln!(out, "{} ({})\n", check.title, check.id)?;
    writeln!(out, "What it checks\n  {}\n", check.explain.what)?;
    writeln!(out, "Why it fails\n  {}\n", check.explain.why)?;
    writeln!(out, "How to fix\n  {}\n", check.explain.fix)?;
    if let CheckKind::Scope(spec) = &check.kind
        && let Some(entry) = spec.scope.as_deref().and_then(|id| catalogue.scope(id))
    {
        writeln!(
            out,
            "Scope: \"{}\" ({}), granted for {}",
            entry.name,
            entry.id,
            entry.context.describe()
        )?;
        let others: Vec<String> = catalogue
            .satisfiers(std::slice::from_ref(&entry.id))
            .into_iter()
            .filter(|id| id != &entry.id)
            .map(|id| catalogue.label(&id))
            .collect();
        if !others.is_empty() {
            writeln!(out, "Also satisfied by: {}", others.join(", "))?;
        }
        writeln!(out, "Source: {}", entry.source)?;
    }
    if let CheckKind::Scope(spec) = &check.kind
        && let Some(capability) = spec.capability.as_deref()
    {
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
    writeln!(out, "Kind: {}", check.kind.name())?;
    Ok(())
}

fn explain_capability(capability: &Capability, out: &mut dyn Write) -> Result<(), Error> {
    let catalogue = Catalogue::get();
    writeln!(out, "{} (capability {})\n", capability.title, capability.id)?;
    if capability.any_of.is_empty() {
        writeln!(out, "Scopes\n  none to add\n")?;
    } else {
        writeln!(
            out,
            "Scopes (any one, granted for {})\n  {}\n",
            capability.context.describe(),
            catalogue.describe_capability(capability)
        )?;
        writeln!(
            out,
            "Least privilege\n  {}\n",
            catalogue.label(&capability.any_of[0])
        )?;
    }
    if let Some(note) = &capability.note {
        writeln!(out, "Note\n  {note}\n")?;
    }
    writeln!(out, "Calls that need it")?;
    for call in &capability.calls {
        writeln!(out, "  {call}")?;
    }
    let checks: Vec<&str> = Registry::get()
        .proving(&capability.id)
        .into_iter()
        .map(|i| Registry::get().checks[i].id.as_str())
        .collect();
    writeln!(out, "\nChecked by: {}", checks.join(", "))?;
    writeln!(out, "Run: anypoint-doctor check --for {}", capability.id)?;
    writeln!(out, "Source: {}", capability.source)?;
    Ok(())
}

fn explain_rule(rule: &Rule, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "{} ({})\n", rule.title, rule.id)?;
    writeln!(out, "What it finds\n  {}\n", rule.matcher.describe())?;
    writeln!(out, "Why it is a problem\n  {}\n", rule.why)?;
    writeln!(out, "How to fix\n  {}\n", rule.fix)?;
    if let Some(use_instead) = &rule.use_instead {
        writeln!(
            out,
            "Retired: a live 404 on this path is explained by this rule; use {use_instead}"
        )?;
    }
    writeln!(out, "Severity: {}", rule.severity.name())?;
    writeln!(out, "Kind: scan-rule ({})", rule.matcher.name())?;
    Ok(())
}
