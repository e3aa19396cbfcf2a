//! Runs the built `anypoint-doctor` with an isolated environment: every run
//! starts from an empty environment plus what the test gives (no PATH, no
//! HOME, no ambient `ANYPOINT_*`), and a run awaited from an async test goes
//! to the blocking pool, bounded, so in-process servers keep serving.

use std::ffi::OsStr;
use std::process::{Command, Output};

use serde_json::Value;

// Runs wait as long as requests do: one patience for the whole harness.
pub use super::api::PATIENCE;

pub const BIN: &str = env!("CARGO_BIN_EXE_anypoint-doctor");

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A finished process: it exited on its own, and wrote UTF-8.
    pub fn of(output: Output) -> Run {
        Run {
            code: output.status.code().expect("the process exited on its own"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// stdout and stderr together.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// stdout as exactly one JSON document (trailing text is an error).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {self:#?}"))
    }

    /// A usage or input error: exit 2, nothing on stdout, `error: ` on stderr.
    #[track_caller]
    pub fn usage_error(&self) -> &str {
        assert_eq!(self.code, 2, "{self:#?}");
        assert!(self.stdout.is_empty(), "{self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        &self.stderr
    }

    /// A usage or configuration error of exactly one `error:` line, which is returned.
    #[track_caller]
    pub fn one_line_error(&self) -> &str {
        let stderr = self.usage_error();
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "want one line on stderr: {self:#?}");
        lines[0]
    }
}

/// The binary with only `env` set, and `args`.
pub fn command(args: &[impl AsRef<OsStr>], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.env_clear().envs(env.iter().copied()).args(args);
    command
}

/// Runs the binary with only `env` set, and waits for it.
pub fn doctor(args: &[impl AsRef<OsStr>], env: &[(&str, &str)]) -> Run {
    Run::of(command(args, env).output().expect("the binary runs"))
}

/// `doctor` on the blocking pool, for tests that serve a simulator or a mock.
pub async fn doctor_async(args: &[impl AsRef<OsStr>], env: &[(&str, &str)]) -> Run {
    finish(command(args, env)).await
}

/// Runs `command` on the blocking pool, within `PATIENCE`.
pub async fn finish(mut command: Command) -> Run {
    let task = tokio::task::spawn_blocking(move || command.output().expect("the command runs"));
    let output = tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the run finishes in time")
        .expect("the run did not panic");
    Run::of(output)
}
