//! Kind `net-dns`: the first hop's name resolves (the platform's host, or
//! the proxy's when one applies: the proxy then resolves the host itself).

use crate::doctor::codes::Reason;
use crate::doctor::context::RunContext;
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::net::{self, Endpoint};
use crate::platform::proxy::{ProxyChoice, mask_credentials};

/// Addresses shown in a summary; more are counted, not listed.
const SHOWN: usize = 4;

pub async fn run(ctx: &RunContext) -> Verdict {
    let proxy = ctx.proxy_choice();
    let target = Endpoint::of(ctx.platform.base_url());
    let hop = Endpoint::first_hop(ctx.platform.base_url(), &proxy);
    let (what, note) = match &proxy {
        ProxyChoice::Via { proxy, variable } => (
            format!("the proxy {} (from {variable})", hop.host),
            format!(
                "; the proxy {} resolves {} itself",
                mask_credentials(proxy.as_str()),
                target.host
            ),
        ),
        _ => (hop.host.clone(), String::new()),
    };
    if hop.is_ip_literal() {
        if let Ok(ip) = hop.host.parse() {
            let _ = ctx
                .facts
                .addresses
                .set(vec![std::net::SocketAddr::new(ip, hop.port)]);
        }
        return Verdict::new(
            Reason::DnsResolved,
            Status::Pass,
            format!("{what} is an IP address: no lookup needed{note}"),
        );
    }
    match net::resolve(&hop, ctx.step_limit()).await {
        Ok(addresses) if !addresses.is_empty() => {
            let mut ips: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
            ips.dedup();
            let more = ips.len().saturating_sub(SHOWN);
            ips.truncate(SHOWN);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let _ = ctx.facts.addresses.set(addresses);
            Verdict::new(
                Reason::DnsResolved,
                Status::Pass,
                format!("{what} resolves to {}{more}{note}", ips.join(", ")),
            )
        }
        Ok(_) => unresolved(&what, &proxy, "the lookup returned no address"),
        Err(reason) => unresolved(&what, &proxy, &reason.to_string()),
    }
}

fn unresolved(what: &str, proxy: &ProxyChoice, reason: &str) -> Verdict {
    let fix = match proxy {
        ProxyChoice::Via { variable, .. } => format!(
            "Check the proxy host in {variable} (ask IT for the right proxy), and this machine's DNS and VPN."
        ),
        _ => "Check the host name (--host, ANYPOINT_HOST, or --region for MuleSoft's control planes), and this machine's DNS and VPN: `nslookup` the host should answer.".into(),
    };
    Verdict::new(
        Reason::DnsUnresolved,
        Status::Error,
        format!("{what} does not resolve: {reason}"),
    )
    .fix(fix)
}
