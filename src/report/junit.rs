//! JUnit XML renderer: each outcome is a test case, so CI systems show the
//! doctor's verdicts next to their own tests. A warning passes, with its
//! text in `system-out`; `error` is an error, `skip` is skipped.

use super::model::{Outcome, Report, Status, Summary};
use crate::doctor::facts::OrgInfo;

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
    let mut suites = Suites::default();
    suites.add(
        report,
        &format!("anypoint-doctor check {}", report.target.host),
    );
    suites.finish(report.duration_ms)
}

/// The name of a sweep's suite for `report`: its business group's.
pub fn sweep_suite_name(report: &Report) -> String {
    let org = report.target.org_name.as_deref().unwrap_or("base checks");
    format!("anypoint-doctor check {} {org}", report.target.host)
}

/// A document's test suites, added one report at a time (a sweep renders
/// each business group as it finishes); the totals go on the wrapper.
#[derive(Default)]
pub struct Suites {
    text: String,
    total: Summary,
    tests: usize,
}

impl Suites {
    pub fn add(&mut self, report: &Report, name: &str) {
        let s = &report.summary;
        self.total.add(s);
        self.tests += report.checks.len();
        self.text.push_str(&format!(
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
            self.text.push_str(&case(outcome));
        }
        self.text.push_str("  </testsuite>\n");
    }

    /// A suite of the business groups a sweep did not check, each an error
    /// saying `why`.
    pub fn add_not_checked(&mut self, name: &str, groups: &[OrgInfo], why: &str) {
        self.total.error += groups.len();
        self.tests += groups.len();
        self.text.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\" time=\"0.000\">\n",
            escape(name),
            n = groups.len()
        ));
        for group in groups {
            self.text.push_str(&format!(
                "    <testcase classname=\"anypoint-doctor.sweep\" name=\"{}\" time=\"0.000\">\n      <error message=\"not checked: {why}\" type=\"could-not-check\"/>\n    </testcase>\n",
                escape(&format!("\"{}\" ({})", group.name, group.id)),
                why = escape(why)
            ));
        }
        self.text.push_str("  </testsuite>\n");
    }

    /// The document, `duration_ms` long in all.
    pub fn finish(self, duration_ms: u64) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            // No `skipped` here: the common schema (Jenkins xUnit's) allows it
            // on each suite only, where it is given.
            "<testsuites name=\"anypoint-doctor\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n",
            self.tests,
            self.total.fail,
            self.total.error,
            seconds(duration_ms)
        ));
        out.push_str(&self.text);
        out.push_str("</testsuites>\n");
        out
    }
}
