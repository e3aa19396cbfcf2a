//! anypoint-sim: a simulator of the Anypoint Platform. A stateful, in-memory
//! stand-in for the endpoints anypoint-doctor and anypoint-cli-v4 call,
//! enforcing scopes the way the platform does, with injected faults and
//! named scenarios, served over http or https on 127.0.0.1.
//!
//! Every behaviour (paths, status codes, bodies, scopes) follows
//! `shared/reference/anypoint-api.md` and cites it by section or source id;
//! what the reference marks [I] is a guess and stays marked so.
//!
//! This crate must never depend on anypoint-doctor: the doctor is its
//! client, and a simulator that shared the doctor's code (its paths, its
//! models) would agree with the doctor's mistakes instead of catching them.
//! It takes plain options (`load::WorldOptions`) and reports typed errors
//! (`load::LoadError`) that the doctor turns into its own messages.

// A handler's early answer travels as the `Err` of a `Result<_, Response>`;
// boxing it would only add noise on a path that is not hot.
#![allow(clippy::result_large_err)]

pub mod catalogue;
pub mod faults;
pub mod furnish;
pub mod generate;
pub mod identities;
pub mod load;
pub mod policy_templates;
pub mod ratelimit;
pub mod respond;
pub mod routes;
pub mod scenarios;
pub mod scope_contexts;
pub mod server;
pub mod state;
pub mod stored_zip;
pub mod tap;
pub mod validate;
pub mod world;

pub use server::{RunningSim, ServeOptions, start};
pub use world::World;
