//! Pools of prewarmed single-use containers, for functions with `prewarm` > 0.
//!
//! A parked container was created with its function's sandbox, attached and
//! started with `faas-init` as its entrypoint, which blocks on stdin until the
//! activation frame comes ([`crate::runtime`] hands it over). Each serves one
//! activation and is removed after, like a cold one.
//!
//! The worker cannot read the functions bucket (its NATS user may not), so pools
//! follow the signed activation requests, which carry the function's sandbox and
//! `prewarm`: the first request of a function on a worker is a miss that starts its
//! pool; a request with another image, memory or network (the function was
//! replaced) drains the old pool and starts a new one, and a pool never serves a
//! request whose sandbox differs from its own; `prewarm: 0` drains it. The server
//! announces replaced and removed functions (signed, on
//! `faas.functions.retired`), and their pools are drained at once; should a notice
//! be lost, a pool no request took from for `FAAS_WORKER_PREWARM_IDLE_SECS` is
//! drained anyway, as is every pool at shutdown. Parked containers hold one of the
//! worker's `FAAS_WORKER_MAX_PARKED` permits each and carry the worker's labels, so
//! the restart and dead-worker sweeps remove them like any other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use faas_process::signing::{RequestKey, SIGNATURE_HEADER};
use faas_shared::activation::{ActivationRequest, RetiredFunctions};
use faas_shared::nats::RETIRED_FUNCTIONS_SUBJECT;
use futures::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::metrics::PARKED_CONTAINERS;
use crate::runtime::{ContainerRuntime, Ready};

/// How often pools are topped up (a permit freed by another pool) and checked
/// for idleness.
const UPKEEP_EVERY: Duration = Duration::from_secs(2);

/// One function's pool: its owner and name.
type PoolKey = (String, String);

/// Every pool of one worker, and the permits that bound them together.
#[derive(Clone)]
pub(crate) struct Pools {
    /// Off when the worker may park nothing (no init binary, or a cap of 0).
    enabled: bool,
    inner: Arc<Mutex<HashMap<PoolKey, Pool>>>,
    permits: Arc<Semaphore>,
    idle_after: Duration,
}

/// A parked container, with the permit it holds until it is taken or removed.
pub(crate) struct Parked {
    pub(crate) ready: Ready,
    _permit: OwnedSemaphorePermit,
}

struct Pool {
    /// The request the pool was made from: its sandbox is every container's.
    template: ActivationRequest,
    parked: Vec<Parked>,
    /// Containers being made for it now.
    filling: usize,
    last_used: Instant,
}

impl Pool {
    fn wanted(&self) -> usize {
        (self.template.prewarm as usize).saturating_sub(self.parked.len() + self.filling)
    }
}

/// Whether a container made for `template` can serve `request`.
fn same_sandbox(template: &ActivationRequest, request: &ActivationRequest) -> bool {
    template.image == request.image
        && template.memory_mb == request.memory_mb
        && template.network == request.network
}

impl Pools {
    pub(crate) fn new(max_parked: usize, idle_after: Duration) -> Self {
        Self {
            enabled: max_parked > 0,
            inner: Arc::default(),
            permits: Arc::new(Semaphore::new(max_parked)),
            idle_after,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PoolKey, Pool>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A parked container for `request`, if its pool has one. Records the request
    /// for upkeep: starts, replaces or drops the function's pool as the request's
    /// sandbox and `prewarm` say. Returns the containers to remove (a drained pool).
    pub(crate) fn take(&self, request: &ActivationRequest) -> (Option<Parked>, Vec<Parked>) {
        let key = (request.owner.clone(), request.function.clone());
        let mut pools = self.lock();
        let mut drained = Vec::new();
        let stale = pools
            .get(&key)
            .is_some_and(|pool| !same_sandbox(&pool.template, request) || request.prewarm == 0);
        if stale && let Some(pool) = pools.remove(&key) {
            drained = pool.parked;
        }
        if request.prewarm == 0 || !self.enabled {
            return (None, drained);
        }
        let pool = pools.entry(key).or_insert_with(|| Pool {
            template: request.clone(),
            parked: Vec::new(),
            filling: 0,
            last_used: Instant::now(),
        });
        pool.template.prewarm = request.prewarm;
        pool.last_used = Instant::now();
        // The oldest first: it has waited longest.
        let taken = (!pool.parked.is_empty()).then(|| pool.parked.remove(0));
        (taken, drained)
    }

    /// Every parked container, taken out of its pool; the pools stay (shutdown
    /// passes `forget`: they are dropped too).
    pub(crate) fn drain_all(&self, forget: bool) -> Vec<Parked> {
        let mut pools = self.lock();
        let parked = pools
            .values_mut()
            .flat_map(|pool| std::mem::take(&mut pool.parked))
            .collect();
        if forget {
            pools.clear();
        }
        parked
    }

    /// How many containers are parked now.
    pub(crate) fn parked(&self) -> usize {
        self.lock().values().map(|pool| pool.parked.len()).sum()
    }

    /// Drops the pools of `owner`'s function (all of theirs for `None`); returns
    /// their containers.
    fn retire(&self, owner: &str, function: Option<&str>) -> Vec<Parked> {
        let mut pools = self.lock();
        let retired: Vec<PoolKey> = pools
            .keys()
            .filter(|(o, f)| o == owner && function.is_none_or(|function| f == function))
            .cloned()
            .collect();
        retired
            .into_iter()
            .filter_map(|key| pools.remove(&key))
            .flat_map(|pool| pool.parked)
            .collect()
    }

    /// Drops the pools idle for longer than the idle time; returns their containers.
    fn drain_idle(&self) -> Vec<Parked> {
        let mut pools = self.lock();
        let idle: Vec<PoolKey> = pools
            .iter()
            .filter(|(_, pool)| pool.last_used.elapsed() >= self.idle_after && pool.filling == 0)
            .map(|(key, _)| key.clone())
            .collect();
        idle.into_iter()
            .filter_map(|key| pools.remove(&key))
            .flat_map(|pool| pool.parked)
            .collect()
    }

    /// The next container to make: a pool below its size and a free permit.
    fn next_to_fill(&self) -> Option<(ActivationRequest, OwnedSemaphorePermit)> {
        let mut pools = self.lock();
        let pool = pools.values_mut().find(|pool| pool.wanted() > 0)?;
        let permit = self.permits.clone().try_acquire_owned().ok()?;
        pool.filling += 1;
        Some((pool.template.clone(), permit))
    }

    /// Parks `ready`, made for `template`, unless its pool was drained or replaced
    /// meanwhile (then it is handed back to be removed).
    fn park(
        &self,
        template: &ActivationRequest,
        made: Option<(Ready, OwnedSemaphorePermit)>,
    ) -> Option<Ready> {
        let key = (template.owner.clone(), template.function.clone());
        let mut pools = self.lock();
        let pool = pools
            .get_mut(&key)
            .filter(|pool| same_sandbox(&pool.template, template));
        let Some(pool) = pool else {
            return made.map(|(ready, _)| ready);
        };
        pool.filling = pool.filling.saturating_sub(1);
        let (ready, permit) = made?;
        pool.parked.push(Parked {
            ready,
            _permit: permit,
        });
        None
    }
}

impl ContainerRuntime {
    /// Makes containers until every pool is full or the permits are used up, one
    /// after the other (each take starts one such filler, the upkeep another).
    pub(crate) async fn fill_pools(&self, worker_id: &str) {
        while let Some((template, permit)) = self.pools.next_to_fill() {
            let made = match self.prepare(&template, worker_id, None).await {
                Ok(ready) => Some((ready, permit)),
                Err(failed) => {
                    tracing::warn!(function = %template.function, error = %failed.failure.message, "prewarming a container failed");
                    if let Some(id) = failed.container {
                        self.remove_later(id);
                    }
                    self.pools.park(&template, None);
                    // Do not retry at once what just failed.
                    return;
                }
            };
            if let Some(unwanted) = self.pools.park(&template, made) {
                self.discard(unwanted);
            }
            metrics::gauge!(PARKED_CONTAINERS).set(self.pools.parked() as f64);
        }
    }

    /// Removes parked containers in the background.
    pub(crate) fn discard_all(&self, parked: Vec<Parked>) {
        for parked in parked {
            self.discard(parked.ready);
        }
        metrics::gauge!(PARKED_CONTAINERS).set(self.pools.parked() as f64);
    }

    /// Removes every parked container and forgets the pools (shutdown; the
    /// removals run in the background, see [`ContainerRuntime::removals_done`]).
    pub fn drain_pools(&self) {
        let parked = self.pools.drain_all(true);
        if !parked.is_empty() {
            tracing::info!(containers = parked.len(), "draining the prewarm pools");
        }
        self.discard_all(parked);
    }
}

/// Drains the pools of the functions the server announces as replaced or removed,
/// until the task is dropped. A notice without the server's signature is ignored.
pub(crate) async fn follow_retirements(
    client: async_nats::Client,
    runtime: ContainerRuntime,
    request_key: RequestKey,
) {
    let mut notices = match client.subscribe(RETIRED_FUNCTIONS_SUBJECT).await {
        Ok(notices) => notices,
        Err(e) => {
            tracing::warn!(error = %e, "cannot hear of replaced or removed functions; their pools drain when idle");
            return;
        }
    };
    while let Some(message) = notices.next().await {
        let signed = message
            .headers
            .as_ref()
            .and_then(|headers| headers.get(SIGNATURE_HEADER))
            .is_some_and(|signature| {
                request_key.verify(
                    RETIRED_FUNCTIONS_SUBJECT,
                    &message.payload,
                    signature.as_str(),
                )
            });
        let notice = serde_json::from_slice::<RetiredFunctions>(&message.payload);
        let (true, Ok(notice)) = (signed, notice) else {
            tracing::warn!(
                "ignored a notice of retired functions: the server did not sign it, or it is not one"
            );
            continue;
        };
        let parked = runtime
            .pools
            .retire(&notice.owner, notice.function.as_deref());
        if !parked.is_empty() {
            tracing::info!(owner = %notice.owner, function = ?notice.function, containers = parked.len(), "draining the pools of a replaced or removed function");
        }
        runtime.discard_all(parked);
    }
}

/// Keeps the pools full and drains idle ones, until the task is dropped.
pub(crate) async fn upkeep(runtime: ContainerRuntime, worker_id: String) {
    let mut tick = tokio::time::interval(UPKEEP_EVERY);
    loop {
        tick.tick().await;
        let idle = runtime.pools.drain_idle();
        if !idle.is_empty() {
            tracing::info!(containers = idle.len(), "draining idle prewarm pools");
        }
        runtime.discard_all(idle);
        runtime.fill_pools(&worker_id).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(image: &str, prewarm: u32) -> ActivationRequest {
        let mut request = faas_shared::activation::ActivationRequest {
            activation_id: "0190a1b2c3d4e5f60718293a4b5c6d7e".into(),
            owner: "alice".into(),
            function: "f".into(),
            image: image.into(),
            param: String::new(),
            param_mode: faas_shared::ParamMode::Argv,
            timeout_ms: 1000,
            memory_mb: 64,
            network: false,
            secrets: Vec::new(),
            concurrency_slot: None,
            prewarm,
            queued_at: chrono::Utc::now(),
        };
        request.prewarm = prewarm;
        request
    }

    #[test]
    fn pools_follow_the_requests_and_the_cap() {
        let pools = Pools::new(3, Duration::from_secs(60));
        assert!(pools.next_to_fill().is_none(), "no pool before a request");
        let (taken, drained) = pools.take(&request("a:1", 2));
        assert!(taken.is_none() && drained.is_empty());
        let first = pools.next_to_fill().expect("the pool wants two");
        let second = pools.next_to_fill().expect("the pool wants two");
        assert!(pools.next_to_fill().is_none(), "two are on the way");
        drop((first, second));

        pools.take(&request("b:1", 4));
        let made: Vec<_> = std::iter::from_fn(|| pools.next_to_fill()).collect();
        assert_eq!(made.len(), 3, "the cap bounds every pool together");
    }

    #[test]
    fn a_request_with_another_sandbox_or_no_prewarm_drops_the_pool() {
        let pools = Pools::new(8, Duration::from_secs(60));
        pools.take(&request("a:1", 2));
        let (template, _permit) = pools.next_to_fill().unwrap();
        pools.take(&request("a:2", 2));
        assert_eq!(pools.lock().values().next().unwrap().template.image, "a:2");
        assert!(
            pools.park(&template, None).is_none(),
            "a container of the old image is not parked"
        );
        pools.take(&request("a:2", 0));
        assert!(pools.lock().is_empty());
    }

    #[test]
    fn retiring_drops_the_named_pool_or_every_pool_of_the_owner() {
        let pools = Pools::new(8, Duration::from_secs(60));
        let of = |owner: &str, function: &str| {
            let mut r = request("a:1", 1);
            r.owner = owner.into();
            r.function = function.into();
            r
        };
        for (owner, function) in [("alice", "f"), ("alice", "g"), ("bob", "f")] {
            pools.take(&of(owner, function));
        }
        let keys = || {
            let mut keys: Vec<PoolKey> = pools.lock().keys().cloned().collect();
            keys.sort();
            keys
        };
        pools.retire("alice", Some("f"));
        assert_eq!(
            keys(),
            [("alice".into(), "g".into()), ("bob".into(), "f".into())]
        );
        pools.retire("alice", None);
        assert_eq!(keys(), [("bob".into(), "f".into())]);
    }
}
