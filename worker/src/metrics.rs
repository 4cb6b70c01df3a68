//! The worker's `GET /metrics` (Prometheus text format), on its own listener
//! (`FAAS_WORKER_METRICS_LISTEN`): the worker serves nothing else over HTTP.
//!
//! What it records (with the `metrics` macros where it happens):
//! `faas_worker_activations_total{outcome}`,
//! `faas_worker_container_step_seconds{step,path}` (create, attach, start, handoff,
//! run, collect; cold or prewarmed), `faas_worker_publish_seconds` (storing and
//! publishing the record, the step after collect), `faas_worker_slots_in_use`,
//! `faas_worker_parked_containers` and `faas_worker_prewarm_total{outcome}` (hit,
//! miss).

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;

/// Serves `/metrics` on `listen` until the task is dropped; returns the bound
/// address (port 0 picks one).
pub(crate) async fn serve(
    listen: SocketAddr,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    faas_process::metrics::install();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("FAAS_WORKER_METRICS_LISTEN={listen}: {e}"))?;
    let bound = listener.local_addr()?;
    let app = Router::new().route(
        "/metrics",
        get(|| async { faas_process::metrics::render() }),
    );
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    });
    tracing::info!(%bound, "worker metrics at /metrics");
    Ok((bound, task))
}
