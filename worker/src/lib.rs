//! `faas-worker`: takes activation requests off the `FAAS_ACTIVATIONS` work queue
//! and runs each in a fresh, sandboxed container through the Docker Engine API.
//!
//! [`run`] is the whole worker (the mini-redis pattern): `faas-worker` calls it from
//! `main`, `faas-server dev` runs it in-process, and tests run it against a real
//! nats-server and the real Docker Engine. [`runtime`] is the container part on its
//! own.

mod config;
mod consumer;
pub mod output;
pub mod runtime;

use std::future::Future;

pub use config::WorkerConfig;

/// Runs the worker until `shutdown` resolves, then stops fetching and lets the
/// activations in progress finish.
pub async fn run(
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> anyhow::Result<()> {
    consumer::run(config, shutdown).await
}
