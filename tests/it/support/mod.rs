//! The shared harness: the simulator's HTTP API (`api`), running the built binary with an isolated environment
//! (`bin`), the simulator (`sim`), the mock control plane of the `check`
//! tests (`tenant`), fixtures and temp folders (`fs`), reading reports
//! (`report`), and assertions on text.

pub mod api;
pub mod bin;
pub mod fs;
pub mod report;
pub mod sim;
pub mod tenant;

use std::fmt::Debug;

/// `text` contains every one of `needles`; the message names the missing one.
#[track_caller]
pub fn assert_contains_all(text: &str, needles: &[&str], context: &dyn Debug) {
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} missing: {context:#?}");
    }
}
