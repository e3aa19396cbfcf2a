//! The report: one model of a run (`model`), rendered by pure functions, one
//! module per format, so the table and the JSON can never disagree.

pub mod json;
pub mod markdown;
pub mod model;
pub mod next_steps;
pub mod table;
pub mod time;

pub use model::{Outcome, Report, Status, Summary};
