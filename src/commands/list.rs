//! `anypoint-doctor list`: every check in registry order, then every scan rule.

use std::io::Write;

use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
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
        self.with_severity(self.kind)
    }

    /// `text`, with a scan rule's severity after it.
    fn with_severity(&self, text: &str) -> String {
        match self.severity {
            Some(severity) => format!("{text} ({severity})"),
            None => text.to_string(),
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

/// Columns of `list` besides the whole ones: the titles' room and the padding.
const TITLE_ROOM: usize = 40;

/// A table without borders, its cells wrapped to fit `width`; the first
/// `whole` columns (ids, names) are never broken.
fn table(header: &[&str], width: usize, whole: usize) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX))
        .set_header(header);
    for column in table.column_iter_mut().take(whole) {
        column.set_constraint(ColumnConstraint::ContentWidth);
    }
    table
}

fn capabilities(format: ListFormat, width: usize, out: &mut dyn Write) -> Result<(), Error> {
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
            let mut table = table(&["CAPABILITY", "WHAT", "ALLOWED BY"], width, 1);
            for c in &listed {
                table.add_row([c.id, c.title, &c.scopes]);
            }
            writeln!(out, "{}\n", table.trim_fmt())?;
            let next = "Check only what your automation needs: anypoint-doctor check --for ID[,ID…]. `anypoint-doctor explain ID` says more.";
            write!(out, "{}", crate::text::wrap_hanging(next, width))?;
        }
    }
    Ok(())
}

/// `width`: the terminal's, as `COLUMNS` gives it; the table wraps its cells to it.
pub fn run(args: &ListArgs, width: Option<u16>, out: &mut dyn Write) -> Result<(), Error> {
    let width = crate::text::width(width);
    if args.capabilities {
        return capabilities(args.format, width, out);
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
            // The id, category and kind whole, with room for titles; else
            // narrower: the category is the id's first part, the kind is `explain`'s.
            let widest =
                |cell: &dyn Fn(&ListedCheck) -> usize| listed.iter().map(cell).max().unwrap_or(0);
            let whole = widest(&|c| c.id.len())
                + widest(&|c| c.category.len())
                + widest(&|c| c.kind_label().len());
            let table = if width >= whole + TITLE_ROOM {
                let mut wide = table(&["ID", "CATEGORY", "KIND", "TITLE"], width, 3);
                for c in &listed {
                    wide.add_row([c.id, c.category, &c.kind_label(), c.title]);
                }
                wide
            } else {
                let mut narrow = table(&["ID", "TITLE"], width, 1);
                for c in &listed {
                    narrow.add_row([c.id, &c.with_severity(c.title)]);
                }
                narrow
            };
            writeln!(out, "{}\n", table.trim_fmt())?;
            let next = "See `anypoint-doctor explain ID` for what a check or scan rule looks at and how to fix it.";
            write!(out, "{}", crate::text::wrap_hanging(next, width))?;
        }
    }
    Ok(())
}
