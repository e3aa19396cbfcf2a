//! Choosing a world: a named scenario (or a generated one,
//! `generated-<N>x<M>`), or a scenario file (JSON or TOML) whose errors name
//! the line or the field to fix.

use std::path::{Path, PathBuf};

use super::world::World;
use super::{generate, scenarios};

/// Which world to serve: the doctor's `--scenario`, `--scenario-file`,
/// `--latency-ms` and `--rate-limit`, without the command line.
#[derive(Debug, Clone, Default)]
pub struct WorldOptions {
    /// A named scenario; ignored when `scenario_file` is given.
    pub scenario: Option<String>,
    pub scenario_file: Option<PathBuf>,
    /// Replaces the world's own latency.
    pub latency_ms: Option<u64>,
    /// Replaces the world's own rate limit (requests per endpoint and minute).
    pub rate_limit_per_minute: Option<u64>,
}

/// Why no world could be chosen. Each carries what a caller needs for a
/// one-line message with a hint (the scenario names, to suggest one).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown scenario {name:?}; use one of: {}", known.join(", "))]
    UnknownScenario {
        name: String,
        known: Vec<&'static str>,
    },
    /// A named scenario that does not resolve: a bug in the scenario table.
    #[error("scenario {name:?} does not resolve: {reason}")]
    BrokenScenario {
        name: String,
        reason: String,
        known: Vec<&'static str>,
    },
    #[error("scenario file {}: {reason}", path.display())]
    ScenarioFile { path: PathBuf, reason: String },
}

/// The world `options` name, else `default_scenario`, with a label saying which.
/// Takes the options, or anything that converts into them (a front end's own arguments).
pub fn world(
    options: impl Into<WorldOptions>,
    default_scenario: &str,
) -> Result<(World, String), LoadError> {
    let options = options.into();
    let (mut world, label) = match (&options.scenario_file, &options.scenario) {
        (Some(path), _) => (from_file(path)?, format!("file {}", path.display())),
        (None, name) => {
            let name = name.as_deref().unwrap_or(default_scenario);
            let (built, label) = match (scenarios::find(name), generate::parse(name)) {
                (Some(scenario), _) => (
                    scenario.world(),
                    format!("scenario \"{}\": {}", scenario.name, scenario.description),
                ),
                (None, Some((groups, environments))) => (
                    generate::world(groups, environments),
                    format!(
                        "scenario \"{name}\": {}",
                        generate::description(groups, environments)
                    ),
                ),
                (None, None) => {
                    return Err(LoadError::UnknownScenario {
                        name: name.to_string(),
                        known: scenarios::names(),
                    });
                }
            };
            let world = built
                .resolve()
                .map_err(|reason| LoadError::BrokenScenario {
                    name: name.to_string(),
                    reason: reason.to_string(),
                    known: scenarios::names(),
                })?;
            (world, label)
        }
    };
    if let Some(ms) = options.latency_ms {
        world.latency_ms = ms;
    }
    if let Some(limit) = options.rate_limit_per_minute {
        world.rate_limit_per_minute = Some(limit);
    }
    Ok((world, label))
}

pub fn from_file(path: &Path) -> Result<World, LoadError> {
    let fail = |reason: String| LoadError::ScenarioFile {
        path: path.to_path_buf(),
        reason: one_line(&reason),
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let world: World = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?,
        Some("toml") => toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
                .map(|n| format!("line {n}: "))
                .unwrap_or_default();
            fail(format!("{line}{}", e.message().trim()))
        })?,
        _ => return Err(fail("the name must end in .json or .toml".into())),
    };
    world.resolve().map_err(|e| fail(e.to_string()))
}

/// The parsers quote what they did not expect (a key, a value) as written:
/// a line break in it would break the one-line error, so control characters
/// are shown escaped (`\n`).
fn one_line(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for c in reason.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("anypoint-doctor-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_scenario_round_trips_through_json_and_toml() {
        let world = scenarios::find("env-scope-gap").unwrap().world();
        let json = write("w.json", &serde_json::to_string_pretty(&world).unwrap());
        assert_eq!(
            from_file(&json).unwrap().connected_apps[0].scopes.len(),
            world.connected_apps[0].scopes.len()
        );
        let toml_text = toml::to_string(&world).unwrap();
        let toml_path = write("w.toml", &toml_text);
        assert_eq!(from_file(&toml_path).unwrap().root.name, "Example Corp");
    }

    #[test]
    fn the_documented_example_loads() {
        // The example lives with the doctor, whose README documents it.
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/world.toml");
        let world = from_file(&example).unwrap();
        assert_eq!(
            world.connected_apps[0].org, world.root.id,
            "names resolve to ids"
        );
        assert_eq!(world.faults.len(), 1);
    }

    #[test]
    fn errors_name_the_line_or_field() {
        let bad_toml = write("bad.toml", "region = \"us\"\n[login]\nclient_id = 3\n");
        let err = from_file(&bad_toml).unwrap_err().to_string();
        assert!(err.contains("line 3"), "{err}");
        let bad_json = write("bad.json", "{\n  \"region\": \"us\",\n  \"login\": \n");
        let err = from_file(&bad_json).unwrap_err().to_string();
        assert!(err.contains("line"), "{err}");
        let mut world = scenarios::find("healthy").unwrap().world();
        world.connected_apps[0].scopes[1].env = Some("Staging".into());
        let dangling = write("dangling.json", &serde_json::to_string(&world).unwrap());
        let err = from_file(&dangling).unwrap_err().to_string();
        assert!(
            err.contains("connected_apps[0].scopes[1].env") && err.contains("Staging"),
            "{err}"
        );
        let err = from_file(&write("nl.json", r#"{"region": "us", "x\ny": 1}"#))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x\\ny") && !err.contains('\n'), "{err}");
        let err = from_file(&write("w.yaml", "x")).unwrap_err().to_string();
        assert!(err.contains(".json or .toml"), "{err}");
    }
}
