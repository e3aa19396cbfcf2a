//! The TLS the doctor speaks: rustls over ring, handed to each connection
//! here (the HTTP client's, and the handshake `net` reads a chain with)
//! rather than installed for the whole process, so a library caller's own
//! choice is left alone.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// ring: rustls' provider whose C builds in seconds (aws-lc's takes most of a minute).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The HTTP client's configuration, as reqwest builds its own: the system's
/// roots and `extra_roots_pem` (`--ca-file`), TLS 1.2 and 1.3, and HTTP/2 or
/// HTTP/1.1 by ALPN (what `first_connection` shares a connection by).
pub fn client_config(extra_roots_pem: Option<&[u8]>) -> Result<ClientConfig, rustls::Error> {
    let extra_roots = CertificateDer::pem_slice_iter(extra_roots_pem.unwrap_or_default())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| rustls::Error::General(format!("the extra roots' PEM: {e}")))?;
    let provider = provider();
    // Without extra roots, the verifier reqwest itself built: on Windows the
    // other also keeps a second, empty chain engine to retry with.
    let verifier = if extra_roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())?
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())?
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}
