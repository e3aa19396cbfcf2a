//! Markdown renderer: the same report for pasting into a ticket or a CI summary.

use super::model::{Outcome, Report};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

pub fn render(report: &Report) -> String {
    let t = &report.target;
    let mut out = String::from("# anypoint-doctor report\n\n");
    let mut facts = vec![
        format!("- Tool: {} {}", report.tool.name, report.tool.version),
        format!("- Generated: {}", report.generated_at),
        format!("- Control plane: {}", t.host),
    ];
    if let (Some(name), Some(id)) = (&t.org_name, &t.org_id) {
        facts.push(format!("- Organization: {name} (`{id}`)"));
    }
    if let Some(root) = &t.root_org_id {
        facts.push(format!("- Root organization: `{root}`"));
    }
    if let Some(client) = &t.client_id {
        facts.push(format!("- Client id: `{client}`"));
    }
    if !t.environments.is_empty() {
        let envs: Vec<String> = t
            .environments
            .iter()
            .map(|e| format!("{} (`{}`)", e.name, e.id))
            .collect();
        facts.push(format!("- Environments: {}", envs.join(", ")));
    }
    out.push_str(&facts.join("\n"));

    let s = &report.summary;
    out.push_str(&format!(
        "\n\n## Summary\n\n{} passed, {} warned, **{} failed**, {} skipped, {} could not check ({} ms).\n",
        s.pass, s.warn, s.fail, s.skip, s.error, report.duration_ms
    ));

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

    if !report.next_steps.is_empty() {
        out.push_str("\n## Next steps\n\n");
        for (n, step) in report.next_steps.iter().enumerate() {
            out.push_str(&format!(
                "{}. {}\n\n   ```sh\n   {}\n   ```\n\n",
                n + 1,
                step.title,
                step.command
            ));
        }
    }

    out.push_str("\n## Requests\n\n| Check | Method | URL | Status | ms | x-anypnt-trx-id |\n|---|---|---|---|---|---|\n");
    for o in &report.checks {
        for e in &o.evidence {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                o.id,
                e.method,
                cell(&e.url),
                e.status.map_or("no answer".into(), |s| s.to_string()),
                e.elapsed_ms,
                e.trx_id.as_deref().unwrap_or("")
            ));
        }
    }
    out
}

fn row(o: &Outcome) -> String {
    let summary = if o.inferred {
        format!("{} *(inferred)*", o.summary)
    } else {
        o.summary.clone()
    };
    format!(
        "| {} {} | `{}` | {} | {} | {} |\n",
        o.status.symbol(),
        o.status.word(),
        o.id,
        cell(o.target.as_deref().unwrap_or("")),
        cell(&summary),
        cell(o.remediation.as_deref().unwrap_or(""))
    )
}
