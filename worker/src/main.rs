//! `faas-worker`: runs activations from NATS JetStream in Docker containers.
//! Settings come from the environment: FAAS_NATS_URL, FAAS_WORKER_SLOTS,
//! FAAS_WORKER_ID, DOCKER_HOST; logs follow RUST_LOG and FAAS_LOG_FORMAT=json.

use faas_worker::WorkerConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // async-nats links rustls; exactly one crypto provider must be installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    init_tracing();
    let config = WorkerConfig::from_env()?;
    tracing::info!(worker = %config.worker_id, nats = %config.nats_url, slots = config.slots, "faas-worker starting");
    faas_worker::run(config, shutdown_signal()).await
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("FAAS_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    else {
        let _ = ctrl_c.await;
        return;
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
