//! `check --for-har` as text: each need with its proof and place, what
//! could not be mapped or checked, and the gate in one closing line.

use super::judged::PreFlight;
use crate::report::preflight::{Proof, gate_sentence};
use crate::text::line;

/// Requests shown under a need; the rest are counted.
const SHOWN_REQUESTS: usize = 3;

pub fn table(preflight: &PreFlight, files: &[String]) -> String {
    let mut out = format!(
        "Pre-flight for the traffic in {}: {} need(s)\n\n",
        files.iter().map(|f| line(f)).collect::<Vec<_>>().join(", "),
        preflight.needs.len() + preflight.org_admin_only.len()
    );
    for need in &preflight.needs {
        out.push_str(&format!(
            "  {} {:<11} {} ({}) in {}: {}\n",
            symbol(need.proof),
            need.proof.word(),
            line(&need.name),
            line(&need.scope),
            line(&need.place),
            line(&need.summary)
        ));
        out.push_str(&format!("      for {}\n", requests(&need.requests)));
    }
    if !preflight.org_admin_only.is_empty() {
        out.push_str(&format!(
            "  ✗ org admin only: no Connected App scope allows {}\n",
            requests(&preflight.org_admin_only)
        ));
    }
    if preflight.not_checked > 0 {
        out.push_str(&format!(
            "  ? not checked: {} request(s) the catalogue does not know (not proven; `anypoint-doctor needs FILE` lists them)\n",
            preflight.not_checked
        ));
    }
    out.push('\n');
    out.push_str(&sentence(preflight));
    out.push('\n');
    out
}

fn symbol(proof: Proof) -> &'static str {
    match proof {
        Proof::Proven => "✓",
        Proof::Disproven => "✗",
        Proof::Unproven => "!",
        Proof::Unchecked => "?",
    }
}

/// `GET /a, POST /b and 2 more`, each distinct request once.
fn requests(all: &[String]) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for request in all {
        if !distinct.contains(&request.as_str()) {
            distinct.push(request);
        }
    }
    let shown: Vec<String> = distinct
        .iter()
        .take(SHOWN_REQUESTS)
        .map(|r| line(r).into_owned())
        .collect();
    match distinct.len().saturating_sub(SHOWN_REQUESTS) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// One line: the gate, and what closes it.
pub fn sentence(preflight: &PreFlight) -> String {
    let allowed = |proof: Proof| preflight.allow_unproven && proof == Proof::Unproven;
    let proven = preflight
        .needs
        .iter()
        .filter(|n| n.proof == Proof::Proven)
        .count();
    let let_through = preflight.needs.len() - proven
        + if preflight.allow_unproven {
            preflight.not_checked
        } else {
            0
        };
    let mut closing: Vec<String> = preflight
        .needs
        .iter()
        .filter(|n| n.proof != Proof::Proven && !allowed(n.proof))
        .map(|n| format!("{} in {} {}", line(&n.name), line(&n.place), n.proof.word()))
        .collect();
    if !preflight.org_admin_only.is_empty() {
        closing.push(format!(
            "{} request(s) only an org admin may make",
            preflight.org_admin_only.len()
        ));
    }
    if preflight.not_checked > 0 && !preflight.allow_unproven {
        closing.push(format!("{} request(s) not checked", preflight.not_checked));
    }
    // A token settles what probes cannot; not a place the target lacks.
    let unproven_only = preflight.org_admin_only.is_empty()
        && preflight
            .needs
            .iter()
            .all(|n| n.unmapped.is_none() && matches!(n.proof, Proof::Proven | Proof::Unproven));
    gate_sentence(preflight.gate, proven, let_through, &closing, unproven_only)
}
