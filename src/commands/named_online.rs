//! `needs --online`: names for the business groups and environments a
//! traffic file leaves unnamed, read from the platform as the Connected App
//! the settings name: its org's business groups, and the environments of
//! those the traffic needs. Only ids the traffic names are looked for.

use clap::ArgMatches;

use super::session::Tell;
use crate::cli::ConnectionArgs;
use crate::error::Error;
use crate::needs::Target;
use crate::needs::least::LeastPrivilege;
use crate::needs::render::Names;
use crate::{ExitStatus, Io};

/// The names the platform gives the ids `least` names and `known` does
/// not; with the exit status of a sign-in that failed (told on stderr).
pub async fn names(
    connection: &ConnectionArgs,
    matches: &ArgMatches,
    least: &LeastPrivilege,
    known: &Names,
    io: &mut Io<'_>,
) -> Result<(Names, Option<ExitStatus>), Error> {
    // (org, env) of each place the traffic names, where one of them has no name yet.
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for grant in &least.grants {
        let place = match &grant.target {
            Target::RootOrg { org } | Target::Org { org } => (org.clone(), None),
            Target::Env { org, env } => (org.clone(), Some(env.clone())),
            Target::Anywhere | Target::Unnamed { .. } => continue,
        };
        let unnamed = !known.contains_key(&place.0)
            || place.1.as_ref().is_some_and(|env| !known.contains_key(env));
        if unnamed && !wanted.contains(&place) {
            wanted.push(place);
        }
    }
    if wanted.is_empty() {
        return Ok((Names::new(), None));
    }
    let session = match super::session::start(connection, matches, io).await {
        Ok(session) => session,
        Err(halt) => {
            let status = halt.report(io)?;
            writeln!(
                io.err,
                "note: the ids stay unnamed: the platform could not be asked"
            )?;
            return Ok((Names::new(), Some(status)));
        }
    };
    let facts = session.org();
    let mut found = Names::new();
    for org in std::iter::once(&facts.root)
        .chain(std::iter::once(&facts.org))
        .chain(facts.business_groups.iter())
    {
        found.insert(org.id.clone(), org.name.clone());
    }
    let mut read: Vec<String> = Vec::new();
    for (org, env) in &wanted {
        let Some(env) = env else { continue };
        if found.contains_key(env) || read.contains(org) || !found.contains_key(org) {
            continue;
        }
        read.push(org.clone());
        let environments = if *org == facts.org.id {
            session.environments().all.clone()
        } else {
            // Unreadable, its environments stay unnamed: the note counts them.
            session.ctx.environments_of(org).await.unwrap_or_default()
        };
        found.extend(environments.into_iter().map(|e| (e.id, e.name)));
    }
    let mut ids: Vec<&String> = wanted
        .iter()
        .flat_map(|(org, env)| std::iter::once(org).chain(env))
        .filter(|id| !known.contains_key(*id))
        .collect();
    ids.sort();
    ids.dedup();
    let named = ids.iter().filter(|id| found.contains_key(**id)).count();
    let mut note = format!(
        "note: {named} of {} unnamed id(s) named by the platform, as the app of \"{}\" sees it",
        ids.len(),
        crate::text::line(&facts.org.name)
    );
    if named < ids.len() {
        note.push_str(
            " (the others are not its organization's: the traffic may come from another org)",
        );
    }
    writeln!(io.err, "{note}")?;
    let found = found
        .into_iter()
        .filter(|(id, _)| ids.contains(&id))
        .map(|(id, name)| (id, crate::text::line(&name).into_owned()))
        .collect();
    Ok((found, None))
}
