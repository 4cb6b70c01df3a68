//! Worker liveness, so a killed worker's containers do not outlive it.
//!
//! A worker stopped with SIGTERM drains and removes its containers, and one that
//! crashed sweeps its own on restart; but a replica removed by scale-down after a
//! `docker kill` never comes back. So every worker renews a heartbeat in KV
//! `faas_workers` (keys expire after `WORKER_HEARTBEAT_TTL`), and now and then
//! removes the containers of its platform whose worker has no heartbeat left. Its
//! unacknowledged activations are redelivered by JetStream meanwhile. The
//! heartbeat carries the worker's slots, which the servers add up as the
//! platform's capacity, and what it can serve of a function spec.

use std::collections::BTreeSet;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use faas_shared::nats::{Heartbeat, WORKER_HEARTBEAT_EVERY, WORKERS_BUCKET};

use crate::runtime::ContainerRuntime;

/// How often to look for containers of dead workers.
const SWEEP_EVERY: Duration = Duration::from_secs(20);

/// Renews this worker's heartbeat and sweeps dead workers' containers, until the
/// task is dropped.
pub(crate) async fn run(
    jetstream: jetstream::Context,
    runtime: ContainerRuntime,
    worker_id: String,
    slots: usize,
) {
    let key = heartbeat_key(&worker_id);
    let mut beat = tokio::time::interval(WORKER_HEARTBEAT_EVERY);
    let mut last_sweep = tokio::time::Instant::now();
    let mut bucket: Option<kv::Store> = None;
    loop {
        beat.tick().await;
        if bucket.is_none() {
            bucket = jetstream.get_key_value(WORKERS_BUCKET).await.ok();
        }
        let Some(workers) = &bucket else { continue };
        // The slots tell the servers the platform's capacity: a synchronous call
        // with none free is refused at once rather than left to wait.
        let beat = Heartbeat {
            at: chrono::Utc::now().to_rfc3339(),
            slots,
            serves: Some(runtime.serves()),
        };
        let beat = serde_json::to_vec(&beat).expect("a heartbeat encodes");
        if let Err(e) = workers.put(&key, beat.into()).await {
            tracing::warn!(error = %e, "renewing the worker heartbeat failed");
            continue;
        }
        if last_sweep.elapsed() >= SWEEP_EVERY {
            last_sweep = tokio::time::Instant::now();
            sweep_dead(workers, &runtime, &worker_id).await;
        }
    }
}

/// Removes this platform's containers whose worker has no live heartbeat.
async fn sweep_dead(workers: &kv::Store, runtime: &ContainerRuntime, me: &str) {
    let containers = match runtime.platform_containers().await {
        Ok(containers) => containers,
        Err(e) => {
            tracing::debug!(error = %e, "listing containers for the dead-worker sweep");
            return;
        }
    };
    let owners: BTreeSet<&str> = containers
        .iter()
        .map(|(_, worker)| worker.as_str())
        .filter(|worker| *worker != me)
        .collect();
    for worker in owners {
        // Only an answer that the key is gone counts: a failed read is no evidence.
        if !matches!(workers.get(heartbeat_key(worker)).await, Ok(None)) {
            continue;
        }
        let theirs = containers.iter().filter(|(_, w)| w == worker);
        let mut removed = 0;
        for (id, _) in theirs {
            if runtime.remove(id).await.is_ok() {
                removed += 1;
            }
        }
        tracing::info!(%worker, removed, "removed the containers of a worker that is gone");
    }
}

/// KV keys allow `[-/_=.a-zA-Z0-9]`; a worker id is a host name and a pid, or set
/// by hand.
fn heartbeat_key(worker_id: &str) -> String {
    worker_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_=".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn worker_ids_become_valid_keys() {
        assert_eq!(super::heartbeat_key("web-1.local-42"), "web-1_local-42");
        assert_eq!(super::heartbeat_key("a b*>"), "a_b__");
    }
}
