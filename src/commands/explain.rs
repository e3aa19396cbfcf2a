//! `anypoint-doctor explain ID`: a check's prose, from its file.

use std::io::Write;

use crate::cli::ExplainArgs;
use crate::doctor::Registry;
use crate::doctor::spec::CheckKind;
use crate::error::{ConfigError, Error};

pub fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<(), Error> {
    let registry = Registry::get();
    let check = registry
        .find(args.id.trim())
        .ok_or_else(|| ConfigError::UnknownCheck {
            value: args.id.clone(),
            setting: "explain".into(),
            known: registry.ids().join(", "),
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
