//! Types and rules that the faas server, worker and CLI must agree on.
//!
//! Everything here is plain data and pure functions: the HTTP request and response
//! bodies ([`api`]), the stable error codes ([`error`]), name and image validation
//! ([`names`]), which registries images may come from ([`image_policy`]), the API
//! paths ([`paths`]), NATS subject and bucket names ([`nats`]) and the messages that
//! travel through JetStream between server and worker ([`activation`]), the one
//! timeout budget ([`budget`]), API keys ([`keys`]) and how request bodies read
//! integers ([`integer`]). Keeping them in one crate means a field renamed on the
//! server cannot silently break the CLI.

pub mod activation;
pub mod api;
pub mod budget;
pub mod error;
pub mod image_policy;
pub mod integer;
pub mod keys;
pub mod names;
pub mod nats;
pub mod paths;

pub use api::*;
pub use error::{ApiError, ErrorBody, ErrorCode};
