//! Kind `net-tcp`: a TCP connection to the first hop (the platform's host
//! and port, or the proxy's) opens within a bounded time, and how fast.

use crate::doctor::codes::Reason;
use crate::doctor::context::RunContext;
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::net::{self, Endpoint};
use crate::platform::proxy::ProxyChoice;

pub async fn run(ctx: &RunContext) -> Verdict {
    let proxy = ctx.proxy_choice();
    let hop = Endpoint::first_hop(ctx.platform.base_url(), &proxy);
    let what = match &proxy {
        ProxyChoice::Via { variable, .. } => format!("the proxy {hop} (from {variable})"),
        _ => hop.to_string(),
    };
    // net.dns normally resolved it; when that check was not chosen, resolve here.
    let addresses = match ctx.facts.addresses.get() {
        Some(addresses) => addresses.clone(),
        None => match net::resolve(&hop, ctx.step_limit()).await {
            Ok(addresses) => addresses,
            Err(reason) => {
                return Verdict::new(
                    Reason::DnsUnresolved,
                    Status::Error,
                    format!("{what} does not resolve: {reason}"),
                );
            }
        },
    };
    match net::connect(&addresses, ctx.step_limit()).await {
        Ok((address, took)) => {
            // An address is worth naming only when the hop was a name.
            let at = if hop.is_ip_literal() {
                String::new()
            } else {
                format!(" at {address}")
            };
            Verdict::new(
                Reason::TcpConnected,
                Status::Pass,
                format!("connected to {what}{at} in {} ms", took.as_millis()),
            )
        }
        Err(reason) => Verdict::new(
            Reason::TcpUnreachable,
            Status::Error,
            format!("cannot open a TCP connection to {what}: {reason}"),
        )
        .fix(match &proxy {
            ProxyChoice::Via { variable, .. } => format!(
                "Check the proxy's port in {variable}, and that the proxy is up and reachable from this machine."
            ),
            _ => format!(
                "Check that {hop} is reachable from this machine: firewall, VPN, or a corporate network that only allows a proxy (then set HTTPS_PROXY)."
            ),
        }),
    }
}
