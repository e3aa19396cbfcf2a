//! The report: one model of a run (`model`), rendered by pure functions, one
//! module per format, so the table and the JSON can never disagree.

pub mod baseline;
pub mod canary;
pub mod compact;
pub mod fold;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod model;
pub mod next_steps;
pub mod redact;
pub mod sanitize;
pub mod table;

pub use model::{Outcome, Report, Status, Summary};

use crate::cli::Format;

/// The report in one format; the table's look depends on where it goes.
pub fn render(report: &Report, format: Format, options: table::TableOptions) -> String {
    match format {
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Junit => junit::render(report),
        Format::Table => table::render(report, options),
    }
}
