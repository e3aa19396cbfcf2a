//! A sweep's reports (the base checks, then one per business group) in
//! each format: a section per business group, then "What to fix" grouped
//! by business group; JSON as one document holding every report.

use serde::Serialize;

use super::table::{TableOptions, header_line};
use super::{Format, Report, Summary, compact, junit, markdown, sanitize, table};

/// The sweep as one JSON document.
#[derive(Serialize)]
struct SweepDocument<'a> {
    schema_version: u32,
    /// The checks run once: network, token, identity, the org structure.
    base: &'a Report,
    business_groups: &'a [Report],
    /// Every report's totals added up.
    summary: Summary,
}

/// Totals over every report of the sweep.
pub fn summary<'a>(reports: impl Iterator<Item = &'a Report>) -> Summary {
    let mut total = Summary::default();
    for report in reports {
        let s = &report.summary;
        total.pass += s.pass;
        total.warn += s.warn;
        total.fail += s.fail;
        total.skip += s.skip;
        total.error += s.error;
    }
    total
}

pub fn render(base: &Report, groups: &[Report], format: Format, options: TableOptions) -> String {
    match format {
        Format::Json => {
            let document = SweepDocument {
                schema_version: super::model::SCHEMA_VERSION,
                base,
                business_groups: groups,
                summary: summary(std::iter::once(base).chain(groups)),
            };
            let mut text =
                serde_json::to_string_pretty(&document).expect("the reports are plain data");
            text.push('\n');
            text
        }
        Format::Markdown => std::iter::once(base)
            .chain(groups)
            .map(markdown::render)
            .collect::<Vec<_>>()
            .join("\n---\n\n"),
        Format::Junit => junit::render_all(std::iter::once(base).chain(groups)),
        Format::Table if options.verbose => std::iter::once(base)
            .chain(groups)
            .map(|report| table::render(report, options))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Table => compact_view(base, groups, options),
    }
}

/// The compact view: the base in a few lines, a section per business group
/// with what it found, the totals, then what to fix in each group.
fn compact_view(base: &Report, groups: &[Report], options: TableOptions) -> String {
    let width = compact::width(options);
    let base = sanitize::report(base);
    let mut out = format!(
        "{} · {} business group(s)\n\n",
        header_line(&base),
        groups.len()
    );
    out.push_str(&compact::findings(&base, options));
    for group in groups {
        let group = sanitize::report(group);
        out.push_str(&format!("\n── {} ──\n", group_name(&group)));
        out.push_str(&compact::findings(&group, options));
    }
    let total = summary(std::iter::once(&base).chain(groups));
    out.push_str(&format!(
        "\nAll business groups: {} passed, {} warned, {} failed, {} skipped, {} could not check\n",
        total.pass, total.warn, total.fail, total.skip, total.error
    ));
    let mut fixes = String::new();
    for group in groups {
        let list = compact::fix_list(&group.checks, width, "    ");
        if !list.is_empty() {
            fixes.push_str(&format!("  In {}:\n{list}", group_name(group)));
        }
    }
    if !fixes.is_empty() {
        out.push_str("\nWhat to fix, by business group:\n");
        out.push_str(&fixes);
    }
    out
}

fn group_name(report: &Report) -> String {
    match (&report.target.org_name, &report.target.org_id) {
        (Some(name), Some(id)) => format!("\"{name}\" ({id})"),
        (None, Some(id)) => id.clone(),
        _ => "the app's organization".into(),
    }
}
