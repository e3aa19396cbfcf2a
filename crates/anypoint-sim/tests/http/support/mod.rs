//! The harness of the simulator's tests: the simulator over HTTP (`api`,
//! shared with the doctor's tests), and the reference data of the workspace
//! its answers are compared with.

pub mod api;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The workspace's root: the reference data lives beside the doctor, which
/// checks its own answers against the same files.
fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// A file of `tests/fixtures` (the platform's answers as its docs show
/// them), as JSON.
#[track_caller]
pub fn fixture(name: &str) -> Value {
    read_json(&workspace().join("tests/fixtures").join(name))
}

/// The published description of an anypoint-client-go module, as
/// `tests/it/conformance/published/<module>.json` restates it.
#[track_caller]
pub fn published(module: &str) -> Value {
    let path: PathBuf = workspace()
        .join("tests/it/conformance/published")
        .join(format!("{module}.json"));
    let description = read_json(&path);
    assert_eq!(description["module"], module, "{}", path.display());
    description
}

#[track_caller]
fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
