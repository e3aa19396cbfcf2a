//! The build facts `--version` prints besides the version: the commit the
//! binary was built from (when built from a git checkout) and the target.

// Cargo reads a build script's directives from its standard output.
#![allow(clippy::print_stdout)]

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A new commit moves HEAD or the branch it names (or packs the refs).
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| "unknown (not built from a git checkout)".into());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=ANYPOINT_DOCTOR_COMMIT={commit}");
    println!("cargo:rustc-env=ANYPOINT_DOCTOR_TARGET={target}");
}
