//! The simulator as a plain HTTP client sees it: a named world (faults
//! added), served on a free loopback port (ready when `serve` returns: it has
//! bound), requests with or without a bearer token, and answers read in full.
//!
//! Two test binaries use this one file: the simulator's own
//! (`crates/anypoint-sim/tests/http/`) and the doctor's (`tests/it/`, through
//! a `#[path]` module), so it names only the simulator's crate and the
//! dependencies both share.

use std::time::Duration;

use anypoint_sim::scenarios;
use anypoint_sim::world::{Fault, FaultKind};
use anypoint_sim::{RunningSim, ServeOptions, World};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// No wait in a test may take longer: a request, a hung request's timeout,
/// a run of a binary, a simulator's stop (a loaded 2-core CI machine may be
/// a few times slower than a laptop).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A named scenario's world, resolved and ready to serve.
#[track_caller]
pub fn world(name: &str) -> World {
    scenarios::find(name)
        .unwrap_or_else(|| panic!("no scenario {name:?}"))
        .world()
        .resolve()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One fault on `path` (any method when `method` is None), `times` times (None: always).
pub fn fault(path: &str, method: Option<&str>, kind: FaultKind, times: Option<u32>) -> Fault {
    Fault {
        path: path.into(),
        method: method.map(str::to_string),
        fault: kind,
        times,
    }
}

/// The healthy world with these faults.
pub fn healthy_with(faults: impl IntoIterator<Item = Fault>) -> World {
    let mut world = world("healthy");
    world.faults.extend(faults);
    world
}

/// The simulator on a free loopback port.
pub async fn serve(world: World) -> RunningSim {
    serve_with(world, ServeOptions::default()).await
}

/// `serve`, with these options (https, a port).
pub async fn serve_with(world: World, options: ServeOptions) -> RunningSim {
    anypoint_sim::start(world, options)
        .await
        .expect("the simulator starts")
}

/// Stops a simulator, in bounded time.
pub async fn stop(running: RunningSim) {
    tokio::time::timeout(PATIENCE, running.stop())
        .await
        .expect("the simulator stops");
}

/// The `id` of each entry of a JSON list.
pub fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_u64().expect("an id"))
        .collect()
}

/// A client that never goes through a proxy, with this timeout, and trusts no certificate.
pub fn client(timeout: Duration) -> reqwest::Client {
    client_trusting(timeout, &[])
}

/// A client that never goes through a proxy, with this timeout, and trusts
/// only the PEM certificates `roots_pem`. reqwest is built without a crypto
/// provider (the doctor hands it ring), so it is given rustls' configuration whole.
pub fn client_trusting(timeout: Duration, roots_pem: &[u8]) -> reqwest::Client {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(roots_pem) {
        roots
            .add(certificate.expect("a PEM certificate"))
            .expect("a root certificate");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring speaks TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    // As reqwest offers them itself: HTTP/2 when the server speaks it.
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a reqwest client")
}

/// A simulator on a free loopback port and a client for it.
pub struct Api {
    pub running: RunningSim,
    pub http: reqwest::Client,
}

/// An answer, read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The status and JSON body, for one-line assertions.
    #[track_caller]
    pub fn pair(&self) -> (u16, Value) {
        (self.status.as_u16(), self.json())
    }
}

impl Api {
    pub async fn start(world: World) -> Api {
        let running = serve(world).await;
        Api {
            running,
            http: client(PATIENCE),
        }
    }

    pub async fn scenario(name: &str) -> Api {
        Api::start(world(name)).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("the simulator answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("the body reads");
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    /// POST with a raw body; `content_type` defaults to JSON.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<String>,
    ) -> Answer {
        self.send_body(Method::POST, path, token, content_type, body)
            .await
    }

    /// `method` with a raw body of `content_type`.
    pub async fn send_body(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: impl Into<String>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body.into());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.post(path, token, "application/json", body.to_string())
            .await
    }

    /// The token endpoint's answer to client credentials.
    pub async fn token_for(&self, client_id: &str, client_secret: &str) -> Answer {
        let body = json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret});
        self.post_json("/accounts/api/v2/oauth2/token", None, &body)
            .await
    }

    /// A token for client credentials the simulator accepts.
    pub async fn token(&self, client_id: &str, client_secret: &str) -> String {
        let answer = self.token_for(client_id, client_secret).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
        answer.json()["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// Stops the simulator, in bounded time.
    pub async fn stop(self) {
        stop(self.running).await;
    }
}
