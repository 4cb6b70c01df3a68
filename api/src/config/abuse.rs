//! The abuse limits' settings ([`AbuseLimits`]): login and registration rates, how
//! many password hashes run or wait at once, which gateways are trusted to name the
//! client, header size and read time, the body's read time, open connections, and
//! the function quota. `crate::throttle`
//! enforces the rates and the hash bound; the HTTP layer reads the rest.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Context;
use faas_process::env;

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
    /// that may wait (up to [`HASH_WAIT`](crate::throttle::HASH_WAIT)) for a hash
    /// slot; more are refused at once.
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
    /// `FAAS_REQUEST_READ_TIMEOUT_SECS` (default 30): once its headers are in, a
    /// request's body must be read within this time, or for longer only while it
    /// keeps arriving at `min_upload_rate`; else 408 `request_timeout` and the
    /// connection is closed.
    pub request_read_timeout: Duration,
    /// `FAAS_MIN_UPLOAD_BYTES_PER_SEC` (default 64 KiB/s): past the read timeout a
    /// body must have arrived at this average rate; `0`: the timeout is strict.
    /// With the 16 MiB body limit, no body takes longer than 16 MiB at this rate
    /// (256 s by default).
    pub min_upload_rate: u64,
    /// `FAAS_MAX_CONNECTIONS` (default 1024): open client connections at once
    /// (TLS handshakes included); one more is closed at once, so the server's file
    /// descriptors are bounded with or without a gateway in front.
    pub max_connections: usize,
    /// `FAAS_MAX_FUNCTIONS_PER_USER` (default 100): functions one user may have.
    pub max_functions_per_user: Option<u32>,
    /// `FAAS_REGISTRATION` (default `open`): who may register.
    pub registration: Registration,
}

/// `FAAS_REGISTRATION`: who may register an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Anyone (within `FAAS_REGISTRATIONS_PER_ADDRESS_PER_HOUR`).
    Open,
    /// Only with a single-use invite code the operator made (`faas-server invite`).
    Invite,
    /// Nobody: 403 `registration_closed`.
    Closed,
}

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
            request_read_timeout: Duration::from_secs(30),
            min_upload_rate: 64 * 1024,
            max_connections: 1024,
            max_functions_per_user: Some(100),
            registration: Registration::Open,
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
        if let Some(secs) = env::positive("FAAS_REQUEST_READ_TIMEOUT_SECS")? {
            limits.request_read_timeout = Duration::from_secs(secs as u64);
        }
        if let Some(rate) = env::parse::<u64>("FAAS_MIN_UPLOAD_BYTES_PER_SEC")? {
            limits.min_upload_rate = rate;
        }
        if let Some(n) = env::positive("FAAS_MAX_CONNECTIONS")? {
            limits.max_connections = n;
        }
        if let Some(mode) = env::var("FAAS_REGISTRATION") {
            limits.registration = match mode.trim() {
                "open" => Registration::Open,
                "invite" => Registration::Invite,
                "closed" => Registration::Closed,
                other => {
                    anyhow::bail!("FAAS_REGISTRATION={other:?} is not one of open, invite, closed")
                }
            };
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

    /// How fast the bucket refills.
    pub fn per_second(&self) -> f64 {
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

/// The first `prefix` bits of `bits`.
pub(crate) fn masked(bits: u128, prefix: u8) -> u128 {
    match prefix {
        0 => 0,
        p => bits & (u128::MAX << (128 - u32::from(p))),
    }
}

/// IPv4-mapped IPv6 addresses as IPv4.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_parse_and_match() {
        let net: Cidr = "172.16.0.0/12".parse().unwrap();
        assert!(net.contains("172.20.1.1".parse().unwrap()));
        assert!(!net.contains("172.32.0.1".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("zero".parse::<Cidr>().is_err());
    }
}
