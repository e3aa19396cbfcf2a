//! One root cause, shown once: a check that failed only because of a
//! refusal a scope check already reports points to that check instead of
//! failing again.

use super::model::{Outcome, Reason, Status};

/// A request, as `(method, URL)`.
type Request = (String, String);

/// A check that reports refusals: its id, its target, the requests refused.
struct Owner {
    id: String,
    target: Option<String>,
    refused: Vec<Request>,
}

/// Checks whose failures name a missing scope, and so own a refusal.
fn owns_refusals(outcome: &Outcome) -> bool {
    outcome.missing_scope.is_some() && outcome.status == Status::Fail
}

/// Turns every other failure that rests on a refused request (401/403) a
/// scope check already reports into a pointer to that check.
pub fn one_root_cause(outcomes: &mut [Outcome]) {
    let owners: Vec<Owner> = outcomes
        .iter()
        .filter(|o| owns_refusals(o))
        .map(|o| {
            let refused = o
                .evidence
                .iter()
                .filter(|e| matches!(e.status, Some(401 | 403)))
                .map(|e| (e.method.clone(), e.url.clone()))
                .collect();
            Owner {
                id: o.id.clone(),
                target: o.target.clone(),
                refused,
            }
        })
        .collect();
    for outcome in outcomes.iter_mut() {
        if outcome.status != Status::Fail || outcome.missing_scope.is_some() {
            continue;
        }
        let Some(request) = &outcome.rests_on else {
            continue;
        };
        let owner = owners.iter().find(|o| o.refused.contains(request));
        if let Some(Owner { id, target, .. }) = owner {
            let place = target
                .as_deref()
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            outcome.status = Status::Skip;
            outcome.code = Reason::SameRefusal;
            outcome.summary = format!(
                "see {id}{place}, which reports the same refusal: {}",
                outcome.summary
            );
            outcome.remediation = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Evidence;
    use crate::report::model::MissingScope;

    fn outcome(id: &str, status: Status, url: &str, code: u16, missing: bool) -> Outcome {
        Outcome {
            id: id.into(),
            category: id.split('.').next().unwrap().into(),
            title: id.into(),
            status,
            code: Reason::ReplacementRefused,
            target: Some("Design".into()),
            summary: "refused".into(),
            remediation: Some("fix it".into()),
            inferred: true,
            blocked_by: None,
            rests_on: (!missing).then(|| ("GET".to_string(), url.to_string())),
            settled_by_grants: false,
            maybe_missing: Vec::new(),
            missing_scope: missing.then(|| MissingScope {
                scope: "read:api_configuration".into(),
                name: "View APIs Configuration".into(),
                org_id: None,
                org_name: None,
                env_id: None,
                env_name: Some("Design".into()),
                app: None,
            }),
            evidence: vec![Evidence {
                at: String::new(),
                method: "GET".into(),
                url: url.into(),
                status: Some(code),
                elapsed_ms: 0,
                trx_id: None,
                request_id: None,
                attempts: 1,
            }],
            duration_ms: 0,
        }
    }

    #[test]
    fn a_refusal_a_scope_check_reports_is_not_failed_again() {
        let mut outcomes = vec![
            outcome(
                "scope.view-apis-configuration",
                Status::Fail,
                "http://h/apis",
                403,
                true,
            ),
            outcome(
                "deprecated.exchange-v1-apis",
                Status::Fail,
                "http://h/apis",
                403,
                false,
            ),
            outcome(
                "deprecated.other",
                Status::Fail,
                "http://h/elsewhere",
                403,
                false,
            ),
        ];
        one_root_cause(&mut outcomes);
        assert_eq!(outcomes[0].status, Status::Fail);
        assert_eq!(outcomes[1].status, Status::Skip);
        assert_eq!(outcomes[1].code, Reason::SameRefusal);
        assert!(
            outcomes[1]
                .summary
                .starts_with("see scope.view-apis-configuration (Design)"),
            "{}",
            outcomes[1].summary
        );
        assert!(outcomes[1].remediation.is_none());
        assert_eq!(outcomes[2].status, Status::Fail, "another refusal stays");
        let mut incidental = outcome("data.list", Status::Fail, "http://h/apis", 403, false);
        incidental.rests_on = None;
        let mut outcomes = vec![outcomes.remove(0), incidental];
        one_root_cause(&mut outcomes);
        assert_eq!(
            outcomes[1].status,
            Status::Fail,
            "a failure that does not rest on the refusal stays"
        );
    }
}
