//! The `--har FILE` of the commands that talk to the platform: refused
//! before any request when the file exists (unless `--force`) or could not
//! be written, then written atomically after the run, whatever its outcome,
//! once the secret canary has read every byte of it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::har::HarRecorder;
use crate::secret::canary::Canary;
use crate::secret::registry::SecretRegistry;

/// A recorder for the run, once `path` may be written: the same write as
/// at the end is tried now, so a command that writes to the platform (`fix`,
/// `create`) never does it and then fails on its record.
pub fn prepare(path: &Path, force: bool) -> Result<(PathBuf, Arc<HarRecorder>), Error> {
    super::may_write("--har", path, force)?;
    Ok((path.to_path_buf(), Arc::default()))
}

/// Writes the record, or nothing when a secret is in it. Every secret the
/// run learned is masked once more first: an answer read before its secret
/// was known (the token request's answer holds the token it issues) was
/// redacted without it.
/// `flag` is the option that named the file (`--har`, `sim --record`).
/// Returns the line that tells where it went.
pub fn write(
    flag: &str,
    path: &Path,
    recorder: &HarRecorder,
    secrets: &SecretRegistry,
) -> Result<String, Error> {
    let document = secrets.finder().mask(&recorder.document());
    Canary::watching(secrets.clone()).check(document.as_bytes(), &path.display().to_string())?;
    crate::files::replace(path, document.as_bytes())
        .map_err(|e| super::cannot_write(flag, path, &e))?;
    Ok(super::wrote(
        path,
        &format!("HAR 1.2, {} request(s)", recorder.recorded()),
    ))
}
