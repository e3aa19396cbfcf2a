//! Reading a report, in-process (`Report`) or as the binary prints it in JSON.

use anypoint_doctor::report::{Outcome, Report};
use serde_json::Value;

/// One line per outcome, for failure messages.
pub fn dump(report: &Report) -> String {
    let mut out = format!("summary: {:?}\n", report.summary);
    for o in &report.checks {
        out.push_str(&format!(
            "  {:<34} {:<5} target={:<18} inferred={:<5} blocked_by={:?} attempts={:?} | {}\n",
            o.id,
            o.status.word(),
            o.target.as_deref().unwrap_or("-"),
            o.inferred,
            o.blocked_by,
            o.evidence.iter().map(|e| e.attempts).collect::<Vec<_>>(),
            o.summary
        ));
    }
    out
}

/// Every outcome of check `id` (one per target for a fan-out check).
pub fn outcomes<'a>(report: &'a Report, id: &str) -> Vec<&'a Outcome> {
    report.checks.iter().filter(|o| o.id == id).collect()
}

/// The targets of check `id`'s outcomes.
pub fn targets<'a>(report: &'a Report, id: &str) -> Vec<&'a str> {
    outcomes(report, id)
        .iter()
        .filter_map(|o| o.target.as_deref())
        .collect()
}

/// Every outcome of check `id` in a JSON report.
pub fn json_outcomes<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    let all = report["checks"].as_array().expect("checks is an array");
    all.iter().filter(|o| o["id"] == id).collect()
}
