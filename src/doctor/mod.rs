//! The doctor: check specs and their registry, selection, the run context
//! with the facts checks share, the runner, and one module per kind.

pub mod calls;
pub mod catalogue;
pub mod codes;
pub mod context;
pub mod grants;
pub mod kinds;
pub mod outcome;
pub mod registry;
pub mod runner;
pub mod select;
pub mod spec;

pub use context::RunContext;
pub use registry::Registry;
pub use spec::CheckSpec;
