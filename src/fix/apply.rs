//! Applying `fix`'s plan: one additive PATCH of the app's scopes with the
//! org admin's token, what its answer claims, what the app's scopes read
//! again show (only they say it was applied), and the re-check's verdicts
//! beside those the plan was made from. Never PUT or DELETE: a PATCH only
//! adds, so a mistaken plan cannot take a scope away. Before any of it,
//! that the admin's token is of the app's own organization.

use super::{FixPlan, Pair, render};
use crate::doctor::context::RunContext;
use crate::error::ConfigError;
use crate::platform::answer::{Answer, Reply};
use crate::platform::models::Me;
use crate::platform::{Platform, Request, paths};
use crate::report::model::Outcome;
use crate::report::{Report, Status};
use crate::text::line;

/// Who may change a Connected App's scopes (reference §4.5, §11.7).
pub const WHO_CAN_APPLY: &str = "only an Organization Administrator of the app's root organization or of its business group can change its scopes; give such a user's token in ANYPOINT_ADMIN_BEARER or --admin-bearer";

/// What the PATCH's answer says was done.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// 2xx with no body, or JSON (the platform answers 204): the platform
    /// says it added the pairs; only the scopes read again confirm it.
    Accepted(u16),
    /// 2xx with a body that is not the platform's JSON (a login page, a
    /// proxy's page): something else answered; whether the PATCH reached
    /// the platform is unknown. It is not resent.
    NotPlatform(String),
    /// 401 or 403: the token may not change the app's scopes; nothing changed.
    NotAdmin(u16),
    /// Another 4xx: refused; nothing changed.
    Refused(String),
    /// Throttled (429), still after the retries: refused before any work,
    /// so nothing changed; it could not be applied now (exit 3, not 1).
    Throttled(String),
    /// No answer, or a 5xx: the change may or may not have been made. It is
    /// not resent: the granted scopes are read again instead.
    Unknown(String),
}

impl Sent {
    /// Why nothing was changed, when the PATCH was refused.
    pub fn refusal(&self) -> Option<String> {
        match self {
            Sent::NotAdmin(status) => Some(format!("HTTP {status}; {WHO_CAN_APPLY}")),
            Sent::Refused(why) => Some(why.clone()),
            Sent::Accepted(_) | Sent::NotPlatform(_) | Sent::Unknown(_) | Sent::Throttled(_) => {
                None
            }
        }
    }
}

/// Sends the plan's pairs in one PATCH, once.
pub async fn send(platform: &Platform, plan: &FixPlan, client_id: &str) -> Sent {
    let request = Request::patch_as_admin(
        paths::connected_app_scopes(client_id),
        render::patch_body(&plan.add),
    );
    classify(&platform.send(&request).await)
}

fn classify(answer: &Answer) -> Sent {
    match &answer.result {
        Err(error) => Sent::Unknown(error.to_string()),
        Ok(reply) if reply.is_success() => match not_the_platform(reply) {
            Some(what) => Sent::NotPlatform(what),
            None => Sent::Accepted(reply.status),
        },
        Ok(reply) if matches!(reply.status, 401 | 403) => Sent::NotAdmin(reply.status),
        Ok(reply) if reply.status == 429 => Sent::Throttled(format!(
            "HTTP 429 after {} attempt(s)",
            answer.evidence.attempts
        )),
        Ok(reply) if reply.status >= 500 => Sent::Unknown(format!("HTTP {}", reply.status)),
        Ok(reply) => Sent::Refused(format!(
            "HTTP {}: {}",
            reply.status,
            line(
                reply
                    .redacted_text
                    .chars()
                    .take(200)
                    .collect::<String>()
                    .as_str()
            )
        )),
    }
}

/// What a success answer was, when it is not the platform's: the PATCH
/// answers 204 with no body (reference §4.5, §11.5); a body that is not
/// JSON, or not said to be, came from something in between (a single
/// sign-on page, a proxy). Its status, content type and what it looked like.
fn not_the_platform(reply: &Reply) -> Option<String> {
    if reply.body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let content_type = reply.content_type.as_deref().unwrap_or_default();
    let said_json = content_type.to_ascii_lowercase().contains("json");
    if said_json && serde_json::from_slice::<serde_json::Value>(&reply.body).is_ok() {
        return None;
    }
    let content_type = if content_type.is_empty() {
        "no content type".to_string()
    } else {
        format!("content type {content_type}")
    };
    Some(
        line(&format!(
            "HTTP {} with {content_type}: {}",
            reply.status,
            reply.platform_message()
        ))
        .into_owned(),
    )
}

/// The admin's token was refused reading the app's granted scopes (401 or
/// 403): it is not an admin's of the app's organization.
pub fn read_refused(report: &Report) -> bool {
    report.checks.iter().flat_map(|o| &o.evidence).any(|e| {
        e.method == "GET" && e.url.contains("/scopes") && matches!(e.status, Some(401 | 403))
    })
}

/// Which of the plan's pairs the app holds now, in the plan's order; `None`
/// when `now` (the re-check's plan) could not read the granted scopes.
pub fn held<'a>(plan: &'a FixPlan, now: &FixPlan) -> Option<Vec<(&'a Pair, bool)>> {
    now.granted_read.then(|| {
        plan.add
            .iter()
            .map(|pair| (pair, now.granted.iter().any(|g| g.same_place(pair))))
            .collect()
    })
}

/// What the PATCH did, told from its answer and from the app's scopes read
/// again (`held`, or why they were not: "could not be read again"):
/// "Applied" only when they hold every pair, and each pair's state whenever
/// that is in doubt. Also whether every pair is held (`None`: not known).
pub fn tell(
    sent: &Sent,
    plan: &FixPlan,
    held: Result<&[(&Pair, bool)], &str>,
) -> (String, Option<bool>) {
    let asked = plan.add.len();
    let all_held = held.ok().map(|held| held.iter().all(|(_, there)| *there));
    let lacking = held.map_or(0, |held| held.iter().filter(|(_, there)| !there).count());
    let read_again = if held.is_ok() {
        " The app's scopes, read again:"
    } else {
        ""
    };
    let mut text = match (sent, all_held) {
        (Sent::Accepted(_), Some(true)) => format!(
            "Applied: {asked} scope(s) added with one PATCH. Read again, the app's scopes hold every one.\n"
        ),
        (Sent::Accepted(status), Some(false)) => format!(
            "Not applied: the platform answered HTTP {status} to the PATCH, but the app still lacks {lacking} of the {asked} scope(s).{read_again}\n"
        ),
        (Sent::Accepted(status), None) => format!(
            "The platform answered HTTP {status} to the PATCH, but it is not known whether the scopes were added.\n"
        ),
        (Sent::NotPlatform(what), _) => format!(
            "The PATCH was answered by something that is not the platform ({what}): whether it reached the platform is not known, and it was not resent.{read_again}\n"
        ),
        (Sent::Unknown(why), _) => format!(
            "The PATCH got no answer ({why}): it may or may not have been applied, and it was not resent.{read_again}\n"
        ),
        (Sent::NotAdmin(_) | Sent::Refused(_) | Sent::Throttled(_), _) => String::new(),
    };
    match held {
        Ok(_) if all_held == Some(true) && matches!(sent, Sent::Accepted(_)) => {}
        Ok(held) => {
            for (pair, there) in held {
                let word = if *there { "granted now" } else { "not granted" };
                text.push_str(&format!("  {word}: {}\n", render::pair_line(pair)));
            }
        }
        Err(why) => text.push_str(&format!(
            "The app's granted scopes {why}: run `anypoint-doctor fix` with the admin's token to see them before changing anything.\n"
        )),
    }
    (text, all_held)
}

/// One check the plan rested on: its verdict before the PATCH and in the
/// re-check (`None`: the re-check did not run it).
#[derive(Debug)]
pub struct Recheck {
    pub check: String,
    pub target: Option<String>,
    pub before: Status,
    pub after: Option<Status>,
}

/// The checks to run again: those whose verdict named a missing scope.
pub fn affected(report: &Report) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for outcome in super::naming_a_missing_scope(report) {
        if !ids.contains(&outcome.id) {
            ids.push(outcome.id.clone());
        }
    }
    ids
}

/// Each affected check's verdict before and after; a check whose missing
/// scope the plan withheld (not asked for with `--include`) does not count.
pub fn compare(before: &Report, after: &Report, include: &[String]) -> Vec<Recheck> {
    super::naming_a_missing_scope(before)
        .filter(|old| {
            old.missing_scope.as_ref().is_none_or(|m| {
                !super::WITHHELD.iter().any(|w| w.scope == m.scope) || include.contains(&m.scope)
            })
        })
        .map(|old| Recheck {
            check: old.id.clone(),
            target: old.target.clone(),
            before: old.status,
            after: after
                .checks
                .iter()
                .find(|new: &&Outcome| new.id == old.id && new.target == old.target)
                .map(|new| new.status),
        })
        .collect()
}

/// Every affected check passes now.
pub fn all_pass(rechecks: &[Recheck]) -> bool {
    rechecks.iter().all(|r| r.after == Some(Status::Pass))
}

/// `  scope.api-manager (Production): fail → pass`, one line per check.
pub fn render_rechecks(rechecks: &[Recheck]) -> String {
    rechecks
        .iter()
        .map(|r| {
            let target = r
                .target
                .as_deref()
                .map_or(String::new(), |t| format!(" ({})", line(t)));
            let after = r.after.map_or("not run", Status::word);
            format!("  {}{target}: {} → {after}\n", r.check, r.before.word())
        })
        .collect()
}

/// The admin's token must be of the app's root organization: the user's
/// org, from `GET /accounts/api/me` with it (reference §4.1, §11.7). A user
/// of another org is a wrong setting (exit 2); a token that names no user
/// (an app's, an unknown one) cannot apply: `Some(why)`, told after the plan.
pub async fn same_org(ctx: &RunContext) -> Result<Option<String>, ConfigError> {
    let Some(token) = &ctx.settings.admin_bearer else {
        return Ok(None);
    };
    let setting = token.source.to_string();
    let Some(root) = ctx.facts.org.get().map(|o| &o.root) else {
        // The run could not learn the app's org: the plan says what is unsettled.
        return Ok(None);
    };
    let answer = ctx.platform.fetch(Request::get_as_admin(paths::ME)).await;
    let admin_org = answer
        .result
        .as_ref()
        .ok()
        .filter(|reply| reply.is_success())
        .and_then(|reply| reply.json::<Me>().ok())
        .and_then(|me| me.user)
        .and_then(|user| user.organization_id.or(user.organization.map(|o| o.id)));
    match admin_org {
        Some(org) if org == root.id => Ok(None),
        Some(org) => Err(ConfigError::AdminOfAnotherOrg {
            setting,
            admin_org: org,
            app_org: format!("{} ({})", root.name, root.id),
        }),
        None => Ok(Some(format!(
            "GET {} with the token from {setting} named no user of an organization",
            paths::ME
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::answer::{Evidence, Reply, TransportError};

    fn answer(result: Result<Reply, TransportError>) -> Answer {
        let evidence = Evidence {
            at: String::new(),
            method: "PATCH".into(),
            url: String::new(),
            status: None,
            elapsed_ms: 0,
            trx_id: None,
            request_id: None,
            attempts: 1,
        };
        Answer { evidence, result }
    }

    #[test]
    fn only_an_answer_says_what_was_done() {
        let reply = |status| Ok(Reply::new(status, None, b"{\"message\":\"no\"}".to_vec()));
        let json = |status, body: &str| {
            Ok(Reply::new(
                status,
                Some("application/json; charset=utf-8".into()),
                body.as_bytes().to_vec(),
            ))
        };
        assert_eq!(classify(&answer(json(204, ""))), Sent::Accepted(204));
        assert_eq!(classify(&answer(json(200, "{}"))), Sent::Accepted(200));
        assert_eq!(classify(&answer(reply(403))), Sent::NotAdmin(403));
        assert!(matches!(classify(&answer(reply(400))), Sent::Refused(t) if t.contains("400")));
        assert!(matches!(classify(&answer(reply(503))), Sent::Unknown(_)));
        assert!(matches!(classify(&answer(reply(429))), Sent::Throttled(_)));
        assert!(matches!(
            classify(&answer(Err(TransportError::Timeout(5)))),
            Sent::Unknown(_)
        ));
    }

    #[test]
    fn a_success_that_is_not_the_platforms_json_is_named_for_what_it_is() {
        let page = "<html><head><title>Sign in</title></head><body>\u{1b}]0;x</body></html>";
        let cases = [
            (
                Some("text/html"),
                page,
                "HTTP 200 with content type text/html: an HTML page titled \"Sign in\"",
            ),
            (
                Some("application/json"),
                page,
                "HTTP 200 with content type application/json: an HTML page titled \"Sign in\"",
            ),
            (None, "{}", "HTTP 200 with no content type: {}"),
            (
                Some("text/plain"),
                "OK",
                "HTTP 200 with content type text/plain: OK",
            ),
        ];
        for (content_type, body, want) in cases {
            let reply = Reply::new(
                200,
                content_type.map(str::to_string),
                body.as_bytes().to_vec(),
            );
            assert_eq!(
                classify(&answer(Ok(reply))),
                Sent::NotPlatform(want.to_string()),
                "{content_type:?} {body}"
            );
        }
    }
}
