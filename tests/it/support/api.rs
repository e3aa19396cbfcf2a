//! The simulator's HTTP API as a plain client sees it: a simulator on a
//! free loopback port, requests with or without a bearer token, and answers
//! read in full.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::bin::PATIENCE;
use super::sim::{RunningSim, World, serve, stop, world};

/// The `id` of each entry of a JSON list.
pub fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_u64().expect("an id"))
        .collect()
}

/// A client that never goes through a proxy, with this timeout.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
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
