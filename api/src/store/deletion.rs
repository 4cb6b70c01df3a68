//! Deleting an account's belongings: its API keys, queued requests, functions,
//! activation records (with their large bodies) and secrets.

use async_nats::jetstream::kv;
use faas_shared::nats::{
    ACTIVATIONS_BUCKET, ACTIVATIONS_STREAM, FUNCTIONS_BUCKET, KEYS_BUCKET, SECRETS_BUCKET,
    activation_subject,
};

use super::handle::{Store, owner_keys};
use super::quotas::QuotaKind;
use crate::error::AppError;

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
    /// Removes everything `owner` has: API keys (first: they stop working at once),
    /// queued activation requests (so they never run), functions, and activation
    /// records with their large bodies.
    pub async fn remove_owned(&self, owner: &str) -> Result<Removed, AppError> {
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
        let stream = self
            .jetstream
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
        for kind in [QuotaKind::Keys, QuotaKind::Secrets, QuotaKind::Functions] {
            self.forget_counts(owner, kind).await?;
        }
        Ok(removed)
    }
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
