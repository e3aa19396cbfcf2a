//! The report: one model of a run (`model`), rendered by pure functions, one
//! module per format, so the table and the JSON can never disagree.

pub mod baseline;
pub mod build;
pub mod fold;
pub mod json;
pub mod junit;
pub mod listing;
pub mod markdown;
pub mod model;
pub mod next_steps;
pub mod preflight;
pub mod redact;
pub mod sanitize;
pub mod sweep;
pub mod terminal;
pub mod to_add;

pub use model::{FailOn, Outcome, Report, Status, Summary};

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Markdown,
    /// JUnit XML, one test case per check (for CI systems).
    Junit,
}

/// The report in one format; the table's look depends on where it goes.
pub fn render(report: &Report, format: Format, options: terminal::TableOptions) -> String {
    match format {
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Junit => junit::render(report),
        Format::Table => terminal::render(report, options),
    }
}
