//! The built-in Anypoint Platform simulator: a stateful, in-memory stand-in
//! for the endpoints the doctor and anypoint-cli-v4 call, enforcing scopes
//! the way the platform does, with injected faults and named scenarios.

// A handler's early answer travels as the `Err` of a `Result<_, Response>`;
// boxing it would only add noise on a path that is not hot.
#![allow(clippy::result_large_err)]

pub mod faults;
pub mod load;
pub mod respond;
pub mod routes;
pub mod scenarios;
pub mod scope_contexts;
pub mod server;
pub mod state;
pub mod validate;
pub mod world;

pub use server::{RunningSim, ServeOptions, start};
pub use world::World;
