//! Per-user quotas (API keys, secrets, functions) enforced atomically: KV
//! `faas_quotas` holds, under `<owner>.<kind>`, the names that count against the
//! owner's quota of that kind, and it changes only by compare-and-set on the
//! revision read (`create` when there is none yet). A creation first reserves its
//! name there, which fails once the set is full, and only then stores the thing; a
//! removal removes the thing, then its name. So 30 parallel creations of keys
//! against a quota of 20 store 20, whichever replicas they reach.
//!
//! The set is rebuilt from what is stored when it is missing (an account from
//! before quotas were kept this way). A name whose thing was never stored (the
//! server died between the reservation and the write) is dropped once it is older
//! than [`STALE_RESERVATION`], when it stands in the way of a creation.

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
use faas_shared::nats::{
    FUNCTIONS_BUCKET, KEYS_BUCKET, SECRETS_BUCKET, api_key_key, function_key, secret_key,
};
use serde::{Deserialize, Serialize};

use super::handle::{Store, encode, owner_keys};
use crate::error::AppError;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaKind {
    Keys,
    Secrets,
    Functions,
}

impl QuotaKind {
    fn as_str(self) -> &'static str {
        match self {
            QuotaKind::Keys => "keys",
            QuotaKind::Secrets => "secrets",
            QuotaKind::Functions => "functions",
        }
    }
}

/// A reservation older than this whose thing does not exist was abandoned.
const STALE_RESERVATION: Duration = Duration::from_secs(60);

/// How often a reservation is tried again after losing a compare-and-set race:
/// each loss means another creation won, so this bounds the creations racing at
/// once rather than the time.
const ATTEMPTS: usize = 200;

/// The names counted against one owner's quota of one kind, with when each was
/// reserved.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Counted {
    names: BTreeMap<String, DateTime<Utc>>,
}

/// What [`Store::reserve`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reserved {
    /// The name took a free place: undo with [`Store::unreserve`] if the thing
    /// is not stored after all.
    New,
    /// The name already counted (a replacement): nothing to undo.
    Held,
}

impl Store {
    /// Reserves `name` among `owner`'s `kind` if fewer than `max` are counted;
    /// 403 `quota_exceeded` (saying `what`) when they are all taken.
    pub async fn reserve(
        &self,
        owner: &str,
        kind: QuotaKind,
        name: &str,
        max: usize,
        what: &str,
    ) -> Result<Reserved, AppError> {
        let key = quota_key(owner, kind);
        for attempt in 0..ATTEMPTS {
            let (mut counted, revision) = self.counted(owner, kind).await?;
            if counted.names.contains_key(name) {
                return Ok(Reserved::Held);
            }
            if counted.names.len() >= max {
                self.drop_stale(owner, kind, &mut counted).await?;
            }
            if counted.names.len() >= max {
                return Err(AppError::new(
                    ErrorCode::QuotaExceeded,
                    format!("you have {max} {what}, the most allowed: delete one first"),
                ));
            }
            counted.names.insert(name.to_owned(), Utc::now());
            if self.store_counted(&key, &counted, revision).await? {
                return Ok(Reserved::New);
            }
            continue_after(attempt).await;
        }
        Err(AppError::new(
            ErrorCode::BackendUnavailable,
            "too many concurrent changes to your quota: try again",
        )
        .with_retry_after(1))
    }

    /// Removes `name` from `owner`'s `kind` (its thing was removed, or never
    /// stored). A failure leaves a reservation that is dropped once stale.
    pub async fn unreserve(&self, owner: &str, kind: QuotaKind, name: &str) {
        let key = quota_key(owner, kind);
        for attempt in 0..ATTEMPTS {
            let Ok((mut counted, revision)) = self.counted(owner, kind).await else {
                return;
            };
            if counted.names.remove(name).is_none() {
                return;
            }
            match self.store_counted(&key, &counted, revision).await {
                Ok(true) | Err(_) => return,
                Ok(false) => continue_after(attempt).await,
            }
        }
    }

    /// Forgets every count of `owner`'s `kind` (everything of it was removed); the
    /// next reservation rebuilds it from what is stored.
    pub async fn forget_counts(&self, owner: &str, kind: QuotaKind) -> Result<(), AppError> {
        self.quotas
            .purge(quota_key(owner, kind))
            .await
            .map_err(|e| AppError::backend("resetting the quota", e))
    }

    /// The counted names and the revision to update them at; rebuilt from what is
    /// stored when there is no record yet (`None`: to be created).
    async fn counted(
        &self,
        owner: &str,
        kind: QuotaKind,
    ) -> Result<(Counted, Option<u64>), AppError> {
        let entry = self
            .quotas
            .entry(quota_key(owner, kind))
            .await
            .map_err(|e| AppError::backend("reading the quota", e))?;
        match entry {
            Some(entry) if entry.operation == kv::Operation::Put => {
                let counted = serde_json::from_slice(&entry.value)
                    .map_err(|e| AppError::internal("reading the quota", e))?;
                Ok((counted, Some(entry.revision)))
            }
            // A purged record keeps its revision: update at it.
            Some(entry) => Ok((self.stored(owner, kind).await?, Some(entry.revision))),
            None => Ok((self.stored(owner, kind).await?, None)),
        }
    }

    /// Writes `counted` if the record is still at `revision`; `false` when
    /// another change came first.
    async fn store_counted(
        &self,
        key: &str,
        counted: &Counted,
        revision: Option<u64>,
    ) -> Result<bool, AppError> {
        let value = encode(counted)?;
        let written = match revision {
            Some(revision) => self
                .quotas
                .update(key, value, revision)
                .await
                .map(drop)
                .map_err(|e| {
                    (
                        e.kind() == kv::UpdateErrorKind::WrongLastRevision,
                        e.to_string(),
                    )
                }),
            None => self.quotas.create(key, value).await.map(drop).map_err(|e| {
                (
                    e.kind() == kv::CreateErrorKind::AlreadyExists,
                    e.to_string(),
                )
            }),
        };
        match written {
            Ok(()) => Ok(true),
            Err((true, _)) => Ok(false),
            Err((false, e)) => Err(AppError::backend("updating the quota", e)),
        }
    }

    /// The names of what `owner` has stored of `kind`, each as reserved now.
    async fn stored(&self, owner: &str, kind: QuotaKind) -> Result<Counted, AppError> {
        let (bucket, bucket_name) = self.quota_bucket(kind);
        let mut counted = Counted::default();
        let now = Utc::now();
        for key in owner_keys(bucket, bucket_name, owner).await? {
            let live = bucket
                .get(&key)
                .await
                .map_err(|e| AppError::backend("counting for the quota", e))?
                .is_some();
            if let (true, Some((_, name))) = (live, key.split_once('.')) {
                counted.names.insert(name.to_owned(), now);
            }
        }
        Ok(counted)
    }

    /// Drops the stale reservations of `counted` (older than
    /// [`STALE_RESERVATION`], their thing not stored).
    async fn drop_stale(
        &self,
        owner: &str,
        kind: QuotaKind,
        counted: &mut Counted,
    ) -> Result<(), AppError> {
        let (bucket, _) = self.quota_bucket(kind);
        let stale_before = Utc::now()
            - chrono::Duration::from_std(STALE_RESERVATION).unwrap_or(chrono::Duration::zero());
        let old: Vec<String> = counted
            .names
            .iter()
            .filter(|(_, reserved)| **reserved < stale_before)
            .map(|(name, _)| name.clone())
            .collect();
        for name in old {
            let stored = bucket
                .get(thing_key(kind, owner, &name))
                .await
                .map_err(|e| AppError::backend("checking the quota", e))?
                .is_some();
            if !stored {
                counted.names.remove(&name);
            }
        }
        Ok(())
    }

    fn quota_bucket(&self, kind: QuotaKind) -> (&kv::Store, &'static str) {
        match kind {
            QuotaKind::Keys => (&self.keys, KEYS_BUCKET),
            QuotaKind::Secrets => (&self.secrets, SECRETS_BUCKET),
            QuotaKind::Functions => (&self.functions, FUNCTIONS_BUCKET),
        }
    }
}

/// A short pause after losing a race, growing a little, so that racing creations
/// do not retry in lockstep.
async fn continue_after(attempt: usize) {
    let random = uuid::Uuid::new_v4().as_bytes()[0];
    let millis = (attempt.min(20) as u64) + u64::from(random % 8);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

fn quota_key(owner: &str, kind: QuotaKind) -> String {
    format!("{owner}.{}", kind.as_str())
}

/// The KV key of `owner`'s `name` of `kind` in its own bucket.
fn thing_key(kind: QuotaKind, owner: &str, name: &str) -> String {
    match kind {
        QuotaKind::Keys => api_key_key(owner, name),
        QuotaKind::Secrets => secret_key(owner, name),
        QuotaKind::Functions => function_key(owner, name),
    }
}
