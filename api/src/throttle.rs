//! Abuse limits on the password paths: throttled logins and registrations, and a
//! bound on concurrent password hashes. Their settings are
//! [`AbuseLimits`](crate::config::AbuseLimits); the client's address they count
//! by, and the header-size limit, are the HTTP layer's (`api::extract`).
//!
//! Every refusal is a 429 `rate_limited` with `Retry-After`. The counters are in
//! memory, per server replica: with N replicas behind the gateway an attacker gets
//! at most N times the configured rate, which keeps them cheap (no NATS round trip
//! on the login path) and is stated in the docs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use faas_shared::ErrorCode;
use tokio::sync::Semaphore;

use crate::config::{AbuseLimits, Rate};
use crate::error::AppError;

/// How long a login or registration may wait for a hash slot before its 429.
pub const HASH_WAIT: Duration = Duration::from_secs(5);

/// At most this many keys per limiter; beyond, the least throttled are forgotten.
const MAX_KEYS: usize = 10_000;

/// What the handlers consult before they hash a password.
pub struct Throttle {
    pub limits: AbuseLimits,
    logins_by_user: Option<KeyedLimiter<String>>,
    logins_by_address: Option<KeyedLimiter<IpAddr>>,
    registrations_by_address: Option<KeyedLimiter<IpAddr>>,
    hashes: Arc<Semaphore>,
    queued_hashes: Arc<AtomicUsize>,
}

impl Throttle {
    pub fn new(limits: AbuseLimits) -> Self {
        Self {
            logins_by_user: limits.logins_per_user.map(KeyedLimiter::new),
            logins_by_address: limits.logins_per_address.map(KeyedLimiter::new),
            registrations_by_address: limits.registrations_per_address.map(KeyedLimiter::new),
            hashes: Arc::new(Semaphore::new(limits.max_concurrent_hashes.max(1))),
            queued_hashes: Arc::new(AtomicUsize::new(0)),
            limits,
        }
    }

    /// A login attempt for `username` from `client` (its address, as a throttling
    /// key): counted against both, refused when either is spent.
    pub fn login(&self, username: &str, client: IpAddr) -> Result<(), AppError> {
        // Bounded key: a name longer than any valid one is still one key.
        let name: String = username.chars().take(64).collect();
        let by_user = self
            .logins_by_user
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(name));
        let by_address = self
            .logins_by_address
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(client));
        by_user.and(by_address).map_err(|wait| {
            rate_limited(
                "too many login attempts for this user or from this address",
                wait,
            )
        })
    }

    /// A registration from `client`.
    pub fn register(&self, client: IpAddr) -> Result<(), AppError> {
        self.registrations_by_address
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(client))
            .map_err(|wait| rate_limited("too many registrations from this address", wait))
    }

    /// Runs `hashing` (a password hash or verification) when one of the
    /// `max_concurrent_hashes` slots is free. A few callers may wait for a slot (up
    /// to [`HASH_WAIT`]); the rest are refused at once with 429, so a flood of
    /// logins costs neither memory nor a queue. The work runs in its own task with
    /// the slot, so a client that hangs up does not free the slot before the hash
    /// (and its 19 MiB) is done.
    pub async fn hashing<T: Send + 'static>(
        &self,
        hashing: impl Future<Output = Result<T, AppError>> + Send + 'static,
    ) -> Result<T, AppError> {
        let busy = || rate_limited("too many password checks at once", Duration::from_secs(1));
        let permit = match self.hashes.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let queued = QueuedHash::enter(&self.queued_hashes, self.limits.max_queued_hashes)
                    .ok_or_else(busy)?;
                let permit =
                    tokio::time::timeout(HASH_WAIT, self.hashes.clone().acquire_owned()).await;
                drop(queued);
                match permit {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(busy()),
                }
            }
        };
        tokio::spawn(async move {
            let outcome = hashing.await;
            drop(permit);
            outcome
        })
        .await
        .map_err(|e| AppError::internal("password hashing task", e))?
    }
}

/// Makes glibc give every allocation of 128 KiB or more back to the system when it
/// is freed. Each argon2 run allocates 19 MiB; by default glibc raises its mmap
/// threshold after the first such free, and from then on keeps the 19 MiB in the
/// arena of whichever blocking thread ran the hash, one arena per thread: measured,
/// 10 hashes on 2 slots left 240 MB resident. Call it first thing in `main`.
pub fn return_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, under glibc's own locks.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// A place in the bounded queue for a hash slot, given back on drop.
struct QueuedHash<'a>(&'a AtomicUsize);

impl<'a> QueuedHash<'a> {
    fn enter(queued: &'a AtomicUsize, max: usize) -> Option<Self> {
        queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(queued))
    }
}

impl Drop for QueuedHash<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn rate_limited(what: &str, wait: Duration) -> AppError {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    AppError::new(
        ErrorCode::RateLimited,
        format!("{what}: retry after {secs} s"),
    )
    .with_retry_after(secs)
}

/// Token buckets by key, in memory, with at most [`MAX_KEYS`] keys.
struct KeyedLimiter<K> {
    rate: Rate,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: std::hash::Hash + Eq + Clone> KeyedLimiter<K> {
    fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; when there is none, how long until there is.
    fn attempt(&self, key: K) -> Result<(), Duration> {
        let now = Instant::now();
        let capacity = f64::from(self.rate.count);
        let per_second = self.rate.per_second();
        let refilled = |b: &Bucket| {
            (b.tokens + now.duration_since(b.at).as_secs_f64() * per_second).min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&key) && buckets.len() >= MAX_KEYS {
            // Forget keys that are full again (as good as new), and if that is not
            // enough, the least throttled one.
            buckets.retain(|_, b| refilled(b) < capacity);
            if buckets.len() >= MAX_KEYS {
                let fullest = buckets
                    .iter()
                    .max_by(|a, b| refilled(a.1).total_cmp(&refilled(b.1)))
                    .map(|(k, _)| k.clone());
                if let Some(k) = fullest {
                    buckets.remove(&k);
                }
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = refilled(bucket);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_burst_then_refuses_with_the_wait() {
        let limiter = KeyedLimiter::new(Rate::per_minute(3));
        for _ in 0..3 {
            assert!(limiter.attempt("alice").is_ok());
        }
        let wait = limiter.attempt("alice").unwrap_err();
        assert!(
            wait > Duration::from_secs(15) && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert!(limiter.attempt("bob").is_ok(), "keys are independent");
    }

    #[test]
    fn keys_are_bounded() {
        let limiter = KeyedLimiter::new(Rate::per_minute(1));
        for i in 0..(MAX_KEYS + 50) {
            let _ = limiter.attempt(i);
        }
        assert!(limiter.len() <= MAX_KEYS);
    }
}
