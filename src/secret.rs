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

    /// What reports may show instead of the value: that it is set, and its length.
    pub fn masked(&self) -> String {
        format!("**** ({} chars)", self.0.chars().count())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
        assert_eq!(secret.expose(), "s3cr3t-value");
    }
}
