//! Kind `net-proxy`: which proxy the platform's URL goes through, and which
//! variable decided it, exactly as the HTTP client will use it.

use crate::doctor::codes::Reason;
use crate::doctor::context::RunContext;
use crate::doctor::outcome::Status;
use crate::doctor::verdict::Verdict;
use crate::platform::net::Endpoint;
use crate::platform::proxy::{ProxyChoice, mask_credentials};

pub fn run(ctx: &RunContext) -> Verdict {
    let target = Endpoint::of(ctx.platform.base_url());
    match ctx.proxy_choice() {
        ProxyChoice::Direct => Verdict::new(
            Reason::ProxyDirect,
            Status::Pass,
            format!(
                "no proxy for {}: none of HTTPS_PROXY, HTTP_PROXY, ALL_PROXY (or their lowercase forms) applies; connecting directly to {target}",
                ctx.platform.base_url().scheme()
            ),
        ),
        ProxyChoice::Exempt { variable, entry } => Verdict::new(
            Reason::ProxyDirect,
            Status::Pass,
            format!(
                "no proxy: {entry:?} in {variable} exempts {}; connecting directly to {target}",
                target.host
            ),
        ),
        ProxyChoice::Via { proxy, variable } => Verdict::new(
            Reason::ProxyVia,
            Status::Pass,
            format!(
                "via the proxy {} (from {variable}) to {target}",
                mask_credentials(proxy.as_str())
            ),
        ),
        ProxyChoice::Invalid { variable, reason } => Verdict::new(
            Reason::ProxyInvalid,
            Status::Error,
            format!("{variable} is not a usable proxy URL: {reason}"),
        )
        .fix(format!(
            "Set {variable} to a URL such as http://proxy.example.com:3128 (with http://USER:PASSWORD@… if the proxy asks for credentials), or unset it."
        )),
    }
}
