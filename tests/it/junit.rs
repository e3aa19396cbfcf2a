//! JUnit XML as its strictest common consumer reads it: the JUnit schema of
//! Jenkins' xUnit plugin (`junit-10.xsd`, jenkinsci/xunit-plugin @ 8c515de,
//! `src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/`),
//! restated here as rules (which attributes each element allows and needs,
//! which children it may hold, the `time` pattern), and checked on every
//! JUnit document the doctor writes: each scenario's `check`, and a sweep's,
//! with its groups left unbegun.

use std::collections::BTreeMap;

use regex::Regex;

use crate::support::bin::doctor_async;
use crate::support::sim::{Sim, app_env, scenarios, serve, stop, world};

/// One element of the schema: the attributes it allows (`required` among
/// them) and the elements it may contain.
struct Element {
    allowed: &'static [&'static str],
    required: &'static [&'static str],
    children: &'static [&'static str],
}

/// The schema's elements, as `junit-10.xsd` declares them.
fn schema() -> BTreeMap<&'static str, Element> {
    const MESSAGE: &[&str] = &["type", "message"];
    const RERUN: Element = Element {
        allowed: &["message", "type"],
        required: &["type"],
        children: &["stackTrace", "system-out", "system-err"],
    };
    BTreeMap::from([
        (
            "testsuites",
            Element {
                allowed: &["name", "time", "tests", "failures", "errors"],
                required: &[],
                children: &["testsuite"],
            },
        ),
        (
            "testsuite",
            Element {
                allowed: &[
                    "name",
                    "tests",
                    "failures",
                    "errors",
                    "group",
                    "time",
                    "skipped",
                    "timestamp",
                    "hostname",
                    "id",
                    "package",
                    "file",
                    "log",
                    "url",
                    "version",
                ],
                required: &["name", "tests", "failures", "errors"],
                children: &[
                    "testsuite",
                    "properties",
                    "testcase",
                    "system-out",
                    "system-err",
                ],
            },
        ),
        (
            "testcase",
            Element {
                allowed: &["name", "time", "classname", "group"],
                required: &["name"],
                children: &[
                    "skipped",
                    "error",
                    "failure",
                    "rerunFailure",
                    "rerunError",
                    "flakyFailure",
                    "flakyError",
                    "system-out",
                    "system-err",
                ],
            },
        ),
        for_text("failure", MESSAGE),
        for_text("error", MESSAGE),
        for_text("skipped", MESSAGE),
        (
            "properties",
            Element {
                allowed: &[],
                required: &[],
                children: &["property"],
            },
        ),
        (
            "property",
            Element {
                allowed: &["name", "value"],
                required: &["name", "value"],
                children: &[],
            },
        ),
        for_text("system-out", &[]),
        for_text("system-err", &[]),
        for_text("stackTrace", &[]),
        ("rerunFailure", RERUN),
        ("rerunError", RERUN),
        ("flakyFailure", RERUN),
        ("flakyError", RERUN),
    ])
}

/// An element of text with these optional attributes.
fn for_text(name: &'static str, allowed: &'static [&'static str]) -> (&'static str, Element) {
    (
        name,
        Element {
            allowed,
            required: &[],
            children: &[],
        },
    )
}

/// What in `xml` the schema refuses; nothing when it validates.
fn refused(xml: &str) -> Vec<String> {
    // SUREFIRE_TIME: seconds, digits grouped by commas, up to three decimals.
    let time = Regex::new(r"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?$").unwrap();
    let schema = schema();
    let document = match roxmltree::Document::parse(xml) {
        Ok(document) => document,
        Err(e) => return vec![format!("not XML: {e}")],
    };
    let root = document.root_element();
    let mut problems = Vec::new();
    if root.tag_name().name() != "testsuites" && root.tag_name().name() != "testsuite" {
        problems.push(format!("root element <{}>", root.tag_name().name()));
    }
    for node in root.descendants().filter(roxmltree::Node::is_element) {
        let name = node.tag_name().name();
        let Some(rule) = schema.get(name) else {
            problems.push(format!("<{name}> is not in the schema"));
            continue;
        };
        for attribute in node.attributes() {
            if !rule.allowed.contains(&attribute.name()) {
                problems.push(format!("<{name}> has attribute {}", attribute.name()));
            }
        }
        for needed in rule.required {
            if node.attribute(*needed).is_none() {
                problems.push(format!("<{name}> lacks attribute {needed}"));
            }
        }
        if matches!(name, "testsuites" | "testsuite")
            && let Some(value) = node.attribute("time")
            && !time.is_match(value)
        {
            problems.push(format!("<{name}> time {value:?}"));
        }
        for child in node.children().filter(roxmltree::Node::is_element) {
            if !rule.children.contains(&child.tag_name().name()) {
                problems.push(format!("<{name}> holds <{}>", child.tag_name().name()));
            }
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_junit_report_is_valid_for_the_xunit_schema() {
    // Every scenario at once: each has a simulator of its own.
    let runs = futures::future::join_all(scenarios::SCENARIOS.iter().map(|scenario| async {
        let world = world(scenario.name);
        let sim = serve(world.clone()).await;
        let run = doctor_async(&["check", "--format", "junit"], &app_env(&sim, &world)).await;
        stop(sim).await;
        (scenario.name, run)
    }))
    .await;
    let mut problems = Vec::new();
    for (name, run) in runs {
        assert!(run.stdout.starts_with("<?xml"), "{name}: {run:#?}");
        problems.extend(
            refused(&run.stdout)
                .into_iter()
                .map(|p| format!("{name}: {p}")),
        );
    }
    // A sweep: a suite per business group, and one for the groups its
    // deadline left unbegun.
    let sim = Sim::start(world("generated-20x5")).await;
    let sweep = sim
        .run(&["check", "--org", "all", "--format", "junit"])
        .await;
    assert!(
        sweep.stdout.matches("<testsuite ").count() > 1,
        "{sweep:#?}"
    );
    problems.extend(
        refused(&sweep.stdout)
            .into_iter()
            .map(|p| format!("sweep: {p}")),
    );
    sim.stop().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rules_refuse_what_the_schema_refuses() {
    let valid = "<testsuites name=\"a\" tests=\"1\"><testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"0.012\"><testcase name=\"c\"><skipped message=\"m\"/></testcase></testsuite></testsuites>";
    assert!(refused(valid).is_empty(), "{:?}", refused(valid));
    for (invalid, why) in [
        (
            valid.replace("<testsuites name=\"a\"", "<testsuites skipped=\"1\""),
            "<testsuites> has attribute skipped",
        ),
        (
            valid.replace(" failures=\"0\"", ""),
            "<testsuite> lacks attribute failures",
        ),
        (valid.replace("0.012", "0.0125"), "<testsuite> time"),
        (
            valid.replace("<skipped message=\"m\"/>", "<skip/>"),
            "<skip> is not in the schema",
        ),
    ] {
        let problems = refused(&invalid);
        assert!(
            problems.iter().any(|p| p.contains(why)),
            "{why}: {problems:?}"
        );
    }
}
