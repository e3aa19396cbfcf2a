//! Kind `net-tls`: the TLS handshake, made by the same HTTP client as every
//! other call (an unauthenticated GET of the base URL; any HTTP status
//! answers), whose answer carries the certificate. When the chain does not verify, a second handshake that trusts
//! anything reads who issued it: an unknown private CA is most often a
//! corporate proxy inspecting TLS, which `--ca-file` makes trusted.

use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::net::{self, CertNames, Endpoint, NetError};
use crate::platform::proxy::{ProxyChoice, mask_credentials};
use crate::platform::{Answer, TransportError};

pub async fn run(ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let answer = recorder.fetch(RunContext::reach_request()).await;
    let verdict = judge(ctx, &answer, &mut recorder).await;
    verdict.with_evidence(recorder.evidence)
}

async fn judge(ctx: &RunContext, answer: &Answer, recorder: &mut Recorder<'_>) -> Verdict {
    let base = ctx.platform.base_url();
    let https = base.scheme() == "https";
    let proxy = ctx.proxy_choice();
    let error = match &answer.result {
        Ok(reply) if reply.status == 407 => return proxy_credentials(&proxy),
        Ok(_) if !https => {
            return Verdict::new(
                Reason::TlsPlainHttp,
                Status::Skip,
                // Information, not a problem: any status proved the server is there.
                format!(
                    "not applicable: {} is plain http, without TLS (the server is there: it answered)",
                    answer.evidence.url
                ),
            );
        }
        Ok(reply) => {
            // The answer carries the certificate it came with; only without
            // it is a second handshake made to read it.
            let names = match &reply.peer_certificate {
                Some(leaf) => Ok(net::names(std::slice::from_ref(leaf))),
                None => chain(ctx, &proxy).await,
            };
            let issuer = match names {
                Ok(names) => names
                    .first()
                    .map(|leaf| format!("; the certificate is issued by {}", leaf.issuer))
                    .unwrap_or_default(),
                Err(_) => String::new(),
            };
            return Verdict::new(
                Reason::TlsVerified,
                Status::Pass,
                format!(
                    "TLS handshake with {} verified (the server answered HTTP {}){issuer}",
                    Endpoint::of(base),
                    reply.status
                ),
            );
        }
        Err(error) => error,
    };
    let detail = error.to_string();
    let lower = detail.to_ascii_lowercase();
    if lower.contains("407") || lower.contains("proxy auth") {
        return proxy_credentials(&proxy);
    }
    if https && lower.contains("certificate") {
        return untrusted(ctx, &proxy, &detail).await;
    }
    // rustls's word for a first record that is not TLS: what a plain-HTTP
    // server's "HTTP/1.1 400" looks like to a TLS client.
    if https && (lower.contains("invalidcontenttype") || lower.contains("corrupt message")) {
        return not_tls(ctx, &mut *recorder, &detail).await;
    }
    let (reason, fix) = match error {
        TransportError::Timeout(_) => (
            Reason::NetTimeout,
            "The host accepted a connection but did not answer in time: check the proxy settings (HTTPS_PROXY), raise --timeout, or try again.",
        ),
        _ => (
            Reason::NetUnreachable,
            "Check the host (--host, --region), the proxy settings (HTTPS_PROXY, NO_PROXY), and that nothing between this machine and the platform closes the connection.",
        ),
    };
    Verdict::new(
        reason,
        Status::Error,
        format!("no HTTP answer from {}: {detail}", answer.evidence.url),
    )
    .fix(fix)
}

/// The server's first bytes were not TLS. One anonymous `GET /` over plain
/// http to the same host and port (no token, no secret) tells whether it is
/// a plain-HTTP server, so the fix can say which URL to use.
async fn not_tls(ctx: &RunContext, recorder: &mut Recorder<'_>, detail: &str) -> Verdict {
    let base = ctx.platform.base_url();
    let target = Endpoint::of(base);
    let mut plain = base.clone();
    let port = base.port_or_known_default();
    let plain = match plain.set_scheme("http").and_then(|()| plain.set_port(port)) {
        Ok(()) => plain,
        Err(()) => {
            return Verdict::new(
                Reason::NetUnreachable,
                Status::Error,
                format!("{target} does not speak TLS: {detail}"),
            )
            .fix("Check the scheme and port of --host: https needs a port that serves TLS.");
        }
    };
    let url = plain.as_str().trim_end_matches('/').to_string();
    let answer = ctx
        .platform
        .send_once_to(format!("{url}/"), &RunContext::reach_request())
        .await;
    recorder.evidence.push(answer.evidence.clone());
    match answer.status() {
        Some(status) => Verdict::new(
            Reason::TlsServerSpeaksHttp,
            Status::Error,
            format!(
                "{target} speaks plain HTTP, not TLS: https got no TLS handshake, and a plain http GET / was answered HTTP {status}"
            ),
        )
        .fix(format!(
            "Use --host {url} (plain http is sent only to loopback, or with --allow-insecure-http), or the port that serves https."
        )),
        None => Verdict::new(
            Reason::NetUnreachable,
            Status::Error,
            format!("{target} does not speak TLS (its first answer was not a TLS record: {detail})"),
        )
        .fix("Check the scheme and port of --host: https needs a port that serves TLS; a proxy (HTTPS_PROXY) that is not one can answer like this too."),
    }
}

async fn chain(ctx: &RunContext, proxy: &ProxyChoice) -> Result<Vec<CertNames>, NetError> {
    let target = Endpoint::of(ctx.platform.base_url());
    net::presented_chain(&target, proxy, ctx.step_limit())
        .await
        .map(|chain| net::names(&chain))
}

/// The chain did not verify: say who issued it and what that usually means.
async fn untrusted(ctx: &RunContext, proxy: &ProxyChoice, detail: &str) -> Verdict {
    let target = Endpoint::of(ctx.platform.base_url());
    if detail.contains("UnsupportedSignatureAlgorithm") {
        // Not a question of trust: `--ca-file` would not help.
        return Verdict::new(
            Reason::TlsUntrusted,
            Status::Error,
            format!(
                "the certificate of {target} is signed with an algorithm the doctor cannot verify ({detail}): its TLS (rustls over ring) verifies RSA, ECDSA on P-256 and P-384 with SHA-256 or SHA-384, and Ed25519, not ECDSA on P-521 or with SHA-512"
            ),
        )
        .fix("If a corporate proxy inspects TLS, ask IT whether its CA can sign with RSA or ECDSA P-256/P-384; trusting its root with --ca-file does not change the algorithm.");
    }
    let names = match chain(ctx, proxy).await {
        Ok(names) if !names.is_empty() => names,
        Ok(_) | Err(_) => {
            return Verdict::new(
                Reason::TlsUntrusted,
                Status::Error,
                format!("the certificate of {target} does not verify: {detail}"),
            )
            .fix("If a corporate proxy inspects TLS, get its root CA certificate (PEM) from IT and pass it with --ca-file PATH or SSL_CERT_FILE=PATH.");
        }
    };
    let top = names.last().expect("names is not empty");
    let unknown_issuer = detail.contains("UnknownIssuer") || top.is_self_signed();
    let summary = if unknown_issuer {
        format!(
            "the certificate of {target} does not verify ({detail}): it is issued by \"{}\", a CA this machine does not trust; this is probably TLS inspection by a corporate proxy (or a private CA in front of the platform)",
            top.issuer
        )
    } else {
        format!(
            "the certificate of {target} does not verify ({detail}); it is issued by \"{}\"",
            top.issuer
        )
    };
    let via = match proxy {
        ProxyChoice::Via { proxy, variable } => format!(
            " (traffic goes through {} from {variable})",
            mask_credentials(proxy.as_str())
        ),
        _ => String::new(),
    };
    Verdict::new(Reason::TlsUntrusted, Status::Error, summary).fix(format!(
        "Ask IT for the root CA certificate of \"{}\"{via} as a PEM file, and trust it with --ca-file PATH or SSL_CERT_FILE=PATH; keep certificate verification on.",
        top.issuer
    ))
}

/// A 407 is the proxy asking for its own credentials.
fn proxy_credentials(proxy: &ProxyChoice) -> Verdict {
    let (which, variable) = match proxy {
        ProxyChoice::Via { proxy, variable } => {
            (mask_credentials(proxy.as_str()), variable.to_string())
        }
        _ => (
            "between this machine and the platform".into(),
            "HTTPS_PROXY".into(),
        ),
    };
    Verdict::new(
        Reason::ProxyAuthRequired,
        Status::Error,
        format!(
            "the proxy {which} asks for proxy credentials (HTTP 407 Proxy Authentication Required)"
        ),
    )
    .fix(format!(
        "Put the proxy's user name and password in the proxy URL ({variable}=http://USER:PASSWORD@proxy:port), or ask IT for a proxy exemption for the platform's host."
    ))
}
