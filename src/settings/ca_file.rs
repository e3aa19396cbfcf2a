//! A PEM file of extra trusted roots (`--ca-file`, `SSL_CERT_FILE`), read
//! and checked when the settings resolve.

use std::path::PathBuf;

use crate::error::ConfigError;

/// A PEM file of extra trusted roots, read and checked when settings resolve.
#[derive(Debug, Clone)]
pub struct CaFile {
    pub path: PathBuf,
    pub pem: Vec<u8>,
    pub certificates: usize,
}

impl CaFile {
    /// Reads a PEM bundle; `setting` names the flag or variable in the error.
    pub fn read(path: &std::path::Path, setting: &str) -> Result<CaFile, ConfigError> {
        let invalid = |reason: String| ConfigError::CaFile {
            setting: setting.to_string(),
            path: path.to_path_buf(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| invalid(e.to_string()))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| invalid(e.to_string()))?
            .len();
        if certificates == 0 {
            return Err(invalid("it holds no PEM certificate".into()));
        }
        // The bundle parser only decodes base64: a CERTIFICATE block that is
        // not X.509 would fail later, when the HTTP client is built, as a
        // bare "builder error" that names no file.
        let blocks = x509_parser::pem::Pem::iter_from_buffer(&pem)
            .filter_map(Result::ok)
            .filter(|block| block.label == "CERTIFICATE");
        for (n, block) in blocks.enumerate() {
            if let Err(e) = x509_parser::parse_x509_certificate(&block.contents) {
                return Err(invalid(format!(
                    "certificate {} is not a valid X.509 certificate ({e})",
                    n + 1
                )));
            }
        }
        Ok(CaFile {
            path: path.to_path_buf(),
            pem,
            certificates,
        })
    }
}
