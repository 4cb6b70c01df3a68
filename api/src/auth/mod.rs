//! Who is calling: users' passwords, the session tokens the API hands out, API
//! keys, and the checks that accept a token or a key as the bearer of a request.
//! Below the HTTP layer: the extractors in `api::extract` call these.
//!
//! - `passwords.rs`: argon2id hashes and checking a password against one;
//! - `tokens.rs`: ES256 session tokens, issued and verified (signature, claims);
//! - `session.rs`: a verified token checked against the store (revoked? the
//!   account's current generation? being deleted?);
//! - `keys.rs`: the stored hash of an API key's secret, and accepting a key.

mod keys;
mod passwords;
mod session;
mod tokens;

pub use keys::{authenticate_key, hash_key_secret};
pub use passwords::{hash_password, verify_password};
pub use session::{Authenticated, authenticate};
pub use tokens::{JWT_CONSUMER_KEY, TokenKeys, VerifiedToken};
