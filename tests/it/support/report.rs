//! Reading a report, in-process (`Report`) or as the binary prints it in JSON.

use anypoint_doctor::report::{Outcome, Report};
use serde_json::Value;

/// The checks most tests are about.
pub const MANAGE_APPS: &str = "scope.manage-client-applications";
pub const VIEW_APPS: &str = "scope.view-client-applications";
pub const CONTRACTS: &str = "scope.manage-contracts";
pub const APIM_ADMIN: &str = "scope.api-manager-administrator";
pub const VIEW_APIS: &str = "scope.view-apis-configuration";
pub const EMPTY_LIST: &str = "data.client-applications-empty";
/// The root org of the fixtures and of the simulator's scenarios.
pub const ROOT_NAME: &str = "Example Corp";

/// Nothing failed, and nothing could not be checked.
#[track_caller]
pub fn assert_no_fail_or_error(report: &Report) {
    assert_eq!(
        (report.summary.fail, report.summary.error),
        (0, 0),
        "{}",
        dump(report)
    );
}

/// The outcome's remediation names `what` (what would settle it).
#[track_caller]
pub fn assert_remedy(outcome: &Outcome, what: &str) {
    assert!(
        outcome
            .remediation
            .as_deref()
            .is_some_and(|fix| fix.contains(what)),
        "{}: the remediation does not name {what:?}: {:?}",
        outcome.id,
        outcome.remediation
    );
}

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
