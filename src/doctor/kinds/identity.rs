//! Kind `identity`: who the token belongs to (Connected App or user) and the
//! organization that owns it, from GET /accounts/api/me.

use super::probe::{SideRead, reply, unexpected_status, unreadable};
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::{Identity, TokenKind};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::models::{ConnectedAppInfo, Me};
use crate::platform::{Request, paths};
use crate::settings::{Credentials, Source, mask_id};

pub async fn run(ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    read_ahead(ctx);
    let answer = recorder.fetch(Request::get(paths::ME)).await;
    let verdict = match reply(&answer) {
        Err(verdict) => verdict,
        Ok(reply) => match reply.status {
            200 => match reply.json::<Me>() {
                Ok(me) => {
                    // An admin reading an app's scopes: the app's org is the one to check.
                    let app = if me.client.is_none() && ctx.reads_an_app() {
                        Some(app_of(ctx, &mut recorder).await)
                    } else {
                        None
                    };
                    learn(ctx, me, app).unwrap_or_else(|| {
                        unreadable(
                            &answer,
                            &"neither a `client` nor a `user` with an organization id",
                        )
                    })
                }
                Err(reason) => unreadable(&answer, &reason),
            },
            401 | 403 => refused(ctx, reply.status, &reply.platform_message()),
            _ => unexpected_status(&answer, reply),
        },
    };
    verdict.with_evidence(recorder.evidence)
}

/// The run's token refused outright. A ready-made token given beside the
/// client credentials overrides them, so the fix that works is to unset it,
/// not to check credentials the run never used.
fn refused(ctx: &RunContext, status: u16, message: &str) -> Verdict {
    let summary = format!(
        "the token was refused (HTTP {status}: {message}): expired, revoked, or issued by another control plane"
    );
    match &ctx.settings.credentials {
        Credentials::Bearer {
            token,
            secret_set_aside: Some(secret),
            ..
        } => {
            let drop_it = match &token.source {
                Source::Env(var) => format!("`unset {var}`"),
                other => format!("drop {other}"),
            };
            Verdict::new(
                Reason::TokenRefused,
                Status::Fail,
                format!("{summary}; the token from {} overrides the client credentials ({secret} is set too)", token.source),
            )
            .fix(format!(
                "{} overrides the client credentials: {drop_it} to sign in with the client id and secret, or give a current token.",
                token.source
            ))
        }
        _ => Verdict::new(Reason::TokenRefused, Status::Fail, summary)
            .fix("Get a fresh token on the control plane the app belongs to (--host / --region); with ANYPOINT_BEARER, check the token is current."),
    }
}

/// Started beside `/me` when `--org` names an organization by id (and
/// `org.structure` is among the checks): its record, hierarchy and
/// environments, so that `org.structure` and `org.environments` find the
/// answers in the run's cache a round trip sooner. When the id is the app's
/// own org (the usual `ANYPOINT_ORG`) all three are read anyway; when it is
/// a business group, its hierarchy is a read the run does not use, and when
/// `/me` is refused, so are these three.
fn read_ahead(ctx: &RunContext) {
    let Some(org) = ctx
        .settings
        .org
        .as_ref()
        .filter(|o| super::org_structure::looks_like_id(&o.value))
        .filter(|_| ctx.will_run("org.structure"))
    else {
        return;
    };
    let reads = [
        Request::get(paths::organization(&org.value)),
        Request::get(paths::hierarchy(&org.value)),
        Request::get(paths::environments(&org.value)),
    ];
    let platform = std::sync::Arc::clone(&ctx.platform);
    tokio::spawn(async move {
        futures::future::join_all(reads.into_iter().map(|r| platform.fetch(r))).await;
    });
}

/// The app an admin's token reads: its org and name, or why they are unknown.
async fn app_of(
    ctx: &RunContext,
    recorder: &mut Recorder<'_>,
) -> Result<(String, Option<String>), SideRead> {
    let client_id = ctx
        .subject_client_id()
        .ok_or(SideRead::Lacking("no client id"))?;
    let answer = recorder
        .fetch(Request::get(paths::connected_app(&client_id)))
        .await;
    let reply = reply(&answer).map_err(|v| SideRead::NoAnswer(v.summary))?;
    if !reply.is_success() {
        return Err(SideRead::Refused {
            what: "reading it answered ",
            status: reply.status,
            message: Some(reply.platform_message()),
        });
    }
    let app: ConnectedAppInfo = reply.json()?;
    app.org_id
        .or(app.owner_org_id)
        .map(|org| (org, app.client_name))
        .ok_or(SideRead::Lacking("its answer names no org"))
}

fn learn(
    ctx: &RunContext,
    me: Me,
    app: Option<Result<(String, Option<String>), SideRead>>,
) -> Option<Verdict> {
    let (identity, verdict) = if let Some(client) = me.client {
        let name = client.name.clone().unwrap_or_else(|| "(unnamed)".into());
        let summary = format!(
            "Connected App \"{name}\" (client {}) in org {}",
            mask_id(&client.client_id),
            client.org_id
        );
        (
            Identity {
                org_id: client.org_id,
                kind: TokenKind::ConnectedApp {
                    client_id: client.client_id,
                    name: client.name,
                },
            },
            Verdict::new(Reason::IdentityApp, Status::Pass, summary),
        )
    } else {
        let user = me.user?;
        let org_id = user.organization.map(|o| o.id).or(user.organization_id)?;
        let username = user.username.unwrap_or_else(|| "(unknown)".into());
        let mut app_name = None;
        let mut checked_org = org_id.clone();
        let verdict = if let Some(app) = app {
            let (about, unread) = match app {
                Ok((app_org, name)) => {
                    let about = format!(
                        "Connected App \"{}\" of org {app_org}",
                        name.as_deref().unwrap_or("(unnamed)")
                    );
                    checked_org = app_org;
                    app_name = name;
                    (about, false)
                }
                Err(why) => (
                    format!(
                        "the given client id (its org could not be read: {why}; checking org {org_id}, --org picks another)"
                    ),
                    true,
                ),
            };
            let summary = format!(
                "user token of \"{username}\" in org {org_id}: reads the granted scopes of {about}"
            );
            if unread {
                // The org checked is a guess: the user's, not the app's it could not read.
                Verdict::new(Reason::IdentityAdmin, Status::Warn, summary).fix(
                    "Check the client id given with --client-id and that the token is an Organization Administrator's of the app's org, or name the app's org with --org.",
                )
            } else {
                Verdict::new(Reason::IdentityAdmin, Status::Pass, summary)
            }
        } else {
            Verdict::new(
                Reason::IdentityUser,
                Status::Warn,
                format!("the token belongs to user \"{username}\", not a Connected App: scope verdicts describe the user's permissions"),
            )
            .fix("Give the Connected App's credentials (ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET), or add --client-id so an admin token reads that app's granted scopes.")
        };
        (
            Identity {
                org_id: checked_org,
                kind: TokenKind::User {
                    username: Some(username),
                    app_name,
                },
            },
            verdict,
        )
    };
    let _ = ctx.facts.identity.set(identity);
    Some(verdict)
}
