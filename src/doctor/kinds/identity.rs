//! Kind `identity`: who the token belongs to (Connected App or user) and the
//! organization that owns it, from GET /accounts/api/me.

use super::probe::{reply, unexpected_status, unreadable};
use crate::doctor::context::{Identity, Recorder, RunContext, TokenKind, Verdict};
use crate::platform::models::Me;
use crate::platform::{Request, paths};
use crate::report::Status;
use crate::settings::{Credentials, mask_id};

pub async fn run(ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let answer = recorder.fetch(Request::get(paths::ME)).await;
    let verdict = match reply(&answer) {
        Err(verdict) => verdict,
        Ok(reply) => match reply.status {
            200 => match reply.json::<Me>() {
                Ok(me) => learn(ctx, me).unwrap_or_else(|| {
                    unreadable(&answer, "neither a `client` nor a `user` with an organization id")
                }),
                Err(reason) => unreadable(&answer, &reason),
            },
            401 | 403 => Verdict::new(
                Status::Fail,
                format!(
                    "the token was refused (HTTP {}: {}): expired, revoked, or issued by another control plane",
                    reply.status,
                    reply.platform_message()
                ),
            )
            .fix("Get a fresh token on the control plane the app belongs to (--host / --region); with ANYPOINT_BEARER, check the token is current."),
            _ => unexpected_status(&answer, reply),
        },
    };
    verdict.with_evidence(recorder)
}

fn learn(ctx: &RunContext, me: Me) -> Option<Verdict> {
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
            Verdict::new(Status::Pass, summary),
        )
    } else {
        let user = me.user?;
        let org_id = user.organization.map(|o| o.id).or(user.organization_id)?;
        let username = user.username.unwrap_or_else(|| "(unknown)".into());
        let reads_app = matches!(
            &ctx.settings.credentials,
            Credentials::Bearer {
                client_id: Some(_),
                ..
            }
        );
        let verdict = if reads_app {
            Verdict::new(
                Status::Pass,
                format!(
                    "user token of \"{username}\" in org {org_id}: used to read the granted scopes of the given client id"
                ),
            )
        } else {
            Verdict::new(
                Status::Warn,
                format!("the token belongs to user \"{username}\", not a Connected App: scope verdicts describe the user's permissions"),
            )
            .fix("Give the Connected App's credentials (ANYPOINT_CLIENT_ID, ANYPOINT_CLIENT_SECRET), or add --client-id so an admin token reads that app's granted scopes.")
        };
        (
            Identity {
                org_id,
                kind: TokenKind::User {
                    username: Some(username),
                },
            },
            verdict,
        )
    };
    let _ = ctx.facts.identity.set(identity);
    Some(verdict)
}
