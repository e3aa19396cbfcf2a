//! Kind `scope`: does the app hold a scope of the catalogue, or can it do
//! what a capability names, where it is needed (no context, an org, the root
//! org, or each selected environment)? Exact from the app's granted scopes,
//! every page, with the catalogue's implications; otherwise inferred from a
//! probe, whose verdict names only what the probe proves.

use std::collections::BTreeSet;

use futures::future::join_all;

use super::probe::{self, Listed, Reading};
use crate::doctor::catalogue::{Capability, Catalogue, Route, Service};
use crate::doctor::codes::Reason;
use crate::doctor::context::{Recorder, RunContext};
use crate::doctor::facts::{Grants, OrgInfo, TokenKind};
use crate::doctor::outcome::MissingScope;
use crate::doctor::outcome::Status;
use crate::doctor::path_vars::PathVars;
use crate::doctor::spec::{Missing, ProbeSpec, ScopeContext, ScopeSpec};
use crate::doctor::verdict::Verdict;
use crate::platform::models::{ApiAssetList, ApiInstance, Environment, ScopeGrant};
use crate::platform::{Request, paths};

/// View APIs Configuration: the scope of the API instance list, which a
/// probe aimed at an instance reads first.
const LIST_INSTANCES: &str = "read:api_configuration";

/// An API instance id no environment has, for a probe with no instance to
/// aim at (only its 403 means something).
const NO_SUCH_INSTANCE: &str = "0";

/// What the check asks for: one scope, or any scope of a capability.
struct Wanted<'a> {
    /// `Manage Contracts (manage:api_contracts)`, or a capability's title.
    label: String,
    /// Scope ids, least privilege first.
    scopes: Vec<String>,
    context: ScopeContext,
    capability: Option<&'a Capability>,
    /// The product it is for, when that limits the environments it is needed in.
    service: Option<Service>,
}

impl<'a> Wanted<'a> {
    fn of(spec: &ScopeSpec, catalogue: &'a Catalogue) -> Option<Wanted<'a>> {
        if let Some(id) = &spec.capability {
            let capability = catalogue.capability(id)?;
            return Some(Wanted {
                label: lowercase_first(&capability.title),
                scopes: capability.any_of.clone(),
                context: capability.context,
                capability: Some(capability),
                service: catalogue.service_of(&capability.any_of),
            });
        }
        let id = spec.scope.as_ref()?;
        let entry = catalogue.scope(id)?;
        Some(Wanted {
            label: catalogue.label(id),
            scopes: vec![id.clone()],
            context: entry.context,
            capability: None,
            service: entry.service,
        })
    }

    /// Every scope that satisfies what is wanted, implications included.
    fn satisfiers(&self, catalogue: &Catalogue) -> BTreeSet<String> {
        catalogue.satisfiers(&self.scopes)
    }

    /// The scope to add when it is missing: the least privilege.
    fn to_add(&self) -> &str {
        &self.scopes[0]
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where the scope is needed: the org (business group) and environment, if any.
struct Place<'a> {
    org: Option<&'a OrgInfo>,
    env: Option<&'a Environment>,
}

impl Place<'_> {
    /// The outcome's `target`: the environment, else the org.
    fn target(&self) -> Option<String> {
        self.env
            .map(|e| e.name.clone())
            .or_else(|| self.org.map(|o| o.name.clone()))
    }

    fn phrase(&self, context: ScopeContext) -> String {
        match (context, self.org, self.env) {
            (_, Some(org), Some(env)) => format!(
                "business group \"{}\" and environment \"{}\"",
                org.name, env.name
            ),
            (ScopeContext::RootOrg, Some(org), None) => {
                format!("the root organization \"{}\"", org.name)
            }
            (_, Some(org), None) => format!("business group \"{}\"", org.name),
            _ => "the app".into(),
        }
    }
}

pub async fn run(check_id: &str, spec: &ScopeSpec, ctx: &RunContext) -> Vec<Verdict> {
    let catalogue = Catalogue::get();
    let Some(wanted) = Wanted::of(spec, catalogue) else {
        // The registry tests make this unreachable for the embedded checks.
        return vec![Verdict::new(
            Reason::SpecInvalid,
            Status::Error,
            "internal error: the check names no scope or capability of the catalogue",
        )];
    };
    if let Some(entry) = spec
        .scope
        .as_deref()
        .and_then(|id| catalogue.scope(id))
        .filter(|e| !e.client_credentials)
    {
        return vec![not_applicable(&entry.id, ctx).await];
    }
    if matches!(
        ctx.facts.identity.get().map(|i| &i.kind),
        Some(TokenKind::User { .. })
    ) && !ctx.exact()
    {
        // A user's token probes the user's permissions, not an app's.
        return vec![
            Verdict::new(
                Reason::IdentityUser,
                Status::Skip,
                "not run: the token is a user's, and no client id names the Connected App whose scopes to check",
            )
            .fix("Give the Connected App's credentials, or add --client-id APP so this (org admin's) token reads that app's granted scopes."),
        ];
    }
    let org_facts = ctx.facts.org.get();
    let org = match wanted.context {
        ScopeContext::None => None,
        ScopeContext::Org | ScopeContext::Env => org_facts.map(|o| &o.org),
        ScopeContext::RootOrg => org_facts.map(|o| &o.root),
    };
    let places: Vec<Place> = if wanted.context == ScopeContext::Env {
        let facts = ctx.facts.environments.get();
        // API Manager's scopes are not needed in a design environment: no
        // verdict there, and none to add (`org.environments` says so once).
        if let Some(verdict) = facts.and_then(|e| e.none_managed(wanted.service)) {
            return vec![verdict];
        }
        let envs = facts
            .map(|e| e.selected_for(wanted.service))
            .unwrap_or_default();
        if envs.is_empty() {
            return vec![Verdict::new(
                Reason::NoEnvironment,
                Status::Skip,
                "not run: no environment to check",
            )];
        }
        envs.into_iter()
            .map(|env| Place {
                org,
                env: Some(env),
            })
            .collect()
    } else {
        vec![Place { org, env: None }]
    };
    let check = Check {
        id: check_id,
        spec,
        wanted: &wanted,
        catalogue,
        ctx,
    };
    join_all(places.iter().map(|place| check.place(place))).await
}

/// One scope check, for the places it fans out to.
struct Check<'a> {
    id: &'a str,
    spec: &'a ScopeSpec,
    wanted: &'a Wanted<'a>,
    catalogue: &'a Catalogue,
    ctx: &'a RunContext,
}

impl Check<'_> {
    async fn place(&self, place: &Place<'_>) -> Verdict {
        let mut recorder = Recorder::new(self.ctx);
        let mut verdict = match self.ctx.grants(&mut recorder).await {
            Grants::Readable(grants) => self.diff(place, &grants),
            // An admin's token proves nothing about the app: no probe with it.
            Grants::Unreadable(why) if self.ctx.exact() => Verdict::new(
                Reason::GrantsUnreadable,
                Status::Error,
                format!(
                    "the app's granted scopes could not be read ({why}); an exact check needs them, and a probe with this token would describe its holder, not the app"
                ),
            )
            .fix("Use a token of an Organization Administrator of the root organization (or of the app's business group), and check the client id given with --client-id."),
            // Exact verdicts were asked for: a probe would quietly answer less.
            Grants::Unreadable(why) if self.ctx.reads_grants_as_admin() => Verdict::new(
                Reason::GrantsUnreadable,
                Status::Error,
                format!("the app's granted scopes could not be read ({why})"),
            )
            .fix("Give a current token of an Organization Administrator of the root organization (or of the app's business group) in ANYPOINT_ADMIN_BEARER, or unset it to judge by probes."),
            Grants::Unreadable(why) => self.probe(place, &why, &mut recorder).await,
        };
        if let Some(target) = place.target() {
            verdict = verdict.target(target);
        }
        // What a probe could not prove, the granted scopes would.
        verdict.settled_by_grants = verdict.status == Status::Warn && verdict.inferred;
        verdict.with_evidence(recorder.evidence)
    }

    /// The best grant covering the place: a confirmed route first.
    fn covering<'g>(
        &self,
        place: &Place<'_>,
        grants: &'g [ScopeGrant],
    ) -> Option<(&'g ScopeGrant, Route)> {
        let mut found: Option<(&ScopeGrant, Route)> = None;
        for grant in grants {
            for wanted in &self.wanted.scopes {
                let Some(route) = self.catalogue.route(&grant.scope, wanted) else {
                    continue;
                };
                if !covers(grant, place, self.wanted.context) {
                    continue;
                }
                let better = found.as_ref().is_none_or(|(_, best)| {
                    (route.confirmed, std::cmp::Reverse(route.chain.len()))
                        > (best.confirmed, std::cmp::Reverse(best.chain.len()))
                });
                if better {
                    found = Some((grant, route));
                }
            }
        }
        found
    }

    fn diff(&self, place: &Place<'_>, grants: &[ScopeGrant]) -> Verdict {
        let catalogue = self.catalogue;
        if let Some((_, route)) = self.covering(place, grants) {
            let granted = catalogue.label(route.granted());
            let how = if route.chain.len() == 1 {
                format!("granted: {granted}")
            } else {
                let wanted = route.chain.last().expect("a chain");
                let span = if route.spans_environments(catalogue) {
                    ", in every environment of its business group"
                } else {
                    ""
                };
                format!(
                    "granted through {granted}, which includes {}{span}",
                    catalogue.label(wanted)
                )
            };
            if let Some(verdict) = self.also_needed(place, grants, &how) {
                return verdict;
            }
            return if route.confirmed {
                let subject = match self.wanted.capability {
                    Some(_) => format!("can {}: ", self.wanted.label),
                    None => String::new(),
                };
                Verdict::new(
                    Reason::ScopeGranted,
                    Status::Pass,
                    format!("{subject}{how}"),
                )
            } else {
                Verdict::new(
                    Reason::ScopeImplied,
                    Status::Warn,
                    format!(
                        "{how}; that it does is inferred, not documented, so this is not proven"
                    ),
                )
                .fix(format!(
                    "To be sure, add {} itself. {}",
                    catalogue.label(self.wanted.to_add()),
                    self.add_scope(place)
                ))
            };
        }
        let satisfiers = self.wanted.satisfiers(catalogue);
        let elsewhere: Vec<String> = grants
            .iter()
            .filter(|g| satisfiers.contains(&g.scope))
            .map(|g| format!("{} for {}", g.scope, describe_context(self.ctx, g)))
            .collect();
        let what = match self.wanted.capability {
            Some(capability) => format!(
                "cannot {}: none of {} is granted",
                self.wanted.label,
                catalogue.describe_capability(capability)
            ),
            None => format!("missing: {} is not granted", self.wanted.label),
        };
        let summary = if elsewhere.is_empty() {
            what
        } else {
            format!("{what} here; granted only as {}", elsewhere.join("; "))
        };
        let others: Vec<MissingScope> = self
            .all_of_missing(place, grants)
            .into_iter()
            .map(|(scope, _, at)| self.missing_scope_of(scope, &at))
            .collect();
        Verdict::new(Reason::ScopeMissing, self.missing_status(), summary)
            .fix(self.add_scope(place))
            .missing(self.missing_scope(place))
            .also_missing(others)
    }

    /// The least-privilege scope to add at the place, as data.
    fn missing_scope(&self, place: &Place<'_>) -> MissingScope {
        self.missing_scope_of(self.wanted.to_add(), place)
    }

    fn missing_scope_of(&self, scope: &str, place: &Place<'_>) -> MissingScope {
        MissingScope {
            scope: scope.to_string(),
            name: self.catalogue.name(scope).to_string(),
            org_id: place.org.map(|o| o.id.clone()),
            org_name: place.org.map(|o| o.name.clone()),
            env_id: place.env.map(|e| e.id.clone()),
            env_name: place.env.map(|e| e.name.clone()),
            app: self.app_name(),
        }
    }

    /// The name of the app whose scopes are checked, when known.
    fn app_name(&self) -> Option<String> {
        self.ctx.app_name()
    }

    /// A capability's other needs (`all_of`) that the granted scopes do not
    /// hold at the place, each with where it is needed: the environment for
    /// an environment's scope, else the business group.
    fn all_of_missing<'p>(
        &self,
        place: &Place<'p>,
        grants: &[ScopeGrant],
    ) -> Vec<(&str, ScopeContext, Place<'p>)> {
        let Some(capability) = self.wanted.capability else {
            return Vec::new();
        };
        capability
            .all_of
            .iter()
            .filter_map(|needed| {
                let context = self
                    .catalogue
                    .scope(needed)
                    .map_or(ScopeContext::Org, |s| s.context);
                let held = grants.iter().any(|g| {
                    self.catalogue.route(&g.scope, needed).is_some() && covers(g, place, context)
                });
                let at = Place {
                    org: place.org,
                    env: place.env.filter(|_| context == ScopeContext::Env),
                };
                (!held).then_some((needed.as_str(), context, at))
            })
            .collect()
    }

    /// A capability's other needs (`all_of`), from the granted scopes: the
    /// failure naming the first one missing (and the others beside it),
    /// `None` when all are granted.
    fn also_needed(&self, place: &Place<'_>, grants: &[ScopeGrant], how: &str) -> Option<Verdict> {
        let mut all_missing = self.all_of_missing(place, grants).into_iter();
        let (missing, context, org_place) = all_missing.next()?;
        let others: Vec<MissingScope> = all_missing
            .map(|(scope, _, at)| self.missing_scope_of(scope, &at))
            .collect();
        Some(
            Verdict::new(
                Reason::ScopeMissing,
                self.missing_status(),
                format!(
                    "cannot {}: {how}, but it also needs {}, which is not granted for {}",
                    self.wanted.label,
                    self.catalogue.label(missing),
                    org_place.phrase(context)
                ),
            )
            .fix(self.add(missing, &org_place, context))
            .missing(self.missing_scope_of(missing, &org_place))
            .also_missing(others),
        )
    }

    fn missing_status(&self) -> Status {
        match self.spec.missing {
            Missing::Fail => Status::Fail,
            Missing::Warn => Status::Warn,
        }
    }

    /// Exactly what to add where, in Access Management's words.
    fn add_scope(&self, place: &Place<'_>) -> String {
        self.add(self.wanted.to_add(), place, self.wanted.context)
    }

    /// How to add `scope` at a place, in Access Management's words.
    fn add(&self, scope: &str, place: &Place<'_>, context: ScopeContext) -> String {
        let app = self
            .app_name()
            .map_or("your app".to_string(), |name| format!("\"{name}\""));
        let selection = match (context, place.org, place.env) {
            (_, Some(org), Some(env)) => format!(
                ", select business group \"{}\" and environment \"{}\"",
                org.name, env.name
            ),
            (ScopeContext::RootOrg, Some(org), None) => {
                format!(", select the root organization \"{}\"", org.name)
            }
            (_, Some(org), None) => format!(", select business group \"{}\"", org.name),
            _ => String::new(),
        };
        format!(
            "Access Management > Connected Apps > {app} > Manage Scopes > Add Scopes: add \"{}\" ({scope}){selection}; save, then get a new token.",
            self.catalogue.name(scope)
        )
    }

    fn verify_exactly(&self) -> String {
        format!(
            "To tell exactly, put an org admin's token in ANYPOINT_ADMIN_BEARER and run `anypoint-doctor check --select {}{}`.",
            // One read of the grants settles every scope check at once.
            if self.id.starts_with("scope.") {
                "scope"
            } else {
                self.id
            },
            crate::rerun::rerun_flags(&self.ctx.settings)
        )
    }

    async fn probe(
        &self,
        place: &Place<'_>,
        unreadable: &str,
        recorder: &mut Recorder<'_>,
    ) -> Verdict {
        let ctx = self.ctx;
        let Some(probe_spec) = self
            .spec
            .probes
            .iter()
            .find(|p| !(ctx.options.read_only && p.is_write()))
        else {
            let why_no_probe = if self.spec.probes.is_empty() {
                "no request tells this scope apart without changing something"
            } else {
                "--read-only turns off its write probe"
            };
            return Verdict::new(
                Reason::ScopeUnverifiable,
                Status::Skip,
                format!("not verified: the app's granted scopes are unreadable ({unreadable}) and {why_no_probe}"),
            )
            .fix(self.verify_exactly());
        };
        let mut vars = PathVars::from_facts(ctx, place.env);
        // Aimed at an instance the environment lists. With none there is
        // nothing to probe: the platform may check whether the app sees the
        // instance before the scope, so even a 403 would prove nothing.
        if probe_spec.path.contains("{apiId}") {
            match api_instance(place, recorder).await {
                Ok(api) => {
                    vars.api_id = Some(api.id.to_string());
                    vars.group_id = api.group_id.or_else(|| place.org.map(|o| o.id.clone()));
                    vars.asset_id = api.asset_id;
                }
                // The list could not be read: nothing was checked.
                Err(NoInstance::Unchecked(verdict)) => return verdict,
                Err(NoInstance::None { why, refused }) => {
                    // Without an instance the app may list, the probes cannot
                    // aim: the scope that lets them is the proof's, not the
                    // capability's.
                    let fix = if refused {
                        format!(
                            "To prove it by probes, the app must be able to list API instances here ({} for {}); {}",
                            self.catalogue.label(LIST_INSTANCES),
                            place.phrase(ScopeContext::Env),
                            self.verify_exactly()
                                .replacen("To tell exactly, put", "or put", 1)
                        )
                    } else {
                        format!(
                            "Run it again once the environment has an API instance the app can list. {}",
                            self.verify_exactly()
                        )
                    };
                    if self.wanted.capability.is_some()
                        && let Some(verdict) = self
                            .refused_without_an_instance(place, probe_spec, recorder, &vars)
                            .await
                    {
                        return verdict;
                    }
                    return self
                        .unproven(
                            place,
                            Reason::ScopeInconclusive,
                            format!(
                                "inconclusive: there is no API instance to aim the probe at ({why}), and a request for one that does not exist proves nothing"
                            ),
                        )
                        .fix(fix)
                        .inferred();
                }
            }
        }
        let call = probe::describe(
            if probe_spec.is_write() { "POST" } else { "GET" },
            &probe_spec.path,
        );
        let reading = match probe::send(recorder, probe_spec, &vars).await {
            Ok(reading) => reading,
            Err(verdict) => return verdict,
        };
        // The other scope the call needs: asked when the probe alone cannot
        // settle the verdict (a capability that needs both), or when the
        // call was refused although the scope asked for may be held.
        let ask_also = match &reading {
            Reading::Authorized { .. } => self.wanted.capability.is_some(),
            Reading::Forbidden { .. } => true,
            _ => false,
        };
        if let Some(also) = self.spec.also.as_ref().filter(|_| ask_also) {
            let also_probe = also.probe();
            // `GET …/assets/…/orders-api`: the asset's id says which one.
            let also_call = format!(
                "GET …/assets/…/{}",
                vars.asset_id.as_deref().unwrap_or("{assetId}")
            );
            let also_reading = match probe::send(recorder, &also_probe, &vars).await {
                Ok(reading) => reading,
                Err(verdict) => return verdict,
            };
            let first = Probed {
                call,
                reading,
                write: probe_spec.is_write(),
            };
            let second = Probed {
                call: also_call,
                reading: also_reading,
                write: false,
            };
            return self.judge_both(place, &also.scope, &first, &second);
        }
        self.judge(place, probe_spec, &call, reading)
    }

    /// The probe aimed at an instance id no environment has (`0`): a 403
    /// disproves the capability whichever the platform checks first, since
    /// one that looks the instance up first answers 404, never 403; any
    /// other answer (a 404, or a 400 for the id itself) proves nothing, and
    /// gives None. The 403 cannot tell which of the capability's scopes is
    /// missing: each may be.
    async fn refused_without_an_instance(
        &self,
        place: &Place<'_>,
        probe_spec: &ProbeSpec,
        recorder: &mut Recorder<'_>,
        vars: &PathVars,
    ) -> Option<Verdict> {
        let capability = self.wanted.capability?;
        let vars = PathVars {
            api_id: Some(NO_SUCH_INSTANCE.to_string()),
            ..vars.clone()
        };
        let Ok(Reading::Forbidden { status, message }) =
            probe::send(recorder, probe_spec, &vars).await
        else {
            return None;
        };
        let call = probe::describe(
            if probe_spec.is_write() { "POST" } else { "GET" },
            &probe_spec.path,
        )
        .replace("{apiId}", NO_SUCH_INSTANCE);
        let org_place = Place {
            org: place.org,
            env: None,
        };
        let mut verdict = Verdict::new(
            Reason::ScopeMissing,
            self.missing_status(),
            format!(
                "{} missing: {call} for an API instance that does not exist answered {status} ({message}), which only a missing scope explains; {} takes {}",
                capability
                    .any_of
                    .iter()
                    .take(1)
                    .chain(&capability.all_of)
                    .map(|scope| self.catalogue.name(scope))
                    .collect::<Vec<_>>()
                    .join(" or "),
                lowercase_first(&capability.title),
                self.catalogue.describe_capability(capability)
            ),
        )
        .fix(self.add_scope(place))
        .maybe(self.missing_scope(place))
        .inferred();
        for needed in &capability.all_of {
            verdict = verdict.maybe(self.missing_scope_of(needed, &org_place));
        }
        Some(verdict)
    }

    /// A verdict that proves neither way: for a capability, the gate stays
    /// closed (a warning that names what to add, as "may already be
    /// granted"); for a scope of MuleSoft's list, a neutral "not verified".
    fn unproven(&self, place: &Place<'_>, reason: Reason, summary: String) -> Verdict {
        match self.wanted.capability {
            Some(capability) => {
                let mut verdict =
                    Verdict::new(reason, Status::Warn, summary).maybe(self.missing_scope(place));
                let org_place = Place {
                    org: place.org,
                    env: None,
                };
                for needed in &capability.all_of {
                    let env_bound = self
                        .catalogue
                        .scope(needed)
                        .is_some_and(|s| s.context == ScopeContext::Env);
                    let at = if env_bound { place } else { &org_place };
                    verdict = verdict.maybe(self.missing_scope_of(needed, at));
                }
                verdict
            }
            None => Verdict::new(reason, Status::Skip, summary),
        }
    }

    /// A probe and the read of the other scope its call needs, judged together.
    fn judge_both(
        &self,
        place: &Place<'_>,
        also_scope: &str,
        first: &Probed,
        second: &Probed,
    ) -> Verdict {
        let catalogue = self.catalogue;
        let org_place = Place {
            org: place.org,
            env: None,
        };
        let also_label = catalogue.label(also_scope);
        let also_where = org_place.phrase(ScopeContext::Org);
        let also_missing = self.missing_scope_of(also_scope, &org_place);
        let here = self.missing_scope(place);
        let first_told = first.told();
        let second_told = second.told();
        let verdict = match (first.held(), second.held()) {
            (Some(true), Some(true)) => Verdict::new(
                Reason::ScopeAllowed,
                Status::Pass,
                match self.wanted.capability {
                    Some(_) => format!(
                        "can {}: {first_told}; {second_told}, so {also_label} is held for {also_where}",
                        self.wanted.label
                    ),
                    None => format!("authorised: {first_told}"),
                },
            ),
            (first_held, Some(false)) => {
                let about_first = match first_held {
                    Some(true) => format!("; {first_told}, so the call itself is allowed"),
                    _ => format!(
                        "; {first_told}, and whether {} is held cannot be told until {also_label} is added",
                        catalogue.label(self.wanted.to_add())
                    ),
                };
                let mut verdict = Verdict::new(
                    Reason::ScopeMissing,
                    self.missing_status(),
                    format!(
                        "{}: {also_label} is not granted for {also_where} ({second_told}), and contracts need it besides {}{about_first}",
                        match self.wanted.capability {
                            Some(_) => format!("cannot {}", self.wanted.label),
                            None => "contracts are refused here".to_string(),
                        },
                        catalogue.label(self.wanted.to_add()),
                    ),
                )
                .fix(self.add(also_scope, &org_place, ScopeContext::Org))
                .missing(also_missing);
                if first_held != Some(true) {
                    verdict = verdict.maybe(here);
                }
                verdict
            }
            (Some(false), Some(true)) => Verdict::new(
                Reason::ScopeMissing,
                self.missing_status(),
                format!(
                    "{}: {first_told}, while {second_told}, so {also_label} is held and the refusal is {}'s",
                    match self.wanted.capability {
                        Some(capability) => format!(
                            "cannot {} (it takes {})",
                            self.wanted.label,
                            catalogue.describe_capability(capability)
                        ),
                        None => format!("missing {}", self.wanted.label),
                    },
                    catalogue.label(self.wanted.to_add())
                ),
            )
            .fix(self.add_scope(place))
            .missing(here),
            (Some(false), None) => Verdict::new(
                Reason::ScopeMissing,
                self.missing_status(),
                format!(
                    "{}: {first_told}; it needs {} and {also_label}, and {second_told}, which proves nothing, so which one is missing cannot be told",
                    match self.wanted.capability {
                        Some(_) => format!("cannot {}", self.wanted.label),
                        None => "contracts are refused here".to_string(),
                    },
                    catalogue.label(self.wanted.to_add())
                ),
            )
            .fix(format!(
                "{} If it is already granted, add {also_label}: {}",
                self.add_scope(place),
                self.add(also_scope, &org_place, ScopeContext::Org)
            ))
            .maybe(here)
            .maybe(also_missing),
            (Some(true), None) => Verdict::new(
                Reason::ScopeUnproven,
                Status::Warn,
                format!(
                    "not proven: {first_told}, so the call itself is allowed, but {second_told}, which does not tell whether {also_label} is held for {also_where}"
                ),
            )
            .fix(format!(
                "Check in Access Management that {also_label} is granted for {also_where}. {}",
                self.verify_exactly()
            ))
            .maybe(also_missing),
            (None, _) => Verdict::new(
                Reason::ScopeInconclusive,
                Status::Warn,
                format!("inconclusive: {first_told}, which proves nothing"),
            )
            .fix(self.verify_exactly()),
        };
        verdict.inferred()
    }

    /// A probe's answer, as far as it proves what the check asks.
    fn judge(
        &self,
        place: &Place<'_>,
        probe_spec: &ProbeSpec,
        call: &str,
        reading: Reading,
    ) -> Verdict {
        let catalogue = self.catalogue;
        let proves = probe_spec
            .proves
            .as_deref()
            .and_then(|id| catalogue.capability(id));
        let proven: BTreeSet<String> = proves
            .map(|c| catalogue.satisfiers(&c.any_of))
            .unwrap_or_default();
        let wanted = self.wanted.satisfiers(catalogue);
        let where_ = place.phrase(self.wanted.context);
        // What an authorised answer proves: one of `proven`. It proves the
        // check only when every scope of `proven` satisfies it too.
        let capability_phrase = proves.map_or_else(String::new, |c| {
            format!(
                "{} (which takes {})",
                lowercase_first(&c.title),
                catalogue.describe_capability(c)
            )
        });
        match reading {
            Reading::Authorized {
                list: Some(Listed { len: 0, .. }),
                status,
            } => self.unproven(
                place,
                Reason::ScopeInconclusive,
                format!(
                    "inconclusive: {call} answered {status} with an empty list: there may be nothing to list, or the app may not be allowed to see it"
                ),
            )
            .fix(format!(
                "Check in Access Management that {} is granted for {where_}{}. {}",
                catalogue.label(self.wanted.to_add()),
                if probe_spec.owners.is_some() {
                    "; see data.client-applications-empty"
                } else {
                    ""
                },
                self.verify_exactly()
            ))
            .inferred(),
            Reading::Authorized {
                list: Some(listed),
                status,
            } if probe_spec.owners.is_some() && listed.foreign == 0 => {
                let whose = if listed.own == listed.len {
                    format!(
                        "all {} listed application(s) were created by this app, which is all that Application Creator shows",
                        listed.len
                    )
                } else {
                    "no listed application names an owner other than this app".to_string()
                };
                self.unproven(
                    place,
                    Reason::ScopeUnproven,
                    format!("not proven: {call} answered {status}, but {whose}; whether the app sees the others cannot be told from it"),
                )
                .fix(format!(
                    "If applications created by others must be visible, add {} for {where_}. {}",
                    catalogue.label(self.wanted.to_add()),
                    self.verify_exactly()
                ))
                .inferred()
            }
            Reading::Authorized { status, .. } => {
                let how = if probe_spec.is_write() {
                    format!("{call} was rejected as invalid ({status}), so the call itself is allowed")
                } else {
                    format!("{call} answered {status}")
                };
                if let Some(needed) = self
                    .wanted
                    .capability
                    .and_then(|c| c.all_of.first())
                    .filter(|_| proven.is_subset(&wanted))
                {
                    let org_place = Place {
                        org: place.org,
                        env: None,
                    };
                    return Verdict::new(
                        Reason::ScopeUnproven,
                        Status::Warn,
                        format!(
                            "not proven: {how}, but it also needs {} for {}, which no request tells without changing something",
                            catalogue.label(needed),
                            org_place.phrase(ScopeContext::Org)
                        ),
                    )
                    .maybe(self.missing_scope_of(needed, &org_place))
                    .fix(format!(
                        "Check in Access Management that {} is granted for {}. {}",
                        catalogue.label(needed),
                        org_place.phrase(ScopeContext::Org),
                        self.verify_exactly()
                    ))
                    .inferred();
                }
                if proven.is_subset(&wanted) {
                    let summary = match self.wanted.capability {
                        Some(capability) if catalogue.allowing(capability).len() > 1 => format!(
                            "can {}: {how}; that takes {}, and which one cannot be told without an org admin's token",
                            self.wanted.label,
                            catalogue.describe_capability(capability)
                        ),
                        Some(_) => format!("can {}: {how}", self.wanted.label),
                        None => format!("authorised: {how}"),
                    };
                    Verdict::new(Reason::ScopeAllowed, Status::Pass, summary).inferred()
                } else {
                    self.unproven(
                        place,
                        Reason::ScopeUnproven,
                        format!(
                            "not verified: {how}; that shows the app can {capability_phrase}, not that it holds {}",
                            self.wanted.label
                        ),
                    )
                    .fix(format!(
                        "If your automation needs {} itself, add it for {where_}. {}",
                        self.wanted.label,
                        self.verify_exactly()
                    ))
                    .inferred()
                }
            }
            Reading::Forbidden { status, message } => {
                if wanted.is_subset(&proven) {
                    let summary = match self.wanted.capability {
                        Some(capability) => format!(
                            "cannot {}: {call} answered {status} ({message}); it takes {}",
                            self.wanted.label,
                            catalogue.describe_capability(capability)
                        ),
                        None => format!("missing {}: {call} answered {status} ({message})", self.wanted.label),
                    };
                    Verdict::new(Reason::ScopeMissing, self.missing_status(), summary)
                        .fix(self.add_scope(place))
                        .missing(self.missing_scope(place))
                        .inferred()
                } else {
                    self.unproven(
                        place,
                        Reason::ScopeUnproven,
                        format!(
                            "{call} answered {status} ({message}): the app cannot {capability_phrase}; that does not tell whether it holds {}",
                            self.wanted.label
                        ),
                    )
                    .fix(format!("{} {}", self.add_scope(place), self.verify_exactly()))
                    .inferred()
                }
            }
            Reading::Inconclusive { status, message } => self.unproven(
                place,
                Reason::ScopeInconclusive,
                format!(
                    "inconclusive: {call} answered {status} ({message}); the platform may look the resource up before it checks the scope, so this proves nothing"
                ),
            )
            .fix(self.verify_exactly())
            .inferred(),
            Reading::Accepted { status } => Verdict::new(
                Reason::ProbeAccepted,
                Status::Error,
                format!(
                    "the probe {call} was meant to be rejected but answered {status}: something may have been created; check and delete it"
                ),
            )
            .fix("Report this to the anypoint-doctor maintainers with the evidence (-v or --format json)."),
            Reading::Retired { rule } => Verdict::new(
                Reason::PathRetired,
                Status::Error,
                format!(
                    "the probe path {call} is retired (404, {}); the check file needs {}",
                    rule.id,
                    rule.replacement()
                ),
            ),
        }
    }
}

/// A request sent as a probe, and how it was answered.
struct Probed {
    /// `POST …/contracts`, for summaries.
    call: String,
    reading: Reading,
    /// A write the server had to reject: an authorised answer is a 400.
    write: bool,
}

impl Probed {
    /// Whether the answer proves the call allowed (true) or refused
    /// (false); `None` when it proves nothing.
    fn held(&self) -> Option<bool> {
        match self.reading {
            Reading::Authorized { .. } => Some(true),
            Reading::Forbidden { .. } => Some(false),
            _ => None,
        }
    }

    /// What it was answered, in a summary's words.
    fn told(&self) -> String {
        let call = &self.call;
        match &self.reading {
            Reading::Authorized { status, .. } if self.write => {
                format!("{call} was rejected as invalid ({status})")
            }
            Reading::Authorized { status, .. } => format!("{call} answered {status}"),
            Reading::Forbidden { status, message } | Reading::Inconclusive { status, message } => {
                format!("{call} answered {status} ({message})")
            }
            Reading::Accepted { status } => format!("{call} answered {status}"),
            Reading::Retired { .. } => format!("{call} answered 404 (retired)"),
        }
    }
}

/// Why there is no API instance to aim a probe at.
enum NoInstance {
    /// The environment's list could not be read (network, throttling, a
    /// body that is not the platform's JSON): the verdict says so.
    Unchecked(Verdict),
    /// It was refused, or lists none.
    None { why: String, refused: bool },
}

/// An API instance the place's environment lists (from the same list the
/// View APIs Configuration probe reads, so no extra request), or why none.
async fn api_instance(
    place: &Place<'_>,
    recorder: &mut Recorder<'_>,
) -> Result<ApiInstance, NoInstance> {
    let (Some(org), Some(env)) = (place.org, place.env) else {
        return Err(NoInstance::None {
            why: "no environment".into(),
            refused: false,
        });
    };
    let answer = recorder
        .fetch(Request::get(paths::apis(&org.id, &env.id)))
        .await;
    let reply = probe::reply(&answer).map_err(NoInstance::Unchecked)?;
    if !reply.is_success() {
        return Err(NoInstance::None {
            why: format!(
                "listing them answered HTTP {} ({})",
                reply.status,
                reply.platform_message()
            ),
            refused: matches!(reply.status, 401 | 403),
        });
    }
    let list: ApiAssetList = reply
        .json()
        .map_err(|reason| NoInstance::Unchecked(probe::unreadable(&answer, &reason)))?;
    list.first_instance()
        .cloned()
        .ok_or_else(|| NoInstance::None {
            why: format!("\"{}\" lists none", env.name),
            refused: false,
        })
}

/// A scope a client-credentials app cannot use: information, whatever the
/// token (the app's own, or an admin's reading the app's grants).
async fn not_applicable(scope: &str, ctx: &RunContext) -> Verdict {
    let mut recorder = Recorder::new(ctx);
    let held = match ctx.grants(&mut recorder).await {
        Grants::Readable(grants) if grants.iter().any(|g| g.scope == scope) => " (it is granted)",
        Grants::Readable(_) => " (it is not granted)",
        Grants::Unreadable(_) => "",
    };
    Verdict::new(
        Reason::ScopeNotApplicable,
        Status::Skip,
        format!(
            "not applicable: a client-credentials app cannot use {}{held}; MuleSoft's guidance lists it, but nothing needs to be added",
            Catalogue::get().label(scope)
        ),
    )
    .with_evidence(recorder.evidence)
}

/// Whether a grant applies at the place: its business group (when the
/// place has one) and its environment; a grant without an environment
/// covers every environment of its business group.
fn covers(grant: &ScopeGrant, place: &Place<'_>, context: ScopeContext) -> bool {
    let org_ok = context == ScopeContext::None
        || place
            .org
            .is_none_or(|org| grant.context_params.org.as_deref() == Some(org.id.as_str()));
    let env_ok = match (place.env, grant.context_params.env_id.as_deref()) {
        (Some(env), Some(granted)) => granted == env.id,
        _ => true,
    };
    org_ok && env_ok
}

fn describe_context(ctx: &RunContext, grant: &ScopeGrant) -> String {
    let org_name = |id: &str| {
        ctx.facts
            .org
            .get()
            .and_then(|o| {
                std::iter::once(&o.root)
                    .chain(std::iter::once(&o.org))
                    .chain(o.business_groups.iter())
                    .find(|g| g.id == id)
                    .map(|g| g.name.clone())
            })
            .unwrap_or_else(|| id.to_string())
    };
    let env_name = |id: &str| {
        ctx.facts
            .environments
            .get()
            .and_then(|e| e.name_of(id).map(str::to_string))
            .unwrap_or_else(|| id.to_string())
    };
    match (&grant.context_params.org, &grant.context_params.env_id) {
        (Some(org), Some(env)) => format!("\"{}\" / \"{}\"", org_name(org), env_name(env)),
        (Some(org), None) => format!("\"{}\"", org_name(org)),
        _ => "no business group".into(),
    }
}
