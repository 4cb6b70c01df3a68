//! The worker's backlog of container removals (`faas_worker_container_removals`),
//! sampled from its `/metrics` while the throughput batches run: the worker answers
//! before it removes a container, so a batch can end with removals still to do. The
//! report gives each batch's peak and how long the backlog took to drain after it;
//! the next batch starts only once it has, so no path pays for another's removals.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// The gauge's name in the worker's metrics.
const GAUGE: &str = "faas_worker_container_removals";
/// How often the gauge is read.
const EVERY: Duration = Duration::from_millis(20);

/// A batch's backlog: its peak, and how long it took to drain once the batch ended.
#[derive(Clone, Copy)]
pub struct Drained {
    pub peak: i64,
    pub after: Duration,
}

/// Samples the gauge in the background until dropped.
pub struct Backlog {
    url: String,
    client: reqwest::Client,
    /// The highest reading since the last [`Backlog::drained`]; -1 before any.
    peak: Arc<AtomicI64>,
    sampler: tokio::task::JoinHandle<()>,
}

impl Backlog {
    /// Watches the worker whose metrics are at `url`.
    pub fn watch(url: String) -> Self {
        let client = reqwest::Client::new();
        let peak = Arc::new(AtomicI64::new(-1));
        let sampler = tokio::spawn({
            let (client, url, peak) = (client.clone(), url.clone(), peak.clone());
            async move {
                loop {
                    if let Some(now) = read(&client, &url).await {
                        peak.fetch_max(now, Ordering::Relaxed);
                    }
                    tokio::time::sleep(EVERY).await;
                }
            }
        });
        Self {
            url,
            client,
            peak,
            sampler,
        }
    }

    /// Waits (up to `within`) for the backlog to drain; the peak since the last
    /// call and how long the drain took, or `None` for a worker without the gauge.
    pub async fn drained(&self, within: Duration) -> Option<Drained> {
        let started = Instant::now();
        loop {
            let now = read(&self.client, &self.url).await?;
            self.peak.fetch_max(now, Ordering::Relaxed);
            if now == 0 || started.elapsed() > within {
                let peak = self.peak.swap(-1, Ordering::Relaxed);
                return Some(Drained {
                    peak,
                    after: started.elapsed(),
                });
            }
            tokio::time::sleep(EVERY).await;
        }
    }
}

impl Drop for Backlog {
    fn drop(&mut self) {
        self.sampler.abort();
    }
}

/// The gauge's value now, if the worker has it (it is there from the first
/// removal on, and the latency rounds come before the throughput runs).
async fn read(client: &reqwest::Client, url: &str) -> Option<i64> {
    let text = client.get(url).send().await.ok()?.text().await.ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix(GAUGE)?.trim().parse::<f64>().ok())
        .map(|v| v as i64)
}
