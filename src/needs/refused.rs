//! Every refused request of a recording explained: a 403 with the scope and
//! the place that would allow it; a 401 with what the HAR shows of its
//! token (none sent, expired by the HAR's own times, obtained from another
//! control plane, or refused all the same); and a 200 with an empty list
//! where that is what a missing scope looks like.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::analysis::Analysis;
use super::least::{Grant, derive};
use super::{Matched, Seen};
use crate::doctor::catalogue::Catalogue;
use crate::traffic::Bearer;

/// Capabilities whose list answers 200 and empty, not 403, without the
/// scope: the client-application list (KB 005385409, confirmed) and the API
/// instance list (inferred, scopes/capabilities.toml).
const EMPTY_WHEN_MISSING: &[(&str, &str)] = &[
    (
        "list-client-applications",
        "an empty list, which is what the platform answers without the scope (KB 005385409)",
    ),
    (
        "list-api-instances",
        "an empty list: without the scope the platform may answer so (inferred), or the environment has no API instance",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// 401: the token.
    Unauthorized,
    /// 403: a scope, in a place.
    Forbidden,
    /// 200 and empty, where a missing scope looks so.
    Empty,
}

/// One refused request, why, and what would allow it.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub method: String,
    pub path: String,
    pub at: String,
    pub kind: Kind,
    pub status: u16,
    pub message: Option<String>,
    pub transaction_id: Option<String>,
    pub why: String,
    /// The scopes, each where it is needed, that allow it (none for a 401,
    /// or a request the catalogue does not know).
    pub allowed_by: Vec<Grant>,
}

/// The refusals among the analysis' requests: those the catalogue knows, then the others.
pub fn explain(analysis: &Analysis<'_>, catalogue: &Catalogue) -> Vec<Refusal> {
    let known = analysis.matched.iter().map(|m| (m.seen, Some(m)));
    let unknown = analysis.unknown.iter().map(|seen| (*seen, None));
    known
        .chain(unknown)
        .filter_map(|(seen, matched)| of(seen, matched, catalogue))
        .collect()
}

fn of(seen: &Seen, matched: Option<&Matched<'_>>, catalogue: &Catalogue) -> Option<Refusal> {
    let answer = seen.recorded.answer.as_ref()?;
    let allowing = || {
        matched.map_or_else(Vec::new, |m| {
            derive(std::slice::from_ref(m), catalogue).grants
        })
    };
    let (kind, why, allowed_by) = match answer.status {
        401 => (Kind::Unauthorized, unauthorized(seen), Vec::new()),
        403 => {
            let why = match matched {
                Some(_) => {
                    "the token lacks the scope, in this business group or environment".into()
                }
                None => {
                    "refused; the catalogue does not know which scope this request needs".into()
                }
            };
            (Kind::Forbidden, why, allowing())
        }
        200 if answer.empty_list => {
            let capability = matched.and_then(|m| m.endpoint.capability.as_deref())?;
            let (_, why) = EMPTY_WHEN_MISSING.iter().find(|(c, _)| *c == capability)?;
            (Kind::Empty, (*why).to_string(), allowing())
        }
        _ => return None,
    };
    Some(Refusal {
        method: seen.method.clone(),
        path: seen.path.clone(),
        at: seen.at.clone(),
        kind,
        status: answer.status,
        message: answer
            .message
            .as_deref()
            .map(|m| crate::text::line(m).into_owned()),
        transaction_id: answer.transaction_id.clone(),
        why,
        allowed_by,
    })
}

/// Why a 401, from what the HAR shows of the token.
fn unauthorized(seen: &Seen) -> String {
    let recorded = &seen.recorded;
    match recorded.bearer {
        Some(Bearer::None) => {
            return "no token was sent (no Authorization header): get one first and send it as `Authorization: Bearer <token>`".into();
        }
        None => return "the recording does not show the token it carried".into(),
        Some(Bearer::Sent { .. }) => {}
    }
    let Some(token) = &recorded.token else {
        return "a token was sent, but the recording does not show where it was obtained (or shows it masked): it may have expired, been revoked, or come from another control plane".into();
    };
    if let (Some(from), Some(to)) = (&token.host, &recorded.host)
        && from != to
    {
        return format!(
            "the token was obtained from {from} ({}), another control plane than {to}: a token is valid only where it was issued",
            token.at
        );
    }
    let parse = |at: &Option<String>| {
        at.as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
    };
    if let (Some(obtained), Some(sent), Some(lasts)) = (
        parse(&token.obtained),
        parse(&recorded.started),
        token.expires_in,
    ) {
        let after = (sent - obtained).whole_seconds();
        if after >= i64::try_from(lasts).unwrap_or(i64::MAX) {
            return format!(
                "the token had expired: obtained {after} s before ({}), valid for {lasts} s; get a new one before it runs out",
                token.at
            );
        }
        return format!(
            "the token ({}) had not expired by the recording's times ({after} s of {lasts} s): it was revoked, or refused for another reason",
            token.at
        );
    }
    format!(
        "the token ({}) was refused; the recording does not show whether it had expired",
        token.at
    )
}
