//! Everything the server keeps in NATS, one file per thing stored: users,
//! functions, activation records, API keys, secrets, pending markers and revoked
//! tokens; deleting what an account owns; and the streams and buckets it all
//! lives in, set up at start-up (`setup.rs`). Here: the [`Store`] handle and what
//! the files share (listing an owner's keys, JSON in and out).
//!
//! JetStream's own features do the hard parts: KV `create` makes registration
//! atomic, KV `update` with a revision makes function replacement race-free, and the
//! activation stream's limits are the admission control (see `setup.rs`).

use async_nats::jetstream::{self, kv};
use faas_process::claim::Payloads;
use faas_shared::nats::owner_key_prefix;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod activations;
mod deletion;
mod functions;
mod keys;
mod pending;
mod revocations;
mod secrets;
mod setup;
mod users;

pub use deletion::Removed;
pub use keys::StoredKey;
pub use pending::PendingMarker;
pub use revocations::Revocations;
pub use secrets::StoredSecret;
pub use setup::{connect, open_revocations};
pub use users::StoredUser;

/// Handles to the buckets.
#[derive(Clone)]
pub struct Store {
    /// For the work queue: deleting an account purges its queued requests.
    jetstream: jetstream::Context,
    users: kv::Store,
    functions: kv::Store,
    activations: kv::Store,
    /// Sealed secrets, `<user>.<name>`.
    secrets: kv::Store,
    /// Markers of unfinished asynchronous activations, `<owner>.<id>`.
    pending: kv::Store,
    /// API keys.
    keys: kv::Store,
    /// Bodies too large for one NATS message: requests, results and records.
    pub payloads: Payloads,
}

/// The keys `owner` has in a bucket, sorted, possibly including deleted ones (their
/// values read as `None`).
///
/// The stream leader lists the owner's subjects (`$KV.<bucket>.<owner>.>`) and each
/// value is then a direct get that any replica answers. No consumer is involved: in
/// a cluster, a consumer may be placed on a node that is down, and listings would
/// time out until it came back.
async fn owner_keys(
    bucket: &kv::Store,
    bucket_name: &str,
    owner: &str,
) -> Result<Vec<String>, AppError> {
    let backend = |e: &dyn std::fmt::Display| AppError::backend("listing records", e);
    let prefix = format!("$KV.{bucket_name}.");
    let mut subjects = bucket
        .stream
        .info_with_subjects(format!("{prefix}{}>", owner_key_prefix(owner)))
        .await
        .map_err(|e| backend(&e))?;
    let mut keys = Vec::new();
    while let Some((subject, _count)) = subjects.try_next().await.map_err(|e| backend(&e))? {
        if let Some(key) = subject.strip_prefix(&prefix) {
            keys.push(key.to_owned());
        }
    }
    keys.sort();
    Ok(keys)
}

fn encode<T: Serialize>(value: &T) -> Result<bytes::Bytes, AppError> {
    serde_json::to_vec(value)
        .map(Into::into)
        .map_err(|e| AppError::internal("encoding a record", e))
}

async fn get_json<T: for<'de> Deserialize<'de>>(
    bucket: &kv::Store,
    key: &str,
    context: &str,
) -> Result<Option<T>, AppError> {
    let Some(value) = bucket
        .get(key)
        .await
        .map_err(|e| AppError::backend(context, e))?
    else {
        return Ok(None);
    };
    serde_json::from_slice(&value)
        .map(Some)
        .map_err(|e| AppError::internal(context, e))
}
