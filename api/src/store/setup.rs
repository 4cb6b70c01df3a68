//! Setting up the store at start-up: the streams and buckets the server creates
//! (or brings to the current settings) and opens, retrying while a new cluster
//! forms. The one place that configures them, but for the slots' stream, whose
//! configuration is `faas_process::slots`' (the protocol the worker shares).

use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use faas_process::claim::Payloads;
use faas_shared::nats::{
    ACTIVATIONS_BUCKET, ACTIVATIONS_STREAM, ACTIVATIONS_SUBJECTS, FUNCTIONS_BUCKET, INVITES_BUCKET,
    KEYS_BUCKET, PAYLOADS_BUCKET, PENDING_BUCKET, QUOTAS_BUCKET, REVOKED_BUCKET, SECRETS_BUCKET,
    USERS_BUCKET, WORKER_HEARTBEAT_TTL, WORKERS_BUCKET,
};

use super::handle::Store;
use super::revocations::Revocations;
use crate::config::Limits;

/// How long activation records (and the large bodies they point to) are kept.
const ACTIVATION_RECORD_TTL: Duration = Duration::from_secs(24 * 3600);

/// Creates (or updates) the stream and buckets, and opens the buckets, retrying for
/// up to `SETUP_TIMEOUT`: a NATS cluster that has just formed answers replicated
/// stream creation with timeouts until its nodes have caught up, and several
/// replicas may be setting up at once.
pub async fn connect(
    js: &jetstream::Context,
    limits: &Limits,
    replicas: usize,
) -> anyhow::Result<Store> {
    let deadline = tokio::time::Instant::now() + SETUP_TIMEOUT;
    loop {
        match set_up(js, limits, replicas).await {
            Ok(store) => return Ok(store),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "setting up the NATS stream and buckets: retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => {
                return Err(e.context(format!(
                    "setting up the NATS stream and buckets (gave up after {} s; with FAAS_NATS_REPLICAS={replicas} the cluster needs that many JetStream nodes)",
                    SETUP_TIMEOUT.as_secs(),
                )));
            }
        }
    }
}

/// See [`connect`].
const SETUP_TIMEOUT: Duration = Duration::from_secs(180);

/// One attempt of [`connect`].
async fn set_up(
    js: &jetstream::Context,
    limits: &Limits,
    replicas: usize,
) -> anyhow::Result<Store> {
    ensure_stream(js, activation_stream(limits, replicas)).await?;
    let users = open_bucket(js, USERS_BUCKET, Duration::ZERO, replicas).await?;
    let functions = open_bucket(js, FUNCTIONS_BUCKET, Duration::ZERO, replicas).await?;
    let activations = open_bucket(js, ACTIVATIONS_BUCKET, ACTIVATION_RECORD_TTL, replicas).await?;
    let workers = open_bucket(js, WORKERS_BUCKET, WORKER_HEARTBEAT_TTL, replicas).await?;
    let secrets = open_bucket(js, SECRETS_BUCKET, Duration::ZERO, replicas).await?;
    let pending = open_bucket(js, PENDING_BUCKET, ACTIVATION_RECORD_TTL, replicas).await?;
    ensure_stream(js, faas_process::slots::stream_config(replicas)).await?;
    let keys = open_bucket(js, KEYS_BUCKET, Duration::ZERO, replicas).await?;
    let quotas = open_bucket(js, QUOTAS_BUCKET, Duration::ZERO, replicas).await?;
    let invites = open_bucket(js, INVITES_BUCKET, Duration::ZERO, replicas).await?;
    ensure_stream(js, payloads_stream(replicas)).await?;
    let payloads = Payloads::open(js).await?;
    Ok(Store {
        jetstream: js.clone(),
        users,
        functions,
        activations,
        secrets,
        pending,
        keys,
        quotas,
        invites,
        workers,
        capacity: Default::default(),
        payloads,
    })
}

/// The work queue. Its message limits are the platform's concurrency limits: a
/// message stays in the stream until a worker acks it after publishing the result,
/// so `max_messages` counts queued *and* running activations, and with
/// `discard: new` a publish over the limit is refused (error 10077) instead of
/// evicting someone else's activation.
fn activation_stream(limits: &Limits, replicas: usize) -> stream::Config {
    let limit = |n: Option<u32>| n.map_or(-1, i64::from);
    stream::Config {
        name: ACTIVATIONS_STREAM.into(),
        subjects: vec![ACTIVATIONS_SUBJECTS.into()],
        retention: stream::RetentionPolicy::WorkQueue,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        max_messages: limit(limits.max_inflight),
        max_messages_per_subject: limit(limits.max_inflight_per_user),
        discard: stream::DiscardPolicy::New,
        discard_new_per_subject: limits.max_inflight_per_user.is_some(),
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    }
}

/// The stream behind a KV bucket, as `create_key_value` would make it. We create it
/// ourselves because async-nats' `create_key_value` cannot parse nats-server < 2.10.8
/// answers.
fn bucket_stream(bucket: &str, max_age: Duration, replicas: usize) -> stream::Config {
    stream::Config {
        name: format!("KV_{bucket}"),
        subjects: vec![format!("$KV.{bucket}.>")],
        max_messages_per_subject: 1,
        max_age,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        allow_rollup: true,
        deny_delete: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    }
}

/// The stream behind the Object Store bucket of large bodies, as
/// `create_object_store` would make it (which, like `create_key_value`, we avoid for
/// nats-server < 2.10 compatibility). Bodies live as long as the records.
fn payloads_stream(replicas: usize) -> stream::Config {
    stream::Config {
        name: format!("OBJ_{PAYLOADS_BUCKET}"),
        subjects: vec![
            format!("$O.{PAYLOADS_BUCKET}.C.>"),
            format!("$O.{PAYLOADS_BUCKET}.M.>"),
        ],
        max_age: ACTIVATION_RECORD_TTL,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        allow_rollup: true,
        allow_direct: true,
        discard: stream::DiscardPolicy::New,
        ..Default::default()
    }
}

pub(super) async fn open_bucket(
    js: &jetstream::Context,
    bucket: &str,
    max_age: Duration,
    replicas: usize,
) -> anyhow::Result<kv::Store> {
    ensure_stream(js, bucket_stream(bucket, max_age, replicas)).await?;
    Ok(js.get_key_value(bucket).await?)
}

/// Creates the stream, or brings an existing one to `config` (limits may change
/// between restarts).
async fn ensure_stream(js: &jetstream::Context, config: stream::Config) -> anyhow::Result<()> {
    let name = config.name.clone();
    match js.get_stream(&name).await {
        Ok(_) => {
            js.update_stream(config)
                .await
                .map_err(|e| anyhow::anyhow!("updating stream {name}: {e}"))?;
        }
        Err(_) => {
            js.create_stream(config)
                .await
                .map_err(|e| anyhow::anyhow!("creating stream {name}: {e}"))?;
        }
    }
    Ok(())
}

/// Revoked token ids are kept this much longer than a token can live, for clock
/// skew between replicas.
const REVOKED_SLACK: Duration = Duration::from_secs(60);

/// Creates (or brings to the current token lifetime) and opens the deny-list bucket
/// of revoked token ids. nats-server 2.9 has no per-key TTL, so every key lives for
/// the bucket's `max_age`: the token lifetime plus slack, which outlasts the token
/// it revokes whenever that was issued.
pub async fn open_revocations(
    js: &jetstream::Context,
    token_ttl: Duration,
    replicas: usize,
) -> anyhow::Result<Revocations> {
    let bucket = open_bucket(js, REVOKED_BUCKET, token_ttl + REVOKED_SLACK, replicas).await?;
    Ok(Revocations::new(bucket))
}
