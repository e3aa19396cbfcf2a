//! `anypoint-doctor list`: every check in registry order, then every scan rule.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::{ListArgs, ListFormat};
use crate::doctor::Registry;
use crate::doctor::catalogue::{CapabilityProof, Catalogue};
use crate::error::Error;
use crate::scan::rules::Rules;

#[derive(Serialize)]
struct ListedCheck<'a> {
    id: &'a str,
    category: &'a str,
    kind: &'static str,
    title: &'a str,
    requires: &'a [String],
    /// Scan rules only: how serious a finding is.
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
}

impl ListedCheck<'_> {
    /// The kind, with a scan rule's severity: `scan-rule (error)`.
    fn kind_label(&self) -> String {
        match self.severity {
            Some(severity) => format!("{} ({severity})", self.kind),
            None => self.kind.to_string(),
        }
    }
}

/// A capability as `list --capabilities` shows it.
#[derive(Serialize)]
struct ListedCapability<'a> {
    id: &'a str,
    title: &'a str,
    /// The scopes that allow it, implications included.
    scopes: String,
    least_privilege: Option<&'a str>,
    checks: Vec<&'a str>,
    /// What proves it without an org admin's token.
    proof: &'a CapabilityProof,
}

fn capabilities(format: ListFormat, out: &mut dyn Write) -> Result<(), Error> {
    let catalogue = Catalogue::get();
    let registry = Registry::get();
    let listed: Vec<ListedCapability> = catalogue
        .capabilities
        .iter()
        .map(|c| ListedCapability {
            id: &c.id,
            title: &c.title,
            scopes: if c.any_of.is_empty() {
                "none to add".into()
            } else {
                catalogue.describe_capability(c)
            },
            least_privilege: c.any_of.first().map(String::as_str),
            checks: registry
                .proving(&c.id)
                .into_iter()
                .map(|i| registry.checks[i].id.as_str())
                .collect(),
            proof: &c.proof,
        })
        .collect();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &listed).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => {
            writeln!(
                out,
                "| Capability | What | Allowed by | Proven by (without an org admin's token) | Disproven by | Stays unproven |\n|---|---|---|---|---|---|"
            )?;
            for c in &listed {
                writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    c.id,
                    c.title,
                    c.scopes,
                    c.proof.proven_by,
                    c.proof.disproven_by,
                    c.proof.unprovable
                )?;
            }
        }
        ListFormat::Table => {
            let mut table = Table::new();
            table
                .load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["CAPABILITY", "WHAT", "ALLOWED BY"]);
            for c in &listed {
                table.add_row([c.id, c.title, &c.scopes]);
            }
            writeln!(out, "{}", table.trim_fmt())?;
            writeln!(
                out,
                "\nCheck only what your automation needs: anypoint-doctor check --for ID[,ID…]. `anypoint-doctor explain ID` says more."
            )?;
        }
    }
    Ok(())
}

pub fn run(args: &ListArgs, out: &mut dyn Write) -> Result<(), Error> {
    if args.capabilities {
        return capabilities(args.format, out);
    }
    let registry = Registry::get();
    let listed: Vec<ListedCheck> = registry
        .checks
        .iter()
        .map(|c| ListedCheck {
            id: &c.id,
            category: &c.category,
            kind: c.kind.name(),
            title: &c.title,
            requires: &c.requires,
            severity: None,
        })
        .chain(Rules::get().rules.iter().map(|r| ListedCheck {
            id: &r.id,
            category: "scan",
            kind: "scan-rule",
            title: &r.title,
            requires: &[],
            severity: Some(r.severity.name()),
        }))
        .collect();
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &listed).map_err(std::io::Error::other)?;
            writeln!(out)?;
        }
        ListFormat::Markdown => {
            writeln!(
                out,
                "| Check | Category | Kind | Title |\n|---|---|---|---|"
            )?;
            for c in &listed {
                writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    c.id,
                    c.category,
                    c.kind_label(),
                    c.title
                )?;
            }
        }
        ListFormat::Table => {
            let mut table = Table::new();
            table
                .load_style(presets::NOTHING)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(["ID", "CATEGORY", "KIND", "TITLE"]);
            for c in &listed {
                table.add_row([c.id, c.category, &c.kind_label(), c.title]);
            }
            writeln!(out, "{}", table.trim_fmt())?;
            writeln!(
                out,
                "\nSee `anypoint-doctor explain ID` for what a check or scan rule looks at and how to fix it."
            )?;
        }
    }
    Ok(())
}
