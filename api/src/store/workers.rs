//! The workers' capacity, from their heartbeats in KV `faas_workers` (`<worker>` →
//! `{"at": …, "slots": N}`, expiring after `WORKER_HEARTBEAT_TTL`): how many
//! activations the live workers can run at once. Read at most every
//! [`CAPACITY_TTL`] and kept meanwhile, since every synchronous call asks.

use std::time::{Duration, Instant};

use faas_shared::nats::WORKERS_BUCKET;
use serde::Deserialize;

use super::handle::{Store, owner_keys_all};

/// How long a reading of the workers' slots is used before it is read again.
const CAPACITY_TTL: Duration = Duration::from_secs(2);

/// A worker's heartbeat, as workers of this version write it.
#[derive(Deserialize)]
struct Heartbeat {
    slots: usize,
}

impl Store {
    /// The slots of every live worker together; `None` when none reports its
    /// slots (no worker, or workers of a version that did not), so that callers
    /// fall back to waiting in the queue.
    pub async fn worker_slots(&self) -> Option<usize> {
        if let Some((read, slots)) = *self.capacity.lock().unwrap_or_else(|p| p.into_inner())
            && read.elapsed() < CAPACITY_TTL
        {
            return slots;
        }
        let slots = self.read_worker_slots().await;
        *self.capacity.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), slots));
        slots
    }

    async fn read_worker_slots(&self) -> Option<usize> {
        let keys = owner_keys_all(&self.workers, WORKERS_BUCKET).await.ok()?;
        let mut total = 0;
        for key in keys {
            let Ok(Some(value)) = self.workers.get(&key).await else {
                continue;
            };
            if let Ok(beat) = serde_json::from_slice::<Heartbeat>(&value) {
                total += beat.slots;
            }
        }
        (total > 0).then_some(total)
    }
}
