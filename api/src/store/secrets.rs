//! Users' secrets in KV `faas_secrets` under `<user>.<name>`: sealed values
//! (`faas_process::secrets`) with the time they were set. Keyed by owner first, like
//! functions, so another user's secret is a 404 by construction.

use chrono::{DateTime, Utc};
use faas_process::secrets::SealedSecret;
use faas_shared::SecretInfo;
use faas_shared::nats::{SECRETS_BUCKET, secret_key};
use serde::{Deserialize, Serialize};

use super::handle::{Store, encode, get_json, owner_keys};
use crate::error::AppError;

/// A secret as stored: never the value, only what seals it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSecret {
    #[serde(flatten)]
    pub sealed: SealedSecret,
    pub updated_at: DateTime<Utc>,
}

impl Store {
    /// Stores (or replaces) a sealed secret; returns whether it was created.
    pub async fn put_secret(
        &self,
        owner: &str,
        name: &str,
        secret: &StoredSecret,
    ) -> Result<bool, AppError> {
        let key = secret_key(owner, name);
        let existed = self.secret(owner, name).await?.is_some();
        self.secrets
            .put(&key, encode(secret)?)
            .await
            .map_err(|e| AppError::backend("storing the secret", e))?;
        Ok(!existed)
    }

    pub async fn secret(&self, owner: &str, name: &str) -> Result<Option<StoredSecret>, AppError> {
        get_json(
            &self.secrets,
            &secret_key(owner, name),
            "reading the secret",
        )
        .await
    }

    /// The owner's secrets' names and times, sorted by name.
    pub async fn list_secrets(&self, owner: &str) -> Result<Vec<SecretInfo>, AppError> {
        let mut secrets = Vec::new();
        for key in owner_keys(&self.secrets, SECRETS_BUCKET, owner).await? {
            let stored: Option<StoredSecret> =
                get_json(&self.secrets, &key, "listing secrets").await?;
            if let (Some(stored), Some((_, name))) = (stored, key.split_once('.')) {
                secrets.push(SecretInfo {
                    name: name.to_owned(),
                    updated_at: stored.updated_at,
                });
            }
        }
        Ok(secrets)
    }

    /// Deletes a secret; `false` if there was none.
    pub async fn delete_secret(&self, owner: &str, name: &str) -> Result<bool, AppError> {
        if self.secret(owner, name).await?.is_none() {
            return Ok(false);
        }
        self.secrets
            .purge(secret_key(owner, name))
            .await
            .map_err(|e| AppError::backend("deleting the secret", e))?;
        Ok(true)
    }

    /// Which of `names` the owner has no secret of.
    pub async fn missing_secrets(
        &self,
        owner: &str,
        names: &[String],
    ) -> Result<Vec<String>, AppError> {
        let mut missing = Vec::new();
        for name in names {
            let present = self
                .secrets
                .get(secret_key(owner, name))
                .await
                .map_err(|e| AppError::backend("reading the function's secrets", e))?
                .is_some();
            if !present {
                missing.push(name.clone());
            }
        }
        Ok(missing)
    }
}
