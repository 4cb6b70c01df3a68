//! Abuse limits: throttled logins and registrations, a bound on concurrent password
//! hashes, the caller's address, and oversized request headers.
//!
//! Every refusal is a 429 `rate_limited` with `Retry-After` (431 `headers_too_large`
//! for headers). The counters are in memory, per server replica: with N replicas
//! behind the gateway an attacker gets at most N times the configured rate, which
//! keeps them cheap (no NATS round trip on the login path) and is stated in the docs.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use faas_process::env;
use faas_shared::ErrorCode;
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::state::AppState;

/// The abuse limits, read once from the environment. A rate of `None` is unlimited
/// (the variable set to `0`).
#[derive(Debug, Clone)]
pub struct AbuseLimits {
    /// `FAAS_LOGINS_PER_USER_PER_MINUTE` (default 10): login attempts per user name.
    pub logins_per_user: Option<Rate>,
    /// `FAAS_LOGINS_PER_ADDRESS_PER_MINUTE` (default 60): login attempts per client
    /// address.
    pub logins_per_address: Option<Rate>,
    /// `FAAS_REGISTRATIONS_PER_ADDRESS_PER_HOUR` (default 20).
    pub registrations_per_address: Option<Rate>,
    /// `FAAS_MAX_CONCURRENT_HASHES` (default: the number of cores): argon2 runs at
    /// once, each holding 19 MiB.
    pub max_concurrent_hashes: usize,
    /// `FAAS_MAX_QUEUED_HASHES` (default 4 × the above): logins and registrations
    /// that may wait (up to [`HASH_WAIT`]) for a hash slot; more are refused at once.
    pub max_queued_hashes: usize,
    /// `FAAS_TRUSTED_PROXIES`: comma-separated addresses or CIDRs of gateways whose
    /// `X-Forwarded-For` names the client. Empty (the default): the peer address is
    /// the client, and `X-Forwarded-For` is ignored.
    pub trusted_proxies: Vec<Cidr>,
    /// `FAAS_HEADER_READ_TIMEOUT_SECS` (default 10): a connection must send a
    /// request's headers within this time, or it is closed.
    pub header_read_timeout: Duration,
    /// `FAAS_MAX_HEADER_BYTES` (default 16 KiB): larger request headers are a 431.
    pub max_header_bytes: usize,
    /// `FAAS_MAX_FUNCTIONS_PER_USER` (default 100): functions one user may have.
    pub max_functions_per_user: Option<u32>,
}

/// How long a login or registration may wait for a hash slot before its 429.
pub const HASH_WAIT: Duration = Duration::from_secs(5);

/// At most this many keys per limiter; beyond, the least throttled are forgotten.
const MAX_KEYS: usize = 10_000;

impl Default for AbuseLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            logins_per_user: Some(Rate::per_minute(10)),
            logins_per_address: Some(Rate::per_minute(60)),
            registrations_per_address: Some(Rate::per_hour(20)),
            max_concurrent_hashes: cores,
            max_queued_hashes: 4 * cores,
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            max_functions_per_user: Some(100),
        }
    }
}

impl AbuseLimits {
    pub fn from_env() -> anyhow::Result<Self> {
        let mut limits = Self::default();
        let rate = |name: &str, current: Option<Rate>, window: Duration| {
            Ok::<_, anyhow::Error>(match env::parse::<u32>(name)? {
                None => current,
                Some(0) => None,
                Some(n) => Some(Rate { count: n, window }),
            })
        };
        limits.logins_per_user = rate(
            "FAAS_LOGINS_PER_USER_PER_MINUTE",
            limits.logins_per_user,
            MINUTE,
        )?;
        limits.logins_per_address = rate(
            "FAAS_LOGINS_PER_ADDRESS_PER_MINUTE",
            limits.logins_per_address,
            MINUTE,
        )?;
        limits.registrations_per_address = rate(
            "FAAS_REGISTRATIONS_PER_ADDRESS_PER_HOUR",
            limits.registrations_per_address,
            HOUR,
        )?;
        if let Some(n) = env::positive("FAAS_MAX_CONCURRENT_HASHES")? {
            limits.max_concurrent_hashes = n;
            limits.max_queued_hashes = 4 * n;
        }
        if let Some(n) = env::parse::<usize>("FAAS_MAX_QUEUED_HASHES")? {
            limits.max_queued_hashes = n;
        }
        if let Some(list) = env::var("FAAS_TRUSTED_PROXIES") {
            limits.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().with_context(|| {
                        format!("FAAS_TRUSTED_PROXIES: {s:?} is not an address or CIDR")
                    })
                })
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(secs) = env::positive("FAAS_HEADER_READ_TIMEOUT_SECS")? {
            limits.header_read_timeout = Duration::from_secs(secs as u64);
        }
        if let Some(bytes) = env::positive("FAAS_MAX_HEADER_BYTES")? {
            limits.max_header_bytes = bytes;
        }
        if let Some(n) = env::parse::<u32>("FAAS_MAX_FUNCTIONS_PER_USER")? {
            limits.max_functions_per_user = Some(n).filter(|n| *n > 0);
        }
        Ok(limits)
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// `count` attempts per `window`, in a burst or spread out (a token bucket of
/// `count` tokens refilled evenly over `window`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub count: u32,
    pub window: Duration,
}

impl Rate {
    pub fn per_minute(count: u32) -> Self {
        Self {
            count,
            window: MINUTE,
        }
    }

    pub fn per_hour(count: u32) -> Self {
        Self {
            count,
            window: HOUR,
        }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.count) / self.window.as_secs_f64()
    }
}

/// An IPv4 or IPv6 network, e.g. `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> anyhow::Result<Self> {
        let (ip, prefix) = match s.split_once('/') {
            Some((ip, prefix)) => (ip.parse::<IpAddr>()?, Some(prefix.parse::<u8>()?)),
            None => (s.parse::<IpAddr>()?, None),
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        anyhow::ensure!(prefix <= max, "prefix /{prefix} is too long");
        Ok(Self {
            network: ip,
            prefix,
        })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (canonical(self.network), ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)) << 96, self.prefix)
                    == masked(u128::from(u32::from(ip)) << 96, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix) == masked(u128::from(ip), self.prefix)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        p => bits & (u128::MAX << (128 - u32::from(p))),
    }
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client a request comes from, as a throttling key: the peer address, or the
/// address a trusted gateway put in `X-Forwarded-For`. An IPv6 client is keyed by
/// its /64, since one host usually holds the whole /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<Arc<AppState>> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let ip = client_ip(peer, &forwarded, &state.throttle.limits.trusted_proxies);
        Ok(Self(key_of(ip)))
    }
}

/// The client's address. Only when the peer is a trusted proxy is `X-Forwarded-For`
/// read, and then from the right: each proxy appends the address it saw, so the
/// rightmost entry that is not itself a trusted proxy is the first one no client
/// could have forged (entries to its left are whatever the client sent).
fn client_ip(peer: IpAddr, forwarded_for: &str, trusted: &[Cidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|cidr| cidr.contains(ip));
    if !is_trusted(peer) {
        return canonical(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    canonical(client)
}

fn key_of(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(masked(u128::from(v6), 64))),
        v4 => v4,
    }
}

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

    /// A login attempt for `username` from `client`: counted against both, refused
    /// when either is spent.
    pub fn login(&self, username: &str, client: ClientAddr) -> Result<(), AppError> {
        // Bounded key: a name longer than any valid one is still one key.
        let name: String = username.chars().take(64).collect();
        let by_user = self
            .logins_by_user
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(name));
        let by_address = self
            .logins_by_address
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(client.0));
        by_user.and(by_address).map_err(|wait| {
            rate_limited(
                "too many login attempts for this user or from this address",
                wait,
            )
        })
    }

    /// A registration from `client`.
    pub fn register(&self, client: ClientAddr) -> Result<(), AppError> {
        self.registrations_by_address
            .as_ref()
            .map_or(Ok(()), |l| l.attempt(client.0))
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

/// Middleware: request headers over `FAAS_MAX_HEADER_BYTES` are answered 431
/// `headers_too_large` in the JSON error shape. (Headers beyond hyper's own read
/// buffer, about 400 KiB, or more than 100 of them, get hyper's bodiless 431 before
/// any of our code runs.)
pub async fn limit_headers(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let size: usize = request.uri().to_string().len()
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    let max = state.throttle.limits.max_header_bytes;
    if size > max {
        return AppError::new(
            ErrorCode::HeadersTooLarge,
            format!("the request's headers are {size} bytes, over the limit of {max}"),
        )
        .into_response();
    }
    next.run(request).await
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

    #[test]
    fn forwarded_for_is_read_only_from_trusted_proxies_and_from_the_right() {
        let gateway: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted = vec!["10.0.0.0/8".parse::<Cidr>().unwrap()];
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        // Direct client: its header is ignored.
        assert_eq!(client_ip(client, "1.2.3.4", &trusted), client);
        // Through the gateway: the entry it appended, not the forged one before it.
        assert_eq!(client_ip(gateway, "1.2.3.4, 203.0.113.7", &trusted), client);
        // Nothing trusted: the peer, whatever the header says.
        assert_eq!(client_ip(gateway, "203.0.113.7", &[]), gateway);
        // Garbage in the header: the last good hop.
        assert_eq!(client_ip(gateway, "nonsense", &trusted), gateway);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(key_of(a), key_of(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(key_of(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn cidrs_parse_and_match() {
        let net: Cidr = "172.16.0.0/12".parse().unwrap();
        assert!(net.contains("172.20.1.1".parse().unwrap()));
        assert!(!net.contains("172.32.0.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("zero".parse::<Cidr>().is_err());
    }
}
