//! One module per subcommand; each takes its parsed arguments and the output
//! streams, and returns an exit status or a typed error. None prints outside
//! the streams it is given, and none exits.

pub mod apis;
pub mod apps;
pub mod check;
pub mod completions;
pub mod create_app;
pub mod create_contract;
pub mod demo;
pub mod explain;
pub mod fix;
pub mod for_har;
pub mod har_file;
pub mod list;
pub mod named_online;
pub mod needs;
pub mod progress;
pub mod rate_limit_cache;
pub mod record;
pub mod scan;
pub mod session;
pub mod sim;
pub mod sim_command;

/// An output file that cannot be written, named by its flag (`--har`,
/// `--report`): the same words when it is tried before a write to the
/// platform (`files::can_replace`) as when it is written at the end.
/// Checks before the run that `flag`'s file may be written: an existing
/// file only with `--force`, and a file the run can create there.
pub fn may_write(flag: &str, path: &std::path::Path, force: bool) -> Result<(), crate::Error> {
    if path.exists() && !force {
        return Err(crate::ConfigError::Invalid {
            setting: format!("{flag} {}", crate::text::line(&path.display().to_string())),
            reason: "the file exists; pass --force to replace it, or name another".into(),
        }
        .into());
    }
    crate::files::can_replace(path).map_err(|e| cannot_write(flag, path, &e))
}

/// What a command tells on stderr once it wrote a file: where, and what it holds.
pub fn wrote(path: &std::path::Path, what: &str) -> String {
    format!(
        "Wrote {} ({what}).",
        crate::text::line(&path.display().to_string())
    )
}

pub fn cannot_write(flag: &str, path: &std::path::Path, error: &std::io::Error) -> crate::Error {
    crate::ConfigError::Invalid {
        setting: format!("{flag} {}", path.display()),
        reason: format!("cannot write it: {error}"),
    }
    .into()
}
