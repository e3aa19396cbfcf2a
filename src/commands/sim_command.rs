//! `sim -- COMMAND`: runs one command against the simulator, with the
//! variables that point it there, and stops serving when it ends: the
//! recording flow of `needs` in one line.

use std::ffi::OsString;

use anypoint_sim::RunningSim;

use super::sim::{answered, stop_requested};
use crate::error::{ConfigError, Error};
use crate::text::line;
use crate::{ExitStatus, Io};

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
    let shown = line(
        &command
            .iter()
            .map(|word| crate::text::shell_word(&word.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" "),
    )
    .into_owned();
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
    if let Some(cert) = &running.cert_file {
        child.env("SSL_CERT_FILE", cert);
    }
    let mut child = child.spawn().map_err(|e| ConfigError::Invalid {
        setting: "sim -- COMMAND".into(),
        reason: format!("cannot run {shown}: {e}"),
    })?;
    let status = tokio::select! {
        status = child.wait() => status?,
        stop = stop_requested() => {
            stop?;
            let _ = child.kill().await;
            writeln!(io.err, "{}", answered(&running.state))?;
            writeln!(io.err, "Stopped before {shown} ended: the recording holds what it did until then.")?;
            return Ok(ExitStatus::Incomplete);
        }
    };
    // Told after the command, not before: its output and this never interleave.
    let width = crate::text::width(io.terminal.width);
    let summary = format!(
        "Ran {shown} against the anypoint-doctor simulator at {} ({}).\n{}\n",
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
