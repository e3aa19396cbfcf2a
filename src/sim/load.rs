//! Choosing a world: a named scenario, or a scenario file (JSON or TOML)
//! whose errors name the line or the field to fix.

use std::path::Path;

use super::scenarios;
use super::world::World;
use crate::cli::WorldArgs;
use crate::error::ConfigError;

/// The world named by `--scenario` / `--scenario-file`, else `default_scenario`.
pub fn world(args: &WorldArgs, default_scenario: &str) -> Result<(World, String), ConfigError> {
    let (mut world, label) = match (&args.scenario_file, &args.scenario) {
        (Some(path), _) => (from_file(path)?, format!("file {}", path.display())),
        (None, name) => {
            let name = name.as_deref().unwrap_or(default_scenario);
            let scenario = scenarios::find(name).ok_or_else(|| ConfigError::UnknownScenario {
                value: name.to_string(),
                hint: crate::suggest::hint(
                    name,
                    &scenarios::names(),
                    "scenarios",
                    "anypoint-doctor sim --list-scenarios",
                ),
            })?;
            let world =
                scenario
                    .world()
                    .resolve()
                    .map_err(|reason| ConfigError::UnknownScenario {
                        value: format!("{name} ({reason})"),
                        hint: format!("use one of: {}", scenarios::names().join(", ")),
                    })?;
            (
                world,
                format!("scenario \"{}\": {}", scenario.name, scenario.description),
            )
        }
    };
    if let Some(ms) = args.latency_ms {
        world.latency_ms = ms;
    }
    Ok((world, label))
}

pub fn from_file(path: &Path) -> Result<World, ConfigError> {
    let fail = |reason: String| ConfigError::ScenarioFile {
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
    world.resolve().map_err(fail)
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
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/world.toml");
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
