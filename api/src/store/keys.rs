//! API keys in the store (KV `faas_keys`, `<owner>.<name>` → [`StoredKey`]): create,
//! read, list, delete, and the throttled "last used" stamp.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
use faas_shared::keys::KeyInfo;
use faas_shared::nats::{KEYS_BUCKET, api_key_key};
use serde::{Deserialize, Serialize};

use super::handle::{Store, current_entry, encode, get_json, owner_keys};
use crate::error::AppError;

/// An API key as stored: the SHA-256 of its random part, never the secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub name: String,
    /// Hex SHA-256 of the secret's random part.
    pub secret_sha256: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The account's token generation when the key was created: a password change
    /// starts a new one, and the key is refused from then on, even if its removal
    /// failed or it was created by a request authenticated just before the change.
    /// `None` for keys stored before this existed (the change's purge removes them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
}

impl StoredKey {
    pub fn info(&self) -> KeyInfo {
        KeyInfo {
            name: self.name.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
        }
    }
}

impl Store {
    /// Stores a new key; `KeyExists` if the owner has one of that name, decided
    /// atomically by NATS.
    pub async fn create_key(&self, owner: &str, key: &StoredKey) -> Result<(), AppError> {
        match self
            .keys
            .create(api_key_key(owner, &key.name), encode(key)?)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == kv::CreateErrorKind::AlreadyExists => Err(AppError::new(
                ErrorCode::KeyExists,
                format!(
                    "you already have a key named {:?}: choose another name or remove it first (`faasctl key rm {}`)",
                    key.name, key.name
                ),
            )),
            Err(e) => Err(AppError::backend("storing the key", e)),
        }
    }

    /// One of the owner's keys and its revision, read from the bucket's stream
    /// leader ([`current_entry`]): a removed key must be refused at once on every
    /// replica, so a replica behind the leader must not answer.
    pub async fn key_entry(
        &self,
        owner: &str,
        name: &str,
    ) -> Result<Option<(StoredKey, u64)>, AppError> {
        let Some((value, revision)) =
            current_entry(&self.keys, &api_key_key(owner, name), "reading the key").await?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&value)
            .map(|key| Some((key, revision)))
            .map_err(|e| AppError::internal("reading the key", e))
    }

    /// Every key of the owner, sorted by name.
    pub async fn keys(&self, owner: &str) -> Result<Vec<StoredKey>, AppError> {
        let mut keys = Vec::new();
        for kv_key in owner_keys(&self.keys, KEYS_BUCKET, owner).await? {
            keys.extend(get_json::<StoredKey>(&self.keys, &kv_key, "listing keys").await?);
        }
        Ok(keys)
    }

    /// Removes every key of the owner (a password change); returns their names.
    pub async fn remove_keys(&self, owner: &str) -> Result<Vec<String>, AppError> {
        let mut removed = Vec::new();
        for kv_key in owner_keys(&self.keys, KEYS_BUCKET, owner).await? {
            let present = get_json::<StoredKey>(&self.keys, &kv_key, "listing keys").await?;
            self.keys
                .purge(&kv_key)
                .await
                .map_err(|e| AppError::backend("removing the keys", e))?;
            if let Some(key) = present {
                removed.push(key.name);
            }
        }
        Ok(removed)
    }

    /// Deletes a key; `false` if there was none.
    pub async fn delete_key(&self, owner: &str, name: &str) -> Result<bool, AppError> {
        if self.key_entry(owner, name).await?.is_none() {
            return Ok(false);
        }
        self.keys
            .purge(api_key_key(owner, name))
            .await
            .map_err(|e| AppError::backend("deleting the key", e))?;
        Ok(true)
    }

    /// Records that the key was used, if it is still at `revision`: a key deleted
    /// or changed in between is left alone (never brought back).
    pub async fn touch_key(&self, owner: &str, key: &StoredKey, revision: u64) {
        let stamped = StoredKey {
            last_used_at: Some(Utc::now()),
            ..key.clone()
        };
        let Ok(value) = encode(&stamped) else { return };
        if let Err(e) = self
            .keys
            .update(api_key_key(owner, &key.name), value, revision)
            .await
        {
            tracing::debug!(error = %e, key = %key.name, "not recording the key's use");
        }
    }
}
