//! The default terminal view, answer first: one line per category, details
//! only for what did not pass (each root cause once: missing scopes folded
//! per scope, alike errors counted), then "What to fix" grouped by action.
//! Text wraps to the terminal's width with indentation, so it reads the same
//! at 40 columns as at 200, and a command too wide for a line is broken
//! between its words, never inside an id. The view aims at one screen of
//! 24 rows: what the run found, its totals and the first fix always, then
//! the other fixes and the next steps while they fit, and a line saying how
//! many more `-v` shows; `-v` gives every check, fix and step in full.

use super::look::{TableOptions, blocked_by_cause, painted, summary_line, width};
use crate::report::model::{MissingScope, NextStep, Outcome, Report, Status};
use crate::report::sanitize;
use crate::report::to_add::{ToAdd, scopes_to_add};
use crate::text::{command_lines, shown_width, wrap};

/// Lines of one finding in the compact view; `-v` shows all.
const FINDING_LINES: usize = 3;
/// Next steps the compact view shows at most; `-v` shows all.
const NEXT_STEPS: usize = 3;
/// The rows the compact view fills at most where it can: a terminal of 24
/// rows, less the one the shell's prompt takes when the command ends. The
/// terminal's own height is not asked: the view is the same wherever it goes.
pub const SCREEN_ROWS: usize = 23;

pub fn render(report: &Report, options: TableOptions) -> String {
    render_within(report, options, 0)
}

/// The compact view, within `SCREEN_ROWS` less the `reserved` rows its
/// caller prints around it where it can (a first screen must hold what
/// was found, the totals and the first fix, however long they are).
pub fn render_within(report: &Report, options: TableOptions, reserved: usize) -> String {
    let report = &sanitize::report(report);
    let width = width(options);
    let mut out = header(report, width);
    out.push('\n');
    out.push_str(&findings(report, options));
    if let Some(least) = &report.least_privilege {
        out.push('\n');
        out.push_str(&wrap(&least.sentence(), width, "", "  ", None));
        for line in least.call_lines() {
            out.push_str(&wrap(&line, width, "  ", "    ", None));
        }
    }
    if let Some(preflight) = &report.preflight {
        out.push('\n');
        out.push_str(&wrap(&preflight.sentence(), width, "", "  ", None));
    }
    if let Some(changes) = &report.changes {
        out.push_str("\nChanges since the baseline:\n");
        if changes.is_empty() {
            out.push_str("  nothing changed\n");
        }
        for change in changes {
            out.push_str(&wrap(&change.summary, width, "  - ", "    ", None));
        }
    }
    let budget = SCREEN_ROWS.saturating_sub(reserved);
    let rows = |text: &str| text.lines().count();
    let mut used = rows(&out);

    // The first fix always; the others in order while they fit, keeping a
    // row for the line that says what is left out.
    let fixes = fix_items(&report.checks, &report.rerun_flags, width, "  ");
    let hint_row = usize::from(fixes.len() > 1 || !report.next_steps.is_empty());
    let mut shown_fixes = 0;
    if let Some(first) = fixes.first() {
        used += 2 + rows(first);
        shown_fixes = 1;
    }
    while let Some(fix) = fixes.get(shown_fixes)
        && used + rows(fix) + hint_row <= budget
    {
        used += rows(fix);
        shown_fixes += 1;
    }

    // Then the next steps, once every fix is shown (or when there is none).
    let steps = next_steps_block(report, width, budget.saturating_sub(used));
    let steps = match steps {
        Some(steps) if shown_fixes == fixes.len() => Some(steps),
        // With nothing to fix, the steps are the end of the view: shown whatever the room.
        _ if fixes.is_empty() => next_steps_block(report, width, usize::MAX),
        _ => None,
    };

    if !fixes.is_empty() {
        out.push_str("\nWhat to fix:\n");
        for fix in &fixes[..shown_fixes] {
            out.push_str(fix);
        }
        let more = fixes.len() - shown_fixes;
        let steps_left = if steps.is_some() {
            0
        } else {
            report.next_steps.len()
        };
        let hint = match (more, steps_left) {
            (0, 0) => String::new(),
            (more, 0) => format!("{more} more with -v"),
            (0, steps) => format!("{steps} next steps with -v"),
            (more, steps) => format!("{more} more, and {steps} next steps, with -v"),
        };
        if !hint.is_empty() {
            out.push_str(&format!("  ({hint})\n"));
        }
    }
    out.push_str(&steps.unwrap_or_default());
    out
}

/// Where the run went, for the compact view: the host, the org by name and
/// the masked client, each part whole, as many to a line as fit. The tool's
/// version and the org's id are in `-v`'s header.
fn header(report: &Report, width: usize) -> String {
    let target = &report.target;
    let mut parts = vec![target.host.clone()];
    if let Some(name) = &target.org_name {
        parts.push(format!("org \"{name}\""));
    }
    if let Some(client) = &target.client_id {
        parts.push(format!("client {client}"));
    }
    let visible = shown_width;
    let mut out = String::new();
    let mut line = String::new();
    for part in parts {
        if !line.is_empty() && visible(&line) + 3 + visible(&part) > width {
            out.push_str(&wrap(&line, width, "", "  ", None));
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&part);
    }
    out.push_str(&wrap(&line, width, "", "  ", None));
    out
}

/// The next steps in at most `room` rows: a run with something to fix shows
/// the first ones (up to `NEXT_STEPS`) and how many more `-v` lists; one
/// without says in a line that `-v` lists them. None when none fit.
fn next_steps_block(report: &Report, width: usize, room: usize) -> Option<String> {
    if report.next_steps.is_empty() {
        return None;
    }
    let to_fix = report.summary.fail + report.summary.error > 0;
    if !to_fix {
        let block = format!(
            "\n{}",
            wrap(
                &format!(
                    "Next steps (apps, apis, create): `anypoint-doctor check -v{}` lists them.",
                    report.rerun_flags
                ),
                width,
                "",
                "  ",
                None,
            )
        );
        return (block.lines().count() <= room).then_some(block);
    }
    let items = next_step_items(&report.next_steps, width);
    let mut block = String::from("\nNext steps:\n");
    let mut shown = 0;
    for item in items.iter().take(NEXT_STEPS) {
        let more = usize::from(shown + 1 < items.len());
        if block.lines().count() + item.lines().count() + more > room {
            break;
        }
        block.push_str(item);
        shown += 1;
    }
    if shown == 0 {
        return None;
    }
    let more = items.len() - shown;
    if more > 0 {
        block.push_str(&format!("  ({more} more with -v)\n"));
    }
    Some(block)
}

/// Each next step as a numbered item: its title wrapped, its command whole
/// on the lines below (broken between words when too wide).
pub fn next_step_items(steps: &[NextStep], width: usize) -> Vec<String> {
    steps
        .iter()
        .enumerate()
        .map(|(n, step)| {
            let mut item = wrap(&step.title, width, &format!("  {}. ", n + 1), "     ", None);
            item.push_str(&command_lines(&step.command, width, "     ", "       "));
            item
        })
        .collect()
}

/// What a report found, answer first: one line for what passed, a block for
/// each category that needs attention, what did not run, and the totals.
pub fn findings(report: &Report, options: TableOptions) -> String {
    let width = width(options);
    let paint = |status: Status| symbol(status, options.color);
    let mut out = String::new();
    // What passed, on one line: the answer starts with what needs attention.
    let groups = categories(&report.checks);
    let passed: Vec<&(&str, Vec<&Outcome>)> =
        groups.iter().filter(|(_, o)| all_passed(o)).collect();
    if !passed.is_empty() {
        let ran: Vec<&Outcome> = passed
            .iter()
            .flat_map(|(_, o)| o.iter().copied())
            .filter(|o| o.blocked_by.is_none())
            .collect();
        let pass = ran.iter().filter(|o| o.status == Status::Pass).count();
        let skip = ran.len() - pass;
        let names: Vec<&str> = passed.iter().map(|(c, _)| *c).collect();
        let skipped = if skip > 0 {
            format!(" · {skip} not applicable or not verified")
        } else {
            String::new()
        };
        out.push_str(&wrap(
            &format!(
                "{} {}: {pass} passed{skipped}",
                paint(Status::Pass),
                names.join(", ")
            ),
            width,
            "",
            "    ",
            None,
        ));
    }
    for (category, outcomes) in groups.iter().filter(|(_, o)| !all_passed(o)) {
        out.push_str(&category_block(
            category,
            outcomes,
            &report.rerun_flags,
            width,
            &paint,
        ));
    }
    for (cause, blocked) in blocked_by_cause(&report.checks) {
        out.push_str(&wrap(
            &format!(
                "{} {} not run because {cause} did not pass",
                paint(Status::Skip),
                blocked.len()
            ),
            width,
            "",
            "    ",
            Some(FINDING_LINES),
        ));
    }
    out.push('\n');
    // No "(inferred)" marks in this view: the legend would explain nothing.
    out.push_str(&wrap(
        &summary_line(report, options.color, false),
        width,
        "",
        "  ",
        None,
    ));
    out
}

/// "What to fix" as a numbered list, each line indented by `indent`.
pub fn fix_list(outcomes: &[Outcome], rerun_flags: &str, width: usize, indent: &str) -> String {
    fix_items(outcomes, rerun_flags, width, indent).concat()
}

/// Each item of "What to fix", numbered, each line indented by `indent`; a
/// command ends the item's last line where it fits there, else stands whole
/// on the lines below.
fn fix_items(outcomes: &[Outcome], rerun_flags: &str, width: usize, indent: &str) -> Vec<String> {
    let visible = shown_width;
    what_to_fix(outcomes, rerun_flags)
        .iter()
        .enumerate()
        .map(|(n, fix)| {
            let number = format!("{indent}{}. ", n + 1);
            let rest = " ".repeat(number.chars().count());
            let mut out = String::new();
            let mut lines = fix.text.lines();
            if let Some(first) = lines.next() {
                out.push_str(&wrap(first, width, &number, &rest, None));
            }
            for line in lines {
                out.push_str(&wrap(
                    line,
                    width,
                    &format!("{rest}  "),
                    &format!("{rest}    "),
                    None,
                ));
            }
            if let Some(command) = &fix.command {
                let last = out.lines().last().unwrap_or_default();
                if visible(last) + 1 + visible(command) <= width {
                    out.pop();
                    out.push_str(&format!(" {command}\n"));
                } else {
                    out.push_str(&command_lines(
                        command,
                        width,
                        &format!("{rest}  "),
                        &format!("{rest}    "),
                    ));
                }
            }
            out
        })
        .collect()
}

/// Every outcome in full, one block each, for `-v` below table width (the
/// outcomes already made safe to show).
pub fn list(outcomes: &[Outcome], options: TableOptions) -> String {
    let width = width(options);
    let mut out = String::new();
    for outcome in outcomes {
        let place = outcome
            .target
            .as_deref()
            .map(|t| format!(" · {t}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {}{place}\n",
            symbol(outcome.status, options.color),
            outcome.id
        ));
        let mut finding = outcome.summary.clone();
        if outcome.inferred {
            finding.push_str(" (inferred)");
        }
        out.push_str(&wrap(&finding, width, "    ", "    ", None));
        if let Some(fix) = &outcome.remediation {
            out.push_str(&wrap(&format!("→ {fix}"), width, "    ", "      ", None));
        }
    }
    out
}

fn symbol(status: Status, color: bool) -> String {
    if color {
        painted(status.symbol(), status)
    } else {
        status.symbol().to_string()
    }
}

/// Outcomes by category, in the order categories first appear.
fn categories(outcomes: &[Outcome]) -> Vec<(&str, Vec<&Outcome>)> {
    let mut groups: Vec<(&str, Vec<&Outcome>)> = Vec::new();
    for outcome in outcomes {
        match groups.iter_mut().find(|(c, _)| *c == outcome.category) {
            Some((_, list)) => list.push(outcome),
            None => groups.push((&outcome.category, vec![outcome])),
        }
    }
    groups
}

/// Every check of the category that ran passed, or was skipped as not
/// applicable or not verifiable (information, not a problem).
fn all_passed(outcomes: &[&Outcome]) -> bool {
    let ran = outcomes.iter().filter(|o| o.blocked_by.is_none());
    let mut any = false;
    for outcome in ran {
        any = true;
        if !matches!(outcome.status, Status::Pass | Status::Skip) {
            return false;
        }
    }
    any && outcomes.iter().any(|o| o.status == Status::Pass)
}

/// The worst status a category line shows.
fn worst(outcomes: &[&Outcome]) -> Status {
    [Status::Fail, Status::Error, Status::Warn, Status::Pass]
        .into_iter()
        .find(|s| outcomes.iter().any(|o| o.status == *s))
        .unwrap_or(Status::Skip)
}

fn category_block(
    category: &str,
    outcomes: &[&Outcome],
    rerun_flags: &str,
    width: usize,
    paint: &dyn Fn(Status) -> String,
) -> String {
    let ran: Vec<&Outcome> = outcomes
        .iter()
        .copied()
        .filter(|o| o.blocked_by.is_none())
        .collect();
    if ran.is_empty() {
        return String::new();
    }
    let count = |status: Status| ran.iter().filter(|o| o.status == status).count();
    let counts: Vec<String> = [
        (Status::Pass, "passed"),
        (Status::Warn, "warned"),
        (Status::Fail, "failed"),
        (Status::Error, "could not check"),
        (Status::Skip, "skipped"),
    ]
    .into_iter()
    .filter(|(s, _)| count(*s) > 0)
    .map(|(s, word)| format!("{} {word}", count(s)))
    .collect();
    let mut out = format!(
        "{} {category:<11} {}\n",
        paint(worst(&ran)),
        counts.join(" · ")
    );
    // Missing scopes: one line per scope, with every place it is missing.
    let mut missing: Vec<(&MissingScope, Status, Vec<&str>)> = Vec::new();
    for outcome in &ran {
        let Some(scope) = &outcome.missing_scope else {
            continue;
        };
        let place = scope
            .env_name
            .as_deref()
            .or(scope.org_name.as_deref())
            .unwrap_or("the app");
        match missing
            .iter_mut()
            .find(|(s, status, _)| s.scope == scope.scope && *status == outcome.status)
        {
            Some((_, _, places)) if !places.contains(&place) => places.push(place),
            Some(_) => {}
            None => missing.push((scope, outcome.status, vec![place])),
        }
    }
    for (scope, status, places) in &missing {
        out.push_str(&wrap(
            // The identifier is in "What to fix"; the name is what Access Management shows.
            &format!(
                "{} {} missing in {}",
                paint(*status),
                scope.name,
                places.join(", ")
            ),
            width,
            "  ",
            "    ",
            Some(FINDING_LINES),
        ));
    }
    // Alike errors (a rate limit, a server down) once, with a count.
    let mut errors: Vec<(&Outcome, usize)> = Vec::new();
    for outcome in ran.iter().filter(|o| o.status == Status::Error) {
        match errors
            .iter_mut()
            .find(|(first, _)| first.remediation == outcome.remediation)
        {
            Some((_, n)) => *n += 1,
            None => errors.push((outcome, 1)),
        }
    }
    // Verdicts a probe could not prove share one cause and one remedy (an
    // org admin's token): one line names them all.
    let unproven: Vec<String> = ran
        .iter()
        .filter(|o| is_unproven(o))
        .map(|o| {
            // Within its category line, a check is named without the category.
            let name = o.id.strip_prefix(&format!("{category}.")).unwrap_or(&o.id);
            match &o.target {
                Some(target) => format!("{name} ({target})"),
                None => name.to_string(),
            }
        })
        .collect();
    if !unproven.is_empty() {
        out.push_str(&wrap(
            &format!(
                "{} not proven without the app's granted scopes (an org admin's token in ANYPOINT_ADMIN_BEARER settles it): {}",
                paint(Status::Warn),
                unproven.join(", ")
            ),
            width,
            "  ",
            "    ",
            None,
        ));
        // The command whole, on a line of its own, to copy.
        out.push_str(&command_lines(
            &format!("anypoint-doctor check{rerun_flags}"),
            width,
            "    → ",
            "        ",
        ));
    }
    for outcome in ran.iter().filter(|o| {
        matches!(o.status, Status::Warn | Status::Fail)
            && o.missing_scope.is_none()
            && !is_unproven(o)
    }) {
        out.push_str(&finding(outcome, None, width, paint));
    }
    for (outcome, n) in errors {
        out.push_str(&finding(outcome, Some(n), width, paint));
    }
    out
}

/// A warning reached by a probe that could not tell: settled by reading
/// the app's granted scopes.
fn is_unproven(outcome: &Outcome) -> bool {
    outcome.settled_by_grants
}

/// One finding, at most `FINDING_LINES` lines.
fn finding(
    outcome: &Outcome,
    alike: Option<usize>,
    width: usize,
    paint: &dyn Fn(Status) -> String,
) -> String {
    let place = outcome
        .target
        .as_deref()
        .map(|t| format!(" · {t}"))
        .unwrap_or_default();
    let subject = match alike {
        Some(n) if n > 1 => format!("{} checks", n),
        _ => format!("{}{place}", outcome.id),
    };
    wrap(
        &format!("{} {subject}: {}", paint(outcome.status), outcome.summary),
        width,
        "  ",
        "    ",
        Some(FINDING_LINES),
    )
}

/// The scopes to add for one app in one business group, each with the
/// environments it is missing in.
struct Grant<'a> {
    app: Option<&'a str>,
    org: Option<&'a str>,
    /// Each scope's label, the environments it is named in, and whether it
    /// may already be granted (not proven missing).
    scopes: Vec<(String, Vec<&'a str>, bool)>,
}

/// One item of "What to fix": what to do (a first line, then one per scope
/// to add), and the command that does it, which follows the last line.
pub struct Fix {
    pub text: String,
    pub command: Option<String>,
}

impl Fix {
    fn text_only(text: String) -> Fix {
        Fix {
            text,
            command: None,
        }
    }
}

/// What to do, grouped by action: the scopes to add per app and business
/// group (each once per place), then every other distinct fix of what
/// failed or could not be checked, then how to settle what is not proven.
///
/// The scopes are the pairs `fix` plans, from the same verdicts: those
/// proven missing, and those not proven held, marked as such; right after
/// them comes the `anypoint-doctor fix` command that applies them, so that
/// a view showing the first items shows both ways to add them.
pub fn what_to_fix(outcomes: &[Outcome], rerun_flags: &str) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let mut grants: Vec<Grant> = Vec::new();
    for ToAdd {
        scope,
        may_be_granted,
    } in scopes_to_add(outcomes)
    {
        let (app, org) = (scope.app.as_deref(), scope.org_name.as_deref());
        let label = format!("{} ({})", scope.name, scope.scope);
        let scopes = match grants.iter_mut().find(|g| g.app == app && g.org == org) {
            Some(grant) => &mut grant.scopes,
            None => {
                grants.push(Grant {
                    app,
                    org,
                    scopes: Vec::new(),
                });
                &mut grants.last_mut().expect("just pushed").scopes
            }
        };
        let places = match scopes
            .iter_mut()
            .find(|(l, _, maybe)| *l == label && *maybe == may_be_granted)
        {
            Some((_, places, _)) => places,
            None => {
                scopes.push((label, Vec::new(), may_be_granted));
                &mut scopes.last_mut().expect("just pushed").1
            }
        };
        if let Some(env) = scope.env_name.as_deref()
            && !places.contains(&env)
        {
            places.push(env);
        }
    }
    for Grant { app, org, scopes } in &grants {
        let app = app.map_or("your app".to_string(), |a| format!("\"{a}\""));
        let org = org.map(|o| format!(", for \"{o}\"")).unwrap_or_default();
        let mut fix = format!(
            "Access Management > Connected Apps > {app} > Manage Scopes > Add Scopes{org}:"
        );
        for (label, places, may_be_granted) in scopes {
            let maybe = if *may_be_granted {
                " (may already be granted)"
            } else {
                ""
            };
            if places.is_empty() {
                fix.push_str(&format!("\n{label}{maybe}"));
            } else {
                fix.push_str(&format!("\n{label} in {}{maybe}", places.join(", ")));
            }
        }
        fix.push_str("\nSave, then get a new token (scopes reach new tokens only).");
        fixes.push(Fix::text_only(fix));
    }
    // The command that applies the scopes above: `fix` plans the same list.
    if !grants.is_empty() {
        fixes.push(Fix {
            text: "Or add the scopes above in one step (it needs ANYPOINT_ADMIN_BEARER, shows the plan and asks before it changes anything):".into(),
            command: Some(format!("anypoint-doctor fix{rerun_flags}")),
        });
    }
    let mut others: Vec<(&str, Vec<&str>)> = Vec::new();
    for outcome in outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Error) && o.missing_scope.is_none())
    {
        let Some(remediation) = outcome.remediation.as_deref() else {
            continue;
        };
        match others.iter_mut().find(|(r, _)| *r == remediation) {
            Some((_, ids)) => {
                if !ids.contains(&outcome.id.as_str()) {
                    ids.push(&outcome.id);
                }
            }
            None => others.push((remediation, vec![&outcome.id])),
        }
    }
    for (remediation, ids) in others {
        fixes.push(Fix::text_only(format!(
            "{remediation} ({})",
            ids.join(", ")
        )));
    }
    fixes
}
