//! Prometheus metrics: one process-wide recorder from the `metrics` crate, rendered
//! by `metrics-exporter-prometheus` in the text format at each process's `/metrics`.
//!
//! Code records with the `metrics` macros (`counter!`, `histogram!`, `gauge!`) and
//! the process serves [`render`]. Histograms get fixed buckets, so Prometheus can
//! aggregate them across replicas (summaries could not be).

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Bucket bounds in seconds, from a millisecond platform step to the longest
/// function timeout.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once per process (tests start several servers in one
/// process; later calls share the first recorder) and returns its handle.
/// Must be called inside a tokio runtime: it spawns the exporter's upkeep.
pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets(SECONDS_BUCKETS)
                .expect("the bucket list is not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process");
            let upkeep = handle.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    upkeep.run_upkeep();
                }
            });
            handle
        })
        .clone()
}

/// The current values in the Prometheus text format (what `/metrics` serves).
pub fn render() -> String {
    install().render()
}
