//! The full terminal view (`-v`): a header line, one row per outcome
//! (status, check, target, summary, fix) — as a table from 100 columns, as
//! a list below — every request, a summary line and the next steps. Colour
//! goes through the table's own cell styling so widths stay right.

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, Width, presets};

use super::compact;
use super::look::{TableOptions, blocked_by_cause, summary_line, width};
use crate::report::model::{Outcome, Report, Status};
use crate::report::sanitize;

fn color_of(status: Status) -> Color {
    match status {
        Status::Pass => Color::Green,
        Status::Warn => Color::Yellow,
        Status::Fail => Color::Red,
        Status::Skip => Color::DarkGrey,
        Status::Error => Color::Magenta,
    }
}

/// Narrower than this, a table's columns squeeze text into slivers.
const TABLE_WIDTH: usize = 100;

pub fn render(report: &Report, options: TableOptions) -> String {
    let report = &sanitize::report(report);
    let mut out = String::new();
    out.push_str(&header_line(report));
    out.push('\n');

    if width(options) >= TABLE_WIDTH {
        out.push_str(&table_of(&report.checks, options));
    } else {
        out.push_str(&compact::list(&report.checks, options));
    }
    out.push('\n');

    if options.verbose {
        out.push_str(&requests(report));
    }
    out.push_str(&summary_line(report, options.color, true));
    out.push('\n');

    if let Some(least) = &report.least_privilege {
        out.push_str(&format!("\n{}\n", least.sentence()));
        for line in least.call_lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(preflight) = &report.preflight {
        out.push_str(&format!("\n{}\n", preflight.sentence()));
    }

    if let Some(changes) = &report.changes {
        out.push_str("\nChanges since the baseline:\n");
        if changes.is_empty() {
            out.push_str("  nothing changed\n");
        }
        for change in changes {
            out.push_str(&format!("  - {}\n", change.summary));
        }
    }

    // Every fix and every step, which the compact view counts when it has no room.
    let width = width(options);
    let fixes = compact::fix_list(&report.checks, &report.rerun_flags, width, "  ");
    if !fixes.is_empty() {
        out.push_str("\nWhat to fix:\n");
        out.push_str(&fixes);
    }
    if !report.next_steps.is_empty() {
        out.push_str("\nNext steps:\n");
        out.push_str(&compact::next_step_items(&report.next_steps, width).concat());
    }
    out
}

/// The outcomes (no header line, summary or next steps): what commands print
/// as their diagnosis. As a table from `TABLE_WIDTH` columns, as the list
/// `-v` shows below: a narrow table squeezes one finding into a tall box.
pub fn outcomes_table(outcomes: &[Outcome], options: TableOptions) -> String {
    let shown: Vec<Outcome> = outcomes.iter().map(sanitize::outcome).collect();
    if width(options) >= TABLE_WIDTH {
        table_of(&shown, options)
    } else {
        compact::list(&shown, options)
    }
}

/// The table of outcomes already made safe to show.
fn table_of(outcomes: &[Outcome], options: TableOptions) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(width) = options.width {
        table.set_width(width).force_no_tty();
    }
    if options.color {
        table.enforce_styling();
    }
    // Summary and fix share one wide column: two narrow ones wrap into tall rows.
    table.set_header(["Status", "Check", "Target", "Finding and fix"]);
    let id_width = outcomes.iter().map(|o| o.id.len()).max().unwrap_or(5) as u16;
    if let Some(column) = table.column_mut(1) {
        column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(id_width + 2)));
    }
    for outcome in outcomes.iter().filter(|o| o.blocked_by.is_none()) {
        table.add_row(row(outcome, options.color));
    }
    // One root cause shows once: checks it blocked share a single row.
    for (cause, blocked) in blocked_by_cause(outcomes) {
        let mut status = Cell::new(format!("{} {}", Status::Skip.symbol(), Status::Skip.word()));
        if options.color {
            status = status.fg(color_of(Status::Skip));
        }
        table.add_row(vec![
            status,
            Cell::new(format!("{} more", blocked.len())),
            Cell::new(""),
            Cell::new(format!(
                "not run because {cause} did not pass: {}\n→ fix {cause} first",
                compact(&blocked)
            )),
        ]);
    }
    table.to_string()
}

/// Ids, with several of one category written as `category.* (n)`.
fn compact(ids: &[&str]) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for id in ids {
        let category = id.split('.').next().unwrap_or(id);
        match parts.iter_mut().find(|(c, _)| c == category) {
            Some((_, n)) => *n += 1,
            None => parts.push((category.to_string(), 1)),
        }
    }
    parts
        .into_iter()
        .map(|(category, n)| match n {
            1 => ids
                .iter()
                .find(|id| id.split('.').next() == Some(&category))
                .map(|id| id.to_string())
                .unwrap_or(category),
            n => format!("{category}.* ({n})"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn header_line(report: &Report) -> String {
    let target = &report.target;
    let mut parts = vec![
        format!("{} {}", report.tool.name, report.tool.version),
        target.host.clone(),
    ];
    if let (Some(name), Some(id)) = (&target.org_name, &target.org_id) {
        parts.push(format!("org \"{name}\" ({id})"));
    }
    if let Some(client) = &target.client_id {
        parts.push(format!("client {client}"));
    }
    parts.join(" · ")
}

fn row(outcome: &Outcome, color: bool) -> Vec<Cell> {
    let status = format!("{} {}", outcome.status.symbol(), outcome.status.word());
    let mut status_cell = Cell::new(status);
    if color {
        status_cell = status_cell.fg(color_of(outcome.status));
    }
    let mut finding = outcome.summary.clone();
    if outcome.inferred {
        finding.push_str(" (inferred)");
    }
    if let Some(fix) = &outcome.remediation {
        finding.push_str("\n→ ");
        finding.push_str(fix);
    }
    vec![
        status_cell,
        Cell::new(&outcome.id),
        Cell::new(outcome.target.as_deref().unwrap_or("")),
        Cell::new(finding),
    ]
}

/// Every request once (one shared by several checks names them all).
fn requests(report: &Report) -> String {
    let mut seen: Vec<(&crate::platform::Evidence, Vec<&str>)> = Vec::new();
    for outcome in &report.checks {
        for e in &outcome.evidence {
            match seen
                .iter_mut()
                .find(|(s, _)| s.at == e.at && s.method == e.method && s.url == e.url)
            {
                Some((_, ids)) => {
                    if !ids.contains(&outcome.id.as_str()) {
                        ids.push(&outcome.id);
                    }
                }
                None => seen.push((e, vec![&outcome.id])),
            }
        }
    }
    let mut out = String::from("Requests:\n");
    for (e, ids) in seen {
        let status = e.status.map_or("no answer".to_string(), |s| s.to_string());
        let trx = e
            .trx_id
            .as_deref()
            .map(|t| format!(", trx {t}"))
            .unwrap_or_default();
        let checks = match ids.as_slice() {
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} (+{} more)", rest.len()),
            [] => String::new(),
        };
        out.push_str(&format!(
            "  {:<34} {} {} -> {status} ({} ms{trx})\n",
            checks, e.method, e.url, e.elapsed_ms
        ));
    }
    out
}
