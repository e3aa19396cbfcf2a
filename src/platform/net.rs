//! The layers below HTTP, for the network checks: where a connection goes
//! (the host, or the proxy), name resolution, a timed TCP connect, and the
//! certificate chain a server presents, read by a handshake that trusts
//! anything and only records what it was shown.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::proxy::ProxyChoice;

/// A host and port to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    pub fn of(url: &Url) -> Endpoint {
        Endpoint {
            host: url
                .host_str()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port: url.port_or_known_default().unwrap_or(443),
        }
    }

    /// Where the first TCP connection goes: the proxy when one applies.
    pub fn first_hop(target: &Url, proxy: &ProxyChoice) -> Endpoint {
        match proxy {
            ProxyChoice::Via { proxy, .. } => Endpoint::of(proxy),
            _ => Endpoint::of(target),
        }
    }

    pub fn is_ip_literal(&self) -> bool {
        self.host.parse::<std::net::IpAddr>().is_ok()
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Why a network step failed, in the words the network checks show.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("no answer within {} s", .0.as_secs())]
    NoAnswer(Duration),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Every address refused: each with its reason, in order.
    #[error("{}", refusals(.0))]
    Refused(Vec<(SocketAddr, NetError)>),
    #[error("no handshake within {} s", .0.as_secs())]
    NoHandshake(Duration),
    #[error("cannot reach the proxy {hop}: {source}")]
    Proxy {
        hop: Endpoint,
        source: std::io::Error,
    },
    #[error("the proxy refused the tunnel ({0})")]
    TunnelRefused(String),
    #[error("{0}")]
    Tls(#[from] rustls::Error),
    #[error("{0}")]
    ServerName(#[from] rustls::pki_types::InvalidDnsNameError),
    #[error("the server presented no certificate")]
    NoCertificate,
}

/// `address: why; address: why`.
fn refusals(each: &[(SocketAddr, NetError)]) -> String {
    let each: Vec<String> = each.iter().map(|(a, e)| format!("{a}: {e}")).collect();
    each.join("; ")
}

/// The endpoint's addresses, as the system resolver (the one the HTTP client uses) gives them.
pub async fn resolve(endpoint: &Endpoint, limit: Duration) -> Result<Vec<SocketAddr>, NetError> {
    match tokio::time::timeout(
        limit,
        tokio::net::lookup_host((endpoint.host.as_str(), endpoint.port)),
    )
    .await
    {
        Err(_) => Err(NetError::NoAnswer(limit)),
        Ok(Err(e)) => Err(e.into()),
        Ok(Ok(addresses)) => {
            let mut addresses: Vec<SocketAddr> = addresses.collect();
            addresses.dedup();
            Ok(addresses)
        }
    }
}

/// Connects to the first address that accepts, returning it and how long it took;
/// on failure, why each address refused.
pub async fn connect(
    addresses: &[SocketAddr],
    limit: Duration,
) -> Result<(SocketAddr, Duration), NetError> {
    let mut failures = Vec::new();
    for address in addresses {
        let started = Instant::now();
        match tokio::time::timeout(limit, TcpStream::connect(address)).await {
            Ok(Ok(_)) => return Ok((*address, started.elapsed())),
            Ok(Err(e)) => failures.push((*address, e.into())),
            Err(_) => failures.push((*address, NetError::NoAnswer(limit))),
        }
    }
    Err(NetError::Refused(failures))
}

/// The certificate chain `target` presents (leaf first, DER), read through
/// the proxy's CONNECT tunnel when one applies. Nothing is verified and
/// nothing is sent after the handshake.
pub async fn presented_chain(
    target: &Endpoint,
    proxy: &ProxyChoice,
    limit: Duration,
) -> Result<Vec<Vec<u8>>, NetError> {
    tokio::time::timeout(limit, read_chain(target, proxy))
        .await
        .map_err(|_| NetError::NoHandshake(limit))?
}

async fn read_chain(target: &Endpoint, proxy: &ProxyChoice) -> Result<Vec<Vec<u8>>, NetError> {
    let mut stream = match proxy {
        ProxyChoice::Via { proxy, .. } => {
            let hop = Endpoint::of(proxy);
            let mut stream = TcpStream::connect((hop.host.as_str(), hop.port))
                .await
                .map_err(|source| NetError::Proxy {
                    hop: hop.clone(),
                    source,
                })?;
            tunnel(&mut stream, target).await?;
            stream
        }
        _ => TcpStream::connect((target.host.as_str(), target.port)).await?,
    };
    let recorder = Arc::new(ChainRecorder::default());
    let config = rustls::ClientConfig::builder_with_provider(super::tls::provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let name = ServerName::try_from(target.host.clone())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector.connect(name, &mut stream).await?;
    let _ = tls.shutdown().await;
    let chain = recorder.chain.lock().expect("chain lock poisoned").clone();
    if chain.is_empty() {
        return Err(NetError::NoCertificate);
    }
    Ok(chain)
}

/// Asks an HTTP proxy for a tunnel to `target`; anything but 2xx is refused.
async fn tunnel(stream: &mut TcpStream, target: &Endpoint) -> Result<(), NetError> {
    let request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Byte by byte: nothing after the head may be consumed, the TLS handshake follows.
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte).await {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(e.into()),
        }
    }
    let status_line = String::from_utf8_lossy(&head);
    let status_line = status_line.lines().next().unwrap_or_default().to_string();
    match status_line.split_whitespace().nth(1) {
        Some(code) if code.starts_with('2') => Ok(()),
        _ => Err(NetError::TunnelRefused(status_line)),
    }
}

/// A verifier that accepts any chain and keeps it.
#[derive(Debug, Default)]
struct ChainRecorder {
    chain: Mutex<Vec<Vec<u8>>>,
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().expect("chain lock poisoned");
        *chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.as_ref().to_vec())
            .collect();
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        super::tls::provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// One certificate as people name it: subject and issuer, in RFC 4514 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertNames {
    pub subject: String,
    pub issuer: String,
}

impl CertNames {
    pub fn is_self_signed(&self) -> bool {
        self.subject == self.issuer
    }
}

/// The subject and issuer of each certificate of a chain, leaf first.
pub fn names(chain: &[Vec<u8>]) -> Vec<CertNames> {
    chain
        .iter()
        .filter_map(|der| x509_parser::parse_x509_certificate(der).ok())
        .map(|(_, cert)| CertNames {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
        })
        .collect()
}
