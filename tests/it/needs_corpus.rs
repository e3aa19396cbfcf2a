//! The accuracy corpus of `needs` (issue 26, point 5): every traffic file in
//! `tests/fixtures/needs/` beside its `<name>.expected.json`, whose least
//! privilege was written by hand from the catalogue (`scopes/endpoints.toml`,
//! `scopes/capabilities.toml`, `scopes/scopes.toml`). The whole set is
//! compared, scope and target, order aside; and the counts of unknown and
//! retired requests.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::bin::doctor;
use crate::support::fs::{ROOT, assert_matches};

/// The cases where `needs` answers other than the catalogue says, each with
/// why; their expectation stays the catalogue's, and the test fails once
/// `needs` gets them right, so the list is kept honest.
const KNOWN_WRONG: &[(&str, &str)] = &[(
    "exchange-contract-in-business-group.har",
    "create-contract's Exchange Viewer is for the API's asset, in its business group (the body's \
         groupId); needs takes the path's orgId, the client application's root organization",
)];

/// What a case expects, or what `needs` answered: the same fields.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    least_privilege: BTreeSet<(String, String)>,
    unknown: u64,
    retired: u64,
}

fn scopes(list: &Value) -> BTreeSet<(String, String)> {
    list.as_array()
        .expect("least_privilege is a list")
        .iter()
        .map(|g| {
            let scope = g["scope"].as_str().expect("a scope").to_string();
            // Canonical JSON (serde_json sorts keys), so the order of a target's fields is aside.
            (scope, g["target"].to_string())
        })
        .collect()
}

fn count(value: &Value) -> u64 {
    value.as_u64().expect("a count")
}

fn expected(traffic: &Path) -> (String, Answer) {
    let stem = traffic
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a name");
    let sidecar = traffic.with_file_name(format!("{stem}.expected.json"));
    let text =
        std::fs::read_to_string(&sidecar).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
    let json: Value = serde_json::from_str(&text).expect("an expectation is JSON");
    let why = json["why"].as_str().expect("a why").to_string();
    assert!(
        !why.is_empty() && !why.contains('\n'),
        "{}",
        sidecar.display()
    );
    (
        why,
        Answer {
            least_privilege: scopes(&json["least_privilege"]),
            unknown: count(&json["unknown"]),
            retired: count(&json["retired"]),
        },
    )
}

fn answered(traffic: &Path) -> Answer {
    let path = traffic.to_str().expect("a UTF-8 path");
    let run = doctor(&["needs", path, "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{run:#?}");
    let json = assert_matches("needs.schema.json", &run.stdout);
    let retired = json["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| !r["endpoint"]["retired"].is_null())
        .count();
    Answer {
        least_privilege: scopes(&json["least_privilege"]),
        unknown: count(&json["counts"]["unknown"]),
        retired: retired as u64,
    }
}

fn traffic_files() -> Vec<PathBuf> {
    let dir = Path::new(ROOT).join("tests/fixtures/needs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.ends_with(".expected.json"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_traffic_file_needs_exactly_its_hand_written_least_privilege() {
    let files = traffic_files();
    assert!(files.len() >= 30, "{} traffic files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("a name");
        let (why, expected) = expected(file);
        let answer = answered(file);
        let known_wrong = KNOWN_WRONG.iter().find(|(case, _)| *case == name);
        match (answer == expected, known_wrong) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => failures.push(format!(
                "{name} ({why}):\n  expected {expected:?}\n  answered {answer:?}"
            )),
            (true, Some((_, reason))) => failures.push(format!(
                "{name} is right now: take it out of KNOWN_WRONG ({reason})"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_known_wrong_case_is_in_the_corpus() {
    let names: Vec<String> = traffic_files()
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    for (case, _) in KNOWN_WRONG {
        assert!(names.iter().any(|n| n == case), "{case}");
    }
}
