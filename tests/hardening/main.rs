//! Hardening (issue 12): each hole found by an adversarial pass has a test
//! here that failed before the fix. The modules follow the threat model in
//! the README's security section: secrets, the terminal and the shell, the
//! file system, and the network path.

mod files;
mod network;
mod secrets;
mod terminal;

use std::process::{Command, Output};

use anypoint_sim::{RunningSim, ServeOptions, World, scenarios};

pub const BIN: &str = env!("CARGO_BIN_EXE_anypoint-doctor");

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// stdout and stderr together.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs the binary with only `env` set (no PATH, no HOME, no ambient `ANYPOINT_*`).
pub fn doctor(args: &[&str], env: &[(&str, &str)]) -> Run {
    Run::from(
        Command::new(BIN)
            .env_clear()
            .envs(env.iter().copied())
            .args(args)
            .output()
            .expect("the binary runs"),
    )
}

/// `doctor` on the blocking pool, for tests that serve a simulator or a mock.
pub async fn doctor_async(args: &[&str], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        Run::from(
            Command::new(BIN)
                .env_clear()
                .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .args(&args)
                .output()
                .expect("the binary runs"),
        )
    })
    .await
    .expect("join")
}

/// A named scenario's world.
pub fn world(name: &str) -> World {
    scenarios::find(name)
        .expect("scenario")
        .world()
        .resolve()
        .expect("consistent")
}

/// The simulator on a free loopback port.
pub async fn serve(world: World) -> RunningSim {
    anypoint_sim::start(world, ServeOptions::default())
        .await
        .expect("sim starts")
}

/// The settings that point the doctor at `sim` as the world's app.
pub fn app_env(sim: &RunningSim, world: &World) -> Vec<(String, String)> {
    vec![
        ("ANYPOINT_HOST".into(), sim.base_url.clone()),
        ("ANYPOINT_CLIENT_ID".into(), world.login.client_id.clone()),
        (
            "ANYPOINT_CLIENT_SECRET".into(),
            world.login.client_secret.clone(),
        ),
    ]
}
