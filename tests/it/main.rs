//! The integration tests, as one test binary over one shared harness
//! (`support`): the built binary, the simulator and a mock control plane,
//! end to end. One module per concern.

mod support;

mod architecture;
mod checks;
mod ci_recipes;
mod cli;
mod cli_v4;
mod codes;
mod conformance;
mod create;
mod docs;
mod faults;
mod for_har;
mod har;
mod hardening;
mod junit;
mod needs;
mod needs_corpus;
mod net;
mod pacing;
mod preflight;
mod properties;
mod record;
mod report;
mod round_trips;
mod scan;
mod scenarios;
mod schemas;
mod screen;
mod sim_command;
mod sim_routes;
mod sweep;
mod token_expiry;
mod traffic;
