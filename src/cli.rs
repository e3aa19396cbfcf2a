//! Command-line definitions (clap derive) and nothing else.
//!
//! Conventions: every connection setting has a long flag and, where MuleSoft's
//! own CLI has one, the same `ANYPOINT_*` environment variable. Flags beat
//! environment variables, which beat defaults; `settings` resolves them and
//! remembers which one won. Secrets hide their environment values from `--help`.
//! anypoint-cli-v4's own spellings (`--client_id`, `--client_secret`,
//! `--organization`, `--environment`, `-o`/`--output`) are hidden aliases.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Parser, Subcommand, ValueEnum};
use strum::VariantArray;

use crate::fix::FixFormat;
use crate::platform::control_plane::Region;
use crate::report::listing::OutputFormat;
use crate::report::{FailOn, Format};
use crate::secret::Secret;
use crate::settings::{Given, Source, Sourced};

/// Teaches clap a domain enum's spellings: each variant's value, its aliases,
/// and the help `--help` shows beside it.
macro_rules! value_enum {
    ($ty:ident { $($variant:path => $name:literal $(| $alias:literal)* $(: $help:literal)?),+ $(,)? }) => {
        impl ValueEnum for $ty {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($variant),+]
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $($variant => PossibleValue::new($name)$(.alias($alias))*$(.help($help))?,)+
                })
            }
        }
    };
}

/// `--version`: the version, then the commit and target it was built from (`build.rs`); `-V` is the first line alone.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit ",
    env!("ANYPOINT_DOCTOR_COMMIT"),
    "\ntarget ",
    env!("ANYPOINT_DOCTOR_TARGET")
);

#[derive(Debug, Parser)]
#[command(
    name = "anypoint-doctor",
    version,
    long_version = LONG_VERSION,
    about = "Diagnose MuleSoft Anypoint Platform Connected Apps: token, identity, scopes per org and environment, retired endpoints, empty lists.",
    long_about = None,
    after_help = "Exit codes: 0 no check failed, 1 a check failed, 2 usage or configuration error, 3 something could not be checked."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the checks against an org and print a pass/fail table with the fix for each failure.
    #[command(after_help = "Examples:
  anypoint-doctor check                          every check, the app's own org
  anypoint-doctor check --for create-contract    exit 1 unless it is proven
  anypoint-doctor check --org all --report report.json   every business group")]
    Check(Box<CheckArgs>),
    /// List every check: id, category and title.
    #[command(after_help = "Examples:
  anypoint-doctor list                    every check
  anypoint-doctor list --capabilities     what --for takes, and their scopes")]
    List(ListArgs),
    /// Explain one check: what it checks, why it fails, how to fix it.
    #[command(after_help = "Examples:
  anypoint-doctor explain scope.manage-contracts
  anypoint-doctor explain create-contract --format json")]
    Explain(ExplainArgs),
    /// List client applications (in the root organization), and say whether an empty list is believable.
    #[command(after_help = "Examples:
  anypoint-doctor apps
  anypoint-doctor apps --target-admin-site --format json")]
    Apps(AppsArgs),
    /// List API instances per environment, with what a contract must match.
    #[command(after_help = "Examples:
  anypoint-doctor apis --env Sandbox
  anypoint-doctor apis --format json")]
    Apis(ApisArgs),
    /// Create a client application or an API contract, the minimal correct way.
    #[command(after_help = "Examples:
  anypoint-doctor create app --name my-client-app --dry-run
  anypoint-doctor create contract --app my-app --api 1234567 --env Sandbox")]
    #[command(subcommand)]
    Create(CreateCommand),
    /// Serve a simulated Anypoint Platform on 127.0.0.1 for trying the doctor or your own automation.
    ///
    /// To see what your automation calls before it touches the real org: `sim --scenario healthy --record pipeline.har -- ./pipeline.sh` runs it against the simulator and stops when it ends (or start `sim --record pipeline.har`, run the automation with the variables it prints, then stop the simulator with Ctrl-C or SIGTERM): pipeline.har holds every call, secrets masked, and `anypoint-doctor needs pipeline.har` prints the least privilege it needs.
    #[command(after_help = "Examples:
  anypoint-doctor sim --scenario typical-mistakes
  anypoint-doctor sim --scenario healthy --record pipeline.har -- ./pipeline.sh
  anypoint-doctor sim --tls --cert-file sim.pem --port 0")]
    Sim(SimArgs),
    /// Run the full check against a built-in simulated org and print the table.
    #[command(after_help = "Examples:
  anypoint-doctor demo
  anypoint-doctor demo --scenario missing-view-scope -v
  anypoint-doctor demo --list-scenarios")]
    Demo(DemoArgs),
    /// Find retired and risky Anypoint calls in scripts, apps and pipelines (no network).
    #[command(after_help = "Examples:
  anypoint-doctor scan                   the current folder
  anypoint-doctor scan ci/ src/ --fail-on error
  anypoint-doctor scan --format sarif")]
    Scan(ScanArgs),
    /// What your automation needs: the least privilege, from its traffic (HAR, Postman, Insomnia) or scripts (no network).
    #[command(after_help = "Examples:
  anypoint-doctor needs pipeline.har           a recording of the automation
  anypoint-doctor needs collection.json --format json
  anypoint-doctor needs ci/ deploy.sh          the requests written in scripts")]
    Needs(NeedsArgs),
    /// Plan the scopes to grant the Connected App (exactly the missing ones, as a diff, curl, Terraform or JSON) and, with an org admin's token, apply it.
    #[command(after_help = "Examples:
  anypoint-doctor fix                the plan, as a diff
  anypoint-doctor fix --for create-contract --format terraform
  anypoint-doctor fix --yes          apply it, with ANYPOINT_ADMIN_BEARER set")]
    Fix(Box<FixArgs>),
    /// Print a shell completion script (check ids, capabilities and scenario names included).
    #[command(after_help = "Examples:
  anypoint-doctor completions bash
  anypoint-doctor completions zsh")]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --out-dir.
    #[command(after_help = "Examples:
  anypoint-doctor man
  anypoint-doctor man --out-dir man1")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write anypoint-doctor.1 and a page for every subcommand
    /// (anypoint-doctor-check.1, …) into DIR, creating it, instead of
    /// printing the top page.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// A free-form value (ids, prefixes, comma lists are checked later, with a
/// did-you-mean) that offers these names to shell completion.
#[derive(Clone)]
struct Offering(fn() -> Vec<&'static str>);

impl clap::builder::TypedValueParser for Offering {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(PossibleValue::new)))
    }
}

fn check_ids() -> Vec<&'static str> {
    crate::doctor::Registry::get()
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .collect()
}

fn capability_ids() -> Vec<&'static str> {
    crate::doctor::catalogue::Catalogue::get().capability_ids()
}

fn scenario_names() -> Vec<&'static str> {
    anypoint_sim::scenarios::SCENARIOS
        .iter()
        .map(|s| s.name)
        .collect()
}

/// Where to connect and as whom. Shared by every command that talks to the platform.
/// Its `Debug` is written by hand: the secret and the token arrive here in clear.
#[derive(Args)]
pub struct ConnectionArgs {
    /// Connected App client id.
    #[arg(
        long,
        alias = "client_id",
        env = "ANYPOINT_CLIENT_ID",
        help_heading = "Credentials"
    )]
    pub client_id: Option<String>,

    /// Connected App client secret. Prefer the environment variable or --client-secret-file:
    /// a value on the command line ends up in shell history and `ps`.
    #[arg(
        long,
        alias = "client_secret",
        env = "ANYPOINT_CLIENT_SECRET",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    pub client_secret: Option<String>,

    /// Read the client secret from this file (first line).
    #[arg(long, value_name = "PATH", help_heading = "Credentials")]
    pub client_secret_file: Option<PathBuf>,

    /// A ready-made access token; skips token acquisition.
    #[arg(
        long,
        env = "ANYPOINT_BEARER",
        hide_env_values = true,
        help_heading = "Credentials"
    )]
    pub bearer: Option<String>,

    /// Control plane host (`eu1.anypoint.mulesoft.com`, https assumed) or a full URL
    /// (`http://127.0.0.1:8081` for a local server). [default: anypoint.mulesoft.com]
    #[arg(long, env = "ANYPOINT_HOST", help_heading = "Target")]
    pub host: Option<String>,

    /// Control plane shorthand instead of --host.
    #[arg(long, value_enum, help_heading = "Target")]
    pub region: Option<Region>,

    /// Allow plain http to a host that is not loopback (the secret would travel in clear).
    #[arg(long, help_heading = "Target")]
    pub allow_insecure_http: bool,

    /// Organization or business group, by id or name; `all`, or several separated by commas,
    /// checks each one in turn, a section each. [default: the Connected App's own org]
    #[arg(
        long,
        alias = "organization",
        env = "ANYPOINT_ORG",
        help_heading = "Target"
    )]
    pub org: Option<String>,

    /// Environment by name or id; repeat or separate with commas. [default: every environment of the org]
    #[arg(
        long = "env",
        alias = "environment",
        env = "ANYPOINT_ENV",
        value_delimiter = ',',
        value_name = "ENV",
        help_heading = "Target"
    )]
    pub envs: Vec<String>,

    /// Extra trusted root certificates (PEM), added to the system's: for a corporate
    /// proxy that inspects TLS with its own CA.
    #[arg(
        long,
        env = "SSL_CERT_FILE",
        value_name = "PATH",
        help_heading = "Target"
    )]
    pub ca_file: Option<PathBuf>,

    /// Seconds to wait for one HTTP request (at most 3600).
    #[arg(
        long,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        default_value_t = 30,
        value_name = "SECONDS",
        help_heading = "Target"
    )]
    pub timeout: u64,

    /// Seconds to wait for a connection to open (at most 3600).
    #[arg(
        long,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        default_value_t = 10,
        value_name = "SECONDS",
        help_heading = "Target"
    )]
    pub connect_timeout: u64,

    /// Seconds the whole command may take (at most 86400, a day): `check` reports the
    /// checks still running then as not finished; the others stop before any write.
    #[arg(
        long,
        value_parser = clap::value_parser!(u64).range(1..=86_400),
        default_value_t = 120,
        value_name = "SECONDS",
        help_heading = "Target"
    )]
    pub deadline: u64,

    /// Also write every request and answer of the run to PATH as HAR 1.2 (redacted,
    /// timings and `x-anypnt-trx-id` kept), for a support ticket. An existing file needs --force.
    #[arg(long, value_name = "PATH", help_heading = "Output")]
    pub har: Option<PathBuf>,

    /// Replace the --har or --report file if it exists.
    #[arg(long, help_heading = "Output")]
    pub force: bool,
}

impl ConnectionArgs {
    /// The settings as given, each with where it came from, and the
    /// admin's token for the commands that take one: `matches` are the
    /// matches of the subcommand that flattened these arguments.
    pub fn given(&self, admin: Option<&AdminArgs>, matches: &ArgMatches) -> Given {
        let sourced = |value: &Option<String>, id: &str| {
            value.clone().map(|value| Sourced {
                value,
                source: source(matches, id),
            })
        };
        Given {
            client_id: sourced(&self.client_id, "client_id"),
            client_secret: sourced(&self.client_secret, "client_secret"),
            client_secret_file: self.client_secret_file.clone(),
            bearer: sourced(&self.bearer, "bearer"),
            host: sourced(&self.host, "host"),
            region: self.region.map(|value| Sourced {
                value,
                source: source(matches, "region"),
            }),
            allow_insecure_http: self.allow_insecure_http,
            org: sourced(&self.org, "org"),
            envs: Sourced {
                value: self.envs.clone(),
                source: source(matches, "envs"),
            },
            ca_file: self.ca_file.clone().map(|value| Sourced {
                value,
                source: source(matches, "ca_file"),
            }),
            timeout: Sourced {
                value: self.timeout,
                source: source(matches, "timeout"),
            },
            connect_timeout: Sourced {
                value: self.connect_timeout,
                source: source(matches, "connect_timeout"),
            },
            notes: Vec::new(),
            admin_bearer: admin.and_then(|admin| {
                admin.admin_bearer.clone().map(|value| Sourced {
                    value,
                    source: source(matches, "admin_bearer"),
                })
            }),
        }
    }
}

/// Each setting's argument id, flag and variable, read from clap's own
/// definitions: a name is written once, where the argument is defined.
static SETTING_NAMES: LazyLock<Vec<SettingName>> = LazyLock::new(|| {
    let definitions =
        AdminArgs::augment_args(ConnectionArgs::augment_args(clap::Command::new("settings")));
    definitions
        .get_arguments()
        .map(|arg| SettingName {
            id: arg.get_id().to_string(),
            flag: arg.get_long().map(|long| format!("--{long}")),
            variable: arg
                .get_env()
                .and_then(|env| env.to_str())
                .map(str::to_string),
        })
        .collect()
});

struct SettingName {
    id: String,
    flag: Option<String>,
    variable: Option<String>,
}

/// Where clap found argument `id`: its flag, its environment variable, or neither.
fn source(matches: &ArgMatches, id: &str) -> Source {
    let name = SETTING_NAMES.iter().find(|name| name.id == id);
    let named = match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => name.and_then(|n| n.variable.as_deref()).map(Source::Env),
        Some(ValueSource::CommandLine) => name.and_then(|n| n.flag.as_deref()).map(Source::Flag),
        _ => None,
    };
    named.unwrap_or(Source::Default)
}

impl std::fmt::Debug for ConnectionArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mask = |value: &Option<String>| value.as_ref().map(|_| "****");
        f.debug_struct("ConnectionArgs")
            .field("client_id", &self.client_id)
            .field("client_secret", &mask(&self.client_secret))
            .field("client_secret_file", &self.client_secret_file)
            .field("bearer", &mask(&self.bearer))
            .field("host", &self.host)
            .field("region", &self.region)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("org", &self.org)
            .field("envs", &self.envs)
            .field("ca_file", &self.ca_file)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("deadline", &self.deadline)
            .field("har", &self.har)
            .field("force", &self.force)
            .finish()
    }
}

// The domain's enums live below the command line; clap learns their
// spellings (and the help beside each) here, and only here.
impl ValueEnum for Region {
    fn value_variants<'a>() -> &'a [Self] {
        Region::VARIANTS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.flag()))
    }
}

value_enum!(Format {
    Format::Table => "table",
    Format::Json => "json",
    Format::Markdown => "markdown",
    Format::Junit => "junit": "JUnit XML, one test case per check (for CI systems)",
});

value_enum!(FailOn {
    FailOn::Fail => "fail" | "error": "Exit 1 only when a check fails (also spelled `error`, as `scan` does)",
    FailOn::Warn => "warn" | "warning": "Exit 1 when a check fails or warns (also spelled `warning`, as `scan` does)",
});

value_enum!(OutputFormat {
    OutputFormat::Table => "table",
    OutputFormat::Json => "json",
});

value_enum!(FixFormat {
    FixFormat::Diff => "diff": "The plan: one `+ scope  org=… env=…` line per scope to add",
    FixFormat::Curl => "curl": "The PATCH that adds them, as a curl command (the token from $ANYPOINT_ADMIN_BEARER)",
    FixFormat::Terraform => "terraform": "An `anypoint_connected_app_scopes` resource for MuleSoft's Terraform provider",
    FixFormat::Json => "json": "The plan as JSON, for review tooling",
});

/// A secret flag's value, kept out of `Debug`; any text is one.
fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

/// An org admin's token beside the app's credentials (`check` and `fix`).
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// An org admin's token: reads the app's granted scopes for exact verdicts, while
    /// the app's own credentials run every other request. Prefer the environment variable.
    #[arg(
        long,
        env = "ANYPOINT_ADMIN_BEARER",
        hide_env_values = true,
        value_name = "TOKEN",
        value_parser = secret,
        help_heading = "Credentials"
    )]
    pub admin_bearer: Option<Secret>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub admin: AdminArgs,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = Format::Table, help_heading = "Output")]
    pub format: Format,

    /// Run only these checks: ids or category prefixes (`scope`, `auth.token`), comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IDS",
        value_parser = Offering(check_ids),
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub select: Vec<String>,

    /// Skip these checks: ids or category prefixes, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IDS",
        value_parser = Offering(check_ids),
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub ignore: Vec<String>,

    /// Check only what this automation needs: capabilities, comma-separated
    /// (`create-contract`, `list-client-applications`, …; see `list --capabilities`).
    #[arg(
        long = "for",
        value_delimiter = ',',
        value_name = "CAPABILITY",
        value_parser = Offering(capability_ids),
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub for_capabilities: Vec<String>,

    /// Check what the Anypoint calls in these scripts, pipelines or collections
    /// need (found the way `scan` finds calls), with any --for capabilities.
    #[arg(long, value_name = "PATH", num_args = 1.., help_heading = "Selection")]
    pub for_files: Vec<PathBuf>,

    /// Check exactly what the traffic in these files needs (HAR files, Postman or
    /// Insomnia exports, read as `needs` reads them): each scope in each business
    /// group and environment, in the org checked (another org's ids mapped by name).
    #[arg(
        long,
        value_name = "FILE",
        num_args = 1..,
        conflicts_with_all = ["for_capabilities", "for_files", "select", "ignore", "baseline", "report"],
        help_heading = "Selection"
    )]
    pub for_har: Vec<PathBuf>,

    /// With --for, --for-files or --for-har: let a need the checks could neither
    /// prove nor disprove through the pre-flight gate (exit 0). Without it the
    /// gate opens only when every need is proven; a disproven need always fails.
    #[arg(long, help_heading = "Selection")]
    pub allow_unproven: bool,

    /// Send no write probes (not even ones the server must reject).
    #[arg(long, help_heading = "Selection")]
    pub read_only: bool,

    /// Which status makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Fail, help_heading = "Output")]
    pub fail_on: FailOn,

    /// At most this many HTTP requests in flight at once [default: as many as the work needs, up to the largest X-RateLimit-Limit the platform states (64 until it states one, 512 at most); each endpoint paced by its rate-limit window (X-RateLimit-Remaining)].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Target")]
    pub concurrency: Option<u16>,

    /// Show the resolved settings and where each came from (on stderr), and each check's requests.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// Also write the report to FILE for a support ticket: Markdown (.md), JSON (.json) or JUnit XML (.xml).
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<PathBuf>,

    /// Replace org, environment and client ids by short hashes in every output.
    #[arg(long, help_heading = "Output")]
    pub redact_ids: bool,

    /// Compare with an earlier `--format json` report and list what changed.
    #[arg(long, value_name = "OLD.json", help_heading = "Output")]
    pub baseline: Option<PathBuf>,

    /// When the token is refused, try the other control planes' token endpoints
    /// (MuleSoft's own hosts only) to find where the app lives.
    #[arg(long, help_heading = "Target")]
    pub probe_regions: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// List the capabilities `check --for` takes, with the scopes that allow each.
    #[arg(long)]
    pub capabilities: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Check id (`scope.manage-contracts`), capability (`create-contract`) or scan rule id.
    pub id: String,

    /// Output format (JSON: `schema/explain.schema.json`).
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// Which simulated world to serve.
#[derive(Debug, Args)]
pub struct WorldArgs {
    /// List the named scenarios and exit.
    #[arg(long, conflicts_with_all = ["scenario", "scenario_file"])]
    pub list_scenarios: bool,

    /// A named scenario (see --list-scenarios).
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "scenario_file",
        value_parser = Offering(scenario_names),
        hide_possible_values = true
    )]
    pub scenario: Option<String>,

    /// Describe your own org in a JSON or TOML file instead (see the README).
    #[arg(long, value_name = "PATH")]
    pub scenario_file: Option<PathBuf>,

    /// Extra milliseconds before every answer (at most 60000).
    #[arg(
        long,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(..=anypoint_sim::validate::MAX_LATENCY_MS)
    )]
    pub latency_ms: Option<u64>,

    /// Requests each endpoint answers per minute before 429, in place of the
    /// world's own limit (the generated worlds' is 400).
    #[arg(
        long,
        value_name = "N",
        value_parser = clap::value_parser!(u64).range(1..=anypoint_sim::validate::MAX_RATE_LIMIT)
    )]
    pub rate_limit: Option<u64>,
}

/// The simulator's own options: it knows nothing of the command line.
impl From<&WorldArgs> for anypoint_sim::load::WorldOptions {
    fn from(args: &WorldArgs) -> Self {
        Self {
            scenario: args.scenario.clone(),
            scenario_file: args.scenario_file.clone(),
            latency_ms: args.latency_ms,
            rate_limit_per_minute: args.rate_limit,
        }
    }
}

#[derive(Debug, Args)]
pub struct SimArgs {
    #[command(flatten)]
    pub world: WorldArgs,

    /// With --list-scenarios: table or JSON (`schema/scenarios.schema.json`).
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = OutputFormat::Table, requires = "list_scenarios")]
    pub format: OutputFormat,

    /// Port on 127.0.0.1; 0 picks a free one. [default: 8081; a free one with a COMMAND]
    #[arg(long)]
    pub port: Option<u16>,

    /// Serve https with a self-signed certificate generated at start.
    #[arg(long)]
    pub tls: bool,

    /// Where to write that certificate (PEM), replacing the file. [default: a new private folder in the temp directory, removed on exit]
    #[arg(long, value_name = "PATH", requires = "tls")]
    pub cert_file: Option<PathBuf>,

    /// Record every exchange served to FILE as HAR 1.2, secrets masked, replacing the file: run your automation against the simulator, stop it (Ctrl-C, SIGTERM), and the file shows every call it made. Kept valid during the run, written in full on stop.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Run this command against the simulator instead of serving until Ctrl-C:
    /// with ANYPOINT_HOST, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET
    /// pointing at it (every other ANYPOINT_* variable removed), in its own
    /// process group, which gets a Ctrl-C or SIGTERM the simulator gets; stop
    /// serving when it ends. Exit 0 when it succeeds, 1 when it fails, 2 when
    /// it cannot be run, 3 when it was stopped.
    #[arg(last = true, value_name = "COMMAND", conflicts_with = "list_scenarios")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub world: WorldArgs,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Show every check and every next step in full, as `check -v` does.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Ask for every application and their client ids as an administrator sees them (`targetAdminSite=true`).
    #[arg(long)]
    pub target_admin_site: bool,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ApisArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum CreateCommand {
    /// Create a client application (POST /exchange/api/v2/organizations/{rootOrgId}/applications).
    App(Box<CreateAppArgs>),
    /// Create a contract between a client application and an API instance.
    Contract(Box<CreateContractArgs>),
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Print the exact request and an equivalent curl command; send no write.
    #[arg(long)]
    pub dry_run: bool,

    /// Output format on stdout: what was created (or would be, with --dry-run).
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct CreateAppArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub write: WriteArgs,

    /// The application's name (unique unless --allow-duplicate).
    #[arg(long)]
    pub name: String,

    /// A description shown with the application in Exchange.
    #[arg(long)]
    pub description: Option<String>,

    /// A redirect URI (absolute); repeat for several.
    #[arg(long = "redirect-uri", value_name = "URI")]
    pub redirect_uris: Vec<String>,

    /// An OAuth grant type the application may use; repeat for several.
    #[arg(long = "grant-type", value_name = "TYPE")]
    pub grant_types: Vec<String>,

    /// Register the redirect URIs as API endpoints (Exchange's `apiEndpoints`).
    #[arg(long)]
    pub api_endpoints: bool,

    /// Print the new application's client secret (else it is not shown; Exchange lists it later to an administrator).
    /// Not with --secret-file, which exists to keep the secret off the terminal.
    #[arg(long, conflicts_with = "secret_file")]
    pub show_secret: bool,

    /// Write the new application's client secret to this file (mode 0600; it must not exist).
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,

    /// Create even if an application with this name exists.
    #[arg(long)]
    pub allow_duplicate: bool,
}

#[derive(Debug, Args)]
pub struct CreateContractArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub write: WriteArgs,

    /// The client application: its id (`create app` prints it; nothing is
    /// read to find it), or its name (read from the application list, which
    /// takes View Client Applications).
    #[arg(long, value_name = "ID|NAME")]
    pub app: String,

    /// The API instance id (as `anypoint-doctor apis` lists it).
    #[arg(long, value_name = "API_INSTANCE_ID")]
    pub api: u64,

    /// The SLA tier to request, when the API has tiers.
    #[arg(long, value_name = "ID")]
    pub tier: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub admin: AdminArgs,

    /// Grant only what this automation needs: capabilities, comma-separated
    /// (`create-contract`, …; see `list --capabilities`). [default: what the failing checks name]
    #[arg(
        long = "for",
        value_delimiter = ',',
        value_name = "CAPABILITY",
        value_parser = Offering(capability_ids),
        hide_possible_values = true,
        help_heading = "Selection"
    )]
    pub for_capabilities: Vec<String>,

    /// Also grant these scopes, which the plan leaves out unless asked (`full`: Full Access).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "SCOPE",
        help_heading = "Selection"
    )]
    pub include: Vec<String>,

    /// Grant exactly what the traffic in these files needs and the app lacks (HAR
    /// files, Postman or Insomnia exports, read as `needs` reads them), in the org
    /// checked (another org's ids mapped by name).
    #[arg(
        long,
        value_name = "FILE",
        num_args = 1..,
        conflicts_with_all = ["for_capabilities", "include", "yes"],
        help_heading = "Selection"
    )]
    pub for_har: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = FixFormat::Diff, help_heading = "Output")]
    pub format: FixFormat,

    /// Apply the plan without asking (one PATCH with the org admin's token), then re-check.
    /// Without it, the plan is applied only after a "y" typed on a terminal.
    #[arg(long)]
    pub yes: bool,

    /// Also write what `fix` printed (the plan and, when applied, what was added and
    /// the re-check) to FILE, for a change record or a support ticket.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub report: Option<PathBuf>,
}

/// Output of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ScanFormat {
    /// One block per finding: `path:line:column: severity[rule]`, what matched, the fix.
    #[default]
    Table,
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// The least severe finding that makes `scan` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ScanFailOn {
    /// Any finding, information included.
    Info,
    /// A warning or an error (also spelled `warn`, as `check` does).
    #[value(alias = "warn")]
    Warning,
    /// An error only (also spelled `fail`, as `check` does).
    #[default]
    #[value(alias = "fail")]
    Error,
    /// Exit 0 whatever is found.
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to scan. [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,

    /// Exit 1 when a finding is at least this severe.
    #[arg(long, value_enum, default_value_t = ScanFailOn::Error)]
    pub fail_on: ScanFailOn,

    /// Skip files larger than this (K, M or G suffix; at most 1G).
    #[arg(long, default_value = "10M", value_name = "SIZE", value_parser = crate::scan::parse_size)]
    pub max_file_size: u64,

    /// Also scan files that .gitignore and .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (loops are reported, never walked).
    #[arg(long)]
    pub follow: bool,
}

#[derive(Debug, Args)]
pub struct NeedsArgs {
    /// HAR files, Postman collections or Insomnia exports (told apart by their content),
    /// or scripts and folders to scan for requests.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short_alias = 'o', alias = "output", value_enum, default_value_t = NeedsFormat::Table)]
    pub format: NeedsFormat,

    /// Skip script files larger than this (K, M or G suffix; at most 1G).
    #[arg(long, default_value = "10M", value_name = "SIZE", value_parser = crate::scan::parse_size)]
    pub max_file_size: u64,

    /// Name the business groups and environments the traffic leaves unnamed
    /// by asking the platform, as the Connected App the settings below name
    /// (as for `check`). Without it, `needs` sends no request.
    #[arg(long)]
    pub online: bool,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NeedsFormat {
    /// Grouped by business group and environment, for people.
    Table,
    /// For tools (schema/needs.schema.json).
    Json,
    /// The least privilege as one PATCH that adds it (an org admin's token applies it).
    Curl,
    /// The least privilege as MuleSoft's Terraform provider's authoritative scope list.
    Terraform,
}

/// A usage error on one line: clap's message and the values it suggests,
/// without the "For more information" trailer. A suggested flag that is a
/// hidden alias (`--client_id`, anypoint-cli-v4's spelling) is named by the
/// flag it stands for (`--client-id`), as `--help` shows it.
pub fn usage_line(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let mut text = error
        .render()
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with("For more information")
                && !line.starts_with("Usage:")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let suggested = match error.get(ContextKind::SuggestedArg) {
        Some(ContextValue::String(flag)) => vec![flag.clone()],
        Some(ContextValue::Strings(flags)) => flags.clone(),
        _ => Vec::new(),
    };
    for flag in suggested {
        if let Some(long) = canonical_long(
            &<Cli as clap::CommandFactory>::command(),
            flag.trim_start_matches('-'),
        ) {
            text = text.replace(&format!("'{flag}'"), &format!("'--{long}'"));
        }
    }
    text
}

/// The long name of the flag `alias` is a hidden alias of, in any command.
fn canonical_long(command: &clap::Command, alias: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|arg| {
            arg.get_all_aliases()
                .is_some_and(|aliases| aliases.contains(&alias))
        })
        .and_then(|arg| arg.get_long().map(str::to_string))
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| canonical_long(sub, alias))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    #[test]
    fn every_flag_and_argument_has_help_text() {
        use clap::CommandFactory;
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "anypoint-doctor", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn fail_on_takes_both_commands_spellings() {
        for (args, want) in [
            (["check", "--fail-on", "warning"], FailOn::Warn),
            (["check", "--fail-on", "error"], FailOn::Fail),
        ] {
            let cli = Cli::try_parse_from(std::iter::once("anypoint-doctor").chain(args)).unwrap();
            let Command::Check(check) = cli.command else {
                panic!("check")
            };
            assert_eq!(check.fail_on, want);
        }
        let cli = Cli::try_parse_from(["anypoint-doctor", "scan", "--fail-on", "warn"]).unwrap();
        let Command::Scan(scan) = cli.command else {
            panic!("scan")
        };
        assert_eq!(scan.fail_on, ScanFailOn::Warning);
    }

    #[test]
    fn debug_of_the_arguments_masks_the_secret_and_the_token() {
        let cli = Cli::try_parse_from([
            "anypoint-doctor",
            "check",
            "--client-id",
            "client-1",
            "--client-secret",
            "s3cr3t-value",
            "--bearer",
            "t0ken-value",
        ])
        .expect("valid arguments");
        let debug = format!("{cli:?}");
        assert!(debug.contains("client-1"));
        assert!(!debug.contains("s3cr3t-value") && !debug.contains("t0ken-value"));
    }

    #[test]
    fn each_setting_is_named_by_the_flag_clap_defines() {
        let matches = Cli::command()
            .try_get_matches_from([
                "anypoint-doctor",
                "check",
                "--client-id",
                "client-1",
                "--client-secret",
                "s3cr3t-value-long-enough",
                "--region",
                "eu",
                "--org",
                "Example Corp",
                "--env",
                "Sandbox",
                "--ca-file",
                "/tmp/roots.pem",
                "--timeout",
                "5",
                "--connect-timeout",
                "2",
                "--admin-bearer",
                "admin-token-long-enough",
            ])
            .expect("valid arguments");
        let cli = Cli::from_arg_matches(&matches).expect("valid arguments");
        let (Command::Check(check), Some(("check", sub))) = (&cli.command, matches.subcommand())
        else {
            panic!("check")
        };
        let given = check.connection.given(Some(&check.admin), sub);
        let flag = |source: Option<&Source>| match source {
            Some(Source::Flag(flag)) => *flag,
            other => panic!("not from a flag: {other:?}"),
        };
        assert_eq!(
            flag(given.client_id.as_ref().map(|s| &s.source)),
            "--client-id"
        );
        assert_eq!(
            flag(given.client_secret.as_ref().map(|s| &s.source)),
            "--client-secret"
        );
        assert_eq!(flag(given.region.as_ref().map(|s| &s.source)), "--region");
        assert_eq!(flag(given.org.as_ref().map(|s| &s.source)), "--org");
        assert_eq!(flag(Some(&given.envs.source)), "--env");
        assert_eq!(flag(given.ca_file.as_ref().map(|s| &s.source)), "--ca-file");
        assert_eq!(flag(Some(&given.timeout.source)), "--timeout");
        assert_eq!(
            flag(Some(&given.connect_timeout.source)),
            "--connect-timeout"
        );
        assert_eq!(
            flag(given.admin_bearer.as_ref().map(|s| &s.source)),
            "--admin-bearer"
        );
        // And the variables beside them, as clap knows them.
        let variable = |id: &str| {
            SETTING_NAMES
                .iter()
                .find(|name| name.id == id)
                .and_then(|name| name.variable.as_deref())
        };
        assert_eq!(variable("client_id"), Some("ANYPOINT_CLIENT_ID"));
        assert_eq!(variable("ca_file"), Some("SSL_CERT_FILE"));
        assert_eq!(variable("admin_bearer"), Some("ANYPOINT_ADMIN_BEARER"));
        assert_eq!(variable("timeout"), None);
    }
}
