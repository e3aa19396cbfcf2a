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
pub mod har_file;
pub mod list;
pub mod progress;
pub mod rate_limit_cache;
pub mod scan;
pub mod session;
pub mod sim;
