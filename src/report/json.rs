//! JSON renderer: the report as one document (schema_version 1), nothing else.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report is plain data");
    text.push('\n');
    text
}
