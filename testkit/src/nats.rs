//! A private nats-server for one test, and what faas-server sets up in it.
//!
//! The process is `faas_server::dev::nats::NatsProcess` and the stream and buckets
//! come from `faas_server::store::connect`, so the worker tests run against exactly
//! what the server creates.

use async_nats::jetstream::{self, stream};
use faas_server::Limits;
use faas_server::dev::nats::NatsProcess;
use faas_shared::nats::ACTIVATIONS_STREAM;
use tempfile::TempDir;

/// A JetStream nats-server on a free port with its store in a temporary directory;
/// killed when dropped.
pub struct Nats {
    url: String,
    port: u16,
    process: Option<NatsProcess>,
    store: TempDir,
}

impl Nats {
    pub async fn start() -> Self {
        faas_process::install_crypto_provider();
        let store = tempfile::tempdir().unwrap();
        let process = NatsProcess::start(store.path())
            .await
            .expect("nats-server starts (apt-get install nats-server)");
        Self {
            url: process.url.clone(),
            port: process.port(),
            process: Some(process),
            store,
        }
    }

    /// `nats://127.0.0.1:PORT`; the same across [`Nats::restart`].
    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn client(&self) -> async_nats::Client {
        async_nats::connect(&self.url).await.unwrap()
    }

    /// What faas-server sets up at start-up, by its own code: the
    /// `FAAS_ACTIVATIONS` work queue and the buckets (default limits, one replica).
    /// Returns the work queue, to watch its messages.
    pub async fn set_up_store(&self) -> stream::Stream {
        let js = jetstream::new(self.client().await);
        faas_server::store::connect(&js, &Limits::default(), 1)
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

    /// Starts the server again on the same port with the same store.
    pub async fn restart(&mut self) {
        self.kill();
        let process = NatsProcess::start_on_port(self.store.path(), self.port)
            .await
            .expect("nats-server restarts on its port");
        self.process = Some(process);
    }
}
