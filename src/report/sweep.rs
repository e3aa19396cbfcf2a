//! A sweep's output (the base checks, then one report per business group)
//! in each format: a section per business group, then "What to fix" grouped
//! by business group; JSON as one document holding every report. Written a
//! group at a time: each group's part is rendered when its report comes and
//! the report let go, so what stays is the text and the totals, not every
//! report of every group.

use super::FailOn;
use super::junit::{Suites, sweep_suite_name};
use super::table::{TableOptions, header_line};
use super::{Format, Report, Summary, compact, markdown, sanitize, table};
use crate::exit::ExitStatus;

/// The output of one sweep in one format, built as the reports come.
pub struct SweepOutput {
    format: Format,
    options: TableOptions,
    /// The part that does not depend on how many groups follow.
    text: String,
    /// The compact view's header and base findings, written at the end (the header counts the groups).
    base_lines: String,
    /// The compact view's "What to fix" lines, by group.
    fixes: String,
    suites: Suites,
    total: Summary,
    /// Reports whose pre-flight gate (`--for`) stayed closed.
    gates_closed: usize,
    groups: usize,
    /// The longest report, for JUnit's document time.
    longest_ms: u64,
}

impl SweepOutput {
    /// Starts the output with the base checks' report.
    pub fn new(base: &Report, format: Format, options: TableOptions) -> SweepOutput {
        let mut output = SweepOutput {
            format,
            options,
            text: String::new(),
            base_lines: String::new(),
            fixes: String::new(),
            suites: Suites::default(),
            total: base.summary.clone(),
            gates_closed: usize::from(gate_closed(base)),
            groups: 0,
            longest_ms: base.duration_ms,
        };
        match format {
            Format::Json => {
                output.text = format!(
                    "{{\n  \"schema_version\": {},\n  \"base\": {},\n  \"business_groups\": [",
                    super::model::SCHEMA_VERSION,
                    nested(&pretty(base), 1)
                );
            }
            Format::Markdown => output.text = markdown::render(base),
            Format::Junit => output.suites.add(base, &sweep_suite_name(base)),
            Format::Table if options.verbose => output.text = table::render(base, options),
            Format::Table => {
                let base = sanitize::report(base);
                output.base_lines = compact::findings(&base, options);
                output.text = header_line(&base);
            }
        }
        output
    }

    /// Adds one business group's report.
    pub fn add(&mut self, group: &Report) {
        self.total.add(&group.summary);
        self.gates_closed += usize::from(gate_closed(group));
        self.longest_ms = self.longest_ms.max(group.duration_ms);
        let first = self.groups == 0;
        self.groups += 1;
        let text = &mut self.text;
        match self.format {
            Format::Json => {
                text.push_str(if first { "\n    " } else { ",\n    " });
                text.push_str(&nested(&pretty(group), 2));
            }
            Format::Markdown => {
                text.push_str("\n---\n\n");
                text.push_str(&markdown::render(group));
            }
            Format::Junit => self.suites.add(group, &sweep_suite_name(group)),
            Format::Table if self.options.verbose => {
                text.push('\n');
                text.push_str(&table::render(group, self.options));
            }
            Format::Table => {
                let sanitized = sanitize::report(group);
                self.base_lines
                    .push_str(&format!("\n── {} ──\n", group_name(&sanitized)));
                self.base_lines
                    .push_str(&compact::findings(&sanitized, self.options));
                if let Some(preflight) = &sanitized.preflight {
                    self.base_lines
                        .push_str(&format!("{}\n", preflight.sentence()));
                }
                let width = compact::width(self.options);
                let list =
                    compact::fix_list(&sanitized.checks, &sanitized.rerun_flags, width, "    ");
                if !list.is_empty() {
                    self.fixes
                        .push_str(&format!("  In {}:\n{list}", group_name(&sanitized)));
                }
            }
        }
    }

    /// The sweep's exit status: the totals', and with `--for`, a failure
    /// when any business group's gate stayed closed.
    pub fn exit_status(&self, fail_on: FailOn) -> ExitStatus {
        match self.total.exit_status(fail_on) {
            ExitStatus::Ok if self.gates_closed > 0 => ExitStatus::Failed,
            status => status,
        }
    }

    /// The whole output.
    pub fn finish(self) -> String {
        match self.format {
            Format::Json => {
                let mut text = self.text;
                text.push_str(if self.groups == 0 { "]" } else { "\n  ]" });
                text.push_str(&format!(
                    ",\n  \"summary\": {}\n}}\n",
                    nested(&pretty(&self.total), 1)
                ));
                text
            }
            Format::Junit => self.suites.finish(self.longest_ms),
            Format::Markdown => self.text,
            Format::Table if self.options.verbose => self.text,
            Format::Table => {
                let total = &self.total;
                let mut out = format!(
                    "{} · {} business group(s)\n\n{}",
                    self.text, self.groups, self.base_lines
                );
                out.push_str(&format!(
                    "\nAll business groups: {} passed, {} warned, {} failed, {} skipped, {} could not check\n",
                    total.pass, total.warn, total.fail, total.skip, total.error
                ));
                if !self.fixes.is_empty() {
                    out.push_str("\nWhat to fix, by business group:\n");
                    out.push_str(&self.fixes);
                }
                out
            }
        }
    }
}

fn pretty(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("the reports are plain data")
}

/// A pretty-printed value as it reads `depth` levels into a pretty-printed
/// document: every line after the first indented two spaces a level, as
/// serde_json's own pretty printer nests (a JSON string holds no raw line break).
fn nested(text: &str, depth: usize) -> String {
    text.replace('\n', &format!("\n{}", "  ".repeat(depth)))
}

fn group_name(report: &Report) -> String {
    match (&report.target.org_name, &report.target.org_id) {
        (Some(name), Some(id)) => format!("\"{name}\" ({id})"),
        (None, Some(id)) => id.clone(),
        _ => "the app's organization".into(),
    }
}

/// A report of `check --for` whose gate stayed closed.
fn gate_closed(report: &Report) -> bool {
    report
        .preflight
        .as_ref()
        .is_some_and(|p| p.gate == super::preflight::Gate::Closed)
}
