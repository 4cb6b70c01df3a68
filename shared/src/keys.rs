//! API keys: long-lived credentials for CI, sent as `Authorization: Bearer` like a
//! session token. Their bodies, bounds and the shape of a key's secret live here so
//! that the server, the CLI and the gateway configuration agree on them.
//!
//! A secret reads `faas_k_<user>.<name>.<64 hex digits>`: the prefix tells it apart
//! from a JWT without trying to decode it, and the owner and key name make its
//! lookup one KV get. Only the random part is secret; it is 256 bits, so the server
//! stores a plain SHA-256 of it (no slow password hash is needed for that entropy).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::names::{validate_function_name, validate_username};

/// What every key's secret starts with.
pub const KEY_PREFIX: &str = "faas_k_";
/// Days a key lives when `expires_in_days` is not given.
pub const DEFAULT_KEY_DAYS: u32 = 30;
/// Bounds of `expires_in_days`.
pub const MIN_KEY_DAYS: u32 = 1;
pub const MAX_KEY_DAYS: u32 = 365;
/// How many keys one user may hold.
pub const MAX_KEYS_PER_USER: usize = 20;
/// Hex digits of a key's random part (32 bytes).
pub const KEY_SECRET_HEX_LEN: usize = 64;

/// `POST /v1/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyCreate {
    /// Named like a function: 1 to 63 characters a-z, 0-9, '_' or '-'.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z0-9][a-z0-9_-]{0,62}$"))]
    pub name: String,
    /// 1 to 365; [`DEFAULT_KEY_DAYS`] when absent.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    #[serde(default, deserialize_with = "crate::integer::option")]
    pub expires_in_days: Option<u32>,
}

/// `201` answer to `POST /v1/keys`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyCreated {
    pub name: String,
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// One key in `GET /v1/keys`: never its secret or hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyInfo {
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When the key was last accepted, to within a minute; `None` if never.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key's secret taken apart. Parsing checks only the shape; the server still
/// compares the random part with the stored hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySecret<'a> {
    pub owner: &'a str,
    pub name: &'a str,
    pub random: &'a str,
}

impl<'a> KeySecret<'a> {
    /// Whether a bearer token is meant as an API key (rather than a JWT).
    pub fn looks_like_key(token: &str) -> bool {
        token.starts_with(KEY_PREFIX)
    }

    /// `None` unless `secret` is `faas_k_<valid user>.<valid name>.<64 hex>`.
    pub fn parse(secret: &'a str) -> Option<Self> {
        let mut parts = secret.strip_prefix(KEY_PREFIX)?.split('.');
        let (owner, name, random) = (parts.next()?, parts.next()?, parts.next()?);
        let well_formed = parts.next().is_none()
            && validate_username(owner).is_ok()
            && validate_function_name(name).is_ok()
            && random.len() == KEY_SECRET_HEX_LEN
            && random
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        well_formed.then_some(Self {
            owner,
            name,
            random,
        })
    }

    /// The secret's text for `owner`'s key `name` with `random` (64 lowercase hex).
    pub fn format(owner: &str, name: &str, random: &str) -> String {
        format!("{KEY_PREFIX}{owner}.{name}.{random}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formatted_secret_parses_back() {
        let random = "ab".repeat(32);
        let secret = KeySecret::format("alice", "ci-deploy", &random);
        assert!(KeySecret::looks_like_key(&secret));
        assert_eq!(
            KeySecret::parse(&secret),
            Some(KeySecret {
                owner: "alice",
                name: "ci-deploy",
                random: &random
            })
        );
    }

    #[test]
    fn malformed_secrets_are_refused() {
        let random = "ab".repeat(32);
        for bad in [
            format!("faas_k_alice.ci.{}", &random[1..]),
            format!("faas_k_alice.ci.{}", random.to_uppercase()),
            format!("faas_k_alice.ci.{random}.x"),
            format!("faas_k_*.ci.{random}"),
            format!("faas_k_alice.>.{random}"),
            format!("faas_k_alice.{random}"),
            format!("alice.ci.{random}"),
        ] {
            assert_eq!(KeySecret::parse(&bad), None, "{bad}");
        }
    }
}
