//! The methods a probe or a scan rule speaks of: the requests the doctor
//! sends to learn something, and the calls it recognises in code.

use serde::Deserialize;

/// A probe's or a retired call's HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ProbeMethod {
    Get,
    Post,
}
