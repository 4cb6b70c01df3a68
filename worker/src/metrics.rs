//! The worker's Prometheus metrics: their names, and the `GET /metrics` listener
//! (Prometheus text format) on `FAAS_WORKER_METRICS_LISTEN`, its own port: the worker
//! serves nothing else over HTTP.
//!
//! Each series is recorded with the `metrics` macros where it happens, under a name
//! from here; the names are part of what dashboards and alerts read, so they change
//! only here and on purpose.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;

/// Activations run, by `outcome`: the activation's status (`success`, `error`,
/// `timeout`), or `platform_error` when the platform failed the run.
pub(crate) const ACTIVATIONS_TOTAL: &str = "faas_worker_activations_total";
/// Each container step's time, by `step` (create, attach, start, handoff, run,
/// collect) and `path` (cold or prewarmed).
pub(crate) const CONTAINER_STEP_SECONDS: &str = "faas_worker_container_step_seconds";
/// Storing and publishing the record, the step after collect (which the record
/// cannot hold).
pub(crate) const PUBLISH_SECONDS: &str = "faas_worker_publish_seconds";
/// Activations this worker runs now, of its `FAAS_WORKER_SLOTS`.
pub(crate) const SLOTS_IN_USE: &str = "faas_worker_slots_in_use";
/// Prewarmed containers waiting for an activation, over all pools.
pub(crate) const PARKED_CONTAINERS: &str = "faas_worker_parked_containers";
/// Container removals not yet done, queued or running (at most
/// `MAX_REMOVALS_IN_FLIGHT` at once): runs are answered before their container is
/// removed, so under a burst this is the engine's backlog.
pub(crate) const CONTAINER_REMOVALS: &str = "faas_worker_container_removals";
/// Activations of prewarmed functions by `outcome`: `hit` (a parked container
/// took it) or `miss` (it started cold).
pub(crate) const PREWARM_TOTAL: &str = "faas_worker_prewarm_total";

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
