//! Kind `token`: asks for an access token with the client credentials, or
//! takes the bearer token given, and hands it to the platform client.

use reqwest::Method;

use super::probe::{reply, unexpected_status, unreadable};
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::control_plane::{CONTROL_PLANES, control_plane_of};
use crate::platform::models::TokenResponse;
use crate::platform::proxy::{ProxyChoice, mask_credentials};
use crate::platform::{Answer, Auth, Reply, Request, paths};
use crate::settings::{Credentials, mask_id};

pub async fn run(ctx: &RunContext) -> Verdict {
    let (client_id, client_secret) = match &ctx.settings.credentials {
        Credentials::Bearer {
            token,
            secret_set_aside,
            ..
        } => {
            ctx.platform.set_token(token.value.clone());
            let overrides = secret_set_aside
                .as_ref()
                .map(|secret| {
                    format!(", which overrides the client credentials ({secret} is set too)")
                })
                .unwrap_or_default();
            return Verdict::new(
                Reason::TokenGiven,
                Status::Skip,
                format!(
                    "not requested: using the bearer token from {}{overrides}",
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
    let request = Request {
        method: Method::POST,
        path: paths::TOKEN.into(),
        body: Some(body.to_string()),
        auth: Auth::Anonymous,
        may_create: false,
        purpose: crate::har::Purpose::Probe,
    };
    let asked_at = ctx.platform.now_ms();
    let answer = recorder.send(request.clone()).await;
    let verdict = match reply(&answer) {
        Err(verdict) => verdict,
        Ok(reply) => match reply.status {
            200..=299 => match reply.json::<TokenResponse>() {
                Ok(token) if !token.access_token.is_empty() => {
                    ctx.platform.set_token(token.access_token);
                    ctx.platform.token_lifetime(asked_at, token.expires_in);
                    ctx.platform.set_token_source(request.clone());
                    let expiry = token
                        .expires_in
                        .map(|s| format!(", expires in {s} s"))
                        .unwrap_or_default();
                    Verdict::new(
                        Reason::TokenIssued,
                        Status::Pass,
                        format!("token issued for client {}{expiry}", mask_id(&client_id.value)),
                    )
                }
                Ok(_) => unreadable(&answer, &"the token is empty"),
                Err(reason) => unreadable(&answer, &reason),
            },
            400 | 401 | 403 if !from_the_platform(&answer, reply) => {
                refused_on_the_way(ctx, reply)
            }
            400 | 401 | 403 => refused(ctx, &client_id.value, reply),
            404 => Verdict::new(
                Reason::NoTokenEndpoint,
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
    let refused = matches!(answer.status(), Some(400 | 401 | 403));
    let verdict = if refused && ctx.options.probe_regions {
        let (found, fix) = probe_other_planes(ctx, &request, &mut recorder).await;
        Verdict {
            summary: format!("{}.{found}", verdict.summary),
            remediation: fix.or(verdict.remediation.clone()),
            ..verdict
        }
    } else {
        verdict
    };
    verdict.with_evidence(recorder.evidence)
}

/// Whether a refusal carries the platform's marks: its transaction or
/// request id header, or an OAuth error body. A proxy's or an egress
/// filter's own 403 has neither.
fn from_the_platform(answer: &Answer, reply: &Reply) -> bool {
    answer.evidence.trx_id.is_some()
        || answer.evidence.request_id.is_some()
        || reply
            .json::<serde_json::Value>()
            .is_ok_and(|body| body.get("error").is_some() || body.get("message").is_some())
}

/// A refusal from something between the doctor and the platform: the
/// credentials were never judged, so it must not read as if they were.
fn refused_on_the_way(ctx: &RunContext, reply: &Reply) -> Verdict {
    let who = match ctx.proxy_choice() {
        ProxyChoice::Via { proxy, variable } => format!(
            "the proxy {} (from {variable})",
            mask_credentials(proxy.as_str())
        ),
        _ => "something on the network path (a firewall, an egress filter or a TLS-inspecting gateway)".into(),
    };
    Verdict::new(
        Reason::NetIntercepted,
        Status::Error,
        format!(
            "HTTP {} to the token request did not come from the platform (no x-anypnt-trx-id or x-request-id header, no OAuth error body; it said: {}): {who} answered, and the credentials were not judged",
            reply.status,
            reply.excerpt()
        ),
    )
    .fix(format!(
        "Ask whoever runs that proxy or filter to let the doctor reach {}, then check again; the client id and secret may well be right.",
        ctx.platform.base_url().host_str().unwrap_or_default()
    ))
}

/// The token endpoint's refusal, by cause: the OAuth `error` code says
/// whether the credentials or the app's type is wrong.
fn refused(ctx: &RunContext, client_id: &str, reply: &Reply) -> Verdict {
    let code = reply
        .json::<serde_json::Value>()
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string));
    let what = format!(
        "the platform refused the client credentials of {} (HTTP {}: {})",
        mask_id(client_id),
        reply.status,
        reply.platform_message()
    );
    match code.as_deref() {
        // RFC 6749 §5.2: the client is known but may not use this grant type;
        // an app that acts on behalf of a user has no client_credentials grant
        // (reference §11.11).
        Some("unauthorized_client" | "unsupported_grant_type" | "invalid_grant") => Verdict::new(
            Reason::WrongGrant,
            Status::Fail,
            format!(
                "the app may not use the client_credentials grant (HTTP {}: {}): it is probably of type \"App acts on behalf of a user\"",
                reply.status,
                reply.platform_message()
            ),
        )
        .fix("Access Management > Connected Apps: create the app as \"App acts on its own behalf (client credentials)\" (the type cannot be changed afterwards), grant it the scopes, and use its id and secret."),
        Some("invalid_client") => Verdict::new(Reason::CredentialsRefused, Status::Fail, what).fix(format!(
            "Check the client id and secret (Access Management > Connected Apps; reset the secret if unsure). {}",
            control_plane_hint(ctx)
        )),
        _ => Verdict::new(Reason::CredentialsRefused, Status::Fail, what).fix(format!(
            "Check the client id and secret (Access Management > Connected Apps; reset the secret if unsure) and that the app type is \"App acts on its own behalf (client credentials)\". {}",
            control_plane_hint(ctx)
        )),
    }
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
    let probe = "; or add --probe-regions to let the doctor try them";
    match control_plane_of(&host) {
        Some((region, name)) => {
            let others: Vec<&str> = CONTROL_PLANES
                .iter()
                .filter(|(r, _, _)| *r != region)
                .map(|(r, _, _)| r.flag())
                .collect();
            format!(
                "This is the {name} control plane ({host}): an app created in another control plane is refused exactly here; pick its plane with --region {}{probe}.",
                others.join("|")
            )
        }
        // --probe-regions asks the other planes only from one of them.
        None => format!(
            "{host} is not a MuleSoft control plane host: if the app lives on the real platform, use --region us|eu|gov|ca|jp."
        ),
    }
}

/// `--probe-regions`: the same token request on every other control plane
/// (MuleSoft's own hosts only), to say where the app lives.
async fn probe_other_planes(
    ctx: &RunContext,
    request: &Request,
    recorder: &mut Recorder<'_>,
) -> (String, Option<String>) {
    let current = ctx
        .platform
        .base_url()
        .host_str()
        .unwrap_or_default()
        .to_string();
    let host = current;
    let current = control_plane_of(&host).map(|(region, _)| region);
    let stand_ins = &ctx.settings.other_planes;
    // The credentials go to the other MuleSoft planes only from one of them:
    // from any other host (a local server, a typo) they would leak to hosts
    // the user never named, and prove nothing about where the app lives.
    if current.is_none() && stand_ins.is_empty() {
        return (
            format!(
                " --probe-regions asked no other control plane: {host} is not a MuleSoft control plane, so the credentials were sent nowhere else."
            ),
            None,
        );
    }
    let mut accepted = Vec::new();
    let mut unanswered = Vec::new();
    for (region, name, host) in CONTROL_PLANES
        .iter()
        .filter(|(r, _, _)| Some(*r) != current)
    {
        // A stand-in (the simulator playing that plane), else the plane's own host.
        let url = if stand_ins.is_empty() {
            format!("https://{host}{}", paths::TOKEN)
        } else {
            match stand_ins.iter().find(|(r, _)| r == region) {
                Some((_, base)) => {
                    format!("{}{}", base.as_str().trim_end_matches('/'), paths::TOKEN)
                }
                None => continue,
            }
        };
        let answer = recorder.send_once_to(url, request.clone()).await;
        match answer.status() {
            Some(200) => accepted.push(format!("{name} (--region {})", region.flag())),
            Some(400 | 401 | 403) => {}
            _ => unanswered.push(*name),
        }
    }
    let unanswered = if unanswered.is_empty() {
        String::new()
    } else {
        format!(" ({} did not answer)", unanswered.join(", "))
    };
    match accepted.as_slice() {
        [] => (
            format!(
                " The other control planes refused these credentials too{unanswered}: the id or secret is wrong."
            ),
            None,
        ),
        found => (
            format!(
                " The credentials work on {}{unanswered}: the app was created there.",
                found.join(", ")
            ),
            Some(format!(
                "Run against the control plane the app lives in: {}.",
                found.join(" or ")
            )),
        ),
    }
}
