//! Markdown renderer: the same report for pasting into a ticket or a CI summary.
//! Text from the platform or from files is made safe for a line first
//! (`sanitize`), then escaped where Markdown would read structure into it.

use super::model::{Outcome, Report, Status};
use super::sanitize;

/// One line of text as Markdown shows it, whatever it holds: no link, raw
/// HTML or autolink, and no block marker at its start (heading, quote, list
/// item, rule, fence). Backticks are kept: the doctor's own fixes quote
/// commands with them.
fn text(line: &str) -> String {
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 1);
    if starts_a_block(line) {
        out.push('\\');
    }
    for c in line.chars() {
        if matches!(c, '\\' | '<' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `text` in a table cell: a `|` would end the cell.
fn cell(line: &str) -> String {
    text(line).replace('|', "\\|")
}

/// Whether a line would start a block rather than a paragraph; escaping its
/// first character keeps it text.
fn starts_a_block(line: &str) -> bool {
    let ends_marker = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    let hashes = line.len() - line.trim_start_matches('#').len();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    line.starts_with('>')
        || line.starts_with("```")
        || line.starts_with("~~~")
        || (hashes > 0 && ends_marker(&line[hashes..]))
        || (line.starts_with(['-', '+', '*']) && ends_marker(&line[1..]))
        || (line.len() >= 3 && line.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')))
        || (digits > 0
            && line[digits..].starts_with(['.', ')'])
            && ends_marker(&line[digits + 1..]))
}

/// Text as a code span: fenced with more backticks than it holds in a row.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

pub fn render(report: &Report) -> String {
    let report = &sanitize::report(report);
    let t = &report.target;
    let mut out = String::from("# anypoint-doctor report\n\n");
    let mut facts = vec![
        format!("- Tool: {} {}", report.tool.name, report.tool.version),
        format!("- Generated: {}", report.generated_at),
        format!("- Control plane: {}", text(&t.host)),
        format!("- System: {} {}", report.system.os, report.system.arch),
    ];
    if let (Some(name), Some(id)) = (&t.org_name, &t.org_id) {
        facts.push(format!("- Organization: {} ({})", text(name), code(id)));
    }
    if let Some(root) = &t.root_org_id {
        facts.push(format!("- Root organization: {}", code(root)));
    }
    if let Some(client) = &t.client_id {
        facts.push(format!("- Client id: {}", code(client)));
    }
    if !t.environments.is_empty() {
        let envs: Vec<String> = t
            .environments
            .iter()
            .map(|e| format!("{} ({})", text(&e.name), code(&e.id)))
            .collect();
        facts.push(format!("- Environments: {}", envs.join(", ")));
    }
    out.push_str(&facts.join("\n"));

    let s = &report.summary;
    out.push_str(&format!(
        "\n\n## Summary\n\n{} passed, {} warned, **{} failed**, {} skipped, {} could not check ({} ms).\n",
        s.pass, s.warn, s.fail, s.skip, s.error, report.duration_ms
    ));

    out.push_str(&support(report));
    if let Some(changes) = &report.changes {
        out.push_str("\n## Changes since the baseline\n\n");
        if changes.is_empty() {
            out.push_str("Nothing changed.\n");
        }
        for change in changes {
            out.push_str(&format!("- {}\n", text(&change.summary)));
        }
    }

    let fixes = super::compact::what_to_fix(&report.checks, &report.rerun_flags);
    if !fixes.is_empty() {
        out.push_str("\n## What to fix\n\n");
        for (n, fix) in fixes.iter().enumerate() {
            let mut lines = fix.lines();
            out.push_str(&format!(
                "{}. {}\n",
                n + 1,
                text(lines.next().unwrap_or_default())
            ));
            for line in lines {
                out.push_str(&format!("   - {}\n", text(line)));
            }
        }
    }

    out.push_str(
        "\n## Checks\n\n| Status | Check | Target | Summary | Fix |\n|---|---|---|---|---|\n",
    );
    for o in &report.checks {
        out.push_str(&row(o));
    }
    if report.checks.iter().any(|o| o.inferred) {
        out.push_str(
            "\n*(inferred)*: concluded from a probe, not from the app's granted scopes.\n",
        );
    }

    if let Some(least) = &report.least_privilege {
        out.push_str(&format!(
            "\n## Least privilege\n\n{}\n",
            text(&least.sentence())
        ));
        for line in least.call_lines() {
            out.push_str(&format!("\n- {}", code(&line)));
        }
        if !least.calls.is_empty() {
            out.push('\n');
        }
    }

    if let Some(preflight) = &report.preflight {
        out.push_str(&format!(
            "\n## Pre-flight\n\n{}\n",
            text(&preflight.sentence())
        ));
    }

    if !report.next_steps.is_empty() {
        out.push_str("\n## Next steps\n\n");
        for (n, step) in report.next_steps.iter().enumerate() {
            out.push_str(&format!(
                "{}. {}\n\n   ```sh\n   {}\n   ```\n\n",
                n + 1,
                text(&step.title),
                step.command
            ));
        }
    }

    out.push_str("\n## Settings\n\n| Setting | Value | From |\n|---|---|---|\n");
    for setting in &report.settings {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&setting.name),
            cell(&setting.value),
            cell(&setting.source)
        ));
    }

    out.push_str("\n## Requests\n\n| Check | Sent at | Method | URL | Status | ms | x-anypnt-trx-id | x-request-id |\n|---|---|---|---|---|---|---|---|\n");
    for o in &report.checks {
        for e in &o.evidence {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
                o.id,
                e.at,
                e.method,
                cell(&e.url),
                e.status.map_or("no answer".into(), |s| s.to_string()),
                e.elapsed_ms,
                cell(e.trx_id.as_deref().unwrap_or("")),
                cell(e.request_id.as_deref().unwrap_or(""))
            ));
        }
    }
    out
}

/// The few lines a support engineer needs first: who, where, when, what
/// failed, and the transaction ids to look up.
fn support(report: &Report) -> String {
    let t = &report.target;
    let bad: Vec<&Outcome> = report
        .checks
        .iter()
        .filter(|o| matches!(o.status, Status::Fail | Status::Error))
        .collect();
    let mut out = format!(
        "\n## What to tell support\n\n{} {} on {} {} checked client {} against {} (organization {}) at {}: ",
        report.tool.name,
        report.tool.version,
        report.system.os,
        report.system.arch,
        code(t.client_id.as_deref().unwrap_or("unknown")),
        text(&t.host),
        code(t.org_id.as_deref().unwrap_or("unknown")),
        report.generated_at
    );
    if bad.is_empty() {
        out.push_str("nothing failed.\n");
    } else {
        out.push_str(&format!(
            "{} result(s) failed or could not be checked.\n\n",
            bad.len()
        ));
    }
    // A request several checks share (the refused read of the granted
    // scopes, above all) is told once, under the first of them.
    let mut told = std::collections::HashSet::new();
    for o in bad {
        let target = o
            .target
            .as_deref()
            .map(|t| format!(" ({})", text(t)))
            .unwrap_or_default();
        out.push_str(&format!("- `{}`{target}: {}\n", o.id, text(&o.summary)));
        for e in o
            .evidence
            .iter()
            .filter(|e| e.status.is_none_or(|s| s >= 400))
            .filter(|e| told.insert((e.method.clone(), e.url.clone())))
        {
            out.push_str(&format!(
                "  - {} {} → {} at {}{}\n",
                text(&e.method),
                text(&e.url),
                e.status.map_or("no answer".into(), |s| s.to_string()),
                e.at,
                e.trx_id
                    .as_deref()
                    .map(|trx| format!(", x-anypnt-trx-id {}", code(trx)))
                    .unwrap_or_default()
            ));
        }
    }
    out.push_str("\nNo secret is in this report: the client secret and tokens appear only as SHA-256 fingerprints.\n");
    out
}

fn row(o: &Outcome) -> String {
    let summary = if o.inferred {
        format!("{} *(inferred)*", cell(&o.summary))
    } else {
        cell(&o.summary)
    };
    format!(
        "| {} {} | `{}` | {} | {} | {} |\n",
        o.status.symbol(),
        o.status.word(),
        o.id,
        cell(o.target.as_deref().unwrap_or("")),
        summary,
        cell(o.remediation.as_deref().unwrap_or(""))
    )
}
