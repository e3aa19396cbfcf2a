//! `Secret`: a value (client secret, access token) that must never reach output.
//!
//! It has no `Display` and no `Serialize`; `Debug` prints a mask. The only way
//! to the value is `expose`, which callers use to build a request and nothing
//! else.

use std::fmt;

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
    /// secrets apart without revealing either, and the length.
    pub fn masked(&self) -> String {
        format!(
            "**** sha256:{} ({} chars)",
            self.fingerprint(),
            self.0.chars().count()
        )
    }

    /// The first 8 hex digits of the value's SHA-256.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.0.as_bytes());
        digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Long enough to look for in output: a shorter value (real client secrets
    /// and tokens are 32+ characters) turns up in ordinary text and would make
    /// masking and the canary scan fire on innocent output.
    pub fn is_scannable(&self) -> bool {
        self.0.chars().count() >= 8
    }
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
        assert_eq!(secret.fingerprint().len(), 8);
        assert_ne!(secret.fingerprint(), Secret::new("other").fingerprint());
        assert_eq!(secret.expose(), "s3cr3t-value");
    }
}
