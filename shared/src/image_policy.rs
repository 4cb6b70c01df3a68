//! Which registries a function's image may come from: the rule the server applies
//! when a function is stored and the worker applies again before it runs (and
//! possibly pulls) an image. Plain logic, no DNS and no I/O.
//!
//! An image reference makes the Docker Engine fetch from the host it names, from the
//! worker's host and with its network position. So, unless the operator lists the
//! registries allowed (`FAAS_ALLOWED_REGISTRIES`), a reference naming a loopback,
//! link-local or private address, a local name (`localhost`, `*.local`,
//! `*.internal`, ...), a single-label name or a numeric host that is not a
//! canonical public IPv4 address is refused. A public DNS name can still resolve to
//! a private address: only the allow-list closes that (see docs/architecture.md).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{ApiError, ErrorCode};
use crate::names::ImageRef;

/// The setting both the server and the worker read.
pub const ALLOWED_REGISTRIES_VAR: &str = "FAAS_ALLOWED_REGISTRIES";
/// The registry of a reference that names none (`alpine`, `team/fn`).
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// The registries images may come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagePolicy {
    /// Lowercase `host[:port]` entries; `None`: any public registry.
    allowed: Option<Vec<String>>,
}

impl ImagePolicy {
    /// Any registry but loopback, link-local, private and local ones (the default).
    pub fn any_public() -> Self {
        Self::default()
    }

    /// Parses `FAAS_ALLOWED_REGISTRIES`: comma-separated registry hosts with an
    /// optional port, e.g. `docker.io,ghcr.io,registry.internal:5000`. An entry is
    /// allowed as given, even a private or local one: listing it is the operator's
    /// decision. `docker.io` covers references without a registry.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let probe = format!("{entry}/x");
            match ImageRef::parse(&probe) {
                Ok(image) if image.registry == Some(entry) => {
                    allowed.push(normalize(entry));
                }
                _ if entry == DEFAULT_REGISTRY => allowed.push(DEFAULT_REGISTRY.to_owned()),
                _ => {
                    return Err(format!(
                        "{ALLOWED_REGISTRIES_VAR}: {entry:?} is not a registry host (expected e.g. \"ghcr.io\" or \"registry.example.com:5000\")"
                    ));
                }
            }
        }
        if allowed.is_empty() {
            return Err(format!(
                "{ALLOWED_REGISTRIES_VAR} is set but lists no registry: unset it to allow any public registry, or list some, e.g. docker.io,ghcr.io"
            ));
        }
        Ok(Self {
            allowed: Some(allowed),
        })
    }

    /// The registries listed, if the operator listed any.
    pub fn allowed(&self) -> Option<&[String]> {
        self.allowed.as_deref()
    }

    /// Whether `image` (already a valid reference) may be used, with a message that
    /// says why not and how to allow it.
    pub fn check(&self, image: &str) -> Result<(), ApiError> {
        let parsed = ImageRef::parse(image)?;
        let registry = normalize(parsed.registry.unwrap_or(DEFAULT_REGISTRY));
        let refused = match &self.allowed {
            Some(allowed) if allowed.contains(&registry) => return Ok(()),
            Some(allowed) => format!(
                "its registry {registry} is not one of those allowed here ({}); the operator can add it to {ALLOWED_REGISTRIES_VAR} on the server and the workers",
                allowed.join(", ")
            ),
            None => match why_refused(&registry) {
                None => return Ok(()),
                Some(why) => format!(
                    "its registry {registry} is {why}, and the Docker Engine would fetch it from inside the platform's network. References to loopback, link-local and private addresses and to local names are refused unless the operator lists the registry in {ALLOWED_REGISTRIES_VAR} on the server and the workers"
                ),
            },
        };
        Err(ApiError::new(
            ErrorCode::ImageNotAllowed,
            format!("image {image:?} is not allowed: {refused}"),
        ))
    }
}

/// Lowercase, with Docker Hub's aliases folded into `docker.io`.
fn normalize(registry: &str) -> String {
    let registry = registry.to_ascii_lowercase();
    match registry.as_str() {
        "index.docker.io" | "registry-1.docker.io" => DEFAULT_REGISTRY.to_owned(),
        _ => registry,
    }
}

/// Why the default policy refuses registry `host[:port]`, or `None` if it is public.
pub fn why_refused(registry: &str) -> Option<&'static str> {
    let host = host_of(registry).to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if let Some(v6) = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<Ipv6Addr>().ok())
    {
        return why_refused_v6(v6);
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return why_refused_v4(v4);
    }
    if host == "localhost" || host.ends_with(".localhost") {
        return Some("a loopback name");
    }
    for suffix in [".local", ".internal", ".home.arpa", ".lan", ".intranet"] {
        if host.ends_with(suffix) {
            return Some("a local name");
        }
    }
    let Some((_, last)) = host.rsplit_once('.') else {
        return Some("a single-label name, which resolves on the worker host's own network");
    };
    // Top-level domains are never numeric: `127.1` or `0x7f.1` is an address some
    // resolvers would accept, not a name.
    if last.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("a numeric host that is not a canonical public IPv4 address");
    }
    None
}

/// `host` of `host[:port]` or `[v6]:port`.
fn host_of(registry: &str) -> &str {
    if registry.starts_with('[') {
        return match registry.find(']') {
            Some(end) => &registry[..=end],
            None => registry,
        };
    }
    registry.split(':').next().unwrap_or(registry)
}

fn why_refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_link_local() {
        Some("a link-local address (where cloud metadata services answer)")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("a private address")
    } else if ip.is_unspecified()
        || a == 0
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a >= 240
    {
        Some("not a public address")
    } else {
        None
    }
}

fn why_refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return why_refused_v4(v4);
    }
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address (where cloud metadata services answer)")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private address")
    } else if ip.is_unspecified() || ip.is_multicast() {
        Some("not a public address")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &ImagePolicy, image: &str) -> String {
        let error = policy.check(image).unwrap_err();
        assert_eq!(error.code, ErrorCode::ImageNotAllowed, "{image}");
        error.message
    }

    #[test]
    fn public_registries_are_allowed_by_default() {
        let policy = ImagePolicy::any_public();
        for image in [
            "alpine",
            "faas-examples/reverse:latest",
            "docker.io/library/alpine:3.20",
            "ghcr.io/org/fn:1",
            "registry.example.com:5000/team/fn",
            "8.8.8.8/x",
            "93.184.216.34:443/x",
            "my-registry.io/x",
        ] {
            assert_eq!(policy.check(image), Ok(()), "{image}");
        }
    }

    #[test]
    fn local_and_private_addresses_are_refused_by_default() {
        let policy = ImagePolicy::any_public();
        for (image, why) in [
            ("localhost:5000/x", "loopback"),
            ("localhost/x:1", "loopback"),
            ("LOCALHOST:5000/x", "loopback"),
            ("registry.localhost/x", "loopback"),
            ("127.0.0.1:5000/x", "loopback"),
            ("127.8.9.10/x", "loopback"),
            ("169.254.169.254/x", "link-local"),
            ("169.254.0.1:80/x", "link-local"),
            ("10.0.0.1:5000/x", "private"),
            ("172.16.0.1/x", "private"),
            ("172.31.255.255/x", "private"),
            ("192.168.1.1:5000/x", "private"),
            ("100.64.0.1/x", "private"),
            ("0.0.0.0:5000/x", "not a public"),
            ("224.0.0.1/x", "not a public"),
            ("registry.local/x", "local name"),
            ("metadata.google.internal/x", "local name"),
            ("nas.home.arpa:5000/x", "local name"),
            ("nats:4222/x", "single-label"),
            ("registry:5000/x", "single-label"),
            ("127.1/x", "numeric"),
            ("0x7f.1/x", "numeric"),
            ("2130706433.0/x", "numeric"),
        ] {
            let message = refused(&policy, image);
            assert!(message.contains(why), "{image}: {message}");
            assert!(message.contains(ALLOWED_REGISTRIES_VAR), "{message}");
        }
        assert_eq!(policy.check("172.32.0.1/x"), Ok(()), "outside 172.16/12");
    }

    #[test]
    fn ipv6_literals_are_judged_too() {
        for (host, why) in [
            ("[::1]:5000", Some("a loopback address")),
            (
                "[fe80::1]",
                Some("a link-local address (where cloud metadata services answer)"),
            ),
            ("[fd00::1]:5000", Some("a private address")),
            ("[fc00::1]", Some("a private address")),
            ("[::ffff:127.0.0.1]", Some("a loopback address")),
            ("[::]", Some("not a public address")),
            ("[2001:4860::8888]", None),
        ] {
            assert_eq!(why_refused(host), why, "{host}");
        }
    }

    #[test]
    fn an_allow_list_allows_exactly_what_it_lists() {
        let policy = ImagePolicy::parse(" docker.io, ghcr.io ,localhost:5000,").unwrap();
        assert_eq!(
            policy.allowed(),
            Some(
                &[
                    "docker.io".to_owned(),
                    "ghcr.io".to_owned(),
                    "localhost:5000".to_owned()
                ][..]
            )
        );
        for image in [
            "alpine",
            "faas-examples/sh:latest",
            "docker.io/library/alpine",
            "index.docker.io/library/alpine",
            "ghcr.io/org/fn:1",
            "localhost:5000/x",
        ] {
            assert_eq!(policy.check(image), Ok(()), "{image}");
        }
        for image in [
            "localhost:5001/x",
            "quay.io/x",
            "ghcr.io:443/x",
            "127.0.0.1:5000/x",
        ] {
            let message = refused(&policy, image);
            assert!(
                message.contains("docker.io, ghcr.io, localhost:5000"),
                "{message}"
            );
        }
        let only_ghcr = ImagePolicy::parse("ghcr.io").unwrap();
        assert!(refused(&only_ghcr, "alpine").contains("docker.io is not one of"));
    }

    #[test]
    fn bad_allow_lists_are_errors() {
        for bad in ["", " , ", "not a host", "https://ghcr.io", "ghcr.io/org"] {
            assert!(ImagePolicy::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn invalid_references_stay_invalid_image() {
        assert_eq!(
            ImagePolicy::any_public().check("Alpine").unwrap_err().code,
            ErrorCode::InvalidImage
        );
    }
}
