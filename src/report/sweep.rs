//! A sweep's output (the base checks, then one report per business group)
//! in each format: a section per business group, then "What to fix" grouped
//! by business group, then the groups the deadline left unbegun; JSON as one
//! document holding every report. Written a group at a time: each group's
//! part goes to the output when its report comes and the report is let go;
//! what stays is the totals and the compact view's few lines per group (its
//! header counts the groups) or JUnit's suites (its header totals them).

use std::io::Write;
use std::time::Duration;

use super::FailOn;
use super::junit::{Suites, sweep_suite_name};
use super::terminal::full::header_line;
use super::terminal::{self, TableOptions, compact, look};
use super::{Format, Report, Summary, markdown, sanitize};
use crate::doctor::facts::OrgInfo;
use crate::exit::ExitStatus;

/// The business groups the compact view names when the deadline left some
/// unbegun; the others are counted (every format but it lists them all).
const UNBEGUN_SHOWN: usize = 10;

/// The output of one sweep in one format, written as the reports come.
pub struct SweepOutput {
    format: Format,
    options: TableOptions,
    /// The compact view's header, written at the end (it counts the groups).
    header: String,
    /// The compact view's base findings and each group's, written after the header.
    base_lines: String,
    /// The compact view's "What to fix" lines, by group.
    fixes: String,
    suites: Suites,
    /// The control plane, naming JUnit's suite of groups not checked.
    host: String,
    total: Summary,
    /// Reports whose pre-flight gate (`--for`) stayed closed.
    gates_closed: usize,
    groups: usize,
    /// The groups the deadline left unbegun, and that deadline.
    not_checked: Vec<OrgInfo>,
    deadline: Option<Duration>,
    /// The longest report, for JUnit's document time.
    longest_ms: u64,
}

impl SweepOutput {
    /// Starts the output with the base checks' report: what of it comes
    /// first goes to `to` now.
    pub fn new(
        base: &Report,
        format: Format,
        options: TableOptions,
        to: &mut dyn Write,
    ) -> std::io::Result<SweepOutput> {
        let mut output = SweepOutput {
            format,
            options,
            header: String::new(),
            base_lines: String::new(),
            fixes: String::new(),
            suites: Suites::default(),
            host: base.target.host.clone(),
            total: base.summary.clone(),
            gates_closed: usize::from(gate_closed(base)),
            groups: 0,
            not_checked: Vec::new(),
            deadline: None,
            longest_ms: base.duration_ms,
        };
        match format {
            Format::Json => write!(
                to,
                "{{\n  \"schema_version\": {},\n  \"base\": {},\n  \"business_groups\": [",
                super::model::SCHEMA_VERSION,
                nested(&pretty(base), 1)
            )?,
            Format::Markdown => to.write_all(markdown::render(base).as_bytes())?,
            Format::Junit => output.suites.add(base, &sweep_suite_name(base)),
            Format::Table if options.verbose => {
                to.write_all(terminal::render(base, options).as_bytes())?
            }
            Format::Table => {
                let base = sanitize::report(base);
                output.base_lines = compact::findings(&base, options);
                output.header = header_line(&base);
            }
        }
        Ok(output)
    }

    /// Adds one business group's report; what of it can be written now goes to `to`.
    pub fn add(&mut self, group: &Report, to: &mut dyn Write) -> std::io::Result<()> {
        self.total.add(&group.summary);
        self.gates_closed += usize::from(gate_closed(group));
        self.longest_ms = self.longest_ms.max(group.duration_ms);
        let first = self.groups == 0;
        self.groups += 1;
        match self.format {
            Format::Json => {
                to.write_all(if first { b"\n    " } else { b",\n    " })?;
                to.write_all(nested(&pretty(group), 2).as_bytes())?;
            }
            Format::Markdown => {
                to.write_all(b"\n---\n\n")?;
                to.write_all(markdown::render(group).as_bytes())?;
            }
            Format::Junit => self.suites.add(group, &sweep_suite_name(group)),
            Format::Table if self.options.verbose => {
                to.write_all(b"\n")?;
                to.write_all(terminal::render(group, self.options).as_bytes())?;
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
                let width = look::width(self.options);
                let list =
                    compact::fix_list(&sanitized.checks, &sanitized.rerun_flags, width, "    ");
                if !list.is_empty() {
                    self.fixes
                        .push_str(&format!("  In {}:\n{list}", group_name(&sanitized)));
                }
            }
        }
        Ok(())
    }

    /// The business groups the run's `deadline` left unbegun: each format
    /// names them after the groups checked.
    pub fn not_checked(&mut self, groups: Vec<OrgInfo>, deadline: Option<Duration>) {
        self.not_checked = groups;
        self.deadline = deadline;
    }

    /// The sweep's exit status: the totals', and with `--for`, a failure
    /// when any business group's gate stayed closed; a group not checked
    /// makes an otherwise clean run one that could not check everything.
    pub fn exit_status(&self, fail_on: FailOn) -> ExitStatus {
        match self.total.exit_status(fail_on) {
            ExitStatus::Ok if self.gates_closed > 0 => ExitStatus::Failed,
            ExitStatus::Ok if !self.not_checked.is_empty() => ExitStatus::Incomplete,
            status => status,
        }
    }

    /// Writes the rest of the output to `to`.
    pub fn finish(self, to: &mut dyn Write) -> std::io::Result<()> {
        let why = self.why_not_checked();
        let text = match self.format {
            Format::Json => {
                let mut text = String::from(if self.groups == 0 { "]" } else { "\n  ]" });
                let unbegun: Vec<Unbegun> = self
                    .not_checked
                    .iter()
                    .map(|g| Unbegun {
                        org_id: &g.id,
                        org_name: &g.name,
                    })
                    .collect();
                text.push_str(&format!(
                    ",\n  \"not_checked\": {},\n  \"summary\": {}\n}}\n",
                    nested(&pretty(&unbegun), 1),
                    nested(&pretty(&self.total), 1)
                ));
                text
            }
            Format::Junit => {
                let mut suites = self.suites;
                if !self.not_checked.is_empty() {
                    let name = format!("anypoint-doctor check {} not checked", self.host);
                    suites.add_not_checked(&name, &self.not_checked, &why);
                }
                suites.finish(self.longest_ms)
            }
            Format::Markdown => markdown::not_checked(&self.not_checked, &why),
            Format::Table if self.options.verbose => {
                unbegun_lines(&self.not_checked, &why, self.not_checked.len())
            }
            Format::Table => {
                let total = &self.total;
                let mut out = format!(
                    "{} · {} business group(s)\n\n{}",
                    self.header, self.groups, self.base_lines
                );
                out.push_str(&format!(
                    "\nAll business groups: {} passed, {} warned, {} failed, {} skipped, {} could not check\n",
                    total.pass, total.warn, total.fail, total.skip, total.error
                ));
                out.push_str(&unbegun_lines(&self.not_checked, &why, UNBEGUN_SHOWN));
                if !self.fixes.is_empty() {
                    out.push_str("\nWhat to fix, by business group:\n");
                    out.push_str(&self.fixes);
                }
                out
            }
        };
        to.write_all(text.as_bytes())
    }

    /// Why the groups in `not_checked` were not checked, as a sentence's end.
    fn why_not_checked(&self) -> String {
        match self.deadline {
            Some(deadline) => format!(
                "the run's deadline ({} s) passed before they began",
                deadline.as_secs()
            ),
            None => "the run ended before they began".into(),
        }
    }
}

/// A business group not checked, as the JSON lists it.
#[derive(serde::Serialize)]
struct Unbegun<'a> {
    org_id: &'a str,
    org_name: &'a str,
}

/// The table's lines on the groups not checked, naming the first `shown`;
/// nothing when every group was checked.
fn unbegun_lines(groups: &[OrgInfo], why: &str, shown: usize) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut names: Vec<String> = groups
        .iter()
        .take(shown)
        .map(|g| {
            format!(
                "\"{}\" ({})",
                crate::text::line(&g.name),
                crate::text::line(&g.id)
            )
        })
        .collect();
    if groups.len() > shown {
        names.push(format!(
            "and {} more (--format json lists every one)",
            groups.len() - shown
        ));
    }
    format!(
        "\nNot checked: {} business group(s), {why}: {}. Raise --deadline, or check them with --org.\n",
        groups.len(),
        names.join(", ")
    )
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
