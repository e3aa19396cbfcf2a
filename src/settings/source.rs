//! Where a setting's value came from (a flag, a variable, a file,
//! anypoint-cli-v4's saved settings, a default), kept beside the value.

use std::fmt;
use std::path::PathBuf;

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Env(&'static str),
    File(PathBuf),
    /// anypoint-cli-v4's saved settings (`cli_v4_config`).
    CliV4Config(PathBuf),
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "{var}"),
            // A path from the environment may hold anything: shown as one line.
            Source::File(path) => write!(f, "file {}", shown(path)),
            Source::CliV4Config(path) => write!(f, "anypoint-cli-v4 config ({})", shown(path)),
            Source::Default => f.write_str("default"),
        }
    }
}

fn shown(path: &std::path::Path) -> String {
    crate::text::line(&path.display().to_string()).into_owned()
}

#[derive(Debug, Clone)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}
