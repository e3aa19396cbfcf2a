//! JUnit XML renderer: each outcome is a test case, so CI systems show the
//! doctor's verdicts next to their own tests. A warning passes, with its
//! text in `system-out`; `error` is an error, `skip` is skipped.

use super::model::{Outcome, Report, Status};

/// Text as XML character data: markup escaped, and the characters XML 1.0
/// does not allow (most C0 controls, U+FFFE, U+FFFF) or that a reader
/// would act on (CR, C1 controls) left out.
fn escape(text: &str) -> String {
    text.chars()
        .filter(|c| {
            (!c.is_control() || matches!(c, '\n' | '\t')) && !matches!(c, '\u{fffe}' | '\u{ffff}')
        })
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn case(o: &Outcome) -> String {
    let name = match &o.target {
        Some(target) => format!("{} [{target}]", o.id),
        None => o.id.clone(),
    };
    let detail = match &o.remediation {
        Some(fix) => format!("{}\nFix: {fix}", o.summary),
        None => o.summary.clone(),
    };
    let body = match o.status {
        Status::Pass => String::new(),
        Status::Warn => format!(
            "\n      <system-out>warning: {}</system-out>\n    ",
            escape(&detail)
        ),
        Status::Fail => format!(
            "\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n    ",
            escape(&o.summary),
            escape(&detail)
        ),
        Status::Error => format!(
            "\n      <error message=\"{}\" type=\"could-not-check\">{}</error>\n    ",
            escape(&o.summary),
            escape(&detail)
        ),
        Status::Skip => format!(
            "\n      <skipped message=\"{}\"/>\n    ",
            escape(&o.summary)
        ),
    };
    format!(
        "    <testcase classname=\"anypoint-doctor.{}\" name=\"{}\" time=\"{}\">{body}</testcase>\n",
        escape(&o.category),
        escape(&name),
        seconds(o.duration_ms)
    )
}

pub fn render(report: &Report) -> String {
    let name = format!("anypoint-doctor check {}", report.target.host);
    document(&[(name, report)], report.duration_ms)
}

/// A sweep: one test suite per report, named after its business group.
pub fn render_all<'a>(reports: impl Iterator<Item = &'a Report>) -> String {
    let suites: Vec<(String, &Report)> = reports
        .map(|report| {
            let org = report.target.org_name.as_deref().unwrap_or("base checks");
            (
                format!("anypoint-doctor check {} {org}", report.target.host),
                report,
            )
        })
        .collect();
    let duration = suites.iter().map(|(_, r)| r.duration_ms).max().unwrap_or(0);
    document(&suites, duration)
}

fn document(suites: &[(String, &Report)], duration_ms: u64) -> String {
    let total = super::sweep::summary(suites.iter().map(|(_, r)| *r));
    let tests: usize = suites.iter().map(|(_, r)| r.checks.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"anypoint-doctor\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
        total.fail,
        total.error,
        total.skip,
        seconds(duration_ms)
    ));
    for (name, report) in suites {
        let s = &report.summary;
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">\n",
            escape(name),
            report.checks.len(),
            s.fail,
            s.error,
            s.skip,
            seconds(report.duration_ms),
            escape(report.generated_at.trim_end_matches('Z'))
        ));
        for outcome in &report.checks {
            out.push_str(&case(outcome));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
