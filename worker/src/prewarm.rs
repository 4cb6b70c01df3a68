//! The bookkeeping of prewarm pools, for functions with `prewarm` > 0: which
//! parked containers each function has, which it still wants, and the permits
//! that cap them all together. Plain data: the runtime makes, hands over and
//! removes the containers ([`crate::runtime`]), and this module never calls it.
//!
//! A parked container was created with its function's sandbox, attached and
//! started with `faas-init` as its entrypoint, which blocks on stdin until the
//! activation frame comes. Each serves one activation and is removed after, like
//! a cold one.
//!
//! The worker cannot read the functions bucket (its NATS user may not), so pools
//! follow the signed activation requests, which carry the function's sandbox and
//! `prewarm`: the first request of a function on a worker is a miss that starts its
//! pool; a request with another image, memory or network (the function was
//! replaced) drains the old pool and starts a new one, and a pool never serves a
//! request whose sandbox differs from its own; `prewarm: 0` drains it. Each parked
//! container runs the image id its reference named when it was made: once the
//! reference names another (a re-tag), the runtime drains the pool on its next take. The server
//! announces replaced and removed functions ([`crate::retired`]), and their pools
//! are drained at once; should a notice be lost, a pool no request took from for `FAAS_WORKER_PREWARM_IDLE_SECS` is
//! drained anyway, as is every pool at shutdown. Parked containers hold one of the
//! worker's `FAAS_WORKER_MAX_PARKED` permits each and carry the worker's labels, so
//! the restart and dead-worker sweeps remove them like any other.
//!
//! The permits are shared fairly between owners: a free permit goes to the pool of
//! the owner holding the fewest, and when none is free, an owner below its share
//! (the cap over the owners with pools) takes one back from the owner holding the
//! most above it, whose oldest parked container is removed. So one tenant's
//! `prewarm: 16` functions cannot leave every other tenant's pools empty.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use faas_shared::activation::ActivationRequest;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// One function's pool: its owner and name.
type PoolKey = (String, String);

/// Every pool of one worker, and the permits that bound them together; `C` is
/// a started container as the runtime's backend holds it.
pub(crate) struct Pools<C> {
    /// Off when the worker may park nothing (no init binary, or a cap of 0).
    enabled: bool,
    inner: Arc<Mutex<HashMap<PoolKey, Pool<C>>>>,
    permits: Arc<Semaphore>,
    max_parked: usize,
    idle_after: Duration,
}

// By hand: a derive would ask `C: Clone`, and the clones share one set of pools.
impl<C> Clone for Pools<C> {
    fn clone(&self) -> Self {
        Self {
            enabled: self.enabled,
            inner: self.inner.clone(),
            permits: self.permits.clone(),
            max_parked: self.max_parked,
            idle_after: self.idle_after,
        }
    }
}

/// What to do next to fill the pools.
pub(crate) enum Fill<C> {
    /// Make a container for this template, holding this permit.
    Make(Box<ActivationRequest>, OwnedSemaphorePermit),
    /// Remove this parked container (its permit is free once it is dropped): its
    /// owner holds more than a fair share while another owner's pool wants one.
    Evict(Parked<C>),
}

/// A parked container, with the permit it holds until it is taken or removed.
pub(crate) struct Parked<C> {
    pub(crate) container: C,
    _permit: OwnedSemaphorePermit,
}

struct Pool<C> {
    /// The request the pool was made from: its sandbox is every container's.
    template: ActivationRequest,
    parked: Vec<Parked<C>>,
    /// Containers being made for it now.
    filling: usize,
    last_used: Instant,
}

impl<C> Pool<C> {
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

impl<C> Pools<C> {
    pub(crate) fn new(max_parked: usize, idle_after: Duration) -> Self {
        Self {
            enabled: max_parked > 0,
            inner: Arc::default(),
            permits: Arc::new(Semaphore::new(max_parked)),
            max_parked,
            idle_after,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PoolKey, Pool<C>>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A parked container for `request`, if its pool has one. Records the request
    /// for upkeep: starts, replaces or drops the function's pool as the request's
    /// sandbox and `prewarm` say. Returns the containers to remove (a drained pool).
    pub(crate) fn take(&self, request: &ActivationRequest) -> (Option<Parked<C>>, Vec<Parked<C>>) {
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
    pub(crate) fn drain_all(&self, forget: bool) -> Vec<Parked<C>> {
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

    /// Whether it parks containers at all (a cap above 0).
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// How many containers are parked now.
    pub(crate) fn parked(&self) -> usize {
        self.lock().values().map(|pool| pool.parked.len()).sum()
    }

    /// Drops the pools of `owner`'s function (all of theirs for `None`); returns
    /// their containers.
    pub(crate) fn retire(&self, owner: &str, function: Option<&str>) -> Vec<Parked<C>> {
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

    /// Takes every parked container out of `owner`'s `function` pool, which stays
    /// (its containers run an image its reference no longer names).
    pub(crate) fn drain(&self, owner: &str, function: &str) -> Vec<Parked<C>> {
        let mut pools = self.lock();
        let key = (owner.to_owned(), function.to_owned());
        pools
            .get_mut(&key)
            .map(|pool| std::mem::take(&mut pool.parked))
            .unwrap_or_default()
    }

    /// Drops the pools idle for longer than the idle time; returns their containers.
    pub(crate) fn drain_idle(&self) -> Vec<Parked<C>> {
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

    /// The next step in filling the pools: a container to make for the pool of the
    /// owner holding the fewest (with a free permit), or, when every permit is held,
    /// a parked container to take back from the owner furthest above its share for
    /// an owner below it.
    pub(crate) fn next_to_fill(&self) -> Option<Fill<C>> {
        let mut pools = self.lock();
        let mut held: HashMap<String, usize> = HashMap::new();
        for ((owner, _), pool) in pools.iter() {
            *held.entry(owner.clone()).or_default() += pool.parked.len() + pool.filling;
        }
        let share = (self.max_parked / held.len().max(1)).max(1);
        let (key, fewest) = pools
            .iter()
            .filter(|(_, pool)| pool.wanted() > 0)
            .map(|(key, _)| (key.clone(), held[&key.0]))
            .min_by_key(|(_, held)| *held)?;
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            let pool = pools.get_mut(&key)?;
            pool.filling += 1;
            return Some(Fill::Make(Box::new(pool.template.clone()), permit));
        }
        if fewest >= share {
            return None;
        }
        let (_, richest) = pools
            .iter_mut()
            .filter(|((owner, _), pool)| held[owner] > share && !pool.parked.is_empty())
            .max_by_key(|((owner, _), pool)| (held[owner], pool.parked.len()))?;
        // The oldest: the one a take would have used last.
        Some(Fill::Evict(richest.parked.remove(0)))
    }

    /// Parks `container`, made for `template` with `permit`, unless its pool was
    /// drained or replaced meanwhile (then it is handed back to be removed). `None`
    /// when making it failed: the pool only counts one fewer on the way.
    pub(crate) fn park(
        &self,
        template: &ActivationRequest,
        made: Option<(C, OwnedSemaphorePermit)>,
    ) -> Option<C> {
        let key = (template.owner.clone(), template.function.clone());
        let mut pools = self.lock();
        let pool = pools
            .get_mut(&key)
            .filter(|pool| same_sandbox(&pool.template, template));
        let Some(pool) = pool else {
            return made.map(|(container, _)| container);
        };
        pool.filling = pool.filling.saturating_sub(1);
        let (container, permit) = made?;
        pool.parked.push(Parked {
            container,
            _permit: permit,
        });
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::request;

    #[test]
    fn pools_follow_the_requests_and_the_cap() {
        let pools = Pools::<()>::new(3, Duration::from_secs(60));
        assert!(pools.next_to_fill().is_none(), "no pool before a request");
        let (taken, drained) = pools.take(&request("a:1", 2));
        assert!(taken.is_none() && drained.is_empty());
        let first = make(&pools).expect("the pool wants two");
        let second = make(&pools).expect("the pool wants two");
        assert!(pools.next_to_fill().is_none(), "two are on the way");
        drop((first, second));

        pools.take(&request("b:1", 4));
        let made: Vec<_> = std::iter::from_fn(|| make(&pools)).collect();
        assert_eq!(made.len(), 3, "the cap bounds every pool together");
    }

    /// The next container to make, if the next step is one.
    fn make(pools: &Pools<()>) -> Option<(ActivationRequest, OwnedSemaphorePermit)> {
        match pools.next_to_fill()? {
            Fill::Make(template, permit) => Some((*template, permit)),
            Fill::Evict(_) => None,
        }
    }

    /// Fills the pools as the runtime does, evictions included; returns how many
    /// containers were taken back.
    fn fill(pools: &Pools<()>) -> usize {
        let mut evicted = 0;
        while let Some(step) = pools.next_to_fill() {
            match step {
                Fill::Make(template, permit) => {
                    assert!(pools.park(&template, Some(((), permit))).is_none());
                }
                Fill::Evict(_) => evicted += 1,
            }
        }
        evicted
    }

    fn parked_by(pools: &Pools<()>, owner: &str) -> usize {
        let pools = pools.lock();
        pools
            .iter()
            .filter(|((o, _), _)| o == owner)
            .map(|(_, pool)| pool.parked.len())
            .sum()
    }

    #[test]
    fn parked_capacity_is_shared_between_owners() {
        let pools = Pools::<()>::new(4, Duration::from_secs(60));
        let of = |owner: &str, function: &str, prewarm: u32| {
            let mut r = request("a:1", prewarm);
            r.owner = owner.into();
            r.function = function.into();
            r
        };
        // Alone, one owner's two pools may take every permit.
        pools.take(&of("alice", "f", 4));
        pools.take(&of("alice", "g", 4));
        assert_eq!(fill(&pools), 0);
        assert_eq!(parked_by(&pools, "alice"), 4);
        // Another owner's pool gets its share back: half of the cap.
        pools.take(&of("bob", "f", 4));
        assert_eq!(fill(&pools), 2, "two of alice's are taken back");
        assert_eq!(
            (parked_by(&pools, "alice"), parked_by(&pools, "bob")),
            (2, 2)
        );
        // A third owner gets one of the four (4 / 3 owners).
        pools.take(&of("carol", "f", 1));
        assert_eq!(fill(&pools), 1);
        assert_eq!(parked_by(&pools, "carol"), 1);
        assert_eq!(parked_by(&pools, "alice") + parked_by(&pools, "bob"), 3);
    }

    #[test]
    fn a_request_with_another_sandbox_or_no_prewarm_drops_the_pool() {
        let pools = Pools::<()>::new(8, Duration::from_secs(60));
        pools.take(&request("a:1", 2));
        let (template, _permit) = make(&pools).unwrap();
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
        let pools = Pools::<()>::new(8, Duration::from_secs(60));
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
