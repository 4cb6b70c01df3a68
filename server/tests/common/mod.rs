//! A real faas platform for tests: a private nats-server, the in-process worker on
//! the local Docker Engine, and the HTTPS API on a free port, driven with a real
//! HTTPS client that trusts only the platform's dev CA.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::time::Duration;

use faas_server::Limits;
use faas_server::dev::{DevOptions, DevStack};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};

pub const REVERSE: &str = "faas-examples/reverse:latest";
pub const ECHO: &str = "faas-examples/echo:latest";
pub const FAIL: &str = "faas-examples/fail:latest";
pub const SLEEP: &str = "faas-examples/sleep:latest";

pub struct Platform {
    pub stack: DevStack,
    pub client: Client,
    _data_dir: Option<tempfile::TempDir>,
}

impl Platform {
    pub async fn start() -> Self {
        Self::start_with(Limits::default()).await
    }

    pub async fn start_with(limits: Limits) -> Self {
        faas_server::install_crypto_provider();
        let data_dir = tempfile::tempdir().unwrap();
        let stack = DevStack::start(DevOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data_dir.path().to_owned(),
            limits,
            ..DevOptions::default()
        })
        .await
        .expect("the dev platform starts (needs nats-server on PATH and Docker)");
        Self {
            _data_dir: Some(data_dir),
            ..Self::from_stack(stack)
        }
    }

    /// Drives a stack the caller started (and whose data dir the caller owns).
    pub fn from_stack(stack: DevStack) -> Self {
        let ca = std::fs::read(&stack.ca_cert).unwrap();
        let client = Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap();
        Self {
            stack,
            client,
            _data_dir: None,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.stack.url))
    }

    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(token)
    }

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.request(Method::POST, "/v1/users")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.request(Method::POST, "/v1/auth/login")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// Registers `username` and returns a token.
    pub async fn user(&self, username: &str) -> String {
        let password = "correct horse battery";
        assert_eq!(
            self.register(username, password).await.status(),
            StatusCode::CREATED
        );
        let body: Value = self.login(username, password).await.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn add_function(&self, token: &str, name: &str, spec: Value) -> Response {
        self.authed(Method::PUT, &format!("/v1/functions/{name}"), token)
            .json(&spec)
            .send()
            .await
            .unwrap()
    }

    pub async fn invoke(&self, token: &str, name: &str, param: &str) -> Response {
        self.authed(Method::POST, &format!("/v1/functions/{name}/invoke"), token)
            .json(&json!({ "param": param }))
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        self.stack.stop().await.unwrap();
    }
}

/// A username unique to this test run, so tests sharing the Docker Engine can find
/// their own containers by the owner label.
pub fn unique_user(prefix: &str) -> String {
    let suffix = uuid_like();
    format!("{prefix}-{suffix}")
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{}{:x}{n}", std::process::id(), nanos)
}

/// The error code of an error response.
pub async fn error_code(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Containers (running or not) labelled as belonging to `owner`, waiting up to 10 s
/// for them to be removed.
pub async fn leftover_containers(owner: &str) -> Vec<String> {
    leftovers_labelled("io.faas.owner", owner).await
}

/// Containers with `label=value`, waiting up to 10 s for them to be removed.
pub async fn leftovers_labelled(label: &str, value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..50 {
        let output = tokio::process::Command::new("docker")
            .args(["ps", "-aq", "--filter", &format!("label={label}={value}")])
            .output()
            .await
            .expect("docker CLI");
        ids = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if ids.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ids
}

/// The parts started one by one, as in a deployment: a nats-server the test can
/// kill and restart, the API server alone (plain HTTP, as behind the gateway), and
/// workers the test starts and stops.
pub struct Parts {
    pub nats: Option<faas_server::dev::nats::NatsProcess>,
    pub nats_dir: tempfile::TempDir,
    pub nats_url: String,
    pub api: String,
    pub client: Client,
    stop: tokio_util::sync::CancellationToken,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Parts {
    /// NATS and a ready API server.
    pub async fn start() -> Self {
        let mut parts = Self::nats_only().await;
        parts.start_server().await;
        parts
    }

    /// NATS alone; start the server with [`Parts::start_server`].
    pub async fn nats_only() -> Self {
        faas_server::install_crypto_provider();
        let nats_dir = tempfile::tempdir().unwrap();
        let nats = faas_server::dev::nats::NatsProcess::start(nats_dir.path())
            .await
            .unwrap();
        Self {
            nats_url: nats.url.clone(),
            nats: Some(nats),
            nats_dir,
            api: String::new(),
            client: Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
            stop: tokio_util::sync::CancellationToken::new(),
            server: None,
        }
    }

    /// Starts the API server (`faas_server::run`, plain HTTP) and waits until ready.
    pub async fn start_server(&mut self) {
        self.start_server_with(Limits::default()).await;
    }

    pub async fn start_server_with(&mut self, limits: Limits) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut config = faas_server::ServerConfig::new(&self.nats_url, key.serialize_pem());
        config.limits = limits;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        self.api = format!("http://{}", listener.local_addr().unwrap());
        self.server = Some(tokio::spawn(faas_server::run(
            config,
            listener,
            self.stop.clone().cancelled_owned(),
        )));
        assert!(
            self.wait_ready(StatusCode::OK).await,
            "the server became ready"
        );
    }

    /// Starts a worker; it runs until the returned token is cancelled (graceful) or
    /// its task is aborted (a crash: no ack, no clean-up).
    pub fn worker(
        &self,
        configure: impl FnOnce(&mut faas_worker::WorkerConfig),
    ) -> (
        tokio::task::JoinHandle<anyhow::Result<()>>,
        tokio_util::sync::CancellationToken,
    ) {
        let mut config = faas_worker::WorkerConfig::new(&self.nats_url);
        configure(&mut config);
        let stop = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(faas_worker::run(config, stop.clone().cancelled_owned()));
        (task, stop)
    }

    /// Polls `/readyz` for up to 30 s until it answers `status`.
    pub async fn wait_ready(&self, status: StatusCode) -> bool {
        for _ in 0..150 {
            let probe = self.client.get(format!("{}/readyz", self.api)).send().await;
            if probe.is_ok_and(|r| r.status() == status) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.api))
    }

    /// Registers `username` and returns a token.
    pub async fn user(&self, username: &str) -> String {
        let creds = json!({"username": username, "password": "correct horse battery"});
        let created = self
            .request(Method::POST, "/v1/users")
            .json(&creds)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
        self.login(username).await
    }

    pub async fn login(&self, username: &str) -> String {
        let creds = json!({"username": username, "password": "correct horse battery"});
        let body: Value = self
            .request(Method::POST, "/v1/auth/login")
            .json(&creds)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["token"].as_str().expect("a token").to_owned()
    }

    pub async fn add_function(&self, token: &str, name: &str, spec: Value) {
        let response = self
            .request(Method::PUT, &format!("/v1/functions/{name}"))
            .bearer_auth(token)
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    pub async fn invoke(&self, token: &str, name: &str, param: &str) -> Response {
        self.request(Method::POST, &format!("/v1/functions/{name}/invoke"))
            .bearer_auth(token)
            .json(&json!({ "param": param }))
            .send()
            .await
            .unwrap()
    }

    pub async fn stop(self) {
        self.stop.cancel();
        if let Some(server) = self.server {
            server.await.unwrap().unwrap();
        }
    }
}
