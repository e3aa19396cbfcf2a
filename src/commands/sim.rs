//! `anypoint-doctor sim`: serve a simulated platform until Ctrl-C, and say
//! how to point the doctor (or anypoint-cli-v4, or your own automation) at it.

use anypoint_sim::{ServeOptions, load, scenarios};

use super::record::Recording;
use super::sim_command::answered;
use crate::cli::SimArgs;
use crate::error::{ConfigError, Error};
use crate::report::listing::OutputFormat;
use crate::text::line;
use crate::text::shell_word;
use crate::{ExitStatus, Io};

/// The named scenarios, one per line or as JSON (`schema/scenarios.schema.json`).
pub fn list_scenarios(json: bool, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    if json {
        #[derive(serde::Serialize)]
        struct Listed {
            name: &'static str,
            description: &'static str,
        }
        let listed: Vec<Listed> = scenarios::SCENARIOS
            .iter()
            .map(|s| Listed {
                name: s.name,
                description: s.description,
            })
            .collect();
        serde_json::to_writer_pretty(&mut *io.out, &listed).map_err(std::io::Error::other)?;
        writeln!(io.out)?;
        return Ok(ExitStatus::Ok);
    }
    let name_width = scenarios::SCENARIOS
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0);
    let mut table = String::new();
    for scenario in scenarios::SCENARIOS {
        table.push_str(&format!(
            "{:<name_width$}  {}\n",
            scenario.name, scenario.description
        ));
    }
    let width = crate::text::width(io.terminal.width);
    io.out
        .write_all(crate::text::wrap_hanging(&table, width).as_bytes())?;
    Ok(ExitStatus::Ok)
}

pub async fn run(args: &SimArgs, io: &mut Io<'_>) -> Result<ExitStatus, Error> {
    if args.world.list_scenarios {
        return list_scenarios(args.format == OutputFormat::Json, io);
    }
    let (world, label) = load::world(&args.world, "healthy").map_err(ConfigError::from)?;
    let recording = args
        .record
        .as_deref()
        .map(|path| Recording::prepare(path, &world))
        .transpose()?;
    let login = world.login.clone();
    let admin = world
        .users
        .iter()
        .find(|u| u.org_admin)
        .map(|u| u.token.clone());
    // Without --cert-file, the certificate goes to a fresh private folder
    // (random name, mode 0700) removed when the simulator stops: a fixed
    // name in a shared temp directory could be planted by another user.
    let cert_folder = match (args.tls, &args.cert_file) {
        (true, None) => Some(
            tempfile::Builder::new()
                .prefix("anypoint-doctor-sim-")
                .tempdir()
                .map_err(|e| ConfigError::Invalid {
                    setting: "--tls".into(),
                    reason: format!(
                        "cannot create a folder for the certificate in the temp directory: {e}; pass --cert-file PATH"
                    ),
                })?,
        ),
        _ => None,
    };
    let cert_file = match (&args.cert_file, &cert_folder) {
        (Some(path), _) => Some(path.clone()),
        (None, Some(folder)) => Some(folder.path().join("anypoint-doctor-sim.pem")),
        (None, None) => None,
    };
    // A command is told the address: any free port does.
    let port = args
        .port
        .unwrap_or(if args.command.is_empty() { 8081 } else { 0 });
    let options = ServeOptions {
        port,
        tls_cert_file: cert_file,
        tap: recording.as_ref().map(Recording::tap),
    };
    let running = anypoint_sim::start(world, options)
        .await
        .map_err(|e| ConfigError::Listen {
            port,
            reason: e.to_string(),
        })?;
    // Dropped (and so stopped) when this returns, after the last write.
    let _rewrites = recording
        .as_ref()
        .map(Recording::keep_written)
        .transpose()?
        .map(AbortOnDrop);
    if !args.command.is_empty() {
        let app = super::sim_command::App {
            client_id: &login.client_id,
            client_secret: &login.client_secret,
        };
        let ran = super::sim_command::run(&args.command, &running, &label, app, io).await;
        if let Some(recording) = &recording {
            let wrote = recording.write()?;
            writeln!(io.err, "{wrote}")?;
        }
        return ran;
    }
    let host = running.base_url.clone();
    // A scenario file's credentials go into commands to paste: one shell
    // word each, shown safe for a terminal.
    let word = |value: &str| line(&shell_word(value)).into_owned();
    let banner = format!("anypoint-doctor simulator: {}", line(&label));
    let width = crate::text::width(io.terminal.width);
    write!(io.out, "{}", crate::text::wrap_hanging(&banner, width))?;
    writeln!(io.out, "Listening on {host}\n")?;
    writeln!(io.out, "Point the doctor at it:")?;
    writeln!(io.out, "  export ANYPOINT_HOST={host}")?;
    writeln!(
        io.out,
        "  export ANYPOINT_CLIENT_ID={}",
        word(&login.client_id)
    )?;
    writeln!(
        io.out,
        "  export ANYPOINT_CLIENT_SECRET={}",
        word(&login.client_secret)
    )?;
    if let Some(cert) = &running.cert_file {
        // The certificate is self-signed: the doctor trusts it only when told.
        writeln!(
            io.out,
            "  export SSL_CERT_FILE={}",
            word(&cert.display().to_string())
        )?;
    }
    writeln!(io.out, "  anypoint-doctor check")?;
    if let Some(token) = admin {
        writeln!(
            io.out,
            "\nAn org admin's token, which reads the app's granted scopes (exact verdicts):"
        )?;
        writeln!(io.out, "  export ANYPOINT_ADMIN_BEARER={}", word(&token))?;
        writeln!(io.out, "  anypoint-doctor check")?;
    }
    if let Some(cert) = &running.cert_file {
        let bare = host.trim_start_matches("https://");
        writeln!(
            io.out,
            "\nTLS certificate (self-signed, for 127.0.0.1 and localhost): {}",
            cert.display()
        )?;
        writeln!(
            io.out,
            "anypoint-cli-v4 needs a bare host and trusts the certificate through Node:"
        )?;
        writeln!(
            io.out,
            "  NODE_EXTRA_CA_CERTS={} anypoint-cli-v4 account environment list --host {bare} --client_id {} --client_secret {} --collectMetrics",
            word(&cert.display().to_string()),
            word(&login.client_id),
            word(&login.client_secret)
        )?;
    }
    if let Some(recording) = &recording {
        writeln!(
            io.out,
            "\nRecording every exchange to {} (HAR 1.2, secrets masked), written in full when the simulator stops.",
            line(&recording.path().display().to_string())
        )?;
    }
    // Ctrl-C (or SIGTERM) is caught from before the last line is printed, so
    // a script that waits for that line and then stops the simulator still
    // gets the cleanup (the certificate's temporary folder, the recording).
    // The handlers are installed on first poll.
    let stopped = stop_requested();
    tokio::pin!(stopped);
    let served = match futures::poll!(&mut stopped) {
        std::task::Poll::Ready(result) => result.map_err(Error::from),
        std::task::Poll::Pending => {
            // The last line: everything above is printed, and the server is up.
            writeln!(io.out, "\nServing until Ctrl-C.")?;
            io.out.flush()?;
            let state = std::sync::Arc::clone(&running.state);
            tokio::select! {
                result = stopped => result.map_err(Error::from).map(|()| {
                    // Whoever started the simulator may have stopped reading: that
                    // is no failure of it.
                    let _ = writeln!(io.out, "{}", answered(&state));
                }),
                result = running.wait() => result.map_err(Error::from),
            }
        }
    };
    // The recording is written however serving ended.
    if let Some(recording) = &recording {
        let wrote = recording.write()?;
        let _ = writeln!(io.err, "{wrote}");
    }
    served.map(|()| ExitStatus::Ok)
}

/// Ctrl-C, or SIGTERM (how a pipeline or a service manager stops the
/// simulator): either ends serving as the user meant it.
#[cfg(unix)]
async fn stop_requested() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result,
        _ = terminate.recv() => Ok(()),
    }
}

/// Ctrl-C: Windows has no SIGTERM.
#[cfg(not(unix))]
async fn stop_requested() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}

/// The recording's rewrites, stopped when the command returns.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
