//! The run's first connection, shared: a request that would open a second
//! connection while the first is still opening waits for it, and when the
//! first speaks HTTP/2 rides on it (hyper's pool hands it over) instead of
//! opening one of its own. The first burst (`GET /` beside the token
//! request) then costs one connection and one TLS handshake, not two.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::Connection;
use tokio::sync::Notify;
use tower_layer::Layer;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The connector layer; each client gets its own.
#[derive(Clone, Default)]
pub struct FirstConnection {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    phase: Mutex<Phase>,
    settled: Notify,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// No connection opened yet, or the first one failed.
    #[default]
    None,
    Opening,
    /// The first connection speaks HTTP/2: every request can share it.
    Multiplexed,
    /// HTTP/1.1: each request in flight needs a connection of its own.
    Separate,
}

impl<S> Layer<S> for FirstConnection {
    type Service = FirstConnectionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FirstConnectionService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

#[derive(Clone)]
pub struct FirstConnectionService<S> {
    inner: S,
    shared: Arc<Shared>,
}

/// Puts the phase back to `None` if the first connection's opening is
/// dropped unfinished (its request cancelled), so the next one may try.
struct OpeningGuard(Arc<Shared>, bool);

impl Drop for OpeningGuard {
    fn drop(&mut self) {
        if !self.1 {
            *self.0.phase.lock().expect("connection phase lock") = Phase::None;
            self.0.settled.notify_waiters();
        }
    }
}

impl<S, R> Service<R> for FirstConnectionService<S>
where
    S: Service<R, Error = BoxError> + Clone + Send + 'static,
    S::Response: Connection + Send + 'static,
    S::Future: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // The clone that was polled ready is the one to call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = Arc::clone(&self.shared);
        Box::pin(async move {
            let mut waited = false;
            let opener = loop {
                let settled = shared.settled.notified();
                tokio::pin!(settled);
                // Registered before looking, so a change in between is not missed.
                settled.as_mut().enable();
                let phase = {
                    let mut phase = shared.phase.lock().expect("connection phase lock");
                    let seen = *phase;
                    if seen == Phase::None {
                        *phase = Phase::Opening;
                    }
                    seen
                };
                match phase {
                    Phase::None => break Some(OpeningGuard(Arc::clone(&shared), false)),
                    Phase::Opening => {}
                    // The pool gives this request the HTTP/2 connection that
                    // just opened; a connection opened here would go unused.
                    // (If it never does, the client's connect timeout ends this.)
                    Phase::Multiplexed if waited => return std::future::pending().await,
                    Phase::Multiplexed | Phase::Separate => break None,
                }
                waited = true;
                settled.await;
            };
            let connected = inner.call(request).await;
            if let Some(mut guard) = opener {
                guard.1 = true;
                *shared.phase.lock().expect("connection phase lock") = match &connected {
                    Ok(conn) if conn.connected().is_negotiated_h2() => Phase::Multiplexed,
                    Ok(_) => Phase::Separate,
                    Err(_) => Phase::None,
                };
                shared.settled.notify_waiters();
            }
            connected
        })
    }
}
