//! `--redact-ids`: org, environment and client ids replaced everywhere in the
//! report (and in the HAR record, `placeholders`) by a short hash, for
//! people who may not share them. The same id always gets the same hash, so
//! a report still reads consistently, and the HAR agrees with it.

use super::model::Report;
use crate::doctor::RunContext;
use crate::platform::paths;
use crate::secret::sha256_hex;
use crate::settings::mask_id;
use crate::substitute::Substitutions;

pub fn hashed(id: &str) -> String {
    format!("id-{}", sha256_hex(id, 4))
}

/// What `--redact-ids` puts in place of each of `ids`: as it stands, as a
/// URL's path segment (percent-encoded), inside a JSON string (a body the
/// HAR keeps), and masked (`****f0e9`, as summaries show a client id: the
/// last four characters are hidden too, since they narrow the id down
/// among an org's apps). The report's and the HAR record's placeholders, as pairs.
pub fn placeholders(ids: &[String]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for id in ids.iter().filter(|id| id.len() >= 4) {
        let placeholder = hashed(id);
        let quoted = serde_json::to_string(id).unwrap_or_default();
        let in_json = quoted
            .get(1..quoted.len().saturating_sub(1))
            .unwrap_or_default();
        let encoded = paths::id(id);
        for form in [encoded.as_ref(), in_json].into_iter().filter(|f| f != id) {
            pairs.push((form.to_string(), placeholder.clone()));
        }
        // An id of four characters masks to a bare `****`, which masked secrets share.
        if id.chars().count() > 4 {
            pairs.push((mask_id(id), placeholder.clone()));
        }
        pairs.push((id.clone(), placeholder));
    }
    pairs
}

/// Replaces each of `ids` wherever it appears in the report (`placeholders`).
pub fn redact_ids(report: &mut Report, ids: &[String]) {
    let placeholders = Substitutions::new(placeholders(ids));
    let scrub = |text: &mut String| placeholders.apply(text);
    let scrub_opt = |text: &mut Option<String>| {
        if let Some(t) = text {
            scrub(t);
        }
    };
    let target = &mut report.target;
    scrub(&mut target.host);
    scrub_opt(&mut target.org_id);
    scrub_opt(&mut target.root_org_id);
    if target.client_id.is_some() {
        target.client_id = Some("(redacted)".into());
    }
    for env in &mut target.environments {
        scrub(&mut env.id);
    }
    for setting in &mut report.settings {
        if setting.name == "client id" {
            setting.value = "(redacted)".into();
        }
        scrub(&mut setting.value);
    }
    for outcome in &mut report.checks {
        scrub(&mut outcome.summary);
        scrub_opt(&mut outcome.remediation);
        for evidence in &mut outcome.evidence {
            scrub(&mut evidence.url);
        }
        // The scopes to add name their business group and environment by id.
        for missing in outcome
            .missing_scope
            .iter_mut()
            .chain(outcome.maybe_missing.iter_mut())
        {
            scrub_opt(&mut missing.org_id);
            scrub_opt(&mut missing.env_id);
        }
    }
    if let Some(preflight) = &mut report.preflight {
        for need in &mut preflight.needs {
            scrub(&mut need.summary);
        }
    }
    // The flags the printed commands carry (`--org <id>`).
    scrub(&mut report.rerun_flags);
    for step in &mut report.next_steps {
        scrub(&mut step.command);
    }
    if let Some(changes) = &mut report.changes {
        for change in changes {
            scrub(&mut change.summary);
            scrub_opt(&mut change.before);
            scrub_opt(&mut change.after);
        }
    }
}

/// Every org, business group, environment and client id the run learned.
pub fn ids_of(ctx: &RunContext) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(org) = ctx.facts.org.get() {
        ids.extend([org.org.id.clone(), org.root.id.clone()]);
        ids.extend(org.business_groups.iter().map(|g| g.id.clone()));
    }
    if let Some(identity) = ctx.facts.identity.get() {
        ids.push(identity.org_id.clone());
    }
    if let Some(envs) = ctx.facts.environments.get() {
        ids.extend(envs.all.iter().map(|e| e.id.clone()));
    }
    ids.extend(ctx.subject_client_id());
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::{hashed, placeholders};

    #[test]
    fn an_id_is_hidden_in_each_form_it_takes_by_one_placeholder() {
        let id = "b\"g 1/x";
        let hidden = placeholders(&[id.to_string()]);
        let forms: Vec<&str> = hidden.iter().map(|(form, _)| form.as_str()).collect();
        assert_eq!(forms, ["b%22g%201%2Fx", "b\\\"g 1/x", "**** 1/x", id]);
        assert!(hidden.iter().all(|(_, to)| *to == hashed(id)));
        assert!(placeholders(&["abc".to_string()]).is_empty(), "too short");
    }

    #[test]
    fn hashes_are_stable_and_short() {
        assert_eq!(
            hashed("9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f"),
            hashed("9f2c1e4a-3b5d-4c6e-8f70-1a2b3c4d5e6f")
        );
        assert_ne!(hashed("a-1"), hashed("a-2"));
        assert_eq!(hashed("x").len(), 11);
    }
}
