//! `faas-worker`: runs activations from NATS JetStream in Docker containers.
//! Settings come from the environment: FAAS_NATS_URL, FAAS_WORKER_SLOTS,
//! FAAS_WORKER_ID, DOCKER_HOST; logs follow RUST_LOG and FAAS_LOG_FORMAT=json.

use faas_worker::WorkerConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    faas_process::install_crypto_provider();
    faas_process::logging::init();
    let config = WorkerConfig::from_env()?;
    tracing::info!(worker = %config.worker_id, nats = %config.nats_url, slots = config.slots, "faas-worker starting");
    faas_worker::run(config, faas_process::shutdown::signal()).await
}
