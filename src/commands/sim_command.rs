//! `sim -- COMMAND`: runs one command against the simulator, with the
//! variables that point it there, and stops serving when it ends: the
//! recording flow of `needs` in one line.

use std::ffi::OsString;
use std::time::Duration;

use anypoint_sim::RunningSim;

use crate::error::{ConfigError, Error};
use crate::text::line;
use crate::{ExitStatus, Io};

/// How long a command stopped with Ctrl-C or SIGTERM has to finish (write
/// its own files) before its process group is killed.
const GRACE: Duration = Duration::from_secs(5);

/// The app the command acts as: the simulated world's Connected App.
pub struct App<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

/// Runs `command` with the simulator's address and app; what the run ends with.
pub async fn run(
    command: &[OsString],
    running: &RunningSim,
    label: &str,
    app: App<'_>,
    io: &mut Io<'_>,
) -> Result<ExitStatus, Error> {
    let (program, arguments) = command
        .split_first()
        .expect("clap takes a COMMAND only with a word");
    // Only the program is ever shown: its arguments may hold a secret.
    let shown = line(&crate::text::shell_word(&program.to_string_lossy())).into_owned();
    let mut child = tokio::process::Command::new(program);
    child.args(arguments).kill_on_drop(true);
    // The command talks to the simulator as its app, and to nothing the
    // user's own ANYPOINT_* variables name (an org, a real admin token).
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ANYPOINT_") {
            child.env_remove(name);
        }
    }
    child
        .env("ANYPOINT_HOST", &running.base_url)
        .env("ANYPOINT_CLIENT_ID", app.client_id)
        .env("ANYPOINT_CLIENT_SECRET", app.client_secret);
    // A proxy of the CI's would be asked for the simulator's loopback address.
    for name in ["NO_PROXY", "no_proxy"] {
        let kept = std::env::var(name).unwrap_or_default();
        let joined = if kept.is_empty() {
            "127.0.0.1,localhost".to_string()
        } else {
            format!("{kept},127.0.0.1,localhost")
        };
        child.env(name, joined);
    }
    if let Some(cert) = &running.cert_file {
        child.env("SSL_CERT_FILE", cert);
    }
    // Listening before the command starts: a stop from then on is never missed.
    let mut stops = stop::Stops::listen()?;
    stop::own_group(&mut child);
    let mut child = child.spawn().map_err(|e| ConfigError::Invalid {
        setting: "sim -- COMMAND".into(),
        reason: format!("cannot run {shown}: {e}"),
    })?;
    let status = tokio::select! {
        biased;
        signal = stops.next() => {
            stop::pass_on(&child, signal);
            if tokio::time::timeout(GRACE, child.wait()).await.is_err() {
                stop::kill_group(&mut child).await;
            }
            writeln!(io.err, "{}", answered(&running.state))?;
            writeln!(io.err, "Stopped before {shown} ended: the recording holds what it did until then.")?;
            return Ok(ExitStatus::Incomplete);
        }
        status = child.wait() => status?,
    };
    // Told after the command, not before: its output and this never interleave.
    let width = crate::text::width(io.terminal.width);
    let summary = format!(
        "Ran {shown}{} against the anypoint-doctor simulator at {} ({}).\n{}\n",
        if arguments.is_empty() { "" } else { " …" },
        running.base_url,
        line(label),
        answered(&running.state)
    );
    write!(io.err, "{}", crate::text::wrap_hanging(&summary, width))?;
    if status.success() {
        return Ok(ExitStatus::Ok);
    }
    let how = match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "was stopped by a signal".to_string(),
    };
    writeln!(io.err, "error: {shown} {how}")?;
    Ok(ExitStatus::Failed)
}

/// Stopping the command with the simulator: on Unix, the command runs in
/// its own process group, which gets the Ctrl-C or SIGTERM the simulator
/// got (and, after the grace, SIGKILL), so a script's children stop too.
#[cfg(unix)]
mod stop {
    use rustix::process::{Pid, Signal, kill_process_group};
    use tokio::signal::unix::{SignalKind, signal};

    pub struct Stops {
        interrupt: tokio::signal::unix::Signal,
        terminate: tokio::signal::unix::Signal,
    }

    impl Stops {
        pub fn listen() -> std::io::Result<Stops> {
            Ok(Stops {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }

        /// The next stop asked for.
        pub async fn next(&mut self) -> Signal {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::INT,
                _ = self.terminate.recv() => Signal::TERM,
            }
        }
    }

    pub fn own_group(command: &mut tokio::process::Command) {
        command.process_group(0);
    }

    fn group(child: &tokio::process::Child) -> Option<Pid> {
        child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw)
    }

    /// Gives the command's group the signal the simulator got. A group
    /// already gone has nothing left to stop.
    pub fn pass_on(child: &tokio::process::Child, signal: Signal) {
        if let Some(pid) = group(child) {
            let _ = kill_process_group(pid, signal);
        }
    }

    pub async fn kill_group(child: &mut tokio::process::Child) {
        if let Some(pid) = group(child) {
            let _ = kill_process_group(pid, Signal::KILL);
        }
        let _ = child.wait().await;
    }
}

/// Windows: Ctrl-C reaches the command from the console itself; what is
/// left is to end the command when the grace is over.
#[cfg(not(unix))]
mod stop {
    pub struct Stops;

    impl Stops {
        pub fn listen() -> std::io::Result<Stops> {
            Ok(Stops)
        }

        pub async fn next(&mut self) {
            let _ = tokio::signal::ctrl_c().await;
        }
    }

    pub fn own_group(_: &mut tokio::process::Command) {}

    pub fn pass_on(_: &tokio::process::Child, _: ()) {}

    pub async fn kill_group(child: &mut tokio::process::Child) {
        let _ = child.kill().await;
    }
}

/// What a benchmark or a demo wants to know at the end: the load, and
/// whether any client met the rate limit.
pub(super) fn answered(state: &anypoint_sim::state::SimState) -> String {
    format!(
        "Answered {} requests; {} refused for the rate (429, or 503 from Access Management).",
        state.requests(),
        state.throttled()
    )
}
