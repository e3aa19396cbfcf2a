//! The data the binary carries: the check, scan-rule and scope-catalogue
//! TOML files, embedded at build time and parsed with errors that name the file.

use serde::de::DeserializeOwned;

/// `(id, contents)` of `<folder>/<id>.toml` for each id, embedded at build time.
macro_rules! embedded_files {
    ($folder:literal: $($id:literal),* $(,)?) => {
        &[$(($id, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $folder, "/", $id, ".toml")))),*]
    };
}
pub(crate) use embedded_files;

/// An embedded file that does not parse, named as in the repository. The
/// test suite parses every one, so this only reaches a developer.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct EmbeddedError {
    path: String,
    source: toml::de::Error,
}

/// Parses one embedded file; an error names it (`path` as in the repository).
pub fn parse_file<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, EmbeddedError> {
    toml::from_str(text).map_err(|source| EmbeddedError {
        path: path.to_string(),
        source,
    })
}

/// Parses embedded files in order; an error names the file.
pub fn parse_files<T: DeserializeOwned>(
    folder: &str,
    files: &[(&str, &str)],
) -> Result<Vec<T>, EmbeddedError> {
    files
        .iter()
        .map(|(id, text)| parse_file(&format!("{folder}/{id}.toml"), text))
        .collect()
}

/// Test support: the TOML files in a folder of the crate are exactly the registered ones.
#[cfg(test)]
pub fn assert_every_file_registered(folder: &str, files: &[(&str, &str)]) {
    use std::collections::HashSet;
    let dir = format!("{}/{folder}", env!("CARGO_MANIFEST_DIR"));
    let on_disk: HashSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let registered: HashSet<String> = files.iter().map(|(id, _)| format!("{id}.toml")).collect();
    assert_eq!(
        on_disk, registered,
        "{folder}/ and the registry list differ"
    );
}
