//! A private nats-server for one test, and what faas-server sets up in it.
//!
//! The process is `faas_dev::nats::NatsProcess` with the users and
//! permissions of every deployment (`faas_dev::nats_auth`, from
//! `deploy/nats/auth.conf`), so every test runs with NATS authentication on: the
//! kit's server and workers log in as their own users, and clients a test makes
//! log in as one of them too. The stream and buckets come from
//! `faas_api::store::connect`, so the worker tests run against exactly what the
//! server creates.

use async_nats::jetstream::{self, stream};
use faas_api::Limits;
use faas_dev::nats::NatsProcess;
use faas_dev::nats_auth::NatsAuth;
use faas_process::signing::RequestKey;
use faas_shared::nats::{ACTIVATIONS_STREAM, SERVER_INBOX_PREFIX};
use faas_worker::WorkerConfig;
use tempfile::TempDir;

/// A JetStream nats-server on a free port with its store in a temporary directory,
/// refusing clients without a password; killed when dropped.
pub struct Nats {
    url: String,
    port: u16,
    process: Option<NatsProcess>,
    auth: NatsAuth,
    store: TempDir,
}

impl Nats {
    pub async fn start() -> Self {
        faas_process::install_crypto_provider();
        let store = tempfile::tempdir().unwrap();
        let auth = NatsAuth::ensure(&store.path().join("auth")).unwrap();
        let process = NatsProcess::start(&store.path().join("data"), &auth.config)
            .await
            .expect("nats-server starts (apt-get install nats-server)");
        Self {
            url: process.url.clone(),
            port: process.port(),
            process: Some(process),
            auth,
            store,
        }
    }

    /// `nats://127.0.0.1:PORT`; the same across [`Nats::restart`].
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The users' passwords and the request signing key.
    pub fn auth(&self) -> &NatsAuth {
        &self.auth
    }

    /// The key the server signs activation requests with.
    pub fn request_key(&self) -> &RequestKey {
        &self.auth.request_key
    }

    /// A client logged in as the API server (which may do what the server does:
    /// queue requests, read results, manage the streams and buckets).
    pub async fn client(&self) -> async_nats::Client {
        let user = &self.auth.server;
        async_nats::ConnectOptions::with_user_and_password(user.user.clone(), user.password.clone())
            .custom_inbox_prefix(SERVER_INBOX_PREFIX)
            .connect(&self.url)
            .await
            .unwrap()
    }

    /// A worker's settings for this NATS: its user and the request key.
    pub fn worker_config(&self) -> WorkerConfig {
        let mut config = WorkerConfig::new(&self.url);
        config.nats_credentials = Some(self.auth.worker.clone());
        config.request_key = self.auth.request_key.clone();
        config.secret_keys = Some(self.auth.secret_keys.clone());
        config
    }

    /// What faas-server sets up at start-up, by its own code: the
    /// `FAAS_ACTIVATIONS` work queue and the buckets (default limits, one replica).
    /// Returns the work queue, to watch its messages.
    pub async fn set_up_store(&self) -> stream::Stream {
        let js = jetstream::new(self.client().await);
        faas_api::store::connect(&js, &Limits::default(), 1)
            .await
            .expect("the server's stream and buckets are created");
        self.activations().await
    }

    /// The `FAAS_ACTIVATIONS` work queue, once the server has created it.
    pub async fn activations(&self) -> stream::Stream {
        jetstream::new(self.client().await)
            .get_stream(ACTIVATIONS_STREAM)
            .await
            .unwrap()
    }

    /// Kills the server (SIGKILL, like a crash).
    pub fn kill(&mut self) {
        drop(self.process.take());
    }

    /// Starts the server again on the same port with the same store and users.
    pub async fn restart(&mut self) {
        self.kill();
        let process = NatsProcess::start_on_port(
            &self.store.path().join("data"),
            &self.auth.config,
            self.port,
        )
        .await
        .expect("nats-server restarts on its port");
        self.process = Some(process);
    }
}
