//! The paging of the app's granted scopes: read once per run, every page,
//! by the short path or the org-scoped one, and shared by every scope check.

use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::Grants;
use crate::doctor::kinds::probe;
use crate::platform::models::{ScopeGrant, ScopeGrantList};
use crate::platform::paging::{Bounds, End, Page, Pager};
use crate::platform::{Evidence, Platform, Request, paths};

// The method lives here, not with the rest of `RunContext`, so that the run's
// context does not import the probe that reads an answer.
impl RunContext {
    /// The app's granted scopes, every page, read once per run and shared by
    /// every scope check.
    pub async fn grants(&self, recorder: &mut Recorder<'_>) -> Grants {
        let (grants, evidence) = self
            .facts
            .grants
            .get_or_init(|| async {
                let Some(client_id) = self.subject_client_id() else {
                    return (
                        Grants::Unreadable("no client id is known for the token".into()),
                        Vec::new(),
                    );
                };
                let mut evidence = Vec::new();
                let mut refusal = String::new();
                // The short path first; with an admin's token, then the
                // org-scoped one (reference §4.5, §11.4) with the app's org (the
                // identity's), known whichever check asks first. An app's own
                // token reads neither (§11.6): one refusal says so.
                let mut bases = vec![paths::connected_app_scopes(&client_id)];
                let admin = self.settings.admin_bearer.is_some();
                if self.reads_grants_as_admin() {
                    bases.extend(
                        self.facts
                            .identity
                            .get()
                            .map(|i| paths::org_connected_app_scopes(&i.org_id, &client_id)),
                    );
                }
                for base in bases {
                    match read_every_page(&self.platform, &base, admin, &mut evidence).await {
                        Ok(grants) => return (Grants::Readable(grants), evidence),
                        Err(Unread::Refused(why)) => refusal = why,
                        Err(Unread::Broken(why)) => return (Grants::Unreadable(why), evidence),
                    }
                }
                (Grants::Unreadable(refusal), evidence)
            })
            .await;
        recorder.evidence.extend(evidence.iter().cloned());
        grants.clone()
    }
}

/// Why the granted scopes were not read: refused (try another path), or
/// broken (an answer that cannot be trusted: stop).
enum Unread {
    Refused(String),
    Broken(String),
}

/// The most scopes an app may hold is 1,000 (reference §4.5); a page of 500
/// is what MuleSoft's Terraform provider asks for (§11.4). A scope grant is
/// about 100 bytes of JSON: ten times the most, read whole, is under 8 MiB.
const SCOPE_PAGE: usize = 500;
const SCOPE_BOUNDS: Bounds = Bounds {
    pages: 20,
    items: 10_000,
    bytes: 8 * 1024 * 1024,
};

/// Every page of a granted-scope list, `offset`/`limit` until `total`,
/// within `SCOPE_BOUNDS`.
async fn read_every_page(
    platform: &Platform,
    base: &str,
    as_admin: bool,
    evidence: &mut Vec<Evidence>,
) -> Result<Vec<ScopeGrant>, Unread> {
    // Without a total, a short page is the last one.
    let mut pager = Pager::new(SCOPE_BOUNDS).short_page_ends(SCOPE_PAGE);
    while let Some(offset) = pager.next_offset() {
        let path = format!("{base}?offset={offset}&limit={SCOPE_PAGE}");
        let request = if as_admin {
            Request::get_as_admin(path)
        } else {
            Request::get(path)
        };
        let answer = platform.fetch(request).await;
        evidence.push(answer.evidence.clone());
        let reply = probe::reply(&answer).map_err(|verdict| {
            Unread::Broken(format!("reading them failed: {}", verdict.summary))
        })?;
        if !reply.is_success() {
            let expected = if as_admin {
                "with the org admin's token given"
            } else {
                "as expected unless the token is an org admin's"
            };
            return Err(Unread::Refused(format!(
                "reading them answered HTTP {} ({}), {expected}",
                reply.status,
                reply.platform_message()
            )));
        }
        let page: ScopeGrantList = reply
            .json()
            .map_err(|reason| Unread::Broken(format!("the list could not be read: {reason}")))?;
        pager.take(Page {
            entries: page.data.len(),
            items: page.data,
            total: page.total,
            bytes: reply.body.len(),
        });
    }
    match pager.finish() {
        (grants, End::Complete) => Ok(grants),
        (grants, End::ShortOfTotal { total }) => Err(Unread::Broken(format!(
            "the list stopped at {} of {total} scopes",
            grants.len()
        ))),
        (_, End::Cut(cut)) => Err(Unread::Broken(format!(
            "the list did not end: {}",
            cut.describe("scopes")
        ))),
    }
}
