//! The last guard before output: if any secret value (client secret, access
//! token, bearer token) appears in the bytes about to be written, as written
//! or as JSON would escape it, nothing is written. It can only fire on a bug.

use crate::error::ConfigError;
use crate::secret::Secret;

/// The secrets of a run, each with what it is.
#[derive(Clone, Default)]
pub struct Canary {
    secrets: Vec<(&'static str, Secret)>,
}

impl Canary {
    pub fn new(secrets: Vec<(&'static str, Secret)>) -> Canary {
        Canary { secrets }
    }

    /// Refuses `bytes` bound for `destination` if they hold a secret.
    pub fn check(&self, bytes: &[u8], destination: &str) -> Result<(), ConfigError> {
        let text = String::from_utf8_lossy(bytes);
        for (what, secret) in self.secrets.iter().filter(|(_, s)| s.is_scannable()) {
            let raw = secret.expose();
            let escaped = serde_json::to_string(raw).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if text.contains(raw)
                || text.contains(escaped)
                || text.contains(&escaped.replace('/', "\\/"))
            {
                return Err(ConfigError::SecretInOutput {
                    what,
                    destination: destination.to_string(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_in_any_escaping_stops_the_write() {
        let canary = Canary::new(vec![("client secret", Secret::new("s3c/r\"et"))]);
        assert!(canary.check(b"all clear", "stdout").is_ok());
        for leaked in [
            r#"x s3c/r"et y"#,
            r#"{"v": "s3c/r\"et"}"#,
            r#"{"v": "s3c\/r\"et"}"#,
        ] {
            let err = canary
                .check(leaked.as_bytes(), "report.json")
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("client secret") && err.contains("report.json"),
                "{err}"
            );
        }
    }
}
