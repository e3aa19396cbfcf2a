//! `anypoint-doctor list`: every check in registry order.

use std::io::Write;

use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

use crate::cli::{ListArgs, ListFormat};
use crate::doctor::Registry;
use crate::error::Error;

#[derive(Serialize)]
struct ListedCheck<'a> {
    id: &'a str,
    category: &'a str,
    kind: &'static str,
    title: &'a str,
    requires: &'a [String],
}

pub fn run(args: &ListArgs, out: &mut dyn Write) -> Result<(), Error> {
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
        })
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
                    c.id, c.category, c.kind, c.title
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
                table.add_row([c.id, c.category, c.kind, c.title]);
            }
            writeln!(out, "{}", table.trim_fmt())?;
            writeln!(
                out,
                "\nSee `anypoint-doctor explain ID` for what a check does and how to fix it."
            )?;
        }
    }
    Ok(())
}
