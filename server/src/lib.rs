//! `faas-server`: the faas HTTP API.
//!
//! The server is stateless: users, functions and activation records live in NATS
//! JetStream KV, and invocations travel to workers through the `FAAS_ACTIVATIONS`
//! work-queue stream. Any number of replicas can run behind the gateway.
//!
//! [`run`] serves the API on a listener until a shutdown future resolves (the
//! mini-redis pattern), so tests start the real server on port 0. [`dev`] composes
//! NATS, a worker and the API into the one-command `faas-server dev`.

pub mod api;
pub mod auth;
pub mod config;
pub mod dev;
pub mod dispatch;
pub mod error;
pub mod store;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream;

pub use config::{Limits, ServerConfig, TlsFiles};

/// What every request handler can reach.
pub struct AppState {
    pub nats: async_nats::Client,
    pub jetstream: jetstream::Context,
    pub store: store::Store,
    pub tokens: auth::TokenKeys,
    pub limits: Limits,
    /// Counts the NATS client's (re)connections. A reconnect may have lost result
    /// messages, so invocations waiting for one look at the activation record then.
    pub nats_connections: tokio::sync::watch::Receiver<u64>,
    /// A real argon2id hash of a random password. Logins for unknown users are
    /// checked against it so that they take as long as a wrong password.
    pub decoy_password_hash: String,
}

impl AppState {
    /// Connects to NATS (waiting up to `connect_timeout` for it to come up) and makes
    /// sure the stream and buckets exist.
    pub async fn connect(config: &ServerConfig, connect_timeout: Duration) -> anyhow::Result<Self> {
        let tokens =
            auth::TokenKeys::from_private_pem(&config.jwt_private_key_pem, config.token_ttl)?;
        let (connections, nats_connections) = tokio::sync::watch::channel(0);
        let nats = connect_nats(
            &config.nats_url,
            "faas-server",
            connect_timeout,
            connections,
        )
        .await?;
        let jetstream = jetstream::new(nats.clone());
        let store = set_up_store(&jetstream, config).await?;
        let decoy_password_hash = auth::hash_password(uuid::Uuid::new_v4().to_string())
            .await
            .map_err(|_| anyhow::anyhow!("cannot hash the decoy password"))?;
        Ok(Self {
            nats,
            jetstream,
            store,
            tokens,
            limits: config.limits.clone(),
            nats_connections,
            decoy_password_hash,
        })
    }
}

/// Creates the stream and buckets, retrying for up to [`SETUP_TIMEOUT`]: a NATS
/// cluster that has just formed answers replicated stream creation with timeouts
/// until its nodes have caught up, and several replicas may be setting up at once.
async fn set_up_store(
    jetstream: &jetstream::Context,
    config: &ServerConfig,
) -> anyhow::Result<store::Store> {
    let deadline = tokio::time::Instant::now() + SETUP_TIMEOUT;
    loop {
        match store::connect(jetstream, &config.limits, config.nats_replicas).await {
            Ok(store) => return Ok(store),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "setting up the NATS stream and buckets: retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                return Err(e.context(format!(
                    "setting up the NATS stream and buckets (gave up after {} s; with FAAS_NATS_REPLICAS={} the cluster needs that many JetStream nodes)",
                    SETUP_TIMEOUT.as_secs(),
                    config.nats_replicas
                )));
            }
        }
    }
}

/// See [`set_up_store`].
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Connects to NATS, retrying until `timeout` so that start order does not matter.
/// Later disconnects are handled by the client, which reconnects forever. `url` may
/// list several servers of a cluster, comma-separated. Every (re)connection bumps
/// `connections`.
pub async fn connect_nats(
    url: &str,
    name: &str,
    timeout: Duration,
    connections: tokio::sync::watch::Sender<u64>,
) -> anyhow::Result<async_nats::Client> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut logged = false;
    loop {
        let options = async_nats::ConnectOptions::new()
            .name(name)
            .connection_timeout(Duration::from_secs(2))
            .max_reconnects(None)
            .event_callback({
                let connections = connections.clone();
                move |event| {
                    if matches!(event, async_nats::Event::Connected) {
                        connections.send_modify(|n| *n += 1);
                    }
                    async {}
                }
            });
        match options.connect(faas_worker::server_addrs(url)?).await {
            Ok(client) => return Ok(client),
            Err(e) if tokio::time::Instant::now() < deadline => {
                if !logged {
                    tracing::warn!(%url, error = %e, "waiting for NATS");
                    logged = true;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "cannot connect to NATS at {url}: {e} (is nats-server running with JetStream, `nats-server -js`? set FAAS_NATS_URL)"
                ));
            }
        }
    }
}

/// Serves the API on `listener` until `shutdown` resolves, then drains in-flight
/// requests (bounded by the longest function timeout).
pub async fn run(
    config: ServerConfig,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = Arc::new(AppState::connect(&config, Duration::from_secs(30)).await?);
    serve(state, config.tls.as_ref(), listener, shutdown).await
}

/// Serves an already connected state; used by [`run`] and by `dev`.
pub async fn serve(
    state: Arc<AppState>,
    tls: Option<&TlsFiles>,
    listener: std::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = api::router(state);
    let handle = axum_server::Handle::new();
    let drain = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        drain.graceful_shutdown(Some(
            Duration::from_millis(faas_shared::MAX_TIMEOUT_MS) + Duration::from_secs(15),
        ));
    });
    let service = app.into_make_service();
    match tls {
        Some(files) => {
            let rustls =
                axum_server::tls_rustls::RustlsConfig::from_pem_file(&files.cert, &files.key)
                    .await
                    .with_context(|| {
                        format!(
                            "loading TLS certificate {} and key {}",
                            files.cert.display(),
                            files.key.display()
                        )
                    })?;
            axum_server::from_tcp_rustls(listener, rustls)?
                .handle(handle)
                .serve(service)
                .await?;
        }
        None => {
            axum_server::from_tcp(listener)?
                .handle(handle)
                .serve(service)
                .await?;
        }
    }
    Ok(())
}

/// rustls needs exactly one process-wide crypto provider; we compile only ring.
/// Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
