//! Serving the simulator on 127.0.0.1: plain http, or https with a
//! self-signed certificate generated at start and written to a file. Over
//! https it offers HTTP/2 and HTTP/1.1 by ALPN (axum-server's rustls
//! config); it counts the connections it accepts and the handshakes that
//! complete, so a benchmark can tell how many a client opened. Its sockets
//! send at once (`TCP_NODELAY`, as front ends do): answers multiplexed on one
//! HTTP/2 connection would otherwise wait out the client's delayed ACK.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use axum_server::Handle;
use axum_server::accept::{Accept, NoDelayAcceptor};
use axum_server::tls_rustls::RustlsAcceptor;

use super::faults;
use super::routes;
use super::state::SimState;
use super::tap::{self, Tap};
use super::world::World;

#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// 0 picks a free port.
    pub port: u16,
    /// Serve https, writing the certificate (PEM) to this file.
    pub tls_cert_file: Option<PathBuf>,
    /// Told of every exchange served, faults and throttled answers included.
    pub tap: Option<Tap>,
}

pub struct RunningSim {
    pub base_url: String,
    pub state: Arc<SimState>,
    /// The certificate clients must trust, when serving https.
    pub cert_file: Option<PathBuf>,
    handle: Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningSim {
    /// Stops at once: requests still waiting (an injected hang) are dropped.
    pub async fn stop(self) {
        self.handle.shutdown();
        let _ = self.task.await;
    }

    /// Serves until the process ends or the server fails.
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Starts the simulator; it is listening when this returns.
pub async fn start(world: World, options: ServeOptions) -> std::io::Result<RunningSim> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", options.port))?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let scheme = if options.tls_cert_file.is_some() {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{address}");
    let state = Arc::new(SimState::new(world, base_url.clone()));
    let mut app = routes::router(Arc::clone(&state)).layer(axum::middleware::from_fn_with_state(
        Arc::clone(&state),
        faults::layer,
    ));
    // Outermost, so the tap sees what the client sees: injected faults and 429s too.
    if let Some(listener) = options.tap {
        app = app.layer(axum::middleware::from_fn_with_state(
            (listener, scheme),
            tap::layer,
        ));
    }
    let handle = Handle::new();
    let service = app.into_make_service();
    let (cert_file, task) = match options.tls_cert_file {
        None => {
            let server = axum_server::from_tcp(listener)?
                .acceptor(Counting::connections(&state, NoDelayAcceptor))
                .handle(handle.clone());
            (None, tokio::spawn(server.serve(service)))
        }
        Some(path) => {
            let config = tls_config(&path).await?;
            // The inner acceptor sees each TCP connection, the outer one each
            // handshake that completed over it.
            let tls = RustlsAcceptor::new(config)
                .acceptor(Counting::connections(&state, NoDelayAcceptor));
            let server = axum_server::from_tcp(listener)?
                .acceptor(Counting::handshakes(&state, tls))
                .handle(handle.clone());
            (Some(path), tokio::spawn(server.serve(service)))
        }
    };
    Ok(RunningSim {
        base_url,
        state,
        cert_file,
        handle,
        task,
    })
}

/// An acceptor that counts what `inner` accepted: connections or handshakes.
#[derive(Clone)]
struct Counting<A> {
    inner: A,
    state: Arc<SimState>,
    handshakes: bool,
}

impl<A> Counting<A> {
    fn connections(state: &Arc<SimState>, inner: A) -> Counting<A> {
        Counting {
            inner,
            state: Arc::clone(state),
            handshakes: false,
        }
    }

    fn handshakes(state: &Arc<SimState>, inner: A) -> Counting<A> {
        Counting {
            handshakes: true,
            ..Counting::connections(state, inner)
        }
    }
}

type Accepted<T, S> = Pin<Box<dyn Future<Output = std::io::Result<(T, S)>> + Send>>;

impl<A, I, S> Accept<I, S> for Counting<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
{
    type Stream = A::Stream;
    type Service = A::Service;
    type Future = Accepted<A::Stream, A::Service>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let state = Arc::clone(&self.state);
        let handshakes = self.handshakes;
        let accepted = self.inner.accept(stream, service);
        Box::pin(async move {
            if !handshakes {
                state.count_connection();
            }
            let accepted = accepted.await?;
            if handshakes {
                state.count_handshake();
            }
            Ok(accepted)
        })
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, written to `path`.
async fn tls_config(path: &Path) -> std::io::Result<axum_server::tls_rustls::RustlsConfig> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .map_err(std::io::Error::other)?;
    let cert = certified.cert.pem();
    let key = certified.signing_key.serialize_pem();
    write_replacing(path, cert.as_bytes()).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot write the certificate to {}: {e}", path.display()),
        )
    })?;
    axum_server::tls_rustls::RustlsConfig::from_pem(cert.into_bytes(), key.into_bytes()).await
}

/// Puts `bytes` at `path` through a new file in the same folder (created
/// exclusively under a random name, mode 0600) renamed into place: a link
/// planted at `path` or in the folder is replaced, never written through,
/// and a client reading the certificate never sees half of it.
fn write_replacing(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(bytes)?;
    file.persist(path).map(drop).map_err(|e| e.error)
}
