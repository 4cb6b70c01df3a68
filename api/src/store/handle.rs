//! The [`Store`] handle (the buckets and the JetStream context) and what every
//! file of the store shares: listing an owner's keys, JSON in and out.

use async_nats::jetstream::{self, kv};
use faas_process::claim::Payloads;
use faas_shared::nats::owner_key_prefix;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;

use crate::error::AppError;

/// Handles to the buckets.
#[derive(Clone)]
pub struct Store {
    /// For the work queue: deleting an account purges its queued requests.
    pub(super) jetstream: jetstream::Context,
    pub(super) users: kv::Store,
    pub(super) functions: kv::Store,
    pub(super) activations: kv::Store,
    /// Sealed secrets, `<user>.<name>`.
    pub(super) secrets: kv::Store,
    /// Markers of unfinished asynchronous activations, `<owner>.<id>`.
    pub(super) pending: kv::Store,
    /// API keys.
    pub(super) keys: kv::Store,
    /// What counts against each owner's quotas (`quotas.rs`).
    pub(super) quotas: kv::Store,
    /// Invite codes, by their SHA-256 (`invites.rs`).
    pub(super) invites: kv::Store,
    /// The workers' heartbeats, with their slots (`workers.rs`).
    pub(super) workers: kv::Store,
    /// The last reading of the workers' capacity and when it was made.
    pub(super) capacity: CapacityReading,
    /// Bodies too large for one NATS message: requests, results and records.
    pub payloads: Payloads,
}

/// The last reading of the workers' capacity (`workers.rs`) and when it was
/// made, shared by the clones of the store.
pub(super) type CapacityReading =
    std::sync::Arc<std::sync::Mutex<Option<(std::time::Instant, Capacity)>>>;

/// What the live workers offer together, from their heartbeats (`workers.rs`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Capacity {
    /// Their slots; `None` when none reports its slots (no worker, or workers of
    /// a version that did not).
    pub(super) slots: Option<usize>,
    /// What at least one of them serves; `None` when none says.
    pub(super) serves: Option<faas_shared::nats::Serves>,
}

/// The keys `owner` has in a bucket, sorted, possibly including deleted ones (their
/// values read as `None`).
///
/// The stream leader lists the owner's subjects (`$KV.<bucket>.<owner>.>`) and each
/// value is then a direct get that any replica answers. No consumer is involved: in
/// a cluster, a consumer may be placed on a node that is down, and listings would
/// time out until it came back.
pub(super) async fn owner_keys(
    bucket: &kv::Store,
    bucket_name: &str,
    owner: &str,
) -> Result<Vec<String>, AppError> {
    keys_under(
        bucket,
        bucket_name,
        &format!("{}>", owner_key_prefix(owner)),
        "listing records",
    )
    .await
}

/// How long one leader read may take: far more than a healthy leader needs, far
/// less than the client's 10 s request timeout, so that a read sent to a leader
/// that just died is tried again while the cluster elects another.
const LEADER_READ_ATTEMPT: Duration = Duration::from_secs(3);
/// How long a leader read keeps retrying failures a leader election explains
/// (elections on a 3-node cluster take a few seconds; see `PUBLISH_RETRY`): no
/// retry starts after it, so an outage is still a 503 within about 10 s.
const LEADER_READ_RETRY: Duration = Duration::from_secs(10);

/// A leader read that failed: the store's answer, or none in time.
#[derive(Debug)]
enum LeaderRead<E> {
    Failed(E),
    TimedOut,
}

impl<E: std::fmt::Display> std::fmt::Display for LeaderRead<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Failed(e) => e.fmt(f),
            Self::TimedOut => write!(f, "no answer within {LEADER_READ_ATTEMPT:?}"),
        }
    }
}

/// Runs `read`, a request its stream's leader answers, each try within
/// [`LEADER_READ_ATTEMPT`], again while it times out or fails in a way a leader
/// election explains (`transient`), for up to [`LEADER_READ_RETRY`]: while the
/// cluster elects a new leader (the old one was lost) such reads time out or find
/// no leader for a few seconds. A failure that outlasts it (a partition, NATS
/// down) is the caller's to answer, with a 503 rather than a stale copy.
async fn from_leader<T, E: std::fmt::Display, F: Future<Output = Result<T, E>>>(
    what: &str,
    transient: impl Fn(&E) -> bool,
    mut read: impl FnMut() -> F,
) -> Result<T, LeaderRead<E>> {
    let deadline = tokio::time::Instant::now() + LEADER_READ_RETRY;
    let mut pause = Duration::from_millis(100);
    loop {
        let answer = match tokio::time::timeout(LEADER_READ_ATTEMPT, read()).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) if !transient(&e) => return Err(LeaderRead::Failed(e)),
            Ok(Err(e)) => LeaderRead::Failed(e),
            Err(_) => LeaderRead::TimedOut,
        };
        if tokio::time::Instant::now() + pause >= deadline {
            return Err(answer);
        }
        tracing::info!(error = %answer, "{what}: no stream leader answered, retrying");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// The current value of `key` in `bucket` and its revision, read from the
/// bucket's stream leader (`STREAM.MSG.GET`, see [`from_leader`]), never a
/// replica's direct get: the reads a security decision rests on (revocations,
/// token generations, key removal, account deletion) must not be answered by a
/// replica that is behind the leader, where a write just acknowledged may not have
/// arrived yet. `None` when the key has no value (never set, deleted or purged).
pub(super) async fn current_entry(
    bucket: &kv::Store,
    key: &str,
    context: &str,
) -> Result<Option<(bytes::Bytes, u64)>, AppError> {
    use async_nats::jetstream::stream::LastRawMessageErrorKind::{InvalidSubject, NoMessageFound};
    let subject = format!("{}{key}", bucket.prefix);
    let read = from_leader(
        context,
        |e: &async_nats::jetstream::stream::LastRawMessageError| {
            !matches!(e.kind(), NoMessageFound | InvalidSubject)
        },
        || bucket.stream.get_last_raw_message_by_subject(&subject),
    )
    .await;
    let message = match read {
        Ok(message) => message,
        Err(LeaderRead::Failed(e)) if e.kind() == NoMessageFound => return Ok(None),
        Err(e) => return Err(AppError::backend(context, e)),
    };
    let removed = message
        .headers
        .get("KV-Operation")
        .is_some_and(|op| matches!(op.as_str(), "DEL" | "PURGE"))
        || message.headers.get("Nats-Marker-Reason").is_some();
    if removed {
        return Ok(None);
    }
    Ok(Some((message.payload, message.sequence)))
}

/// Every key of a bucket (its stream's leader lists the subjects), sorted.
pub(super) async fn owner_keys_all(
    bucket: &kv::Store,
    bucket_name: &str,
) -> Result<Vec<String>, AppError> {
    keys_under(bucket, bucket_name, ">", "listing keys").await
}

/// The keys of `bucket` whose subjects match `filter` (after `$KV.<bucket>.`), as
/// its stream's leader lists them (see [`from_leader`]), sorted; `what` names the
/// step in errors.
async fn keys_under(
    bucket: &kv::Store,
    bucket_name: &str,
    filter: &str,
    what: &str,
) -> Result<Vec<String>, AppError> {
    let prefix = format!("$KV.{bucket_name}.");
    let subjects = format!("{prefix}{filter}");
    let list = || async {
        let mut stream = bucket
            .stream
            .info_with_subjects(subjects.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let mut keys = Vec::new();
        while let Some((subject, _count)) = stream.try_next().await.map_err(|e| e.to_string())? {
            if let Some(key) = subject.strip_prefix(&prefix) {
                keys.push(key.to_owned());
            }
        }
        Ok::<_, String>(keys)
    };
    let mut keys = from_leader(what, |_| true, list)
        .await
        .map_err(|e| AppError::backend(what, e))?;
    keys.sort();
    Ok(keys)
}

pub(super) fn encode<T: Serialize>(value: &T) -> Result<bytes::Bytes, AppError> {
    serde_json::to_vec(value)
        .map(Into::into)
        .map_err(|e| AppError::internal("encoding a record", e))
}

pub(super) async fn get_json<T: for<'de> Deserialize<'de>>(
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
