//! The published response schemas of `published/*.json`: MuleSoft's OpenAPI
//! descriptions (anypoint-client-go) restated per route as JSON Schema, read
//! and compiled, and the placeholders of their paths.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// Where the files live.
const FOLDER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/conformance/published"
);

/// The placeholders a route's path may name (the shared format's vocabulary).
pub const VOCABULARY: &[&str] = &[
    "orgId",
    "envId",
    "apiId",
    "groupId",
    "assetId",
    "version",
    "connAppId",
    "userId",
    "policyId",
    "tierId",
    "upstreamId",
    "alertId",
    "applicationId",
    "contractId",
    "pageName",
    "resourcePath",
];

/// One file: a module of the Go client and the routes it describes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    module: String,
    repository: String,
    commit: String,
    file: String,
    routes: Vec<RouteFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    method: String,
    path: String,
    operation: String,
    status: u16,
    schema: Value,
    #[serde(default)]
    notes: Vec<String>,
}

/// One route as a test uses it: where it is described and what it answers.
#[derive(Debug, Clone)]
pub struct Route {
    pub module: String,
    /// `repository@commit:file`, for messages.
    pub source: String,
    pub method: String,
    pub path: String,
    pub operation: String,
    pub status: u16,
    pub schema: Value,
    pub notes: Vec<String>,
}

impl Route {
    /// The placeholders the path names, in order.
    pub fn placeholders(&self) -> Vec<&str> {
        placeholders(&self.path)
    }

    /// The path with each placeholder replaced by its value in `binding`.
    pub fn fill(&self, binding: &BTreeMap<&str, String>) -> String {
        let mut out = self.path.clone();
        for name in self.placeholders() {
            let value = binding
                .get(name)
                .unwrap_or_else(|| panic!("{}: no value for {{{name}}}", self.path));
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// The schema, compiled (draft 2020-12).
    pub fn validator(&self) -> jsonschema::Validator {
        jsonschema::draft202012::new(&self.schema).unwrap_or_else(|e| {
            panic!(
                "{} {} ({}): the schema does not compile: {e}",
                self.method, self.path, self.source
            )
        })
    }
}

/// `{name}` segments of a path, in order.
pub fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Every route of every `*.json` in the folder (`<module>.extra.json` too), by file name.
pub fn routes() -> Vec<Route> {
    let mut files: Vec<_> = std::fs::read_dir(FOLDER)
        .unwrap_or_else(|e| panic!("{FOLDER}: {e}"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{FOLDER} holds no published schema");
    files.iter().flat_map(|p| read(p)).collect()
}

fn read(path: &Path) -> Vec<Route> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let file: File = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{path:?} is not in the format: {e}"));
    let source = format!("{}@{}:{}", file.repository, file.commit, file.file);
    file.routes
        .into_iter()
        .map(|r| {
            let route = Route {
                module: file.module.clone(),
                source: source.clone(),
                method: r.method,
                path: r.path,
                operation: r.operation,
                status: r.status,
                schema: r.schema,
                notes: r.notes,
            };
            if let Some(unknown) = route
                .placeholders()
                .into_iter()
                .find(|p| !VOCABULARY.contains(p))
            {
                panic!(
                    "{path:?}: {} names {{{unknown}}}, which is not in the vocabulary ({})",
                    route.path,
                    VOCABULARY.join(", ")
                );
            }
            route
        })
        .collect()
}
