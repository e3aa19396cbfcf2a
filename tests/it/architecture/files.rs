//! The file-level rule: no two module files of either crate import each
//! other, directly or around a longer circle. A file's imports are the paths
//! it names through `crate::`, `self::`, `super::` or a child module; a
//! parent declaring a child (`mod child;`) is not an import.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::cycles::{Graph, cycles};
use super::source::named_paths;

/// A crate's module files by module path (`["report", "compact"]`; the
/// crate root is `[]`), and what each re-exports: name → the path it names.
struct Tree {
    files: BTreeMap<Vec<String>, PathBuf>,
    exports: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
}

/// Every `.rs` file under `dir`, its folders walked.
pub(super) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src`: `foo.rs` and `foo/mod.rs` are
/// `foo`, `lib.rs` the root.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let mut path: Vec<String> = file
        .strip_prefix(src)
        .unwrap()
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if path.last().is_some_and(|last| last == "mod") || path == ["lib"] {
        path.pop();
    }
    path
}

impl Tree {
    /// `path` as named from `scope` (inline modules) of the file at `module`,
    /// made absolute; `None` when it names nothing of this crate (`std::…`,
    /// another crate, a type's associated item).
    fn absolute(
        &self,
        module: &[String],
        scope: &[String],
        path: &[String],
    ) -> Option<Vec<String>> {
        let mut here: Vec<String> = module.iter().chain(scope).cloned().collect();
        let mut rest = path;
        match path.first()?.as_str() {
            "crate" => return Some(path[1..].to_vec()),
            "self" | "super" => {
                while let Some((step, tail)) = rest.split_first() {
                    match step.as_str() {
                        "self" => {}
                        "super" => {
                            here.pop()?;
                        }
                        _ => break,
                    }
                    rest = tail;
                }
            }
            child
                if scope.is_empty()
                    && self
                        .files
                        .contains_key(&[module, &[child.to_string()]].concat()) => {}
            _ => return None,
        }
        Some([&here[..], rest].concat())
    }

    /// The file that defines what an absolute path names: the deepest module
    /// file along it, through the re-exports on the way.
    fn file_of(&self, path: &[String]) -> &PathBuf {
        let mut depth = 0;
        while depth < path.len() && self.files.contains_key(&path[..=depth]) {
            depth += 1;
        }
        let module = &path[..depth];
        match path
            .get(depth)
            .and_then(|name| self.exports.get(module)?.get(name))
        {
            Some(target) if target.as_slice() != path => {
                self.file_of(&[target, &path[depth + 1..]].concat())
            }
            _ => &self.files[module],
        }
    }
}

/// The import graph between the module files of the crate whose sources are
/// in `src`, files named from the repository's root.
fn file_graph(src: &Path) -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    rust_files(src, &mut paths);
    // `main.rs` beside `lib.rs` is a crate of its own that reaches the
    // library through its name, not through `crate::`.
    paths.retain(|p| !(p.parent() == Some(src) && p.ends_with("main.rs")));
    let mut tree = Tree {
        files: paths
            .iter()
            .map(|p| (module_path(src, p), p.clone()))
            .collect(),
        exports: BTreeMap::new(),
    };
    let named: Vec<_> = paths
        .iter()
        .map(|p| {
            (
                module_path(src, p),
                named_paths(&std::fs::read_to_string(p).unwrap()),
            )
        })
        .collect();
    for (module, found) in &named {
        for n in found.iter().filter(|n| n.exported && n.scope.is_empty()) {
            if let (Some(alias), Some(target)) = (&n.alias, tree.absolute(module, &[], &n.path)) {
                tree.exports
                    .entry(module.clone())
                    .or_default()
                    .insert(alias.clone(), target);
            }
        }
    }
    let name = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
    let mut graph = Graph::new();
    for (module, found) in &named {
        let from = &tree.files[module];
        for n in found {
            let Some(target) = tree.absolute(module, &n.scope, &n.path) else {
                continue;
            };
            let to = tree.file_of(&target);
            if to != from {
                graph
                    .entry(name(from))
                    .or_default()
                    .entry(name(to))
                    .or_insert_with(|| n.path.join("::"));
            }
        }
    }
    graph
}

/// Cycles still to break, each with why it is not broken yet. The test
/// fails when one of them is gone too, so the list only shrinks.
const NOT_YET: &[(&[&str], &str)] = &[];

/// Whether a cycle, as `cycles` tells it, runs through exactly these files.
fn is_cycle_of(told: &str, files: &[&str]) -> bool {
    told.lines().count() == files.len()
        && files.iter().all(|f| {
            told.lines()
                .any(|l| l.trim_start().starts_with(&format!("{f} → ")))
        })
}

#[test]
fn the_files_of_both_crates_import_each_other_without_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for src in [root.join("src"), root.join("crates/anypoint-sim/src")] {
        let graph = file_graph(&src);
        assert!(
            graph.len() > 20,
            "too few files read under {}",
            src.display()
        );
        found.extend(cycles(&graph));
    }
    for (files, why) in NOT_YET {
        let before = found.len();
        found.retain(|told| !is_cycle_of(told, files));
        assert!(
            found.len() < before,
            "{files:?} no longer import each other ({why}): take them off NOT_YET"
        );
    }
    assert!(
        found.is_empty(),
        "{} import cycle(s) between files; move the shared piece to where it belongs:\n{}",
        found.len(),
        found.join("\n\n")
    );
}
