//! The simulator as the doctor's tests use it: the settings that point the
//! doctor at it, the binary run against it, an in-process `diagnose` against
//! it, and the `sim` command as a process. Named worlds, faults and serving
//! come from `api`, which the simulator's own tests share; with it, the only
//! place that names `anypoint_sim`.

use std::time::{Duration, Instant};

use anypoint_doctor::report::Report;
use anypoint_doctor::settings::Settings;
use anypoint_doctor::{RunOptions, diagnose};
pub use anypoint_sim::scenarios;
pub use anypoint_sim::state::Logged;
pub use anypoint_sim::world::{ClientApplication, Contract, Fault, FaultKind, Grant, Login, Org};
pub use anypoint_sim::{RunningSim, ServeOptions, World, faults, load};
use url::Url;

use super::api::PATIENCE;
pub use super::api::{fault, healthy_with, serve, serve_with, stop, world};
use super::bin::{Run, doctor_async};

/// The settings that point the binary at `sim` as `world`'s Connected App.
pub fn app_env<'a>(sim: &'a RunningSim, world: &'a World) -> Vec<(&'static str, &'a str)> {
    let mut env = login_env(world).to_vec();
    env.push(("ANYPOINT_HOST", &sim.base_url));
    env
}

/// `world`'s Connected App credentials, as the binary reads them.
pub fn login_env(world: &World) -> [(&'static str, &str); 2] {
    [
        ("ANYPOINT_CLIENT_ID", &world.login.client_id),
        ("ANYPOINT_CLIENT_SECRET", &world.login.client_secret),
    ]
}

/// The simulator, in-process, and the credentials its world signs in with.
pub struct Sim {
    pub running: RunningSim,
    pub login: Login,
}

impl Sim {
    pub async fn start(world: World) -> Sim {
        let login = world.login.clone();
        Sim {
            running: serve(world).await,
            login,
        }
    }

    /// Runs the binary as the world's app with only the `ANYPOINT_*` variables
    /// pointing at this simulator, plus `env`. The app's secret is never printed.
    pub async fn run_with(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut all = vec![
            ("ANYPOINT_HOST", self.running.base_url.as_str()),
            ("ANYPOINT_CLIENT_ID", &self.login.client_id),
            ("ANYPOINT_CLIENT_SECRET", &self.login.client_secret),
        ];
        all.extend_from_slice(env);
        let run = doctor_async(args, &all).await;
        assert!(
            !run.output().contains(&self.login.client_secret),
            "the Connected App's secret was printed: {run:#?}"
        );
        run
    }

    /// `run_with` and nothing else in the environment.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with(&[], args).await
    }

    /// A copy of the simulator's world as it is now.
    pub fn world(&self) -> World {
        self.running.state.world.lock().expect("world lock").clone()
    }

    /// Stops the simulator, in bounded time.
    pub async fn stop(self) {
        stop(self.running).await;
    }
}

/// An in-process `diagnose` against a simulator.
pub struct Diagnosed {
    pub report: Report,
    /// How long `diagnose` took.
    pub elapsed: Duration,
    /// Requests the simulator answered, and those requests as `METHOD /path?query`.
    pub requests: u64,
    pub log: Vec<String>,
    /// The same requests with when each came and was answered.
    pub timeline: Vec<Logged>,
    /// The simulator's base URL.
    pub host: String,
    /// Answers the world's rate limit turned into 429 (`rate_limit_per_minute`).
    pub throttled: u64,
}

/// Starts a simulator of `world`, runs `diagnose` with `plan` as the world's
/// app (its settings changed by `adjust`), and stops it, all within `PATIENCE`.
pub async fn diagnose_world(
    world: &World,
    plan: &RunOptions,
    adjust: impl FnOnce(&mut Settings),
) -> Diagnosed {
    let run = async {
        let running = serve(world.clone()).await;
        let base = Url::parse(&running.base_url).expect("the simulator's URL parses");
        let login = &world.login;
        let mut settings =
            Settings::client_credentials(base, &login.client_id, &login.client_secret);
        adjust(&mut settings);
        let started = Instant::now();
        let report = diagnose(settings, plan).await;
        let elapsed = started.elapsed();
        let requests = running.state.requests();
        let log = running.state.request_log();
        let throttled = running.state.throttled_by_limit();
        let timeline = running.state.request_timeline();
        let host = running.base_url.clone();
        running.stop().await;
        Diagnosed {
            report: report.unwrap_or_else(|e| panic!("diagnose failed: {e}")),
            elapsed,
            requests,
            log,
            timeline,
            host,
            throttled,
        }
    };
    tokio::time::timeout(PATIENCE, run)
        .await
        .expect("the run and the simulator's stop finish in time")
}

/// The `sim` command as a process on a free port, once it printed its last
/// line ("Serving until Ctrl-C."): it listens by then. Killed and reaped on
/// drop, also when the test fails.
pub struct SimProcess {
    /// The process and its stdout, open until it ends: closing the pipe
    /// would make its next line fail. None once terminated.
    process: Option<(std::process::Child, StdoutLines)>,
    /// Everything it printed up to its last line.
    pub banner: String,
    /// The settings it says to export, in its order.
    pub exports: Vec<(String, String)>,
    /// `Listening on …`.
    pub base_url: String,
}

type StdoutLines = std::io::Lines<std::io::BufReader<std::process::ChildStdout>>;

impl SimProcess {
    pub fn start(args: &[&str]) -> SimProcess {
        use std::io::BufRead;
        let mut child = super::bin::command(&[args, &["--port", "0"]].concat(), &[])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the simulator starts");
        let stdout = child.stdout.take().expect("its stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        let (mut banner, mut exports, mut base_url) = (String::new(), Vec::new(), String::new());
        for line in lines.by_ref() {
            let line = line.expect("a line");
            banner.push_str(&line);
            banner.push('\n');
            if let Some((name, value)) = line
                .trim()
                .strip_prefix("export ")
                .and_then(|e| e.split_once('='))
            {
                exports.push((name.to_string(), value.to_string()));
            }
            if let Some(url) = line.strip_prefix("Listening on ") {
                base_url = url.trim().to_string();
            }
            if line == "Serving until Ctrl-C." {
                break;
            }
        }
        assert!(
            banner.ends_with("Serving until Ctrl-C.\n"),
            "the simulator did not start:\n{banner}"
        );
        SimProcess {
            process: Some((child, lines)),
            banner,
            exports,
            base_url,
        }
    }

    /// The app's settings it printed (no admin token), for `Command::envs`.
    pub fn app_env(&self) -> Vec<(&str, &str)> {
        self.exports
            .iter()
            .filter(|(name, _)| name != "ANYPOINT_ADMIN_BEARER")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    /// Stops it as a pipeline would, with SIGTERM, and waits for it to end
    /// (within `PATIENCE`): what it printed after its banner, and its exit.
    #[cfg(unix)]
    pub async fn terminate(mut self) -> Run {
        use std::io::Read;
        let (mut child, lines) = self.process.take().expect("running");
        let pid = child.id().to_string();
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success(), "kill -TERM {pid} failed");
        let task = tokio::task::spawn_blocking(move || {
            let rest: Vec<String> = lines.map_while(Result::ok).collect();
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                err.read_to_string(&mut stderr).expect("its stderr");
            }
            let status = child.wait().expect("it ends");
            Run {
                code: status
                    .code()
                    .expect("it exited on its own, not by the signal"),
                stdout: rest.join("\n"),
                stderr,
            }
        });
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("it stops in time")
            .expect("no panic")
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        if let Some((mut child, _)) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
