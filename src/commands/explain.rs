//! `anypoint-doctor explain ID`: a check's or a scan rule's prose, from its file.

use std::io::Write;

use crate::cli::ExplainArgs;
use crate::doctor::Registry;
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
    let check = registry.find(id).ok_or_else(|| {
        let mut known = registry.ids();
        known.extend(rules.rules.iter().map(|r| r.id.as_str()));
        ConfigError::UnknownCheck {
            value: args.id.clone(),
            setting: "explain".into(),
            known: known.join(", "),
        }
    })?;
    writeln!(out, "{} ({})\n", check.title, check.id)?;
    writeln!(out, "What it checks\n  {}\n", check.explain.what)?;
    writeln!(out, "Why it fails\n  {}\n", check.explain.why)?;
    writeln!(out, "How to fix\n  {}\n", check.explain.fix)?;
    if let CheckKind::Scope(scope) = &check.kind {
        writeln!(
            out,
            "Scope: \"{}\" ({}), granted for {}",
            scope.name,
            scope.scope,
            scope.context.describe()
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
