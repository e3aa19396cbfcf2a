//! The process's exit codes, as the README documents them.

/// The exit codes, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No check failed.
    Ok = 0,
    /// A check failed (or warned, with --fail-on warn).
    Failed = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// Nothing failed, but something could not be checked.
    Incomplete = 3,
}
