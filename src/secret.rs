//! `Secret`: a value (client secret, access token) that must never reach output.
//!
//! It has no `Display` and no `Serialize`; `Debug` prints a mask. The only way
//! to the value is `expose`, which callers use to build a request and nothing
//! else. `forms` knows how it could still show in text; `registry` holds a
//! run's secrets for redaction and the output guard; `canary` is the last
//! look at what is about to be written.

pub mod canary;
pub mod finder;
pub mod forms;
pub mod registry;

use std::fmt;

/// How much of the SHA-256 a fingerprint shows: 16 bits.
const FINGERPRINT_BYTES: usize = 2;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for the one place that sends it (a request body or header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What reports may show instead of the value: a short hash that tells two
    /// secrets of the same length apart (but for one pair in 65,536) without
    /// revealing either, and the length.
    pub fn masked(&self) -> String {
        format!(
            "**** sha256:{} ({} chars)",
            self.fingerprint(),
            self.0.chars().count()
        )
    }

    /// The first 4 hex digits (16 bits) of the value's SHA-256. Stable across
    /// runs, so two reports tell whether the secret changed; too short to test
    /// guesses against offline: every 16-bit value is shared by a 65,536th
    /// of all candidates, so even a weak 8-character secret keeps thousands
    /// of candidates that match it (a 32-character one, 10^40).
    pub fn fingerprint(&self) -> String {
        sha256_hex(&self.0, FINGERPRINT_BYTES)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every form the value can take in text (escaped for JSON, XML or a URL,
    /// base64, …): what redaction masks and the canary looks for.
    pub fn forms(&self) -> Vec<String> {
        forms::forms(&self.0)
    }

    /// Long enough to look for in output (see `MIN_SCANNABLE_CHARS`).
    pub fn is_scannable(&self) -> bool {
        self.0.chars().count() >= forms::MIN_SCANNABLE_CHARS
    }
}

/// The first `bytes` bytes of `value`'s SHA-256, in lowercase hex: the
/// secrets' fingerprints and `--redact-ids`' placeholders. ring is the
/// crypto library rustls already builds, so no second SHA-256 is compiled.
pub fn sha256_hex(value: &str, bytes: usize) -> String {
    use ring::digest::{SHA256, digest};
    digest(&SHA256, value.as_bytes())
        .as_ref()
        .iter()
        .take(bytes)
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_masked_never_show_the_value() {
        let secret = Secret::new("s3cr3t-value");
        assert!(!format!("{secret:?}").contains("s3cr3t"));
        assert!(!secret.masked().contains("s3cr3t"));
        assert_eq!(secret.fingerprint().len(), 4);
        assert_ne!(secret.fingerprint(), Secret::new("other").fingerprint());
        assert_eq!(secret.expose(), "s3cr3t-value");
        // SHA-256("abc") begins ba7816bf (FIPS 180-2, appendix B.1).
        assert_eq!(sha256_hex("abc", 4), "ba7816bf");
    }
}
