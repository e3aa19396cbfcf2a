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

/// A schema of `schema/`, compiled, formats checked; a reference to another
/// of them is read from `schema/`, never fetched.
#[track_caller]
pub fn validator(name: &str) -> jsonschema::Validator {
    struct SchemaFolder;
    impl jsonschema::Retrieve for SchemaFolder {
        fn retrieve(
            &self,
            uri: &jsonschema::Uri<String>,
        ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
            let name = uri
                .as_str()
                .strip_prefix("https://anypoint-doctor.invalid/schema/")
                .ok_or_else(|| format!("not one of schema/: {}", uri.as_str()))?;
            Ok(serde_json::from_str(&read(
                &Path::new(ROOT).join("schema").join(name),
            ))?)
        }
    }
    let text = read(&Path::new(ROOT).join("schema").join(name));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .with_retriever(SchemaFolder)
        .build(&schema)
        .expect("the schema compiles")
}

/// `schema/report.schema.json`, compiled once.
pub fn schema() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| validator("report.schema.json"))
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, what: &str, value: &Value) {
    let errors = validator.iter_errors(value).into_errors();
    assert!(
        errors.is_empty(),
        "{what} does not match the schema:\n{errors}\n{value:#}"
    );
}

/// `report` matches the report schema.
#[track_caller]
pub fn assert_schema_valid(report: &Value) {
    assert_valid(schema(), "report", report);
}

/// `document` matches the sweep schema (`schema/sweep.schema.json`, whose
/// reports are the report schema's).
#[track_caller]
pub fn assert_sweep_valid(document: &Value) {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| validator("sweep.schema.json"));
    assert_valid(validator, "sweep", document);
}

/// `output` is JSON that matches the schema `name` of `schema/`; its value.
#[track_caller]
pub fn assert_matches(name: &str, output: &str) -> Value {
    let value: Value =
        serde_json::from_str(output).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {output}"));
    assert_valid(&validator(name), name, &value);
    value
}
