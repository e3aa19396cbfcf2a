//! The terminal views of a report: the compact one by default (what did
//! not pass, each root cause once), the full one with `-v` (every outcome),
//! and the look they share.

pub mod compact;
pub mod full;
pub mod look;

pub use look::TableOptions;

use crate::report::model::Report;

/// The report as a terminal shows it: full with `-v`, else compact.
pub fn render(report: &Report, options: TableOptions) -> String {
    if options.verbose {
        full::render(report, options)
    } else {
        compact::render(report, options)
    }
}
