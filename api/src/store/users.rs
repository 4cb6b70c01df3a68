//! Users in KV `faas_users` (username → [`StoredUser`]): registration, reads,
//! compare-and-set updates, and removal of the record.

use async_nats::jetstream::kv;
use chrono::{DateTime, Utc};
use faas_shared::ErrorCode;
use serde::{Deserialize, Serialize};

use super::handle::{Store, current_entry, encode};
use crate::error::AppError;

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
    /// Registered with an operator's invite code: not a new account, whatever
    /// its age (see `Limits::new_account_age`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invited: bool,
}

impl StoredUser {
    /// Whether the account is new: younger than `age` and not invited. New
    /// accounts share one pool of activations (`FAAS_MAX_INFLIGHT_NEW_ACCOUNTS`).
    pub fn is_new(&self, age: std::time::Duration) -> bool {
        !self.invited
            && Utc::now() - self.created_at
                < chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX)
    }

    /// A fresh random token generation.
    pub fn new_token_generation() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }
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

    /// A user record, read from the stream leader like [`Store::user_entry`]: a
    /// login right after a registration or a password change on another replica
    /// must see it.
    pub async fn user(&self, username: &str) -> Result<Option<StoredUser>, AppError> {
        Ok(self.user_entry(username).await?.map(|(user, _)| user))
    }

    /// A user record and its revision, for a conditional [`Store::update_user`].
    /// Read from the bucket's stream leader ([`current_entry`]): every token and
    /// key check rests on it (the generation a password change starts, an account
    /// being deleted), so a replica behind the leader must not answer it.
    pub async fn user_entry(&self, username: &str) -> Result<Option<(StoredUser, u64)>, AppError> {
        let Some((value, revision)) =
            current_entry(&self.users, username, "reading the user").await?
        else {
            return Ok(None);
        };
        serde_json::from_slice(&value)
            .map(|user| Some((user, revision)))
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

    /// Removes the user record: the name can be registered again.
    pub async fn remove_user(&self, username: &str) -> Result<(), AppError> {
        self.users
            .purge(username)
            .await
            .map_err(|e| AppError::backend("deleting the user", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_new_while_young_unless_invited() {
        let day = std::time::Duration::from_secs(24 * 3600);
        let mut user = StoredUser {
            username: "alice".into(),
            password_hash: String::new(),
            created_at: Utc::now(),
            token_generation: String::new(),
            deleting_since: None,
            invited: false,
        };
        assert!(user.is_new(day));
        user.invited = true;
        assert!(!user.is_new(day), "an invited account has its own share");
        user.invited = false;
        user.created_at = Utc::now() - chrono::Duration::days(2);
        assert!(!user.is_new(day));
        let young = StoredUser {
            created_at: Utc::now(),
            ..user
        };
        assert!(!young.is_new(std::time::Duration::ZERO));
    }
}
