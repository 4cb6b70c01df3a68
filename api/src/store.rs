//! Everything the server keeps in NATS: the stream and buckets it creates at
//! start-up, and typed access to users, functions, activation records and API keys.
//!
//! JetStream's own features do the hard parts: KV `create` makes registration
//! atomic, KV `update` with a revision makes function replacement race-free, and the
//! activation stream's limits are the admission control (see `activation_stream`).

use std::time::Duration;

use async_nats::jetstream::{self, kv, stream};
use chrono::{DateTime, Utc};
use faas_process::claim::Payloads;
use faas_shared::nats::{
    ACTIVATIONS_BUCKET, ACTIVATIONS_STREAM, ACTIVATIONS_SUBJECTS, FUNCTIONS_BUCKET, KEYS_BUCKET,
    PAYLOADS_BUCKET, PENDING_BUCKET, SECRETS_BUCKET, USERS_BUCKET, WORKER_HEARTBEAT_TTL,
    WORKERS_BUCKET, activation_key, function_key, owner_key_prefix,
};
use faas_shared::{ActivationRecord, ErrorCode, FunctionInfo};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::config::Limits;
use crate::error::AppError;

mod accounts;
mod pending;
mod secrets;
pub use accounts::{Removed, Revocations, open_revoked_bucket};
pub use pending::PendingMarker;
pub use secrets::StoredSecret;
mod keys;
pub use keys::StoredKey;

/// How long activation records (and the large bodies they point to) are kept.
pub const ACTIVATION_RECORD_TTL: Duration = Duration::from_secs(24 * 3600);

/// A registered user as stored in `faas_users`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredUser {
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    /// Tokens carry the generation they were issued for; a new random one (on a
    /// password change, or a new account of the same name) revokes all older
    /// tokens at once. Empty for records stored before it existed.
    #[serde(default)]
    pub token_generation: String,
    /// Set while the account is being deleted: its tokens and logins are refused,
    /// and the name stays taken until everything it owned is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleting_since: Option<DateTime<Utc>>,
}

impl StoredUser {
    /// A fresh random token generation.
    pub fn new_token_generation() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }
}

/// Handles to the buckets.
#[derive(Clone)]
pub struct Store {
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
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

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
    open_bucket(js, WORKERS_BUCKET, WORKER_HEARTBEAT_TTL, replicas).await?;
    let secrets = open_bucket(js, SECRETS_BUCKET, Duration::ZERO, replicas).await?;
    let pending = open_bucket(js, PENDING_BUCKET, ACTIVATION_RECORD_TTL, replicas).await?;
    ensure_stream(js, faas_process::slots::stream_config(replicas)).await?;
    let keys = open_bucket(js, KEYS_BUCKET, Duration::ZERO, replicas).await?;
    ensure_stream(js, payloads_stream(replicas)).await?;
    let payloads = Payloads::open(js).await?;
    Ok(Store {
        users,
        functions,
        activations,
        secrets,
        pending,
        keys,
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

async fn open_bucket(
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

impl Store {
    /// Registers a user; `UserExists` if the name is taken, decided atomically by NATS.
    pub async fn create_user(&self, user: &StoredUser) -> Result<(), AppError> {
        match self.users.create(&user.username, encode(user)?).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Err(AppError::new(
                ErrorCode::UserExists,
                format!("the username {:?} is taken: choose another", user.username),
            )),
            Err(e) => Err(AppError::backend("registering the user", e)),
        }
    }

    pub async fn user(&self, username: &str) -> Result<Option<StoredUser>, AppError> {
        get_json(&self.users, username, "reading the user").await
    }

    pub async fn function(
        &self,
        owner: &str,
        name: &str,
    ) -> Result<Option<FunctionInfo>, AppError> {
        get_json(
            &self.functions,
            &function_key(owner, name),
            "reading the function",
        )
        .await
    }

    /// Creates or replaces a function. Returns whether it was created. `created_at`
    /// of a replaced function is kept; concurrent writers cannot lose an update
    /// because the write is conditional on the revision that was read.
    pub async fn put_function(
        &self,
        owner: &str,
        mut info: FunctionInfo,
    ) -> Result<(bool, FunctionInfo), AppError> {
        let key = function_key(owner, &info.name);
        for _ in 0..5 {
            let existing = self
                .functions
                .entry(&key)
                .await
                .map_err(|e| AppError::backend("reading the function", e))?
                .filter(|entry| entry.operation == kv::Operation::Put);
            let outcome = match &existing {
                Some(entry) => {
                    if let Ok(old) = serde_json::from_slice::<FunctionInfo>(&entry.value) {
                        info.created_at = old.created_at;
                    }
                    let value = encode(&info)?;
                    self.functions
                        .update(&key, value, entry.revision)
                        .await
                        .map(|_| false)
                        .map_err(|e| e.to_string())
                }
                None => {
                    let value = encode(&info)?;
                    match self.functions.create(&key, value).await {
                        Ok(_) => Ok(true),
                        Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => {
                            Err("created concurrently".into())
                        }
                        Err(e) => return Err(AppError::backend("storing the function", e)),
                    }
                }
            };
            match outcome {
                Ok(created) => return Ok((created, info)),
                Err(conflict) => {
                    tracing::debug!(%key, %conflict, "function changed concurrently; retrying")
                }
            }
        }
        Err(AppError::new(
            ErrorCode::BackendUnavailable,
            "the function is being changed concurrently: try again",
        ))
    }

    /// Deletes a function; `false` if there was none.
    pub async fn delete_function(&self, owner: &str, name: &str) -> Result<bool, AppError> {
        if self.function(owner, name).await?.is_none() {
            return Ok(false);
        }
        self.functions
            .purge(function_key(owner, name))
            .await
            .map_err(|e| AppError::backend("deleting the function", e))?;
        Ok(true)
    }

    /// One of the owner's activation records.
    pub async fn activation(
        &self,
        owner: &str,
        id: &str,
    ) -> Result<Option<ActivationRecord>, AppError> {
        self.record(&activation_key(owner, id), "reading the activation")
            .await
    }

    /// A record, fetched from the payloads bucket when the worker stored it there.
    async fn record(&self, key: &str, context: &str) -> Result<Option<ActivationRecord>, AppError> {
        let Some(value) = self
            .activations
            .get(key)
            .await
            .map_err(|e| AppError::backend(context, e))?
        else {
            return Ok(None);
        };
        self.payloads
            .unpack(&value)
            .await
            .map(Some)
            .map_err(|e| AppError::backend(context, e))
    }
}

/// Paginated listings and the function quota (`crate::throttle`'s limits).
impl Store {
    /// Up to `limit` of the owner's functions with names after `after`, sorted by
    /// name, and whether more keys follow (the next page may still turn out empty).
    pub async fn functions_page(
        &self,
        owner: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<FunctionInfo>, bool), AppError> {
        let after = after.map(|name| function_key(owner, name));
        let keys = owner_keys(&self.functions, FUNCTIONS_BUCKET, owner).await?;
        let mut keys = keys
            .into_iter()
            .filter(|key| after.as_ref().is_none_or(|after| key > after));
        let mut functions = Vec::new();
        for key in keys.by_ref() {
            if let Some(function) = get_json(&self.functions, &key, "listing functions").await? {
                functions.push(function);
                if functions.len() == limit {
                    break;
                }
            }
        }
        Ok((functions, keys.next().is_some()))
    }

    /// How many functions the owner has, counting up to `at_most`: the subjects are
    /// listed at once, and only when there are that many are the values read, since
    /// a deleted function's subject lingers with a purge marker.
    pub async fn count_functions(&self, owner: &str, at_most: usize) -> Result<usize, AppError> {
        let keys = owner_keys(&self.functions, FUNCTIONS_BUCKET, owner).await?;
        if keys.len() < at_most {
            return Ok(keys.len());
        }
        let mut live = 0;
        for key in keys {
            let value = self
                .functions
                .get(&key)
                .await
                .map_err(|e| AppError::backend("counting functions", e))?;
            live += usize::from(value.is_some());
            if live == at_most {
                break;
            }
        }
        Ok(live)
    }

    /// Up to `limit` of the owner's records (of `function`, if given) older than
    /// activation `before`, newest first, and whether older keys follow.
    pub async fn activations_page(
        &self,
        owner: &str,
        function: Option<&str>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<ActivationRecord>, bool), AppError> {
        let before = before.map(|id| activation_key(owner, id));
        let keys = owner_keys(&self.activations, ACTIVATIONS_BUCKET, owner).await?;
        let mut keys = keys
            .into_iter()
            .rev()
            .filter(|key| before.as_ref().is_none_or(|before| key < before));
        let mut records = Vec::new();
        for key in keys.by_ref() {
            let record = self.record(&key, "listing activations").await?;
            records.extend(record.filter(|r| function.is_none_or(|f| r.activation.function == f)));
            if records.len() == limit {
                break;
            }
        }
        Ok((records, keys.next().is_some()))
    }
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

/// Purges every key of `owner` in `bucket` (account deletion); returns how many.
/// `doing` says what failed, in the error.
async fn purge_owned(
    bucket: &kv::Store,
    bucket_name: &str,
    owner: &str,
    doing: &str,
) -> Result<usize, AppError> {
    let keys = owner_keys(bucket, bucket_name, owner).await?;
    for key in &keys {
        bucket
            .purge(key)
            .await
            .map_err(|e| AppError::backend(doing, e))?;
    }
    Ok(keys.len())
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
