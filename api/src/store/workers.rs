//! The workers' capacity, from their heartbeats in KV `faas_workers` (`<worker>` →
//! [`Heartbeat`], expiring after `WORKER_HEARTBEAT_TTL`): how many activations the
//! live workers can run at once, and what they can serve of a function spec. Read
//! at most every [`CAPACITY_TTL`] and kept meanwhile, since every synchronous call
//! asks.

use std::time::{Duration, Instant};

use faas_shared::nats::{Heartbeat, Serves, WORKERS_BUCKET};

use super::handle::{Capacity, Store, owner_keys_all};

/// How long a reading of the workers' slots is used before it is read again.
const CAPACITY_TTL: Duration = Duration::from_secs(2);

impl Store {
    /// The slots of every live worker together; `None` when none reports its
    /// slots, so that callers fall back to waiting in the queue.
    pub async fn worker_slots(&self) -> Option<usize> {
        self.capacity().await.slots
    }

    /// What at least one live worker can serve of a function spec; `None` when no
    /// live worker says (none runs now, or all are of a version that did not), so
    /// that nothing is refused for want of knowing.
    pub async fn worker_serves(&self) -> Option<Serves> {
        self.capacity().await.serves
    }

    async fn capacity(&self) -> Capacity {
        if let Some((read, capacity)) = *self.capacity.lock().unwrap_or_else(|p| p.into_inner())
            && read.elapsed() < CAPACITY_TTL
        {
            return capacity;
        }
        let capacity = self.read_capacity().await;
        *self.capacity.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), capacity));
        capacity
    }

    async fn read_capacity(&self) -> Capacity {
        let Ok(keys) = owner_keys_all(&self.workers, WORKERS_BUCKET).await else {
            return Capacity::default();
        };
        let mut beats = Vec::new();
        for key in keys {
            let Ok(Some(value)) = self.workers.get(&key).await else {
                continue;
            };
            if let Ok(beat) = serde_json::from_slice::<Heartbeat>(&value) {
                beats.push(beat);
            }
        }
        let slots: usize = beats.iter().map(|beat| beat.slots).sum();
        let told: Vec<&Serves> = beats
            .iter()
            .filter_map(|beat| beat.serves.as_ref())
            .collect();
        Capacity {
            slots: (slots > 0).then_some(slots),
            serves: (!told.is_empty()).then(|| Serves::any(told)),
        }
    }
}
