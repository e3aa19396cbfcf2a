//! The rate-limit windows one `check` leaves for the next (`platform::pacing`),
//! kept in the user's cache folder: a second run within the same minute
//! paces on from where the first stopped instead of meeting a spent window.
//! A cache: a file that cannot be read is ignored, one that cannot be written is skipped.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::platform::pacing::{Clock, RateLimits, SystemClock, Window};
use crate::settings::{Credentials, Settings};

/// The file's layout version: another is ignored (and replaced on the next write).
const VERSION: u32 = 1;

#[derive(Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    /// `"<control plane> <client id>"` → endpoint → its window.
    apps: BTreeMap<String, BTreeMap<String, Window>>,
}

/// `rate-limits.json` in the platform's cache folder for anypoint-doctor
/// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
/// `%LOCALAPPDATA%` on Windows); none when the environment names no home.
/// A relative path in any of them is ignored, as the XDG Base Directory
/// specification says: it would write into whatever folder the run is in.
pub fn path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|v| v.is_absolute())
    };
    let base = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|home| home.join("Library/Caches"))
    } else {
        var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|home| home.join(".cache")))
    };
    Some(base?.join("anypoint-doctor").join("rate-limits.json"))
}

/// Windows are the platform's per app and control plane ([I]: §6 does not
/// say whether a limit counts per app, per org or per address; per app is
/// what one app's runs can share).
fn key(settings: &Settings) -> String {
    let app = match &settings.credentials {
        Credentials::ClientCredentials { client_id, .. } => client_id.value.as_str(),
        Credentials::Bearer {
            client_id: Some(id),
            ..
        } => id.value.as_str(),
        Credentials::Bearer { .. } => "(bearer token)",
    };
    format!(
        "{} {app}",
        settings.base_url.value.as_str().trim_end_matches('/')
    )
}

/// The most the cache may hold: a window is about 100 bytes, and an app has
/// a few dozen endpoints.
const MAX_CACHE_BYTES: u64 = 1024 * 1024;

/// The cache, when there is a usable one; a file that is there but is not
/// a regular file under the cap is a warning (it is ignored, and replaced).
fn read() -> (Option<CacheFile>, Option<String>) {
    let Some(path) = path() else {
        return (None, None);
    };
    let bytes = match crate::files::read_small(&path, MAX_CACHE_BYTES) {
        Ok(bytes) => bytes,
        Err(crate::files::NotRead::Absent) => return (None, None),
        Err(why) => {
            let warning = format!(
                "warning: the rate-limit cache {} {why}; it is ignored",
                crate::text::line(&path.display().to_string())
            );
            return (None, Some(warning));
        }
    };
    let file = serde_json::from_slice::<CacheFile>(&bytes)
        .ok()
        .filter(|file| file.version == VERSION);
    (file, None)
}

/// The windows the last runs of this app left that have not turned yet,
/// and a warning when the cache is there but could not be used.
pub fn load(settings: &Settings) -> (Arc<RateLimits>, Option<String>) {
    let limits = RateLimits::default();
    let (file, warning) = read();
    if let Some(windows) = file.and_then(|mut file| file.apps.remove(&key(settings))) {
        limits.remember(windows);
    }
    (Arc::new(limits), warning)
}

/// Writes the windows `limits` holds for this app, dropping every app's turned ones.
pub fn save(settings: &Settings, limits: &RateLimits) {
    let Some(path) = path() else { return };
    let had_file = path.exists();
    let mut file = read().0.unwrap_or_default();
    file.version = VERSION;
    let now = SystemClock.now_ms();
    for windows in file.apps.values_mut() {
        windows.retain(|_, window| window.turns_at_ms > now);
    }
    file.apps.insert(key(settings), limits.windows());
    file.apps.retain(|_, windows| !windows.is_empty());
    if file.apps.is_empty() && !had_file {
        return;
    }
    let Ok(json) = serde_json::to_vec_pretty(&file) else {
        return;
    };
    if let Some(folder) = path.parent()
        && std::fs::create_dir_all(folder).is_ok()
    {
        let _ = crate::files::replace(&path, &json);
    }
}
