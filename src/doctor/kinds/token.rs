//! Kind `token`: asks for an access token with the client credentials, or
//! takes the bearer token given, and hands it to the platform client.

use reqwest::Method;

use super::probe::{reply, unexpected_status, unreadable};
use crate::doctor::context::{Recorder, RunContext, Verdict};
use crate::platform::models::TokenResponse;
use crate::platform::{Request, paths};
use crate::report::Status;
use crate::settings::{Credentials, mask_id};

pub async fn run(ctx: &RunContext) -> Verdict {
    let (client_id, client_secret) = match &ctx.settings.credentials {
        Credentials::Bearer { token, .. } => {
            ctx.platform.set_token(token.value.clone());
            return Verdict::new(
                Status::Skip,
                format!(
                    "not requested: using the bearer token from {}",
                    token.source
                ),
            );
        }
        Credentials::ClientCredentials {
            client_id,
            client_secret,
        } => (client_id, client_secret),
    };
    let body = serde_json::json!({
        "grant_type": "client_credentials",
        "client_id": client_id.value,
        "client_secret": client_secret.value.expose(),
    });
    let mut recorder = Recorder::new(ctx);
    let answer = recorder
        .send(Request {
            method: Method::POST,
            path: paths::TOKEN.into(),
            body: Some(body.to_string()),
            authorized: false,
        })
        .await;
    let verdict = match reply(&answer) {
        Err(verdict) => verdict,
        Ok(reply) => match reply.status {
            200..=299 => match reply.json::<TokenResponse>() {
                Ok(token) if !token.access_token.is_empty() => {
                    ctx.platform.set_token(token.access_token);
                    let expiry = token
                        .expires_in
                        .map(|s| format!(", expires in {s} s"))
                        .unwrap_or_default();
                    Verdict::new(
                        Status::Pass,
                        format!("token issued for client {}{expiry}", mask_id(&client_id.value)),
                    )
                }
                Ok(_) => unreadable(&answer, "the token is empty"),
                Err(reason) => unreadable(&answer, &reason),
            },
            400 | 401 | 403 => Verdict::new(
                Status::Fail,
                format!(
                    "the platform refused the client credentials of {} (HTTP {}: {})",
                    mask_id(&client_id.value),
                    reply.status,
                    reply.platform_message()
                ),
            )
            .fix(format!(
                "Check the client id and secret (Access Management > Connected Apps; reset the secret if unsure) and that the app type is \"App acts on its own behalf (client credentials)\". {}",
                control_plane_hint(ctx)
            )),
            404 => Verdict::new(
                Status::Error,
                format!(
                    "no token endpoint at {} (HTTP 404): is this an Anypoint control plane?",
                    ctx.platform.url(paths::TOKEN)
                ),
            )
            .fix("Point --host at a control plane (anypoint.mulesoft.com, eu1.anypoint.mulesoft.com, …) or use --region."),
            _ => unexpected_status(&answer, reply),
        },
    };
    verdict.with_evidence(recorder)
}

/// Which control plane this is, and how to pick another: an app created in
/// the EU or Gov control plane is refused at the US token endpoint.
fn control_plane_hint(ctx: &RunContext) -> String {
    let host = ctx
        .platform
        .base_url()
        .host_str()
        .unwrap_or_default()
        .to_string();
    let planes = [
        ("anypoint.mulesoft.com", "US", "us"),
        ("eu1.anypoint.mulesoft.com", "EU", "eu"),
        ("eu1.platform.mulesoft.com", "EU", "eu"),
        ("gov.anypoint.mulesoft.com", "US Government", "gov"),
        ("ca1.platform.mulesoft.com", "Canada", "ca"),
        ("jp1.platform.mulesoft.com", "Japan", "jp"),
    ];
    match planes.iter().find(|(h, _, _)| *h == host) {
        Some((_, name, region)) => {
            let others: Vec<&str> = ["us", "eu", "gov", "ca", "jp"]
                .into_iter()
                .filter(|r| r != region)
                .collect();
            format!(
                "This is the {name} control plane ({host}): an app created in another control plane is refused exactly here; pick its plane with --region {}.",
                others.join("|")
            )
        }
        None => format!(
            "{host} is not a MuleSoft control plane host: if the app lives on the real platform, use --region us|eu|gov|ca|jp."
        ),
    }
}
