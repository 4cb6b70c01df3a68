//! [`Api`]: the faas HTTP API as a client sees it, with the requests every suite
//! makes (register, log in, add a function, invoke it).

use std::path::Path;
use std::time::Duration;

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

use crate::names::PASSWORD;

/// A client of one API server.
#[derive(Clone)]
pub struct Api {
    client: Client,
    url: String,
}

impl Api {
    /// Plain HTTP, as the server is reached behind the gateway.
    pub fn plain(url: impl Into<String>) -> Self {
        Self::with(Client::builder(), url)
    }

    /// HTTPS trusting only the CA certificate in `ca_cert` (the dev CA).
    pub fn trusting(url: impl Into<String>, ca_cert: &Path) -> Self {
        let ca = std::fs::read(ca_cert).unwrap();
        let builder =
            Client::builder().tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()]);
        Self::with(builder, url)
    }

    fn with(builder: reqwest::ClientBuilder, url: impl Into<String>) -> Self {
        faas_process::install_crypto_provider();
        Self {
            client: builder.timeout(Duration::from_secs(120)).build().unwrap(),
            url: url.into(),
        }
    }

    /// `http://…` or `https://…`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.url))
    }

    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    /// Sends a body-less request with a token.
    pub async fn call(&self, method: Method, path: &str, token: &str) -> Response {
        self.authed(method, path, token).send().await.unwrap()
    }

    /// A GET with a token: the status and the JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self.authed(Method::GET, path, token).send().await.unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// A GET with a token that must answer 200 OK: the JSON body.
    pub async fn get_ok(&self, path: &str, token: &str) -> Value {
        let response = self.authed(Method::GET, path, token).send().await.unwrap();
        json_body(response, StatusCode::OK).await
    }

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.credentials("/v1/users", username, password).await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.credentials("/v1/auth/login", username, password).await
    }

    async fn credentials(&self, path: &str, username: &str, password: &str) -> Response {
        self.request(Method::POST, path)
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Registers `username` with [`PASSWORD`] and returns a token.
    pub async fn user(&self, username: &str) -> String {
        let registered = self.register(username, PASSWORD).await;
        assert_eq!(
            registered.status(),
            StatusCode::CREATED,
            "register {username}"
        );
        self.token(username).await
    }

    /// Registers `username` with [`PASSWORD`] and an operator's `invite` code (an
    /// invited account, never a new one) and returns a token.
    pub async fn invited_user(&self, username: &str, invite: &str) -> String {
        let registered = self
            .request(reqwest::Method::POST, "/v1/users")
            .json(&json!({"username": username, "password": PASSWORD, "invite": invite}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            registered.status(),
            StatusCode::CREATED,
            "register {username} with an invite"
        );
        self.token(username).await
    }

    /// Logs `username` in with [`PASSWORD`] and returns the token.
    pub async fn token(&self, username: &str) -> String {
        let body = json_body(self.login(username, PASSWORD).await, StatusCode::OK).await;
        body["token"].as_str().expect("a token").to_owned()
    }

    /// Adds (or replaces) the function `name`; it must succeed.
    pub async fn add_function(&self, token: &str, name: &str, spec: Value) -> Response {
        let response = self
            .authed(Method::PUT, &format!("/v1/functions/{name}"), token)
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "PUT {name}: {}",
            response.status()
        );
        response
    }

    /// Invokes `name` with `param` (JSON in, JSON out) and waits for the answer.
    pub async fn invoke(&self, token: &str, name: &str, param: &str) -> Response {
        self.invocation(token, name, param).send().await.unwrap()
    }

    /// Invokes `name` and returns the status and the JSON body (null if there is
    /// none), or the transport error: under load, or with a server or NATS node
    /// going away, what a caller sees is what the test or benchmark counts.
    pub async fn try_invoke(
        &self,
        token: &str,
        name: &str,
        param: &str,
    ) -> reqwest::Result<(StatusCode, Value)> {
        let response = self.invocation(token, name, param).send().await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or_default()))
    }

    fn invocation(&self, token: &str, name: &str, param: &str) -> RequestBuilder {
        self.authed(Method::POST, &format!("/v1/functions/{name}/invoke"), token)
            .json(&json!({ "param": param }))
    }

    /// Invokes `name` and returns the activation; the answer must be 200 OK.
    pub async fn invoke_ok(&self, token: &str, name: &str, param: &str) -> Value {
        json_body(self.invoke(token, name, param).await, StatusCode::OK).await
    }

    /// Polls `/readyz` for up to 30 s until it answers `status`.
    pub async fn wait_ready(&self, status: StatusCode) -> bool {
        self.ready_within(status, Duration::from_secs(30)).await
    }

    /// Polls `/readyz` for up to `limit` until it answers `status`.
    pub async fn ready_within(&self, status: StatusCode, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while tokio::time::Instant::now() < deadline {
            let probe = self.request(Method::GET, "/readyz").send().await;
            if probe.is_ok_and(|r| r.status() == status) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }
}

/// The body of an error response, once its status and error code are checked.
pub async fn expect_error(response: Response, status: StatusCode, code: &str) -> Value {
    let body = json_body(response, status).await;
    assert_eq!(body["error"]["code"], code, "{body}");
    body
}

/// The JSON body (null if there is none) of a response that must have `status`.
async fn json_body(response: Response, status: StatusCode) -> Value {
    let url = response.url().clone();
    let actual = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    assert_eq!(actual, status, "{url}: {body}");
    body
}

/// The error code of an error response.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
