//! Container removals off the answer's path, whatever the backend: in the
//! background, a few at a time (a burst of answered runs must not become a burst
//! of work on the engine or the host), counted in the
//! `faas_worker_container_removals` gauge; shutdown waits for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_util::task::TaskTracker;

use crate::metrics::CONTAINER_REMOVALS;

/// Container removals the worker runs at once; the others wait their turn.
const MAX_REMOVALS_IN_FLIGHT: usize = 4;

/// The worker's removals in the background. Cheap to clone: the clones share them.
#[derive(Clone)]
pub(crate) struct Removals {
    tracker: TaskTracker,
    slots: Arc<tokio::sync::Semaphore>,
    /// Queued or running.
    pending: Arc<AtomicUsize>,
}

impl Default for Removals {
    fn default() -> Self {
        Self {
            tracker: TaskTracker::new(),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_REMOVALS_IN_FLIGHT)),
            pending: Arc::default(),
        }
    }
}

impl Removals {
    /// Runs `removal` in the background when a slot is free.
    pub(crate) fn spawn(&self, removal: impl Future<Output = ()> + Send + 'static) {
        self.count(true);
        let removals = self.clone();
        self.tracker.spawn(async move {
            let slot = removals.slots.acquire().await;
            removal.await;
            drop(slot);
            removals.count(false);
        });
    }

    /// Resolves once every removal started so far has finished.
    pub(crate) async fn done(&self) {
        self.tracker.close();
        self.tracker.wait().await;
        self.tracker.reopen();
    }

    /// One more removal pending (`queued`), or one fewer.
    fn count(&self, queued: bool) {
        let now = if queued {
            self.pending.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.pending.fetch_sub(1, Ordering::Relaxed) - 1
        };
        metrics::gauge!(CONTAINER_REMOVALS).set(now as f64);
    }
}
