//! The layering rules of ARCHITECTURE.md, read from the source: every
//! top-level module sits in a layer and imports only from its own layer or
//! those below, with no cycle; and the command line (`cli`) is used only by
//! `main`, the crate root and `commands`. Below the top-level modules, no
//! two files import each other (`files`).

mod cycles;
mod files;
mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cycles::{Graph, cycles};
use files::rust_files;

/// The layers of ARCHITECTURE.md, bottom first.
const LAYERS: &[&[&str]] = &[
    &[
        "exit",
        "error",
        "text",
        "time",
        "suggest",
        "files",
        "embedded",
        "substitute",
        "secret",
        "guard",
        "har",
        "streams",
    ],
    &["platform"],
    &["settings", "cli_v4_config", "rerun"],
    &["scan", "traffic"],
    &["doctor"],
    &["report"],
    &["fix"],
    &["needs"],
    &["diagnosis"],
    &["cli"],
    &["commands"],
    &["lib", "main"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file under `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The names the crate root re-exports, with the module each comes from
/// (`pub use error::{ConfigError, Error};`), so `crate::Error` counts as `error`.
fn root_exports(lib: &str) -> BTreeMap<String, String> {
    let mut exports = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(rest) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.rsplit("::").next().unwrap().trim();
            let name = name.rsplit(" as ").next().unwrap().trim();
            if !name.is_empty() {
                exports.insert(name.to_string(), module.trim().to_string());
            }
        }
    }
    exports
}

/// The first path segment of every `crate::` path in `text`, braces of a
/// `use crate::{…}` group opened at their first level.
fn crate_paths(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `anypoint_crate::` or similar: not this crate's root
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.push(first_segment(&item));
        } else {
            found.push(first_segment(rest));
        }
    }
    found.retain(|s| !s.is_empty());
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Top-level module → the top-level modules its files name with `crate::`
/// (the crate root's own items counted as `lib`), each with a file that does.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let exports = root_exports(&lib);
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let from = module_of(&src, file);
        let text = std::fs::read_to_string(file).unwrap();
        for segment in crate_paths(&text) {
            let to = if modules.contains(&segment) {
                segment
            } else if let Some(module) = exports.get(&segment) {
                module.clone()
            } else {
                "lib".to_string() // an item the crate root defines itself (`Io`, `run`)
            };
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| file.display().to_string());
            }
        }
    }
    graph
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let found = cycles(&graph());
    assert!(found.is_empty(), "import cycle(s):\n{}", found.join("\n\n"));
}

#[test]
fn every_module_imports_only_from_its_layer_or_below() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (from, edges) in &graph {
        let Some(at) = layer_of(from) else {
            wrong.push(format!(
                "{from} is in no layer: place it in LAYERS and ARCHITECTURE.md"
            ));
            continue;
        };
        for (to, file) in edges {
            match layer_of(to) {
                None => wrong.push(format!("{to} is in no layer (used by {file})")),
                Some(below) if below > at => wrong.push(format!("{from} → {to} goes up ({file})")),
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_the_commands_use_the_command_line() {
    let graph = graph();
    let users: Vec<String> = graph
        .iter()
        .filter(|(_, edges)| edges.contains_key("cli"))
        .map(|(module, edges)| format!("{module} ({})", edges["cli"]))
        .collect();
    let allowed = ["commands", "lib", "main"];
    let wrong: Vec<&String> = users
        .iter()
        .filter(|u| !allowed.iter().any(|a| u.starts_with(&format!("{a} "))))
        .collect();
    assert!(
        wrong.is_empty(),
        "`crate::cli` used below the commands: {wrong:?}"
    );
}

#[test]
fn the_reader_of_imports_sees_groups_and_plain_paths() {
    // The layer tests are only as good as this reader.
    let text = "use crate::report::{Format, render};\nuse crate::{ExitStatus, Io, platform::paths};\nlet x = crate::cli::Cli::parse();\nanypoint_crate::x";
    assert_eq!(
        crate_paths(text),
        ["report", "ExitStatus", "Io", "platform", "cli"]
    );
}
