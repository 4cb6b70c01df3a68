//! The account life cycle in the store: compare-and-set updates of a user record,
//! the deny-list of revoked tokens, and deleting an account with all it owns.

use std::time::Duration;

use async_nats::jetstream::{self, kv};
use faas_shared::nats::{
    ACTIVATIONS_BUCKET, ACTIVATIONS_STREAM, FUNCTIONS_BUCKET, KEYS_BUCKET, REVOKED_BUCKET,
    SECRETS_BUCKET, activation_subject,
};

use super::{Store, StoredUser, encode, open_bucket, owner_keys, purge_owned};
use crate::error::AppError;

/// Revoked token ids are kept this much longer than a token can live, for clock
/// skew between replicas.
const REVOKED_SLACK: Duration = Duration::from_secs(60);

/// Creates (or brings to the current token lifetime) and opens the deny-list bucket
/// of revoked token ids. nats-server 2.9 has no per-key TTL, so every key lives for
/// the bucket's `max_age`: the token lifetime plus slack, which outlasts the token
/// it revokes whenever that was issued.
pub async fn open_revoked_bucket(
    js: &jetstream::Context,
    token_ttl: Duration,
    replicas: usize,
) -> anyhow::Result<kv::Store> {
    open_bucket(js, REVOKED_BUCKET, token_ttl + REVOKED_SLACK, replicas).await
}

/// The deny-list of revoked tokens, shared by every server replica.
#[derive(Clone)]
pub struct Revocations {
    bucket: kv::Store,
}

impl Revocations {
    pub fn new(bucket: kv::Store) -> Self {
        Self { bucket }
    }

    /// Puts `jti` (a validated token id) on the deny-list.
    pub async fn revoke(&self, jti: &str, expires_at: i64) -> Result<(), AppError> {
        self.bucket
            .put(jti, expires_at.to_string().into())
            .await
            .map(drop)
            .map_err(|e| AppError::backend("revoking the token", e))
    }

    pub async fn is_revoked(&self, jti: &str) -> Result<bool, AppError> {
        self.bucket
            .get(jti)
            .await
            .map(|value| value.is_some())
            .map_err(|e| AppError::backend("checking the token", e))
    }
}

/// What deleting an account removed.
#[derive(Debug, Default)]
pub struct Removed {
    pub functions: usize,
    pub activations: usize,
    pub queued: u64,
    pub secrets: usize,
    pub keys: usize,
}

impl Store {
    /// A user record and its revision, for a conditional [`Store::update_user`].
    pub async fn user_entry(&self, username: &str) -> Result<Option<(StoredUser, u64)>, AppError> {
        let Some(entry) = self
            .users
            .entry(username)
            .await
            .map_err(|e| AppError::backend("reading the user", e))?
            .filter(|entry| entry.operation == kv::Operation::Put)
        else {
            return Ok(None);
        };
        serde_json::from_slice(&entry.value)
            .map(|user| Some((user, entry.revision)))
            .map_err(|e| AppError::internal("reading the user", e))
    }

    /// Replaces the user record if it is still at `revision`; `false` if it
    /// changed in between (the caller reads it again or gives up).
    pub async fn update_user(&self, user: &StoredUser, revision: u64) -> Result<bool, AppError> {
        match self
            .users
            .update(&user.username, encode(user)?, revision)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == kv::UpdateErrorKind::WrongLastRevision => Ok(false),
            Err(e) => Err(AppError::backend("updating the user", e)),
        }
    }

    /// Removes everything `owner` has: API keys (first: they stop working at once),
    /// queued activation requests (so they never run), functions, and activation
    /// records with their large bodies.
    pub async fn remove_owned(
        &self,
        jetstream: &jetstream::Context,
        owner: &str,
    ) -> Result<Removed, AppError> {
        let backend = |e: &dyn std::fmt::Display| AppError::backend("deleting the account", e);
        let mut removed = Removed {
            keys: purge_owned(
                &self.keys,
                KEYS_BUCKET,
                owner,
                "deleting the account's keys",
            )
            .await?,
            ..Removed::default()
        };
        let stream = jetstream
            .get_stream(ACTIVATIONS_STREAM)
            .await
            .map_err(|e| backend(&e))?;
        removed.queued = stream
            .purge()
            .filter(activation_subject(owner))
            .await
            .map_err(|e| backend(&e))?
            .purged;
        removed.functions = purge_owned(
            &self.functions,
            FUNCTIONS_BUCKET,
            owner,
            "deleting the account",
        )
        .await?;
        for key in owner_keys(&self.activations, ACTIVATIONS_BUCKET, owner).await? {
            if let Ok(Some(value)) = self.activations.get(&key).await
                && let Some(name) = faas_process::claim::claimed(&value)
            {
                self.payloads.discard(&name).await;
            }
            self.activations
                .purge(&key)
                .await
                .map_err(|e| backend(&e))?;
            removed.activations += 1;
        }
        removed.secrets =
            purge_owned(&self.secrets, SECRETS_BUCKET, owner, "deleting the secrets").await?;
        Ok(removed)
    }

    /// Removes the user record: the name can be registered again.
    pub async fn remove_user(&self, username: &str) -> Result<(), AppError> {
        self.users
            .purge(username)
            .await
            .map_err(|e| AppError::backend("deleting the user", e))
    }
}
