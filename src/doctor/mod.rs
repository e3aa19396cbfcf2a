//! The check engine: check specs and their registry, selection, the run
//! context with the facts checks share, verdicts, the runner, the granted
//! scopes' paging, and one module per kind.

pub mod calls;
pub mod catalogue;
pub mod codes;
pub mod context;
pub mod facts;
pub mod grants;
pub mod kinds;
pub mod outcome;
pub mod path_vars;
pub mod registry;
pub mod runner;
pub mod select;
pub mod spec;
pub mod verdict;

pub use context::RunContext;
pub use registry::Registry;
pub use spec::CheckSpec;
