//! The look the terminal views share: their options, the colour of a
//! status, the counts line, the width they fit in, and the checks skipped
//! because another did not pass, grouped by that cause.

use owo_colors::OwoColorize;

use crate::report::model::{Outcome, Report, Status};

#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    pub color: bool,
    /// Total width to fit the table in; `None` asks the terminal.
    pub width: Option<u16>,
    /// Also list each check's requests.
    pub verbose: bool,
}

/// Text in the colour of a status, for a terminal.
pub fn painted(text: &str, status: Status) -> String {
    match status {
        Status::Pass => text.green().to_string(),
        Status::Warn => text.yellow().to_string(),
        Status::Fail => text.red().bold().to_string(),
        Status::Skip => text.dimmed().to_string(),
        Status::Error => text.magenta().to_string(),
    }
}

/// The counts in one line; `legend` explains the "(inferred)" marks of views that show them.
pub fn summary_line(report: &Report, color: bool, legend: bool) -> String {
    let s = &report.summary;
    let total = report.checks.len();
    let paint = |text: String, status: Status, count: usize| {
        if !color || count == 0 {
            return text;
        }
        painted(&text, status)
    };
    let parts = [
        paint(format!("{} passed", s.pass), Status::Pass, s.pass),
        paint(format!("{} warned", s.warn), Status::Warn, s.warn),
        paint(format!("{} failed", s.fail), Status::Fail, s.fail),
        paint(format!("{} skipped", s.skip), Status::Skip, s.skip),
        paint(
            format!("{} could not check", s.error),
            Status::Error,
            s.error,
        ),
    ];
    let inferred = if legend && report.checks.iter().any(|o| o.inferred) {
        " · (inferred) = concluded from a probe, not from the app's granted scopes"
    } else {
        ""
    };
    format!(
        "{total} results: {} in {:.1} s{inferred}",
        parts.join(", "),
        report.duration_ms as f64 / 1000.0
    )
}

/// The width to wrap to: the one given, else the terminal's, else 80.
pub fn width(options: TableOptions) -> usize {
    crate::text::width(options.width)
}

/// Checks skipped because another did not pass, grouped by that root cause, in order.
pub fn blocked_by_cause(outcomes: &[Outcome]) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for outcome in outcomes {
        if let Some(cause) = outcome.blocked_by.as_deref() {
            match groups.iter_mut().find(|(c, _)| *c == cause) {
                Some((_, ids)) => ids.push(&outcome.id),
                None => groups.push((cause, vec![&outcome.id])),
            }
        }
    }
    groups
}
