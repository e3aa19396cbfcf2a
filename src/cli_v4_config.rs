//! anypoint-cli-v4's saved settings (`anypoint-cli-v4 conf KEY VALUE`, 1.6.x):
//! where the file is, how to open it, and the values the doctor takes from it.
//!
//! Version 1.6.12 keeps them with the `conf` package (10.2.0, pinned by
//! `anypoint-cli-command` 1.6.6, `lib/config.js`: project `anypoint-cli-v4`,
//! encryption key `anypoint-cli`), in `config.json` under the platform's
//! config folder with the suffix `nodejs`. The file is 16 random bytes (the
//! IV), `:`, then AES-256-CBC (PKCS#7) of the settings as JSON; the key is
//! PBKDF2-HMAC-SHA512 of `anypoint-cli`, 10,000 rounds, 32 bytes, salted with
//! the IV *read as UTF-8 text*: Node's `iv.toString()`, invalid bytes replaced
//! by U+FFFD, which `String::from_utf8_lossy` reproduces. `conf` also reads a
//! plain JSON file. The keys are flat strings: `client_id`, `client_secret`,
//! `host` (a bare host name), `organization` (a name or id), `environment`;
//! 1.6.x has no profiles (its `--profile` flag is defined but never read).

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use aes::Aes256;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use ring::pbkdf2;

use crate::secret::Secret;

/// The password `conf` derives the key from (anypoint-cli-command 1.6.6, `lib/config.js`).
const PASSWORD: &[u8] = b"anypoint-cli";
const ROUNDS: u32 = 10_000;
const IV_BYTES: usize = 16;

/// The values a saved configuration holds that the doctor uses.
#[derive(Default)]
pub struct Saved {
    pub path: PathBuf,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    /// Read if saved (`conf bearer …`), though anypoint-cli-v4 itself takes it only from a flag or variable.
    pub bearer: Option<Secret>,
    pub host: Option<String>,
    pub organization: Option<String>,
    pub environment: Option<String>,
    /// A warning naming the file when other users may read it (as the CLI
    /// writes it) or change it; its values are used all the same.
    pub warning: Option<String>,
}

/// What was found where anypoint-cli-v4 keeps its settings.
pub enum Loaded {
    /// No file (or no home folder to look in).
    Absent,
    /// A file that is not used, and why: a warning naming the path, never a value.
    Unusable(String),
    Saved(Saved),
}

/// `config.json` of project `anypoint-cli-v4`, as env-paths 2.2.1 places it:
/// `$XDG_CONFIG_HOME` or `~/.config` on Linux, `~/Library/Preferences` on
/// macOS, `%APPDATA%\…\Config` on Windows.
pub fn path(var: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    const FOLDER: &str = "anypoint-cli-v4-nodejs";
    let folder = if cfg!(windows) {
        var("APPDATA")
            .or_else(|| var("USERPROFILE").map(|home| home.join("AppData").join("Roaming")))?
            .join(FOLDER)
            .join("Config")
    } else if cfg!(target_os = "macos") {
        var("HOME")?.join("Library/Preferences").join(FOLDER)
    } else {
        var("XDG_CONFIG_HOME")
            .or_else(|| var("HOME").map(|home| home.join(".config")))?
            .join(FOLDER)
    };
    Some(folder.join("config.json"))
}

/// Reads the file where this process's environment says it is.
pub fn load() -> Loaded {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    match path(var) {
        Some(path) => read(&path),
        None => Loaded::Absent,
    }
}

/// The most a saved configuration may hold: the CLI writes a few hundred
/// bytes; a larger file is not one it wrote.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads a saved configuration: absent, unusable (with why), or its values.
pub fn read(path: &Path) -> Loaded {
    let unusable = |why: &str| {
        Loaded::Unusable(format!(
            "warning: the anypoint-cli-v4 config {} {why}; nothing in it is used",
            crate::text::line(&path.display().to_string())
        ))
    };
    let bytes = match crate::files::read_small(path, MAX_CONFIG_BYTES) {
        Ok(bytes) => bytes,
        Err(crate::files::NotRead::Absent) => return Loaded::Absent,
        Err(why) => return unusable(&why.to_string()),
    };
    let Some(json) = decrypt(&bytes).or_else(|| {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .map(|_| bytes.clone())
    }) else {
        return unusable(
            "could not be decrypted as anypoint-cli-v4 1.6.x writes it (another version, or a damaged file)",
        );
    };
    match serde_json::from_slice::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(values)) => {
            let text = |key: &str| {
                values
                    .get(key)
                    .and_then(serde_json::Value::as_str)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            let mode = open_to_others(path);
            // Another user who may change the file could point the host at a
            // server of theirs, and the secret a flag or variable gives would
            // go there: from such a file, the host is not taken.
            let changeable = mode.is_some_and(|mode| mode & 0o022 != 0);
            let host = text("host");
            let warning = mode.map(|mode| {
                let chmod = format!(
                    "`chmod 600 {}`",
                    crate::text::line(&crate::text::shell_word(&path.display().to_string()))
                );
                let shown = crate::text::line(&path.display().to_string()).into_owned();
                let (what, host_not_used) = match (changeable, &host) {
                    (true, Some(_)) => (
                        "read and changed",
                        "; until then its host is not used (--host or ANYPOINT_HOST gives one)",
                    ),
                    (true, None) => ("read and changed", ""),
                    (false, _) => ("read", ""),
                };
                format!(
                    "warning: the anypoint-cli-v4 config {shown} can be {what} by other users (mode {mode:o}, as anypoint-cli-v4 writes it), its client secret with it: {chmod} keeps it yours{host_not_used}"
                )
            });
            Loaded::Saved(Saved {
                path: path.to_path_buf(),
                client_id: text("client_id"),
                client_secret: text("client_secret").map(Secret::new),
                bearer: text("bearer").map(Secret::new),
                host: host.filter(|_| !changeable),
                organization: text("organization"),
                environment: text("environment"),
                warning,
            })
        }
        _ => unusable("does not hold the settings object anypoint-cli-v4 1.6.x writes"),
    }
}

/// The file's permission bits when a user other than its owner may read or change it.
#[cfg(unix)]
fn open_to_others(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o066 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn open_to_others(_: &Path) -> Option<u32> {
    None
}

/// The settings JSON of `conf`'s IV format, or None when it is not that format or does not decrypt.
fn decrypt(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() <= IV_BYTES + 1 || bytes[IV_BYTES] != b':' {
        return None;
    }
    let iv: [u8; IV_BYTES] = bytes[..IV_BYTES].try_into().ok()?;
    let salt = String::from_utf8_lossy(&iv);
    let mut key = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA512,
        NonZeroU32::new(ROUNDS)?,
        salt.as_bytes(),
        PASSWORD,
        &mut key,
    );
    let mut data = bytes[IV_BYTES + 1..].to_vec();
    let plain = cbc::Decryptor::<Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_mut::<Pkcs7>(&mut data)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_where_env_paths_puts_it() {
        let home = |name: &str| (name == "HOME").then(|| PathBuf::from("/home/u"));
        if cfg!(target_os = "linux") {
            assert_eq!(
                path(home),
                Some(PathBuf::from(
                    "/home/u/.config/anypoint-cli-v4-nodejs/config.json"
                ))
            );
            let xdg = |name: &str| (name == "XDG_CONFIG_HOME").then(|| PathBuf::from("/x"));
            assert_eq!(
                path(xdg),
                Some(PathBuf::from("/x/anypoint-cli-v4-nodejs/config.json"))
            );
            assert_eq!(path(|_| None), None);
        }
    }

    #[test]
    fn a_file_that_is_neither_format_does_not_decrypt() {
        assert_eq!(decrypt(b"0123456789abcdef:not a multiple of sixteen"), None);
        assert_eq!(decrypt(b"{\"client_id\": \"x\"}"), None);
    }

    #[test]
    fn a_damaged_file_of_whole_blocks_fails_its_padding_check() {
        let written = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/anypoint-cli-v4/config.json"
        ))
        .expect("the fixture anypoint-cli-v4 wrote");
        assert!(decrypt(&written).is_some(), "the file as written decrypts");
        // Whole blocks still, so only the PKCS#7 padding can tell.
        let mut last_byte_changed = written.clone();
        if let Some(last) = last_byte_changed.last_mut() {
            *last ^= 1;
        }
        assert_eq!(decrypt(&last_byte_changed), None);
        assert_eq!(decrypt(&written[..written.len() - 16]), None);
    }
}
