//! Files the tests read and write: the reference fixtures, the schemas of
//! `schema/`, and fresh temporary folders (unique within this one test process).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// The crate's root.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A file of `tests/fixtures`, as text.
#[track_caller]
pub fn fixture(name: &str) -> String {
    read(&Path::new(ROOT).join("tests/fixtures").join(name))
}

/// A file of `tests/fixtures`, as JSON.
#[track_caller]
pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

#[track_caller]
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fresh, empty folder under the temp directory that no other test uses.
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "anypoint-doctor-it-{}-{name}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// `schema/report.schema.json`, compiled once, formats checked.
pub fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let text = read(&Path::new(ROOT).join("schema/report.schema.json"));
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema compiles")
    })
}

/// `report` matches the report schema.
#[track_caller]
pub fn assert_schema_valid(report: &Value) {
    let errors = schema().iter_errors(report).into_errors();
    assert!(
        errors.is_empty(),
        "report does not match the schema:\n{errors}\n{report:#}"
    );
}

/// A schema of `schema/`, compiled.
#[track_caller]
pub fn validator(name: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&read(&Path::new(ROOT).join("schema").join(name))).unwrap();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    jsonschema::draft202012::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `output` is JSON that matches the schema `name` of `schema/`; its value.
#[track_caller]
pub fn assert_matches(name: &str, output: &str) -> Value {
    let value: Value =
        serde_json::from_str(output).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {output}"));
    let validator = validator(name);
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{value:#}");
    value
}
