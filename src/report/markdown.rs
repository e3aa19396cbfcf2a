//! Markdown renderer: the same report for pasting into a ticket or a CI summary.
//! Text from the platform or from files is made safe for a line first
//! (`sanitize`), then escaped where Markdown would read structure into it.

use super::model::{Outcome, Report, Status};
use super::sanitize;
use crate::doctor::facts::OrgInfo;

/// Untrusted text (a name, an id, a URL, a message) on one line as Markdown
/// shows it: every character as itself. No link, raw HTML, autolink, entity,
/// code span, emphasis, strikethrough or math reads into it, and no block
/// marker at its start (heading, quote, list item, rule, fence).
fn text(line: &str) -> String {
    let line = line.trim_start();
    let mut out = String::with_capacity(line.len() + 1);
    escape_into(line, true, &mut out);
    out
}

/// The doctor's own text (a summary, a fix) on one line: what it quotes
/// between backticks (a command, a field) as code, which shows it exactly
/// and copies as printed, the rest as `text`.
fn prose(line: &str) -> String {
    let mut rest = line.trim_start();
    let mut out = String::with_capacity(rest.len() + 8);
    let mut at_start = true;
    while let Some((before, quoted, after)) = quoted_code(rest) {
        escape_into(before, at_start, &mut out);
        out.push_str(&code(quoted));
        at_start = false;
        rest = after;
    }
    escape_into(rest, at_start, &mut out);
    out
}

/// Markdown (from `text` or `prose`) in a table cell: a `|` would end the
/// cell. GFM reads `\|` as `|` in a code span too, and a backslash before it
/// stays itself.
fn cell(markdown: &str) -> String {
    markdown.replace('|', "\\|")
}

/// `text` with a backslash before each character Markdown could read as
/// markup (`_` only where it is not inside a word, `&` only where it starts
/// an entity: elsewhere they cannot be, and a URL stays whole for an
/// autolink), and before the character that would make the text start a
/// block.
fn escape_into(text: &str, at_start: bool, out: &mut String) {
    let block = if at_start { block_marker(text) } else { None };
    let in_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut before: Option<char> = None;
    for (at, c) in text.char_indices() {
        let after = &text[at + c.len_utf8()..];
        let markup = match c {
            '\\' | '`' | '<' | '[' | ']' | '*' | '~' | '$' => true,
            '_' => !(in_word(before) && in_word(after.chars().next())),
            '&' => starts_an_entity(after),
            _ => false,
        };
        if markup || block == Some(at) {
            out.push('\\');
        }
        out.push(c);
        before = Some(c);
    }
}

/// Whether what follows a `&` would make it an entity or a character
/// reference (`&amp;`, `&#39;`, `&#x27;`), which Markdown replaces.
fn starts_an_entity(after: &str) -> bool {
    let name = after.trim_start_matches('#');
    let len = name
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(name.len());
    len > 0 && len <= 32 && name[len..].starts_with(';')
}

/// Where the character is that would make a line start a block rather than
/// a paragraph (heading, quote, list item, rule, fence): the first, or the
/// `.` or `)` after an ordered list item's number (a backslash escapes
/// punctuation only). Escaping it keeps the line text.
fn block_marker(line: &str) -> Option<usize> {
    let ends_marker = |rest: &str| rest.is_empty() || rest.starts_with([' ', '\t']);
    let hashes = line.len() - line.trim_start_matches('#').len();
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && line[digits..].starts_with(['.', ')']) && ends_marker(&line[digits + 1..]) {
        return Some(digits);
    }
    let first = line.starts_with('>')
        || line.starts_with("```")
        || line.starts_with("~~~")
        || (hashes > 0 && ends_marker(&line[hashes..]))
        || (line.starts_with(['-', '+', '*']) && ends_marker(&line[1..]))
        || (line.len() >= 3 && line.chars().all(|c| matches!(c, '-' | '*' | '_' | ' ')));
    first.then_some(0)
}

/// The first code the doctor quotes in `text`, as (before, code, after): a
/// backtick that starts a word, then what a POSIX shell reads up to the next
/// backtick outside quotes that ends one. Every value in a printed command
/// is quoted (`text::shell_word`), so a backtick in an id does not end it.
fn quoted_code(text: &str) -> Option<(&str, &str, &str)> {
    let word_edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut from = 0;
    while let Some(open) = text[from..].find('`').map(|at| at + from) {
        from = open + 1;
        if !word_edge(text[..open].chars().next_back()) {
            continue;
        }
        let inside = &text[open + 1..];
        if let Some(close) = closing_backtick(inside).filter(|&close| close > 0) {
            return Some((&text[..open], &inside[..close], &inside[close + 1..]));
        }
    }
    None
}

/// Where the first backtick in `text` is that a shell would not read as
/// quoted and that ends a word.
fn closing_backtick(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (None, '`') if chars.peek().is_none_or(|(_, next)| !next.is_alphanumeric()) => {
                return Some(at);
            }
            (None | Some('"'), '\\') => {
                chars.next();
            }
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            _ => {}
        }
    }
    None
}

/// Text as a code span, which shows it as it is: fenced with more backticks
/// than it holds in a row, and padded when it starts or ends with a backtick
/// or would lose the spaces at both its ends.
fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let spaced = text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty();
    let pad = if text.starts_with('`') || text.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The business groups a sweep did not check and why (`why` ends the
/// sentence), after its reports; nothing when it checked every one.
pub fn not_checked(groups: &[OrgInfo], why: &str) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n---\n\n## Business groups not checked\n\n{} business group(s) were not checked: {}.\n\n",
        groups.len(),
        text(why)
    );
    for group in groups {
        let (name, id) = (crate::text::line(&group.name), crate::text::line(&group.id));
        out.push_str(&format!("- {} ({})\n", text(&name), code(&id)));
    }
    out
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
            out.push_str(&format!("- {}\n", prose(&change.summary)));
        }
    }

    let fixes = super::terminal::compact::what_to_fix(&report.checks, &report.rerun_flags);
    if !fixes.is_empty() {
        out.push_str("\n## What to fix\n\n");
        for (n, fix) in fixes.iter().enumerate() {
            let mut lines: Vec<String> = fix.text.lines().map(prose).collect();
            // The command as code, which copies as printed.
            if let (Some(command), Some(last)) = (&fix.command, lines.last_mut()) {
                last.push(' ');
                last.push_str(&code(command));
            }
            let mut lines = lines.into_iter();
            out.push_str(&format!(
                "{}. {}\n",
                n + 1,
                lines.next().unwrap_or_default()
            ));
            for line in lines {
                out.push_str(&format!("   - {line}\n"));
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
            prose(&least.sentence())
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
            prose(&preflight.sentence())
        ));
    }

    if !report.next_steps.is_empty() {
        out.push_str("\n## Next steps\n\n");
        for (n, step) in report.next_steps.iter().enumerate() {
            out.push_str(&format!(
                "{}. {}\n\n   ```sh\n   {}\n   ```\n\n",
                n + 1,
                prose(&step.title),
                step.command
            ));
        }
    }

    out.push_str("\n## Settings\n\n| Setting | Value | From |\n|---|---|---|\n");
    for setting in &report.settings {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&text(&setting.name)),
            cell(&text(&setting.value)),
            cell(&text(&setting.source))
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
                cell(&text(&e.url)),
                e.status.map_or("no answer".into(), |s| s.to_string()),
                e.elapsed_ms,
                cell(&text(e.trx_id.as_deref().unwrap_or(""))),
                cell(&text(e.request_id.as_deref().unwrap_or("")))
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
        out.push_str(&format!("- `{}`{target}: {}\n", o.id, prose(&o.summary)));
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
        format!("{} *(inferred)*", cell(&prose(&o.summary)))
    } else {
        cell(&prose(&o.summary))
    };
    format!(
        "| {} {} | `{}` | {} | {} | {} |\n",
        o.status.symbol(),
        o.status.word(),
        o.id,
        cell(&text(o.target.as_deref().unwrap_or(""))),
        summary,
        cell(&prose(o.remediation.as_deref().unwrap_or("")))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    /// What a GFM renderer shows of `markdown`'s first paragraph, or of its
    /// table's first body cell: the text, each code span between single
    /// backticks (as the doctor writes code in its text).
    fn shown(markdown: &str) -> String {
        let mut out = String::new();
        let mut head = false;
        for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::TableHead) => head = true,
                Event::End(TagEnd::TableHead) => head = false,
                Event::End(TagEnd::Paragraph | TagEnd::TableCell) if !head => return out,
                Event::Text(text) if !head => out.push_str(&text),
                Event::Code(code) if !head => out.push_str(&format!("`{code}`")),
                _ => {}
            }
        }
        out
    }

    fn in_a_table(cell: &str) -> String {
        format!("| head |\n|---|\n| {cell} |\n")
    }

    #[test]
    fn text_shows_every_character_as_itself_in_a_line_and_in_a_cell() {
        for tricky in [
            "1. x",
            "2) y",
            "# h",
            "> q",
            "- l",
            "+ l",
            "* l",
            "---",
            "___",
            "```js",
            "~~~",
            "a_b_c",
            "_a_ b__c__",
            "*a* **b**",
            "~~s~~ ~t~",
            "$x$ and $y$",
            "&amp; &#39; &#x27;",
            "a & b;",
            "<b>x</b> <http://h>",
            "[l](u) ![i](u)",
            "a\\b\\",
            "`c` ``d``",
            "x | y \\| z",
            "http://h/p_q?a=1&b=2",
            "****f0e9 and **** sha256",
        ] {
            assert_eq!(shown(&text(tricky)), tricky, "a line: {}", text(tricky));
            let cell = cell(&text(tricky));
            assert_eq!(shown(&in_a_table(&cell)), tricky, "a cell: {cell}");
        }
    }

    #[test]
    fn prose_shows_its_commands_as_code_exactly() {
        for command in [
            "anypoint-doctor fix --org 'o1`x'",
            "anypoint-doctor check --org 'a\\|b' --env 'c|d\\'",
            "anypoint-doctor check --env 'it'\\''s' --org \"q\\`x\"",
            "anypoint-doctor apis --org '``' --env ' '",
        ] {
            let line = format!("To tell, run `{command}`: it reads *all*.");
            for markdown in [prose(&line), in_a_table(&cell(&prose(&line)))] {
                assert_eq!(shown(&markdown), line, "{markdown}");
            }
        }
        // A backtick inside a word quotes nothing; one left open is text.
        for line in ["a`b then `c`", "open ` never closed", "`x`y` z"] {
            assert_eq!(shown(&prose(line)), line, "{}", prose(line));
        }
    }
}
