//! Resolved settings: flags beat `ANYPOINT_*` variables, which beat
//! anypoint-cli-v4's saved settings, which beat defaults. The one path:
//! what the user gave (`given`), checked and resolved in one call
//! (`resolve`), which also takes the run's secrets where they enter.
//!
//! Every value remembers where it came from, so `check -v` can say which
//! setting won (`provenance`), and validation errors name the exact flag or
//! variable to fix.

mod ca_file;
mod given;
mod provenance;
mod resolve;
mod resolved;
mod source;

pub use ca_file::CaFile;
pub use given::Given;
pub use provenance::SettingRow;
pub use resolve::resolve;
pub use resolved::{Credentials, OrgSweep, Settings, mask_id};
pub use source::{Source, Sourced};
